#!/usr/bin/env bash
# Stop a PostgreSQL server started by start.sh: SIGINT, PostgreSQL's "fast" shutdown (open
# sessions are ended and the server shuts down cleanly; SIGTERM's "smart" shutdown would wait for
# every client to disconnect), then SIGKILL after STOP_TIMEOUT (30) s. The data stays in D, so
# start.sh --restart --dir D brings it back.
#   stop.sh D
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
[[ $# -eq 1 ]] || die "usage: $0 DIR"
stop_pid_dir "$1" INT
