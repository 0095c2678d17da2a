#!/usr/bin/env bash
# The operator benchmark of issue 11: builds the release binaries, runs the #[ignore]d test
# e2e/k8s/tests/operator/bench.rs RUNS times (default 3; each starts its own etcd +
# kube-apiserver, broker and operator) and writes e2e/bench/results/operator-<date>.json: the
# machine, the commit, every run's JSON line and the median of each figure.
#
#   e2e/bench/operator.sh [RUNS] [topics|connectors]
#
# `connectors` runs e2e/k8s/tests/operator/bench_connectors.rs instead (100 Connectors against one
# `kaskade connect` worker) and writes operator-connectors-<date>.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
case ${2:-topics} in
  topics) filter=bench::; name=operator ;;
  connectors) filter=bench_connectors::; name=operator-connectors ;;
  *) echo "usage: $0 [RUNS] [topics|connectors]" >&2; exit 2 ;;
esac

cargo build --release -p kaskade-operator -p kaskade
cargo test --release -p kaskade-e2e --test operator --no-run

lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
load=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$runs"); do
  echo "operator benchmark: run $i of $runs" >&2
  KASKADE_E2E_REQUIRE=1 cargo test --release -q -p kaskade-e2e --test operator -- "$filter" --include-ignored --nocapture --test-threads 1 \
    | grep "\"bench\":\"$name\"" >>"$lines"
done

out=e2e/bench/results/$name-$(date -u +%Y-%m-%d-%H%M).json
python3 - "$lines" "$out" "$load" "$runs" "${2:-topics}" <<'PY'
import json, os, platform, statistics, subprocess, sys

lines, out, load = sys.argv[1], sys.argv[2], sys.argv[3]
runs = [json.loads(l) for l in open(lines) if l.strip()]

def flat(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from flat(v, f"{prefix}{k}.")
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            yield f"{prefix}{k}", v

flats = [dict(flat(r)) for r in runs]
keys = sorted({k for f in flats for k in f})
median = {k: statistics.median(f[k] for f in flats if k in f) for k in keys}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
report = {
    "machine": f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB, load average {load} at start",
    "commit": commit,
    "command": "e2e/bench/operator.sh " + " ".join(sys.argv[4:]),
    "runs": runs,
    "median": median,
}
with open(out, "w") as f:
    json.dump(report, f, indent=1)
    f.write("\n")
print(json.dumps(median, indent=1))
print(f"wrote {out}", file=sys.stderr)
PY
