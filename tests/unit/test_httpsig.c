/*
 * test_httpsig.c — HTTP Message Signatures (RFC 9421) and Content-Digest
 * (RFC 9530) as the exchange uses them.
 *
 * Published vectors first. RFC 9421 Appendix B: the signature bases of B.2.1,
 * B.2.3, B.2.4, B.2.5, B.2.6 (B.2.2 uses @query-param, which we do not
 * support), B.3 and B.4 are rebuilt from the test messages and must be
 * byte-identical to the RFC's; their published signatures then verify under the
 * B.1 keys (RSA-PSS-SHA512 and Ed25519 through cose_crypto, HMAC-SHA256
 * recomputed with OpenSSL; ecdsa-p256-sha256 is ours). §2.4's request-response
 * example, whose response signature covers "signature";req;key="sig1",
 * verifies the same way. RFC 9530's Content-Digest example (also RFC 9421 B.1's
 * body) is reproduced. Then round trips and every refusal of httpsig_verify.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "core/base64.h"
#include "credential/cose_crypto.h"
#include "credential/signer.h"
#include "exchange/httpsig.h"

/* RFC 9421 B.1.2, B.1.3, B.1.4, B.1.5 */
static const char rsa_pss_public_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2\n"
    "+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+\n"
    "oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq\n"
    "gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W\n"
    "Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4\n"
    "aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI\n"
    "2wIDAQAB\n"
    "-----END PUBLIC KEY-----\n";
static const char ecc_p256_private_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIFKbhfNZfpDsW43+0+JjUr9K+bTeuxopu653+hBaXGA7oAoGCCqGSM49\n"
    "AwEHoUQDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lfw0EkjqF7xB4FivAxzic30tMM\n"
    "4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==\n"
    "-----END EC PRIVATE KEY-----\n";
static const char ecc_p256_public_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf\n"
    "w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==\n"
    "-----END PUBLIC KEY-----\n";
static const char ed25519_private_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n"
    "-----END PRIVATE KEY-----\n";
static const char ed25519_public_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n"
    "-----END PUBLIC KEY-----\n";
static const char shared_secret_b64[] =
    "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==";

/* RFC 9421 B.2 test-request and test-response */
#define REQUEST_DIGEST                                                                             \
	"sha-512=:WZDPaVn/"                                                                        \
	"7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJ"              \
	"wew==:"
#define RESPONSE_DIGEST                                                                            \
	"sha-512=:"                                                                                \
	"mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGg"      \
	"fLQ==:"
static const struct httpsig_header test_request_headers[] = {
    {"Host", "example.com"},
    {"Date", "Tue, 20 Apr 2021 02:07:55 GMT"},
    {"Content-Type", "application/json"},
    {"Content-Digest", REQUEST_DIGEST},
    {"Content-Length", "18"},
};
static const struct httpsig_message test_request = {
    "POST", "https://example.com/foo?param=Value&Pet=dog",
    0,      test_request_headers,
    5,      "{\"hello\": \"world\"}",
    18,     NULL};
static const struct httpsig_header test_response_headers[] = {
    {"Date", "Tue, 20 Apr 2021 02:07:56 GMT"},
    {"Content-Type", "application/json"},
    {"Content-Digest", RESPONSE_DIGEST},
    {"Content-Length", "23"},
};
static const struct httpsig_message test_response = {
    NULL, NULL, 200, test_response_headers, 4, "{\"message\": \"good dog\"}", 23, NULL};

static EVP_PKEY *pem_key(const char *pem, bool private_key)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = private_key ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
				    : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);

	BIO_free(bio);
	assert_non_null(key);
	return key;
}

static size_t b64_decode(const char *text, uint8_t *out, size_t cap)
{
	struct buf b;
	size_t n;

	buf_init(&b, cap + 2);
	assert_int_equal(base64_decode(text, strlen(text), BASE64_STANDARD, &b), HR_OK);
	n = b.len;
	memcpy(out, b.data, n);
	buf_clear(&b);
	return n;
}

/* The base for input's member label must be exactly expected. */
static void assert_base(const struct httpsig_message *msg, const char *input, const char *label,
			const char *expected)
{
	struct buf base;
	struct hr_error err = {0};

	buf_init(&base, 1 << 16);
	if (httpsig_signature_base(msg, input, label, &base, &err) != HR_OK)
		fail_msg("%s: %s", err.stage, err.message);
	assert_string_equal(buf_str(&base), expected);
	buf_clear(&base);
}

static hr_status verify_with(const struct cose_alg *alg, EVP_PKEY *key,
			     const struct httpsig_message *msg, const char *input,
			     const char *label, const char *signature_b64)
{
	struct buf base;
	uint8_t sig[512];
	size_t n = b64_decode(signature_b64, sig, sizeof(sig));
	hr_status rc;

	buf_init(&base, 1 << 16);
	assert_int_equal(httpsig_signature_base(msg, input, label, &base, NULL), HR_OK);
	rc = cose_crypto_verify(alg, key, key_kind_of(key), base.data, base.len, sig, n, NULL);
	buf_clear(&base);
	return rc;
}

