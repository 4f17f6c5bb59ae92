/*
 * consent.c — checking citizens' consent tokens (see consent.h).
 */
#include "exchange/consent.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/digest.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/json.h"
#include "exchange/jose.h"

#define STAGE       "consent"
#define CACHE_SLOTS 4096 /* power of two */

struct verified {
	uint8_t hash[DIGEST_SHA256_LEN];
	int64_t exp;
};

struct consent_checker {
	consent_attester_fn attester;
	void *context;
	pthread_mutex_t lock;
	/* consents and attestations verified before (a consent's hash, or an
	 * attestation's: a device's attestation is the same bytes for weeks) */
	struct verified slots[CACHE_SLOTS];
};

struct consent_checker *consent_checker_new(consent_attester_fn attester, void *context)
{
	struct consent_checker *c;

	if (attester == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->attester = attester;
	c->context = context;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void consent_checker_free(struct consent_checker *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static size_t slot_of(const uint8_t *hash)
{
	return ((size_t)hash[0] << 8 | hash[1]) & (CACHE_SLOTS - 1);
}

static bool already_verified(struct consent_checker *c, const uint8_t *hash, int64_t now)
{
	struct verified *v = &c->slots[slot_of(hash)];
	bool hit;

	pthread_mutex_lock(&c->lock);
	hit = v->exp > now && memcmp(v->hash, hash, sizeof(v->hash)) == 0;
	pthread_mutex_unlock(&c->lock);
	return hit;
}

static void remember(struct consent_checker *c, const uint8_t *hash, int64_t exp)
{
	struct verified *v = &c->slots[slot_of(hash)];

	pthread_mutex_lock(&c->lock);
	memcpy(v->hash, hash, sizeof(v->hash));
	v->exp = exp;
	pthread_mutex_unlock(&c->lock);
}

/* The claims of a token whose signature was verified before: decode only. */
static hr_status decode_claims(const char *token, json_t **claims, struct hr_error *err)
{
	const char *dot1 = strchr(token, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	struct buf text;
	hr_status rc;

	if (dot2 == NULL)
		return hr_error_set(err, HR_E_DENIED, STAGE, "the consent is not a compact JWS");
	buf_init(&text, CONSENT_MAX_LEN);
	rc = base64_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), BASE64_URL, &text);
	if (rc == HR_OK)
		rc = hr_json_parse_object(text.data, text.len, claims, err);
	buf_clear(&text);
	return rc == HR_OK ? HR_OK : hr_error_set(err, HR_E_DENIED, STAGE, "unreadable consent");
}

/* docs names document_type itself: no wildcard, at most CONSENT_DOCS_MAX names. */
static bool covers(const json_t *docs, const char *document_type)
{
	size_t i;
	json_t *d;

	if (!json_is_array(docs) || json_array_size(docs) > CONSENT_DOCS_MAX)
		return false;
	json_array_foreach(docs, i, d)
	{
		const char *s = json_string_value(d);
		if (s != NULL && strcmp(s, document_type) == 0)
			return true;
	}
	return false;
}

static bool names_everything(const json_t *docs)
{
	size_t i;
	json_t *d;

	json_array_foreach(docs, i, d)
	{
		const char *s = json_string_value(d);
		if (s != NULL && strcmp(s, "*") == 0)
			return true;
	}
	return false;
}

static hr_status check_claims(const json_t *claims, const char *person, const char *purpose,
			      const char *client, const char *document_type, int64_t now, char *id,
			      size_t id_size, struct hr_error *err)
{
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	const char *why = json_string_value(json_object_get(claims, "purpose"));
	const char *aud = json_string_value(json_object_get(claims, "aud"));
	const json_t *docs = json_object_get(claims, "docs");
	const char *jti = json_string_value(json_object_get(claims, "jti"));
	json_t *iat = json_object_get(claims, "iat"), *exp = json_object_get(claims, "exp");

	if (sub == NULL || strcmp(sub, person) != 0)
		return hr_error_set(err, HR_E_DENIED, STAGE, "the consent is not the person's");
	if (why == NULL || strcmp(why, purpose) != 0)
		return hr_error_set(err, HR_E_DENIED, STAGE, "the consent is for another purpose");
	if (aud == NULL)
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the consent names no member it is given to (aud)");
	if (client == NULL || strcmp(aud, client) != 0)
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the consent is given to another member than %s",
				    client ? client : "the caller");
	if (json_is_array(docs) && names_everything(docs))
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the consent must name its document types, not \"*\"");
	if (!covers(docs, document_type))
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the consent does not name %s documents", document_type);
	/* iat is in the past (5 s of clock skew), so exp - iat cannot overflow
	 * once exp is known to lie ahead of now */
	if (!json_is_integer(iat) || !json_is_integer(exp) || json_integer_value(iat) > now + 5 ||
	    json_integer_value(iat) < now - CONSENT_MAX_LIFETIME_S ||
	    json_integer_value(exp) <= now ||
	    json_integer_value(exp) - json_integer_value(iat) > CONSENT_MAX_LIFETIME_S)
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the consent is expired, not yet valid or too long-lived");
	if (jti == NULL || jti[0] == 0 || strlen(jti) >= id_size)
		return hr_error_set(err, HR_E_DENIED, STAGE, "the consent has no usable jti");
	snprintf(id, id_size, "%s", jti);
	return HR_OK;
}

