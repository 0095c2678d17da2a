#!/usr/bin/env bash
# Run one of Kafka's command-line tools by its script name, as Kafka's bin/ scripts do:
#   tool.sh kafka-topics --bootstrap-server 127.0.0.1:9092 --list
# JVM heap -Xmx512M (Kafka's default for tools; KAFKA_HEAP_OPTS overrides); logs WARN to stderr.
set -euo pipefail
source "$(dirname "$0")/env.sh"

(($#)) || die "usage: $0 kafka-TOOL [args...]"
name=${1%.sh}
shift
# Main classes as of Kafka 4.4.0 (checked in the jars; several moved across 4.x).
case $name in
  kafka-topics) class=org.apache.kafka.tools.TopicCommand ;;
  kafka-console-producer) class=org.apache.kafka.tools.ConsoleProducer ;;
  kafka-console-consumer) class=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  kafka-console-share-consumer) class=org.apache.kafka.tools.consumer.ConsoleShareConsumer ;;
  kafka-consumer-groups) class=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  kafka-share-groups) class=org.apache.kafka.tools.consumer.group.ShareGroupCommand ;;
  kafka-configs) class=org.apache.kafka.tools.ConfigCommand ;;
  kafka-producer-perf-test) class=org.apache.kafka.tools.ProducerPerformance ;;
  kafka-consumer-perf-test) class=org.apache.kafka.tools.ConsumerPerformance ;;
  kafka-get-offsets) class=org.apache.kafka.tools.GetOffsetShell ;;
  kafka-delete-records) class=org.apache.kafka.tools.DeleteRecordsCommand ;;
  kafka-broker-api-versions) class=org.apache.kafka.tools.BrokerApiVersionsCommand ;;
  kafka-metadata-quorum) class=org.apache.kafka.tools.MetadataQuorumCommand ;;
  kafka-transactions) class=org.apache.kafka.tools.TransactionsCommand ;;
  kafka-acls) class=org.apache.kafka.tools.AclCommand ;;
  kafka-features) class=org.apache.kafka.tools.FeatureCommand ;;
  kafka-groups) class=org.apache.kafka.tools.GroupsCommand ;;
  kafka-log-dirs) class=org.apache.kafka.tools.LogDirsCommand ;;
  kafka-dump-log) class=org.apache.kafka.tools.DumpLogSegments ;;
  kafka-verifiable-producer) class=org.apache.kafka.tools.VerifiableProducer ;;
  kafka-verifiable-consumer) class=org.apache.kafka.tools.VerifiableConsumer ;;
  kafka-storage) class=kafka.tools.StorageTool ;;
  *) die "unknown Kafka tool: $name" ;;
esac

libs=$("$KAFKA_PEER_DIR/fetch.sh")
read -ra heap <<<"${KAFKA_HEAP_OPTS:--Xmx512M}"
exec java "${heap[@]}" -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$KAFKA_PEER_DIR/log4j2.properties" \
  -cp "$libs/*" "$class" "$@"
