//! Idempotent producers on the raw protocol: InitProducerId hands out ids; the same batch sent
//! twice is acknowledged with its first offset and stored once; a sequence gap is refused with
//! ResponseError::OutOfOrderSequenceNumber.code(), an old epoch with ResponseError::InvalidProducerEpoch.code(), an unknown producer
//! starting mid-sequence with ResponseError::UnknownProducerId.code(); and all of it holds across a SIGKILL and a
//! clean restart.

use kafka_protocol::messages::{InitProducerIdRequest, ProduceResponse, ProducerId};
use kafka_protocol::ResponseError;
use kaskade_testkit::batches::{idempotent_batch, produce_request};
use kaskade_testkit::raw::RawClient;
use kaskade_testkit::BrokerProc;

fn init(c: &mut RawClient) -> (i64, i16) {
    let mut r = InitProducerIdRequest::default();
    r.transactional_id = None;
    r.producer_id = ProducerId(-1);
    r.producer_epoch = -1;
    r.transaction_timeout_ms = 60_000;
    let resp = c.call(4, &r);
    assert_eq!(resp.error_code, 0);
    (resp.producer_id.0, resp.producer_epoch)
}

fn create_topic(c: &mut RawClient) {
    c.create_topic("idem", 1, &[]);
}

fn part(resp: &ProduceResponse) -> (i16, i64) {
    let p = &resp.responses[0].partition_responses[0];
    (p.error_code, p.base_offset)
}

fn send(c: &mut RawClient, values: &[&[u8]], pid: i64, epoch: i16, seq: i32) -> (i16, i64) {
    part(&c.call(9, &produce_request("idem", 0, idempotent_batch(values, pid, epoch, seq), -1)))
}

#[test]
fn duplicates_and_gaps_are_handled_like_kafka_across_restarts() {
    let mut b = BrokerProc::start(&[]);
    let mut c = RawClient::connect(&b.bootstrap());
    create_topic(&mut c);

    let (pid, epoch) = init(&mut c);
    let (pid2, _) = init(&mut c);
    assert_ne!(pid, pid2, "every InitProducerId gets a new id");

    assert_eq!(send(&mut c, &[b"a", b"b"], pid, epoch, 0), (0, 0));
    assert_eq!(send(&mut c, &[b"c"], pid, epoch, 2), (0, 2));
    // A retry of the last batch, and of the one before it: first offsets, nothing written.
    assert_eq!(send(&mut c, &[b"c"], pid, epoch, 2), (0, 2));
    assert_eq!(send(&mut c, &[b"a", b"b"], pid, epoch, 0), (0, 0));
    // A gap.
    assert_eq!(
        send(&mut c, &[b"x"], pid, epoch, 7).0,
        ResponseError::OutOfOrderSequenceNumber.code()
    );
    // A producer the partition never saw, starting mid-sequence.
    assert_eq!(send(&mut c, &[b"x"], pid2, 0, 5).0, ResponseError::UnknownProducerId.code());
    assert_eq!(send(&mut c, &[b"d"], pid, epoch, 3), (0, 3));

    // SIGKILL: the state is rebuilt from the log.
    b.kill9();
    b.spawn();
    let mut c = RawClient::connect(&b.bootstrap());
    assert_eq!(send(&mut c, &[b"d"], pid, epoch, 3), (0, 3), "duplicate recognised after SIGKILL");
    assert_eq!(
        send(&mut c, &[b"x"], pid, epoch, 9).0,
        ResponseError::OutOfOrderSequenceNumber.code()
    );
    // A bumped epoch starts again at 0; the old epoch is then fenced.
    assert_eq!(send(&mut c, &[b"e"], pid, epoch + 1, 0), (0, 4));
    assert_eq!(send(&mut c, &[b"x"], pid, epoch, 4).0, ResponseError::InvalidProducerEpoch.code());

    // Clean restart: the state comes back from the snapshot.
    assert!(b.terminate().success());
    b.spawn();
    let mut c = RawClient::connect(&b.bootstrap());
    assert_eq!(
        send(&mut c, &[b"e"], pid, epoch + 1, 0),
        (0, 4),
        "duplicate recognised after a clean restart"
    );
    assert_eq!(send(&mut c, &[b"f"], pid, epoch + 1, 1), (0, 5));
    let (pid3, _) = init(&mut c);
    assert!(pid3 != pid && pid3 != pid2, "producer ids are not reused after a restart");
}

#[test]
fn pipelined_batches_of_one_producer_are_appended_in_order() {
    use bytes::Buf;
    use kafka_protocol::messages::ResponseHeader;
    use kafka_protocol::protocol::{Decodable, HeaderVersion};
    let b = kaskade_testkit::InProcessBroker::start(&[]);
    let mut c = RawClient::connect(&b.bootstrap());
    create_topic(&mut c);
    let (pid, epoch) = init(&mut c);
    // Many requests written back to back before reading any answer, as clients pipeline them.
    const N: i32 = 200;
    let mut wire = Vec::new();
    for seq in 0..N {
        let value = format!("v{seq}");
        let (_, frame) = c.frame(
            9,
            &produce_request("idem", 0, idempotent_batch(&[value.as_bytes()], pid, epoch, seq), -1),
        );
        wire.extend_from_slice(&frame);
    }
    c.send_bytes(&wire).expect("send");
    for seq in 0..N {
        let mut body = c.read_frame().expect("response");
        let header = ResponseHeader::decode(&mut body, ProduceResponse::header_version(9)).expect("header");
        assert_eq!(header.correlation_id, seq + 3, "responses come in request order");
        let resp = ProduceResponse::decode(&mut body, 9).expect("body");
        assert!(!body.has_remaining());
        assert_eq!(part(&resp), (0, seq as i64), "request {seq} appended in order");
    }
}
