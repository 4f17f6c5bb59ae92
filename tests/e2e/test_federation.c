/*
 * test_federation.c — Ukraine and Poland recognise each other's documents
 * (issue 10): their gateways federate through the trust service, and
 *  - a Polish police officer checks a Ukrainian driver's licence by its number
 *    with `hromada member` as the Polish police: the call goes through the
 *    Polish and the Ukrainian gateway, both record it, the officer learns the
 *    status only, and the Ukrainian holder's access history names the Polish
 *    police, their country, purpose and legal basis, with its proof;
 *  - a Ukrainian living in Poland sees the residence permit Poland's registry
 *    holds for them in their Ukrainian wallet, live through both gateways, with
 *    their consent (and a Pole living in Ukraine the other way round), and a
 *    call without consent is refused by both;
 *  - members outside their rights are refused at their own gateway, and
 *    another country's member cannot call our gateway directly;
 *  - every document type of a Polish citizen comes through the Polish wallet
 *    and verifies offline against the trust service's list alone, as do
 *    Ukrainian credentials for a verifier on the other side.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "audit/access_history.h"
#include "core/documents.h"
#include "core/http_client.h"
#include "credential/signer_cert.h"
#include "e2e/slice.h"
#include "platform/country.h"

static struct slice_platform platform;
static struct http_client *http;
static char trust_url[256], anchor[400];

static int setup(void **unused)
{
	struct http_client_options o;

	(void)unused;
	slice_platform_start(&platform, NULL);
	snprintf(trust_url, sizeof(trust_url), "%s", slice_endpoint(&platform, NULL, "trust"));
	snprintf(anchor, sizeof(anchor), "%s/trust-anchor.pem", platform.state);
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

/* `hromada member --as MEMBER request POST URL --json BODY`, with the purpose
 * the police give: its exit code and the answer it printed. */
