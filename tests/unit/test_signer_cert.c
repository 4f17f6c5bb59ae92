/*
 * test_signer_cert.c — document-signer certificates (src/credential/signer_cert.c):
 * the kid, what the extended key usage allows, the country, the validity period,
 * the PEM / DER / base64 forms, and the keys we refuse.
 *
 * The published vector first: a real EU DCC signer certificate and the kid its
 * credentials carry (dgc-testdata common/2DCode/raw/CO18.json, embedded). Then
 * certificates made here with OpenSSL for each EKU form, and the signers that
 * `hromada keys` creates (keys_create_country into a temporary directory).
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/documents.h"
#include "core/error.h"
#include "credential/keys.h"
#include "credential/signer_cert.h"

/* CO18.json TESTCTX.CERTIFICATE; its credentials name kid c361dd4de641ee02 */
static const char co18_certificate[] =
    "MIIBWTCCAQCgAwIBAgIFALCnDKgwCgYIKoZIzj0EAwIwEDEOMAwGA1UEAwwFRUMtTWUwHhcNMjEwNTAzMTgwMDAwWhcN"
    "MjEwNjAyMTgwMDAwWjAQMQ4wDAYDVQQDDAVFQy1NZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABA/mcstItjkz7CEW"
    "fHLd6Jyve68btOX1aM/VoTnhQ1LZgLA60kX//JT9kpFwkhy+ByV8OH9dP3eXgg2lY2BRKJqjRzBFMA4GA1UdDwEB/wQE"
    "AwIFoDAzBgNVHSUELDAqBgwrBgEEAQCON49lAQEGDCsGAQQBAI43j2UBAgYMKwYBBAEAjjePZQEDMAoGCCqGSM49BAMC"
    "A0cAMEQCICUo7kbaRy3YJARmU8rjxPszsei92Ol6jj6QmBO4ZLcmAiBWC9rqOlxbr5przBYQ3d4Sec3P5OVJe6Fivaqq"
    "0RzOFw==";
static const uint8_t co18_kid[8] = {0xc3, 0x61, 0xdd, 0x4d, 0xe6, 0x41, 0xee, 0x02};

#define LEGACY_DCC_ARC "1.3.6.1.4.1.0.1847.2021.1."

/* --- helpers --------------------------------------------------------------------- */

struct collected {
	struct signer_cert *certs[8];
	int count;
	int refuse_at; /* the callback fails on this call (1-based); 0 = never */
};

static hr_status collect(void *ctx, struct signer_cert *cert, struct hr_error *err)
{
	struct collected *c = ctx;

	if (c->refuse_at != 0 && c->count + 1 == c->refuse_at)
		return hr_error_set(err, HR_E_CONFLICT, "test", "refused by the callback");
	assert_true(c->count < 8);
	c->certs[c->count++] = cert;
	return HR_OK;
}

static void collected_free(struct collected *c)
{
	for (int i = 0; i < c->count; i++)
		signer_cert_free(c->certs[i]);
	c->count = 0;
}

/* Parses data that must hold exactly one certificate. */
static struct signer_cert *parse_one(const void *data, size_t len)
{
	struct collected c = {{NULL}, 0, 0};
	struct hr_error err = {0};

	if (signer_cert_parse_all(data, len, collect, &c, &err) != HR_OK) {
		print_error("refused: %s\n", err.message);
		fail();
	}
	assert_int_equal(c.count, 1);
	return c.certs[0];
}

static void b64_decode_std(const char *text, struct buf *out)
{
	buf_init(out, 1 << 16);
	assert_int_equal(base64_decode(text, strlen(text), BASE64_STANDARD, out), HR_OK);
}

static EVP_PKEY *generate(const char *type, const char *curve, size_t rsa_bits)
{
	if (strcmp(type, "RSA") == 0)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", rsa_bits);
	if (curve != NULL)
		return EVP_PKEY_Q_keygen(NULL, NULL, type, curve);
	return EVP_PKEY_Q_keygen(NULL, NULL, type);
}

