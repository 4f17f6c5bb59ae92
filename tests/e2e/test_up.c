/*
 * test_up.c — end to end: the real hromada binary. `hromada up` brings every
 * role of UA and PL up on loopback, writes endpoints.json per the contract,
 * every /healthz answers over HTTP, a second `up` on the same directory is
 * refused while the first runs, SIGTERM stops it cleanly within 5 s, and a
 * later `up` reuses the directory. `hromada serve` runs one role from the
 * settings `up` wrote, and the CLI's help and usage errors behave.
 */
#include "testkit/testkit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/documents.h"

#define START_TIMEOUT_MS 90000 /* generous: 22 servers under ASan on 2 cores */

struct running {
	char state[256];
	char log[300];
	pid_t pid;
};

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void dump_log(const char *path)
{
	char *text = tk_read_file(path, NULL);

	if (text != NULL) {
		fprintf(stderr, "---- hromada output ----\n%s\n------------------------\n", text);
		free(text);
	}
}

static json_t *wait_for_endpoints(struct running *r)
{
	char path[300];
	json_error_t jerr;

	snprintf(path, sizeof(path), "%s/endpoints.json", r->state);
	for (int waited = 0; waited < START_TIMEOUT_MS; waited += 100) {
		int code;
		if (file_exists(path))
			return json_load_file(path, 0, &jerr);
		if (tk_wait_exit(r->pid, 0, &code)) {
			fprintf(stderr, "hromada up exited early with %d\n", code);
			dump_log(r->log);
			return NULL;
		}
		usleep(100 * 1000);
	}
	dump_log(r->log);
	return NULL;
}

static void start_up(struct running *r, const char *state_dir)
{
	char *argv[] = {(char *)tk_hromada_binary(),
			"up",
			"--state",
			r->state,
			"--port-base",
			"0",
			"--quiet",
			"--set",
			"server.access_log=false",
			NULL};

	snprintf(r->state, sizeof(r->state), "%s", state_dir);
	snprintf(r->log, sizeof(r->log), "%s.log", state_dir);
	r->pid = tk_spawn(argv, r->log);
	assert_true(r->pid > 0);
}

static void stop_up(struct running *r)
{
	int code = -1;

	assert_int_equal(kill(r->pid, SIGTERM), 0);
	if (!tk_wait_exit(r->pid, 5000, &code)) {
		dump_log(r->log);
		kill(r->pid, SIGKILL);
		tk_wait_exit(r->pid, 5000, &code);
		fail_msg("hromada up did not exit within 5 s of SIGTERM");
	}
	if (code != 0)
		dump_log(r->log);
	assert_int_equal(code, 0);
}

static void assert_healthy(const char *url)
{
	char request[128], out[4096];
	uint16_t port = tk_url_port(url);

	assert_true(port > 0);
	snprintf(request, sizeof(request), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_int_equal(tk_raw_exchange(port, request, out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\"status\":\"ok\""));
}

/* The citizen page at /wallet/ (docs/WEB.md): served from the binary under the
 * strict page policy, its shared assets at /common/; the API's answers are never
 * cached (Cache-Control: no-store), not even a refusal. */
static void assert_wallet_page(const char *url)
{
	static char out[64 * 1024];
	char expect[256];
	uint16_t port = tk_url_port(url);

	assert_int_equal(
	    tk_raw_exchange(port, "GET /wallet/ HTTP/1.1\r\nHost: x\r\n\r\n", out, sizeof(out)),
	    200);
	assert_non_null(strstr(out, "Content-Security-Policy: default-src 'none'"));
	assert_non_null(strstr(out, "src=\"/wallet/app.js\""));
	assert_int_equal(tk_raw_exchange(port, "GET /common/i18n.js HTTP/1.1\r\nHost: x\r\n\r\n",
					 out, sizeof(out)),
			 200);
	assert_non_null(strstr(out, "messages.wallet"));
	/* the URL DPoP proofs must name, whatever host name the page was opened under */
	assert_int_equal(
	    tk_raw_exchange(port, "GET /wallet/origin.json HTTP/1.1\r\nHost: localhost\r\n\r\n",
			    out, sizeof(out)),
	    200);
	snprintf(expect, sizeof(expect), "{\"url\":\"%s\"}", url);
	assert_non_null(strstr(out, expect));
	assert_int_equal(
	    tk_raw_exchange(port, "GET /wallet HTTP/1.1\r\nHost: x\r\n\r\n", out, sizeof(out)),
	    308);
	assert_non_null(strstr(out, "Location: /wallet/"));
	assert_int_equal(tk_raw_exchange(port, "GET /v1/documents HTTP/1.1\r\nHost: x\r\n\r\n", out,
					 sizeof(out)),
			 401);
	assert_non_null(strstr(out, "Cache-Control: no-store"));
}

static void assert_url(json_t *value)
{
	assert_true(json_is_string(value));
	assert_true(strncmp(json_string_value(value), "http://127.0.0.1:", 17) == 0);
	assert_healthy(json_string_value(value));
}

static void check_endpoints(json_t *e, const char *state)
{
	char path[512];

	assert_non_null(e);
	assert_url(json_object_get(e, "trust"));
	assert_url(json_object_get(e, "nccc"));
	for (int c = 0; c < COUNTRY_COUNT; c++) {
		json_t *country = json_object_get(e, countries[c]);
		json_t *registries = json_object_get(country, "registries");
		const char *audit = json_string_value(json_object_get(country, "audit_dir"));

		assert_non_null(country);
		assert_url(json_object_get(country, "wallet"));
		assert_wallet_page(json_string_value(json_object_get(country, "wallet")));
		assert_url(json_object_get(country, "gateway"));
		assert_int_equal(json_object_size(registries), DOCUMENT_TYPE_COUNT);
		for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
			assert_url(json_object_get(registries, document_types[t]));
			snprintf(path, sizeof(path), "%s/%s/registry-%s/hromada.ini", state,
				 countries[c], document_types[t]);
			assert_true(file_exists(path));
		}
		assert_non_null(audit);
		assert_true(audit[0] == '/');
		assert_true(file_exists(audit));
		snprintf(path, sizeof(path), "%s/%s/wallet/hromada.ini", state, countries[c]);
		assert_true(file_exists(path));
	}
	snprintf(path, sizeof(path), "%s/outbox", state);
	assert_true(file_exists(path));
	snprintf(path, sizeof(path), "%s/trust/hromada.ini", state);
	assert_true(file_exists(path));
}

