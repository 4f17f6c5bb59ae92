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
 * mutex guards the table; the hashes are computed outside it.
 *
 * Fair shares (review H4: one member signing ~4 300 requests a second filled
 * the whole record for a minute, and every other member was refused). Each
 * slot names the owner it is charged to, as an index into a fixed owner table,
 * and each owner counts its slots. The invariant (asserted where a count
 * drops, re-established from scratch by every sweep):
 *
 *	owners[o].live == the number of slots with expires_at != 0 and owner o
 *
 * A slot counts until it is found expired and released (expires_at = 0). Scans
 * release the expired slots of the two sets they look at, but a slot in a set
 * nobody looks at stays counted after it expired, so a count may overstate
 * what its owner really holds, never understate it. When an owner reaches its
 * share, the whole table is swept — every expired slot released, every count
 * recomputed from the slots — before it is refused. Sweeping costs a pass over
 * the table (under half a millisecond at 2^18), so at most one sweep runs per
 * second of now: a second one in the same second could find nothing the first
 * missed (nothing expires in between, and nothing already expired is stored),
 * and an owner held at its share cannot make every request sweep.
 *
 * The owner table is open addressing over 2 * REPLAY_OWNERS_MAX places, keyed
 * by SHA-256(salt || owner), never more than half full, so a lookup ends after
 * a few probes. Places are never given back: owners are authenticated names
 * (members of a directory), a few dozen, not something a stranger can mint.
 * Once REPLAY_OWNERS_MAX owners have been seen, every further owner is charged
 * to one shared bucket, "other", with the same share: newcomers then crowd only
 * each other, the owners already known keep their room, and memory stays what
 * it was at creation.
 *
 * What fairness does not give: k owners acting together hold k shares (two
 * flooding owners at the default half can fill the record between them). The
 * share protects everyone from any one owner, which is the finding.
 *
 * Never: store the identifier itself, grow the table, evict a live entry, or
 * let an owner past its share while its count is exact.
 */
#include "exchange/replay.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/digest.h"
#include "exchange/replay_store.h"

#define REPLAY_WAYS 16
/* 2^26 identifiers is 3 GiB of table: beyond any sane configuration. */
#define REPLAY_CAPACITY_MAX ((size_t)1 << 26)
/* 30 of SHA-256's 32 bytes: 240 salted bits are still far beyond any chance
 * collision, and the owner index fits where the last two bytes were, so a slot
 * stays 40 bytes. */
#define REPLAY_HASH_KEPT 30

#define REPLAY_OWNER_PLACES (2 * REPLAY_OWNERS_MAX) /* a power of two */
#define REPLAY_OWNER_OTHER  REPLAY_OWNER_PLACES     /* the shared bucket, after the places */
#define REPLAY_OWNER_NONE   UINT16_MAX              /* an identifier charged to nobody */

struct replay_slot {
	uint8_t hash[REPLAY_HASH_KEPT];
	uint16_t owner;     /* index into owners[], or REPLAY_OWNER_NONE */
	int64_t expires_at; /* live while now < expires_at; 0 in a free slot */
};

_Static_assert(sizeof(struct replay_slot) == 40, "a slot is 40 bytes");
_Static_assert((REPLAY_OWNER_PLACES & (REPLAY_OWNER_PLACES - 1)) == 0, "places: a power of two");
_Static_assert(REPLAY_OWNER_OTHER < REPLAY_OWNER_NONE, "owner indexes fit a slot");

struct replay_owner {
	uint8_t hash[32]; /* SHA-256(salt || owner) */
	bool used;
	uint32_t live; /* slots charged to this owner (see the invariant above) */
};

struct replay_cache {
	pthread_mutex_t lock;
	size_t sets;
	struct replay_slot *slots;
	uint8_t salt[32];
	uint32_t owner_share;       /* the most slots one owner (or "other") may hold */
	size_t owner_count;         /* places used, at most REPLAY_OWNERS_MAX */
	int64_t swept_at;           /* now at the last sweep; INT64_MIN before the first */
	struct replay_store *store; /* NULL: memory only */
	struct replay_owner owners[REPLAY_OWNER_PLACES + 1]; /* the places, then "other" */
};

