//! Reconciles a `Connector` through the Connect REST API of its cluster's workers: validate the
//! config before creating or changing it (an invalid config is `Ready=False, InvalidConfig` with
//! the worker's messages, never a retry loop), create it directly in its asked-for state, put the
//! config only when the worker's differs, move its state, honour the restart annotations once,
//! restart failures with back-off when `autoRestart` is on, and mirror `GET /status` and
//! `GET /topics` into status. Connect has no watch, so a connector is polled: every 30 s while it
//! is as asked, sooner while it starts. A finalizer deletes the connector; a cluster that is gone
//! releases it with an event. The workers are called only while the cluster's status says they
//! serve (`cluster::serving`): while the cluster starts or rolls, the connector keeps its status
//! (no call, no event, no growing back-off) until the watch on clusters brings it back.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::{watcher, Controller};
use kube::{Api, Client, ResourceExt};

use crate::cluster::serving::{connect_serving, NotServing};
use crate::conditions::Reason;
use crate::connector::desired::desired;
use crate::connector::plan::{self, ConfigStep, RESTART_ANNOTATION, RESTART_TASK_ANNOTATION};
use crate::connector::status::{connector_status, readiness, report, waiting_for_cluster, Readiness};
use crate::crd::{AutoRestartStatus, Connector, ConnectorStatusReport, KafkaCluster};
use crate::runtime::apply::apply_status;
use crate::runtime::connect_rest::{ConnectRest, RestError};
use crate::runtime::finalize::reconcile_with_finalizer;
use crate::runtime::scope::api;
use crate::runtime::startup::Listing;
use crate::runtime::wiring;
use crate::runtime::{Error, Shared};

/// The controller's name in metrics and logs.
pub const CONTROLLER: &str = "connector";
/// Removed once the connector is deleted from its workers (or its cluster is gone).
pub const FINALIZER: &str = "kaskade.dev/connector";
/// How often a connector that is as asked is polled.
const POLL_READY: Duration = Duration::from_secs(30);
/// How often a connector that is starting or changing state is polled.
const POLL_STARTING: Duration = Duration::from_secs(3);

/// The controller for the Connectors of `ns` (all namespaces with `None`), until `stop`. A cluster
/// that appears or changes (gets `spec.connect`) retriggers the connectors that name it.
pub fn run(
    client: Client,
    ns: Option<&str>,
    shared: Arc<Shared>,
    listing: Listing,
    stop: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let controller = Controller::new(api::<Connector>(&client, ns), watcher::Config::default());
    let store = controller.store();
    let controller = controller.watches(
        api::<KafkaCluster>(&client, ns),
        watcher::Config::default(),
        move |kc: KafkaCluster| {
            let ns = kc.namespace();
            let name = kc.name_any();
            store
                .state()
                .into_iter()
                .filter(|c| c.spec.cluster == name && c.namespace() == ns)
                .map(|c| ObjectRef::from_obj(c.as_ref()))
                .collect::<Vec<_>>()
        },
    );
    wiring::run(controller, CONTROLLER, listing, reconcile, error_policy, shared, stop)
}

/// How a reconcile ended, before it becomes status.
struct Outcome {
    readiness: Readiness,
    report: Option<ConnectorStatusReport>,
    topics: Option<Vec<String>>,
    auto_restart: Option<AutoRestartStatus>,
    next: Next,
}

/// When to look again.
enum Next {
    /// Poll the worker after this long.
    Poll(Duration),
    /// Back off (the worker or the cluster may come back).
    Backoff,
    /// Only a change of the resource (or its cluster) can help.
    AwaitChange,
    /// The cluster does not serve: nothing was asked of its workers.
    ClusterNotServing(NotServing),
}

impl Outcome {
    fn stalled(reason: Reason, message: String, previous: Option<&AutoRestartStatus>) -> Self {
        Outcome {
            readiness: Readiness::new(false, reason, message),
            report: None,
            topics: None,
            auto_restart: previous.cloned(),
            next: Next::AwaitChange,
        }
    }
    fn waiting(reason: Reason, message: String, previous: Option<&AutoRestartStatus>) -> Self {
        Outcome {
            next: Next::Backoff,
            ..Outcome::stalled(reason, message, previous)
        }
    }
}