static void test_rfc9530_content_digest(void **state)
{
	char out[64];

	(void)state;
	/* RFC 9530 §2 / RFC 9421 B.1: {"hello": "world"} */
	httpsig_content_digest("{\"hello\": \"world\"}", 18, out);
	assert_string_equal(out, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
	httpsig_content_digest(NULL, 0, out);
	assert_string_equal(out, "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
}

static void test_rfc9421_b21_minimal_rsa_pss(void **state)
{
	const char *input = "sig-b21=();created=1618884473;keyid=\"test-key-rsa-pss\""
			    ";nonce=\"b3k2pp5k7z-50gnwp.yemd\"";
	EVP_PKEY *key = pem_key(rsa_pss_public_pem, false);

	(void)state;
	assert_base(&test_request, input, "sig-b21",
		    "\"@signature-params\": ();created=1618884473;keyid=\"test-key-rsa-pss\""
		    ";nonce=\"b3k2pp5k7z-50gnwp.yemd\"");
	assert_int_equal(
	    verify_with(
		cose_alg_find(COSE_ALG_PS512), key, &test_request, input, "sig-b21",
		"d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it"
		"++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z"
		"2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmA"
		"vtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1"
		"bLhdxO5Nyt8C8ssinQ98Xw9Q=="),
	    HR_OK);
	EVP_PKEY_free(key);
}

static void test_rfc9421_b23_full_coverage_rsa_pss(void **state)
{
	const char *input = "sig-b23=(\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" "
			    "\"content-type\" \"content-digest\" \"content-length\")"
			    ";created=1618884473;keyid=\"test-key-rsa-pss\"";
	EVP_PKEY *key = pem_key(rsa_pss_public_pem, false);

	(void)state;
	assert_base(&test_request, input, "sig-b23",
		    "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
		    "\"@method\": POST\n"
		    "\"@path\": /foo\n"
		    "\"@query\": ?param=Value&Pet=dog\n"
		    "\"@authority\": example.com\n"
		    "\"content-type\": application/json\n"
		    "\"content-digest\": " REQUEST_DIGEST "\n"
		    "\"content-length\": 18\n"
		    "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@query\" "
		    "\"@authority\" \"content-type\" \"content-digest\" \"content-length\")"
		    ";created=1618884473;keyid=\"test-key-rsa-pss\"");
	assert_int_equal(
	    verify_with(
		cose_alg_find(COSE_ALG_PS512), key, &test_request, input, "sig-b23",
		"bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFke"
		"Gt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/"
		"yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldm"
		"lu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZA"
		"FL2FUo5fTIztsDZKEgM4cUA=="),
	    HR_OK);
	EVP_PKEY_free(key);
}

static void test_rfc9421_b24_response_ecdsa_p256(void **state)
{
	const char *input = "sig-b24=(\"@status\" \"content-type\" \"content-digest\" "
			    "\"content-length\");created=1618884473;keyid=\"test-key-ecc-p256\"";
	const char *signature =
	    "wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPquLgyahnzDnDAUy5"
	    "eCdlYUEkLIj+32oiasw==";
	EVP_PKEY *key = pem_key(ecc_p256_public_pem, false);
	struct httpsig_header changed[4];
	struct httpsig_message tampered = test_response;

	(void)state;
	assert_base(&test_response, input, "sig-b24",
		    "\"@status\": 200\n"
		    "\"content-type\": application/json\n"
		    "\"content-digest\": " RESPONSE_DIGEST "\n"
		    "\"content-length\": 23\n"
		    "\"@signature-params\": (\"@status\" \"content-type\" \"content-digest\" "
		    "\"content-length\");created=1618884473;keyid=\"test-key-ecc-p256\"");
	/* ecdsa-p256-sha256 with raw r||s (§3.3.4), as we verify it */
	assert_int_equal(verify_with(cose_alg_find(COSE_ALG_ES256), key, &test_response, input,
				     "sig-b24", signature),
			 HR_OK);
	memcpy(changed, test_response_headers, sizeof(changed));
	changed[1].value = "text/plain";
	tampered.headers = changed;
	assert_int_equal(
	    verify_with(cose_alg_find(COSE_ALG_ES256), key, &tampered, input, "sig-b24", signature),
	    HR_E_SIGNATURE);
	tampered = test_response;
	tampered.status = 201;
	assert_int_equal(
	    verify_with(cose_alg_find(COSE_ALG_ES256), key, &tampered, input, "sig-b24", signature),
	    HR_E_SIGNATURE);
	EVP_PKEY_free(key);
}

/* The published B.2.4 message is valid RFC 9421 but not our profile: no
 * expires, alg or nonce, label sig-b24. httpsig_verify says which. */
static EVP_PKEY *rfc_key;
static EVP_PKEY *rfc_lookup(void *context, const char *keyid)
{
	(void)context;
	return strcmp(keyid, "test-key-ecc-p256") == 0 ? rfc_key : NULL;
}

static void test_rfc9421_b24_is_refused_by_the_profile(void **state)
{
	struct replay_cache *nonces = replay_cache_new(16);
	struct httpsig_verified v;
	struct hr_error err = {0};

	(void)state;
	rfc_key = pem_key(ecc_p256_public_pem, false);
	assert_int_equal(
	    httpsig_verify(&test_response,
			   "sig-b24=(\"@status\" \"content-type\" \"content-digest\" "
			   "\"content-length\");created=1618884473;keyid=\"test-key-ecc-"
			   "p256\"",
			   "sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPq"
			   "uLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:",
			   NULL, rfc_lookup, NULL, 1618884473, nonces, &v, &err),
	    HR_E_DENIED);
	assert_non_null(strstr(err.message, "no sig1"));
	assert_int_equal(
	    httpsig_verify(&test_response,
			   "sig1=(\"@status\" \"content-type\" \"content-digest\" "
			   "\"content-length\");created=1618884473;keyid=\"test-key-ecc-"
			   "p256\"",
			   "sig1=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NKocgPq"
			   "uLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:",
			   NULL, rfc_lookup, NULL, 1618884473, nonces, &v, &err),
	    HR_E_DENIED);
	assert_non_null(strstr(err.message, "expires"));
	EVP_PKEY_free(rfc_key);
	replay_cache_free(nonces);
}

static void test_rfc9421_b25_hmac_base(void **state)
{
	const char *input = "sig-b25=(\"date\" \"@authority\" \"content-type\")"
			    ";created=1618884473;keyid=\"test-shared-secret\"";
	const char *expected = "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
			       "\"@authority\": example.com\n"
			       "\"content-type\": application/json\n"
			       "\"@signature-params\": (\"date\" \"@authority\" \"content-type\")"
			       ";created=1618884473;keyid=\"test-shared-secret\"";
	uint8_t secret[64], mac[32], published[32];
	unsigned int mac_len = 0;

	(void)state;
	assert_base(&test_request, input, "sig-b25", expected);
	/* hmac-sha256 is not something we accept, but the published MAC over our base
	 * proves the base */
	assert_int_equal(b64_decode(shared_secret_b64, secret, sizeof(secret)), 64);
	assert_int_equal(b64_decode("pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=", published,
				    sizeof(published)),
			 32);
	assert_non_null(HMAC(EVP_sha256(), secret, 64, (const uint8_t *)expected, strlen(expected),
			     mac, &mac_len));
	assert_memory_equal(mac, published, 32);
}

static void test_rfc9421_b26_ed25519(void **state)
{
	const char *input =
	    "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
	    "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
	const char *published =
	    "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w"
	    "6vuQv5lIp5WPpBKRCw==";
	EVP_PKEY *pub = pem_key(ed25519_public_pem, false),
		 *priv = pem_key(ed25519_private_pem, true);
	struct buf base, text;
	uint8_t sig[64];
	size_t sig_len = sizeof(sig);

	(void)state;
	assert_base(
	    &test_request, input, "sig-b26",
	    "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
	    "\"@method\": POST\n"
	    "\"@path\": /foo\n"
	    "\"@authority\": example.com\n"
	    "\"content-type\": application/json\n"
	    "\"content-length\": 18\n"
	    "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" "
	    "\"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"");
	assert_int_equal(verify_with(cose_alg_find(COSE_ALG_EDDSA), pub, &test_request, input,
				     "sig-b26", published),
			 HR_OK);
	/* Ed25519 is deterministic: signing our base gives the published bytes */
	buf_init(&base, 4096);
	buf_init(&text, 256);
	assert_int_equal(httpsig_signature_base(&test_request, input, "sig-b26", &base, NULL),
			 HR_OK);
	assert_int_equal(cose_crypto_sign(cose_alg_find(COSE_ALG_EDDSA), priv, base.data, base.len,
					  sig, &sig_len, NULL),
			 HR_OK);
	base64_encode(sig, sig_len, BASE64_STANDARD, &text);
	assert_string_equal(buf_str(&text), published);
	buf_clear(&base);
	buf_clear(&text);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
}

static void test_rfc9421_b3_tls_terminating_proxy(void **state)
{
	static const char cert[] =
	    ":MIIBqDCCAU6gAwIBAgIBBzAKBggqhkjOPQQDAjA6MRswGQYDVQQKDBJMZXQncyBBdXRoZW50aWNhdGUxGzAZB"
	    "gNV"
	    "BAMMEkxBIEludGVybWVkaWF0ZSBDQTAeFw0yMDAxMTQyMjU1MzNaFw0yMTAxMjMyMjU1MzNaMA0xCzAJBgNVBA"
	    "MM"
	    "AkJDMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8YnXXfaUgmnMtOXU/IncWalRhebrXmckC8vdgJ1p5Be5F/"
	    "3Y"
	    "C8OthxM4+"
	    "k1M6aEAEFcGzkJiNy6J84y7uzo9M6NyMHAwCQYDVR0TBAIwADAfBgNVHSMEGDAWgBRm3WjLa38lbEYC"
	    "uiCPct0ZaSED2DAOBgNVHQ8BAf8EBAMCBsAwEwYDVR0lBAwwCgYIKwYBBQUHAwIwHQYDVR0RAQH/"
	    "BBMwEYEPYmRj"
	    "QGV4YW1wbGUuY29tMAoGCCqGSM49BAMCA0gAMEUCIBHda/r1vaL6G3VliL4/"
	    "Di6YK0Q6bMjeSkC3dFCOOB8TAiEA"
	    "x/kHSB4urmiZ0NX5r5XarmPk0wmuydBVoU4hBVZ1yhk=:";
	const struct httpsig_header headers[] = {
	    {"Host", "service.internal.example"},
	    {"Date", "Tue, 20 Apr 2021 02:07:55 GMT"},
	    {"Content-Type", "application/json"},
	    {"Content-Length", "18"},
	    {"Client-Cert", cert},
	};
	const struct httpsig_message msg = {
	    "POST", "https://service.internal.example/foo?param=Value&Pet=dog",
	    0,      headers,
	    5,      "{\"hello\": \"world\"}",
	    18,     NULL};
	const char *input = "ttrp=(\"@path\" \"@query\" \"@method\" \"@authority\" \"client-cert\")"
			    ";created=1618884473;keyid=\"test-key-ecc-p256\"";
	EVP_PKEY *key = pem_key(ecc_p256_public_pem, false);
	char expected[2048];

	(void)state;
	snprintf(expected, sizeof(expected),
		 "\"@path\": /foo\n\"@query\": ?param=Value&Pet=dog\n\"@method\": POST\n"
		 "\"@authority\": service.internal.example\n\"client-cert\": %s\n"
		 "\"@signature-params\": (\"@path\" \"@query\" \"@method\" \"@authority\" "
		 "\"client-cert\");created=1618884473;keyid=\"test-key-ecc-p256\"",
		 cert);
	assert_base(&msg, input, "ttrp", expected);
	assert_int_equal(
	    verify_with(cose_alg_find(COSE_ALG_ES256), key, &msg, input, "ttrp",
			"xVMHVpawaAC/0SbHrKRs9i8I3eOs5RtTMGCWXm/9nvZzoHsIg6Mce9315T6xokl"
			"yy0yzhD9ah4JHRwMLOgmizw=="),
	    HR_OK);
	EVP_PKEY_free(key);
}

static void test_rfc9421_b4_transformations(void **state)
{
	const char *input = "transform=(\"@method\" \"@path\" \"@authority\" \"accept\")"
			    ";created=1618884473;keyid=\"test-key-ed25519\"";
	const char *signature =
	    "ZT1kooQsEHpZ0I1IjCqtQppOmIqlJPeo7DHR3SoMn0s5JZ1eRGS0A+vyYP9t/LXlh5Q"
	    "MFFQ6cpLt2m0pmj3NDA==";
	const struct cose_alg *eddsa = cose_alg_find(COSE_ALG_EDDSA);
	EVP_PKEY *key = pem_key(ed25519_public_pem, false);
	const struct httpsig_header original[] = {{"Host", "example.org"},
						  {"Date", "Fri, 15 Jul 2022 14:24:55 GMT"},
						  {"Accept", "application/json"},
						  {"Accept", "*/*"}};
	const struct httpsig_header added[] = {{"Host", "example.org"},
					       {"Date", "Fri, 15 Jul 2022 14:24:55 GMT"},
					       {"Accept", "application/json"},
					       {"Accept", "*/*"},
					       {"Accept-Language", "en-US,en;q=0.5"}};
	const struct httpsig_header collapsed[] = {
	    {"host", "example.org"},
	    {"Referer", "https://developer.example.org/demo"},
	    {"ACCEPT", "  application/json, */*  "}};
	const struct httpsig_header swapped[] = {{"Host", "example.org"},
						 {"Date", "Fri, 15 Jul 2022 14:24:55 GMT"},
						 {"Accept", "*/*"},
						 {"Accept", "application/json"}};
	struct httpsig_message msg = {
	    "GET", "https://example.org/demo?name1=Value1&Name2=value2", 0, original, 4, NULL, 0,
	    NULL};

	(void)state;
	assert_base(&msg, input, "transform",
		    "\"@method\": GET\n\"@path\": /demo\n\"@authority\": example.org\n"
		    "\"accept\": application/json, */*\n"
		    "\"@signature-params\": (\"@method\" \"@path\" \"@authority\" \"accept\")"
		    ";created=1618884473;keyid=\"test-key-ed25519\"");
	assert_int_equal(verify_with(eddsa, key, &msg, input, "transform", signature), HR_OK);
	/* uncovered header and query added: still valid */
	msg.headers = added;
	msg.header_count = 5;
	msg.target_uri = "https://example.org/demo?name1=Value1&Name2=value2&param=added";
	assert_int_equal(verify_with(eddsa, key, &msg, input, "transform", signature), HR_OK);
	/* Date removed, Referer added, Accept collapsed to one line: still valid */
	msg.headers = collapsed;
	msg.header_count = 3;
	assert_int_equal(verify_with(eddsa, key, &msg, input, "transform", signature), HR_OK);
	/* the two Accept fields swapped: not valid */
	msg.headers = swapped;
	msg.header_count = 4;
	assert_int_equal(verify_with(eddsa, key, &msg, input, "transform", signature),
			 HR_E_SIGNATURE);
	/* method and authority changed: not valid */
	msg.headers = original;
	msg.method = "POST";
	assert_int_equal(verify_with(eddsa, key, &msg, input, "transform", signature),
			 HR_E_SIGNATURE);
	msg.method = "GET";
	msg.target_uri = "https://example.com/demo?name1=Value1&Name2=value2";
	assert_int_equal(verify_with(eddsa, key, &msg, input, "transform", signature),
			 HR_E_SIGNATURE);
	EVP_PKEY_free(key);
}

/* RFC 9421 §2.4: a 503 response bound to the request's sig1 signature. */
#define SECTION_2_4_REQUEST_SIGNATURE                                                              \
	"sig1=:LAH8BjcfcOcLojiuOBFWn0P5keD3xAOuJRGziCLuD8r5MW9S0RoXXLzLSRfGY/"                     \
	"3SF8kVIkHjE13SEFdTo4Af/"                                                                  \
	"fJ/Pu9wheqoLVdwXyY/"                                                                      \
	"UkBIS1M8Brc8IODsn5DFIrG0IrburbLi0uCc+E2ZIIb6HbUJ+o+jP58JelMTe0QE3IpWIN"                   \
	"TEzpxjqDf5/Df+InHCAkQCTuKsamjWXUpyOT1Wkxi7YPVNOjW4MfNuTZ9HdbD2Tr65+BXeTG9ZS/"             \
	"9SWuXAc+BZ8WyP"                                                                           \
	"z0QRz//ec3uWXd7bYYODSjRAxHqX+S1ag3LZElYyUKaAIjZ8MGOt4gXEwCSLDv/zqxZeWLj/PDkn6w==:"

static void test_rfc9421_section_2_4_request_response_binding(void **state)
{
	const struct httpsig_header request_headers[] = {
	    {"Host", "example.com"},
	    {"Date", "Tue, 20 Apr 2021 02:07:55 GMT"},
	    {"Content-Type", "application/json"},
	    {"Content-Digest", REQUEST_DIGEST},
	    {"Content-Length", "18"},
	    {"Signature-Input", "sig1=(\"@method\" \"@authority\" \"@path\" \"content-digest\" "
				"\"content-length\" \"content-type\");created=1618884475"
				";keyid=\"test-key-rsa-pss\""},
	    /* as printed in the RFC, with two spaces after the colon */
	    {"Signature", "  " SECTION_2_4_REQUEST_SIGNATURE},
	};
	const struct httpsig_message request = {
	    "POST", "https://example.com/foo?param=Value&Pet=dog",
	    0,      request_headers,
	    7,      "{\"hello\": \"world\"}",
	    18,     NULL};
	const struct httpsig_header response_headers[] = {
	    {"Date", "Tue, 20 Apr 2021 02:07:56 GMT"},
	    {"Content-Type", "application/json"},
	    {"Content-Length", "62"},
	};
	struct httpsig_message response = {
	    NULL, NULL,
	    503,  response_headers,
	    3,    "{\"busy\": true, \"message\": \"Your call is very important to us\"}",
	    62,   &request};
	const char *input = "reqres=(\"@status\" \"content-length\" \"content-type\" "
			    "\"signature\";req;key=\"sig1\" \"@authority\";req \"@method\";req)"
			    ";created=1618884479;keyid=\"test-key-ecc-p256\"";
	const char *signature =
	    "mh17P4TbYYBmBwsXPT4nsyVzW4Rp9Fb8WcvnfqKCQLoMvzOBLD/n32tL/GPW6XE5GAS"
	    "5bdsg1khK6lBzV1Cx/Q==";
	EVP_PKEY *key = pem_key(ecc_p256_public_pem, false);
	char expected[2048];
	struct httpsig_header other_headers[7];
	struct httpsig_message other_request = request;

	(void)state;
	snprintf(expected, sizeof(expected),
		 "\"@status\": 503\n\"content-length\": 62\n\"content-type\": application/json\n"
		 "\"signature\";req;key=\"sig1\": %s\n\"@authority\";req: example.com\n"
		 "\"@method\";req: POST\n"
		 "\"@signature-params\": (\"@status\" \"content-length\" \"content-type\" "
		 "\"signature\";req;key=\"sig1\" \"@authority\";req \"@method\";req)"
		 ";created=1618884479;keyid=\"test-key-ecc-p256\"",
		 SECTION_2_4_REQUEST_SIGNATURE + 5);
	assert_base(&response, input, "reqres", expected);
	assert_int_equal(
	    verify_with(cose_alg_find(COSE_ALG_ES256), key, &response, input, "reqres", signature),
	    HR_OK);
	/* the same response presented as the answer to another request */
	memcpy(other_headers, request_headers, sizeof(other_headers));
	other_headers[6].value = "sig1=:AAAA:";
	other_request.headers = other_headers;
	response.request = &other_request;
	assert_int_equal(
	    verify_with(cose_alg_find(COSE_ALG_ES256), key, &response, input, "reqres", signature),
	    HR_E_SIGNATURE);
	EVP_PKEY_free(key);
}

/* The B.1.3 key signing in our profile, checked by its published public key. */
static void test_rfc9421_b13_key_signs_in_our_profile(void **state)
{
	const char *components[] = {"@method",      "@authority",     "@path", "@query",
				    "content-type", "content-digest", NULL};
	EVP_PKEY *private_key = pem_key(ecc_p256_private_pem, true);
	struct replay_cache *nonces = replay_cache_new(16);
	struct signer *signer = NULL;
	struct httpsig_verified v;
	struct hr_error err = {0};
	char *input = NULL, *signature = NULL;
	char digest[64];
	struct httpsig_header headers[5];
	struct httpsig_message msg = test_request;

	(void)state;
	rfc_key = pem_key(ecc_p256_public_pem, false);
	/* our profile uses a sha-256 Content-Digest */
	memcpy(headers, test_request_headers, sizeof(headers));
	httpsig_content_digest(msg.body, msg.body_len, digest);
	headers[3].value = digest;
	msg.headers = headers;
	assert_int_equal(signer_from_key(private_key, NULL, &signer, NULL), HR_OK);
	assert_int_equal(httpsig_sign(signer, "test-key-ecc-p256", &msg, components, 1618884473, 60,
				      "b3k2pp5k7z-50gnwp.yemd", &input, &signature, &err),
			 HR_OK);
	assert_string_equal(input, "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" "
				   "\"content-type\" \"content-digest\");created=1618884473"
				   ";expires=1618884533;keyid=\"test-key-ecc-p256\""
				   ";alg=\"ecdsa-p256-sha256\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"");
	assert_int_equal(httpsig_verify(&msg, input, signature, components, rfc_lookup, NULL,
					1618884480, nonces, &v, &err),
			 HR_OK);
	assert_string_equal(v.keyid, "test-key-ecc-p256");
	free(input);
	free(signature);
	signer_free(signer);
	EVP_PKEY_free(private_key);
	EVP_PKEY_free(rfc_key);
	replay_cache_free(nonces);
}

/*
 * Round trips and refusals in our profile.
 */
#define CREATED 1700000000
#define WALLET  "UA/GOV/43395033/wallet"
#define GATEWAY "UA/GOV/00000001/gateway"

static struct signer *wallet_signer, *gateway_signer;
static EVP_PKEY *ed_key;

static EVP_PKEY *directory(void *context, const char *keyid)
{
	(void)context;
	if (strcmp(keyid, WALLET) == 0)
		return signer_public_key(wallet_signer);
	if (strcmp(keyid, GATEWAY) == 0)
		return signer_public_key(gateway_signer);
	if (strcmp(keyid, "ed25519-member") == 0)
		return ed_key;
	return NULL;
}

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
	wallet_signer = new_signer();
	gateway_signer = new_signer();
	ed_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	signer_free(wallet_signer);
	signer_free(gateway_signer);
	EVP_PKEY_free(ed_key);
	return 0;
}

#define BODY "{\"person\":\"UA:3012345678\"}"

/* A request as the wallet sends it, headers room for the signature fields. */
struct request {
	char digest[64];
	struct httpsig_header headers[8];
	struct httpsig_message msg;
	char *input, *signature;
};

static const char *const request_components[] = {
    "@method", "@target-uri", "content-digest", "hromada-client", "hromada-purpose", NULL};

static void request_init(struct request *r, const char *body)
{
	memset(r, 0, sizeof(*r));
	httpsig_content_digest(body, strlen(body), r->digest);
	r->headers[0] = (struct httpsig_header){"Content-Type", "application/json"};
	r->headers[1] = (struct httpsig_header){"Content-Digest", r->digest};
	r->headers[2] = (struct httpsig_header){"Hromada-Client", WALLET};
	r->headers[3] = (struct httpsig_header){"Hromada-Purpose", "citizen-wallet"};
	r->msg = (struct httpsig_message){"POST",
					  "http://127.0.0.1:8411/x/UA/GOV/00015622/drivers/lookup",
					  0,
					  r->headers,
					  4,
					  body,
					  strlen(body),
					  NULL};
}

static void request_sign(struct request *r, const char *nonce)
{
	struct hr_error err = {0};

	if (httpsig_sign(wallet_signer, WALLET, &r->msg, request_components, CREATED, 60, nonce,
			 &r->input, &r->signature, &err) != HR_OK)
		fail_msg("%s: %s", err.stage, err.message);
	/* the request as a response's ;req components see it */
	r->headers[4] = (struct httpsig_header){"Signature-Input", r->input};
	r->headers[5] = (struct httpsig_header){"Signature", r->signature};
}

static void request_clear(struct request *r)
{
	free(r->input);
	free(r->signature);
}

/* httpsig_verify with a fresh nonce cache; failures must explain themselves. */
static hr_status verify_once(const struct httpsig_message *msg, const char *input,
			     const char *signature, const char *const *required, int64_t now)
{
	struct replay_cache *nonces = replay_cache_new(64);
	struct httpsig_verified v;
	struct hr_error err = {0};
	hr_status rc =
	    httpsig_verify(msg, input, signature, required, directory, NULL, now, nonces, &v, &err);

	if (rc != HR_OK) {
		assert_string_equal(err.stage, "httpsig");
		assert_true(err.message[0] != 0);
		assert_string_equal(v.keyid, "");
	}
	replay_cache_free(nonces);
	return rc;
}

/* Signs whatever Signature-Input text the test writes (label sig1) with s. */
static char *sign_input(struct signer *s, const struct httpsig_message *msg, const char *input)
{
	struct buf base, text;
	uint8_t sig[64];
	size_t sig_len = sizeof(sig);
	struct hr_error err = {0};

	buf_init(&base, 1 << 16);
	buf_init(&text, 256);
	if (httpsig_signature_base(msg, input, "sig1", &base, &err) != HR_OK)
		fail_msg("%s", err.message);
	assert_int_equal(signer_sign(s, base.data, base.len, sig, &sig_len, NULL), HR_OK);
	buf_append_str(&text, "sig1=:");
	base64_encode(sig, sig_len, BASE64_STANDARD, &text);
	buf_append_str(&text, ":");
	buf_clear(&base);
	return (char *)buf_take(&text, NULL);
}

static void test_request_round_trip(void **state)
{
	const char *required[] = {"@method", "@target-uri", "hromada-purpose", NULL};
	struct replay_cache *nonces = replay_cache_new(64);
	struct httpsig_verified v;
	struct hr_error err = {0};
	struct request r;

	(void)state;
	request_init(&r, BODY);
	request_sign(&r, "nonce-1");
	/* the header of httpsig.h, exactly */
	assert_string_equal(r.input, "sig1=(\"@method\" \"@target-uri\" \"content-digest\" "
				     "\"hromada-client\" \"hromada-purpose\");created=1700000000"
				     ";expires=1700000060;keyid=\"" WALLET
				     "\";alg=\"ecdsa-p256-sha256\";nonce=\"nonce-1\"");
	assert_int_equal(strncmp(r.signature, "sig1=:", 6), 0);
	assert_int_equal(strlen(r.signature), 6 + 88 + 1);
	assert_int_equal(httpsig_verify(&r.msg, r.input, r.signature, required, directory, NULL,
					CREATED + 1, nonces, &v, &err),
			 HR_OK);
	assert_string_equal(v.keyid, WALLET);
	assert_int_equal(v.created, CREATED);
	assert_int_equal(v.expires, CREATED + 60);
	/* the same message again is a replay */
	assert_int_equal(httpsig_verify(&r.msg, r.input, r.signature, required, directory, NULL,
					CREATED + 2, nonces, &v, &err),
			 HR_E_CONFLICT);
	request_clear(&r);
	/* fresh random nonces when none is given */
	request_init(&r, BODY);
	request_sign(&r, NULL);
	assert_non_null(strstr(r.input, ";nonce=\""));
	assert_int_equal(httpsig_verify(&r.msg, r.input, r.signature, required, directory, NULL,
					CREATED, nonces, &v, &err),
			 HR_OK);
	request_clear(&r);
	replay_cache_free(nonces);
}

static void test_response_round_trip_bound_to_its_request(void **state)
{
	const char *const variants[][6] = {
	    {"@status", "content-digest", "@method;req", "@target-uri;req", "signature;req", NULL},
	    {"@status", "content-digest", "\"signature\";req;key=\"sig1\"", "@authority;req", NULL},
	    {"@status", "content-digest", "signature-input;req;key=\"sig1\"", "signature;req",
	     NULL},
	};
	const char *reply = "{\"documents\":[]}";

	(void)state;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct request asked, other;
		char digest[64], *input = NULL, *signature = NULL;
		struct httpsig_header headers[2] = {{"content-type", "application/json"},
						    {"content-digest", digest}};
		struct httpsig_message response = {NULL, NULL,  200,           headers,
						   2,    reply, strlen(reply), &asked.msg};
		struct hr_error err = {0};

		request_init(&asked, BODY);
		request_sign(&asked, "asked");
		asked.msg.header_count = 6;
		request_init(&other, BODY);
		request_sign(&other, "other");
		other.msg.header_count = 6;
		httpsig_content_digest(reply, strlen(reply), digest);
		if (httpsig_sign(gateway_signer, GATEWAY, &response, variants[i], CREATED, 30, NULL,
				 &input, &signature, &err) != HR_OK)
			fail_msg("%s", err.message);
		assert_int_equal(verify_once(&response, input, signature, variants[i], CREATED),
				 HR_OK);
		/* bound to the request it answers: presented for another, it fails */
		response.request = &other.msg;
		assert_int_equal(verify_once(&response, input, signature, variants[i], CREATED),
				 HR_E_SIGNATURE);
		/* and without a request it cannot be checked at all */
		response.request = NULL;
		assert_int_equal(verify_once(&response, input, signature, NULL, CREATED),
				 HR_E_INVALID);
		free(input);
		free(signature);
		request_clear(&asked);
		request_clear(&other);
	}
}

static void test_required_components_must_be_covered(void **state)
{
	struct request r;
	const char *missing_header[] = {"hromada-purpose", "hromada-user", NULL};
	const char *missing_derived[] = {"@authority", NULL};
	const char *req_variant[] = {"@method;req", NULL};

	(void)state;
	request_init(&r, BODY);
	request_sign(&r, "n");
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, missing_header, CREATED),
			 HR_E_DENIED);
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, missing_derived, CREATED),
			 HR_E_DENIED);
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, req_variant, CREATED),
			 HR_E_DENIED);
	request_clear(&r);
}

