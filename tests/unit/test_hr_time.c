/*
 * test_hr_time.c — RFC 3339 timestamps (hr_time_parse, include/hromada/verify.h).
 *
 * First the examples of RFC 3339 §5.8 with their exact epoch seconds, then the
 * variants the parser accepts on purpose (lowercase t/z, "+0200", long
 * fractions), a calendar sweep against the C library's timegm(), and every
 * malformed shape we could think of, each of which must be refused with stage
 * "time" and the text quoted.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hromada/verify.h>

static struct hr_time parse_ok(const char *text)
{
	struct hr_error err = {0};
	struct hr_time t = {-1, -1};

	if (hr_time_parse(text, &t, &err) != HR_OK) {
		print_error("refused '%s': %s\n", text, err.message);
		fail();
	}
	assert_true(t.nanos >= 0 && t.nanos <= 999999999);
	return t;
}

static void assert_instant(const char *text, int64_t seconds, int32_t nanos)
{
	struct hr_time t = parse_ok(text);

	if (t.seconds != seconds || t.nanos != nanos) {
		print_error("'%s' gave %lld.%09d, expected %lld.%09d\n", text, (long long)t.seconds,
			    t.nanos, (long long)seconds, nanos);
		fail();
	}
}

static void assert_refused(const char *text)
{
	struct hr_error err = {0};
	struct hr_time t = {12345, 678};

	if (hr_time_parse(text, &t, &err) != HR_E_INVALID) {
		print_error("accepted '%s' as %lld.%09d\n", text, (long long)t.seconds, t.nanos);
		fail();
	}
	assert_int_equal(err.status, HR_E_INVALID);
	assert_string_equal(err.stage, "time");
	assert_true(err.message[0] != 0);
	/* a refused text leaves the output alone */
	assert_int_equal(t.seconds, 12345);
	assert_int_equal(t.nanos, 678);
}

/* --- RFC 3339 §5.8 ------------------------------------------------------------ */

static void test_rfc3339_example_utc_with_fraction(void **state)
{
	(void)state;
	/* 1985-04-12T23:20:50.52Z: 20 minutes and 50.52 seconds after 23:00 UTC */
	assert_instant("1985-04-12T23:20:50.52Z", 482196050, 520000000);
}

static void test_rfc3339_example_negative_offset(void **state)
{
	(void)state;
	/* 16:39:57 at -08:00 is 1996-12-20T00:39:57Z */
	assert_instant("1996-12-19T16:39:57-08:00", 851042397, 0);
}

static void test_rfc3339_example_leap_second(void **state)
{
	(void)state;
	/* the leap second 23:59:60 counts as the first second of the next day, as POSIX
	 * time does; the same instant written in Pacific time */
	assert_instant("1990-12-31T23:59:60Z", 662688000, 0);
	assert_instant("1990-12-31T15:59:60-08:00", 662688000, 0);
	assert_instant("1991-01-01T00:00:00Z", 662688000, 0);
}

static void test_rfc3339_example_before_1970_with_odd_offset(void **state)
{
	(void)state;
	/* Netherlands time of 1937: +00:20, so 11:40:27.87 UTC, before the epoch; the
	 * fraction stays positive and the seconds round down */
	assert_instant("1937-01-01T12:00:27.87+00:20", -1041337173, 870000000);
}

/* --- accepted variants ----------------------------------------------------------- */

static void test_accepts_lowercase_t_and_z(void **state)
{
	(void)state;
	assert_instant("1985-04-12t23:20:50.52z", 482196050, 520000000);
	assert_instant("1985-04-12t23:20:50Z", 482196050, 0);
}

static void test_accepts_space_separator_of_rfc3339_note(void **state)
{
	(void)state;
	assert_instant("1985-04-12 23:20:50.52Z", 482196050, 520000000);
}

static void test_offset_without_colon_equals_offset_with_colon(void **state)
{
	(void)state;
	assert_instant("2021-06-01T20:00:00+0200", 1622570400, 0);
	assert_instant("2021-06-01T20:00:00+02:00", 1622570400, 0);
	assert_instant("2021-06-01T18:00:00Z", 1622570400, 0);
	assert_instant("2021-06-01T12:30:00-0530", 1622570400, 0);
	/* -00:00 (RFC 3339 §4.3, "offset unknown") is still UTC */
	assert_instant("2021-06-01T18:00:00-00:00", 1622570400, 0);
	assert_instant("2021-06-01T18:00:00+00:00", 1622570400, 0);
}

