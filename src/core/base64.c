/*
 * base64.c — RFC 4648 encoding and strict decoding.
 */
#include "core/base64.h"

#include <pthread.h>
#include <string.h>

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 4 characters -> 3 bytes at a time, written straight into reserved space:
 * trust lists carry megabytes of base64 (docs/TRUST_LIST.md), so these loops
 * are on a verifier's start-up path. */
hr_status base64_encode(const void *data, size_t len, enum base64_variant variant, struct buf *out)
{
	const char *a = variant == BASE64_URL ? url_alphabet : std_alphabet;
	const uint8_t *p = data;
	size_t full = len / 3 * 3, n = (len + 2) / 3 * 4;
	char *o;
	hr_status rc;

	if ((rc = buf_reserve(out, n)) != HR_OK)
		return rc;
	o = (char *)out->data + out->len;
	for (size_t i = 0; i < full; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 63];
		*o++ = a[(v >> 6) & 63];
		*o++ = a[v & 63];
	}
	if (len - full == 1) {
		uint32_t v = (uint32_t)p[full] << 16;
		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 63];
		if (variant == BASE64_STANDARD) {
			*o++ = '=';
			*o++ = '=';
		}
	} else if (len - full == 2) {
		uint32_t v = (uint32_t)p[full] << 16 | (uint32_t)p[full + 1] << 8;
		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 63];
		*o++ = a[(v >> 6) & 63];
		if (variant == BASE64_STANDARD)
			*o++ = '=';
	}
	out->len = (size_t)((uint8_t *)o - out->data);
	out->data[out->len] = 0;
	return HR_OK;
}

/* The value of each character in each alphabet; 0xff for the others. */
static uint8_t decode_table[2][256];

static void build_tables(void)
{
	for (int v = 0; v < 2; v++) {
		const char *a = v ? url_alphabet : std_alphabet;
		memset(decode_table[v], 0xff, sizeof(decode_table[v]));
		for (int i = 0; i < 64; i++)
			decode_table[v][(unsigned char)a[i]] = (uint8_t)i;
	}
}

hr_status base64_decode(const char *text, size_t len, enum base64_variant variant, struct buf *out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const uint8_t *t;
	size_t data_len = len, rest, full, before = out->len;
	const unsigned char *in = (const unsigned char *)text;
	uint8_t *o;
	uint32_t bad = 0;
	hr_status rc;

	pthread_once(&once, build_tables);
	t = decode_table[variant == BASE64_URL];
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
	o = out->data + out->len;
	full = data_len - rest;
	for (size_t i = 0; i < full; i += 4) {
		uint32_t a = t[in[i]], b = t[in[i + 1]], c = t[in[i + 2]], d = t[in[i + 3]];
		uint32_t v = a << 18 | b << 12 | c << 6 | d;
		bad |= a | b | c | d; /* 0xff anywhere sets bits above 63 */
		*o++ = (uint8_t)(v >> 16);
		*o++ = (uint8_t)(v >> 8);
		*o++ = (uint8_t)v;
	}
	if (rest > 0) {
		uint32_t a = t[in[full]], b = t[in[full + 1]], c = rest == 3 ? t[in[full + 2]] : 0;
		bad |= a | b | c;
		*o++ = (uint8_t)((a << 2 | b >> 4) & 0xff);
		if (rest == 3)
			*o++ = (uint8_t)((b << 4 | c >> 2) & 0xff);
		/* non-canonical: the bits left over in the last character must be zero */
		if ((rest == 2 && (b & 0x0f)) || (rest == 3 && (c & 0x03)))
			bad |= 0x100;
	}
	if (bad > 63) {
		out->len = before;
		if (out->data != NULL)
			out->data[before] = 0;
		return HR_E_INVALID;
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = 0;
	return HR_OK;
}
