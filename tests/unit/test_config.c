/*
 * test_config.c — INI files and --set overrides: sections, comments, overriding,
 * the typed getters and their messages (file:line and section.key), booleans,
 * choices, unread keys, every malformed input we can think of (keys outside a
 * section, over-long lines, NUL bytes, bad names, control characters), and a
 * write/load round trip that never silently changes a value.
 */
#include "testkit/testkit.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

/* Writes len bytes to DIR/name and returns the path (static storage). */
static const char *write_bytes(const char *name, const char *data, size_t len)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tk_dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char *write_text(const char *name, const char *text)
{
	return write_bytes(name, text, strlen(text));
}

/* Loads text as DIR/name into a new config; returns the status, cfg and err filled. */
static hr_status load_text(const char *name, const char *text, struct config **cfg,
			   struct hr_error *err)
{
	const char *path = write_text(name, text);

	*cfg = config_new();
	assert_non_null(*cfg);
	memset(err, 0, sizeof(*err));
	return config_load_file(*cfg, path, err);
}

static void assert_message_has(const struct hr_error *err, const char *part)
{
	if (strstr(err->message, part) == NULL) {
		print_error("message '%s' lacks '%s'\n", err->message, part);
		fail();
	}
}

/* Loading text must fail with HR_E_INVALID, stage "config", naming file:line. */
static void assert_load_refused(const char *text, int line)
{
	struct config *cfg;
	struct hr_error err;
	char where[64];

	if (load_text("bad.ini", text, &cfg, &err) != HR_E_INVALID) {
		print_error("accepted:\n%s\n", text);
		fail();
	}
	assert_string_equal(err.stage, "config");
	snprintf(where, sizeof(where), "bad.ini:%d:", line);
	assert_message_has(&err, where);
	config_free(cfg);
}

static const char *get(struct config *cfg, const char *section, const char *key)
{
	const char *v = NULL;

	assert_int_equal(config_get_str(cfg, section, key, NULL, &v, NULL), HR_OK);
	return v;
}

/* ---- loading ---- */

static void test_loads_sections_keys_and_comments(void **state)
{
	struct config *cfg;
	struct hr_error err;

	(void)state;
	assert_int_equal(load_text("hromada.ini",
				   "; a comment\n"
				   "# another comment\n"
				   "\n"
				   "[server]\n"
				   "listen = 127.0.0.1:8080\n"
				   "threads=4 ; inline comment\n"
				   "   spaced   =   value with spaces   \n"
				   "[store]\n"
				   "url = sqlite:/var/lib/hromada/registry.db\n"
				   "semi = a;b\n"
				   "empty =\n"
				   "[server]\n"
				   "timeout_ms = 5000\n",
				   &cfg, &err),
			 HR_OK);
	assert_string_equal(get(cfg, "server", "listen"), "127.0.0.1:8080");
	assert_string_equal(get(cfg, "server", "threads"), "4");
	assert_string_equal(get(cfg, "server", "spaced"), "value with spaces");
	assert_string_equal(get(cfg, "store", "url"), "sqlite:/var/lib/hromada/registry.db");
	assert_string_equal(get(cfg, "store", "semi"), "a;b");
	assert_string_equal(get(cfg, "store", "empty"), "");
	assert_string_equal(get(cfg, "server", "timeout_ms"), "5000");
	assert_true(config_has(cfg, "server", "listen"));
	assert_false(config_has(cfg, "store", "listen"));
	assert_false(config_has(cfg, "server", "LISTEN"));
	assert_int_equal(config_check_unused(cfg, &err), HR_OK);
	config_free(cfg);
}

static void test_loads_crlf_and_bom_files(void **state)
{
	struct config *cfg;
	struct hr_error err;

	(void)state;
	assert_int_equal(load_text("crlf.ini",
				   "\xef\xbb\xbf[node]\r\nrole = registry\r\ncountry = UA\r\n",
				   &cfg, &err),
			 HR_OK);
	assert_string_equal(get(cfg, "node", "role"), "registry");
	assert_string_equal(get(cfg, "node", "country"), "UA");
	config_free(cfg);
}

