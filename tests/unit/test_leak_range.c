/*
 * test_leak_range.c — the "was my data leaked" range protocol
 * (src/leak/leak_range.c), both ends:
 *
 *  - a range prefix is exactly five hex digits, and its byte bounds hold
 *    exactly the tags of the range, the first and the last range included;
 *  - a publication is accepted into a sorted, deduplicated form, and refused
 *    by name for every malformed part;
 *  - an answer holds a constant number of entries and a constant number of
 *    bytes whatever the range holds (the next multiple past the class),
 *    sorted and distinct, decoys shaped like real entries, the same bytes on
 *    every call and other bytes under another key;
 *  - the wallet's side finds its own leaks only, and refuses a malformed
 *    answer.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/hex.h"
#include "core/json.h"
#include "leak/leak_range.h"

#define NOW     ((int64_t)1796581267) /* 2026-12-06T18:21:07Z */
#define ENTRIES 32
#define BYTES   32768

static const uint8_t key_a[SECRET_LEN] = {1, 2, 3};
static const uint8_t key_b[SECRET_LEN] = {3, 2, 1};

/* --- ranges --- */

static void test_prefix_is_five_hex_digits(void **state)
{
	const char *bad[] = {"", "0a1b", "0a1b23", "0a1bg", "0a1b ", " 0a1b", "+0a1b"};
	uint32_t p = 0;
	char text[LEAK_RANGE_PREFIX_HEX + 1];

	(void)state;
	assert_int_equal(leak_range_prefix_parse("0a1b2", &p, NULL), HR_OK);
	assert_int_equal(p, 0x0a1b2);
	assert_int_equal(leak_range_prefix_parse("FFFFF", &p, NULL), HR_OK);
	assert_int_equal(p, 0xfffff);
	leak_range_prefix_text(0x0a1b2, text);
	assert_string_equal(text, "0a1b2");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(leak_range_prefix_parse(bad[i], &p, NULL), HR_E_INVALID);
	assert_int_equal(leak_range_prefix_parse(NULL, &p, NULL), HR_E_INVALID);
}

/* As SQLite compares BLOBs and PostgreSQL bytea: memcmp, then the shorter first. */
static int blob_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : (alen > blen) - (alen < blen);
}

static bool in_bounds(uint32_t prefix, const uint8_t tag[LEAK_TAG_LEN])
{
	uint8_t low[3], high[LEAK_RANGE_BOUND_MAX];
	size_t high_len;

	leak_range_bounds(prefix, low, high, &high_len);
	return blob_compare(tag, LEAK_TAG_LEN, low, 3) >= 0 &&
	       blob_compare(tag, LEAK_TAG_LEN, high, high_len) < 0;
}

/* The tag of prefix with every other bit set to fill. */
static void tag_with(uint32_t prefix, uint8_t fill, uint8_t tag[LEAK_TAG_LEN])
{
	memset(tag, fill, LEAK_TAG_LEN);
	tag[0] = (uint8_t)(prefix >> 12);
	tag[1] = (uint8_t)(prefix >> 4);
	tag[2] = (uint8_t)(prefix << 4 | (fill & 0x0f));
}

static void test_bounds_hold_exactly_the_range(void **state)
{
	const uint32_t prefixes[] = {0, 1, 0x12345, 0x7ffff, 0xffffe, 0xfffff};

	(void)state;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		uint32_t p = prefixes[i];
		uint8_t tag[LEAK_TAG_LEN];

		tag_with(p, 0x00, tag);
		assert_true(in_bounds(p, tag));
		assert_int_equal(leak_range_prefix_of(tag), p);
		tag_with(p, 0xff, tag);
		assert_true(in_bounds(p, tag));
		assert_int_equal(leak_range_prefix_of(tag), p);
		if (p > 0) {
			tag_with(p - 1, 0xff, tag);
			assert_false(in_bounds(p, tag));
		}
		if (p < LEAK_RANGE_PREFIXES - 1) {
			tag_with(p + 1, 0x00, tag);
			assert_false(in_bounds(p, tag));
		}
	}
}

