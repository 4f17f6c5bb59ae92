/*
 * cbor.c — CBOR (RFC 8949): a bounded pull decoder and a shortest-form encoder.
 *
 * What: the decoder returns one item head at a time, strings as slices of the
 * input; cbor_skip steps over children. The encoder writes heads in their
 * shortest form and floats in the shortest exact precision (§4.2.1).
 * Why ours: DESIGN.md §9 — libcbor must never decode untrusted input.
 * What never: the decoder never allocates, never reads past the input, never
 * trusts a declared length or count before comparing it with the bytes that
 * remain (each item is at least one byte, so a count larger than the rest of
 * the input is malformed whatever follows), and never goes on after an error:
 * the first one latches with its offset and a static reason. It recurses only
 * in cbor_skip, at most limits.max_depth (<= CBOR_MAX_DEPTH) deep.
 */
#include "credential/cbor.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define CBOR_DEFAULT_MAX_ITEMS  65536
#define CBOR_DEFAULT_MAX_DEPTH  16
#define CBOR_DEFAULT_MAX_STRING (1024 * 1024)

#define CBOR_BREAK 0xff

/* RFC 8949 §3.1: the major types. */
enum {
	CBOR_MAJOR_UINT,
	CBOR_MAJOR_NEGINT,
	CBOR_MAJOR_BYTES,
	CBOR_MAJOR_TEXT,
	CBOR_MAJOR_ARRAY,
	CBOR_MAJOR_MAP,
	CBOR_MAJOR_TAG,
	CBOR_MAJOR_SIMPLE,
};

/* RFC 8949 §3: additional information values with a meaning of their own. */
#define CBOR_AI_1BYTE      24
#define CBOR_AI_2BYTES     25
#define CBOR_AI_4BYTES     26
#define CBOR_AI_8BYTES     27
#define CBOR_AI_INDEFINITE 31

void cbor_decoder_init(struct cbor_decoder *d, const uint8_t *data, size_t len,
		       const struct cbor_limits *limits)
{
	static const uint8_t empty[1];

	if (data == NULL) { /* no arithmetic on a null pointer, even + 0 */
		data = empty;
		len = 0;
	}
	memset(d, 0, sizeof(*d));
	d->start = data;
	d->p = data;
	d->end = data + len;
	if (limits != NULL)
		d->limits = *limits;
	if (d->limits.max_items == 0)
		d->limits.max_items = CBOR_DEFAULT_MAX_ITEMS;
	if (d->limits.max_depth == 0)
		d->limits.max_depth = CBOR_DEFAULT_MAX_DEPTH;
	if (d->limits.max_depth > CBOR_MAX_DEPTH)
		d->limits.max_depth = CBOR_MAX_DEPTH;
	if (d->limits.max_string == 0)
		d->limits.max_string = CBOR_DEFAULT_MAX_STRING;
	d->error = HR_OK;
}

hr_status cbor_decoder_fail(struct cbor_decoder *d, hr_status status, size_t offset,
			    const char *reason)
{
	if (d->error == HR_OK) {
		d->error = status;
		d->error_offset = offset;
		d->error_reason = reason;
	}
	return d->error;
}

static size_t cbor_offset(const struct cbor_decoder *d)
{
	return (size_t)(d->p - d->start);
}

size_t cbor_decoder_remaining(const struct cbor_decoder *d)
{
	return (size_t)(d->end - d->p);
}

/*
 * RFC 3629 §4 (required of text strings by RFC 8949 §3.1): no overlong forms,
 * no surrogates, nothing above U+10FFFF. Returns the index of the first byte
 * of the first invalid sequence, or len when all is valid.
 */
