/*
 * test_incident.c — incident reports (src/nccc/incident.c): the stage names,
 * the ENISA RSIT classes, every legal deadline computed exactly from a fixed
 * detected_at (Resolution 1533 and NIS2 Art. 23), met on time, met late and
 * missing at a given now, the NIS2 final deadline following the notification,
 * the final report closing everything, calendar-month clamping, and
 * POST /v1/incidents bodies accepted into the canonical form (nccc_model.h) or
 * refused by name.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/uuid.h"
#include "nccc/incident.h"
#include "nccc/nccc_model.h"

#define REPORTER "UA/GOV/00015622/driver_licence"
#define HOUR     3600
#define DAY      86400
/* 2026-12-06T10:00:00Z */
#define DETECTED ((int64_t)1796551200)
/* 2026-12-06T18:21:07Z: the hub's clock when a report arrives */
#define NOW ((int64_t)1796581267)

static void assert_time(int64_t seconds, const char *expected)
{
	char text[CLOCK_UTC_TEXT_MAX];

	clock_format_utc(seconds, text);
	assert_string_equal(text, expected);
}

static void assert_json_time(const json_t *obj, const char *key, const char *expected)
{
	const char *got = json_string_value(json_object_get(obj, key));

	assert_non_null(got);
	assert_string_equal(got, expected);
}

static const struct incident_deadline *find(const struct incident_deadline *d, size_t n,
					    const char *stage)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].stage, stage) == 0)
			return &d[i];
	fail_msg("no deadline '%s'", stage);
	return NULL;
}

/* --- stages and classes --- */

static void test_stage_names_parse_and_preliminary_is_interim(void **state)
{
	enum incident_stage s = INCIDENT_STAGE_FINAL;

	(void)state;
	assert_int_equal(incident_stage_parse("initial", &s, NULL), HR_OK);
	assert_int_equal(s, INCIDENT_STAGE_INITIAL);
	assert_int_equal(incident_stage_parse("interim", &s, NULL), HR_OK);
	assert_int_equal(s, INCIDENT_STAGE_INTERIM);
	s = INCIDENT_STAGE_FINAL;
	assert_int_equal(incident_stage_parse("preliminary", &s, NULL), HR_OK);
	assert_int_equal(s, INCIDENT_STAGE_INTERIM);
	assert_int_equal(incident_stage_parse("final", &s, NULL), HR_OK);
	assert_int_equal(s, INCIDENT_STAGE_FINAL);
	assert_string_equal(incident_stage_name(INCIDENT_STAGE_INITIAL), "initial");
	assert_string_equal(incident_stage_name(INCIDENT_STAGE_INTERIM), "interim");
	assert_string_equal(incident_stage_name(INCIDENT_STAGE_FINAL), "final");
}

static void test_stage_parse_refuses_other_words(void **state)
{
	static const char *const bad[] = {"Final", "", "intermediate", "initial ", "early-warning"};
	enum incident_stage s;
	struct hr_error err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(incident_stage_parse(bad[i], &s, &err), HR_E_INVALID);
		assert_string_equal(err.stage, "incident");
		assert_non_null(strstr(err.message, "stage must be"));
	}
	assert_int_equal(incident_stage_parse(NULL, &s, NULL), HR_E_INVALID);
}

static void test_class_valid_accepts_rsit_classes_and_types(void **state)
{
	static const char *const good[] = {"availability",
					   "availability:ddos",
					   "availability:outage",
					   "intrusions",
					   "intrusions:burglary",
					   "malicious-code:c2-server",
					   "fraud:phishing",
					   "vulnerable:weak-crypto",
					   "information-content-security:data-leak",
					   "other",
					   "other:undetermined",
					   "test:test",
					   "abusive-content:spam"};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!incident_class_valid(good[i]))
			fail_msg("'%s' refused", good[i]);
}

