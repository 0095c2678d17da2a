# Kafka Connect peer settings shared by fetch.sh and start.sh. Source it.
# shellcheck shell=bash disable=SC2034  # variables used by the scripts that source this
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

CONNECT_VERSION=4.3.1   # keep in step with <connect.version> in pom.xml
CONNECT_HOME="$KASKADE_CACHE/connect-$CONNECT_VERSION"
CONNECT_LIBS="$CONNECT_HOME/libs"
CONNECT_PEER_DIR="$PEERS_DIR/connect"
