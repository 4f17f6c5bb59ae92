/*
 * test_tlp.c — the Traffic Light Protocol 2.0 markings and the hub's sharing
 * rules (src/nccc/tlp.c, nccc_model.h): every spelling tlp_parse accepts and
 * the ones it refuses, tlp_name, member_organisation, and the full visibility
 * table — each marking against each kind of reader.
 */
#include "testkit/testkit.h"

#include <string.h>

#include "nccc/nccc_model.h"

#define REPORTER "UA/GOV/00015622/driver_licence"

static void parses_as(const char *text, enum tlp expected)
{
	enum tlp got = (enum tlp) - 1;
	struct hr_error err = {0};

	if (tlp_parse(text, &got, &err) != HR_OK)
		fail_msg("'%s' refused: %s", text, err.message);
	if (got != expected)
		fail_msg("'%s' read as %d, not %d", text, (int)got, (int)expected);
}

static void test_parse_accepts_every_marking_in_any_case(void **state)
{
	(void)state;
	parses_as("TLP:CLEAR", TLP_CLEAR);
	parses_as("TLP:GREEN", TLP_GREEN);
	parses_as("TLP:AMBER", TLP_AMBER);
	parses_as("TLP:AMBER+STRICT", TLP_AMBER_STRICT);
	parses_as("TLP:RED", TLP_RED);
	parses_as("tlp:clear", TLP_CLEAR);
	parses_as("Tlp:Green", TLP_GREEN);
	parses_as("tlp:amber+strict", TLP_AMBER_STRICT);
	parses_as("TLP:Red", TLP_RED);
}

static void test_parse_accepts_marking_without_prefix(void **state)
{
	(void)state;
	parses_as("CLEAR", TLP_CLEAR);
	parses_as("green", TLP_GREEN);
	parses_as("Amber", TLP_AMBER);
	parses_as("amber+strict", TLP_AMBER_STRICT);
	parses_as("red", TLP_RED);
}

static void test_parse_reads_tlp1_white_as_clear(void **state)
{
	(void)state;
	parses_as("TLP:WHITE", TLP_CLEAR);
	parses_as("white", TLP_CLEAR);
	parses_as("tlp:White", TLP_CLEAR);
}

static void test_parse_refuses_anything_else(void **state)
{
	static const char *const bad[] = {"TLP:PURPLE",
					  "",
					  "TLP:",
					  "TLP",
					  "TLP: RED",
					  "TLP:RED ",
					  " TLP:RED",
					  "AMBER STRICT",
					  "AMBER+",
					  "STRICT",
					  "TLP:TLP:RED",
					  "TLP-RED",
					  "TLP:AMBER+STRICT+",
					  "REDD",
					  "RE"};
	enum tlp got;
	struct hr_error err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (tlp_parse(bad[i], &got, &err) != HR_E_INVALID)
			fail_msg("'%s' accepted", bad[i]);
		assert_string_equal(err.stage, "nccc");
		assert_non_null(strstr(err.message, "not a TLP 2.0 marking"));
	}
	assert_int_equal(tlp_parse(NULL, &got, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "required"));
	assert_int_equal(tlp_parse("TLP:PURPLE", &got, NULL), HR_E_INVALID);
}

static void test_name_round_trips_and_fails_safe(void **state)
{
	static const enum tlp all[] = {TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED};
	enum tlp back;

	(void)state;
	assert_string_equal(tlp_name(TLP_CLEAR), "TLP:CLEAR");
	assert_string_equal(tlp_name(TLP_GREEN), "TLP:GREEN");
	assert_string_equal(tlp_name(TLP_AMBER), "TLP:AMBER");
	assert_string_equal(tlp_name(TLP_AMBER_STRICT), "TLP:AMBER+STRICT");
	assert_string_equal(tlp_name(TLP_RED), "TLP:RED");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_int_equal(tlp_parse(tlp_name(all[i]), &back, NULL), HR_OK);
		assert_int_equal(back, all[i]);
	}
	/* an unknown value is named as the most restrictive marking */
	assert_string_equal(tlp_name((enum tlp)42), "TLP:RED");
}

