#!/usr/bin/env bash
# The JDBC connectors benchmark: MariaDB → topic → MariaDB through our JDBC source and sink in one
# `kaskade connect` worker (release build) on one `kaskade broker` (release build), beside Apache
# Kafka Connect 4.3.1 (e2e/peers/connect) with Debezium's MySQL connector 3.6.1.Final
# (e2e/peers/debezium) reading the same table, and beside MariaDB's own bulk load, in one run.
#
#   e2e/bench/jdbc.sh                        # the full run (≈ 5 min after the build), as in BENCHMARKS.md
#   e2e/bench/jdbc.sh --rows 100000 --latency-rows 200   # a smoke run (≈ 1.5 min)
#   options: --no-build (use $KASKADE or the release binary as it is), --rows N (1000000),
#            --batch-max-rows B,B... (10000,1000: one throughput run each, in order; 1000 is the
#            source's default),
#            --latency-rows L (2000), --latency-rate R (50 inserts/s), --latency-poll-ms P (5),
#            --only kaskade|debezium|load (one part; diagnosis), --sink-override K=V,
#            --source-override K=V and --worker-env K=V (ours only; diagnosis, not for reported runs),
#            --debezium-brokers fsync,nofsync (Debezium's runs, see 6), --broker-override K=V,
#            --keep (the temp dir)
#
# What it does, in this order:
#  1. builds `kaskade` --release (unless --no-build; KASKADE=path picks another binary) and runs a
#     copy of it, fetches Connect's and Debezium's jars, starts a MariaDB of its own
#     (e2e/peers/mariadb/start.sh: binlog ROW, local_infile, innodb_flush_log_at_trx_commit=1,
#     256 MiB buffer pool) with databases `shop` (source) and `reports` (target), writes a CSV
#     of N rows and loads it into shop.users, the story's table (id INT AUTO_INCREMENT PRIMARY
#     KEY, user_id/pwd/name VARCHAR(20), created_at DATETIME DEFAULT NOW()) with LOAD DATA LOCAL
#     INFILE; starts one `kaskade broker` (defaults, but group.initial.rebalance.delay.ms=0);
#  2. starts our worker (Kafka's config/connect-distributed.properties as e2e/peers/connect/start.sh
#     writes it: JsonConverter with schemas, offset.flush.interval.ms=10000), reads its RSS 5 s
#     after GET /health answered 200 (no connectors); this worker runs the latency pipeline (3),
#     then each throughput run (4) has a new worker of its own (own group and internal topics),
#     so that each VmHWM is that run's;
#  3. latency: an empty table shop.latency (the same DDL), its own topic and connectors: source
#     (mode incrementing, poll.interval.ms=100, batch.max.rows default) and sink (upsert,
#     record_value, pk.fields=id, auto.create); one row inserted and waited for (the sink creates
#     its table), then the worker's RSS with both connectors running and idle (5 s later); then L
#     rows inserted one at a time (autocommit) at R/s on a schedule, each INSERT followed by
#     SELECT LAST_INSERT_ID() in the same round trip: the answer's arrival is the row's commit
#     time (the commit happened before it, by less than that round trip). Another session polls
#     SELECT MAX(id) of the target table every P ms: a row is visible at the first poll whose
#     answer holds an id ≥ its own (one partition, one sink task: rows land in id order, and all
#     L are compared at the end). Latency = visible − committed; p50/p99/max;
#  4. throughput, once per B: topic my_topic_users (b<B>_users after the first run; 1
#     partition), the sink (insert.mode=upsert, pk.mode=record_value, pk.fields=id,
#     auto.create=true, batch.size default) created and RUNNING, shop.users read once (its pages
#     in the buffer pool), then t0 = POST of the source (mode incrementing,
#     incrementing.column.name=id, batch.max.rows=B, poll.interval.ms default); source time =
#     until the topic's end offset (ListOffsets, a tiny stdlib client) reaches N; end to end =
#     until the target's COUNT(*) reaches N (polled as MAX(id) every 50 ms, cheap, then confirmed
#     with COUNT(*) at that moment); "sink alone" = the rows the target still lacked when the
#     source was done, over the time it took to get them; then the target is compared with the
#     source row by row (a join on id: every column equal, counts equal). Worker VmRSS is
#     sampled every 100 ms; CPU times (utime+stime, /proc) of the worker (per thread: the sink's
#     and the source's task threads apart), the broker, mariadbd and this script over the run,
#     and the machine's (/proc/stat: what everything else used, steal); the worker's RSS 5 s
#     after, both connectors still running; the connectors are deleted, the worker's VmHWM
#     read, and the worker stopped;
#  5. the target's bulk-load ceiling: CREATE TABLE reports.bulk_copy LIKE the sink's table, then
#     LOAD DATA LOCAL INFILE of the same CSV (mariadb client), timed from the client's exec;
#  6. Debezium: MariaDB restarted with `version=5.7.19-MariaDB-…` (Debezium 3.6's MySQL connector
#     refuses MariaDB 10.11 as it is, see BENCHMARKS.md; the string is what it and Connector/J
#     9.1 accept), shop.users read once, an Apache Kafka Connect worker started by
#     e2e/peers/connect/start.sh with plugin.path = Debezium's plugin directory, its RSS 5 s after
#     ready; topic dbz.shop.users (1 partition) created, then t0 = POST of
#     io.debezium.connector.mysql.MySqlConnector (snapshot.mode=initial, table.include.list=
#     shop.users, schema history in a Kafka topic, everything else Debezium's defaults, the
#     worker's JsonConverter with schemas) until the topic's end offset reaches N; RSS peak, CPU
#     times as above, Debezium's own log line for the table's export. Then the same again with a
#     new Apache worker against a second broker started with log.flush.on.acks.all=false
#     (Kafka's durability default): Connect's source producer keeps one request in flight, so
#     on our default broker each of its small batches (≈ 5 records of ≈ 3.4 KB) waits for an
#     fsync (--debezium-brokers fsync,nofsync picks the runs);
#  7. prints a markdown report and writes it to e2e/bench/results/jdbc-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/peers/lib.sh
target=${CARGO_TARGET_DIR:-$KASKADE_CACHE/target}
if [[ " $* " != *" --no-build "* && -z ${KASKADE:-} ]]; then
  CARGO_TARGET_DIR=$target cargo build --release -p kaskade >&2
