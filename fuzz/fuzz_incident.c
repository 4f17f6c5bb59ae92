/*
 * fuzz_incident.c — a member's incident report and a later stage's indicators
 * on arbitrary input (nccc/incident.h): the bytes as the body of POST
 * /v1/incidents, and, parsed as an import, through incident_check_import.
 *
 * Invariants: no crash or leak; an accepted report has a v4 id, origin
 * "reported", the reporter given, a level 0..5, a TLP the hub names and at
 * most NCCC_INDICATORS_MAX indicators, each with a type, value and TLP; the
 * deadlines of any accepted detection time are in order of their rules.
 */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/uuid.h"
#include "nccc/incident.h"

#define NOW      1796500000
#define REPORTER "UA/GOV/00015622/driver_licence"

static void check_report(const json_t *body)
{
	json_t *out = NULL, *item;
	enum tlp tlp;
	size_t i;

	if (incident_from_report(body, REPORTER, NOW, NULL, NULL, &out, NULL) != HR_OK) {
		assert(out == NULL);
		return;
	}
	assert(uuid_valid(json_string_value(json_object_get(out, "id"))));
	assert(strcmp(json_string_value(json_object_get(out, "origin")), "reported") == 0);
	assert(strcmp(json_string_value(json_object_get(out, "reporter")), REPORTER) == 0);
	assert(json_integer_value(json_object_get(out, "level")) >= 0 &&
	       json_integer_value(json_object_get(out, "level")) <= NCCC_LEVEL_MAX);
	assert(tlp_parse(json_string_value(json_object_get(out, "tlp")), &tlp, NULL) == HR_OK);
	assert(json_array_size(json_object_get(out, "indicators")) <= NCCC_INDICATORS_MAX);
	json_array_foreach(json_object_get(out, "indicators"), i, item)
	{
		assert(json_is_string(json_object_get(item, "type")));
		assert(json_is_string(json_object_get(item, "value")));
		assert(tlp_parse(json_string_value(json_object_get(item, "tlp")), &tlp, NULL) ==
		       HR_OK);
	}
	json_decref(out);
}

static void check_import(const json_t *body)
{
	json_t *copy = json_deep_copy(body);
	size_t dropped = 0;

	if (copy == NULL || !json_is_object(copy)) {
		json_decref(copy);
		return;
	}
	json_object_set_new(copy, "reporter", json_string("PL/GOV/00000006/cert"));
	if (incident_check_import(copy, NOW, &dropped, NULL) == HR_OK) {
		assert(uuid_valid(json_string_value(json_object_get(copy, "id"))));
		assert(json_is_array(json_object_get(copy, "indicators")));
	}
	json_decref(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	struct incident_deadline d[INCIDENT_DEADLINES_MAX];
	struct incident_report_time reports[3] = {{INCIDENT_STAGE_INITIAL, NOW},
						  {INCIDENT_STAGE_INTERIM, NOW + 7200},
						  {INCIDENT_STAGE_FINAL, NOW + 86400}};
	size_t n;

	if (body == NULL)
		return 0;
	check_report(body);
	check_import(body);
	json_decref(body);
	/* deadlines from a detection time the input chooses */
	if (size >= 4) {
		int64_t detected =
		    NOW - (int64_t)((uint32_t)data[0] << 16 | data[1] << 8 | data[2]);

		n = incident_deadlines(detected, data[3] & 1, reports, data[3] % 4, NOW, d);
		assert(n == 4 || n == 7);
		assert(d[0].due < d[1].due && d[1].due < d[2].due && d[2].due < d[3].due);
	}
	return 0;
}
