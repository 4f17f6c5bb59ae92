/*
 * signer_cert.c — X.509 signer certificates: parsing once, classifying the key,
 * computing the kid, reading validity, country and extended key usage.
 */
#include "credential/signer_cert.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/digest.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/file.h"

#define STAGE "certificate"

/* The early-specification spelling of the DCC OIDs (see the header). */
#define DCC_OID_LEGACY_PREFIX "1.3.6.1.4.1.0.1847.2021.1."
#define DCC_OID_PREFIX        "1.3.6.1.4.1.1847.2021.1."

void signer_cert_kid(const uint8_t *der, size_t len, uint8_t kid[SIGNER_KID_LEN])
{
	uint8_t digest[DIGEST_SHA256_LEN];

	/* a failed hash leaves zeros: a kid no signer has */
	(void)digest_sha256_of(der, len, digest);
	memcpy(kid, digest, SIGNER_KID_LEN);
}

bool asn1_time_to_hr(const ASN1_TIME *t, struct hr_time *out)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return false;
	out->seconds = (int64_t)timegm(&tm);
	out->nanos = 0;
	return true;
}

static void read_country(X509 *x509, char *out, size_t size)
{
	X509_NAME *subject = X509_get_subject_name(x509);
	int n = X509_NAME_get_text_by_NID(subject, NID_countryName, out, (int)size);

	if (n != 2 || !isupper((unsigned char)out[0]) || !isupper((unsigned char)out[1]))
		out[0] = 0;
}

static void read_usage(struct signer_cert *c)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(c->x509, NID_ext_key_usage, NULL, NULL);
	char oid[160];
	size_t arc_len = strlen(HROMADA_EKU_ARC);

	if (eku == NULL)
		return;
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		const char *last;
		if (OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i), 1) <= 0)
			continue;
		if (strncmp(oid, DCC_OID_PREFIX, strlen(DCC_OID_PREFIX)) == 0)
			last = oid + strlen(DCC_OID_PREFIX);
		else if (strncmp(oid, DCC_OID_LEGACY_PREFIX, strlen(DCC_OID_LEGACY_PREFIX)) == 0)
			last = oid + strlen(DCC_OID_LEGACY_PREFIX);
		else
			last = NULL;
		if (last != NULL) {
			if (strcmp(last, "1") == 0)
				c->dcc_usage |= DCC_USAGE_TEST;
			else if (strcmp(last, "2") == 0)
				c->dcc_usage |= DCC_USAGE_VACCINATION;
			else if (strcmp(last, "3") == 0)
				c->dcc_usage |= DCC_USAGE_RECOVERY;
			continue;
		}
		if (strncmp(oid, HROMADA_EKU_ARC, arc_len) == 0 && oid[arc_len] == '.') {
			char *end;
			long n = strtol(oid + arc_len + 1, &end, 10);
			if (*end == 0 && n >= 1 && n <= DOCUMENT_TYPE_COUNT)
				c->document_usage |= 1u << (n - 1);
		}
	}
	EXTENDED_KEY_USAGE_free(eku);
}

hr_status signer_cert_from_der(const uint8_t *der, size_t len, struct signer_cert **out,
			       struct hr_error *err)
{
	const unsigned char *p = der;
	struct signer_cert *c;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	c->x509 = d2i_X509(NULL, &p, (long)len);
	if (c->x509 == NULL || p != der + len) {
		signer_cert_free(c);
		return hr_error_set(err, HR_E_INVALID, STAGE, "not a DER X.509 certificate");
	}
	c->key = X509_get0_pubkey(c->x509);
	if (c->key == NULL || (c->kind = key_kind_of(c->key)) == KEY_KIND_UNSUPPORTED) {
		signer_cert_free(c);
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
				    "certificate key is not EC, RSA >= 2048 or Ed25519");
	}
	if (!asn1_time_to_hr(X509_get0_notBefore(c->x509), &c->not_before) ||
	    !asn1_time_to_hr(X509_get0_notAfter(c->x509), &c->not_after)) {
		signer_cert_free(c);
		return hr_error_set(err, HR_E_INVALID, STAGE, "certificate validity is unreadable");
	}
	c->der = malloc(len);
	if (c->der == NULL) {
		signer_cert_free(c);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	memcpy(c->der, der, len);
	c->der_len = len;
	signer_cert_kid(der, len, c->kid);
	read_country(c->x509, c->country, sizeof(c->country));
	read_usage(c);
	*out = c;
	return HR_OK;
}

void signer_cert_free(struct signer_cert *cert)
{
	if (cert == NULL)
		return;
	X509_free(cert->x509);
	free(cert->der);
	free(cert);
}

static hr_status add_der(const uint8_t *der, size_t len,
			 hr_status (*add)(void *, struct signer_cert *, struct hr_error *),
			 void *ctx, struct hr_error *err)
{
	struct signer_cert *cert;
	hr_status rc;

	if ((rc = signer_cert_from_der(der, len, &cert, err)) != HR_OK)
		return rc;
	if ((rc = add(ctx, cert, err)) != HR_OK)
		signer_cert_free(cert);
	return rc;
}