static void test_class_valid_refuses_unknown_or_mismatched(void **state)
{
	static const char *const bad[] = {"",
					  "availability:",
					  ":ddos",
					  "ddos",
					  "Availability",
					  "availability:DDOS",
					  "availability:phishing", /* a type of another class */
					  "availability:ddos:extra",
					  "availabilit",
					  "availabilityx",
					  "ransomware",
					  "intrusions :burglary"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (incident_class_valid(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	assert_false(incident_class_valid(NULL));
}

/* --- calendar months --- */

static void test_add_month_clamps_jan_31_to_feb_28_in_common_year(void **state)
{
	(void)state;
	/* 2027-01-31T10:00:00Z */
	assert_time(incident_add_month(1801389600), "2027-02-28T10:00:00Z");
	/* the last second of the day keeps its time of day */
	assert_time(incident_add_month(1801439999), "2027-02-28T23:59:59Z");
}

static void test_add_month_clamps_jan_31_to_feb_29_in_leap_year(void **state)
{
	(void)state;
	/* 2028-01-31T10:00:00Z */
	assert_time(incident_add_month(1832925600), "2028-02-29T10:00:00Z");
}

static void test_add_month_crosses_into_next_year(void **state)
{
	(void)state;
	/* 2026-12-15T08:30:00Z */
	assert_time(incident_add_month(1797323400), "2027-01-15T08:30:00Z");
	/* 2026-12-06T10:00:00Z */
	assert_time(incident_add_month(DETECTED), "2027-01-06T10:00:00Z");
}

static void test_add_month_clamps_31_to_30_day_months(void **state)
{
	int64_t t;

	(void)state;
	assert_true(clock_parse_utc("2027-03-31T12:00:00Z", &t));
	assert_time(incident_add_month(t), "2027-04-30T12:00:00Z");
	assert_true(clock_parse_utc("2027-08-31T00:00:00Z", &t));
	assert_time(incident_add_month(t), "2027-09-30T00:00:00Z");
	assert_true(clock_parse_utc("2027-10-31T00:00:00Z", &t));
	assert_time(incident_add_month(t), "2027-11-30T00:00:00Z");
	assert_true(clock_parse_utc("2027-02-28T00:00:00Z", &t));
	assert_time(incident_add_month(t), "2027-03-28T00:00:00Z");
	assert_true(clock_parse_utc("2100-01-29T00:00:00Z", &t)); /* 2100 is not leap */
	assert_time(incident_add_month(t), "2100-02-28T00:00:00Z");
	assert_true(clock_parse_utc("2000-01-30T00:00:00Z", &t)); /* 2000 is */
	assert_time(incident_add_month(t), "2000-02-29T00:00:00Z");
}

/* --- deadlines --- */

static void test_deadlines_resolution_1533_due_times(void **state)
{
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n = incident_deadlines(DETECTED, false, NULL, 0, DETECTED, d);

	(void)state;
	assert_int_equal(n, 4);
	assert_string_equal(d[0].stage, "initial");
	assert_string_equal(d[1].stage, "preliminary");
	assert_string_equal(d[2].stage, "interim");
	assert_string_equal(d[3].stage, "final");
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(d[i].regime, "Resolution 1533 (2025)");
		assert_false(d[i].met);
		assert_false(d[i].overdue);
	}
	assert_time(d[0].due, "2026-12-06T11:00:00Z");
	assert_time(d[1].due, "2026-12-07T10:00:00Z");
	assert_time(d[2].due, "2026-12-09T10:00:00Z");
	assert_time(d[3].due, "2027-01-06T10:00:00Z");
}

static void test_deadlines_nis2_due_times(void **state)
{
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n = incident_deadlines(DETECTED, true, NULL, 0, DETECTED, d);

	(void)state;
	assert_int_equal(n, 7);
	assert_time(find(d, n, "initial")->due, "2026-12-06T11:00:00Z");
	assert_time(find(d, n, "preliminary")->due, "2026-12-07T10:00:00Z");
	assert_time(find(d, n, "interim")->due, "2026-12-09T10:00:00Z");
	assert_time(find(d, n, "final")->due, "2027-01-06T10:00:00Z");
	assert_time(find(d, n, "nis2-early-warning")->due, "2026-12-07T10:00:00Z");
	assert_time(find(d, n, "nis2-notification")->due, "2026-12-09T10:00:00Z");
	/* no notification yet: a month after it was due */
	assert_time(find(d, n, "nis2-final")->due, "2027-01-09T10:00:00Z");
	assert_string_equal(find(d, n, "nis2-early-warning")->regime, "NIS2 Art. 23");
	assert_string_equal(find(d, n, "nis2-notification")->regime, "NIS2 Art. 23");
	assert_string_equal(find(d, n, "nis2-final")->regime, "NIS2 Art. 23");
	assert_string_equal(find(d, n, "final")->regime, "Resolution 1533 (2025)");
}

static void test_deadline_missing_is_overdue_only_once_due_passed(void **state)
{
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n;

	(void)state;
	/* exactly at the initial deadline: not yet overdue */
	n = incident_deadlines(DETECTED, false, NULL, 0, DETECTED + HOUR, d);
	assert_false(find(d, n, "initial")->overdue);
	/* one second later it is; nothing else is */
	n = incident_deadlines(DETECTED, false, NULL, 0, DETECTED + HOUR + 1, d);
	assert_true(find(d, n, "initial")->overdue);
	assert_false(find(d, n, "initial")->met);
	assert_false(find(d, n, "preliminary")->overdue);
	assert_false(find(d, n, "interim")->overdue);
	assert_false(find(d, n, "final")->overdue);
	/* four days on, with nothing reported: all but the final */
	n = incident_deadlines(DETECTED, true, NULL, 0, DETECTED + 4 * DAY, d);
	assert_true(find(d, n, "initial")->overdue);
	assert_true(find(d, n, "preliminary")->overdue);
	assert_true(find(d, n, "interim")->overdue);
	assert_false(find(d, n, "final")->overdue);
	assert_true(find(d, n, "nis2-early-warning")->overdue);
	assert_true(find(d, n, "nis2-notification")->overdue);
	assert_false(find(d, n, "nis2-final")->overdue);
}

static void test_initial_on_time_meets_initial_and_early_warning(void **state)
{
	const struct incident_report_time r[] = {{INCIDENT_STAGE_INITIAL, DETECTED + 1800}};
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n = incident_deadlines(DETECTED, true, r, 1, DETECTED + 5 * HOUR, d);
	const struct incident_deadline *initial = find(d, n, "initial"),
				       *early = find(d, n, "nis2-early-warning");

	(void)state;
	assert_true(initial->met);
	assert_int_equal(initial->met_at, DETECTED + 1800);
	assert_false(initial->overdue);
	assert_true(early->met);
	assert_int_equal(early->met_at, DETECTED + 1800);
	assert_false(early->overdue);
	assert_false(find(d, n, "preliminary")->met);
	assert_false(find(d, n, "nis2-notification")->met);
}

static void test_initial_made_late_stays_overdue(void **state)
{
	const struct incident_report_time r[] = {{INCIDENT_STAGE_INITIAL, DETECTED + 2 * HOUR}};
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n = incident_deadlines(DETECTED, false, r, 1, DETECTED + 3 * HOUR, d);
	const struct incident_deadline *initial = find(d, n, "initial");

	(void)state;
	assert_true(initial->met);
	assert_int_equal(initial->met_at, DETECTED + 2 * HOUR);
	assert_true(initial->overdue);
	/* exactly at the due time is in time */
	{
		const struct incident_report_time r2[] = {
		    {INCIDENT_STAGE_INITIAL, DETECTED + HOUR}};
		n = incident_deadlines(DETECTED, false, r2, 1, DETECTED + 3 * HOUR, d);
		assert_false(find(d, n, "initial")->overdue);
	}
}

static void test_interims_answer_24h_then_72h(void **state)
{
	const struct incident_report_time r[] = {
	    {INCIDENT_STAGE_INITIAL, DETECTED + 1800},
	    {INCIDENT_STAGE_INTERIM, DETECTED + 20 * HOUR},
	    {INCIDENT_STAGE_INTERIM, DETECTED + 60 * HOUR},
	};
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n = incident_deadlines(DETECTED, false, r, 3, DETECTED + 4 * DAY, d);

	(void)state;
	assert_int_equal(find(d, n, "preliminary")->met_at, DETECTED + 20 * HOUR);
	assert_false(find(d, n, "preliminary")->overdue);
	assert_int_equal(find(d, n, "interim")->met_at, DETECTED + 60 * HOUR);
	assert_false(find(d, n, "interim")->overdue);
	assert_false(find(d, n, "final")->met);
	assert_false(find(d, n, "final")->overdue);
}

static void test_interim_made_late_stays_overdue(void **state)
{
	/* the first interim comes at 30 h (preliminary late), the second at 80 h */
	const struct incident_report_time r[] = {
	    {INCIDENT_STAGE_INITIAL, DETECTED + 1800},
	    {INCIDENT_STAGE_INTERIM, DETECTED + 30 * HOUR},
	    {INCIDENT_STAGE_INTERIM, DETECTED + 80 * HOUR},
	};
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n = incident_deadlines(DETECTED, false, r, 3, DETECTED + 10 * DAY, d);

	(void)state;
	assert_true(find(d, n, "preliminary")->met);
	assert_int_equal(find(d, n, "preliminary")->met_at, DETECTED + 30 * HOUR);
	assert_true(find(d, n, "preliminary")->overdue);
	assert_true(find(d, n, "interim")->met);
	assert_int_equal(find(d, n, "interim")->met_at, DETECTED + 80 * HOUR);
	assert_true(find(d, n, "interim")->overdue);
	assert_false(find(d, n, "initial")->overdue);
}

static void test_one_interim_leaves_72h_interim_open(void **state)
{
	const struct incident_report_time r[] = {
	    {INCIDENT_STAGE_INITIAL, DETECTED + 1800},
	    {INCIDENT_STAGE_INTERIM, DETECTED + 10 * HOUR},
	};
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n;

	(void)state;
	n = incident_deadlines(DETECTED, false, r, 2, DETECTED + 72 * HOUR, d);
	assert_false(find(d, n, "interim")->met);
	assert_false(find(d, n, "interim")->overdue);
	n = incident_deadlines(DETECTED, false, r, 2, DETECTED + 72 * HOUR + 1, d);
	assert_false(find(d, n, "interim")->met);
	assert_true(find(d, n, "interim")->overdue);
	assert_false(find(d, n, "preliminary")->overdue);
}

static void test_nis2_final_deadline_moves_with_notification(void **state)
{
	/* the notification (first interim) made at 2026-12-08T15:30:00Z */
	const struct incident_report_time early[] = {
	    {INCIDENT_STAGE_INITIAL, DETECTED + 1800},
	    {INCIDENT_STAGE_INTERIM, DETECTED + 53 * HOUR + 1800},
	};
	/* made late, at 2026-12-10T10:00:00Z */
	const struct incident_report_time late[] = {
	    {INCIDENT_STAGE_INITIAL, DETECTED + 1800},
	    {INCIDENT_STAGE_INTERIM, DETECTED + 4 * DAY},
	};
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n;

	(void)state;
	n = incident_deadlines(DETECTED, true, early, 2, DETECTED + 5 * DAY, d);
	assert_time(find(d, n, "nis2-notification")->met_at, "2026-12-08T15:30:00Z");
	assert_false(find(d, n, "nis2-notification")->overdue);
	assert_time(find(d, n, "nis2-final")->due, "2027-01-08T15:30:00Z");
	/* the Resolution 1533 final does not move */
	assert_time(find(d, n, "final")->due, "2027-01-06T10:00:00Z");

	n = incident_deadlines(DETECTED, true, late, 2, DETECTED + 5 * DAY, d);
	assert_true(find(d, n, "nis2-notification")->overdue);
	assert_time(find(d, n, "nis2-final")->due, "2027-01-10T10:00:00Z");

	/* not made at all: a month after it was due */
	n = incident_deadlines(DETECTED, true, early, 1, DETECTED + 5 * DAY, d);
	assert_time(find(d, n, "nis2-final")->due, "2027-01-09T10:00:00Z");
}

static void test_final_report_closes_every_open_deadline(void **state)
{
	/* an initial on time, then straight to the final at 50 h */
	const struct incident_report_time r[] = {
	    {INCIDENT_STAGE_INITIAL, DETECTED + 1800},
	    {INCIDENT_STAGE_FINAL, DETECTED + 50 * HOUR},
	};
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n = incident_deadlines(DETECTED, true, r, 2, DETECTED + 90 * DAY, d);

	(void)state;
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++)
		if (!d[i].met)
			fail_msg("%s left open by the final report", d[i].stage);
	/* what was met before keeps its own time */
	assert_int_equal(find(d, n, "initial")->met_at, DETECTED + 1800);
	assert_int_equal(find(d, n, "nis2-early-warning")->met_at, DETECTED + 1800);
	/* the rest are met by the final */
	assert_int_equal(find(d, n, "preliminary")->met_at, DETECTED + 50 * HOUR);
	assert_int_equal(find(d, n, "interim")->met_at, DETECTED + 50 * HOUR);
	assert_int_equal(find(d, n, "final")->met_at, DETECTED + 50 * HOUR);
	assert_int_equal(find(d, n, "nis2-notification")->met_at, DETECTED + 50 * HOUR);
	assert_int_equal(find(d, n, "nis2-final")->met_at, DETECTED + 50 * HOUR);
	/* the 24-h preliminary was answered late, and stays overdue; the rest in time */
	assert_true(find(d, n, "preliminary")->overdue);
	assert_false(find(d, n, "initial")->overdue);
	assert_false(find(d, n, "interim")->overdue);
	assert_false(find(d, n, "final")->overdue);
	assert_false(find(d, n, "nis2-early-warning")->overdue);
	assert_false(find(d, n, "nis2-notification")->overdue);
	assert_false(find(d, n, "nis2-final")->overdue);
}

static void test_final_report_after_a_month_is_overdue(void **state)
{
	const struct incident_report_time r[] = {
	    {INCIDENT_STAGE_INITIAL, DETECTED + 1800},
	    {INCIDENT_STAGE_INTERIM, DETECTED + 20 * HOUR},
	    {INCIDENT_STAGE_INTERIM, DETECTED + 70 * HOUR},
	    {INCIDENT_STAGE_FINAL, DETECTED + 40 * DAY},
	};
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n = incident_deadlines(DETECTED, false, r, 4, DETECTED + 50 * DAY, d);

	(void)state;
	assert_true(find(d, n, "final")->met);
	assert_true(find(d, n, "final")->overdue);
	assert_false(find(d, n, "interim")->overdue);
	/* a final report made on the day it is due is in time */
	{
		const struct incident_report_time r2[] = {
		    {INCIDENT_STAGE_INITIAL, DETECTED + 1800},
		    {INCIDENT_STAGE_FINAL, incident_add_month(DETECTED)},
		};
		n = incident_deadlines(DETECTED, false, r2, 2, DETECTED + 50 * DAY, d);
		assert_false(find(d, n, "final")->overdue);
	}
}

static void test_set_deadlines_writes_list_and_overdue_stages(void **state)
{
	const struct incident_report_time r[] = {{INCIDENT_STAGE_INITIAL, DETECTED + 2 * HOUR}};
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	size_t n = incident_deadlines(DETECTED, false, r, 1, DETECTED + 30 * HOUR, d);
	json_t *incident = json_object(), *list, *overdue, *first, *second;

	(void)state;
	assert_int_equal(incident_set_deadlines(incident, d, n), HR_OK);
	list = json_object_get(incident, "deadlines");
	overdue = json_object_get(incident, "overdue");
	assert_int_equal(json_array_size(list), 4);
	first = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(first, "stage")), "initial");
	assert_string_equal(json_string_value(json_object_get(first, "regime")),
			    "Resolution 1533 (2025)");
	assert_json_time(first, "due", "2026-12-06T11:00:00Z");
	assert_true(json_is_true(json_object_get(first, "met")));
	assert_json_time(first, "met_at", "2026-12-06T12:00:00Z");
	assert_true(json_is_true(json_object_get(first, "overdue")));
	second = json_array_get(list, 1);
	assert_true(json_is_false(json_object_get(second, "met")));
	assert_null(json_object_get(second, "met_at"));
	assert_true(json_is_true(json_object_get(second, "overdue")));
	assert_int_equal(json_array_size(overdue), 2);
	assert_string_equal(json_string_value(json_array_get(overdue, 0)), "initial");
	assert_string_equal(json_string_value(json_array_get(overdue, 1)), "preliminary");
	json_decref(incident);
}

