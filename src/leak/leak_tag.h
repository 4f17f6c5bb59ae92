/*
 * leak_tag.h — the keyed hashes of leak defence (DESIGN.md §7, docs/LEAKS.md):
 * how a person or a document is named wherever leak defence must name it
 * without holding it in clear.
 *
 * Each country's leak keys are 32-byte secrets (core/secret.h) in
 * STATE/<COUNTRY>/leak/ — one per purpose, so that holding one never lets a
 * role compute another's hashes:
 *
 *	canary.key  the canary index (canaries.jsonl beside it): the gateway's
 *	            sentinel and leakscan; never a wallet's or a consumer's
 *	range.key   the "was my data leaked" range (k-anonymity): the wallet
 *	            and leakscan; the range service stores tags, never keys
 *
 * and the analyst's STATE/leak/index.key, for leakscan's index of every
 * country's registries (leak_state.h).
 *
 * A tag is the first LEAK_TAG_LEN bytes of HMAC-SHA-256(key, identifier),
 * written as lower-case hex. Identifiers are person ids ("UA:3012345678",
 * "PL:44051401359") and document numbers as COUNTRY/TYPE/NUMBER
 * ("UA/driver_licence/ВХІ123456", leak_document_identifier).
 *
 * The canary index, STATE/<COUNTRY>/leak/canaries.jsonl, one line per
 * identifier of a planted canary, appended by `hromada canary plant` once the
 * canary has been served (its planting exchanges are not uses):
 *	{"tag": "<32 hex>", "member": "UA/COM/14360570/bank",
 *	 "canary": "<the canary's own opaque id>", "planted_at": "RFC 3339"}
 */
#ifndef HROMADA_LEAK_LEAK_TAG_H
#define HROMADA_LEAK_LEAK_TAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/secret.h"

#define LEAK_TAG_LEN          16
#define LEAK_TAG_HEX_LEN      (2 * LEAK_TAG_LEN)
#define LEAK_RANGE_PREFIX_HEX 5 /* hex digits a range query names */

#define LEAK_DIR          "leak"
#define LEAK_CANARY_KEY   "canary.key"
#define LEAK_RANGE_KEY    "range.key"
#define LEAK_INDEX_KEY    "index.key"
#define LEAK_CANARY_INDEX "canaries.jsonl"

/* The tag of the NUL-terminated identifier under key. HR_E_CRYPTO if
 * OpenSSL fails (tag zeroed). */
hr_status leak_tag(const uint8_t key[SECRET_LEN], const char *identifier,
		   uint8_t tag[LEAK_TAG_LEN]);
/* The same, as LEAK_TAG_HEX_LEN lower-case hex digits and a NUL. */
hr_status leak_tag_hex(const uint8_t key[SECRET_LEN], const char *identifier,
		       char hex[LEAK_TAG_HEX_LEN + 1]);

/* "UA/driver_licence/ВХІ123456" into out (size bytes); false when it does not fit. */
bool leak_document_identifier(const char *country, const char *type, const char *number, char *out,
			      size_t size);

#endif
