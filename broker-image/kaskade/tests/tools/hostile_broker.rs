//! A broken or hostile broker cannot crash what reads its answers through `kaskade-client`
//! (the tools here; the operator and the Connect worker use the same client). A fake broker
//! answers ApiVersions properly, then answers every other request with a frame whose array
//! claims billions of elements; `kaskade topics --list` and `kaskade configs --describe` must end
//! with exit code 1 and say what was wrong, never abort on an allocation.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use bytes::{BufMut, BytesMut};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::{ApiKey, ApiVersionsResponse, ResponseHeader};
use kafka_protocol::protocol::{Encodable, HeaderVersion};
use kaskade_testkit::tools::{kaskade_tool, run};

/// Serves one connection: ApiVersions gets a real answer (every API the tools use, v0–v12),
/// anything else an answer whose first array claims `u32::MAX - 1` elements.
fn serve(mut s: TcpStream) {
    loop {
        let mut size = [0u8; 4];
        if s.read_exact(&mut size).is_err() {
            return;
        }
        let mut frame = vec![0u8; i32::from_be_bytes(size).clamp(0, 1 << 20) as usize];
        if s.read_exact(&mut frame).is_err() || frame.len() < 8 {
            return;
        }
        let key = i16::from_be_bytes([frame[0], frame[1]]);
        let version = i16::from_be_bytes([frame[2], frame[3]]);
        let correlation = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
        let mut out = BytesMut::new();
        out.put_i32(0);
        if key == ApiKey::ApiVersions as i16 {
            let mut resp = ApiVersionsResponse::default();
            resp.api_keys = [
                ApiKey::ApiVersions,
                ApiKey::Metadata,
                ApiKey::DescribeConfigs,
                ApiKey::DescribeCluster,
            ]
            .into_iter()
            .map(|k| {
                let mut v = ApiVersion::default();
                v.api_key = k as i16;
                v.min_version = 0;
                v.max_version = if k == ApiKey::ApiVersions {
                    3
                } else {
                    12.min(k.valid_versions().max)
                };
                v
            })
            .collect();
            let mut header = ResponseHeader::default();
            header.correlation_id = correlation;
            header
                .encode(&mut out, ApiVersionsResponse::header_version(version))
                .expect("header");
            resp.encode(&mut out, version).expect("body");
        } else {
            // Flexible responses (the versions the tools pick): correlation id, no header tags,
            // throttle time, then a compact array announcing 4,294,967,294 elements.
            out.put_i32(correlation);
            out.put_u8(0);
            out.put_i32(0);
            out.put_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        }
        let len = (out.len() - 4) as i32;
        out[..4].copy_from_slice(&len.to_be_bytes());
        if s.write_all(&out).is_err() {
            return;
        }
    }
}

fn fake_broker() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        for s in listener.incoming().map_while(Result::ok) {
            std::thread::spawn(move || serve(s));
        }
    });
    addr
}

#[test]
fn the_tools_refuse_a_hostile_brokers_answers_without_crashing() {
    let addr = fake_broker();
    for args in [
        vec!["topics", "--list", "--bootstrap-server", &addr],
        vec!["configs", "--describe", "--entity-type", "topics", "--bootstrap-server", &addr],
    ] {
        let ran = run(kaskade_tool(&args), b"", Duration::from_secs(60));
        assert_eq!(ran.code, Some(1), "{args:?} exits 1 (not a signal): stderr\n{}", ran.stderr);
        assert!(
            ran.stderr.contains("tried to allocate a collection of size 4294967294"),
            "{args:?} says what was wrong:\n{}",
            ran.stderr
        );
        assert!(!ran.stderr.contains("memory allocation"), "{}", ran.stderr);
    }
}
