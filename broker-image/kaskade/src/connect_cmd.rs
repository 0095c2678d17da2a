//! `kaskade connect [connect-distributed.properties] [--override k=v]...`: the Kafka Connect
//! worker, configured as Apache's `connect-distributed.sh` is, run until SIGTERM or Ctrl-C and
//! stopped cleanly (tasks stopped, offsets committed, group left).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use kaskade_common::properties;
use tokio::signal::unix::{signal, SignalKind};

#[derive(Args, Debug)]
pub struct ConnectArgs {
    /// A Kafka Connect `connect-distributed.properties` file.
    #[arg(value_name = "FILE")]
    config: Option<PathBuf>,
    /// Set a worker configuration key (repeatable): `--override group.id=connect-cluster`.
    #[arg(long = "override", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
}

/// At most two glibc malloc arenas. Records are allocated on task threads and freed on
/// librdkafka's; with glibc's default (8 arenas per core) the freed memory stays spread over
/// many arenas and RSS under load doubles (BENCHMARKS.md, "Kafka Connect worker"). Call before
/// any thread starts; `MALLOC_ARENA_MAX` in the environment still wins.
pub fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a glibc tunable; called before the runtime's threads exist.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

pub async fn run(args: ConnectArgs) -> anyhow::Result<()> {
    // The JDBC connectors live in their own crate: listed with the built-in ones.
    if !kaskade_connect::connectors::register(&kaskade_jdbc::plugins()) {
        anyhow::bail!("connector plugins were listed before the JDBC connectors were registered");
    }
    let mut props = match &args.config {
        Some(path) => properties::load_file(path).with_context(|| format!("reading {}", path.display()))?,
        None => properties::Props::new(),
    };
    props.extend(properties::key_value_args(&args.overrides));
    let config = kaskade_connect::config::WorkerConfig::parse(&props).context("the worker configuration")?;
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let mut running = kaskade_connect::start(config).await.context("starting the Connect worker")?;
    println!("kaskade connect: REST API on http://{}", running.local_addr);
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: stopping"),
        _ = int.recv() => tracing::info!("SIGINT: stopping"),
        r = running.wait() => return r.context("the Connect worker stopped"),
    }
    running.stop().await.context("stopping the Connect worker")?;
    tracing::info!("stopped cleanly");
    Ok(())
}
