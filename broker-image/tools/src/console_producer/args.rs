//! `kaskade console-producer`'s flags: Kafka 4.4's `ConsoleProducer` options with the same long
//! names, defaults and checks (`Missing required argument "[topic]"`, the deprecated/new option
//! pairs that cannot be combined), and how they become the Java producer properties Kafka's tool
//! would build: a flag given on the command line wins over the same property from
//! `--command-config`/`--command-property`; a flag's default applies only when the properties do
//! not set it; `compression.type` always comes from `--compression-codec` (none without it).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::exit::ToolError;
use crate::props::{self, Props};

/// Kafka's `LineMessageReader`, the only reader there is here.
pub const LINE_READER: &str = "org.apache.kafka.tools.LineMessageReader";

#[derive(Args, Debug)]
#[command(about = "This tool helps to read data from standard input and publish it to Kafka.")]
pub struct ConsoleProducerArgs {
    /// REQUIRED: The server(s) to connect to. The broker list string in the form HOST1:PORT1,HOST2:PORT2.
    #[arg(long = "bootstrap-server", value_name = "server to connect to")]
    pub bootstrap_server: Option<String>,
    /// Removed in Kafka 4.0; still accepted here: --bootstrap-server wins when both are given.
    #[arg(long = "broker-list", hide = true)]
    pub broker_list: Option<String>,
    /// REQUIRED: The topic name to produce messages to.
    #[arg(long, value_name = "topic")]
    pub topic: Option<String>,
    /// If set message send requests to the brokers are synchronously, one at a time as they arrive.
    #[arg(long)]
    pub sync: bool,
    /// The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'. If specified without value, then it defaults to 'gzip'
    #[arg(long = "compression-codec", value_name = "compression-codec", num_args = 0..=1, default_missing_value = "gzip")]
    pub compression_codec: Option<String>,
    /// The buffer size in bytes allocated for a partition (batch.size). (default: 16384)
    #[arg(long = "batch-size", value_name = "size", allow_negative_numbers = true)]
    pub batch_size: Option<i32>,
    /// The number of retries before the producer gives up and drops a message (retries). (default: 3)
    #[arg(long = "message-send-max-retries", allow_negative_numbers = true)]
    pub message_send_max_retries: Option<i32>,
    /// The time the producer waits before refreshing metadata and retrying (retry.backoff.ms). (default: 100)
    #[arg(long = "retry-backoff-ms", allow_negative_numbers = true)]
    pub retry_backoff_ms: Option<i64>,
    /// The maximum time a message waits for a batch to fill, in ms (linger.ms). (default: 1000)
    #[arg(long = "timeout", value_name = "timeout_ms", allow_negative_numbers = true)]
    pub timeout: Option<i64>,
    /// The required `acks` of the producer requests (default: -1)
    #[arg(long = "request-required-acks", value_name = "request required acks", allow_hyphen_values = true)]
    pub request_required_acks: Option<String>,
    /// The ack timeout of the producer requests. Value must be non-negative and non-zero. (default: 1500)
    #[arg(long = "request-timeout-ms", value_name = "request timeout ms", allow_negative_numbers = true)]
    pub request_timeout_ms: Option<i32>,
    /// The period after which metadata is refreshed (metadata.max.age.ms). (default: 300000)
    #[arg(
        long = "metadata-expiry-ms",
        value_name = "metadata expiration interval",
        allow_negative_numbers = true
    )]
    pub metadata_expiry_ms: Option<i64>,
    /// The max time that the producer will block for during a send request. (default: 60000)
    #[arg(long = "max-block-ms", value_name = "max block on send", allow_negative_numbers = true)]
    pub max_block_ms: Option<i64>,
    /// The total memory used by the producer to buffer records (buffer.memory). (default: 33554432)
    #[arg(long = "max-memory-bytes", value_name = "total memory in bytes", allow_negative_numbers = true)]
    pub max_memory_bytes: Option<i64>,
    /// (Deprecated) The buffer size in bytes allocated for a partition; use --batch-size. (default: 16384)
    #[arg(
        long = "max-partition-memory-bytes",
        value_name = "memory in bytes per partition",
        allow_negative_numbers = true
    )]
    pub max_partition_memory_bytes: Option<i32>,
    /// The class name of the class to use for reading lines from standard in. (default: org.apache.kafka.tools.LineMessageReader)
    #[arg(long = "line-reader", value_name = "reader_class")]
    pub line_reader: Option<String>,
    /// The size of the tcp RECV size (send.buffer.bytes). (default: 102400)
    #[arg(long = "socket-buffer-size", value_name = "size", allow_negative_numbers = true)]
    pub socket_buffer_size: Option<i32>,
    /// (DEPRECATED) Message reader properties in the form key=value; use --reader-property.
    #[arg(long = "property", value_name = "prop")]
    pub property: Vec<String>,
    /// Message reader properties in the form key=value: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, ignore.error, null.marker.
    #[arg(long = "reader-property", value_name = "prop")]
    pub reader_property: Vec<String>,
    /// Config properties file for the message reader. Note that [reader-property] takes precedence over this config.
    #[arg(long = "reader-config", value_name = "config file")]
    pub reader_config: Option<PathBuf>,
    /// (DEPRECATED) Producer config properties in the form key=value; use --command-property.
    #[arg(long = "producer-property", value_name = "producer_prop")]
    pub producer_property: Vec<String>,
    /// Producer config properties in the form key=value.
    #[arg(long = "command-property", value_name = "producer_prop")]
    pub command_property: Vec<String>,
    /// (DEPRECATED) Producer config properties file; use --command-config.
    #[arg(long = "producer.config", value_name = "config file")]
    pub producer_config: Option<PathBuf>,
    /// Producer config properties file. Note that [command-property] takes precedence over this config.
    #[arg(long = "command-config", value_name = "config file")]
    pub command_config: Option<PathBuf>,
    /// Display the Kaskade version.
    #[arg(long)]
    pub version: bool,
}

