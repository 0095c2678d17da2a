#!/usr/bin/env bash
# Run every interop program with every codec against one broker; a manual check and an example of
# how to call them (the Rust harness runs the programs itself).
#
#   run_all.sh --bootstrap H:P [--partitions 3] [--count 200] [--seed 1] [--only java,kafka-python,...]
#
# Each client gets a fresh topic per codec, named interop-CLIENT-CODEC-RUNID, created with
# PARTITIONS partitions (replication factor 1) by the client itself (--create-topic); kcat has no
# admin API, so its topics are created with confluent-kafka's AdminClient first.
# Environment: KAFKA_LIBS (default ${KASKADE_CACHE:-$HOME/.cache/kaskade}/kafka-4.4.0/libs),
# PYTHON (default ${KASKADE_CACHE:-$HOME/.cache/kaskade}/venv/bin/python if present, else python3),
# NODE (default node). JS dependencies: `npm ci` in js/ first.
# Prints each program's output, then one line per client and codec and "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${KASKADE_CACHE:-$HOME/.cache/kaskade}
KAFKA_LIBS=${KAFKA_LIBS:-$cache/kafka-4.4.0/libs}
if [[ -z ${PYTHON:-} ]]; then
  if [[ -x $cache/venv/bin/python ]]; then PYTHON=$cache/venv/bin/python; else PYTHON=python3; fi
fi
NODE=${NODE:-node}

bootstrap="" partitions=3 count=200 seed=1 only="java,kafka-python,confluent-kafka,kafkajs,kcat"
while (($#)); do
  case $1 in
    --bootstrap) bootstrap=$2 ;;
    --partitions) partitions=$2 ;;
    --count) count=$2 ;;
    --seed) seed=$2 ;;
    --only) only=$2 ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift 2
done
[[ -n $bootstrap ]] || { echo "--bootstrap is required" >&2; exit 2; }

run_id=$(date +%s)-$$
codecs=(none gzip snappy lz4 zstd)
results=() passed=0 failed=0

run() { # client codec topic cmd...
  local client=$1 codec=$2 topic=$3
  shift 3
  echo "== $client $codec ($topic)"
  local start=$SECONDS
  "$@" --bootstrap "$bootstrap" --topic "$topic" --codec "$codec" --count "$count" --seed "$seed" 2> >(sed 's/^/   stderr: /' >&2)
  local rc=$?
  if ((rc == 0)); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  results+=("$(printf '%-16s %-7s rc=%d %3ds' "$client" "$codec" "$rc" $((SECONDS - start)))")
}

for client in ${only//,/ }; do
  for codec in "${codecs[@]}"; do
    topic=interop-$client-$codec-$run_id
    case $client in
      java) run "$client" "$codec" "$topic" java -cp "$KAFKA_LIBS/*" "$here/java/RoundTrip.java" --create-topic "$partitions" ;;
      kafka-python) run "$client" "$codec" "$topic" "$PYTHON" "$here/python/roundtrip_kafka_python.py" --create-topic "$partitions" ;;
      confluent-kafka) run "$client" "$codec" "$topic" "$PYTHON" "$here/python/roundtrip_confluent.py" --create-topic "$partitions" ;;
      kafkajs) run "$client" "$codec" "$topic" "$NODE" "$here/js/roundtrip.js" --create-topic "$partitions" ;;
      kcat)
        "$PYTHON" - "$bootstrap" "$topic" "$partitions" <<'EOF' || { echo "could not create $topic" >&2; exit 2; }
import sys
from confluent_kafka.admin import AdminClient, NewTopic
b, t, p = sys.argv[1], sys.argv[2], int(sys.argv[3])
admin = AdminClient({"bootstrap.servers": b})  # kept referenced until the result is in
admin.create_topics([NewTopic(t, num_partitions=p, replication_factor=1)])[t].result(60)
EOF
        run "$client" "$codec" "$topic" bash "$here/kcat/roundtrip.sh" ;;
      *) echo "unknown client $client" >&2; exit 2 ;;
    esac
  done
done

echo "== summary"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
