#!/usr/bin/env bash
# A short fuzzing campaign for make test: fuzz_smoke.sh TARGET CORPUS_DIR
# Runs TARGET for $HROMADA_FUZZ_SECONDS (default 7) from a scratch copy of the
# seed corpus (the repository's corpus is never written to) and fails on any
# crash, timeout, leak or sanitizer report, printing the reproducer's path.
set -euo pipefail
target=$1
seeds=$2
seconds=${HROMADA_FUZZ_SECONDS:-7}
work=$(mktemp -d /tmp/hromada-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
if [ -d "$seeds" ]; then cp -r "$seeds"/. "$work/corpus/"; fi
if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1; then
	tail -60 "$work/log"
	keep=/tmp/hromada-fuzz-failure-$(basename "$target")-$$
	cp -r "$work/artifacts" "$keep"
	echo "fuzz smoke FAILED: $(basename "$target"); reproducers kept in $keep" >&2
	exit 1
fi
grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$work/log" | tail -2
