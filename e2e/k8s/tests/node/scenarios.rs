//! The scenario list, shared by both back-ends (this node and kind): each scenario takes the
//! shared [`Cluster`] and works in a namespace of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::cluster::Cluster;

mod broker;
mod lifecycle;
mod peer;
mod pipeline;

type Run = fn(Arc<Cluster>) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// A named scenario.
pub struct Scenario {
    pub name: &'static str,
    pub run: Run,
}

/// Every scenario, in the order they are listed.
pub fn all() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "broker::pod_serves_clients_through_services_and_keeps_topics",
            run: |c| Box::pin(broker::pod_serves_clients(c)),
        },
        Scenario {
            name: "lifecycle::roll_and_pod_deletion_keep_data_invalid_edit_keeps_pods",
            run: |c| Box::pin(lifecycle::roll_and_pod_deletion_keep_data(c)),
        },
        Scenario {
            name: "pipeline::the_story_on_pods_loses_nothing_when_connect_is_killed",
            run: |c| Box::pin(pipeline::pipeline_on_pods(c)),
        },
        Scenario {
            name: "peer::apache_kafka_pod_beside_a_kaskade_broker_pod",
            run: |c| Box::pin(peer::kafka_beside_kaskade(c)),
        },
    ]
}
