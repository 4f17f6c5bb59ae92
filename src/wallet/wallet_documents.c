/*
 * wallet_documents.c — the citizen's documents, fetched live on every call.
 *
 *	GET  /v1/documents[?abroad=1]           what the registries hold for me
 *	GET  /v1/documents/{type}[?fields=a,b][&number=N][&country=CC][&offline=1]
 *	                                        one document as a device-bound QR
 *	POST /v1/documents/{type}/report-lost   suspend it in its registry
 *
 * abroad=1 and country=CC read the registries of another country the wallet is
 * configured for ([wallet] abroad: a citizen resident there), through both
 * gateways, only when asked (the other country learns of every such call); the
 * credential is this wallet's (it vouches for what the registry of record
 * answered, issuing_authority naming the foreign authority). offline=1 makes
 * an offline copy: valid 30 days, device-bound, with a status-list entry that
 * report-lost and the registry's status changes set (wallet_status.c).
 *
 * Each call goes to the registry of record through the gateway, signed as the
 * wallet member, with the citizen's consent token (Hromada-Consent, made by
 * their device) relayed untouched. Nothing of the answer is kept: documents
 * live in memory for the length of the call. A presentation credential lives
 * ISSUE_PRESENTATION_SECONDS (180 s) and is bound (cnf) to the device key that
 * signed the DPoP proof of the call.
 */
#include "wallet/wallet_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "credential/document_schema.h"
#include "credential/issue.h"
#include "credential/qr.h"
#include "credential/status_list.h"

#define FIELDS_MAX 32

/* The registry of type in country (NULL: the wallet's own): its provider id
 * into out, or false when the wallet knows none there. */
static bool provider_for(const struct wallet *w, int type, const char *country, char *out,
			 size_t size)
{
	if (country != NULL && strlen(country) != 2)
		return false;
	if (country == NULL || strncmp(country, w->member_id, 2) == 0) {
		snprintf(out, size, "%s/%s", w->provider_prefix, document_types[type]);
		return true;
	}
	for (int i = 0; i < w->abroad_count; i++) {
		const char *slash = strrchr(w->abroad[i], '/');
		if (strncmp(w->abroad[i], country, 2) == 0 &&
		    strcmp(slash + 1, document_types[type]) == 0) {
			snprintf(out, size, "%s", w->abroad[i]);
			return true;
		}
	}
	return false;
}

/* One exchange with a registry through the gateway; *answer is its JSON body. */
static hr_status call_registry(struct wallet *w, struct http_request *req,
			       const struct wallet_caller *c, const char *provider,
			       const char *service, const char *document_number, long *status,
			       json_t **answer, struct hr_error *err)
{
	json_t *body = json_pack("{s:s}", "person", c->person);
	hr_status rc;

	*answer = NULL;
	if (body == NULL)
		return HR_E_NOMEM;
	if (document_number != NULL)
		json_object_set_new(body, "document_number", json_string(document_number));
	rc = wallet_call_gateway(w, req, provider, service, body, status, answer, err);
	json_decref(body);
	return rc;
}

/* What one registry holds for the caller, appended to list as summaries. */
static void list_documents(struct wallet *w, struct http_request *req,
			   const struct wallet_caller *c, const char *provider, int type,
			   json_t *list)
{
	struct hr_error err = {0};
	json_t *answer = NULL, *doc;
	json_t *country = json_stringn(provider, 2);
	long status = 0;
	size_t i;

	if (call_registry(w, req, c, provider, "lookup", NULL, &status, &answer, &err) != HR_OK) {
		json_array_append_new(list,
				      json_pack("{s:s,s:O,s:{s:s,s:s}}", "type",
						document_types[type], "country", country, "error",
						"code", "unavailable", "message", err.message));
	} else if (status != 200) {
		json_t *e = json_object_get(answer, "error");
		json_array_append_new(list,
				      json_pack("{s:s,s:O,s:O}", "type", document_types[type],
						"country", country, "error", e ? e : json_null()));
	} else {
		json_array_foreach(json_object_get(answer, "documents"), i, doc)
		    json_array_append_new(
			list, json_pack("{s:s,s:O,s:O?,s:O?,s:O?}", "type", document_types[type],
					"country", country, "document_number",
					json_object_get(doc, "document_number"), "status",
					json_object_get(doc, "status"), "expiry_date",
					json_object_get(doc, "expiry_date")));
	}
	json_decref(country);
	json_decref(answer);
}

