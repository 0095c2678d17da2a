#!/usr/bin/env bash
# Stop a Connect worker started by start.sh: stop.sh DIR (SIGTERM, wait up to STOP_TIMEOUT=30 s,
# then SIGKILL).
set -euo pipefail
source "$(dirname "$0")/env.sh"
[[ $# -eq 1 ]] || die "usage: $0 DIR"
stop_pid_dir "$1"
