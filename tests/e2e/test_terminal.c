/*
 * test_terminal.c — end to end: the CLI speaks to a person on a terminal and
 * to a program through a pipe. Run under a pseudo-terminal, `device
 * documents`, `show`, `access-log` and `verify` answer in words (the access
 * history as who, when, on what legal basis, "proof checked"; never base64
 * CBOR); piped, or with --json, the same JSON as before (verify's is DESIGN.md
 * §5's contract). `show --png` puts no SVG on stdout; an unknown document type
 * lists the valid ones; `verify FILE.png` points at --image; `audit verify`
 * on a directory that is no audit log says so.
 */
#include "testkit/testkit.h"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "e2e/slice.h"

#define OUT_MAX (512 * 1024)

static struct slice_platform platform;
static char person[32], number[64], png[400];
static char *out;

/* Runs argv with stdout and stderr on a pseudo-terminal (isatty is true),
 * capturing what it writes; the exit code, or -1. */
static int run_tty(char *const argv[], char *text, size_t cap)
{
	int master, status = -1;
	size_t len = 0;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);

	assert_true(pid >= 0);
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	for (;;) {
		struct pollfd p = {.fd = master, .events = POLLIN};
		ssize_t n;
		if (poll(&p, 1, 60000) <= 0)
			break;
		n = read(master, text + len, cap - 1 - len);
		if (n <= 0) /* EIO once the child has closed the terminal */
			break;
		len += (size_t)n;
		if (len == cap - 1)
			break;
	}
	text[len] = 0;
	close(master);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* argv of `hromada device --state STATE ACTION PERSON [more...]` */
static int device(bool tty, const char *action, const char *a1, const char *a2, const char *a3)
{
	char *argv[16];
	int n = 0;

	argv[n++] = (char *)tk_hromada_binary();
	argv[n++] = "device";
	argv[n++] = "--state";
	argv[n++] = platform.state;
	argv[n++] = (char *)action;
	argv[n++] = person;
	if (a1)
		argv[n++] = (char *)a1;
	if (a2)
		argv[n++] = (char *)a2;
	if (a3)
		argv[n++] = (char *)a3;
	argv[n] = NULL;
	return tty ? run_tty(argv, out, OUT_MAX) : tk_run(argv, out, OUT_MAX, 60000);
}

static int verify(bool tty, const char *a1, const char *a2, const char *a3)
{
	char list[400];
	char *argv[] = {(char *)tk_hromada_binary(),
			"verify",
			"--trust-list",
			list,
			(char *)a1,
			(char *)a2,
			(char *)a3,
			NULL};

	snprintf(list, sizeof(list), "%s/trust-list.json", platform.state);
	return tty ? run_tty(argv, out, OUT_MAX) : tk_run(argv, out, OUT_MAX, 60000);
}

static json_t *parsed(void)
{
	json_error_t e;
	json_t *j = json_loads(out, 0, &e);

	if (j == NULL)
		fail_msg("not JSON (%s): %.400s", e.text, out);
	return j;
}

static int setup(void **unused)
{
	json_t *citizen;

	(void)unused;
	out = malloc(OUT_MAX);
	slice_platform_start(&platform, NULL);
	citizen = slice_citizen_with(platform.demo, "UA", "driver_licence");
	assert_non_null(citizen);
	snprintf(person, sizeof(person), "%s",
		 json_string_value(json_object_get(citizen, "person")));
	snprintf(png, sizeof(png), "%s/dl.png", platform.dir);
	if (device(false, "enrol", NULL, NULL, NULL) != 0)
		fail_msg("enrol: %s", out);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	free(out);
	return slice_platform_stop(&platform);
}

