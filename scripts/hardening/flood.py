#!/usr/bin/env python3
"""The flood: many large requests at once against a memory budget (issue 13).

usage: flood.py SERVER_BINARY [extra server args...]

Starts the server on 127.0.0.1 with --port 0 (and, unless the extra args say otherwise,
--max-memory 536870912), then sends FLOOD_CLIENTS (64) concurrent POST /gradients of a 784-1750-10
network, ≈29 MiB each, every client reading while it sends, as curl does, so that an early answer
stops its upload. The clients come from FLOOD_ADDRESSES loopback addresses (127.0.0.2 on, in
turn; default one per client): many clients at once, which the budget and the queue govern. From
one address (FLOOD_ADDRESSES=1) the per-client share (--max-memory-per-client, a quarter of the
budget by default) refuses all but one at a time. Meanwhile it samples the server's resident memory and threads from /proc every
20 ms and asks GET /healthz and GET /metrics every 250 ms. Afterwards: normal requests, and the
metrics' refusal count against the 503s seen.

Criteria (skipped with FLOOD_BEFORE=1, for a server without a budget, to report figures only):
every answer is 200, or 503 with Retry-After and a problem+json body; some are 200; peak resident
memory (VmHWM) ≤ budget + FLOOD_MARGIN_MB (96); threads ≤ FLOOD_MAX_THREADS (16); /healthz and
/metrics always answered within 1 s; normal requests succeed afterwards; the metrics count the 503s.
Prints its figures, then `SUMMARY flood PASS|FAIL ...`; exits 0 only when every criterion held.
Every loop is bounded in time (FLOOD_SECONDS, 240, for the whole flood)."""
import json, os, random, re, select, socket, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from campaign import WORK, Server, connect, head, log, read_response_with_headers, request, small_body  # noqa: E402

CLIENTS = int(os.environ.get("FLOOD_CLIENTS", 64))
ADDRESSES = [f"127.0.0.{2 + i}" for i in range(min(250, int(os.environ.get("FLOOD_ADDRESSES", CLIENTS))))]
MARGIN_MB = float(os.environ.get("FLOOD_MARGIN_MB", 96))
MAX_THREADS = int(os.environ.get("FLOOD_MAX_THREADS", 16))
SECONDS = float(os.environ.get("FLOOD_SECONDS", 240))
BEFORE = os.environ.get("FLOOD_BEFORE") == "1"
BUDGET = 536870912


def flood_body():
    """784-1750-10 sigmoid, one sample: /gradients of ≈29 MiB, as in the issue's report."""
    path = os.path.join(WORK, "flood.json")
    if not os.path.exists(path):
        rng = random.Random(13)

        def matrix(rows, cols):
            return [[rng.uniform(-0.05, 0.05) for _ in range(cols)] for _ in range(rows)]

        body = {"network": {"layers": [{"weights": matrix(1750, 784)}, {"weights": matrix(10, 1750)}]},
                "input": [rng.random() for _ in range(784)], "target": [1.0] + [0.0] * 9}
        with open(path, "w") as f:
            json.dump(body, f, separators=(",", ":"))
    with open(path, "rb") as f:
        return f.read()


class Client(threading.Thread):
    """One POST of the body, reading while sending: an answer that comes before the body is
    sent (a 503 or 413 before reading) stops the upload, as curl does."""

    def __init__(self, port, body, deadline, src):
        super().__init__(daemon=True)
        self.port, self.body, self.deadline, self.src = port, body, deadline, src
        self.status, self.headers, self.data, self.error, self.sent = None, {}, b"", None, 0
        self.seconds = None  # from connecting to the whole answer

    def run(self):
        started = time.monotonic()
        try:
            s = connect(self.port, self.src, timeout=max(1.0, self.deadline - time.monotonic()))
            s.sendall(head("POST", "/gradients", len(self.body)))
            view = memoryview(self.body)
            early = False
            while self.sent < len(view) and not early:
                readable, writable, _ = select.select([s], [s], [], max(0.0, self.deadline - time.monotonic()))
                if readable:
                    early = True  # the server answered before the whole body: stop sending
                elif writable:
                    try:
                        self.sent += s.send(view[self.sent:self.sent + (1 << 20)])
                    except OSError:
                        early = True  # closed while we sent: its answer may be waiting
                elif time.monotonic() >= self.deadline:
                    raise TimeoutError("no progress before the deadline")
            self.status, self.headers, self.data = read_response_with_headers(s)
            self.seconds = time.monotonic() - started
            s.close()
        except (OSError, ValueError) as e:
            self.error = f"{type(e).__name__}: {e}"


