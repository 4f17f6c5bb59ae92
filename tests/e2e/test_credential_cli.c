/*
 * test_credential_cli.c — end to end through the real binary: `hromada keys`,
 * `issue` and `trust-list` make credentials and trust, and `hromada verify`
 * honours its contract (DESIGN.md §5): the JSON shape, exit codes 0/1/2,
 * --cert as a file or as base64, --at, --image, --trust-list with its pinned
 * anchor, and batch mode in order.
 */
#include "testkit/testkit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static char dir[256];
static char keys[300], trust[300], doc[300], list[300], anchor[300];

static int run(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Runs "hromada ARGS" through sh (so tests can pipe and quote); returns the exit code. */
static int run(char *out, size_t cap, const char *fmt, ...)
{
	char args[8192], cmd[8192 + 512];
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s' %s", tk_hromada_binary(), args);
	return tk_run(argv, out, cap, 60000);
}

static json_t *parse(const char *text)
{
	json_t *j = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL);

	if (j == NULL)
		fprintf(stderr, "not JSON: %s\n", text);
	assert_non_null(j);
	return j;
}

/* payload receives the credential text (a few hundred characters). */
static void issue(char *payload, size_t cap, const char *extra)
{
	assert_int_equal(run(payload, cap,
			     "issue --signer %s/signers/driver_licence --type driver_licence "
			     "--json %s %s 2>&1",
			     keys, doc, extra),
			 0);
	payload[strcspn(payload, "\n")] = 0;
	assert_true(strncmp(payload, "HR1:", 4) == 0);
}

static int setup(void **state)
{
	char out[4096];

	(void)state;
	tk_tmpdir(dir);
	snprintf(keys, sizeof(keys), "%s/UA", dir);
	snprintf(trust, sizeof(trust), "%s/trust", dir);
	snprintf(doc, sizeof(doc), "%s/doc.json", dir);
	snprintf(list, sizeof(list), "%s/trust-list.json", dir);
	snprintf(anchor, sizeof(anchor), "%s/trust-anchor.pem", dir);
	assert_true(tk_write_file(doc,
				  "{\"person_id\":\"UA:3012345670\",\"family_name\":\"Коваль\","
				  "\"given_name_latin\":\"OLENA\",\"birth_date\":\"1985-07-01\","
				  "\"categories\":[{\"code\":\"B\"}]}"));
	assert_int_equal(run(out, sizeof(out), "keys --country UA --out %s", keys), 0);
	assert_int_equal(run(out, sizeof(out), "keys --trust-signer --out %s", trust), 0);
	assert_int_equal(
	    run(out, sizeof(out), "trust-list --signer %s --out %s UA:%s", trust, list, keys), 0);
	assert_non_null(strstr(out, "9 signers"));
	assert_int_equal(run(out, sizeof(out), "keys --trust-signer --out %s && cp %s/cert.pem %s",
			     trust, trust, anchor),
			 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tk_rmrf(dir);
	return 0;
}

static void test_issued_credential_verifies_with_the_contract_shape(void **state)
{
	char payload[4096], out[16384];
	json_t *r, *stages;

	(void)state;
	issue(payload, sizeof(payload), "");
	assert_int_equal(run(out, sizeof(out),
			     "verify --cert %s/signers/driver_licence/cert.pem '%s'", keys,
			     payload),
			 0);
	r = parse(out);
	assert_true(json_is_true(json_object_get(r, "valid")));
	assert_string_equal(json_string_value(json_object_get(r, "prefix")), "HR1");
	assert_string_equal(json_string_value(json_object_get(r, "issuer")), "UA");
	assert_int_equal(strlen(json_string_value(json_object_get(r, "kid"))), 12); /* 8 bytes */
	assert_true(json_is_null(json_object_get(r, "error")));
	stages = json_object_get(r, "stages");
	assert_int_equal(json_object_size(stages), 10);
	assert_true(json_is_null(json_object_get(stages, "status"))); /* --status offline */
	assert_true(json_is_null(json_object_get(stages, "picture")));
	for (const char *const *s =
		 (const char *const[]){"unprefix", "base45", "zlib", "cose", "signature", "expiry",
				       "key_usage", "schema", NULL};
	     *s; s++)
		assert_true(json_is_true(json_object_get(stages, *s)));
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(json_object_get(r, "claims"), "document"), "t")),
			    "driver_licence");
	json_decref(r);
}