/// Everything the producer needs, checked.
#[derive(Debug)]
pub struct ProducerOptions {
    pub bootstrap: String,
    pub topic: String,
    pub sync: bool,
    /// Java producer properties, as Kafka's ConsoleProducer builds them.
    pub producer: Props,
    /// LineMessageReader properties.
    pub reader: Props,
    pub max_block: Duration,
}

impl ConsoleProducerArgs {
    /// Kafka's checks, in Kafka's order and words; deprecation warnings go to `warn`.
    pub fn options(self, warn: &mut dyn FnMut(String)) -> Result<ProducerOptions, ToolError> {
        let topic = self.topic.clone().ok_or_else(|| missing("topic"))?;
        let bootstrap = self
            .bootstrap_server
            .clone()
            .or_else(|| self.broker_list.clone())
            .ok_or_else(|| missing("bootstrap-server"))?;
        if self.command_config.is_some() && self.producer_config.is_some() {
            return Err(ToolError::new(
                "Options --command-config and --producer.config cannot be specified together.",
            ));
        }
        if !self.command_property.is_empty() && !self.producer_property.is_empty() {
            return Err(ToolError::new(
                "Options --command-property and --producer-property cannot be specified together.",
            ));
        }
        if !self.reader_property.is_empty() && !self.property.is_empty() {
            return Err(ToolError::new(
                "Options --reader-property and --property cannot be specified together.",
            ));
        }
        if !self.producer_property.is_empty() {
            warn(
                "Warning: --producer-property is deprecated and will be removed in a future version. Use --command-property instead."
                    .into(),
            );
        }
        if self.producer_config.is_some() {
            warn("Warning: --producer.config is deprecated and will be removed in a future version. Use --command-config instead.".into());
        }
        if !self.property.is_empty() {
            warn("Warning: --property is deprecated and will be removed in a future version. Use --reader-property instead.".into());
        }
        if self.max_partition_memory_bytes.is_some() {
            warn(
                "Warning: --max-partition-memory-bytes is deprecated and will be removed in Apache Kafka 5.0. Use --batch-size instead."
                    .into(),
            );
        }
        if let Some(reader) = &self.line_reader {
            if reader != LINE_READER {
                return Err(ToolError::new(format!(
                    "--line-reader {reader} is not supported: kaskade console-producer reads lines with {LINE_READER} only"
                )));
            }
        }
        let producer = self.producer_props(&bootstrap)?;
        let max_block_ms = producer.get("max.block.ms").map(String::as_str).unwrap_or("60000");
        let max_block_ms: u64 = max_block_ms.trim().parse().map_err(|_| {
            ToolError::new(format!(
                "Invalid value {max_block_ms} for configuration max.block.ms: Not a number of type LONG"
            ))
        })?;
        let mut reader = props::load_optional(self.reader_config.as_deref())?;
        reader.extend(props::key_value_args(&[self.property, self.reader_property].concat()));
        reader.insert("topic".into(), topic.clone());
        Ok(ProducerOptions {
            bootstrap,
            topic,
            sync: self.sync,
            producer,
            reader,
            max_block: Duration::from_millis(max_block_ms),
        })
    }

