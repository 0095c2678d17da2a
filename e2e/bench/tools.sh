#!/usr/bin/env bash
# Start-up of the command-line tools (issue 12): wall time and peak RSS of
# `kaskade topics --list` beside Apache Kafka's `kafka-topics --list` (a JVM start, Kafka's
# default tool heap -Xmx512M), RUNS times each, alternating, against the same running broker —
# a `kaskade broker` and an Apache Kafka 4.4 broker, each holding 20 topics. Release build.
# Writes e2e/bench/results/tools-<date>.json: the machine, the commit, every sample, medians.
#
#   e2e/bench/tools.sh [RUNS]     (default 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
export KASKADE_CACHE=${KASKADE_CACHE:-$HOME/.cache/kaskade}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$KASKADE_CACHE/target}

cargo build --release -p kaskade
kaskade=$CARGO_TARGET_DIR/release/kaskade
tool=e2e/peers/kafka/tool.sh
work=$(mktemp -d)
kafka_dir=$work/kafka
cleanup() {
  [[ -z ${kaskade_pid:-} ]] || kill "$kaskade_pid" 2>/dev/null || true
  [[ ! -f $kafka_dir/pid ]] || bash e2e/peers/kafka/stop.sh "$kafka_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$kaskade" broker --override "listeners=PLAINTEXT://127.0.0.1:$port" --override "log.dirs=$work/kaskade-data" \
  >"$work/kaskade.log" 2>&1 &
kaskade_pid=$!
bash e2e/peers/kafka/start.sh --dir "$kafka_dir" >"$work/kafka-start.out"
kafka_bs=$(sed -n 's/^BOOTSTRAP=//p' "$work/kafka-start.out")
kaskade_bs=127.0.0.1:$port
for _ in $(seq 50); do "$kaskade" probe --bootstrap-server "$kaskade_bs" >/dev/null 2>&1 && break; sleep 0.1; done

for bs in "$kaskade_bs" "$kafka_bs"; do
  for i in $(seq -w 1 20); do
    "$kaskade" topics --bootstrap-server "$bs" --create --topic "bench-topic-$i" --partitions 3 >/dev/null
  done
done

# One sample: "<tool> <broker> <wall seconds> <max RSS KiB> <lines listed>". The wall time is
# taken around the process (nanosecond clock; GNU time's %e has only 10 ms resolution).
sample() {
  local name=$1 broker=$2 bs=$3 out t0 t1
  shift 3
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/time" "$@" --bootstrap-server "$bs" --list >"$work/list" 2>/dev/null
  t1=$(date +%s%N)
  out=$(grep -c '^bench-topic-' "$work/list" || true)
  echo "$name $broker $(((t1 - t0) / 1000))e-6 $(tail -1 "$work/time") $out"
}
samples=$work/samples
# A warm-up of each (page cache, JIT-free first class loads), not recorded.
sample kaskade kaskade "$kaskade_bs" "$kaskade" topics >/dev/null
sample kafka-topics kaskade "$kaskade_bs" bash "$tool" kafka-topics >/dev/null
for i in $(seq "$runs"); do
  echo "tools benchmark: round $i of $runs" >&2
  for broker in kaskade kafka; do
    bs=$kaskade_bs
    [[ $broker == kafka ]] && bs=$kafka_bs
    sample kaskade "$broker" "$bs" "$kaskade" topics >>"$samples"
    sample kafka-topics "$broker" "$bs" bash "$tool" kafka-topics >>"$samples"
  done
done

out=e2e/bench/results/tools-$(date -u +%Y-%m-%d-%H%M).json
python3 - "$samples" "$out" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, os, platform, statistics, subprocess, sys
samples, out, load = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [l.split() for l in open(samples) if l.strip()]
runs = [{"tool": t, "broker": b, "wall_s": float(w), "max_rss_kib": int(r), "topics_listed": int(n)} for t, b, w, r, n in rows]
median = {}
for t in sorted({r["tool"] for r in runs}):
    for b in sorted({r["broker"] for r in runs}):
        rs = [r for r in runs if r["tool"] == t and r["broker"] == b]
        median[f"{t} against {b}"] = {
            "wall_ms": round(1000 * statistics.median(r["wall_s"] for r in rs), 1),
            "max_rss_mib": round(statistics.median(r["max_rss_kib"] for r in rs) / 1024, 1),
            "topics_listed": min(r["topics_listed"] for r in rs),
        }
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
report = {
    "machine": f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB, load average {load} at start",
    "commit": commit,
    "command": "e2e/bench/tools.sh",
    "peers": "Apache Kafka 4.4.0 kafka-topics (org.apache.kafka.tools.TopicCommand), java -Xmx512M as Kafka's bin/ scripts run tools",
    "runs": runs,
    "median": median,
}
with open(out, "w") as f:
    json.dump(report, f, indent=1)
    f.write("\n")
print(json.dumps(median, indent=1))
print(f"wrote {out}", file=sys.stderr)
PY
