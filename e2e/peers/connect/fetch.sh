#!/usr/bin/env bash
# Fetch Apache Kafka Connect's jars (pom.xml) into $KASKADE_CACHE/connect-VERSION/libs, once.
# Prints the libs directory.
set -euo pipefail
source "$(dirname "$0")/env.sh"

maven_libs "Kafka Connect $CONNECT_VERSION" "$CONNECT_PEER_DIR/pom.xml" "$CONNECT_HOME" "$CONNECT_LIBS" \
  "connect-runtime-$CONNECT_VERSION.jar" "connect-file-$CONNECT_VERSION.jar"
echo "$CONNECT_LIBS"
