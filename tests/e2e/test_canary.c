/*
 * test_canary.c — `hromada canary plant` against a running `hromada up`
 * (issue 12, DESIGN.md §5 and §7, docs/LEAKS.md "Canary citizens"), driven
 * the way an operator drives it: the real binary, real exchanges.
 *
 *  - three canaries planted for the Ukrainian bank: the output holds exactly
 *    the identity documents the bank received (one line each, the registries'
 *    field names, every one a valid ID card or passport); canaries.jsonl holds
 *    a line per identifier whose tag is HMAC-SHA-256(canary.key, identifier)
 *    cut to 16 bytes, naming the bank and an opaque canary id, never the
 *    person; the population's public count is unchanged;
 *  - a canary answers like any person: its own wallet shows its documents,
 *    the police look its licence up;
 *  - a second plant gives other people, and the counter moves on;
 *  - the police get canaries without a consent (legal basis);
 *  - a refused exchange (the wallet sends the canary no more codes) exits 1,
 *    names the step, indexes nothing, and uses the canary up;
 *  - a member that may look nothing up, an unknown member, bad usage and a
 *    state without `up` are refused with exit 2, planting nothing.
 */
#include "testkit/testkit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/documents.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/http_client.h"
#include "core/store.h"
#include "core/uuid.h"
#include "credential/document_schema.h"
#include "e2e/slice.h"
#include "platform/canary_internal.h"
#include "platform/population.h"

#define BANK    "UA/COM/14360570/bank"
#define POLICE  "UA/GOV/00032684/police"
#define CERT    "UA/GOV/34239034/cert"
#define OUT_MAX (256u * 1024)
#define PLANTED 3

static struct slice_platform platform;
static struct http_client *http;
static char *out; /* the last command's output */
/* the bank's first canaries, and what it received of them */
static char first[PLANTED][16];
static json_t *first_received;

static int setup(void **unused)
{
	struct http_client_options o;

	(void)unused;
	slice_platform_start(&platform, NULL);
	http_client_options_default(&o);
	http = http_client_new(&o);
	out = malloc(OUT_MAX);
	return out != NULL && http != NULL ? 0 : -1;
}

static int teardown(void **unused)
{
	(void)unused;
	json_decref(first_received);
	http_client_free(http);
	free(out);
	return slice_platform_stop(&platform);
}

static void state_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/%s", platform.state, name);
}

/* `hromada canary --state STATE plant --member M --count N --out DIR/FILE`;
 * NULL arguments are left out. The exit code; the output in out. */
static int plant(const char *state, const char *member, const char *count, const char *file)
{
	char path[512], *argv[12];
	int a = 0, code;

	argv[a++] = (char *)tk_hromada_binary();
	argv[a++] = "canary";
	argv[a++] = "--state";
	argv[a++] = (char *)state;
	argv[a++] = "plant";
	if (member != NULL) {
		argv[a++] = "--member";
		argv[a++] = (char *)member;
	}
	if (count != NULL) {
		argv[a++] = "--count";
		argv[a++] = (char *)count;
	}
	if (file != NULL) {
		snprintf(path, sizeof(path), "%s/%s", platform.dir, file);
		argv[a++] = "--out";
		argv[a++] = path;
	}
	argv[a] = NULL;
	code = tk_run(argv, out, OUT_MAX, 60000);
	print_message("hromada canary plant %s: %d: %s", member ? member : "-", code, out);
	return code;
}

/* The JSON Lines of a file as an array (each line must be a JSON object). */
static json_t *read_lines(const char *path)
{
	char *text = tk_read_file(path, NULL), *line, *save = NULL;
	json_t *lines = json_array();

	assert_non_null(text);
	if (text[0] != 0)
		assert_int_equal(text[strlen(text) - 1], '\n'); /* whole lines only */
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_t *value = json_loads(line, 0, NULL);

		if (!json_is_object(value))
			fail_msg("not a JSON object: %s", line);
		json_array_append_new(lines, value);
	}
	free(text);
	return lines;
}

static json_t *output(const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", platform.dir, file);
	return read_lines(path);
}

