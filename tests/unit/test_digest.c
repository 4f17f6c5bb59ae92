/*
 * test_digest.c — SHA-2 through the fetched-once digests (core/digest.c):
 * FIPS 180-2 vectors, the empty input, and many threads hashing at once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/digest.h"
#include "core/hex.h"

static void assert_digest(const void *data, size_t len, const char *expected_hex)
{
	uint8_t out[DIGEST_SHA256_LEN];
	char hex[2 * DIGEST_SHA256_LEN + 1];

	assert_int_equal(digest_sha256_of(data, len, out), HR_OK);
	hex_encode(out, sizeof(out), hex);
	assert_string_equal(hex, expected_hex);
}

static void test_sha256_matches_the_fips_180_2_vectors(void **state)
{
	(void)state;
	assert_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_empty_input_may_be_null(void **state)
{
	(void)state;
	assert_digest(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_every_sha2_is_available_and_the_same_each_time(void **state)
{
	(void)state;
	assert_non_null(digest_sha256());
	assert_ptr_equal(digest_sha256(), digest_sha256());
	assert_int_equal(EVP_MD_get_size(digest_sha256()), 32);
	assert_int_equal(EVP_MD_get_size(digest_sha384()), 48);
	assert_int_equal(EVP_MD_get_size(digest_sha512()), 64);
}

#define THREADS 8

static void *hash_many(void *arg)
{
	uint8_t out[DIGEST_SHA256_LEN], first[DIGEST_SHA256_LEN];
	int *same = arg;

	*same = digest_sha256_of("abc", 3, first) == HR_OK;
	for (int i = 0; i < 2000 && *same; i++)
		*same = digest_sha256_of("abc", 3, out) == HR_OK && memcmp(out, first, 32) == 0;
	return NULL;
}

static void test_threads_hash_at_once(void **state)
{
	pthread_t threads[THREADS];
	int same[THREADS];

	(void)state;
	/* the first use may be in any of them: the fetch happens once */
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, hash_many, &same[i]), 0);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_true(same[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_threads_hash_at_once),
	    cmocka_unit_test(test_sha256_matches_the_fips_180_2_vectors),
	    cmocka_unit_test(test_empty_input_may_be_null),
	    cmocka_unit_test(test_every_sha2_is_available_and_the_same_each_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
