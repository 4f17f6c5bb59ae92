/*
 * fuzz_leak_range.c — the "was my data leaked" range protocol on arbitrary
 * input (leak/leak_range.h): the bytes as a publisher's POST /v1/leaks body,
 * as the range service's answer the wallet reads, and their first bytes as
 * a range prefix.
 *
 * Invariants: no crash or leak; an accepted publication has a dump id and a
 * name within their limits, 1..32 sorted distinct fields, at most 10 000
 * sorted distinct tags and no more than it received; an answer the wallet
 * accepts gives an array of {"dump", "first_seen", "fields"}; an answer
 * built for a parsed prefix from the publication's tags (those of the range)
 * is a multiple of the byte class and the wallet finds each of those tags in it.
 */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/hex.h"
#include "leak/leak_range.h"

#define NOW 1796500000

static const uint8_t key[SECRET_LEN] = {42};

static void check_answer_of(const struct leak_publication *p, uint32_t prefix)
{
	struct leak_range_entry entries[16];
	struct leak_range_options o = {4, 1024, key};
	json_t *leaks = json_pack("[{s:s,s:s,s:O}]", "dump", p->name, "first_seen",
				  "2026-01-01T00:00:00Z", "fields", p->fields);
	json_t *answer = NULL;
	size_t n = 0;
	struct buf out;

	for (size_t i = 0; i < p->tag_count && n < 16; i++)
		if (leak_range_prefix_of(p->tags[i]) == prefix) {
			memcpy(entries[n].tag, p->tags[i], LEAK_TAG_LEN);
			entries[n++].leaks = leaks;
		}
	buf_init(&out, LEAK_RANGE_ANSWER_MAX);
	assert(leak_range_answer(prefix, entries, n, NULL, &o, &out, NULL) == HR_OK);
	assert(out.len % o.bytes == 0);
	answer = json_loadb((const char *)out.data, out.len, 0, NULL);
	assert(answer != NULL);
	assert(json_array_size(json_object_get(answer, "entries")) ==
	       leak_range_entry_class(n, o.entries));
	for (size_t i = 0; i < n; i++) {
		char hex[LEAK_TAG_HEX_LEN + 1];
		json_t *found = NULL;

		hex_encode(entries[i].tag, LEAK_TAG_LEN, hex);
		assert(leak_range_answer_find(answer, hex, &found, NULL) == HR_OK);
		assert(json_array_size(found) == 1);
		json_decref(found);
	}
	json_decref(answer);
	json_decref(leaks);
	buf_clear(&out);
}

static void check_publication(const json_t *body, uint32_t prefix, bool have_prefix)
{
	struct leak_publication p;

	if (leak_publication_parse(body, NOW, &p, NULL) != HR_OK) {
		assert(p.tags == NULL && p.fields == NULL);
		return;
	}
	assert(strlen(p.dump_id) >= 1 && strlen(p.dump_id) <= LEAK_RANGE_DUMP_ID_MAX);
	assert(strlen(p.name) >= 1 && strlen(p.name) <= LEAK_RANGE_NAME_MAX);
	assert(json_array_size(p.fields) >= 1 &&
	       json_array_size(p.fields) <= LEAK_RANGE_FIELDS_MAX);
	for (size_t i = 1; i < json_array_size(p.fields); i++)
		assert(strcmp(json_string_value(json_array_get(p.fields, i - 1)),
			      json_string_value(json_array_get(p.fields, i))) < 0);
	assert(p.tag_count <= p.received && p.received <= LEAK_RANGE_TAGS_MAX);
	for (size_t i = 1; i < p.tag_count; i++)
		assert(memcmp(p.tags[i - 1], p.tags[i], LEAK_TAG_LEN) < 0);
	if (p.tag_count > 0)
		check_answer_of(&p, have_prefix ? prefix : leak_range_prefix_of(p.tags[0]));
	leak_publication_clear(&p);
}

static void check_wallet(const json_t *answer)
{
	char tag[LEAK_TAG_HEX_LEN + 1];
	const char *prefix = json_string_value(json_object_get(answer, "prefix"));
	const json_t *first = json_array_get(json_object_get(answer, "entries"), 0);
	const char *suffix = json_string_value(json_object_get(first, "suffix"));
	json_t *leaks = NULL, *leak;
	size_t i;

	/* the tag of its first entry, so a well-formed answer matches something */
	snprintf(tag, sizeof(tag), "%.5s%.27s", prefix ? prefix : "00000",
		 suffix ? suffix : "000000000000000000000000000");
	if (strlen(tag) != LEAK_TAG_HEX_LEN)
		return;
	if (leak_range_answer_find(answer, tag, &leaks, NULL) != HR_OK) {
		assert(leaks == NULL);
		return;
	}
	json_array_foreach(leaks, i, leak)
	{
		assert(json_object_size(leak) == 3);
		assert(json_is_string(json_object_get(leak, "dump")));
		assert(json_is_array(json_object_get(leak, "fields")));
	}
	json_decref(leaks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[LEAK_RANGE_PREFIX_HEX + 1] = "";
	uint32_t prefix = 0;
	bool have_prefix = false;
	json_t *body;

	if (size >= LEAK_RANGE_PREFIX_HEX) {
		memcpy(text, data, LEAK_RANGE_PREFIX_HEX);
		have_prefix = leak_range_prefix_parse(text, &prefix, NULL) == HR_OK;
		assert(!have_prefix || prefix < LEAK_RANGE_PREFIXES);
	}
	body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (body == NULL)
		return 0;
	check_publication(body, prefix, have_prefix);
	check_wallet(body);
	json_decref(body);
	return 0;
}
