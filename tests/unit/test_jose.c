/*
 * test_jose.c — P-256 JWKs, RFC 7638 thumbprints and compact ES256 JWS.
 *
 * Published vectors first: RFC 7515 Appendix A.3 (an ES256 JWS and its key),
 * RFC 9449's example key with the thumbprint RFC 9449 §6.1 gives for it, and
 * its ath example (§7.1). RFC 7638 §3.1's own example is an RSA key, which we
 * do not support; EC thumbprints were computed independently with Python's
 * cryptography package (the JSON text hashed by hashlib) and are embedded here.
 * Then every refusal: alg none/HS256/RS256, crit, private keys, points off the
 * curve, malformed parts.
 */
#include "testkit/testkit.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/base64.h"
#include "core/json.h"
#include "credential/signer.h"
#include "exchange/jose.h"

/* RFC 7515 Appendix A.3 */
#define A3_JWS                                                                                     \
	"eyJhbGciOiJFUzI1NiJ9"                                                                     \
	".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp" \
	"0"                                                                                        \
	"cnVlfQ"                                                                                   \
	".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"
#define A3_X "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
#define A3_Y "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
#define A3_D "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
/* its thumbprint, computed independently (Python: hashlib over the RFC 7638 text) */
#define A3_THUMBPRINT "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U"

/* RFC 9449 §4.1 example key and the jkt §6.1 gives for it */
#define DPOP_X   "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs"
#define DPOP_Y   "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"
#define DPOP_JKT "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"

/* The P-256 public key of private scalar 0x1234567890abcdef, and its
 * thumbprint: both computed with Python's cryptography package. */
#define PY_X          "n62Erq4Iu-9_AQAU2CzvagneKwz4cbXODE8dE6WaWTQ"
#define PY_Y          "B8tFdp8QcOLCRw_lsb_mMTPAsM3GTqS_N5Go7CoH_U8"
#define PY_THUMBPRINT "YAcUDLCQ7NaGhBfNsITRnqRslixzXSn4uHKpxkktNdg"

static json_t *ec_jwk(const char *x, const char *y)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", x, "y", y);
}

static EVP_PKEY *key_of(const char *x, const char *y)
{
	json_t *jwk = ec_jwk(x, y);
	EVP_PKEY *key = NULL;

	assert_int_equal(jose_jwk_to_key(jwk, &key, NULL), HR_OK);
	json_decref(jwk);
	return key;
}

static struct signer *new_signer(const char *type, const char *curve)
{
	EVP_PKEY *key = curve ? EVP_PKEY_Q_keygen(NULL, NULL, type, curve)
			      : EVP_PKEY_Q_keygen(NULL, NULL, type);
	struct signer *s = NULL;

	assert_non_null(key);
	assert_int_equal(signer_from_key(key, NULL, &s, NULL), HR_OK);
	EVP_PKEY_free(key);
	return s;
}

/* base64url(text) appended to out */
static void b64u(struct buf *out, const char *text)
{
	assert_int_equal(base64_encode(text, strlen(text), BASE64_URL, out), HR_OK);
}

/* header.payload.signature from JSON texts, the signature given as text too */
static char *compact(const char *header, const char *payload, const char *signature_b64u)
{
	struct buf b;

	buf_init(&b, 1 << 16);
	b64u(&b, header);
	buf_append_byte(&b, '.');
	b64u(&b, payload);
	buf_append_byte(&b, '.');
	buf_append_str(&b, signature_b64u);
	return (char *)buf_take(&b, NULL);
}

static hr_status verify_text(const char *jws, EVP_PKEY *key)
{
	json_t *header = (json_t *)1, *payload = (json_t *)1;
	struct hr_error err = {0};
	hr_status rc = jose_jws_verify(jws, strlen(jws), key, &header, &payload, &err);

	if (rc != HR_OK) {
		/* outputs are cleared on failure, and a reason is given */
		assert_null(header);
		assert_null(payload);
		assert_true(strcmp(err.stage, "jws") == 0 || strcmp(err.stage, "jwk") == 0);
		assert_true(err.message[0] != 0);
	}
	json_decref(header);
	json_decref(payload);
	return rc;
}

