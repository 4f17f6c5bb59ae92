/*
 * person_index.h — the audit log's in-memory index from a person to the
 * entries naming them (audit_log_person: a citizen's access history), rebuilt
 * at every open from the records in the segments (never from person.idx, a
 * derived file that open only checks and rewrites), and the per-person count
 * that numbers each person's entries (audit_entry.h "seq").
 *
 * Keys are the first PERSON_INDEX_KEY_LEN bytes of the 32-byte person hash.
 * The hash is keyed (HMAC), so prefixes are uniformly distributed: a collision
 * among 2^128 values is not a concern at any population size, and the index
 * compares prefixes only. An all-zero key means "no person" and is never
 * stored: adding it does nothing, finding it finds nothing.
 *
 * Entries must be added in ascending index order (the log's order); lookups
 * rely on it. Not thread-safe: the audit log holds its lock around every call.
 *
 * Never: hold an entry's bytes or the full person hash; fail between
 * person_index_reserve and person_index_push.
 */
#ifndef HROMADA_AUDIT_PERSON_INDEX_H
#define HROMADA_AUDIT_PERSON_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#define PERSON_INDEX_KEY_LEN 16

struct person_slot;

/* Open addressing, linear probing, at most 70% full. Zero-initialised is empty. */
struct person_index {
	struct person_slot *slots;
	size_t cap; /* zero or a power of two */
	size_t used;
};

void person_index_init(struct person_index *index);
/* Frees everything; index is empty afterwards. */
void person_index_clear(struct person_index *index);

/*
 * Adds entry to key's entries (entry above any added before for key). An
 * all-zero key: HR_OK, nothing stored. HR_E_NOMEM, or HR_E_TOO_LARGE when one
 * person reaches 2^32 entries.
 */
hr_status person_index_add(struct person_index *index, const uint8_t key[PERSON_INDEX_KEY_LEN],
			   uint64_t entry, struct hr_error *err);

/*
 * person_index_add in two steps, for a caller that must not fail once it has
 * acted (the log's append: memory is reserved before the record is written).
 * reserve does everything that can fail and sets *slot (NULL for an all-zero
 * key); push, with that slot and no other call on index in between, stores.
 */
hr_status person_index_reserve(struct person_index *index, const uint8_t key[PERSON_INDEX_KEY_LEN],
			       struct person_slot **slot, struct hr_error *err);
void person_index_push(struct person_slot *slot, uint64_t entry);

/* How many entries key has (0 for an all-zero key). */
uint64_t person_index_count(const struct person_index *index,
			    const uint8_t key[PERSON_INDEX_KEY_LEN]);

/*
 * Key's entries below before, newest first: at most max of them into out.
 * Returns how many.
 */
size_t person_index_find(const struct person_index *index, const uint8_t key[PERSON_INDEX_KEY_LEN],
			 uint64_t before, uint64_t *out, size_t max);

#endif
