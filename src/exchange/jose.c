/*
 * jose.c — P-256 JWKs, RFC 7638 thumbprints and compact ES256 JWS (see jose.h).
 *
 * Verification reads untrusted text, so it is bounded and strict: at most
 * JOSE_JWS_MAX_LEN bytes (or the caller's larger bound), exactly three base64url parts (no padding,
 * no whitespace, canonical trailing bits), a protected header that is a JSON object without
 * duplicate members, "alg" exactly "ES256", no "crit" (we implement no extension, RFC 7515
 * §4.1.11), a signature of exactly 64 bytes. Keys from a "jwk" are imported through OpenSSL, which
 * refuses coordinates that are not a point on P-256, and then checked again
 * (EVP_PKEY_public_check_quick). Importing costs about a quarter of an ES256 verification (OpenSSL
 * builds the group each time), and a device sends the same key with every proof, so the last
 * KEY_CACHE_SIZE points imported are kept (by their full coordinates; a miss only costs time) and
 * shared by reference: OpenSSL allows a key to be used from several threads at once for
 * verification.
 *
 * Never: accept "none" or an HMAC, let the header choose the algorithm, or
 * accept a JWK that carries a private key.
 */
#include "exchange/jose.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>

#include "core/base64.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/json.h"
#include "credential/cose_crypto.h"
#include "credential/signer.h"

#define STAGE_JWK "jwk"
#define STAGE_JWS "jws"

/* Longest compact JWS accepted or produced (a consent is a few hundred bytes). */
#define JOSE_JWS_MAX_LEN (64 * 1024)
/* base64url of 32 bytes, without padding. */
#define COORDINATE_B64_LEN 43
/* base64url of a 64-byte ES256 signature, without padding. */
#define SIGNATURE_B64_LEN 86
/* Imported JWK points remembered (direct-mapped). */
#define KEY_CACHE_SIZE 256

/* base64url of at most 48 bytes into out (at least 4 * ceil(n / 3) + 1 bytes). */
static void b64url_small(const uint8_t *in, size_t n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);

	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = 0;
	for (int i = 0; i < len; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
}

void jose_sha256_b64url(const void *data, size_t len, char out[JOSE_THUMBPRINT_LEN])
{
	uint8_t digest[DIGEST_SHA256_LEN];
	char text[48];

	if (digest_sha256_of(data, len, digest) != HR_OK) {
		out[0] = 0; /* cannot happen short of a broken OpenSSL; compares unequal */
		return;
	}
	b64url_small(digest, sizeof(digest), text);
	memcpy(out, text, JOSE_THUMBPRINT_LEN - 1);
	out[JOSE_THUMBPRINT_LEN - 1] = 0;
}

/* One coordinate: a string of exactly 43 base64url characters, 32 bytes. */
static hr_status decode_coordinate(const json_t *jwk, const char *name, uint8_t out[32],
				   struct hr_error *err)
{
	const json_t *value = json_object_get(jwk, name);
	struct buf b;
	hr_status rc;

	if (!json_is_string(value))
		return hr_error_set(err, HR_E_INVALID, STAGE_JWK, "\"%s\" must be a string", name);
	if (json_string_length(value) != COORDINATE_B64_LEN)
		return hr_error_set(err, HR_E_INVALID, STAGE_JWK,
				    "\"%s\" must be 32 bytes in base64url (43 characters)", name);
	buf_init(&b, 32 + 2); /* base64_decode reserves up to 2 bytes more than it writes */
	rc = base64_decode(json_string_value(value), COORDINATE_B64_LEN, BASE64_URL, &b);
	if (rc == HR_OK && b.len == 32)
		memcpy(out, b.data, 32);
	buf_clear(&b);
	if (rc != HR_OK)
		return hr_error_set(err, HR_E_INVALID, STAGE_JWK, "\"%s\" is not base64url", name);
	return HR_OK;
}

/* The public members of a P-256 JWK: kty "EC", crv "P-256", x and y. */
static hr_status jwk_coordinates(const json_t *jwk, uint8_t x[32], uint8_t y[32],
				 struct hr_error *err)
{
	const char *kty, *crv;
	hr_status rc;

