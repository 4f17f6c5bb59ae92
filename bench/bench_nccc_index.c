/*
 * bench_nccc_index.c — the hub's correlation (src/nccc/value_index.h) beside
 * SQLite doing the same work, measured in the same run on one core:
 *
 *  (a) "where else was this seen": COUNT indicators (default 10 000 000; a
 *      mix of IPv4, IPv6, domains, URLs and SHA-256, ~10% of them repeating an
 *      earlier value) are put in a value_index and in an SQLite table
 *      indicators(id INTEGER PRIMARY KEY, type TEXT, value TEXT) with an index
 *      on (type, value); then 1 000 000 lookups (90% of values present, 10%
 *      absent) through value_index_find and through
 *      SELECT id FROM indicators WHERE type=? AND value=?, each timed alone:
 *      p50 / p99 / max. Target: value_index p99 < 50 us.
 *      Also: the index's bytes per entry, and the two 128-bit hashes it could
 *      use (SipHash-2-4-128 and SHA-256 truncated) in ns per key.
 *  (b) ingest of a MISP feed of FEED attributes (default 1 000 000) in events
 *      of 1000 attributes, generated in memory as JSON:
 *        ours  = the hub's own import path, as POST /v1/imports runs it:
 *                misp_event_parse (which normalises), incident_check_import,
 *                nccc_store_incident (the incident row and its indicators
 *                appended in one transaction to the hub's SQLite schema, which
 *                has no index on values, then read into the value index), and
 *                per attribute value_index_find for "where else was this seen"
 *        MISP way = the same parse + insert into a table WITH an index on
 *                (type, value) + for each attribute a SELECT of the other rows
 *                holding its value (MISP's correlation step; MISP then also
 *                writes one correlation row per pair, which is not charged
 *                here)
 *      attributes/s of both and the ratio. Target: ours >= 2x.
 *
 *	bench_nccc_index DIR [COUNT [FEED]]      (0 skips that part)
 *
 * DIR holds the SQLite files; the caller (bench/nccc_index.sh) removes it.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/log.h"
#include "core/store.h"
#include "nccc/incident.h"
#include "nccc/indicator.h"
#include "nccc/misp.h"
#include "nccc/nccc_internal.h"
#include "core/siphash.h"
#include "nccc/value_index.h"

#define LOOKUPS         1000000u
#define EVENT_SIZE      1000u
#define BATCH           100000u
#define SQLITE_CACHE_KB 2000000 /* 2 GB page cache: the table stays in memory */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_nccc_index: %s: %s\n", what, detail ? detail : "");
	exit(1);
}

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finaliser: a different well-spread number per input */
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static bool is_repeat(uint64_t i)
{
	return i > 0 && mix(i ^ 0x5555) % 10 == 0;
}

/* The k-th distinct value of the mix: its (class, STIX type, MISP type). */
static void gen(uint64_t k, const char **type, const char **misp_type, const char **class,
		char *out, size_t size)
{
	uint64_t h = mix(k), t = h % 100;

	if (t < 40) {
		*type = "ipv4-addr", *misp_type = "ip-dst", *class = "ip";
		snprintf(out, size, "%u.%u.%u.%u", (unsigned)(1 + (h >> 8) % 223),
			 (unsigned)((h >> 16) & 255), (unsigned)((h >> 24) & 255),
			 (unsigned)(1 + (h >> 32) % 254));
	} else if (t < 50) {
		*type = "ipv6-addr", *misp_type = "ip-src", *class = "ip";
		snprintf(out, size, "2001:db8:%x:%x::%x", (unsigned)((h >> 8) & 0xffff),
			 (unsigned)((h >> 24) & 0xffff), (unsigned)(1 + ((h >> 40) & 0xfffe)));
	} else if (t < 75) {
		*type = "domain-name", *misp_type = "domain", *class = "domain";
		snprintf(out, size, "h%" PRIx64 ".cdn-%u.example.com", h >> 20,
			 (unsigned)(k % 997));
	} else if (t < 85) {
		*type = "url", *misp_type = "url", *class = "url";
		snprintf(out, size, "https://login-%u.example.net/p/%" PRIx64 "?id=%u",
			 (unsigned)(k % 5003), h >> 16, (unsigned)(h & 0xffff));
	} else {
		*type = "file:sha256", *misp_type = "sha256", *class = "sha256";
		snprintf(out, size, "%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64, h,
			 mix(h), mix(h + 1), mix(h + 2));
	}
}

