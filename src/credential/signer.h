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

/* An in-process signer from a PEM private key and, optionally, its PEM
 * certificate (which gives the kid; without one the kid is empty). The private
 * key file's text is wiped from memory after parsing. */
hr_status signer_open_files(const char *key_path, const char *cert_path, struct signer **out,
			    struct hr_error *err);
/* An in-process signer over a key the caller already holds (the signer takes
 * its own reference). */
hr_status signer_from_key(EVP_PKEY *key, const struct signer_cert *cert, struct signer **out,
			  struct hr_error *err);
void signer_free(struct signer *signer);

/* For implementations of struct signer_ops (the key process's client, PKCS#11):
 * a signer over impl, whose public key is key's (only the public half is kept)
 * and whose certificate, if any, must be for that key. On success the signer
 * owns impl (ops->free releases it); on failure the caller still does. */
hr_status signer_new(const struct signer_ops *ops, void *impl, EVP_PKEY *key,
		     const struct signer_cert *cert, struct signer **out, struct hr_error *err);

/* Where signer_open_files takes private keys from when they must not be read
 * into this process: a network-facing process installs the key process's
 * loader before it opens any role (keyproc_client.h). NULL (the default):
 * keys are read here. Not thread-safe: set once at start-up. */
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