/* `hromada serve gateway --config STATE/UA/gateway/hromada.ini` on a free port. */
static void check_serve_alone(const char *dir, const char *state)
{
	char ini[400], state_dir[320], log[300], url[256];
	char *argv[] = {(char *)tk_hromada_binary(), "serve", "gateway", "--config", ini, "--set",
			"server.listen=127.0.0.1:0", "--set", state_dir, NULL};
	char *text = NULL;
	pid_t pid;
	int code;

	snprintf(ini, sizeof(ini), "%s/UA/gateway/hromada.ini", state);
	snprintf(state_dir, sizeof(state_dir), "node.state_dir=%s/alone", dir);
	snprintf(log, sizeof(log), "%s/serve.log", dir);
	pid = tk_spawn(argv, log);
	assert_true(pid > 0);
	for (int i = 0; i < 600; i++) {
		free(text);
		text = tk_read_file(log, NULL);
		if (text && strstr(text, "listening on http://"))
			break;
		usleep(100 * 1000);
	}
	assert_non_null(text);
	assert_non_null(strstr(text, "UA/gateway listening on http://127.0.0.1:"));
	snprintf(url, sizeof(url), "%s", strstr(text, "http://"));
	url[strcspn(url, "\n")] = 0;
	free(text);
	assert_healthy(url);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_true(tk_wait_exit(pid, 5000, &code));
	assert_int_equal(code, 0);
}

/*
 * Devices name the wallet's URL in their DPoP proofs: a wallet on every address
 * cannot know it, so it needs server.public_url, a URL paths are appended to.
 */
static void check_wallet_needs_its_url(const char *dir, const char *state)
{
	char ini[400], state_dir[320], out[4096];
	char *argv[] = {(char *)tk_hromada_binary(), "serve", "wallet",  "--config", ini,  "--set",
			"server.listen=0.0.0.0:0",   "--set", state_dir, NULL,       NULL, NULL};

	snprintf(ini, sizeof(ini), "%s/UA/wallet/hromada.ini", state);
	snprintf(state_dir, sizeof(state_dir), "node.state_dir=%s/wallet-alone", dir);
	assert_int_equal(tk_run(argv, out, sizeof(out), 30000), 2);
	assert_non_null(strstr(out, "server.public_url is required when listening on every"));
	argv[9] = "--set";
	argv[10] = "server.public_url=https://wallet.example/";
	assert_int_equal(tk_run(argv, out, sizeof(out), 30000), 2);
	assert_non_null(strstr(out, "server.public_url must not end with '/'"));
	argv[10] = "server.public_url=wallet.example";
	assert_int_equal(tk_run(argv, out, sizeof(out), 30000), 2);
	assert_non_null(strstr(out, "is not an http:// or https:// URL"));
}

