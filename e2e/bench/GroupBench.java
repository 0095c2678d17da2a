// Consumer-group timings and throughput with the Apache Kafka Java client, for e2e/bench/groups.py.
//
//   java -cp "$KAFKA_LIBS/*" e2e/bench/GroupBench.java first --bootstrap H:P --topic T --groups N --prefix P
//   java -cp "$KAFKA_LIBS/*" e2e/bench/GroupBench.java rebalance --bootstrap H:P --topic T --group G --partitions 12
//   java -cp "$KAFKA_LIBS/*" e2e/bench/GroupBench.java throughput --bootstrap H:P --topic T --group G --members 3 --messages N
//
// Every consumer has the Java client's defaults (classic protocol, [range, cooperative-sticky]
// assignors so range is chosen, heartbeat.interval.ms 3000, session.timeout.ms 45000) except
// auto.offset.reset=earliest, so a new group reads what is already in the topic. The same
// measurements with librdkafka are in group_probe.py (first, rebalance) and `kaskade perf consume
// --group` (throughput).
//
// first:      for each of N+1 new groups (the first a warm-up: class loading, JIT), one consumer;
//             time from subscribe() until poll() returns a record. Prints `FIRST <group> <ms>`.
// rebalance:  three members subscribe; once they share all partitions and each has received a
//             record (the caller keeps a steady producer running), a 4th subscribes (t0). Prints
//             `REBALANCE <ms>`: until all four hold their new assignment, together covering every
//             partition once, and each has received a record since it got it.
// throughput: --members consumers in one group read --messages records between them. Prints
//             `THROUGHPUT <records> <bytes> <ms from subscribe to the last record> <ms from the
//             first record to the last>`.
// Exit status 1 with an ERROR line when something does not happen within --timeout seconds.

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class GroupBench {
    static String bootstrap, topic, group = "rebalance", prefix = "first";
    static int groups = 5, partitions = 12, members = 3, timeoutSec = 120;
    static long messages = 0;

    static KafkaConsumer<byte[], byte[]> consumer(String groupId, String clientId) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", groupId);
        p.put("auto.offset.reset", "earliest");
        if (clientId != null) p.put("client.id", clientId);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    static void fail(String msg) {
        System.out.println("ERROR " + msg);
        System.out.flush();
        System.exit(1);
    }

    static void first() {
        for (int i = 0; i <= groups; i++) {
            String g = prefix + "-" + i;
            try (KafkaConsumer<byte[], byte[]> c = consumer(g, null)) {
                long t0 = System.nanoTime();
                c.subscribe(List.of(topic));
                while (c.poll(Duration.ofMillis(50)).isEmpty()) {
                    if (System.nanoTime() - t0 > timeoutSec * 1_000_000_000L) fail("no record for group " + g);
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                System.out.printf("FIRST %s %.1f%n", i == 0 ? "warmup" : g, ms);
                System.out.flush();
            }
        }
    }

    static final Object lock = new Object();

    static class Member implements Runnable, ConsumerRebalanceListener {
        final int idx;
        Set<Integer> assignment = new HashSet<>();
        long assignedAt = -1, recordAfterAssign = -1, t0 = -1;
        volatile boolean stop = false;
        KafkaConsumer<byte[], byte[]> c;
        final Thread thread = new Thread(this);

        Member(int idx) { this.idx = idx; }

        public void onPartitionsRevoked(Collection<TopicPartition> parts) {
            synchronized (lock) { assignment = new HashSet<>(); recordAfterAssign = -1; }
        }

        public void onPartitionsAssigned(Collection<TopicPartition> parts) {
            Set<Integer> s = new HashSet<>();
            for (TopicPartition tp : c.assignment()) s.add(tp.partition());
            synchronized (lock) { assignment = s; assignedAt = System.nanoTime(); recordAfterAssign = -1; }
        }

        public void run() {
            c = consumer(group, "member-" + idx);
            synchronized (lock) { t0 = System.nanoTime(); }
            c.subscribe(List.of(topic), this);
            while (!stop) {
                if (!c.poll(Duration.ofMillis(10)).isEmpty()) {
                    synchronized (lock) {
                        if (recordAfterAssign < 0 && !assignment.isEmpty()) recordAfterAssign = System.nanoTime();
                    }
                }
            }
            c.close();
        }
    }

    /** The time all members were consuming their current assignment, or -1 if not yet. */
    static long settled(List<Member> ms) {
        synchronized (lock) {
            Set<Integer> union = new HashSet<>();
            int sum = 0;
            long last = 0;
            for (Member m : ms) {
                if (m.assignment.isEmpty() || m.recordAfterAssign < 0) return -1;
                union.addAll(m.assignment);
                sum += m.assignment.size();
                last = Math.max(last, m.recordAfterAssign);
            }
            return (sum == partitions && union.size() == partitions) ? last : -1;
        }
    }

    static void rebalance() throws Exception {
        List<Member> ms = new ArrayList<>();
        for (int i = 0; i < 3; i++) ms.add(new Member(i));
        for (Member m : ms) m.thread.start();
        long t = System.nanoTime();
        while (settled(ms) < 0) {
            if (System.nanoTime() - t > timeoutSec * 1_000_000_000L) fail("the first three members did not settle");
            Thread.sleep(5);
        }
        Thread.sleep(1000);
        Member fourth = new Member(3);
        ms.add(fourth);
        fourth.thread.start();
        long t0;
        while (true) {
            synchronized (lock) { t0 = fourth.t0; }
            if (t0 > 0) break;
            Thread.sleep(1);
        }
        while (true) {
            long done = settled(ms);
            if (done > 0) {
                boolean renewed = true;
                synchronized (lock) { for (Member m : ms) renewed &= m.assignedAt > t0; }
                if (renewed) {
                    System.out.printf("REBALANCE %.1f%n", (done - t0) / 1e6);
                    System.out.flush();
                    break;
                }
            }
            if (System.nanoTime() - t0 > timeoutSec * 1_000_000_000L) fail("no settled 4-member group");
            Thread.sleep(1);
        }
        for (Member m : ms) m.stop = true;
        for (Member m : ms) m.thread.join(30_000);
    }

    static void throughput() throws Exception {
        AtomicLong total = new AtomicLong(), bytes = new AtomicLong(), first = new AtomicLong(-1);
        AtomicBoolean done = new AtomicBoolean(false);
        List<KafkaConsumer<byte[], byte[]>> cs = new ArrayList<>();
        for (int i = 0; i < members; i++) cs.add(consumer(group, "perf-" + i));
        List<Thread> ts = new ArrayList<>();
        long t0 = System.nanoTime();
        long[] end = {0};
        for (KafkaConsumer<byte[], byte[]> c : cs) {
            Thread th = new Thread(() -> {
                c.subscribe(List.of(topic));
                while (!done.get()) {
                    ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(10));
                    if (rs.isEmpty()) continue;
                    first.compareAndSet(-1, System.nanoTime());
                    long b = 0;
                    for (ConsumerRecord<byte[], byte[]> r : rs) b += r.value() == null ? 0 : r.value().length;
                    bytes.addAndGet(b);
                    if (total.addAndGet(rs.count()) >= messages && done.compareAndSet(false, true)) {
                        end[0] = System.nanoTime();
                    }
                }
                c.close();
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join(timeoutSec * 1000L);
            if (th.isAlive()) fail("not all records consumed: " + total.get());
        }
        System.out.printf("THROUGHPUT %d %d %.1f %.1f%n", total.get(), bytes.get(), (end[0] - t0) / 1e6,
                          (end[0] - first.get()) / 1e6);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        for (int i = 1; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = v;
                case "--topic" -> topic = v;
                case "--groups" -> groups = Integer.parseInt(v);
                case "--prefix" -> prefix = v;
                case "--group" -> group = v;
                case "--partitions" -> partitions = Integer.parseInt(v);
                case "--members" -> members = Integer.parseInt(v);
                case "--messages" -> messages = Long.parseLong(v);
                case "--timeout" -> timeoutSec = Integer.parseInt(v);
                default -> { System.err.println("unknown option " + args[i]); System.exit(2); }
            }
        }
        switch (mode) {
            case "first" -> first();
            case "rebalance" -> rebalance();
            case "throughput" -> throughput();
            default -> { System.err.println("unknown mode " + mode); System.exit(2); }
        }
        System.exit(0);
    }
}
