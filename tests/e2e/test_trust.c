/*
 * test_trust.c — the cross-border trust service as countries and verifiers use
 * it (issue 10, docs/TRUST_LIST.md): `hromada up` onboards UA and PL and each
 * uploads its signers and members through the API; then
 *  - uploads signed with another country's key, tampered with, naming another
 *    country's signer or member, carrying an expired signer, from a country
 *    never onboarded, or replayed are refused with a clear 4xx, recorded in
 *    the service's uploads table, and change nothing in the list;
 *  - a signer a country uploads is trusted by `hromada verify --trust-url`,
 *    and refused after the country withdrew it and the verifier refreshed;
 *  - a verifier refuses a list older than the one it cached (rollback) and one
 *    past next_update plus its grace (stale), with stage trust_list, and works
 *    offline from its cache while the cache is current (the last test stops
 *    the platform).
 * The service runs with list_validity_s = 6 so that staleness takes seconds.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <hromada/verify.h>

#include "core/base64.h"
#include "core/http_client.h"
#include "core/store.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "e2e/certs.h"
#include "e2e/slice.h"
#include "exchange/trust_upload.h"

#define VALIDITY_S 6

static struct slice_platform platform;
static struct http_client *http;
static char trust_url[256], anchor[400], example[512];

static int setup(void **unused)
{
	char *extra[] = {"--set", "trust.list_validity_s=6", NULL};
	struct http_client_options o;

	(void)unused;
	slice_platform_start(&platform, extra);
	snprintf(trust_url, sizeof(trust_url), "%s", slice_endpoint(&platform, NULL, "trust"));
	snprintf(anchor, sizeof(anchor), "%s/trust-anchor.pem", platform.state);
	snprintf(example, sizeof(example), "%s/docs/examples/driver_licence.json",
		 getenv("HROMADA_SOURCE_DIR") ? getenv("HROMADA_SOURCE_DIR") : ".");
	http_client_options_default(&o);
	o.max_response_bytes = 64 * 1024 * 1024;
	http = http_client_new(&o);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	http_client_free(http);
	return slice_platform_stop(&platform);
}

/* The decoded payload of the list the service serves now; *text its JWS text. */
static json_t *current_list(char **text)
{
	struct http_client_response r;
	char url[300];
	struct buf payload;
	json_t *jws, *list;
	const char *p;

	http_client_response_init(&r);
	snprintf(url, sizeof(url), "%s/v1/trust-list", trust_url);
	assert_int_equal(http_client_get(http, url, &r, NULL), HR_OK);
	assert_int_equal(r.status, 200);
	assert_non_null(http_client_response_header(&r, "etag"));
	jws = json_loadb((const char *)r.body.data, r.body.len, 0, NULL);
	assert_non_null(jws);
	p = json_string_value(json_object_get(jws, "payload"));
	buf_init(&payload, r.body.len);
	assert_int_equal(base64_decode(p, strlen(p), BASE64_URL, &payload), HR_OK);
	list = json_loadb((const char *)payload.data, payload.len, 0, NULL);
	assert_non_null(list);
	if (text != NULL)
		*text = strndup((const char *)r.body.data, r.body.len);
	buf_clear(&payload);
	json_decref(jws);
	http_client_response_clear(&r);
	return list;
}

static int64_t current_sequence(void)
{
	json_t *list = current_list(NULL);
	int64_t s = json_integer_value(json_object_get(list, "sequence"));

	json_decref(list);
	return s;
}

static bool list_has_kid(const char *kid)
{
	json_t *list = current_list(NULL), *s;
	size_t i;
	bool found = false;

	json_array_foreach(json_object_get(list, "signers"), i, s) found |=
	    strcmp(json_string_value(json_object_get(s, "kid")), kid) == 0;
	json_decref(list);
	return found;
}

/* A fresh batch id. */
static void batch_id(char out[40])
{
	static int n;
	snprintf(out, 40, "test-batch-%08x-%04d", (unsigned)time(NULL), ++n);
}

