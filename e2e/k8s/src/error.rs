//! The harness's one error type: every failure says what was being done, and failures of the
//! control plane's processes carry the tail of their logs, so a red test explains itself.

use std::path::PathBuf;

/// What went wrong while starting or driving the control plane.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or process operation failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A helper command (`build.sh`, `openssl`) exited unsuccessfully.
    #[error("{command} failed ({status}):\n{output}")]
    Command {
        command: String,
        status: std::process::ExitStatus,
        output: String,
    },
    /// The control plane cannot run here (no Go toolchain, build failed, …): tests may skip.
    #[error("no Kubernetes control plane available: {0}")]
    Unavailable(String),
    /// A started process died or never became ready; `logs` is the tail of what it printed.
    #[error("{what}\n--- {log} (tail) ---\n{logs}")]
    Process { what: String, log: PathBuf, logs: String },
    /// A workspace binary the test needs has not been built.
    #[error("{path} not found: build it first with `cargo build -p kaskade-operator -p kaskade`")]
    MissingBinary { path: PathBuf },
    /// A request to the API server failed.
    #[error("{context}: {source}")]
    Kube {
        context: String,
        #[source]
        source: kube::Error,
    },
    /// A kubeconfig could not be read or used.
    #[error("kubeconfig: {0}")]
    Kubeconfig(String),
    /// A manifest or an API answer did not have the expected shape.
    #[error("{0}")]
    Invalid(String),
    /// A condition polled by [`crate::wait_for`] did not hold in time.
    /// A step of starting the node tier failed.
    #[error("node tier: {step} failed: {source}")]
    NodeStep {
        step: String,
        #[source]
        source: Box<Error>,
    },
    #[error("timed out after {secs:.1} s waiting for {what}")]
    Timeout { what: String, secs: f64 },
}

impl Error {
    /// The API server's answer when a request was refused (status code and message), e.g. a
    /// validation failure: `(422, "Topic.kaskade.dev \"t\" is invalid: …")`.
    pub fn api_status(&self) -> Option<(u16, &str)> {
        match self {
            Error::Kube {
                source: kube::Error::Api(status),
                ..
            } => Some((status.code, status.message.as_str())),
            _ => None,
        }
    }
}

/// The harness's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Adds context to an `io::Result`.
pub(crate) trait IoContext<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::Io {
            context: context(),
            source,
        })
    }
}

/// Adds context to a `kube::Result`.
pub(crate) trait KubeContext<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> KubeContext<T> for kube::Result<T> {
    fn context(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::Kube {
            context: context(),
            source,
        })
    }
}
