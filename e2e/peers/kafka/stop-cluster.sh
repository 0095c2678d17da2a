#!/usr/bin/env bash
# Stop a Kafka cluster started by start-cluster.sh: stop-cluster.sh DIR (each node: SIGTERM,
# wait up to STOP_TIMEOUT=30 s, SIGKILL; all nodes at once).
set -euo pipefail
source "$(dirname "$0")/env.sh"
[[ $# -eq 1 ]] || die "usage: $0 DIR"
for n in "$1"/node-*; do
  [[ -d $n ]] && stop_pid_dir "$n" &
done
wait
