//! Short documentation of each config key, for DescribeConfigs with `include_documentation`
//! (Kafka sends its full doc strings; a client shows them as help text).

/// The documentation of a topic or broker config key, if Kaskade knows the key.
pub fn doc(key: &str) -> Option<&'static str> {
    Some(match key {
        "cleanup.policy" | "log.cleanup.policy" => {
            "The retention policy for old log segments: \"delete\" discards them by time or size, \"compact\" keeps the latest record per key."
        }
        "compression.type" => "The final compression type of the topic's data; \"producer\" keeps the codec the producer used.",
        "compression.gzip.level" => "The compression level to use if compression.type is gzip.",
        "compression.lz4.level" => "The compression level to use if compression.type is lz4.",
        "compression.zstd.level" => "The compression level to use if compression.type is zstd.",
        "delete.retention.ms" | "log.cleaner.delete.retention.ms" => "How long delete tombstones are retained on compacted topics.",
        "errors.deadletterqueue.group.enable" => "Whether share groups may use this topic as a dead letter queue.",
        "file.delete.delay.ms" => "How long to wait before deleting a file from the filesystem.",
        "flush.messages" | "log.flush.interval.messages" => "Force an fsync of the log after this many messages.",
        "flush.ms" | "log.flush.interval.ms" => "Force an fsync of the log when unflushed data is this old (ms).",
        "follower.replication.throttled.replicas" => "Replicas whose log replication is throttled on the follower side.",
        "index.interval.bytes" | "log.index.interval.bytes" => "How often (in bytes) an entry is added to the offset index.",
        "leader.replication.throttled.replicas" => "Replicas whose log replication is throttled on the leader side.",
        "local.retention.bytes" => "Maximum size of local log segments before deletion (tiered storage).",
        "local.retention.ms" => "How long local log segments are kept before deletion (tiered storage).",
        "max.compaction.lag.ms" => "The maximum time a message remains ineligible for compaction.",
        "max.decompressed.message.bytes" => "The largest decompressed record batch size allowed.",
        "max.message.bytes" | "message.max.bytes" => "The largest record batch size allowed (after compression).",
        "message.timestamp.after.max.ms" | "log.message.timestamp.after.max.ms" => {
            "The largest allowed difference between a message's timestamp and the broker's, for timestamps in the future."
        }
        "message.timestamp.before.max.ms" | "log.message.timestamp.before.max.ms" => {
            "The largest allowed difference between the broker's timestamp and a message's, for timestamps in the past."
        }
        "message.timestamp.type" | "log.message.timestamp.type" => "Whether message timestamps are CreateTime or LogAppendTime.",
        "min.cleanable.dirty.ratio" => "How dirty a compacted log must be before the cleaner cleans it.",
        "min.compaction.lag.ms" => "The minimum time a message remains uncompacted.",
        "min.insync.replicas" => "The minimum number of in-sync replicas that must acknowledge an acks=all write.",
        "preallocate" | "log.preallocate" => "Whether to preallocate the file when creating a new segment.",
        "remote.copy.lag.bytes" => "Bytes of local data waiting to be copied to remote storage before copying is forced.",
        "remote.copy.lag.ms" => "Time local data waits before it is copied to remote storage.",
        "remote.storage.enable" => "Whether tiered storage is enabled for the topic.",
        "remote.log.copy.disable" => "Whether copying to remote storage is disabled for the topic.",
        "remote.log.delete.on.disable" => "Whether remote data is deleted when tiered storage is disabled.",
        "retention.bytes" | "log.retention.bytes" => "The maximum size a partition's log may grow to before old segments are discarded.",
        "retention.ms" | "log.retention.ms" => "How long a log is retained before old segments are discarded (ms); -1 keeps it forever.",
        "log.retention.minutes" => "How long a log is retained (minutes); log.retention.ms takes precedence.",
        "log.retention.hours" => "How long a log is retained (hours); log.retention.minutes and .ms take precedence.",
        "segment.bytes" | "log.segment.bytes" => "The segment file size of the log.",
        "segment.index.bytes" | "log.index.size.max.bytes" => "The size of the index that maps offsets to file positions.",
        "segment.jitter.ms" => "The maximum random jitter subtracted from the segment roll time.",
        "segment.ms" | "log.roll.ms" => "The time after which the active segment is rolled even if it is not full (ms).",
        "log.roll.hours" => "The time after which the active segment is rolled (hours); log.roll.ms takes precedence.",
        "unclean.leader.election.enable" => "Whether replicas outside the ISR may be elected leader as a last resort.",
        "advertised.listeners" => "The listeners this broker publishes for clients to use.",
        "auto.create.topics.enable" => "Whether a topic is created automatically when a client asks for it.",
        "controller.listener.names" => "The names of the listeners used by the controller.",
        "controller.quorum.voters" => "The voters of the metadata quorum, as id@host:port.",
        "default.replication.factor" => "The replication factor of automatically created topics.",
        "listeners" => "The addresses the broker listens on.",
        "log.dirs" => "The directories in which the log data is kept.",
        "log.retention.check.interval.ms" => "How often the retention policy is checked (ms).",
        "node.id" => "The node id of this server.",
        "num.partitions" => "The default number of partitions of a new topic.",
        "socket.request.max.bytes" => "The largest request the broker accepts.",
        _ => return None,
    })
}
