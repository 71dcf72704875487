#!/usr/bin/env bash
# Every benchmark of the project, in one run on this machine (release builds, never part of the
# tests). The machine is shared and noisy: read the ratios, each measured side by side.
#   1. JSON codec: read and write MB/s on 100k-double arrays     (Benchmarks/JSONBenchmark)
#   2. core step vs bare cblas_dgemm from C, per network size    (Benchmarks/core-vs-dgemm.sh)
#   3. the service in-process: µs per small and large /step, peak memory (Benchmarks/APIBenchmark)
#   4. over HTTP with wrk: ours vs the C ceiling vs the Python peer (../shared/bench/compare)
#   5. CPU time and context switches per small request, ours at one polling thread and at the
#      default count vs the C ceiling at one and at compare's two (cpu_per_request.py)
# Usage: scripts/bench.sh [SHARED_BENCH_DIR]   (default ../shared/bench; part 4 is skipped without it)
set -euo pipefail
cd "$(dirname "$0")/.."
bench_dir="${1:-../shared/bench}"
scripts/install-deps.sh

for product in JSONBenchmark APIBenchmark; do
  swift build -c release --product "$product" >&2
done
bin="$(swift build -c release --show-bin-path)"
server="$(scripts/build-release.sh)"  # the server as it ships: laid out by BOLT

echo "== 1. JSON codec"
"$bin/JSONBenchmark"

echo "== 2. core step vs C dgemm"
Benchmarks/core-vs-dgemm.sh 3 2

if [ -d "$bench_dir" ]; then
  echo "== 3. in-process /step"
  "$bin/APIBenchmark" "$bench_dir/peer/small.json" "$bench_dir/peer/large.json"
  echo "== 4. over HTTP (wrk), side by side"
  "$bench_dir/compare" "$server" both 6
  echo "== 5. CPU time per small request (compare built the C server above)"
  scripts/cpu_per_request.py --c-ceiling --threads "1,$((2 * $(nproc)))" --bench-dir "$bench_dir" "$server"
else
  echo "(no $bench_dir: skipping the in-process and HTTP comparisons, which use its request bodies)"
fi
