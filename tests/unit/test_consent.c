/*
 * test_consent.c — the citizen's consent token (src/exchange/consent.h): real
 * ES256 tokens signed by a freshly generated P-256 device key, first accepted,
 * then every rule of the header broken once (person, purpose, documents, iat,
 * exp, lifetime, typ, alg, key, private JWK, malformed and oversized text),
 * then the verified-token cache, which may skip the signature only for the very
 * bytes it verified before, and consent_make, which must make what the checker
 * accepts; then the device attestation each consent carries: missing, by a
 * member the checker does not trust to enrol devices, for another person or
 * another key, expired or not yet valid — each refused — and a consent is not
 * remembered beyond its attestation.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "core/base64.h"
#include "core/documents.h"
#include "core/json.h"
#include "credential/signer.h"
#include "exchange/consent.h"
#include "exchange/jose.h"

#define NOW      1764000000
#define PERSON   "UA:3012345670"
#define OTHER    "UA:3012345687"
#define PURPOSE  "citizen-wallet"
#define DOC      "driver_licence"
#define ID_SIZE  80
#define LIFETIME 300

#define ATTESTER "UA/GOV/43395033/wallet"

/* What consent_make's consents here allow: the wallet, one document type. */
static const struct consent_scope SCOPE = {ATTESTER, {DOC}, 1};

static EVP_PKEY *device_key;
static struct signer *device, *other_device, *attester, *stranger;
static char attestation[ATTESTATION_MAX_LEN + 1];       /* of device, for PERSON */
static char attestation_other[ATTESTATION_MAX_LEN + 1]; /* of device, for OTHER */

static struct signer *signer_of(EVP_PKEY *key)
{
	struct signer *s = NULL;

	assert_int_equal(signer_from_key(key, NULL, &s, NULL), HR_OK);
	return s;
}

/* The checker's trust: only ATTESTER enrols devices. */
static EVP_PKEY *attester_key(void *context, const char *member_id)
{
	(void)context;
	return strcmp(member_id, ATTESTER) == 0 ? signer_public_key(attester) : NULL;
}

static struct consent_checker *new_checker(void)
{
	return consent_checker_new(attester_key, NULL);
}

/* An attestation by by (claiming to be ATTESTER) for person's key of signer s. */
static void attest(struct signer *by, struct signer *s, const char *person, int64_t iat,
		   int64_t lifetime, char *out, size_t size)
{
	char jkt[JOSE_THUMBPRINT_LEN];
	json_t *jwk = NULL;
	struct buf b;

	assert_int_equal(jose_key_to_jwk(signer_public_key(s), &jwk, NULL), HR_OK);
	assert_int_equal(jose_jwk_thumbprint(jwk, jkt, NULL), HR_OK);
	json_decref(jwk);
	buf_init(&b, ATTESTATION_MAX_LEN);
	assert_int_equal(consent_attest_device(by, ATTESTER, person, jkt, iat, lifetime, &b, NULL),
			 HR_OK);
	snprintf(out, size, "%s", buf_str(&b));
	buf_clear(&b);
}

static int setup(void **state)
{
	EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *wallet = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *nobody = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	(void)state;
	device_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (device_key == NULL || other == NULL || wallet == NULL || nobody == NULL)
		return -1;
	device = signer_of(device_key);
	other_device = signer_of(other);
	attester = signer_of(wallet);
	stranger = signer_of(nobody);
	EVP_PKEY_free(other);
	EVP_PKEY_free(wallet);
	EVP_PKEY_free(nobody);
	attest(attester, device, PERSON, NOW - 3600, 30 * 86400, attestation, sizeof(attestation));
	attest(attester, device, OTHER, NOW - 3600, 30 * 86400, attestation_other,
	       sizeof(attestation_other));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	signer_free(device);
	signer_free(other_device);
	signer_free(attester);
	signer_free(stranger);
	EVP_PKEY_free(device_key);
	return 0;
}

/* ---- making tokens ---- */

/* The compact JSON of s's public JWK, with extra members (",\"k\":v") added. */
static char *jwk_text(struct signer *s, const char *extra)
{
	json_t *jwk = NULL;
	char *text, *out;

	assert_int_equal(jose_key_to_jwk(signer_public_key(s), &jwk, NULL), HR_OK);
	text = json_dumps(jwk, JSON_COMPACT);
	json_decref(jwk);
	assert_non_null(text);
	out = malloc(strlen(text) + (extra ? strlen(extra) : 0) + 2);
	assert_non_null(out);
	strcpy(out, text);
	if (extra != NULL) {
		out[strlen(out) - 1] = 0; /* drop '}' */
		strcat(out, extra);
		strcat(out, "}");
	}
	free(text);
	return out;
}

/* A compact JWS over exactly these header and claims texts, signed by s
 * whatever the header says. */
static char *sign_raw(struct signer *s, const char *header, const char *claims)
{
	uint8_t sig[64];
	size_t sig_len = sizeof(sig);
	struct buf b;

	buf_init(&b, 1 << 16);
	assert_int_equal(base64_encode(header, strlen(header), BASE64_URL, &b), HR_OK);
	buf_append_byte(&b, '.');
	assert_int_equal(base64_encode(claims, strlen(claims), BASE64_URL, &b), HR_OK);
	assert_int_equal(signer_sign(s, b.data, b.len, sig, &sig_len, NULL), HR_OK);
	assert_int_equal(sig_len, 64);
	buf_append_byte(&b, '.');
	base64_encode(sig, sig_len, BASE64_URL, &b);
	assert_int_equal(b.error, HR_OK);
	return (char *)buf_take(&b, NULL);
}

/* Claims text; docs is JSON text (e.g. "[\"" DOC "\"]"). */
static void claims_text(char *out, size_t size, const char *sub, const char *purpose,
			const char *docs, long long iat, long long exp, const char *jti)
{
	snprintf(out, size,
		 "{\"sub\":\"%s\",\"purpose\":\"%s\",\"aud\":\"" ATTESTER "\",\"docs\":%s,"
		 "\"iat\":%lld,\"exp\":%lld,"
		 "\"jti\":\"%s\",\"att\":\"%s\"}",
		 sub, purpose, docs, iat, exp, jti,
		 strcmp(sub, OTHER) == 0 ? attestation_other : attestation);
}

/* A token by signer with header typ/alg and the jwk of jwk_owner (with jwk_extra). */
static char *token_with_header(struct signer *signer, const char *header_format,
			       struct signer *jwk_owner, const char *jwk_extra, const char *claims)
{
	char *jwk = jwk_text(jwk_owner, jwk_extra), header[1024], *token;

	snprintf(header, sizeof(header), header_format, jwk);
	token = sign_raw(signer, header, claims);
	free(jwk);
	return token;
}

#define STANDARD_HEADER "{\"typ\":\"" CONSENT_TYPE "\",\"alg\":\"ES256\",\"jwk\":%s}"

/* A well-formed consent by the device with these claims text. */
static char *token_with_claims(const char *claims)
{
	return token_with_header(device, STANDARD_HEADER, device, NULL, claims);
}

