/*
 * signer_cert.h — document-signer certificates (X.509) as a verifier needs them:
 * parsed once, with the key ready to use, the kid, the validity period, the
 * country, and what the certificate allows its key to sign.
 *
 * What a signer may sign is written in its extended key usage (EKU):
 * - EU DCC (HCERT spec §5.1.1): 1.3.6.1.4.1.1847.2021.1.1 test, .2 vaccination,
 *   .3 recovery; the form 1.3.6.1.4.1.0.1847.2021.1.x, from an early edition of
 *   the specification, is used by deployed signers (Ukraine's among them) and is
 *   accepted as the same thing. A DCC signer with none of these may sign any kind;
 *   a Hromada document signer (below) with none of these signs no DCC.
 * - Hromada documents: HROMADA_EKU_ARC.N for the N-th type of DESIGN.md §3
 *   (1 = id_card ... 8 = military_record). The arc is a UUID OID (ITU-T X.667,
 *   2.25.<uuid>), which needs no registration. A Hromada signer must carry the
 *   OID of every document type it signs: no OID, no documents.
 */
#ifndef HROMADA_CREDENTIAL_SIGNER_CERT_H
#define HROMADA_CREDENTIAL_SIGNER_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include <hromada/status.h>
#include <hromada/verify.h>

#include "core/buf.h"
#include "credential/cose_crypto.h"

#define HROMADA_EKU_ARC "2.25.34867928159994576829809997067329114833.1"

#define DCC_OID_TEST        "1.3.6.1.4.1.1847.2021.1.1"
#define DCC_OID_VACCINATION "1.3.6.1.4.1.1847.2021.1.2"
#define DCC_OID_RECOVERY    "1.3.6.1.4.1.1847.2021.1.3"

enum dcc_usage {
	DCC_USAGE_TEST = 1 << 0,
	DCC_USAGE_VACCINATION = 1 << 1,
	DCC_USAGE_RECOVERY = 1 << 2,
};

#define SIGNER_KID_LEN 8

struct signer_cert {
	X509 *x509;
	EVP_PKEY *key; /* owned by x509; parsed once */
	enum key_kind kind;
	uint8_t kid[SIGNER_KID_LEN];
	struct hr_time not_before;
	struct hr_time not_after;
	char country[4];         /* subject C, "" when absent */
	unsigned dcc_usage;      /* enum dcc_usage bits from the EKU */
	unsigned document_usage; /* bit i: may sign document_types[i] */
	uint8_t *der;
	size_t der_len;
};

/* Parses one DER certificate. Stage "certificate". */
hr_status signer_cert_from_der(const uint8_t *der, size_t len, struct signer_cert **out,
			       struct hr_error *err);
void signer_cert_free(struct signer_cert *cert);

/*
 * Parses certificates given as PEM (one or more), DER, or base64 of DER, calling
 * add for each; stops at the first failure. Returns HR_E_INVALID when the data
 * holds no certificate at all.
 */
hr_status signer_cert_parse_all(const void *data, size_t len,
				hr_status (*add)(void *ctx, struct signer_cert *cert,
						 struct hr_error *err),
				void *ctx, struct hr_error *err);

/* The first certificate of data (PEM, DER or base64 of DER) into *out, for
 * data that should hold one (a member's, an anchor): later ones are parsed and
 * dropped. On failure *out is NULL. Caller frees with signer_cert_free. */
hr_status signer_cert_parse_first(const void *data, size_t len, struct signer_cert **out,
				  struct hr_error *err);

/* The first certificate of the file at path (PEM, DER or base64 of DER, at
 * most 1 MiB). The message names the file. Caller frees with signer_cert_free. */
hr_status signer_cert_read_file(const char *path, struct signer_cert **out, struct hr_error *err);

/* Appends the standard base64 of the certificate's DER to out: how trust lists
 * and countries' uploads carry a certificate. */
hr_status signer_cert_base64(const struct signer_cert *cert, struct buf *out);

/* The public key of the (first) PEM certificate in path: a peer member's key,
 * checked signatures against. Caller frees *out. Stage "certificate". */
hr_status signer_cert_public_key_file(const char *path, EVP_PKEY **out, struct hr_error *err);

/* May this certificate sign a DCC of kind "v", "t" or "r"? */
bool signer_cert_allows_dcc(const struct signer_cert *cert, const char *kind);
/* May it sign this Hromada document type (index into document_types)? */
bool signer_cert_allows_document(const struct signer_cert *cert, int type_index);

/* kid = the first 8 bytes of SHA-256 over the DER certificate (HCERT §3.3.1). */
void signer_cert_kid(const uint8_t *der, size_t len, uint8_t kid[SIGNER_KID_LEN]);

/* ASN1_TIME to struct hr_time; false when it cannot be converted. */
bool asn1_time_to_hr(const ASN1_TIME *t, struct hr_time *out);

#endif
