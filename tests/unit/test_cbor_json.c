/*
 * test_cbor_json.c — CBOR to JSON on a real EU DCC payload (embedded, and the
 * shared vectors when they are there), then each rule of cbor_json.h: integer
 * keys, base64url, date tags, and what is refused; JSON to CBOR determinism and
 * round trips.
 */
#include "testkit/testkit.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "credential/cbor.h"
#include "credential/cbor_json.h"

/* EU DCC test data, AT/2DCode/raw/1.json (Apache-2.0): the hcert payload as
 * issued (indefinite-length maps) and its JSON. */
static const char at1_cbor_hex[] =
    "bf6376657265312e302e30636e616dbf62666e754d7573746572667261752d47c3b6c39f696e67657263666e"
    "74754d5553544552465241553c474f455353494e47455262676e684761627269656c6563676e746847414252"
    "49454c45ff63646f626a313939382d30322d3236617681bf627467693834303533393030366276706a313131"
    "39333439303037626d706c45552f312f32302f31353238626d616d4f52472d31303030333032313562646e01"
    "627364026264746a323032312d30322d313862636f624154626973781b4d696e6973747279206f6620486561"
    "6c74682c2041757374726961626369783155524e3a555643493a30313a41543a313038303738343346393441"
    "45453045453530393346424332353442443831332342ffff";
static const char at1_json[] =
    "{\"ver\":\"1.0.0\",\"nam\":{\"fn\":\"Musterfrau-G\\u00f6\\u00dfinger\","
    "\"fnt\":\"MUSTERFRAU<GOESSINGER\",\"gn\":\"Gabriele\",\"gnt\":\"GABRIELE\"},"
    "\"dob\":\"1998-02-26\",\"v\":[{\"tg\":\"840539006\",\"vp\":\"1119349007\","
    "\"mp\":\"EU/1/20/1528\",\"ma\":\"ORG-100030215\",\"dn\":1,\"sd\":2,\"dt\":\"2021-02-18\","
    "\"co\":\"AT\",\"is\":\"Ministry of Health, Austria\","
    "\"ci\":\"URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B\"}]}";

/* Hex to bytes; spaces are only for reading. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned byte;

	for (; *hex != 0; hex += 2) {
		while (*hex == ' ')
			hex++;
		assert_true(n < cap);
		assert_int_equal(sscanf(hex, "%2x", &byte), 1);
		out[n++] = (uint8_t)byte;
	}
	return n;
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (v == NULL)
		fail_msg("bad JSON in test: %s", jerr.text);
	return v;
}

/* Converts CBOR bytes (one item, nothing after it) and compares with JSON text;
 * with hcert_only, of a whole CWT only the hcert claim (-260 / 1) is compared. */
static void assert_converts_claims(const uint8_t *data, size_t len, const char *want_text,
				   bool hcert_only)
{
	struct cbor_decoder d;
	struct hr_error err;
	json_t *got, *want = parse(want_text), *hcert;
	char *dump;

	cbor_decoder_init(&d, data, len, NULL);
	if (cbor_to_json(&d, &got, &err) != HR_OK)
		fail_msg("%s", err.message);
	assert_int_equal(cbor_decoder_finish(&d), HR_OK);
	if (hcert_only && (hcert = json_object_get(got, "-260")) != NULL) {
		hcert = json_incref(json_object_get(hcert, "1"));
		json_decref(got);
		got = hcert;
	}
	if (!json_equal(got, want)) {
		dump = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
		fail_msg("got %s", dump);
	}
	json_decref(got);
	json_decref(want);
}

static void assert_converts_bytes(const uint8_t *data, size_t len, const char *want_text)
{
	assert_converts_claims(data, len, want_text, false);
}

static void assert_converts(const char *hex, const char *want_text)
{
	uint8_t data[1024];

	assert_converts_bytes(data, unhex(hex, data, sizeof(data)), want_text);
}

