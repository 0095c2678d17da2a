#!/usr/bin/env bash
# A/B of two kaskade broker binaries in one run, alternating, with the same load generator:
# for each round and each binary, a fresh broker and one-partition topic, `perf produce` of N
# records of 1 KiB (acks=1), then `perf consume` of them three times.
#   e2e/bench/ab.sh OLD_KASKADE NEW_KASKADE [ROUNDS (2)] [RECORDS (500000)]
# (build the old one from a worktree of an older commit; the load generator is NEW_KASKADE).
set -euo pipefail
source "$(dirname "$0")/../peers/lib.sh"
old=$1 new=$2 rounds=${3:-2} n=${4:-500000}
gen=$new
run_one() { # binary label
  local bin=$1 label=$2 dir port pid produce consume=""
  dir=$(mktemp -d)
  port=$(free_port)
  "$bin" broker --override "listeners=PLAINTEXT://127.0.0.1:$port" --override "log.dirs=$dir/data" >"$dir/log" 2>&1 &
  pid=$!
  wait_port "$port" "$pid" 30 || die "$label broker did not start: $(cat "$dir/log")"
  "$gen" topics --create --topic t --partitions 1 --bootstrap-server "127.0.0.1:$port" >/dev/null
  produce=$("$gen" perf produce --bootstrap-server "127.0.0.1:$port" --topic t --num-records "$n" --record-size 1024 \
    --acks 1 --throughput -1 2>&1 | tail -1 | sed 's/ avg latency.*/ avg latency/')
  for _ in 1 2 3; do
    consume="$consume $("$gen" perf consume --bootstrap-server "127.0.0.1:$port" --topic t --messages "$n" --timeout 30000 \
      2>/dev/null | tail -1 | cut -d, -f4 | xargs printf '%.0f')"
  done
  echo "| $label | $produce | $consume |"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
echo "| broker | produce (acks=1) | consume, MiB/s ×3 |"
echo "|---|---|---|"
for _ in $(seq "$rounds"); do
  run_one "$old" old
  run_one "$new" new
done