static void test_rfc7515_a3_es256_verifies_with_its_key(void **state)
{
	EVP_PKEY *key = key_of(A3_X, A3_Y);
	json_t *header = NULL, *payload = NULL;

	(void)state;
	assert_int_equal(jose_jws_verify(A3_JWS, strlen(A3_JWS), key, &header, &payload, NULL),
			 HR_OK);
	assert_string_equal(json_string_value(json_object_get(header, "alg")), "ES256");
	assert_string_equal(json_string_value(json_object_get(payload, "iss")), "joe");
	assert_int_equal(json_integer_value(json_object_get(payload, "exp")), 1300819380);
	assert_true(json_is_true(json_object_get(payload, "http://example.com/is_root")));
	json_decref(header);
	json_decref(payload);
	EVP_PKEY_free(key);
}

static void test_rfc7515_a3_tampered_fails(void **state)
{
	EVP_PKEY *key = key_of(A3_X, A3_Y), *other = key_of(DPOP_X, DPOP_Y);
	char *jws = strdup(A3_JWS);
	size_t sig = strrchr(jws, '.') - jws + 1;

	(void)state;
	/* another key */
	assert_int_equal(verify_text(jws, other), HR_E_SIGNATURE);
	/* no key given and none in the header */
	assert_int_equal(verify_text(jws, NULL), HR_E_INVALID);
	/* one signature character changed (keeping the canonical trailing bits) */
	jws[sig + 10] = jws[sig + 10] == 'A' ? 'B' : 'A';
	assert_int_equal(verify_text(jws, key), HR_E_SIGNATURE);
	free(jws);
	/* one payload character changed */
	jws = strdup(A3_JWS);
	jws[30] = jws[30] == 'A' ? 'B' : 'A';
	assert_int_equal(verify_text(jws, key), HR_E_SIGNATURE);
	free(jws);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void test_thumbprints_of_published_and_computed_keys(void **state)
{
	char out[JOSE_THUMBPRINT_LEN];
	json_t *jwk;

	(void)state;
	jwk = ec_jwk(DPOP_X, DPOP_Y);
	assert_int_equal(jose_jwk_thumbprint(jwk, out, NULL), HR_OK);
	assert_string_equal(out, DPOP_JKT);
	json_decref(jwk);
	jwk = ec_jwk(A3_X, A3_Y);
	assert_int_equal(jose_jwk_thumbprint(jwk, out, NULL), HR_OK);
	assert_string_equal(out, A3_THUMBPRINT);
	json_decref(jwk);
	/* member order and extra members do not change it (RFC 7638 §3.2) */
	jwk = json_pack("{s:s, s:s, s:s, s:s, s:s}", "y", PY_Y, "kid", "device-1", "x", PY_X, "crv",
			"P-256", "kty", "EC");
	assert_int_equal(jose_jwk_thumbprint(jwk, out, NULL), HR_OK);
	assert_string_equal(out, PY_THUMBPRINT);
	json_decref(jwk);
}

static void test_key_and_jwk_round_trip(void **state)
{
	EVP_PKEY *key = key_of(PY_X, PY_Y), *back = NULL, *fresh;
	json_t *jwk = NULL;
	char a[JOSE_THUMBPRINT_LEN], b[JOSE_THUMBPRINT_LEN];

	(void)state;
	/* our encoding of the point is Python's */
	assert_int_equal(jose_key_to_jwk(key, &jwk, NULL), HR_OK);
	assert_string_equal(json_string_value(json_object_get(jwk, "kty")), "EC");
	assert_string_equal(json_string_value(json_object_get(jwk, "crv")), "P-256");
	assert_string_equal(json_string_value(json_object_get(jwk, "x")), PY_X);
	assert_string_equal(json_string_value(json_object_get(jwk, "y")), PY_Y);
	assert_null(json_object_get(jwk, "d"));
	json_decref(jwk);
	EVP_PKEY_free(key);

	/* a fresh key (often with leading zero bytes in x or y over many runs) */
	for (int i = 0; i < 32; i++) {
		fresh = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		assert_int_equal(jose_key_to_jwk(fresh, &jwk, NULL), HR_OK);
		assert_int_equal(jose_jwk_to_key(jwk, &back, NULL), HR_OK);
		assert_int_equal(EVP_PKEY_eq(fresh, back), 1);
		assert_int_equal(jose_jwk_thumbprint(jwk, a, NULL), HR_OK);
		json_decref(jwk);
		assert_int_equal(jose_key_to_jwk(back, &jwk, NULL), HR_OK);
		assert_int_equal(jose_jwk_thumbprint(jwk, b, NULL), HR_OK);
		assert_string_equal(a, b);
		json_decref(jwk);
		EVP_PKEY_free(back);
		EVP_PKEY_free(fresh);
	}
}

static void test_jwk_refusals(void **state)
{
	struct {
		const char *json;
		hr_status expected;
	} cases[] = {
	    /* a private key, even a valid one (RFC 7515 A.3's d) */
	    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "\",\"y\":\"" A3_Y "\",\"d\":\"" A3_D
	     "\"}",
	     HR_E_INVALID},
	    /* y with its last bit flipped: in range, not on the curve */
	    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X
	     "\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5aw\"}",
	     HR_E_INVALID},
	    /* x = p, outside the field */
	    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"_____wAAAAEAAAAAAAAAAAAAAAD_______________"
	     "8\","
	     "\"y\":\"" A3_Y "\"}",
	     HR_E_INVALID},
	    /* the point at infinity has no affine coordinates; zeros are not it */
	    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
	     "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	     "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
	     HR_E_INVALID},
	    /* lengths and alphabets */
	    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
	     "\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE\","
	     "\"y\":\"" A3_Y "\"}",
	     HR_E_INVALID},
	    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X "=\",\"y\":\"" A3_Y "\"}",
	     HR_E_INVALID},
	    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE+"
	     "\","
	     "\"y\":\"" A3_Y "\"}",
	     HR_E_INVALID},
	    /* non-zero bits after the last byte: a second spelling of the same x */
	    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
	     "\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEV\","
	     "\"y\":\"" A3_Y "\"}",
	     HR_E_INVALID},
	    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":42,\"y\":\"" A3_Y "\"}", HR_E_INVALID},
	    {"{\"kty\":\"EC\",\"crv\":\"P-256\",\"y\":\"" A3_Y "\"}", HR_E_INVALID},
	    {"{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"" A3_X "\",\"y\":\"" A3_Y "\"}",
	     HR_E_UNSUPPORTED},
	    {"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", HR_E_UNSUPPORTED},
	    {"{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", HR_E_UNSUPPORTED},
	    {"[]", HR_E_INVALID},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *jwk = json_loads(cases[i].json, 0, NULL);
		EVP_PKEY *key = (EVP_PKEY *)1;
		struct hr_error err = {0};

		assert_non_null(jwk);
		assert_int_equal(jose_jwk_to_key(jwk, &key, &err), cases[i].expected);
		assert_null(key);
		assert_string_equal(err.stage, "jwk");
		json_decref(jwk);
	}
}

