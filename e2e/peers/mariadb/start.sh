#!/usr/bin/env bash
# Start a MariaDB server of our own on loopback (never Debian's system service, never port 3306).
#   start.sh [--port P] [--dir D]
#   start.sh --restart --dir D      (start again a server stopped or killed: same port, same data)
# A free port unless given; D defaults to a new temp dir; D/data is made afresh with
# mariadb-install-db. Configuration in D/my.cnf; the socket, pid file and error log live in D.
# A user kaskade/kaskade with every privilege (PROCESS included, for information_schema.innodb_trx;
# CREATE/DROP DATABASE) is reachable over TCP from 127.0.0.1. The binlog is on in ROW format with
# full row images (Debezium's MySQL connector reads it); LOAD DATA LOCAL INFILE is allowed.
# Ready = kaskade logs in over TCP and runs SELECT 1. As root the server runs with --user=root.
# Prints URL=mysql://kaskade:kaskade@127.0.0.1:P, PORT=, PID=, DIR= on stdout; writes D/pid, D/port.
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
command -v mariadbd >/dev/null || die "mariadbd is not installed (e2e/peers/install.sh installs mariadb-server)"
if [[ -n $restart ]]; then
  [[ -n $dir && -f $dir/port && -f $dir/my.cnf ]] || die "--restart needs --dir D of an earlier start"
  port=$(<"$dir/port")
fi
port=${port:-$(free_port)}
if [[ -z $dir ]]; then
  mkdir -p "${TMPDIR:-/tmp}"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kaskade-mariadb.XXXXXX")
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ -f $dir/pid ]] && pid_alive "$(<"$dir/pid")"; then
  die "a server is already running from $dir (pid $(<"$dir/pid")); stop.sh it first"
fi
((${#dir} < 90)) || die "$dir is too long for a unix socket path (D/mysqld.sock); use a shorter TMPDIR"
user_args=()
((EUID != 0)) || user_args=(--user=root)
t0=$SECONDS
if [[ -z $restart ]]; then
  rm -rf "$dir/data" "$dir/error.log" "$dir/pid"
  # Tests and benchmarks: durable commits (innodb_flush_log_at_trx_commit=1, the default), room
  # for many connections, a buffer pool and redo log big enough for bulk loads.
  cat >"$dir/my.cnf" <<CNF
[mariadbd]
datadir=$dir/data
socket=$dir/mysqld.sock
pid-file=$dir/mysqld.pid
log-error=$dir/error.log
bind-address=127.0.0.1
port=$port
skip-name-resolve
max_connections=500
local_infile=1
server_id=1
log_bin=$dir/data/binlog
binlog_format=ROW
binlog_row_image=FULL
innodb_buffer_pool_size=256M
innodb_log_file_size=256M
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
[client]
local_infile=1
CNF
  mariadb-install-db --defaults-file="$dir/my.cnf" "${user_args[@]}" --auth-root-authentication-method=normal \
    --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; die "mariadb-install-db failed"; }
fi
echo "$port" >"$dir/port"
setsid mariadbd --defaults-file="$dir/my.cnf" "${user_args[@]}" </dev/null >>"$dir/stdout.log" 2>&1 &
pid=$!
echo "$pid" >"$dir/pid"
fail() {
  tail -n 20 "$dir/error.log" >&2 2>/dev/null || true
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
  die "$1 (see $dir/error.log)"
}
timeout=${DB_START_TIMEOUT:-60}
wait_port "$port" "$pid" "$timeout" || fail "MariaDB did not start on 127.0.0.1:$port"
if [[ -z $restart ]]; then
  mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot >"$dir/users.log" 2>&1 <<SQL || fail "creating the user kaskade failed: $(<"$dir/users.log")"
CREATE USER 'kaskade'@'127.0.0.1' IDENTIFIED BY 'kaskade';
CREATE USER 'kaskade'@'localhost' IDENTIFIED BY 'kaskade';
GRANT ALL PRIVILEGES ON *.* TO 'kaskade'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'kaskade'@'localhost' WITH GRANT OPTION;
SQL
fi
deadline=$((SECONDS + timeout))
until mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$port" -ukaskade -pkaskade -e 'SELECT 1' >/dev/null 2>&1; do
  pid_alive "$pid" && ((SECONDS < deadline)) || fail "MariaDB on 127.0.0.1:$port does not accept kaskade's login"
  sleep 0.2
done
log "MariaDB $(mariadbd --version | sed -n 's/.*Ver \([^ ]*\).*/\1/p') ready on 127.0.0.1:$port in $((SECONDS - t0)) s (pid $pid, dir $dir)"
echo "URL=mysql://kaskade:kaskade@127.0.0.1:$port"
echo "PORT=$port"
echo "PID=$pid"
echo "DIR=$dir"
