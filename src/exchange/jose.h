/*
 * jose.h — the JOSE pieces the exchange uses: P-256 public JWKs (RFC 7517/7518),
 * their thumbprints (RFC 7638), and compact JWS with ES256 (RFC 7515), on
 * OpenSSL 3 and jansson. No "none", no HMAC, no algorithm taken from a header
 * without checking it against the key: only ES256 is accepted here.
 *
 * JWS signatures are raw r||s (64 bytes), as COSE's are (cose_crypto.h).
 */
#ifndef HROMADA_EXCHANGE_JOSE_H
#define HROMADA_EXCHANGE_JOSE_H

#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <hromada/status.h>

#include "core/buf.h"

struct signer;

/* 43 characters of base64url SHA-256, NUL-terminated. */
#define JOSE_THUMBPRINT_LEN 44

/* A public P-256 JWK {kty:"EC", crv:"P-256", x, y} to a key; a JWK holding a
 * private part ("d") is refused. Stage "jwk". Caller frees *out. */
hr_status jose_jwk_to_key(const json_t *jwk, EVP_PKEY **out, struct hr_error *err);
/* The public JWK of a P-256 key. Caller decrefs. */
hr_status jose_key_to_jwk(EVP_PKEY *key, json_t **out, struct hr_error *err);
/* RFC 7638 thumbprint of a P-256 JWK: base64url(SHA-256({"crv","kty","x","y"})). */
hr_status jose_jwk_thumbprint(const json_t *jwk, char out[JOSE_THUMBPRINT_LEN],
			      struct hr_error *err);

/*
 * Compact JWS, ES256: header (its "alg" is set to ES256) . payload . signature.
 * Appends the text to out.
 */
hr_status jose_jws_sign(struct signer *signer, const json_t *header, const json_t *payload,
			struct buf *out, struct hr_error *err);

/* The same within max_len bytes instead of 64 KiB: a document that is
 * legitimately large (a country's upload to the trust service). */
hr_status jose_jws_sign_limit(struct signer *signer, const json_t *header, const json_t *payload,
			      size_t max_len, struct buf *out, struct hr_error *err);

/*
 * Verifies a compact JWS. With key == NULL the key is the "jwk" of the protected
 * header (DPoP, consent), else key (and a "jwk" in the header is ignored for
 * trust). alg must be ES256. On success *header and *payload are the decoded
 * objects (caller decrefs). Stage "jws".
 */
hr_status jose_jws_verify(const char *jws, size_t len, EVP_PKEY *key, json_t **header,
			  json_t **payload, struct hr_error *err);

/* The same within max_len bytes instead of 64 KiB. */
hr_status jose_jws_verify_limit(const char *jws, size_t len, size_t max_len, EVP_PKEY *key,
				json_t **header, json_t **payload, struct hr_error *err);

/* The protected header of a compact JWS, NOT verified: only to choose the key
 * (by "kid") that jose_jws_verify then checks it with. Caller decrefs. */
hr_status jose_jws_header(const char *jws, size_t len, json_t **header, struct hr_error *err);

/* base64url(SHA-256(data)), as DPoP's ath and Content-Digest's hash use. */
void jose_sha256_b64url(const void *data, size_t len, char out[JOSE_THUMBPRINT_LEN]);

#endif
