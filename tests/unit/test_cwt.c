/*
 * test_cwt.c — CWT claims (RFC 8392) as credentials use them (src/credential/cwt.c):
 * cwt_decode's typed reading of iss, iat, exp, nbf, cnf, hcert and the document,
 * and cwt_claims_to_json's rendering of every claim.
 *
 * The published RFC 8392 A.1 claims set first; then the types each known claim
 * must have, NumericDates as integers and as floats (whose fraction is kept),
 * duplicates, the shape of hcert ({1: map}) and of the document claim, the cnf
 * key shown as a JWK, and unknown claims shown under their number.
 */
#include "testkit/testkit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "credential/cbor.h"
#include "credential/cwt.h"

#define CLAIM_LIMIT 4096

static size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int high = -1;

	for (; *hex; hex++) {
		int v;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else
			continue;
		if (high < 0) {
			high = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(high << 4 | v);
		high = -1;
	}
	return n;
}

static struct cwt_claims decode_ok(const struct buf *b)
{
	struct cwt_claims c;
	struct hr_error err = {0};

	assert_int_equal(b->error, HR_OK);
	if (cwt_decode(buf_slice(b), &c, &err) != HR_OK) {
		print_error("refused: %s\n", err.message);
		fail();
	}
	return c;
}

static void assert_refused(const struct buf *b, const char *why)
{
	struct cwt_claims c;
	struct hr_error err = {0};

	assert_int_equal(b->error, HR_OK);
	if (cwt_decode(buf_slice(b), &c, &err) != HR_E_INVALID) {
		print_error("accepted claims that should be refused (%s)\n", why);
		fail();
	}
	assert_string_equal(err.stage, "cose");
	if (strstr(err.message, why) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err.message, why);
		fail();
	}
}

static json_t *to_json_ok(const struct buf *b)
{
	json_t *json = NULL;
	struct hr_error err = {0};

	if (cwt_claims_to_json(buf_slice(b), &json, &err) != HR_OK) {
		print_error("not rendered: %s\n", err.message);
		fail();
	}
	assert_true(json_is_object(json));
	return json;
}

static void assert_json(const json_t *json, const char *expected_text)
{
	json_error_t jerr;
	json_t *expected = json_loads(expected_text, 0, &jerr);

	assert_non_null(expected);
	if (!json_equal(json, expected)) {
		char *got = json_dumps(json, JSON_SORT_KEYS);
		print_error("got      %s\nexpected %s\n", got, expected_text);
		free(got);
		fail();
	}
	json_decref(expected);
}

/* --- RFC 8392 A.1 ------------------------------------------------------------------ */

static const char rfc8392_a1[] =
    "a70175636f61703a2f2f61732e6578616d706c652e636f6d02656572696b77037818636f61703a2f2f6c696768"
    "742e6578616d706c652e636f6d041a5612aeb0051a5610d9f0061a5610d9f007420b71";

static void test_rfc8392_a1_claims_decode_with_their_types(void **state)
{
	uint8_t bytes[128];
	size_t len = hex_decode(rfc8392_a1, bytes, sizeof(bytes));
	struct cwt_claims c;
	struct hr_error err = {0};
	json_t *json = NULL;

	(void)state;
	assert_int_equal(cwt_decode(slice_make(bytes, len), &c, &err), HR_OK);
	assert_true(c.has_iss);
	assert_true(slice_equal_str(c.iss, "coap://as.example.com"));
	assert_true(c.has_exp && c.has_nbf && c.has_iat);
	assert_int_equal(c.exp.seconds, 1444064944);
	assert_int_equal(c.exp.nanos, 0);
	assert_int_equal(c.nbf.seconds, 1443944944);
	assert_int_equal(c.iat.seconds, 1443944944);
	assert_false(c.has_cnf || c.has_hcert || c.has_document);
	assert_int_equal(cwt_claims_to_json(slice_make(bytes, len), &json, &err), HR_OK);
	assert_json(json, "{\"iss\":\"coap://as.example.com\",\"sub\":\"erikw\","
			  "\"aud\":\"coap://light.example.com\",\"exp\":1444064944,"
			  "\"nbf\":1443944944,\"iat\":1443944944,\"cti\":\"C3E\"}");
	json_decref(json);
}

/* --- what an issuer writes ----------------------------------------------------------- */