/* The attestation's claims, verified under its attester's key (or remembered). */
static hr_status attestation_claims(struct consent_checker *c, const char *att, int64_t now,
				    json_t **claims, struct hr_error *err)
{
	uint8_t hash[DIGEST_SHA256_LEN];
	json_t *header = NULL;
	char kid[128] = "";
	const char *typ;
	EVP_PKEY *key;
	size_t len = strlen(att);
	hr_status rc;

	*claims = NULL;
	if (digest_sha256_of(att, len, hash) != HR_OK)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot hash the device attestation");
	hash[0] ^= 0x5a; /* another domain than the consents' hashes in the same cache */
	if (already_verified(c, hash, now))
		return decode_claims(att, claims, err);
	if (jose_jws_header(att, len, &header, NULL) != HR_OK)
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the device attestation is unreadable");
	if (json_is_string(json_object_get(header, "kid")))
		snprintf(kid, sizeof(kid), "%s", json_string_value(json_object_get(header, "kid")));
	json_decref(header);
	header = NULL;
	key = kid[0] ? c->attester(c->context, kid) : NULL;
	if (key == NULL)
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the device is not attested by a member that enrols devices");
	rc = jose_jws_verify(att, len, key, &header, claims, NULL);
	typ = json_string_value(json_object_get(header, "typ"));
	if (rc != HR_OK || typ == NULL || strcmp(typ, ATTESTATION_TYPE) != 0 ||
	    !json_is_string(json_object_get(*claims, "iss")) ||
	    strcmp(json_string_value(json_object_get(*claims, "iss")), kid) != 0) {
		json_decref(header);
		json_decref(*claims);
		*claims = NULL;
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the device attestation does not verify");
	}
	json_decref(header);
	if (json_integer_value(json_object_get(*claims, "exp")) > now)
		remember(c, hash, json_integer_value(json_object_get(*claims, "exp")));
	return HR_OK;
}

/* "UA/GOV/43395033/wallet" and "UA:3012345670": the country of each. */
static bool same_country(const char *member, const char *person)
{
	return member != NULL && person != NULL && strlen(member) > 3 && member[2] == '/' &&
	       strncmp(member, person, 2) == 0 && person[2] == ':';
}

/*
 * The consent's att: attested by a trusted member, for the same person, for the
 * key that signed the consent (jwk of its header, which was verified), in time.
 * *until receives the attestation's exp.
 */
static hr_status check_attestation(struct consent_checker *c, const json_t *consent_header,
				   const json_t *consent_claims, int64_t now, int64_t *until,
				   struct hr_error *err)
{
	const char *att = json_string_value(json_object_get(consent_claims, "att"));
	char jkt[JOSE_THUMBPRINT_LEN];
	json_t *claims = NULL;
	const json_t *iat, *exp;
	const char *sub, *bound;
	hr_status rc;

