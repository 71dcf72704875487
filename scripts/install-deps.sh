#!/usr/bin/env bash
# Installs the Debian packages the project builds and tests with, only those missing.
# Needs root (or sudo) on Debian 12 with Swift already installed; idempotent and quiet when all is there.
set -euo pipefail

# libjs-katex: the playground's math typesetting, served by the server from /usr/share/javascript/katex.
packages=(libmicrohttpd-dev libopenblas-dev libmimalloc-dev pkg-config libjs-katex)
# chromium and chromium-driver (same version, Debian's): the playground's browser tests;
# fonts-dejavu-core: the page's font, so that screenshots look as they do on a desktop.
[ "${1:-}" = "--test" ] && packages+=(wrk nginx-light curl python3-venv chromium chromium-driver fonts-dejavu-core)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}" >&2