static const uint8_t key_x[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
				  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t key_y[32] = {0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7, 0xf6, 0xf5,
				  0xf4, 0xf3, 0xf2, 0xf1, 0xf0, 0xef, 0xee, 0xed, 0xec, 0xeb, 0xea,
				  0xe9, 0xe8, 0xe7, 0xe6, 0xe5, 0xe4, 0xe3, 0xe2, 0xe1, 0xe0};

/* cnf {1: COSE_Key {1: kty, -1: crv, -2: x, -3: y}} */
static void put_cnf(struct buf *b, int64_t kty, int64_t crv)
{
	cbor_put_map(b, 1);
	cbor_put_uint(b, 1);
	cbor_put_map(b, 4);
	cbor_put_int(b, 1);
	cbor_put_int(b, kty);
	cbor_put_int(b, -1);
	cbor_put_int(b, crv);
	cbor_put_int(b, -2);
	cbor_put_bytes(b, key_x, 32);
	cbor_put_int(b, -3);
	cbor_put_bytes(b, key_y, 32);
}

/* {"t": "student_card", "v": 1, "given_name": "Олена"} */
static void put_document(struct buf *b)
{
	cbor_put_map(b, 3);
	cbor_put_cstr(b, "t");
	cbor_put_cstr(b, "student_card");
	cbor_put_cstr(b, "v");
	cbor_put_uint(b, 1);
	cbor_put_cstr(b, "given_name");
	cbor_put_cstr(b, "Олена");
}

static void test_decodes_the_claims_an_issuer_writes(void **state)
{
	struct buf b, doc, cnf;
	struct cwt_claims c;
	json_t *json;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	buf_init(&doc, CLAIM_LIMIT);
	buf_init(&cnf, CLAIM_LIMIT);
	put_document(&doc);
	put_cnf(&cnf, 2, 1);
	cbor_put_map(&b, 5);
	cbor_put_uint(&b, CWT_CLAIM_ISS);
	cbor_put_cstr(&b, "UA");
	cwt_put_time(&b, CWT_CLAIM_EXP, 1622570580);
	cwt_put_time(&b, CWT_CLAIM_IAT, 1622570400);
	cbor_put_uint(&b, CWT_CLAIM_CNF);
	buf_append(&b, cnf.data, cnf.len);
	cbor_put_int(&b, CWT_CLAIM_DOCUMENT);
	buf_append(&b, doc.data, doc.len);

	c = decode_ok(&b);
	assert_true(slice_equal_str(c.iss, "UA"));
	assert_int_equal(c.exp.seconds, 1622570580);
	assert_int_equal(c.iat.seconds, 1622570400);
	assert_false(c.has_nbf);
	/* the document and cnf claims are the exact encoded maps */
	assert_true(c.has_document);
	assert_true(slice_equal(c.document, buf_slice(&doc)));
	assert_true(c.has_cnf);
	assert_true(slice_equal(c.cnf, buf_slice(&cnf)));
	assert_false(c.has_hcert);

	json = to_json_ok(&b);
	assert_json(json,
		    "{\"iss\":\"UA\",\"exp\":1622570580,\"iat\":1622570400,"
		    "\"cnf\":{\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-256\","
		    "\"x\":\"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA\","
		    "\"y\":\"__79_Pv6-fj39vX08_Lx8O_u7ezr6uno5-bl5OPi4eA\"}},"
		    "\"document\":{\"t\":\"student_card\",\"v\":1,\"given_name\":\"Олена\"}}");
	json_decref(json);
	buf_clear(&b);
	buf_clear(&doc);
	buf_clear(&cnf);
}

static void test_cwt_put_time_writes_integer_numeric_dates(void **state)
{
	struct buf b;
	struct cwt_claims c;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	cbor_put_map(&b, 2);
	cwt_put_time(&b, CWT_CLAIM_EXP, 1622570400);
	cwt_put_time(&b, CWT_CLAIM_IAT, -86400);
	/* a2 04 1a 60b675a0 06 3a 0001517f */
	assert_int_equal(b.len, 1 + 1 + 5 + 1 + 5);
	assert_memory_equal(b.data, "\xa2\x04\x1a\x60\xb6\x75\xa0\x06\x3a\x00\x01\x51\x7f", 13);
	c = decode_ok(&b);
	assert_int_equal(c.exp.seconds, 1622570400);
	assert_int_equal(c.iat.seconds, -86400);
	buf_clear(&b);
}

/* --- NumericDate --------------------------------------------------------------------- */

static struct hr_time exp_of_float(double value)
{
	struct buf b;
	struct cwt_claims c;

	buf_init(&b, CLAIM_LIMIT);
	cbor_put_map(&b, 1);
	cbor_put_uint(&b, CWT_CLAIM_EXP);
	cbor_put_float(&b, value);
	c = decode_ok(&b);
	assert_true(c.has_exp);
	buf_clear(&b);
	return c.exp;
}

static void test_float_numeric_dates_keep_their_fraction(void **state)
{
	struct hr_time t;
	struct buf b;
	json_t *json;

	(void)state;
	/* RFC 8392 §2: NumericDate may be a float; RFC 7519's seconds-with-fraction */
	t = exp_of_float(1.5); /* half precision on the wire */
	assert_int_equal(t.seconds, 1);
	assert_int_equal(t.nanos, 500000000);
	t = exp_of_float(1622570400.25); /* double */
	assert_int_equal(t.seconds, 1622570400);
	assert_int_equal(t.nanos, 250000000);
	t = exp_of_float(1622570400.0); /* whole, as a float */
	assert_int_equal(t.seconds, 1622570400);
	assert_int_equal(t.nanos, 0);
	t = exp_of_float(65536.0); /* single precision */
	assert_int_equal(t.seconds, 65536);
	assert_int_equal(t.nanos, 0);
	/* before 1970: the seconds round down, the fraction stays positive */
	t = exp_of_float(-1.5);
	assert_int_equal(t.seconds, -2);
	assert_int_equal(t.nanos, 500000000);
	t = exp_of_float(-0.25);
	assert_int_equal(t.seconds, -1);
	assert_int_equal(t.nanos, 750000000);

	/* the JSON rendering keeps the fraction too */
	buf_init(&b, CLAIM_LIMIT);
	cbor_put_map(&b, 2);
	cbor_put_uint(&b, CWT_CLAIM_EXP);
	cbor_put_float(&b, 1622570400.5);
	cbor_put_uint(&b, CWT_CLAIM_IAT);
	cbor_put_float(&b, 1622570220.25);
	json = to_json_ok(&b);
	assert_true(json_is_real(json_object_get(json, "exp")));
	assert_true(json_real_value(json_object_get(json, "exp")) == 1622570400.5);
	assert_true(json_real_value(json_object_get(json, "iat")) == 1622570220.25);
	json_decref(json);
	buf_clear(&b);
}

static void put_one_claim_raw(struct buf *b, int64_t claim, const char *raw, size_t raw_len)
{
	buf_reset(b);
	cbor_put_map(b, 1);
	cbor_put_int(b, claim);
	buf_append(b, raw, raw_len);
}

static void test_refuses_numeric_dates_that_are_not_numbers(void **state)
{
	static const struct {
		const char *raw;
		size_t len;
	} bad[] = {
	    {"\x6a"
	     "1622570400",
	     11},                                        /* text */
	    {"\x44\x60\xb6\x79\xa0", 5},                 /* bytes */
	    {"\xc1\x1a\x60\xb6\x79\xa0", 6},             /* tag 1, RFC 8392 §2 omits it */
	    {"\xf9\x7e\x00", 3},                         /* NaN */
	    {"\xf9\x7c\x00", 3},                         /* +infinity */
	    {"\xfb\x7e\x37\xe4\x3c\x88\x00\x75\x9c", 9}, /* 1e300 */
	    {"\x1b\xff\xff\xff\xff\xff\xff\xff\xff", 9}, /* 2^64 - 1: not an int64 */
	    {"\x3b\x80\x00\x00\x00\x00\x00\x00\x00", 9}, /* -2^63 - 1 */
	    {"\xf5", 1},                                 /* true */
	    {"\xf6", 1},                                 /* null */
	    {"\x80", 1},                                 /* [] */
	    {"\xa0", 1},                                 /* {} */
	};
	static const int64_t claims[] = {CWT_CLAIM_EXP, CWT_CLAIM_IAT, CWT_CLAIM_NBF};
	static const char *const names[] = {"exp", "iat", "nbf"};
	struct buf b;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char why[64];
			put_one_claim_raw(&b, claims[k], bad[i].raw, bad[i].len);
			snprintf(why, sizeof(why), "%s", names[k]);
			assert_refused(&b, why);
		}
	}
	buf_clear(&b);
}

