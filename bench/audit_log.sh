#!/usr/bin/env bash
# The audit log's durable appends/s with 1, 16 and 64 writers beside SQLite WAL
# inserts with synchronous=FULL (target: >= 5x SQLite at 64 writers), and proof
# times at 100 000 and BENCH_AUDIT_LARGE (default 10 million) entries (target:
# < 100 µs), all in one run on the same disk (bench/bench_audit_log.c).
#
# BENCH_AUDIT_LARGE is skipped down to 1 million, with a message, when the disk
# has less than 8 GB free (10 million entries take ~3.5 GB).
set -euo pipefail
build=${1:-build-bench}
bin="$build/bench/bench_audit_log"
seconds=${BENCH_AUDIT_SECONDS:-3}
large=${BENCH_AUDIT_LARGE:-10000000}
[ -x "$bin" ] || { echo "bench: $bin not built" >&2; exit 2; }
work=$(mktemp -d /tmp/hromada-bench-audit-XXXXXX)
trap 'rm -rf "$work"' EXIT
free_gb=$(df -Pk "$work" | awk 'NR==2 {print int($4 / 1048576)}')
if [ "$large" -gt 1000000 ] && [ "$free_gb" -lt 8 ]; then
	echo "bench audit_log: only ${free_gb} GB free: proofs at 1 000 000 entries, not $large"
	large=1000000
fi
echo "== audit log: durable appends and proofs (bench_audit_log $seconds s, $large entries)"
"$bin" "$work" "$seconds" "$large"