static void test_classes_round_up_to_the_next_multiple(void **state)
{
	(void)state;
	assert_int_equal(leak_range_entry_class(0, 32), 32);
	assert_int_equal(leak_range_entry_class(1, 32), 32);
	assert_int_equal(leak_range_entry_class(32, 32), 32);
	assert_int_equal(leak_range_entry_class(33, 32), 64);
	assert_int_equal(leak_range_entry_class(65, 32), 96);
	assert_int_equal(leak_range_byte_class(0, 4096), 4096);
	assert_int_equal(leak_range_byte_class(4096, 4096), 4096);
	assert_int_equal(leak_range_byte_class(4097, 4096), 8192);
}

/* --- publishing --- */

static json_t *publication(const char *tags_json)
{
	char text[4096];
	json_t *body;

	snprintf(text, sizeof(text),
		 "{\"dump\": {\"id\": \"ua-2026:breach_1.csv\", \"name\": \"Дамп «Реєстр» 2026\","
		 " \"first_seen\": \"2026-11-01T10:00:00+02:00\","
		 " \"fields\": [\"family_name\", \"birth_date\", \"password\"]},"
		 " \"tags\": %s}",
		 tags_json);
	body = json_loads(text, 0, NULL);
	assert_non_null(body);
	return body;
}

static void test_publication_is_sorted_and_deduplicated(void **state)
{
	json_t *body = publication("[\"ffffffffffffffffffffffffffffffff\","
				   " \"00000000000000000000000000000001\","
				   " \"ffffffffffffffffffffffffffffffff\"]");
	struct leak_publication p;
	struct hr_error err = {0};

	(void)state;
	if (leak_publication_parse(body, NOW, &p, &err) != HR_OK)
		fail_msg("%s", err.message);
	assert_string_equal(p.dump_id, "ua-2026:breach_1.csv");
	assert_string_equal(p.name, "Дамп «Реєстр» 2026");
	assert_int_equal(p.first_seen, 1793520000); /* 2026-11-01T08:00:00Z */
	assert_int_equal(json_array_size(p.fields), 3);
	assert_string_equal(json_string_value(json_array_get(p.fields, 0)), "birth_date");
	assert_string_equal(json_string_value(json_array_get(p.fields, 2)), "password");
	assert_int_equal(p.received, 3);
	assert_int_equal(p.tag_count, 2);
	assert_int_equal(p.tags[0][15], 1);
	assert_int_equal(p.tags[1][0], 0xff);
	leak_publication_clear(&p);
	json_decref(body);
}

static void test_publication_takes_up_to_10000_tags(void **state)
{
	json_t *body = publication("[]"), *tags = json_object_get(body, "tags");
	struct leak_publication p;
	char hex[LEAK_TAG_HEX_LEN + 1];

	(void)state;
	for (unsigned i = 0; i < LEAK_RANGE_TAGS_MAX; i++) {
		snprintf(hex, sizeof(hex), "%032x", i * 2654435761u);
		json_array_append_new(tags, json_string(hex));
	}
	assert_int_equal(leak_publication_parse(body, NOW, &p, NULL), HR_OK);
	assert_int_equal(p.received, LEAK_RANGE_TAGS_MAX);
	leak_publication_clear(&p);
	json_array_append_new(tags, json_string("0123456789abcdef0123456789abcdef"));
	assert_int_equal(leak_publication_parse(body, NOW, &p, NULL), HR_E_INVALID);
	assert_null(p.tags);
	json_decref(body);
}

