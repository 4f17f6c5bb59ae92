/*
 * fuzz_cose.c — COSE_Sign1 and CWT decoding of arbitrary bytes (what zlib hands
 * the verifier). Invariants: every slice the decoders return lies inside the
 * input, and rendering the claims never crashes.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "credential/cose.h"
#include "credential/cwt.h"

static void assert_inside(struct slice s, const uint8_t *data, size_t size)
{
	if (s.len == 0)
		return;
	assert(s.ptr >= data && s.ptr + s.len <= data + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cose_sign1 msg;
	struct cwt_claims claims;
	json_t *json = NULL;

	if (cose_sign1_decode(data, size, &msg, NULL) != HR_OK)
		return 0;
	assert_inside(msg.protected_header, data, size);
	assert_inside(msg.payload, data, size);
	assert_inside(msg.signature, data, size);
	if (msg.has_kid)
		assert_inside(msg.kid, data, size);
	if (cwt_decode(msg.payload, &claims, NULL) == HR_OK) {
		assert_inside(claims.hcert, data, size);
		assert_inside(claims.document, data, size);
		assert_inside(claims.cnf, data, size);
		if (cwt_claims_to_json(msg.payload, &json, NULL) == HR_OK)
			assert(json_is_object(json));
		json_decref(json);
	}
	return 0;
}
