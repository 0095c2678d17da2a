//! DESIGN.md's story, end to end on each engine: `users` in a source database → JsonConverter
//! messages in `my_topic_users`, checked against the contract → the sink's auto-created
//! `my_topic_users` in a distinct target database, row for row.

use kaskade_testkit::connect_rest::{states, wait_until};
use kaskade_testkit::databases::{DbServer, Engine, TestDb};
use serde_json::{json, Value};

use super::*;

/// The contract's message for the row `(7, user4, user4444, User4 name, 2023-04-04 21:22:51)`,
/// byte for byte as Confluent's connector with JsonConverter writes it.
const CONTRACT: &str = r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"user_id"},{"type":"string","optional":true,"field":"pwd"},{"type":"string","optional":true,"field":"name"},{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"created_at"}],"optional":false,"name":"users"},"payload":{"id":7,"user_id":"user4","pwd":"user4444","name":"User4 name","created_at":1680643371000}}"#;

/// `users` as the story creates it, in the engine's SQL.
pub fn users_ddl(engine: Engine) -> &'static str {
    match engine {
        Engine::MariaDb => {
            "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, user_id VARCHAR(20), pwd VARCHAR(20), \
             name VARCHAR(20), created_at DATETIME DEFAULT NOW())"
        }
        Engine::Postgres => {
            "CREATE TABLE users (id SERIAL PRIMARY KEY, user_id VARCHAR(20), pwd VARCHAR(20), name VARCHAR(20), \
             created_at TIMESTAMP DEFAULT LOCALTIMESTAMP(0))"
        }
        Engine::Sqlite => {
            "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id VARCHAR(20), pwd VARCHAR(20), \
             name VARCHAR(20), created_at DATETIME DEFAULT CURRENT_TIMESTAMP)"
        }
    }
}

/// Six rows with the database's clock, then the contract's row 7.
fn fill(db: &TestDb) {
    db.execute(users_ddl(db.engine()));
    for i in 1..=6 {
        db.execute(&format!(
            "INSERT INTO users (user_id, pwd, name) VALUES ('user{i}', 'user{i}{i}{i}{i}', 'User{i} name')"
        ));
    }
    db.execute("INSERT INTO users (user_id, pwd, name, created_at) VALUES ('user4', 'user4444', 'User4 name', '2023-04-04 21:22:51')");
}

fn rows(db: &TestDb, table: &str) -> Vec<Vec<Option<String>>> {
    let cast = if db.engine() == Engine::Postgres { "::text" } else { "" };
    db.query_strings(&format!(
        "SELECT id{cast}, user_id, pwd, name, created_at{cast} FROM {table} ORDER BY {table}.id"
    ))
    .into_iter()
    .map(|mut r| {
        r[4] = r[4].as_deref().map(no_zero_fraction);
        r
    })
    .collect()
}

