/*
 * signer.h — the one seam through which anything in Hromada signs: document
 * signers, gateway and member keys, the tree-head key, the trust-list key.
 *
 * Callers hold a struct signer and ask it to sign bytes; they never see the
 * private key. Today the key lives in this process (signer_open_files); the
 * direction (DESIGN.md §9) is a separate key process answering fixed-size sign
 * requests over a socketpair, and PKCS#11 for HSMs — both are new
 * implementations of struct signer_ops, and no caller changes.
 *
 * A signer is safe to use from several threads at once.
 */
#ifndef HROMADA_CREDENTIAL_SIGNER_H
#define HROMADA_CREDENTIAL_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"
#include "credential/cose_crypto.h"

struct signer_cert;

struct signer_ops {
	/* Signs tbs with the signer's algorithm; *sig_len: capacity in, length out. */
	hr_status (*sign)(void *impl, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
			  size_t *sig_len, struct hr_error *err);
	void (*free)(void *impl);
};

struct signer;

/* A signer from a private key reference and, optionally, its PEM certificate
 * (which gives the kid; without one the kid is empty; with one, it must be the
 * key's). key_path is one of:
 *  - a PEM private key file: an in-process signer; the file's text is wiped
 *    from memory after parsing;
 *  - a PKCS#11 URI (RFC 7512, "pkcs11:token=...;object=...?module-path=...
 *    &pin-source=file:..."): the key stays in the token (signer_pkcs11.h);
 *  - a file whose text is such a URI (a key reference file, as
 *    `hromada keys pkcs11-generate` writes beside the certificate), so a
 *    directory of signers may mix keys in files and keys in a token. */
hr_status signer_open_files(const char *key_path, const char *cert_path, struct signer **out,
			    struct hr_error *err);
/* An in-process signer over a key the caller already holds (the signer takes
 * its own reference). */
hr_status signer_from_key(EVP_PKEY *key, const struct signer_cert *cert, struct signer **out,
			  struct hr_error *err);
/* A signer over another implementation (a token, a key process). impl is
 * owned by the signer from here on, also on failure (ops->free releases it);
 * public_key (public half only) gets its own reference; cert, when given, must
 * be public_key's certificate. */
hr_status signer_from_ops(const struct signer_ops *ops, void *impl, EVP_PKEY *public_key,
			  const struct signer_cert *cert, struct signer **out,
			  struct hr_error *err);
void signer_free(struct signer *signer);

/* Where signer_open_files takes private keys from when they must not be read
 * into this process: a network-facing process installs the key process's
 * loader before it opens any role (keyproc_client.h). NULL (the default):
 * keys are read here. PKCS#11 keys (a URI, or a file that holds one) stay in
 * their token either way; with a loader only a file's first bytes are read
 * here, to tell the two apart. Not thread-safe: set once at start-up. */
typedef hr_status (*signer_key_loader)(const char *key_path, const struct signer_cert *cert,
				       struct signer **out, struct hr_error *err);
void signer_set_key_loader(signer_key_loader loader);

hr_status signer_sign(struct signer *signer, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
		      size_t *sig_len, struct hr_error *err);
const struct cose_alg *signer_alg(const struct signer *signer);
/* The certificate's kid (first 8 bytes of SHA-256 of its DER), or empty. */
struct slice signer_kid(const struct signer *signer);
/* The certificate, or NULL when opened without one. */
const struct signer_cert *signer_certificate(const struct signer *signer);
/* The public key only (never the private part), owned by the signer: for JWKs,
 * thumbprints and directories. */
EVP_PKEY *signer_public_key(const struct signer *signer);

#endif
