/*
 * test_dpop.c — DPoP proofs (RFC 9449): the published examples first (§4.1's
 * token request proof and §7.1's resource request proof, both verified with the
 * key in their header at their own iat), then every rule of §4.3 broken once,
 * then proofs made here checked back.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/base64.h"
#include "core/json.h"
#include "credential/signer.h"
#include "exchange/dpop.h"

/* RFC 9449 §4.1, Figure 2 (a token request) */
#define RFC_TOKEN_PROOF                                                                            \
	"eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0" \
	"Vj"                                                                                       \
	"NoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10Nn" \
	"Y5"                                                                                       \
	"VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19."                                                \
	"eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TV"                                        \
	"CIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-"     \
	"GxA6T8"                                                                                   \
	"lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
#define RFC_TOKEN_IAT 1562262616
#define RFC_TOKEN_URI "https://server.example.com/token"
/* RFC 9449 §7.1, Figure 14 (a protected resource request, with ath) */
#define RFC_RESOURCE_PROOF                                                                         \
	"eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0" \
	"Vj"                                                                                       \
	"NoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10Nn" \
	"Y5"                                                                                       \
	"VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19."                                                \
	"eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUI"                                        \
	"iwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2M" \
	"j"                                                                                        \
	"I2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9."          \
	"2oW9RP35yR"                                                                               \
	"qzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA"
#define RFC_RESOURCE_IAT 1562262618
#define RFC_RESOURCE_URI "https://resource.example.org/protectedresource"
#define RFC_ACCESS_TOKEN "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
#define RFC_JKT          "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"

#define NOW   1700000000
#define URI   "https://wallet.example/v1/documents"
#define TOKEN "access-token-1"

static struct signer *device, *other_device;

static struct signer *new_signer(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct signer *s = NULL;

	assert_int_equal(signer_from_key(key, NULL, &s, NULL), HR_OK);
	EVP_PKEY_free(key);
	return s;
}

static int setup(void **state)
{
	(void)state;
	device = new_signer();
	other_device = new_signer();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	signer_free(device);
	signer_free(other_device);
	return 0;
}

/* The compact JSON of signer's public JWK, with extra members appended. */
static char *jwk_text(struct signer *s, const char *extra)
{
	json_t *jwk = NULL;
	char *text, *out;

	assert_int_equal(jose_key_to_jwk(signer_public_key(s), &jwk, NULL), HR_OK);
	text = json_dumps(jwk, JSON_COMPACT);
	json_decref(jwk);
	out = malloc(strlen(text) + (extra ? strlen(extra) : 0) + 2);
	strcpy(out, text);
	if (extra != NULL) {
		out[strlen(out) - 1] = 0; /* drop '}' */
		strcat(out, extra);
		strcat(out, "}");
	}
	free(text);
	return out;
}

static void b64u(struct buf *out, const char *text)
{
	assert_int_equal(base64_encode(text, strlen(text), BASE64_URL, out), HR_OK);
}

/* A JWS over exactly these header and claims texts, signed by s (whatever the
 * header says), so that the tests can write any header at all. */
static char *sign_raw(struct signer *s, const char *header, const char *claims)
{
	uint8_t sig[64];
	size_t sig_len = sizeof(sig);
	struct buf b;

	buf_init(&b, 1 << 16);
	b64u(&b, header);
	buf_append_byte(&b, '.');
	b64u(&b, claims);
	assert_int_equal(signer_sign(s, b.data, b.len, sig, &sig_len, NULL), HR_OK);
	buf_append_byte(&b, '.');
	base64_encode(sig, sig_len, BASE64_URL, &b);
	return (char *)buf_take(&b, NULL);
}

/* A proof by s with the standard header and the given claims text. */
static char *proof_with_claims(struct signer *s, const char *claims)
{
	char *jwk = jwk_text(s, NULL), header[512], *proof;

	snprintf(header, sizeof(header), "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":%s}",
		 jwk);
	proof = sign_raw(s, header, claims);
	free(jwk);
	return proof;
}

/* A proof by s with the given header text (%s stands for the jwk) and good claims. */
static char *proof_with_header(struct signer *s, const char *header_format, const char *jwk_extra)
{
	char *jwk = jwk_text(s, jwk_extra), header[1024], claims[256], *proof;

	snprintf(header, sizeof(header), header_format, jwk);
	snprintf(claims, sizeof(claims),
		 "{\"jti\":\"j-header\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":%d}", NOW);
	proof = sign_raw(s, header, claims);
	free(jwk);
	return proof;
}