static void test_body_requires_a_covered_content_digest(void **state)
{
	const char *without[] = {"@method", "@target-uri", "hromada-client", NULL};
	struct request r;
	char *input, *signature = NULL;
	struct hr_error err = {0};

	(void)state;
	request_init(&r, BODY);
	/* we do not sign it */
	assert_int_equal(httpsig_sign(wallet_signer, WALLET, &r.msg, without, CREATED, 60, NULL,
				      &input, &signature, &err),
			 HR_E_INVALID);
	assert_null(input);
	/* and do not accept it from others */
	input = "sig1=(\"@method\" \"@target-uri\" \"hromada-client\");created=1700000000"
		";expires=1700000060;keyid=\"" WALLET "\";alg=\"ecdsa-p256-sha256\";nonce=\"x\"";
	signature = sign_input(wallet_signer, &r.msg, input);
	assert_int_equal(verify_once(&r.msg, input, signature, NULL, CREATED), HR_E_DENIED);
	free(signature);
	/* without a body, it need not be covered */
	r.msg.body = NULL;
	r.msg.body_len = 0;
	signature = sign_input(wallet_signer, &r.msg, input);
	assert_int_equal(verify_once(&r.msg, input, signature, NULL, CREATED), HR_OK);
	free(signature);
	/* a digest that does not match the body is not signed either */
	request_init(&r, BODY);
	r.msg.body = "{}";
	r.msg.body_len = 2;
	assert_int_equal(httpsig_sign(wallet_signer, WALLET, &r.msg, request_components, CREATED,
				      60, NULL, &input, &signature, &err),
			 HR_E_SIGNATURE);
}

