//! How a tool ends, the way Kafka's tools end: exit 0 on success; exit 1 on any failure, with one
//! line on stderr saying what failed (Kafka's `Exit.exit(1)` after printing the error), including
//! invalid flags, which Kafka reports as `joptsimple` errors with exit 1, not 2.

/// A failure a tool reports and exits 1 for. The message is printed as is (Kafka's tools print
/// e.g. `Error while executing topic command : Topic 'x' already exists.`), so each tool builds
/// the line its Kafka counterpart prints.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ToolError(pub String);

impl ToolError {
    pub fn new(message: impl Into<String>) -> Self {
        ToolError(message.into())
    }
}

impl From<kaskade_common::client_props::InvalidProperty> for ToolError {
    fn from(e: kaskade_common::client_props::InvalidProperty) -> Self {
        ToolError(e.0)
    }
}

/// The result every tool's `run` returns.
pub type ToolResult = Result<(), ToolError>;

/// The process exit code for a tool's result, after printing the failure on stderr.
pub fn finish(result: ToolResult) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A usage error as Kafka's tools print it: the message, then the options of `A` (the tool
/// `name`, e.g. `kaskade topics`).
pub fn usage<A: clap::Args>(name: &'static str, message: &str) -> ToolError {
    let mut command = A::augment_args(clap::Command::new(name));
    let help = command.render_help().to_string();
    ToolError::new(format!("{message}\n{}", help.trim_end()))
}

/// Writes a tool's output at once; a closed pipe (`| head`) is not an error worth a panic.
pub fn print(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}
