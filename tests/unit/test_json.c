/*
 * test_json.c — strict JSON parsing (duplicate keys, trailing data, empty bodies,
 * invalid UTF-8, NUL characters, nesting bombs), the typed getters and their
 * messages, hr_json_only_keys, and serialisation into bounded buffers.
 */
#include "testkit/testkit.h"

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

/* Parses text (its strlen) and expects a refusal with stage "json". */
static void assert_refused(const char *text, size_t len)
{
	struct hr_error err = {0};
	json_t *value = (json_t *)&err; /* must be reset to NULL */

	if (hr_json_parse(text, len, &value, &err) != HR_E_INVALID) {
		print_error("accepted: %.*s\n", (int)len, text);
		fail();
	}
	assert_null(value);
	assert_int_equal(err.status, HR_E_INVALID);
	assert_string_equal(err.stage, "json");
	assert_true(strlen(err.message) > 0);
}

static void assert_refused_str(const char *text)
{
	assert_refused(text, strlen(text));
}

static json_t *parse_ok(const char *text)
{
	struct hr_error err = {0};
	json_t *value = NULL;

	if (hr_json_parse(text, strlen(text), &value, &err) != HR_OK) {
		print_error("refused %s: %s\n", text, err.message);
		fail();
	}
	assert_non_null(value);
	return value;
}

/* ---- parsing ---- */

static void test_parses_rfc8259_values(void **state)
{
	json_t *v;

	(void)state;
	v = parse_ok("{\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\ud83d\\ude00\"], "
		     "\"b\": {}}");
	assert_true(json_is_object(v));
	assert_int_equal(json_array_size(json_object_get(v, "a")), 6);
	assert_string_equal(json_string_value(json_array_get(json_object_get(v, "a"), 5)),
			    "x\xc3\xa9\xf0\x9f\x98\x80");
	json_decref(v);

	/* any value at the top, surrounding whitespace allowed */
	v = parse_ok(" \t\r\n42 \n");
	assert_int_equal(json_integer_value(v), 42);
	json_decref(v);
	v = parse_ok("\"text\"");
	assert_string_equal(json_string_value(v), "text");
	json_decref(v);
	v = parse_ok("-9223372036854775808");
	assert_true(json_integer_value(v) < 0);
	json_decref(v);
}

static void test_parse_uses_the_length_not_a_terminator(void **state)
{
	struct hr_error err = {0};
	const char text[] = "{\"a\":1}garbage";
	json_t *v = NULL;

	(void)state;
	assert_int_equal(hr_json_parse(text, 7, &v, &err), HR_OK);
	assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
	json_decref(v);
}

static void test_refuses_duplicate_keys(void **state)
{
	(void)state;
	assert_refused_str("{\"a\":1,\"a\":2}");
	assert_refused_str("{\"a\":1,\"a\":1}");
	assert_refused_str("{\"o\":{\"k\":1,\"k\":2}}");
	assert_refused_str("[{\"k\":true,\"k\":false}]");
	/* the same key spelled with an escape is the same key */
	assert_refused_str("{\"ab\":1,\"a\\u0062\":2}");
}

