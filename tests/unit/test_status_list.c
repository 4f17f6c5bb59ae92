/*
 * test_status_list.c — Token Status Lists (src/credential/status_list.c,
 * draft-ietf-oauth-status-list): the bit order of the draft's own examples,
 * tokens built by our C and read back, the same tokens read by an independent
 * Python decoder (tests/tools/status_list.py), and every way a token can be
 * wrong: another signer, a changed byte, typ, sub, expiry, bits, a list that
 * inflates past the ceiling, an index beyond the list.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <jansson.h>

#include <hromada/verify.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/http_server.h"
#include "core/json.h"
#include "core/log.h"
#include "credential/issue.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/status_list.h"
#include "credential/trust_list.h"
#include "credential/zlib_codec.h"

#define URI "https://wallet.ua.example/v1/status-lists/7"
#define NOW 1893456000 /* 2030-01-01T00:00:00Z */

static char dir[256];
static struct signer *list_signer, *other_signer;
/* the issuing side of the status stage tests: UA and PL id_card signers */
static struct signer *ua_signer, *pl_signer;

static struct signer *open_signer(const char *sub)
{
	char key[512], cert[512];
	struct signer *s = NULL;
	struct hr_error err = {0};

	snprintf(key, sizeof(key), "%s/%s/key.pem", dir, sub);
	snprintf(cert, sizeof(cert), "%s/%s/cert.pem", dir, sub);
	if (signer_open_files(key, cert, &s, &err) != HR_OK)
		fprintf(stderr, "%s: %s\n", sub, err.message);
	return s;
}

static int setup(void **state)
{
	char path[512];
	struct hr_error err = {0};

	(void)state;
	tk_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/a", dir);
	if (keys_create_trust_signer(path, &err) != HR_OK)
		return -1;
	snprintf(path, sizeof(path), "%s/b", dir);
	if (keys_create_trust_signer(path, &err) != HR_OK)
		return -1;
	list_signer = open_signer("a");
	other_signer = open_signer("b");
	{
		struct keys_country_options ua = {"UA", NULL, NULL, 0}, pl = {"PL", NULL, NULL, 0};
		char ua_dir[300], pl_dir[300];
		snprintf(ua_dir, sizeof(ua_dir), "%s/UA", dir);
		snprintf(pl_dir, sizeof(pl_dir), "%s/PL", dir);
		ua.dir = ua_dir;
		pl.dir = pl_dir;
		if (keys_create_country(&ua, &err) != HR_OK ||
		    keys_create_country(&pl, &err) != HR_OK)
			return -1;
		ua_signer = open_signer("UA/signers/id_card");
		pl_signer = open_signer("PL/signers/id_card");
	}
	return list_signer && other_signer && ua_signer && pl_signer ? 0 : -1;
}

static struct http_server *status_server;

static int teardown(void **state)
{
	(void)state;
	signer_free(list_signer);
	signer_free(other_signer);
	signer_free(ua_signer);
	signer_free(pl_signer);
	if (status_server != NULL)
		http_server_free(status_server);
	tk_rmrf(dir);
	return 0;
}

static const struct signer_cert *cert_a(void)
{
	return signer_certificate(list_signer);
}

/* --- the bit array ------------------------------------------------------------ */

/* draft §4.1: 16 statuses of 1 bit make 0xB9 0xA3, whose zlib form is
 * "eNrbuRgAAhcBXQ" (the draft's lst); 12 statuses of 2 bits make C9 44 F9. */
static void test_bit_order_follows_the_drafts_examples(void **state)
{
	static const unsigned one[16] = {1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1};
	static const unsigned two[12] = {1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3};
	uint8_t a[2] = {0}, b[3] = {0};
	struct buf packed, inflated;
	struct zlib_codec *zlib = zlib_codec_new();

	(void)state;
	for (uint64_t i = 0; i < 16; i++)
		status_list_set(a, sizeof(a), 1, i, one[i]);
	assert_int_equal(a[0], 0xB9);
	assert_int_equal(a[1], 0xA3);
	for (uint64_t i = 0; i < 12; i++)
		status_list_set(b, sizeof(b), 2, i, two[i]);
	assert_int_equal(b[0], 0xC9);
	assert_int_equal(b[1], 0x44);
	assert_int_equal(b[2], 0xF9);
	for (uint64_t i = 0; i < 12; i++)
		assert_int_equal(status_list_get(b, sizeof(b), 2, i), two[i]);
	/* the draft's lst inflates to our bytes */
	buf_init(&packed, 64);
	buf_init(&inflated, 64);
	assert_int_equal(base64_decode("eNrbuRgAAhcBXQ", 14, BASE64_URL, &packed), HR_OK);
	assert_int_equal(zlib_codec_inflate(zlib, packed.data, packed.len, 64, &inflated, NULL),
			 HR_OK);
	assert_int_equal(inflated.len, 2);
	assert_memory_equal(inflated.data, a, 2);
	buf_clear(&packed);
	buf_clear(&inflated);
	zlib_codec_free(zlib);
}

static void test_set_and_get_every_width_without_touching_neighbours(void **state)
{
	static const unsigned widths[] = {1, 2, 4, 8};
	uint8_t bytes[64];

	(void)state;
	for (size_t w = 0; w < 4; w++) {
		unsigned bits = widths[w], max = (1u << bits) - 1;
		uint64_t n = sizeof(bytes) * 8 / bits;
		memset(bytes, 0, sizeof(bytes));
		for (uint64_t i = 0; i < n; i++)
			status_list_set(bytes, sizeof(bytes), bits, i, (unsigned)(i * 7) & max);
		for (uint64_t i = 0; i < n; i++)
			assert_int_equal(status_list_get(bytes, sizeof(bytes), bits, i),
					 (unsigned)(i * 7) & max);
		/* overwrite one in the middle, neighbours unchanged */
		status_list_set(bytes, sizeof(bytes), bits, 5, 0);
		assert_int_equal(status_list_get(bytes, sizeof(bytes), bits, 5), 0);
		assert_int_equal(status_list_get(bytes, sizeof(bytes), bits, 4), (4 * 7) & max);
		assert_int_equal(status_list_get(bytes, sizeof(bytes), bits, 6), (6 * 7) & max);
	}
}

