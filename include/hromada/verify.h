/*
 * hromada/verify.h — offline verification of QR credentials, for verifier
 * devices: a border-control terminal, a police handheld, a bank's scanner.
 *
 * One call takes a payload (the text of the QR code: "HR1:..." for Hromada
 * documents, "HC1:..." for EU Digital COVID Certificates) and a trust store, and
 * fills a result that says, stage by stage, what was checked and what failed:
 *
 *	unprefix   the payload starts with HC1: or HR1:
 *	base45     the rest is valid Base45 (RFC 9285)
 *	zlib       that decompresses (zlib, within a size ceiling)
 *	cose       to a COSE_Sign1 (RFC 9052) holding a CWT (RFC 8392)
 *	signature  signed by a trusted signer certificate found by its kid
 *	expiry     iat <= clock <= exp, and the signer certificate valid at clock
 *	key_usage  the signer's certificate may sign this kind of document
 *	status     the credential's entry in its issuer's status list is VALID
 *	           (only when the caller supplies status lists, see below)
 *	schema     the document matches its schema (EU DCC schema for HC1)
 *
 * A stage that was not reached or does not apply is HR_STAGE_NOT_RUN. Checks that
 * do not depend on each other (signature, expiry, key usage, status, schema) are
 * all run once the structure decodes, so a result shows every problem at once;
 * the credential is valid only when every stage that ran passed. Business rules
 * that are not part of a schema (an EU DCC code missing from its value set) are
 * reported as warnings and do not make a credential invalid.
 *
 * Revocation: a credential may carry a status-list reference (CWT claim 65535,
 * draft-ietf-oauth-status-list). The library never touches the network: the
 * embedder passes a struct hr_status_source whose fetch callback returns the
 * Status List Token for a URI (from its own cache or over HTTP), and the library
 * checks the token's signature against the trust store (a signer of the
 * credential's issuer country), its subject, expiry and the entry.
 *
 * Threads: a struct hr_trust_store is immutable once built and may be shared by
 * any number of threads. A struct hr_verifier holds reusable scratch state (zlib
 * streams, buffers) and is used by one thread at a time; hr_verify_once() makes
 * a temporary one. Nothing here keeps global state; the library never prints.
 *
 * Memory: the result owns its claims JSON text; free it with
 * hr_verify_result_clear(). Every input is bounded (see HR_VERIFY_MAX_*).
 */
#ifndef HROMADA_VERIFY_H
#define HROMADA_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HR_VERIFY_MAX_PAYLOAD      8192  /* characters of QR text accepted */
#define HR_VERIFY_MAX_DECOMPRESSED 65536 /* bytes a payload may inflate to */

enum hr_verify_stage {
	HR_STAGE_PICTURE, /* set by callers that decode a QR image themselves */
	HR_STAGE_UNPREFIX,
	HR_STAGE_BASE45,
	HR_STAGE_ZLIB,
	HR_STAGE_COSE,
	HR_STAGE_SIGNATURE,
	HR_STAGE_EXPIRY,
	HR_STAGE_KEY_USAGE,
	HR_STAGE_STATUS,
	HR_STAGE_SCHEMA,
	HR_STAGE_COUNT,
};

enum hr_stage_outcome {
	HR_STAGE_NOT_RUN = -1, /* JSON null */
	HR_STAGE_FAILED = 0,
	HR_STAGE_PASSED = 1,
};

/* "picture", "unprefix", ... as in the JSON output. */
const char *hr_verify_stage_name(enum hr_verify_stage stage);

/* A point in time with nanosecond precision (seconds since the Unix epoch). */
struct hr_time {
	int64_t seconds;
	int32_t nanos; /* 0 .. 999 999 999 */
};

/* Parses RFC 3339 ("2021-06-01T20:00:00.5+02:00", "...Z") and the ISO 8601
 * forms national systems write: offsets "+0200" and "+02", no offset (UTC), a
 * date alone (its midnight, UTC); a fraction of any length. */
hr_status hr_time_parse(const char *text, struct hr_time *out, struct hr_error *err);
struct hr_time hr_time_now(void);

/* --- trust ------------------------------------------------------------------- */

struct hr_trust_store;

struct hr_trust_store *hr_trust_store_new(void);
void hr_trust_store_free(struct hr_trust_store *store);

/* Adds a signer certificate, DER or PEM (one or more certificates), or base64 of
 * DER. Its key is parsed once here, never per verification. country may be NULL:
 * when given, credentials it signed must name that issuer (iss). */
hr_status hr_trust_store_add_certificate(struct hr_trust_store *store, const void *data, size_t len,
					 const char *country, struct hr_error *err);

/*
 * Loads a signed trust list (docs/TRUST_LIST.md). The list's signature must
 * verify with the pinned anchor (the trust-list signer's certificate, PEM or
 * DER); then every signer certificate it lists is added, bound to its country.
 */
hr_status hr_trust_store_load_list(struct hr_trust_store *store, const void *list, size_t len,
				   const void *anchor, size_t anchor_len, struct hr_error *err);