static void test_documents_in_words_and_as_json(void **unused)
{
	json_t *j, *doc;
	size_t i;

	(void)unused;
	assert_int_equal(device(true, "documents", NULL, NULL, NULL), 0);
	assert_non_null(strstr(out, "Documents of "));
	assert_non_null(strstr(out, "Driver's licence"));
	assert_non_null(strstr(out, "valid"));
	assert_null(strstr(out, "{\"documents\""));
	/* piped: the wallet's JSON, as before */
	assert_int_equal(device(false, "documents", NULL, NULL, NULL), 0);
	j = parsed();
	json_array_foreach(json_object_get(j, "documents"), i, doc)
	{
		if (strcmp(json_string_value(json_object_get(doc, "type")), "driver_licence") == 0)
			snprintf(number, sizeof(number), "%s",
				 json_string_value(json_object_get(doc, "document_number")));
	}
	json_decref(j);
	assert_true(number[0] != 0);
	/* --json on a terminal: the same JSON */
	assert_int_equal(device(true, "documents", "--json", NULL, NULL), 0);
	assert_non_null(strstr(out, "{\"documents\":[{\"type\":"));
	assert_null(strstr(out, "Documents of "));
}

static void test_show_png_writes_no_svg_and_unknown_types_are_listed(void **unused)
{
	char *picture;
	size_t len;
	json_t *j;

	(void)unused;
	/* piped with --png: JSON with the QR's text, no SVG */
	assert_int_equal(device(false, "show", "driver_licence", "--png", png), 0);
	assert_null(strstr(out, "<svg"));
	j = parsed();
	assert_non_null(json_object_get(j, "qr"));
	assert_null(json_object_get(j, "qr_svg"));
	assert_non_null(json_object_get(json_object_get(j, "document"), "family_name"));
	json_decref(j);
	picture = tk_read_file(png, &len);
	assert_non_null(picture);
	assert_true(len > 8 && memcmp(picture, "\x89PNG", 4) == 0);
	free(picture);
	/* without --png, piped: unchanged, the SVG included */
	assert_int_equal(device(false, "show", "driver_licence", NULL, NULL), 0);
	assert_non_null(strstr(out, "\"qr_svg\":\"<svg"));
	/* on a terminal: the fields in words, where the picture is */
	assert_int_equal(device(true, "show", "driver_licence", "--png", png), 0);
	assert_non_null(strstr(out, "Driver's licence of "));
	assert_non_null(strstr(out, "family_name"));
	assert_non_null(strstr(out, "The QR picture is in"));
	assert_null(strstr(out, "<svg"));
	assert_null(strstr(out, "\"document\""));
	/* an unknown type: the valid ones, usage exit */
	assert_int_equal(device(false, "show", "passport", NULL, NULL), 2);
	assert_non_null(strstr(out, "unknown document type 'passport'"));
	assert_non_null(strstr(out, "foreign_passport"));
	assert_non_null(strstr(out, "military_record"));
}

static void test_access_log_says_who_when_and_why(void **unused)
{
	char gateway[300], body[200], url[512];
	char *police[] = {(char *)tk_hromada_binary(),
			  "member",
			  "--state",
			  platform.state,
			  "--as",
			  "PL/GOV/00000003/police",
			  "request",
			  "POST",
			  url,
			  "--json",
			  body,
			  NULL};
	json_t *j;

	(void)unused;
	assert_true(number[0] != 0); /* from the documents test */
	/* the Polish police check the licence through both gateways */
	snprintf(gateway, sizeof(gateway), "%s", slice_endpoint(&platform, "PL", "gateway"));
	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/driver_licence/status", gateway);
	snprintf(body, sizeof(body), "{\"document_number\": \"%s\"}", number);
	if (tk_run(police, out, OUT_MAX, 60000) != 0)
		fail_msg("police check: %s", out);

	assert_int_equal(device(true, "access-log", NULL, NULL, NULL), 0);
	assert_non_null(strstr(out, "Who accessed the data of "));
	assert_non_null(strstr(out, "Policja"));
	assert_non_null(strstr(out, "(PL)"));
	assert_non_null(strstr(out, "legal basis: "));
	assert_non_null(strstr(out, "with your consent"));
	assert_non_null(strstr(out, "proof checked"));
	assert_non_null(strstr(out, " UTC"));
	assert_null(strstr(out, "\"entry\""));
	assert_null(strstr(out, "\"inclusion\""));
	/* piped: the checked JSON, entries with their bytes and proofs */
	assert_int_equal(device(false, "access-log", NULL, NULL, NULL), 0);
	j = parsed();
	assert_true(json_array_size(json_object_get(j, "entries")) > 0);
	assert_non_null(json_object_get(json_array_get(json_object_get(j, "entries"), 0), "entry"));
	assert_true(json_is_true(json_object_get(j, "complete")));
	json_decref(j);
}

