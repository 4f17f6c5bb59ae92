/*
 * bench_audit_log.c — the audit log (src/audit/audit_log.h) beside its peer,
 * measured in the same run on the same disk:
 *
 *  1. durable appends/s with 1, 16 and 64 concurrent writers, each appending
 *     ~200-byte entries in a loop for SECONDS; beside SQLite in WAL mode with
 *     synchronous=FULL, every entry one single-row INSERT transaction, one
 *     connection per thread (busy_timeout set). Target: >= 5x SQLite at 64.
 *  2. the time to build an inclusion and a consistency proof over
 *     audit_log_source at 100 000 and BIG (default 10 000 000) entries, warm
 *     page cache, each proof checked. Target: < 100 µs.
 *
 *	bench_audit_log DIR [SECONDS [BIG]]
 *
 * The logs for the proofs are not built with audit_log_append: 10 M synced
 * appends would take minutes and measure nothing new. Their segment files are
 * written directly, in the format audit_log.h documents, and audit_log_open
 * recomputes tree/ and person.idx from them — the recovery path at scale,
 * whose time and memory are printed as well.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "audit/audit_log.h"
#include "audit/merkle.h"

#define ENTRY_LEN       200
#define PERSONS         100000u
#define PROOFS          20000u
#define SQLITE_BUSY_MS  10000
#define RECORD_OVERHEAD (4 + AUDIT_PERSON_LEN + 4)

static const char *base_dir;
static double run_seconds = 3.0;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_audit_log: %s: %s\n", what, detail ? detail : "");
	exit(1);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *path)
{
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		die("cannot remove", path);
}

static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* An entry shaped like the gateway's: who, what, whose, why, when, hashes. */
static void make_entry(char out[ENTRY_LEN], unsigned thread, uint64_t i)
{
	int n = snprintf(out, ENTRY_LEN,
			 "{\"t\":%" PRIu64 ",\"member\":\"UA/gateway-%u\",\"service\":\"wallet."
			 "documents\",\"purpose\":\"citizen request\",\"request\":\"",
			 1764000000000 + i, thread);

	for (int j = n; j < ENTRY_LEN; j++)
		out[j] = "0123456789abcdef"[(i * 7 + (uint64_t)j) & 15];
	out[ENTRY_LEN - 2] = '"';
	out[ENTRY_LEN - 1] = '}';
}

static void make_person(uint8_t person[AUDIT_PERSON_LEN], uint64_t who)
{
	uint64_t state = who * 0x9e3779b97f4a7c15u + 1;

	for (int j = 0; j < AUDIT_PERSON_LEN; j += 8) {
		uint64_t r = next_random(&state);

		memcpy(person + j, &r, 8);
	}
}

/* ---- appends ---- */

struct writer {
	struct audit_log *log;
	sqlite3 *db;
	sqlite3_stmt *insert;
	unsigned thread;
	double deadline;
	uint64_t done;
};

static void *audit_writer(void *arg)
{
	struct writer *w = arg;
	uint8_t person[AUDIT_PERSON_LEN];
	char entry[ENTRY_LEN];
	struct hr_error err = {0};
	uint64_t index, state = w->thread + 1;

	while (now_s() < w->deadline) {
		make_entry(entry, w->thread, w->done);
		make_person(person, next_random(&state) % PERSONS);
		if (audit_log_append(w->log, entry, ENTRY_LEN, person, &index, &err) != HR_OK)
			die("audit_log_append", err.message);
		w->done++;
	}
	return NULL;
}

/* Durable appends/s of writers threads on an open log, for run_seconds. */
static double appends_on(struct audit_log *log, unsigned writers)
{
	struct writer *w = calloc(writers, sizeof(*w));
	pthread_t *threads = calloc(writers, sizeof(*threads));
	double start, elapsed;
	uint64_t total = 0;

	if (w == NULL || threads == NULL)
		die("out of memory", NULL);
	start = now_s();
	for (unsigned t = 0; t < writers; t++) {
		w[t].log = log;
		w[t].thread = t;
		w[t].deadline = start + run_seconds;
		if (pthread_create(&threads[t], NULL, audit_writer, &w[t]) != 0)
			die("pthread_create", strerror(errno));
	}
	for (unsigned t = 0; t < writers; t++) {
		pthread_join(threads[t], NULL);
		total += w[t].done;
	}
	elapsed = now_s() - start;
	free(threads);
	free(w);
	return (double)total / elapsed;
}

