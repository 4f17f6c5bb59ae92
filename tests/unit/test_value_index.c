/*
 * test_value_index.c — the correlation index (src/nccc/value_index.c): its
 * SipHash-128 against OpenSSL's, adds and finds, one value held by many rows,
 * the same value under MISP and STIX type names, a count beyond max, lookups
 * beside concurrent adds, and a million random adds each found again.
 */
#include "testkit/testkit.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/error.h"
#include "core/siphash.h"
#include "nccc/value_index.h"

static void openssl_siphash(const uint8_t key[16], const uint8_t *data, size_t len,
			    uint8_t *out, size_t size)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	EVP_MAC_CTX *ctx;
	size_t written = 0;
	OSSL_PARAM params[2];

	assert_non_null(mac);
	ctx = EVP_MAC_CTX_new(mac);
	assert_non_null(ctx);
	params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	params[1] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_MAC_init(ctx, key, 16, params), 1);
	assert_int_equal(EVP_MAC_update(ctx, data, len), 1);
	assert_int_equal(EVP_MAC_final(ctx, out, &written, size), 1);
	assert_int_equal(written, size);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
}

static void test_siphash128_matches_openssl(void **state)
{
	uint8_t key[16], data[64], want[16], got[16];
	uint64_t h[2];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (size_t len = 0; len <= sizeof(data); len++) {
		for (size_t i = 0; i < len; i++)
			data[i] = (uint8_t)i;
		openssl_siphash(key, data, len, want, 16);
		siphash_128(key, data, len, h);
		for (int i = 0; i < 8; i++) {
			got[i] = (uint8_t)(h[0] >> (8 * i));
			got[8 + i] = (uint8_t)(h[1] >> (8 * i));
		}
		assert_memory_equal(got, want, 16);
		/* and the 64-bit SipHash of the paper */
		openssl_siphash(key, data, len, want, 8);
		siphash_64(key, data, len, &h[0]);
		for (int i = 0; i < 8; i++)
			got[i] = (uint8_t)(h[0] >> (8 * i));
		assert_memory_equal(got, want, 8);
	}
	/* the reference implementation's first 128-bit vector (empty message) */
	siphash_128(key, "", 0, h);
	assert_int_equal(h[0] & 0xff, 0xa3);
}

static void test_adds_and_finds(void **state)
{
	struct value_index *vi;
	uint64_t ids[8];
	size_t count;

	(void)state;
	assert_int_equal(value_index_new(10, &vi, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "ipv4-addr", "203.0.113.7", 1, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "domain-name", "evil.example", 2, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "file:sha256",
					 "AB"
					 "00000000000000000000000000"
					 "000000000000000000000000000000000000",
					 3, NULL),
			 HR_OK);
	assert_int_equal(value_index_size(vi), 3);
	assert_int_equal(value_index_keys(vi), 3);

	assert_int_equal(value_index_find(vi, "ipv4-addr", "203.0.113.7", ids, 8, &count), HR_OK);
	assert_int_equal(count, 1);
	assert_int_equal(ids[0], 1);
	/* normalised on the way in and on the way out */
	assert_int_equal(value_index_find(vi, "domain-name", "EVIL.example.", ids, 8, &count),
			 HR_OK);
	assert_int_equal(count, 1);
	assert_int_equal(ids[0], 2);
	assert_int_equal(value_index_find(vi, "sha256",
					  "ab"
					  "00000000000000000000000000"
					  "000000000000000000000000000000000000",
					  ids, 8, &count),
			 HR_OK);
	assert_int_equal(count, 1);
	assert_int_equal(ids[0], 3);
	/* absent, and the same text under another class */
	assert_int_equal(value_index_find(vi, "ipv4-addr", "203.0.113.8", ids, 8, &count), HR_OK);
	assert_int_equal(count, 0);
	assert_int_equal(value_index_find(vi, "url", "http://evil.example/", ids, 8, &count),
			 HR_OK);
	assert_int_equal(count, 0);
	value_index_free(vi);
}

