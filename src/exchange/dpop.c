/*
 * dpop.c — checking and making DPoP proofs, RFC 9449 §4 (see dpop.h).
 *
 * dpop_verify follows §4.3's list. The header is read first (typ, alg, a public
 * jwk) so that a proof of the wrong kind costs no signature verification; then
 * jose_jws_verify checks the signature with the header's key; then the claims.
 * The jti is recorded last, so only a proof that passed every other check uses
 * up its jti, and it is recorded under the key's thumbprint, so one client's
 * identifiers can never collide with another's. It is remembered until
 * iat + DPOP_MAX_AGE_S + DPOP_MAX_FUTURE_S, past the last moment the proof could
 * be accepted.
 *
 * htu is compared per §4.3 item 9 with RFC 3986 §6.2.2-6.2.3 normalisation:
 * query and fragment dropped, scheme and host case-insensitive, default port
 * omitted, empty path as "/", percent-escapes of unreserved characters decoded
 * and the others' hex digits upper-cased. Dot segments are not resolved: a
 * path with them simply does not match.
 *
 * Never: accept a proof without checking every rule, or keep the jti itself.
 */
#include "exchange/dpop.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "credential/signer.h"
#include "exchange/uri.h"

#define STAGE       "dpop"
#define JTI_MAX_LEN 256

/* RFC 7515 §4.1.9: "dpop+jwt" stands for "application/dpop+jwt", media types
 * compare case-insensitively. */
static bool typ_is_dpop(const char *typ)
{
	return typ != NULL &&
	       (strcasecmp(typ, "dpop+jwt") == 0 || strcasecmp(typ, "application/dpop+jwt") == 0);
}

static int hex_value(uint8_t c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

static bool unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* The normal form of a request URI or htu, without query and fragment. */
static hr_status htu_normalise(const char *uri, struct buf *out)
{
	struct uri_parts u;
	struct slice path;

	if (uri_split(uri, strnlen(uri, URI_MAX_LEN + 1), &u) != HR_OK)
		return HR_E_INVALID;
	buf_append_str(out, u.https ? "https://" : "http://");
	if (uri_append_authority(&u, out) != HR_OK)
		return HR_E_INVALID;
	path = u.path.len > 0 ? u.path : slice_from_str("/");
	for (size_t i = 0; i < path.len; i++) {
		int c;

		if (path.ptr[i] != '%') {
			buf_append_byte(out, path.ptr[i]);
			continue;
		}
		/* uri_split checked that two hex digits follow */
		c = hex_value(path.ptr[i + 1]) << 4 | hex_value(path.ptr[i + 2]);
		if (unreserved(c))
			buf_append_byte(out, (uint8_t)c);
		else
			buf_printf(out, "%%%02X", (unsigned int)c);
		i += 2;
	}
	return out->error;
}

/* The protected header of the proof, before its signature is checked. */
static hr_status check_header(const char *proof, size_t len, struct hr_error *err)
{
	const char *dot = memchr(proof, '.', len);
	const char *typ, *alg;
	json_t *header = NULL, *jwk;
	struct buf b;
	hr_status rc;

	if (dot == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "the DPoP proof is not a JWT");
	buf_init(&b, (size_t)(dot - proof) + 2);
	rc = base64_decode(proof, (size_t)(dot - proof), BASE64_URL, &b);
	if (rc == HR_OK)
		rc = hr_json_parse_object(b.data, b.len, &header, NULL);
	buf_clear(&b);
	if (rc != HR_OK)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the DPoP proof's header is not a base64url JSON object");
	typ = json_string_value(json_object_get(header, "typ"));
	alg = json_string_value(json_object_get(header, "alg"));
	jwk = json_object_get(header, "jwk");
	if (!typ_is_dpop(typ))
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "the proof's \"typ\" is not dpop+jwt");
	else if (alg == NULL || strcasecmp(alg, "none") == 0)
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "the proof is not signed (\"alg\": none)");
	else if (strncmp(alg, "HS", 2) == 0)
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "a symmetric \"alg\" cannot prove possession of a key");
	else if (strcmp(alg, "ES256") != 0)
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "\"alg\" %.16s is not accepted, only ES256", alg);
	else if (!json_is_object(jwk))
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "the proof's header has no \"jwk\" object");
	else if (json_object_get(jwk, "d") != NULL)
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "the proof's \"jwk\" holds a private key");
	json_decref(header);
	return rc;
}