static json_t *index_lines(void)
{
	char path[512];

	state_path(path, sizeof(path), "UA/leak/canaries.jsonl");
	return read_lines(path);
}

/* The tag of identifier, computed here from the key file, not by leak_tag. */
static void tag_of(const char *identifier, char hex[33])
{
	char path[512];
	size_t len = 0, mac_len = 0;
	char *key;
	unsigned char mac[32];

	state_path(path, sizeof(path), "UA/leak/canary.key");
	assert_non_null(key = tk_read_file(path, &len));
	assert_int_equal(len, 32);
	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, len,
				  (const unsigned char *)identifier, strlen(identifier), mac,
				  sizeof(mac), &mac_len));
	hex_encode(mac, 16, hex);
	hex[32] = 0;
	free(key);
}

/* The index line with this identifier's tag, or NULL. */
static const json_t *indexed(const json_t *index, const char *identifier)
{
	char tag[33];
	const json_t *line;
	size_t i;

	tag_of(identifier, tag);
	json_array_foreach(index, i, line)
	{
		if (strcmp(json_string_value(json_object_get(line, "tag")), tag) == 0)
			return line;
	}
	return NULL;
}

/* Does the received document pass the schema of type? */
static bool passes_schema(const json_t *received, const char *type)
{
	json_t *doc = json_deep_copy(received);
	struct hr_error err = {0};
	bool ok;

	json_object_set_new(doc, "t", json_string(type));
	json_object_set_new(doc, "v", json_integer(1));
	ok = document_schema_check(doc, &err) == HR_OK;
	if (!ok)
		print_message("not a valid %s: %s\n", type, err.message);
	json_decref(doc);
	return ok;
}

/* The type among candidates under which the index names the document
 * ("UA/TYPE/NUMBER"), its line in *line; NULL when there is none. */
static const char *indexed_type(const json_t *index, const char *number,
				const char *const *candidates, const json_t **line)
{
	for (int c = 0; candidates[c] != NULL; c++) {
		char identifier[96];

		snprintf(identifier, sizeof(identifier), "UA/%s/%s", candidates[c], number);
		if ((*line = indexed(index, identifier)) != NULL)
			return candidates[c];
	}
	return NULL;
}

/* Checks what a member received of its canaries and how the index names them:
 * each line a document of a type in types, every identifier indexed for
 * member under one opaque canary id per person. The persons, in *persons. */
static size_t check_planted(const json_t *received, const json_t *index, const char *member,
			    const char *const *types, char persons[][16], size_t max)
{
	const json_t *doc;
	size_t i, n = 0;

	assert_true(json_array_size(received) > 0);
	json_array_foreach(received, i, doc)
	{
		const char *person = json_string_value(json_object_get(doc, "person_id"));
		const char *number = json_string_value(json_object_get(doc, "document_number"));
		const json_t *by_person, *by_number = NULL;
		const char *type;
		bool seen = false;

		assert_non_null(person);
		assert_non_null(number);
		assert_true(person_id_valid(person));
		assert_non_null(json_string_value(json_object_get(doc, "family_name")));
		assert_non_null(json_string_value(json_object_get(doc, "given_name")));
		assert_non_null(json_string_value(json_object_get(doc, "status")));
		/* the person and the document, indexed for this member by one canary id,
		 * the document as one of a type the member may look up */
		if ((type = indexed_type(index, number, types, &by_number)) == NULL)
			fail_msg("%s: not indexed as a document %s may look up", number, member);
		assert_true(passes_schema(doc, type));
		assert_non_null(by_person = indexed(index, person));
		assert_string_equal(json_string_value(json_object_get(by_person, "member")),
				    member);
		assert_string_equal(json_string_value(json_object_get(by_number, "member")),
				    member);
		assert_string_equal(json_string_value(json_object_get(by_person, "canary")),
				    json_string_value(json_object_get(by_number, "canary")));
		for (size_t k = 0; k < n; k++)
			seen |= strcmp(persons[k], person) == 0;
		if (!seen) {
			assert_true(n < max);
			snprintf(persons[n++], 16, "%s", person);
		}
	}
	return n;
}

