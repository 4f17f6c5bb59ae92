/*
 * leak_range.h — the "was my data leaked" range protocol (DESIGN.md §7,
 * docs/LEAKS.md "Was my data leaked"), both ends, with no network and no
 * storage: what a publisher may send, the range a wallet names, and the one
 * answer the range service gives.
 *
 * A tag (leak_tag.h) is HMAC-SHA-256(range.key, person id) cut to 16 bytes.
 * The range service (the nccc hub, src/nccc/nccc_leaks.c) stores tags and the
 * dumps they were found in; it never holds range.key, so a tag names nobody
 * it could find. A wallet asks for the first LEAK_RANGE_PREFIX_HEX hex digits
 * of its caller's tag and gets every stored tag in that range, so the service
 * learns a range of about a million-th of the tag space, never a person:
 *
 *	publish  {"dump": {"id": "<[A-Za-z0-9._:-]{1,64}>", "name": "<text, 1..200 bytes>",
 *	                   "first_seen": "RFC 3339", "fields": ["family_name", ...]},
 *	          "tags": ["<32 lower-case hex>", ...]}             at most 10 000 tags
 *	answer   {"prefix": "<5 hex>",
 *	          "entries": [{"suffix": "<27 hex>",
 *	                       "leaks": [{"dump": name, "first_seen", "fields"}]}, ...]}
 *	         followed by spaces up to the byte size class
 *
 * Padding (HIBP's Add-Padding, made deterministic): an answer holds exactly
 * a multiple of `entries` entries — the real ones topped up with decoys — and
 * its body is exactly a multiple of `bytes` bytes, padded with JSON
 * whitespace. A decoy is an entry like any other: a suffix in the range and
 * the leaks of a real entry of the same range (or, in a range without one, of
 * a dump drawn by its size), so nobody but a wallet holding the one suffix
 * it computed can tell them apart, and a network observer sees one length.
 * Decoys derive from a key of the service's own (HMAC of the prefix and a
 * counter): the same range asked twice gives the same bytes, so comparing
 * answers does not sort real entries from decoys.
 *
 * What must always hold: entries are sorted by suffix, no suffix occurs
 * twice, every suffix is LEAK_RANGE_SUFFIX_HEX lower-case hex digits, and an
 * answer's length is a multiple of `bytes`.
 */
#ifndef HROMADA_LEAK_LEAK_RANGE_H
#define HROMADA_LEAK_LEAK_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "core/buf.h"
#include "core/secret.h"
#include "leak/leak_tag.h"

#define LEAK_RANGE_SUFFIX_HEX  (LEAK_TAG_HEX_LEN - LEAK_RANGE_PREFIX_HEX) /* 27 */
#define LEAK_RANGE_PREFIXES    (1u << (4 * LEAK_RANGE_PREFIX_HEX))        /* 16^5 */
#define LEAK_RANGE_TAGS_MAX    10000 /* tags in one publishing call */
#define LEAK_RANGE_DUMP_ID_MAX 64
#define LEAK_RANGE_NAME_MAX    200 /* bytes of a dump's name */
#define LEAK_RANGE_FIELDS_MAX  32
#define LEAK_RANGE_FIELD_MAX   40  /* bytes of a field name */
#define LEAK_RANGE_FUTURE_S    300 /* first_seen may be this far ahead of the clock */
#define LEAK_RANGE_ANSWER_MAX  (8u * 1024 * 1024) /* what a member call takes back */
/*
 * Sizes by the expected fill: 10 M leaked people over 16^5 ≈ 1 M ranges is
 * ~10 per range (Poisson: more than 32 in about one range in 10^8); an entry
 * with one leak is ~150-400 bytes, so 32 KiB holds 32 entries with two
 * leaks of the longest names each, and most of 64.
 */
#define LEAK_RANGE_ENTRIES_DEFAULT 32
#define LEAK_RANGE_BYTES_DEFAULT   32768

