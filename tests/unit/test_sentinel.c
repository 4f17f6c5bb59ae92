/*
 * test_sentinel.c — the leak-defence sentinel's rules (src/leak/sentinel.h):
 * consecutive and dense identifiers are enumeration, a storm of misses is
 * guessing, a burst far over a member's learned baseline is bulk
 * extraction, work at an hour or for a purpose the member never has is
 * noticed, a canary is news once per requester and owner, an operator's
 * release drops the evidence, memory stays within max_members under any
 * number of members and threads, and bad settings are refused by name.
 *
 * Then the measurement docs/LEAKS.md quotes: weeks of normal synthetic
 * traffic of several members — random people, diurnal, bursty, with a
 * nightly batch, weekends, misses at each member's own rate — replayed
 * through one engine, counting every alert (each is a false positive), and
 * the same traffic with an enumerator and a miss storm injected, which must
 * be caught within a minute and name no one else.
 * HROMADA_SENTINEL_FP_DAYS=N replays N days instead of 14 (the docs' figure),
 * HROMADA_SENTINEL_FP_SEED=S other traffic of the same kind.
 */
#include "testkit/testkit.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/documents.h"
#include "leak/sentinel.h"

#define POLICE "UA/GOV/00032684/police"
#define BANK   "UA/COM/14360570/bank"
#define WALLET "UA/GOV/43395033/wallet"
#define DL     "UA/GOV/00015622/driver_licence"
/* Monday 2026-11-02 00:00:00 UTC */
#define T0_MS   INT64_C(1793577600000)
#define MIN_MS  INT64_C(60000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS  (24 * HOUR_MS)

static struct sentinel *engine_new(void (*tune)(struct sentinel_options *))
{
	struct sentinel_options o;
	struct sentinel *s = NULL;
	struct hr_error err = {0};

	sentinel_options_default(&o);
	o.hash_seed = 42;
	if (tune != NULL)
		tune(&o);
	assert_int_equal(sentinel_new(&o, &s, &err), HR_OK);
	return s;
}

/* "UA:" + an RNOKPP of birth day (days since 1899-12-31) and serial, with its
 * check digit. */
static void rnokpp(unsigned day, unsigned serial, char out[16])
{
	for (int check = 0; check < 10; check++) {
		snprintf(out, 16, "%05u%04u%d", day % 100000, serial % 10000, check);
		if (rnokpp_valid(out)) {
			memmove(out + 3, out, 11);
			memcpy(out, "UA:", 3);
			return;
		}
	}
	fail_msg("no check digit for %05u%04u", day, serial);
}

static size_t observe(struct sentinel *s, int64_t at_ms, const char *client, const char *person,
		      const char *number, enum sentinel_outcome outcome,
		      struct sentinel_alert alerts[SENTINEL_RULE_COUNT])
{
	struct sentinel_event e = {
	    .at_ms = at_ms,
	    .client = client,
	    .provider = DL,
	    .service = number ? "status" : "lookup",
	    .purpose = "police-document-check",
	    .person = person,
	    .person_named = number == NULL,
	    .document_type = number ? "driver_licence" : NULL,
	    .document_number = number,
	    .outcome = outcome,
	};

	return sentinel_observe(s, &e, alerts, SENTINEL_RULE_COUNT);
}

/* ---- the rules, one at a time ------------------------------------------- */

static void test_consecutive_rnokpps_are_enumeration(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	char id[16];
	size_t n = 0;
	int i;

	(void)unused;
	for (i = 0; i < 9; i++) {
		rnokpp(33000, 4000 + (unsigned)i, id);
		assert_int_equal(
		    observe(s, T0_MS + i * 2000, POLICE, id, NULL, SENTINEL_MISS, alerts), 0);
	}
	/* the tenth of one birth day within a minute */
	rnokpp(33000, 4009, id);
	n = observe(s, T0_MS + 9 * 2000, POLICE, id, NULL, SENTINEL_MISS, alerts);
	assert_int_equal(n, 1);
	assert_int_equal(alerts[0].rule, SENTINEL_RULE_ENUMERATION);
	assert_string_equal(alerts[0].member, POLICE);
	assert_int_equal(alerts[0].sample_count, SENTINEL_SAMPLES);
	assert_string_equal(alerts[0].samples[0], id); /* the newest first */
	assert_true(alerts[0].numbers[0].value == 10);
	assert_string_equal(alerts[0].numbers[0].name, "ids_in_block");
	/* the summary has the numbers, never an identifier */
	assert_non_null(strstr(alerts[0].summary, "10 distinct identifiers"));
	assert_null(strstr(alerts[0].summary, "UA:"));
	/* once per quiet period */
	for (i = 10; i < 40; i++) {
		rnokpp(33000, 4000 + (unsigned)i, id);
		assert_int_equal(
		    observe(s, T0_MS + i * 2000, POLICE, id, NULL, SENTINEL_MISS, alerts), 0);
	}
	sentinel_free(s);
}

