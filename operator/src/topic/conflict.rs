//! Two `Topic`s that name the same Kafka topic on the same cluster: the older resource owns it
//! (creation time, then name); the newer one is reported as a conflict and changes nothing.

use kube::ResourceExt;

use crate::crd::Topic;

/// The name of the resource that owns `me`'s Kafka topic, when it is not `me`.
pub fn owner_other_than<'a>(me: &Topic, all: impl IntoIterator<Item = &'a Topic>) -> Option<String> {
    let key = |t: &Topic| (t.metadata.creation_timestamp.clone().map(|t| t.0), t.name_any());
    let my_name = me.kafka_name();
    all.into_iter()
        .filter(|t| t.name_any() != me.name_any() && t.spec.cluster == me.spec.cluster && t.kafka_name() == my_name)
        .filter(|t| t.metadata.deletion_timestamp.is_none())
        .filter(|t| key(t) < key(me))
        .map(|t| t.name_any())
        .min()
}

#[cfg(test)]
mod tests {
    use super::owner_other_than;
    use crate::crd::Topic;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use k8s_openapi::jiff::Timestamp;
    use serde_json::json;

    fn topic(name: &str, topic_name: Option<&str>, created: i64) -> Topic {
        let mut t: Topic = serde_json::from_value(json!({
            "apiVersion": "kaskade.dev/v1alpha1", "kind": "Topic",
            "metadata": {"name": name, "namespace": "ns"},
            "spec": {"cluster": "dev", "topicName": topic_name}
        }))
        .unwrap();
        t.metadata.creation_timestamp = Some(Time(Timestamp::from_second(created).unwrap()));
        t
    }

    #[test]
    fn the_older_resource_owns_the_topic() {
        let old = topic("orders", None, 10);
        let new = topic("orders-copy", Some("orders"), 20);
        let other = topic("payments", None, 5);
        let all = [old.clone(), new.clone(), other];
        assert_eq!(owner_other_than(&new, &all), Some("orders".into()));
        assert_eq!(owner_other_than(&old, &all), None);
    }

    #[test]
    fn same_creation_time_falls_back_to_the_name() {
        let a = topic("a", Some("t"), 10);
        let b = topic("b", Some("t"), 10);
        assert_eq!(owner_other_than(&b, [&a, &b]), Some("a".into()));
        assert_eq!(owner_other_than(&a, [&a, &b]), None);
    }
}