void wallet_handle_documents(struct http_request *req, void *context)
{
	struct wallet *w = context;
	struct wallet_caller c;
	const char *abroad_query = http_request_query(req, "abroad");
	bool abroad = abroad_query != NULL && strcmp(abroad_query, "1") == 0;
	char provider[160];
	json_t *list;

	if (abroad_query != NULL && !abroad && strcmp(abroad_query, "0") != 0) {
		http_reply_error(req, 400, "invalid",
				 "abroad is 1 (also the registries abroad) or 0");
		return;
	}
	if (!wallet_authenticate(w, req, &c))
		return;
	list = json_array();
	for (int t = 0; t < DOCUMENT_TYPE_COUNT && list != NULL; t++) {
		provider_for(w, t, NULL, provider, sizeof(provider));
		list_documents(w, req, &c, provider, t, list);
	}
	/* registries abroad that may hold a document of a resident there, only
	 * when the citizen asks: each such call tells the other country's gateway
	 * (and its log) that this person opened their wallet */
	for (int i = 0; i < w->abroad_count && list != NULL && abroad; i++)
		list_documents(w, req, &c, w->abroad[i],
			       document_type_index(strrchr(w->abroad[i], '/') + 1), list);
	if (list != NULL)
		http_reply_json(req, 200, json_pack("{s:o}", "documents", list));
	wallet_caller_clear(&c);
}

/* ?fields=a,b: each a field of the type; NULL means all. */
static bool read_fields(const char *text, int type, char names[FIELDS_MAX][48], int *count,
			struct http_request *req)
{
	const char *p = text;

	*count = 0;
	while (p != NULL && *p) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= 48 || *count == FIELDS_MAX) {
			http_reply_error(req, 400, "invalid",
					 "fields must be a comma-separated list");
			return false;
		}
		memcpy(names[*count], p, n);
		names[*count][n] = 0;
		if (!document_schema_has_field(type, names[*count])) {
			http_reply_error(req, 400, "invalid", "%s is not a field of %s documents",
					 names[*count], document_types[type]);
			return false;
		}
		(*count)++;
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}

/* The document as disclosed: t, v, status, and the chosen fields. */
static json_t *disclose(const json_t *record, int type, char names[FIELDS_MAX][48], int count,
			bool all)
{
	json_t *doc =
	    json_pack("{s:s,s:i}", "t", document_types[type], "v", DOCUMENT_SCHEMA_VERSION);
	const char *key;
	json_t *value;

	if (doc == NULL)
		return NULL;
	json_object_foreach((json_t *)record, key, value)
	{
		bool chosen = all || strcmp(key, "status") == 0;
		for (int i = 0; i < count && !chosen; i++)
			chosen = strcmp(names[i], key) == 0;
		if (chosen && document_schema_has_field(type, key))
			json_object_set(doc, key, value);
	}
	return doc;
}

static struct issuer *take_issuer(struct wallet *w, int type)
{
	struct issuer *i = NULL;

	pthread_mutex_lock(&w->issuers_lock);
	if (w->issuer_count[type] > 0)
		i = w->issuers[type][--w->issuer_count[type]];
	pthread_mutex_unlock(&w->issuers_lock);
	return i ? i : issuer_new(w->document_signers[type]);
}

static void give_issuer(struct wallet *w, int type, struct issuer *i)
{
	pthread_mutex_lock(&w->issuers_lock);
	if (w->issuer_count[type] < WALLET_MAX_ISSUERS) {
		w->issuers[type][w->issuer_count[type]++] = i;
		i = NULL;
	}
	pthread_mutex_unlock(&w->issuers_lock);
	issuer_free(i);
}

/* Finds the record to present: ?number= when given, else a valid one, else the first. */
static const json_t *choose(const json_t *answer, const char *number)
{
	const json_t *docs = json_object_get(answer, "documents"), *doc, *first = NULL;
	size_t i;

	json_array_foreach(docs, i, doc)
	{
		const char *n = json_string_value(json_object_get(doc, "document_number"));
		const char *status = json_string_value(json_object_get(doc, "status"));
		if (number != NULL) {
			if (n != NULL && strcmp(n, number) == 0)
				return doc;
			continue;
		}
		if (status != NULL && strcmp(status, "valid") == 0)
			return doc;
		if (first == NULL)
			first = doc;
	}
	return first;
}

