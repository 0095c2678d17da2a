//! The worker (`Worker`): runs the connector instances and tasks the herder gives it, each task
//! on its own thread (as Kafka Connect's `WorkerTask`s) watched by a tokio task, with a control
//! channel (run, pause, stop), and reports their states. It knows nothing of REST or of the
//! group; the herder decides what runs here.
//!
//! A task is built from its task config and its connector's config (transforms, converters,
//! error handling and client overrides come from the connector's, as in Kafka). Stopping waits
//! up to `task.shutdown.graceful.timeout.ms` (one deadline for all tasks when the worker stops);
//! a task that does not stop in time is cancelled: it writes no more statuses or offsets.

pub mod errors;
pub mod pipeline;
pub mod sink;
pub mod source;
pub mod status;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config::WorkerConfig;
use crate::connectors::{self, ConnectError, Connector, ConnectorContext, ConnectorType, Props, SourceContext, TaskFactory};
use crate::metrics::{self, TaskKind};
use crate::storage::{State, Stores, TargetState};
use errors::{DeadLetterQueue, ErrorConfig, Operator, StopLatch, TaskId};
pub use status::Reporter;

/// What a task should be doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Run,
    Pause,
    Stop,
}

impl From<TargetState> for Control {
    fn from(t: TargetState) -> Control {
        match t {
            TargetState::Started => Control::Run,
            TargetState::Paused => Control::Pause,
            TargetState::Stopped => Control::Stop,
        }
    }
}

/// A connector instance running here.
pub struct RunningConnector {
    pub config: Props,
    pub instance: Box<dyn Connector>,
    pub target: TargetState,
    pub context: ConnectorContext,
    /// It raised an error: stopped, FAILED, and not restarted until asked to.
    pub failed: bool,
}

/// A task running here.
pub struct RunningTask {
    pub config: Props,
    control: watch::Sender<Control>,
    handle: JoinHandle<()>,
    /// Ends a retry backoff when the task is told to stop.
    stop: Arc<StopLatch>,
    /// Set when the task did not stop in time: it may write nothing more.
    cancelled: Arc<AtomicBool>,
}

impl RunningTask {
    pub fn set(&self, c: Control) {
        if c == Control::Stop {
            self.stop.trigger();
        }
        self.control.send_if_modified(|cur| {
            let changed = *cur != c;
            *cur = c;
            changed
        });
    }

    pub fn finished(&self) -> bool {
        self.handle.is_finished()
    }

    /// Waits for the task to finish until `deadline`; past it the task is cancelled. True when
    /// it stopped in time.
    async fn await_stop(self, deadline: Instant, connector: &str, id: u32) -> bool {
        let abort = self.handle.abort_handle();
        if tokio::time::timeout_at(deadline, self.handle).await.is_ok() {
            return true;
        }
        tracing::error!(connector, task = id, "Graceful stop of task {connector}-{id} failed.");
        self.cancelled.store(true, Ordering::Relaxed);
        abort.abort();
        false
    }
}

pub struct Worker {
    pub config: Arc<WorkerConfig>,
    pub stores: Arc<Stores>,
    pub connectors: BTreeMap<String, RunningConnector>,
    pub tasks: BTreeMap<(String, u32), RunningTask>,
    pub generation: i32,
}

impl Worker {
    pub fn new(config: Arc<WorkerConfig>, stores: Arc<Stores>) -> Worker {
        Worker {
            config,
            stores,
            connectors: BTreeMap::new(),
            tasks: BTreeMap::new(),
            generation: 1,
        }
    }

    pub fn reporter(&self) -> Reporter {
        Reporter {
            stores: self.stores.clone(),
            worker_id: self.config.worker_id.clone(),
            generation: self.generation,
        }
    }

    /// Starts (or restarts) a connector instance with its resolved config; a failure is
    /// reported as FAILED with its trace.
    pub async fn start_connector(&mut self, name: &str, config: &Props, target: TargetState) {
        self.stop_connector(name);
        let reporter = self.reporter();
        let context = ConnectorContext::new(self.stores.config_changed.clone());
        let started = (|| {
            let class = config.get("connector.class").map(String::as_str).unwrap_or("");
            let plugin = connectors::find(class).ok_or_else(|| {
                ConnectError::new(format!(
                    "Failed to find any class that implements Connector and which name matches {class}"
                ))
            })?;
            let resolved = self
                .config
                .providers
                .resolve(config)
                .map_err(|e| ConnectError::new(e.to_string()))?;
            let mut instance = (plugin.connector)();
            if target != TargetState::Stopped {
                instance.start(&resolved, context.clone())?;
            }
            Ok::<_, ConnectError>(instance)
        })();
        let class = config.get("connector.class").map(String::as_str).unwrap_or("").trim().to_string();
        let plugin = connectors::find(&class);
        let kind = plugin.map(|p| match p.kind() {
            ConnectorType::Source => TaskKind::Source,
            ConnectorType::Sink => TaskKind::Sink,
        });
        let version = plugin.map_or("", |p| p.version);
        metrics::connector_startup(name, plugin.map_or(class.as_str(), |p| p.class), version, kind, started.is_ok());
        match started {
            Ok(instance) => {
                let state = match target {
                    TargetState::Started => State::Running,
                    TargetState::Paused => State::Paused,
                    TargetState::Stopped => State::Stopped,
                };
                reporter.connector(name, state, None).await;
                self.connectors.insert(
                    name.to_string(),
                    RunningConnector {
                        config: config.clone(),
                        instance,
                        target,
                        context,
                        failed: false,
                    },
                );
            }
            Err(e) => {
                tracing::error!(connector = name, "failed to start: {e}");
                reporter.connector(name, State::Failed, Some(e.trace())).await;
            }
        }
    }