static void test_refuses_iss_that_is_not_text(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	put_one_claim_raw(&b, CWT_CLAIM_ISS, "\x42UA", 3); /* bytes */
	assert_refused(&b, "iss is not a text string");
	put_one_claim_raw(&b, CWT_CLAIM_ISS, "\x18\x2a", 2); /* 42 */
	assert_refused(&b, "iss is not a text string");
	put_one_claim_raw(&b, CWT_CLAIM_ISS, "\x7f\x61U\x61\x41\xff", 6); /* (_ "U", "A") */
	assert_refused(&b, "iss is not a text string");
	put_one_claim_raw(&b, CWT_CLAIM_ISS, "\xf6", 1);
	assert_refused(&b, "iss is not a text string");
	/* an empty text is text */
	put_one_claim_raw(&b, CWT_CLAIM_ISS, "\x60", 1);
	decode_ok(&b);
	buf_clear(&b);
}

/* --- duplicates ---------------------------------------------------------------------- */

static void test_refuses_a_known_claim_twice(void **state)
{
	static const struct {
		int64_t claim;
		const char *value;
		size_t len;
	} known[] = {
	    {CWT_CLAIM_ISS, "\x62UA", 3},    {CWT_CLAIM_EXP, "\x01", 1},
	    {CWT_CLAIM_NBF, "\x01", 1},      {CWT_CLAIM_IAT, "\x01", 1},
	    {CWT_CLAIM_CNF, "\xa0", 1},      {CWT_CLAIM_HCERT, "\xa1\x01\xa0", 3},
	    {CWT_CLAIM_DOCUMENT, "\xa0", 1},
	};
	struct buf b;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		char why[64];
		buf_reset(&b);
		cbor_put_map(&b, 3);
		cbor_put_int(&b, known[i].claim);
		buf_append(&b, known[i].value, known[i].len);
		cbor_put_uint(&b, 99);
		cbor_put_uint(&b, 0);
		cbor_put_int(&b, known[i].claim);
		buf_append(&b, known[i].value, known[i].len);
		snprintf(why, sizeof(why), "claim %lld appears twice", (long long)known[i].claim);
		assert_refused(&b, why);
		/* once is fine */
		buf_reset(&b);
		cbor_put_map(&b, 1);
		cbor_put_int(&b, known[i].claim);
		buf_append(&b, known[i].value, known[i].len);
		decode_ok(&b);
	}
	/* the same key written in a longer (non-preferred) form is still the same key */
	buf_reset(&b);
	cbor_put_map(&b, 2);
	buf_append(&b, "\x01\x62UA", 4);
	buf_append(&b, "\x18\x01\x62PL", 5);
	assert_refused(&b, "claim 1 appears twice");
	/* and in an indefinite-length map */
	buf_reset(&b);
	buf_append(&b, "\xbf\x06\x01\x06\x02\xff", 6);
	assert_refused(&b, "claim 6 appears twice");
	buf_clear(&b);
}

