//! Reconciles a `Topic` through the Kafka admin API of its cluster: create it, grow partitions,
//! change configs, and delete it with the resource (a finalizer) unless `deletionPolicy: Retain`.
//! Problems Kafka or the spec cause are reported as `Ready=False` with a reason, retried with
//! back-off where waiting can help; the finalizer never outlives the cluster. The brokers are
//! called only while the cluster's status says they serve (`cluster::serving`): a cluster that
//! starts or rolls is waited for quietly — no call, no event, no growing back-off — and the
//! watch on clusters brings the Topic back when the cluster's status changes.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use kube::runtime::controller::Action;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::{watcher, Controller};
use kube::{Api, Client, ResourceExt};

use crate::cluster::serving::{brokers_serving, NotServing};
use crate::conditions::Reason;
use crate::crd::{DeletionPolicy, KafkaCluster, Topic};
use crate::runtime::apply::apply_status;
use crate::runtime::context::UNREACHABLE_RETRY;
use crate::runtime::finalize::reconcile_with_finalizer;
use crate::runtime::scope::api;
use crate::runtime::startup::Listing;
use crate::runtime::wiring;
use crate::runtime::{Error, Shared};
use crate::topic::conflict::owner_other_than;
use crate::topic::plan::{self, Partitions, Refusal};
use crate::topic::status::{counted, topic_status, waiting_for_cluster};
use kaskade_client::{AdminError, KafkaAdmin, ResponseError};

/// The controller's name in metrics and logs.
pub const CONTROLLER: &str = "topic";
/// Removed once the Kafka topic is deleted (or kept, or its cluster is gone).
pub const FINALIZER: &str = "kaskade.dev/topic";
/// How often a Topic that is as asked (or waits for its cluster) is looked at again.
const RESYNC: Duration = Duration::from_secs(300);

/// The Topic controller's context: what every controller shares, and the controller's cache of
/// Topics, which the conflict check reads instead of listing Topics on every reconcile (a list
/// per reconcile held 100 copies of the list in memory at once).
pub struct TopicContext {
    pub shared: Arc<Shared>,
    topics: Store<Topic>,
}

impl std::ops::Deref for TopicContext {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.shared
    }
}

impl TopicContext {
    /// The cached Topics of `namespace`.
    fn topics_in(&self, namespace: &str) -> Vec<Arc<Topic>> {
        self.topics
            .state()
            .into_iter()
            .filter(|t| t.namespace().as_deref() == Some(namespace))
            .collect()
    }
}

/// The controller for the Topics of `ns` (all namespaces with `None`), until `stop`. A cluster
/// that appears or changes (becomes ready) retriggers the topics that name it.
pub fn run(
    client: Client,
    ns: Option<&str>,
    shared: Arc<Shared>,
    listing: Listing,
    stop: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let controller = Controller::new(api::<Topic>(&client, ns), watcher::Config::default());
    let store = controller.store();
    let ctx = TopicContext {
        shared,
        topics: store.clone(),
    };
    let controller = controller.watches(
        api::<KafkaCluster>(&client, ns),
        watcher::Config::default(),
        move |kc: KafkaCluster| {
            let ns = kc.namespace();
            let name = kc.name_any();
            store
                .state()
                .into_iter()
                .filter(|t| t.spec.cluster == name && t.namespace() == ns)
                .map(|t| ObjectRef::from_obj(t.as_ref()))
                .collect::<Vec<_>>()
        },
    );
    wiring::run(controller, CONTROLLER, listing, reconcile, error_policy, Arc::new(ctx), stop)
}

/// How a reconcile ended, before it becomes status.
struct Outcome {
    ready: bool,
    reason: Reason,
    message: String,
    topic_id: Option<String>,
    /// Retry soon with back-off: waiting may fix it (broker down, cluster not there yet).
    retry: bool,
    /// The cluster does not serve: nothing was asked of its brokers.
    cluster_not_serving: Option<NotServing>,
}

impl Outcome {
    fn refused(r: Refusal) -> Self {
        Outcome {
            ready: false,
            reason: r.reason,
            message: r.message,
            topic_id: None,
            retry: false,
            cluster_not_serving: None,
        }
    }
    fn waiting(reason: Reason, message: String) -> Self {
        Outcome {
            retry: true,
            ..Outcome::refused(Refusal { reason, message })
        }
    }
    fn cluster_not_serving(why: NotServing) -> Self {
        Outcome {
            cluster_not_serving: Some(why),
            ..Outcome::refused(Refusal {
                reason: Reason::ClusterNotReady,
                message: String::new(),
            })
        }
    }
}

/// One reconcile of `topic`.
pub async fn reconcile(topic: Arc<Topic>, ctx: Arc<TopicContext>) -> Result<Action, Error> {
    let _timer = ctx.metrics.reconcile(CONTROLLER);
    let ns = topic.namespace().ok_or_else(|| Error::NoNamespace(topic.name_any()))?;
    let api: Api<Topic> = Api::namespaced(ctx.client.clone(), &ns);
    let (ns, ctx) = (ns.as_str(), ctx.as_ref());
    reconcile_with_finalizer(
        &api,
        FINALIZER,
        topic,
        &ctx.metrics,
        CONTROLLER,
        |o| async move { apply_topic(&o, ns, ctx).await },
        |o| async move { cleanup_topic(&o, ns, ctx).await },
    )
    .await
}

