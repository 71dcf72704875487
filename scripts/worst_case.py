#!/usr/bin/env python3
"""The worst admitted request of every route, timed against the release server.

usage: scripts/worst_case.py [--only NAME[,NAME...]] [--list] [--repeat N] [--bound S]
                             [--budget S] [BINARY [-- SERVER ARGS...]]

`--max-work` promises about a second at most per request. This script builds, for every POST
route, adversarial requests that the default limits ADMIT (--max-work, --max-parameters,
--max-batch, --max-steps, --max-response-bytes, bodies up to --max-body-bytes): one huge layer
with many samples, deep stacks of tiny layers, wide layers of expensive activations, softmax with
cross-entropy, wide-then-narrow, /step with everything switched on, /explain on a big network,
/init at the parameter limit. Each case has one knob (samples, steps, layers, ...), started at or
above the limit: when the server refuses it (422 limit-exceeded), the knob is scaled down by
limit / asked from the refusal's own numbers until the request is admitted, so every case sits just
under whatever limit binds it, whatever the cost model says today.

Each admitted request is then timed REPEAT times (wall clock from the first byte sent to the last
byte of the answer; the server's own duration from its access log beside it), and once more with
an unknown field appended to the body: that request is read and parsed in full, then refused
(422 unknown-field) before any computation, so its time is the upload and the parse.

Prints a table and exits 1 when an admitted request took more than BOUND seconds (default 3:
"about a second" on a quiet machine, with room for a shared 2-core one), when a case could not be
admitted or answered other than 200, or when the run went over its time budget.

Environment: WORST_CASE_BOUND_S (3), WORST_CASE_REPEAT (3), WORST_CASE_SECONDS (900: the whole
run's budget; cases not started by then fail as skipped), WORST_CASE_MAX_MEMORY (the server's
--max-memory, default 4Gi: the server's own default, half of physical memory, would let one
request take 11 GB of a shared machine; a case over it is refused and shrinks like any other).
Without BINARY, .build/release/backprop-server (build it with
`swift build -c release --product backprop-server`). Standard library only.
"""
import http.client
import os
import random
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from server_under_test import ServerUnderTest  # noqa: E402

MAX_BODY = 33554432          # --max-body-bytes' default
MAX_PARAMETERS = 2_000_000   # --max-parameters
MAX_BATCH = 10_000           # --max-batch
MAX_STEPS = 100_000          # --max-steps
MAX_RESPONSE = 67108864      # --max-response-bytes

# MARK: - JSON text, built fast from pools of short numbers

rng = random.Random(2024)


def pool(scale, count=64):
    """Short decimal numbers in [-scale, scale]: what a client sends, 5-8 bytes each."""
    return [f"{rng.uniform(-scale, scale):.3g}" for _ in range(count)]


def row(values, n):
    """n numbers from the pool, comma-separated (the pool repeated)."""
    reps = n // len(values) + 1
    return ",".join((values * reps)[:n])


def matrix(rows, cols, scale=0.5, distinct=8):
    """rows × cols as JSON text; rows cycle through a few distinct ones (for speed)."""
    texts = ["[" + row(pool(scale), cols) + "]" for _ in range(min(distinct, rows))]
    return "[" + ",".join(texts[r % len(texts)] for r in range(rows)) + "]"


def fractions(rows, cols, distinct=8):
    """rows × cols of numbers in (0, 1): targets for cross_entropy after sigmoid."""
    texts = ["[" + ",".join(f"{rng.uniform(0.01, 0.99):.3f}" for _ in range(cols)) + "]" for _ in range(min(distinct, rows))]
    return "[" + ",".join(texts[r % len(texts)] for r in range(rows)) + "]"


def one_hot(rows, cols):
    texts = []
    for r in range(min(rows, 8)):
        v = ["0"] * cols
        v[(r * 7919) % cols] = "1"
        texts.append("[" + ",".join(v) + "]")
    return "[" + ",".join(texts[r % len(texts)] for r in range(rows)) + "]"


def layer(units, inputs, activation="sigmoid", biases=True, scale=None):
    scale = scale if scale is not None else 1 / max(inputs, 1) ** 0.5
    text = '{"weights":' + matrix(units, inputs, scale)
    if biases:
        text += ',"biases":[' + row(pool(0.1), units) + "]"
    return text + ',"activation":"' + activation + '"}'


