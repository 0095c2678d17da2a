#!/usr/bin/env bash
# The Kafka Connect worker benchmark of issue 20: `kaskade connect` beside Apache Kafka Connect
# 4.3.1 (e2e/peers/connect/start.sh, its default heap -Xms256M -Xmx2G), both against one
# `kaskade broker` (release build) in the same run.
#
#   e2e/bench/connect.sh                       # the full run (≈ 8 min after the build), as in BENCHMARKS.md
#   e2e/bench/connect.sh --lines 100000 --rounds 1 --starts 1 --calls 1000   # a smoke run
#   options: --no-build (use $KASKADE or the release binary as it is), --lines N (2000000),
#            --rounds R (3), --starts S (5), --calls C (10000), --converters string,json (the rows),
#            --only kaskade|apache, --kaskade-override K=V (ours only; diagnosis),
#            --broker-override K=V (e.g. log.flush.on.acks.all=false), --keep (the temp dir)
#
# What it does, in this order:
#  1. builds `kaskade` --release (unless --no-build; KASKADE=path picks another binary) and runs a
#     copy of it (a build during the run changes nothing), fetches Connect's jars, writes the input file: N lines of 200 bytes ("%010d " and 189 letters), each
#     followed by "\n" (201 bytes a line, 402 MB for 2,000,000);
#  2. starts one `kaskade broker` (defaults, but group.initial.rebalance.delay.ms=0 so that a sink
#     task's consumer group does not wait 3 s before its first fetch: the same for both workers);
#  3. start-up, S times each, interleaved (ours, Apache, ours, ...), each a new Connect cluster
#     (its own group.id and three new internal topics): time from exec until GET / answers 200,
#     until GET /connectors answers 200, and until GET /health answers 200 (joined the group).
#     Ours is timed from its exec; Apache's from the exec of the java process (its start time in
#     /proc, 10 ms resolution), and in a row of its own from the exec of start.sh;
#  4. starts one worker of each for the rest of the run (own group.id, own internal topics), and
#     reads their idle RSS 5 s after GET /health answered 200, no connectors (again 5 s after the
#     load, and VmHWM, the kernel's peak over the whole session, at the end);
#  5. REST latency: one idle FileStreamSource connector in each worker, then R interleaved rounds
#     of 1,000 warm-up calls and C timed GET /connectors/{c}/status on one keep-alive HTTP/1.1
#     connection (Python's http.client, sequential); p50/p99/p99.9 per round;
#  6. throughput, R rounds, each round: StringConverter row, then JsonConverter row, each worker in
#     turn (the first worker alternates by round); a run is: create a fresh 1-partition topic,
#     create the FileStreamSink connector (file → a new file) and wait for its task to be RUNNING,
#     then t0 = POST of the FileStreamSource connector (the input file, batch.size default 2000);
#     source time = until the topic's end offset (ListOffsets, a tiny stdlib client in this
#     script) reaches N; end to end = until the sink file holds all N lines (its size, polled every
#     20 ms); then the sink file is compared with the input byte for byte, both connectors and the
#     topic are deleted. Worker RSS (/proc/PID/status VmRSS) is sampled every 100 ms over the
#     whole session; a run's peak is the highest sample during the run. CPU times (utime+stime
#     from /proc/PID/stat) of the worker and the broker over the run are reported too.
#     StringConverter rows set key.converter/value.converter=...storage.StringConverter on both
#     connectors; JsonConverter rows use the workers' defaults (JsonConverter, schemas.enable=true).
#  7. prints a markdown report (medians over the rounds, ranges in brackets, ratio = ours / Apache's)
#     and writes it to e2e/bench/results/connect-<date>.md.
# The environment reaches both workers (e.g. MALLOC_ARENA_MAX; the report notes that one).
#
# Worker configuration, both: Kafka's config/connect-distributed.properties as start.sh writes it
# (JsonConverter with schemas for keys and values, RF 1 for the internal topics,
# offset.flush.interval.ms=10000, REST on 127.0.0.1:P); group.id and the three internal topic
# names differ per worker. Ours reads the very file start.sh wrote for a first, untimed Apache
# worker, with group.id, the internal topic names and the port replaced. Everything else at each
# worker's defaults.
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/peers/lib.sh
target=${CARGO_TARGET_DIR:-$KASKADE_CACHE/target}
if [[ " $* " != *" --no-build "* && -z ${KASKADE:-} ]]; then
  CARGO_TARGET_DIR=$target cargo build --release -p kaskade >&2
