/*
 * sentinel.c — the sentinel's rules over one event at a time (sentinel.h).
 *
 * Per member: 60 one-minute buckets (a ring indexed by minute % 60), the
 * last SENTINEL_RECENT_IDS identifiers it named, and what was learned from
 * its traffic once that traffic left the hour: decaying peaks of distinct
 * people and requests, its share of misses, its hours of the day and its
 * purposes. Distinct people are counted with HyperLogLog (Flajolet et al.,
 * 2007) over 64 registers (about 13 % standard error), so a bucket is 84
 * bytes whatever the member's volume and any window is the registers' max.
 *
 * What it must never do: allocate per event, hold a member's lock while
 * taking another's, learn a baseline from traffic it is judging (the last
 * hour, or traffic near one of the member's own volume or misses alerts), or
 * put an identifier in an alert's summary (summaries go to the nccc and to
 * logs; identifiers stay in the samples).
 */
#include "leak/sentinel.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/config.h"
#include "core/error.h"

#define HLL_BITS          6
#define HLL_M             (1u << HLL_BITS) /* registers */
#define MINUTES           60               /* buckets: one hour */
#define PURPOSES_MAX      8
#define PURPOSE_NAME_MAX  48
#define CANARIES_SEEN_MAX 8
#define MINUTE_MS         60000
#define NO_MINUTE         INT64_MIN

struct bucket {
	int64_t minute; /* NO_MINUTE: empty */
	uint32_t requests;
	uint32_t answered; /* hits and misses: what the share of misses is of */
	uint32_t misses;
	uint8_t hll[HLL_M];
};

struct recent_id {
	int64_t at_ms; /* 0: unused */
	uint64_t coarse, block, number;
	char text[SENTINEL_ID_TEXT_MAX];
};

struct purpose_stat {
	uint64_t hash; /* 0: unused */
	double learned;
	uint32_t hour_count;
	char name[PURPOSE_NAME_MAX];
};

struct canary_seen {
	uint64_t owner;
	int64_t at_ms;
};

struct member_state {
	char id[MEMBER_ID_MAX];
	uint64_t hash;
	int64_t last_seen_ms;
	int64_t first_minute, last_minute;
	struct bucket buckets[MINUTES];

	/* buckets leaving the hour, gathered into aligned 10- and 60-minute blocks */
	int64_t age10_block, age60_block; /* NO_MINUTE: nothing gathered */
	uint32_t age10_requests;
	uint8_t age10_hll[HLL_M], age60_hll[HLL_M];
	/* decaying peaks, as of peak_minute */
	double peak_people10, peak_requests10, peak_people60;
	int64_t peak_minute;
	/* answers and misses, decayed to learned_minute */
	double learned_answered, learned_misses;
	int64_t learned_minute;

	/* per completed aligned hour: hour of day (UTC) and purposes */
	int64_t hour;
	uint32_t hour_requests;
	double hour_hist[24];
	int64_t hist_minute;
	struct purpose_stat purposes[PURPOSES_MAX];

	/* the buckets of the minutes before the current one, merged once a minute */
	uint8_t before10[HLL_M], before60[HLL_M];
	uint32_t before10_requests;

	/* the last answers (hits and misses): at_ms * 2 + 1 for a miss, 0 unused */
	int64_t answers[SENTINEL_ANSWERS];
	unsigned answers_next;

	struct recent_id recent[SENTINEL_RECENT_IDS];
	unsigned recent_next;
	struct canary_seen canaries[CANARIES_SEEN_MAX];
	int64_t alerted_ms[SENTINEL_RULE_COUNT]; /* 0: never */
};

struct shard {
	pthread_mutex_t lock;
	struct member_state **members;
	size_t count;
};

struct sentinel {
	struct sentinel_options o;
	size_t shard_cap;
	double decay_per_minute_log2; /* -1 / (memory_h * 60) */
	struct shard shards[SENTINEL_SHARDS];
	_Atomic unsigned long events;
	_Atomic unsigned long alerts[SENTINEL_RULE_COUNT];
	_Atomic unsigned long evicted;
};

static const char *const rule_names[SENTINEL_RULE_COUNT] = {
    [SENTINEL_RULE_ENUMERATION] = "enumeration", [SENTINEL_RULE_MISSES] = "misses",
    [SENTINEL_RULE_VOLUME] = "volume",           [SENTINEL_RULE_TIME_OF_DAY] = "time_of_day",
    [SENTINEL_RULE_PURPOSE] = "purpose",         [SENTINEL_RULE_CANARY] = "canary",
};

const char *sentinel_rule_name(enum sentinel_rule rule)
{
	return rule < SENTINEL_RULE_COUNT ? rule_names[rule] : "unknown";
}

hr_status sentinel_rules_parse(const char *list, unsigned *mask, struct hr_error *err)
{
	const char *p = list;

	*mask = 0;
	for (;;) {
		size_t n = strcspn(p, ","), len = n;
		const char *start = p;
		int found = -1;

		while (len > 0 && isspace((unsigned char)*start)) {
			start++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)start[len - 1]))
			len--;
		for (int r = 0; r < SENTINEL_RULE_COUNT && len > 0; r++)
			if (strlen(rule_names[r]) == len && strncmp(rule_names[r], start, len) == 0)
				found = r;
		if (len > 0 && found < 0)
			return hr_error_set(err, HR_E_INVALID, "config",
					    "'%.*s' is not a sentinel rule (enumeration, misses, "
					    "volume, time_of_day, purpose, canary)",
					    (int)(len > 40 ? 40 : len), start);
		if (found >= 0)
			*mask |= 1u << found;
		if (p[n] == '\0')
			return HR_OK;
		p += n + 1;
	}
}