static void test_verify_in_words_json_for_pipes_and_a_png_hint(void **unused)
{
	json_t *j;
	const char *key;
	json_t *value;
	static const char *const order[] = {"valid",  "prefix", "kid",      "issuer",
					    "stages", "error",  "warnings", "claims"};
	size_t k = 0;

	(void)unused;
	assert_int_equal(device(false, "show", "driver_licence", "--png", png), 0);
	assert_int_equal(verify(true, "--image", png, NULL), 0);
	assert_non_null(strstr(out, "VALID — Driver's licence, issued by UA"));
	assert_non_null(strstr(out, "signature ok"));
	assert_non_null(strstr(out, "family_name"));
	assert_null(strstr(out, "\"valid\""));
	/* piped: the contract's object, its keys in the contract's order */
	assert_int_equal(verify(false, "--image", png, NULL), 0);
	j = parsed();
	json_object_foreach(j, key, value)
	{
		assert_true(k < 8);
		assert_string_equal(key, order[k++]);
	}
	assert_true(json_is_true(json_object_get(j, "valid")));
	json_decref(j);
	/* --json on a terminal: the JSON */
	assert_int_equal(verify(true, "--json", "--image", png), 0);
	assert_non_null(strstr(out, "\"valid\": true"));
	/* an invalid payload in words */
	assert_int_equal(verify(true, "HR1:NOT-A-CREDENTIAL", NULL, NULL), 1);
	assert_non_null(strstr(out, "NOT VALID: "));
	assert_non_null(strstr(out, "FAILED"));

	/* a picture's name as the payload: a hint at --image; piped, the contract */
	assert_int_equal(verify(false, png, NULL, NULL), 1);
	assert_non_null(strstr(out, "use --image "));
	assert_non_null(strstr(out, "\"valid\": false"));
	assert_int_equal(verify(true, png, NULL, NULL), 2);
	assert_non_null(strstr(out, "use --image "));
	assert_null(strstr(out, "\"valid\""));
}

static void test_audit_verify_on_a_wrong_directory_says_so(void **unused)
{
	char dir[400];
	char *argv[] = {(char *)tk_hromada_binary(), "audit", "verify", dir, NULL};

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/UA/gateway", platform.state);
	assert_int_equal(tk_run(argv, out, OUT_MAX, 60000), 2);
	assert_non_null(strstr(out, "is not an audit log directory, but it holds one"));
	assert_non_null(strstr(out, "gateway/audit"));
	snprintf(dir, sizeof(dir), "%s", platform.state);
	assert_int_equal(tk_run(argv, out, OUT_MAX, 60000), 2);
	assert_non_null(strstr(out, "is not an audit log directory (it has no segments/)"));
	/* the right one still checks */
	snprintf(dir, sizeof(dir), "%s", slice_endpoint(&platform, "UA", "audit_dir"));
	assert_int_equal(tk_run(argv, out, OUT_MAX, 60000), 0);
	assert_non_null(strstr(out, "consistent"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_documents_in_words_and_as_json),
	    cmocka_unit_test(test_show_png_writes_no_svg_and_unknown_types_are_listed),
	    cmocka_unit_test(test_access_log_says_who_when_and_why),
	    cmocka_unit_test(test_verify_in_words_json_for_pipes_and_a_png_hint),
	    cmocka_unit_test(test_audit_verify_on_a_wrong_directory_says_so),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