/* dpop_verify against a fresh replay cache; the message must name a stage. */
static hr_status check_once(const char *proof, const char *method, const char *uri,
			    const char *token, const char *jkt, int64_t now)
{
	struct replay_cache *seen = replay_cache_new(64);
	struct dpop_check check = {method, uri, token, jkt, now, seen};
	struct dpop_result result;
	struct hr_error err = {0};
	hr_status rc = dpop_verify(proof, &check, &result, &err);

	if (rc != HR_OK) {
		assert_string_equal(err.stage, "dpop");
		assert_true(err.message[0] != 0);
		assert_string_equal(result.jkt, "");
	}
	replay_cache_free(seen);
	return rc;
}

static void test_rfc9449_token_request_proof_verifies(void **state)
{
	struct replay_cache *seen = replay_cache_new(64);
	struct dpop_check check = {"POST", RFC_TOKEN_URI, NULL, NULL, RFC_TOKEN_IAT, seen};
	struct dpop_result result;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(dpop_verify(RFC_TOKEN_PROOF, &check, &result, &err), HR_OK);
	/* RFC 9449 §6.1 gives this thumbprint for the example key */
	assert_string_equal(result.jkt, RFC_JKT);
	/* §11.1: the same proof again is a replay */
	assert_int_equal(dpop_verify(RFC_TOKEN_PROOF, &check, &result, &err), HR_E_DENIED);
	assert_non_null(strstr(err.message, "jti"));
	replay_cache_free(seen);
}

static void test_rfc9449_resource_proof_with_ath_verifies(void **state)
{
	(void)state;
	assert_int_equal(check_once(RFC_RESOURCE_PROOF, "GET", RFC_RESOURCE_URI, RFC_ACCESS_TOKEN,
				    RFC_JKT, RFC_RESOURCE_IAT),
			 HR_OK);
	/* another access token: ath does not match */
	assert_int_equal(check_once(RFC_RESOURCE_PROOF, "GET", RFC_RESOURCE_URI, "another token",
				    RFC_JKT, RFC_RESOURCE_IAT),
			 HR_E_DENIED);
	/* the token is bound to another key */
	assert_int_equal(check_once(RFC_RESOURCE_PROOF, "GET", RFC_RESOURCE_URI, RFC_ACCESS_TOKEN,
				    "A3ZCOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I",
				    RFC_RESOURCE_IAT),
			 HR_E_DENIED);
	/* a token-endpoint proof (no ath) presented with an access token */
	assert_int_equal(check_once(RFC_TOKEN_PROOF, "POST", RFC_TOKEN_URI, RFC_ACCESS_TOKEN, NULL,
				    RFC_TOKEN_IAT),
			 HR_E_DENIED);
}

static void test_rfc9449_proof_age_limits(void **state)
{
	(void)state;
	assert_int_equal(check_once(RFC_TOKEN_PROOF, "POST", RFC_TOKEN_URI, NULL, NULL,
				    RFC_TOKEN_IAT + DPOP_MAX_AGE_S),
			 HR_OK);
	/* DESIGN §5: older than 60 s is refused */
	assert_int_equal(check_once(RFC_TOKEN_PROOF, "POST", RFC_TOKEN_URI, NULL, NULL,
				    RFC_TOKEN_IAT + DPOP_MAX_AGE_S + 1),
			 HR_E_DENIED);
	assert_int_equal(check_once(RFC_TOKEN_PROOF, "POST", RFC_TOKEN_URI, NULL, NULL,
				    RFC_TOKEN_IAT - DPOP_MAX_FUTURE_S),
			 HR_OK);
	assert_int_equal(check_once(RFC_TOKEN_PROOF, "POST", RFC_TOKEN_URI, NULL, NULL,
				    RFC_TOKEN_IAT - DPOP_MAX_FUTURE_S - 1),
			 HR_E_DENIED);
}