void sentinel_options_default(struct sentinel_options *o)
{
	*o = (struct sentinel_options){
	    .rules = SENTINEL_RULES_ALL,
	    .quiet_s = 3600,
	    .max_members = 1024,
	    .enumeration_window_s = 60,
	    .enumeration_block_ids = 10,
	    .enumeration_span_blocks = 50,
	    .enumeration_span_ids = 20,
	    .misses_window_s = 600,
	    .misses_min = 50,
	    .misses_percent = 70,
	    .misses_margin_percent = 25,
	    .volume_factor = 4,
	    .volume_floor_people_10min = 300,
	    .volume_floor_people_hour = 1000,
	    .volume_floor_requests_10min = 6000,
	    .warmup_h = 24,
	    .memory_h = 168,
	    .time_of_day_permille = 1,
	    .time_of_day_min = 100,
	    .time_of_day_warmup_h = 168,
	    .purpose_percent = 1,
	    .purpose_min = 20,
	};
}

/* One integer setting between min and max into *out (of any unsigned or int64 width). */
#define GET(key, min, max, field)                                                                  \
	do {                                                                                       \
		int64_t v_;                                                                        \
		if ((rc = config_get_int(config, section, key, (int64_t)o->field, min, max, &v_,   \
					 err)) != HR_OK)                                           \
			return rc;                                                                 \
		o->field = (__typeof__(o->field))v_;                                               \
	} while (0)

hr_status sentinel_options_from_config(struct config *config, const char *section,
				       struct sentinel_options *o, struct hr_error *err)
{
	const char *rules;
	hr_status rc;

	if ((rc = config_get_str(config, section, "rules", NULL, &rules, err)) != HR_OK)
		return rc;
	if (rules != NULL && (rc = sentinel_rules_parse(rules, &o->rules, err)) != HR_OK) {
		hr_error_prefix(err, "%s.rules", section);
		return rc;
	}
	GET("quiet_s", 1, 7 * 86400, quiet_s);
	GET("max_members", SENTINEL_SHARDS, 1 << 20, max_members);
	GET("enumeration_window_s", 1, 3600, enumeration_window_s);
	GET("enumeration_block_ids", 2, SENTINEL_RECENT_IDS, enumeration_block_ids);
	GET("enumeration_span_blocks", 1, 100000, enumeration_span_blocks);
	GET("enumeration_span_ids", 2, SENTINEL_RECENT_IDS, enumeration_span_ids);
	GET("misses_window_s", 60, 3600, misses_window_s);
	GET("misses_min", 1, SENTINEL_ANSWERS, misses_min);
	GET("misses_percent", 1, 100, misses_percent);
	GET("misses_margin_percent", 0, 100, misses_margin_percent);
	GET("volume_factor", 2, 1000, volume_factor);
	GET("volume_floor_people_10min", 1, 100000000, volume_floor_people_10min);
	GET("volume_floor_people_hour", 1, 100000000, volume_floor_people_hour);
	GET("volume_floor_requests_10min", 1, 100000000, volume_floor_requests_10min);
	GET("warmup_h", 0, 24 * 365, warmup_h);
	GET("memory_h", 1, 24 * 365, memory_h);
	GET("time_of_day_permille", 0, 1000, time_of_day_permille);
	GET("time_of_day_min", 1, 100000000, time_of_day_min);
	GET("time_of_day_warmup_h", 24, 24 * 365, time_of_day_warmup_h);
	GET("purpose_percent", 0, 100, purpose_percent);
	GET("purpose_min", 1, 100000000, purpose_min);
	return HR_OK;
}

#undef GET

/* ---- hashing and HyperLogLog ------------------------------------------- */

/* FNV-1a under a per-engine random seed, then splitmix64's finaliser: the
 * registers a person lands in cannot be chosen by a member who does not
 * know the seed. */
static uint64_t hash_bytes(uint64_t seed, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = UINT64_C(0xcbf29ce484222325) ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	h ^= h >> 30;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64_C(0x94d049bb133111eb);
	return h ^ (h >> 31);
}

static uint64_t hash_text(uint64_t seed, const char *text)
{
	uint64_t h = hash_bytes(seed, text, strlen(text));

	return h != 0 ? h : 1; /* 0 marks an unused slot */
}

static void hll_add(uint8_t hll[HLL_M], uint64_t h)
{
	uint64_t rest = h >> HLL_BITS; /* 58 bits */
	uint8_t rank = rest == 0 ? (uint8_t)(64 - HLL_BITS + 1)
				 : (uint8_t)(__builtin_clzll(rest) - HLL_BITS + 1);
	uint8_t *r = &hll[h & (HLL_M - 1)];

	if (rank > *r)
		*r = rank;
}

static void hll_merge(uint8_t into[HLL_M], const uint8_t from[HLL_M])
{
	for (unsigned i = 0; i < HLL_M; i++)
		if (from[i] > into[i])
			into[i] = from[i];
}

static double inverse_powers[66]; /* 2^-rank; a rank is at most 59 */
static pthread_once_t inverse_powers_once = PTHREAD_ONCE_INIT;

static void inverse_powers_init(void)
{
	for (int k = 0; k < 66; k++)
		inverse_powers[k] = ldexp(1.0, -k);
}

static double hll_estimate(const uint8_t hll[HLL_M])
{
	double sum = 0, estimate;
	unsigned zeros = 0;

	pthread_once(&inverse_powers_once, inverse_powers_init);
	for (unsigned i = 0; i < HLL_M; i++) {
		sum += inverse_powers[hll[i]];
		zeros += hll[i] == 0;
	}
	estimate = 0.709 * HLL_M * HLL_M / sum; /* alpha_64 */
	/* small range: linear counting over the empty registers is the better guess */
	if (estimate <= 2.5 * HLL_M && zeros > 0)
		estimate = HLL_M * log((double)HLL_M / zeros);
	return estimate;
}

