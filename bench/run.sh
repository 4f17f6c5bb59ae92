#!/usr/bin/env bash
# Runs every benchmark against the optimised build in $1 (make bench).
# Each benchmark prints its figure beside its peer or limit, measured in this run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-bench}
# `hromada serve` refuses root (docs/DEPLOY.md); a benchmark machine or CI that
# can only run as root waives it for these throw-away servers, and only then.
if [ "$(id -u)" -eq 0 ]; then
	export HROMADA_UNSAFE_ALLOW_ROOT=1
fi
"$here/credential.sh" "$build"
"$here/verify_batch.sh" "$build"
"$here/signer.sh" "$build"
"$here/trust_status.sh" "$build"
"$here/http_healthz.sh" "$build"
"$here/population.sh" "$build"
"$here/audit_log.sh" "$build"
# its last line, "fetch: ...", is printed again last of all (for machines)
fetch=$(mktemp /tmp/hromada-bench-fetch-XXXXXX)
trap 'rm -f "$fetch"' EXIT
"$here/wallet_documents.sh" "$build" | tee "$fetch"
"$here/nccc_index.sh" "$build"
"$here/leakscan.sh" "$build"
"$here/leak_range.sh" "$build"
echo
grep '^fetch:' "$fetch" | tail -1