static void test_rendering_refuses_any_claim_twice(void **state)
{
	struct buf b;
	json_t *json = (json_t *)1;
	struct hr_error err = {0};

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	/* an unknown claim twice: RFC 8949 §5.6, a map with duplicate keys is invalid */
	cbor_put_map(&b, 3);
	cbor_put_uint(&b, CWT_CLAIM_ISS);
	cbor_put_cstr(&b, "UA");
	cbor_put_int(&b, -70000);
	cbor_put_uint(&b, 1);
	cbor_put_int(&b, -70000);
	cbor_put_uint(&b, 2);
	assert_int_equal(cwt_claims_to_json(buf_slice(&b), &json, &err), HR_E_INVALID);
	assert_null(json);
	assert_non_null(strstr(err.message, "twice"));
	buf_clear(&b);
}

/*
 * A text-labelled claim is private use: kept for display, never interpreted
 * (cwt.h). Its name must not take the place of a registered claim's in the
 * rendering, or a verifier would show (and check the schema and key usage of)
 * a "document" or "iss" that is not the claim cwt_decode read.
 */
static void test_text_claim_cannot_take_the_place_of_a_known_claim(void **state)
{
	static const char *const names[] = {"iss", "exp",    "iat",   "document", "hcert",
					    "cnf", "1",      "+1",    "01",       " 1",
					    "4",   "-65537", "-0260", "6 "};
	struct buf b;
	struct cwt_claims c;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *json = NULL;
		struct hr_error err = {0};
		hr_status rc;

		buf_reset(&b);
		cbor_put_map(&b, 5);
		cbor_put_uint(&b, CWT_CLAIM_ISS);
		cbor_put_cstr(&b, "UA");
		cwt_put_time(&b, CWT_CLAIM_EXP, 2000);
		cwt_put_time(&b, CWT_CLAIM_IAT, 1000);
		cbor_put_int(&b, CWT_CLAIM_DOCUMENT);
		put_document(&b);
		cbor_put_cstr(&b, names[i]);
		cbor_put_cstr(&b, "PL");
		c = decode_ok(&b);
		assert_true(slice_equal_str(c.iss, "UA"));
		rc = cwt_claims_to_json(buf_slice(&b), &json, &err);
		if (rc == HR_OK) {
			/* if accepted at all, the registered claims are what is shown */
			assert_string_equal(json_string_value(json_object_get(json, "iss")), "UA");
			assert_int_equal(json_integer_value(json_object_get(json, "exp")), 2000);
			assert_int_equal(json_integer_value(json_object_get(json, "iat")), 1000);
			assert_true(json_is_object(json_object_get(json, "document")));
			if (strcmp(names[i], "hcert") == 0 || strcmp(names[i], "cnf") == 0)
				assert_null(json_object_get(json, names[i]));
			json_decref(json);
		} else {
			assert_int_equal(rc, HR_E_INVALID);
			assert_null(json);
		}
	}
	/* without the registered iss, a text claim "1" is not an issuer either */
	buf_reset(&b);
	cbor_put_map(&b, 1);
	cbor_put_cstr(&b, "1");
	cbor_put_cstr(&b, "PL");
	c = decode_ok(&b);
	assert_false(c.has_iss);
	{
		json_t *json = NULL;
		if (cwt_claims_to_json(buf_slice(&b), &json, NULL) == HR_OK) {
			assert_null(json_object_get(json, "iss"));
			json_decref(json);
		}
	}
	buf_clear(&b);
}

