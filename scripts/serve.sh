#!/usr/bin/env bash
# Quick start, step 1: install what the server needs (when missing), build it as it ships (release
# mode, laid out by BOLT: scripts/build-release.sh) and run it on 127.0.0.1:8080 in the foreground.
# Extra arguments go to backprop-server (try --help). BACKPROP_BOLT=0 skips the BOLT layout.
set -euo pipefail
cd "$(dirname "$0")/.."
options=()
[[ "${BACKPROP_BOLT:-1}" == 0 ]] && options+=(--no-bolt)
server="$(scripts/build-release.sh "${options[@]}")"
exec "$server" "$@"