static void test_bank_canaries_are_served_and_indexed(void **unused)
{
	static const char *const kyc[] = {"id_card", "foreign_passport", NULL};
	json_t *index, *line;
	const json_t *citizens;
	char path[512], *text, canary_ids[PLANTED][UUID_TEXT_LEN + 1];
	struct store *store;
	struct store_stmt *stmt;
	struct hr_error err = {0};
	time_t started = time(NULL);
	size_t i, persons;
	bool row;

	(void)unused;
	assert_int_equal(plant(platform.state, BANK, "3", "bank.jsonl"), 0);
	assert_non_null(strstr(out, "planted 3 canaries of UA for " BANK));
	first_received = output("bank.jsonl");
	index = index_lines();
	persons = check_planted(first_received, index, BANK, kyc, first, PLANTED);
	assert_int_equal(persons, PLANTED);
	/* three people, with one canary id each, and nobody of demo.json */
	for (size_t p = 0; p < PLANTED; p++) {
		const json_t *c;

		snprintf(canary_ids[p], sizeof(canary_ids[p]), "%s",
			 json_string_value(json_object_get(indexed(index, first[p]), "canary")));
		assert_true(uuid_valid(canary_ids[p]));
		for (size_t q = 0; q < p; q++)
			assert_string_not_equal(canary_ids[p], canary_ids[q]);
		citizens = json_object_get(platform.demo, "UA");
		json_array_foreach(citizens, i, c) assert_string_not_equal(
		    json_string_value(json_object_get(c, "person")), first[p]);
	}
	/* every index line: four fields, the bank, a known canary, a fresh time */
	json_array_foreach(index, i, line)
	{
		const char *at = json_string_value(json_object_get(line, "planted_at"));
		bool known = false;
		struct tm tm = {0};

		assert_int_equal(json_object_size(line), 4);
		assert_int_equal(strlen(json_string_value(json_object_get(line, "tag"))), 32);
		assert_string_equal(json_string_value(json_object_get(line, "member")), BANK);
		for (size_t p = 0; p < PLANTED; p++)
			known |= strcmp(json_string_value(json_object_get(line, "canary")),
					canary_ids[p]) == 0;
		assert_true(known);
		assert_non_null(at);
		assert_non_null(strptime(at, "%Y-%m-%dT%H:%M:%SZ", &tm));
		assert_true(timegm(&tm) >= started - 1 && timegm(&tm) <= time(NULL) + 1);
	}
	/* no person and no document number in clear */
	state_path(path, sizeof(path), "UA/leak/canaries.jsonl");
	assert_non_null(text = tk_read_file(path, NULL));
	for (size_t p = 0; p < PLANTED; p++)
		assert_null(strstr(text, first[p] + 3));
	json_array_foreach(first_received, i, line)
	    assert_null(strstr(text, json_string_value(json_object_get(line, "document_number"))));
	free(text);
	json_decref(index);
	/* each canary's phone read its enrolment code and deleted it, as one does */
	for (size_t p = 0; p < PLANTED; p++) {
		snprintf(path, sizeof(path), "%s/outbox/%s.txt", platform.state, first[p]);
		assert_int_not_equal(access(path, F_OK), 0);
	}
	/* the public count is the population's, canaries or not */
	snprintf(path, sizeof(path), "sqlite:%s/UA/registry-id_card/registry.db", platform.state);
	assert_int_equal(store_open(path, &store, &err), HR_OK);
	assert_int_equal(store_prepare(store, "SELECT people FROM population", &stmt, &err), HR_OK);
	assert_int_equal(store_step(stmt, &row, &err), HR_OK);
	assert_true(row);
	assert_int_equal(store_column_int64(stmt, 0), 3000);
	store_stmt_free(stmt);
	store_close(store);
}