static void test_ids_are_counted_once_and_only_within_the_window(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	char id[16];

	(void)unused;
	/* the same person asked about again and again is not a sequence */
	rnokpp(33000, 4000, id);
	for (int i = 0; i < 50; i++)
		assert_int_equal(
		    observe(s, T0_MS + i * 1000, POLICE, id, NULL, SENTINEL_HIT, alerts), 0);
	/* nine of one day a minute apart each: never ten within the window */
	for (int i = 0; i < 30; i++) {
		rnokpp(33001, 100 + (unsigned)i, id);
		assert_int_equal(
		    observe(s, T0_MS + 60000 + i * 7000, POLICE, id, NULL, SENTINEL_HIT, alerts),
		    0);
	}
	sentinel_free(s);
}

static void test_dense_ids_across_birth_days_are_enumeration(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	char id[16];
	size_t n = 0;
	int i;

	(void)unused;
	/* one serial, day after day: no two of one day, but twenty within a few weeks */
	for (i = 0; i < 20 && n == 0; i++) {
		rnokpp(30000 + (unsigned)i, 1234, id);
		n = observe(s, T0_MS + i * 1000, POLICE, id, NULL, SENTINEL_MISS, alerts);
	}
	assert_int_equal(n, 1);
	assert_int_equal(i, 20);
	assert_int_equal(alerts[0].rule, SENTINEL_RULE_ENUMERATION);
	assert_non_null(strstr(alerts[0].summary, "blocks either side"));
	sentinel_free(s);
}

static void test_sequential_document_numbers_are_enumeration(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	char number[32];
	size_t n = 0;
	int i;

	(void)unused;
	for (i = 0; i < 10 && n == 0; i++) {
		snprintf(number, sizeof(number), "ВХІ%06d", 123400 + i);
		n = observe(s, T0_MS + i * 500, POLICE, NULL, number, SENTINEL_MISS, alerts);
	}
	assert_int_equal(n, 1);
	assert_int_equal(i, 10);
	assert_int_equal(alerts[0].rule, SENTINEL_RULE_ENUMERATION);
	assert_string_equal(alerts[0].samples[0], "ВХІ123409");
	/* the same numbers in another series are another block */
	for (i = 0; i < 9; i++) {
		snprintf(number, sizeof(number), "ВХА%06d", 123400 + i);
		assert_int_equal(
		    observe(s, T0_MS + 6000 + i * 500, BANK, NULL, number, SENTINEL_MISS, alerts),
		    0);
		snprintf(number, sizeof(number), "АХА%06d", 123400 + i);
		assert_int_equal(
		    observe(s, T0_MS + 6000 + i * 500, BANK, NULL, number, SENTINEL_MISS, alerts),
		    0);
	}
	sentinel_free(s);
}

/* Random valid RNOKPPs: no two near each other. */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

static void random_person(char out[16])
{
	rnokpp(10000 + (unsigned)(rng() % 34700), (unsigned)(rng() % 9000), out);
}

static void test_a_storm_of_misses_is_guessing(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	char id[16];
	size_t n = 0;
	int i;

	(void)unused;
	/* a few misses among hits are life */
	for (i = 0; i < 200; i++) {
		random_person(id);
		assert_int_equal(observe(s, T0_MS + i * 1000, BANK, id, NULL,
					 i % 4 == 0 ? SENTINEL_MISS : SENTINEL_HIT, alerts),
				 0);
	}
	/* then nine in ten miss */
	for (i = 0; i < 100 && n == 0; i++) {
		random_person(id);
		n = observe(s, T0_MS + 200000 + i * 1000, BANK, id, NULL,
			    i % 10 == 0 ? SENTINEL_HIT : SENTINEL_MISS, alerts);
	}
	assert_int_equal(n, 1);
	assert_int_equal(alerts[0].rule, SENTINEL_RULE_MISSES);
	assert_string_equal(alerts[0].member, BANK);
	assert_non_null(strstr(alerts[0].summary, "were misses"));
	/* refusals are not misses: a member refused is not guessing */
	{
		struct sentinel *t = engine_new(NULL);

		for (i = 0; i < 300; i++) {
			random_person(id);
			assert_int_equal(
			    observe(t, T0_MS + i * 1000, BANK, id, NULL, SENTINEL_REFUSED, alerts),
			    0);
		}
		sentinel_free(t);
	}
	sentinel_free(s);
}

