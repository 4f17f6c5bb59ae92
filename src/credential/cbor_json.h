/*
 * cbor_json.h — converting between CBOR and JSON (RFC 8949 §6), for credential
 * claims: a decoded CWT is shown as JSON, and documents written as JSON are
 * issued as CBOR.
 *
 * CBOR → JSON: maps become objects (text keys as they are, integer keys as their
 * decimal text, e.g. "-260"; other key types, and text keys containing U+0000,
 * are refused), byte strings become
 * base64url text without padding, floats become JSON reals (NaN and infinities
 * are refused), integers outside int64_t are refused, null and undefined become
 * null, and the tags that only annotate a value (0 and 1004 date/time strings,
 * 1 epoch time, 100 days) are dropped in favour of their content, which must be
 * of the type the tag requires; any other tag, and other simple values, are
 * refused. Duplicate map keys (1 and "1" included) are refused. Depth and size
 * are bounded by the decoder's limits.
 *
 * JSON → CBOR: objects become maps with keys in deterministic order (RFC 8949
 * §4.2.1: bytewise order of their encodings), integers stay integers, reals use
 * the shortest exact float, strings are text.
 */
#ifndef HROMADA_CREDENTIAL_CBOR_JSON_H
#define HROMADA_CREDENTIAL_CBOR_JSON_H

#include <jansson.h>

#include <hromada/status.h>

#include "credential/cbor.h"

/* Converts the next whole item of d into a new JSON value (caller decrefs).
 * Errors: stage "cbor", HR_E_INVALID or HR_E_TOO_LARGE. */
hr_status cbor_to_json(struct cbor_decoder *d, json_t **out, struct hr_error *err);

/* Appends the deterministic CBOR encoding of value to out. HR_E_INVALID for a
 * JSON value CBOR cannot carry faithfully (a real that is NaN/infinite). */
hr_status cbor_from_json(const json_t *value, struct buf *out, struct hr_error *err);

#endif