	if (!json_is_object(jwk))
		return hr_error_set(err, HR_E_INVALID, STAGE_JWK, "the JWK must be a JSON object");
	kty = json_string_value(json_object_get(jwk, "kty"));
	crv = json_string_value(json_object_get(jwk, "crv"));
	if (kty == NULL || strcmp(kty, "EC") != 0)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE_JWK,
				    "only EC keys are accepted (\"kty\": \"EC\")");
	if (crv == NULL || strcmp(crv, "P-256") != 0)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE_JWK,
				    "only P-256 keys are accepted (\"crv\": \"P-256\")");
	if ((rc = decode_coordinate(jwk, "x", x, err)) != HR_OK)
		return rc;
	return decode_coordinate(jwk, "y", y, err);
}

/* The point (x, y) as an OpenSSL public key, refused when it is not on P-256. */
static hr_status key_import(const uint8_t x[32], const uint8_t y[32], EVP_PKEY **out,
			    struct hr_error *err)
{
	uint8_t point[65];
	char group[] = "P-256";
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL), *check = NULL;
	EVP_PKEY *key = NULL;
	int ok;

	point[0] = 0x04; /* uncompressed, SEC 1 §2.3.3 */
	memcpy(point + 1, x, 32);
	memcpy(point + 33, y, 32);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] =
	    OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
	params[2] = OSSL_PARAM_construct_end();
	ok = ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
	     EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
	if (ok) {
		check = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
		ok = check != NULL && EVP_PKEY_public_check_quick(check) == 1;
	}
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		EVP_PKEY_free(key);
		return hr_error_set(err, HR_E_INVALID, STAGE_JWK,
				    "x and y are not a point on P-256");
	}
	*out = key;
	return HR_OK;
}

static struct key_cache_entry {
	uint8_t point[64]; /* x || y */
	EVP_PKEY *key;     /* one reference held by the cache */
} key_cache[KEY_CACHE_SIZE];
static pthread_mutex_t key_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* The point (x, y) as a key the caller frees, from the cache when it is there. */
static hr_status key_from_point(const uint8_t x[32], const uint8_t y[32], EVP_PKEY **out,
				struct hr_error *err)
{
	uint8_t point[64];
	uint32_t h = 2166136261u; /* FNV-1a: only spreads entries, a collision costs time */
	struct key_cache_entry *e;
	EVP_PKEY *key = NULL, *old;
	hr_status rc;

	memcpy(point, x, 32);
	memcpy(point + 32, y, 32);
	for (size_t i = 0; i < sizeof(point); i++)
		h = (h ^ point[i]) * 16777619u;
	e = &key_cache[h % KEY_CACHE_SIZE];
	pthread_mutex_lock(&key_cache_lock);
	if (e->key != NULL && memcmp(e->point, point, sizeof(point)) == 0 &&
	    EVP_PKEY_up_ref(e->key) == 1)
		key = e->key;
	pthread_mutex_unlock(&key_cache_lock);
	if (key != NULL) {
		*out = key;
		return HR_OK;
	}
	if ((rc = key_import(x, y, &key, err)) != HR_OK)
		return rc;
	if (EVP_PKEY_up_ref(key) == 1) {
		pthread_mutex_lock(&key_cache_lock);
		old = e->key;
		memcpy(e->point, point, sizeof(point));
		e->key = key;
		pthread_mutex_unlock(&key_cache_lock);
		EVP_PKEY_free(old);
	}
	*out = key;
	return HR_OK;
}

hr_status jose_jwk_to_key(const json_t *jwk, EVP_PKEY **out, struct hr_error *err)
{
	uint8_t x[32], y[32];
	hr_status rc;

	*out = NULL;
	if ((rc = jwk_coordinates(jwk, x, y, err)) != HR_OK)
		return rc;
	/* RFC 9449 §4.3 item 7, and any public-key slot: never a private key */
	if (json_object_get(jwk, "d") != NULL)
		return hr_error_set(
		    err, HR_E_INVALID, STAGE_JWK,
		    "the JWK holds a private key (\"d\"); send the public key only");
	return key_from_point(x, y, out, err);
}

hr_status jose_key_to_jwk(EVP_PKEY *key, json_t **out, struct hr_error *err)
{
	BIGNUM *x = NULL, *y = NULL;
	uint8_t xb[32], yb[32];
	char xs[48], ys[48];
	int ok;

	*out = NULL;
	if (key == NULL || key_kind_of(key) != KEY_KIND_P256)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE_JWK, "the key is not a P-256 key");
	ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
	     EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
	     BN_bn2binpad(x, xb, 32) == 32 && BN_bn2binpad(y, yb, 32) == 32;
	BN_free(x);
	BN_free(y);
	if (!ok)
		return hr_error_set(err, HR_E_CRYPTO, STAGE_JWK, "cannot read the public point");
	b64url_small(xb, 32, xs);
	b64url_small(yb, 32, ys);
	*out = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", xs, "y", ys);
	return *out != NULL ? HR_OK : hr_error_set(err, HR_E_NOMEM, STAGE_JWK, "out of memory");
}

