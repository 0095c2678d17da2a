# Shared helpers for the peer scripts. Source it; it defines no side effects beyond variables.
# shellcheck shell=bash disable=SC2034  # variables used by the scripts that source this

KASKADE_CACHE="${KASKADE_CACHE:-$HOME/.cache/kaskade}"
PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# A loopback TCP port that nothing listens on right now (the kernel's pick).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# True when something accepts a TCP connection on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when process $1 runs: it exists and is not a zombie (a server killed after its starter
# exited is reparented to pid 1, which may reap it only seconds later; kill -0 still succeeds).
pid_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# wait_port PORT PID SECONDS: wait until the port answers; fail early if PID dies.
wait_port() {
  local port=$1 pid=$2 deadline=$((SECONDS + $3))
  until port_open "$port"; do
    pid_alive "$pid" || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# stop_pid_dir DIR [SIGNAL]: send SIGNAL (TERM) to the process in DIR/pid, wait up to
# STOP_TIMEOUT s, then SIGKILL.
stop_pid_dir() {
  local dir=$1 sig=${2:-TERM} pid i
  [[ -f $dir/pid ]] || { log "nothing to stop: no $dir/pid"; return 0; }
  pid=$(<"$dir/pid")
  if pid_alive "$pid"; then
    kill -"$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < ${STOP_TIMEOUT:-30} * 5; i++)); do
      pid_alive "$pid" || break
      sleep 0.2
    done
    if pid_alive "$pid"; then
      log "pid $pid did not stop after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/pid"
  log "stopped pid $pid ($dir)"
}

# maven_libs NAME POM HOME LIBS JAR...: copy POM's dependencies into LIBS once (mvn, ~/.m2
# reused), under a lock in HOME so concurrent callers wait; a marker holding POM's checksum says
# the copy is complete, and each JAR (a file name in LIBS) must be there.
maven_libs() {
  local name=$1 pom=$2 home=$3 libs=$4 sum out jar
  shift 4
  sum=$(sha256sum "$pom" | cut -d' ' -f1)
  [[ -f $libs/.complete && $(<"$libs/.complete") == "$sum" ]] && return 0
  mkdir -p "$home"
  exec 9>"$home/.lock"
  flock 9 # another fetch may be copying right now
  [[ -f $libs/.complete && $(<"$libs/.complete") == "$sum" ]] && { exec 9>&-; return 0; }
  log "fetching $name jars into $libs (mvn, ~/.m2 reused)"
  rm -rf "$libs"
  mkdir -p "$libs"
  out=$(mktemp)
  if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$libs" >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    die "mvn could not fetch $name's jars"
  fi
  rm -f "$out"
  for jar in "$@"; do
    [[ -f $libs/$jar ]] || die "mvn did not copy $jar into $libs"
  done
  echo "$sum" >"$libs/.complete"
  exec 9>&-
}