fi
e2e/peers/connect/fetch.sh >/dev/null
DEBEZIUM_PLUGINS=$(e2e/peers/debezium/fetch.sh)
for tool in curl mariadb mariadbd; do command -v $tool >/dev/null || die "$tool is missing (e2e/peers/install.sh)"; done
KASKADE=${KASKADE:-$target/release/kaskade} LOAD="$(cut -d' ' -f1-3 /proc/loadavg)" DEBEZIUM_PLUGINS="$DEBEZIUM_PLUGINS" \
  COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- broker-image client common wire || echo ' with local changes')" \
  exec python3 - "$@" <<'PY'
import argparse, http.client as httpclient, json, os, signal, socket, statistics, struct, subprocess, sys
import tempfile, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--no-build", action="store_true")
ap.add_argument("--rows", type=int, default=1_000_000)
ap.add_argument("--batch-max-rows", default="10000,1000",
                help="the source's batch.max.rows of each throughput run, in order (1000 is its default)")
ap.add_argument("--latency-rows", type=int, default=2000)
ap.add_argument("--latency-rate", type=float, default=50.0)
ap.add_argument("--latency-poll-ms", type=float, default=5.0)
ap.add_argument("--debezium-brokers", default="fsync,nofsync",
                help="Debezium's runs: against the session's broker (fsync) and/or a second one with "
                     "log.flush.on.acks.all=false (nofsync)")
ap.add_argument("--only", choices=["kaskade", "debezium", "load"], help="one part only (diagnosis)")
ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
ap.add_argument("--broker-override", action="append", default=[], metavar="K=V")
ap.add_argument("--source-override", action="append", default=[], metavar="K=V",
                help="a setting of our source connector in the throughput run (diagnosis)")
ap.add_argument("--sink-override", action="append", default=[], metavar="K=V",
                help="a setting of our sink connector in the throughput run (diagnosis)")
ap.add_argument("--worker-env", action="append", default=[], metavar="K=V",
                help="an environment variable for our worker only, e.g. GLIBC_TUNABLES=... (diagnosis)")
args = ap.parse_args()

N = args.rows
KASKADE = os.environ["KASKADE"]
TICK = os.sysconf("SC_CLK_TCK")
RUN_TIMEOUT = 1800
DEBEZIUM_VERSION_STRING = "5.7.19-MariaDB-10.11-debezium-bench"
JDBC_SOURCE = "io.confluent.connect.jdbc.JdbcSourceConnector"
JDBC_SINK = "io.confluent.connect.jdbc.JdbcSinkConnector"
USERS_DDL = ("(id INT AUTO_INCREMENT PRIMARY KEY, user_id VARCHAR(20), pwd VARCHAR(20), name VARCHAR(20), "
             "created_at DATETIME DEFAULT NOW())")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return float("nan")


def thread_cpu(pid):
    """CPU seconds of each thread (utime+stime of /proc/PID/task/*): {tid: (name, seconds)}."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.index("(") + 1: s.rindex(")")]
        fields = s.rsplit(")", 1)[1].split()
        out[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / TICK)
    return out


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def mib(kb):
    return kb / 1024


class Sampler(threading.Thread):
    """VmRSS of each watched process every 100 ms; the highest since the last reset."""

    def __init__(self):
        super().__init__(daemon=True)
        self.pids, self.peak, self.lock = {}, {}, threading.Lock()

    def watch(self, label, pid):
        with self.lock:
            self.pids[label], self.peak[label] = pid, 0

    def reset(self, label):
        with self.lock:
            self.peak[label] = 0

    def get(self, label):
        with self.lock:
            return self.peak[label]

    def run(self):
        while True:
            with self.lock:
                for label, pid in self.pids.items():
                    self.peak[label] = max(self.peak[label], status_kb(pid, "VmRSS"))
            time.sleep(0.1)


class Sql:
    """One MariaDB session: a `mariadb` client process in batch mode, fed statements on stdin.
    Each call sends the statements and a marker SELECT and reads lines up to the marker (≈ 70 µs
    a round trip here)."""

    def __init__(self, port, database=None):
        cmd = ["mariadb", "--no-defaults", "--protocol=tcp", "-h127.0.0.1", f"-P{port}", "-ukaskade", "-pkaskade",
               "--batch", "--skip-column-names", "--unbuffered", "--force", "--local-infile=1"]
        self.p = subprocess.Popen(cmd + ([database] if database else []), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.n = 0

    def query(self, sql, check=True):
        """Rows as lists of strings (NULL as None); raises on an error unless check=False (then
        returns None)."""
        self.n += 1
        marker = f"__jdbc_bench_{self.n}__"
        self.p.stdin.write(sql.strip().rstrip(";") + f";\nSELECT '{marker}';\n")
        self.p.stdin.flush()
        rows, error = [], None
        for line in self.p.stdout:
            line = line.rstrip("\n")
            if line == marker:
                break
            if line.startswith("ERROR "):
                error = line
            elif not line.startswith("-----") and error is None:
                rows.append([None if c == "NULL" else c for c in line.split("\t")])
        else:
            raise RuntimeError(f"the mariadb client exited (query: {sql[:200]})")
        if error:
            if check:
                raise RuntimeError(f"{error} (query: {sql[:300]})")
            return None
        return rows

    def value(self, sql, check=True):
        rows = self.query(sql, check)
        return None if rows is None else rows[0][0]

    def close(self):
        try:
            self.p.stdin.close()
            self.p.wait(10)
        except Exception:  # noqa: BLE001
            self.p.kill()


def request(url, method="GET", path="/", body=None, timeout=60):
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
    while True:
        try:
            st, _ = request(url, path=path, timeout=max(0.1, deadline - time.monotonic()))
            if st == 200:
                return
        except (OSError, httpclient.HTTPException):
            pass
        if not alive():
            raise RuntimeError(f"the worker at {url} exited before {path} answered 200")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url}{path} did not answer 200 in time")
        time.sleep(0.01)


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
        client, t = b"jdbc-bench", topic.encode()
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


tmp = tempfile.mkdtemp(prefix="kaskade-jdbc-bench-")
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
                subprocess.run(["e2e/peers/connect/stop.sh", h], stderr=subprocess.DEVNULL, check=False)
            elif kind == "mariadb":
                subprocess.run(["e2e/peers/mariadb/stop.sh", h], stderr=subprocess.DEVNULL, check=False)
        except Exception as e:  # noqa: BLE001
            log(f"cleanup: {e}")
    if not args.keep:
        subprocess.run(["rm", "-rf", tmp], check=False)


# ---------------------------------------------------------------- servers, data

def start_mariadb():
    out = subprocess.run(["e2e/peers/mariadb/start.sh", "--dir", f"{tmp}/mariadb"], check=True,
                         capture_output=True, text=True).stdout
    env = dict(line.split("=", 1) for line in out.split())
    procs.append(("mariadb", env["DIR"]))
    return int(env["PORT"])


def mariadb_pid():
    return int(open(f"{tmp}/mariadb/pid").read())


def restart_mariadb(extra_line):
    """Stops MariaDB, adds a line to its [mariadbd] section and starts it again on the same data."""
    subprocess.run(["e2e/peers/mariadb/stop.sh", f"{tmp}/mariadb"], check=True, stderr=subprocess.DEVNULL)
    cnf = open(f"{tmp}/mariadb/my.cnf").read().replace("[mariadbd]\n", f"[mariadbd]\n{extra_line}\n", 1)
    open(f"{tmp}/mariadb/my.cnf", "w").write(cnf)
    subprocess.run(["e2e/peers/mariadb/start.sh", "--restart", "--dir", f"{tmp}/mariadb"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_broker(name="broker", extra=()):
    port = free_port()
    b = subprocess.Popen(
        [KASKADE, "broker", "--override", f"listeners=PLAINTEXT://127.0.0.1:{port}",
         "--override", f"log.dirs={tmp}/{name}", "--override", "group.initial.rebalance.delay.ms=0",
         *[a for kv in [*args.broker_override, *extra] for a in ("--override", kv)]],
        stdout=subprocess.PIPE, stderr=open(f"{tmp}/{name}.log", "w"), text=True)
    procs.append(("popen", b))
    for line in b.stdout:
        if "listening on" in line:
            break
    threading.Thread(target=lambda: [None for _ in b.stdout], daemon=True).start()
    return b, f"127.0.0.1:{port}"


def topic_bytes(topic):
    """Bytes of a topic's log segments on the broker (partition 0)."""
    d = f"{tmp}/{BROKER_NAME}/{topic}-0"
    try:
        return sum(os.path.getsize(f"{d}/{f}") for f in os.listdir(d) if f.endswith(".log"))
    except OSError:
        return 0


