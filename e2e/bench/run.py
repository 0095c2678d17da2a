#!/usr/bin/env python3
"""Benchmarks Kaskade beside Apache Kafka and Tansu in one run, with the same load generators.

    e2e/bench/run.py [--records N] [--consume-mib M] [--out FILE] [--only kaskade,kafka,tansu]
    e2e/bench/run.py --only-groups [groups.py's options]   (the consumer-group benchmarks only)

Load generators: `kaskade perf` (librdkafka) against all three brokers, and Apache Kafka's own
`kafka-producer-perf-test` (Java client) against Kaskade and Kafka (Kafka 4.4's Java clients
cannot talk to Tansu 0.6.0: they send ApiVersions v5, which Tansu drops). 1 KiB records.

Brokers: Kaskade with its defaults (acks=all waits for fsync), Kaskade with
`log.flush.on.acks.all=false` (produce figures only: Kafka's durability default, to show what the
fsync costs), Apache Kafka 4.4 with its defaults (no fsync; 1 GiB heap, G1), Tansu (memory).

Measures per broker: produce throughput and latency (acks=1 and acks=all, 1 and 8 partitions),
acks=0 (close to the generator's own ceiling: nothing waits on the broker), latency at a steady
10k records/s, consume throughput of a topic of --consume-mib MiB by assignment, peak RSS over
the whole session, start-up to the first answered request on an empty log dir, and time to
serving the whole log again after SIGKILL (Kaskade and Kafka; Tansu keeps nothing on disk).

Writes a Markdown report (default e2e/bench/results/latest.md) and prints it. The consumer-group
measurements (subscribe to first record, a 4th member's rebalance, group throughput) are in
groups.py beside this file, which reuses the broker classes here.
Needs: e2e/peers/install.sh done, and a release build of kaskade (this script builds it).
"""
import argparse
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("KASKADE_CACHE", Path.home() / ".cache/kaskade"))
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", CACHE / "target"))
KASKADE = TARGET / "release/kaskade"
PYTHON = CACHE / "venv/bin/python"
TOOL = REPO / "e2e/peers/kafka/tool.sh"
REC_SIZE = 1024

SUMMARY = re.compile(
    r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, "
    r"([\d.]+) ms 50th, ([\d.]+) ms 95th, ([\d.]+) ms 99th, ([\d.]+) ms 99.9th"
)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---------------------------------------------------------------- raw protocol probes

def _frame(api_key, version, corr, body):
    client = b"kaskade-bench"
    header = struct.pack(">hhih", api_key, version, corr, len(client)) + client
    msg = header + body
    return struct.pack(">i", len(msg)) + msg


def _read_frame(s):
    def exact(n):
        b = b""
        while len(b) < n:
            c = s.recv(n - len(b))
            if not c:
                raise ConnectionError("closed")
            b += c
        return b
    (n,) = struct.unpack(">i", exact(4))
    return exact(n)


