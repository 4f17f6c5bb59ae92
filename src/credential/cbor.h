/*
 * cbor.h — CBOR (RFC 8949): a deterministic encoder and a bounded pull decoder.
 *
 * Why our own: DESIGN.md §9 — libcbor 0.8 rejects the COSE_Sign1 tag and
 * allocates from a declared length (5 bytes make it malloc 2 GiB), so it must
 * never see untrusted input. This decoder follows QCBOR's manner instead:
 *
 * - it never allocates: strings are slices into the input;
 * - a declared length is only trusted after checking it against the bytes that
 *   remain, so no length can make anyone allocate or read out of bounds;
 * - errors latch: after the first failure every call returns the same status,
 *   and one check at the end (cbor_decoder_finish) is enough;
 * - limits on item count, nesting depth (for the recursive helpers) and string
 *   length are fixed in struct cbor_limits, with safe defaults.
 *
 * The decoder is a pull parser: cbor_next() returns the head of the next data
 * item. For an array or map the caller then reads its children (count, or until
 * cbor_at_break() for an indefinite one), or calls cbor_skip() to step over them.
 * Text strings are checked to be valid UTF-8 (RFC 8949 §3.1). Well-formedness is
 * checked in full: reserved additional-info values 28–30, a break outside an
 * indefinite container, indefinite-length strings whose chunks are not of the
 * same major type, simple values 24..31 encoded in one extra byte, and so on.
 *
 * The encoder writes into a struct buf (whose ceiling and latched error apply)
 * using the shortest head for every item (RFC 8949 §4.2.1); map key order is the
 * caller's responsibility, except in cbor_json.h's converter which sorts keys.
 */
#ifndef HROMADA_CREDENTIAL_CBOR_H
#define HROMADA_CREDENTIAL_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"

/* --- decoding ---------------------------------------------------------------- */

enum cbor_type {
	CBOR_UINT,   /* value */
	CBOR_NEGINT, /* the integer is -1 - value */
	CBOR_BYTES,  /* bytes (definite), or chunks follow (indefinite) */
	CBOR_TEXT,   /* bytes (definite, valid UTF-8), or chunks follow (indefinite) */
	CBOR_ARRAY,  /* value = count unless indefinite */
	CBOR_MAP,    /* value = number of pairs unless indefinite */
	CBOR_TAG,    /* value = tag number; the tagged item follows */
	CBOR_SIMPLE, /* value: 20 false, 21 true, 22 null, 23 undefined, others */
	CBOR_FLOAT,  /* number (half, single and double precision) */
};

#define CBOR_SIMPLE_FALSE     20
#define CBOR_SIMPLE_TRUE      21
#define CBOR_SIMPLE_NULL      22
#define CBOR_SIMPLE_UNDEFINED 23

struct cbor_item {
	enum cbor_type type;
	uint64_t value;
	struct slice bytes; /* CBOR_BYTES / CBOR_TEXT, definite length */
	bool indefinite;    /* CBOR_BYTES / CBOR_TEXT / CBOR_ARRAY / CBOR_MAP */
	double number;      /* CBOR_FLOAT */
	size_t offset;      /* where the item's head starts in the input */
};

/* A field left 0 takes its default; max_depth is capped at CBOR_MAX_DEPTH
 * because cbor_skip and the converters recurse once per level. */
#define CBOR_MAX_DEPTH 64

struct cbor_limits {
	size_t max_items;   /* data items in one input (default 65536) */
	unsigned max_depth; /* nesting for cbor_skip and converters (default 16) */
	size_t max_string;  /* bytes in one string, chunks included (default 1 MiB) */
};

struct cbor_decoder {
	const uint8_t *start;
	const uint8_t *p;
	const uint8_t *end;
	struct cbor_limits limits;
	size_t items;
	hr_status error;          /* latched */
	size_t error_offset;      /* where the first error was found */
	const char *error_reason; /* static text, e.g. "truncated item" */
};

/* limits may be NULL for the defaults. */
void cbor_decoder_init(struct cbor_decoder *d, const uint8_t *data, size_t len,
		       const struct cbor_limits *limits);

/* Reads the next item's head (and a definite string's bytes). HR_E_INVALID for
 * malformed input or end of input, HR_E_TOO_LARGE past a limit. */
hr_status cbor_next(struct cbor_decoder *d, struct cbor_item *item);

/* For an indefinite array, map or string: true and consumes the break (0xff)
 * when it is next; false otherwise (including on error). */
bool cbor_at_break(struct cbor_decoder *d);

/* Steps over the children of an item just returned by cbor_next (an array's
 * elements, a map's pairs, a tag's content, an indefinite string's chunks);
 * does nothing for other items. Bounded by limits.max_depth. */
hr_status cbor_skip(struct cbor_decoder *d, const struct cbor_item *item);

/* Reads one whole item (cbor_next + cbor_skip). */
hr_status cbor_skip_next(struct cbor_decoder *d);

/* For a string item (definite or indefinite): its complete contents appended to
 * out — the only place the decoder copies. */
hr_status cbor_read_string(struct cbor_decoder *d, const struct cbor_item *item, struct buf *out);

/* The integer value of a CBOR_UINT/CBOR_NEGINT item if it fits int64_t
 * (HR_E_INVALID otherwise, including for other types). */
hr_status cbor_item_int64(const struct cbor_item *item, int64_t *out);

/* True when all input was consumed without error. Sets the latched error to
 * HR_E_INVALID ("trailing bytes") when input remains. */
hr_status cbor_decoder_finish(struct cbor_decoder *d);

/* Bytes not yet read. */
size_t cbor_decoder_remaining(const struct cbor_decoder *d);

/* A sentence for the latched error: "truncated item at offset 12". */
void cbor_decoder_describe(const struct cbor_decoder *d, char *out, size_t size);

/* Latches an error found by a layer above (a COSE or CWT parser, the JSON
 * converter: "unexpected type"), unless one is latched already; reason must be
 * static text. Returns the latched status. */
hr_status cbor_decoder_fail(struct cbor_decoder *d, hr_status status, size_t offset,
			    const char *reason);

/* --- encoding (shortest form heads, RFC 8949 §4.2.1) ------------------------- */

void cbor_put_uint(struct buf *out, uint64_t value);
void cbor_put_int(struct buf *out, int64_t value);
/* The integer -1 - value: all of major type 1, down to -2^64. */
void cbor_put_negint(struct buf *out, uint64_t value);
void cbor_put_bytes(struct buf *out, const void *data, size_t len);
void cbor_put_text(struct buf *out, const char *text, size_t len);
void cbor_put_cstr(struct buf *out, const char *text);
void cbor_put_array(struct buf *out, uint64_t count);
void cbor_put_map(struct buf *out, uint64_t pairs);
void cbor_put_tag(struct buf *out, uint64_t tag);
void cbor_put_bool(struct buf *out, bool value);
void cbor_put_null(struct buf *out);
/* Simple value 0..23 or 32..255 (24..31 latch HR_E_INVALID in out, §3.3). */
void cbor_put_simple(struct buf *out, uint8_t value);
/* The shortest of half, single and double precision that holds value exactly. */
void cbor_put_float(struct buf *out, double value);

#endif
