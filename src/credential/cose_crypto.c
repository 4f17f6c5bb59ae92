/*
 * cose_crypto.c — COSE signature algorithms on OpenSSL 3.
 *
 * ECDSA and RSA-PSS hash first (one-shot SHA-2, no digest fetch per call) and
 * sign or verify the digest; Ed25519 signs the message itself. Keys are parsed
 * by the caller once; here they are only used.
 */
#include "credential/cose_crypto.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include "core/digest.h"
#include "core/error.h"

#define STAGE "signature"

static const struct cose_alg algs[] = {
    {COSE_ALG_ES256, "ES256", KEY_KIND_P256, "SHA256", 32},
    {COSE_ALG_ES384, "ES384", KEY_KIND_P384, "SHA384", 48},
    {COSE_ALG_ES512, "ES512", KEY_KIND_P521, "SHA512", 66},
    {COSE_ALG_PS256, "PS256", KEY_KIND_RSA, "SHA256", 0},
    {COSE_ALG_PS384, "PS384", KEY_KIND_RSA, "SHA384", 0},
    {COSE_ALG_PS512, "PS512", KEY_KIND_RSA, "SHA512", 0},
    {COSE_ALG_EDDSA, "EdDSA", KEY_KIND_ED25519, NULL, 0},
};

const struct cose_alg *cose_alg_find(int64_t id)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (algs[i].id == id)
			return &algs[i];
	}
	return NULL;
}

const struct cose_alg *cose_alg_find_name(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strcmp(algs[i].name, name) == 0)
			return &algs[i];
	}
	return NULL;
}

const struct cose_alg *cose_alg_for_key(enum key_kind kind)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (algs[i].key == kind)
			return &algs[i];
	}
	return NULL;
}

enum key_kind key_kind_of(EVP_PKEY *key)
{
	char group[64];
	size_t len = 0;

	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_ED25519:
		return KEY_KIND_ED25519;
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		return EVP_PKEY_get_bits(key) >= 2048 ? KEY_KIND_RSA : KEY_KIND_UNSUPPORTED;
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
						    sizeof(group), &len))
			return KEY_KIND_UNSUPPORTED;
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
			return KEY_KIND_P256;
		if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
			return KEY_KIND_P384;
		if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
			return KEY_KIND_P521;
		return KEY_KIND_EC_OTHER;
	default:
		return KEY_KIND_UNSUPPORTED;
	}
}

/* One-shot SHA-2 by name (core/digest.h); returns the digest length, 0 on failure. */
static size_t digest_of(const char *name, const uint8_t *data, size_t len, uint8_t *out)
{
	const EVP_MD *md;
	unsigned int n = 0;

	md = strcmp(name, "SHA256") == 0   ? digest_sha256()
	     : strcmp(name, "SHA384") == 0 ? digest_sha384()
	     : strcmp(name, "SHA512") == 0 ? digest_sha512()
					   : NULL;
	if (md == NULL || EVP_Digest(data, len, out, &n, md, NULL) != 1)
		return 0;
	return n;
}

void cose_key_context_clear(struct cose_key_context *c)
{
	if (c == NULL)
		return;
	EVP_PKEY_CTX_free(c->ctx);
	EVP_PKEY_free(c->key);
	memset(c, 0, sizeof(*c));
}

/* Padding set-up for RSA-PSS contexts; MGF1 uses the signature digest. */
static int set_pss(EVP_PKEY_CTX *ctx, const char *digest, int saltlen);

/*
 * A context initialised for operation (1 sign, 2 verify) with key and alg,
 * from the cache when it matches, else new (and kept in the cache if given).
 * Without a cache the caller frees the returned context.
 */
static EVP_PKEY_CTX *context_for(struct cose_key_context *cache, const struct cose_alg *alg,
				 EVP_PKEY *key, int operation)
{
	EVP_PKEY_CTX *ctx;
	int ok;

	if (cache != NULL && cache->ctx != NULL && cache->key == key && cache->alg == alg &&
	    cache->operation == operation)
		return cache->ctx;
	ctx = EVP_PKEY_CTX_new(key, NULL);
	ok = ctx != NULL &&
	     (operation == 1 ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) == 1;
	/* verification accepts any PSS salt length: the scheme's security does not
	 * depend on it, and some national signers use the maximum */
	if (ok && alg->key == KEY_KIND_RSA)
		ok = set_pss(ctx, alg->digest,
			     operation == 1 ? RSA_PSS_SALTLEN_DIGEST : RSA_PSS_SALTLEN_AUTO);
	if (!ok) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	if (cache != NULL) {
		cose_key_context_clear(cache);
		EVP_PKEY_up_ref(key);
		cache->key = key;
		cache->alg = alg;
		cache->ctx = ctx;
		cache->operation = operation;
	}
	return ctx;
}

