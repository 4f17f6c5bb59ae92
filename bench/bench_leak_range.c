/*
 * bench_leak_range.c — the "was my data leaked" range service's store
 * (src/nccc/nccc_leak_store.c) and answer (src/leak/leak_range.c), on the
 * hub's SQLite schema, in one run:
 *
 *  (a) publishing: TAGS random tags (default 10 000 000: the design's 10 M
 *      leaked people) in calls of 10 000, as POST /v1/leaks stores them
 *      (nccc_leaks_publish: the dump's row, 100-row INSERT ... ON CONFLICT DO
 *      NOTHING batches, one transaction per call), spread over three dumps;
 *      tags/s, and the database's bytes per tag;
 *  (b) lookups: LOOKUPS ranges (default 100 000) of random prefixes on a new
 *      connection with the hub's default settings: nccc_leaks_range alone (the
 *      index range scan joined to the dumps) and with leak_range_answer (the
 *      decoys, JSON, padding to 32 entries and 32768 bytes), each timed alone:
 *      p50 / p99 / max, and the real entries per range.
 *
 *	bench_leak_range DIR [TAGS [LOOKUPS]]
 *
 * DIR holds the SQLite file; the caller (bench/leak_range.sh) removes it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/store.h"
#include "leak/leak_range.h"
#include "nccc/nccc_internal.h"

#define CALL_TAGS LEAK_RANGE_TAGS_MAX

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: tags need only be spread, not secret, here */
static uint64_t next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int compare_tags(const void *a, const void *b)
{
	return memcmp(a, b, LEAK_TAG_LEN);
}

static void percentiles(uint64_t *ns, size_t n, double *p50, double *p99, double *max)
{
	qsort(ns, n, sizeof(*ns), compare_u64);
	*p50 = (double)ns[n / 2] / 1000.0;
	*p99 = (double)ns[n * 99 / 100] / 1000.0;
	*max = (double)ns[n - 1] / 1000.0;
}

static void fail(const char *what, const struct hr_error *err)
{
	fprintf(stderr, "bench_leak_range: %s: %s\n", what, err->message);
	exit(1);
}