struct cert_spec {
	const char *country; /* NULL: no C in the subject */
	const char *eku;     /* NULL: no extended key usage */
	time_t not_before, not_after;
};

/* A self-signed certificate as DER (malloc'ed) for key. */
static uint8_t *make_cert(EVP_PKEY *key, const struct cert_spec *spec, size_t *len)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL;
	uint8_t *copy;
	int n, base = EVP_PKEY_get_base_id(key);
	time_t now = time(NULL);

	assert_non_null(x);
	assert_true(X509_set_version(x, 2));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 42));
	assert_non_null(
	    ASN1_TIME_set(X509_getm_notBefore(x), spec->not_before ? spec->not_before : now - 60));
	assert_non_null(
	    ASN1_TIME_set(X509_getm_notAfter(x), spec->not_after ? spec->not_after : now + 86400));
	assert_true(X509_set_pubkey(x, key));
	if (spec->country != NULL)
		assert_true(X509_NAME_add_entry_by_txt(
		    name, "C", MBSTRING_ASC, (const unsigned char *)spec->country, -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					       (const unsigned char *)"test signer", -1, -1, 0));
	assert_true(X509_set_subject_name(x, name));
	assert_true(X509_set_issuer_name(x, name));
	if (spec->eku != NULL) {
		X509V3_CTX ctx;
		X509_EXTENSION *ext;
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, spec->eku);
		assert_non_null(ext);
		assert_true(X509_add_ext(x, ext, -1));
		X509_EXTENSION_free(ext);
	}
	assert_true(
	    X509_sign(x, key,
		      base == EVP_PKEY_ED25519 || base == EVP_PKEY_ED448 ? NULL : EVP_sha256()) >
	    0);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	copy = malloc((size_t)n + 1); /* one spare byte for the trailing-byte test */
	memcpy(copy, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	X509_NAME_free(name);
	X509_free(x);
	return copy;
}

static struct signer_cert *cert_with(EVP_PKEY *key, const struct cert_spec *spec)
{
	size_t len;
	uint8_t *der = make_cert(key, spec, &len);
	struct signer_cert *cert = NULL;
	struct hr_error err = {0};

	if (signer_cert_from_der(der, len, &cert, &err) != HR_OK) {
		print_error("refused: %s\n", err.message);
		fail();
	}
	free(der);
	return cert;
}

static char *der_to_pem(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *text;
	long n;

	assert_non_null(x);
	assert_true(PEM_write_bio_X509(bio, x));
	n = BIO_get_mem_data(bio, &data);
	text = malloc((size_t)n + 1);
	memcpy(text, data, (size_t)n);
	text[n] = 0;
	BIO_free(bio);
	X509_free(x);
	return text;
}

static EVP_PKEY *p256;
static char dir[256]; /* removed by teardown even when a test fails */

static int setup(void **state)
{
	(void)state;
	tk_tmpdir(dir);
	p256 = generate("EC", "P-256", 0);
	return p256 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(p256);
	tk_rmrf(dir);
	return 0;
}

/* --- the published vector ------------------------------------------------------------ */

static void test_kid_is_first_8_bytes_of_sha256_of_der_as_in_a_real_dcc(void **state)
{
	struct buf der;
	uint8_t kid[SIGNER_KID_LEN], digest[SHA256_DIGEST_LENGTH];
	struct signer_cert *cert;

	(void)state;
	b64_decode_std(co18_certificate, &der);
	signer_cert_kid(der.data, der.len, kid);
	assert_memory_equal(kid, co18_kid, 8);
	SHA256(der.data, der.len, digest);
	assert_memory_equal(digest, co18_kid, 8);

	cert = parse_one(co18_certificate, strlen(co18_certificate));
	assert_memory_equal(cert->kid, co18_kid, 8);
	assert_int_equal(cert->der_len, der.len);
	assert_memory_equal(cert->der, der.data, der.len);
	signer_cert_free(cert);
	buf_clear(&der);
}

