/*
 * digest.h — SHA-2 with OpenSSL's implementations fetched once per process.
 *
 * SHA256(), EVP_sha256() and their kin look the implementation up in the
 * provider on every call: a lock and a hash-table lookup that cost about as
 * much as hashing a short message, and on a server every thread queues on
 * that lock. Every SHA-2 in the tree goes through here instead.
 *
 * The EVP_MDs live until the process ends (never freed: threads may hash
 * until the very end). A getter returns NULL only when OpenSSL cannot provide
 * the digest at all (a broken installation); callers treat that as
 * HR_E_CRYPTO like any other failed hash.
 */
#ifndef HROMADA_CORE_DIGEST_H
#define HROMADA_CORE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <hromada/status.h>

#define DIGEST_SHA256_LEN 32

const EVP_MD *digest_sha256(void);
const EVP_MD *digest_sha384(void);
const EVP_MD *digest_sha512(void);

/* SHA-256 of len bytes at data (NULL allowed when len is 0) into out;
 * HR_E_CRYPTO if OpenSSL fails, out then all zero. */
hr_status digest_sha256_of(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN]);

#endif
