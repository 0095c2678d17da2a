//! Rows committed out of id order, and rows sharing a timestamp: concurrent writers hold their
//! transactions open for random times (some roll back), while the source polls every 20 ms in
//! small batches. Confluent's connector skips a row whose id is below one already read when it
//! commits; ours must deliver every committed row, once.

use std::collections::BTreeSet;
use std::time::Duration;

use kaskade_testkit::databases::{DbServer, Engine, TestDb};
use serde_json::{json, Value};

use super::*;

const WRITERS: usize = 4;
const TRANSACTIONS: usize = 40;
const ROWS_PER_TRANSACTION: usize = 3;

/// A small deterministic generator, so a failure can be replayed.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Runs the writers: each transaction inserts rows (one statement, so they share `NOW()`),
/// waits 0–150 ms, then commits, or one time in eight rolls back.
fn write(db: &TestDb, table: &str) {
    let url = db.url();
    let engine = db.engine();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let mut handles = Vec::new();
        for writer in 0..WRITERS {
            let (url, table) = (url.clone(), table.to_string());
            handles.push(tokio::spawn(async move {
                use sqlx::Connection;
                let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ (writer as u64 + 1);
                let values: Vec<String> = (0..ROWS_PER_TRANSACTION).map(|_| format!("({writer})")).collect();
                let insert = format!("INSERT INTO {table} (writer) VALUES {}", values.join(", "));
                for _ in 0..TRANSACTIONS {
                    let hold = Duration::from_millis(next(&mut seed) % 150);
                    let rollback = next(&mut seed).is_multiple_of(8);
                    macro_rules! run {
                        ($conn:ty) => {{
                            let mut c = <$conn>::connect(&url).await.expect("connect");
                            let mut tx = c.begin().await.expect("begin");
                            sqlx::raw_sql(sqlx::AssertSqlSafe(insert.clone()))
                                .execute(&mut *tx)
                                .await
                                .expect("insert");
                            tokio::time::sleep(hold).await;
                            if rollback {
                                tx.rollback().await.expect("rollback");
                            } else {
                                tx.commit().await.expect("commit");
                            }
                        }};
                    }
                    match engine {
                        Engine::MariaDb => run!(sqlx::MySqlConnection),
                        _ => run!(sqlx::PgConnection),
                    }
                }
            }));
        }
        for h in handles {
            h.await.expect("writer");
        }
    });
}

fn ids_in_topic(bootstrap: &str, topic: &str, n: usize, db: &TestDb) -> Vec<i64> {
    let got = read_some(bootstrap, topic, n);
    if got.len() < n {
        let seen: Vec<String> = got
            .iter()
            .map(|(_, v)| serde_json::from_str::<Value>(v).expect("JSON")["payload"]["id"].to_string())
            .collect();
        let cast = if db.engine() == Engine::Postgres { "::text" } else { "" };
        let missing = db.query_strings(&format!(
            "SELECT id{cast}, ts{cast} FROM events WHERE id NOT IN ({}) ORDER BY ts LIMIT 20",
            if seen.is_empty() { "0".to_string() } else { seen.join(",") }
        ));
        let last = db.query_strings(&format!(
            "SELECT id{cast}, ts{cast} FROM events WHERE id = {}",
            seen.last().map_or("0", |s| s.as_str())
        ));
        panic!(
            "{topic} holds {} records, {n} expected; last delivered {last:?}; missing (first 20) {missing:?}",
            got.len()
        );
    }
    got.iter()
        .map(|(_, v)| {
            let v: Value = serde_json::from_str(v).expect("JSON");
            v["payload"]["id"].as_i64().expect("id")
        })
        .collect()
}

fn every_committed_row_once(engine: Engine, mode: &str) {
    let db = DbServer::shared(engine).create_database();
    let (ddl, ts_type) = match engine {
        Engine::MariaDb => ("id INT AUTO_INCREMENT PRIMARY KEY", "DATETIME(6) NOT NULL DEFAULT NOW(6)"),
        _ => ("id SERIAL PRIMARY KEY", "TIMESTAMP(6) NOT NULL DEFAULT LOCALTIMESTAMP"),
    };
    db.execute(&format!("CREATE TABLE events ({ddl}, writer INT, ts {ts_type})"));
    let (broker, w) = start();
    let mut config = json_converters(json!({
        "connector.class": "io.confluent.connect.jdbc.JdbcSourceConnector",
        "connection.url": db.jdbc_url(),
        "table.whitelist": "events",
        "mode": mode,
        "incrementing.column.name": "id",
        "timestamp.column.name": "ts",
        "topic.prefix": "concurrent_",
        "poll.interval.ms": "20",
        "batch.max.rows": "2",
    }));
    credentials(&mut config, &db);
    put(&w, "events-source", config);
    write(&db, "events");
    let committed: BTreeSet<i64> = db
        .query_strings("SELECT id FROM events")
        .into_iter()
        .map(|r| r[0].as_deref().and_then(|s| s.parse().ok()).expect("id"))
        .collect();
    assert!(committed.len() > WRITERS * TRANSACTIONS, "few rows committed: {}", committed.len());
    let ids = ids_in_topic(&broker.bootstrap(), "concurrent_events", committed.len(), &db);
    let got: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(got.len(), ids.len(), "a row was delivered twice: {ids:?}");
    let missing: Vec<&i64> = committed.difference(&got).collect();
    assert!(missing.is_empty(), "rows committed but never delivered: {missing:?}");
    // Nothing more arrives later (the rolled-back ids never appear).
    std::thread::sleep(Duration::from_secs(1));
    let consumer = kaskade_testkit::clients::assigned_consumer(&broker.bootstrap(), "concurrent_events", 1, &[]);
    let (mut total, mut idle) = (0, 0);
    while idle < 10 {
        match consumer.poll(Duration::from_millis(200)) {
            Some(Ok(_)) => {
                total += 1;
                idle = 0;
            }
            _ if total >= committed.len() => idle += 1,
            _ => {}
        }
    }
    assert_eq!(total, committed.len(), "extra records in the topic");
}

#[test]
fn incrementing_on_mariadb_loses_no_row_committed_out_of_order() {
    every_committed_row_once(Engine::MariaDb, "incrementing");
}

#[test]
fn incrementing_on_postgres_loses_no_row_committed_out_of_order() {
    every_committed_row_once(Engine::Postgres, "incrementing");
}

#[test]
fn timestamp_on_mariadb_loses_no_row_sharing_a_timestamp_or_committed_late() {
    every_committed_row_once(Engine::MariaDb, "timestamp");
}

#[test]
fn timestamp_incrementing_on_postgres_loses_no_row() {
    every_committed_row_once(Engine::Postgres, "timestamp+incrementing");
}
