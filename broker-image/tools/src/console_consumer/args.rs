//! `kaskade console-consumer`'s flags: Kafka 4.4's `ConsoleConsumerOptions` with the same long
//! names, defaults, checks and messages, and the consumer and formatter properties they make:
//! `auto.offset.reset` from `--from-beginning`, `client.id=console-consumer`, and without a group
//! a random `console-consumer-NNNNN` group with auto-commit off unless set.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::exit::ToolError;
use crate::props::{self, Props};

pub const DEFAULT_FORMATTER: &str = "org.apache.kafka.tools.consumer.DefaultMessageFormatter";

#[derive(Args, Debug)]
#[command(about = "This tool helps to read data from Kafka topics and outputs it to standard output.")]
pub struct ConsoleConsumerArgs {
    /// REQUIRED: The server(s) to connect to.
    #[arg(long = "bootstrap-server", value_name = "server to connect to")]
    pub bootstrap_server: Option<String>,
    /// The topic to consume from.
    #[arg(long, value_name = "topic")]
    pub topic: Option<String>,
    /// Regular expression specifying list of topics to include for consumption (POSIX extended syntax, matched against the whole name).
    #[arg(long, value_name = "Java regex (String)", alias = "whitelist")]
    pub include: Option<String>,
    /// The partition to consume from. Consumption starts from the end of the partition unless '--offset' is specified.
    #[arg(long, value_name = "partition", allow_negative_numbers = true)]
    pub partition: Option<i32>,
    /// The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end (default: latest)
    #[arg(long, value_name = "consume offset", allow_hyphen_values = true)]
    pub offset: Option<String>,
    /// (DEPRECATED) Consumer config properties in the form key=value; use --command-property.
    #[arg(long = "consumer-property", value_name = "consumer_prop")]
    pub consumer_property: Vec<String>,
    /// Consumer config properties in the form key=value.
    #[arg(long = "command-property", value_name = "consumer_prop")]
    pub command_property: Vec<String>,
    /// (DEPRECATED) Consumer config properties file; use --command-config.
    #[arg(long = "consumer.config", value_name = "config file")]
    pub consumer_config: Option<PathBuf>,
    /// Consumer config properties file. Note that [command-property] takes precedence over this config.
    #[arg(long = "command-config", value_name = "config file")]
    pub command_config: Option<PathBuf>,
    /// The name of a class to use for formatting kafka messages for display. (default: org.apache.kafka.tools.consumer.DefaultMessageFormatter, the only one here)
    #[arg(long, value_name = "class")]
    pub formatter: Option<String>,
    /// (DEPRECATED) The properties to initialize the message formatter; use --formatter-property.
    #[arg(long, value_name = "prop")]
    pub property: Vec<String>,
    /// The properties to initialize the message formatter: print.timestamp, print.key, print.offset, print.epoch, print.partition, print.headers, print.value (true|false), key.separator, line.separator, headers.separator, null.literal, key.deserializer, value.deserializer, headers.deserializer.
    #[arg(long = "formatter-property", value_name = "prop")]
    pub formatter_property: Vec<String>,
    /// Config properties file to initialize the message formatter. Note that [formatter-property] takes precedence over this config.
    #[arg(long = "formatter-config", value_name = "config file")]
    pub formatter_config: Option<PathBuf>,
    /// If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message.
    #[arg(long = "from-beginning")]
    pub from_beginning: bool,
    /// The maximum number of messages to consume before exiting. If not set, consumption is continual.
    #[arg(long = "max-messages", value_name = "num_messages", allow_negative_numbers = true)]
    pub max_messages: Option<i32>,
    /// If specified, exit if no message is available for consumption for the specified interval.
    #[arg(long = "timeout-ms", value_name = "timeout_ms", allow_negative_numbers = true)]
    pub timeout_ms: Option<i64>,
    /// If there is an error when processing a message, skip it instead of halt.
    #[arg(long = "skip-message-on-error")]
    pub skip_message_on_error: bool,
    /// The name of the class to use for deserializing keys.
    #[arg(long = "key-deserializer", value_name = "deserializer for keys")]
    pub key_deserializer: Option<String>,
    /// The name of the class to use for deserializing values.
    #[arg(long = "value-deserializer", value_name = "deserializer for values")]
    pub value_deserializer: Option<String>,
    /// Log lifecycle events of the consumer in addition to logging consumed messages. (This is specific for system tests.)
    #[arg(long = "enable-systest-events")]
    pub enable_systest_events: bool,
    /// Set to read_committed in order to filter out transactional messages which are not committed. Set to read_uncommitted to read all messages. (default: read_uncommitted)
    #[arg(long = "isolation-level")]
    pub isolation_level: Option<String>,
    /// The consumer group id of the consumer.
    #[arg(long, value_name = "consumer group id")]
    pub group: Option<String>,
    /// Display the Kaskade version.
    #[arg(long)]
    pub version: bool,
}