/* ---- identifiers ---------------------------------------------------------- */

/* What enumeration compares: ids of one coarse kind, their number, and the
 * block that number falls in (a birth day; a document series' ten thousands). */
struct id_key {
	uint64_t coarse, block, number;
};

static bool digits_value(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return true;
}

/* "UA:" + 10 digits (RNOKPP: 5 digits of birth day, 4 of serial, a check
 * digit) or "PL:" + 11 (PESEL: YYMMDD, 4 of serial, a check digit). The check
 * digit is not checked: a guessed id with a wrong one is still a guess. */
static bool key_of_person(uint64_t seed, const char *id, struct id_key *k)
{
	size_t n = strlen(id);

	if (n == 13 && strncmp(id, "UA:", 3) == 0 && digits_value(id + 3, 10, &k->number)) {
		k->coarse = hash_text(seed, "UA:");
		k->block = k->number / 100000; /* the birth day */
		return true;
	}
	if (n == 14 && strncmp(id, "PL:", 3) == 0 && digits_value(id + 3, 11, &k->number)) {
		k->coarse = hash_text(seed, "PL:");
		k->block = k->number / 100000; /* YYMMDD */
		return true;
	}
	return false;
}

/* A document number's trailing digits (at least 4, at most 18) are its
 * number; the type and everything before them (series letters, leading
 * digits) its coarse kind. */
static bool key_of_document(uint64_t seed, const char *type, const char *number, struct id_key *k)
{
	size_t n = strlen(number), run = 0;
	char coarse[160];

	while (run < n && number[n - 1 - run] >= '0' && number[n - 1 - run] <= '9')
		run++;
	if (run < 4 || n > 100)
		return false;
	if (run > 18)
		run = 18;
	if (!digits_value(number + n - run, run, &k->number))
		return false;
	snprintf(coarse, sizeof(coarse), "%.40s/%.*s", type ? type : "", (int)(n - run), number);
	k->coarse = hash_text(seed, coarse);
	k->block = k->number / 10000;
	return true;
}

/* ---- members ---------------------------------------------------------------- */

static double decayed(const struct sentinel *s, double value, int64_t minutes)
{
	return minutes <= 0 ? value : value * exp2((double)minutes * s->decay_per_minute_log2);
}

/* What one member costs (docs/LEAKS.md says about 16 KB). */
_Static_assert(sizeof(struct member_state) < 18 * 1024, "a member's state grew");

static void member_init(struct member_state *m, const char *id, uint64_t hash, int64_t minute)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->hash = hash;
	m->first_minute = m->last_minute = minute;
	for (int i = 0; i < MINUTES; i++)
		m->buckets[i].minute = NO_MINUTE;
	m->age10_block = m->age60_block = NO_MINUTE;
	m->peak_minute = m->learned_minute = m->hist_minute = minute;
	m->hour = minute / 60;
	m->buckets[minute % MINUTES].minute = minute;
}

static struct shard *shard_of(struct sentinel *s, uint64_t hash)
{
	return &s->shards[(hash >> 32) % SENTINEL_SHARDS];
}

/* Called with the shard's lock held. */
static struct member_state *member_find(struct shard *sh, const char *id, uint64_t hash)
{
	for (size_t i = 0; i < sh->count; i++)
		if (sh->members[i]->hash == hash && strcmp(sh->members[i]->id, id) == 0)
			return sh->members[i];
	return NULL;
}

/* Called with the shard's lock held; NULL only when memory ran out. */
static struct member_state *member_get(struct sentinel *s, struct shard *sh, const char *id,
				       uint64_t hash, int64_t at_ms)
{
	struct member_state *m = member_find(sh, id, hash);
	int64_t minute = at_ms / MINUTE_MS;

	if (m != NULL)
		return m;
	if (sh->count == s->shard_cap) {
		/* full: the member seen least recently makes room (its baseline goes) */
		size_t oldest = 0;

		for (size_t i = 1; i < sh->count; i++)
			if (sh->members[i]->last_seen_ms < sh->members[oldest]->last_seen_ms)
				oldest = i;
		m = sh->members[oldest];
		sh->members[oldest] = sh->members[--sh->count];
		atomic_fetch_add(&s->evicted, 1);
	} else if ((m = malloc(sizeof(*m))) == NULL) {
		return NULL;
	}
	member_init(m, id, hash, minute);
	m->last_seen_ms = at_ms;
	sh->members[sh->count++] = m;
	return m;
}

/* ---- learning ------------------------------------------------------------------ */

/* Near one of the member's own alerts of rule: traffic from then is not learned. */
static bool guarded(const struct sentinel *s, const struct member_state *m, enum sentinel_rule rule,
		    int64_t minute)
{
	int64_t at = m->alerted_ms[rule], t = minute * MINUTE_MS;

	return at != 0 && llabs(t - at) < s->o.quiet_s * 1000 + 60 * MINUTE_MS;
}

static void peaks_decay_to(const struct sentinel *s, struct member_state *m, int64_t minute)
{
	int64_t d = minute - m->peak_minute;

	if (d <= 0)
		return;
	m->peak_people10 = decayed(s, m->peak_people10, d);
	m->peak_requests10 = decayed(s, m->peak_requests10, d);
	m->peak_people60 = decayed(s, m->peak_people60, d);
	m->peak_minute = minute;
}

