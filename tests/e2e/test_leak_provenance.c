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
 *    shows the bank received exactly the canaries.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "e2e/slice.h"

#define BANK    "UA/COM/14360570/bank"
#define OUT_MAX (1u << 20)
#define PLANTED "4"

static struct slice_platform platform;
static char *out;

static int setup(void **unused)
{
	(void)unused;
	slice_platform_start(&platform, NULL);
	out = malloc(OUT_MAX);
	return out != NULL ? 0 : -1;
}

static int teardown(void **unused)
{
	(void)unused;
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
				"--no-publish",
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
	 * beyond what the dump made up */
	assert_int_equal(json_integer_value(json_object_get(report, "fabricated")), 40);
	/* the gateway's access history: the bank received the canaries */
	overlap = find_member(json_object_get(report, "overlap"), BANK);
	assert_non_null(overlap);
	assert_int_equal(json_integer_value(json_object_get(overlap, "people")), atoi(PLANTED));
	json_decref(report);
	json_decref(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_canaries_name_the_bank),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