struct upload {
	const char *key_of;  /* whose upload key signs: "UA", "PL" */
	const char *country; /* the country the upload claims */
	json_t *signers, *withdraw, *members;
	bool tamper;      /* flip a byte of the payload after signing */
	const char *body; /* send these bytes instead (a replay) */
};

/* Sends an upload; the answer's status, its body in *answer (may be NULL). */
static long upload(const struct upload *u, char **sent, json_t **answer)
{
	char key[512], cert[512], batch[40], url[300];
	struct signer *signer = NULL;
	struct hr_error err = {0};
	struct buf body;
	struct http_header headers[] = {{"Content-Type", "application/json"}};
	struct http_client_request req = {"POST", url, headers, 1, NULL, 0, 30000};
	struct http_client_response r;
	long status;

	buf_init(&body, TRUST_UPLOAD_MAX_LEN + 64);
	if (u->body != NULL) {
		buf_append_str(&body, u->body);
	} else {
		snprintf(key, sizeof(key), "%s/keys/%s/upload/key.pem", platform.state, u->key_of);
		snprintf(cert, sizeof(cert), "%s/keys/%s/upload/cert.pem", platform.state,
			 u->key_of);
		assert_int_equal(signer_open_files(key, cert, &signer, &err), HR_OK);
		batch_id(batch);
		if (trust_upload_make(signer, u->country, batch, (int64_t)time(NULL), u->signers,
				      u->withdraw, u->members, &body, &err) != HR_OK)
			fail_msg("upload: %s", err.message);
		signer_free(signer);
		if (u->tamper) {
			/* a byte of the payload, between the JWS's two dots */
			char *first = memchr(body.data, '.', body.len);
			assert_non_null(first);
			first[10] = first[10] == 'A' ? 'B' : 'A';
		}
	}
	snprintf(url, sizeof(url), "%s/v1/signers", trust_url);
	req.body = body.data;
	req.body_len = body.len;
	http_client_response_init(&r);
	assert_int_equal(http_client_send(http, &req, &r, &err), HR_OK);
	status = r.status;
	if (answer != NULL)
		*answer = json_loadb((const char *)r.body.data, r.body.len, 0, NULL);
	if (sent != NULL)
		*sent = strndup(buf_str(&body), body.len);
	http_client_response_clear(&r);
	buf_clear(&body);
	return status;
}

/* What the list publishes, without its sequence and times (which the service
 * renews on its own every half validity). */
static json_t *published(void)
{
	json_t *list = current_list(NULL);
	json_t *out = json_pack("{s:O,s:O}", "signers", json_object_get(list, "signers"), "members",
				json_object_get(list, "members"));

	json_decref(list);
	return out;
}

static void expect_refusal(const char *what, const struct upload *u, long status,
			   const char *message_part)
{
	json_t *before = published(), *after;
	json_t *answer = NULL;
	long got = upload(u, NULL, &answer);
	const char *message =
	    json_string_value(json_object_get(json_object_get(answer, "error"), "message"));

	if (got != status)
		fail_msg("%s: expected %ld, got %ld (%s)", what, status, got,
			 message ? message : "?");
	assert_non_null(message);
	if (message_part != NULL && strstr(message, message_part) == NULL)
		fail_msg("%s: the message '%s' does not say '%s'", what, message, message_part);
	after = published();
	assert_true(json_equal(before, after)); /* nothing published */
	json_decref(before);
	json_decref(after);
	json_decref(answer);
}

