/*
 * trust_uploads.c — POST /v1/signers: a country's signed batch (exchange/
 * trust_upload.h), judged whole and applied whole.
 *
 * Order: the body's form; the country the JWS names must be onboarded; the
 * JWS must verify under that country's upload key, name that country and be
 * fresh; every certificate must pass trust_check_certificate for that country;
 * every withdrawal must name a signer the country published. Only then, in one
 * transaction: the withdrawals, the new signers, the member set, the batch
 * (each accepted once), and the next list signed from the result.
 *
 * Every attempt, accepted or refused, is recorded in `uploads` (time, claimed
 * country, batch, outcome, reason, SHA-256 of the body) and refusals are logged
 * (event trust.upload_refused): an operator sees who tried what. A withdrawn
 * signer stays withdrawn; publishing it again needs a new certificate.
 */
#include "trust/trust_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/digest.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/log.h"
#include "credential/signer_cert.h"
#include "exchange/trust_upload.h"

#define STAGE "trust"

const struct store_migration trust_migrations[] = {
    {1, "published signers and members, upload attempts, signed lists",
     "CREATE TABLE signers (sha256 TEXT PRIMARY KEY, kid TEXT NOT NULL, country TEXT NOT NULL, "
     "certificate TEXT NOT NULL, added_at BIGINT NOT NULL, withdrawn_at BIGINT, "
     "batch TEXT NOT NULL);"
     "CREATE INDEX signers_by_kid ON signers (country, kid);"
     "CREATE TABLE members (id TEXT PRIMARY KEY, country TEXT NOT NULL, name TEXT, "
     "certificate TEXT NOT NULL, document_type TEXT, attests_devices INTEGER NOT NULL, "
     "url TEXT, gateway INTEGER NOT NULL);"
     "CREATE TABLE uploads (at BIGINT NOT NULL, country TEXT NOT NULL, batch TEXT NOT NULL, "
     "accepted INTEGER NOT NULL, reason TEXT NOT NULL, body_sha256 TEXT NOT NULL);"
     "CREATE UNIQUE INDEX uploads_accepted_batch ON uploads (country, batch) "
     "WHERE accepted = 1;"
     "CREATE TABLE lists (sequence BIGINT PRIMARY KEY, issued_at BIGINT NOT NULL, "
     "next_update BIGINT NOT NULL, body TEXT NOT NULL);",
     NULL},
};
const size_t trust_migration_count = sizeof(trust_migrations) / sizeof(trust_migrations[0]);

/* One upload being judged. */
struct attempt {
	char country[3];
	const char *batch;
	char body_sha256[65];
	unsigned status; /* the HTTP answer when refused */
	struct hr_error err;
};

static void record(struct trust *t, const struct attempt *a, bool accepted, struct store *store)
{
	struct store *own = NULL;
	struct store_stmt *stmt = NULL;
	struct hr_error err = {0};
	const char *reason = accepted ? "" : a->err.message;
	const char *batch = a->batch ? a->batch : "";
	bool row;

	if (store == NULL && store_pool_acquire(t->pool, 2000, &own, &err) != HR_OK)
		goto failed;
	if (store_prepare(store ? store : own,
			  "INSERT INTO uploads (at, country, batch, accepted, reason, body_sha256) "
			  "VALUES (?, ?, ?, ?, ?, ?)",
			  &stmt, &err) != HR_OK ||
	    store_bind_int64(stmt, 1, (int64_t)time(NULL)) != HR_OK ||
	    store_bind_text(stmt, 2, a->country, strlen(a->country)) != HR_OK ||
	    store_bind_text(stmt, 3, batch, strlen(batch)) != HR_OK ||
	    store_bind_int64(stmt, 4, accepted) != HR_OK ||
	    store_bind_text(stmt, 5, reason, strlen(reason)) != HR_OK ||
	    store_bind_text(stmt, 6, a->body_sha256, 64) != HR_OK ||
	    store_step(stmt, &row, &err) != HR_OK)
		goto failed;
	store_stmt_free(stmt);
	if (own != NULL)
		store_pool_release(t->pool, own);
	return;
failed:
	store_stmt_free(stmt);
	if (own != NULL)
		store_pool_release(t->pool, own);
	if (!accepted)
		log_error("trust.upload_record", "cannot record a refused upload: %s", err.message);
}