/* --- hcert ------------------------------------------------------------------------- */

static void put_hcert_raw(struct buf *b, const char *raw, size_t len)
{
	buf_reset(b);
	cbor_put_map(b, 2);
	cbor_put_uint(b, CWT_CLAIM_ISS);
	cbor_put_cstr(b, "AT");
	cbor_put_int(b, CWT_CLAIM_HCERT);
	buf_append(b, raw, len);
}

static void test_hcert_holds_the_dcc_under_key_1(void **state)
{
	/* {1: {"ver": "1.3.0"}} */
	static const char hcert[] = "\xa1\x01\xa1\x63ver\x65"
				    "1.3.0";
	struct buf b;
	struct cwt_claims c;
	json_t *json;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	put_hcert_raw(&b, hcert, sizeof(hcert) - 1);
	c = decode_ok(&b);
	assert_true(c.has_hcert);
	/* the slice is the inner map, what the DCC schema is checked against */
	assert_int_equal(c.hcert.len, sizeof(hcert) - 1 - 2);
	assert_memory_equal(c.hcert.ptr, hcert + 2, c.hcert.len);
	assert_false(c.has_document);
	/* shown without the {1: ...} wrapper */
	json = to_json_ok(&b);
	assert_json(json, "{\"iss\":\"AT\",\"hcert\":{\"ver\":\"1.3.0\"}}");
	json_decref(json);
	/* an indefinite-length hcert map is the same thing */
	put_hcert_raw(&b, "\xbf\x01\xa0\xff", 4);
	c = decode_ok(&b);
	assert_int_equal(c.hcert.len, 1);
	buf_clear(&b);
}

static void test_refuses_hcert_that_is_not_a_map_of_key_1_to_a_map(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	put_hcert_raw(&b, "\x81\xa0", 2); /* [{}] */
	assert_refused(&b, "hcert claim (-260) is not a map");
	put_hcert_raw(&b, "\x40", 1); /* h'' */
	assert_refused(&b, "hcert claim (-260) is not a map");
	put_hcert_raw(&b, "\xa0", 1); /* {} */
	assert_refused(&b, "hcert claim is empty");
	put_hcert_raw(&b, "\xa1\x02\xa0", 3); /* {2: {}} */
	assert_refused(&b, "exactly key 1");
	put_hcert_raw(&b, "\xa1\x61\x31\xa0", 4); /* {"1": {}} */
	assert_refused(&b, "exactly key 1");
	put_hcert_raw(&b, "\xa2\x01\xa0\x02\xa0", 5); /* {1: {}, 2: {}} */
	assert_refused(&b, "exactly key 1");
	put_hcert_raw(&b, "\xa2\x01\xa0\x01\xa0", 5); /* {1: {}, 1: {}} */
	assert_refused(&b, "key 1 twice");
	put_hcert_raw(&b, "\xa1\x01\x80", 3); /* {1: []} */
	assert_refused(&b, "hcert[1] is not a map");
	put_hcert_raw(&b, "\xa1\x01\x61x", 4); /* {1: "x"} */
	assert_refused(&b, "hcert[1] is not a map");
	put_hcert_raw(&b, "\xa1\x01\xa1\x01", 4); /* {1: {1: <truncated>}} */
	assert_refused(&b, "hcert[1]");
	buf_clear(&b);
}

