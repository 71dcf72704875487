#!/usr/bin/env python3
"""Runs the README's curl examples against a live server and compares the answers with the README.

    python3 scripts/readme_examples.py README.md path/to/backprop-server

Every ```sh block that runs `curl` against `localhost:8080` is one example. The server is started
on a free port of 127.0.0.1 (`--port 0`, by server_under_test.py) and each block runs verbatim
with bash, except that `localhost:8080` becomes `127.0.0.1:PORT`, so CI does not depend on port
8080 being free.

An example passes when its command exits 0 and prints something (a pipe such as `| head` would
hide a dead server behind head's exit status). When the block is followed directly by a ```json
block, stdout must also parse as JSON and match it: every key shown present with an equal value
(numbers compared exactly, as float64: 422 equals 422.0); the string "…" means "present, any
value"; keys the README does not show are allowed only when the README block uses "…" somewhere,
otherwise the answer must equal the README exactly. A ```text block after that ```json block (before
the next ```sh block) is the answer's `text` field, verbatim (as /explain's derivation is shown).
A ```text block directly after the ```sh block, with no ```json, is the command's whole output,
verbatim (for answers that are not JSON: the playground's title, openapi.yaml's first line).

Prints one line per example and `readme-examples: N passed, M failed`; exits 1 on any failure or
when no example was found. Standard library only.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_under_test import ServerUnderTest  # noqa: E402

ELLIPSIS = "…"
COMMAND_TIMEOUT = 120  # seconds per example; a debug build trains XOR in a few


def blocks(text):
    """[(language, body, line number of the opening fence, line index after the closing fence)]."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if m:
            start = i
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                i += 1
            out.append((m.group(1), "\n".join(lines[start + 1:i]), start + 1, i + 1))
        i += 1
    return out, lines


def examples(text):
    """[(line, command, expected JSON text or None, expected `text` field or None, expected output
    or None)] for every curl-against-localhost:8080 block."""
    found, (bs, lines) = [], blocks(text)
    for n, (lang, body, line, after) in enumerate(bs):
        if lang != "sh" or not re.search(r"\bcurl\b", body) or "localhost:8080" not in body:
            continue
        # "Directly followed": only blank lines between this block and a ```json one.
        nxt = bs[n + 1] if n + 1 < len(bs) else None
        adjacent = nxt is not None and not any(l.strip() for l in lines[after:nxt[2] - 1])
        direct = adjacent and nxt[0] == "json"
        printed = nxt[1] if adjacent and nxt[0] == "text" else None
        shown_text = None
        if direct:
            for later in bs[n + 2:]:
                if later[0] == "sh":
                    break
                if later[0] == "text":
                    shown_text = later[1]
                    break
        found.append((line, body, nxt[1] if direct else None, shown_text, printed))
    return found


def label(command):
    """`POST /forward` (a body is sent) or `GET /healthz`, for the report line."""
    m = re.search(r"localhost:8080(/[^\s'\"|]*)", command)
    path = m.group(1) if m else "?"
    method = "POST" if re.search(r"\s(-d|--data\S*|-X\s*POST)\b", command) else "GET"
    return f"{method} {path}"


def loads_strict(text):
    """json.loads, refusing duplicate keys (the README cannot show both, so one would hide)."""
    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                raise ValueError(f"duplicate key {k!r}")
            out[k] = v
        return out
    return json.loads(text, object_pairs_hook=pairs)


def uses_ellipsis(value):
    if value == ELLIPSIS:
        return True
    if isinstance(value, dict):
        return any(uses_ellipsis(v) for v in value.values())
    if isinstance(value, list):
        return any(uses_ellipsis(v) for v in value)
    return False


def kind(v):
    """JSON type, so that true never equals 1 (Python's bool is an int)."""
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string", type(None): "null"}[type(v)]


def compare(expected, actual, open_objects, pointer=""):
    """Differences as 'pointer: README …, server …' lines; empty when the answer matches."""
    where = pointer or "(root)"
    if expected == ELLIPSIS:
        return []
    if kind(expected) != kind(actual):
        return [f"{where}: README {json.dumps(expected)}, server {json.dumps(actual)}"]
    if isinstance(expected, dict):
        diffs = []
        for k, v in expected.items():
            p = pointer + "/" + k.replace("~", "~0").replace("/", "~1")
            if k not in actual:
                diffs.append(f"{p}: in the README, missing from the answer")
            else:
                diffs += compare(v, actual[k], open_objects, p)
        if not open_objects:
            diffs += [f"{pointer}/{k}: in the answer, not in the README" for k in actual if k not in expected]
        return diffs
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return [f"{where}: README has {len(expected)} items, server {len(actual)}"]
        diffs = []
        for n, (e, a) in enumerate(zip(expected, actual)):
            diffs += compare(e, a, open_objects, f"{pointer}/{n}")
        return diffs
    return [] if expected == actual else [f"{where}: README {json.dumps(expected)}, server {json.dumps(actual)}"]


def check(command, expected, shown_text, printed, port):
    """Runs one example; returns a list of problems (empty when it passes)."""
    script = command.replace("localhost:8080", f"127.0.0.1:{port}")
    try:
        run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        return [f"timed out after {COMMAND_TIMEOUT} s"]
    if run.returncode != 0:
        return [f"exit status {run.returncode}", run.stderr.strip()[:500]]
    if not run.stdout.strip():
        return ["printed nothing"]
    if printed is not None and run.stdout.rstrip("\n") != printed:
        return [f"printed {run.stdout[:300]!r}, the README shows {printed[:300]!r}"]
    if expected is None:
        return []
    try:
        want = loads_strict(expected)
    except ValueError as e:
        return [f"the README's json block does not parse: {e}"]
    try:
        got = loads_strict(run.stdout)
    except ValueError as e:
        return [f"the answer is not JSON ({e}): {run.stdout[:300]!r}"]
    problems = compare(want, got, uses_ellipsis(want))
    if shown_text is not None and got.get("text") != shown_text:
        problems.append(f"the text block differs from the answer's `text`:\n{got.get('text')}")
    return problems


def run(found, server, readme, out=sys.stdout):
    """Runs every example against `server` (a running ServerUnderTest), one line each to `out`;
    returns (passed, failed). Stops early, counting the rest as failed, if the server exits."""
    passed = failed = 0
    for line, command, expected, shown_text, printed in found:
        problems = check(command, expected, shown_text, printed, server.port)
        name = f"{label(command)}  ({readme}:{line})"
        if problems:
            failed += 1
            print(f"FAIL {name}", file=out)
            for p in problems:
                print(f"     {p}", file=out)
        else:
            passed += 1
            print(f"ok  {name}", file=out)
        if not server.running():
            print(f"the server exited (status {server.proc.returncode}); stopping here", file=out)
            failed += len(found) - passed - failed
            break
    return passed, failed


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    readme, binary = argv[1], argv[2]
    with open(readme, encoding="utf-8") as f:
        found = examples(f.read())
    passed = failed = 0
    if found:
        try:
            server = ServerUnderTest(binary, ["--quiet"])
        except (OSError, RuntimeError) as e:
            print(f"FAIL {e}")
            print(f"readme-examples: 0 passed, {len(found)} failed")
            return 1
        try:
            passed, failed = run(found, server, readme)
        finally:
            code, _ = server.stop()
            if code != 0:
                print(f"FAIL the server exited {code} after SIGTERM (expected 0)")
                failed += 1
    else:
        print(f"no curl example against localhost:8080 found in {readme}")
    print(f"readme-examples: {passed} passed, {failed} failed")
    return 0 if passed and not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