def topics(*a):
    subprocess.run([KASKADE, "topics", "--bootstrap-server", BOOTSTRAP, *a], check=True, stdout=subprocess.DEVNULL)


def write_csv(path, n):
    """N rows of shop.users: id, user_id, pwd, name, created_at (a second per 100 rows)."""
    base = time.mktime((2026, 1, 1, 0, 0, 0, 0, 0, -1))
    with open(path, "w") as f:
        chunk = []
        for i in range(1, n + 1):
            ts = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(base + i // 100))
            chunk.append(f"{i},user{i:07d},pwd{i:07d},User {i:07d} name,{ts}\n")
            if len(chunk) == 10000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))


def load_csv(table, csv):
    """LOAD DATA LOCAL INFILE through a new mariadb client process; seconds from its exec to its exit."""
    t0 = time.monotonic()
    subprocess.run(["mariadb", "--no-defaults", "--protocol=tcp", "-h127.0.0.1", f"-P{DB_PORT}", "-ukaskade",
                    "-pkaskade", "--local-infile=1", "-e",
                    f"LOAD DATA LOCAL INFILE '{csv}' INTO TABLE {table} FIELDS TERMINATED BY ',' "
                    "(id, user_id, pwd, name, created_at)"], check=True)
    return time.monotonic() - t0


def warm(sql, table):
    """Reads every row of a table once (its pages in the buffer pool)."""
    sql.query(f"SELECT COUNT(*), SUM(LENGTH(name)) FROM {table} FORCE INDEX (PRIMARY)")


# ---------------------------------------------------------------- workers

# Kafka's config/connect-distributed.properties as e2e/peers/connect/start.sh writes it.
def worker_props(group, port):
    return f"""bootstrap.servers={BOOTSTRAP}
group.id={group}
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
offset.storage.topic={group}-offsets
offset.storage.replication.factor=1
config.storage.topic={group}-configs
config.storage.replication.factor=1
status.storage.topic={group}-status
status.storage.replication.factor=1
offset.flush.interval.ms=10000
listeners=http://127.0.0.1:{port}
rest.advertised.host.name=127.0.0.1
rest.advertised.port={port}
"""


class Worker:
    def __init__(self, kind, url, pid, dir_, handle=None):
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
            subprocess.run(["e2e/peers/connect/stop.sh", self.dir], stderr=subprocess.DEVNULL, check=True)


def start_kaskade_worker(group):
    port = free_port()
    d = tempfile.mkdtemp(prefix=f"{group}-", dir=tmp)
    props = worker_props(group, port)
    with open(f"{d}/connect-distributed.properties", "w") as f:
        f.write(props)
    p = subprocess.Popen([KASKADE, "connect", f"{d}/connect-distributed.properties"], cwd=d,
                         env=dict(os.environ, KASKADE_LOG="info", **kv(args.worker_env)), stdin=subprocess.DEVNULL,
                         stdout=open(f"{d}/connect.log", "w"), stderr=subprocess.STDOUT)
    procs.append(("popen", p))
    w = Worker("kaskade", f"http://127.0.0.1:{port}", p.pid, d, p)
    wait_200(w.url, "/health", time.monotonic() + 120, w.alive)
    w.props = props
    return w


