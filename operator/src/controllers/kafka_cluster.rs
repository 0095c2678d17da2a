//! Reconciles a `KafkaCluster`: validate and build its objects (pure, in `crate::cluster`), apply
//! them in order (ConfigMap, Services, PodDisruptionBudget, StatefulSet; then the Connect
//! ConfigMap, Service and Deployment, the Deployment only once a broker is ready so that workers
//! never crash-loop on absent brokers), delete the objects it owns that the spec no longer asks
//! for, then patch status. Nothing is written when nothing changed; an invalid spec deletes nothing.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::controller::Action;
use kube::runtime::{watcher, Controller};
use kube::{Api, Client, ResourceExt};

use crate::cluster::{self, names, ClusterDefaults};
use crate::crd::KafkaCluster;
use crate::runtime::apply::{apply, apply_status};
use crate::runtime::orphans;
use crate::runtime::scope::api;
use crate::runtime::startup::Listing;
use crate::runtime::wiring::{self, owned_objects};
use crate::runtime::{Error, Shared};

/// The controller's name in metrics and logs.
pub const CONTROLLER: &str = "kafkacluster";

/// The KafkaCluster controller's context: what every controller shares, and the operator's
/// defaults for a cluster's objects.
pub struct ClusterContext {
    pub shared: Arc<Shared>,
    pub defaults: ClusterDefaults,
}

impl std::ops::Deref for ClusterContext {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.shared
    }
}

/// The controller for the KafkaClusters of `ns` (all namespaces with `None`): it watches them and
/// the objects they own, until `stop`.
pub fn run(
    client: Client,
    ns: Option<&str>,
    ctx: ClusterContext,
    listing: Listing,
    stop: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let controller = Controller::new(api::<KafkaCluster>(&client, ns), watcher::Config::default())
        .owns(api::<StatefulSet>(&client, ns), owned_objects())
        .owns(api::<ConfigMap>(&client, ns), owned_objects())
        .owns(api::<Service>(&client, ns), owned_objects())
        .owns(api::<PodDisruptionBudget>(&client, ns), owned_objects())
        .owns(api::<Deployment>(&client, ns), owned_objects());
    wiring::run(controller, CONTROLLER, listing, reconcile, error_policy, Arc::new(ctx), stop)
}

/// One reconcile of `kc`.
pub async fn reconcile(kc: Arc<KafkaCluster>, ctx: Arc<ClusterContext>) -> Result<Action, Error> {
    let _timer = ctx.metrics.reconcile(CONTROLLER);
    let ns = kc.namespace().ok_or_else(|| Error::NoNamespace(kc.name_any()))?;
    let name = kc.name_any();
    let client = ctx.client.clone();
    let mut writes = 0u64;

    let built = cluster::build_all(&kc, &ctx.defaults);
    let statefulsets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    let observed = match &built {
        Ok(objects) => {
            let mut changed = Vec::new();
            apply_noting(
                &Api::namespaced(client.clone(), &ns),
                &objects.config_map,
                "ConfigMap",
                &mut changed,
            )
            .await?;
            apply_noting(
                &Api::namespaced(client.clone(), &ns),
                &objects.headless_service,
                "headless Service",
                &mut changed,
            )
            .await?;
            apply_noting(
                &Api::namespaced(client.clone(), &ns),
                &objects.bootstrap_service,
                "bootstrap Service",
                &mut changed,
            )
            .await?;
            let pdbs = Api::namespaced(client.clone(), &ns);
            apply_noting(&pdbs, &objects.pod_disruption_budget, "PodDisruptionBudget", &mut changed).await?;
            let statefulset = apply_noting(&statefulsets, &objects.stateful_set, "StatefulSet", &mut changed).await?;
            let brokers_ready = statefulset.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
            let deployment = match &objects.connect {
                Some(connect) => apply_connect(&client, &ns, connect, brokers_ready > 0, &mut changed).await?,
                None => None,
            };
            writes += changed.len() as u64;
            let deleted = delete_orphans(&client, &ns, objects).await?;
            writes += deleted.len() as u64;
            if !deleted.is_empty() {
                ctx.event(
                    kc.as_ref(),
                    false,
                    "Deleted",
                    "Reconcile",
                    format!("deleted {}, which the spec no longer asks for", deleted.join(", ")),
                )
                .await;
            }
            if !changed.is_empty() {
                ctx.event(
                    kc.as_ref(),
                    false,
                    "Applied",
                    "Reconcile",
                    format!("applied {}", changed.join(", ")),
                )
                .await;
            }
            Some((statefulset, deployment))
        }
        Err(_) => None,
    };
    let (observed, deployment) = match observed {
        Some((statefulset, deployment)) => (Some(statefulset), deployment),
        // An invalid spec changes nothing: the brokers and workers of the last valid spec still
        // run, and the status keeps reporting what they do.
        None => observe_running(&client, &ns, &name, kc.status.as_ref()).await?,
    };

    let previous = kc.status.clone().unwrap_or_default();
    let ready = observed
        .as_ref()
        .and_then(|s| s.status.as_ref())
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    let cluster_id = match (&built, ready > 0) {
        (Ok(_), true) => match ctx.admin(&ns, &name).cluster_id().await {
            Ok(id) => id.or(previous.cluster_id.clone()),
            Err(e) => {
                tracing::debug!(cluster = %name, error = %e, "cluster id not read");
                previous.cluster_id.clone()
            }
        },
        _ => previous.cluster_id.clone(),
    };
    let status = cluster::cluster_status(
        kc.metadata.generation,
        built.as_ref().map(|objects| &objects.cluster),
        observed.as_ref(),
        deployment.as_ref(),
        Some(&previous),
        &Time(Timestamp::now()),
        cluster_id,
    );
    let api: Api<KafkaCluster> = Api::namespaced(client, &ns);
    if apply_status(&api, kc.as_ref(), kc.status.as_ref(), &status).await? {
        writes += 1;
        if let Err(problem) = &built {
            let was = crate::conditions::find(&previous.conditions, crate::conditions::READY).map(|c| c.reason.clone());
            if was.as_deref() != Some(problem.reason.as_str()) {
                ctx.event(kc.as_ref(), true, problem.reason.as_str(), "Validate", problem.message.clone())
                    .await;
            }
        }
    }
    ctx.metrics.writes(CONTROLLER, writes);
    ctx.succeeded(&format!("{CONTROLLER}/{ns}/{name}"));
    let connect_waiting = kc
        .spec
        .connect
        .as_ref()
        .is_some_and(|c| status.connect_ready_replicas.unwrap_or(0) < c.replicas);
    Ok(match built {
        // An invalid spec waits for the next change of the resource: no retry loop.
        Err(_) => Action::await_change(),
        Ok(_) if ready < kc.spec.replicas || connect_waiting => Action::requeue(Duration::from_secs(30)),
        Ok(_) => Action::requeue(Duration::from_secs(300)),
    })
}

