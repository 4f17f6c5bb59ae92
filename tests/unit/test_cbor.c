/*
 * test_cbor.c — the CBOR decoder and encoder against RFC 8949: every
 * well-formed example of Appendix A decoded (and re-encoded where the example
 * is the preferred serialization), every malformed example of Appendix F
 * refused, then the limits, the latch, UTF-8, and floats exhaustively.
 */
#include "testkit/testkit.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "credential/cbor.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	unsigned byte;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
		out[i] = (uint8_t)byte;
	}
	return n;
}

static void assert_bytes_hex(const struct buf *b, const char *hex)
{
	uint8_t want[512];
	size_t n = unhex(hex, want, sizeof(want));

	assert_int_equal(b->error, HR_OK);
	assert_int_equal(b->len, n);
	if (n > 0)
		assert_memory_equal(b->data, want, n);
}

/* The shortest %g form that reads back as the same double (diagnostic notation
 * of RFC 8949 §8, near enough for tests). */
static void diag_double(double v, struct buf *out)
{
	char text[40];

	if (isnan(v)) {
		buf_append_str(out, "NaN");
		return;
	}
	if (isinf(v)) {
		buf_append_str(out, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	for (int precision = 1; precision <= 17; precision++) {
		snprintf(text, sizeof(text), "%.*g", precision, v);
		if (strtod(text, NULL) == v)
			break;
	}
	buf_append_str(out, text);
	if (strpbrk(text, ".e") == NULL)
		buf_append_str(out, ".0");
}

static void diag_string(const struct cbor_item *item, struct buf *out)
{
	if (item->type == CBOR_TEXT) {
		buf_printf(out, "\"%.*s\"", (int)item->bytes.len, (const char *)item->bytes.ptr);
		return;
	}
	buf_append_str(out, "h'");
	for (size_t i = 0; i < item->bytes.len; i++)
		buf_printf(out, "%02x", item->bytes.ptr[i]);
	buf_append_str(out, "'");
}

/* Diagnostic notation of an item and its children, through the pull API. */
static void diag_item(struct cbor_decoder *d, const struct cbor_item *item, struct buf *out)
{
	struct cbor_item child;
	uint64_t i, count;

	switch (item->type) {
	case CBOR_UINT:
		buf_printf(out, "%" PRIu64, item->value);
		return;
	case CBOR_NEGINT:
		if (item->value == UINT64_MAX)
			buf_append_str(out, "-18446744073709551616");
		else
			buf_printf(out, "-%" PRIu64, item->value + 1);
		return;
	case CBOR_BYTES:
	case CBOR_TEXT:
		if (!item->indefinite) {
			diag_string(item, out);
			return;
		}
		buf_append_str(out, "(_ ");
		for (i = 0; !cbor_at_break(d); i++) {
			if (cbor_next(d, &child) != HR_OK)
				return;
			buf_append_str(out, i > 0 ? ", " : "");
			diag_string(&child, out);
		}
		buf_append_str(out, ")");
		return;
	case CBOR_ARRAY:
	case CBOR_MAP:
		buf_append_str(out, item->type == CBOR_ARRAY ? "[" : "{");
		if (item->indefinite)
			buf_append_str(out, "_ ");
		count = item->type == CBOR_MAP ? item->value * 2 : item->value;
		for (i = 0; item->indefinite ? !cbor_at_break(d) : i < count; i++) {
			if (cbor_next(d, &child) != HR_OK)
				return;
			if (i > 0)
				buf_append_str(out, item->type == CBOR_MAP && i % 2 ? ": " : ", ");
			diag_item(d, &child, out);
		}
		buf_append_str(out, item->type == CBOR_ARRAY ? "]" : "}");
		return;
	case CBOR_TAG:
		buf_printf(out, "%" PRIu64 "(", item->value);
		if (cbor_next(d, &child) == HR_OK)
			diag_item(d, &child, out);
		buf_append_str(out, ")");
		return;
	case CBOR_SIMPLE:
		switch (item->value) {
		case CBOR_SIMPLE_FALSE:
			buf_append_str(out, "false");
			return;
		case CBOR_SIMPLE_TRUE:
			buf_append_str(out, "true");
			return;
		case CBOR_SIMPLE_NULL:
			buf_append_str(out, "null");
			return;
		case CBOR_SIMPLE_UNDEFINED:
			buf_append_str(out, "undefined");
			return;
		default:
			buf_printf(out, "simple(%" PRIu64 ")", item->value);
			return;
		}
	case CBOR_FLOAT:
		diag_double(item->number, out);
		return;
	}
}

/* Re-encodes an item with the encoder (definite-length items only). */
static void reencode_item(struct cbor_decoder *d, const struct cbor_item *item, struct buf *out)
{
	struct cbor_item child;
	uint64_t i, count;

	assert_false(item->indefinite);
	switch (item->type) {
	case CBOR_UINT:
		cbor_put_uint(out, item->value);
		return;
	case CBOR_NEGINT:
		cbor_put_negint(out, item->value);
		return;
	case CBOR_BYTES:
		cbor_put_bytes(out, item->bytes.ptr, item->bytes.len);
		return;
	case CBOR_TEXT:
		cbor_put_text(out, (const char *)item->bytes.ptr, item->bytes.len);
		return;
	case CBOR_ARRAY:
	case CBOR_MAP:
		if (item->type == CBOR_ARRAY)
			cbor_put_array(out, item->value);
		else
			cbor_put_map(out, item->value);
		count = item->type == CBOR_MAP ? item->value * 2 : item->value;
		for (i = 0; i < count; i++) {
			assert_int_equal(cbor_next(d, &child), HR_OK);
			reencode_item(d, &child, out);
		}
		return;
	case CBOR_TAG:
		cbor_put_tag(out, item->value);
		assert_int_equal(cbor_next(d, &child), HR_OK);
		reencode_item(d, &child, out);
		return;
	case CBOR_SIMPLE:
		cbor_put_simple(out, (uint8_t)item->value);
		return;
	case CBOR_FLOAT:
		cbor_put_float(out, item->number);
		return;
	}
}

struct example {
	const char *hex;
	const char *diag;
	bool preferred; /* the example is the preferred serialization */
};

/* RFC 8949 Appendix A, Table 6, all but the floats (below). */
static const struct example appendix_a[] = {
    {"00", "0", true},
    {"01", "1", true},
    {"0a", "10", true},
    {"17", "23", true},
    {"1818", "24", true},
    {"1819", "25", true},
    {"1864", "100", true},
    {"1903e8", "1000", true},
    {"1a000f4240", "1000000", true},
    {"1b000000e8d4a51000", "1000000000000", true},
    {"1bffffffffffffffff", "18446744073709551615", true},
    {"c249010000000000000000", "2(h'010000000000000000')", true},
    {"3bffffffffffffffff", "-18446744073709551616", true},
    {"c349010000000000000000", "3(h'010000000000000000')", true},
    {"20", "-1", true},
    {"29", "-10", true},
    {"3863", "-100", true},
    {"3903e7", "-1000", true},
    {"f4", "false", true},
    {"f5", "true", true},
    {"f6", "null", true},
    {"f7", "undefined", true},
    {"f0", "simple(16)", true},
    {"f8ff", "simple(255)", true},
    {"c074323031332d30332d32315432303a30343a30305a", "0(\"2013-03-21T20:04:00Z\")", true},
    {"c11a514b67b0", "1(1363896240)", true},
    {"c1fb41d452d9ec200000", "1(1363896240.5)", true},
    {"d74401020304", "23(h'01020304')", true},
    {"d818456449455446", "24(h'6449455446')", true},
    {"d82076687474703a2f2f7777772e6578616d706c652e636f6d", "32(\"http://www.example.com\")", true},
    {"40", "h''", true},
    {"4401020304", "h'01020304'", true},
    {"60", "\"\"", true},
    {"6161", "\"a\"", true},
    {"6449455446", "\"IETF\"", true},
    {"62225c", "\"\"\\\"", true},
    {"62c3bc", "\"\xc3\xbc\"", true},
    {"63e6b0b4", "\"\xe6\xb0\xb4\"", true},
    {"64f0908591", "\"\xf0\x90\x85\x91\"", true},
    {"80", "[]", true},
    {"83010203", "[1, 2, 3]", true},
    {"8301820203820405", "[1, [2, 3], [4, 5]]", true},
    {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
     "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, "
     "25]",
     true},
    {"a0", "{}", true},
    {"a201020304", "{1: 2, 3: 4}", true},
    {"a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}", true},
    {"826161a161626163", "[\"a\", {\"b\": \"c\"}]", true},
    {"a56161614161626142616361436164614461656145",
     "{\"a\": \"A\", \"b\": \"B\", \"c\": \"C\", \"d\": \"D\", \"e\": \"E\"}", true},
    {"5f42010243030405ff", "(_ h'0102', h'030405')", false},
    {"7f657374726561646d696e67ff", "(_ \"strea\", \"ming\")", false},
    {"9fff", "[_ ]", false},
    {"9f018202039f0405ffff", "[_ 1, [2, 3], [_ 4, 5]]", false},
    {"9f01820203820405ff", "[_ 1, [2, 3], [4, 5]]", false},
    {"83018202039f0405ff", "[1, [2, 3], [_ 4, 5]]", false},
    {"83019f0203ff820405", "[1, [_ 2, 3], [4, 5]]", false},
    {"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
     "[_ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, "
     "24, 25]",
     false},
    {"bf61610161629f0203ffff", "{_ \"a\": 1, \"b\": [_ 2, 3]}", false},
    {"826161bf61626163ff", "[\"a\", {_ \"b\": \"c\"}]", false},
    {"bf6346756ef563416d7421ff", "{_ \"Fun\": true, \"Amt\": -2}", false},
};

static void test_rfc8949_appendix_a_decodes_and_reencodes(void **state)
{
	uint8_t data[256];
	struct cbor_decoder d;
	struct cbor_item item;
	struct buf diag, again;
	size_t n;

	(void)state;
	buf_init(&diag, 4096);
	buf_init(&again, 4096);
	for (size_t i = 0; i < sizeof(appendix_a) / sizeof(appendix_a[0]); i++) {
		n = unhex(appendix_a[i].hex, data, sizeof(data));
		buf_reset(&diag);
		cbor_decoder_init(&d, data, n, NULL);
		assert_int_equal(cbor_next(&d, &item), HR_OK);
		diag_item(&d, &item, &diag);
		assert_int_equal(cbor_decoder_finish(&d), HR_OK);
		assert_string_equal(buf_str(&diag), appendix_a[i].diag);

		/* the same input stepped over in one call */
		cbor_decoder_init(&d, data, n, NULL);
		assert_int_equal(cbor_skip_next(&d), HR_OK);
		assert_int_equal(cbor_decoder_finish(&d), HR_OK);

		if (!appendix_a[i].preferred)
			continue;
		buf_reset(&again);
		cbor_decoder_init(&d, data, n, NULL);
		assert_int_equal(cbor_next(&d, &item), HR_OK);
		reencode_item(&d, &item, &again);
		assert_bytes_hex(&again, appendix_a[i].hex);
	}
	buf_clear(&diag);
	buf_clear(&again);
}

struct float_example {
	const char *hex;
	double value;
	bool preferred;
};

static void test_rfc8949_appendix_a_floats(void **state)
{
	const struct float_example floats[] = {
	    {"f90000", 0.0, true},
	    {"f98000", -0.0, true},
	    {"f93c00", 1.0, true},
	    {"fb3ff199999999999a", 1.1, true},
	    {"f93e00", 1.5, true},
	    {"f97bff", 65504.0, true},
	    {"fa47c35000", 100000.0, true},
	    {"fa7f7fffff", 3.4028234663852886e+38, true},
	    {"fb7e37e43c8800759c", 1.0e+300, true},
	    {"f90001", 5.960464477539063e-8, true},
	    {"f90400", 0.00006103515625, true},
	    {"f9c400", -4.0, true},
	    {"fbc010666666666666", -4.1, true},
	    {"f97c00", INFINITY, true},
	    {"f97e00", NAN, true},
	    {"f9fc00", -INFINITY, true},
	    {"fa7f800000", INFINITY, false},
	    {"fa7fc00000", NAN, false},
	    {"faff800000", -INFINITY, false},
	    {"fb7ff0000000000000", INFINITY, false},
	    {"fb7ff8000000000000", NAN, false},
	    {"fbfff0000000000000", -INFINITY, false},
	};
	uint8_t data[16];
	struct cbor_decoder d;
	struct cbor_item item;
	struct buf again;
	size_t n;

	(void)state;
	buf_init(&again, 64);
	for (size_t i = 0; i < sizeof(floats) / sizeof(floats[0]); i++) {
		n = unhex(floats[i].hex, data, sizeof(data));
		cbor_decoder_init(&d, data, n, NULL);
		assert_int_equal(cbor_next(&d, &item), HR_OK);
		assert_int_equal(cbor_decoder_finish(&d), HR_OK);
		assert_int_equal(item.type, CBOR_FLOAT);
		if (isnan(floats[i].value)) {
			assert_true(isnan(item.number));
		} else {
			assert_true(item.number == floats[i].value);
			assert_int_equal(signbit(item.number) != 0, signbit(floats[i].value) != 0);
		}
		buf_reset(&again);
		cbor_put_float(&again, item.number);
		if (floats[i].preferred)
			assert_bytes_hex(&again, floats[i].hex);
		else /* the same value, preferred: half precision */
			assert_int_equal(again.len, 3);
	}
	buf_clear(&again);
}

/* RFC 8949 Appendix F.1: each of these is not well-formed. */
static const char *const appendix_f[] = {
    /* end of input in a head */
    "18",
    "19",
    "1a",
    "1b",
    "1901",
    "1a0102",
    "1b01020304050607",
    "38",
    "58",
    "78",
    "98",
    "9a01ff00",
    "b8",
    "d8",
    "f8",
    "f900",
    "fa0000",
    "fb000000",
    /* definite-length strings with short data */
    "41",
    "61",
    "5affffffff00",
    "5bffffffffffffffff010203",
    "7affffffff00",
    "7b7fffffffffffffff010203",
    /* definite-length maps and arrays not closed with enough items */
    "81",
    "818181818181818181",
    "8200",
    "a1",
    "a20102",
    "a100",
    "a2000000",
    /* tag number not followed by tag content */
    "c0",
    /* indefinite-length strings not closed by a break */
    "5f4100",
    "7f6100",
    /* indefinite-length maps and arrays not closed by a break */
    "9f",
    "9f0102",
    "bf",
    "bf01020102",
    "819f",
    "9f8000",
    "9f9f9f9f9fffffffff",
    "9f819f819f9fffffff",
    /* reserved additional information values */
    "1c",
    "1d",
    "1e",
    "3c",
    "3d",
    "3e",
    "5c",
    "5d",
    "5e",
    "7c",
    "7d",
    "7e",
    "9c",
    "9d",
    "9e",
    "bc",
    "bd",
    "be",
    "dc",
    "dd",
    "de",
    "fc",
    "fd",
    "fe",
    /* reserved two-byte encodings of simple values */
    "f800",
    "f801",
    "f818",
    "f81f",
    /* indefinite-length string chunks not of the correct type */
    "5f00ff",
    "5f21ff",
    "5f6100ff",
    "5f80ff",
    "5fa0ff",
    "5fc000ff",
    "5fe0ff",
    "7f4100ff",
    /* indefinite-length string chunks not definite length */
    "5f5f4100ffff",
    "7f7f6100ffff",
    /* break occurring on its own outside of an indefinite-length item */
    "ff",
    /* break occurring in a definite-length array or map or a tag */
    "81ff",
    "8200ff",
    "a1ff",
    "a1ff00",
    "a100ff",
    "a20000ff",
    "9f81ff",
    "9f829f819f9fffffffff",
    /* break in an indefinite-length map that would lead to an odd number of items */
    "bf00ff",
    "bf000000ff",
    /* major type 0, 1, 6 with additional information 31 */
    "1f",
    "3f",
    "df",
};

static void test_rfc8949_appendix_f_malformed_are_refused(void **state)
{
	uint8_t data[64];
	struct cbor_decoder d;
	char why[128];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(appendix_f) / sizeof(appendix_f[0]); i++) {
		n = unhex(appendix_f[i], data, sizeof(data));
		cbor_decoder_init(&d, data, n, NULL);
		cbor_skip_next(&d);
		if (cbor_decoder_finish(&d) != HR_E_INVALID)
			fail_msg("%s: %s", appendix_f[i], hr_status_name(d.error));
		assert_non_null(d.error_reason);
		assert_true(d.error_offset <= n);
		cbor_decoder_describe(&d, why, sizeof(why));
		assert_non_null(strstr(why, " at offset "));
	}
}

static void assert_refused_with(const char *hex, hr_status status, const char *reason)
{
	uint8_t data[64];
	struct cbor_decoder d;
	size_t n = unhex(hex, data, sizeof(data));

	cbor_decoder_init(&d, data, n, NULL);
	cbor_skip_next(&d);
	assert_int_equal(cbor_decoder_finish(&d), status);
	assert_string_equal(d.error_reason, reason);
}

static void test_reasons_name_the_malformation(void **state)
{
	(void)state;
	assert_refused_with("1901", HR_E_INVALID, "truncated item");
	assert_refused_with("1c", HR_E_INVALID, "reserved additional information");
	assert_refused_with("ff", HR_E_INVALID, "unexpected break");
	assert_refused_with("1f", HR_E_INVALID, "indefinite length on an integer or tag");
	assert_refused_with("f818", HR_E_INVALID, "simple value below 32 in two bytes");
	assert_refused_with("5f6100ff", HR_E_INVALID, "string chunk of another major type");
	assert_refused_with("5f5f4100ffff", HR_E_INVALID, "indefinite-length string chunk");
	assert_refused_with("5f4100", HR_E_INVALID, "indefinite-length string without a break");
	assert_refused_with("bf00ff", HR_E_INVALID, "break in place of a map value");
	assert_refused_with("a1ff00", HR_E_INVALID, "unexpected break");
	assert_refused_with("0102", HR_E_INVALID, "trailing bytes");
	assert_refused_with("", HR_E_INVALID, "unexpected end of input");
}

static void test_declared_length_trap_is_refused_before_any_allocation(void **state)
{
	/* DESIGN.md §9: these five bytes make libcbor 0.8 malloc 2 GiB. */
	const uint8_t trap[] = {0x9a, 0x10, 0x00, 0x00, 0x00};
	struct cbor_decoder d;
	struct cbor_item item;

	(void)state;
	cbor_decoder_init(&d, trap, sizeof(trap), NULL);
	assert_int_equal(cbor_next(&d, &item), HR_E_INVALID);
	assert_string_equal(d.error_reason, "array count larger than the remaining input");
	assert_int_equal(d.error_offset, 0);
	/* the same for maps (two bytes a pair), strings and huge 64-bit counts */
	assert_refused_with("bb7fffffffffffffff", HR_E_INVALID,
			    "map count larger than the remaining input");
	assert_refused_with("a20102", HR_E_INVALID, "map count larger than the remaining input");
	assert_refused_with("83010283", HR_E_INVALID,
			    "array count larger than the remaining input");
	assert_refused_with("5bffffffffffffffff01", HR_E_INVALID,
			    "string longer than the remaining input");
	assert_refused_with("7a00000002ff", HR_E_INVALID, "string longer than the remaining input");
}

static void test_counts_that_just_fit_are_accepted(void **state)
{
	(void)state;
	assert_refused_with("830102", HR_E_INVALID, "array count larger than the remaining input");
	assert_refused_with("a2010203", HR_E_INVALID, "map count larger than the remaining input");
	{
		const uint8_t ok[] = {0x83, 0x01, 0x02, 0x03, 0xa2, 0x01, 0x02, 0x03, 0x04};
		struct cbor_decoder d;

		cbor_decoder_init(&d, ok, sizeof(ok), NULL);
		assert_int_equal(cbor_skip_next(&d), HR_OK);
		assert_int_equal(cbor_skip_next(&d), HR_OK);
		assert_int_equal(cbor_decoder_finish(&d), HR_OK);
	}
}

static void test_invalid_utf8_is_refused_valid_edges_accepted(void **state)
{
	static const char *const bad[] = {
	    "62c080",         /* overlong NUL */
	    "62c1bf",         /* overlong */
	    "63e08080",       /* overlong three-byte */
	    "63e09fbf",       /* overlong U+07FF */
	    "64f0808080",     /* overlong four-byte */
	    "64f08fbfbf",     /* overlong U+FFFF */
	    "63eda080",       /* surrogate U+D800 */
	    "63edbfbf",       /* surrogate U+DFFF */
	    "64f4908080",     /* U+110000 */
	    "64f5808080",     /* lead byte beyond the range */
	    "61ff",           /* never in UTF-8 */
	    "6180",           /* lone continuation */
	    "62e6b0",         /* truncated sequence */
	    "63e6b061",       /* continuation missing */
	    "7f62e6b061b4ff", /* a code point split across chunks (§3.2.3) */
	};
	static const char *const good[] = {
	    "6100",       /* U+0000 is a valid scalar value */
	    "62c280",     /* U+0080 */
	    "62dfbf",     /* U+07FF */
	    "63e0a080",   /* U+0800 */
	    "63ed9fbf",   /* U+D7FF */
	    "63ee8080",   /* U+E000 */
	    "63efbfbf",   /* U+FFFF */
	    "64f0908080", /* U+10000 */
	    "64f48fbfbf", /* U+10FFFF */
	};
	uint8_t data[32];
	struct cbor_decoder d;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = unhex(bad[i], data, sizeof(data));
		cbor_decoder_init(&d, data, n, NULL);
		cbor_skip_next(&d);
		if (cbor_decoder_finish(&d) != HR_E_INVALID)
			fail_msg("accepted %s", bad[i]);
		assert_string_equal(d.error_reason, "invalid UTF-8 in a text string");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		n = unhex(good[i], data, sizeof(data));
		cbor_decoder_init(&d, data, n, NULL);
		cbor_skip_next(&d);
		if (cbor_decoder_finish(&d) != HR_OK)
			fail_msg("refused %s", good[i]);
	}
	/* byte strings carry anything */
	n = unhex("42c080", data, sizeof(data));
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_skip_next(&d), HR_OK);
	/* the offset is the offending byte's */
	n = unhex("8261616461e6b0ff", data, sizeof(data));
	cbor_decoder_init(&d, data, n, NULL);
	cbor_skip_next(&d);
	assert_int_equal(d.error, HR_E_INVALID);
	assert_int_equal(d.error_offset, 5);
}