static void test_untrusted_and_expired_exit_1_with_the_stage(void **state)
{
	char payload[4096], out[16384];
	json_t *r;

	(void)state;
	issue(payload, sizeof(payload), "--at 2020-01-01T00:00:00Z --validity 60");
	/* the id_card signer's certificate does not have this kid */
	assert_int_equal(
	    run(out, sizeof(out), "verify --cert %s/signers/id_card/cert.pem '%s'", keys, payload),
	    1);
	r = parse(out);
	assert_true(json_is_false(json_object_get(json_object_get(r, "stages"), "signature")));
	json_decref(r);
	assert_int_equal(run(out, sizeof(out),
			     "verify --cert %s/signers/driver_licence/cert.pem '%s'", keys,
			     payload),
			 1);
	r = parse(out);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(r, "error"), "stage")), "expiry");
	assert_true(json_is_true(json_object_get(json_object_get(r, "stages"), "signature")));
	json_decref(r);
	/* inside its 60 s (offset and fraction exact) the credential itself is current,
	 * but its signer's certificate, made today, was not yet valid in 2020 */
	assert_int_equal(run(out, sizeof(out),
			     "verify --at 2020-01-01T02:00:59.999999999+02:00 --cert "
			     "%s/signers/driver_licence/cert.pem '%s'",
			     keys, payload),
			 1);
	r = parse(out);
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_object_get(r, "error"), "message")),
		   "signer certificate"));
	json_decref(r);
}

static void test_usage_and_io_errors_exit_2(void **state)
{
	char out[4096];

	(void)state;
	assert_int_equal(run(out, sizeof(out), "verify 2>&1"), 2);
	assert_int_equal(run(out, sizeof(out), "verify --at yesterday HR1:X 2>&1"), 2);
	assert_non_null(strstr(out, "RFC 3339"));
	assert_int_equal(run(out, sizeof(out), "verify --cert /nonexistent/cert.pem HR1:X 2>&1"),
			 2);
	assert_int_equal(run(out, sizeof(out), "verify --bogus HR1:X 2>&1"), 2);
	assert_int_equal(run(out, sizeof(out), "verify --trust-list /nonexistent.json HR1:X 2>&1"),
			 2);
	assert_int_equal(run(out, sizeof(out), "verify --image /nonexistent.png 2>&1"), 2);
}

static void test_garbage_is_refused_at_the_right_stage(void **state)
{
	char out[16384];
	json_t *r;

	(void)state;
	assert_int_equal(run(out, sizeof(out), "verify 'HL0:ABC'"), 1);
	r = parse(out);
	assert_true(json_is_false(json_object_get(json_object_get(r, "stages"), "unprefix")));
	assert_true(json_is_null(json_object_get(json_object_get(r, "stages"), "base45")));
	assert_true(json_is_null(json_object_get(r, "claims")));
	json_decref(r);
	assert_int_equal(run(out, sizeof(out), "verify 'HR1:abc'"), 1);
	r = parse(out);
	assert_true(json_is_false(json_object_get(json_object_get(r, "stages"), "base45")));
	json_decref(r);
	assert_int_equal(run(out, sizeof(out), "verify 'HR1:000'"), 1); /* two zero bytes */
	r = parse(out);
	assert_true(json_is_false(json_object_get(json_object_get(r, "stages"), "zlib")));
	json_decref(r);
}