async fn apply_topic(topic: &Topic, ns: &str, ctx: &TopicContext) -> Result<Action, Error> {
    let key = format!("{CONTROLLER}/{ns}/{}", topic.name_any());
    let outcome = match sync(topic, ns, ctx).await {
        Ok(o) => o,
        Err(Error::Kafka(e)) => kafka_outcome(&e),
        Err(e) => return Err(e),
    };
    if let Some(why) = &outcome.cluster_not_serving {
        return wait_for_cluster(topic, ns, ctx, why, &key).await;
    }
    if outcome.reason == Reason::BrokerUnreachable && ctx.unreachable_is_new(&key) {
        // The cluster's status said it served, but its status lags its pods: a roll may have
        // begun. Look again soon, quietly; report it only if it lasts.
        tracing::debug!(topic = %topic.name_any(), "{}; retrying within the grace period", outcome.message);
        return Ok(Action::requeue(UNREACHABLE_RETRY));
    }
    let status = topic_status(
        topic.metadata.generation,
        topic.status.as_ref(),
        outcome.ready,
        outcome.reason,
        outcome.message.clone(),
        outcome.topic_id.clone(),
        &Time(Timestamp::now()),
    );
    let api: Api<Topic> = Api::namespaced(ctx.client.clone(), ns);
    if apply_status(&api, topic, topic.status.as_ref(), &status).await? {
        ctx.metrics.writes(CONTROLLER, 1);
        if !outcome.ready {
            ctx.event(topic, true, outcome.reason.as_str(), "Reconcile", outcome.message.clone())
                .await;
        }
    }
    if outcome.retry {
        let delay = ctx.backoff(&key);
        tracing::info!(topic = %topic.name_any(), reason = %outcome.reason, ?delay, "{}", outcome.message);
        return Ok(Action::requeue(delay));
    }
    ctx.succeeded(&key);
    Ok(if outcome.ready {
        Action::requeue(RESYNC)
    } else {
        Action::await_change()
    })
}

/// The cluster does not serve (starting, rolling, invalid): an expected outage, not a failure.
/// The status is kept, or says `ClusterNotReady` if the Topic never reached its brokers; no
/// event, and the back-off starts afresh. A change of the cluster brings the Topic back.
async fn wait_for_cluster(topic: &Topic, ns: &str, ctx: &TopicContext, why: &NotServing, key: &str) -> Result<Action, Error> {
    let now = Time(Timestamp::now());
    if let Some(status) = waiting_for_cluster(topic.metadata.generation, topic.status.as_ref(), why, &now) {
        let api: Api<Topic> = Api::namespaced(ctx.client.clone(), ns);
        if apply_status(&api, topic, topic.status.as_ref(), &status).await? {
            ctx.metrics.writes(CONTROLLER, 1);
        }
    }
    ctx.succeeded(key);
    tracing::debug!(topic = %topic.name_any(), cluster = %why.cluster, why = %why.why, detail = %why.detail, "waiting for the cluster to serve");
    Ok(Action::requeue(RESYNC))
}

/// Brings the Kafka topic in line with the spec.
async fn sync(topic: &Topic, ns: &str, ctx: &TopicContext) -> Result<Outcome, Error> {
    let name = topic.kafka_name();
    let clusters: Api<KafkaCluster> = Api::namespaced(ctx.client.clone(), ns);
    let Some(cluster) = clusters.get_opt(&topic.spec.cluster).await? else {
        return Ok(Outcome::waiting(
            Reason::ClusterNotFound,
            format!("KafkaCluster {} does not exist in namespace {ns}", topic.spec.cluster),
        ));
    };
    let all = ctx.topics_in(ns);
    if let Some(owner) = owner_other_than(topic, all.iter().map(|t| t.as_ref())) {
        return Ok(Outcome::refused(Refusal {
            reason: Reason::Conflict,
            message: format!(
                "Topic {owner} already manages Kafka topic {name} on cluster {}; nothing was changed",
                topic.spec.cluster
            ),
        }));
    }
    let desired = match plan::desired_configs(&topic.spec) {
        Ok(c) => c,
        Err(r) => return Ok(Outcome::refused(r)),
    };
    if let Err(why) = brokers_serving(&cluster) {
        return Ok(Outcome::cluster_not_serving(why));
    }
    let admin = ctx.admin(ns, &topic.spec.cluster);
    let mut done = Vec::new();
    let info = match admin.describe_topic(&name).await? {
        Some(info) => info,
        None => {
            let rf = i16::try_from(topic.spec.replication_factor).unwrap_or(i16::MAX);
            match admin.create_topic(&name, topic.spec.partitions, rf, &desired).await {
                Ok(()) => done.push(format!("created with {}", counted(topic.spec.partitions, "partition"))),
                Err(e) if e.is(ResponseError::TopicAlreadyExists) => {} // created meanwhile
                Err(e) => return Err(e.into()),
            }
            match admin.describe_topic(&name).await? {
                Some(info) => info,
                None => return Ok(Outcome::waiting(Reason::Creating, format!("Kafka topic {name} is not visible yet"))),
            }
        }
    };
    match plan::partitions(&topic.spec, &info) {
        Err(r) => {
            return Ok(Outcome {
                topic_id: Some(info.topic_id.to_string()),
                ..Outcome::refused(r)
            })
        }
        Ok(Partitions::GrowTo(n)) => {
            admin.create_partitions(&name, n).await?;
            done.push(format!("partitions {} → {n}", info.partitions));
        }
        Ok(Partitions::Keep) => {}
    }
    let current = admin.topic_configs(&name).await?;
    let (set, delete) = plan::config_changes(&desired, &current);
    if !set.is_empty() || !delete.is_empty() {
        admin.alter_topic_configs(&name, &set, &delete).await?;
        let mut keys: Vec<&str> = set.keys().map(String::as_str).collect();
        keys.extend(delete.iter().map(String::as_str));
        done.push(format!("configs changed: {}", keys.join(", ")));
    }
    if !done.is_empty() {
        ctx.event(
            topic,
            false,
            "Synced",
            "Reconcile",
            format!("Kafka topic {name}: {}", done.join("; ")),
        )
        .await;
    }
    Ok(Outcome {
        ready: true,
        reason: Reason::TopicReady,
        message: format!(
            "Kafka topic {name} has {} and {} set",
            counted(info.partitions.max(topic.spec.partitions), "partition"),
            counted(i64::try_from(desired.len()).unwrap_or(i64::MAX), "config")
        ),
        topic_id: Some(info.topic_id.to_string()),
        retry: false,
        cluster_not_serving: None,
    })
}

