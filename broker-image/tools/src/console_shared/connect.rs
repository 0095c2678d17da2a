//! The bounded start of a console tool: wait until a broker answers Metadata for the topic the
//! tool works on. Kafka's Java tools retry forever (the consumer) or for `max.block.ms` (the
//! producer) while logging warnings; these tools say what is wrong and exit instead — at once when
//! every bootstrap broker refused the connection, after a second of UNKNOWN_TOPIC_OR_PARTITION
//! answers for a topic that does not exist, or when the time allowed is up.

use std::time::{Duration, Instant};

use rdkafka::client::Client;
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::ClientContext;

use super::context::ToolContext;
use crate::exit::ToolError;

/// How long UNKNOWN_TOPIC_OR_PARTITION must persist before the topic counts as missing (a topic
/// just created elsewhere may take a moment to show up in every broker's metadata).
const UNKNOWN_TOPIC_GRACE: Duration = Duration::from_secs(1);

/// The error of a wait that `pump` ended.
pub const INTERRUPTED: &str = "interrupted";

/// Waits for Metadata from a broker of `bootstrap`; with `topic`, until it lists the topic
/// without error, and returns its partition ids. `pump` runs between attempts: a consumer
/// polls there, since its error events (all brokers down) arrive through its poll; it returns
/// true to give up (a signal came), which ends the wait with [`INTERRUPTED`].
pub fn wait_for_metadata<C: ClientContext>(
    client: &Client<C>,
    ctx: &ToolContext,
    bootstrap: &str,
    topic: Option<&str>,
    timeout: Duration,
    pump: &mut dyn FnMut() -> bool,
) -> Result<Vec<i32>, ToolError> {
    let start = Instant::now();
    let deadline = start + timeout;
    let mut unknown_since: Option<Instant> = None;
    let mut last_error = String::new();
    loop {
        if pump() {
            return Err(ToolError::new(INTERRUPTED));
        }
        if ctx.all_brokers_down() {
            return Err(unreachable(bootstrap, ctx, "the connection failed"));
        }
        let now = Instant::now();
        if now >= deadline {
            let what = if last_error.is_empty() {
                "no answer".to_string()
            } else {
                last_error
            };
            return Err(match topic {
                Some(t) if unknown_since.is_some() => {
                    ToolError::new(format!("Topic {t} not present in metadata after {} ms.", timeout.as_millis()))
                }
                _ => unreachable(bootstrap, ctx, &format!("{what} within {} ms", timeout.as_millis())),
            });
        }
        let step = (deadline - now).min(Duration::from_millis(200));
        let attempt = Instant::now();
        match client.fetch_metadata(topic, step) {
            Ok(md) => {
                ctx.clear_brokers_down();
                let Some(name) = topic else { return Ok(Vec::new()) };
                let listed = md.topics().iter().find(|t| t.name() == name);
                match listed.map(|t| t.error().map(RDKafkaErrorCode::from)) {
                    None => last_error = format!("the broker did not list topic {name}"),
                    Some(None) => {
                        let t = listed.map(|t| t.partitions()).unwrap_or_default();
                        let mut ids: Vec<i32> = t.iter().map(|p| p.id()).collect();
                        ids.sort_unstable();
                        return Ok(ids);
                    }
                    Some(Some(RDKafkaErrorCode::UnknownTopicOrPartition)) => {
                        let since = *unknown_since.get_or_insert(Instant::now());
                        if since.elapsed() >= UNKNOWN_TOPIC_GRACE.min(timeout) {
                            return Err(ToolError::new(format!(
                                "Topic {name} does not exist: the broker answered UNKNOWN_TOPIC_OR_PARTITION (and does not create it automatically)"
                            )));
                        }
                    }
                    Some(Some(RDKafkaErrorCode::TopicAuthorizationFailed)) => {
                        return Err(ToolError::new(format!("Not authorized to access topics: [{name}]")));
                    }
                    Some(Some(code)) => last_error = format!("topic {name}: {code}"),
                }
            }
            Err(e) => last_error = e.to_string(),
        }
        // Fetches that fail fast (no broker up yet) must not spin.
        if let Some(rest) = Duration::from_millis(100).checked_sub(attempt.elapsed()) {
            std::thread::sleep(rest);
        }
    }
}

fn unreachable(bootstrap: &str, ctx: &ToolContext, fallback: &str) -> ToolError {
    let why = ctx.last_failure().unwrap_or_else(|| fallback.to_string());
    ToolError::new(format!("Cannot reach any broker of --bootstrap-server {bootstrap}: {why}"))
}
