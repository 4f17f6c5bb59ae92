/*
 * trust_list.h — the signed cross-border trust list (docs/TRUST_LIST.md): every
 * country's document-signer certificates, signed by the trust gateway, as a JWS
 * in flattened JSON serialisation (RFC 7515 §7.2.2), so that any JOSE library
 * can check it. A verifier pins the trust-list signer's key; the list is loaded
 * with hr_trust_store_load_list() (include/hromada/verify.h).
 */
#ifndef HROMADA_CREDENTIAL_TRUST_LIST_H
#define HROMADA_CREDENTIAL_TRUST_LIST_H

#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"

struct signer;
struct signer_cert;

#define TRUST_LIST_FORMAT  "hromada-trust-list"
#define TRUST_LIST_VERSION 1
#define TRUST_LIST_TYPE    "hromada-trust-list+json"

struct trust_list_signer {
	const struct signer_cert *cert;
	const char *country; /* two letters: the issuer its credentials name */
};

/* Signs a list of signers; appends the JWS JSON text to out. Stage "trust_list". */
hr_status trust_list_build(struct signer *list_signer, const struct trust_list_signer *signers,
			   size_t count, int64_t sequence, int64_t issued_at,
			   int64_t validity_seconds, struct buf *out, struct hr_error *err);

#endif
