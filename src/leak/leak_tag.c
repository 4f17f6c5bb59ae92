/*
 * leak_tag.c — keyed hashes of identifiers (leak_tag.h).
 */
#include "leak/leak_tag.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/hex.h"

hr_status leak_tag(const uint8_t key[SECRET_LEN], const char *identifier, uint8_t tag[LEAK_TAG_LEN])
{
	uint8_t mac[32];
	hr_status rc = secret_hmac(key, identifier, strlen(identifier), mac);

	memcpy(tag, mac, LEAK_TAG_LEN);
	return rc;
}

hr_status leak_tag_hex(const uint8_t key[SECRET_LEN], const char *identifier,
		       char hex[LEAK_TAG_HEX_LEN + 1])
{
	uint8_t tag[LEAK_TAG_LEN];
	hr_status rc = leak_tag(key, identifier, tag);

	hex_encode(tag, sizeof(tag), hex);
	hex[LEAK_TAG_HEX_LEN] = '\0';
	return rc;
}

bool leak_document_identifier(const char *country, const char *type, const char *number, char *out,
			      size_t size)
{
	int n = snprintf(out, size, "%s/%s/%s", country, type, number);

	return n > 0 && (size_t)n < size;
}