/* Indicator i: its own value, or (~10%) an earlier indicator's. */
static void value_of(uint64_t i, const char **type, const char **misp_type, const char **class,
		     char *out, size_t size)
{
	uint64_t k = i;

	if (is_repeat(i)) {
		k = mix(i) % i;
		while (is_repeat(k))
			k--;
	}
	gen(k, type, misp_type, class, out, size);
}

/* Feed attribute a: values of their own, ~10% repeating an earlier attribute
 * of the feed, none shared with the lookup set. */
static void feed_value(uint64_t a, const char **type, const char **misp_type, const char **class,
		       char *out, size_t size)
{
	uint64_t k = a;

	if (is_repeat(a)) {
		k = mix(a) % a;
		while (is_repeat(k))
			k--;
	}
	gen(k + (1ULL << 40), type, misp_type, class, out, size);
}

static void sql(sqlite3 *db, const char *text)
{
	char *msg = NULL;

	if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK)
		die(text, msg);
}

static sqlite3 *db_open(const char *dir, const char *name)
{
	char path[512], pragma[64];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("sqlite3_open", path);
	sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
	snprintf(pragma, sizeof(pragma), "PRAGMA cache_size=-%d;", SQLITE_CACHE_KB);
	sql(db, pragma);
	return db;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *text)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, text, -1, &st, NULL) != SQLITE_OK)
		die(text, sqlite3_errmsg(db));
	return st;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void percentiles(uint64_t *ns, size_t n, double *p50, double *p99, double *max)
{
	qsort(ns, n, sizeof(*ns), compare_u64);
	*p50 = (double)ns[n / 2] / 1000.0;
	*p99 = (double)ns[n * 99 / 100] / 1000.0;
	*max = (double)ns[n - 1] / 1000.0;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, resident = 0;

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * 4;
}

static void hash_choice(void)
{
	enum { N = 2000000 };
	const char *type, *misp_type, *class;
	char text[256];
	uint8_t key[16] = {1, 2, 3}, digest[DIGEST_SHA256_LEN];
	uint64_t h[2], sink = 0;
	size_t len;
	double t0, sip, sha;

	gen(7, &type, &misp_type, &class, text, sizeof(text));
	len = strlen(text);
	t0 = now_s();
	for (int i = 0; i < N; i++) {
		text[0] = (char)('0' + i % 10);
		siphash_128(key, text, len, h);
		sink += h[0];
	}
	sip = (now_s() - t0) / N * 1e9;
	t0 = now_s();
	for (int i = 0; i < N; i++) {
		text[0] = (char)('0' + i % 10);
		digest_sha256_of(text, len, digest);
		sink += digest[0];
	}
	sha = (now_s() - t0) / N * 1e9;
	printf("128-bit key hash of a %zu-byte key: SipHash-2-4-128 %.0f ns, SHA-256 (OpenSSL, "
	       "truncated) %.0f ns (%" PRIu64 ")\n",
	       len, sip, sha, sink & 1);
}

