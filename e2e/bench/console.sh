#!/usr/bin/env bash
# The console-consumer benchmark of issue 12: does `kaskade console-consumer` keep up with a topic
# produced at 50k records/s of 100-byte text lines, beside Kafka's kafka-console-consumer (JVM,
# -Xmx512M as Kafka's scripts run it) on the same broker in the same run?
#
#   e2e/bench/console.sh [SECONDS] [RATE]      (defaults: 25 s at 50000 records/s)
#
# Builds the release binary, starts a `kaskade broker` (defaults) on a temporary log dir, then
# for each consumer in turn (never both at once: two cores): creates a fresh one-partition topic,
# starts the consumer as the Kafka quickstart does (`--topic T --from-beginning`, a group of its
# own, plus --max-messages so it ends by itself), waits 6 s for it to join, and produces
# SECONDS x RATE records of 100 bytes with `kaskade perf produce --throughput RATE` (acks=all).
# The consumer's stdout is counted as it arrives (lines); the topic's end offset (kcat -Q) is
# sampled every 0.5 s. Reported per consumer: records consumed vs produced over time, the lag
# when the producer finished and the most during the steady state, how long it took to catch up,
# its CPU time and peak RSS (/usr/bin/time -v); then the headroom: the whole topic read again
# from offset 0 (--partition 0 --offset earliest) as fast as it goes, start-up included.
# Writes e2e/bench/results/console-<date>.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-25}
rate=${2:-50000}

source e2e/peers/lib.sh
target=${CARGO_TARGET_DIR:-$KASKADE_CACHE/target}
CARGO_TARGET_DIR=$target cargo build --release -p kaskade
e2e/peers/kafka/fetch.sh >/dev/null
command -v kcat >/dev/null || die "kcat is missing: run e2e/peers/install.sh"

out=e2e/bench/results/console-$(date -u +%Y-%m-%d-%H%M).json
KASKADE=$target/release/kaskade SECONDS_=$seconds RATE=$rate OUT=$out \
  LOAD="$(cut -d' ' -f1-3 /proc/loadavg)" python3 - <<'PY'
import json, os, platform, re, shutil, socket, subprocess, sys, tempfile, threading, time

KASKADE = os.environ["KASKADE"]
SECONDS, RATE, OUT, LOAD = int(os.environ["SECONDS_"]), int(os.environ["RATE"]), os.environ["OUT"], os.environ["LOAD"]
RECORDS, SIZE, WARMUP = SECONDS * RATE, 100, 6.0
TOOL = "e2e/peers/kafka/tool.sh"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_broker(tmp):
    port = free_port()
    broker = subprocess.Popen(
        [KASKADE, "broker", "--override", f"listeners=PLAINTEXT://127.0.0.1:{port}", "--override", f"log.dirs={tmp}/data"],
        stdout=subprocess.PIPE, stderr=open(f"{tmp}/broker.log", "w"), text=True)
    for line in broker.stdout:
        if "listening on" in line:
            break
    else:
        raise SystemExit(f"the broker did not start; see {tmp}/broker.log")
    threading.Thread(target=lambda: [None for _ in broker.stdout], daemon=True).start()
    return broker, f"127.0.0.1:{port}"


def end_offset(bs, topic):
    r = subprocess.run(["kcat", "-b", bs, "-Q", "-t", f"{topic}:0:-1"], capture_output=True, text=True, timeout=10)
    m = re.search(r"offset (-?\d+)", r.stdout)
    return int(m.group(1)) if m else None


def rusage(text):
    def field(name):
        m = re.search(rf"{re.escape(name)}: ([\d.:]+)", text)
        return m.group(1) if m else None
    return {
        "cpu_user_s": float(field("User time (seconds)") or 0),
        "cpu_sys_s": float(field("System time (seconds)") or 0),
        "peak_rss_mib": round(int(field("Maximum resident set size (kbytes)") or 0) / 1024, 1),
        "wall": field("Elapsed (wall clock) time (h:mm:ss or m:ss)"),
    }