static hr_status parse_pem(const void *data, size_t len,
			   hr_status (*add)(void *, struct signer_cert *, struct hr_error *),
			   void *ctx, struct hr_error *err)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	int count = 0;
	hr_status rc = HR_OK;

	if (bio == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	ERR_set_mark();
	for (;;) {
		X509 *x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		unsigned char *der = NULL;
		unsigned long e;
		int n;
		if (x509 == NULL) {
			/* the end of the data, or a block that is damaged: never drop
			 * part of a bundle silently */
			e = ERR_peek_last_error();
			if (ERR_GET_LIB(e) != ERR_LIB_PEM ||
			    ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
				rc = hr_error_set(err, HR_E_INVALID, STAGE,
						  "PEM certificate %d is unreadable", count + 1);
			break;
		}
		n = i2d_X509(x509, &der);
		X509_free(x509);
		if (n <= 0) {
			rc = hr_error_set(err, HR_E_INVALID, STAGE, "unreadable PEM certificate");
			break;
		}
		rc = add_der(der, (size_t)n, add, ctx, err);
		OPENSSL_free(der);
		if (rc != HR_OK)
			break;
		count++;
	}
	ERR_pop_to_mark();
	BIO_free(bio);
	if (rc == HR_OK && count == 0)
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "no certificate in the PEM data");
	return rc;
}

hr_status signer_cert_parse_all(const void *data, size_t len,
				hr_status (*add)(void *, struct signer_cert *, struct hr_error *),
				void *ctx, struct hr_error *err)
{
	const uint8_t *bytes = data;
	struct buf der;
	size_t start = 0, end = len;
	hr_status rc;

	if (len > 16 * 1024 * 1024)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "certificate data is too large");
	if (memmem(data, len, "-----BEGIN", 10) != NULL)
		return parse_pem(data, len, add, ctx, err);
	if (len > 0 && bytes[0] == 0x30) /* DER SEQUENCE */
		return add_der(bytes, len, add, ctx, err);
	/* base64 of DER, possibly surrounded by whitespace */
	while (start < end && isspace(bytes[start]))
		start++;
	while (end > start && isspace(bytes[end - 1]))
		end--;
	buf_init(&der, len);
	if (base64_decode((const char *)bytes + start, end - start, BASE64_STANDARD, &der) !=
	    HR_OK) {
		buf_clear(&der);
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "not a certificate (PEM, DER or base64 of DER expected)");
	}
	rc = add_der(der.data, der.len, add, ctx, err);
	buf_clear(&der);
	return rc;
}

static hr_status keep_first(void *ctx, struct signer_cert *cert, struct hr_error *err)
{
	struct signer_cert **slot = ctx;

	(void)err;
	if (*slot == NULL)
		*slot = cert;
	else
		signer_cert_free(cert);
	return HR_OK;
}

hr_status signer_cert_parse_first(const void *data, size_t len, struct signer_cert **out,
				  struct hr_error *err)
{
	hr_status rc;

	*out = NULL;
	if ((rc = signer_cert_parse_all(data, len, keep_first, out, err)) != HR_OK) {
		signer_cert_free(*out);
		*out = NULL;
	}
	return rc;
}

hr_status signer_cert_read_file(const char *path, struct signer_cert **out, struct hr_error *err)
{
	struct buf data;
	hr_status rc;

	*out = NULL;
	buf_init(&data, 1024 * 1024);
	if ((rc = file_read(path, &data, err)) == HR_OK &&
	    (rc = signer_cert_parse_first(data.data, data.len, out, err)) != HR_OK)
		hr_error_prefix(err, "%s", path);
	buf_clear(&data);
	return rc;
}

hr_status signer_cert_base64(const struct signer_cert *cert, struct buf *out)
{
	return base64_encode(cert->der, cert->der_len, BASE64_STANDARD, out);
}

bool signer_cert_allows_dcc(const struct signer_cert *cert, const char *kind)
{
	/* no DCC key usage: the signer is not restricted (HCERT §5.1.1), unless it
	 * is a Hromada document signer, whose EKU already says what it is for */
	if (cert->dcc_usage == 0)
		return cert->document_usage == 0;
	if (strcmp(kind, "t") == 0)
		return cert->dcc_usage & DCC_USAGE_TEST;
	if (strcmp(kind, "v") == 0)
		return cert->dcc_usage & DCC_USAGE_VACCINATION;
	if (strcmp(kind, "r") == 0)
		return cert->dcc_usage & DCC_USAGE_RECOVERY;
	return false;
}

bool signer_cert_allows_document(const struct signer_cert *cert, int type_index)
{
	return type_index >= 0 && type_index < DOCUMENT_TYPE_COUNT &&
	       (cert->document_usage & (1u << type_index));
}

hr_status signer_cert_public_key_file(const char *path, EVP_PKEY **out, struct hr_error *err)
{
	FILE *f = fopen(path, "r");
	X509 *cert;

	*out = NULL;
	if (f == NULL)
		return hr_error_set(err, HR_E_IO, "certificate", "cannot open certificate %s: %s",
				    path, strerror(errno));
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (cert == NULL)
		return hr_error_set(err, HR_E_INVALID, "certificate", "%s holds no PEM certificate",
				    path);
	*out = X509_get_pubkey(cert);
	X509_free(cert);
	if (*out == NULL)
		return hr_error_set(err, HR_E_INVALID, "certificate", "%s has no usable key", path);
	return HR_OK;
}
