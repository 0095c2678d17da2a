#!/usr/bin/env python3
"""Kaskade group-consumer scenario program with kafka-python (pure Python).

    python group_kafka_python.py --bootstrap H:P --topic T --group G [options]

One member of a consumer group (classic protocol): KafkaConsumer(group_id=G).subscribe() with
the chosen assignor, auto_offset_reset=earliest. Every record processed is printed and its
offset + 1 committed the chosen way (commit() / commit_async() of exactly the processed offsets,
auto-commit, or nothing); on revocation the processed offsets of the revoked partitions are
committed synchronously first. Output lines and stop conditions are those of
../java/GroupConsumer.java (see ../README.md, "Group consumers").

Exit codes: 0 stopped cleanly, 1 stopped before --max-records were read, 2 usage or client error.
"""

import argparse
import sys
import threading
import time

CLIENT = "kafka-python"
COMMIT_METADATA = "kaskade-interop"
_out_lock = threading.Lock()


def out(line):
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def parts(tps):
    return ",".join(str(p) for p in sorted({tp.partition for tp in tps}))


def text(b):
    return "null" if b is None else b.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--assignor", default="range",
                    choices=["range", "roundrobin", "sticky", "cooperative-sticky"])
    ap.add_argument("--commit", default="sync", choices=["sync", "async", "auto", "none"])
    ap.add_argument("--instance-id")
    ap.add_argument("--session-timeout-ms", type=int)
    ap.add_argument("--heartbeat-interval-ms", type=int)
    ap.add_argument("--client-id")
    ap.add_argument("--max-records", type=int, default=-1)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--stdin-control", action="store_true")
    try:
        args = ap.parse_args()
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    try:
        return run(args)
    except Exception as e:  # noqa: BLE001 - report any client failure as ERROR
        import traceback
        out("ERROR client=%s %s: %s" % (CLIENT, type(e).__name__, str(e).replace("\n", " ")))
        traceback.print_exc()
        return 2


def run(args):
    import kafka
    from kafka import KafkaConsumer, TopicPartition  # noqa: F401
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
    from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    from kafka.coordinator.assignors.sticky.sticky_assignor import StickyPartitionAssignor
    from kafka.structs import OffsetAndMetadata

    print("kafka-python %s" % kafka.__version__, file=sys.stderr)
    assignor = {
        "range": RangePartitionAssignor,
        "roundrobin": RoundRobinPartitionAssignor,
        "sticky": StickyPartitionAssignor,
        "cooperative-sticky": CooperativeStickyAssignor,
    }[args.assignor]
    conf = dict(
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        partition_assignment_strategy=[assignor],
        auto_offset_reset="earliest",
        enable_auto_commit=args.commit == "auto",
        allow_auto_create_topics=False,
    )
    if args.instance_id:
        conf["group_instance_id"] = args.instance_id
    if args.client_id:
        conf["client_id"] = args.client_id
    if args.session_timeout_ms:
        conf["session_timeout_ms"] = args.session_timeout_ms
    if args.heartbeat_interval_ms:
        conf["heartbeat_interval_ms"] = args.heartbeat_interval_ms

    state = {"stop": None, "consumed": 0, "commits": 0, "commit_failures": 0}
    pending = {}  # TopicPartition -> OffsetAndMetadata processed, not known committed
    committing = args.commit in ("sync", "async")

    def request_stop(reason):
        if state["stop"] is None:
            state["stop"] = reason

    if args.stdin_control:
        def watch():
            for line in sys.stdin:
                if line.strip() == "stop":
                    break
            request_stop("stdin")
        threading.Thread(target=watch, daemon=True).start()

    consumer = KafkaConsumer(**conf)

    def printed_commit(offsets):
        for tp, om in offsets.items():
            out("COMMITTED p=%d o=%d" % (tp.partition, om.offset))

    def commit_sync(only=None):
        m = {tp: om for tp, om in pending.items() if only is None or tp in only}
        if not m:
            return
        try:
            consumer.commit(m)
            state["commits"] += 1
            printed_commit(m)
            for tp, om in m.items():
                if pending.get(tp) is om:
                    del pending[tp]
        except Exception as e:  # noqa: BLE001
            state["commit_failures"] += 1
            out("COMMIT_FAILED %s: %s" % (type(e).__name__, str(e).replace("\n", " ")))

    def generation():
        md = consumer.group_metadata()
        return "gen=%d member=%s" % (md.generation_id, md.member_id)

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            if not revoked:
                return
            if committing:
                commit_sync(set(revoked))
            for tp in revoked:
                pending.pop(tp, None)
            out("REVOKED partitions=%s" % parts(revoked))

        def on_partitions_lost(self, lost):
            if not lost:
                return
            for tp in lost:
                pending.pop(tp, None)
            out("LOST partitions=%s" % parts(lost))

        def on_partitions_assigned(self, assigned):
            out("ASSIGNMENT %s partitions=%s added=%s" % (generation(), parts(consumer.assignment()), parts(assigned)))

    out("START client=%s group=%s topic=%s assignor=%s commit=%s%s" % (
        CLIENT, args.group, args.topic, args.assignor, args.commit,
        (" instance=" + args.instance_id) if args.instance_id else ""))
    consumer.subscribe([args.topic], listener=Listener())
    deadline = time.monotonic() + args.timeout
    try:
        while state["stop"] is None:
            if time.monotonic() > deadline:
                request_stop("timeout")
                break
            polled = consumer.poll(timeout_ms=200)
            batch = {}
            for tp, records in polled.items():
                for r in records:
                    if 0 <= args.max_records <= state["consumed"]:
                        break
                    out("RECORD p=%d o=%d k=%s v=%s" % (r.partition, r.offset, text(r.key), text(r.value)))
                    state["consumed"] += 1
                    om = OffsetAndMetadata(r.offset + 1, COMMIT_METADATA, -1)
                    batch[tp] = om
                    pending[tp] = om
            if batch:
                if args.commit == "sync":
                    commit_sync(set(batch))
                elif args.commit == "async":
                    def done(offsets, response, batch=batch):
                        if isinstance(response, Exception):
                            state["commit_failures"] += 1
                            out("COMMIT_FAILED %s: %s" % (type(response).__name__, response))
                        else:
                            state["commits"] += 1
                            printed_commit(offsets)
                            for tp, om in offsets.items():
                                if pending.get(tp) is om:
                                    del pending[tp]
                    consumer.commit_async(dict(batch), callback=done)
            if 0 <= args.max_records <= state["consumed"]:
                request_stop("max-records")
        out("STOPPING reason=%s" % state["stop"])
        if committing:
            commit_sync()
    finally:
        consumer.close(autocommit=args.commit == "auto", timeout_ms=10000)
    short = 0 <= state["consumed"] < args.max_records
    out("%s client=%s group=%s consumed=%d commits=%d commit_failures=%d stop=%s failed=%d" % (
        "FAIL" if short else "OK", CLIENT, args.group, state["consumed"], state["commits"],
        state["commit_failures"], state["stop"], 1 if short else 0))
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
