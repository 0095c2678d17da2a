//! The connector API the runtime drives (Kafka Connect's `Connector`, `SourceTask`, `SinkTask`)
//! and the built-in plugins, found by Apache's and Confluent's class names. Connectors know
//! nothing of REST or of the topics the worker keeps: they get configs, produce task configs,
//! and their tasks poll records or take batches.

pub mod file_sink;
pub mod file_source;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value as Json;
use tokio::sync::Notify;

use crate::config_def::ConfigDef;
use crate::record::ConnectRecord;
use crate::storage::SourceOffsets;

pub type Props = BTreeMap<String, String>;
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// `org.apache.kafka.connect.errors.ConnectException` and its causes, rendered as a trace.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConnectError {
    pub message: String,
    /// Causes, outermost first.
    pub causes: Vec<String>,
}

impl ConnectError {
    pub fn new(message: impl Into<String>) -> Self {
        ConnectError {
            message: message.into(),
            causes: Vec::new(),
        }
    }

    pub fn caused_by(mut self, cause: impl std::fmt::Display) -> Self {
        self.causes.push(cause.to_string());
        self
    }

    /// The text Kafka Connect puts in a FAILED status's `trace`: the exception and its causes.
    pub fn trace(&self) -> String {
        let mut t = format!("org.apache.kafka.connect.errors.ConnectException: {}\n", self.message);
        for c in &self.causes {
            t.push_str(&format!("Caused by: {c}\n"));
        }
        t
    }
}

/// `source` or `sink`, as the REST API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorType {
    Source,
    Sink,
}

impl ConnectorType {
    pub fn name(self) -> &'static str {
        match self {
            ConnectorType::Source => "source",
            ConnectorType::Sink => "sink",
        }
    }
}

/// What a connector may ask of the runtime (Kafka's `ConnectorContext`): new task configs when
/// its source changed (a table appeared), or to fail with an error found in the background.
#[derive(Clone, Default)]
pub struct ConnectorContext {
    reconfigure: Arc<Notify>,
    error: Arc<Mutex<Option<ConnectError>>>,
}

impl ConnectorContext {
    /// A context whose reconfiguration requests wake `reconfigure` (the herder's reconcile).
    pub fn new(reconfigure: Arc<Notify>) -> Self {
        ConnectorContext {
            reconfigure,
            error: Arc::default(),
        }
    }

    /// `requestTaskReconfiguration()`: the runtime asks for task configs again soon.
    pub fn request_task_reconfiguration(&self) {
        self.reconfigure.notify_one();
    }

    /// `raiseError(e)`: the connector fails with `e` (its status becomes FAILED).
    pub fn raise_error(&self, e: ConnectError) {
        *self.error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        self.reconfigure.notify_one();
    }

    /// The error raised since the last call, if any.
    pub fn take_error(&self) -> Option<ConnectError> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// A connector instance: started with its config, it says how the work splits into tasks.
/// `task_configs` is called on every reconcile: it answers from what the connector knows (a
/// background monitor may refresh that and ask for reconfiguration), without blocking.
pub trait Connector: Send {
    fn start(&mut self, config: &Props, context: ConnectorContext) -> Result<(), ConnectError>;
    /// At most `max_tasks` task configs.
    fn task_configs(&mut self, max_tasks: usize) -> Result<Vec<Props>, ConnectError>;
    fn stop(&mut self) {}
}

/// What a source task may read of the worker: its connector's committed offsets.
#[derive(Clone)]
pub struct SourceContext {
    pub connector: String,
    pub offsets: Arc<Mutex<SourceOffsets>>,
}

impl SourceContext {
    /// `OffsetStorageReader.offset(partition)`.
    pub fn offset(&self, partition: &Json) -> Option<Json> {
        self.offsets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&self.connector, partition)
            .cloned()
    }
}

/// A source task: `poll` returns the next records (empty when there is nothing yet; it should
/// wait a little itself rather than spin).
pub trait SourceTask: Send {
    fn start(&mut self, config: &Props, context: SourceContext) -> Result<(), ConnectError>;
    fn poll(&mut self) -> BoxFuture<'_, Result<Vec<ConnectRecord>, ConnectError>>;
    fn stop(&mut self) {}
}

/// A sink task: `put` takes a batch, `flush` makes everything put so far durable (the worker
/// commits consumer offsets only after it returns).
pub trait SinkTask: Send {
    fn start(&mut self, config: &Props) -> Result<(), ConnectError>;
    fn put(&mut self, records: Vec<ConnectRecord>) -> BoxFuture<'_, Result<(), ConnectError>>;
    fn flush(&mut self) -> BoxFuture<'_, Result<(), ConnectError>>;
    fn stop(&mut self) {}
}

/// How a plugin's tasks are made.
#[derive(Clone, Copy)]
pub enum TaskFactory {
    Source(fn() -> Box<dyn SourceTask>),
    Sink(fn() -> Box<dyn SinkTask>),
}

/// A connector's own checks of a whole config: `(key, message)` for each error.
pub type ExtraValidation = fn(&Props) -> Vec<(&'static str, String)>;

/// One built-in connector plugin.
#[derive(Clone, Copy)]
pub struct Plugin {
    pub class: &'static str,
    /// The task class Kafka Connect records in each task config (`task.class`).
    pub task_class: &'static str,
    pub version: &'static str,
    pub config_def: fn() -> ConfigDef,
    /// `Connector.validate` beyond the keys' own checks: `(key, message)` for each error.
    pub validate: Option<ExtraValidation>,
    pub connector: fn() -> Box<dyn Connector>,
    pub tasks: TaskFactory,
}

impl Plugin {
    pub fn kind(&self) -> ConnectorType {
        match self.tasks {
            TaskFactory::Source(_) => ConnectorType::Source,
            TaskFactory::Sink(_) => ConnectorType::Sink,
        }
    }
}

/// The version the built-in Apache plugins report (the Kafka Connect they match).
pub const APACHE_VERSION: &str = "4.3.1";

static EXTRA: OnceLock<Vec<Plugin>> = OnceLock::new();
static ALL: OnceLock<Vec<Plugin>> = OnceLock::new();

/// Adds plugins that live in other crates (the JDBC connectors); the binary calls it once, before
/// the worker starts. False when plugins were already registered or listed.
pub fn register(extra: &[Plugin]) -> bool {
    ALL.get().is_none() && EXTRA.set(extra.to_vec()).is_ok()
}

/// Every connector plugin: the built-in ones and those registered, sorted by class name.
pub fn plugins() -> &'static [Plugin] {
    ALL.get_or_init(|| {
        let mut all = vec![file_sink::PLUGIN, file_source::PLUGIN];
        all.extend(EXTRA.get().into_iter().flatten().copied());
        all.sort_by_key(|p| p.class);
        all
    })
}

/// The plugin for `class`: the full class name, the simple name, or the simple name without
/// `Connector` (Kafka Connect's aliases).
pub fn find(class: &str) -> Option<&'static Plugin> {
    let class = class.trim();
    plugins().iter().find(|p| {
        let simple = p.class.rsplit('.').next().unwrap_or(p.class);
        p.class == class || simple == class || simple.strip_suffix("Connector") == Some(class)
    })
}
