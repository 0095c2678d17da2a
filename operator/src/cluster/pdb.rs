//! The PodDisruptionBudget `NAME-broker`: voluntary disruptions (node drains, cluster upgrades)
//! take at most one broker at a time, so a KRaft quorum of three or more keeps its majority.

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::names;
use super::validate::ValidCluster;

/// `maxUnavailable: 1` over the broker pods.
pub fn build_pdb(cluster: &ValidCluster) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: names::object_meta(names::pdb(&cluster.name), &cluster.namespace, &cluster.name, &cluster.owner),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(names::selector_labels(&cluster.name)),
                ..LabelSelector::default()
            }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::test_support::valid;
    use serde_json::json;

    #[test]
    fn one_broker_at_a_time() {
        let v = valid("k", json!({"replicas": 3}));
        let pdb = build_pdb(&v);
        assert_eq!(pdb.metadata.name.as_deref(), Some("k-broker"));
        assert_eq!(pdb.metadata.labels, Some(names::labels("k")));
        assert_eq!(pdb.metadata.owner_references, Some(vec![v.owner.clone()]));
        let spec = pdb.spec.unwrap();
        assert_eq!(spec.max_unavailable, Some(IntOrString::Int(1)));
        assert_eq!(spec.min_available, None);
        assert_eq!(spec.selector.unwrap().match_labels, Some(names::selector_labels("k")));
    }
}
