/*
 * nccc_incidents.c — members report incidents and their stages; reporters,
 * CERTs and partners read them (DESIGN.md §5, docs/NCCC.md):
 *
 *	POST /v1/incidents                 the initial report (signed)
 *	POST /v1/incidents/{id}/reports    a later stage: interim or final (signed)
 *	GET  /v1/incidents[?overdue=1&at=T&after=N&limit=N]
 *	GET  /v1/incidents/{id}[?at=T]     with its deadlines as they stand at T (now)
 *	POST /v1/sightings                 "we saw this value" (signed)
 *	GET  /v1/correlations?type=&value= where else a value was seen
 *
 * A stage is checked whole before anything is kept; then it goes to the audit
 * log (durably) and then to the store, and only then is it acknowledged. Who
 * may add a stage: the reporter's organisation; anyone else is refused with
 * 403 and nothing is kept.
 */
#include "nccc/nccc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/uuid.h"
#include "nccc/incident.h"

#define STAGE            "nccc"
#define PURPOSE          "incident-reporting"
#define LEGAL_BASIS      "Resolution 1533 (2025); NIS2 Art. 23"
#define LIST_DEFAULT     100
#define CORRELATIONS_MAX 100

static struct store *acquire(struct nccc *nccc, struct http_request *req,
			     const struct nccc_caller *caller)
{
	struct store *store = NULL;
	struct hr_error err = {0};

	if (store_pool_acquire(nccc->pool, 2000, &store, &err) != HR_OK) {
		nccc_reply_error(nccc, req, caller, &err);
		return NULL;
	}
	return store;
}

static bool read_time(struct nccc *nccc, struct http_request *req, const struct nccc_caller *caller,
		      int64_t *now)
{
	const char *at = http_request_query(req, "at");
	struct hr_error err = {0};

	*now = nccc_now(nccc);
	if (at == NULL)
		return true;
	if (clock_parse_utc(at, now))
		return true;
	hr_error_set(&err, HR_E_INVALID, STAGE, "at must be an RFC 3339 time");
	nccc_reply_error(nccc, req, caller, &err);
	return false;
}

/* The stage into the audit log: who, which incident, a keyed hash of the
 * signed body. An error means it must not be acknowledged. */
static hr_status audit_stage(struct nccc *nccc, struct http_request *req, const char *reporter,
			     const char *incident, const char *stage, uint64_t *leaf,
			     struct hr_error *err)
{
	struct slice body = http_request_body(req);
	const char *user = http_request_header(req, "Hromada-User");
	char service[64], issue[64];
	struct audit_entry entry = {0};

	snprintf(service, sizeof(service), "incident-%s", stage);
	snprintf(issue, sizeof(issue), "incident %s", incident);
	entry.client = reporter;
	entry.provider = nccc->self.id;
	entry.service = service;
	entry.purpose = PURPOSE;
	entry.legal_basis = LEGAL_BASIS;
	entry.user = user != NULL && strlen(user) <= AUDIT_TEXT_MAX ? user : "self";
	entry.issue = issue;
	entry.time = nccc_now(nccc);
	entry.status = 201;
	if (audit_content_hash(nccc->audit, body.ptr, body.len, entry.request_hash) != HR_OK ||
	    audit_content_hash(nccc->audit, incident, strlen(incident), entry.response_hash) !=
		HR_OK)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "the audit hash failed");
	return audit_record(nccc->audit, &entry, leaf, err);
}

static struct nccc_signed_report signed_report(struct http_request *req, const char *stage)
{
	struct slice body = http_request_body(req);

	return (struct nccc_signed_report){
	    stage,
	    (const char *)body.ptr,
	    body.len,
	    http_request_header(req, "Signature-Input"),
	    http_request_header(req, "Signature"),
	    http_request_header(req, "Content-Digest"),
	    http_request_own_url(req),
	    http_request_path(req),
	};
}

static void reply_incident(struct nccc *nccc, struct http_request *req,
			   const struct nccc_caller *caller, struct store *store, const char *id,
			   unsigned status, int64_t now)
{
	struct hr_error err = {0};
	json_t *incident = NULL, *visible;

	if (nccc_load_incident(store, id, now, &incident, &err) != HR_OK) {
		nccc_reply_error(nccc, req, caller, &err);
		return;
	}
	visible = nccc_incident_for(incident, caller);
	json_decref(incident);
	if (visible == NULL) {
		hr_error_set(&err, HR_E_NOT_FOUND, STAGE, "no incident %.40s that you may read",
			     id);
		nccc_reply_error(nccc, req, caller, &err);
		return;
	}
	nccc_reply_json(nccc, req, caller, status, visible);
}

