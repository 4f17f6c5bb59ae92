/*
 * test_replay_store.c — replay records kept in a role's store
 * (src/exchange/replay_store.h) behind the in-memory replay record, on SQLite
 * (unit.replay_store) and on PostgreSQL (unit.replay_store.postgresql, against
 * the server tests/store.cmake starts): an identifier seen before a restart
 * (a new pool and a new memory record on the same store) is still refused;
 * two copies of a role sharing one store accept an identifier once, even when
 * racing; a record expires with the proof it stands for, and is purged a
 * bounded batch at a time; scopes are apart; a
 * store that cannot answer refuses rather than accepts.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/log.h"
#include "core/store.h"
#include "exchange/replay.h"
#include "exchange/replay_store.h"

#define NOW 1764000000

static const struct store_migration migrations[] = {
    {1, "replay records", REPLAY_STORE_SQL, NULL},
};

static char url[1200];
static char tmpdir[256];
static bool postgres;

/* One copy of a role: its pool, its store record and its memory in front. */
struct role_copy {
	struct store_pool *pool;
	struct replay_store *records;
	struct replay_cache *memory;
};

static void copy_start(struct role_copy *c, const char *scope)
{
	struct hr_error err = {0};
	struct store *s = NULL;

	assert_int_equal(store_pool_new(url, 4, &c->pool, &err), HR_OK);
	assert_int_equal(store_pool_acquire(c->pool, 1000, &s, &err), HR_OK);
	if (store_migrate(s, migrations, 1, &err) != HR_OK)
		fail_msg("migrate: %s", err.message);
	store_pool_release(c->pool, s);
	assert_non_null(c->records = replay_store_new(c->pool, scope));
	assert_non_null(c->memory = replay_cache_new(1 << 14));
	replay_cache_set_store(c->memory, c->records);
}

static void copy_stop(struct role_copy *c)
{
	replay_cache_free(c->memory);
	replay_store_free(c->records);
	store_pool_free(c->pool);
	memset(c, 0, sizeof(*c));
}

static hr_status seen(struct role_copy *c, const char *id, int64_t now, int64_t expires_at)
{
	return replay_cache_check(c->memory, id, strlen(id), now, expires_at);
}

static int fresh_store(void **state)
{
	static unsigned counter;
	struct hr_error err = {0};
	struct store *s = NULL;

	(void)state;
	if (!postgres) {
		snprintf(url, sizeof(url), "sqlite:%s/replay-%u.db", tmpdir, ++counter);
		return 0;
	}
	/* one schema per test, dropped first in case an earlier run left it */
	snprintf(url, sizeof(url), "%s%sschema=replay_%ld_%u", tk_pg_url(),
		 strchr(tk_pg_url(), '?') ? "&" : "?", (long)getpid(), ++counter);
	if (store_open(url, &s, &err) != HR_OK) {
		fprintf(stderr, "%s\n", err.message);
		return -1;
	}
	store_exec(s, "DROP TABLE IF EXISTS replay_records; DROP TABLE IF EXISTS hromada_schema",
		   NULL);
	store_close(s);
	return 0;
}

static void test_an_identifier_seen_before_a_restart_is_refused_after_it(void **state)
{
	struct role_copy before, after;

	(void)state;
	copy_start(&before, "dpop");
	assert_int_equal(seen(&before, "jti-1", NOW, NOW + 65), HR_OK);
	assert_int_equal(seen(&before, "jti-1", NOW, NOW + 65), HR_E_CONFLICT);
	copy_stop(&before);
	/* the role restarts: its memory is empty, its store is not */
	copy_start(&after, "dpop");
	assert_int_equal(seen(&after, "jti-1", NOW + 1, NOW + 65), HR_E_CONFLICT);
	assert_int_equal(seen(&after, "jti-2", NOW + 1, NOW + 66), HR_OK);
	copy_stop(&after);
}

static void test_two_copies_sharing_a_store_accept_an_identifier_once(void **state)
{
	struct role_copy a, b;

	(void)state;
	copy_start(&a, "member");
	copy_start(&b, "member");
	assert_int_equal(seen(&a, "UA/GOV/1/bank\nnonce-1", NOW, NOW + 60), HR_OK);
	assert_int_equal(seen(&b, "UA/GOV/1/bank\nnonce-1", NOW, NOW + 60), HR_E_CONFLICT);
	assert_int_equal(seen(&b, "UA/GOV/1/bank\nnonce-2", NOW, NOW + 60), HR_OK);
	assert_int_equal(seen(&a, "UA/GOV/1/bank\nnonce-2", NOW, NOW + 60), HR_E_CONFLICT);
	copy_stop(&a);
	copy_stop(&b);
}

struct racer {
	struct role_copy *copy;
	int accepted;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	char id[32];

	for (int i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "raced-%d", i);
		if (seen(r->copy, id, NOW, NOW + 60) == HR_OK)
			r->accepted++;
	}
	return NULL;
}

/* Two copies behind a load balancer get the same 200 identifiers at once:
 * each is accepted by exactly one of them. */