static void publish_all(struct store *store, uint64_t tags, uint64_t *seed)
{
	static const char *const names[] = {"Register dump 2025", "Telecom leak 2026",
					    "Marketplace breach"};
	struct leak_publication p = {0};
	struct hr_error err = {0};
	uint64_t start = now_ns(), done = 0;
	double s;

	p.fields = json_pack("[s,s,s]", "birth_date", "family_name", "given_name");
	p.tags = malloc(CALL_TAGS * sizeof(*p.tags));
	if (p.fields == NULL || p.tags == NULL) {
		fprintf(stderr, "bench_leak_range: out of memory\n");
		exit(1);
	}
	p.first_seen = 1767225600; /* 2026-01-01 */
	for (uint64_t call = 0; done < tags; call++) {
		size_t n = tags - done < CALL_TAGS ? (size_t)(tags - done) : CALL_TAGS;
		struct nccc_leak_published out;
		unsigned dump = call % 10 < 7 ? 0 : call % 10 < 9 ? 1 : 2;

		snprintf(p.dump_id, sizeof(p.dump_id), "bench-%u", dump);
		snprintf(p.name, sizeof(p.name), "%s", names[dump]);
		for (size_t i = 0; i < n; i++) {
			uint64_t a = next(seed), b = next(seed);

			memcpy(p.tags[i], &a, 8);
			memcpy(p.tags[i] + 8, &b, 8);
		}
		p.tag_count = p.received = n;
		/* sorted as leak_publication_parse leaves them */
		qsort(p.tags, n, sizeof(*p.tags), compare_tags);
		if (nccc_leaks_publish(store, &p, "UA/GOV/34239034/cert", 1767225600, &out, &err) !=
		    HR_OK)
			fail("publish", &err);
		json_decref(out.dump);
		done += n;
		if (call % 100 == 99)
			fprintf(stderr, "  %" PRIu64 " tags, %.0f/s\n", done,
				(double)done / ((double)(now_ns() - start) / 1e9));
	}
	s = (double)(now_ns() - start) / 1e9;
	printf("publishing %" PRIu64 " tags in calls of %d: %.1f s, %.0f tags/s\n", tags, CALL_TAGS,
	       s, (double)tags / s);
	free(p.tags);
	json_decref(p.fields);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	uint64_t tags = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000u;
	size_t lookups = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 100000u;
	uint8_t key[SECRET_LEN] = {7};
	struct leak_range_options options = {LEAK_RANGE_ENTRIES_DEFAULT, LEAK_RANGE_BYTES_DEFAULT,
					     key};
	char url[620], path[600];
	struct store *store = NULL;
	struct hr_error err = {0};
	uint64_t seed = 42, *query_ns, *answer_ns, real = 0, longest = 0;
	json_t *catalogue = NULL;
	struct buf answer;
	struct stat st;
	double p50, p99, max;

	if (dir == NULL || lookups == 0) {
		fprintf(stderr, "usage: bench_leak_range DIR [TAGS [LOOKUPS]]\n");
		return 2;
	}
	log_set_level(LOG_LEVEL_WARN);
	snprintf(path, sizeof(path), "%s/nccc.db", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	if (store_open(url, &store, &err) != HR_OK ||
	    store_migrate(store, nccc_migrations, nccc_migration_count, &err) != HR_OK)
		fail("open", &err);
	publish_all(store, tags, &seed);
	store_close(store);
	if (stat(path, &st) == 0)
		printf("database: %.0f MB, %.1f bytes per tag\n", (double)st.st_size / 1e6,
		       tags ? (double)st.st_size / (double)tags : 0.0);

	/* a new connection, the hub's settings */
	if (store_open(url, &store, &err) != HR_OK ||
	    nccc_leaks_catalogue(store, 64, &catalogue, &err) != HR_OK)
		fail("reopen", &err);
	query_ns = calloc(lookups, sizeof(*query_ns));
	answer_ns = calloc(lookups, sizeof(*answer_ns));
	buf_init(&answer, LEAK_RANGE_ANSWER_MAX);
	for (size_t i = 0; i < lookups; i++) {
		uint32_t prefix = (uint32_t)(next(&seed) & (LEAK_RANGE_PREFIXES - 1));
		struct nccc_leak_range range;
		uint64_t t0 = now_ns(), t1;

		if (nccc_leaks_range(store, prefix, NCCC_LEAK_RANGE_ROWS_MAX, &range, &err) !=
		    HR_OK)
			fail("range", &err);
		t1 = now_ns();
		buf_reset(&answer);
		if (leak_range_answer(prefix, range.entries, range.count, catalogue, &options,
				      &answer, &err) != HR_OK)
			fail("answer", &err);
		answer_ns[i] = now_ns() - t0;
		query_ns[i] = t1 - t0;
		real += range.count;
		if (range.count > longest)
			longest = range.count;
		if (answer.len != LEAK_RANGE_BYTES_DEFAULT)
			printf("range %05x: %zu bytes (a larger class)\n", prefix, answer.len);
		nccc_leak_range_clear(&range);
	}
	printf("%zu ranges: %.2f real entries each on average, at most %" PRIu64 "\n", lookups,
	       (double)real / (double)lookups, longest);
	printf("%-40s  %9s  %9s  %9s\n", "", "p50 us", "p99 us", "max us");
	percentiles(query_ns, lookups, &p50, &p99, &max);
	printf("%-40s  %9.1f  %9.1f  %9.1f\n", "nccc_leaks_range (index range + join)", p50, p99,
	       max);
	percentiles(answer_ns, lookups, &p50, &p99, &max);
	printf("%-40s  %9.1f  %9.1f  %9.1f\n", "+ leak_range_answer (decoys, padding)", p50, p99,
	       max);
	buf_clear(&answer);
	free(query_ns);
	free(answer_ns);
	json_decref(catalogue);
	store_close(store);
	return 0;
}