static void refuse(struct trust *t, struct http_request *req, struct attempt *a)
{
	log_warn("trust.upload_refused", "country=%s batch=%s status=%u: %s",
		 a->country[0] ? a->country : "?", a->batch ? a->batch : "?", a->status,
		 a->err.message);
	record(t, a, false, NULL);
	http_reply_error(req, a->status,
			 a->status == 401   ? "unauthorized"
			 : a->status == 403 ? "denied"
			 : a->status == 409 ? "conflict"
			 : a->status == 422 ? "rejected"
			 : a->status == 503 ? "unavailable"
					    : "invalid",
			 "%s", a->err.message);
}

/* A checked signer: what the list will say of it. */
struct new_signer {
	char sha256[65];
	char kid[16];
	const char *certificate; /* base64 DER, from the upload's claims */
};

static unsigned status_of(hr_status rc)
{
	switch (rc) {
	case HR_E_DENIED:
		return 403;
	case HR_E_EXPIRED:
	case HR_E_UNSUPPORTED:
		return 422;
	case HR_E_SIGNATURE:
		return 401;
	case HR_E_CONFLICT:
		return 409;
	case HR_E_NOMEM:
	case HR_E_DATABASE:
	case HR_E_BUSY:
	case HR_E_UNAVAILABLE:
		return 503;
	default:
		return 400;
	}
}

static hr_status check_signers(const struct trust_country *c, const struct trust_upload *up,
			       int64_t now, struct new_signer *out, struct hr_error *err)
{
	json_t *v;
	size_t i;

	json_array_foreach(up->signers, i, v)
	{
		const char *text = json_string_value(v);
		uint8_t digest[DIGEST_SHA256_LEN];
		struct buf der, kid;
		X509 *x;
		hr_status rc;

		if ((rc = trust_check_certificate(c, text, TRUST_CERT_SIGNER, now, &x, err)) !=
		    HR_OK) {
			hr_error_prefix(err, "signer %zu", i);
			return rc;
		}
		X509_free(x);
		buf_init(&der, strlen(text));
		buf_init(&kid, 16);
		base64_decode(text, strlen(text), BASE64_STANDARD, &der);
		digest_sha256_of(der.data, der.len, digest);
		hex_encode(digest, sizeof(digest), out[i].sha256);
		base64_encode(digest, SIGNER_KID_LEN, BASE64_STANDARD, &kid);
		snprintf(out[i].kid, sizeof(out[i].kid), "%s", buf_str(&kid));
		out[i].certificate = text;
		buf_clear(&der);
		buf_clear(&kid);
	}
	return HR_OK;
}