/* --- POST /v1/incidents --- */

static const char full_body[] =
    "{\"detected_at\": \"2026-12-06T12:00:00+02:00\","
    " \"level\": 3,"
    " \"class\": \"availability:ddos\","
    " \"service\": \"driver licences\","
    " \"summary\": \"SYN flood on the licence register\","
    " \"nis2_significant\": true,"
    " \"tlp\": \"amber\","
    " \"share_with\": [\"PL/GOV/00000006/cert\"],"
    " \"indicators\": ["
    "   {\"type\": \"ipv4-addr\", \"value\": \"203.0.113.7\"},"
    "   {\"type\": \"domain-name\", \"value\": \"WWW.Example.COM.\", \"tlp\": \"tlp:green\","
    "    \"comment\": \"c2\"}]}";

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *body = json_loads(text, 0, &jerr);

	if (body == NULL)
		fail_msg("test body does not parse: %s", jerr.text);
	return body;
}

static bool known_members(void *context, const char *member)
{
	(void)context;
	return strcmp(member, "PL/GOV/00000006/cert") == 0 ||
	       strcmp(member, "UA/GOV/00000001/cert") == 0;
}

static void assert_v4(const char *id)
{
	assert_non_null(id);
	assert_true(uuid_valid(id));
	assert_int_equal(id[14], '4');
	assert_non_null(strchr("89ab", id[19]));
	for (const char *p = id; *p; p++)
		assert_false(*p >= 'A' && *p <= 'F');
}

