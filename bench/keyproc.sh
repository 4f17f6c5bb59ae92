#!/usr/bin/env bash
# ES256 signatures per second in-process and through the key process (issue 13),
# one thread and one per core, in the same run. Target: the key process adds
# under 10 us to a signature, so the fetch path's figures stay.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-bench}
seconds=${BENCH_SECONDS:-3}

echo "== key process: ES256 signatures, same key, same run ==" >&2
out=$("$build/bench/bench_keyproc" "$build/hromada" "$seconds")
field() { sed -E "s/.*\"$1\": ([0-9.]+).*/\1/" <<<"$out"; }
printf '  one thread:  in-process %8s/s   key process %8s/s   added %s us per signature (target < 10)\n' \
	"$(field in_process_per_s)" "$(field key_process_per_s)" "$(field added_us)"
printf '  %s threads:   in-process %8s/s   key process %8s/s\n' "$(field threads)" \
	"$(field in_process_all_cores_per_s)" "$(field key_process_all_cores_per_s)"
