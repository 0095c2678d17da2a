//! The documentation DescribeConfigs sends with `include_documentation` (Kafka sends its full
//! doc strings; a client shows them as help text): a topic config's and its broker synonym's
//! from the topic table, the broker-only keys' from their own table.

use super::topic::TOPIC_CONFIGS;

/// Broker keys that are no topic config's synonym, with their documentation.
const BROKER_ONLY: &[(&str, &str)] = &[
    (
        "log.retention.minutes",
        "How long a log is retained (minutes); log.retention.ms takes precedence.",
    ),
    (
        "log.retention.hours",
        "How long a log is retained (hours); log.retention.minutes and .ms take precedence.",
    ),
    (
        "log.roll.hours",
        "The time after which the active segment is rolled (hours); log.roll.ms takes precedence.",
    ),
    ("advertised.listeners", "The listeners this broker publishes for clients to use."),
    (
        "auto.create.topics.enable",
        "Whether a topic is created automatically when a client asks for it.",
    ),
    (
        "broker.heartbeat.interval.ms",
        "How often a broker heartbeats to the metadata quorum's leader (ms).",
    ),
    (
        "broker.session.timeout.ms",
        "How long the metadata quorum's leader waits for a heartbeat before it fences a broker (ms).",
    ),
    ("controller.listener.names", "The names of the listeners used by the controller."),
    ("controller.quorum.voters", "The voters of the metadata quorum, as id@host:port."),
    (
        "default.replication.factor",
        "The replication factor of automatically created topics.",
    ),
    ("listeners", "The addresses the broker listens on."),
    ("log.dirs", "The directories in which the log data is kept."),
    ("log.retention.check.interval.ms", "How often the retention policy is checked (ms)."),
    ("node.id", "The node id of this server."),
    ("num.partitions", "The default number of partitions of a new topic."),
    ("socket.request.max.bytes", "The largest request the broker accepts."),
];

/// The documentation of a topic or broker config key, if Kaskade knows the key.
pub fn doc(key: &str) -> Option<&'static str> {
    TOPIC_CONFIGS
        .iter()
        .find(|d| d.named(key))
        .map(|d| d.doc)
        .or_else(|| BROKER_ONLY.iter().find(|(k, _)| *k == key).map(|(_, doc)| *doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_keys_their_synonyms_and_broker_keys_have_docs() {
        assert_eq!(doc("retention.ms"), doc("log.retention.ms"));
        assert!(doc("retention.ms").is_some_and(|d| d.contains("retained")));
        assert!(doc("segment.index.bytes").is_some());
        assert_eq!(doc("segment.index.bytes"), doc("log.index.size.max.bytes"));
        assert!(doc("listeners").is_some());
        assert_eq!(doc("no.such.key"), None);
        assert!(TOPIC_CONFIGS.iter().all(|d| !d.doc.is_empty()));
    }
}
