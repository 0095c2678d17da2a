//! The REST API, differentially: the same sequence of requests to Apache Kafka Connect 4.3.1
//! (the peer, on a Kaskade broker of its own) and to our worker (on another), both running
//! FileStream connectors on files in their own directories. Each answer's status, body and
//! `Location` are compared as text, after replacing what must differ — the file directory, the
//! worker's URL and id, the Kafka cluster id, `commit`, and `trace` texts — so key order counts
//! as well (Kafka's orders are Java `HashMap`s' and `LinkedHashMap`s', and ours reproduce them).
//!
//! Where we differ on purpose, the step asserts our answer and names the difference (listed in
//! docs/compatibility.md, "Kafka Connect worker"):
//! - a malformed JSON body, or one of the wrong shape: Kafka answers 500 with Jackson's text, we
//!   400 with serde's;
//! - `POST /connectors` without `config`, or with an unknown `initial_state`: Kafka 500 (a
//!   NullPointerException's text, Jackson's), we 400;
//! - validating with an unknown connector class or without `connector.class`: Kafka 500 with the
//!   exception class in the message, we 400 with the message alone;
//! - `PATCH` of a config with another `name`: Kafka takes it, we refuse it as `PUT` does (sent to
//!   ours only: Kafka's connector would carry the other name from then on);
//! - `commit` in `GET /` is our version, not Kafka's git commit;
//! - `GET /metrics` is ours (Prometheus text); Kafka answers 404;
//! - our plugin lists (and the "available connectors" of an unknown class) also hold the built-in
//!   JDBC connectors, which the peer has not installed (Confluent's jar is not on Maven Central):
//!   they are taken out of our answers before comparing.
//!
//! Every other mismatch is collected and the test fails at the end with all of them
//! (`CONNECT_DIFF_DUMP=DIR` writes both answers of each to `DIR/N.kafka` and `DIR/N.ours`).

use std::fmt::Write as _;
use std::path::PathBuf;

use kaskade_testkit::http::{exchange, Response};
use kaskade_testkit::ConnectPeer;
use regex::Regex;

use super::*;

/// One worker under comparison.
struct Side {
    label: &'static str,
    url: String,
    dir: PathBuf,
    cluster_id: String,
    log: Box<dyn Fn() -> String>,
}

impl Side {
    fn call(&self, method: &str, path: &str, body: Option<&str>) -> Response {
        let body = body.map(|b| b.replace("{dir}", self.dir.to_str().expect("utf-8 dir")));
        exchange(method, &format!("{}{path}", self.url), body.as_deref())
    }

