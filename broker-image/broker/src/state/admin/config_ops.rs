//! IncrementalAlterConfigs' operations on a config map (SET, DELETE, APPEND, SUBTRACT), with
//! Kafka's rules: APPEND and SUBTRACT only apply to list configs, and start from the key's
//! current value or, when it has none, its default.

use kafka_protocol::error::ResponseError;

use super::configs::Configs;
use crate::config::check::Kind;
use crate::state::ApiError;

/// Kafka's `AlterConfigOp.OpType` codes.
pub const SET: i8 = 0;
pub const DELETE: i8 = 1;
pub const APPEND: i8 = 2;
pub const SUBTRACT: i8 = 3;

/// One requested change.
#[derive(Debug, Clone)]
pub struct Op {
    pub key: String,
    pub op: i8,
    pub value: Option<String>,
}

/// Applies `ops` to `current`. `kind_of` gives a key's kind and default (None for keys the
/// resource does not define: those can only be set or deleted).
/// Kafka words the APPEND/SUBTRACT refusal differently for broker resources (`broker`).
pub fn apply(
    current: &Configs,
    ops: &[Op],
    kind_of: impl Fn(&str) -> Option<(Kind, &'static str)>,
    broker: bool,
) -> Result<Configs, ApiError> {
    let mut out = current.clone();
    for op in ops {
        match op.op {
            SET => {
                out.insert(op.key.clone(), op.value.clone().unwrap_or_default());
            }
            DELETE => {
                out.remove(&op.key);
            }
            APPEND | SUBTRACT => {
                let verb = if op.op == APPEND { "APPEND" } else { "SUBTRACT" };
                let default = match kind_of(&op.key) {
                    Some((Kind::List(_) | Kind::FreeList, default)) => default,
                    _ if broker => {
                        return Err(ApiError::new(
                            ResponseError::InvalidConfig,
                            format!("Config value {} is not allowed for config key: {}", verb.to_lowercase(), op.key),
                        ))
                    }
                    _ => {
                        return Err(ApiError::new(
                            ResponseError::InvalidConfig,
                            format!("Can't {verb} to key {} because its type is not LIST.", op.key),
                        ))
                    }
                };
                let base = out.get(&op.key).cloned().unwrap_or_else(|| default.to_string());
                let mut items: Vec<String> = split(&base);
                let given = split(op.value.as_deref().unwrap_or(""));
                if op.op == APPEND {
                    for v in given {
                        if !items.contains(&v) {
                            items.push(v);
                        }
                    }
                } else {
                    items.retain(|v| !given.contains(v));
                }
                out.insert(op.key.clone(), items.join(","));
            }
            other => {
                return Err(ApiError::new(
                    ResponseError::InvalidRequest,
                    format!("Unknown alter configs operation type {other}"),
                ))
            }
        }
    }
    Ok(out)
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(key: &str) -> Option<(Kind, &'static str)> {
        match key {
            "cleanup.policy" => Some((Kind::List(&["compact", "delete"]), "delete")),
            "retention.ms" => Some((Kind::Long { min: -1 }, "604800000")),
            _ => None,
        }
    }

    fn op(key: &str, op: i8, value: &str) -> Op {
        Op {
            key: key.into(),
            op,
            value: Some(value.into()),
        }
    }

    #[test]
    fn set_delete_append_subtract() {
        let cur: Configs = [("retention.ms".to_string(), "5".to_string())].into();
        let out = apply(
            &cur,
            &[op("retention.ms", DELETE, ""), op("cleanup.policy", APPEND, "compact")],
            kinds,
            false,
        )
        .unwrap();
        assert_eq!(out.get("cleanup.policy").map(String::as_str), Some("delete,compact"));
        assert!(!out.contains_key("retention.ms"));
        let out = apply(&out, &[op("cleanup.policy", SUBTRACT, "delete")], kinds, false).unwrap();
        assert_eq!(out.get("cleanup.policy").map(String::as_str), Some("compact"));
        let err = apply(&cur, &[op("retention.ms", APPEND, "1")], kinds, false).unwrap_err();
        assert_eq!(err.message, "Can't APPEND to key retention.ms because its type is not LIST.");
    }
}
