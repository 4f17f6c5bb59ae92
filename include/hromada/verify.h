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
 *	schema     the document matches its schema (EU DCC schema for HC1)
 *
 * A stage that was not reached or does not apply is HR_STAGE_NOT_RUN. Checks that
 * do not depend on each other (signature, expiry, key usage, schema) are all
 * run once the structure decodes, so a result shows every problem at once; the
 * credential is valid only when every stage that ran passed.
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

/* Parses RFC 3339 ("2021-06-01T20:00:00.5+02:00", "...Z"); also accepts the ISO
 * 8601 offset without a colon ("+0200") that some national systems write. */
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

/* --- verifying ------------------------------------------------------------- */

struct hr_verify_options {
	struct hr_time at; /* validation clock; zero = now */
	bool at_set;
};

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
