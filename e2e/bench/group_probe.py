#!/usr/bin/env python3
"""Consumer-group timings with librdkafka (confluent-kafka), for e2e/bench/groups.py.

    group_probe.py first --bootstrap H:P --topic T --groups N --prefix P
    group_probe.py rebalance --bootstrap H:P --topic T --group G --partitions 12

Every consumer has librdkafka's defaults (classic protocol, range,roundrobin assignors,
heartbeat.interval.ms 3000, session.timeout.ms 45000) but `auto.offset.reset=earliest`, so a new
group reads records already in the topic. GroupBench.java measures the same with the Java client.

`first`: for each of N+1 new groups (the first one a warm-up, reported as such), one consumer:
the time from subscribe() until poll() returns the first record. Prints `FIRST <group> <ms>`.

`rebalance`: three members subscribe and the test waits until they share all partitions and each
has received a record (records must keep arriving: the caller runs a steady producer). Then a
4th member subscribes (t0) and the time until all four hold their new assignment (together
covering every partition once) and each has received a record since it got it is printed as
`REBALANCE <ms>`. Exit status 1 with an ERROR line on timeout.
"""
import argparse
import sys
import threading
import time

from confluent_kafka import Consumer


def conf(bootstrap, group):
    return {"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest"}


def first(a):
    for i in range(a.groups + 1):
        group = f"{a.prefix}-{i}"
        c = Consumer(conf(a.bootstrap, group))
        t0 = time.monotonic()
        c.subscribe([a.topic])
        while True:
            m = c.poll(0.05)
            if m is not None and m.error() is None:
                break
            if m is not None and m.error() is not None and m.error().fatal():
                print(f"ERROR {m.error()}", flush=True)
                sys.exit(1)
            if time.monotonic() - t0 > a.timeout:
                print(f"ERROR no record for group {group} in {a.timeout} s", flush=True)
                sys.exit(1)
        ms = (time.monotonic() - t0) * 1000
        print(f"FIRST {'warmup' if i == 0 else group} {ms:.1f}", flush=True)
        c.close()


class Member:
    def __init__(self, a, idx, lock):
        self.a, self.idx, self.lock = a, idx, lock
        self.assignment = set()
        self.assigned_at = None
        self.record_after_assign = None  # time of the first record since the latest assignment
        self.stop = False
        self.t0 = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def on_assign(self, c, parts):
        with self.lock:
            self.assignment = {p.partition for p in parts}
            self.assigned_at = time.monotonic()
            self.record_after_assign = None

    def on_revoke(self, c, parts):
        with self.lock:
            self.assignment = set()
            self.record_after_assign = None

    def run(self):
        c = Consumer({**conf(self.a.bootstrap, self.a.group), "client.id": f"member-{self.idx}"})
        self.t0 = time.monotonic()
        c.subscribe([self.a.topic], on_assign=self.on_assign, on_revoke=self.on_revoke)
        while not self.stop:
            m = c.poll(0.01)
            if m is not None and m.error() is None:
                with self.lock:
                    if self.record_after_assign is None and self.assignment:
                        self.record_after_assign = time.monotonic()
        c.close()


def settled(members, lock, partitions):
    """The time all members were consuming their current assignment, or None if not yet."""
    with lock:
        sets = [m.assignment for m in members]
        if any(not s for s in sets) or sum(len(s) for s in sets) != partitions or len(set().union(*sets)) != partitions:
            return None
        if any(m.record_after_assign is None for m in members):
            return None
        return max(m.record_after_assign for m in members)


def rebalance(a):
    lock = threading.Lock()
    members = [Member(a, i, lock) for i in range(3)]
    for m in members:
        m.thread.start()
    t = time.monotonic()
    while settled(members, lock, a.partitions) is None:
        if time.monotonic() - t > a.timeout:
            print("ERROR the first three members did not settle", flush=True)
            sys.exit(1)
        time.sleep(0.005)
    time.sleep(1.0)  # steady state for a moment
    fourth = Member(a, 3, lock)
    members.append(fourth)
    fourth.thread.start()
    while fourth.t0 is None:
        time.sleep(0.001)
    t0 = fourth.t0
    while True:
        done = settled(members, lock, a.partitions)
        # Every old member must have been given a new assignment after t0 (eager: all of them).
        if done is not None:
            with lock:
                renewed = all(m.assigned_at is not None and m.assigned_at > t0 for m in members)
            if renewed:
                print(f"REBALANCE {(done - t0) * 1000:.1f}", flush=True)
                break
        if time.monotonic() - t0 > a.timeout:
            with lock:
                state = [(m.idx, sorted(m.assignment), m.record_after_assign is not None) for m in members]
            print(f"ERROR no settled 4-member group in {a.timeout} s: {state}", flush=True)
            sys.exit(1)
        time.sleep(0.001)
    for m in members:
        m.stop = True
    for m in members:
        m.thread.join(30)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["first", "rebalance"])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--groups", type=int, default=5)
    ap.add_argument("--prefix", default="first")
    ap.add_argument("--group", default="rebalance")
    ap.add_argument("--partitions", type=int, default=12)
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()
    first(a) if a.mode == "first" else rebalance(a)


if __name__ == "__main__":
    main()