static void test_from_report_accepts_full_body(void **state)
{
	json_t *body = parse(full_body), *out = NULL, *share, *ind, *one;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(incident_from_report(body, REPORTER, NOW, known_members, NULL, &out, &err),
			 HR_OK);
	assert_non_null(out);
	assert_v4(json_string_value(json_object_get(out, "id")));
	assert_string_equal(json_string_value(json_object_get(out, "origin")), "reported");
	assert_string_equal(json_string_value(json_object_get(out, "reporter")), REPORTER);
	assert_string_equal(json_string_value(json_object_get(out, "organisation")),
			    "UA/GOV/00015622");
	assert_string_equal(json_string_value(json_object_get(out, "country")), "UA");
	/* +02:00 read, written as UTC seconds */
	assert_json_time(out, "detected_at", "2026-12-06T10:00:00Z");
	assert_json_time(out, "reported_at", "2026-12-06T18:21:07Z");
	assert_json_time(out, "modified_at", "2026-12-06T18:21:07Z");
	assert_int_equal(json_integer_value(json_object_get(out, "level")), 3);
	assert_string_equal(json_string_value(json_object_get(out, "class")), "availability:ddos");
	assert_string_equal(json_string_value(json_object_get(out, "service")), "driver licences");
	assert_string_equal(json_string_value(json_object_get(out, "summary")),
			    "SYN flood on the licence register");
	assert_true(json_is_true(json_object_get(out, "nis2_significant")));
	assert_string_equal(json_string_value(json_object_get(out, "tlp")), "TLP:AMBER");
	share = json_object_get(out, "share_with");
	assert_int_equal(json_array_size(share), 1);
	assert_string_equal(json_string_value(json_array_get(share, 0)), "PL/GOV/00000006/cert");

	ind = json_object_get(out, "indicators");
	assert_int_equal(json_array_size(ind), 2);
	one = json_array_get(ind, 0);
	assert_v4(json_string_value(json_object_get(one, "id")));
	assert_string_equal(json_string_value(json_object_get(one, "type")), "ipv4-addr");
	assert_string_equal(json_string_value(json_object_get(one, "value")), "203.0.113.7");
	/* no marking of its own: the incident's */
	assert_string_equal(json_string_value(json_object_get(one, "tlp")), "TLP:AMBER");
	assert_json_time(one, "first_seen", "2026-12-06T18:21:07Z");
	assert_null(json_object_get(one, "comment"));
	one = json_array_get(ind, 1);
	assert_v4(json_string_value(json_object_get(one, "id")));
	assert_string_equal(json_string_value(json_object_get(one, "type")), "domain-name");
	assert_string_equal(json_string_value(json_object_get(one, "value")), "www.example.com");
	assert_string_equal(json_string_value(json_object_get(one, "tlp")), "TLP:GREEN");
	assert_string_equal(json_string_value(json_object_get(one, "comment")), "c2");
	assert_string_not_equal(json_string_value(json_object_get(one, "id")),
				json_string_value(json_object_get(out, "id")));
	/* nothing else in the canonical form */
	assert_int_equal(json_object_size(out), 16);
	json_decref(out);
	json_decref(body);
}

