#!/usr/bin/env bash
# The release server, built as it ships: a release build linked with lld keeping its relocations,
# then laid out by BOLT (LLVM's post-link optimizer) from a profile of a training run, so that the
# code a request runs through sits together. Prints the binary's path on stdout.
#
# Why: a small request runs through ~1900 instruction-cache lines of our code and libraries, spread
# over hundreds of functions whose rarely taken branches (other activations, losses, optimizers,
# errors) sit between the taken ones. BOLT places the executed blocks of each function together,
# moves the never-executed ones out of line, and orders the functions by their calls. Measured on
# the small /step (README, "Performance"): 1955 -> 1595 instruction-cache misses a request. The
# compiler's own profile-guided optimization would do the same, but Swift 6.3.1's -profile-use
# aborts on this code (README).
#
# Usage: scripts/build-release.sh [--no-bolt] [--build-path DIR] [-- EXTRA SWIFT BUILD ARGUMENTS]
#   --no-bolt      the plain release build (also when BOLT is unavailable: not x86-64 Linux, or
#                  no llvm-bolt and no apt to install Debian's bolt-16)
#   --build-path   SwiftPM's build directory (default .build); BOLT's files go under DIR/bolt
# Installs Debian's bolt-16 when missing (a build tool only: the binary needs nothing new).
set -euo pipefail
cd "$(dirname "$0")/.."
bolt=1 build_path=.build extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-bolt) bolt= ;;
    --build-path) build_path="${2:?--build-path needs a directory}"; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
  shift
done
scripts/install-deps.sh

[[ "$(uname -m)" == x86_64 ]] || { [[ -z "$bolt" ]] || echo "BOLT lays out x86-64 only: plain release build" >&2; bolt=; }
if [[ -n "$bolt" ]] && ! command -v llvm-bolt-16 >/dev/null; then
  if command -v apt-get >/dev/null && apt-cache show bolt-16 >/dev/null 2>&1; then
    echo "installing: bolt-16 (build tool: lays out the release binary)" >&2
    sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q bolt-16 >&2
  else
    echo "no llvm-bolt-16 and no Debian package for it: plain release build" >&2
    bolt=
  fi
fi

if [[ -z "$bolt" ]]; then
  swift build -c release --product backprop-server --build-path "$build_path" "${extra[@]}" >&2
  echo "$build_path/release/backprop-server"
  exit 0
fi

# lld, the toolchain's own linker, with --emit-relocs: BOLT moves functions only in a binary that
# kept its relocations (GNU gold, the default, fails with an internal error when asked to).
work="$build_path/bolt"
mkdir -p "$work"
lld="$(dirname "$(readlink -f "$(command -v swift)")")/ld.lld"
[[ -x "$lld" ]] || { echo "no ld.lld next to swift ($lld)" >&2; exit 1; }
cat > "$work/toolset.json" <<JSON
{ "schemaVersion": "1.0", "linker": { "path": "$lld", "extraCLIOptions": ["--emit-relocs"] } }
JSON
swift build -c release --product backprop-server --build-path "$build_path" --toolset "$work/toolset.json" "${extra[@]}" >&2
plain="$build_path/release/backprop-server"

# The runtime library BOLT links into an instrumented binary; Debian's package looks for it in
# /usr/lib while installing it under /usr/lib/llvm-16/lib, so it is named by a path relative to /usr/lib.
rm -f "$work/profile.fdata"
llvm-bolt-16 "$plain" -o "$work/backprop-server.instrumented" -instrument \
    --instrumentation-file="$work/profile.fdata" --runtime-instrumentation-lib=llvm-16/lib/libbolt_rt_instr.a \
    >"$work/instrument.log" 2>&1 || { cat "$work/instrument.log" >&2; exit 1; }
# The training run (scripts/bolt_training.py): the instrumented server writes its profile when it exits.
python3 scripts/bolt_training.py "$work/backprop-server.instrumented" >&2
[[ -s "$work/profile.fdata" ]] || { echo "the training run left no profile" >&2; exit 1; }
llvm-bolt-16 "$plain" -o "$work/backprop-server" -data="$work/profile.fdata" \
    -reorder-blocks=ext-tsp -reorder-functions=hfsort+ -split-functions -split-all-cold -split-eh \
    -icf=1 -use-gnu-stack >"$work/optimize.log" 2>&1 || { cat "$work/optimize.log" >&2; exit 1; }
grep -E "have non-empty execution profile|splitting separates" "$work/optimize.log" | sed 's/^/  /' >&2
echo "$work/backprop-server"
