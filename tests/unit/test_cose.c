/*
 * test_cose.c — COSE_Sign1 (RFC 9052 §4.2) decoding, Sig_structure, signing and
 * verification (src/credential/cose.c, cose_crypto.c, signer.c).
 *
 * Published vectors first: the COSE Working Group's sign1 examples
 * (github.com/cose-wg/Examples, sign1-tests/), RFC 8392 Appendix A.3 (a signed
 * CWT, verified with the A.2.3 key, decoding to the A.1 claims) and one real EU
 * DCC from the interoperability vectors (common/2DCode/raw/CO18.json), all
 * embedded below so the test needs neither the network nor ../shared.
 * Then the header rules (protected wins, crit), every malformed shape, the raw
 * r||s <-> DER conversions, and sign -> verify round trips for every algorithm
 * with keys made here, each tampered byte by byte.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "core/base64.h"
#include "core/buf.h"
#include "credential/cbor.h"
#include "credential/cose.h"
#include "credential/cose_crypto.h"
#include "credential/cwt.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"

/* --- helpers --------------------------------------------------------------------- */

static size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int high = -1;

	for (; *hex; hex++) {
		int v;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else if (*hex >= 'A' && *hex <= 'F')
			v = *hex - 'A' + 10;
		else
			continue; /* spaces and line breaks in the constants */
		if (high < 0) {
			high = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(high << 4 | v);
		high = -1;
	}
	assert_int_equal(high, -1);
	return n;
}

static size_t b64url_decode(const char *text, uint8_t *out, size_t cap)
{
	struct buf b;
	size_t n;

	buf_init(&b, cap);
	assert_int_equal(base64_decode(text, strlen(text), BASE64_URL, &b), HR_OK);
	n = b.len;
	memcpy(out, b.data, n);
	buf_clear(&b);
	return n;
}

/* A P-256 key from its coordinates (and private scalar d, or NULL). */
static EVP_PKEY *p256_key(const uint8_t x[32], const uint8_t y[32], const uint8_t *d)
{
	uint8_t pub[65];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key = NULL;
	BIGNUM *priv = NULL;

	pub[0] = 0x04;
	memcpy(pub + 1, x, 32);
	memcpy(pub + 33, y, 32);
	assert_non_null(bld);
	assert_true(
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0));
	assert_true(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 65));
	if (d != NULL) {
		priv = BN_bin2bn(d, 32, NULL);
		assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv));
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	assert_non_null(params);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(
	    EVP_PKEY_fromdata(ctx, &key, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params), 1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(priv);
	return key;
}

static EVP_PKEY *jwk_p256_key(const char *x, const char *y, const char *d)
{
	uint8_t xb[32], yb[32], db[32];

	assert_int_equal(b64url_decode(x, xb, sizeof(xb)), 32);
	assert_int_equal(b64url_decode(y, yb, sizeof(yb)), 32);
	if (d != NULL)
		assert_int_equal(b64url_decode(d, db, sizeof(db)), 32);
	return p256_key(xb, yb, d ? db : NULL);
}

static EVP_PKEY *generate(const char *type, const char *curve, size_t rsa_bits)
{
	EVP_PKEY *key;

	if (strcmp(type, "RSA") == 0)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", rsa_bits);
	else if (curve != NULL)
		key = EVP_PKEY_Q_keygen(NULL, NULL, type, curve);
	else
		key = EVP_PKEY_Q_keygen(NULL, NULL, type);
	return key;
}

/* A self-signed certificate for key (any kind), so a signer has a kid. */
static struct signer_cert *self_signed(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	struct signer_cert *cert = NULL;
	unsigned char *der = NULL;
	int n;
	int base = EVP_PKEY_get_base_id(key);

	assert_non_null(x);
	assert_non_null(name);
	assert_true(X509_set_version(x, 2));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 7));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	assert_true(X509_set_pubkey(x, key));
	assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					       (const unsigned char *)"test_cose", -1, -1, 0));
	assert_true(X509_set_subject_name(x, name));
	assert_true(X509_set_issuer_name(x, name));
	assert_true(X509_sign(x, key, base == EVP_PKEY_ED25519 ? NULL : EVP_sha256()) > 0);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	assert_int_equal(signer_cert_from_der(der, (size_t)n, &cert, NULL), HR_OK);
	OPENSSL_free(der);
	X509_free(x);
	X509_NAME_free(name);
	return cert;
}

static void flip(uint8_t *data, size_t at)
{
	data[at] ^= 0x01;
}

/* Builds 18([protected, unprotected (encoded map), payload, signature]). */
static void put_sign1(struct buf *out, const uint8_t *prot, size_t prot_len, const uint8_t *unprot,
		      size_t unprot_len, const uint8_t *payload, size_t payload_len,
		      const uint8_t *sig, size_t sig_len)
{
	cbor_put_tag(out, COSE_TAG_SIGN1);
	cbor_put_array(out, 4);
	cbor_put_bytes(out, prot, prot_len);
	buf_append(out, unprot, unprot_len);
	cbor_put_bytes(out, payload, payload_len);
	cbor_put_bytes(out, sig, sig_len);
	assert_int_equal(out->error, HR_OK);
}

/* Signs [prot, unprot, payload] with key under alg, as a signer never would
 * (any headers the test wants), appending the tagged message to out. */
static void sign_by_hand(EVP_PKEY *key, int64_t alg_id, const uint8_t *prot, size_t prot_len,
			 const uint8_t *unprot, size_t unprot_len, const uint8_t *payload,
			 size_t payload_len, struct buf *out)
{
	const struct cose_alg *alg = cose_alg_find(alg_id);
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	struct buf tbs;

	assert_non_null(alg);
	buf_init(&tbs, 1 << 20);
	assert_int_equal(cose_sign1_to_be_signed(slice_make(prot, prot_len),
						 slice_make(payload, payload_len), &tbs),
			 HR_OK);
	assert_int_equal(cose_crypto_sign(alg, key, tbs.data, tbs.len, sig, &sig_len, NULL), HR_OK);
	put_sign1(out, prot, prot_len, unprot, unprot_len, payload, payload_len, sig, sig_len);
	buf_clear(&tbs);
}

static hr_status verify_with(const uint8_t *msg, size_t len, EVP_PKEY *key, struct hr_error *err)
{
	struct cose_sign1 m;
	struct buf scratch;
	hr_status rc;

	rc = cose_sign1_decode(msg, len, &m, err);
	if (rc != HR_OK)
		return rc;
	buf_init(&scratch, 1 << 20);
	rc = cose_sign1_verify(&m, key, key_kind_of(key), &scratch, err);
	buf_clear(&scratch);
	return rc;
}

static void assert_decode_refused(const uint8_t *msg, size_t len, const char *why)
{
	struct cose_sign1 m;
	struct hr_error err = {0};

	if (cose_sign1_decode(msg, len, &m, &err) != HR_E_INVALID) {
		print_error("decoded a message that should be refused (%s)\n", why ? why : "-");
		fail();
	}
	assert_string_equal(err.stage, "cose");
	if (why != NULL && strstr(err.message, why) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err.message, why);
		fail();
	}
}

/* --- cose-wg/Examples sign1-tests ----------------------------------------------- */

/* The key of every sign1 example (kid "11"), a JWK. */
#define WG_X "usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8"
#define WG_Y "IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4"
#define WG_D "V8kgd2ZBRuh2dgyVINBUqpPDr7BOMGcF22CQMIUHtNM"

#define WG_PAYLOAD "This is the content."

/* sign-pass-01 "Redo protected": protected h'A0', alg and kid unprotected */
static const char wg_pass_01[] =
    "D28441A0A201260442313154546869732069732074686520636F6E74656E742E5840EAE868ECC176883766C5DC"
    "5BA5B8DCA25DAB3C2E56A551CE5705B793914348E11A02E5F0344BF2D4EE5C7FD75A68A9F5E0B3CC1F1FC1409C"
    "189566586FF9D610";
static const char wg_pass_01_tbs[] =
    "846A5369676E617475726531404054546869732069732074686520636F6E74656E742E";

/* sign-pass-02 "External": signed with external_aad 11aa22bb33cc44dd55006699 */
static const char wg_pass_02[] =
    "D28443A10126A10442313154546869732069732074686520636F6E74656E742E5840EAE868ECC176883766C5DC"
    "5BA5B8DCA25DAB3C2E56A551CE5705B793914348E155388B10C4F1B59A6733EAB416870A945111A4B2FBDBEF33"
    "A77234B1DEFF2F9B";
static const char wg_pass_02_tbs[] = "846A5369676E61747572653143A101264C11AA22BB33CC44DD55006699"
				     "54546869732069732074686520636F6E74656E742E";

/* sign-pass-03 "Remove CBOR Tag": the untagged array */
static const char wg_pass_03[] =
    "8443A10126A10442313154546869732069732074686520636F6E74656E742E5840EAE868ECC176883766C5DC5B"
    "A5B8DCA25DAB3C2E56A551CE5705B793914348E19F43D6C6BA654472DA301B645B293C9BA939295B97C4BDB847"
    "782BFF384C5794";
static const char wg_pass_03_tbs[] =
    "846A5369676E61747572653143A101264054546869732069732074686520636F6E74656E742E";

/* sign-fail-01 "Wrong CBOR Tag": 998(...) */
static const char wg_fail_01[] =
    "D903E68443A10126A10442313154546869732069732074686520636F6E74656E742E5840EAE868ECC176883766"
    "C5DC5BA5B8DCA25DAB3C2E56A551CE5705B793914348E19F43D6C6BA654472DA301B645B293C9BA939295B97C4"
    "BDB847782BFF384C5794";
/* sign-fail-02 "Change signature": the payload's last byte changed */
static const char wg_fail_02[] =
    "D28443A10126A10442313154546869732069732074686520636F6E74656E742F5840EAE868ECC176883766C5DC"
    "5BA5B8DCA25DAB3C2E56A551CE5705B793914348E19F43D6C6BA654472DA301B645B293C9BA939295B97C4BDB8"
    "47782BFF384C5794";
/* sign-fail-03 "Change Sign Algorithm": alg -999 */
static const char wg_fail_03[] =
    "D28445A1013903E6A10442313154546869732069732074686520636F6E74656E742E5840EAE868ECC176883766"
    "C5DC5BA5B8DCA25DAB3C2E56A551CE5705B793914348E19F43D6C6BA654472DA301B645B293C9BA939295B97C4"
    "BDB847782BFF384C5794";
