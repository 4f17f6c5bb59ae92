/*
 * uuid.c — RFC 9562 §5.4 (version 4) and §5.5 (version 5) UUIDs, on OpenSSL's
 * random source and SHA-1 (which version 5 names; it is an identifier here,
 * not a security function).
 */
#include "core/uuid.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

static void format(const uint8_t b[16], char out[UUID_TEXT_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

static void set_version(uint8_t b[16], unsigned version)
{
	b[6] = (uint8_t)((b[6] & 0x0f) | (version << 4));
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* the RFC 9562 variant, 10xx */
}

hr_status uuid_v4(char out[UUID_TEXT_LEN + 1])
{
	uint8_t b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return HR_E_CRYPTO;
	set_version(b, 4);
	format(b, out);
	return HR_OK;
}

bool uuid_valid(const char *text)
{
	if (text == NULL || strlen(text) != UUID_TEXT_LEN)
		return false;
	for (size_t i = 0; i < UUID_TEXT_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
			return false;
	}
	return true;
}

static int hex_value(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

hr_status uuid_v5(const char *namespace_id, const void *name, size_t len,
		  char out[UUID_TEXT_LEN + 1])
{
	uint8_t ns[16], digest[EVP_MAX_MD_SIZE];
	unsigned digest_len = 0;
	EVP_MD_CTX *md;
	size_t n = 0;
	int ok;

	if (!uuid_valid(namespace_id))
		return HR_E_INVALID;
	for (size_t i = 0; i < UUID_TEXT_LEN; i++)
		if (namespace_id[i] != '-') {
			ns[n / 2] = (uint8_t)(n % 2 == 0 ? hex_value(namespace_id[i]) << 4
							 : ns[n / 2] | hex_value(namespace_id[i]));
			n++;
		}
	if ((md = EVP_MD_CTX_new()) == NULL)
		return HR_E_NOMEM;
	ok = EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(md, ns, 16) == 1 &&
	     EVP_DigestUpdate(md, name, len) == 1 &&
	     EVP_DigestFinal_ex(md, digest, &digest_len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok || digest_len < 16)
		return HR_E_CRYPTO;
	set_version(digest, 5);
	format(digest, out);
	return HR_OK;
}
