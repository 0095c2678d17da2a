//! The source's table handling, on SQLite: filters, tables spread over tasks and picked up when
//! they appear, a `query` with its own `WHERE` and a join, `validate.non.null`, and offsets in
//! Confluent's format — read back from the offsets endpoint, and honoured when written under
//! Confluent's legacy partition (a connector moved from Confluent's worker keeps its place).

use kaskade_testkit::connect_rest::{call, expect, wait_states, wait_until};
use serde_json::{json, Value};

use super::*;

fn table(db: &TestDb, name: &str, rows: u32) {
    db.execute(&format!(
        "CREATE TABLE {name} (id INTEGER PRIMARY KEY AUTOINCREMENT, v VARCHAR(20))"
    ));
    for i in 1..=rows {
        db.execute(&format!("INSERT INTO {name} (v) VALUES ('{name}{i}')"));
    }
}

fn values(bootstrap: &str, topic: &str, n: usize) -> Vec<String> {
    read(bootstrap, topic, n)
        .iter()
        .map(|(_, v)| {
            serde_json::from_str::<Value>(v).expect("JSON")["payload"]["v"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

fn source(db: &TestDb, extra: Value) -> Value {
    let mut c = json_converters(json!({
        "connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector",
        "connection.url": db.jdbc_url(),
        "mode": "incrementing",
        "incrementing.column.name": "id",
        "topic.prefix": "t_",
        "poll.interval.ms": "100",
        "table.poll.interval.ms": "300",
    }));
    for (k, v) in extra.as_object().expect("object") {
        c[k] = v.clone();
    }
    c
}

#[test]
fn tables_are_filtered_spread_over_tasks_and_picked_up_when_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestDb::sqlite(&dir.path().join("db.sqlite"));
    for t in ["a", "b", "c"] {
        table(&db, t, 3);
    }
    let (broker, w) = start();
    put(&w, "tables", source(&db, json!({"table.blacklist": "c", "tasks.max": "2"})));
    wait_states(&w, "tables", "RUNNING", &["RUNNING", "RUNNING"]);
    let tasks = expect(&w, "GET", "/connectors/tables/tasks", None, 200);
    let assigned: Vec<&str> = tasks
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["config"]["tables"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(assigned, ["a", "b"]);
    assert_eq!(values(&broker.bootstrap(), "t_a", 3), ["a1", "a2", "a3"]);
    assert_eq!(values(&broker.bootstrap(), "t_b", 3), ["b1", "b2", "b3"]);

    // A table created later is found, and the work spread again.
    table(&db, "d", 2);
    assert_eq!(values(&broker.bootstrap(), "t_d", 2), ["d1", "d2"]);
    let tasks = expect(&w, "GET", "/connectors/tables/tasks", None, 200);
    let assigned: Vec<&str> = tasks
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["config"]["tables"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(assigned, ["a,b", "d"]);
    // The blacklisted table never became a topic's source.
    let (_, topics) = call("GET", &format!("{}/connectors/tables/topics", w.url()), None);
    let mut active: Vec<String> = topics["tables"]["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| t.as_str().unwrap_or("").to_string())
        .collect();
    active.sort();
    assert_eq!(active, ["t_a", "t_b", "t_d"]);

    // Offsets in Confluent's format.
    let offsets = wait_until(&w, "offsets of every table", || {
        let (_, body) = call("GET", &format!("{}/connectors/tables/offsets", w.url()), None);
        (body["offsets"].as_array().is_some_and(|o| o.len() == 3)).then_some(body)
    });
    let mut got: Vec<String> = offsets["offsets"]
        .as_array()
        .expect("offsets")
        .iter()
        .map(|o| o.to_string())
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            r#"{"offset":{"incrementing":2},"partition":{"protocol":"1","table":"d"}}"#,
            r#"{"offset":{"incrementing":3},"partition":{"protocol":"1","table":"a"}}"#,
            r#"{"offset":{"incrementing":3},"partition":{"protocol":"1","table":"b"}}"#,
        ]
    );
}

#[test]
fn an_offset_under_confluents_legacy_partition_is_where_the_copy_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestDb::sqlite(&dir.path().join("db.sqlite"));
    table(&db, "a", 6);
    let (broker, w) = start();
    let body = json!({"name": "moved", "config": source(&db, json!({"table.whitelist": "a"})), "initial_state": "STOPPED"});
    expect(&w, "POST", "/connectors", Some(&body.to_string()), 201);
    wait_states(&w, "moved", "STOPPED", &[]);
    let alter = json!({"offsets": [{"partition": {"table": "a"}, "offset": {"incrementing": 4}}]});
    expect(&w, "PATCH", "/connectors/moved/offsets", Some(&alter.to_string()), 200);
    expect(&w, "PUT", "/connectors/moved/resume", None, 202);
    assert_eq!(values(&broker.bootstrap(), "t_a", 2), ["a5", "a6"]);
}

#[test]
fn a_query_with_its_own_where_and_a_join_composes_with_the_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestDb::sqlite(&dir.path().join("db.sqlite"));
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, customer INTEGER NOT NULL, amount INTEGER NOT NULL)");
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(20))");
    db.execute("INSERT INTO customers VALUES (1, 'ada'), (2, 'bob')");
    for (c, a) in [(1, 10), (2, 500), (1, 700), (2, 20), (1, 900)] {
        db.execute(&format!("INSERT INTO orders (customer, amount) VALUES ({c}, {a})"));
    }
    let (broker, w) = start();
    let query = "SELECT o.id, c.name AS v, o.amount FROM orders o JOIN customers c ON c.id = o.customer WHERE o.amount >= 100";
    put(&w, "big-orders", source(&db, json!({"query": query, "topic.prefix": "big_orders"})));
    assert_eq!(values(&broker.bootstrap(), "big_orders", 3), ["bob", "ada", "ada"]);
    db.execute("INSERT INTO orders (customer, amount) VALUES (2, 5), (2, 1000)");
    let all = read(&broker.bootstrap(), "big_orders", 4);
    let last: Value = serde_json::from_str(&all[3].1).expect("JSON");
    assert_eq!(last["payload"], json!({"id": 7, "v": "bob", "amount": 1000}));
    assert!(
        last["schema"].get("name").is_none(),
        "a query's struct has no name: {}",
        last["schema"]
    );
}

#[test]
fn a_nullable_incrementing_column_fails_the_task_saying_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = TestDb::sqlite(&dir.path().join("db.sqlite"));
    db.execute("CREATE TABLE loose (n INTEGER, v VARCHAR(20))");
    db.execute("INSERT INTO loose VALUES (1, 'x')");
    let (_broker, w) = start();
    put(
        &w,
        "loose",
        source(&db, json!({"table.whitelist": "loose", "incrementing.column.name": "n"})),
    );
    let trace = wait_until(&w, "the task to fail", || {
        let (_, body) = call("GET", &format!("{}/connectors/loose/status", w.url()), None);
        (body["tasks"][0]["state"] == "FAILED").then(|| body["tasks"][0]["trace"].as_str().unwrap_or("").to_string())
    });
    assert!(
        trace.contains("Cannot make incremental queries using incrementing column n on \"loose\" because this column is nullable."),
        "{trace}"
    );
}
