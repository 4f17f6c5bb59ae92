/*
 * keyproc_msg.c — encoding and checking the key process's messages (see
 * keyproc_msg.h). Straight-line code on purpose: this is what the key process
 * runs on bytes it did not write, so every field is read at a fixed offset and
 * checked before the next is looked at.
 */
#include "keyproc/keyproc_msg.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | ((uint32_t)get16(p + 2) << 16);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
}

static size_t request_payload_size(unsigned type)
{
	switch (type) {
	case KEYPROC_LOAD:
	case KEYPROC_LOAD_SECRET:
		return KEYPROC_PATH_MAX;
	case KEYPROC_SIGN:
		return KEYPROC_DIGEST_MAX;
	case KEYPROC_HMAC:
		return KEYPROC_DATA_MAX;
	case KEYPROC_CLOSE:
		return 0;
	default:
		return SIZE_MAX;
	}
}

static size_t reply_payload_size(unsigned type)
{
	switch (type) {
	case KEYPROC_LOAD:
		return 8 + KEYPROC_PUBLIC_MAX;
	case KEYPROC_SIGN:
		return KEYPROC_SIG_MAX;
	case KEYPROC_HMAC:
		return KEYPROC_MAC_LEN;
	case KEYPROC_CLOSE:
	case KEYPROC_LOAD_SECRET:
		return 0;
	default:
		return SIZE_MAX;
	}
}

size_t keyproc_request_size(unsigned type)
{
	size_t n = request_payload_size(type);

	return n == SIZE_MAX ? 0 : KEYPROC_HEADER_LEN + n;
}

size_t keyproc_reply_size(unsigned type)
{
	size_t n = reply_payload_size(type);

	return n == SIZE_MAX ? 0 : KEYPROC_HEADER_LEN + n;
}

static int digest_length_valid(size_t n)
{
	return n == 32 || n == 48 || n == 64;
}

static int all_zero(const uint8_t *p, size_t n)
{
	uint8_t any = 0;

	for (size_t i = 0; i < n; i++)
		any |= p[i];
	return any == 0;
}

/* What a request's payload must be, whichever side checks it. */
static int request_payload_valid(unsigned type, size_t length, const uint8_t *payload)
{
	if (type == KEYPROC_LOAD || type == KEYPROC_LOAD_SECRET)
		return length > 0 && length < KEYPROC_PATH_MAX && payload[0] == '/' &&
		       memchr(payload, 0, length) == NULL;
	if (type == KEYPROC_SIGN)
		return digest_length_valid(length);
	if (type == KEYPROC_HMAC)
		return length <= KEYPROC_DATA_MAX;
	return length == 0;
}

size_t keyproc_request_encode(const struct keyproc_request *r, uint8_t *wire)
{
	size_t size = keyproc_request_size(r->type);

	if (size == 0 || !request_payload_valid(r->type, r->length, r->payload))
		return 0;
	memset(wire, 0, size);
	put32(wire, KEYPROC_MAGIC);
	put16(wire + 4, r->type);
	put16(wire + 6, r->length);
	put32(wire + 8, r->handle);
	memcpy(wire + KEYPROC_HEADER_LEN, r->payload, r->length);
	return size;
}

hr_status keyproc_request_decode(const uint8_t *wire, size_t size, struct keyproc_request *out)
{
	const uint8_t *payload = wire + KEYPROC_HEADER_LEN;
	unsigned type;
	size_t length;

	memset(out, 0, sizeof(*out));
	if (size < KEYPROC_HEADER_LEN || get32(wire) != KEYPROC_MAGIC || get32(wire + 12) != 0)
		return HR_E_INVALID;
	type = get16(wire + 4);
	length = get16(wire + 6);
	if (keyproc_request_size(type) == 0 || size != keyproc_request_size(type) ||
	    length > size - KEYPROC_HEADER_LEN ||
	    !all_zero(payload + length, size - KEYPROC_HEADER_LEN - length))
		return HR_E_INVALID;
	if (!request_payload_valid(type, length, payload))
		return HR_E_INVALID;
	out->type = (uint16_t)type;
	out->length = (uint16_t)length;
	out->handle = get32(wire + 8);
	memcpy(out->payload, payload, length);
	return HR_OK;
}

size_t keyproc_reply_encode(const struct keyproc_reply *r, uint8_t *wire)
{
	size_t size = keyproc_reply_size(r->type);
	size_t room = r->type == KEYPROC_LOAD   ? KEYPROC_PUBLIC_MAX
		      : r->type == KEYPROC_SIGN ? KEYPROC_SIG_MAX
		      : r->type == KEYPROC_HMAC ? KEYPROC_MAC_LEN
						: 0;

	if (size == 0 || r->length > room)
		return 0;
	memset(wire, 0, size);
	put32(wire, KEYPROC_MAGIC);
	put16(wire + 4, r->type);
	put16(wire + 6, r->length);
	put32(wire + 8, r->handle);
	put32(wire + 12, (uint32_t)r->status);
	if (r->type == KEYPROC_LOAD) {
		put64(wire + KEYPROC_HEADER_LEN, (uint64_t)r->alg);
		memcpy(wire + KEYPROC_HEADER_LEN + 8, r->payload, r->length);
	} else if (r->type == KEYPROC_SIGN || r->type == KEYPROC_HMAC) {
		memcpy(wire + KEYPROC_HEADER_LEN, r->payload, r->length);
	}
	return size;
}

hr_status keyproc_reply_decode(const uint8_t *wire, size_t size, unsigned expect_type,
			       struct keyproc_reply *out)
{
	size_t offset = expect_type == KEYPROC_LOAD ? KEYPROC_HEADER_LEN + 8 : KEYPROC_HEADER_LEN;
	size_t room;

	memset(out, 0, sizeof(*out));
	if (keyproc_reply_size(expect_type) == 0 || size != keyproc_reply_size(expect_type) ||
	    get32(wire) != KEYPROC_MAGIC || get16(wire + 4) != expect_type)
		return HR_E_INVALID;
	room = size - offset;
	out->type = (uint16_t)expect_type;
	out->length = get16(wire + 6);
	out->handle = get32(wire + 8);
	out->status = (int32_t)get32(wire + 12);
	if (out->length > room || out->length > sizeof(out->payload) ||
	    !all_zero(wire + offset + out->length, room - out->length))
		return HR_E_INVALID;
	if (expect_type == KEYPROC_LOAD)
		out->alg = (int64_t)get64(wire + KEYPROC_HEADER_LEN);
	memcpy(out->payload, wire + offset, out->length);
	return HR_OK;
}
