// Kaskade idempotent-producer program with the Apache Kafka Java client (kafka-clients).
//
// Run in source-launch mode (Java 11+), with kafka-clients and its dependencies on the class path:
//   java -cp "$KAFKA_LIBS/*" e2e/interop/java/IdempotentProducer.java --bootstrap H:P --topic T --partitions P --count N [options]
//
// A KafkaProducer with the client's own defaults (enable.idempotence=true, acks=all,
// retries=MAX_INT, max.in.flight.requests.per.connection=5, delivery.timeout.ms=120000): nothing
// about delivery is configured here, so the test exercises exactly what an application gets. It
// sends records 0..N-1 (value = the decimal sequence number, optionally followed by `|` and
// padding; record s goes to partition s mod P; null key) as fast as it can (or at --rate records
// per second), and prints every acknowledgement. A test kills and restarts the broker under it
// and then checks the log (see ../README.md, "Idempotent producer across broker crashes").
//
// stdout (flushed every 50 ms, client logs go to stderr):
//   CONFIG client=java enable.idempotence=true acks=-1 retries=2147483647 max.in.flight=5 delivery.timeout.ms=120000
//   ACK p=P offset=O seq=S          one per acknowledged record, in acknowledgement order
//   SENDFAIL seq=S p=P error=...    a send that failed for good (after the client's retries)
//   OK client=java sent=N acked=N failed=0 elapsed_ms=T     (or FAIL ... when anything failed)
//   ERROR client=java <exception>   a usage or client error (stack trace on stderr)
//
// Exit codes: 0 every record acknowledged, 1 some send failed, 2 usage or client error.

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class IdempotentProducer {
    static final String CLIENT = "java";

    static final String USAGE = String.join("\n",
        "usage: java -cp \"$KAFKA_LIBS/*\" IdempotentProducer.java --bootstrap H:P --topic T --partitions P --count N [options]",
        "  --pad BYTES      padding after the sequence number in each value (default 0)",
        "  --rate R         at most R records per second (default 0: as fast as the client takes them)",
        "  --client-id ID   client.id");

    static class UsageError extends Exception {
        UsageError(String m) { super(m); }
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false);
        try {
            System.exit(run(args, out));
        } catch (UsageError e) {
            out.println("ERROR client=" + CLIENT + " usage: " + e.getMessage());
            out.flush();
            System.err.println(USAGE);
            System.exit(2);
        } catch (Throwable e) {
            out.println("ERROR client=" + CLIENT + " " + e.getClass().getName() + ": " + e.getMessage());
            out.flush();
            e.printStackTrace();
            System.exit(2);
        }
    }

    static int run(String[] args, PrintStream out) throws Exception {
        String bootstrap = null, topic = null, clientId = null;
        int partitions = 0, pad = 0;
        long count = -1, rate = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new UsageError("missing value for " + a);
            String v = args[++i];
            switch (a) {
                case "--bootstrap": bootstrap = v; break;
                case "--topic": topic = v; break;
                case "--partitions": partitions = Integer.parseInt(v); break;
                case "--count": count = Long.parseLong(v); break;
                case "--pad": pad = Integer.parseInt(v); break;
                case "--rate": rate = Long.parseLong(v); break;
                case "--client-id": clientId = v; break;
                default: throw new UsageError("unknown option " + a);
            }
        }
        if (bootstrap == null || topic == null || partitions < 1 || count < 0) {
            throw new UsageError("--bootstrap, --topic, --partitions and --count are required");
        }

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        if (clientId != null) props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        // Everything else is the client's default: print what that is, so the test can check it.
        ProducerConfig effective = new ProducerConfig(props);
        out.println("CONFIG client=" + CLIENT
            + " enable.idempotence=" + effective.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)
            + " acks=" + effective.getString(ProducerConfig.ACKS_CONFIG)
            + " retries=" + effective.getInt(ProducerConfig.RETRIES_CONFIG)
            + " max.in.flight=" + effective.getInt(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)
            + " delivery.timeout.ms=" + effective.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
        out.flush();

        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stdout-flusher");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleAtFixedRate(() -> {
            synchronized (out) {
                out.flush();
            }
        }, 50, 50, TimeUnit.MILLISECONDS);

        String padding = "x".repeat(pad);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (long s = 0; s < count; s++) {
                if (rate > 0) {
                    long due = start + s * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                }
                final long seq = s;
                final int p = (int) (s % partitions);
                String value = pad > 0 ? seq + "|" + padding : Long.toString(seq);
                producer.send(new ProducerRecord<>(topic, p, null, value.getBytes(StandardCharsets.UTF_8)), (md, e) -> {
                    synchronized (out) {
                        if (e != null) {
                            failed.incrementAndGet();
                            out.println("SENDFAIL seq=" + seq + " p=" + p + " error=" + e.getClass().getName() + ": " + e.getMessage());
                        } else {
                            acked.incrementAndGet();
                            out.println("ACK p=" + md.partition() + " offset=" + md.offset() + " seq=" + seq);
                        }
                    }
                });
            }
            producer.flush();
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        flusher.shutdownNow();
        boolean ok = failed.get() == 0 && acked.get() == count;
        synchronized (out) {
            out.println((ok ? "OK" : "FAIL") + " client=" + CLIENT + " sent=" + count + " acked=" + acked.get()
                + " failed=" + failed.get() + " elapsed_ms=" + elapsedMs);
            out.flush();
        }
        return ok ? 0 : 1;
    }
}
