/*
 * consent.h — the citizen's consent to an exchange about them: a compact JWS
 * (ES256) made by the citizen's enrolled device and relayed by the wallet in
 * the Hromada-Consent header (docs/EXCHANGE.md):
 *
 *	header  {"typ": "hromada-consent+jwt", "alg": "ES256", "jwk": <device key>}
 *	claims  {"sub": "UA:3012345670", "purpose": "citizen-wallet",
 *	         "docs": ["driver_licence"] or ["*"], "iat": ..., "exp": ..., "jti": "..."}
 *
 * A consent is valid for an exchange when its signature verifies under its own
 * device key, sub is the person the request is about, purpose is the request's
 * purpose, docs covers the provider's document type, iat is not in the future,
 * exp has not passed and exp - iat is at most CONSENT_MAX_LIFETIME_S. The
 * device-to-person binding is the wallet's to vouch for (it enrolled the
 * device and signs the request that relays the consent).
 *
 * A consent may be used for several exchanges within its lifetime; the checker
 * remembers which token bytes it has already verified so that it does not run
 * the ECDSA verification again for the same bytes (never for different ones).
 */
#ifndef HROMADA_EXCHANGE_CONSENT_H
#define HROMADA_EXCHANGE_CONSENT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "core/buf.h"

#define CONSENT_MAX_LIFETIME_S 600
#define CONSENT_MAX_LEN        4096
#define CONSENT_TYPE           "hromada-consent+jwt"

struct consent_checker;
struct signer;

struct consent_checker *consent_checker_new(void);
void consent_checker_free(struct consent_checker *checker);

/* HR_OK and the consent's id (its jti) in id, or HR_E_DENIED with the reason. */
hr_status consent_check(struct consent_checker *checker, const char *token, const char *person,
			const char *purpose, const char *document_type, int64_t now, char *id,
			size_t id_size, struct hr_error *err);

/*
 * Makes a consent as a citizen's device does: signed by device (whose public
 * JWK is jwk), for person and purpose, every document type ("docs": ["*"]),
 * valid from iat for lifetime_s seconds (at most CONSENT_MAX_LIFETIME_S), with
 * a fresh random jti. Appends the compact JWS to out. Stage "consent".
 */
hr_status consent_make(struct signer *device, const json_t *jwk, const char *person,
		       const char *purpose, int64_t iat, int64_t lifetime_s, struct buf *out,
		       struct hr_error *err);

#endif
