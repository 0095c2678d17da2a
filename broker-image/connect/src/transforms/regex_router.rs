//! `RegexRouter`: renames the topic by a regular expression and a replacement (`$1` groups),
//! e.g. to drop the `my_topic_` prefix a JDBC source added before the sink names its table.
//! Also Java's regex matching and replacement syntax, shared with `TopicNameMatches`.
//!
//! Patterns are compiled by the `regex` crate, whose syntax covers what topic patterns use
//! (classes, groups, named groups, alternation, quantifiers); Java-only constructs
//! (look-around, back-references, possessive quantifiers) are refused as invalid regexes.

use std::collections::BTreeMap;

use regex::{Captures, Regex};

use crate::config_def::{ConfigDef, ConfigKey, ConfigType, ConfigValue, Default, Importance, Validator};
use crate::data::DataError;
use crate::record::ConnectRecord;

use super::util::parse_config;
use super::{TransformError, Transformation};

pub(crate) const CLASS: &str = "org.apache.kafka.connect.transforms.RegexRouter";

/// `RegexValidator`.
pub(crate) fn regex_validator() -> Validator {
    Validator::Lambda(|name, v| match v {
        ConfigValue::String(s) => JavaPattern::new(s)
            .map(|_| ())
            .map_err(|e| format!("Invalid value {s} for configuration {name}: Invalid regex: {e}")),
        _ => Ok(()),
    })
}

pub(crate) fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                "regex",
                ConfigType::String,
                Default::Required,
                Importance::High,
                "Regular expression to use for matching.",
            )
            .validator(regex_validator()),
        )
        .define(ConfigKey::new(
            "replacement",
            ConfigType::String,
            Default::Required,
            Importance::High,
            "Replacement string.",
        ))
}

/// A `java.util.regex.Pattern`: `matches()` (the whole input) and `find()`.
#[derive(Debug, Clone)]
pub(crate) struct JavaPattern {
    find: Regex,
    full: Regex,
}

impl JavaPattern {
    pub(crate) fn new(pattern: &str) -> Result<Self, String> {
        let find = Regex::new(pattern).map_err(|e| e.to_string())?;
        let full = Regex::new(&format!("^(?:{pattern})$")).map_err(|e| e.to_string())?;
        Ok(JavaPattern { find, full })
    }

    /// `matcher(s).matches()`.
    pub(crate) fn matches(&self, s: &str) -> bool {
        self.full.is_match(s)
    }

    /// `matcher(s).replaceFirst(replacement)`.
    pub(crate) fn replace_first(&self, s: &str, replacement: &str) -> Result<String, String> {
        let Some(caps) = self.find.captures(s) else {
            return Ok(s.to_string());
        };
        let m = caps.get(0).expect("group 0");
        let mut out = String::with_capacity(s.len() + replacement.len());
        out.push_str(&s[..m.start()]);
        append_replacement(&mut out, &self.find, &caps, replacement)?;
        out.push_str(&s[m.end()..]);
        Ok(out)
    }
}

/// `Matcher.appendReplacement`'s reading of a replacement: `\x` is `x`, `$n` a numbered group
/// (as many digits as name an existing group), `${name}` a named group.
fn append_replacement(out: &mut String, regex: &Regex, caps: &Captures<'_>, replacement: &str) -> Result<(), String> {
    let group_count = caps.len() - 1;
    let chars: Vec<char> = replacement.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                i += 1;
                let c = chars.get(i).ok_or("character to be escaped is missing")?;
                out.push(*c);
                i += 1;
            }
            '$' => {
                i += 1;
                let c = *chars.get(i).ok_or("Illegal group reference: group index is missing")?;
                if c == '{' {
                    i += 1;
                    let start = i;
                    while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                        i += 1;
                    }
                    if i == start {
                        return Err("named capturing group has 0 length name".into());
                    }
                    if chars.get(i) != Some(&'}') {
                        return Err("named capturing group is missing trailing '}'".into());
                    }
                    let name: String = chars[start..i].iter().collect();
                    i += 1;
                    if !chars[start].is_ascii_alphabetic() {
                        return Err("capturing group name {".to_string() + &name + "} starts with digit character");
                    }
                    match caps.name(&name) {
                        Some(m) => out.push_str(m.as_str()),
                        None if regex.capture_names().flatten().any(|n| n == name) => {}
                        None => return Err(format!("No group with name {{{name}}}")),
                    }
                } else {
                    let mut group = c.to_digit(10).ok_or("Illegal group reference")? as usize;
                    if group > group_count {
                        return Err(format!("No group {group}"));
                    }
                    i += 1;
                    while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                        let next = group * 10 + d as usize;
                        if next > group_count {
                            break;
                        }
                        group = next;
                        i += 1;
                    }
                    if let Some(m) = caps.get(group) {
                        out.push_str(m.as_str());
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(())
}

pub(crate) struct RegexRouter {
    regex: JavaPattern,
    replacement: String,
}

impl RegexRouter {
    pub(crate) fn configure(props: &BTreeMap<String, String>) -> Result<Self, TransformError> {
        let c = parse_config(&config_def(), props)?;
        let regex = JavaPattern::new(&c.string("regex").unwrap_or_default()).map_err(TransformError::Config)?;
        Ok(RegexRouter {
            regex,
            replacement: c.string("replacement").unwrap_or_default(),
        })
    }
}

impl Transformation for RegexRouter {
    fn apply(&self, mut record: ConnectRecord) -> Result<Option<ConnectRecord>, DataError> {
        if self.regex.matches(&record.topic) {
            record.topic = self.regex.replace_first(&record.topic, &self.replacement).map_err(DataError::new)?;
        }
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Value;
    use crate::transforms::test_support::{props, source_record};

    fn route(regex: &str, replacement: &str, topic: &str) -> Result<String, DataError> {
        let t = RegexRouter::configure(&props(&[("regex", regex), ("replacement", replacement)])).unwrap();
        t.apply(source_record(topic, None, Value::Null)).map(|r| r.unwrap().topic)
    }

    #[test]
    fn routes_like_java() {
        assert_eq!(route("my_topic_(.*)", "$1", "my_topic_users").unwrap(), "users");
        assert_eq!(route("(.*)-(.*)", "$2_$1", "a-b").unwrap(), "b_a");
        assert_eq!(
            route("(?<db>[a-z0-9]+)\\.(?<t>.*)", "${t}@${db}", "db1.orders").unwrap(),
            "orders@db1"
        );
        assert_eq!(route("(a)", "$10", "a").unwrap(), "a0");
        assert_eq!(route("(.*)", "\\$1", "x").unwrap(), "$1");
        // Only topics the regex matches entirely are renamed.
        assert_eq!(route("users", "u", "my_users").unwrap(), "my_users");
        assert_eq!(route("(a)", "$2", "a").unwrap_err().message, "No group 2");
        assert_eq!(route("(a)", "$x", "a").unwrap_err().message, "Illegal group reference");
    }

    #[test]
    fn config_errors() {
        let err = RegexRouter::configure(&props(&[("regex", "("), ("replacement", "x")]))
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("Invalid value ( for configuration regex: Invalid regex: "), "{err}");
        let err = RegexRouter::configure(&props(&[("regex", "a")])).err().unwrap().to_string();
        assert_eq!(err, "Missing required configuration \"replacement\" which has no default value.");
    }
}