static void test_dcc_vector_certificate_reads_as_the_spec_says(void **state)
{
	struct signer_cert *cert = parse_one(co18_certificate, strlen(co18_certificate));
	struct hr_time from, to;

	(void)state;
	assert_int_equal(cert->kind, KEY_KIND_P256);
	/* subject is CN=EC-Me only: no country */
	assert_string_equal(cert->country, "");
	/* 210503180000Z .. 210602180000Z */
	assert_int_equal(hr_time_parse("2021-05-03T18:00:00Z", &from, NULL), HR_OK);
	assert_int_equal(hr_time_parse("2021-06-02T18:00:00Z", &to, NULL), HR_OK);
	assert_int_equal(cert->not_before.seconds, from.seconds);
	assert_int_equal(cert->not_after.seconds, to.seconds);
	/* its EKU is the early-specification form 1.3.6.1.4.1.0.1847.2021.1.1/.2/.3 */
	assert_int_equal(cert->dcc_usage,
			 DCC_USAGE_TEST | DCC_USAGE_VACCINATION | DCC_USAGE_RECOVERY);
	assert_true(signer_cert_allows_dcc(cert, "v"));
	assert_true(signer_cert_allows_dcc(cert, "t"));
	assert_true(signer_cert_allows_dcc(cert, "r"));
	assert_false(signer_cert_allows_dcc(cert, "x"));
	/* and no Hromada document */
	assert_int_equal(cert->document_usage, 0);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		assert_false(signer_cert_allows_document(cert, t));
	signer_cert_free(cert);
}

/* --- forms -------------------------------------------------------------------------- */

static void test_base64_der_and_pem_of_one_certificate_parse_alike(void **state)
{
	struct buf der;
	char *pem, *spaced;
	struct signer_cert *a, *b, *c, *d;

	(void)state;
	b64_decode_std(co18_certificate, &der);
	pem = der_to_pem(der.data, der.len);
	spaced = malloc(strlen(co18_certificate) + 8);
	sprintf(spaced, " \n%s\r\n\t", co18_certificate);

	a = parse_one(co18_certificate, strlen(co18_certificate));
	b = parse_one(der.data, der.len);
	c = parse_one(pem, strlen(pem));
	d = parse_one(spaced, strlen(spaced)); /* whitespace around base64 is allowed */
	assert_memory_equal(a->kid, b->kid, 8);
	assert_memory_equal(a->kid, c->kid, 8);
	assert_memory_equal(a->kid, d->kid, 8);
	assert_int_equal(c->der_len, der.len);
	assert_memory_equal(c->der, der.data, der.len);
	signer_cert_free(a);
	signer_cert_free(b);
	signer_cert_free(c);
	signer_cert_free(d);
	free(pem);
	free(spaced);
	buf_clear(&der);
}

static void test_parsed_certificate_keeps_its_own_copy(void **state)
{
	struct buf der;
	struct signer_cert *cert = NULL;
	uint8_t kid[8];

	(void)state;
	b64_decode_std(co18_certificate, &der);
	assert_int_equal(signer_cert_from_der(der.data, der.len, &cert, NULL), HR_OK);
	memcpy(kid, cert->kid, 8);
	memset(der.data, 0, der.len);
	assert_memory_equal(cert->kid, kid, 8);
	assert_int_equal(cert->der[0], 0x30);
	signer_cert_kid(cert->der, cert->der_len, kid);
	assert_memory_equal(kid, co18_kid, 8);
	signer_cert_free(cert);
	signer_cert_free(NULL);
	buf_clear(&der);
}