static void test_time_window(void **state)
{
	struct request r;

	(void)state;
	request_init(&r, BODY);
	request_sign(&r, "n");
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED + 60), HR_OK);
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED + 61),
			 HR_E_EXPIRED);
	assert_int_equal(
	    verify_once(&r.msg, r.input, r.signature, NULL, CREATED - HTTPSIG_MAX_SKEW_S), HR_OK);
	assert_int_equal(
	    verify_once(&r.msg, r.input, r.signature, NULL, CREATED - HTTPSIG_MAX_SKEW_S - 1),
	    HR_E_EXPIRED);
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED - 86400),
			 HR_E_EXPIRED);
	request_clear(&r);
}

static void test_lifetime_limits(void **state)
{
	struct request r;
	char *input = NULL, *signature = NULL, text[512];
	struct {
		int64_t expires;
		hr_status expected;
	} cases[] = {
	    {CREATED + HTTPSIG_MAX_LIFETIME_S, HR_OK},
	    {CREATED + HTTPSIG_MAX_LIFETIME_S + 1, HR_E_DENIED},
	    {CREATED + 86400, HR_E_DENIED},
	    {CREATED, HR_E_INVALID},
	    {CREATED - 1, HR_E_INVALID},
	};

	(void)state;
	request_init(&r, BODY);
	assert_int_equal(httpsig_sign(wallet_signer, WALLET, &r.msg, request_components, CREATED,
				      HTTPSIG_MAX_LIFETIME_S + 1, NULL, &input, &signature, NULL),
			 HR_E_INVALID);
	assert_int_equal(httpsig_sign(wallet_signer, WALLET, &r.msg, request_components, CREATED, 0,
				      NULL, &input, &signature, NULL),
			 HR_E_INVALID);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(
		    text, sizeof(text),
		    "sig1=(\"@method\" \"content-digest\");created=%d;expires=%lld;keyid=\"" WALLET
		    "\";alg=\"ecdsa-p256-sha256\";nonce=\"n\"",
		    CREATED, (long long)cases[i].expires);
		signature = sign_input(wallet_signer, &r.msg, text);
		assert_int_equal(verify_once(&r.msg, text, signature, NULL, CREATED),
				 cases[i].expected);
		free(signature);
	}
}