/* --- document --------------------------------------------------------------------- */

static void test_document_claim_must_be_a_map(void **state)
{
	struct buf b;
	struct cwt_claims c;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	put_one_claim_raw(&b, CWT_CLAIM_DOCUMENT, "\xa1\x61t\x67id_card", 11);
	c = decode_ok(&b);
	assert_true(c.has_document);
	assert_int_equal(c.document.len, 11);
	assert_memory_equal(c.document.ptr, "\xa1\x61t\x67id_card", 11);
	put_one_claim_raw(&b, CWT_CLAIM_DOCUMENT, "\x81\xa0", 2);
	assert_refused(&b, "document claim (-65537) is not a map");
	put_one_claim_raw(&b, CWT_CLAIM_DOCUMENT, "\x67id_card", 8);
	assert_refused(&b, "document claim (-65537) is not a map");
	put_one_claim_raw(&b, CWT_CLAIM_DOCUMENT, "\xf6", 1);
	assert_refused(&b, "document claim (-65537) is not a map");
	put_one_claim_raw(&b, CWT_CLAIM_DOCUMENT, "\xa1\x61t", 3); /* truncated */
	assert_refused(&b, "document claim (-65537) is not a map");
	/* -65536 is another (unknown) claim, not the document */
	put_one_claim_raw(&b, -65536, "\xa0", 1);
	c = decode_ok(&b);
	assert_false(c.has_document);
	buf_clear(&b);
}

/* --- status (65535, draft-ietf-oauth-status-list) ---------------------------------- */

#define STATUS_OK_RAW                                                                              \
	"\xa1\x6b"                                                                                 \
	"status_list\xa2\x63"                                                                      \
	"idx\x18\x4d\x63"                                                                          \
	"uri\x6b"                                                                                  \
	"https://x/l"

static void test_status_claim_names_a_status_list_entry(void **state)
{
	struct buf b;
	struct cwt_claims c;
	json_t *json;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	put_one_claim_raw(&b, 65535, STATUS_OK_RAW, sizeof(STATUS_OK_RAW) - 1);
	c = decode_ok(&b);
	assert_true(c.has_status);
	assert_int_equal(c.status_idx, 77);
	assert_int_equal(c.status_uri.len, 11);
	assert_memory_equal(c.status_uri.ptr, "https://x/l", 11);
	json = to_json_ok(&b);
	assert_json(json,
		    "{\"status\": {\"status_list\": {\"idx\": 77, \"uri\": \"https://x/l\"}}}");
	json_decref(json);
	/* another mechanism only: no status list entry, nothing refused */
	put_one_claim_raw(&b, 65535,
			  "\xa1\x65"
			  "other\x01",
			  8);
	c = decode_ok(&b);
	assert_false(c.has_status);
	buf_clear(&b);
}

static void test_refuses_a_status_claim_of_the_wrong_shape(void **state)
{
	static const struct {
		const char *raw;
		size_t len;
		const char *why;
	} bad[] = {
	    {"\x01", 1, "status claim (65535) is not a map"},
	    {"\xa1\x6b"
	     "status_list\x01",
	     14, "status.status_list is not a map"},
	    {"\xa1\x6b"
	     "status_list\xa2\x63"
	     "idx\x63"
	     "abc\x63"
	     "uri\x61"
	     "u",
	     28, "idx is not one unsigned integer"},
	    {"\xa1\x6b"
	     "status_list\xa2\x63"
	     "idx\x20\x63"
	     "uri\x61"
	     "u",
	     25, "idx is not one unsigned integer"},
	    {"\xa1\x6b"
	     "status_list\xa2\x63"
	     "idx\x01\x63"
	     "uri\x43"
	     "abc",
	     27, "uri is not one text of 1 to 2048 bytes"},
	    {"\xa1\x6b"
	     "status_list\xa2\x63"
	     "idx\x01\x63"
	     "uri\x60",
	     24, "uri is not one text of 1 to 2048 bytes"},
	    {"\xa1\x6b"
	     "status_list\xa1\x63"
	     "idx\x01",
	     19, "status.status_list needs idx and uri"},
	    {"\xa1\x6b"
	     "status_list\xa2\x63"
	     "idx\x01\x63"
	     "idx\x02",
	     24, "idx is not one unsigned integer"},
	    {"\xa1\x6b"
	     "status_list\xa2\x63"
	     "idx\x01",
	     19, "status.status_list is malformed"}, /* truncated */
	};
	struct buf b;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_one_claim_raw(&b, 65535, bad[i].raw, bad[i].len);
		assert_refused(&b, bad[i].why);
	}
	buf_clear(&b);
}

