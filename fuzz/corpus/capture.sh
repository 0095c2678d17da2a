#!/usr/bin/env bash
# Rebuilds the fuzz corpus from real clients' requests. Not part of ./test.sh: the corpus is
# committed, and this is how it was made.
#
#   fuzz/corpus/capture.sh            (needs e2e/peers/install.sh done and `cargo build -p kaskade`)
#
# A kaskade broker advertises a recording proxy (record_proxy.py); through it run the interop
# round trips of every client with every codec (Java, kafka-python, confluent-kafka, kafkajs,
# kcat), the Java and kafka-python admin programs, a Java and a kafkajs group consumer, Kafka's
# own tools and ours. Then:
#   request_frame/KEY-vVERSION-SHA   up to 4 request frames (<= 4 KiB) per API and version
#   response_frame/KEY-vVERSION-SHA  up to 4 answers (<= 8 KiB) per API and version, after the
#                                    request's key and version (2 bytes each)
#   record_batch/codecN-SHA          up to 6 stored batches (<= 4 KiB) per codec, as clients sent
#                                    them (read back from the broker's segment files)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${KASKADE_CACHE:-$HOME/.cache/kaskade}
export KAFKA_LIBS=${KAFKA_LIBS:-$cache/kafka-4.4.0/libs}
PYTHON=${PYTHON:-$cache/venv/bin/python}
KASKADE=${KASKADE:-${CARGO_TARGET_DIR:-$cache/target}/debug/kaskade}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

source "$repo/e2e/peers/lib.sh"
broker_port=$(free_port)
proxy_port=$(free_port)
bootstrap=127.0.0.1:$proxy_port

"$KASKADE" broker --override "listeners=PLAINTEXT://127.0.0.1:$broker_port" \
  --override "advertised.listeners=PLAINTEXT://127.0.0.1:$proxy_port" \
  --override "log.dirs=$tmp/data" --override group.initial.rebalance.delay.ms=0 >"$tmp/broker.log" 2>&1 &
pids+=($!)
wait_port "$broker_port" "$!" 30 || die "the broker did not start: $(cat "$tmp/broker.log")"
python3 "$here/record_proxy.py" "$proxy_port" "$broker_port" "$tmp/frames" >"$tmp/proxy.log" 2>&1 &
pids+=($!)
wait_port "$proxy_port" "$!" 30 || die "the proxy did not start: $(cat "$tmp/proxy.log")"

step() { echo "== $*" >&2; }
T="$repo/e2e/peers/kafka/tool.sh"
step "interop round trips, every client and codec"
bash "$repo/e2e/interop/run_all.sh" --bootstrap "$bootstrap" --count 3 --partitions 2 >"$tmp/interop.log" 2>&1 || true
step "admin programs"
java -cp "$KAFKA_LIBS/*" "$repo/e2e/interop/java/AdminOps.java" --bootstrap "$bootstrap" --topic corpus-admin-java >"$tmp/admin.log" 2>&1 || true
"$PYTHON" "$repo/e2e/interop/python/admin_kafka_python.py" --bootstrap "$bootstrap" --topic corpus-admin-python >>"$tmp/admin.log" 2>&1 || true
step "group consumers"
"$T" kafka-topics --bootstrap-server "$bootstrap" --create --topic corpus-groups --partitions 2 >/dev/null 2>&1 || true
seq 6 | "$T" kafka-console-producer --bootstrap-server "$bootstrap" --topic corpus-groups >/dev/null 2>&1 || true
# Twice in one group: the second member starts from committed offsets (and their leader epochs);
# the first stays past a heartbeat interval.
for run in 1 2; do
  java -cp "$KAFKA_LIBS/*" "$repo/e2e/interop/java/GroupConsumer.java" --bootstrap "$bootstrap" --topic corpus-groups \
    --group corpus-java --max-records 100 --timeout 8 >>"$tmp/groups.log" 2>&1 || true
done
(cd "$repo/e2e/interop/js" && timeout 40 node roundtrip.js --bootstrap "$bootstrap" --topic corpus-js-group --create-topic 1 \
  --count 3 --group-consumer corpus-js >>"$tmp/groups.log" 2>&1) || true
