/*
 * certs.c — certificates made by the tests (see certs.h).
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "core/base64.h"
#include "core/buf.h"
#include "credential/signer_cert.h"
#include "e2e/certs.h"

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(cert, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

void certs_issue(const char *root_dir, const char *dir, const char *country, const char *cn,
		 const char *eku, int64_t from_s, int64_t until_s)
{
	char path[1024];
	unsigned char serial[16];
	FILE *f;
	EVP_PKEY *root_key, *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *root, *cert = X509_new();
	X509_NAME *name = X509_NAME_new();
	BIGNUM *bn;

	snprintf(path, sizeof(path), "%s/key.pem", root_dir);
	assert_non_null(f = fopen(path, "r"));
	root_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	snprintf(path, sizeof(path), "%s/cert.pem", root_dir);
	assert_non_null(f = fopen(path, "r"));
	root = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(root_key);
	assert_non_null(root);
	assert_non_null(key);
	assert_int_equal(RAND_bytes(serial, sizeof(serial)), 1);
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
	BN_free(bn);
	X509_set_version(cert, 2);
	X509_gmtime_adj(X509_getm_notBefore(cert), (long)from_s);
	X509_gmtime_adj(X509_getm_notAfter(cert), (long)until_s);
	X509_set_pubkey(cert, key);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)country, -1, -1,
				   0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Hromada", -1,
				   -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(cert, name);
	X509_set_issuer_name(cert, X509_get_subject_name(root));
	add_ext(cert, root, NID_basic_constraints, "critical,CA:FALSE");
	add_ext(cert, root, NID_key_usage, "critical,digitalSignature");
	add_ext(cert, root, NID_subject_key_identifier, "hash");
	add_ext(cert, root, NID_authority_key_identifier, "keyid:always");
	if (eku != NULL)
		add_ext(cert, root, NID_ext_key_usage, eku);
	assert_true(X509_sign(cert, root_key, EVP_sha256()) > 0);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(PEM_write_X509(f, cert), 1);
	fclose(f);
	X509_NAME_free(name);
	X509_free(cert);
	X509_free(root);
	EVP_PKEY_free(key);
	EVP_PKEY_free(root_key);
}

void certs_read(const char *path, char *der_b64, size_t der_size, char *kid_b64, size_t kid_size)
{
	FILE *f = fopen(path, "r");
	X509 *x;
	unsigned char *der = NULL;
	uint8_t kid[SIGNER_KID_LEN];
	struct buf text;
	int n;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	buf_init(&text, 64 * 1024);
	assert_int_equal(base64_encode(der, (size_t)n, BASE64_STANDARD, &text), HR_OK);
	assert_true(text.len < der_size);
	snprintf(der_b64, der_size, "%s", buf_str(&text));
	signer_cert_kid(der, (size_t)n, kid);
	buf_reset(&text);
	assert_int_equal(base64_encode(kid, sizeof(kid), BASE64_STANDARD, &text), HR_OK);
	snprintf(kid_b64, kid_size, "%s", buf_str(&text));
	buf_clear(&text);
	OPENSSL_free(der);
	X509_free(x);
}
