/*
 * test_sentinel_up.c — the leak-defence sentinel end to end (issue 12, DESIGN.md
 * §7, docs/LEAKS.md "The sentinel"), under `hromada up --set
 * sentinel.throttle=true` with the default thresholds, over real HTTP with
 * real signatures:
 *
 *  - normal traffic of the wallet (citizens listing their documents), the
 *    bank (KYC with the customer's consent) and the police (checks of real
 *    people's licences, by person and by number) raises no incident;
 *  - the police enumerating consecutive RNOKPPs of one birth day, mixed with
 *    that normal traffic, is an incident at the nccc within a minute, naming
 *    the police (a hromada-member indicator) and no one else, and the police
 *    is then refused with a signed 429 member_throttled;
 *  - the CERT sees the alert and the throttle through the gateway's own
 *    sentinel service and releases the police, which is served again;
 *  - a line for a real demo citizen appended to STATE/UA/leak/canaries.jsonl
 *    (tag under STATE/UA/leak/canary.key, served to the bank) makes the next
 *    request for that person an incident at once, naming the bank;
 *  - none of the identifiers involved is written to the gateway's state.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/documents.h"
#include "core/http_client.h"
#include "core/secret.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "e2e/slice.h"
#include "exchange/member.h"
#include "exchange/replay.h"
#include "leak/leak_tag.h"
#include "platform/country.h"

#define GATEWAY  "UA/GOV/37567646/gateway"
#define POLICE   "UA/GOV/00032684/police"
#define BANK     "UA/COM/14360570/bank"
#define WALLET   "UA/GOV/43395033/wallet"
#define CERT_UA  "UA/GOV/34239034/cert"
#define DL       "UA/GOV/00015622/driver_licence"
#define ID_CARD  "UA/GOV/00015622/id_card"
#define OUT_MAX  (4u * 1024 * 1024)
#define CITIZENS 3

static struct slice_platform platform;
static struct http_client *http;
static struct replay_cache *nonces; /* of the gateway's answers */
static EVP_PKEY *gateway_key;
static char keys[600], gateway_url[256], nccc_url[256];
static struct device devices[CITIZENS];
static char licences[CITIZENS][64]; /* the citizens' licence numbers */
static char *out;
static char enumerated[16]; /* one of the ids the police enumerated */

static int setup(void **unused)
{
	char *extra[] = {"--set", "sentinel.throttle=true", NULL};
	char path[700];
	struct http_client_options o;
	struct hr_error err = {0};

	(void)unused;
	slice_platform_start(&platform, extra);
	snprintf(keys, sizeof(keys), "%s/keys/UA", platform.state);
	snprintf(gateway_url, sizeof(gateway_url), "%s",
		 slice_endpoint(&platform, "UA", "gateway"));
	snprintf(nccc_url, sizeof(nccc_url), "%s", slice_endpoint(&platform, NULL, "nccc"));
	country_member_dir(keys, GATEWAY, path, sizeof(path));
	strncat(path, "/cert.pem", sizeof(path) - strlen(path) - 1);
	if (signer_cert_public_key_file(path, &gateway_key, &err) != HR_OK)
		fail_msg("%s", err.message);
	http_client_options_default(&o);
	http = http_client_new(&o);
	nonces = replay_cache_new(1u << 16);
	out = malloc(OUT_MAX);
	return http != NULL && nonces != NULL && out != NULL ? 0 : -1;
}

static int teardown(void **unused)
{
	(void)unused;
	for (int i = 0; i < CITIZENS; i++)
		device_clear(&devices[i]);
	http_client_free(http);
	replay_cache_free(nonces);
	EVP_PKEY_free(gateway_key);
	free(out);
	return slice_platform_stop(&platform);
}

/* A signed call of member to the UA gateway, its answer's signature checked;
 * consent (may be NULL) in Hromada-Consent. The HTTP status. */