static void test_volume_over_the_learned_baseline_is_extraction(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	char id[16];
	int64_t t = T0_MS;
	size_t n = 0;
	int i;

	(void)unused;
	/* two days of a steady 0.5 people a second: warm, a baseline of ~300 per 10 min */
	for (; t < T0_MS + 2 * DAY_MS; t += 2000) {
		random_person(id);
		assert_int_equal(observe(s, t, BANK, id, NULL, SENTINEL_HIT, alerts), 0);
	}
	/* then 5 a second: 3 000 people in 10 minutes, ten times the usual */
	for (i = 0; i < 3000 && n == 0; i++, t += 200) {
		random_person(id);
		n = observe(s, t, BANK, id, NULL, SENTINEL_HIT, alerts);
	}
	assert_int_equal(n, 1);
	assert_int_equal(alerts[0].rule, SENTINEL_RULE_VOLUME);
	/* over 4 x the learned peak: ~300 people per 10 minutes, which HyperLogLog's
	 * 13 % error and a peak's bias to high estimates put at up to ~450 */
	print_message("caught after %d people\n", i);
	assert_true(i < 1900);
	assert_non_null(strstr(alerts[0].summary, "distinct people within 10 minutes"));
	sentinel_free(s);
}

static void test_a_new_members_first_burst_is_judged_by_the_floor(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	char id[16];
	int64_t t = T0_MS;
	size_t n = 0;
	int i;

	(void)unused;
	/* 600 people in 10 minutes from a member never seen: under 4 x 300 */
	for (i = 0; i < 600; i++, t += 1000) {
		random_person(id);
		assert_int_equal(observe(s, t, BANK, id, NULL, SENTINEL_HIT, alerts), 0);
	}
	/* a new member at 20 people a second from its first request */
	for (i = 0; i < 3000 && n == 0; i++, t += 50) {
		random_person(id);
		n = observe(s, t, POLICE, id, NULL, SENTINEL_HIT, alerts);
	}
	assert_int_equal(n, 1);
	assert_int_equal(alerts[0].rule, SENTINEL_RULE_VOLUME);
	assert_string_equal(alerts[0].member, POLICE);
	assert_non_null(strstr(alerts[0].summary, "still warming up"));
	assert_true(i < 1500);
	sentinel_free(s);
}

static size_t observe_purpose(struct sentinel *s, int64_t at_ms, const char *purpose,
			      struct sentinel_alert alerts[SENTINEL_RULE_COUNT])
{
	char id[16];
	struct sentinel_event e;

	random_person(id);
	e = (struct sentinel_event){at_ms, BANK, DL,   "lookup", purpose,
				    id,    true, NULL, NULL,     SENTINEL_HIT};
	return sentinel_observe(s, &e, alerts, SENTINEL_RULE_COUNT);
}

static void test_work_at_an_hour_the_member_never_works_is_noticed(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	int64_t t;
	size_t n = 0;
	int i;

	(void)unused;
	/* eight days of office hours, 09:00 to 17:00, a request a minute */
	for (int day = 0; day < 8; day++)
		for (t = T0_MS + day * DAY_MS + 9 * HOUR_MS;
		     t < T0_MS + day * DAY_MS + 17 * HOUR_MS; t += MIN_MS)
			assert_int_equal(observe_purpose(s, t, "kyc", alerts), 0);
	/* then at 03:00, 150 requests within 50 minutes */
	t = T0_MS + 8 * DAY_MS + 3 * HOUR_MS;
	for (i = 0; i < 150 && n == 0; i++)
		n = observe_purpose(s, t + i * 20000, "kyc", alerts);
	assert_int_equal(n, 1);
	assert_int_equal(alerts[0].rule, SENTINEL_RULE_TIME_OF_DAY);
	assert_int_equal(i, 100); /* time_of_day_min */
	assert_non_null(strstr(alerts[0].summary, "from 03:00 UTC"));
	sentinel_free(s);
}