hr_status ecdsa_raw_to_der(const uint8_t *raw, size_t raw_len, uint8_t **der, size_t *der_len)
{
	ECDSA_SIG *sig;
	BIGNUM *r, *s;
	unsigned char *p = NULL;
	int n;

	*der = NULL;
	if (raw_len == 0 || raw_len % 2 != 0 || raw_len > 2 * 66)
		return HR_E_INVALID;
	sig = ECDSA_SIG_new();
	r = BN_bin2bn(raw, (int)(raw_len / 2), NULL);
	s = BN_bin2bn(raw + raw_len / 2, (int)(raw_len / 2), NULL);
	if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return HR_E_NOMEM;
	}
	n = i2d_ECDSA_SIG(sig, &p);
	ECDSA_SIG_free(sig);
	if (n <= 0)
		return HR_E_CRYPTO;
	*der = p;
	*der_len = (size_t)n;
	return HR_OK;
}

hr_status ecdsa_der_to_raw(const uint8_t *der, size_t der_len, size_t field_bytes, uint8_t *raw)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	const BIGNUM *r, *s;
	hr_status rc = HR_OK;

	if (sig == NULL || p != der + der_len)
		rc = HR_E_CRYPTO;
	if (rc == HR_OK) {
		ECDSA_SIG_get0(sig, &r, &s);
		if (BN_bn2binpad(r, raw, (int)field_bytes) != (int)field_bytes ||
		    BN_bn2binpad(s, raw + field_bytes, (int)field_bytes) != (int)field_bytes)
			rc = HR_E_CRYPTO;
	}
	ECDSA_SIG_free(sig);
	return rc;
}

static hr_status verify_eddsa(EVP_PKEY *key, const uint8_t *tbs, size_t tbs_len, const uint8_t *sig,
			      size_t sig_len, struct hr_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	if (md == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	ok = EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 &&
	     EVP_DigestVerify(md, sig, sig_len, tbs, tbs_len) == 1;
	EVP_MD_CTX_free(md);
	return ok ? HR_OK
		  : hr_error_set(err, HR_E_SIGNATURE, STAGE, "EdDSA signature does not verify");
}

static int set_pss(EVP_PKEY_CTX *ctx, const char *digest, int saltlen)
{
	return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_signature_md(ctx, EVP_get_digestbyname(digest)) > 0 &&
	       EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, saltlen) > 0;
}

hr_status cose_crypto_verify(const struct cose_alg *alg, EVP_PKEY *key, enum key_kind kind,
			     const uint8_t *tbs, size_t tbs_len, const uint8_t *sig, size_t sig_len,
			     struct hr_error *err)
{
	return cose_crypto_verify_cached(NULL, alg, key, kind, tbs, tbs_len, sig, sig_len, err);
}