/* A consent by the device for PERSON/PURPOSE with the given docs and times. */
static char *token_for(const char *sub, const char *purpose, const char *docs, long long iat,
		       long long exp, const char *jti)
{
	char claims[4096];

	claims_text(claims, sizeof(claims), sub, purpose, docs, iat, exp, jti);
	return token_with_claims(claims);
}

/* The usual consent, made with jose_jws_sign as a client library would. */
static char *good_token(const char *jti)
{
	json_t *jwk = NULL, *header, *claims;
	struct buf out;

	assert_int_equal(jose_key_to_jwk(signer_public_key(device), &jwk, NULL), HR_OK);
	header = json_pack("{s:s, s:o}", "typ", CONSENT_TYPE, "jwk", jwk);
	claims = json_pack("{s:s, s:s, s:s, s:[s], s:I, s:I, s:s, s:s}", "sub", PERSON, "purpose",
			   PURPOSE, "aud", ATTESTER, "docs", DOC, "iat", (json_int_t)NOW, "exp",
			   (json_int_t)(NOW + LIFETIME), "jti", jti, "att", attestation);
	assert_non_null(header);
	assert_non_null(claims);
	buf_init(&out, 1 << 16);
	assert_int_equal(jose_jws_sign(device, header, claims, &out, NULL), HR_OK);
	json_decref(header);
	json_decref(claims);
	return (char *)buf_take(&out, NULL);
}

/* A consent by signer (its own jwk) for sub, carrying att. */
static char *token_with_attestation(struct signer *signer, const char *sub, const char *att)
{
	char claims[4096];

	snprintf(claims, sizeof(claims),
		 "{\"sub\":\"%s\",\"purpose\":\"%s\",\"aud\":\"" ATTESTER "\",\"docs\":[\"" DOC
		 "\"],\"iat\":%d,"
		 "\"exp\":%d,\"jti\":\"j\",\"att\":\"%s\"}",
		 sub, PURPOSE, NOW, NOW + 60, att);
	return token_with_header(signer, STANDARD_HEADER, signer, NULL, claims);
}

/* ---- checking ---- */

/* consent_check with checker c; a refusal must be HR_E_DENIED with a reason. */
static hr_status check_in(struct consent_checker *c, const char *token, const char *person,
			  const char *purpose, const char *document_type, int64_t now, char *id)
{
	struct hr_error err = {0};
	hr_status rc;

	rc = consent_check(c, token, person, purpose, ATTESTER, document_type, now, id, ID_SIZE,
			   &err);
	if (rc != HR_OK) {
		assert_int_equal(rc, HR_E_DENIED);
		assert_true(err.message[0] != 0);
	}
	return rc;
}

/* consent_check with a fresh checker (no cache involved). */
static hr_status check(const char *token, const char *person, const char *purpose,
		       const char *document_type, int64_t now)
{
	struct consent_checker *c = new_checker();
	char id[ID_SIZE] = "";
	hr_status rc;

	assert_non_null(c);
	rc = check_in(c, token, person, purpose, document_type, now, id);
	consent_checker_free(c);
	return rc;
}

/* check() of a token that is then freed. */
static hr_status check_and_free(char *token, const char *document_type, int64_t now)
{
	hr_status rc = check(token, PERSON, PURPOSE, document_type, now);

	free(token);
	return rc;
}

/* ---- the valid case ---- */

static void test_valid_consent_is_accepted_with_its_jti(void **state)
{
	struct consent_checker *c = new_checker();
	char *token = good_token("consent-jti-1");
	char id[ID_SIZE] = "";

	(void)state;
	assert_true(person_id_valid(PERSON) && person_id_valid(OTHER));
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW, id), HR_OK);
	assert_string_equal(id, "consent-jti-1");
	/* within its lifetime, from iat to just before exp */
	memset(id, 0, sizeof(id));
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW + LIFETIME - 1, id), HR_OK);
	assert_string_equal(id, "consent-jti-1");
	consent_checker_free(c);
	free(token);
}

static void test_each_consent_reports_its_own_jti(void **state)
{
	struct consent_checker *c = new_checker();
	char *a = good_token("first"), *b = good_token("second");
	char id[ID_SIZE];

	(void)state;
	assert_int_equal(check_in(c, a, PERSON, PURPOSE, DOC, NOW, id), HR_OK);
	assert_string_equal(id, "first");
	assert_int_equal(check_in(c, b, PERSON, PURPOSE, DOC, NOW, id), HR_OK);
	assert_string_equal(id, "second");
	/* and again, from the cache */
	assert_int_equal(check_in(c, a, PERSON, PURPOSE, DOC, NOW + 1, id), HR_OK);
	assert_string_equal(id, "first");
	consent_checker_free(c);
	free(a);
	free(b);
}

/* ---- who, why, what ---- */

static void test_refuses_a_consent_of_another_person(void **state)
{
	char *token = good_token("j");

	(void)state;
	assert_int_equal(check(token, OTHER, PURPOSE, DOC, NOW), HR_E_DENIED);
	/* a prefix or an extension of the person is another person */
	assert_int_equal(check(token, "UA:301234567", PURPOSE, DOC, NOW), HR_E_DENIED);
	assert_int_equal(check(token, PERSON "0", PURPOSE, DOC, NOW), HR_E_DENIED);
	assert_int_equal(check(token, "3012345670", PURPOSE, DOC, NOW), HR_E_DENIED);
	assert_int_equal(check(token, "", PURPOSE, DOC, NOW), HR_E_DENIED);
	free(token);
	/* no sub, or a sub that is not a string */
	assert_int_equal(
	    check_and_free(token_with_claims("{\"purpose\":\"" PURPOSE "\",\"aud\":\"" ATTESTER
					     "\",\"docs\":[\"" DOC "\"],\"iat\":1764000000,"
					     "\"exp\":1764000300,\"jti\":\"j\"}"),
			   DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":3012345670,\"purpose\":\"" PURPOSE
					     "\",\"aud\":\"" ATTESTER "\",\"docs\":[\"" DOC
					     "\"],\"iat\":1764000000,"
					     "\"exp\":1764000300,\"jti\":\"j\"}"),
			   DOC, NOW),
	    HR_E_DENIED);
}

static void test_refuses_a_consent_for_another_purpose(void **state)
{
	char *token = good_token("j");

	(void)state;
	assert_int_equal(check(token, PERSON, "police-document-check", DOC, NOW), HR_E_DENIED);
	assert_int_equal(check(token, PERSON, "citizen-walle", DOC, NOW), HR_E_DENIED);
	assert_int_equal(check(token, PERSON, "citizen-wallet ", DOC, NOW), HR_E_DENIED);
	assert_int_equal(check(token, PERSON, "", DOC, NOW), HR_E_DENIED);
	free(token);
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":\"" PERSON "\",\"aud\":\"" ATTESTER
					     "\",\"docs\":[\"" DOC "\"],\"iat\":1764000000,"
					     "\"exp\":1764000300,\"jti\":\"j\"}"),
			   DOC, NOW),
	    HR_E_DENIED);
}

