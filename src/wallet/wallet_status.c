/*
 * wallet_status.c — revocation of the credentials that outlive a presentation:
 * offline copies, valid up to 30 days (DESIGN.md §4, §5). Each carries the CWT
 * status claim {"status_list": {"idx", "uri"}} pointing at an entry of an IETF
 * Token Status List (draft-ietf-oauth-status-list) that this wallet serves:
 *
 *	GET /v1/status-lists/{id}   application/statuslist+jwt, public, no auth
 *
 * One list per document type (id = the type), WALLET_STATUS_LIST_ENTRIES
 * entries of 2 bits (VALID 0, INVALID 1, SUSPENDED 2): 256 KiB before zlib.
 * Entries are drawn at random from the whole list, so an index tells nothing
 * of when or for whom it was issued, and every verifier downloads the same
 * whole list whichever credential it checks (herd privacy: the wallet never
 * learns which document was checked). Each token is signed by the type's
 * document signer, whose certificate verifiers already trust for the
 * credential, and lives WALLET_STATUS_TOKEN_LIFETIME_S with ttl [wallet]
 * status_list_ttl_s (how long a verifier may cache it).
 *
 * What sets an entry: the citizen's report-lost through this wallet, at once;
 * and every status change a registry records (a suspension by the police, a
 * loss reported elsewhere, a reinstatement), which a thread fetches from each
 * registry's status-changes service through the gateway every
 * [wallet] status_poll_ms, under the wallet's legal basis for it.
 *
 * Kept (wallet.db): per entry only the list, the index, an HMAC of the
 * document's type and number under the wallet's secret, its expiry and
 * status; per registry the cursor of its changes. Never a number in clear.
 */
#include "wallet/wallet_internal.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "credential/status_list.h"

#define STAGE "status"
/* 2^20 entries: a verifier's download says nothing about which of a million
 * credentials it checks */
#define WALLET_STATUS_LIST_ENTRIES     (1u << 20)
#define WALLET_STATUS_BITS             2
#define WALLET_STATUS_LIST_BYTES       (WALLET_STATUS_LIST_ENTRIES * WALLET_STATUS_BITS / 8)
#define WALLET_STATUS_TOKEN_LIFETIME_S (24 * 3600)
#define WALLET_STATUS_PROBES           64
/* an expired entry is reused only a day after its credential expired */
#define WALLET_STATUS_REUSE_AFTER_S (24 * 3600)
#define WALLET_STATUS_CHANGES_LIMIT 500
#define WALLET_STATUS_PURPOSE       "revocation-status"
#define WALLET_STATUS_USER          "wallet:status-lists"

struct cached_token {
	uint64_t version; /* of the entries it was built from */
	int64_t built_at;
	char uri[512];
	struct buf token;
};

struct wallet_status {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t poller;
	bool running, stop;
	int64_t poll_ms;
	int64_t ttl_s;
	uint64_t version; /* bumped by every change of any entry */
	struct cached_token cache[DOCUMENT_TYPE_COUNT];
};

/* "type:number" hashed under the wallet's secret. */
static hr_status document_hash(struct wallet *w, int type, const char *number, char out[65])
{
	char text[160];

	snprintf(text, sizeof(text), "%s:%s", document_types[type], number);
	return wallet_keyed_hash(w, "document", text, out);
}

static void bump(struct wallet *w)
{
	pthread_mutex_lock(&w->status->lock);
	w->status->version++;
	pthread_mutex_unlock(&w->status->lock);
}

/* Takes entry idx of list for hash: a free one, or one whose credential expired
 * WALLET_STATUS_REUSE_AFTER_S ago. *taken false when it is in use. */
