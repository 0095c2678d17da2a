#!/usr/bin/env python3
"""Kaskade idempotent-producer program with kafka-python or confluent-kafka.

    python idempotent_producer.py --client kafka-python|confluent --bootstrap H:P --topic T \\
        --partitions P --count N [--pad BYTES] [--rate R]

The Python twin of ../java/IdempotentProducer.java (see ../README.md, "Idempotent producer
across broker crashes"): an idempotent producer (kafka-python: KafkaProducer(enable_idempotence=
True), its 3.x default, acks=all; confluent-kafka: Producer(enable.idempotence=true), which
implies acks=all, unlimited retries and at most five requests in flight) sends records 0..N-1
(value = the decimal sequence number, then `|` and padding; record s to partition s mod P; null
key) and prints every acknowledgement. Same output lines and exit codes as the Java program:
CONFIG, ACK p=P offset=O seq=S, SENDFAIL, then OK/FAIL (0/1), or ERROR (2).
"""

import argparse
import sys
import threading
import time

_out_lock = threading.Lock()


def out(line):
    with _out_lock:
        sys.stdout.write(line + "\n")


def flusher():
    while True:
        time.sleep(0.05)
        with _out_lock:
            sys.stdout.flush()


class Tally:
    def __init__(self):
        self.acked = 0
        self.failed = 0

    def ack(self, p, offset, seq):
        with _out_lock:
            self.acked += 1
            sys.stdout.write(f"ACK p={p} offset={offset} seq={seq}\n")

    def fail(self, seq, p, err):
        with _out_lock:
            self.failed += 1
            sys.stdout.write(f"SENDFAIL seq={seq} p={p} error={err}\n")


def paced(args):
    """Yields (seq, partition, value) at most --rate per second."""
    padding = "x" * args.pad
    start = time.monotonic()
    for seq in range(args.count):
        if args.rate > 0:
            wait = start + seq / args.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        value = f"{seq}|{padding}" if args.pad > 0 else str(seq)
        yield seq, seq % args.partitions, value.encode()


def run_kafka_python(args, tally):
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=args.bootstrap, enable_idempotence=True, acks="all")
    c = producer.config
    out(
        f"CONFIG client=kafka-python enable.idempotence={str(c['enable_idempotence']).lower()} acks={c['acks']} "
        f"retries={c['retries']} max.in.flight={c['max_in_flight_requests_per_connection']} "
        f"delivery.timeout.ms={c['delivery_timeout_ms']}"
    )
    for seq, p, value in paced(args):
        fut = producer.send(args.topic, value=value, partition=p)
        fut.add_callback(lambda md, seq=seq: tally.ack(md.partition, md.offset, seq))
        fut.add_errback(lambda e, seq=seq, p=p: tally.fail(seq, p, f"{type(e).__name__}: {e}"))
    producer.flush()
    producer.close()


def run_confluent(args, tally):
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": args.bootstrap, "enable.idempotence": True, "linger.ms": 5})
    out("CONFIG client=confluent enable.idempotence=true implied=acks=all,retries=max,max.in.flight=5")

    def report(seq, p):
        def cb(err, msg):
            if err is not None:
                tally.fail(seq, p, str(err))
            else:
                tally.ack(msg.partition(), msg.offset(), seq)

        return cb

    for seq, p, value in paced(args):
        while True:
            try:
                producer.produce(args.topic, value=value, partition=p, on_delivery=report(seq, p))
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    remaining = producer.flush(300)
    if remaining:
        raise RuntimeError(f"{remaining} records still undelivered after 300 s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", choices=["kafka-python", "confluent"], required=True)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--partitions", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--pad", type=int, default=0)
    ap.add_argument("--rate", type=float, default=0)
    try:
        args = ap.parse_args()
    except SystemExit:
        print(f"ERROR client=python usage: {' '.join(sys.argv[1:])}", flush=True)
        sys.exit(2)
    threading.Thread(target=flusher, daemon=True).start()
    tally = Tally()
    start = time.monotonic()
    try:
        (run_kafka_python if args.client == "kafka-python" else run_confluent)(args, tally)
    except Exception as e:  # noqa: BLE001 - reported, stack trace on stderr
        import traceback

        traceback.print_exc()
        out(f"ERROR client={args.client} {type(e).__name__}: {e}")
        sys.stdout.flush()
        sys.exit(2)
    ok = tally.failed == 0 and tally.acked == args.count
    elapsed_ms = int((time.monotonic() - start) * 1000)
    out(
        f"{'OK' if ok else 'FAIL'} client={args.client} sent={args.count} acked={tally.acked} "
        f"failed={tally.failed} elapsed_ms={elapsed_ms}"
    )
    sys.stdout.flush()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