static size_t cbor_utf8_check(const uint8_t *s, size_t len)
{
	size_t i = 0, n, k;
	uint8_t c, lo, hi;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0; /* overlong below U+0800 */
			else if (c == 0xed)
				hi = 0x9f; /* surrogates U+D800..U+DFFF */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90; /* overlong below U+10000 */
			else if (c == 0xf4)
				hi = 0x8f; /* above U+10FFFF */
		} else {
			return i; /* continuation byte, 0xc0, 0xc1 or 0xf5.. */
		}
		if (len - i <= n || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
		i += n + 1;
	}
	return len;
}

/* RFC 8949 §3: the argument that follows the initial byte (ai < 28). */
static hr_status cbor_read_argument(struct cbor_decoder *d, unsigned ai, size_t offset,
				    uint64_t *value)
{
	size_t n, i;

	if (ai < CBOR_AI_1BYTE) {
		*value = ai;
		return HR_OK;
	}
	n = (size_t)1 << (ai - CBOR_AI_1BYTE);
	if (cbor_decoder_remaining(d) < n)
		return cbor_decoder_fail(d, HR_E_INVALID, offset, "truncated item");
	*value = 0;
	for (i = 0; i < n; i++)
		*value = *value << 8 | d->p[i];
	d->p += n;
	return HR_OK;
}

/* RFC 8949 §3.1 major types 2 and 3: len bytes follow the head. */
static hr_status cbor_take_string(struct cbor_decoder *d, unsigned major, uint64_t len,
				  size_t offset, struct slice *out)
{
	size_t bad;

	/* First against the input, so no declared length is ever used unchecked. */
	if (len > cbor_decoder_remaining(d))
		return cbor_decoder_fail(d, HR_E_INVALID, offset,
					 "string longer than the remaining input");
	if (len > d->limits.max_string)
		return cbor_decoder_fail(d, HR_E_TOO_LARGE, offset, "string longer than the limit");
	if (major == CBOR_MAJOR_TEXT && (bad = cbor_utf8_check(d->p, (size_t)len)) != len)
		return cbor_decoder_fail(d, HR_E_INVALID, cbor_offset(d) + bad,
					 "invalid UTF-8 in a text string");
	*out = slice_make(d->p, (size_t)len);
	d->p += len;
	return HR_OK;
}

/*
 * RFC 8949 §3.2.3: the chunks of an indefinite-length string are definite-length
 * strings of the same major type, up to a break. Checked here, looking ahead
 * without consuming, so that the item's head is only returned when the whole
 * string is well-formed and within max_string; the caller then reads the chunks.
 */
static hr_status cbor_check_chunks(struct cbor_decoder *d, unsigned major)
{
	const uint8_t *resume = d->p;
	struct slice chunk;
	uint64_t len, total = 0;
	size_t offset;
	unsigned ai;

	for (;;) {
		offset = cbor_offset(d);
		if (d->p == d->end)
			return cbor_decoder_fail(d, HR_E_INVALID, offset,
						 "indefinite-length string without a break");
		if (*d->p == CBOR_BREAK)
			break;
		if ((unsigned)(*d->p >> 5) != major)
			return cbor_decoder_fail(d, HR_E_INVALID, offset,
						 "string chunk of another major type");
		ai = *d->p & 0x1f;
		if (ai == CBOR_AI_INDEFINITE)
			return cbor_decoder_fail(d, HR_E_INVALID, offset,
						 "indefinite-length string chunk");
		if (ai > CBOR_AI_8BYTES)
			return cbor_decoder_fail(d, HR_E_INVALID, offset,
						 "reserved additional information");
		d->p++;
		if (cbor_read_argument(d, ai, offset, &len) != HR_OK ||
		    cbor_take_string(d, major, len, offset, &chunk) != HR_OK)
			return d->error;
		total += chunk.len; /* each chunk <= the input: no overflow */
		if (total > d->limits.max_string)
			return cbor_decoder_fail(d, HR_E_TOO_LARGE, offset,
						 "string longer than the limit");
	}
	d->p = resume;
	return HR_OK;
}

