/*
 * sig_batch.c — batch signatures over a Merkle tree (sig_batch.h).
 *
 * Why a message cut from its batch, or given another message's path, does not
 * verify: its leaf is the hash of its own signature base, and RFC 9162's tree
 * (leaves and nodes hashed under different prefixes) gives no second path from
 * another leaf to the signed root without a SHA-256 collision. A replayed
 * message is still refused by its own nonce (httpsig.c checks it after this),
 * and a signature lifted onto a tree of the attacker's making signs another
 * root, so it does not verify.
 */
#include "exchange/sig_batch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "audit/merkle.h"
#include "core/clock.h"
#include "core/digest.h"
#include "core/error.h"
#include "credential/cose.h"
#include "credential/cose_crypto.h"
#include "credential/signer.h"

#define STAGE "batch"

static const char statement_prefix[] = "hromada batch signature v1\n";
#define STATEMENT_LEN (sizeof(statement_prefix) - 1 + 1 + 32)

/* One message waiting for its batch: the waiter's own buffers, which the
 * signing thread fills while the waiter sleeps. */
struct slot {
	const uint8_t *leaf;
	uint8_t *value;
	size_t *value_len;
	struct hr_error *err;
	hr_status rc;
	bool done;
};

struct sig_batcher {
	struct signer *signer;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct slot *queue[SIG_BATCH_MAX];
	size_t queued;
	bool signing;
};

hr_status sig_batcher_new(struct signer *signer, struct sig_batcher **out, struct hr_error *err)
{
	struct sig_batcher *b;

	*out = NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	b->signer = signer;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->changed, NULL);
	*out = b;
	return HR_OK;
}

void sig_batcher_free(struct sig_batcher *b)
{
	if (b == NULL)
		return;
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->changed);
	free(b);
}

static void statement_of(uint8_t size, const uint8_t root[32], uint8_t out[STATEMENT_LEN])
{
	memcpy(out, statement_prefix, sizeof(statement_prefix) - 1);
	out[sizeof(statement_prefix) - 1] = size;
	memcpy(out + sizeof(statement_prefix), root, 32);
}

/* The leaves' tree in memory: level k holds the hashes of the complete
 * subtrees of 2^k leaves, as merkle.h's source wants them. */
struct tree {
	uint8_t nodes[SIG_BATCH_PATH_MAX + 1][SIG_BATCH_MAX][MERKLE_HASH_LEN];
	size_t size;
};

static hr_status tree_node(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
	const struct tree *t = ctx;

	if (level > SIG_BATCH_PATH_MAX || ((index + 1) << level) > t->size)
		return HR_E_INVALID;
	memcpy(out, t->nodes[level][index], MERKLE_HASH_LEN);
	return HR_OK;
}

static void tree_build(struct tree *t, struct slot *const *slots, size_t n)
{
	t->size = n;
	for (size_t i = 0; i < n; i++)
		merkle_leaf_hash(slots[i]->leaf, 32, t->nodes[0][i]);
	for (unsigned k = 1; k <= SIG_BATCH_PATH_MAX; k++)
		for (size_t i = 0; ((i + 1) << k) <= n; i++)
			merkle_node_hash(t->nodes[k - 1][2 * i], t->nodes[k - 1][2 * i + 1],
					 t->nodes[k][i]);
}