/// What still runs of the last valid spec while the spec is invalid: the StatefulSet, and the
/// Connect Deployment when the status reports workers.
async fn observe_running(
    client: &Client,
    ns: &str,
    name: &str,
    status: Option<&crate::crd::KafkaClusterStatus>,
) -> Result<(Option<StatefulSet>, Option<Deployment>), Error> {
    let statefulset = Api::<StatefulSet>::namespaced(client.clone(), ns)
        .get_opt(&names::statefulset(name))
        .await?;
    let reports_connect = status.is_some_and(|s| s.connect_url.is_some() || s.connect_ready_replicas.is_some());
    let deployment = if reports_connect {
        Api::<Deployment>::namespaced(client.clone(), ns)
            .get_opt(&names::connect_deployment(name))
            .await?
    } else {
        None
    };
    Ok((statefulset, deployment))
}

/// Applies one object, noting `what` in `changed` when it wrote; returns the live object.
async fn apply_noting<K>(api: &Api<K>, obj: &K, what: &'static str, changed: &mut Vec<&'static str>) -> Result<K, Error>
where
    K: kube::Resource + Clone + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let (wrote, live) = apply(api, obj).await?;
    if wrote {
        changed.push(what);
    }
    Ok(live)
}

/// Applies the Connect workers' ConfigMap and Service, and their Deployment once `brokers_ready`
/// or when it exists already (a broker restarting never takes the workers away). Returns the
/// live Deployment, if any.
async fn apply_connect(
    client: &Client,
    ns: &str,
    connect: &cluster::ConnectObjects,
    brokers_ready: bool,
    changed: &mut Vec<&'static str>,
) -> Result<Option<Deployment>, Error> {
    apply_noting(
        &Api::namespaced(client.clone(), ns),
        &connect.config_map,
        "Connect ConfigMap",
        changed,
    )
    .await?;
    apply_noting(&Api::namespaced(client.clone(), ns), &connect.service, "Connect Service", changed).await?;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), ns);
    if !brokers_ready && deployments.get_opt(&connect.deployment.name_any()).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(
        apply_noting(&deployments, &connect.deployment, "Connect Deployment", changed).await?,
    ))
}

/// Deletes the objects of the kinds a cluster owns that carry its labels and controller
/// reference but were not among `objects` (see `runtime::orphans`); returns `Kind/name` of each.
async fn delete_orphans(client: &Client, ns: &str, objects: &cluster::ClusterObjects) -> Result<Vec<String>, Error> {
    let selector = orphans::selector(&objects.cluster.name);
    let uid = objects.cluster.owner.uid.as_str();
    let connect = objects.connect.as_ref();
    let mut config_maps = vec![&objects.config_map];
    let mut services = vec![&objects.headless_service, &objects.bootstrap_service];
    config_maps.extend(connect.map(|c| &c.config_map));
    services.extend(connect.map(|c| &c.service));
    let deployments: Vec<&Deployment> = connect.map(|c| &c.deployment).into_iter().collect();
    let mut deleted = orphans::delete_orphans(client, ns, &selector, uid, &config_maps).await?;
    deleted.extend(orphans::delete_orphans(client, ns, &selector, uid, &services).await?);
    deleted.extend(orphans::delete_orphans(client, ns, &selector, uid, &[&objects.pod_disruption_budget]).await?);
    deleted.extend(orphans::delete_orphans(client, ns, &selector, uid, &[&objects.stateful_set]).await?);
    deleted.extend(orphans::delete_orphans(client, ns, &selector, uid, &deployments).await?);
    Ok(deleted)
}

/// Retries a failed reconcile with back-off.
pub fn error_policy(kc: Arc<KafkaCluster>, error: &Error, ctx: Arc<ClusterContext>) -> Action {
    ctx.metrics.error(CONTROLLER, error.metric_label());
    let key = format!("{CONTROLLER}/{}/{}", kc.namespace().unwrap_or_default(), kc.name_any());
    let delay = ctx.backoff(&key);
    tracing::warn!(cluster = %kc.name_any(), %error, ?delay, "reconcile failed; retrying");
    Action::requeue(delay)
}