static void test_from_report_defaults_tlp_amber_and_empty_lists(void **state)
{
	json_t *body = parse("{\"detected_at\": \"2026-12-06T10:00:00Z\", \"level\": 0,"
			     " \"class\": \"intrusions\", \"service\": \"s\", \"summary\": \"x\"}");
	json_t *out = NULL, *again = NULL;

	(void)state;
	assert_int_equal(incident_from_report(body, REPORTER, NOW, NULL, NULL, &out, NULL), HR_OK);
	assert_string_equal(json_string_value(json_object_get(out, "tlp")), "TLP:AMBER");
	assert_true(json_is_false(json_object_get(out, "nis2_significant")));
	assert_true(json_is_array(json_object_get(out, "share_with")));
	assert_int_equal(json_array_size(json_object_get(out, "share_with")), 0);
	assert_true(json_is_array(json_object_get(out, "indicators")));
	assert_int_equal(json_array_size(json_object_get(out, "indicators")), 0);
	/* every report is a new incident: a fresh id */
	assert_int_equal(incident_from_report(body, REPORTER, NOW, NULL, NULL, &again, NULL),
			 HR_OK);
	assert_string_not_equal(json_string_value(json_object_get(out, "id")),
				json_string_value(json_object_get(again, "id")));
	json_decref(again);
	json_decref(out);
	json_decref(body);
}