static void test_refuses_trailing_data(void **state)
{
	static const char *const texts[] = {
	    "{\"a\":1} x", "{\"a\":1}{\"b\":2}", "1 2", "[] ]", "{} ,", "\"a\"\"b\"", "null null",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_refused(texts[i], strlen(texts[i]));
}

static void test_refuses_empty_and_blank_bodies(void **state)
{
	struct hr_error err = {0};
	json_t *v = (json_t *)&err;

	(void)state;
	assert_int_equal(hr_json_parse("", 0, &v, &err), HR_E_INVALID);
	assert_null(v);
	assert_non_null(strstr(err.message, "empty"));
	v = (json_t *)&err;
	assert_int_equal(hr_json_parse(NULL, 0, &v, NULL), HR_E_INVALID);
	assert_null(v);
	assert_refused_str("   ");
	assert_refused_str("\n");
}

static void test_refuses_invalid_utf8(void **state)
{
	static const char *const texts[] = {
	    "\"\xff\"",             /* never valid */
	    "\"\xc0\xaf\"",         /* overlong '/' */
	    "\"\xe0\x80\xaf\"",     /* overlong, three bytes */
	    "\"\xed\xa0\x80\"",     /* UTF-16 surrogate encoded in UTF-8 */
	    "\"\xe2\x82\"",         /* truncated sequence */
	    "\"\xf4\x90\x80\x80\"", /* above U+10FFFF */
	    "\"\x80\"",             /* lone continuation byte */
	    "{\"\xff\":1}",         /* in a key */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_refused(texts[i], strlen(texts[i]));
}

static void test_refuses_lone_surrogate_escapes(void **state)
{
	(void)state;
	assert_refused_str("\"\\ud800\"");
	assert_refused_str("\"\\udc00\"");
	assert_refused_str("\"\\ud800\\u0041\"");
}

static void test_refuses_nul_characters(void **state)
{
	static const char escaped[] = "{\"a\":\"x\\u0000y\"}";
	static const char raw_in_string[] = "{\"a\":\"x\0y\"}";
	static const char raw_after[] = "{\"a\":1}\0";
	static const char escaped_key[] = "{\"a\\u0000b\":1}";

	(void)state;
	assert_refused(escaped, sizeof(escaped) - 1);
	assert_refused(raw_in_string, sizeof(raw_in_string) - 1);
	assert_refused(raw_after, sizeof(raw_after) - 1);
	assert_refused(escaped_key, sizeof(escaped_key) - 1);
}

static void test_refuses_malformed_documents(void **state)
{
	static const char *const texts[] = {
	    "{",     "}",         "[1,]",      "{\"a\":1,}", "{'a':1}",
	    "{a:1}", "tru",       "01",        "1.",         ".5",
	    "+1",    "NaN",       "Infinity",  "\"\t\"",     "\"\\x41\"",
	    "[1 2]", "{\"a\" 1}", "/* c */ 1", "1e999",      "9223372036854775808",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_refused(texts[i], strlen(texts[i]));
}

static void test_refuses_deep_nesting_without_crashing(void **state)
{
	size_t depth = 100000;
	char *text = malloc(6 * depth + 1);
	size_t n = 0;

	(void)state;
	assert_non_null(text);
	memset(text, '[', depth);
	memset(text + depth, ']', depth);
	assert_refused(text, 2 * depth);

	for (size_t i = 0; i < depth; i++) {
		memcpy(text + n, "{\"a\":", 5);
		n += 5;
	}
	text[n++] = '1';
	memset(text + n, '}', depth);
	n += depth;
	assert_refused(text, n);
	free(text);
}

static void test_error_message_gives_line_and_column(void **state)
{
	struct hr_error err = {0};
	const char *text = "{\n  \"a\": 1,\n  \"b\": tru\n}";
	json_t *v;

	(void)state;
	assert_int_equal(hr_json_parse(text, strlen(text), &v, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "line 3"));
	assert_non_null(strstr(err.message, "column"));
}

static void test_parse_object_refuses_other_values(void **state)
{
	static const char *const texts[] = {"[]", "[{}]", "\"{}\"", "1", "null", "true", "1.5"};
	struct hr_error err;
	json_t *v;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		memset(&err, 0, sizeof(err));
		v = (json_t *)&err;
		/* the parsed non-object is freed: LeakSanitizer checks */
		assert_int_equal(hr_json_parse_object(texts[i], strlen(texts[i]), &v, &err),
				 HR_E_INVALID);
		assert_null(v);
		assert_string_equal(err.stage, "json");
		assert_non_null(strstr(err.message, "object"));
	}
	assert_int_equal(hr_json_parse_object("{\"a\":1,\"a\":2}", 13, &v, NULL), HR_E_INVALID);
	assert_int_equal(hr_json_parse_object("{}", 2, &v, NULL), HR_OK);
	assert_true(json_is_object(v));
	json_decref(v);
}

/* ---- typed getters ---- */

static const char sample[] = "{\"name\": \"Olena\", \"count\": 7, \"neg\": -3, \"flag\": true, "
			     "\"off\": false, \"obj\": {\"x\": 1}, \"list\": [1, 2], "
			     "\"nothing\": null, \"real\": 1.0, \"numtext\": \"5\", "
			     "\"empty\": \"\"}";

static json_t *sample_object(void)
{
	json_t *v = NULL;

	assert_int_equal(hr_json_parse_object(sample, strlen(sample), &v, NULL), HR_OK);
	return v;
}

static void test_getters_return_present_values(void **state)
{
	json_t *o = sample_object();
	const char *s = NULL;
	int64_t n = 0;
	bool b = false;
	json_t *sub = NULL;

	(void)state;
	assert_int_equal(hr_json_get_string(o, "name", true, 64, &s, NULL), HR_OK);
	assert_string_equal(s, "Olena");
	assert_int_equal(hr_json_get_string(o, "empty", true, 0, &s, NULL), HR_OK);
	assert_string_equal(s, "");
	assert_int_equal(hr_json_get_int(o, "count", true, 0, 10, &n, NULL), HR_OK);
	assert_int_equal(n, 7);
	assert_int_equal(hr_json_get_int(o, "neg", true, INT64_MIN, INT64_MAX, &n, NULL), HR_OK);
	assert_int_equal(n, -3);
	assert_int_equal(hr_json_get_bool(o, "flag", true, &b, NULL), HR_OK);
	assert_true(b);
	assert_int_equal(hr_json_get_bool(o, "off", false, &b, NULL), HR_OK);
	assert_false(b);
	assert_int_equal(hr_json_get_object(o, "obj", true, &sub, NULL), HR_OK);
	assert_ptr_equal(sub, json_object_get(o, "obj"));
	assert_int_equal(hr_json_get_array(o, "list", true, &sub, NULL), HR_OK);
	assert_int_equal(json_array_size(sub), 2);
	json_decref(o);
}

static void test_missing_optional_field_is_not_found_and_leaves_out_untouched(void **state)
{
	json_t *o = sample_object();
	struct hr_error err = {0};
	const char *s = "preset";
	int64_t n = 1234;
	bool b = true;
	json_t *sub = (json_t *)&err;

	(void)state;
	assert_int_equal(hr_json_get_string(o, "absent", false, 64, &s, &err), HR_E_NOT_FOUND);
	assert_string_equal(s, "preset");
	assert_int_equal(hr_json_get_int(o, "absent", false, 0, 10, &n, &err), HR_E_NOT_FOUND);
	assert_int_equal(n, 1234);
	assert_int_equal(hr_json_get_bool(o, "absent", false, &b, &err), HR_E_NOT_FOUND);
	assert_true(b);
	assert_int_equal(hr_json_get_object(o, "absent", false, &sub, &err), HR_E_NOT_FOUND);
	assert_ptr_equal(sub, &err);
	assert_int_equal(hr_json_get_array(o, "absent", false, &sub, &err), HR_E_NOT_FOUND);
	assert_ptr_equal(sub, &err);
	/* keys are case-sensitive */
	assert_int_equal(hr_json_get_string(o, "Name", false, 64, &s, NULL), HR_E_NOT_FOUND);
	json_decref(o);
}

static void test_missing_required_field_is_invalid_and_named(void **state)
{
	json_t *o = sample_object();
	struct hr_error err = {0};
	const char *s = "preset";
	int64_t n = 1;
	bool b = true;
	json_t *sub = NULL;

	(void)state;
	assert_int_equal(hr_json_get_string(o, "document_number", true, 64, &s, &err),
			 HR_E_INVALID);
	assert_string_equal(err.stage, "json");
	assert_non_null(strstr(err.message, "'document_number'"));
	assert_string_equal(s, "preset");
	assert_int_equal(hr_json_get_int(o, "absent_int", true, 0, 1, &n, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "absent_int"));
	assert_int_equal(hr_json_get_bool(o, "absent_bool", true, &b, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "absent_bool"));
	assert_int_equal(hr_json_get_object(o, "absent_obj", true, &sub, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "absent_obj"));
	assert_int_equal(hr_json_get_array(o, "absent_arr", true, &sub, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "absent_arr"));
	json_decref(o);
}

/* The message names the field, the wanted type and the type found. */
static void assert_wrong_type(hr_status rc, const struct hr_error *err, const char *key,
			      const char *want, const char *got)
{
	assert_int_equal(rc, HR_E_INVALID);
	assert_string_equal(err->stage, "json");
	if (strstr(err->message, key) == NULL || strstr(err->message, want) == NULL ||
	    strstr(err->message, got) == NULL) {
		print_error("message '%s' should name %s, %s and %s\n", err->message, key, want,
			    got);
		fail();
	}
}

static void test_wrong_types_name_the_field_and_both_types(void **state)
{
	json_t *o = sample_object();
	struct hr_error err = {0};
	const char *s = "preset";
	int64_t n = 99;
	bool b = true;
	json_t *sub = NULL;

	(void)state;
	/* required or not, a present field of the wrong type is an error */
	assert_wrong_type(hr_json_get_string(o, "count", false, 64, &s, &err), &err, "'count'",
			  "a string", "an integer");
	assert_string_equal(s, "preset");
	assert_wrong_type(hr_json_get_string(o, "nothing", false, 64, &s, &err), &err, "'nothing'",
			  "a string", "null");
	assert_wrong_type(hr_json_get_int(o, "real", true, 0, 10, &n, &err), &err, "'real'",
			  "an integer", "a number");
	assert_wrong_type(hr_json_get_int(o, "numtext", true, 0, 10, &n, &err), &err, "'numtext'",
			  "an integer", "a string");
	assert_wrong_type(hr_json_get_int(o, "flag", true, 0, 10, &n, &err), &err, "'flag'",
			  "an integer", "a boolean");
	assert_int_equal(n, 99);
	assert_wrong_type(hr_json_get_bool(o, "count", true, &b, &err), &err, "'count'",
			  "a boolean", "an integer");
	assert_wrong_type(hr_json_get_bool(o, "numtext", true, &b, &err), &err, "'numtext'",
			  "a boolean", "a string");
	assert_true(b);
	assert_wrong_type(hr_json_get_object(o, "list", true, &sub, &err), &err, "'list'",
			  "an object", "an array");
	assert_wrong_type(hr_json_get_array(o, "obj", true, &sub, &err), &err, "'obj'", "an array",
			  "an object");
	assert_wrong_type(hr_json_get_array(o, "nothing", false, &sub, &err), &err, "'nothing'",
			  "an array", "null");
	json_decref(o);
}

static void test_integer_range_is_inclusive_and_named(void **state)
{
	json_t *o = sample_object();
	struct hr_error err = {0};
	int64_t n = 0;

	(void)state;
	assert_int_equal(hr_json_get_int(o, "count", true, 7, 7, &n, &err), HR_OK);
	assert_int_equal(n, 7);
	n = 42;
	assert_int_equal(hr_json_get_int(o, "count", true, 8, 100, &n, &err), HR_E_INVALID);
	assert_int_equal(n, 42);
	assert_non_null(strstr(err.message, "'count'"));
	assert_non_null(strstr(err.message, "8"));
	assert_non_null(strstr(err.message, "100"));
	assert_int_equal(hr_json_get_int(o, "count", true, 0, 6, &n, &err), HR_E_INVALID);
	assert_int_equal(hr_json_get_int(o, "neg", true, 0, 10, &n, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "'neg'"));
	assert_int_equal(n, 42);
	json_decref(o);
}

static void test_integer_extremes(void **state)
{
	const char *text = "{\"min\": -9223372036854775808, \"max\": 9223372036854775807}";
	json_t *o = NULL;
	int64_t n = 0;

	(void)state;
	assert_int_equal(hr_json_parse_object(text, strlen(text), &o, NULL), HR_OK);
	assert_int_equal(hr_json_get_int(o, "min", true, INT64_MIN, INT64_MAX, &n, NULL), HR_OK);
	assert_true(n == INT64_MIN);
	assert_int_equal(hr_json_get_int(o, "max", true, INT64_MIN, INT64_MAX, &n, NULL), HR_OK);
	assert_true(n == INT64_MAX);
	assert_int_equal(hr_json_get_int(o, "max", true, INT64_MIN, INT64_MAX - 1, &n, NULL),
			 HR_E_INVALID);
	assert_int_equal(hr_json_get_int(o, "min", true, INT64_MIN + 1, 0, &n, NULL), HR_E_INVALID);
	json_decref(o);
}

static void test_string_max_length_is_in_bytes_and_inclusive(void **state)
{
	json_t *o = sample_object();
	struct hr_error err = {0};
	const char *s = "preset";
	json_t *u;

	(void)state;
	assert_int_equal(hr_json_get_string(o, "name", true, 5, &s, &err), HR_OK);
	assert_string_equal(s, "Olena");
	s = "preset";
	assert_int_equal(hr_json_get_string(o, "name", true, 4, &s, &err), HR_E_INVALID);
	assert_string_equal(s, "preset");
	assert_non_null(strstr(err.message, "'name'"));
	assert_non_null(strstr(err.message, "4"));
	json_decref(o);

	/* "é" is two bytes */
	assert_int_equal(hr_json_parse_object("{\"u\":\"\\u00e9\"}", 14, &u, NULL), HR_OK);
	assert_int_equal(hr_json_get_string(u, "u", true, 1, &s, NULL), HR_E_INVALID);
	assert_int_equal(hr_json_get_string(u, "u", true, 2, &s, NULL), HR_OK);
	json_decref(u);
}

static void test_string_with_nul_built_in_code_is_refused(void **state)
{
	json_t *o = json_object();
	struct hr_error err = {0};
	const char *s = "preset";

	(void)state;
	json_object_set_new(o, "k", json_stringn("a\0b", 3));
	assert_int_equal(hr_json_get_string(o, "k", true, 64, &s, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "'k'"));
	assert_string_equal(s, "preset");
	json_decref(o);
}

static void test_getters_on_a_non_object_are_invalid(void **state)
{
	json_t *arr = json_array();
	const char *s = NULL;
	int64_t n = 0;

	(void)state;
	assert_int_equal(hr_json_get_string(arr, "k", false, 64, &s, NULL), HR_E_INVALID);
	assert_int_equal(hr_json_get_int(NULL, "k", false, 0, 1, &n, NULL), HR_E_INVALID);
	json_decref(arr);
}

/* ---- only_keys ---- */

static void test_only_keys_accepts_known_and_names_the_unknown(void **state)
{
	static const char *const allowed[] = {"type", "fields", NULL};
	static const char *const none[] = {NULL};
	const char *text = "{\"type\":1,\"fieldz\":2,\"extra\":3}";
	struct hr_error err = {0};
	json_t *o;

	(void)state;
	o = parse_ok("{\"type\":1,\"fields\":2}");
	assert_int_equal(hr_json_only_keys(o, allowed, &err), HR_OK);
	json_decref(o);
	o = parse_ok("{}");
	assert_int_equal(hr_json_only_keys(o, none, &err), HR_OK);
	json_decref(o);

	o = parse_ok(text);
	assert_int_equal(hr_json_only_keys(o, allowed, &err), HR_E_INVALID);
	assert_string_equal(err.stage, "json");
	assert_non_null(strstr(err.message, "'fieldz'")); /* the first unknown, in order */
	assert_null(strstr(err.message, "extra"));
	assert_int_equal(hr_json_only_keys(o, none, NULL), HR_E_INVALID);
	json_decref(o);

	/* keys are compared exactly */
	o = parse_ok("{\"Type\":1}");
	assert_int_equal(hr_json_only_keys(o, allowed, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "'Type'"));
	json_decref(o);
}

static void test_only_keys_bounds_a_huge_unknown_key_in_the_message(void **state)
{
	static const char *const allowed[] = {"a", NULL};
	char text[5000];
	struct hr_error err = {0};
	json_t *o;

	(void)state;
	text[0] = '{';
	text[1] = '"';
	memset(text + 2, 'K', 4000);
	memcpy(text + 4002, "\":1}", 5);
	o = parse_ok(text);
	assert_int_equal(hr_json_only_keys(o, allowed, &err), HR_E_INVALID);
	assert_true(strlen(err.message) < HR_ERROR_MESSAGE_MAX);
	assert_non_null(strstr(err.message, "KKKK"));
	json_decref(o);
}

/* ---- serialisation ---- */

static void test_dump_is_compact_in_insertion_order(void **state)
{
	json_t *v = json_pack("{s:i,s:[b,n,s],s:{}}", "zeta", 1, "alpha", 1, "x\"\n\x01", "mid");
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	buf_append_str(&out, "prefix:");
	assert_int_equal(hr_json_dump(v, &out), HR_OK);
	assert_string_equal(
	    buf_str(&out),
	    "prefix:{\"zeta\":1,\"alpha\":[true,null,\"x\\\"\\n\\u0001\"],\"mid\":{}}");
	buf_clear(&out);
	json_decref(v);

	/* scalars too */
	v = json_integer(-5);
	buf_init(&out, 16);
	assert_int_equal(hr_json_dump(v, &out), HR_OK);
	assert_string_equal(buf_str(&out), "-5");
	buf_clear(&out);
	json_decref(v);
}

static void test_dump_round_trips_through_parse(void **state)
{
	const char *text = "{\"b\":[1,2,{\"c\":\"\xc3\xa9\"}],\"a\":false}";
	json_t *v = parse_ok(text);
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	assert_int_equal(hr_json_dump(v, &out), HR_OK);
	assert_string_equal(buf_str(&out), text);
	buf_clear(&out);
	json_decref(v);
}

static void test_dump_into_a_too_small_buffer_is_too_large_and_latches(void **state)
{
	json_t *v = json_pack("{s:s}", "key", "a value that does not fit");
	struct buf out;

	(void)state;
	buf_init(&out, 10);
	assert_int_equal(hr_json_dump(v, &out), HR_E_TOO_LARGE);
	assert_int_equal(out.error, HR_E_TOO_LARGE);
	assert_true(out.len <= 10);
	assert_int_equal(hr_json_dump_pretty(v, &out), HR_E_TOO_LARGE);
	buf_clear(&out);

	/* the limit is exact: the serialisation fits a buffer of its own length */
	buf_init(&out, strlen("{\"key\":\"a value that does not fit\"}"));
	assert_int_equal(hr_json_dump(v, &out), HR_OK);
	buf_clear(&out);
	json_decref(v);
}

static void test_dump_pretty_sorts_keys_and_indents(void **state)
{
	json_t *v =
	    json_pack("{s:i,s:{s:i,s:i},s:[i]}", "zeta", 1, "alpha", "y", 2, "b", 3, "mid", 4);
	struct buf out;

	(void)state;
	buf_init(&out, 1024);
	assert_int_equal(hr_json_dump_pretty(v, &out), HR_OK);
	assert_string_equal(buf_str(&out), "{\n"
					   "  \"alpha\": {\n"
					   "    \"b\": 3,\n"
					   "    \"y\": 2\n"
					   "  },\n"
					   "  \"mid\": [\n"
					   "    4\n"
					   "  ],\n"
					   "  \"zeta\": 1\n"
					   "}");
	buf_clear(&out);
	json_decref(v);
}

/* Whatever the text, the literal parses back to exactly it. */
static void test_append_string_round_trips_every_escape(void **state)
{
	static const char text[] = "plain <svg d='M1 2h3'/> \"quoted\" back\\slash \x01\x1f\n\t "
				   "Шевченко Łódź";
	struct buf out;
	json_t *parsed;
	char doc[512];

	(void)state;
	buf_init(&out, 4096);
	assert_int_equal(hr_json_append_string(&out, text, sizeof(text) - 1), HR_OK);
	snprintf(doc, sizeof(doc), "[%s]", buf_str(&out));
	parsed = json_loads(doc, 0, NULL);
	assert_non_null(parsed);
	assert_string_equal(json_string_value(json_array_get(parsed, 0)), text);
	/* nothing escaped that needs no escape: the SVG part is copied as is */
	assert_non_null(strstr(buf_str(&out), "<svg d='M1 2h3'/>"));
	json_decref(parsed);
	buf_reset(&out);
	assert_int_equal(hr_json_append_string(&out, "", 0), HR_OK);
	assert_string_equal(buf_str(&out), "\"\"");
	buf_clear(&out);
	/* a ceiling that the literal does not fit under latches too-large */
	buf_init(&out, 4);
	assert_int_equal(hr_json_append_string(&out, "abcdef", 6), HR_E_TOO_LARGE);
	buf_clear(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parses_rfc8259_values),
	    cmocka_unit_test(test_parse_uses_the_length_not_a_terminator),
	    cmocka_unit_test(test_refuses_duplicate_keys),
	    cmocka_unit_test(test_refuses_trailing_data),
	    cmocka_unit_test(test_refuses_empty_and_blank_bodies),
	    cmocka_unit_test(test_refuses_invalid_utf8),
	    cmocka_unit_test(test_refuses_lone_surrogate_escapes),
	    cmocka_unit_test(test_refuses_nul_characters),
	    cmocka_unit_test(test_refuses_malformed_documents),
	    cmocka_unit_test(test_refuses_deep_nesting_without_crashing),
	    cmocka_unit_test(test_error_message_gives_line_and_column),
	    cmocka_unit_test(test_parse_object_refuses_other_values),
	    cmocka_unit_test(test_getters_return_present_values),
	    cmocka_unit_test(test_missing_optional_field_is_not_found_and_leaves_out_untouched),
	    cmocka_unit_test(test_missing_required_field_is_invalid_and_named),
	    cmocka_unit_test(test_wrong_types_name_the_field_and_both_types),
	    cmocka_unit_test(test_integer_range_is_inclusive_and_named),
	    cmocka_unit_test(test_integer_extremes),
	    cmocka_unit_test(test_string_max_length_is_in_bytes_and_inclusive),
	    cmocka_unit_test(test_string_with_nul_built_in_code_is_refused),
	    cmocka_unit_test(test_getters_on_a_non_object_are_invalid),
	    cmocka_unit_test(test_only_keys_accepts_known_and_names_the_unknown),
	    cmocka_unit_test(test_only_keys_bounds_a_huge_unknown_key_in_the_message),
	    cmocka_unit_test(test_dump_is_compact_in_insertion_order),
	    cmocka_unit_test(test_dump_round_trips_through_parse),
	    cmocka_unit_test(test_dump_into_a_too_small_buffer_is_too_large_and_latches),
	    cmocka_unit_test(test_dump_pretty_sorts_keys_and_indents),
	    cmocka_unit_test(test_append_string_round_trips_every_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