hr_status jose_jwk_thumbprint(const json_t *jwk, char out[JOSE_THUMBPRINT_LEN],
			      struct hr_error *err)
{
	uint8_t x[32], y[32];
	char text[128];
	int n;
	hr_status rc;

	out[0] = 0;
	if ((rc = jwk_coordinates(jwk, x, y, err)) != HR_OK)
		return rc;
	/* RFC 7638 §3.2: the required members in lexicographic order, no whitespace;
	 * x and y were checked to be 43 base64url characters, so nothing needs escaping */
	n = snprintf(text, sizeof(text),
		     "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
		     json_string_value(json_object_get(jwk, "x")),
		     json_string_value(json_object_get(jwk, "y")));
	if (n <= 0 || (size_t)n >= sizeof(text))
		return hr_error_set(err, HR_E_INVALID, STAGE_JWK, "JWK members too long");
	jose_sha256_b64url(text, (size_t)n, out);
	return HR_OK;
}

hr_status jose_jws_sign(struct signer *signer, const json_t *header, const json_t *payload,
			struct buf *out, struct hr_error *err)
{
	return jose_jws_sign_limit(signer, header, payload, JOSE_JWS_MAX_LEN, out, err);
}

hr_status jose_jws_sign_limit(struct signer *signer, const json_t *header, const json_t *payload,
			      size_t max_len, struct buf *out, struct hr_error *err)
{
	const struct cose_alg *alg = signer_alg(signer);
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	struct buf text, json;
	json_t *h;
	hr_status rc;

	if (alg == NULL || alg->id != COSE_ALG_ES256)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE_JWS,
				    "JWS signing needs a P-256 (ES256) signer");
	if (!json_is_object(header) || payload == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE_JWS,
				    "the JWS header must be an object and the payload present");
	if ((h = json_copy((json_t *)header)) == NULL ||
	    json_object_set_new(h, "alg", json_string("ES256")) != 0) {
		json_decref(h);
		return hr_error_set(err, HR_E_NOMEM, STAGE_JWS, "out of memory");
	}
	buf_init(&text, max_len);
	buf_init(&json, max_len);
	hr_json_dump(h, &json);
	json_decref(h);
	base64_encode(json.data, json.len, BASE64_URL, &text);
	buf_append_byte(&text, '.');
	buf_reset(&json);
	hr_json_dump(payload, &json);
	base64_encode(json.data, json.len, BASE64_URL, &text);
	rc = json.error != HR_OK ? json.error : text.error;
	buf_clear(&json);
	if (rc != HR_OK) {
		buf_clear(&text);
		return hr_error_set(err, rc, STAGE_JWS, "the JWS would exceed %zu bytes", max_len);
	}
	rc = signer_sign(signer, text.data, text.len, sig, &sig_len, err);
	if (rc == HR_OK && sig_len != 64)
		rc = hr_error_set(err, HR_E_CRYPTO, STAGE_JWS, "ES256 signature of %zu bytes",
				  sig_len);
	if (rc == HR_OK) {
		buf_append_byte(&text, '.');
		base64_encode(sig, 64, BASE64_URL, &text);
		if (text.error == HR_OK)
			buf_append(out, text.data, text.len);
		rc = text.error != HR_OK ? text.error : out->error;
		if (rc != HR_OK)
			hr_error_set(err, rc, STAGE_JWS, "the JWS does not fit its buffer");
	}
	buf_clear(&text);
	return rc;
}

/* Decodes one base64url part and parses it as a JSON object. */
static hr_status decode_object(const char *text, size_t len, const char *what, json_t **out,
			       struct hr_error *err)
{
	struct buf b;
	hr_status rc;

	*out = NULL;
	buf_init(&b, len + 2);
	if (len == 0 || base64_decode(text, len, BASE64_URL, &b) != HR_OK) {
		buf_clear(&b);
		return hr_error_set(err, HR_E_INVALID, STAGE_JWS, "the %s is not base64url", what);
	}
	rc = hr_json_parse_object(b.data, b.len, out, err);
	buf_clear(&b);
	if (rc != HR_OK)
		return hr_error_set(err, HR_E_INVALID, STAGE_JWS, "the %s is not a JSON object",
				    what);
	return HR_OK;
}