static void lookups(uint64_t count, const char *dir)
{
	const char *type, *misp_type, *class;
	char value[512];
	struct value_index *vi;
	struct hr_error err = {0};
	sqlite3 *db;
	sqlite3_stmt *ins, *sel;
	uint64_t *ns_ours = malloc(LOOKUPS * sizeof(uint64_t));
	uint64_t *ns_sql = malloc(LOOKUPS * sizeof(uint64_t)), ids[16];
	uint64_t found_ours = 0, found_sql = 0;
	double t0, build_ours, build_sql, p50, p99, max, s50, s99, smax;
	long rss0;
	size_t n;

	if (ns_ours == NULL || ns_sql == NULL)
		die("malloc", "latencies");
	printf("== nccc correlation lookup: %" PRIu64 " indicators, %u lookups, one core ==\n",
	       count, LOOKUPS);
	hash_choice();

	rss0 = rss_kb();
	t0 = now_s();
	if (value_index_new(count, &vi, &err) != HR_OK)
		die("value_index_new", err.message);
	for (uint64_t i = 0; i < count; i++) {
		value_of(i, &type, &misp_type, &class, value, sizeof(value));
		if (value_index_add(vi, type, value, i + 1, &err) != HR_OK)
			die(value, err.message);
	}
	build_ours = now_s() - t0;
	printf("value_index: %" PRIu64 " entries, %zu distinct values, %zu bytes = %.1f "
	       "bytes/entry (RSS grew %.1f bytes/entry), built in %.1f s (%.0f adds/s)\n",
	       count, value_index_keys(vi), value_index_bytes(vi),
	       (double)value_index_bytes(vi) / (double)count,
	       (double)(rss_kb() - rss0) * 1024.0 / (double)count, build_ours,
	       (double)count / build_ours);

	db = db_open(dir, "lookup.db");
	/* SQLite at its best for lookups: no journal, and the file lock held for
	 * the whole run (one process), so a query costs no fcntl() */
	sql(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
		"CREATE TABLE indicators(id INTEGER PRIMARY KEY, type TEXT, value TEXT);");
	ins = prepare(db, "INSERT INTO indicators(id, type, value) VALUES (?, ?, ?)");
	t0 = now_s();
	sql(db, "BEGIN");
	for (uint64_t i = 0; i < count; i++) {
		value_of(i, &type, &misp_type, &class, value, sizeof(value));
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)(i + 1));
		sqlite3_bind_text(ins, 2, class, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, value, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(db));
		sqlite3_reset(ins);
		if ((i + 1) % BATCH == 0) {
			sql(db, "COMMIT");
			sql(db, "BEGIN");
		}
	}
	sql(db, "COMMIT");
	sql(db, "CREATE INDEX indicators_value ON indicators(type, value)");
	build_sql = now_s() - t0;
	sqlite3_finalize(ins);
	printf("sqlite: the same rows and an index on (type, value) in %.1f s\n", build_sql);
	sel = prepare(db, "SELECT id FROM indicators WHERE type=? AND value=?");
	/* warm SQLite's page cache as the index is warm: one pass over the index */
	sql(db, "SELECT count(*) FROM indicators INDEXED BY indicators_value WHERE type > ''");

	for (uint32_t q = 0; q < LOOKUPS; q++) {
		uint64_t r = mix((uint64_t)q * 7919 + 13), a, b;
		int rc;

		if (r % 10 == 0)
			gen(count + r % count, &type, &misp_type, &class, value, sizeof(value));
		else
			value_of(r % count, &type, &misp_type, &class, value, sizeof(value));
		/* alternate which goes first, so neither always finds the caches warm */
		if (q & 1) {
			a = now_ns();
			value_index_find(vi, misp_type, value, ids, 16, &n);
			b = now_ns();
			ns_ours[q] = b - a;
			found_ours += n;
		}
		a = now_ns();
		sqlite3_bind_text(sel, 1, class, -1, SQLITE_STATIC);
		sqlite3_bind_text(sel, 2, value, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(sel)) == SQLITE_ROW)
			found_sql++;
		sqlite3_reset(sel);
		b = now_ns();
		if (rc != SQLITE_DONE)
			die("select", sqlite3_errmsg(db));
		ns_sql[q] = b - a;
		if (!(q & 1)) {
			a = now_ns();
			value_index_find(vi, misp_type, value, ids, 16, &n);
			b = now_ns();
			ns_ours[q] = b - a;
			found_ours += n;
		}
	}
	if (found_ours != found_sql)
		fprintf(stderr,
			"bench_nccc_index: value_index found %" PRIu64 " rows, sqlite %" PRIu64
			"\n",
			found_ours, found_sql);
	percentiles(ns_ours, LOOKUPS, &p50, &p99, &max);
	percentiles(ns_sql, LOOKUPS, &s50, &s99, &smax);
	printf("%-34s  %9s  %9s  %9s\n", "lookup (type, value) -> ids", "p50 us", "p99 us",
	       "max us");
	printf("%-34s  %9.2f  %9.2f  %9.1f\n", "value_index_find (normalises)", p50, p99, max);
	printf("%-34s  %9.2f  %9.2f  %9.1f\n", "sqlite SELECT on (type,value) index", s50, s99,
	       smax);
	printf("rows found: %" PRIu64 " by both; value_index p99 %.2f us (target < 50 us: %s), "
	       "sqlite p99 / value_index p99 = %.1f\n\n",
	       found_ours, p99, p99 < 50.0 ? "met" : "MISSED", s99 / p99);
	sqlite3_finalize(sel);
	sqlite3_close(db);
	value_index_free(vi);
	free(ns_ours);
	free(ns_sql);
}

