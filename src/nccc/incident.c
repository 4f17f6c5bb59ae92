/*
 * incident.c — checks a member's incident report field by field into the hub's
 * one form (nccc_model.h), and computes the legal deadlines (incident.h).
 * Everything a reporter or a partner sends passes here before it is stored:
 * what this refuses never reaches the store, a feed or a partner.
 */
#include "nccc/incident.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/json.h"
#include "core/uuid.h"
#include "nccc/indicator.h"

#define STAGE "incident"

#define SERVICE_MAX 256
#define CLASS_MAX   96

static const char *const stage_names[] = {"initial", "interim", "final"};

hr_status incident_stage_parse(const char *text, enum incident_stage *out, struct hr_error *err)
{
	if (text != NULL && strcmp(text, "preliminary") == 0) {
		*out = INCIDENT_STAGE_INTERIM;
		return HR_OK;
	}
	for (size_t i = 0; i < sizeof(stage_names) / sizeof(stage_names[0]); i++)
		if (text != NULL && strcmp(text, stage_names[i]) == 0) {
			*out = (enum incident_stage)i;
			return HR_OK;
		}
	return hr_error_set(err, HR_E_INVALID, STAGE,
			    "stage must be initial, preliminary, interim or final");
}

const char *incident_stage_name(enum incident_stage stage)
{
	return stage_names[stage];
}

/* ENISA Reference Security Incident Taxonomy (RSIT, 2018 revision as MISP's
 * "rsit" taxonomy carries it): class, then its types. */
static const char *const rsit[][8] = {
    {"abusive-content", "spam", "harmful-speech", "violence"},
    {"malicious-code", "infected-system", "c2-server", "malware-distribution",
     "malware-configuration"},
    {"information-gathering", "scanner", "sniffing", "social-engineering"},
    {"intrusion-attempts", "ids-alert", "brute-force", "exploit"},
    {"intrusions", "privileged-account-compromise", "unprivileged-account-compromise",
     "application-compromise", "system-compromise", "burglary"},
    {"availability", "dos", "ddos", "misconfiguration", "sabotage", "outage"},
    {"information-content-security", "unauthorised-information-access",
     "unauthorised-information-modification", "data-loss", "data-leak"},
    {"fraud", "unauthorised-use-of-resources", "copyright", "masquerade", "phishing"},
    {"vulnerable", "weak-crypto", "ddos-amplifier", "potentially-unwanted-accessible",
     "information-disclosure", "vulnerable-system"},
    {"other", "other", "undetermined"},
    {"test", "test"},
};

bool incident_class_valid(const char *text)
{
	const char *colon = text != NULL ? strchr(text, ':') : NULL;
	size_t class_len = colon != NULL ? (size_t)(colon - text) : (text ? strlen(text) : 0);

	for (size_t i = 0; i < sizeof(rsit) / sizeof(rsit[0]); i++) {
		if (strlen(rsit[i][0]) != class_len || strncmp(rsit[i][0], text, class_len) != 0)
			continue;
		if (colon == NULL)
			return true;
		for (size_t j = 1; j < 8 && rsit[i][j] != NULL; j++)
			if (strcmp(rsit[i][j], colon + 1) == 0)
				return true;
		return false;
	}
	return false;
}

static hr_status get_time(const json_t *body, const char *key, int64_t *out, struct hr_error *err)
{
	const char *text;
	hr_status rc;

	if ((rc = hr_json_get_string(body, key, true, 64, &text, err)) != HR_OK)
		return rc;
	if (!clock_parse_utc(text, out))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s '%.40s' is not an RFC 3339 time (2026-12-06T10:00:00Z)",
				    key, text);
	return HR_OK;
}

static json_t *time_json(int64_t seconds)
{
	char text[CLOCK_UTC_TEXT_MAX];

	clock_format_utc(seconds, text);
	return json_string(text);
}

/* strict: refuse keys a report may not carry (a member's report); an import
 * from a partner's format may carry more, which is not kept. */
