#!/usr/bin/env python3
"""The live-server parts of scripts/hardening.sh: load, slow, mix, shutdown, flood (flood.py).

usage: campaign.py PART SERVER_BINARY [extra server args...]

Every server runs on 127.0.0.1 with --port 0 and is stopped by its PID; every loop is bounded in
time; all traffic stays on loopback (greedy clients may bind 127.0.0.2-6 as their source, which is
loopback too). Each part prints its measurements, then one line
    SUMMARY <part> PASS|FAIL <figures>
and exits 0 only when every criterion held. Durations come from the environment (see
scripts/hardening.sh --help)."""
import json, os, random, re, select, signal, socket, statistics, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "post.lua")
SMALL = os.path.join(HERE, "small.json")
WORK = os.environ.get("HARDENING_WORK") or tempfile.mkdtemp(prefix="backprop-hardening-")


def env_float(name, default):
    return float(os.environ.get(name, default))


def log(msg):
    print(msg, flush=True)


# MARK: - The server under test

sys.path.insert(0, os.path.dirname(HERE))
from server_under_test import ServerUnderTest  # noqa: E402


def Server(binary, args=(), name="server"):
    """scripts/server_under_test.py's server, its log kept in this campaign's WORK directory."""
    return ServerUnderTest(binary, args, name=name, stderr_path=os.path.join(WORK, f"{name}-{int(time.time() * 1000)}.stderr"))


# MARK: - A raw HTTP/1.1 client (exact bytes, chosen source address, timeouts everywhere)

