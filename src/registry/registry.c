/*
 * registry.c — a registry: the authoritative records of one document type
 * (DESIGN.md §2). It answers its gateway only: every request must carry the
 * gateway's RFC 9421 signature (and name the client member, the purpose and
 * the person who triggered it, which the gateway has already checked against
 * the access rights); every answer is signed with the registry's own key.
 *
 *	POST /v1/lookup          {"person"}                    -> {"documents": [...]}
 *	POST /v1/status          {"document_number"}           -> {"status", "holder"}
 *	POST /v1/report-lost     {"person", "document_number"} -> {"status": "lost"}
 *	POST /v1/suspend         {"document_number", "reason"} -> {..., "status": "suspended",
 *"holder"} POST /v1/reinstate       {"document_number"}           -> {..., "status": "valid",
 *"holder"} POST /v1/status-changes  {"since", "limit"}            -> {"changes": [...], "next"}
 *
 * A document in an answer is its fields (docs/DOCUMENTS.md) with
 * document_number and status. An answer about a document asked for by number
 * names its holder for the gateway's audit log (whose data was asked about),
 * which the gateway does not pass on.
 *
 * Lookups: a registry's people are under its own country's ids; an id of
 * another country can only be an alias (person_links: the home id of a
 * foreigner holding, say, a Polish residence permit), so only such an id pays
 * for the links' index range, and the everyday lookup stays one range.
 *
 * Status changes (report-lost, suspend, reinstate) are each one transaction
 * that changes the document and appends to the change log
 * (registry_store_log_change), so the feed of /v1/status-changes holds a change
 * exactly when it happened, in the order it was committed. The feed names
 * documents, never people.
 *
 * The registry never logs a person, a record, a reason, or a database message
 * (which may quote a value).
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
#include "core/clock.h"
#include "core/error.h"
#include "core/http_server.h"
#include "core/json.h"
#include "core/log.h"
#include "core/role.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "exchange/member.h"
#include "exchange/sig_batch.h"
#include "registry/registry_store.h"

#define STAGE            "registry"
#define NONCE_CAPACITY   (1u << 18)
#define LOOKUP_MAX_ROWS  64
#define STORE_WAIT_MS    2000
#define CHANGES_DEFAULT  500
#define CHANGES_MAX      1000
#define NUMBER_MAX_BYTES 32
/* a reason of REGISTRY_REASON_MAX_CHARS characters, each up to 4 bytes of UTF-8 */
#define REASON_MAX_BYTES (4 * REGISTRY_REASON_MAX_CHARS)

struct registry {
	struct store_pool *pool;
	int document_type; /* index into document_types */
	char country[8];   /* the registry's own ids start with it: "PL" */
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
	if (!json_is_object(body)) {
		member_reply_error(req, &r->self, 400, "invalid", "the body must be a JSON object");
		json_decref(body);
		return NULL;
	}
	return body;
}

/*
 * The one way out of a handler that failed: our own decisions (invalid, not
 * found, conflict) go to the caller as they are; anything else is the
 * database's, answered 503 and logged by status only (a database message may
 * quote a value of the request).
 */
static void reply_failure(struct registry *r, struct http_request *req, const char *event,
			  const struct hr_error *err)
{
	switch (err->status) {
	case HR_E_INVALID:
	case HR_E_NOT_FOUND:
	case HR_E_CONFLICT:
		if (strcmp(err->stage, STAGE) == 0) {
			member_reply_error(req, &r->self, http_status_for(err->status),
					   hr_status_name(err->status), err->message);
			return;
		}
		break;
	default:
		break;
	}
	log_error(event, "stage=%s status=%s", err->stage, hr_status_name(err->status));
	member_reply_error(req, &r->self, 503, "unavailable", "the registry could not answer");
}

/* A refusal of ours: stage STAGE marks it as a decision, not a database failure. */
#define REFUSE(err, status, ...) hr_error_set(err, status, STAGE, __VA_ARGS__)

static hr_status number_of(const json_t *body, const char **number, struct hr_error *err)
{
	*number = json_string_value(json_object_get(body, "document_number"));
	if (*number == NULL || (*number)[0] == 0 || strlen(*number) > NUMBER_MAX_BYTES)
		return REFUSE(err, HR_E_INVALID,
			      "document_number is required: a string of 1 to %d bytes",
			      NUMBER_MAX_BYTES);
	return HR_OK;
}

