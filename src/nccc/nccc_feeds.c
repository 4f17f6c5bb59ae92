/*
 * nccc_feeds.c — what partners pull (DESIGN.md §5, docs/NCCC.md "Sharing"):
 *
 *	GET /feeds/misp/manifest.json       the MISP feed layout, one event per
 *	GET /feeds/misp/{uuid}.json         shared incident (misp.h)
 *	GET /feeds/misp/hashes.csv
 *	GET /taxii2/                        TAXII 2.1 discovery
 *	GET /taxii2/api/                    the API root
 *	GET /taxii2/api/collections/        one collection: the shared incidents
 *	GET /taxii2/api/collections/{id}/
 *	GET /taxii2/api/collections/{id}/objects/?added_after=&limit=&next=
 *	GET /taxii2/api/collections/{id}/manifest/?added_after=&limit=&next=
 *
 * Every answer is built for its reader through nccc_incident_shared(): TLP
 * decides per incident and per indicator, TLP:RED never leaves, and a call
 * without a signature reads TLP:CLEAR only (a public feed any MISP instance
 * can add). A signed call is answered signed.
 *
 * Pages: objects are listed in the order their incidents were added, each
 * incident's objects together; "next" is the position of the next object in
 * that order, valid with the same added_after. An object named by several
 * incidents (an identity, a marking definition, an observable) is listed the
 * first time only.
 */
#include "nccc/nccc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "core/uuid.h"
#include "nccc/misp.h"
#include "nccc/stix.h"

#define STAGE       "nccc"
#define TAXII_TYPE  "application/taxii+json;version=2.1"
#define STIX_TYPE   "application/stix+json;version=2.1"
#define TAXII_LIMIT 1000 /* objects in one page, at most and by default */
#define SCAN_BATCH  200  /* incidents read from the store at a time */
#define FEED_EVENTS 100000

/* Calls fn for every incident the caller may be shared, in the order added,
 * with its added time; stops early when fn returns false. */
typedef bool (*shared_fn)(void *context, json_t *incident, int64_t added_ms);

static hr_status each_shared(struct nccc *nccc, struct store *store,
			     const struct nccc_caller *caller, int64_t added_after_ms, shared_fn fn,
			     void *context, struct hr_error *err)
{
	/* what can never be shared with this reader is not even read: an unsigned
	 * pull costs the hub the TLP:CLEAR incidents only, whatever else it holds */
	struct nccc_list which = {
	    0,  added_after_ms, "",
	    "", SCAN_BATCH,     caller->member[0] == '\0' ? TLP_CLEAR : TLP_AMBER_STRICT};
	size_t seen = 0;
	hr_status rc;

	for (;;) {
		json_t *rows = NULL, *row;
		int64_t last;
		size_t i;

		if ((rc = nccc_list_incidents(store, &which, &rows, &last, err)) != HR_OK)
			return rc;
		json_array_foreach(rows, i, row)
		{
			json_t *incident = NULL, *shared;

			if (++seen > FEED_EVENTS) {
				json_decref(rows);
				return HR_OK;
			}
			if ((rc = nccc_load_incident(store,
						     json_string_value(json_object_get(row, "id")),
						     nccc_now(nccc), &incident, err)) != HR_OK) {
				json_decref(rows);
				return rc;
			}
			shared = nccc_incident_shared(incident, caller);
			json_decref(incident);
			if (shared != NULL &&
			    !fn(context, shared,
				(int64_t)json_integer_value(json_object_get(row, "added_ms")))) {
				json_decref(shared);
				json_decref(rows);
				return HR_OK;
			}
			json_decref(shared);
		}
		if (json_array_size(rows) < which.max) {
			json_decref(rows);
			return HR_OK;
		}
		json_decref(rows);
		which.after_seq = last;
	}
}

static bool begin(struct nccc *nccc, struct http_request *req, struct nccc_caller *caller,
		  struct store **store)
{
	struct hr_error err = {0};