static long gateway_call(const char *member, const char *provider, const char *service,
			 const char *purpose, const char *consent, const char *body,
			 json_t **answer)
{
	struct http_header headers[4] = {{"Hromada-Client", member},
					 {"Hromada-Purpose", purpose},
					 {"Hromada-User", "UA:officer-1234"},
					 {"Hromada-Consent", consent}};
	char dir[700], key[800], cert[800], url[512];
	struct http_client_response response;
	struct member_identity self;
	struct member_call call;
	struct signer *signer = NULL;
	struct hr_error err = {0};
	long status;

	country_member_dir(keys, member, dir, sizeof(dir));
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	assert_int_equal(signer_open_files(key, cert, &signer, &err), HR_OK);
	snprintf(url, sizeof(url), "%s/x/%s/%s", gateway_url, provider, service);
	self = (struct member_identity){member, signer, NULL};
	call = (struct member_call){.url = url,
				    .headers = headers,
				    .header_count = consent ? 4 : 3,
				    .body = body,
				    .body_len = strlen(body),
				    .timeout_ms = 10000};
	http_client_response_init(&response);
	/* the answer, refusals included, must be the gateway's, bound to this request */
	if (member_call_post(http, &self, &call, GATEWAY, gateway_key, nonces, (int64_t)time(NULL),
			     &response, &err) != HR_OK)
		fail_msg("%s %s/%s: %s", member, provider, service, err.message);
	status = response.status;
	if (answer != NULL)
		*answer = json_loadb((const char *)response.body.data, response.body.len, 0, NULL);
	http_client_response_clear(&response);
	signer_free(signer);
	return status;
}

/* `hromada member --as CERT-UA request METHOD URL [--json BODY]`: its JSON. */
static json_t *as_cert(const char *method, const char *url, const char *body, int *code)
{
	char *argv[12] = {(char *)tk_hromada_binary(),
			  "member",
			  "--state",
			  platform.state,
			  "--as",
			  CERT_UA,
			  "request",
			  (char *)method,
			  (char *)url,
			  NULL};
	const char *start;

	if (body != NULL) {
		argv[9] = "--json";
		argv[10] = (char *)body;
	}
	*code = tk_run(argv, out, OUT_MAX, 60000);
	start = strpbrk(out, "{[");
	return start ? json_loads(start, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
}

/* Does any incident of the gateway's sentinel name member (a hromada-member
 * indicator) and, when rule is not NULL, come from that rule? */
static const json_t *sentinel_incident(const json_t *list, const char *member, const char *rule)
{
	const json_t *incident, *indicator;
	size_t i, j;

	json_array_foreach(json_object_get(list, "incidents"), i, incident)
	{
		const char *summary = json_string_value(json_object_get(incident, "summary"));
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "Sentinel rule %s ", rule ? rule : "");
		if (strcmp(json_string_value(json_object_get(incident, "reporter")), GATEWAY) !=
			0 ||
		    summary == NULL ||
		    strncmp(summary, prefix, rule ? strlen(prefix) : strlen("Sentinel rule ")) != 0)
			continue;
		json_array_foreach(json_object_get(incident, "indicators"), j, indicator)
		{
			if (strcmp(json_string_value(json_object_get(indicator, "type")),
				   "hromada-member") == 0 &&
			    strcmp(json_string_value(json_object_get(indicator, "value")),
				   member) == 0)
				return incident;
		}
	}
	return NULL;
}

/* Does the JSON of value hold text anywhere? */
static bool json_holds(const json_t *value, const char *text)
{
	char *dump = json_dumps(value, 0);
	bool found = dump != NULL && strstr(dump, text) != NULL;

	free(dump);
	return found;
}

static json_t *incidents(void)
{
	char url[400];
	int code;
	json_t *list;

	snprintf(url, sizeof(url), "%s/v1/incidents?limit=1000", nccc_url);
	list = as_cert("GET", url, NULL, &code);
	if (code != 0 || list == NULL)
		fail_msg("the nccc's incidents: %s", out);
	return list;
}

/* ---- normal traffic ------------------------------------------------------ */

