/*
 * hromada/status.h — the one error convention of the whole code base.
 *
 * A function that can fail returns an hr_status: HR_OK (0) on success, a named
 * negative code otherwise. Where a sentence helps the caller (a user-facing
 * message, a log line, an HTTP error body), the function also fills an
 * struct hr_error with the stage that failed and a human-readable message.
 * Passing NULL for the hr_error is always allowed: the status alone is enough
 * to decide, the message is for people.
 *
 * This header is public (embedders of the verifier library see it) and must
 * stay free of any internal type.
 */
#ifndef HROMADA_STATUS_H
#define HROMADA_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hr_status {
	HR_OK = 0,
	HR_E_NOMEM = -1,        /* allocation failed */
	HR_E_INVALID = -2,      /* malformed input or argument */
	HR_E_IO = -3,           /* operating-system I/O failed */
	HR_E_NOT_FOUND = -4,    /* the thing asked for does not exist */
	HR_E_TOO_LARGE = -5,    /* input exceeds a configured limit */
	HR_E_TIMEOUT = -6,      /* a deadline passed */
	HR_E_CONFLICT = -7,     /* already exists / constraint violated */
	HR_E_DENIED = -8,       /* authenticated but not allowed */
	HR_E_UNAVAILABLE = -9,  /* a dependency (database, peer) cannot be reached */
	HR_E_CRYPTO = -10,      /* a cryptographic operation failed */
	HR_E_SIGNATURE = -11,   /* a signature did not verify */
	HR_E_EXPIRED = -12,     /* outside its validity period */
	HR_E_UNSUPPORTED = -13, /* well-formed but not something we implement */
	HR_E_STATE = -14,       /* called in the wrong state (a bug in the caller) */
	HR_E_BUSY = -15,        /* temporarily unable; retry may succeed */
	HR_E_DATABASE = -16,    /* the database reported an error */
} hr_status;

/* Sizes are fixed so that an hr_error can live on the stack without allocation. */
#define HR_ERROR_STAGE_MAX   32
#define HR_ERROR_MESSAGE_MAX 256

struct hr_error {
	hr_status status;
	char stage[HR_ERROR_STAGE_MAX];     /* which step failed: "config", "base45", "http" */
	char message[HR_ERROR_MESSAGE_MAX]; /* one sentence for a person, no trailing newline */
};

/* A short stable identifier for a status, e.g. "invalid" or "too_large". */
const char *hr_status_name(hr_status status);

#ifdef __cplusplus
}
#endif

#endif /* HROMADA_STATUS_H */
