//! Every topic-level config Kafka 4.4 defines, in one table (Kafka's `ConfigDef` idea): its key,
//! how it is validated and typed, Kafka's default, the broker key it takes its default from (or
//! that Kafka lists as its synonym), and its documentation. Validation (`check`), DescribeConfigs
//! (`crate::topic_configs`), dynamic broker configs and documentation (`docs`) all read it.

use super::check::Kind;

/// One topic-level config.
pub struct TopicConfigDef {
    pub key: &'static str,
    pub kind: Kind,
    /// Kafka's default.
    pub default: &'static str,
    /// The broker key that supplies this config's default in Kaskade (`log.retention.ms` for
    /// `retention.ms`), if any.
    pub broker_key: Option<&'static str>,
    /// The broker key Kafka lists as the synonym when Kaskade takes no default from one.
    pub listed_synonym: Option<&'static str>,
    /// A short description (DescribeConfigs with `include_documentation`).
    pub doc: &'static str,
    /// Whether the broker synonym has a Kafka default DescribeConfigs lists (false where Kafka's
    /// broker default is null: `log.retention.ms`, `log.roll.ms`, `log.flush.interval.ms`).
    pub broker_default_listed: bool,
}

impl TopicConfigDef {
    /// The broker key DescribeConfigs lists as this config's synonym.
    pub fn broker_synonym(&self) -> Option<&'static str> {
        self.broker_key.or(self.listed_synonym)
    }

    /// Whether `key` names this config, as a topic key or as its broker synonym.
    pub fn named(&self, key: &str) -> bool {
        self.key == key || self.broker_synonym() == Some(key)
    }
}

/// The definition of a topic config, by its topic key.
pub fn topic_config(key: &str) -> Option<&'static TopicConfigDef> {
    TOPIC_CONFIGS.iter().find(|d| d.key == key)
}

/// The topic config whose default (or listed synonym) a broker key is (`log.retention.ms` →
/// `retention.ms`).
pub fn topic_config_of_broker_key(broker_key: &str) -> Option<&'static TopicConfigDef> {
    TOPIC_CONFIGS.iter().find(|d| d.broker_synonym() == Some(broker_key))
}

const fn def(key: &'static str, kind: Kind, default: &'static str, broker_key: Option<&'static str>, doc: &'static str) -> TopicConfigDef {
    TopicConfigDef {
        key,
        kind,
        default,
        broker_key,
        listed_synonym: None,
        doc,
        broker_default_listed: true,
    }
}

/// `def` for a config whose default no broker key supplies, with the synonym Kafka lists.
const fn listed(key: &'static str, kind: Kind, default: &'static str, synonym: &'static str, doc: &'static str) -> TopicConfigDef {
    TopicConfigDef {
        key,
        kind,
        default,
        broker_key: None,
        listed_synonym: Some(synonym),
        doc,
        broker_default_listed: true,
    }
}

impl TopicConfigDef {
    /// The broker synonym's Kafka default is null, so DescribeConfigs lists no default for it.
    const fn null_broker_default(self) -> TopicConfigDef {
        TopicConfigDef {
            broker_default_listed: false,
            ..self
        }
    }
}