/* Uploads that must be refused, each recorded in the service's uploads. */
static void test_uploads_refused_and_recorded(void **unused)
{
	char dir[512], root[512], der[8192], kid[32], path[600];
	struct upload u = {0};
	json_t *list;
	char *sent = NULL;
	struct store *store = NULL;
	struct store_stmt *stmt = NULL;
	struct hr_error err = {0};
	bool row;

	(void)unused;
	/* signed with Poland's upload key, claiming to be Ukraine */
	u = (struct upload){.key_of = "PL", .country = "UA"};
	expect_refusal("another country's key", &u, 401, "upload key");
	/* a valid upload, tampered with after signing */
	u = (struct upload){.key_of = "UA", .country = "UA", .tamper = true};
	expect_refusal("tampered", &u, 401, NULL);
	/* a country never onboarded */
	u = (struct upload){.key_of = "UA", .country = "DE"};
	expect_refusal("not onboarded", &u, 403, "not onboarded");
	/* Ukraine naming Poland's driver's licence signer */
	snprintf(path, sizeof(path), "%s/keys/PL/signers/driver_licence/cert.pem", platform.state);
	certs_read(path, der, sizeof(der), kid, sizeof(kid));
	u = (struct upload){.key_of = "UA", .country = "UA", .signers = json_pack("[s]", der)};
	expect_refusal("a foreign signer", &u, 403, "names country 'PL'");
	json_decref(u.signers);
	/* a signer of Ukraine's, chained to its root, that expired yesterday */
	snprintf(root, sizeof(root), "%s/keys/UA/root", platform.state);
	tk_dir_path(dir, sizeof(dir), "expired-signer");
	certs_issue(root, dir, "UA", "Expired signer", HROMADA_EKU_ARC ".3", -10 * 86400, -86400);
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	certs_read(path, der, sizeof(der), kid, sizeof(kid));
	u = (struct upload){.key_of = "UA", .country = "UA", .signers = json_pack("[s]", der)};
	expect_refusal("an expired signer", &u, 422, "not valid now");
	json_decref(u.signers);
	/* a certificate of Ukraine's that says nothing of what it signs */
	tk_dir_path(dir, sizeof(dir), "no-eku");
	certs_issue(root, dir, "UA", "Signer without EKU", NULL, -60, 86400);
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	certs_read(path, der, sizeof(der), kid, sizeof(kid));
	u = (struct upload){.key_of = "UA", .country = "UA", .signers = json_pack("[s]", der)};
	expect_refusal("a signer without key usage", &u, 422, "extended key usage");
	json_decref(u.signers);
	/* withdrawing a signer Ukraine never published */
	u = (struct upload){
	    .key_of = "UA", .country = "UA", .withdraw = json_pack("[s]", "AAAAAAAAAAA=")};
	expect_refusal("an unknown withdrawal", &u, 422, "no signer");
	json_decref(u.withdraw);
	/* a member set naming Poland's police as Ukraine's */
	snprintf(path, sizeof(path), "%s/keys/UA/members/UA_GOV_00032684_police/cert.pem",
		 platform.state);
	certs_read(path, der, sizeof(der), kid, sizeof(kid));
	u = (struct upload){.key_of = "UA",
			    .country = "UA",
			    .members = json_pack("[{s:s,s:s}]", "id", "PL/GOV/00000003/police",
						 "certificate", der)};
	expect_refusal("another country's member", &u, 403, "not a member id of UA");
	json_decref(u.members);
	/* the same accepted upload twice: the second is a replay */
	u = (struct upload){.key_of = "UA", .country = "UA"};
	assert_int_equal(upload(&u, &sent, NULL), 200);
	u = (struct upload){.body = sent};
	expect_refusal("a replay", &u, 409, "accepted before");
	free(sent);
	/* malformed bodies */
	u = (struct upload){.body = "{\"upload\": 5}"};
	expect_refusal("upload not a string", &u, 400, NULL);
	u = (struct upload){.body = "{\"upload\": \"a.b.c\"}"};
	expect_refusal("not a JWS", &u, 400, NULL);
	u = (struct upload){.body = "[]"};
	expect_refusal("not an object", &u, 400, NULL);

	/* every refusal is on record, with its reason */
	snprintf(path, sizeof(path), "sqlite:%s/trust/trust.db", platform.state);
	assert_int_equal(store_open(path, &store, &err), HR_OK);
	assert_int_equal(store_prepare(store,
				       "SELECT COUNT(*), MIN(LENGTH(reason)) FROM uploads WHERE "
				       "accepted = 0",
				       &stmt, &err),
			 HR_OK);
	assert_int_equal(store_step(stmt, &row, &err), HR_OK);
	assert_true(row);
	assert_true(store_column_int64(stmt, 0) >= 12);
	assert_true(store_column_int64(stmt, 1) > 10);
	store_stmt_free(stmt);
	store_close(store);
	/* and the list still holds what both countries published at start */
	list = current_list(NULL);
	assert_true(json_array_size(json_object_get(list, "signers")) >= 18);
	assert_true(json_array_size(json_object_get(list, "members")) >= 26);
	json_decref(list);
}

