#!/usr/bin/env bash
# Start Tansu (in-memory storage) on loopback:  start.sh [--port P] [--dir D] [-- extra tansu broker args]
# A free port is picked unless given; D defaults to a new temp dir. Writes D/pid, D/bootstrap,
# logs to D/tansu.log; prints BOOTSTRAP=127.0.0.1:P, PID=..., DIR=... on stdout.
# Environment: TANSU_START_TIMEOUT (30 s), RUST_LOG passes through to Tansu.
set -euo pipefail
source "$(dirname "$0")/env.sh"

port="" dir="" extra=()
while (($#)); do
  case $1 in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown argument: $1 (see the header of $0)" ;;
  esac
done

bin=$("$TANSU_PEER_DIR/install.sh")
port=${port:-$(free_port)}
if [[ -z $dir ]]; then
  mkdir -p "${TMPDIR:-/tmp}"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kaskade-tansu.XXXXXX")
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ -f $dir/pid ]] && kill -0 "$(<"$dir/pid")" 2>/dev/null; then
  die "a peer is already running from $dir (pid $(<"$dir/pid")); stop.sh it first"
fi
rm -f "$dir/pid" "$dir/bootstrap"

t0=$SECONDS
url="tcp://127.0.0.1:$port"
# Tansu also reads LISTENER_URL, STORAGE_ENGINE, CLUSTER_ID... from the environment: flags win.
"$bin" broker --listener-url "$url" --advertised-listener-url "$url" \
  --storage-engine memory://tansu/ "${extra[@]}" </dev/null >"$dir/tansu.log" 2>&1 &
pid=$!
echo "$pid" >"$dir/pid"
if ! wait_port "$port" "$pid" "${TANSU_START_TIMEOUT:-30}"; then
  tail -n 30 "$dir/tansu.log" >&2 || true
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
  die "Tansu did not start on 127.0.0.1:$port (see $dir)"
fi
echo "127.0.0.1:$port" >"$dir/bootstrap"
log "Tansu ready on 127.0.0.1:$port in $((SECONDS - t0)) s (pid $pid, dir $dir)"
echo "BOOTSTRAP=127.0.0.1:$port"
echo "PID=$pid"
echo "DIR=$dir"