static void test_half_precision_every_value_decodes_and_reencodes(void **state)
{
	uint8_t data[3] = {0xf9, 0, 0};
	struct cbor_decoder d;
	struct cbor_item item;
	struct buf again;
	unsigned exponent, mantissa;
	double want;

	(void)state;
	buf_init(&again, 16);
	for (uint32_t half = 0; half <= 0xffff; half++) {
		data[1] = (uint8_t)(half >> 8);
		data[2] = (uint8_t)half;
		cbor_decoder_init(&d, data, 3, NULL);
		assert_int_equal(cbor_next(&d, &item), HR_OK);
		/* RFC 8949 Appendix D, written independently of the decoder */
		exponent = half >> 10 & 0x1f;
		mantissa = half & 0x3ff;
		if (exponent == 0)
			want = mantissa * pow(2, -24);
		else if (exponent < 31)
			want = (1 + mantissa / 1024.0) * pow(2, (double)exponent - 15);
		else
			want = mantissa == 0 ? INFINITY : NAN;
		if (half & 0x8000)
			want = -want;
		buf_reset(&again);
		cbor_put_float(&again, item.number);
		assert_int_equal(again.len, 3);
		if (isnan(want)) {
			assert_true(isnan(item.number));
			assert_memory_equal(again.data, "\xf9\x7e\x00", 3);
		} else {
			assert_true(item.number == want);
			assert_int_equal(signbit(item.number) != 0, signbit(want) != 0);
			assert_memory_equal(again.data, data, 3);
		}
	}
	buf_clear(&again);
}

