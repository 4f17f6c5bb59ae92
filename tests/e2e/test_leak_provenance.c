/*
 * test_leak_provenance.c — a leak traced to the consumer it came from, under
 * `hromada up` (issue 12, DESIGN.md §5, §7, docs/LEAKS.md):
 *
 *  - the bank is served canary citizens through real consented exchanges
 *    (`hromada canary plant`);
 *  - a dump is built from the registries with the bank's canaries in it
 *    (tests/tools/leak_dump.py --extra, the records the bank received);
 *  - `hromada leakscan` names the bank from its canaries, says the verdict
 *    is a consumer's leak, and the overlap with the gateway's access history
 *    shows the bank received exactly the canaries;
 *  - leakscan publishes the people it found to the nccc's range service, and
 *    a citizen in the dump sees it in the wallet's GET /v1/leaks while one
 *    who is not in it sees nothing;
 *  - the police asking the gateway about one of the bank's canaries is an
 *    incident at the nccc within seconds, naming the bank.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/http_client.h"
#include "e2e/slice.h"

#define BANK    "UA/COM/14360570/bank"
#define POLICE  "UA/GOV/00032684/police"
#define CERT    "UA/GOV/34239034/cert"
#define LICENCE "UA/GOV/00015622/driver_licence"
#define OUT_MAX (1u << 20)
#define PLANTED "4"

static struct slice_platform platform;
static struct http_client *http;
static char *out;

static int setup(void **unused)
{
	(void)unused;
	struct http_client_options o;

	slice_platform_start(&platform, NULL);
	http_client_options_default(&o);
	http = http_client_new(&o);
	out = malloc(OUT_MAX);
	return out != NULL && http != NULL ? 0 : -1;
}

static int teardown(void **unused)
{
	(void)unused;
	http_client_free(http);
	free(out);
	return slice_platform_stop(&platform);
}

static json_t *find_member(const json_t *list, const char *member)
{
	json_t *item;
	size_t i;

	json_array_foreach(list, i,
			   item) if (strcmp(json_string_value(json_object_get(item, "member")),
					    member) == 0) return item;
	return NULL;
}

/* GET /v1/leaks as person's freshly enrolled device: the answer's leaks. */
static json_t *leaks_of(const char *person)
{
	struct device d;
	json_t *answer = NULL, *leaks;

	device_init(&d, person, slice_endpoint(&platform, "UA", "wallet"));
	device_enrol(&d, http, platform.state);
	assert_int_equal(
	    device_call(&d, http, "GET", "/v1/leaks", NULL, true, NULL, NULL, 0, &answer), 200);
	leaks = json_incref(json_object_get(answer, "leaks"));
	json_decref(answer);
	device_clear(&d);
	assert_non_null(leaks);
	return leaks;
}

static bool line_is_made_up(const char *line)
{
	const char *end = strchr(line, '\n');
	const char *born = strstr(line, "12.03.1981");

	return born != NULL && (end == NULL || born < end);
}

static bool canary_file_has(const char *rnokpp)
{
	char path[400], id[16] = "UA:";
	char *text;
	bool has;

	snprintf(path, sizeof(path), "%s/bank-canaries.jsonl", platform.dir);
	text = tk_read_file(path, NULL);
	memcpy(id + 3, rnokpp, 10);
	id[13] = '\0';
	has = text != NULL && strstr(text, id) != NULL;
	free(text);
	return has;
}

