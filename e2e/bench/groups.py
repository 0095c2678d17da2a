#!/usr/bin/env python3
"""Consumer-group benchmarks: Kaskade beside Apache Kafka 4.4 and Tansu in one run.

    e2e/bench/groups.py [--groups N] [--rebalances N] [--throughput-mib M] [--throughput-runs N]
                        [--only kaskade,kafka,tansu] [--out FILE] [--no-build]
    (also: e2e/bench/run.py --only-groups [the same options])

Each broker at its defaults (started as e2e/bench/run.py starts it: Kaskade release build,
Kafka 4.4 single KRaft node with a 1 GiB heap, Tansu on memory), so the initial rebalance delay is
each broker's default: group.initial.rebalance.delay.ms = 3000 for Kafka and Kaskade. Clients at
their defaults too (classic group protocol, eager range assignment, heartbeat every 3 s), except
auto.offset.reset=earliest so a new group reads what the topic already holds. Two clients:
librdkafka (confluent-kafka in the venv: group_probe.py; and `kaskade perf consume --group`
through the rdkafka crate for throughput) and the Java client 4.4 (GroupBench.java, source-
launched with Kafka's jars). Kafka 4.4's Java clients cannot talk to Tansu 0.6.0 (they send
ApiVersions v5, which Tansu drops), so Java rows for Tansu are n/a.

Measures, per broker:
1. subscribe() → first record for a new group (one consumer), --groups fresh groups per client
   after one warm-up group (class loading, JIT, and Kafka's creating __consumer_offsets are not
   counted), on a 1-partition topic holding 10,000 records of 1 KiB.
2. Rebalance when a 4th member joins a settled 3-member group: from the 4th's subscribe() until
   all four hold their new assignment (covering all 12 partitions once) and each has received a
   record since; a steady producer (`kaskade perf produce`, 2,000 records/s of 100 B spread over
   the 12 partitions) keeps records coming. --rebalances fresh groups per client.
3. Group consume throughput: 3 members, 12 partitions, a topic pre-filled with --throughput-mib
   MiB of 1 KiB records; MiB/s from the first record to the last (the join is reported apart as
   time from subscribe to the first record). --throughput-runs fresh groups per client.

Writes a Markdown report (default e2e/bench/results/groups-latest.md) with every trial's raw value.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the broker classes and helpers of the main benchmark)

HERE = Path(__file__).resolve().parent
KAFKA_LIBS = Path(os.environ.get("KAFKA_LIBS", run.CACHE / "kafka-4.4.0/libs"))
PARTITIONS = 12
log = run.log


def lines_of(cmd, prefix, timeout):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    got = [l.split()[1:] for l in out.stdout.splitlines() if l.startswith(prefix + " ")]
    err = [l for l in out.stdout.splitlines() if l.startswith("ERROR")]
    return got, (err[0] if err else (None if out.returncode == 0 else f"exit {out.returncode}: {out.stderr[-300:]}"))


def probe(client, mode, *args, timeout=900):
    if client == "librdkafka":
        cmd = [str(run.PYTHON), str(HERE / "group_probe.py"), mode, *args]
    else:
        cmd = ["java", "-Xmx512M", "-cp", f"{KAFKA_LIBS}/*", str(HERE / "GroupBench.java"), mode, *args]
    return lines_of(cmd, mode.upper(), timeout)


def first_record(b, client, n, topic):
    got, err = probe(client, "first", "--bootstrap", b.bootstrap, "--topic", topic, "--groups", str(n),
                     "--prefix", f"first-{client}")
    vals = [float(ms) for g, ms in got if g != "warmup"]
    warm = [float(ms) for g, ms in got if g == "warmup"]
    return {"values": vals, "warmup": warm[0] if warm else None, "error": err}


def rebalances(b, client, n, topic):
    vals, err = [], None
    for i in range(n):
        got, err = probe(client, "rebalance", "--bootstrap", b.bootstrap, "--topic", topic,
                         "--group", f"rebalance-{client}-{i}", "--partitions", str(PARTITIONS))
        vals += [float(v[0]) for v in got]
        if err:
            break
    return {"values": vals, "error": err}


def throughput(b, client, runs, topic, n):
    vals, joins, err = [], [], None
    for i in range(runs):
        group = f"throughput-{client}-{i}"
        if client == "librdkafka":
            out = subprocess.run([str(run.KASKADE), "perf", "consume", "--bootstrap-server", b.bootstrap, "--topic", topic,
                                  "--messages", str(n), "--group", group, "--members", "3", "--timeout", "60000"],
                                 capture_output=True, text=True, timeout=900)
            if out.returncode != 0:
                err = (out.stdout + out.stderr)[-300:]
                break
            f = [x.strip() for x in out.stdout.strip().splitlines()[-1].split(",")]
            vals.append(float(f[8]))
            joins.append(float(f[6]))
        else:
            got, err = probe(client, "throughput", "--bootstrap", b.bootstrap, "--topic", topic, "--group", group,
                             "--members", "3", "--messages", str(n))
            if err or not got:
                err = err or "no result"
                break
            recs, nbytes, total_ms, fetch_ms = got[0]
            vals.append(int(nbytes) / (1024 * 1024) / (float(fetch_ms) / 1000))
            joins.append(float(total_ms) - float(fetch_ms))
    return {"values": vals, "joins": joins, "error": err}


def bench_broker(b, args, results):
    name = b.name
    clients = ["librdkafka"] + (["java"] if b.java_clients else [])
    log(f"== {name}: starting")
    b.start()
    r = results.setdefault(name, {})
    try:
        run.create_topic(b.bootstrap, "first", 1)
        run.kaskade_perf_produce(b.bootstrap, "first", 10_000, "1")
        for c in clients:
            log(f"   {name} {c}: subscribe → first record, {args.groups} groups (+1 warm-up)")
            r[("first", c)] = first_record(b, c, args.groups, "first")
            log(f"      {r[('first', c)]}")
        run.create_topic(b.bootstrap, "rebalance", PARTITIONS)
        producer = subprocess.Popen([str(run.KASKADE), "perf", "produce", "--bootstrap-server", b.bootstrap,
                                     "--topic", "rebalance", "--num-records", "1000000000", "--record-size", "100",
                                     "--acks", "1", "--throughput", "2000", "--quiet",
                                     "--producer-props", "sticky.partitioning.linger.ms=0"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1)
            for c in clients:
                log(f"   {name} {c}: 4th member joins, {args.rebalances} groups")
                r[("rebalance", c)] = rebalances(b, c, args.rebalances, "rebalance")
                log(f"      {r[('rebalance', c)]}")
        finally:
            producer.terminate()
            producer.wait()
        n = args.throughput_mib * 1024
        run.create_topic(b.bootstrap, "throughput", PARTITIONS)
        log(f"   {name} filling {args.throughput_mib} MiB over {PARTITIONS} partitions")
        run.kaskade_perf_produce(b.bootstrap, "throughput", n, "1")
        for c in clients:
            log(f"   {name} {c}: group throughput, {args.throughput_runs} runs")
            r[("throughput", c)] = throughput(b, c, args.throughput_runs, "throughput", n)
            log(f"      {r[('throughput', c)]}")
        r["rss_mib"] = b.peak_rss_mib()
    finally:
        b.stop()
    log(f"== {name}: done")


def summary(v, fmt):
    if not v or not v.get("values"):
        return f"failed: {v.get('error')}" if v else "n/a"
    xs = v["values"]
    s = f"{fmt(statistics.median(xs))} ({fmt(min(xs))}–{fmt(max(xs))})"
    return s + (f" [{len(xs)} of the runs; then: {v['error']}]" if v.get("error") else "")


def report(results, args):
    names = [n for n in ("kaskade", "kafka", "tansu") if n in results]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    load = open("/proc/loadavg").read().split()[:3]
    L = [f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores ({cpu}); "
         f"load average at the end {' '.join(load)}; {args.groups} groups per first-record row, "
         f"{args.rebalances} per rebalance row, {args.throughput_runs} throughput runs of {args.throughput_mib} MiB.",
         "", "Median (min–max). Each broker at its defaults (initial rebalance delay 3000 ms on Kaskade and Kafka); "
         "clients at their defaults but auto.offset.reset=earliest.", ""]
    row = lambda cells: L.append(run.fmt_row(cells))
    row(["measure", "client"] + names)
    row(["---"] * (2 + len(names)))
    na = "n/a (Java 4.4 clients send ApiVersions v5, Tansu 0.6.0 drops it)"
    for key, label, fmt in (("first", "subscribe() → first record, new group, ms", lambda x: f"{x:.0f}"),
                            ("rebalance", "4th member joins 3: until all 4 consume again, ms", lambda x: f"{x:.0f}"),
                            ("throughput", f"group consume, 3 members, {PARTITIONS} partitions, MiB/s (first record → last)",
                             lambda x: f"{x:.1f}")):
        for c in ("librdkafka", "java"):
            cells = [label, c + (" (kaskade perf consume --group)" if key == "throughput" and c == "librdkafka" else "")]
            for n in names:
                v = results[n].get((key, c))
                cells.append(na if v is None and n == "tansu" and c == "java" else summary(v, fmt))
            row(cells)
    for c in ("librdkafka", "java"):
        cells = [f"  of which: subscribe() → first record of the throughput run, ms", c]
        for n in names:
            v = results[n].get(("throughput", c))
            cells.append(summary({"values": v["joins"]}, lambda x: f"{x:.0f}") if v and v.get("joins") else "n/a")
        row(cells)
    row(["peak broker RSS over the session, MiB", "-"] + [f"{results[n].get('rss_mib', 0):.0f}" for n in names])
    L += ["", "Raw values (ms, or MiB/s for throughput), in the order measured; the warm-up group is not in the medians:", ""]
    for n in names:
        for (k, c), v in sorted(((k, v) for k, v in results[n].items() if isinstance(k, tuple)), key=lambda kv: kv[0]):
            extra = f", warm-up {v['warmup']:.0f}" if v.get("warmup") is not None else ""
            extra += f", join ms {[round(j) for j in v['joins']]}" if v.get("joins") else ""
            extra += f", error: {v['error']}" if v.get("error") else ""
            L.append(f"- {n} {k} {c}: {[round(x, 1) for x in v['values']]}{extra}")
    return "\n".join(L) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--groups", type=int, default=5, help="fresh groups per first-record measurement")
    ap.add_argument("--rebalances", type=int, default=5, help="fresh groups per rebalance measurement")
    ap.add_argument("--throughput-mib", type=int, default=1024)
    ap.add_argument("--throughput-runs", type=int, default=3)
    ap.add_argument("--only", default="kaskade,kafka,tansu")
    ap.add_argument("--out", default=str(run.REPO / "e2e/bench/results/groups-latest.md"))
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args(argv)
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "kaskade"], cwd=run.REPO, check=True,
                       env={**os.environ, "CARGO_TARGET_DIR": str(run.TARGET)})
    results = {}
    for cls in (run.Kaskade, run.Kafka, run.Tansu):
        if cls.name in args.only.split(","):
            try:
                bench_broker(cls(), args, results)
            except Exception as e:  # report what was measured; say what failed
                log(f"!! {cls.name}: {e!r}")
                results.setdefault(cls.name, {})["error"] = repr(e)
    text = report(results, args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