static hr_status take_index(struct store *store, const char *list, uint64_t idx, const char *hash,
			    int64_t expires_at, int64_t now, bool *taken, struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	bool row;
	hr_status rc;

	*taken = false;
	if ((rc = store_prepare(
		 store,
		 "INSERT INTO status_entries (list, idx, document_hash, expires_at, "
		 "status) VALUES (?, ?, ?, ?, 0) ON CONFLICT (list, idx) DO UPDATE "
		 "SET document_hash = excluded.document_hash, expires_at = "
		 "excluded.expires_at, status = 0 WHERE status_entries.expires_at < ?",
		 &stmt, err)) == HR_OK &&
	    (rc = store_bind_text(stmt, 1, list, strlen(list))) == HR_OK &&
	    (rc = store_bind_int64(stmt, 2, (int64_t)idx)) == HR_OK &&
	    (rc = store_bind_text(stmt, 3, hash, 64)) == HR_OK &&
	    (rc = store_bind_int64(stmt, 4, expires_at)) == HR_OK &&
	    (rc = store_bind_int64(stmt, 5, now - WALLET_STATUS_REUSE_AFTER_S)) == HR_OK &&
	    (rc = store_step(stmt, &row, err)) == HR_OK)
		*taken = store_changes(stmt) == 1;
	store_stmt_free(stmt);
	return rc;
}

hr_status wallet_status_allocate(struct wallet *w, struct http_request *req, int type,
				 const char *document_number, int64_t expires_at, char *uri,
				 size_t uri_size, uint64_t *idx, struct hr_error *err)
{
	const char *list = document_types[type];
	struct store *store = NULL;
	char hash[65];
	bool taken = false;
	hr_status rc;

	if ((rc = document_hash(w, type, document_number, hash)) != HR_OK)
		return hr_error_set(err, rc, STAGE, "cannot hash the document");
	if ((rc = store_pool_acquire(w->pool, 2000, &store, err)) != HR_OK)
		return rc;
	for (int probe = 0; probe < WALLET_STATUS_PROBES && rc == HR_OK && !taken; probe++) {
		uint32_t r;
		if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1) {
			rc = hr_error_set(err, HR_E_CRYPTO, STAGE, "no randomness");
			break;
		}
		*idx = r % WALLET_STATUS_LIST_ENTRIES;
		rc = take_index(store, list, *idx, hash, expires_at, (int64_t)time(NULL), &taken,
				err);
	}
	store_pool_release(w->pool, store);
	if (rc == HR_OK && !taken)
		rc = hr_error_set(err, HR_E_BUSY, STAGE, "the status list of %s is full", list);
	if (rc != HR_OK)
		return rc;
	snprintf(uri, uri_size, "%s/v1/status-lists/%s", http_request_own_url(req), list);
	return HR_OK;
}

hr_status wallet_status_set(struct wallet *w, int type, const char *document_number,
			    unsigned status, struct hr_error *err)
{
	struct store *store = NULL;
	struct store_stmt *stmt = NULL;
	char hash[65];
	bool row;
	hr_status rc;

	if ((rc = document_hash(w, type, document_number, hash)) != HR_OK)
		return hr_error_set(err, rc, STAGE, "cannot hash the document");
	if ((rc = store_pool_acquire(w->pool, 2000, &store, err)) != HR_OK)
		return rc;
	if ((rc = store_prepare(store,
				"UPDATE status_entries SET status = ? WHERE document_hash = ? AND "
				"status <> ?",
				&stmt, err)) == HR_OK &&
	    (rc = store_bind_int64(stmt, 1, status)) == HR_OK &&
	    (rc = store_bind_text(stmt, 2, hash, 64)) == HR_OK &&
	    (rc = store_bind_int64(stmt, 3, status)) == HR_OK &&
	    (rc = store_step(stmt, &row, err)) == HR_OK && store_changes(stmt) > 0)
		bump(w);
	store_stmt_free(stmt);
	store_pool_release(w->pool, store);
	return rc;
}

/* The list's bytes from the entries that are not VALID and still matter. */
static hr_status list_bytes(struct wallet *w, const char *list, uint8_t *bytes,
			    struct hr_error *err)
{
	struct store *store = NULL;
	struct store_stmt *stmt = NULL;
	bool row;
	hr_status rc;

	if ((rc = store_pool_acquire(w->pool, 2000, &store, err)) != HR_OK)
		return rc;
	if ((rc = store_prepare(store,
				"SELECT idx, status FROM status_entries WHERE list = ? AND "
				"status <> 0 AND expires_at > ?",
				&stmt, err)) == HR_OK &&
	    (rc = store_bind_text(stmt, 1, list, strlen(list))) == HR_OK &&
	    (rc = store_bind_int64(stmt, 2, (int64_t)time(NULL) - WALLET_STATUS_REUSE_AFTER_S)) ==
		HR_OK) {
		while ((rc = store_step(stmt, &row, err)) == HR_OK && row)
			status_list_set(bytes, WALLET_STATUS_LIST_BYTES, WALLET_STATUS_BITS,
					(uint64_t)store_column_int64(stmt, 0),
					(unsigned)store_column_int64(stmt, 1));
	}
	store_stmt_free(stmt);
	store_pool_release(w->pool, store);
	return rc;
}