static void test_batch_mode_answers_each_line_in_order(void **state)
{
	char payload[2048], out[65536], cmd[8192];
	char *line, *save;
	int n = 0;

	(void)state;
	issue(payload, sizeof(payload), "");
	snprintf(cmd, sizeof(cmd), "verify --trust-list %s - <<'EOF'\n%s\nHC1:NOTBASE45\n%s\nEOF",
		 list, payload, payload);
	assert_int_equal(run(out, sizeof(out), "%s", cmd), 1);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		json_t *r = parse(line);
		assert_int_equal(json_is_true(json_object_get(r, "valid")), n != 1);
		json_decref(r);
	}
	assert_int_equal(n, 3);
	/* all valid: exit 0 */
	snprintf(cmd, sizeof(cmd), "verify --trust-list %s - <<'EOF'\n%s\nEOF", list, payload);
	assert_int_equal(run(out, sizeof(out), "%s", cmd), 0);
}

/* A DCC from the hcert signer of the keys in country_dir. */
static void issue_dcc(char *payload, size_t cap, const char *country_dir, const char *json)
{
	assert_int_equal(run(payload, cap,
			     "issue --signer %s/signers/hcert --type hcert --json %s 2>&1",
			     country_dir, json),
			 0);
	payload[strcspn(payload, "\n")] = 0;
	assert_true(strncmp(payload, "HC1:", 4) == 0);
}

/* Counts the batch's lines and checks each one's verdict and issuer. */
static void expect_batch(char *out, const bool *valid, const char *const *issuer, int count)
{
	char *line, *save;
	int n = 0;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		json_t *r = parse(line);
		assert_true(n < count);
		assert_int_equal(json_is_true(json_object_get(r, "valid")), valid[n]);
		assert_string_equal(json_string_value(json_object_get(r, "issuer")), issuer[n]);
		if (!valid[n])
			assert_string_equal(json_string_value(json_object_get(
						json_object_get(r, "error"), "message")),
					    "no trusted signer certificate has this kid");
		json_decref(r);
	}
	assert_int_equal(n, count);
}

/* The verifier keeps the last signer's key between lines: a batch alternating
 * a trusted and an untrusted signer is still decided line by line, and with
 * both trusted each line is checked under its own key. */
static void test_batch_mixing_signers_is_decided_per_line(void **state)
{
	char ua[2048], pl[2048], out[65536], cmd[12288], dcc[300], pl_keys[300];
	const bool one_trusted[] = {true, false, true, false, true};
	const bool both_trusted[] = {true, true, true, true, true};
	const char *const issuers[] = {"UA", "PL", "UA", "PL", "UA"};

	(void)state;
	snprintf(dcc, sizeof(dcc), "%s/dcc.json", dir);
	snprintf(pl_keys, sizeof(pl_keys), "%s/PL", dir);
	assert_true(tk_write_file(
	    dcc,
	    "{\"ver\":\"1.3.0\",\"nam\":{\"fn\":\"Коваль\",\"fnt\":\"KOVAL\",\"gnt\":\"OLENA\"},"
	    "\"dob\":\"1985-07-01\",\"r\":[{\"tg\":\"840539006\",\"fr\":\"2021-05-01\","
	    "\"co\":\"UA\",\"is\":\"Ministry of Health\",\"df\":\"2021-05-15\","
	    "\"du\":\"2021-11-01\",\"ci\":\"URN:UVCI:01:UA:0123456789ABCDEF\"}]}"));
	assert_int_equal(run(out, sizeof(out), "keys --country PL --out %s", pl_keys), 0);
	issue_dcc(ua, sizeof(ua), keys, dcc);
	issue_dcc(pl, sizeof(pl), pl_keys, dcc);
	snprintf(cmd, sizeof(cmd),
		 "verify --cert %s/signers/hcert/cert.pem - <<'EOF'\n%s\n%s\n%s\n%s\n%s\nEOF", keys,
		 ua, pl, ua, pl, ua);
	assert_int_equal(run(out, sizeof(out), "%s", cmd), 1);
	expect_batch(out, one_trusted, issuers, 5);
	snprintf(cmd, sizeof(cmd),
		 "verify --cert %s/signers/hcert/cert.pem --cert %s/signers/hcert/cert.pem - "
		 "<<'EOF'\n%s\n%s\n%s\n%s\n%s\nEOF",
		 pl_keys, keys, ua, pl, ua, pl, ua);
	assert_int_equal(run(out, sizeof(out), "%s", cmd), 0);
	expect_batch(out, both_trusted, issuers, 5);
}

