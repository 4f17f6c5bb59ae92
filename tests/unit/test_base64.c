/*
 * test_base64.c — Base64 and base64url: RFC 4648 §10's vectors both ways,
 * strict decoding, and output bounded exactly by the buffer's ceiling.
 */
#include "testkit/testkit.h"

#include <string.h>

#include "core/base64.h"

/* RFC 4648 §10 */
static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *const standard[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
				       "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};

static void test_rfc4648_vectors_both_ways(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		struct buf b;

		buf_init(&b, 64);
		assert_int_equal(base64_encode(plain[i], strlen(plain[i]), BASE64_STANDARD, &b),
				 HR_OK);
		assert_string_equal(buf_str(&b), standard[i]);
		buf_reset(&b);
		assert_int_equal(base64_encode(plain[i], strlen(plain[i]), BASE64_URL, &b), HR_OK);
		assert_string_equal(buf_str(&b), url[i]);
		buf_reset(&b);
		assert_int_equal(
		    base64_decode(standard[i], strlen(standard[i]), BASE64_STANDARD, &b), HR_OK);
		assert_int_equal(b.len, strlen(plain[i]));
		assert_memory_equal(b.data, plain[i], b.len);
		buf_reset(&b);
		assert_int_equal(base64_decode(url[i], strlen(url[i]), BASE64_URL, &b), HR_OK);
		assert_int_equal(b.len, strlen(plain[i]));
		assert_memory_equal(b.data, plain[i], b.len);
		buf_clear(&b);
	}
}

static void test_the_url_alphabet_is_its_own(void **state)
{
	static const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(base64_encode(bytes, 3, BASE64_URL, &b), HR_OK);
	assert_string_equal(buf_str(&b), "-_-_");
	buf_reset(&b);
	assert_int_equal(base64_encode(bytes, 3, BASE64_STANDARD, &b), HR_OK);
	assert_string_equal(buf_str(&b), "+/+/");
	buf_reset(&b);
	assert_int_equal(base64_decode("+/+/", 4, BASE64_URL, &b), HR_E_INVALID);
	buf_reset(&b);
	assert_int_equal(base64_decode("-_-_", 4, BASE64_STANDARD, &b), HR_E_INVALID);
	buf_clear(&b);
}

static void test_strict_decoding_refuses_deviations(void **state)
{
	static const struct {
		const char *text;
		enum base64_variant variant;
	} bad[] = {
	    {"Zg", BASE64_STANDARD},       /* padding required */
	    {"Zg==", BASE64_URL},          /* padding forbidden */
	    {"Zm9v\n", BASE64_STANDARD},   /* whitespace */
	    {"Z", BASE64_URL},             /* one character is never whole bytes */
	    {"Zh==", BASE64_STANDARD},     /* leftover bits set: non-canonical */
	    {"Zm9=", BASE64_STANDARD},     /* leftover bits set */
	    {"Zm9v*A==", BASE64_STANDARD}, /* outside the alphabet */
	};
	struct buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_init(&b, 64);
		if (base64_decode(bad[i].text, strlen(bad[i].text), bad[i].variant, &b) !=
		    HR_E_INVALID)
			fail_msg("'%s' was accepted", bad[i].text);
		buf_clear(&b);
	}
}

/* A buffer whose ceiling is exactly the decoded size holds it: 64-byte
 * signatures decode into 64-byte buffers. */
static void test_decodes_into_a_buffer_of_exactly_the_size(void **state)
{
	unsigned char raw[64];
	struct buf text, out;

	(void)state;
	for (size_t len = 1; len <= sizeof(raw); len++) {
		for (size_t i = 0; i < len; i++)
			raw[i] = (unsigned char)(i * 37 + len);
		buf_init(&text, 256);
		assert_int_equal(base64_encode(raw, len, BASE64_URL, &text), HR_OK);
		buf_init(&out, len);
		if (base64_decode(buf_str(&text), text.len, BASE64_URL, &out) != HR_OK)
			fail_msg("%zu bytes do not decode into a %zu-byte buffer", len, len);
		assert_memory_equal(out.data, raw, len);
		buf_clear(&out);
		/* one byte less is refused, not truncated */
		buf_init(&out, len - 1);
		assert_int_equal(base64_decode(buf_str(&text), text.len, BASE64_URL, &out),
				 HR_E_TOO_LARGE);
		buf_clear(&out);
		buf_clear(&text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc4648_vectors_both_ways),
	    cmocka_unit_test(test_the_url_alphabet_is_its_own),
	    cmocka_unit_test(test_strict_decoding_refuses_deviations),
	    cmocka_unit_test(test_decodes_into_a_buffer_of_exactly_the_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