static void assert_conversion_refused(const char *hex, hr_status status, const char *reason)
{
	uint8_t data[256];
	size_t n = unhex(hex, data, sizeof(data));
	struct cbor_decoder d;
	struct hr_error err;
	json_t *got = (json_t *)&got; /* must be reset to NULL */

	memset(&err, 0, sizeof(err));
	cbor_decoder_init(&d, data, n, NULL);
	assert_int_equal(cbor_to_json(&d, &got, &err), status);
	assert_null(got);
	assert_string_equal(err.stage, "cbor");
	assert_int_equal(d.error, status); /* latched in the decoder */
	if (reason != NULL)
		assert_string_equal(d.error_reason, reason);
	assert_non_null(strstr(err.message, " at offset "));
}

static void test_converts_an_eu_dcc_payload(void **state)
{
	(void)state;
	assert_converts(at1_cbor_hex, at1_json);
}

/* The one vector whose JSON field disagrees with its own CBOR (upstream data:
 * "sc" and "dr" are two hours apart in the two fields). */
static bool vector_is_inconsistent(const char *path)
{
	return strstr(path, "/FR/2DCode/raw/test_pcr_ok.json") != NULL;
}

static void test_converts_the_shared_dcc_vectors(void **state)
{
	const char *shared = getenv("HROMADA_SHARED_DIR");
	char pattern[512];
	glob_t files;
	json_t *file, *cbor, *json, *expected;
	struct cbor_decoder d;
	uint8_t *data;
	size_t n, hexlen, compared = 0, refused = 0;
	json_error_t jerr;
	char *want;

	(void)state;
	if (shared == NULL)
		skip();
	snprintf(pattern, sizeof(pattern), "%s/vectors/dcc/*/2DCode/raw/*.json", shared);
	if (glob(pattern, 0, NULL, &files) != 0)
		skip();
	for (size_t i = 0; i < files.gl_pathc; i++) {
		file = json_load_file(files.gl_pathv[i], 0, &jerr);
		assert_non_null(file);
		cbor = json_object_get(file, "CBOR");
		json = json_object_get(file, "JSON");
		expected =
		    json_object_get(json_object_get(file, "EXPECTEDRESULTS"), "EXPECTEDDECODE");
		hexlen = json_string_length(cbor);
		if (hexlen == 0 || vector_is_inconsistent(files.gl_pathv[i])) {
			json_decref(file);
			continue;
		}
		data = malloc(hexlen / 2);
		assert_non_null(data);
		n = unhex(json_string_value(cbor), data, hexlen / 2);
		if (json_is_false(expected)) {
			/* a vector that must not decode: refused, whatever the JSON says */
			cbor_decoder_init(&d, data, n, NULL);
			if (cbor_skip_next(&d) == HR_OK && cbor_decoder_finish(&d) == HR_OK)
				fail_msg("%s decoded", files.gl_pathv[i]);
			refused++;
		} else if (json_is_object(json)) {
			/* the CBOR field is the hcert payload, or a whole CWT holding it */
			want = json_dumps(json, JSON_COMPACT);
			assert_converts_claims(data, n, want, true);
			free(want);
			compared++;
		}
		free(data);
		json_decref(file);
	}
	globfree(&files);
	assert_true(compared > 0);
	print_message("%zu DCC vectors converted as their JSON, %zu refused as expected\n",
		      compared, refused);
}

