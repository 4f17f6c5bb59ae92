/*
 * base45.h — Base45 (RFC 9285), the alphanumeric-QR-friendly encoding of the
 * credential pipeline: PREFIX + Base45(zlib(COSE_Sign1(CWT))).
 *
 * Decoding is strict: only the 45 characters of RFC 9285 §4, no whitespace, no
 * lowercase, a trailing group of exactly 2 or 3 characters, and every group's
 * value in range (a triplet above 65535, a pair above 255, is an error — §4.3).
 */
#ifndef HROMADA_CREDENTIAL_BASE45_H
#define HROMADA_CREDENTIAL_BASE45_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"

/* Appends the encoding of data to out (its ceiling applies). */
hr_status base45_encode(const uint8_t *data, size_t len, struct buf *out);

/* Appends the decoded bytes to out. Errors: HR_E_INVALID with stage "base45"
 * and the offset of the offending character; HR_E_TOO_LARGE past out's ceiling. */
hr_status base45_decode(const char *text, size_t len, struct buf *out, struct hr_error *err);

#endif
