#!/usr/bin/env python3
"""Kaskade's admin API through kafka-python's KafkaAdminClient.

    python3 admin_kafka_python.py --bootstrap H:P --topic T

Creates T with 2 partitions, grows it to 4 (and checks that shrinking fails), changes a topic
config and a dynamic config of broker 1 (kafka-python cannot name the cluster-wide default) (checking values and sources with describe_configs),
produces 10 records to partition 0, deletes the records below offset 4 (checking the low
watermark, the earliest offset and what a consumer reads), and describes the log dirs. Prints
one line per check and finally `OK kafka-python-admin checks=N failed=M`; exit 0 when all pass.
"""

import argparse
import sys

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.admin import OffsetSpec
from kafka.errors import InvalidPartitionsError, OffsetOutOfRangeError

checks = 0
failed = 0


def check(what, ok, detail=""):
    global checks, failed
    checks += 1
    if not ok:
        failed += 1
    print(f"{'ok  ' if ok else 'FAIL'} {what} {detail}".rstrip(), flush=True)


def expect_error(what, error, fn):
    try:
        fn()
        check(what, False, "no error")
    except error as e:
        check(what, True, f"({type(e).__name__})")
    except Exception as e:  # noqa: BLE001 - any other error is a failed check
        check(what, False, repr(e))


def topic_config(admin, topic, key):
    res = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)], include_synonyms=True,
                                 config_filter="all")
    entries = res["topic"][topic] if isinstance(res, dict) else None
    return entries.get(key) if entries else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    a = p.parse_args()
    admin = KafkaAdminClient(bootstrap_servers=a.bootstrap, client_id="kaskade-admin-test")
    t = a.topic

    admin.create_topics([NewTopic(t, 2, 1)])
    admin.create_partitions({t: 4})
    parts = admin.describe_topics([t])[0]["partitions"]
    check("create_partitions grows the topic to 4", len(parts) == 4, f"(partitions={len(parts)})")
    expect_error("shrinking is refused", InvalidPartitionsError, lambda: admin.create_partitions({t: 3}))

    admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t, configs={"retention.ms": "3600000"})])
    c = topic_config(admin, t, "retention.ms")
    check("topic config set", c is not None and c["value"] == "3600000", repr(c))
    check("its source is DYNAMIC_TOPIC_CONFIG", c is not None and c["config_source"] == "DYNAMIC_TOPIC_CONFIG", repr(c))
    res = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t, configs={"no.such": "1"})],
                              raise_on_unknown=False)
    err = str(res["topic"][t])
    check("an unknown topic config is refused", "InvalidConfigurationError" in err and "no.such" in err, err)

    admin.alter_configs([ConfigResource(ConfigResourceType.BROKER, "1", configs={"log.segment.bytes": "2000000"})],
                        raise_on_unknown=False)
    c = topic_config(admin, t, "segment.bytes")
    check("a dynamic config of broker 1 reaches the topic", c is not None and c["value"] == "2000000", repr(c))
    check("its source is DYNAMIC_BROKER_CONFIG", c is not None and c["config_source"] == "DYNAMIC_BROKER_CONFIG", repr(c))
    admin.alter_configs([ConfigResource(ConfigResourceType.BROKER, "1", configs={"log.segment.bytes": ("DELETE", None)})],
                        raise_on_unknown=False)
    c = topic_config(admin, t, "segment.bytes")
    check("deleting it restores Kafka's default", c is not None and c["config_source"] == "DEFAULT_CONFIG", repr(c))

    producer = KafkaProducer(bootstrap_servers=a.bootstrap, acks="all")
    for i in range(10):
        producer.send(t, value=b"record-%d" % i, partition=0)
    producer.flush()
    producer.close()
    tp = TopicPartition(t, 0)
    res = admin.delete_records({tp: 4})
    low = res[tp]["low_watermark"] if isinstance(res[tp], dict) else getattr(res[tp], "low_watermark", None)
    check("delete_records answers the low watermark", low == 4, repr(res))
    expect_error("deleting beyond the high watermark fails", OffsetOutOfRangeError,
                 lambda: admin.delete_records({tp: 50}))
    earliest = admin.list_partition_offsets({tp: OffsetSpec.EARLIEST})[tp].offset
    check("the earliest offset is the low watermark", earliest == 4, f"(earliest={earliest})")
    consumer = KafkaConsumer(bootstrap_servers=a.bootstrap, group_id=None, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=5000)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    offsets = [m.offset for m in consumer]
    consumer.close()
    check("a consumer reads from the low watermark", offsets == list(range(4, 10)), repr(offsets))

    dirs = admin.describe_log_dirs()
    text = repr(dirs)
    check("describe_log_dirs lists the topic", t in text, text[:300])
    admin.close()
    print(f"OK kafka-python-admin checks={checks} failed={failed}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
