#!/usr/bin/env bash
# Fetch Apache Kafka's jars (pom.xml) into $KASKADE_CACHE/kafka-VERSION/libs, once, and unpack
# Kafka's message specs (common/message/*.json of kafka-clients) into
# $KASKADE_CACHE/kafka-VERSION/message-specs for kaskade-wire's generator (wire/codegen).
# Prints the libs directory. A marker holding pom.xml's checksum says the copy is complete.
set -euo pipefail
source "$(dirname "$0")/env.sh"

pom="$KAFKA_PEER_DIR/pom.xml"
marker="$KAFKA_LIBS/.complete"
sum=$(sha256sum "$pom" | cut -d' ' -f1)

complete() { [[ -f $marker && $(<"$marker") == "$sum" ]]; }
if ! complete; then
  mkdir -p "$KAFKA_HOME"
  exec 9>"$KAFKA_HOME/.lock"
  flock 9 # another fetch.sh may be copying right now
fi
if ! complete; then
  log "fetching Kafka $KAFKA_VERSION jars into $KAFKA_LIBS (mvn, ~/.m2 reused)"
  rm -rf "$KAFKA_LIBS"
  mkdir -p "$KAFKA_LIBS"
  out=$(mktemp)
  if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS" >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    die "mvn could not fetch Kafka's jars"
  fi
  rm -f "$out"
  ls "$KAFKA_LIBS"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null
  echo "$sum" >"$marker"
fi
specs="$KAFKA_HOME/message-specs"
if [[ ! -f $specs/.complete || $(<"$specs/.complete") != "$sum" ]]; then
  rm -rf "$specs"
  python3 - "$KAFKA_LIBS/kafka-clients-$KAFKA_VERSION.jar" "$specs" <<'PY'
import os, sys, zipfile
jar, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
with zipfile.ZipFile(jar) as z:
    for name in z.namelist():
        if name.startswith("common/message/") and name.endswith(".json"):
            with open(os.path.join(out, os.path.basename(name)), "wb") as f:
                f.write(z.read(name))
PY
  echo "$sum" >"$specs/.complete"
fi
echo "$KAFKA_LIBS"
