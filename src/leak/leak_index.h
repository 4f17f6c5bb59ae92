/*
 * leak_index.h — leakscan's index of the registries: every person and every
 * identity document a country's registries hold, as keyed hashes only
 * (DESIGN.md §7, docs/LEAKS.md "The index").
 *
 * Why keyed hashes: the index is what leakscan holds in memory (and keeps on
 * disk between runs) while it reads a dump; it can say "this row's RNOKPP is a
 * person we know, born on the day the row says, whose address was this one
 * until 2023-12-19", and nothing more. Without index.key the file names nobody:
 * a hash of a 10-digit number could be reversed by trying them all, so it is a
 * SipHash-2-4 keyed with index.key (leak_tag.h).
 *
 * What one person holds, 32 bytes: the tag of their id; 32-bit hashes of the
 * matching keys of their family and given names (translit.h: every spelling of
 * a name meets), 16 bits of the patronymic's; their birth day; the hash of
 * their address now and of the one before (with the day it ended, from the
 * registries' history); whether they are a canary (leak_tag.h). What one
 * document holds, 16 bytes: the tag of its canonical number (identifiers.h),
 * the person it belongs to, its type and issue day. Ten million people with
 * their ~20 million identity documents take about 800 MB at 80% load.
 *
 * Days are counted from 1900-01-01 in 16 bits (to 2079); 0 means none.
 *
 * Never: hold a person's data in clear, or look past a table's end (open
 * addressing with linear probing over a table never more than LEAK_INDEX_LOAD
 * full, so every probe ends at an empty slot).
 */
#ifndef HROMADA_LEAK_LEAK_INDEX_H
#define HROMADA_LEAK_LEAK_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/secret.h"

#define LEAK_INDEX_LOAD_PERCENT 80
#define LEAK_INDEX_MAGIC        "HRLEAKX1"

/* the flags of a person */
#define LEAK_PERSON_CANARY 0x1u

struct leak_person {
	uint64_t tag; /* 0: an empty slot (a real tag of 0 is stored as 1) */
	uint32_t family, given;
	uint32_t address, address_before; /* 0: none known */
	uint16_t patronymic;
	uint16_t birth;
	uint16_t moved; /* the day address_before ended; 0: never moved */
	uint16_t flags;
};

struct leak_document {
	uint64_t tag;
	uint32_t person; /* slot in the person table */
	uint16_t issued; /* 0: unknown */
	uint8_t type;    /* index into document_types */
	uint8_t country; /* 0 UA, 1 PL: which country's registry holds it */
};

struct leak_index;

/* An empty index for about people persons and documents documents (it grows
 * when they are more). key: index.key. Stage "leak". */
hr_status leak_index_new(const uint8_t key[SECRET_LEN], size_t people, size_t documents,
			 struct leak_index **out, struct hr_error *err);
void leak_index_free(struct leak_index *index);

/* The keyed hashes the index holds, for its builder and its readers alike. */
uint64_t leak_index_tag(const struct leak_index *index, const char *identifier, size_t len);
/* A field's value (already reduced to its matching form) as 32 bits, never 0. */
uint32_t leak_index_value(const struct leak_index *index, char field, const char *value,
			  size_t len);

/*
 * The person whose id (canonical, "UA:3012345678") has tag, created empty
 * when new: the builder fills its fields. NULL only when memory runs out.
 * The pointer holds until the next leak_index_person_at / _add_document.
 */
struct leak_person *leak_index_person_at(struct leak_index *index, uint64_t tag, uint32_t *slot);
/* Adds a document (its tag, the holder's slot, type, issue day). Stage "leak". */
hr_status leak_index_add_document(struct leak_index *index, const struct leak_document *doc,
				  struct hr_error *err);

/* Lookups: NULL when unknown. */
const struct leak_person *leak_index_find_person(const struct leak_index *index, uint64_t tag);
const struct leak_document *leak_index_find_document(const struct leak_index *index, uint64_t tag);
const struct leak_person *leak_index_person(const struct leak_index *index, uint32_t slot);
/* The slot of a person found by leak_index_find_person. */
uint32_t leak_index_slot_of(const struct leak_index *index, const struct leak_person *person);
/* Slots in the person table (for per-person bitsets). */
size_t leak_index_person_slots(const struct leak_index *index);

size_t leak_index_people(const struct leak_index *index);
size_t leak_index_documents(const struct leak_index *index);
size_t leak_index_bytes(const struct leak_index *index);

/*
 * Saves to path (written aside and renamed, mode 0600) with stamp, a text
 * saying what the registries held when it was built (leakscan rebuilds when
 * it differs); loads it back if the file's key check and stamp match
 * (HR_E_NOT_FOUND when missing or stale: build again). Stage "leak".
 */
hr_status leak_index_save(const struct leak_index *index, const char *path, const char *stamp,
			  struct hr_error *err);
hr_status leak_index_load(const uint8_t key[SECRET_LEN], const char *path, const char *stamp,
			  struct leak_index **out, struct hr_error *err);

/* Days since 1900-01-01 of "YYYY-MM-DD" (and the other forms dumps write:
 * DD.MM.YYYY, DD/MM/YYYY, YYYYMMDD, with a time after a 'T' or space
 * ignored); 0 when it is not a date from 1900 to 2079. */
uint16_t leak_day_parse(const char *text, size_t len);
/* "YYYY-MM-DD" of a day (11 bytes). */
void leak_day_format(uint16_t day, char out[11]);

/* An address reduced to its matching form into out (size bytes): lower case,
 * letters and digits only (Cyrillic kept), so "вул. Шевченка, буд. 5" and
 * "вул Шевченка буд 5" meet. Returns the length; 0 when nothing is left. */
size_t leak_address_key(const char *text, size_t len, char *out, size_t size);

#endif
