/*
 * cwt.h — CBOR Web Token claims (RFC 8392) as our credentials use them
 * (DESIGN.md §4): 1 iss, 6 iat, 4 exp, 8 cnf (the holder's device key), -260
 * hcert (EU DCC, HCERT spec §2.6), -65537 the Hromada document, 65535 status
 * (draft-ietf-oauth-status-list §6.3: {"status_list": {"idx": N, "uri": "..."}},
 * text keys; other members of the status map name other mechanisms and are
 * ignored, a malformed status_list is a decoding failure).
 *
 * Decoding checks the types of the claims it knows (iss text, times numeric,
 * hcert a map holding the DCC under key 1) and refuses a claim that appears
 * twice; claims it does not know are kept for display, never interpreted.
 */
#ifndef HROMADA_CREDENTIAL_CWT_H
#define HROMADA_CREDENTIAL_CWT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>
#include <hromada/verify.h>

#include "core/buf.h"

#define CWT_CLAIM_ISS      1
#define CWT_CLAIM_SUB      2
#define CWT_CLAIM_AUD      3
#define CWT_CLAIM_EXP      4
#define CWT_CLAIM_NBF      5
#define CWT_CLAIM_IAT      6
#define CWT_CLAIM_CTI      7
#define CWT_CLAIM_CNF      8
#define CWT_CLAIM_HCERT    (-260)
#define CWT_CLAIM_DOCUMENT (-65537)
#define CWT_CLAIM_STATUS   65535

struct cwt_claims {
	struct slice iss;
	struct hr_time iat, exp, nbf;
	struct slice hcert;      /* encoded DCC payload (hcert[1]) */
	struct slice document;   /* encoded document map */
	struct slice cnf;        /* encoded cnf map */
	struct slice status_uri; /* status.status_list.uri: 1..STATUS_LIST_MAX_URI bytes, no NUL */
	uint64_t status_idx;     /* status.status_list.idx */
	bool has_iss, has_iat, has_exp, has_nbf, has_hcert, has_document, has_cnf, has_status;
};

/* Stage of errors: "cose" (the CWT is part of the decoded structure). */
hr_status cwt_decode(struct slice payload, struct cwt_claims *out, struct hr_error *err);

/* The claims as JSON: {"iss", "iat", "exp", "hcert" | "document", "cnf": {"jwk"}, ...}.
 * Unknown claims appear under their number ("-70000"), text claims under their
 * text; a text claim named like a registered one ("iss"), or any name twice, is
 * refused. Caller decrefs. */
hr_status cwt_claims_to_json(struct slice payload, json_t **out, struct hr_error *err);

/* a < b: -1, a == b: 0, a > b: 1 */
static inline int hr_time_compare(struct hr_time a, struct hr_time b)
{
	if (a.seconds != b.seconds)
		return a.seconds < b.seconds ? -1 : 1;
	if (a.nanos != b.nanos)
		return a.nanos < b.nanos ? -1 : 1;
	return 0;
}

/* Writing claims: the caller builds the CWT map with the cbor_put_* functions;
 * these put one NumericDate (integer seconds). */
void cwt_put_time(struct buf *out, int64_t claim, int64_t seconds);

#endif