fi
e2e/peers/connect/fetch.sh >/dev/null
command -v curl >/dev/null || die "curl is missing (start.sh needs it)"
KASKADE=${KASKADE:-$target/release/kaskade} LOAD="$(cut -d' ' -f1-3 /proc/loadavg)" \
  COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- broker-image client common wire || echo ' with local changes')" exec python3 - "$@" <<'PY'
import argparse, http.client as httpclient, json, os, signal, socket, statistics, struct, subprocess, sys
import tempfile, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--no-build", action="store_true")
ap.add_argument("--lines", type=int, default=2_000_000)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--starts", type=int, default=5)
ap.add_argument("--calls", type=int, default=10_000)
ap.add_argument("--converters", default="string,json", help="rows to run: string, json or both")
ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
ap.add_argument("--broker-override", action="append", default=[], metavar="K=V",
                help="a setting for the broker (both workers'), e.g. log.flush.on.acks.all=false")
ap.add_argument("--only", choices=["kaskade", "apache"], help="run one worker only (smoke runs, diagnosis)")
ap.add_argument("--kaskade-override", action="append", default=[], metavar="K=V",
                help="a worker setting for ours only, appended to its file (diagnosis; not for reported runs)")
args = ap.parse_args()

KASKADE = os.environ["KASKADE"]
START_SH, STOP_SH = "e2e/peers/connect/start.sh", "e2e/peers/connect/stop.sh"
LINE = 200
TICK = os.sysconf("SC_CLK_TCK")
STRING = "org.apache.kafka.connect.storage.StringConverter"
RUN_TIMEOUT = 900


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def boottime():
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def proc_start(pid):
    """The exec time of a process, on CLOCK_BOOTTIME (10 ms resolution)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[19]) / TICK


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return float("nan")


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    """VmRSS of each watched process every 100 ms; the highest since the last reset."""

    def __init__(self):
        super().__init__(daemon=True)
        self.pids, self.peak, self.anon, self.lock = {}, {}, {}, threading.Lock()

    def watch(self, label, pid):
        with self.lock:
            self.pids[label], self.peak[label], self.anon[label] = pid, 0, 0

    def reset(self, label):
        with self.lock:
            self.peak[label], self.anon[label] = 0, 0

    def get(self, label):
        """The highest VmRSS and RssAnon (kB) since the last reset."""
        with self.lock:
            return self.peak[label], self.anon[label]

    def run(self):
        while True:
            with self.lock:
                for label, pid in self.pids.items():
                    self.peak[label] = max(self.peak[label], status_kb(pid, "VmRSS"))
                    self.anon[label] = max(self.anon[label], status_kb(pid, "RssAnon"))
            time.sleep(0.1)


def request(url, method="GET", path="/", body=None, timeout=30):
    host, port = url.removeprefix("http://").split(":")
    c = httpclient.HTTPConnection(host, int(port), timeout=timeout)
    try:
        c.request(method, path, body=json.dumps(body) if body is not None else None,
                  headers={"Content-Type": "application/json"} if body is not None else {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def wait_200(url, path, deadline, alive):
    """Polls until GET path answers 200; returns the monotonic time of that answer."""
    while True:
        try:
            st, _ = request(url, path=path, timeout=max(0.1, deadline - time.monotonic()))
            if st == 200:
                return time.monotonic()
        except (OSError, httpclient.HTTPException):
            pass
        if not alive():
            raise RuntimeError(f"the worker at {url} exited before {path} answered 200")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url}{path} did not answer 200 in time")
        time.sleep(0.002)


class Kafka:
    """ListOffsets v1 (latest) over one connection: a topic partition's end offset."""

    def __init__(self, bootstrap):
        host, port = bootstrap.split(":")
        self.addr, self.sock, self.cid = (host, int(port)), None, 0

    def _read(self, n):
        b = b""
        while len(b) < n:
            chunk = self.sock.recv(n - len(b))
            if not chunk:
                raise OSError("broker closed the connection")
            b += chunk
        return b

    def end_offset(self, topic, partition=0):
        if self.sock is None:
            self.sock = socket.create_connection(self.addr)
        self.cid += 1
        client, t = b"connect-bench", topic.encode()
        req = struct.pack(">hhih", 2, 1, self.cid, len(client)) + client
        req += struct.pack(">iih", -1, 1, len(t)) + t + struct.pack(">iiq", 1, partition, -1)
        self.sock.sendall(struct.pack(">i", len(req)) + req)
        resp = self._read(struct.unpack(">i", self._read(4))[0])
        cid, ntopics = struct.unpack_from(">ii", resp, 0)
        assert cid == self.cid and ntopics == 1, (cid, ntopics)
        (nlen,) = struct.unpack_from(">h", resp, 8)
        pos = 10 + nlen
        nparts, _p, err, _ts, off = struct.unpack_from(">iihqq", resp, pos)
        return off if err == 0 and nparts == 1 else None