/* sign-fail-04 "Change Sign Algorithm": alg "unknown" (text) */
static const char wg_fail_04[] =
    "D2844AA10167756E6B6E6F776EA10442313154546869732069732074686520636F6E74656E742E5840EAE868EC"
    "C176883766C5DC5BA5B8DCA25DAB3C2E56A551CE5705B793914348E19F43D6C6BA654472DA301B645B293C9BA9"
    "39295B97C4BDB847782BFF384C5794";
/* sign-fail-06 "Add protected attribute": {1: -7, 3: 0} */
static const char wg_fail_06[] =
    "D28445A201260300A10442313154546869732069732074686520636F6E74656E742E5840EAE868ECC176883766"
    "C5DC5BA5B8DCA25DAB3C2E56A551CE5705B793914348E19F43D6C6BA654472DA301B645B293C9BA939295B97C4"
    "BDB847782BFF384C5794";
/* sign-fail-07 "Remove protected attribute": signed with {1: -7, 3: 0}, sent with {1: -7} */
static const char wg_fail_07[] =
    "D28443A10126A10442313154546869732069732074686520636F6E74656E742E5840EAE868ECC176883766C5DC"
    "5BA5B8DCA25DAB3C2E56A551CE5705B793914348E172727F48461FABBBA2E343492DDECAC3983686250BC68E9F"
    "1A7A07D41225B59F";

static EVP_PKEY *wg_key;

static int setup_keys(void **state)
{
	(void)state;
	wg_key = jwk_p256_key(WG_X, WG_Y, NULL);
	return wg_key ? 0 : -1;
}

static int teardown_keys(void **state)
{
	(void)state;
	EVP_PKEY_free(wg_key);
	return 0;
}

static void assert_tbs(const struct cose_sign1 *m, const char *expected_hex)
{
	uint8_t expected[512];
	size_t n = hex_decode(expected_hex, expected, sizeof(expected));
	struct buf tbs;

	buf_init(&tbs, 4096);
	assert_int_equal(cose_sign1_to_be_signed(m->protected_header, m->payload, &tbs), HR_OK);
	assert_int_equal(tbs.len, n);
	assert_memory_equal(tbs.data, expected, n);
	buf_clear(&tbs);
}

static void test_cose_wg_sign_pass_01_alg_only_in_unprotected_verifies(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(wg_pass_01, msg, sizeof(msg));
	struct cose_sign1 m;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(cose_sign1_decode(msg, len, &m, &err), HR_OK);
	/* h'A0': the protected bucket is an encoded empty map, which is not the empty
	 * bstr and is signed as it is */
	assert_int_equal(m.protected_header.len, 1);
	assert_int_equal(m.protected_header.ptr[0], 0xa0);
	assert_true(m.has_alg);
	assert_int_equal(m.alg, COSE_ALG_ES256);
	assert_true(m.has_kid);
	assert_false(m.kid_in_protected);
	assert_int_equal(m.kid.len, 2);
	assert_memory_equal(m.kid.ptr, "11", 2);
	assert_int_equal(m.payload.len, strlen(WG_PAYLOAD));
	assert_memory_equal(m.payload.ptr, WG_PAYLOAD, m.payload.len);
	assert_int_equal(m.signature.len, 64);
	assert_tbs(&m, wg_pass_01_tbs);
	assert_int_equal(verify_with(msg, len, wg_key, &err), HR_OK);
}

static void test_cose_wg_sign_pass_02_signature_covers_external_aad(void **state)
{
	uint8_t msg[256], expected[256], aad[12];
	size_t len = hex_decode(wg_pass_02, msg, sizeof(msg)), n;
	struct cose_sign1 m;
	struct hr_error err = {0};
	struct buf tbs;

	(void)state;
	assert_int_equal(cose_sign1_decode(msg, len, &m, &err), HR_OK);
	assert_int_equal(m.alg, COSE_ALG_ES256);
	assert_true(m.has_kid);
	assert_false(m.kid_in_protected);
	/* credentials carry no external data: under h'' the signature cannot verify */
	assert_int_equal(verify_with(msg, len, wg_key, &err), HR_E_SIGNATURE);
	assert_string_equal(err.stage, "signature");
	/* with the example's external_aad in the Sig_structure (RFC 9052 §4.4) the
	 * published signature verifies under our crypto layer */
	hex_decode("11aa22bb33cc44dd55006699", aad, sizeof(aad));
	buf_init(&tbs, 4096);
	cbor_put_array(&tbs, 4);
	cbor_put_cstr(&tbs, "Signature1");
	cbor_put_bytes(&tbs, m.protected_header.ptr, m.protected_header.len);
	cbor_put_bytes(&tbs, aad, sizeof(aad));
	cbor_put_bytes(&tbs, m.payload.ptr, m.payload.len);
	n = hex_decode(wg_pass_02_tbs, expected, sizeof(expected));
	assert_int_equal(tbs.len, n);
	assert_memory_equal(tbs.data, expected, n);
	assert_int_equal(cose_crypto_verify(cose_alg_find(COSE_ALG_ES256), wg_key, KEY_KIND_P256,
					    tbs.data, tbs.len, m.signature.ptr, m.signature.len,
					    &err),
			 HR_OK);
	buf_clear(&tbs);
}

static void test_cose_wg_sign_pass_03_untagged_message_verifies(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(wg_pass_03, msg, sizeof(msg));
	struct cose_sign1 m;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(msg[0], 0x84);
	assert_int_equal(cose_sign1_decode(msg, len, &m, &err), HR_OK);
	assert_int_equal(m.alg, COSE_ALG_ES256);
	assert_int_equal(m.protected_header.len, 3);
	assert_tbs(&m, wg_pass_03_tbs);
	assert_int_equal(verify_with(msg, len, wg_key, &err), HR_OK);
}

static void test_cose_wg_sign_fail_01_wrong_tag_is_refused(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(wg_fail_01, msg, sizeof(msg));

	(void)state;
	assert_decode_refused(msg, len, "998");
}

static void test_cose_wg_sign_fail_02_changed_payload_fails_signature(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(wg_fail_02, msg, sizeof(msg));
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(verify_with(msg, len, wg_key, &err), HR_E_SIGNATURE);
	assert_string_equal(err.stage, "signature");
}

static void test_cose_wg_sign_fail_03_unknown_alg_is_unsupported(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(wg_fail_03, msg, sizeof(msg));
	struct cose_sign1 m;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(cose_sign1_decode(msg, len, &m, &err), HR_OK);
	assert_int_equal(m.alg, -999);
	assert_int_equal(verify_with(msg, len, wg_key, &err), HR_E_UNSUPPORTED);
	assert_non_null(strstr(err.message, "-999"));
}

static void test_cose_wg_sign_fail_04_text_alg_is_refused(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(wg_fail_04, msg, sizeof(msg));

	(void)state;
	assert_decode_refused(msg, len, "alg");
}

static void test_cose_wg_sign_fail_06_added_protected_attribute_fails_signature(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(wg_fail_06, msg, sizeof(msg));
	struct cose_sign1 m;
	struct hr_error err = {0};

	(void)state;
	/* content type (3) is skipped, not interpreted, and is covered by the signature */
	assert_int_equal(cose_sign1_decode(msg, len, &m, &err), HR_OK);
	assert_int_equal(verify_with(msg, len, wg_key, &err), HR_E_SIGNATURE);
}

static void test_cose_wg_sign_fail_07_removed_protected_attribute_fails_signature(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(wg_fail_07, msg, sizeof(msg));
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(verify_with(msg, len, wg_key, &err), HR_E_SIGNATURE);
}

static void test_cose_wg_private_key_signs_what_public_key_verifies(void **state)
{
	EVP_PKEY *key = jwk_p256_key(WG_X, WG_Y, WG_D);
	uint8_t prot[] = {0xa1, 0x01, 0x26}, unprot[] = {0xa1, 0x04, 0x42, '1', '1'};
	struct hr_error err = {0};
	struct buf msg;

	(void)state;
	assert_int_equal(key_kind_of(key), KEY_KIND_P256);
	buf_init(&msg, 4096);
	sign_by_hand(key, COSE_ALG_ES256, prot, sizeof(prot), unprot, sizeof(unprot),
		     (const uint8_t *)WG_PAYLOAD, strlen(WG_PAYLOAD), &msg);
	assert_int_equal(verify_with(msg.data, msg.len, wg_key, &err), HR_OK);
	buf_clear(&msg);
	EVP_PKEY_free(key);
}

/* --- RFC 8392 Appendix A ----------------------------------------------------------- */

/* A.2.3: ECDSA P-256 key (COSE_Key, d / y / x / kty / kid / alg / crv) */
static const char rfc8392_key[] =
    "a72358206c1382765aec5358f117733d281c1c7bdc39884d04a45a1e6c67c858bc206c1922582060f7f1a780d8"
    "a783bfb7a2dd6b2796e8128dbbcef9d3d168db9529971a36e7b9215820143329cce7868e416927599cf65a34f3"
    "ce2ffda55a7eca69ed8919a394d42f0f2001010202524173796d6d657472696345434453413235360326";
/* A.3: the A.1 claims signed with ES256 */
static const char rfc8392_signed_cwt[] =
    "d28443a10126a104524173796d6d657472696345434453413235365850a70175636f61703a2f2f61732e657861"
    "6d706c652e636f6d02656572696b77037818636f61703a2f2f6c696768742e6578616d706c652e636f6d041a56"
    "12aeb0051a5610d9f0061a5610d9f007420b7158405427c1ff28d23fbad1f29c4c7c6a555e601d6fa29f9179bc"
    "3d7438bacaca5acd08c8d4d4f96131680c429a01f85951ecee743a52b9b63632c57209120e1c9e30";
/* A.1: the claims */
static const char rfc8392_claims[] =
    "a70175636f61703a2f2f61732e6578616d706c652e636f6d02656572696b77037818636f61703a2f2f6c696768"
    "742e6578616d706c652e636f6d041a5612aeb0051a5610d9f0061a5610d9f007420b71";
/* A.4: a MACed CWT, 61(17(...)) */
static const char rfc8392_maced_cwt[] =
    "d83dd18443a10104a1044c53796d6d65747269633235365850a70175636f61703a2f2f61732e6578616d706c65"
    "2e636f6d02656572696b77037818636f61703a2f2f6c696768742e6578616d706c652e636f6d041a5612aeb005"
    "1a5610d9f0061a5610d9f007420b7148093101ef6d789200";