static void test_member_organisation_drops_the_subsystem(void **state)
{
	char out[96];

	(void)state;
	assert_true(member_organisation(REPORTER, out, sizeof(out)));
	assert_string_equal(out, "UA/GOV/00015622");
	assert_true(member_organisation("PL/GOV/00000006/cert", out, sizeof(out)));
	assert_string_equal(out, "PL/GOV/00000006");
	/* exactly room for "UA/GOV/00015622" and its NUL */
	assert_true(member_organisation(REPORTER, out, 16));
	assert_string_equal(out, "UA/GOV/00015622");
	assert_false(member_organisation(REPORTER, out, 15));
	assert_false(member_organisation("UA/GOV/00015622", out, sizeof(out)));
	assert_false(member_organisation("UA/GOV/00015622/a/b", out, sizeof(out)));
	assert_false(member_organisation("UA//00015622/a", out, sizeof(out)));
	assert_false(member_organisation("UA/GOV/00015622/", out, sizeof(out)));
	assert_false(member_organisation("UA/GOV/000 15622/a", out, sizeof(out)));
	assert_false(member_organisation("", out, sizeof(out)));
	assert_false(member_organisation(NULL, out, sizeof(out)));
}

/* The readers of the table, all against an incident reported by REPORTER and
 * shared with the Polish CERT. */
enum reader_kind {
	ANONYMOUS,
	THE_REPORTER,
	SAME_ORGANISATION,
	COUNTRY_CERT,
	FOREIGN_CERT_SHARED,
	FOREIGN_CERT_NOT_SHARED,
	UNRELATED_MEMBER,
	SAME_COUNTRY_NOT_CERT,
	READERS
};

static const struct tlp_reader readers[READERS] = {
    [ANONYMOUS] = {NULL, false},
    [THE_REPORTER] = {REPORTER, false},
    [SAME_ORGANISATION] = {"UA/GOV/00015622/registry", false},
    [COUNTRY_CERT] = {"UA/GOV/00000001/cert", true},
    [FOREIGN_CERT_SHARED] = {"PL/GOV/00000006/cert", true},
    [FOREIGN_CERT_NOT_SHARED] = {"DE/GOV/00000007/cert", true},
    [UNRELATED_MEMBER] = {"LT/COM/30000001/shop", false},
    [SAME_COUNTRY_NOT_CERT] = {"UA/COM/12345678/shop", false},
};

static const char *const reader_names[READERS] = {
    "anonymous",         "the reporter",
    "same organisation", "country CERT",
    "shared CERT",       "foreign CERT not shared",
    "unrelated member",  "same country, not CERT",
};

static const char *const share_with[] = {"PL/GOV/00000006/cert"};
static const struct tlp_subject subject = {REPORTER, share_with, 1};

static void check_row(enum tlp tlp, const bool expected[READERS])
{
	for (int r = 0; r < READERS; r++) {
		bool got = tlp_visible(tlp, &subject, &readers[r]);

		if (got != expected[r])
			fail_msg("%s for %s: %s, expected %s", tlp_name(tlp), reader_names[r],
				 got ? "visible" : "hidden", expected[r] ? "visible" : "hidden");
	}
}

static void test_clear_is_visible_to_anyone(void **state)
{
	static const bool expected[READERS] = {true, true, true, true, true, true, true, true};

	(void)state;
	check_row(TLP_CLEAR, expected);
}

static void test_green_is_visible_to_every_member_not_anonymous(void **state)
{
	static const bool expected[READERS] = {
	    [ANONYMOUS] = false,          [THE_REPORTER] = true,
	    [SAME_ORGANISATION] = true,   [COUNTRY_CERT] = true,
	    [FOREIGN_CERT_SHARED] = true, [FOREIGN_CERT_NOT_SHARED] = true,
	    [UNRELATED_MEMBER] = true,    [SAME_COUNTRY_NOT_CERT] = true};

	(void)state;
	check_row(TLP_GREEN, expected);
}

static void test_amber_is_organisation_country_cert_and_share_with(void **state)
{
	static const bool expected[READERS] = {
	    [ANONYMOUS] = false,          [THE_REPORTER] = true,
	    [SAME_ORGANISATION] = true,   [COUNTRY_CERT] = true,
	    [FOREIGN_CERT_SHARED] = true, [FOREIGN_CERT_NOT_SHARED] = false,
	    [UNRELATED_MEMBER] = false,   [SAME_COUNTRY_NOT_CERT] = false};

	(void)state;
	check_row(TLP_AMBER, expected);
}

static void test_amber_strict_is_the_reporters_organisation_only(void **state)
{
	static const bool expected[READERS] = {
	    [ANONYMOUS] = false,           [THE_REPORTER] = true,
	    [SAME_ORGANISATION] = true,    [COUNTRY_CERT] = false,
	    [FOREIGN_CERT_SHARED] = false, [FOREIGN_CERT_NOT_SHARED] = false,
	    [UNRELATED_MEMBER] = false,    [SAME_COUNTRY_NOT_CERT] = false};

	(void)state;
	check_row(TLP_AMBER_STRICT, expected);
}