def network(layers):
    return '{"layers":[' + ",".join(layers) + "]}"


def deep(count, activation="sigmoid"):
    """count layers of one unit with one input: the cheapest parameters, the most layers."""
    one = '{"weights":[[0.9]],"biases":[0.1],"activation":"' + activation + '"}'
    return '{"layers":[' + ",".join([one] * count) + "]}"


def body(net, inputs=None, targets=None, **fields):
    parts = ['"network":' + net]
    if inputs is not None:
        parts.append('"inputs":' + inputs)
    if targets is not None:
        parts.append('"targets":' + targets)
    for k, v in fields.items():
        parts.append(f'"{k}":' + (v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else repr(v)))
    return ("{" + ",".join(parts) + "}").encode()


# MARK: - The cases: (name, route, knob's start, shape(k), body(k))
#
# Every knob scales the request's cost about linearly, so one or two refusals bring it under the
# limit. Starts are at or just above the limits of the cost model as it is; if the model changes,
# the refusals say by how much to shrink.

CASES = []


def case(name, route, start, shape, build, minimum=1):
    CASES.append(dict(name=name, route=route, start=start, shape=shape, build=build, minimum=minimum))


# /forward
case("forward-huge-layer", "/forward", 500,
     lambda k: f"1999-1000 sigmoid (2 000 000 parameters), {k} samples",
     lambda k: body(network([layer(1000, 1999)]), matrix(k, 1999)))
case("forward-wide-narrow", "/forward", 2000,
     lambda k: f"1-10000-1 tanh (issue 13's), {k} samples",
     lambda k: body(network([layer(10000, 1, "tanh"), layer(1, 10000, "linear")]), matrix(k, 1)))
case("forward-deep", "/forward", 250_000,
     lambda k: f"{k} layers 1-1 sigmoid, 1 sample",
     lambda k: body(deep(k), "[[0.5]]"))
case("forward-softmax-ce", "/forward", 200,
     lambda k: f"100-10000 softmax + cross_entropy, {k} samples",
     lambda k: body(network([layer(10000, 100, "softmax")]), matrix(k, 100), one_hot(k, 10000), loss='"cross_entropy"'))
case("forward-most-numbers", "/forward", 10_000,
     lambda k: f"1600-1 sigmoid, {k} samples of 1600 zeros (the most numbers a body holds)",
     lambda k: body(network([layer(1, 1600)]), "[" + ",".join(["[" + ",".join(["0"] * 1600) + "]"] * k) + "]"))

# /gradients
case("gradients-huge-layer", "/gradients", 500,
     lambda k: f"3999-500 sigmoid (2 000 000 parameters), {k} samples",
     lambda k: body(network([layer(500, 3999)]), matrix(k, 3999), matrix(k, 500, 0.5)))
case("gradients-deep", "/gradients", 250_000,
     lambda k: f"{k} layers 1-1 sigmoid, 1 sample",
     lambda k: body(deep(k), "[[0.5]]", "[[0.2]]"))
case("gradients-wide-tanh", "/gradients", 10_000,
     lambda k: f"1-2000-1 tanh, {k} samples",
     lambda k: body(network([layer(2000, 1, "tanh"), layer(1, 2000, "linear")]), matrix(k, 1), matrix(k, 1)))
case("gradients-softmax-ce", "/gradients", 200,
     lambda k: f"100-10000 softmax + cross_entropy, {k} samples",
     lambda k: body(network([layer(10000, 100, "softmax")]), matrix(k, 100), one_hot(k, 10000), loss='"cross_entropy"'))

# /step (details false: the answer is the network and the losses, whatever the batch)
XOR = dict(inputs="[[0,0],[0,1],[1,0],[1,1]]", targets="[[0],[1],[1],[0]]")
case("step-xor", "/step", MAX_STEPS,
     lambda k: f"2-2-1 tanh/sigmoid on XOR, {k} steps",
     lambda k: body(network([layer(2, 2, "tanh"), layer(1, 2)]), XOR["inputs"], XOR["targets"],
                    learningRate=0.5, steps=k, details=False, lossEvery=1000))