static void test_refuses_documents_the_consent_does_not_name(void **state)
{
	char *token = token_for(PERSON, PURPOSE, "[\"id_card\",\"driver_licence\"]", NOW,
				NOW + LIFETIME, "j");

	(void)state;
	assert_int_equal(check(token, PERSON, PURPOSE, "id_card", NOW), HR_OK);
	assert_int_equal(check(token, PERSON, PURPOSE, "driver_licence", NOW), HR_OK);
	assert_int_equal(check(token, PERSON, PURPOSE, "vaccination", NOW), HR_E_DENIED);
	assert_int_equal(check(token, PERSON, PURPOSE, "driver_licenc", NOW), HR_E_DENIED);
	assert_int_equal(check(token, PERSON, PURPOSE, "driver_licence_x", NOW), HR_E_DENIED);
	free(token);
	/* an empty list, a missing one, a string instead of a list, non-strings */
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[]", NOW, NOW + 60, "j"), DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "\"*\"", NOW, NOW + 60, "j"), DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "\"" DOC "\"", NOW, NOW + 60, "j"), DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[1,null,{\"*\":1}]", NOW, NOW + 60, "j"),
			   DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":\"" PERSON "\",\"purpose\":\"" PURPOSE
					     "\",\"iat\":1764000000,"
					     "\"exp\":1764000300,\"jti\":\"j\"}"),
			   DOC, NOW),
	    HR_E_DENIED);
}

/* Issue 13: a consent names its document types; "*" (which once meant every
 * type) is refused, alone or among names, and no pattern is a wildcard. */
static void test_refuses_a_consent_that_names_every_type_with_a_star(void **state)
{
	char *token = token_for(PERSON, PURPOSE, "[\"*\"]", NOW, NOW + LIFETIME, "j");

	(void)state;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		assert_int_equal(check(token, PERSON, PURPOSE, document_types[t], NOW),
				 HR_E_DENIED);
	free(token);
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"id_card\",\"*\"]", NOW, NOW + 60, "j"),
			   "id_card", NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"driver_*\",\"**\"]", NOW, NOW + 60, "j"),
			   DOC, NOW),
	    HR_E_DENIED);
}

static void test_consent_for_one_type_refused_for_another(void **state)
{
	char *token = token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + LIFETIME, "j");

	(void)state;
	assert_int_equal(check(token, PERSON, PURPOSE, DOC, NOW), HR_OK);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		if (strcmp(document_types[t], DOC) != 0)
			assert_int_equal(check(token, PERSON, PURPOSE, document_types[t], NOW),
					 HR_E_DENIED);
	free(token);
	/* several named types: each of them, and only them */
	token = token_for(PERSON, PURPOSE, "[\"id_card\",\"vaccination\"]", NOW, NOW + 60, "j");
	assert_int_equal(check(token, PERSON, PURPOSE, "id_card", NOW), HR_OK);
	assert_int_equal(check(token, PERSON, PURPOSE, "vaccination", NOW), HR_OK);
	assert_int_equal(check(token, PERSON, PURPOSE, DOC, NOW), HR_E_DENIED);
	free(token);
}

/* A consent given to the wallet cannot be presented by another member (a bank
 * that saw it relayed, say), and one naming no member is no consent at all. */
static void test_refuses_a_consent_given_to_another_member(void **state)
{
	char *token = good_token("j");
	struct consent_checker *c = new_checker();
	struct hr_error err = {0};
	char id[ID_SIZE];

	(void)state;
	assert_int_equal(consent_check(c, token, PERSON, PURPOSE, "UA/COM/14360570/bank", DOC, NOW,
				       id, sizeof(id), &err),
			 HR_E_DENIED);
	assert_non_null(strstr(err.message, "another member"));
	/* nor from the cache, once the wallet's use verified it */
	assert_int_equal(
	    consent_check(c, token, PERSON, PURPOSE, ATTESTER, DOC, NOW, id, sizeof(id), NULL),
	    HR_OK);
	assert_int_equal(consent_check(c, token, PERSON, PURPOSE, "UA/COM/14360570/bank", DOC,
				       NOW + 1, id, sizeof(id), NULL),
			 HR_E_DENIED);
	consent_checker_free(c);
	free(token);
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":\"" PERSON "\",\"purpose\":\"" PURPOSE
					     "\",\"docs\":[\"" DOC "\"],\"iat\":1764000000,"
					     "\"exp\":1764000060,\"jti\":\"j\"}"),
			   DOC, NOW),
	    HR_E_DENIED);
}

/* The device CLI asks for the least each wallet call needs. */
static void test_wallet_path_scope_names_only_what_the_call_needs(void **state)
{
	struct consent_scope scope;

	(void)state;
	assert_int_equal(
	    consent_scope_for_wallet_path("/v1/documents/vaccination", ATTESTER, &scope, NULL),
	    HR_OK);
	assert_int_equal(scope.doc_count, 1);
	assert_string_equal(scope.docs[0], "vaccination");
	assert_string_equal(scope.audience, ATTESTER);
	assert_int_equal(consent_scope_for_wallet_path("/v1/documents/id_card/report-lost",
						       ATTESTER, &scope, NULL),
			 HR_OK);
	assert_int_equal(scope.doc_count, 1);
	assert_string_equal(scope.docs[0], "id_card");
	assert_int_equal(consent_scope_for_wallet_path("/v1/documents", ATTESTER, &scope, NULL),
			 HR_OK);
	assert_int_equal(scope.doc_count, DOCUMENT_TYPE_COUNT);
	assert_int_equal(consent_scope_for_wallet_path("/v1/access-log", ATTESTER, &scope, NULL),
			 HR_OK);
	assert_string_equal(scope.docs[0], "access_log");
	assert_int_equal(
	    consent_scope_for_wallet_path("/v1/documents/passport", ATTESTER, &scope, NULL),
	    HR_E_INVALID);
	assert_int_equal(consent_scope_for_wallet_path("/v1/enrol/start", ATTESTER, &scope, NULL),
			 HR_E_INVALID);
}

/* ---- time ---- */

static void test_refuses_a_consent_issued_in_the_future(void **state)
{
	(void)state;
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW + 60, NOW + 300, "j"),
			   DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW + 3600, NOW + 3900, "j"),
			   DOC, NOW),
	    HR_E_DENIED);
	/* the same token is fine once its iat has come */
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW + 60, NOW + 300, "j"),
			   DOC, NOW + 60),
	    HR_OK);
}

static void test_refuses_an_expired_consent(void **state)
{
	char *token = token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW - 100, NOW + 100, "j");

	(void)state;
	assert_int_equal(check(token, PERSON, PURPOSE, DOC, NOW + 99), HR_OK);
	assert_int_equal(check(token, PERSON, PURPOSE, DOC, NOW + 101), HR_E_DENIED);
	assert_int_equal(check(token, PERSON, PURPOSE, DOC, NOW + 100000), HR_E_DENIED);
	free(token);
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW - 300, NOW - 1, "j"),
			   DOC, NOW),
	    HR_E_DENIED);
}