/* The demo citizens of UA with a driver's licence and an id card. */
static void pick_citizens(void)
{
	const json_t *citizen;
	size_t i, n = 0;

	json_array_foreach(json_object_get(platform.demo, "UA"), i, citizen)
	{
		const json_t *type;
		size_t j;
		bool licence = false, card = false;

		json_array_foreach(json_object_get(citizen, "documents"), j, type)
		{
			licence |= strcmp(json_string_value(type), "driver_licence") == 0;
			card |= strcmp(json_string_value(type), "id_card") == 0;
		}
		if (licence && card && n < CITIZENS)
			device_init(&devices[n++],
				    json_string_value(json_object_get(citizen, "person")),
				    slice_endpoint(&platform, "UA", "wallet"));
	}
	assert_int_equal(n, CITIZENS);
}

/* One round of every normal member's work: each citizen lists their
 * documents in the wallet; the bank identifies one with their consent; the
 * police check one's licence by person and by number. */
static void normal_round(int round)
{
	struct device *d = &devices[round % CITIZENS];
	struct consent_claims kyc = {.purpose = "kyc", .doc = "id_card", .aud = BANK};
	struct buf consent;
	char body[128];
	json_t *answer = NULL;

	assert_int_equal(
	    device_call(d, http, "GET", "/v1/documents", NULL, true, NULL, NULL, 0, &answer), 200);
	json_decref(answer);
	buf_init(&consent, 8192);
	device_consent(d, &kyc, &consent);
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", d->person);
	if (gateway_call(BANK, ID_CARD, "lookup", "kyc", buf_str(&consent), body, &answer) != 200)
		fail_msg("the bank's KYC lookup was refused");
	json_decref(answer);
	buf_clear(&consent);
	assert_int_equal(
	    gateway_call(POLICE, DL, "lookup", "police-document-check", NULL, body, &answer), 200);
	if (licences[round % CITIZENS][0] == '\0')
		snprintf(licences[round % CITIZENS], sizeof(licences[0]), "%s",
			 json_string_value(json_object_get(
			     json_array_get(json_object_get(answer, "documents"), 0),
			     "document_number")));
	json_decref(answer);
	snprintf(body, sizeof(body), "{\"document_number\":\"%s\"}", licences[round % CITIZENS]);
	assert_int_equal(
	    gateway_call(POLICE, DL, "status", "police-document-check", NULL, body, &answer), 200);
	json_decref(answer);
}

static void test_normal_traffic_raises_no_incident(void **unused)
{
	uint64_t until;
	json_t *list;
	int rounds = 0;

	(void)unused;
	pick_citizens();
	for (int i = 0; i < CITIZENS; i++)
		device_enrol(&devices[i], http, platform.state);
	until = clock_monotonic_us() + 12 * 1000000ull;
	while (clock_monotonic_us() < until)
		normal_round(rounds++);
	print_message("# %d rounds of normal traffic\n", rounds);
	sleep(1); /* reports travel on a background thread */
	list = incidents();
	assert_null(sentinel_incident(list, WALLET, NULL));
	assert_null(sentinel_incident(list, BANK, NULL));
	assert_null(sentinel_incident(list, POLICE, NULL));
	json_decref(list);
}

/* ---- enumeration ------------------------------------------------------------- */

/* "UA:" + the RNOKPP of birth day 31000 and serial, with its check digit. */
static void rnokpp(unsigned serial, char out_id[16])
{
	for (int check = 0; check < 10; check++) {
		snprintf(out_id, 16, "UA:31000%04u%d", serial % 10000, check);
		if (rnokpp_valid(out_id + 3))
			return;
	}
	fail_msg("no check digit");
}