static void test_a_canary_answers_like_any_person(void **unused)
{
	struct device d;
	json_t *answer = NULL;
	const json_t *doc, *received;
	size_t i, j, matched = 0;
	long status;
	char body[64], keys[512];

	(void)unused;
	assert_non_null(first_received); /* planted by the test before */
	/* its own wallet: enrolled like anyone, its documents live from the registries */
	device_init(&d, first[0], slice_endpoint(&platform, "UA", "wallet"));
	device_enrol(&d, http, platform.state);
	status = device_call(&d, http, "GET", "/v1/documents", NULL, true, NULL, NULL, 0, &answer);
	assert_int_equal(status, 200);
	json_array_foreach(first_received, i, received)
	{
		if (strcmp(json_string_value(json_object_get(received, "person_id")), first[0]) !=
		    0)
			continue;
		json_array_foreach(json_object_get(answer, "documents"), j, doc) matched +=
		    strcmp(json_string_value(json_object_get(doc, "document_number")),
			   json_string_value(json_object_get(received, "document_number"))) == 0;
	}
	assert_true(matched > 0);
	json_decref(answer);
	device_clear(&d);
	/* the police look its licence up like anyone's */
	snprintf(body, sizeof(body), "{\"person\": \"%s\"}", first[1]);
	snprintf(keys, sizeof(keys), "%s/keys/UA", platform.state);
	status = member_lookup(http, keys, POLICE, slice_endpoint(&platform, "UA", "gateway"),
			       "UA/GOV/00015622/driver_licence", "lookup", "police-document-check",
			       body, &answer);
	assert_int_equal(status, 200);
	assert_true(json_is_array(json_object_get(answer, "documents")));
	json_decref(answer);
}

static void test_a_second_plant_gives_other_people(void **unused)
{
	static const char *const kyc[] = {"id_card", "foreign_passport", NULL};
	char again[PLANTED][16], path[512], *before, *after;
	json_t *received, *index;
	size_t lines_before, n;

	(void)unused;
	state_path(path, sizeof(path), "UA/leak/canaries.state");
	assert_non_null(before = tk_read_file(path, NULL));
	index = index_lines();
	lines_before = json_array_size(index);
	json_decref(index);

	assert_int_equal(plant(platform.state, BANK, "3", "bank-2.jsonl"), 0);
	received = output("bank-2.jsonl");
	index = index_lines();
	n = check_planted(received, index, BANK, kyc, again, PLANTED);
	assert_int_equal(n, PLANTED);
	for (size_t p = 0; p < PLANTED; p++)
		for (size_t q = 0; q < PLANTED; q++)
			assert_string_not_equal(again[p], first[q]);
	assert_true(json_array_size(index) > lines_before);
	/* the counter moved on: {"next": J} with a larger J */
	assert_non_null(after = tk_read_file(path, NULL));
	assert_true(strtoull(strchr(after, ':') + 1, NULL, 10) >=
		    strtoull(strchr(before, ':') + 1, NULL, 10) + PLANTED);
	free(before);
	free(after);
	json_decref(received);
	json_decref(index);
}

static void test_police_canaries_need_no_consent(void **unused)
{
	static const char *const police[] = {"driver_licence", "vehicle_registration", NULL};
	char persons[1][16];
	json_t *received, *index;

	(void)unused;
	assert_int_equal(plant(platform.state, POLICE, "1", "police.jsonl"), 0);
	assert_non_null(strstr(out, "planted 1 canary of UA for " POLICE));
	received = output("police.jsonl");
	index = index_lines();
	assert_int_equal(check_planted(received, index, POLICE, police, persons, 1), 1);
	json_decref(received);
	json_decref(index);
}

/* The person the next plant for member will take: the first canary from the
 * counter's next j that member can be served, as canary_plant chooses. */
static void next_canary(const char *member, char person[16])
{
	struct hr_error err = {0};
	struct canary_registries registries;
	struct canary_plan plan;
	struct population *pop;
	struct canary *c = malloc(sizeof(*c));
	char path[512], *text;
	uint64_t j;

	assert_non_null(c);
	state_path(path, sizeof(path), "UA/gateway/directory.json");
	assert_int_equal(canary_plan_from_directory(path, member, &plan, &err), HR_OK);
	assert_int_equal(canary_registries_open(platform.state, "UA", &registries, &err), HR_OK);
	assert_int_equal(population_new("UA", registries.seed, registries.as_of, &pop, &err),
			 HR_OK);
	state_path(path, sizeof(path), "UA/leak/canaries.state");
	assert_non_null(text = tk_read_file(path, NULL));
	for (j = strtoull(strchr(text, ':') + 1, NULL, 10);; j++) {
		canary_make(pop, j, c);
		if (canary_servable(c, &plan))
			break;
	}
	snprintf(person, 16, "%s", c->person.id);
	free(text);
	free(c);
	population_free(pop);
	canary_registries_close(&registries);
}