hr_status cose_crypto_verify_cached(struct cose_key_context *cache, const struct cose_alg *alg,
				    EVP_PKEY *key, enum key_kind kind, const uint8_t *tbs,
				    size_t tbs_len, const uint8_t *sig, size_t sig_len,
				    struct hr_error *err)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	uint8_t *der = NULL;
	size_t digest_len, der_len = 0;
	EVP_PKEY_CTX *ctx;
	int ok;

	if (alg->field_bytes != 0 ? !key_kind_is_ec(kind) : kind != alg->key)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "algorithm %s does not match the signer's key", alg->name);
	if (alg->key == KEY_KIND_ED25519) {
		if (sig_len != 64)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "EdDSA signature is %zu bytes, not 64", sig_len);
		return verify_eddsa(key, tbs, tbs_len, sig, sig_len, err);
	}
	if (alg->field_bytes != 0) {
		/* RFC 9053 §2.1: exactly 2 * field size, no DER; the field of the
		 * algorithm's curve or of the key's (see the header) */
		size_t key_field = (size_t)(EVP_PKEY_get_bits(key) + 7) / 8;
		if (sig_len != 2 * alg->field_bytes && sig_len != 2 * key_field)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s signature is %zu bytes, not %zu", alg->name,
					    sig_len, 2 * alg->field_bytes);
		if (ecdsa_raw_to_der(sig, sig_len, &der, &der_len) != HR_OK)
			return hr_error_set(err, HR_E_INVALID, STAGE, "malformed %s signature",
					    alg->name);
	} else if (sig_len != (size_t)EVP_PKEY_get_size(key)) {
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s signature is %zu bytes, not %d",
				    alg->name, sig_len, EVP_PKEY_get_size(key));
	}
	if ((digest_len = digest_of(alg->digest, tbs, tbs_len, digest)) == 0) {
		OPENSSL_free(der);
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot hash the signed data");
	}
	ctx = context_for(cache, alg, key, 2);
	ok = ctx != NULL;
	if (ok)
		ok = der ? EVP_PKEY_verify(ctx, der, der_len, digest, digest_len) == 1
			 : EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1;
	if (cache == NULL)
		EVP_PKEY_CTX_free(ctx);
	OPENSSL_free(der);
	if (!ok)
		return hr_error_set(err, HR_E_SIGNATURE, STAGE, "%s signature does not verify",
				    alg->name);
	return HR_OK;
}

hr_status cose_crypto_sign(const struct cose_alg *alg, EVP_PKEY *key, const uint8_t *tbs,
			   size_t tbs_len, uint8_t *sig, size_t *sig_len, struct hr_error *err)
{
	return cose_crypto_sign_cached(NULL, alg, key, tbs, tbs_len, sig, sig_len, err);
}

size_t cose_crypto_digest(const struct cose_alg *alg, const uint8_t *tbs, size_t tbs_len,
			  uint8_t out[EVP_MAX_MD_SIZE])
{
	if (alg->digest == NULL)
		return 0;
	return digest_of(alg->digest, tbs, tbs_len, out);
}

hr_status cose_crypto_sign_digest(struct cose_key_context *cache, const struct cose_alg *alg,
				  EVP_PKEY *key, const uint8_t *digest, size_t digest_len,
				  uint8_t *sig, size_t *sig_len, struct hr_error *err)
{
	uint8_t der[256];
	size_t der_len = sizeof(der), cap = *sig_len;
	EVP_PKEY_CTX *ctx;
	int ok;

	if (alg->digest == NULL)
		return hr_error_set(err, HR_E_UNSUPPORTED, "sign", "%s does not sign a digest",
				    alg->name);
	ctx = context_for(cache, alg, key, 1);
	ok = ctx != NULL;
	if (ok && alg->field_bytes != 0) {
		ok = EVP_PKEY_sign(ctx, der, &der_len, digest, digest_len) == 1 &&
		     cap >= 2 * alg->field_bytes &&
		     ecdsa_der_to_raw(der, der_len, alg->field_bytes, sig) == HR_OK;
		*sig_len = 2 * alg->field_bytes;
	} else if (ok) {
		*sig_len = cap;
		ok = EVP_PKEY_sign(ctx, sig, sig_len, digest, digest_len) == 1;
	}
	if (cache == NULL)
		EVP_PKEY_CTX_free(ctx);
	return ok ? HR_OK : hr_error_set(err, HR_E_CRYPTO, "sign", "%s signing failed", alg->name);
}

hr_status cose_crypto_sign_cached(struct cose_key_context *cache, const struct cose_alg *alg,
				  EVP_PKEY *key, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
				  size_t *sig_len, struct hr_error *err)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	size_t digest_len, cap = *sig_len;
	EVP_MD_CTX *md;
	int ok;

	if (alg->key == KEY_KIND_ED25519) {
		md = EVP_MD_CTX_new();
		*sig_len = cap;
		ok = md != NULL && EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
		     EVP_DigestSign(md, sig, sig_len, tbs, tbs_len) == 1;
		EVP_MD_CTX_free(md);
		return ok ? HR_OK : hr_error_set(err, HR_E_CRYPTO, "sign", "EdDSA signing failed");
	}
	if ((digest_len = cose_crypto_digest(alg, tbs, tbs_len, digest)) == 0)
		return hr_error_set(err, HR_E_CRYPTO, "sign", "cannot hash the data to sign");
	return cose_crypto_sign_digest(cache, alg, key, digest, digest_len, sig, sig_len, err);
}
