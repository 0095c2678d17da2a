//! The JDBC connectors as users run them: `kaskade connect` and `kaskade broker` as child
//! processes, real MariaDB and PostgreSQL servers (`e2e/peers/`) and SQLite files, connectors
//! registered over the REST API.
//!
//! - `story`: DESIGN.md's pipeline — rows of `users` become JsonConverter messages of
//!   `my_topic_users` exactly as the contract shows them, and a sink writes them into another
//!   database's auto-created table; a hand-written message lands too, an invalid one fails the
//!   task with a readable trace or goes to the dead-letter queue;
//! - `bad_config`: invalid configs are 400s with the reason; an unreachable database fails the
//!   connector with a readable trace;
//! - `faults`: the worker SIGKILLed mid-stream, the target database stopped for 30 s: no row
//!   lost, none twice in the target;
//! - `concurrent`: writers whose transactions commit out of id order, and rows sharing a
//!   timestamp: the topic holds every row;
//! - `tables`: filters, tables spread over tasks and found when created, a query with its own
//!   `WHERE`, `validate.non.null`, offsets in Confluent's format and its legacy partition;
//! - `sink`: pk modes, tombstones, auto.evolve, update mode, fields.whitelist, a missing table,
//!   a string key on MariaDB;
//! - `quickstart`: `kaskade quickstart` as a new user runs it;
//! - `types`: every MariaDB and PostgreSQL column type of Confluent's mapping, source → topic →
//!   sink: each field's schema is Confluent's, each value arrives unchanged (extremes, unicode,
//!   bytes, time zones, NULLs) but for what Connect's types lose by design.

mod bad_config;
mod concurrent;
mod faults;
mod quickstart;
mod sink;
pub mod story;
mod tables;
mod types;

use std::time::Duration;

use kaskade_testkit::connect_rest::{expect, wait_until};
use kaskade_testkit::databases::TestDb;
use kaskade_testkit::kafka_peer::GROUP_DELAY_ZERO;
use kaskade_testkit::{BrokerProc, ConnectProc};
use rdkafka::consumer::BaseConsumer;
use rdkafka::Message;
use serde_json::{json, Value};

/// A broker and a worker on it (offsets committed every 200 ms); `KASKADE_TEST_LOG` sets the
/// worker's `KASKADE_LOG` (e.g. `info,kaskade_jdbc=trace` shows every query).
pub fn start() -> (BrokerProc, ConnectProc) {
    let broker = BrokerProc::start(&[GROUP_DELAY_ZERO]);
    let mut worker = ConnectProc::new(&broker.bootstrap(), "jdbc-tests", &["offset.flush.interval.ms=200"]);
    if let Ok(level) = std::env::var("KASKADE_TEST_LOG") {
        worker.set_env("KASKADE_LOG", Some(&level));
    }
    worker.spawn();
    (broker, worker)
}

/// `PUT /connectors/{name}/config`, expecting it created.
#[track_caller]
pub fn put(w: &ConnectProc, name: &str, config: Value) {
    expect(w, "PUT", &format!("/connectors/{name}/config"), Some(&config.to_string()), 201);
}

/// The JSON converters with schemas, as the story uses them.
pub fn json_converters(mut config: Value) -> Value {
    config["key.converter"] = json!("org.apache.kafka.connect.json.JsonConverter");
    config["value.converter"] = json!("org.apache.kafka.connect.json.JsonConverter");
    config
}

/// A JDBC source of `db`'s `users` (incrementing on `id`) to `my_topic_users`.
pub fn source_config(db: &TestDb) -> Value {
    let mut c = json_converters(json!({
        "connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector",
        "connection.url": db.jdbc_url(),
        "table.whitelist": "users",
        "mode": "incrementing",
        "incrementing.column.name": "id",
        "topic.prefix": "my_topic_",
        "poll.interval.ms": "200",
    }));
    credentials(&mut c, db);
    c
}

/// A JDBC sink of `topics` into `db` (tables created, rows upserted by `id`).
pub fn sink_config(db: &TestDb, topics: &str) -> Value {
    let mut c = json_converters(json!({
        "connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
        "connection.url": db.jdbc_url(),
        "topics": topics,
        "auto.create": "true",
        "insert.mode": "upsert",
        "pk.mode": "record_value",
        "pk.fields": "id",
    }));
    credentials(&mut c, db);
    c
}

pub fn credentials(config: &mut Value, db: &TestDb) {
    if db.engine() != kaskade_testkit::databases::Engine::Sqlite {
        config["connection.user"] = json!(db.user());
        config["connection.password"] = json!(db.password());
    }
}

/// Reads `n` records of `topic` (partition 0) from the beginning: (key, value) as text.
#[track_caller]
pub fn read(bootstrap: &str, topic: &str, n: usize) -> Vec<(Option<String>, String)> {
    let out = read_some(bootstrap, topic, n);
    assert_eq!(out.len(), n, "{topic} holds {} records, {n} expected", out.len());
    out
}

/// Up to `n` records of `topic`, waiting at most 60 s for them.
pub fn read_some(bootstrap: &str, topic: &str, n: usize) -> Vec<(Option<String>, String)> {
    let consumer: BaseConsumer = kaskade_testkit::clients::assigned_consumer(bootstrap, topic, 1, &[]);
    let mut out = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while out.len() < n && std::time::Instant::now() < deadline {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(m)) => out.push((
                m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned(),
            )),
            Some(Err(e)) => eprintln!("consume {topic}: {e}"),
            None => {}
        }
    }
    out
}

/// Produces `values` to `topic` (partition 0, no key) and waits for them.
pub fn produce(bootstrap: &str, topic: &str, values: &[&str]) {
    use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
    let p: ThreadedProducer<DefaultProducerContext> = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("producer");
    for v in values {
        p.send(BaseRecord::<(), str>::to(topic).payload(v).partition(0)).expect("send");
    }
    p.flush(Duration::from_secs(30)).expect("flush");
}

/// Waits until `table` of `db` holds `n` rows.
#[track_caller]
pub fn wait_rows(w: &ConnectProc, db: &TestDb, table: &str, n: u64) {
    wait_until(w, &format!("{n} rows in {table}"), || (db.count(table) >= n).then_some(()));
    assert_eq!(db.count(table), n, "rows in {table}");
}

/// A date-time as text without a fraction of zeros (`…:51.000` → `…:51`), so the engines'
/// renderings compare.
pub fn no_zero_fraction(s: &str) -> String {
    match s.split_once('.') {
        Some((whole, frac)) if frac.chars().all(|c| c == '0') && whole.len() == 19 => whole.to_string(),
        _ => s.to_string(),
    }
}
