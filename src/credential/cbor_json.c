/*
 * cbor_json.c — CBOR to JSON and back (RFC 8949 §6), for showing decoded claims
 * and for issuing documents written as JSON.
 *
 * What: a recursive walk over the pull decoder building jansson values, and a
 * recursive walk over jansson values calling the encoder, keys sorted.
 * Why this shape: every error goes through the decoder's latch, so the one
 * reason and offset a caller sees is the first thing that went wrong.
 * What never: no conversion that loses or invents meaning — no duplicate key
 * silently dropped, no unknown tag silently unwrapped, no NaN or infinity, no
 * integer outside what jansson holds, no map key that is neither text nor an
 * integer, no text key holding U+0000 (jansson's C-string key functions would
 * take "t\0x" for "t") — and no recursion deeper than the decoder's max_depth
 * (JSON to CBOR: CBOR_JSON_MAX_DEPTH, the decoder's default, so what we encode
 * we can read back).
 */
#include "credential/cbor_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/error.h"

#define CBOR_JSON_MAX_DEPTH 16

/* "-18446744073709551616" and its NUL */
#define CBOR_JSON_DIGITS 22

/* RFC 8949 §3.4: tags that only annotate their content, and what it must be. */
#define CBOR_TAG_DATE_TIME  0    /* RFC 3339 text */
#define CBOR_TAG_EPOCH_TIME 1    /* integer or float seconds */
#define CBOR_TAG_EPOCH_DAYS 100  /* RFC 8943: integer days */
#define CBOR_TAG_FULL_DATE  1004 /* RFC 8943: RFC 3339 full-date text */

static json_t *cbor_json_value(struct cbor_decoder *d, const struct cbor_item *item,
			       unsigned depth);

static json_t *cbor_json_nomem(struct cbor_decoder *d, const struct cbor_item *item)
{
	cbor_decoder_fail(d, HR_E_NOMEM, item->offset, "out of memory");
	return NULL;
}

/* A string item's contents: a slice of the input, or (indefinite) its chunks
 * joined in scratch. */
static bool cbor_json_string(struct cbor_decoder *d, const struct cbor_item *item,
			     struct buf *scratch, struct slice *out)
{
	if (!item->indefinite) {
		*out = item->bytes;
		return true;
	}
	if (cbor_read_string(d, item, scratch) != HR_OK)
		return false;
	*out = buf_slice(scratch);
	return true;
}

static json_t *cbor_json_text(struct cbor_decoder *d, const struct cbor_item *item)
{
	struct buf scratch;
	struct slice s;
	json_t *v = NULL;

	buf_init(&scratch, d->limits.max_string);
	if (cbor_json_string(d, item, &scratch, &s) &&
	    (v = json_stringn((const char *)s.ptr, s.len)) == NULL)
		cbor_json_nomem(d, item);
	buf_clear(&scratch);
	return v;
}

static json_t *cbor_json_bytes(struct cbor_decoder *d, const struct cbor_item *item)
{
	struct buf scratch, text;
	struct slice s;
	json_t *v = NULL;

	buf_init(&scratch, d->limits.max_string);
	buf_init(&text, d->limits.max_string / 3 * 4 + 4);
	/* RFC 8949 §6.1: base64url without padding (RFC 4648 §5). */
	if (cbor_json_string(d, item, &scratch, &s)) {
		if (base64_encode(s.ptr, s.len, BASE64_URL, &text) != HR_OK ||
		    (v = json_stringn(buf_str(&text), text.len)) == NULL)
			cbor_json_nomem(d, item);
	}
	buf_clear(&scratch);
	buf_clear(&text);
	return v;
}

static json_t *cbor_json_array(struct cbor_decoder *d, const struct cbor_item *item, unsigned depth)
{
	struct cbor_item child;
	json_t *array, *v;
	uint64_t i;

	if ((array = json_array()) == NULL)
		return cbor_json_nomem(d, item);
	for (i = 0; item->indefinite ? !cbor_at_break(d) : i < item->value; i++) {
		if (cbor_next(d, &child) != HR_OK ||
		    (v = cbor_json_value(d, &child, depth)) == NULL)
			goto fail;
		if (json_array_append_new(array, v) != 0) {
			cbor_json_nomem(d, &child);
			goto fail;
		}
	}
	return array;
fail:
	json_decref(array);
	return NULL;
}

/*
 * A map key as JSON object key text: text as it is (in scratch when indefinite),
 * an integer as its decimal form in digits (the full range of major types 0 and 1).
 */
static bool cbor_json_key(struct cbor_decoder *d, const struct cbor_item *key, struct buf *scratch,
			  char digits[CBOR_JSON_DIGITS], struct slice *out)
{
	int n;

	switch (key->type) {
	case CBOR_TEXT:
		if (!cbor_json_string(d, key, scratch, out))
			return false;
		/* jansson looks keys up as C strings: "t\0x" would pass for "t". */
		if (out->len > 0 && memchr(out->ptr, 0, out->len) != NULL) {
			cbor_decoder_fail(d, HR_E_INVALID, key->offset,
					  "map key containing U+0000");
			return false;
		}
		return true;
	case CBOR_UINT:
		n = snprintf(digits, CBOR_JSON_DIGITS, "%" PRIu64, key->value);
		break;
	case CBOR_NEGINT:
		if (key->value == UINT64_MAX)
			n = snprintf(digits, CBOR_JSON_DIGITS, "-18446744073709551616");
		else
			n = snprintf(digits, CBOR_JSON_DIGITS, "-%" PRIu64, key->value + 1);
		break;
	default:
		cbor_decoder_fail(d, HR_E_INVALID, key->offset, "map key neither text nor integer");
		return false;
	}
	*out = slice_make(digits, (size_t)n);
	return true;
}