class Watch(threading.Thread):
    """Samples /proc every 20 ms; asks /healthz and /metrics every 250 ms, timing the answers."""

    def __init__(self, srv, paths):
        super().__init__(daemon=True)
        self.srv, self.paths, self.stop_event = srv, paths, threading.Event()
        self.rss_mb, self.threads, self.probe_s, self.probe_failures = 0.0, 0, 0.0, []

    def run(self):
        next_probe = 0.0
        while not self.stop_event.is_set():
            try:
                self.rss_mb = max(self.rss_mb, self.srv.rss_mb())
                self.threads = max(self.threads, self.srv.threads())
            except OSError:
                pass
            if time.monotonic() >= next_probe:
                next_probe = time.monotonic() + 0.25
                for path in self.paths:
                    try:
                        status, _, seconds = request(self.srv.port, "GET", path, timeout=5)
                        self.probe_s = max(self.probe_s, seconds)
                        if status != 200 or seconds > 1:
                            self.probe_failures.append(f"{path}: {status} in {seconds:.2f} s")
                    except OSError as e:
                        self.probe_failures.append(f"{path}: {e}")
            time.sleep(0.02)


def check_answer(c):
    """'' when the answer is one the contract allows, else what is wrong with it."""
    if c.error:
        return c.error
    if c.status == 200:
        return ""
    if c.status != 503:
        return f"status {c.status}"
    if not re.fullmatch(r"[1-9][0-9]*", c.headers.get("retry-after", "")):
        return f"503 without a Retry-After ({c.headers.get('retry-after')!r})"
    if c.headers.get("content-type") != "application/problem+json":
        return f"503 as {c.headers.get('content-type')}"
    try:
        problem = json.loads(c.data)
    except ValueError:
        return "503 body is not JSON"
    return "" if problem.get("status") == 503 and problem.get("type") else f"503 problem {problem}"


def rejected_in_metrics(port):
    """backprop_requests_rejected_total by 503 reason ({} if none could be read)."""
    status, text, _ = request(port, "GET", "/metrics")
    if status != 200:
        return {}
    counts = re.findall(rb'backprop_requests_rejected_total\{reason="(memory|queue_full|client_share|shutdown)"\} (\d+)', text)
    return {reason.decode(): int(n) for reason, n in counts}