case("step-deep", "/step", 3000,
     lambda k: f"100 layers 1-1 sigmoid, 1 sample, {k} steps",
     lambda k: body(deep(100), "[[0.5]]", "[[0.2]]", learningRate=0.1, steps=k, details=False, lossEvery=1000))
case("step-three-40", "/step", MAX_STEPS,
     lambda k: f"40-40-40-40 sigmoid, 1 sample, {k} steps",
     lambda k: body(network([layer(40, 40), layer(40, 40), layer(40, 40)]), matrix(1, 40), matrix(1, 40, 0.4),
                    learningRate=0.1, steps=k, details=False, lossEvery=1000))
case("step-wide-tanh", "/step", 1000,
     lambda k: f"1-1000 tanh, 1000 samples, {k} steps",
     lambda k: body(network([layer(1000, 1, "tanh")]), matrix(1000, 1), matrix(1000, 1000, 0.5),
                    learningRate=0.01, steps=k, details=False, lossEvery=100))
case("step-wide-narrow", "/step", 1000,
     lambda k: f"1-1000-1 sigmoid, 1000 samples, {k} steps",
     lambda k: body(network([layer(1000, 1), layer(1, 1000, "linear")]), matrix(1000, 1), matrix(1000, 1),
                    learningRate=0.01, steps=k, details=False, lossEvery=100))
case("step-softmax-ce", "/step", 1000,
     lambda k: f"1-1000 softmax + cross_entropy, 1000 samples, {k} steps",
     lambda k: body(network([layer(1000, 1, "softmax")]), matrix(1000, 1), one_hot(1000, 1000), loss='"cross_entropy"',
                    learningRate=0.1, steps=k, details=False, lossEvery=100))
case("step-sigmoid-ce", "/step", 1000,
     lambda k: f"1-1000 sigmoid + cross_entropy, 1000 samples, {k} steps",
     lambda k: body(network([layer(1000, 1, "sigmoid")]), matrix(1000, 1), fractions(1000, 1000),
                    loss='"cross_entropy"', learningRate=0.1, steps=k, details=False, lossEvery=100))
case("step-many-samples", "/step", 50_000,
     lambda k: f"1-1 sigmoid + cross_entropy, 10000 samples, {k} steps",
     lambda k: body(network([layer(1, 1)]), matrix(10000, 1), fractions(10000, 1), loss='"cross_entropy"',
                    learningRate=0.1, steps=k, details=False, lossEvery=1000))
case("step-deep-adam", "/step", 3000,
     lambda k: f"100 layers 1-1 sigmoid, 1 sample + 1 validation, adam, l1+l2, lossEvery 1, {k} steps",
     lambda k: body(deep(100), "[[0.5]]", "[[0.2]]", learningRate=0.01, optimizer='"adam"', steps=k, details=False,
                    regularization='{"l2":0.001,"l1":0.0001}', validation='{"inputs":[[0.4]],"targets":[[0.3]]}'))
case("step-batch-of-one", "/step", MAX_STEPS,
     lambda k: f"1-1 sigmoid, 10000 samples, batchSize 1, {k} steps",
     lambda k: body(network([layer(1, 1)]), matrix(10000, 1), matrix(10000, 1, 0.5),
                    learningRate=0.1, batchSize=1, steps=k, details=False, lossEvery=1000))
case("step-everything", "/step", 1000,
     lambda k: f"64-256 relu-10 softmax, 10000 samples + 10000 validation, adam, l1+l2, batchSize 32, lossEvery 1, details, {k} steps",
     lambda k: body(network([layer(256, 64, "relu"), layer(10, 256, "softmax")]), matrix(10000, 64), one_hot(10000, 10),
                    loss='"cross_entropy"', learningRate=0.001, optimizer='"adam"', batchSize=32, steps=k, lossEvery=1,
                    regularization='{"l2":0.001,"l1":0.0001}',
                    validation='{"inputs":' + matrix(10000, 64) + ',"targets":' + one_hot(10000, 10) + "}"))