static json_t *cbor_json_object(struct cbor_decoder *d, const struct cbor_item *item,
				unsigned depth)
{
	struct cbor_item key, value;
	char digits[CBOR_JSON_DIGITS];
	struct buf scratch;
	struct slice k;
	json_t *object, *v;
	uint64_t i;

	buf_init(&scratch, d->limits.max_string);
	if ((object = json_object()) == NULL)
		return cbor_json_nomem(d, item);
	for (i = 0; item->indefinite ? !cbor_at_break(d) : i < item->value; i++) {
		buf_reset(&scratch);
		if (cbor_next(d, &key) != HR_OK || !cbor_json_key(d, &key, &scratch, digits, &k))
			goto fail;
		/* RFC 8949 §5.6: a map with duplicate keys is not valid. */
		if (json_object_getn(object, (const char *)k.ptr, k.len) != NULL) {
			cbor_decoder_fail(d, HR_E_INVALID, key.offset, "duplicate map key");
			goto fail;
		}
		/* A break here is refused by cbor_next: no key without a value. */
		if (cbor_next(d, &value) != HR_OK ||
		    (v = cbor_json_value(d, &value, depth)) == NULL)
			goto fail;
		if (json_object_setn_new(object, (const char *)k.ptr, k.len, v) != 0) {
			cbor_json_nomem(d, &value);
			goto fail;
		}
	}
	buf_clear(&scratch);
	return object;
fail:
	buf_clear(&scratch);
	json_decref(object);
	return NULL;
}

static json_t *cbor_json_tag(struct cbor_decoder *d, const struct cbor_item *item, unsigned depth)
{
	struct cbor_item content;
	bool fits;

	if (item->value != CBOR_TAG_DATE_TIME && item->value != CBOR_TAG_FULL_DATE &&
	    item->value != CBOR_TAG_EPOCH_TIME && item->value != CBOR_TAG_EPOCH_DAYS) {
		cbor_decoder_fail(d, HR_E_INVALID, item->offset, "tag with no JSON form");
		return NULL;
	}
	if (cbor_next(d, &content) != HR_OK)
		return NULL;
	switch (item->value) {
	case CBOR_TAG_DATE_TIME:
	case CBOR_TAG_FULL_DATE:
		fits = content.type == CBOR_TEXT;
		break;
	case CBOR_TAG_EPOCH_TIME:
		fits = content.type == CBOR_UINT || content.type == CBOR_NEGINT ||
		       content.type == CBOR_FLOAT;
		break;
	default:
		fits = content.type == CBOR_UINT || content.type == CBOR_NEGINT;
		break;
	}
	if (!fits) {
		cbor_decoder_fail(d, HR_E_INVALID, content.offset, "tag content of the wrong type");
		return NULL;
	}
	return cbor_json_value(d, &content, depth);
}

/* depth: the containers (and tags) around item. */
static json_t *cbor_json_value(struct cbor_decoder *d, const struct cbor_item *item, unsigned depth)
{
	json_t *v;
	int64_t n;

	switch (item->type) {
	case CBOR_UINT:
	case CBOR_NEGINT:
		if (cbor_item_int64(item, &n) != HR_OK) {
			cbor_decoder_fail(d, HR_E_INVALID, item->offset,
					  "integer outside the 64-bit range");
			return NULL;
		}
		v = json_integer(n);
		break;
	case CBOR_BYTES:
		return cbor_json_bytes(d, item);
	case CBOR_TEXT:
		return cbor_json_text(d, item);
	case CBOR_ARRAY:
	case CBOR_MAP:
	case CBOR_TAG:
		if (depth >= d->limits.max_depth) {
			cbor_decoder_fail(d, HR_E_TOO_LARGE, item->offset,
					  "nesting deeper than the limit");
			return NULL;
		}
		if (item->type == CBOR_ARRAY)
			return cbor_json_array(d, item, depth + 1);
		if (item->type == CBOR_MAP)
			return cbor_json_object(d, item, depth + 1);
		return cbor_json_tag(d, item, depth + 1);
	case CBOR_SIMPLE:
		if (item->value == CBOR_SIMPLE_FALSE || item->value == CBOR_SIMPLE_TRUE)
			v = json_boolean(item->value == CBOR_SIMPLE_TRUE);
		else if (item->value == CBOR_SIMPLE_NULL || item->value == CBOR_SIMPLE_UNDEFINED)
			v = json_null();
		else {
			cbor_decoder_fail(d, HR_E_INVALID, item->offset,
					  "simple value with no JSON form");
			return NULL;
		}
		break;
	case CBOR_FLOAT:
		if (!isfinite(item->number)) {
			cbor_decoder_fail(d, HR_E_INVALID, item->offset,
					  "NaN or infinity has no JSON form");
			return NULL;
		}
		v = json_real(item->number);
		break;
	default:
		cbor_decoder_fail(d, HR_E_INVALID, item->offset, "unknown item type");
		return NULL;
	}
	if (v == NULL)
		return cbor_json_nomem(d, item);
	return v;
}

