//! The herder (`DistributedHerder`): answers the REST API from what the internal topics say,
//! turns writes into config-topic records, and reconciles this worker with them — starting,
//! pausing, stopping and restarting connectors and tasks, and (as the leader) turning a
//! connector's task configs into `task-…`/`commit-…` records. Every write goes through the config
//! topic and takes effect when read back, so every worker converges on the same log.

pub mod connector_config;
pub mod membership;
mod sink_offsets;
pub mod validate;

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::{Mutex, Notify};

use membership::GroupState;

use crate::config::WorkerConfig;
use crate::connectors::{self, ConnectorType, Props};
use crate::rest::entities::{
    ConnectorInfo, ConnectorOffset, ConnectorState, ConnectorStateInfo, OrderedMap, PatchMap, TaskId, TaskInfo, TaskState,
};
use crate::storage::config_topic::{self, RestartRequest, TargetState};
use crate::storage::{offset_topic, status_topic, State, Stores};
use crate::worker::{Control, Worker};

/// A REST-visible failure: the HTTP status and Kafka's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HerderError {
    pub status: u16,
    pub message: String,
}

impl HerderError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        HerderError {
            status,
            message: message.into(),
        }
    }

    fn not_found(message: impl Into<String>) -> Self {
        HerderError::new(404, message)
    }

    fn bad_request(message: impl Into<String>) -> Self {
        HerderError::new(400, message)
    }

    fn internal(e: impl std::fmt::Display) -> Self {
        HerderError::new(500, e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, HerderError>;

/// What the REST layer talks to; cheap to clone.
#[derive(Clone)]
pub struct Herder {
    pub config: Arc<WorkerConfig>,
    pub stores: Arc<Stores>,
    worker: Arc<Mutex<Worker>>,
    pub kafka_cluster_id: String,
    admin: kaskade_client::KafkaAdmin,
    group: Arc<std::sync::Mutex<GroupState>>,
    /// Notified when this worker wants the group to rebalance.
    rejoin: Arc<Notify>,
}

/// Where a write must be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Here,
    /// Another worker's REST URL.
    Forward(String),
    /// No leader known: a rebalance is under way.
    Unknown,
}

fn kind_of(config: &Props) -> &'static str {
    validate::plugin_of(config).map(|p| p.kind().name()).unwrap_or("unknown")
}

/// The version the connector's plugin reports (Kafka's status carries it).
fn version_of(config: &Props) -> &'static str {
    validate::plugin_of(config).map_or(connectors::APACHE_VERSION, |p| p.version)
}

impl Herder {
    pub fn new(config: Arc<WorkerConfig>, stores: Arc<Stores>, kafka_cluster_id: String) -> Herder {
        let worker = Arc::new(Mutex::new(Worker::new(config.clone(), stores.clone())));
        let admin =
            kaskade_client::KafkaAdmin::new(&config.bootstrap_servers, std::time::Duration::from_secs(30)).with_client_id("connect-herder");
        Herder {
            config,
            stores,
            worker,
            kafka_cluster_id,
            admin,
            group: Arc::new(std::sync::Mutex::new(GroupState::default())),
            rejoin: Arc::new(Notify::new()),
        }
    }