    /// Fails a connector that raised an error in the background: stopped and reported FAILED
    /// with the error's trace; it stays so until restarted or reconfigured.
    pub async fn fail_raised(&mut self) {
        let reporter = self.reporter();
        for (name, c) in self.connectors.iter_mut() {
            if let Some(e) = c.context.take_error() {
                tracing::error!(connector = name, "failed: {e}");
                c.instance.stop();
                c.failed = true;
                reporter.connector(name, State::Failed, Some(e.trace())).await;
            }
        }
    }

    pub fn stop_connector(&mut self, name: &str) {
        if let Some(mut c) = self.connectors.remove(name) {
            c.instance.stop();
        }
        metrics::remove_connector(name);
    }

    fn grace(&self) -> Duration {
        Duration::from_millis(self.config.task_shutdown_graceful_timeout_ms.max(0) as u64)
    }

    /// Starts a task with its config (from the config topic); it reports its own states. A
    /// run of the same task still going is stopped first, and the new one starts once it ended
    /// (or was cancelled after `task.shutdown.graceful.timeout.ms`).
    pub fn start_task(&mut self, connector: &str, id: u32, config: &Props, target: TargetState) {
        let key = (connector.to_string(), id);
        let previous = self.tasks.remove(&key);
        if let Some(t) = &previous {
            t.set(Control::Stop);
        }
        let grace = self.grace();
        let (tx, rx) = watch::channel(Control::from(target));
        let stop = Arc::new(StopLatch::default());
        let cancelled = Arc::new(AtomicBool::new(false));
        let spec = TaskSpec {
            worker: self.config.clone(),
            stores: self.stores.clone(),
            connector: connector.to_string(),
            id,
            config: config.clone(),
            connector_config: self.stores.config().config(connector).cloned(),
            reporter: self.reporter(),
            stop: stop.clone(),
            cancelled: cancelled.clone(),
        };
        let handle = tokio::spawn(async move {
            if let Some(previous) = previous {
                previous.await_stop(Instant::now() + grace, &spec.connector, spec.id).await;
            }
            let (name, reporter, cancelled) = (spec.connector.clone(), spec.reporter.clone(), spec.cancelled.clone());
            if let Err(e) = run_task(spec, rx).await {
                tracing::error!(connector = name, task = id, "{name}-{id} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted: {e}");
                if !cancelled.load(Ordering::Relaxed) {
                    reporter.task(&name, id, State::Failed, Some(e.trace())).await;
                }
            }
        });
        self.tasks.insert(
            key,
            RunningTask {
                config: config.clone(),
                control: tx,
                handle,
                stop,
                cancelled,
            },
        );
    }

    /// Stops a task and waits (up to `task.shutdown.graceful.timeout.ms`) for it to finish.
    pub async fn stop_task(&mut self, connector: &str, id: u32) {
        if let Some(t) = self.tasks.remove(&(connector.to_string(), id)) {
            t.set(Control::Stop);
            t.await_stop(Instant::now() + self.grace(), connector, id).await;
        }
        metrics::remove_task(connector, id);
    }

    /// Stops everything running here (shutdown): every task is told at once, then all are
    /// awaited against one graceful-stop deadline, as Kafka's `stopAndAwaitTasks`.
    pub async fn stop_all(&mut self) {
        for t in self.tasks.values() {
            t.set(Control::Stop);
        }
        let deadline = Instant::now() + self.grace();
        for ((c, i), t) in std::mem::take(&mut self.tasks) {
            t.await_stop(deadline, &c, i).await;
            metrics::remove_task(&c, i);
        }
        let names: Vec<_> = self.connectors.keys().cloned().collect();
        for n in names {
            self.stop_connector(&n);
        }
    }
}

