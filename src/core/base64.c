/*
 * base64.c — RFC 4648 encoding and strict decoding.
 */
#include "core/base64.h"

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

hr_status base64_encode(const void *data, size_t len, enum base64_variant variant, struct buf *out)
{
	const char *a = variant == BASE64_URL ? url_alphabet : std_alphabet;
	const uint8_t *p = data;
	size_t full = len / 3 * 3;
	char group[4];
	hr_status rc;

	if ((rc = buf_reserve(out, (len + 2) / 3 * 4)) != HR_OK)
		return rc;
	for (size_t i = 0; i < full; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		group[0] = a[v >> 18];
		group[1] = a[(v >> 12) & 63];
		group[2] = a[(v >> 6) & 63];
		group[3] = a[v & 63];
		buf_append(out, group, 4);
	}
	if (len - full == 1) {
		uint32_t v = (uint32_t)p[full] << 16;
		group[0] = a[v >> 18];
		group[1] = a[(v >> 12) & 63];
		buf_append(out, group, 2);
		if (variant == BASE64_STANDARD)
			buf_append(out, "==", 2);
	} else if (len - full == 2) {
		uint32_t v = (uint32_t)p[full] << 16 | (uint32_t)p[full + 1] << 8;
		group[0] = a[v >> 18];
		group[1] = a[(v >> 12) & 63];
		group[2] = a[(v >> 6) & 63];
		buf_append(out, group, 3);
		if (variant == BASE64_STANDARD)
			buf_append(out, "=", 1);
	}
	return out->error;
}

static int value_of(char c, enum base64_variant variant)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (variant == BASE64_STANDARD)
		return c == '+' ? 62 : c == '/' ? 63 : -1;
	return c == '-' ? 62 : c == '_' ? 63 : -1;
}

hr_status base64_decode(const char *text, size_t len, enum base64_variant variant, struct buf *out)
{
	size_t data_len = len, rest;
	uint32_t acc = 0;
	int bits = 0;
	hr_status rc;

	if (variant == BASE64_STANDARD) {
		if (len % 4 != 0)
			return HR_E_INVALID;
		if (len > 0 && text[len - 1] == '=') {
			data_len--;
			if (text[len - 2] == '=')
				data_len--;
		}
	}
	rest = data_len % 4;
	if (rest == 1)
		return HR_E_INVALID; /* one character carries only 6 bits: never valid */
	/* exactly what is decoded: a 2- or 3-character tail gives 1 or 2 bytes */
	if ((rc = buf_reserve(out, data_len / 4 * 3 + (rest ? rest - 1 : 0))) != HR_OK)
		return rc;
	for (size_t i = 0; i < data_len; i++) {
		int v = value_of(text[i], variant);
		if (v < 0)
			return HR_E_INVALID;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_append_byte(out, (uint8_t)(acc >> bits));
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		return HR_E_INVALID; /* non-canonical: leftover bits must be zero */
	return out->error;
}