/* RFC 8949 Appendix D: half precision, subnormals, infinities and NaN included. */
static double cbor_half_to_double(uint16_t half)
{
	unsigned exponent = half >> 10 & 0x1f, mantissa = half & 0x3ff;
	double value;

	if (exponent == 0)
		value = ldexp(mantissa, -24);
	else if (exponent != 31)
		value = ldexp(mantissa + 1024, (int)exponent - 25);
	else
		value = mantissa == 0 ? INFINITY : NAN;
	return half & 0x8000 ? -value : value;
}

/* RFC 8949 §3.3: major type 7. */
static hr_status cbor_take_simple(struct cbor_decoder *d, unsigned ai, uint64_t value,
				  struct cbor_item *item)
{
	uint32_t bits32;
	float single;

	switch (ai) {
	case CBOR_AI_1BYTE:
		/* Table 4: 0..31 in the extra byte are not well-formed. */
		if (value < 32)
			return cbor_decoder_fail(d, HR_E_INVALID, item->offset,
						 "simple value below 32 in two bytes");
		item->type = CBOR_SIMPLE;
		return HR_OK;
	case CBOR_AI_2BYTES:
		item->type = CBOR_FLOAT;
		item->number = cbor_half_to_double((uint16_t)value);
		return HR_OK;
	case CBOR_AI_4BYTES:
		bits32 = (uint32_t)value;
		memcpy(&single, &bits32, sizeof(single));
		item->type = CBOR_FLOAT;
		item->number = single;
		return HR_OK;
	case CBOR_AI_8BYTES:
		item->type = CBOR_FLOAT;
		memcpy(&item->number, &value, sizeof(item->number));
		return HR_OK;
	default:
		item->type = CBOR_SIMPLE;
		return HR_OK;
	}
}

hr_status cbor_next(struct cbor_decoder *d, struct cbor_item *item)
{
	size_t offset = cbor_offset(d), remaining;
	unsigned major, ai;
	uint64_t value = 0;

	memset(item, 0, sizeof(*item));
	item->offset = offset;
	if (d->error != HR_OK)
		return d->error;
	if (d->p == d->end)
		return cbor_decoder_fail(d, HR_E_INVALID, offset, "unexpected end of input");
	if (d->items >= d->limits.max_items)
		return cbor_decoder_fail(d, HR_E_TOO_LARGE, offset, "more items than the limit");
	d->items++;
	major = *d->p >> 5;
	ai = *d->p & 0x1f;
	d->p++;
	if (ai > CBOR_AI_8BYTES && ai < CBOR_AI_INDEFINITE)
		return cbor_decoder_fail(d, HR_E_INVALID, offset,
					 "reserved additional information");
	if (ai == CBOR_AI_INDEFINITE) {
		/* RFC 8949 §3.2: only strings, arrays and maps; 0xff is a break. */
		if (major == CBOR_MAJOR_SIMPLE)
			return cbor_decoder_fail(d, HR_E_INVALID, offset, "unexpected break");
		if (major < CBOR_MAJOR_BYTES || major > CBOR_MAJOR_MAP)
			return cbor_decoder_fail(d, HR_E_INVALID, offset,
						 "indefinite length on an integer or tag");
		item->indefinite = true;
	} else if (cbor_read_argument(d, ai, offset, &value) != HR_OK) {
		return d->error;
	}
	item->value = value;
	remaining = cbor_decoder_remaining(d);
	switch (major) {
	case CBOR_MAJOR_UINT:
		item->type = CBOR_UINT;
		return HR_OK;
	case CBOR_MAJOR_NEGINT:
		item->type = CBOR_NEGINT;
		return HR_OK;
	case CBOR_MAJOR_BYTES:
	case CBOR_MAJOR_TEXT:
		item->type = major == CBOR_MAJOR_BYTES ? CBOR_BYTES : CBOR_TEXT;
		item->bytes = slice_make(d->p, 0);
		if (item->indefinite)
			return cbor_check_chunks(d, major);
		return cbor_take_string(d, major, value, offset, &item->bytes);
	case CBOR_MAJOR_ARRAY:
		item->type = CBOR_ARRAY;
		if (item->indefinite)
			return HR_OK;
		if (value > remaining)
			return cbor_decoder_fail(d, HR_E_INVALID, offset,
						 "array count larger than the remaining input");
		if (value > d->limits.max_items - d->items)
			return cbor_decoder_fail(d, HR_E_TOO_LARGE, offset,
						 "more items than the limit");
		return HR_OK;
	case CBOR_MAJOR_MAP:
		item->type = CBOR_MAP;
		if (item->indefinite)
			return HR_OK;
		if (value > remaining / 2)
			return cbor_decoder_fail(d, HR_E_INVALID, offset,
						 "map count larger than the remaining input");
		if (value > (d->limits.max_items - d->items) / 2)
			return cbor_decoder_fail(d, HR_E_TOO_LARGE, offset,
						 "more items than the limit");
		return HR_OK;
	case CBOR_MAJOR_TAG:
		item->type = CBOR_TAG;
		return HR_OK;
	default:
		return cbor_take_simple(d, ai, value, item);
	}
}

