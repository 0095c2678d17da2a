#!/usr/bin/env bash
# Start an Apache Kafka cluster of N combined broker+controller nodes (KRaft, static quorum:
# controller.quorum.voters names all N) on loopback, the peer of Kaskade's replicated cluster.
#   start-cluster.sh [--nodes N] [--dir D] [--override k=v ...]
#   start-cluster.sh --restart-node I --dir D   (node I again, killed or stopped: same config and data)
# Node i (1..N) lives in D/node-i (its server.properties, data, logs and pid). Internal topics
# are replicated min(N, 3) times, as Kafka's defaults ask. Overrides go to every node.
# Prints BOOTSTRAP=host:port,..., DIR=D and PIDS=...; writes D/bootstrap.
# Environment: KAFKA_HEAP_OPTS (default -Xmx512M -Xms512M per node), KAFKA_START_TIMEOUT (120 s).
# stop-cluster.sh D stops it.
set -euo pipefail
source "$(dirname "$0")/env.sh"

nodes=3 dir="" overrides=() restart=""
while (($#)); do
  case $1 in
    --nodes) nodes=$2; shift 2 ;;
    --restart-node) restart=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --override) overrides+=("$2"); shift 2 ;;
    *) die "unknown argument: $1 (see the header of $0)" ;;
  esac
done
((nodes >= 1)) || die "--nodes must be at least 1"
libs=$("$KAFKA_PEER_DIR/fetch.sh")
if [[ -z $dir ]]; then
  mkdir -p "${TMPDIR:-/tmp}"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kaskade-kafka-cluster.XXXXXX")
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rf=$((nodes < 3 ? nodes : 3))
min_isr=$((rf > 1 ? 2 : 1))

log4j=(-Dlog4j2.configurationFile="$KAFKA_PEER_DIR/log4j2.properties")
read -ra heap <<<"${KAFKA_HEAP_OPTS:--Xmx512M -Xms512M}"
jvm=(-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true)

# launch I: starts node I from D/node-I/server.properties.
launch() {
  local n=$dir/node-$1
  [[ ! -f $n/server.log ]] || mv -f "$n/server.log" "$n/server.log.previous"
  java "${heap[@]}" "${jvm[@]}" "${log4j[@]}" -Dkafka.logs.dir="$n" \
    -Dkaskade.log.level=INFO -Dkaskade.file.level=INFO \
    -cp "$libs/*" kafka.Kafka "$n/server.properties" \
    </dev/null >"$n/stdout.log" 2>"$n/stderr.log" &
  echo "$!" >"$n/pid"
}

# wait_ready I PORT: until node I serves clients and logged that it started.
wait_ready() {
  local n=$dir/node-$1 pid
  pid=$(<"$n/pid")
  until port_open "$2" && grep -q 'Kafka Server started' "$n/server.log" 2>/dev/null; do
    if ! pid_alive "$pid" || ((SECONDS >= deadline)); then
      tail -n 30 "$n/stderr.log" "$n/server.log" >&2 2>/dev/null || true
      [[ -n $restart ]] || for f in "$dir"/node-*/pid; do kill -KILL "$(<"$f")" 2>/dev/null || true; done
      kill -KILL "$pid" 2>/dev/null || true
      die "Kafka node $1 did not start (see $n)"
    fi
    sleep 0.2
  done
}

t0=$SECONDS
deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-120}))
if [[ -n $restart ]]; then
  n=$dir/node-$restart
  [[ -f $n/server.properties ]] || die "--restart-node needs --dir D of an earlier start"
  port=$(sed -n 's|^listeners=PLAINTEXT://127.0.0.1:\([0-9]*\),.*|\1|p' "$n/server.properties")
  launch "$restart"
  wait_ready "$restart" "$port"
  log "Kafka node $restart ready again on 127.0.0.1:$port in $((SECONDS - t0)) s"
  echo "PID=$(<"$n/pid")"
  exit 0
fi

ports=() cports=()
for ((i = 1; i <= nodes; i++)); do
  ports+=("$(free_port)")
  cports+=("$(free_port)")
done
voters=$(for ((i = 1; i <= nodes; i++)); do printf '%s%d@127.0.0.1:%s' "$([[ $i -gt 1 ]] && echo ,)" "$i" "${cports[i - 1]}"; done)
cluster_id=$(python3 -c 'import base64,os
while True:
    s = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
    if not s.startswith("-"): print(s); break')
pids=()
for ((i = 1; i <= nodes; i++)); do
  n=$dir/node-$i port=${ports[i - 1]} cport=${cports[i - 1]}
  rm -rf "$n" && mkdir -p "$n/data"
  {
    cat <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$n/data
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
PROPS
    for kv in "${overrides[@]}"; do echo "$kv"; done
  } >"$n/server.properties"
  java -Xmx256M "${log4j[@]}" -cp "$libs/*" kafka.tools.StorageTool \
    format -t "$cluster_id" -c "$n/server.properties" >"$n/format.log" 2>&1 ||
    { cat "$n/format.log" >&2; die "kafka-storage format of node $i failed"; }
  launch "$i"
  pids+=("$(<"$n/pid")")
done
for ((i = 1; i <= nodes; i++)); do
  wait_ready "$i" "${ports[i - 1]}"
done
bootstrap=$(for ((i = 1; i <= nodes; i++)); do printf '%s127.0.0.1:%s' "$([[ $i -gt 1 ]] && echo ,)" "${ports[i - 1]}"; done)
echo "$bootstrap" >"$dir/bootstrap"
log "Kafka $KAFKA_VERSION cluster of $nodes ready on $bootstrap in $((SECONDS - t0)) s (dir $dir)"
echo "BOOTSTRAP=$bootstrap"
echo "DIR=$dir"
echo "PIDS=${pids[*]}"