static hr_status one_indicator(const json_t *in, size_t i, enum tlp default_tlp, int64_t now,
			       bool strict, json_t *out, struct hr_error *err)
{
	static const char *const allowed[] = {"type", "value", "tlp", "comment", NULL};
	const char *type, *value, *tlp_text = NULL, *comment = NULL;
	char normal[NCCC_VALUE_MAX + 1], id[UUID_TEXT_LEN + 1];
	enum tlp tlp = default_tlp;
	json_t *item;
	hr_status rc;

	if (!json_is_object(in))
		return hr_error_set(err, HR_E_INVALID, STAGE, "indicators[%zu] is not an object",
				    i);
	if ((strict && (rc = hr_json_only_keys(in, allowed, err)) != HR_OK) ||
	    (rc = hr_json_get_string(in, "type", true, 64, &type, err)) != HR_OK ||
	    (rc = hr_json_get_string(in, "value", true, NCCC_VALUE_MAX, &value, err)) != HR_OK ||
	    ((rc = hr_json_get_string(in, "tlp", false, 32, &tlp_text, err)) != HR_OK &&
	     rc != HR_E_NOT_FOUND) ||
	    ((rc = hr_json_get_string(in, "comment", false, 1024, &comment, err)) != HR_OK &&
	     rc != HR_E_NOT_FOUND))
		goto fail;
	if ((tlp_text != NULL && (rc = tlp_parse(tlp_text, &tlp, err)) != HR_OK) ||
	    (rc = indicator_normalise(type, value, normal, sizeof(normal), err)) != HR_OK)
		goto fail;
	if ((rc = uuid_v4(id)) != HR_OK)
		return hr_error_set(err, rc, STAGE, "no random source for an indicator id");
	item = json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", id, "type", type, "value", normal, "tlp",
			 tlp_name(tlp), "first_seen", time_json(now));
	if (item == NULL ||
	    (comment != NULL && json_object_set_new(item, "comment", json_string(comment)) != 0) ||
	    json_array_append_new(out, item) != 0)
		return HR_E_NOMEM;
	return HR_OK;
fail:
	hr_error_prefix(err, "indicators[%zu]", i);
	return rc;
}

hr_status incident_indicators_from(const json_t *list, enum tlp default_tlp, int64_t now,
				   json_t **out, struct hr_error *err)
{
	json_t *result, *item;
	size_t i;
	hr_status rc;

	if (!json_is_array(list))
		return hr_error_set(err, HR_E_INVALID, STAGE, "indicators must be an array");
	if (json_array_size(list) > NCCC_INDICATORS_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%zu indicators: at most %d in one report",
				    json_array_size(list), NCCC_INDICATORS_MAX);
	if ((result = json_array()) == NULL)
		return HR_E_NOMEM;
	json_array_foreach(list, i, item)
	{
		if ((rc = one_indicator(item, i, default_tlp, now, true, result, err)) != HR_OK) {
			json_decref(result);
			return rc;
		}
	}
	*out = result;
	return HR_OK;
}

static hr_status share_list(const json_t *body, incident_member_known known, void *context,
			    json_t **out, struct hr_error *err)
{
	json_t *list = NULL, *copy, *item;
	size_t i;
	hr_status rc = hr_json_get_array(body, "share_with", false, &list, err);

	if (rc == HR_E_NOT_FOUND)
		list = NULL;
	else if (rc != HR_OK)
		return rc;
	if (list != NULL && json_array_size(list) > NCCC_SHARE_WITH_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE, "share_with names at most %d members",
				    NCCC_SHARE_WITH_MAX);
	if ((copy = json_array()) == NULL)
		return HR_E_NOMEM;
	json_array_foreach(list, i, item)
	{
		const char *id = json_string_value(item);

		if (id == NULL || !member_id_valid(id)) {
			json_decref(copy);
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "share_with[%zu] is not a member id "
					    "(COUNTRY/CLASS/CODE/SUBSYSTEM)",
					    i);
		}
		if (known != NULL && !known(context, id)) {
			json_decref(copy);
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "share_with[%zu]: no member '%.96s' is known here", i,
					    id);
		}
		json_array_append(copy, item);
	}
	*out = copy;
	return HR_OK;
}

