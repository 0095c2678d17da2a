//! Requests a worker must refuse: each is a 4xx with Kafka Connect's error body and a reason,
//! and the worker serves the next request as before.

use super::*;

#[track_caller]
fn refused(w: &ConnectProc, method: &str, path: &str, body: &str, status: u16, reason: &str) {
    let answer = expect(w, method, path, Some(body), status);
    assert_eq!(answer["error_code"], status, "{method} {path}: {answer}");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(message.contains(reason), "{method} {path}: {message:?} does not say {reason:?}");
    // Still serving.
    expect(w, "GET", "/", None, 200);
    assert_eq!(expect(w, "GET", "/connectors", None, 200), json!([]));
}

#[test]
fn malformed_and_invalid_requests_are_4xx_with_a_reason() {
    let broker = broker();
    let w = worker(&broker, "bad-input", &[]);
    let file = w.file("in.txt");
    let good = source_config(&file, "t");

    refused(&w, "POST", "/connectors", "{not json", 400, "line 1 column 2");
    refused(&w, "POST", "/connectors", "[1,2]", 400, "expected a JSON object, found an array");
    refused(&w, "POST", "/connectors", "", 400, "EOF");
    refused(&w, "POST", "/connectors", r#"{"name":"x"}"#, 400, "config");
    refused(
        &w,
        "POST",
        "/connectors",
        r#"{"name":"x","config":{"connector.class":"NoSuchConnector"}}"#,
        400,
        "Failed to find any class that implements Connector and which name matches NoSuchConnector",
    );
    refused(
        &w,
        "POST",
        "/connectors",
        r#"{"name":"x","config":{"connector.class":"FileStreamSource"}}"#,
        400,
        "Connector configuration is invalid and contains the following 1 error(s):\nMissing required configuration \"topic\" which has no default value.",
    );
    refused(
        &w,
        "POST",
        "/connectors",
        r#"{"name":"x","config":{"connector.class":"FileStreamSource","topic":"t","tasks.max":"many"}}"#,
        400,
        "Invalid value many for configuration tasks.max: Not a number of type INT",
    );
    refused(
        &w,
        "POST",
        "/connectors",
        r#"{"name":"x","config":{"connector.class":"FileStreamSource","topic":"t","file":["a"]}}"#,
        400,
        "Cannot deserialize value of type `java.lang.String` from Array value",
    );
    refused(
        &w,
        "PUT",
        "/connectors/x/config",
        r#"{"name":"y","connector.class":"FileStreamSink","topics":"t"}"#,
        400,
        "Connector name configuration (y) doesn't match connector name in the URL (x)",
    );
    refused(&w, "PUT", "/connectors/x/config", "{", 400, "EOF");
    refused(
        &w,
        "PATCH",
        "/connectors/x/config",
        r#"{"topics":"t"}"#,
        404,
        "Connector x not found",
    );

    // 2 MB: a connector config with one huge value.
    let mut huge = good.clone();
    huge["padding"] = Value::String("x".repeat(2 << 20));
    let body = json!({"name": "huge", "config": huge}).to_string();
    refused(&w, "POST", "/connectors", &body, 413, "larger than");
    refused(&w, "PUT", "/connectors/huge/config", &huge.to_string(), 413, "larger than");

    // The worker still creates connectors.
    create(&w, "after", good);
    expect(&w, "DELETE", "/connectors/after", None, 204);
}