static void test_sign_then_verify_round_trip(void **state)
{
	struct signer *s = new_signer("EC", "P-256");
	json_t *header = json_pack("{s:s, s:s}", "typ", "example+jwt", "alg", "none");
	json_t *payload = json_pack("{s:s, s:i}", "sub", "UA:3012345678", "n", 7);
	json_t *h = NULL, *p = NULL, *jwk = NULL;
	struct buf out;

	(void)state;
	buf_init(&out, 4096);
	/* whatever alg the caller wrote, the signature is ES256 and says so */
	assert_int_equal(jose_jws_sign(s, header, payload, &out, NULL), HR_OK);
	assert_int_equal(
	    jose_jws_verify(buf_str(&out), out.len, signer_public_key(s), &h, &p, NULL), HR_OK);
	assert_string_equal(json_string_value(json_object_get(h, "alg")), "ES256");
	assert_string_equal(json_string_value(json_object_get(h, "typ")), "example+jwt");
	assert_true(json_equal(p, payload));
	/* the caller's header is not modified */
	assert_string_equal(json_string_value(json_object_get(header, "alg")), "none");
	json_decref(h);
	json_decref(p);

	/* with the key in the header (as DPoP and consents carry it) */
	assert_int_equal(jose_key_to_jwk(signer_public_key(s), &jwk, NULL), HR_OK);
	json_object_set_new(header, "jwk", jwk);
	buf_reset(&out);
	assert_int_equal(jose_jws_sign(s, header, payload, &out, NULL), HR_OK);
	assert_int_equal(verify_text(buf_str(&out), NULL), HR_OK);

	/* a header jwk is ignored when the caller gives the key */
	{
		EVP_PKEY *other = key_of(A3_X, A3_Y);

		json_object_set_new(header, "jwk", ec_jwk(A3_X, A3_Y));
		buf_reset(&out);
		assert_int_equal(jose_jws_sign(s, header, payload, &out, NULL), HR_OK);
		assert_int_equal(verify_text(buf_str(&out), signer_public_key(s)), HR_OK);
		/* and, trusted, the header's key does not verify someone else's signature */
		assert_int_equal(verify_text(buf_str(&out), NULL), HR_E_SIGNATURE);
		assert_int_equal(verify_text(buf_str(&out), other), HR_E_SIGNATURE);
		EVP_PKEY_free(other);
	}
	buf_clear(&out);
	json_decref(header);
	json_decref(payload);
	signer_free(s);
}