/* The public key of A.2.3, read from its COSE_Key encoding with our decoder. */
static EVP_PKEY *rfc8392_public_key(void)
{
	uint8_t key[256], x[32] = {0}, y[32] = {0};
	size_t len = hex_decode(rfc8392_key, key, sizeof(key));
	struct cbor_decoder d;
	struct cbor_item map, k, v;
	int64_t label, kty = 0, crv = 0;
	int found = 0;

	cbor_decoder_init(&d, key, len, NULL);
	assert_int_equal(cbor_next(&d, &map), HR_OK);
	assert_int_equal(map.type, CBOR_MAP);
	for (uint64_t i = 0; i < map.value; i++) {
		assert_int_equal(cbor_next(&d, &k), HR_OK);
		assert_int_equal(cbor_next(&d, &v), HR_OK);
		assert_int_equal(cbor_item_int64(&k, &label), HR_OK);
		if (label == 1)
			assert_int_equal(cbor_item_int64(&v, &kty), HR_OK);
		else if (label == -1)
			assert_int_equal(cbor_item_int64(&v, &crv), HR_OK);
		else if (label == -2 || label == -3) {
			assert_int_equal(v.bytes.len, 32);
			memcpy(label == -2 ? x : y, v.bytes.ptr, 32);
			found++;
		} else
			assert_int_equal(cbor_skip(&d, &v), HR_OK);
	}
	assert_int_equal(cbor_decoder_finish(&d), HR_OK);
	assert_int_equal(kty, 2); /* EC2 */
	assert_int_equal(crv, 1); /* P-256 */
	assert_int_equal(found, 2);
	return p256_key(x, y, NULL);
}

static void test_rfc8392_a3_signed_cwt_verifies_and_decodes_to_a1_claims(void **state)
{
	uint8_t msg[256], claims[128];
	size_t len = hex_decode(rfc8392_signed_cwt, msg, sizeof(msg));
	size_t claims_len = hex_decode(rfc8392_claims, claims, sizeof(claims));
	EVP_PKEY *key = rfc8392_public_key();
	struct cose_sign1 m;
	struct cwt_claims c;
	struct hr_error err = {0};
	json_t *json, *expected;

	(void)state;
	assert_int_equal(cose_sign1_decode(msg, len, &m, &err), HR_OK);
	assert_int_equal(m.alg, COSE_ALG_ES256);
	assert_false(m.kid_in_protected);
	assert_int_equal(m.kid.len, strlen("AsymmetricECDSA256"));
	assert_memory_equal(m.kid.ptr, "AsymmetricECDSA256", m.kid.len);
	assert_int_equal(m.payload.len, claims_len);
	assert_memory_equal(m.payload.ptr, claims, claims_len);
	assert_int_equal(verify_with(msg, len, key, &err), HR_OK);

	assert_int_equal(cwt_decode(m.payload, &c, &err), HR_OK);
	assert_true(c.has_iss && c.has_iat && c.has_exp && c.has_nbf);
	assert_int_equal(c.iss.len, strlen("coap://as.example.com"));
	assert_memory_equal(c.iss.ptr, "coap://as.example.com", c.iss.len);
	assert_int_equal(c.exp.seconds, 1444064944);
	assert_int_equal(c.nbf.seconds, 1443944944);
	assert_int_equal(c.iat.seconds, 1443944944);
	assert_false(c.has_hcert || c.has_document || c.has_cnf);

	assert_int_equal(cwt_claims_to_json(m.payload, &json, &err), HR_OK);
	expected = json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:s}", "iss", "coap://as.example.com", "sub",
			     "erikw", "aud", "coap://light.example.com", "exp", 1444064944, "nbf",
			     1443944944, "iat", 1443944944, "cti", "C3E" /* h'0b71' base64url */);
	assert_true(json_equal(json, expected));
	json_decref(json);
	json_decref(expected);
	EVP_PKEY_free(key);
}

static void test_rfc8392_a3_inside_cwt_tag_61_verifies(void **state)
{
	uint8_t msg[256];
	size_t len;
	EVP_PKEY *key = rfc8392_public_key();
	struct hr_error err = {0};

	(void)state;
	/* RFC 8392 §6: 61(18([...])) */
	msg[0] = 0xd8;
	msg[1] = 0x3d;
	len = 2 + hex_decode(rfc8392_signed_cwt, msg + 2, sizeof(msg) - 2);
	assert_int_equal(verify_with(msg, len, key, &err), HR_OK);
	EVP_PKEY_free(key);
}

static void test_rfc8392_a4_maced_cwt_is_refused(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(rfc8392_maced_cwt, msg, sizeof(msg));

	(void)state;
	/* 61(17(...)): a COSE_Mac0 is not a COSE_Sign1 */
	assert_decode_refused(msg, len, "COSE_Sign1");
}

/* --- an EU DCC from the interoperability vectors -------------------------------- */

/* dgc-testdata common/2DCode/raw/CO18.json: COSE and TESTCTX.CERTIFICATE */
static const char co18_cose[] =
    "d2844da20448c361dd4de641ee020126a0590154a4041a6092dd20061a60903a2001624154390103a101a46174"
    "81a962736374323032312d30322d32305431323a33343a35365a627474684c50363436342d34626e6d76526f63"
    "6865204c696768744379636c657220715043526274637754657374696e672063656e746572205669656e6e6120"
    "3162636f624154626369783155524e3a555643493a30313a41543a423539323141333544364130443639363432"
    "31423345323436323137383239372349626973781b4d696e6973747279206f66204865616c74682c2041757374"
    "7269616274676938343035333930303662747269323630343135303030636e616da463666e74754d5553544552"
    "465241553c474f455353494e47455262666e754d7573746572667261752d47c3b6c39f696e67657263676e7468"
    "4741425249454c4562676e684761627269656c656376657265312e322e3163646f626a313939382d30322d3236"
    "58400cbbfee87580bfffa98b92f7926797bccf5fd68de1132f2abe1e552fcd13015905c9b0d9041f1fe84df841"
    "a838f048f74cd5e77d36de96bd9d0e59daa312b873";
static const char co18_certificate[] =
    "MIIBWTCCAQCgAwIBAgIFALCnDKgwCgYIKoZIzj0EAwIwEDEOMAwGA1UEAwwFRUMtTWUwHhcNMjEwNTAzMTgwMDAwWhcN"
    "MjEwNjAyMTgwMDAwWjAQMQ4wDAYDVQQDDAVFQy1NZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABA/mcstItjkz7CEW"
    "fHLd6Jyve68btOX1aM/VoTnhQ1LZgLA60kX//JT9kpFwkhy+ByV8OH9dP3eXgg2lY2BRKJqjRzBFMA4GA1UdDwEB/wQE"
    "AwIFoDAzBgNVHSUELDAqBgwrBgEEAQCON49lAQEGDCsGAQQBAI43j2UBAgYMKwYBBAEAjjePZQEDMAoGCCqGSM49BAMC"
    "A0cAMEQCICUo7kbaRy3YJARmU8rjxPszsei92Ol6jj6QmBO4ZLcmAiBWC9rqOlxbr5przBYQ3d4Sec3P5OVJe6Fivaqq"
    "0RzOFw==";

static hr_status keep_one(void *ctx, struct signer_cert *cert, struct hr_error *err)
{
	struct signer_cert **slot = ctx;

	(void)err;
	assert_null(*slot);
	*slot = cert;
	return HR_OK;
}

static void test_eu_dcc_vector_co18_verifies_with_its_certificate(void **state)
{
	uint8_t msg[512], kid[8];
	size_t len = hex_decode(co18_cose, msg, sizeof(msg));
	struct signer_cert *cert = NULL;
	struct cose_sign1 m;
	struct hr_error err = {0};
	struct buf scratch;

	(void)state;
	assert_int_equal(signer_cert_parse_all(co18_certificate, strlen(co18_certificate), keep_one,
					       &cert, &err),
			 HR_OK);
	assert_int_equal(cose_sign1_decode(msg, len, &m, &err), HR_OK);
	hex_decode("c361dd4de641ee02", kid, sizeof(kid));
	assert_true(m.kid_in_protected);
	assert_int_equal(m.kid.len, 8);
	assert_memory_equal(m.kid.ptr, kid, 8);
	assert_memory_equal(cert->kid, kid, 8);
	buf_init(&scratch, 4096);
	assert_int_equal(cose_sign1_verify(&m, cert->key, cert->kind, &scratch, &err), HR_OK);
	/* the same bytes with the signature's last byte changed do not */
	flip(msg, len - 1);
	assert_int_equal(cose_sign1_decode(msg, len, &m, &err), HR_OK);
	assert_int_equal(cose_sign1_verify(&m, cert->key, cert->kind, &scratch, &err),
			 HR_E_SIGNATURE);
	buf_clear(&scratch);
	signer_cert_free(cert);
}

/* --- header rules ------------------------------------------------------------------ */

static const uint8_t small_payload[] = {0xa1, 0x01, 0x62, 'U', 'A'}; /* {1: "UA"} */
static const uint8_t sig64[64] = {1};
static const uint8_t zeros[512];

static void decode_built(const uint8_t *prot, size_t prot_len, const uint8_t *unprot,
			 size_t unprot_len, struct buf *msg, struct cose_sign1 *m)
{
	struct hr_error err = {0};

	buf_reset(msg);
	put_sign1(msg, prot, prot_len, unprot, unprot_len, small_payload, sizeof(small_payload),
		  sig64, sizeof(sig64));
	if (cose_sign1_decode(msg->data, msg->len, m, &err) != HR_OK) {
		print_error("refused: %s\n", err.message);
		fail();
	}
}

static void refuse_built(const uint8_t *prot, size_t prot_len, const uint8_t *unprot,
			 size_t unprot_len, const char *why)
{
	struct buf msg;

	buf_init(&msg, 4096);
	put_sign1(&msg, prot, prot_len, unprot, unprot_len, small_payload, sizeof(small_payload),
		  sig64, sizeof(sig64));
	assert_decode_refused(msg.data, msg.len, why);
	buf_clear(&msg);
}

static void test_protected_kid_wins_over_unprotected(void **state)
{
	/* protected {1: -7, 4: h'0102'}, unprotected {4: h'0304'} */
	const uint8_t prot[] = {0xa2, 0x01, 0x26, 0x04, 0x42, 0x01, 0x02};
	const uint8_t unprot[] = {0xa1, 0x04, 0x42, 0x03, 0x04};
	struct cose_sign1 m;
	struct buf msg;

	(void)state;
	buf_init(&msg, 4096);
	decode_built(prot, sizeof(prot), unprot, sizeof(unprot), &msg, &m);
	assert_true(m.has_kid);
	assert_true(m.kid_in_protected);
	assert_int_equal(m.kid.len, 2);
	assert_memory_equal(m.kid.ptr, "\x01\x02", 2);
	buf_clear(&msg);
}

