/*
 * trust_checks.c — what a country may publish through the trust service.
 *
 * A certificate is accepted for country C only when
 *   - it is one DER X.509 certificate with a key verifiers can use;
 *   - it chains to C's onboarded root (signature and validity of both, at the
 *     service's clock): nobody else's signer can be slipped into C's part of
 *     the list, and C cannot publish another country's;
 *   - its subject names C (countryName);
 *   - it is an end entity (not a CA) whose key usage, when present, allows
 *     digital signatures;
 *   - a document signer carries the extended key usage of what it signs: a
 *     Hromada document type or the EU DCC kinds (signer_cert.h). A certificate
 *     that says nothing of what it signs is not a signer.
 * Never: trust the upload for what its certificates claim, or accept a chain
 * through anything but the onboarded root.
 */
#include "trust/trust_internal.h"

#include <string.h>

#include <openssl/x509v3.h>

#include "core/base64.h"
#include "core/error.h"
#include "credential/signer_cert.h"

#define STAGE "trust"

static hr_status chains_to_root(X509 *cert, X509 *root, int64_t now, struct hr_error *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	hr_status rc = HR_E_NOMEM;

	if (store != NULL && ctx != NULL && X509_STORE_add_cert(store, root) == 1 &&
	    X509_STORE_CTX_init(ctx, store, cert, NULL) == 1) {
		X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
		if (X509_verify_cert(ctx) == 1) {
			rc = HR_OK;
		} else {
			int e = X509_STORE_CTX_get_error(ctx);
			rc = e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID
				 ? hr_error_set(err, HR_E_EXPIRED, STAGE,
						"the certificate is not valid now (%s)",
						X509_verify_cert_error_string(e))
				 : hr_error_set(err, HR_E_DENIED, STAGE,
						"the certificate does not chain to the country's "
						"root (%s)",
						X509_verify_cert_error_string(e));
		}
	} else {
		hr_error_set(err, rc, STAGE, "out of memory");
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

hr_status trust_check_certificate(const struct trust_country *c, const char *base64_der,
				  enum trust_cert_kind kind, int64_t now, X509 **out,
				  struct hr_error *err)
{
	struct signer_cert *cert = NULL;
	struct buf der;
	uint32_t usage;
	hr_status rc;

	*out = NULL;
	buf_init(&der, strlen(base64_der));
	if (base64_decode(base64_der, strlen(base64_der), BASE64_STANDARD, &der) != HR_OK) {
		buf_clear(&der);
		return hr_error_set(err, HR_E_INVALID, STAGE, "the certificate is not base64");
	}
	rc = signer_cert_from_der(der.data, der.len, &cert, err);
	buf_clear(&der);
	if (rc != HR_OK)
		return rc;
	if (strcmp(cert->country, c->code) != 0) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE,
				  "the certificate names country '%s', not %s", cert->country,
				  c->code);
		goto done;
	}
	if ((rc = chains_to_root(cert->x509, c->root, now, err)) != HR_OK)
		goto done;
	usage = X509_get_key_usage(cert->x509);
	if (X509_check_ca(cert->x509) != 0 || !(usage & KU_DIGITAL_SIGNATURE)) {
		rc = hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
				  "the certificate is a CA or its key usage excludes signatures");
		goto done;
	}
	if (kind == TRUST_CERT_SIGNER && cert->dcc_usage == 0 && cert->document_usage == 0) {
		rc = hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
				  "a document signer must carry the extended key usage of what it "
				  "signs (a Hromada document type or the EU DCC kinds)");
		goto done;
	}
	X509_up_ref(cert->x509);
	*out = cert->x509;
done:
	signer_cert_free(cert);
	return rc;
}
