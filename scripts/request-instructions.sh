#!/usr/bin/env bash
# Instructions the whole server spends on one small POST /step, counted by callgrind: the server
# answers 200 and then 1200 requests on one keep-alive connection, and the difference of the two
# totals over 1000 is the per-request cost (startup and shutdown cancel out). Deterministic, so it
# measures a change on a noisy machine where wall-clock rates cannot (README, "Performance").
# Usage: scripts/request-instructions.sh [--cache] [--c-ceiling | --server BINARY] [BODY.json [SERVER_ARGS...]]
#   (default ../shared/bench/peer/small.json; e.g. `... small.json --connection-memory 8192`)
#   --cache      also simulate a 32 KiB instruction cache and data cache (64-byte lines, 8-way)
#                and a 512 KiB last level, and print their misses per request: how much code and
#                data one request pulls through the caches, which instruction counts do not show.
#   --c-ceiling  measure ../shared/bench's C server (the one `compare` builds, mode pool1, its own
#                request body) instead of ours, for a side-by-side figure.
#   --server B   measure this build of ours (say, one linked another way) instead of building one.
#   --no-bolt    build the plain release server, without BOLT's layout (scripts/build-release.sh).
# Builds the release server as it ships (scripts/build-release.sh, BOLT included) but with -gnone
# (valgrind cannot read Swift 6.3's debug info), in .build-cg.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=() c_ceiling= server= no_bolt=()
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --cache) cache=(--cache-sim=yes --I1=32768,8,64 --D1=32768,8,64 --LL=524288,8,64) ;;
    --c-ceiling) c_ceiling=1 ;;
    --server) server="${2:?--server needs a binary}"; shift ;;
    --no-bolt) no_bolt=(--no-bolt) ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -z "$c_ceiling" || -z "$server" ]] || { echo "--c-ceiling and --server measure different servers: give one" >&2; exit 2; }
bench=../shared/bench
# The C server reads its own request format (five fields): its body unless one is given.
default_body=$bench/peer/small.json
[[ -z "$c_ceiling" ]] || default_body=$bench/c-ceiling/request.json
body="${1:-$default_body}"
shift || true
command -v valgrind >/dev/null || apt-get install -y -q valgrind >&2
if [[ -n "$c_ceiling" ]]; then
  server="${XDG_CACHE_HOME:-$HOME/.cache}/backprop-bench-mhd"
  [[ -x "$server" ]] || { echo "no C server at $server: run $bench/compare once to build it" >&2; exit 2; }
elif [[ -z "$server" ]]; then
  server="$(scripts/build-release.sh "${no_bolt[@]}" --build-path .build-cg -- -Xswiftc -gnone)"
fi
out=$(mktemp -d)
client() {  # N requests on one keep-alive connection to SERVER_PORT
  python3 - "$1" "$body" <<'PY'
import http.client, os, sys
n, body = int(sys.argv[1]), open(sys.argv[2], "rb").read()
c = http.client.HTTPConnection("127.0.0.1", int(os.environ["SERVER_PORT"]))
for _ in range(n):
    c.request("POST", "/step", body, {"Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
PY
}
for n in 200 1200; do
  via="valgrind --tool=callgrind ${cache[*]} --callgrind-out-file=$out/cg.$n"
  if [[ -n "$c_ceiling" ]]; then
    # The C server takes PORT MODE and prints nothing: started here, ready once it answers.
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    $via "$server" "$port" pool1 2>"$out/err.$n" &
    pid=$!
    for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/echo" && break; sleep 0.2; done
    SERVER_PORT=$port client "$n"
    kill "$pid"
    wait "$pid" || true
  else
    # On a free port, through scripts/server_under_test.py; callgrind's report goes to err.N.
    export -f client; export body
    python3 scripts/server_under_test.py run --via "$via" --stderr "$out/err.$n" --stop-timeout 120 \
        "$server" --quiet "$@" -- bash -c 'client "$0"' "$n"
  fi
done
# "Collected : Ir [Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw]" at the end of callgrind's report.
collected() { grep -o 'Collected : [0-9 ]*' "$out/err.$1" | sed 's/Collected : //'; }
read -r -a a <<<"$(collected 200)"
read -r -a b <<<"$(collected 1200)"
per() { echo $(( (b[$1] - a[$1]) / 1000 )); }
echo "instructions per request: $(per 0)"
if [[ ${#cache[@]} -gt 0 ]]; then
  echo "instruction-cache misses per request: $(per 3) (last level $(per 6))"
  echo "data-cache misses per request: $(( $(per 4) + $(per 5) )) (last level $(( $(per 7) + $(per 8) )))"
fi
echo "profile (1200 requests): callgrind_annotate --inclusive=yes $out/cg.1200"