static void test_index_beyond_the_list_has_no_entry_and_changes_nothing(void **state)
{
	uint8_t bytes[4] = {0};

	(void)state;
	assert_int_equal(status_list_get(bytes, sizeof(bytes), 2, 16), STATUS_LIST_NO_ENTRY);
	assert_int_equal(status_list_get(bytes, sizeof(bytes), 2, 15), 0);
	assert_int_equal(status_list_get(bytes, sizeof(bytes), 1, UINT64_MAX),
			 STATUS_LIST_NO_ENTRY);
	assert_int_equal(status_list_get(bytes, sizeof(bytes), 3, 0), STATUS_LIST_NO_ENTRY);
	assert_int_equal(status_list_get(NULL, 0, 1, 0), STATUS_LIST_NO_ENTRY);
	status_list_set(bytes, sizeof(bytes), 8, 4, 0xFF);
	status_list_set(bytes, sizeof(bytes), 1, UINT64_MAX / 2, 1);
	status_list_set(bytes, sizeof(bytes), 5, 0, 1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(bytes[i], 0);
}

/* --- tokens ------------------------------------------------------------------- */

/* A list of n entries of `bits`, entry i set to i % 3 when i % 101 == 0. */
static uint8_t *sample_list(size_t entries, unsigned bits, size_t *len)
{
	uint8_t *bytes;

	*len = (entries * bits + 7) / 8;
	bytes = calloc(1, *len);
	assert_non_null(bytes);
	for (size_t i = 0; i < entries; i += 101)
		status_list_set(bytes, *len, bits, i, (unsigned)(i % 3));
	return bytes;
}

static void build(struct signer *by, const uint8_t *bytes, size_t len, unsigned bits, int64_t exp,
		  int64_t ttl, struct buf *out)
{
	struct hr_error err = {0};

	buf_init(out, STATUS_LIST_MAX_TOKEN_BYTES);
	if (status_list_token_build(by, URI, bytes, len, bits, NOW - 60, exp, ttl, out, &err) !=
	    HR_OK) {
		print_error("not built: %s\n", err.message);
		fail();
	}
}

static void test_built_token_checks_and_reads_back_every_entry(void **state)
{
	size_t len;
	uint8_t *bytes = sample_list(100000, 2, &len);
	struct status_list_token t;
	struct hr_error err = {0};
	uint8_t kid[SIGNER_KID_LEN];
	struct buf token;
	unsigned status;

	(void)state;
	build(list_signer, bytes, len, 2, NOW + 3600, 300, &token);
	assert_int_equal(status_list_token_kid(buf_str(&token), token.len, kid, &err), HR_OK);
	assert_memory_equal(kid, cert_a()->kid, SIGNER_KID_LEN);
	status_list_token_init(&t);
	if (status_list_token_check(buf_str(&token), token.len, cert_a(), URI, NOW, &t, &err) !=
	    HR_OK) {
		print_error("refused: %s\n", err.message);
		fail();
	}
	assert_int_equal(t.bits, 2);
	assert_int_equal(t.iat, NOW - 60);
	assert_int_equal(t.exp, NOW + 3600);
	assert_int_equal(t.ttl, 300);
	assert_true(t.has_kid);
	assert_int_equal(t.list.len, len);
	assert_memory_equal(t.list.data, bytes, len);
	for (uint64_t i = 0; i < 100000; i += 101) {
		assert_int_equal(status_list_token_status(&t, i, &status, &err), HR_OK);
		assert_int_equal(status, i % 3);
	}
	assert_int_equal(status_list_token_status(&t, len * 4, &status, &err), HR_E_NOT_FOUND);
	assert_non_null(strstr(err.message, "none at index"));
	status_list_token_clear(&t);
	buf_clear(&token);
	free(bytes);
}

static void test_token_has_the_drafts_header_and_claims(void **state)
{
	uint8_t bytes[2] = {0xB9, 0xA3};
	struct buf token, part;
	json_t *header, *claims;
	const char *dot1, *dot2;
	struct buf kid64;

	(void)state;
	build(list_signer, bytes, 2, 1, 0, 0, &token);
	dot1 = strchr(buf_str(&token), '.');
	dot2 = strchr(dot1 + 1, '.');
	buf_init(&part, 1 << 16);
	assert_int_equal(
	    base64_decode(buf_str(&token), (size_t)(dot1 - buf_str(&token)), BASE64_URL, &part),
	    HR_OK);
	assert_int_equal(hr_json_parse_object(part.data, part.len, &header, NULL), HR_OK);
	assert_string_equal(json_string_value(json_object_get(header, "alg")), "ES256");
	assert_string_equal(json_string_value(json_object_get(header, "typ")), "statuslist+jwt");
	buf_init(&kid64, 64);
	base64_encode(cert_a()->kid, SIGNER_KID_LEN, BASE64_STANDARD, &kid64);
	assert_string_equal(json_string_value(json_object_get(header, "kid")), buf_str(&kid64));
	buf_reset(&part);
	assert_int_equal(base64_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), BASE64_URL, &part),
			 HR_OK);
	assert_int_equal(hr_json_parse_object(part.data, part.len, &claims, NULL), HR_OK);
	assert_string_equal(json_string_value(json_object_get(claims, "sub")), URI);
	assert_int_equal(json_integer_value(json_object_get(claims, "iat")), NOW - 60);
	assert_null(json_object_get(claims, "exp")); /* 0: left out */
	assert_null(json_object_get(claims, "ttl"));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(claims, "status_list"), "bits")), 1);
	/* the draft's own lst for these two bytes */
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(claims, "status_list"), "lst")),
	    "eNrbuRgAAhcBXQ");
	assert_int_equal(strlen(dot2 + 1), 86); /* ES256: 64 bytes raw r||s */
	json_decref(header);
	json_decref(claims);
	buf_clear(&part);
	buf_clear(&kid64);
	buf_clear(&token);
}