static void test_last_line_without_newline_is_read(void **state)
{
	struct config *cfg;
	struct hr_error err;

	(void)state;
	assert_int_equal(load_text("eof.ini", "[a]\nk = last", &cfg, &err), HR_OK);
	assert_string_equal(get(cfg, "a", "k"), "last");
	config_free(cfg);
}

static void test_later_values_override_earlier_ones(void **state)
{
	struct config *cfg;
	struct hr_error err;
	int64_t n = 0;
	const char *second;

	(void)state;
	assert_int_equal(load_text("first.ini", "[s]\nn = 1\nn = 2\nkeep = yes\n", &cfg, &err),
			 HR_OK);
	assert_string_equal(get(cfg, "s", "n"), "2");
	/* a second file overrides the first */
	second = write_text("second.ini", "[s]\n\nn = 300\n");
	assert_int_equal(config_load_file(cfg, second, &err), HR_OK);
	assert_string_equal(get(cfg, "s", "n"), "300");
	assert_string_equal(get(cfg, "s", "keep"), "yes");
	/* and the origin moved with the value: a range error names the second file */
	assert_int_equal(config_get_int(cfg, "s", "n", 0, 0, 10, &n, &err), HR_E_INVALID);
	assert_message_has(&err, "second.ini:3");
	/* --set overrides files */
	assert_int_equal(config_set_assignment(cfg, "s.n=7", &err), HR_OK);
	assert_int_equal(config_get_int(cfg, "s", "n", 0, 0, 10, &n, &err), HR_OK);
	assert_int_equal(n, 7);
	config_free(cfg);
}

static void test_missing_file_is_not_found(void **state)
{
	struct config *cfg = config_new();
	struct hr_error err = {0};
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/does-not-exist.ini", tk_dir);
	assert_int_equal(config_load_file(cfg, path, &err), HR_E_NOT_FOUND);
	assert_string_equal(err.stage, "config");
	assert_message_has(&err, "does-not-exist.ini");
	config_free(cfg);
}

static void test_directory_is_not_an_empty_config(void **state)
{
	struct config *cfg = config_new();
	struct hr_error err = {0};

	(void)state;
	/* fopen() of a directory succeeds on Linux; reading it fails (EISDIR) */
	assert_int_equal(config_load_file(cfg, tk_dir, &err), HR_E_IO);
	assert_message_has(&err, tk_dir);
	config_free(cfg);
}

/* ---- malformed files ---- */

static void test_refuses_key_outside_any_section(void **state)
{
	struct config *cfg;
	struct hr_error err;

	(void)state;
	assert_load_refused("; header\nlisten = 1\n[server]\n", 2);
	assert_int_equal(load_text("bad.ini", "orphan = 1\n", &cfg, &err), HR_E_INVALID);
	assert_message_has(&err, "orphan");
	assert_message_has(&err, "section");
	config_free(cfg);
}

static void test_refuses_syntax_errors_with_their_line(void **state)
{
	(void)state;
	assert_load_refused("[s]\nk = v\nnot a pair\n", 3);
	assert_load_refused("[s\nk = v\n", 1);
	assert_load_refused("[s]\n\n\n\n[unterminated\n", 5);
}

static void test_refuses_invalid_names(void **state)
{
	char text[256];

	(void)state;
	assert_load_refused("[Server]\nk = v\n", 2);
	assert_load_refused("[s]\nKey = v\n", 2);
	assert_load_refused("[s]\nk.x = v\n", 2);
	assert_load_refused("[a b]\nk = v\n", 2);
	assert_load_refused("[s]\nk\xc3\xa9 = v\n", 2);
	assert_load_refused("[s]\nk/x = v\n", 2);
	/* CONFIG_NAME_MAX - 1 characters is the longest key */
	snprintf(text, sizeof(text), "[s]\n%0*d = v\n", CONFIG_NAME_MAX, 0);
	assert_load_refused(text, 2);
}

static void test_longest_names_are_accepted(void **state)
{
	struct config *cfg;
	struct hr_error err;
	char name[CONFIG_NAME_MAX];
	char text[256];

	(void)state;
	memset(name, 'n', CONFIG_NAME_MAX - 1);
	name[CONFIG_NAME_MAX - 1] = 0;
	snprintf(text, sizeof(text), "[section]\n%s = v\nunder_score-dash9 = w\n", name);
	assert_int_equal(load_text("ok.ini", text, &cfg, &err), HR_OK);
	assert_string_equal(get(cfg, "section", name), "v");
	assert_string_equal(get(cfg, "section", "under_score-dash9"), "w");
	assert_int_equal(config_set(cfg, name, name, "x", "t", &err), HR_OK);
	assert_string_equal(get(cfg, name, name), "x");
	config_free(cfg);
}