    /// The answer as compared: `STATUS location=… body`, with the side's particulars replaced.
    fn normalise(&self, r: &Response) -> String {
        let mut text = format!("{} location={} {}", r.status, r.header("location").unwrap_or("-"), r.body);
        let worker_id = self.url.trim_start_matches("http://");
        for (from, to) in [
            (self.dir.to_str().expect("utf-8 dir"), "{dir}"),
            (self.url.as_str(), "{url}"),
            (worker_id, "{worker}"),
            (self.cluster_id.as_str(), "{cluster}"),
        ] {
            if !from.is_empty() {
                text = text.replace(from, to);
            }
        }
        if self.label == "ours" {
            let jdbc = Regex::new(r#"\{"class":"io\.confluent\.connect\.jdbc\.[^}]*\},?"#).unwrap();
            let desc = Regex::new(r"PluginDesc\{klass=class io\.confluent\.connect\.jdbc\.[^}]*\}, ").unwrap();
            text = desc.replace_all(&jdbc.replace_all(&text, ""), "").into_owned();
        }
        let commit = Regex::new(r#""commit":"[^"]*""#).unwrap();
        let trace = Regex::new(r#""trace":"(?:[^"\\]|\\.)*""#).unwrap();
        let text = commit.replace_all(&text, r#""commit":"{commit}""#);
        trace.replace_all(&text, r#""trace":"{trace}""#).into_owned()
    }

    fn states(&self, name: &str) -> Option<(String, Vec<String>)> {
        states(&self.url, name)
    }
}

struct Diff {
    kafka: Side,
    ours: Side,
    steps: usize,
    mismatches: Vec<String>,
}

impl Diff {
    fn both(&self) -> [&Side; 2] {
        [&self.kafka, &self.ours]
    }

    /// Both answer the same (after normalising).
    fn same(&mut self, method: &str, path: &str, body: Option<&str>) -> Response {
        self.steps += 1;
        let k = self.kafka.call(method, path, body);
        let o = self.ours.call(method, path, body);
        let (kt, ot) = (self.kafka.normalise(&k), self.ours.normalise(&o));
        if kt != ot {
            // CONNECT_DIFF_DUMP=DIR keeps both answers of each mismatch, for a closer look.
            if let Some(dir) = std::env::var_os("CONNECT_DIFF_DUMP") {
                let n = self.mismatches.len();
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(PathBuf::from(&dir).join(format!("{n}.kafka")), format!("{method} {path}\n{kt}\n"));
                let _ = std::fs::write(PathBuf::from(&dir).join(format!("{n}.ours")), format!("{method} {path}\n{ot}\n"));
            }
            let at = kt.chars().zip(ot.chars()).take_while(|(a, b)| a == b).count();
            let mut m = format!("{method} {path}");
            if let Some(b) = body {
                let _ = write!(m, " {}", shorten(b));
            }
            let _ = write!(
                m,
                "\n  kafka: {}\n  ours:  {}\n  first difference at character {at}: kafka …{}… ours …{}…",
                shorten(&kt),
                shorten(&ot),
                around(&kt, at),
                around(&ot, at)
            );
            self.mismatches.push(m);
        }
        o
    }

    /// A deliberate difference: Kafka answers `kafka_status` with a message containing
    /// `kafka_says`, we answer `ours_status` with one containing `we_say`.
    fn differs(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
        (kafka_status, kafka_says): (u16, &str),
        (ours_status, we_say): (u16, &str),
    ) {
        self.steps += 1;
        for (side, status, says) in [(&self.kafka, kafka_status, kafka_says), (&self.ours, ours_status, we_say)] {
            let r = side.call(method, path, body);
            if r.status != status || !r.body.contains(says) {
                self.mismatches.push(format!(
                    "{method} {path}: {} answered {} {}, expected {status} with {says:?}",
                    side.label,
                    r.status,
                    shorten(&r.body)
                ));
            }
        }
    }

    /// Sent to our worker only, where sending it to Kafka would leave a state the rest of the
    /// sequence cannot compare: expects `status` and a body containing `says`.
    fn ours_only(&mut self, method: &str, path: &str, body: Option<&str>, status: u16, says: &str) {
        self.steps += 1;
        let r = self.ours.call(method, path, body);
        if r.status != status || !r.body.contains(says) {
            self.mismatches.push(format!(
                "{method} {path}: ours answered {} {}, expected {status} with {says:?}",
                r.status,
                shorten(&r.body)
            ));
        }
    }

    /// Waits on both sides until the connector is in `connector` with tasks in `tasks`.
    fn wait_states(&self, name: &str, connector: &str, tasks: &[&str]) {
        self.wait_states_on(&self.both(), name, connector, tasks);
    }

    fn wait_states_on(&self, sides: &[&Side], name: &str, connector: &str, tasks: &[&str]) {
        for side in sides {
            let mut last = None;
            let reached = wait_for(WAIT, || {
                let s = side.states(name);
                let ok = s
                    .as_ref()
                    .is_some_and(|(c, t)| c == connector && t.iter().map(String::as_str).eq(tasks.iter().copied()));
                last = s;
                ok.then_some(())
            });
            if reached.is_none() {
                self.fail(&format!(
                    "{}: {name} did not reach {connector} {tasks:?}; last {last:?}",
                    side.label
                ));
            }
        }
    }

    /// Waits on both sides until `GET path` satisfies `ok`.
    fn wait_get(&self, what: &str, path: &str, ok: impl Fn(&Value) -> bool) {
        for side in self.both() {
            let mut last = Value::Null;
            let reached = wait_for(WAIT, || {
                let r = side.call("GET", path, None);
                last = parse(&r.body);
                (r.status == 200 && ok(&last)).then_some(())
            });
            if reached.is_none() {
                self.fail(&format!("{}: {what} (GET {path}); last {last}", side.label));
            }
        }
    }

    #[track_caller]
    fn fail(&self, what: &str) -> ! {
        panic!(
            "{what}\n\nmismatches so far:\n{}\n--- kafka's warnings\n{}\n--- our log\n{}",
            self.mismatches.join("\n"),
            tail(&(self.kafka.log)()),
            tail(&(self.ours.log)())
        );
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 600 {
        s.to_string()
    } else {
        format!("{}… ({} characters)", s.chars().take(600).collect::<String>(), s.chars().count())
    }
}

fn around(s: &str, at: usize) -> String {
    s.chars().skip(at.saturating_sub(40)).take(120).collect()
}

fn create_body(name: &str, config: Value, initial_state: Option<&str>) -> String {
    let mut body = json!({"name": name, "config": config});
    if let Some(s) = initial_state {
        body["initial_state"] = json!(s);
    }
    body.to_string()
}

#[test]
fn rest_answers_match_apache_kafka_connect() {
    let broker_k = broker();
    let broker_o = broker();
    let files_k = tempfile::Builder::new().prefix("kaskade-diff-").tempdir().unwrap();
    let peer = ConnectPeer::start(&broker_k.bootstrap(), "diff", &["offset.flush.interval.ms=200"]);
    let ours = worker(&broker_o, "diff", &[]);
    let kafka_id = parse(&exchange("GET", &format!("{}/", peer.url()), None).body)["kafka_cluster_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let ours_id = parse(&exchange("GET", &format!("{}/", ours.url()), None).body)["kafka_cluster_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let input = "1\n2\n3\n4\n5\n";
    std::fs::write(files_k.path().join("in.txt"), input).unwrap();
    ours.write_file("in.txt", input);
    let peer_dir = peer.dir().to_path_buf();
    let ours_log = ours.log_file();
    let mut d = Diff {
        kafka: Side {
            label: "kafka",
            url: peer.url().to_string(),
            dir: files_k.path().to_path_buf(),
            cluster_id: kafka_id,
            log: Box::new(move || {
                let text = std::fs::read_to_string(peer_dir.join("stderr.log")).unwrap_or_default();
                text.lines()
                    .filter(|l| !l.starts_with("\tat ") && !l.starts_with("\t..."))
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
        },
        ours: Side {
            label: "ours",
            url: ours.url(),
            dir: ours.dir().to_path_buf(),
            cluster_id: ours_id,
            log: Box::new(move || std::fs::read_to_string(&ours_log).unwrap_or_default()),
        },
        steps: 0,
        mismatches: Vec::new(),
    };

    // ---- the worker and its plugins ------------------------------------------------------------
    d.same("GET", "/", None);
    d.same("GET", "/health", None);
    d.same("GET", "/connectors", None);
    d.same("GET", "/connectors?expand=status", None);
    d.same("GET", "/connector-plugins", None);
    d.same("GET", "/connector-plugins?connectorsOnly=false", None);
    d.same("GET", "/connector-plugins?connectorsOnly=true", None);
    for plugin in [
        "FileStreamSource",
        "FileStreamSink",
        "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "FileStreamSinkConnector",
        "Nope",
        "org.apache.kafka.connect.transforms.Filter",
        "org.apache.kafka.connect.transforms.InsertField$Value",
        "RegexRouter",
        "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
        "org.apache.kafka.connect.json.JsonConverter",
        "StringConverter",
        "org.apache.kafka.connect.storage.SimpleHeaderConverter",
    ] {
        d.same("GET", &format!("/connector-plugins/{plugin}/config"), None);
    }

    // ---- a source connector --------------------------------------------------------------------
    let src = json!({"connector.class": "FileStreamSource", "file": "{dir}/in.txt", "topic": "t1", "tasks.max": "1"});
    d.same("POST", "/connectors", Some(&create_body("src", src.clone(), None)));
    d.same("POST", "/connectors", Some(&create_body("src", src.clone(), None)));
    d.wait_states("src", "RUNNING", &["RUNNING"]);
    d.wait_get("the source offset at the end", "/connectors/src/offsets", |v| {
        v["offsets"][0]["offset"]["position"] == input.len()
    });
    d.wait_get("the topic recorded", "/connectors/src/topics", |v| {
        v["src"]["topics"] == json!(["t1"])
    });
    for path in [
        "/connectors",
        "/connectors/src",
        "/connectors/src/config",
        "/connectors/src/status",
        "/connectors/src/tasks",
        "/connectors/src/tasks-config",
        "/connectors/src/tasks/0/status",
        "/connectors/src/tasks/1/status",
        "/connectors/src/topics",
        "/connectors/src/offsets",
        "/connectors?expand=status",
        "/connectors?expand=info",
        "/connectors?expand=info&expand=status",
        "/connectors?expand=nothing",
    ] {
        d.same("GET", path, None);
    }

    // Config replaced, then patched (a null removes a key).
    let replaced = json!({"connector.class": "FileStreamSource", "file": "{dir}/in.txt", "topic": "t1", "batch.size": "10"});
    d.same("PUT", "/connectors/src/config", Some(&replaced.to_string()));
    d.wait_get("the new task config", "/connectors/src/tasks", |v| {
        v[0]["config"]["batch.size"] == "10"
    });
    d.same("PATCH", "/connectors/src/config", Some(r#"{"batch.size":"20","tasks.max":"1"}"#));
    d.wait_get("the patched task config", "/connectors/src/tasks", |v| {
        v[0]["config"]["batch.size"] == "20"
    });
    d.same("PATCH", "/connectors/src/config", Some(r#"{"batch.size":null}"#));
    d.wait_get("the task config without batch.size", "/connectors/src/tasks", |v| {
        v[0]["config"].get("batch.size").is_none()
    });
    d.wait_states("src", "RUNNING", &["RUNNING"]);
    d.same("GET", "/connectors/src/config", None);
    d.same("GET", "/connectors/src/tasks", None);
    d.same("GET", "/connectors/src", None);
    d.same(
        "PUT",
        "/connectors/src/config",
        Some(r#"{"name":"other","connector.class":"FileStreamSource","topic":"t1"}"#),
    );
    // Kafka takes a different name in a PATCH (and then shows it in the config); we refuse it
    // as PUT does.
    d.ours_only(
        "PATCH",
        "/connectors/src/config",
        Some(r#"{"name":"other"}"#),
        400,
        "Connector name configuration (other) doesn't match connector name in the URL (src)",
    );
    d.same("PATCH", "/connectors/src/config", Some(r#"{"topic":""}"#));

    // Pause, resume; offsets refused while not stopped.
    d.same("PUT", "/connectors/src/pause", None);
    d.wait_states("src", "PAUSED", &["PAUSED"]);
    d.same("GET", "/connectors/src/status", None);
    let alter = r#"{"offsets":[{"partition":{"filename":"{dir}/in.txt"},"offset":{"position":2}}]}"#;
    d.same("PATCH", "/connectors/src/offsets", Some(alter));
    d.same("DELETE", "/connectors/src/offsets", None);
    d.same("PUT", "/connectors/src/resume", None);
    d.wait_states("src", "RUNNING", &["RUNNING"]);
    d.same("GET", "/connectors/src/status", None);

    // Stop; offsets altered and reset.
    d.same("PUT", "/connectors/src/stop", None);
    d.wait_states("src", "STOPPED", &[]);
    for path in [
        "/connectors/src/status",
        "/connectors/src/tasks",
        "/connectors/src",
        "/connectors/src/offsets",
        "/connectors/src/tasks/0/status",
    ] {
        d.same("GET", path, None);
    }
    d.same("PATCH", "/connectors/src/offsets", Some(r#"{"offsets":[]}"#));
    d.same("PATCH", "/connectors/src/offsets", Some(r#"{}"#));
    d.same("PATCH", "/connectors/src/offsets", Some(alter));
    d.same("GET", "/connectors/src/offsets", None);
    d.same("DELETE", "/connectors/src/offsets", None);
    d.same("GET", "/connectors/src/offsets", None);
    d.same("POST", "/connectors/src/restart", None);
    d.wait_states("src", "STOPPED", &[]);
    d.same("POST", "/connectors/src/restart?includeTasks=true&onlyFailed=false", None);
    d.wait_states("src", "STOPPED", &[]);

    // Running again: restarts of every kind.
    d.same("PUT", "/connectors/src/resume", None);
    d.wait_states("src", "RUNNING", &["RUNNING"]);
    d.wait_get("the source offset at the end again", "/connectors/src/offsets", |v| {
        v["offsets"][0]["offset"]["position"] == input.len()
    });
    // A restart's answer shows the states it finds, and a restart takes effect after its
    // answer: the ones that answer current states come while nothing restarts, then those whose
    // answer is fixed.
    d.same("POST", "/connectors/src/restart?includeTasks=true&onlyFailed=true", None);
    d.same("POST", "/connectors/src/restart?onlyFailed=true", None);
    d.same("POST", "/connectors/src/restart?includeTasks=true", None);
    d.same("POST", "/connectors/src/restart", None);
    d.same("POST", "/connectors/src/tasks/0/restart", None);
    d.wait_states("src", "RUNNING", &["RUNNING"]);
    d.same("POST", "/connectors/src/tasks/7/restart", None);
    d.same("GET", "/connectors/src/tasks/7/status", None);
    d.same("PUT", "/connectors/src/topics/reset", None);
    d.wait_get("the topics reset", "/connectors/src/topics", |v| v["src"]["topics"] == json!([]));
    d.same("GET", "/connectors/src/topics", None);

    // ---- sinks created paused and stopped ---------------------------------------------------------
    let sink = json!({"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "file": "{dir}/out.txt", "topics": "t1"});
    d.same("POST", "/connectors", Some(&create_body("snk", sink.clone(), Some("PAUSED"))));
    d.same("POST", "/connectors", Some(&create_body("snk2", sink.clone(), Some("STOPPED"))));
    d.differs(
        "POST",
        "/connectors",
        Some(&create_body("snk3", sink.clone(), Some("BOGUS"))),
        (
            500,
            "No enum constant org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest.InitialState.BOGUS",
        ),
        (400, "Invalid initial state BOGUS: must be one of RUNNING, PAUSED, STOPPED"),
    );
    d.same("POST", "/connectors", Some(&create_body("snk4", sink.clone(), Some("running"))));
    // Created PAUSED, a connector has no tasks (task configs are asked for only once it is
    // started).
    d.wait_states("snk", "PAUSED", &[]);
    d.same("GET", "/connectors/snk/status", None);
    d.wait_states("snk2", "STOPPED", &[]);
    d.wait_states("snk4", "RUNNING", &["RUNNING"]);
    for path in [
        "/connectors/snk2/status",
        "/connectors/snk/offsets",
        "/connectors/snk2/offsets",
        "/connectors/snk2/tasks",
        "/connectors",
    ] {
        d.same("GET", path, None);
    }
    d.same("PUT", "/connectors/snk/resume", None);
    d.wait_states("snk", "RUNNING", &["RUNNING"]);
    d.same("GET", "/connectors/snk/status", None);
    d.wait_get("the sink's topics", "/connectors/snk/topics", |v| {
        v["snk"]["topics"] == json!(["t1"])
    });
    d.same("GET", "/connectors/snk/topics", None);
    d.same(
        "PATCH",
        "/connectors/snk2/offsets",
        Some(r#"{"offsets":[{"partition":{"kafka_topic":"t1","kafka_partition":0},"offset":{"kafka_offset":1}}]}"#),
    );
    d.same("DELETE", "/connectors/snk2/offsets", None);
    // PUT creates a connector that did not exist (201 with a Location).
    d.same("PUT", "/connectors/snk5/config", Some(&sink.to_string()));
    d.wait_states("snk5", "RUNNING", &["RUNNING"]);

    // A task that fails: FAILED with a trace, restarted by onlyFailed.
    let failing = json!({"connector.class": "FileStreamSink", "file": "{dir}/no/such/dir/out.txt", "topics": "t1"});
    d.same("POST", "/connectors", Some(&create_body("failing", failing, None)));
    d.wait_states("failing", "RUNNING", &["FAILED"]);
    d.same("GET", "/connectors/failing/status", None);
    d.same("GET", "/connectors/failing/tasks/0/status", None);
    d.same("GET", "/connectors?expand=status", None);
    d.same("POST", "/connectors/failing/restart?includeTasks=true&onlyFailed=true", None);
    d.same("POST", "/connectors/failing/tasks/0/restart", None);
    d.wait_states("failing", "RUNNING", &["FAILED"]);

    // Names that need encoding in a URL.
    d.same("POST", "/connectors", Some(&create_body("sp ace", sink.clone(), Some("STOPPED"))));
    d.wait_states("sp%20ace", "STOPPED", &[]);
    d.same("GET", "/connectors/sp%20ace", None);
    d.same("DELETE", "/connectors/sp%20ace", None);

    // A stopped connector paused: it starts paused, with no tasks.
    d.same("PUT", "/connectors/snk2/pause", None);
    d.wait_states("snk2", "PAUSED", &[]);
    d.same("GET", "/connectors/snk2/status", None);

    // ---- unknown connectors ----------------------------------------------------------------------
    for (method, path) in [
        ("GET", "/connectors/nope"),
        ("GET", "/connectors/nope/config"),
        ("GET", "/connectors/nope/status"),
        ("GET", "/connectors/nope/tasks"),
        ("GET", "/connectors/nope/tasks/0/status"),
        ("GET", "/connectors/nope/topics"),
        ("GET", "/connectors/nope/offsets"),
        ("DELETE", "/connectors/nope"),
        ("DELETE", "/connectors/nope/offsets"),
        ("PUT", "/connectors/nope/pause"),
        ("PUT", "/connectors/nope/resume"),
        ("PUT", "/connectors/nope/stop"),
        ("PUT", "/connectors/nope/topics/reset"),
        ("POST", "/connectors/nope/restart"),
        ("POST", "/connectors/nope/restart?includeTasks=true"),
        ("POST", "/connectors/nope/tasks/0/restart"),
        ("GET", "/nope"),
        ("GET", "/connectors/src/nope"),
    ] {
        d.same(method, path, None);
    }
    d.same("PATCH", "/connectors/nope/config", Some(r#"{"topic":"t"}"#));
    d.same("PATCH", "/connectors/nope/offsets", Some(alter));

    // ---- invalid creates -------------------------------------------------------------------------
    for body in [
        r#"{"name":"bad","config":{"connector.class":"NoSuchConnector"}}"#,
        r#"{"name":"bad","config":{}}"#,
        r#"{"name":"bad2","config":{"connector.class":"FileStreamSource"}}"#,
        r#"{"config":{"connector.class":"FileStreamSource"}}"#,
        r#"{"name":"","config":{"connector.class":"FileStreamSource","topic":"t"}}"#,
        r#"{"name":"bad3","config":{"connector.class":"FileStreamSource","topic":"t","tasks.max":"x","batch.size":"-"}}"#,
        r#"{"name":"bad4","config":{"connector.class":"FileStreamSink","topics":"a","topics.regex":"b"}}"#,
        r#"{"name":"bad5","config":{"connector.class":"FileStreamSink"}}"#,
        r#"{"name":"bad6","config":{"connector.class":"FileStreamSink","topics":"a","transforms":"t"}}"#,
        r#"{"name":"bad7","config":{"connector.class":"FileStreamSink","topics":"a","name":"other"}}"#,
        r#"{"name":"num","config":{"connector.class":"FileStreamSource","topic":"t","file":"{dir}/in.txt","tasks.max":1}}"#,
    ] {
        d.same("POST", "/connectors", Some(body));
    }
    d.same(
        "PUT",
        "/connectors/abc/config",
        Some(r#"{"name":"other","connector.class":"FileStreamSink","topics":"t"}"#),
    );
    d.same("PUT", "/connectors/abc/config", Some(r#"{"connector.class":"FileStreamSink"}"#));
    d.same("PUT", "/connectors/abc/config", Some("{}"));

    // ---- validation ------------------------------------------------------------------------------
    for (plugin, body) in [
        (
            "FileStreamSource",
            r#"{"connector.class":"FileStreamSource","name":"v","topic":"t","file":"/tmp/x"}"#,
        ),
        (
            "FileStreamSource",
            r#"{"connector.class":"FileStreamSource","topic":"","batch.size":"x"}"#,
        ),
        (
            "FileStreamSource",
            r#"{"connector.class":"FileStreamSource","name":"v","topic":"t","config.action.reload":"NONE","exactly.once.support":"x","transaction.boundary":"Poll","errors.tolerance":"ALL"}"#,
        ),
        (
            "FileStreamSink",
            r#"{"connector.class":"FileStreamSink","name":"v","topics":"a","topics.regex":"b","transforms":"t","transforms.t.type":"org.apache.kafka.connect.transforms.InsertField$Value"}"#,
        ),
        (
            "FileStreamSink",
            r#"{"connector.class":"FileStreamSink","name":"v","topics":"a","transforms":"t","transforms.t.type":"org.apache.kafka.connect.transforms.InsertField$Value","transforms.t.static.field":"f","transforms.t.static.value":"v"}"#,
        ),
        (
            "org.apache.kafka.connect.file.FileStreamSinkConnector",
            r#"{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","name":"v","errors.tolerance":"sometimes","tasks.max":"0"}"#,
        ),
        ("FileStreamSink", r#"{"connector.class":"FileStreamSource","name":"v","topic":"t"}"#),
    ] {
        d.same("PUT", &format!("/connector-plugins/{plugin}/config/validate"), Some(body));
    }

    // A transform class that does not exist: its type's value is null, its version has no
    // default, and no other key of the alias is listed.
    d.same(
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        Some(r#"{"connector.class":"FileStreamSink","name":"v","topics":"a","transforms":"t","transforms.t.type":"NoSuchTransform"}"#),
    );

    // ---- deliberate differences ----------------------------------------------------------------
    d.differs(
        "POST",
        "/connectors",
        Some("{not json"),
        (500, "Unexpected character ('n' (code 110))"),
        (400, "key must be a string at line 1 column 2"),
    );
    d.differs(
        "POST",
        "/connectors",
        Some("[1,2]"),
        (
            500,
            "Cannot deserialize value of type `org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest` from Array value",
        ),
        (400, "Invalid JSON body: expected a JSON object, found an array"),
    );
    d.differs(
        "POST",
        "/connectors",
        Some(r#"{"name":"x"}"#),
        (500, r#"because \"connectorConfig\" is null"#),
        (400, "Connector config is required"),
    );
    d.differs(
        "PUT",
        "/connector-plugins/Nope/config/validate",
        Some(r#"{"connector.class":"Nope"}"#),
        (
            500,
            "org.apache.kafka.connect.runtime.rest.errors.BadRequestException: Failed to find any class that implements Connector and which name matches Nope",
        ),
        (400, "Failed to find any class that implements Connector and which name matches Nope"),
    );
    d.differs(
        "PUT",
        "/connector-plugins/FileStreamSourceConnector/config/validate",
        Some(r#"{"name":"v","topic":"t"}"#),
        (
            500,
            "org.apache.kafka.connect.runtime.rest.errors.BadRequestException: Connector config {name=v, topic=t} contains no connector type",
        ),
        (400, r#""Connector config {name=v, topic=t} contains no connector type""#),
    );
    d.differs("GET", "/metrics", None, (404, "HTTP 404 Not Found"), (200, "# TYPE"));

    // ---- loggers, deletes ------------------------------------------------------------------------
    d.same("GET", "/admin/loggers/root", None);
    for name in ["snk", "snk2", "snk4", "snk5", "num", "failing", "src"] {
        d.same("DELETE", &format!("/connectors/{name}"), None);
    }
    d.same("DELETE", "/connectors/src", None);
    d.wait_get("no connectors", "/connectors", |v| *v == json!([]));
    d.same("GET", "/connectors/src/status", None);
    d.same("GET", "/connectors?expand=status", None);

    eprintln!("{} steps compared, {} mismatches", d.steps, d.mismatches.len());
    if !d.mismatches.is_empty() {
        d.fail(&format!("{} of {} steps answer differently", d.mismatches.len(), d.steps));
    }
}