static void test_refuses_a_lifetime_over_the_maximum(void **state)
{
	(void)state;
	/* exactly the maximum is allowed */
	assert_int_equal(check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW,
						  NOW + CONSENT_MAX_LIFETIME_S, "j"),
					DOC, NOW),
			 HR_OK);
	assert_int_equal(check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW,
						  NOW + CONSENT_MAX_LIFETIME_S + 1, "j"),
					DOC, NOW),
			 HR_E_DENIED);
	/* refused even while it is still in its first seconds */
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW - 1000, NOW + 10, "j"),
			   DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + 86400 * 30, "j"),
			   DOC, NOW + 1),
	    HR_E_DENIED);
	/* exp before iat is no lifetime at all */
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW + 5, NOW + 1, "j"), DOC,
			   NOW + 2),
	    HR_E_DENIED);
}

static void test_refuses_times_that_are_not_integers(void **state)
{
	(void)state;
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":\"" PERSON "\",\"purpose\":\"" PURPOSE
					     "\",\"aud\":\"" ATTESTER "\",\"docs\":[\"" DOC
					     "\"],\"iat\":\"1764000000\","
					     "\"exp\":1764000300,\"jti\":\"j\"}"),
			   DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":\"" PERSON "\",\"purpose\":\"" PURPOSE
					     "\",\"aud\":\"" ATTESTER "\",\"docs\":[\"" DOC
					     "\"],\"iat\":1764000000,"
					     "\"exp\":1764000300.5,\"jti\":\"j\"}"),
			   DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":\"" PERSON "\",\"purpose\":\"" PURPOSE
					     "\",\"aud\":\"" ATTESTER "\",\"docs\":[\"" DOC
					     "\"],\"iat\":1764000000,"
					     "\"jti\":\"j\"}"),
			   DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":\"" PERSON "\",\"purpose\":\"" PURPOSE
					     "\",\"aud\":\"" ATTESTER "\",\"docs\":[\"" DOC "\"],"
					     "\"exp\":1764000300,\"jti\":\"j\"}"),
			   DOC, NOW),
	    HR_E_DENIED);
}

/*
 * iat far in the past and exp far in the future: exp - iat exceeds the range
 * of int64 and must not wrap round into a small lifetime. (Last in the list: an
 * UBSan build stops the program at the overflow.)
 */
static void test_refuses_a_lifetime_that_overflows(void **state)
{
	(void)state;
	assert_int_equal(check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", INT64_MIN,
						  NOW + 86400LL * 3650, "j"),
					DOC, NOW),
			 HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW, INT64_MAX, "j"), DOC,
			   NOW),
	    HR_E_DENIED);
}

/* ---- jti ---- */

static void test_refuses_a_consent_without_a_usable_jti(void **state)
{
	char *token;
	char small[8], fits[8];
	struct consent_checker *c;

	(void)state;
	assert_int_equal(
	    check_and_free(token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + 60, ""), DOC,
			   NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":\"" PERSON "\",\"purpose\":\"" PURPOSE
					     "\",\"aud\":\"" ATTESTER "\",\"docs\":[\"" DOC
					     "\"],\"iat\":1764000000,"
					     "\"exp\":1764000300}"),
			   DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":\"" PERSON "\",\"purpose\":\"" PURPOSE
					     "\",\"aud\":\"" ATTESTER "\",\"docs\":[\"" DOC
					     "\"],\"iat\":1764000000,"
					     "\"exp\":1764000300,\"jti\":17}"),
			   DOC, NOW),
	    HR_E_DENIED);
	/* a jti that does not fit the caller's buffer is refused, never cut */
	c = new_checker();
	token = token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + 60, "12345678");
	assert_int_equal(consent_check(c, token, PERSON, PURPOSE, ATTESTER, DOC, NOW, small,
				       sizeof(small), NULL),
			 HR_E_DENIED);
	free(token);
	token = token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + 60, "1234567");
	assert_int_equal(
	    consent_check(c, token, PERSON, PURPOSE, ATTESTER, DOC, NOW, fits, sizeof(fits), NULL),
	    HR_OK);
	assert_string_equal(fits, "1234567");
	free(token);
	consent_checker_free(c);
}

/* ---- the header: typ, alg, key ---- */

static void test_refuses_another_token_type(void **state)
{
	static const char *const headers[] = {
	    "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":%s}",
	    "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"jwk\":%s}",
	    "{\"typ\":\"hromada-consent\",\"alg\":\"ES256\",\"jwk\":%s}",
	    "{\"typ\":\"hromada-consent+jwt \",\"alg\":\"ES256\",\"jwk\":%s}",
	    "{\"typ\":7,\"alg\":\"ES256\",\"jwk\":%s}",
	    "{\"alg\":\"ES256\",\"jwk\":%s}",
	};
	char claims[4096];

	(void)state;
	claims_text(claims, sizeof(claims), PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + 60, "j");
	/* the same claims under the right typ are fine */
	assert_int_equal(
	    check_and_free(token_with_header(device, STANDARD_HEADER, device, NULL, claims), DOC,
			   NOW),
	    HR_OK);
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		assert_int_equal(
		    check_and_free(token_with_header(device, headers[i], device, NULL, claims), DOC,
				   NOW),
		    HR_E_DENIED);
}

static void test_refuses_algorithms_other_than_es256(void **state)
{
	static const char *const algs[] = {"none",  "None",  "NONE",  "ES384", "ES512", "HS256",
					   "RS256", "PS256", "EdDSA", "es256", ""};
	char claims[4096], header[1024], *jwk = jwk_text(device, NULL), *token;
	struct buf b;

	(void)state;
	claims_text(claims, sizeof(claims), PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + 60, "j");
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		snprintf(header, sizeof(header),
			 "{\"typ\":\"" CONSENT_TYPE "\",\"alg\":\"%s\",\"jwk\":%s}", algs[i], jwk);
		/* a valid ES256 signature does not save a header that names another alg */
		assert_int_equal(check_and_free(sign_raw(device, header, claims), DOC, NOW),
				 HR_E_DENIED);
		/* nor does an empty signature ("alg": "none" style) */
		buf_init(&b, 1 << 16);
		base64_encode(header, strlen(header), BASE64_URL, &b);
		buf_append_byte(&b, '.');
		base64_encode(claims, strlen(claims), BASE64_URL, &b);
		buf_append_byte(&b, '.');
		token = (char *)buf_take(&b, NULL);
		assert_int_equal(check_and_free(token, DOC, NOW), HR_E_DENIED);
	}
	/* no alg at all */
	snprintf(header, sizeof(header), "{\"typ\":\"" CONSENT_TYPE "\",\"jwk\":%s}", jwk);
	assert_int_equal(check_and_free(sign_raw(device, header, claims), DOC, NOW), HR_E_DENIED);
	free(jwk);
}

