#!/usr/bin/env bash
# Scale-out check: two backprop-server instances behind nginx (deploy/nginx.conf, round robin).
# Sends a bounded batch of POST /forward requests with the contract's example through nginx and
# checks that every answer carries exactly the contract's output and that both instances served;
# then that nginx's own 413 and 502 are problem+json a page from an allowed origin can read.
# Not a load test: requests go one at a time; wrk or schemathesis are the tools for load.
#
#   scripts/scale-out.sh [path/to/backprop-server]      (default .build/debug/backprop-server)
#
# Environment (all optional):
#   SCALE_OUT_PORT_A=8081  SCALE_OUT_PORT_B=8082   the two instances (127.0.0.1)
#   SCALE_OUT_NGINX_PORT=8090                      nginx in front (127.0.0.1)
#   SCALE_OUT_REQUESTS=200                         how many requests (1…100000)
#   SCALE_OUT_STARTUP_SECONDS=30                   how long to wait for each process to be ready
#
# Prints `scale-out: N passed, M failed` and how many answers each instance gave; exits non-zero
# on any failure. Everything it starts is stopped by PID when it exits, whatever the reason: nginx
# here, the instances by scripts/server_under_test.py, which runs this script a second time inside.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server="${1:-$repo_root/.build/debug/backprop-server}"
port_a="${SCALE_OUT_PORT_A:-8081}"
port_b="${SCALE_OUT_PORT_B:-8082}"
nginx_port="${SCALE_OUT_NGINX_PORT:-8090}"
requests="${SCALE_OUT_REQUESTS:-200}"
startup_seconds="${SCALE_OUT_STARTUP_SECONDS:-30}"
expected_output='[0.6720972942665231, 0.7266131712281468]'

fail() { echo "scale-out: $*" >&2; exit 1; }

# ---- arguments --------------------------------------------------------------------------------
for value in "$port_a" "$port_b" "$nginx_port" "$requests" "$startup_seconds"; do
    [[ "$value" =~ ^[0-9]+$ ]] || fail "not a number: '$value'"
done
(( requests >= 1 && requests <= 100000 )) || fail "SCALE_OUT_REQUESTS must be 1…100000, got $requests"
for port in "$port_a" "$port_b" "$nginx_port"; do
    (( port >= 1 && port <= 65535 )) || fail "not a TCP port: $port"
done
[[ "$port_a" != "$port_b" && "$port_a" != "$nginx_port" && "$port_b" != "$nginx_port" ]] \
    || fail "the three ports must differ ($port_a, $port_b, $nginx_port)"
[[ -x "$server" ]] || fail "no executable server at '$server' (build it with 'swift build', or pass its path)"
server="$(cd "$(dirname "$server")" && pwd)/$(basename "$server")"
command -v curl >/dev/null || fail "curl is needed"
command -v python3 >/dev/null || fail "python3 is needed"