static void test_publication_refusals_name_what_is_wrong(void **state)
{
	static const struct {
		const char *body;
		const char *says;
	} cases[] = {
	    {"[]", "body"},
	    {"{\"dump\": {}, \"tags\": [], \"extra\": 1}", "extra"},
	    {"{\"tags\": []}", "dump"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": [\"a\"]}}",
	     "tags"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": [\"a\"], \"rows\": 5}, \"tags\": []}",
	     "rows"},
	    {"{\"dump\": {\"id\": \"a b\", \"name\": \"n\", \"first_seen\": "
	     "\"2026-01-01T00:00:00Z\", \"fields\": [\"a\"]}, \"tags\": []}",
	     "dump.id"},
	    {"{\"dump\": {\"id\": "
	     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"name\": "
	     "\"n\", \"first_seen\": \"2026-01-01T00:00:00Z\", \"fields\": [\"a\"]}, \"tags\": []}",
	     "id"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": [\"a\"]}, \"tags\": []}",
	     "dump.name"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"line\\nbreak\", \"first_seen\": "
	     "\"2026-01-01T00:00:00Z\", \"fields\": [\"a\"]}, \"tags\": []}",
	     "dump.name"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"yesterday\","
	     " \"fields\": [\"a\"]}, \"tags\": []}",
	     "first_seen"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2030-01-01T00:00:00Z\","
	     " \"fields\": [\"a\"]}, \"tags\": []}",
	     "future"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": []}, \"tags\": []}",
	     "dump.fields"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": [\"Family_Name\"]}, \"tags\": []}",
	     "dump.fields[0]"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": [\"a\", \"b\", \"a\"]}, \"tags\": []}",
	     "twice"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": [\"a\"]}, \"tags\": [\"0123456789ABCDEF0123456789abcdef\"]}",
	     "tags[0]"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": [\"a\"]}, \"tags\": [\"0123456789abcdef0123456789abcdef\", "
	     "\"0123456789abcdef\"]}",
	     "tags[1]"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": [\"a\"]}, \"tags\": [\"0123456789abcdef0123456789abcdeg\"]}",
	     "tags[0]"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": [\"a\"]}, \"tags\": [42]}",
	     "tags[0]"},
	    {"{\"dump\": {\"id\": \"a\", \"name\": \"n\", \"first_seen\": \"2026-01-01T00:00:00Z\","
	     " \"fields\": [\"a\"]}, \"tags\": {}}",
	     "tags"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *body = json_loads(cases[i].body, 0, NULL);
		struct leak_publication p;
		struct hr_error err = {0};

		if (body == NULL)
			fail_msg("case %zu is not JSON", i);
		if (leak_publication_parse(body, NOW, &p, &err) != HR_E_INVALID)
			fail_msg("case %zu accepted", i);
		if (strstr(err.message, cases[i].says) == NULL)
			fail_msg("case %zu: '%s' does not name %s", i, err.message, cases[i].says);
		assert_null(p.tags);
		assert_null(p.fields);
		json_decref(body);
	}
}

/* --- answers --- */

static json_t *leak(const char *name)
{
	return json_pack("{s:s,s:s,s:[s,s]}", "dump", name, "first_seen", "2026-11-01T00:00:00Z",
			 "fields", "birth_date", "family_name");
}

/* count real entries of prefix (tags from seed), each with one leak of name. */
static struct leak_range_entry *real_entries(uint32_t prefix, size_t count, unsigned seed,
					     json_t *holder, const char *name)
{
	struct leak_range_entry *e = calloc(count ? count : 1, sizeof(*e));

	for (size_t i = 0; i < count; i++) {
		uint8_t mac[32];
		unsigned n = seed * 100000u + (unsigned)i;

		assert_int_equal(secret_hmac(key_b, &n, sizeof(n), mac), HR_OK);
		memcpy(e[i].tag, mac, LEAK_TAG_LEN);
		e[i].tag[0] = (uint8_t)(prefix >> 12);
		e[i].tag[1] = (uint8_t)(prefix >> 4);
		e[i].tag[2] = (uint8_t)(prefix << 4 | (e[i].tag[2] & 0x0f));
		e[i].leaks = json_pack("[o]", leak(name));
		json_array_append_new(holder, e[i].leaks);
	}
	return e;
}

static json_t *answer_of(uint32_t prefix, const struct leak_range_entry *e, size_t count,
			 const json_t *catalogue, const uint8_t *key, size_t *len)
{
	struct leak_range_options o = {ENTRIES, BYTES, key};
	struct buf out;
	struct hr_error err = {0};
	json_t *parsed = NULL;

	buf_init(&out, LEAK_RANGE_ANSWER_MAX);
	if (leak_range_answer(prefix, e, count, catalogue, &o, &out, &err) != HR_OK)
		fail_msg("answer: %s", err.message);
	*len = out.len;
	assert_int_equal(out.data[out.len - 1], ' ');
	assert_int_equal(hr_json_parse(out.data, out.len, &parsed, NULL), HR_OK);
	buf_clear(&out);
	return parsed;
}

/* Entries sorted, distinct, each {"suffix": 27 hex, "leaks": [...]}. */
static void assert_well_formed(const json_t *answer, uint32_t prefix)
{
	const json_t *entry;
	const char *previous = "";
	char text[LEAK_RANGE_PREFIX_HEX + 1];
	size_t i;

	leak_range_prefix_text(prefix, text);
	assert_string_equal(json_string_value(json_object_get(answer, "prefix")), text);
	json_array_foreach(json_object_get(answer, "entries"), i, entry)
	{
		const char *suffix = json_string_value(json_object_get(entry, "suffix"));

		assert_int_equal(json_object_size(entry), 2);
		assert_int_equal(strlen(suffix), LEAK_RANGE_SUFFIX_HEX);
		assert_int_equal(strspn(suffix, "0123456789abcdef"), LEAK_RANGE_SUFFIX_HEX);
		assert_true(strcmp(previous, suffix) < 0);
		assert_true(json_is_array(json_object_get(entry, "leaks")));
		previous = suffix;
	}
}

static void test_answers_have_one_count_and_one_length(void **state)
{
	const size_t counts[] = {0, 1, 5, 31, 32};
	json_t *holder = json_array();

	(void)state;
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		struct leak_range_entry *e =
		    real_entries(0x12345, counts[c], (unsigned)c + 1, holder, "Breach");
		size_t len;
		json_t *a = answer_of(0x12345, e, counts[c], NULL, key_a, &len);

		assert_int_equal(len, BYTES);
		assert_int_equal(json_array_size(json_object_get(a, "entries")), ENTRIES);
		assert_well_formed(a, 0x12345);
		/* every real entry is there with its leaks */
		for (size_t i = 0; i < counts[c]; i++) {
			char hex[LEAK_TAG_HEX_LEN + 1];
			json_t *found = NULL;

			hex_encode(e[i].tag, LEAK_TAG_LEN, hex);
			assert_int_equal(leak_range_answer_find(a, hex, &found, NULL), HR_OK);
			assert_true(json_equal(found, e[i].leaks));
			json_decref(found);
		}
		json_decref(a);
		free(e);
	}
	json_decref(holder);
}

