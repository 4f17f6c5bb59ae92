#!/usr/bin/env bash
# pg_harness.sh — a throw-away PostgreSQL 15 server for the tests.
#
#	pg_harness.sh start DIR    initdb + start; writes DIR/url and DIR/paths
#	pg_harness.sh stop DIR     stop the server started for DIR and delete its files
#
# The server lives in a fresh mktemp directory under /tmp (not in DIR: a unix
# socket path must fit in ~107 bytes and build directories can be deep), listens
# on a unix socket only (listen_addresses=''), trusts every local user and runs
# with fsync=off: it holds test data only and must never hold anything else.
#
# initdb refuses to run as root, so under root the server runs as the `postgres`
# system user that Debian's postgresql package creates; clients still connect
# as database user postgres over the socket.
#
# stop is idempotent and tolerates a half-started server; start first stops any
# server an earlier, interrupted run left behind for the same DIR.
set -euo pipefail

PG_BIN=${HROMADA_PG_BIN:-/usr/lib/postgresql/15/bin}
TMP_PREFIX=/tmp/hromada-pg.

usage() {
	echo "usage: $0 start|stop DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
action=$1
dir=$2

# Commands that touch the server's files run as its owner.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
	as_owner=(runuser -u postgres --)
fi

# The base directory recorded by an earlier start, or nothing.
recorded_base() {
	if [ -f "$dir/paths" ]; then
		sed -n 's/^base=//p' "$dir/paths" | head -n 1
	fi
}

stop_server() {
	local base
	base=$(recorded_base)
	if [ -n "$base" ]; then
		case "$base" in
		"$TMP_PREFIX"*) ;;
		*)
			echo "pg_harness: refusing to remove '$base' (not under $TMP_PREFIX)" >&2
			return 1
			;;
		esac
		if [ -f "$base/data/postmaster.pid" ]; then
			"${as_owner[@]}" "$PG_BIN/pg_ctl" stop -D "$base/data" -m immediate -w -t 30 \
				>/dev/null 2>&1 || true
		fi
		rm -rf -- "$base"
	fi
	rm -f -- "$dir/url" "$dir/paths"
}

fail() {
	local base=$1
	shift
	{
		echo "=================================================================="
		echo "pg_harness: FAILED to start the test PostgreSQL server: $*"
		# The server's log if it got that far, else initdb's.
		for log in "$base/server.log" "$base/initdb.log"; do
			if [ -f "$log" ]; then
				echo "--- last lines of $log ---"
				tail -n 30 "$log" || true
				break
			fi
		done
		echo "=================================================================="
	} >&2
	stop_server || true
	exit 1
}

start_server() {
	local base data sock url

	for tool in initdb pg_ctl pg_isready; do
		if [ ! -x "$PG_BIN/$tool" ]; then
			echo "pg_harness: $PG_BIN/$tool not found; install postgresql-15 (scripts/deps.sh)" >&2
			exit 1
		fi
	done
	if [ ${#as_owner[@]} -gt 0 ] && ! id postgres >/dev/null 2>&1; then
		echo "pg_harness: running as root but there is no 'postgres' system user to run the server" >&2
		exit 1
	fi

	mkdir -p -- "$dir"
	stop_server
	base=$(mktemp -d "${TMP_PREFIX}XXXXXX")
	data=$base/data
	sock=$base/s
	# Record the paths before anything can fail, so stop can always clean up.
	printf 'base=%s\n' "$base" >"$dir/paths"
	mkdir -- "$sock"
	if [ ${#as_owner[@]} -gt 0 ]; then
		chown -R postgres: -- "$base"
	fi

	"${as_owner[@]}" "$PG_BIN/initdb" -D "$data" -A trust -U postgres --no-sync -E UTF8 \
		--locale=C >"$base/initdb.log" 2>&1 || fail "$base" "initdb exited with $?"

	# fsync and full-page writes off: the data is thrown away after the run.
	"${as_owner[@]}" "$PG_BIN/pg_ctl" start -D "$data" -l "$base/server.log" -w -t 60 \
		-o "-c listen_addresses='' -k $sock -c fsync=off -c full_page_writes=off -c max_connections=200" \
		>/dev/null 2>&1 || fail "$base" "pg_ctl start exited with $?"

	for _ in $(seq 1 100); do
		if "$PG_BIN/pg_isready" -q -h "$sock" -U postgres -d postgres; then
			url="postgresql:///postgres?host=$sock&user=postgres"
			printf '%s\n' "$url" >"$dir/url"
			echo "pg_harness: PostgreSQL ready at $url"
			return 0
		fi
		sleep 0.1
	done
	fail "$base" "server did not accept connections within 10 s"
}

case "$action" in
start) start_server ;;
stop) stop_server ;;
*) usage ;;
esac
