#!/usr/bin/env bash
# ES256 signatures/s through the signer seam: an in-process key beside the
# same key through the key process (docs/KEYS.md; issue 13's target: under
# 10 us added per signature) and a PKCS#11 token key (SoftHSM2, docs/HSM.md),
# one and two threads, beside `openssl speed ecdsap256` sign/s, all measured
# in this run (a few seconds).
set -euo pipefail
build=${1:-build-bench}
seconds=${BENCH_SIGNER_SECONDS:-1}

echo "== signers: in-process vs key process vs PKCS#11 (SoftHSM2), same run ==" >&2
ossl=$(openssl speed -seconds 1 ecdsap256 2>/dev/null | awk '/ecdsa \(nistp256\)/ { print $(NF-1) }')
ours=$("$build/bench/bench_signer" "$seconds" "$build/hromada")
field() { sed -E "s/.*\"$1\": (-?[0-9]+).*/\\1/" <<<"$ours"; }
printf '\n%-60s %10s\n' "ES256 signatures" "per s"
printf '%-60s %10s\n' "openssl speed ecdsap256: sign (one core)" "$ossl"
printf '%-60s %10s\n' "in-process signer, 1 thread" "$(field in_process_1t)"
printf '%-60s %10s\n' "in-process signer, 2 threads" "$(field in_process_2t)"
printf '%-60s %10s\n' "key process signer, 1 thread" "$(field key_process_1t)"
printf '%-60s %10s\n' "key process signer, 2 threads" "$(field key_process_2t)"
printf 'key process: %s us added per signature (1 thread; target < 10)\n' \
	"$(awk -v a="$(field key_process_1t)" -v b="$(field in_process_1t)" 'BEGIN { printf "%.1f", 1e6 / a - 1e6 / b }')"
if [ "$(field pkcs11_1t)" -lt 0 ]; then
	echo "  (PKCS#11 skipped: SoftHSM2 is not installed)"
	exit 0
fi
printf '%-60s %10s\n' "PKCS#11 signer (SoftHSM2), 1 thread" "$(field pkcs11_1t)"
printf '%-60s %10s\n' "PKCS#11 signer (SoftHSM2), 2 threads, a session each" "$(field pkcs11_2t)"
printf '%-60s %10s\n' "PKCS#11 signer (SoftHSM2), 2 threads, one session (mutex)" \
	"$(field pkcs11_2t_one_session)"
printf 'PKCS#11 / in-process (1 thread): %s\n' \
	"$(awk -v a="$(field pkcs11_1t)" -v b="$(field in_process_1t)" 'BEGIN { printf "%.2f", a / b }')"
