//! The sink's modes, on SQLite (and MariaDB for a string key): `pk.mode` kafka and record_key
//! (a struct key, and a string key), tombstones deleting with `delete.enabled`, `auto.evolve`
//! adding a column, `insert.mode=update`, `fields.whitelist`, and a missing table with
//! `auto.create=false` failing the task with Confluent's message.

use kaskade_testkit::connect_rest::{call, wait_until};
use kaskade_testkit::databases::{DbServer, Engine};
use serde_json::{json, Value};

use super::*;

/// A JsonConverter message with a schema: `fields` are (name, type, optional).
fn message(name: &str, fields: &[(&str, &str, bool)], payload: Value) -> String {
    let fields: Vec<Value> = fields
        .iter()
        .map(|(f, t, o)| json!({"type": t, "optional": o, "field": f}))
        .collect();
    json!({"schema": {"type": "struct", "fields": fields, "optional": false, "name": name}, "payload": payload}).to_string()
}

/// Produces (key, value) records (a `None` value is a tombstone).
fn produce_keyed(bootstrap: &str, topic: &str, records: &[(String, Option<String>)]) {
    use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
    let p: ThreadedProducer<DefaultProducerContext> = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("producer");
    for (k, v) in records {
        let mut r = BaseRecord::<str, str>::to(topic).key(k.as_str()).partition(0);
        if let Some(v) = v {
            r = r.payload(v.as_str());
        }
        p.send(r).expect("send");
    }
    p.flush(Duration::from_secs(30)).expect("flush");
}

fn sink(db: &TestDb, topic: &str, extra: Value) -> Value {
    let mut c = json_converters(json!({
        "connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
        "connection.url": db.jdbc_url(),
        "topics": topic,
        "auto.create": "true",
    }));
    credentials(&mut c, db);
    for (k, v) in extra.as_object().expect("object") {
        c[k] = v.clone();
    }
    c
}

fn failed_trace(w: &ConnectProc, name: &str) -> String {
    wait_until(w, &format!("{name}'s task to fail"), || {
        let (_, body) = call("GET", &format!("{}/connectors/{name}/status", w.url()), None);
        (body["tasks"][0]["state"] == "FAILED").then(|| body["tasks"][0]["trace"].as_str().unwrap_or("").to_string())
    })
}

const ITEM: &[(&str, &str, bool)] = &[("id", "int32", false), ("name", "string", true)];

#[test]
fn kafka_coordinates_as_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestDb::sqlite(&dir.path().join("t.db"));
    let (broker, w) = start();
    put(&w, "coords", sink(&db, "items", json!({"pk.mode": "kafka"})));
    let a = message("item", ITEM, json!({"id": 1, "name": "one"}));
    produce(&broker.bootstrap(), "items", &[&a, &a]);
    wait_rows(&w, &db, "items", 2);
    assert_eq!(
        db.query_strings("SELECT __connect_topic, __connect_partition, __connect_offset, id, name FROM items ORDER BY __connect_offset"),
        [["items", "0", "0", "1", "one"], ["items", "0", "1", "1", "one"]].map(|r| r.map(|s| Some(s.to_string())).to_vec())
    );
}

#[test]
fn a_struct_key_upserts_and_tombstones_delete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestDb::sqlite(&dir.path().join("t.db"));
    let (broker, w) = start();
    put(
        &w,
        "keyed",
        sink(
            &db,
            "items",
            json!({"pk.mode": "record_key", "insert.mode": "upsert", "delete.enabled": "true"}),
        ),
    );
    let key = |id: i32| message("key", &[("id", "int32", false)], json!({"id": id}));
    let value = |name: &str| Some(message("item", &[("name", "string", true)], json!({"name": name})));
    produce_keyed(
        &broker.bootstrap(),
        "items",
        &[
            (key(1), value("one")),
            (key(2), value("two")),
            (key(1), value("uno")),
            (key(3), value("three")),
        ],
    );
    wait_rows(&w, &db, "items", 3);
    produce_keyed(&broker.bootstrap(), "items", &[(key(2), None)]);
    wait_until(&w, "the tombstone's delete", || (db.count("items") == 2).then_some(()));
    assert_eq!(
        db.query_strings("SELECT id, name FROM items ORDER BY id"),
        [["1", "uno"], ["3", "three"]].map(|r| r.map(|s| Some(s.to_string())).to_vec())
    );
}

