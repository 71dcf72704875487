#!/usr/bin/env bash
# Conformance: a live server against openapi.yaml, with every schemathesis check (--checks all).
#
#   scripts/schemathesis.sh path/to/backprop-server
#
# Starts the server on a free port of 127.0.0.1 (with a CORS origin, as a notebook deployment
# would run it) through scripts/server_under_test.py, runs `schemathesis run openapi.yaml
# --checks all` from the repository root so that schemathesis.toml is read, and exits with
# schemathesis' status (or 1 when the server does not stop cleanly).
#
# Environment (all optional):
#   VENV=.build/venv        where schemathesis 4.x is installed (scripts/test.sh creates it)
#   ST_MAX_EXAMPLES=100     test cases per operation and phase
#   ST_TIMEOUT=900          seconds for the whole run (then it fails with status 124)
#   ST_SEED=N               replay a run (schemathesis prints the seed it used)
#   ST_WORKERS=1            concurrent schemathesis workers; more are not faster here (generation
#                           is the bottleneck) and hit CPython 3.11 races in Hypothesis ("AST
#                           constructor recursion depth mismatch" errors in the Examples phase)
# Schemathesis' own files (its example database) go under .build/schemathesis/, not the work tree.
set -euo pipefail

fail() { echo "schemathesis.sh: $*" >&2; exit 2; }

[[ $# -eq 1 ]] || fail "usage: scripts/schemathesis.sh path/to/backprop-server"
[[ -x "$1" ]] || fail "no executable server at '$1'"
server="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

st="${VENV:-.build/venv}/bin/schemathesis"
[[ -x "$st" ]] || fail "no $st: create the venv with scripts/test.sh, or set VENV"
max_examples="${ST_MAX_EXAMPLES:-100}"
time_limit="${ST_TIMEOUT:-900}"
workers="${ST_WORKERS:-1}"
for value in "$max_examples" "$time_limit" "$workers"; do
    [[ "$value" =~ ^[1-9][0-9]*$ ]] || fail "ST_MAX_EXAMPLES, ST_TIMEOUT and ST_WORKERS must be positive integers, got '$value'"
done

state=".build/schemathesis"
mkdir -p "$state"
# Hypothesis' own storage (it would write .hypothesis/ in the working directory otherwise);
# schemathesis' failure cache is set in schemathesis.toml ([cache] directory).
export HYPOTHESIS_STORAGE_DIRECTORY="$state/hypothesis"
args=(run openapi.yaml --checks all --max-examples "$max_examples" --workers "$workers"
      --generation-database "$state/examples" --no-color)
[[ -n "${ST_SEED:-}" ]] && args+=(--seed "$ST_SEED")

# The server runs around schemathesis (scripts/server_under_test.py): ready once it prints its
# port, stopped by PID with SIGTERM afterwards, and required to exit 0 then.
status=0
python3 scripts/server_under_test.py run "$server" --cors-origin http://notebook.example --quiet -- \
    bash -c 'exec timeout --foreground --signal=TERM --kill-after=30 "$0" "$1" "${@:2}" --url "http://127.0.0.1:$SERVER_PORT"' \
    "$time_limit" "$st" "${args[@]}" || status=$?
[[ $status -eq 124 ]] && echo "schemathesis.sh: schemathesis did not finish within $time_limit s" >&2
exit "$status"