	if (!nccc_caller_identify(nccc, req, true, caller))
		return false;
	if (store_pool_acquire(nccc->pool, 2000, store, &err) != HR_OK) {
		nccc_reply_error(nccc, req, caller, &err);
		return false;
	}
	return true;
}

/* --- MISP ---------------------------------------------------------------- */

struct misp_scan {
	struct nccc *nccc;
	const char *wanted; /* one event's uuid, or NULL for all */
	json_t *manifest;   /* manifest.json being built, or NULL */
	json_t *event;      /* the wanted event, once found */
	struct buf *csv;    /* hashes.csv being built, or NULL */
	hr_status rc;
	struct hr_error *err;
};

static bool misp_collect(void *context, json_t *incident, int64_t added_ms)
{
	struct misp_scan *s = context;
	const char *id = json_string_value(json_object_get(incident, "id"));
	json_t *event;

	(void)added_ms;
	if (s->wanted != NULL && strcmp(s->wanted, id) != 0)
		return true;
	event = misp_event_from_incident(incident, NULL, s->nccc->org_name, s->nccc->org_uuid);
	if (event == NULL) {
		s->rc = hr_error_set(s->err, HR_E_NOMEM, STAGE, "an event could not be built");
		return false;
	}
	if (s->manifest != NULL)
		json_object_set_new(s->manifest, id, misp_manifest_entry(event));
	if (s->csv != NULL && (s->rc = misp_hashes_append(event, s->csv, s->err)) != HR_OK) {
		json_decref(event);
		return false;
	}
	if (s->wanted != NULL) {
		s->event = event;
		return false;
	}
	json_decref(event);
	return true;
}

static void handle_misp(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	const char *file = http_request_param(req, "file");
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct store *store = NULL;
	struct buf csv;
	char wanted[UUID_TEXT_LEN + 1];
	struct misp_scan scan = {nccc, NULL, NULL, NULL, NULL, HR_OK, &err};
	hr_status rc;

	buf_init(&csv, 512u * 1024 * 1024);
	if (strcmp(file, "manifest.json") == 0) {
		scan.manifest = json_object();
	} else if (strcmp(file, "hashes.csv") == 0) {
		scan.csv = &csv;
	} else if (strlen(file) == UUID_TEXT_LEN + 5 &&
		   strcmp(file + UUID_TEXT_LEN, ".json") == 0) {
		snprintf(wanted, sizeof(wanted), "%.*s", UUID_TEXT_LEN, file);
		if (!uuid_valid(wanted))
			goto not_found;
		scan.wanted = wanted;
	} else {
		goto not_found;
	}
	if (!begin(nccc, req, &caller, &store))
		goto done;
	rc = each_shared(nccc, store, &caller, 0, misp_collect, &scan, &err);
	if (rc == HR_OK)
		rc = scan.rc;
	if (rc != HR_OK) {
		nccc_reply_error(nccc, req, &caller, &err);
	} else if (scan.manifest != NULL) {
		nccc_reply_json(nccc, req, &caller, 200, scan.manifest);
		scan.manifest = NULL;
	} else if (scan.csv != NULL) {
		nccc_reply_bytes(nccc, req, &caller, 200, "text/csv", csv.data, csv.len);
	} else if (scan.event != NULL) {
		nccc_reply_json(nccc, req, &caller, 200, scan.event);
		scan.event = NULL;
	} else {
		hr_error_set(&err, HR_E_NOT_FOUND, STAGE, "no event %s that you may read", wanted);
		nccc_reply_error(nccc, req, &caller, &err);
	}
	goto done;
not_found:
	http_reply_error(req, 404, "not_found",
			 "the feed holds manifest.json, hashes.csv and {uuid}.json");
done:
	if (store != NULL)
		store_pool_release(nccc->pool, store);
	json_decref(scan.manifest);
	json_decref(scan.event);
	buf_clear(&csv);
}

/* --- TAXII 2.1 ----------------------------------------------------------- */

