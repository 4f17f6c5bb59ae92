/*
 * test_base45.c — Base45 (RFC 9285): the published examples, then everything a
 * strict decoder must refuse, then round trips of every length.
 */
#include "testkit/testkit.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "credential/base45.h"

static void assert_encodes(const char *data, size_t len, const char *text)
{
	struct buf b;

	buf_init(&b, 1024);
	assert_int_equal(base45_encode((const uint8_t *)data, len, &b), HR_OK);
	assert_string_equal(buf_str(&b), text);
	buf_clear(&b);
}

static void assert_decodes(const char *text, const char *data, size_t len)
{
	struct buf b;
	struct hr_error err;

	buf_init(&b, 1024);
	assert_int_equal(base45_decode(text, strlen(text), &b, &err), HR_OK);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, data, len);
	buf_clear(&b);
}

/* Refused with HR_E_INVALID, stage "base45", and out left as it was. */
static void assert_refused(const char *text, size_t len)
{
	struct buf b;
	struct hr_error err;

	buf_init(&b, 1024);
	buf_append_str(&b, "kept");
	memset(&err, 0, sizeof(err));
	assert_int_equal(base45_decode(text, len, &b, &err), HR_E_INVALID);
	assert_int_equal(err.status, HR_E_INVALID);
	assert_string_equal(err.stage, "base45");
	assert_string_equal(buf_str(&b), "kept");
	assert_int_equal(b.error, HR_OK);
	buf_clear(&b);
}

static void test_rfc9285_examples_encode(void **state)
{
	(void)state;
	/* RFC 9285 §4.3 */
	assert_encodes("AB", 2, "BB8");
	assert_encodes("Hello!!", 7, "%69 VD92EX0");
	assert_encodes("base-45", 7, "UJCLQE7W581");
	assert_encodes("ietf!", 5, "QED8WEX0");
	assert_encodes("", 0, "");
}

static void test_rfc9285_examples_decode(void **state)
{
	(void)state;
	/* RFC 9285 §4.3 */
	assert_decodes("BB8", "AB", 2);
	assert_decodes("%69 VD92EX0", "Hello!!", 7);
	assert_decodes("UJCLQE7W581", "base-45", 7);
	assert_decodes("QED8WEX0", "ietf!", 5);
}

static void test_extremes_of_each_group(void **state)
{
	(void)state;
	/* 65535 = 15 + 16*45 + 32*2025, the largest triplet; 255 the largest pair */
	assert_decodes("FGW", "\xff\xff", 2);
	assert_encodes("\xff\xff", 2, "FGW");
	assert_decodes("000", "\x00\x00", 2);
	assert_decodes("00", "\x00", 1);
	assert_decodes("U5", "\xff", 1); /* 255 = 30 + 5*45 */
	assert_encodes("\xff", 1, "U5");
}

static void test_rejects_triplet_above_65535(void **state)
{
	(void)state;
	/* RFC 9285 §4.3: "GGW" is 65536 */
	assert_refused("GGW", 3);
	assert_refused("BB8GGW", 6);
	assert_refused(":::", 3); /* the largest triplet, 44*(1+45+2025) */
}

static void test_rejects_pair_above_255(void **state)
{
	(void)state;
	assert_refused("V5", 2); /* 256 */
	assert_refused("BB8::", 5);
}

static void test_rejects_lowercase_and_characters_outside_the_alphabet(void **state)
{
	struct buf b;
	struct hr_error err;

	(void)state;
	assert_refused("bb8", 3);
	assert_refused("BB8bb8", 6);
	assert_refused("BB\n", 3);
	assert_refused("BB8\tB", 5);
	assert_refused("B#8", 3);
	assert_refused("B=", 2);
	assert_refused("BB\0", 3);
	assert_refused("BB\x80", 3);
	assert_refused("BB\xff", 3);
	/* the message names the offset of the offending character */
	buf_init(&b, 64);
	assert_int_equal(base45_decode("BB8BB8Bb8", 9, &b, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "offset 7"));
	buf_clear(&b);
}