static void assert_token_refused(const char *text, size_t len, const struct signer_cert *cert,
				 const char *uri, int64_t now, hr_status want, const char *why)
{
	struct status_list_token t;
	struct hr_error err = {0};
	hr_status rc;

	status_list_token_init(&t);
	rc = status_list_token_check(text, len, cert, uri, now, &t, &err);
	if (rc != want) {
		print_error("%s: got %s (%s), want %s\n", why, hr_status_name(rc), err.message,
			    hr_status_name(want));
		fail();
	}
	assert_string_equal(err.stage, "status");
	if (strstr(err.message, why) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err.message, why);
		fail();
	}
	assert_int_equal(t.list.len, 0);
	status_list_token_clear(&t);
}

static void test_token_of_another_signer_is_refused(void **state)
{
	uint8_t bytes[16] = {0};
	struct buf token;

	(void)state;
	build(other_signer, bytes, sizeof(bytes), 1, 0, 0, &token);
	assert_token_refused(buf_str(&token), token.len, cert_a(), URI, NOW, HR_E_SIGNATURE,
			     "another signer");
	buf_clear(&token);
}

/* Re-signs header.claims as list_signer would, after a change. */
static void sign_parts(const char *header_json, const char *claims_json, struct buf *out)
{
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);

	buf_init(out, 1 << 20);
	base64_encode(header_json, strlen(header_json), BASE64_URL, out);
	buf_append_byte(out, '.');
	base64_encode(claims_json, strlen(claims_json), BASE64_URL, out);
	assert_int_equal(signer_sign(list_signer, out->data, out->len, sig, &sig_len, NULL), HR_OK);
	buf_append_byte(out, '.');
	base64_encode(sig, sig_len, BASE64_URL, out);
	assert_int_equal(out->error, HR_OK);
}

static void test_changed_byte_is_refused(void **state)
{
	uint8_t bytes[16] = {0};
	struct buf token;
	char *dot;

	(void)state;
	build(list_signer, bytes, sizeof(bytes), 1, 0, 0, &token);
	dot = strchr((char *)token.data, '.');
	dot[5] = dot[5] == 'A' ? 'B' : 'A'; /* inside the claims */
	assert_token_refused(buf_str(&token), token.len, cert_a(), URI, NOW, HR_E_SIGNATURE,
			     "does not verify");
	buf_clear(&token);
}