def phase(name, command, bs, tmp):
    topic = f"console-bench-{name}"
    subprocess.run(["bash", TOOL, "kafka-topics", "--bootstrap-server", bs, "--create", "--topic", topic, "--partitions", "1"],
                   check=True, capture_output=True)
    args = ["--bootstrap-server", bs, "--topic", topic, "--from-beginning", "--max-messages", str(RECORDS), "--timeout-ms", "120000"]
    err_path = f"{tmp}/{name}.stderr"
    consumer = subprocess.Popen(["/usr/bin/time", "-v", *command, *args], stdout=subprocess.PIPE, stderr=open(err_path, "w"))
    counted = {"n": 0, "last": None}

    def count():
        while chunk := consumer.stdout.read1(1 << 16):
            counted["n"] += chunk.count(b"\n")
            counted["last"] = time.monotonic()

    reader = threading.Thread(target=count, daemon=True)
    reader.start()
    time.sleep(WARMUP)
    log(f"{name}: producing {RECORDS} records of {SIZE} bytes at {RATE}/s")
    t0 = time.monotonic()
    producer = subprocess.Popen([KASKADE, "perf", "produce", "--bootstrap-server", bs, "--topic", topic,
                                 "--num-records", str(RECORDS), "--record-size", str(SIZE), "--throughput", str(RATE), "--quiet"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    samples = []
    produced_at_end = lag_at_end = t_end = None
    while True:
        # Consumed first, then the end offset: the lag is never under-stated.
        t, consumed = time.monotonic() - t0, counted["n"]
        produced = end_offset(bs, topic)
        samples.append({"t": round(t, 2), "produced": produced, "consumed": consumed})
        if t_end is None and producer.poll() is not None:
            t_end, consumed = time.monotonic(), counted["n"]
            produced_at_end = end_offset(bs, topic)
            lag_at_end = produced_at_end - consumed
            log(f"{name}: producer done after {t_end - t0:.1f} s; consumer lag {lag_at_end}")
        if consumer.poll() is not None or (t_end and time.monotonic() - t_end > 60):
            break
        if t_end is None and time.monotonic() - t0 > SECONDS * 3 + 60:
            producer.kill()
            raise SystemExit(f"{name}: the producer did not finish")
        time.sleep(0.5)
    if t_end is None:
        producer.wait()
        t_end = time.monotonic()
        produced_at_end = end_offset(bs, topic)
        lag_at_end = produced_at_end - counted["n"]
    if consumer.poll() is None:
        consumer.terminate()
    consumer.wait()
    reader.join(timeout=5)
    summary = producer.stdout.read().strip().splitlines()[-1:]
    steady = [s["produced"] - s["consumed"] for s in samples
              if s["produced"] is not None and 5 <= s["t"] <= (t_end - t0)]
    # How long after the producer's last acknowledgement the consumer printed its last record.
    caught_up = max(0.0, counted["last"] - t_end) if counted["n"] >= RECORDS and counted["last"] else None
    stderr = open(err_path).read()
    result = {
        "command": " ".join(["kaskade" if command[0] == KASKADE else command[1], *command[(1 if command[0] == KASKADE else 2):], *args]),
        "records_produced": produced_at_end,
        "records_consumed": counted["n"],
        "producer_seconds": round(t_end - t0, 2),
        "producer_summary": summary[0] if summary else None,
        "lag_when_producer_done": lag_at_end,
        "max_lag_steady_state": max(steady) if steady else None,
        "mean_lag_steady_state": round(sum(steady) / len(steady)) if steady else None,
        "catch_up_s_after_producer": round(caught_up, 2) if caught_up is not None else None,
        "exit_code": consumer.returncode,
        "processed_line": next((l for l in stderr.splitlines() if l.startswith("Processed a total")), None),
        **rusage(stderr),
        "samples": samples,
    }
    result["read_back_from_start"] = read_back(name, command, bs, topic, tmp)
    result["kept_up"] = bool(result["records_consumed"] >= RECORDS and lag_at_end <= RATE
                             and caught_up is not None and caught_up <= 2.0)
    log(f"{name}: " + json.dumps({k: v for k, v in result.items() if k != "samples"}))
    return result


def read_back(name, command, bs, topic, tmp):
    """The headroom: the whole topic read again from offset 0 as fast as the consumer goes."""
    args = ["--bootstrap-server", bs, "--topic", topic, "--partition", "0", "--offset", "earliest", "--max-messages", str(RECORDS)]
    err_path = f"{tmp}/{name}-read.stderr"
    t0 = time.monotonic()
    consumer = subprocess.Popen(["/usr/bin/time", "-v", *command, *args], stdout=subprocess.PIPE, stderr=open(err_path, "w"))
    n = 0
    while chunk := consumer.stdout.read1(1 << 16):
        n += chunk.count(b"\n")
    consumer.wait()
    wall = time.monotonic() - t0
    out = {"records": n, "wall_s_with_start_up": round(wall, 2), "records_per_s": round(n / wall), **rusage(open(err_path).read())}
    del out["wall"]
    log(f"{name}: read back {n} records in {wall:.2f} s")
    return out


tmp = tempfile.mkdtemp(prefix="console-bench-")
broker, bs = start_broker(tmp)
try:
    results = {
        "kaskade console-consumer": phase("kaskade", [KASKADE, "console-consumer"], bs, tmp),
        "kafka-console-consumer (Kafka 4.4, -Xmx512M)": phase("kafka", ["bash", TOOL, "kafka-console-consumer"], bs, tmp),
    }
finally:
    broker.terminate()
    broker.wait()
    shutil.rmtree(tmp, ignore_errors=True)

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
report = {
    "bench": "console-consumer",
    "machine": f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB, load average {LOAD} at start",
    "commit": commit,
    "command": f"e2e/bench/console.sh {SECONDS} {RATE}",
    "load": f"{RECORDS} records of {SIZE} bytes at {RATE}/s (kaskade perf produce, acks=all) to a 1-partition topic "
            f"of a kaskade broker (defaults); one consumer at a time, stdout counted",
    "results": results,
}
with open(OUT, "w") as f:
    json.dump(report, f, indent=1)
    f.write("\n")
print(json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "samples"} for k, v in results.items()}, indent=1))
log(f"wrote {OUT}")
PY