hr_status cbor_to_json(struct cbor_decoder *d, json_t **out, struct hr_error *err)
{
	struct cbor_item item;
	json_t *v = NULL;

	*out = NULL;
	if (cbor_next(d, &item) == HR_OK)
		v = cbor_json_value(d, &item, 0);
	if (d->error != HR_OK) {
		json_decref(v);
		return hr_error_set(err, d->error, "cbor", "%s at offset %zu",
				    d->error_reason != NULL ? d->error_reason
							    : hr_status_name(d->error),
				    d->error_offset);
	}
	*out = v;
	return HR_OK;
}

/* --- JSON to CBOR ------------------------------------------------------------ */

struct cbor_json_member {
	const char *key;
	size_t len;
	json_t *value;
};

/*
 * RFC 8949 §4.2.1: keys sorted by the bytewise order of their encodings. For
 * text keys that is shorter first, then memcmp: a longer length never has a
 * smaller head (the head grows with the length and is big-endian), and keys of
 * the same length have the same head.
 */
static int cbor_json_member_compare(const void *a, const void *b)
{
	const struct cbor_json_member *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->key, y->key, x->len);
}

static hr_status cbor_json_put(const json_t *value, struct buf *out, unsigned depth,
			       struct hr_error *err);

static hr_status cbor_json_put_object(const json_t *object, struct buf *out, unsigned depth,
				      struct hr_error *err)
{
	struct cbor_json_member *members;
	size_t n = json_object_size(object), i = 0;
	hr_status rc = HR_OK;
	void *iter;

	cbor_put_map(out, n);
	if (n == 0)
		return HR_OK;
	if ((members = calloc(n, sizeof(*members))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, "cbor", "out of memory");
	for (iter = json_object_iter((json_t *)object); iter != NULL && i < n;
	     iter = json_object_iter_next((json_t *)object, iter), i++) {
		members[i].key = json_object_iter_key(iter);
		members[i].len = json_object_iter_key_len(iter);
		members[i].value = json_object_iter_value(iter);
		/* refused on the way back too (cbor_json_key) */
		if (memchr(members[i].key, 0, members[i].len) != NULL) {
			free(members);
			return hr_error_set(err, HR_E_INVALID, "cbor",
					    "an object key contains U+0000");
		}
	}
	qsort(members, i, sizeof(*members), cbor_json_member_compare);
	for (n = i, i = 0; i < n && rc == HR_OK; i++) {
		cbor_put_text(out, members[i].key, members[i].len);
		rc = cbor_json_put(members[i].value, out, depth, err);
	}
	free(members);
	return rc;
}

static hr_status cbor_json_put(const json_t *value, struct buf *out, unsigned depth,
			       struct hr_error *err)
{
	hr_status rc;
	size_t i;
	double real;

	switch (json_typeof(value)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (depth >= CBOR_JSON_MAX_DEPTH)
			return hr_error_set(err, HR_E_TOO_LARGE, "cbor",
					    "JSON nested deeper than %d levels",
					    CBOR_JSON_MAX_DEPTH);
		if (json_is_object(value))
			return cbor_json_put_object(value, out, depth + 1, err);
		cbor_put_array(out, json_array_size(value));
		for (i = 0; i < json_array_size(value); i++)
			if ((rc = cbor_json_put(json_array_get(value, i), out, depth + 1, err)) !=
			    HR_OK)
				return rc;
		return HR_OK;
	case JSON_STRING:
		cbor_put_text(out, json_string_value(value), json_string_length(value));
		return HR_OK;
	case JSON_INTEGER:
		cbor_put_int(out, json_integer_value(value));
		return HR_OK;
	case JSON_REAL:
		real = json_real_value(value);
		if (!isfinite(real))
			return hr_error_set(err, HR_E_INVALID, "cbor",
					    "NaN or infinity cannot be issued");
		cbor_put_float(out, real);
		return HR_OK;
	case JSON_TRUE:
		cbor_put_bool(out, true);
		return HR_OK;
	case JSON_FALSE:
		cbor_put_bool(out, false);
		return HR_OK;
	default:
		cbor_put_null(out);
		return HR_OK;
	}
}

hr_status cbor_from_json(const json_t *value, struct buf *out, struct hr_error *err)
{
	hr_status rc;

	if (value == NULL)
		return hr_error_set(err, HR_E_INVALID, "cbor", "no JSON value");
	if ((rc = cbor_json_put(value, out, 0, err)) != HR_OK)
		return rc;
	if (out->error != HR_OK)
		return hr_error_set(err, out->error, "cbor",
				    "the encoding does not fit in the output buffer");
	return HR_OK;
}