/// The story from `source` to `target`; with `bad_input`, also the hand-written messages that
/// must fail a task or go to the dead-letter queue.
fn story(source: &TestDb, target: &TestDb, bad_input: bool) {
    let (broker, w) = start();
    fill(source);
    put(&w, "users-source", source_config(source));

    // Every row is a message, in the contract's format; row 7 is the contract's, byte for byte.
    let messages = read(&broker.bootstrap(), "my_topic_users", 7);
    let contract: Value = serde_json::from_str(CONTRACT).expect("contract");
    for (i, (key, value)) in messages.iter().enumerate() {
        assert_eq!(key, &None, "the key is null");
        let v: Value = serde_json::from_str(value).expect("JSON message");
        assert_eq!(v["schema"], contract["schema"], "message {i}: {value}");
        let id = i as i64 + 1;
        if id < 7 {
            assert_eq!(v["payload"]["id"], json!(id), "{value}");
            assert_eq!(v["payload"]["user_id"], json!(format!("user{id}")), "{value}");
            assert_eq!(v["payload"]["pwd"], json!(format!("user{id}{id}{id}{id}")), "{value}");
            assert_eq!(v["payload"]["name"], json!(format!("User{id} name")), "{value}");
            assert!(
                v["payload"]["created_at"].as_i64().is_some_and(|t| t > 1_700_000_000_000),
                "{value}"
            );
        } else {
            assert_eq!(value, CONTRACT);
        }
    }

    // The sink creates the table in the target and writes every row.
    put(&w, "users-sink", sink_config(target, "my_topic_users"));
    wait_rows(&w, target, "my_topic_users", 7);
    assert_eq!(rows(target, "my_topic_users"), rows(source, "users"));

    // A message written by hand with a valid schema and payload lands too.
    let hand = CONTRACT.replace(r#""id":7,"user_id":"user4""#, r#""id":1000,"user_id":"hand""#);
    produce(&broker.bootstrap(), "my_topic_users", &[&hand]);
    wait_rows(&w, target, "my_topic_users", 8);
    let last = rows(target, "my_topic_users").pop().expect("a row");
    assert_eq!(
        last,
        ["1000", "hand", "user4444", "User4 name", "2023-04-04 21:22:51"].map(|s| Some(s.to_string()))
    );
    if !bad_input {
        return;
    }

    // errors.tolerance=all: good messages land, bad ones go to the dead-letter queue.
    let mut tolerant = sink_config(target, "hand_users");
    tolerant["errors.tolerance"] = json!("all");
    tolerant["errors.deadletterqueue.topic.name"] = json!("dlq_users");
    tolerant["errors.deadletterqueue.topic.replication.factor"] = json!("1");
    tolerant["errors.deadletterqueue.context.headers.enable"] = json!("true");
    put(&w, "tolerant-sink", tolerant);
    let not_json = "this is not JSON";
    // A null for the required `id`: the converter refuses it (Kafka's JsonConverter takes "seven"
    // for an int32 as 0, so a wrong type would not do).
    let wrong_type = CONTRACT.replace(r#""id":7"#, r#""id":null"#);
    produce(&broker.bootstrap(), "hand_users", &[not_json, &hand, &wrong_type]);
    wait_rows(&w, target, "hand_users", 1);
    let dlq = read(&broker.bootstrap(), "dlq_users", 2);
    assert_eq!(dlq[0].1, not_json);
    assert_eq!(dlq[1].1, wrong_type);
    assert_eq!(states(&w.url(), "tolerant-sink"), Some(("RUNNING".into(), vec!["RUNNING".into()])));

    // errors.tolerance=none (the default): the story's sink task fails, saying why.
    produce(&broker.bootstrap(), "my_topic_users", &[&wrong_type]);
    let trace = wait_until(&w, "the sink task to fail", || {
        let (_, body) = kaskade_testkit::connect_rest::call("GET", &format!("{}/connectors/users-sink/status", w.url()), None);
        (body["tasks"][0]["state"] == "FAILED").then(|| body["tasks"][0]["trace"].as_str().unwrap_or("").to_string())
    });
    assert!(
        trace.contains("DataException: Invalid null value for required INT32 field"),
        "{trace}"
    );
    assert!(trace.contains("Tolerance exceeded in error handler"), "{trace}");
    assert_eq!(target.count("my_topic_users"), 8, "nothing of the bad message was written");
}

#[test]
fn story_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    story(
        &TestDb::sqlite(&dir.path().join("source.db")),
        &TestDb::sqlite(&dir.path().join("target.db")),
        false,
    );
}

#[test]
fn story_on_mariadb_with_bad_input() {
    let server = DbServer::shared(Engine::MariaDb);
    story(&server.create_database(), &server.create_database(), true);
}

#[test]
fn story_on_postgres() {
    let server = DbServer::shared(Engine::Postgres);
    story(&server.create_database(), &server.create_database(), false);
}

#[test]
fn story_from_mariadb_to_postgres() {
    story(
        &DbServer::shared(Engine::MariaDb).create_database(),
        &DbServer::shared(Engine::Postgres).create_database(),
        false,
    );
}