static void test_nonce_replay_is_per_key(void **state)
{
	struct replay_cache *nonces = replay_cache_new(64);
	struct httpsig_verified v;
	struct request a, b;
	const char *input_b =
	    "sig1=(\"@method\" \"content-digest\");created=1700000000"
	    ";expires=1700000060;keyid=\"" GATEWAY "\";alg=\"ecdsa-p256-sha256\";nonce=\"shared\"";
	char *signature_b;

	(void)state;
	request_init(&a, BODY);
	request_sign(&a, "shared");
	request_init(&b, BODY);
	signature_b = sign_input(gateway_signer, &b.msg, input_b);
	assert_int_equal(httpsig_verify(&a.msg, a.input, a.signature, NULL, directory, NULL,
					CREATED, nonces, &v, NULL),
			 HR_OK);
	/* another member's nonce of the same text is its own */
	assert_int_equal(httpsig_verify(&b.msg, input_b, signature_b, NULL, directory, NULL,
					CREATED, nonces, &v, NULL),
			 HR_OK);
	assert_int_equal(httpsig_verify(&b.msg, input_b, signature_b, NULL, directory, NULL,
					CREATED + 59, nonces, &v, NULL),
			 HR_E_CONFLICT);
	/* a signature that does not verify does not use the nonce up */
	{
		struct request c;

		request_init(&c, BODY);
		request_sign(&c, "fresh");
		c.headers[3].value = "tampered";
		assert_int_equal(httpsig_verify(&c.msg, c.input, c.signature, NULL, directory, NULL,
						CREATED, nonces, &v, NULL),
				 HR_E_SIGNATURE);
		c.headers[3].value = "citizen-wallet";
		assert_int_equal(httpsig_verify(&c.msg, c.input, c.signature, NULL, directory, NULL,
						CREATED, nonces, &v, NULL),
				 HR_OK);
		request_clear(&c);
	}
	free(signature_b);
	request_clear(&a);
	replay_cache_free(nonces);
}