static void test_indented_keys_are_keys_not_continuations(void **state)
{
	struct config *cfg;
	struct hr_error err;

	(void)state;
	/* inih alone reads the second indented line as a continuation of "listen" */
	assert_int_equal(load_text("indent.ini",
				   "[server]\n"
				   "    listen = 127.0.0.1:8080\n"
				   "    threads = 4\n"
				   "\t[store]\n"
				   "\turl = sqlite:x.db\n"
				   "  \t  ; an indented comment\n",
				   &cfg, &err),
			 HR_OK);
	assert_string_equal(get(cfg, "server", "listen"), "127.0.0.1:8080");
	assert_string_equal(get(cfg, "server", "threads"), "4");
	assert_string_equal(get(cfg, "store", "url"), "sqlite:x.db");
	assert_int_equal(config_check_unused(cfg, &err), HR_OK);
	config_free(cfg);
}

static void test_refuses_control_characters_in_values(void **state)
{
	(void)state;
	assert_load_refused("[s]\nk = a\tb\n", 2);
	assert_load_refused("[s]\nk = a\x01"
			    "b\n",
			    2);
	assert_load_refused("[s]\nk = a\x1b[31mred\n", 2);
	assert_load_refused("[s]\nok = 1\nk = a\x7f\n", 3);
}

static void test_refuses_a_line_longer_than_the_parser_limit(void **state)
{
	/* config.c promises: "line is longer than INI_MAX_LINE - 2 characters" */
	size_t limit = INI_MAX_LINE - 2;
	char *text = malloc(10000);
	struct config *cfg;
	struct hr_error err;
	char where[64];
	int n;

	(void)state;
	assert_non_null(text);
	/* the longest line accepted is exactly the limit the message names */
	n = snprintf(text, 10000, "[s]\nfirst = 1\nk = ");
	memset(text + n, 'v', limit - 4);
	strcpy(text + n + limit - 4, "\nlast = 2\n");
	assert_int_equal(load_text("max.ini", text, &cfg, &err), HR_OK);
	assert_int_equal(strlen(get(cfg, "s", "k")), limit - 4);
	config_free(cfg);

	/* one character more is refused, naming line 3 */
	n = snprintf(text, 10000, "[s]\nfirst = 1\nk = ");
	memset(text + n, 'v', limit - 3);
	strcpy(text + n + limit - 3, "\nlast = 2\n");
	assert_int_equal(load_text("long.ini", text, &cfg, &err), HR_E_INVALID);
	snprintf(where, sizeof(where), "long.ini:3:");
	assert_message_has(&err, where);
	config_free(cfg);

	/* a much longer line is never split into settings: its tail looks like one */
	n = snprintf(text, 10000, "[s]\nfirst = 1\nk = ");
	memset(text + n, 'v', 600);
	strcpy(text + n + 600, " injected = 1\n");
	assert_int_equal(load_text("long.ini", text, &cfg, &err), HR_E_INVALID);
	assert_message_has(&err, "long.ini:3:");
	assert_false(config_has(cfg, "s", "injected"));
	config_free(cfg);

	/* also when it is the last line, without a newline */
	n = snprintf(text, 10000, "[s]\nk = ");
	memset(text + n, 'v', 1000);
	text[n + 1000] = 0;
	assert_int_equal(load_text("long.ini", text, &cfg, &err), HR_E_INVALID);
	assert_message_has(&err, "long.ini:2:");
	config_free(cfg);
	free(text);
}

static void test_long_line_tail_is_not_read_as_a_setting(void **state)
{
	char text[1024];
	struct config *cfg = config_new();
	struct hr_error err = {0};
	const char *path;
	int n;

	(void)state;
	/* a line whose cut falls exactly before "evil = 1" */
	n = snprintf(text, sizeof(text), "[s]\nk = ");
	memset(text + n, 'v', INI_MAX_LINE - 1 - 4);
	n += INI_MAX_LINE - 1 - 4;
	n += snprintf(text + n, sizeof(text) - (size_t)n, "evil = 1\n");
	path = write_bytes("cut.ini", text, (size_t)n);
	assert_int_equal(config_load_file(cfg, path, &err), HR_E_INVALID);
	assert_false(config_has(cfg, "s", "evil"));
	config_free(cfg);
}

