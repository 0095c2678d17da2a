#!/usr/bin/env python3
"""What a stalled connection costs a broker: Kaskade beside Apache Kafka 4.4 and Tansu in one run.

    e2e/bench/connections.py [--connections 19000] [--announce 1024] [--only kaskade,kafka,tansu]

Each broker is started as e2e/bench/run.py starts it (Kaskade release build and Kafka at their
defaults; Kafka's heap 1 GiB). Then N connections are opened, each sends the 4-byte size prefix
of a frame announcing --announce bytes, and stalls: the slow client of issue 18. After the
broker has read them all (5 s), its RSS is read from /proc, and a fresh client must still get an
ApiVersions answer. Reported: RSS before and after, the difference per connection, and whether
the broker still answered. The connections are then closed and the broker stopped.

N is bounded by the open-file limit (both this process and the broker need N descriptors; the
hard limit here is 20000). Writes e2e/bench/results/connections-DATE.md and prints it.
"""
import argparse
import datetime
import resource
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the broker classes and helpers of the main benchmark)

log = run.log


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def broker_pid(b):
    return b.proc.pid if getattr(b, "proc", None) else b.pid


def stall(port, n, announce):
    socks = []
    for i in range(n):
        s = socket.socket()
        s.setblocking(True)
        s.connect(("127.0.0.1", port))
        s.sendall(announce.to_bytes(4, "big"))
        socks.append(s)
        if i % 2000 == 1999:
            log(f"  {i + 1} connections")
    return socks


def measure(b, n, announce):
    b.start()
    pid = broker_pid(b)
    time.sleep(2)
    before = rss_kib(pid)
    started = time.time()
    socks = stall(b.port, n, announce)
    opened_s = time.time() - started
    time.sleep(5)
    after = rss_kib(pid)
    answers = run.api_versions_ok(b.port)
    for s in socks:
        s.close()
    b.stop()
    return {
        "broker": b.name,
        "before_mib": before / 1024,
        "after_mib": after / 1024,
        "per_conn_kib": (after - before) / n,
        "answers": answers,
        "opened_s": opened_s,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=19000)
    ap.add_argument("--announce", type=int, default=1024, help="the frame size each size prefix announces")
    ap.add_argument("--only", default="kaskade,kafka,tansu")
    ap.add_argument("--out")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    n = min(args.connections, hard - 200)
    brokers = {"kaskade": run.Kaskade, "kafka": run.Kafka, "tansu": run.Tansu}
    results = []
    for name in args.only.split(","):
        log(f"== {name}: {n} connections, each a 4-byte size prefix announcing {args.announce} bytes, then silence")
        results.append(measure(brokers[name](), n, args.announce))
        log(f"   {results[-1]}")
    when = datetime.datetime.now(datetime.timezone.utc)
    lines = [
        f"Run {when:%Y-%m-%d %H:%M} UTC: {n} connections, each sending the 4-byte size prefix of a "
        f"{args.announce}-byte frame and nothing more; RSS read 5 s after the last one.",
        "",
        "| broker | RSS before, MiB | RSS with the connections, MiB | per connection, KiB | a new client answered |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(f"| {r['broker']} | {r['before_mib']:.1f} | {r['after_mib']:.1f} | {r['per_conn_kib']:.1f} | "
                     f"{'yes' if r['answers'] else 'no'} |")
    text = "\n".join(lines) + "\n"
    out = Path(args.out or run.REPO / f"e2e/bench/results/connections-{when:%Y-%m-%d-%H%M}.md")
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
