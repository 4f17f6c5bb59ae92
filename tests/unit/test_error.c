/*
 * test_error.c — the one error convention: hr_error_set returns what it was
 * given and tolerates a NULL hr_error, messages and stages are truncated and
 * never overflowed, hr_error_prefix composes "context: message", and every
 * status has its own stable name.
 */
#include "testkit/testkit.h"

#include <string.h>

#include "core/error.h"

/* An hr_error followed by guard bytes: an overflow of message (the last
 * member) would land in the guard, where AddressSanitizer cannot see it. */
struct guarded_error {
	struct hr_error err;
	unsigned char guard[64];
};

static void guard_init(struct guarded_error *g)
{
	memset(g, 0, sizeof(*g));
	memset(g->guard, 0xa5, sizeof(g->guard));
}

static void assert_guard_intact(const struct guarded_error *g)
{
	for (size_t i = 0; i < sizeof(g->guard); i++)
		assert_int_equal(g->guard[i], 0xa5);
}

static void fill(char *s, char c, size_t n)
{
	memset(s, c, n);
	s[n] = 0;
}

/* ---- hr_status_name: the names are part of the API (JSON error codes) ---- */

static const struct {
	hr_status status;
	const char *name;
} status_names[] = {
    {HR_OK, "ok"},
    {HR_E_NOMEM, "out_of_memory"},
    {HR_E_INVALID, "invalid"},
    {HR_E_IO, "io"},
    {HR_E_NOT_FOUND, "not_found"},
    {HR_E_TOO_LARGE, "too_large"},
    {HR_E_TIMEOUT, "timeout"},
    {HR_E_CONFLICT, "conflict"},
    {HR_E_DENIED, "denied"},
    {HR_E_UNAVAILABLE, "unavailable"},
    {HR_E_CRYPTO, "crypto"},
    {HR_E_SIGNATURE, "signature"},
    {HR_E_EXPIRED, "expired"},
    {HR_E_UNSUPPORTED, "unsupported"},
    {HR_E_STATE, "state"},
    {HR_E_BUSY, "busy"},
    {HR_E_DATABASE, "database"},
};

#define STATUS_COUNT (sizeof(status_names) / sizeof(status_names[0]))

static void test_status_names_are_the_published_ones(void **state)
{
	(void)state;
	for (size_t i = 0; i < STATUS_COUNT; i++)
		assert_string_equal(hr_status_name(status_names[i].status), status_names[i].name);
}

