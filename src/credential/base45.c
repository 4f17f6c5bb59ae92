/*
 * base45.c — Base45 (RFC 9285), the text layer of every credential QR code.
 *
 * What: two bytes become three characters (a 16-bit number in base 45, least
 * significant digit first), a last single byte becomes two characters (§4).
 * Why here: no Debian library does Base45, and the decoder is the first code
 * that touches a scanned QR code, so it must be small, strict and fast.
 * What never: decoding never accepts anything RFC 9285 would not produce —
 * no lowercase, no whitespace, no value out of range, no lone trailing
 * character — so one encoded credential has exactly one text form. Output is
 * written only after the size is checked against the buffer's ceiling, and the
 * buffer is left untouched on failure.
 */
#include "credential/base45.h"

#include "core/error.h"

/* RFC 9285 §4: the 45 characters of the QR alphanumeric mode. */
static const char base45_alphabet[45] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/*
 * Decoding table: the value of a character plus one, so that every byte not in
 * the alphabet is 0 (the default of a static initializer) and invalid.
 */
static const uint8_t base45_value[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    ['G'] = 17, ['H'] = 18, ['I'] = 19, ['J'] = 20, ['K'] = 21, ['L'] = 22, ['M'] = 23, ['N'] = 24,
    ['O'] = 25, ['P'] = 26, ['Q'] = 27, ['R'] = 28, ['S'] = 29, ['T'] = 30, ['U'] = 31, ['V'] = 32,
    ['W'] = 33, ['X'] = 34, ['Y'] = 35, ['Z'] = 36, [' '] = 37, ['$'] = 38, ['%'] = 39, ['*'] = 40,
    ['+'] = 41, ['-'] = 42, ['.'] = 43, ['/'] = 44, [':'] = 45,
};

/* The sum of the "plus one" of each position: (1 + 45 + 45 * 45). */
#define BASE45_BIAS3 2071u
#define BASE45_BIAS2 46u

hr_status base45_encode(const uint8_t *data, size_t len, struct buf *out)
{
	size_t need, i;
	char *dst;
	unsigned n;
	hr_status rc;

	/* RFC 9285 §4: 3 characters per 2 bytes, 2 for a last single byte. */
	if (len / 2 > (SIZE_MAX - 2) / 3) {
		if (out->error == HR_OK)
			out->error = HR_E_TOO_LARGE;
		return out->error;
	}
	need = len / 2 * 3 + (len % 2) * 2;
	if ((rc = buf_reserve(out, need)) != HR_OK)
		return rc;
	dst = (char *)out->data + out->len;
	for (i = 0; i + 2 <= len; i += 2) {
		n = (unsigned)data[i] << 8 | data[i + 1];
		*dst++ = base45_alphabet[n % 45];
		*dst++ = base45_alphabet[n / 45 % 45];
		*dst++ = base45_alphabet[n / 2025];
	}
	if (i < len) {
		n = data[i];
		*dst++ = base45_alphabet[n % 45];
		*dst++ = base45_alphabet[n / 45];
	}
	out->len += need;
	out->data[out->len] = 0;
	return HR_OK;
}

/* The slow path of a failed group: which character, or the value, is wrong. */
static hr_status base45_group_error(const char *text, size_t at, size_t count, struct hr_error *err)
{
	size_t i;

	for (i = at; i < at + count; i++)
		if (base45_value[(uint8_t)text[i]] == 0)
			return hr_error_set(
			    err, HR_E_INVALID, "base45",
			    "character 0x%02x at offset %zu is not in the Base45 alphabet",
			    (uint8_t)text[i], i);
	/* RFC 9285 §4.3: "GGW" (65535 + 1) and pairs above 255 are invalid. */
	return hr_error_set(err, HR_E_INVALID, "base45",
			    "the group at offset %zu encodes a value out of range", at);
}

hr_status base45_decode(const char *text, size_t len, struct buf *out, struct hr_error *err)
{
	const uint8_t *s = (const uint8_t *)text;
	size_t need, i;
	uint8_t *dst;
	unsigned a, b, c, n;
	hr_status rc;

	/* RFC 9285 §4: the input is triplets and at most one final pair. */
	if (len % 3 == 1)
		return hr_error_set(err, HR_E_INVALID, "base45",
				    "a lone character at offset %zu ends the input", len - 1);
	need = len / 3 * 2 + (len % 3 == 2);
	if ((rc = buf_reserve(out, need)) != HR_OK)
		return hr_error_set(err, rc, "base45", "the decoded %zu bytes exceed the ceiling",
				    need);
	/* Written past out->len and only committed at the end: no partial output. */
	dst = out->data + out->len;
	for (i = 0; i + 3 <= len; i += 3) {
		a = base45_value[s[i]];
		b = base45_value[s[i + 1]];
		c = base45_value[s[i + 2]];
		n = a + b * 45 + c * 2025 - BASE45_BIAS3;
		if ((a == 0) | (b == 0) | (c == 0) | (n > 0xffff))
			goto fail;
		*dst++ = (uint8_t)(n >> 8);
		*dst++ = (uint8_t)n;
	}
	if (i < len) {
		a = base45_value[s[i]];
		b = base45_value[s[i + 1]];
		n = a + b * 45 - BASE45_BIAS2;
		if ((a == 0) | (b == 0) | (n > 0xff))
			goto fail;
		*dst++ = (uint8_t)n;
	}
	out->len += need;
	out->data[out->len] = 0;
	return HR_OK;
fail:
	out->data[out->len] = 0; /* the terminator may have been overwritten */
	return base45_group_error(text, i, len - i < 3 ? 2 : 3, err);
}
