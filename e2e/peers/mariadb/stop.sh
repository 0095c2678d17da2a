#!/usr/bin/env bash
# Stop a MariaDB server started by start.sh: SIGTERM (a normal shutdown: open connections are
# closed), then SIGKILL after STOP_TIMEOUT (30) s. The data stays in D, so start.sh --restart
# --dir D brings it back.
#   stop.sh D
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
[[ $# -eq 1 ]] || die "usage: $0 DIR"
stop_pid_dir "$1"
