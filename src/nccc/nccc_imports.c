/*
 * nccc_imports.c — a partner shares back (docs/NCCC.md "Sharing back"):
 *
 *	POST /v1/imports                               a MISP event (or MISP's REST
 *	                                               answer holding events) or a
 *	                                               STIX 2.1 bundle, signed
 *	POST /taxii2/api/collections/{id}/objects/     a TAXII 2.1 envelope
 *
 * Only CERTs and partners with a sharing agreement may import. Each event,
 * STIX incident, report or grouping becomes an incident of origin "misp" or
 * "stix" whose reporter is the partner, keeping the partner's TLP markings
 * (none given reads as TLP:AMBER); its indicators join the correlation index
 * at once, so they correlate with our own. The whole input is parsed and
 * checked before anything is stored: malformed input stores nothing. The same
 * event or object imported again is recognised by its id and not stored twice.
 */
#include "nccc/nccc_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/uuid.h"
#include "nccc/incident.h"
#include "nccc/misp.h"
#include "nccc/stix.h"

#define STAGE "nccc"

static bool may_import(struct nccc *nccc, struct http_request *req,
		       const struct nccc_caller *caller)
{
	struct hr_error err = {0};

	if (caller->partner || caller->cert)
		return true;
	hr_error_set(&err, HR_E_DENIED, STAGE,
		     "only CERTs and partners with a sharing agreement import here");
	nccc_reply_error(nccc, req, caller, &err);
	return false;
}

/* STIX when the body says so ("type": "bundle", an object with an id
 * "type--uuid", a TAXII envelope), MISP otherwise. */
static bool looks_stix(const json_t *body)
{
	const char *type = json_string_value(json_object_get(body, "type"));

	if (json_is_array(body))
		return true;
	if (json_object_get(body, "Event") != NULL || json_object_get(body, "response") != NULL)
		return false;
	return type != NULL || json_is_array(json_object_get(body, "objects"));
}

struct import_result {
	json_t *imported; /* incident ids */
	size_t duplicates;
	size_t dropped; /* indicators that did not normalise */
};

/* Checks every incident, then stores them one by one. */
static hr_status import_all(struct nccc *nccc, json_t *incidents, struct import_result *out,
			    struct hr_error *err)
{
	struct store *store = NULL;
	json_t *incident;
	size_t i;
	hr_status rc;

	json_array_foreach(incidents, i, incident)
	{
		size_t dropped = 0;

		if ((rc = incident_check_import(incident, nccc_now(nccc), &dropped, err)) != HR_OK)
			return rc;
		out->dropped += dropped;
	}
	if ((rc = store_pool_acquire(nccc->pool, 2000, &store, err)) != HR_OK)
		return rc;
	json_array_foreach(incidents, i, incident)
	{
		rc = nccc_store_incident(nccc, store, incident, NULL, 0, err);
		if (rc == HR_E_CONFLICT) { /* imported before: not twice */
			out->duplicates++;
			continue;
		}
		if (rc != HR_OK)
			break;
		json_array_append(out->imported, json_object_get(incident, "id"));
	}
	store_pool_release(nccc->pool, store);
	return rc == HR_E_CONFLICT ? HR_OK : rc;
}

static hr_status parse(const struct nccc_caller *caller, struct slice body, bool stix,
		       json_t **incidents, struct hr_error *err)
{
	return stix ? stix_bundle_parse(body.ptr, body.len, caller->member, incidents, err)
		    : misp_event_parse(body.ptr, body.len, caller->member, incidents, err);
}

static void handle_import(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct import_result result = {json_array(), 0, 0};
	json_t *body = NULL, *incidents = NULL;
	bool stix;

	if (!nccc_caller_identify(nccc, req, false, &caller) || !may_import(nccc, req, &caller))
		goto done;
	if (hr_json_parse(http_request_body(req).ptr, http_request_body(req).len, &body, &err) !=
	    HR_OK)
		goto refuse;
	stix = looks_stix(body);
	if (parse(&caller, http_request_body(req), stix, &incidents, &err) != HR_OK ||
	    import_all(nccc, incidents, &result, &err) != HR_OK)
		goto refuse;
	log_info("nccc.import", "%s shared %zu %s incidents (%zu seen before)", caller.member,
		 json_array_size(result.imported), stix ? "STIX" : "MISP", result.duplicates);
	nccc_reply_json(nccc, req, &caller, 201,
			json_pack("{s:s,s:O,s:I,s:I}", "format", stix ? "stix" : "misp", "imported",
				  result.imported, "duplicates", (json_int_t)result.duplicates,
				  "dropped_indicators", (json_int_t)result.dropped));
	goto done;
refuse:
	nccc_reply_error(nccc, req, &caller, &err);
done:
	json_decref(body);
	json_decref(incidents);
	json_decref(result.imported);
}

/* TAXII 2.1 §5.5: add objects; the answer is a status resource. */
static void handle_taxii_add(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	const char *collection = http_request_param(req, "id");
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct import_result result = {json_array(), 0, 0};
	json_t *incidents = NULL, *envelope = NULL, *status;
	char id[UUID_TEXT_LEN + 1];
	size_t total;

	if (!nccc_caller_identify(nccc, req, false, &caller) || !may_import(nccc, req, &caller))
		goto done;
	if (collection == NULL || strcmp(collection, nccc->collection_id) != 0) {
		hr_error_set(&err, HR_E_NOT_FOUND, STAGE, "no such collection");
		goto refuse;
	}
	if (hr_json_parse_object(http_request_body(req).ptr, http_request_body(req).len, &envelope,
				 &err) != HR_OK)
		goto refuse;
	if (!json_is_array(json_object_get(envelope, "objects"))) {
		hr_error_set(&err, HR_E_INVALID, STAGE, "a TAXII envelope has \"objects\"");
		goto refuse;
	}
	total = json_array_size(json_object_get(envelope, "objects"));
	if (parse(&caller, http_request_body(req), true, &incidents, &err) != HR_OK ||
	    import_all(nccc, incidents, &result, &err) != HR_OK || uuid_v4(id) != HR_OK)
		goto refuse;
	status = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "id", id, "status", "complete",
			   "total_count", (json_int_t)total, "success_count", (json_int_t)total,
			   "failure_count", (json_int_t)0, "pending_count", (json_int_t)0);
	nccc_reply_json(nccc, req, &caller, 202, status);
	goto done;
refuse:
	nccc_reply_error(nccc, req, &caller, &err);
done:
	json_decref(envelope);
	json_decref(incidents);
	json_decref(result.imported);
}

hr_status nccc_import_routes(struct nccc *nccc, struct http_server *server, struct hr_error *err)
{
	hr_status rc;

	if ((rc = http_server_route(server, "POST", "/v1/imports", 0, handle_import, nccc, err)) !=
		HR_OK ||
	    (rc = http_server_route(server, "POST", "/taxii2/api/collections/{id}/objects/", 0,
				    handle_taxii_add, nccc, err)) != HR_OK)
		return rc;
	return HR_OK;
}
