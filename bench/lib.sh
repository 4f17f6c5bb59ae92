# Shared helpers for the benchmark scripts (sourced).

# `hromada serve` refuses root (docs/DEPLOY.md); a benchmark machine or CI that
# can only run as root waives it for these throw-away servers, and only then
# (bench/run.sh does the same for the scripts that do not source this file).
if [ "$(id -u)" -eq 0 ]; then
	export HROMADA_UNSAFE_ALLOW_ROOT=1
fi

# A TCP port on 127.0.0.1 that nothing answers on.
free_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "bench: no free port found" >&2
	return 1
}

# Waits until LOG holds "listening on http://..." and prints that URL.
wait_listening() {
	for _ in $(seq 300); do
		if grep -q "listening on http://" "$1" 2>/dev/null; then
			grep -o "listening on http://[^ ]*" "$1" | head -1 | sed 's/listening on //'
			return 0
		fi
		sleep 0.1
	done
	echo "bench: no 'listening on' line in $1:" >&2
	cat "$1" >&2
	return 1
}

# wait_up STATE_DIR PID SECONDS: waits until `hromada up` (PID) has written
# STATE_DIR/endpoints.json (every role healthy); fails with its log's tail
# (STATE_DIR/../up.log) if it exits first or SECONDS pass.
wait_up() {
	local i
	for ((i = 0; i < $3 * 2; i++)); do
		[ -f "$1/endpoints.json" ] && return 0
		kill -0 "$2" 2>/dev/null || { tail -20 "$1/../up.log" >&2; return 1; }
		sleep 0.5
	done
	echo "bench: hromada up did not come up within $3 s" >&2
	return 1
}

# Waits until URL answers 200 (up to 30 s).
wait_http() {
	for _ in $(seq 300); do
		if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "bench: $1 did not come up" >&2
	return 1
}

# wrk_run URL SECONDS -> prints "RPS P50_MS P99_MS NON2XX" parsed from wrk --latency.
wrk_run() {
	wrk -t2 -c64 -d"$2"s --latency "$1" | wrk_parse
}

# wrk_run_script URL SECONDS LUA -> the same, with a request script
wrk_run_script() {
	wrk -t2 -c64 -d"$2"s --latency -s "$3" "$1" | wrk_parse
}

# wrk's report (also echoed to stderr) -> "RPS P50_MS P99_MS NON2XX"
wrk_parse() {
	local out
	out=$(cat)
	echo "$out" >&2
	awk '
		function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
		/Requests\/sec:/ { rps = $2 }
		/^ +50%/ { p50 = ms($2) }
		/^ +99%/ { p99 = ms($2) }
		/Non-2xx/ { bad = $NF }
		END { printf "%s %.3f %.3f %s\n", rps, p50, p99, (bad == "" ? 0 : bad) }' <<<"$out"
}

# Peak resident set size of a process in MB (VmHWM).
peak_rss_mb() {
	awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# start_nginx WORK FILE URL_PATH -> serves FILE at URL_PATH on a free loopback
# port (access log on, one worker per core), prints "PID PORT". The peer every
# HTTP benchmark is printed beside.
start_nginx() {
	local work=$1 file=$2 path=$3 port
	port=$(free_port)
	mkdir -p "$work/www" "$work/nginx"
	cp "$file" "$work/www/$(basename "$path")"
	chmod 755 "$work" "$work/www"
	chmod 644 "$work/www/$(basename "$path")"
	cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log $work/nginx/access.log;
	client_body_temp_path $work/nginx/body;
	proxy_temp_path $work/nginx/proxy;
	fastcgi_temp_path $work/nginx/fastcgi;
	uwsgi_temp_path $work/nginx/uwsgi;
	scgi_temp_path $work/nginx/scgi;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$port;
		root $work/www;
		location = $path { default_type application/json; }
	}
}
CONF
	nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx/stdout.log" 2>&1 &
	echo "$! $port"
}

nginx_version() {
	nginx -v 2>&1 | sed 's/.*nginx\///'
}

# cpu_ticks_of PID -> the CPU time (clock ticks, user + system) PID has used
cpu_ticks_of() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# wrk_cpu ARGS... -> runs wrk ARGS (its report on stderr) and prints the CPU
# time it used (clock ticks): the client's share of a round trip
wrk_cpu() {
	bash -c 'wrk "$@" >&2; awk "{ print \$16 + \$17 }" /proc/$$/stat' wrk "$@"
}

# healthz_round_trip_us URL PID SECONDS WORK -> "US RPS": the CPU, client and
# server together, of one bare HTTP round trip to our server (URL a GET /healthz
# of the hromada process PID; wrk -t2 -c64 as bench/http_healthz.sh drives it),
# in microseconds of one core, from the processes' own CPU time (so another load
# on the machine does not count), and the requests/s it reached. The floor of a
# hop in docs/EXCHANGE.md's "Speed of a document fetch".
healthz_round_trip_us() {
	local url=$1 pid=$2 seconds=$3 work=$4 s0 s1 c out n rps
	wrk -t2 -c64 -d1s "$url" >/dev/null
	s0=$(cpu_ticks_of "$pid")
	c=$(wrk_cpu -t2 -c64 -d"$seconds"s "$url" 2>"$work/healthz-wrk.txt")
	s1=$(cpu_ticks_of "$pid")
	out=$(cat "$work/healthz-wrk.txt")
	n=$(awk '/ requests in / { print $1 }' <<<"$out")
	rps=$(awk '/Requests\/sec:/ { print $2 }' <<<"$out")
	awk -v t=$((s1 - s0 + c)) -v hz="$(getconf CLK_TCK)" -v n="$n" -v r="$rps" \
		'BEGIN { printf "%.1f %.0f\n", t * 1e6 / hz / n, r }'
}
