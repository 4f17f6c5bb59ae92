/*
 * test_dcc_vectors.c — every file of the EU DCC interoperability vectors in
 * ../shared/vectors/dcc (national test data, Ukraine's and Poland's among them):
 * each EXPECTED* key present must be decided right by the verifier library.
 *
 *	EXPECTEDPICTUREDECODE    2DCODE (a PNG) decodes to PREFIX     -> stage picture
 *	EXPECTEDUNPREFIX         PREFIX has a valid context prefix     -> stage unprefix
 *	EXPECTEDB45DECODE        Base45                                -> stage base45
 *	EXPECTEDCOMPRESSION      zlib                                  -> stage zlib
 *	EXPECTEDDECODE           COSE/CWT structure                    -> stage cose
 *	EXPECTEDVERIFY           signature with TESTCTX.CERTIFICATE    -> stage signature
 *	EXPECTEDEXPIRATIONCHECK  at TESTCTX.VALIDATIONCLOCK            -> stage expiry
 *	EXPECTEDKEYUSAGE         the certificate's EKU vs the DCC kind -> stage key_usage
 *	EXPECTEDSCHEMAVALIDATION the payload vs the DCC schema         -> stage schema
 *	EXPECTEDVALIDJSON        the whole chain decodes to a DCC object
 *	EXPECTEDVALIDOBJECT      JSON matches the DCC schema
 *	EXPECTEDENCODE           JSON encodes to CBOR that decodes back to the same
 *
 * A stage expected to fail may also be left unreached (null) when an earlier
 * stage already refused the payload. Files without a 2DCODE picture get one
 * rendered from their PREFIX, so the picture round trip is still exercised.
 * Without ../shared the test prints why and passes (it cannot fail silently:
 * the skip is reported).
 */
#include "testkit/testkit.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hromada/verify.h>

#include "core/base64.h"
#include "core/buf.h"
#include "credential/cbor.h"
#include "credential/cbor_json.h"
#include "credential/dcc_schema.h"
#include "credential/qr.h"

static int files, decided, mismatched, content_notes;
static bool vectors_absent;

/* CTest's SKIP_RETURN_CODE (tests/CMakeLists.txt): the run is reported as
 * skipped in CTest's summary instead of passing unseen. */
#define EXIT_SKIPPED 77

static const struct {
	const char *key;
	enum hr_verify_stage stage;
} stage_keys[] = {
    {"EXPECTEDUNPREFIX", HR_STAGE_UNPREFIX},  {"EXPECTEDB45DECODE", HR_STAGE_BASE45},
    {"EXPECTEDCOMPRESSION", HR_STAGE_ZLIB},   {"EXPECTEDDECODE", HR_STAGE_COSE},
    {"EXPECTEDVERIFY", HR_STAGE_SIGNATURE},   {"EXPECTEDEXPIRATIONCHECK", HR_STAGE_EXPIRY},
    {"EXPECTEDKEYUSAGE", HR_STAGE_KEY_USAGE}, {"EXPECTEDSCHEMAVALIDATION", HR_STAGE_SCHEMA},
};

static void judge(const char *file, const char *key, bool expected, bool got, const char *why)
{
	decided++;
	if (expected == got)
		return;
	mismatched++;
	fprintf(stderr, "MISMATCH %s %s: expected %s, got %s (%s)\n", file, key,
		expected ? "true" : "false", got ? "true" : "false", why);
}

/* A stage counts as passed only when it ran and passed; as failed when it failed,
 * or was never reached because an earlier stage refused the payload. */
static bool stage_passed(const struct hr_verify_result *r, enum hr_verify_stage s)
{
	return r->stages[s] == HR_STAGE_PASSED;
}

static struct hr_trust_store *store_for(const json_t *ctx)
{
	struct hr_trust_store *store = hr_trust_store_new();
	const char *cert = json_string_value(json_object_get(ctx, "CERTIFICATE"));
	struct hr_error err = {0};

	assert_non_null(store);
	if (cert != NULL &&
	    hr_trust_store_add_certificate(store, cert, strlen(cert), NULL, &err) != HR_OK)
		fprintf(stderr, "note: certificate not usable: %s\n", err.message);
	return store;
}

static void check_picture(const char *file, const json_t *v, const char *prefix, bool expected)
{
	const char *png64 = json_string_value(json_object_get(v, "2DCODE"));
	struct buf png, text;
	struct hr_error err = {0};
	bool got;

	buf_init(&png, QR_MAX_IMAGE_BYTES);
	buf_init(&text, HR_VERIFY_MAX_PAYLOAD + 1);
	if (png64 != NULL) {
		assert_int_equal(base64_decode(png64, strlen(png64), BASE64_STANDARD, &png), HR_OK);
	} else {
		assert_non_null(prefix);
		assert_int_equal(qr_render_png(prefix, 4, &png, &err), HR_OK);
	}
	got = qr_decode_png(png.data, png.len, &text, &err) == HR_OK &&
	      (prefix == NULL || strcmp(buf_str(&text), prefix) == 0);
	judge(file, "EXPECTEDPICTUREDECODE", expected, got, err.message);
	buf_clear(&png);
	buf_clear(&text);
}

/* EXPECTEDENCODE: JSON -> our deterministic CBOR -> JSON gives the same object,
 * and the vector's own CBOR decodes to it too. */
