#!/usr/bin/env bash
# /healthz requests/s and p99 with wrk at 64 connections, beside nginx serving a
# static file of the same size on the same machine in the same run. Target: at
# least 50% of nginx's requests/s. Also prints the role's peak RSS.
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

# --- hromada: one gateway role, default settings (access log on, to a file) ---
cat >"$work/gateway.ini" <<INI
[node]
role = gateway
country = UA
state_dir = $work/gateway
[server]
listen = 127.0.0.1:0
INI
"$hromada" serve gateway --config "$work/gateway.ini" >"$work/hromada.log" 2>&1 &
hpid=$!
pids+=("$hpid")
hurl=$(wait_listening "$work/hromada.log")
wait_http "$hurl/healthz"
curl -fsS "$hurl/healthz" -o "$work/healthz.body"
size=$(stat -c %s "$work/healthz.body")

# --- nginx: the same bytes as a static file, access log on, one worker per core ---
nport=$(free_port)
mkdir -p "$work/www" "$work/nginx"
cp "$work/healthz.body" "$work/www/healthz"
chmod 755 "$work" "$work/www"
chmod 644 "$work/www/healthz"
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
		listen 127.0.0.1:$nport;
		root $work/www;
		location = /healthz { default_type application/json; }
	}
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx/stdout.log" 2>&1 &
pids+=("$!")
wait_http "http://127.0.0.1:$nport/healthz"
nginx_version=$(nginx -v 2>&1 | sed 's/.*nginx\///')

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
printf '%-34s %12.0f %9.3f %9.3f %8s\n' "hromada serve gateway" "$h_rps" "$h_p50" "$h_p99" "$h_bad"
printf 'ratio hromada/nginx: %s (target >= 0.50: %s)\n' "$ratio" "$verdict"
printf 'hromada peak RSS: %s MB\n' "$rss"
