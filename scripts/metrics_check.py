#!/usr/bin/env python3
"""GET /metrics parses with prometheus_client's own parser, and its counts follow the requests.

usage: metrics_check.py path/to/backprop-server      (needs prometheus-client; scripts/test.sh
                                                     installs it in its venv)

Starts the server on 127.0.0.1, port 0, with --max-body-bytes 1000 and --max-queue 0; reads
/metrics, sends a known mix (small /step, /healthz, an unknown path, a made-up method, an oversize
body refused before it is read, a /step for a worker with no room to queue, so 503), reads /metrics
again and checks every series the contract names, the histogram's shape, and that the counts went up by
exactly what was sent in between. Exits non-zero on any failure; prints `metrics: N passed, M failed`.
"""
import re
import socket
import subprocess
import sys
import time

from prometheus_client.parser import text_string_to_metric_families

STEP = (b'{"network":{"layers":[{"weights":[[0.15,0.2],[0.25,0.3]],"biases":[0.35,0.35]},'
        b'{"weights":[[0.4,0.45],[0.5,0.55]],"biases":[0.6,0.6]}]},"input":[0.05,0.1],'
        b'"target":[0.01,0.99],"learningRate":0.5')
SMALL_STEP = STEP + b"}"
HEAVY_STEP = STEP + b',"steps":1000}'  # over 0.2 ms of work: a computation for a worker


def exchange(port, method, path, body=b"", headers=()):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for k, v in headers:
            head += f"{k}: {v}\r\n"
        if body or method == "POST":
            head += f"Content-Length: {len(body)}\r\n"
        s.sendall(head.encode() + b"\r\n" + body)
        data = bytearray()
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head_bytes, _, rest = bytes(data).partition(b"\r\n\r\n")
    return int(head_bytes.split()[1]), head_bytes.decode(errors="replace"), rest


def scrape(port):
    """{(name, frozenset(labels)): value} of every sample, and the families by name."""
    status, head, text = exchange(port, "GET", "/metrics")
    assert status == 200, f"/metrics answered {status}"
    assert re.search(r"(?im)^content-type: text/plain; version=0\.0\.4", head), head
    families = {f.name: f for f in text_string_to_metric_families(text.decode())}
    samples = {}
    for family in families.values():
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples, families


def main():
    binary = sys.argv[1]
    proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0", "--quiet",
                             "--max-body-bytes", "1000", "--max-queue", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    passed, failed = 0, 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"  FAIL: {what}", file=sys.stderr)

    try:
        line = proc.stdout.readline().decode()
        port = int(re.match(r"listening on http://127\.0\.0\.1:(\d+)", line).group(1))
        before, families = scrape(port)
        for name in ("http_server_request_duration_seconds", "backprop_requests_in_flight",
                     "backprop_requests_queued", "backprop_requests_rejected", "process_resident_memory_bytes"):
            check(name in families, f"family {name} missing (have {sorted(families)})")
        check(families["http_server_request_duration_seconds"].type == "histogram", "duration is a histogram")
        check(families["backprop_requests_rejected"].type == "counter", "rejected is a counter")

        sent = {("/step", "POST", "200"): 3, ("/healthz", "GET", "200"): 2, ("unknown", "GET", "404"): 1,
                ("/step", "_OTHER", "405"): 1, ("/step", "POST", "413"): 1, ("/step", "POST", "503"): 1}
        for _ in range(3):
            check(exchange(port, "POST", "/step", SMALL_STEP)[0] == 200, "small /step")
        status, head, _ = exchange(port, "POST", "/step", HEAVY_STEP)
        check(status == 503 and re.search(r"(?im)^retry-after: [1-9]", head), f"heavy /step with no queue: {status}")
        for _ in range(2):
            check(exchange(port, "GET", "/healthz")[0] == 200, "/healthz")
        check(exchange(port, "GET", "/nowhere")[0] == 404, "unknown path")
        check(exchange(port, "BREW", "/step")[0] == 405, "made-up method")
        check(exchange(port, "POST", "/step", headers=[("Content-Length", "5000"), ("Expect", "100-continue")])[0] == 413,
              "oversize body refused unread")

        after, families = scrape(port)
        key = "http_server_request_duration_seconds"
        for (route, method, code), n in sent.items():
            labels = frozenset({"http_route": route, "http_request_method": method,
                                "http_response_status_code": code}.items())
            grew = after.get((key + "_count", labels), 0) - before.get((key + "_count", labels), 0)
            check(grew == n, f"{route} {method} {code}: count grew by {grew}, sent {n}")
            inf = after.get((key + "_bucket", labels | {("le", "+Inf")}), -1)
            check(inf == after.get((key + "_count", labels)), f"{route} {method} {code}: +Inf bucket = count")
            buckets = sorted((float(dict(l)["le"]), v) for (name, l), v in after.items()
                             if name == key + "_bucket" and labels <= l)
            check(all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), f"{route}: buckets cumulative")
            check(after.get((key + "_sum", labels), -1) > 0, f"{route}: sum of durations")
        metrics_scrape = frozenset({"http_route": "/metrics", "http_request_method": "GET",
                                    "http_response_status_code": "200"}.items())
        check(after.get((key + "_count", metrics_scrape)) == 1, "the first scrape is counted in the second")
        rejected = lambda samples, reason: samples.get(("backprop_requests_rejected_total", frozenset({("reason", reason)})))
        check(rejected(after, "body_too_large") - rejected(before, "body_too_large") == 1, "one 413 counted")
        check(rejected(after, "queue_full") - rejected(before, "queue_full") == 1, "one 503 counted")
        for reason in ("memory", "client_share", "shutdown", "upload_too_slow"):
            check(rejected(after, reason) == 0, f"no 503 for {reason}")
        check(after[("backprop_requests_in_flight", frozenset())] == 1, "in flight: the scrape itself")
        check(after[("backprop_requests_queued", frozenset())] == 0, "nothing queued")
        check(after[("process_resident_memory_bytes", frozenset())] > 1 << 20, "resident memory reported")
        check(after[("backprop_memory_reserved_bytes", frozenset())] == 0, "no memory reserved when idle")
        routes = {dict(l).get("http_route") for (name, l) in after if name.startswith(key)}
        check(routes <= {"/step", "/healthz", "/metrics", "unknown"}, f"route labels bounded: {routes}")
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"metrics: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