/* Replaces (or with value NULL removes) one field of the full body and expects
 * the result refused with HR_E_INVALID and a message containing needle. */
static void refused_with(const char *key, json_t *value, const char *needle)
{
	json_t *body = parse(full_body), *out = NULL;
	struct hr_error err = {0};
	hr_status rc;

	if (value != NULL)
		json_object_set_new(body, key, value);
	else
		json_object_del(body, key);
	rc = incident_from_report(body, REPORTER, NOW, known_members, NULL, &out, &err);
	if (rc != HR_E_INVALID)
		fail_msg("%s: status %d, not HR_E_INVALID", key, (int)rc);
	assert_null(out);
	if (strstr(err.message, needle) == NULL)
		fail_msg("%s: message '%s' does not say '%s'", key, err.message, needle);
	json_decref(body);
}

static void test_from_report_refuses_unknown_field(void **state)
{
	(void)state;
	refused_with("severity", json_integer(3), "unknown field 'severity'");
}

static void test_from_report_refuses_missing_detected_at(void **state)
{
	(void)state;
	refused_with("detected_at", NULL, "detected_at");
	refused_with("detected_at", NULL, "missing");
	refused_with("detected_at", json_string("2026-12-06 10:00"), "not an RFC 3339 time");
	refused_with("detected_at", json_integer(1796551200), "detected_at");
}

static void test_from_report_refuses_detected_at_beyond_skew(void **state)
{
	char text[CLOCK_UTC_TEXT_MAX];
	json_t *body = parse(full_body), *out = NULL;

	(void)state;
	clock_format_utc(NOW + INCIDENT_FUTURE_SKEW_S + 1, text);
	refused_with("detected_at", json_string(text), "detected_at is in the future");
	/* exactly the allowed skew is accepted */
	clock_format_utc(NOW + INCIDENT_FUTURE_SKEW_S, text);
	json_object_set_new(body, "detected_at", json_string(text));
	assert_int_equal(incident_from_report(body, REPORTER, NOW, known_members, NULL, &out, NULL),
			 HR_OK);
	json_decref(out);
	json_decref(body);
}

static void test_from_report_refuses_detected_at_before_2000(void **state)
{
	(void)state;
	refused_with("detected_at", json_string("0999-01-01T00:00:00Z"), "before 2000");
	refused_with("detected_at", json_string("1999-12-31T23:59:59Z"), "before 2000");
}

static void test_from_report_refuses_bad_level(void **state)
{
	(void)state;
	refused_with("level", json_integer(-1), "level");
	refused_with("level", json_integer(6), "between 0 and 5");
	refused_with("level", json_string("3"), "field 'level' must be an integer");
	refused_with("level", json_real(3.0), "level");
	refused_with("level", NULL, "missing required field 'level'");
}

static void test_from_report_refuses_unknown_class(void **state)
{
	(void)state;
	refused_with("class", json_string("ransomware"), "class 'ransomware' is not in the ENISA");
	refused_with("class", json_string("availability:phishing"), "ENISA");
}

static void test_from_report_refuses_bad_tlp(void **state)
{
	(void)state;
	refused_with("tlp", json_string("TLP:PURPLE"), "'TLP:PURPLE' is not a TLP 2.0 marking");
}

static void test_from_report_refuses_share_with_not_a_member_id(void **state)
{
	(void)state;
	refused_with("share_with", json_pack("[s]", "PL/GOV/00000006"),
		     "share_with[0] is not a member id");
	refused_with("share_with", json_pack("[s,i]", "PL/GOV/00000006/cert", 7),
		     "share_with[1] is not a member id");
	refused_with("share_with", json_string("PL/GOV/00000006/cert"), "share_with");
}

static void test_from_report_refuses_share_with_unknown_member(void **state)
{
	(void)state;
	refused_with("share_with",
		     json_pack("[s,s]", "PL/GOV/00000006/cert", "DE/GOV/00000007/cert"),
		     "share_with[1]: no member 'DE/GOV/00000007/cert' is known here");
}

static void test_from_report_refuses_too_many_share_with(void **state)
{
	json_t *list = json_array();

	(void)state;
	for (int i = 0; i < NCCC_SHARE_WITH_MAX + 1; i++)
		json_array_append_new(list, json_string("PL/GOV/00000006/cert"));
	refused_with("share_with", list, "at most 64");
}

