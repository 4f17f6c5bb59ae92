/*
 * fuzz_base45.c — Base45 decoding sees every scanned QR code. Input: any bytes,
 * taken as text. Invariants: no crash; decoding is strict, so whatever decodes
 * encodes back to exactly the input (one text per byte string); the output
 * length is what RFC 9285 says; a failed decode leaves the buffer untouched;
 * and any bytes, encoded, decode back to themselves.
 */
/* make fuzz builds RelWithDebInfo (-DNDEBUG): the invariants must stay checked. */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "credential/base45.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf decoded, text, back;
	hr_status rc;

	buf_init(&decoded, 1 << 20);
	buf_init(&text, 1 << 21);
	buf_init(&back, 1 << 20);
	buf_append_str(&decoded, "x");
	rc = base45_decode((const char *)data, size, &decoded, NULL);
	if (rc == HR_OK) {
		assert(decoded.len == 1 + size / 3 * 2 + (size % 3 == 2));
		assert(base45_encode(decoded.data + 1, decoded.len - 1, &text) == HR_OK);
		assert(text.len == size);
		assert(size == 0 || memcmp(text.data, data, size) == 0);
	} else {
		assert(rc == HR_E_INVALID);
		assert(decoded.len == 1 && strcmp(buf_str(&decoded), "x") == 0);
	}

	buf_reset(&text);
	assert(base45_encode(data, size, &text) == HR_OK);
	assert(base45_decode(buf_str(&text), text.len, &back, NULL) == HR_OK);
	assert(back.len == size);
	assert(size == 0 || memcmp(back.data, data, size) == 0);

	buf_clear(&decoded);
	buf_clear(&text);
	buf_clear(&back);
	return 0;
}