static void test_fraction_keeps_nanoseconds_and_truncates_extra_digits(void **state)
{
	(void)state;
	assert_instant("2021-06-01T18:00:00.5Z", 1622570400, 500000000);
	assert_instant("2021-06-01T18:00:00.000000001Z", 1622570400, 1);
	assert_instant("2021-06-01T18:00:00.123456789Z", 1622570400, 123456789);
	/* beyond nine digits: truncated, never rounded into the next second */
	assert_instant("2021-06-01T18:00:00.1234567891Z", 1622570400, 123456789);
	assert_instant("2021-06-01T18:00:00.99999999999999999999Z", 1622570400, 999999999);
	assert_instant("2021-06-01T18:00:00.0000000009Z", 1622570400, 0);
	assert_instant("2021-06-01T20:00:00.25+02:00", 1622570400, 250000000);
}

static void test_leap_days_of_leap_years(void **state)
{
	(void)state;
	assert_instant("2000-02-29T00:00:00Z", 951782400, 0);
	assert_instant("2024-02-29T12:00:00Z", 1709208000, 0);
	assert_instant("1600-02-29T00:00:00Z", -11670998400, 0);
}

static void test_extremes_of_four_digit_years(void **state)
{
	(void)state;
	assert_instant("0001-01-01T00:00:00Z", -62135596800, 0);
	assert_instant("9999-12-31T23:59:59Z", 253402300799, 0);
	assert_instant("1970-01-01T00:00:00Z", 0, 0);
	assert_instant("1969-12-31T23:59:59.999999999Z", -1, 999999999);
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Dates spread over four centuries, each hour and offset varied, against timegm(). */
static void test_matches_timegm_across_the_calendar(void **state)
{
	static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char text[64];
	int checked = 0;

	(void)state;
	for (int y = 1601; y <= 2400; y += 7) {
		for (int m = 1; m <= 12; m++) {
			int days = month_days[m - 1] + (m == 2 && is_leap(y));
			int d = 1 + (y * 31 + m * 7) % days;
			int h = (y + m) % 24, mi = (y * m) % 60, s = (y + d) % 60;
			int oh = (m * 5) % 15, om = (m % 2) * 30, sign = (y % 2) ? 1 : -1;
			struct tm tm = {0};
			time_t expected;

			tm.tm_year = y - 1900;
			tm.tm_mon = m - 1;
			tm.tm_mday = d;
			tm.tm_hour = h;
			tm.tm_min = mi;
			tm.tm_sec = s;
			expected = timegm(&tm) - sign * (oh * 3600 + om * 60);
			snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y,
				 m, d, h, mi, s, sign > 0 ? '+' : '-', oh, om);
			assert_instant(text, (int64_t)expected, 0);
			/* the last day of every month is valid, the day after it is not */
			snprintf(text, sizeof(text), "%04d-%02d-%02dT00:00:00Z", y, m, days);
			parse_ok(text);
			snprintf(text, sizeof(text), "%04d-%02d-%02dT00:00:00Z", y, m, days + 1);
			assert_refused(text);
			checked++;
		}
	}
	assert_true(checked > 1000);
}

/* --- malformed ------------------------------------------------------------------- */

/* The DCC test data writes VALIDATIONCLOCK without an offset (UTC, as its test
 * procedure reads it), with "+02" or as a date alone. */
static void test_missing_offset_is_utc_and_a_date_is_its_midnight(void **state)
{
	(void)state;
	assert_instant("1985-04-12T23:20:50", 482196050, 0);
	assert_instant("1985-04-12T23:20:50.52", 482196050, 520000000);
	assert_instant("2021-06-08T20:17:27.9906293", 1623183447, 990629300);
	assert_instant("1985-04-12", 482112000, 0);
	assert_instant("1985-04-12T23:20:50+02", 482196050 - 7200, 0);
	assert_instant("1985-04-12T23:20:50-0130", 482196050 + 5400, 0);
	assert_refused("1985-04-12T");
	assert_refused("1985-04-12T23:20");
}

static void test_refuses_bad_month_and_day(void **state)
{
	(void)state;
	assert_refused("1985-00-12T23:20:50Z");
	assert_refused("1985-13-12T23:20:50Z");
	assert_refused("1985-04-00T23:20:50Z");
	assert_refused("1985-04-31T23:20:50Z");
	assert_refused("1985-01-32T23:20:50Z");
	assert_refused("1985-99-99T23:20:50Z");
}

static void test_refuses_february_29_of_non_leap_years(void **state)
{
	(void)state;
	assert_refused("2021-02-29T00:00:00Z");
	assert_refused("1900-02-29T00:00:00Z"); /* divisible by 100, not by 400 */
	assert_refused("2100-02-29T00:00:00Z");
	assert_refused("2024-02-30T00:00:00Z");
}

static void test_refuses_bad_time_of_day(void **state)
{
	(void)state;
	assert_refused("1985-04-12T24:00:00Z");
	assert_refused("1985-04-12T23:60:00Z");
	assert_refused("1985-04-12T23:59:61Z");
	assert_refused("1985-04-12T23:20Z");
	assert_refused("1985-04-12T23Z");
	assert_refused("1985-04-12T2:20:50Z");
	assert_refused("1985-04-12T23:20:5Z");
}