hr_status jose_jws_header(const char *jws, size_t len, json_t **header, struct hr_error *err)
{
	const char *dot = jws != NULL ? memchr(jws, '.', len) : NULL;

	*header = NULL;
	if (dot == NULL || (size_t)(dot - jws) > JOSE_JWS_MAX_LEN)
		return hr_error_set(err, HR_E_INVALID, STAGE_JWS, "not a compact JWS");
	return decode_object(jws, (size_t)(dot - jws), "protected header", header, err);
}

hr_status jose_jws_verify(const char *jws, size_t len, EVP_PKEY *key, json_t **header,
			  json_t **payload, struct hr_error *err)
{
	return jose_jws_verify_limit(jws, len, JOSE_JWS_MAX_LEN, key, header, payload, err);
}

hr_status jose_jws_verify_limit(const char *jws, size_t len, size_t max_len, EVP_PKEY *key,
				json_t **header, json_t **payload, struct hr_error *err)
{
	const char *dot1, *dot2, *end = jws + len;
	const char *alg;
	json_t *h = NULL, *p = NULL;
	EVP_PKEY *own = NULL;
	struct buf sig;
	hr_status rc;

	*header = NULL;
	*payload = NULL;
	if (jws == NULL || len == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE_JWS, "empty JWS");
	if (len > max_len)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE_JWS, "the JWS exceeds %zu bytes",
				    max_len);
	dot1 = memchr(jws, '.', len);
	dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', (size_t)(end - dot1 - 1)) : NULL;
	if (dot2 == NULL || memchr(dot2 + 1, '.', (size_t)(end - dot2 - 1)) != NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE_JWS,
				    "a compact JWS has exactly three parts separated by '.'");
	if ((rc = decode_object(jws, (size_t)(dot1 - jws), "protected header", &h, err)) != HR_OK)
		return rc;
	alg = json_string_value(json_object_get(h, "alg"));
	if (alg == NULL)
		rc = hr_error_set(err, HR_E_INVALID, STAGE_JWS, "the header has no \"alg\"");
	else if (strcasecmp(alg, "none") == 0)
		rc = hr_error_set(err, HR_E_INVALID, STAGE_JWS, "unsigned JWS (\"alg\": \"none\")");
	else if (strcmp(alg, "ES256") != 0)
		rc = hr_error_set(err, HR_E_UNSUPPORTED, STAGE_JWS,
				  "\"alg\" %.32s is not accepted, only ES256", alg);
	else if (json_object_get(h, "crit") != NULL)
		rc = hr_error_set(err, HR_E_UNSUPPORTED, STAGE_JWS,
				  "\"crit\" names extensions we do not implement");
	else if (key == NULL)
		rc = jose_jwk_to_key(json_object_get(h, "jwk"), &own, err);
	else if (key_kind_of(key) != KEY_KIND_P256)
		rc =
		    hr_error_set(err, HR_E_INVALID, STAGE_JWS, "the verification key is not P-256");
	if (rc != HR_OK) {
		json_decref(h);
		return rc;
	}
	buf_init(&sig, 64 + 2);
	if ((size_t)(end - dot2 - 1) != SIGNATURE_B64_LEN ||
	    base64_decode(dot2 + 1, SIGNATURE_B64_LEN, BASE64_URL, &sig) != HR_OK || sig.len != 64)
		rc = hr_error_set(err, HR_E_INVALID, STAGE_JWS,
				  "an ES256 signature is 64 bytes in base64url (86 characters)");
	else if (cose_crypto_verify(cose_alg_find(COSE_ALG_ES256), own != NULL ? own : key,
				    KEY_KIND_P256, (const uint8_t *)jws, (size_t)(dot2 - jws),
				    sig.data, sig.len, NULL) != HR_OK)
		rc = hr_error_set(err, HR_E_SIGNATURE, STAGE_JWS,
				  "the ES256 signature does not verify");
	buf_clear(&sig);
	EVP_PKEY_free(own);
	if (rc == HR_OK)
		rc = decode_object(dot1 + 1, (size_t)(dot2 - dot1 - 1), "payload", &p, err);
	if (rc != HR_OK) {
		json_decref(h);
		return rc;
	}
	*header = h;
	*payload = p;
	return HR_OK;
}
