/*
 * rate_limit.h — per-client token buckets (a client is any short key, usually
 * the peer's IP address bytes).
 *
 * Each client may make `burst` requests at once and `per_second` on average.
 * State lives in a fixed table allocated once: a flood of distinct addresses
 * evicts the least recently seen clients instead of growing memory. Thread-safe
 * (striped locks), no allocation after creation.
 */
#ifndef HROMADA_CORE_RATE_LIMIT_H
#define HROMADA_CORE_RATE_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATE_LIMIT_KEY_MAX 16

struct rate_limiter;

/* NULL when out of memory. per_second > 0, burst >= 1. */
struct rate_limiter *rate_limiter_new(double per_second, unsigned burst);
void rate_limiter_free(struct rate_limiter *limiter);

/*
 * Takes one token for key at time now_us (monotonic microseconds). Returns false
 * when the client must wait, with *retry_after_s the whole seconds until a token
 * is available (at least 1). Keys longer than RATE_LIMIT_KEY_MAX are truncated.
 */
bool rate_limiter_take(struct rate_limiter *limiter, const void *key, size_t key_len,
		       uint64_t now_us, unsigned *retry_after_s);

#endif