static void test_wrong_protected_kid_is_not_rescued_by_unprotected(void **state)
{
	EVP_PKEY *key = generate("EC", "P-256", 0);
	struct signer_cert *cert = self_signed(key);
	uint8_t prot[16] = {0xa2, 0x01, 0x26, 0x04, 0x48}, unprot[16] = {0xa1, 0x04, 0x48};
	struct hr_error err = {0};
	struct cose_sign1 m;
	struct buf msg;

	(void)state;
	/* protected kid: the right one with its last byte changed; unprotected: right */
	memcpy(prot + 5, cert->kid, 8);
	prot[12] ^= 0xff;
	memcpy(unprot + 3, cert->kid, 8);
	buf_init(&msg, 4096);
	sign_by_hand(key, COSE_ALG_ES256, prot, 13, unprot, 11, small_payload,
		     sizeof(small_payload), &msg);
	assert_int_equal(cose_sign1_decode(msg.data, msg.len, &m, &err), HR_OK);
	assert_true(m.kid_in_protected);
	assert_memory_not_equal(m.kid.ptr, cert->kid, 8);
	assert_memory_equal(m.kid.ptr, prot + 5, 8);
	buf_clear(&msg);
	signer_cert_free(cert);
	EVP_PKEY_free(key);
}

static void test_protected_alg_wins_over_unprotected(void **state)
{
	const uint8_t prot[] = {0xa1, 0x01, 0x26};   /* ES256 */
	const uint8_t unprot[] = {0xa1, 0x01, 0x27}; /* EdDSA */
	struct cose_sign1 m;
	struct buf msg;

	(void)state;
	buf_init(&msg, 4096);
	decode_built(prot, sizeof(prot), unprot, sizeof(unprot), &msg, &m);
	assert_int_equal(m.alg, COSE_ALG_ES256);
	buf_clear(&msg);
}

static void test_unprotected_fills_what_protected_lacks(void **state)
{
	const uint8_t unprot[] = {0xa2, 0x01, 0x26, 0x04, 0x41, 0x09};
	struct cose_sign1 m;
	struct buf msg;

	(void)state;
	buf_init(&msg, 4096);
	/* an empty bstr stands for an empty protected map (RFC 9052 §3) */
	decode_built(NULL, 0, unprot, sizeof(unprot), &msg, &m);
	assert_int_equal(m.protected_header.len, 0);
	assert_true(m.has_alg);
	assert_int_equal(m.alg, COSE_ALG_ES256);
	assert_true(m.has_kid);
	assert_false(m.kid_in_protected);
	assert_int_equal(m.kid.ptr[0], 0x09);
	buf_clear(&msg);
}

static void test_missing_alg_fails_verification(void **state)
{
	const uint8_t unprot[] = {0xa0};
	struct cose_sign1 m;
	struct hr_error err = {0};
	struct buf msg, scratch;

	(void)state;
	buf_init(&msg, 4096);
	buf_init(&scratch, 4096);
	decode_built(NULL, 0, unprot, sizeof(unprot), &msg, &m);
	assert_false(m.has_alg);
	assert_false(m.has_kid);
	assert_int_equal(cose_sign1_verify(&m, wg_key, KEY_KIND_P256, &scratch, &err),
			 HR_E_INVALID);
	assert_string_equal(err.stage, "signature");
	buf_clear(&msg);
	buf_clear(&scratch);
}

static void test_refuses_alg_or_kid_twice_in_one_bucket(void **state)
{
	const uint8_t two_algs[] = {0xa2, 0x01, 0x26, 0x01, 0x26};
	const uint8_t two_kids[] = {0xa2, 0x04, 0x41, 0x01, 0x04, 0x41, 0x02};
	const uint8_t empty[] = {0xa0};

	(void)state;
	refuse_built(two_algs, sizeof(two_algs), empty, 1, "alg appears twice");
	refuse_built(NULL, 0, two_algs, sizeof(two_algs), "alg appears twice");
	refuse_built(two_kids, sizeof(two_kids), empty, 1, "kid appears twice");
	refuse_built(NULL, 0, two_kids, sizeof(two_kids), "kid appears twice");
}

static void test_refuses_alg_and_kid_of_the_wrong_type(void **state)
{
	const uint8_t text_alg[] = {0xa1, 0x01, 0x65, 'E', 'S', '2', '5', '6'};
	const uint8_t big_alg[] = {0xa1, 0x01, 0x1b, 0x80, 0, 0, 0, 0, 0, 0, 0}; /* 2^63 */
	const uint8_t int_kid[] = {0xa1, 0x04, 0x01};
	const uint8_t indefinite_kid[] = {0xa1, 0x04, 0x5f, 0x41, 0x01, 0xff};
	const uint8_t empty[] = {0xa0};

	(void)state;
	refuse_built(text_alg, sizeof(text_alg), empty, 1, "alg");
	refuse_built(big_alg, sizeof(big_alg), empty, 1, "alg");
	refuse_built(int_kid, sizeof(int_kid), empty, 1, "kid is neither a byte nor a text string");
	refuse_built(NULL, 0, indefinite_kid, sizeof(indefinite_kid),
		     "kid is neither a byte nor a text string");
}

/* a text kid (as Croatia's test signer wrote it) is read as its bytes */
static void test_text_kid_is_read_as_its_bytes(void **state)
{
	const uint8_t prot[] = {0xa2, 0x01, 0x26, 0x04, 0x62, 'k', '1'};
	const uint8_t empty[] = {0xa0};
	struct cose_sign1 m;
	struct buf msg;

	(void)state;
	buf_init(&msg, 4096);
	decode_built(prot, sizeof(prot), empty, 1, &msg, &m);
	assert_true(m.has_kid);
	assert_int_equal(m.kid.len, 2);
	assert_memory_equal(m.kid.ptr, "k1", 2);
	buf_clear(&msg);
}

static void test_crit_naming_alg_or_kid_is_accepted(void **state)
{
	/* {1: -7, 2: [1, 4], 4: h'01'} */
	const uint8_t prot[] = {0xa3, 0x01, 0x26, 0x02, 0x82, 0x01, 0x04, 0x04, 0x41, 0x01};
	const uint8_t empty[] = {0xa0};
	struct cose_sign1 m;
	struct buf msg;

	(void)state;
	buf_init(&msg, 4096);
	decode_built(prot, sizeof(prot), empty, 1, &msg, &m);
	assert_int_equal(m.alg, COSE_ALG_ES256);
	assert_true(m.kid_in_protected);
	buf_clear(&msg);
}

static void test_refuses_crit_with_unknown_label(void **state)
{
	/* {1: -7, 2: [3], 3: 0}: content type is something we do not understand */
	const uint8_t unknown[] = {0xa3, 0x01, 0x26, 0x02, 0x81, 0x03, 0x03, 0x00};
	/* a private-use label */
	const uint8_t private_label[] = {0xa2, 0x01, 0x26, 0x02, 0x81,
					 0x3a, 0x00, 0x01, 0x00, 0x00};
	/* a text label */
	const uint8_t text_label[] = {0xa2, 0x01, 0x26, 0x02, 0x81, 0x61, 'x'};
	/* known and unknown together */
	const uint8_t mixed[] = {0xa2, 0x01, 0x26, 0x02, 0x82, 0x01, 0x18, 0x21};
	const uint8_t empty_crit[] = {0xa2, 0x01, 0x26, 0x02, 0x80};
	const uint8_t crit_not_array[] = {0xa2, 0x01, 0x26, 0x02, 0x01};
	const uint8_t unprotected_crit[] = {0xa1, 0x02, 0x81, 0x01};
	const uint8_t alg_only[] = {0xa1, 0x01, 0x26};
	const uint8_t empty[] = {0xa0};

	(void)state;
	refuse_built(unknown, sizeof(unknown), empty, 1, "critical");
	refuse_built(private_label, sizeof(private_label), empty, 1, "critical");
	refuse_built(text_label, sizeof(text_label), empty, 1, "critical");
	refuse_built(mixed, sizeof(mixed), empty, 1, "critical");
	refuse_built(empty_crit, sizeof(empty_crit), empty, 1, "crit");
	refuse_built(crit_not_array, sizeof(crit_not_array), empty, 1, "crit");
	/* RFC 9052 §3.1: crit is only ever protected */
	refuse_built(alg_only, sizeof(alg_only), unprotected_crit, sizeof(unprotected_crit),
		     "crit");
}

static void test_skips_headers_it_does_not_know(void **state)
{
	/* protected {1: -7, 3: "application/cwt", "x": [1, {2: 3}]} */
	const uint8_t prot[] = {0xa3, 0x01, 0x26, 0x03, 0x6f, 'a',  'p',  'p',  'l',
				'i',  'c',  'a',  't',  'i',  'o',  'n',  '/',  'c',
				'w',  't',  0x61, 'x',  0x82, 0x01, 0xa1, 0x02, 0x03};
	/* unprotected {33: [h'00'], -70000: {}} */
	const uint8_t unprot[] = {0xa2, 0x18, 0x21, 0x81, 0x41, 0x00,
				  0x3a, 0x00, 0x01, 0x11, 0x6f, 0xa0};
	struct cose_sign1 m;
	struct buf msg;

	(void)state;
	buf_init(&msg, 4096);
	decode_built(prot, sizeof(prot), unprot, sizeof(unprot), &msg, &m);
	assert_int_equal(m.alg, COSE_ALG_ES256);
	assert_false(m.has_kid);
	buf_clear(&msg);
}

static void test_refuses_protected_header_that_is_not_one_map(void **state)
{
	const uint8_t array[] = {0x81, 0x01};
	const uint8_t trailing[] = {0xa1, 0x01, 0x26, 0x00};
	const uint8_t truncated[] = {0xa2, 0x01, 0x26};
	const uint8_t not_cbor[] = {0xff};
	const uint8_t float_label[] = {0xa1, 0xf9, 0x3c, 0x00, 0x26};
	const uint8_t empty[] = {0xa0};

	(void)state;
	refuse_built(array, sizeof(array), empty, 1, "protected header is not a map");
	refuse_built(trailing, sizeof(trailing), empty, 1, "bytes after its map");
	refuse_built(truncated, sizeof(truncated), empty, 1, "header");
	refuse_built(not_cbor, sizeof(not_cbor), empty, 1, "protected header");
	refuse_built(float_label, sizeof(float_label), empty, 1, "label");
}