static void learn10(const struct sentinel *s, struct member_state *m, int64_t end_minute,
		    double people, double requests)
{
	if (guarded(s, m, SENTINEL_RULE_VOLUME, end_minute))
		return;
	peaks_decay_to(s, m, end_minute);
	if (people > m->peak_people10)
		m->peak_people10 = people;
	if (requests > m->peak_requests10)
		m->peak_requests10 = requests;
}

static void learn60(const struct sentinel *s, struct member_state *m, int64_t end_minute,
		    double people)
{
	if (guarded(s, m, SENTINEL_RULE_VOLUME, end_minute))
		return;
	peaks_decay_to(s, m, end_minute);
	if (people > m->peak_people60)
		m->peak_people60 = people;
}

static void finish_age10(const struct sentinel *s, struct member_state *m)
{
	if (m->age10_block != NO_MINUTE)
		learn10(s, m, m->age10_block * 10 + 9, hll_estimate(m->age10_hll),
			m->age10_requests);
	m->age10_block = NO_MINUTE;
	m->age10_requests = 0;
	memset(m->age10_hll, 0, sizeof(m->age10_hll));
}

static void finish_age60(const struct sentinel *s, struct member_state *m)
{
	if (m->age60_block != NO_MINUTE)
		learn60(s, m, m->age60_block * 60 + 59, hll_estimate(m->age60_hll));
	m->age60_block = NO_MINUTE;
	memset(m->age60_hll, 0, sizeof(m->age60_hll));
}

/* A bucket leaves the hour: what it held becomes part of the baselines. */
static void learn_bucket(const struct sentinel *s, struct member_state *m, const struct bucket *b)
{
	if (b->minute / 10 != m->age10_block) {
		finish_age10(s, m);
		m->age10_block = b->minute / 10;
	}
	hll_merge(m->age10_hll, b->hll);
	m->age10_requests += b->requests;
	if (b->minute / 60 != m->age60_block) {
		finish_age60(s, m);
		m->age60_block = b->minute / 60;
	}
	hll_merge(m->age60_hll, b->hll);
	if (!guarded(s, m, SENTINEL_RULE_MISSES, b->minute) &&
	    !guarded(s, m, SENTINEL_RULE_ENUMERATION, b->minute)) {
		int64_t d = b->minute - m->learned_minute;

		if (d > 0) {
			m->learned_answered = decayed(s, m->learned_answered, d);
			m->learned_misses = decayed(s, m->learned_misses, d);
			m->learned_minute = b->minute;
		}
		m->learned_answered += b->answered;
		m->learned_misses += b->misses;
	}
}

/* The aligned hour is over: its requests join the hour-of-day histogram and
 * its purposes their learned counts. */
static void finish_hour(const struct sentinel *s, struct member_state *m, int64_t now_minute)
{
	int64_t d = m->hour * 60 + 59 - m->hist_minute;

	if (d > 0) {
		for (int h = 0; h < 24; h++)
			m->hour_hist[h] = decayed(s, m->hour_hist[h], d);
		for (int p = 0; p < PURPOSES_MAX; p++)
			m->purposes[p].learned = decayed(s, m->purposes[p].learned, d);
		m->hist_minute = m->hour * 60 + 59;
	}
	m->hour_hist[m->hour % 24] += m->hour_requests;
	for (int p = 0; p < PURPOSES_MAX; p++) {
		m->purposes[p].learned += m->purposes[p].hour_count;
		m->purposes[p].hour_count = 0;
	}
	m->hour_requests = 0;
	m->hour = now_minute / 60;
}

struct windows {
	double people10, people60, requests10;
};

/* The buckets before minute (ages 1-9 and 1-59), merged: done once a minute
 * so an event merges only its own bucket in. */
static void merge_before(struct member_state *m, int64_t minute)
{
	memset(m->before10, 0, sizeof(m->before10));
	memset(m->before60, 0, sizeof(m->before60));
	m->before10_requests = 0;
	for (int i = 0; i < MINUTES; i++) {
		const struct bucket *b = &m->buckets[i];
		int64_t age;

		if (b->minute == NO_MINUTE || (age = minute - b->minute) <= 0 || age >= MINUTES)
			continue;
		hll_merge(m->before60, b->hll);
		if (age < 10) {
			hll_merge(m->before10, b->hll);
			m->before10_requests += b->requests;
		}
	}
}

/* The windows ending with the member's current minute. */
static void windows_of(const struct member_state *m, struct windows *w)
{
	const struct bucket *b = &m->buckets[m->last_minute % MINUTES];
	uint8_t hll10[HLL_M], hll60[HLL_M];

	memcpy(hll10, m->before10, HLL_M);
	memcpy(hll60, m->before60, HLL_M);
	hll_merge(hll10, b->hll);
	hll_merge(hll60, b->hll);
	w->people10 = hll_estimate(hll10);
	w->people60 = hll_estimate(hll60);
	w->requests10 = (double)m->before10_requests + b->requests;
}

static bool warm(const struct sentinel *s, const struct member_state *m, int64_t minute)
{
	return minute - m->first_minute >= s->o.warmup_h * 60;
}

/* Time moves on to minute: buckets that leave the hour are learned, a member
 * still warming up learns its level from the minute that just ended, an
 * aligned hour that ended is learned, and minute's bucket is made ready. */
static void advance(const struct sentinel *s, struct member_state *m, int64_t minute)
{
	struct bucket *current;

	if (minute <= m->last_minute)
		return;
	if (!warm(s, m, m->last_minute)) {
		struct windows w;

		windows_of(m, &w);
		learn10(s, m, m->last_minute, w.people10, w.requests10);
		learn60(s, m, m->last_minute, w.people60);
	}
	for (int64_t t = m->last_minute - (MINUTES - 1);
	     t <= m->last_minute && t <= minute - MINUTES; t++) {
		struct bucket *b = &m->buckets[((t % MINUTES) + MINUTES) % MINUTES];

		if (b->minute == t) {
			learn_bucket(s, m, b);
			b->minute = NO_MINUTE;
		}
	}
	if (minute / 60 != m->hour)
		finish_hour(s, m, minute);
	current = &m->buckets[minute % MINUTES];
	memset(current, 0, sizeof(*current));
	current->minute = minute;
	m->last_minute = minute;
	merge_before(m, minute);
}

