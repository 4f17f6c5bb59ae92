/*
 * trust_list.h — the signed cross-border trust list (docs/TRUST_LIST.md): every
 * country's document-signer certificates, signed by the trust gateway, as a JWS
 * in flattened JSON serialisation (RFC 7515 §7.2.2), so that any JOSE library
 * can check it. A verifier pins the trust-list signer's key; the list is loaded
 * with hr_trust_store_load_list() (include/hromada/verify.h).
 *
 * Two sides use this header: the trust service and the gateways build and sign
 * lists (trust_list_sign_payload, trust_list_build), verifiers and gateways open
 * them (trust_list_open). Opening never trusts anything before the signature
 * verifies under the pinned anchor; it never looks at the x5c header.
 */
#ifndef HROMADA_CREDENTIAL_TRUST_LIST_H
#define HROMADA_CREDENTIAL_TRUST_LIST_H

#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "core/buf.h"

struct signer;
struct signer_cert;

#define TRUST_LIST_FORMAT  "hromada-trust-list"
#define TRUST_LIST_VERSION 1
#define TRUST_LIST_TYPE    "hromada-trust-list+json"
/* The largest list text accepted or produced (16 MiB: ~20 000 signers). */
#define TRUST_LIST_MAX_BYTES (16 * 1024 * 1024)

struct trust_list_signer {
	const struct signer_cert *cert;
	const char *country; /* two letters: the issuer its credentials name */
};

/* Signs a list of signers; appends the JWS JSON text to out. Stage "trust_list".
 * A wrapper over trust_list_sign_payload: the payload has format, version,
 * sequence, issued_at, next_update = issued_at + validity_seconds, signers. */
hr_status trust_list_build(struct signer *list_signer, const struct trust_list_signer *signers,
			   size_t count, int64_t sequence, int64_t issued_at,
			   int64_t validity_seconds, struct buf *out, struct hr_error *err);

/* Signs payload (a complete list object) as the JWS text; stage "trust_list".
 * The header is {"alg", "typ": TRUST_LIST_TYPE, "x5c": [the signer's
 * certificate]}; the payload is serialised compactly, members in their order. */
hr_status trust_list_sign_payload(struct signer *list_signer, const json_t *payload,
				  struct buf *out, struct hr_error *err);

struct trust_list_info {
	int64_t sequence, issued_at, next_update; /* times in seconds since the epoch */
};

/*
 * Checks the JWS under anchor, format/version, times; refuses now > next_update
 * + grace_s (HR_E_EXPIRED). On success *payload is the list object (caller
 * decrefs); members other than the documented ones are left for the caller
 * (the gateways' "members", "gateways"). Stage "trust_list". Refusals:
 * HR_E_TOO_LARGE, HR_E_INVALID (not a JWS, bad base64, bad times),
 * HR_E_UNSUPPORTED (alg, crit, format, version), HR_E_SIGNATURE, HR_E_EXPIRED.
 * The signers are not checked here; loading them into a trust store is.
 */
hr_status trust_list_open(const void *data, size_t len, const struct signer_cert *anchor,
			  int64_t now, int64_t grace_s, struct trust_list_info *info,
			  json_t **payload, struct hr_error *err);

#endif