static void test_a_purpose_the_member_never_uses_is_noticed(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	int64_t t;
	size_t n = 0;
	int i;

	(void)unused;
	/* two days of "kyc", now and then "aml-check" (2 %) */
	for (t = T0_MS, i = 0; t < T0_MS + 2 * DAY_MS; t += 30000, i++)
		assert_int_equal(observe_purpose(s, t, i % 50 ? "kyc" : "aml-check", alerts), 0);
	/* the rare one a little more often is fine; one never used is not */
	for (i = 0; i < 30; i++, t += 10000)
		assert_int_equal(observe_purpose(s, t, "aml-check", alerts), 0);
	for (i = 0; i < 30 && n == 0; i++, t += 10000)
		n = observe_purpose(s, t, "marketing", alerts);
	assert_int_equal(n, 1);
	assert_int_equal(alerts[0].rule, SENTINEL_RULE_PURPOSE);
	assert_int_equal(i, 20); /* purpose_min */
	assert_non_null(strstr(alerts[0].summary, "'marketing'"));
	sentinel_free(s);
}

static void test_canary_is_news_once_per_requester_and_owner(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert a;

	(void)unused;
	assert_true(sentinel_canary(s, T0_MS, POLICE, BANK, "c-1", "UA:3012345678", &a));
	assert_int_equal(a.rule, SENTINEL_RULE_CANARY);
	assert_string_equal(a.member, POLICE);
	assert_string_equal(a.other, BANK);
	assert_string_equal(a.samples[0], "UA:3012345678");
	assert_null(strstr(a.summary, "UA:3"));
	assert_false(sentinel_canary(s, T0_MS + 1000, POLICE, BANK, "c-2", "UA:3012345679", &a));
	/* another leak source, another requester: news */
	assert_true(sentinel_canary(s, T0_MS + 2000, POLICE, WALLET, "c-3", "UA:3", &a));
	assert_true(sentinel_canary(s, T0_MS + 3000, BANK, BANK, "c-1", "UA:3012345678", &a));
	/* after the quiet period, news again */
	assert_true(sentinel_canary(s, T0_MS + 3601 * 1000, POLICE, BANK, "c-1", "x", &a));
	sentinel_free(s);
}

static void no_canaries(struct sentinel_options *o)
{
	o->rules &= ~(1u << SENTINEL_RULE_CANARY);
}

static void test_rules_can_be_switched_off(void **unused)
{
	struct sentinel *s = engine_new(no_canaries);
	struct sentinel_alert a;

	(void)unused;
	assert_false(sentinel_canary(s, T0_MS, POLICE, BANK, "c-1", "UA:3012345678", &a));
	sentinel_free(s);
}

static void test_forget_drops_the_evidence_not_the_baseline(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	char id[16];
	size_t n = 0;
	int i;

	(void)unused;
	for (i = 0; i < 10; i++) {
		rnokpp(33000, (unsigned)i, id);
		n = observe(s, T0_MS + i * 1000, POLICE, id, NULL, SENTINEL_MISS, alerts);
	}
	assert_int_equal(n, 1);
	assert_true(sentinel_forget(s, POLICE));
	assert_false(sentinel_forget(s, BANK)); /* never seen */
	/* the evidence is gone: one more of that day is not ten */
	rnokpp(33000, 10, id);
	assert_int_equal(observe(s, T0_MS + 11000, POLICE, id, NULL, SENTINEL_MISS, alerts), 0);
	/* and enumerating again is news at once, quiet period or not */
	for (i = 11, n = 0; i < 30 && n == 0; i++) {
		rnokpp(33000, (unsigned)i, id);
		n = observe(s, T0_MS + 12000 + i * 100, POLICE, id, NULL, SENTINEL_MISS, alerts);
	}
	assert_int_equal(n, 1);
	assert_int_equal(i, 20);
	sentinel_free(s);
}

static void small(struct sentinel_options *o)
{
	o->max_members = 32;
}

static void test_members_past_the_cap_evict_the_least_recent(void **unused)
{
	struct sentinel *s = engine_new(small);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	struct sentinel_stats st;
	char member[64], id[16];

	(void)unused;
	for (int i = 0; i < 1000; i++) {
		snprintf(member, sizeof(member), "UA/COM/%08d/bank", i);
		random_person(id);
		observe(s, T0_MS + i, member, id, NULL, SENTINEL_HIT, alerts);
	}
	sentinel_stats(s, &st);
	assert_true(st.members <= 32);
	assert_int_equal(st.events, 1000);
	assert_int_equal(st.evicted, 1000 - st.members);
	sentinel_free(s);
}

