#!/usr/bin/env bash
# Start a MariaDB server of our own on loopback (never Debian's system service).
#   start.sh [--port P] [--dir D]
#   start.sh --restart --dir D      (start again a server stopped or killed: same port, same data)
# D defaults to a new temp dir; D/data is initialised with mariadb-install-db; the socket, pid
# file and error log live in D. A user kaskade/kaskade with every privilege (PROCESS included,
# for information_schema.innodb_trx) is reachable over TCP from 127.0.0.1. The binlog is on in
# ROW format (Debezium's MySQL connector reads it); LOAD DATA LOCAL INFILE is allowed.
# Prints URL=mysql://kaskade:kaskade@127.0.0.1:P, PORT=, PID=, DIR= on stdout; writes D/pid, D/port.
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
  [[ -n $dir && -f $dir/port ]] || die "--restart needs --dir D of an earlier start"
  port=$(<"$dir/port")
fi
port=${port:-$(free_port)}
if [[ -z $dir ]]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kaskade-mariadb.XXXXXX")
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ -f $dir/pid ]] && kill -0 "$(<"$dir/pid")" 2>/dev/null; then
  die "a server is already running from $dir (pid $(<"$dir/pid")); stop.sh it first"
fi
user_args=()
((EUID != 0)) || user_args=(--user=root)
if [[ -z $restart ]]; then
  rm -rf "$dir/data"
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
wait_port "$port" "$pid" 60 || { tail -20 "$dir/error.log" >&2 || true; die "MariaDB did not start (see $dir/error.log)"; }
if [[ -z $restart ]]; then
  mariadb --defaults-file="$dir/my.cnf" --socket="$dir/mysqld.sock" -uroot <<SQL
CREATE USER 'kaskade'@'127.0.0.1' IDENTIFIED BY 'kaskade';
CREATE USER 'kaskade'@'localhost' IDENTIFIED BY 'kaskade';
GRANT ALL PRIVILEGES ON *.* TO 'kaskade'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'kaskade'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
fi
echo "URL=mysql://kaskade:kaskade@127.0.0.1:$port"
echo "PORT=$port"
echo "PID=$pid"
echo "DIR=$dir"