static void assert_float_encodes(double v, const char *hex)
{
	struct buf b;
	struct cbor_decoder d;
	struct cbor_item item;

	buf_init(&b, 16);
	cbor_put_float(&b, v);
	assert_bytes_hex(&b, hex);
	cbor_decoder_init(&d, b.data, b.len, NULL);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_true(item.number == v || (isnan(v) && isnan(item.number)));
	buf_clear(&b);
}

static void test_float_encoder_picks_the_shortest_exact_precision(void **state)
{
	(void)state;
	assert_float_encodes(ldexp(1, -24), "f90001");     /* smallest half subnormal */
	assert_float_encodes(3 * ldexp(1, -24), "f90003"); /* a half subnormal */
	assert_float_encodes(ldexp(1023, -24), "f903ff");  /* largest half subnormal */
	assert_float_encodes(ldexp(1, -25), "fa33000000"); /* below half's range */
	assert_float_encodes(ldexp(3, -25), "fa33c00000"); /* half would round it */
	assert_float_encodes(65504.0, "f97bff");
	assert_float_encodes(65505.0, "fa477fe100");
	assert_float_encodes(65520.0, "fa477ff000"); /* half would round to infinity */
	assert_float_encodes(1.0 + ldexp(1, -10), "f93c01");
	assert_float_encodes(1.0 + ldexp(1, -11), "fa3f801000");
	assert_float_encodes(1.0 + ldexp(1, -23), "fa3f800001");
	assert_float_encodes(1.0 + ldexp(1, -24), "fb3ff0000010000000");
	assert_float_encodes(FLT_MAX, "fa7f7fffff");
	assert_float_encodes(1e39, "fb48078287f49c4a1d"); /* beyond float: no cast overflow */
	assert_float_encodes(-1e39, "fbc8078287f49c4a1d");
	assert_float_encodes(ldexp(1, -149), "fa00000001"); /* float subnormal */
	assert_float_encodes(ldexp(1, -1074), "fb0000000000000001");
	assert_float_encodes(0.1, "fb3fb999999999999a");
	assert_float_encodes(-0.0, "f98000");
	assert_float_encodes(-NAN, "f97e00");
	assert_float_encodes(INFINITY, "f97c00");
	assert_float_encodes(DBL_MAX, "fb7fefffffffffffff");
}