static void test_red_is_the_reporter_only(void **state)
{
	static const bool expected[READERS] = {
	    [ANONYMOUS] = false,           [THE_REPORTER] = true,
	    [SAME_ORGANISATION] = false,   [COUNTRY_CERT] = false,
	    [FOREIGN_CERT_SHARED] = false, [FOREIGN_CERT_NOT_SHARED] = false,
	    [UNRELATED_MEMBER] = false,    [SAME_COUNTRY_NOT_CERT] = false};

	(void)state;
	check_row(TLP_RED, expected);
}

static void test_amber_share_with_must_match_the_member_exactly(void **state)
{
	/* another subsystem of the shared CERT's organisation is not the one named */
	const struct tlp_reader other_subsystem = {"PL/GOV/00000006/ops", false};
	const struct tlp_reader prefix = {"PL/GOV/00000006/cer", false};
	const char *const with_null[] = {NULL, "PL/GOV/00000006/cert"};
	const struct tlp_subject holes = {REPORTER, with_null, 2};

	(void)state;
	assert_false(tlp_visible(TLP_AMBER, &subject, &other_subsystem));
	assert_false(tlp_visible(TLP_AMBER, &subject, &prefix));
	assert_true(tlp_visible(TLP_AMBER, &holes, &readers[FOREIGN_CERT_SHARED]));
	assert_false(tlp_visible(TLP_AMBER, &holes, &readers[FOREIGN_CERT_NOT_SHARED]));
}

static void test_amber_without_share_with_hides_foreign_cert(void **state)
{
	const struct tlp_subject alone = {REPORTER, NULL, 0};

	(void)state;
	assert_false(tlp_visible(TLP_AMBER, &alone, &readers[FOREIGN_CERT_SHARED]));
	assert_true(tlp_visible(TLP_AMBER, &alone, &readers[COUNTRY_CERT]));
	assert_true(tlp_visible(TLP_AMBER, &alone, &readers[SAME_ORGANISATION]));
}

static void test_country_cert_of_another_country_is_not_the_reporters(void **state)
{
	/* a CERT whose id starts like the reporter's country but is another one */
	const struct tlp_reader uak = {"UAK/GOV/1/cert", true};

	(void)state;
	assert_false(tlp_visible(TLP_AMBER, &subject, &uak));
}

static void test_subject_without_reporter_shows_only_clear_green_and_shared(void **state)
{
	const struct tlp_subject nobody = {NULL, share_with, 1};

	(void)state;
	assert_true(tlp_visible(TLP_CLEAR, &nobody, &readers[ANONYMOUS]));
	assert_true(tlp_visible(TLP_GREEN, &nobody, &readers[UNRELATED_MEMBER]));
	assert_true(tlp_visible(TLP_AMBER, &nobody, &readers[FOREIGN_CERT_SHARED]));
	assert_false(tlp_visible(TLP_AMBER, &nobody, &readers[COUNTRY_CERT]));
	assert_false(tlp_visible(TLP_AMBER_STRICT, &nobody, &readers[SAME_ORGANISATION]));
	assert_false(tlp_visible(TLP_RED, &nobody, &readers[FOREIGN_CERT_SHARED]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_accepts_every_marking_in_any_case),
	    cmocka_unit_test(test_parse_accepts_marking_without_prefix),
	    cmocka_unit_test(test_parse_reads_tlp1_white_as_clear),
	    cmocka_unit_test(test_parse_refuses_anything_else),
	    cmocka_unit_test(test_name_round_trips_and_fails_safe),
	    cmocka_unit_test(test_member_organisation_drops_the_subsystem),
	    cmocka_unit_test(test_clear_is_visible_to_anyone),
	    cmocka_unit_test(test_green_is_visible_to_every_member_not_anonymous),
	    cmocka_unit_test(test_amber_is_organisation_country_cert_and_share_with),
	    cmocka_unit_test(test_amber_strict_is_the_reporters_organisation_only),
	    cmocka_unit_test(test_red_is_the_reporter_only),
	    cmocka_unit_test(test_amber_share_with_must_match_the_member_exactly),
	    cmocka_unit_test(test_amber_without_share_with_hides_foreign_cert),
	    cmocka_unit_test(test_country_cert_of_another_country_is_not_the_reporters),
	    cmocka_unit_test(test_subject_without_reporter_shows_only_clear_green_and_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
