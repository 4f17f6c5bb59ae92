/*
 * value_index.c — the correlation index: canonical (class, value) → row ids.
 *
 * Layout. An open-addressing table of slots, linear probing, one slot per
 * distinct key:
 *
 *	struct slot {h[2], head, count}   24 bytes
 *
 * h is the 128-bit SipHash-2-4 of "class\0canonical value" under a key drawn
 * from OpenSSL's RAND_bytes when the index is made; head is the newest entry
 * of the key's chain and count its length. Entries live in two parallel
 * arrays, ids[] (uint64) and next[] (uint32, the previous entry of the same
 * key): 12 bytes each. With the table at most 80% full this is about
 * 24 / 0.8 + 12 = 42 bytes per entry when every value is distinct, less when
 * values repeat; values themselves are not kept.
 *
 * Why a hash may stand for the value. A lookup answers with row ids; two
 * different keys are confused only if their 128-bit hashes are equal. SipHash
 * is a PRF: without the key (never written anywhere, new every process) a
 * partner cannot choose values that collide, so the chance that any two of n
 * distinct keys collide is at most n^2 / 2^129 — for n = 10^9 keys, 1.5e-21.
 * A caller that must be certain reads the rows it gets back anyway (it needs
 * their incidents), and may compare the values there.
 *
 * Never: keeps a pointer into a caller's strings; lets an add run beside
 * another add or a find (the rwlock); stores more than UINT32_MAX - 1
 * entries (next[] is 32-bit, refused with HR_E_TOO_LARGE).
 */
#include "nccc/value_index.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include <openssl/rand.h>

#include "core/error.h"
#include "core/siphash.h"
#include "nccc/indicator.h"

#define CHAIN_END     UINT32_MAX
#define ENTRIES_MAX   ((size_t)UINT32_MAX - 1)
#define SLOTS_MIN     64
#define KEY_TEXT_SIZE (32 + INDICATOR_VALUE_SIZE)

__extension__ typedef unsigned __int128 u128;

struct slot {
	uint64_t h[2];
	uint32_t head;  /* newest entry of this key */
	uint32_t count; /* entries of this key; 0: the slot is free */
};

struct value_index {
	pthread_rwlock_t lock;
	uint8_t key[16];
	struct slot *slots;
	size_t slot_count; /* any number >= SLOTS_MIN: reduced by multiply-shift */
	size_t keys;       /* used slots, <= slot_count * 4 / 5 */
	uint64_t *ids;
	uint32_t *next;
	size_t entries, entry_cap;
};

/*
 * The tables are mmap'ed and asked for transparent huge pages: lookups touch
 * random places of hundreds of MB, and with 4 KiB pages a TLB miss per probe
 * tripled the p99 at 10 M entries (1.8 us at 2 M, 8 us at 10 M). Zeroed, as
 * the slots need.
 */
static void *table_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: fine if refused */
	return p;
}

static void table_free(void *p, size_t bytes)
{
	if (p != NULL)
		munmap(p, bytes);
}

static inline size_t slot_of(uint64_t h, size_t n)
{
	return (size_t)(((u128)h * n) >> 64); /* Lemire's multiply-shift: any n */
}

/* The slot holding h, or the free slot where it would go. */
static struct slot *probe(struct slot *slots, size_t n, const uint64_t h[2])
{
	size_t i = slot_of(h[0], n);

	for (;;) {
		struct slot *s = &slots[i];

		if (s->count == 0 || (s->h[0] == h[0] && s->h[1] == h[1]))
			return s;
		if (++i == n)
			i = 0;
	}
}

static size_t slots_for(size_t keys)
{
	size_t n = keys + keys / 4 + 1; /* at most 80% full */

	return n < SLOTS_MIN ? SLOTS_MIN : n;
}

hr_status value_index_new(size_t expected, struct value_index **out, struct hr_error *err)
{
	struct value_index *vi;

	*out = NULL;
	if (expected > ENTRIES_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, "value_index",
				    "%zu entries expected, at most %zu fit", expected, ENTRIES_MAX);
	if ((vi = calloc(1, sizeof(*vi))) == NULL)
		return HR_E_NOMEM;
	if (pthread_rwlock_init(&vi->lock, NULL) != 0) {
		free(vi);
		return hr_error_set(err, HR_E_NOMEM, "value_index", "cannot make its lock");
	}
	if (RAND_bytes(vi->key, sizeof(vi->key)) != 1) {
		pthread_rwlock_destroy(&vi->lock);
		free(vi);
		return hr_error_set(err, HR_E_CRYPTO, "value_index", "no random key for the hash");
	}
	vi->slot_count = slots_for(expected);
	vi->entry_cap = expected < 16 ? 16 : expected;
	vi->slots = table_alloc(vi->slot_count * sizeof(*vi->slots));
	vi->ids = table_alloc(vi->entry_cap * sizeof(*vi->ids));
	vi->next = table_alloc(vi->entry_cap * sizeof(*vi->next));
	if (vi->slots == NULL || vi->ids == NULL || vi->next == NULL) {
		value_index_free(vi);
		return hr_error_set(err, HR_E_NOMEM, "value_index", "no memory for %zu entries",
				    expected);
	}
	*out = vi;
	return HR_OK;
}

void value_index_free(struct value_index *vi)
{
	if (vi == NULL)
		return;
	pthread_rwlock_destroy(&vi->lock);
	table_free(vi->slots, vi->slot_count * sizeof(*vi->slots));
	table_free(vi->ids, vi->entry_cap * sizeof(*vi->ids));
	table_free(vi->next, vi->entry_cap * sizeof(*vi->next));
	free(vi);
}

