// Kaskade interop round trip with the Apache Kafka Java client (kafka-clients).
//
// Run in source-launch mode (Java 11+), with kafka-clients and its dependencies on the class path:
//   java -cp "$KAFKA_LIBS/*" e2e/interop/java/RoundTrip.java --bootstrap H:P --topic T [options]
//
// Produces N deterministic records (see ../README.md, "The records") to explicit partitions with
// KafkaProducer (acks=all, enable.idempotence=false, compression.type=CODEC), then reads every
// partition with an assign()-mode KafkaConsumer (no group.id, no commits) from the beginning and
// checks each record byte for byte against what was sent and the offset the producer was told.
//
// Exit codes: 0 all checks passed, 1 a check failed (every mismatch printed), 2 usage or client
// error (exception, timeout before any verification), 3 a requested codec is not supported.

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class RoundTrip {
    static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    public static void main(String[] args) {
        int rc;
        try {
            rc = new RoundTrip().run(args);
        } catch (UsageError e) {
            System.err.println("usage error: " + e.getMessage());
            System.err.println(USAGE);
            rc = 2;
        } catch (Throwable e) {
            System.out.println("ERROR client=java " + oneLine(e));
            e.printStackTrace(System.err);
            rc = 2;
        }
        System.out.flush();
        // Client threads (and source-launch) must not keep the JVM alive.
        System.exit(rc);
    }

    static final String USAGE = String.join("\n",
        "usage: java -cp \"$KAFKA_LIBS/*\" RoundTrip.java --bootstrap H:P --topic T [options]",
        "  --codec none|gzip|snappy|lz4|zstd   compression.type of the producer (default none)",
        "  --codecs all|C1,C2,...              run one round per codec on the same topic",
        "  --count N                           records per round (default 200)",
        "  --seed S                            content seed (default 1)",
        "  --base-timestamp MS                 CreateTime of record 0 (default: now - 1 h, whole second)",
        "  --timeout SEC                       consume deadline per round (default 30)",
        "  --create-topic PARTITIONS           create the topic first (replication factor 1)",
        "  --describe PARTITIONS               print the records (one line each) and exit; no broker needed");

    static class UsageError extends Exception {
        UsageError(String m) { super(m); }
    }

    String bootstrap;
    String topic;
    List<String> codecs = List.of("none");
    int count = 200;
    long seed = 1;
    Long baseTimestamp;
    int timeoutSec = 30;
    int createPartitions = 0;
    int describePartitions = 0;

    int run(String[] args) throws Exception {
        parse(args);
        if (describePartitions > 0) {
            long b = baseTimestamp != null ? baseTimestamp : 0;
            for (int i = 0; i < count; i++) System.out.println(Gen.record(seed, i, describePartitions, b).describe());
            return 0;
        }
        if (createPartitions > 0) createTopic();
        long base = baseTimestamp != null ? baseTimestamp
            : (System.currentTimeMillis() / 1000) * 1000 - 3_600_000L;
        int failures = 0;
        int round = 0;
        for (String codec : codecs) {
            int rc = round(codec, seed + round, base);
            if (rc != 0) failures++;
            round++;
        }
        if (codecs.size() > 1) {
            System.out.println((failures == 0 ? "OK" : "FAIL") + " client=java rounds=" + codecs.size()
                + " failed=" + failures + " codecs=" + String.join(",", codecs));
        }
        return failures == 0 ? 0 : 1;
    }

    void parse(String[] args) throws UsageError {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (i + 1 >= args.length) throw new UsageError("missing value for " + a);
            String v = args[++i];
            try {
                switch (a) {
                    case "--bootstrap": bootstrap = v; break;
                    case "--topic": topic = v; break;
                    case "--codec": codecs = List.of(v); break;
                    case "--codecs": codecs = v.equals("all") ? CODECS : Arrays.asList(v.split(",")); break;
                    case "--count": count = Integer.parseInt(v); break;
                    case "--seed": seed = Long.parseLong(v); break;
                    case "--base-timestamp": baseTimestamp = Long.parseLong(v); break;
                    case "--timeout": timeoutSec = Integer.parseInt(v); break;
                    case "--create-topic": createPartitions = Integer.parseInt(v); break;
                    case "--describe": describePartitions = Integer.parseInt(v); break;
                    default: throw new UsageError("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new UsageError("bad number for " + a + ": " + v);
            }
        }
        if (describePartitions > 0) return;
        if (bootstrap == null || topic == null) throw new UsageError("--bootstrap and --topic are required");
        for (String c : codecs) {
            if (!CODECS.contains(c)) {
                System.out.println("UNSUPPORTED client=java codec=" + c + " reason=unknown codec (known: " + CODECS + ")");
                System.exit(3);
            }
        }
        if (count < 1) throw new UsageError("--count must be >= 1");
    }

    void createTopic() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, createPartitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            System.err.println("created topic " + topic + " with " + createPartitions + " partitions");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                System.err.println("topic " + topic + " already exists; using it");
            } else {
                throw e;
            }
        }
    }

    int partitionCount() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Admin admin = Admin.create(p);
        try {
            int n;
            try {
                n = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("no metadata for topic " + topic + " from " + bootstrap + " within 30 s");
            }
            if (n == 0) throw new IllegalStateException("topic " + topic + " has no partitions");
            return n;
        } finally {
            admin.close(Duration.ofSeconds(5));
        }
    }

    // ---------------------------------------------------------------- one round

    int round(String codec, long roundSeed, long base) throws Exception {
        List<String> problems = new ArrayList<>();
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        pp.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.CLIENT_ID_CONFIG, "kaskade-interop-java");

        List<Rec> expected = new ArrayList<>();
        // The partition count comes from Admin.describeTopics, which fails on an unknown topic:
        // KafkaProducer's own metadata requests always allow auto-creation, and this program
        // creates nothing unless told (--create-topic).
        int partitions = partitionCount();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
            List<PartitionInfo> infos = producer.partitionsFor(topic);
            if (infos.size() != partitions) {
                throw new IllegalStateException("producer sees " + infos.size() + " partitions of " + topic
                    + ", admin saw " + partitions);
            }
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Rec r = Gen.record(roundSeed, i, partitions, base);
                expected.add(r);
                RecordHeaders hs = new RecordHeaders();
                for (Hdr h : r.headers) hs.add(new RecordHeader(h.key, h.value));
                futures.add(producer.send(new ProducerRecord<>(topic, r.partition, r.timestamp, r.key, r.value, hs)));
            }
            producer.flush();
            for (int i = 0; i < count; i++) {
                RecordMetadata md = futures.get(i).get(60, TimeUnit.SECONDS);
                Rec r = expected.get(i);
                r.offset = md.offset();
                if (md.partition() != r.partition) {
                    problems.add("PRODUCE i=" + i + " partition: sent to " + r.partition + ", metadata says " + md.partition());
                }
                if (md.timestamp() != r.timestamp) {
                    problems.add("PRODUCE i=" + i + " p=" + r.partition + " offset=" + r.offset
                        + " timestamp: sent " + r.timestamp + ", metadata says " + md.timestamp());
                }
            }
        }

        // Expected by (partition, offset); produced offsets must be distinct.
        Map<Integer, TreeMap<Long, Rec>> byPartition = new TreeMap<>();
        for (Rec r : expected) {
            Rec prev = byPartition.computeIfAbsent(r.partition, k -> new TreeMap<>()).put(r.offset, r);
            if (prev != null) {
                problems.add("PRODUCE i=" + r.index + " and i=" + prev.index + " were both given p=" + r.partition
                    + " offset=" + r.offset);
            }
        }

        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.CLIENT_ID_CONFIG, "kaskade-interop-java");
        int consumed = 0;
        int foreign = 0;
        Map<String, Boolean> seen = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) tps.add(new TopicPartition(topic, p));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSec);
            while (consumed < count && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> cr : batch) {
                    TreeMap<Long, Rec> exp = byPartition.get(cr.partition());
                    Rec r = exp == null ? null : exp.get(cr.offset());
                    String where = "p=" + cr.partition() + " offset=" + cr.offset();
                    if (r == null) {
                        if (exp == null || exp.isEmpty() || cr.offset() < exp.firstKey()) {
                            foreign++; // older data in the topic (an earlier round or run)
                        } else {
                            problems.add("UNEXPECTED " + where + " was never produced by this round");
                        }
                        continue;
                    }
                    if (seen.put(where, true) != null) {
                        problems.add("DUPLICATE " + where + " delivered twice");
                        continue;
                    }
                    consumed++;
                    compare(r, cr, problems);
                }
            }
            if (consumed < count) {
                for (Rec r : expected) {
                    if (!seen.containsKey("p=" + r.partition + " offset=" + r.offset)) {
                        problems.add("MISSING i=" + r.index + " p=" + r.partition + " offset=" + r.offset
                            + " not consumed within " + timeoutSec + " s");
                    }
                }
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(10));
            for (Map.Entry<Integer, TreeMap<Long, Rec>> e : byPartition.entrySet()) {
                long want = e.getValue().lastKey() + 1;
                Long got = ends.get(new TopicPartition(topic, e.getKey()));
                if (got == null || got != want) {
                    problems.add("END_OFFSET p=" + e.getKey() + " high watermark " + got + ", expected " + want
                        + " (last produced offset + 1)");
                }
            }
        }

        for (String p : problems) System.out.println("MISMATCH codec=" + codec + " " + p);
        String summary = "client=java produced=" + count + " consumed=" + consumed + " codec=" + codec
            + " partitions=" + partitions + " seed=" + roundSeed + " foreign=" + foreign;
        if (problems.isEmpty()) {
            System.out.println("OK " + summary);
            return 0;
        }
        System.out.println("FAIL " + summary + " mismatches=" + problems.size());
        return 1;
    }

    static void compare(Rec r, ConsumerRecord<byte[], byte[]> cr, List<String> problems) {
        String where = "i=" + r.index + " p=" + cr.partition() + " offset=" + cr.offset();
        if (!Arrays.equals(r.key, cr.key())) {
            problems.add(where + " key: want " + show(r.key) + ", got " + show(cr.key()) + firstDiff(r.key, cr.key()));
        }
        if (!Arrays.equals(r.value, cr.value())) {
            problems.add(where + " value: want " + show(r.value) + ", got " + show(cr.value()) + firstDiff(r.value, cr.value()));
        }
        if (cr.timestamp() != r.timestamp || cr.timestampType() != TimestampType.CREATE_TIME) {
            problems.add(where + " timestamp: want " + r.timestamp + " CreateTime, got " + cr.timestamp() + " "
                + cr.timestampType());
        }
        Header[] got = cr.headers().toArray();
        boolean same = got.length == r.headers.size();
        for (int k = 0; same && k < got.length; k++) {
            same = got[k].key().equals(r.headers.get(k).key) && Arrays.equals(got[k].value(), r.headers.get(k).value);
        }
        if (!same) {
            List<String> g = new ArrayList<>();
            for (Header h : got) g.add(h.key() + "=" + show(h.value()));
            List<String> w = new ArrayList<>();
            for (Hdr h : r.headers) w.add(h.key + "=" + show(h.value));
            problems.add(where + " headers: want " + w + ", got " + g);
        }
    }

    static String show(byte[] b) {
        if (b == null) return "null";
        StringBuilder sb = new StringBuilder();
        sb.append("len=").append(b.length).append(" hex=");
        int n = Math.min(b.length, 24);
        for (int i = 0; i < n; i++) sb.append(String.format("%02x", b[i] & 0xff));
        if (b.length > n) sb.append("...");
        return sb.toString();
    }

    static String firstDiff(byte[] a, byte[] b) {
        if (a == null || b == null) return "";
        return ", first difference at byte " + Arrays.mismatch(a, b);
    }

    static String oneLine(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (sb.length() > 0) sb.append(" <- ");
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
            if (t.getCause() == t) break;
        }
        return sb.toString().replace('\n', ' ');
    }

    // ---------------------------------------------------------------- records

    static final class Hdr {
        final String key;
        final byte[] value;
        Hdr(String key, byte[] value) { this.key = key; this.value = value; }
    }

    static final class Rec {
        int index;
        int partition;
        long timestamp;
        byte[] key;
        byte[] value;
        List<Hdr> headers = new ArrayList<>();
        long offset = -1;

        /** The line format of --describe, identical in every client program. */
        String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append("i=").append(index).append(" p=").append(partition).append(" ts=").append(timestamp)
                .append(" key=").append(digest(key)).append(" value=").append(digest(value)).append(" headers=[");
            for (int k = 0; k < headers.size(); k++) {
                if (k > 0) sb.append(',');
                sb.append(hex(utf8(headers.get(k).key))).append(':').append(digest(headers.get(k).value));
            }
            return sb.append(']').toString();
        }
    }

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x", x & 0xff));
        return sb.toString();
    }

    /** "null", or LEN/first 16 hex chars of the SHA-256 of the bytes. */
    static String digest(byte[] b) {
        if (b == null) return "null";
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(b);
            return b.length + "/" + hex(d).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SplitMix64, as specified in ../README.md; all clients derive the same records from it. */
    static final class Rng {
        long state;
        Rng(long seed) { state = seed; }
        long next() {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
        int below(int n) { return (int) Long.remainderUnsigned(next(), n); }
        byte[] bytes(int len) {
            byte[] out = new byte[len];
            for (int i = 0; i < len; i += 8) {
                long v = next();
                for (int k = 0; k < 8 && i + k < len; k++) out[i + k] = (byte) (v >>> (8 * k));
            }
            return out;
        }
    }

    static final class Gen {
        static final String ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

        static Rec record(long seed, int i, int partitions, long base) {
            Rng rng = new Rng(seed ^ ((i + 1L) * 0xD1B54A32D192ED03L));
            Rec r = new Rec();
            r.index = i;
            r.partition = i % partitions;
            r.timestamp = base + 3L * i + rng.below(3);
            switch (i % 7) {
                case 3: r.key = null; break;
                case 5: r.key = new byte[0]; break;
                case 6: r.key = rng.bytes(1 + rng.below(16)); break;
                default: r.key = utf8("key-" + i);
            }
            if (i % 17 == 4) {
                r.value = null;
            } else if (i % 17 == 9) {
                r.value = new byte[0];
            } else if (i % 50 == 25) {
                r.value = rng.bytes(100_000 + rng.below(4096));
            } else if (i % 3 == 0) {
                r.value = rng.bytes(rng.below(512));
            } else {
                StringBuilder sb = new StringBuilder("value-" + i + "-ünïcødé-€-");
                int n = rng.below(1000);
                for (int k = 0; k < n; k++) sb.append(ALNUM.charAt(rng.below(ALNUM.length())));
                r.value = utf8(sb.toString());
            }
            switch (i % 5) {
                case 0: break;
                case 1: r.headers.add(new Hdr("h-single", utf8("v" + i))); break;
                case 2:
                    r.headers.add(new Hdr("dup", utf8("first")));
                    r.headers.add(new Hdr("dup", utf8("second")));
                    r.headers.add(new Hdr("bin", rng.bytes(8)));
                    r.headers.add(new Hdr("empty", new byte[0]));
                    break;
                case 3:
                    r.headers.add(new Hdr("dup", utf8("a")));
                    r.headers.add(new Hdr("other", utf8("b")));
                    r.headers.add(new Hdr("dup", utf8("c")));
                    r.headers.add(new Hdr("null-value", null));
                    break;
                default:
                    r.headers.add(new Hdr("ключ-🔑", utf8("ünïcødé")));
                    r.headers.add(new Hdr("trace-id", rng.bytes(16)));
            }
            return r;
        }
    }
}