size_t hr_trust_store_count(const struct hr_trust_store *store);

/* What a loaded trust list said about itself (times in seconds since the epoch). */
struct hr_trust_list_info {
	int64_t sequence;
	int64_t issued_at;
	int64_t next_update;
};

/* How long after next_update a verifier still accepts a list it cannot replace
 * (an offline device), unless told otherwise. */
#define HR_TRUST_LIST_GRACE_DEFAULT (24 * 3600)

/*
 * As hr_trust_store_load_list, and the list must be current: refused with
 * HR_E_EXPIRED when now is past its next_update + grace_s (now is the real
 * clock, never a credential's validation clock). info (may be NULL) receives
 * the list's sequence and times, for a caller that refuses rollback.
 */
hr_status hr_trust_store_load_list_at(struct hr_trust_store *store, const void *list, size_t len,
				      const void *anchor, size_t anchor_len, int64_t now,
				      int64_t grace_s, struct hr_trust_list_info *info,
				      struct hr_error *err);

/* --- EU DCC value sets ------------------------------------------------------ */

/*
 * The code lists of the EU DCC (countries, vaccines, RAT devices, ...). A new
 * set holds the compiled-in lists; hr_value_sets_load replaces each list named
 * in a value set file (the eHealth Network's JSON format: {"valueSetId",
 * "valueSetDate", "valueSetValues": {code: {...}}}, one such object, an array
 * of them, or an object of them keyed by id), as verifier apps refresh them.
 * A load that fails leaves the sets as they were. Immutable once loaded: share
 * one between threads. Stage of errors: "value_sets".
 */
struct hr_value_sets;

struct hr_value_sets *hr_value_sets_new(void);
hr_status hr_value_sets_load(struct hr_value_sets *sets, const void *json, size_t len,
			     struct hr_error *err);
void hr_value_sets_free(struct hr_value_sets *sets);

/* --- verifying ------------------------------------------------------------- */

/*
 * Where status lists come from (the embedder's network and cache). fetch puts
 * the Status List Token text for uri into a malloc'ed *token (the library frees
 * it) and returns HR_OK, or returns an error (HR_E_UNAVAILABLE when it cannot be
 * obtained) with err saying why; the status stage then fails with that reason.
 */
struct hr_status_source {
	hr_status (*fetch)(void *context, const char *uri, char **token, size_t *len,
			   struct hr_error *err);
	void *context;
};

struct hr_verify_options {
	struct hr_time at; /* validation clock; zero = now */
	bool at_set;
	const struct hr_value_sets *value_sets; /* NULL: the compiled-in EU DCC value sets */
	const struct hr_status_source *status;  /* NULL: status lists are not checked */
};

#define HR_VERIFY_MAX_WARNINGS 8

/* A business rule the credential breaks without being invalid. */
struct hr_verify_warning {
	char check[32];    /* "value_set", "schema_version" */
	char message[256]; /* for a person: the field, the value, the rule */
};

#define HR_STATUS_NONE 0xFFFFFFFFu /* status_value when no status was read */

struct hr_verify_result {
	bool valid;
	int8_t stages[HR_STAGE_COUNT]; /* enum hr_stage_outcome */
	char prefix[4];                /* "HC1", "HR1" or "" */
	uint8_t kid[32];
	size_t kid_len;                   /* 0 when the credential names none */
	char issuer[16];                  /* CWT iss, "" when absent */
	enum hr_verify_stage error_stage; /* first failed stage, when !valid */
	char error[256];                  /* why, for a person */
	char
	    *claims_json; /* {"iss":..,"iat":..,"exp":..,"hcert"|"document":..}; NULL before cose */
	size_t warning_count; /* warnings beyond HR_VERIFY_MAX_WARNINGS are dropped */
	struct hr_verify_warning warnings[HR_VERIFY_MAX_WARNINGS];
	bool has_status_reference; /* the credential names a status list entry */
	uint64_t status_index;
	unsigned status_value; /* the entry read (0 VALID, 1 INVALID, 2 SUSPENDED...) */
};

void hr_verify_result_init(struct hr_verify_result *result);
void hr_verify_result_clear(struct hr_verify_result *result);

struct hr_verifier;

struct hr_verifier *hr_verifier_new(void);
void hr_verifier_free(struct hr_verifier *verifier);

/*
 * Verifies one payload. Returns HR_OK whenever the payload was judged (valid or
 * not: see result->valid and result->stages); an error status only when the
 * call itself could not run (out of memory, bad arguments). result must have
 * been initialised; it is cleared first, so one result can be reused.
 */
hr_status hr_verify(struct hr_verifier *verifier, const struct hr_trust_store *store,
		    const char *payload, size_t len, const struct hr_verify_options *options,
		    struct hr_verify_result *result);

/* The same with a temporary verifier. */
hr_status hr_verify_once(const struct hr_trust_store *store, const char *payload, size_t len,
			 const struct hr_verify_options *options, struct hr_verify_result *result);

#ifdef __cplusplus
}
#endif

#endif /* HROMADA_VERIFY_H */