static void test_method_must_match(void **state)
{
	(void)state;
	assert_int_equal(
	    check_once(RFC_TOKEN_PROOF, "GET", RFC_TOKEN_URI, NULL, NULL, RFC_TOKEN_IAT),
	    HR_E_DENIED);
	/* methods are case-sensitive (RFC 9110 §9.1) */
	assert_int_equal(
	    check_once(RFC_TOKEN_PROOF, "post", RFC_TOKEN_URI, NULL, NULL, RFC_TOKEN_IAT),
	    HR_E_DENIED);
}

static void test_htu_compared_without_query_and_fragment(void **state)
{
	struct {
		const char *request_uri;
		hr_status expected;
	} cases[] = {
	    {"https://server.example.com/token", HR_OK},
	    {"https://server.example.com/token?grant=x&y=1", HR_OK},
	    {"https://server.example.com/token#frag", HR_OK},
	    {"https://server.example.com/token?a=b#frag", HR_OK},
	    /* scheme and host case-insensitive, the default port implied */
	    {"HTTPS://Server.Example.COM/token", HR_OK},
	    {"https://server.example.com:443/token", HR_OK},
	    /* an escaped unreserved character is the character itself */
	    {"https://server.example.com/%74oken", HR_OK},
	    /* anything else differs */
	    {"https://server.example.com/Token", HR_E_DENIED},
	    {"https://server.example.com/token/", HR_E_DENIED},
	    {"https://server.example.com/tokens", HR_E_DENIED},
	    {"http://server.example.com/token", HR_E_DENIED},
	    {"https://server.example.com:8443/token", HR_E_DENIED},
	    {"https://server.example.org/token", HR_E_DENIED},
	    {"https://evil.example/https://server.example.com/token", HR_E_DENIED},
	    /* not an http(s) URI at all */
	    {"/token", HR_E_INVALID},
	    {"ftp://server.example.com/token", HR_E_INVALID},
	    {"https://user@server.example.com/token", HR_E_INVALID},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(check_once(RFC_TOKEN_PROOF, "POST", cases[i].request_uri, NULL,
					    NULL, RFC_TOKEN_IAT),
				 cases[i].expected);
}

static void test_htu_normalisation_on_the_proof_side(void **state)
{
	struct {
		const char *htu;
		hr_status expected;
	} cases[] = {
	    {"https://WALLET.example:443/v1/documents", HR_OK},
	    {"https://wallet.example/v1/%64ocuments", HR_OK},
	    {"https://wallet.example/v1/documents?fields=a", HR_OK},
	    {"https://wallet.example:444/v1/documents", HR_E_DENIED},
	    {"https://wallet.example/v1/documents/../documents", HR_E_DENIED},
	    {"https://wallet.example/v1/%2Fdocuments", HR_E_DENIED},
	    {"wallet.example/v1/documents", HR_E_DENIED},
	    {"https://wallet.example/v1/docu ments", HR_E_DENIED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char claims[256], *proof;

		snprintf(claims, sizeof(claims),
			 "{\"jti\":\"j%zu\",\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":%d}", i,
			 cases[i].htu, NOW);
		proof = proof_with_claims(device, claims);
		assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), cases[i].expected);
		free(proof);
	}
}

static void test_claims_are_required_and_typed(void **state)
{
	const char *cases[] = {
	    "{\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":1700000000}",
	    "{\"jti\":\"a\",\"htu\":\"" URI "\",\"iat\":1700000000}",
	    "{\"jti\":\"a\",\"htm\":\"GET\",\"iat\":1700000000}",
	    "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"" URI "\"}",
	    "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":\"1700000000\"}",
	    "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":1700000000.5}",
	    "{\"jti\":\"a\",\"htm\":[\"GET\"],\"htu\":\"" URI "\",\"iat\":1700000000}",
	    "{\"jti\":7,\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":1700000000}",
	    "{\"jti\":\"\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":1700000000}",
	    /* duplicate claims: which htm would have been checked? */
	    "{\"jti\":\"a\",\"htm\":\"GET\",\"htm\":\"POST\",\"htu\":\"" URI
	    "\",\"iat\":1700000000}",
	    "[\"jti\"]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *proof = proof_with_claims(device, cases[i]);

		assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
		free(proof);
	}
}

static void test_jti_length_limit(void **state)
{
	char jti[300], claims[512], *proof;

	(void)state;
	memset(jti, 'j', 256);
	jti[256] = 0;
	snprintf(claims, sizeof(claims),
		 "{\"jti\":\"%s\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":%d}", jti, NOW);
	proof = proof_with_claims(device, claims);
	assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), HR_OK);
	free(proof);
	strcat(jti, "j");
	snprintf(claims, sizeof(claims),
		 "{\"jti\":\"%s\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":%d}", jti, NOW);
	proof = proof_with_claims(device, claims);
	assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
	free(proof);
}

