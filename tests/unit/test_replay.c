/*
 * test_replay.c — the bounded replay record: first sight, replay, expiry,
 * refusal when full of live identifiers, reuse of expired slots, concurrency.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "exchange/replay.h"

static void test_first_sight_then_conflict(void **state)
{
	struct replay_cache *c = replay_cache_new(64);

	(void)state;
	assert_non_null(c);
	assert_int_equal(replay_cache_check(c, "jti-1", 5, 100, 160), HR_OK);
	assert_int_equal(replay_cache_check(c, "jti-1", 5, 101, 160), HR_E_CONFLICT);
	assert_int_equal(replay_cache_check(c, "jti-2", 5, 101, 160), HR_OK);
	/* a prefix is a different identifier */
	assert_int_equal(replay_cache_check(c, "jti-1", 4, 101, 160), HR_OK);
	replay_cache_free(c);
}

static void test_identifier_is_bytes_not_text(void **state)
{
	struct replay_cache *c = replay_cache_new(16);
	const uint8_t a[] = {'x', 0, 'a'}, b[] = {'x', 0, 'b'};

	(void)state;
	assert_int_equal(replay_cache_check(c, a, sizeof(a), 0, 10), HR_OK);
	assert_int_equal(replay_cache_check(c, b, sizeof(b), 0, 10), HR_OK);
	assert_int_equal(replay_cache_check(c, a, sizeof(a), 0, 10), HR_E_CONFLICT);
	assert_int_equal(replay_cache_check(c, "", 0, 0, 10), HR_OK);
	assert_int_equal(replay_cache_check(c, "", 0, 0, 10), HR_E_CONFLICT);
	replay_cache_free(c);
}

static void test_seen_again_after_expiry(void **state)
{
	struct replay_cache *c = replay_cache_new(16);

	(void)state;
	assert_int_equal(replay_cache_check(c, "n", 1, 100, 160), HR_OK);
	assert_int_equal(replay_cache_check(c, "n", 1, 159, 300), HR_E_CONFLICT);
	/* a conflict does not extend the first expiry */
	assert_int_equal(replay_cache_check(c, "n", 1, 160, 300), HR_OK);
	assert_int_equal(replay_cache_check(c, "n", 1, 299, 400), HR_E_CONFLICT);
	replay_cache_free(c);
}

static void test_full_of_live_entries_refuses_with_busy(void **state)
{
	/* a small cache is one set of 16 slots, so "full" is exact */
	struct replay_cache *c = replay_cache_new(8);
	char id[16];

	(void)state;
	for (int i = 0; i < 16; i++) {
		snprintf(id, sizeof(id), "id-%d", i);
		assert_int_equal(replay_cache_check(c, id, strlen(id), 100, 200), HR_OK);
	}
	assert_int_equal(replay_cache_check(c, "one more", 8, 100, 200), HR_E_BUSY);
	/* an identifier already there is still reported as a replay, not busy */
	assert_int_equal(replay_cache_check(c, "id-3", 4, 150, 200), HR_E_CONFLICT);
	/* once they expire, their slots are reused */
	assert_int_equal(replay_cache_check(c, "one more", 8, 200, 300), HR_OK);
	for (int i = 0; i < 15; i++) {
		snprintf(id, sizeof(id), "new-%d", i);
		assert_int_equal(replay_cache_check(c, id, strlen(id), 200, 300), HR_OK);
	}
	assert_int_equal(replay_cache_check(c, "and another", 11, 200, 300), HR_E_BUSY);
	/* the expired ones are forgotten: not a replay any more */
	assert_int_equal(replay_cache_check(c, "id-3", 4, 300, 400), HR_OK);
	replay_cache_free(c);
}

static void test_holds_its_capacity_of_live_identifiers(void **state)
{
	struct replay_cache *c = replay_cache_new(4096);
	char id[32];

	(void)state;
	for (int i = 0; i < 4096; i++) {
		snprintf(id, sizeof(id), "spread-%d", i);
		assert_int_equal(replay_cache_check(c, id, strlen(id), 0, 10), HR_OK);
	}
	for (int i = 0; i < 4096; i++) {
		snprintf(id, sizeof(id), "spread-%d", i);
		assert_int_equal(replay_cache_check(c, id, strlen(id), 1, 10), HR_E_CONFLICT);
	}
	replay_cache_free(c);
}

static void test_tiny_and_absurd_capacities(void **state)
{
	struct replay_cache *c = replay_cache_new(0);

	(void)state;
	assert_non_null(c);
	assert_int_equal(replay_cache_check(c, "a", 1, 0, 10), HR_OK);
	assert_int_equal(replay_cache_check(c, "a", 1, 0, 10), HR_E_CONFLICT);
	replay_cache_free(c);
	assert_null(replay_cache_new((size_t)1 << 40));
	replay_cache_free(NULL);
	assert_int_equal(replay_cache_check(NULL, "a", 1, 0, 10), HR_E_STATE);
}

struct race {
	struct replay_cache *cache;
	int thread;
	int wins;
};

static void *race_run(void *arg)
{
	struct race *r = arg;
	char id[32];

	for (int i = 0; i < 2000; i++) {
		/* everyone races for the shared ids; each also has its own */
		snprintf(id, sizeof(id), "shared-%d", i);
		if (replay_cache_check(r->cache, id, strlen(id), 0, 100) == HR_OK)
			r->wins++;
		snprintf(id, sizeof(id), "own-%d-%d", r->thread, i);
		if (replay_cache_check(r->cache, id, strlen(id), 0, 100) != HR_OK)
			r->wins = -1000000;
	}
	return NULL;
}

static void test_concurrent_checks_admit_each_identifier_once(void **state)
{
	struct replay_cache *c = replay_cache_new(1 << 16);
	struct race races[4];
	pthread_t threads[4];
	int total = 0;

	(void)state;
	for (int t = 0; t < 4; t++) {
		races[t] = (struct race){c, t, 0};
		assert_int_equal(pthread_create(&threads[t], NULL, race_run, &races[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(threads[t], NULL);
		total += races[t].wins;
	}
	assert_int_equal(total, 2000);
	replay_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_sight_then_conflict),
	    cmocka_unit_test(test_identifier_is_bytes_not_text),
	    cmocka_unit_test(test_seen_again_after_expiry),
	    cmocka_unit_test(test_full_of_live_entries_refuses_with_busy),
	    cmocka_unit_test(test_holds_its_capacity_of_live_identifiers),
	    cmocka_unit_test(test_tiny_and_absurd_capacities),
	    cmocka_unit_test(test_concurrent_checks_admit_each_identifier_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