/// One reconcile of `connector`.
pub async fn reconcile(connector: Arc<Connector>, ctx: Arc<Shared>) -> Result<Action, Error> {
    let _timer = ctx.metrics.reconcile(CONTROLLER);
    let ns = connector.namespace().ok_or_else(|| Error::NoNamespace(connector.name_any()))?;
    let api: Api<Connector> = Api::namespaced(ctx.client.clone(), &ns);
    let (ns, ctx) = (ns.as_str(), ctx.as_ref());
    reconcile_with_finalizer(
        &api,
        FINALIZER,
        connector,
        &ctx.metrics,
        CONTROLLER,
        |o| async move { apply_connector(&o, ns, ctx).await },
        |o| async move { cleanup_connector(&o, ns, ctx).await },
    )
    .await
}

async fn apply_connector(connector: &Connector, ns: &str, ctx: &Shared) -> Result<Action, Error> {
    let key = format!("{CONTROLLER}/{ns}/{}", connector.name_any());
    let mut writes = 0u64;
    let outcome = sync(connector, ns, ctx, &mut writes).await?;
    if let Next::ClusterNotServing(why) = &outcome.next {
        return wait_for_cluster(connector, ns, ctx, why, &key).await;
    }
    let status = connector_status(
        connector.metadata.generation,
        connector.status.as_ref(),
        outcome.readiness.clone(),
        outcome.report,
        outcome.topics,
        outcome.auto_restart,
        &Time(Timestamp::now()),
    );
    let api: Api<Connector> = Api::namespaced(ctx.client.clone(), ns);
    if apply_status(&api, connector, connector.status.as_ref(), &status).await? {
        writes += 1;
        let was = connector
            .status
            .as_ref()
            .and_then(|s| crate::conditions::find(&s.conditions, crate::conditions::READY))
            .map(|c| c.reason.clone());
        let r = &outcome.readiness;
        if !r.ready && was.as_deref() != Some(r.reason.as_str()) {
            ctx.event(connector, true, r.reason.as_str(), "Reconcile", r.message.clone()).await;
        }
    }
    ctx.metrics.writes(CONTROLLER, writes);
    match outcome.next {
        Next::Backoff => {
            let delay = ctx.backoff(&key);
            tracing::info!(connector = %connector.name_any(), reason = %outcome.readiness.reason, ?delay, "{}", outcome.readiness.message);
            Ok(Action::requeue(delay))
        }
        Next::Poll(after) => {
            ctx.succeeded(&key);
            Ok(Action::requeue(after))
        }
        Next::AwaitChange | Next::ClusterNotServing(_) => {
            ctx.succeeded(&key);
            Ok(Action::await_change())
        }
    }
}

/// The cluster does not serve (starting, rolling, invalid): an expected outage, not a failure.
/// The status is kept, or says `ClusterNotReady` if the connector never reached its workers; no
/// event, and the back-off starts afresh. A change of the cluster brings the connector back.
async fn wait_for_cluster(connector: &Connector, ns: &str, ctx: &Shared, why: &NotServing, key: &str) -> Result<Action, Error> {
    let now = Time(Timestamp::now());
    if let Some(status) = waiting_for_cluster(connector.metadata.generation, connector.status.as_ref(), why, &now) {
        let api: Api<Connector> = Api::namespaced(ctx.client.clone(), ns);
        if apply_status(&api, connector, connector.status.as_ref(), &status).await? {
            ctx.metrics.writes(CONTROLLER, 1);
        }
    }
    ctx.succeeded(key);
    tracing::debug!(connector = %connector.name_any(), cluster = %why.cluster, why = %why.why, detail = %why.detail, "waiting for the cluster to serve");
    Ok(Action::requeue(POLL_READY))
}

/// What a REST error means: a worker that does not answer (or is rebalancing) is waited for.
fn rest_outcome(e: RestError, previous: Option<&AutoRestartStatus>) -> Result<Outcome, Error> {
    if e.is_transient() {
        Ok(Outcome::waiting(Reason::ConnectUnreachable, e.to_string(), previous))
    } else {
        Err(e.into())
    }
}

