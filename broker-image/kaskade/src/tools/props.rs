//! Client properties as Kafka's tools take them: `--command-config FILE`, `--producer.config FILE`
//! and `--consumer.config FILE` name Java `.properties` files; `--property k=v`,
//! `--producer-property k=v` and `--consumer-property k=v` give one pair each ([`key_value_args`]).
//!
//! The file format is `java.util.Properties.load`: `#` or `!` comment lines, `key=value`,
//! `key:value` or `key value` (whitespace around the separator ignored), a backslash at the end
//! of a line continues it, and `\t \n \r \f \uXXXX \\` escapes.

use std::collections::BTreeMap;
use std::path::Path;

use super::exit::ToolError;

/// Properties in the order later ones override earlier ones (a `BTreeMap` for stable output).
pub type Props = BTreeMap<String, String>;

/// Reads a `.properties` file; a missing or unreadable file is an error naming it.
pub fn load_file(path: &Path) -> Result<Props, ToolError> {
    let text = std::fs::read_to_string(path).map_err(|e| ToolError::new(format!("cannot read {}: {e}", path.display())))?;
    Ok(parse(&text))
}

/// Reads an optional `.properties` file (`--command-config`, `--producer.config`, …): none
/// given is no properties.
pub fn load_optional(path: Option<&Path>) -> Result<Props, ToolError> {
    path.map_or_else(|| Ok(Props::new()), load_file)
}

/// Parses `.properties` text (the broker's parser: `server.properties` is the same format).
pub fn parse(text: &str) -> Props {
    kaskade_broker::config::parse_properties(text)
}

/// Kafka's `CommandLineUtils.parseKeyValueArgs` for `--property k=v` style flags: split at the
/// first `=`, nothing trimmed (a separator may be a space), a missing `=` giving an empty value.
pub fn key_value_args(args: &[String]) -> Props {
    args.iter()
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (a.clone(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_properties_forms() {
        let text = "# comment\n! also\n\nbootstrap.servers=h:9092\nclient.id : me\nacks all\n  spaced = v w \nlong=a\\\n   b\nesc=tab\\there\\u00e9\\\\\nempty=\nbare\n";
        let p = parse(text);
        assert_eq!(p["bootstrap.servers"], "h:9092");
        assert_eq!(p["client.id"], "me");
        assert_eq!(p["acks"], "all");
        assert_eq!(p["spaced"], "v w ");
        assert_eq!(p["long"], "ab");
        assert_eq!(p["esc"], "tab\there\u{e9}\\");
        assert_eq!(p["empty"], "");
        assert_eq!(p["bare"], "");
    }

    #[test]
    fn key_value_args_split_at_the_first_equals() {
        let p = key_value_args(&["a=b=c".into(), "novalue".into(), "sep= ".into()]);
        assert_eq!(p["a"], "b=c");
        assert_eq!(p["novalue"], "");
        assert_eq!(p["sep"], " ");
    }
}
