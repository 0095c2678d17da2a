//! `kaskade perf`: the throughput and latency tool, shaped like Kafka's
//! `kafka-producer-perf-test` / `kafka-consumer-perf-test` (same flags where they exist, same
//! output lines), driving any Kafka-compatible broker through librdkafka.

mod consume;
mod produce;
mod stats;

use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum PerfCommand {
    /// Produce records as fast as allowed and report throughput and latency.
    Produce(produce::ProduceArgs),
    /// Consume records (by partition assignment, or as members of a group) and report throughput.
    Consume(consume::ConsumeArgs),
}

pub async fn run(cmd: PerfCommand) -> anyhow::Result<()> {
    // librdkafka's blocking calls run on their own thread, off the async runtime.
    tokio::task::spawn_blocking(move || match cmd {
        PerfCommand::Produce(a) => produce::run(a),
        PerfCommand::Consume(a) => consume::run(a),
    })
    .await?
}

/// Parses repeated `key=value` client properties.
fn parse_props(props: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    props
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| anyhow::anyhow!("property {p:?} is not of the form key=value"))
        })
        .collect()
}