/// Brings the worker's connector in line with the resource; `writes` counts what it changed.
async fn sync(connector: &Connector, ns: &str, ctx: &Shared, writes: &mut u64) -> Result<Outcome, Error> {
    let previous_restarts = connector.status.as_ref().and_then(|s| s.auto_restart.as_ref());
    let desired = match desired(connector) {
        Ok(d) => d,
        Err(message) => return Ok(Outcome::stalled(Reason::InvalidSpec, message, previous_restarts)),
    };
    let cluster_name = &connector.spec.cluster;
    let clusters: Api<KafkaCluster> = Api::namespaced(ctx.client.clone(), ns);
    let cluster = match clusters.get_opt(cluster_name).await? {
        Some(c) if c.metadata.deletion_timestamp.is_none() => c,
        _ => {
            let message = format!("KafkaCluster {cluster_name} does not exist in namespace {ns}");
            return Ok(Outcome::waiting(Reason::ClusterNotFound, message, previous_restarts));
        }
    };
    if cluster.spec.connect.is_none() {
        let message = format!("KafkaCluster {cluster_name} has no spec.connect: no Connect workers run the connector");
        return Ok(Outcome::stalled(Reason::ConnectNotEnabled, message, previous_restarts));
    }
    if let Err(why) = connect_serving(&cluster) {
        return Ok(Outcome {
            next: Next::ClusterNotServing(why),
            ..Outcome::stalled(Reason::ClusterNotReady, String::new(), previous_restarts)
        });
    }
    let rest = ctx.connect(ns, cluster_name);
    let live = match rest.config(&desired.name).await {
        Ok(live) => live,
        Err(e) => return rest_outcome(e, previous_restarts),
    };
    let step = plan::config_step(&desired, live.as_ref());
    if step != ConfigStep::Keep {
        match validate(&rest, &desired.class, &desired.config).await {
            Ok(None) => {}
            Ok(Some(message)) => return Ok(Outcome::stalled(Reason::InvalidConfig, message, previous_restarts)),
            Err(e) => return rest_outcome(e, previous_restarts),
        }
        let (done, reason, what) = match step {
            ConfigStep::Create { initial_state } => (
                rest.create(&desired.name, &desired.config, initial_state).await,
                "Created",
                format!("created in state {initial_state}"),
            ),
            _ => (
                rest.put_config(&desired.name, &desired.config).await,
                "ConfigUpdated",
                "config updated".to_string(),
            ),
        };
        match done {
            Ok(()) => {
                *writes += 1;
                let note = format!("connector {} {what} on {}", desired.name, rest.base());
                ctx.event(connector, false, reason, "Reconcile", note).await;
            }
            // A config the worker refuses despite validating (a race, or a plugin's own check).
            Err(RestError::Api { status: 400, message, .. }) => {
                return Ok(Outcome::stalled(Reason::InvalidConfig, message, previous_restarts))
            }
            Err(e) => return rest_outcome(e, previous_restarts),
        }
    }
    if let Err(e) = restart_annotations(connector, ns, ctx, &rest, &desired.name, writes).await {
        return rest_outcome(e, previous_restarts);
    }
    let info = match rest.status(&desired.name).await {
        Ok(Some(info)) => info,
        Ok(None) => {
            return Ok(Outcome {
                next: Next::Poll(POLL_STARTING),
                ..Outcome::stalled(
                    Reason::ConnectorStarting,
                    format!("connector {} has no status yet", desired.name),
                    previous_restarts,
                )
            })
        }
        Err(e) => return rest_outcome(e, previous_restarts),
    };
    let mut changing = false;
    if let Some(action) = plan::state_step(desired.state, &info.connector.state) {
        if let Err(e) = rest.transition(&desired.name, action).await {
            return rest_outcome(e, previous_restarts);
        }
        *writes += 1;
        changing = true;
        let note = format!("connector {}: {action} (was {})", desired.name, info.connector.state);
        ctx.event(connector, false, "StateChanged", "Reconcile", note).await;
    }
    let now = Time(Timestamp::now());
    let decision = plan::auto_restart(connector.spec.auto_restart.as_ref(), &info, previous_restarts, &now);
    if decision.restart {
        if let Err(e) = rest.restart(&desired.name, true, true).await {
            return rest_outcome(e, previous_restarts);
        }
        *writes += 1;
        changing = true;
        let count = decision.status.as_ref().map_or(0, |s| s.count);
        let note = format!(
            "restarting the failed connector and tasks of {} (automatic restart {count})",
            desired.name
        );
        ctx.event(connector, true, "AutoRestart", "Reconcile", note).await;
    }
    let topics = rest.topics(&desired.name).await.ok();
    let mut readiness = readiness(desired.state, &info, connector.status.as_ref(), &now);
    if decision.gave_up {
        readiness.message.push_str(&format!(
            "; autoRestart gave up after {} restart(s)",
            decision.status.as_ref().map_or(0, |s| s.count)
        ));
    }
    let next = match (&readiness, decision.wait) {
        _ if changing => Next::Poll(POLL_STARTING),
        (r, _) if r.ready => Next::Poll(POLL_READY),
        (_, Some(wait)) => Next::Poll(wait.max(POLL_STARTING)),
        (r, _) if matches!(r.reason, Reason::ConnectorFailed | Reason::TaskFailed) => Next::Poll(POLL_READY),
        _ => Next::Poll(POLL_STARTING),
    };
    Ok(Outcome {
        readiness,
        report: Some(report(&info)),
        topics,
        auto_restart: decision.status,
        next,
    })
}