/* ---- alerts ------------------------------------------------------------------------- */

static bool quiet(const struct sentinel *s, const struct member_state *m, enum sentinel_rule rule,
		  int64_t at_ms)
{
	return m->alerted_ms[rule] != 0 && at_ms - m->alerted_ms[rule] < s->o.quiet_s * 1000;
}

static struct sentinel_alert *alert_begin(struct sentinel *s, struct member_state *m,
					  enum sentinel_rule rule, int64_t at_ms,
					  struct sentinel_alert *alerts, size_t *n, size_t max)
{
	struct sentinel_alert *a;

	if (*n >= max || !(s->o.rules & (1u << rule)) || quiet(s, m, rule, at_ms))
		return NULL;
	a = &alerts[(*n)++];
	memset(a, 0, sizeof(*a));
	a->rule = rule;
	a->at_ms = at_ms;
	snprintf(a->member, sizeof(a->member), "%s", m->id);
	m->alerted_ms[rule] = at_ms;
	atomic_fetch_add(&s->alerts[rule], 1);
	return a;
}

static void alert_number(struct sentinel_alert *a, const char *name, double value)
{
	if (a->number_count < SENTINEL_NUMBERS)
		a->numbers[a->number_count++] = (struct sentinel_number){name, value};
}

static void alert_sample(struct sentinel_alert *a, const char *text)
{
	if (a->sample_count < SENTINEL_SAMPLES)
		snprintf(a->samples[a->sample_count++], SENTINEL_ID_TEXT_MAX, "%s", text);
}

/* ---- the rules ------------------------------------------------------------------------ */

/* Remembers the identifier (once per window) and counts its neighbours. */
static void rule_enumeration(struct sentinel *s, struct member_state *m, const struct id_key *k,
			     const char *text, int64_t at_ms, struct sentinel_alert *alerts,
			     size_t *n, size_t max)
{
	int64_t window_ms = s->o.enumeration_window_s * 1000;
	unsigned in_block = 0, in_span = 0;
	struct recent_id *found = NULL;
	struct sentinel_alert *a;
	bool by_block;

	for (unsigned i = 0; i < SENTINEL_RECENT_IDS; i++) {
		struct recent_id *r = &m->recent[i];

		if (r->at_ms != 0 && at_ms - r->at_ms < window_ms && r->coarse == k->coarse &&
		    r->number == k->number)
			found = r;
	}
	if (found != NULL) {
		found->at_ms = at_ms > found->at_ms ? at_ms : found->at_ms;
	} else {
		struct recent_id *r = &m->recent[m->recent_next];

		m->recent_next = (m->recent_next + 1) % SENTINEL_RECENT_IDS;
		*r = (struct recent_id){at_ms, k->coarse, k->block, k->number, ""};
		snprintf(r->text, sizeof(r->text), "%s", text);
	}
	for (unsigned i = 0; i < SENTINEL_RECENT_IDS; i++) {
		const struct recent_id *r = &m->recent[i];
		uint64_t distance;

		if (r->at_ms == 0 || at_ms - r->at_ms >= window_ms || r->coarse != k->coarse)
			continue;
		distance = r->block > k->block ? r->block - k->block : k->block - r->block;
		in_block += r->block == k->block;
		in_span += distance <= s->o.enumeration_span_blocks;
	}
	by_block = in_block >= s->o.enumeration_block_ids;
	if (!by_block && in_span < s->o.enumeration_span_ids)
		return;
	if ((a = alert_begin(s, m, SENTINEL_RULE_ENUMERATION, at_ms, alerts, n, max)) == NULL)
		return;
	if (by_block)
		snprintf(a->summary, sizeof(a->summary),
			 "%s asked about %u distinct identifiers of one block (one birth day, or "
			 "one document series and its leading digits) within %lld s; the rule's "
			 "threshold is %u",
			 m->id, in_block, (long long)s->o.enumeration_window_s,
			 s->o.enumeration_block_ids);
	else
		snprintf(a->summary, sizeof(a->summary),
			 "%s asked about %u distinct identifiers within %llu blocks either side "
			 "(birth days, or ten thousands of document numbers) within %lld s; the "
			 "rule's threshold is %u",
			 m->id, in_span, (unsigned long long)s->o.enumeration_span_blocks,
			 (long long)s->o.enumeration_window_s, s->o.enumeration_span_ids);
	alert_number(a, "ids_in_block", in_block);
	alert_number(a, "block_threshold", s->o.enumeration_block_ids);
	alert_number(a, "ids_in_span", in_span);
	alert_number(a, "span_blocks", (double)s->o.enumeration_span_blocks);
	alert_number(a, "span_threshold", s->o.enumeration_span_ids);
	alert_number(a, "window_s", (double)s->o.enumeration_window_s);
	/* the newest neighbours first */
	for (unsigned i = 0; i < SENTINEL_RECENT_IDS && a->sample_count < SENTINEL_SAMPLES; i++) {
		const struct recent_id *r =
		    &m->recent[(m->recent_next + SENTINEL_RECENT_IDS - 1 - i) %
			       SENTINEL_RECENT_IDS];

		if (r->at_ms != 0 && at_ms - r->at_ms < window_ms && r->coarse == k->coarse &&
		    (by_block ? r->block == k->block
			      : (r->block > k->block ? r->block - k->block : k->block - r->block) <=
				    s->o.enumeration_span_blocks))
			alert_sample(a, r->text);
	}
}