static void test_refuses_a_signature_by_another_key_than_the_header_jwk(void **state)
{
	char claims[4096];

	(void)state;
	claims_text(claims, sizeof(claims), PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + 60, "j");
	/* signed by the other device, naming this device's key */
	assert_int_equal(
	    check_and_free(token_with_header(other_device, STANDARD_HEADER, device, NULL, claims),
			   DOC, NOW),
	    HR_E_DENIED);
	/* and the other way round */
	assert_int_equal(
	    check_and_free(token_with_header(device, STANDARD_HEADER, other_device, NULL, claims),
			   DOC, NOW),
	    HR_E_DENIED);
	/* the other device with its own key is a consent only with its own attestation */
	assert_int_equal(check_and_free(token_with_header(other_device, STANDARD_HEADER,
							  other_device, NULL, claims),
					DOC, NOW),
			 HR_E_DENIED);
	{
		char att[ATTESTATION_MAX_LEN + 1];
		attest(attester, other_device, PERSON, NOW - 60, 3600, att, sizeof(att));
		assert_int_equal(
		    check_and_free(token_with_attestation(other_device, PERSON, att), DOC, NOW),
		    HR_OK);
	}
}

static void test_refuses_a_header_jwk_holding_a_private_key(void **state)
{
	BIGNUM *d = NULL;
	uint8_t scalar[32];
	char extra[128], claims[4096];
	struct buf b;

	(void)state;
	assert_int_equal(EVP_PKEY_get_bn_param(device_key, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
	assert_int_equal(BN_bn2binpad(d, scalar, 32), 32);
	BN_clear_free(d);
	buf_init(&b, 128);
	assert_int_equal(base64_encode(scalar, 32, BASE64_URL, &b), HR_OK);
	snprintf(extra, sizeof(extra), ",\"d\":\"%s\"", buf_str(&b));
	buf_clear(&b);
	claims_text(claims, sizeof(claims), PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + 60, "j");
	/* correctly signed by that very key: still refused */
	assert_int_equal(
	    check_and_free(token_with_header(device, STANDARD_HEADER, device, extra, claims), DOC,
			   NOW),
	    HR_E_DENIED);
	assert_int_equal(check_and_free(token_with_header(device, STANDARD_HEADER, device,
							  ",\"d\":null", claims),
					DOC, NOW),
			 HR_E_DENIED);
}

static void test_refuses_a_missing_or_unusable_header_jwk(void **state)
{
	static const char *const headers[] = {
	    "{\"typ\":\"" CONSENT_TYPE "\",\"alg\":\"ES256\"}",
	    "{\"typ\":\"" CONSENT_TYPE "\",\"alg\":\"ES256\",\"jwk\":null}",
	    "{\"typ\":\"" CONSENT_TYPE "\",\"alg\":\"ES256\",\"jwk\":\"key\"}",
	    "{\"typ\":\"" CONSENT_TYPE
	    "\",\"alg\":\"ES256\",\"jwk\":{\"kty\":\"RSA\",\"n\":\"AQAB\","
	    "\"e\":\"AQAB\"}}",
	    /* a point that is not on P-256 */
	    "{\"typ\":\"" CONSENT_TYPE
	    "\",\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	    "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\"}}",
	};
	char claims[4096];

	(void)state;
	claims_text(claims, sizeof(claims), PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + 60, "j");
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		assert_int_equal(check_and_free(sign_raw(device, headers[i], claims), DOC, NOW),
				 HR_E_DENIED);
}

/* ---- malformed and oversized text ---- */

static void test_refuses_truncated_and_garbage_tokens(void **state)
{
	static const char *const garbage[] = {
	    "",
	    ".",
	    "..",
	    "...",
	    "not a token",
	    "e30.e30.",
	    "e30.e30.e30",
	    "eyJhbGciOiJFUzI1NiJ9",
	    "eyJhbGciOiJFUzI1NiJ9.e30",
	    "\xff\xfe.\x01.\x02",
	    "Bearer eyJhbGciOiJFUzI1NiJ9.e30.e30",
	};
	char *token = good_token("j"), *copy;
	size_t len = strlen(token);

	(void)state;
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		assert_int_equal(check(garbage[i], PERSON, PURPOSE, DOC, NOW), HR_E_DENIED);
	/* every proper prefix of a valid token is refused */
	copy = malloc(len + 1);
	for (size_t cut = 0; cut < len; cut++) {
		memcpy(copy, token, cut);
		copy[cut] = 0;
		assert_int_equal(check(copy, PERSON, PURPOSE, DOC, NOW), HR_E_DENIED);
	}
	free(copy);
	/* and so are additions at either end or inside */
	copy = malloc(len + 8);
	snprintf(copy, len + 8, "%s.", token);
	assert_int_equal(check(copy, PERSON, PURPOSE, DOC, NOW), HR_E_DENIED);
	snprintf(copy, len + 8, "%s ", token);
	assert_int_equal(check(copy, PERSON, PURPOSE, DOC, NOW), HR_E_DENIED);
	snprintf(copy, len + 8, " %s", token);
	assert_int_equal(check(copy, PERSON, PURPOSE, DOC, NOW), HR_E_DENIED);
	snprintf(copy, len + 8, "%sAA", token);
	assert_int_equal(check(copy, PERSON, PURPOSE, DOC, NOW), HR_E_DENIED);
	free(copy);
	/* the intact token, for contrast */
	assert_int_equal(check(token, PERSON, PURPOSE, DOC, NOW), HR_OK);
	free(token);
}

/* A valid, correctly signed consent padded (with an extra claim) to about len bytes. */
static char *padded_token(size_t pad)
{
	char *claims = malloc(pad + 4096), *token;

	assert_non_null(claims);
	snprintf(claims, pad + 4096,
		 "{\"sub\":\"" PERSON "\",\"purpose\":\"" PURPOSE "\",\"aud\":\"" ATTESTER
		 "\",\"docs\":[\"" DOC "\"],\"iat\":%d,\"exp\":%d,\"jti\":\"j\",\"att\":\"%s\","
		 "\"pad\":\"%0*d\"}",
		 NOW, NOW + 60, attestation, (int)pad, 0);
	token = token_with_claims(claims);
	free(claims);
	return token;
}

static void test_refuses_tokens_over_the_maximum_length(void **state)
{
	char *big = malloc(CONSENT_MAX_LEN + 2), *token;
	size_t longest_ok = 0, shortest_refused = SIZE_MAX, first;

	(void)state;
	memset(big, 'A', CONSENT_MAX_LEN + 1);
	big[CONSENT_MAX_LEN + 1] = 0;
	assert_int_equal(check(big, PERSON, PURPOSE, DOC, NOW), HR_E_DENIED);
	free(big);
	/* correctly signed and otherwise valid: accepted up to the limit, refused past it;
	 * each byte of pad is 4/3 of a character of token: start a little short of it */
	token = padded_token(0);
	first = (CONSENT_MAX_LEN - strlen(token)) * 3 / 4 - 30;
	free(token);
	for (size_t pad = first; pad < first + 60; pad++) {
		size_t len;
		hr_status rc;

		token = padded_token(pad);
		len = strlen(token);
		rc = check(token, PERSON, PURPOSE, DOC, NOW);
		if (len <= CONSENT_MAX_LEN) {
			assert_int_equal(rc, HR_OK);
			if (len > longest_ok)
				longest_ok = len;
		} else {
			assert_int_equal(rc, HR_E_DENIED);
			if (len < shortest_refused)
				shortest_refused = len;
		}
		free(token);
	}
	/* the loop did straddle the limit */
	assert_true(longest_ok > CONSENT_MAX_LEN - 8 && longest_ok <= CONSENT_MAX_LEN);
	assert_true(shortest_refused > CONSENT_MAX_LEN && shortest_refused < CONSENT_MAX_LEN + 8);
}

/* ---- the cache of verified tokens ---- */

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char b64url_with_value(char c, int (*change)(int))
{
	int v = (int)(strchr(b64url_alphabet, c) - b64url_alphabet);

	return b64url_alphabet[change(v) & 63];
}

static int flip_high_bit(int v)
{
	return v ^ 32;
}

static int flip_low_bit(int v)
{
	return v ^ 1;
}

static void test_cache_never_accepts_bytes_it_did_not_verify(void **state)
{
	struct consent_checker *c = new_checker();
	char *token = good_token("cached"),
	     *other = token_for(OTHER, PURPOSE, "[\"" DOC "\"]", NOW, NOW + LIFETIME, "other");
	char *copy = strdup(token), *sig, *forged;
	char id[ID_SIZE];
	size_t len = strlen(token), prefix;

	(void)state;
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW, id), HR_OK);
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW, id), HR_OK);

	/* one signature byte changed, anywhere in the signature */
	sig = strrchr(copy, '.') + 1;
	for (size_t i = 0; i + 1 < strlen(sig); i += 5) {
		strcpy(copy, token);
		sig[i] = b64url_with_value(sig[i], flip_high_bit);
		assert_int_equal(check_in(c, copy, PERSON, PURPOSE, DOC, NOW, id), HR_E_DENIED);
	}
	/* the last character's unused bits: same signature bytes, non-canonical text */
	strcpy(copy, token);
	copy[len - 1] = b64url_with_value(copy[len - 1], flip_low_bit);
	assert_int_equal(check_in(c, copy, PERSON, PURPOSE, DOC, NOW, id), HR_E_DENIED);
	/* one byte of the claims or of the header changed */
	strcpy(copy, token);
	sig = strchr(copy, '.') + 1;
	sig[10] = b64url_with_value(sig[10], flip_high_bit);
	assert_int_equal(check_in(c, copy, PERSON, PURPOSE, DOC, NOW, id), HR_E_DENIED);
	strcpy(copy, token);
	copy[20] = b64url_with_value(copy[20], flip_high_bit);
	assert_int_equal(check_in(c, copy, PERSON, PURPOSE, DOC, NOW, id), HR_E_DENIED);

	/* another person's claims under the remembered header and signature */
	prefix = (size_t)(strchr(token, '.') - token);
	forged = malloc(strlen(token) + strlen(other) + 1);
	memcpy(forged, token, prefix); /* header */
	forged[prefix] = 0;
	strncat(forged, strchr(other, '.'),
		(size_t)(strrchr(other, '.') - strchr(other, '.'))); /* .claims */
	strcat(forged, strrchr(token, '.'));                         /* .signature */
	assert_int_equal(check_in(c, forged, OTHER, PURPOSE, DOC, NOW, id), HR_E_DENIED);
	free(forged);

	/* a longer text that starts with the remembered one */
	forged = malloc(len + 3);
	snprintf(forged, len + 3, "%s==", token);
	assert_int_equal(check_in(c, forged, PERSON, PURPOSE, DOC, NOW, id), HR_E_DENIED);
	free(forged);

	/* the remembered token itself is still fine */
	memset(id, 0, sizeof(id));
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW + 1, id), HR_OK);
	assert_string_equal(id, "cached");
	consent_checker_free(c);
	free(copy);
	free(token);
	free(other);
}

