/*
 * test_root_guard.c — `hromada serve` refuses root (src/core/root_guard.h):
 * the check is given the effective uid, so every case runs whoever runs the
 * tests (CI is root, a developer is not). tests/e2e/test_serve_root.c shows the
 * real binary refusing when the tests do run as root.
 */
#include "testkit/testkit.h"

#include <string.h>

#include "core/root_guard.h"

/* uid 0 is refused with HR_E_DENIED and a message saying what to do instead */
static void test_serve_refuses_effective_uid_zero(void **unused)
{
	struct hr_error err = {0};
	bool waived = true;

	(void)unused;
	assert_int_equal(root_guard_check("hromada serve", 0, NULL, &waived, &err), HR_E_DENIED);
	assert_false(waived);
	assert_int_equal(err.status, HR_E_DENIED);
	assert_non_null(strstr(err.message, "hromada serve refuses to run as root"));
	assert_non_null(strstr(err.message, "unprivileged user"));
	assert_non_null(strstr(err.message, "docs/DEPLOY.md"));
}

/* any other uid passes, whatever the waiver says, and is not reported as waived */
static void test_serve_accepts_unprivileged_uid(void **unused)
{
	const uid_t uids[] = {1, 65534, 1000, (uid_t)-2};
	struct hr_error err = {0};
	bool waived;

	(void)unused;
	for (size_t i = 0; i < sizeof(uids) / sizeof(uids[0]); i++) {
		waived = true;
		assert_int_equal(root_guard_check("hromada serve", uids[i], NULL, &waived, &err),
				 HR_OK);
		assert_false(waived);
		assert_int_equal(root_guard_check("hromada serve", uids[i], "1", &waived, &err),
				 HR_OK);
		assert_false(waived);
	}
}

/* only HROMADA_UNSAFE_ALLOW_ROOT=1 exactly waives the check, and says it did */
static void test_root_waiver_needs_exactly_one(void **unused)
{
	const char *not_waivers[] = {"", "0", "yes", "true", "11", " 1", "1 ", "on"};
	struct hr_error err = {0};
	bool waived = false;

	(void)unused;
	assert_string_equal(ROOT_GUARD_WAIVER_ENV, "HROMADA_UNSAFE_ALLOW_ROOT");
	for (size_t i = 0; i < sizeof(not_waivers) / sizeof(not_waivers[0]); i++) {
		assert_int_equal(
		    root_guard_check("hromada serve", 0, not_waivers[i], &waived, &err),
		    HR_E_DENIED);
		assert_false(waived);
	}
	assert_int_equal(root_guard_check("hromada serve", 0, "1", &waived, &err), HR_OK);
	assert_true(waived);
	/* waived may be NULL */
	assert_int_equal(root_guard_check("hromada serve", 0, "1", NULL, &err), HR_OK);
	assert_int_equal(root_guard_check("hromada serve", 0, NULL, NULL, NULL), HR_E_DENIED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_serve_refuses_effective_uid_zero),
	    cmocka_unit_test(test_serve_accepts_unprivileged_uid),
	    cmocka_unit_test(test_root_waiver_needs_exactly_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
