/*
 * replay_store.c — replay records in a role's store (see replay_store.h).
 *
 * One statement per identifier, the same on both databases:
 *
 *	INSERT ... ON CONFLICT (scope, id_hash) DO UPDATE SET expires_at = excluded.expires_at
 *	WHERE replay_records.expires_at <= now
 *
 * changes one row when the identifier is new or its record had expired, none
 * when it is live: a replay. The check and the record are one atomic step, so
 * two copies of a role racing on the same identifier accept it once (the
 * primary key serialises them). Expired rows are deleted by whichever check
 * first finds REPLAY_STORE_PURGE_S gone since the last purge.
 *
 * Never: store the identifier itself, or answer HR_OK when the store failed.
 */
#include "exchange/replay_store.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/hex.h"
#include "core/store.h"

struct replay_store {
	struct store_pool *pool;
	char scope[REPLAY_STORE_SCOPE_MAX];
	_Atomic int64_t purged_at;
};

struct replay_store *replay_store_new(struct store_pool *pool, const char *scope)
{
	struct replay_store *rs;

	if (pool == NULL || scope == NULL || scope[0] == 0 ||
	    strlen(scope) >= REPLAY_STORE_SCOPE_MAX || (rs = calloc(1, sizeof(*rs))) == NULL)
		return NULL;
	rs->pool = pool;
	memcpy(rs->scope, scope, strlen(scope) + 1);
	atomic_init(&rs->purged_at, 0);
	return rs;
}

void replay_store_free(struct replay_store *rs)
{
	free(rs);
}

static hr_status run(struct store *s, const char *sql, const char *scope, const char *hash,
		     const int64_t *ints, int nints, int64_t *changed)
{
	struct store_stmt *st = NULL;
	bool row;
	int i = 1;
	hr_status rc = store_prepare(s, sql, &st, NULL);

	if (rc == HR_OK && scope != NULL)
		rc = store_bind_text(st, i++, scope, strlen(scope));
	if (rc == HR_OK && hash != NULL)
		rc = store_bind_text(st, i++, hash, strlen(hash));
	for (int k = 0; k < nints && rc == HR_OK; k++)
		rc = store_bind_int64(st, i++, ints[k]);
	if (rc == HR_OK)
		rc = store_step(st, &row, NULL);
	if (rc == HR_OK && changed != NULL)
		*changed = store_changes(st);
	store_stmt_free(st);
	return rc;
}

/* Deletes expired records when REPLAY_STORE_PURGE_S have passed since the last
 * purge (one caller wins the race; a failed purge is tried again later). */
static void purge_maybe(struct replay_store *rs, struct store *s, int64_t now)
{
	int64_t last = atomic_load(&rs->purged_at);

	if (now - last < REPLAY_STORE_PURGE_S && now >= last)
		return;
	if (!atomic_compare_exchange_strong(&rs->purged_at, &last, now))
		return;
	run(s, "DELETE FROM replay_records WHERE scope = ? AND expires_at <= ?", rs->scope, NULL,
	    &now, 1, NULL);
}

hr_status replay_store_check(struct replay_store *rs, const void *id, size_t len, int64_t now,
			     int64_t expires_at)
{
	uint8_t digest[DIGEST_SHA256_LEN];
	char hash[2 * DIGEST_SHA256_LEN + 1];
	struct store *s = NULL;
	int64_t changed = 0;
	hr_status rc;

	if (rs == NULL || (id == NULL && len > 0))
		return HR_E_STATE;
	if (expires_at <= now)
		return HR_OK;
	if (digest_sha256_of(id, len, digest) != HR_OK)
		return HR_E_BUSY;
	hex_encode(digest, sizeof(digest), hash);
	if (store_pool_acquire(rs->pool, REPLAY_STORE_WAIT_MS, &s, NULL) != HR_OK)
		return HR_E_BUSY;
	{
		const int64_t ints[] = {expires_at, now};
		rc = run(s,
			 "INSERT INTO replay_records (scope, id_hash, expires_at) VALUES (?, ?, ?) "
			 "ON CONFLICT (scope, id_hash) DO UPDATE SET expires_at = "
			 "excluded.expires_at WHERE replay_records.expires_at <= ?",
			 rs->scope, hash, ints, 2, &changed);
	}
	if (rc == HR_OK)
		purge_maybe(rs, s, now);
	store_pool_release(rs->pool, s);
	if (rc != HR_OK)
		return HR_E_BUSY;
	return changed == 1 ? HR_OK : HR_E_CONFLICT;
}