/* Review H4: one member flooding the nonce record with correctly signed
 * requests fills only its own share; another member's requests still verify. */
static void test_nonce_flood_by_one_member_refuses_only_that_member(void **state)
{
	/* the default share: half of 64 */
	struct replay_cache *nonces = replay_cache_new(64);
	struct httpsig_verified v;
	struct hr_error err = {0};
	struct request r, g;
	char nonce[32], *signature_g;
	const char *input_g =
	    "sig1=(\"@method\" \"content-digest\");created=1700000000"
	    ";expires=1700000060;keyid=\"" GATEWAY "\";alg=\"ecdsa-p256-sha256\";nonce=\"g-1\"";
	int accepted = 0;
	hr_status rc = HR_OK;

	(void)state;
	for (int i = 0; i < 40 && rc == HR_OK; i++) {
		snprintf(nonce, sizeof(nonce), "flood-%d", i);
		request_init(&r, BODY);
		request_sign(&r, nonce);
		rc = httpsig_verify(&r.msg, r.input, r.signature, NULL, directory, NULL,
				    CREATED + 1, nonces, &v, &err);
		if (rc == HR_OK)
			accepted++;
		request_clear(&r);
	}
	assert_int_equal(accepted, 32);
	assert_int_equal(rc, HR_E_BUSY);
	assert_string_equal(err.stage, "httpsig");
	assert_string_equal(v.keyid, "");
	/* another member still gets in */
	request_init(&g, BODY);
	signature_g = sign_input(gateway_signer, &g.msg, input_g);
	assert_int_equal(httpsig_verify(&g.msg, input_g, signature_g, NULL, directory, NULL,
					CREATED + 1, nonces, &v, NULL),
			 HR_OK);
	assert_string_equal(v.keyid, GATEWAY);
	/* a replay of the flood is still a replay, not busy */
	request_init(&r, BODY);
	request_sign(&r, "flood-3");
	assert_int_equal(httpsig_verify(&r.msg, r.input, r.signature, NULL, directory, NULL,
					CREATED + 2, nonces, &v, NULL),
			 HR_E_CONFLICT);
	request_clear(&r);
	/* once the flood's signatures expire, the flooding member gets in again */
	request_init(&r, BODY);
	assert_int_equal(httpsig_sign(wallet_signer, WALLET, &r.msg, request_components,
				      CREATED + 61, 60, "after", &r.input, &r.signature, NULL),
			 HR_OK);
	assert_int_equal(httpsig_verify(&r.msg, r.input, r.signature, NULL, directory, NULL,
					CREATED + 61, nonces, &v, NULL),
			 HR_OK);
	assert_string_equal(v.keyid, WALLET);
	request_clear(&r);
	free(signature_g);
	replay_cache_free(nonces);
}

static void test_tampering_is_detected(void **state)
{
	struct request r;
	char digest[64];

	(void)state;
	request_init(&r, BODY);
	request_sign(&r, "n");
	/* the body */
	r.msg.body = "{\"person\":\"UA:3012345679\"}";
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED), HR_E_SIGNATURE);
	/* the body and its digest together: the signature covers the digest */
	httpsig_content_digest(r.msg.body, r.msg.body_len, digest);
	r.headers[1].value = digest;
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED), HR_E_SIGNATURE);
	r.msg.body = BODY;
	r.headers[1].value = r.digest;
	/* a covered header */
	r.headers[3].value = "police-document-check";
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED), HR_E_SIGNATURE);
	r.headers[3].value = "citizen-wallet";
	/* the target */
	r.msg.target_uri = "http://127.0.0.1:8411/x/UA/GOV/00015622/passports/lookup";
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED), HR_E_SIGNATURE);
	r.msg.target_uri = "http://127.0.0.1:8411/x/UA/GOV/00015622/drivers/lookup";
	r.msg.method = "PUT";
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED), HR_E_SIGNATURE);
	r.msg.method = "POST";
	/* a covered header removed */
	r.msg.header_count = 3;
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED), HR_E_INVALID);
	/* an uncovered header changed: fine */
	r.msg.header_count = 4;
	r.headers[0].value = "text/plain";
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED), HR_OK);
	/* a covered header repeated changes its combined value */
	r.headers[4] = (struct httpsig_header){"hromada-purpose", "extra"};
	r.msg.header_count = 5;
	assert_int_equal(verify_once(&r.msg, r.input, r.signature, NULL, CREATED), HR_E_SIGNATURE);
	request_clear(&r);
}

static void test_keys_come_from_the_directory(void **state)
{
	struct request r;
	char *signature;
	const char *unknown = "sig1=(\"@method\" \"content-digest\");created=1700000000"
			      ";expires=1700000060;keyid=\"UA/GOV/99999999/stranger\""
			      ";alg=\"ecdsa-p256-sha256\";nonce=\"n\"";
	const char *impostor =
	    "sig1=(\"@method\" \"content-digest\");created=1700000000"
	    ";expires=1700000060;keyid=\"" GATEWAY "\";alg=\"ecdsa-p256-sha256\";nonce=\"n\"";
	const char *ed = "sig1=(\"@method\" \"content-digest\");created=1700000000"
			 ";expires=1700000060;keyid=\"ed25519-member\""
			 ";alg=\"ecdsa-p256-sha256\";nonce=\"n\"";

	(void)state;
	request_init(&r, BODY);
	signature = sign_input(wallet_signer, &r.msg, unknown);
	assert_int_equal(verify_once(&r.msg, unknown, signature, NULL, CREATED), HR_E_DENIED);
	free(signature);
	/* the wallet's key claiming to be the gateway */
	signature = sign_input(wallet_signer, &r.msg, impostor);
	assert_int_equal(verify_once(&r.msg, impostor, signature, NULL, CREATED), HR_E_SIGNATURE);
	free(signature);
	/* a keyid whose key is not P-256 */
	signature = sign_input(wallet_signer, &r.msg, ed);
	assert_int_equal(verify_once(&r.msg, ed, signature, NULL, CREATED), HR_E_DENIED);
	free(signature);
}

static void test_profile_parameters_are_required(void **state)
{
	const char *inputs[] = {
	    /* each of alg, keyid, nonce, created, expires missing */
	    "sig1=(\"content-digest\");created=1700000000;expires=1700000060;keyid=\"" WALLET
	    "\";nonce=\"n\"",
	    "sig1=(\"content-digest\");created=1700000000;expires=1700000060"
	    ";alg=\"ecdsa-p256-sha256\";nonce=\"n\"",
	    "sig1=(\"content-digest\");created=1700000000;expires=1700000060;keyid=\"" WALLET
	    "\";alg=\"ecdsa-p256-sha256\"",
	    "sig1=(\"content-digest\");expires=1700000060;keyid=\"" WALLET
	    "\";alg=\"ecdsa-p256-sha256\";nonce=\"n\"",
	    "sig1=(\"content-digest\");created=1700000000;keyid=\"" WALLET
	    "\";alg=\"ecdsa-p256-sha256\";nonce=\"n\"",
	    /* another algorithm */
	    "sig1=(\"content-digest\");created=1700000000;expires=1700000060;keyid=\"" WALLET
	    "\";alg=\"rsa-pss-sha512\";nonce=\"n\"",
	    "sig1=(\"content-digest\");created=1700000000;expires=1700000060;keyid=\"" WALLET
	    "\";alg=\"hmac-sha256\";nonce=\"n\"",
	    /* empty keyid and nonce */
	    "sig1=(\"content-digest\");created=1700000000;expires=1700000060;keyid=\"\""
	    ";alg=\"ecdsa-p256-sha256\";nonce=\"n\"",
	    "sig1=(\"content-digest\");created=1700000000;expires=1700000060;keyid=\"" WALLET
	    "\";alg=\"ecdsa-p256-sha256\";nonce=\"\"",
	};
	struct request r;

	(void)state;
	request_init(&r, BODY);
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char *signature = sign_input(wallet_signer, &r.msg, inputs[i]);

		assert_int_equal(verify_once(&r.msg, inputs[i], signature, NULL, CREATED),
				 HR_E_DENIED);
		free(signature);
	}
}