/* TAXII 2.1 §1.6.8: a server answers 406 to an Accept it cannot meet. */
static bool accepts_taxii(struct http_request *req)
{
	const char *accept = http_request_header(req, "Accept");

	return accept == NULL || strstr(accept, "application/taxii+json") != NULL ||
	       strstr(accept, "*/*") != NULL || strstr(accept, "application/*") != NULL ||
	       strstr(accept, "application/json") != NULL;
}

static void reply_taxii(struct nccc *nccc, struct http_request *req,
			const struct nccc_caller *caller, unsigned status, json_t *body)
{
	struct buf text;

	buf_init(&text, 512u * 1024 * 1024);
	if (hr_json_dump(body, &text) != HR_OK) {
		json_decref(body);
		buf_clear(&text);
		http_reply_error(req, 500, "internal", "the answer could not be serialised");
		return;
	}
	json_decref(body);
	nccc_reply_bytes(nccc, req, caller, status, TAXII_TYPE, text.data, text.len);
	buf_clear(&text);
}

/* TAXII errors are error messages of their own form (§3.6.1). */
static void taxii_error(struct nccc *nccc, struct http_request *req,
			const struct nccc_caller *caller, unsigned status, const char *title,
			const char *description)
{
	char code[8];

	snprintf(code, sizeof(code), "%u", status);
	reply_taxii(nccc, req, caller, status,
		    json_pack("{s:s,s:s,s:s}", "title", title, "description", description,
			      "http_status", code));
}

static json_t *collection_json(const struct nccc *nccc, const struct nccc_caller *caller)
{
	return json_pack("{s:s,s:s,s:s,s:b,s:b,s:[s]}", "id", nccc->collection_id, "title",
			 "Shared incidents", "description",
			 "Incidents and indicators reported to the hub, as TLP 2.0 lets this "
			 "reader have them (docs/NCCC.md)",
			 "can_read", true, "can_write", caller->signed_call && caller->partner,
			 "media_types", STIX_TYPE);
}

static bool taxii_begin(struct nccc *nccc, struct http_request *req, struct nccc_caller *caller)
{
	if (!nccc_caller_identify(nccc, req, true, caller))
		return false;
	if (!accepts_taxii(req)) {
		taxii_error(nccc, req, caller, 406, "Not acceptable",
			    "this server answers application/taxii+json;version=2.1");
		return false;
	}
	return true;
}

static void handle_discovery(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	struct nccc_caller caller;
	char root[600];

	if (!taxii_begin(nccc, req, &caller))
		return;
	snprintf(root, sizeof(root), "%s/taxii2/api/", http_request_own_url(req));
	reply_taxii(nccc, req, &caller, 200,
		    json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "title", nccc->org_name, "description",
			      "Threat sharing of the national cyber coordination centre (STIX 2.1, "
			      "TLP 2.0)",
			      "contact", nccc->self_id, "default", root, "api_roots", root));
}

static void handle_api_root(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	struct nccc_caller caller;

	if (!taxii_begin(nccc, req, &caller))
		return;
	reply_taxii(nccc, req, &caller, 200,
		    json_pack("{s:s,s:s,s:[s],s:I}", "title", nccc->org_name, "description",
			      "Incidents shared under TLP 2.0", "versions", TAXII_TYPE,
			      "max_content_length", (json_int_t)(64 * 1024 * 1024)));
}

static void handle_collections(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	struct nccc_caller caller;

	if (!taxii_begin(nccc, req, &caller))
		return;
	reply_taxii(nccc, req, &caller, 200,
		    json_pack("{s:[o]}", "collections", collection_json(nccc, &caller)));
}

static bool collection_known(struct nccc *nccc, struct http_request *req,
			     const struct nccc_caller *caller)
{
	const char *id = http_request_param(req, "id");

	if (id != NULL && strcmp(id, nccc->collection_id) == 0)
		return true;
	taxii_error(nccc, req, caller, 404, "Not found", "no such collection");
	return false;
}

static void handle_collection(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	struct nccc_caller caller;

	if (!taxii_begin(nccc, req, &caller) || !collection_known(nccc, req, &caller))
		return;
	reply_taxii(nccc, req, &caller, 200, collection_json(nccc, &caller));
}

