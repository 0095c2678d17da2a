#!/usr/bin/env python3
"""Kaskade interop round trip with kafka-python (a pure-Python Kafka client).

    python3 roundtrip_kafka_python.py --bootstrap H:P --topic T [--codec C | --codecs all] [options]

Produces the deterministic records of ../README.md to explicit partitions (acks=all,
enable_idempotence=False, compression_type=CODEC), then reads every partition with an
assign()-mode KafkaConsumer (group_id=None, no commits) from the beginning and checks each record
byte for byte against what was sent and the offset the producer was told.

kafka-python compresses with optional packages (requirements.txt): lz4 (lz4), python-snappy
(snappy, on cramjam) and zstandard (zstd). A codec whose package is missing is reported as
UNSUPPORTED (exit 3) before anything is sent, never skipped.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_common as common  # noqa: E402

CLIENT = "kafka-python"


def check_codec(codec):
    from kafka import codec as kc
    have = {"none": True, "gzip": kc.has_gzip(), "snappy": kc.has_snappy(), "lz4": kc.has_lz4(),
            "zstd": kc.has_zstd()}
    if not have[codec]:
        pkg = {"snappy": "python-snappy", "lz4": "lz4", "zstd": "zstandard"}[codec]
        return "kafka-python needs the %s package for %s (pip install -r requirements.txt)" % (pkg, codec)
    return None


def main():
    args = common.parse_args(CLIENT)
    if args.describe:
        return common.main(CLIENT, args, None, None)

    import kafka
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition

    print("kafka-python %s" % kafka.__version__, file=sys.stderr)

    def create(partitions):
        from kafka.admin import KafkaAdminClient, NewTopic
        from kafka.errors import TopicAlreadyExistsError
        admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id="kaskade-interop-kafka-python")
        try:
            admin.create_topics([NewTopic(args.topic, partitions, 1)], timeout_ms=30000)
            print("created topic %s with %d partitions" % (args.topic, partitions), file=sys.stderr)
        except TopicAlreadyExistsError:
            print("topic %s already exists; using it" % args.topic, file=sys.stderr)
        finally:
            admin.close()

    def partition_count():
        # KafkaAdminClient's metadata requests never auto-create. KafkaProducer's would: in
        # kafka-python 3.0.12 its allow_auto_create_topics=False does not reach the cluster
        # metadata (always True), so the topic is checked here before producing.
        from kafka.admin import KafkaAdminClient
        admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id="kaskade-interop-kafka-python")
        try:
            deadline = time.monotonic() + (30 if args.create_topic else 0)
            while True:
                t = admin.describe_topics([args.topic])[0]
                if t["error_code"] == 0 and t["partitions"]:
                    return len(t["partitions"])
                if time.monotonic() >= deadline:
                    raise RuntimeError("topic %s: metadata error_code %d, %d partitions (create it first)"
                                       % (args.topic, t["error_code"], len(t["partitions"])))
                time.sleep(0.5)
        finally:
            admin.close()

    def one_round(codec, seed):
        problems = []
        partitions = partition_count()
        producer = KafkaProducer(
            bootstrap_servers=args.bootstrap,
            client_id="kaskade-interop-kafka-python",
            acks="all",
            enable_idempotence=False,
            compression_type=None if codec == "none" else codec,
            linger_ms=5,
            max_block_ms=30000,
            allow_auto_create_topics=False,  # creates nothing unless told (--create-topic)
        )
        try:
            parts = producer.partitions_for(args.topic)
            if len(parts or ()) != partitions:
                raise RuntimeError("producer sees %s partitions of %s, admin saw %d" % (parts, args.topic, partitions))
            expected = [common.make_record(seed, i, partitions, args.base_timestamp) for i in range(args.count)]
            # What kafka-python's KafkaProducer.send() refuses (TypeError/ValueError), adapted and counted:
            # header values must be bytes (no None), and key and value cannot both be None.
            null_headers = sum(common.drop_null_header_values(r) for r in expected)
            null_both = 0
            for r in expected:
                if r.key is None and r.value is None:
                    r.key = b""
                    null_both += 1
            notes = "adapted_null_header_values_dropped=%d adapted_null_key_and_value_key_sent_empty=%d" % (
                null_headers, null_both)
            futures = [producer.send(args.topic, key=r.key, value=r.value, headers=list(r.headers),
                                     partition=r.partition, timestamp_ms=r.timestamp) for r in expected]
            producer.flush(timeout=60)
            for r, f in zip(expected, futures):
                md = f.get(timeout=60)
                r.offset = md.offset
                if md.partition != r.partition:
                    problems.append("PRODUCE i=%d partition: sent to %d, metadata says %d"
                                    % (r.index, r.partition, md.partition))
                if md.timestamp != r.timestamp:
                    problems.append("PRODUCE i=%d p=%d offset=%d timestamp: sent %d, metadata says %s"
                                    % (r.index, r.partition, r.offset, r.timestamp, md.timestamp))
        finally:
            producer.close(timeout=10)

        v = common.Verifier(expected, problems)
        consumer = KafkaConsumer(
            bootstrap_servers=args.bootstrap,
            client_id="kaskade-interop-kafka-python",
            group_id=None,
            enable_auto_commit=False,
            allow_auto_create_topics=False,
            auto_offset_reset="earliest",
        )
        try:
            tps = [TopicPartition(args.topic, p) for p in range(partitions)]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
            deadline = time.monotonic() + args.timeout
            while not v.done() and time.monotonic() < deadline:
                for tp, msgs in consumer.poll(timeout_ms=500).items():
                    for m in msgs:
                        v.check(m.partition, m.offset, m.key, m.value, m.headers or [], m.timestamp,
                                common.timestamp_type_name(m.timestamp_type))
            if not v.done():
                v.report_missing(args.timeout)
            ends = consumer.end_offsets(tps)
            v.check_end_offsets({tp.partition: off for tp, off in ends.items()})
        finally:
            consumer.close()
        return common.finish_round(CLIENT, codec, seed, args.count, partitions, v, problems, notes=notes)

    return common.main(CLIENT, args, one_round, create, check_codec)


if __name__ == "__main__":
    sys.exit(main())
