/*
 * status_list.h — IETF OAuth Token Status List (draft-ietf-oauth-status-list),
 * the revocation mechanism of credentials that outlive a presentation
 * (DESIGN.md §4, §5): a byte array of 1, 2, 4 or 8-bit statuses, compressed
 * with zlib and carried, base64url-encoded, in a signed JWT
 * (typ "statuslist+jwt") that the issuing country serves.
 *
 *	header  {"alg": "ES256", "typ": "statuslist+jwt", "kid": "<base64 of the
 *	         signer certificate's 8-byte kid, as COSE uses it>"}
 *	claims  {"sub": URI of the list, "iat", "exp"?, "ttl"?,
 *	         "status_list": {"bits": 1|2|4|8, "lst": base64url(zlib(bytes))}}
 *
 * Bit order (draft §4.1): status i occupies bits i*bits .. i*bits+bits-1 of
 * the array counted from the least significant bit of byte 0; e.g. with 1 bit
 * the statuses 1,0,0,1,1,1,0,1 form the byte 0xB9.
 *
 * A credential points at its entry with the CWT claim 65535
 * status: {"status_list": {"idx": N, "uri": "..."}} (cwt.h).
 *
 * Checking a token never trusts anything before its signature verifies under
 * the certificate the caller chose (from a trust list, by the header's kid);
 * the decompressed list is bounded (STATUS_LIST_MAX_BYTES), so a small token
 * can never make us allocate more.
 */
#ifndef HROMADA_CREDENTIAL_STATUS_LIST_H
#define HROMADA_CREDENTIAL_STATUS_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"
#include "credential/signer_cert.h"

struct signer;

#define STATUS_LIST_TYPE       "statuslist+jwt"
#define STATUS_LIST_MEDIA_TYPE "application/statuslist+jwt"

/* Status types (draft §7.1); 0x03 and 0x0C-0x0F are application-specific. */
#define STATUS_VALID     0x00u
#define STATUS_INVALID   0x01u
#define STATUS_SUSPENDED 0x02u

/* The largest decompressed list accepted (16 Mi one-byte statuses; a
 * million 2-bit statuses take 256 KiB) and the largest token text. */
#define STATUS_LIST_MAX_BYTES       (16u * 1024 * 1024)
#define STATUS_LIST_MAX_TOKEN_BYTES (16u * 1024 * 1024)
/* The longest list URI accepted. */
#define STATUS_LIST_MAX_URI 2048

/* status_list_get's answer for an index beyond the list. */
#define STATUS_LIST_NO_ENTRY 0xFFFFFFFFu

/* True for 1, 2, 4 and 8. */
bool status_list_bits_valid(unsigned bits);

/* Sets the status of entry idx to value (its low `bits` bits). An index beyond
 * len bytes, or bits other than 1/2/4/8, changes nothing. */
void status_list_set(uint8_t *bytes, size_t len, unsigned bits, uint64_t idx, unsigned value);
/* The status of entry idx; STATUS_LIST_NO_ENTRY beyond the list or for bad bits. */
unsigned status_list_get(const uint8_t *bytes, size_t len, unsigned bits, uint64_t idx);

/*
 * Builds and signs a Status List Token (JWT, compact serialisation) over the
 * len bytes of the list; appends the token text to out. exp and ttl are left
 * out when 0 (the draft makes both optional; a verifier caches a token at most
 * ttl seconds). Stage "status".
 */
hr_status status_list_token_build(struct signer *signer, const char *uri, const uint8_t *bytes,
				  size_t len, unsigned bits, int64_t iat, int64_t exp, int64_t ttl,
				  struct buf *out, struct hr_error *err);

/* What a checked token says. */
struct status_list_token {
	bool has_kid;
	uint8_t kid[SIGNER_KID_LEN];
	int64_t iat, exp, ttl; /* exp and ttl 0 when absent */
	unsigned bits;
	struct buf list; /* the decompressed byte array */
};

void status_list_token_init(struct status_list_token *token);
void status_list_token_clear(struct status_list_token *token);

/* The kid of a token's header, read before anything is trusted, to choose the
 * certificate to check it with. HR_E_NOT_FOUND when the header names none. */
hr_status status_list_token_kid(const char *text, size_t len, uint8_t kid[SIGNER_KID_LEN],
				struct hr_error *err);

/*
 * Checks a token (draft §8.3): compact JWS whose header has typ
 * "statuslist+jwt", a known alg fitting cert's key and no crit; the signature
 * under cert (a kid in the header must be cert's); sub equal to uri; iat
 * present; not expired (now > exp is HR_E_EXPIRED); ttl, when present,
 * positive; status_list with bits 1/2/4/8 and lst a zlib stream that inflates
 * to at most STATUS_LIST_MAX_BYTES. On success token holds the list. Stage
 * "status". Errors: HR_E_INVALID, HR_E_UNSUPPORTED, HR_E_SIGNATURE,
 * HR_E_EXPIRED, HR_E_TOO_LARGE, HR_E_NOMEM.
 */
hr_status status_list_token_check(const char *text, size_t len, const struct signer_cert *cert,
				  const char *uri, int64_t now, struct status_list_token *token,
				  struct hr_error *err);

/* The ttl and exp claims of a token, read WITHOUT checking anything (0 when
 * absent): only for deciding how long a cached copy may be reused before it is
 * fetched again, since every use checks it in full. */
hr_status status_list_token_cache_times(const char *text, size_t len, int64_t *ttl, int64_t *exp);

/* The status of entry idx of a checked token; HR_E_NOT_FOUND (with a message)
 * when the list has no such entry, which the draft says to treat as a failure. */
hr_status status_list_token_status(const struct status_list_token *token, uint64_t idx,
				   unsigned *status, struct hr_error *err);

/* "VALID", "INVALID", "SUSPENDED" or "application-specific 0x.." into out. */
const char *status_list_status_name(unsigned status, char *out, size_t size);

#endif