static void test_integer_keys_become_decimal_text(void **state)
{
	struct buf b;
	uint8_t payload[512];
	size_t n = unhex(at1_cbor_hex, payload, sizeof(payload));
	char want[2048];

	(void)state;
	/* a CWT: {1: "AT", 4: 1700000000, 6: 1600000000, -260: {1: hcert}} */
	buf_init(&b, 4096);
	cbor_put_map(&b, 4);
	cbor_put_int(&b, 1);
	cbor_put_cstr(&b, "AT");
	cbor_put_int(&b, 4);
	cbor_put_int(&b, 1700000000);
	cbor_put_int(&b, 6);
	cbor_put_int(&b, 1600000000);
	cbor_put_int(&b, -260);
	cbor_put_map(&b, 1);
	cbor_put_int(&b, 1);
	buf_append(&b, payload, n);
	assert_int_equal(b.error, HR_OK);
	snprintf(want, sizeof(want),
		 "{\"1\":\"AT\",\"4\":1700000000,\"6\":1600000000,\"-260\":{\"1\":%s}}", at1_json);
	assert_converts_bytes(b.data, b.len, want);
	buf_clear(&b);
	/* the whole range of major types 0 and 1 */
	assert_converts("a21bffffffffffffffff013bffffffffffffffff02",
			"{\"18446744073709551615\":1,\"-18446744073709551616\":2}");
	assert_converts("a3000120023a0001000003", "{\"0\":1,\"-1\":2,\"-65537\":3}");
}

static void test_bytes_become_base64url_without_padding(void **state)
{
	(void)state;
	/* RFC 4648 §10, in the URL alphabet of §5 */
	assert_converts("40", "\"\"");
	assert_converts("4166", "\"Zg\"");
	assert_converts("42666f", "\"Zm8\"");
	assert_converts("43666f6f", "\"Zm9v\"");
	assert_converts("44666f6f62", "\"Zm9vYg\"");
	assert_converts("45666f6f6261", "\"Zm9vYmE\"");
	assert_converts("46666f6f626172", "\"Zm9vYmFy\"");
	assert_converts("43fbffbf", "\"-_-_\"");
	assert_converts("42fbff", "\"-_8\"");
	/* an indefinite byte string is joined first */
	assert_converts("5f 42666f 416f 4100 ff", "\"Zm9vAA\"");
}

static void test_date_tags_are_dropped_for_their_content(void **state)
{
	(void)state;
	assert_converts("c074323031332d30332d32315432303a30343a30305a", "\"2013-03-21T20:04:00Z\"");
	assert_converts("c11a514b67b0", "1363896240");
	assert_converts("c1fb41d452d9ec200000", "1363896240.5");
	assert_converts("d903ec6a323032312d30322d3138", "\"2021-02-18\"");
	assert_converts("d8641946a0", "18080");
	assert_converts("a16174c11a514b67b0", "{\"t\":1363896240}");
	/* the content must be what the tag says */
	assert_conversion_refused("c001", HR_E_INVALID, "tag content of the wrong type");
	assert_conversion_refused("c16178", HR_E_INVALID, "tag content of the wrong type");
	assert_conversion_refused("d864f93e00", HR_E_INVALID, "tag content of the wrong type");
	assert_conversion_refused("d903ec40", HR_E_INVALID, "tag content of the wrong type");
	assert_conversion_refused("c0c074323031332d30332d32315432303a30343a30305a", HR_E_INVALID,
				  "tag content of the wrong type");
}

static void test_other_tags_are_refused(void **state)
{
	(void)state;
	assert_conversion_refused("d28440a04040", HR_E_INVALID, "tag with no JSON form");
	assert_conversion_refused("c249010000000000000000", HR_E_INVALID, "tag with no JSON form");
	assert_conversion_refused("d818456449455446", HR_E_INVALID, "tag with no JSON form");
	assert_conversion_refused("d9d9f700", HR_E_INVALID, "tag with no JSON form");
	assert_conversion_refused("a1616182c3410000", HR_E_INVALID, "tag with no JSON form");
}

static void test_duplicate_keys_are_refused(void **state)
{
	(void)state;
	assert_conversion_refused("a2616101616102", HR_E_INVALID, "duplicate map key");
	assert_conversion_refused("a201010102", HR_E_INVALID, "duplicate map key");
	assert_conversion_refused("bf616101616102ff", HR_E_INVALID, "duplicate map key");
	/* 1 and "1" would be the same JSON member */
	assert_conversion_refused("a2 01 01 6131 02", HR_E_INVALID, "duplicate map key");
	assert_conversion_refused("a1 616f a2 0001 0002", HR_E_INVALID, "duplicate map key");
}

