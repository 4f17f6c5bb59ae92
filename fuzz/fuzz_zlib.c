/*
 * fuzz_zlib.c — bounded inflate of arbitrary bytes with one codec reused across
 * inputs, as a verifier does. Invariants: no crash; output never exceeds the
 * ceiling and failures leave the buffer as it was; a stream that inflates,
 * deflated and inflated again, gives the same bytes.
 */
/* make fuzz builds RelWithDebInfo (-DNDEBUG): the invariants must stay checked. */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "credential/zlib_codec.h"

#define FUZZ_MAX_OUT 65536

static struct zlib_codec *codec;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out, again, back;
	hr_status rc;

	if (codec == NULL && (codec = zlib_codec_new()) == NULL)
		return 0;
	buf_init(&out, 1 << 20);
	buf_init(&again, 1 << 20);
	buf_init(&back, 1 << 20);
	buf_append_str(&out, "HC1:");
	rc = zlib_codec_inflate(codec, data, size, FUZZ_MAX_OUT, &out, NULL);
	if (rc == HR_OK) {
		assert(out.len - 4 <= FUZZ_MAX_OUT);
		assert(zlib_codec_deflate(codec, out.data + 4, out.len - 4, &again, NULL) == HR_OK);
		assert(zlib_codec_inflate(codec, again.data, again.len, FUZZ_MAX_OUT, &back,
					  NULL) == HR_OK);
		assert(back.len == out.len - 4);
		assert(back.len == 0 || memcmp(back.data, out.data + 4, back.len) == 0);
	} else {
		assert(rc == HR_E_INVALID || rc == HR_E_TOO_LARGE);
		assert(out.len == 4 && strcmp(buf_str(&out), "HC1:") == 0);
	}
	buf_clear(&out);
	buf_clear(&again);
	buf_clear(&back);
	return 0;
}
