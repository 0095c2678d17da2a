//! Bad input gets a clear answer and breaks nothing: invalid connector configs are refused with
//! a 400 naming the reason, and a database that cannot be reached fails the connector with a
//! readable trace while the worker keeps serving.

use kaskade_testkit::connect_rest::{call, expect, wait_until};
use serde_json::json;

use super::*;

#[test]
fn invalid_configs_are_400_with_the_reason() {
    let (_broker, w) = start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestDb::sqlite(&dir.path().join("x.db"));
    let cases = [
        (
            {
                let mut c = source_config(&db);
                c.as_object_mut().expect("object").remove("mode");
                c
            },
            "Query mode must be specified",
        ),
        (
            {
                let mut c = source_config(&db);
                c["connection.url"] = json!("jdbc:oracle:thin:@db:1521:x");
                c
            },
            "No suitable driver found for jdbc:oracle:thin:@db:1521:x",
        ),
        (
            {
                let mut c = source_config(&db);
                c["mode"] = json!("timestamp");
                c
            },
            "Timestamp column name must be set when using mode timestamp",
        ),
        (
            {
                let mut c = sink_config(&db, "t");
                c["delete.enabled"] = json!("true");
                c
            },
            "Deletes are only supported for pk.mode record_key",
        ),
        (
            {
                let mut c = sink_config(&db, "t");
                c["db.timezone"] = json!("Mars/Olympus");
                c
            },
            "Invalid time zone identifier Mars/Olympus",
        ),
    ];
    for (config, reason) in cases {
        let (status, body) = call("PUT", &format!("{}/connectors/bad/config", w.url()), Some(&config.to_string()));
        assert_eq!(status, 400, "{config}: {body}");
        let message = body["message"].as_str().unwrap_or("");
        assert!(message.contains(reason), "expected {reason:?} in {message}");
    }
    // Nothing was created, and the worker answers.
    assert_eq!(expect(&w, "GET", "/connectors", None, 200), json!([]));
}

#[test]
fn an_unreachable_database_fails_the_connector_with_a_trace() {
    let (_broker, w) = start();
    let port = kaskade_testkit::free_port();
    let mut config = json_converters(json!({
        "connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector",
        "connection.url": format!("jdbc:mariadb://127.0.0.1:{port}/nothing"),
        "connection.user": "kaskade",
        "connection.password": "kaskade",
        "connection.attempts": "1",
        "mode": "incrementing",
        "topic.prefix": "x_",
    }));
    put(&w, "unreachable", config.take());
    let trace = wait_until(&w, "the connector to fail", || {
        let (_, body) = call("GET", &format!("{}/connectors/unreachable/status", w.url()), None);
        (body["connector"]["state"] == "FAILED").then(|| body["connector"]["trace"].as_str().unwrap_or("").to_string())
    });
    assert!(
        trace.contains(&format!("Could not connect to database jdbc:mariadb://127.0.0.1:{port}/nothing")),
        "{trace}"
    );
    assert!(trace.contains("Caused by: java.sql.SQLException"), "{trace}");
    assert!(!trace.contains("kaskade@"), "the trace shows no credentials: {trace}");
    // A restart tries again (and fails again), and the worker keeps serving.
    expect(&w, "POST", "/connectors/unreachable/restart", None, 204);
    assert_eq!(expect(&w, "GET", "/connectors", None, 200), json!(["unreachable"]));
}