/// What a Kafka admin error means for status.
fn kafka_outcome(e: &AdminError) -> Outcome {
    match e {
        AdminError::Unreachable { .. } | AdminError::Timeout { .. } => Outcome::waiting(Reason::BrokerUnreachable, e.to_string()),
        AdminError::Kafka { name, .. } => {
            // Kafka's error name in CamelCase (INVALID_CONFIG → InvalidConfig) is the reason.
            let reason = match name.as_str() {
                "INVALID_CONFIG" => Reason::InvalidConfig,
                "INVALID_REPLICATION_FACTOR" => Reason::InvalidReplicationFactor,
                "INVALID_PARTITIONS" => Reason::InvalidPartitions,
                "INVALID_TOPIC_EXCEPTION" => Reason::InvalidTopic,
                "POLICY_VIOLATION" => Reason::PolicyViolation,
                _ => Reason::KafkaError,
            };
            let retry = reason == Reason::KafkaError;
            Outcome {
                retry,
                ..Outcome::refused(Refusal {
                    reason,
                    message: e.to_string(),
                })
            }
        }
        AdminError::Protocol(_) => Outcome::waiting(Reason::KafkaError, e.to_string()),
    }
}

/// Deletes the Kafka topic, unless it is retained, owned by another resource, or its cluster is
/// gone (then there is nothing to delete from, and the namespace must not hang).
async fn cleanup_topic(topic: &Topic, ns: &str, ctx: &TopicContext) -> Result<Action, Error> {
    let name = topic.kafka_name();
    if topic.spec.deletion_policy == DeletionPolicy::Retain {
        ctx.event(
            topic,
            false,
            "Retained",
            "Delete",
            format!("Kafka topic {name} kept (deletionPolicy: Retain)"),
        )
        .await;
        return Ok(Action::await_change());
    }
    let clusters: Api<KafkaCluster> = Api::namespaced(ctx.client.clone(), ns);
    let cluster = clusters.get_opt(&topic.spec.cluster).await?;
    if cluster.as_ref().is_none_or(|c| c.metadata.deletion_timestamp.is_some()) {
        ctx.event(
            topic,
            true,
            "ClusterGone",
            "Delete",
            format!(
                "KafkaCluster {} is gone; finalizer removed without deleting Kafka topic {name}",
                topic.spec.cluster
            ),
        )
        .await;
        return Ok(Action::await_change());
    }
    let all = ctx.topics_in(ns);
    if owner_other_than(topic, all.iter().map(|t| t.as_ref())).is_some() {
        return Ok(Action::await_change());
    }
    let admin: KafkaAdmin = ctx.admin(ns, &topic.spec.cluster);
    admin.delete_topic(&name).await?;
    ctx.event(topic, false, "Deleted", "Delete", format!("Kafka topic {name} deleted"))
        .await;
    Ok(Action::await_change())
}

/// Retries a failed reconcile with back-off.
pub fn error_policy(topic: Arc<Topic>, error: &Error, ctx: Arc<TopicContext>) -> Action {
    ctx.metrics.error(CONTROLLER, error.metric_label());
    let key = format!("{CONTROLLER}/{}/{}", topic.namespace().unwrap_or_default(), topic.name_any());
    let delay = ctx.backoff(&key);
    tracing::warn!(topic = %topic.name_any(), %error, ?delay, "reconcile failed; retrying");
    Action::requeue(delay)
}