hr_status incident_from_report(const json_t *body, const char *reporter, int64_t now,
			       incident_member_known known, void *known_context, json_t **out,
			       struct hr_error *err)
{
	static const char *const allowed[] = {
	    "detected_at",      "level", "class",      "service",    "summary",
	    "nis2_significant", "tlp",   "share_with", "indicators", NULL};
	const char *class_text, *service, *summary, *tlp_text = "TLP:AMBER";
	char organisation[MEMBER_ID_MAX], id[UUID_TEXT_LEN + 1];
	json_t *incident = NULL, *share = NULL, *indicators = NULL, *list = NULL;
	int64_t detected_at, level;
	bool nis2 = false;
	enum tlp tlp;
	hr_status rc;

	if (!json_is_object(body))
		return hr_error_set(err, HR_E_INVALID, STAGE, "an incident is a JSON object");
	if (!member_organisation(reporter, organisation, sizeof(organisation)))
		return hr_error_set(err, HR_E_INVALID, STAGE, "the reporter is not a member id");
	if ((rc = hr_json_only_keys(body, allowed, err)) != HR_OK ||
	    (rc = get_time(body, "detected_at", &detected_at, err)) != HR_OK ||
	    (rc = hr_json_get_int(body, "level", true, 0, NCCC_LEVEL_MAX, &level, err)) != HR_OK ||
	    (rc = hr_json_get_string(body, "class", true, CLASS_MAX, &class_text, err)) != HR_OK ||
	    (rc = hr_json_get_string(body, "service", true, SERVICE_MAX, &service, err)) != HR_OK ||
	    (rc = hr_json_get_string(body, "summary", true, NCCC_SUMMARY_MAX, &summary, err)) !=
		HR_OK ||
	    ((rc = hr_json_get_bool(body, "nis2_significant", false, &nis2, err)) != HR_OK &&
	     rc != HR_E_NOT_FOUND) ||
	    ((rc = hr_json_get_string(body, "tlp", false, 32, &tlp_text, err)) != HR_OK &&
	     rc != HR_E_NOT_FOUND))
		return rc;
	if ((rc = tlp_parse(tlp_text, &tlp, err)) != HR_OK)
		return rc;
	if (!incident_class_valid(class_text))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "class '%.96s' is not in the ENISA reference incident taxonomy "
				    "(e.g. \"availability:ddos\", \"intrusions\"; docs/NCCC.md)",
				    class_text);
	if (service[0] == '\0' || summary[0] == '\0')
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "service and summary may not be empty");
	if (detected_at > now + INCIDENT_FUTURE_SKEW_S)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "detected_at is in the future (the hub's clock says now)");
	if (detected_at < INCIDENT_EARLIEST)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "detected_at is before 2000: not a date this hub believes");
	if ((rc = share_list(body, known, known_context, &share, err)) != HR_OK)
		return rc;
	rc = hr_json_get_array(body, "indicators", false, &list, err);
	if (rc == HR_E_NOT_FOUND)
		indicators = json_array();
	else if (rc != HR_OK ||
		 (rc = incident_indicators_from(list, tlp, now, &indicators, err)) != HR_OK)
		goto fail;
	if (indicators == NULL || uuid_v4(id) != HR_OK) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "no memory or random source");
		goto fail;
	}
	incident = json_pack("{s:s,s:s,s:s,s:s,s:s%,s:o,s:o,s:o,s:I,s:s,s:s,s:s,s:b,s:s,s:o,s:o}",
			     "id", id, "origin", "reported", "reporter", reporter, "organisation",
			     organisation, "country", reporter, (size_t)2, "detected_at",
			     time_json(detected_at), "reported_at", time_json(now), "modified_at",
			     time_json(now), "level", (json_int_t)level, "class", class_text,
			     "service", service, "summary", summary, "nis2_significant", nis2,
			     "tlp", tlp_name(tlp), "share_with", share, "indicators", indicators);
	share = indicators = NULL;
	if (incident == NULL) {
		rc = HR_E_NOMEM;
		goto fail;
	}
	*out = incident;
	return HR_OK;
