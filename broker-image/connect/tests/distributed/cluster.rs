//! Three workers, one group: connectors and tasks spread over them, a write sent to any worker
//! works (followers forward it to the leader), a worker stopped with SIGTERM hands its work
//! over with nothing repeated, one killed with SIGKILL hands it over with nothing lost, and a
//! restarted worker rejoins and takes its share again.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use kaskade_testkit::http::request;
use kaskade_testkit::{BrokerProc, ConnectProc};
use serde_json::{json, Value};

use crate::{append, expected, get, lines, wait_until};

const PIPELINES: usize = 3;

/// Settings for quick hand-overs: a dead worker is noticed in 6 s and its work waits 2 s more.
const OVERRIDES: &[&str] = &[
    "offset.flush.interval.ms=500",
    "session.timeout.ms=6000",
    "heartbeat.interval.ms=1000",
    "scheduled.rebalance.max.delay.ms=2000",
];

/// Worker ids running each connector and task, from any worker's `?expand=status`.
fn placement(url: &str) -> BTreeMap<String, Vec<String>> {
    let (_, v) = get(&format!("{url}/connectors?expand=status"));
    let mut out = BTreeMap::new();
    if let Value::Object(m) = v {
        for (name, entry) in m {
            let s = &entry["status"];
            let mut ids = vec![format!(
                "{}:{}",
                s["connector"]["state"].as_str().unwrap_or(""),
                s["connector"]["worker_id"].as_str().unwrap_or("")
            )];
            for t in s["tasks"].as_array().cloned().unwrap_or_default() {
                ids.push(format!(
                    "{}:{}",
                    t["state"].as_str().unwrap_or(""),
                    t["worker_id"].as_str().unwrap_or("")
                ));
            }
            out.insert(name, ids);
        }
    }
    out
}

/// Every connector and task RUNNING, on the given workers only.
fn all_running_on(url: &str, workers: &BTreeSet<String>) -> Option<BTreeMap<String, Vec<String>>> {
    let p = placement(url);
    let ok = p.len() == 2 * PIPELINES
        && p.values()
            .all(|ids| ids.len() == 2 && ids.iter().all(|s| s.strip_prefix("RUNNING:").is_some_and(|w| workers.contains(w))));
    ok.then_some(p)
}

fn workers_used(p: &BTreeMap<String, Vec<String>>) -> BTreeSet<String> {
    p.values()
        .flatten()
        .filter_map(|s| s.split_once(':').map(|(_, w)| w.to_string()))
        .collect()
}

/// The lines of `out` with repeats after their first occurrence removed; and whether any repeat.
fn first_occurrences(out: &[String]) -> (Vec<String>, bool) {
    let mut seen = HashSet::new();
    let mut firsts = Vec::new();
    for l in out {
        if seen.insert(l.clone()) {
            firsts.push(l.clone());
        }
    }
    let repeated = firsts.len() != out.len();
    (firsts, repeated)
}

#[test]
fn workers_share_hand_over_and_lose_nothing() {
    let broker = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    let bootstrap = broker.bootstrap();
    let mut workers: Vec<ConnectProc> = (0..3).map(|_| ConnectProc::start(&bootstrap, "dist", OVERRIDES)).collect();
    let ids = |ws: &[&ConnectProc]| ws.iter().map(|w| w.worker_id()).collect::<BTreeSet<_>>();
    let all = ids(&workers.iter().collect::<Vec<_>>());

    // Pipelines created through the last worker to start (a follower: the first is the leader).
    let files: Vec<(PathBuf, PathBuf)> = (0..PIPELINES)
        .map(|i| (workers[0].file(&format!("in-{i}.txt")), workers[0].file(&format!("out-{i}.txt"))))
        .collect();
    let entry = workers[2].url();
    for (i, (input, output)) in files.iter().enumerate() {
        append(input, 0..1000);
        for body in [
            json!({"name": format!("src-{i}"), "config": {"connector.class": "FileStreamSource", "file": input, "topic": format!("dist-{i}")}}),
            json!({"name": format!("snk-{i}"), "config": {"connector.class": "FileStreamSink", "file": output, "topics": format!("dist-{i}")}}),
        ] {
            let (code, text) = request("POST", &format!("{entry}/connectors"), Some(&body.to_string()));
            assert_eq!(code, 201, "a create sent to a follower: {text}");
        }
    }
    let p = wait_until("six connectors and six tasks running", Duration::from_secs(60), || {
        all_running_on(&entry, &all)
    });
    assert_eq!(workers_used(&p), all, "the work is spread over the three workers: {p:?}");
    for (_, output) in &files {
        wait_until("the first 1000 lines", Duration::from_secs(60), || {
            (lines(output).len() >= 1000).then_some(())
        });
    }

    // SIGTERM: the worker commits and leaves; its work moves; nothing is repeated.
    let stopped = workers[1].worker_id();
    assert!(workers[1].stop().success(), "a clean stop:\n{}", workers[1].log());
    let rest: BTreeSet<String> = all.iter().filter(|w| **w != stopped).cloned().collect();
    wait_until("the stopped worker's share to move", Duration::from_secs(60), || {
        all_running_on(&workers[0].url(), &rest)
    });
    for (input, _) in &files {
        append(input, 1000..2000);
    }
    for (_, output) in &files {
        wait_until("lines 1000..2000", Duration::from_secs(60), || {
            (lines(output).len() >= 2000).then_some(())
        });
        assert_eq!(lines(output), expected(0..2000), "a clean hand-over repeats nothing");
    }

    // SIGKILL mid-stream: nothing lost (repeats allowed), the order of first occurrences kept.
    let writer = {
        let inputs: Vec<PathBuf> = files.iter().map(|(i, _)| i.clone()).collect();
        std::thread::spawn(move || {
            for chunk in 0..20 {
                for input in &inputs {
                    append(input, 2000 + chunk * 500..2000 + (chunk + 1) * 500);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(700));
    let killed = workers[2].worker_id();
    workers[2].kill();
    writer.join().unwrap();
    let survivor: BTreeSet<String> = [workers[0].worker_id()].into();
    wait_until("the killed worker's share on the survivor", Duration::from_secs(90), || {
        all_running_on(&workers[0].url(), &survivor)
    });
    for (_, output) in &files {
        wait_until("every line after the kill", Duration::from_secs(90), || {
            (first_occurrences(&lines(output)).0.len() >= 12_000).then_some(())
        });
        let (firsts, _) = first_occurrences(&lines(output));
        assert_eq!(firsts, expected(0..12_000), "at least once, in order, after {killed} was killed");
    }

    // The killed and the stopped worker come back and take their share again.
    workers[1].restart();
    workers[2].restart();
    wait_until("all three workers used again", Duration::from_secs(60), || {
        all_running_on(&workers[0].url(), &all).filter(|p| workers_used(p) == all)
    });
    for w in workers.iter_mut() {
        assert!(w.stop().success(), "a clean stop:\n{}", w.log());
    }
}
