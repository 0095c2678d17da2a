# Debezium peer settings shared by fetch.sh and the benchmarks. Source it.
# shellcheck shell=bash disable=SC2034  # variables used by the scripts that source this
# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DEBEZIUM_VERSION=3.6.1.Final   # keep in step with <debezium.version> in pom.xml
DEBEZIUM_HOME="$KASKADE_CACHE/debezium-$DEBEZIUM_VERSION"
DEBEZIUM_PLUGINS="$DEBEZIUM_HOME/plugins"   # a Connect plugin.path
DEBEZIUM_MYSQL_LIBS="$DEBEZIUM_PLUGINS/debezium-connector-mysql"
DEBEZIUM_PEER_DIR="$PEERS_DIR/debezium"
