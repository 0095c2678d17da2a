#!/usr/bin/env python3
"""Replicated clusters, Kaskade beside Apache Kafka 4.4, one cluster at a time in one run:

    e2e/bench/cluster.py [--records N] [--kills K] [--only kaskade,kafka] [--out FILE]

Both run three combined broker+controller nodes on loopback (Kafka via
e2e/peers/kafka/start-cluster.sh, 1 GiB heap each), topics replicated 3 times with
`min.insync.replicas=2`. Measures, per cluster:

- produce throughput, acks=all, 1 KiB records, 1 and 8 partitions: `kaskade perf produce`
  (librdkafka), median of 2 fresh topics; Kaskade fsyncs on acks=all (on the leader and on every
  follower before it reports), Kafka does not;
- the peak RSS of each broker process over the throughput runs (VmHWM);
- failover: an idempotent acks=all producer (confluent-kafka / librdkafka, ~1,000 records/s,
  `request.timeout.ms=5000`) writes to a 1-partition topic while the leader is SIGKILLed K times,
  each time restarted once a new leader acknowledged writes and waited for until the ISR is
  full again; time from the kill to the first acknowledgement of a record produced after it;
  at the end every acknowledged record is looked for (lost, duplicated).
  Both clusters run with `broker.session.timeout.ms=2000`, `broker.heartbeat.interval.ms=500`
  (Kafka's defaults, 9000 and 2000, would make both wait ~9 s for the fence).

Writes a Markdown report (default e2e/bench/results/cluster-latest.md) and prints it.
Needs: e2e/peers/install.sh done and a release build of kaskade (`cargo build --release -p kaskade`).
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import KASKADE, PYTHON, REPO, api_versions_ok, free_port, kaskade_perf_produce, log, wait_until  # noqa: E402


def poll_until(pred, timeout, every):
    """The first true value of pred() within timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(every)
    raise TimeoutError("condition not met in time")

try:
    from confluent_kafka import Consumer, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
except ImportError:  # run again under the test venv, which has confluent-kafka
    os.execv(str(PYTHON), [str(PYTHON), __file__, *sys.argv[1:]])

PEERS = REPO / "e2e/peers/kafka"
TIMING = {"broker.session.timeout.ms": "2000", "broker.heartbeat.interval.ms": "500"}


class KaskadeCluster:
    name = "kaskade"

    def __init__(self, n=3):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-kaskade-cluster-"))
        self.ports = [free_port() for _ in range(n)]
        self.cports = [free_port() for _ in range(n)]
        voters = ",".join(f"{i + 1}@127.0.0.1:{c}" for i, c in enumerate(self.cports))
        self.procs = [None] * n
        self.cmds = []
        for i in range(n):
            props = {
                "node.id": str(i + 1),
                "listeners": f"PLAINTEXT://127.0.0.1:{self.ports[i]},CONTROLLER://127.0.0.1:{self.cports[i]}",
                "controller.listener.names": "CONTROLLER",
                "controller.quorum.voters": voters,
                "log.dirs": str(self.dir / f"node-{i + 1}"),
                **TIMING,
            }
            cmd = [str(KASKADE), "broker"]
            for k, v in props.items():
                cmd += ["--override", f"{k}={v}"]
            self.cmds.append(cmd)
        for i in range(n):
            self.launch(i + 1)
        for p in self.ports:
            wait_until(lambda p=p: api_versions_ok(p), timeout=60, every=0.05)
        self.bootstrap = ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def launch(self, node):
        log_file = open(self.dir / f"node-{node}.log", "ab")
        env = {**os.environ, "KASKADE_LOG": "info"}
        self.procs[node - 1] = subprocess.Popen(self.cmds[node - 1], stdout=subprocess.DEVNULL, stderr=log_file, env=env)

    def pids(self):
        return [p.pid if p else None for p in self.procs]

    def kill(self, node):
        p = self.procs[node - 1]
        p.send_signal(signal.SIGKILL)
        p.wait()
        self.procs[node - 1] = None

    def restart(self, node):
        self.launch(node)
        wait_until(lambda: api_versions_ok(self.ports[node - 1]), timeout=60, every=0.02)

    def stop(self):
        for p in self.procs:
            if p:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            if p:
                p.wait(timeout=60)