static void test_rejects_every_non_alphabet_byte(void **state)
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	char text[3] = {'0', '0', '0'}; /* the first digit is the least significant */
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	for (int c = 0; c < 256; c++) {
		text[0] = (char)c;
		buf_reset(&b);
		if (c != 0 && memchr(alphabet, c, 45) != NULL)
			assert_int_equal(base45_decode(text, 3, &b, NULL), HR_OK);
		else
			assert_int_equal(base45_decode(text, 3, &b, NULL), HR_E_INVALID);
	}
	buf_clear(&b);
}

static void test_rejects_lone_trailing_character(void **state)
{
	struct hr_error err;
	struct buf b;

	(void)state;
	assert_refused("B", 1);
	assert_refused("BB8B", 4);
	assert_refused("%69 VD92EX0AB", 13);
	buf_init(&b, 64);
	assert_int_equal(base45_decode("BB8B", 4, &b, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "offset 3"));
	buf_clear(&b);
}

static void test_empty_input_decodes_to_nothing(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(base45_decode("", 0, &b, NULL), HR_OK);
	assert_int_equal(b.len, 0);
	buf_clear(&b);
}

static void test_respects_the_buffer_ceiling(void **state)
{
	struct buf b;
	struct hr_error err;

	(void)state;
	buf_init(&b, 6);
	assert_int_equal(base45_decode("%69 VD92EX0", 11, &b, &err), HR_E_TOO_LARGE);
	assert_int_equal(err.status, HR_E_TOO_LARGE);
	assert_int_equal(b.len, 0);
	buf_clear(&b);
	buf_init(&b, 7);
	assert_int_equal(base45_decode("%69 VD92EX0", 11, &b, &err), HR_OK);
	buf_clear(&b);
	buf_init(&b, 10);
	assert_int_equal(base45_encode((const uint8_t *)"Hello!!", 7, &b), HR_E_TOO_LARGE);
	assert_int_equal(b.error, HR_E_TOO_LARGE);
	buf_clear(&b);
}

static void test_appends_after_existing_contents(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	buf_append_str(&b, "HC1:");
	assert_int_equal(base45_encode((const uint8_t *)"AB", 2, &b), HR_OK);
	assert_string_equal(buf_str(&b), "HC1:BB8");
	assert_int_equal(base45_decode("QED8WEX0", 8, &b, NULL), HR_OK);
	assert_string_equal(buf_str(&b), "HC1:BB8ietf!");
	buf_clear(&b);
}

static void test_round_trips_random_data_of_every_length(void **state)
{
	uint8_t data[300];
	struct buf text, back;
	unsigned seed = 45;

	(void)state;
	buf_init(&text, 1024);
	buf_init(&back, 1024);
	for (size_t len = 0; len <= sizeof(data); len++) {
		for (size_t i = 0; i < len; i++)
			data[i] = (uint8_t)(rand_r(&seed) >> 7);
		buf_reset(&text);
		buf_reset(&back);
		assert_int_equal(base45_encode(data, len, &text), HR_OK);
		assert_int_equal(text.len, len / 2 * 3 + len % 2 * 2);
		assert_int_equal(base45_decode(buf_str(&text), text.len, &back, NULL), HR_OK);
		assert_int_equal(back.len, len);
		if (len > 0)
			assert_memory_equal(back.data, data, len);
	}
	buf_clear(&text);
	buf_clear(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc9285_examples_encode),
	    cmocka_unit_test(test_rfc9285_examples_decode),
	    cmocka_unit_test(test_extremes_of_each_group),
	    cmocka_unit_test(test_rejects_triplet_above_65535),
	    cmocka_unit_test(test_rejects_pair_above_255),
	    cmocka_unit_test(test_rejects_lowercase_and_characters_outside_the_alphabet),
	    cmocka_unit_test(test_rejects_every_non_alphabet_byte),
	    cmocka_unit_test(test_rejects_lone_trailing_character),
	    cmocka_unit_test(test_empty_input_decodes_to_nothing),
	    cmocka_unit_test(test_respects_the_buffer_ceiling),
	    cmocka_unit_test(test_appends_after_existing_contents),
	    cmocka_unit_test(test_round_trips_random_data_of_every_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
