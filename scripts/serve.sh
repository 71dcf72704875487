#!/usr/bin/env bash
# Quick start, step 1: install what the server needs (when missing), build it in release mode and
# run it on 127.0.0.1:8080 in the foreground. Extra arguments go to backprop-server (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product backprop-server >&2
exec .build/release/backprop-server "$@"