/// Where consumption starts with `--partition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartOffset {
    Earliest,
    Latest,
    At(i64),
}

/// What to read: one topic by subscription, a regex subscription, or one partition by assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Topic(String),
    Include(String),
    Partition { topic: String, partition: i32, start: StartOffset },
}

/// Everything the consumer needs, checked.
#[derive(Debug)]
pub struct ConsumerOptions {
    pub bootstrap: String,
    pub source: Source,
    /// Java consumer properties, as Kafka's ConsoleConsumer builds them.
    pub consumer: Props,
    /// DefaultMessageFormatter properties.
    pub formatter: Props,
    /// -1: no limit.
    pub max_messages: i64,
    pub idle_timeout: Option<Duration>,
    pub skip_message_on_error: bool,
    pub systest_events: bool,
}

impl ConsoleConsumerArgs {
    /// Kafka's checks, in Kafka's order and words; deprecation warnings go to `warn`.
    pub fn options(self, warn: &mut dyn FnMut(String)) -> Result<ConsumerOptions, ToolError> {
        if !self.consumer_property.is_empty() && !self.command_property.is_empty() {
            return Err(ToolError::new(
                "Options --consumer-property and --command-property cannot be specified together.",
            ));
        }
        if self.consumer_config.is_some() && self.command_config.is_some() {
            return Err(ToolError::new(
                "Options --consumer.config and --command-config cannot be specified together.",
            ));
        }
        if !self.consumer_property.is_empty() {
            warn(
                "Option --consumer-property is deprecated and will be removed in a future version. Use --command-property instead.".into(),
            );
        }
        if self.consumer_config.is_some() {
            warn("Option --consumer.config is deprecated and will be removed in a future version. Use --command-config instead.".into());
        }
        if self.topic.is_some() == self.include.is_some() {
            return Err(ToolError::new(
                "Exactly one of the following arguments is required: [topic], [include]",
            ));
        }
        if self.partition.is_some() {
            if self.topic.is_none() {
                return Err(ToolError::new("The topic is required when partition is specified."));
            }
            if self.from_beginning && self.offset.is_some() {
                return Err(ToolError::new("Options from-beginning and offset cannot be specified together."));
            }
        } else if self.offset.is_some() {
            return Err(ToolError::new("The partition is required when offset is specified."));
        }
        let bootstrap = self
            .bootstrap_server
            .clone()
            .ok_or_else(|| ToolError::new("Missing required argument \"[bootstrap-server]\""))?;

        let mut from_file = props::load_optional(self.command_config.as_ref().or(self.consumer_config.as_ref()).map(PathBuf::as_path))?;
        let extra = props::key_value_args(&[self.command_property.clone(), self.consumer_property.clone()].concat());
        let group = self.check_group(&from_file, &extra)?;
        let consumer = self.consumer_props(&mut from_file, extra, group, &bootstrap)?;
        let source = match (&self.topic, &self.include, self.partition) {
            (Some(topic), _, Some(partition)) => Source::Partition {
                topic: topic.clone(),
                partition,
                start: self.start_offset()?,
            },
            (Some(topic), _, None) => Source::Topic(topic.clone()),
            (None, Some(regex), _) => Source::Include(regex.clone()),
            // Refused above, before the other checks, as Kafka orders them.
            (None, None, _) => {
                return Err(ToolError::new(
                    "Exactly one of the following arguments is required: [topic], [include]",
                ))
            }
        };
        let formatter = self.formatter_props(warn)?;
        Ok(ConsumerOptions {
            bootstrap,
            source,
            consumer,
            formatter,
            max_messages: self.max_messages.map_or(-1, i64::from),
            idle_timeout: self.timeout_ms.filter(|t| *t >= 0).map(|t| Duration::from_millis(t as u64)),
            skip_message_on_error: self.skip_message_on_error,
            systest_events: self.enable_systest_events,
        })
    }

