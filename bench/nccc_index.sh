#!/usr/bin/env bash
# The nccc correlation index (src/nccc/value_index.h) beside SQLite, one core,
# in one run (bench/bench_nccc_index.c): p50/p99 of a "where else was this
# seen" lookup over BENCH_NCCC_INDICATORS (default 10 million) indicators
# (target p99 < 50 µs), and the ingest rate of a BENCH_NCCC_FEED (default
# 1 million) attribute MISP feed, ours against the MISP way (target >= 2x).
# SQLite files live in a temporary directory removed on exit (~2 GB at 10 M).
set -euo pipefail
build=${1:-build-bench}
bin="$build/bench/bench_nccc_index"
count=${BENCH_NCCC_INDICATORS:-10000000}
feed=${BENCH_NCCC_FEED:-1000000}
[ -x "$bin" ] || { echo "bench: $bin not built" >&2; exit 2; }
work=$(mktemp -d /tmp/hromada-bench-nccc-XXXXXX)
trap 'rm -rf "$work"' EXIT
taskset -c 0 "$bin" "$work" "$count" "$feed" 2>&1 || "$bin" "$work" "$count" "$feed"
