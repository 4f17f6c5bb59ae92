/*
 * test_slice.c — the vertical slice end to end (issue 4): `hromada up` with a
 * synthetic population; citizens enrol real P-256 devices, list their documents
 * and fetch every document type live through the gateway, each as a QR that
 * `hromada verify --trust-list` accepts offline; another citizen's token and a
 * replayed proof are refused; the police check a driver's licence under their
 * legal basis without consent while a bank without a right is refused; a
 * document reported lost shows as lost; the citizen's access history lists the
 * police lookup and their own, in words, each with an inclusion proof the test
 * checks as a device would, and `hromada audit verify` finds the log
 * consistent; and no file of the wallet or the gateway holds any of the
 * citizens' personal data.
 *
 * HROMADA_SLICE_STORE=postgresql runs the registries on the PostgreSQL server
 * the test harness started (e2e.slice_postgresql).
 */
#include "testkit/testkit.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "audit/access_history.h"
#include "core/documents.h"
#include "credential/signer_cert.h"
#include "core/http_client.h"
#include "e2e/slice.h"

static struct slice_platform platform;
static const char *state, *logfile; /* the platform's */
static json_t *endpoints, *demo;    /* the platform's */
static json_t *fetched;             /* every document the tests fetched: scanned for at the end */
static struct http_client *http;

static int setup(void **unused)
{
	char store_set[600] = "";
	char *extra[] = {store_set, NULL};
	const char *store = getenv("HROMADA_SLICE_STORE");
	struct http_client_options o;

	(void)unused;
	if (store != NULL && strcmp(store, "postgresql") == 0) {
		const char *url = tk_pg_url();
		if (url == NULL)
			fail_msg(
			    "HROMADA_SLICE_STORE=postgresql but no PostgreSQL server is running");
		snprintf(store_set, sizeof(store_set),
			 "--registry-store=%s%cschema=slice_{country}_{type}", url,
			 strchr(url, '?') ? '&' : '?');
	}
	slice_platform_start(&platform, store_set[0] ? extra : NULL);
	state = platform.state;
	logfile = platform.logfile;
	endpoints = platform.endpoints;
	demo = platform.demo;
	http_client_options_default(&o);
	http = http_client_new(&o);
	fetched = json_array();
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	http_client_free(http);
	json_decref(fetched);
	return slice_platform_stop(&platform);
}

static const char *wallet_of(const char *country)
{
	return json_string_value(json_object_get(json_object_get(endpoints, country), "wallet"));
}

static const char *gateway_of(const char *country)
{
	return json_string_value(json_object_get(json_object_get(endpoints, country), "gateway"));
}

static const char *person_of(json_t *citizen)
{
	return json_string_value(json_object_get(citizen, "person"));
}

/* A demo citizen of country other than citizen. */
static json_t *citizen_other_than(const char *country, json_t *citizen)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(demo, country), i, c)
	{
		if (strcmp(person_of(c), person_of(citizen)) != 0)
			return c;
	}
	fail_msg("demo.json has a single %s citizen", country);
	return NULL;
}

/* `hromada verify --trust-list STATE/trust-list.json QR` */
static json_t *verify_offline(const char *qr, int *exit_code)
{
	char list[400], out[65536];
	char *argv[] = {
	    (char *)tk_hromada_binary(), "verify", "--trust-list", list, (char *)qr, NULL};

	snprintf(list, sizeof(list), "%s/trust-list.json", state);
	*exit_code = tk_run(argv, out, sizeof(out), 30000);
	return json_loads(out, JSON_DISABLE_EOF_CHECK, NULL);
}

static void test_every_document_type_fetched_live_and_verified_offline(void **unused)
{
	(void)unused;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		json_t *citizen = slice_citizen_with(demo, "UA", document_types[t]), *answer = NULL,
		       *result;
		struct device d;
		char path[128];
		int code;

		assert_non_null(citizen);
		device_init(&d, person_of(citizen), wallet_of("UA"));
		device_enrol(&d, http, state);
		snprintf(path, sizeof(path), "/v1/documents/%s", document_types[t]);
		assert_int_equal(
		    device_call(&d, http, "GET", path, NULL, true, NULL, NULL, 0, &answer), 200);
		assert_string_equal(
		    json_string_value(json_object_get(json_object_get(answer, "document"), "t")),
		    document_types[t]);
		assert_non_null(
		    strstr(json_string_value(json_object_get(answer, "qr_svg")), "<svg"));
		json_array_append(fetched, json_object_get(answer, "document"));
		result = verify_offline(json_string_value(json_object_get(answer, "qr")), &code);
		assert_non_null(result);
		if (code != 0)
			fprintf(stderr, "%s\n", json_dumps(result, 0));
		assert_int_equal(code, 0);
		/* bound to this device: cnf carries the device key */
		assert_true(json_equal(
		    json_object_get(json_object_get(json_object_get(result, "claims"), "cnf"),
				    "jwk"),
		    d.jwk));
		json_decref(result);
		json_decref(answer);
		device_clear(&d);
	}
}

