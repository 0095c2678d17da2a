//! A third-party Kafka Connect REST client drives the worker: `kafka-connect-py` from PyPI
//! (installed into the test venv by e2e/peers/install.sh), through `third_party_client.py`.

use std::process::Command;

use kaskade_testkit::{cache, require, BrokerProc, ConnectProc};

use crate::append;

#[test]
fn kafka_connect_py_drives_the_worker() {
    let python = cache().join("venv/bin/python");
    require(&python);
    let broker = BrokerProc::start(&["group.initial.rebalance.delay.ms=0"]);
    let worker = ConnectProc::start(&broker.bootstrap(), "third-party", &["offset.flush.interval.ms=500"]);
    let (input, output) = (worker.file("in.txt"), worker.file("out.txt"));
    append(&input, 0..100);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/distributed/third_party_client.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(worker.url())
        .arg(&input)
        .arg(&output)
        .output()
        .expect("run the Python client");
    assert!(
        out.status.success(),
        "kafka-connect-py against our worker failed:\n{}\n{}\nworker log:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        worker.log()
    );
}