static void test_a_full_range_pads_to_the_next_multiple(void **state)
{
	const size_t counts[] = {33, 64, 65};
	const size_t classes[] = {64, 64, 96};
	json_t *holder = json_array();

	(void)state;
	for (size_t c = 0; c < 3; c++) {
		struct leak_range_entry *e = real_entries(0xfffff, counts[c], 7, holder, "Breach");
		size_t len;
		json_t *a = answer_of(0xfffff, e, counts[c], NULL, key_a, &len);

		assert_int_equal(json_array_size(json_object_get(a, "entries")), classes[c]);
		assert_int_equal(len, BYTES); /* 96 one-leak entries still fit in 32 KiB */
		assert_well_formed(a, 0xfffff);
		json_decref(a);
		free(e);
	}
	json_decref(holder);
}

static void test_decoys_carry_the_leaks_of_real_entries(void **state)
{
	json_t *holder = json_array(), *a, *entry;
	struct leak_range_entry *e = real_entries(0x00001, 1, 3, holder, "Only breach");
	size_t len, i;

	(void)state;
	a = answer_of(0x00001, e, 1, NULL, key_a, &len);
	json_array_foreach(json_object_get(a, "entries"), i, entry)
	    assert_true(json_equal(json_object_get(entry, "leaks"), e[0].leaks));
	json_decref(a);
	free(e);
	json_decref(holder);
}