    fn group(&self) -> std::sync::MutexGuard<'_, GroupState> {
        self.group.lock().unwrap_or_else(|p| p.into_inner())
    }

    // ---- the group ---------------------------------------------------------------------------

    /// The config offset this worker has read to, and the connectors with their task counts.
    pub fn group_context(&self) -> (i64, BTreeMap<String, u32>) {
        (self.stores.config_offset(), self.stores.config().task_counts())
    }

    pub fn rebalance_started(&self) {
        self.group().leader_url = None;
        crate::metrics::rebalance_started();
    }

    /// A generation's assignment: everything this worker should run now.
    pub async fn assigned(&self, generation: i32, member_id: &str, assignment: &crate::group::Assignment) {
        let (_, configured) = self.group_context();
        {
            let mut g = self.group();
            g.member_id = member_id.to_string();
            g.generation = generation;
            g.is_leader = assignment.leader == member_id;
            g.leader_url = Some(assignment.leader_url.trim_end_matches('/').to_string());
            g.connectors = Some(assignment.connectors.clone());
            g.tasks = assignment
                .tasks
                .iter()
                .filter_map(|t| u32::try_from(t.task).ok().map(|i| (t.connector.clone(), i)))
                .collect();
            g.assigned_for = configured;
        }
        self.worker.lock().await.generation = generation;
        crate::metrics::set_epoch(generation);
        crate::metrics::rebalance_completed();
        tracing::info!(
            generation,
            leader = assignment.leader_url,
            connectors = ?assignment.connectors,
            tasks = assignment.tasks.len(),
            "joined the group"
        );
        self.kick();
    }

    /// Stops what the group took away from this worker.
    pub async fn revoke(&self, connectors: &[String], tasks: &[crate::group::ConnectorTaskId]) {
        let mut worker = self.worker.lock().await;
        let reporter = worker.reporter();
        for t in tasks {
            if let Ok(id) = u32::try_from(t.task) {
                worker.stop_task(&t.connector, id).await;
                reporter.task(&t.connector, id, State::Unassigned, None).await;
            }
        }
        for c in connectors {
            worker.stop_connector(c);
            reporter.connector(c, State::Unassigned, None).await;
        }
        let mut g = self.group();
        if let Some(cs) = g.connectors.as_mut() {
            cs.retain(|c| !connectors.contains(c));
        }
        g.tasks
            .retain(|(c, i)| !tasks.iter().any(|t| t.connector == *c && t.task == *i as i32));
    }

    /// Whether this worker has joined its group and received an assignment at least once.
    pub fn joined(&self) -> bool {
        self.group().connectors.is_some()
    }

    /// Where a write that the leader must make is served.
    pub fn leader_route(&self) -> Route {
        let g = self.group();
        match (&g.leader_url, g.is_leader) {
            (Some(_), true) => Route::Here,
            (Some(url), false) => Route::Forward(url.clone()),
            (None, _) => Route::Unknown,
        }
    }

    /// Where an action on a running connector (or one of its tasks) is served: its worker.
    pub fn owner_route(&self, connector: &str, task: Option<u32>) -> Route {
        let status = self.stores.status();
        let owner = match task {
            None => status.connectors.get(connector).map(|s| s.worker_id.clone()),
            Some(t) => status.tasks.get(&(connector.to_string(), t)).map(|s| s.worker_id.clone()),
        };
        match owner {
            Some(w) if w == self.config.worker_id => Route::Here,
            Some(w) => Route::Forward(format!("http://{w}")),
            None => self.leader_route(),
        }
    }

    // ---- reads -------------------------------------------------------------------------------

    /// Connector names, in the order Kafka's `HashMap` of them iterates.
    pub fn connectors(&self) -> Vec<String> {
        let names = self.stores.config().connector_names();
        kaskade_common::java::hash_map_order(names, None)
    }

    fn raw_config(&self, name: &str) -> Result<Props> {
        self.stores
            .config()
            .config(name)
            .cloned()
            .ok_or_else(|| HerderError::not_found(format!("Connector {name} not found")))
    }

    pub fn connector_config(&self, name: &str) -> Result<OrderedMap> {
        Ok(OrderedMap::java_hash_order(&self.raw_config(name)?))
    }

    fn task_ids(&self, name: &str) -> Vec<TaskId> {
        (0..self.stores.config().tasks(name).len() as u32)
            .map(|task| TaskId {
                connector: name.to_string(),
                task,
            })
            .collect()
    }

    pub fn connector_info(&self, name: &str) -> Result<ConnectorInfo> {
        let config = self.raw_config(name)?;
        Ok(ConnectorInfo {
            name: name.to_string(),
            kind: kind_of(&config).to_string(),
            config: OrderedMap::java_hash_order(&config),
            tasks: self.task_ids(name),
        })
    }

    pub fn tasks(&self, name: &str) -> Result<Vec<TaskInfo>> {
        let config = self.stores.config();
        if config.config(name).is_none() {
            return Err(HerderError::not_found(format!("Connector {name} not found")));
        }
        Ok(config
            .tasks(name)
            .iter()
            .enumerate()
            .map(|(i, c)| TaskInfo {
                id: TaskId {
                    connector: name.to_string(),
                    task: i as u32,
                },
                config: OrderedMap::java_hash_order(c),
            })
            .collect())
    }

    pub fn connector_status(&self, name: &str) -> Result<ConnectorStateInfo> {
        let not_found = || HerderError::not_found(format!("No status found for connector {name}"));
        // A deleted connector has no status, even before its status records are tombstoned.
        let config = self.stores.config().config(name).cloned().ok_or_else(not_found)?;
        let status = self.stores.status();
        let connector = status.connectors.get(name).ok_or_else(not_found)?;
        let version = version_of(&config);
        let tasks = status
            .tasks
            .range((name.to_string(), 0)..=(name.to_string(), u32::MAX))
            .map(|((_, id), s)| TaskState {
                id: *id,
                state: s.state.name().to_string(),
                trace: s.trace.clone(),
                worker_id: s.worker_id.clone(),
                version: version.to_string(),
            })
            .collect();
        Ok(ConnectorStateInfo {
            name: name.to_string(),
            connector: ConnectorState {
                state: connector.state.name().to_string(),
                trace: connector.trace.clone(),
                worker_id: connector.worker_id.clone(),
                version: version.to_string(),
            },
            tasks,
            kind: kind_of(&config).to_string(),
        })
    }

    pub fn task_status(&self, name: &str, task: u32) -> Result<TaskState> {
        let status = self.stores.status();
        let s = status
            .tasks
            .get(&(name.to_string(), task))
            .ok_or_else(|| HerderError::not_found(format!("No status found for task {name}-{task}")))?;
        Ok(TaskState {
            id: task,
            state: s.state.name().to_string(),
            trace: s.trace.clone(),
            worker_id: s.worker_id.clone(),
            version: self
                .raw_config(name)
                .map_or(connectors::APACHE_VERSION, |c| version_of(&c))
                .to_string(),
        })
    }

    pub fn active_topics(&self, name: &str) -> Vec<String> {
        self.stores
            .status()
            .topics
            .get(name)
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// `GET …/offsets`: a source connector's offsets from the offsets topic, a sink connector's
    /// from its consumer group.
    pub async fn connector_offsets(&self, name: &str) -> Result<Vec<ConnectorOffset>> {
        let config = self.raw_config(name)?;
        if kind_of(&config) == ConnectorType::Sink.name() {
            return sink_offsets::get(&self.admin, name).await;
        }
        Ok(self
            .stores
            .offsets()
            .connectors
            .get(name)
            .map(|m| {
                m.values()
                    .map(|(p, o)| ConnectorOffset {
                        partition: p.clone(),
                        offset: o.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    // ---- writes ------------------------------------------------------------------------------

    /// Validates a config as a create would; the 400 lists Kafka's errors.
    fn check(&self, config: &Props) -> Result<()> {
        let plugin = validate::plugin_of(config).map_err(HerderError::bad_request)?;
        let infos = validate::validate(plugin, config, &self.config);
        if infos.error_count > 0 {
            return Err(HerderError::bad_request(infos.invalid_message()));
        }
        Ok(())
    }

    /// `putConnectorConfig`: creates (`Ok(true, …)`) or replaces the connector.
    pub async fn put_connector_config(
        &self,
        name: &str,
        config: OrderedMap,
        initial_state: Option<TargetState>,
        allow_replace: bool,
    ) -> Result<(bool, ConnectorInfo)> {
        let props = config.to_btree();
        self.check(&props)?;
        let exists = self.stores.config().config(name).is_some();
        if exists && !allow_replace {
            return Err(HerderError::new(409, format!("Connector {name} already exists")));
        }
        if !exists {
            if let Some(state) = initial_state {
                self.stores
                    .write_config(
                        &format!("{}{name}", config_topic::TARGET_STATE_PREFIX),
                        Some(config_topic::target_state_value(state)),
                    )
                    .await
                    .map_err(HerderError::internal)?;
            }
        }
        self.stores
            .write_config(
                &format!("{}{name}", config_topic::CONNECTOR_PREFIX),
                Some(config_topic::properties_value(&props)),
            )
            .await
            .map_err(HerderError::internal)?;
        self.kick();
        Ok((
            !exists,
            ConnectorInfo {
                name: name.to_string(),
                kind: kind_of(&props).to_string(),
                config,
                tasks: if exists { self.task_ids(name) } else { Vec::new() },
            },
        ))
    }

    /// `patchConnectorConfig`: a null value removes a key.
    pub async fn patch_connector_config(&self, name: &str, patch: PatchMap) -> Result<ConnectorInfo> {
        let mut config = self.raw_config(name)?;
        for (k, v) in patch.0 {
            match v {
                Some(v) => {
                    config.insert(k, v);
                }
                None => {
                    config.remove(&k);
                }
            }
        }
        if config.get("name").is_some_and(|n| n != name) {
            return Err(HerderError::bad_request(format!(
                "Connector name configuration ({}) doesn't match connector name in the URL ({name})",
                config["name"]
            )));
        }
        self.check(&config)?;
        self.stores
            .write_config(
                &format!("{}{name}", config_topic::CONNECTOR_PREFIX),
                Some(config_topic::properties_value(&config)),
            )
            .await
            .map_err(HerderError::internal)?;
        self.kick();
        Ok(ConnectorInfo {
            name: name.to_string(),
            kind: kind_of(&config).to_string(),
            config: OrderedMap::java_hash_order(&config),
            tasks: self.task_ids(name),
        })
    }

    pub async fn delete_connector(&self, name: &str) -> Result<()> {
        self.raw_config(name)?;
        for prefix in [config_topic::CONNECTOR_PREFIX, config_topic::TARGET_STATE_PREFIX] {
            self.stores
                .write_config(&format!("{prefix}{name}"), None)
                .await
                .map_err(HerderError::internal)?;
        }
        self.kick();
        Ok(())
    }

    /// Writes a target state (pause, resume, stop).
    pub async fn set_target(&self, name: &str, state: TargetState) -> Result<()> {
        if self.stores.config().config(name).is_none() {
            return Err(HerderError::not_found(format!("Unknown connector {name}")));
        }
        self.stores
            .write_config(
                &format!("{}{name}", config_topic::TARGET_STATE_PREFIX),
                Some(config_topic::target_state_value(state)),
            )
            .await
            .map_err(HerderError::internal)?;
        self.kick();
        Ok(())
    }

    /// `POST /connectors/{c}/restart` without query: the connector instance alone, now.
    pub async fn restart_connector(&self, name: &str) -> Result<()> {
        let config = self
            .stores
            .config()
            .config(name)
            .cloned()
            .ok_or_else(|| HerderError::not_found(format!("Unknown connector: {name}")))?;
        let target = self.stores.config().target(name);
        let mut worker = self.worker.lock().await;
        worker.start_connector(name, &config, target).await;
        drop(worker);
        self.kick();
        Ok(())
    }

    /// `POST /connectors/{c}/restart?includeTasks=…&onlyFailed=…`: recorded in the config topic;
    /// the answer shows what will restart as RESTARTING.
    pub async fn restart_connector_and_tasks(&self, name: &str, request: RestartRequest) -> Result<ConnectorStateInfo> {
        if self.stores.config().config(name).is_none() {
            return Err(HerderError::not_found(format!("Unknown connector: {name}")));
        }
        let mut info = self.connector_status(name)?;
        let restarts = |state: &str| !request.only_failed || state == State::Failed.name();
        if restarts(&info.connector.state) {
            info.connector.state = State::Restarting.name().to_string();
        }
        if request.include_tasks {
            for t in info.tasks.iter_mut() {
                if restarts(&t.state) {
                    t.state = State::Restarting.name().to_string();
                }
            }
        }
        self.stores
            .write_config(
                &format!("{}{name}", config_topic::RESTART_PREFIX),
                Some(config_topic::restart_value(request)),
            )
            .await
            .map_err(HerderError::internal)?;
        self.kick();
        Ok(info)
    }

    pub async fn restart_task(&self, name: &str, task: u32) -> Result<()> {
        let (config, target) = {
            let cfg = self.stores.config();
            let config = cfg
                .tasks(name)
                .get(task as usize)
                .cloned()
                .ok_or_else(|| HerderError::not_found(format!("Unknown task: {name}-{task}")))?;
            (config, cfg.target(name))
        };
        let mut worker = self.worker.lock().await;
        worker.start_task(name, task, &config, target);
        Ok(())
    }

    fn require_stopped(&self, name: &str) -> Result<Props> {
        let config = self.raw_config(name)?;
        let stopped = self.stores.status().connectors.get(name).is_some_and(|s| s.state == State::Stopped);
        if self.stores.config().target(name) != TargetState::Stopped || !stopped {
            return Err(HerderError::bad_request(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
            )));
        }
        Ok(config)
    }

    /// `PATCH …/offsets` (source connectors).
    pub async fn alter_offsets(&self, name: &str, offsets: Vec<ConnectorOffset>) -> Result<String> {
        let config = self.require_stopped(name)?;
        if kind_of(&config) == ConnectorType::Sink.name() {
            sink_offsets::alter(&self.admin, name, &offsets).await?;
            return Ok("The offsets for this connector have been altered successfully".into());
        }
        for o in offsets {
            let key = offset_topic::key(name, &o.partition);
            let value = (!o.offset.is_null()).then(|| offset_topic::value(&o.offset));
            self.stores
                .write_offset(&key, value.as_deref())
                .await
                .map_err(HerderError::internal)?;
            self.stores.offsets().apply(&key, value.as_deref());
        }
        Ok("The offsets for this connector have been altered successfully".into())
    }

    /// `DELETE …/offsets` (source connectors).
    pub async fn reset_offsets(&self, name: &str) -> Result<String> {
        let config = self.require_stopped(name)?;
        if kind_of(&config) == ConnectorType::Sink.name() {
            sink_offsets::reset(&self.admin, name).await?;
            return Ok("The offsets for this connector have been reset successfully".into());
        }
        let partitions: Vec<serde_json::Value> = self
            .stores
            .offsets()
            .connectors
            .get(name)
            .map(|m| m.values().map(|(p, _)| p.clone()).collect())
            .unwrap_or_default();
        for p in partitions {
            let key = offset_topic::key(name, &p);
            self.stores.write_offset(&key, None).await.map_err(HerderError::internal)?;
            self.stores.offsets().apply(&key, None);
        }
        Ok("The offsets for this connector have been reset successfully".into())
    }

    pub async fn reset_active_topics(&self, name: &str) -> Result<()> {
        for topic in self.active_topics(name) {
            self.stores
                .write_status(&status_topic::topic_key(&topic, name), None)
                .await
                .map_err(HerderError::internal)?;
        }
        Ok(())
    }

    // ---- reconciliation ----------------------------------------------------------------------

    fn kick(&self) {
        self.stores.config_changed.notify_one();
    }

    /// Takes part in the group and reconciles on every config change until `shutdown` fires,
    /// then stops everything.
    pub async fn run(&self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let member = tokio::spawn(membership::run(self.clone(), shutdown.clone()));
        loop {
            self.reconcile().await;
            tokio::select! {
                _ = self.stores.config_changed.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
        }
        {
            // Stop everything, then say so: UNASSIGNED, as Kafka's workers do on shutdown.
            let mut worker = self.worker.lock().await;
            let reporter = worker.reporter();
            let connectors: Vec<String> = worker.connectors.keys().cloned().collect();
            let tasks: Vec<(String, u32)> = worker.tasks.keys().cloned().collect();
            worker.stop_all().await;
            for (c, i) in tasks {
                reporter.task(&c, i, State::Unassigned, None).await;
            }
            for c in connectors {
                reporter.connector(&c, State::Unassigned, None).await;
            }
        }
        let _ = member.await;
    }

    /// Brings this worker in line with the config topic.
    pub async fn reconcile(&self) {
        let cfg = self.stores.config().clone();
        let restarts = std::mem::take(&mut self.stores.config().restarts);
        let (my_connectors, my_tasks) = {
            let mut g = self.group();
            // The leader rebalances when connectors or task counts changed since its assignment.
            if g.is_leader && g.connectors.is_some() {
                let counts = cfg.task_counts();
                if counts != g.assigned_for {
                    g.assigned_for = counts;
                    self.rejoin.notify_one();
                }
            }
            (g.connectors.clone(), g.tasks.clone())
        };
        let Some(my_connectors) = my_connectors else {
            return; // not in the group yet
        };
        let mut worker = self.worker.lock().await;
        let reporter = worker.reporter();
        // Whatever is no longer assigned here stops.
        let unassigned: Vec<String> = worker
            .connectors
            .keys()
            .filter(|n| !my_connectors.contains(n) && cfg.config(n).is_some())
            .cloned()
            .collect();
        for n in unassigned {
            worker.stop_connector(&n);
        }
        let unassigned_tasks: Vec<(String, u32)> = worker.tasks.keys().filter(|k| !my_tasks.contains(k)).cloned().collect();
        for (c, i) in unassigned_tasks {
            worker.stop_task(&c, i).await;
        }

        // Connectors deleted: stop them and their tasks, tombstone their statuses.
        let gone: Vec<String> = worker.connectors.keys().filter(|n| cfg.config(n).is_none()).cloned().collect();
        let known_status: Vec<String> = self
            .stores
            .status()
            .connectors
            .keys()
            .filter(|n| cfg.config(n).is_none())
            .cloned()
            .collect();
        for name in gone.iter().chain(known_status.iter()) {
            worker.stop_connector(name);
            let ids: Vec<u32> = worker.tasks.keys().filter(|(c, _)| c == name).map(|(_, i)| *i).collect();
            for id in ids {
                worker.stop_task(name, id).await;
            }
            let task_ids: Vec<u32> = self
                .stores
                .status()
                .tasks
                .keys()
                .filter(|(c, _)| c == name)
                .map(|(_, i)| *i)
                .collect();
            let _ = self.stores.write_status(&status_topic::connector_key(name), None).await;
            for id in task_ids {
                let _ = self.stores.write_status(&status_topic::task_key(name, id), None).await;
            }
            self.stores.status().forget(name);
        }

        worker.fail_raised().await;
        for name in cfg.connector_names() {
            let Some(config) = cfg.config(&name).cloned() else { continue };
            let owns_connector = my_connectors.contains(&name);
            let target = cfg.target(&name);
            let restart = restarts.iter().rev().find(|(n, _)| *n == name).map(|(_, r)| *r);
            let failed = |s: Option<State>| s == Some(State::Failed);
            let status_of = |stores: &Stores, id: Option<u32>| match id {
                None => stores.status().connectors.get(&name).map(|s| s.state),
                Some(i) => stores.status().tasks.get(&(name.clone(), i)).map(|s| s.state),
            };
            let restart_connector = restart.is_some_and(|r| !r.only_failed || failed(status_of(&self.stores, None)));
            let running = worker.connectors.get(&name);
            let needs_start = match running {
                None => true,
                Some(r) => r.config != config || r.target != target,
            };
            if owns_connector && (needs_start || restart_connector) {
                if restart_connector {
                    reporter.connector(&name, State::Restarting, None).await;
                }
                worker.start_connector(&name, &config, target).await;
            }

            // Leader duty: task configs follow the connector.
            let wanted_tasks: Option<Vec<Props>> = match (target, worker.connectors.get_mut(&name)) {
                (TargetState::Stopped, _) => Some(Vec::new()),
                // A paused connector is not asked for task configs (Kafka generates them only
                // for a started one): a connector created paused has no tasks until resumed.
                (TargetState::Paused, _) => None,
                (_, Some(running)) if running.failed => None,
                (_, Some(running)) => {
                    let max = config
                        .get("tasks.max")
                        .and_then(|m| m.trim().parse::<usize>().ok())
                        .unwrap_or(1)
                        .max(1);
                    match running.instance.task_configs(max) {
                        Ok(mut tasks) => {
                            let class = config.get("connector.class").cloned().unwrap_or_default();
                            for t in tasks.iter_mut() {
                                if let Some(task_class) = task_class_of(&class) {
                                    t.insert("task.class".into(), task_class.into());
                                }
                            }
                            Some(tasks)
                        }
                        Err(e) => {
                            reporter.connector(&name, State::Failed, Some(e.trace())).await;
                            None
                        }
                    }
                }
                (_, None) => None,
            };
            if let Some(tasks) = wanted_tasks.filter(|_| owns_connector) {
                if tasks.as_slice() != cfg.tasks(&name) {
                    if let Err(e) = self.write_task_configs(&name, &tasks).await {
                        tracing::error!(connector = name, "writing task configs: {e}");
                    }
                }
            }

            // Tasks: start what is configured and not running, stop what is no longer wanted.
            let configured = cfg.tasks(&name);
            let running_ids: Vec<u32> = worker.tasks.keys().filter(|(c, _)| *c == name).map(|(_, i)| *i).collect();
            for id in running_ids {
                if configured.get(id as usize).is_none() || target == TargetState::Stopped {
                    worker.stop_task(&name, id).await;
                    let _ = self.stores.write_status(&status_topic::task_key(&name, id), None).await;
                    self.stores.status().tasks.remove(&(name.clone(), id));
                }
            }
            if target == TargetState::Stopped && owns_connector {
                // Statuses of tasks this worker never ran (e.g. before a restart) go too.
                let stale: Vec<u32> = self
                    .stores
                    .status()
                    .tasks
                    .keys()
                    .filter(|(c, _)| *c == name)
                    .map(|(_, i)| *i)
                    .collect();
                for id in stale {
                    let _ = self.stores.write_status(&status_topic::task_key(&name, id), None).await;
                    self.stores.status().tasks.remove(&(name.clone(), id));
                }
                continue;
            }
            if target == TargetState::Stopped {
                continue;
            }
            for (i, task_config) in configured.iter().enumerate() {
                let id = i as u32;
                if !my_tasks.contains(&(name.clone(), id)) {
                    continue;
                }
                let restart_task =
                    restart.is_some_and(|r| r.include_tasks && (!r.only_failed || failed(status_of(&self.stores, Some(id)))));
                let current = worker.tasks.get(&(name.clone(), id));
                let start = match current {
                    None => true,
                    Some(t) => t.config != *task_config || t.finished(),
                };
                if start && current.is_some_and(|t| t.finished()) && !restart_task {
                    // A failed task stays failed until it is restarted.
                    continue;
                }
                if start || restart_task {
                    if restart_task {
                        reporter.task(&name, id, State::Restarting, None).await;
                    }
                    worker.start_task(&name, id, task_config, target);
                } else if let Some(t) = worker.tasks.get(&(name.clone(), id)) {
                    t.set(Control::from(target));
                }
            }
        }
    }

    async fn write_task_configs(&self, name: &str, tasks: &[Props]) -> std::result::Result<(), crate::storage::StoreError> {
        for (i, t) in tasks.iter().enumerate() {
            self.stores
                .config_log
                .send(
                    format!("{}{name}-{i}", config_topic::TASK_PREFIX).as_bytes(),
                    Some(&config_topic::properties_value(t)),
                    Some(0),
                )
                .await?;
        }
        self.stores
            .write_config(
                &format!("{}{name}", config_topic::COMMIT_PREFIX),
                Some(config_topic::commit_value(tasks.len())),
            )
            .await
    }
}

/// The task class Kafka Connect records in each task config (`task.class`).
fn task_class_of(connector_class: &str) -> Option<&'static str> {
    connectors::find(connector_class).map(|p| p.task_class)
}
