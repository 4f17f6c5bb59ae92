/*
 * base64.h — Base64 and base64url (RFC 4648 §4, §5) for JSON-facing binary
 * values: kids, certificates, JWS parts, byte strings of decoded CBOR.
 *
 * Decoding is strict: the alphabet of the chosen variant only, padding exactly
 * as the variant says (required for standard, absent for url), no whitespace,
 * and non-zero bits left over in the last character are refused (so every
 * value has exactly one encoding).
 */
#ifndef HROMADA_CORE_BASE64_H
#define HROMADA_CORE_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"

enum base64_variant {
	BASE64_STANDARD, /* '+', '/', '=' padding */
	BASE64_URL,      /* '-', '_', no padding */
};

/* Appends the encoding of data to out (its ceiling and latched error apply). */
hr_status base64_encode(const void *data, size_t len, enum base64_variant variant, struct buf *out);
/* Appends the decoded bytes to out. HR_E_INVALID on any deviation. */
hr_status base64_decode(const char *text, size_t len, enum base64_variant variant, struct buf *out);

#endif
