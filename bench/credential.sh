#!/usr/bin/env bash
# Credential issue/s and verify/s on one core, beside `openssl speed ecdsap256`
# sign/s and verify/s and the npm peers of ../shared/PEERS.md, all measured in
# this run; plus the peak RSS of `hromada verify`.
#
# Targets (issue 3): verify >= 75% of OpenSSL's ECDSA-P256 verify/s, issue >= 75%
# of its sign/s, both >= 10x the fastest npm peer library, verify RSS < 8 MB.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-bench}
seconds=${BENCH_SECONDS:-5}
shared=${HROMADA_SHARED_DIR:-$here/../../shared}

echo "== credentials: one core, same machine, same run ==" >&2
speed=$(openssl speed -seconds 3 ecdsap256 2>/dev/null | awk '/ecdsa \(nistp256\)/ { print $(NF-1), $NF }')
read -r ossl_sign ossl_verify <<<"$speed"
ours=$("$build/bench/bench_credential" "$build/hromada" "$seconds")
issue=$(sed -E 's/.*"issue_per_s": ([0-9]+).*/\1/' <<<"$ours")
verify=$(sed -E 's/.*"verify_per_s": ([0-9]+).*/\1/' <<<"$ours")
chars=$(sed -E 's/.*"payload_chars": ([0-9]+).*/\1/' <<<"$ours")
rss=$(sed -E 's/.*"verify_peak_rss_kb": (-?[0-9]+).*/\1/' <<<"$ours")

# npm peers, installed into a scratch folder from the registry (never vendored)
peer_lines=""
best_issue=0
best_verify=0
if [ ! -d "$shared/peers" ]; then
	peer_lines="  (npm peers skipped: $shared/peers is absent)"
elif ! command -v npm >/dev/null || ! command -v node >/dev/null; then
	peer_lines="  (npm peers skipped: node and npm are not installed)"
else
	scratch=$(mktemp -d /tmp/hromada-peers-XXXXXX)
	trap 'rm -rf "$scratch"' EXIT
	cp -r "$shared/peers/." "$scratch/"
	chmod -R u+w "$scratch"
	if (cd "$scratch" && npm install --no-audit --no-fund --loglevel=error >"$scratch/npm.log" 2>&1) &&
		(cd "$scratch" && BENCH_SECONDS=3 node bench_dcc.js >"$scratch/dcc.log" 2>&1); then
		peer_lines=$(node -e '
			const r = require(process.argv[1]).results;
			const lib = (n) => !n.includes("minimal");
			for (const x of r) console.log(`  ${x.name.padEnd(58)} ${Math.round(x.ops_per_s).toString().padStart(9)}${lib(x.name) ? "" : "   (reference pipeline, not a library)"}`);
			const best = (re) => Math.max(...r.filter(x => lib(x.name) && re.test(x.name)).map(x => x.ops_per_s));
			console.error(`BEST ${Math.round(best(/issue|signAndPack/))} ${Math.round(best(/verify|unpackAndVerify/))}`);
		' "$scratch/results/dcc.json" 2>"$scratch/best")
		read -r _ best_issue best_verify <"$scratch/best"
	else
		peer_lines="  (npm peers failed to install or run; see the log below)"
		tail -20 "$scratch/npm.log" "$scratch/dcc.log" 2>/dev/null >&2 || true
	fi
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { if (r == "n/a") print "n/a"; else print (r >= t ? "meets" : "MISSES") }'; }

printf '\n%-60s %10s\n' "operation (driver's licence, $chars-char QR payload)" "ops/s"
printf '%-60s %10s\n' "openssl speed ecdsap256: sign" "$ossl_sign"
printf '%-60s %10s\n' "openssl speed ecdsap256: verify" "$ossl_verify"
printf '%-60s %10s\n' "hromada issue (CBOR, COSE ES256, zlib, Base45)" "$issue"
printf '%-60s %10s\n' "hromada verify (every stage, claims as JSON)" "$verify"
echo "npm peers (EU DCC pipeline, bench_dcc.js):"
echo "$peer_lines"
r1=$(ratio "$issue" "$ossl_sign"); r2=$(ratio "$verify" "$ossl_verify")
r3=$(ratio "$issue" "$best_issue"); r4=$(ratio "$verify" "$best_verify")
printf '\nissue / openssl sign:        %s (target >= 0.75: %s)\n' "$r1" "$(verdict "$r1" 0.75)"
printf 'verify / openssl verify:     %s (target >= 0.75: %s)\n' "$r2" "$(verdict "$r2" 0.75)"
printf 'issue / fastest npm library: %s (target >= 10: %s)\n' "$r3" "$(verdict "$r3" 10)"
printf 'verify / fastest npm library: %s (target >= 10: %s)\n' "$r4" "$(verdict "$r4" 10)"
printf 'hromada verify peak RSS:     %s KB (target < 8192 KB: %s)\n' "$rss" \
	"$(awk -v r="$rss" 'BEGIN { print (r > 0 && r < 8192 ? "meets" : "MISSES") }')"