def part_flood(binary, extra):
    extra = list(extra)
    if not BEFORE and not any(a == "--max-memory" or a.startswith("--max-memory=") for a in extra):
        extra += ["--max-memory", str(BUDGET)]
    budget = BUDGET
    for i, a in enumerate(extra):
        if a == "--max-memory":
            budget = int(extra[i + 1])
    body = flood_body()
    label = "before (no budget)" if BEFORE else f"--max-memory {budget}"
    log(f"  {CLIENTS} concurrent POST /gradients of {len(body) / 2**20:.1f} MiB (784-1750-10) from {len(ADDRESSES)} "
        f"addresses, server {label}")
    srv = Server(binary, ["--quiet", *extra], "flood")
    try:
        idle_mb = srv.rss_mb()
        watch = Watch(srv, ("/healthz",) if BEFORE else ("/healthz", "/metrics"))  # before: no /metrics
        watch.start()
        deadline = time.monotonic() + SECONDS
        started = time.monotonic()
        clients = [Client(srv.port, body, deadline, ADDRESSES[i % len(ADDRESSES)]) for i in range(CLIENTS)]
        for c in clients:
            c.start()
        for c in clients:
            c.join(max(0.1, deadline - time.monotonic()))
        flood_s = time.monotonic() - started
        time.sleep(0.5)
        watch.stop_event.set()
        watch.join(5)
        hwm_mb = (srv._status("VmHWM") or 0) / 1024
        after = [request(srv.port, "POST", "/step", small_body())[0] for _ in range(5)]
        reasons = rejected_in_metrics(srv.port)
        metrics_503 = sum(reasons.values()) if reasons else None
        code, _ = srv.stop()
    except BaseException:
        srv.kill()
        raise
    statuses = {}
    for c in clients:
        key = c.status if c.status is not None else "error"
        statuses[key] = statuses.get(key, 0) + 1
    wrong = [w for w in (check_answer(c) for c in clients) if w]
    ok_count = statuses.get(200, 0)
    seen_503 = statuses.get(503, 0)
    unread = sum(1 for c in clients if c.status == 503 and c.sent < len(body))
    log(f"  answers in {flood_s:.1f} s: {dict(sorted(statuses.items(), key=str))}; "
        f"{unread} of the 503s came before the body was sent")
    for status in (200, 503):
        times = sorted(c.seconds for c in clients if c.status == status and c.seconds is not None)
        if times:
            log(f"  time to a {status}: median {times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
    log(f"  resident memory: {idle_mb:.0f} MB idle, peak {hwm_mb:.0f} MB (VmHWM; sampled max {watch.rss_mb:.0f} MB); "
        f"budget {budget / 2**20:.0f} MiB + margin {MARGIN_MB:.0f} MB")
    log(f"  threads at most {watch.threads}; /healthz and /metrics slowest answer {watch.probe_s * 1000:.0f} ms, "
        f"{len(watch.probe_failures)} late or failed")
    log(f"  afterwards: small /step {after}; metrics count {metrics_503} 503s "
        f"({', '.join(f'{r} {n}' for r, n in sorted(reasons.items()) if n) or 'none'}); exit code {code}")
    checks = [] if BEFORE else [
        (not wrong, f"{len(wrong)} answers outside the contract, e.g. {wrong[:3]}"),
        (ok_count > 0, "no request was served"),
        (hwm_mb <= budget / 2**20 + MARGIN_MB, f"peak RSS {hwm_mb:.0f} MB over the budget + margin"),
        (watch.threads <= MAX_THREADS, f"{watch.threads} threads (bound {MAX_THREADS})"),
        (not watch.probe_failures, f"probes late or failed: {watch.probe_failures[:3]}"),
        (after == [200] * 5, f"normal requests afterwards: {after}"),
        (metrics_503 == seen_503, f"metrics count {metrics_503} 503s, clients saw {seen_503}"),
        (code == 0, f"exit code {code}"),
    ]
    ok = True
    for good, what in checks:
        if not good:
            ok = False
            log(f"  FAIL: {what}")
    summary = (f"flood [{label}]: {CLIENTS} × {len(body) / 2**20:.0f} MiB → {ok_count} × 200, {seen_503} × 503"
               f"{', ' + str(len(wrong)) + ' wrong' if wrong else ''} in {flood_s:.0f} s; peak RSS {hwm_mb:.0f} MB "
               f"({'no budget' if BEFORE else f'budget {budget / 2**20:.0f} MiB'}), {watch.threads} threads, probes ≤ {watch.probe_s * 1000:.0f} ms")
    return ok, summary


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    good, text = part_flood(sys.argv[1], sys.argv[2:])
    print(f"SUMMARY flood {'PASS' if good else 'FAIL'} {text}", flush=True)
    sys.exit(0 if good else 1)