step "Kafka's tools and ours"
"$T" kafka-topics --bootstrap-server "$bootstrap" --describe >/dev/null 2>&1 || true
"$T" kafka-consumer-groups --bootstrap-server "$bootstrap" --describe --all-groups --members --verbose >/dev/null 2>&1 || true
"$T" kafka-consumer-groups --bootstrap-server "$bootstrap" --reset-offsets --group corpus-java --all-topics --to-earliest --execute >/dev/null 2>&1 || true
"$T" kafka-configs --bootstrap-server "$bootstrap" --describe --entity-type brokers --entity-name 1 --all >/dev/null 2>&1 || true
"$T" kafka-configs --bootstrap-server "$bootstrap" --alter --entity-type topics --entity-name corpus-groups --add-config retention.ms=86400000 >/dev/null 2>&1 || true
"$T" kafka-consumer-groups --bootstrap-server "$bootstrap" --delete-offsets --group corpus-java --topic corpus-groups >/dev/null 2>&1 || true
"$T" kafka-consumer-groups --bootstrap-server "$bootstrap" --delete --group corpus-java >/dev/null 2>&1 || true
# The older AlterConfigs API (Kafka's tools use IncrementalAlterConfigs).
"$PYTHON" - "$bootstrap" >/dev/null 2>&1 <<'PY' || true
import sys
from confluent_kafka.admin import AdminClient, ConfigResource
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
for f in admin.alter_configs([ConfigResource("topic", "corpus-groups", set_config={"retention.ms": "3600000"})]).values():
    f.result(10)
PY
"$KASKADE" topics --bootstrap-server "$bootstrap" --describe >/dev/null 2>&1 || true
"$KASKADE" consumer-groups --bootstrap-server "$bootstrap" --describe --all-groups >/dev/null 2>&1 || true
"$KASKADE" configs --bootstrap-server "$bootstrap" --describe --entity-type topics --all >/dev/null 2>&1 || true
"$KASKADE" topics --bootstrap-server "$bootstrap" --delete --topic corpus-groups >/dev/null 2>&1 || true
kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true
pids=()

step "selecting the corpus"
python3 - "$tmp/frames" "$tmp/data" "$here" <<'PY'
import collections, glob, hashlib, os, shutil, sys
frames_dir, data_dir, out = sys.argv[1:4]
req_out = os.path.join(out, "request_frame")
resp_out = os.path.join(out, "response_frame")
batch_out = os.path.join(out, "record_batch")
for d in (req_out, resp_out, batch_out):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)

def select(src, dst, max_len):
    by_api = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(src, "*"))):
        data = open(path, "rb").read()
        if len(data) <= max_len:
            key, version = os.path.basename(path).split("-")[:2]
            by_api[(int(key), version)].append(data)
    for (key, version), frames in sorted(by_api.items()):
        # Up to four of different sizes, smallest first.
        seen = set()
        for data in sorted(frames, key=len):
            if len(data) in seen or len(seen) == 4:
                continue
            seen.add(len(data))
            name = f"{key}-{version}-{hashlib.sha1(data).hexdigest()[:12]}"
            open(os.path.join(dst, name), "wb").write(data)
    return by_api

by_api = select(os.path.join(frames_dir, "requests"), req_out, 4096)
select(os.path.join(frames_dir, "responses"), resp_out, 8192)
by_codec = collections.defaultdict(dict)
for seg in sorted(glob.glob(os.path.join(data_dir, "*", "*.log"))):
    if "__consumer_offsets" in seg:
        continue
    buf = open(seg, "rb").read()
    at = 0
    while at + 12 <= len(buf):
        size = int.from_bytes(buf[at + 8 : at + 12], "big") + 12
        batch = buf[at : at + size]
        at += size
        if len(batch) < 61 or len(batch) > 4096:
            continue
        codec = int.from_bytes(batch[21:23], "big") & 7
        digest = hashlib.sha1(batch).hexdigest()[:12]
        by_codec[codec].setdefault(len(batch), (digest, batch))
for codec, batches in sorted(by_codec.items()):
    for size in sorted(batches)[:6]:
        digest, batch = batches[size]
        open(os.path.join(batch_out, f"codec{codec}-{digest}"), "wb").write(batch)
print(f"{len(os.listdir(req_out))} request frames of {len(by_api)} APIs and versions, "
      f"{len(os.listdir(resp_out))} responses, "
      f"{len(os.listdir(batch_out))} record batches of codecs {sorted(by_codec)}")
PY
