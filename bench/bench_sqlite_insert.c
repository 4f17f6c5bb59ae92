/*
 * bench_sqlite_insert.c — SQLite's own insert rate on this machine, so
 * bench/population.sh can print the population loader beside it.
 *
 *	bench_sqlite_insert DIR ROWS small       as DESIGN.md §9 measured it: WAL, one
 *	                                          prepared INSERT of small rows
 *	bench_sqlite_insert DIR ROWS documents   rows shaped like a registry's: ~700
 *	                                          bytes of JSON text, a text key in
 *	                                          order, a WITHOUT ROWID table with
 *	                                          16 KiB pages, set up as the loader
 *	                                          sets up a registry (rollback journal,
 *	                                          synchronous=OFF)
 *	-> {"rows": N, "seconds": S, "rows_per_s": R}
 *
 * Both commit every 10 000 rows, and talk to SQLite directly, not through the
 * store: this is SQLite alone, one thread, no generation.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS_PER_TRANSACTION 10000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int check(sqlite3 *db, int rc, const char *what)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE)
		return 0;
	fprintf(stderr, "bench_sqlite_insert: %s: %s\n", what, sqlite3_errmsg(db));
	return 1;
}

int main(int argc, char **argv)
{
	char path[4096], key[32], number[16], fields[720];
	const char *setup, *sql;
	bool documents;
	sqlite3 *db = NULL;
	sqlite3_stmt *insert = NULL;
	long rows;
	double start, seconds;
	int failed = 0;

	if (argc != 4 || (rows = atol(argv[2])) <= 0 ||
	    (strcmp(argv[3], "small") != 0 && strcmp(argv[3], "documents") != 0)) {
		fprintf(stderr, "usage: %s DIR ROWS small|documents\n", argv[0]);
		return 2;
	}
	documents = strcmp(argv[3], "documents") == 0;
	setup = documents
		    ? "PRAGMA page_size = 16384; PRAGMA journal_mode = DELETE;"
		      "PRAGMA synchronous = OFF;"
		      "CREATE TABLE t (person TEXT NOT NULL, number TEXT NOT NULL, "
		      "status TEXT NOT NULL, fields TEXT NOT NULL, updated_at BIGINT NOT NULL,"
		      " PRIMARY KEY (person, number)) WITHOUT ROWID"
		    : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		      "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)";
	sql = documents ? "INSERT INTO t VALUES (?, ?, ?, ?, ?)"
			: "INSERT INTO t (id, n, s) VALUES (?, ?, ?)";
	/* a document-sized JSON text: the loader's average is about 700 bytes */
	memset(fields, 'x', sizeof(fields) - 1);
	memcpy(fields, "{\"family_name\": \"", 16);
	fields[sizeof(fields) - 3] = '"';
	fields[sizeof(fields) - 2] = '}';
	fields[sizeof(fields) - 1] = 0;
	snprintf(path, sizeof(path), "%s/bench-insert.db", argv[1]);
	remove(path);
	if (check(db, sqlite3_open(path, &db), "open") ||
	    check(db, sqlite3_exec(db, setup, NULL, NULL, NULL), "schema") ||
	    check(db, sqlite3_prepare_v2(db, sql, -1, &insert, NULL), "prepare")) {
		sqlite3_close(db);
		return 1;
	}
	start = now_s();
	for (long i = 0; i < rows && !failed; i++) {
		if (i % ROWS_PER_TRANSACTION == 0)
			failed |= check(db, sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), "begin");
		if (documents) {
			snprintf(key, sizeof(key), "UA:%010ld", 1000000000L + i * 3);
			snprintf(number, sizeof(number), "AB%06ld", i % 1000000);
			sqlite3_bind_text(insert, 1, key, -1, SQLITE_STATIC);
			sqlite3_bind_text(insert, 2, number, -1, SQLITE_STATIC);
			sqlite3_bind_text(insert, 3, "valid", -1, SQLITE_STATIC);
			sqlite3_bind_text(insert, 4, fields, -1, SQLITE_STATIC);
			sqlite3_bind_int64(insert, 5, 1764000000);
		} else {
			sqlite3_bind_int64(insert, 1, i + 1);
			sqlite3_bind_int64(insert, 2, i * 7);
			sqlite3_bind_text(insert, 3, "a short text value", -1, SQLITE_STATIC);
		}
		failed |= check(db, sqlite3_step(insert), "insert");
		sqlite3_reset(insert);
		if (i % ROWS_PER_TRANSACTION == ROWS_PER_TRANSACTION - 1 || i == rows - 1)
			failed |= check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
	}
	seconds = now_s() - start;
	sqlite3_finalize(insert);
	sqlite3_close(db);
	remove(path);
	if (failed)
		return 1;
	printf("{\"rows\": %ld, \"seconds\": %.3f, \"rows_per_s\": %.0f}\n", rows, seconds,
	       (double)rows / seconds);
	return 0;
}
