/*
 * fuzz_keyproc_msg.c — the key process's message parser (keyproc/keyproc_msg.h)
 * on arbitrary bytes: as a request the key process reads, and as a reply of
 * each type the network-facing process reads.
 *
 * Invariants: no crash or leak; an accepted request is exactly its type's size,
 * a LOAD carries an absolute path without NUL bytes, a SIGN a 32-, 48- or
 * 64-byte digest, an HMAC at most 4096 bytes; whatever is accepted encodes back to the very same
 * bytes (nothing is ignored: every byte of a message is checked).
 */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "keyproc/keyproc_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t wire[KEYPROC_WIRE_MAX];
	struct keyproc_request rq;
	struct keyproc_reply rp;

	if (keyproc_request_decode(data, size, &rq) == HR_OK) {
		assert(size == keyproc_request_size(rq.type));
		if (rq.type == KEYPROC_LOAD || rq.type == KEYPROC_LOAD_SECRET) {
			assert(rq.length > 0 && rq.length < KEYPROC_PATH_MAX);
			assert(rq.payload[0] == '/' &&
			       strlen((const char *)rq.payload) == rq.length);
		}
		if (rq.type == KEYPROC_SIGN)
			assert(rq.length == 32 || rq.length == 48 || rq.length == 64);
		if (rq.type == KEYPROC_HMAC)
			assert(rq.length <= KEYPROC_DATA_MAX);
		assert(keyproc_request_encode(&rq, wire) == size);
		assert(memcmp(wire, data, size) == 0);
	}
	for (unsigned type = KEYPROC_LOAD; type <= KEYPROC_HMAC; type++) {
		if (keyproc_reply_decode(data, size, type, &rp) != HR_OK)
			continue;
		assert(size == keyproc_reply_size(type));
		assert(keyproc_reply_encode(&rp, wire) == size);
		assert(memcmp(wire, data, size) == 0);
	}
	return 0;
}
