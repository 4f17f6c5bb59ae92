/*
 * consent.h — the citizen's consent to an exchange about them: a compact JWS
 * (ES256) made by the citizen's enrolled device and relayed by the wallet in
 * the Hromada-Consent header (docs/EXCHANGE.md):
 *
 *	header  {"typ": "hromada-consent+jwt", "alg": "ES256", "jwk": <device key>}
 *	claims  {"sub": "UA:3012345670", "purpose": "citizen-wallet",
 *	         "aud": "UA/GOV/43395033/wallet", "docs": ["driver_licence"],
 *	         "iat": ..., "exp": ..., "jti": "...", "att": <device attestation>}
 *
 * Scope (issue 13): a consent names what it allows, never "everything". "docs"
 * lists the document types (at most CONSENT_DOCS_MAX, each named; the old
 * wildcard "*" is refused), "aud" the one member that may present it (the
 * client of the exchange: the wallet for a citizen's own calls, a bank for
 * its KYC lookup). A consent the wallet relays cannot be replayed by another
 * member, nor stretched to a document type the citizen did not name.
 *
 * The device attestation binds the device key to the person. The wallet makes
 * it when it enrols the device (it checked the out-of-band code), signed with
 * its member key, and the device carries it inside every consent:
 *
 *	header  {"typ": "hromada-device+jwt", "alg": "ES256", "kid": <wallet member id>}
 *	claims  {"iss": <wallet member id>, "sub": "UA:3012345670",
 *	         "cnf": {"jkt": <RFC 7638 thumbprint of the device key>}, "iat", "exp"}
 *
 * A consent is valid for an exchange when its signature verifies under its own
 * device key, sub is the person the request is about, purpose is the request's
 * purpose, aud is the member presenting it, docs names the provider's document type, iat is not in
 *the future, exp has not passed, exp - iat is at most CONSENT_MAX_LIFETIME_S, and its att is a
 *device attestation that verifies under the key of a member the checker's attester callback trusts
 *to enrol devices (the directory says which), naming the same person and the thumbprint of the very
 *key that signed the consent, and not expired; an attester vouches only for people of its own
 *country (iss "UA/..." for sub "UA:..."), so a foreign wallet a gateway trusts through the
 *federation cannot consent for that gateway's own citizens. So a member holding a consent-based
 *access right cannot make consents with a key of its own: only devices an enrolling wallet vouched
 *for can consent, and only for their own person.
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
#include <openssl/evp.h>

#include <hromada/status.h>

#include "core/buf.h"

/* The longest a consent may live: a load generator's batch of calls shares one
 * (`hromada device headers`); a single call's consent lives CONSENT_CALL_LIFETIME_S. */
#define CONSENT_MAX_LIFETIME_S  300
#define CONSENT_CALL_LIFETIME_S 60
#define CONSENT_DOCS_MAX        16
#define CONSENT_MAX_LEN         4096
#define CONSENT_TYPE            "hromada-consent+jwt"
#define ATTESTATION_TYPE        "hromada-device+jwt"
#define ATTESTATION_MAX_LEN     2048

struct consent_checker;
struct signer;

/* The key of member_id if it may attest devices, else NULL (not owned by the caller). */
typedef EVP_PKEY *(*consent_attester_fn)(void *context, const char *member_id);

/* attester is required: without it no consent passes. */
struct consent_checker *consent_checker_new(consent_attester_fn attester, void *context);
void consent_checker_free(struct consent_checker *checker);

/* HR_OK and the consent's id (its jti) in id, or HR_E_DENIED with the reason.
 * client is the member presenting the consent (its aud must name it). */
hr_status consent_check(struct consent_checker *checker, const char *token, const char *person,
			const char *purpose, const char *client, const char *document_type,
			int64_t now, char *id, size_t id_size, struct hr_error *err);

/* What a consent allows: the member that may present it and the document types. */
struct consent_scope {
	const char *audience;               /* a member id */
	const char *docs[CONSENT_DOCS_MAX]; /* document types (or "access_log", "leaks") */
	size_t doc_count;                   /* 1..CONSENT_DOCS_MAX */
};

/*
 * Makes a consent as a citizen's device does: signed by device (whose public
 * JWK is jwk), carrying its attestation, for person and purpose, for scope
 * (its audience and document types), valid from iat for lifetime_s seconds (at
 * most CONSENT_MAX_LIFETIME_S), with a fresh random jti. Appends the compact
 * JWS to out. Stage "consent".
 */
hr_status consent_make(struct signer *device, const json_t *jwk, const char *attestation,
		       const char *person, const char *purpose, const struct consent_scope *scope,
		       int64_t iat, int64_t lifetime_s, struct buf *out, struct hr_error *err);

/*
 * The scope a device's consent needs for one call to its wallet: audience is
 * the wallet's member id (the iss of the device attestation, see
 * consent_attestation_issuer); docs the least the call needs — the type named
 * in /v1/documents/{type}[/...], every document type for /v1/documents,
 * "access_log" for /v1/access-log, "leaks" for /v1/leaks. audience is
 * borrowed, not copied. HR_E_INVALID for a path that needs no consent.
 */
hr_status consent_scope_for_wallet_path(const char *path, const char *audience,
					struct consent_scope *scope, struct hr_error *err);

/* The member that attested a device (the attestation's iss), into out. */
hr_status consent_attestation_issuer(const char *attestation, char *out, size_t size,
				     struct hr_error *err);

/* Makes a device attestation (above) signed by attester, member attester_id,
 * for person's device key with thumbprint jkt, valid from iat for lifetime_s. */
hr_status consent_attest_device(struct signer *attester, const char *attester_id,
				const char *person, const char *jkt, int64_t iat,
				int64_t lifetime_s, struct buf *out, struct hr_error *err);

#endif
