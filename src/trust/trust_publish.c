/*
 * trust_publish.c — the aggregated trust list: built from what every country
 * published, signed by the service's trust-list signer, stored, served.
 *
 *	GET /v1/trust-list   the newest list (docs/TRUST_LIST.md), with
 *	                     ETag "<sequence>"; If-None-Match that matches: 304
 *
 * The payload is the format verifiers read (credential/trust_list.h) plus the
 * federation of gateways: every country's members, their certificates and the
 * URL of each country's gateway, which verifiers ignore and gateways read.
 *
 * Sequence: max(newest + 1, the clock in seconds), so it only ever grows, even
 * across a lost database. A list lives list_validity_s (next_update); it is
 * signed again, with a new sequence, once half of that has passed, so a
 * verifier that refreshes on time never sees a stale one.
 * Never: serve a list that was not committed, or two lists under one sequence.
 */
#include "trust/trust_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "credential/trust_list.h"

#define STAGE      "trust"
#define LIST_LIMIT (64 * 1024 * 1024)

void trust_list_cache_clear(struct trust_list_cache *list)
{
	buf_clear(&list->body);
	memset(list, 0, sizeof(*list));
}

static hr_status newest_sequence(struct store *store, int64_t *sequence, struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	bool row = false;
	hr_status rc;

	*sequence = 0;
	if ((rc = store_prepare(store, "SELECT MAX(sequence) FROM lists", &stmt, err)) == HR_OK &&
	    (rc = store_step(stmt, &row, err)) == HR_OK && row && !store_column_is_null(stmt, 0))
		*sequence = store_column_int64(stmt, 0);
	store_stmt_free(stmt);
	return rc;
}

static hr_status add_signers(struct store *store, json_t *out, struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	bool row;
	hr_status rc;

	if ((rc = store_prepare(store,
				"SELECT country, kid, certificate FROM signers WHERE withdrawn_at "
				"IS NULL ORDER BY country, kid, sha256",
				&stmt, err)) != HR_OK)
		return rc;
	while ((rc = store_step(stmt, &row, err)) == HR_OK && row)
		json_array_append_new(
		    out, json_pack("{s:s,s:s,s:s}", "country", store_column_text(stmt, 0, NULL),
				   "kid", store_column_text(stmt, 1, NULL), "certificate",
				   store_column_text(stmt, 2, NULL)));
	store_stmt_free(stmt);
	return rc;
}

static hr_status add_members(struct store *store, json_t *out, struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	bool row;
	hr_status rc;

	if ((rc = store_prepare(store,
				"SELECT country, id, name, certificate, document_type, "
				"attests_devices, url, gateway FROM members ORDER BY id",
				&stmt, err)) != HR_OK)
		return rc;
	while ((rc = store_step(stmt, &row, err)) == HR_OK && row) {
		json_t *m = json_pack("{s:s,s:s,s:s}", "country", store_column_text(stmt, 0, NULL),
				      "id", store_column_text(stmt, 1, NULL), "certificate",
				      store_column_text(stmt, 3, NULL));
		if (!store_column_is_null(stmt, 2))
			json_object_set_new(m, "name",
					    json_string(store_column_text(stmt, 2, NULL)));
		if (!store_column_is_null(stmt, 4))
			json_object_set_new(m, "document_type",
					    json_string(store_column_text(stmt, 4, NULL)));
		if (store_column_int64(stmt, 5))
			json_object_set_new(m, "attests_devices", json_true());
		if (!store_column_is_null(stmt, 6))
			json_object_set_new(m, "url",
					    json_string(store_column_text(stmt, 6, NULL)));
		if (store_column_int64(stmt, 7))
			json_object_set_new(m, "gateway", json_true());
		json_array_append_new(out, m);
	}
	store_stmt_free(stmt);
	return rc;
}

hr_status trust_publish(struct trust *t, struct store *store, struct trust_list_cache *out,
			struct hr_error *err)
{
	int64_t now = (int64_t)time(NULL), newest;
	json_t *signers = json_array(), *members = json_array(), *payload = NULL;
	struct store_stmt *stmt = NULL;
	char issued[CLOCK_UTC_TEXT_MAX], next[CLOCK_UTC_TEXT_MAX];
	bool row;
	hr_status rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body, LIST_LIMIT);
	if ((rc = newest_sequence(store, &newest, err)) != HR_OK ||
	    (rc = add_signers(store, signers, err)) != HR_OK ||
	    (rc = add_members(store, members, err)) != HR_OK)
		goto done;
	out->sequence = newest + 1 > now ? newest + 1 : now;
	out->issued_at = now;
	out->next_update = now + t->list_validity_s;
	clock_format_utc(out->issued_at, issued);
	clock_format_utc(out->next_update, next);
	payload = json_pack("{s:s,s:i,s:I,s:s,s:s,s:O,s:O}", "format", TRUST_LIST_FORMAT, "version",
			    TRUST_LIST_VERSION, "sequence", (json_int_t)out->sequence, "issued_at",
			    issued, "next_update", next, "signers", signers, "members", members);
	if (payload == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	if ((rc = trust_list_sign_payload(t->list_signer, payload, &out->body, err)) != HR_OK ||
	    (rc = store_prepare(store,
				"INSERT INTO lists (sequence, issued_at, next_update, body) VALUES "
				"(?, ?, ?, ?)",
				&stmt, err)) != HR_OK ||
	    (rc = store_bind_int64(stmt, 1, out->sequence)) != HR_OK ||
	    (rc = store_bind_int64(stmt, 2, out->issued_at)) != HR_OK ||
	    (rc = store_bind_int64(stmt, 3, out->next_update)) != HR_OK ||
	    (rc = store_bind_text(stmt, 4, buf_str(&out->body), out->body.len)) != HR_OK ||
	    (rc = store_step(stmt, &row, err)) != HR_OK)
		goto done;
done:
	store_stmt_free(stmt);
	json_decref(payload);
	json_decref(signers);
	json_decref(members);
	if (rc != HR_OK)
		trust_list_cache_clear(out);
	return rc;
}