#[test]
fn auto_evolve_adds_a_column_and_update_mode_updates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestDb::sqlite(&dir.path().join("t.db"));
    let (broker, w) = start();
    put(
        &w,
        "evolving",
        sink(
            &db,
            "items",
            json!({"pk.mode": "record_value", "pk.fields": "id", "insert.mode": "upsert", "auto.evolve": "true", "fields.whitelist": "name,colour"}),
        ),
    );
    produce(
        &broker.bootstrap(),
        "items",
        &[&message("item", ITEM, json!({"id": 1, "name": "one"}))],
    );
    wait_rows(&w, &db, "items", 1);
    let wider = &[
        ("id", "int32", false),
        ("name", "string", true),
        ("colour", "string", true),
        ("secret", "string", true),
    ];
    produce(
        &broker.bootstrap(),
        "items",
        &[&message(
            "item",
            wider,
            json!({"id": 2, "name": "two", "colour": "red", "secret": "x"}),
        )],
    );
    wait_rows(&w, &db, "items", 2);
    assert_eq!(
        db.query_strings("SELECT * FROM items ORDER BY id"),
        [vec![Some("1"), Some("one"), None], vec![Some("2"), Some("two"), Some("red")]]
            .map(|r| r.into_iter().map(|s| s.map(str::to_string)).collect::<Vec<_>>())
    );

    // insert.mode=update changes existing rows only.
    put(
        &w,
        "updating",
        sink(
            &db,
            "changes",
            json!({"pk.mode": "record_value", "pk.fields": "id", "insert.mode": "update", "table.name.format": "items"}),
        ),
    );
    produce(
        &broker.bootstrap(),
        "changes",
        &[
            &message("item", ITEM, json!({"id": 1, "name": "uno"})),
            &message("item", ITEM, json!({"id": 9, "name": "nine"})),
        ],
    );
    wait_until(&w, "the update", || {
        (db.query_strings("SELECT name FROM items WHERE id = 1") == [[Some("uno".to_string())]]).then_some(())
    });
    assert_eq!(db.count("items"), 2, "update mode inserts nothing");
}

#[test]
fn a_missing_table_without_auto_create_fails_the_task_with_confluents_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestDb::sqlite(&dir.path().join("t.db"));
    let (broker, w) = start();
    put(&w, "strict", sink(&db, "items", json!({"auto.create": "false"})));
    produce(
        &broker.bootstrap(),
        "items",
        &[&message("item", ITEM, json!({"id": 1, "name": "one"}))],
    );
    let trace = failed_trace(&w, "strict");
    assert!(
        trace.contains("Table \"items\" is missing and auto-creation is disabled"),
        "{trace}"
    );
}

#[test]
fn a_string_key_gets_a_keyable_column_on_mariadb() {
    let db = DbServer::shared(Engine::MariaDb).create_database();
    let (broker, w) = start();
    put(
        &w,
        "by-code",
        sink(
            &db,
            "codes",
            json!({"pk.mode": "record_value", "pk.fields": "code", "insert.mode": "upsert"}),
        ),
    );
    let f = &[("code", "string", false), ("label", "string", true)];
    produce(
        &broker.bootstrap(),
        "codes",
        &[
            &message("code", f, json!({"code": "EUR", "label": "euro"})),
            &message("code", f, json!({"code": "EUR", "label": "Euro"})),
            &message("code", f, json!({"code": "JPY", "label": "yen"})),
        ],
    );
    wait_rows(&w, &db, "codes", 2);
    assert_eq!(
        db.query_strings("SELECT code, label FROM codes ORDER BY code"),
        [["EUR", "Euro"], ["JPY", "yen"]].map(|r| r.map(|s| Some(s.to_string())).to_vec())
    );
    let ddl = db.query_strings(
        "SELECT COLUMN_TYPE, COLUMN_KEY FROM information_schema.COLUMNS WHERE TABLE_NAME = 'codes' AND COLUMN_NAME = 'code'",
    );
    assert_eq!(ddl, [[Some("varchar(256)".to_string()), Some("PRI".to_string())]]);
}
