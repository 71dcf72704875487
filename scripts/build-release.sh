#!/usr/bin/env bash
# The release server, built as it ships: a release build linked with lld keeping its relocations,
# then laid out by BOLT (LLVM's post-link optimizer) from a profile of a training run, so that the
# code a request runs through sits together. Prints the binary's path on stdout.
#
# Why: a small request runs through ~1900 instruction-cache lines of our code and libraries, spread
# over hundreds of functions whose rarely taken branches (other activations, losses, optimizers,
# errors) sit between the taken ones. BOLT places the executed blocks of each function together,
# moves the never-executed ones out of line, and orders the functions by their calls; libmicrohttpd
# is linked in so that its code is laid out too. Measured on the small /step (README,
# "Performance"): 1955 -> 1536 instruction-cache misses a request. The compiler's own
# profile-guided optimization would do part of this, but Swift 6.3.1's -profile-use aborts on this
# code (README).
#
# Usage: scripts/build-release.sh [--no-bolt] [--build-path DIR] [-- EXTRA SWIFT BUILD ARGUMENTS]
#   --no-bolt      the plain release build (also when BOLT is unavailable: not x86-64 Linux, or
#                  no llvm-bolt-16 and no apt to install Debian's bolt-16)
#   --build-path   SwiftPM's build directory for the plain build (default .build); the laid-out
#                  build and BOLT's files go under DIR/bolt
# Installs Debian's bolt-16 and patchelf when missing: build tools only, the binary needs neither.
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
if [[ -n "$bolt" ]] && ! { command -v llvm-bolt-16 && command -v patchelf; } >/dev/null; then
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  if command -v apt-get >/dev/null && ! apt-cache show bolt-16 patchelf >/dev/null 2>&1; then
    "${sudo_cmd[@]}" apt-get update -q >&2 || true
  fi
  if command -v apt-get >/dev/null && apt-cache show bolt-16 patchelf >/dev/null 2>&1; then
    echo "installing: bolt-16 patchelf (build tools: they lay out the release binary)" >&2
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q bolt-16 patchelf >&2
  else
    echo "no llvm-bolt-16 or patchelf, and no Debian package for them: plain release build" >&2
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
# libmicrohttpd is linked in from Debian's static archive, whole, so that BOLT lays its code out
# with ours (the small /step: 1638 -> 1536 instruction-cache misses, README); the libraries it
# uses (GnuTLS) stay shared. The system-library target still names the shared libmicrohttpd,
# which then provides nothing: patchelf takes it off the binary's list, so that it is not loaded
# beside the copy inside.
work="$build_path/bolt"
mkdir -p "$work"
lld="$(dirname "$(readlink -f "$(command -v swift)")")/ld.lld"
[[ -x "$lld" ]] || { echo "no ld.lld next to swift ($lld)" >&2; exit 1; }
mhd_libdir="$(pkg-config --variable=libdir libmicrohttpd)"
mhd_archive="$mhd_libdir/libmicrohttpd.a"
[[ -f "$mhd_archive" ]] || { echo "no $mhd_archive (Debian's libmicrohttpd-dev has it)" >&2; exit 1; }
# What the archive itself links against, as shared libraries: its private requirements (GnuTLS).
mhd_libraries=$(pkg-config --libs-only-l $(pkg-config --print-requires-private libmicrohttpd) | tr ' ' '\n' \
    | grep -v -x '' | sed 's/.*/"&"/' | paste -sd, -)
toolset=$(cat <<JSON
{ "schemaVersion": "1.0", "linker": { "path": "$lld", "extraCLIOptions": [
  "--emit-relocs", "--whole-archive", "$mhd_archive", "--no-whole-archive"${mhd_libraries:+, $mhd_libraries} ] } }
JSON
)
# A build directory of its own: SwiftPM does not always relink when only the toolset changed, so a
# changed toolset starts it afresh.
swiftpm="$work/swiftpm"
if [[ "$(cat "$work/toolset.json" 2>/dev/null)" != "$toolset" ]]; then
  rm -rf "$swiftpm"
  printf '%s\n' "$toolset" > "$work/toolset.json"
fi
swift build -c release --product backprop-server --build-path "$swiftpm" --toolset "$work/toolset.json" "${extra[@]}" >&2
# Laid out already from this very link, by this script and training run: nothing to do (a second
# scripts/serve.sh starts at once instead of training again).
laid_out="$work/backprop-server"
up_to_date() {
  [[ -x "$laid_out" ]] || return 1
  for input in "$swiftpm/release/backprop-server" scripts/build-release.sh scripts/bolt_training.py scripts/readme_examples.py README.md; do
    [[ "$laid_out" -nt "$input" ]] || return 1
  done
}
if up_to_date; then
  echo "$laid_out"
  exit 0
fi
plain="$work/backprop-server.linked"
cp "$swiftpm/release/backprop-server" "$plain"
patchelf --remove-needed "$(readelf -d "$mhd_libdir/libmicrohttpd.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" "$plain"
if nm -D --undefined-only "$plain" | grep -q " MHD_"; then
  echo "$plain still takes libmicrohttpd's functions from outside: it was not linked in" >&2; exit 1
fi

# The runtime library BOLT links into an instrumented binary; Debian's package looks for it in
# /usr/lib while installing it under /usr/lib/llvm-16/lib, so it is named by a path relative to /usr/lib.
# The profile's path is absolute: the instrumented server writes it from whatever directory it runs in.
profile="$(realpath -m "$work/profile.fdata")"
rm -f "$profile"
llvm-bolt-16 "$plain" -o "$work/backprop-server.instrumented" -instrument \
    --instrumentation-file="$profile" --runtime-instrumentation-lib=llvm-16/lib/libbolt_rt_instr.a \
    >"$work/instrument.log" 2>&1 || { cat "$work/instrument.log" >&2; exit 1; }
# The training run (scripts/bolt_training.py): the instrumented server writes its profile when it exits.
python3 scripts/bolt_training.py "$work/backprop-server.instrumented" >&2
[[ -s "$profile" ]] || { echo "the training run left no profile ($profile)" >&2; exit 1; }
# Written aside and moved into place, so that a failed layout never looks up to date.
llvm-bolt-16 "$plain" -o "$laid_out.new" -data="$profile" \
    -reorder-blocks=ext-tsp -reorder-functions=hfsort+ -split-functions -split-all-cold -split-eh \
    -icf=1 -use-gnu-stack >"$work/optimize.log" 2>&1 || { cat "$work/optimize.log" >&2; exit 1; }
mv "$laid_out.new" "$laid_out"
grep -E "have non-empty execution profile|splitting separates" "$work/optimize.log" | sed 's/^/  /' >&2
echo "$laid_out"