static void test_ath_required_with_a_token(void **state)
{
	char ath[JOSE_THUMBPRINT_LEN], claims[512], *proof;

	(void)state;
	jose_sha256_b64url(TOKEN, strlen(TOKEN), ath);
	snprintf(claims, sizeof(claims),
		 "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":%d,\"ath\":\"%s\"}",
		 NOW, ath);
	proof = proof_with_claims(device, claims);
	assert_int_equal(check_once(proof, "GET", URI, TOKEN, NULL, NOW), HR_OK);
	assert_int_equal(check_once(proof, "GET", URI, "other-token", NULL, NOW), HR_E_DENIED);
	/* at the token endpoint there is no token, and an ath is harmless */
	assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), HR_OK);
	free(proof);
	/* ath missing, or not a string */
	snprintf(claims, sizeof(claims),
		 "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":%d}", NOW);
	proof = proof_with_claims(device, claims);
	assert_int_equal(check_once(proof, "GET", URI, TOKEN, NULL, NOW), HR_E_DENIED);
	free(proof);
	snprintf(claims, sizeof(claims),
		 "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":%d,\"ath\":42}", NOW);
	proof = proof_with_claims(device, claims);
	assert_int_equal(check_once(proof, "GET", URI, TOKEN, NULL, NOW), HR_E_DENIED);
	free(proof);
}

static void test_key_must_be_the_bound_key(void **state)
{
	struct buf proof;
	char jkt[JOSE_THUMBPRINT_LEN], other_jkt[JOSE_THUMBPRINT_LEN];
	json_t *jwk;

	(void)state;
	jose_key_to_jwk(signer_public_key(device), &jwk, NULL);
	jose_jwk_thumbprint(jwk, jkt, NULL);
	json_decref(jwk);
	jose_key_to_jwk(signer_public_key(other_device), &jwk, NULL);
	jose_jwk_thumbprint(jwk, other_jkt, NULL);
	json_decref(jwk);
	buf_init(&proof, DPOP_MAX_LEN);
	assert_int_equal(dpop_proof_make(device, "GET", URI, TOKEN, NOW, &proof, NULL), HR_OK);
	assert_int_equal(check_once(buf_str(&proof), "GET", URI, TOKEN, jkt, NOW), HR_OK);
	assert_int_equal(check_once(buf_str(&proof), "GET", URI, TOKEN, other_jkt, NOW),
			 HR_E_DENIED);
	/* a prefix of the right thumbprint is not the thumbprint */
	jkt[20] = 0;
	assert_int_equal(check_once(buf_str(&proof), "GET", URI, TOKEN, jkt, NOW), HR_E_DENIED);
	buf_clear(&proof);
}

static void test_typ_must_be_dpop_jwt(void **state)
{
	struct {
		const char *header;
		hr_status expected;
	} cases[] = {
	    {"{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":%s}", HR_OK},
	    /* media types compare case-insensitively; "application/" is implied */
	    {"{\"typ\":\"DPoP+JWT\",\"alg\":\"ES256\",\"jwk\":%s}", HR_OK},
	    {"{\"typ\":\"application/dpop+jwt\",\"alg\":\"ES256\",\"jwk\":%s}", HR_OK},
	    {"{\"typ\":\"JWT\",\"alg\":\"ES256\",\"jwk\":%s}", HR_E_INVALID},
	    {"{\"typ\":\"at+jwt\",\"alg\":\"ES256\",\"jwk\":%s}", HR_E_INVALID},
	    {"{\"typ\":\"hromada-consent+jwt\",\"alg\":\"ES256\",\"jwk\":%s}", HR_E_INVALID},
	    {"{\"alg\":\"ES256\",\"jwk\":%s}", HR_E_INVALID},
	    {"{\"typ\":[\"dpop+jwt\"],\"alg\":\"ES256\",\"jwk\":%s}", HR_E_INVALID},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *proof = proof_with_header(device, cases[i].header, NULL);

		assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), cases[i].expected);
		free(proof);
	}
}

