//! The `kaskade` binary: one executable for the broker and the tools that come with it.

mod broker_cmd;
mod connect_cmd;
mod perf;
mod probe_cmd;
mod quickstart;
use kaskade_tools as tools;

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
    /// Run a Kafka Connect worker in distributed mode (like connect-distributed.sh).
    Connect(connect_cmd::ConnectArgs),
    /// The whole pipeline on one machine: a broker, a Connect worker, JDBC source and sink
    /// connectors between two databases (SQLite by default), and what flows, live.
    Quickstart(quickstart::QuickstartArgs),
    /// Measure produce or consume throughput and latency (like kafka-*-perf-test).
    #[command(subcommand)]
    Perf(perf::PerfCommand),
    /// Ask a broker for Metadata; exit 0 when it answers (the pods' readiness and liveness check).
    Probe(probe_cmd::ProbeArgs),
    /// Create, list, describe, alter and delete topics (like kafka-topics.sh).
    Topics(tools::topics::TopicsArgs),
    /// Write stdin lines to a topic, one record per line (like kafka-console-producer.sh).
    #[command(name = "console-producer")]
    ConsoleProducer(tools::console_producer::ConsoleProducerArgs),
    /// Print a topic's records to stdout (like kafka-console-consumer.sh).
    #[command(name = "console-consumer")]
    ConsoleConsumer(tools::console_consumer::ConsoleConsumerArgs),
    /// List, describe, delete consumer groups and reset their offsets (like kafka-consumer-groups.sh).
    #[command(name = "consumer-groups")]
    ConsumerGroups(tools::consumer_groups::ConsumerGroupsArgs),
    /// Describe and alter topic and broker configs (like kafka-configs.sh).
    Configs(tools::configs::ConfigsArgs),
}

fn init_tracing(default_level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("KASKADE_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new(default_level));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let base = filter.to_string();
    let (filter, handle) = tracing_subscriber::reload::Layer::new(filter);
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_ansi(ansi).with_writer(std::io::stderr))
        .init();
    // `/admin/loggers` of the Connect worker changes levels through this handle.
    let directives = std::sync::Mutex::new(std::collections::BTreeMap::<String, String>::new());
    kaskade_connect::logging::install(
        Box::new(move |logger, level| {
            let mut d = directives.lock().unwrap_or_else(|p| p.into_inner());
            d.insert(logger.to_string(), level.to_string());
            let mut spec = base.clone();
            for (l, v) in d.iter() {
                let part = if l == "root" { v.clone() } else { format!("{l}={v}") };
                spec = if spec.is_empty() { part } else { format!("{spec},{part}") };
            }
            let filter = EnvFilter::try_new(&spec).map_err(|e| format!("Invalid logger or level: {e}"))?;
            handle.reload(filter).map_err(|e| e.to_string())
        }),
        "INFO",
    );
}

fn main() -> std::process::ExitCode {
    let cli = parse_cli();
    // The quickstart's screen is its status line: only warnings are logged there by default.
    // openraft narrates every election and membership step at info: only its warnings by default.
    init_tracing(if matches!(cli.command, Command::Quickstart(_)) {
        "warn"
    } else {
        "info,openraft=warn"
    });
    let result = match cli.command {
        Command::Broker(args) => block_on(broker_cmd::run(args)),
        Command::Connect(args) => {
            connect_cmd::limit_malloc_arenas();
            block_on(connect_cmd::run(args))
        }
        Command::Quickstart(args) => {
            connect_cmd::limit_malloc_arenas();
            block_on(quickstart::run(args))
        }
        Command::Perf(cmd) => block_on(perf::run(cmd)),
        // The probe brings its own small runtime: it must start fast and never outlive its timeout.
        Command::Probe(args) => probe_cmd::run(args),
        Command::Topics(args) => return tools::exit::finish(tool_block_on(tools::topics::run(args))),
        Command::ConsoleProducer(args) => return tools::exit::finish(tool_block_on(tools::console_producer::run(args))),
        Command::ConsoleConsumer(args) => return tools::exit::finish(tool_block_on(tools::console_consumer::run(args))),
        Command::ConsumerGroups(args) => return tools::exit::finish(tool_block_on(tools::consumer_groups::run(args))),
        Command::Configs(args) => return tools::exit::finish(tool_block_on(tools::configs::run(args))),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Parses the command line. `--help` and `--version` exit 0; a usage error exits 1, as Kafka's
/// tools (and `kafka-server-start`) do, rather than clap's 2.
fn parse_cli() -> Cli {
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() { 1 } else { 0 };
            std::process::exit(code)
        }
    }
}

/// Runs a tool on a current-thread runtime: the tools are one client each, and a single thread
/// starts fastest.
fn tool_block_on(tool: impl std::future::Future<Output = tools::exit::ToolResult>) -> tools::exit::ToolResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| tools::exit::ToolError::new(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(tool)
}

/// Runs a command on the multi-threaded runtime the broker and the tools use.
fn block_on(command: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))?;
    runtime.block_on(command)
}