case("step-validation", "/step", 5000,
     lambda k: f"2-8-1 tanh/sigmoid, 4 samples + 10000 validation, lossEvery 1, {k} steps",
     lambda k: body(network([layer(8, 2, "tanh"), layer(1, 8)]), XOR["inputs"], XOR["targets"], learningRate=0.5,
                    steps=k, details=False, validation='{"inputs":' + matrix(10000, 2) + ',"targets":' + matrix(10000, 1, 0.5) + "}"))
case("step-adam-big", "/step", 40,
     lambda k: f"1000-890 sigmoid (890 890 parameters), 1 sample, adam + l1 + l2, {k} steps",
     lambda k: body(network([layer(890, 1000)]), matrix(1, 1000), matrix(1, 890, 0.5), optimizer='"adam"',
                    learningRate=0.001, steps=k, details=False, regularization='{"l2":0.001,"l1":0.0001}'))

# /explain (the answer is a few kilobytes whatever the request)
case("explain-huge-layer", "/explain", 500,
     lambda k: f"1999-1000 sigmoid (2 000 000 parameters), {k} samples",
     lambda k: body(network([layer(1000, 1999)]), matrix(k, 1999), matrix(k, 1000, 0.5), weight='{"layer":0,"unit":0,"input":0}'))
case("explain-deep", "/explain", 250_000,
     lambda k: f"{k} layers 1-1 sigmoid, weight of layer 0",
     lambda k: body(deep(k), "[[0.5]]", "[[0.2]]", weight='{"layer":0,"unit":0,"input":0}'))
case("explain-wide-tanh", "/explain", 10_000,
     lambda k: f"1-2000-1 tanh, {k} samples",
     lambda k: body(network([layer(2000, 1, "tanh"), layer(1, 2000, "linear")]), matrix(k, 1), matrix(k, 1),
                    weight='{"layer":0,"unit":0,"input":0}'))
case("explain-wide-hidden", "/explain", 33_333,
     lambda k: f"1-{k}-1 tanh, 10000 samples",
     lambda k: body(network([layer(k, 1, "tanh"), layer(1, k, "linear")]), matrix(10000, 1), matrix(10000, 1),
                    weight='{"layer":0,"unit":0,"input":0}'))
case("explain-softmax-ce", "/explain", 10_000,
     lambda k: f"1-1000 softmax + cross_entropy, {k} samples",
     lambda k: body(network([layer(1000, 1, "softmax")]), matrix(k, 1), one_hot(k, 1000), loss='"cross_entropy"',
                    weight='{"layer":0,"unit":0,"input":0}'))

# /init (no network in the body: the sizes)
case("init-max-parameters", "/init", 1000,
     lambda k: f"sizes [1999, {k}] (about {1999 * k + k:,} parameters)",
     lambda k: ('{"sizes":[1999,' + str(k) + '],"seed":1}').encode())
case("init-deep", "/init", 1_000_000,
     lambda k: f"sizes [1, 1 × {k}] leaky_relu ({k} layers, {2 * k:,} parameters)",
     lambda k: ('{"sizes":[' + ",".join(["1"] * (k + 1)) + '],"activation":"leaky_relu","seed":1}').encode())
case("init-deep-no-biases", "/init", 2_000_000,
     lambda k: f"sizes [1, 1 × {k}] leaky_relu, no biases ({k} layers and parameters)",
     lambda k: ('{"sizes":[' + ",".join(["1"] * (k + 1)) + '],"activation":"leaky_relu","biases":false,"seed":1}').encode())


# MARK: - HTTP

class Client:
    def __init__(self, port):
        self.port = port

    def post(self, route, data, timeout=120):
        """(status, answer bytes, seconds from the first byte sent to the last received)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            t0 = time.perf_counter()
            c.request("POST", route, body=data, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            answer = r.read()
            return r.status, answer, time.perf_counter() - t0
        finally:
            c.close()


LOG_LINE = re.compile(rb"POST (\S+) (\d{3}) ([0-9.]+)ms (\d+)B")


class ServerLog:
    """The server's access log: the duration of the last POST since the previous call."""

    def __init__(self, path):
        self.path, self.offset = path, 0

    def last(self):
        # The server writes its log in batches, at least every 100 ms: wait for the line.
        data, deadline = b"", time.monotonic() + 1
        while True:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                more = f.read()
            self.offset += len(more)
            data += more
            found = LOG_LINE.findall(data)
            if found or time.monotonic() > deadline:
                return float(found[-1][2]) / 1000 if found else float("nan")
            time.sleep(0.02)


