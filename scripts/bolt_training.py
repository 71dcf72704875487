#!/usr/bin/env python3
"""The training run that BOLT lays the release binary out from (scripts/build-release.sh).

Usage: scripts/bolt_training.py INSTRUMENTED_BINARY

Starts the binary (scripts/server_under_test.py), sends it the workload below, and stops it with
SIGTERM; the instrumented binary writes its profile as it exits. Exits 1 if any answer is not
the one expected, so that a broken build never gets laid out.

The workload is what the service is for, weighted as it is used:
  - every curl example of the README once (every route, the optimizers, the errors);
  - the textbook 2-2-2 /step (the README's first /step example) 20,000 times on one keep-alive
    connection: the small request of a notebook or a terminal, the one whose time is mostly the
    code it runs through;
  - a 784-128-10 sigmoid /step on a batch of 64 (MNIST-sized, random weights from a fixed seed)
    20 times: the large request, whose time is arithmetic and JSON numbers.
BOLT orders code by how often this run executed it; code it never ran (no route is left out)
is moved out of line, which costs it an instruction-cache miss or two, not correctness.
Standard library only.
"""
import http.client
import io
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import readme_examples  # noqa: E402
from server_under_test import ServerUnderTest  # noqa: E402

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
SMALL = {"network": {"layers": [
    {"weights": [[0.15, 0.2], [0.25, 0.3]], "biases": [0.35, 0.35], "activation": "sigmoid"},
    {"weights": [[0.4, 0.45], [0.5, 0.55]], "biases": [0.6, 0.6], "activation": "sigmoid"}]},
    "input": [0.05, 0.1], "target": [0.01, 0.99], "learningRate": 0.5}
SMALL_TIMES, LARGE_TIMES = 20_000, 20


def large_body():
    rng = random.Random(0)
    def layer(units, inputs):
        return {"weights": [[rng.uniform(-0.1, 0.1) for _ in range(inputs)] for _ in range(units)],
                "biases": [0.0] * units, "activation": "sigmoid"}
    inputs = [[rng.random() for _ in range(784)] for _ in range(64)]
    labels = [rng.randrange(10) for _ in range(64)]
    targets = [[1.0 if k == label else 0.0 for k in range(10)] for label in labels]
    return {"network": {"layers": [layer(128, 784), layer(10, 128)]}, "inputs": inputs, "targets": targets,
            "learningRate": 0.1}


def post(connection, body, times):
    payload = json.dumps(body).encode()
    for _ in range(times):
        connection.request("POST", "/step", payload, {"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"/step answered {response.status}: {answer[:300]!r}")


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    with open(README, encoding="utf-8") as f:
        found = readme_examples.examples(f.read())
    server = ServerUnderTest(argv[1], ["--quiet"])
    failed = 0
    try:
        log = io.StringIO()  # shown only when an example fails
        _, failed = readme_examples.run(found, server, "README.md", out=log)
        if failed:
            print(log.getvalue(), end="", file=sys.stderr)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        post(connection, SMALL, SMALL_TIMES)
        post(connection, large_body(), LARGE_TIMES)
        connection.close()
    except (OSError, RuntimeError) as e:
        print(f"training: {e}", file=sys.stderr)
        failed += 1
    finally:
        code, _ = server.stop()
    if code != 0:
        print(f"training: the server exited {code} after SIGTERM (expected 0)", file=sys.stderr)
        failed += 1
    print(f"training: {len(found)} README examples, {SMALL_TIMES} small and {LARGE_TIMES} large /step"
          + (f", {failed} failed" if failed else ""), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