static hr_status person_of(const json_t *body, const char **person, struct hr_error *err)
{
	*person = json_string_value(json_object_get(body, "person"));
	if (*person == NULL || !person_id_valid(*person))
		return REFUSE(err, HR_E_INVALID,
			      "person must be UA:RNOKPP or PL:PESEL with a valid check digit");
	return HR_OK;
}

/*
 * A suspension's reason: required, 1 to REGISTRY_REASON_MAX_CHARS characters
 * (UTF-8, which jansson has checked), not blank, no control characters: it is
 * kept in the change log and read by people.
 */
static hr_status reason_of(const json_t *body, const char **reason, struct hr_error *err)
{
	const json_t *value = json_object_get(body, "reason");
	size_t chars = 0;
	bool blank = true;

	*reason = json_string_value(value);
	if (*reason == NULL)
		return REFUSE(err, HR_E_INVALID,
			      "reason is required: why the document is suspended, at most %d "
			      "characters",
			      REGISTRY_REASON_MAX_CHARS);
	if (json_string_length(value) > REASON_MAX_BYTES)
		return REFUSE(err, HR_E_INVALID, "reason is longer than %d characters",
			      REGISTRY_REASON_MAX_CHARS);
	if (strlen(*reason) != json_string_length(value))
		return REFUSE(err, HR_E_INVALID, "reason must not hold control characters");
	for (const unsigned char *p = (const unsigned char *)*reason; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return REFUSE(err, HR_E_INVALID, "reason must not hold control characters");
		chars += (*p & 0xc0) != 0x80; /* count the first byte of each character */
		blank = blank && *p == ' ';
	}
	if (blank)
		return REFUSE(err, HR_E_INVALID, "reason must not be empty");
	if (chars > REGISTRY_REASON_MAX_CHARS)
		return REFUSE(err, HR_E_INVALID, "reason is %zu characters long: at most %d", chars,
			      REGISTRY_REASON_MAX_CHARS);
	return HR_OK;
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

/* ---- lookup ---- */

/* A lookup by the registry's own id: one range of the primary key. */
#define LOOKUP_SQL                                                                                 \
	"SELECT document_number, status, fields FROM documents WHERE person = ? "                  \
	"ORDER BY document_number"
/* By another country's id: what is held under it, and what its linked people hold. */
#define LOOKUP_LINKED_SQL                                                                          \
	"SELECT document_number, status, fields FROM documents WHERE person = ? "                  \
	"UNION ALL "                                                                               \
	"SELECT d.document_number, d.status, d.fields FROM person_links l "                        \
	"JOIN documents d ON d.person = l.person WHERE l.alias = ? "                               \
	"ORDER BY document_number"

static hr_status lookup(struct registry *r, struct store *store, const char *person,
			json_t *documents, struct hr_error *err)
{
	bool own = strncmp(person, r->country, 2) == 0 && person[2] == ':';
	struct store_stmt *stmt = NULL;
	char today[11];
	bool row;
	hr_status rc;

	today_utc(today);
	if ((rc = store_prepare(store, own ? LOOKUP_SQL : LOOKUP_LINKED_SQL, &stmt, err)) !=
		HR_OK ||
	    (rc = store_bind_text(stmt, 1, person, strlen(person))) != HR_OK ||
	    (!own && (rc = store_bind_text(stmt, 2, person, strlen(person))) != HR_OK))
		goto done;
	while ((rc = store_step(stmt, &row, err)) == HR_OK && row &&
	       json_array_size(documents) < LOOKUP_MAX_ROWS) {
		json_t *doc = row_document(stmt, today);

		if (doc == NULL) {
			rc = hr_error_set(err, HR_E_DATABASE, "store",
					  "a stored record is not JSON");
			break;
		}
		json_array_append_new(documents, doc);
	}
done:
	store_stmt_free(stmt);
	return rc;
}

static void handle_lookup(struct http_request *req, void *context)
{
	struct registry *r = context;
	struct hr_error err = {0};
	struct store *store = NULL;
	json_t *body = accept_request(r, req), *documents = NULL;
	const char *person;
	hr_status rc;

	if (body == NULL)
		return;
	if ((rc = person_of(body, &person, &err)) != HR_OK || (documents = json_array()) == NULL ||
	    (rc = store_pool_acquire(r->pool, STORE_WAIT_MS, &store, &err)) != HR_OK ||
	    (rc = lookup(r, store, person, documents, &err)) != HR_OK) {
		if (documents == NULL && rc == HR_OK)
			hr_error_set(&err, HR_E_NOMEM, STAGE, "out of memory");
		reply_failure(r, req, "registry.lookup", &err);
		goto done;
	}
	member_reply_json(req, &r->self, 200,
			  json_pack("{s:s,s:o}", "document_type", document_types[r->document_type],
				    "documents", documents));
	documents = NULL;
done:
	json_decref(documents);
	if (store != NULL)
		store_pool_release(r->pool, store);
	json_decref(body);
}

/* ---- status ---- */

static void handle_status(struct http_request *req, void *context)
{
	struct registry *r = context;
	struct hr_error err = {0};
	struct store *store = NULL;
	struct store_stmt *stmt = NULL;
	json_t *body = accept_request(r, req), *doc = NULL;
	const char *number;
	char today[11];
	bool row = false;

	if (body == NULL)
		return;
	if (number_of(body, &number, &err) != HR_OK ||
	    store_pool_acquire(r->pool, STORE_WAIT_MS, &store, &err) != HR_OK ||
	    store_prepare(store,
			  "SELECT document_number, status, fields, person FROM documents "
			  "WHERE document_number = ?",
			  &stmt, &err) != HR_OK ||
	    store_bind_text(stmt, 1, number, strlen(number)) != HR_OK ||
	    store_step(stmt, &row, &err) != HR_OK) {
		if (err.status == HR_OK)
			hr_error_set(&err, HR_E_DATABASE, "store", "cannot bind the number");
		reply_failure(r, req, "registry.status", &err);
		goto done;
	}
	today_utc(today);
	if (!row) {
		REFUSE(&err, HR_E_NOT_FOUND, "no such document");
		reply_failure(r, req, "registry.status", &err);
	} else if ((doc = row_document(stmt, today)) == NULL) {
		hr_error_set(&err, HR_E_DATABASE, "store", "a stored record is not JSON");
		reply_failure(r, req, "registry.status", &err);
	} else {
		member_reply_json(req, &r->self, 200,
				  json_pack("{s:O,s:s}", "status", json_object_get(doc, "status"),
					    "holder", store_column_text(stmt, 3, NULL)));
	}
done:
	json_decref(doc);
	store_stmt_free(stmt);
	if (store != NULL)
		store_pool_release(r->pool, store);
	json_decref(body);
}

/* ---- status changes: report-lost, suspend, reinstate ---- */

struct transition {
	const char *number;
	const char *person;      /* NULL: whoever holds it; else only theirs */
	const char *const *from; /* the statuses (as of today) it may be changed from */
	const char *to;          /* the status it gets */
	const char *reason;      /* kept in the change log; may be NULL */
	hr_status refusal;       /* the answer for a document in another status */
	const char *verb;        /* "suspended": for the refusal's sentence */
	char holder[32];         /* out: the document's person */
};

static bool status_in(const char *status, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcmp(status, list[i]) == 0)
			return true;
	}
	return false;
}