static void test_copies_racing_on_the_same_identifiers_accept_each_once(void **state)
{
	struct role_copy a, b;
	struct racer ra, rb;
	pthread_t ta, tb;

	(void)state;
	copy_start(&a, "member");
	copy_start(&b, "member");
	ra = (struct racer){&a, 0};
	rb = (struct racer){&b, 0};
	assert_int_equal(pthread_create(&ta, NULL, race, &ra), 0);
	assert_int_equal(pthread_create(&tb, NULL, race, &rb), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(ra.accepted + rb.accepted, 200);
	copy_stop(&a);
	copy_stop(&b);
}

struct batch_racer {
	struct replay_store *records;
	int accepted, refused;
};

static void *race_store(void *arg)
{
	struct batch_racer *r = arg;
	char id[32];

	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "batched-%d", i);
		hr_status rc = replay_store_check(r->records, id, strlen(id), NOW, NOW + 60);
		if (rc == HR_OK)
			r->accepted++;
		else if (rc == HR_E_CONFLICT)
			r->refused++;
	}
	return NULL;
}

/* Eight threads in each of two copies ask the store itself (no memory in
 * front, so checks written in one transaction may name the same identifier
 * twice) about the same 300 identifiers: each is accepted exactly once, every
 * other answer is a replay, none is an error. */
static void test_checks_written_together_accept_each_identifier_once(void **state)
{
	enum { THREADS = 8 };
	struct role_copy a, b;
	struct batch_racer r[2 * THREADS];
	pthread_t t[2 * THREADS];
	int accepted = 0, refused = 0;

	(void)state;
	copy_start(&a, "member");
	copy_start(&b, "member");
	for (int i = 0; i < 2 * THREADS; i++) {
		r[i] = (struct batch_racer){i < THREADS ? a.records : b.records, 0, 0};
		assert_int_equal(pthread_create(&t[i], NULL, race_store, &r[i]), 0);
	}
	for (int i = 0; i < 2 * THREADS; i++) {
		pthread_join(t[i], NULL);
		accepted += r[i].accepted;
		refused += r[i].refused;
	}
	assert_int_equal(accepted, 300);
	assert_int_equal(refused, 300 * (2 * THREADS - 1));
	copy_stop(&a);
	copy_stop(&b);
}

static void test_a_record_expires_with_its_proof(void **state)
{
	struct role_copy a, b;

	(void)state;
	copy_start(&a, "dpop");
	assert_int_equal(seen(&a, "jti-x", NOW, NOW + 60), HR_OK);
	copy_stop(&a);
	copy_start(&b, "dpop");
	assert_int_equal(seen(&b, "jti-x", NOW + 59, NOW + 120), HR_E_CONFLICT);
	copy_stop(&b);
	copy_start(&b, "dpop");
	/* past its expiry the identifier is free again (the proof itself would be
	 * refused as too old before its jti is ever looked at) */
	assert_int_equal(seen(&b, "jti-x", NOW + 60, NOW + 120), HR_OK);
	/* and a purge a minute later removes what has expired, never what lives */
	assert_int_equal(seen(&b, "jti-y", NOW + 200, NOW + 260), HR_OK);
	copy_stop(&b);
	copy_start(&a, "dpop");
	assert_int_equal(seen(&a, "jti-y", NOW + 201, NOW + 260), HR_E_CONFLICT);
	copy_stop(&a);
}

static int64_t records_in(struct role_copy *c)
{
	struct store *s = NULL;
	struct store_stmt *st = NULL;
	bool row = false;
	int64_t n = -1;

	assert_int_equal(store_pool_acquire(c->pool, 1000, &s, NULL), HR_OK);
	assert_int_equal(store_prepare(s, "SELECT count(*) FROM replay_records", &st, NULL), HR_OK);
	assert_int_equal(store_step(st, &row, NULL), HR_OK);
	assert_true(row);
	n = store_column_int64(st, 0);
	store_stmt_free(st);
	store_pool_release(c->pool, s);
	return n;
}

/* A purge holds the write lock every check waits for: it deletes a bounded
 * batch, and a full batch lets the next check go on with the backlog. */
static void test_a_purge_deletes_a_bounded_batch_and_drains_a_backlog(void **state)
{
	const int64_t backlog = 2 * REPLAY_STORE_PURGE_MAX + REPLAY_STORE_PURGE_MAX / 2;
	struct role_copy c;
	char id[32];

	(void)state;
	copy_start(&c, "dpop");
	for (int64_t i = 0; i < backlog; i++) {
		snprintf(id, sizeof(id), "old-%lld", (long long)i);
		assert_int_equal(replay_store_check(c.records, id, strlen(id), NOW, NOW + 10),
				 HR_OK);
	}
	assert_int_equal(replay_store_check(c.records, "live", 4, NOW + 20, NOW + 80), HR_OK);
	assert_int_equal(records_in(&c), backlog + 1 - REPLAY_STORE_PURGE_MAX);
	assert_int_equal(replay_store_check(c.records, "live-2", 6, NOW + 20, NOW + 80), HR_OK);
	assert_int_equal(records_in(&c), backlog + 2 - 2 * REPLAY_STORE_PURGE_MAX);
	/* the last, partial batch: then the backlog is gone and purges pause */
	assert_int_equal(replay_store_check(c.records, "live-3", 6, NOW + 20, NOW + 80), HR_OK);
	assert_int_equal(records_in(&c), 3);
	assert_int_equal(replay_store_check(c.records, "live-4", 6, NOW + 20, NOW + 80), HR_OK);
	assert_int_equal(records_in(&c), 4);
	/* what lives is never purged, and is still refused */
	assert_int_equal(replay_store_check(c.records, "live", 4, NOW + 79, NOW + 80),
			 HR_E_CONFLICT);
	copy_stop(&c);
}

