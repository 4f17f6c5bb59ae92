/*
 * siphash.c — SipHash-2-4 (siphash.h).
 */
#include "core/siphash.h"

#include <stdbool.h>

static inline uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

struct sip {
	uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static inline void sip_rounds(struct sip *s, int n)
{
	for (int i = 0; i < n; i++)
		sip_round(s);
}

/* The key, the message's words and its final length word, two rounds each:
 * what both outputs share. wide: the 128-bit variant's 0xee in v1. */
static struct sip sip_absorb(const uint8_t key[16], const void *data, size_t len, bool wide)
{
	const uint8_t *p = data;
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	struct sip s = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
			k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
	uint64_t m, b = (uint64_t)len << 56;
	size_t full = len & ~(size_t)7;

	if (wide)
		s.v1 ^= 0xee;
	for (size_t i = 0; i < full; i += 8) {
		m = load_le64(p + i);
		s.v3 ^= m;
		sip_rounds(&s, 2);
		s.v0 ^= m;
	}
	for (size_t i = 0; i < (len & 7); i++)
		b |= (uint64_t)p[full + i] << (8 * i);
	s.v3 ^= b;
	sip_rounds(&s, 2);
	s.v0 ^= b;
	return s;
}

void siphash_128(const uint8_t key[16], const void *data, size_t len, uint64_t out[2])
{
	struct sip s = sip_absorb(key, data, len, true);

	s.v2 ^= 0xee;
	sip_rounds(&s, 4);
	out[0] = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
	s.v1 ^= 0xdd;
	sip_rounds(&s, 4);
	out[1] = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

void siphash_64(const uint8_t key[16], const void *data, size_t len, uint64_t *out)
{
	struct sip s = sip_absorb(key, data, len, false);

	s.v2 ^= 0xff;
	sip_rounds(&s, 4);
	*out = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