static void test_malformed_signature_input_is_refused(void **state)
{
	const char *valid_signature =
	    "sig1=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==:";
#define TAIL                                                                                       \
	";created=1700000000;expires=1700000060;keyid=\"" WALLET                                   \
	"\";alg=\"ecdsa-p256-sha256\";nonce=\"n\""
	const char *inputs[] = {
	    "",
	    "   ",
	    /* unbalanced parentheses */
	    "sig1=(\"@method\" \"content-digest\"" TAIL,
	    "sig1=\"@method\" \"content-digest\")" TAIL,
	    "sig1=((\"@method\"))" TAIL,
	    /* duplicate labels */
	    "sig1=(\"@method\")" TAIL ", sig1=(\"content-digest\")" TAIL,
	    /* wrong types */
	    "sig1=(\"content-digest\");created=\"1700000000\";expires=1700000060;keyid=\"" WALLET
	    "\";alg=\"ecdsa-p256-sha256\";nonce=\"n\"",
	    "sig1=(\"content-digest\");created=1700000000;expires=1700000060;keyid=" WALLET
	    ";alg=\"ecdsa-p256-sha256\";nonce=\"n\"",
	    "sig1=(\"content-digest\");created=1700000000.5;expires=1700000060;keyid=\"" WALLET
	    "\";alg=\"ecdsa-p256-sha256\";nonce=\"n\"",
	    "sig1=(\"content-digest\");created=1234567890123456;expires=1700000060;keyid=\"" WALLET
	    "\";alg=\"ecdsa-p256-sha256\";nonce=\"n\"",
	    "sig1=(\"content-digest\");created;expires=1700000060;keyid=\"" WALLET
	    "\";alg=\"ecdsa-p256-sha256\";nonce=\"n\"",
	    "sig1=(@method \"content-digest\")" TAIL,
	    "sig1=(\"content-digest\" 42)" TAIL,
	    "sig1=:AAAA:",
	    "sig1" TAIL,
	    "sig1",
	    /* a parameter twice, an unknown one, a component twice */
	    "sig1=(\"content-digest\")" TAIL ";nonce=\"m\"",
	    "sig1=(\"content-digest\")" TAIL ";context=\"x\"",
	    "sig1=(\"content-digest\" \"content-digest\")" TAIL,
	    "sig1=(\"@method\";req;req \"content-digest\")" TAIL,
	    /* component names and parameters we do not take */
	    "sig1=(\"Content-Digest\")" TAIL,
	    "sig1=(\"@request-target\" \"content-digest\")" TAIL,
	    "sig1=(\"@query-param\";name=\"Pet\" \"content-digest\")" TAIL,
	    "sig1=(\"@signature-params\" \"content-digest\")" TAIL,
	    "sig1=(\"content-digest\";sf)" TAIL,
	    "sig1=(\"content-digest\";bs)" TAIL,
	    "sig1=(\"@method\";req=?0 \"content-digest\")" TAIL,
	    "sig1=(\"hromada-client\";key=\"a\" \"content-digest\")" TAIL,
	    "sig1=(\"\" \"content-digest\")" TAIL,
	    "sig1=(\"a b\" \"content-digest\")" TAIL,
	    /* bad strings */
	    "sig1=(\"content-digest)" TAIL,
	    "sig1=(\"content-digest\")" TAIL ";tag=\"\\x\"",
	    "sig1=(\"content-digest\")" TAIL ";tag=\"\xc3\xa9\"",
	    /* list syntax */
	    "sig1=(\"content-digest\")" TAIL ",",
	    "sig1=(\"content-digest\")" TAIL ",,sig2=()",
	    "sig1=(\"content-digest\")" TAIL " sig2=()",
	    "Sig1=(\"content-digest\")" TAIL,
	    "1sig=(\"content-digest\")" TAIL,
	    "sig1=(\"content-digest\")\"" TAIL,
	};
	struct request r;

	(void)state;
	request_init(&r, BODY);
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		hr_status rc = verify_once(&r.msg, inputs[i], valid_signature, NULL, CREATED);

		if (rc != HR_E_INVALID)
			fail_msg("input %zu (%s): %d, not invalid", i, inputs[i], rc);
	}
#undef TAIL
}

static void test_malformed_signature_is_refused(void **state)
{
	const char *input =
	    "sig1=(\"@method\" \"content-digest\");created=1700000000"
	    ";expires=1700000060;keyid=\"" WALLET "\";alg=\"ecdsa-p256-sha256\";nonce=\"n\"";
	struct {
		const char *signature;
		hr_status expected;
	} cases[] = {
	    {"sig1=AAAA", HR_E_INVALID},
	    {"sig1=:AAAA", HR_E_INVALID},
	    {"sig1=:AAA:", HR_E_INVALID},
	    {"sig1=:AA-_:", HR_E_INVALID},
	    {"sig1=:AAAA:;p=1", HR_E_INVALID},
	    {"sig1=\"AAAA\"", HR_E_INVALID},
	    {"sig1=:AAAA:, sig1=:AAAA:", HR_E_INVALID},
	    /* well-formed, but 3 bytes, not 64 */
	    {"sig1=:AAAA:", HR_E_INVALID},
	    /* well-formed, but only another label */
	    {"sig2=:AAAA:", HR_E_DENIED},
	};
	struct request r;
	char *good;

	(void)state;
	request_init(&r, BODY);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(verify_once(&r.msg, input, cases[i].signature, NULL, CREATED),
				 cases[i].expected);
	/* other members (an intermediary's signature) are parsed and ignored */
	good = sign_input(wallet_signer, &r.msg, input);
	{
		char both[1024], inputs[1024];

		snprintf(both, sizeof(both), "proxy=:AAAA:, %s", good);
		snprintf(inputs, sizeof(inputs), "%s,proxy=(\"@method\");created=1", input);
		assert_int_equal(verify_once(&r.msg, inputs, both, NULL, CREATED), HR_OK);
	}
	/* absent fields */
	assert_int_equal(verify_once(&r.msg, NULL, good, NULL, CREATED), HR_E_DENIED);
	assert_int_equal(verify_once(&r.msg, input, NULL, NULL, CREATED), HR_E_DENIED);
	free(good);
}

static void test_request_and_response_components_stay_apart(void **state)
{
	struct request r;
	char *input = NULL, *signature = NULL;
	const char *status_in_request[] = {"@status", "content-digest", NULL};
	const char *req_in_request[] = {"@method;req", "content-digest", NULL};
	const char *method_in_response[] = {"@status", "@method", NULL};
	struct httpsig_message response = {NULL, NULL, 200, NULL, 0, NULL, 0, NULL};

	(void)state;
	request_init(&r, BODY);
	assert_int_equal(httpsig_sign(wallet_signer, WALLET, &r.msg, status_in_request, CREATED, 60,
				      NULL, &input, &signature, NULL),
			 HR_E_INVALID);
	assert_int_equal(httpsig_sign(wallet_signer, WALLET, &r.msg, req_in_request, CREATED, 60,
				      NULL, &input, &signature, NULL),
			 HR_E_INVALID);
	response.request = &r.msg;
	assert_int_equal(httpsig_sign(gateway_signer, GATEWAY, &response, method_in_response,
				      CREATED, 60, NULL, &input, &signature, NULL),
			 HR_E_INVALID);
	assert_null(input);
	assert_null(signature);
}

