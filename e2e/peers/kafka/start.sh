#!/usr/bin/env bash
# Start a single-node Apache Kafka (KRaft, combined broker+controller) on loopback.
#   start.sh [--port P] [--controller-port C] [--dir D] [--override k=v ...]
#   start.sh --restart --dir D      (start again a peer stopped or killed: same ports, same data)
# Free ports are picked unless given; D defaults to a new temp dir; D/data is made afresh.
# Overrides are appended to D/server.properties (so the storage format sees them too).
# Prints BOOTSTRAP=127.0.0.1:P, PID=..., DIR=... on stdout; writes D/pid and D/bootstrap.
# Environment: KAFKA_HEAP_OPTS (default Kafka's -Xmx1G -Xms1G), KAFKA_START_TIMEOUT (60 s),
# KAFKA_READY_CHECK=tool also waits for kafka-topics --list to succeed.
set -euo pipefail
source "$(dirname "$0")/env.sh"

port="" cport="" dir="" overrides=() restart=
while (($#)); do
  case $1 in
    --port) port=$2; shift 2 ;;
    --controller-port) cport=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --override) overrides+=("$2"); shift 2 ;;
    --restart) restart=1; shift ;;
    *) die "unknown argument: $1 (see the header of $0)" ;;
  esac
done

libs=$("$KAFKA_PEER_DIR/fetch.sh")
if [[ -n $restart ]]; then
  [[ -n $dir && -f $dir/server.properties ]] || die "--restart needs --dir D of an earlier start"
  port=$(sed -n 's|^listeners=PLAINTEXT://127.0.0.1:\([0-9]*\),.*|\1|p' "$dir/server.properties")
  cport=$(sed -n 's|^controller.quorum.bootstrap.servers=127.0.0.1:\([0-9]*\)$|\1|p' "$dir/server.properties")
fi
port=${port:-$(free_port)}
cport=${cport:-$(free_port)}
[[ $port != "$cport" ]] || cport=$(free_port)
if [[ -z $dir ]]; then
  mkdir -p "${TMPDIR:-/tmp}"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kaskade-kafka.XXXXXX")
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ -f $dir/pid ]] && kill -0 "$(<"$dir/pid")" 2>/dev/null; then
  die "a peer is already running from $dir (pid $(<"$dir/pid")); stop.sh it first"
fi
log4j=(-Dlog4j2.configurationFile="$KAFKA_PEER_DIR/log4j2.properties")
if [[ -n $restart ]]; then
  # Keep data and configuration; the ready check below reads a fresh server.log.
  [[ ! -f $dir/server.log ]] || mv -f "$dir/server.log" "$dir/server.log.previous"
  rm -f "$dir/pid" "$dir/bootstrap"
  t0=$SECONDS
else # a fresh start: new configuration, empty data dir, formatted storage
rm -rf "$dir/data" "$dir/server.log" "$dir/pid" "$dir/bootstrap"
mkdir -p "$dir/data"

# Kafka's config/server.properties for a combined node, on loopback; all else Kafka's defaults.
{
  cat <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
PROPS
  for kv in "${overrides[@]}"; do echo "$kv"; done
} >"$dir/server.properties"

t0=$SECONDS
# A Kafka cluster id is 16 random bytes in URL-safe base64 without padding, not starting
# with '-' (what `kafka-storage random-uuid` prints); made here to save a JVM start.
cluster_id=$(python3 -c 'import base64,os
while True:
    s = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
    if not s.startswith("-"): print(s); break')
java -Xmx512M "${log4j[@]}" -cp "$libs/*" kafka.tools.StorageTool \
  format --standalone -t "$cluster_id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 ||
  { cat "$dir/format.log" >&2; die "kafka-storage format failed"; }
fi # fresh start

# Kafka's kafka-server-start.sh / kafka-run-class.sh JVM defaults.
read -ra heap <<<"${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
jvm=(-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true)
java "${heap[@]}" "${jvm[@]}" "${log4j[@]}" -Dkafka.logs.dir="$dir" \
  -Dkaskade.log.level=INFO -Dkaskade.file.level=INFO \
  -cp "$libs/*" kafka.Kafka "$dir/server.properties" \
  </dev/null >"$dir/stdout.log" 2>"$dir/stderr.log" &
pid=$!
echo "$pid" >"$dir/pid"

# Ready = the client port answers and the server logged that it finished starting (the
# broker is unfenced then: topics can be created at once).
deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-60}))
ready() { port_open "$port" && grep -q 'Kafka Server started' "$dir/server.log" 2>/dev/null; }
until ready; do
  if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
    tail -n 30 "$dir/stderr.log" "$dir/server.log" >&2 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
    die "Kafka did not start on 127.0.0.1:$port (see $dir)"
  fi
  sleep 0.2
done
if [[ ${KAFKA_READY_CHECK:-} == tool ]]; then
  "$KAFKA_PEER_DIR/tool.sh" kafka-topics --bootstrap-server "127.0.0.1:$port" --list >/dev/null
fi
echo "127.0.0.1:$port" >"$dir/bootstrap"
log "Kafka $KAFKA_VERSION ready on 127.0.0.1:$port in $((SECONDS - t0)) s (pid $pid, dir $dir)"
echo "BOOTSTRAP=127.0.0.1:$port"
echo "PID=$pid"
echo "DIR=$dir"