static void test_from_report_refuses_too_many_indicators(void **state)
{
	json_t *list = json_array();

	(void)state;
	for (int i = 0; i < NCCC_INDICATORS_MAX + 1; i++)
		json_array_append_new(
		    list, json_pack("{s:s,s:s}", "type", "ipv4-addr", "value", "203.0.113.7"));
	refused_with("indicators", list, "10001 indicators: at most 10000");
}

static void test_from_report_refuses_indicator_of_unknown_type(void **state)
{
	(void)state;
	refused_with("indicators",
		     json_pack("[{s:s,s:s},{s:s,s:s}]", "type", "ipv4-addr", "value", "203.0.113.7",
			       "type", "bitcoin-address", "value",
			       "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
		     "indicators[1]: unknown indicator type 'bitcoin-address'");
}

static void test_from_report_refuses_bad_ipv4(void **state)
{
	(void)state;
	refused_with("indicators",
		     json_pack("[{s:s,s:s}]", "type", "ipv4-addr", "value", "203.0.113.300"),
		     "indicators[0]: not a valid ipv4-addr");
	refused_with("indicators",
		     json_pack("[{s:s,s:s,s:s}]", "type", "ipv4-addr", "value", "203.0.113.7",
			       "colour", "red"),
		     "indicators[0]: unknown field 'colour'");
	refused_with("indicators",
		     json_pack("[{s:s,s:s,s:s}]", "type", "ipv4-addr", "value", "203.0.113.7",
			       "tlp", "TLP:PINK"),
		     "indicators[0]");
}

static void test_from_report_refuses_empty_service_or_summary(void **state)
{
	(void)state;
	refused_with("service", json_string(""), "may not be empty");
	refused_with("summary", json_string(""), "may not be empty");
	refused_with("nis2_significant", json_string("yes"), "nis2_significant");
}

static void test_from_report_refuses_non_member_reporter_and_non_object(void **state)
{
	json_t *body = parse(full_body), *array = json_array(), *out = NULL;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(
	    incident_from_report(body, "UA/GOV/00015622", NOW, known_members, NULL, &out, &err),
	    HR_E_INVALID);
	assert_non_null(strstr(err.message, "reporter"));
	assert_int_equal(incident_from_report(array, REPORTER, NOW, NULL, NULL, &out, &err),
			 HR_E_INVALID);
	assert_non_null(strstr(err.message, "JSON object"));
	assert_null(out);
	json_decref(array);
	json_decref(body);
}

/* --- indicators and imports --- */

static void test_indicators_from_applies_default_tlp_and_first_seen(void **state)
{
	json_t *list =
	    parse("[{\"type\": \"file:sha256\", \"value\":"
		  " \"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"},"
		  " {\"type\": \"url\", \"value\": \"http://evil.example/x\","
		  "  \"tlp\": \"RED\"}]");
	json_t *out = NULL, *one;

	(void)state;
	assert_int_equal(incident_indicators_from(list, TLP_GREEN, NOW, &out, NULL), HR_OK);
	assert_int_equal(json_array_size(out), 2);
	one = json_array_get(out, 0);
	assert_string_equal(json_string_value(json_object_get(one, "value")),
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_string_equal(json_string_value(json_object_get(one, "tlp")), "TLP:GREEN");
	assert_json_time(one, "first_seen", "2026-12-06T18:21:07Z");
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 1), "tlp")),
			    "TLP:RED");
	json_decref(out);
	json_decref(list);

	list = json_object();
	assert_int_equal(incident_indicators_from(list, TLP_GREEN, NOW, &out, NULL), HR_E_INVALID);
	json_decref(list);
}

static void test_check_import_drops_bad_indicators_and_fills_canonical_fields(void **state)
{
	json_t *incident = parse("{\"origin\": \"misp\", \"reporter\": \"PL/GOV/00000006/cert\","
				 " \"detected_at\": \"2026-12-05T08:00:00+01:00\","
				 " \"summary\": \"phishing wave\", \"tlp\": \"green\","
				 " \"class\": \"not-a-class\", \"external_id\": \"x\","
				 " \"indicators\": ["
				 "  {\"type\": \"ipv4-addr\", \"value\": \"198.51.100.1\"},"
				 "  {\"type\": \"ipv4-addr\", \"value\": \"198.51.100.300\"},"
				 "  {\"type\": \"nonsense\", \"value\": \"x\"},"
				 "  {\"value\": \"no type\"},"
				 "  {\"type\": \"domain-name\", \"value\": \"Evil.Example\","
				 "   \"tlp\": \"TLP:AMBER\", \"comment\": \"lure\"}]}");
	json_t *ind, *one;
	size_t dropped = 99;

	(void)state;
	assert_int_equal(incident_check_import(incident, NOW, &dropped, NULL), HR_OK);
	assert_int_equal(dropped, 3);
	assert_v4(json_string_value(json_object_get(incident, "id")));
	assert_string_equal(json_string_value(json_object_get(incident, "organisation")),
			    "PL/GOV/00000006");
	assert_string_equal(json_string_value(json_object_get(incident, "country")), "PL");
	assert_string_equal(json_string_value(json_object_get(incident, "tlp")), "TLP:GREEN");
	assert_string_equal(json_string_value(json_object_get(incident, "class")),
			    "other:undetermined");
	assert_json_time(incident, "detected_at", "2026-12-05T07:00:00Z");
	assert_json_time(incident, "reported_at", "2026-12-06T18:21:07Z");
	assert_true(json_is_array(json_object_get(incident, "share_with")));
	ind = json_object_get(incident, "indicators");
	assert_int_equal(json_array_size(ind), 2);
	one = json_array_get(ind, 0);
	assert_string_equal(json_string_value(json_object_get(one, "tlp")), "TLP:GREEN");
	one = json_array_get(ind, 1);
	assert_string_equal(json_string_value(json_object_get(one, "value")), "evil.example");
	assert_string_equal(json_string_value(json_object_get(one, "tlp")), "TLP:AMBER");
	assert_string_equal(json_string_value(json_object_get(one, "comment")), "lure");
	json_decref(incident);
}

