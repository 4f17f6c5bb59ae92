/*
 * fuzz_translit.c — name keys and the 2010 Latin spelling see every name of
 * every leaked dump. Input: any bytes, taken as a name. Invariants: no crash;
 * only HR_OK, HR_E_INVALID or HR_E_TOO_LARGE; the output is always
 * NUL-terminated inside its buffer and "" on failure; a key holds only [a-z];
 * the key is the same whatever room it is given once it fits; is_cyrillic is
 * false on whatever the key calls malformed.
 */
/* make fuzz builds RelWithDebInfo (-DNDEBUG): the invariants must stay checked. */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "leak/translit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char key[4 * TRANSLIT_INPUT_MAX + 1], small[8], latin[8 * TRANSLIT_INPUT_MAX + 1];
	const char *text = (const char *)data;
	hr_status rc, rc_small;
	size_t n;

	memset(key, 'Z', sizeof(key));
	rc = translit_name_key(text, size, key, sizeof(key), NULL);
	assert(rc == HR_OK || rc == HR_E_INVALID || rc == HR_E_TOO_LARGE);
	n = strnlen(key, sizeof(key));
	assert(n < sizeof(key));
	for (size_t i = 0; i < n; i++)
		assert(key[i] >= 'a' && key[i] <= 'z');
	if (rc != HR_OK)
		assert(n == 0);
	if (rc == HR_E_INVALID)
		assert(!translit_is_cyrillic(text, size));

	/* a small buffer: the same key when it fits, HR_E_TOO_LARGE and "" when not */
	memset(small, 'Z', sizeof(small));
	rc_small = translit_name_key(text, size, small, sizeof(small), NULL);
	if (rc == HR_OK && n < sizeof(small)) {
		assert(rc_small == HR_OK && strcmp(small, key) == 0);
	} else if (rc == HR_OK) {
		assert(rc_small == HR_E_TOO_LARGE && small[0] == 0);
	} else {
		assert(rc_small == rc && small[0] == 0);
	}

	memset(latin, 'Z', sizeof(latin));
	rc = translit_to_latin_2010(text, size, latin, sizeof(latin), NULL);
	assert(rc == HR_OK || rc == HR_E_INVALID || rc == HR_E_TOO_LARGE);
	n = strnlen(latin, sizeof(latin));
	assert(n < sizeof(latin));
	if (rc != HR_OK)
		assert(n == 0);
	memset(small, 'Z', sizeof(small));
	rc_small = translit_to_latin_2010(text, size, small, sizeof(small), NULL);
	assert(strnlen(small, sizeof(small)) < sizeof(small));
	if (rc == HR_OK && n < sizeof(small))
		assert(rc_small == HR_OK && strcmp(small, latin) == 0);
	return 0;
}
