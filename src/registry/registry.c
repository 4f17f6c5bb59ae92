/*
 * registry.c — a registry: the authoritative records of one document type
 * (DESIGN.md §2). It answers its gateway only: every request must carry the
 * gateway's RFC 9421 signature (and name the client member, the purpose and
 * the person who triggered it, which the gateway has already checked against
 * the access rights); every answer is signed with the registry's own key.
 *
 *	POST /v1/lookup       {"person"}                    -> {"documents": [...]}
 *	POST /v1/status       {"document_number"}           -> {"status", "holder"}
 *	POST /v1/report-lost  {"person", "document_number"} -> {"status": "lost"}
 *
 * A document in an answer is its fields (docs/DOCUMENTS.md) with
 * document_number and status. A status answer names the document's holder for
 * the gateway's audit log (whose data was asked about), which the gateway does
 * not pass on. The registry never logs a person or a record.
 */
#include "registry/registry.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>

#include "core/config.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/http_server.h"
#include "core/json.h"
#include "core/log.h"
#include "core/role.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "exchange/member.h"
#include "registry/registry_store.h"

#define STAGE           "registry"
#define NONCE_CAPACITY  (1u << 18)
#define LOOKUP_MAX_ROWS 64

struct registry {
	struct store_pool *pool;
	int document_type; /* index into document_types */
	char member_id[96];
	char gateway_id[96];
	struct signer *signer;
	EVP_PKEY *gateway_key;
	struct replay_cache *nonces;
	struct member_identity self;
};

/* The headers the gateway must have signed on every request. */
static const char *const required_headers[] = {"hromada-client", "hromada-purpose", "hromada-user",
					       "hromada-provider", NULL};

static EVP_PKEY *gateway_lookup(void *context, const char *keyid)
{
	struct registry *r = context;

	return strcmp(keyid, r->gateway_id) == 0 ? r->gateway_key : NULL;
}

/* Checks the gateway's signature and parses the JSON body; replies on failure. */
static json_t *accept_request(struct registry *r, struct http_request *req)
{
	struct httpsig_verified verified;
	struct hr_error err = {0};
	json_t *body;

	if (member_request_verify(req, required_headers, gateway_lookup, r, r->nonces,
				  (int64_t)time(NULL), &verified, &err) != HR_OK) {
		member_reply_unverified(req, &r->self, &err);
		return NULL;
	}
	/* signed for this registry, not replayed from another one's traffic */
	if (strcmp(http_request_header(req, "Hromada-Provider"), r->member_id) != 0) {
		member_reply_error(req, &r->self, 401, "unauthorized",
				   "the request was signed for another provider");
		return NULL;
	}
	if (http_request_json(req, &body, &err) != HR_OK) {
		member_reply_error(req, &r->self, 400, "invalid", err.message);
		return NULL;
	}
	return body;
}

/* The body's document_number, or NULL after replying 400. */
static const char *number_of(struct registry *r, struct http_request *req, const json_t *body)
{
	const char *number = json_string_value(json_object_get(body, "document_number"));

	if (number == NULL || number[0] == 0 || strlen(number) > 32) {
		member_reply_error(req, &r->self, 400, "invalid", "document_number is required");
		return NULL;
	}
	return number;
}

static const char *person_of(struct registry *r, struct http_request *req, const json_t *body)
{
	const char *person = json_string_value(json_object_get(body, "person"));

	if (person == NULL || !person_id_valid(person)) {
		member_reply_error(req, &r->self, 400, "invalid",
				   "person must be UA:RNOKPP or PL:PESEL with a valid check digit");
		return NULL;
	}
	return person;
}

/*
 * The status a document has today. Stored statuses are what registry staff set
 * (valid, suspended, lost); that a valid document has since expired follows
 * from its expiry_date and the clock, so it is worked out on every answer and
 * never goes stale. ISO dates compare as strings.
 */
static const char *status_today(const char *stored, const json_t *fields, const char *today)
{
	const char *expiry = json_string_value(json_object_get(fields, "expiry_date"));

	if (strcmp(stored, "valid") == 0 && expiry != NULL && strcmp(expiry, today) < 0)
		return "expired";
	return stored;
}