	if (att == NULL || strlen(att) > ATTESTATION_MAX_LEN)
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the consent carries no device attestation (att)");
	if ((rc = attestation_claims(c, att, now, &claims, err)) != HR_OK)
		return rc;
	sub = json_string_value(json_object_get(claims, "sub"));
	bound = json_string_value(json_object_get(json_object_get(claims, "cnf"), "jkt"));
	iat = json_object_get(claims, "iat");
	exp = json_object_get(claims, "exp");
	rc = HR_E_DENIED;
	if (sub == NULL ||
	    strcmp(sub, json_string_value(json_object_get(consent_claims, "sub"))) != 0)
		hr_error_set(err, rc, STAGE, "the device is attested for another person");
	else if (!same_country(json_string_value(json_object_get(claims, "iss")), sub))
		hr_error_set(err, rc, STAGE,
			     "the device is attested by a member of another country than the "
			     "person's: a wallet enrols only its own country's people");
	else if (bound == NULL ||
		 jose_jwk_thumbprint(json_object_get(consent_header, "jwk"), jkt, NULL) != HR_OK ||
		 strcmp(bound, jkt) != 0)
		hr_error_set(err, rc, STAGE, "the consent is not signed by the attested device");
	else if (!json_is_integer(iat) || !json_is_integer(exp) ||
		 json_integer_value(iat) > now + 5 || json_integer_value(exp) <= now)
		hr_error_set(err, rc, STAGE, "the device attestation is expired or not yet valid");
	else
		rc = HR_OK;
	if (rc == HR_OK)
		*until = json_integer_value(exp);
	json_decref(claims);
	return rc;
}

hr_status consent_check(struct consent_checker *c, const char *token, const char *person,
			const char *purpose, const char *client, const char *document_type,
			int64_t now, char *id, size_t id_size, struct hr_error *err)
{
	uint8_t hash[DIGEST_SHA256_LEN];
	json_t *header = NULL, *claims = NULL;
	const char *typ;
	size_t len = strlen(token);
	int64_t until = 0;
	hr_status rc;

	if (len > CONSENT_MAX_LEN)
		return hr_error_set(err, HR_E_DENIED, STAGE, "the consent is too long");
	if (digest_sha256_of(token, len, hash) != HR_OK)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot hash the consent");
	if (already_verified(c, hash, now)) {
		rc = decode_claims(token, &claims, err);
	} else {
		rc = jose_jws_verify(token, len, NULL, &header, &claims, err);
		typ = json_string_value(json_object_get(header, "typ"));
		if (rc == HR_OK && (typ == NULL || strcmp(typ, CONSENT_TYPE) != 0))
			rc = hr_error_set(err, HR_E_DENIED, STAGE, "the token is not a %s",
					  CONSENT_TYPE);
		else if (rc != HR_OK)
			rc = HR_E_DENIED;
	}
	if (rc == HR_OK)
		rc = check_claims(claims, person, purpose, client, document_type, now, id, id_size,
				  err);
	/* remembered only when whole: the consent until the earlier of its and its
	 * attestation's expiry */
	if (rc == HR_OK && header != NULL &&
	    (rc = check_attestation(c, header, claims, now, &until, err)) == HR_OK) {
		int64_t exp = json_integer_value(json_object_get(claims, "exp"));
		remember(c, hash, exp < until ? exp : until);
	}
	json_decref(header);
	json_decref(claims);
	return rc;
}

