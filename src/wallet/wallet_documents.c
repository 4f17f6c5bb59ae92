/*
 * wallet_documents.c — the citizen's documents, fetched live on every call.
 *
 *	GET  /v1/documents                      what the registries hold for me
 *	GET  /v1/documents/{type}[?fields=a,b]  one document as a device-bound QR
 *	POST /v1/documents/{type}/report-lost   suspend it in its registry
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

#define FIELDS_MAX 32

/* One exchange with a registry through the gateway; *answer is its JSON body. */
static hr_status call_registry(struct wallet *w, struct http_request *req,
			       const struct wallet_caller *c, const char *type, const char *service,
			       const char *document_number, long *status, json_t **answer,
			       struct hr_error *err)
{
	char provider[256];
	json_t *body = json_pack("{s:s}", "person", c->person);
	hr_status rc;

	*answer = NULL;
	if (body == NULL)
		return HR_E_NOMEM;
	if (document_number != NULL)
		json_object_set_new(body, "document_number", json_string(document_number));
	snprintf(provider, sizeof(provider), "%s/%s", w->provider_prefix, type);
	rc = wallet_call_gateway(w, req, provider, service, body, status, answer, err);
	json_decref(body);
	return rc;
}

void wallet_handle_documents(struct http_request *req, void *context)
{
	struct wallet *w = context;
	struct wallet_caller c;
	json_t *list;

	if (!wallet_authenticate(w, req, &c))
		return;
	list = json_array();
	for (int t = 0; t < DOCUMENT_TYPE_COUNT && list != NULL; t++) {
		struct hr_error err = {0};
		json_t *answer = NULL, *doc;
		long status = 0;
		size_t i;

		if (call_registry(w, req, &c, document_types[t], "lookup", NULL, &status, &answer,
				  &err) != HR_OK) {
			json_array_append_new(
			    list, json_pack("{s:s,s:{s:s,s:s}}", "type", document_types[t], "error",
					    "code", "unavailable", "message", err.message));
			continue;
		}
		if (status != 200) {
			json_t *e = json_object_get(answer, "error");
			json_array_append_new(list,
					      json_pack("{s:s,s:O}", "type", document_types[t],
							"error", e ? e : json_null()));
		} else {
			json_array_foreach(json_object_get(answer, "documents"), i, doc)
			    json_array_append_new(
				list, json_pack("{s:s,s:O?,s:O?,s:O?}", "type", document_types[t],
						"document_number",
						json_object_get(doc, "document_number"), "status",
						json_object_get(doc, "status"), "expiry_date",
						json_object_get(doc, "expiry_date")));
		}
		json_decref(answer);
	}
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
 * {"document", "qr", "qr_svg", "expires_in"}, written as text: the SVG is tens
 * of kilobytes, and copying it into a json_t to have jansson escape it byte by
 * byte cost more than the rest of the answer.
 */
static void reply_presentation(struct http_request *req, const json_t *doc, const struct buf *qr,
			       const struct buf *svg)
{
	struct buf body;

	buf_init(&body, svg->len + qr->len + 64 * 1024);
	buf_append_str(&body, "{\"document\":");
	hr_json_dump(doc, &body);
	buf_append_str(&body, ",\"qr\":");
	hr_json_append_string(&body, buf_str(qr), qr->len);
	buf_append_str(&body, ",\"qr_svg\":");
	hr_json_append_string(&body, buf_str(svg), svg->len);
	buf_printf(&body, ",\"expires_in\":%d}\n", ISSUE_PRESENTATION_SECONDS);
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
	char names[FIELDS_MAX][48];
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
	if (!wallet_authenticate(w, req, &c))
		goto done;
	if (call_registry(w, req, &c, document_types[type], "lookup", NULL, &status, &answer,
			  &err) != HR_OK) {
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
	if (doc == NULL || (issuer = take_issuer(w, type)) == NULL ||
	    issuer_issue(issuer, &ir, &qr, &err) != HR_OK ||
	    qr_render_svg(buf_str(&qr), &svg, &err) != HR_OK) {
		log_error("wallet.issue", "%s: %s", err.stage, err.message);
		http_reply_error(req, 500, "internal", "the credential could not be issued");
		goto caller;
	}
	reply_presentation(req, doc, &qr, &svg);
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
	if (number == NULL) {
		/* without a number, the one document of that type the person holds */
		const json_t *docs;
		if (call_registry(w, req, &c, document_types[type], "lookup", NULL, &status,
				  &answer, &err) != HR_OK ||
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
		if (call_registry(w, req, &c, document_types[type], "report-lost", number, &status,
				  &result, &err) != HR_OK) {
			http_reply_error(req, 503, "unavailable",
					 "the registry could not be reached");
		} else if (status != 200) {
			wallet_relay_failure(req, status, result);
		} else {
			http_reply_json(req, 200, json_incref(result));
		}
		json_decref(result);
	}
done:
	wallet_caller_clear(&c);
	json_decref(answer);
	json_decref(body);
}
