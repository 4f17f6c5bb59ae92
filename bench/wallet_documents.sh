#!/usr/bin/env bash
# GET /v1/documents/driver_licence, the whole path of the vertical slice: DPoP
# check, the signed exchange wallet -> gateway -> registry and back, the
# lookup in the registry, and the credential signed and drawn as a QR code. wrk
# at 64 connections, each request with its own DPoP proof, for citizens drawn at
# random from the registry; with 100 000 people and with BENCH_PEOPLE_LARGE
# (default 10 million) in the registries. Twice: closed loop (as fast as answers
# come: the capacity, and the CPU per fetch), then open loop, paced at half of
# that capacity (bench/wallet_paced.lua: Poisson arrivals over enough
# connections that each is idle most of the time; the latency an SLO is stated
# on).
#
# Printed beside, measured in the same run on the same cores:
#  - the floor of the path (DESIGN.md §9, docs/EXCHANGE.md): its 5 signs and 5
#    verifications at `openssl speed` on one core, one QR rendering, and three
#    bare HTTP round trips (GET /healthz, client and server CPU); the CPU per
#    fetch of every role against it (target <= 1.5x) and the paced p99 (< 20 ms);
#  - of that CPU, the key processes' share (docs/KEYS.md), and the context
#    switches per fetch of every role (a count: steadier between runs than the
#    CPU time on a shared VM, and what a change of design moves first);
#  - the limit that `openssl speed` implies for the path's ECDSA operations on
#    all cores, and the same limit with the QR rendering the path must also do
#    (the 0.70 of it once asked is retired, DESIGN.md §9);
#  - nginx serving a static file of the same size (the issue's original peer);
#  - the wallet's peak RSS (target < 64 MB), and how the figure moves from
#    100 000 to 10 million people (it must not degrade beyond an index lookup).
#
# The wallet runs as its own process (hromada serve wallet, with the settings
# `up` wrote), the gateway and registries in `hromada up`: the wallet's RSS is
# its own, and every hop is real HTTP over loopback.
#
# BENCH_PEOPLE_LARGE=0 skips the large run; it is also skipped, with a message,
# when the disk has less than 30 GB free (10 million Ukrainians take ~17 GB).
# BENCH_PACED_SECONDS (default BENCH_SECONDS), BENCH_PACED_CONNECTIONS (256: a
# stall of a second at the paced rate still finds a connection idle).
#
# Printed last, for machines:
#   fetch: cpu_per_fetch_us=N floor_us=M ratio=N/M capacity_rps=C paced_rps=P p99_paced_ms=L
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-build-bench}
hromada=$(cd "$(dirname "$build/hromada")" && pwd)/hromada
seconds=${BENCH_SECONDS:-10}
large=${BENCH_PEOPLE_LARGE:-10000000}
citizens=64
# BENCH_KEY_PROCESS=false keeps the keys in the serving processes (docs/KEYS.md)
key_process=${BENCH_KEY_PROCESS:-true}
paced_seconds=${BENCH_PACED_SECONDS:-$seconds}
paced_conns=${BENCH_PACED_CONNECTIONS:-256}
path=/v1/documents/driver_licence
[ -x "$hromada" ] || { echo "bench: $hromada not built" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 missing (scripts/deps.sh)" >&2; exit 2; }

work=$(mktemp -d /tmp/hromada-bench-wallet-XXXXXX)
# the proofs wrk sends (~120 MB at 100 000 people) live in memory where there is
# a tmpfs: written to disk, the kernel wrote them back ~30 s later
# (vm.dirty_expire_centisecs), during the paced run, and every fetch's audit
# fdatasync waited behind that (stalls of ~200 ms, docs/EXCHANGE.md)
proofs=$(mktemp -d /dev/shm/hromada-bench-proofs-XXXXXX 2>/dev/null || mktemp -d "$work/proofs-XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work" "$proofs"
}
trap cleanup EXIT

# ECDSA operations on the path (docs/EXCHANGE.md): the wallet verifies the DPoP
# proof, signs its request to the gateway, verifies the gateway's answer and
# signs the credential; the gateway verifies the wallet, signs the forwarded
# request, verifies the registry's answer and signs its own; the registry
# verifies the gateway and signs its answer. The citizen's consent is verified
# once per distinct token (consent.h), not per request.
signs=5
verifies=5

# key_processes PID -> the pids of PID's key process (docs/KEYS.md), which
# signs for it: part of its cost per fetch (none with keys.process=false)
key_processes() {
	local c
	for c in $(cat "/proc/$1/task/"*/children 2>/dev/null); do
		if tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null | grep -q ' keyproc '; then
			echo "$c"
		fi
	done
}

# key_process_ticks PID -> the CPU time of PID's key process
key_process_ticks() {
	local c t=0
	for c in $(key_processes "$1"); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$c/stat")))
	done
	echo "$t"
}

# context_switches PID -> the context switches (voluntary and not) of PID's
# threads and its key process's: each costs far more than a bare round trip's
# share on a hypervisor that traps the wake-up (docs/EXCHANGE.md), and unlike
# CPU time the count barely moves between runs
context_switches() {
	local p n=0
	for p in "$1" $(key_processes "$1"); do
		n=$((n + $(cat "/proc/$p/task/"*/status 2>/dev/null |
			awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }')))
	done
	echo "$n"
}

# cpu_ticks WALLET_PID UP_PID -> "WALLET UP BUSY IDLE KEYS SWITCHES": the CPU
# time (clock ticks) the wallet and `up` (gateway and registries) have used,
# key processes included, the whole machine's busy and idle time, so that a
# run's CPU can be told apart by who spent it; KEYS the key processes' share of
# the first two, SWITCHES the context switches of all of them
cpu_ticks() {
	local w u kw ku
	kw=$(key_process_ticks "$1")
	ku=$(key_process_ticks "$2")
	w=$(($(awk '{ print $14 + $15 }' "/proc/$1/stat") + kw))
	u=$(($(awk '{ print $14 + $15 }' "/proc/$2/stat") + ku))
	awk -v w="$w" -v u="$u" -v k=$((kw + ku)) \
		-v c=$(($(context_switches "$1") + $(context_switches "$2"))) \
		'/^cpu / { print w, u, $2 + $3 + $4 + $7 + $8 + $9, $5 + $6, k, c; exit }' /proc/stat
}

# run_once PEOPLE -> "RPS P50 P99 BAD RSS_MB ANSWER_BYTES DIR WALLET_TICKS
# UP_TICKS BUSY_TICKS IDLE_TICKS RATE PACED_WALLET_TICKS PACED_UP_TICKS PACED
# HOP_US HOP_RPS PACED_IDLE KEY_TICKS SWITCHES"
# for a platform of PEOPLE Ukrainians (ticks during the measured runs; RATE the
# paced rate asked, PACED the "paced: ..." line of bench/wallet_paced.lua, with
# its spaces as commas; HOP_US the CPU of a bare GET /healthz round trip to the
# wallet, client and server; PACED_IDLE the machine's idle % during the paced run;
# KEY_TICKS the key processes' share of the closed loop's, SWITCHES its context
# switches)
run_once() {
	local people=$1 dir="$work/p$1" pdir="$proofs/p$1" wallet url lines
	# run_once runs in a subshell: stop what it started however it ends
	up_pid=""
	wallet_pid=""
	trap 'kill $up_pid $wallet_pid 2>/dev/null || true' EXIT
	mkdir -p "$dir" "$pdir"
	echo "-- $people people: loading and starting (hromada up --population $people)" >&2
	"$hromada" up --state "$dir/state" --countries UA --population "$people" --port-base 0 \
		--set keys.process="$key_process" --quiet >"$dir/up.log" 2>&1 &
	up_pid=$!
	wait_up "$dir/state" "$up_pid" 1800 || return 1
	grep -o 'msg="country=UA people=[^"]*people_per_s=[0-9]*' "$dir/up.log" | sed 's/msg="/   load: /' >&2 || true

	# the wallet alone, as `up` configured it, on a port of its own
	sed -e 's/^listen = .*/listen = 127.0.0.1:0/' "$dir/state/UA/wallet/hromada.ini" >"$dir/wallet.ini"
	"$hromada" serve wallet --config "$dir/wallet.ini" --set keys.process="$key_process" \
		>"$dir/wallet.log" 2>&1 &
	wallet_pid=$!
	wallet=$(wait_listening "$dir/wallet.log")
	wait_http "$wallet/healthz"

	# citizens with a valid driver's licence, anywhere in the registry
	sqlite3 "$dir/state/UA/registry-driver_licence/registry.db" \
		"SELECT person FROM documents WHERE status = 'valid' ORDER BY random() LIMIT $citizens" \
		>"$dir/people"
	while read -r person; do
		"$hromada" device --state "$dir/state" --wallet "$wallet" enrol "$person" >/dev/null
	done <"$dir/people"
	url="$wallet$path"

	# one proof per request: enough for 3 000 requests/s, shuffled across citizens
	lines=$(((seconds + 3) * 3000 / citizens + 1))
	while read -r person; do
		"$hromada" device --state "$dir/state" --wallet "$wallet" headers "$person" GET "$path" \
			--count "$lines"
	done <"$dir/people" | shuf >"$pdir/all.tsv"
	head -n $((3000 * 2)) "$pdir/all.tsv" >"$pdir/warm.tsv"
	tail -n +$((3000 * 2 + 1)) "$pdir/all.tsv" >"$pdir/run.tsv"
	rm "$pdir/all.tsv"
	# the load's writes (the registries: ~0.3 GB at 100 000 people, ~17 GB at
	# 10 million) are set-up, not service: on disk before anything is measured,
	# or their writeback lands in the runs. What the platform writes while it
	# serves stays in (~7 MB for a 10 s closed loop at 100 000 people)
	sync

	# one answer: its size for nginx, its QR text for bench_qr
	IFS=$'\t' read -r auth dpop consent <"$pdir/warm.tsv"
	curl -fsS -H "Authorization: $auth" -H "DPoP: $dpop" -H "Hromada-Consent: $consent" \
		-o "$dir/answer.json" "$url"
	sed -E 's/.*"qr":"([^"]*)".*/\1/' "$dir/answer.json" >"$dir/qr.txt"
	tail -n +2 "$pdir/warm.tsv" >"$pdir/warm2.tsv"

	LINES="$pdir/warm2.tsv" THREADS=2 TARGET_PATH=$path \
		wrk -t2 -c64 -d2s -s "$here/wallet.lua" "$wallet" >/dev/null
	read -r w0 u0 b0 i0 k0 c0 < <(cpu_ticks "$wallet_pid" "$up_pid")
	read -r rps p50 p99 bad < <(LINES="$pdir/run.tsv" THREADS=2 TARGET_PATH=$path \
		wrk_run_script "$wallet$path" "$seconds" "$here/wallet.lua")
	read -r w1 u1 b1 i1 k1 c1 < <(cpu_ticks "$wallet_pid" "$up_pid")

	# open loop at half the capacity just measured, with proofs made now (a
	# proof is good for 60 s): 20 % more than the rate asks, one each
	local rate plines paced
	rate=$(awk -v r="$rps" 'BEGIN { printf "%.0f", r / 2 }')
	plines=$(((paced_seconds + 2) * rate * 12 / 10 / citizens + 1))
	while read -r person; do
		"$hromada" device --state "$dir/state" --wallet "$wallet" headers "$person" GET "$path" \
			--count "$plines"
	done <"$dir/people" | shuf >"$pdir/paced.tsv"
	echo "-- open loop: $rate requests/s (Poisson), $paced_conns connections, ${paced_seconds}s" >&2
	read -r pw0 pu0 pb0 pi0 _ _ < <(cpu_ticks "$wallet_pid" "$up_pid")
	RATE=$rate LINES="$pdir/paced.tsv" THREADS=2 TARGET_PATH=$path \
		wrk -t2 -c"$paced_conns" -d"${paced_seconds}"s --latency -s "$here/wallet_paced.lua" "$url" \
		>"$dir/paced.txt"
	read -r pw1 pu1 pb1 pi1 _ _ < <(cpu_ticks "$wallet_pid" "$up_pid")
	cat "$dir/paced.txt" >&2
	paced=$(grep '^paced:' "$dir/paced.txt" | tr ' ' ',')

	# a bare HTTP hop: GET /healthz of the same server, client and server CPU
	local hop
	hop=$(healthz_round_trip_us "$wallet/healthz" "$wallet_pid" 5 "$dir")

	echo "$rps $p50 $p99 $bad $(peak_rss_mb "$wallet_pid") $(stat -c %s "$dir/answer.json") $dir" \
		"$((w1 - w0)) $((u1 - u0)) $((b1 - b0)) $((i1 - i0))" \
		"$rate $((pw1 - pw0)) $((pu1 - pu0)) $paced $hop" \
		"$(awk -v i=$((pi1 - pi0)) -v b=$((pb1 - pb0)) 'BEGIN { printf "%.0f", 100 * i / (i + b) }')" \
		"$((k1 - k0)) $((c1 - c0))"
	kill "$wallet_pid" "$up_pid"
	wait "$wallet_pid" "$up_pid" 2>/dev/null || true
}

echo "== GET $path, whole path: wrk -t2 -c64 -d${seconds}s, $(nproc) cores, same machine, same run ==" >&2
speed=$(openssl speed -seconds 3 -multi "$(nproc)" ecdsap256 2>/dev/null | awk '/ecdsa \(nistp256\)/ { print $(NF-1), $NF }')
read -r ossl_sign ossl_verify <<<"$speed"
# the floor is stated in microseconds of one core: openssl speed on one
speed1=$(openssl speed -seconds 3 ecdsap256 2>/dev/null | awk '/ecdsa \(nistp256\)/ { print $(NF-1), $NF }')
read -r ossl1_sign ossl1_verify <<<"$speed1"

read -r s_rps s_p50 s_p99 s_bad s_rss s_size s_dir s_wt s_ut s_bt s_it \
	s_rate s_pwt s_put s_paced hop_us hop_rps s_pidle s_kt s_cs < <(run_once 100000)
qr=$("$build/bench/bench_qr" "$(cat "$s_dir/qr.txt")" 3)
qr_rate=$(sed -E 's/.*"qr_svg_per_s": ([0-9]+).*/\1/' <<<"$qr")

l_line=""
if [ "$large" != 0 ]; then
	free_gb=$(df -BG --output=avail "$work" | tail -1 | tr -dc 0-9)
	if [ "$free_gb" -lt 30 ]; then
		l_line="  ($large people skipped: only ${free_gb} GB free in $work, 30 GB needed)"
	else
		read -r l_rps l_p50 l_p99 l_bad l_rss l_size l_dir l_wt l_ut _ _ \
			l_rate _ _ l_paced _ _ _ _ _ < <(run_once "$large")
	fi
fi

# nginx with a file of the answer's size
head -c "$s_size" /dev/zero | tr '\0' 'x' >"$work/answer.json"
read -r npid nport < <(start_nginx "$work" "$work/answer.json" /answer.json)
pids+=("$npid")
wait_http "http://127.0.0.1:$nport/answer.json"
wrk -t2 -c64 -d2s "http://127.0.0.1:$nport/answer.json" >/dev/null
read -r n_rps n_p50 n_p99 n_bad < <(wrk_run "http://127.0.0.1:$nport/answer.json" "$seconds")

# what the cores can do at most: every ECDSA operation of the path at OpenSSL's
# speed on all cores at once, then the same with one QR rendering per request
cores=$(nproc)
limit=$(awk -v s="$ossl_sign" -v v="$ossl_verify" -v ns=$signs -v nv=$verifies \
	'BEGIN { printf "%.0f", 1 / (ns / s + nv / v) }')
limit_qr=$(awk -v s="$ossl_sign" -v v="$ossl_verify" -v ns=$signs -v nv=$verifies -v q="$qr_rate" -v c="$cores" \
	'BEGIN { printf "%.0f", 1 / (ns / s + nv / v + 1 / (q * c)) }')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "meets" : "MISSES") }'; }
below() { awk -v r="$1" -v t="$2" 'BEGIN { print (r < t ? "meets" : "MISSES") }'; }

printf '\n%-44s %12s %9s %9s %8s\n' "GET $path" "requests/s" "p50 ms" "p99 ms" "non-2xx"
printf '%-44s %12.0f %9.3f %9.3f %8s\n' "nginx $(nginx_version) static file, $s_size bytes" "$n_rps" "$n_p50" "$n_p99" "$n_bad"
printf '%-44s %12.0f %9.3f %9.3f %8s\n' "hromada, 100 000 people" "$s_rps" "$s_p50" "$s_p99" "$s_bad"
if [ -n "${l_rps:-}" ]; then
	printf '%-44s %12.0f %9.3f %9.3f %8s\n' "hromada, $large people" "$l_rps" "$l_p50" "$l_p99" "$l_bad"
elif [ -n "$l_line" ]; then
	echo "$l_line"
fi
echo
printf 'openssl speed ecdsap256 on %d cores: %s sign/s, %s verify/s\n' "$cores" "$ossl_sign" "$ossl_verify"
printf 'ECDSA limit of the path (%d sign + %d verify per request): %s requests/s\n' $signs $verifies "$limit"
r=$(ratio "$s_rps" "$limit")
printf '  hromada / ECDSA limit: %s (the former target >= 0.70 is retired: DESIGN.md §9)\n' "$r"
# where a request's CPU goes: microseconds of one core per request
tick_us=$((1000000 / $(getconf CLK_TCK)))
per_request() { awk -v t="$1" -v us="$tick_us" -v r="$s_rps" -v s="$seconds" 'BEGIN { printf "%.0f", t * us / (r * s) }'; }
ecdsa_us=$(awk -v s="$ossl_sign" -v v="$ossl_verify" -v ns=$signs -v nv=$verifies -v c="$cores" \
	'BEGIN { printf "%.0f", c * 1e6 * (ns / s + nv / v) }')
printf 'CPU per request at 100 000 people, microseconds of one core: wallet %s, gateway and registries %s,\n' \
	"$(per_request "$s_wt")" "$(per_request "$s_ut")"
printf '  wrk and the rest %s; all %s, of which the path'"'"'s ECDSA at openssl speed is %s; idle %s%%\n' \
	"$(per_request $((s_bt - s_wt - s_ut)))" "$(per_request "$s_bt")" "$ecdsa_us" \
	"$(awk -v i="$s_it" -v b="$s_bt" 'BEGIN { printf "%.0f", 100 * i / (i + b) }')"
printf 'QR rendering (libqrencode, our mask choice, SVG) of this credential: %s/s per core\n' "$qr_rate"
printf 'limit with one QR rendering per request as well: %s requests/s\n' "$limit_qr"
printf '  hromada / ECDSA+QR limit: %s\n' "$(ratio "$s_rps" "$limit_qr")"
r=$(ratio "$s_rps" "$n_rps")
printf 'hromada / nginx: %s (the issue'"'"'s >= 0.25, superseded by DESIGN.md §9: %s)\n' "$r" "$(verdict "$r" 0.25)"
printf 'closed-loop p99 at 100 000 people: %s ms (64 connections on saturated cores: the queue;\n' "$s_p99"
printf '  the target < 20 ms is now on the paced p99 below, DESIGN.md §9)\n'
printf 'wallet peak RSS: %s MB (target < 64 MB: %s)\n' "$s_rss" "$(below "$s_rss" 64)"
if [ -n "${l_rps:-}" ]; then
	printf 'wallet peak RSS, %s people: %s MB\n' "$large" "$l_rss"
	printf '%s people / 100 000 people, requests/s: %s (an index lookup: expect ~1.0)\n' "$large" "$(ratio "$l_rps" "$s_rps")"
fi

# the floor of the path (docs/EXCHANGE.md), microseconds of one core, and the
# CPU every role spent per fetch against it (wrk not counted)
field() { tr ',' '\n' <<<"$2" | sed -n "s/^$1=//p"; }
f_ecdsa=$(awk -v s="$ossl1_sign" -v v="$ossl1_verify" -v ns=$signs -v nv=$verifies \
	'BEGIN { printf "%.1f", 1e6 * (ns / s + nv / v) }')
f_qr=$(awk -v q="$qr_rate" 'BEGIN { printf "%.1f", 1e6 / q }')
floor=$(awk -v e="$f_ecdsa" -v q="$f_qr" -v h="$hop_us" 'BEGIN { printf "%.0f", e + q + 3 * h }')
cpu_fetch=$(per_request $((s_wt + s_ut)))
f_ratio=$(ratio "$cpu_fetch" "$floor")
p_rps=$(field rps "$s_paced")
p_p99=$(field p99_ms "$s_paced")
p_mean=$(field mean_ms "$s_paced")
p_late=$(field late "$s_paced")
p_cpu=$(awk -v t=$((s_pwt + s_put)) -v us="$tick_us" -v r="$p_rps" -v s="$paced_seconds" \
	'BEGIN { printf "%.0f", t * us / (r * s) }')
echo
printf 'floor of the path, microseconds of one core: %d sign + %d verify at openssl speed on one core\n' $signs $verifies
printf '  (%s sign/s, %s verify/s) %s + one QR %s + 3 bare HTTP hops (GET /healthz of the wallet,\n' \
	"$ossl1_sign" "$ossl1_verify" "$f_ecdsa" "$f_qr"
printf '  wrk and server, %s requests/s) 3 x %s = %s\n' "$hop_rps" "$hop_us" "$floor"
printf 'CPU per fetch, every role (wallet, gateway, registries, key processes): %s = %s x floor\n' \
	"$cpu_fetch" "$f_ratio"
printf '  (DESIGN.md §9 target <= 1.5: %s); at the paced rate: %s\n' \
	"$(awk -v r="$f_ratio" 'BEGIN { print (r <= 1.5 ? "meets" : "MISSES") }')" "$p_cpu"
printf '  of which the key processes %s (docs/KEYS.md); context switches per fetch, all of them: %s\n' \
	"$(per_request "$s_kt")" "$(awk -v c="$s_cs" -v r="$s_rps" -v s="$seconds" 'BEGIN { printf "%.1f", c / (r * s) }')"
printf 'open loop at half the capacity (%s requests/s asked, Poisson, %s connections, %ss):\n' \
	"$s_rate" "$paced_conns" "$paced_seconds"
printf '  achieved %s requests/s; p50 %s ms, p99 %s ms, p99.9 %s ms, max %s ms; non-2xx %s\n' \
	"$p_rps" "$(field p50_ms "$s_paced")" "$p_p99" "$(field p999_ms "$s_paced")" \
	"$(field max_ms "$s_paced")" "$(field non2xx "$s_paced")"
printf '  each connection busy %s%% of the time; sends later than their arrival: %s (worst %s ms)\n' \
	"$(awk -v r="$p_rps" -v m="$p_mean" -v c="$paced_conns" 'BEGIN { printf "%.1f", 100 * r * m / 1000 / c }')" \
	"$p_late" "$(field late_max_ms "$s_paced")"
printf '  the cores were idle %s%% of the paced run (any other load on them lengthens the tail)\n' "$s_pidle"
if [ "$p_late" != 0 ]; then
	# wrk measures from the send: a late send hides its wait (coordinated omission)
	printf '  (late sends: the latencies above understate; raise BENCH_PACED_CONNECTIONS)\n'
fi
printf '  paced p99 (DESIGN.md §9 target < 20 ms: %s)\n' "$(below "$p_p99" 20)"
if [ -n "${l_rps:-}" ]; then
	l_cpu=$(awk -v t=$((l_wt + l_ut)) -v us="$tick_us" -v r="$l_rps" -v s="$seconds" \
		'BEGIN { printf "%.0f", t * us / (r * s) }')
	printf '%s people: CPU per fetch %s (%s x floor); paced %s requests/s asked, p99 %s ms\n' \
		"$large" "$l_cpu" "$(ratio "$l_cpu" "$floor")" "$l_rate" "$(field p99_ms "$l_paced")"
fi
echo
printf 'fetch: cpu_per_fetch_us=%s floor_us=%s ratio=%s capacity_rps=%.0f paced_rps=%.0f p99_paced_ms=%.2f\n' \
	"$cpu_fetch" "$floor" "$f_ratio" "$s_rps" "$p_rps" "$p_p99"
