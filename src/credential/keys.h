/*
 * keys.h — creating a country's keys and certificates (`hromada keys`):
 *
 *	DIR/root/             country signing CA: P-256, self-signed, CA:TRUE pathlen 0
 *	DIR/signers/TYPE/     one document signer per document type, issued by the
 *	                      root, EKU = HROMADA_EKU_ARC.N of that type only
 *	DIR/signers/hcert/    the EU DCC signer, EKU = the three DCC OIDs
 *	DIR/members/ID/       gateway member keys (ID with '/' written as '_')
 *	DIR/tree-head/        the key that signs the audit log's tree heads
 *	DIR/upload/           the key that signs the country's uploads to the
 *	                      cross-border trust service (its signers, members)
 * and, for the cross-border trust gateway (`hromada keys --trust-signer`):
 *	DIR/                  the trust-list signer, self-signed
 *
 * Each directory holds key.pem (PKCS#8, mode 0600) and cert.pem. Existing keys
 * are never overwritten: a second run keeps them and creates only what is
 * missing, so a state directory can be re-used safely.
 */
#ifndef HROMADA_CREDENTIAL_KEYS_H
#define HROMADA_CREDENTIAL_KEYS_H

#include <stdbool.h>

#include <openssl/evp.h>

#include <hromada/status.h>

#define KEYS_ROOT_DAYS   3650
#define KEYS_SIGNER_DAYS 730

struct keys_country_options {
	const char *country; /* "UA" */
	const char *dir;
	const char *const *members; /* "UA/GOV/00015622/drivers", ... */
	int member_count;
};

hr_status keys_create_country(const struct keys_country_options *options, struct hr_error *err);
hr_status keys_create_trust_signer(const char *dir, struct hr_error *err);

struct signer_cert;

/* A certificate for a key held elsewhere (a PKCS#11 token): issued by the
 * country root in issuer_dir (key.pem, cert.pem) exactly as keys_create_country
 * issues its own, the country taken from the root's subject. */
struct keys_certificate_request {
	EVP_PKEY *public_key;
	const char *issuer_dir;
	const char *common_name;
	const char *usage;     /* NULL (a member, tree-head or upload key), a document type, or
				  "hcert": the extended key usage, as for the signers above */
	const char *cert_path; /* written (PEM), never over an existing file */
};

hr_status keys_certify_public_key(const struct keys_certificate_request *request,
				  struct hr_error *err);

/* Every signer certificate under COUNTRY_DIR/signers/ (sorted by directory
 * name); the caller frees each with signer_cert_free and the array with free. */
hr_status keys_load_signers(const char *country_dir, struct signer_cert ***certs, size_t *count,
			    struct hr_error *err);

/* Where the signer for a document type (or "hcert") lives under a country dir. */
void keys_signer_dir(const char *country_dir, const char *type, char *out, size_t size);

#endif
