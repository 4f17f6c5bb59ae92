/*
 * test_replay.c — the bounded replay record: first sight, replay, expiry,
 * refusal when full of live identifiers, reuse of expired slots, concurrency;
 * then owners' fair shares (review H4): an owner past its share is refused
 * while others are not, its share comes back when its identifiers expire, a
 * replay stays a replay, owners beyond the owner table share one bucket, and
 * counts stay exact under threads.
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

/* Inserts ids "prefix-0".."prefix-(n-1)" charged to owner; returns how many
 * were accepted before the first refusal, which must be HR_E_BUSY. */
static int fill_owner(struct replay_cache *c, const char *owner, const char *prefix, int n,
		      int64_t now, int64_t expires_at)
{
	char id[64];

	for (int i = 0; i < n; i++) {
		hr_status rc;

		snprintf(id, sizeof(id), "%s-%d", prefix, i);
		rc = replay_cache_check_owned(c, owner, strlen(owner), id, strlen(id), now,
					      expires_at);
		if (rc != HR_OK) {
			assert_int_equal(rc, HR_E_BUSY);
			return i;
		}
	}
	return n;
}

static hr_status check_owned(struct replay_cache *c, const char *owner, const char *id, int64_t now,
			     int64_t expires_at)
{
	return replay_cache_check_owned(c, owner, strlen(owner), id, strlen(id), now, expires_at);
}

static void test_owner_past_its_share_is_busy_while_others_are_accepted(void **state)
{
	/* the default share is half the capacity */
	struct replay_cache *c = replay_cache_new(1024);

	(void)state;
	assert_int_equal(fill_owner(c, "bank", "bank", 1000, 100, 160), 512);
	assert_int_equal(check_owned(c, "bank", "one more", 100, 160), HR_E_BUSY);
	/* the others still have room: another owner, identifiers with no owner */
	assert_int_equal(fill_owner(c, "police", "police", 200, 100, 160), 200);
	assert_int_equal(check_owned(c, "wallet", "w-1", 101, 160), HR_OK);
	assert_int_equal(replay_cache_check(c, "jti", 3, 101, 160), HR_OK);
	/* a refused identifier was not recorded: someone else may use it */
	assert_int_equal(check_owned(c, "police", "one more", 102, 160), HR_OK);
	/* an owner is its bytes: a prefix or a longer name is another owner */
	assert_int_equal(replay_cache_check_owned(c, "bank", 3, "ban-1", 5, 102, 160), HR_OK);
	assert_int_equal(check_owned(c, "bank2", "bank2-1", 102, 160), HR_OK);
	replay_cache_free(c);
}

static void test_share_comes_back_when_the_owners_identifiers_expire(void **state)
{
	/* a large table over few identifiers: the scans of two sets per check
	 * find few of the expired ones, so it is the sweep that corrects the count */
	struct replay_cache *c = replay_cache_new_fair(4096, 64);

	(void)state;
	assert_int_equal(fill_owner(c, "bank", "old", 100, 0, 10), 64);
	/* still live: the sweeps (one per second) find nothing to free */
	assert_int_equal(check_owned(c, "bank", "early", 5, 20), HR_E_BUSY);
	assert_int_equal(check_owned(c, "bank", "early-2", 5, 20), HR_E_BUSY);
	assert_int_equal(check_owned(c, "bank", "late", 9, 20), HR_E_BUSY);
	/* expired at 10: the whole share again, exactly */
	assert_int_equal(fill_owner(c, "bank", "new", 100, 10, 20), 64);
	assert_int_equal(fill_owner(c, "bank", "newer", 100, 10, 20), 0);
	/* and again once those expire, the sweep of second 20 correcting them */
	assert_int_equal(fill_owner(c, "bank", "newest", 100, 20, 30), 64);
	replay_cache_free(c);
}