static void test_refuses_nul_bytes_instead_of_splitting_the_line(void **state)
{
	char text[1024];
	struct config *cfg = config_new();
	struct hr_error err = {0};
	const char *path;
	size_t n;

	(void)state;
	/* "k = v", a NUL, padding, then what would be read as a line of its own */
	n = (size_t)snprintf(text, sizeof(text), "[s]\nk = v");
	text[n++] = 0;
	memset(text + n, 'p', INI_MAX_LINE);
	n += INI_MAX_LINE - 1 - 6;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "injected = 1\n");
	path = write_bytes("nul.ini", text, n);
	assert_int_equal(config_load_file(cfg, path, &err), HR_E_INVALID);
	assert_message_has(&err, "nul.ini:2:");
	assert_false(config_has(cfg, "s", "injected"));
	config_free(cfg);

	/* a NUL at the start of a line */
	cfg = config_new();
	path = write_bytes("nul.ini", "[s]\n\0k = v\n", 11);
	assert_int_equal(config_load_file(cfg, path, &err), HR_E_INVALID);
	assert_message_has(&err, "nul.ini:2:");
	config_free(cfg);
}

/* ---- --set assignments ---- */

static void test_set_assignment_parses_section_key_value(void **state)
{
	struct config *cfg = config_new();
	struct hr_error err = {0};
	int64_t n = 0;

	(void)state;
	assert_int_equal(config_set_assignment(cfg, "server.listen=127.0.0.1:8080", &err), HR_OK);
	assert_int_equal(config_set_assignment(cfg, "store.url=postgresql://u@h/db?x=1", &err),
			 HR_OK);
	assert_int_equal(config_set_assignment(cfg, "node.empty=", &err), HR_OK);
	assert_int_equal(config_set_assignment(cfg, "node.dotted=a.b.c", &err), HR_OK);
	assert_string_equal(get(cfg, "server", "listen"), "127.0.0.1:8080");
	assert_string_equal(get(cfg, "store", "url"), "postgresql://u@h/db?x=1");
	assert_string_equal(get(cfg, "node", "empty"), "");
	assert_string_equal(get(cfg, "node", "dotted"), "a.b.c");
	/* the origin of a --set value is "--set" */
	assert_int_equal(config_set_assignment(cfg, "server.threads=999", &err), HR_OK);
	assert_int_equal(config_get_int(cfg, "server", "threads", 0, 0, 64, &n, &err),
			 HR_E_INVALID);
	assert_message_has(&err, "--set");
	config_free(cfg);
}

static void test_set_assignment_refuses_every_malformed_shape(void **state)
{
	char long_key[200], long_section[200];
	const char *const bad[] = {
	    "",            /* nothing */
	    "nodot=1",     /* missing dot */
	    "section.key", /* missing '=' */
	    "=value",      /* neither */
	    "a=b.c",       /* the dot is in the value */
	    ".key=v",      /* empty section */
	    "section.=v",  /* empty key */
	    "s.k.x=v",     /* a dot in the key */
	    "S.k=v",       /* upper case */
	    "s.K=v",       /* upper case */
	    "s.k x=v",     /* space in key */
	    "s .k=v",      /* space in section */
	    "s.k=a\tb",    /* control character in value */
	    "s.k=a\nb=c",  /* newline in value */
	    long_key,      /* key too long */
	    long_section,  /* section too long */
	};
	struct config *cfg = config_new();
	struct hr_error err;

	(void)state;
	snprintf(long_key, sizeof(long_key), "s.%0*d=v", CONFIG_NAME_MAX, 0);
	snprintf(long_section, sizeof(long_section), "%0*d.k=v", CONFIG_NAME_MAX, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (config_set_assignment(cfg, bad[i], &err) != HR_E_INVALID) {
			print_error("accepted --set '%s'\n", bad[i]);
			fail();
		}
		assert_string_equal(err.stage, "config");
		assert_true(strlen(err.message) > 0);
	}
	assert_false(config_has(cfg, "s", "k"));
	assert_int_equal(config_check_unused(cfg, NULL), HR_OK); /* nothing was stored */
	config_free(cfg);
}