static void test_floats_nan_and_infinities(void **state)
{
	(void)state;
	assert_converts("f93e00", "1.5");
	assert_converts("fb3ff199999999999a", "1.1");
	assert_converts("f98000", "-0.0");
	assert_conversion_refused("f97e00", HR_E_INVALID, "NaN or infinity has no JSON form");
	assert_conversion_refused("f97c00", HR_E_INVALID, "NaN or infinity has no JSON form");
	assert_conversion_refused("faff800000", HR_E_INVALID, "NaN or infinity has no JSON form");
	assert_conversion_refused("fb7ff8000000000000", HR_E_INVALID,
				  "NaN or infinity has no JSON form");
	assert_conversion_refused("8201f97e00", HR_E_INVALID, "NaN or infinity has no JSON form");
}

static void test_keys_other_than_text_or_integer_are_refused(void **state)
{
	(void)state;
	assert_conversion_refused("a1 4101 01", HR_E_INVALID, "map key neither text nor integer");
	assert_conversion_refused("a1 80 01", HR_E_INVALID, "map key neither text nor integer");
	assert_conversion_refused("a1f93e0001", HR_E_INVALID, "map key neither text nor integer");
	assert_conversion_refused("a1f501", HR_E_INVALID, "map key neither text nor integer");
	assert_conversion_refused("a1c06001", HR_E_INVALID, "map key neither text nor integer");
	/* C-string key lookups would take "n\0\0" for "n" */
	assert_conversion_refused("a2 616e 00 636e0000 01", HR_E_INVALID,
				  "map key containing U+0000");
	{
		/* in a value U+0000 is kept: jansson strings carry their length */
		const uint8_t nul_value[] = {0xa1, 0x61, 'n', 0x61, 0x00};
		struct cbor_decoder d;
		json_t *v;

		cbor_decoder_init(&d, nul_value, sizeof(nul_value), NULL);
		assert_int_equal(cbor_to_json(&d, &v, NULL), HR_OK);
		assert_int_equal(json_string_length(json_object_get(v, "n")), 1);
		json_decref(v);
	}
	/* an indefinite text key is text */
	assert_converts("a1 7f 6161 6162 ff 01", "{\"ab\":1}");
}

static void test_simple_values_and_integer_range(void **state)
{
	(void)state;
	assert_converts("84f4f5f6f7", "[false,true,null,null]");
	assert_conversion_refused("f0", HR_E_INVALID, "simple value with no JSON form");
	assert_conversion_refused("f8ff", HR_E_INVALID, "simple value with no JSON form");
	assert_converts("1b7fffffffffffffff", "9223372036854775807");
	assert_converts("3b7fffffffffffffff", "-9223372036854775808");
	assert_conversion_refused("1b8000000000000000", HR_E_INVALID,
				  "integer outside the 64-bit range");
	assert_conversion_refused("3b8000000000000000", HR_E_INVALID,
				  "integer outside the 64-bit range");
}

static void test_indefinite_forms_convert(void **state)
{
	(void)state;
	assert_converts("bf6346756ef563416d7421ff", "{\"Fun\":true,\"Amt\":-2}");
	assert_converts("9f018202039f0405ffff", "[1,[2,3],[4,5]]");
	assert_converts("7f657374726561646d696e67ff", "\"streaming\"");
	assert_converts("9fff", "[]");
	assert_converts("bfff", "{}");
}