/* A publishing call, checked. Owns its memory: leak_publication_clear. */
struct leak_publication {
	char dump_id[LEAK_RANGE_DUMP_ID_MAX + 1];
	char name[LEAK_RANGE_NAME_MAX + 1];
	int64_t first_seen;
	json_t *fields;                /* sorted, distinct field names */
	uint8_t (*tags)[LEAK_TAG_LEN]; /* sorted, distinct */
	size_t tag_count;              /* distinct */
	size_t received;               /* as sent, repeats included */
};

/*
 * Checks a publishing body whole (unknown keys, an id or a name out of shape,
 * a first_seen that is not RFC 3339 or lies more than LEAK_RANGE_FUTURE_S
 * after now, a field name that is not [a-z][a-z0-9_]*, a field twice, a tag
 * that is not 32 lower-case hex digits, more than LEAK_RANGE_TAGS_MAX tags)
 * and fills out; HR_E_INVALID naming what is wrong, and then out is empty.
 * Repeated tags are kept once (a dump may hold a person twice). Stage "leaks".
 */
hr_status leak_publication_parse(const json_t *body, int64_t now, struct leak_publication *out,
				 struct hr_error *err);
void leak_publication_clear(struct leak_publication *p);

/* "0a1b2" (either case) → 0x0a1b2; HR_E_INVALID for anything but exactly
 * LEAK_RANGE_PREFIX_HEX hex digits. */
hr_status leak_range_prefix_parse(const char *text, uint32_t *prefix, struct hr_error *err);
/* The five lower-case hex digits of prefix and a NUL. */
void leak_range_prefix_text(uint32_t prefix, char out[LEAK_RANGE_PREFIX_HEX + 1]);
/* The range prefix of a tag. */
uint32_t leak_range_prefix_of(const uint8_t tag[LEAK_TAG_LEN]);

/*
 * The tags of a range as byte strings, for an index range scan over stored
 * tags (memcmp order, as SQLite compares BLOBs and PostgreSQL bytea):
 * low <= tag < high. low is 3 bytes; high is 3 bytes, or for the last
 * range 17 bytes of 0xff (above every 16-byte tag).
 */
#define LEAK_RANGE_BOUND_MAX (LEAK_TAG_LEN + 1)
void leak_range_bounds(uint32_t prefix, uint8_t low[3], uint8_t high[LEAK_RANGE_BOUND_MAX],
		       size_t *high_len);

/* A stored tag of the range and its leaks ([{"dump", "first_seen", "fields"}]). */
struct leak_range_entry {
	uint8_t tag[LEAK_TAG_LEN];
	json_t *leaks; /* borrowed */
};

struct leak_range_options {
	unsigned entries;         /* an answer holds a multiple of this many (>= 1) */
	size_t bytes;             /* and is a multiple of this many bytes long (>= 256) */
	const uint8_t *decoy_key; /* SECRET_LEN bytes: the service's own */
};

/* How many entries an answer with real ones holds: the next multiple of per
 * (per for none). */
size_t leak_range_entry_class(size_t real, unsigned per);
/* How long an answer of len bytes is once padded: the next multiple of per. */
size_t leak_range_byte_class(size_t len, size_t per);

/*
 * The answer for prefix to out: the real entries (count of them, every tag
 * in the range, sorted or not), decoys up to the entry class, the body
 * padded up to the byte class. catalogue ([{"leak": {...}, "weight": n}],
 * may be NULL or empty) gives decoys their leaks when the range has no real
 * entry. HR_E_INVALID for a real tag outside the range or twice,
 * HR_E_TOO_LARGE beyond LEAK_RANGE_ANSWER_MAX, HR_E_CRYPTO. Stage "leaks".
 */
hr_status leak_range_answer(uint32_t prefix, const struct leak_range_entry *real, size_t count,
			    const json_t *catalogue, const struct leak_range_options *options,
			    struct buf *out, struct hr_error *err);

/*
 * The wallet's side: checks an answer for the range of tag (its shape, its
 * prefix, every suffix, every leak) and sets *leaks to a new array of the
 * leaks of the entries whose suffix is tag's, each as {"dump", "first_seen",
 * "fields"} ([] when none). HR_E_INVALID saying what is malformed.
 */
hr_status leak_range_answer_find(const json_t *answer, const char tag[LEAK_TAG_HEX_LEN + 1],
				 json_t **leaks, struct hr_error *err);

#endif
