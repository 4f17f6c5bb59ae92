/*
 * test_rate_limit.c — token buckets per client key: burst then refusal, refill
 * over simulated time, Retry-After values, independent keys, a flood of distinct
 * keys (bounded memory, least recently seen evicted), key edge cases, and a
 * thread-safety smoke test. Time is always given explicitly as now_us.
 */
#include "testkit/testkit.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/rate_limit.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_HAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_HAS_ASAN 1
#endif
#endif

#ifdef TEST_HAS_ASAN
/* from <sanitizer/allocator_interface.h>, which GCC does not install */
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_in_use(void)
{
	return __sanitizer_get_current_allocated_bytes();
}
#else
#include <malloc.h>
static size_t heap_in_use(void)
{
	return mallinfo2().uordblks;
}
#endif

#define SECOND 1000000ull
#define T0     (1000 * SECOND) /* an arbitrary monotonic start */

static bool take(struct rate_limiter *l, const char *key, uint64_t now, unsigned *retry)
{
	return rate_limiter_take(l, key, strlen(key), now, retry);
}

/* Takes until refused; returns how many were allowed (at most limit). */
static unsigned take_all(struct rate_limiter *l, const char *key, uint64_t now, unsigned limit)
{
	unsigned n = 0;

	while (n < limit && take(l, key, now, NULL))
		n++;
	return n;
}

static void test_allows_the_burst_then_refuses(void **state)
{
	struct rate_limiter *l = rate_limiter_new(1.0, 5);
	unsigned retry = 0;

	(void)state;
	assert_non_null(l);
	for (int i = 0; i < 5; i++)
		assert_true(take(l, "10.0.0.1", T0, &retry));
	assert_false(take(l, "10.0.0.1", T0, &retry));
	assert_int_equal(retry, 1);
	/* refusals do not consume anything, and keep refusing */
	for (int i = 0; i < 100; i++)
		assert_false(take(l, "10.0.0.1", T0, NULL));
	rate_limiter_free(l);
}

static void test_burst_of_one(void **state)
{
	struct rate_limiter *l = rate_limiter_new(2.0, 1);

	(void)state;
	assert_true(take(l, "k", T0, NULL));
	assert_false(take(l, "k", T0, NULL));
	assert_false(take(l, "k", T0 + SECOND / 2 - 1, NULL));
	assert_true(take(l, "k", T0 + SECOND / 2, NULL));
	rate_limiter_free(l);
}

static void test_refills_over_time_up_to_the_burst(void **state)
{
	struct rate_limiter *l = rate_limiter_new(2.0, 4); /* one token per 500 ms */

	(void)state;
	assert_int_equal(take_all(l, "k", T0, 100), 4);
	assert_false(take(l, "k", T0 + 499999, NULL));
	assert_true(take(l, "k", T0 + 500000, NULL));
	assert_false(take(l, "k", T0 + 500000, NULL));
	/* 1.5 s later: three tokens */
	assert_int_equal(take_all(l, "k", T0 + 2000000, 100), 3);
	/* an hour later the bucket is full, not fuller */
	assert_int_equal(take_all(l, "k", T0 + 3600 * SECOND, 100), 4);
	rate_limiter_free(l);
}

static void test_refill_accumulates_fractions(void **state)
{
	struct rate_limiter *l = rate_limiter_new(1.0, 1);
	uint64_t now = T0;

	(void)state;
	assert_true(take(l, "k", now, NULL));
	/* ten calls 100 ms apart add up to one token, not to nothing */
	for (int i = 0; i < 9; i++) {
		now += SECOND / 10;
		assert_false(take(l, "k", now, NULL));
	}
	now += SECOND / 10;
	assert_true(take(l, "k", now, NULL));
	rate_limiter_free(l);
}

static void test_retry_after_is_at_least_one_second(void **state)
{
	struct rate_limiter *l = rate_limiter_new(1000.0, 1);
	unsigned retry = 0;

	(void)state;
	assert_true(take(l, "k", T0, &retry));
	assert_false(take(l, "k", T0, &retry));
	assert_int_equal(retry, 1); /* 1 ms away, but Retry-After counts whole seconds */
	rate_limiter_free(l);
}

