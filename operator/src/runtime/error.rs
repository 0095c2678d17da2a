//! The errors a reconcile can end with, each with a short label for the error metric.

/// Why a reconcile failed. Spec problems are not errors: they are reported in status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    #[error("serializing {kind}: {source}")]
    Serialize {
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("Kafka admin: {0}")]
    Kafka(#[from] kaskade_client::AdminError),
    #[error("{0}")]
    Connect(#[from] super::connect_rest::RestError),
    #[error("finalizer: {0}")]
    Finalizer(String),
    #[error("{0} has no namespace")]
    NoNamespace(String),
}

impl Error {
    /// A bounded label for `kaskade_operator_reconcile_errors_total{error=…}`.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Error::Kube(_) => "kube",
            Error::Serialize { .. } => "serialize",
            Error::Kafka(_) => "kafka",
            Error::Connect(_) => "connect",
            Error::Finalizer(_) => "finalizer",
            Error::NoNamespace(_) => "no_namespace",
        }
    }
}