static void test_refuses_headers_of_the_wrong_major_type(void **state)
{
	struct buf msg;

	(void)state;
	buf_init(&msg, 4096);
	/* protected bucket as a map instead of a bstr holding one */
	cbor_put_tag(&msg, 18);
	cbor_put_array(&msg, 4);
	buf_append(&msg, "\xa1\x01\x26", 3);
	cbor_put_map(&msg, 0);
	cbor_put_bytes(&msg, small_payload, sizeof(small_payload));
	cbor_put_bytes(&msg, sig64, sizeof(sig64));
	assert_decode_refused(msg.data, msg.len, "protected header is not a byte string");
	/* unprotected bucket as a bstr */
	buf_reset(&msg);
	cbor_put_tag(&msg, 18);
	cbor_put_array(&msg, 4);
	cbor_put_bytes(&msg, "\xa1\x01\x26", 3);
	cbor_put_bytes(&msg, "\xa0", 1);
	cbor_put_bytes(&msg, small_payload, sizeof(small_payload));
	cbor_put_bytes(&msg, sig64, sizeof(sig64));
	assert_decode_refused(msg.data, msg.len, "unprotected header is not a map");
	buf_clear(&msg);
}

/* --- structure ------------------------------------------------------------------- */

static void test_refuses_detached_payload(void **state)
{
	struct buf msg;

	(void)state;
	buf_init(&msg, 4096);
	cbor_put_tag(&msg, 18);
	cbor_put_array(&msg, 4);
	cbor_put_bytes(&msg, "\xa1\x01\x26", 3);
	cbor_put_map(&msg, 0);
	cbor_put_null(&msg);
	cbor_put_bytes(&msg, sig64, sizeof(sig64));
	assert_decode_refused(msg.data, msg.len, "detached");
	buf_clear(&msg);
}

static void test_refuses_payload_and_signature_of_the_wrong_type(void **state)
{
	struct buf msg;

	(void)state;
	buf_init(&msg, 4096);
	/* payload as text */
	cbor_put_array(&msg, 4);
	cbor_put_bytes(&msg, "\xa1\x01\x26", 3);
	cbor_put_map(&msg, 0);
	cbor_put_cstr(&msg, "payload");
	cbor_put_bytes(&msg, sig64, sizeof(sig64));
	assert_decode_refused(msg.data, msg.len, "payload is not a byte string");
	/* payload as an indefinite-length bstr */
	buf_reset(&msg);
	cbor_put_array(&msg, 4);
	cbor_put_bytes(&msg, "\xa1\x01\x26", 3);
	cbor_put_map(&msg, 0);
	buf_append(&msg, "\x5f\x41\x01\xff", 4);
	cbor_put_bytes(&msg, sig64, sizeof(sig64));
	assert_decode_refused(msg.data, msg.len, "payload is not a byte string");
	/* payload as undefined (not nil) */
	buf_reset(&msg);
	cbor_put_array(&msg, 4);
	cbor_put_bytes(&msg, "\xa1\x01\x26", 3);
	cbor_put_map(&msg, 0);
	cbor_put_simple(&msg, 23);
	cbor_put_bytes(&msg, sig64, sizeof(sig64));
	assert_decode_refused(msg.data, msg.len, "payload");
	/* signature as an array */
	buf_reset(&msg);
	cbor_put_array(&msg, 4);
	cbor_put_bytes(&msg, "\xa1\x01\x26", 3);
	cbor_put_map(&msg, 0);
	cbor_put_bytes(&msg, small_payload, sizeof(small_payload));
	cbor_put_array(&msg, 0);
	assert_decode_refused(msg.data, msg.len, "signature is not a byte string");
	/* protected header as text */
	buf_reset(&msg);
	cbor_put_array(&msg, 4);
	cbor_put_cstr(&msg, "");
	cbor_put_map(&msg, 0);
	cbor_put_bytes(&msg, small_payload, sizeof(small_payload));
	cbor_put_bytes(&msg, sig64, sizeof(sig64));
	assert_decode_refused(msg.data, msg.len, "protected header is not a byte string");
	buf_clear(&msg);
}

static void put_array_of(struct buf *msg, int count, bool indefinite)
{
	const uint8_t prot[] = {0xa1, 0x01, 0x26};

	buf_reset(msg);
	cbor_put_tag(msg, 18);
	if (indefinite)
		buf_append_byte(msg, 0x9f);
	else
		cbor_put_array(msg, (uint64_t)count);
	if (count > 0)
		cbor_put_bytes(msg, prot, sizeof(prot));
	if (count > 1)
		cbor_put_map(msg, 0);
	if (count > 2)
		cbor_put_bytes(msg, small_payload, sizeof(small_payload));
	if (count > 3)
		cbor_put_bytes(msg, sig64, sizeof(sig64));
	if (count > 4)
		cbor_put_bytes(msg, sig64, sizeof(sig64));
	if (indefinite)
		buf_append_byte(msg, 0xff);
}

static void test_refuses_wrong_array_length(void **state)
{
	struct buf msg;

	(void)state;
	buf_init(&msg, 4096);
	for (int n = 0; n <= 5; n++) {
		if (n == 4)
			continue;
		put_array_of(&msg, n, false);
		assert_decode_refused(msg.data, msg.len, "array of 4");
	}
	/* four elements, but in an indefinite-length array */
	put_array_of(&msg, 4, true);
	assert_decode_refused(msg.data, msg.len, "array of 4");
	/* and the right shape decodes, so the refusals above are about the length */
	put_array_of(&msg, 4, false);
	{
		struct cose_sign1 m;
		assert_int_equal(cose_sign1_decode(msg.data, msg.len, &m, NULL), HR_OK);
	}
	/* a map instead of an array */
	buf_reset(&msg);
	cbor_put_tag(&msg, 18);
	cbor_put_map(&msg, 0);
	assert_decode_refused(msg.data, msg.len, "array of 4");
	buf_clear(&msg);
}

static void test_refuses_tags_other_than_61_and_18(void **state)
{
	uint8_t body[256];
	size_t body_len = hex_decode(wg_pass_03, body, sizeof(body)); /* untagged */
	static const struct {
		const char *prefix_hex;
		const char *why;
	} cases[] = {
	    {"d1", "tag 17"},         /* COSE_Mac0 */
	    {"d862", "tag 98"},       /* COSE_Sign */
	    {"d0", "tag 16"},         /* COSE_Encrypt0 */
	    {"c0", "tag 0"},          /* a date/time string tag */
	    {"d83d", "CWT tag"},      /* 61 around an untagged array */
	    {"d83dd1", "CWT tag"},    /* 61(17(...)) */
	    {"d2d2", "array of 4"},   /* 18(18(...)) */
	    {"d83dd83dd2", "CWT tag"} /* 61(61(18(...))) */
	};
	uint8_t msg[300];
	struct cose_sign1 m;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = hex_decode(cases[i].prefix_hex, msg, sizeof(msg));
		memcpy(msg + n, body, body_len);
		assert_decode_refused(msg, n + body_len, cases[i].why);
	}
	/* the accepted framings: none, 18, 61(18) */
	assert_int_equal(cose_sign1_decode(body, body_len, &m, NULL), HR_OK);
	msg[0] = 0xd2;
	memcpy(msg + 1, body, body_len);
	assert_int_equal(cose_sign1_decode(msg, body_len + 1, &m, NULL), HR_OK);
	msg[0] = 0xd8;
	msg[1] = 0x3d;
	msg[2] = 0xd2;
	memcpy(msg + 3, body, body_len);
	assert_int_equal(cose_sign1_decode(msg, body_len + 3, &m, NULL), HR_OK);
}

static void test_refuses_trailing_bytes(void **state)
{
	uint8_t msg[300];
	size_t len = hex_decode(wg_pass_03, msg, sizeof(msg));
	struct cose_sign1 m;

	(void)state;
	assert_int_equal(cose_sign1_decode(msg, len, &m, NULL), HR_OK);
	msg[len] = 0x00;
	assert_decode_refused(msg, len + 1, "bytes after");
	msg[len] = 0xff;
	assert_decode_refused(msg, len + 1, "bytes after");
	/* a second whole message after the first */
	memcpy(msg + len, msg, len);
	assert_decode_refused(msg, 2 * len, "bytes after");
}

static void test_refuses_every_truncation(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(rfc8392_signed_cwt, msg, sizeof(msg));
	struct cose_sign1 m;

	(void)state;
	for (size_t n = 0; n < len; n++) {
		/* copy into an exact-size heap block so a read past n is caught by ASan */
		uint8_t *copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, msg, n);
		if (cose_sign1_decode(copy, n, &m, NULL) != HR_E_INVALID) {
			print_error("accepted the first %zu of %zu bytes\n", n, len);
			fail();
		}
		free(copy);
	}
	assert_int_equal(cose_sign1_decode(msg, len, &m, NULL), HR_OK);
}

static void test_refuses_empty_and_non_cbor_input(void **state)
{
	struct cose_sign1 m;

	(void)state;
	assert_decode_refused((const uint8_t *)"", 0, "not CBOR");
	assert_decode_refused((const uint8_t *)"\xff", 1, "not CBOR");
	assert_decode_refused((const uint8_t *)"\x1c", 1, "not CBOR"); /* reserved info 28 */
	assert_decode_refused((const uint8_t *)"HC1:", 4, NULL);
	assert_int_equal(cose_sign1_decode((const uint8_t *)"\x84", 1, &m, NULL), HR_E_INVALID);
}

/* --- signature lengths ------------------------------------------------------------ */

static void test_refuses_es256_signature_of_the_wrong_length(void **state)
{
	uint8_t msg[256];
	size_t len = hex_decode(wg_pass_03, msg, sizeof(msg));
	const struct cose_alg *es256 = cose_alg_find(COSE_ALG_ES256);
	struct cose_sign1 m;
	struct hr_error err = {0};
	uint8_t sig[200];
	uint8_t *der = NULL;
	size_t der_len = 0;
	struct buf tbs;
	static const size_t lengths[] = {0, 1, 32, 63, 65, 66, 96, 128, 132};

	(void)state;
	assert_int_equal(cose_sign1_decode(msg, len, &m, NULL), HR_OK);
	buf_init(&tbs, 4096);
	assert_int_equal(cose_sign1_to_be_signed(m.protected_header, m.payload, &tbs), HR_OK);
	assert_int_equal(cose_crypto_verify(es256, wg_key, KEY_KIND_P256, tbs.data, tbs.len,
					    m.signature.ptr, 64, &err),
			 HR_OK);
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		memset(sig, 0, sizeof(sig));
		memcpy(sig, m.signature.ptr, lengths[i] < 64 ? lengths[i] : 64);
		assert_int_equal(cose_crypto_verify(es256, wg_key, KEY_KIND_P256, tbs.data, tbs.len,
						    sig, lengths[i], &err),
				 HR_E_INVALID);
		assert_string_equal(err.stage, "signature");
	}
	/* the same signature as DER (what OpenSSL speaks) is not COSE's r||s */
	assert_int_equal(ecdsa_raw_to_der(m.signature.ptr, 64, &der, &der_len), HR_OK);
	assert_int_equal(
	    cose_crypto_verify(es256, wg_key, KEY_KIND_P256, tbs.data, tbs.len, der, der_len, &err),
	    HR_E_INVALID);
	OPENSSL_free(der);
	buf_clear(&tbs);
}