/* The batch writes its lines without jansson where it can (issue 15): each
 * line is still the object a one-shot verify prints — UTF-8 and escaped
 * quotes in the claims, errors of every decoding stage, an untrusted signer. */
static void test_batch_line_is_the_one_shot_object(void **state)
{
	char payload[2048], out[65536], one[65536], cmd[12288], dcc[300];
	const char *lines[8];
	char *line, *save;
	int n = 0, count = 0;

	(void)state;
	snprintf(dcc, sizeof(dcc), "%s/dcc2.json", dir);
	assert_true(tk_write_file(
	    dcc, "{\"ver\":\"1.3.0\",\"nam\":{\"fn\":\"Коваль\",\"fnt\":\"KOVAL\"},"
		 "\"dob\":\"1985-07-01\",\"v\":[{\"tg\":\"840539006\",\"vp\":\"J07BX03\","
		 "\"mp\":\"EU/1/20/1528\",\"ma\":\"ORG-100030215\",\"dn\":1,\"sd\":2,"
		 "\"dt\":\"2021-06-04\",\"co\":\"UA\",\"is\":\"State Enterprise \\\"DIIA\\\" \\\\ "
		 "Міністерство\",\"ci\":\"URN:UVCI:01:UA:0123456789ABCDEF\"}]}"));
	issue_dcc(payload, sizeof(payload), keys, dcc);
	lines[count++] = payload;
	lines[count++] = "HL0:ABC";
	lines[count++] = "HC1:NOTBASE45";
	lines[count++] = "HR1:000";
	lines[count++] = "HC1:";
	for (int trusted = 0; trusted < 2; trusted++) {
		snprintf(cmd, sizeof(cmd),
			 "verify --json --cert %s/signers/%s/cert.pem - <<'EOF'\n", keys,
			 trusted ? "hcert" : "id_card");
		for (int i = 0; i < count; i++) {
			strncat(cmd, lines[i], sizeof(cmd) - strlen(cmd) - 1);
			strncat(cmd, "\n", sizeof(cmd) - strlen(cmd) - 1);
		}
		strncat(cmd, "EOF", sizeof(cmd) - strlen(cmd) - 1);
		assert_int_equal(run(out, sizeof(out), "%s", cmd), 1);
		n = 0;
		for (line = strtok_r(out, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save), n++) {
			json_t *batch = parse(line), *single;
			assert_true(n < count);
			run(one, sizeof(one), "verify --json --cert %s/signers/%s/cert.pem '%s'",
			    keys, trusted ? "hcert" : "id_card", lines[n]);
			single = parse(one);
			if (!json_equal(batch, single))
				fprintf(stderr, "line %d differs:\n%s\n%s\n", n, line, one);
			assert_true(json_equal(batch, single));
			json_decref(single);
			json_decref(batch);
		}
		assert_int_equal(n, count);
	}
}

static void test_trust_list_pins_its_signer(void **state)
{
	char payload[4096], out[16384];

	(void)state;
	issue(payload, sizeof(payload), "");
	/* trust-anchor.pem next to the list is found without being named */
	assert_int_equal(run(out, sizeof(out), "verify --trust-list %s '%s'", list, payload), 0);
	/* any other anchor refuses the list outright (a refused list: exit 1) */
	assert_int_equal(run(out, sizeof(out),
			     "verify --trust-list %s --trust-anchor %s/root/cert.pem "
			     "'%s' 2>&1",
			     list, keys, payload),
			 1);
	assert_non_null(strstr(out, "not signed by the pinned trust-list signer"));
}