static void test_single_precision_values_round_trip_shortest(void **state)
{
	uint8_t data[5] = {0xfa};
	struct cbor_decoder d;
	struct cbor_item item, back;
	struct buf again;
	unsigned seed = 8949;
	uint32_t bits;

	(void)state;
	buf_init(&again, 16);
	for (int i = 0; i < 200000; i++) {
		bits = (uint32_t)rand_r(&seed) << 16 ^ (uint32_t)rand_r(&seed);
		if (i % 4 == 0)
			bits &= 0xffffe000u; /* often representable in half */
		for (int k = 0; k < 4; k++)
			data[1 + k] = (uint8_t)(bits >> (24 - 8 * k));
		cbor_decoder_init(&d, data, 5, NULL);
		assert_int_equal(cbor_next(&d, &item), HR_OK);
		buf_reset(&again);
		cbor_put_float(&again, item.number);
		assert_true(again.len == 3 || again.len == 5);
		cbor_decoder_init(&d, again.data, again.len, NULL);
		assert_int_equal(cbor_next(&d, &back), HR_OK);
		if (isnan(item.number)) {
			assert_true(isnan(back.number));
			assert_int_equal(again.len, 3);
		} else {
			assert_true(back.number == item.number);
			assert_int_equal(signbit(back.number) != 0, signbit(item.number) != 0);
		}
	}
	buf_clear(&again);
}