static void test_refuses_eddsa_and_rsa_signatures_of_the_wrong_length(void **state)
{
	EVP_PKEY *ed = generate("ED25519", NULL, 0);
	EVP_PKEY *rsa = generate("RSA", NULL, 2048);
	const struct cose_alg *eddsa = cose_alg_find(COSE_ALG_EDDSA);
	const struct cose_alg *ps256 = cose_alg_find(COSE_ALG_PS256);
	const uint8_t tbs[] = "to be signed";
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(cose_crypto_sign(eddsa, ed, tbs, sizeof(tbs), sig, &sig_len, &err), HR_OK);
	assert_int_equal(sig_len, 64);
	assert_int_equal(
	    cose_crypto_verify(eddsa, ed, KEY_KIND_ED25519, tbs, sizeof(tbs), sig, 64, &err),
	    HR_OK);
	assert_int_equal(
	    cose_crypto_verify(eddsa, ed, KEY_KIND_ED25519, tbs, sizeof(tbs), sig, 63, &err),
	    HR_E_INVALID);
	assert_int_equal(
	    cose_crypto_verify(eddsa, ed, KEY_KIND_ED25519, tbs, sizeof(tbs), sig, 65, &err),
	    HR_E_INVALID);

	sig_len = sizeof(sig);
	assert_int_equal(cose_crypto_sign(ps256, rsa, tbs, sizeof(tbs), sig, &sig_len, &err),
			 HR_OK);
	assert_int_equal(sig_len, 256);
	assert_int_equal(
	    cose_crypto_verify(ps256, rsa, KEY_KIND_RSA, tbs, sizeof(tbs), sig, 256, &err), HR_OK);
	assert_int_equal(
	    cose_crypto_verify(ps256, rsa, KEY_KIND_RSA, tbs, sizeof(tbs), sig, 255, &err),
	    HR_E_INVALID);
	sig[256] = 0;
	assert_int_equal(
	    cose_crypto_verify(ps256, rsa, KEY_KIND_RSA, tbs, sizeof(tbs), sig, 257, &err),
	    HR_E_INVALID);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(rsa);
}

/* --- raw r||s <-> DER --------------------------------------------------------------- */

static void test_ecdsa_raw_to_der_writes_minimal_positive_integers(void **state)
{
	uint8_t raw[64] = {0}, back[64];
	uint8_t *der = NULL;
	size_t der_len = 0;

	(void)state;
	/* r = 1 (31 leading zero bytes), s = 0x80 00..00 (high bit set) */
	raw[31] = 0x01;
	raw[32] = 0x80;
	assert_int_equal(ecdsa_raw_to_der(raw, 64, &der, &der_len), HR_OK);
	/* SEQUENCE { INTEGER 1, INTEGER 0x0080.. } : 30 26 02 01 01 02 21 00 80 00*31 */
	assert_int_equal(der_len, 40);
	assert_memory_equal(der, "\x30\x26\x02\x01\x01\x02\x21\x00\x80", 9);
	for (size_t i = 9; i < 40; i++)
		assert_int_equal(der[i], 0);
	/* and back, padded to the field width */
	assert_int_equal(ecdsa_der_to_raw(der, der_len, 32, back), HR_OK);
	assert_memory_equal(back, raw, 64);
	OPENSSL_free(der);

	/* both with the high bit: each INTEGER grows a 00 byte */
	memset(raw, 0xff, sizeof(raw));
	assert_int_equal(ecdsa_raw_to_der(raw, 64, &der, &der_len), HR_OK);
	assert_int_equal(der_len, 2 + 2 * (2 + 33));
	assert_memory_equal(der, "\x30\x46\x02\x21\x00\xff", 6);
	assert_int_equal(ecdsa_der_to_raw(der, der_len, 32, back), HR_OK);
	assert_memory_equal(back, raw, 64);
	OPENSSL_free(der);

	/* no high bit, no leading zero: 32 bytes each */
	memset(raw, 0x7f, sizeof(raw));
	assert_int_equal(ecdsa_raw_to_der(raw, 64, &der, &der_len), HR_OK);
	assert_int_equal(der_len, 2 + 2 * (2 + 32));
	assert_int_equal(ecdsa_der_to_raw(der, der_len, 32, back), HR_OK);
	assert_memory_equal(back, raw, 64);
	OPENSSL_free(der);
}

static void test_ecdsa_conversions_round_trip_for_every_field_width(void **state)
{
	static const size_t fields[] = {32, 48, 66};
	uint8_t raw[132], back[132];
	uint8_t *der = NULL;
	size_t der_len = 0;
	unsigned seed = 3;

	(void)state;
	for (size_t f = 0; f < 3; f++) {
		size_t w = fields[f];
		for (int round = 0; round < 50; round++) {
			for (size_t i = 0; i < 2 * w; i++)
				raw[i] = (uint8_t)(rand_r(&seed) >> 7);
			/* every few rounds, leading zeros in r or s */
			if (round % 3 == 0)
				memset(raw, 0, (size_t)(round % 7) + 1);
			if (round % 5 == 0)
				memset(raw + w, 0, (size_t)(round % 11) + 1);
			if (w == 66) { /* P-521: the top byte holds one bit */
				raw[0] &= 0x01;
				raw[w] &= 0x01;
			}
			assert_int_equal(ecdsa_raw_to_der(raw, 2 * w, &der, &der_len), HR_OK);
			assert_int_equal(ecdsa_der_to_raw(der, der_len, w, back), HR_OK);
			assert_memory_equal(back, raw, 2 * w);
			OPENSSL_free(der);
		}
	}
}

static void test_ecdsa_conversions_refuse_bad_lengths_and_garbage(void **state)
{
	uint8_t raw[200] = {0x01}, out[132];
	uint8_t *der = NULL;
	size_t der_len = 0;
	uint8_t good[80];
	size_t good_len;

	(void)state;
	/* raw: empty, odd, longer than P-521's 132 */
	assert_int_equal(ecdsa_raw_to_der(raw, 0, &der, &der_len), HR_E_INVALID);
	assert_null(der);
	assert_int_equal(ecdsa_raw_to_der(raw, 63, &der, &der_len), HR_E_INVALID);
	assert_int_equal(ecdsa_raw_to_der(raw, 134, &der, &der_len), HR_E_INVALID);
	assert_null(der);

	/* DER: r has 33 significant bytes, too wide for P-256 */
	memset(raw, 0x7f, 66);
	assert_int_equal(ecdsa_raw_to_der(raw, 66, &der, &der_len), HR_OK);
	assert_int_equal(ecdsa_der_to_raw(der, der_len, 32, out), HR_E_CRYPTO);
	assert_int_equal(ecdsa_der_to_raw(der, der_len, 33, out), HR_OK);
	OPENSSL_free(der);

	memset(raw, 0x11, 64);
	assert_int_equal(ecdsa_raw_to_der(raw, 64, &der, &der_len), HR_OK);
	good_len = der_len;
	memcpy(good, der, der_len);
	OPENSSL_free(der);
	assert_int_equal(ecdsa_der_to_raw(good, good_len, 32, out), HR_OK);
	/* truncated at every length */
	for (size_t n = 0; n < good_len; n++)
		assert_int_equal(ecdsa_der_to_raw(good, n, 32, out), HR_E_CRYPTO);
	/* a byte after the SEQUENCE */
	good[good_len] = 0;
	assert_int_equal(ecdsa_der_to_raw(good, good_len + 1, 32, out), HR_E_CRYPTO);
	/* not a SEQUENCE of two INTEGERs */
	assert_int_equal(ecdsa_der_to_raw((const uint8_t *)"\x30\x03\x02\x01\x01", 5, 32, out),
			 HR_E_CRYPTO);
	assert_int_equal(ecdsa_der_to_raw((const uint8_t *)"\x04\x02\x01\x01", 4, 32, out),
			 HR_E_CRYPTO);
	assert_int_equal(ecdsa_der_to_raw(raw, 64, 32, out), HR_E_CRYPTO);
}

/* --- round trips ------------------------------------------------------------------- */

/* Signs a CWT with a signer over key (and a certificate, for the kid), checks
 * the message, verifies it, then tampers one byte at a time. */
static void round_trip(EVP_PKEY *key, int64_t alg_id, size_t sig_len)
{
	struct signer_cert *cert = self_signed(key);
	struct signer *signer = NULL;
	uint8_t claims[128];
	size_t claims_len = hex_decode(rfc8392_claims, claims, sizeof(claims));
	struct hr_error err = {0};
	struct cose_sign1 m;
	struct buf scratch, msg;
	uint8_t *copy;
	size_t at;

	assert_int_equal(signer_from_key(key, cert, &signer, &err), HR_OK);
	assert_int_equal(signer_alg(signer)->id, alg_id);
	assert_int_equal(signer_kid(signer).len, SIGNER_KID_LEN);
	assert_memory_equal(signer_kid(signer).ptr, cert->kid, SIGNER_KID_LEN);
	buf_init(&scratch, 1 << 16);
	buf_init(&msg, 1 << 16);
	assert_int_equal(
	    cose_sign1_sign(signer, slice_make(claims, claims_len), &scratch, &msg, &err), HR_OK);

	/* 18([h'{1: alg, 4: kid}', {}, payload, signature]) */
	assert_int_equal(msg.data[0], 0xd2);
	assert_int_equal(cose_sign1_decode(msg.data, msg.len, &m, &err), HR_OK);
	assert_int_equal(m.alg, alg_id);
	assert_true(m.kid_in_protected);
	assert_memory_equal(m.kid.ptr, cert->kid, SIGNER_KID_LEN);
	assert_int_equal(m.payload.len, claims_len);
	assert_memory_equal(m.payload.ptr, claims, claims_len);
	assert_int_equal(m.signature.len, sig_len);
	assert_int_equal(cose_sign1_verify(&m, cert->key, cert->kind, &scratch, &err), HR_OK);

	/* one byte changed anywhere in what is signed, or in the signature: refused */
	copy = malloc(msg.len);
	assert_non_null(copy);
	for (int region = 0; region < 3; region++) {
		struct slice s = region == 0   ? m.payload
				 : region == 1 ? m.protected_header
					       : m.signature;
		size_t start = (size_t)(s.ptr - msg.data);
		/* protected: only the kid's bytes keep the header decodable and the alg */
		size_t first = region == 1 ? s.len - SIGNER_KID_LEN : 0;
		for (at = first; at < s.len; at += (region == 2 ? 5 : 1)) {
			struct cose_sign1 t;
			memcpy(copy, msg.data, msg.len);
			flip(copy, start + at);
			assert_int_equal(cose_sign1_decode(copy, msg.len, &t, &err), HR_OK);
			if (cose_sign1_verify(&t, cert->key, cert->kind, &scratch, &err) !=
			    HR_E_SIGNATURE) {
				print_error("%s: byte %zu of region %d changed, still verifies\n",
					    signer_alg(signer)->name, at, region);
				fail();
			}
			assert_string_equal(err.stage, "signature");
		}
	}
	/* the last signature byte too */
	memcpy(copy, msg.data, msg.len);
	flip(copy, msg.len - 1);
	assert_int_equal(verify_with(copy, msg.len, cert->key, &err), HR_E_SIGNATURE);
	free(copy);

	/* a second message verifies too (the signer is reusable) */
	buf_reset(&msg);
	assert_int_equal(cose_sign1_sign(signer, slice_make("\xa0", 1), &scratch, &msg, &err),
			 HR_OK);
	assert_int_equal(verify_with(msg.data, msg.len, cert->key, &err), HR_OK);

	buf_clear(&scratch);
	buf_clear(&msg);
	signer_free(signer);
	signer_cert_free(cert);
}