/* --- cnf ------------------------------------------------------------------------- */

static void test_cnf_of_a_p256_key_is_shown_as_a_jwk(void **state)
{
	struct buf b;
	json_t *json, *jwk;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	cbor_put_map(&b, 1);
	cbor_put_uint(&b, CWT_CLAIM_CNF);
	put_cnf(&b, 2, 1);
	json = to_json_ok(&b);
	jwk = json_object_get(json_object_get(json, "cnf"), "jwk");
	assert_non_null(jwk);
	assert_int_equal(json_object_size(jwk), 4);
	assert_string_equal(json_string_value(json_object_get(jwk, "kty")), "EC");
	assert_string_equal(json_string_value(json_object_get(jwk, "crv")), "P-256");
	assert_string_equal(json_string_value(json_object_get(jwk, "x")),
			    "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA");
	assert_string_equal(json_string_value(json_object_get(jwk, "y")),
			    "__79_Pv6-fj39vX08_Lx8O_u7ezr6uno5-bl5OPi4eA");
	json_decref(json);
	buf_clear(&b);
}

static void test_cnf_of_another_key_type_is_shown_as_it_is(void **state)
{
	struct buf b;
	json_t *json, *cnf;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	/* OKP (kty 1), crv Ed25519 (6): not what we bind, shown by number */
	cbor_put_map(&b, 1);
	cbor_put_uint(&b, CWT_CLAIM_CNF);
	put_cnf(&b, 1, 6);
	json = to_json_ok(&b);
	cnf = json_object_get(json, "cnf");
	assert_null(json_object_get(cnf, "jwk"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cnf, "1"), "1")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cnf, "1"), "-1")), 6);
	json_decref(json);
	/* EC2 on P-384 (crv 2) */
	buf_reset(&b);
	cbor_put_map(&b, 1);
	cbor_put_uint(&b, CWT_CLAIM_CNF);
	put_cnf(&b, 2, 2);
	json = to_json_ok(&b);
	assert_null(json_object_get(json_object_get(json, "cnf"), "jwk"));
	json_decref(json);
	/* cnf must be a map */
	put_one_claim_raw(&b, CWT_CLAIM_CNF, "\x80", 1);
	assert_refused(&b, "cnf claim is not a map");
	buf_clear(&b);
}

/* --- unknown claims ----------------------------------------------------------------- */

static void test_unknown_claims_are_shown_by_number(void **state)
{
	struct buf b;
	struct cwt_claims c;
	json_t *json;

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	cbor_put_map(&b, 8);
	cbor_put_uint(&b, CWT_CLAIM_ISS);
	cbor_put_cstr(&b, "PL");
	cbor_put_uint(&b, CWT_CLAIM_SUB);
	cbor_put_cstr(&b, "PL:44051401359");
	cbor_put_uint(&b, CWT_CLAIM_AUD);
	cbor_put_cstr(&b, "verifier");
	cbor_put_uint(&b, CWT_CLAIM_CTI);
	cbor_put_bytes(&b, "\x0b\x71", 2);
	cbor_put_uint(&b, 1000);
	cbor_put_bool(&b, true);
	cbor_put_int(&b, -70000);
	cbor_put_array(&b, 2);
	cbor_put_uint(&b, 1);
	cbor_put_cstr(&b, "two");
	cbor_put_int(&b, -259); /* next to hcert's -260, and not it */
	cbor_put_null(&b);
	cbor_put_cstr(&b, "private");
	cbor_put_cstr(&b, "x");
	c = decode_ok(&b);
	assert_true(slice_equal_str(c.iss, "PL"));
	assert_false(c.has_exp || c.has_iat || c.has_nbf || c.has_hcert || c.has_document ||
		     c.has_cnf);
	json = to_json_ok(&b);
	assert_json(json, "{\"iss\":\"PL\",\"sub\":\"PL:44051401359\",\"aud\":\"verifier\","
			  "\"cti\":\"C3E\",\"1000\":true,\"-70000\":[1,\"two\"],\"-259\":null,"
			  "\"private\":\"x\"}");
	json_decref(json);
	buf_clear(&b);
}

