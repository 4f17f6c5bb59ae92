/*
 * nccc_leaks.c — the "was my data leaked" range service (DESIGN.md §7,
 * docs/LEAKS.md, docs/NCCC.md "Leaked data"):
 *
 *	POST /v1/leaks                  a dump's tags (signed; CERTs and the hub's
 *	                                own operators only)
 *	GET  /v1/leaks/range/{prefix}   every stored tag whose hex starts with the
 *	                                5 hex digits, padded (signed; wallets only)
 *
 * The hub stores tags — keyed hashes of person ids under each country's
 * range.key, which it never holds — so it cannot tell whom a tag names, and a
 * wallet asks by a range of about a million-th of them, so it never learns
 * whom it was asked about (src/leak/leak_range.h has the format and the
 * padding). Who may ask: members whose id names a wallet (".../wallet"), the
 * only members that answer citizens and hold a range key; anyone else is
 * refused, so the dumps' names and fields are not a bulk download.
 *
 * What is never logged: a range prefix (with the wallet and the time it would
 * narrow whom a citizen's question was about); the access log writes the
 * route's pattern instead (HTTP_ROUTE_QUIET_PATH).
 */
#include "nccc/nccc_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/log.h"

#define STAGE               "nccc"
#define CATALOGUE_MAX       64 /* dumps decoys of empty ranges draw from */
#define CATALOGUE_REFRESH_S 60 /* a dump published through another copy of the hub */

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

/* A country's CERT ([nccc] certs), or a member of the hub's own organisation. */
static bool may_publish(const struct nccc *nccc, const struct nccc_caller *caller)
{
	char mine[MEMBER_ID_MAX], theirs[MEMBER_ID_MAX];

	return caller->cert || (member_organisation(nccc->self_id, mine, sizeof(mine)) &&
				member_organisation(caller->member, theirs, sizeof(theirs)) &&
				strcmp(mine, theirs) == 0);
}

/* A wallet: its member id's subsystem is "wallet" (COUNTRY/CLASS/CODE/wallet). */
static bool may_ask(const struct nccc_caller *caller)
{
	const char *subsystem = strrchr(caller->member, '/');

	return subsystem != NULL && strcmp(subsystem, "/wallet") == 0;
}

/* A failure that came back without a sentence (out of memory) gets one. */
static void complete(struct hr_error *err, hr_status rc)
{
	if (err->status == HR_OK)
		hr_error_set(err, rc != HR_OK ? rc : HR_E_NOMEM, STAGE, "out of memory");
}

/* Refused without a sentence of what was asked. */
static void refuse(struct nccc *nccc, struct http_request *req, const struct nccc_caller *caller,
		   hr_status status, const char *message)
{
	struct hr_error err = {0};

	hr_error_set(&err, status, STAGE, "%s", message);
	nccc_reply_error(nccc, req, caller, &err);
}

/* The biggest dumps, read at most every CATALOGUE_REFRESH_S (or after a
 * publication here); a copy the caller decrefs, NULL when unreadable (decoys
 * of an empty range then carry no leak). */
static json_t *catalogue(struct nccc *nccc, struct store *store)
{
	json_t *copy = NULL, *fresh = NULL;
	int64_t now = nccc_now(nccc);

	pthread_mutex_lock(&nccc->leak_lock);
	if (nccc->leak_catalogue == NULL || now - nccc->leak_catalogue_at >= CATALOGUE_REFRESH_S ||
	    now < nccc->leak_catalogue_at) {
		if (nccc_leaks_catalogue(store, CATALOGUE_MAX, &fresh, NULL) == HR_OK) {
			json_decref(nccc->leak_catalogue);
			nccc->leak_catalogue = fresh;
			nccc->leak_catalogue_at = now;
		}
	}
	if (nccc->leak_catalogue != NULL)
		copy = json_deep_copy(nccc->leak_catalogue);
	pthread_mutex_unlock(&nccc->leak_lock);
	return copy;
}

