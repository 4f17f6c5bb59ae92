/*
 * test_leakscan.c — `hromada leakscan` on a dump built from the registries,
 * the way an analyst runs it (issue 12, DESIGN.md §5, docs/LEAKS.md):
 *
 *  - 20 000 Ukrainians loaded by `hromada population`; tests/tools/leak_dump.py
 *    writes what a leak taken on 2023-01-01 would hold — CP1251, ';', quoted —
 *    real rows, rows with addresses since left, RNOKPPs that exist nowhere
 *    (valid and invalid check digits), and a password column;
 *  - the report's counts agree with how the dump was built (within 1%), every
 *    field agrees, the vintage window holds the day, the password column is
 *    named as foreign, and the verdict says the dump did not come from us;
 *  - a second run reads the saved index instead of building it;
 *  - malformed input is an error naming its line, never a crash.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define PEOPLE "20000"
#define AS_OF  "2023-01-01"
#define OUT    (1u << 20)

static char *out;

static int setup(void **state)
{
	(void)state;
	out = malloc(OUT);
	return out == NULL ? -1 : tk_dir_setup(state);
}

static int teardown(void **state)
{
	free(out);
	return tk_dir_teardown(state);
}

static const char *tools(char *path, size_t size)
{
	const char *src = getenv("HROMADA_SOURCE_DIR");

	snprintf(path, size, "%s/tests/tools/leak_dump.py", src != NULL ? src : ".");
	return path;
}

static json_int_t number(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void assert_close(json_int_t got, json_int_t want)
{
	json_int_t slack = want / 100;

	if (got < want - slack || got > want + slack)
		fail_msg("%lld is not within 1%% of %lld", (long long)got, (long long)want);
}

static void test_a_dump_from_the_registries(void **state)
{
	char dir[300], dump[300], report_path[300], script[512];
	json_t *want, *report, *vintage, *foreign;
	const char *from, *to;
	(void)state;

	tk_dir_path(dir, sizeof(dir), "state");
	tk_dir_path(dump, sizeof(dump), "dump.csv");
	tk_dir_path(report_path, sizeof(report_path), "report.json");
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"population",
				"--country",
				"UA",
				"--people",
				PEOPLE,
				"--state",
				dir,
				NULL};
		assert_int_equal(tk_run(argv, out, OUT, 120000), 0);
	}
	{
		char *argv[] = {"/usr/bin/python3",
				(char *)tools(script, sizeof(script)),
				dir,
				dump,
				"--as-of",
				AS_OF,
				NULL};
		assert_int_equal(tk_run(argv, out, OUT, 60000), 0);
		want = json_loads(out, 0, NULL);
		assert_non_null(want);
	}
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"leakscan",
				"--state",
				dir,
				"--no-publish",
				"--json",
				report_path,
				dump,
				NULL};
		assert_int_equal(tk_run(argv, out, OUT, 120000), 0);
		assert_non_null(strstr(out, "indexed"));
	}
	report = json_load_file(report_path, 0, NULL);
	assert_non_null(report);
	assert_int_equal(number(report, "rows"), number(want, "rows"));
	assert_close(number(report, "real"), number(want, "real"));
	assert_close(number(report, "outdated"), number(want, "outdated"));
	assert_close(number(report, "fabricated"), number(want, "fabricated"));
	assert_true(number(want, "outdated") > 100); /* the dump does test it */
	assert_int_equal(number(json_object_get(report, "fabricated_by"), "invalid_check"), 100);
	assert_int_equal(number(json_object_get(report, "fabricated_by"), "unknown"), 100);
	/* the dump's encoding and delimiter were found on their own */
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(report, "dumps"), 0), "encoding")),
			    "cp1251");
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(report, "dumps"), 0), "delimiter")),
			    ";");
	/* every field compared agrees, the former addresses with their day's */
	{
		const char *key;
		json_t *value;

		json_object_foreach(json_object_get(report, "fields"), key, value)
		    assert_true(json_real_value(json_object_get(value, "share")) > 0.99);
		assert_non_null(json_object_get(json_object_get(report, "fields"), "address"));
		assert_non_null(json_object_get(json_object_get(report, "fields"), "family_name"));
	}
	vintage = json_object_get(report, "vintage");
	from = json_string_value(json_object_get(vintage, "from"));
	to = json_string_value(json_object_get(vintage, "to"));
	assert_non_null(from);
	assert_non_null(to);
	assert_true(strcmp(from, AS_OF) <= 0 && strcmp(AS_OF, to) < 0);
	foreign = json_array_get(json_object_get(report, "foreign_fields"), 0);
	assert_string_equal(json_string_value(json_object_get(foreign, "kind")), "password");
	assert_string_equal(json_string_value(json_object_get(foreign, "column")), "Пароль");
	assert_int_equal(json_array_size(json_object_get(report, "canaries")), 0);
	assert_string_equal(json_string_value(json_object_get(report, "verdict")),
			    "not_from_platform");
	json_decref(report);
	json_decref(want);

	/* the second run reads the index it saved */
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"leakscan",
				"--state",
				dir,
				"--no-publish",
				dump,
				NULL};
		assert_int_equal(tk_run(argv, out, OUT, 120000), 0);
		assert_null(strstr(out, "indexed"));
		assert_non_null(strstr(out, "not_from_platform"));
	}
}

static void test_bad_input_is_an_error_not_a_crash(void **state)
{
	char dir[300], dump[300];
	(void)state;

	tk_dir_path(dir, sizeof(dir), "state");
	tk_dir_path(dump, sizeof(dump), "bad.jsonl");
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"population",
				"--country",
				"UA",
				"--people",
				"500",
				"--state",
				dir,
				NULL};
		assert_int_equal(tk_run(argv, out, OUT, 120000), 0);
	}
	assert_true(tk_write_file(dump, "{\"rnokpp\": \"3012345678\"}\n\"unterminated\n"
					"{\"rnokpp\": [1, 2, {\"x\": 3}]}\n"));
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"leakscan",
				"--state",
				dir,
				"--no-publish",
				"--format",
				"jsonl",
				dump,
				NULL};
		int code = tk_run(argv, out, OUT, 60000);

		assert_true(code == 0 || code == 1);
		assert_non_null(strstr(out, "rows"));
	}
	{
		char *argv[] = {
		    (char *)tk_hromada_binary(), "leakscan", "--state", dir, "--no-publish",
		    "/nonexistent/dump.csv",     NULL};
		assert_int_equal(tk_run(argv, out, OUT, 60000), 2);
	}
	{
		char *argv[] = {
		    (char *)tk_hromada_binary(), "leakscan", "--state", "/nonexistent", dump, NULL};
		assert_int_equal(tk_run(argv, out, OUT, 60000), 2);
		assert_non_null(strstr(out, "no registries"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_a_dump_from_the_registries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_input_is_an_error_not_a_crash, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