static void test_sign_verify_round_trip_es256(void **state)
{
	EVP_PKEY *key = generate("EC", "P-256", 0);

	(void)state;
	round_trip(key, COSE_ALG_ES256, 64);
	EVP_PKEY_free(key);
}

static void test_sign_verify_round_trip_es384(void **state)
{
	EVP_PKEY *key = generate("EC", "P-384", 0);

	(void)state;
	round_trip(key, COSE_ALG_ES384, 96);
	EVP_PKEY_free(key);
}

static void test_sign_verify_round_trip_es512(void **state)
{
	EVP_PKEY *key = generate("EC", "P-521", 0);

	(void)state;
	round_trip(key, COSE_ALG_ES512, 132);
	EVP_PKEY_free(key);
}

static void test_sign_verify_round_trip_ps256_rsa2048(void **state)
{
	EVP_PKEY *key = generate("RSA", NULL, 2048);

	(void)state;
	round_trip(key, COSE_ALG_PS256, 256);
	EVP_PKEY_free(key);
}

static void test_sign_verify_round_trip_ps256_rsa3072(void **state)
{
	EVP_PKEY *key = generate("RSA", NULL, 3072);

	(void)state;
	round_trip(key, COSE_ALG_PS256, 384);
	EVP_PKEY_free(key);
}

static void test_sign_verify_round_trip_eddsa(void **state)
{
	EVP_PKEY *key = generate("ED25519", NULL, 0);

	(void)state;
	round_trip(key, COSE_ALG_EDDSA, 64);
	EVP_PKEY_free(key);
}

/* PS256 signatures with other salt lengths, as some national signers make them. */
static void test_verifies_pss_with_any_salt_length(void **state)
{
	EVP_PKEY *key = generate("RSA", NULL, 2048);
	const uint8_t prot[] = {0xa1, 0x01, 0x38, 0x24}; /* {1: -37} */
	static const int salts[] = {0, RSA_PSS_SALTLEN_MAX, 20};
	struct hr_error err = {0};
	uint8_t digest[32], sig[512];
	struct buf tbs, msg;

	(void)state;
	buf_init(&tbs, 4096);
	buf_init(&msg, 4096);
	assert_int_equal(cose_sign1_to_be_signed(slice_make(prot, sizeof(prot)),
						 slice_make(small_payload, sizeof(small_payload)),
						 &tbs),
			 HR_OK);
	SHA256(tbs.data, tbs.len, digest);
	for (size_t i = 0; i < 3; i++) {
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
		size_t sig_len = sizeof(sig);
		assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
		assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) > 0);
		assert_true(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0);
		assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salts[i]) > 0);
		assert_int_equal(EVP_PKEY_sign(ctx, sig, &sig_len, digest, sizeof(digest)), 1);
		EVP_PKEY_CTX_free(ctx);
		buf_reset(&msg);
		put_sign1(&msg, prot, sizeof(prot), (const uint8_t *)"\xa0", 1, small_payload,
			  sizeof(small_payload), sig, sig_len);
		assert_int_equal(verify_with(msg.data, msg.len, key, &err), HR_OK);
	}
	buf_clear(&tbs);
	buf_clear(&msg);
	EVP_PKEY_free(key);
}

static void test_refuses_key_of_the_wrong_kind_for_the_alg(void **state)
{
	EVP_PKEY *p256 = generate("EC", "P-256", 0);
	EVP_PKEY *p384 = generate("EC", "P-384", 0);
	EVP_PKEY *ed = generate("ED25519", NULL, 0);
	EVP_PKEY *rsa = generate("RSA", NULL, 2048);
	const uint8_t es256[] = {0xa1, 0x01, 0x26}, eddsa[] = {0xa1, 0x01, 0x27};
	const uint8_t es384[] = {0xa1, 0x01, 0x38, 0x22}, ps256[] = {0xa1, 0x01, 0x38, 0x24};
	struct hr_error err = {0};
	struct cose_sign1 m;
	struct buf msg, scratch;

	(void)state;
	buf_init(&msg, 8192);
	buf_init(&scratch, 8192);
	/* an ES256 message, verified with keys of every other kind */
	sign_by_hand(p256, COSE_ALG_ES256, es256, sizeof(es256), (const uint8_t *)"\xa0", 1,
		     small_payload, sizeof(small_payload), &msg);
	assert_int_equal(cose_sign1_decode(msg.data, msg.len, &m, &err), HR_OK);
	assert_int_equal(cose_sign1_verify(&m, p256, KEY_KIND_P256, &scratch, &err), HR_OK);
	/* another EC key is a key of the right kind (see cose_crypto.h): it just
	 * does not verify */
	assert_int_equal(cose_sign1_verify(&m, p384, KEY_KIND_P384, &scratch, &err),
			 HR_E_SIGNATURE);
	assert_int_equal(cose_sign1_verify(&m, ed, KEY_KIND_ED25519, &scratch, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "does not match"));
	assert_int_equal(cose_sign1_verify(&m, rsa, KEY_KIND_RSA, &scratch, &err), HR_E_INVALID);

	/* the message rewritten to claim EdDSA, ES384 or PS256: the P-256 key does not fit */
	buf_reset(&msg);
	sign_by_hand(p256, COSE_ALG_ES256, es256, sizeof(es256), (const uint8_t *)"\xa0", 1,
		     small_payload, sizeof(small_payload), &msg);
	assert_int_equal(msg.data[5], 0x26); /* d2 84 43 a1 01 26: the alg's byte */
	msg.data[5] = 0x27;
	assert_int_equal(cose_sign1_decode(msg.data, msg.len, &m, &err), HR_OK);
	assert_int_equal(m.alg, COSE_ALG_EDDSA);
	assert_int_equal(cose_sign1_verify(&m, p256, KEY_KIND_P256, &scratch, &err), HR_E_INVALID);

	buf_reset(&msg);
	put_sign1(&msg, es384, sizeof(es384), (const uint8_t *)"\xa0", 1, small_payload,
		  sizeof(small_payload), zeros, 96);
	assert_int_equal(cose_sign1_decode(msg.data, msg.len, &m, &err), HR_OK);
	/* ES384 over a P-256 key: an EC key, so only the (zero) signature fails */
	assert_int_equal(cose_sign1_verify(&m, p256, KEY_KIND_P256, &scratch, &err),
			 HR_E_SIGNATURE);
	buf_reset(&msg);
	put_sign1(&msg, ps256, sizeof(ps256), (const uint8_t *)"\xa0", 1, small_payload,
		  sizeof(small_payload), sig64, 64);
	assert_int_equal(cose_sign1_decode(msg.data, msg.len, &m, &err), HR_OK);
	assert_int_equal(cose_sign1_verify(&m, p256, KEY_KIND_P256, &scratch, &err), HR_E_INVALID);
	assert_int_equal(cose_sign1_verify(&m, ed, KEY_KIND_ED25519, &scratch, &err), HR_E_INVALID);

	/* an EdDSA message and a P-256 key */
	buf_reset(&msg);
	sign_by_hand(ed, COSE_ALG_EDDSA, eddsa, sizeof(eddsa), (const uint8_t *)"\xa0", 1,
		     small_payload, sizeof(small_payload), &msg);
	assert_int_equal(verify_with(msg.data, msg.len, ed, &err), HR_OK);
	assert_int_equal(cose_sign1_decode(msg.data, msg.len, &m, &err), HR_OK);
	assert_int_equal(cose_sign1_verify(&m, p256, KEY_KIND_P256, &scratch, &err), HR_E_INVALID);

	buf_clear(&msg);
	buf_clear(&scratch);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(rsa);
}

/* ES256 = SHA-256 + ECDSA, whatever the key's curve; the raw signature has the
 * width of P-256's field or of the key's. */
static void sign_digest_raw(EVP_PKEY *key, const uint8_t *tbs, size_t tbs_len, size_t width,
			    uint8_t *raw)
{
	uint8_t digest[32], der[256];
	size_t der_len = sizeof(der);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);

	assert_non_null(SHA256(tbs, tbs_len, digest));
	assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
	assert_int_equal(EVP_PKEY_sign(ctx, der, &der_len, digest, sizeof(digest)), 1);
	assert_int_equal(ecdsa_der_to_raw(der, der_len, width, raw), HR_OK);
	EVP_PKEY_CTX_free(ctx);
}

static void test_es256_verifies_on_other_curves_with_either_width(void **state)
{
	static const char *const curves[] = {"P-384", "P-192", "P-521", "secp256k1"};
	const uint8_t tbs[] = "signed bytes";
	struct hr_error err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		EVP_PKEY *key = generate("EC", curves[i], 0);
		size_t key_width;
		uint8_t raw[2 * 66];
		if (key == NULL) {
			print_message("note: no %s keys in this OpenSSL\n", curves[i]);
			continue;
		}
		key_width = (size_t)(EVP_PKEY_get_bits(key) + 7) / 8;
		/* the key's own width */
		sign_digest_raw(key, tbs, sizeof(tbs), key_width, raw);
		assert_int_equal(cose_crypto_verify(cose_alg_find(COSE_ALG_ES256), key,
						    key_kind_of(key), tbs, sizeof(tbs), raw,
						    2 * key_width, &err),
				 HR_OK);
		/* a changed byte still fails */
		raw[3] ^= 1;
		assert_int_equal(cose_crypto_verify(cose_alg_find(COSE_ALG_ES256), key,
						    key_kind_of(key), tbs, sizeof(tbs), raw,
						    2 * key_width, &err),
				 HR_E_SIGNATURE);
		/* P-256's width, when r and s fit in it (smaller curves, left-padded) */
		if (key_width <= 32) {
			sign_digest_raw(key, tbs, sizeof(tbs), 32, raw);
			assert_int_equal(cose_crypto_verify(cose_alg_find(COSE_ALG_ES256), key,
							    key_kind_of(key), tbs, sizeof(tbs), raw,
							    64, &err),
					 HR_OK);
		}
		/* any other width is malformed */
		assert_int_equal(cose_crypto_verify(cose_alg_find(COSE_ALG_ES256), key,
						    key_kind_of(key), tbs, sizeof(tbs), raw, 50,
						    &err),
				 HR_E_INVALID);
		EVP_PKEY_free(key);
	}
}

