//! `kaskade topics` (≈ `kafka-topics.sh`, Kafka's `org.apache.kafka.tools.TopicCommand`):
//! create, list, describe, alter (partitions) and delete topics with Kafka's flags and output.
//!
//! As Kafka's tool does, it fails in two ways: a bad command line is a usage error (message and
//! options on stderr, exit 1); once the command runs, any failure prints
//! `Error while executing topic command : MESSAGE` on stdout and exits 1, with the error again on
//! stderr (Kafka logs it there). `--list` is one Metadata request after the connection's
//! ApiVersions, nothing more.
//!
//! Files: `args` (flags and Kafka's checks), `select` (which topics `--topic` names),
//! `describe`, `change` (create, alter, delete).

mod args;
mod change;
mod describe;
mod select;

use std::fmt::Write as _;

use args::Action;
pub use args::TopicsArgs;
use kaskade_client::{AdminError, KafkaAdmin};

use super::exit::{ToolError, ToolResult};
use super::{admin, kafka_errors};

/// A command that failed after it started: `message` is what Kafka prints after
/// `Error while executing topic command : `, `detail` the line logged on stderr.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub detail: String,
}

impl Failure {
    /// A failure of the tool's own (bad flag value, topic not found).
    pub fn plain(message: impl Into<String>) -> Failure {
        let message = message.into();
        Failure {
            detail: message.clone(),
            message,
        }
    }
}

impl From<AdminError> for Failure {
    fn from(e: AdminError) -> Failure {
        Failure {
            message: kafka_errors::message(&e),
            detail: kafka_errors::exception(&e),
        }
    }
}

/// A number flag, converted when the command runs as joptsimple converts it.
fn parse_int(text: &str, option: &str) -> Result<i32, Failure> {
    text.parse::<i32>()
        .map_err(|_| Failure::plain(format!("Cannot parse argument '{text}' of option {option}")))
}

pub async fn run(args: TopicsArgs) -> ToolResult {
    let mut out = String::new();
    let action = match args.check(&mut out) {
        Ok(action) => action,
        Err(e) => {
            crate::exit::print(&out);
            return Err(e);
        }
    };
    let config = crate::props::load_optional(args.command_config.as_deref())?;
    let admin = admin::client(args.bootstrap_server.as_deref().unwrap_or_default(), &config)?;
    let result = execute(&admin, &args, action, &mut out).await;
    if let Err(failure) = &result {
        let _ = writeln!(out, "Error while executing topic command : {}", failure.message);
    }
    crate::exit::print(&out);
    result.map_err(|failure| ToolError::new(format!("ERROR {}", failure.detail)))
}

async fn execute(admin: &KafkaAdmin, args: &TopicsArgs, action: Action, out: &mut String) -> Result<(), Failure> {
    match action {
        Action::Create => change::create(admin, args, out).await,
        Action::Alter => change::alter(admin, args).await,
        Action::Delete => change::delete(admin, args).await,
        Action::Describe => describe::describe(admin, args, out).await,
        Action::List => {
            let metadata = admin.metadata().await?;
            let topics = select::topics(&metadata, args.topic.as_deref(), args.exclude_internal)?;
            let names: Vec<&str> = topics.iter().map(|t| t.name.as_str()).collect();
            // Kafka prints the names joined by newlines with println: an empty list is one
            // empty line.
            let _ = writeln!(out, "{}", names.join("\n"));
            Ok(())
        }
    }
}
