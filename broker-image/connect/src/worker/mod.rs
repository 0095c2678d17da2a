//! The worker (`Worker`): runs the connector instances and tasks the herder gives it, each task
//! on its own tokio task with a control channel (run, pause, stop), and reports their states.
//! It knows nothing of REST or of the group; the herder decides what runs here.

pub mod pipeline;
pub mod sink;
pub mod source;
pub mod status;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::WorkerConfig;
use crate::connectors::{self, ConnectError, Connector, Props, SourceContext, TaskFactory};
use crate::storage::{State, Stores, TargetState};
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
}

/// A task running here.
pub struct RunningTask {
    pub config: Props,
    control: watch::Sender<Control>,
    handle: JoinHandle<()>,
}

impl RunningTask {
    pub fn set(&self, c: Control) {
        self.control.send_if_modified(|cur| {
            let changed = *cur != c;
            *cur = c;
            changed
        });
    }

    pub fn finished(&self) -> bool {
        self.handle.is_finished()
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
                instance.start(&resolved)?;
            }
            Ok::<_, ConnectError>(instance)
        })();
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
                    },
                );
            }
            Err(e) => {
                tracing::error!(connector = name, "failed to start: {e}");
                reporter.connector(name, State::Failed, Some(e.trace())).await;
            }
        }
    }

    pub fn stop_connector(&mut self, name: &str) {
        if let Some(mut c) = self.connectors.remove(name) {
            c.instance.stop();
        }
    }

    /// Starts a task with its config (from the config topic); it reports its own states.
    pub fn start_task(&mut self, connector: &str, id: u32, config: &Props, target: TargetState) {
        let key = (connector.to_string(), id);
        if let Some(t) = self.tasks.remove(&key) {
            t.set(Control::Stop);
        }
        let (tx, rx) = watch::channel(Control::from(target));
        let reporter = self.reporter();
        let worker = self.config.clone();
        let stores = self.stores.clone();
        let task_config = config.clone();
        let name = connector.to_string();
        let handle = tokio::spawn(async move {
            let result = run_task(&worker, &stores, &name, id, &task_config, reporter.clone(), rx).await;
            match result {
                Ok(()) => {}
                Err(e) => {
                    tracing::error!(connector = name, task = id, "task failed: {e}");
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
            },
        );
    }

    /// Stops a task and waits (up to `task.shutdown.graceful.timeout.ms`) for it to finish.
    pub async fn stop_task(&mut self, connector: &str, id: u32) {
        if let Some(t) = self.tasks.remove(&(connector.to_string(), id)) {
            t.set(Control::Stop);
            let grace = Duration::from_millis(self.config.task_shutdown_graceful_timeout_ms.max(0) as u64);
            let abort = t.handle.abort_handle();
            if tokio::time::timeout(grace, t.handle).await.is_err() {
                tracing::warn!(connector, task = id, "the task did not stop in time; cancelled");
                abort.abort();
            }
        }
    }

    /// Stops everything running here (shutdown).
    pub async fn stop_all(&mut self) {
        let ids: Vec<_> = self.tasks.keys().cloned().collect();
        for t in self.tasks.values() {
            t.set(Control::Stop);
        }
        for (c, i) in ids {
            self.stop_task(&c, i).await;
        }
        let names: Vec<_> = self.connectors.keys().cloned().collect();
        for n in names {
            self.stop_connector(&n);
        }
    }
}

async fn run_task(
    worker: &WorkerConfig,
    stores: &Arc<Stores>,
    connector: &str,
    id: u32,
    config: &Props,
    reporter: Reporter,
    control: watch::Receiver<Control>,
) -> Result<(), ConnectError> {
    let class = config
        .get("connector.class")
        .or_else(|| config.get("task.class"))
        .map(String::as_str)
        .unwrap_or("");
    let plugin = connectors::find(class).ok_or_else(|| {
        ConnectError::new(format!(
            "Failed to find any class that implements Connector and which name matches {class}"
        ))
    })?;
    let resolved = worker.providers.resolve(config).map_err(|e| ConnectError::new(e.to_string()))?;
    let pipeline = pipeline::Pipeline::build(worker, &resolved)?;
    let client_id = format!("connector-{}-{connector}-{id}", plugin.kind().name());
    let flush_interval = Duration::from_millis(worker.offset_flush_interval_ms.max(0) as u64);
    match plugin.tasks {
        TaskFactory::Source(make) => {
            let producer = source::producer(&pipeline::client_props(worker, &resolved, "producer"), &client_id)?;
            source::SourceRun {
                connector: connector.to_string(),
                task: id,
                config: resolved,
                pipeline,
                producer,
                context: SourceContext {
                    connector: connector.to_string(),
                    offsets: stores.offsets.clone(),
                },
                reporter,
                flush_interval,
                flush_timeout: Duration::from_millis(worker.offset_flush_timeout_ms.max(0) as u64),
            }
            .run(make(), control)
            .await
        }
        TaskFactory::Sink(make) => {
            let consumer = sink::consumer(
                &pipeline::client_props(worker, &resolved, "consumer"),
                connector,
                &client_id,
                &resolved,
            )?;
            sink::SinkRun {
                connector: connector.to_string(),
                task: id,
                config: resolved,
                pipeline,
                consumer,
                reporter,
                flush_interval,
            }
            .run(make(), control)
            .await
        }
    }
}