static void test_set_assignment_accepts_longest_names_and_refuses_long_values(void **state)
{
	char text[CONFIG_VALUE_MAX + 300];
	struct config *cfg = config_new();
	struct hr_error err;
	int n;

	(void)state;
	n = snprintf(text, sizeof(text), "%0*d.%0*d=v", CONFIG_NAME_MAX - 1, 1, CONFIG_NAME_MAX - 1,
		     2);
	assert_true(n > 0);
	assert_int_equal(config_set_assignment(cfg, text, &err), HR_OK);

	n = snprintf(text, sizeof(text), "s.k=");
	memset(text + n, 'v', CONFIG_VALUE_MAX - 1);
	text[n + CONFIG_VALUE_MAX - 1] = 0;
	assert_int_equal(config_set_assignment(cfg, text, &err), HR_OK);
	assert_int_equal(strlen(get(cfg, "s", "k")), CONFIG_VALUE_MAX - 1);
	text[n + CONFIG_VALUE_MAX - 1] = 'v';
	text[n + CONFIG_VALUE_MAX] = 0;
	assert_int_equal(config_set_assignment(cfg, text, &err), HR_E_INVALID);
	assert_message_has(&err, "s.k");
	assert_int_equal(strlen(get(cfg, "s", "k")), CONFIG_VALUE_MAX - 1); /* unchanged */
	config_free(cfg);
}

/* ---- typed getters ---- */

static void test_getters_return_defaults_for_absent_keys(void **state)
{
	struct config *cfg = config_new();
	const char *s = NULL;
	int64_t n = 0;
	bool b = false;
	int index = -1;
	static const char *const choices[] = {"sqlite", "postgresql", NULL};

	(void)state;
	assert_int_equal(config_get_str(cfg, "s", "k", "dflt", &s, NULL), HR_OK);
	assert_string_equal(s, "dflt");
	assert_int_equal(config_get_str(cfg, "s", "k", NULL, &s, NULL), HR_OK);
	assert_null(s);
	assert_int_equal(config_get_int(cfg, "s", "n", -5, -10, 10, &n, NULL), HR_OK);
	assert_int_equal(n, -5);
	assert_int_equal(config_get_bool(cfg, "s", "b", true, &b, NULL), HR_OK);
	assert_true(b);
	assert_int_equal(config_get_choice(cfg, "s", "c", "postgresql", choices, &index, NULL),
			 HR_OK);
	assert_int_equal(index, 1);
	config_free(cfg);
}

static void test_get_int_parses_and_checks_the_range(void **state)
{
	struct config *cfg;
	struct hr_error err;
	int64_t n = 0;

	(void)state;
	assert_int_equal(load_text("int.ini",
				   "[server]\n"
				   "threads = 8\n"
				   "low = -3\n"
				   "big = 9223372036854775807\n"
				   "port = 65536\n",
				   &cfg, &err),
			 HR_OK);
	assert_int_equal(config_get_int(cfg, "server", "threads", 0, 0, 8, &n, &err), HR_OK);
	assert_int_equal(n, 8);
	assert_int_equal(config_get_int(cfg, "server", "low", 0, -3, 0, &n, &err), HR_OK);
	assert_int_equal(n, -3);
	assert_int_equal(config_get_int(cfg, "server", "big", 0, INT64_MIN, INT64_MAX, &n, &err),
			 HR_OK);
	assert_true(n == INT64_MAX);

	n = 1234;
	assert_int_equal(config_get_int(cfg, "server", "port", 0, 1, 65535, &n, &err),
			 HR_E_INVALID);
	assert_string_equal(err.stage, "config");
	assert_message_has(&err, "int.ini:5");
	assert_message_has(&err, "server.port");
	assert_message_has(&err, "65536");
	assert_message_has(&err, "65535");
	assert_int_equal(config_get_int(cfg, "server", "threads", 0, 0, 7, &n, &err), HR_E_INVALID);
	assert_message_has(&err, "int.ini:2");
	assert_message_has(&err, "server.threads");
	assert_int_equal(config_get_int(cfg, "server", "low", 0, -2, 7, &n, &err), HR_E_INVALID);
	assert_message_has(&err, "server.low");
	config_free(cfg);
}

