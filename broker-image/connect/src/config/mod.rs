//! The worker's own configuration (`worker`) and the config providers that resolve `${…}`
//! variables in it and in connector configs (`providers`).

pub mod providers;
pub mod worker;

pub use providers::{ProviderError, Providers};
pub use worker::{ConverterConfig, WorkerConfig, WorkerConfigError};
