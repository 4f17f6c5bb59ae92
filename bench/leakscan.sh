#!/usr/bin/env bash
# leakscan against what an analyst would do instead, in one run (issue 12):
# BENCH_LEAK_PEOPLE (default 10 million) Ukrainians loaded by `hromada
# population`, a dump of BENCH_LEAK_ROWS (default as many) rows built from
# them by tests/tools/leak_dump.py (UTF-8, ','; one row per ID card, people
# repeated as leaks repeat them up to the row count), then
#   - hromada leakscan: rows/s on one core and peak RSS (target >= 5x the
#     analyst, RSS < 1 GB), the index built once beforehand (its time shown);
#   - sqlite3 importing the same CSV and joining it with the ID card registry
#     on the identifier, comparing the same fields.
# Needs ~20 GB of disk at 10 M, in a temporary directory removed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-bench}
people=${BENCH_LEAK_PEOPLE:-10000000}
rows=${BENCH_LEAK_ROWS:-$people}
bin="$build/hromada"
[ -x "$bin" ] || { echo "bench: $bin not built" >&2; exit 2; }
# BENCH_LEAK_WORK=DIR keeps (or reuses) the state and dump in DIR: at ten
# million people they take minutes to make
if [ -n "${BENCH_LEAK_WORK:-}" ]; then
	work=$BENCH_LEAK_WORK
	mkdir -p "$work"
else
	work=$(mktemp -d /tmp/hromada-bench-leak-XXXXXX)
	trap 'rm -rf "$work"' EXIT
fi
# one core, when taskset is there
pin=(); command -v taskset >/dev/null && pin=(taskset -c 0)

if [ ! -s "$work/want.json" ]; then
	"$bin" population --country UA --people "$people" --state "$work/state" >/dev/null 2>&1
	python3 "$here/../tests/tools/leak_dump.py" "$work/state" "$work/dump.csv" \
		--as-of "$(date -u -d yesterday +%F)" --rows "$rows" --repeat-to "$rows" \
		--encoding utf-8 --delimiter , --fabricated 1000 --bad-check 1000 >"$work/want.json"
fi
rm -f "$work/analyst.db"
lines=$(($(wc -l <"$work/dump.csv") - 1))
mb=$(($(stat -c %s "$work/dump.csv") / 1048576))

# the first run builds the index when the registries changed ("indexed ...")
"$bin" leakscan --state "$work/state" --no-publish "$work/dump.csv" 2>"$work/first.err" >/dev/null
index_line=$(grep -o 'indexed .*' "$work/first.err" || echo "index read from STATE/leak/index.bin")

/usr/bin/time -f '%e %M' -o "$work/leak.time" "${pin[@]}" "$bin" leakscan --state "$work/state" \
	--no-publish --quiet --json "$work/report.json" "$work/dump.csv"
read -r leak_s leak_kb <"$work/leak.time"

/usr/bin/time -f '%e %M' -o "$work/sqlite.time" "${pin[@]}" sqlite3 "$work/analyst.db" <<SQL >"$work/sqlite.out"
.mode csv
.import $work/dump.csv dump
ATTACH '$work/state/UA/registry-id_card/registry.db' AS r;
SELECT count(*),
       sum(json_extract(d.fields, '\$.family_name') = dump."Прізвище"),
       sum(json_extract(d.fields, '\$.address') = dump."Адреса")
  FROM dump JOIN r.documents d ON d.person = 'UA:' || dump."РНОКПП";
SQL
read -r sqlite_s sqlite_kb <"$work/sqlite.time"

python3 - "$work/report.json" "$work/want.json" "$lines" "$mb" "$leak_s" "$leak_kb" \
	"$sqlite_s" "$sqlite_kb" "$index_line" "$(cat "$work/sqlite.out")" "$people" <<'PY'
import json, sys
report, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rows, mb = int(sys.argv[3]), int(sys.argv[4])
leak_s, leak_kb, sqlite_s, sqlite_kb = float(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
index_line, joined, people = sys.argv[9], sys.argv[10], int(sys.argv[11])
print(f"leakscan: {rows} rows ({mb} MB CSV) against {people} people, one core")
print(f"  hromada leakscan   {leak_s:8.1f} s  {rows / leak_s:12,.0f} rows/s  peak RSS {leak_kb / 1024:7.0f} MB")
print(f"  sqlite3 import+join{sqlite_s:8.1f} s  {rows / sqlite_s:12,.0f} rows/s  peak RSS {sqlite_kb / 1024:7.0f} MB  ({joined})")
print(f"  speed-up {sqlite_s / leak_s:.1f}x (target >= 5x), RSS {leak_kb / 1024:.0f} MB (target < 1024 MB)")
print(f"  before the timed run: {index_line} (kept in STATE/leak/index.bin)")
for k in ("real", "outdated", "fabricated"):
    print(f"  {k:10s} {report[k]:10d} built {want[k]:10d}")
PY
