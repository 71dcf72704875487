#!/usr/bin/env bash
# Builds the C dgemm ceiling and the Swift core benchmark, runs them in alternating rounds on one
# thread, and prints the core's step GFLOP/s beside the ceiling's, with the ratio, per shape.
# Not a test: it fails only if a build fails.
#
#   Benchmarks/core-vs-dgemm.sh [ROUNDS] [SECONDS]      (defaults: 3 rounds, 2 s per shape)
#
# Each program reports its best step per shape, by the wall clock and by its thread's CPU time
# (which leaves out time spent preempted); across rounds each side keeps its best, so a noisy
# neighbour on this shared 2-core machine costs either side the same. OPENBLAS_NUM_THREADS=1
# for the C side matches BLAS.configure(threads: 1) on the Swift side. OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE are passed through as the environment has them (printed below).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-2}
out=.build/benchmarks
mkdir -p "$out"

gcc -O2 -Wall -o "$out/dgemm_ceiling" Benchmarks/dgemm_ceiling.c $(pkg-config --cflags --libs openblas)
swift build -c release --product CoreBenchmark >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
core="$(swift build -c release --show-bin-path)/CoreBenchmark"

echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-<unset>} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-<unset>} load: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$out/c.txt"
: >"$out/swift.txt"
for round in $(seq 1 "$rounds"); do
    OPENBLAS_NUM_THREADS=1 "$out/dgemm_ceiling" "$seconds" | tee -a "$out/c.txt" >"$out/c-round.txt"
    args=()
    while read -r name gflops ms cpugflops cpums; do args+=(--ceiling "$name=$gflops/$cpugflops"); done <"$out/c-round.txt"
    echo "--- round $round"
    "$core" --seconds "$seconds" --machine "${args[@]}" >"$out/swift-round.txt"
    grep -v '^#' "$out/swift-round.txt"
    sed -n 's/^# //p' "$out/swift-round.txt" >>"$out/swift.txt"
done

echo "--- best of $rounds rounds (GFLOP/s = 2·m·n·k per product / best step time; wall clock, then thread CPU time)"
awk '
    FNR == 1 { file++ }
    file == 1 { if ($2 > c[$1]) { c[$1] = $2; cms[$1] = $3 }; if ($4 > cc[$1]) cc[$1] = $4 }
    file == 2 {
        if ($2 > s[$1]) { s[$1] = $2; sms[$1] = $3 }; if ($4 > sc[$1]) sc[$1] = $4
        if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
    }
    END {
        printf "%-22s %10s %10s %10s %10s %7s | %10s %10s %7s\n", "shape", "core ms", "core GF/s", "dgemm ms", "dgemm GF/s", "ratio", "core cpuGF", "dgemm cpuGF", "ratio"
        for (i = 1; i <= n; i++) {
            k = order[i]
            printf "%-22s %10.4f %10.2f %10.4f %10.2f %6.1f%% | %10.2f %10.2f %6.1f%%\n", k, sms[k], s[k], cms[k], c[k], 100 * s[k] / c[k], sc[k], cc[k], 100 * sc[k] / cc[k]
        }
    }' "$out/c.txt" "$out/swift.txt"
