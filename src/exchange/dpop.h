/*
 * dpop.h — OAuth 2.0 Demonstrating Proof of Possession (RFC 9449), server side:
 * checking the DPoP proof a client sends with each request (§4.3), and, for
 * clients, tests and benchmarks, making one.
 *
 * A proof is a compact JWS with header {typ: "dpop+jwt", alg: "ES256", jwk}
 * and claims {htm, htu, iat, jti, ath}. The checks, in §4.3's order: one proof
 * only; typ; alg ES256 (no symmetric or "none"); the header jwk is a public key
 * and verifies the signature; htm equals the request method; htu equals the
 * request URI without query and fragment (scheme and host compared
 * case-insensitively); iat within [now - max_age, now + max_future]; jti not
 * seen before (replay cache); ath equals base64url(SHA-256(access token)) when
 * the request carries one; the key's thumbprint equals the token's bound jkt.
 */
#ifndef HROMADA_EXCHANGE_DPOP_H
#define HROMADA_EXCHANGE_DPOP_H

#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"
#include "exchange/jose.h"
#include "exchange/replay.h"

#define DPOP_MAX_AGE_S    60
#define DPOP_MAX_FUTURE_S 5
#define DPOP_MAX_LEN      4096

struct dpop_check {
	const char *method;       /* "GET" */
	const char *uri;          /* the request's full URI as the client addressed it */
	const char *access_token; /* NULL at the token endpoint */
	const char *bound_jkt;    /* the token's cnf.jkt; NULL when not yet bound */
	int64_t now;
	struct replay_cache *jti_seen;
};

struct dpop_result {
	char jkt[JOSE_THUMBPRINT_LEN]; /* thumbprint of the proof's key */
};

/* HR_OK or HR_E_DENIED/HR_E_INVALID with stage "dpop" and the failed rule. */
hr_status dpop_verify(const char *proof, const struct dpop_check *check, struct dpop_result *result,
		      struct hr_error *err);

/* Makes a proof with signer (whose key is the device key). jti is fresh random. */
hr_status dpop_proof_make(struct signer *signer, const char *method, const char *uri,
			  const char *access_token, int64_t iat, struct buf *out,
			  struct hr_error *err);

#endif
