/*
 * json.h — helpers over jansson for the two things every role does with JSON:
 * parse a request body strictly, and pull typed fields out with a clear message
 * naming the field when the client got it wrong.
 *
 * Parsing rejects duplicate keys (a classic source of "which one did you check?"
 * bugs between a verifier and an issuer), embedded NUL bytes and trailing data.
 * Serialisation goes into a bounded struct buf.
 *
 * Ownership: the json_t returned by hr_json_parse*() belongs to the caller
 * (json_decref). Strings returned by the getters point into the json_t and live
 * as long as it does.
 */
#ifndef HROMADA_CORE_JSON_H
#define HROMADA_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "core/buf.h"

/* Parses any JSON value. Stage of errors: "json". */
hr_status hr_json_parse(const void *data, size_t len, json_t **out, struct hr_error *err);
/* As hr_json_parse, and the value must be an object. */
hr_status hr_json_parse_object(const void *data, size_t len, json_t **out, struct hr_error *err);

/*
 * Typed getters. A missing field is HR_E_NOT_FOUND when required is false (and
 * *out is untouched, so callers can preset a default), HR_E_INVALID when required.
 * A field of the wrong type or out of range is always HR_E_INVALID.
 */
hr_status hr_json_get_string(const json_t *obj, const char *key, bool required, size_t max_len,
			     const char **out, struct hr_error *err);
hr_status hr_json_get_int(const json_t *obj, const char *key, bool required, int64_t min,
			  int64_t max, int64_t *out, struct hr_error *err);
hr_status hr_json_get_bool(const json_t *obj, const char *key, bool required, bool *out,
			   struct hr_error *err);
hr_status hr_json_get_object(const json_t *obj, const char *key, bool required, json_t **out,
			     struct hr_error *err);
hr_status hr_json_get_array(const json_t *obj, const char *key, bool required, json_t **out,
			    struct hr_error *err);

/* Fails naming the first key of obj that is not in the NULL-terminated list. */
hr_status hr_json_only_keys(const json_t *obj, const char *const *allowed, struct hr_error *err);

/* Appends the compact serialisation of value to out (keys in insertion order). */
hr_status hr_json_dump(const json_t *value, struct buf *out);
/* Pretty serialisation (indent 2, sorted keys) for files people read. */
hr_status hr_json_dump_pretty(const json_t *value, struct buf *out);
/*
 * Appends text as a JSON string literal, quotes included, escaping what JSON
 * requires ('"', '\\', control characters) and copying every other byte: for
 * large values built as text (a QR code's SVG) that would cost more as json_t
 * copies and jansson's byte-by-byte escaping. text must be valid UTF-8.
 */
hr_status hr_json_append_string(struct buf *out, const char *text, size_t len);

#endif