/* The dump's first person sees it; a demo citizen not in it does not. */
static void check_wallets(const char *dump)
{
	size_t len;
	char *text = tk_read_file(dump, &len), person[16] = "UA:";
	const char *line = text != NULL ? strchr(text, '\n') : NULL;
	char path[400];
	json_t *demo, *citizen, *leaks;
	size_t i;

	assert_non_null(line);
	/* "3012345678";"...": the RNOKPP of the first real row (the made-up
	 * ones were all born on 12.03.1981; canaries enrolled already) */
	while (line != NULL && (line_is_made_up(line + 1) || canary_file_has(line + 2)))
		line = strchr(line + 1, '\n');
	assert_non_null(line);
	memcpy(person + 3, line + 2, 10);
	person[13] = '\0';
	leaks = leaks_of(person);
	assert_int_equal(json_array_size(leaks), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(leaks, 0), "dump")),
			    "Combo list #7");
	assert_non_null(json_object_get(json_array_get(leaks, 0), "first_seen"));
	assert_true(json_array_size(json_object_get(json_array_get(leaks, 0), "fields")) > 0);
	json_decref(leaks);

	snprintf(path, sizeof(path), "%s/demo.json", platform.state);
	demo = json_load_file(path, 0, NULL);
	assert_non_null(demo);
	json_array_foreach(json_object_get(demo, "UA"), i, citizen)
	{
		const char *id = json_string_value(json_object_get(citizen, "person"));

		if (strstr(text, id + 3) == NULL) {
			leaks = leaks_of(id);
			assert_int_equal(json_array_size(leaks), 0);
			json_decref(leaks);
			break;
		}
	}
	assert_true(i < json_array_size(json_object_get(demo, "UA")));
	json_decref(demo);
	free(text);
}

static void test_canaries_name_the_bank(void **unused)
{
	char canaries[400], dump[400], report_path[400], script[512];
	const char *src = getenv("HROMADA_SOURCE_DIR");
	json_t *want, *report, *hit, *overlap;

	(void)unused;
	snprintf(canaries, sizeof(canaries), "%s/bank-canaries.jsonl", platform.dir);
	snprintf(dump, sizeof(dump), "%s/dump.csv", platform.dir);
	snprintf(report_path, sizeof(report_path), "%s/report.json", platform.dir);
	snprintf(script, sizeof(script), "%s/tests/tools/leak_dump.py", src ? src : ".");
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"canary",
				"--state",
				platform.state,
				"plant",
				"--member",
				BANK,
				"--count",
				PLANTED,
				"--out",
				canaries,
				NULL};
		assert_int_equal(tk_run(argv, out, OUT_MAX, 60000), 0);
	}
	{
		char *argv[] = {
		    "/usr/bin/python3", script,   platform.state, dump,           "--as-of",
		    "2025-06-01",       "--rows", "400",          "--fabricated", "20",
		    "--bad-check",      "20",     "--extra",      canaries,       NULL};
		assert_int_equal(tk_run(argv, out, OUT_MAX, 60000), 0);
		want = json_loads(out, 0, NULL);
		assert_non_null(want);
		assert_true(json_integer_value(json_object_get(want, "canaries")) >= 4);
	}
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"leakscan",
				"--state",
				platform.state,
				"--name",
				"Combo list #7",
				"--json",
				report_path,
				dump,
				NULL};
		assert_int_equal(tk_run(argv, out, OUT_MAX, 120000), 0);
	}
	report = json_load_file(report_path, 0, NULL);
	assert_non_null(report);
	assert_string_equal(json_string_value(json_object_get(report, "verdict")),
			    "leaked_by_consumer");
	hit = find_member(json_object_get(report, "canaries"), BANK);
	assert_non_null(hit);
	assert_int_equal(json_integer_value(json_object_get(hit, "rows")),
			 json_integer_value(json_object_get(want, "canaries")));
	assert_int_equal(json_array_size(json_object_get(report, "canaries")), 1);
	/* the canaries are real people to the registries: nothing fabricated
	 * beyond what the dump made up, the rest real or outdated as built */
	assert_int_equal(json_integer_value(json_object_get(report, "fabricated")), 40);
	{
		json_int_t got = json_integer_value(json_object_get(report, "real")) +
				 json_integer_value(json_object_get(report, "outdated"));
		json_int_t built = json_integer_value(json_object_get(want, "real")) +
				   json_integer_value(json_object_get(want, "outdated")) +
				   json_integer_value(json_object_get(want, "canaries"));

		assert_true(got >= built - built / 100 && got <= built);
		assert_true(json_integer_value(json_object_get(report, "outdated")) > 0);
	}
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(report, "foreign_fields"), 0), "kind")),
	    "password");
	/* the gateway's access history: the bank received the canaries */
	overlap = find_member(json_object_get(report, "overlap"), BANK);
	assert_non_null(overlap);
	assert_int_equal(json_integer_value(json_object_get(overlap, "people")), atoi(PLANTED));
	json_decref(report);
	json_decref(want);
	assert_non_null(strstr(out, "published"));
	check_wallets(dump);
	/* again, from the index saved on disk: the canaries still name the bank */
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"leakscan",
				"--state",
				platform.state,
				"--no-publish",
				dump,
				NULL};
		assert_int_equal(tk_run(argv, out, OUT_MAX, 120000), 0);
		assert_null(strstr(out, "indexed"));
		assert_non_null(strstr(out, "served only to " BANK));
	}
}