static int member_request(const char *member, const char *url, const char *body, json_t **answer)
{
	char out[65536];
	char *argv[] = {(char *)tk_hromada_binary(),
			"member",
			"--state",
			platform.state,
			"--as",
			(char *)member,
			"--header",
			"Hromada-Purpose: " COUNTRY_PURPOSE_POLICE,
			"request",
			"POST",
			(char *)url,
			"--json",
			(char *)body,
			NULL};
	int code = tk_run(argv, out, sizeof(out), 30000);
	const char *brace = strchr(out, '{');

	*answer = brace ? json_loads(brace, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	return code;
}

/* The number of a document of type the device's person holds (GET
 * /v1/documents, with the registries abroad when country is not home). */
static void document_number(struct device *d, const char *type, const char *country, char *out,
			    size_t size)
{
	json_t *answer = NULL, *doc;
	bool abroad = strncmp(d->person, country, 2) != 0;
	size_t i;

	out[0] = 0;
	assert_int_equal(device_call(d, http, "GET", "/v1/documents", abroad ? "abroad=1" : NULL,
				     true, NULL, NULL, 0, &answer),
			 200);
	json_array_foreach(json_object_get(answer, "documents"), i, doc)
	{
		const char *t = json_string_value(json_object_get(doc, "type"));
		const char *c = json_string_value(json_object_get(doc, "country"));
		const char *n = json_string_value(json_object_get(doc, "document_number"));
		if (t && n && strcmp(t, type) == 0 && c && strcmp(c, country) == 0)
			snprintf(out, size, "%s", n);
	}
	json_decref(answer);
	if (out[0] == 0)
		fail_msg("%s holds no %s of %s", d->person, type, country);
}

static uint64_t tree_size(const char *country)
{
	struct http_client_response r;
	char url[300];
	json_t *sth;
	uint64_t size;

	snprintf(url, sizeof(url), "%s/audit/sth", slice_endpoint(&platform, country, "gateway"));
	http_client_response_init(&r);
	assert_int_equal(http_client_get(http, url, &r, NULL), HR_OK);
	sth = json_loadb((const char *)r.body.data, r.body.len, 0, NULL);
	size = (uint64_t)json_integer_value(json_object_get(sth, "tree_size"));
	json_decref(sth);
	http_client_response_clear(&r);
	return size;
}

/* The citizen's history checked as their device checks it. */
static void check_history(const json_t *history, const char *country)
{
	char cert[700];
	EVP_PKEY *key = NULL;
	struct hr_error err = {0};
	size_t checked = 0;

	snprintf(cert, sizeof(cert), "%s/tree-head.pem",
		 slice_endpoint(&platform, country, "audit_dir"));
	assert_int_equal(signer_cert_public_key_file(cert, &key, &err), HR_OK);
	if (access_history_check(history, key, &checked, &err) != HR_OK)
		fail_msg("access history: %s", err.message);
	assert_true(checked >= 1);
	EVP_PKEY_free(key);
}

static void test_polish_police_check_a_ukrainian_licence_by_number(void **unused)
{
	const struct country_members *ua = country_members("UA"), *pl = country_members("PL");
	json_t *citizen = slice_citizen_with(platform.demo, "UA", "driver_licence");
	json_t *answer = NULL, *history;
	const json_t *entry;
	char number[64], body[160], url[400];
	uint64_t ua_before, pl_before;
	struct device d;

	(void)unused;
	assert_non_null(citizen);
	device_init(&d, json_string_value(json_object_get(citizen, "person")),
		    slice_endpoint(&platform, "UA", "wallet"));
	device_enrol(&d, http, platform.state);
	document_number(&d, "driver_licence", "UA", number, sizeof(number));
	snprintf(body, sizeof(body), "{\"document_number\": \"%s\"}", number);
	ua_before = tree_size("UA");
	pl_before = tree_size("PL");

	/* the Polish officer asks their own gateway about a Ukrainian licence */
	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/driver_licence/status",
		 slice_endpoint(&platform, "PL", "gateway"));
	assert_int_equal(member_request(pl->police, url, body, &answer), 0);
	assert_string_equal(json_string_value(json_object_get(answer, "status")), "valid");
	assert_int_equal(json_object_size(answer), 1); /* not who holds it */
	json_decref(answer);

	/* both gateways recorded it */
	for (int i = 0; i < 50 && (tree_size("UA") <= ua_before || tree_size("PL") <= pl_before);
	     i++)
		usleep(100 * 1000);
	assert_true(tree_size("UA") > ua_before);
	assert_true(tree_size("PL") > pl_before);

	/* the holder sees who looked, from which country, why, under which law */
	history = slice_access_log_settled(&d, http);
	entry = slice_history_entry(history, pl->police, "status");
	assert_non_null(entry);
	assert_string_equal(json_string_value(json_object_get(entry, "client_name")),
			    pl->police_name);
	assert_string_equal(json_string_value(json_object_get(entry, "client_country")), "PL");
	assert_string_equal(json_string_value(json_object_get(entry, "provider_country")), "UA");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(entry, "fields"), "purpose")),
	    COUNTRY_PURPOSE_POLICE);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(entry, "fields"), "legal_basis")),
	    ua->cross_border_basis);
	check_history(history, "UA");
	json_decref(history);

	/* outside their rights: a lookup by person is not granted across the border */
	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/driver_licence/lookup",
		 slice_endpoint(&platform, "PL", "gateway"));
	snprintf(body, sizeof(body), "{\"person\": \"%s\"}", d.person);
	assert_int_equal(member_request(pl->police, url, body, &answer), 1);
	if (strcmp(json_string_value(json_object_get(json_object_get(answer, "error"), "code")),
		   "denied") != 0)
		fail_msg("%s", json_dumps(answer, 0));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(answer, "error"), "code")), "denied");
	json_decref(answer);
	/* nor any of Ukraine's passports, nor to a bank */
	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/foreign_passport/status",
		 slice_endpoint(&platform, "PL", "gateway"));
	assert_int_equal(member_request(pl->police, url, "{\"document_number\": \"X\"}", &answer),
			 1);
	json_decref(answer);
	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/driver_licence/status",
		 slice_endpoint(&platform, "PL", "gateway"));
	assert_int_equal(member_request(pl->bank, url, "{\"document_number\": \"X\"}", &answer), 1);
	json_decref(answer);
	/* the Polish police cannot go round their gateway to Ukraine's */
	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/driver_licence/status",
		 slice_endpoint(&platform, "UA", "gateway"));
	assert_int_equal(member_request(pl->police, url, "{\"document_number\": \"X\"}", &answer),
			 1);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(answer, "error"), "code")),
	    "unauthorized");
	json_decref(answer);
	device_clear(&d);
}

/* A demo citizen of home who lives in abroad_country, with their id there. */
static json_t *resident_abroad(const char *home, const char *abroad_country, const char **id)
{
	json_t *c, *a;
	size_t i, j;

	json_array_foreach(json_object_get(platform.demo, home), i, c)
	{
		json_array_foreach(json_object_get(c, "abroad"), j, a)
		{
			if (strcmp(json_string_value(json_object_get(a, "country")),
				   abroad_country) == 0) {
				*id = json_string_value(json_object_get(a, "person"));
				return c;
			}
		}
	}
	fail_msg("demo.json has no %s citizen living in %s", home, abroad_country);
	return NULL;
}