static void test_enumeration_is_an_incident_within_a_minute(void **unused)
{
	uint64_t start = clock_monotonic_us();
	const json_t *found = NULL;
	json_t *list = NULL, *answer = NULL;
	char body[128], id[16];
	int sent = 0, round = 0;
	long status = 200;
	double seconds;

	(void)unused;
	/* the police walks one birth day's serials, among everyone's normal work */
	while (found == NULL && clock_monotonic_us() - start < 60 * 1000000ull) {
		if (status != 429) {
			rnokpp(4000u + (unsigned)sent, id);
			snprintf(body, sizeof(body), "{\"person\":\"%s\"}", id);
			status = gateway_call(POLICE, DL, "lookup", "police-document-check", NULL,
					      body, NULL);
			if (status != 429)
				snprintf(enumerated, sizeof(enumerated), "%s", id);
			sent++;
		}
		if (sent % 3 == 0) {
			/* everyone else carries on (the police's own work waits for the
			 * release, below) */
			struct device *d = &devices[round++ % CITIZENS];

			assert_int_equal(device_call(d, http, "GET", "/v1/documents", NULL, true,
						     NULL, NULL, 0, &answer),
					 200);
			json_decref(answer);
		}
		if (sent >= 10 && sent % 2 == 0) {
			json_decref(list);
			list = incidents();
			found = sentinel_incident(list, POLICE, "enumeration");
		}
	}
	seconds = (double)(clock_monotonic_us() - start) / 1e6;
	print_message("# enumeration reported after %.1f s and %d requests\n", seconds, sent);
	assert_non_null(found);
	assert_true(seconds < 60);
	assert_string_equal(json_string_value(json_object_get(found, "class")),
			    "information-gathering:scanner");
	assert_non_null(
	    strstr(json_string_value(json_object_get(found, "summary")), "distinct identifiers"));
	/* no identifier in what the nccc holds */
	assert_false(json_holds(found, enumerated));
	assert_null(sentinel_incident(list, WALLET, NULL));
	assert_null(sentinel_incident(list, BANK, NULL));
	json_decref(list);

	/* throttled: whatever it asks now is refused, signed by the gateway */
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", devices[0].person);
	assert_int_equal(
	    gateway_call(POLICE, DL, "lookup", "police-document-check", NULL, body, &answer), 429);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(answer, "error"), "code")),
	    "member_throttled");
	json_decref(answer);
	/* the others are served */
	assert_int_equal(device_call(&devices[0], http, "GET", "/v1/documents", NULL, true, NULL,
				     NULL, 0, &answer),
			 200);
	json_decref(answer);
	/* and /metrics says so */
	{
		static const char throttled[] = "hromada_sentinel_throttled_members 1\n";
		static const char none[] =
		    "hromada_sentinel_alerts_total{rule=\"enumeration\"} 0\n";
		struct http_client_response r;
		char url[400];

		snprintf(url, sizeof(url), "%s/metrics", gateway_url);
		assert_int_equal(slice_send(http, "GET", url, NULL, 0, NULL, 0, &r), 200);
		assert_non_null(memmem(r.body.data, r.body.len, throttled, strlen(throttled)));
		assert_null(memmem(r.body.data, r.body.len, none, strlen(none)));
		http_client_response_clear(&r);
	}
}

static void test_the_cert_sees_and_releases_the_throttle(void **unused)
{
	char url[400], release[200], body[128];
	json_t *status, *answer = NULL, *item;
	bool throttled = false, alerted = false;
	size_t i;
	int code;

	(void)unused;
	snprintf(url, sizeof(url), "%s/x/%s/sentinel", gateway_url, GATEWAY);
	status = as_cert("POST", url, "{\"action\":\"status\"}", &code);
	if (code != 0 || status == NULL)
		fail_msg("the sentinel's status: %s", out);
	assert_true(json_is_true(json_object_get(status, "throttle")));
	json_array_foreach(json_object_get(status, "throttled"), i, item) throttled |=
	    strcmp(json_string_value(json_object_get(item, "member")), POLICE) == 0;
	json_array_foreach(json_object_get(status, "alerts"), i, item)
	{
		if (strcmp(json_string_value(json_object_get(item, "rule")), "enumeration") == 0 &&
		    strcmp(json_string_value(json_object_get(item, "member")), POLICE) == 0) {
			/* the operator sees the identifiers behind it */
			alerted = json_array_size(json_object_get(item, "samples")) > 0;
			assert_true(strncmp(json_string_value(json_array_get(
						json_object_get(item, "samples"), 0)),
					    "UA:31000", 8) == 0);
		}
	}
	assert_true(throttled);
	assert_true(alerted);
	json_decref(status);
	/* a bank may not look */
	{
		json_t *refused = NULL;

		assert_int_equal(gateway_call(BANK, GATEWAY, "sentinel", "incident-response", NULL,
					      "{\"action\":\"status\"}", &refused),
				 403);
		json_decref(refused);
	}
	snprintf(release, sizeof(release), "{\"action\":\"release\",\"member\":\"%s\"}", POLICE);
	answer = as_cert("POST", url, release, &code);
	assert_int_equal(code, 0);
	assert_string_equal(json_string_value(json_object_get(answer, "released")), POLICE);
	json_decref(answer);
	/* released twice: there is nothing to release */
	answer = as_cert("POST", url, release, &code);
	assert_int_equal(code, 1);
	json_decref(answer);
	/* served again, and its earlier enumeration no longer counts against it */
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", devices[1].person);
	assert_int_equal(
	    gateway_call(POLICE, DL, "lookup", "police-document-check", NULL, body, &answer), 200);
	json_decref(answer);
	snprintf(body, sizeof(body), "{\"document_number\":\"%s\"}", licences[1]);
	assert_int_equal(
	    gateway_call(POLICE, DL, "status", "police-document-check", NULL, body, &answer), 200);
	json_decref(answer);
}