/* Does an incident of the UA gateway's sentinel rule "canary" name member? */
static bool canary_incident_names(const json_t *list, const char *member)
{
	const json_t *incident, *indicator;
	size_t i, j;

	json_array_foreach(json_object_get(list, "incidents"), i, incident)
	{
		const char *summary = json_string_value(json_object_get(incident, "summary"));

		if (summary == NULL || strncmp(summary, "Sentinel rule canary", 20) != 0)
			continue;
		json_array_foreach(
		    json_object_get(incident, "indicators"), j,
		    indicator) if (strcmp(json_string_value(json_object_get(indicator, "value")),
					  member) == 0) return true;
	}
	return false;
}

static void test_a_canary_asked_about_is_an_incident(void **unused)
{
	char path[400], url[400], body[64], person[16];
	char *text, *at;
	bool found = false;

	(void)unused;
	snprintf(path, sizeof(path), "%s/bank-canaries.jsonl", platform.dir);
	text = tk_read_file(path, NULL);
	assert_non_null(text);
	at = strstr(text, "\"person_id\":");
	assert_non_null(at);
	at = strstr(at, "UA:");
	assert_non_null(at);
	memcpy(person, at, 13);
	person[13] = '\0';
	free(text);
	snprintf(url, sizeof(url), "%s/x/" LICENCE "/lookup",
		 slice_endpoint(&platform, "UA", "gateway"));
	snprintf(body, sizeof(body), "{\"person\": \"%s\"}", person);
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"member",
				"--state",
				platform.state,
				"--as",
				POLICE,
				"request",
				"POST",
				url,
				"--json",
				body,
				"--header",
				"Hromada-Purpose: police-document-check",
				"--header",
				"Hromada-User: UA:officer-7",
				NULL};
		int code = tk_run(argv, out, OUT_MAX, 60000);

		assert_true(code == 0 || code == 1); /* found or not, it was asked */
	}
	snprintf(url, sizeof(url), "%s/v1/incidents?limit=1000",
		 slice_endpoint(&platform, NULL, "nccc"));
	for (int i = 0; i < 50 && !found; i++) {
		char *argv[] = {(char *)tk_hromada_binary(),
				"member",
				"--state",
				platform.state,
				"--as",
				CERT,
				"request",
				"GET",
				url,
				NULL};
		json_t *list;

		assert_int_equal(tk_run(argv, out, OUT_MAX, 60000), 0);
		list = json_loads(strpbrk(out, "{"), JSON_DISABLE_EOF_CHECK, NULL);
		found = canary_incident_names(list, BANK) && canary_incident_names(list, POLICE);
		json_decref(list);
		if (!found)
			usleep(200 * 1000);
	}
	if (!found)
		fail_msg("no canary incident naming the bank and the police: %.2000s", out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_canaries_name_the_bank),
	    cmocka_unit_test(test_a_canary_asked_about_is_an_incident),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