/*
 * Changes one document's status and logs the change, in one transaction. The
 * document is read first (its status today, its holder), then updated only if
 * its stored status is still what was read: a concurrent change (PostgreSQL
 * lets one run between the two) makes this one a conflict rather than undoing
 * the other.
 */
static hr_status transition_apply(struct store *store, struct transition *t, struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	json_t *fields = NULL;
	char stored[16], today[11];
	const char *person, *now_status, *text;
	int64_t now = (int64_t)time(NULL), seq;
	size_t len;
	bool row = false;
	hr_status rc;

	today_utc(today);
	if ((rc = store_begin(store, err)) != HR_OK)
		return rc;
	if ((rc = store_prepare(
		 store, "SELECT person, status, fields FROM documents WHERE document_number = ?",
		 &stmt, err)) != HR_OK ||
	    (rc = store_bind_text(stmt, 1, t->number, strlen(t->number))) != HR_OK ||
	    (rc = store_step(stmt, &row, err)) != HR_OK)
		goto done;
	person = row ? store_column_text(stmt, 0, NULL) : NULL;
	if (person == NULL || (t->person != NULL && strcmp(person, t->person) != 0)) {
		/* another person's document is not theirs to report: the same answer */
		rc = REFUSE(err, HR_E_NOT_FOUND,
			    t->person ? "this person holds no such document" : "no such document");
		goto done;
	}
	snprintf(t->holder, sizeof(t->holder), "%s", person);
	snprintf(stored, sizeof(stored), "%s", store_column_text(stmt, 1, NULL));
	text = store_column_text(stmt, 2, &len);
	if ((rc = hr_json_parse_object(text, len, &fields, err)) != HR_OK)
		goto done;
	now_status = status_today(stored, fields, today);
	if (!status_in(now_status, t->from)) {
		rc = REFUSE(err, t->refusal, "the document is %s: it cannot be %s", now_status,
			    t->verb);
		goto done;
	}
	/* reinstating a document past its expiry date would not make it valid */
	if (strcmp(status_today(t->to, fields, today), t->to) != 0) {
		rc = REFUSE(err, t->refusal, "the document expired on %s: it cannot be %s",
			    json_string_value(json_object_get(fields, "expiry_date")), t->verb);
		goto done;
	}
	store_stmt_free(stmt);
	stmt = NULL;
	if ((rc = store_prepare(store,
				"UPDATE documents SET status = ?, updated_at = ? "
				"WHERE person = ? AND document_number = ? AND status = ?",
				&stmt, err)) != HR_OK ||
	    (rc = store_bind_text(stmt, 1, t->to, strlen(t->to))) != HR_OK ||
	    (rc = store_bind_int64(stmt, 2, now)) != HR_OK ||
	    (rc = store_bind_text(stmt, 3, t->holder, strlen(t->holder))) != HR_OK ||
	    (rc = store_bind_text(stmt, 4, t->number, strlen(t->number))) != HR_OK ||
	    (rc = store_bind_text(stmt, 5, stored, strlen(stored))) != HR_OK ||
	    (rc = store_step(stmt, &row, err)) != HR_OK)
		goto done;
	if (store_changes(stmt) != 1) {
		rc = REFUSE(err, HR_E_CONFLICT,
			    "the document's status changed meanwhile; ask again");
		goto done;
	}
	if ((rc = registry_store_log_change(store, t->number, t->to, t->reason, now, &seq, err)) !=
	    HR_OK)
		goto done;
	store_stmt_free(stmt);
	stmt = NULL;
	rc = store_commit(store, err);
done:
	if (rc != HR_OK && err != NULL && err->status == HR_OK)
		hr_error_set(err, rc, "store", "cannot bind a value");
	store_stmt_free(stmt);
	json_decref(fields);
	if (rc != HR_OK)
		(void)store_rollback(store, NULL);
	return rc;
}