fail:
	json_decref(share);
	json_decref(indicators);
	return rc;
}

hr_status incident_check_import(json_t *incident, int64_t now, size_t *dropped,
				struct hr_error *err)
{
	json_t *list = json_object_get(incident, "indicators"), *kept, *item;
	const char *reporter = json_string_value(json_object_get(incident, "reporter"));
	const char *tlp_text = json_string_value(json_object_get(incident, "tlp"));
	const char *detected = json_string_value(json_object_get(incident, "detected_at"));
	const char *class_text = json_string_value(json_object_get(incident, "class"));
	char organisation[MEMBER_ID_MAX], id[UUID_TEXT_LEN + 1];
	int64_t detected_at = now;
	enum tlp tlp = TLP_AMBER;
	size_t i;
	hr_status rc;

	*dropped = 0;
	if (!json_is_object(incident) || reporter == NULL ||
	    !member_organisation(reporter, organisation, sizeof(organisation)))
		return hr_error_set(err, HR_E_INVALID, STAGE, "an import names its partner");
	if (tlp_text != NULL && (rc = tlp_parse(tlp_text, &tlp, err)) != HR_OK)
		return rc;
	if (detected != NULL && !clock_parse_utc(detected, &detected_at))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "detected_at is not an RFC 3339 time");
	if (class_text != NULL && !incident_class_valid(class_text))
		json_object_set_new(incident, "class", json_string("other:undetermined"));
	/* what a partner said that we cannot read as ours is dropped, not guessed */
	if (json_object_get(incident, "level") != NULL &&
	    (!json_is_integer(json_object_get(incident, "level")) ||
	     json_integer_value(json_object_get(incident, "level")) < 0 ||
	     json_integer_value(json_object_get(incident, "level")) > NCCC_LEVEL_MAX))
		json_object_del(incident, "level");
	if (detected_at > now + INCIDENT_FUTURE_SKEW_S || detected_at < INCIDENT_EARLIEST)
		detected_at = now;
	if (json_string_length(json_object_get(incident, "summary")) > NCCC_SUMMARY_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE, "the summary is over %d bytes",
				    NCCC_SUMMARY_MAX);
	if (list != NULL && !json_is_array(list))
		return hr_error_set(err, HR_E_INVALID, STAGE, "indicators must be an array");
	if (json_array_size(list) > NCCC_INDICATORS_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "more than %d indicators in one import", NCCC_INDICATORS_MAX);
	if ((kept = json_array()) == NULL)
		return HR_E_NOMEM;
	json_array_foreach(list, i, item)
	{
		if (one_indicator(item, i, tlp, now, false, kept, NULL) != HR_OK)
			(*dropped)++;
	}
	if (uuid_v4(id) != HR_OK) {
		json_decref(kept);
		return HR_E_CRYPTO;
	}
	json_object_set_new(incident, "indicators", kept);
	json_object_set_new(incident, "id", json_string(id));
	json_object_set_new(incident, "organisation", json_string(organisation));
	json_object_set_new(incident, "country", json_stringn(reporter, 2));
	json_object_set_new(incident, "tlp", json_string(tlp_name(tlp)));
	json_object_set_new(incident, "detected_at", time_json(detected_at));
	json_object_set_new(incident, "reported_at", time_json(now));
	json_object_set_new(incident, "modified_at", time_json(now));
	if (!json_is_array(json_object_get(incident, "share_with")))
		json_object_set_new(incident, "share_with", json_array());
	return HR_OK;
}