static void test_get_int_refuses_what_is_not_an_integer(void **state)
{
	static const char *const bad[] = {"12abc",
					  "abc",
					  "0x10",
					  "1.5",
					  "1e3",
					  "- 1",
					  "",
					  "99999999999999999999",
					  "-99999999999999999999",
					  "\xd9\xa1\xd9\xa2",
					  "--1",
					  "1 2"};
	struct config *cfg = config_new();
	struct hr_error err;
	char origin[32];
	int64_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(origin, sizeof(origin), "test:%zu", i);
		assert_int_equal(config_set(cfg, "sec", "num", bad[i], origin, NULL), HR_OK);
		memset(&err, 0, sizeof(err));
		if (config_get_int(cfg, "sec", "num", 0, INT64_MIN, INT64_MAX, &n, &err) !=
		    HR_E_INVALID) {
			print_error("'%s' read as %lld\n", bad[i], (long long)n);
			fail();
		}
		assert_message_has(&err, origin);
		assert_message_has(&err, "sec.num");
	}
	config_free(cfg);
}

static void test_get_bool_accepts_the_eight_words(void **state)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	struct config *cfg = config_new();
	bool b;

	(void)state;
	for (int i = 0; i < 4; i++) {
		b = false;
		assert_int_equal(config_set(cfg, "s", "b", yes[i], "t", NULL), HR_OK);
		assert_int_equal(config_get_bool(cfg, "s", "b", false, &b, NULL), HR_OK);
		assert_true(b);
		b = true;
		assert_int_equal(config_set(cfg, "s", "b", no[i], "t", NULL), HR_OK);
		assert_int_equal(config_get_bool(cfg, "s", "b", true, &b, NULL), HR_OK);
		assert_false(b);
	}
	config_free(cfg);
}

static void test_get_bool_refuses_other_words(void **state)
{
	static const char *const bad[] = {"",  "2", "-1",      "maybe", "tru",   "yess",
					  "y", "n", "enabled", "00",    "true ", " on"};
	struct config *cfg = config_new();
	struct hr_error err;
	bool b;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(config_set(cfg, "tls", "verify", bad[i], "site.ini:9", NULL),
				 HR_OK);
		b = true;
		memset(&err, 0, sizeof(err));
		if (config_get_bool(cfg, "tls", "verify", true, &b, &err) != HR_E_INVALID) {
			print_error("'%s' read as a boolean\n", bad[i]);
			fail();
		}
		assert_message_has(&err, "site.ini:9");
		assert_message_has(&err, "tls.verify");
	}
	config_free(cfg);
}

static void test_get_choice_gives_the_index_or_lists_the_choices(void **state)
{
	static const char *const choices[] = {"sqlite", "postgresql", "memory", NULL};
	struct config *cfg;
	struct hr_error err;
	int index = -1;

	(void)state;
	assert_int_equal(
	    load_text("choice.ini", "[store]\ndriver = postgresql\nother = mysql\n", &cfg, &err),
	    HR_OK);
	assert_int_equal(config_get_choice(cfg, "store", "driver", "sqlite", choices, &index, &err),
			 HR_OK);
	assert_int_equal(index, 1);

	index = 77;
	assert_int_equal(config_get_choice(cfg, "store", "other", "sqlite", choices, &index, &err),
			 HR_E_INVALID);
	assert_int_equal(index, 77);
	assert_string_equal(err.stage, "config");
	assert_message_has(&err, "store.other");
	assert_message_has(&err, "mysql");
	assert_message_has(&err, "sqlite, postgresql, memory");
	/* like every getter, the message names where the value came from */
	assert_message_has(&err, "choice.ini:3");

	/* choices are exact */
	assert_int_equal(config_set(cfg, "store", "driver", "SQLite", "t", NULL), HR_OK);
	assert_int_equal(config_get_choice(cfg, "store", "driver", NULL, choices, &index, NULL),
			 HR_E_INVALID);
	config_free(cfg);
}