class KafkaCluster:
    name = "kafka"

    def __init__(self, n=3):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-kafka-cluster-"))
        args = [str(PEERS / "start-cluster.sh"), "--nodes", str(n), "--dir", str(self.dir)]
        for k, v in TIMING.items():
            args += ["--override", f"{k}={v}"]
        env = {**os.environ, "KAFKA_HEAP_OPTS": "-Xmx1G -Xms1G"}
        out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
        fields = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        self.bootstrap = fields["BOOTSTRAP"]
        self.n = n

    def pids(self):
        out = []
        for i in range(1, self.n + 1):
            f = self.dir / f"node-{i}/pid"
            out.append(int(f.read_text()) if f.exists() else None)
        return out

    def kill(self, node):
        pid = self.pids()[node - 1]
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2],
                   timeout=30, every=0.01)

    def restart(self, node):
        env = {**os.environ, "KAFKA_HEAP_OPTS": "-Xmx1G -Xms1G"}
        subprocess.run([str(PEERS / "start-cluster.sh"), "--restart-node", str(node), "--dir", str(self.dir)],
                       capture_output=True, text=True, env=env, check=True)

    def stop(self):
        subprocess.run([str(PEERS / "stop-cluster.sh"), str(self.dir)], capture_output=True)


def create_topic(bootstrap, name, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    t = NewTopic(name, partitions, 3, config={"min.insync.replicas": "2"})
    for f in admin.create_topics([t]).values():
        f.result(30)
    wait_until(lambda: partition_state(bootstrap, name, 0) is not None, timeout=30, every=0.1)


def partition_state(bootstrap, topic, partition):
    """(leader, ISR) of one partition, or None."""
    try:
        md = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic, timeout=5)
        p = md.topics[topic].partitions.get(partition)
        return (p.leader, sorted(p.isrs)) if p and p.leader >= 0 else None
    except Exception:  # noqa: BLE001 - a dead bootstrap broker, an election: ask again
        return None


class RssSampler(threading.Thread):
    """Peak VmHWM of each broker pid while it runs."""

    def __init__(self, cluster):
        super().__init__(daemon=True)
        self.cluster, self.peak, self.done = cluster, {}, threading.Event()

    def run(self):
        while not self.done.is_set():
            for node, pid in enumerate(self.cluster.pids(), 1):
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            kb = int(line.split()[1])
                            self.peak[node] = max(self.peak.get(node, 0), kb)
                except (OSError, TypeError):
                    pass
            time.sleep(0.2)


def throughput(cluster, records):
    out = {}
    sampler = RssSampler(cluster)
    sampler.start()
    for partitions in (1, 8):
        runs = []
        for r in range(2):
            topic = f"tp-{partitions}-{r}"
            create_topic(cluster.bootstrap, topic, partitions)
            res = kaskade_perf_produce(cluster.bootstrap, topic, records, "all")
            log(f"{cluster.name}: {partitions} partition(s), run {r}: {res['mibs']:.1f} MiB/s, p99 {res['p99']:.0f} ms")
            runs.append(res)
        out[partitions] = {"mibs": statistics.median(x["mibs"] for x in runs), "p99": statistics.median(x["p99"] for x in runs)}
    sampler.done.set()
    sampler.join()
    out["rss_mib"] = [round(sampler.peak.get(i, 0) / 1024) for i in range(1, 4)]
    return out