static void test_a_refused_exchange_exits_1_and_indexes_nothing(void **unused)
{
	char person[16], url[512], body[64];
	struct http_client_response response;
	struct http_header json = {"Content-Type", "application/json"};
	json_t *index, *received;
	size_t lines_before;
	long status = 0;

	(void)unused;
	/* someone asked for the next canary's enrolment codes until the wallet
	 * stops sending them (5 an hour): its enrolment will be refused */
	next_canary(BANK, person);
	snprintf(url, sizeof(url), "%s/v1/enrol/start", slice_endpoint(&platform, "UA", "wallet"));
	snprintf(body, sizeof(body), "{\"person\": \"%s\"}", person);
	for (int i = 0; i < 10 && status != 429; i++) {
		status = slice_send(http, "POST", url, &json, 1, body, strlen(body), &response);
		http_client_response_clear(&response);
	}
	assert_int_equal(status, 429);
	index = index_lines();
	lines_before = json_array_size(index);
	json_decref(index);

	assert_int_equal(plant(platform.state, BANK, "1", "refused.jsonl"), 1);
	assert_non_null(strstr(out, "enrolment at the wallet: 429 rate_limited"));
	assert_null(strstr(out, person + 3)); /* the failure never names the canary */
	/* the bank received nothing, so nothing is indexed */
	received = output("refused.jsonl");
	assert_int_equal(json_array_size(received), 0);
	index = index_lines();
	assert_int_equal(json_array_size(index), lines_before);
	json_decref(received);
	json_decref(index);
	/* and its j is used up: the next plant takes someone else */
	assert_int_equal(plant(platform.state, BANK, "1", "after.jsonl"), 0);
	received = output("after.jsonl");
	assert_string_not_equal(
	    json_string_value(json_object_get(json_array_get(received, 0), "person_id")), person);
	json_decref(received);
}

static void test_refusals_plant_nothing(void **unused)
{
	char path[512], *before, *after, empty[300];

	(void)unused;
	state_path(path, sizeof(path), "UA/leak/canaries.state");
	assert_non_null(before = tk_read_file(path, NULL));
	/* the national CERT looks nothing up at the gateway */
	assert_int_equal(plant(platform.state, CERT, "2", "cert.jsonl"), 2);
	assert_non_null(strstr(out, "no right to look up"));
	assert_int_equal(plant(platform.state, "UA/COM/99999999/bank", "2", "x.jsonl"), 2);
	assert_non_null(strstr(out, "not a member"));
	assert_int_equal(plant(platform.state, "bank", "2", "x.jsonl"), 2);
	assert_int_equal(plant(platform.state, BANK, "0", "x.jsonl"), 2);
	assert_int_equal(plant(platform.state, BANK, "501", "x.jsonl"), 2);
	assert_int_equal(plant(platform.state, BANK, "2", NULL), 2);
	assert_int_equal(plant(platform.state, NULL, "2", "x.jsonl"), 2);
	/* a state directory no `up` runs on */
	snprintf(empty, sizeof(empty), "%s/empty", platform.dir);
	assert_int_equal(plant(empty, BANK, "2", "x.jsonl"), 2);
	assert_non_null(after = tk_read_file(path, NULL));
	assert_string_equal(before, after);
	free(before);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bank_canaries_are_served_and_indexed),
	    cmocka_unit_test(test_a_canary_answers_like_any_person),
	    cmocka_unit_test(test_a_second_plant_gives_other_people),
	    cmocka_unit_test(test_police_canaries_need_no_consent),
	    cmocka_unit_test(test_a_refused_exchange_exits_1_and_indexes_nothing),
	    cmocka_unit_test(test_refusals_plant_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