# The refusals' numbers: "X exceeds the work limit L", "about X bytes; the limit is L", ...
LIMITS = [re.compile(p) for p in (
    r"= (\d+) exceeds the work limit (\d+)",
    r"would be about (\d+) bytes; the limit is (\d+)",
    r"would need about (\d+) bytes of memory; this server's budget is (\d+)",
    r"has (\d+) parameters; the limit is (\d+)",
    r"has (\d+) samples; the limit is (\d+)",
    r"^(\d+) steps exceed the limit of (\d+)",
)]


def shrink_ratio(answer):
    """limit / asked for the most binding limit named in a 422, or None if none is recognised."""
    import json
    try:
        problem = json.loads(answer)
    except ValueError:
        return None
    if problem.get("type") != "urn:backprop:problem:limit-exceeded":
        return None
    ratios = []
    for e in problem.get("errors", []):
        for p in LIMITS:
            m = p.search(e.get("detail", ""))
            if m:
                ratios.append(int(m.group(2)) / int(m.group(1)))
    return min(ratios) if ratios else None


# MARK: - Running a case

def run_case(c, client, log, repeat):
    """Admits the case (shrinking its knob), then times it. Returns a result dict."""
    k, probes, admitted, refusals = c["start"], 0, None, []
    result = dict(name=c["name"], route=c["route"], problem=None, walls=[], servers=[])
    while probes < 12:
        data = c["build"](k)
        if len(data) > MAX_BODY:
            k = max(c["minimum"], int(k * MAX_BODY / len(data) * 0.99))
            probes += 1
            continue
        probes += 1
        status, answer, wall = client.post(c["route"], data)
        server = log.last()
        if status == 200:
            admitted = data
            result["walls"].append(wall)
            result["servers"].append(server)
            result["response_bytes"] = len(answer)
            break
        ratio = shrink_ratio(answer) if status == 422 else None
        if ratio is None or k <= c["minimum"]:
            result["problem"] = f"{status} {answer[:300].decode(errors='replace')}"
            return result
        # Cost is about affine in the knob (cost = fixed + per × k): scale by the ratio first, then
        # aim along the line through the last two refusals.
        refusals.append((k, 1 / ratio))
        guess = k * ratio * 0.998
        if len(refusals) >= 2:
            (k1, x1), (k2, x2) = refusals[-2:]
            if k1 != k2 and x1 != x2 and (x2 - x1) / (k2 - k1) > 0:
                guess = min(guess, k2 + (0.998 - x2) * (k2 - k1) / (x2 - x1))
        smaller = max(c["minimum"], int(guess))
        k = smaller if smaller < k else k - 1
    if admitted is None:
        result["problem"] = f"not admitted after {probes} probes"
        return result
    result.update(knob=k, shape=c["shape"](k), body_bytes=len(admitted), probes=probes)
    while len(result["walls"]) < repeat:
        status, answer, wall = client.post(c["route"], admitted)
        server = log.last()
        if status != 200:
            result["problem"] = f"{status} on repetition: {answer[:300].decode(errors='replace')}"
            return result
        result["walls"].append(wall)
        result["servers"].append(server)
    if result["response_bytes"] > MAX_RESPONSE:
        result["problem"] = (f"answered {result['response_bytes']} bytes, over --max-response-bytes {MAX_RESPONSE} "
                             f"({result['shape']}, max {max(result['walls']):.3f} s)")
        return result
    # The same body with an unknown field at its end: read and parsed in full, refused before any
    # computation. Best of two: the upload and the parse alone.
    unknown = admitted[:-1] + b',"zzNotAField":0}'
    parses = []
    for _ in range(2):
        status, answer, wall = client.post(c["route"], unknown)
        log.last()
        if status != 422 or b"unknown-field" not in answer:
            result["problem"] = f"the parse probe answered {status}: {answer[:200].decode(errors='replace')}"
            return result
        parses.append(wall)
    result["parse"] = min(parses)
    return result


