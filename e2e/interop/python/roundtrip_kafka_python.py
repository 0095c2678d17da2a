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

    def one_round(codec, seed):
        problems = []
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
            if not parts:
                raise RuntimeError("topic %s has no partitions" % args.topic)
            partitions = len(parts)
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