static void test_a_remembered_consent_is_still_checked_against_each_request(void **state)
{
	struct consent_checker *c = new_checker();
	char *token = good_token("again");
	char id[ID_SIZE];

	(void)state;
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW, id), HR_OK);
	assert_int_equal(check_in(c, token, OTHER, PURPOSE, DOC, NOW + 1, id), HR_E_DENIED);
	assert_int_equal(check_in(c, token, PERSON, "police-document-check", DOC, NOW + 1, id),
			 HR_E_DENIED);
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, "id_card", NOW + 1, id), HR_E_DENIED);
	/* expiry is not frozen by the cache */
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW + LIFETIME, id), HR_E_DENIED);
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW + LIFETIME + 500, id),
			 HR_E_DENIED);
	/* nor is iat: asked about an earlier moment, it is not yet valid */
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW - 600, id), HR_E_DENIED);
	/* a jti that does not fit is refused from the cache too */
	assert_int_equal(
	    consent_check(c, token, PERSON, PURPOSE, ATTESTER, DOC, NOW + 2, id, 3, NULL),
	    HR_E_DENIED);
	/* while it still holds for the request it was made for */
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW + 2, id), HR_OK);
	assert_string_equal(id, "again");
	consent_checker_free(c);
	free(token);
}

static void test_a_refused_token_is_not_remembered_as_verified(void **state)
{
	struct consent_checker *c = new_checker();
	char claims[4096], *forged;
	char id[ID_SIZE];

	(void)state;
	claims_text(claims, sizeof(claims), PERSON, PURPOSE, "[\"" DOC "\"]", NOW, NOW + 60, "j");
	forged = token_with_header(other_device, STANDARD_HEADER, device, NULL, claims);
	for (int i = 0; i < 3; i++)
		assert_int_equal(check_in(c, forged, PERSON, PURPOSE, DOC, NOW + i, id),
				 HR_E_DENIED);
	free(forged);
	/* a token whose signature is fine but whose claims failed once, then succeed */
	forged = token_for(PERSON, PURPOSE, "[\"" DOC "\"]", NOW + 30, NOW + 90, "later");
	assert_int_equal(check_in(c, forged, PERSON, PURPOSE, DOC, NOW, id), HR_E_DENIED);
	assert_int_equal(check_in(c, forged, PERSON, PURPOSE, DOC, NOW + 30, id), HR_OK);
	assert_string_equal(id, "later");
	free(forged);
	consent_checker_free(c);
}

#define MANY 300