struct worker {
	struct sentinel *s;
	int index;
	size_t alerts;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	char member[64], id[16];

	for (int i = 0; i < 20000; i++) {
		snprintf(member, sizeof(member), "UA/COM/%08d/bank", (i * 7 + w->index) % 64);
		rnokpp(20000 + (unsigned)(i % 5000), (unsigned)((i * 13) % 9000), id);
		w->alerts += observe(w->s, T0_MS + i * 10, member, id, NULL,
				     i % 3 ? SENTINEL_HIT : SENTINEL_MISS, alerts);
	}
	return NULL;
}

static void test_threads_share_one_engine(void **unused)
{
	struct sentinel *s = engine_new(small);
	struct worker workers[4];
	pthread_t threads[4];
	struct sentinel_stats st;

	(void)unused;
	for (int t = 0; t < 4; t++) {
		workers[t] = (struct worker){s, t, 0};
		assert_int_equal(pthread_create(&threads[t], NULL, worker_run, &workers[t]), 0);
	}
	for (int t = 0; t < 4; t++)
		assert_int_equal(pthread_join(threads[t], NULL), 0);
	sentinel_stats(s, &st);
	assert_int_equal(st.events, 80000);
	assert_true(st.members <= 32);
	sentinel_free(s);
}

static void test_settings_are_read_and_bad_ones_named(void **unused)
{
	struct config *c = config_new();
	struct sentinel_options o;
	struct hr_error err = {0};
	unsigned mask = 0;

	(void)unused;
	assert_int_equal(sentinel_rules_parse("enumeration, canary", &mask, &err), HR_OK);
	assert_int_equal(mask, (1u << SENTINEL_RULE_ENUMERATION) | (1u << SENTINEL_RULE_CANARY));
	assert_int_equal(sentinel_rules_parse("", &mask, &err), HR_OK);
	assert_int_equal(mask, 0);
	assert_int_equal(sentinel_rules_parse("volume,guessing", &mask, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "'guessing'"));

	sentinel_options_default(&o);
	assert_int_equal(config_set(c, "sentinel", "misses_percent", "80", "test", &err), HR_OK);
	assert_int_equal(config_set(c, "sentinel", "rules", "enumeration,misses", "test", &err),
			 HR_OK);
	assert_int_equal(sentinel_options_from_config(c, "sentinel", &o, &err), HR_OK);
	assert_int_equal(o.misses_percent, 80);
	assert_int_equal(o.rules, 3u);
	assert_int_equal(o.enumeration_block_ids, 10); /* untouched: the default */
	assert_int_equal(config_set(c, "sentinel", "misses_percent", "150", "test", &err), HR_OK);
	assert_int_equal(sentinel_options_from_config(c, "sentinel", &o, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "misses_percent"));
	config_free(c);
	c = config_new();
	assert_int_equal(config_set(c, "sentinel", "rules", "volume,nope", "test", &err), HR_OK);
	assert_int_equal(sentinel_options_from_config(c, "sentinel", &o, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "sentinel.rules"));
	config_free(c);
	o.max_members = 1;
	assert_int_equal(sentinel_new(&o, &(struct sentinel *){NULL}, &err), HR_E_INVALID);
}

/* ---- normal synthetic traffic ------------------------------------------------ */

struct profile {
	const char *id;
	double peak_per_s; /* requests a second at the day's peak */
	double night;      /* the rate 12 hours from the peak, as a share of it */
	double peak_hour;  /* UTC */
	double weekend;    /* Saturday and Sunday, as a share of a weekday */
	double by_number;  /* share of requests naming a document number (status) */
	double miss_person, miss_number;
	double repeat; /* share of requests about a person asked about lately */
	const char *purposes[2];
	double second_purpose; /* share of the second purpose */
	double bursts_per_day; /* daytime bursts (an operation, a news story) */
	double burst_factor;
	int batch_hour; /* a nightly batch at this hour (-1: none) */
	int batch_size; /* people in it, over 30 minutes */
};

