/*
 * test_up_console.c — end to end: what a person sees in the terminal from
 * `hromada up`. By default the console from start to "up" fits a screen (at
 * most 40 lines, warnings included), requests add no lines, and the summary
 * names the citizen wallet and verifier pages; --verbose and HROMADA_LOG=debug
 * bring the per-request log back. A port already taken is an error naming it
 * and --port-base, before any key or population is made.
 */
#include "testkit/testkit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#define START_TIMEOUT_MS 120000
#define CONSOLE_MAX      40
#define SUMMARY_END      "Stop with Ctrl-C"

struct up_run {
	char state[300];
	char log[320];
	pid_t pid;
};

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void dump(const char *path)
{
	char *text = tk_read_file(path, NULL);

	fprintf(stderr, "---- hromada up's console ----\n%s\n------------\n", text ? text : "");
	free(text);
}

/* Starts up with the extra arguments; waits until its summary is printed
 * (with_summary) or endpoints.json exists. Returns the console so far. */
static char *start(struct up_run *u, const char *dir, const char *const *extra, bool with_summary)
{
	char *argv[16], endpoints[400];
	int a = 0;

	snprintf(u->state, sizeof(u->state), "%s/state", dir);
	snprintf(u->log, sizeof(u->log), "%s/console-%d.txt", dir, rand());
	argv[a++] = (char *)tk_hromada_binary();
	argv[a++] = "up";
	argv[a++] = "--state";
	argv[a++] = u->state;
	argv[a++] = "--port-base";
	argv[a++] = "0";
	argv[a++] = "--population";
	argv[a++] = "2000";
	for (int i = 0; extra != NULL && extra[i] != NULL; i++)
		argv[a++] = (char *)extra[i];
	argv[a] = NULL;
	u->pid = tk_spawn(argv, u->log);
	assert_true(u->pid > 0);
	snprintf(endpoints, sizeof(endpoints), "%s/endpoints.json", u->state);
	for (int waited = 0; waited < START_TIMEOUT_MS; waited += 100) {
		char *text = tk_read_file(u->log, NULL);
		int code;

		if (text != NULL &&
		    (with_summary ? strstr(text, SUMMARY_END) != NULL : exists(endpoints)))
			return text;
		free(text);
		if (tk_wait_exit(u->pid, 0, &code)) {
			dump(u->log);
			fail_msg("hromada up exited with %d", code);
		}
		usleep(100 * 1000);
	}
	dump(u->log);
	fail_msg("hromada up did not come up");
	return NULL;
}

static void stop(struct up_run *u)
{
	int code = -1;

	assert_int_equal(kill(u->pid, SIGTERM), 0);
	assert_true(tk_wait_exit(u->pid, 10000, &code));
	assert_int_equal(code, 0);
}

/* A few requests to the platform, as a person trying it would make. */
static void poke(const char *state)
{
	char path[400];
	json_t *e;

	snprintf(path, sizeof(path), "%s/endpoints.json", state);
	e = json_load_file(path, 0, NULL);
	assert_non_null(e);
	for (int i = 0; i < 3; i++) {
		const char *url = json_string_value(
		    json_object_get(json_object_get(e, "UA"), i == 2 ? "gateway" : "wallet"));
		assert_int_equal(tk_raw_exchange(tk_url_port(url),
						 "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", NULL,
						 0),
				 200);
	}
	json_decref(e);
	usleep(300 * 1000);
}

static int lines_until(const char *text, const char *end)
{
	const char *stop = strstr(text, end);
	int n = 0;

	assert_non_null(stop);
	for (const char *p = text; p < stop; p++)
		n += *p == '\n';
	return n + 1;
}