static void handle_publish(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct store *store = NULL;
	struct leak_publication publication = {0};
	struct nccc_leak_published published = {0};
	json_t *body = NULL;
	int64_t now = nccc_now(nccc);
	hr_status rc;

	if (!nccc_caller_identify(nccc, req, false, &caller))
		return;
	if (!may_publish(nccc, &caller)) {
		refuse(nccc, req, &caller, HR_E_DENIED,
		       "only a country's CERT (.../cert) or the hub's own operators publish "
		       "leaked data");
		return;
	}
	if ((rc = http_request_json(req, &body, &err)) != HR_OK ||
	    (rc = leak_publication_parse(body, now, &publication, &err)) != HR_OK)
		goto refuse;
	if ((store = acquire(nccc, req, &caller)) == NULL)
		goto done;
	if ((rc = nccc_leaks_publish(store, &publication, caller.member, now, &published, &err)) !=
	    HR_OK)
		goto refuse;
	if (published.created) { /* decoys of empty ranges may draw from it at once */
		pthread_mutex_lock(&nccc->leak_lock);
		json_decref(nccc->leak_catalogue);
		nccc->leak_catalogue = NULL;
		pthread_mutex_unlock(&nccc->leak_lock);
	}
	log_info("nccc.leaks", "%s published dump %s: %zu tags, %zu new", caller.member,
		 publication.dump_id, publication.tag_count, published.added);
	nccc_reply_json(nccc, req, &caller, published.created || published.added > 0 ? 201 : 200,
			json_pack("{s:O,s:I,s:I,s:I}", "dump", published.dump, "received",
				  (json_int_t)publication.received, "added",
				  (json_int_t)published.added, "known",
				  (json_int_t)published.known));
	goto done;
refuse:
	complete(&err, rc);
	nccc_reply_error(nccc, req, &caller, &err);
done:
	if (store != NULL)
		store_pool_release(nccc->pool, store);
	json_decref(published.dump);
	json_decref(body);
	leak_publication_clear(&publication);
}

static void handle_range(struct http_request *req, void *context)
{
	struct nccc *nccc = context;
	struct nccc_caller caller;
	struct hr_error err = {0};
	struct store *store = NULL;
	struct nccc_leak_range range = {0};
	json_t *dumps = NULL;
	struct buf answer;
	uint32_t prefix;
	hr_status rc;

	if (!nccc_caller_identify(nccc, req, false, &caller))
		return;
	if (!may_ask(&caller)) {
		refuse(nccc, req, &caller, HR_E_DENIED,
		       "only wallets (.../wallet) ask for ranges of leaked data");
		return;
	}
	if (leak_range_prefix_parse(http_request_param(req, "prefix"), &prefix, &err) != HR_OK) {
		nccc_reply_error(nccc, req, &caller, &err);
		return;
	}
	buf_init(&answer, LEAK_RANGE_ANSWER_MAX);
	if ((store = acquire(nccc, req, &caller)) == NULL)
		goto done;
	/* the catalogue is read whatever the range holds: an empty range costs
	 * what a full one does */
	dumps = catalogue(nccc, store);
	if ((rc = nccc_leaks_range(store, prefix, NCCC_LEAK_RANGE_ROWS_MAX, &range, &err)) !=
		HR_OK ||
	    (rc = leak_range_answer(prefix, range.entries, range.count, dumps, &nccc->leak_range,
				    &answer, &err)) != HR_OK) {
		complete(&err, rc);
		if (err.status == HR_E_TOO_LARGE)
			err.status = HR_E_UNAVAILABLE; /* the service's limit, not the caller's */
		nccc_reply_error(nccc, req, &caller, &err);
		goto done;
	}
	nccc_reply_bytes(nccc, req, &caller, 200, "application/json", answer.data, answer.len);
done:
	if (store != NULL)
		store_pool_release(nccc->pool, store);
	nccc_leak_range_clear(&range);
	json_decref(dumps);
	buf_clear(&answer);
}

hr_status nccc_leak_routes(struct nccc *nccc, struct http_server *server, struct hr_error *err)
{
	hr_status rc;

	if ((rc = http_server_route(server, "POST", "/v1/leaks", HTTP_ROUTE_JSON_BODY,
				    handle_publish, nccc, err)) != HR_OK ||
	    (rc = http_server_route(server, "GET", "/v1/leaks/range/{prefix}",
				    HTTP_ROUTE_QUIET_PATH, handle_range, nccc, err)) != HR_OK)
		return rc;
	return HR_OK;
}
