#!/usr/bin/env python3
"""Kaskade interop round trip with confluent-kafka (Python on librdkafka).

    python3 roundtrip_confluent.py --bootstrap H:P --topic T [--codec C | --codecs all] [options]

Produces the deterministic records of ../README.md to explicit partitions (acks=all,
enable.idempotence=false, compression.type=CODEC), then reads every partition with an assign()-mode
Consumer (a group.id is required by the
client but never joined: no subscribe, no commits) from OFFSET_BEGINNING and checks each record byte for byte
against what was sent and the offset the delivery report gave.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_common as common  # noqa: E402

CLIENT = "confluent-kafka"


def check_codec(codec):
    import confluent_kafka
    if codec == "none":
        return None
    # librdkafka refuses a codec it was built without when the client is configured.
    try:
        confluent_kafka.Producer({"compression.codec": codec, "log_level": 0})
    except Exception as e:  # KafkaException: Invalid value "..." for configuration property
        return "librdkafka %s rejects compression.codec=%s: %s" % (confluent_kafka.libversion()[0], codec, e)
    return None


def main():
    args = common.parse_args(CLIENT)
    if args.describe:
        return common.main(CLIENT, args, None, None)

    import confluent_kafka
    from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
    from confluent_kafka import OFFSET_BEGINNING, TIMESTAMP_CREATE_TIME, TIMESTAMP_LOG_APPEND_TIME
    # confluent-kafka numbers them 0 = not available, 1 = CreateTime, 2 = LogAppendTime.
    assert (TIMESTAMP_CREATE_TIME, TIMESTAMP_LOG_APPEND_TIME) == (1, 2)

    print("confluent-kafka %s, librdkafka %s" % (confluent_kafka.__version__, confluent_kafka.libversion()[0]),
          file=sys.stderr)

    def create(partitions):
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": args.bootstrap})
        fut = admin.create_topics([NewTopic(args.topic, num_partitions=partitions, replication_factor=1)],
                                  operation_timeout=30, request_timeout=30)[args.topic]
        try:
            fut.result(timeout=60)
            print("created topic %s with %d partitions" % (args.topic, partitions), file=sys.stderr)
        except confluent_kafka.KafkaException as e:
            if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
            print("topic %s already exists; using it" % args.topic, file=sys.stderr)

    def partition_count(client):
        # Right after --create-topic the metadata may lag a little; otherwise fail at once.
        deadline = time.monotonic() + (30 if args.create_topic else 0)
        while True:
            md = client.list_topics(args.topic, timeout=10)
            t = md.topics.get(args.topic)
            if t is not None and t.error is None and t.partitions:
                return len(t.partitions)
            if time.monotonic() > deadline:
                raise RuntimeError("no metadata for topic %s: %s" % (args.topic, t.error if t else "absent"))
            time.sleep(0.5)

    def one_round(codec, seed):
        problems = []
        producer = Producer({
            "bootstrap.servers": args.bootstrap,
            "client.id": "kaskade-interop-confluent",
            "acks": "all",
            "enable.idempotence": False,
            "compression.type": codec,
            "linger.ms": 5,
            "message.max.bytes": 2_000_000,
            "allow.auto.create.topics": False,  # creates nothing unless told (--create-topic)
        })
        partitions = partition_count(producer)
        expected = [common.make_record(seed, i, partitions, args.base_timestamp) for i in range(args.count)]
        reports = {}

        def delivered(i):
            def cb(err, msg):
                reports[i] = (err, msg)
            return cb

        for r in expected:
            while True:
                try:
                    producer.produce(args.topic, value=r.value, key=r.key, partition=r.partition,
                                     timestamp=r.timestamp, headers=list(r.headers), on_delivery=delivered(r.index))
                    break
                except BufferError:
                    producer.poll(0.1)
        left = producer.flush(60)
        if left:
            raise RuntimeError("%d records still undelivered after 60 s" % left)
        for r in expected:
            err, msg = reports.get(r.index, (None, None))
            if msg is None or err is not None:
                raise RuntimeError("record i=%d not delivered: %s" % (r.index, err))
            r.offset = msg.offset()
            if msg.partition() != r.partition:
                problems.append("PRODUCE i=%d partition: sent to %d, delivery report says %d"
                                % (r.index, r.partition, msg.partition()))
            # The delivery report's timestamp is the one the client sent (librdkafka does not read
            # the log-append time back from ProduceResponse for CreateTime topics).
            if msg.timestamp()[1] != r.timestamp:
                problems.append("PRODUCE i=%d p=%d offset=%d timestamp: sent %d, delivery report says %s"
                                % (r.index, r.partition, r.offset, r.timestamp, msg.timestamp()))

        v = common.Verifier(expected, problems)
        # confluent-kafka's Consumer() refuses to start without a group.id ("group.id must be
        # set"), even for assign()-only use. The group is never joined (no subscribe) and nothing
        # is committed; librdkafka may still look up its coordinator (FindCoordinator) in the
        # background, which needs no answer for fetching by assignment.
        consumer = Consumer({
            "bootstrap.servers": args.bootstrap,
            "client.id": "kaskade-interop-confluent",
            "group.id": "kaskade-interop-assign-only-unused",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "allow.auto.create.topics": False,
            "auto.offset.reset": "earliest",
        })
        try:
            tps = [TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in range(partitions)]
            consumer.assign(tps)
            deadline = time.monotonic() + args.timeout
            while not v.done() and time.monotonic() < deadline:
                for m in consumer.consume(num_messages=500, timeout=0.5):
                    if m.error():
                        problems.append("CONSUME error on p=%s: %s" % (m.partition(), m.error()))
                        continue
                    ts_type, ts = m.timestamp()
                    v.check(m.partition(), m.offset(), m.key(), m.value(), m.headers() or [], ts,
                            common.timestamp_type_name(ts_type - 1))
            if not v.done():
                v.report_missing(args.timeout)
            ends = {}
            for p in range(partitions):
                _, high = consumer.get_watermark_offsets(TopicPartition(args.topic, p), timeout=10, cached=False)
                ends[p] = high
            v.check_end_offsets(ends)
        finally:
            consumer.close()
        return common.finish_round(CLIENT, codec, seed, args.count, partitions, v, problems)

    return common.main(CLIENT, args, one_round, create, check_codec)


if __name__ == "__main__":
    sys.exit(main())
