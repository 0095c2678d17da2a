//! `kaskade configs --alter`: `--add-config k=v,k2=[a,b]` (Kafka's comma list, brackets
//! grouping values that contain commas), `--add-config-file FILE` (a `.properties` file) and
//! `--delete-config k,k2`, sent as one IncrementalAlterConfigs (deletes first, as Kafka orders
//! them); then `Completed updating config for topic NAME.`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use kaskade_client::{AlterConfigOp, ConfigResourceType, KafkaAdmin};

use super::args::ConfigsArgs;
use super::{broker_client, EntityType, Failure};
use crate::props;

/// Splits at each `sep` that is not inside `[...]` (Kafka's look-ahead: the next bracket after
/// it, if any, opens one).
fn split_outside_brackets(text: &str, sep: char) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c != sep {
            continue;
        }
        let next_bracket = text[i + 1..].chars().find(|&c| c == '[' || c == ']');
        if next_bracket != Some(']') {
            pieces.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    pieces.push(&text[start..]);
    pieces
}

/// Kafka's `parseConfigsToBeAdded` for `--add-config`.
fn parse_add_config(text: &str) -> Result<BTreeMap<String, String>, Failure> {
    let mut pairs = split_outside_brackets(text, ',');
    // Java's split drops trailing empty pieces.
    while pairs.len() > 1 && pairs.last().is_some_and(|p| p.is_empty()) {
        pairs.pop();
    }
    let mut configs = BTreeMap::new();
    for pair in pairs {
        let [key, value] = split_outside_brackets(pair, '=')[..] else {
            return Err(Failure::Argument(
                "Invalid entity config: all configs to be added must be in the format \"key=val\" or  \"key=[val1,val2]\" to group values which contain commas."
                    .to_string(),
            ));
        };
        let value: String = value.chars().filter(|&c| c != '[' && c != ']').collect();
        configs.insert(key.trim().to_string(), value.trim().to_string());
    }
    Ok(configs)
}

/// Kafka's `validatePropsKey`.
fn validate_keys(configs: &BTreeMap<String, String>) -> Result<(), Failure> {
    match configs
        .keys()
        .find(|k| !k.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '.' | '_' | '-')))
    {
        Some(bad) => Err(Failure::Argument(format!("Invalid character found for config key: {bad}"))),
        None => Ok(()),
    }
}

pub async fn alter(admin: &KafkaAdmin, args: &ConfigsArgs, kind: EntityType, name: &str, out: &mut String) -> Result<(), Failure> {
    let mut add = match args.add_config_file.as_deref() {
        Some(path) => props::load_file(path).map_err(|e| Failure::Command(e.to_string()))?,
        None => BTreeMap::new(),
    };
    if let Some(text) = args.add_config.as_deref() {
        add.extend(parse_add_config(text)?);
    }
    validate_keys(&add)?;
    let ops: Vec<AlterConfigOp> = args
        .delete_config
        .iter()
        .map(|k| AlterConfigOp::Delete(k.trim().to_string()))
        .chain(add.into_iter().map(|(k, v)| AlterConfigOp::Set(k, v)))
        .collect();
    match kind {
        EntityType::Topics => admin.incremental_alter_configs(ConfigResourceType::Topic, name, &ops).await?,
        EntityType::Brokers => {
            let target = if name.is_empty() {
                admin.clone()
            } else {
                broker_client(admin, &admin.metadata().await?, name)?
            };
            target.incremental_alter_configs(ConfigResourceType::Broker, name, &ops).await?
        }
    }
    if name.is_empty() {
        let _ = writeln!(out, "Completed updating default config for {} in the cluster.", kind.plural());
    } else {
        let _ = writeln!(out, "Completed updating config for {} {name}.", kind.singular());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<(String, String)> {
        match parse_add_config(text) {
            Ok(m) => m.into_iter().collect(),
            Err(Failure::Argument(m) | Failure::Command(m)) => vec![("ERR".into(), m)],
        }
    }

    #[test]
    fn kafkas_comma_list_with_brackets() {
        assert_eq!(
            parsed("retention.ms=1000, cleanup.policy=[compact,delete],empty="),
            [
                ("cleanup.policy".to_string(), "compact,delete".to_string()),
                ("empty".to_string(), String::new()),
                ("retention.ms".to_string(), "1000".to_string()),
            ]
        );
        assert_eq!(parsed("k = [a=b]"), [("k".to_string(), "a=b".to_string())]);
        assert_eq!(parsed("a=1,"), [("a".to_string(), "1".to_string())]);
        for bad in ["a", "a=1=2", "a=1,,b=2", ""] {
            assert_eq!(parsed(bad)[0].0, "ERR", "{bad}");
        }
    }

    #[test]
    fn keys_are_checked() {
        let mut m = BTreeMap::new();
        m.insert("a b".to_string(), "1".to_string());
        assert!(matches!(validate_keys(&m), Err(Failure::Argument(e)) if e == "Invalid character found for config key: a b"));
        m.clear();
        m.insert("org.Foo$Bar".to_string(), "1".to_string());
        assert!(validate_keys(&m).is_ok());
    }
}