static void test_integer_encoder_uses_the_shortest_head(void **state)
{
	static const struct {
		int64_t value;
		const char *hex;
	} ints[] = {
	    {0, "00"},
	    {23, "17"},
	    {24, "1818"},
	    {255, "18ff"},
	    {256, "190100"},
	    {65535, "19ffff"},
	    {65536, "1a00010000"},
	    {4294967295, "1affffffff"},
	    {4294967296, "1b0000000100000000"},
	    {INT64_MAX, "1b7fffffffffffffff"},
	    {-1, "20"},
	    {-24, "37"},
	    {-25, "3818"},
	    {-256, "38ff"},
	    {-257, "390100"},
	    {-260, "390103"},
	    {-65537, "3a00010000"},
	    {INT64_MIN, "3b7fffffffffffffff"},
	};
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		buf_reset(&b);
		cbor_put_int(&b, ints[i].value);
		assert_bytes_hex(&b, ints[i].hex);
	}
	buf_reset(&b);
	cbor_put_uint(&b, UINT64_MAX);
	cbor_put_negint(&b, UINT64_MAX);
	assert_bytes_hex(&b, "1bffffffffffffffff3bffffffffffffffff");
	buf_clear(&b);
}

static void test_encoder_writes_every_type(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 256);
	/* COSE_Sign1 shaped: 18([h'a10126', {4: h'..'}, payload, signature]) */
	cbor_put_tag(&b, 18);
	cbor_put_array(&b, 4);
	cbor_put_bytes(&b, "\xa1\x01\x26", 3);
	cbor_put_map(&b, 1);
	cbor_put_int(&b, 4);
	cbor_put_bytes(&b, "kid", 3);
	cbor_put_cstr(&b, "IETF");
	cbor_put_text(&b, "abc", 2);
	assert_bytes_hex(&b, "d28443a10126a104436b6964644945544662"
			     "6162");
	buf_reset(&b);
	cbor_put_bool(&b, false);
	cbor_put_bool(&b, true);
	cbor_put_null(&b);
	cbor_put_simple(&b, CBOR_SIMPLE_UNDEFINED);
	cbor_put_simple(&b, 16);
	cbor_put_simple(&b, 32);
	cbor_put_simple(&b, 255);
	cbor_put_bytes(&b, NULL, 0);
	assert_bytes_hex(&b, "f4f5f6f7f0f820f8ff40");
	/* 24..31 have no well-formed encoding: the buffer latches */
	cbor_put_simple(&b, 24);
	assert_int_equal(b.error, HR_E_INVALID);
	buf_clear(&b);
	/* the ceiling latches in the buffer, once */
	buf_init(&b, 4);
	cbor_put_cstr(&b, "too long");
	cbor_put_uint(&b, 1);
	assert_int_equal(b.error, HR_E_TOO_LARGE);
	buf_clear(&b);
}