static void test_check_import_refuses_without_partner_or_with_bad_tlp(void **state)
{
	json_t *incident = parse("{\"summary\": \"x\"}");
	size_t dropped;

	(void)state;
	assert_int_equal(incident_check_import(incident, NOW, &dropped, NULL), HR_E_INVALID);
	json_object_set_new(incident, "reporter", json_string("PL/GOV/00000006/cert"));
	json_object_set_new(incident, "tlp", json_string("TLP:PURPLE"));
	assert_int_equal(incident_check_import(incident, NOW, &dropped, NULL), HR_E_INVALID);
	json_object_set_new(incident, "tlp", json_string("TLP:CLEAR"));
	json_object_set_new(incident, "detected_at", json_string("yesterday"));
	assert_int_equal(incident_check_import(incident, NOW, &dropped, NULL), HR_E_INVALID);
	json_decref(incident);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stage_names_parse_and_preliminary_is_interim),
	    cmocka_unit_test(test_stage_parse_refuses_other_words),
	    cmocka_unit_test(test_class_valid_accepts_rsit_classes_and_types),
	    cmocka_unit_test(test_class_valid_refuses_unknown_or_mismatched),
	    cmocka_unit_test(test_add_month_clamps_jan_31_to_feb_28_in_common_year),
	    cmocka_unit_test(test_add_month_clamps_jan_31_to_feb_29_in_leap_year),
	    cmocka_unit_test(test_add_month_crosses_into_next_year),
	    cmocka_unit_test(test_add_month_clamps_31_to_30_day_months),
	    cmocka_unit_test(test_deadlines_resolution_1533_due_times),
	    cmocka_unit_test(test_deadlines_nis2_due_times),
	    cmocka_unit_test(test_deadline_missing_is_overdue_only_once_due_passed),
	    cmocka_unit_test(test_initial_on_time_meets_initial_and_early_warning),
	    cmocka_unit_test(test_initial_made_late_stays_overdue),
	    cmocka_unit_test(test_interims_answer_24h_then_72h),
	    cmocka_unit_test(test_interim_made_late_stays_overdue),
	    cmocka_unit_test(test_one_interim_leaves_72h_interim_open),
	    cmocka_unit_test(test_nis2_final_deadline_moves_with_notification),
	    cmocka_unit_test(test_final_report_closes_every_open_deadline),
	    cmocka_unit_test(test_final_report_after_a_month_is_overdue),
	    cmocka_unit_test(test_set_deadlines_writes_list_and_overdue_stages),
	    cmocka_unit_test(test_from_report_accepts_full_body),
	    cmocka_unit_test(test_from_report_defaults_tlp_amber_and_empty_lists),
	    cmocka_unit_test(test_from_report_refuses_unknown_field),
	    cmocka_unit_test(test_from_report_refuses_missing_detected_at),
	    cmocka_unit_test(test_from_report_refuses_detected_at_beyond_skew),
	    cmocka_unit_test(test_from_report_refuses_detected_at_before_2000),
	    cmocka_unit_test(test_from_report_refuses_bad_level),
	    cmocka_unit_test(test_from_report_refuses_unknown_class),
	    cmocka_unit_test(test_from_report_refuses_bad_tlp),
	    cmocka_unit_test(test_from_report_refuses_share_with_not_a_member_id),
	    cmocka_unit_test(test_from_report_refuses_share_with_unknown_member),
	    cmocka_unit_test(test_from_report_refuses_too_many_share_with),
	    cmocka_unit_test(test_from_report_refuses_too_many_indicators),
	    cmocka_unit_test(test_from_report_refuses_indicator_of_unknown_type),
	    cmocka_unit_test(test_from_report_refuses_bad_ipv4),
	    cmocka_unit_test(test_from_report_refuses_empty_service_or_summary),
	    cmocka_unit_test(test_from_report_refuses_non_member_reporter_and_non_object),
	    cmocka_unit_test(test_indicators_from_applies_default_tlp_and_first_seen),
	    cmocka_unit_test(test_check_import_drops_bad_indicators_and_fills_canonical_fields),
	    cmocka_unit_test(test_check_import_refuses_without_partner_or_with_bad_tlp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
