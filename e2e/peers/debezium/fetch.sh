#!/usr/bin/env bash
# Fetch Debezium's MySQL connector (pom.xml) into $KASKADE_CACHE/debezium-VERSION/plugins/
# debezium-connector-mysql, once (idempotent; concurrent callers wait for one copy).
# Prints the plugins directory: pass it to the Apache Kafka Connect peer as its plugin.path,
#   e2e/peers/connect/start.sh --bootstrap H:P --override plugin.path="$(e2e/peers/debezium/fetch.sh)"
# Connector class io.debezium.connector.mysql.MySqlConnector (it reads MariaDB's binlog too).
set -euo pipefail
source "$(dirname "$0")/env.sh"

maven_libs "Debezium $DEBEZIUM_VERSION" "$DEBEZIUM_PEER_DIR/pom.xml" "$DEBEZIUM_HOME" "$DEBEZIUM_MYSQL_LIBS" \
  "debezium-connector-mysql-$DEBEZIUM_VERSION.jar" "debezium-connector-binlog-$DEBEZIUM_VERSION.jar" \
  "mysql-connector-j-9.1.0.jar"
echo "$DEBEZIUM_PLUGINS"