/* `hromada verify` with a trust service; the JSON object it printed in *result. */
static int verify(const char *payload, const char *cache, const char *list_file, const char *url,
		  const char *grace, json_t **result)
{
	char out[65536];
	char *argv[16];
	int n = 0, code;

	argv[n++] = (char *)tk_hromada_binary();
	argv[n++] = "verify";
	if (list_file != NULL) {
		argv[n++] = "--trust-list";
		argv[n++] = (char *)list_file;
	} else {
		argv[n++] = "--trust-url";
		argv[n++] = (char *)url;
	}
	argv[n++] = "--trust-anchor";
	argv[n++] = anchor;
	if (cache != NULL) {
		argv[n++] = "--trust-cache";
		argv[n++] = (char *)cache;
	}
	if (grace != NULL) {
		argv[n++] = "--trust-grace";
		argv[n++] = (char *)grace;
	}
	argv[n++] = (char *)payload;
	argv[n] = NULL;
	code = tk_run(argv, out, sizeof(out), 30000);
	if (result != NULL) {
		const char *brace = strchr(out, '{');
		*result = brace ? json_loads(brace, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
		if (*result == NULL)
			fail_msg("verify printed no JSON: %s", out);
	}
	return code;
}

static const char *stage_failed(const json_t *result)
{
	return json_string_value(json_object_get(json_object_get(result, "error"), "stage"));
}

/* A driver's licence credential signed by the signer in dir. */
static void issue(const char *dir, char *out, size_t size)
{
	char text[16384];
	char *argv[] = {(char *)tk_hromada_binary(),
			"issue",
			"--signer",
			(char *)dir,
			"--type",
			"driver_licence",
			"--json",
			example,
			NULL};
	char *start;

	assert_int_equal(tk_run(argv, text, sizeof(text), 30000), 0);
	assert_non_null(start = strstr(text, "HR1:"));
	start[strcspn(start, "\r\n")] = 0;
	snprintf(out, size, "%s", start);
}

static void test_withdrawn_signer_refused_after_refresh(void **unused)
{
	char dir[512], root[512], der[8192], kid[32], path[600], cache[512], payload[8192];
	struct upload u;
	json_t *result = NULL;

	(void)unused;
	snprintf(root, sizeof(root), "%s/keys/UA/root", platform.state);
	tk_dir_path(dir, sizeof(dir), "new-signer");
	certs_issue(root, dir, "UA", "Hromada UA Document Signer driver_licence 2",
		    HROMADA_EKU_ARC ".3", -60, 30 * 86400);
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	certs_read(path, der, sizeof(der), kid, sizeof(kid));
	tk_dir_path(cache, sizeof(cache), "verifier-cache");
	issue(dir, payload, sizeof(payload));

	/* not yet published: no trusted signer has its kid */
	assert_int_equal(verify(payload, cache, NULL, trust_url, NULL, &result), 1);
	assert_string_equal(stage_failed(result), "signature");
	json_decref(result);

	u = (struct upload){.key_of = "UA", .country = "UA", .signers = json_pack("[s]", der)};
	assert_int_equal(upload(&u, NULL, NULL), 200);
	json_decref(u.signers);
	assert_true(list_has_kid(kid));
	assert_int_equal(verify(payload, cache, NULL, trust_url, NULL, &result), 0);
	assert_true(json_is_true(json_object_get(result, "valid")));
	json_decref(result);

	/* Ukraine's operator withdraws it (hromada trust-upload): the next list
	 * drops it, the verifier follows */
	{
		char key_dir[512], out[8192];
		char *argv[] = {(char *)tk_hromada_binary(),
				"trust-upload",
				"--url",
				trust_url,
				"--country",
				"UA",
				"--key",
				key_dir,
				"--withdraw",
				kid,
				NULL};
		snprintf(key_dir, sizeof(key_dir), "%s/keys/UA/upload", platform.state);
		if (tk_run(argv, out, sizeof(out), 30000) != 0)
			fail_msg("trust-upload: %s", out);
		assert_non_null(strstr(out, "\"signers_withdrawn\":1"));
	}
	assert_false(list_has_kid(kid));
	assert_int_equal(verify(payload, cache, NULL, trust_url, NULL, &result), 1);
	assert_string_equal(stage_failed(result), "signature");
	json_decref(result);
	/* and it stays withdrawn: uploading it again is refused */
	u = (struct upload){.key_of = "UA", .country = "UA", .signers = json_pack("[s]", der)};
	expect_refusal("a withdrawn signer again", &u, 409, "withdrawn");
	json_decref(u.signers);
}

static void test_rollback_and_stale_lists_refused(void **unused)
{
	char old_path[512], cache[512], payload[8192], signer[600];
	char *old = NULL;
	json_t *old_list, *result = NULL;
	struct upload u = {.key_of = "PL", .country = "PL"};
	struct hr_time old_next;

	(void)unused;
	snprintf(signer, sizeof(signer), "%s/keys/UA/signers/driver_licence", platform.state);
	issue(signer, payload, sizeof(payload));
	tk_dir_path(cache, sizeof(cache), "rollback-cache");
	old_list = current_list(&old);
	tk_dir_path(old_path, sizeof(old_path), "old-list.json");
	assert_true(tk_write_file(old_path, old));
	/* the old list is fine on its own */
	assert_int_equal(verify(payload, NULL, old_path, NULL, NULL, &result), 0);
	json_decref(result);
	/* a newer list (an upload makes one) reaches the verifier's cache */
	sleep(1);
	assert_int_equal(upload(&u, NULL, NULL), 200);
	assert_true(current_sequence() > json_integer_value(json_object_get(old_list, "sequence")));
	assert_int_equal(verify(payload, cache, NULL, trust_url, NULL, &result), 0);
	json_decref(result);
	/* rollback: the old list offered to a verifier that knows a newer one */
	assert_int_not_equal(verify(payload, cache, old_path, NULL, NULL, &result), 0);
	assert_string_equal(stage_failed(result), "trust_list");
	assert_false(json_is_true(json_object_get(result, "valid")));
	json_decref(result);

	/* stale: past the old list's next_update, with no grace */
	assert_int_equal(hr_time_parse(json_string_value(json_object_get(old_list, "next_update")),
				       &old_next, NULL),
			 HR_OK);
	while ((int64_t)time(NULL) <= old_next.seconds + 1)
		sleep(1);
	assert_int_not_equal(verify(payload, NULL, old_path, NULL, "0", &result), 0);
	assert_string_equal(stage_failed(result), "trust_list");
	json_decref(result);
	/* a fresh fetch from the service works (it re-signs in time) */
	assert_int_equal(verify(payload, cache, NULL, trust_url, "0", &result), 0);
	json_decref(result);
	json_decref(old_list);
	free(old);
}

/* Last: the trust service goes away; a verifier carries on from its cache
 * while the cached list is current, and refuses once it is stale. */
static void test_offline_from_the_cache_until_stale(void **unused)
{
	char cache[512], payload[8192], signer[600];
	json_t *result = NULL;
	struct hr_time next;
	json_t *list;

	(void)unused;
	snprintf(signer, sizeof(signer), "%s/keys/UA/signers/driver_licence", platform.state);
	issue(signer, payload, sizeof(payload));
	tk_dir_path(cache, sizeof(cache), "offline-cache");
	assert_int_equal(verify(payload, cache, NULL, trust_url, NULL, &result), 0);
	json_decref(result);
	list = current_list(NULL);
	assert_int_equal(slice_platform_halt(&platform), 0);
	assert_int_equal(
	    hr_time_parse(json_string_value(json_object_get(list, "next_update")), &next, NULL),
	    HR_OK);
	if ((int64_t)time(NULL) < next.seconds) {
		assert_int_equal(verify(payload, cache, NULL, trust_url, "0", &result), 0);
		assert_true(json_is_true(json_object_get(result, "valid")));
		json_decref(result);
	}
	while ((int64_t)time(NULL) <= next.seconds + 2)
		sleep(1);
	assert_int_not_equal(verify(payload, cache, NULL, trust_url, "0", &result), 0);
	assert_string_equal(stage_failed(result), "trust_list");
	json_decref(result);
	json_decref(list);
}

/*
 * The verifier page pins the trust-list signer it gets at /verify/anchor.json
 * (docs/WEB.md): that must be exactly the certificate `hromada verify` pins
 * (STATE/trust-anchor.pem), with its kid; and the page itself is served there
 * under the strict page policy.
 */
static void test_verifier_page_and_its_anchor(void **unused)
{
	struct http_client_response r;
	struct signer_cert *pinned = NULL;
	struct buf der64, kid64;
	struct hr_error err = {0};
	char url[300];
	json_t *body;
	const char *csp;

	(void)unused;
	assert_int_equal(signer_cert_read_file(anchor, &pinned, &err), HR_OK);
	buf_init(&der64, 64 * 1024);
	buf_init(&kid64, 64);
	assert_int_equal(signer_cert_base64(pinned, &der64), HR_OK);
	assert_int_equal(base64_encode(pinned->kid, SIGNER_KID_LEN, BASE64_STANDARD, &kid64),
			 HR_OK);

	http_client_response_init(&r);
	snprintf(url, sizeof(url), "%s/verify/anchor.json", trust_url);
	assert_int_equal(http_client_get(http, url, &r, NULL), HR_OK);
	assert_int_equal(r.status, 200);
	body = json_loadb((const char *)r.body.data, r.body.len, 0, NULL);
	assert_non_null(body);
	assert_string_equal(json_string_value(json_object_get(body, "format")),
			    "hromada-trust-anchor");
	assert_string_equal(json_string_value(json_object_get(body, "certificate")),
			    buf_str(&der64));
	assert_string_equal(json_string_value(json_object_get(body, "kid")), buf_str(&kid64));
	json_decref(body);
	http_client_response_clear(&r);

	http_client_response_init(&r);
	snprintf(url, sizeof(url), "%s/verify/", trust_url);
	assert_int_equal(http_client_get(http, url, &r, NULL), HR_OK);
	assert_int_equal(r.status, 200);
	csp = http_client_response_header(&r, "content-security-policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "script-src 'self'"));
	assert_non_null(memmem(r.body.data, r.body.len, "/verify/app.js", 14));
	http_client_response_clear(&r);
	buf_clear(&der64);
	buf_clear(&kid64);
	signer_cert_free(pinned);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_uploads_refused_and_recorded, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_withdrawn_signer_refused_after_refresh,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_rollback_and_stale_lists_refused, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_verifier_page_and_its_anchor, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_offline_from_the_cache_until_stale, tk_dir_setup,
					    tk_dir_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