static void test_listing_and_selective_disclosure(void **unused)
{
	json_t *citizen = slice_citizen_with(demo, "UA", "driver_licence"), *answer = NULL, *doc;
	struct device d;

	(void)unused;
	device_init(&d, person_of(citizen), wallet_of("UA"));
	device_enrol(&d, http, state);
	assert_int_equal(
	    device_call(&d, http, "GET", "/v1/documents", NULL, true, NULL, NULL, 0, &answer), 200);
	assert_true(json_array_size(json_object_get(answer, "documents")) >= 1);
	json_decref(answer);
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/driver_licence",
				     "fields=family_name,categories", true, NULL, NULL, 0, &answer),
			 200);
	doc = json_object_get(answer, "document");
	assert_non_null(json_object_get(doc, "family_name"));
	assert_non_null(json_object_get(doc, "categories"));
	assert_null(json_object_get(doc, "birth_date"));
	assert_null(json_object_get(doc, "person_id"));
	json_decref(answer);
	/* a field the type does not have is refused */
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/driver_licence", "fields=vin",
				     true, NULL, NULL, 0, NULL),
			 400);
	/* without the citizen's consent the gateway does not let the wallet ask */
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/driver_licence", NULL, false,
				     NULL, NULL, 0, NULL),
			 403);
	device_clear(&d);
}

static void test_another_citizens_token_and_replayed_proof_are_refused(void **unused)
{
	json_t *a = slice_citizen_with(demo, "UA", "id_card"), *b = citizen_other_than("UA", a);
	struct device da, db;
	char proof[4096];

	(void)unused;
	device_init(&da, person_of(a), wallet_of("UA"));
	device_init(&db, person_of(b), wallet_of("UA"));
	device_enrol(&da, http, state);
	device_enrol(&db, http, state);
	/* A's device presenting B's token: the token is bound to B's key */
	snprintf(da.token, sizeof(da.token), "%s", db.token);
	assert_int_equal(
	    device_call(&da, http, "GET", "/v1/documents", NULL, true, NULL, NULL, 0, NULL), 401);
	/* a proof used twice */
	assert_int_equal(device_call(&db, http, "GET", "/v1/documents", NULL, true, NULL, proof,
				     sizeof(proof), NULL),
			 200);
	assert_int_equal(
	    device_call(&db, http, "GET", "/v1/documents", NULL, true, proof, NULL, 0, NULL), 401);
	/* a token that was tampered with */
	db.token[strlen(db.token) - 2] ^= 1;
	assert_int_equal(
	    device_call(&db, http, "GET", "/v1/documents", NULL, true, NULL, NULL, 0, NULL), 401);
	device_clear(&da);
	device_clear(&db);
}

static void test_police_under_legal_basis_and_bank_refused(void **unused)
{
	json_t *citizen = slice_citizen_with(demo, "UA", "driver_licence"), *answer = NULL;
	char keys[400], body[128];

	(void)unused;
	snprintf(keys, sizeof(keys), "%s/keys/UA", state);
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", person_of(citizen));
	assert_int_equal(member_lookup(http, keys, "UA/GOV/00032684/police", gateway_of("UA"),
				       "UA/GOV/00015622/driver_licence", "lookup",
				       "police-document-check", body, &answer),
			 200);
	assert_true(json_array_size(json_object_get(answer, "documents")) >= 1);
	json_decref(answer);
	/* the police have no right to the id_card registry, nor another purpose */
	assert_int_equal(member_lookup(http, keys, "UA/GOV/00032684/police", gateway_of("UA"),
				       "UA/GOV/00015622/id_card", "lookup", "police-document-check",
				       body, NULL),
			 403);
	assert_int_equal(member_lookup(http, keys, "UA/GOV/00032684/police", gateway_of("UA"),
				       "UA/GOV/00015622/driver_licence", "lookup", "curiosity",
				       body, NULL),
			 403);
	/* a bank without consent or right */
	assert_int_equal(member_lookup(http, keys, "UA/COM/14360570/bank", gateway_of("UA"),
				       "UA/GOV/00015622/driver_licence", "lookup",
				       "police-document-check", body, NULL),
			 403);
}

