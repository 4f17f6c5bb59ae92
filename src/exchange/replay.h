/*
 * replay.h — a bounded record of identifiers already seen (DPoP jti, HTTP
 * signature nonces, consent ids), each remembered until it expires.
 *
 * Memory is fixed at creation. When the record is full of identifiers that have
 * not expired yet, a new one is refused (HR_E_BUSY) rather than an old one
 * forgotten: forgetting would let a replay through, refusing only costs a retry.
 * Thread-safe.
 */
#ifndef HROMADA_EXCHANGE_REPLAY_H
#define HROMADA_EXCHANGE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

struct replay_cache;

struct replay_cache *replay_cache_new(size_t capacity);
void replay_cache_free(struct replay_cache *cache);

/*
 * Records id (any bytes; only its SHA-256 is kept) as seen until expires_at
 * (seconds). HR_OK the first time; HR_E_CONFLICT when it was seen and has not
 * expired at now; HR_E_BUSY when the record is full.
 */
hr_status replay_cache_check(struct replay_cache *cache, const void *id, size_t len, int64_t now,
			     int64_t expires_at);

#endif