hr_status consent_make(struct signer *device, const json_t *jwk, const char *attestation,
		       const char *person, const char *purpose, const struct consent_scope *scope,
		       int64_t iat, int64_t lifetime_s, struct buf *out, struct hr_error *err)
{
	unsigned char nonce[16];
	struct buf jti;
	json_t *header, *claims, *docs;
	hr_status rc;

	if (lifetime_s <= 0 || lifetime_s > CONSENT_MAX_LIFETIME_S)
		return hr_error_set(err, HR_E_INVALID, "consent", "a consent lives 1 to %d seconds",
				    CONSENT_MAX_LIFETIME_S);
	if (scope == NULL || scope->audience == NULL || scope->doc_count == 0 ||
	    scope->doc_count > CONSENT_DOCS_MAX)
		return hr_error_set(err, HR_E_INVALID, "consent",
				    "a consent names its member and 1 to %d document types",
				    CONSENT_DOCS_MAX);
	if ((docs = json_array()) == NULL)
		return hr_error_set(err, HR_E_NOMEM, "consent", "out of memory");
	for (size_t i = 0; i < scope->doc_count; i++) {
		if (scope->docs[i] == NULL || strcmp(scope->docs[i], "*") == 0) {
			json_decref(docs);
			return hr_error_set(err, HR_E_INVALID, "consent",
					    "a consent names each document type, never \"*\"");
		}
		json_array_append_new(docs, json_string(scope->docs[i]));
	}
	buf_init(&jti, 64);
	if (RAND_bytes(nonce, sizeof(nonce)) != 1 ||
	    base64_encode(nonce, sizeof(nonce), BASE64_URL, &jti) != HR_OK) {
		buf_clear(&jti);
		return hr_error_set(err, HR_E_CRYPTO, "consent", "no randomness for a jti");
	}
	header = json_pack("{s:s,s:O}", "typ", CONSENT_TYPE, "jwk", jwk);
	claims = json_pack("{s:s,s:s,s:s,s:o,s:I,s:I,s:s,s:s}", "sub", person, "purpose", purpose,
			   "aud", scope->audience, "docs", docs, "iat", (json_int_t)iat, "exp",
			   (json_int_t)(iat + lifetime_s), "jti", buf_str(&jti), "att",
			   attestation ? attestation : "");
	if (header == NULL || claims == NULL)
		rc = hr_error_set(err, HR_E_NOMEM, "consent", "out of memory");
	else
		rc = jose_jws_sign(device, header, claims, out, err);
	json_decref(header);
	json_decref(claims);
	buf_clear(&jti);
	return rc;
}

hr_status consent_attest_device(struct signer *attester, const char *attester_id,
				const char *person, const char *jkt, int64_t iat,
				int64_t lifetime_s, struct buf *out, struct hr_error *err)
{
	json_t *header = json_pack("{s:s,s:s}", "typ", ATTESTATION_TYPE, "kid", attester_id);
	json_t *claims =
	    json_pack("{s:s,s:s,s:{s:s},s:I,s:I}", "iss", attester_id, "sub", person, "cnf", "jkt",
		      jkt, "iat", (json_int_t)iat, "exp", (json_int_t)(iat + lifetime_s));
	hr_status rc;

	if (header == NULL || claims == NULL)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	else
		rc = jose_jws_sign(attester, header, claims, out, err);
	json_decref(header);
	json_decref(claims);
	return rc;
}

hr_status consent_scope_for_wallet_path(const char *path, const char *audience,
					struct consent_scope *scope, struct hr_error *err)
{
	static const char documents[] = "/v1/documents";
	size_t n = sizeof(documents) - 1;

	memset(scope, 0, sizeof(*scope));
	scope->audience = audience;
	if (audience == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no member to give the consent to");
	if (strcmp(path, documents) == 0) {
		/* the list asks every registry: every type, each by name */
		for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
			scope->docs[scope->doc_count++] = document_types[t];
		return HR_OK;
	}
	if (strncmp(path, documents, n) == 0 && path[n] == '/') {
		const char *type = path + n + 1, *end = strchr(type, '/');
		size_t len = end ? (size_t)(end - type) : strlen(type);

		for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
			if (strlen(document_types[t]) == len &&
			    strncmp(document_types[t], type, len) == 0) {
				scope->docs[scope->doc_count++] = document_types[t];
				return HR_OK;
			}
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s names no document type", path);
	}
	if (strcmp(path, "/v1/access-log") == 0)
		scope->docs[scope->doc_count++] = "access_log";
	else if (strcmp(path, "/v1/leaks") == 0)
		scope->docs[scope->doc_count++] = "leaks";
	else
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s needs no consent", path);
	return HR_OK;
}

hr_status consent_attestation_issuer(const char *attestation, char *out, size_t size,
				     struct hr_error *err)
{
	json_t *claims = NULL;
	const char *iss;
	hr_status rc;

	if (attestation == NULL || strlen(attestation) > ATTESTATION_MAX_LEN)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no device attestation");
	if ((rc = decode_claims(attestation, &claims, err)) != HR_OK)
		return rc;
	iss = json_string_value(json_object_get(claims, "iss"));
	if (iss == NULL || strlen(iss) >= size)
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "the device attestation names no iss");
	else
		snprintf(out, size, "%s", iss);
	json_decref(claims);
	return rc;
}
