/*
 * test_serve_root.c — the real `hromada serve` refuses to run as root.
 *
 * Run as root (as CI runs the tests), it unsets HROMADA_UNSAFE_ALLOW_ROOT (the
 * test environment sets it so the other e2e tests can start roles) and shows
 * that serve exits 1 with the refusal before it reads its settings or creates
 * its state directory, and that the waiver, and only it, lets it start, with a
 * warning. Run as anyone else, the refusal cannot be provoked (the process is
 * not root); those cases say so and skip, and unit.root_guard proves the check
 * with an injected uid; what can be shown, that an unprivileged user needs no
 * waiver and gets no warning, is.
 */
#include "testkit/testkit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/root_guard.h"

/*
 * A registry's settings (the role with the fewest peers that needs nothing but
 * its member key and its gateway's certificate), keys made by `hromada keys`.
 */
static void write_registry_ini(const char *dir, char *ini, size_t ini_size, char *state,
			       size_t state_size)
{
	char keys[320], text[2048], out[4096];
	char *argv[] = {(char *)tk_hromada_binary(),
			"keys",
			"--country",
			"UA",
			"--out",
			keys,
			"--member",
			"UA/GOV/00015622/driver_licence",
			"--member",
			"UA/GOV/00000001/gateway",
			NULL};

	snprintf(keys, sizeof(keys), "%s/keys", dir);
	assert_int_equal(tk_run(argv, out, sizeof(out), 60000), 0);
	snprintf(ini, ini_size, "%s/registry.ini", dir);
	snprintf(state, state_size, "%s/registry-state", dir);
	snprintf(text, sizeof(text),
		 "[node]\nrole = registry\ncountry = UA\nstate_dir = %s\n"
		 "[server]\nlisten = 127.0.0.1:0\n"
		 "[registry]\ndocument_type = driver_licence\n"
		 "member_id = UA/GOV/00015622/driver_licence\n"
		 "key = %s/members/UA_GOV_00015622_driver_licence/key.pem\n"
		 "certificate = %s/members/UA_GOV_00015622_driver_licence/cert.pem\n"
		 "gateway_id = UA/GOV/00000001/gateway\n"
		 "gateway_certificate = %s/members/UA_GOV_00000001_gateway/cert.pem\n",
		 state, keys, keys, keys);
	assert_true(tk_write_file(ini, text));
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Starts serve registry, waits for "listening on", stops it with SIGTERM; returns its log. */
static char *serve_until_ready_then_stop(const char *dir, char *ini)
{
	char log[400];
	char *argv[] = {(char *)tk_hromada_binary(), "serve", "registry", "--config", ini, NULL};
	char *text = NULL;
	pid_t pid;
	int code = -1;

	snprintf(log, sizeof(log), "%s/serve.log", dir);
	pid = tk_spawn(argv, log);
	assert_true(pid > 0);
	for (int i = 0; i < 300; i++) {
		free(text);
		text = tk_read_file(log, NULL);
		if (text != NULL && strstr(text, "listening on http://") != NULL)
			break;
		usleep(100 * 1000);
	}
	assert_non_null(text);
	assert_non_null(strstr(text, "listening on http://127.0.0.1:"));
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_true(tk_wait_exit(pid, 10000, &code));
	assert_int_equal(code, 0);
	free(text);
	return tk_read_file(log, NULL);
}

/* as root, without the waiver: exit 1, the refusal on stderr, nothing read or created */
static void test_serve_as_root_exits_before_reading_settings(void **unused)
{
	char dir[256], ini[320], state[320], missing[320], out[4096];
	char *argv[] = {(char *)tk_hromada_binary(), "serve", "registry", "--config", ini, NULL};

	(void)unused;
	if (geteuid() != 0) {
		print_message("not root: the refusal cannot be provoked here; "
			      "unit.root_guard checks it with an injected uid\n");
		skip();
	}
	assert_int_equal(unsetenv(ROOT_GUARD_WAIVER_ENV), 0);
	tk_tmpdir(dir);
	write_registry_ini(dir, ini, sizeof(ini), state, sizeof(state));
	assert_int_equal(tk_run(argv, out, sizeof(out), 30000), 1);
	assert_non_null(strstr(out, "hromada serve refuses to run as root (effective uid 0)"));
	assert_non_null(strstr(out, "see docs/DEPLOY.md"));
	assert_null(strstr(out, "listening on"));
	assert_false(exists(state));
	/* refused before the settings are read: a missing file is not even noticed */
	snprintf(missing, sizeof(missing), "%s/no-such.ini", dir);
	argv[4] = missing;
	assert_int_equal(tk_run(argv, out, sizeof(out), 30000), 1);
	assert_non_null(strstr(out, "refuses to run as root"));
	assert_null(strstr(out, "no-such.ini"));
	/* a waiver other than exactly 1 changes nothing */
	assert_int_equal(setenv(ROOT_GUARD_WAIVER_ENV, "yes", 1), 0);
	argv[4] = ini;
	assert_int_equal(tk_run(argv, out, sizeof(out), 30000), 1);
	assert_non_null(strstr(out, "refuses to run as root"));
	assert_false(exists(state));
	assert_int_equal(setenv(ROOT_GUARD_WAIVER_ENV, "1", 1), 0);
	tk_rmrf(dir);
}

/*
 * As root with HROMADA_UNSAFE_ALLOW_ROOT=1 it serves and warns; as anyone
 * else it serves without the waiver and without the warning.
 */
static void test_serve_root_waiver_is_the_only_way_and_warns(void **unused)
{
	char dir[256], ini[320], state[320];
	char *log;

	(void)unused;
	tk_tmpdir(dir);
	write_registry_ini(dir, ini, sizeof(ini), state, sizeof(state));
	if (geteuid() == 0) {
		assert_int_equal(setenv(ROOT_GUARD_WAIVER_ENV, "1", 1), 0);
		log = serve_until_ready_then_stop(dir, ini);
		assert_non_null(log);
		assert_non_null(strstr(log, "serve.root"));
		assert_non_null(strstr(log, "never in production"));
	} else {
		assert_int_equal(unsetenv(ROOT_GUARD_WAIVER_ENV), 0);
		log = serve_until_ready_then_stop(dir, ini);
		assert_non_null(log);
		assert_null(strstr(log, "serve.root"));
		assert_null(strstr(log, "refuses to run as root"));
		assert_int_equal(setenv(ROOT_GUARD_WAIVER_ENV, "1", 1), 0);
	}
	assert_true(exists(state));
	free(log);
	tk_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_serve_as_root_exits_before_reading_settings),
	    cmocka_unit_test(test_serve_root_waiver_is_the_only_way_and_warns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