static double audit_appends_per_s(unsigned writers)
{
	char dir[4096];
	struct audit_log *log = NULL;
	struct hr_error err = {0};
	double rate;

	snprintf(dir, sizeof(dir), "%s/appends-%u", base_dir, writers);
	remove_tree(dir);
	if (audit_log_open(dir, &log, &err) != HR_OK)
		die("audit_log_open", err.message);
	rate = appends_on(log, writers);
	audit_log_close(log);
	remove_tree(dir);
	return rate;
}

static void sqlite_check(sqlite3 *db, int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		die(what, sqlite3_errmsg(db));
}

static void *sqlite_writer(void *arg)
{
	struct writer *w = arg;
	uint8_t person[AUDIT_PERSON_LEN];
	char entry[ENTRY_LEN];
	uint64_t state = w->thread + 1;

	while (now_s() < w->deadline) {
		make_entry(entry, w->thread, w->done);
		make_person(person, next_random(&state) % PERSONS);
		sqlite3_bind_blob(w->insert, 1, person, AUDIT_PERSON_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(w->insert, 2, entry, ENTRY_LEN, SQLITE_STATIC);
		/* autocommit: one transaction, one WAL sync, per row */
		sqlite_check(w->db, sqlite3_step(w->insert), "insert");
		sqlite3_reset(w->insert);
		w->done++;
	}
	return NULL;
}

static double sqlite_inserts_per_s(unsigned writers)
{
	char dir[4096], path[4200];
	struct writer *w = calloc(writers, sizeof(*w));
	pthread_t *threads = calloc(writers, sizeof(*threads));
	sqlite3 *db = NULL;
	double start, elapsed;
	uint64_t total = 0;

	if (w == NULL || threads == NULL)
		die("out of memory", NULL);
	snprintf(dir, sizeof(dir), "%s/sqlite-%u", base_dir, writers);
	remove_tree(dir);
	if (mkdir(dir, 0700) != 0)
		die("mkdir", dir);
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	sqlite_check(db, sqlite3_open(path, &db), "open");
	sqlite_check(db,
		     sqlite3_exec(db,
				  "PRAGMA journal_mode = WAL;"
				  "CREATE TABLE audit (id INTEGER PRIMARY KEY, person BLOB, "
				  "entry BLOB NOT NULL)",
				  NULL, NULL, NULL),
		     "schema");
	sqlite3_close(db);
	for (unsigned t = 0; t < writers; t++) {
		sqlite_check(w[t].db, sqlite3_open(path, &w[t].db), "open");
		sqlite3_busy_timeout(w[t].db, SQLITE_BUSY_MS);
		sqlite_check(w[t].db,
			     sqlite3_exec(w[t].db, "PRAGMA synchronous = FULL", NULL, NULL, NULL),
			     "pragma");
		sqlite_check(w[t].db,
			     sqlite3_prepare_v2(w[t].db,
						"INSERT INTO audit (person, entry) VALUES (?, ?)",
						-1, &w[t].insert, NULL),
			     "prepare");
		w[t].thread = t;
	}
	start = now_s();
	for (unsigned t = 0; t < writers; t++) {
		w[t].deadline = start + run_seconds;
		if (pthread_create(&threads[t], NULL, sqlite_writer, &w[t]) != 0)
			die("pthread_create", strerror(errno));
	}
	for (unsigned t = 0; t < writers; t++) {
		pthread_join(threads[t], NULL);
		total += w[t].done;
	}
	elapsed = now_s() - start;
	for (unsigned t = 0; t < writers; t++) {
		sqlite3_finalize(w[t].insert);
		sqlite3_close(w[t].db);
	}
	remove_tree(dir);
	free(threads);
	free(w);
	return (double)total / elapsed;
}

/* ---- proofs ---- */

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Writes entries [0, n) as segment files, exactly as audit_log_append would. */
static void write_segments(const char *dir, uint64_t n)
{
	size_t cap = 4u << 20, used = 0;
	uint8_t *chunk = malloc(cap);
	char path[4200];
	uint64_t segment_size = 0;
	int fd = -1;

	if (chunk == NULL)
		die("out of memory", NULL);
	snprintf(path, sizeof(path), "%s/segments", dir);
	if (mkdir(dir, 0700) != 0 || mkdir(path, 0700) != 0)
		die("mkdir", path);
	for (uint64_t i = 0; i <= n; i++) {
		uint8_t *r = chunk + used;

		if (fd >= 0 && (i == n || used + ENTRY_LEN + RECORD_OVERHEAD > cap ||
				segment_size >= AUDIT_SEGMENT_BYTES)) {
			if (write(fd, chunk, used) != (ssize_t)used)
				die("write", path);
			used = 0;
			r = chunk;
		}
		if (i == n)
			break;
		if (fd < 0 || segment_size >= AUDIT_SEGMENT_BYTES) {
			if (fd >= 0)
				close(fd);
			snprintf(path, sizeof(path), "%s/segments/%020" PRIu64 ".seg", dir, i);
			if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
				die("create", path);
			segment_size = 0;
		}
		put_le32(r, ENTRY_LEN);
		make_person(r + 4, i % PERSONS);
		make_entry((char *)r + 4 + AUDIT_PERSON_LEN, 0, i);
		put_le32(
		    r + 4 + AUDIT_PERSON_LEN + ENTRY_LEN,
		    (uint32_t)crc32(crc32(0L, Z_NULL, 0), r, 4 + AUDIT_PERSON_LEN + ENTRY_LEN));
		used += ENTRY_LEN + RECORD_OVERHEAD;
		segment_size += ENTRY_LEN + RECORD_OVERHEAD;
	}
	if (fd >= 0)
		close(fd);
	free(chunk);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct timing {
	double mean_us, p50_us, p99_us;
};

static struct timing summarise(double *samples, size_t n)
{
	struct timing t = {0, 0, 0};

	for (size_t i = 0; i < n; i++)
		t.mean_us += samples[i];
	t.mean_us /= (double)n;
	qsort(samples, n, sizeof(*samples), compare_double);
	t.p50_us = samples[n / 2];
	t.p99_us = samples[n * 99 / 100];
	return t;
}

static void bench_proofs(uint64_t n)
{
	char dir[4096];
	uint8_t root[MERKLE_HASH_LEN], first_root[MERKLE_HASH_LEN], leaf[MERKLE_HASH_LEN];
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	double *samples = malloc(PROOFS * sizeof(double));
	struct audit_log *log = NULL;
	struct hr_error err = {0};
	struct merkle_source src;
	struct timing inclusion, consistency;
	struct rusage ru;
	double t0, build_s, open_s, reopen_s, appends;
	uint64_t size, state = 42;
	size_t count;

	if (samples == NULL)
		die("out of memory", NULL);
	snprintf(dir, sizeof(dir), "%s/proofs-%" PRIu64, base_dir, n);
	remove_tree(dir);
	t0 = now_s();
	write_segments(dir, n);
	build_s = now_s() - t0;
	t0 = now_s();
	if (audit_log_open(dir, &log, &err) != HR_OK)
		die("audit_log_open", err.message);
	open_s = now_s() - t0;
	getrusage(RUSAGE_SELF, &ru);
	src = audit_log_source(log);
	if (audit_log_head(log, &size, root, &err) != HR_OK || size != n)
		die("audit_log_head", err.message);

	for (unsigned i = 0; i < PROOFS; i++) {
		uint64_t index = next_random(&state) % n;

		t0 = now_s();
		if (merkle_inclusion_proof(&src, index, n, proof, &count, &err) != HR_OK)
			die("merkle_inclusion_proof", err.message);
		samples[i] = (now_s() - t0) * 1e6;
		if (i % 100 == 0 &&
		    (src.node(src.ctx, 0, index, leaf) != HR_OK ||
		     merkle_inclusion_verify(leaf, index, n, MERKLE_CONST_PROOF(proof), count, root,
					     &err) != HR_OK))
			die("inclusion proof does not verify", err.message);
	}
	inclusion = summarise(samples, PROOFS);

	for (unsigned i = 0; i < PROOFS; i++) {
		uint64_t first = 1 + next_random(&state) % n;

		t0 = now_s();
		if (merkle_consistency_proof(&src, first, n, proof, &count, &err) != HR_OK)
			die("merkle_consistency_proof", err.message);
		samples[i] = (now_s() - t0) * 1e6;
		if (i % 100 == 0 &&
		    (merkle_root(&src, first, first_root, &err) != HR_OK ||
		     merkle_consistency_verify(first, n, first_root, root,
					       MERKLE_CONST_PROOF(proof), count, &err) != HR_OK))
			die("consistency proof does not verify", err.message);
	}
	consistency = summarise(samples, PROOFS);
	/* appends on a log this large: the tree's right edge is all they touch */
	appends = appends_on(log, 64);
	audit_log_close(log);

	/* a normal start: the checkpoint covers everything, only CRCs are checked */
	t0 = now_s();
	if (audit_log_open(dir, &log, &err) != HR_OK)
		die("audit_log_open", err.message);
	reopen_s = now_s() - t0;

	printf("%10" PRIu64 "  %8.1f s  %8.1f s  %6.1f s  %5ld MB  %5.1f / %5.1f / %5.1f  %5.1f / "
	       "%5.1f / %5.1f\n",
	       n, build_s, open_s, reopen_s, ru.ru_maxrss / 1024, inclusion.mean_us,
	       inclusion.p50_us, inclusion.p99_us, consistency.mean_us, consistency.p50_us,
	       consistency.p99_us);
	printf("proofs at %" PRIu64 " entries: inclusion mean %.1f us, consistency mean %.1f us "
	       "(target < 100 us: %s); durable appends with 64 writers on this log: %.0f/s\n",
	       n, inclusion.mean_us, consistency.mean_us,
	       inclusion.mean_us < 100 && consistency.mean_us < 100 ? "meets" : "MISSES", appends);
	fflush(stdout);
	audit_log_close(log);
	remove_tree(dir);
	free(samples);
}

int main(int argc, char **argv)
{
	static const unsigned writer_counts[] = {1, 16, 64};
	double ours[3], theirs[3];
	uint64_t big = 10000000;

	if (argc < 2 || argc > 4 || (argc > 2 && (run_seconds = atof(argv[2])) <= 0) ||
	    (argc > 3 && (big = strtoull(argv[3], NULL, 10)) == 0)) {
		fprintf(stderr, "usage: %s DIR [SECONDS [BIG]]\n", argv[0]);
		return 2;
	}
	base_dir = argv[1];
	printf("== audit log: durable appends/s, %d-byte entries, %.0f s per run, %s ==\n",
	       ENTRY_LEN, run_seconds, base_dir);
	printf("%8s  %14s  %24s  %6s\n", "writers", "audit_log/s", "sqlite WAL FULL inserts/s",
	       "ratio");
	for (int i = 0; i < 3; i++) {
		ours[i] = audit_appends_per_s(writer_counts[i]);
		theirs[i] = sqlite_inserts_per_s(writer_counts[i]);
		printf("%8u  %14.0f  %24.0f  %6.1f\n", writer_counts[i], ours[i], theirs[i],
		       ours[i] / theirs[i]);
		fflush(stdout);
	}
	printf("audit_log / sqlite at 64 writers: %.1f (target >= 5: %s)\n\n", ours[2] / theirs[2],
	       ours[2] / theirs[2] >= 5 ? "meets" : "MISSES");

	printf("== proofs over audit_log_source (warm page cache, %u of each) ==\n", PROOFS);
	printf("%10s  %10s  %10s  %8s  %8s  %-21s  %-21s\n", "entries", "write segs",
	       "open+rebuild", "reopen", "max RSS", "inclusion us mean/p50/p99",
	       "consistency us mean/p50/p99");
	fflush(stdout);
	bench_proofs(100000);
	bench_proofs(big);
	return 0;
}