static void test_parses_several_pem_certificates_in_order(void **state)
{
	struct cert_spec ua = {"UA", NULL, 0, 0}, pl = {"PL", NULL, 0, 0}, de = {"DE", NULL, 0, 0};
	size_t l1, l2, l3;
	uint8_t *d1 = make_cert(p256, &ua, &l1), *d2 = make_cert(p256, &pl, &l2),
		*d3 = make_cert(p256, &de, &l3);
	char *p1 = der_to_pem(d1, l1), *p2 = der_to_pem(d2, l2), *p3 = der_to_pem(d3, l3);
	struct collected c = {{NULL}, 0, 0};
	struct hr_error err = {0};
	struct buf bundle;

	(void)state;
	buf_init(&bundle, 1 << 16);
	buf_printf(&bundle, "Bundle of three signers\n%s\nsubject=PL\n%s%s", p1, p2, p3);
	assert_int_equal(signer_cert_parse_all(bundle.data, bundle.len, collect, &c, &err), HR_OK);
	assert_int_equal(c.count, 3);
	assert_string_equal(c.certs[0]->country, "UA");
	assert_string_equal(c.certs[1]->country, "PL");
	assert_string_equal(c.certs[2]->country, "DE");
	collected_free(&c);

	/* the callback's failure stops the walk and is returned; nothing after it is added */
	c.refuse_at = 2;
	assert_int_equal(signer_cert_parse_all(bundle.data, bundle.len, collect, &c, &err),
			 HR_E_CONFLICT);
	assert_int_equal(c.count, 1);
	assert_string_equal(err.message, "refused by the callback");
	collected_free(&c);

	buf_clear(&bundle);
	free(d1);
	free(d2);
	free(d3);
	free(p1);
	free(p2);
	free(p3);
}

static void assert_refused(const void *data, size_t len, hr_status expected)
{
	struct collected c = {{NULL}, 0, 0};
	struct hr_error err = {0};
	hr_status rc = signer_cert_parse_all(data, len, collect, &c, &err);

	if (rc != expected || c.count != 0) {
		print_error("status %d (expected %d), %d certificates added: %s\n", rc, expected,
			    c.count, err.message);
		fail();
	}
	assert_string_equal(err.stage, "certificate");
	collected_free(&c);
}

static void test_refuses_garbage_truncated_der_and_empty(void **state)
{
	struct cert_spec spec = {"UA", NULL, 0, 0};
	size_t len;
	uint8_t *der = make_cert(p256, &spec, &len);
	char *pem = der_to_pem(der, len);
	struct buf b64;
	struct signer_cert *cert = NULL;

	(void)state;
	assert_refused("", 0, HR_E_INVALID);
	assert_refused("garbage", 7, HR_E_INVALID);
	assert_refused("   \n", 4, HR_E_INVALID);
	assert_refused("MIIB!!!=", 8, HR_E_INVALID);
	assert_refused("AAAA", 4, HR_E_INVALID); /* base64 of three zero bytes */
	{
		const char *bad_body =
		    "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
		const char *no_end = "-----BEGIN CERTIFICATE-----\nMIIB\n";
		assert_refused(bad_body, strlen(bad_body), HR_E_INVALID);
		assert_refused(no_end, strlen(no_end), HR_E_INVALID);
	}
	{
		const char *key_only =
		    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"
		    "AAAA\n-----END PUBLIC KEY-----\n";
		assert_refused(key_only, strlen(key_only), HR_E_INVALID);
	}
	/* DER truncated anywhere, or with a byte after it */
	for (size_t n = 1; n < len; n += (n < 16 ? 1 : 37))
		assert_refused(der, n, HR_E_INVALID);
	der[len] = 0;
	assert_refused(der, len + 1, HR_E_INVALID);
	assert_int_equal(signer_cert_from_der(der, len + 1, &cert, NULL), HR_E_INVALID);
	assert_null(cert);
	/* base64 of truncated DER */
	buf_init(&b64, 1 << 16);
	assert_int_equal(base64_encode(der, len - 10, BASE64_STANDARD, &b64), HR_OK);
	assert_refused(b64.data, b64.len, HR_E_INVALID);
	/* PEM whose body was cut in the middle */
	{
		size_t cut = strlen(pem) / 2;
		char *half = malloc(cut + 40);
		memcpy(half, pem, cut);
		strcpy(half + cut, "\n-----END CERTIFICATE-----\n");
		assert_refused(half, strlen(half), HR_E_INVALID);
		free(half);
	}
	/* and the whole thing parses, so the refusals are about the damage */
	cert = parse_one(der, len);
	signer_cert_free(cert);
	buf_clear(&b64);
	free(pem);
	free(der);
}