/*
 * {"document", "qr", "qr_svg", "expires_in"[, "status"]}, written as text: the
 * SVG is tens of kilobytes, and copying it into a json_t to have jansson escape
 * it byte by byte cost more than the rest of the answer.
 */
static void reply_presentation(struct http_request *req, const json_t *doc, const struct buf *qr,
			       const struct buf *svg, const struct issue_request *ir)
{
	struct buf body;

	buf_init(&body, svg->len + qr->len + 64 * 1024);
	buf_append_str(&body, "{\"document\":");
	hr_json_dump(doc, &body);
	buf_append_str(&body, ",\"qr\":");
	hr_json_append_string(&body, buf_str(qr), qr->len);
	buf_append_str(&body, ",\"qr_svg\":");
	hr_json_append_string(&body, buf_str(svg), svg->len);
	buf_printf(&body, ",\"expires_in\":%lld", (long long)ir->validity_seconds);
	if (ir->status_uri != NULL) {
		buf_printf(&body, ",\"status\":{\"status_list\":{\"idx\":%llu,\"uri\":",
			   (unsigned long long)ir->status_idx);
		hr_json_append_string(&body, ir->status_uri, strlen(ir->status_uri));
		buf_append_str(&body, "}}");
	}
	buf_append_str(&body, "}\n");
	if (body.error != HR_OK)
		http_reply_error(req, 500, "internal", "the answer could not be written");
	else
		http_reply_bytes(req, 200, "application/json", body.data, body.len);
	buf_clear(&body);
}

void wallet_handle_document(struct http_request *req, void *context)
{
	struct wallet *w = context;
	struct wallet_caller c;
	struct hr_error err = {0};
	const char *type_name = http_request_param(req, "type");
	const char *fields = http_request_query(req, "fields");
	const char *country = http_request_query(req, "country");
	const char *offline = http_request_query(req, "offline");
	char names[FIELDS_MAX][48], provider[160], status_uri[512];
	int type = type_name ? document_type_index(type_name) : -1, count = 0;
	json_t *answer = NULL, *doc = NULL;
	const json_t *record;
	const char *record_status;
	struct issue_request ir = {0};
	struct issuer *issuer = NULL;
	struct buf qr, svg;
	long status = 0;

	buf_init(&qr, 64 * 1024);
	buf_init(&svg, 1024 * 1024);
	if (type < 0) {
		http_reply_error(req, 404, "not_found", "no such document type");
		goto done;
	}
	if (!read_fields(fields, type, names, &count, req))
		goto done;
	if (offline != NULL && strcmp(offline, "0") != 0 && strcmp(offline, "1") != 0) {
		http_reply_error(req, 400, "invalid", "offline is 1 (a 30-day copy) or 0");
		goto done;
	}
	if (!provider_for(w, type, country, provider, sizeof(provider))) {
		http_reply_error(req, 404, "not_found",
				 "this wallet reads no %s registry of country '%.8s'",
				 document_types[type], country);
		goto done;
	}
	if (!wallet_authenticate(w, req, &c))
		goto done;
	if (call_registry(w, req, &c, provider, "lookup", NULL, &status, &answer, &err) != HR_OK) {
		log_warn("wallet.lookup", "%s: %s", err.stage, err.message);
		http_reply_error(req, 503, "unavailable", "the registry could not be reached");
		goto caller;
	}
	if (status != 200) {
		wallet_relay_failure(req, status, answer);
		goto caller;
	}
	if ((record = choose(answer, http_request_query(req, "number"))) == NULL) {
		http_reply_error(req, 404, "not_found", "you hold no such document");
		goto caller;
	}
	record_status = json_string_value(json_object_get(record, "status"));
	if (record_status == NULL || strcmp(record_status, "valid") != 0) {
		/* a credential for it would tell a verifier something the registry denies */
		http_reply_error(
		    req, 409, "document_not_valid",
		    "the registry records this document as %s; no credential is issued",
		    record_status ? record_status : "unknown");
		goto caller;
	}
	doc = disclose(record, type, names, count, fields == NULL);
	ir.type = document_types[type];
	ir.content = doc;
	ir.validity_seconds = ISSUE_PRESENTATION_SECONDS;
	ir.holder_jwk = c.jwk;
	if (offline != NULL && strcmp(offline, "1") == 0) {
		/* an offline copy: device-bound like a presentation, revocable through
		 * its status-list entry for as long as it lives */
		int64_t now = (int64_t)time(NULL);
		ir.issued_at = now;
		ir.validity_seconds = ISSUE_MAX_VALIDITY_SECONDS;
		if (wallet_status_allocate(
			w, req, type, json_string_value(json_object_get(record, "document_number")),
			now + ISSUE_MAX_VALIDITY_SECONDS, status_uri, sizeof(status_uri),
			&ir.status_idx, &err) != HR_OK) {
			log_error("wallet.status", "%s: %s", err.stage, err.message);
			http_reply_error(req, 503, "unavailable",
					 "no status-list entry could be made for an offline copy");
			goto caller;
		}
		ir.status_uri = status_uri;
	}
	if (doc == NULL || (issuer = take_issuer(w, type)) == NULL ||
	    issuer_issue(issuer, &ir, &qr, &err) != HR_OK ||
	    qr_render_svg(buf_str(&qr), &svg, &err) != HR_OK) {
		log_error("wallet.issue", "%s: %s", err.stage, err.message);
		http_reply_error(req, 500, "internal", "the credential could not be issued");
		goto caller;
	}
	reply_presentation(req, doc, &qr, &svg, &ir);
caller:
	wallet_caller_clear(&c);
done:
	if (issuer != NULL)
		give_issuer(w, type, issuer);
	json_decref(doc);
	json_decref(answer);
	buf_clear(&qr);
	buf_clear(&svg);
}