/* Signs one batch and fills every slot's value (or error). No lock held. */
static void sign_batch(struct sig_batcher *b, struct slot *const *slots, size_t n)
{
	struct tree *t = malloc(sizeof(*t));
	struct merkle_source src = {tree_node, t};
	uint8_t root[MERKLE_HASH_LEN], statement[STATEMENT_LEN], sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	struct hr_error err = {0};
	hr_status rc;

	if (t == NULL) {
		rc = hr_error_set(&err, HR_E_NOMEM, STAGE, "out of memory");
	} else {
		tree_build(t, slots, n);
		rc = merkle_root(&src, n, root, &err);
	}
	if (rc == HR_OK) {
		statement_of((uint8_t)n, root, statement);
		rc = signer_sign(b->signer, statement, sizeof(statement), sig, &sig_len, &err);
	}
	if (rc == HR_OK && sig_len != 64)
		rc = hr_error_set(&err, HR_E_CRYPTO, STAGE, "an ES256 signature of %zu bytes",
				  sig_len);
	for (size_t i = 0; i < n; i++) {
		struct slot *s = slots[i];
		uint8_t path[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
		size_t count = 0;

		s->rc = rc;
		if (s->rc == HR_OK)
			s->rc = merkle_inclusion_proof(&src, i, n, path, &count, &err);
		if (s->rc != HR_OK || count > SIG_BATCH_PATH_MAX) {
			if (s->rc == HR_OK)
				s->rc =
				    hr_error_set(&err, HR_E_STATE, STAGE, "a path of %zu", count);
			if (s->err != NULL)
				*s->err = err;
			continue;
		}
		memcpy(s->value, sig, 64);
		memcpy(s->value + 64, root, 32);
		s->value[96] = (uint8_t)i;
		s->value[97] = (uint8_t)n;
		memcpy(s->value + SIG_BATCH_VALUE_MIN, path, 32 * count);
		*s->value_len = SIG_BATCH_VALUE_MIN + 32 * count;
	}
	free(t);
}

hr_status sig_batch_sign(struct sig_batcher *b, const uint8_t leaf[32],
			 uint8_t value[SIG_BATCH_VALUE_MAX], size_t *value_len,
			 struct hr_error *err)
{
	struct slot me = {leaf, value, value_len, err, HR_OK, false};
	struct slot *batch[SIG_BATCH_MAX];
	size_t n;

	pthread_mutex_lock(&b->lock);
	while (b->queued == SIG_BATCH_MAX)
		pthread_cond_wait(&b->changed, &b->lock);
	b->queue[b->queued++] = &me;
	/* the first waiter to find nobody signing signs all that queued, its own
	 * message among them; the others sleep until theirs is done */
	while (!me.done) {
		if (b->signing) {
			pthread_cond_wait(&b->changed, &b->lock);
			continue;
		}
		n = b->queued;
		memcpy(batch, b->queue, n * sizeof(batch[0]));
		b->queued = 0;
		b->signing = true;
		pthread_mutex_unlock(&b->lock);
		sign_batch(b, batch, n);
		pthread_mutex_lock(&b->lock);
		for (size_t i = 0; i < n; i++)
			batch[i]->done = true;
		b->signing = false;
		pthread_cond_broadcast(&b->changed);
	}
	pthread_mutex_unlock(&b->lock);
	return me.rc;
}

/* --- verification ----------------------------------------------------------- */

#define CACHE_ENTRIES 256
#define CACHE_LIFE_US (70 * 1000000ull) /* a message lives 60 s, clocks skew 5 */
#define CACHE_WAIT_US 50000             /* for a verification in progress */

enum entry_state { ENTRY_EMPTY, ENTRY_PENDING, ENTRY_VERIFIED };

struct cache_entry {
	uint8_t id[32]; /* SHA-256(public key | statement | signature) */
	uint64_t until_us;
	enum entry_state state;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t settled;
	struct cache_entry entries[CACHE_ENTRIES];
	uint64_t verifications;
} cache = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {{{0}, 0, ENTRY_EMPTY}}, 0};

static bool cache_id(EVP_PKEY *key, const uint8_t *statement, const uint8_t sig[64], uint8_t id[32])
{
	uint8_t text[133 + STATEMENT_LEN + 64];
	size_t point_len = 0;

	if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, text, 133,
					    &point_len) != 1)
		return false;
	memcpy(text + point_len, statement, STATEMENT_LEN);
	memcpy(text + point_len + STATEMENT_LEN, sig, 64);
	return digest_sha256_of(text, point_len + STATEMENT_LEN + 64, id) == HR_OK;
}

static bool entry_is(const struct cache_entry *e, const uint8_t id[32], enum entry_state state)
{
	return e->state == state && CRYPTO_memcmp(e->id, id, 32) == 0;
}

/* Waits until no verification of id is in progress (or CACHE_WAIT_US passed);
 * true when id is known to verify. Lock held. */
