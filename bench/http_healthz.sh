#!/usr/bin/env bash
# /healthz requests/s and p99 with wrk at 64 connections, beside nginx serving a
# static file of the same size on the same machine in the same run. Target: at
# least 50% of nginx's requests/s. Also prints the role's peak RSS, and the CPU
# of one round trip, client and server together.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build-bench}
hromada="$build/hromada"
seconds=${BENCH_SECONDS:-10}
[ -x "$hromada" ] || { echo "bench: $hromada not built" >&2; exit 2; }

work=$(mktemp -d /tmp/hromada-bench-XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# --- hromada: the nccc role, default settings (access log on, to a file), with
# the keys and settings `hromada up` writes for it (it needs a member key and
# the gateway's directory; nothing else of `up` keeps running) ---
"$hromada" up --state "$work/state" --countries UA --population 100 --port-base 0 --quiet \
	>"$work/up.log" 2>&1 &
upid=$!
wait_up "$work/state" "$upid" 60
kill "$upid"
wait "$upid" 2>/dev/null || true
sed -e 's/^listen = .*/listen = 127.0.0.1:0/' "$work/state/nccc/hromada.ini" >"$work/role.ini"
"$hromada" serve nccc --config "$work/role.ini" >"$work/hromada.log" 2>&1 &
hpid=$!
pids+=("$hpid")
hurl=$(wait_listening "$work/hromada.log")
wait_http "$hurl/healthz"
curl -fsS "$hurl/healthz" -o "$work/healthz.body"
size=$(stat -c %s "$work/healthz.body")

# --- nginx: the same bytes as a static file ---
read -r npid nport < <(start_nginx "$work" "$work/healthz.body" /healthz)
pids+=("$npid")
wait_http "http://127.0.0.1:$nport/healthz"
nginx_version=$(nginx_version)

echo "== GET /healthz: wrk -t2 -c64 -d${seconds}s, $(nproc) cores, same machine, same run ==" >&2
# warm both up, then measure alternately
wrk -t2 -c64 -d2s "http://127.0.0.1:$nport/healthz" >/dev/null
wrk -t2 -c64 -d2s "$hurl/healthz" >/dev/null
read -r n_rps n_p50 n_p99 n_bad < <(wrk_run "http://127.0.0.1:$nport/healthz" "$seconds")
read -r h_rps h_p50 h_p99 h_bad < <(wrk_run "$hurl/healthz" "$seconds")
rss=$(peak_rss_mb "$hpid")

ratio=$(awk -v a="$h_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.50 ? "meets" : "MISSES") }')
printf '\n%-34s %12s %9s %9s %8s\n' "GET /healthz ($size-byte body)" "requests/s" "p50 ms" "p99 ms" "non-2xx"
printf '%-34s %12.0f %9.3f %9.3f %8s\n' "nginx $nginx_version static file" "$n_rps" "$n_p50" "$n_p99" "$n_bad"
printf '%-34s %12.0f %9.3f %9.3f %8s\n' "hromada serve nccc" "$h_rps" "$h_p50" "$h_p99" "$h_bad"
printf 'ratio hromada/nginx: %s (target >= 0.50: %s)\n' "$ratio" "$verdict"
printf 'hromada peak RSS: %s MB\n' "$rss"
# the same round trip in CPU, client and server together (the hop in the floor
# of a document fetch, docs/EXCHANGE.md)
read -r hop_us hop_rps < <(healthz_round_trip_us "$hurl/healthz" "$hpid" 5 "$work")
printf 'CPU per round trip, wrk and hromada together: %s microseconds of one core (at %s requests/s)\n' \
	"$hop_us" "$hop_rps"