static void test_key_kinds_and_unsupported_keys(void **state)
{
	EVP_PKEY *rsa1024 = generate("RSA", NULL, 1024);
	EVP_PKEY *p192 = generate("EC", "P-192", 0);
	EVP_PKEY *ed448 = generate("ED448", NULL, 0);
	EVP_PKEY *k256 = generate("EC", "secp256k1", 0);
	EVP_PKEY *p256 = generate("EC", "P-256", 0);
	EVP_PKEY *p521 = generate("EC", "P-521", 0);
	struct signer *signer = (struct signer *)1;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(key_kind_of(p256), KEY_KIND_P256);
	assert_int_equal(key_kind_of(p521), KEY_KIND_P521);
	assert_non_null(rsa1024);
	assert_int_equal(key_kind_of(rsa1024), KEY_KIND_UNSUPPORTED);
	assert_int_equal(signer_from_key(rsa1024, NULL, &signer, &err), HR_E_UNSUPPORTED);
	assert_null(signer);
	if (p192 != NULL) {
		/* verified under ES* (national data uses such keys), never used to sign */
		assert_int_equal(key_kind_of(p192), KEY_KIND_EC_OTHER);
		assert_int_equal(signer_from_key(p192, NULL, &signer, &err), HR_E_UNSUPPORTED);
	} else {
		print_message("note: this OpenSSL makes no P-192 keys; that case is not checked\n");
	}
	if (ed448 != NULL)
		assert_int_equal(key_kind_of(ed448), KEY_KIND_UNSUPPORTED);
	if (k256 != NULL)
		assert_int_equal(key_kind_of(k256), KEY_KIND_EC_OTHER);
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(p192);
	EVP_PKEY_free(ed448);
	EVP_PKEY_free(k256);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p521);
}

static void test_signer_from_key_refuses_certificate_of_another_key(void **state)
{
	EVP_PKEY *key = generate("EC", "P-256", 0);
	EVP_PKEY *other = generate("EC", "P-256", 0);
	struct signer_cert *cert = self_signed(other);
	struct signer *signer = NULL;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(signer_from_key(key, cert, &signer, &err), HR_E_INVALID);
	assert_null(signer);
	assert_non_null(strstr(err.message, "not for this private key"));
	/* without a certificate: allowed, and the kid is empty */
	assert_int_equal(signer_from_key(key, NULL, &signer, &err), HR_OK);
	assert_int_equal(signer_kid(signer).len, 0);
	assert_null(signer_certificate(signer));
	signer_free(signer);
	signer_cert_free(cert);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void test_signer_without_certificate_writes_alg_only(void **state)
{
	EVP_PKEY *key = generate("EC", "P-256", 0);
	struct signer *signer = NULL;
	struct cose_sign1 m;
	struct buf scratch, msg;

	(void)state;
	assert_int_equal(signer_from_key(key, NULL, &signer, NULL), HR_OK);
	buf_init(&scratch, 4096);
	buf_init(&msg, 4096);
	assert_int_equal(cose_sign1_sign(signer, slice_make(small_payload, sizeof(small_payload)),
					 &scratch, &msg, NULL),
			 HR_OK);
	assert_int_equal(cose_sign1_decode(msg.data, msg.len, &m, NULL), HR_OK);
	assert_int_equal(m.protected_header.len, 3);
	assert_memory_equal(m.protected_header.ptr, "\xa1\x01\x26", 3);
	assert_false(m.has_kid);
	assert_int_equal(verify_with(msg.data, msg.len, key, NULL), HR_OK);
	buf_clear(&scratch);
	buf_clear(&msg);
	signer_free(signer);
	EVP_PKEY_free(key);
}

static void test_algorithm_table(void **state)
{
	static const struct {
		int64_t id;
		const char *name;
		enum key_kind kind;
	} known[] = {
	    {-7, "ES256", KEY_KIND_P256},    {-35, "ES384", KEY_KIND_P384},
	    {-36, "ES512", KEY_KIND_P521},   {-37, "PS256", KEY_KIND_RSA},
	    {-38, "PS384", KEY_KIND_RSA},    {-39, "PS512", KEY_KIND_RSA},
	    {-8, "EdDSA", KEY_KIND_ED25519},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct cose_alg *a = cose_alg_find(known[i].id);
		assert_non_null(a);
		assert_string_equal(a->name, known[i].name);
		assert_int_equal(a->key, known[i].kind);
		assert_ptr_equal(cose_alg_find_name(known[i].name), a);
	}
	/* RS256 (-257), HS256 (5), "none" and unknown numbers are not signature algorithms
	 * we accept */
	assert_null(cose_alg_find(-257));
	assert_null(cose_alg_find(5));
	assert_null(cose_alg_find(0));
	assert_null(cose_alg_find(-999));
	assert_null(cose_alg_find_name("none"));
	assert_null(cose_alg_find_name("RS256"));
	assert_null(cose_alg_find_name("es256"));
	assert_null(cose_alg_find_name(NULL));
	assert_int_equal(cose_alg_for_key(KEY_KIND_P256)->id, COSE_ALG_ES256);
	assert_int_equal(cose_alg_for_key(KEY_KIND_RSA)->id, COSE_ALG_PS256);
	assert_int_equal(cose_alg_for_key(KEY_KIND_ED25519)->id, COSE_ALG_EDDSA);
	assert_null(cose_alg_for_key(KEY_KIND_UNSUPPORTED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cose_wg_sign_pass_01_alg_only_in_unprotected_verifies),
	    cmocka_unit_test(test_cose_wg_sign_pass_02_signature_covers_external_aad),
	    cmocka_unit_test(test_cose_wg_sign_pass_03_untagged_message_verifies),
	    cmocka_unit_test(test_cose_wg_sign_fail_01_wrong_tag_is_refused),
	    cmocka_unit_test(test_cose_wg_sign_fail_02_changed_payload_fails_signature),
	    cmocka_unit_test(test_cose_wg_sign_fail_03_unknown_alg_is_unsupported),
	    cmocka_unit_test(test_cose_wg_sign_fail_04_text_alg_is_refused),
	    cmocka_unit_test(test_cose_wg_sign_fail_06_added_protected_attribute_fails_signature),
	    cmocka_unit_test(test_cose_wg_sign_fail_07_removed_protected_attribute_fails_signature),
	    cmocka_unit_test(test_cose_wg_private_key_signs_what_public_key_verifies),
	    cmocka_unit_test(test_rfc8392_a3_signed_cwt_verifies_and_decodes_to_a1_claims),
	    cmocka_unit_test(test_rfc8392_a3_inside_cwt_tag_61_verifies),
	    cmocka_unit_test(test_rfc8392_a4_maced_cwt_is_refused),
	    cmocka_unit_test(test_eu_dcc_vector_co18_verifies_with_its_certificate),
	    cmocka_unit_test(test_protected_kid_wins_over_unprotected),
	    cmocka_unit_test(test_wrong_protected_kid_is_not_rescued_by_unprotected),
	    cmocka_unit_test(test_protected_alg_wins_over_unprotected),
	    cmocka_unit_test(test_unprotected_fills_what_protected_lacks),
	    cmocka_unit_test(test_missing_alg_fails_verification),
	    cmocka_unit_test(test_refuses_alg_or_kid_twice_in_one_bucket),
	    cmocka_unit_test(test_refuses_alg_and_kid_of_the_wrong_type),
	    cmocka_unit_test(test_text_kid_is_read_as_its_bytes),
	    cmocka_unit_test(test_crit_naming_alg_or_kid_is_accepted),
	    cmocka_unit_test(test_refuses_crit_with_unknown_label),
	    cmocka_unit_test(test_skips_headers_it_does_not_know),
	    cmocka_unit_test(test_refuses_protected_header_that_is_not_one_map),
	    cmocka_unit_test(test_refuses_headers_of_the_wrong_major_type),
	    cmocka_unit_test(test_refuses_detached_payload),
	    cmocka_unit_test(test_refuses_payload_and_signature_of_the_wrong_type),
	    cmocka_unit_test(test_refuses_wrong_array_length),
	    cmocka_unit_test(test_refuses_tags_other_than_61_and_18),
	    cmocka_unit_test(test_refuses_trailing_bytes),
	    cmocka_unit_test(test_refuses_every_truncation),
	    cmocka_unit_test(test_refuses_empty_and_non_cbor_input),
	    cmocka_unit_test(test_refuses_es256_signature_of_the_wrong_length),
	    cmocka_unit_test(test_refuses_eddsa_and_rsa_signatures_of_the_wrong_length),
	    cmocka_unit_test(test_ecdsa_raw_to_der_writes_minimal_positive_integers),
	    cmocka_unit_test(test_ecdsa_conversions_round_trip_for_every_field_width),
	    cmocka_unit_test(test_ecdsa_conversions_refuse_bad_lengths_and_garbage),
	    cmocka_unit_test(test_sign_verify_round_trip_es256),
	    cmocka_unit_test(test_sign_verify_round_trip_es384),
	    cmocka_unit_test(test_sign_verify_round_trip_es512),
	    cmocka_unit_test(test_sign_verify_round_trip_ps256_rsa2048),
	    cmocka_unit_test(test_sign_verify_round_trip_ps256_rsa3072),
	    cmocka_unit_test(test_sign_verify_round_trip_eddsa),
	    cmocka_unit_test(test_verifies_pss_with_any_salt_length),
	    cmocka_unit_test(test_refuses_key_of_the_wrong_kind_for_the_alg),
	    cmocka_unit_test(test_es256_verifies_on_other_curves_with_either_width),
	    cmocka_unit_test(test_key_kinds_and_unsupported_keys),
	    cmocka_unit_test(test_signer_from_key_refuses_certificate_of_another_key),
	    cmocka_unit_test(test_signer_without_certificate_writes_alg_only),
	    cmocka_unit_test(test_algorithm_table),
	};
	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