static void test_many_consents_in_one_checker_stay_apart(void **state)
{
	struct consent_checker *c = new_checker();
	char *tokens[MANY], jti[32], id[ID_SIZE];

	(void)state;
	for (int i = 0; i < MANY; i++) {
		snprintf(jti, sizeof(jti), "jti-%d", i);
		tokens[i] = token_for(i % 2 ? PERSON : OTHER, PURPOSE, "[\"" DOC "\"]", NOW,
				      NOW + LIFETIME, jti);
	}
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < MANY; i++) {
			snprintf(jti, sizeof(jti), "jti-%d", i);
			assert_int_equal(check_in(c, tokens[i], i % 2 ? PERSON : OTHER, PURPOSE,
						  DOC, NOW + round, id),
					 HR_OK);
			assert_string_equal(id, jti);
			assert_int_equal(check_in(c, tokens[i], i % 2 ? OTHER : PERSON, PURPOSE,
						  DOC, NOW + round, id),
					 HR_E_DENIED);
		}
	}
	for (int i = 0; i < MANY; i++)
		free(tokens[i]);
	consent_checker_free(c);
}

struct race {
	struct consent_checker *checker;
	char **tokens;
	const char *tampered;
	int failures;
};

#define RACE_TOKENS 8

static void *race_run(void *arg)
{
	struct race *r = arg;
	char id[ID_SIZE], expected[32];

	for (int i = 0; i < 400; i++) {
		int t = i % RACE_TOKENS;
		snprintf(expected, sizeof(expected), "race-%d", t);
		if (consent_check(r->checker, r->tokens[t], PERSON, PURPOSE, ATTESTER, DOC, NOW, id,
				  sizeof(id), NULL) != HR_OK ||
		    strcmp(id, expected) != 0)
			r->failures++;
		if (consent_check(r->checker, r->tampered, PERSON, PURPOSE, ATTESTER, DOC, NOW, id,
				  sizeof(id), NULL) != HR_E_DENIED)
			r->failures++;
	}
	return NULL;
}

static void test_concurrent_checks_agree(void **state)
{
	struct consent_checker *c = new_checker();
	char *tokens[RACE_TOKENS], jti[32], *tampered;
	struct race races[4];
	pthread_t threads[4];

	(void)state;
	for (int i = 0; i < RACE_TOKENS; i++) {
		snprintf(jti, sizeof(jti), "race-%d", i);
		tokens[i] = good_token(jti);
	}
	tampered = strdup(tokens[0]);
	tampered[strlen(tampered) - 10] =
	    b64url_with_value(tampered[strlen(tampered) - 10], flip_high_bit);
	for (int t = 0; t < 4; t++) {
		races[t] = (struct race){c, tokens, tampered, 0};
		assert_int_equal(pthread_create(&threads[t], NULL, race_run, &races[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(threads[t], NULL);
		assert_int_equal(races[t].failures, 0);
	}
	for (int i = 0; i < RACE_TOKENS; i++)
		free(tokens[i]);
	free(tampered);
	consent_checker_free(c);
}

/* ---- consent_make ---- */

static void test_consent_make_makes_what_the_checker_accepts(void **state)
{
	json_t *jwk = NULL, *header = NULL, *claims = NULL;
	struct buf a, b;
	char id_a[ID_SIZE], id_b[ID_SIZE];

	(void)state;
	assert_int_equal(jose_key_to_jwk(signer_public_key(device), &jwk, NULL), HR_OK);
	buf_init(&a, CONSENT_MAX_LEN);
	buf_init(&b, CONSENT_MAX_LEN);
	assert_int_equal(
	    consent_make(device, jwk, attestation, PERSON, PURPOSE, &SCOPE, NOW, 120, &a, NULL),
	    HR_OK);
	assert_int_equal(
	    consent_make(device, jwk, attestation, PERSON, PURPOSE, &SCOPE, NOW, 120, &b, NULL),
	    HR_OK);
	assert_int_equal(jose_jws_verify(buf_str(&a), a.len, NULL, &header, &claims, NULL), HR_OK);
	assert_string_equal(json_string_value(json_object_get(header, "typ")), CONSENT_TYPE);
	assert_int_equal(json_integer_value(json_object_get(claims, "iat")), NOW);
	assert_int_equal(json_integer_value(json_object_get(claims, "exp")), NOW + 120);
	/* the type it names, for that person and purpose only, until exp */
	assert_int_equal(check(buf_str(&a), PERSON, PURPOSE, DOC, NOW + 10), HR_OK);
	assert_int_equal(check(buf_str(&a), PERSON, PURPOSE, "id_card", NOW + 10), HR_E_DENIED);
	assert_string_equal(json_string_value(json_object_get(claims, "aud")), ATTESTER);
	json_decref(header);
	json_decref(claims);
	assert_int_equal(check(buf_str(&a), OTHER, PURPOSE, DOC, NOW), HR_E_DENIED);
	assert_int_equal(check(buf_str(&a), PERSON, "other", DOC, NOW), HR_E_DENIED);
	assert_int_equal(check(buf_str(&a), PERSON, PURPOSE, DOC, NOW + 120), HR_E_DENIED);
	/* a fresh jti each time */
	{
		struct consent_checker *c = new_checker();
		assert_int_equal(check_in(c, buf_str(&a), PERSON, PURPOSE, DOC, NOW, id_a), HR_OK);
		assert_int_equal(check_in(c, buf_str(&b), PERSON, PURPOSE, DOC, NOW, id_b), HR_OK);
		assert_true(strlen(id_a) >= 16);
		assert_string_not_equal(id_a, id_b);
		consent_checker_free(c);
	}
	buf_clear(&a);
	buf_clear(&b);
	json_decref(jwk);
}

static void test_consent_make_refuses_lifetimes_outside_the_limit(void **state)
{
	static const int64_t bad[] = {0, -1, CONSENT_MAX_LIFETIME_S + 1, INT64_MAX};
	json_t *jwk = NULL;
	struct buf out;
	struct hr_error err;

	(void)state;
	assert_int_equal(jose_key_to_jwk(signer_public_key(device), &jwk, NULL), HR_OK);
	buf_init(&out, CONSENT_MAX_LEN);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(consent_make(device, jwk, attestation, PERSON, PURPOSE, &SCOPE,
					      NOW, bad[i], &out, &err),
				 HR_E_INVALID);
		assert_string_equal(err.stage, "consent");
		assert_int_equal(out.len, 0);
	}
	assert_int_equal(consent_make(device, jwk, attestation, PERSON, PURPOSE, &SCOPE, NOW,
				      CONSENT_MAX_LIFETIME_S, &out, NULL),
			 HR_OK);
	assert_int_equal(
	    check(buf_str(&out), PERSON, PURPOSE, DOC, NOW + CONSENT_MAX_LIFETIME_S - 1), HR_OK);
	buf_clear(&out);
	json_decref(jwk);
}

/* ---- the device attestation ---- */

static void test_refuses_a_consent_without_a_device_attestation(void **state)
{
	(void)state;
	assert_int_equal(
	    check_and_free(token_with_claims("{\"sub\":\"" PERSON "\",\"purpose\":\"" PURPOSE
					     "\",\"aud\":\"" ATTESTER "\",\"docs\":[\"" DOC
					     "\"],\"iat\":1764000000,"
					     "\"exp\":1764000060,\"jti\":\"j\"}"),
			   DOC, NOW),
	    HR_E_DENIED);
	assert_int_equal(check_and_free(token_with_attestation(device, PERSON, ""), DOC, NOW),
			 HR_E_DENIED);
	assert_int_equal(
	    check_and_free(token_with_attestation(device, PERSON, "not.an.attestation"), DOC, NOW),
	    HR_E_DENIED);
}

static void test_refuses_an_attestation_by_a_member_that_does_not_enrol_devices(void **state)
{
	char att[ATTESTATION_MAX_LEN + 1];
	struct buf b;
	char jkt[JOSE_THUMBPRINT_LEN];
	json_t *jwk = NULL;

	(void)state;
	/* signed by a stranger's key while claiming to be the attester */
	attest(stranger, device, PERSON, NOW - 60, 3600, att, sizeof(att));
	assert_int_equal(check_and_free(token_with_attestation(device, PERSON, att), DOC, NOW),
			 HR_E_DENIED);
	/* properly signed, under a member id the checker does not trust to enrol */
	assert_int_equal(jose_key_to_jwk(signer_public_key(device), &jwk, NULL), HR_OK);
	assert_int_equal(jose_jwk_thumbprint(jwk, jkt, NULL), HR_OK);
	json_decref(jwk);
	buf_init(&b, ATTESTATION_MAX_LEN);
	assert_int_equal(consent_attest_device(attester, "UA/COM/14360570/bank", PERSON, jkt,
					       NOW - 60, 3600, &b, NULL),
			 HR_OK);
	assert_int_equal(
	    check_and_free(token_with_attestation(device, PERSON, buf_str(&b)), DOC, NOW),
	    HR_E_DENIED);
	buf_clear(&b);
}

static void test_refuses_an_attestation_of_another_person_or_key(void **state)
{
	char att[ATTESTATION_MAX_LEN + 1];

	(void)state;
	/* the device's attestation, in a consent signed by another device */
	assert_int_equal(
	    check_and_free(token_with_attestation(other_device, PERSON, attestation), DOC, NOW),
	    HR_E_DENIED);
	/* an attestation of this device for another person, used for that person */
	attest(attester, device, OTHER, NOW - 60, 3600, att, sizeof(att));
	assert_int_equal(check_and_free(token_with_attestation(device, PERSON, att), DOC, NOW),
			 HR_E_DENIED);
	/* the device's own attestation (PERSON), in a consent about OTHER */
	{
		char *token = token_with_attestation(device, OTHER, attestation);
		assert_int_equal(check(token, OTHER, PURPOSE, DOC, NOW), HR_E_DENIED);
		free(token);
	}
}

static void test_refuses_an_expired_or_future_attestation(void **state)
{
	char att[ATTESTATION_MAX_LEN + 1];

	(void)state;
	attest(attester, device, PERSON, NOW - 7200, 3600, att, sizeof(att));
	assert_int_equal(check_and_free(token_with_attestation(device, PERSON, att), DOC, NOW),
			 HR_E_DENIED);
	attest(attester, device, PERSON, NOW + 600, 3600, att, sizeof(att));
	assert_int_equal(check_and_free(token_with_attestation(device, PERSON, att), DOC, NOW),
			 HR_E_DENIED);
	/* a good one, for contrast */
	attest(attester, device, PERSON, NOW - 60, 3600, att, sizeof(att));
	assert_int_equal(check_and_free(token_with_attestation(device, PERSON, att), DOC, NOW),
			 HR_OK);
}

static void test_a_consent_is_remembered_no_longer_than_its_attestation(void **state)
{
	struct consent_checker *c = new_checker();
	char att[ATTESTATION_MAX_LEN + 1], id[ID_SIZE];
	char *token;

	(void)state;
	/* the attestation ends 30 s after NOW, the consent 60 s after */
	attest(attester, device, PERSON, NOW - 60, 90, att, sizeof(att));
	token = token_with_attestation(device, PERSON, att);
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW, id), HR_OK);
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW + 20, id), HR_OK);
	assert_int_equal(check_in(c, token, PERSON, PURPOSE, DOC, NOW + 40, id), HR_E_DENIED);
	free(token);
	consent_checker_free(c);
}