/* Runs a transition for a request; answers with the document's number, its new
 * status and, when with_holder, its holder. */
static void transition_serve(struct registry *r, struct http_request *req, const char *event,
			     struct transition *t, bool with_holder, struct hr_error *err)
{
	struct store *store = NULL;

	if (store_pool_acquire(r->pool, STORE_WAIT_MS, &store, err) != HR_OK ||
	    transition_apply(store, t, err) != HR_OK) {
		reply_failure(r, req, event, err);
	} else if (with_holder) {
		member_reply_json(req, &r->self, 200,
				  json_pack("{s:s,s:s,s:s}", "document_number", t->number, "status",
					    t->to, "holder", t->holder));
	} else {
		member_reply_json(
		    req, &r->self, 200,
		    json_pack("{s:s,s:s}", "document_number", t->number, "status", t->to));
	}
	if (store != NULL)
		store_pool_release(r->pool, store);
}

static void handle_report_lost(struct http_request *req, void *context)
{
	static const char *const from[] = {"valid", "suspended", "expired", NULL};
	struct registry *r = context;
	struct hr_error err = {0};
	json_t *body = accept_request(r, req);
	struct transition t = {.from = from, .to = "lost", .verb = "reported lost"};

	if (body == NULL)
		return;
	/* only the holder's own document that is not already lost: 404 otherwise,
	 * so a caller cannot tell another person's document from none */
	t.refusal = HR_E_NOT_FOUND;
	if (person_of(body, &t.person, &err) != HR_OK || number_of(body, &t.number, &err) != HR_OK)
		reply_failure(r, req, "registry.report_lost", &err);
	else
		transition_serve(r, req, "registry.report_lost", &t, false, &err);
	json_decref(body);
}

static void handle_suspend(struct http_request *req, void *context)
{
	static const char *const from[] = {"valid", NULL};
	struct registry *r = context;
	struct hr_error err = {0};
	json_t *body = accept_request(r, req);
	struct transition t = {
	    .from = from, .to = "suspended", .refusal = HR_E_CONFLICT, .verb = "suspended"};

	if (body == NULL)
		return;
	if (number_of(body, &t.number, &err) != HR_OK || reason_of(body, &t.reason, &err) != HR_OK)
		reply_failure(r, req, "registry.suspend", &err);
	else
		transition_serve(r, req, "registry.suspend", &t, true, &err);
	json_decref(body);
}

