//! `kaskade configs` (≈ `kafka-configs.sh`, Kafka's `org.apache.kafka.tools.ConfigCommand`):
//! describe (`--describe`, `--all`) and change (`--alter --add-config`, `--add-config-file`,
//! `--delete-config`) the configs of topics and brokers, with Kafka's flags and output.
//!
//! Kafka's tool fails in three ways, all exit 1 with stderr only: a usage error (message and
//! options), a bad argument (the message alone), and a failed request
//! (`Error while executing config command with args '...'` and the exception under it).
//!
//! Files: `args` (flags and Kafka's checks), `describe`, `alter`.

mod alter;
mod args;
mod describe;

pub use args::ConfigsArgs;
use kaskade_client::{AdminError, ClusterMetadata, KafkaAdmin};

use super::exit::{ToolError, ToolResult};
use super::{admin, kafka_errors};

/// Why a configs command failed once its flags were accepted.
#[derive(Debug)]
pub enum Failure {
    /// A bad argument: Kafka prints the message alone.
    Argument(String),
    /// A failed request (or a file that cannot be read): Kafka prints the command line, then
    /// the exception.
    Command(String),
}

impl From<AdminError> for Failure {
    fn from(e: AdminError) -> Failure {
        Failure::Command(kafka_errors::exception(&e))
    }
}

/// The entity types `kaskade configs` handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityType {
    Topics,
    Brokers,
}

impl EntityType {
    fn parse(name: &str) -> Result<EntityType, Failure> {
        match name {
            "topics" => Ok(EntityType::Topics),
            "brokers" => Ok(EntityType::Brokers),
            other => Err(Failure::Argument(format!(
                "kaskade configs does not support entity type '{other}': only topics and brokers"
            ))),
        }
    }

    /// `topic`, `broker`: Kafka drops the plural's `s`.
    fn singular(self) -> &'static str {
        match self {
            EntityType::Topics => "topic",
            EntityType::Brokers => "broker",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            EntityType::Topics => "topics",
            EntityType::Brokers => "brokers",
        }
    }
}

/// Kafka's `Topic.validate`, with its messages (the broker's own check).
fn validate_topic(name: &str) -> Result<(), Failure> {
    kaskade_common::topic_name::validate_name(name).map_err(Failure::Argument)
}

/// A client for the broker whose configs are asked or changed: Kafka sends a broker's own
/// configs to that broker, the cluster's defaults (empty name) to any.
fn broker_client(admin: &KafkaAdmin, metadata: &ClusterMetadata, id: &str) -> Result<KafkaAdmin, Failure> {
    if id.is_empty() {
        return Ok(admin.clone());
    }
    let node = metadata
        .brokers
        .iter()
        .find(|b| b.node_id.to_string() == id)
        .ok_or_else(|| Failure::Command(format!("broker {id} is not among the cluster's live brokers")))?;
    Ok(admin.at(&node.address()))
}

pub async fn run(args: ConfigsArgs) -> ToolResult {
    let entities = args.check()?;
    if args.bootstrap_controller.is_some() {
        return Err(ToolError::new(
            "--bootstrap-controller is not supported by kaskade configs: use --bootstrap-server",
        ));
    }
    let mut out = String::new();
    let result = execute(&args, &entities, &mut out).await;
    crate::exit::print(&out);
    result.map_err(|failure| match failure {
        Failure::Argument(message) => ToolError::new(message),
        Failure::Command(detail) => {
            // Kafka echoes its arguments: everything after `kaskade configs`.
            let argv: Vec<String> = std::env::args().skip(2).collect();
            ToolError::new(format!(
                "Error while executing config command with args '{}'\n{detail}",
                argv.join(" ")
            ))
        }
    })
}

async fn execute(args: &ConfigsArgs, entities: &args::Entities, out: &mut String) -> Result<(), Failure> {
    let kind = EntityType::parse(&entities.types[0])?;
    let config = crate::props::load_optional(args.command_config.as_deref()).map_err(|e| Failure::Command(e.to_string()))?;
    let admin =
        admin::client(args.bootstrap_server.as_deref().unwrap_or_default(), &config).map_err(|e| Failure::Argument(e.to_string()))?;
    if args.alter {
        alter::alter(&admin, args, kind, &entities.names[0], out).await
    } else {
        describe::describe(&admin, kind, entities.names.first().map(String::as_str), args.all, out).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_as_kafka_validates_them() {
        let msg = |n: &str| match validate_topic(n) {
            Err(Failure::Argument(m)) => m,
            _ => String::new(),
        };
        assert_eq!(
            msg("x*"),
            "Topic name is invalid: 'x*' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
        );
        assert_eq!(msg(""), "Topic name is invalid: the empty string is not allowed");
        assert_eq!(msg(".."), "Topic name is invalid: '..' is not allowed");
        assert!(validate_topic("a.b_c-1").is_ok());
        // Java counts UTF-16 units: 125 two-byte characters are not too long, only illegal.
        assert!(msg(&"é".repeat(125)).ends_with("contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"));
    }
}