static void test_a_checker_needs_an_attester(void **state)
{
	(void)state;
	assert_null(consent_checker_new(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_consent_is_accepted_with_its_jti),
	    cmocka_unit_test(test_each_consent_reports_its_own_jti),
	    cmocka_unit_test(test_refuses_a_consent_of_another_person),
	    cmocka_unit_test(test_refuses_a_consent_for_another_purpose),
	    cmocka_unit_test(test_refuses_documents_the_consent_does_not_name),
	    cmocka_unit_test(test_refuses_a_consent_that_names_every_type_with_a_star),
	    cmocka_unit_test(test_consent_for_one_type_refused_for_another),
	    cmocka_unit_test(test_refuses_a_consent_given_to_another_member),
	    cmocka_unit_test(test_wallet_path_scope_names_only_what_the_call_needs),
	    cmocka_unit_test(test_refuses_a_consent_issued_in_the_future),
	    cmocka_unit_test(test_refuses_an_expired_consent),
	    cmocka_unit_test(test_refuses_a_lifetime_over_the_maximum),
	    cmocka_unit_test(test_refuses_times_that_are_not_integers),
	    cmocka_unit_test(test_refuses_a_consent_without_a_usable_jti),
	    cmocka_unit_test(test_refuses_another_token_type),
	    cmocka_unit_test(test_refuses_algorithms_other_than_es256),
	    cmocka_unit_test(test_refuses_a_signature_by_another_key_than_the_header_jwk),
	    cmocka_unit_test(test_refuses_a_header_jwk_holding_a_private_key),
	    cmocka_unit_test(test_refuses_a_missing_or_unusable_header_jwk),
	    cmocka_unit_test(test_refuses_truncated_and_garbage_tokens),
	    cmocka_unit_test(test_refuses_tokens_over_the_maximum_length),
	    cmocka_unit_test(test_cache_never_accepts_bytes_it_did_not_verify),
	    cmocka_unit_test(test_a_remembered_consent_is_still_checked_against_each_request),
	    cmocka_unit_test(test_a_refused_token_is_not_remembered_as_verified),
	    cmocka_unit_test(test_many_consents_in_one_checker_stay_apart),
	    cmocka_unit_test(test_concurrent_checks_agree),
	    cmocka_unit_test(test_consent_make_makes_what_the_checker_accepts),
	    cmocka_unit_test(test_consent_make_refuses_lifetimes_outside_the_limit),
	    cmocka_unit_test(test_refuses_a_lifetime_that_overflows),
	    cmocka_unit_test(test_refuses_a_consent_without_a_device_attestation),
	    cmocka_unit_test(test_refuses_an_attestation_by_a_member_that_does_not_enrol_devices),
	    cmocka_unit_test(test_refuses_an_attestation_of_another_person_or_key),
	    cmocka_unit_test(test_refuses_an_expired_or_future_attestation),
	    cmocka_unit_test(test_a_consent_is_remembered_no_longer_than_its_attestation),
	    cmocka_unit_test(test_a_checker_needs_an_attester),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
