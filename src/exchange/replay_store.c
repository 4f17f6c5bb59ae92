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
 * first finds REPLAY_STORE_PURGE_S gone since the last purge, a bounded batch
 * at a time (purge_maybe).
 *
 * Checks arriving together share one transaction (group commit): the first
 * caller to find no write under way writes every check queued by then, in one
 * BEGIN ... COMMIT, while the others wait for their answer. Alone, a check is
 * its own transaction, as before; under load one commit (its lock, WAL frames
 * and index pages) serves many: on the document fetch under 64 connections
 * this cut all roles' CPU from ~2 790 to ~2 190 us per fetch. Each
 * statement's own row count still decides its answer, so an identifier twice
 * in one batch is accepted once.
 *
 * Never: store the identifier itself, or answer HR_OK when the store failed.
 */
#include "exchange/replay_store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/hex.h"
#include "core/store.h"

/* One caller's check, on its own stack while it waits in the queue. */
struct replay_check {
	char hash[2 * DIGEST_SHA256_LEN + 1];
	int64_t now, expires_at;
	hr_status rc;
	bool done;
	struct replay_check *next;
};

struct replay_store {
	struct store_pool *pool;
	char scope[REPLAY_STORE_SCOPE_MAX];
	_Atomic int64_t purged_at;
	pthread_mutex_t lock; /* queue, writing */
	pthread_cond_t written;
	struct replay_check *queue; /* newest first: order within a batch does not matter */
	bool writing;
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
	pthread_mutex_init(&rs->lock, NULL);
	pthread_cond_init(&rs->written, NULL);
	return rs;
}

void replay_store_free(struct replay_store *rs)
{
	if (rs == NULL)
		return;
	pthread_cond_destroy(&rs->written);
	pthread_mutex_destroy(&rs->lock);
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
 * purge (one caller wins the race; a failed purge is tried again later), at
 * most REPLAY_STORE_PURGE_MAX of them: the delete holds the store's write lock
 * and every check waits behind it. Once a minute and unbounded, it deleted a
 * minute of records at a time (12 757 took 55 ms on an idle core; at 420
 * fetches/s a minute is ~25 000 per store), a stall of every fetch in the
 * paced tail. A full batch leaves the next check free to purge again, so a
 * backlog (after an idle spell) drains a batch a commit.
 * Expired is expired in every scope: the batch is taken from the expiry index
 * alone, as selecting by scope first scanned all of the scope's live records. */
static void purge_maybe(struct replay_store *rs, struct store *s, int64_t now)
{
	const int64_t ints[] = {now, REPLAY_STORE_PURGE_MAX};
	int64_t last = atomic_load(&rs->purged_at), deleted = 0;

	if (now - last < REPLAY_STORE_PURGE_S && now >= last)
		return;
	if (!atomic_compare_exchange_strong(&rs->purged_at, &last, now))
		return;
	if (run(s,
		"DELETE FROM replay_records WHERE (scope, id_hash) IN (SELECT scope, id_hash "
		"FROM replay_records WHERE expires_at <= ? LIMIT ?)",
		NULL, NULL, ints, 2, &deleted) == HR_OK &&
	    deleted >= REPLAY_STORE_PURGE_MAX)
		atomic_store(&rs->purged_at, now - REPLAY_STORE_PURGE_S);
}

static hr_status record(struct replay_store *rs, struct store *s, struct replay_check *c)
{
	const int64_t ints[] = {c->expires_at, c->now};
	int64_t changed = 0;
	hr_status rc =
	    run(s,
		"INSERT INTO replay_records (scope, id_hash, expires_at) VALUES (?, ?, ?) "
		"ON CONFLICT (scope, id_hash) DO UPDATE SET expires_at = "
		"excluded.expires_at WHERE replay_records.expires_at <= ?",
		rs->scope, c->hash, ints, 2, &changed);

	if (rc != HR_OK)
		return HR_E_BUSY;
	return changed == 1 ? HR_OK : HR_E_CONFLICT;
}

/* The batch in the order of its hashes. Two copies of a role writing batches
 * that share identifiers then take their row locks in one order: in opposite
 * orders PostgreSQL finds a deadlock (after a second) and aborts one batch.
 * Batches are as long as the threads waiting, so insertion sort is enough. */
static struct replay_check *sorted(struct replay_check *batch)
{
	struct replay_check *out = NULL;

	while (batch != NULL) {
		struct replay_check *c = batch, **at = &out;

		batch = batch->next;
		while (*at != NULL && strcmp((*at)->hash, c->hash) < 0)
			at = &(*at)->next;
		c->next = *at;
		*at = c;
	}
	return out;
}

/* Writes a batch, answering each check in it: one transaction for all, so a
 * failure anywhere (the commit above all) answers every check HR_E_BUSY. */
static void write_batch(struct replay_store *rs, struct replay_check *batch)
{
	struct store *s = NULL;
	bool alone = batch->next == NULL, failed = false;

	if (store_pool_acquire(rs->pool, REPLAY_STORE_WAIT_MS, &s, NULL) != HR_OK) {
		for (struct replay_check *c = batch; c != NULL; c = c->next)
			c->rc = HR_E_BUSY;
		return;
	}
	if (!alone && store_begin(s, NULL) != HR_OK)
		failed = true;
	for (struct replay_check *c = batch; c != NULL && !failed; c = c->next)
		failed = (c->rc = record(rs, s, c)) == HR_E_BUSY && !alone;
	if (!alone && !failed && store_commit(s, NULL) != HR_OK)
		failed = true;
	if (failed) {
		(void)store_rollback(s, NULL); /* HR_E_STATE when nothing is open */
		for (struct replay_check *c = batch; c != NULL; c = c->next)
			c->rc = HR_E_BUSY;
	} else {
		purge_maybe(rs, s, batch->now);
	}
	store_pool_release(rs->pool, s);
}

hr_status replay_store_check(struct replay_store *rs, const void *id, size_t len, int64_t now,
			     int64_t expires_at)
{
	uint8_t digest[DIGEST_SHA256_LEN];
	struct replay_check me = {.now = now, .expires_at = expires_at, .rc = HR_E_BUSY};

	if (rs == NULL || (id == NULL && len > 0))
		return HR_E_STATE;
	if (expires_at <= now)
		return HR_OK;
	if (digest_sha256_of(id, len, digest) != HR_OK)
		return HR_E_BUSY;
	hex_encode(digest, sizeof(digest), me.hash);
	pthread_mutex_lock(&rs->lock);
	me.next = rs->queue;
	rs->queue = &me;
	while (!me.done) {
		struct replay_check *batch;

		if (rs->writing) {
			pthread_cond_wait(&rs->written, &rs->lock);
			continue;
		}
		/* no write under way: this caller writes everything queued */
		batch = sorted(rs->queue);
		rs->queue = NULL;
		rs->writing = true;
		pthread_mutex_unlock(&rs->lock);
		write_batch(rs, batch);
		pthread_mutex_lock(&rs->lock);
		for (struct replay_check *c = batch, *next; c != NULL; c = next) {
			next = c->next; /* c may return and leave as soon as it is done */
			c->done = true;
		}
		rs->writing = false;
		pthread_cond_broadcast(&rs->written);
	}
	pthread_mutex_unlock(&rs->lock);
	return me.rc;
}