/* A bundle whose second certificate is damaged is not silently cut short. */
static void test_refuses_bundle_with_a_damaged_certificate_after_a_good_one(void **state)
{
	struct cert_spec spec = {"UA", NULL, 0, 0};
	size_t len;
	uint8_t *der = make_cert(p256, &spec, &len);
	char *pem = der_to_pem(der, len);
	struct collected c = {{NULL}, 0, 0};
	struct hr_error err = {0};
	struct buf bundle;
	char *body;
	hr_status rc;

	(void)state;
	buf_init(&bundle, 1 << 16);
	buf_append_str(&bundle, pem);
	buf_append_str(&bundle, pem);
	/* a character that is not base64 in the middle of the second certificate */
	body = strstr((char *)bundle.data + strlen(pem), "\n") + 1 + 30;
	*body = '*';
	rc = signer_cert_parse_all(bundle.data, bundle.len, collect, &c, &err);
	if (rc == HR_OK && c.count == 1) {
		print_error("a bundle of 2 gave 1 certificate and no error\n");
		fail();
	}
	assert_int_not_equal(rc, HR_OK);
	collected_free(&c);
	buf_clear(&bundle);
	free(pem);
	free(der);
}

/* --- extended key usage -------------------------------------------------------------- */

static void test_each_dcc_eku_oid_allows_only_its_kind(void **state)
{
	static const struct {
		const char *eku;
		unsigned usage;
		const char *allowed;
	} cases[] = {
	    {DCC_OID_TEST, DCC_USAGE_TEST, "t"},
	    {DCC_OID_VACCINATION, DCC_USAGE_VACCINATION, "v"},
	    {DCC_OID_RECOVERY, DCC_USAGE_RECOVERY, "r"},
	    {LEGACY_DCC_ARC "1", DCC_USAGE_TEST, "t"},
	    {LEGACY_DCC_ARC "2", DCC_USAGE_VACCINATION, "v"},
	    {LEGACY_DCC_ARC "3", DCC_USAGE_RECOVERY, "r"},
	    /* both forms in one certificate add up */
	    {DCC_OID_TEST "," LEGACY_DCC_ARC "3", DCC_USAGE_TEST | DCC_USAGE_RECOVERY, "tr"},
	};
	static const char *const kinds[] = {"v", "t", "r"};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cert_spec spec = {"AT", cases[i].eku, 0, 0};
		struct signer_cert *cert = cert_with(p256, &spec);
		assert_int_equal(cert->dcc_usage, cases[i].usage);
		for (size_t k = 0; k < 3; k++) {
			bool want = strchr(cases[i].allowed, kinds[k][0]) != NULL;
			if (signer_cert_allows_dcc(cert, kinds[k]) != want) {
				print_error("EKU %s: kind %s allowed=%d\n", cases[i].eku, kinds[k],
					    !want);
				fail();
			}
		}
		assert_int_equal(cert->document_usage, 0);
		signer_cert_free(cert);
	}
}

static void test_no_dcc_eku_means_unrestricted_for_dcc(void **state)
{
	static const char *const ekus[] = {NULL, "serverAuth", "clientAuth,emailProtection",
					   "1.3.6.1.4.1.1847.2021.2.1"};

	(void)state;
	/* HCERT §5.1.1: a signer certificate with none of the DCC OIDs may sign any kind */
	for (size_t i = 0; i < sizeof(ekus) / sizeof(ekus[0]); i++) {
		struct cert_spec spec = {"AT", ekus[i], 0, 0};
		struct signer_cert *cert = cert_with(p256, &spec);
		assert_int_equal(cert->dcc_usage, 0);
		assert_true(signer_cert_allows_dcc(cert, "v"));
		assert_true(signer_cert_allows_dcc(cert, "t"));
		assert_true(signer_cert_allows_dcc(cert, "r"));
		/* but no Hromada document: those need their OID */
		for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
			assert_false(signer_cert_allows_document(cert, t));
		signer_cert_free(cert);
	}
}

