#!/usr/bin/env bash
# `hromada verify -` on a batch of EU DCCs (one payload a line, JSON Lines out)
# on one core, beside `openssl speed ecdsap256` verify/s on the same core, in
# the same run. Both are CPU-time rates: openssl speed divides by its user time,
# we divide by the verifier's user + system time (reading and writing included),
# so a neighbour's load on the core moves neither much.
#
# Target (issue 15): >= 0.75x OpenSSL's verify/s — reading, decoding, schema
# checks and the JSON output take at most a quarter of each line's time.
# BENCH_DCC_LINES, BENCH_DCC_DISTINCT, BENCH_RUNS (best of) and BENCH_CORE
# change the batch and the core.
set -euo pipefail
build=${1:-build-bench}
hromada=$build/hromada
core=${BENCH_CORE:-0}
distinct=${BENCH_DCC_DISTINCT:-60}
lines=${BENCH_DCC_LINES:-30000}
runs=${BENCH_RUNS:-3}

scratch=$(mktemp -d /tmp/hromada-vbatch-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
echo "== verify batch: $lines EU DCCs ($distinct distinct), core $core ==" >&2

# A country's keys: its hcert signer issues every DCC of the batch.
"$hromada" keys --country UA --out "$scratch/UA" >/dev/null
at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
family=(KOVAL SHEVCHENKO BONDARENKO TKACHENKO KRAVCHENKO OLIINYK)
given=(OLENA TARAS IRYNA ANDRII MARIIA DMYTRO)
for ((i = 0; i < distinct; i++)); do
	fn=${family[i % 6]}
	gn=${given[(i / 6) % 6]}
	dob=$(printf '19%02d-%02d-%02d' $((50 + i % 50)) $((1 + i % 12)) $((1 + i % 28)))
	ci=$(printf 'URN:UVCI:01:UA:%032X' $((i * 7919 + 104729)))
	case $((i % 3)) in
	0) kind='"v":[{"tg":"840539006","vp":"J07BX03","mp":"EU/1/20/1528","ma":"ORG-100030215","dn":2,"sd":2,"dt":"2021-06-04","co":"UA","is":"Ministry of Health of Ukraine","ci":"'$ci'"}]' ;;
	1) kind='"t":[{"tg":"840539006","tt":"LP6464-4","nm":"Roche LightCycler qPCR","sc":"2021-06-04T10:15:00Z","tr":"260415000","tc":"Kyiv City Clinical Hospital 1","co":"UA","is":"Ministry of Health of Ukraine","ci":"'$ci'"}]' ;;
	2) kind='"r":[{"tg":"840539006","fr":"2021-05-01","co":"UA","is":"Ministry of Health of Ukraine","df":"2021-05-15","du":"2021-11-01","ci":"'$ci'"}]' ;;
	esac
	printf '{"ver":"1.3.0","nam":{"fn":"%s","fnt":"%s","gn":"%s","gnt":"%s"},"dob":"%s",%s}\n' \
		"$fn" "$fn" "$gn" "$gn" "$dob" "$kind" >"$scratch/dcc.json"
	"$hromada" issue --signer "$scratch/UA/signers/hcert" --type hcert --at "$at" \
		--json "$scratch/dcc.json" >>"$scratch/distinct.txt"
done
awk -v n="$lines" '{ p[NR] = $0 } END { for (i = 0; i < n; i++) print p[i % NR + 1] }' \
	"$scratch/distinct.txt" >"$scratch/batch.txt"
chars=$(awk '{ s += length($0) } END { printf "%d", s / NR }' "$scratch/distinct.txt")

# every line must verify VALID, or the figure is not the one we mean
verify() {
	taskset -c "$core" "$hromada" verify --cert "$scratch/UA/signers/hcert/cert.pem" --at "$at" - \
		<"$scratch/batch.txt" >"$scratch/out.jsonl"
}
verify || {
	echo "verify_batch: the batch does not verify VALID:" >&2
	grep -m3 '"valid":false' "$scratch/out.jsonl" >&2
	exit 1
}
[ "$(wc -l <"$scratch/out.jsonl")" -eq "$lines" ]

ossl_verify() {
	taskset -c "$core" openssl speed -seconds 3 ecdsap256 2>/dev/null |
		awk '/ecdsa \(nistp256\)/ { print $NF }'
}
# the best of each, OpenSSL measured before and after ours
best_ossl=$(ossl_verify)
best=0
TIMEFORMAT='%U %S'
for ((r = 0; r < runs; r++)); do
	cpu=$({ time verify; } 2>&1)
	rate=$(awk -v n="$lines" -v c="$cpu" 'BEGIN { split(c, t, " "); s = t[1] + t[2]; printf "%.0f", (s > 0 ? n / s : 0) }')
	best=$(awk -v a="$best" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')
done
o=$(ossl_verify)
best_ossl=$(awk -v a="$best_ossl" -v b="$o" 'BEGIN { print (b > a ? b : a) }')

ratio=$(awk -v a="$best" -v b="$best_ossl" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
verdict=$(awk -v r="$ratio" 'BEGIN { if (r == "n/a") print "n/a"; else print (r >= 0.75 ? "meets" : "MISSES") }')
printf '\n%-60s %10s\n' "operation (one core, CPU time; $chars-char HC1 payloads)" "ops/s"
printf '%-60s %10s\n' "openssl speed ecdsap256 verify (one core)" "$best_ossl"
printf '%-60s %10s\n' "hromada verify - (batch of $lines EU DCCs, one core)" "$best"
printf '\nverify batch / openssl verify: %s (target >= 0.75: %s)\n' "$ratio" "$verdict"