static void test_access_log_shows_every_access_with_proof(void **unused)
{
	json_t *citizen = slice_citizen_with(demo, "UA", "driver_licence"), *answer = NULL,
	       *history;
	const json_t *police, *own;
	char keys[400], body[128], number_body[128], cert[700], audit_dir[600], out[4096];
	char *verify_argv[] = {(char *)tk_hromada_binary(), "audit", "verify", audit_dir, NULL};
	EVP_PKEY *key = NULL;
	struct hr_error err = {0};
	struct device d;
	size_t checked = 0;

	(void)unused;
	snprintf(keys, sizeof(keys), "%s/keys/UA", state);
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", person_of(citizen));
	/* an officer looks the citizen up under the police's legal basis */
	assert_int_equal(member_lookup(http, keys, "UA/GOV/00032684/police", gateway_of("UA"),
				       "UA/GOV/00015622/driver_licence", "lookup",
				       "police-document-check", body, &answer),
			 200);
	/* and checks the licence's status by its number alone: the registry names
	 * the holder for the audit log, the police are not told who it is */
	snprintf(number_body, sizeof(number_body), "{\"document_number\":\"%s\"}",
		 json_string_value(json_object_get(
		     json_array_get(json_object_get(answer, "documents"), 0), "document_number")));
	json_decref(answer);
	assert_int_equal(member_lookup(http, keys, "UA/GOV/00032684/police", gateway_of("UA"),
				       "UA/GOV/00015622/driver_licence", "status",
				       "police-document-check", number_body, &answer),
			 200);
	assert_non_null(json_string_value(json_object_get(answer, "status")));
	assert_null(json_object_get(answer, "holder"));
	assert_int_equal(json_object_size(answer), 1);
	json_decref(answer);
	/* and the citizen fetches the licence themselves */
	device_init(&d, person_of(citizen), wallet_of("UA"));
	device_enrol(&d, http, state);
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/driver_licence", NULL, true,
				     NULL, NULL, 0, NULL),
			 200);
	history = slice_access_log_settled(&d, http);
	/* who, in words, which document, why */
	police = slice_history_entry(history, "UA/GOV/00032684/police", "lookup");
	assert_non_null(police);
	assert_string_equal(json_string_value(json_object_get(police, "client_name")),
			    "National Police of Ukraine");
	assert_string_equal(json_string_value(json_object_get(police, "document_type")),
			    "driver_licence");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(police, "fields"), "purpose")),
	    "police-document-check");
	assert_non_null(json_object_get(json_object_get(police, "fields"), "legal_basis"));
	police = slice_history_entry(history, "UA/GOV/00032684/police", "status");
	assert_non_null(police); /* asked by number, it is still the holder's access */
	assert_string_equal(json_string_value(json_object_get(police, "document_type")),
			    "driver_licence");
	own = slice_history_entry(history, "UA/GOV/43395033/wallet", "lookup");
	assert_non_null(own);
	assert_non_null(json_object_get(json_object_get(own, "fields"), "consent"));
	/* the device checks every proof against the signed head itself */
	snprintf(audit_dir, sizeof(audit_dir), "%s",
		 json_string_value(json_object_get(json_object_get(endpoints, "UA"), "audit_dir")));
	snprintf(cert, sizeof(cert), "%s/tree-head.pem", audit_dir);
	assert_int_equal(signer_cert_public_key_file(cert, &key, &err), HR_OK);
	if (access_history_check(history, key, &checked, &err) != HR_OK)
		fail_msg("access history: %s", err.message);
	assert_true(checked >= 2);
	/* a history with one changed byte in an entry does not pass */
	{
		json_t *forged = json_deep_copy(history);
		json_t *f = json_object_get(json_array_get(json_object_get(forged, "entries"), 0),
					    "fields");
		json_object_set_new(f, "purpose", json_string("nothing-to-see"));
		assert_int_not_equal(access_history_check(forged, key, &checked, &err), HR_OK);
		json_decref(forged);
	}
	EVP_PKEY_free(key);
	json_decref(history);
	device_clear(&d);
	/* another citizen's history holds none of it */
	device_init(&d, person_of(citizen_other_than("UA", citizen)), wallet_of("UA"));
	device_enrol(&d, http, state);
	history = slice_access_log_settled(&d, http);
	assert_null(slice_history_entry(history, "UA/GOV/00032684/police", "lookup"));
	assert_null(slice_history_entry(history, "UA/GOV/00032684/police", "status"));
	json_decref(history);
	device_clear(&d);
	/* and the whole log, as it is on disk, verifies */
	assert_int_equal(tk_run(verify_argv, out, sizeof(out), 60000), 0);
	assert_non_null(strstr(out, "consistent"));
}