def start_apache_worker():
    d = tempfile.mkdtemp(prefix="apache-worker-", dir=tmp)
    group = "bench-apache"
    out = subprocess.run(
        ["e2e/peers/connect/start.sh", "--bootstrap", BOOTSTRAP, "--group", group, "--dir", d,
         "--override", f"config.storage.topic={group}-configs", "--override", f"offset.storage.topic={group}-offsets",
         "--override", f"status.storage.topic={group}-status",
         "--override", f"plugin.path={os.environ['DEBEZIUM_PLUGINS']}"],
        check=True, capture_output=True, text=True).stdout
    env = dict(line.split("=", 1) for line in out.split())
    procs.append(("apache", d))
    w = Worker("apache", env["URL"], int(env["PID"]), d)
    w.props = open(f"{d}/connect-distributed.properties").read()
    return w


def connector(w, name, config):
    st, body = request(w.url, "POST", "/connectors", {"name": name, "config": config}, timeout=120)
    if st != 201:
        raise RuntimeError(f"{w.kind}: creating {name}: {st} {body[:1000]!r}")


def delete_connector(w, name):
    st, body = request(w.url, "DELETE", f"/connectors/{name}")
    if st not in (204, 404):
        raise RuntimeError(f"{w.kind}: deleting {name}: {st} {body[:300]!r}")