void trust_cache_offer(struct trust *t, struct trust_list_cache *list)
{
	pthread_mutex_lock(&t->lock);
	if (list->sequence > t->cache.sequence) {
		trust_list_cache_clear(&t->cache);
		t->cache = *list;
		memset(list, 0, sizeof(*list));
	}
	pthread_mutex_unlock(&t->lock);
	trust_list_cache_clear(list);
}

/* Loads list sequence from the database into out. */
static hr_status load_list(struct store *store, int64_t sequence, struct trust_list_cache *out,
			   struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	bool row = false;
	size_t len;
	const char *body;
	hr_status rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->body, LIST_LIMIT);
	if ((rc = store_prepare(store,
				"SELECT issued_at, next_update, body FROM lists WHERE sequence = ?",
				&stmt, err)) == HR_OK &&
	    (rc = store_bind_int64(stmt, 1, sequence)) == HR_OK &&
	    (rc = store_step(stmt, &row, err)) == HR_OK && row) {
		out->sequence = sequence;
		out->issued_at = store_column_int64(stmt, 0);
		out->next_update = store_column_int64(stmt, 1);
		body = store_column_text(stmt, 2, &len);
		rc = buf_append(&out->body, body, len);
	}
	store_stmt_free(stmt);
	if (rc == HR_OK && !row)
		rc = hr_error_set(err, HR_E_NOT_FOUND, STAGE, "list %lld vanished",
				  (long long)sequence);
	if (rc != HR_OK)
		trust_list_cache_clear(out);
	return rc;
}

hr_status trust_publish_if_due(struct trust *t, struct hr_error *err)
{
	struct trust_list_cache list = {0};
	struct store *store = NULL;
	int64_t now = (int64_t)time(NULL), newest, cached, issued;
	hr_status rc;

	pthread_mutex_lock(&t->publish_lock);
	pthread_mutex_lock(&t->lock);
	cached = t->cache.sequence;
	issued = t->cache.issued_at;
	pthread_mutex_unlock(&t->lock);
	if ((rc = store_pool_acquire(t->pool, 2000, &store, err)) != HR_OK) {
		pthread_mutex_unlock(&t->publish_lock);
		return rc;
	}
	if ((rc = newest_sequence(store, &newest, err)) != HR_OK)
		goto done;
	if (newest > cached) { /* first request, or another copy of the service published */
		if ((rc = load_list(store, newest, &list, err)) != HR_OK)
			goto done;
		issued = list.issued_at;
		trust_cache_offer(t, &list);
	}
	if (newest != 0 && now - issued < t->list_validity_s / 2)
		goto done;
	if ((rc = store_begin(store, err)) != HR_OK)
		goto done;
	if ((rc = trust_publish(t, store, &list, err)) == HR_OK)
		rc = store_commit(store, err);
	else
		store_rollback(store, NULL);
	if (rc == HR_OK) {
		log_info("trust.published", "sequence=%lld (re-signed)", (long long)list.sequence);
		trust_cache_offer(t, &list);
	}
done:
	trust_list_cache_clear(&list);
	store_pool_release(t->pool, store);
	pthread_mutex_unlock(&t->publish_lock);
	return rc;
}

void trust_handle_list(struct http_request *req, void *context)
{
	struct trust *t = context;
	struct hr_error err = {0};
	const char *match = http_request_header(req, "If-None-Match");
	char etag[32];
	struct buf copy;

	if (trust_publish_if_due(t, &err) != HR_OK) {
		log_error("trust.publish", "%s", err.message);
		/* the cached list, if still valid, is better than nothing */
	}
	buf_init(&copy, LIST_LIMIT);
	pthread_mutex_lock(&t->lock);
	snprintf(etag, sizeof(etag), "\"%lld\"", (long long)t->cache.sequence);
	if (t->cache.sequence != 0 && t->cache.next_update > (int64_t)time(NULL))
		buf_append(&copy, t->cache.body.data, t->cache.body.len);
	pthread_mutex_unlock(&t->lock);
	if (copy.len == 0) {
		http_reply_error(req, 503, "unavailable",
				 "no current trust list can be served now");
	} else {
		http_reply_header(req, "ETag", etag);
		http_reply_header(req, "Cache-Control", "no-cache");
		if (match != NULL && strstr(match, etag) != NULL)
			http_reply_bytes(req, 304, "application/json", "", 0);
		else
			http_reply_bytes(req, 200, "application/json", copy.data, copy.len);
	}
	buf_clear(&copy);
}