/* ---- canaries ---------------------------------------------------------------- */

static void test_a_canary_request_is_an_incident_at_once(void **unused)
{
	const char *person = devices[2].person;
	uint8_t key[SECRET_LEN];
	char path[700], tag[LEAK_TAG_HEX_LEN + 1], line[400], body[128];
	struct hr_error err = {0};
	const json_t *found = NULL;
	json_t *list = NULL, *answer = NULL;
	uint64_t asked;
	double seconds;
	FILE *f;

	(void)unused;
	/* what `hromada canary plant` appends once the canary was served to the bank */
	snprintf(path, sizeof(path), "%s/UA/leak/canary.key", platform.state);
	assert_int_equal(secret_load_or_create(path, key, &err), HR_OK);
	assert_int_equal(leak_tag_hex(key, person, tag), HR_OK);
	snprintf(line, sizeof(line),
		 "{\"tag\": \"%s\", \"member\": \"%s\", \"canary\": \"canary-e2e-1\", "
		 "\"planted_at\": \"2026-12-07T10:00:00Z\"}\n",
		 tag, BANK);
	snprintf(path, sizeof(path), "%s/UA/leak/canaries.jsonl", platform.state);
	f = fopen(path, "a");
	assert_non_null(f);
	fputs(line, f);
	fclose(f);
	usleep(1100 * 1000); /* the gateway looks at the file once a second */
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", person);
	asked = clock_monotonic_us();
	assert_int_equal(
	    gateway_call(POLICE, DL, "lookup", "police-document-check", NULL, body, &answer), 200);
	json_decref(answer);
	for (int tries = 0; tries < 50 && found == NULL; tries++) {
		json_decref(list);
		list = incidents();
		found = sentinel_incident(list, BANK, "canary");
		if (found == NULL)
			usleep(100 * 1000);
	}
	seconds = (double)(clock_monotonic_us() - asked) / 1e6;
	print_message("# canary reported %.1f s after the request\n", seconds);
	assert_non_null(found);
	assert_true(seconds < 10);
	assert_string_equal(json_string_value(json_object_get(found, "class")),
			    "information-content-security:data-leak");
	/* the requester is named too, the canary's person is not */
	assert_non_null(sentinel_incident(list, POLICE, "canary"));
	assert_false(json_holds(found, person));
	json_decref(list);
	/* and the requester, throttled for it, is refused */
	assert_int_equal(
	    gateway_call(POLICE, DL, "lookup", "police-document-check", NULL, body, &answer), 429);
	json_decref(answer);
}

static void test_no_identifier_reaches_the_gateways_state(void **unused)
{
	char dir[700], where[700];

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/UA/gateway", platform.state);
	if (tk_tree_contains(dir, enumerated, where, sizeof(where)))
		fail_msg("%s holds an enumerated id", where);
	if (tk_tree_contains(dir, devices[2].person, where, sizeof(where)))
		fail_msg("%s holds the canary's person", where);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normal_traffic_raises_no_incident),
	    cmocka_unit_test(test_enumeration_is_an_incident_within_a_minute),
	    cmocka_unit_test(test_the_cert_sees_and_releases_the_throttle),
	    cmocka_unit_test(test_a_canary_request_is_an_incident_at_once),
	    cmocka_unit_test(test_no_identifier_reaches_the_gateways_state),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