static void test_decodes_cose_sign1_tag_as_libcbor_0_8_cannot(void **state)
{
	uint8_t data[64];
	struct cbor_decoder d;
	struct cbor_item item;
	int64_t label;
	size_t n = unhex("d28443a10126a104420102f6"
			 "4401020304",
			 data, sizeof(data));

	(void)state;
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(item.type, CBOR_TAG);
	assert_int_equal(item.value, 18);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(item.type, CBOR_ARRAY);
	assert_int_equal(item.value, 4);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(item.type, CBOR_BYTES);
	assert_int_equal(item.bytes.len, 3);
	assert_ptr_equal(item.bytes.ptr, data + 3); /* a slice of the input, not a copy */
	assert_int_equal(item.offset, 2);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(item.type, CBOR_MAP);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(cbor_item_int64(&item, &label), HR_OK);
	assert_int_equal(label, 4);
	assert_int_equal(cbor_skip_next(&d), HR_OK); /* the kid */
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(item.type, CBOR_SIMPLE);
	assert_int_equal(item.value, CBOR_SIMPLE_NULL);
	assert_int_equal(cbor_decoder_remaining(&d), 5);
	assert_int_equal(cbor_skip_next(&d), HR_OK);
	assert_int_equal(cbor_decoder_finish(&d), HR_OK);
}