static void test_decoys_of_an_empty_range_draw_from_the_catalogue(void **state)
{
	json_t *catalogue = json_pack("[{s:o,s:i},{s:o,s:i}]", "leak", leak("Big"), "weight",
				      1000000, "leak", leak("Tiny"), "weight", 1);
	json_t *a, *entry, *big = json_pack("[o]", leak("Big"));
	size_t len, i, drawn_big = 0;

	(void)state;
	a = answer_of(0x54321, NULL, 0, catalogue, key_a, &len);
	assert_int_equal(len, BYTES);
	json_array_foreach(json_object_get(a, "entries"), i, entry) drawn_big +=
	    json_equal(json_object_get(entry, "leaks"), big);
	assert_true(drawn_big >= ENTRIES - 1); /* drawn by size */
	json_decref(a);
	/* no dump at all: decoys without leaks, still the same size */
	a = answer_of(0x54321, NULL, 0, NULL, key_a, &len);
	assert_int_equal(len, BYTES);
	json_array_foreach(json_object_get(a, "entries"), i, entry)
	    assert_int_equal(json_array_size(json_object_get(entry, "leaks")), 0);
	json_decref(a);
	json_decref(big);
	json_decref(catalogue);
}

static char *answer_text(uint32_t prefix, const struct leak_range_entry *e, size_t count,
			 const uint8_t *key)
{
	struct leak_range_options o = {ENTRIES, BYTES, key};
	struct buf out;
	char *text;

	buf_init(&out, LEAK_RANGE_ANSWER_MAX);
	assert_int_equal(leak_range_answer(prefix, e, count, NULL, &o, &out, NULL), HR_OK);
	text = strdup(buf_str(&out));
	buf_clear(&out);
	return text;
}

static void test_decoys_are_the_same_on_every_call_and_keyed(void **state)
{
	json_t *holder = json_array();
	struct leak_range_entry *e = real_entries(0x0abcd, 3, 9, holder, "Breach");
	char *one = answer_text(0x0abcd, e, 3, key_a), *two = answer_text(0x0abcd, e, 3, key_a);
	char *other = answer_text(0x0abcd, e, 3, key_b);

	(void)state;
	assert_string_equal(one, two);
	assert_string_not_equal(one, other);
	free(one);
	free(two);
	free(other);
	free(e);
	json_decref(holder);
}

static void test_real_entries_must_be_of_the_range_and_distinct(void **state)
{
	json_t *holder = json_array();
	struct leak_range_entry *e = real_entries(0x11111, 2, 4, holder, "Breach");
	struct leak_range_options o = {ENTRIES, BYTES, key_a};
	struct buf out;

	(void)state;
	buf_init(&out, LEAK_RANGE_ANSWER_MAX);
	assert_int_equal(leak_range_answer(0x11112, e, 2, NULL, &o, &out, NULL), HR_E_INVALID);
	memcpy(e[1].tag, e[0].tag, LEAK_TAG_LEN);
	assert_int_equal(leak_range_answer(0x11111, e, 2, NULL, &o, &out, NULL), HR_E_INVALID);
	o.decoy_key = NULL;
	assert_int_equal(leak_range_answer(0x11111, e, 1, NULL, &o, &out, NULL), HR_E_INVALID);
	buf_clear(&out);
	free(e);
	json_decref(holder);
}

static void test_an_answer_past_the_ceiling_is_refused(void **state)
{
	json_t *holder = json_array();
	char name[LEAK_RANGE_NAME_MAX + 1];
	struct leak_range_entry *e;
	struct leak_range_options o = {ENTRIES, BYTES, key_a};
	struct buf out;
	struct hr_error err = {0};

	(void)state;
	memset(name, 'x', LEAK_RANGE_NAME_MAX);
	name[LEAK_RANGE_NAME_MAX] = 0;
	e = real_entries(0x22222, 40000, 5, holder, name); /* ~11 MB of entries */
	buf_init(&out, 64u << 20);
	assert_int_equal(leak_range_answer(0x22222, e, 40000, NULL, &o, &out, &err),
			 HR_E_TOO_LARGE);
	buf_clear(&out);
	free(e);
	json_decref(holder);
}

/* --- the wallet's side --- */