static void test_sign_refuses_other_algorithms_and_small_buffers(void **state)
{
	struct signer *ed = new_signer("ED25519", NULL), *ec = new_signer("EC", "P-256");
	json_t *header = json_object(), *payload = json_pack("{s:s}", "a", "b");
	struct buf out;

	(void)state;
	buf_init(&out, 4096);
	assert_int_equal(jose_jws_sign(ed, header, payload, &out, NULL), HR_E_UNSUPPORTED);
	assert_int_equal(jose_jws_sign(ec, payload, NULL, &out, NULL), HR_E_INVALID);
	buf_clear(&out);
	buf_init(&out, 50);
	assert_int_equal(jose_jws_sign(ec, header, payload, &out, NULL), HR_E_TOO_LARGE);
	buf_clear(&out);
	json_decref(header);
	json_decref(payload);
	signer_free(ed);
	signer_free(ec);
}

static void test_verify_refuses_unsafe_headers(void **state)
{
	struct signer *s = new_signer("EC", "P-256");
	EVP_PKEY *key = signer_public_key(s);
	const char *sig86 = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQx"
			    "fKTUJqPP3-Kg6NU1Q";
	struct {
		const char *header;
		const char *signature;
		hr_status expected;
	} cases[] = {
	    {"{\"alg\":\"none\"}", "", HR_E_INVALID},
	    {"{\"alg\":\"None\"}", sig86, HR_E_INVALID},
	    {"{\"alg\":\"HS256\"}", "c2lnbmF0dXJl", HR_E_UNSUPPORTED},
	    {"{\"alg\":\"RS256\"}", sig86, HR_E_UNSUPPORTED},
	    {"{\"alg\":\"ES384\"}", sig86, HR_E_UNSUPPORTED},
	    {"{\"alg\":\"es256\"}", sig86, HR_E_UNSUPPORTED},
	    {"{\"typ\":\"JWT\"}", sig86, HR_E_INVALID},
	    {"{\"alg\":[\"ES256\"]}", sig86, HR_E_INVALID},
	    {"{\"alg\":\"ES256\",\"crit\":[\"b64\"],\"b64\":false}", sig86, HR_E_UNSUPPORTED},
	    /* duplicate members: which "alg" would a check have looked at? */
	    {"{\"alg\":\"ES256\",\"alg\":\"none\"}", sig86, HR_E_INVALID},
	    {"[\"alg\",\"ES256\"]", sig86, HR_E_INVALID},
	    {"not json", sig86, HR_E_INVALID},
	    /* a signature of the wrong size: empty, short, DER-sized */
	    {"{\"alg\":\"ES256\"}", "", HR_E_INVALID},
	    {"{\"alg\":\"ES256\"}", "DtEhU3ljbEg8L38VWAfUAqOyKAM6", HR_E_INVALID},
	    {"{\"alg\":\"ES256\"}",
	     "MEUCIQDtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-"
	     "Kg6NU1QAAA",
	     HR_E_INVALID},
	    /* a well-formed signature that is not this signer's */
	    {"{\"alg\":\"ES256\"}", sig86, HR_E_SIGNATURE},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *jws = compact(cases[i].header, "{\"sub\":\"x\"}", cases[i].signature);

		assert_int_equal(verify_text(jws, key), cases[i].expected);
		free(jws);
	}
	signer_free(s);
}

