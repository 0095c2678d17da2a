//! The scenario list, shared by both back-ends (this node and kind): each scenario takes the
//! shared [`Cluster`] and works in a namespace of its own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::cluster::Cluster;

mod broker;

type Run = fn(Arc<Cluster>) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// A named scenario.
pub struct Scenario {
    pub name: &'static str,
    pub run: Run,
}

/// Every scenario, in the order they are listed.
pub fn all() -> Vec<Scenario> {
    vec![Scenario {
        name: "broker::pod_serves_clients_through_services_and_keeps_topics",
        run: |c| Box::pin(broker::pod_serves_clients(c)),
    }]
}