static void test_replay_is_a_conflict_whatever_the_share(void **state)
{
	struct replay_cache *c = replay_cache_new_fair(1024, 8);

	(void)state;
	assert_int_equal(fill_owner(c, "bank", "bank", 20, 100, 160), 8);
	/* at its share, a replay of its own is still a replay, not busy */
	assert_int_equal(check_owned(c, "bank", "bank-3", 101, 160), HR_E_CONFLICT);
	/* identifiers are one namespace: charged to another owner or to none */
	assert_int_equal(check_owned(c, "police", "bank-3", 101, 160), HR_E_CONFLICT);
	assert_int_equal(replay_cache_check(c, "bank-3", 6, 101, 160), HR_E_CONFLICT);
	assert_int_equal(replay_cache_check(c, "jti", 3, 101, 160), HR_OK);
	assert_int_equal(check_owned(c, "bank", "jti", 101, 160), HR_E_CONFLICT);
	/* and a conflict charges nothing: police still has its whole share */
	assert_int_equal(fill_owner(c, "police", "police", 20, 101, 160), 8);
	replay_cache_free(c);
}

static void test_unowned_identifiers_have_no_share(void **state)
{
	/* one set of 16 slots; the default share is 4 */
	struct replay_cache *c = replay_cache_new(8);
	char id[16];

	(void)state;
	assert_int_equal(fill_owner(c, "bank", "bank", 16, 100, 200), 4);
	for (int i = 0; i < 12; i++) {
		snprintf(id, sizeof(id), "jti-%d", i);
		assert_int_equal(replay_cache_check(c, id, strlen(id), 100, 200), HR_OK);
	}
	/* full: everyone is refused, owned or not */
	assert_int_equal(replay_cache_check(c, "jti-x", 5, 100, 200), HR_E_BUSY);
	assert_int_equal(check_owned(c, "police", "p-1", 100, 200), HR_E_BUSY);
	replay_cache_free(c);
	/* a share as large as the table is no share: one owner may fill it */
	c = replay_cache_new_fair(8, 1000);
	assert_non_null(c);
	assert_int_equal(fill_owner(c, "gateway", "g", 100, 100, 200), 16);
	replay_cache_free(c);
	/* no owner may hold nothing */
	assert_null(replay_cache_new_fair(8, 0));
	assert_null(replay_cache_new_fair((size_t)1 << 40, 1));
	assert_int_equal(replay_cache_check_owned(NULL, "o", 1, "a", 1, 0, 10), HR_E_STATE);
	c = replay_cache_new(64);
	assert_int_equal(replay_cache_check_owned(c, NULL, 1, "a", 1, 0, 10), HR_E_STATE);
	assert_int_equal(replay_cache_check_owned(c, "o", 1, NULL, 1, 0, 10), HR_E_STATE);
	/* an empty owner is an owner like any other */
	assert_int_equal(replay_cache_check_owned(c, NULL, 0, "a", 1, 0, 10), HR_OK);
	assert_int_equal(replay_cache_check_owned(c, "", 0, "b", 1, 0, 10), HR_OK);
	/* an identifier already expired is not kept, so not charged */
	assert_int_equal(check_owned(c, "o", "dead", 50, 50), HR_OK);
	assert_int_equal(check_owned(c, "o", "dead", 50, 60), HR_OK);
	assert_int_equal(check_owned(c, "o", "dead", 51, 60), HR_E_CONFLICT);
	replay_cache_free(c);
}

