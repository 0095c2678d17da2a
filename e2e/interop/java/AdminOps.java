// Kaskade's admin API through the Apache Kafka Java Admin client (kafka-clients).
//
// Run in source-launch mode (Java 11+), with kafka-clients and its dependencies on the class path:
//   java -cp "$KAFKA_LIBS/*" e2e/interop/java/AdminOps.java --bootstrap H:P --topic T
//
// Creates T with 2 partitions and grows it to 4 (shrinking and an unchanged count fail); sets,
// checks and deletes topic configs with incrementalAlterConfigs and a cluster-wide broker default
// (source DYNAMIC_DEFAULT_BROKER_CONFIG), checks that invalid changes fail as Kafka's do; produces
// 10 records, deletes the records below offset 4 and checks the low watermark, the earliest offset
// and what a consumer reads; describes the log dirs. Prints one line per check and finally
// `OK java-admin checks=N failed=M`; exit 0 when every check passed, 1 otherwise, 2 on errors.

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class AdminOps {
    static int checks = 0;
    static int failed = 0;

    static void check(String what, boolean ok, Object detail) {
        checks++;
        if (!ok) failed++;
        System.out.println((ok ? "ok   " : "FAIL ") + what + " " + detail);
    }

    interface Call { void run() throws Exception; }

    static void expectError(String what, Class<? extends Throwable> error, Call call) {
        try {
            call.run();
            check(what, false, "(no error)");
        } catch (ExecutionException e) {
            check(what, error.isInstance(e.getCause()), "(" + e.getCause() + ")");
        } catch (Exception e) {
            check(what, false, "(" + e + ")");
        }
    }

    static ConfigEntry topicConfig(Admin admin, String topic, String key) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get().get(r).get(key);
    }

    static void alter(Admin admin, ConfigResource r, String key, String value, AlterConfigOp.OpType op) throws Exception {
        AlterConfigOp change = new AlterConfigOp(new ConfigEntry(key, value), op);
        admin.incrementalAlterConfigs(Map.of(r, List.of(change))).all().get();
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = null, topic = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--bootstrap")) bootstrap = args[i + 1];
            else if (args[i].equals("--topic")) topic = args[i + 1];
        }
        if (bootstrap == null || topic == null) {
            System.err.println("usage: AdminOps --bootstrap H:P --topic T");
            System.exit(2);
        }
        final String t = topic;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(t, 2, (short) 1))).all().get();

            // CreatePartitions.
            admin.createPartitions(Map.of(t, NewPartitions.increaseTo(4)), new CreatePartitionsOptions().validateOnly(true)).all().get();
            int n = admin.describeTopics(List.of(t)).allTopicNames().get().get(t).partitions().size();
            check("validateOnly adds nothing", n == 2, "(partitions=" + n + ")");
            admin.createPartitions(Map.of(t, NewPartitions.increaseTo(4))).all().get();
            n = admin.describeTopics(List.of(t)).allTopicNames().get().get(t).partitions().size();
            check("createPartitions grows the topic to 4", n == 4, "(partitions=" + n + ")");
            expectError("shrinking fails", InvalidPartitionsException.class,
                () -> admin.createPartitions(Map.of(t, NewPartitions.increaseTo(3))).all().get());
            expectError("the same count fails", InvalidPartitionsException.class,
                () -> admin.createPartitions(Map.of(t, NewPartitions.increaseTo(4))).all().get());
            expectError("an unknown topic fails", UnknownTopicOrPartitionException.class,
                () -> admin.createPartitions(Map.of(t + "-missing", NewPartitions.increaseTo(4))).all().get());

            // Topic configs.
            ConfigResource topicRes = new ConfigResource(ConfigResource.Type.TOPIC, t);
            alter(admin, topicRes, "retention.ms", "3600000", AlterConfigOp.OpType.SET);
            ConfigEntry e = topicConfig(admin, t, "retention.ms");
            check("retention.ms is set", e.value().equals("3600000") && e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, e);
            alter(admin, topicRes, "cleanup.policy", "compact", AlterConfigOp.OpType.APPEND);
            e = topicConfig(admin, t, "cleanup.policy");
            check("cleanup.policy appended", e.value().equals("delete,compact"), e);
            alter(admin, topicRes, "cleanup.policy", null, AlterConfigOp.OpType.DELETE);
            e = topicConfig(admin, t, "cleanup.policy");
            check("cleanup.policy deleted", e.source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG && e.isDefault(), e);
            expectError("an unknown key fails", InvalidConfigurationException.class,
                () -> alter(admin, topicRes, "no.such.config", "1", AlterConfigOp.OpType.SET));
            expectError("an invalid value fails", InvalidConfigurationException.class,
                () -> alter(admin, topicRes, "retention.ms", "soon", AlterConfigOp.OpType.SET));
            admin.incrementalAlterConfigs(Map.of(topicRes, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "5"), AlterConfigOp.OpType.SET))),
                new AlterConfigsOptions().validateOnly(true)).all().get();
            e = topicConfig(admin, t, "retention.ms");
            check("validateOnly changes nothing", e.value().equals("3600000"), e);

            // A cluster-wide dynamic broker default reaches every topic without an override.
            ConfigResource cluster = new ConfigResource(ConfigResource.Type.BROKER, "");
            alter(admin, cluster, "log.segment.bytes", "2000000", AlterConfigOp.OpType.SET);
            e = topicConfig(admin, t, "segment.bytes");
            check("a cluster default reaches the topic",
                e.value().equals("2000000") && e.source() == ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, e);
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            ConfigEntry b = admin.describeConfigs(List.of(broker)).all().get().get(broker).get("log.segment.bytes");
            check("the broker describes it", b.value().equals("2000000") && !b.isReadOnly(), b);
            alter(admin, cluster, "log.segment.bytes", null, AlterConfigOp.OpType.DELETE);
            e = topicConfig(admin, t, "segment.bytes");
            check("deleting the default restores Kafka's", e.source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG, e);
            expectError("a static broker key fails", InvalidRequestException.class,
                () -> alter(admin, cluster, "log.dirs", "/elsewhere", AlterConfigOp.OpType.SET));

            // DeleteRecords.
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
                for (int i = 0; i < 10; i++) producer.send(new ProducerRecord<>(t, 0, null, ("record-" + i).getBytes())).get();
            }
            TopicPartition tp = new TopicPartition(t, 0);
            long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp).get().lowWatermark();
            check("deleteRecords answers the low watermark", low == 4, "(low=" + low + ")");
            expectError("deleting beyond the high watermark fails", OffsetOutOfRangeException.class,
                () -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(50))).all().get());
            long earliest = admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
            check("the earliest offset is the low watermark", earliest == 4, "(earliest=" + earliest + ")");
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<Long> offsets = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
                consumer.assign(List.of(tp));
                consumer.seek(tp, 0); // below the low watermark: reset to the earliest
                long deadline = System.currentTimeMillis() + 15000;
                while (offsets.size() < 6 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) offsets.add(r.offset());
                }
            }
            check("a consumer reads from the low watermark", offsets.equals(List.of(4L, 5L, 6L, 7L, 8L, 9L)), offsets);

            // DescribeLogDirs.
            Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);
            boolean listed = dirs.values().stream().anyMatch(d -> d.replicaInfos().containsKey(tp) && d.replicaInfos().get(tp).size() > 0);
            boolean space = dirs.values().stream().allMatch(d -> d.totalBytes().isPresent() && d.usableBytes().isPresent());
            check("describeLogDirs lists the partition with its size", listed, dirs.keySet());
            check("describeLogDirs reports total and usable bytes", space, dirs.keySet());
        } catch (Exception e) {
            e.printStackTrace();
            System.out.println("ERROR " + e);
            System.exit(2);
        }
        System.out.println("OK java-admin checks=" + checks + " failed=" + failed);
        System.exit(failed == 0 ? 0 : 1);
    }
}