/// `PUT /connector-plugins/CLASS/config/validate`: `Some(message)` listing the worker's errors
/// when the config is invalid (an unknown class included).
async fn validate(rest: &ConnectRest, class: &str, config: &BTreeMap<String, String>) -> Result<Option<String>, RestError> {
    match rest.validate(class, config).await {
        Ok(infos) if infos.error_count == 0 => Ok(None),
        Ok(infos) => {
            let errors: Vec<String> = infos
                .configs
                .iter()
                .flat_map(|c| c.value.errors.iter().map(move |e| format!("{}: {e}", c.value.name)))
                .collect();
            Ok(Some(format!(
                "the worker's validation of {class} found {} error(s): {}",
                infos.error_count,
                errors.join("; ")
            )))
        }
        Err(RestError::Api { status, message, .. }) if (400..500).contains(&status) && status != 409 => {
            Ok(Some(format!("the worker refused {class}: {message}")))
        }
        Err(e) => Err(e),
    }
}

/// Honours `kaskade.dev/restart` and `kaskade.dev/restart-task` once: the restart is asked for,
/// then the annotation is removed (an unreadable value is removed with a warning event).
async fn restart_annotations(
    connector: &Connector,
    ns: &str,
    ctx: &Shared,
    rest: &ConnectRest,
    name: &str,
    writes: &mut u64,
) -> Result<(), RestError> {
    let annotations = connector.annotations();
    for key in [RESTART_ANNOTATION, RESTART_TASK_ANNOTATION] {
        let Some(value) = annotations.get(key) else { continue };
        let asked = if key == RESTART_ANNOTATION {
            plan::parse_restart(value).map(|r| (None, r))
        } else {
            plan::parse_restart_task(value).map(|t| (Some(t), plan::Restart::default()))
        };
        match asked {
            Ok((None, r)) => {
                rest.restart(name, r.include_tasks, r.only_failed).await?;
                let note = format!(
                    "connector {name} restarted (includeTasks={}, onlyFailed={})",
                    r.include_tasks, r.only_failed
                );
                ctx.event(connector, false, "Restarted", "Restart", note).await;
            }
            Ok((Some(task), _)) => {
                rest.restart_task(name, task).await?;
                ctx.event(connector, false, "Restarted", "Restart", format!("task {task} of {name} restarted"))
                    .await;
            }
            Err(message) => ctx.event(connector, true, "InvalidAnnotation", "Restart", message).await,
        }
        *writes += 2;
        let api: Api<Connector> = Api::namespaced(ctx.client.clone(), ns);
        let patch = serde_json::json!({"metadata": {"annotations": {key: null}}});
        if let Err(e) = api
            .patch(&connector.name_any(), &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            tracing::warn!(connector = %connector.name_any(), error = %e, "could not remove {key}");
        }
    }
    Ok(())
}

/// Deletes the connector from its workers; a cluster that is gone (or runs no workers) releases
/// the finalizer with an event, so a namespace's deletion never hangs on it.
async fn cleanup_connector(connector: &Connector, ns: &str, ctx: &Shared) -> Result<Action, Error> {
    let name = connector.connect_name();
    let cluster_name = &connector.spec.cluster;
    let clusters: Api<KafkaCluster> = Api::namespaced(ctx.client.clone(), ns);
    let cluster = clusters.get_opt(cluster_name).await?;
    let live = cluster
        .as_ref()
        .filter(|c| c.metadata.deletion_timestamp.is_none() && c.spec.connect.is_some());
    if live.is_none() {
        let note =
            format!("KafkaCluster {cluster_name} or its Connect workers are gone; finalizer removed without deleting connector {name}");
        ctx.event(connector, true, "ClusterGone", "Delete", note).await;
        return Ok(Action::await_change());
    }
    ctx.connect(ns, cluster_name).delete(&name).await?;
    ctx.event(connector, false, "Deleted", "Delete", format!("connector {name} deleted"))
        .await;
    Ok(Action::await_change())
}

/// Retries a failed reconcile with back-off.
pub fn error_policy(connector: Arc<Connector>, error: &Error, ctx: Arc<Shared>) -> Action {
    ctx.metrics.error(CONTROLLER, error.metric_label());
    let key = format!(
        "{CONTROLLER}/{}/{}",
        connector.namespace().unwrap_or_default(),
        connector.name_any()
    );
    let delay = ctx.backoff(&key);
    tracing::warn!(connector = %connector.name_any(), %error, ?delay, "reconcile failed; retrying");
    Action::requeue(delay)
}
