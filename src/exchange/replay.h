/*
 * replay.h — a bounded record of identifiers already seen (DPoP jti, HTTP
 * signature nonces, consent ids), each remembered until it expires.
 *
 * Memory is fixed at creation. When the record is full of identifiers that have
 * not expired yet, a new one is refused (HR_E_BUSY) rather than an old one
 * forgotten: forgetting would let a replay through, refusing only costs a retry.
 *
 * Fair shares (security review H4). An identifier may be charged to an owner —
 * for signature nonces, the member that signed. One owner may hold at most a
 * share of the record (half of the capacity unless created otherwise); beyond
 * it, its new identifiers are refused with HR_E_BUSY while other owners still
 * find room. So one member flooding the record with signed requests refuses
 * only itself. Identifiers with no owner (replay_cache_check) are limited only
 * by the record's size, as before.
 *
 * Durable records (issue 13). Memory alone forgets on restart, and each copy
 * of a role behind a load balancer has its own: replay_cache_set_store puts a
 * store-backed record (exchange/replay_store.h) behind the memory. An
 * identifier the memory has not seen is then also recorded in the store, and
 * refused (HR_E_CONFLICT) if the store has it live — seen before a restart, or
 * by another copy. A store that cannot answer refuses (HR_E_BUSY).
 *
 * Thread-safe.
 */
#ifndef HROMADA_EXCHANGE_REPLAY_H
#define HROMADA_EXCHANGE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

/* Distinct owners counted apart in one record. Later owners share one more
 * share between them (see replay.c). */
#define REPLAY_OWNERS_MAX 1024

struct replay_cache;
struct replay_store;

/* A record for capacity identifiers; one owner may hold capacity / 2 of them
 * (at least 1). NULL when out of memory or capacity is absurd (over 2^26). */
struct replay_cache *replay_cache_new(size_t capacity);
/* The same with another share: the most live identifiers one owner may hold
 * (owner_share >= capacity makes owners unlimited, e.g. for a record only one
 * peer ever signs into). NULL also when owner_share is 0. */
struct replay_cache *replay_cache_new_fair(size_t capacity, size_t owner_share);
void replay_cache_free(struct replay_cache *cache);
/* Puts store (may be NULL: memory only) behind the cache; not owned, must
 * outlive it. Set before the cache is used. */
void replay_cache_set_store(struct replay_cache *cache, struct replay_store *store);

/*
 * Records id (any bytes; only its SHA-256 is kept) as seen until expires_at
 * (seconds), charged to no owner. HR_OK the first time; HR_E_CONFLICT when it
 * was seen and has not expired at now; HR_E_BUSY when the record is full. An
 * identifier that has already expired at now is not kept (HR_OK).
 */
hr_status replay_cache_check(struct replay_cache *cache, const void *id, size_t len, int64_t now,
			     int64_t expires_at);

/*
 * The same, charging id to owner (any bytes, e.g. the keyid of a verified
 * signature). Also HR_E_BUSY when owner already holds its share of live
 * identifiers. A replay is HR_E_CONFLICT whatever the owner holds.
 *
 * owner must be a name the caller authenticated, never one an unauthenticated
 * peer picks: each new name takes one of REPLAY_OWNERS_MAX places for the
 * record's life. Identifiers are one namespace whoever owns them; when the
 * same identifier may come from two owners, put the owner in id (httpsig does).
 */
hr_status replay_cache_check_owned(struct replay_cache *cache, const void *owner, size_t owner_len,
				   const void *id, size_t len, int64_t now, int64_t expires_at);

#endif