    /// The group ids given with --group, in the properties file and as a property must agree.
    fn check_group(&self, from_file: &Props, extra: &Props) -> Result<Option<String>, ToolError> {
        let mut ids: Vec<String> = Vec::new();
        for id in [
            self.group.clone(),
            from_file.get("group.id").cloned(),
            extra.get("group.id").cloned(),
        ]
        .into_iter()
        .flatten()
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.len() > 1 {
            let list: Vec<String> = ids.iter().map(|g| format!("'{g}'")).collect();
            return Err(ToolError::new(format!(
                "The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: {}",
                list.join(", ")
            )));
        }
        if !ids.is_empty() && self.partition.is_some() {
            return Err(ToolError::new("Options group and partition cannot be specified together."));
        }
        Ok(ids.pop())
    }

    /// Kafka's `buildConsumerProps`.
    fn consumer_props(&self, from_file: &mut Props, extra: Props, group: Option<String>, bootstrap: &str) -> Result<Props, ToolError> {
        let mut p = std::mem::take(from_file);
        p.extend(extra);
        match p.get("auto.offset.reset") {
            Some(reset) if self.from_beginning && reset != "earliest" => {
                return Err(ToolError::new(format!(
                    "Can't simultaneously specify --from-beginning and 'auto.offset.reset={reset}', please remove one option"
                )));
            }
            Some(_) => {}
            None => {
                let reset = if self.from_beginning { "earliest" } else { "latest" };
                p.insert("auto.offset.reset".into(), reset.into());
            }
        }
        p.insert("bootstrap.servers".into(), bootstrap.into());
        p.entry("client.id".into()).or_insert_with(|| "console-consumer".into());
        match &self.isolation_level {
            Some(level) => {
                p.insert("isolation.level".into(), level.clone());
            }
            None => {
                p.entry("isolation.level".into()).or_insert_with(|| "read_uncommitted".into());
            }
        }
        if let Some(level) = p.get("isolation.level") {
            if level != "read_committed" && level != "read_uncommitted" {
                return Err(ToolError::new(format!(
                    "Invalid value {level} for configuration isolation.level: String must be one of: read_committed, read_uncommitted"
                )));
            }
        }
        match group {
            Some(g) => {
                p.insert("group.id".into(), g);
            }
            None => {
                p.insert("group.id".into(), format!("console-consumer-{}", random_below(100_000)));
                // Kafka: the generated group is not meant to be used again, so nothing is committed.
                p.entry("enable.auto.commit".into()).or_insert_with(|| "false".into());
            }
        }
        Ok(p)
    }

    /// Kafka's `parseOffset` (with --partition).
    fn start_offset(&self) -> Result<StartOffset, ToolError> {
        let Some(offset) = &self.offset else {
            return Ok(if self.from_beginning {
                StartOffset::Earliest
            } else {
                StartOffset::Latest
            });
        };
        match offset.to_ascii_lowercase().as_str() {
            "earliest" => Ok(StartOffset::Earliest),
            "latest" => Ok(StartOffset::Latest),
            _ => match offset.parse::<i64>() {
                Ok(n) if n >= 0 => Ok(StartOffset::At(n)),
                _ => Err(ToolError::new(format!(
                    "The provided offset value '{offset}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."
                ))),
            },
        }
    }

    /// Kafka's `formatterArgs`: the config file, then the deserializer flags, then the properties.
    fn formatter_props(&self, warn: &mut dyn FnMut(String)) -> Result<Props, ToolError> {
        if let Some(formatter) = &self.formatter {
            if formatter != DEFAULT_FORMATTER && formatter != "kafka.tools.DefaultMessageFormatter" {
                return Err(ToolError::new(format!(
                    "--formatter {formatter} is not supported: kaskade console-consumer formats records with {DEFAULT_FORMATTER} only"
                )));
            }
        }
        if !self.property.is_empty() && !self.formatter_property.is_empty() {
            return Err(ToolError::new(
                "Options --property and --formatter-property cannot be specified together.",
            ));
        }
        if !self.property.is_empty() {
            warn("Option --property is deprecated and will be removed in a future version. Use --formatter-property instead.".into());
        }
        let mut p = props::load_optional(self.formatter_config.as_deref())?;
        if let Some(d) = self.key_deserializer.as_ref().filter(|d| !d.is_empty()) {
            p.insert("key.deserializer".into(), d.clone());
        }
        if let Some(d) = self.value_deserializer.as_ref().filter(|d| !d.is_empty()) {
            p.insert("value.deserializer".into(), d.clone());
        }
        p.extend(props::key_value_args(
            &[self.property.clone(), self.formatter_property.clone()].concat(),
        ));
        Ok(p)
    }
}

/// A number in `0..n`, random enough for a throwaway group name (Kafka: `Random.nextInt`).
fn random_below(n: u64) -> u64 {
    (uuid::Uuid::new_v4().as_u128() % u128::from(n)) as u64
}
