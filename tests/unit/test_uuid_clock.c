/*
 * test_uuid_clock.c — RFC 9562 UUIDs (src/core/uuid.c: version 4, version 5
 * against the RFC's own test vector, the format check) and RFC 3339 times
 * (src/core/clock.c: clock_parse_utc strict on the grammar and the calendar,
 * clock_format_utc).
 */
#include "testkit/testkit.h"

#include <string.h>

#include "core/clock.h"
#include "core/uuid.h"

#define NS_DNS "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
/* 2026-12-06T18:21:07Z */
#define T0 ((int64_t)1796581267)

/* --- UUIDs --- */

static void test_v5_matches_rfc9562_vector(void **state)
{
	char out[UUID_TEXT_LEN + 1];

	(void)state;
	/* RFC 9562 Appendix A.4 */
	assert_int_equal(uuid_v5(NS_DNS, "www.example.com", 15, out), HR_OK);
	assert_string_equal(out, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

static void test_v5_reads_upper_case_namespace_the_same(void **state)
{
	char out[UUID_TEXT_LEN + 1];

	(void)state;
	assert_int_equal(
	    uuid_v5("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "www.example.com", 15, out), HR_OK);
	assert_string_equal(out, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

static void test_v5_is_stable_and_depends_on_name_and_namespace(void **state)
{
	char a[UUID_TEXT_LEN + 1], b[UUID_TEXT_LEN + 1], c[UUID_TEXT_LEN + 1], d[UUID_TEXT_LEN + 1];

	(void)state;
	assert_int_equal(uuid_v5(NS_DNS, "example.org", 11, a), HR_OK);
	assert_int_equal(uuid_v5(NS_DNS, "example.org", 11, b), HR_OK);
	assert_string_equal(a, b);
	assert_int_equal(uuid_v5(NS_DNS, "example.com", 11, c), HR_OK);
	assert_string_not_equal(a, c);
	/* the URL namespace */
	assert_int_equal(uuid_v5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", "example.org", 11, d),
			 HR_OK);
	assert_string_not_equal(a, d);
	assert_int_equal(a[14], '5');
	assert_non_null(strchr("89ab", a[19]));
	/* the length given is the name: bytes after it do not count, NULs inside do */
	assert_int_equal(uuid_v5(NS_DNS, "example.orgXYZ", 11, b), HR_OK);
	assert_string_equal(a, b);
	assert_int_equal(uuid_v5(NS_DNS, "a\0b", 3, b), HR_OK);
	assert_int_equal(uuid_v5(NS_DNS, "a", 1, c), HR_OK);
	assert_string_not_equal(b, c);
	/* an empty name is a name */
	assert_int_equal(uuid_v5(NS_DNS, "", 0, b), HR_OK);
	assert_true(uuid_valid(b));
}

static void test_v5_refuses_a_namespace_that_is_not_a_uuid(void **state)
{
	char out[UUID_TEXT_LEN + 1];

	(void)state;
	assert_int_equal(uuid_v5("dns", "x", 1, out), HR_E_INVALID);
	assert_int_equal(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c", "x", 1, out), HR_E_INVALID);
	assert_int_equal(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430cg", "x", 1, out),
			 HR_E_INVALID);
	assert_int_equal(uuid_v5(NULL, "x", 1, out), HR_E_INVALID);
}

static void test_v4_is_lower_case_version_4_variant_10(void **state)
{
	char a[UUID_TEXT_LEN + 1], b[UUID_TEXT_LEN + 1];

	(void)state;
	for (int i = 0; i < 200; i++) {
		assert_int_equal(uuid_v4(a), HR_OK);
		assert_int_equal(strlen(a), UUID_TEXT_LEN);
		assert_true(uuid_valid(a));
		assert_int_equal(a[14], '4');
		assert_non_null(strchr("89ab", a[19]));
		for (size_t j = 0; j < UUID_TEXT_LEN; j++)
			assert_false(a[j] >= 'A' && a[j] <= 'Z');
	}
	assert_int_equal(uuid_v4(b), HR_OK);
	assert_string_not_equal(a, b);
}

static void test_valid_accepts_the_format_in_either_case(void **state)
{
	(void)state;
	assert_true(uuid_valid(NS_DNS));
	assert_true(uuid_valid("6BA7B810-9DAD-11D1-80B4-00C04FD430C8"));
	assert_true(uuid_valid("00000000-0000-0000-0000-000000000000"));
	/* the format only, not the version */
	assert_true(uuid_valid("ffffffff-ffff-ffff-ffff-ffffffffffff"));
}

static void test_valid_refuses_wrong_length_dashes_or_digits(void **state)
{
	static const char *const bad[] = {
	    "",
	    "6ba7b810-9dad-11d1-80b4-00c04fd430c",   /* 35 */
	    "6ba7b810-9dad-11d1-80b4-00c04fd430c8a", /* 37 */
	    "6ba7b8109dad11d180b400c04fd430c8",      /* no dashes */
	    "6ba7b81-09dad-11d1-80b4-00c04fd430c8",  /* dash one early */
	    "6ba7b810-9dad-11d1-80b400c04fd430c8-",  /* dash at the end */
	    "6ba7b810_9dad_11d1_80b4_00c04fd430c8",
	    "6ba7b810-9dad-11d1-80b4-00c04fd430cg",
	    "6ba7b810-9dad-11d1-80b4-00c04fd430c ",
	    "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
	    "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
	    "6ba7b810-9dad-11d1-80b4-00c04fd4-0c8",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (uuid_valid(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	assert_false(uuid_valid(NULL));
}

/* --- RFC 3339 --- */

static void parses_to(const char *text, int64_t expected)
{
	int64_t got = 0x7777;

	if (!clock_parse_utc(text, &got))
		fail_msg("'%s' refused", text);
	if (got != expected)
		fail_msg("'%s' read as %lld, not %lld", text, (long long)got, (long long)expected);
}

static void refused(const char *text)
{
	int64_t got = 0x7777;

	if (clock_parse_utc(text, &got))
		fail_msg("'%s' accepted as %lld", text != NULL ? text : "(null)", (long long)got);
	assert_int_equal(got, 0x7777); /* untouched */
}

static void test_parse_utc_z(void **state)
{
	(void)state;
	parses_to("2026-12-06T18:21:07Z", T0);
	parses_to("1970-01-01T00:00:00Z", 0);
	parses_to("1969-12-31T23:59:59Z", -1);
	parses_to("2038-01-19T03:14:08Z", 2147483648LL);
}

static void test_parse_offsets_move_to_utc(void **state)
{
	(void)state;
	parses_to("2026-12-06T20:21:07+02:00", T0);
	parses_to("2026-12-06T13:21:07-05:00", T0);
	parses_to("2026-12-06T23:51:07+05:30", T0);
	parses_to("2026-12-06T18:21:07+00:00", T0);
	parses_to("2026-12-06T18:21:07-00:00", T0);
	/* across a day and a year */
	parses_to("2027-01-01T01:00:00+02:00", 1798758000);
	parses_to("2026-12-31T18:00:00-05:00", 1798758000);
	parses_to("2026-12-07T17:50:07+23:29", T0);
}

static void test_parse_drops_fractions(void **state)
{
	(void)state;
	parses_to("2026-12-06T18:21:07.123Z", T0);
	parses_to("2026-12-06T18:21:07.999999999Z", T0);
	parses_to("2026-12-06T18:21:07.0Z", T0);
	parses_to("2026-12-06T20:21:07.5+02:00", T0);
	refused("2026-12-06T18:21:07.Z");
	refused("2026-12-06T18:21:07.+02:00");
	refused("2026-12-06T18:21:07,5Z");
	refused("2026-12-06T18:21:07.5");
}

static void test_parse_allows_lower_case_t_z_and_space(void **state)
{
	(void)state;
	parses_to("2026-12-06t18:21:07z", T0);
	parses_to("2026-12-06T18:21:07z", T0);
	parses_to("2026-12-06 18:21:07Z", T0);
	parses_to("2026-12-06t20:21:07+02:00", T0);
}

static void test_parse_knows_leap_years(void **state)
{
	(void)state;
	parses_to("2028-02-29T00:00:00Z", 1835395200);
	parses_to("2000-02-29T12:00:00Z", 951825600);
	refused("2027-02-29T00:00:00Z");
	refused("1900-02-29T00:00:00Z");
	refused("2100-02-29T00:00:00Z");
}

static void test_parse_refuses_dates_that_do_not_exist(void **state)
{
	(void)state;
	refused("2026-02-30T00:00:00Z");
	refused("2028-02-30T00:00:00Z");
	refused("2026-04-31T00:00:00Z");
	refused("2026-06-31T00:00:00Z");
	refused("2026-09-31T00:00:00Z");
	refused("2026-11-31T00:00:00Z");
	refused("2026-12-32T00:00:00Z");
	refused("2026-00-10T00:00:00Z");
	refused("2026-13-10T00:00:00Z");
	refused("2026-12-00T00:00:00Z");
	parses_to("2026-12-31T00:00:00Z", 1798675200);
}

static void test_parse_refuses_times_that_do_not_exist(void **state)
{
	(void)state;
	refused("2026-12-06T24:00:00Z");
	refused("2026-12-06T23:60:00Z");
	refused("2026-12-06T23:59:61Z");
	refused("2026-12-06T18:21:07+24:00");
	refused("2026-12-06T18:21:07+02:60");
}

static void test_parse_reads_leap_second_as_the_second_before(void **state)
{
	(void)state;
	parses_to("2016-12-31T23:59:60Z", 1483228799);
}

static void test_parse_refuses_missing_or_malformed_offset(void **state)
{
	(void)state;
	refused("2026-12-06T18:21:07");
	refused("2026-12-06T18:21:07+02");
	refused("2026-12-06T18:21:07+0200");
	refused("2026-12-06T18:21:07+2:00");
	refused("2026-12-06T18:21:07 +02:00");
	refused("2026-12-06T18:21:07UTC");
	refused("2026-12-06T18:21:07GMT");
	refused("2026-12-06T18:21:07ZZ");
	refused("2026-12-06T18:21:07Z ");
	refused("2026-12-06T18:21:07+02:00Z");
}

static void test_parse_refuses_malformed_dates_and_times(void **state)
{
	(void)state;
	refused(NULL);
	refused("");
	refused("2026-12-06");
	refused("2026-12-6T18:21:07Z");
	refused("26-12-06T18:21:07Z");
	refused("2026/12/06T18:21:07Z");
	refused("2026-12-06T18:21Z");
	refused("2026-12-06T8:21:07Z");
	refused("2026-12-06X18:21:07Z");
	refused("2026-12-06T18.21.07Z");
	refused("+026-12-06T18:21:07Z");
	refused("2026-+2-06T18:21:07Z");
	refused("2026-12-06T18:2 :07Z");
	refused(" 2026-12-06T18:21:07Z");
	refused("1796581267");
}

static void test_format_writes_utc_seconds_and_round_trips(void **state)
{
	char text[CLOCK_UTC_TEXT_MAX];
	int64_t back = 0;

	(void)state;
	clock_format_utc(T0, text);
	assert_string_equal(text, "2026-12-06T18:21:07Z");
	clock_format_utc(0, text);
	assert_string_equal(text, "1970-01-01T00:00:00Z");
	clock_format_utc(1835395200, text);
	assert_string_equal(text, "2028-02-29T00:00:00Z");
	for (int64_t t = -86400; t < 4102444800LL; t += 7777777) {
		clock_format_utc(t, text);
		assert_true(clock_parse_utc(text, &back));
		assert_int_equal(back, t);
	}
}

static void test_format_writes_years_below_1000_with_four_digits(void **state)
{
	char text[CLOCK_UTC_TEXT_MAX];
	int64_t t = 0, back = 0;

	(void)state;
	/* clock_parse_utc reads these; what it reads must format back the same */
	assert_true(clock_parse_utc("0999-01-01T00:00:00Z", &t));
	clock_format_utc(t, text);
	assert_string_equal(text, "0999-01-01T00:00:00Z");
	assert_true(clock_parse_utc(text, &back));
	assert_int_equal(back, t);
	assert_true(clock_parse_utc("0000-01-01T00:00:00Z", &t));
	clock_format_utc(t, text);
	assert_string_equal(text, "0000-01-01T00:00:00Z");
	assert_true(clock_parse_utc("9999-12-31T23:59:59Z", &t));
	clock_format_utc(t, text);
	assert_string_equal(text, "9999-12-31T23:59:59Z");
	/* past what four digits hold: the decimal seconds */
	clock_format_utc(t + 1, text);
	assert_string_equal(text, "253402300800");
	clock_format_utc(-62167219201LL, text);
	assert_string_equal(text, "-62167219201");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v5_matches_rfc9562_vector),
	    cmocka_unit_test(test_v5_reads_upper_case_namespace_the_same),
	    cmocka_unit_test(test_v5_is_stable_and_depends_on_name_and_namespace),
	    cmocka_unit_test(test_v5_refuses_a_namespace_that_is_not_a_uuid),
	    cmocka_unit_test(test_v4_is_lower_case_version_4_variant_10),
	    cmocka_unit_test(test_valid_accepts_the_format_in_either_case),
	    cmocka_unit_test(test_valid_refuses_wrong_length_dashes_or_digits),
	    cmocka_unit_test(test_parse_utc_z),
	    cmocka_unit_test(test_parse_offsets_move_to_utc),
	    cmocka_unit_test(test_parse_drops_fractions),
	    cmocka_unit_test(test_parse_allows_lower_case_t_z_and_space),
	    cmocka_unit_test(test_parse_knows_leap_years),
	    cmocka_unit_test(test_parse_refuses_dates_that_do_not_exist),
	    cmocka_unit_test(test_parse_refuses_times_that_do_not_exist),
	    cmocka_unit_test(test_parse_reads_leap_second_as_the_second_before),
	    cmocka_unit_test(test_parse_refuses_missing_or_malformed_offset),
	    cmocka_unit_test(test_parse_refuses_malformed_dates_and_times),
	    cmocka_unit_test(test_format_writes_utc_seconds_and_round_trips),
	    cmocka_unit_test(test_format_writes_years_below_1000_with_four_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
