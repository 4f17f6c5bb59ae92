#!/usr/bin/env bash
# A 10 000-signer trust list fetched over HTTP, verified and loaded, and a
# status-list check of a million entries once the token is cached, each beside
# the OpenSSL / zlib operations that bound it, all measured in this run.
#
# Targets (issue 10): the trust list in under 100 ms; the status check in
# under 5 ms.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-bench}

echo "== trust list and status list: same machine, same run ==" >&2
out=$("$build/bench/bench_trust_status" 10000 1000000)
get() { sed -E "s/.*\"$1\": ([0-9.]+).*/\1/" <<<"$out"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t ? "meets" : "MISSES") }'; }

printf '\n%-72s %10s\n' "trust list: $(get signers) signers, $(get list_bytes) bytes (median of 15)" "ms"
printf '%-72s %10s\n' "hromada: GET over loopback HTTP (libcurl, our server)" "$(get fetch_ms)"
printf '%-72s %10s\n' "hromada: verify JWS + read + check every kid + sort (certificates lazy)" "$(get load_ms)"
printf '%-72s %10s\n' "hromada: fetched, verified and loaded" "$(get fetch_verify_load_ms)"
printf '%-72s %10s\n' "openssl: SHA-256 of every certificate (the kid checks)" "$(get openssl_sha256_all_ms)"
printf '%-72s %10s\n' "openssl: ES256 verify of the list's JWS (SHA-256 of it + ECDSA)" "$(get openssl_es256_verify_list_ms)"
printf '%-72s %10s\n' "openssl: d2i_X509 of every certificate (what eager parsing costs)" "$(get openssl_d2i_all_ms)"
printf 'fetched+verified+loaded: %s ms (target < 100 ms: %s)\n' "$(get fetch_verify_load_ms)" \
	"$(verdict "$(get fetch_verify_load_ms)" 100)"

printf '\n%-72s %10s\n' "status list: $(get status_entries) entries of 2 bits, token $(get status_token_bytes) bytes (median of 300)" "ms"
printf '%-72s %10s\n' "hromada: check the cached token (JWS ES256, JSON, inflate) + read entry" "$(get status_check_ms)"
printf '%-72s %10s\n' "zlib: uncompress of the same $(get status_compressed_bytes) bytes" "$(get zlib_inflate_ms)"
printf '%-72s %10s\n' "openssl: one ES256 verify of the same signing input" "$(get openssl_es256_verify_ms)"
printf 'status check / (inflate + verify): %s\n' \
	"$(ratio "$(get status_check_ms)" "$(awk -v a="$(get zlib_inflate_ms)" -v b="$(get openssl_es256_verify_ms)" 'BEGIN { print a + b }')")"
printf 'status check: %s ms (target < 5 ms: %s)\n' "$(get status_check_ms)" \
	"$(verdict "$(get status_check_ms)" 5)"