static void resident_sees_permit(const char *home, const char *abroad_country)
{
	const char *id_abroad = NULL;
	json_t *citizen = resident_abroad(home, abroad_country, &id_abroad);
	json_t *answer = NULL, *history, *doc;
	const struct country_members *h = country_members(home);
	char query[16], provider[96], number[64], payload[8192];
	const json_t *entry;
	struct device d;
	uint64_t abroad_before = tree_size(abroad_country);

	device_init(&d, json_string_value(json_object_get(citizen, "person")),
		    slice_endpoint(&platform, home, "wallet"));
	device_enrol(&d, http, platform.state);
	/* listed among their documents, with the country that holds it, when they
	 * ask for the registries abroad too (not otherwise: each such call tells
	 * the other country that they opened their wallet) */
	document_number(&d, "residence_permit", abroad_country, number, sizeof(number));
	assert_int_equal(
	    device_call(&d, http, "GET", "/v1/documents", NULL, true, NULL, NULL, 0, &answer), 200);
	{
		const json_t *item;
		size_t i;
		json_array_foreach(json_object_get(answer, "documents"), i, item)
		    assert_string_not_equal(json_string_value(json_object_get(item, "country")),
					    abroad_country);
	}
	json_decref(answer);
	/* fetched live through both gateways as a credential */
	snprintf(query, sizeof(query), "country=%s", abroad_country);
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/residence_permit", query, true,
				     NULL, NULL, 0, &answer),
			 200);
	doc = json_object_get(answer, "document");
	assert_string_equal(json_string_value(json_object_get(doc, "person_id")), id_abroad);
	assert_string_equal(json_string_value(json_object_get(doc, "document_number")), number);
	snprintf(payload, sizeof(payload), "%s", json_string_value(json_object_get(answer, "qr")));
	json_decref(answer);
	{
		char out[65536];
		char *argv[] = {(char *)tk_hromada_binary(),
				"verify",
				"--trust-url",
				trust_url,
				"--trust-anchor",
				anchor,
				payload,
				NULL};
		assert_int_equal(tk_run(argv, out, sizeof(out), 30000), 0);
	}
	/* without the citizen's consent both gateways refuse */
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/residence_permit", query,
				     false, NULL, NULL, 0, &answer),
			 403);
	json_decref(answer);
	/* the host country's gateway recorded the reading too (its next tree head
	 * is signed within a second) */
	for (int i = 0; i < 50 && tree_size(abroad_country) <= abroad_before; i++)
		usleep(100 * 1000);
	assert_true(tree_size(abroad_country) > abroad_before);
	/* and the citizen's own history shows their wallet reading the foreign register */
	snprintf(provider, sizeof(provider), "%s/residence_permit",
		 country_members(abroad_country)->registry_prefix);
	history = slice_access_log_settled(&d, http);
	entry = NULL;
	{
		const json_t *item;
		size_t i;
		json_array_foreach(json_object_get(history, "entries"), i, item)
		{
			const json_t *f = json_object_get(item, "fields");
			if (strcmp(json_string_value(json_object_get(f, "provider")), provider) ==
				0 &&
			    strcmp(json_string_value(json_object_get(f, "client")), h->wallet) == 0)
				entry = item;
		}
	}
	assert_non_null(entry);
	assert_string_equal(json_string_value(json_object_get(entry, "provider_country")),
			    abroad_country);
	assert_non_null(json_object_get(json_object_get(entry, "fields"), "consent"));
	check_history(history, home);
	json_decref(history);
	device_clear(&d);
}

static void test_resident_abroad_sees_their_residence_permit(void **unused)
{
	(void)unused;
	resident_sees_permit("UA", "PL");
	resident_sees_permit("PL", "UA");
}

/* Every document type of a country's citizens through its wallet, verified
 * with the trust service's list only. */
static void every_type_verified_through_the_trust_service(const char *country)
{
	char cache[512];

	tk_dir_path(cache, sizeof(cache), "cache");
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		json_t *citizen = slice_citizen_with(platform.demo, country, document_types[t]);
		json_t *answer = NULL, *result;
		char path[128], out[65536];
		char *argv[] = {(char *)tk_hromada_binary(),
				"verify",
				"--trust-url",
				trust_url,
				"--trust-anchor",
				anchor,
				"--trust-cache",
				cache,
				NULL,
				NULL};
		struct device d;

		if (citizen == NULL)
			fail_msg("demo.json has no %s citizen with a %s", country,
				 document_types[t]);
		device_init(&d, json_string_value(json_object_get(citizen, "person")),
			    slice_endpoint(&platform, country, "wallet"));
		device_enrol(&d, http, platform.state);
		snprintf(path, sizeof(path), "/v1/documents/%s", document_types[t]);
		assert_int_equal(
		    device_call(&d, http, "GET", path, NULL, true, NULL, NULL, 0, &answer), 200);
		argv[8] = (char *)json_string_value(json_object_get(answer, "qr"));
		if (tk_run(argv, out, sizeof(out), 30000) != 0)
			fail_msg("%s %s: %s", country, document_types[t], out);
		result = json_loads(strchr(out, '{'), JSON_DISABLE_EOF_CHECK, NULL);
		assert_string_equal(json_string_value(json_object_get(result, "issuer")), country);
		json_decref(result);
		json_decref(answer);
		device_clear(&d);
	}
}

static void test_credentials_verified_across_the_border(void **unused)
{
	(void)unused;
	every_type_verified_through_the_trust_service("PL");
	every_type_verified_through_the_trust_service("UA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_polish_police_check_a_ukrainian_licence_by_number),
	    cmocka_unit_test(test_resident_abroad_sees_their_residence_permit),
	    cmocka_unit_test_setup_teardown(test_credentials_verified_across_the_border,
					    tk_dir_setup, tk_dir_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
