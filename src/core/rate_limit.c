/*
 * rate_limit.c — a 4-way set-associative table of token buckets. A key hashes to
 * a set; it takes its slot there or evicts the set's least recently used slot.
 * An evicted client starts again with a full bucket, which errs on the side of
 * serving: the limiter protects capacity, it is not an authorisation check.
 */
#include "core/rate_limit.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WAYS    4
#define SETS    1024 /* power of two */
#define STRIPES 64   /* locks; each guards SETS / STRIPES sets */

/* Refills are summed in floating point: ten refills of 0.1 make 0.9999999999999999.
 * A client that waited exactly as long as it was told must not be refused for that. */
#define TOKEN_EPSILON 1e-9

struct bucket {
	uint8_t key[RATE_LIMIT_KEY_MAX];
	uint8_t key_len; /* 0 = empty slot */
	double tokens;
	uint64_t last_us;
};

struct rate_limiter {
	double per_second;
	double burst;
	pthread_mutex_t locks[STRIPES];
	struct bucket buckets[SETS][WAYS];
};

struct rate_limiter *rate_limiter_new(double per_second, unsigned burst)
{
	struct rate_limiter *l;

	if (!(per_second > 0) || burst == 0)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->per_second = per_second;
	l->burst = burst;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&l->locks[i], NULL);
	return l;
}

void rate_limiter_free(struct rate_limiter *limiter)
{
	if (limiter == NULL)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&limiter->locks[i]);
	free(limiter);
}

/* FNV-1a: keys are short and not attacker-chosen in a way that matters here
 * (a collision only shares a set, never a bucket). */
static uint32_t hash_key(const uint8_t *key, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

bool rate_limiter_take(struct rate_limiter *limiter, const void *key, size_t key_len,
		       uint64_t now_us, unsigned *retry_after_s)
{
	struct bucket *set, *b = NULL;
	uint32_t s;
	bool allowed;

	if (key_len == 0)
		return true; /* nothing to tell clients apart by */
	if (key_len > RATE_LIMIT_KEY_MAX)
		key_len = RATE_LIMIT_KEY_MAX;
	s = hash_key(key, key_len) & (SETS - 1);
	set = limiter->buckets[s];
	pthread_mutex_lock(&limiter->locks[s % STRIPES]);
	for (int w = 0; w < WAYS; w++) {
		if (set[w].key_len == key_len && memcmp(set[w].key, key, key_len) == 0) {
			b = &set[w];
			break;
		}
	}
	if (b == NULL) {
		b = &set[0];
		for (int w = 1; w < WAYS; w++) {
			if (set[w].key_len == 0 || set[w].last_us < b->last_us)
				b = &set[w];
			if (b->key_len == 0)
				break;
		}
		memcpy(b->key, key, key_len);
		b->key_len = (uint8_t)key_len;
		b->tokens = limiter->burst;
		b->last_us = now_us;
	}
	/* Time only moves forward: a thread that read the clock before another but
	 * took the lock after it must not move last_us back (the interval would then
	 * be refilled twice). */
	if (now_us > b->last_us) {
		b->tokens += (double)(now_us - b->last_us) / 1e6 * limiter->per_second;
		if (b->tokens > limiter->burst)
			b->tokens = limiter->burst;
		b->last_us = now_us;
	}
	allowed = b->tokens >= 1.0 - TOKEN_EPSILON;
	if (allowed) {
		b->tokens -= 1.0;
	} else if (retry_after_s != NULL) {
		double wait = ceil((1.0 - b->tokens) / limiter->per_second);

		if (wait < 1)
			*retry_after_s = 1;
		else if (wait >= (double)UINT_MAX)
			*retry_after_s = UINT_MAX; /* a very slow rate: saturate, never wrap */
		else
			*retry_after_s = (unsigned)wait;
	}
	pthread_mutex_unlock(&limiter->locks[s % STRIPES]);
	return allowed;
}
