//! The operator's logs, set up as the `kaskade` binary sets up the broker's: to stderr (stdout
//! stays free for what a command prints, such as `crd`), filtered by `RUST_LOG` (default `info`),
//! and coloured only when stderr is a terminal, so `kubectl logs` shows no escape codes.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