static void test_get_choice_without_value_or_default_is_refused(void **state)
{
	static const char *const choices[] = {"id_card", "driver_licence", NULL};
	struct config *cfg = config_new();
	struct hr_error err = {0};
	int index = 5;

	(void)state;
	assert_int_equal(
	    config_get_choice(cfg, "registry", "document_type", NULL, choices, &index, &err),
	    HR_E_INVALID);
	assert_int_equal(index, 5);
	assert_message_has(&err, "registry.document_type");
	assert_message_has(&err, "id_card, driver_licence");
	config_free(cfg);
}

static void test_get_choice_with_many_long_choices_stays_bounded(void **state)
{
	char names[40][48];
	const char *choices[41];
	struct config *cfg = config_new();
	struct hr_error err = {0};
	int index;

	(void)state;
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "choice_number_%02d_with_a_long_name", i);
		choices[i] = names[i];
	}
	choices[40] = NULL;
	assert_int_equal(config_set(cfg, "s", "k", "none_of_them", "t", NULL), HR_OK);
	assert_int_equal(config_get_choice(cfg, "s", "k", NULL, choices, &index, &err),
			 HR_E_INVALID);
	assert_true(strlen(err.message) < HR_ERROR_MESSAGE_MAX);
	assert_message_has(&err, "choice_number_00");
	assert_int_equal(config_set(cfg, "s", "k", names[39], "t", NULL), HR_OK);
	assert_int_equal(config_get_choice(cfg, "s", "k", NULL, choices, &index, &err), HR_OK);
	assert_int_equal(index, 39);
	config_free(cfg);
}

/* ---- unused keys ---- */

static void test_check_unused_names_the_first_unread_key_with_its_origin(void **state)
{
	struct config *cfg;
	struct hr_error err;
	const char *s;
	int64_t n;

	(void)state;
	assert_int_equal(load_text("typo.ini",
				   "[server]\n"
				   "listen = :8080\n"
				   "thraeds = 4\n"
				   "[store]\n"
				   "urll = x\n",
				   &cfg, &err),
			 HR_OK);
	config_get_str(cfg, "server", "listen", NULL, &s, NULL);
	config_get_int(cfg, "server", "threads", 0, 0, 64, &n, NULL); /* absent: default */
	assert_int_equal(config_check_unused(cfg, &err), HR_E_INVALID);
	assert_string_equal(err.stage, "config");
	assert_message_has(&err, "typo.ini:3");
	assert_message_has(&err, "server.thraeds");

	/* config_has is a question, not a read */
	assert_true(config_has(cfg, "server", "thraeds"));
	assert_int_equal(config_check_unused(cfg, &err), HR_E_INVALID);
	assert_message_has(&err, "server.thraeds");

	/* a getter that refuses the value still counts as reading it */
	assert_int_equal(config_get_int(cfg, "server", "thraeds", 0, 0, 1, &n, NULL), HR_E_INVALID);
	assert_int_equal(config_check_unused(cfg, &err), HR_E_INVALID);
	assert_message_has(&err, "typo.ini:5");
	assert_message_has(&err, "store.urll");

	config_get_str(cfg, "store", "urll", NULL, &s, NULL);
	assert_int_equal(config_check_unused(cfg, &err), HR_OK);
	config_free(cfg);
}

/* ---- writing ---- */

static void test_write_file_round_trips_through_load(void **state)
{
	static const char *const entries[][3] = {
	    {"node", "role", "registry"},
	    {"server", "listen", "127.0.0.1:8080"},
	    {"node", "state_dir", "/tmp/hromada state/ua"},
	    {"store", "url", "postgresql://user@host/db?sslmode=require&x=a=b"},
	    {"server", "empty", ""},
	    {"node", "symbols", "a;b#c[d]e\"f'g\\h:i"},
	    {"node", "unicode", "\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2"},
	    {"node", "starts_with_hash", "#value"},
	    {"node", "starts_with_bracket", "[value]"},
	};
	size_t count = sizeof(entries) / sizeof(entries[0]);
	struct config *cfg = config_new(), *back = config_new();
	struct hr_error err = {0};
	char path[512];

	(void)state;
	for (size_t i = 0; i < count; i++)
		assert_int_equal(
		    config_set(cfg, entries[i][0], entries[i][1], entries[i][2], "t", &err), HR_OK);
	snprintf(path, sizeof(path), "%s/written.ini", tk_dir);
	assert_int_equal(config_write_file(cfg, path, &err), HR_OK);
	if (config_load_file(back, path, &err) != HR_OK) {
		print_error("reload: %s\n", err.message);
		fail();
	}
	for (size_t i = 0; i < count; i++)
		assert_string_equal(get(back, entries[i][0], entries[i][1]), entries[i][2]);
	assert_int_equal(config_check_unused(back, &err), HR_OK); /* nothing extra appeared */
	config_free(cfg);
	config_free(back);
}