static const char *claim_string(const json_t *claims, const char *name)
{
	return json_string_value(json_object_get(claims, name));
}

/* Constant-time comparison of two NUL-terminated strings of public lengths. */
static bool same_text(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

hr_status dpop_verify(const char *proof, const struct dpop_check *check, struct dpop_result *result,
		      struct hr_error *err)
{
	json_t *header = NULL, *claims = NULL;
	const char *htm, *htu, *jti;
	json_t *iat_value;
	int64_t iat;
	struct buf expected, got, id;
	struct hr_error jws_err = {0};
	char ath[JOSE_THUMBPRINT_LEN];
	size_t len;
	hr_status rc;

	memset(result, 0, sizeof(*result));
	if (check == NULL || check->method == NULL || check->uri == NULL || check->jti_seen == NULL)
		return hr_error_set(err, HR_E_STATE, STAGE,
				    "dpop_verify needs the method, the URI and a replay cache");
	if (proof == NULL || proof[0] == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no DPoP proof");
	len = strnlen(proof, DPOP_MAX_LEN + 1);
	if (len > DPOP_MAX_LEN)
		return hr_error_set(err, HR_E_INVALID, STAGE, "the DPoP proof exceeds %d bytes",
				    DPOP_MAX_LEN);
	/* item 1: several DPoP fields arrive joined by commas, which base64url lacks */
	if (memchr(proof, ',', len) != NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "more than one DPoP proof");
	/* items 2, 4, 5, 7 */
	if ((rc = check_header(proof, len, err)) != HR_OK)
		return rc;
	/* items 2 and 6 */
	rc = jose_jws_verify(proof, len, NULL, &header, &claims, &jws_err);
	if (rc != HR_OK)
		return hr_error_set(err, rc == HR_E_SIGNATURE ? HR_E_DENIED : HR_E_INVALID, STAGE,
				    "%s", jws_err.message);
	buf_init(&expected, URI_MAX_LEN + 16);
	buf_init(&got, URI_MAX_LEN + 16);
	buf_init(&id, JOSE_THUMBPRINT_LEN + JTI_MAX_LEN + 1);
	/* item 3 */
	htm = claim_string(claims, "htm");
	htu = claim_string(claims, "htu");
	jti = claim_string(claims, "jti");
	iat_value = json_object_get(claims, "iat");
	if (htm == NULL || htu == NULL || jti == NULL || !json_is_integer(iat_value)) {
		rc = hr_error_set(
		    err, HR_E_INVALID, STAGE,
		    "the proof needs string \"htm\", \"htu\", \"jti\" and integer \"iat\"");
		goto done;
	}
	iat = json_integer_value(iat_value);
	if (jti[0] == 0 || strlen(jti) > JTI_MAX_LEN) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "\"jti\" must have 1 to %d characters",
				  JTI_MAX_LEN);
		goto done;
	}
	/* item 8 */
	if (strcmp(htm, check->method) != 0) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE, "\"htm\" %.16s is not the method %.16s",
				  htm, check->method);
		goto done;
	}
	/* item 9 */
	if (htu_normalise(check->uri, &expected) != HR_OK) {
		rc =
		    hr_error_set(err, HR_E_INVALID, STAGE, "the request URI is not an http(s) URI");
		goto done;
	}
	if (htu_normalise(htu, &got) != HR_OK || strcmp(buf_str(&got), buf_str(&expected)) != 0) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE, "\"htu\" is not the request URI %.128s",
				  buf_str(&expected));
		goto done;
	}
	/* item 11 (we issue no nonces, item 10) */
	if (iat < check->now - DPOP_MAX_AGE_S) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE, "the proof is older than %d s",
				  DPOP_MAX_AGE_S);
		goto done;
	}
	if (iat > check->now + DPOP_MAX_FUTURE_S) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE, "the proof is dated in the future");
		goto done;
	}
	/* item 12 */
	if (check->access_token != NULL) {
		const char *claimed = claim_string(claims, "ath");

		jose_sha256_b64url(check->access_token, strlen(check->access_token), ath);
		if (claimed == NULL || !same_text(claimed, ath)) {
			rc = hr_error_set(err, HR_E_DENIED, STAGE,
					  "\"ath\" is not the hash of the access token");
			goto done;
		}
	}
	if ((rc = jose_jwk_thumbprint(json_object_get(header, "jwk"), result->jkt, err)) != HR_OK)
		goto done;
	if (check->bound_jkt != NULL && !same_text(check->bound_jkt, result->jkt)) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE,
				  "the proof's key is not the key the token is bound to");
		goto done;
	}
	/* §11.1: each proof once */
	buf_printf(&id, "%s:%s", result->jkt, jti);
	rc = replay_cache_check(check->jti_seen, id.data, id.len, check->now,
				iat + DPOP_MAX_AGE_S + DPOP_MAX_FUTURE_S);
	if (rc == HR_E_CONFLICT)
		rc = hr_error_set(err, HR_E_DENIED, STAGE, "the proof's \"jti\" was already used");
	else if (rc == HR_E_BUSY)
		hr_error_set(err, rc, STAGE, "too many recent proofs to remember; retry shortly");
	else if (rc != HR_OK)
		hr_error_set(err, rc, STAGE, "cannot record the proof's \"jti\"");