static void test_near_miss_oids_grant_nothing(void **state)
{
	/* each beside the real vaccination OID, which must be the only thing granted */
	static const char *const near[] = {
	    "1.3.6.1.4.1.1847.2021.1.4",    "1.3.6.1.4.1.1847.2021.1.20",
	    "1.3.6.1.4.1.1847.2021.1.1.1",  "1.3.6.1.4.1.1847.2021.1.0",
	    "1.3.6.1.4.1.1847.2021.2.1",    "1.3.6.1.4.1.1847.2022.1.1",
	    "1.3.6.1.4.1.0.1847.2021.1.33", "1.3.6.1.4.1.0.0.1847.2021.1.1",
	    HROMADA_EKU_ARC ".0",           HROMADA_EKU_ARC ".9",
	    HROMADA_EKU_ARC ".1.1",         HROMADA_EKU_ARC "0.1",
	    HROMADA_EKU_ARC ".10",          HROMADA_EKU_ARC ".4294967297",
	};
	char eku[256];

	(void)state;
	for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		struct cert_spec spec = {"UA", eku, 0, 0};
		struct signer_cert *cert;
		snprintf(eku, sizeof(eku), "%s,%s", near[i], DCC_OID_VACCINATION);
		cert = cert_with(p256, &spec);
		if (cert->dcc_usage != DCC_USAGE_VACCINATION || cert->document_usage != 0) {
			print_error("%s granted dcc %#x, documents %#x\n", near[i], cert->dcc_usage,
				    cert->document_usage);
			fail();
		}
		signer_cert_free(cert);
	}
}

static void test_hromada_document_eku_allows_its_types_only(void **state)
{
	char eku[512];

	(void)state;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		struct cert_spec spec = {"UA", eku, 0, 0};
		struct signer_cert *cert;
		snprintf(eku, sizeof(eku), "%s.%d", HROMADA_EKU_ARC, t + 1);
		cert = cert_with(p256, &spec);
		assert_int_equal(cert->document_usage, 1u << t);
		for (int u = 0; u < DOCUMENT_TYPE_COUNT; u++)
			assert_int_equal(signer_cert_allows_document(cert, u), u == t);
		signer_cert_free(cert);
	}
	/* several types in one certificate */
	{
		struct cert_spec spec = {"UA", eku, 0, 0};
		struct signer_cert *cert;
		snprintf(eku, sizeof(eku), "%s.1,%s.8", HROMADA_EKU_ARC, HROMADA_EKU_ARC);
		cert = cert_with(p256, &spec);
		assert_true(signer_cert_allows_document(cert, 0));
		assert_true(signer_cert_allows_document(cert, 7));
		assert_false(signer_cert_allows_document(cert, 3));
		assert_false(signer_cert_allows_document(cert, -1));
		assert_false(signer_cert_allows_document(cert, DOCUMENT_TYPE_COUNT));
		signer_cert_free(cert);
	}
}

/*
 * What `hromada keys` makes: each document signer allows its own type and
 * nothing else — no other document, and no EU DCC (a driving-licence key must
 * not be able to sign a vaccination certificate) — and the hcert signer allows
 * v, t, r and no document.
 */