static void test_malformed_and_oversized_input_is_refused(void **state)
{
	uint8_t deep[64];

	(void)state;
	/* DESIGN.md §9: libcbor mallocs 2 GiB for this */
	assert_conversion_refused("9a10000000", HR_E_INVALID,
				  "array count larger than the remaining input");
	assert_conversion_refused("bf6161ff", HR_E_INVALID, "unexpected break");
	assert_conversion_refused("826161", HR_E_INVALID, "unexpected end of input");
	assert_conversion_refused("62c080", HR_E_INVALID, "invalid UTF-8 in a text string");
	/* depth: 16 nested arrays convert, 17 are refused; tags count */
	memset(deep, 0x81, sizeof(deep));
	deep[16] = 0x00;
	assert_converts_bytes(deep, 17, "[[[[[[[[[[[[[[[[0]]]]]]]]]]]]]]]]");
	assert_conversion_refused("81 81818181818181818181818181818181 00", HR_E_TOO_LARGE,
				  "nesting deeper than the limit");
	assert_conversion_refused("81818181818181818181818181818181 c11a514b67b0", HR_E_TOO_LARGE,
				  "nesting deeper than the limit");
}

static void test_the_decoder_limits_apply(void **state)
{
	struct cbor_limits limits = {.max_items = 3, .max_string = 2};
	uint8_t data[16];
	struct cbor_decoder d;
	json_t *v;
	size_t n;

	(void)state;
	n = unhex("8301020304", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_to_json(&d, &v, NULL), HR_E_TOO_LARGE);
	n = unhex("5f414141424143ff", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_to_json(&d, &v, NULL), HR_E_TOO_LARGE);
	assert_null(v);
	/* integer keys are not strings of the input: max_string does not apply */
	n = unhex("a1 390103 01", data, sizeof(data));
	cbor_decoder_init(&d, data, n, &limits);
	assert_int_equal(cbor_to_json(&d, &v, NULL), HR_OK);
	assert_int_equal(json_integer_value(json_object_get(v, "-260")), 1);
	json_decref(v);
}

static void assert_encodes(const char *json_text, const char *want_hex)
{
	uint8_t want[512];
	size_t n = unhex(want_hex, want, sizeof(want));
	json_t *v = parse(json_text);
	struct buf b;
	struct hr_error err;

	buf_init(&b, 4096);
	if (cbor_from_json(v, &b, &err) != HR_OK)
		fail_msg("%s", err.message);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, want, n);
	buf_clear(&b);
	json_decref(v);
}

static void test_json_to_cbor_types(void **state)
{
	(void)state;
	assert_encodes("0", "00");
	assert_encodes("-260", "390103");
	assert_encodes("-9223372036854775808", "3b7fffffffffffffff");
	assert_encodes("1.5", "f93e00");
	assert_encodes("100000.0", "fa47c35000");
	assert_encodes("0.1", "fb3fb999999999999a");
	assert_encodes("\"\\u00fc\"", "62c3bc");
	assert_encodes("[true,false,null]", "83f5f4f6");
	assert_encodes("{}", "a0");
	assert_encodes("[]", "80");
	assert_encodes("{\"t\":\"id\",\"v\":1}", "a2 6174 626964 6176 01");
}

static void test_json_to_cbor_orders_keys_by_their_encoding(void **state)
{
	static const char *const orders[] = {
	    "{\"b\":1,\"a\":2,\"aa\":3,\"\":4,\"xxxxxxxxxxxxxxxxxxxxxxxx\":5,\"\\u00e9\":6,\"z\":"
	    "7}",
	    "{\"xxxxxxxxxxxxxxxxxxxxxxxx\":5,\"z\":7,\"aa\":3,\"\\u00e9\":6,\"\":4,\"a\":2,\"b\":"
	    "1}",
	    "{\"\\u00e9\":6,\"\":4,\"z\":7,\"b\":1,\"xxxxxxxxxxxxxxxxxxxxxxxx\":5,\"aa\":3,\"a\":"
	    "2}",
	};
	/* "" < "a" < "b" < "z" < "aa" < "é" (c3 a9 sorts after 61 61) < 24 x's (head 78 18) */
	const char *want = "a7 6004 616102 616201 617a07 62616103 62c3a906 7818"
			   "787878787878787878787878787878787878787878787878 05";

	(void)state;
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
		assert_encodes(orders[i], want);
	/* nested objects too */
	assert_encodes("{\"v\":{\"b\":1,\"a\":2},\"t\":[{\"y\":1,\"x\":2}]}",
		       "a2 6174 81 a2 6178 02 6179 01 6176 a2 6161 02 6162 01");
}