/* Does a GET /v1/documents answer list a document of type with status? */
static bool has_document(const json_t *answer, const char *type, const char *status)
{
	const json_t *doc;
	size_t i;

	json_array_foreach(json_object_get(answer, "documents"), i, doc)
	{
		const char *t = json_string_value(json_object_get(doc, "type"));
		const char *s = json_string_value(json_object_get(doc, "status"));
		if (t != NULL && s != NULL && strcmp(t, type) == 0 && strcmp(s, status) == 0)
			return true;
	}
	return false;
}

static void test_report_lost_suspends_in_the_registry(void **unused)
{
	json_t *citizen = slice_citizen_with(demo, "PL", "foreign_passport"), *answer = NULL;
	struct device d;

	(void)unused;
	assert_non_null(citizen);
	device_init(&d, person_of(citizen), wallet_of("PL"));
	device_enrol(&d, http, state);
	assert_int_equal(device_call(&d, http, "POST", "/v1/documents/foreign_passport/report-lost",
				     NULL, true, NULL, NULL, 0, &answer),
			 200);
	assert_string_equal(json_string_value(json_object_get(answer, "status")), "lost");
	json_decref(answer);
	/* no credential for a lost document, and the listing says why */
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/foreign_passport", NULL, true,
				     NULL, NULL, 0, &answer),
			 409);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(answer, "error"), "code")),
	    "document_not_valid");
	json_decref(answer);
	assert_int_equal(
	    device_call(&d, http, "GET", "/v1/documents", NULL, true, NULL, NULL, 0, &answer), 200);
	assert_true(has_document(answer, "foreign_passport", "lost"));
	json_decref(answer);
	device_clear(&d);
}

/* Fails naming the first personal value of doc found under path. */
static void assert_tree_free_of(const char *path, const json_t *doc)
{
	static const char *const fields[] = {"person_id",
					     "family_name",
					     "given_name",
					     "patronymic",
					     "family_name_latin",
					     "given_name_latin",
					     "birth_date",
					     "birth_place",
					     "document_number",
					     "record_number",
					     "address",
					     "plate",
					     "vin",
					     NULL};
	const char *person = json_string_value(json_object_get(doc, "person_id"));
	char where[1024];

	/* the bare RNOKPP or PESEL too, however a file might spell the id */
	if (person != NULL && tk_tree_contains(path, person + 3, where, sizeof(where)))
		fail_msg("the person id %s was found in %s", person, where);
	for (int i = 0; fields[i] != NULL; i++) {
		const char *value = json_string_value(json_object_get(doc, fields[i]));
		if (value == NULL || strlen(value) < 4)
			continue;
		if (tk_tree_contains(path, value, where, sizeof(where)))
			fail_msg("%s (%s) was found in %s", fields[i], value, where);
	}
}

static void test_wallet_and_gateway_keep_no_personal_data(void **unused)
{
	char wallet_dir[400], gateway_dir[400];
	const json_t *doc;
	size_t i;

	(void)unused;
	/* every document the earlier tests fetched (all eight types) */
	assert_true(json_array_size(fetched) >= DOCUMENT_TYPE_COUNT);
	snprintf(wallet_dir, sizeof(wallet_dir), "%s/UA/wallet", state);
	snprintf(gateway_dir, sizeof(gateway_dir), "%s/UA/gateway", state);
	json_array_foreach(fetched, i, doc)
	{
		assert_tree_free_of(wallet_dir, doc);
		assert_tree_free_of(gateway_dir, doc);
		/* and the log of the whole platform: wallet and gateway log there */
		assert_tree_free_of(logfile, doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_document_type_fetched_live_and_verified_offline),
	    cmocka_unit_test(test_listing_and_selective_disclosure),
	    cmocka_unit_test(test_another_citizens_token_and_replayed_proof_are_refused),
	    cmocka_unit_test(test_police_under_legal_basis_and_bank_refused),
	    cmocka_unit_test(test_report_lost_suspends_in_the_registry),
	    cmocka_unit_test(test_access_log_shows_every_access_with_proof),
	    cmocka_unit_test(test_wallet_and_gateway_keep_no_personal_data),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
