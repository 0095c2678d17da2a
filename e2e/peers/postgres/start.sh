#!/usr/bin/env bash
# Start a PostgreSQL server of our own on loopback (never Debian's system service).
#   start.sh [--port P] [--dir D]
#   start.sh --restart --dir D      (start again a server stopped or killed: same port, same data)
# D defaults to a new temp dir; D/data is made with initdb; the socket and log live in D. The
# server runs as the postgres system user when started as root (PostgreSQL refuses root). A
# superuser kaskade/kaskade is reachable over TCP from 127.0.0.1.
# Prints URL=postgres://kaskade:kaskade@127.0.0.1:P, PORT=, PID=, DIR= on stdout; writes D/pid, D/port.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

port="" dir="" restart=
while (($#)); do
  case $1 in
    --port) port=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --restart) restart=1; shift ;;
    *) die "unknown argument: $1 (see the header of $0)" ;;
  esac
done
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x $bin/postgres ]] || die "PostgreSQL is not installed (e2e/peers/install.sh installs postgresql)"
if [[ -n $restart ]]; then
  [[ -n $dir && -f $dir/port ]] || die "--restart needs --dir D of an earlier start"
  port=$(<"$dir/port")
fi
port=${port:-$(free_port)}
if [[ -z $dir ]]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kaskade-postgres.XXXXXX")
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ -f $dir/pid ]] && kill -0 "$(<"$dir/pid")" 2>/dev/null; then
  die "a server is already running from $dir (pid $(<"$dir/pid")); stop.sh it first"
fi
as=()
if ((EUID == 0)); then
  as=(setpriv --reuid=postgres --regid=postgres --init-groups)
  chown postgres:postgres "$dir"
  chmod 755 "$dir"
fi
if [[ -z $restart ]]; then
  rm -rf "$dir/data"
  echo kaskade >"$dir/pwfile"
  [[ ${#as[@]} -eq 0 ]] || chown postgres:postgres "$dir/pwfile"
  "${as[@]}" "$bin/initdb" -D "$dir/data" -U kaskade --pwfile="$dir/pwfile" -A scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = on
shared_buffers = 256MB
CONF
fi
echo "$port" >"$dir/port"
# exec in the child so its pid is the server's (setpriv execs postgres).
setsid "${as[@]}" "$bin/postgres" -D "$dir/data" </dev/null >>"$dir/postgres.log" 2>&1 &
pid=$!
echo "$pid" >"$dir/pid"
wait_port "$port" "$pid" 60 || { tail -20 "$dir/postgres.log" >&2 || true; die "PostgreSQL did not start (see $dir/postgres.log)"; }
echo "URL=postgres://kaskade:kaskade@127.0.0.1:$port"
echo "PORT=$port"
echo "PID=$pid"
echo "DIR=$dir"