bool cbor_at_break(struct cbor_decoder *d)
{
	if (d->error != HR_OK || d->p == d->end || *d->p != CBOR_BREAK)
		return false;
	d->p++;
	return true;
}

static hr_status cbor_skip_children(struct cbor_decoder *d, const struct cbor_item *item,
				    unsigned depth)
{
	struct cbor_item child;
	uint64_t count, i;

	if (d->error != HR_OK)
		return d->error;
	switch (item->type) {
	case CBOR_BYTES:
	case CBOR_TEXT:
		/* The chunks were checked with the head: definite, same type. */
		if (item->indefinite)
			while (!cbor_at_break(d))
				if (cbor_next(d, &child) != HR_OK)
					return d->error;
		return d->error;
	case CBOR_ARRAY:
		count = item->value;
		break;
	case CBOR_MAP:
		count = item->value * 2; /* value <= input length / 2 */
		break;
	case CBOR_TAG:
		count = 1;
		break;
	default:
		return HR_OK;
	}
	if (depth >= d->limits.max_depth)
		return cbor_decoder_fail(d, HR_E_TOO_LARGE, item->offset,
					 "nesting deeper than the limit");
	if (item->indefinite) {
		for (i = 0; !cbor_at_break(d); i++)
			if (cbor_next(d, &child) != HR_OK ||
			    cbor_skip_children(d, &child, depth + 1) != HR_OK)
				return d->error;
		/* RFC 8949 §3.2.2: a break where a map value should be. */
		if (item->type == CBOR_MAP && i % 2 != 0)
			return cbor_decoder_fail(d, HR_E_INVALID, cbor_offset(d) - 1,
						 "break in place of a map value");
		return HR_OK;
	}
	for (i = 0; i < count; i++)
		if (cbor_next(d, &child) != HR_OK ||
		    cbor_skip_children(d, &child, depth + 1) != HR_OK)
			return d->error;
	return HR_OK;
}

hr_status cbor_skip(struct cbor_decoder *d, const struct cbor_item *item)
{
	return cbor_skip_children(d, item, 0);
}

hr_status cbor_skip_next(struct cbor_decoder *d)
{
	struct cbor_item item;

	if (cbor_next(d, &item) != HR_OK)
		return d->error;
	return cbor_skip(d, &item);
}

hr_status cbor_read_string(struct cbor_decoder *d, const struct cbor_item *item, struct buf *out)
{
	struct cbor_item chunk;

	if (d->error != HR_OK)
		return d->error;
	if (item->type != CBOR_BYTES && item->type != CBOR_TEXT)
		return cbor_decoder_fail(d, HR_E_INVALID, item->offset, "not a string");
	if (!item->indefinite) {
		if (buf_append(out, item->bytes.ptr, item->bytes.len) != HR_OK)
			return cbor_decoder_fail(d, out->error, item->offset,
						 "string larger than the output buffer");
		return HR_OK;
	}
	while (!cbor_at_break(d)) {
		if (cbor_next(d, &chunk) != HR_OK)
			return d->error;
		if (buf_append(out, chunk.bytes.ptr, chunk.bytes.len) != HR_OK)
			return cbor_decoder_fail(d, out->error, chunk.offset,
						 "string larger than the output buffer");
	}
	return d->error;
}