/* The objects of a page, from position `from` on, at most limit. */
struct stix_scan {
	struct nccc *nccc;
	json_t *seen;    /* ids listed so far: {id: true} */
	json_t *objects; /* this page */
	json_t *dates;   /* the page's objects' date_added (ms), in order */
	size_t position; /* of the next object in the whole listing */
	size_t from, limit;
	bool more;
	hr_status rc;
	struct hr_error *err;
};

static bool stix_collect(void *context, json_t *incident, int64_t added_ms)
{
	struct stix_scan *s = context;
	json_t *objects = json_array(), *object;
	size_t i;

	if (objects == NULL || (s->rc = stix_objects_from_incident(incident, s->nccc->producer,
								   objects, s->err)) != HR_OK) {
		json_decref(objects);
		return false;
	}
	json_array_foreach(objects, i, object)
	{
		const char *id = json_string_value(json_object_get(object, "id"));

		if (id == NULL || json_object_get(s->seen, id) != NULL)
			continue;
		json_object_set_new(s->seen, id, json_true());
		if (s->position++ < s->from)
			continue;
		if (json_array_size(s->objects) == s->limit) {
			s->more = true;
			json_decref(objects);
			return false;
		}
		json_array_append(s->objects, object);
		json_array_append_new(s->dates, json_integer(added_ms));
	}
	json_decref(objects);
	return true;
}

static void format_ms(int64_t ms, char out[40])
{
	char seconds[CLOCK_UTC_TEXT_MAX];

	clock_format_utc(ms / 1000, seconds);
	/* TAXII timestamps carry milliseconds: "2026-12-06T10:00:00.123Z" */
	snprintf(out, 40, "%.19s.%03dZ", seconds, (int)(ms % 1000));
}

static bool read_paging(struct nccc *nccc, struct http_request *req,
			const struct nccc_caller *caller, int64_t *added_after_ms, size_t *from,
			size_t *limit)
{
	const char *after = http_request_query(req, "added_after");
	const char *next = http_request_query(req, "next");
	const char *max = http_request_query(req, "limit");
	char *end;
	int64_t seconds;

	*added_after_ms = 0;
	*from = 0;
	*limit = TAXII_LIMIT;
	if (after != NULL) {
		const char *dot = strchr(after, '.');
		size_t digits;
		long ms = 0;

		if (!clock_parse_utc(after, &seconds))
			goto bad;
		/* the milliseconds clock_parse_utc drops: ".5" is 500, ".123456" 123 */
		digits = dot != NULL ? strspn(dot + 1, "0123456789") : 0;
		for (size_t d = 0; d < 3; d++)
			ms = ms * 10 + (d < digits ? dot[1 + d] - '0' : 0);
		*added_after_ms = seconds * 1000 + ms;
	}
	if (next != NULL) {
		unsigned long long n = strtoull(next, &end, 10);

		if (*next == '\0' || *end != '\0' || n > (1ull << 40))
			goto bad;
		*from = (size_t)n;
	}
	if (max != NULL) {
		unsigned long n = strtoul(max, &end, 10);

		if (*max == '\0' || *end != '\0' || n == 0)
			goto bad;
		*limit = n < TAXII_LIMIT ? (size_t)n : TAXII_LIMIT; /* a server may lower it */
	}
	return true;
bad:
	taxii_error(nccc, req, caller, 400, "Bad request",
		    "added_after is a timestamp, next a value this server gave, limit a "
		    "positive number");
	return false;
}