tmp = tempfile.mkdtemp(prefix="kaskade-connect-bench-")
# A copy: a build in the same target directory during the run must not change what is measured.
subprocess.run(["cp", KASKADE, f"{tmp}/kaskade"], check=True)
KASKADE_SOURCE, KASKADE = KASKADE, f"{tmp}/kaskade"
procs = []  # (kind, handle) to stop at the end


def cleanup():
    for kind, h in reversed(procs):
        try:
            if kind == "popen" and h.poll() is None:
                h.send_signal(signal.SIGTERM)
                h.wait(60)
            elif kind == "apache":
                subprocess.run([STOP_SH, h], stderr=subprocess.DEVNULL, check=False)
        except Exception as e:  # noqa: BLE001
            log(f"cleanup: {e}")
    if not args.keep:
        subprocess.run(["rm", "-rf", tmp], check=False)


# ---------------------------------------------------------------- broker, input

def start_broker():
    port = free_port()
    b = subprocess.Popen(
        [KASKADE, "broker", "--override", f"listeners=PLAINTEXT://127.0.0.1:{port}",
         "--override", f"log.dirs={tmp}/broker", "--override", "group.initial.rebalance.delay.ms=0",
         *[a for kv in args.broker_override for a in ("--override", kv)]],
        stdout=subprocess.PIPE, stderr=open(f"{tmp}/broker.log", "w"), text=True)
    procs.append(("popen", b))
    for line in b.stdout:
        if "listening on" in line:
            break
    threading.Thread(target=lambda: [None for _ in b.stdout], daemon=True).start()
    return b, f"127.0.0.1:{port}"


def write_input(path, n):
    filler = (b"abcdefghijklmnopqrstuvwxyz" * 8)[: LINE - 11]
    with open(path, "wb") as f:
        chunk = []
        for i in range(n):
            chunk.append(b"%010d " % i + filler + b"\n")
            if len(chunk) == 10000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))


def topics(*a):
    subprocess.run([KASKADE, "topics", "--bootstrap-server", BOOTSTRAP, *a], check=True,
                   stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------- workers

class Worker:
    def __init__(self, kind, url, pid, dir_, handle):
        self.kind, self.url, self.pid, self.dir, self.handle = kind, url, pid, dir_, handle

    def alive(self):
        try:
            os.kill(self.pid, 0)
            return True
        except OSError:
            return False

    def stop(self):
        if self.kind == "kaskade":
            self.handle.send_signal(signal.SIGTERM)
            self.handle.wait(60)
        else:
            subprocess.run([STOP_SH, self.dir], stderr=subprocess.DEVNULL, check=True)


APACHE_PROPS = None  # the file start.sh wrote, the template for ours


def props_for(group, port):
    lines = []
    for line in APACHE_PROPS.splitlines():
        k = line.split("=", 1)[0]
        v = {"group.id": group, "config.storage.topic": f"{group}-configs",
             "offset.storage.topic": f"{group}-offsets", "status.storage.topic": f"{group}-status",
             "listeners": f"http://127.0.0.1:{port}", "rest.advertised.port": str(port)}.get(k)
        lines.append(f"{k}={v}" if v is not None else line)
    return "\n".join(lines + args.kaskade_override) + "\n"


def effective(text):
    """A properties file as the worker reads it: the last value of a key wins, in first-seen order."""
    kv = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            kv[k] = v
    return "\n".join(f"{k}={v}" for k, v in kv.items())


def launch_apache(group, port):
    d = tempfile.mkdtemp(prefix=f"apache-{group}-", dir=tmp)
    t0, b0 = time.monotonic(), boottime()
    sh = subprocess.Popen(
        [START_SH, "--bootstrap", BOOTSTRAP, "--port", str(port), "--group", group, "--dir", d,
         "--override", f"config.storage.topic={group}-configs",
         "--override", f"offset.storage.topic={group}-offsets",
         "--override", f"status.storage.topic={group}-status"],
        stdout=subprocess.PIPE, stderr=open(f"{d}/start.sh.log", "w"), text=True)
    deadline = time.monotonic() + 60
    while not os.path.exists(f"{d}/pid") or not open(f"{d}/pid").read().strip():
        if sh.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"start.sh failed: {open(f'{d}/start.sh.log').read()}")
        time.sleep(0.005)
    pid = int(open(f"{d}/pid").read())
    procs.append(("apache", d))
    w = Worker("apache", f"http://127.0.0.1:{port}", pid, d, sh)
    # the java process's exec, on the monotonic clock
    w.exec_offset = proc_start(pid) - b0  # seconds after start.sh's exec
    return w, t0