static void test_refuses_what_is_not_a_value(void **state)
{
	struct value_index *vi;
	struct hr_error err = {0};
	uint64_t ids[1];
	size_t count = 99;

	(void)state;
	assert_int_equal(value_index_new(0, &vi, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "ipv4-addr", "203.0.113.300", 1, &err), HR_E_INVALID);
	assert_int_equal(value_index_add(vi, "mutex", "x", 1, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "unknown indicator type 'mutex'"));
	assert_int_equal(
	    value_index_add(vi, "stix-pattern", "[ipv4-addr:value = '1.2.3.4']", 1, &err),
	    HR_E_UNSUPPORTED);
	assert_int_equal(value_index_find(vi, "ipv4-addr", "nope", ids, 1, &count), HR_E_INVALID);
	assert_int_equal(count, 0);
	assert_int_equal(value_index_size(vi), 0);
	value_index_free(vi);
}

static void test_same_value_from_many_rows_newest_first(void **state)
{
	struct value_index *vi;
	uint64_t ids[4];
	size_t count;

	(void)state;
	assert_int_equal(value_index_new(4, &vi, NULL), HR_OK);
	for (uint64_t id = 100; id < 110; id++)
		assert_int_equal(value_index_add(vi, "domain-name", "c2.example", id, NULL), HR_OK);
	/* the same row twice in a row is one entry */
	assert_int_equal(value_index_add(vi, "domain-name", "c2.example", 109, NULL), HR_OK);
	assert_int_equal(value_index_size(vi), 10);
	assert_int_equal(value_index_keys(vi), 1);
	assert_int_equal(value_index_find(vi, "domain-name", "c2.example", ids, 4, &count), HR_OK);
	assert_int_equal(count, 10); /* all of them, though 4 were asked for */
	assert_int_equal(ids[0], 109);
	assert_int_equal(ids[1], 108);
	assert_int_equal(ids[3], 106);
	assert_int_equal(value_index_find(vi, "domain-name", "c2.example", NULL, 0, &count), HR_OK);
	assert_int_equal(count, 10);
	value_index_free(vi);
}

static void test_misp_and_stix_names_correlate(void **state)
{
	struct value_index *vi;
	uint64_t ids[8];
	size_t count;

	(void)state;
	assert_int_equal(value_index_new(8, &vi, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "ipv4-addr", "198.51.100.1", 1, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "ip-src", "198.51.100.1", 2, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "ip-dst", "198.51.100.1", 3, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "ipv6-addr", "2001:DB8:0:0::1", 4, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "ip-dst", "2001:db8::1", 5, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "hostname", "Mail.Example.ORG", 6, NULL), HR_OK);
	assert_int_equal(value_index_add(vi, "email-src", "Bob@Mail.Example.org", 7, NULL), HR_OK);
	assert_int_equal(
	    value_index_add(vi, "hromada-leak-fingerprint",
			    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 8,
			    NULL),
	    HR_OK);

	assert_int_equal(value_index_find(vi, "ip-dst", "198.51.100.1", ids, 8, &count), HR_OK);
	assert_int_equal(count, 3);
	assert_int_equal(value_index_find(vi, "ipv6-addr", "2001:db8::0:1", ids, 8, &count), HR_OK);
	assert_int_equal(count, 2);
	assert_int_equal(value_index_find(vi, "domain-name", "mail.example.org", ids, 8, &count),
			 HR_OK);
	assert_int_equal(count, 1);
	assert_int_equal(ids[0], 6);
	assert_int_equal(value_index_find(vi, "email-addr", "Bob@mail.example.org", ids, 8, &count),
			 HR_OK);
	assert_int_equal(count, 1);
	/* the local part keeps its case: Bob and bob may be two mailboxes */
	assert_int_equal(value_index_find(vi, "email-addr", "bob@mail.example.org", ids, 8, &count),
			 HR_OK);
	assert_int_equal(count, 0);
	assert_int_equal(
	    value_index_find(vi, "file:sha256",
			     "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF",
			     ids, 8, &count),
	    HR_OK);
	assert_int_equal(count, 1);
	assert_int_equal(ids[0], 8);
	value_index_free(vi);
}