static void handle_reinstate(struct http_request *req, void *context)
{
	static const char *const from[] = {"suspended", NULL};
	struct registry *r = context;
	struct hr_error err = {0};
	json_t *body = accept_request(r, req);
	struct transition t = {
	    .from = from, .to = "valid", .refusal = HR_E_CONFLICT, .verb = "reinstated"};

	if (body == NULL)
		return;
	if (number_of(body, &t.number, &err) != HR_OK)
		reply_failure(r, req, "registry.reinstate", &err);
	else
		transition_serve(r, req, "registry.reinstate", &t, true, &err);
	json_decref(body);
}

/* ---- the change feed ---- */

static hr_status feed_range(const json_t *body, int64_t *since, int64_t *limit,
			    struct hr_error *err)
{
	const json_t *value;

	*since = 0;
	*limit = CHANGES_DEFAULT;
	if ((value = json_object_get(body, "since")) != NULL &&
	    (!json_is_integer(value) || json_integer_value(value) < 0))
		return REFUSE(err, HR_E_INVALID,
			      "since must be a whole number, 0 or more (0: from the first change)");
	if (value != NULL)
		*since = json_integer_value(value);
	if ((value = json_object_get(body, "limit")) != NULL &&
	    (!json_is_integer(value) || json_integer_value(value) < 1 ||
	     json_integer_value(value) > CHANGES_MAX))
		return REFUSE(err, HR_E_INVALID, "limit must be a whole number from 1 to %d",
			      CHANGES_MAX);
	if (value != NULL)
		*limit = json_integer_value(value);
	return HR_OK;
}

static void handle_status_changes(struct http_request *req, void *context)
{
	struct registry *r = context;
	struct hr_error err = {0};
	struct store *store = NULL;
	struct registry_change *changes = NULL;
	json_t *body = accept_request(r, req), *list = NULL;
	int64_t since, limit, next;
	size_t count = 0;

	if (body == NULL)
		return;
	if (feed_range(body, &since, &limit, &err) != HR_OK)
		goto failed;
	if ((changes = calloc((size_t)limit, sizeof(*changes))) == NULL ||
	    (list = json_array()) == NULL) {
		hr_error_set(&err, HR_E_NOMEM, STAGE, "out of memory");
		goto failed;
	}
	if (store_pool_acquire(r->pool, STORE_WAIT_MS, &store, &err) != HR_OK ||
	    registry_store_changes(store, since, (size_t)limit, changes, &count, &err) != HR_OK)
		goto failed;
	next = since;
	for (size_t i = 0; i < count; i++) {
		char at[CLOCK_UTC_TEXT_MAX];

		clock_format_utc(changes[i].at, at);
		json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:s}", "seq",
						      (json_int_t)changes[i].seq, "document_number",
						      changes[i].document_number, "status",
						      changes[i].status, "at", at));
		next = changes[i].seq;
	}
	member_reply_json(req, &r->self, 200,
			  json_pack("{s:o,s:I}", "changes", list, "next", (json_int_t)next));
	list = NULL;
	goto done;
failed:
	reply_failure(r, req, "registry.status_changes", &err);
done:
	json_decref(list);
	free(changes);
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
	snprintf(r->country, sizeof(r->country), "%s", ctx->country);
	r->self.id = r->member_id;
	r->self.signer = r->signer;
	if ((rc = sig_batcher_new(r->signer, &r->self.batch, err)) != HR_OK)
		goto fail;
	if ((rc = http_server_route(ctx->server, "POST", "/v1/lookup", HTTP_ROUTE_JSON_BODY,
				    handle_lookup, r, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "POST", "/v1/status", HTTP_ROUTE_JSON_BODY,
				    handle_status, r, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "POST", "/v1/report-lost", HTTP_ROUTE_JSON_BODY,
				    handle_report_lost, r, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "POST", "/v1/suspend", HTTP_ROUTE_JSON_BODY,
				    handle_suspend, r, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "POST", "/v1/reinstate", HTTP_ROUTE_JSON_BODY,
				    handle_reinstate, r, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "POST", "/v1/status-changes", HTTP_ROUTE_JSON_BODY,
				    handle_status_changes, r, err)) != HR_OK)
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
	sig_batcher_free(r->self.batch);
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