static void handle_report(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct store *store = NULL;
	json_t *body = NULL, *incident = NULL;
	struct nccc_signed_report report;
	char id[UUID_TEXT_LEN + 1];
	uint64_t leaf = 0;

	if (!nccc_caller_identify(nccc, req, false, &caller))
		return;
	if (http_request_json(req, &body, &err) != HR_OK ||
	    incident_from_report(body, caller.member, nccc_now(nccc), nccc_member_known, nccc,
				 &incident, &err) != HR_OK)
		goto refuse;
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(incident, "id")));
	if ((store = acquire(nccc, req, &caller)) == NULL)
		goto done;
	report = signed_report(req, "initial");
	if (audit_stage(nccc, req, caller.member, id, "initial", &leaf, &err) != HR_OK ||
	    nccc_store_incident(nccc, store, incident, &report, leaf, &err) != HR_OK)
		goto refuse;
	log_info("nccc.incident", "%s reported %s, level %lld", caller.member, id,
		 (long long)json_integer_value(json_object_get(incident, "level")));
	reply_incident(nccc, req, &caller, store, id, 201, nccc_now(nccc));
	goto done;
refuse:
	nccc_reply_error(nccc, req, &caller, &err);
done:
	if (store != NULL)
		store_pool_release(nccc->pool, store);
	json_decref(body);
	json_decref(incident);
}

/* May the caller add a stage to incident id? Answers the refusal itself. */
static bool may_add_stage(struct nccc *nccc, struct http_request *req,
			  const struct nccc_caller *caller, struct store *store, const char *id)
{
	struct hr_error err = {0};

	if (!uuid_valid(id))
		hr_error_set(&err, HR_E_NOT_FOUND, STAGE, "no incident '%.40s'", id);
	else if (nccc_stage_allowed(store, id, caller->member, &err) == HR_OK)
		return true;
	nccc_reply_error(nccc, req, caller, &err);
	return false;
}

static void handle_stage(struct http_request *req, void *context)
{
	static const char *const allowed[] = {"stage", "summary", "level", "indicators", NULL};
	struct nccc *nccc = context;
	const char *id = http_request_param(req, "id"), *stage_text, *summary;
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct store *store = NULL;
	json_t *body = NULL, *list = NULL, *indicators = NULL;
	struct nccc_signed_report report;
	enum incident_stage stage;
	int64_t level = -1;
	uint64_t leaf = 0;
	hr_status rc;

	if (!nccc_caller_identify(nccc, req, false, &caller))
		return;
	if (http_request_json(req, &body, &err) != HR_OK ||
	    hr_json_only_keys(body, allowed, &err) != HR_OK ||
	    hr_json_get_string(body, "stage", true, 32, &stage_text, &err) != HR_OK ||
	    incident_stage_parse(stage_text, &stage, &err) != HR_OK ||
	    hr_json_get_string(body, "summary", true, NCCC_SUMMARY_MAX, &summary, &err) != HR_OK ||
	    ((rc = hr_json_get_int(body, "level", false, 0, NCCC_LEVEL_MAX, &level, &err)) !=
		 HR_OK &&
	     rc != HR_E_NOT_FOUND) ||
	    ((rc = hr_json_get_array(body, "indicators", false, &list, &err)) != HR_OK &&
	     rc != HR_E_NOT_FOUND))
		goto refuse;
	if (stage == INCIDENT_STAGE_INITIAL) {
		hr_error_set(&err, HR_E_CONFLICT, STAGE,
			     "the initial report is the incident itself (POST /v1/incidents): "
			     "later stages are interim or final");
		goto refuse;
	}
	if (list != NULL &&
	    incident_indicators_from(list, TLP_AMBER, nccc_now(nccc), &indicators, &err) != HR_OK)
		goto refuse;
	if ((store = acquire(nccc, req, &caller)) == NULL)
		goto done;
	if (!may_add_stage(nccc, req, &caller, store, id))
		goto done;
	report = signed_report(req, incident_stage_name(stage));
	if (audit_stage(nccc, req, caller.member, id, report.stage, &leaf, &err) != HR_OK ||
	    nccc_store_stage(nccc, store, id, &report, level, indicators, leaf, &err) != HR_OK)
		goto refuse;
	log_info("nccc.stage", "%s added the %s report of %s", caller.member, report.stage, id);
	reply_incident(nccc, req, &caller, store, id, 201, nccc_now(nccc));
	goto done;
refuse:
	nccc_reply_error(nccc, req, &caller, &err);
done:
	if (store != NULL)
		store_pool_release(nccc->pool, store);
	json_decref(body);
	json_decref(indicators);
}