static void test_derived_component_values(void **state)
{
	struct {
		const char *uri;
		const char *expected;
	} cases[] = {
	    {"https://EXAMPLE.com:443/a/b?x=1&y=%41",
	     "\"@authority\": example.com\n\"@path\": /a/b\n"
	     "\"@query\": ?x=1&y=%41\n"},
	    {"http://example.com:80", "\"@authority\": example.com\n\"@path\": /\n\"@query\": ?\n"},
	    {"http://127.0.0.1:8411/x?", "\"@authority\": 127.0.0.1:8411\n\"@path\": /x\n"
					 "\"@query\": ?\n"},
	    {"https://[::1]:8443/p", "\"@authority\": [::1]:8443\n\"@path\": /p\n\"@query\": ?\n"},
	    {"http://example.com:0443/p", "\"@authority\": example.com:443\n\"@path\": /p\n"
					  "\"@query\": ?\n"},
	};
	const char *input = "s=(\"@authority\" \"@path\" \"@query\");created=1";
	const char *bad[] = {"example.com/a",
			     "https://",
			     "https://user:pw@example.com/",
			     "https://example.com/a#frag",
			     "https://example.com:99999/",
			     "https://exa mple.com/",
			     "https://example.com/%zz"};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct httpsig_message msg = {"GET", cases[i].uri, 0, NULL, 0, NULL, 0, NULL};
		char expected[512];

		snprintf(expected, sizeof(expected),
			 "%s\"@signature-params\": (\"@authority\" \"@path\" \"@query\");created=1",
			 cases[i].expected);
		assert_base(&msg, input, "s", expected);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct httpsig_message msg = {"GET", bad[i], 0, NULL, 0, NULL, 0, NULL};
		struct buf base;

		buf_init(&base, 4096);
		assert_int_equal(httpsig_signature_base(&msg, input, "s", &base, NULL),
				 HR_E_INVALID);
		buf_clear(&base);
	}
}

static void test_header_values_are_trimmed_joined_and_single_line(void **state)
{
	const struct httpsig_header headers[] = {
	    {"X-A", "  one "}, {"x-b", ""}, {"X-A", "\ttwo"}, {"X-C", "bad\r\nX-Injected: yes"}};
	struct httpsig_message msg = {"GET", "https://example.com/", 0, headers, 3, NULL, 0, NULL};
	struct buf base;

	(void)state;
	assert_base(
	    &msg, "s=(\"x-a\" \"x-b\");created=1", "s",
	    "\"x-a\": one, two\n\"x-b\": \n\"@signature-params\": (\"x-a\" \"x-b\");created=1");
	msg.header_count = 4;
	buf_init(&base, 4096);
	assert_int_equal(httpsig_signature_base(&msg, "s=(\"x-c\");created=1", "s", &base, NULL),
			 HR_E_INVALID);
	buf_reset(&base);
	assert_int_equal(httpsig_signature_base(&msg, "s=(\"x-d\");created=1", "s", &base, NULL),
			 HR_E_NOT_FOUND);
	buf_clear(&base);
}

static void test_sign_refuses_bad_arguments(void **state)
{
	struct request r;
	char *input = NULL, *signature = NULL;
	struct signer *ed = NULL;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	const char *duplicated[] = {"@method", "@method", "content-digest", NULL};
	const char *unknown[] = {"@scheme", "content-digest", NULL};
	const char *absent[] = {"hromada-user", "content-digest", NULL};

	(void)state;
	request_init(&r, BODY);
	assert_int_equal(signer_from_key(key, NULL, &ed, NULL), HR_OK);
	assert_int_equal(httpsig_sign(ed, WALLET, &r.msg, request_components, CREATED, 60, NULL,
				      &input, &signature, NULL),
			 HR_E_UNSUPPORTED);
	assert_int_equal(httpsig_sign(wallet_signer, "", &r.msg, request_components, CREATED, 60,
				      NULL, &input, &signature, NULL),
			 HR_E_INVALID);
	assert_int_equal(httpsig_sign(wallet_signer, "key\"id", &r.msg, request_components, CREATED,
				      60, "nonce\n", &input, &signature, NULL),
			 HR_E_INVALID);
	assert_int_equal(httpsig_sign(wallet_signer, WALLET, &r.msg, duplicated, CREATED, 60, NULL,
				      &input, &signature, NULL),
			 HR_E_INVALID);
	assert_int_equal(httpsig_sign(wallet_signer, WALLET, &r.msg, unknown, CREATED, 60, NULL,
				      &input, &signature, NULL),
			 HR_E_INVALID);
	assert_int_equal(httpsig_sign(wallet_signer, WALLET, &r.msg, absent, CREATED, 60, NULL,
				      &input, &signature, NULL),
			 HR_E_NOT_FOUND);
	assert_null(input);
	assert_null(signature);
	/* the longest keyid a verifier can report back */
	{
		char keyid[130];

		memset(keyid, 'k', sizeof(keyid));
		keyid[128] = 0;
		assert_int_equal(httpsig_sign(wallet_signer, keyid, &r.msg, request_components,
					      CREATED, 60, NULL, &input, &signature, NULL),
				 HR_E_INVALID);
		keyid[127] = 0;
		assert_int_equal(httpsig_sign(wallet_signer, keyid, &r.msg, request_components,
					      CREATED, 60, NULL, &input, &signature, NULL),
				 HR_OK);
		free(input);
		free(signature);
	}
	/* a keyid with a quote and a backslash is escaped (RFC 8941 §4.1.6) */
	{
		const char *components[] = {"@method", "content-digest", NULL};

		assert_int_equal(httpsig_sign(wallet_signer, "a\"b\\c", &r.msg, components, CREATED,
					      60, NULL, &input, &signature, NULL),
				 HR_OK);
		assert_non_null(strstr(input, "keyid=\"a\\\"b\\\\c\""));
		free(input);
		free(signature);
	}
	signer_free(ed);
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc9530_content_digest),
	    cmocka_unit_test(test_rfc9421_b21_minimal_rsa_pss),
	    cmocka_unit_test(test_rfc9421_b23_full_coverage_rsa_pss),
	    cmocka_unit_test(test_rfc9421_b24_response_ecdsa_p256),
	    cmocka_unit_test(test_rfc9421_b24_is_refused_by_the_profile),
	    cmocka_unit_test(test_rfc9421_b25_hmac_base),
	    cmocka_unit_test(test_rfc9421_b26_ed25519),
	    cmocka_unit_test(test_rfc9421_b3_tls_terminating_proxy),
	    cmocka_unit_test(test_rfc9421_b4_transformations),
	    cmocka_unit_test(test_rfc9421_section_2_4_request_response_binding),
	    cmocka_unit_test(test_rfc9421_b13_key_signs_in_our_profile),
	    cmocka_unit_test(test_request_round_trip),
	    cmocka_unit_test(test_response_round_trip_bound_to_its_request),
	    cmocka_unit_test(test_required_components_must_be_covered),
	    cmocka_unit_test(test_body_requires_a_covered_content_digest),
	    cmocka_unit_test(test_time_window),
	    cmocka_unit_test(test_lifetime_limits),
	    cmocka_unit_test(test_nonce_replay_is_per_key),
	    cmocka_unit_test(test_nonce_flood_by_one_member_refuses_only_that_member),
	    cmocka_unit_test(test_tampering_is_detected),
	    cmocka_unit_test(test_keys_come_from_the_directory),
	    cmocka_unit_test(test_profile_parameters_are_required),
	    cmocka_unit_test(test_malformed_signature_input_is_refused),
	    cmocka_unit_test(test_malformed_signature_is_refused),
	    cmocka_unit_test(test_request_and_response_components_stay_apart),
	    cmocka_unit_test(test_derived_component_values),
	    cmocka_unit_test(test_header_values_are_trimmed_joined_and_single_line),
	    cmocka_unit_test(test_sign_refuses_bad_arguments),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