/* Counts the member's last answers within misses_window_s. */
static void answers_count(const struct sentinel *s, const struct member_state *m, int64_t at_ms,
			  unsigned *answered, unsigned *misses)
{
	*answered = *misses = 0;
	for (unsigned i = 0; i < SENTINEL_ANSWERS; i++) {
		int64_t a = m->answers[i];

		if (a != 0 && at_ms - a / 2 < s->o.misses_window_s * 1000) {
			(*answered)++;
			*misses += (unsigned)(a & 1);
		}
	}
}

static void rule_misses(struct sentinel *s, struct member_state *m, int64_t minute, int64_t at_ms,
			struct sentinel_alert *alerts, size_t *n, size_t max)
{
	double threshold = s->o.misses_percent, learned = -1;
	double cap = s->o.misses_percent > 95 ? s->o.misses_percent : 95;
	struct sentinel_alert *a;
	unsigned answered, misses;

	answers_count(s, m, at_ms, &answered, &misses);
	if (answered < s->o.misses_min)
		return;
	if (warm(s, m, minute) && m->learned_answered >= 100) {
		/* a member that misses often by its nature is judged against itself */
		learned = 100.0 * m->learned_misses / m->learned_answered;
		if (learned + s->o.misses_margin_percent > threshold)
			threshold = learned + s->o.misses_margin_percent;
		if (threshold > cap)
			threshold = cap;
	}
	if (100.0 * misses < threshold * answered)
		return;
	if ((a = alert_begin(s, m, SENTINEL_RULE_MISSES, at_ms, alerts, n, max)) == NULL)
		return;
	snprintf(a->summary, sizeof(a->summary),
		 "%s: %u of its last %u answered requests (within %lld s) were misses (%.0f%%; "
		 "the rule's threshold is %.0f%%%s)",
		 m->id, misses, answered, (long long)s->o.misses_window_s,
		 100.0 * misses / answered, threshold,
		 learned >= 0 ? ", from its learned share" : "");
	alert_number(a, "misses", misses);
	alert_number(a, "answered", answered);
	alert_number(a, "threshold_percent", threshold);
	alert_number(a, "learned_percent", learned);
	alert_number(a, "window_s", (double)s->o.misses_window_s);
}

static void rule_volume(struct sentinel *s, struct member_state *m, const struct windows *w,
			int64_t minute, int64_t at_ms, struct sentinel_alert *alerts, size_t *n,
			size_t max)
{
	int64_t d = minute - m->peak_minute;
	double peak10 = decayed(s, m->peak_people10, d), peak60 = decayed(s, m->peak_people60, d);
	double peakr = decayed(s, m->peak_requests10, d);
	double base10 =
	    peak10 > s->o.volume_floor_people_10min ? peak10 : s->o.volume_floor_people_10min;
	double base60 =
	    peak60 > s->o.volume_floor_people_hour ? peak60 : s->o.volume_floor_people_hour;
	double baser =
	    peakr > s->o.volume_floor_requests_10min ? peakr : s->o.volume_floor_requests_10min;
	double factor = s->o.volume_factor;
	const char *what, *window;
	double value, base, peak, floor_value;
	struct sentinel_alert *a;

	if (w->people10 > factor * base10) {
		what = "distinct people", window = "10 minutes", value = w->people10;
		base = base10, peak = peak10, floor_value = s->o.volume_floor_people_10min;
	} else if (w->people60 > factor * base60) {
		what = "distinct people", window = "an hour", value = w->people60;
		base = base60, peak = peak60, floor_value = s->o.volume_floor_people_hour;
	} else if (w->requests10 > factor * baser) {
		what = "requests", window = "10 minutes", value = w->requests10;
		base = baser, peak = peakr, floor_value = s->o.volume_floor_requests_10min;
	} else {
		return;
	}
	if ((a = alert_begin(s, m, SENTINEL_RULE_VOLUME, at_ms, alerts, n, max)) == NULL)
		return;
	snprintf(a->summary, sizeof(a->summary),
		 "%s made about %.0f %s within %s, over %u times its baseline of %.0f (its "
		 "learned peak %.0f, the floor %.0f%s)",
		 m->id, value, what, window, s->o.volume_factor, base, peak, floor_value,
		 warm(s, m, minute) ? "" : "; still warming up");
	alert_number(a, "value", value);
	alert_number(a, "baseline", base);
	alert_number(a, "learned_peak", peak);
	alert_number(a, "floor", floor_value);
	alert_number(a, "factor", factor);
	alert_number(a, "people_10min", w->people10);
	alert_number(a, "people_hour", w->people60);
	alert_number(a, "requests_10min", w->requests10);
}

static void rule_time_of_day(struct sentinel *s, struct member_state *m, int64_t minute,
			     int64_t at_ms, struct sentinel_alert *alerts, size_t *n, size_t max)
{
	double total = 0, share;
	int hour = (int)(m->hour % 24);
	struct sentinel_alert *a;

	if (minute - m->first_minute < s->o.time_of_day_warmup_h * 60 ||
	    m->hour_requests < s->o.time_of_day_min)
		return;
	for (int h = 0; h < 24; h++)
		total += m->hour_hist[h];
	if (total <= 0)
		return;
	share = m->hour_hist[hour] / total;
	if (share * 1000.0 >= s->o.time_of_day_permille)
		return;
	if ((a = alert_begin(s, m, SENTINEL_RULE_TIME_OF_DAY, at_ms, alerts, n, max)) == NULL)
		return;
	snprintf(a->summary, sizeof(a->summary),
		 "%s made %u requests in the hour from %02d:00 UTC, an hour that carried %.2f%% "
		 "of its learned traffic (the rule's threshold is %u per mille)",
		 m->id, m->hour_requests, hour, 100.0 * share, s->o.time_of_day_permille);
	alert_number(a, "requests_this_hour", m->hour_requests);
	alert_number(a, "hour_utc", hour);
	alert_number(a, "learned_share_permille", 1000.0 * share);
	alert_number(a, "threshold_permille", s->o.time_of_day_permille);
}