static void handle_objects(struct http_request *req, void *context, bool manifest)
{
	struct nccc *nccc = context;
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct store *store = NULL;
	struct stix_scan scan = {nccc, json_object(), json_array(), json_array(), 0, 0,
				 0,    false,         HR_OK,        &err};
	int64_t added_after;
	json_t *body, *list;
	char first[40], last[40], next[32];
	size_t n;
	hr_status rc;

	if (!taxii_begin(nccc, req, &caller) || !collection_known(nccc, req, &caller) ||
	    !read_paging(nccc, req, &caller, &added_after, &scan.from, &scan.limit))
		goto done;
	if (store_pool_acquire(nccc->pool, 2000, &store, &err) != HR_OK) {
		nccc_reply_error(nccc, req, &caller, &err);
		goto done;
	}
	rc = each_shared(nccc, store, &caller, added_after, stix_collect, &scan, &err);
	if (rc == HR_OK)
		rc = scan.rc;
	if (rc != HR_OK) {
		nccc_reply_error(nccc, req, &caller, &err);
		goto done;
	}
	n = json_array_size(scan.objects);
	if (n > 0) {
		format_ms(json_integer_value(json_array_get(scan.dates, 0)), first);
		format_ms(json_integer_value(json_array_get(scan.dates, n - 1)), last);
		http_reply_header(req, "X-TAXII-Date-Added-First", first);
		http_reply_header(req, "X-TAXII-Date-Added-Last", last);
	}
	if (manifest) { /* TAXII 2.1 §5.6: what the objects are, not the objects */
		json_t *object;
		size_t i;

		list = json_array();
		json_array_foreach(scan.objects, i, object)
		{
			char added[40];
			const char *version =
			    json_string_value(json_object_get(object, "modified"));

			format_ms(json_integer_value(json_array_get(scan.dates, i)), added);
			if (version == NULL)
				version = json_string_value(json_object_get(object, "created"));
			json_array_append_new(list, json_pack("{s:O,s:s,s:s,s:s}", "id",
							      json_object_get(object, "id"),
							      "date_added", added, "version",
							      version != NULL ? version : added,
							      "media_type", STIX_TYPE));
		}
		body = json_pack("{s:b,s:o}", "more", scan.more, "objects", list);
	} else {
		body = json_pack("{s:b,s:O}", "more", scan.more, "objects", scan.objects);
	}
	if (scan.more) {
		snprintf(next, sizeof(next), "%zu", scan.from + n);
		json_object_set_new(body, "next", json_string(next));
	}
	reply_taxii(nccc, req, &caller, 200, body);
done:
	if (store != NULL)
		store_pool_release(nccc->pool, store);
	json_decref(scan.seen);
	json_decref(scan.objects);
	json_decref(scan.dates);
}

static void handle_objects_get(struct http_request *req, void *context)
{
	handle_objects(req, context, false);
}

static void handle_manifest_get(struct http_request *req, void *context)
{
	handle_objects(req, context, true);
}

static hr_status make_producer(struct nccc *nccc, struct hr_error *err)
{
	char id[64];

	if (uuid_v5(STIX_NAMESPACE, nccc->self_id, strlen(nccc->self_id), id + 10) != HR_OK)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "no identity id");
	memcpy(id, "identity--", 10);
	nccc->producer = json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "identity", "spec_version", "2.1", "id", id,
	    "created", "2026-01-01T00:00:00.000Z", "modified", "2026-01-01T00:00:00.000Z", "name",
	    nccc->org_name, "identity_class", "organization");
	if (nccc->producer == NULL ||
	    uuid_v5(STIX_NAMESPACE, "collection:incidents", 20, nccc->collection_id) != HR_OK)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	return HR_OK;
}

hr_status nccc_feed_routes(struct nccc *nccc, struct http_server *server, struct hr_error *err)
{
	static const struct {
		const char *pattern;
		http_handler_fn handler;
	} routes[] = {
	    {"/feeds/misp/{file}", handle_misp},
	    {"/taxii2/", handle_discovery},
	    {"/taxii2/api/", handle_api_root},
	    {"/taxii2/api/collections/", handle_collections},
	    {"/taxii2/api/collections/{id}/", handle_collection},
	    {"/taxii2/api/collections/{id}/objects/", handle_objects_get},
	    {"/taxii2/api/collections/{id}/manifest/", handle_manifest_get},
	};
	hr_status rc;

	if ((rc = make_producer(nccc, err)) != HR_OK)
		return rc;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if ((rc = http_server_route(server, "GET", routes[i].pattern, 0, routes[i].handler,
					    nccc, err)) != HR_OK)
			return rc;
	return HR_OK;
}