def api_versions_ok(port):
    """True when the broker answers ApiVersions v0 with error 0."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(_frame(18, 0, 1, b""))
            resp = _read_frame(s)
            return struct.unpack(">ih", resp[:6])[1] == 0
    except OSError:
        return False


def latest_offset(port, topic, partition=0):
    """ListOffsets v1 (latest) for one partition: the offset, or None if not served yet."""
    t = topic.encode()
    body = struct.pack(">ii", -1, 1) + struct.pack(">h", len(t)) + t + struct.pack(">iiq", 1, partition, -1)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(_frame(2, 1, 7, body))
            r = _read_frame(s)
    except OSError:
        return None
    # corr, topics[1], name, partitions[1], partition, error, timestamp, offset
    at = 4 + 4
    (nl,) = struct.unpack(">h", r[at:at + 2])
    at += 2 + nl + 4
    _, err, _, off = struct.unpack(">ihqq", r[at:at + 22])
    return off if err == 0 else None


def wait_until(pred, timeout=120, every=0.002):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = pred()
        if v:
            return time.monotonic() - t0
        time.sleep(every)
    raise TimeoutError("condition not met in time")


# ---------------------------------------------------------------- RSS sampling

class RssSampler:
    def __init__(self):
        self.pid = None
        self.peak_kib = 0
        self.stop = False
        threading.Thread(target=self._run, daemon=True).start()

    def watch(self, pid):
        self.pid = pid

    def _run(self):
        while not self.stop:
            pid = self.pid
            if pid:
                try:
                    for line in open(f"/proc/{pid}/status"):
                        if line.startswith("VmRSS:"):
                            self.peak_kib = max(self.peak_kib, int(line.split()[1]))
                except OSError:
                    pass
            time.sleep(0.2)


# ---------------------------------------------------------------- brokers

class Broker:
    name = ""
    java_clients = True

    def __init__(self):
        self.rss = RssSampler()

    def peak_rss_mib(self):
        return self.rss.peak_kib / 1024


class Kaskade(Broker):
    name = "kaskade"
    overrides = ()
    produce_only = False

    def start(self):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-kaskade-"))
        self.port = free_port()
        self.cmd = [str(KASKADE), "broker", "--override", f"listeners=PLAINTEXT://127.0.0.1:{self.port}",
                    "--override", f"log.dirs={self.dir / 'data'}"]
        for o in self.overrides:
            self.cmd += ["--override", o]
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=open(self.dir / "broker.log", "w"))
        self.startup_s = wait_until(lambda: api_versions_ok(self.port))
        self.rss.watch(self.proc.pid)
        self.bootstrap = f"127.0.0.1:{self.port}"

    def kill9_and_restart(self):
        self.proc.kill()
        self.proc.wait()
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=open(self.dir / "broker-restart.log", "w"))
        self.rss.watch(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(60)
        shutil.rmtree(self.dir, ignore_errors=True)


class KaskadeNoFsync(Kaskade):
    """Kaskade with Kafka's durability default: acks=all does not wait for fsync."""
    name = "kaskade-nofsync"
    overrides = ("log.flush.on.acks.all=false",)
    produce_only = True


class Kafka(Broker):
    name = "kafka"
    produce_only = False

    def start(self):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-kafka-"))
        out = subprocess.run(["bash", str(REPO / "e2e/peers/kafka/start.sh"), "--dir", str(self.dir)],
                             check=True, capture_output=True, text=True).stdout
        vals = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        self.bootstrap = vals["BOOTSTRAP"]
        self.port = int(self.bootstrap.rsplit(":", 1)[1])
        self.pid = int(vals["PID"])
        self.cmd = open(f"/proc/{self.pid}/cmdline").read().split("\0")[:-1]
        self.rss.watch(self.pid)
        # Start-up on an (almost) empty, already formatted log dir: restart the same command.
        self._kill()
        self._spawn()
        self.startup_s = wait_until(lambda: api_versions_ok(self.port))
        log(f"kafka start-up {self.startup_s:.2f} s")

    def _spawn(self):
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=open(self.dir / "restart.log", "a"))
        self.pid = self.proc.pid
        self.rss.watch(self.pid)

    def _kill(self):
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass
        for _ in range(200):
            if not os.path.exists(f"/proc/{self.pid}") or open(f"/proc/{self.pid}/status").read().find("State:\tZ") >= 0:
                break
            time.sleep(0.05)
        if getattr(self, "proc", None):
            self.proc.wait()

    def kill9_and_restart(self):
        self._kill()
        self._spawn()

    def stop(self):
        if getattr(self, "proc", None):
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Tansu(Broker):
    name = "tansu"
    java_clients = False
    produce_only = False

    def start(self):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-tansu-"))
        self.port = free_port()
        binary = subprocess.run(["bash", str(REPO / "e2e/peers/tansu/install.sh")], check=True, capture_output=True, text=True).stdout.strip()
        url = f"tcp://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                                      "--storage-engine", "memory://tansu/"],
                                     stdout=subprocess.DEVNULL, stderr=open(self.dir / "tansu.log", "w"))
        self.startup_s = wait_until(lambda: api_versions_ok(self.port))
        self.rss.watch(self.proc.pid)
        self.bootstrap = f"127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- loads