static const struct profile profiles[] = {
    {WALLET,
     2.0,
     0.03,
     19,
     1.1,
     0,
     0.01,
     0,
     0.5,
     {"citizen-wallet", "revocation-status"},
     0.03,
     1,
     2.5,
     -1,
     0},
    {POLICE,
     0.5,
     0.15,
     14,
     0.8,
     0.5,
     0.35,
     0.03,
     0.2,
     {"police-document-check", "licence-suspension"},
     0.02,
     2,
     3,
     -1,
     0},
    {BANK, 0.3, 0.01, 11, 0.2, 0, 0.03, 0, 0.3, {"kyc", NULL}, 0, 0.5, 2, -1, 0},
    {"UA/COM/30000002/bank",
     0.05,
     0.01,
     12,
     0.3,
     0,
     0.05,
     0,
     0.1,
     {"kyc", NULL},
     0,
     0.3,
     2,
     2,
     400},
    {"PL/GOV/00000003/police",
     0.1,
     0.2,
     15,
     0.9,
     1,
     0,
     0.08,
     0.05,
     {"police-document-check", NULL},
     0,
     1,
     2,
     -1,
     0},
    {"UA/GOV/00000777/tax",
     0.2,
     0,
     11,
     0,
     0.3,
     0.1,
     0.05,
     0.1,
     {"tax-check", NULL},
     0,
     0.3,
     3,
     -1,
     0},
};
#define PROFILES (sizeof(profiles) / sizeof(profiles[0]))

struct sim {
	const struct profile *p;
	int64_t t_ms; /* the next candidate arrival */
	double lambda_max;
	int day;                            /* of the bursts below */
	int64_t burst_from[4], burst_to[4]; /* today's bursts */
	int bursts;
	char recent[16][16];
	int recent_count;
	char person[16], number[32];
};

static double exponential(double rate)
{
	return -log(1.0 - uniform()) / rate;
}

static void sim_init(struct sim *m, const struct profile *p, int64_t from_ms)
{
	memset(m, 0, sizeof(*m));
	m->p = p;
	m->t_ms = from_ms;
	m->day = -1;
	m->lambda_max = p->peak_per_s * p->burst_factor * 1.2;
	if (p->batch_hour >= 0 && p->batch_size / 1800.0 > m->lambda_max)
		m->lambda_max = p->batch_size / 1800.0;
}

/* The member's rate at t (requests a second). */
static double sim_rate(struct sim *m, int64_t t)
{
	const struct profile *p = m->p;
	int day = (int)((t - T0_MS) / DAY_MS);
	double hour = (double)((t - T0_MS) % DAY_MS) / HOUR_MS;
	double rate =
	    p->peak_per_s *
	    (p->night + (1 - p->night) * (0.5 + 0.5 * cos(2 * M_PI * (hour - p->peak_hour) / 24)));

	if (day != m->day) {
		/* today's bursts: a Poisson count, each 10 to 40 minutes between 08 and 20 */
		double u = uniform(), cumulative = exp(-p->bursts_per_day), term = cumulative;

		m->day = day;
		m->bursts = 0;
		while (u > cumulative && m->bursts < 4) {
			m->bursts++;
			term *= p->bursts_per_day / m->bursts;
			cumulative += term;
		}
		for (int b = 0; b < m->bursts; b++) {
			m->burst_from[b] = T0_MS + day * DAY_MS + 8 * HOUR_MS +
					   (int64_t)(uniform() * 12 * HOUR_MS);
			m->burst_to[b] =
			    m->burst_from[b] + (int64_t)((10 + uniform() * 30) * MIN_MS);
		}
	}
	if (day % 7 >= 5)
		rate *= p->weekend;
	for (int b = 0; b < m->bursts; b++)
		if (t >= m->burst_from[b] && t < m->burst_to[b])
			rate *= p->burst_factor;
	if (p->batch_hour >= 0 && hour >= p->batch_hour && hour < p->batch_hour + 0.5)
		rate += p->batch_size / 1800.0;
	return rate;
}

/* The member's next request before until_ms (thinning a Poisson process of
 * rate lambda_max by sim_rate); false when there is none. */
