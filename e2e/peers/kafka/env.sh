# Kafka peer settings shared by fetch.sh, start.sh and tool.sh. Source it.
# shellcheck shell=bash disable=SC2034  # variables used by the scripts that source this
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

KAFKA_VERSION=4.4.0   # keep in step with <kafka.version> in pom.xml
KAFKA_HOME="$KASKADE_CACHE/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_PEER_DIR="$PEERS_DIR/kafka"