static void test_owners_beyond_the_owner_table_share_one_bucket(void **state)
{
	struct replay_cache *c = replay_cache_new_fair(8192, 64);
	char owner[32];
	int accepted = 0;

	(void)state;
	/* every place of the owner table taken, one identifier each */
	for (int o = 0; o < REPLAY_OWNERS_MAX; o++) {
		snprintf(owner, sizeof(owner), "member-%d", o);
		assert_int_equal(check_owned(c, owner, owner, 0, 100), HR_OK);
	}
	/* ten thousand newcomers: together, one share */
	for (int o = 0; o < 10000; o++) {
		snprintf(owner, sizeof(owner), "newcomer-%d", o);
		if (check_owned(c, owner, owner, 0, 100) == HR_OK)
			accepted++;
	}
	assert_int_equal(accepted, 64);
	/* the owners already known keep their own shares */
	assert_int_equal(fill_owner(c, "member-7", "member-7-more", 100, 0, 100), 63);
	assert_int_equal(fill_owner(c, "member-1000", "member-1000-more", 100, 0, 100), 63);
	/* the bucket frees up like any share once its identifiers expire */
	assert_int_equal(fill_owner(c, "newcomer-99999", "late", 100, 100, 200), 64);
	replay_cache_free(c);
}

struct owner_race {
	struct replay_cache *cache;
	int thread;
	int64_t now;
	int accepted;
	int unexpected;
};

static void *owner_race_run(void *arg)
{
	struct owner_race *r = arg;
	char owner[16], id[48];
	hr_status rc;

	snprintf(owner, sizeof(owner), "thread-%d", r->thread);
	for (int i = 0; i < 700; i++) {
		/* its own identifiers, and identifiers every thread races for */
		snprintf(id, sizeof(id), "own-%d-%lld-%d", r->thread, (long long)r->now, i);
		rc = check_owned(r->cache, owner, id, r->now, r->now + 10);
		if (rc == HR_OK)
			r->accepted++;
		else if (rc != HR_E_BUSY)
			r->unexpected++;
		snprintf(id, sizeof(id), "shared-%lld-%d", (long long)r->now, i);
		rc = check_owned(r->cache, owner, id, r->now, r->now + 10);
		if (rc == HR_OK)
			r->accepted++;
		else if (rc != HR_E_BUSY && rc != HR_E_CONFLICT)
			r->unexpected++;
	}
	return NULL;
}

static void race_round(struct replay_cache *c, int64_t now)
{
	struct owner_race races[4];
	pthread_t threads[4];

	for (int t = 0; t < 4; t++) {
		races[t] = (struct owner_race){c, t, now, 0, 0};
		assert_int_equal(pthread_create(&threads[t], NULL, owner_race_run, &races[t]), 0);
	}
	/* all joined before any assertion, so a failure leaves no thread behind */
	for (int t = 0; t < 4; t++)
		pthread_join(threads[t], NULL);
	for (int t = 0; t < 4; t++) {
		/* exactly its share: never more, and nothing lost to a miscount */
		assert_int_equal(races[t].accepted, 512);
		assert_int_equal(races[t].unexpected, 0);
	}
}

static void test_concurrent_owners_each_get_exactly_their_share(void **state)
{
	struct replay_cache *c = replay_cache_new_fair(1 << 14, 512);

	(void)state;
	race_round(c, 0);
	/* everything expired at 10: after the sweep, each has its share again */
	race_round(c, 20);
	race_round(c, 31);
	/* the rounds left every count at its share, no more, no less */
	assert_int_equal(check_owned(c, "thread-0", "after", 35, 50), HR_E_BUSY);
	assert_int_equal(check_owned(c, "thread-4", "after-4", 35, 50), HR_OK);
	assert_int_equal(fill_owner(c, "thread-1", "after-1", 600, 41, 50), 512);
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
	    cmocka_unit_test(test_owner_past_its_share_is_busy_while_others_are_accepted),
	    cmocka_unit_test(test_share_comes_back_when_the_owners_identifiers_expire),
	    cmocka_unit_test(test_replay_is_a_conflict_whatever_the_share),
	    cmocka_unit_test(test_unowned_identifiers_have_no_share),
	    cmocka_unit_test(test_owners_beyond_the_owner_table_share_one_bucket),
	    cmocka_unit_test(test_concurrent_owners_each_get_exactly_their_share),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