static bool sim_next(struct sim *m, int64_t until_ms, struct sentinel_event *e)
{
	const struct profile *p = m->p;

	for (;;) {
		int64_t t = m->t_ms + (int64_t)(exponential(m->lambda_max) * 1000) + 1;

		if (t >= until_ms)
			return false;
		m->t_ms = t;
		if (uniform() * m->lambda_max <= sim_rate(m, t))
			break;
	}
	memset(e, 0, sizeof(*e));
	e->at_ms = m->t_ms;
	e->client = p->id;
	e->provider = DL;
	e->purpose = p->purposes[1] != NULL && uniform() < p->second_purpose ? p->purposes[1]
									     : p->purposes[0];
	if (strcmp(e->purpose, "revocation-status") == 0) {
		e->service = "status-changes";
		e->outcome = SENTINEL_HIT;
		return true;
	}
	if (m->recent_count > 0 && uniform() < p->repeat) {
		snprintf(m->person, sizeof(m->person), "%s",
			 m->recent[rng() % (uint64_t)m->recent_count]);
	} else {
		random_person(m->person);
		snprintf(m->recent[m->recent_count < 16 ? m->recent_count++ : (int)(rng() % 16)],
			 16, "%s", m->person);
	}
	if (uniform() < p->by_number) {
		/* a status check by a licence's number: the registry names its holder */
		static const char *const series[] = {"А", "В", "Е", "І", "К", "М",
						     "Н", "О", "Р", "С", "Т", "Х"};
		snprintf(m->number, sizeof(m->number), "%s%s%s%06u", series[rng() % 12],
			 series[rng() % 12], series[rng() % 12], (unsigned)(rng() % 1000000));
		e->service = "status";
		e->document_type = "driver_licence";
		e->document_number = m->number;
		e->outcome = uniform() < p->miss_number ? SENTINEL_MISS : SENTINEL_HIT;
		e->person = e->outcome == SENTINEL_HIT ? m->person : NULL;
		return true;
	}
	e->service = "lookup";
	e->person = m->person;
	e->person_named = true;
	e->outcome = uniform() < p->miss_person ? SENTINEL_MISS : SENTINEL_HIT;
	return true;
}

static int fp_days(void)
{
	const char *text = getenv("HROMADA_SENTINEL_FP_DAYS");
	int days = text ? atoi(text) : 0;

	return days > 0 ? days : 14;
}

/* HROMADA_SENTINEL_FP_SEED draws other traffic of the same kind. */
static unsigned long long fp_seed(void)
{
	const char *text = getenv("HROMADA_SENTINEL_FP_SEED");

	return text ? strtoull(text, NULL, 10) : 20261202;
}

static void test_false_positives_on_normal_traffic(void **unused)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	struct sentinel_stats st;
	int days = fp_days();
	unsigned long events = 0, false_alerts = 0;

	uint64_t began = clock_monotonic_us(), spent_us = 0;

	(void)unused;
	rng_state = fp_seed();
	for (size_t i = 0; i < PROFILES; i++) {
		struct sim m;
		struct sentinel_event e;

		sim_init(&m, &profiles[i], T0_MS);
		while (sim_next(&m, T0_MS + days * DAY_MS, &e)) {
			uint64_t t = clock_monotonic_us();
			size_t n = sentinel_observe(s, &e, alerts, SENTINEL_RULE_COUNT);

			spent_us += clock_monotonic_us() - t;
			events++;
			for (size_t a = 0; a < n; a++) {
				false_alerts++;
				print_message("false positive: %s\n", alerts[a].summary);
			}
		}
	}
	sentinel_stats(s, &st);
	assert_int_equal(st.events, events);
	printf("# sentinel false positives: %lu alerts in %d days of %zu members (%lu events, "
	       "%.4f per member-day); the engine took %.2f us per event (%.1f s in all)\n",
	       false_alerts, days, PROFILES, events,
	       (double)false_alerts / (days * (double)PROFILES), (double)spent_us / (double)events,
	       (double)(clock_monotonic_us() - began) / 1e6);
	assert_int_equal(false_alerts, 0);
	sentinel_free(s);
}

/* Two days of normal traffic for every member, then an hour in which
 * attacker (one of them) also sends what attack makes; returns the first
 * alert about anyone and when it came. */
typedef bool (*attack_fn)(int64_t t, int i, struct sentinel_event *e, char *buffer);

static bool enumerate(int64_t t, int i, struct sentinel_event *e, char *buffer)
{
	/* consecutive serials of one birth day, a request every 1.5 s */
	rnokpp(31000 + (unsigned)(i / 9000), (unsigned)(i % 9000), buffer);
	*e = (struct sentinel_event){t,      POLICE, DL,   "lookup", "police-document-check",
				     buffer, true,   NULL, NULL,     SENTINEL_MISS};
	return true;
}

