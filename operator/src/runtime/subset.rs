//! Whether an object already holds every field the operator would apply. The API server adds
//! defaults (`imagePullPolicy`, probe timeouts, `clusterIP` …), so "unchanged" means the desired
//! object is contained in the live one, not equal to it. A contained object is not applied again:
//! a steady-state reconcile makes no write at all.

use serde_json::Value;

/// True when every field set in `desired` has the same value in `live`. Lists must have the same
/// length and match element by element; maps may hold more keys; `null` in `desired` means unset.
pub fn is_contained(desired: &Value, live: &Value) -> bool {
    match (desired, live) {
        (Value::Null, _) => true,
        (Value::Object(d), Value::Object(l)) => d.iter().all(|(k, dv)| match l.get(k) {
            Some(lv) => is_contained(dv, lv),
            None => is_empty(dv),
        }),
        (Value::Array(d), Value::Array(l)) => d.len() == l.len() && d.iter().zip(l).all(|(dv, lv)| is_contained(dv, lv)),
        (Value::Number(d), Value::Number(l)) => d.as_f64() == l.as_f64(),
        (d, l) => d == l,
    }
}

/// A desired value that the API server drops rather than stores (`{}`, `[]`, `null`).
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.values().all(is_empty),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_contained;
    use serde_json::json;

    #[test]
    fn extra_live_fields_are_defaults() {
        let desired = json!({"spec": {"replicas": 1, "template": {"containers": [{"name": "b", "image": "i"}]}}});
        let live = json!({"spec": {"replicas": 1, "revisionHistoryLimit": 10,
            "template": {"containers": [{"name": "b", "image": "i", "imagePullPolicy": "IfNotPresent"}]}}});
        assert!(is_contained(&desired, &live));
    }

    #[test]
    fn a_changed_or_missing_field_is_a_difference() {
        let live = json!({"data": {"server.properties": "a=1"}, "metadata": {"labels": {"x": "1"}}});
        assert!(!is_contained(&json!({"data": {"server.properties": "a=2"}}), &live));
        assert!(!is_contained(&json!({"metadata": {"labels": {"y": "1"}}}), &live));
        assert!(!is_contained(&json!({"list": [1, 2]}), &json!({"list": [1]})));
        assert!(!is_contained(&json!({"list": [1]}), &json!({"list": [1, 2]})));
    }

    #[test]
    fn empty_desired_values_match_absent_ones() {
        assert!(is_contained(&json!({"spec": {"x": {}, "y": [], "z": null}}), &json!({"spec": {}})));
        assert!(is_contained(&json!({"n": 1}), &json!({"n": 1.0})));
    }
}