/* FEED attributes as MISP events of EVENT_SIZE attributes, in memory. */
static char **feed_make(uint64_t attributes, size_t *events)
{
	const char *type, *misp_type, *class;
	char value[512];
	size_t n = (size_t)((attributes + EVENT_SIZE - 1) / EVENT_SIZE);
	char **texts = calloc(n, sizeof(*texts));
	uint64_t a = 0;

	if (texts == NULL)
		die("calloc", "feed");
	for (size_t e = 0; e < n; e++) {
		struct buf b;

		buf_init(&b, 64u << 20);
		buf_printf(
		    &b,
		    "{\"Event\": {\"uuid\": \"%08zx-0000-4000-8000-000000000000\", \"info\": "
		    "\"feed event %zu\", \"date\": \"2026-12-01\", \"timestamp\": "
		    "\"1796000000\", \"published\": true, \"analysis\": \"2\", "
		    "\"threat_level_id\": \"2\", \"distribution\": \"3\", \"Orgc\": "
		    "{\"name\": \"CERT.PL\", \"uuid\": "
		    "\"56ef3277-1ad4-42f6-b90b-04e5c0a83832\"}, \"Tag\": [{\"name\": "
		    "\"tlp:green\"}], \"Attribute\": [",
		    e, e);
		for (uint32_t i = 0; i < EVENT_SIZE && a < attributes; i++, a++) {
			feed_value(a, &type, &misp_type, &class, value, sizeof(value));
			buf_printf(&b,
				   "%s{\"id\": \"%" PRIu64 "\", \"type\": \"%s\", \"category\": "
				   "\"Network activity\", \"to_ids\": true, \"uuid\": "
				   "\"%08zx-%04x-4000-8000-%012" PRIx64
				   "\", \"event_id\": \"%zu\", "
				   "\"distribution\": \"5\", \"timestamp\": \"1796000000\", "
				   "\"comment\": \"\", \"deleted\": false, \"value\": \"%s\"}",
				   i ? ", " : "", a, misp_type, e, i, a, e, value);
		}
		buf_append_str(&b, "]}}");
		if (b.error != HR_OK)
			die("feed", "an event is too large");
		texts[e] = (char *)buf_take(&b, NULL);
	}
	*events = n;
	return texts;
}

struct ingest_stats {
	double seconds;
	uint64_t rows, correlations;
};

/* The MISP way: the index on (type, value) and a correlation SELECT per attribute. */
static struct ingest_stats ingest_misp_way(char **texts, size_t events, const char *dir)
{
	struct ingest_stats st = {0};
	struct hr_error err = {0};
	sqlite3 *db = db_open(dir, "misp_way.db");
	sqlite3_stmt *ins, *sel;
	double t0;

	sql(db, "CREATE TABLE attributes(id INTEGER PRIMARY KEY, event TEXT, type TEXT, value "
		"TEXT, tlp TEXT)");
	sql(db, "CREATE INDEX attributes_value ON attributes(type, value)");
	sel = prepare(db, "SELECT id FROM attributes WHERE type=? AND value=? AND id<>?");
	ins = prepare(db, "INSERT INTO attributes(event, type, value, tlp) VALUES (?, ?, ?, ?)");
	t0 = now_s();
	for (size_t e = 0; e < events; e++) {
		json_t *incidents, *inc, *ind;
		const char *ext;
		size_t i;

		if (misp_event_parse(texts[e], strlen(texts[e]), "PL/GOV/00000006/cert", &incidents,
				     &err) != HR_OK)
			die("misp_event_parse", err.message);
		inc = json_array_get(incidents, 0);
		ext = json_string_value(json_object_get(inc, "external_id"));
		sql(db, "BEGIN");
		json_array_foreach(json_object_get(inc, "indicators"), i, ind)
		{
			const char *type = json_string_value(json_object_get(ind, "type"));
			const char *value = json_string_value(json_object_get(ind, "value"));
			const char *class = indicator_type_class(type);
			sqlite3_int64 row;

			sqlite3_bind_text(ins, 1, ext, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, class, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, value, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, json_string_value(json_object_get(ind, "tlp")),
					  -1, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE)
				die("insert", sqlite3_errmsg(db));
			sqlite3_reset(ins);
			row = sqlite3_last_insert_rowid(db);
			st.rows++;
			sqlite3_bind_text(sel, 1, class, -1, SQLITE_STATIC);
			sqlite3_bind_text(sel, 2, value, -1, SQLITE_STATIC);
			sqlite3_bind_int64(sel, 3, row);
			while (sqlite3_step(sel) == SQLITE_ROW)
				st.correlations++;
			sqlite3_reset(sel);
		}
		sql(db, "COMMIT");
		json_decref(incidents);
	}
	st.seconds = now_s() - t0;
	sqlite3_finalize(ins);
	sqlite3_finalize(sel);
	sqlite3_close(db);
	return st;
}