static void today_utc(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* One row as an answer document: its fields plus number and status. */
static json_t *row_document(struct store_stmt *stmt, const char *today)
{
	size_t len;
	const char *fields = store_column_text(stmt, 2, &len);
	json_t *doc = json_loadb(fields, len, JSON_REJECT_DUPLICATES, NULL);

	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	json_object_set_new(doc, "document_number", json_string(store_column_text(stmt, 0, NULL)));
	json_object_set_new(
	    doc, "status", json_string(status_today(store_column_text(stmt, 1, NULL), doc, today)));
	return doc;
}

static void handle_lookup(struct http_request *req, void *context)
{
	struct registry *r = context;
	struct hr_error err = {0};
	struct store *store = NULL;
	struct store_stmt *stmt = NULL;
	json_t *body = accept_request(r, req), *documents = NULL;
	const char *person;
	char today[11];
	bool row;
	hr_status rc;

	if (body == NULL || (person = person_of(r, req, body)) == NULL)
		goto done;
	today_utc(today);
	if ((rc = store_pool_acquire(r->pool, 2000, &store, &err)) != HR_OK ||
	    (rc = store_prepare(store,
				"SELECT document_number, status, fields FROM documents "
				"WHERE person = ? ORDER BY document_number",
				&stmt, &err)) != HR_OK ||
	    (rc = store_bind_text(stmt, 1, person, strlen(person))) != HR_OK)
		goto failed;
	documents = json_array();
	while ((rc = store_step(stmt, &row, &err)) == HR_OK && row &&
	       json_array_size(documents) < LOOKUP_MAX_ROWS) {
		json_t *doc = row_document(stmt, today);
		if (doc == NULL) {
			rc =
			    hr_error_set(&err, HR_E_DATABASE, STAGE, "a stored record is not JSON");
			break;
		}
		json_array_append_new(documents, doc);
	}
	if (rc != HR_OK)
		goto failed;
	member_reply_json(req, &r->self, 200,
			  json_pack("{s:s,s:o}", "document_type", document_types[r->document_type],
				    "documents", documents));
	documents = NULL;
	goto done;
failed:
	member_reply_error(req, &r->self, http_status_for(rc) >= 500 ? 503 : http_status_for(rc),
			   hr_status_name(rc), "the registry could not answer");
	log_error("registry.lookup", "%s: %s", err.stage, err.message);
done:
	json_decref(documents);
	store_stmt_free(stmt);
	if (store != NULL)
		store_pool_release(r->pool, store);
	json_decref(body);
}

static void handle_status(struct http_request *req, void *context)
{
	struct registry *r = context;
	struct hr_error err = {0};
	struct store *store = NULL;
	struct store_stmt *stmt = NULL;
	json_t *body = accept_request(r, req);
	const char *number;
	bool row = false;
	hr_status rc;

	if (body == NULL)
		return;
	if ((number = number_of(r, req, body)) == NULL)
		goto done;
	if ((rc = store_pool_acquire(r->pool, 2000, &store, &err)) != HR_OK ||
	    (rc = store_prepare(store,
				"SELECT document_number, status, fields, person FROM documents "
				"WHERE document_number = ?",
				&stmt, &err)) != HR_OK ||
	    (rc = store_bind_text(stmt, 1, number, strlen(number))) != HR_OK ||
	    (rc = store_step(stmt, &row, &err)) != HR_OK) {
		member_reply_error(req, &r->self, 503, hr_status_name(rc),
				   "the registry could not answer");
		goto done;
	}
	if (!row) {
		member_reply_error(req, &r->self, 404, "not_found", "no such document");
	} else {
		char today[11];
		json_t *doc;

		today_utc(today);
		if ((doc = row_document(stmt, today)) == NULL)
			member_reply_error(req, &r->self, 503, "database",
					   "a stored record is not JSON");
		else
			member_reply_json(req, &r->self, 200,
					  json_pack("{s:O,s:s}", "status",
						    json_object_get(doc, "status"), "holder",
						    store_column_text(stmt, 3, NULL)));
		json_decref(doc);
	}
done:
	store_stmt_free(stmt);
	if (store != NULL)
		store_pool_release(r->pool, store);
	json_decref(body);
}

static void handle_report_lost(struct http_request *req, void *context)
{
	struct registry *r = context;
	struct hr_error err = {0};
	struct store *store = NULL;
	struct store_stmt *stmt = NULL;
	json_t *body = accept_request(r, req);
	const char *person, *number;
	bool row;
	hr_status rc;

	if (body == NULL || (person = person_of(r, req, body)) == NULL)
		goto done;
	if ((number = number_of(r, req, body)) == NULL)
		goto done;
	/* only the holder's own valid or suspended document can be reported lost */
	if ((rc = store_pool_acquire(r->pool, 2000, &store, &err)) != HR_OK ||
	    (rc = store_prepare(store,
				"UPDATE documents SET status = 'lost', updated_at = ? "
				"WHERE person = ? AND document_number = ? AND status <> 'lost'",
				&stmt, &err)) != HR_OK ||
	    (rc = store_bind_int64(stmt, 1, (int64_t)time(NULL))) != HR_OK ||
	    (rc = store_bind_text(stmt, 2, person, strlen(person))) != HR_OK ||
	    (rc = store_bind_text(stmt, 3, number, strlen(number))) != HR_OK ||
	    (rc = store_step(stmt, &row, &err)) != HR_OK) {
		member_reply_error(req, &r->self, 503, hr_status_name(rc),
				   "the registry could not answer");
		goto done;
	}
	if (store_changes(stmt) != 1)
		member_reply_error(req, &r->self, 404, "not_found",
				   "no such document of this person that is not already lost");
	else
		member_reply_json(
		    req, &r->self, 200,
		    json_pack("{s:s,s:s}", "document_number", number, "status", "lost"));
done:
	store_stmt_free(stmt);
	if (store != NULL)
		store_pool_release(r->pool, store);
	json_decref(body);
}

static hr_status read_settings(const struct role_context *ctx, struct registry *r,
			       struct hr_error *err)
{
	const char *member, *gateway, *key, *cert, *gateway_cert;
	hr_status rc;

	if ((rc = config_get_choice(ctx->config, "registry", "document_type", NULL, document_types,
				    &r->document_type, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "registry", "member_id", NULL, &member, err)) !=
		HR_OK ||
	    (rc = config_get_str(ctx->config, "registry", "key", NULL, &key, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "registry", "certificate", NULL, &cert, err)) !=
		HR_OK ||
	    (rc = config_get_str(ctx->config, "registry", "gateway_id", NULL, &gateway, err)) !=
		HR_OK ||
	    (rc = config_get_str(ctx->config, "registry", "gateway_certificate", NULL,
				 &gateway_cert, err)) != HR_OK)
		return rc;
	if (member == NULL || key == NULL || cert == NULL || gateway == NULL ||
	    gateway_cert == NULL)
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[registry] needs member_id, key, certificate, gateway_id and "
				    "gateway_certificate");
	snprintf(r->member_id, sizeof(r->member_id), "%s", member);
	snprintf(r->gateway_id, sizeof(r->gateway_id), "%s", gateway);
	if ((rc = signer_open_files(key, cert, &r->signer, err)) != HR_OK ||
	    (rc = signer_cert_public_key_file(gateway_cert, &r->gateway_key, err)) != HR_OK)
		return rc;
	return HR_OK;
}