struct replay_cache *replay_cache_new_fair(size_t capacity, size_t owner_share)
{
	struct replay_cache *c;
	size_t sets;

	if (capacity > REPLAY_CAPACITY_MAX || owner_share == 0)
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
	/* more than the table holds would mean no limit: the table is the limit */
	if (owner_share > sets * REPLAY_WAYS)
		owner_share = sets * REPLAY_WAYS;
	c->owner_share = (uint32_t)owner_share;
	c->swept_at = INT64_MIN;
	return c;
}

struct replay_cache *replay_cache_new(size_t capacity)
{
	/* Half: one flooding owner leaves the other half (and the quarter of slack)
	 * to everyone else, while a busy honest owner — the wallet, carrying every
	 * citizen's calls — still has room for half the record. */
	return replay_cache_new_fair(capacity, capacity / 2 > 0 ? capacity / 2 : 1);
}

void replay_cache_set_store(struct replay_cache *c, struct replay_store *store)
{
	if (c != NULL)
		c->store = store;
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

/* Frees an expired slot and takes it off its owner's count. */
static void slot_release(struct replay_cache *c, struct replay_slot *s)
{
	if (s->expires_at != 0 && s->owner != REPLAY_OWNER_NONE) {
		assert(c->owners[s->owner].live > 0);
		c->owners[s->owner].live--;
	}
	s->expires_at = 0;
	s->owner = REPLAY_OWNER_NONE;
}

/* Looks for hash in a set, releasing its expired slots on the way; counts its
 * free slots and remembers the first. */
static bool set_scan(struct replay_cache *c, struct replay_slot *set, const uint8_t *hash,
		     int64_t now, struct replay_slot **free_slot, size_t *free_count)
{
	*free_slot = NULL;
	*free_count = 0;
	for (size_t i = 0; i < REPLAY_WAYS; i++) {
		if (live(&set[i], now)) {
			if (memcmp(set[i].hash, hash, REPLAY_HASH_KEPT) == 0)
				return true;
			continue;
		}
		slot_release(c, &set[i]);
		if ((*free_count)++ == 0)
			*free_slot = &set[i];
	}
	return false;
}

/* Releases every expired slot and counts every owner's slots afresh. */
static void sweep(struct replay_cache *c, int64_t now)
{
	for (size_t o = 0; o <= REPLAY_OWNER_PLACES; o++)
		c->owners[o].live = 0;
	for (size_t i = 0; i < c->sets * REPLAY_WAYS; i++) {
		struct replay_slot *s = &c->slots[i];

		if (!live(s, now)) {
			s->expires_at = 0;
			s->owner = REPLAY_OWNER_NONE;
		} else if (s->owner != REPLAY_OWNER_NONE) {
			c->owners[s->owner].live++;
		}
	}
	c->swept_at = now;
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The index an owner's slots name: its place, found or taken, or "other" once
 * every place an owner may take is taken. */
static uint16_t owner_index(struct replay_cache *c, const uint8_t hash[32])
{
	size_t i = (size_t)(load64(hash) & (REPLAY_OWNER_PLACES - 1));

	/* ends: at most half the places are ever used, so an unused one comes */
	for (;;) {
		struct replay_owner *o = &c->owners[i];

		if (!o->used) {
			if (c->owner_count == REPLAY_OWNERS_MAX)
				return REPLAY_OWNER_OTHER;
			memcpy(o->hash, hash, sizeof(o->hash));
			o->used = true;
			c->owner_count++;
			return (uint16_t)i;
		}
		if (memcmp(o->hash, hash, sizeof(o->hash)) == 0)
			return (uint16_t)i;
		i = (i + 1) & (REPLAY_OWNER_PLACES - 1);
	}
}

static bool salted_hash(const struct replay_cache *c, const void *data, size_t len,
			uint8_t hash[32])
{
	unsigned int hash_len = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md != NULL && EVP_DigestInit_ex(md, digest_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(md, c->salt, sizeof(c->salt)) == 1 &&
		 EVP_DigestUpdate(md, data, len) == 1 &&
		 EVP_DigestFinal_ex(md, hash, &hash_len) == 1;

	EVP_MD_CTX_free(md);
	return ok && hash_len == 32;
}

/* owner_hash is NULL for an identifier charged to nobody. */
static hr_status check(struct replay_cache *c, const uint8_t *owner_hash, const uint8_t hash[32],
		       int64_t now, int64_t expires_at)
{
	struct replay_slot *a, *b, *free_a = NULL, *free_b = NULL, *slot;
	size_t room_a = 0, room_b = 0;
	uint16_t owner = REPLAY_OWNER_NONE;

	a = &c->slots[load64(hash) % c->sets * REPLAY_WAYS];
	b = &c->slots[load64(hash + 8) % c->sets * REPLAY_WAYS];
	/* a replay is a replay whatever its owner holds: look before counting */
	if (set_scan(c, a, hash, now, &free_a, &room_a) ||
	    (b != a && set_scan(c, b, hash, now, &free_b, &room_b)))
		return HR_E_CONFLICT;
	/* already expired: nothing to remember, nothing to charge */
	if (expires_at <= now)
		return HR_OK;
	if (b == a)
		room_b = 0;
	slot = room_b > room_a ? free_b : free_a;
	if (slot == NULL)
		return HR_E_BUSY;
	if (owner_hash != NULL) {
		owner = owner_index(c, owner_hash);
		/* the count may hold expired slots: make it exact, once per second
		 * ("!=", not ">": a clock set back must not stop the sweeps) */
		if (c->owners[owner].live >= c->owner_share && c->swept_at != now)
			sweep(c, now);
		if (c->owners[owner].live >= c->owner_share)
			return HR_E_BUSY;
		c->owners[owner].live++;
	}
	/* slot is still free: a sweep only frees */
	memcpy(slot->hash, hash, REPLAY_HASH_KEPT);
	slot->owner = owner;
	/* 0 marks a free slot; an identifier expiring at 0 is long dead */
	slot->expires_at = expires_at != 0 ? expires_at : -1;
	return HR_OK;
}

static hr_status check_locked(struct replay_cache *c, const void *owner, size_t owner_len,
			      bool owned, const void *id, size_t len, int64_t now,
			      int64_t expires_at)
{
	uint8_t hash[32], owner_hash[32];
	hr_status rc;

	if (c == NULL || (id == NULL && len > 0) || (owner == NULL && owner_len > 0))
		return HR_E_STATE;
	if (!salted_hash(c, id, len, hash) ||
	    (owned && !salted_hash(c, owner, owner_len, owner_hash)))
		return HR_E_CRYPTO;
	pthread_mutex_lock(&c->lock);
	rc = check(c, owned ? owner_hash : NULL, hash, now, expires_at);
	pthread_mutex_unlock(&c->lock);
	/* new to this process: is it new to the store (a restart, another copy)? */
	if (rc == HR_OK && c->store != NULL && expires_at > now)
		rc = replay_store_check(c->store, id, len, now, expires_at);
	return rc;
}

hr_status replay_cache_check(struct replay_cache *c, const void *id, size_t len, int64_t now,
			     int64_t expires_at)
{
	return check_locked(c, NULL, 0, false, id, len, now, expires_at);
}

hr_status replay_cache_check_owned(struct replay_cache *c, const void *owner, size_t owner_len,
				   const void *id, size_t len, int64_t now, int64_t expires_at)
{
	return check_locked(c, owner, owner_len, true, id, len, now, expires_at);
}