/* The hub's own import path (nccc_imports.c), on its own schema and index. */
static struct ingest_stats ingest_hub(char **texts, size_t events, const char *dir)
{
	struct ingest_stats st = {0};
	struct nccc hub;
	struct hr_error err = {0};
	struct store *store = NULL;
	char url[1024];
	uint64_t ids[64];
	double t0;

	memset(&hub, 0, sizeof(hub));
	pthread_mutex_init(&hub.index_lock, NULL);
	snprintf(url, sizeof(url), "sqlite:%s/hub.db", dir);
	if (store_pool_new(url, 1, &hub.pool, &err) != HR_OK ||
	    store_pool_acquire(hub.pool, 1000, &store, &err) != HR_OK ||
	    store_migrate(store, nccc_migrations, nccc_migration_count, &err) != HR_OK ||
	    value_index_new(events * EVENT_SIZE, &hub.index, &err) != HR_OK)
		die("the hub's store", err.message);
	t0 = now_s();
	for (size_t e = 0; e < events; e++) {
		json_t *incidents, *inc, *ind;
		size_t i, k, dropped;

		if (misp_event_parse(texts[e], strlen(texts[e]), "PL/GOV/00000006/cert", &incidents,
				     &err) != HR_OK)
			die("misp_event_parse", err.message);
		json_array_foreach(incidents, k, inc)
		{
			if (incident_check_import(inc, (int64_t)time(NULL), &dropped, &err) !=
				HR_OK ||
			    nccc_store_incident(&hub, store, inc, NULL, 0, &err) != HR_OK)
				die("import", err.message);
			json_array_foreach(json_object_get(inc, "indicators"), i, ind)
			{
				size_t n = 0;

				/* "where else was this seen", as the MISP way answers it */
				value_index_find(
				    hub.index, json_string_value(json_object_get(ind, "type")),
				    json_string_value(json_object_get(ind, "value")), ids, 64, &n);
				st.rows++;
				st.correlations += n > 0 ? n - 1 : 0;
			}
		}
		json_decref(incidents);
	}
	st.seconds = now_s() - t0;
	store_pool_release(hub.pool, store);
	store_pool_free(hub.pool);
	value_index_free(hub.index);
	pthread_mutex_destroy(&hub.index_lock);
	return st;
}

static void feed_ingest(uint64_t attributes, const char *dir)
{
	size_t events, bytes = 0;
	char **texts = feed_make(attributes, &events);
	struct ingest_stats ours, theirs;
	double rate_ours, rate_theirs;

	for (size_t e = 0; e < events; e++)
		bytes += strlen(texts[e]);
	printf("== nccc MISP feed ingest: %" PRIu64 " attributes in %zu events (%.0f MB of "
	       "JSON), one core ==\n",
	       attributes, events, (double)bytes / 1e6);
	ours = ingest_hub(texts, events, dir);
	theirs = ingest_misp_way(texts, events, dir);
	rate_ours = (double)ours.rows / ours.seconds;
	rate_theirs = (double)theirs.rows / theirs.seconds;
	printf("%-58s  %12s  %12s\n", "path", "attributes/s", "correlations");
	printf("%-58s  %12.0f  %12" PRIu64 "\n",
	       "ours: the hub's import (POST /v1/imports) + index lookup", rate_ours,
	       ours.correlations);
	printf("%-58s  %12.0f  %12" PRIu64 "\n",
	       "MISP way: parse + insert with (type,value) index + SELECT", rate_theirs,
	       theirs.correlations);
	printf("ours / MISP way: %.2f (target >= 2: %s)\n\n", rate_ours / rate_theirs,
	       rate_ours >= 2 * rate_theirs ? "met" : "MISSED");
	for (size_t e = 0; e < events; e++)
		free(texts[e]);
	free(texts);
}

int main(int argc, char **argv)
{
	uint64_t count = 10000000, feed = 1000000;

	log_set_level(LOG_LEVEL_WARN); /* the figures, not the store's start-up lines */
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [COUNT [FEED]]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		count = strtoull(argv[2], NULL, 10);
	if (argc > 3)
		feed = strtoull(argv[3], NULL, 10);
	if ((count != 0 && count < 100) || (count == 0 && feed == 0))
		die("bad sizes", argv[2]);
	if (feed > 0)
		feed_ingest(feed, argv[1]);
	if (count > 0)
		lookups(count, argv[1]);
	return 0;
}
