/*
 * cose_crypto.h — the signature algorithms of COSE (RFC 9053) over OpenSSL 3:
 * ES256/ES384/ES512 (ECDSA, signatures as raw r||s), PS256/PS384/PS512 (RSASSA-
 * PSS, salt length = hash length, RFC 8230) and EdDSA (Ed25519).
 *
 * Keys are classified once (key_kind_of) when a certificate or key is loaded, so
 * checking that an algorithm fits a key costs a comparison at verification time.
 * OpenSSL speaks DER ECDSA-Sig-Value; COSE and JWS speak raw fixed-width r||s:
 * the conversions check every length both ways.
 */
#ifndef HROMADA_CREDENTIAL_COSE_CRYPTO_H
#define HROMADA_CREDENTIAL_COSE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <hromada/status.h>

#define COSE_ALG_ES256 (-7)
#define COSE_ALG_ES384 (-35)
#define COSE_ALG_ES512 (-36)
#define COSE_ALG_PS256 (-37)
#define COSE_ALG_PS384 (-38)
#define COSE_ALG_PS512 (-39)
#define COSE_ALG_EDDSA (-8)

/* Largest raw signature we produce or accept (RSA 8192). */
#define COSE_SIGNATURE_MAX 1024

enum key_kind {
	KEY_KIND_UNSUPPORTED = 0,
	KEY_KIND_P256,
	KEY_KIND_P384,
	KEY_KIND_P521,
	KEY_KIND_RSA, /* 2048 bits or more */
	KEY_KIND_ED25519,
	KEY_KIND_EC_OTHER, /* another named curve: verified under ES*, never used to sign */
};

/* An ECDSA key of any curve. */
static inline int key_kind_is_ec(enum key_kind kind)
{
	return kind == KEY_KIND_P256 || kind == KEY_KIND_P384 || kind == KEY_KIND_P521 ||
	       kind == KEY_KIND_EC_OTHER;
}

struct cose_alg {
	int64_t id;
	const char *name;   /* "ES256" */
	enum key_kind key;  /* the key it needs */
	const char *digest; /* OpenSSL name, NULL for EdDSA */
	size_t field_bytes; /* ECDSA: bytes of r and of s; 0 otherwise */
};

/* NULL when the algorithm is not one we implement. */
const struct cose_alg *cose_alg_find(int64_t id);
/* By name, as JOSE writes it ("ES256", "PS256", "EdDSA"); NULL when unknown. */
const struct cose_alg *cose_alg_find_name(const char *name);
const struct cose_alg *cose_alg_for_key(enum key_kind kind);
enum key_kind key_kind_of(EVP_PKEY *key);

/*
 * A reusable OpenSSL operation context for one key and algorithm, used by one
 * thread: creating and initialising an EVP_PKEY_CTX costs ~1.4 us, about 7% of
 * an ECDSA signature, so hot loops (a verifier, an issuing thread) keep one.
 * The cache holds a reference on its key, so the key cannot be freed (and its
 * address reused by another key) while the context exists.
 */
struct cose_key_context {
	EVP_PKEY *key;
	const struct cose_alg *alg;
	EVP_PKEY_CTX *ctx;
	int operation; /* 1 sign, 2 verify */
};

void cose_key_context_clear(struct cose_key_context *cache);

/* HR_E_SIGNATURE when sig does not verify tbs under key; HR_E_INVALID when the
 * signature is malformed (wrong length) or the key does not fit the algorithm.
 *
 * ECDSA: the hash is the algorithm's, the key an EC key of any curve, and the
 * raw r||s has the width of the algorithm's curve or of the key's. National EU
 * DCC test data signs ES256 with P-384 keys and even with a c2tnb191v1 key and
 * expects them to verify; RFC 9053 §2.1 only recommends that curve and hash
 * match. Which keys are trusted at all is the trust list's decision. */
hr_status cose_crypto_verify(const struct cose_alg *alg, EVP_PKEY *key, enum key_kind kind,
			     const uint8_t *tbs, size_t tbs_len, const uint8_t *sig, size_t sig_len,
			     struct hr_error *err);

/* Signs tbs; *sig_len is the capacity of sig on entry, the length on return. */
hr_status cose_crypto_sign(const struct cose_alg *alg, EVP_PKEY *key, const uint8_t *tbs,
			   size_t tbs_len, uint8_t *sig, size_t *sig_len, struct hr_error *err);

/* The same, reusing (and filling) cache when it is not NULL. */
hr_status cose_crypto_verify_cached(struct cose_key_context *cache, const struct cose_alg *alg,
				    EVP_PKEY *key, enum key_kind kind, const uint8_t *tbs,
				    size_t tbs_len, const uint8_t *sig, size_t sig_len,
				    struct hr_error *err);
hr_status cose_crypto_sign_cached(struct cose_key_context *cache, const struct cose_alg *alg,
				  EVP_PKEY *key, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
				  size_t *sig_len, struct hr_error *err);

/* The algorithm's hash of tbs into out; its length, or 0 for EdDSA (which signs
 * the message itself) and on failure. */
size_t cose_crypto_digest(const struct cose_alg *alg, const uint8_t *tbs, size_t tbs_len,
			  uint8_t out[EVP_MAX_MD_SIZE]);
/* Signs a digest made by cose_crypto_digest (the key process signs only these:
 * it never sees the message). HR_E_UNSUPPORTED for EdDSA. */
hr_status cose_crypto_sign_digest(struct cose_key_context *cache, const struct cose_alg *alg,
				  EVP_PKEY *key, const uint8_t *digest, size_t digest_len,
				  uint8_t *sig, size_t *sig_len, struct hr_error *err);

/* Raw r||s (2 * field_bytes) <-> DER. */
hr_status ecdsa_raw_to_der(const uint8_t *raw, size_t raw_len, uint8_t **der, size_t *der_len);
hr_status ecdsa_der_to_raw(const uint8_t *der, size_t der_len, size_t field_bytes, uint8_t *raw);

#endif
