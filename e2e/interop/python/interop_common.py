"""Shared parts of the Python interop round trips: arguments, the records, the checks, the output.

The records are the ones every client program derives from --seed (see ../README.md, "The
records"): SplitMix64, one generator per record, so record i is the same in Java, Python and JS.
"""

import argparse
import hashlib
import sys
import time

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]

# Exit codes shared by all the interop programs.
EXIT_OK, EXIT_MISMATCH, EXIT_ERROR, EXIT_UNSUPPORTED = 0, 1, 2, 3

_M64 = (1 << 64) - 1
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


class Rng:
    """SplitMix64."""

    __slots__ = ("state",)

    def __init__(self, seed):
        self.state = seed & _M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & _M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def bytes(self, n):
        out = bytearray()
        while len(out) < n:
            out += self.next().to_bytes(8, "little")
        return bytes(out[:n])


class Rec:
    __slots__ = ("index", "partition", "timestamp", "key", "value", "headers", "offset")

    def __init__(self):
        self.offset = -1

    def describe(self):
        hs = ",".join(k.encode().hex() + ":" + digest(v) for k, v in self.headers)
        return "i=%d p=%d ts=%d key=%s value=%s headers=[%s]" % (
            self.index, self.partition, self.timestamp, digest(self.key), digest(self.value), hs)


def digest(b):
    if b is None:
        return "null"
    return "%d/%s" % (len(b), hashlib.sha256(b).hexdigest()[:16])


def make_record(seed, i, partitions, base):
    rng = Rng(seed ^ (((i + 1) * 0xD1B54A32D192ED03) & _M64))
    r = Rec()
    r.index = i
    r.partition = i % partitions
    r.timestamp = base + 3 * i + rng.below(3)
    m = i % 7
    if m == 3:
        r.key = None
    elif m == 5:
        r.key = b""
    elif m == 6:
        r.key = rng.bytes(1 + rng.below(16))
    else:
        r.key = ("key-%d" % i).encode()
    if i % 17 == 4:
        r.value = None
    elif i % 17 == 9:
        r.value = b""
    elif i % 50 == 25:
        r.value = rng.bytes(100_000 + rng.below(4096))
    elif i % 3 == 0:
        r.value = rng.bytes(rng.below(512))
    else:
        n = rng.below(1000)
        tail = "".join(_ALNUM[rng.below(36)] for _ in range(n))
        r.value = ("value-%d-ünïcødé-€-%s" % (i, tail)).encode()
    m = i % 5
    if m == 0:
        r.headers = []
    elif m == 1:
        r.headers = [("h-single", ("v%d" % i).encode())]
    elif m == 2:
        r.headers = [("dup", b"first"), ("dup", b"second"), ("bin", rng.bytes(8)), ("empty", b"")]
    elif m == 3:
        r.headers = [("dup", b"a"), ("other", b"b"), ("dup", b"c"), ("null-value", None)]
    else:
        r.headers = [("ключ-🔑", "ünïcødé".encode()), ("trace-id", rng.bytes(16))]
    return r


def drop_null_header_values(r):
    """For clients whose API cannot send a null header value: such headers are left out."""
    kept = [(k, v) for k, v in r.headers if v is not None]
    changed = len(kept) != len(r.headers)
    r.headers = kept
    return changed


def timestamp_type_name(code):
    """Kafka's timestamp type codes, as kafka-python and confluent-kafka give them (0 = CreateTime)."""
    return {0: "CreateTime", 1: "LogAppendTime"}.get(code, "type-%s" % code)


def parse_args(client, extra=None):
    usage_codecs = "|".join(CODECS)
    p = argparse.ArgumentParser(description="Kaskade interop round trip (%s)" % client)
    p.add_argument("--bootstrap", help="H:P of a broker")
    p.add_argument("--topic")
    p.add_argument("--codec", default="none", help=usage_codecs + " (default none)")
    p.add_argument("--codecs", help="all|C1,C2,...: one round per codec on the same topic")
    p.add_argument("--count", type=int, default=200, help="records per round (default 200)")
    p.add_argument("--seed", type=int, default=1, help="content seed (default 1)")
    p.add_argument("--base-timestamp", type=int, help="CreateTime of record 0 (default: now - 1 h)")
    p.add_argument("--timeout", type=float, default=30, help="consume deadline per round, s (default 30)")
    p.add_argument("--create-topic", type=int, metavar="PARTITIONS",
                   help="create the topic first (replication factor 1)")
    p.add_argument("--describe", type=int, metavar="PARTITIONS",
                   help="print the records (one line each) and exit; no broker needed")
    if extra:
        extra(p)
    a = p.parse_args()
    if a.describe:
        return a
    if not a.bootstrap or not a.topic:
        p.error("--bootstrap and --topic are required")
    if a.count < 1:
        p.error("--count must be >= 1")
    if a.codecs:
        a.codec_list = CODECS if a.codecs == "all" else a.codecs.split(",")
    else:
        a.codec_list = [a.codec]
    for c in a.codec_list:
        if c not in CODECS:
            print("UNSUPPORTED client=%s codec=%s reason=unknown codec (known: %s)" % (client, c, ",".join(CODECS)))
            sys.exit(EXIT_UNSUPPORTED)
    if a.base_timestamp is None:
        a.base_timestamp = int(time.time()) * 1000 - 3_600_000
    return a


