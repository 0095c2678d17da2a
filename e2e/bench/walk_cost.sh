#!/usr/bin/env bash
# What the bounded walk (kaskade-wire) costs beside kafka-protocol's decode of the same request
# frames, measured in the same run, per API, on the committed corpus of real clients' requests.
#   e2e/bench/walk_cost.sh [ROUNDS (default 20000)]
# Writes e2e/bench/results/walk-cost-DATE.md and prints it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-${KASKADE_CACHE:-$HOME/.cache/kaskade}/target}
out="e2e/bench/results/walk-cost-$(date -u +%Y-%m-%d-%H%M).md"
{
  echo "Run $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores: \`cargo run --release -p kaskade-wire --example walk_cost -- fuzz/corpus/request_frame ${1:-20000}\`"
  echo
  cargo run --quiet --release -p kaskade-wire --example walk_cost -- fuzz/corpus/request_frame "${1:-20000}"
} | tee "$out"