static void test_only_es256_is_accepted(void **state)
{
	const char *headers[] = {
	    "{\"typ\":\"dpop+jwt\",\"alg\":\"none\",\"jwk\":%s}",
	    "{\"typ\":\"dpop+jwt\",\"alg\":\"NONE\",\"jwk\":%s}",
	    "{\"typ\":\"dpop+jwt\",\"alg\":\"HS256\",\"jwk\":%s}",
	    "{\"typ\":\"dpop+jwt\",\"alg\":\"RS256\",\"jwk\":%s}",
	    "{\"typ\":\"dpop+jwt\",\"alg\":\"PS256\",\"jwk\":%s}",
	    "{\"typ\":\"dpop+jwt\",\"alg\":\"ES384\",\"jwk\":%s}",
	    "{\"typ\":\"dpop+jwt\",\"alg\":\"EdDSA\",\"jwk\":%s}",
	    "{\"typ\":\"dpop+jwt\",\"jwk\":%s}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		char *proof = proof_with_header(device, headers[i], NULL);

		assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
		free(proof);
	}
	/* "alg": "none" with the empty signature it implies */
	{
		char *jwk = jwk_text(device, NULL), header[512], claims[256];
		struct buf b;

		snprintf(header, sizeof(header),
			 "{\"typ\":\"dpop+jwt\",\"alg\":\"none\",\"jwk\":%s}", jwk);
		snprintf(claims, sizeof(claims),
			 "{\"jti\":\"n\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":%d}", NOW);
		buf_init(&b, 4096);
		b64u(&b, header);
		buf_append_byte(&b, '.');
		b64u(&b, claims);
		buf_append_byte(&b, '.');
		assert_int_equal(check_once(buf_str(&b), "GET", URI, NULL, NULL, NOW),
				 HR_E_INVALID);
		buf_clear(&b);
		free(jwk);
	}
}

