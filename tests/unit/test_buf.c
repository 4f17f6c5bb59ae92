/*
 * test_buf.c — bounded buffers: growth, the ceiling, latched errors, take.
 */
#include "testkit/testkit.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static void test_appends_and_terminates(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_string_equal(buf_str(&b), "");
	assert_int_equal(buf_append_str(&b, "hello"), HR_OK);
	assert_int_equal(buf_printf(&b, " %d", 42), HR_OK);
	assert_string_equal(buf_str(&b), "hello 42");
	assert_int_equal(b.len, 8);
	buf_clear(&b);
}

static void test_reserved_but_unwritten_is_empty_text(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_reserve(&b, 0), HR_OK);
	assert_non_null(b.data);
	assert_string_equal(buf_str(&b), "");
	buf_clear(&b);
}

static void test_refuses_growth_past_limit_and_keeps_contents(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_append(&b, "12345678", 8), HR_OK);
	assert_int_equal(buf_append_byte(&b, '9'), HR_E_TOO_LARGE);
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.data, "12345678", 8);
	buf_clear(&b);
}

static void test_error_latches_until_reset(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(buf_append(&b, "12345", 5), HR_E_TOO_LARGE);
	/* a later small append must fail too: the writer checks once at the end */
	assert_int_equal(buf_append(&b, "1", 1), HR_E_TOO_LARGE);
	assert_int_equal(b.error, HR_E_TOO_LARGE);
	buf_reset(&b);
	assert_int_equal(b.error, HR_OK);
	assert_int_equal(buf_append(&b, "1", 1), HR_OK);
	buf_clear(&b);
}

static void test_huge_length_does_not_overflow(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(buf_append(&b, "x", 1), HR_OK);
	assert_int_equal(buf_reserve(&b, SIZE_MAX), HR_E_TOO_LARGE);
	assert_int_equal(buf_reserve(&b, SIZE_MAX - 1), HR_E_TOO_LARGE);
	buf_clear(&b);
}

static void test_take_transfers_ownership(void **state)
{
	struct buf b;
	uint8_t *data;
	size_t len;

	(void)state;
	buf_init(&b, 64);
	buf_append_str(&b, "abc");
	data = buf_take(&b, &len);
	assert_int_equal(len, 3);
	assert_string_equal((char *)data, "abc");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(data);
}

static void test_slices_compare(void **state)
{
	(void)state;
	assert_true(slice_equal_str(slice_make("abc", 3), "abc"));
	assert_false(slice_equal_str(slice_make("abc", 2), "abc"));
	assert_true(slice_equal(slice_make(NULL, 0), slice_make("", 0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_appends_and_terminates),
	    cmocka_unit_test(test_reserved_but_unwritten_is_empty_text),
	    cmocka_unit_test(test_refuses_growth_past_limit_and_keeps_contents),
	    cmocka_unit_test(test_error_latches_until_reset),
	    cmocka_unit_test(test_huge_length_does_not_overflow),
	    cmocka_unit_test(test_take_transfers_ownership),
	    cmocka_unit_test(test_slices_compare),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