static void test_round_trips_json_cbor_json(void **state)
{
	static const char *const docs[] = {
	    at1_json,
	    "{\"t\":\"id-card\",\"v\":1,\"given\":\"\\u0422\\u0430\\u0440\\u0430\\u0441\","
	    "\"born\":\"1814-03-09\",\"n\":[1,-1,1.5,0.1,1e300,-0.0,9223372036854775807],"
	    "\"ok\":true,\"no\":false,\"nothing\":null,\"deep\":{\"a\":{\"b\":{\"c\":[]}}}}",
	};
	struct cbor_decoder d;
	struct buf b, again;
	json_t *v, *back;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		v = parse(docs[i]);
		buf_init(&b, 4096);
		assert_int_equal(cbor_from_json(v, &b, NULL), HR_OK);
		cbor_decoder_init(&d, b.data, b.len, NULL);
		assert_int_equal(cbor_to_json(&d, &back, NULL), HR_OK);
		assert_int_equal(cbor_decoder_finish(&d), HR_OK);
		assert_true(json_equal(v, back));
		/* and the encoding is a fixed point */
		buf_init(&again, 4096);
		assert_int_equal(cbor_from_json(back, &again, NULL), HR_OK);
		assert_int_equal(again.len, b.len);
		assert_memory_equal(again.data, b.data, b.len);
		buf_clear(&again);
		buf_clear(&b);
		json_decref(back);
		json_decref(v);
	}
}

static void test_json_to_cbor_failures(void **state)
{
	struct buf b;
	struct hr_error err;
	json_t *v;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(cbor_from_json(NULL, &b, &err), HR_E_INVALID);
	v = parse("[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]");
	assert_int_equal(cbor_from_json(v, &b, &err), HR_E_TOO_LARGE);
	assert_string_equal(err.stage, "cbor");
	json_decref(v);
	buf_clear(&b);
	buf_init(&b, 8);
	v = json_object();
	json_object_setn_new(v, "t\0x", 3, json_integer(1));
	assert_int_equal(cbor_from_json(v, &b, &err), HR_E_INVALID);
	json_decref(v);
	v = parse("{\"a long key\":1}");
	assert_int_equal(cbor_from_json(v, &b, &err), HR_E_TOO_LARGE);
	json_decref(v);
	buf_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_converts_an_eu_dcc_payload),
	    cmocka_unit_test(test_converts_the_shared_dcc_vectors),
	    cmocka_unit_test(test_integer_keys_become_decimal_text),
	    cmocka_unit_test(test_bytes_become_base64url_without_padding),
	    cmocka_unit_test(test_date_tags_are_dropped_for_their_content),
	    cmocka_unit_test(test_other_tags_are_refused),
	    cmocka_unit_test(test_duplicate_keys_are_refused),
	    cmocka_unit_test(test_floats_nan_and_infinities),
	    cmocka_unit_test(test_keys_other_than_text_or_integer_are_refused),
	    cmocka_unit_test(test_simple_values_and_integer_range),
	    cmocka_unit_test(test_indefinite_forms_convert),
	    cmocka_unit_test(test_malformed_and_oversized_input_is_refused),
	    cmocka_unit_test(test_the_decoder_limits_apply),
	    cmocka_unit_test(test_json_to_cbor_types),
	    cmocka_unit_test(test_json_to_cbor_orders_keys_by_their_encoding),
	    cmocka_unit_test(test_round_trips_json_cbor_json),
	    cmocka_unit_test(test_json_to_cbor_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