static uint64_t next_random(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* one million random adds (with ~10% values repeated), every one found again */
static void test_million_random_adds_all_found(void **state)
{
	enum { N = 1000000 };
	struct value_index *vi;
	uint64_t seed = 0x9e3779b97f4a7c15ULL, *values = malloc(N * sizeof(*values));
	uint64_t ids[64];
	char text[64];
	size_t count;

	(void)state;
	assert_non_null(values);
	/* expected too small on purpose: the table must grow */
	assert_int_equal(value_index_new(N / 8, &vi, NULL), HR_OK);
	for (size_t i = 0; i < N; i++) {
		values[i] = (i % 10 == 9) ? values[next_random(&seed) % i] : next_random(&seed);
		snprintf(text, sizeof(text), "%016" PRIx64 "%016" PRIx64, values[i], values[i]);
		assert_int_equal(value_index_add(vi, "file:md5", text, i, NULL), HR_OK);
	}
	assert_int_equal(value_index_size(vi), N);
	for (size_t i = 0; i < N; i++) {
		bool seen = false;

		snprintf(text, sizeof(text), "%016" PRIx64 "%016" PRIx64, values[i], values[i]);
		assert_int_equal(value_index_find(vi, "md5", text, ids, 64, &count), HR_OK);
		assert_true(count >= 1 && count <= 64);
		for (size_t k = 0; k < count; k++) {
			assert_int_equal(values[ids[k]], values[i]);
			seen |= ids[k] == i;
		}
		assert_true(seen);
	}
	snprintf(text, sizeof(text), "%032d", 7);
	assert_int_equal(value_index_find(vi, "md5", text, ids, 64, &count), HR_OK);
	assert_int_equal(count, 0);
	printf("# 1 000 000 entries, %zu keys, %zu bytes (%.1f per entry)\n", value_index_keys(vi),
	       value_index_bytes(vi), (double)value_index_bytes(vi) / N);
	value_index_free(vi);
	free(values);
}

struct writer {
	struct value_index *vi;
	uint64_t from, to;
};

static void *write_many(void *arg)
{
	struct writer *w = arg;
	char text[32];

	for (uint64_t i = w->from; i < w->to; i++) {
		snprintf(text, sizeof(text), "h%" PRIu64 ".example", i);
		if (value_index_add(w->vi, "domain-name", text, i, NULL) != HR_OK)
			return (void *)1;
	}
	return NULL;
}

static void test_finds_beside_concurrent_adds(void **state)
{
	struct value_index *vi;
	struct writer w;
	pthread_t thread;
	uint64_t ids[2];
	size_t count;
	void *result;

	(void)state;
	assert_int_equal(value_index_new(16, &vi, NULL), HR_OK); /* grows while read */
	assert_int_equal(value_index_add(vi, "domain-name", "stays.example", 7, NULL), HR_OK);
	w = (struct writer){vi, 1000, 201000};
	assert_int_equal(pthread_create(&thread, NULL, write_many, &w), 0);
	for (int i = 0; i < 200000; i++) {
		assert_int_equal(
		    value_index_find(vi, "domain-name", "stays.example", ids, 2, &count), HR_OK);
		assert_int_equal(count, 1);
		assert_int_equal(ids[0], 7);
	}
	assert_int_equal(pthread_join(thread, &result), 0);
	assert_null(result);
	assert_int_equal(value_index_size(vi), 200001);
	assert_int_equal(value_index_find(vi, "domain-name", "h200999.example", ids, 2, &count),
			 HR_OK);
	assert_int_equal(count, 1);
	assert_int_equal(ids[0], 200999);
	value_index_free(vi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_siphash128_matches_openssl),
	    cmocka_unit_test(test_adds_and_finds),
	    cmocka_unit_test(test_refuses_what_is_not_a_value),
	    cmocka_unit_test(test_same_value_from_many_rows_newest_first),
	    cmocka_unit_test(test_misp_and_stix_names_correlate),
	    cmocka_unit_test(test_finds_beside_concurrent_adds),
	    cmocka_unit_test(test_million_random_adds_all_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
