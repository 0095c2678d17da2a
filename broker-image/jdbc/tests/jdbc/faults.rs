//! Faults while rows flow, MariaDB to MariaDB: the worker SIGKILLed mid-stream and started
//! again, and the target database stopped for 30 s and started again. Delivery is at least
//! once; with upserts by `id` the target ends with every source row exactly once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kaskade_testkit::connect_rest::{states, wait_until};
use kaskade_testkit::databases::{DbServer, Engine, TestDb};
use serde_json::json;

use super::story::users_ddl;
use super::*;

/// Inserts rows into `users` until stopped; returns how many it inserted.
fn writer(db: Arc<TestDb>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut n = 0u64;
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            db.execute(&format!(
                "INSERT INTO users (user_id, pwd, name) VALUES ('user{n}', 'pw{n}', 'User {n}')"
            ));
            std::thread::sleep(Duration::from_millis(5));
        }
        n
    })
}

/// Every source row is in the target once, with the same values.
fn same_rows(source: &TestDb, target: &TestDb) {
    let q = |db: &TestDb, t: &str| db.query_strings(&format!("SELECT id, user_id, pwd, name FROM {t} ORDER BY id"));
    let (s, t) = (q(source, "users"), q(target, "my_topic_users"));
    assert_eq!(s.len(), t.len(), "rows in the source and the target");
    assert!(s == t, "the target's rows differ from the source's");
}

fn sink(target: &TestDb) -> serde_json::Value {
    let mut c = sink_config(target, "my_topic_users");
    c["max.retries"] = json!("100");
    c["retry.backoff.ms"] = json!("1000");
    c["connection.attempts"] = json!("1");
    c
}

#[test]
fn a_worker_killed_mid_stream_loses_no_row() {
    let server = DbServer::shared(Engine::MariaDb);
    let (source, target) = (Arc::new(server.create_database()), server.create_database());
    source.execute(users_ddl(Engine::MariaDb));
    let (_broker, mut w) = start();
    put(&w, "users-source", source_config(&source));
    put(&w, "users-sink", sink(&target));
    let stop = Arc::new(AtomicBool::new(false));
    let inserting = writer(source.clone(), stop.clone());
    wait_until(&w, "rows flowing into the target", || {
        (target.count("my_topic_users") >= 200).then_some(())
    });

    w.kill();
    std::thread::sleep(Duration::from_secs(1));
    w.spawn();
    let after_restart = target.count("my_topic_users");
    wait_until(&w, "rows flowing again after the restart", || {
        (target.count("my_topic_users") >= after_restart + 200).then_some(())
    });
    stop.store(true, Ordering::Relaxed);
    let inserted = inserting.join().expect("writer");
    wait_rows(&w, &target, "my_topic_users", inserted);
    same_rows(&source, &target);
}

#[test]
fn the_target_database_stopped_for_30_s_loses_no_row() {
    let shared = DbServer::shared(Engine::MariaDb);
    let source = Arc::new(shared.create_database());
    let mut target_server = DbServer::dedicated(Engine::MariaDb);
    let target = target_server.create_database();
    source.execute(users_ddl(Engine::MariaDb));
    let (_broker, w) = start();
    put(&w, "users-source", source_config(&source));
    put(&w, "users-sink", sink(&target));
    let stop = Arc::new(AtomicBool::new(false));
    let inserting = writer(source.clone(), stop.clone());
    wait_until(&w, "rows flowing into the target", || {
        (target.count("my_topic_users") >= 100).then_some(())
    });

    target_server.stop();
    let stopped = Instant::now();
    std::thread::sleep(Duration::from_secs(30));
    // The sink waits for the database: its task is still RUNNING, retrying.
    assert_eq!(states(&w.url(), "users-sink"), Some(("RUNNING".into(), vec!["RUNNING".into()])));
    target_server.start();
    eprintln!("target database away for {:?}", stopped.elapsed());
    stop.store(true, Ordering::Relaxed);
    let inserted = inserting.join().expect("writer");
    wait_rows(&w, &target, "my_topic_users", inserted);
    same_rows(&source, &target);
}
