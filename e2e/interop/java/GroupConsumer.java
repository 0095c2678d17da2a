// Kaskade group-consumer scenario program with the Apache Kafka Java client (kafka-clients).
//
// Run in source-launch mode (Java 11+), with kafka-clients and its dependencies on the class path:
//   java -cp "$KAFKA_LIBS/*" e2e/interop/java/GroupConsumer.java --bootstrap H:P --topic T --group G [options]
//
// One member of a consumer group (classic protocol): KafkaConsumer.subscribe() with the chosen
// assignor, reading from the earliest offset when the group has no committed offset. Every record
// processed is printed, and its offset + 1 committed the chosen way (commitSync / commitAsync of
// exactly the processed offsets, or auto-commit, or nothing). On revocation, processed offsets of
// the revoked partitions are committed with commitSync before giving them up (the usual pattern).
// It reports what a test needs to check who owns what, one machine-readable line per event (see
// ../README.md, "Group consumers"), until told to stop: a line `stop` or EOF on stdin (with
// --stdin-control), --max-records, or --timeout. Then it commits what it processed (unless
// --commit none|auto), closes (a dynamic member leaves the group; a static one does not) and
// prints its summary.
//
// Exit codes: 0 stopped cleanly, 1 stopped before --max-records were read (timeout),
// 2 usage or client error (ERROR line, stack trace on stderr).

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class GroupConsumer {
    static final String CLIENT = "java";
    static final String COMMIT_METADATA = "kaskade-interop";

    static final String USAGE = String.join("\n",
        "usage: java -cp \"$KAFKA_LIBS/*\" GroupConsumer.java --bootstrap H:P --topic T --group G [options]",
        "  --assignor range|roundrobin|sticky|cooperative-sticky   partition.assignment.strategy (default range)",
        "  --commit sync|async|auto|none       how processed offsets are committed (default sync)",
        "  --instance-id ID                    group.instance.id: a static member",
        "  --session-timeout-ms N              session.timeout.ms (default: the client's, 45000)",
        "  --heartbeat-interval-ms N           heartbeat.interval.ms (default: the client's, 3000)",
        "  --client-id ID                      client.id",
        "  --max-records N                     stop after processing N records (default: no limit)",
        "  --timeout SEC                       stop after SEC seconds at the latest (default 300)",
        "  --stdin-control                     stop on a line `stop` or EOF on stdin");

    static class UsageError extends Exception {
        UsageError(String m) { super(m); }
    }

    String bootstrap, topic, group, instanceId, clientId;
    String assignor = "range";
    String commit = "sync";
    Integer sessionTimeoutMs, heartbeatIntervalMs;
    long maxRecords = -1;
    int timeoutSec = 300;
    boolean stdinControl = false;

    final AtomicBoolean stop = new AtomicBoolean(false);
    volatile String stopReason = null;
    KafkaConsumer<String, String> consumer;
    // Offsets (next to read) of records processed and not yet known to be committed.
    final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
    long consumed = 0, commits = 0, commitFailures = 0;

    public static void main(String[] args) {
        int rc;
        try {
            rc = new GroupConsumer().run(args);
        } catch (UsageError e) {
            System.err.println("usage error: " + e.getMessage());
            System.err.println(USAGE);
            rc = 2;
        } catch (Throwable e) {
            out("ERROR client=" + CLIENT + " " + oneLine(e));
            e.printStackTrace(System.err);
            rc = 2;
        }
        System.out.flush();
        System.exit(rc);
    }

    static synchronized void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? "" : e.getMessage().replace('\n', ' ');
        return e.getClass().getName() + ": " + m;
    }

    void parse(String[] args) throws UsageError {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (a.equals("--stdin-control")) { stdinControl = true; continue; }
            if (i + 1 >= args.length) throw new UsageError("missing value for " + a);
            String v = args[++i];
            try {
                switch (a) {
                    case "--bootstrap": bootstrap = v; break;
                    case "--topic": topic = v; break;
                    case "--group": group = v; break;
                    case "--assignor": assignor = v; break;
                    case "--commit": commit = v; break;
                    case "--instance-id": instanceId = v; break;
                    case "--client-id": clientId = v; break;
                    case "--session-timeout-ms": sessionTimeoutMs = Integer.parseInt(v); break;
                    case "--heartbeat-interval-ms": heartbeatIntervalMs = Integer.parseInt(v); break;
                    case "--max-records": maxRecords = Long.parseLong(v); break;
                    case "--timeout": timeoutSec = Integer.parseInt(v); break;
                    default: throw new UsageError("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new UsageError("bad number for " + a + ": " + v);
            }
        }
        if (bootstrap == null || topic == null || group == null)
            throw new UsageError("--bootstrap, --topic and --group are required");
        if (!List.of("sync", "async", "auto", "none").contains(commit))
            throw new UsageError("--commit must be sync, async, auto or none");
        assignorClass();
    }

    String assignorClass() throws UsageError {
        switch (assignor) {
            case "range": return RangeAssignor.class.getName();
            case "roundrobin": return RoundRobinAssignor.class.getName();
            case "sticky": return StickyAssignor.class.getName();
            case "cooperative-sticky": return CooperativeStickyAssignor.class.getName();
            default: throw new UsageError("unknown assignor " + assignor);
        }
    }

    static String parts(Collection<TopicPartition> tps) {
        return new TreeSet<>(tps.stream().map(TopicPartition::partition).collect(Collectors.toList()))
            .stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    String gen() {
        ConsumerGroupMetadata m = consumer.groupMetadata();
        return "gen=" + m.generationId() + " member=" + m.memberId();
    }

    boolean committing() {
        return commit.equals("sync") || commit.equals("async");
    }

    /** commitSync of the pending offsets of `only` (all when null); prints them. */
    void commitPendingSync(Collection<TopicPartition> only) {
        Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : pending.entrySet())
            if (only == null || only.contains(e.getKey())) m.put(e.getKey(), e.getValue());
        if (m.isEmpty()) return;
        try {
            consumer.commitSync(m);
            commits++;
            printCommitted(m);
            for (TopicPartition tp : m.keySet()) if (pending.get(tp) == m.get(tp)) pending.remove(tp);
        } catch (RuntimeException e) {
            commitFailures++;
            out("COMMIT_FAILED " + oneLine(e));
            e.printStackTrace(System.err);
        }
    }

    void printCommitted(Map<TopicPartition, OffsetAndMetadata> m) {
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : m.entrySet())
            out("COMMITTED p=" + e.getKey().partition() + " o=" + e.getValue().offset());
    }

    int run(String[] args) throws Exception {
        parse(args);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignorClass());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, String.valueOf(commit.equals("auto")));
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        if (instanceId != null) p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        if (clientId != null) p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        if (sessionTimeoutMs != null) p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(sessionTimeoutMs));
        if (heartbeatIntervalMs != null) p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(heartbeatIntervalMs));

        if (stdinControl) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in))) {
                    String line;
                    while ((line = r.readLine()) != null) if (line.trim().equals("stop")) break;
                } catch (Exception ignored) {
                }
                requestStop("stdin");
            }, "stdin-control");
            t.setDaemon(true);
            t.start();
        }

        consumer = new KafkaConsumer<>(p);
        out("START client=" + CLIENT + " group=" + group + " topic=" + topic + " assignor=" + assignor
            + " commit=" + commit + (instanceId != null ? " instance=" + instanceId : ""));
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                if (revoked.isEmpty()) return;
                if (committing()) commitPendingSync(revoked);
                for (TopicPartition tp : revoked) pending.remove(tp);
                out("REVOKED partitions=" + parts(revoked));
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> lost) {
                if (lost.isEmpty()) return;
                for (TopicPartition tp : lost) pending.remove(tp);
                out("LOST partitions=" + parts(lost));
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> added) {
                out("ASSIGNMENT " + gen() + " partitions=" + parts(consumer.assignment())
                    + " added=" + parts(added));
            }
        });

        long deadline = System.currentTimeMillis() + timeoutSec * 1000L;
        try {
            while (!stop.get()) {
                if (System.currentTimeMillis() > deadline) {
                    requestStop("timeout");
                    break;
                }
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                Map<TopicPartition, OffsetAndMetadata> batch = new HashMap<>();
                for (ConsumerRecord<String, String> r : records) {
                    if (maxRecords >= 0 && consumed >= maxRecords) break;
                    out("RECORD p=" + r.partition() + " o=" + r.offset() + " k=" + r.key() + " v=" + r.value());
                    consumed++;
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    OffsetAndMetadata om = new OffsetAndMetadata(r.offset() + 1, COMMIT_METADATA);
                    batch.put(tp, om);
                    pending.put(tp, om);
                }
                if (!batch.isEmpty()) {
                    if (commit.equals("sync")) {
                        commitPendingSync(batch.keySet());
                    } else if (commit.equals("async")) {
                        consumer.commitAsync(batch, (offsets, err) -> {
                            if (err != null) {
                                commitFailures++;
                                out("COMMIT_FAILED " + oneLine(err));
                            } else {
                                commits++;
                                printCommitted(offsets);
                                for (TopicPartition tp : offsets.keySet())
                                    if (pending.get(tp) == offsets.get(tp)) pending.remove(tp);
                            }
                        });
                    }
                }
                if (maxRecords >= 0 && consumed >= maxRecords) requestStop("max-records");
            }
            out("STOPPING reason=" + stopReason);
            if (committing()) commitPendingSync(null);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
        }
        boolean short_ = maxRecords >= 0 && consumed < maxRecords;
        out((short_ ? "FAIL" : "OK") + " client=" + CLIENT + " group=" + group + " consumed=" + consumed
            + " commits=" + commits + " commit_failures=" + commitFailures + " stop=" + stopReason
            + " failed=" + (short_ ? 1 : 0));
        return short_ ? 1 : 0;
    }

    void requestStop(String reason) {
        if (stop.compareAndSet(false, true)) {
            stopReason = reason;
        }
    }
}