def table(results, bound):
    head = ("route", "case", "request", "body MB", "parse s", "wall s (max)", "min", "server s (max)", "answer MB", "")
    rows = []
    for r in results:
        if r.get("problem"):
            rows.append((r["route"], r["name"], r.get("shape", ""), "", "", "", "", "", "", "FAIL: " + r["problem"][:160]))
            continue
        worst = max(r["walls"])
        rows.append((r["route"], r["name"], r["shape"], f"{r['body_bytes'] / 1e6:.1f}", f"{r['parse']:.3f}",
                     f"{worst:.3f}", f"{min(r['walls']):.3f}", f"{max(r['servers']):.3f}",
                     f"{r['response_bytes'] / 1e6:.1f}", "OVER" if worst > bound else ""))
    widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
    for x in [head] + rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(x, widths)).rstrip())


def main(argv):
    args, server_args = argv, []
    if "--" in args:
        split = args.index("--")
        args, server_args = args[:split], args[split + 1:]
    only, listing = None, False
    repeat = int(os.environ.get("WORST_CASE_REPEAT", 3))
    bound = float(os.environ.get("WORST_CASE_BOUND_S", 3))
    budget = float(os.environ.get("WORST_CASE_SECONDS", 900))
    binary = None
    while args:
        a = args.pop(0)
        if a == "--only":
            only = set(args.pop(0).split(","))
        elif a == "--list":
            listing = True
        elif a == "--repeat":
            repeat = int(args.pop(0))
        elif a == "--bound":
            bound = float(args.pop(0))
        elif a == "--budget":
            budget = float(args.pop(0))
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-"):
            print(f"worst_case.py: unknown option {a}", file=sys.stderr)
            return 2
        else:
            binary = a
    cases = [c for c in CASES if only is None or c["name"] in only or c["route"].strip("/") in only]
    if listing:
        for c in CASES:
            print(f"{c['route']:11} {c['name']:24} {c['shape'](c['start'])}")
        return 0
    if not cases:
        print(f"worst_case.py: no case matches {sorted(only)}", file=sys.stderr)
        return 2
    binary = binary or os.path.join(os.path.dirname(HERE), ".build", "release", "backprop-server")
    if not os.access(binary, os.X_OK):
        print(f"worst_case.py: no server binary at {binary}; build it with "
              "swift build -c release --product backprop-server", file=sys.stderr)
        return 2
    memory = os.environ.get("WORST_CASE_MAX_MEMORY", "4Gi")
    server_args = ["--max-memory", memory, *server_args] if memory else server_args
    start = time.monotonic()
    results = []
    with ServerUnderTest(binary, server_args, name="worst-case") as server:
        client, log = Client(server.port), ServerLog(server.stderr_path)
        print(f"worst_case: {len(cases)} cases, {repeat} runs each, bound {bound} s, server {' '.join(server_args)}",
              flush=True)
        for c in cases:
            if time.monotonic() - start > budget:
                results.append(dict(name=c["name"], route=c["route"], problem=f"skipped: over the run's budget of {budget:.0f} s"))
                continue
            t0 = time.monotonic()
            try:
                r = run_case(c, client, log, repeat)
            except (OSError, http.client.HTTPException) as error:
                r = dict(name=c["name"], route=c["route"], problem=f"{type(error).__name__}: {error}")
            results.append(r)
            verdict = r["problem"] or f"max {max(r['walls']):.3f} s  ({r['shape']})"
            print(f"  {c['route']:10} {c['name']:22} {verdict}  [{time.monotonic() - t0:.0f} s]", flush=True)
        if not server.running():
            results.append(dict(name="server", route="-", problem="the server died; its log: " + server.stderr_path))
    print()
    table(results, bound)
    over = [r for r in results if not r.get("problem") and max(r["walls"]) > bound]
    failed = [r for r in results if r.get("problem")]
    admitted = [r for r in results if not r.get("problem")]
    worst = max(admitted, key=lambda r: max(r["walls"])) if admitted else None
    summary = (f"worst case: {len(admitted)} admitted, slowest {worst['name']} {max(worst['walls']):.2f} s"
               if worst else "worst case: nothing admitted")
    summary += f", {len(over)} over {bound} s, {len(failed)} failed, {time.monotonic() - start:.0f} s"
    print(f"\nSUMMARY worst {'PASS' if not over and not failed else 'FAIL'} {summary}")
    return 0 if not over and not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