static void test_image_round_trip_and_unreadable_picture(void **state)
{
	char payload[4096], out[16384], png[300], bad[300];
	json_t *r;

	(void)state;
	snprintf(png, sizeof(png), "%s/qr.png", dir);
	snprintf(bad, sizeof(bad), "%s/bad.png", dir);
	{
		char extra[400];
		snprintf(extra, sizeof(extra), "--png %s", png);
		issue(payload, sizeof(payload), extra);
	}
	assert_int_equal(run(out, sizeof(out), "verify --trust-list %s --image %s", list, png), 0);
	r = parse(out);
	assert_true(json_is_true(json_object_get(json_object_get(r, "stages"), "picture")));
	json_decref(r);
	assert_true(tk_write_file(bad, "\x89PNG\r\n\x1a\nnot really"));
	assert_int_equal(run(out, sizeof(out), "verify --trust-list %s --image %s", list, bad), 1);
	r = parse(out);
	assert_true(json_is_false(json_object_get(json_object_get(r, "stages"), "picture")));
	assert_true(json_is_null(json_object_get(json_object_get(r, "stages"), "unprefix")));
	json_decref(r);
}

static void test_issue_refuses_what_it_must_not_sign(void **state)
{
	char out[4096], bad[300];

	(void)state;
	snprintf(bad, sizeof(bad), "%s/bad.json", dir);
	assert_true(tk_write_file(bad, "{\"person_id\":\"UA:3012345671\"}"));
	assert_int_equal(run(out, sizeof(out),
			     "issue --signer %s/signers/driver_licence --type driver_licence "
			     "--json %s 2>&1",
			     keys, bad),
			 1);
	assert_non_null(strstr(out, "person_id"));
	/* a driver-licence signer may not sign a vaccination record */
	assert_int_equal(run(out, sizeof(out),
			     "issue --signer %s/signers/driver_licence --type vaccination "
			     "--json %s 2>&1",
			     keys, doc),
			 1);
}

static void test_eu_dcc_vector_from_diia_through_the_cli(void **state)
{
	const char *shared = getenv("HROMADA_SHARED_DIR");
	char path[4096], out[65536];
	json_t *v, *r;

	(void)state;
	snprintf(path, sizeof(path), "%s/vectors/dcc/UA/2DCode/raw/1.json",
		 shared ? shared : "../shared");
	if ((v = json_load_file(path, 0, NULL)) == NULL) {
		printf("SKIPPED: %s is absent\n", path);
		skip();
	}
	assert_int_equal(
	    run(out, sizeof(out), "verify --cert '%s' --at '%s' '%s'",
		json_string_value(json_object_get(json_object_get(v, "TESTCTX"), "CERTIFICATE")),
		json_string_value(
		    json_object_get(json_object_get(v, "TESTCTX"), "VALIDATIONCLOCK")),
		json_string_value(json_object_get(v, "PREFIX"))),
	    0);
	r = parse(out);
	assert_string_equal(json_string_value(json_object_get(r, "issuer")), "UA");
	assert_true(json_equal(json_object_get(json_object_get(r, "claims"), "hcert"),
			       json_object_get(v, "JSON")));
	json_decref(r);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_issued_credential_verifies_with_the_contract_shape),
	    cmocka_unit_test(test_untrusted_and_expired_exit_1_with_the_stage),
	    cmocka_unit_test(test_usage_and_io_errors_exit_2),
	    cmocka_unit_test(test_garbage_is_refused_at_the_right_stage),
	    cmocka_unit_test(test_batch_mode_answers_each_line_in_order),
	    cmocka_unit_test(test_batch_mixing_signers_is_decided_per_line),
	    cmocka_unit_test(test_batch_line_is_the_one_shot_object),
	    cmocka_unit_test(test_trust_list_pins_its_signer),
	    cmocka_unit_test(test_image_round_trip_and_unreadable_picture),
	    cmocka_unit_test(test_issue_refuses_what_it_must_not_sign),
	    cmocka_unit_test(test_eu_dcc_vector_from_diia_through_the_cli),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
