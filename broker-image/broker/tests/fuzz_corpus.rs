//! The committed fuzz corpus, replayed in the ordinary test run: every real client's request
//! (fuzz/corpus/request_frame, captured from Java, librdkafka, kafka-python, kafkajs and Kafka's
//! tools) decodes, so the bounded walk refuses nothing a client sends; every real stored batch
//! (fuzz/corpus/record_batch) validates and its records parse; and every input a fuzz target
//! ever crashed on (fuzz/regressions) is handled.

use bytes::Bytes;
use kaskade_broker::protocol::request;
use kaskade_broker::protocol::Outcome;
use kaskade_broker::storage::batch::validate_produce;
use kaskade_broker::storage::records;

fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = kaskade_testkit::repo_root().join("fuzz").join(dir);
    if !dir.exists() {
        return Vec::new(); // a target with no regressions yet (the corpus tests count what they read)
    }
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (name, std::fs::read(&path).expect("read"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_real_clients_request_decodes() {
    let frames = files("corpus/request_frame");
    assert!(frames.len() > 100, "{} frames", frames.len());
    let mut apis = std::collections::BTreeSet::new();
    for (name, frame) in frames {
        let key = i16::from_be_bytes([frame[0], frame[1]]);
        match request::decode(Bytes::from(frame)) {
            Ok(req) => {
                apis.insert(req.api as i16);
            }
            // An ApiVersions newer than this broker's (the Java client 4.4 asks v5 first) is
            // answered with UNSUPPORTED_VERSION and the versions served, as Kafka answers it.
            Err(Outcome::Respond(_)) if key == 18 => {}
            Err(Outcome::Close(reason)) => panic!("{name}: refused: {reason}"),
            Err(other) => panic!("{name}: {other:?}"),
        }
    }
    assert!(apis.len() >= 25, "the corpus covers most served APIs: {apis:?}");
}

#[test]
fn every_real_stored_batch_validates_and_parses() {
    let batches = files("corpus/record_batch");
    let mut codecs = std::collections::BTreeSet::new();
    for (name, batch) in batches {
        let header = validate_produce(&batch, 1 << 20).unwrap_or_else(|e| panic!("{name}: {e}"));
        let payload = records::payload(&batch, &header).unwrap_or_else(|e| panic!("{name}: {e}"));
        let parsed = records::parse(&payload, header.records_count, header.base_offset).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.len(), header.records_count as usize, "{name}");
        codecs.insert(header.compression());
    }
    assert_eq!(codecs.into_iter().collect::<Vec<_>>(), vec![0, 1, 2, 3, 4], "every codec");
}

#[test]
fn every_input_that_once_crashed_a_fuzz_target_is_handled() {
    let frames = files("regressions/request_frame");
    assert!(!frames.is_empty());
    for (name, frame) in frames {
        // Refused (closing the connection) or decoded: what matters is that this returns.
        if let Err(outcome) = request::decode(Bytes::from(frame)) {
            assert!(matches!(outcome, Outcome::Close(_)), "{name}: {outcome:?}");
        }
    }
    for (_, batch) in files("regressions/record_batch") {
        // Refused or harmless: what matters is that this returns.
        if let Ok(h) = validate_produce(&batch, 1 << 20) {
            let _ = records::keyless_records(&batch, &h);
        }
    }
}
