//! The connector configuration a `Connector` asks for, as Kafka Connect stores it: `spec.config`
//! rendered to strings, plus `name`, `connector.class` and `tasks.max` from the resource. Those
//! three come from the resource only, so a spec that also sets them in `config` is refused by name
//! rather than silently overridden.

use std::collections::BTreeMap;

use crate::cluster::validate::render_config;
use crate::crd::{Connector, ConnectorTargetState};

/// Keys the resource's own fields set.
pub const OWNED_KEYS: &[&str] = &["name", "connector.class", "tasks.max"];

const OWNED_WHY: &str = "the resource's name, spec.class and spec.tasksMax";

/// What the worker should hold for a connector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Desired {
    /// The connector's name in Kafka Connect.
    pub name: String,
    pub class: String,
    /// The whole configuration, `name`, `connector.class` and `tasks.max` included.
    pub config: BTreeMap<String, String>,
    pub state: ConnectorTargetState,
}

/// The desired configuration of `connector`, or a message naming each field that is wrong.
pub fn desired(connector: &Connector) -> Result<Desired, String> {
    let mut problems = Vec::new();
    let name = connector.connect_name();
    let spec = &connector.spec;
    if spec.class.trim().is_empty() {
        problems.push("spec.class: must name a connector class".to_string());
    }
    let mut config = render_config(&spec.config, "spec.config", (OWNED_KEYS, OWNED_WHY), &mut problems);
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    config.insert("name".into(), name.clone());
    config.insert("connector.class".into(), spec.class.clone());
    if let Some(n) = spec.tasks_max {
        config.insert("tasks.max".into(), n.to_string());
    }
    Ok(Desired {
        name,
        class: spec.class.clone(),
        config,
        state: spec.state,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::ConnectorSpec;
    use serde_json::json;

    fn connector(spec: serde_json::Value) -> Connector {
        let spec: ConnectorSpec = serde_json::from_value(spec).expect("a Connector spec");
        Connector::new("users-source", spec)
    }

    #[test]
    fn the_resource_gives_name_class_and_tasks() {
        let d = desired(&connector(json!({"cluster": "k", "class": "C", "tasksMax": 2,
            "config": {"mode": "incrementing", "poll.interval.ms": 1000, "validate.non.null": false}})))
        .unwrap();
        assert_eq!(d.name, "users-source");
        assert_eq!(d.state, ConnectorTargetState::Running);
        let pairs: Vec<(&str, &str)> = d.config.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("connector.class", "C"),
                ("mode", "incrementing"),
                ("name", "users-source"),
                ("poll.interval.ms", "1000"),
                ("tasks.max", "2"),
                ("validate.non.null", "false"),
            ]
        );
        let d = desired(&connector(json!({"cluster": "k", "class": "C", "state": "paused"}))).unwrap();
        assert!(!d.config.contains_key("tasks.max"));
        assert_eq!(d.state, ConnectorTargetState::Paused);
    }

    #[test]
    fn owned_keys_and_non_scalars_are_refused_by_name() {
        let m = desired(&connector(json!({"cluster": "k", "class": " ",
            "config": {"connector.class": "X", "tasks.max": 3, "topics": ["a"]}})))
        .unwrap_err();
        assert_eq!(
            m,
            "spec.class: must name a connector class; \
             spec.config.\"connector.class\": set by the operator (the resource's name, spec.class and spec.tasksMax); remove it; \
             spec.config.\"tasks.max\": set by the operator (the resource's name, spec.class and spec.tasksMax); remove it; \
             spec.config.\"topics\": a list is not a property value; use a string, number or boolean"
        );
    }
}