static void test_scopes_keep_their_identifiers_apart(void **state)
{
	struct role_copy dpop, member;

	(void)state;
	copy_start(&dpop, "dpop");
	copy_start(&member, "member");
	assert_int_equal(seen(&dpop, "same", NOW, NOW + 60), HR_OK);
	assert_int_equal(seen(&member, "same", NOW, NOW + 60), HR_OK);
	copy_stop(&dpop);
	copy_stop(&member);
}

/* A store without the table (or unreachable) cannot say "new": refused. */
static void test_a_store_that_cannot_answer_refuses(void **state)
{
	struct store_pool *pool = NULL;
	struct replay_store *records;
	struct replay_cache *memory;

	(void)state;
	assert_int_equal(store_pool_new(url, 1, &pool, NULL), HR_OK);
	assert_non_null(records = replay_store_new(pool, "dpop"));
	assert_non_null(memory = replay_cache_new(64));
	replay_cache_set_store(memory, records);
	assert_int_equal(replay_cache_check(memory, "id", 2, NOW, NOW + 60), HR_E_BUSY);
	replay_cache_free(memory);
	replay_store_free(records);
	store_pool_free(pool);
	assert_null(replay_store_new(NULL, "dpop"));
	assert_null(replay_store_new(pool, ""));
}

static double seconds_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The cost the store adds per new identifier (the fetch path checks one DPoP
 * jti at the wallet and one member nonce at the gateway): printed, and bounded
 * loosely so that a store turned pathological (a transaction per check with
 * fsync, a table scan) fails here. */
static void test_measures_the_cost_per_check(void **state)
{
	enum { N = 2000 };
	struct role_copy c;
	struct replay_cache *memory_only = replay_cache_new(4 * N);
	char id[48];
	double t0, c0, memory_us, store_us, store_cpu_us;

	(void)state;
	copy_start(&c, "dpop");
	t0 = seconds_now();
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "memory-%d", i);
		assert_int_equal(replay_cache_check(memory_only, id, strlen(id), NOW, NOW + 65),
				 HR_OK);
	}
	memory_us = (seconds_now() - t0) * 1e6 / N;
	t0 = seconds_now();
	c0 = cpu_seconds();
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "stored-%d", i);
		assert_int_equal(seen(&c, id, NOW, NOW + 65), HR_OK);
	}
	store_us = (seconds_now() - t0) * 1e6 / N;
	store_cpu_us = (cpu_seconds() - c0) * 1e6 / N;
	fprintf(stderr,
		"replay_store %s: %.2f us per check in memory, %.2f us with the store (%.2f us "
		"of this process's CPU)\n",
		postgres ? "postgresql" : "sqlite", memory_us, store_us, store_cpu_us);
	assert_true(store_us < 5000.0);
	replay_cache_free(memory_only);
	copy_stop(&c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_an_identifier_seen_before_a_restart_is_refused_after_it,
				   fresh_store),
	    cmocka_unit_test_setup(test_two_copies_sharing_a_store_accept_an_identifier_once,
				   fresh_store),
	    cmocka_unit_test_setup(test_copies_racing_on_the_same_identifiers_accept_each_once,
				   fresh_store),
	    cmocka_unit_test_setup(test_checks_written_together_accept_each_identifier_once,
				   fresh_store),
	    cmocka_unit_test_setup(test_a_record_expires_with_its_proof, fresh_store),
	    cmocka_unit_test_setup(test_a_purge_deletes_a_bounded_batch_and_drains_a_backlog,
				   fresh_store),
	    cmocka_unit_test_setup(test_scopes_keep_their_identifiers_apart, fresh_store),
	    cmocka_unit_test_setup(test_a_store_that_cannot_answer_refuses, fresh_store),
	    cmocka_unit_test_setup(test_measures_the_cost_per_check, fresh_store),
	};
	int failed;

	postgres = argc == 2 && strcmp(argv[1], "postgresql") == 0;
	log_set_level(LOG_LEVEL_WARN);
	if (postgres && tk_pg_url() == NULL) {
		fprintf(stderr,
			"test_replay_store postgresql: no PostgreSQL server (run through "
			"ctest, whose pg.start fixture starts one). A failure, not a skip.\n");
		return 1;
	}
	tk_tmpdir(tmpdir);
	failed = cmocka_run_group_tests_name(postgres ? "replay_store.postgresql" : "replay_store",
					     tests, NULL, NULL);
	tk_rmrf(tmpdir);
	return failed;
}
