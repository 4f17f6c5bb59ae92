/*
 * test_pkcs11.c — end to end with an HSM (SoftHSM2 in a temporary directory):
 * `hromada keys pkcs11-generate` makes a document signer inside the token and
 * has the country root certify it; `hromada serve wallet`, configured with
 * `--set wallet.signers_dir=` a directory whose driver_licence key is that
 * token key, issues a citizen's driver licence through the real platform, and
 * `hromada verify` accepts it under the token key's certificate (and not under
 * the file key it replaced). `hromada issue --signer DIR` signs with the token
 * key too. Skips (77) when SoftHSM2 is not installed.
 */
#include "testkit/softhsm.h"
#include "testkit/testkit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/http_client.h"
#include "e2e/slice.h"

static struct slice_platform platform;
static struct http_client *http;
static char token_dir[256];
static char signers[700]; /* a copy of UA's signers, driver_licence in the token */
static char uri[1024];

/* Runs "hromada ARGS" through sh; the exit code, output (both streams) in out. */
static int run(char *out, size_t cap, const char *args)
{
	char cmd[8192];
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};

	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", tk_hromada_binary(), args);
	return tk_run(argv, out, cap, 60000);
}

static int setup(void **unused)
{
	struct http_client_options o;
	char args[4096], out[4096];

	(void)unused;
	tk_tmpdir(token_dir);
	tk_softhsm_init(token_dir, "hromada", "1234");
	tk_softhsm_uri(uri, sizeof(uri), token_dir, "hromada", "ua-driver-licence");
	slice_platform_start(&platform, NULL);
	http_client_options_default(&o);
	http = http_client_new(&o);
	/* the wallet's signers, but driver_licence's key made in the token */
	snprintf(signers, sizeof(signers), "%s/hsm-signers", platform.dir);
	snprintf(args, sizeof(args), "cp -r '%s/keys/UA/signers' '%s' && rm '%s'/driver_licence/*",
		 platform.state, signers, signers);
	assert_int_equal(tk_run((char *[]){"/bin/sh", "-c", args, NULL}, out, sizeof(out), 10000),
			 0);
	snprintf(args, sizeof(args),
		 "keys pkcs11-generate --uri '%s' --issuer '%s/keys/UA/root' --out "
		 "'%s/driver_licence' --type driver_licence",
		 uri, platform.state, signers);
	if (run(out, sizeof(out), args) != 0)
		fail_msg("pkcs11-generate: %s", out);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	http_client_free(http);
	tk_rmrf(token_dir);
	return slice_platform_stop(&platform);
}

/* `hromada serve wallet` with UA's settings, its own state and any port, and
 * the token-backed signers; its URL in url. */
static pid_t serve_wallet(char *url, size_t size)
{
	char ini[700], dir[700], log_path[720], state_set[720], signers_set[720];
	char *argv[] = {(char *)tk_hromada_binary(),
			"serve",
			"wallet",
			"--config",
			ini,
			"--set",
			state_set,
			"--set",
			"server.listen=127.0.0.1:0",
			"--set",
			signers_set,
			NULL};
	pid_t pid;

	snprintf(ini, sizeof(ini), "%s/UA/wallet/hromada.ini", platform.state);
	snprintf(dir, sizeof(dir), "%s/hsm-wallet", platform.dir);
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	snprintf(state_set, sizeof(state_set), "node.state_dir=%s", dir);
	snprintf(signers_set, sizeof(signers_set), "wallet.signers_dir=%s", signers);
	pid = tk_spawn(argv, log_path);
	assert_true(pid > 0);
	for (int waited = 0; waited < 20000; waited += 100) {
		char *text = tk_read_file(log_path, NULL);
		const char *at = text ? strstr(text, "listening on ") : NULL;
		int code;

		if (at != NULL) {
			snprintf(url, size, "%.*s", (int)strcspn(at + 13, "\n"), at + 13);
			free(text);
			return pid;
		}
		if (tk_wait_exit(pid, 0, &code))
			fail_msg("the wallet exited (%d): %s", code, text ? text : "");
		free(text);
		usleep(100000);
	}
	fail_msg("the wallet did not start: %s", log_path);
	return pid;
}

static json_t *verify(const char *cert, const char *qr, int *code)
{
	char args[4096], out[65536];
	json_t *r;

	snprintf(args, sizeof(args), "verify --cert '%s' '%s'", cert, qr);
	*code = run(out, sizeof(out), args);
	r = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL);
	if (r == NULL)
		fail_msg("verify printed no JSON: %s", out);
	return r;
}