/// What a task is started with.
struct TaskSpec {
    worker: Arc<WorkerConfig>,
    stores: Arc<Stores>,
    connector: String,
    id: u32,
    /// The task's config.
    config: Props,
    /// Its connector's config (from the config topic), when known.
    connector_config: Option<Props>,
    reporter: Reporter,
    stop: Arc<StopLatch>,
    cancelled: Arc<AtomicBool>,
}

/// Runs `work` on a thread of its own named as Kafka names task threads, and waits for it.
async fn on_thread(name: String, work: impl FnOnce() -> Result<(), ConnectError> + Send + 'static) -> Result<(), ConnectError> {
    let (tx, rx) = oneshot::channel();
    std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|e| ConnectError::new("Failed to start the task thread").caused_by(e))?;
    rx.await.unwrap_or_else(|_| Err(ConnectError::new("The task thread panicked")))
}

async fn run_task(spec: TaskSpec, control: watch::Receiver<Control>) -> Result<(), ConnectError> {
    let TaskSpec {
        worker,
        stores,
        connector,
        id,
        config,
        connector_config,
        reporter,
        stop,
        cancelled,
    } = spec;
    let class = config
        .get("connector.class")
        .or_else(|| config.get("task.class"))
        .map(String::as_str)
        .unwrap_or("");
    let Some(plugin) = connectors::find(class) else {
        metrics::task_startup(false);
        return Err(ConnectError::new(format!(
            "Failed to find any class that implements Connector and which name matches {class}"
        )));
    };
    let kind = plugin.kind();
    let metrics = metrics::register_task(
        &connector,
        id,
        match kind {
            ConnectorType::Source => TaskKind::Source,
            ConnectorType::Sink => TaskKind::Sink,
        },
    );
    let task_id = TaskId {
        connector: connector.clone(),
        task: id,
    };
    let built = async {
        let resolved = worker.providers.resolve(&config).map_err(|e| ConnectError::new(e.to_string()))?;
        let connector_resolved = match &connector_config {
            Some(c) => worker.providers.resolve(c).map_err(|e| ConnectError::new(e.to_string()))?,
            None => resolved.clone(),
        };
        let pipeline = pipeline::Pipeline::build(&worker, &connector_resolved)?;
        let errors = ErrorConfig::parse(&connector_resolved, kind)?;
        Ok::<_, ConnectError>((resolved, connector_resolved, pipeline, errors))
    }
    .await;
    let (resolved, connector_resolved, pipeline, errors) = built.inspect_err(|_| metrics::task_startup(false))?;
    let client_id = format!("connector-{}-{connector}-{id}", kind.name());
    let flush_interval = Duration::from_millis(worker.offset_flush_interval_ms.max(0) as u64);
    let thread = format!("task-thread-{task_id}");
    match plugin.tasks {
        TaskFactory::Source(make) => {
            let acks = source::Acks::new(task_id.clone(), &errors, metrics.clone());
            let producer = source::producer(&pipeline::client_props(&worker, &connector_resolved, "producer"), &client_id, acks)
                .inspect_err(|_| metrics::task_startup(false))?;
            let run = source::SourceRun {
                connector: connector.clone(),
                task: id,
                config: resolved,
                pipeline,
                producer,
                context: SourceContext {
                    connector: connector.clone(),
                    offsets: stores.offsets.clone(),
                },
                reporter,
                flush_interval,
                flush_timeout: Duration::from_millis(worker.offset_flush_timeout_ms.max(0) as u64),
                operator: Operator::new(errors, task_id, metrics.clone(), stop, None),
                metrics,
                cancelled,
            };
            metrics::task_startup(true);
            let handle = tokio::runtime::Handle::current();
            on_thread(thread, move || handle.block_on(run.run(make(), control))).await
        }
        TaskFactory::Sink(make) => {
            let dlq = if errors.dlq_topic.is_empty() {
                None
            } else {
                let producer_props = pipeline::client_props(&worker, &connector_resolved, "producer");
                Some(
                    DeadLetterQueue::create(&worker.bootstrap_servers, &producer_props, &task_id, &errors, metrics.clone())
                        .await
                        .inspect_err(|_| metrics::task_startup(false))?,
                )
            };
            let shared = sink::Shared::new(metrics.clone(), tokio::runtime::Handle::current(), task_id.to_string());
            let consumer = sink::consumer(
                &pipeline::client_props(&worker, &connector_resolved, "consumer"),
                &connector,
                &client_id,
                &resolved,
                shared.clone(),
            )
            .inspect_err(|_| metrics::task_startup(false))?;
            let run = sink::SinkRun {
                connector: connector.clone(),
                task: id,
                config: resolved,
                pipeline,
                consumer,
                shared,
                reporter,
                flush_interval,
                operator: Operator::new(errors, task_id, metrics.clone(), stop, dlq),
                metrics,
                cancelled,
            };
            metrics::task_startup(true);
            on_thread(thread, move || run.run(make(), control)).await
        }
    }
}
