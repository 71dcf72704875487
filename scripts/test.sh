#!/usr/bin/env bash
# Quick start, step 2, and what CI runs: every test of the project, bounded in time.
#   1. the Swift suites (core, JSON codec, HTTP wrapper, API in-process, integration over HTTP)
#   2. openapi.yaml validates, and its examples match its own schemas
#   3. the README's curl examples, run verbatim against a live server (the debug build, and the
#      release build laid out by BOLT as it ships), and GET /metrics read by prometheus_client's parser
#   4. schemathesis: the live server conforms to openapi.yaml (--checks all)
#   5. scale-out: two instances behind nginx serve as one
#   6. the playground (GET /) in Debian's chromium, driven by Selenium; screenshots in .build/screenshots
#   7. the Swift suites again under AddressSanitizer and ThreadSanitizer, and 30 s of libFuzzer
#      (the rest of the hardening campaign, load and timing figures, is scripts/hardening.sh)
# Installs what it needs (Debian packages, a Python venv under .build/) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test

step() { printf '\n== %s\n' "$*"; }

step "swift test"
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/swift-test.log
grep -qE "Test run with [0-9]+ tests? (in [0-9]+ suites? )?passed" .build/swift-test.log

step "python tools"
venv=.build/venv
if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/python" -c "import prometheus_client, selenium" 2>/dev/null; then
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis>=4,<5" openapi-spec-validator jsonschema pyyaml \
    "prometheus-client>=0.20" "selenium>=4.20,<5"
fi

step "openapi.yaml"
"$venv/bin/python" scripts/check_openapi.py openapi.yaml

swift build --product backprop-server
server=.build/debug/backprop-server

step "README examples"
"$venv/bin/python" scripts/readme_examples.py README.md "$server"

step "release build (BOLT) and the README examples against it"
# The server as it ships (scripts/serve.sh, the Dockerfile): its training run checks the README
# examples against the instrumented binary, and here they run against the laid-out one.
release="$(scripts/build-release.sh)"
"$venv/bin/python" scripts/readme_examples.py README.md "$release"

step "metrics"
"$venv/bin/python" scripts/metrics_check.py "$server"

step "schemathesis"
scripts/schemathesis.sh "$server"

step "scale-out"
scripts/scale-out.sh "$server"

step "playground in a browser"
# Every test, the v2 ones (bias in /explain, optimizers, mini-batches, validation) included.
BROWSER_V2=1 scripts/browser-tests.sh "$server"

step "sanitizers and fuzzing"
HARDENING_FUZZ_SECONDS=30 scripts/hardening.sh --only sanitizers,fuzz

echo
echo "test.sh: 9 passed, 0 failed"   # swift test, openapi, README examples, release build, metrics, schemathesis, scale-out, browser, hardening