static void registry_close(void *state);

static hr_status registry_open(const struct role_context *ctx, void **state, struct hr_error *err)
{
	struct registry *r = calloc(1, sizeof(*r));
	hr_status rc;

	if (r == NULL)
		return HR_E_NOMEM;
	/* the gateway signs the URL it calls (@authority) */
	if ((rc = http_server_options_require_own_url(ctx->config, err)) != HR_OK ||
	    (rc = read_settings(ctx, r, err)) != HR_OK ||
	    (rc = role_open_store(ctx, "registry.db", registry_migrations, registry_migration_count,
				  &r->pool, err)) != HR_OK)
		goto fail;
	/* only the gateway calls: it may use the whole record */
	if ((r->nonces = replay_cache_new_fair(NONCE_CAPACITY, NONCE_CAPACITY)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto fail;
	}
	r->self.id = r->member_id;
	r->self.signer = r->signer;
	if ((rc = http_server_route(ctx->server, "POST", "/v1/lookup", HTTP_ROUTE_JSON_BODY,
				    handle_lookup, r, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "POST", "/v1/status", HTTP_ROUTE_JSON_BODY,
				    handle_status, r, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "POST", "/v1/report-lost", HTTP_ROUTE_JSON_BODY,
				    handle_report_lost, r, err)) != HR_OK)
		goto fail;
	http_server_set_health_field(ctx->server, "country", ctx->country);
	http_server_set_health_field(ctx->server, "document_type",
				     document_types[r->document_type]);
	http_server_set_health_field(ctx->server, "member", r->member_id);
	*state = r;
	return HR_OK;
fail:
	registry_close(r);
	return rc;
}

static void registry_close(void *state)
{
	struct registry *r = state;

	if (r == NULL)
		return;
	store_pool_free(r->pool);
	signer_free(r->signer);
	EVP_PKEY_free(r->gateway_key);
	replay_cache_free(r->nonces);
	free(r);
}

const struct role_ops registry_role = {
    .name = "registry",
    .summary = "Authoritative records of one document type; answers the gateway only.",
    .config_help = "[registry] document_type = id_card, driver_licence, ... (required)\n"
		   "  member_id = UA/GOV/00015622/driver_licence   its member id (required)\n"
		   "  key, certificate = PEM files of its member key (required)\n"
		   "  gateway_id, gateway_certificate = the only member it answers (required)\n",
    .per_country = true,
    .open = registry_open,
    .close = registry_close,
};