static void test_verify_refuses_malformed_compact_form(void **state)
{
	EVP_PKEY *key = key_of(A3_X, A3_Y);
	char text[1024];
	const char *cases[] = {
	    "",
	    ".",
	    "..",
	    "eyJhbGciOiJFUzI1NiJ9",
	    "eyJhbGciOiJFUzI1NiJ9.e30",
	    /* padding and whitespace are not base64url */
	    "eyJhbGciOiJFUzI1NiJ9=.e30.",
	    " eyJhbGciOiJFUzI1NiJ9.e30.",
	    "eyJhbGciOiJF\nUzI1NiJ9.e30.",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(verify_text(cases[i], key), HR_E_INVALID);
	/* four parts */
	snprintf(text, sizeof(text), "%s.extra", A3_JWS);
	assert_int_equal(verify_text(text, key), HR_E_INVALID);
	/* a correctly signed payload that is not a JSON object */
	{
		struct signer *signer = new_signer("EC", "P-256");
		json_t *header = json_object(), *array = json_pack("[i]", 1);
		struct buf out;

		buf_init(&out, 4096);
		assert_int_equal(jose_jws_sign(signer, header, array, &out, NULL), HR_OK);
		assert_int_equal(verify_text(buf_str(&out), signer_public_key(signer)),
				 HR_E_INVALID);
		buf_clear(&out);
		json_decref(header);
		json_decref(array);
		signer_free(signer);
	}
	EVP_PKEY_free(key);
}

static void test_verify_refuses_private_key_in_header_and_oversized_input(void **state)
{
	char *jws, *big;
	size_t n = 70 * 1024;
	json_t *h = NULL, *p = NULL;

	(void)state;
	jws = compact("{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A3_X
		      "\",\"y\":\"" A3_Y "\",\"d\":\"" A3_D "\"}}",
		      "{}", strrchr(A3_JWS, '.') + 1);
	assert_int_equal(verify_text(jws, NULL), HR_E_INVALID);
	free(jws);
	big = malloc(n + 1);
	memset(big, 'A', n);
	big[n] = 0;
	big[100] = '.';
	big[200] = '.';
	assert_int_equal(jose_jws_verify(big, n, NULL, &h, &p, NULL), HR_E_TOO_LARGE);
	assert_null(h);
	free(big);
}

static void test_sha256_b64url_vectors(void **state)
{
	char out[JOSE_THUMBPRINT_LEN];
	const char *token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

	(void)state;
	/* RFC 9449 §7.1: the ath of its example access token */
	jose_sha256_b64url(token, strlen(token), out);
	assert_string_equal(out, "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
	jose_sha256_b64url("", 0, out);
	assert_string_equal(out, "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
}

static void test_key_to_jwk_refuses_other_keys(void **state)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	json_t *jwk = (json_t *)1;

	(void)state;
	assert_int_equal(jose_key_to_jwk(ed, &jwk, NULL), HR_E_UNSUPPORTED);
	assert_null(jwk);
	assert_int_equal(jose_key_to_jwk(p384, &jwk, NULL), HR_E_UNSUPPORTED);
	assert_int_equal(jose_key_to_jwk(NULL, &jwk, NULL), HR_E_UNSUPPORTED);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(p384);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc7515_a3_es256_verifies_with_its_key),
	    cmocka_unit_test(test_rfc7515_a3_tampered_fails),
	    cmocka_unit_test(test_thumbprints_of_published_and_computed_keys),
	    cmocka_unit_test(test_key_and_jwk_round_trip),
	    cmocka_unit_test(test_jwk_refusals),
	    cmocka_unit_test(test_sign_then_verify_round_trip),
	    cmocka_unit_test(test_sign_refuses_other_algorithms_and_small_buffers),
	    cmocka_unit_test(test_verify_refuses_unsafe_headers),
	    cmocka_unit_test(test_verify_refuses_malformed_compact_form),
	    cmocka_unit_test(test_verify_refuses_private_key_in_header_and_oversized_input),
	    cmocka_unit_test(test_sha256_b64url_vectors),
	    cmocka_unit_test(test_key_to_jwk_refuses_other_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