static bool encodes_faithfully(const json_t *v)
{
	const json_t *json = json_object_get(v, "JSON");
	const char *hex = json_string_value(json_object_get(v, "CBOR"));
	struct buf cbor, theirs;
	struct cbor_decoder d;
	json_t *back = NULL, *their_json = NULL;
	bool same;

	buf_init(&cbor, 1 << 20);
	buf_init(&theirs, 1 << 20);
	same = json != NULL && cbor_from_json(json, &cbor, NULL) == HR_OK;
	if (same) {
		cbor_decoder_init(&d, cbor.data, cbor.len, NULL);
		same = cbor_to_json(&d, &back, NULL) == HR_OK && json_equal(back, json);
	}
	if (same && hex != NULL) {
		for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
			unsigned byte;
			sscanf(hex + i, "%2x", &byte);
			buf_append_byte(&theirs, (uint8_t)byte);
		}
		/* some countries put the DCC alone in CBOR, others the whole CWT claims */
		cbor_decoder_init(&d, theirs.data, theirs.len, NULL);
		same =
		    cbor_to_json(&d, &their_json, NULL) == HR_OK &&
		    (json_equal(their_json, json) ||
		     json_equal(json_object_get(json_object_get(their_json, "-260"), "1"), json));
	}
	json_decref(back);
	json_decref(their_json);
	buf_clear(&cbor);
	buf_clear(&theirs);
	return same;
}

static void check_file(const char *path)
{
	json_error_t jerr;
	json_t *v = json_load_file(path, 0, &jerr), *ctx, *expected, *value;
	const char *file = strstr(path, "vectors/dcc/") ? strstr(path, "vectors/dcc/") + 12 : path;
	const char *prefix, *clock, *key;
	struct hr_trust_store *store;
	struct hr_verify_options opt = {{0, 0}, false};
	struct hr_verify_result r;
	struct hr_error err = {0};

	assert_non_null(v);
	files++;
	ctx = json_object_get(v, "TESTCTX");
	expected = json_object_get(v, "EXPECTEDRESULTS");
	prefix = json_string_value(json_object_get(v, "PREFIX"));
	clock = json_string_value(json_object_get(ctx, "VALIDATIONCLOCK"));
	if (clock != NULL) {
		assert_int_equal(hr_time_parse(clock, &opt.at, &err), HR_OK);
		opt.at_set = true;
	}
	store = store_for(ctx);
	hr_verify_result_init(&r);
	if (prefix != NULL)
		assert_int_equal(hr_verify_once(store, prefix, strlen(prefix), &opt, &r), HR_OK);
	json_object_foreach(expected, key, value)
	{
		bool want = json_is_true(value);
		bool handled = false;

		for (size_t i = 0; i < sizeof(stage_keys) / sizeof(stage_keys[0]); i++) {
			if (strcmp(key, stage_keys[i].key) == 0) {
				assert_non_null(prefix);
				judge(file, key, want, stage_passed(&r, stage_keys[i].stage),
				      r.error);
				handled = true;
			}
		}
		if (strcmp(key, "EXPECTEDPICTUREDECODE") == 0) {
			check_picture(file, v, prefix, want);
		} else if (strcmp(key, "EXPECTEDVALIDJSON") == 0) {
			json_t *claims = r.claims_json ? json_loads(r.claims_json, 0, NULL) : NULL;
			json_t *dcc = json_object_get(claims, "hcert");
			judge(file, key, want,
			      stage_passed(&r, HR_STAGE_COSE) && json_is_object(dcc), r.error);
			if (dcc != NULL && json_object_get(v, "JSON") &&
			    !json_equal(dcc, json_object_get(v, "JSON"))) {
				content_notes++;
				fprintf(
				    stderr,
				    "note: %s: the JSON field differs from what PREFIX encodes\n",
				    file);
			}
			json_decref(claims);
		} else if (strcmp(key, "EXPECTEDVALIDOBJECT") == 0) {
			judge(file, key, want,
			      dcc_schema_check(json_object_get(v, "JSON"), &err) == HR_OK,
			      err.message);
		} else if (strcmp(key, "EXPECTEDENCODE") == 0) {
			judge(file, key, want, encodes_faithfully(v), "JSON/CBOR round trip");
		} else if (!handled) {
			fail_msg("%s: unknown expectation %s", file, key);
		}
	}
	hr_verify_result_clear(&r);
	hr_trust_store_free(store);
	json_decref(v);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path);

	(void)st;
	(void)ftw;
	if (type == FTW_F && n > 5 && strcmp(path + n - 5, ".json") == 0 && strstr(path, "/raw/"))
		check_file(path);
	return 0;
}

static void test_every_vector_expectation_is_decided_right(void **state)
{
	const char *shared = getenv("HROMADA_SHARED_DIR");
	char dir[4096];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/vectors/dcc", shared ? shared : "../shared");
	if (access(dir, R_OK) != 0) {
		printf("SKIPPED: %s is absent; the EU DCC vectors were not checked\n", dir);
		vectors_absent = true;
		skip();
	}
	assert_int_equal(nftw(dir, visit, 16, FTW_PHYS), 0);
	printf("EU DCC vectors: %d files, %d expectations decided, %d wrong (%d files whose "
	       "JSON field differs from their own payload)\n",
	       files, decided, mismatched, content_notes);
	assert_true(files > 0);
	assert_int_equal(mismatched, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_vector_expectation_is_decided_right),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	return failed == 0 && vectors_absent ? EXIT_SKIPPED : failed;
}