/* The current token of a type's list into out: the cached one while nothing
 * changed and it is younger than half its ttl, else a new one. */
static hr_status current_token(struct wallet *w, int type, const char *uri, struct buf *out,
			       struct hr_error *err)
{
	struct wallet_status *s = w->status;
	struct cached_token *c = &s->cache[type];
	int64_t now = (int64_t)time(NULL);
	uint8_t *bytes = NULL;
	uint64_t version;
	hr_status rc;

	pthread_mutex_lock(&s->lock);
	version = s->version;
	if (c->version == version && c->built_at != 0 && now - c->built_at < s->ttl_s / 2 + 1 &&
	    strcmp(c->uri, uri) == 0) {
		rc = buf_append(out, c->token.data, c->token.len);
		pthread_mutex_unlock(&s->lock);
		return rc;
	}
	pthread_mutex_unlock(&s->lock);
	if ((bytes = calloc(1, WALLET_STATUS_LIST_BYTES)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if ((rc = list_bytes(w, document_types[type], bytes, err)) == HR_OK)
		rc = status_list_token_build(w->document_signers[type], uri, bytes,
					     WALLET_STATUS_LIST_BYTES, WALLET_STATUS_BITS, now,
					     now + WALLET_STATUS_TOKEN_LIFETIME_S, s->ttl_s, out,
					     err);
	free(bytes);
	if (rc != HR_OK)
		return rc;
	pthread_mutex_lock(&s->lock);
	buf_reset(&c->token);
	if (buf_append(&c->token, out->data, out->len) == HR_OK) {
		c->version = version;
		c->built_at = now;
		snprintf(c->uri, sizeof(c->uri), "%s", uri);
	} else {
		c->built_at = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return HR_OK;
}

void wallet_handle_status_list(struct http_request *req, void *context)
{
	struct wallet *w = context;
	const char *id = http_request_param(req, "id");
	int type = id ? document_type_index(id) : -1;
	struct hr_error err = {0};
	char uri[512], cache[64];
	struct buf token;

	if (type < 0) {
		http_reply_error(req, 404, "not_found", "no such status list");
		return;
	}
	snprintf(uri, sizeof(uri), "%s/v1/status-lists/%s", http_request_own_url(req), id);
	buf_init(&token, STATUS_LIST_MAX_TOKEN_BYTES);
	if (current_token(w, type, uri, &token, &err) != HR_OK) {
		log_error("wallet.status_list", "%s: %s", id, err.message);
		http_reply_error(req, 503, "unavailable", "the status list cannot be served now");
	} else {
		snprintf(cache, sizeof(cache), "public, max-age=%lld", (long long)w->status->ttl_s);
		http_reply_header(req, "Cache-Control", cache);
		http_reply_bytes(req, 200, STATUS_LIST_MEDIA_TYPE, token.data, token.len);
	}
	buf_clear(&token);
}

/* --- following the registries' status changes ---------------------------------- */

static unsigned status_value(const char *registry_status)
{
	if (strcmp(registry_status, "valid") == 0)
		return STATUS_VALID;
	if (strcmp(registry_status, "suspended") == 0)
		return STATUS_SUSPENDED;
	return STATUS_INVALID; /* lost, revoked, annulled: never valid again */
}

static hr_status cursor(struct wallet *w, const char *provider, int64_t *next, bool write,
			struct hr_error *err)
{
	struct store *store = NULL;
	struct store_stmt *stmt = NULL;
	bool row = false;
	hr_status rc;

	if ((rc = store_pool_acquire(w->pool, 2000, &store, err)) != HR_OK)
		return rc;
	if (write)
		rc = store_prepare(store,
				   "INSERT INTO status_cursors (provider, next) VALUES (?, ?) "
				   "ON CONFLICT (provider) DO UPDATE SET next = excluded.next",
				   &stmt, err);
	else
		rc = store_prepare(store, "SELECT next FROM status_cursors WHERE provider = ?",
				   &stmt, err);
	if (rc == HR_OK && (rc = store_bind_text(stmt, 1, provider, strlen(provider))) == HR_OK &&
	    (!write || (rc = store_bind_int64(stmt, 2, *next)) == HR_OK))
		rc = store_step(stmt, &row, err);
	if (rc == HR_OK && !write)
		*next = row ? store_column_int64(stmt, 0) : 0;
	store_stmt_free(stmt);
	store_pool_release(w->pool, store);
	return rc;
}

/* Reads one registry's changes from its cursor until none are left. */
static void follow(struct wallet *w, int type)
{
	char provider[160];
	struct hr_error err = {0};
	int64_t since = 0;

	snprintf(provider, sizeof(provider), "%s/%s", w->provider_prefix, document_types[type]);
	if (cursor(w, provider, &since, false, &err) != HR_OK)
		goto failed;
	for (int page = 0; page < 100; page++) {
		json_t *body = json_pack("{s:I,s:i}", "since", (json_int_t)since, "limit",
					 WALLET_STATUS_CHANGES_LIMIT);
		json_t *answer = NULL, *change;
		const json_t *next;
		long status = 0;
		size_t i, count;
		hr_status rc = wallet_call_gateway_as(w, provider, "status-changes", body,
						      WALLET_STATUS_PURPOSE, WALLET_STATUS_USER,
						      &status, &answer, &err);
		json_decref(body);
		if (rc == HR_OK && status != 200)
			rc = hr_error_set(&err, HR_E_UNAVAILABLE, STAGE, "%s answered %ld",
					  provider, status);
		next = json_object_get(answer, "next");
		if (rc == HR_OK && !json_is_integer(next))
			rc =
			    hr_error_set(&err, HR_E_INVALID, STAGE, "%s: no next cursor", provider);
		count = json_array_size(json_object_get(answer, "changes"));
		json_array_foreach(json_object_get(answer, "changes"), i, change)
		{
			const char *number =
			    json_string_value(json_object_get(change, "document_number"));
			const char *value = json_string_value(json_object_get(change, "status"));
			if (rc == HR_OK && number != NULL && value != NULL)
				rc = wallet_status_set(w, type, number, status_value(value), &err);
		}
		if (rc == HR_OK && json_integer_value(next) != since) {
			since = json_integer_value(next);
			rc = cursor(w, provider, &since, true, &err);
		}
		json_decref(answer);
		if (rc != HR_OK)
			goto failed;
		if (count < WALLET_STATUS_CHANGES_LIMIT)
			return;
	}
	return;
failed:
	log_warn("wallet.status_changes", "%s: %s", provider, err.message);
}

static void *poll_changes(void *arg)
{
	struct wallet *w = arg;
	struct wallet_status *s = w->status;

	for (;;) {
		struct timespec until;
		pthread_mutex_lock(&s->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)(s->poll_ms / 1000);
		until.tv_nsec += (long)(s->poll_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &until) == 0)
			;
		if (s->stop) {
			pthread_mutex_unlock(&s->lock);
			return NULL;
		}
		pthread_mutex_unlock(&s->lock);
		for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
			follow(w, t);
	}
}

hr_status wallet_status_start(struct wallet *w, int64_t poll_ms, int64_t ttl_s,
			      struct hr_error *err)
{
	struct wallet_status *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	s->poll_ms = poll_ms;
	s->ttl_s = ttl_s;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		buf_init(&s->cache[t].token, STATUS_LIST_MAX_TOKEN_BYTES);
	w->status = s;
	if (poll_ms > 0) {
		if (pthread_create(&s->poller, NULL, poll_changes, w) != 0)
			return hr_error_set(err, HR_E_NOMEM, STAGE, "cannot start the poller");
		s->running = true;
	}
	return HR_OK;
}

void wallet_status_stop(struct wallet *w)
{
	struct wallet_status *s = w->status;

	if (s == NULL)
		return;
	if (s->running) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->poller, NULL);
	}
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		buf_clear(&s->cache[t].token);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
	w->status = NULL;
}