def launch_kaskade(group, port):
    d = tempfile.mkdtemp(prefix=f"kaskade-{group}-", dir=tmp)
    with open(f"{d}/connect-distributed.properties", "w") as f:
        f.write(props_for(group, port))
    env = dict(os.environ, KASKADE_LOG="info")
    t0 = time.monotonic()
    p = subprocess.Popen([KASKADE, "connect", f"{d}/connect-distributed.properties"], cwd=d, env=env,
                         stdin=subprocess.DEVNULL, stdout=open(f"{d}/connect.log", "w"),
                         stderr=subprocess.STDOUT)
    procs.append(("popen", p))
    w = Worker("kaskade", f"http://127.0.0.1:{port}", p.pid, d, p)
    w.exec_offset = 0.0
    return w, t0


def launch(kind, group):
    port = free_port()
    return (launch_kaskade if kind == "kaskade" else launch_apache)(group, port)


def start_timed(kind, group):
    """Starts a worker; returns it and its times in ms from exec: GET /, /connectors, /health."""
    w, t0 = launch(kind, group)
    deadline = time.monotonic() + 120
    t_root = wait_200(w.url, "/", deadline, w.alive)
    t_list = wait_200(w.url, "/connectors", deadline, w.alive)
    t_health = wait_200(w.url, "/health", deadline, w.alive)
    ms = lambda t: (t - t0 - w.exec_offset) * 1000  # noqa: E731
    times = {"root": ms(t_root), "connectors": ms(t_list), "health": ms(t_health),
             "root_from_script": (t_root - t0) * 1000}
    return w, times


def connector(w, name, config):
    st, body = request(w.url, "POST", "/connectors", {"name": name, "config": config})
    if st != 201:
        raise RuntimeError(f"{w.kind}: creating {name}: {st} {body[:500]!r}")


def delete_connector(w, name):
    st, body = request(w.url, "DELETE", f"/connectors/{name}")
    if st not in (204, 404):
        raise RuntimeError(f"{w.kind}: deleting {name}: {st} {body[:300]!r}")
    deadline = time.monotonic() + 60
    while request(w.url, path="/connectors")[1] and name in json.loads(request(w.url, path="/connectors")[1]):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{w.kind}: {name} still listed 60 s after DELETE")
        time.sleep(0.05)


def wait_running(w, name, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        st, body = request(w.url, path=f"/connectors/{name}/status")
        if st == 200:
            s = json.loads(body)
            tasks = s.get("tasks", [])
            if tasks and all(t["state"] == "RUNNING" for t in tasks):
                return
            if any(t["state"] == "FAILED" for t in tasks) or s["connector"]["state"] == "FAILED":
                raise RuntimeError(f"{w.kind}: {name} failed: {body[:2000]!r}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{w.kind}: {name} not RUNNING after {timeout} s: {st} {body[:500]!r}")
        time.sleep(0.05)


# ---------------------------------------------------------------- measurements

def rest_latency(w, name, calls):
    host, port = w.url.removeprefix("http://").split(":")
    c = httpclient.HTTPConnection(host, int(port), timeout=30)
    path = f"/connectors/{name}/status"

    def call():
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError(f"{w.kind}: status answered {r.status}")

    for _ in range(1000):
        call()
    lat = []
    for _ in range(calls):
        t = time.perf_counter_ns()
        call()
        lat.append((time.perf_counter_ns() - t) / 1e6)
    c.close()
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]  # noqa: E731
    return {"p50": q(0.50), "p99": q(0.99), "p999": q(0.999), "max": lat[-1], "mean": statistics.fmean(lat)}