def create_topic(bootstrap, topic, partitions):
    code = (
        "import sys\nfrom confluent_kafka.admin import AdminClient, NewTopic\n"
        f"a = AdminClient({{'bootstrap.servers': '{bootstrap}'}})\n"
        f"f = a.create_topics([NewTopic('{topic}', {partitions}, 1)])\n"
        "[v.result(30) for v in f.values()]\n"
    )
    subprocess.run([str(PYTHON), "-c", code], check=True, capture_output=True)
    time.sleep(0.5)


def parse_summary(text):
    m = None
    for m in SUMMARY.finditer(text):
        pass
    if not m:
        raise RuntimeError("no summary line in:\n" + text[-2000:])
    n, rps, mbs, avg, mx, p50, p95, p99, p999 = m.groups()
    return {"records": int(n), "rps": float(rps), "mibs": float(mbs), "avg": float(avg), "max": float(mx),
            "p50": float(p50), "p99": float(p99), "p999": float(p999)}


def kaskade_perf_produce(bootstrap, topic, n, acks, throughput=-1, props=()):
    extra = ["--producer-props", *props] if props else []
    out = subprocess.run([str(KASKADE), "perf", "produce", "--bootstrap-server", bootstrap, "--topic", topic,
                          "--num-records", str(n), "--record-size", str(REC_SIZE), "--acks", acks,
                          "--throughput", str(throughput), "--quiet", *extra],
                         capture_output=True, text=True, timeout=1200)
    if out.returncode != 0:
        raise RuntimeError(out.stdout + out.stderr)
    return parse_summary(out.stdout)


def kafka_perf_produce(bootstrap, topic, n, acks, throughput=-1, props=()):
    out = subprocess.run(["bash", str(TOOL), "kafka-producer-perf-test", "--topic", topic, "--num-records", str(n),
                          "--record-size", str(REC_SIZE), "--throughput", str(throughput),
                          "--command-property", f"bootstrap.servers={bootstrap}", f"acks={acks}", *props],
                         capture_output=True, text=True, timeout=1200)
    if out.returncode != 0:
        raise RuntimeError(out.stdout + out.stderr)
    return parse_summary(out.stdout)


def kaskade_perf_consume(bootstrap, topic, n):
    out = subprocess.run([str(KASKADE), "perf", "consume", "--bootstrap-server", bootstrap, "--topic", topic,
                          "--messages", str(n), "--timeout", "30000"], capture_output=True, text=True, timeout=1200)
    if out.returncode != 0:
        raise RuntimeError(out.stdout + out.stderr)
    fields = [f.strip() for f in out.stdout.strip().splitlines()[-1].split(",")]
    return {"mib": float(fields[2]), "mibs": float(fields[3]), "n": int(fields[4]), "rps": float(fields[5]),
            "fetch_mibs": float(fields[8])}


def bench_broker(b, args, results):
    name = b.name
    log(f"== {name}: starting")
    b.start()
    r = results.setdefault(name, {})
    r["startup_s"] = b.startup_s
    gens = [("kaskade-perf", kaskade_perf_produce)]
    if b.java_clients:
        gens.append(("kafka-perf", kafka_perf_produce))
    for gen, fn in gens:
        for parts in (1, 8):
            for acks in ("1", "all"):
                topic = f"p-{gen}-{parts}-{acks}"
                create_topic(b.bootstrap, topic, parts)
                log(f"   {name} {gen} partitions={parts} acks={acks}")
                r[(gen, parts, acks)] = fn(b.bootstrap, topic, args.records, acks)
        topic = f"p-{gen}-1-0"
        create_topic(b.bootstrap, topic, 1)
        log(f"   {name} {gen} acks=0")
        r[(gen, 1, "0")] = fn(b.bootstrap, topic, args.records, "0")
        topic = f"lat-{gen}"
        create_topic(b.bootstrap, topic, 1)
        log(f"   {name} {gen} latency at 10k/s")
        # linger.ms=1 for both generators: their default (5 ms) would dominate what is measured.
        r[(gen, "lat")] = fn(b.bootstrap, topic, 100_000, "all", 10_000, ("linger.ms=1",))
    r["rss_mib"] = b.peak_rss_mib()
    if b.produce_only:
        b.stop()
        log(f"== {name}: done")
        return
    # Consume: fill a topic, then read it all by assignment.
    n = args.consume_mib * 1024
    create_topic(b.bootstrap, "consume", 1)
    log(f"   {name} filling {args.consume_mib} MiB")
    kaskade_perf_produce(b.bootstrap, "consume", n, "1")
    log(f"   {name} consuming")
    r["consume"] = kaskade_perf_consume(b.bootstrap, "consume", n)
    r["rss_mib"] = b.peak_rss_mib()
    if isinstance(b, (Kaskade, Kafka)):
        log(f"   {name} SIGKILL and restart with the log")
        b.kill9_and_restart()
        r["recovery_s"] = wait_until(lambda: latest_offset(b.port, "consume") == n, timeout=600, every=0.005)
    b.stop()
    log(f"== {name}: done")


