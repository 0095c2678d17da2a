//! Which topics a command acts on, as Kafka's `TopicCommand.getTopics` picks them: every topic
//! the cluster lists (internal ones unless `--exclude-internal`), sorted by name, kept when the
//! `--topic` regular expression matches the whole name (Kafka's `IncludeList`: commas mean
//! "or", spaces and surrounding quotes are dropped).

use kaskade_client::{ClusterMetadata, TopicMetadata};
use regex::Regex;

use super::Failure;

/// Kafka's internal topics (`Topic.isInternal`), excluded by `--exclude-internal` even when a
/// broker does not flag them.
const INTERNAL_TOPICS: [&str; 3] = ["__consumer_offsets", "__transaction_state", "__share_group_state"];

pub fn is_internal(name: &str) -> bool {
    INTERNAL_TOPICS.contains(&name)
}

/// A compiled `--topic` filter.
pub struct IncludeList {
    regex: Regex,
}

impl IncludeList {
    /// Kafka's `TopicFilter`: the raw text made into a pattern; an invalid one fails with
    /// Kafka's message. (Patterns are Rust `regex` syntax: Java's look-arounds and
    /// back-references are refused as invalid.)
    pub fn new(raw: &str) -> Result<IncludeList, Failure> {
        let pattern = raw.trim().replace(',', "|").replace(' ', "");
        let pattern = pattern.trim_start_matches(['"', '\'']).trim_end_matches(['"', '\'']);
        Regex::new(&format!(r"\A(?:{pattern})\z"))
            .map(|regex| IncludeList { regex })
            .map_err(|_| Failure::plain(format!("{pattern} is an invalid regex.")))
    }

    pub fn allows(&self, topic: &str, exclude_internal: bool) -> bool {
        self.regex.is_match(topic) && !(exclude_internal && is_internal(topic))
    }
}

/// The topics `--topic` (or all when absent) selects, sorted by name.
pub fn topics<'a>(metadata: &'a ClusterMetadata, topic: Option<&str>, exclude_internal: bool) -> Result<Vec<&'a TopicMetadata>, Failure> {
    let filter = topic.map(IncludeList::new).transpose()?;
    let mut selected: Vec<&TopicMetadata> = metadata
        .topics
        .iter()
        .filter(|t| !(exclude_internal && t.is_internal))
        .filter(|t| match &filter {
            Some(f) => f.allows(&t.name, exclude_internal),
            None => !(exclude_internal && is_internal(&t.name)),
        })
        .collect();
    selected.sort_by(|a, b| a.name.cmp(&b.name));
    selected.dedup_by(|a, b| a.name == b.name);
    Ok(selected)
}

/// Kafka's `ensureTopicExists`: a named `--topic` that matched nothing is an error, unless
/// `--if-exists`.
pub fn ensure_found(found: usize, topic: Option<&str>, if_exists: bool) -> Result<(), Failure> {
    match topic {
        Some(t) if !t.is_empty() && !if_exists && found == 0 => Err(Failure::plain(format!("Topic '{t}' does not exist as expected"))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn meta(names: &[(&str, bool)]) -> ClusterMetadata {
        ClusterMetadata {
            cluster_id: None,
            controller_id: 1,
            brokers: Vec::new(),
            topics: names
                .iter()
                .map(|&(name, is_internal)| TopicMetadata {
                    name: name.to_string(),
                    topic_id: Uuid::nil(),
                    is_internal,
                    error_code: 0,
                    partitions: Vec::new(),
                })
                .collect(),
        }
    }

    fn names(m: &ClusterMetadata, topic: Option<&str>, exclude: bool) -> Vec<String> {
        topics(m, topic, exclude)
            .map(|ts| ts.iter().map(|t| t.name.clone()).collect())
            .unwrap_or_else(|f| vec![f.message])
    }

    #[test]
    fn regexes_match_whole_names_sorted() {
        let m = meta(&[("orders", false), ("__consumer_offsets", true), ("order", false), ("audit", false)]);
        assert_eq!(names(&m, None, false), ["__consumer_offsets", "audit", "order", "orders"]);
        assert_eq!(names(&m, None, true), ["audit", "order", "orders"]);
        assert_eq!(names(&m, Some("order"), false), ["order"]);
        assert_eq!(names(&m, Some("order.*"), false), ["order", "orders"]);
        assert_eq!(names(&m, Some("audit, orders"), false), ["audit", "orders"]);
        assert_eq!(names(&m, Some("'__.*'"), true), Vec::<String>::new());
        assert_eq!(names(&m, Some("["), false), ["[ is an invalid regex."]);
    }

    #[test]
    fn a_named_topic_must_exist() {
        assert!(ensure_found(0, Some("x"), false).is_err());
        assert!(ensure_found(0, Some("x"), true).is_ok());
        assert!(ensure_found(0, None, false).is_ok());
        assert_eq!(
            ensure_found(0, Some("zzz.*"), false).unwrap_err().message,
            "Topic 'zzz.*' does not exist as expected"
        );
    }
}