static void test_retry_after_for_slow_rates(void **state)
{
	struct rate_limiter *tenth = rate_limiter_new(0.1, 1);
	struct rate_limiter *half = rate_limiter_new(0.5, 2);
	struct rate_limiter *hourly = rate_limiter_new(1.0 / 3600.0, 1);
	unsigned retry = 0;

	(void)state;
	assert_true(take(tenth, "k", T0, &retry));
	assert_false(take(tenth, "k", T0, &retry));
	assert_int_equal(retry, 10);
	/* 4.5 s later 0.45 of a token is there: 5.5 s to go, rounded up */
	assert_false(take(tenth, "k", T0 + 4500000, &retry));
	assert_int_equal(retry, 6);
	assert_false(take(tenth, "k", T0 + 9999999, &retry));
	assert_int_equal(retry, 1);
	assert_true(take(tenth, "k", T0 + 10 * SECOND, &retry));

	assert_int_equal(take_all(half, "k", T0, 10), 2);
	assert_false(take(half, "k", T0, &retry));
	assert_int_equal(retry, 2);

	assert_true(take(hourly, "k", T0, &retry));
	assert_false(take(hourly, "k", T0, &retry));
	assert_int_equal(retry, 3600);
	rate_limiter_free(tenth);
	rate_limiter_free(half);
	rate_limiter_free(hourly);
}

static void test_retry_after_saturates_for_absurdly_slow_rates(void **state)
{
	/* 1e-15 per second: the wait does not fit an unsigned; it must saturate,
	 * not wrap around (or be undefined behaviour) */
	struct rate_limiter *l = rate_limiter_new(1e-15, 1);
	unsigned retry = 0;

	(void)state;
	assert_non_null(l);
	assert_true(take(l, "k", T0, &retry));
	assert_false(take(l, "k", T0, &retry));
	assert_int_equal(retry, UINT_MAX);
	rate_limiter_free(l);
}

static void test_keys_have_independent_buckets(void **state)
{
	struct rate_limiter *l = rate_limiter_new(1.0, 3);

	(void)state;
	assert_int_equal(take_all(l, "10.0.0.1", T0, 100), 3);
	assert_int_equal(take_all(l, "10.0.0.2", T0, 100), 3);
	assert_false(take(l, "10.0.0.1", T0, NULL));
	/* a key that is a prefix of another is a different key */
	assert_int_equal(take_all(l, "10.0.0.", T0, 100), 3);
	assert_int_equal(take_all(l, "10.0.0.10", T0, 100), 3);
	/* binary keys with NUL bytes (IPv4 and IPv6 addresses) */
	{
		const uint8_t a[4] = {10, 0, 0, 0}, b[4] = {10, 0, 0, 1};
		for (int i = 0; i < 3; i++)
			assert_true(rate_limiter_take(l, a, sizeof(a), T0, NULL));
		assert_false(rate_limiter_take(l, a, sizeof(a), T0, NULL));
		assert_true(rate_limiter_take(l, b, sizeof(b), T0, NULL));
		assert_true(rate_limiter_take(l, a, 3, T0, NULL)); /* 3 bytes: another key */
	}
	rate_limiter_free(l);
}

static void test_empty_key_is_always_allowed(void **state)
{
	struct rate_limiter *l = rate_limiter_new(0.001, 1);

	(void)state;
	for (int i = 0; i < 10000; i++)
		assert_true(rate_limiter_take(l, "", 0, T0, NULL));
	assert_true(rate_limiter_take(l, NULL, 0, T0, NULL));
	rate_limiter_free(l);
}

static void test_long_keys_are_truncated_to_the_maximum(void **state)
{
	struct rate_limiter *l = rate_limiter_new(1.0, 2);
	char a[200], b[200], c[200];

	(void)state;
	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = 0;
	memcpy(b, a, sizeof(b));
	b[RATE_LIMIT_KEY_MAX] = 'b'; /* differs only after the first RATE_LIMIT_KEY_MAX bytes */
	memcpy(c, a, sizeof(c));
	c[RATE_LIMIT_KEY_MAX - 1] = 'c'; /* differs within them */

	assert_int_equal(take_all(l, a, T0, 100), 2);
	assert_false(take(l, b, T0, NULL)); /* documented: the same client */
	assert_int_equal(take_all(l, c, T0, 100), 2);
	/* a key of exactly the maximum is that prefix */
	assert_false(rate_limiter_take(l, a, RATE_LIMIT_KEY_MAX, T0, NULL));
	rate_limiter_free(l);
}

static void test_time_going_backwards_gives_no_tokens(void **state)
{
	struct rate_limiter *l = rate_limiter_new(1.0, 1);

	(void)state;
	assert_true(take(l, "k", T0 + 10 * SECOND, NULL));
	/* a thread that read the clock earlier takes the lock later */
	assert_false(take(l, "k", T0 + 9 * SECOND, NULL));
	/* only half a second has passed since the token was taken */
	assert_false(take(l, "k", T0 + 10 * SECOND + SECOND / 2, NULL));
	assert_true(take(l, "k", T0 + 11 * SECOND, NULL));
	rate_limiter_free(l);
}