/* --- shape ------------------------------------------------------------------------ */

static void test_refuses_payload_that_is_not_one_map_of_claims(void **state)
{
	struct buf b;
	json_t *json = NULL;
	struct hr_error err = {0};

	(void)state;
	buf_init(&b, CLAIM_LIMIT);
	assert_refused(&b, "payload is not CBOR"); /* empty */
	buf_append(&b, "\x80", 1);
	assert_refused(&b, "not a map of claims");
	assert_int_equal(cwt_claims_to_json(buf_slice(&b), &json, &err), HR_E_INVALID);
	assert_null(json);
	buf_reset(&b);
	buf_append(&b, "\x01", 1);
	assert_refused(&b, "not a map of claims");
	buf_reset(&b);
	buf_append(&b, "\xa1\x01\x62UA\x00", 6); /* trailing byte */
	assert_refused(&b, "bytes after its claims");
	buf_reset(&b);
	buf_append(&b, "\xa2\x01\x62UA", 5); /* a claim missing */
	assert_refused(&b, "malformed");
	buf_reset(&b);
	buf_append(&b, "\xa1\x01\x62U", 4); /* truncated text */
	assert_refused(&b, "CWT");
	buf_reset(&b);
	buf_append(&b, "\xa1\x41\x01\x00", 4); /* a bytes key */
	assert_refused(&b, "neither an integer nor text");
	buf_reset(&b);
	buf_append(&b, "\xa1\xf9\x3c\x00\x00", 5); /* a float key */
	assert_refused(&b, "neither an integer nor text");
	buf_clear(&b);
}

static void test_refuses_every_truncation_of_real_claims(void **state)
{
	uint8_t bytes[128];
	size_t len = hex_decode(rfc8392_a1, bytes, sizeof(bytes));
	struct cwt_claims c;

	(void)state;
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		json_t *json = NULL;
		memcpy(copy, bytes, n);
		assert_int_equal(cwt_decode(slice_make(copy, n), &c, NULL), HR_E_INVALID);
		assert_int_not_equal(cwt_claims_to_json(slice_make(copy, n), &json, NULL), HR_OK);
		assert_null(json);
		free(copy);
	}
}

static void test_time_comparison(void **state)
{
	struct hr_time a = {100, 0}, b = {100, 1}, c = {-1, 999999999}, d = {0, 0};

	(void)state;
	assert_int_equal(hr_time_compare(a, a), 0);
	assert_int_equal(hr_time_compare(a, b), -1);
	assert_int_equal(hr_time_compare(b, a), 1);
	assert_int_equal(hr_time_compare(c, d), -1);
	assert_int_equal(hr_time_compare(d, c), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc8392_a1_claims_decode_with_their_types),
	    cmocka_unit_test(test_decodes_the_claims_an_issuer_writes),
	    cmocka_unit_test(test_cwt_put_time_writes_integer_numeric_dates),
	    cmocka_unit_test(test_float_numeric_dates_keep_their_fraction),
	    cmocka_unit_test(test_refuses_numeric_dates_that_are_not_numbers),
	    cmocka_unit_test(test_refuses_iss_that_is_not_text),
	    cmocka_unit_test(test_refuses_a_known_claim_twice),
	    cmocka_unit_test(test_rendering_refuses_any_claim_twice),
	    cmocka_unit_test(test_text_claim_cannot_take_the_place_of_a_known_claim),
	    cmocka_unit_test(test_hcert_holds_the_dcc_under_key_1),
	    cmocka_unit_test(test_refuses_hcert_that_is_not_a_map_of_key_1_to_a_map),
	    cmocka_unit_test(test_document_claim_must_be_a_map),
	    cmocka_unit_test(test_status_claim_names_a_status_list_entry),
	    cmocka_unit_test(test_refuses_a_status_claim_of_the_wrong_shape),
	    cmocka_unit_test(test_cnf_of_a_p256_key_is_shown_as_a_jwk),
	    cmocka_unit_test(test_cnf_of_another_key_type_is_shown_as_it_is),
	    cmocka_unit_test(test_unknown_claims_are_shown_by_number),
	    cmocka_unit_test(test_refuses_payload_that_is_not_one_map_of_claims),
	    cmocka_unit_test(test_refuses_every_truncation_of_real_claims),
	    cmocka_unit_test(test_time_comparison),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