static hr_status check_members(const struct trust_country *c, const struct trust_upload *up,
			       int64_t now, struct hr_error *err)
{
	size_t i, gateways = 0;
	json_t *m;

	json_array_foreach(up->members, i, m)
	{
		const char *id = json_string_value(json_object_get(m, "id"));
		const char *type = json_string_value(json_object_get(m, "document_type"));
		const char *url = json_string_value(json_object_get(m, "url"));
		bool gateway = json_is_true(json_object_get(m, "gateway"));
		X509 *x;
		hr_status rc;

		if (!member_id_valid(id) || strncmp(id, c->code, 2) != 0 || id[2] != '/')
			return hr_error_set(err, HR_E_DENIED, STAGE,
					    "member %zu: '%.96s' is not a member id of %s", i, id,
					    c->code);
		if (type != NULL && document_type_index(type) < 0)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "member %s: no document type '%.32s'", id, type);
		if (url != NULL && strncmp(url, "http://", 7) != 0 &&
		    strncmp(url, "https://", 8) != 0)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "member %s: url must be http(s)", id);
		if (gateway && url == NULL)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "member %s: a gateway needs the url other gateways "
					    "forward to",
					    id);
		gateways += gateway;
		for (size_t j = 0; j < i; j++) {
			const char *other = json_string_value(
			    json_object_get(json_array_get(up->members, j), "id"));
			if (strcmp(other, id) == 0)
				return hr_error_set(err, HR_E_INVALID, STAGE,
						    "member %s is listed twice", id);
		}
		if ((rc = trust_check_certificate(
			 c, json_string_value(json_object_get(m, "certificate")), TRUST_CERT_MEMBER,
			 now, &x, err)) != HR_OK) {
			hr_error_prefix(err, "member %s", id);
			return rc;
		}
		X509_free(x);
	}
	if (up->members != NULL && gateways != 1)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the member set names %zu gateways; exactly one is needed",
				    gateways);
	return HR_OK;
}

/* One bound value of a statement: text, or an integer when text is NULL. */
struct arg {
	bool is_number;
	const char *text; /* NULL: SQL NULL */
	int64_t number;
};

#define TEXT(t) ((struct arg){false, (t), 0})
#define INT(n)  ((struct arg){true, NULL, (n)})

/* Runs sql with args once; *row tells whether it returned a row, *changed how
 * many it changed (either may be NULL). */
static hr_status run(struct store *store, const char *sql, const struct arg *args, size_t count,
		     bool *row, int64_t *changed, struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	bool has_row = false;
	hr_status rc;

	if ((rc = store_prepare(store, sql, &stmt, err)) != HR_OK)
		return rc;
	for (size_t i = 0; i < count && rc == HR_OK; i++) {
		const struct arg *a = &args[i];
		if (a->is_number)
			rc = store_bind_int64(stmt, (int)i + 1, a->number);
		else if (a->text != NULL)
			rc = store_bind_text(stmt, (int)i + 1, a->text, strlen(a->text));
		else
			rc = store_bind_null(stmt, (int)i + 1);
	}
	if (rc == HR_OK)
		rc = store_step(stmt, &has_row, err);
	if (row != NULL)
		*row = has_row;
	if (changed != NULL)
		*changed = store_changes(stmt);
	store_stmt_free(stmt);
	return rc;
}

static hr_status apply_withdrawals(struct store *store, const struct trust_upload *up, int64_t now,
				   struct hr_error *err)
{
	json_t *v;
	size_t i;

	json_array_foreach(up->withdraw, i, v)
	{
		const struct arg args[] = {INT(now), TEXT(up->country), TEXT(json_string_value(v))};
		int64_t changed = 0;
		bool row = false;
		hr_status rc;

		if ((rc = run(store,
			      "UPDATE signers SET withdrawn_at = ? WHERE country = ? AND kid = ? "
			      "AND withdrawn_at IS NULL",
			      args, 3, NULL, &changed, err)) != HR_OK)
			return rc;
		if (changed > 0)
			continue;
		/* withdrawing twice is harmless; withdrawing what was never there a mistake */
		if ((rc = run(store, "SELECT 1 FROM signers WHERE country = ? AND kid = ?",
			      args + 1, 2, &row, NULL, err)) != HR_OK)
			return rc;
		if (!row)
			return hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
					    "withdraw %zu: %s published no signer with kid %.16s",
					    i, up->country, json_string_value(v));
	}
	return HR_OK;
}