static bool cache_settle(struct cache_entry *e, const uint8_t id[32])
{
	uint64_t deadline = clock_monotonic_us() + CACHE_WAIT_US;

	while (entry_is(e, id, ENTRY_PENDING)) {
		struct timespec ts;
		uint64_t now = clock_monotonic_us();

		if (now >= deadline)
			return false;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)((deadline - now) % 1000000) * 1000;
		ts.tv_sec += (time_t)((deadline - now) / 1000000) + ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&cache.settled, &cache.lock, &ts);
	}
	return entry_is(e, id, ENTRY_VERIFIED) && e->until_us > clock_monotonic_us();
}

/* ECDSA over the statement, once per (key, statement, signature) while it is
 * remembered. */
static bool root_verifies(EVP_PKEY *key, const uint8_t *statement, const uint8_t sig[64])
{
	uint8_t id[32];
	struct cache_entry *e;
	bool claimed, ok;

	if (!cache_id(key, statement, sig, id))
		return false;
	e = &cache.entries[(id[0] | (unsigned)id[1] << 8) % CACHE_ENTRIES];
	pthread_mutex_lock(&cache.lock);
	if (cache_settle(e, id)) {
		pthread_mutex_unlock(&cache.lock);
		return true;
	}
	/* another root's verification in progress keeps its entry: this one
	 * verifies without remembering */
	if ((claimed = e->state != ENTRY_PENDING)) {
		memcpy(e->id, id, sizeof(id));
		e->state = ENTRY_PENDING;
	}
	cache.verifications++;
	pthread_mutex_unlock(&cache.lock);
	ok = cose_crypto_verify(cose_alg_find(COSE_ALG_ES256), key, KEY_KIND_P256, statement,
				STATEMENT_LEN, sig, 64, NULL) == HR_OK;
	pthread_mutex_lock(&cache.lock);
	if (claimed && entry_is(e, id, ENTRY_PENDING)) {
		e->state = ok ? ENTRY_VERIFIED : ENTRY_EMPTY;
		e->until_us = clock_monotonic_us() + CACHE_LIFE_US;
	}
	pthread_cond_broadcast(&cache.settled);
	pthread_mutex_unlock(&cache.lock);
	return ok;
}

hr_status sig_batch_verify(EVP_PKEY *key, const uint8_t leaf[32], const uint8_t *value,
			   size_t value_len, struct hr_error *err)
{
	uint8_t leaf_hash[MERKLE_HASH_LEN], statement[STATEMENT_LEN];
	uint8_t path[SIG_BATCH_PATH_MAX][MERKLE_HASH_LEN];
	size_t count;
	unsigned index, size;

	if (key == NULL || key_kind_of(key) != KEY_KIND_P256)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a batch signature needs a P-256 key");
	if (value_len < SIG_BATCH_VALUE_MIN || value_len > SIG_BATCH_VALUE_MAX ||
	    (value_len - SIG_BATCH_VALUE_MIN) % MERKLE_HASH_LEN != 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a batch signature is %d bytes and a path of 0 to %d hashes",
				    SIG_BATCH_VALUE_MIN, SIG_BATCH_PATH_MAX);
	index = value[96];
	size = value[97];
	count = (value_len - SIG_BATCH_VALUE_MIN) / MERKLE_HASH_LEN;
	if (size == 0 || size > SIG_BATCH_MAX || index >= size)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a batch of %u with the message at %u (at most %d)", size,
				    index, SIG_BATCH_MAX);
	memcpy(path, value + SIG_BATCH_VALUE_MIN, count * MERKLE_HASH_LEN);
	merkle_leaf_hash(leaf, 32, leaf_hash);
	if (merkle_inclusion_verify(leaf_hash, index, size, MERKLE_CONST_PROOF(path), count,
				    value + 64, NULL) != HR_OK)
		return hr_error_set(err, HR_E_SIGNATURE, STAGE,
				    "the message is not in the batch its signature names");
	statement_of((uint8_t)size, value + 64, statement);
	if (!root_verifies(key, statement, value))
		return hr_error_set(err, HR_E_SIGNATURE, STAGE,
				    "the batch's signature does not verify");
	return HR_OK;
}

uint64_t sig_batch_verifications(void)
{
	uint64_t n;

	pthread_mutex_lock(&cache.lock);
	n = cache.verifications;
	pthread_mutex_unlock(&cache.lock);
	return n;
}