static void test_the_wallet_finds_its_own_leaks_only(void **state)
{
	json_t *holder = json_array(), *a, *found = NULL;
	struct leak_range_entry *e = real_entries(0x33333, 2, 6, holder, "Mine");
	char mine[LEAK_TAG_HEX_LEN + 1], absent[LEAK_TAG_HEX_LEN + 1];
	size_t len;

	(void)state;
	json_object_set_new(json_array_get(e[1].leaks, 0), "dump", json_string("Theirs"));
	a = answer_of(0x33333, e, 2, NULL, key_a, &len);
	hex_encode(e[0].tag, LEAK_TAG_LEN, mine);
	assert_int_equal(leak_range_answer_find(a, mine, &found, NULL), HR_OK);
	assert_int_equal(json_array_size(found), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(found, 0), "dump")),
			    "Mine");
	json_decref(found);
	/* a tag of the range that is not there: nothing, though decoys surround it */
	snprintf(absent, sizeof(absent), "33333%027d", 0);
	assert_int_equal(leak_range_answer_find(a, absent, &found, NULL), HR_OK);
	assert_int_equal(json_array_size(found), 0);
	json_decref(found);
	/* an answer for another range */
	snprintf(absent, sizeof(absent), "33334%027d", 0);
	assert_int_equal(leak_range_answer_find(a, absent, &found, NULL), HR_E_INVALID);
	assert_null(found);
	json_decref(a);
	free(e);
	json_decref(holder);
}

static void test_the_wallet_refuses_a_malformed_answer(void **state)
{
	static const char *bad[] = {
	    "[]",
	    "{\"prefix\": \"33333\"}",
	    "{\"prefix\": \"33333\", \"entries\": {}}",
	    "{\"prefix\": \"33333\", \"entries\": [{\"suffix\": \"abc\", \"leaks\": []}]}",
	    "{\"prefix\": \"33333\", \"entries\": [{\"suffix\": "
	    "\"000000000000000000000000000A\", \"leaks\": []}]}",
	    "{\"prefix\": \"33333\", \"entries\": [{\"suffix\": "
	    "\"000000000000000000000000001\", \"leaks\": []}, {\"suffix\": "
	    "\"000000000000000000000000001\", \"leaks\": []}]}",
	    "{\"prefix\": \"33333\", \"entries\": [{\"suffix\": "
	    "\"000000000000000000000000001\", \"leaks\": [{\"dump\": \"x\"}]}]}",
	    "{\"prefix\": \"33333\", \"entries\": [{\"suffix\": "
	    "\"000000000000000000000000001\", \"leaks\": [{\"dump\": \"x\", \"first_seen\": "
	    "\"2026-01-01T00:00:00Z\", \"fields\": [1]}]}]}",
	};
	char tag[LEAK_TAG_HEX_LEN + 1];

	(void)state;
	snprintf(tag, sizeof(tag), "33333%027d", 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *a = json_loads(bad[i], 0, NULL), *found = NULL;

		assert_non_null(a);
		if (leak_range_answer_find(a, tag, &found, NULL) != HR_E_INVALID)
			fail_msg("case %zu accepted", i);
		assert_null(found);
		json_decref(a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefix_is_five_hex_digits),
	    cmocka_unit_test(test_bounds_hold_exactly_the_range),
	    cmocka_unit_test(test_classes_round_up_to_the_next_multiple),
	    cmocka_unit_test(test_publication_is_sorted_and_deduplicated),
	    cmocka_unit_test(test_publication_takes_up_to_10000_tags),
	    cmocka_unit_test(test_publication_refusals_name_what_is_wrong),
	    cmocka_unit_test(test_answers_have_one_count_and_one_length),
	    cmocka_unit_test(test_a_full_range_pads_to_the_next_multiple),
	    cmocka_unit_test(test_decoys_carry_the_leaks_of_real_entries),
	    cmocka_unit_test(test_decoys_of_an_empty_range_draw_from_the_catalogue),
	    cmocka_unit_test(test_decoys_are_the_same_on_every_call_and_keyed),
	    cmocka_unit_test(test_real_entries_must_be_of_the_range_and_distinct),
	    cmocka_unit_test(test_an_answer_past_the_ceiling_is_refused),
	    cmocka_unit_test(test_the_wallet_finds_its_own_leaks_only),
	    cmocka_unit_test(test_the_wallet_refuses_a_malformed_answer),
	};

	return cmocka_run_group_tests_name("leak_range", tests, NULL, NULL);
}
