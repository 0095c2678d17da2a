#!/usr/bin/env bash
# Fetch Apache Kafka Connect's jars (pom.xml) into $KASKADE_CACHE/connect-VERSION/libs, once.
# Prints the libs directory. A marker holding pom.xml's checksum says the copy is complete.
set -euo pipefail
source "$(dirname "$0")/env.sh"

pom="$CONNECT_PEER_DIR/pom.xml"
marker="$CONNECT_LIBS/.complete"
sum=$(sha256sum "$pom" | cut -d' ' -f1)

complete() { [[ -f $marker && $(<"$marker") == "$sum" ]]; }
if ! complete; then
  mkdir -p "$CONNECT_HOME"
  exec 9>"$CONNECT_HOME/.lock"
  flock 9 # another fetch.sh may be copying right now
fi
if ! complete; then
  log "fetching Kafka Connect $CONNECT_VERSION jars into $CONNECT_LIBS (mvn, ~/.m2 reused)"
  rm -rf "$CONNECT_LIBS"
  mkdir -p "$CONNECT_LIBS"
  out=$(mktemp)
  if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$CONNECT_LIBS" >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    die "mvn could not fetch Kafka Connect's jars"
  fi
  rm -f "$out"
  ls "$CONNECT_LIBS"/connect-runtime-"$CONNECT_VERSION".jar "$CONNECT_LIBS"/connect-file-"$CONNECT_VERSION".jar >/dev/null
  echo "$sum" >"$marker"
fi
echo "$CONNECT_LIBS"