def failover(cluster, kills):
    topic = "failover"
    create_topic(cluster.bootstrap, topic, 1)
    acked, produced, errors = {}, {}, []
    lock = threading.Lock()
    stop = threading.Event()
    producer = Producer({"bootstrap.servers": cluster.bootstrap, "enable.idempotence": True, "acks": "all",
                         "linger.ms": 5, "request.timeout.ms": 5000, "message.timeout.ms": 300000})

    def on_delivery(err, msg):
        now = time.monotonic()
        if err:
            errors.append(str(err))
            return
        with lock:
            acked[msg.value().decode()] = (now, msg.offset())

    def write():
        i = 0
        while not stop.is_set():
            i += 1
            v = f"r{i}"
            produced[v] = time.monotonic()
            while True:
                try:
                    producer.produce(topic, v.encode(), partition=0, on_delivery=on_delivery)
                    break
                except BufferError:
                    producer.poll(0.05)
            producer.poll(0)
            time.sleep(0.001)
        producer.flush(300)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    times = []
    for k in range(kills):
        state = poll_until(lambda: (s := partition_state(cluster.bootstrap, topic, 0)) and len(s[1]) == 3 and s,
                           timeout=120, every=0.2)
        time.sleep(1)
        leader = state[0]
        t_kill = time.monotonic()
        cluster.kill(leader)

        def resumed():
            with lock:
                after = [t for v, (t, _) in acked.items() if produced.get(v, 0) > t_kill]
            return min(after) if after else None

        t_ack = poll_until(resumed, timeout=120, every=0.01)
        times.append((t_ack - t_kill) * 1000)
        log(f"{cluster.name}: kill {k + 1}/{kills} of node {leader}: acks again after {times[-1]:.0f} ms")
        cluster.restart(leader)
    stop.set()
    writer.join()
    # Every acknowledged record, looked for in the log from its start.
    consumer = Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": "bench-check", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    _, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=30)
    seen = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        m = consumer.poll(1)
        if m is None or m.error():
            if sum(seen.values()) >= high:
                break
            continue
        v = m.value().decode()
        seen[v] = seen.get(v, 0) + 1
        if m.offset() + 1 >= high:
            break
    consumer.close()
    lost = [v for v in acked if v not in seen]
    dup = [v for v, c in seen.items() if c > 1]
    return {"times": times, "acked": len(acked), "lost": len(lost), "dup": len(dup), "errors": len(errors)}


def report(results, args):
    lines = [f"# Replicated clusters: Kaskade beside Apache Kafka 4.4 ({time.strftime('%Y-%m-%d %H:%M')})", "",
             f"`e2e/bench/cluster.py --records {args.records} --kills {args.kills}`; three nodes each, RF 3, "
             "`min.insync.replicas=2`, acks=all, 1 KiB records, `kaskade perf produce` (librdkafka). "
             "Kaskade fsyncs on acks=all (leader and followers); Kafka does not. Kafka: 1 GiB heap per node.", "",
             "| | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]

    def row(label, f):
        lines.append(f"| {label} | " + " | ".join(f(r) for r in results.values()) + " |")

    row("produce, 1 partition, MiB/s (p99 ms)", lambda r: f"{r['tp'][1]['mibs']:.1f} ({r['tp'][1]['p99']:.0f})")
    row("produce, 8 partitions, MiB/s (p99 ms)", lambda r: f"{r['tp'][8]['mibs']:.1f} ({r['tp'][8]['p99']:.0f})")
    row("peak RSS of each broker over the produce runs, MiB", lambda r: " / ".join(str(x) for x in r["tp"]["rss_mib"]))
    row(f"SIGKILL of the leader → first ack, ms: median (max) of {args.kills}",
        lambda r: f"{statistics.median(r['fo']['times']):.0f} ({max(r['fo']['times']):.0f})")
    row("acknowledged records / lost / duplicated / delivery errors",
        lambda r: f"{r['fo']['acked']} / {r['fo']['lost']} / {r['fo']['dup']} / {r['fo']['errors']}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--only", default="kaskade,kafka")
    ap.add_argument("--out", default=str(REPO / "e2e/bench/results/cluster-latest.md"))
    args = ap.parse_args()
    results = {}
    for name in args.only.split(","):
        cluster = KaskadeCluster() if name == "kaskade" else KafkaCluster()
        try:
            results[name] = {"tp": throughput(cluster, args.records), "fo": failover(cluster, args.kills)}
        finally:
            cluster.stop()
    text = report(results, args)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
