#!/usr/bin/env python3
"""Start-up of `kaskade broker`: exec → first ApiVersions answer, on an empty log directory and
on one holding TOPICS topics of 3 partitions (a restart after SIGTERM, and after SIGKILL), for
one or more kaskade binaries measured in the same run (e.g. before and after a change):

    e2e/bench/startup.py                                   # target/release/kaskade
    e2e/bench/startup.py --bin before=/tmp/kaskade-old --bin after=target/release/kaskade

Prints a Markdown table of medians (and min–max) over --runs starts each.
"""
import argparse
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import KASKADE, api_versions_ok, free_port, wait_until  # noqa: E402


def start(binary, data, port):
    cmd = [binary, "broker", "--override", f"listeners=PLAINTEXT://127.0.0.1:{port}",
           "--override", f"log.dirs={data}"]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: api_versions_ok(port), timeout=60, every=0.001)
    return proc, (time.monotonic() - t0) * 1000


def stop(proc, kill):
    proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    proc.wait(timeout=60)


def measure(binary, runs, topics):
    out = {"empty": [], "restart": [], "after-kill": []}
    for _ in range(runs):
        d = Path(tempfile.mkdtemp(prefix="bench-startup-"))
        port = free_port()
        proc, ms = start(binary, d / "data", port)
        out["empty"].append(ms)
        for i in range(topics):
            subprocess.run([binary, "topics", "--bootstrap-server", f"127.0.0.1:{port}", "--create",
                            "--topic", f"t{i}", "--partitions", "3"], check=True, capture_output=True)
        stop(proc, kill=False)
        proc, ms = start(binary, d / "data", port)
        out["restart"].append(ms)
        stop(proc, kill=True)
        proc, ms = start(binary, d / "data", port)
        out["after-kill"].append(ms)
        stop(proc, kill=False)
        shutil.rmtree(d, ignore_errors=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", action="append", help="NAME=PATH (repeatable)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--topics", type=int, default=100)
    args = ap.parse_args()
    bins = [b.split("=", 1) for b in (args.bin or [f"kaskade={KASKADE}"])]
    results = {name: measure(path, args.runs, args.topics) for name, path in bins}
    print(f"start-up, exec → first ApiVersions answer, ms: median (min–max) of {args.runs}; "
          f"{args.topics} topics × 3 partitions for the restarts\n")
    print("| binary | empty log dir | restart after SIGTERM | restart after SIGKILL |")
    print("| --- | --- | --- | --- |")
    for name, r in results.items():
        cells = [f"{statistics.median(v):.0f} ({min(v):.0f}–{max(v):.0f})" for v in r.values()]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
