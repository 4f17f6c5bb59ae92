/*
 * test_revocation.c — offline credentials and their status lists (issue 10,
 * DESIGN.md §4-5, draft-ietf-oauth-status-list):
 *  - the wallet's offline copy of a driver's licence lives 30 days, is bound to
 *    the device and carries the CWT status claim; `hromada verify --status
 *    online` finds its entry VALID; once the citizen reports the licence lost
 *    it reads `status: false` online and `null` offline;
 *  - the status list, decoded by an independent implementation of the draft
 *    (tests/tools/status_list.py: Python's zlib and python3-cryptography, not
 *    our C), says the same, and is the whole 2^20-entry list whichever entry a
 *    verifier checks;
 *  - a suspension by the police at the registry reaches the list through the
 *    wallet's reading of the registry's status changes, and so does the
 *    reinstatement;
 *  - a presentation credential (180 s) carries no status claim.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/http_client.h"
#include "e2e/slice.h"
#include "platform/country.h"

static struct slice_platform platform;
static struct http_client *http;
static char trust_url[256], anchor[400], signer_cert[400], decoder[512];

static int setup(void **unused)
{
	/* the registries' changes read every 300 ms; verifiers may cache a list 1 s */
	char *extra[] = {"--set", "wallet.status_poll_ms=300", "--set",
			 "wallet.status_list_ttl_s=1", NULL};
	struct http_client_options o;

	(void)unused;
	slice_platform_start(&platform, extra);
	snprintf(trust_url, sizeof(trust_url), "%s", slice_endpoint(&platform, NULL, "trust"));
	snprintf(anchor, sizeof(anchor), "%s/trust-anchor.pem", platform.state);
	snprintf(signer_cert, sizeof(signer_cert), "%s/keys/UA/signers/driver_licence/cert.pem",
		 platform.state);
	snprintf(decoder, sizeof(decoder), "%s/tests/tools/status_list.py",
		 getenv("HROMADA_SOURCE_DIR") ? getenv("HROMADA_SOURCE_DIR") : ".");
	http_client_options_default(&o);
	http = http_client_new(&o);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	http_client_free(http);
	return slice_platform_stop(&platform);
}

/* `hromada verify --trust-url ... --status MODE PAYLOAD`: exit code, result. */
static int verify(const char *payload, const char *mode, json_t **result)
{
	char out[65536], cache[512];
	char *argv[] = {(char *)tk_hromada_binary(),
			"verify",
			"--trust-url",
			trust_url,
			"--trust-anchor",
			anchor,
			"--trust-cache",
			cache,
			"--status",
			(char *)mode,
			(char *)payload,
			NULL};
	const char *brace;
	int code;

	tk_dir_path(cache, sizeof(cache), "verifier-cache");
	code = tk_run(argv, out, sizeof(out), 30000);
	brace = strchr(out, '{');
	*result = brace ? json_loads(brace, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	if (*result == NULL)
		fail_msg("verify printed no JSON: %s", out);
	return code;
}

static const json_t *stage(const json_t *result, const char *name)
{
	return json_object_get(json_object_get(result, "stages"), name);
}

/* The independent decoder's reading of entry idx of the list at uri. */
static json_t *decode_independently(const char *uri, json_int_t idx)
{
	char out[65536], index[32];
	char *argv[] = {
	    "/usr/bin/python3", decoder, "--cert", signer_cert, "--url", (char *)uri, "--uri",
	    (char *)uri,        "--idx", index,    NULL};
	json_t *result;

	snprintf(index, sizeof(index), "%lld", (long long)idx);
	if (tk_run(argv, out, sizeof(out), 30000) != 0)
		fail_msg("status_list.py: %s", out);
	result = json_loads(strchr(out, '{'), JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(result);
	return result;
}

/* An offline copy of the device's driver's licence: the answer. */
static json_t *offline_copy(struct device *d)
{
	json_t *answer = NULL;

	assert_int_equal(device_call(d, http, "GET", "/v1/documents/driver_licence", "offline=1",
				     true, NULL, NULL, 0, &answer),
			 200);
	return answer;
}

static void test_lost_licence_reads_false_online_null_offline(void **unused)
{
	json_t *citizen = slice_citizen_with(platform.demo, "UA", "driver_licence");
	json_t *answer, *result = NULL, *decoded, *presentation = NULL;
	const json_t *status, *claims;
	const char *qr, *uri;
	json_int_t idx;
	struct device d;

	(void)unused;
	device_init(&d, json_string_value(json_object_get(citizen, "person")),
		    slice_endpoint(&platform, "UA", "wallet"));
	device_enrol(&d, http, platform.state);
	answer = offline_copy(&d);
	assert_int_equal(json_integer_value(json_object_get(answer, "expires_in")), 30 * 86400);
	status = json_object_get(json_object_get(answer, "status"), "status_list");
	uri = json_string_value(json_object_get(status, "uri"));
	idx = json_integer_value(json_object_get(status, "idx"));
	assert_non_null(uri);
	qr = json_string_value(json_object_get(answer, "qr"));

	/* valid and VALID: the claim is in the credential, its entry is 0 */
	assert_int_equal(verify(qr, "online", &result), 0);
	assert_true(json_is_true(stage(result, "status")));
	claims = json_object_get(result, "claims");
	assert_int_equal(json_integer_value(json_object_get(claims, "exp")) -
			     json_integer_value(json_object_get(claims, "iat")),
			 30 * 86400);
	assert_non_null(json_object_get(claims, "cnf")); /* bound to the device */
	assert_non_null(json_object_get(claims, "status"));
	json_decref(result);
	decoded = decode_independently(uri, idx);
	assert_int_equal(json_integer_value(json_object_get(decoded, "status")), 0);
	assert_int_equal(json_integer_value(json_object_get(decoded, "bits")), 2);
	/* herd privacy: every verifier gets the whole list of 2^20 entries */
	assert_int_equal(json_integer_value(json_object_get(decoded, "size")), 1 << 20);
	assert_true(json_integer_value(json_object_get(decoded, "ttl")) > 0);
	json_decref(decoded);

	/* the citizen reports it lost; verifiers that cached the list see it once
	 * their copy is older than its ttl */
	assert_int_equal(device_call(&d, http, "POST", "/v1/documents/driver_licence/report-lost",
				     NULL, true, NULL, NULL, 0, NULL),
			 200);
	usleep(1100 * 1000);
	assert_int_equal(verify(qr, "online", &result), 1);
	assert_true(json_is_false(stage(result, "status")));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(result, "error"), "stage")),
	    "status");
	json_decref(result);
	assert_int_equal(verify(qr, "offline", &result), 0);
	assert_true(json_is_null(stage(result, "status")));
	json_decref(result);
	decoded = decode_independently(uri, idx);
	assert_int_equal(json_integer_value(json_object_get(decoded, "status")), 1); /* INVALID */
	json_decref(decoded);
	json_decref(answer);

	/* a presentation credential lives 180 s and carries no status entry */
	{
		char path[96] = "/v1/documents/none";
		const json_t *t;
		size_t i;
		json_array_foreach(json_object_get(citizen, "documents"), i, t)
		{
			if (strcmp(json_string_value(t), "driver_licence") != 0)
				snprintf(path, sizeof(path), "/v1/documents/%s",
					 json_string_value(t));
		}
		assert_int_equal(
		    device_call(&d, http, "GET", path, NULL, true, NULL, NULL, 0, &presentation),
		    200);
	}
	assert_int_equal(
	    verify(json_string_value(json_object_get(presentation, "qr")), "online", &result), 0);
	assert_true(json_is_null(stage(result, "status")));
	assert_null(json_object_get(json_object_get(result, "claims"), "status"));
	json_decref(result);
	json_decref(presentation);
	device_clear(&d);
}