static void test_write_file_never_silently_changes_a_value(void **state)
{
	char long_value[CONFIG_VALUE_MAX];
	const char *const values[] = {
	    " leading space",    "trailing space ", "a ; looks like a comment",
	    ";starts a comment", long_value,
	};
	char path[512];

	(void)state;
	memset(long_value, 'v', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = 0;
	snprintf(path, sizeof(path), "%s/tricky.ini", tk_dir);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct config *cfg = config_new(), *back = config_new();
		struct hr_error err = {0};
		hr_status rc;

		assert_int_equal(config_set(cfg, "s", "k", values[i], "t", &err), HR_OK);
		rc = config_write_file(cfg, path, &err);
		/* either it refuses to write what it cannot represent, or the value reads back */
		if (rc == HR_OK) {
			if (config_load_file(back, path, &err) != HR_OK ||
			    strcmp(get(back, "s", "k"), values[i]) != 0) {
				print_error("'%.40s' did not survive a write and load\n",
					    values[i]);
				fail();
			}
		} else {
			assert_int_equal(rc, HR_E_INVALID);
			assert_message_has(&err, "s.k");
		}
		config_free(cfg);
		config_free(back);
	}
}

static void test_write_file_to_a_missing_directory_is_io(void **state)
{
	struct config *cfg = config_new();
	struct hr_error err = {0};
	char path[512];

	(void)state;
	config_set(cfg, "s", "k", "v", "t", NULL);
	snprintf(path, sizeof(path), "%s/no/such/dir/x.ini", tk_dir);
	assert_int_equal(config_write_file(cfg, path, &err), HR_E_IO);
	assert_message_has(&err, "x.ini");
	config_free(cfg);
}

static void test_free_accepts_null(void **state)
{
	(void)state;
	config_free(NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, tk_dir_setup, tk_dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_loads_sections_keys_and_comments),
	    T(test_loads_crlf_and_bom_files),
	    T(test_last_line_without_newline_is_read),
	    T(test_later_values_override_earlier_ones),
	    T(test_missing_file_is_not_found),
	    T(test_directory_is_not_an_empty_config),
	    T(test_refuses_key_outside_any_section),
	    T(test_refuses_syntax_errors_with_their_line),
	    T(test_refuses_invalid_names),
	    T(test_longest_names_are_accepted),
	    T(test_indented_keys_are_keys_not_continuations),
	    T(test_refuses_control_characters_in_values),
	    T(test_refuses_a_line_longer_than_the_parser_limit),
	    T(test_long_line_tail_is_not_read_as_a_setting),
	    T(test_refuses_nul_bytes_instead_of_splitting_the_line),
	    T(test_set_assignment_parses_section_key_value),
	    T(test_set_assignment_refuses_every_malformed_shape),
	    T(test_set_assignment_accepts_longest_names_and_refuses_long_values),
	    T(test_getters_return_defaults_for_absent_keys),
	    T(test_get_int_parses_and_checks_the_range),
	    T(test_get_int_refuses_what_is_not_an_integer),
	    T(test_get_bool_accepts_the_eight_words),
	    T(test_get_bool_refuses_other_words),
	    T(test_get_choice_gives_the_index_or_lists_the_choices),
	    T(test_get_choice_without_value_or_default_is_refused),
	    T(test_get_choice_with_many_long_choices_stays_bounded),
	    T(test_check_unused_names_the_first_unread_key_with_its_origin),
	    T(test_write_file_round_trips_through_load),
	    T(test_write_file_never_silently_changes_a_value),
	    T(test_write_file_to_a_missing_directory_is_io),
	    T(test_free_accepts_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