static void test_up_runs_every_role_and_stops_on_sigterm(void **unused)
{
	char dir[256], state[300], out[8192];
	struct running r;
	json_t *endpoints;

	(void)unused;
	tk_tmpdir(dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	start_up(&r, state);
	endpoints = wait_for_endpoints(&r);
	check_endpoints(endpoints, r.state);

	/* a second up on the same directory is refused while the first runs */
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"up",
				"--state",
				state,
				"--port-base",
				"0",
				"--quiet",
				NULL};
		int code = tk_run(argv, out, sizeof(out), 60000);
		assert_int_equal(code, 1);
		assert_non_null(strstr(out, "another 'hromada up' is running"));
	}

	/* serve runs one role alone from the settings up wrote */
	check_serve_alone(dir, state);
	check_wallet_needs_its_url(dir, state);

	stop_up(&r);
	json_decref(endpoints);

	/* the same directory is reused by a later up */
	start_up(&r, state);
	endpoints = wait_for_endpoints(&r);
	check_endpoints(endpoints, r.state);
	stop_up(&r);
	json_decref(endpoints);
	tk_rmrf(dir);
}

static void test_serve_refuses_unknown_setting_naming_it(void **unused)
{
	char dir[256], ini[300], out[4096];
	char *argv[] = {(char *)tk_hromada_binary(), "serve", "nccc", "--config", ini, NULL};

	(void)unused;
	tk_tmpdir(dir);
	snprintf(ini, sizeof(ini), "%s/t.ini", dir);
	assert_true(tk_write_file(ini, "[node]\nstate_dir = /tmp/hromada-unused\n"
				       "[server]\nlisten = 127.0.0.1:0\nthraeds = 4\n"));
	assert_int_equal(tk_run(argv, out, sizeof(out), 30000), 2);
	assert_non_null(strstr(out, "t.ini:5: unknown setting server.thraeds"));
	tk_rmrf(dir);
}

static void test_serve_refuses_missing_country_and_bad_values(void **unused)
{
	char dir[256], ini[300], out[4096];
	char *argv[] = {(char *)tk_hromada_binary(), "serve", "wallet", "--config", ini, NULL};

	(void)unused;
	tk_tmpdir(dir);
	snprintf(ini, sizeof(ini), "%s/w.ini", dir);
	assert_true(tk_write_file(ini, "[node]\nstate_dir = /tmp/hromada-unused\n"));
	assert_int_equal(tk_run(argv, out, sizeof(out), 30000), 2);
	assert_non_null(strstr(out, "needs [node] country"));
	assert_true(tk_write_file(ini, "[node]\ncountry = UA\nstate_dir = /tmp/hromada-unused\n"
				       "[server]\nthreads = lots\n"));
	assert_int_equal(tk_run(argv, out, sizeof(out), 30000), 2);
	assert_non_null(strstr(out, "w.ini:5: server.threads = 'lots' is not an integer"));
	tk_rmrf(dir);
}

static void test_help_and_usage_errors(void **unused)
{
	char out[16384];
	char *help[] = {(char *)tk_hromada_binary(), "--help", NULL};
	char *up_help[] = {(char *)tk_hromada_binary(), "up", "--help", NULL};
	char *serve_help[] = {(char *)tk_hromada_binary(), "help", "serve", NULL};
	char *unknown[] = {(char *)tk_hromada_binary(), "fly", NULL};
	char *bad_option[] = {(char *)tk_hromada_binary(), "up", "--bogus", NULL};
	char *bad_country[] = {
	    (char *)tk_hromada_binary(),  "up", "--countries", "UA,XX", "--state",
	    "/tmp/hromada-never-created", NULL};
	char *no_role[] = {(char *)tk_hromada_binary(), "serve", "--config", "x.ini", NULL};

	(void)unused;
	assert_int_equal(tk_run(help, out, sizeof(out), 10000), 0);
	assert_non_null(strstr(out, "Usage: hromada COMMAND"));
	assert_non_null(strstr(out, "serve"));
	assert_int_equal(tk_run(up_help, out, sizeof(out), 10000), 0);
	assert_non_null(strstr(out, "--port-base"));
	assert_int_equal(tk_run(serve_help, out, sizeof(out), 10000), 0);
	assert_non_null(strstr(out, "header_timeout_ms"));
	assert_non_null(strstr(out, "document_type"));
	assert_int_equal(tk_run(unknown, out, sizeof(out), 10000), 2);
	assert_non_null(strstr(out, "unknown command 'fly'"));
	assert_int_equal(tk_run(bad_option, out, sizeof(out), 10000), 2);
	assert_int_equal(tk_run(bad_country, out, sizeof(out), 10000), 2);
	assert_non_null(strstr(out, "unknown country 'XX'"));
	assert_int_equal(tk_run(no_role, out, sizeof(out), 10000), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_help_and_usage_errors),
	    cmocka_unit_test(test_serve_refuses_unknown_setting_naming_it),
	    cmocka_unit_test(test_serve_refuses_missing_country_and_bad_values),
	    cmocka_unit_test(test_up_runs_every_role_and_stops_on_sigterm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
