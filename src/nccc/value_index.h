/*
 * value_index.h — "where else was this seen?" in one lookup (see value_index.c).
 *
 * An in-memory index from an indicator's canonical (type class, value) to the
 * row ids of every indicator holding that value. MISP keeps a correlation
 * table with one row per PAIR of equal attributes (n^2 for a value seen n
 * times); here a value is one slot and its rows a chain, so adding is O(1)
 * and a lookup costs one probe run plus the ids it returns.
 *
 * The index is rebuilt from the store when the hub starts (it is a cache of
 * the indicator rows, never the record of them) and filled as rows are added.
 *
 * Threads: value_index_find may run in any number of threads at once and
 * concurrently with value_index_add (a read-write lock); value_index_free
 * only when no other call can run.
 */
#ifndef HROMADA_NCCC_VALUE_INDEX_H
#define HROMADA_NCCC_VALUE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

struct value_index;

/* An index sized for expected entries (it grows past that, at the cost of a
 * rehash). *out is freed with value_index_free. */
hr_status value_index_new(size_t expected, struct value_index **out, struct hr_error *err);
void value_index_free(struct value_index *vi);

/*
 * Records that row id holds value of type (any name indicator_normalise
 * knows: "ip-dst" and "ipv4-addr" land in the same class). The value is
 * normalised first: HR_E_INVALID (with the sentence) when it is not valid for
 * the type, HR_E_UNSUPPORTED for a type that is not indexed (stix-pattern),
 * HR_E_TOO_LARGE past 2^32 - 2 entries, HR_E_NOMEM. Adding the same id twice
 * in a row for one value stores it once; callers add each row once.
 */
hr_status value_index_add(struct value_index *vi, const char *type, const char *value, uint64_t id,
			  struct hr_error *err);

/*
 * The rows holding value (normalised as value_index_add does), newest first:
 * up to max ids into ids[], and in *count how many there are in all (which
 * may exceed max). HR_OK with *count = 0 when none; HR_E_INVALID when the
 * value is not valid for the type (*count = 0 then too).
 */
hr_status value_index_find(struct value_index *vi, const char *type, const char *value,
			   uint64_t *ids, size_t max, size_t *count);

/* Entries (ids) held. */
size_t value_index_size(struct value_index *vi);
/* Distinct (class, value) keys held. */
size_t value_index_keys(struct value_index *vi);
/* Bytes of memory the index holds (its tables, not the struct's few bytes). */
size_t value_index_bytes(struct value_index *vi);

#endif