def wait_running(w, name, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        st, body = request(w.url, path=f"/connectors/{name}/status")
        if st == 200:
            s = json.loads(body)
            tasks = s.get("tasks", [])
            if tasks and all(t["state"] == "RUNNING" for t in tasks):
                return
            if any(t["state"] == "FAILED" for t in tasks) or s["connector"]["state"] == "FAILED":
                raise RuntimeError(f"{w.kind}: {name} failed: {body[:3000]!r}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{w.kind}: {name} not RUNNING after {timeout} s: {st} {body[:500]!r}")
        time.sleep(0.05)


def check_running(w, name):
    st, body = request(w.url, path=f"/connectors/{name}/status")
    if st == 200 and b"FAILED" in body:
        raise RuntimeError(f"{w.kind}: {name} failed: {body[:3000]!r}")


def jdbc_url(db):
    return f"jdbc:mariadb://127.0.0.1:{DB_PORT}/{db}?user=kaskade&password=kaskade"


def source_config(table, prefix, extra):
    return {"connector.class": JDBC_SOURCE, "tasks.max": "1", "connection.url": jdbc_url("shop"),
            "table.whitelist": table, "mode": "incrementing", "incrementing.column.name": "id",
            "topic.prefix": prefix, **extra}


def sink_config(topic, extra):
    return {"connector.class": JDBC_SINK, "tasks.max": "1", "connection.url": jdbc_url("reports"), "topics": topic,
            "insert.mode": "upsert", "pk.mode": "record_value", "pk.fields": "id", "auto.create": "true", **extra}


def kv(pairs):
    return dict(p.split("=", 1) for p in pairs)


def machine_cpu():
    """The machine's CPU seconds from /proc/stat: (user+nice, system+irq+softirq, idle+iowait, steal)."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return ((f[0] + f[1]) / TICK, (f[2] + f[5] + f[6]) / TICK, (f[3] + f[4]) / TICK, f[7] / TICK)


class Cpu:
    """CPU seconds of the processes of a run, from start() to stop(), and of the whole machine."""

    def __init__(self, pids, label_tasks=False):
        self.pids, self.label_tasks = pids, label_tasks

    def start(self):
        self.m0 = machine_cpu()
        self.t0 = {k: cpu_seconds(p) for k, p in self.pids.items()}
        self.threads0 = {k: thread_cpu(p) for k, p in self.pids.items()}
        self.w0 = time.monotonic()

    def stop(self):
        self.wall = time.monotonic() - self.w0
        self.machine = [b - a for a, b in zip(self.m0, machine_cpu())]
        self.d = {k: cpu_seconds(p) - self.t0[k] for k, p in self.pids.items()}
        self.threads = {}
        for k, p in self.pids.items():
            before = self.threads0[k]
            # A connector's task threads are named task-thread-NAME, cut to 15 characters (the
            # kernel's limit), so ours are told apart by when they appeared: the ones already
            # there at start() are the sink's (created first), a new one is the source's.
            named = {}
            for tid, (name, v) in thread_cpu(p).items():
                if name.startswith("task-thread") and k == "worker" and self.label_tasks:
                    name = "sink task thread" if tid in before else "source task thread"
                else:
                    # Numbered threads of one pool share a name (rdk:broker1, ...): digits dropped.
                    name = name.rstrip("0123456789-_#")
                named[name] = named.get(name, 0.0) + v - before.get(tid, (name, 0.0))[1]
            self.threads[k] = named
        return self

    def line(self):
        return ", ".join(f"{k} {v:.1f} s ({v / self.wall * 100:.0f} % of a core)" for k, v in self.d.items())

    def machine_line(self):
        user, system, idle, steal = self.machine
        busy = user + system
        others = busy - sum(v for v in self.d.values() if v == v)
        return (f"{self.wall:.1f} s × {os.cpu_count()} cores: busy {busy:.1f} s (of which everything else on the "
                f"machine {max(0.0, others):.1f} s), idle {idle:.1f} s, steal {steal:.1f} s")

    def top_threads(self, k, n=6):
        ts = sorted(self.threads.get(k, {}).items(), key=lambda x: -x[1])[:n]
        return ", ".join(f"`{name}` {v:.1f}" for name, v in ts if v >= 0.05)


# ---------------------------------------------------------------- measurements

def latency_run(w, db):
    """Returns the latency results (ms) and the idle RSS with both connectors running."""
    db.query("CREATE TABLE shop.latency " + USERS_DDL)
    topic = "lat_latency"
    topics("--create", "--topic", topic, "--partitions", "1", "--replication-factor", "1")
    connector(w, "lat-sink", sink_config(topic, {}))
    connector(w, "lat-source", source_config("latency", "lat_", {"poll.interval.ms": "100"}))
    wait_running(w, "lat-sink")
    wait_running(w, "lat-source")
    db.query("INSERT INTO shop.latency (user_id, pwd, name) VALUES ('warm', 'warm', 'warm up')")
    deadline = time.monotonic() + 60
    while db.value("SELECT COUNT(*) FROM reports.lat_latency", check=False) in (None, "0"):
        if time.monotonic() > deadline:
            raise RuntimeError("the first latency row did not reach the target in 60 s")
        time.sleep(0.05)
    time.sleep(5)
    idle_running = (status_kb(w.pid, "VmRSS"), status_kb(w.pid, "RssAnon"))
    log(f"idle RSS with the latency connectors running: {mib(idle_running[0]):.1f} MiB")

    inserter, poller = db, Sql(DB_PORT)
    committed = {}  # id -> monotonic time of the INSERT's acknowledgement
    insert_rtt = []
    seen = []  # (monotonic time of the poll's answer, max id)
    poll_rtt = []
    done = threading.Event()

    def poll():
        period = args.latency_poll_ms / 1000
        nxt = time.monotonic()
        while not done.is_set():
            t = time.monotonic()
            v = poller.value("SELECT COALESCE(MAX(id), 0) FROM reports.lat_latency")
            t2 = time.monotonic()
            poll_rtt.append(t2 - t)
            seen.append((t2, int(v)))
            nxt += period
            time.sleep(max(0.0, nxt - time.monotonic()))

    th = threading.Thread(target=poll, daemon=True)
    th.start()
    t0 = time.monotonic()
    for i in range(args.latency_rows):
        due = t0 + i / args.latency_rate
        time.sleep(max(0.0, due - time.monotonic()))
        t = time.monotonic()
        rid = int(inserter.value(f"INSERT INTO shop.latency (user_id, pwd, name) VALUES ('lat{i}', 'pwd{i}', "
                                 f"'latency {i}'); SELECT LAST_INSERT_ID()"))
        t2 = time.monotonic()
        committed[rid] = t2
        insert_rtt.append(t2 - t)
    last = max(committed)
    deadline = time.monotonic() + 60
    while not seen or seen[-1][1] < last:
        if time.monotonic() > deadline:
            raise RuntimeError(f"latency rows missing in the target after 60 s (max id {seen[-1][1] if seen else None})")
        time.sleep(0.05)
    done.set()
    th.join()
    poller.close()
    # Visible = the first poll answering an id ≥ the row's.
    lat, j = [], 0
    for rid in sorted(committed):
        while seen[j][1] < rid:
            j += 1
        lat.append((seen[j][0] - committed[rid]) * 1000)
    diff = db.value("SELECT COUNT(*) FROM shop.latency s LEFT JOIN reports.lat_latency t USING (id) "
                    "WHERE NOT (s.user_id <=> t.user_id AND s.pwd <=> t.pwd AND s.name <=> t.name "
                    "AND s.created_at <=> t.created_at)")
    delete_connector(w, "lat-source")
    delete_connector(w, "lat-sink")
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]  # noqa: E731
    r = {"p50": q(0.50), "p90": q(0.90), "p99": q(0.99), "max": lat[-1], "min": lat[0], "n": len(lat),
         "differing": int(diff), "poll_rtt_ms": statistics.fmean(poll_rtt) * 1000,
         "polls": len(poll_rtt), "span_s": (seen[-1][0] - seen[0][0]),
         "insert_rtt_ms": statistics.fmean(insert_rtt) * 1000, "insert_rtt_max_ms": max(insert_rtt) * 1000}
    log(f"latency: p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms over {r['n']} rows; "
        f"rows differing {r['differing']}")
    return r, idle_running


def throughput_run(w, db, kafka, sampler, broker_pid, batch, prefix):
    topic = f"{prefix}users"
    table = f"reports.{topic}"
    src, snk = f"users-source-{batch}", f"users-sink-{batch}"
    topics("--create", "--topic", topic, "--partitions", "1", "--replication-factor", "1")
    connector(w, snk, sink_config(topic, kv(args.sink_override)))
    wait_running(w, snk)
    warm(db, "shop.users")
    sampler.reset("kaskade")
    cpu = Cpu({"worker": w.pid, "broker": broker_pid, "mariadbd": mariadb_pid(), "bench script": os.getpid(),
               "its mariadb client": db.p.pid}, label_tasks=True)
    cpu.start()
    timeline = []
    source_cfg = source_config("users", prefix, {"batch.max.rows": str(batch), **kv(args.source_override)})
    t0 = time.monotonic()
    connector(w, src, source_cfg)
    t_src = t_e2e = None
    max_at_src = 0
    next_tl = t0 + 1
    next_status = t0 + 5
    last_off, last_max = 0, 0
    while t_e2e is None or t_src is None:
        now = time.monotonic()
        if now - t0 > RUN_TIMEOUT:
            raise RuntimeError(f"not done after {RUN_TIMEOUT} s (end offset {last_off}, target max id {last_max})")
        if t_src is None:
            off = kafka.end_offset(topic)
            if off is not None:
                last_off = off
                if off >= N:
                    t_src = time.monotonic()
                    max_at_src = last_max
        if t_e2e is None:
            v = db.value(f"SELECT COALESCE(MAX(id), 0) FROM {table}", check=False)
            if v is not None:
                last_max = int(v)
                if last_max >= N and int(db.value(f"SELECT COUNT(*) FROM {table}")) >= N:
                    t_e2e = time.monotonic()
        if now >= next_tl:
            timeline.append((now - t0, last_off if t_src is None else N, last_max, status_kb(w.pid, "VmRSS")))
            next_tl += 1
        if now >= next_status:
            check_running(w, src)
            check_running(w, snk)
            next_status = now + 5
        time.sleep(0.05)
    cpu.stop()
    peak = sampler.get("kaskade")
    log(f"  kaskade, batch.max.rows={batch}: source {t_src - t0:.2f} s ({N / (t_src - t0):,.0f} rows/s), end to end {t_e2e - t0:.2f} s "
        f"({N / (t_e2e - t0):,.0f} rows/s), peak RSS {mib(peak):.1f} MiB; CPU: {cpu.line()}; {cpu.machine_line()}")
    counts = db.query(f"SELECT (SELECT COUNT(*) FROM shop.users), (SELECT COUNT(*) FROM {table})")[0]
    diff = db.value(f"SELECT COUNT(*) FROM shop.users s LEFT JOIN {table} t USING (id) "
                    "WHERE NOT (s.user_id <=> t.user_id AND s.pwd <=> t.pwd AND s.name <=> t.name "
                    "AND s.created_at <=> t.created_at)")
    ddl = db.query(f"SHOW CREATE TABLE {table}")[0][1].replace("\\n", " ")
    time.sleep(5)
    idle_after = (status_kb(w.pid, "VmRSS"), status_kb(w.pid, "RssAnon"))
    delete_connector(w, src)
    delete_connector(w, snk)
    return {"batch": batch, "source_s": t_src - t0, "e2e_s": t_e2e - t0, "peak_kb": peak, "cpu": cpu,
            "timeline": timeline, "source_count": int(counts[0]), "target_count": int(counts[1]),
            "differing": int(diff), "ddl": ddl, "idle_after": idle_after, "max_at_src": max_at_src,
            "sink_alone": (N - max_at_src) / max(1e-9, t_e2e - t_src), "source_cfg": source_cfg,
            "topic_bytes": topic_bytes(topic),
            "sink_cfg": sink_config(topic, kv(args.sink_override))}


def debezium_run(w, db, kafka, sampler, broker_pid):
    topic = "dbz.shop.users"
    topics("--create", "--topic", topic, "--partitions", "1", "--replication-factor", "1")
    warm(db, "shop.users")
    sampler.reset("apache")
    cfg = {"connector.class": "io.debezium.connector.mysql.MySqlConnector", "tasks.max": "1",
           "database.hostname": "127.0.0.1", "database.port": str(DB_PORT), "database.user": "kaskade",
           "database.password": "kaskade", "database.server.id": "184054", "topic.prefix": "dbz",
           "database.include.list": "shop", "table.include.list": "shop.users", "snapshot.mode": "initial",
           "schema.history.internal.kafka.bootstrap.servers": BOOTSTRAP,
           "schema.history.internal.kafka.topic": "dbz-schema-history"}
    cpu = Cpu({"worker": w.pid, "broker": broker_pid, "mariadbd": mariadb_pid(), "bench script": os.getpid(),
               "its mariadb client": db.p.pid})
    cpu.start()
    timeline = []
    t0 = time.monotonic()
    connector(w, "dbz", cfg)
    next_tl, next_status, off = t0 + 1, t0 + 5, 0
    while True:
        now = time.monotonic()
        if now - t0 > RUN_TIMEOUT:
            raise RuntimeError(f"Debezium: not done after {RUN_TIMEOUT} s (end offset {off})")
        o = kafka.end_offset(topic)
        off = o if o is not None else off
        if off >= N:
            t_src = time.monotonic()
            break
        if now >= next_tl:
            timeline.append((now - t0, off, 0, status_kb(w.pid, "VmRSS")))
            next_tl += 1
        if now >= next_status:
            check_running(w, "dbz")
            next_status = now + 5
        time.sleep(0.05)
    cpu.stop()
    peak = sampler.get("apache")
    log(f"  debezium: {t_src - t0:.2f} s ({N / (t_src - t0):,.0f} rows/s), peak RSS {mib(peak):.1f} MiB; CPU: {cpu.line()}; "
        f"{cpu.machine_line()}")
    time.sleep(5)
    idle_after = (status_kb(w.pid, "VmRSS"), status_kb(w.pid, "RssAnon"))
    hwm = status_kb(w.pid, "VmHWM")
    # Debezium's own account of the snapshot: "Finished exporting N records for table 'shop.users'
    # (1 of 1 tables); total duration 'HH:MM:SS.mmm'".
    exported = None
    try:
        for line in open(f"{w.dir}/connect.log", errors="replace"):
            if "Finished exporting" in line and "shop.users" in line:
                exported = line.split("Finished exporting", 1)[1].split("(io.debezium")[0].strip()
    except OSError:
        pass
    delete_connector(w, "dbz")
    return {"source_s": t_src - t0, "peak_kb": peak, "cpu": cpu, "timeline": timeline, "config": cfg,
            "idle_after": idle_after, "hwm": hwm, "exported": exported, "topic_bytes": topic_bytes(topic)}


# ---------------------------------------------------------------- the run

try:
    parts = {args.only} if args.only else {"kaskade", "debezium", "load"}
    DB_PORT = start_mariadb()
    db = Sql(DB_PORT)
    version = db.value("SELECT VERSION()")
    db.query("CREATE DATABASE shop; CREATE DATABASE reports; CREATE TABLE shop.users " + USERS_DDL)
    CSV = f"{tmp}/users.csv"
    log(f"MariaDB {version} on 127.0.0.1:{DB_PORT}; writing {N:,} rows to {CSV}")
    write_csv(CSV, N)
    source_load_s = load_csv("shop.users", CSV)
    log(f"shop.users loaded in {source_load_s:.2f} s")
    BROKER_NAME = "broker"
    broker, BOOTSTRAP = start_broker()
    log(f"broker on {BOOTSTRAP}, pid {broker.pid}")
    kafka = Kafka(BOOTSTRAP)
    sampler = Sampler()
    sampler.start()
    res = {}

    if "kaskade" in parts:
        # A worker of its own for the latency pipeline and for each throughput run, so that each
        # one's VmHWM is its own (glibc keeps much of what a run freed: RSS stays up after it).
        w = start_kaskade_worker("bench-kaskade-latency")
        sampler.watch("kaskade", w.pid)
        time.sleep(5)
        res["idle_none"] = (status_kb(w.pid, "VmRSS"), status_kb(w.pid, "RssAnon"))
        log(f"kaskade worker idle RSS (no connectors): {mib(res['idle_none'][0]):.1f} MiB")
        res["latency"], res["idle_running"] = latency_run(w, db)
        res["latency_hwm"] = status_kb(w.pid, "VmHWM")
        res["worker_props"] = w.props
        w.stop()
        res["ours"] = []
        for i, batch in enumerate(int(b) for b in args.batch_max_rows.split(",")):
            w = start_kaskade_worker(f"bench-kaskade-{batch}")
            sampler.watch("kaskade", w.pid)
            time.sleep(2)
            idle = status_kb(w.pid, "VmRSS")
            o = throughput_run(w, db, kafka, sampler, broker.pid, batch, "my_topic_" if i == 0 else f"b{batch}_")
            o["idle_before"], o["hwm"] = idle, status_kb(w.pid, "VmHWM")
            res["ours"].append(o)
            w.stop()

    if "load" in parts:
        target_like = "reports.my_topic_users" if "kaskade" in parts else None
        if target_like:
            db.query(f"CREATE TABLE reports.bulk_copy LIKE {target_like}")
        else:  # the DDL our sink creates for the story's table
            db.query("CREATE TABLE reports.bulk_copy (`id` INT NOT NULL, `user_id` TEXT NULL, `pwd` TEXT NULL, "
                     "`name` TEXT NULL, `created_at` DATETIME(3) NULL, PRIMARY KEY(`id`))")
        cpu = Cpu({"mariadbd": mariadb_pid()})
        cpu.start()
        res["bulk_s"] = load_csv("reports.bulk_copy", CSV)
        res["bulk_cpu"] = cpu.stop()
        res["bulk_count"] = int(db.value("SELECT COUNT(*) FROM reports.bulk_copy"))
        log(f"LOAD DATA into an empty copy of the target table: {res['bulk_s']:.2f} s ({N / res['bulk_s']:,.0f} rows/s)")

    if "debezium" in parts:
        db.close()
        restart_mariadb(f"version={DEBEZIUM_VERSION_STRING}")
        db = Sql(DB_PORT)
        log(f"MariaDB restarted as {db.value('SELECT VERSION()')} for Debezium")
        res["dbz"] = []
        for variant in args.debezium_brokers.split(","):
            b, k = broker, kafka
            if variant == "nofsync":
                # A second broker, without the fsync before acknowledging acks=all (Kafka's
                # durability default): Connect's producer has one request in flight (ordering),
                # so each of its small batches waits for an fsync on the default broker.
                BROKER_NAME = "broker-nofsync"
                b, BOOTSTRAP = start_broker(BROKER_NAME, ["log.flush.on.acks.all=false"])
                k = Kafka(BOOTSTRAP)
            a = start_apache_worker()
            sampler.watch("apache", a.pid)
            time.sleep(5)
            idle = (status_kb(a.pid, "VmRSS"), status_kb(a.pid, "RssAnon"))
            log(f"Apache worker idle RSS: {mib(idle[0]):.1f} MiB")
            r = debezium_run(a, db, k, sampler, b.pid)
            r["variant"], r["apache_idle"] = variant, idle
            res["dbz"].append(r)
            res["apache_props"] = a.props
            a.stop()
            if b is not broker:
                b.send_signal(signal.SIGTERM)
                b.wait(60)
                BROKER_NAME, BOOTSTRAP = "broker", f"127.0.0.1:{kafka.addr[1]}"

    # ------------------------------------------------------------ report
    out = []
    p = out.append
    p(f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores, load average "
      f"{os.environ['LOAD']} at the start, {' '.join(open('/proc/loadavg').read().split()[:3])} at the end; "
      f"commit {os.environ['COMMIT']}; kaskade binary: {KASKADE_SOURCE}; MariaDB {version} (one server, "
      f"databases `shop` and `reports`); {N:,} rows.")
    if args.broker_override or args.source_override or args.sink_override or args.worker_env:
        p(f"Overrides: broker {args.broker_override}, source {args.source_override}, sink {args.sink_override}, "
          f"our worker's environment {args.worker_env}.")
    ours = res.get("ours", [])
    if ours:
        p("")
        p("| kaskade connect, JDBC source → topic → JDBC sink | " + " | ".join(
            f"batch.max.rows={o['batch']}" + (" (default)" if o["batch"] == 1000 else "") for o in ours) + " |")
        p("| --- |" + " --- |" * len(ours))

        def row(what, f):
            p(f"| {what} | " + " | ".join(f(o) for o in ours) + " |")

        row(f"**end to end** (POST of the source → target COUNT(*) = {N:,}), rows/s",
            lambda o: f"**{N / o['e2e_s']:,.0f}** ({o['e2e_s']:.2f} s)")
        row(f"**source side** (POST → topic end offset = {N:,}), rows/s",
            lambda o: f"**{N / o['source_s']:,.0f}** ({o['source_s']:.2f} s)")
        row("sink alone, once the source was done (target MAX(id) then → N), rows/s",
            lambda o: f"{o['sink_alone']:,.0f} ({o['max_at_src']:,} rows in the target when the source was done)")
        row("topic size on the broker's disk (record batches), bytes a row",
            lambda o: f"{o['topic_bytes'] / N:,.0f} ({o['topic_bytes'] / 2**20:,.0f} MiB)")
        row("target equals source", lambda o: f"{o['target_count']:,} rows of {o['source_count']:,}, {o['differing']} differing")
        row("CPU over the run", lambda o: o["cpu"].line())
        row("… the machine over the run", lambda o: o["cpu"].machine_line())
        row("worker threads, CPU s", lambda o: o["cpu"].top_threads("worker"))
        row("worker RSS before (a new worker, joined, no connectors), MiB", lambda o: f"{mib(o['idle_before']):.1f}")
        row("worker peak RSS during the run (VmRSS every 100 ms), MiB", lambda o: f"**{mib(o['peak_kb']):.1f}**")
        row("worker RSS 5 s after the run, both connectors still running, MiB",
            lambda o: f"{mib(o['idle_after'][0]):.1f} (anonymous {mib(o['idle_after'][1]):.1f})")
        row("worker VmHWM (its peak RSS, by the kernel), MiB", lambda o: f"**{mib(o['hwm']):.1f}**")
        p("")
        p("| kaskade connect | value |")
        p("| --- | --- |")
        p(f"| worker RSS idle, joined, no connectors, MiB | {mib(res['idle_none'][0]):.1f} (anonymous {mib(res['idle_none'][1]):.1f}) |")
        p(f"| worker RSS idle, two connectors running (the latency pipeline, 5 s after its first row), MiB "
          f"| **{mib(res['idle_running'][0]):.1f}** (anonymous {mib(res['idle_running'][1]):.1f}) |")
        p(f"| worker VmHWM after the latency pipeline, MiB | {mib(res['latency_hwm']):.1f} |")
        l = res["latency"]
        p(f"| **latency INSERT committed → row in the target**, poll.interval.ms=100, {l['n']:,} rows at "
          f"{args.latency_rate:g}/s, ms | p50 **{l['p50']:.1f}**, p90 {l['p90']:.1f}, p99 **{l['p99']:.1f}**, "
          f"max {l['max']:.1f} (min {l['min']:.1f}); rows differing {l['differing']} |")
        p(f"| … resolution | target polled every {args.latency_poll_ms:g} ms ({l['polls']:,} polls in "
          f"{l['span_s']:.1f} s, {l['poll_rtt_ms']:.2f} ms a poll); commit acknowledged {l['insert_rtt_ms']:.2f} ms "
          f"(max {l['insert_rtt_max_ms']:.2f}) after the INSERT was sent |")
    p("")
    p("| MariaDB alone | value |")
    p("| --- | --- |")
    if "bulk_s" in res:
        p(f"| **target's bulk-load ceiling**: LOAD DATA LOCAL INFILE of the {N:,} rows into an empty copy of the "
          f"target table, rows/s | **{N / res['bulk_s']:,.0f}** ({res['bulk_s']:.2f} s, {res['bulk_count']:,} rows; "
          f"mariadbd CPU {res['bulk_cpu'].d['mariadbd']:.1f} s) |")
    p(f"| loading shop.users the same way, before the connectors | {N / source_load_s:,.0f} rows/s ({source_load_s:.2f} s) |")
    dbz = res.get("dbz", [])
    if dbz:
        names = {"fsync": "against the same broker as ours (defaults: fsync before acks=all is answered)",
                 "nofsync": "against a second broker with log.flush.on.acks.all=false"}
        p("")
        p("| Debezium MySQL 3.6.1.Final on Apache Kafka Connect 4.3.1 | "
          + " | ".join(names.get(d["variant"], d["variant"]) for d in dbz) + " |")
        p("| --- |" + " --- |" * len(dbz))

        def drow(what, f):
            p(f"| {what} | " + " | ".join(f(d) for d in dbz) + " |")

        drow(f"**snapshot, POST → topic end offset = {N:,}**, rows/s",
             lambda d: f"**{N / d['source_s']:,.0f}** ({d['source_s']:.2f} s)")
        drow("ours / Debezium's, source side", lambda d: "; ".join(
            f"**{d['source_s'] / o['source_s']:.2f}×** (batch.max.rows={o['batch']})" for o in ours) or "–")
        drow("topic size on the broker's disk (record batches), bytes a row",
             lambda d: f"{d['topic_bytes'] / N:,.0f} ({d['topic_bytes'] / 2**20:,.0f} MiB)")
        drow("Debezium's log: the table read", lambda d: d["exported"] or "not found in its log")
        drow("CPU over the run", lambda d: d["cpu"].line())
        drow("… the machine over the run", lambda d: d["cpu"].machine_line())
        drow("worker threads, CPU s", lambda d: d["cpu"].top_threads("worker"))
        drow("Apache worker RSS idle (ready, no connectors), MiB", lambda d: f"{mib(d['apache_idle'][0]):.1f}")
        drow("Apache worker peak RSS during the snapshot (VmRSS every 100 ms), MiB", lambda d: f"**{mib(d['peak_kb']):.1f}**")
        drow("Apache worker RSS 5 s after, connector running, MiB; VmHWM",
             lambda d: f"{mib(d['idle_after'][0]):.1f}; {mib(d['hwm']):.1f}")
    for o in ours:
        p("")
        p(f"Progress of our run with batch.max.rows={o['batch']}, each second (s: topic end offset, target MAX(id), "
          "worker VmRSS MiB): " + "; ".join(f"{t:.0f}: {a:,}, {b:,}, {mib(r):.0f}" for t, a, b, r in o["timeline"]))
    for d in dbz:
        p("")
        p(f"Progress of the Debezium run ({d['variant']}), each second (s: topic end offset, worker VmRSS MiB): "
          + "; ".join(f"{t:.0f}: {a:,}, {mib(r):.0f}" for t, a, _b, r in d["timeline"]))
    if dbz:
        p("")
        p(f"Debezium's connector config: `{json.dumps(dbz[0]['config'])}`")
    if ours:
        p("")
        p(f"Target table as our sink created it: `{ours[0]['ddl']}`")
        p("")
        p("Our connectors (the first throughput run):")
        p("")
        p(f"```json\n{json.dumps(ours[0]['source_cfg'])}\n{json.dumps(ours[0]['sink_cfg'])}\n```")
        p("")
        p(f"```properties\n# kaskade connect\n{res['worker_props'].rstrip()}\n```")
    report = "\n".join(out)
    print(report)
    os.makedirs("e2e/bench/results", exist_ok=True)
    name = f"e2e/bench/results/jdbc-{time.strftime('%Y-%m-%d-%H%M', time.gmtime())}.md"
    with open(name, "w") as f:
        f.write(f"# JDBC connectors benchmark\n\n`e2e/bench/jdbc.sh {' '.join(sys.argv[1:])}`\n\n{report}\n")
    log(f"wrote {name}")
    bad = any(o["differing"] or o["target_count"] != N for o in res.get("ours", [])) or \
          ("latency" in res and res["latency"]["differing"])
    if bad:
        sys.exit("the target differs from the source")
finally:
    cleanup()
PY