done:
	if (rc != HR_OK)
		memset(result, 0, sizeof(*result));
	buf_clear(&expected);
	buf_clear(&got);
	buf_clear(&id);
	json_decref(header);
	json_decref(claims);
	return rc;
}

hr_status dpop_proof_make(struct signer *signer, const char *method, const char *uri,
			  const char *access_token, int64_t iat, struct buf *out,
			  struct hr_error *err)
{
	uint8_t random[16];
	char ath[JOSE_THUMBPRINT_LEN];
	struct uri_parts u;
	struct buf jti;
	json_t *jwk = NULL, *header = NULL, *claims = NULL;
	size_t htu_len;
	hr_status rc;

	if (method == NULL || uri == NULL ||
	    uri_split(uri, strnlen(uri, URI_MAX_LEN + 1), &u) != HR_OK)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a proof needs a method and an http(s) URI");
	if ((rc = jose_key_to_jwk(signer_public_key(signer), &jwk, err)) != HR_OK)
		return rc;
	if (RAND_bytes(random, sizeof(random)) != 1) {
		json_decref(jwk);
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "no randomness for the jti");
	}
	buf_init(&jti, 64);
	base64_encode(random, sizeof(random), BASE64_URL, &jti);
	/* §4.2: htu is the URI without query and fragment */
	htu_len = strcspn(uri, "?#");
	header = json_pack("{s:s, s:s, s:o}", "typ", "dpop+jwt", "alg", "ES256", "jwk", jwk);
	claims = json_pack("{s:s, s:s, s:s%, s:I}", "jti", buf_str(&jti), "htm", method, "htu", uri,
			   htu_len, "iat", (json_int_t)iat);
	buf_clear(&jti);
	if (claims != NULL && access_token != NULL) {
		jose_sha256_b64url(access_token, strlen(access_token), ath);
		if (json_object_set_new(claims, "ath", json_string(ath)) != 0) {
			json_decref(claims);
			claims = NULL;
		}
	}
	if (header == NULL || claims == NULL)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	else
		rc = jose_jws_sign(signer, header, claims, out, err);
	json_decref(header);
	json_decref(claims);
	return rc;
}