static void handle_get(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	struct nccc_caller caller;
	struct store *store;
	int64_t now;

	if (!nccc_caller_identify(nccc, req, true, &caller) ||
	    !read_time(nccc, req, &caller, &now) || (store = acquire(nccc, req, &caller)) == NULL)
		return;
	reply_incident(nccc, req, &caller, store, http_request_param(req, "id"), 200, now);
	store_pool_release(nccc->pool, store);
}

static bool read_page(struct nccc *nccc, struct http_request *req, const struct nccc_caller *caller,
		      int64_t *after, int64_t *limit)
{
	const char *a = http_request_query(req, "after"), *l = http_request_query(req, "limit");
	struct hr_error err = {0};
	char *end;

	*after = 0;
	*limit = LIST_DEFAULT;
	if (a != NULL && ((*after = strtoll(a, &end, 10)) < 0 || *end != '\0' || a[0] == '\0'))
		goto bad;
	if (l != NULL && ((*limit = strtoll(l, &end, 10)) < 1 || *limit > NCCC_PAGE_MAX ||
			  *end != '\0' || l[0] == '\0'))
		goto bad;
	return true;
bad:
	hr_error_set(&err, HR_E_INVALID, STAGE, "after is a list position, limit 1..%d",
		     NCCC_PAGE_MAX);
	nccc_reply_error(nccc, req, caller, &err);
	return false;
}

static void handle_list(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	const char *overdue_only = http_request_query(req, "overdue");
	bool overdue = overdue_only != NULL && strcmp(overdue_only, "0") != 0;
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct store *store = NULL;
	json_t *ids = NULL, *list = NULL, *item;
	int64_t now, after, limit, last;
	char country[4] = "", organisation[MEMBER_ID_MAX] = "";
	size_t i;

	if (!nccc_caller_identify(nccc, req, false, &caller) ||
	    !read_time(nccc, req, &caller, &now) ||
	    !read_page(nccc, req, &caller, &after, &limit) ||
	    (store = acquire(nccc, req, &caller)) == NULL)
		return;
	/* a CERT of a country reads its country's; a partner reads what is shared
	 * (filtered below); anyone else its own organisation's */
	if (caller.cert && !caller.partner)
		snprintf(country, sizeof(country), "%.2s", caller.member);
	else if (!caller.partner)
		member_organisation(caller.member, organisation, sizeof(organisation));
	if (nccc_list_incidents(
		store, &(struct nccc_list){after, 0, country, organisation, (size_t)limit, TLP_RED},
		&ids, &last, &err) != HR_OK ||
	    (list = json_array()) == NULL)
		goto refuse;
	json_array_foreach(ids, i, item)
	{
		json_t *incident = NULL, *visible;

		if (nccc_load_incident(store, json_string_value(json_object_get(item, "id")), now,
				       &incident, &err) != HR_OK)
			goto refuse;
		visible = nccc_incident_for(incident, &caller);
		json_decref(incident);
		if (visible != NULL &&
		    (!overdue || json_array_size(json_object_get(visible, "overdue")) > 0))
			json_array_append_new(list, visible);
		else
			json_decref(visible);
	}
	nccc_reply_json(
	    nccc, req, &caller, 200,
	    json_pack("{s:o,s:o}", "incidents", list, "next",
		      json_array_size(ids) == (size_t)limit ? json_integer(last) : json_null()));
	list = NULL;
	goto done;
refuse:
	nccc_reply_error(nccc, req, &caller, &err);
done:
	store_pool_release(nccc->pool, store);
	json_decref(ids);
	json_decref(list);
}

