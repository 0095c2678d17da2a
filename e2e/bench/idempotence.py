#!/usr/bin/env python3
"""Idempotent producer throughput as a ratio of the non-idempotent one, per broker, in one run.

    e2e/bench/idempotence.py [--records N] [--rounds R] [--only kaskade,kafka,tansu] [--capped] [--out FILE] [--no-build]

Brokers as e2e/bench/run.py starts them (each at its defaults: Kaskade's acks=all waits for
fsync, Kafka does not fsync, Tansu on memory). Load: acks=all, 1 KiB records, 8 partitions,
max speed, with `enable.idempotence=false` and `=true`, alternating (false, true, false, true, …)
for --rounds rounds on fresh topics, so drift in the machine's speed hits both alike. Two
generators: `kaskade perf produce` (librdkafka) on every broker and Kafka's
`kafka-producer-perf-test` (Java client) on Kaskade and Kafka (Kafka 4.4's Java clients cannot
talk to Tansu 0.6.0). The ratio is median(idempotent) / median(plain).

Writes a Markdown report (default e2e/bench/results/idempotence-latest.md) and prints it.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the broker classes and helpers of the main benchmark)

PARTITIONS = 8


def measure(broker, generator, idempotent, records, topic, in_flight=None):
    props = [f"enable.idempotence={'true' if idempotent else 'false'}"]
    if in_flight:
        props.append(f"max.in.flight.requests.per.connection={in_flight}")
    run.create_topic(broker.bootstrap, topic, PARTITIONS)
    if generator == "librdkafka":
        return run.kaskade_perf_produce(broker.bootstrap, topic, records, "all", props=props)["mibs"]
    return run.kafka_perf_produce(broker.bootstrap, topic, records, "all", props=props)["mibs"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--records", type=int, default=300_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", default="kaskade,kafka,tansu")
    p.add_argument("--out", default=str(run.REPO / "e2e/bench/results/idempotence-latest.md"))
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--capped", action="store_true", help="also librdkafka plain with 5 requests in flight")
    args = p.parse_args()
    if not args.no_build:
        run.subprocess.run(["cargo", "build", "--release", "-p", "kaskade"], cwd=run.REPO, check=True)
    rows = []
    for cls in (run.Kaskade, run.Kafka, run.Tansu):
        if cls.name not in args.only.split(","):
            continue
        broker = cls()
        broker.start()
        try:
            generators = ["librdkafka"] + (["java"] if broker.java_clients else [])
            for gen in generators:
                got = {False: [], True: []}
                for r in range(args.rounds):
                    for idem in (False, True):
                        topic = f"idem-{gen}-{int(idem)}-{r}-{int(time.time() * 1000) % 100000}"
                        got[idem].append(measure(broker, gen, idem, args.records, topic))
                        run.log(f"{cls.name} {gen} idempotent={idem}: {got[idem][-1]:.1f} MiB/s")
                plain, idem = statistics.median(got[False]), statistics.median(got[True])
                rows.append((cls.name, gen, plain, idem, idem / plain, got))
                if gen == "librdkafka" and args.capped:
                    # librdkafka caps an idempotent producer at 5 requests in flight (without
                    # idempotence: 1,000,000); the same cap on the plain producer isolates what the
                    # broker's idempotence costs from what the client's cap costs.
                    capped = []
                    for r in range(args.rounds):
                        topic = f"idem-capped-{r}-{int(time.time() * 1000) % 100000}"
                        capped.append(measure(broker, gen, False, args.records, topic, in_flight=5))
                        run.log(f"{cls.name} {gen} plain, 5 in flight: {capped[-1]:.1f} MiB/s")
                    c = statistics.median(capped)
                    rows.append((cls.name, gen + " (plain capped at 5 in flight)", c, idem, idem / c, {False: capped, True: got[True]}))
        finally:
            broker.stop()
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; acks=all, 1 KiB records, {PARTITIONS} partitions, "
        f"{args.records} records per trial, {args.rounds} alternating rounds; MiB/s, median.",
        "",
        "| broker | generator | plain MiB/s | idempotent MiB/s | ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, gen, plain, idem, ratio, _ in rows:
        lines.append(f"| {name} | {gen} | {plain:.1f} | {idem:.1f} | {ratio:.2f} |")
    lines += ["", "Raw values (plain / idempotent, in the order measured):", ""]
    for name, gen, _, _, _, got in rows:
        lines.append(f"- {name} {gen}: {[round(v, 1) for v in got[False]]} / {[round(v, 1) for v in got[True]]}")
    report = "\n".join(lines) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