def fmt_row(cells):
    return "| " + " | ".join(cells) + " |"


def report(results, args):
    names = [n for n in ("kaskade", "kaskade-nofsync", "kafka", "tansu") if n in results]
    lines = []
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines.append(f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores ({cpu}); "
                 f"{args.records} records of {REC_SIZE} B per produce run; consume of {args.consume_mib} MiB.")
    lines.append("")
    lines.append("### Produce throughput, MiB/s (records/s)")
    lines.append("")
    lines.append(fmt_row(["generator", "partitions", "acks"] + names))
    lines.append(fmt_row(["---"] * (3 + len(names))))
    for gen in ("kaskade-perf", "kafka-perf"):
        for parts, acks in ((1, "1"), (1, "all"), (8, "1"), (8, "all"), (1, "0")):
            cells = [gen, str(parts), acks]
            for n in names:
                v = results[n].get((gen, parts, acks))
                cells.append(f"{v['mibs']:.1f} ({v['rps']:.0f})" if v else "n/a")
            lines.append(fmt_row(cells))
    lines.append("")
    lines.append("### Produce latency at a steady 10,000 records/s, acks=all, linger.ms=1, ms (p50 / p99 / p99.9)")
    lines.append("")
    lines.append(fmt_row(["generator"] + names))
    lines.append(fmt_row(["---"] * (1 + len(names))))
    for gen in ("kaskade-perf", "kafka-perf"):
        cells = [gen]
        for n in names:
            v = results[n].get((gen, "lat"))
            cells.append(f"{v['p50']:.2f} / {v['p99']:.2f} / {v['p999']:.2f}" if v else "n/a")
        lines.append(fmt_row(cells))
    lines.append("")
    lines.append("### Consume, start-up, memory, recovery")
    lines.append("")
    lines.append(fmt_row(["measure"] + names))
    lines.append(fmt_row(["---"] * (1 + len(names))))
    def row(label, f):
        lines.append(fmt_row([label] + [f(results[n]) for n in names]))
    row(f"consume {args.consume_mib} MiB by assignment (kaskade-perf), MiB/s", lambda r: f"{r['consume']['mibs']:.1f}" if "consume" in r else "-")
    row("peak broker RSS over the session, MiB", lambda r: f"{r['rss_mib']:.0f}")
    row("start-up to first answered request, empty log dir, ms", lambda r: f"{r['startup_s'] * 1000:.0f}")
    row(f"SIGKILL → serving the whole {args.consume_mib} MiB log again, s",
        lambda r: f"{r['recovery_s']:.2f}" if "recovery_s" in r else "-")
    return "\n".join(lines) + "\n"


def main():
    if "--only-groups" in sys.argv[1:]:
        import groups
        groups.main([a for a in sys.argv[1:] if a != "--only-groups"])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=300_000)
    ap.add_argument("--consume-mib", type=int, default=1024)
    ap.add_argument("--only", default="kaskade,kaskade-nofsync,kafka,tansu")
    ap.add_argument("--out", default=str(REPO / "e2e/bench/results/latest.md"))
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "kaskade"], cwd=REPO, check=True,
                       env={**os.environ, "CARGO_TARGET_DIR": str(TARGET)})
    results = {}
    for cls in (Kaskade, KaskadeNoFsync, Kafka, Tansu):
        if cls.name in args.only.split(","):
            bench_broker(cls(), args, results)
    text = report(results, args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
