#!/usr/bin/env bash
# Fetch Apache Kafka's jars (pom.xml) into $KASKADE_CACHE/kafka-VERSION/libs, once, and unpack
# Kafka's message specs (common/message/*.json of kafka-clients) into
# $KASKADE_CACHE/kafka-VERSION/message-specs for kaskade-wire's generator (wire/codegen).
# Prints the libs directory.
set -euo pipefail
source "$(dirname "$0")/env.sh"

maven_libs "Kafka $KAFKA_VERSION" "$KAFKA_PEER_DIR/pom.xml" "$KAFKA_HOME" "$KAFKA_LIBS" "kafka_2.13-$KAFKA_VERSION.jar"
sum=$(sha256sum "$KAFKA_PEER_DIR/pom.xml" | cut -d' ' -f1)
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