hr_status cbor_item_int64(const struct cbor_item *item, int64_t *out)
{
	if (item->value > INT64_MAX)
		return HR_E_INVALID;
	if (item->type == CBOR_UINT)
		*out = (int64_t)item->value;
	else if (item->type == CBOR_NEGINT)
		*out = -1 - (int64_t)item->value;
	else
		return HR_E_INVALID;
	return HR_OK;
}

hr_status cbor_decoder_finish(struct cbor_decoder *d)
{
	if (d->error == HR_OK && d->p != d->end)
		cbor_decoder_fail(d, HR_E_INVALID, cbor_offset(d), "trailing bytes");
	return d->error;
}

void cbor_decoder_describe(const struct cbor_decoder *d, char *out, size_t size)
{
	if (size == 0)
		return;
	if (d->error == HR_OK)
		snprintf(out, size, "no error");
	else
		snprintf(out, size, "%s at offset %zu",
			 d->error_reason != NULL ? d->error_reason : hr_status_name(d->error),
			 d->error_offset);
}

/* --- encoding ---------------------------------------------------------------- */

/* RFC 8949 §4.2.1: the argument in the fewest bytes. */
static void cbor_put_head(struct buf *out, unsigned major, uint64_t value)
{
	uint8_t head[9];
	size_t n, i;

	if (value < CBOR_AI_1BYTE) {
		head[0] = (uint8_t)(major << 5 | value);
		buf_append(out, head, 1);
		return;
	}
	if (value <= UINT8_MAX) {
		head[0] = (uint8_t)(major << 5 | CBOR_AI_1BYTE);
		n = 1;
	} else if (value <= UINT16_MAX) {
		head[0] = (uint8_t)(major << 5 | CBOR_AI_2BYTES);
		n = 2;
	} else if (value <= UINT32_MAX) {
		head[0] = (uint8_t)(major << 5 | CBOR_AI_4BYTES);
		n = 4;
	} else {
		head[0] = (uint8_t)(major << 5 | CBOR_AI_8BYTES);
		n = 8;
	}
	for (i = 0; i < n; i++)
		head[1 + i] = (uint8_t)(value >> (8 * (n - 1 - i)));
	buf_append(out, head, 1 + n);
}

void cbor_put_uint(struct buf *out, uint64_t value)
{
	cbor_put_head(out, CBOR_MAJOR_UINT, value);
}

void cbor_put_negint(struct buf *out, uint64_t value)
{
	cbor_put_head(out, CBOR_MAJOR_NEGINT, value);
}

void cbor_put_int(struct buf *out, int64_t value)
{
	if (value >= 0)
		cbor_put_head(out, CBOR_MAJOR_UINT, (uint64_t)value);
	else /* -1 - value, without overflow at INT64_MIN */
		cbor_put_head(out, CBOR_MAJOR_NEGINT, (uint64_t)(-(value + 1)));
}

void cbor_put_bytes(struct buf *out, const void *data, size_t len)
{
	cbor_put_head(out, CBOR_MAJOR_BYTES, len);
	buf_append(out, data, len);
}

void cbor_put_text(struct buf *out, const char *text, size_t len)
{
	cbor_put_head(out, CBOR_MAJOR_TEXT, len);
	buf_append(out, text, len);
}

void cbor_put_cstr(struct buf *out, const char *text)
{
	cbor_put_text(out, text, strlen(text));
}

void cbor_put_array(struct buf *out, uint64_t count)
{
	cbor_put_head(out, CBOR_MAJOR_ARRAY, count);
}