void wallet_handle_report_lost(struct http_request *req, void *context)
{
	static const char *const keys[] = {"document_number", NULL};
	struct wallet *w = context;
	struct wallet_caller c;
	struct hr_error err = {0};
	const char *type_name = http_request_param(req, "type");
	const char *number = NULL;
	int type = type_name ? document_type_index(type_name) : -1;
	json_t *body = NULL, *answer = NULL;
	struct slice raw = http_request_body(req);
	char provider[160];
	long status = 0;

	if (type < 0) {
		http_reply_error(req, 404, "not_found", "no such document type");
		return;
	}
	if (raw.len > 0 &&
	    (http_request_json(req, &body, &err) != HR_OK ||
	     hr_json_only_keys(body, keys, &err) != HR_OK ||
	     hr_json_get_string(body, "document_number", true, 32, &number, &err) != HR_OK)) {
		http_reply_from_error(req, &err);
		json_decref(body);
		return;
	}
	if (!wallet_authenticate(w, req, &c)) {
		json_decref(body);
		return;
	}
	provider_for(w, type, NULL, provider, sizeof(provider));
	if (number == NULL) {
		/* without a number, the one document of that type the person holds */
		const json_t *docs;
		if (call_registry(w, req, &c, provider, "lookup", NULL, &status, &answer, &err) !=
			HR_OK ||
		    status != 200) {
			if (answer != NULL)
				wallet_relay_failure(req, status, answer);
			else
				http_reply_error(req, 503, "unavailable",
						 "the registry could not be reached");
			goto done;
		}
		docs = json_object_get(answer, "documents");
		if (json_array_size(docs) != 1) {
			http_reply_error(req, 400, "invalid",
					 "name the document_number: you hold %zu %s documents",
					 json_array_size(docs), document_types[type]);
			goto done;
		}
		number =
		    json_string_value(json_object_get(json_array_get(docs, 0), "document_number"));
	}
	{
		json_t *result = NULL;
		if (call_registry(w, req, &c, provider, "report-lost", number, &status, &result,
				  &err) != HR_OK) {
			http_reply_error(req, 503, "unavailable",
					 "the registry could not be reached");
		} else if (status != 200) {
			wallet_relay_failure(req, status, result);
		} else {
			/* its offline copies are revoked at once, not at the next poll */
			if (wallet_status_set(w, type, number, STATUS_INVALID, &err) != HR_OK)
				log_error("wallet.status", "report-lost: %s", err.message);
			http_reply_json(req, 200, json_incref(result));
		}
		json_decref(result);
	}
done:
	wallet_caller_clear(&c);
	json_decref(answer);
	json_decref(body);
}
