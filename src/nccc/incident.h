/*
 * incident.h — what a member may report, checked into the one form the hub
 * keeps (nccc_model.h), and the legal deadlines of the reports that follow.
 *
 * Deadlines (docs/NCCC.md), counted from detected_at:
 *	Resolution 1533 (2025)  initial 1 h, preliminary 24 h, interim 72 h,
 *	                        final one calendar month
 *	NIS2 Art. 23 (when nis2_significant)  early warning 24 h, notification
 *	                        72 h, final one month after the notification
 * Reports are stages: POST /v1/incidents is the initial report; later ones are
 * "interim" (the first answers the 24-h deadline, the second the 72-h one;
 * "preliminary" names the first explicitly) and "final", which answers every
 * deadline still open and closes the incident. A deadline is overdue when its
 * due time has passed without a report made in time — a report made late
 * stays overdue on the record, with the time it came.
 *
 * Pure functions: no clock of their own (every one takes now), no storage.
 */
#ifndef HROMADA_NCCC_INCIDENT_H
#define HROMADA_NCCC_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "nccc/nccc_model.h"

#define INCIDENT_FUTURE_SKEW_S 300       /* detected_at may be this far ahead of our clock */
#define INCIDENT_EARLIEST      946684800 /* 2000-01-01T00:00:00Z: no earlier detected_at */
#define INCIDENT_DEADLINES_MAX 7

enum incident_stage {
	INCIDENT_STAGE_INITIAL,
	INCIDENT_STAGE_INTERIM,
	INCIDENT_STAGE_FINAL,
};

/* "initial", "interim" (or "preliminary"), "final"; stage "incident". */
hr_status incident_stage_parse(const char *text, enum incident_stage *out, struct hr_error *err);
const char *incident_stage_name(enum incident_stage stage);

/* An ENISA Reference Security Incident Taxonomy class, "availability" or
 * "availability:ddos" (the RSIT machine-readable predicate and value). */
bool incident_class_valid(const char *text);

/*
 * The body of POST /v1/incidents (DESIGN.md §5) from reporter at now, checked
 * field by field, as a new incident: a fresh id, indicators normalised and
 * given ids, origin "reported". Unknown fields are refused by name. known()
 * says whether a member id exists (share_with must name real members); it may
 * be NULL. Caller decrefs *out. Stage "incident", HR_E_INVALID.
 */
typedef bool (*incident_member_known)(void *context, const char *member);
hr_status incident_from_report(const json_t *body, const char *reporter, int64_t now,
			       incident_member_known known, void *known_context, json_t **out,
			       struct hr_error *err);

/*
 * An imported incident (misp_event_parse, stix_bundle_parse) made fit to keep:
 * the same checks, indicators normalised (those that do not normalise are
 * dropped and counted in *dropped), a fresh id, reported_at = now. Changes
 * incident in place.
 */
hr_status incident_check_import(json_t *incident, int64_t now, size_t *dropped,
				struct hr_error *err);

/* Indicators of a report body ("indicators": [...]) checked and normalised into
 * a new array (caller decrefs), each with an id and first_seen = now; default_tlp
 * for those without a marking. */
hr_status incident_indicators_from(const json_t *list, enum tlp default_tlp, int64_t now,
				   json_t **out, struct hr_error *err);

struct incident_report_time {
	enum incident_stage stage;
	int64_t at;
};

struct incident_deadline {
	const char *stage;  /* "initial", ..., "nis2-notification" */
	const char *regime; /* "Resolution 1533 (2025)" or "NIS2 Art. 23" */
	int64_t due;
	bool met;
	int64_t met_at; /* when met */
	bool overdue;   /* past due without a report made in time */
};

/* reports in the order they were made (the first is the initial one). */
size_t incident_deadlines(int64_t detected_at, bool nis2,
			  const struct incident_report_time *reports, size_t count, int64_t now,
			  struct incident_deadline out[INCIDENT_DEADLINES_MAX]);

/* "deadlines": [{"stage", "regime", "due", "met", "met_at", "overdue"}] and
 * "overdue": [stage...] set on incident. */
hr_status incident_set_deadlines(json_t *incident, const struct incident_deadline *deadlines,
				 size_t count);

/* seconds + one calendar month, the day clamped to the month's last ("one
 * month" from 31 January is 28 or 29 February). */
int64_t incident_add_month(int64_t seconds);

#endif
