//! `kaskade broker`: Kafka-style configuration (`--config server.properties`, repeated
//! `--override key=value`, plus flags for the common keys), then run until SIGTERM or Ctrl-C
//! and stop cleanly.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use kaskade_broker::BrokerConfig;
use tokio::signal::unix::{signal, SignalKind};

#[derive(Args, Debug)]
pub struct BrokerArgs {
    /// A Kafka `server.properties` file.
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
    /// Set a Kafka configuration key (repeatable): `--override log.retention.hours=24`.
    #[arg(long = "override", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
    /// Shorthand for `listeners` (e.g. `PLAINTEXT://127.0.0.1:9092`).
    #[arg(long)]
    listeners: Option<String>,
    /// Shorthand for `advertised.listeners`.
    #[arg(long)]
    advertised_listeners: Option<String>,
    /// Shorthand for `log.dirs`.
    #[arg(long)]
    log_dirs: Option<String>,
    /// Shorthand for `node.id`.
    #[arg(long)]
    node_id: Option<i32>,
    /// Shorthand for `num.partitions`.
    #[arg(long)]
    num_partitions: Option<i32>,
}

impl BrokerArgs {
    fn all_overrides(&self) -> Vec<String> {
        let mut o = Vec::new();
        let flags = [
            ("listeners", self.listeners.clone()),
            ("advertised.listeners", self.advertised_listeners.clone()),
            ("log.dirs", self.log_dirs.clone()),
            ("node.id", self.node_id.map(|v| v.to_string())),
            ("num.partitions", self.num_partitions.map(|v| v.to_string())),
        ];
        for (k, v) in flags {
            if let Some(v) = v {
                o.push(format!("{k}={v}"));
            }
        }
        // Explicit overrides win over the shorthand flags.
        o.extend(self.overrides.iter().cloned());
        o
    }
}

pub async fn run(args: BrokerArgs) -> anyhow::Result<()> {
    let config = BrokerConfig::load(args.config.as_deref(), &args.all_overrides()).context("loading the broker configuration")?;
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let running = kaskade_broker::start(config).await.context("starting the broker")?;
    println!(
        "kaskade broker listening on {} (cluster id {})",
        running.local_addr, running.cluster_id
    );
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: stopping"),
        _ = int.recv() => tracing::info!("SIGINT: stopping"),
    }
    running.shutdown().await.map_err(anyhow::Error::msg)?;
    tracing::info!("stopped cleanly");
    Ok(())
}