static void test_jwk_must_be_a_public_key_that_verifies(void **state)
{
	char *proof, *other_jwk, header[1024], claims[256];

	(void)state;
	/* a private key in the header (RFC 9449 §4.3 item 7), even a well-formed "d" */
	proof = proof_with_header(device, "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":%s}",
				  ",\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"");
	assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
	free(proof);
	/* no jwk, or not an object */
	proof = sign_raw(device, "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\"}",
			 "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":1700000000}");
	assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
	free(proof);
	proof = sign_raw(device, "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":\"key\"}",
			 "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":1700000000}");
	assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
	free(proof);
	/* the header names another key than the one that signed */
	other_jwk = jwk_text(other_device, NULL);
	snprintf(header, sizeof(header), "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":%s}",
		 other_jwk);
	snprintf(claims, sizeof(claims),
		 "{\"jti\":\"a\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":%d}", NOW);
	proof = sign_raw(device, header, claims);
	assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), HR_E_DENIED);
	free(proof);
	free(other_jwk);
	/* a point off the curve */
	proof = sign_raw(device,
			 "{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\",\"crv\":"
			 "\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":"
			 "\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5aw\"}}",
			 claims);
	assert_int_equal(check_once(proof, "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
	free(proof);
}

static void test_two_proofs_are_refused(void **state)
{
	char text[2 * DPOP_MAX_LEN];

	(void)state;
	/* two DPoP fields, as an HTTP layer joins them (RFC 9110 §5.3) */
	snprintf(text, sizeof(text), "%s,%s", RFC_TOKEN_PROOF, RFC_TOKEN_PROOF);
	assert_int_equal(check_once(text, "POST", RFC_TOKEN_URI, NULL, NULL, RFC_TOKEN_IAT),
			 HR_E_INVALID);
	snprintf(text, sizeof(text), "%s, %s", RFC_TOKEN_PROOF, RFC_RESOURCE_PROOF);
	assert_int_equal(check_once(text, "POST", RFC_TOKEN_URI, NULL, NULL, RFC_TOKEN_IAT),
			 HR_E_INVALID);
	/* or simply glued together */
	snprintf(text, sizeof(text), "%s%s", RFC_TOKEN_PROOF, RFC_TOKEN_PROOF);
	assert_int_equal(check_once(text, "POST", RFC_TOKEN_URI, NULL, NULL, RFC_TOKEN_IAT),
			 HR_E_INVALID);
}

static void test_tampered_proofs_are_refused(void **state)
{
	char *proof = strdup(RFC_TOKEN_PROOF);
	char *sig = strrchr(proof, '.') + 1;
	char *claims = strchr(proof, '.') + 1;

	(void)state;
	sig[5] = sig[5] == 'A' ? 'B' : 'A';
	assert_int_equal(check_once(proof, "POST", RFC_TOKEN_URI, NULL, NULL, RFC_TOKEN_IAT),
			 HR_E_DENIED);
	free(proof);
	proof = strdup(RFC_TOKEN_PROOF);
	claims = strchr(proof, '.') + 1;
	claims[3] = claims[3] == 'A' ? 'B' : 'A';
	assert_int_not_equal(check_once(proof, "POST", RFC_TOKEN_URI, NULL, NULL, RFC_TOKEN_IAT),
			     HR_OK);
	free(proof);
	/* truncated signature */
	proof = strdup(RFC_TOKEN_PROOF);
	proof[strlen(proof) - 2] = 0;
	assert_int_equal(check_once(proof, "POST", RFC_TOKEN_URI, NULL, NULL, RFC_TOKEN_IAT),
			 HR_E_INVALID);
	free(proof);
}

static void test_malformed_and_oversized_input(void **state)
{
	char *big = malloc(DPOP_MAX_LEN + 2);
	struct dpop_check no_cache = {"GET", URI, NULL, NULL, NOW, NULL};
	struct dpop_result result;

	(void)state;
	assert_int_equal(check_once("", "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
	assert_int_equal(check_once(NULL, "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
	assert_int_equal(check_once("not a jwt", "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
	assert_int_equal(check_once("e30.e30.", "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
	memset(big, 'A', DPOP_MAX_LEN + 1);
	big[DPOP_MAX_LEN + 1] = 0;
	assert_int_equal(check_once(big, "GET", URI, NULL, NULL, NOW), HR_E_INVALID);
	free(big);
	assert_int_equal(dpop_verify(RFC_TOKEN_PROOF, &no_cache, &result, NULL), HR_E_STATE);
}

static void test_made_proofs_verify_and_are_fresh(void **state)
{
	struct replay_cache *seen = replay_cache_new(64);
	struct buf a, b;
	struct dpop_result result;
	struct hr_error err = {0};
	json_t *header = NULL, *claims = NULL, *jwk;
	char jkt[JOSE_THUMBPRINT_LEN];

	(void)state;
	buf_init(&a, DPOP_MAX_LEN);
	buf_init(&b, DPOP_MAX_LEN);
	assert_int_equal(dpop_proof_make(device, "GET", URI "?fields=a#x", TOKEN, NOW, &a, &err),
			 HR_OK);
	assert_int_equal(dpop_proof_make(device, "GET", URI, TOKEN, NOW, &b, &err), HR_OK);
	/* what RFC 9449 §4.2 asks for */
	assert_int_equal(jose_jws_verify(buf_str(&a), a.len, NULL, &header, &claims, NULL), HR_OK);
	assert_string_equal(json_string_value(json_object_get(header, "typ")), "dpop+jwt");
	assert_string_equal(json_string_value(json_object_get(header, "alg")), "ES256");
	assert_string_equal(json_string_value(json_object_get(claims, "htm")), "GET");
	assert_string_equal(json_string_value(json_object_get(claims, "htu")), URI);
	assert_int_equal(json_integer_value(json_object_get(claims, "iat")), NOW);
	assert_true(strlen(json_string_value(json_object_get(claims, "jti"))) >= 22);
	assert_non_null(json_object_get(claims, "ath"));
	jose_jwk_thumbprint(json_object_get(header, "jwk"), jkt, NULL);
	json_decref(header);
	json_decref(claims);
	/* fresh jti each time */
	assert_string_not_equal(buf_str(&a), buf_str(&b));

	{
		struct dpop_check check = {"GET", URI "?fields=b", TOKEN, jkt, NOW + 3, seen};

		assert_int_equal(dpop_verify(buf_str(&a), &check, &result, &err), HR_OK);
		assert_string_equal(result.jkt, jkt);
		assert_int_equal(dpop_verify(buf_str(&b), &check, &result, &err), HR_OK);
		assert_int_equal(dpop_verify(buf_str(&a), &check, &result, &err), HR_E_DENIED);
	}
	jose_key_to_jwk(signer_public_key(device), &jwk, NULL);
	jose_jwk_thumbprint(jwk, result.jkt, NULL);
	assert_string_equal(result.jkt, jkt);
	json_decref(jwk);
	/* refused inputs */
	buf_reset(&a);
	assert_int_equal(dpop_proof_make(device, "GET", "/v1/documents", NULL, NOW, &a, NULL),
			 HR_E_INVALID);
	buf_clear(&a);
	buf_clear(&b);
	replay_cache_free(seen);
}

static void test_jti_is_scoped_by_key_and_only_used_by_valid_proofs(void **state)
{
	struct replay_cache *seen = replay_cache_new(64);
	const char *claims =
	    "{\"jti\":\"same\",\"htm\":\"GET\",\"htu\":\"" URI "\",\"iat\":1700000000}";
	char *mine = proof_with_claims(device, claims),
	     *theirs = proof_with_claims(other_device, claims);
	struct dpop_check wrong = {"POST", URI, NULL, NULL, NOW, seen};
	struct dpop_check right = {"GET", URI, NULL, NULL, NOW, seen};
	struct dpop_result result;

	(void)state;
	/* refused for its method: its jti is not used up */
	assert_int_equal(dpop_verify(mine, &wrong, &result, NULL), HR_E_DENIED);
	assert_int_equal(dpop_verify(mine, &right, &result, NULL), HR_OK);
	/* another key may use the same jti */
	assert_int_equal(dpop_verify(theirs, &right, &result, NULL), HR_OK);
	assert_int_equal(dpop_verify(mine, &right, &result, NULL), HR_E_DENIED);
	assert_int_equal(dpop_verify(theirs, &right, &result, NULL), HR_E_DENIED);
	/* remembered through iat + max age + skew, forgotten after */
	right.now = NOW + DPOP_MAX_AGE_S;
	assert_int_equal(dpop_verify(mine, &right, &result, NULL), HR_E_DENIED);
	free(mine);
	free(theirs);
	replay_cache_free(seen);
}

static void test_full_replay_cache_is_busy(void **state)
{
	struct replay_cache *seen = replay_cache_new(8); /* one set of 16 */
	struct dpop_check check = {"GET", URI, NULL, NULL, NOW, seen};
	struct dpop_result result;
	struct buf proof;
	int ok = 0;
	hr_status rc = HR_OK;

	(void)state;
	buf_init(&proof, DPOP_MAX_LEN);
	for (int i = 0; i < 40 && rc == HR_OK; i++) {
		buf_reset(&proof);
		assert_int_equal(dpop_proof_make(device, "GET", URI, NULL, NOW, &proof, NULL),
				 HR_OK);
		rc = dpop_verify(buf_str(&proof), &check, &result, NULL);
		ok += rc == HR_OK;
	}
	assert_int_equal(rc, HR_E_BUSY);
	assert_int_equal(ok, 16);
	buf_clear(&proof);
	replay_cache_free(seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc9449_token_request_proof_verifies),
	    cmocka_unit_test(test_rfc9449_resource_proof_with_ath_verifies),
	    cmocka_unit_test(test_rfc9449_proof_age_limits),
	    cmocka_unit_test(test_method_must_match),
	    cmocka_unit_test(test_htu_compared_without_query_and_fragment),
	    cmocka_unit_test(test_htu_normalisation_on_the_proof_side),
	    cmocka_unit_test(test_claims_are_required_and_typed),
	    cmocka_unit_test(test_jti_length_limit),
	    cmocka_unit_test(test_ath_required_with_a_token),
	    cmocka_unit_test(test_key_must_be_the_bound_key),
	    cmocka_unit_test(test_typ_must_be_dpop_jwt),
	    cmocka_unit_test(test_only_es256_is_accepted),
	    cmocka_unit_test(test_jwk_must_be_a_public_key_that_verifies),
	    cmocka_unit_test(test_two_proofs_are_refused),
	    cmocka_unit_test(test_tampered_proofs_are_refused),
	    cmocka_unit_test(test_malformed_and_oversized_input),
	    cmocka_unit_test(test_made_proofs_verify_and_are_fresh),
	    cmocka_unit_test(test_jti_is_scoped_by_key_and_only_used_by_valid_proofs),
	    cmocka_unit_test(test_full_replay_cache_is_busy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
