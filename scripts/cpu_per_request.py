#!/usr/bin/env python3
"""CPU time one small request costs a server, user and kernel, read from /proc/PID/stat while wrk
keeps 16 connections busy on its 2-2-2 /step. Steadier than the request rate on a shared machine,
where ten runs of one binary ranged from 57k to 71k req/s (README, "Performance"): with one
polling thread the server is CPU-bound, and its rate is about the inverse of this time.

usage: scripts/cpu_per_request.py [--rounds N] [--seconds S] [--c-ceiling] [--threads T,...] [--bench-dir DIR] [BINARY ...]

Each BINARY (default .build/release/backprop-server) runs with `--threads T --quiet` for each T
(default 1); with --c-ceiling, ../shared/bench's C server runs too (mode pool1: one thread; and
pool2, compare's mode, when several T are given), on its own request format. Besides the CPU time,
it counts the context switches per request of all the server's threads: "blocked" (a polling
thread found nothing ready and slept) and "preempted". Rounds take turns (A, B, C, A, B, C, ...),
each a 1 s warm-up and S seconds measured (default 6), so that the machine's drift falls on all of
them alike. Needs wrk (apt-get install
wrk) and the shared bench directory (--bench-dir, default ../shared/bench) for its bodies; the C
server is the binary its `compare` builds on first use.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from server_under_test import ServerUnderTest  # noqa: E402

DEFAULT_BENCH = os.path.join(HERE, "..", "..", "shared", "bench")
CACHE = os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache"))
C_SERVER = os.path.join(CACHE, "backprop-bench-mhd")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    """utime and stime of the process (all its threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)


def switches(pid):
    """Context switches of all the process's threads: voluntary (a thread blocked, here in
    poll(2) or epoll_wait(2) with nothing ready) and involuntary (the scheduler preempted it)."""
    voluntary = involuntary = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        voluntary += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches:"):
                        involuntary += int(line.split()[1])
        except FileNotFoundError:  # a thread that ended meanwhile
            pass
    return voluntary, involuntary


def wrk(port, body, seconds, bench):
    env = dict(os.environ, BODY_FILE=body)
    out = subprocess.run(["wrk", "-t1", "-c16", f"-d{seconds}s", "-s", os.path.join(bench, "c-ceiling", "post.lua"),
                          f"http://127.0.0.1:{port}/step"], capture_output=True, text=True, env=env,
                         timeout=seconds + 60).stdout
    m = re.search(r"RESULT rps=([\d.]+) requests=(\d+)", out)
    if not m:
        sys.exit(f"cpu_per_request: wrk printed no result:\n{out}")
    return float(m.group(1)), int(m.group(2))


def measure(pid, port, body, seconds, bench):
    wrk(port, body, 1, bench)
    u0, s0 = cpu_ticks(pid)
    v0, i0 = switches(pid)
    rps, n = wrk(port, body, seconds, bench)
    u1, s1 = cpu_ticks(pid)
    v1, i1 = switches(pid)
    per = 1e6 / TICKS / n
    return rps, (u1 - u0) * per, (s1 - s0) * per, (v1 - v0) / n, (i1 - i0) / n


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_c_ceiling(mode, seconds, bench):
    port = free_port()
    proc = subprocess.Popen([C_SERVER, str(port), mode], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):  # up to about 10 s
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit(f"cpu_per_request: the C server did not listen on port {port}")
        return measure(proc.pid, port, os.path.join(bench, "c-ceiling", "request.json"), seconds, bench)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def run_ours(binary, threads, seconds, bench):
    with ServerUnderTest(binary, ["--threads", str(threads), "--quiet"], name="cpu") as server:
        return measure(server.pid, server.port, os.path.join(bench, "peer", "small.json"), seconds, bench)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binaries", nargs="*", default=[os.path.join(HERE, "..", ".build", "release", "backprop-server")])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--c-ceiling", action="store_true")
    parser.add_argument("--threads", default="1",
                        help="polling threads of ours, a comma-separated list (each is a run); the C server runs "
                             "pool1 and, when a list has more than one value, pool2 too")
    parser.add_argument("--bench-dir", default=DEFAULT_BENCH)
    args = parser.parse_args()
    bench = args.bench_dir
    if subprocess.run(["which", "wrk"], capture_output=True).returncode:
        sys.exit("cpu_per_request: needs wrk (apt-get install -y wrk)")
    if args.c_ceiling and not os.access(C_SERVER, os.X_OK):
        sys.exit(f"cpu_per_request: no C server at {C_SERVER}: run ../shared/bench/compare once, which builds it")
    threads = [int(t) for t in args.threads.split(",")]
    modes = ["pool1", "pool2"] if len(threads) > 1 else ["pool1"]
    runs = []
    if args.c_ceiling:
        runs += [(f"C ceiling ({m})", lambda m=m: run_c_ceiling(m, args.seconds, bench)) for m in modes]
    runs += [(f"{os.path.relpath(b)} --threads {t}", lambda b=b, t=t: run_ours(b, t, args.seconds, bench))
             for b in args.binaries for t in threads]
    print(f"{'server':48s} {'req/s':>9s} {'user µs':>8s} {'kernel µs':>9s} {'total µs':>8s} "
          f"{'blocked':>8s} {'preempted':>9s}  (per request)")
    for _ in range(args.rounds):
        for name, run in runs:
            rps, user, kernel, voluntary, involuntary = run()
            print(f"{name:48s} {rps:9.0f} {user:8.2f} {kernel:9.2f} {user + kernel:8.2f} "
                  f"{voluntary:8.3f} {involuntary:9.3f}", flush=True)


if __name__ == "__main__":
    main()