static void test_console_fits_a_screen_and_requests_add_no_lines(void **unused)
{
	struct up_run u;
	char dir[256], *text, *after;
	int lines;

	(void)unused;
	unsetenv("HROMADA_LOG");
	tk_tmpdir(dir);
	text = start(&u, dir, NULL, true);
	lines = lines_until(text, SUMMARY_END);
	if (lines > CONSOLE_MAX)
		dump(u.log);
	assert_true(lines <= CONSOLE_MAX);
	/* the pages a person opens, then the commands */
	assert_non_null(strstr(text, "Hromada is up"));
	assert_non_null(strstr(text, "  UA wallet  http://127.0.0.1:"));
	assert_non_null(strstr(text, "  PL wallet  http://127.0.0.1:"));
	assert_non_null(strstr(text, "/wallet/\n"));
	assert_non_null(strstr(text, "  verifier   http://127.0.0.1:"));
	assert_non_null(strstr(text, "/verify/\n"));
	assert_non_null(strstr(text, "  population UA: 2"));
	assert_non_null(strstr(text, "device --state"));
	/* no structured log at info: no role starting, no request */
	assert_null(strstr(text, "level=info"));
	assert_null(strstr(text, "event=http.request"));
	free(text);
	poke(u.state);
	after = tk_read_file(u.log, NULL);
	assert_non_null(after);
	assert_null(strstr(after, "event=http.request"));
	assert_null(strstr(after, "level=info"));
	free(after);
	stop(&u);

	/* the role settings up wrote name no log level: one served alone logs as
	 * serve does */
	{
		char ini[400];
		char *cfg;
		snprintf(ini, sizeof(ini), "%s/UA/wallet/hromada.ini", u.state);
		cfg = tk_read_file(ini, NULL);
		assert_non_null(cfg);
		assert_null(strstr(cfg, "log_level"));
		free(cfg);
	}

	/* --verbose: every line of the log, one per request */
	{
		const char *const verbose[] = {"--verbose", "--quiet", NULL};
		text = start(&u, dir, verbose, false);
		free(text);
		poke(u.state);
		text = tk_read_file(u.log, NULL);
		assert_non_null(strstr(text, "level=info event=role.started"));
		assert_non_null(strstr(text, "event=http.request"));
		assert_null(strstr(text, SUMMARY_END)); /* --quiet: no summary */
		free(text);
		stop(&u);
	}
	/* HROMADA_LOG=debug: the same */
	setenv("HROMADA_LOG", "debug", 1);
	{
		const char *const quiet[] = {"--quiet", NULL};
		text = start(&u, dir, quiet, false);
		free(text);
		poke(u.state);
		text = tk_read_file(u.log, NULL);
		assert_non_null(strstr(text, "event=http.request"));
		free(text);
		stop(&u);
	}
	unsetenv("HROMADA_LOG");
	tk_rmrf(dir);
}

/* A listening socket on 127.0.0.1 at some free port >= 10 (and room after). */
static int listen_somewhere(unsigned *port)
{
	for (int tries = 0; tries < 50; tries++) {
		struct sockaddr_in a = {.sin_family = AF_INET};
		socklen_t len = sizeof(a);
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		assert_true(fd >= 0);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
		assert_int_equal(listen(fd, 1), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
		*port = ntohs(a.sin_port);
		if (*port >= 10 && *port <= 65000)
			return fd;
		close(fd);
	}
	fail_msg("no usable port");
	return -1;
}

static void test_a_taken_port_is_named_before_anything_loads(void **unused)
{
	char dir[256], state[300], base[16], out[8192], path[400], expected[64];
	unsigned port;
	int fd = listen_somewhere(&port);
	char *argv[] = {(char *)tk_hromada_binary(),
			"up",
			"--state",
			state,
			"--port-base",
			base,
			"--population",
			"2000",
			NULL};

	(void)unused;
	tk_tmpdir(dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	/* the first country's wallet is on base + 10 */
	snprintf(base, sizeof(base), "%u", port - 10);
	assert_int_equal(tk_run(argv, out, sizeof(out), 60000), 1);
	assert_non_null(strstr(out, "already in use"));
	assert_non_null(strstr(out, "--port-base"));
	snprintf(expected, sizeof(expected), "port %u (UA wallet)", port);
	/* another port of the range may happen to be taken too: then that one is named */
	if (strstr(out, "port ") != NULL && strstr(out, expected) == NULL)
		fprintf(stderr, "note: another port was taken first: %s\n", out);
	/* nothing was made: no keys, no registries, no demo citizens */
	snprintf(path, sizeof(path), "%s/keys", state);
	assert_false(exists(path));
	snprintf(path, sizeof(path), "%s/UA", state);
	assert_false(exists(path));
	snprintf(path, sizeof(path), "%s/demo.json", state);
	assert_false(exists(path));
	assert_null(strstr(out, "population"));
	close(fd);
	tk_rmrf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_taken_port_is_named_before_anything_loads),
	    cmocka_unit_test(test_console_fits_a_screen_and_requests_add_no_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
