//! The `kaskade` binary: one executable for the broker and the tools that come with it.

mod broker_cmd;
mod perf;
mod probe_cmd;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "kaskade", version, about = "Kafka-compatible streaming, no JVM")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a Kafka-compatible broker.
    Broker(broker_cmd::BrokerArgs),
    /// Measure produce or consume throughput and latency (like kafka-*-perf-test).
    #[command(subcommand)]
    Perf(perf::PerfCommand),
    /// Ask a broker for Metadata; exit 0 when it answers (the pods' readiness and liveness check).
    Probe(probe_cmd::ProbeArgs),
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("KASKADE_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Broker(args) => block_on(broker_cmd::run(args)),
        Command::Perf(cmd) => block_on(perf::run(cmd)),
        // The probe brings its own small runtime: it must start fast and never outlive its timeout.
        Command::Probe(args) => probe_cmd::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Runs a command on the multi-threaded runtime the broker and the tools use.
fn block_on(command: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))?;
    runtime.block_on(command)
}