static void test_keys_create_country_signers_allow_only_their_type(void **state)
{
	char path[512];
	struct keys_country_options o = {"UA", dir, NULL, 0};
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(keys_create_country(&o, &err), HR_OK);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		size_t len;
		char *pem;
		struct signer_cert *cert;
		keys_signer_dir(dir, document_types[t], path, sizeof(path));
		strncat(path, "/cert.pem", sizeof(path) - strlen(path) - 1);
		pem = tk_read_file(path, &len);
		assert_non_null(pem);
		cert = parse_one(pem, len);
		assert_string_equal(cert->country, "UA");
		assert_int_equal(cert->kind, KEY_KIND_P256);
		for (int u = 0; u < DOCUMENT_TYPE_COUNT; u++) {
			if (signer_cert_allows_document(cert, u) != (u == t)) {
				print_error("the %s signer allows %s: %d\n", document_types[t],
					    document_types[u], u != t);
				fail();
			}
		}
		if (signer_cert_allows_dcc(cert, "v") || signer_cert_allows_dcc(cert, "t") ||
		    signer_cert_allows_dcc(cert, "r")) {
			print_error("the %s signer may sign EU DCCs\n", document_types[t]);
			fail();
		}
		signer_cert_free(cert);
		free(pem);
	}
	{
		size_t len;
		char *pem;
		struct signer_cert *cert;
		keys_signer_dir(dir, "hcert", path, sizeof(path));
		strncat(path, "/cert.pem", sizeof(path) - strlen(path) - 1);
		pem = tk_read_file(path, &len);
		assert_non_null(pem);
		cert = parse_one(pem, len);
		assert_int_equal(cert->dcc_usage,
				 DCC_USAGE_TEST | DCC_USAGE_VACCINATION | DCC_USAGE_RECOVERY);
		assert_int_equal(cert->document_usage, 0);
		assert_string_equal(cert->country, "UA");
		signer_cert_free(cert);
		free(pem);
	}
}

/* --- country and validity ---------------------------------------------------------- */

static void test_country_comes_from_the_subject(void **state)
{
	struct cert_spec pl = {"PL", NULL, 0, 0}, none = {NULL, NULL, 0, 0},
			 lower = {"pl", NULL, 0, 0};
	struct signer_cert *cert;

	(void)state;
	cert = cert_with(p256, &pl);
	assert_string_equal(cert->country, "PL");
	signer_cert_free(cert);
	cert = cert_with(p256, &none);
	assert_string_equal(cert->country, "");
	signer_cert_free(cert);
	/* not an ISO 3166 code as written: no country rather than a wrong one */
	cert = cert_with(p256, &lower);
	assert_string_equal(cert->country, "");
	signer_cert_free(cert);
}

static void test_validity_period_is_read_to_the_second(void **state)
{
	/* UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5) */
	struct cert_spec spec = {"UA", NULL, (time_t)1620064800, (time_t)2556143999};
	struct signer_cert *cert = cert_with(p256, &spec);
	ASN1_TIME *t = ASN1_TIME_new();
	struct hr_time out;

	(void)state;
	assert_int_equal(cert->not_before.seconds, 1620064800); /* 2021-05-03T18:00:00Z */
	assert_int_equal(cert->not_after.seconds, 2556143999);  /* 2050-12-31T23:59:59Z */
	assert_int_equal(cert->not_before.nanos, 0);
	signer_cert_free(cert);

	assert_true(ASN1_TIME_set_string(t, "19700101000000Z"));
	assert_true(asn1_time_to_hr(t, &out));
	assert_int_equal(out.seconds, 0);
	assert_true(ASN1_TIME_set_string(t, "21000301120000Z"));
	assert_true(asn1_time_to_hr(t, &out));
	assert_int_equal(out.seconds, 4107585600);
	assert_true(ASN1_TIME_set_string(t, "491231235959Z"));
	assert_true(asn1_time_to_hr(t, &out));
	assert_int_equal(out.seconds, 2524607999);
	assert_false(asn1_time_to_hr(NULL, &out));
	ASN1_TIME_free(t);
}

/* --- keys ----------------------------------------------------------------------------- */

static void test_supported_keys_are_classified(void **state)
{
	static const struct {
		const char *type, *curve;
		size_t bits;
		enum key_kind kind;
	} keys[] = {
	    {"EC", "P-256", 0, KEY_KIND_P256},      {"EC", "P-384", 0, KEY_KIND_P384},
	    {"EC", "P-521", 0, KEY_KIND_P521},      {"RSA", NULL, 2048, KEY_KIND_RSA},
	    {"ED25519", NULL, 0, KEY_KIND_ED25519},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		EVP_PKEY *key = generate(keys[i].type, keys[i].curve, keys[i].bits);
		struct cert_spec spec = {"UA", NULL, 0, 0};
		struct signer_cert *cert;
		assert_non_null(key);
		cert = cert_with(key, &spec);
		assert_int_equal(cert->kind, keys[i].kind);
		assert_non_null(cert->key);
		assert_int_equal(EVP_PKEY_eq(cert->key, key), 1);
		signer_cert_free(cert);
		EVP_PKEY_free(key);
	}
}

