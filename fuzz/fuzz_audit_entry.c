/*
 * fuzz_audit_entry.c — audit_entry_decode (src/audit/audit_entry.h) reads the
 * entries of audit logs of unknown origin (`hromada audit verify`) and the
 * entries a gateway serves to citizens' devices. Input: any bytes, taken as
 * one entry.
 *
 * Invariants:
 *  - no crash, no leak; a refusal leaves *out NULL and names its status;
 *  - an accepted entry is a JSON object of known keys only, with version 1,
 *    every required field, a status of 0 .. 999, a time not before the epoch,
 *    texts of at most AUDIT_TEXT_MAX bytes and 32-byte base64url hashes;
 *  - the object, encoded as CBOR again, is exactly the input (nothing of it
 *    was lost or made up on the way to JSON), and decoding twice gives equal
 *    objects.
 */
/* make fuzz builds RelWithDebInfo (-DNDEBUG): the invariants must stay checked. */
#undef NDEBUG
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit_entry.h"
#include "core/base64.h"
#include "credential/cbor_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const texts[] = {"client",      "provider", "service", "purpose",
				    "legal_basis", "consent",  "user",    "issue"};
static const char *const hashes[] = {"person", "request", "response"};
static const char *const required[] = {"v",       "time",    "status", "client",  "provider",
				       "purpose", "service", "user",   "request", "response"};

static bool is_one_of(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return true;
	return false;
}

#define IS_ONE_OF(key, list) is_one_of(key, list, sizeof(list) / sizeof(list[0]))

static void check_value(const char *key, const json_t *v)
{
	struct buf bytes;

	if (IS_ONE_OF(key, texts)) {
		assert(json_is_string(v) && json_string_length(v) <= AUDIT_TEXT_MAX);
	} else if (IS_ONE_OF(key, hashes)) {
		assert(json_is_string(v));
		buf_init(&bytes, 64);
		assert(base64_decode(json_string_value(v), json_string_length(v), BASE64_URL,
				     &bytes) == HR_OK);
		assert(bytes.len == AUDIT_HASH_LEN);
		buf_clear(&bytes);
	} else if (strcmp(key, "v") == 0) {
		assert(json_integer_value(v) == AUDIT_ENTRY_VERSION);
	} else if (strcmp(key, "status") == 0) {
		assert(json_is_integer(v) && json_integer_value(v) >= 0 &&
		       json_integer_value(v) <= 999);
	} else {
		assert(strcmp(key, "time") == 0 && json_is_integer(v) &&
		       json_integer_value(v) >= 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hr_error err = {0};
	json_t *o = json_null(), *again = NULL; /* a static sentinel: decode must clear it */
	const char *key;
	json_t *value;
	struct buf bytes;
	hr_status rc;

	rc = audit_entry_decode(data, size, &o, &err);
	if (rc != HR_OK) {
		assert(o == NULL && err.status == rc);
		return 0;
	}
	assert(json_is_object(o));
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		assert(json_object_get(o, required[i]) != NULL);
	json_object_foreach(o, key, value)
	{
		check_value(key, value);
	}

	buf_init(&bytes, size + 1);
	assert(cbor_from_json(o, &bytes, NULL) == HR_OK);
	assert(bytes.len == size && memcmp(bytes.data, data, size) == 0);
	buf_clear(&bytes);

	assert(audit_entry_decode(data, size, &again, NULL) == HR_OK);
	assert(json_equal(o, again));
	json_decref(again);
	json_decref(o);
	return 0;
}
