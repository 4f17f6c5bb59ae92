/*
 * trust_upload.h — a country's signed upload to the cross-border trust service
 * (POST /v1/signers, docs/TRUST_LIST.md "Uploads"), modelled on the EU DCC
 * Gateway's signed uploads: the country signs a batch with its upload key, a
 * key the trust service was given out of band at onboarding, so nobody else
 * can add, withdraw or replace what the service publishes for it.
 *
 *	body   {"upload": "<compact JWS>"}
 *	header {"typ": "hromada-trust-upload+jwt", "alg": "ES256", "kid": "UA"}
 *	claims {"country": "UA", "batch": "<16-64 of [A-Za-z0-9_-]>", "iat": <seconds>,
 *	        "signers":  ["<base64 DER>", ...],   document signers to publish
 *	        "withdraw": ["<kid, base64>", ...],  signers to drop from the next list
 *	        "members":  [{"id", "name", "certificate", "document_type"?,
 *	                      "attests_devices"?, "url"?, "gateway"?}, ...]}
 *
 * "signers" and "withdraw" are changes; "members", when present, is the
 * country's whole member set for the federation of gateways and replaces the
 * last one (exactly one member is its "gateway", with the "url" other
 * gateways forward to). The batch id and iat make a replayed upload
 * recognisable: the service accepts each batch id once and an iat only within
 * TRUST_UPLOAD_SKEW_S of its clock.
 *
 * This file checks the envelope only (signature, types, bounds); what the
 * certificates say (chain, country, key usage, validity) is the service's
 * judgement (src/trust/).
 */
#ifndef HROMADA_EXCHANGE_TRUST_UPLOAD_H
#define HROMADA_EXCHANGE_TRUST_UPLOAD_H

#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <hromada/status.h>

#include "core/buf.h"

#define TRUST_UPLOAD_TYPE        "hromada-trust-upload+jwt"
#define TRUST_UPLOAD_MAX_LEN     (24 * 1024 * 1024)
#define TRUST_UPLOAD_MAX_SIGNERS 20000
#define TRUST_UPLOAD_MAX_MEMBERS 1000
#define TRUST_UPLOAD_SKEW_S      300
#define TRUST_UPLOAD_BATCH_MAX   64

struct signer;

struct trust_upload {
	char country[3];
	char batch[TRUST_UPLOAD_BATCH_MAX + 1];
	int64_t iat;
	const json_t *signers;  /* array of base64 DER strings (possibly empty) */
	const json_t *withdraw; /* array of base64 kids (possibly empty) */
	const json_t *members;  /* array of objects, or NULL when absent */
	json_t *claims;         /* owns the above */
};

/* What the upload names, with the batch id; members may be NULL. Appends the
 * request body {"upload": JWS} to out. Stage "trust_upload". */
hr_status trust_upload_make(struct signer *upload_key, const char *country, const char *batch,
			    int64_t iat, const json_t *signers, const json_t *withdraw,
			    const json_t *members, struct buf *out, struct hr_error *err);

/* The country the JWS claims to come from (header kid), NOT verified: only to
 * choose the key trust_upload_open then checks it with. */
hr_status trust_upload_country(const char *jws, size_t len, char country[3], struct hr_error *err);

/* Checks the JWS under key, its typ, that claims.country is expected_country,
 * iat within TRUST_UPLOAD_SKEW_S of now, and every member's type and bound.
 * On success out owns the claims (trust_upload_clear). */
hr_status trust_upload_open(const char *jws, size_t len, EVP_PKEY *key,
			    const char *expected_country, int64_t now, struct trust_upload *out,
			    struct hr_error *err);
void trust_upload_clear(struct trust_upload *upload);

#endif
