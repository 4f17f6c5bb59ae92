#!/usr/bin/env bash
# Population load rate: `hromada population` loading N Ukrainians (default
# 1 000 000; BENCH_POPULATION=N to change) into SQLite files and into a
# throw-away PostgreSQL (scripts/pg_harness.sh), in people/s and rows/s, beside
# SQLite's own insert rate measured in the same run (DESIGN.md §9's reference:
# ~480k inserts/s of small rows, WAL, 10k rows per transaction).
#
#	bench/population.sh BUILD_DIR
#
# Everything it creates lives in one mktemp directory, removed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build-bench}" && pwd)
people=${BENCH_POPULATION:-1000000}
hromada=$build/hromada
types="id_card foreign_passport driver_licence vehicle_registration residence_permit vaccination student_card military_record"
pg_bin=${HROMADA_PG_BIN:-/usr/lib/postgresql/15/bin}

for tool in "$hromada" "$build/bench/bench_sqlite_insert"; do
	if [ ! -x "$tool" ]; then
		echo "population.sh: $tool is missing: build $build first" >&2
		exit 1
	fi
done

work=$(mktemp -d /tmp/hromada-bench-population.XXXXXX)
pg_dir=$work/pg
cleanup() {
	"$here/../scripts/pg_harness.sh" stop "$pg_dir" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# "UA: N people as of DATE, M documents in S s: P people/s, R rows/s" -> "P R M S"
rates() {
	sed -n 's/^UA: [0-9]* people as of [0-9-]*, \([0-9]*\) documents in \([0-9.]*\) s: \([0-9]*\) people\/s, \([0-9]*\) rows\/s$/\3 \4 \1 \2/p' "$1"
}

echo "== population load: $people Ukrainians, same machine, same run ==" >&2

rate_of() { sed -E 's/.*"rows_per_s": ([0-9]+).*/\1/'; }
ref_rate=$("$build/bench/bench_sqlite_insert" "$work" 1000000 small | rate_of)
doc_rate=$("$build/bench/bench_sqlite_insert" "$work" 1000000 documents | rate_of)

"$hromada" population --country UA --people "$people" --state "$work/state" --quiet \
	>"$work/sqlite.out"
read -r sq_people sq_rows sq_docs sq_seconds < <(rates "$work/sqlite.out")
sq_size=$(du -sh "$work/state" | cut -f1)
rm -rf "$work/state"

"$here/../scripts/pg_harness.sh" start "$pg_dir" >&2
pg_url=$(cat "$pg_dir/url")
pg_socket=$(sed -E 's/.*host=([^&]*).*/\1/' <<<"$pg_url")
for t in $types; do
	"$pg_bin/createdb" -h "$pg_socket" -U postgres "bench_$t"
done
"$hromada" population --country UA --people "$people" --quiet \
	--store-url "postgresql:///bench_{type}?host=$pg_socket&user=postgres" >"$work/pg.out"
read -r pg_people pg_rows pg_docs pg_seconds < <(rates "$work/pg.out")

printf '\n%-62s %12s %12s\n' "load (UA, $people people, $sq_docs documents)" "people/s" "rows/s"
printf '%-62s %12s %12s\n' "SQLite alone, 1 thread: small rows, WAL (DESIGN §9)" "" "$ref_rate"
printf '%-62s %12s %12s\n' "SQLite alone, 1 thread: document-shaped rows, as loaded" "" "$doc_rate"
printf '%-62s %12s %12s\n' "hromada population -> SQLite ($sq_seconds s, $sq_size)" "$sq_people" "$sq_rows"
printf '%-62s %12s %12s\n' "hromada population -> PostgreSQL 15 COPY ($pg_seconds s)" "$pg_people" "$pg_rows"
awk -v a="$sq_rows" -v b="$doc_rate" 'BEGIN { if (b > 0) printf "\nhromada -> SQLite rows/s / SQLite alone with rows of the same shape: %.2f\n", a / b }'