# nginx: Debian puts it in /usr/sbin, which is not on every PATH.
nginx_bin="$(command -v nginx || true)"
[[ -z "$nginx_bin" && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
if [[ -z "$nginx_bin" ]]; then
    [[ "$(id -u)" == 0 ]] || fail "nginx is not installed (apt-get install nginx-light, as root)"
    echo "scale-out: installing nginx-light" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light >/dev/null \
        || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light >/dev/null; } \
        || fail "could not install nginx-light"
    nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
fi

# A port that already answers would be tested instead of the instance started here.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [[ -z "${SERVER_PORTS:-}" ]]; then
    for port in "$port_a" "$port_b" "$nginx_port"; do
        ! port_in_use "$port" || fail "127.0.0.1:$port is already in use; choose others with SCALE_OUT_PORT_A/_B/SCALE_OUT_NGINX_PORT"
    done
    # The two instances run around the rest of this script: scripts/server_under_test.py starts
    # them, waits for their listening lines, and afterwards stops them by PID with SIGTERM and
    # requires each to exit 0 (the contract's graceful stop).
    exec python3 "$repo_root/scripts/server_under_test.py" run --port "$port_a" --port "$port_b" "$server" -- "$0" "$server"
fi

# ---- lifecycle --------------------------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/backprop-scale-out.XXXXXX")"
# nginx workers drop to an unprivileged user when started as root; let them reach their temp dirs.
chmod 0755 "$work"
pids=()          # everything started here, stopped by PID in cleanup
failures=0

# running PID: true while PID runs. A process that has exited but is not yet reaped (a zombie)
# still answers kill -0, so read its state from /proc instead.
running() {
    local stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# stop_and_wait SECONDS SIGNAL PID…: send SIGNAL, give them SECONDS in all to exit, KILL whatever
# is left, reap each, and leave each exit status in exit_codes[PID].
declare -A exit_codes=()
stop_and_wait() {
    local seconds=$1 signal=$2; shift 2
    local pid code deadline=$((SECONDS + seconds))
    for pid in "$@"; do kill "-$signal" "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        while running "$pid" && (( SECONDS < deadline )); do sleep 0.1; done
        if running "$pid"; then
            echo "scale-out: process $pid still running ${seconds}s after SIG$signal; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        code=0
        wait "$pid" 2>/dev/null || code=$?
        exit_codes[$pid]=$code
    done
}

cleanup() {
    local status=$?
    set +e   # clean up whatever happens from here on
    trap - INT TERM
    (( ${#pids[@]} )) && stop_and_wait 10 TERM "${pids[@]}"
    if (( status != 0 )); then
        for log in "$work"/*.log; do
            [[ -s "$log" ]] || continue
            echo "--- last lines of $(basename "$log")" >&2
            tail -n 15 "$log" >&2
        done
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "scale-out: instances ready on 127.0.0.1:$port_a and 127.0.0.1:$port_b"

# nginx with deploy/nginx.conf, its ports rewritten when overridden; pid, temp and logs in $work.
mkdir -p "$work/nginx"
sed -e "s/127\.0\.0\.1:8081;/127.0.0.1:$port_a;/" \
    -e "s/127\.0\.0\.1:8082;/127.0.0.1:$port_b;/" \
    -e "s/listen 127\.0\.0\.1:8090;/listen 127.0.0.1:$nginx_port;/" \
    "$repo_root/deploy/nginx.conf" >"$work/nginx/nginx.conf"
"$nginx_bin" -t -q -p "$work/nginx" -c "$work/nginx/nginx.conf" -e stderr 2>"$work/nginx-test.log" \
    || { cat "$work/nginx-test.log" >&2; fail "nginx rejected the configuration"; }
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e stderr -g 'daemon off;' 2>"$work/nginx.log" &
nginx_pid=$!
pids+=("$nginx_pid")
deadline=$((SECONDS + startup_seconds))
until curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$nginx_port/healthz" 2>/dev/null; do
    running "$nginx_pid" || fail "nginx exited at startup"
    (( SECONDS < deadline )) || fail "nginx not answering /healthz on 127.0.0.1:$nginx_port within ${startup_seconds}s"
    sleep 0.1
done
echo "scale-out: nginx ready on 127.0.0.1:$nginx_port (round robin over both instances)"

# ---- the requests -----------------------------------------------------------------------------
cat >"$work/body.json" <<'JSON'
{
  "network": {
    "layers": [
      { "weights": [[0.1, 0.2], [0.3, 0.4]], "biases": [0.25, 0.25], "activation": "sigmoid" },
      { "weights": [[0.5, 0.6], [0.7, 0.8]], "activation": "sigmoid" }
    ]
  },
  "input":  [0.5, 0.9],
  "target": [0.0, 1.0]
}
JSON

mkdir -p "$work/responses"
for ((i = 1; i <= requests; i++)); do
    # A transport error leaves an empty status; the checker counts it as a failure.
    curl -sS --max-time 10 -o "$work/responses/$i.body" -D "$work/responses/$i.headers" \
        -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$work/body.json" \
        "http://127.0.0.1:$nginx_port/forward" >"$work/responses/$i.status" 2>>"$work/curl.log" || true
done

# One pass over every answer: status 200, `output` exactly the contract's (float64 equality after
# parsing, so 0.6720972942665231 must come back as that very double), and which instance served.
set +e
python3 - "$work/responses" "$requests" "$expected_output" "127.0.0.1:$port_a" "127.0.0.1:$port_b" <<'PY'
import json, sys
from collections import Counter
directory, count, expected, a, b = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4], sys.argv[5]
passed, failed, served, shown = 0, 0, Counter(), 0

def read(name, default=""):
    try:
        with open(f"{directory}/{name}", encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return default

for i in range(1, count + 1):
    status = read(f"{i}.status").strip()
    headers = read(f"{i}.headers").splitlines()
    upstream = [h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("x-upstream:")]
    # nginx lists every upstream it tried ("a, b"); the last one answered.
    answered = upstream[-1].split(",")[-1].strip() if upstream else "(none)"
    served[answered] += 1
    problem = None
    if status != "200":
        problem = f"status {status or '(no response)'}"
    else:
        try:
            output = json.loads(read(f"{i}.body")).get("output")
        except (ValueError, AttributeError) as error:
            output, problem = None, f"body is not a JSON object: {error}"
        if problem is None and not (isinstance(output, list) and output == expected
                                    and all(type(x) is float for x in output)):
            problem = f"output {output!r}, expected {expected!r}"
        if problem is None and not upstream:
            problem = "no X-Upstream header"
    if problem is None:
        passed += 1
    else:
        failed += 1
        if shown < 10:
            print(f"  request {i} (via {answered}): {problem}", file=sys.stderr)
            shown += 1

missing = [u for u in (a, b) if served[u] == 0]
print(f"scale-out: {passed} passed, {failed} failed")
for name, n in sorted(served.items()):
    print(f"  {name}: {n} answers")
if missing:
    print(f"scale-out: no answer came from {', '.join(missing)}: not load-balanced", file=sys.stderr)
sys.exit(1 if failed or missing else 0)
PY
check_status=$?
set -e
(( check_status == 0 )) || failures=$((failures + 1))

# ---- nginx's own answers ---------------------------------------------------------------------
# What nginx answers itself must be readable by a page from an allowed origin: problem+json with
# Access-Control-Allow-Origin. 413 now (a Content-Length over the cap, refused before the body);
# 502 once the instances are stopped, below.
origin="http://localhost:3000"
nginx_answer() {  # nginx_answer STATUS WHAT CURL_ARGS…: one request, checked; a failure is counted
    local want=$1 what=$2; shift 2
    local headers="$work/nginx-$want.headers" status
    status=$(curl -sS --max-time 10 -o "$work/nginx-$want.body" -D "$headers" -w '%{http_code}' \
        -H "Origin: $origin" "$@" 2>>"$work/curl.log") || true
    if [[ "$status" != "$want" ]] \
        || ! grep -qi "^content-type: application/problem+json" "$headers" \
        || ! grep -qi "^access-control-allow-origin: $origin" "$headers" \
        || ! python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["status"] == int(sys.argv[2])' \
            "$work/nginx-$want.body" "$want" 2>/dev/null; then
        echo "scale-out: $what: expected $want as problem+json with CORS, got ${status:-nothing}:" >&2
        cat "$headers" "$work/nginx-$want.body" >&2 2>/dev/null
        failures=$((failures + 1))
    else
        echo "scale-out: $what: $want problem+json, readable from $origin"
    fi
}
nginx_answer 413 "a body over nginx's cap" -H 'Content-Type: application/json' \
    -H 'Content-Length: 40000000' -H 'Expect: 100-continue' --data-binary '{}' \
    "http://127.0.0.1:$nginx_port/step"

# ---- graceful stop ----------------------------------------------------------------------------
# The instances first: SIGTERM makes them finish what is in flight and exit; server_under_test.py,
# which started them, collects their exit codes afterwards and requires 0 (within 35 s). nginx's
# idle keep-alive connections are no requests. Then nginx, with nothing behind it, must answer 502.
for pid in $SERVER_PIDS; do kill -TERM "$pid" 2>/dev/null || true; done
deadline=$((SECONDS + 35))
for pid in $SERVER_PIDS; do
    while running "$pid" && (( SECONDS < deadline )); do sleep 0.1; done
done
nginx_answer 502 "no instance left" -H 'Content-Type: application/json' --data-binary @"$work/body.json" \
    "http://127.0.0.1:$nginx_port/forward"
stop_and_wait 10 TERM "$nginx_pid"
pids=()   # all reaped

if (( failures )); then
    exit 1
fi
echo "scale-out: ok"