static struct purpose_stat *purpose_get(struct sentinel *s, struct member_state *m,
					const char *purpose)
{
	uint64_t h = hash_text(s->o.hash_seed, purpose);
	struct purpose_stat *least = &m->purposes[0];

	for (int p = 0; p < PURPOSES_MAX; p++) {
		struct purpose_stat *ps = &m->purposes[p];

		if (ps->hash == h)
			return ps;
		if (ps->hash == 0 || (least->hash != 0 && ps->learned + ps->hour_count <
							      least->learned + least->hour_count))
			least = ps;
	}
	/* a new purpose, in place of the least used one when all are taken */
	memset(least, 0, sizeof(*least));
	least->hash = h;
	snprintf(least->name, sizeof(least->name), "%s", purpose);
	return least;
}

static void rule_purpose(struct sentinel *s, struct member_state *m, struct purpose_stat *p,
			 int64_t minute, int64_t at_ms, struct sentinel_alert *alerts, size_t *n,
			 size_t max)
{
	double total = 0;
	struct sentinel_alert *a;

	if (!warm(s, m, minute) || p->hour_count < s->o.purpose_min)
		return;
	for (int i = 0; i < PURPOSES_MAX; i++)
		total += m->purposes[i].learned;
	if (total <= 0 || p->learned * 100.0 >= s->o.purpose_percent * total)
		return;
	if ((a = alert_begin(s, m, SENTINEL_RULE_PURPOSE, at_ms, alerts, n, max)) == NULL)
		return;
	snprintf(a->summary, sizeof(a->summary),
		 "%s made %u requests this hour for purpose '%s', which carried %.2f%% of its "
		 "learned traffic (the rule's threshold is %u%%)",
		 m->id, p->hour_count, p->name, 100.0 * p->learned / total, s->o.purpose_percent);
	alert_number(a, "requests_this_hour", p->hour_count);
	alert_number(a, "learned_share_percent", 100.0 * p->learned / total);
	alert_number(a, "threshold_percent", s->o.purpose_percent);
}

/* ---- the engine -------------------------------------------------------------------------- */

hr_status sentinel_new(const struct sentinel_options *o, struct sentinel **out,
		       struct hr_error *err)
{
	struct sentinel *s;

	*out = NULL;
	if (o->max_members < SENTINEL_SHARDS || o->quiet_s <= 0 || o->memory_h <= 0 ||
	    o->enumeration_window_s <= 0 || o->misses_window_s <= 0 || o->misses_window_s > 3600 ||
	    o->volume_factor < 1 || o->warmup_h < 0)
		return hr_error_set(err, HR_E_INVALID, "config",
				    "sentinel settings out of range (docs/LEAKS.md)");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, "sentinel", "out of memory");
	s->o = *o;
	while (s->o.hash_seed == 0)
		if (RAND_bytes((unsigned char *)&s->o.hash_seed, sizeof(s->o.hash_seed)) != 1) {
			free(s);
			return hr_error_set(err, HR_E_CRYPTO, "sentinel", "no random seed");
		}
	s->shard_cap = (o->max_members + SENTINEL_SHARDS - 1) / SENTINEL_SHARDS;
	s->decay_per_minute_log2 = -1.0 / ((double)o->memory_h * 60.0);
	for (int i = 0; i < SENTINEL_SHARDS; i++) {
		pthread_mutex_init(&s->shards[i].lock, NULL);
		s->shards[i].members = calloc(s->shard_cap, sizeof(*s->shards[i].members));
		if (s->shards[i].members == NULL) {
			sentinel_free(s);
			return hr_error_set(err, HR_E_NOMEM, "sentinel", "out of memory");
		}
	}
	*out = s;
	return HR_OK;
}

void sentinel_free(struct sentinel *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < SENTINEL_SHARDS; i++) {
		for (size_t j = 0; j < s->shards[i].count; j++)
			free(s->shards[i].members[j]);
		free(s->shards[i].members);
		pthread_mutex_destroy(&s->shards[i].lock);
	}
	free(s);
}

size_t sentinel_observe(struct sentinel *s, const struct sentinel_event *e,
			struct sentinel_alert *alerts, size_t max)
{
	uint64_t hash;
	struct shard *sh;
	struct member_state *m;
	struct bucket *b;
	struct windows w;
	struct id_key key;
	const char *key_text = NULL;
	int64_t minute;
	size_t n = 0;

	if (e->client == NULL || e->at_ms <= 0)
		return 0;
	atomic_fetch_add(&s->events, 1);
	hash = hash_text(s->o.hash_seed, e->client);
	sh = shard_of(s, hash);
	pthread_mutex_lock(&sh->lock);
	if ((m = member_get(s, sh, e->client, hash, e->at_ms)) == NULL)
		goto done;
	/* a late event (another thread's) counts as the member's newest minute */
	minute = e->at_ms / MINUTE_MS;
	if (minute < m->last_minute)
		minute = m->last_minute;
	if (e->at_ms > m->last_seen_ms)
		m->last_seen_ms = e->at_ms;
	advance(s, m, minute);