/* `hromada member --as UA police request POST <gateway>/x/<licences>/SERVICE`. */
static void police(const char *service, const char *body)
{
	char out[16384], url[400];
	char *argv[] = {(char *)tk_hromada_binary(),
			"member",
			"--state",
			platform.state,
			"--as",
			(char *)country_members("UA")->police,
			"request",
			"POST",
			url,
			"--json",
			(char *)body,
			NULL};

	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/driver_licence/%s",
		 slice_endpoint(&platform, "UA", "gateway"), service);
	if (tk_run(argv, out, sizeof(out), 30000) != 0)
		fail_msg("police %s: %s", service, out);
}

/* Polls verify --status online until the status stage reads want (~10 s). */
static void wait_for_status(const char *qr, bool want)
{
	json_t *result = NULL;

	for (int i = 0; i < 40; i++) {
		verify(qr, "online", &result);
		if (json_is_boolean(stage(result, "status")) &&
		    json_is_true(stage(result, "status")) == want) {
			json_decref(result);
			return;
		}
		json_decref(result);
		usleep(250 * 1000);
	}
	fail_msg("the status stage never read %s", want ? "true" : "false");
}

static void test_police_suspension_reaches_the_status_list(void **unused)
{
	json_t *first = slice_citizen_with(platform.demo, "UA", "driver_licence");
	json_t *citizen = NULL, *c, *answer, *decoded, *history;
	const json_t *status;
	const char *qr;
	char body[256], number[64];
	struct device d;
	size_t i;

	(void)unused;
	/* another holder than the one who lost theirs */
	json_array_foreach(json_object_get(platform.demo, "UA"), i, c)
	{
		json_t *t;
		size_t j;
		if (c == first || citizen != NULL)
			continue;
		json_array_foreach(json_object_get(c, "documents"), j,
				   t) if (strcmp(json_string_value(t), "driver_licence") == 0)
		    citizen = c;
	}
	assert_non_null(citizen);
	device_init(&d, json_string_value(json_object_get(citizen, "person")),
		    slice_endpoint(&platform, "UA", "wallet"));
	device_enrol(&d, http, platform.state);
	answer = offline_copy(&d);
	qr = json_string_value(json_object_get(answer, "qr"));
	status = json_object_get(json_object_get(answer, "status"), "status_list");
	snprintf(number, sizeof(number), "%s",
		 json_string_value(
		     json_object_get(json_object_get(answer, "document"), "document_number")));
	wait_for_status(qr, true);

	/* the police suspend the licence at its registry: the wallet learns it
	 * from the registry's status changes */
	snprintf(body, sizeof(body),
		 "{\"document_number\": \"%s\", \"reason\": \"court order 2026/77\"}", number);
	police("suspend", body);
	wait_for_status(qr, false);
	decoded = decode_independently(json_string_value(json_object_get(status, "uri")),
				       json_integer_value(json_object_get(status, "idx")));
	assert_int_equal(json_integer_value(json_object_get(decoded, "status")), 2); /* SUSPENDED */
	json_decref(decoded);
	/* reinstated, the same credential is good again */
	snprintf(body, sizeof(body), "{\"document_number\": \"%s\"}", number);
	police("reinstate", body);
	wait_for_status(qr, true);
	/* and the holder sees the suspension in their history */
	history = slice_access_log_settled(&d, http);
	assert_non_null(slice_history_entry(history, country_members("UA")->police, "suspend"));
	json_decref(history);
	json_decref(answer);
	device_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lost_licence_reads_false_online_null_offline,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_police_suspension_reaches_the_status_list,
					    tk_dir_setup, tk_dir_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