static bool guess(int64_t t, int i, struct sentinel_event *e, char *buffer)
{
	/* random ids, nine in ten of which exist nowhere */
	random_person(buffer);
	*e = (struct sentinel_event){
	    t,      BANK, DL,   "lookup", "kyc",
	    buffer, true, NULL, NULL,     i % 10 == 0 ? SENTINEL_HIT : SENTINEL_MISS};
	return true;
}

static void run_attack(const char *attacker, attack_fn attack, int64_t every_ms,
		       enum sentinel_rule expected)
{
	struct sentinel *s = engine_new(NULL);
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	struct sim sims[PROFILES];
	struct sentinel_event e;
	int64_t start = T0_MS + 2 * DAY_MS + 12 * HOUR_MS, end = start + HOUR_MS,
		next_attack = start;
	char buffer[32];
	int i = 0;
	bool caught = false;

	rng_state = 7;
	for (size_t p = 0; p < PROFILES; p++) {
		sim_init(&sims[p], &profiles[p], T0_MS);
		while (sim_next(&sims[p], start, &e))
			assert_int_equal(sentinel_observe(s, &e, alerts, SENTINEL_RULE_COUNT), 0);
	}
	/* every member goes on as usual; the attacker's requests are mixed in */
	for (size_t p = 0; p < PROFILES; p++) {
		bool is_attacker = strcmp(profiles[p].id, attacker) == 0;
		bool more = sim_next(&sims[p], end, &e);

		while (more || (is_attacker && next_attack < end)) {
			size_t n;

			if (is_attacker && next_attack < end && (!more || next_attack <= e.at_ms)) {
				struct sentinel_event a;

				attack(next_attack, i++, &a, buffer);
				n = sentinel_observe(s, &a, alerts, SENTINEL_RULE_COUNT);
				next_attack += every_ms;
			} else {
				n = sentinel_observe(s, &e, alerts, SENTINEL_RULE_COUNT);
				more = sim_next(&sims[p], end, &e);
			}
			for (size_t a = 0; a < n; a++) {
				if (strcmp(alerts[a].member, attacker) != 0)
					fail_msg("an alert about a normal member: %s",
						 alerts[a].summary);
				if (!caught) {
					int64_t after = alerts[a].at_ms - start;

					printf("# caught after %.1f s (%d requests): %s\n",
					       (double)after / 1000, i, alerts[a].summary);
					assert_int_equal(alerts[a].rule, expected);
					assert_true(after <= 60000);
					caught = true;
				}
			}
		}
	}
	assert_true(caught);
	sentinel_free(s);
}

static void test_enumeration_in_normal_traffic_is_caught_within_a_minute(void **unused)
{
	(void)unused;
	run_attack(POLICE, enumerate, 1500, SENTINEL_RULE_ENUMERATION);
}

static void test_a_miss_storm_in_normal_traffic_is_caught_within_a_minute(void **unused)
{
	(void)unused;
	run_attack(BANK, guess, 1000, SENTINEL_RULE_MISSES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_consecutive_rnokpps_are_enumeration),
	    cmocka_unit_test(test_ids_are_counted_once_and_only_within_the_window),
	    cmocka_unit_test(test_dense_ids_across_birth_days_are_enumeration),
	    cmocka_unit_test(test_sequential_document_numbers_are_enumeration),
	    cmocka_unit_test(test_a_storm_of_misses_is_guessing),
	    cmocka_unit_test(test_volume_over_the_learned_baseline_is_extraction),
	    cmocka_unit_test(test_a_new_members_first_burst_is_judged_by_the_floor),
	    cmocka_unit_test(test_work_at_an_hour_the_member_never_works_is_noticed),
	    cmocka_unit_test(test_a_purpose_the_member_never_uses_is_noticed),
	    cmocka_unit_test(test_canary_is_news_once_per_requester_and_owner),
	    cmocka_unit_test(test_rules_can_be_switched_off),
	    cmocka_unit_test(test_forget_drops_the_evidence_not_the_baseline),
	    cmocka_unit_test(test_members_past_the_cap_evict_the_least_recent),
	    cmocka_unit_test(test_threads_share_one_engine),
	    cmocka_unit_test(test_settings_are_read_and_bad_ones_named),
	    cmocka_unit_test(test_false_positives_on_normal_traffic),
	    cmocka_unit_test(test_enumeration_in_normal_traffic_is_caught_within_a_minute),
	    cmocka_unit_test(test_a_miss_storm_in_normal_traffic_is_caught_within_a_minute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
