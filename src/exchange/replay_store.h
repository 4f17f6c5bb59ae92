/*
 * replay_store.h — replay records kept in a role's store (SQLite or
 * PostgreSQL, core/store.h), so that an identifier seen once (a DPoP proof's
 * jti, a member's RFC 9421 nonce) stays seen across a restart of the role and
 * across every copy of the role sharing one PostgreSQL store behind a load
 * balancer (issue 13: before, a proof used a second before a restart was
 * accepted again after it).
 *
 * A record is (scope, SHA-256 of the identifier, expires_at): the identifier
 * itself is never stored. It lives as long as the proof it stands for could be
 * accepted (the caller's expires_at) and is then free to be overwritten, and
 * purged at most once a second, a bounded batch at a time. The in-memory
 * replay_cache stays in front as the fast path for replays within one process
 * (replay_cache_set_store): the store is asked only about identifiers the
 * memory has not seen.
 *
 * A role adds REPLAY_STORE_SQL as one of its store migrations.
 *
 * Thread-safe: checks arriving together share one pool connection and one
 * transaction (group commit), each still answered by its own row count.
 */
#ifndef HROMADA_EXCHANGE_REPLAY_STORE_H
#define HROMADA_EXCHANGE_REPLAY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#define REPLAY_STORE_SQL                                                                           \
	"CREATE TABLE replay_records (scope TEXT NOT NULL, id_hash TEXT NOT NULL, "                \
	"expires_at BIGINT NOT NULL, PRIMARY KEY (scope, id_hash));"                               \
	"CREATE INDEX replay_records_by_expiry ON replay_records (expires_at);"
#define REPLAY_STORE_SCOPE_MAX 32
#define REPLAY_STORE_WAIT_MS   2000 /* for a pool connection; then HR_E_BUSY */
#define REPLAY_STORE_PURGE_S   1    /* expired records are deleted at most this often, */
#define REPLAY_STORE_PURGE_MAX 100  /* at most this many at a time (see replay_store.c) */

struct store_pool;
struct replay_store;

/* Records under scope (a short name: "dpop", "member"), in pool's store, whose
 * schema has REPLAY_STORE_SQL. pool must outlive the record. NULL on bad input
 * or out of memory. */
struct replay_store *replay_store_new(struct store_pool *pool, const char *scope);
void replay_store_free(struct replay_store *rs);

/*
 * Records id as seen until expires_at. HR_OK the first time (or when its
 * earlier record has expired at now); HR_E_CONFLICT when it is recorded and
 * live; HR_E_BUSY when the store could not be reached or written (refuse:
 * accepting would let a replay through). An id already expired at now is not
 * recorded (HR_OK).
 */
hr_status replay_store_check(struct replay_store *rs, const void *id, size_t len, int64_t now,
			     int64_t expires_at);

#endif