void cbor_put_map(struct buf *out, uint64_t pairs)
{
	cbor_put_head(out, CBOR_MAJOR_MAP, pairs);
}

void cbor_put_tag(struct buf *out, uint64_t tag)
{
	cbor_put_head(out, CBOR_MAJOR_TAG, tag);
}

void cbor_put_simple(struct buf *out, uint8_t value)
{
	/* RFC 8949 §3.3: 24..31 have no well-formed encoding. */
	if (value >= CBOR_AI_1BYTE && value < 32) {
		if (out->error == HR_OK)
			out->error = HR_E_INVALID;
		return;
	}
	cbor_put_head(out, CBOR_MAJOR_SIMPLE, value);
}

void cbor_put_bool(struct buf *out, bool value)
{
	cbor_put_simple(out, value ? CBOR_SIMPLE_TRUE : CBOR_SIMPLE_FALSE);
}

void cbor_put_null(struct buf *out)
{
	cbor_put_simple(out, CBOR_SIMPLE_NULL);
}

/*
 * The half-precision bits of a single-precision value when it is exactly
 * representable (finite, or infinite), false otherwise. NaN is the caller's.
 */
static bool cbor_single_to_half(uint32_t bits, uint16_t *half)
{
	uint16_t sign = (uint16_t)(bits >> 16 & 0x8000);
	unsigned exponent = bits >> 23 & 0xff, shift;
	uint32_t mantissa = bits & 0x7fffff;
	int e;

	if (exponent == 0xff) {
		*half = sign | 0x7c00;
		return mantissa == 0;
	}
	if (exponent == 0) {
		/* Zero; single-precision subnormals are all below half's range. */
		*half = sign;
		return mantissa == 0;
	}
	e = (int)exponent - 127;
	if (e > 15 || e < -24)
		return false;
	if (e >= -14) {
		/* A normal half: 10 of the 23 mantissa bits. */
		if ((mantissa & 0x1fff) != 0)
			return false;
		*half = (uint16_t)(sign | (unsigned)(e + 15) << 10 | mantissa >> 13);
		return true;
	}
	/* A subnormal half, m * 2^-24: the implicit 1 shifted into the mantissa. */
	mantissa |= 0x800000;
	shift = (unsigned)(-1 - e); /* 14..23 */
	if ((mantissa & ((1u << shift) - 1)) != 0)
		return false;
	*half = (uint16_t)(sign | mantissa >> shift);
	return true;
}

/* RFC 8949 §4.2.1 (preferred serialization) and §4.2.2 (NaN as 0xf97e00). */
void cbor_put_float(struct buf *out, double value)
{
	uint8_t item[9];
	uint64_t bits64;
	uint32_t bits32;
	uint16_t half;
	float single;
	size_t i;

	if (isnan(value)) {
		item[0] = 0xf9;
		item[1] = 0x7e;
		item[2] = 0x00;
		buf_append(out, item, 3);
		return;
	}
	/* Out-of-range conversion to float is undefined: check the range first. */
	if (isinf(value) || fabs(value) <= FLT_MAX) {
		single = (float)value;
		if ((double)single == value) {
			memcpy(&bits32, &single, sizeof(bits32));
			if (cbor_single_to_half(bits32, &half)) {
				item[0] = 0xf9;
				item[1] = (uint8_t)(half >> 8);
				item[2] = (uint8_t)half;
				buf_append(out, item, 3);
				return;
			}
			item[0] = 0xfa;
			for (i = 0; i < 4; i++)
				item[1 + i] = (uint8_t)(bits32 >> (24 - 8 * i));
			buf_append(out, item, 5);
			return;
		}
	}
	memcpy(&bits64, &value, sizeof(bits64));
	item[0] = 0xfb;
	for (i = 0; i < 8; i++)
		item[1 + i] = (uint8_t)(bits64 >> (56 - 8 * i));
	buf_append(out, item, 9);
}