static hr_status apply_signers(struct store *store, const struct trust_upload *up,
			       const struct new_signer *signers, int64_t now, size_t *added,
			       struct hr_error *err)
{
	for (size_t i = 0; i < json_array_size(up->signers); i++) {
		const struct new_signer *s = &signers[i];
		const struct arg row_args[] = {TEXT(s->sha256),   TEXT(s->kid),
					       TEXT(up->country), TEXT(s->certificate),
					       INT(now),          TEXT(up->batch)};
		struct store_stmt *stmt = NULL;
		bool row = false, withdrawn = false;
		hr_status rc;

		if ((rc = store_prepare(store, "SELECT withdrawn_at FROM signers WHERE sha256 = ?",
					&stmt, err)) == HR_OK &&
		    (rc = store_bind_text(stmt, 1, s->sha256, 64)) == HR_OK &&
		    (rc = store_step(stmt, &row, err)) == HR_OK && row)
			withdrawn = !store_column_is_null(stmt, 0);
		store_stmt_free(stmt);
		if (rc != HR_OK)
			return rc;
		if (withdrawn)
			return hr_error_set(
			    err, HR_E_CONFLICT, STAGE,
			    "signer %zu (kid %s) was withdrawn and stays withdrawn: "
			    "publish a new certificate",
			    i, s->kid);
		if (row)
			continue; /* published already: an upload may repeat its signers */
		if ((rc = run(store,
			      "INSERT INTO signers (sha256, kid, country, certificate, added_at, "
			      "batch) VALUES (?, ?, ?, ?, ?, ?)",
			      row_args, 6, NULL, NULL, err)) != HR_OK)
			return rc;
		(*added)++;
	}
	return HR_OK;
}

static hr_status apply_members(struct store *store, const struct trust_upload *up,
			       struct hr_error *err)
{
	const struct arg country[] = {TEXT(up->country)};
	json_t *m;
	size_t i;
	hr_status rc;

