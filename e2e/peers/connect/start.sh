#!/usr/bin/env bash
# Start one Apache Kafka Connect worker in distributed mode on loopback, against a broker.
#   start.sh --bootstrap H:P [--port P] [--group G] [--dir D] [--override k=v ...]
#   start.sh --restart --dir D      (start again a worker stopped or killed: same port, same config)
# --bootstrap is required; the REST port is a free one unless given; the group defaults to
# connect-cluster (Kafka's); D defaults to a new temp dir. Writes D/connect-distributed.properties:
# Kafka's config/connect-distributed.properties (JsonConverter with schemas, the three storage
# topics with replication factor 1), REST on 127.0.0.1:P, overrides appended (the last wins).
# No plugin.path: the FileStream connectors (connect-file) are on the classpath.
# Prints URL=http://127.0.0.1:P, PID=..., DIR=... on stdout; writes D/pid and D/url.
# Ready = GET / answers 200 and GET /health answers 200, i.e. the worker joined its group and
# started its assignment (GET /connectors answers 200 [] already before the join, so it is no
# readiness signal; /health blocks until the join). Needs curl.
# Environment: KAFKA_HEAP_OPTS (default connect-distributed.sh's -Xms256M -Xmx2G),
# CONNECT_START_TIMEOUT (120 s).
set -euo pipefail
source "$(dirname "$0")/env.sh"

bootstrap="" port="" group="" dir="" overrides=() restart=
while (($#)); do
  case $1 in
    --bootstrap) bootstrap=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --group) group=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --override) overrides+=("$2"); shift 2 ;;
    --restart) restart=1; shift ;;
    *) die "unknown argument: $1 (see the header of $0)" ;;
  esac
done

libs=$("$CONNECT_PEER_DIR/fetch.sh")
if [[ -n $restart ]]; then
  [[ -n $dir && -f $dir/connect-distributed.properties ]] || die "--restart needs --dir D of an earlier start"
  port=$(sed -n 's|^listeners=http://127.0.0.1:\([0-9]*\)$|\1|p' "$dir/connect-distributed.properties" | tail -n 1)
  [[ -n $port ]] || die "no listeners=http://127.0.0.1:P in $dir/connect-distributed.properties"
else
  [[ -n $bootstrap ]] || die "--bootstrap H:P is required (see the header of $0)"
fi
port=${port:-$(free_port)}
group=${group:-connect-cluster}
if [[ -z $dir ]]; then
  mkdir -p "${TMPDIR:-/tmp}"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kaskade-connect.XXXXXX")
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [[ -f $dir/pid ]] && kill -0 "$(<"$dir/pid")" 2>/dev/null; then
  die "a worker is already running from $dir (pid $(<"$dir/pid")); stop.sh it first"
fi
[[ ! -f $dir/connect.log ]] || mv -f "$dir/connect.log" "$dir/connect.log.previous"
rm -f "$dir/pid" "$dir/url"

if [[ -z $restart ]]; then
  # Kafka's config/connect-distributed.properties, on loopback; all else Connect's defaults.
  {
    cat <<PROPS
bootstrap.servers=$bootstrap
group.id=$group
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
offset.storage.topic=connect-offsets
offset.storage.replication.factor=1
config.storage.topic=connect-configs
config.storage.replication.factor=1
status.storage.topic=connect-status
status.storage.replication.factor=1
offset.flush.interval.ms=10000
listeners=http://127.0.0.1:$port
rest.advertised.host.name=127.0.0.1
rest.advertised.port=$port
PROPS
    for kv in "${overrides[@]}"; do echo "$kv"; done
  } >"$dir/connect-distributed.properties"
fi

t0=$SECONDS
# connect-distributed.sh's heap and kafka-run-class.sh's JVM defaults.
read -ra heap <<<"${KAFKA_HEAP_OPTS:--Xms256M -Xmx2G}"
jvm=(-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true)
java "${heap[@]}" "${jvm[@]}" -Dlog4j2.configurationFile="$CONNECT_PEER_DIR/log4j2.properties" \
  -Dkafka.logs.dir="$dir" -Dkaskade.log.level=INFO -Dkaskade.file.level=INFO \
  -cp "$libs/*" org.apache.kafka.connect.cli.ConnectDistributed "$dir/connect-distributed.properties" \
  </dev/null >"$dir/stdout.log" 2>"$dir/stderr.log" &
pid=$!
echo "$pid" >"$dir/pid"

url="http://127.0.0.1:$port"
# Before the REST resources are registered every path answers Jetty's HTML 404; then GET /
# answers 200 at once, while GET /health (KIP-1017) waits for the herder to join its group
# (~3 s on a fresh Kafka: group.initial.rebalance.delay.ms) before it answers 200 "healthy".
status() { curl -s -o /dev/null -w '%{http_code}' --max-time "$2" "$url$1" 2>/dev/null || true; }
ready() { [[ $(status / 5) == 200 && $(status /health 30) == 200 ]]; }
deadline=$((SECONDS + ${CONNECT_START_TIMEOUT:-120}))
until ready; do
  if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
    tail -n 30 "$dir/stderr.log" "$dir/connect.log" >&2 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
    die "Kafka Connect did not get ready on $url (see $dir)"
  fi
  sleep 0.2
done
echo "$url" >"$dir/url"
log "Kafka Connect $CONNECT_VERSION ready on $url in $((SECONDS - t0)) s (pid $pid, dir $dir)"
echo "URL=$url"
echo "PID=$pid"
echo "DIR=$dir"
