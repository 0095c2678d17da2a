#!/usr/bin/env bash
# Start a PostgreSQL server of our own on loopback (never Debian's system service, never port 5432).
#   start.sh [--port P] [--dir D]
#   start.sh --restart --dir D      (start again a server stopped or killed: same port, same data)
# A free port unless given; D defaults to a new temp dir; D/data is made afresh with initdb (the
# newest /usr/lib/postgresql/*/bin); the unix socket (unix_socket_directories = D) and the log live
# in D. As root, D is given to the postgres system user and initdb and the server run as it
# (PostgreSQL refuses root). The bootstrap superuser is kaskade/kaskade (SUPERUSER: every database,
# pg_stat_activity in full), scram-sha-256 over TCP from 127.0.0.1.
# Ready = pg_isready says the server accepts connections (not merely that the port answers: after
# a crash the server answers "the database system is starting up" while it recovers).
# Prints URL=postgres://kaskade:kaskade@127.0.0.1:P, PORT=, PID=, DIR= on stdout; writes D/pid, D/port.
# Environment: DB_START_TIMEOUT (60 s).
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
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x $bin/postgres ]] || die "PostgreSQL is not installed (e2e/peers/install.sh installs postgresql)"
if [[ -n $restart ]]; then
  [[ -n $dir && -f $dir/port && -f $dir/data/PG_VERSION ]] || die "--restart needs --dir D of an earlier start"
  port=$(<"$dir/port")
fi
port=${port:-$(free_port)}
if [[ -z $dir ]]; then
  mkdir -p "${TMPDIR:-/tmp}"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kaskade-postgres.XXXXXX")
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ -f $dir/pid ]] && pid_alive "$(<"$dir/pid")"; then
  die "a server is already running from $dir (pid $(<"$dir/pid")); stop.sh it first"
fi
((${#dir} < 90)) || die "$dir is too long for a unix socket path (D/.s.PGSQL.P); use a shorter TMPDIR"
as=()
if ((EUID == 0)); then
  id postgres >/dev/null 2>&1 || die "no postgres system user (the postgresql package makes it)"
  as=(setpriv --reuid=postgres --regid=postgres --init-groups)
  chown postgres:postgres "$dir"
  chmod 755 "$dir"
fi
t0=$SECONDS
if [[ -z $restart ]]; then
  rm -rf "$dir/data" "$dir/postgres.log" "$dir/pid"
  echo kaskade >"$dir/pwfile"
  ((${#as[@]} == 0)) || chown postgres:postgres "$dir/pwfile"
  "${as[@]}" "$bin/initdb" -D "$dir/data" -U kaskade --pwfile="$dir/pwfile" -A scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # Tests and benchmarks: durable commits (fsync on), room for many connections.
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
if [[ -n $restart ]]; then
  # After a kill the old server's processes may linger a moment (its backends exit when they see
  # the postmaster gone) and the postmaster may be an unreaped zombie, which PostgreSQL's own
  # checks of its lock files (kill -0) take for a running server: wait until no live process
  # works in D/data, then drop the lock files (data dir, socket) whose postmaster is dead.
  deadline=$((SECONDS + 15))
  while users=$(for p in /proc/[0-9]*; do
    [[ $(readlink "$p/cwd" 2>/dev/null) == "$dir/data" ]] && pid_alive "${p#/proc/}" && echo "${p#/proc/}"
  done) && [[ -n $users ]]; do
    ((SECONDS < deadline)) || die "processes still use $dir/data: $(echo $users)"
    sleep 0.2
  done
  for lock in "$dir/data/postmaster.pid" "$dir/.s.PGSQL.$port.lock"; do
    [[ ! -f $lock ]] || pid_alive "$(head -n 1 "$lock")" || rm -f "$lock"
  done
fi
# setsid and setpriv exec, so $! is the postmaster's pid.
setsid "${as[@]}" "$bin/postgres" -D "$dir/data" </dev/null >>"$dir/postgres.log" 2>&1 &
pid=$!
echo "$pid" >"$dir/pid"
deadline=$((SECONDS + ${DB_START_TIMEOUT:-60}))
until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U kaskade -t 2; do
  if ! pid_alive "$pid" || ((SECONDS >= deadline)); then
    tail -n 20 "$dir/postgres.log" >&2 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
    die "PostgreSQL did not start on 127.0.0.1:$port (see $dir/postgres.log)"
  fi
  sleep 0.2
done
log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$port in $((SECONDS - t0)) s (pid $pid, dir $dir)"
echo "URL=postgres://kaskade:kaskade@127.0.0.1:$port"
echo "PORT=$port"
echo "PID=$pid"
echo "DIR=$dir"
