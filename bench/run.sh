#!/usr/bin/env bash
# Runs every benchmark against the optimised build in $1 (make bench).
# Each benchmark prints its figure beside its peer or limit, measured in this run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-bench}
"$here/credential.sh" "$build"
"$here/signer.sh" "$build"
"$here/trust_status.sh" "$build"
"$here/http_healthz.sh" "$build"
"$here/population.sh" "$build"
"$here/audit_log.sh" "$build"
"$here/wallet_documents.sh" "$build"
"$here/nccc_index.sh" "$build"
"$here/leakscan.sh" "$build"
"$here/leak_range.sh" "$build"
"$here/keyproc.sh" "$build"