def pipeline(w, conv, rnd, kafka, sampler, broker_pid):
    tag = f"{w.kind}-{conv}-{rnd}"
    topic, sink_file = f"bench-{tag}", f"{tmp}/sink-{tag}.txt"
    topics("--create", "--topic", topic, "--partitions", "1", "--replication-factor", "1")
    convs = {"key.converter": STRING, "value.converter": STRING} if conv == "string" else {}
    connector(w, f"sink-{tag}", {"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
                                 "tasks.max": "1", "topics": topic, "file": sink_file, **convs})
    wait_running(w, f"sink-{tag}")
    want_size = args.lines * (LINE + 1)
    sampler.reset(w.kind)
    cpu0, bcpu0 = cpu_seconds(w.pid), cpu_seconds(broker_pid)
    t0 = time.monotonic()
    connector(w, f"source-{tag}", {"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                                   "tasks.max": "1", "topic": topic, "file": INPUT, **convs})
    t_src = t_e2e = None
    next_offsets = t0
    while t_e2e is None or t_src is None:
        now = time.monotonic()
        if now - t0 > RUN_TIMEOUT:
            raise RuntimeError(f"{tag}: not done after {RUN_TIMEOUT} s (end offset {kafka.end_offset(topic)}, "
                               f"sink file {os.path.getsize(sink_file) if os.path.exists(sink_file) else 0} B)")
        if t_src is None and now >= next_offsets:
            off = kafka.end_offset(topic)
            if off is not None and off >= args.lines:
                t_src = time.monotonic()
            next_offsets = now + 0.05
        if t_e2e is None and os.path.exists(sink_file) and os.path.getsize(sink_file) >= want_size:
            t_e2e = time.monotonic()
        time.sleep(0.02)
    peak, anon = sampler.get(w.kind)
    cpu, bcpu = cpu_seconds(w.pid) - cpu0, cpu_seconds(broker_pid) - bcpu0
    end_offset = kafka.end_offset(topic)
    same = subprocess.run(["cmp", "-s", INPUT, sink_file]).returncode == 0
    if not same:
        log(f"{tag}: the sink file differs from the input "
            f"({os.path.getsize(sink_file)} vs {os.path.getsize(INPUT)} B, end offset {end_offset})")
    delete_connector(w, f"source-{tag}")
    delete_connector(w, f"sink-{tag}")
    topics("--delete", "--topic", topic)
    os.remove(sink_file)
    r = {"worker": w.kind, "conv": conv, "round": rnd, "source_s": t_src - t0, "e2e_s": t_e2e - t0,
         "source_rate": args.lines / (t_src - t0), "e2e_rate": args.lines / (t_e2e - t0),
         "peak_rss_kb": peak, "peak_anon_kb": anon, "cpu_s": cpu, "broker_cpu_s": bcpu, "identical": same, "end_offset": end_offset}
    log(f"  {tag}: source {r['source_s']:.2f} s ({r['source_rate']:,.0f}/s), end to end {r['e2e_s']:.2f} s "
        f"({r['e2e_rate']:,.0f}/s), peak RSS {peak / 1024:.1f} MiB (anonymous {anon / 1024:.1f}), CPU {cpu:.1f} s, broker CPU {bcpu:.1f} s, "
        f"identical {same}")
    return r


# ---------------------------------------------------------------- the run

def med(xs):
    return statistics.median(xs) if xs else float("nan")


def rng(xs, fmt):
    return f" ({fmt.format(min(xs))}–{fmt.format(max(xs))})" if len(xs) > 1 else ""


def mib(kb):
    return kb / 1024


try:
    KINDS = [args.only] if args.only else ["kaskade", "apache"]
    INPUT = f"{tmp}/input.txt"
    log(f"writing {args.lines} lines of {LINE} B to {INPUT}")
    write_input(INPUT, args.lines)
    broker, BOOTSTRAP = start_broker()
    log(f"broker on {BOOTSTRAP}, pid {broker.pid}")
    kafka = Kafka(BOOTSTRAP)
    sampler = Sampler()
    sampler.start()

    # The template configuration: start.sh's file, from a first Apache worker (not timed).
    w, _ = launch("apache", "template")
    wait_200(w.url, "/health", time.monotonic() + 120, w.alive)
    APACHE_PROPS = open(f"{w.dir}/connect-distributed.properties").read()
    w.stop()

    # 3. start-up
    starts = {k: [] for k in KINDS}
    for i in range(args.starts):
        for kind in KINDS:
            w, t = start_timed(kind, f"start-{kind}-{i}")
            w.stop()
            starts[kind].append(t)
            log(f"start-up {kind} #{i}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in t.items()))

    # 4. the session workers, idle RSS
    workers = {}
    for kind in KINDS:
        w, _ = launch(kind, f"bench-{kind}")
        wait_200(w.url, "/health", time.monotonic() + 120, w.alive)
        workers[kind] = w
        sampler.watch(kind, w.pid)
    time.sleep(5)
    idle = {k: status_kb(w.pid, "VmRSS") for k, w in workers.items()}
    log("idle RSS: " + ", ".join(f"{k} {mib(v):.1f} MiB" for k, v in idle.items()))
    configs = {k: effective(open(f"{w.dir}/connect-distributed.properties").read()) for k, w in workers.items()}

    # 5. REST latency
    open(f"{tmp}/empty.txt", "w").close()
    for kind, w in workers.items():
        connector(w, "latency", {"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
                                 "tasks.max": "1", "topic": f"latency-{kind}", "file": f"{tmp}/empty.txt"})
        wait_running(w, "latency")
    lat = {k: [] for k in KINDS}
    for rnd in range(args.rounds):
        for kind in KINDS:
            l = rest_latency(workers[kind], "latency", args.calls)
            lat[kind].append(l)
            log(f"REST {kind} round {rnd}: p50 {l['p50']:.3f} ms, p99 {l['p99']:.3f} ms, p99.9 {l['p999']:.3f} ms")
    for kind, w in workers.items():
        delete_connector(w, "latency")

    # 6. throughput
    runs = []
    convs = [c for c in args.converters.split(",") if c]
    assert set(convs) <= {"string", "json"}, convs
    for rnd in range(args.rounds):
        order = KINDS if rnd % 2 == 0 else KINDS[::-1]
        for conv in convs:
            for kind in order:
                runs.append(pipeline(workers[kind], conv, rnd, kafka, sampler, broker.pid))
    time.sleep(5)
    idle_after = {k: status_kb(w.pid, "VmRSS") for k, w in workers.items()}
    hwm = {k: status_kb(w.pid, "VmHWM") for k, w in workers.items()}

    # ------------------------------------------------------------ report
    out = []
    p = out.append
    p(f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores, load average "
      f"{os.environ['LOAD']} at the start; commit {os.environ['COMMIT']}; kaskade binary: {KASKADE_SOURCE}.")
    p(f"{args.lines:,} lines of {LINE} B (+ newline); {args.rounds} rounds; medians, range in brackets."
      + (f" Broker overrides: {', '.join(args.broker_override)}." if args.broker_override else "")
      + (f" Overrides for kaskade connect only: {', '.join(args.kaskade_override)}." if args.kaskade_override else "")
      + (f" MALLOC_ARENA_MAX={os.environ['MALLOC_ARENA_MAX']}." if "MALLOC_ARENA_MAX" in os.environ else ""))
    p("")
    p("| measure | kaskade connect | Apache Kafka Connect 4.3.1 | ratio |")
    p("| --- | --- | --- | --- |")

    def sel(kind, conv):
        return [r for r in runs if r["worker"] == kind and r["conv"] == conv]

    def cell(xs, fmt, bold=False, agg=med):
        """The median (or agg) of xs and their range; "–" when this worker did not run."""
        if not xs:
            return "–"
        v = fmt.format(agg(xs))
        return (f"**{v}**" if bold else v) + (rng(xs, fmt) if agg is med else "")

    def ratio(a, b):
        return f"**{med(a) / med(b):.2f}×**" if a and b else ""

    def row(what, key, fmt, source, bold=False, with_ratio=False, agg=med):
        a, b = source("kaskade", key), source("apache", key)
        p(f"| {what} | {cell(a, fmt, bold, agg)} | {cell(b, fmt, False, agg)} | {ratio(a, b) if with_ratio else ''} |")

    names = {"string": "StringConverter", "json": "JsonConverter, schemas.enable=true"}
    for conv in convs:
        of = lambda kind, key, conv=conv: [r[key] for r in sel(kind, conv)]  # noqa: E731
        row(f"file → topic → file, {names[conv]}, end to end, lines/s", "e2e_rate", "{:,.0f}", of, True, True)
        row(f"… source only (topic end offset reaches {args.lines:,}), lines/s", "source_rate", "{:,.0f}", of, True, True)
        row("… end to end, s", "e2e_s", "{:.2f}", of)
        row("… worker CPU time (user+sys), s", "cpu_s", "{:.1f}", of)
        row("… broker CPU time over the run, s", "broker_cpu_s", "{:.1f}", of)
        row("… worker peak RSS during the run (highest of the rounds), MiB", "peak_rss_kb", "{:.1f}",
            lambda kind, key: [mib(x) for x in of(kind, key)], agg=max)
    one = lambda d: lambda kind, key: [mib(d[kind])] if kind in d else []  # noqa: E731
    row("worker RSS idle (joined, no connectors), MiB", None, "{:.1f}", one(idle), True)
    row("worker RSS idle after the load, MiB", None, "{:.1f}", one(idle_after))
    row("worker peak RSS over the session (VmHWM), MiB", None, "{:.1f}", one(hwm), True)
    st = lambda kind, key: [t[key] for t in starts.get(kind, [])]  # noqa: E731
    row("start-up, exec → `GET /` 200, ms", "root", "{:.0f}", st, True)
    row("start-up, exec → `GET /connectors` 200, ms", "connectors", "{:.0f}", st, True)
    row("start-up, exec → `GET /health` 200 (joined its group), ms", "health", "{:.0f}", st, True)
    row("… Apache: from the exec of start.sh → `GET /` 200, ms", "root_from_script", "{:.0f}",
        lambda kind, key: st(kind, key) if kind == "apache" else [])
    lt = lambda kind, key: [l[key] for l in lat.get(kind, [])]  # noqa: E731
    for key, what in (("p50", "p50"), ("p99", "p99"), ("p999", "p99.9")):
        row(f"`GET /connectors/{{c}}/status` {what}, ms ({args.calls:,} calls × {args.rounds} rounds)", key, "{:.3f}", lt, True)
    p("")
    p("Every run (lines/s end to end / source only; peak VmRSS MiB (RssAnon); worker CPU s):")
    p("")
    for r in runs:
        p(f"- round {r['round']} {r['conv']} {r['worker']}: {r['e2e_rate']:,.0f} / {r['source_rate']:,.0f}; "
          f"{mib(r['peak_rss_kb']):.1f} (anonymous {mib(r['peak_anon_kb']):.1f}); {r['cpu_s']:.1f}; "
          f"sink file identical to the input: {r['identical']}")
    p("")
    p("Start-up (ms from exec: GET / · /connectors · /health):")
    p("")
    for kind in KINDS:
        p(f"- {kind}: " + "; ".join(f"{t['root']:.0f} · {t['connectors']:.0f} · {t['health']:.0f}" for t in starts[kind]))
    p("")
    p("Worker configurations (as written for the session workers):")
    for kind in KINDS:
        p("")
        p(f"```properties\n# {kind}\n{configs[kind].rstrip()}\n```")
    report = "\n".join(out)
    print(report)
    os.makedirs("e2e/bench/results", exist_ok=True)
    name = f"e2e/bench/results/connect-{time.strftime('%Y-%m-%d-%H%M', time.gmtime())}.md"
    with open(name, "w") as f:
        f.write(f"# Kafka Connect worker benchmark\n\n`e2e/bench/connect.sh {' '.join(sys.argv[1:])}`\n\n{report}\n")
    log(f"wrote {name}")
    if not all(r["identical"] for r in runs):
        sys.exit("some sink files differed from the input")
finally:
    cleanup()
PY