static void test_flood_of_distinct_keys_does_not_grow_memory(void **state)
{
	struct rate_limiter *l = rate_limiter_new(1.0, 2);
	size_t before, after;

	(void)state;
	before = heap_in_use();
	for (uint32_t i = 0; i < 300000; i++)
		assert_true(rate_limiter_take(l, &i, sizeof(i), T0 + i, NULL));
	after = heap_in_use();
	/* a bucket per key would be megabytes */
	assert_true(after <= before + 64 * 1024);
	rate_limiter_free(l);
}

static void test_flood_evicts_the_least_recently_seen_not_an_active_client(void **state)
{
	struct rate_limiter *l = rate_limiter_new(1e-6, 1);
	uint64_t now = T0;

	(void)state;
	assert_true(take(l, "active", now, NULL));
	for (uint32_t i = 0; i < 200000; i++) {
		uint8_t key[8];

		memcpy(key, "fl", 2);
		memcpy(key + 2, &i, sizeof(i));
		now++;
		rate_limiter_take(l, key, 6, now, NULL);
		/* the active client is seen after every newcomer: never the LRU of its set,
		 * so it is never evicted and never handed a fresh bucket */
		now++;
		if (take(l, "active", now, NULL)) {
			print_error("active client got a new bucket after %u newcomers\n", i);
			fail();
		}
	}
	rate_limiter_free(l);
}

static void test_rejects_bad_parameters(void **state)
{
	(void)state;
	assert_null(rate_limiter_new(0.0, 10));
	assert_null(rate_limiter_new(-1.0, 10));
	assert_null(rate_limiter_new(NAN, 10));
	assert_null(rate_limiter_new(1.0, 0));
	rate_limiter_free(NULL);
}

/* ---- threads ---- */

#define THREADS          4
#define TAKES_PER_THREAD 5000

struct worker {
	struct rate_limiter *limiter;
	int id;
	bool advance_time;
	unsigned allowed;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < TAKES_PER_THREAD; i++) {
		/* each thread's clock runs from T0 to T0 + 5 ms */
		uint64_t now = w->advance_time ? T0 + (uint64_t)i : T0;
		if (rate_limiter_take(w->limiter, "shared", 6, now, NULL))
			w->allowed++;
		/* and some private keys to spread over the locks */
		rate_limiter_take(w->limiter, &i, sizeof(i), now, NULL);
	}
	return NULL;
}

static unsigned run_workers(struct rate_limiter *l, bool advance_time)
{
	pthread_t threads[THREADS];
	struct worker workers[THREADS];
	unsigned total = 0;

	for (int i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){l, i, advance_time, 0};
		assert_int_equal(pthread_create(&threads[i], NULL, worker_run, &workers[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		total += workers[i].allowed;
	}
	return total;
}

static void test_concurrent_takes_never_exceed_the_budget(void **state)
{
	struct rate_limiter *l = rate_limiter_new(1000.0, 50);
	unsigned total;

	(void)state;
	/* all at one instant: exactly the burst, however the threads interleave */
	total = run_workers(l, false);
	assert_int_equal(total, 50);
	rate_limiter_free(l);

	/* over 5 ms of simulated time at 1000/s: at most burst + 5 refilled tokens,
	 * although the threads' clocks interleave (each lags the others at times) */
	l = rate_limiter_new(1000.0, 50);
	total = run_workers(l, true);
	assert_true(total >= 50);
	assert_true(total <= 50 + 5);
	rate_limiter_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_allows_the_burst_then_refuses),
	    cmocka_unit_test(test_burst_of_one),
	    cmocka_unit_test(test_refills_over_time_up_to_the_burst),
	    cmocka_unit_test(test_refill_accumulates_fractions),
	    cmocka_unit_test(test_retry_after_is_at_least_one_second),
	    cmocka_unit_test(test_retry_after_for_slow_rates),
	    cmocka_unit_test(test_retry_after_saturates_for_absurdly_slow_rates),
	    cmocka_unit_test(test_keys_have_independent_buckets),
	    cmocka_unit_test(test_empty_key_is_always_allowed),
	    cmocka_unit_test(test_long_keys_are_truncated_to_the_maximum),
	    cmocka_unit_test(test_time_going_backwards_gives_no_tokens),
	    cmocka_unit_test(test_flood_of_distinct_keys_does_not_grow_memory),
	    cmocka_unit_test(test_flood_evicts_the_least_recently_seen_not_an_active_client),
	    cmocka_unit_test(test_rejects_bad_parameters),
	    cmocka_unit_test(test_concurrent_takes_never_exceed_the_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