	b = &m->buckets[minute % MINUTES];
	assert(b->minute == minute);
	b->requests++;
	m->hour_requests++;
	if (e->outcome == SENTINEL_HIT || e->outcome == SENTINEL_MISS) {
		b->answered++;
		m->answers[m->answers_next] = e->at_ms * 2 + (e->outcome == SENTINEL_MISS);
		m->answers_next = (m->answers_next + 1) % SENTINEL_ANSWERS;
	}
	if (e->outcome == SENTINEL_MISS)
		b->misses++;
	/* whom it was about: the person, or the document when no holder is known */
	if (e->person != NULL)
		hll_add(b->hll, hash_text(s->o.hash_seed, e->person));
	else if (e->document_number != NULL)
		hll_add(b->hll,
			hash_bytes(s->o.hash_seed, e->document_number, strlen(e->document_number)) ^
			    hash_text(s->o.hash_seed, e->document_type ? e->document_type : ""));

	if (e->person != NULL && e->person_named && key_of_person(s->o.hash_seed, e->person, &key))
		key_text = e->person;
	else if (e->document_number != NULL &&
		 key_of_document(s->o.hash_seed, e->document_type, e->document_number, &key))
		key_text = e->document_number;
	if (key_text != NULL && (s->o.rules & (1u << SENTINEL_RULE_ENUMERATION)))
		rule_enumeration(s, m, &key, key_text, e->at_ms, alerts, &n, max);

	windows_of(m, &w);
	rule_misses(s, m, minute, e->at_ms, alerts, &n, max);
	rule_volume(s, m, &w, minute, e->at_ms, alerts, &n, max);
	rule_time_of_day(s, m, minute, e->at_ms, alerts, &n, max);
	if (e->purpose != NULL) {
		struct purpose_stat *p = purpose_get(s, m, e->purpose);

		p->hour_count++;
		rule_purpose(s, m, p, minute, e->at_ms, alerts, &n, max);
	}
done:
	pthread_mutex_unlock(&sh->lock);
	return n;
}

bool sentinel_canary(struct sentinel *s, int64_t at_ms, const char *requester, const char *owner,
		     const char *canary, const char *identifier, struct sentinel_alert *alert)
{
	uint64_t hash = hash_text(s->o.hash_seed, requester);
	uint64_t owner_hash = hash_text(s->o.hash_seed, owner);
	struct shard *sh = shard_of(s, hash);
	struct canary_seen *slot = NULL;
	struct member_state *m;
	bool news = false;

	if (!(s->o.rules & (1u << SENTINEL_RULE_CANARY)))
		return false;
	pthread_mutex_lock(&sh->lock);
	if ((m = member_get(s, sh, requester, hash, at_ms)) == NULL)
		goto done;
	for (int i = 0; i < CANARIES_SEEN_MAX; i++) {
		struct canary_seen *c = &m->canaries[i];

		if (c->owner == owner_hash) {
			slot = c;
			break;
		}
		if (slot == NULL || c->at_ms < slot->at_ms)
			slot = c; /* empty (0) or the oldest */
	}
	if (slot->owner == owner_hash && at_ms - slot->at_ms < s->o.quiet_s * 1000)
		goto done;
	*slot = (struct canary_seen){owner_hash, at_ms};
	news = true;
	memset(alert, 0, sizeof(*alert));
	alert->rule = SENTINEL_RULE_CANARY;
	alert->at_ms = at_ms;
	snprintf(alert->member, sizeof(alert->member), "%s", requester);
	snprintf(alert->other, sizeof(alert->other), "%s", owner);
	snprintf(alert->summary, sizeof(alert->summary),
		 "%s asked about canary %.64s, which was served only to %s: someone is using "
		 "data that leaked from %s",
		 requester, canary, owner, owner);
	alert_sample(alert, identifier);
	m->alerted_ms[SENTINEL_RULE_CANARY] = at_ms;
	atomic_fetch_add(&s->alerts[SENTINEL_RULE_CANARY], 1);
done:
	pthread_mutex_unlock(&sh->lock);
	return news;
}

bool sentinel_forget(struct sentinel *s, const char *member)
{
	uint64_t hash = hash_text(s->o.hash_seed, member);
	struct shard *sh = shard_of(s, hash);
	struct member_state *m;

	pthread_mutex_lock(&sh->lock);
	if ((m = member_find(sh, member, hash)) != NULL) {
		/* the evidence is dropped unlearned: it may have been an attack */
		for (int i = 0; i < MINUTES; i++) {
			memset(&m->buckets[i], 0, sizeof(m->buckets[i]));
			m->buckets[i].minute = NO_MINUTE;
		}
		m->buckets[m->last_minute % MINUTES].minute = m->last_minute;
		merge_before(m, m->last_minute);
		memset(m->answers, 0, sizeof(m->answers));
		memset(m->recent, 0, sizeof(m->recent));
		memset(m->canaries, 0, sizeof(m->canaries));
		memset(m->alerted_ms, 0, sizeof(m->alerted_ms));
		m->hour_requests = 0;
		for (int p = 0; p < PURPOSES_MAX; p++)
			m->purposes[p].hour_count = 0;
	}
	pthread_mutex_unlock(&sh->lock);
	return m != NULL;
}

void sentinel_stats(struct sentinel *s, struct sentinel_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->events = atomic_load(&s->events);
	out->evicted = atomic_load(&s->evicted);
	for (int r = 0; r < SENTINEL_RULE_COUNT; r++)
		out->alerts[r] = atomic_load(&s->alerts[r]);
	for (int i = 0; i < SENTINEL_SHARDS; i++) {
		pthread_mutex_lock(&s->shards[i].lock);
		out->members += s->shards[i].count;
		pthread_mutex_unlock(&s->shards[i].lock);
	}
}
