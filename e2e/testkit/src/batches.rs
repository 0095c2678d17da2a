//! Record batches built with the `kafka-protocol` crate's encoder, for raw-protocol tests.

use bytes::{Bytes, BytesMut};
use indexmap::IndexMap;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{ProduceRequest, TopicName};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{Compression, Record, RecordBatchEncoder, RecordEncodeOptions, TimestampType};

/// Who wrote a batch: a plain producer, or an idempotent one with its id, epoch and first sequence.
#[derive(Clone, Copy)]
pub enum Writer {
    Plain,
    Idempotent { producer_id: i64, epoch: i16, first_seq: i32 },
}

/// Records `values` (keys `k0`, `k1`, … for a plain writer, none for an idempotent one) with
/// timestamps from `base_ts`.
pub fn records(values: &[&[u8]], base_ts: i64, writer: Writer) -> Vec<Record> {
    let (producer_id, producer_epoch, first_seq) = match writer {
        // The encoder starts a new batch whenever offset - sequence changes; a plain batch's
        // base sequence (its first record's) stays -1.
        Writer::Plain => (-1, -1, -1),
        Writer::Idempotent {
            producer_id,
            epoch,
            first_seq,
        } => (producer_id, epoch, first_seq),
    };
    values
        .iter()
        .enumerate()
        .map(|(i, v)| Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: -1,
            producer_id,
            producer_epoch,
            timestamp_type: TimestampType::Creation,
            offset: i as i64,
            sequence: first_seq + i as i32,
            timestamp: base_ts + i as i64,
            key: matches!(writer, Writer::Plain).then(|| Bytes::from(format!("k{i}"))),
            value: Some(Bytes::copy_from_slice(v)),
            headers: IndexMap::new(),
        })
        .collect()
}

/// Encodes records as exactly one magic-2 batch.
pub fn encode(records: &[Record], compression: Compression) -> Bytes {
    let mut buf = BytesMut::new();
    RecordBatchEncoder::encode(&mut buf, records, &RecordEncodeOptions { version: 2, compression }).expect("encode batch");
    let batch = buf.freeze();
    assert_eq!(
        i32::from_be_bytes(batch[8..12].try_into().expect("length")) as usize + 12,
        batch.len(),
        "one batch"
    );
    batch
}

/// A plain batch of `values` with timestamps from `base_ts`.
pub fn batch(values: &[&[u8]], base_ts: i64, compression: Compression) -> Bytes {
    encode(&records(values, base_ts, Writer::Plain), compression)
}

/// An idempotent producer's batch: `values` with sequences from `first_seq`.
pub fn idempotent_batch(values: &[&[u8]], producer_id: i64, epoch: i16, first_seq: i32) -> Bytes {
    let writer = Writer::Idempotent {
        producer_id,
        epoch,
        first_seq,
    };
    encode(&records(values, 1_700_000_000_000, writer), Compression::None)
}

/// A produce request with one partition's records.
pub fn produce_request(topic: &str, partition: i32, records: Bytes, acks: i16) -> ProduceRequest {
    let mut p = PartitionProduceData::default();
    p.index = partition;
    p.records = Some(records);
    let mut t = TopicProduceData::default();
    t.name = TopicName(StrBytes::from_string(topic.to_string()));
    t.partition_data = vec![p];
    let mut r = ProduceRequest::default();
    r.acks = acks;
    r.timeout_ms = 30_000;
    r.topic_data = vec![t];
    r
}