static void test_every_status_from_ok_to_last_has_a_distinct_identifier(void **state)
{
	(void)state;
	/* Walk the whole range, so a code added to the enum without a name is caught. */
	for (int a = HR_E_DATABASE; a <= HR_OK; a++) {
		const char *name = hr_status_name((hr_status)a);

		assert_non_null(name);
		assert_true(strlen(name) > 0);
		assert_string_not_equal(name, "unknown");
		for (const char *p = name; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
		for (int b = HR_E_DATABASE; b < a; b++)
			assert_string_not_equal(name, hr_status_name((hr_status)b));
	}
}

static void test_unknown_status_has_a_name_too(void **state)
{
	(void)state;
	assert_string_equal(hr_status_name((hr_status)1), "unknown");
	assert_string_equal(hr_status_name((hr_status)(HR_E_DATABASE - 1)), "unknown");
	assert_string_equal(hr_status_name((hr_status)-1000), "unknown");
}

/* ---- hr_error_set ---- */

static void test_set_returns_the_status_and_fills_the_error(void **state)
{
	struct hr_error err;

	(void)state;
	memset(&err, 0x5a, sizeof(err));
	assert_int_equal(
	    hr_error_set(&err, HR_E_INVALID, "config", "line %d: '%s' is bad", 12, "x"),
	    HR_E_INVALID);
	assert_int_equal(err.status, HR_E_INVALID);
	assert_string_equal(err.stage, "config");
	assert_string_equal(err.message, "line 12: 'x' is bad");

	/* a later set replaces everything */
	assert_int_equal(hr_error_set(&err, HR_E_IO, "store", "disk"), HR_E_IO);
	assert_int_equal(err.status, HR_E_IO);
	assert_string_equal(err.stage, "store");
	assert_string_equal(err.message, "disk");
}

static void test_set_with_null_error_returns_every_status(void **state)
{
	(void)state;
	for (size_t i = 0; i < STATUS_COUNT; i++)
		assert_int_equal(hr_error_set(NULL, status_names[i].status, "x", "message %d", 1),
				 status_names[i].status);
}

static void test_set_with_null_stage_gives_empty_stage(void **state)
{
	struct hr_error err;

	(void)state;
	memset(&err, 'z', sizeof(err));
	hr_error_set(&err, HR_E_STATE, NULL, "no stage");
	assert_string_equal(err.stage, "");
	assert_string_equal(err.message, "no stage");
}

static void test_set_truncates_a_long_message_at_the_limit(void **state)
{
	struct guarded_error g;
	char long_text[4 * HR_ERROR_MESSAGE_MAX + 1];

	(void)state;
	guard_init(&g);
	fill(long_text, 'm', sizeof(long_text) - 1);
	assert_int_equal(hr_error_set(&g.err, HR_E_TOO_LARGE, "json", "%s!", long_text),
			 HR_E_TOO_LARGE);
	assert_int_equal(strlen(g.err.message), HR_ERROR_MESSAGE_MAX - 1);
	assert_int_equal(strspn(g.err.message, "m"), HR_ERROR_MESSAGE_MAX - 1);
	assert_guard_intact(&g);
}

static void test_set_message_of_exactly_the_limit_minus_one_is_kept_whole(void **state)
{
	struct hr_error err;
	char text[HR_ERROR_MESSAGE_MAX];

	(void)state;
	fill(text, 'k', HR_ERROR_MESSAGE_MAX - 1);
	hr_error_set(&err, HR_E_INVALID, "x", "%s", text);
	assert_string_equal(err.message, text);
}

static void test_set_truncates_a_long_stage(void **state)
{
	struct hr_error err;
	char stage[3 * HR_ERROR_STAGE_MAX];

	(void)state;
	fill(stage, 's', sizeof(stage) - 1);
	hr_error_set(&err, HR_E_INVALID, stage, "short");
	assert_int_equal(strlen(err.stage), HR_ERROR_STAGE_MAX - 1);
	assert_string_equal(err.message, "short"); /* the stage did not spill into message */
}

/* ---- hr_error_prefix ---- */

static void test_prefix_composes_context_and_message(void **state)
{
	struct hr_error err;

	(void)state;
	hr_error_set(&err, HR_E_INVALID, "config", "line 3: bad value");
	hr_error_prefix(&err, "%s", "/etc/hromada.ini");
	assert_string_equal(err.message, "/etc/hromada.ini: line 3: bad value");
	/* status and stage stay as they were */
	assert_int_equal(err.status, HR_E_INVALID);
	assert_string_equal(err.stage, "config");

	hr_error_prefix(&err, "role %s", "registry");
	assert_string_equal(err.message, "role registry: /etc/hromada.ini: line 3: bad value");
}

static void test_prefix_on_empty_message(void **state)
{
	struct hr_error err;

	(void)state;
	hr_error_clear(&err);
	hr_error_prefix(&err, "ctx");
	assert_string_equal(err.message, "ctx: ");
}

static void test_prefix_tolerates_null_error(void **state)
{
	(void)state;
	hr_error_prefix(NULL, "ctx %d", 1); /* must simply return */
}

static void test_prefix_truncates_when_the_total_is_too_long(void **state)
{
	struct guarded_error g;
	char message[HR_ERROR_MESSAGE_MAX];
	char context[HR_ERROR_MESSAGE_MAX];

	(void)state;
	guard_init(&g);
	fill(message, 'm', HR_ERROR_MESSAGE_MAX - 1); /* the longest message there is */
	hr_error_set(&g.err, HR_E_INVALID, "x", "%s", message);
	fill(context, 'c', 100);
	hr_error_prefix(&g.err, "%s", context);
	assert_int_equal(strlen(g.err.message), HR_ERROR_MESSAGE_MAX - 1);
	assert_memory_equal(g.err.message, context, 100);
	assert_memory_equal(g.err.message + 100, ": ", 2);
	assert_int_equal(strspn(g.err.message + 102, "m"), HR_ERROR_MESSAGE_MAX - 1 - 102);
	assert_guard_intact(&g);
}

static void test_prefix_longer_than_the_limit_is_truncated_too(void **state)
{
	struct guarded_error g;
	char context[3 * HR_ERROR_MESSAGE_MAX];

	(void)state;
	guard_init(&g);
	hr_error_set(&g.err, HR_E_INVALID, "x", "original");
	fill(context, 'c', sizeof(context) - 1);
	hr_error_prefix(&g.err, "%s", context);
	assert_int_equal(strlen(g.err.message), HR_ERROR_MESSAGE_MAX - 1);
	assert_int_equal(strspn(g.err.message, "c"), HR_ERROR_MESSAGE_MAX - 1);
	assert_guard_intact(&g);
}

static void test_prefix_repeated_many_times_stays_bounded(void **state)
{
	struct guarded_error g;

	(void)state;
	guard_init(&g);
	hr_error_set(&g.err, HR_E_INVALID, "x", "root cause");
	for (int i = 0; i < 200; i++)
		hr_error_prefix(&g.err, "layer %d", i);
	assert_int_equal(strlen(g.err.message), HR_ERROR_MESSAGE_MAX - 1);
	assert_true(strncmp(g.err.message, "layer 199: layer 198: ", 22) == 0);
	assert_guard_intact(&g);
}

/* ---- hr_error_clear ---- */

static void test_clear_resets_everything_and_tolerates_null(void **state)
{
	struct hr_error err;

	(void)state;
	hr_error_set(&err, HR_E_CRYPTO, "cose", "bad signature");
	hr_error_clear(&err);
	assert_int_equal(err.status, HR_OK);
	assert_string_equal(err.stage, "");
	assert_string_equal(err.message, "");
	hr_error_clear(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_names_are_the_published_ones),
	    cmocka_unit_test(test_every_status_from_ok_to_last_has_a_distinct_identifier),
	    cmocka_unit_test(test_unknown_status_has_a_name_too),
	    cmocka_unit_test(test_set_returns_the_status_and_fills_the_error),
	    cmocka_unit_test(test_set_with_null_error_returns_every_status),
	    cmocka_unit_test(test_set_with_null_stage_gives_empty_stage),
	    cmocka_unit_test(test_set_truncates_a_long_message_at_the_limit),
	    cmocka_unit_test(test_set_message_of_exactly_the_limit_minus_one_is_kept_whole),
	    cmocka_unit_test(test_set_truncates_a_long_stage),
	    cmocka_unit_test(test_prefix_composes_context_and_message),
	    cmocka_unit_test(test_prefix_on_empty_message),
	    cmocka_unit_test(test_prefix_tolerates_null_error),
	    cmocka_unit_test(test_prefix_truncates_when_the_total_is_too_long),
	    cmocka_unit_test(test_prefix_longer_than_the_limit_is_truncated_too),
	    cmocka_unit_test(test_prefix_repeated_many_times_stays_bounded),
	    cmocka_unit_test(test_clear_resets_everything_and_tolerates_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