static void test_refuses_certificates_of_unsupported_keys(void **state)
{
	static const struct {
		const char *type, *curve;
		size_t bits;
	} keys[] = {
	    {"RSA", NULL, 1024},
	    {"ED448", NULL, 0},
	};
	int checked = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		EVP_PKEY *key = generate(keys[i].type, keys[i].curve, keys[i].bits);
		struct cert_spec spec = {"UA", NULL, 0, 0};
		struct signer_cert *cert = (struct signer_cert *)1;
		struct hr_error err = {0};
		uint8_t *der;
		size_t len;

		if (key == NULL) {
			print_message("note: this OpenSSL makes no %s %s keys; not checked\n",
				      keys[i].type, keys[i].curve ? keys[i].curve : "");
			continue;
		}
		der = make_cert(key, &spec, &len);
		assert_int_equal(signer_cert_from_der(der, len, &cert, &err), HR_E_UNSUPPORTED);
		assert_null(cert);
		assert_string_equal(err.stage, "certificate");
		assert_refused(der, len, HR_E_UNSUPPORTED);
		free(der);
		EVP_PKEY_free(key);
		checked++;
	}
	assert_true(checked >= 2); /* RSA 1024 and Ed448 at least */
}

/* EC keys of other curves are read (verified under ES*, cose_crypto.h: national
 * DCC test data has them), never used to sign. */
static void test_certificates_of_other_ec_curves_are_read(void **state)
{
	static const char *const curves[] = {"P-192", "P-224", "secp256k1"};

	(void)state;
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		EVP_PKEY *key = generate("EC", curves[i], 0);
		struct cert_spec spec = {"UA", NULL, 0, 0};
		struct signer_cert *cert = NULL;
		uint8_t *der;
		size_t len;

		if (key == NULL)
			continue;
		der = make_cert(key, &spec, &len);
		assert_int_equal(signer_cert_from_der(der, len, &cert, NULL), HR_OK);
		assert_int_equal(cert->kind, KEY_KIND_EC_OTHER);
		signer_cert_free(cert);
		free(der);
		EVP_PKEY_free(key);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kid_is_first_8_bytes_of_sha256_of_der_as_in_a_real_dcc),
	    cmocka_unit_test(test_dcc_vector_certificate_reads_as_the_spec_says),
	    cmocka_unit_test(test_base64_der_and_pem_of_one_certificate_parse_alike),
	    cmocka_unit_test(test_parsed_certificate_keeps_its_own_copy),
	    cmocka_unit_test(test_parses_several_pem_certificates_in_order),
	    cmocka_unit_test(test_refuses_garbage_truncated_der_and_empty),
	    cmocka_unit_test(test_refuses_bundle_with_a_damaged_certificate_after_a_good_one),
	    cmocka_unit_test(test_each_dcc_eku_oid_allows_only_its_kind),
	    cmocka_unit_test(test_no_dcc_eku_means_unrestricted_for_dcc),
	    cmocka_unit_test(test_near_miss_oids_grant_nothing),
	    cmocka_unit_test(test_hromada_document_eku_allows_its_types_only),
	    cmocka_unit_test(test_keys_create_country_signers_allow_only_their_type),
	    cmocka_unit_test(test_country_comes_from_the_subject),
	    cmocka_unit_test(test_validity_period_is_read_to_the_second),
	    cmocka_unit_test(test_supported_keys_are_classified),
	    cmocka_unit_test(test_refuses_certificates_of_unsupported_keys),
	    cmocka_unit_test(test_certificates_of_other_ec_curves_are_read),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
