#!/usr/bin/env bash
# The playground (GET /) in a real browser: Debian's chromium, driven through Debian's
# chromium-driver by Selenium, against a live server on 127.0.0.1 (Tests/Browser/test_playground.py).
# No browser is downloaded; Selenium comes from PyPI into the project's venv.
#
#   scripts/browser-tests.sh path/to/backprop-server
#
# Environment (optional): VENV=.build/venv; BROWSER_SCREENSHOTS=.build/screenshots (where the
# 1280x800 and phone-width screenshots go); BROWSER_V2=auto|1|0 (the tests that need the v2 API:
# run when the server speaks it, require it, or skip them).
set -euo pipefail

fail() { echo "browser-tests.sh: $*" >&2; exit 2; }
[[ $# -eq 1 ]] || fail "usage: scripts/browser-tests.sh path/to/backprop-server"
[[ -x "$1" ]] || fail "no executable server at '$1'"
server="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in /usr/bin/chromium /usr/bin/chromedriver; do
    [[ -x "$tool" ]] || fail "no $tool: scripts/install-deps.sh --test installs chromium and chromium-driver"
done
venv="${VENV:-.build/venv}"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import selenium' 2>/dev/null \
    || "$venv/bin/pip" install -q --disable-pip-version-check "selenium>=4.20,<5"

exec "$venv/bin/python" Tests/Browser/test_playground.py "$server"