static void test_refuses_bad_offsets(void **state)
{
	(void)state;
	assert_refused("1985-04-12T23:20:50+2:00");
	assert_refused("1985-04-12T23:20:50+02:0");
	assert_refused("1985-04-12T23:20:50+020");
	assert_refused("1985-04-12T23:20:50+24:00");
	assert_refused("1985-04-12T23:20:50+02:60");
	assert_refused("1985-04-12T23:20:50+02:00:00");
	assert_refused("1985-04-12T23:20:50+");
	assert_refused("1985-04-12T23:20:50 +02:00");
	assert_refused("1985-04-12T23:20:50UTC");
	assert_refused("1985-04-12T23:20:50GMT+2");
}

static void test_refuses_trailing_text(void **state)
{
	(void)state;
	assert_refused("1985-04-12T23:20:50ZZ");
	assert_refused("1985-04-12T23:20:50Z ");
	assert_refused("1985-04-12T23:20:50Z\n");
	assert_refused("1985-04-12T23:20:50+02:00x");
	assert_refused("1985-04-12T23:20:50.52Zjunk");
	assert_refused("1985-04-12T23:20:50Z[Europe/Kyiv]");
}

static void test_refuses_empty_and_shapes_that_are_not_dates(void **state)
{
	(void)state;
	assert_refused("");
	assert_refused(" ");
	assert_refused("Z");
	assert_refused("now");
	assert_refused("1622570400");
	assert_refused(" 1985-04-12T23:20:50Z");
	assert_refused("85-04-12T23:20:50Z");
	assert_refused("1985-4-12T23:20:50Z");
	assert_refused("1985-04-1T23:20:50Z");
	assert_refused("1985/04/12T23:20:50Z");
	assert_refused("1985-04-12X23:20:50Z");
	assert_refused("1985-04-12T23.20.50Z");
	assert_refused("1985-04-12T23:20:50.Z"); /* a fraction needs a digit */
	assert_refused("1985-04-12T23:20:50.+02:00");
	assert_refused("+1985-04-12T23:20:50Z");
	assert_refused("19850412T232050Z"); /* the ISO 8601 basic format is not taken */
	assert_refused(
	    "\xd9\xa1\xd9\xa9\xd9\xa8\xd9\xa5-04-12T23:20:50Z"); /* Arabic-Indic digits */
}

static void test_message_quotes_the_text(void **state)
{
	struct hr_error err = {0};
	struct hr_time t;

	(void)state;
	assert_int_equal(hr_time_parse("2021-02-29T00:00:00Z", &t, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "2021-02-29T00:00:00Z"));
	assert_int_equal(hr_time_parse("yesterday", &t, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "yesterday"));
	/* err may be NULL */
	assert_int_equal(hr_time_parse("yesterday", &t, NULL), HR_E_INVALID);
}

static void test_now_is_the_system_clock(void **state)
{
	struct hr_time before, now;

	(void)state;
	before.seconds = (int64_t)time(NULL);
	now = hr_time_now();
	assert_true(now.seconds >= before.seconds);
	assert_true(now.seconds < before.seconds + 3600);
	assert_true(now.nanos >= 0 && now.nanos <= 999999999);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc3339_example_utc_with_fraction),
	    cmocka_unit_test(test_rfc3339_example_negative_offset),
	    cmocka_unit_test(test_rfc3339_example_leap_second),
	    cmocka_unit_test(test_rfc3339_example_before_1970_with_odd_offset),
	    cmocka_unit_test(test_accepts_lowercase_t_and_z),
	    cmocka_unit_test(test_accepts_space_separator_of_rfc3339_note),
	    cmocka_unit_test(test_offset_without_colon_equals_offset_with_colon),
	    cmocka_unit_test(test_fraction_keeps_nanoseconds_and_truncates_extra_digits),
	    cmocka_unit_test(test_leap_days_of_leap_years),
	    cmocka_unit_test(test_extremes_of_four_digit_years),
	    cmocka_unit_test(test_matches_timegm_across_the_calendar),
	    cmocka_unit_test(test_missing_offset_is_utc_and_a_date_is_its_midnight),
	    cmocka_unit_test(test_refuses_bad_month_and_day),
	    cmocka_unit_test(test_refuses_february_29_of_non_leap_years),
	    cmocka_unit_test(test_refuses_bad_time_of_day),
	    cmocka_unit_test(test_refuses_bad_offsets),
	    cmocka_unit_test(test_refuses_trailing_text),
	    cmocka_unit_test(test_refuses_empty_and_shapes_that_are_not_dates),
	    cmocka_unit_test(test_message_quotes_the_text),
	    cmocka_unit_test(test_now_is_the_system_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