static void test_wrong_typ_sub_exp_ttl_and_bits_are_refused(void **state)
{
	static const char *const good_header = "{\"alg\":\"ES256\",\"typ\":\"statuslist+jwt\"}";
	static const struct {
		const char *header, *claims;
		hr_status want;
		const char *why;
	} cases[] = {
	    {"{\"alg\":\"ES256\",\"typ\":\"JWT\"}",
	     "{\"sub\":\"" URI
	     "\",\"iat\":1,\"status_list\":{\"bits\":1,\"lst\":\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_INVALID, "typ"},
	    {"{\"alg\":\"ES256\"}",
	     "{\"sub\":\"" URI
	     "\",\"iat\":1,\"status_list\":{\"bits\":1,\"lst\":\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_INVALID, "typ"},
	    {"{\"alg\":\"ES256\",\"typ\":\"statuslist+jwt\",\"crit\":[\"x\"],\"x\":1}",
	     "{\"sub\":\"" URI
	     "\",\"iat\":1,\"status_list\":{\"bits\":1,\"lst\":\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_UNSUPPORTED, "crit"},
	    {"{\"alg\":\"none\",\"typ\":\"statuslist+jwt\"}",
	     "{\"sub\":\"" URI
	     "\",\"iat\":1,\"status_list\":{\"bits\":1,\"lst\":\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_UNSUPPORTED, "alg"},
	    {"{\"alg\":\"ES256\",\"typ\":\"statuslist+jwt\",\"kid\":\"AAAAAAAAAAA=\"}",
	     "{\"sub\":\"" URI
	     "\",\"iat\":1,\"status_list\":{\"bits\":1,\"lst\":\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_SIGNATURE, "another signer"},
	    {NULL,
	     "{\"sub\":\"https://elsewhere/1\",\"iat\":1,\"status_list\":{\"bits\":1,\"lst\":"
	     "\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_INVALID, "(sub)"},
	    {NULL, "{\"iat\":1,\"status_list\":{\"bits\":1,\"lst\":\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_INVALID, "(sub)"},
	    {NULL, "{\"sub\":\"" URI "\",\"status_list\":{\"bits\":1,\"lst\":\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_INVALID, "no iat"},
	    {NULL,
	     "{\"sub\":\"" URI "\",\"iat\":\"1\",\"status_list\":{\"bits\":1,\"lst\":"
	     "\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_INVALID, "not a number"},
	    {NULL,
	     "{\"sub\":\"" URI "\",\"iat\":1,\"exp\":1893455999,\"status_list\":{\"bits\":1,"
	     "\"lst\":\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_EXPIRED, "expired"},
	    {NULL,
	     "{\"sub\":\"" URI "\",\"iat\":1,\"ttl\":0,\"status_list\":{\"bits\":1,\"lst\":"
	     "\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_INVALID, "ttl"},
	    {NULL,
	     "{\"sub\":\"" URI
	     "\",\"iat\":1,\"status_list\":{\"bits\":3,\"lst\":\"eNrbuRgAAhcBXQ\"}}",
	     HR_E_INVALID, "bits"},
	    {NULL, "{\"sub\":\"" URI "\",\"iat\":1,\"status_list\":{\"bits\":1}}", HR_E_INVALID,
	     "lst"},
	    {NULL, "{\"sub\":\"" URI "\",\"iat\":1,\"status_list\":{\"bits\":1,\"lst\":\"eNr+\"}}",
	     HR_E_INVALID, "base64url"},
	    {NULL, "{\"sub\":\"" URI "\",\"iat\":1,\"status_list\":{\"bits\":1,\"lst\":\"AAAA\"}}",
	     HR_E_INVALID, "zlib"},
	    {NULL, "{\"sub\":\"" URI "\",\"iat\":1}", HR_E_INVALID, "status_list"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf token;
		sign_parts(cases[i].header ? cases[i].header : good_header, cases[i].claims,
			   &token);
		assert_token_refused(buf_str(&token), token.len, cert_a(), URI, NOW, cases[i].want,
				     cases[i].why);
		buf_clear(&token);
	}
	/* exp exactly now is still current; a fractional NumericDate is read */
	{
		struct buf token;
		struct status_list_token t;
		struct hr_error err = {0};
		sign_parts(good_header,
			   "{\"sub\":\"" URI "\",\"iat\":1.5,\"exp\":1893456000,\"status_list\":"
			   "{\"bits\":1,\"lst\":\"eNrbuRgAAhcBXQ\"}}",
			   &token);
		status_list_token_init(&t);
		assert_int_equal(status_list_token_check(buf_str(&token), token.len, cert_a(), URI,
							 NOW, &t, &err),
				 HR_OK);
		assert_int_equal(t.iat, 1);
		status_list_token_clear(&t);
		buf_clear(&token);
	}
}

static void test_malformed_tokens_are_refused_with_a_message(void **state)
{
	static const char *const texts[] = {
	    "", "a", "a.b", "a.b.c.d", "....", "!!.!!.!!", "e30.e30.", "W10.e30.AAAA",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct status_list_token t;
		struct hr_error err = {0};
		status_list_token_init(&t);
		assert_int_not_equal(status_list_token_check(texts[i], strlen(texts[i]), cert_a(),
							     URI, NOW, &t, &err),
				     HR_OK);
		assert_string_equal(err.stage, "status");
		assert_true(err.message[0] != 0);
		status_list_token_clear(&t);
	}
}

/* 32 MiB of zeros compress to ~32 KiB: a token that small must not make us
 * allocate its expansion. */
static void test_list_inflating_past_the_ceiling_is_refused(void **state)
{
	size_t big = 2 * (size_t)STATUS_LIST_MAX_BYTES;
	uint8_t *zeros = calloc(1, big);
	struct zlib_codec *zlib = zlib_codec_new();
	struct buf packed, lst, claims, token;

	(void)state;
	assert_non_null(zeros);
	buf_init(&packed, 1 << 20);
	buf_init(&lst, 1 << 21);
	buf_init(&claims, 1 << 21);
	assert_int_equal(zlib_codec_deflate(zlib, zeros, big, &packed, NULL), HR_OK);
	free(zeros);
	assert_int_equal(base64_encode(packed.data, packed.len, BASE64_URL, &lst), HR_OK);
	buf_printf(&claims,
		   "{\"sub\":\"%s\",\"iat\":1,\"status_list\":{\"bits\":1,\"lst\":\"%s\"}}", URI,
		   buf_str(&lst));
	sign_parts("{\"alg\":\"ES256\",\"typ\":\"statuslist+jwt\"}", buf_str(&claims), &token);
	assert_token_refused(buf_str(&token), token.len, cert_a(), URI, NOW, HR_E_TOO_LARGE,
			     "more than");
	buf_clear(&packed);
	buf_clear(&lst);
	buf_clear(&claims);
	buf_clear(&token);
	zlib_codec_free(zlib);
}

static void test_build_refuses_bad_arguments(void **state)
{
	uint8_t bytes[4] = {0};
	struct buf out;
	struct hr_error err = {0};

	(void)state;
	buf_init(&out, 1 << 16);
	assert_int_equal(
	    status_list_token_build(list_signer, URI, bytes, 4, 3, NOW, 0, 0, &out, &err),
	    HR_E_INVALID);
	assert_int_equal(
	    status_list_token_build(list_signer, URI, bytes, 0, 1, NOW, 0, 0, &out, &err),
	    HR_E_TOO_LARGE);
	assert_int_equal(
	    status_list_token_build(list_signer, "", bytes, 4, 1, NOW, 0, 0, &out, &err),
	    HR_E_INVALID);
	assert_int_equal(
	    status_list_token_build(list_signer, URI, bytes, 4, 1, NOW, NOW - 1, 0, &out, &err),
	    HR_E_INVALID);
	assert_int_equal(out.len, 0);
	buf_clear(&out);
}

/* --- the independent decoder ------------------------------------------------------- */

static bool python_ready(void)
{
	char *const argv[] = {"/usr/bin/env", "python3", "-c", "import cryptography", NULL};
	char out[512];

	return tk_run(argv, out, sizeof(out), 30000) == 0;
}

static json_t *run_python(const char *token_path, const char *const *extra, size_t n_extra,
			  int *exit_code)
{
	char script[512], cert[512], out[8192];
	const char *src = getenv("HROMADA_SOURCE_DIR");
	char *argv[32];
	size_t n = 0;
	json_t *j;
	const char *brace;

	snprintf(script, sizeof(script), "%s/tests/tools/status_list.py", src ? src : ".");
	snprintf(cert, sizeof(cert), "%s/a/cert.pem", dir);
	argv[n++] = "/usr/bin/env";
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = "--cert";
	argv[n++] = cert;
	argv[n++] = "--token";
	argv[n++] = (char *)token_path;
	for (size_t i = 0; i < n_extra; i++)
		argv[n++] = (char *)extra[i];
	argv[n] = NULL;
	*exit_code = tk_run(argv, out, sizeof(out), 60000);
	brace = strchr(out, '{');
	j = brace ? json_loads(brace, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	if (j == NULL)
		print_error("status_list.py said: %s\n", out);
	return j;
}

static void test_python_decoder_reads_what_our_c_built(void **state)
{
	size_t len;
	uint8_t *bytes = sample_list(1 << 20, 2, &len); /* a million 2-bit entries */
	struct buf token;
	char path[512];
	json_t *out;
	int code;
	static const char *const idx[] = {"--idx", "0",     "--idx", "101",       "--idx",
					  "202",   "--idx", "203",   "--idx",     "1048575",
					  "--uri", URI,     "--now", "1893456000"};

	(void)state;
	if (!python_ready()) {
		print_message("SKIP: python3 with the cryptography module is missing "
			      "(scripts/deps.sh installs python3-cryptography)\n");
		free(bytes);
		skip();
	}
	status_list_set(bytes, len, 2, 1048575, STATUS_SUSPENDED);
	build(list_signer, bytes, len, 2, NOW + 3600, 300, &token);
	snprintf(path, sizeof(path), "%s/token.jwt", dir);
	assert_true(tk_write_file(path, buf_str(&token)));
	out = run_python(path, idx, sizeof(idx) / sizeof(idx[0]), &code);
	assert_non_null(out);
	assert_int_equal(code, 0);
	assert_int_equal(json_integer_value(json_object_get(out, "bits")), 2);
	assert_int_equal(json_integer_value(json_object_get(out, "size")), 1 << 20);
	assert_string_equal(json_string_value(json_object_get(out, "sub")), URI);
	{
		json_t *st = json_object_get(out, "statuses");
		assert_int_equal(json_integer_value(json_object_get(st, "0")), 0);
		assert_int_equal(json_integer_value(json_object_get(st, "101")), 101 % 3);
		assert_int_equal(json_integer_value(json_object_get(st, "202")), 202 % 3);
		assert_int_equal(json_integer_value(json_object_get(st, "203")), 0);
		assert_int_equal(json_integer_value(json_object_get(st, "1048575")),
				 STATUS_SUSPENDED);
	}
	json_decref(out);
	/* and it refuses the token under another certificate's key: a real check */
	{
		static const char *const other[] = {"--idx", "0", "--now", "1893456000"};
		char changed[512];
		buf_clear(&token);
		build(other_signer, bytes, len, 2, 0, 0, &token);
		snprintf(changed, sizeof(changed), "%s/other.jwt", dir);
		assert_true(tk_write_file(changed, buf_str(&token)));
		out = run_python(changed, other, 4, &code);
		assert_int_equal(code, 1);
		assert_non_null(json_object_get(out, "error"));
		json_decref(out);
	}
	buf_clear(&token);
	free(bytes);
}

/* --- the status stage of the verifier ------------------------------------------------ */

#define LIST_SIZE 4096 /* entries of 2 bits */
#define OUR_IDX   77

static const char id_card_json[] =
    "{\"person_id\":\"UA:3012345670\",\"family_name\":\"Шевченко\",\"given_name\":\"Олена\","
    "\"birth_date\":\"1982-05-17\",\"document_number\":\"000123456\"}";

/* An id_card of the UA signer valid a day, pointing at entry OUR_IDX of uri
 * (no status claim when uri is NULL). */
static void issue_with_status(const char *uri, struct buf *out)
{
	struct issuer *iss = issuer_new(ua_signer);
	json_t *doc = json_loads(id_card_json, 0, NULL);
	struct issue_request req = {"id_card", doc, NULL, 0, 86400, NULL, uri, OUR_IDX};
	struct hr_error err = {0};

	assert_non_null(iss);
	buf_init(out, 16384);
	if (issuer_issue(iss, &req, out, &err) != HR_OK) {
		print_error("not issued: %s\n", err.message);
		fail();
	}
	json_decref(doc);
	issuer_free(iss);
}

/* The token of a list where our entry has `value`, signed by `by`. */
static void token_with(struct signer *by, const char *uri, unsigned value, int64_t exp, int64_t ttl,
		       struct buf *out)
{
	uint8_t bytes[LIST_SIZE * 2 / 8] = {0};
	struct hr_error err = {0};

	status_list_set(bytes, sizeof(bytes), 2, OUR_IDX, value);
	buf_init(out, STATUS_LIST_MAX_TOKEN_BYTES);
	if (status_list_token_build(by, uri, bytes, sizeof(bytes), 2, (int64_t)time(NULL) - 10, exp,
				    ttl, out, &err) != HR_OK) {
		print_error("token not built: %s\n", err.message);
		fail();
	}
}

/* In-memory status source for the library tests: one token, or a failure. */
struct memory_source {
	const struct buf *token;
	int calls;
	char asked[STATUS_LIST_MAX_URI + 1];
};

static hr_status memory_fetch(void *context, const char *uri, char **token, size_t *len,
			      struct hr_error *err)
{
	struct memory_source *m = context;

	m->calls++;
	snprintf(m->asked, sizeof(m->asked), "%s", uri);
	if (m->token == NULL)
		return hr_error_set(err, HR_E_UNAVAILABLE, "status", "no network in this test");
	*token = malloc(m->token->len + 1);
	assert_non_null(*token);
	memcpy(*token, m->token->data, m->token->len);
	(*token)[m->token->len] = 0;
	*len = m->token->len;
	return HR_OK;
}

/* A store with the UA and PL id_card signers bound to their countries. */
static struct hr_trust_store *countries_store(void)
{
	struct hr_trust_store *store = hr_trust_store_new();
	const struct signer_cert *ua = signer_certificate(ua_signer);
	const struct signer_cert *pl = signer_certificate(pl_signer);

	assert_int_equal(hr_trust_store_add_certificate(store, ua->der, ua->der_len, "UA", NULL),
			 HR_OK);
	assert_int_equal(hr_trust_store_add_certificate(store, pl->der, pl->der_len, "PL", NULL),
			 HR_OK);
	return store;
}

static void verify_with(struct hr_trust_store *store, const struct buf *credential,
			struct memory_source *m, struct hr_verify_result *r)
{
	struct hr_status_source source = {memory_fetch, m};
	struct hr_verify_options o;

	memset(&o, 0, sizeof(o));
	o.status = m ? &source : NULL;
	hr_verify_result_init(r);
	assert_int_equal(
	    hr_verify_once(store, (const char *)credential->data, credential->len, &o, r), HR_OK);
}

static void test_status_stage_decides_valid_revoked_and_suspended(void **state)
{
	static const struct {
		unsigned value;
		bool valid;
		const char *why;
	} cases[] = {
	    {STATUS_VALID, true, NULL},
	    {STATUS_INVALID, false, "revoked (INVALID, index 77)"},
	    {STATUS_SUSPENDED, false, "suspended (SUSPENDED, index 77)"},
	    {3, false, "application-specific 0x03"},
	};
	struct hr_trust_store *store = countries_store();
	struct buf credential, token;
	struct hr_verify_result r;

	(void)state;
	issue_with_status(URI, &credential);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct memory_source m = {&token, 0, ""};
		token_with(ua_signer, URI, cases[i].value, 0, 0, &token);
		verify_with(store, &credential, &m, &r);
		assert_int_equal(m.calls, 1);
		assert_string_equal(m.asked, URI);
		assert_int_equal(r.valid, cases[i].valid);
		assert_true(r.has_status_reference);
		assert_int_equal(r.status_index, OUR_IDX);
		assert_int_equal(r.status_value, cases[i].value);
		assert_int_equal(r.stages[HR_STAGE_STATUS],
				 cases[i].valid ? HR_STAGE_PASSED : HR_STAGE_FAILED);
		if (!cases[i].valid) {
			assert_int_equal(r.error_stage, HR_STAGE_STATUS);
			assert_non_null(strstr(r.error, cases[i].why));
		}
		/* the claims show the reference (CWT claim 65535) */
		assert_non_null(strstr(r.claims_json, "\"status\":{\"status_list\":{\"idx\":77"));
		hr_verify_result_clear(&r);
		buf_clear(&token);
	}
	buf_clear(&credential);
	hr_trust_store_free(store);
}

static void test_status_stage_is_null_offline_or_without_a_reference(void **state)
{
	struct hr_trust_store *store = countries_store();
	struct memory_source m = {NULL, 0, ""};
	struct buf credential;
	struct hr_verify_result r;

	(void)state;
	issue_with_status(URI, &credential);
	verify_with(store, &credential, NULL, &r); /* offline */
	assert_true(r.valid);
	assert_true(r.has_status_reference);
	assert_int_equal(r.stages[HR_STAGE_STATUS], HR_STAGE_NOT_RUN);
	assert_int_equal(r.status_value, HR_STATUS_NONE);
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	issue_with_status(NULL, &credential); /* no status claim */
	verify_with(store, &credential, &m, &r);
	assert_true(r.valid);
	assert_false(r.has_status_reference);
	assert_int_equal(r.stages[HR_STAGE_STATUS], HR_STAGE_NOT_RUN);
	assert_int_equal(m.calls, 0);
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	hr_trust_store_free(store);
}

static void test_status_stage_fails_on_every_untrustworthy_token(void **state)
{
	struct hr_trust_store *store = countries_store();
	struct buf credential, token;
	struct hr_verify_result r;

	(void)state;
	issue_with_status(URI, &credential);
	/* cannot be obtained */
	{
		struct memory_source m = {NULL, 0, ""};
		verify_with(store, &credential, &m, &r);
		assert_false(r.valid);
		assert_non_null(strstr(r.error, "cannot obtain the status list"));
		assert_non_null(strstr(r.error, "no network in this test"));
		hr_verify_result_clear(&r);
	}
	/* signed by a trusted signer of another country (PL for a UA credential) */
	{
		struct memory_source m = {&token, 0, ""};
		token_with(pl_signer, URI, STATUS_VALID, 0, 0, &token);
		verify_with(store, &credential, &m, &r);
		assert_false(r.valid);
		assert_int_equal(r.stages[HR_STAGE_STATUS], HR_STAGE_FAILED);
		assert_non_null(strstr(r.error, "not signed by a trusted signer of issuer UA"));
		hr_verify_result_clear(&r);
		buf_clear(&token);
	}
	/* signed by an unknown key */
	{
		struct memory_source m = {&token, 0, ""};
		token_with(other_signer, URI, STATUS_VALID, 0, 0, &token);
		verify_with(store, &credential, &m, &r);
		assert_false(r.valid);
		assert_non_null(strstr(r.error, "not signed by a trusted signer"));
		hr_verify_result_clear(&r);
		buf_clear(&token);
	}
	/* another list's token, an expired token */
	{
		struct memory_source m = {&token, 0, ""};
		token_with(ua_signer, "https://wallet.ua.example/v1/status-lists/8", STATUS_VALID,
			   0, 0, &token);
		verify_with(store, &credential, &m, &r);
		assert_false(r.valid);
		assert_non_null(strstr(r.error, "(sub)"));
		hr_verify_result_clear(&r);
		buf_clear(&token);
		token_with(ua_signer, URI, STATUS_VALID, (int64_t)time(NULL) - 5, 0, &token);
		verify_with(store, &credential, &m, &r);
		assert_false(r.valid);
		assert_non_null(strstr(r.error, "expired"));
		hr_verify_result_clear(&r);
		buf_clear(&token);
	}
	/* a list too short for our index */
	{
		struct memory_source m = {&token, 0, ""};
		uint8_t small[4] = {0};
		buf_init(&token, 4096);
		assert_int_equal(status_list_token_build(ua_signer, URI, small, sizeof(small), 2,
							 (int64_t)time(NULL), 0, 0, &token, NULL),
				 HR_OK);
		verify_with(store, &credential, &m, &r);
		assert_false(r.valid);
		assert_non_null(strstr(r.error, "none at index 77"));
		hr_verify_result_clear(&r);
		buf_clear(&token);
	}
	buf_clear(&credential);
	hr_trust_store_free(store);
}

/* --- hromada verify --status online over real HTTP --------------------------------------- */

static struct status_service {
	pthread_mutex_t lock;
	struct buf token;
	bool down;
	int served;
	char url[256];
} stat_svc = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void handle_status_list(struct http_request *req, void *context)
{
	(void)context;
	pthread_mutex_lock(&stat_svc.lock);
	if (stat_svc.down) {
		pthread_mutex_unlock(&stat_svc.lock);
		http_reply_error(req, 503, "unavailable", "down for the test");
		return;
	}
	stat_svc.served++;
	http_reply_bytes(req, 200, STATUS_LIST_MEDIA_TYPE, stat_svc.token.data, stat_svc.token.len);
	pthread_mutex_unlock(&stat_svc.lock);
}

static bool start_status_service(void)
{
	struct http_server_options options;
	struct hr_error err = {0};

	if (status_server != NULL)
		return true;
	log_set_level(LOG_LEVEL_ERROR);
	http_server_options_default(&options);
	options.listen_port = 0;
	options.threads = 2;
	options.access_log = false;
	snprintf(options.name, sizeof(options.name), "test/status");
	buf_init(&stat_svc.token, STATUS_LIST_MAX_TOKEN_BYTES);
	if ((status_server = http_server_new(&options, &err)) == NULL ||
	    http_server_route(status_server, "GET", "/v1/status-lists/{id}", 0, handle_status_list,
			      NULL, &err) != HR_OK ||
	    http_server_start(status_server, &err) != HR_OK) {
		print_error("status service: %s\n", err.message);
		return false;
	}
	snprintf(stat_svc.url, sizeof(stat_svc.url), "%s/v1/status-lists/7",
		 http_server_url(status_server));
	return true;
}

static void serve_token(unsigned value, int64_t ttl)
{
	struct buf token;

	token_with(ua_signer, stat_svc.url, value, 0, ttl, &token);
	pthread_mutex_lock(&stat_svc.lock);
	buf_reset(&stat_svc.token);
	buf_append(&stat_svc.token, token.data, token.len);
	stat_svc.down = false;
	pthread_mutex_unlock(&stat_svc.lock);
	buf_clear(&token);
}

/* hromada verify --cert UA-id_card [--status MODE] --trust-cache CACHE credential */
static int run_cli(const char *mode, const char *cache, const struct buf *credential, json_t **out)
{
	char cert[512], text[16384];
	char *argv[12];
	size_t n = 0;
	int code;
	const char *brace;

	snprintf(cert, sizeof(cert), "%s/UA/signers/id_card/cert.pem", dir);
	argv[n++] = (char *)tk_hromada_binary();
	argv[n++] = "verify";
	argv[n++] = "--cert";
	argv[n++] = cert;
	argv[n++] = "--trust-cache";
	argv[n++] = (char *)cache;
	if (mode != NULL) {
		argv[n++] = "--status";
		argv[n++] = (char *)mode;
	}
	argv[n++] = (char *)buf_str(credential);
	argv[n] = NULL;
	code = tk_run(argv, text, sizeof(text), 60000);
	brace = strchr(text, '{');
	*out = brace ? json_loads(brace, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	if (*out == NULL)
		print_error("no JSON (exit %d): %s\n", code, text);
	return code;
}

static json_t *status_of(const json_t *r)
{
	return json_object_get(json_object_get(r, "stages"), "status");
}

static void test_cli_status_online_fetches_checks_and_caches_by_ttl(void **state)
{
	char cache[300];
	struct buf credential;
	json_t *r;

	(void)state;
	assert_true(start_status_service());
	issue_with_status(stat_svc.url, &credential);
	/* offline (the default): null */
	snprintf(cache, sizeof(cache), "%s/status-cache-1", dir);
	assert_int_equal(run_cli(NULL, cache, &credential, &r), 0);
	assert_true(json_is_null(status_of(r)));
	json_decref(r);
	/* online, VALID with ttl 600: true; then the service goes away and the cached
	 * token (younger than its ttl) still answers */
	serve_token(STATUS_VALID, 600);
	assert_int_equal(run_cli("online", cache, &credential, &r), 0);
	assert_true(json_is_true(status_of(r)));
	json_decref(r);
	assert_int_equal(stat_svc.served, 1);
	pthread_mutex_lock(&stat_svc.lock);
	stat_svc.down = true;
	pthread_mutex_unlock(&stat_svc.lock);
	assert_int_equal(run_cli("online", cache, &credential, &r), 0);
	assert_true(json_is_true(status_of(r)));
	json_decref(r);
	assert_int_equal(stat_svc.served, 1);
	/* a fresh cache, the service away: false, with why */
	snprintf(cache, sizeof(cache), "%s/status-cache-2", dir);
	assert_int_equal(run_cli("online", cache, &credential, &r), 1);
	assert_true(json_is_false(status_of(r)));
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_object_get(r, "error"), "message")),
		   "cannot obtain the status list"));
	json_decref(r);
	/* revoked and suspended (each in its own cache) */
	serve_token(STATUS_INVALID, 600);
	snprintf(cache, sizeof(cache), "%s/status-cache-3", dir);
	assert_int_equal(run_cli("online", cache, &credential, &r), 1);
	assert_true(json_is_false(status_of(r)));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(r, "error"), "stage")), "status");
	assert_non_null(strstr(
	    json_string_value(json_object_get(json_object_get(r, "error"), "message")), "revoked"));
	json_decref(r);
	serve_token(STATUS_SUSPENDED, 600);
	snprintf(cache, sizeof(cache), "%s/status-cache-4", dir);
	assert_int_equal(run_cli("online", cache, &credential, &r), 1);
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_object_get(r, "error"), "message")),
		   "suspended"));
	json_decref(r);
	buf_clear(&credential);
}

/* hromada issue: a validity over 180 s needs the credential's status entry, which
 * then travels in CWT claim 65535 and shows in verify's claims */
static void test_cli_issue_over_180_s_needs_a_status_entry(void **state)
{
	char signer[512], json_path[512], text[16384];
	char *argv[16];
	size_t n;
	int code;
	FILE *f;
	json_t *r, *entry;
	struct buf credential;
	char *nl;

	(void)state;
	snprintf(signer, sizeof(signer), "%s/UA/signers/id_card", dir);
	snprintf(json_path, sizeof(json_path), "%s/id_card.json", dir);
	f = fopen(json_path, "w");
	assert_non_null(f);
	fputs(id_card_json, f);
	fclose(f);
	n = 0;
	argv[n++] = (char *)tk_hromada_binary();
	argv[n++] = "issue";
	argv[n++] = "--signer";
	argv[n++] = signer;
	argv[n++] = "--type";
	argv[n++] = "id_card";
	argv[n++] = "--json";
	argv[n++] = json_path;
	argv[n++] = "--validity";
	argv[n++] = "3600";
	argv[n] = NULL;
	code = tk_run(argv, text, sizeof(text), 60000);
	assert_int_not_equal(code, 0);
	assert_non_null(strstr(text, "--status-uri"));
	/* only one of the pair is refused too */
	argv[n++] = "--status-uri";
	argv[n++] = "https://issuer.example/status/1";
	argv[n] = NULL;
	assert_int_not_equal(tk_run(argv, text, sizeof(text), 60000), 0);
	assert_non_null(strstr(text, "go together"));
	argv[n++] = "--status-idx";
	argv[n++] = "4242";
	argv[n] = NULL;
	assert_int_equal(tk_run(argv, text, sizeof(text), 60000), 0);
	nl = strchr(text, '\n');
	if (nl != NULL)
		*nl = 0;
	assert_memory_equal(text, "HR1:", 4);
	buf_init(&credential, sizeof(text));
	buf_append_str(&credential, text);
	snprintf(json_path, sizeof(json_path), "%s/status-cache-5", dir);
	assert_int_equal(run_cli(NULL, json_path, &credential, &r), 0);
	entry =
	    json_object_get(json_object_get(json_object_get(r, "claims"), "status"), "status_list");
	assert_int_equal(json_integer_value(json_object_get(entry, "idx")), 4242);
	assert_string_equal(json_string_value(json_object_get(entry, "uri")),
			    "https://issuer.example/status/1");
	assert_true(json_is_null(status_of(r))); /* offline: not checked */
	json_decref(r);
	buf_clear(&credential);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bit_order_follows_the_drafts_examples),
	    cmocka_unit_test(test_set_and_get_every_width_without_touching_neighbours),
	    cmocka_unit_test(test_index_beyond_the_list_has_no_entry_and_changes_nothing),
	    cmocka_unit_test(test_built_token_checks_and_reads_back_every_entry),
	    cmocka_unit_test(test_token_has_the_drafts_header_and_claims),
	    cmocka_unit_test(test_token_of_another_signer_is_refused),
	    cmocka_unit_test(test_changed_byte_is_refused),
	    cmocka_unit_test(test_wrong_typ_sub_exp_ttl_and_bits_are_refused),
	    cmocka_unit_test(test_malformed_tokens_are_refused_with_a_message),
	    cmocka_unit_test(test_list_inflating_past_the_ceiling_is_refused),
	    cmocka_unit_test(test_build_refuses_bad_arguments),
	    cmocka_unit_test(test_python_decoder_reads_what_our_c_built),
	    cmocka_unit_test(test_status_stage_decides_valid_revoked_and_suspended),
	    cmocka_unit_test(test_status_stage_is_null_offline_or_without_a_reference),
	    cmocka_unit_test(test_status_stage_fails_on_every_untrustworthy_token),
	    cmocka_unit_test(test_cli_status_online_fetches_checks_and_caches_by_ttl),
	    cmocka_unit_test(test_cli_issue_over_180_s_needs_a_status_entry),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