	if (up->members == NULL)
		return HR_OK;
	if ((rc = run(store, "DELETE FROM members WHERE country = ?", country, 1, NULL, NULL,
		      err)) != HR_OK)
		return rc;
	json_array_foreach(up->members, i, m)
	{
		const struct arg args[] = {
		    TEXT(json_string_value(json_object_get(m, "id"))),
		    TEXT(up->country),
		    TEXT(json_string_value(json_object_get(m, "name"))),
		    TEXT(json_string_value(json_object_get(m, "certificate"))),
		    TEXT(json_string_value(json_object_get(m, "document_type"))),
		    INT(json_is_true(json_object_get(m, "attests_devices"))),
		    TEXT(json_string_value(json_object_get(m, "url"))),
		    INT(json_is_true(json_object_get(m, "gateway"))),
		};
		/* name, document_type and url are optional: SQL NULL when absent */
		if ((rc = run(store,
			      "INSERT INTO members (id, country, name, certificate, document_type, "
			      "attests_devices, url, gateway) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			      args, 8, NULL, NULL, err)) != HR_OK)
			return rc;
	}
	return HR_OK;
}

/* Applies a judged upload in one transaction and publishes the next list. */
static hr_status apply(struct trust *t, struct store *store, const struct attempt *a,
		       const struct trust_upload *up, const struct new_signer *signers, int64_t now,
		       size_t *added, struct trust_list_cache *list, struct hr_error *err)
{
	const struct arg batch[] = {TEXT(up->country), TEXT(up->batch)};
	bool seen = false;
	hr_status rc;

	if ((rc = store_begin(store, err)) != HR_OK)
		return rc;
	if ((rc = run(store,
		      "SELECT 1 FROM uploads WHERE country = ? AND batch = ? AND "
		      "accepted = 1",
		      batch, 2, &seen, NULL, err)) == HR_OK &&
	    seen)
		rc = hr_error_set(err, HR_E_CONFLICT, STAGE,
				  "batch %s of %s was accepted before: an upload is applied once",
				  up->batch, up->country);
	if (rc == HR_OK)
		rc = apply_withdrawals(store, up, now, err);
	if (rc == HR_OK)
		rc = apply_signers(store, up, signers, now, added, err);
	if (rc == HR_OK)
		rc = apply_members(store, up, err);
	if (rc == HR_OK)
		record(t, a, true, store);
	if (rc == HR_OK)
		rc = trust_publish(t, store, list, err);
	if (rc == HR_OK)
		rc = store_commit(store, err);
	else
		store_rollback(store, NULL);
	return rc;
}

void trust_handle_upload(struct http_request *req, void *context)
{
	static const char *const keys[] = {"upload", NULL};
	struct trust *t = context;
	struct slice body = http_request_body(req);
	struct attempt a = {.status = 400};
	struct trust_upload up = {0};
	struct new_signer *signers = NULL;
	struct trust_list_cache list = {0};
	const struct trust_country *c;
	struct store *store = NULL;
	int64_t now = (int64_t)time(NULL);
	uint8_t digest[DIGEST_SHA256_LEN];
	json_t *json = NULL;
	const char *jws = NULL;
	size_t added = 0;
	int64_t sequence;
	hr_status rc;

	digest_sha256_of(body.ptr, body.len, digest);
	hex_encode(digest, sizeof(digest), a.body_sha256);
	if (http_request_json(req, &json, &a.err) != HR_OK ||
	    hr_json_only_keys(json, keys, &a.err) != HR_OK ||
	    hr_json_get_string(json, "upload", true, TRUST_UPLOAD_MAX_LEN, &jws, &a.err) != HR_OK ||
	    trust_upload_country(jws, strlen(jws), a.country, &a.err) != HR_OK)
		goto refused;
	if ((c = trust_country_find(t, a.country)) == NULL) {
		a.status = 403;
		hr_error_set(&a.err, HR_E_DENIED, STAGE,
			     "%s is not onboarded at this trust service", a.country);
		goto refused;
	}
	if ((rc = trust_upload_open(jws, strlen(jws), c->upload_key, c->code, now, &up, &a.err)) !=
	    HR_OK) {
		a.status = rc == HR_E_SIGNATURE ? 401 : rc == HR_E_EXPIRED ? 409 : status_of(rc);
		goto refused;
	}
	a.batch = up.batch;
	signers = calloc(json_array_size(up.signers) + 1, sizeof(*signers));
	if (signers == NULL) {
		a.status = 503;
		hr_error_set(&a.err, HR_E_NOMEM, STAGE, "out of memory");
		goto refused;
	}
	if ((rc = check_signers(c, &up, now, signers, &a.err)) != HR_OK ||
	    (rc = check_members(c, &up, now, &a.err)) != HR_OK) {
		a.status = status_of(rc);
		goto refused;
	}
	if ((rc = store_pool_acquire(t->pool, 5000, &store, &a.err)) != HR_OK ||
	    (rc = apply(t, store, &a, &up, signers, now, &added, &list, &a.err)) != HR_OK) {
		a.status = status_of(rc);
		goto refused;
	}
	sequence = list.sequence;
	trust_cache_offer(t, &list);
	log_info("trust.upload",
		 "country=%s batch=%s signers_added=%zu withdrawn=%zu members=%zd "
		 "sequence=%lld",
		 up.country, up.batch, added, json_array_size(up.withdraw),
		 up.members ? (ssize_t)json_array_size(up.members) : (ssize_t)-1,
		 (long long)sequence);
	http_reply_json(req, 200,
			json_pack("{s:s,s:s,s:I,s:I,s:I}", "country", up.country, "batch", up.batch,
				  "signers_added", (json_int_t)added, "signers_withdrawn",
				  (json_int_t)json_array_size(up.withdraw), "sequence",
				  (json_int_t)sequence));
	goto done;
refused:
	refuse(t, req, &a);
done:
	if (store != NULL)
		store_pool_release(t->pool, store);
	free(signers);
	trust_list_cache_clear(&list);
	trust_upload_clear(&up);
	json_decref(json);
}