static void test_read_string_joins_chunks_and_respects_the_ceiling(void **state)
{
	uint8_t data[64];
	struct cbor_decoder d;
	struct cbor_item item;
	struct buf out;
	size_t n = unhex("5f42010243030405ff"
			 "7f657374726561646d696e67ff"
			 "4100",
			 data, sizeof(data));

	(void)state;
	buf_init(&out, 64);
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_true(item.indefinite);
	assert_int_equal(cbor_read_string(&d, &item, &out), HR_OK);
	assert_bytes_hex(&out, "0102030405");
	buf_reset(&out);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(cbor_read_string(&d, &item, &out), HR_OK);
	assert_string_equal(buf_str(&out), "streaming");
	buf_reset(&out);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(cbor_read_string(&d, &item, &out), HR_OK);
	assert_bytes_hex(&out, "00");
	assert_int_equal(cbor_decoder_finish(&d), HR_OK);
	buf_clear(&out);

	buf_init(&out, 4);
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(cbor_read_string(&d, &item, &out), HR_E_TOO_LARGE);
	assert_int_equal(d.error, HR_E_TOO_LARGE); /* latched: the position is mid-string */
	buf_clear(&out);

	/* not a string */
	cbor_decoder_init(&d, (const uint8_t *)"\x01", 1, NULL);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	buf_init(&out, 4);
	assert_int_equal(cbor_read_string(&d, &item, &out), HR_E_INVALID);
	buf_clear(&out);
}