    /// Kafka's `ConsoleProducerOptions.producerProps()`.
    fn producer_props(&self, bootstrap: &str) -> Result<Props, ToolError> {
        let mut p = props::load_optional(self.command_config.as_ref().or(self.producer_config.as_ref()).map(PathBuf::as_path))?;
        p.extend(props::key_value_args(
            &[self.command_property.clone(), self.producer_property.clone()].concat(),
        ));
        p.insert("bootstrap.servers".into(), bootstrap.to_string());
        let codec = match self.compression_codec.as_deref() {
            None => "none",
            Some("") => "gzip",
            Some(c) => c,
        };
        if !["none", "gzip", "snappy", "lz4", "zstd"].contains(&codec) {
            return Err(ToolError::new(format!(
                "Invalid value {codec} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd"
            )));
        }
        p.insert("compression.type".into(), codec.to_string());
        p.entry("client.id".into()).or_insert_with(|| "console-producer".into());
        merge(&mut p, "linger.ms", self.timeout, 1000);
        merge(&mut p, "acks", self.request_required_acks.clone(), "-1".to_string());
        merge(&mut p, "request.timeout.ms", self.request_timeout_ms, 1500);
        merge(&mut p, "retries", self.message_send_max_retries, 3);
        merge(&mut p, "retry.backoff.ms", self.retry_backoff_ms, 100);
        merge(&mut p, "send.buffer.bytes", self.socket_buffer_size, 102_400);
        merge(&mut p, "buffer.memory", self.max_memory_bytes, 32 * 1024 * 1024);
        merge(&mut p, "batch.size", self.batch_size, 16 * 1024);
        if let Some(size) = self.max_partition_memory_bytes {
            p.insert("batch.size".into(), size.to_string());
        }
        merge(&mut p, "metadata.max.age.ms", self.metadata_expiry_ms, 5 * 60 * 1000);
        merge(&mut p, "max.block.ms", self.max_block_ms, 60 * 1000);
        if let Some(acks) = p.get("acks") {
            if !["all", "-1", "0", "1"].contains(&acks.trim()) {
                return Err(ToolError::new(format!(
                    "Invalid value {acks} for configuration acks: String must be one of: all, -1, 0, 1"
                )));
            }
        }
        Ok(p)
    }
}

/// Kafka's `CommandLineUtils.maybeMergeOptions`: the flag when given, else the property when
/// set, else the flag's default.
fn merge<T: ToString>(props: &mut Props, key: &str, flag: Option<T>, default: T) {
    match flag {
        Some(v) => {
            props.insert(key.into(), v.to_string());
        }
        None => {
            props.entry(key.into()).or_insert_with(|| default.to_string());
        }
    }
}

fn missing(name: &str) -> ToolError {
    ToolError::new(format!("Missing required argument \"[{name}]\""))
}
