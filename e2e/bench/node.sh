#!/usr/bin/env bash
# The node tier's figures (issue 23): builds the release binaries the images hold, runs
# `cargo test -p kaskade-e2e --test node` RUNS times (default 3; each starts the one-node cluster,
# installs the chart, runs every scenario and restores the machine) and writes
# e2e/bench/results/node-<date>.json: the machine, the commit, every run's figures (the
# `node tier: NAME: VALUE UNIT` lines the scenarios print) and the median of each. Needs root.
#
#   e2e/bench/node.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}

cargo build --release -p kaskade-operator -p kaskade
cargo test -p kaskade-e2e --test node --no-run

lines=$(mktemp)
log=$(mktemp)
trap 'rm -f "$lines" "$log"' EXIT
load=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$runs"); do
  echo "node tier benchmark: run $i of $runs" >&2
  if ! KASKADE_E2E_REQUIRE=1 cargo test -q -p kaskade-e2e --test node -- --nocapture >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "node tier benchmark: run $i failed" >&2
    exit 1
  fi
  sed -n "s/^node tier: \(.*\): \([0-9.]*\) \(s\|MiB\)$/$i\t\1\t\2\t\3/p" "$log" >>"$lines"
done

out=e2e/bench/results/node-$(date -u +%Y-%m-%d-%H%M).json
python3 - "$lines" "$out" "$load" "$runs" <<'PY'
import json, os, platform, statistics, subprocess, sys

lines, out, load, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
figures = {}
for line in open(lines):
    run, name, value, unit = line.rstrip("\n").split("\t")
    figures.setdefault(name, {"unit": unit, "runs": []})["runs"].append(float(value))
for f in figures.values():
    f["median"] = round(statistics.median(f["runs"]), 2)
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
doc = {
    "bench": "node",
    "commit": commit,
    "machine": {"cpus": os.cpu_count(), "kernel": platform.release(), "loadavg_before": load},
    "runs": runs,
    "figures": figures,
}
json.dump(doc, open(out, "w"), indent=2, ensure_ascii=False)
width = max(len(n) for n in figures) if figures else 0
for name, f in figures.items():
    print(f"{name:<{width}}  {f['median']:>8} {f['unit']}   runs: {f['runs']}")
print(f"wrote {out}")
PY