static void test_item_limit(void **state)
{
	struct cbor_limits limits = {.max_items = 10};
	uint8_t data[64];
	struct cbor_decoder d;
	size_t n;

	(void)state;
	/* a definite count over the limit is refused at the head */
	n = unhex("8b0102030405060708090a0b", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
	assert_int_equal(d.error_offset, 0);
	/* nine elements and the array: ten items, accepted */
	n = unhex("89010203040506070809", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_skip_next(&d), HR_OK);
	/* an indefinite array is counted as it goes */
	n = unhex("9f0102030405060708090a0bff", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
	assert_string_equal(d.error_reason, "more items than the limit");
	/* maps count both keys and values */
	n = unhex("a60101020203030404050506060707", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
	/* the count is per input: top-level items add up */
	n = unhex("0102030405060708090a0b", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	for (int i = 0; i < 10; i++)
		assert_int_equal(cbor_skip_next(&d), HR_OK);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
}

static void test_string_limit(void **state)
{
	struct cbor_limits limits = {.max_string = 4};
	uint8_t data[64];
	struct cbor_decoder d;
	size_t n;

	(void)state;
	n = unhex("4401020304", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_skip_next(&d), HR_OK);
	n = unhex("450102030405", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
	/* chunks add up */
	n = unhex("5f43010203420405ff", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
	assert_string_equal(d.error_reason, "string longer than the limit");
	/* a length beyond the input is malformed, checked before the limit */
	n = unhex("7a0001000061", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_skip_next(&d), HR_E_INVALID);
}

static size_t nested(uint8_t *data, size_t depth, uint8_t open, const char *close)
{
	size_t n = 0, k = strlen(close) / 2;

	for (size_t i = 0; i < depth; i++)
		data[n++] = open;
	data[n++] = 0x00;
	for (size_t i = 0; i < depth && k > 0; i++)
		n += unhex(close, data + n, k);
	return n;
}

static void test_nesting_beyond_max_depth_is_refused_by_skip(void **state)
{
	static uint8_t data[200000];
	struct cbor_limits limits = {.max_depth = 1000};
	struct cbor_decoder d;
	size_t n;

	(void)state;
	/* default 16: 16 nested arrays are accepted, 17 refused */
	n = nested(data, 16, 0x81, "");
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_skip_next(&d), HR_OK);
	assert_int_equal(cbor_decoder_finish(&d), HR_OK);
	n = nested(data, 17, 0x81, "");
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
	assert_string_equal(d.error_reason, "nesting deeper than the limit");
	/* tags nest too, and indefinite arrays */
	n = nested(data, 17, 0xc6, "");
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
	n = nested(data, 17, 0x9f, "ff");
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
	n = nested(data, 16, 0x9f, "ff");
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_skip_next(&d), HR_OK);
	/* 100000 levels: refused at the limit, no deep recursion */
	n = nested(data, 100000, 0x81, "");
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
	/* a larger max_depth is capped at CBOR_MAX_DEPTH */
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(d.limits.max_depth, CBOR_MAX_DEPTH);
	n = nested(data, CBOR_MAX_DEPTH, 0x81, "");
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_skip_next(&d), HR_OK);
	n = nested(data, CBOR_MAX_DEPTH + 1, 0x81, "");
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_skip_next(&d), HR_E_TOO_LARGE);
}

static void test_errors_latch(void **state)
{
	const uint8_t data[] = {0x01, 0x19, 0x01, 0x02, 0x03};
	struct cbor_decoder d;
	struct cbor_item item;
	char why[64];

	(void)state;
	cbor_decoder_init(&d, data, 3, NULL);
	cbor_decoder_describe(&d, why, sizeof(why));
	assert_string_equal(why, "no error");
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(item.value, 1);
	assert_int_equal(cbor_next(&d, &item), HR_E_INVALID);
	cbor_decoder_describe(&d, why, sizeof(why));
	assert_string_equal(why, "truncated item at offset 1");
	/* every later call reports the first error and does nothing */
	assert_int_equal(cbor_next(&d, &item), HR_E_INVALID);
	assert_false(cbor_at_break(&d));
	assert_int_equal(cbor_skip_next(&d), HR_E_INVALID);
	assert_int_equal(cbor_decoder_fail(&d, HR_E_TOO_LARGE, 9, "later"), HR_E_INVALID);
	assert_int_equal(cbor_decoder_finish(&d), HR_E_INVALID);
	assert_int_equal(d.error_offset, 1);
	assert_string_equal(d.error_reason, "truncated item");

	/* a layer above can latch its own reason */
	cbor_decoder_init(&d, data, 1, NULL);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_int_equal(cbor_decoder_fail(&d, HR_E_INVALID, item.offset, "expected a map"),
			 HR_E_INVALID);
	assert_int_equal(cbor_decoder_finish(&d), HR_E_INVALID);
	cbor_decoder_describe(&d, why, sizeof(why));
	assert_string_equal(why, "expected a map at offset 0");
}

static void test_empty_and_null_input(void **state)
{
	struct cbor_decoder d;
	struct cbor_item item;

	(void)state;
	cbor_decoder_init(&d, NULL, 0, NULL);
	assert_int_equal(cbor_decoder_remaining(&d), 0);
	assert_int_equal(cbor_decoder_finish(&d), HR_OK);
	assert_int_equal(cbor_next(&d, &item), HR_E_INVALID);
	assert_string_equal(d.error_reason, "unexpected end of input");
}

static void test_at_break_only_consumes_a_break(void **state)
{
	const uint8_t data[] = {0x9f, 0x01, 0xff};
	struct cbor_decoder d;
	struct cbor_item item;

	(void)state;
	cbor_decoder_init(&d, data, sizeof(data), NULL);
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_true(item.indefinite);
	assert_false(cbor_at_break(&d));
	assert_int_equal(cbor_next(&d, &item), HR_OK);
	assert_true(cbor_at_break(&d));
	assert_false(cbor_at_break(&d)); /* end of input */
	assert_int_equal(cbor_decoder_finish(&d), HR_OK);
}

static void test_item_int64_range(void **state)
{
	struct cbor_item item = {.type = CBOR_UINT, .value = INT64_MAX};
	int64_t v;

	(void)state;
	assert_int_equal(cbor_item_int64(&item, &v), HR_OK);
	assert_true(v == INT64_MAX);
	item.value = (uint64_t)INT64_MAX + 1;
	assert_int_equal(cbor_item_int64(&item, &v), HR_E_INVALID);
	item.type = CBOR_NEGINT;
	item.value = INT64_MAX;
	assert_int_equal(cbor_item_int64(&item, &v), HR_OK);
	assert_true(v == INT64_MIN);
	item.value = (uint64_t)INT64_MAX + 1;
	assert_int_equal(cbor_item_int64(&item, &v), HR_E_INVALID);
	item.type = CBOR_TEXT;
	item.value = 1;
	assert_int_equal(cbor_item_int64(&item, &v), HR_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc8949_appendix_a_decodes_and_reencodes),
	    cmocka_unit_test(test_rfc8949_appendix_a_floats),
	    cmocka_unit_test(test_rfc8949_appendix_f_malformed_are_refused),
	    cmocka_unit_test(test_reasons_name_the_malformation),
	    cmocka_unit_test(test_declared_length_trap_is_refused_before_any_allocation),
	    cmocka_unit_test(test_counts_that_just_fit_are_accepted),
	    cmocka_unit_test(test_invalid_utf8_is_refused_valid_edges_accepted),
	    cmocka_unit_test(test_half_precision_every_value_decodes_and_reencodes),
	    cmocka_unit_test(test_float_encoder_picks_the_shortest_exact_precision),
	    cmocka_unit_test(test_single_precision_values_round_trip_shortest),
	    cmocka_unit_test(test_integer_encoder_uses_the_shortest_head),
	    cmocka_unit_test(test_encoder_writes_every_type),
	    cmocka_unit_test(test_decodes_cose_sign1_tag_as_libcbor_0_8_cannot),
	    cmocka_unit_test(test_read_string_joins_chunks_and_respects_the_ceiling),
	    cmocka_unit_test(test_item_limit),
	    cmocka_unit_test(test_string_limit),
	    cmocka_unit_test(test_nesting_beyond_max_depth_is_refused_by_skip),
	    cmocka_unit_test(test_errors_latch),
	    cmocka_unit_test(test_empty_and_null_input),
	    cmocka_unit_test(test_at_break_only_consumes_a_break),
	    cmocka_unit_test(test_item_int64_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