/* A wallet whose driver-licence signer is a token key issues a credential
 * `hromada verify` accepts under that key's certificate, and only under it. */
static void test_wallet_with_token_signer_issues_a_credential_verify_accepts(void **unused)
{
	json_t *citizen = slice_citizen_with(platform.demo, "UA", "driver_licence");
	json_t *answer = NULL, *result;
	char url[256], cert[800], file_cert[800], qr[4096];
	struct device d;
	int code = -1;
	pid_t pid;

	(void)unused;
	assert_non_null(citizen);
	pid = serve_wallet(url, sizeof(url));
	device_init(&d, json_string_value(json_object_get(citizen, "person")), url);
	device_enrol(&d, http, platform.state);
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/driver_licence", NULL, true,
				     NULL, NULL, 0, &answer),
			 200);
	snprintf(qr, sizeof(qr), "%s", json_string_value(json_object_get(answer, "qr")));
	json_decref(answer);
	device_clear(&d);

	snprintf(cert, sizeof(cert), "%s/driver_licence/cert.pem", signers);
	result = verify(cert, qr, &code);
	assert_int_equal(code, 0);
	assert_true(json_is_true(json_object_get(result, "valid")));
	assert_true(json_is_true(json_object_get(json_object_get(result, "stages"), "key_usage")));
	json_decref(result);
	/* signed by the token key, not by the file key the copy had before */
	snprintf(file_cert, sizeof(file_cert), "%s/keys/UA/signers/driver_licence/cert.pem",
		 platform.state);
	result = verify(file_cert, qr, &code);
	assert_int_equal(code, 1);
	assert_false(json_is_true(json_object_get(result, "valid")));
	json_decref(result);

	kill(pid, SIGTERM);
	assert_true(tk_wait_exit(pid, 10000, &code));
	assert_int_equal(code, 0);
}

/* The directory pkcs11-generate wrote is a signer directory like any other:
 * key.pem holds the URI (no key), and `hromada issue --signer` signs with the
 * token. A second generate of the same label is refused. */
static void test_issue_signs_with_a_token_signer_directory(void **unused)
{
	char args[4096], out[8192], doc[800], key[800], cert[800], qr[4096];
	char *text;
	json_t *result;
	int code;

	(void)unused;
	snprintf(key, sizeof(key), "%s/driver_licence/key.pem", signers);
	text = tk_read_file(key, NULL);
	assert_non_null(text);
	assert_true(strncmp(text, "pkcs11:", 7) == 0);
	assert_null(strstr(text, "PRIVATE KEY"));
	free(text);
	snprintf(doc, sizeof(doc), "%s/doc.json", platform.dir);
	assert_true(tk_write_file(doc,
				  "{\"person_id\":\"UA:3012345670\",\"family_name\":\"Коваль\","
				  "\"given_name_latin\":\"OLENA\",\"birth_date\":\"1985-07-01\","
				  "\"categories\":[{\"code\":\"B\"}]}"));
	snprintf(args, sizeof(args),
		 "issue --signer '%s/driver_licence' --type driver_licence --json '%s'", signers,
		 doc);
	assert_int_equal(run(out, sizeof(out), args), 0);
	snprintf(qr, sizeof(qr), "%.*s", (int)strcspn(out, "\n"), out);
	snprintf(cert, sizeof(cert), "%s/driver_licence/cert.pem", signers);
	result = verify(cert, qr, &code);
	assert_int_equal(code, 0);
	json_decref(result);

	snprintf(args, sizeof(args),
		 "keys pkcs11-generate --uri '%s' --issuer '%s/keys/UA/root' --out '%s/again' "
		 "--type driver_licence",
		 uri, platform.state, platform.dir);
	assert_int_equal(run(out, sizeof(out), args), 1);
	assert_non_null(strstr(out, "never replaced"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wallet_with_token_signer_issues_a_credential_verify_accepts),
	    cmocka_unit_test(test_issue_signs_with_a_token_signer_directory),
	};

	if (!tk_softhsm_available()) {
		printf("SKIP: SoftHSM2 is not installed (%s, %s): apt-get install softhsm2\n",
		       TK_SOFTHSM_MODULE, TK_SOFTHSM_UTIL);
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