def show(b):
    if b is None:
        return "null"
    h = b[:24].hex()
    return "len=%d hex=%s%s" % (len(b), h, "..." if len(b) > 24 else "")


def first_diff(a, b):
    """", first difference at byte N" for two byte strings, else ""."""
    if a is None or b is None:
        return ""
    n = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    return ", first difference at byte %d" % n


def show_headers(hs):
    return "[" + ", ".join("%s=%s" % (k, show(v)) for k, v in hs) + "]"


class Verifier:
    """Collects the produced records and checks consumed ones against them by (partition, offset)."""

    def __init__(self, expected, problems):
        self.problems = problems
        self.by_pos = {}
        self.first = {}
        self.seen = set()
        self.consumed = 0
        self.foreign = 0
        for r in expected:
            pos = (r.partition, r.offset)
            if pos in self.by_pos:
                problems.append("PRODUCE i=%d and i=%d were both given p=%d offset=%d"
                                % (r.index, self.by_pos[pos].index, r.partition, r.offset))
            self.by_pos[pos] = r
            self.first[r.partition] = min(self.first.get(r.partition, r.offset), r.offset)
        self.expected = expected

    def last_offsets(self):
        last = {}
        for r in self.expected:
            last[r.partition] = max(last.get(r.partition, -1), r.offset)
        return last

    def check(self, partition, offset, key, value, headers, timestamp, ts_type):
        """headers: list of (str, bytes|None); ts_type: "CreateTime", "LogAppendTime", or what the client said."""
        where = "p=%d offset=%d" % (partition, offset)
        r = self.by_pos.get((partition, offset))
        if r is None:
            if partition not in self.first or offset < self.first[partition]:
                self.foreign += 1  # older data in the topic (an earlier round or run)
            else:
                self.problems.append("UNEXPECTED %s was never produced by this round" % where)
            return
        if (partition, offset) in self.seen:
            self.problems.append("DUPLICATE %s delivered twice" % where)
            return
        self.seen.add((partition, offset))
        self.consumed += 1
        where = "i=%d %s" % (r.index, where)
        if key != r.key:
            self.problems.append("%s key: want %s, got %s%s" % (where, show(r.key), show(key), first_diff(r.key, key)))
        if value != r.value:
            self.problems.append("%s value: want %s, got %s%s"
                                 % (where, show(r.value), show(value), first_diff(r.value, value)))
        if timestamp != r.timestamp or ts_type != "CreateTime":
            self.problems.append("%s timestamp: want %d CreateTime, got %s %s" % (where, r.timestamp, timestamp, ts_type))
        if list(headers) != list(r.headers):
            self.problems.append("%s headers: want %s, got %s" % (where, show_headers(r.headers), show_headers(headers)))

    def done(self):
        return self.consumed >= len(self.expected)

    def report_missing(self, timeout):
        for r in self.expected:
            if (r.partition, r.offset) not in self.seen:
                self.problems.append("MISSING i=%d p=%d offset=%d not consumed within %s s"
                                     % (r.index, r.partition, r.offset, timeout))

    def check_end_offsets(self, ends):
        """ends: {partition: high watermark}."""
        for p, last in sorted(self.last_offsets().items()):
            got = ends.get(p)
            if got != last + 1:
                self.problems.append("END_OFFSET p=%d high watermark %s, expected %d (last produced offset + 1)"
                                     % (p, got, last + 1))


def finish_round(client, codec, seed, count, partitions, verifier, problems, what="consumed", notes=""):
    for p in problems:
        print("MISMATCH codec=%s %s" % (codec, p))
    consumed = verifier.consumed if verifier else 0
    foreign = verifier.foreign if verifier else 0
    summary = "client=%s produced=%d %s=%d codec=%s partitions=%d seed=%d foreign=%d%s" % (
        client, count, what, consumed, codec, partitions, seed, foreign, (" " + notes) if notes else "")
    if problems:
        print("FAIL %s mismatches=%d" % (summary, len(problems)), flush=True)
        return EXIT_MISMATCH
    print("OK " + summary, flush=True)
    return EXIT_OK


def main(client, args, round_fn, create_fn, check_codec=None):
    """Runs the rounds; round_fn(codec, seed) -> exit code."""
    if args.describe:
        base = args.base_timestamp or 0
        for i in range(args.count):
            print(make_record(args.seed, i, args.describe, base).describe())
        return EXIT_OK
    try:
        if check_codec:
            for c in args.codec_list:
                reason = check_codec(c)
                if reason:
                    print("UNSUPPORTED client=%s codec=%s reason=%s" % (client, c, reason), flush=True)
                    return EXIT_UNSUPPORTED
        if args.create_topic:
            create_fn(args.create_topic)
        failed = 0
        for n, codec in enumerate(args.codec_list):
            if round_fn(codec, args.seed + n) != EXIT_OK:
                failed += 1
        if len(args.codec_list) > 1:
            print("%s client=%s rounds=%d failed=%d codecs=%s" % (
                "OK" if failed == 0 else "FAIL", client, len(args.codec_list), failed, ",".join(args.codec_list)))
        return EXIT_OK if failed == 0 else EXIT_MISMATCH
    except Exception as e:  # client errors: one line on stdout, the trace on stderr
        import traceback
        traceback.print_exc()
        print("ERROR client=%s %s: %s" % (client, type(e).__name__, str(e).replace("\n", " ")), flush=True)
        return EXIT_ERROR
