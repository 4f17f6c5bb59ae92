/*
 * siphash.h — SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012), with 64-bit and 128-bit outputs.
 *
 * A keyed hash for tables of values an attacker may choose or must not be able
 * to reverse without the key: the nccc's value index, leakscan's index of the
 * registries. A few nanoseconds for a short value, against a microsecond for
 * HMAC-SHA-256 through OpenSSL's EVP: the difference between scanning ten
 * million rows in seconds and in minutes. Checked against OpenSSL's SIPHASH
 * in tests/unit/test_value_index.c.
 */
#ifndef HROMADA_CORE_SIPHASH_H
#define HROMADA_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

/* len bytes under a 16-byte key: out[0] the first 64-bit word, out[1] the second. */
void siphash_128(const uint8_t key[SIPHASH_KEY_LEN], const void *data, size_t len, uint64_t out[2]);
/* The 64-bit SipHash-2-4 of the original paper. */
void siphash_64(const uint8_t key[SIPHASH_KEY_LEN], const void *data, size_t len, uint64_t *out);

#endif