int64_t incident_add_month(int64_t seconds)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	time_t t = (time_t)seconds;
	struct tm tm;
	int last, year;

	if (gmtime_r(&t, &tm) == NULL)
		return seconds + 31 * 86400;
	tm.tm_mon++;
	if (tm.tm_mon == 12) {
		tm.tm_mon = 0;
		tm.tm_year++;
	}
	year = tm.tm_year + 1900;
	last = days[tm.tm_mon] +
	       (tm.tm_mon == 1 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0));
	if (tm.tm_mday > last)
		tm.tm_mday = last;
	return (int64_t)timegm(&tm);
}

static void meet(struct incident_deadline *d, int64_t at)
{
	if (!d->met) {
		d->met = true;
		d->met_at = at;
	}
}

size_t incident_deadlines(int64_t detected_at, bool nis2,
			  const struct incident_report_time *reports, size_t count, int64_t now,
			  struct incident_deadline out[INCIDENT_DEADLINES_MAX])
{
	static const char ua[] = "Resolution 1533 (2025)", eu[] = "NIS2 Art. 23";
	size_t n = 0, interims = 0;
	int64_t final_at = -1;

	out[n++] = (struct incident_deadline){"initial", ua, detected_at + 3600, false, 0, false};
	out[n++] =
	    (struct incident_deadline){"preliminary", ua, detected_at + 86400, false, 0, false};
	out[n++] =
	    (struct incident_deadline){"interim", ua, detected_at + 3 * 86400, false, 0, false};
	out[n++] = (struct incident_deadline){"final", ua, incident_add_month(detected_at),
					      false,   0,  false};
	if (nis2) {
		out[n++] = (struct incident_deadline){
		    "nis2-early-warning", eu, detected_at + 86400, false, 0, false};
		out[n++] = (struct incident_deadline){
		    "nis2-notification", eu, detected_at + 3 * 86400, false, 0, false};
		out[n++] = (struct incident_deadline){"nis2-final", eu, 0, false, 0, false};
	}
	for (size_t i = 0; i < count; i++) {
		switch (reports[i].stage) {
		case INCIDENT_STAGE_INITIAL:
			meet(&out[0], reports[i].at);
			if (nis2)
				meet(&out[4], reports[i].at);
			break;
		case INCIDENT_STAGE_INTERIM:
			meet(&out[interims++ == 0 ? 1 : 2], reports[i].at);
			if (nis2)
				meet(&out[5], reports[i].at);
			break;
		case INCIDENT_STAGE_FINAL:
			if (final_at < 0)
				final_at = reports[i].at;
			break;
		}
	}
	if (nis2) /* a month after the notification was made, or was due */
		out[6].due = incident_add_month(out[5].met ? out[5].met_at : out[5].due);
	/* the final report answers everything still open, as it closes the incident */
	if (final_at >= 0)
		for (size_t i = 0; i < n; i++)
			meet(&out[i], final_at);
	for (size_t i = 0; i < n; i++)
		out[i].overdue = out[i].met ? out[i].met_at > out[i].due : now > out[i].due;
	return n;
}

hr_status incident_set_deadlines(json_t *incident, const struct incident_deadline *deadlines,
				 size_t count)
{
	json_t *list = json_array(), *overdue = json_array();

	if (list == NULL || overdue == NULL)
		goto nomem;
	for (size_t i = 0; i < count; i++) {
		const struct incident_deadline *d = &deadlines[i];
		json_t *item =
		    json_pack("{s:s,s:s,s:o,s:b,s:b}", "stage", d->stage, "regime", d->regime,
			      "due", time_json(d->due), "met", d->met, "overdue", d->overdue);

		if (item == NULL ||
		    (d->met && json_object_set_new(item, "met_at", time_json(d->met_at)) != 0) ||
		    json_array_append_new(list, item) != 0 ||
		    (d->overdue && json_array_append_new(overdue, json_string(d->stage)) != 0))
			goto nomem;
	}
	json_object_set_new(incident, "deadlines", list);
	json_object_set_new(incident, "overdue", overdue);
	return HR_OK;
nomem:
	json_decref(list);
	json_decref(overdue);
	return HR_E_NOMEM;
}
