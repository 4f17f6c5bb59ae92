/*
 * stix_internal.h — what stix_export.c and stix_import.c share: ids and
 * timestamps (stix_common.c), the TLP marking definitions (stix_common.c), and
 * the indicator types with their patterns (stix_pattern.c). Not for other
 * modules: stix.h is the interface.
 */
#ifndef HROMADA_NCCC_STIX_INTERNAL_H
#define HROMADA_NCCC_STIX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "core/uuid.h"
#include "nccc/stix.h"

#define STIX_UUID_LEN 36 /* 8-4-4-4-12 hex digits */
#define STIX_TYPE_MAX 250

/* "type--uuid" with a valid type (3-250 of [a-z0-9-], a letter first, no
 * trailing or doubled '-'), and, when type is not NULL, of that type. */
bool stix_id_valid(const char *id, const char *type);
/* A STIX type name, as stix_id_valid checks it. */
bool stix_type_valid(const char *type, size_t len);
/* "type--" + UUIDv5(STIX_NAMESPACE, name) into out (STIX_ID_MAX bytes). */
hr_status stix_id_derive(const char *type, const char *name, char *out, size_t size);

/*
 * A STIX timestamp (RFC 3339, 'Z', any fraction) → the canonical form with
 * whole seconds "2026-12-06T10:00:00Z" (fraction dropped). false when text is
 * not one.
 */
bool stix_timestamp_read(const char *text, char out[STIX_TIMESTAMP_MAX]);
/* A canonical RFC 3339 UTC timestamp → STIX's with milliseconds
 * "2026-12-06T10:00:00.000Z" (a fraction it has is kept to 3 digits). */
bool stix_timestamp_write(const char *text, char out[STIX_TIMESTAMP_MAX]);

/* The TLP level of a fixed TLP 2.0 or TLP 1.0 marking definition id. */
bool stix_tlp_of_marking_id(const char *id, enum tlp *out);
/* The more restricted of two levels. */
enum tlp stix_tlp_max(enum tlp a, enum tlp b);

/* An indicator type of nccc_model.h and how STIX says it. */
struct stix_kind {
	const char *type;   /* canonical: "file:sha256" */
	const char *object; /* STIX object type in patterns: "file" */
	const char *hash;   /* key in "hashes", or NULL for the "value" property */
	size_t hex_len;     /* the value is this many hex digits; 0: any text */
	bool observable;    /* a STIX 2.1 Cyber-observable goes with it */
};

/* The kind of a canonical indicator type; NULL when none ("stix-pattern" too). */
const struct stix_kind *stix_kind_find(const char *type);
/* Is value acceptable for kind (hex of the right length for hashes)? */
bool stix_kind_value_valid(const struct stix_kind *kind, const char *value);

/*
 * The pattern of one (kind, value): "[file:hashes.'SHA-256' = '…']", the
 * string literal escaped (STIX 2.1 §9.3: '\\' and '\''). HR_E_TOO_LARGE
 * when it does not fit in size bytes.
 */
hr_status stix_pattern_write(const struct stix_kind *kind, const char *value, char *out,
			     size_t size);

/*
 * Reads a pattern of untrusted origin. A pattern that is one comparison
 * "[type:path = 'value']", or several joined by OR (inside one observation
 * or as observations), each of a kind we know, gives *pairs: a new array of
 * {"type": canonical, "value": …} (the caller's). Any other well-formed
 * pattern gives *pairs = NULL: keep it whole as "stix-pattern". Unbalanced
 * quotes, brackets or parentheses, a stray character: HR_E_INVALID.
 */
hr_status stix_pattern_read(const char *pattern, size_t len, json_t **pairs, struct hr_error *err);

#endif
