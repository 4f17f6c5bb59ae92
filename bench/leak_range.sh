#!/usr/bin/env bash
# The "was my data leaked" range service (bench/bench_leak_range.c), one core:
# BENCH_LEAK_TAGS (default 10 million) tags published in calls of 10 000 into
# the hub's SQLite schema, then BENCH_LEAK_LOOKUPS (default 100 000) range
# lookups and padded answers, p50/p99. The SQLite file (~0.5 GB at 10 M) lives
# in a temporary directory removed on exit.
set -euo pipefail
build=${1:-build-bench}
bin="$build/bench/bench_leak_range"
tags=${BENCH_LEAK_TAGS:-10000000}
lookups=${BENCH_LEAK_LOOKUPS:-100000}
[ -x "$bin" ] || { echo "bench: $bin not built" >&2; exit 2; }
work=$(mktemp -d /tmp/hromada-bench-leak-XXXXXX)
trap 'rm -rf "$work"' EXIT
taskset -c 0 "$bin" "$work" "$tags" "$lookups" 2>&1 || "$bin" "$work" "$tags" "$lookups"