def connect(port, src="127.0.0.1", timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def head(method, path, length=None, keep_alive=False, extra=()):
    text = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if not keep_alive:
        text += "Connection: close\r\n"
    if length is not None:
        text += f"Content-Type: application/json\r\nContent-Length: {length}\r\n"
    for k, v in extra:
        text += f"{k}: {v}\r\n"
    return (text + "\r\n").encode()


def read_response(s):
    """One response: (status, body bytes). Raises on a close before the response is complete."""
    status, _, body = read_response_with_headers(s)
    return status, body


def read_response_with_headers(s):
    """One response: (status, {lowercased name: value}, body bytes)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response head")
        buf += chunk
    head_bytes, rest = buf.split(b"\r\n\r\n", 1)
    lines = head_bytes.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers["content-length"]) if "content-length" in headers else None
    body = bytearray(rest)  # appending to bytes would copy it all per chunk: seconds for 30 MB
    if length is None:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, headers, bytes(body)
    while len(body) < length:
        chunk = s.recv(max(65536, length - len(body)))
        if not chunk:
            raise ConnectionError(f"closed after {len(body)} of {length} body bytes")
        body += chunk
    return status, headers, bytes(body[:length])


def request(port, method, path, body=b"", src="127.0.0.1", timeout=10):
    """One exchange on a new connection: (status, body, seconds)."""
    t0 = time.monotonic()
    s = connect(port, src, timeout)
    try:
        s.sendall(head(method, path, len(body) if method == "POST" else None) + body)
        status, data = read_response(s)
    finally:
        s.close()
    return status, data, time.monotonic() - t0


def healthz_in_flight(port):
    """The server's live-request count from GET /healthz's `inFlight`, or None if not reported."""
    status, body, _ = request(port, "GET", "/healthz")
    try:
        value = json.loads(body).get("inFlight")
    except ValueError:
        return None
    return value if isinstance(value, int) else None


def wait_in_flight_zero(port, seconds=5):
    """(last value, True when it reached 0); (None, None) when /healthz has no inFlight field."""
    deadline = time.monotonic() + seconds
    value = healthz_in_flight(port)
    if value is None:
        return None, None
    while value != 0 and time.monotonic() < deadline:
        time.sleep(0.1)
        value = healthz_in_flight(port)
    return value, value == 0


# MARK: - wrk

def wrk(port, body_file, connections, seconds, path="/step"):
    r = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "10s", "-s", LUA,
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, env=dict(os.environ, BODY_FILE=body_file), timeout=seconds + 60)
    m = re.search(r"RESULT (.*)", r.stdout)
    if not m:
        raise SystemExit(f"wrk printed no RESULT line:\n{r.stdout}\n{r.stderr}")
    fields = dict(kv.split("=") for kv in m.group(1).split())
    out = {k: float(v) for k, v in fields.items()}
    out["errors"] = int(sum(out[k] for k in ("err_connect", "err_read", "err_write", "err_timeout")))
    out["non2xx"] = int(out["err_status"])
    return out


def fmt_wrk(w):
    return (f"{w['rps']:.0f} req/s, {int(w['requests'])} requests, p50 {w['p50_us'] / 1000:.2f} ms, "
            f"p99 {w['p99_us'] / 1000:.2f} ms, max {w['max_us'] / 1000:.1f} ms, "
            f"{w['errors']} errors, {w['non2xx']} non-2xx")


# MARK: - Bodies

def small_body():
    with open(SMALL, "rb") as f:
        return f.read()


def large_body_file():
    """784-128-10 sigmoid, batch 64, one step: the bench's heavy /step (≈3 MB), generated
    deterministically so the repository need not carry it."""
    path = os.path.join(WORK, "large.json")
    if os.path.exists(path):
        return path
    rng = random.Random(1)

    def matrix(rows, cols, r):
        return [[round(rng.uniform(-r, r), 17) for _ in range(cols)] for _ in range(rows)]

    body = {
        "network": {"layers": [
            {"weights": matrix(128, 784, 0.08), "biases": [0.0] * 128, "activation": "sigmoid"},
            {"weights": matrix(10, 128, 0.2), "biases": [0.0] * 10, "activation": "sigmoid"}]},
        "inputs": [[rng.random() for _ in range(784)] for _ in range(64)],
        "targets": [[1.0 if j == i % 10 else 0.0 for j in range(10)] for i in range(64)],
        "learningRate": 0.1,
    }
    with open(path, "w") as f:
        json.dump(body, f, separators=(",", ":"))
    return path


def xor_body(steps):
    """XOR, 2-2-1 tanh/sigmoid, batch 4: compute only (≈5 µs a step), a tiny upload."""
    return json.dumps({
        "network": {"layers": [
            {"weights": [[0.5, -0.4], [0.3, 0.8]], "biases": [0.1, -0.1], "activation": "tanh"},
            {"weights": [[0.7, -0.6]], "biases": [0.0], "activation": "sigmoid"}]},
        "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]],
        "learningRate": 0.5, "steps": steps, "details": False}).encode()


def write_small_file():
    path = os.path.join(WORK, "small.json")
    with open(path, "wb") as f:
        f.write(small_body())
    return path


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


# MARK: - Part 1: load, memory, live-request counter

def part_load(binary, extra):
    rounds = int(env_float("HARDENING_LOAD_ROUNDS", 3))
    seconds = env_float("HARDENING_LOAD_SECONDS", 20)
    warmup = env_float("HARDENING_LOAD_WARMUP", 5)
    limit_mb = env_float("HARDENING_RSS_GROWTH_MB", 5)
    body = write_small_file()
    srv = Server(binary, ["--quiet", *extra], "load")
    ok = True
    try:
        rss_start = srv.rss_mb()
        w = wrk(srv.port, body, 16, warmup)
        log(f"  warm-up {warmup:.0f} s: {fmt_wrk(w)}")
        series = [srv.rss_mb()]
        log(f"  RSS: {rss_start:.1f} MB at start, {series[0]:.1f} MB after warm-up")
        total = errors = non2xx = 0
        for r in range(rounds):
            w = wrk(srv.port, body, 16, seconds)
            series.append(srv.rss_mb())
            total += int(w["requests"])
            errors += w["errors"]
            non2xx += w["non2xx"]
            log(f"  round {r + 1}/{rounds} {seconds:.0f} s: {fmt_wrk(w)}; RSS {series[-1]:.1f} MB")
        # Clients that give up mid-upload: the abort path must free its per-request state too.
        aborts, abort_seconds = 0, min(5.0, seconds)
        deadline = time.monotonic() + abort_seconds
        payload = small_body()
        while time.monotonic() < deadline:
            s = connect(srv.port)
            s.sendall(head("POST", "/step", len(payload)) + payload[: len(payload) // 2])
            s.close()
            aborts += 1
        time.sleep(0.5)
        rss_after_aborts = srv.rss_mb()
        log(f"  {aborts} uploads abandoned half-way in {abort_seconds:.0f} s; RSS {rss_after_aborts:.1f} MB")
        growth = max(series[-1], rss_after_aborts) - series[0]
        in_flight, zero = wait_in_flight_zero(srv.port)
        if zero is None:
            log("  in-flight: SKIPPED (GET /healthz reports no inFlight field yet)")
        else:
            log(f"  in-flight after the load: {in_flight}")
        code, _ = srv.stop()
    except BaseException:
        srv.kill()
        raise
    checks = [
        (errors == 0, f"{errors} socket errors/timeouts"),
        (non2xx == 0, f"{non2xx} non-2xx answers"),
        (growth < limit_mb, f"RSS growth {growth:.2f} MB after warm-up (limit {limit_mb} MB)"),
        (zero is not False, f"in-flight {in_flight} after the load (expected 0)"),
        (code == 0, f"exit code {code} after SIGTERM"),
    ]
    for good, what in checks:
        if not good:
            ok = False
            log(f"  FAIL: {what}")
    inflight_text = "in-flight n/a" if zero is None else f"in-flight → {in_flight}"
    summary = (f"load {rounds * seconds:.0f} s, {total / 1e6:.2f}M requests, {errors + non2xx} errors, "
               f"RSS {series[0]:.1f} → {max(series[-1], rss_after_aborts):.1f} MB, {inflight_text}")
    return ok, summary


# MARK: - Part 2: slow and greedy clients

class Greedy:
    """Connections that send a head announcing a body, a few bytes of it, then stall."""

    def __init__(self, port, count, sources, trickle=False):
        self.port, self.socks, self.refused = port, [], 0
        # Announcing the largest allowed body (32 MiB): the server reserves that much per request.
        payload = head("POST", "/step", 32 << 20, keep_alive=True) + b'{"network":'
        for i in range(count):
            try:
                s = connect(port, sources[i % len(sources)], timeout=5)
                s.sendall(payload)
                self.socks.append(s)
            except OSError:
                self.refused += 1
        self.trickle_stop = threading.Event()
        if trickle:
            threading.Thread(target=self._trickle, daemon=True).start()

    def _trickle(self):
        while not self.trickle_stop.wait(1.0):
            for s in list(self.socks):
                try:
                    s.send(b" ")
                except OSError:
                    pass

    def held(self):
        """Connections the server still keeps open (closed ones read EOF or a reset)."""
        return sum(self.states())

    def states(self):
        """(uploads still open and unanswered, connections answered early, e.g. a 503 before the
        body): together, what the server still holds open, or has yet to close."""
        waiting = answered = 0
        for s in self.socks:
            r, _, _ = select.select([s], [], [], 0)
            if r:
                try:
                    if s.recv(1, socket.MSG_PEEK):
                        answered += 1  # an early answer (e.g. a 503): counts as open
                except OSError:
                    pass
                continue
            waiting += 1
        return waiting, answered

    def close(self):
        self.trickle_stop.set()
        for s in self.socks:
            s.close()


def normal_client(port, count, src="127.0.0.1", timeout=2.0):
    """`count` rounds of GET /healthz then POST /step (small), each on a new connection.
    Returns (latencies of the successful ones, failures)."""
    body, lat, fails = small_body(), [], 0
    for _ in range(count):
        for method, path, b in (("GET", "/healthz", b""), ("POST", "/step", body)):
            try:
                status, _, seconds = request(port, method, path, b, src=src, timeout=timeout)
                if status == 200:
                    lat.append(seconds)
                else:
                    fails += 1
            except OSError:
                fails += 1
    return lat, fails


def first_success_after(port, start, limit_seconds, src="127.0.0.1", method="GET"):
    """Seconds from `start` until a GET /healthz (or a small POST /step) from `src` is answered
    200, or None within the limit."""
    path, body = ("/healthz", b"") if method == "GET" else ("/step", small_body())
    while time.monotonic() - start < limit_seconds:
        try:
            status, _, _ = request(port, method, path, body, src=src, timeout=1)
            if status == 200:
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.1)
    return None


def part_slow(binary, extra):
    greedy_count = int(env_float("HARDENING_SLOW_CONNECTIONS", 300))
    bound = env_float("HARDENING_SLOW_LATENCY_S", 1.0)
    timeout_b = int(env_float("HARDENING_SLOW_TIMEOUT_S", 3))
    ok = True
    log(f"  server defaults: --max-connections 512, --max-connections-per-ip 128, --connection-timeout 30")

    # A: the greedy client has its own address (127.0.0.2); the normal one comes from 127.0.0.1.
    srv = Server(binary, ["--quiet", *extra], "slow-a")
    try:
        g = Greedy(srv.port, greedy_count, ["127.0.0.2"])
        time.sleep(1.0)
        uploading, answered = g.states()
        held = uploading + answered
        lat, fails = normal_client(srv.port, 20)
        threads, rss, vm = srv.threads(), srv.rss_mb(), srv.vm_mb()
        g.close()
        srv.stop()
    except BaseException:
        srv.kill()
        raise
    p50a, maxa = percentile(lat, 50) * 1000, max(lat, default=float("nan")) * 1000
    log(f"  A. {greedy_count} stalled uploads from 127.0.0.2 (each announced 32 MiB): {uploading} still uploading, "
        f"{answered} answered early (503 before their body), {greedy_count - held} closed; "
        f"server threads {threads}, RSS {rss:.0f} MB, virtual {vm:.0f} MB")
    log(f"     normal client from 127.0.0.1: {len(lat)} answered, {fails} failed, p50 {p50a:.1f} ms, max {maxa:.1f} ms")
    if fails or not lat or maxa / 1000 > bound:
        ok = False
        log(f"  FAIL: the normal client was not served within {bound} s while another address stalled")

    # B: same address (the per-IP limit cannot tell them apart): the idle timeout frees the slots.
    srv = Server(binary, ["--quiet", "--connection-timeout", str(timeout_b), *extra], "slow-b")
    try:
        start = time.monotonic()
        g = Greedy(srv.port, greedy_count, ["127.0.0.1"])
        time.sleep(0.3)
        held_b = g.held()
        _, fails_b = normal_client(srv.port, 1, timeout=1)
        served_after = first_success_after(srv.port, start, timeout_b + 5)
        held_after = g.held()
        g.close()
        srv.stop()
    except BaseException:
        srv.kill()
        raise
    log(f"  B. {greedy_count} stalled uploads from 127.0.0.1 itself, --connection-timeout {timeout_b}: "
        f"{held_b} held; the normal client (same address), at first: {fails_b} of its 2 requests "
        f"failed (the per-IP limit, or its share); served after {served_after if served_after is None else round(served_after, 2)} s "
        f"(the idle timeout closed {held_b - held_after} stalled connections)")
    if served_after is None or served_after > timeout_b + 2:
        ok = False
        log(f"  FAIL: the idle timeout did not free the same-address slots within {timeout_b + 2} s")

    # C (informational): a trickling client (one byte a second) is never idle, so the idle
    # timeout does not free its slots; the upload pace (--upload-min-rate) closes its uploads
    # once they have taken the timeout and fallen behind.
    srv = Server(binary, ["--quiet", "--connection-timeout", str(timeout_b), *extra], "slow-c")
    try:
        start = time.monotonic()
        g = Greedy(srv.port, greedy_count, ["127.0.0.1"], trickle=True)
        served_c = first_success_after(srv.port, start, timeout_b * 2 + 2)
        time.sleep(max(0.0, start + timeout_b * 2 + 2 - time.monotonic()))
        uploading_c, _ = g.states()
        g.close()
        srv.stop()
    except BaseException:
        srv.kill()
        raise
    log(f"  C. the same, but each stalled upload sends one byte a second: after {timeout_b * 2 + 2} s "
        f"{uploading_c} still uploading; normal client from the same address "
        + ("never served (informational)" if served_c is None else f"served after {served_c:.2f} s"))

    # D: many addresses together: each holds its share of the budget (a quarter by default), so
    # four of them take it all, and they trickle, so the idle timeout never closes them: the
    # upload pace must, or a 6th address's POSTs get 503 for ever. (Their 600 connections also
    # exceed --max-connections, 512: the rest wait in the kernel's backlog.)
    srv = Server(binary, ["--quiet", "--connection-timeout", str(timeout_b), *extra], "slow-d")
    try:
        sources = [f"127.0.0.{i}" for i in range(2, 7)]
        start = time.monotonic()
        g = Greedy(srv.port, 120 * len(sources), sources, trickle=True)
        time.sleep(0.5)
        held_d = g.held()
        post_d = first_success_after(srv.port, start, 3 * timeout_b + 5, src="127.0.0.7", method="POST")
        g.close()
        srv.stop()
    except BaseException:
        srv.kill()
        raise
    log(f"  D. {120 * len(sources)} trickling uploads from 5 addresses (120 each), --connection-timeout {timeout_b}: "
        f"{held_d} connected; a 6th address's POST /step served after "
        + ("never" if post_d is None else f"{post_d:.2f} s"))
    if post_d is None or post_d > 2 * timeout_b + 2:
        ok = False
        log(f"  FAIL: trickling uploads from several addresses kept the budget past {2 * timeout_b + 2} s")
    summary = (f"slow clients: {greedy_count} stalled uploads from another address ({uploading} held, {answered} "
               f"refused 503), normal client p50 {p50a:.1f} ms max {maxa:.0f} ms; "
               f"same address served after {'never' if served_after is None else f'{served_after:.1f} s'} "
               f"(timeout {timeout_b} s); 5 addresses trickling: another's POST served after "
               f"{'never' if post_d is None else f'{post_d:.1f} s'}")
    return ok, summary


# MARK: - Part 3: heavy requests mixed with tiny ones

class HeavyLoop:
    """`connections` keep-alive connections POSTing the large body in a loop until stopped."""

    def __init__(self, port, body, connections=2):
        self.body = body
        self.port, self.stop_event, self.lat, self.errors = port, threading.Event(), [], 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(connections)]
        for t in self.threads:
            t.start()

    def _run(self):
        s = None
        while not self.stop_event.is_set():
            try:
                if s is None:
                    s = connect(self.port, timeout=30)
                t0 = time.monotonic()
                s.sendall(head("POST", "/step", len(self.body), keep_alive=True) + self.body)
                status, _ = read_response(s)
                with self.lock:
                    if status == 200:
                        self.lat.append(time.monotonic() - t0)
                    else:
                        self.errors += 1
            except OSError:
                with self.lock:
                    self.errors += 1
                if s:
                    s.close()
                s = None
        if s:
            s.close()

    def stop(self):
        self.stop_event.set()
        for t in self.threads:
            t.join(60)


def part_mix(binary, extra):
    seconds = env_float("HARDENING_MIX_SECONDS", 10)
    bound_ms = env_float("HARDENING_MIX_P99_MS", 100)
    small = write_small_file()
    with open(large_body_file(), "rb") as f:
        large = f.read()
    compute = xor_body(int(env_float("HARDENING_MIX_STEPS", 100_000)))
    label = " ".join(extra) if extra else "defaults"
    if os.environ.get("BACKPROP_THREAD_MODEL"):
        label += f" BACKPROP_THREAD_MODEL={os.environ['BACKPROP_THREAD_MODEL']}"
    srv = Server(binary, ["--quiet", *extra], "mix")
    runs = []
    try:
        wrk(srv.port, small, 16, 2)  # warm-up
        alone = wrk(srv.port, small, 16, seconds)
        for name, body in (("3 MB upload (784-128-10 B64)", large), ("compute (XOR, 100000 steps)", compute)):
            heavy = HeavyLoop(srv.port, body, 2)
            time.sleep(0.5)
            mixed = wrk(srv.port, small, 16, seconds)
            heavy.stop()
            runs.append((name, mixed, heavy))
        srv.stop()
    except BaseException:
        srv.kill()
        raise
    log(f"  server: {label}")
    log(f"  tiny /step alone, 16 connections, {seconds:.0f} s: {fmt_wrk(alone)}")
    ok = alone["errors"] + alone["non2xx"] == 0
    parts = []
    for name, mixed, heavy in runs:
        hp50 = percentile(heavy.lat, 50) * 1000
        log(f"  with 2 connections looping a {name} /step: {fmt_wrk(mixed)}")
        log(f"     heavy: {len(heavy.lat)} answered, {heavy.errors} failed, p50 {hp50:.0f} ms, "
            f"max {max(heavy.lat, default=0) * 1000:.0f} ms")
        if mixed["errors"] + mixed["non2xx"] + heavy.errors:
            ok = False
            log("  FAIL: errors during the mix")
        if mixed["p99_us"] / 1000 > bound_ms:
            ok = False
            log(f"  FAIL: tiny p99 {mixed['p99_us'] / 1000:.0f} ms next to {name} (limit {bound_ms:.0f} ms)")
        parts.append(f"{mixed['p99_us'] / 1000:.1f} ms next to {name.split(' (')[0]} (heavy p50 {hp50:.0f} ms)")
    summary = (f"heavy mix [{label}]: tiny p50 {alone['p50_us'] / 1000:.2f} ms, p99 {alone['p99_us'] / 1000:.2f} ms alone → "
               + ", ".join(parts))
    return ok, summary


# MARK: - Part 6: SIGTERM with requests in flight

def part_shutdown(binary, extra):
    bound = env_float("HARDENING_SHUTDOWN_BOUND_S", 15)
    small = small_body()
    with open(large_body_file(), "rb") as f:
        large = f.read()
    xor = xor_body(100_000)
    srv = Server(binary, extra, "shutdown")
    try:
        # The expected answers, from the same server before the signal (the service is deterministic).
        expected = {}
        for name, b in (("small", small), ("large", large), ("xor", xor)):
            status, data, seconds = request(srv.port, "POST", "/step", b, timeout=60)
            assert status == 200, f"reference {name}: status {status}"
            expected[name] = data
            log(f"  reference {name}: {seconds * 1000:.0f} ms")
        # Five requests in flight at the signal: three uploads whose last bytes come only after
        # it (one 3 MB heavy), and two compute-heavy ones (≈0.3 s each) started just before it.
        jobs = [("slow upload (small)", small, "small"), ("3 MB upload, tail after SIGTERM", large, "large"),
                ("small, tail after SIGTERM", small, "small"), ("XOR 100000 steps", xor, "xor"),
                ("XOR 100000 steps", xor, "xor")]
        results, uploads = {}, {}
        for i in (0, 1, 2):
            body = jobs[i][1]
            s = connect(srv.port, timeout=30)
            held_back = 40 if i == 0 else len(body) - 10
            s.sendall(head("POST", "/step", len(body)) + body[:held_back])
            uploads[i] = (s, held_back)
        time.sleep(0.1)

        def run(i, body):
            try:
                s = connect(srv.port, timeout=30)
                s.sendall(head("POST", "/step", len(body)) + body)
                results[i] = read_response(s)
                s.close()
            except OSError as e:
                results[i] = (None, str(e).encode())

        threads = [threading.Thread(target=run, args=(i, jobs[i][1])) for i in (3, 4)]
        for t in threads:
            t.start()
        time.sleep(0.1)
        t_signal = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        refused_new = False
        try:
            request(srv.port, "GET", "/healthz", timeout=1)
        except OSError:
            refused_new = True
        for i, (s, sent) in uploads.items():  # the rest of each body, slowly, after the signal
            body = jobs[i][1]
            for k in range(sent, len(body), 20):
                s.sendall(body[k:k + 20])
                time.sleep(0.05 if i == 0 else 0)
        for i, (s, _) in uploads.items():
            try:
                results[i] = read_response(s)
            except OSError as e:
                results[i] = (None, str(e).encode())
            s.close()
        for t in threads:
            t.join(bound)
        try:
            code = srv.proc.wait(max(0.1, bound - (time.monotonic() - t_signal)))
        except subprocess.TimeoutExpired:
            code = None
        drained = time.monotonic() - t_signal
        srv.kill()
        srv.stderr.close()
    except BaseException:
        srv.kill()
        raise
    text = srv.log_text()
    m = re.search(r"finishing (\d+) request", text)
    in_flight_at_signal = int(m.group(1)) if m else -1
    ok, good = True, 0
    for i, (name, _, key) in enumerate(jobs):
        status, data = results.get(i, (None, b""))
        right = status == 200 and data == expected[key]
        good += right
        log(f"  {name}: {status} {'correct' if right else 'WRONG or missing'}")
    log(f"  in flight at SIGTERM (server log): {in_flight_at_signal}; new connection after SIGTERM "
        f"{'refused' if refused_new else 'ACCEPTED'}; exit code {code} after {drained:.2f} s")
    if good != len(jobs):
        ok = False
        log(f"  FAIL: {len(jobs) - good} of {len(jobs)} requests not answered correctly")
    if code != 0:
        ok = False
        log(f"  FAIL: exit code {code} (expected 0 within {bound} s)")
    if 0 <= in_flight_at_signal < 3:
        ok = False
        log(f"  FAIL: only {in_flight_at_signal} requests in flight at the signal: the test did not test")
    elif 0 <= in_flight_at_signal < len(jobs):
        log(f"  note: {len(jobs) - in_flight_at_signal} accepted connection(s) had not reached the handler at the "
            f"signal (its pool thread was busy computing); answered all the same")
    summary = (f"shutdown: {in_flight_at_signal} in flight at SIGTERM, {good} of {len(jobs)} answered correctly, "
               f"exit {code} after {drained:.2f} s")
    return ok, summary


def part_flood(binary, extra):
    from flood import part_flood as flood  # flood.py imports this file's helpers
    return flood(binary, extra)


PARTS = {"load": part_load, "slow": part_slow, "mix": part_mix, "shutdown": part_shutdown, "flood": part_flood}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in PARTS:
        sys.exit(__doc__)
    part, binary, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    ok, summary = PARTS[part](binary, extra)
    print(f"SUMMARY {part} {'PASS' if ok else 'FAIL'} {summary}", flush=True)
    sys.exit(0 if ok else 1)
