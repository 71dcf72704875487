#!/usr/bin/env bash
# Instructions the whole server spends on one small POST /step, counted by callgrind: the server
# answers 200 and then 1200 requests on one keep-alive connection, and the difference of the two
# totals over 1000 is the per-request cost (startup and shutdown cancel out). Deterministic, so it
# measures a change on a noisy machine where wall-clock rates cannot (README, "Performance").
# Usage: scripts/request-instructions.sh [BODY.json [SERVER_ARGS...]]
#   (default ../shared/bench/peer/small.json; e.g. `... small.json --connection-memory 8192`)
# Builds a release server with -gnone (valgrind cannot read Swift 6.3's debug info) in .build-cg.
set -euo pipefail
cd "$(dirname "$0")/.."
body="${1:-../shared/bench/peer/small.json}"
shift || true
command -v valgrind >/dev/null || apt-get install -y -q valgrind >&2
swift build -c release --product backprop-server -Xswiftc -gnone --build-path .build-cg >&2
server=.build-cg/release/backprop-server
out=$(mktemp -d)
for n in 200 1200; do
  # On a free port, through scripts/server_under_test.py; callgrind's report goes to err.N.
  python3 scripts/server_under_test.py run --via "valgrind --tool=callgrind --callgrind-out-file=$out/cg.$n" \
      --stderr "$out/err.$n" --stop-timeout 120 "$server" --quiet "$@" -- python3 - "$n" "$body" <<'PY'
import http.client, os, sys
n, body = int(sys.argv[1]), open(sys.argv[2], "rb").read()
c = http.client.HTTPConnection("127.0.0.1", int(os.environ["SERVER_PORT"]))
for _ in range(n):
    c.request("POST", "/step", body, {"Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
PY
done
total() { grep -o 'Collected : [0-9]*' "$out/err.$1" | grep -o '[0-9]*$'; }
echo "instructions per request: $(( ($(total 1200) - $(total 200)) / 1000 ))"
echo "profile (1200 requests): callgrind_annotate --inclusive=yes $out/cg.1200"