/* "class\0value" hashed: the class keeps an md5 and an x509 hash apart. */
static hr_status key_hash(const struct value_index *vi, const char *type, const char *value,
			  uint64_t h[2], struct hr_error *err)
{
	char text[KEY_TEXT_SIZE];
	const char *class = indicator_type_class(type);
	size_t class_len, value_len;
	hr_status rc;

	if (class == NULL) {
		if ((rc = indicator_normalise(type, value, text, sizeof(text), err)) != HR_OK)
			return rc;
		return hr_error_set(err, HR_E_UNSUPPORTED, "value_index",
				    "%.64s values are not indexed", type);
	}
	class_len = strlen(class);
	assert(class_len < 32);
	memcpy(text, class, class_len + 1);
	rc = indicator_normalise(type, value, text + class_len + 1, sizeof(text) - class_len - 1,
				 err);
	if (rc != HR_OK)
		return rc;
	value_len = strlen(text + class_len + 1);
	siphash_128(vi->key, text, class_len + 1 + value_len, h);
	return HR_OK;
}

static hr_status grow_slots(struct value_index *vi)
{
	size_t n = vi->slot_count * 2;
	struct slot *slots = table_alloc(n * sizeof(*slots));

	if (slots == NULL)
		return HR_E_NOMEM;
	for (size_t i = 0; i < vi->slot_count; i++)
		if (vi->slots[i].count != 0)
			*probe(slots, n, vi->slots[i].h) = vi->slots[i];
	table_free(vi->slots, vi->slot_count * sizeof(*slots));
	vi->slots = slots;
	vi->slot_count = n;
	return HR_OK;
}

static hr_status grow_entries(struct value_index *vi)
{
	size_t cap = vi->entry_cap * 2;
	uint64_t *ids;
	uint32_t *next;

	if (cap > ENTRIES_MAX)
		cap = ENTRIES_MAX;
	ids = table_alloc(cap * sizeof(*ids));
	next = table_alloc(cap * sizeof(*next));
	if (ids == NULL || next == NULL) {
		table_free(ids, cap * sizeof(*ids));
		table_free(next, cap * sizeof(*next));
		return HR_E_NOMEM;
	}
	memcpy(ids, vi->ids, vi->entries * sizeof(*ids));
	memcpy(next, vi->next, vi->entries * sizeof(*next));
	table_free(vi->ids, vi->entry_cap * sizeof(*ids));
	table_free(vi->next, vi->entry_cap * sizeof(*next));
	vi->ids = ids;
	vi->next = next;
	vi->entry_cap = cap;
	return HR_OK;
}

hr_status value_index_add(struct value_index *vi, const char *type, const char *value, uint64_t id,
			  struct hr_error *err)
{
	uint64_t h[2];
	struct slot *s;
	hr_status rc;

	if ((rc = key_hash(vi, type, value, h, err)) != HR_OK)
		return rc;
	pthread_rwlock_wrlock(&vi->lock);
	if (vi->entries >= ENTRIES_MAX) {
		rc = hr_error_set(err, HR_E_TOO_LARGE, "value_index", "the index is full (%zu)",
				  vi->entries);
		goto out;
	}
	s = probe(vi->slots, vi->slot_count, h);
	if (s->count != 0 && vi->ids[s->head] == id)
		goto out; /* the same row again */
	if (vi->entries == vi->entry_cap && (rc = grow_entries(vi)) != HR_OK)
		goto nomem;
	if (s->count == 0) {
		if ((vi->keys + 1) * 5 > vi->slot_count * 4) {
			if ((rc = grow_slots(vi)) != HR_OK)
				goto nomem;
			s = probe(vi->slots, vi->slot_count, h);
		}
		s->h[0] = h[0];
		s->h[1] = h[1];
		s->head = CHAIN_END;
		vi->keys++;
	}
	vi->ids[vi->entries] = id;
	vi->next[vi->entries] = s->head;
	s->head = (uint32_t)vi->entries;
	s->count++;
	vi->entries++;
out:
	pthread_rwlock_unlock(&vi->lock);
	return rc;
nomem:
	pthread_rwlock_unlock(&vi->lock);
	return hr_error_set(err, HR_E_NOMEM, "value_index", "no memory to grow past %zu entries",
			    vi->entries);
}

hr_status value_index_find(struct value_index *vi, const char *type, const char *value,
			   uint64_t *ids, size_t max, size_t *count)
{
	uint64_t h[2];
	const struct slot *s;
	hr_status rc;

	*count = 0;
	if ((rc = key_hash(vi, type, value, h, NULL)) != HR_OK)
		return rc == HR_E_UNSUPPORTED ? HR_OK : rc;
	pthread_rwlock_rdlock(&vi->lock);
	s = probe(vi->slots, vi->slot_count, h);
	if (s->count != 0) {
		size_t n = 0;

		*count = s->count;
		for (uint32_t e = s->head; e != CHAIN_END && n < max; e = vi->next[e])
			ids[n++] = vi->ids[e];
	}
	pthread_rwlock_unlock(&vi->lock);
	return HR_OK;
}

size_t value_index_size(struct value_index *vi)
{
	size_t n;

	pthread_rwlock_rdlock(&vi->lock);
	n = vi->entries;
	pthread_rwlock_unlock(&vi->lock);
	return n;
}

size_t value_index_keys(struct value_index *vi)
{
	size_t n;

	pthread_rwlock_rdlock(&vi->lock);
	n = vi->keys;
	pthread_rwlock_unlock(&vi->lock);
	return n;
}

size_t value_index_bytes(struct value_index *vi)
{
	size_t n;

	pthread_rwlock_rdlock(&vi->lock);
	n = vi->slot_count * sizeof(struct slot) +
	    vi->entry_cap * (sizeof(*vi->ids) + sizeof(*vi->next));
	pthread_rwlock_unlock(&vi->lock);
	return n;
}