/// Every topic-level config Kafka 4.4 defines.
pub const TOPIC_CONFIGS: &[TopicConfigDef] = &[
    def(
        "cleanup.policy",
        Kind::List(&["compact", "delete"]),
        "delete",
        Some("log.cleanup.policy"),
        "The retention policy for old log segments: \"delete\" discards them by time or size, \"compact\" keeps the latest record per key.",
    ),
    def(
        "compression.type",
        Kind::Choice(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
        "producer",
        Some("compression.type"),
        "The final compression type of the topic's data; \"producer\" keeps the codec the producer used.",
    ),
    listed(
        "compression.gzip.level",
        Kind::Int { min: -1 },
        "-1",
        "compression.gzip.level",
        "The compression level to use if compression.type is gzip.",
    ),
    listed(
        "compression.lz4.level",
        Kind::Int { min: 1 },
        "9",
        "compression.lz4.level",
        "The compression level to use if compression.type is lz4.",
    ),
    listed(
        "compression.zstd.level",
        Kind::Int { min: -131072 },
        "3",
        "compression.zstd.level",
        "The compression level to use if compression.type is zstd.",
    ),
    def(
        "delete.retention.ms",
        Kind::Long { min: 0 },
        "86400000",
        Some("log.cleaner.delete.retention.ms"),
        "How long delete tombstones are retained on compacted topics.",
    ),
    def(
        "errors.deadletterqueue.group.enable",
        Kind::Bool,
        "false",
        None,
        "Whether share groups may use this topic as a dead letter queue.",
    ),
    listed(
        "file.delete.delay.ms",
        Kind::Long { min: 0 },
        "60000",
        "log.segment.delete.delay.ms",
        "How long to wait before deleting a file from the filesystem.",
    ),
    def(
        "flush.messages",
        Kind::Long { min: 1 },
        "9223372036854775807",
        Some("log.flush.interval.messages"),
        "Force an fsync of the log after this many messages.",
    ),
    def(
        "flush.ms",
        Kind::Long { min: 0 },
        "9223372036854775807",
        Some("log.flush.interval.ms"),
        "Force an fsync of the log when unflushed data is this old (ms).",
    )
    .null_broker_default(),
    def(
        "follower.replication.throttled.replicas",
        Kind::FreeList,
        "",
        None,
        "Replicas whose log replication is throttled on the follower side.",
    ),
    def(
        "index.interval.bytes",
        Kind::Int { min: 0 },
        "4096",
        Some("log.index.interval.bytes"),
        "How often (in bytes) an entry is added to the offset index.",
    ),
    def(
        "leader.replication.throttled.replicas",
        Kind::FreeList,
        "",
        None,
        "Replicas whose log replication is throttled on the leader side.",
    ),
    listed(
        "local.retention.bytes",
        Kind::Long { min: -2 },
        "-2",
        "log.local.retention.bytes",
        "Maximum size of local log segments before deletion (tiered storage).",
    ),
    listed(
        "local.retention.ms",
        Kind::Long { min: -2 },
        "-2",
        "log.local.retention.ms",
        "How long local log segments are kept before deletion (tiered storage).",
    ),
    def(
        "max.compaction.lag.ms",
        Kind::Long { min: 1 },
        "9223372036854775807",
        Some("log.cleaner.max.compaction.lag.ms"),
        "The maximum time a message remains ineligible for compaction.",
    ),
    listed(
        "max.decompressed.message.bytes",
        Kind::Int { min: 1 },
        "2147483639",
        "max.decompressed.message.bytes",
        "The largest decompressed record batch size allowed.",
    ),
    def(
        "max.message.bytes",
        Kind::Int { min: 0 },
        "1048588",
        Some("message.max.bytes"),
        "The largest record batch size allowed (after compression).",
    ),
    def(
        "message.timestamp.after.max.ms",
        Kind::Long { min: 0 },
        "3600000",
        Some("log.message.timestamp.after.max.ms"),
        "The largest allowed difference between a message's timestamp and the broker's, for timestamps in the future.",
    ),
    def(
        "message.timestamp.before.max.ms",
        Kind::Long { min: 0 },
        "9223372036854775807",
        Some("log.message.timestamp.before.max.ms"),
        "The largest allowed difference between the broker's timestamp and a message's, for timestamps in the past.",
    ),
    def(
        "message.timestamp.type",
        Kind::Choice(&["CreateTime", "LogAppendTime"]),
        "CreateTime",
        Some("log.message.timestamp.type"),
        "Whether message timestamps are CreateTime or LogAppendTime.",
    ),
    def(
        "min.cleanable.dirty.ratio",
        Kind::Double { min: 0.0, max: 1.0 },
        "0.5",
        Some("log.cleaner.min.cleanable.ratio"),
        "How dirty a compacted log must be before the cleaner cleans it.",
    ),
    def(
        "min.compaction.lag.ms",
        Kind::Long { min: 0 },
        "0",
        Some("log.cleaner.min.compaction.lag.ms"),
        "The minimum time a message remains uncompacted.",
    ),
    def(
        "min.insync.replicas",
        Kind::Int { min: 1 },
        "1",
        Some("min.insync.replicas"),
        "The minimum number of in-sync replicas that must acknowledge an acks=all write.",
    ),
    def(
        "preallocate",
        Kind::Bool,
        "false",
        Some("log.preallocate"),
        "Whether to preallocate the file when creating a new segment.",
    ),
    listed(
        "remote.copy.lag.bytes",
        Kind::Long { min: -1 },
        "-1",
        "log.remote.copy.lag.bytes",
        "Bytes of local data waiting to be copied to remote storage before copying is forced.",
    ),
    listed(
        "remote.copy.lag.ms",
        Kind::Long { min: -1 },
        "0",
        "log.remote.copy.lag.ms",
        "Time local data waits before it is copied to remote storage.",
    ),
    def(
        "remote.storage.enable",
        Kind::Bool,
        "false",
        None,
        "Whether tiered storage is enabled for the topic.",
    ),
    def(
        "remote.log.copy.disable",
        Kind::Bool,
        "false",
        None,
        "Whether copying to remote storage is disabled for the topic.",
    ),
    def(
        "remote.log.delete.on.disable",
        Kind::Bool,
        "false",
        None,
        "Whether remote data is deleted when tiered storage is disabled.",
    ),
    def(
        "retention.bytes",
        Kind::Long { min: i64::MIN },
        "-1",
        Some("log.retention.bytes"),
        "The maximum size a partition's log may grow to before old segments are discarded.",
    ),
    def(
        "retention.ms",
        Kind::Long { min: -1 },
        "604800000",
        Some("log.retention.ms"),
        "How long a log is retained before old segments are discarded (ms); -1 keeps it forever.",
    )
    .null_broker_default(),
    def(
        "segment.bytes",
        Kind::Int { min: 1024 * 1024 },
        "1073741824",
        Some("log.segment.bytes"),
        "The segment file size of the log.",
    ),
    listed(
        "segment.index.bytes",
        Kind::Int { min: 4 },
        "10485760",
        "log.index.size.max.bytes",
        "The size of the index that maps offsets to file positions.",
    ),
    def(
        "segment.jitter.ms",
        Kind::Long { min: 0 },
        "0",
        None,
        "The maximum random jitter subtracted from the segment roll time.",
    ),
    def(
        "segment.ms",
        Kind::Long { min: 1 },
        "604800000",
        Some("log.roll.ms"),
        "The time after which the active segment is rolled even if it is not full (ms).",
    )
    .null_broker_default(),
    def(
        "unclean.leader.election.enable",
        Kind::Bool,
        "false",
        Some("unclean.leader.election.enable"),
        "Whether replicas outside the ISR may be elected leader as a last resort.",
    ),
];