static void handle_sighting(struct http_request *req, void *context)
{
	static const char *const allowed[] = {"type", "value", "seen_at", "count", NULL};
	struct nccc *nccc = context;
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct store *store = NULL;
	const char *type, *value, *seen_text = NULL;
	json_t *body = NULL;
	int64_t seen_at = nccc_now(nccc), count = 1;
	size_t matched = 0;
	hr_status rc;

	if (!nccc_caller_identify(nccc, req, false, &caller))
		return;
	if (http_request_json(req, &body, &err) != HR_OK ||
	    hr_json_only_keys(body, allowed, &err) != HR_OK ||
	    hr_json_get_string(body, "type", true, 64, &type, &err) != HR_OK ||
	    hr_json_get_string(body, "value", true, NCCC_VALUE_MAX, &value, &err) != HR_OK ||
	    ((rc = hr_json_get_string(body, "seen_at", false, 64, &seen_text, &err)) != HR_OK &&
	     rc != HR_E_NOT_FOUND) ||
	    ((rc = hr_json_get_int(body, "count", false, 1, 1000000000, &count, &err)) != HR_OK &&
	     rc != HR_E_NOT_FOUND))
		goto refuse;
	if (seen_text != NULL && !clock_parse_utc(seen_text, &seen_at)) {
		hr_error_set(&err, HR_E_INVALID, STAGE, "seen_at must be an RFC 3339 time");
		goto refuse;
	}
	if ((store = acquire(nccc, req, &caller)) == NULL)
		goto done;
	if (nccc_store_sighting(nccc, store, type, value, caller.member, seen_at, count, &matched,
				&err) != HR_OK)
		goto refuse;
	nccc_reply_json(nccc, req, &caller, 201,
			json_pack("{s:I}", "matched", (json_int_t)matched));
	goto done;
refuse:
	nccc_reply_error(nccc, req, &caller, &err);
done:
	if (store != NULL)
		store_pool_release(nccc->pool, store);
	json_decref(body);
}

static void handle_correlations(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	const char *type = http_request_query(req, "type"),
		   *value = http_request_query(req, "value");
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct store *store;
	json_t *matches = NULL, *seen, *m;
	size_t total = 0, i;

	if (!nccc_caller_identify(nccc, req, false, &caller))
		return;
	if (type == NULL || value == NULL) {
		hr_error_set(&err, HR_E_INVALID, STAGE, "type and value are required");
		nccc_reply_error(nccc, req, &caller, &err);
		return;
	}
	if ((store = acquire(nccc, req, &caller)) == NULL)
		return;
	if (nccc_correlate(nccc, store, type, value, CORRELATIONS_MAX, &matches, &total, &err) !=
	    HR_OK) {
		nccc_reply_error(nccc, req, &caller, &err);
		store_pool_release(nccc->pool, store);
		return;
	}
	seen = json_array();
	json_array_foreach(matches, i, m)
	{
		json_t *incident = NULL, *visible = NULL, *ind;
		const char *indicator = json_string_value(json_object_get(m, "indicator"));
		size_t k;

		if (nccc_load_incident(store, json_string_value(json_object_get(m, "incident")),
				       nccc_now(nccc), &incident, NULL) == HR_OK)
			visible = nccc_incident_for(incident, &caller);
		json_array_foreach(json_object_get(visible, "indicators"), k, ind)
		{
			if (strcmp(json_string_value(json_object_get(ind, "id")), indicator) == 0)
				json_array_append_new(
				    seen, json_pack("{s:O,s:O,s:O,s:O,s:O}", "incident",
						    json_object_get(visible, "id"), "reporter",
						    json_object_get(visible, "reporter"), "origin",
						    json_object_get(visible, "origin"), "indicator",
						    json_object_get(ind, "id"), "tlp",
						    json_object_get(ind, "tlp")));
		}
		json_decref(incident);
		json_decref(visible);
	}
	json_decref(matches);
	store_pool_release(nccc->pool, store);
	/* total counts what the hub holds; seen, what this reader may know of it */
	nccc_reply_json(nccc, req, &caller, 200,
			json_pack("{s:s,s:s,s:o}", "type", type, "value", value, "seen", seen));
}

hr_status nccc_incident_routes(struct nccc *nccc, struct http_server *server, struct hr_error *err)
{
	hr_status rc;

	if ((rc = http_server_route(server, "POST", "/v1/incidents", HTTP_ROUTE_JSON_BODY,
				    handle_report, nccc, err)) != HR_OK ||
	    (rc = http_server_route(server, "POST", "/v1/incidents/{id}/reports",
				    HTTP_ROUTE_JSON_BODY, handle_stage, nccc, err)) != HR_OK ||
	    (rc = http_server_route(server, "GET", "/v1/incidents", 0, handle_list, nccc, err)) !=
		HR_OK ||
	    (rc = http_server_route(server, "GET", "/v1/incidents/{id}", 0, handle_get, nccc,
				    err)) != HR_OK ||
	    (rc = http_server_route(server, "POST", "/v1/sightings", HTTP_ROUTE_JSON_BODY,
				    handle_sighting, nccc, err)) != HR_OK ||
	    (rc = http_server_route(server, "GET", "/v1/correlations", 0, handle_correlations, nccc,
				    err)) != HR_OK)
		return rc;
	return HR_OK;
}
