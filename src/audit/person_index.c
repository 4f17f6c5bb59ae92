/*
 * person_index.c — the map from a person-hash prefix to the ascending indices
 * of their entries (person_index.h).
 *
 * Memory: 32 bytes per slot, at most 70% of them used, plus each person's
 * index array beyond the first entry (one index is kept inline, since most
 * people appear once or a few times).
 *
 * Never: store an all-zero key (it marks an empty slot); let a person's count
 * wrap.
 */
#include "audit/person_index.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* the index is part of the audit log's memory: its errors are the log's */
#define STAGE "audit_log"

/* One person's entries, in index order. cap 0: the single index is inline. */
struct person_slot {
	uint8_t key[PERSON_INDEX_KEY_LEN]; /* all zero: an empty slot */
	uint32_t count;
	uint32_t cap;
	union {
		uint64_t one;
		uint64_t *many;
	} at;
};

static bool is_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* The key is a prefix of a keyed hash: its first 8 bytes (le) are already uniform. */
static size_t home_of(const uint8_t *key, size_t mask)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | key[i];
	return (size_t)v & mask;
}

static uint64_t *slot_indices(struct person_slot *s)
{
	return s->cap ? s->at.many : &s->at.one;
}

void person_index_init(struct person_index *index)
{
	memset(index, 0, sizeof(*index));
}

void person_index_clear(struct person_index *index)
{
	for (size_t i = 0; i < index->cap; i++)
		if (index->slots[i].cap != 0)
			free(index->slots[i].at.many);
	free(index->slots);
	memset(index, 0, sizeof(*index));
}

static struct person_slot *slot_find(const struct person_index *index, const uint8_t *key)
{
	size_t mask, i;

	if (index->cap == 0)
		return NULL;
	mask = index->cap - 1;
	for (i = home_of(key, mask);; i = (i + 1) & mask) {
		struct person_slot *s = &index->slots[i];

		if (memcmp(s->key, key, PERSON_INDEX_KEY_LEN) == 0)
			return s;
		if (is_zero(s->key, PERSON_INDEX_KEY_LEN))
			return NULL;
	}
}

/* The empty slot where key goes (there is one: the table is at most 70% full). */
static struct person_slot *slot_free(struct person_slot *slots, size_t cap, const uint8_t *key)
{
	size_t i;

	for (i = home_of(key, cap - 1); !is_zero(slots[i].key, PERSON_INDEX_KEY_LEN);
	     i = (i + 1) & (cap - 1))
		;
	return &slots[i];
}

static hr_status grow(struct person_index *index, struct hr_error *err)
{
	size_t cap = index->cap ? index->cap * 2 : 1024;
	struct person_slot *slots;

	if (cap > SIZE_MAX / sizeof(*slots) || (slots = calloc(cap, sizeof(*slots))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory for the person index");
	for (size_t j = 0; j < index->cap; j++) {
		const struct person_slot *s = &index->slots[j];

		if (!is_zero(s->key, PERSON_INDEX_KEY_LEN))
			*slot_free(slots, cap, s->key) = *s;
	}
	free(index->slots);
	index->slots = slots;
	index->cap = cap;
	return HR_OK;
}

hr_status person_index_reserve(struct person_index *index, const uint8_t key[PERSON_INDEX_KEY_LEN],
			       struct person_slot **slot, struct hr_error *err)
{
	struct person_slot *s;
	hr_status rc;

	*slot = NULL;
	if (is_zero(key, PERSON_INDEX_KEY_LEN))
		return HR_OK;
	if ((index->used + 1) * 10 > index->cap * 7 && (rc = grow(index, err)) != HR_OK)
		return rc;
	if ((s = slot_find(index, key)) == NULL) {
		s = slot_free(index->slots, index->cap, key);
		memcpy(s->key, key, PERSON_INDEX_KEY_LEN);
		index->used++;
	}
	if (s->count == UINT32_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "too many entries for one person");
	if (s->cap == 0 && s->count == 1) {
		uint64_t *many = malloc(4 * sizeof(*many));

		if (many == NULL)
			return hr_error_set(err, HR_E_NOMEM, STAGE,
					    "out of memory for the person index");
		many[0] = s->at.one;
		s->at.many = many;
		s->cap = 4;
	} else if (s->cap != 0 && s->count == s->cap) {
		uint32_t cap = s->cap > UINT32_MAX / 2 ? UINT32_MAX : s->cap * 2;
		uint64_t *many = realloc(s->at.many, (size_t)cap * sizeof(*many));

		if (many == NULL)
			return hr_error_set(err, HR_E_NOMEM, STAGE,
					    "out of memory for the person index");
		s->at.many = many;
		s->cap = cap;
	}
	*slot = s;
	return HR_OK;
}

void person_index_push(struct person_slot *slot, uint64_t entry)
{
	if (slot != NULL)
		slot_indices(slot)[slot->count++] = entry;
}

hr_status person_index_add(struct person_index *index, const uint8_t key[PERSON_INDEX_KEY_LEN],
			   uint64_t entry, struct hr_error *err)
{
	struct person_slot *slot;
	hr_status rc;

	if ((rc = person_index_reserve(index, key, &slot, err)) == HR_OK)
		person_index_push(slot, entry);
	return rc;
}

uint64_t person_index_count(const struct person_index *index,
			    const uint8_t key[PERSON_INDEX_KEY_LEN])
{
	const struct person_slot *s;

	if (is_zero(key, PERSON_INDEX_KEY_LEN) || (s = slot_find(index, key)) == NULL)
		return 0;
	return s->count;
}

size_t person_index_find(const struct person_index *index, const uint8_t key[PERSON_INDEX_KEY_LEN],
			 uint64_t before, uint64_t *out, size_t max)
{
	struct person_slot *s;
	const uint64_t *all;
	size_t low = 0, high, count = 0;

	if (is_zero(key, PERSON_INDEX_KEY_LEN) || (s = slot_find(index, key)) == NULL)
		return 0;
	all = slot_indices(s);
	high = s->count;
	/* indices are ascending: find how many are below before */
	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (all[mid] < before)
			low = mid + 1;
		else
			high = mid;
	}
	while (low > 0 && count < max)
		out[count++] = all[--low];
	return count;
}
