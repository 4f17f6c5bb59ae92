/*
 * leak_range.c — the "was my data leaked" range protocol: checking what a
 * publisher sends, building the one padded answer of a range, and reading it
 * back on the wallet's side (leak_range.h). Pure: no network, no storage, no
 * clock of its own.
 */
#include "leak/leak_range.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/json.h"

#define STAGE        "leaks"
#define DECOY_LABEL  "hromada leak-range decoy" /* HMAC input: label, prefix, counter */
#define DECOY_TRIES  1000                       /* collisions are 2^-108 each: never */
#define PADDING_STEP 256

/* --- publishing ------------------------------------------------------------- */

static bool dump_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > LEAK_RANGE_DUMP_ID_MAX)
		return false;
	for (const char *p = id; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '-'))
			return false;
	}
	return true;
}

/* A name people read: no control characters (jansson has checked the UTF-8). */
static bool name_valid(const json_t *value)
{
	const char *s = json_string_value(value);
	size_t n = json_string_length(value);

	if (s == NULL || n == 0 || n > LEAK_RANGE_NAME_MAX || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* Field names as the registries write them (family_name, birth_date) and as
 * leakscan names fields the platform never held (password, card_number). */
static bool field_valid(const char *f)
{
	size_t n = strlen(f);

	if (n == 0 || n > LEAK_RANGE_FIELD_MAX || f[0] < 'a' || f[0] > 'z')
		return false;
	for (const char *p = f; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 32 lower-case hex digits → 16 bytes; upper case is refused, so one tag
 * has one spelling. */
static bool tag_parse(const json_t *value, uint8_t tag[LEAK_TAG_LEN])
{
	const char *s = json_string_value(value);

	if (s == NULL || json_string_length(value) != LEAK_TAG_HEX_LEN)
		return false;
	for (size_t i = 0; i < LEAK_TAG_LEN; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		tag[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static int compare_tags(const void *a, const void *b)
{
	return memcmp(a, b, LEAK_TAG_LEN);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static hr_status parse_fields(const json_t *list, json_t **out, struct hr_error *err)
{
	const char *names[LEAK_RANGE_FIELDS_MAX];
	size_t n = json_array_size(list);
	json_t *sorted;

	if (!json_is_array(list) || n == 0 || n > LEAK_RANGE_FIELDS_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "dump.fields must list 1 to %d field names",
				    LEAK_RANGE_FIELDS_MAX);
	for (size_t i = 0; i < n; i++) {
		names[i] = json_string_value(json_array_get(list, i));
		if (names[i] == NULL || !field_valid(names[i]))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "dump.fields[%zu] is not a field name "
					    "([a-z][a-z0-9_]*, at most %d bytes)",
					    i, LEAK_RANGE_FIELD_MAX);
	}
	qsort(names, n, sizeof(names[0]), compare_strings);
	for (size_t i = 1; i < n; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "dump.fields names '%s' twice", names[i]);
	if ((sorted = json_array()) == NULL)
		return HR_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(sorted, json_string(names[i])) != 0) {
			json_decref(sorted);
			return HR_E_NOMEM;
		}
	*out = sorted;
	return HR_OK;
}

static hr_status parse_tags(const json_t *list, struct leak_publication *p, struct hr_error *err)
{
	size_t n = json_array_size(list), kept = 0;

	if (!json_is_array(list))
		return hr_error_set(err, HR_E_INVALID, STAGE, "tags must be an array");
	if (n > LEAK_RANGE_TAGS_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%zu tags: at most %d in one call (send a large dump in "
				    "several)",
				    n, LEAK_RANGE_TAGS_MAX);
	p->received = n;
	if (n == 0)
		return HR_OK;
	if ((p->tags = malloc(n * sizeof(*p->tags))) == NULL)
		return HR_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (!tag_parse(json_array_get(list, i), p->tags[i]))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "tags[%zu] is not %d lower-case hex digits (the first "
					    "16 bytes of HMAC-SHA-256(range.key, person id))",
					    i, LEAK_TAG_HEX_LEN);
	qsort(p->tags, n, sizeof(*p->tags), compare_tags);
	for (size_t i = 0; i < n; i++)
		if (kept == 0 || memcmp(p->tags[kept - 1], p->tags[i], LEAK_TAG_LEN) != 0)
			memmove(p->tags[kept++], p->tags[i], LEAK_TAG_LEN);
	p->tag_count = kept;
	return HR_OK;
}

hr_status leak_publication_parse(const json_t *body, int64_t now, struct leak_publication *out,
				 struct hr_error *err)
{
	static const char *const body_keys[] = {"dump", "tags", NULL};
	static const char *const dump_keys[] = {"id", "name", "first_seen", "fields", NULL};
	json_t *dump = NULL, *fields = NULL, *tags = NULL;
	const char *id, *first_seen;
	hr_status rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(body))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the body is {\"dump\": {...}, \"tags\": [...]}");
	if ((rc = hr_json_only_keys(body, body_keys, err)) != HR_OK ||
	    (rc = hr_json_get_object(body, "dump", true, &dump, err)) != HR_OK ||
	    (rc = hr_json_get_array(body, "tags", true, &tags, err)) != HR_OK ||
	    (rc = hr_json_only_keys(dump, dump_keys, err)) != HR_OK ||
	    (rc = hr_json_get_string(dump, "id", true, LEAK_RANGE_DUMP_ID_MAX, &id, err)) !=
		HR_OK ||
	    (rc = hr_json_get_string(dump, "first_seen", true, 64, &first_seen, err)) != HR_OK ||
	    (rc = hr_json_get_array(dump, "fields", true, &fields, err)) != HR_OK)
		return rc;
	if (!dump_id_valid(id))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "dump.id must be 1 to %d of A-Z a-z 0-9 . _ : -",
				    LEAK_RANGE_DUMP_ID_MAX);
	if (!name_valid(json_object_get(dump, "name")))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "dump.name must be text of 1 to %d bytes without control "
				    "characters",
				    LEAK_RANGE_NAME_MAX);
	if (!clock_parse_utc(first_seen, &out->first_seen) || out->first_seen < 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "dump.first_seen must be an RFC 3339 time");
	if (out->first_seen > now + LEAK_RANGE_FUTURE_S)
		return hr_error_set(err, HR_E_INVALID, STAGE, "dump.first_seen lies in the future");
	memcpy(out->dump_id, id, strlen(id) + 1);
	memcpy(out->name, json_string_value(json_object_get(dump, "name")),
	       json_string_length(json_object_get(dump, "name")) + 1);
	if ((rc = parse_fields(fields, &out->fields, err)) != HR_OK ||
	    (rc = parse_tags(tags, out, err)) != HR_OK) {
		leak_publication_clear(out);
		return rc;
	}
	return HR_OK;
}

void leak_publication_clear(struct leak_publication *p)
{
	json_decref(p->fields);
	free(p->tags);
	memset(p, 0, sizeof(*p));
}

/* --- ranges ----------------------------------------------------------------- */

hr_status leak_range_prefix_parse(const char *text, uint32_t *prefix, struct hr_error *err)
{
	uint32_t v = 0;

	if (text == NULL || strlen(text) != LEAK_RANGE_PREFIX_HEX)
		goto bad;
	for (const char *p = text; *p; p++) {
		char c = *p >= 'A' && *p <= 'F' ? (char)(*p - 'A' + 'a') : *p;
		int d = hex_digit(c);

		if (d < 0)
			goto bad;
		v = v << 4 | (uint32_t)d;
	}
	*prefix = v;
	return HR_OK;
bad:
	return hr_error_set(err, HR_E_INVALID, STAGE,
			    "a range is the first %d hex digits of a tag (e.g. 0a1b2)",
			    LEAK_RANGE_PREFIX_HEX);
}

void leak_range_prefix_text(uint32_t prefix, char out[LEAK_RANGE_PREFIX_HEX + 1])
{
	snprintf(out, LEAK_RANGE_PREFIX_HEX + 1, "%05x", (unsigned)(prefix & 0xfffffu));
}

uint32_t leak_range_prefix_of(const uint8_t tag[LEAK_TAG_LEN])
{
	return (uint32_t)tag[0] << 12 | (uint32_t)tag[1] << 4 | (uint32_t)tag[2] >> 4;
}

/* The 20 bits of a prefix as the top of 3 bytes. */
static void prefix_bytes(uint32_t prefix, uint8_t out[3])
{
	out[0] = (uint8_t)(prefix >> 12);
	out[1] = (uint8_t)(prefix >> 4);
	out[2] = (uint8_t)(prefix << 4);
}

void leak_range_bounds(uint32_t prefix, uint8_t low[3], uint8_t high[LEAK_RANGE_BOUND_MAX],
		       size_t *high_len)
{
	prefix &= LEAK_RANGE_PREFIXES - 1;
	prefix_bytes(prefix, low);
	if (prefix == LEAK_RANGE_PREFIXES - 1) {
		memset(high, 0xff, LEAK_RANGE_BOUND_MAX);
		*high_len = LEAK_RANGE_BOUND_MAX;
	} else {
		prefix_bytes(prefix + 1, high);
		*high_len = 3;
	}
}

size_t leak_range_entry_class(size_t real, unsigned per)
{
	if (per == 0)
		per = 1;
	return real == 0 ? per : (real + per - 1) / per * per;
}

size_t leak_range_byte_class(size_t len, size_t per)
{
	if (per == 0)
		per = 1;
	return len == 0 ? per : (len + per - 1) / per * per;
}

/* --- answers ---------------------------------------------------------------- */

struct slot {
	uint8_t tag[LEAK_TAG_LEN];
	json_t *leaks; /* borrowed */
};

static int compare_slots(const void *a, const void *b)
{
	return memcmp(((const struct slot *)a)->tag, ((const struct slot *)b)->tag, LEAK_TAG_LEN);
}

static bool taken(const struct slot *slots, size_t n, const uint8_t tag[LEAK_TAG_LEN])
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(slots[i].tag, tag, LEAK_TAG_LEN) == 0)
			return true;
	return false;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The leaks of a catalogue entry drawn by weight with r; NULL when none. */
static json_t *catalogue_draw(const json_t *catalogue, uint64_t total, uint64_t r)
{
	const json_t *item;
	uint64_t at;
	size_t i;

	if (total == 0)
		return NULL;
	at = r % total;
	json_array_foreach(catalogue, i, item)
	{
		json_int_t w = json_integer_value(json_object_get(item, "weight"));

		if (w <= 0 || !json_is_object(json_object_get(item, "leak")))
			continue;
		if (at < (uint64_t)w)
			return json_object_get(item, "leak");
		at -= (uint64_t)w;
	}
	return NULL;
}

static uint64_t catalogue_weight(const json_t *catalogue)
{
	const json_t *item;
	uint64_t total = 0;
	size_t i;

	json_array_foreach(catalogue, i, item)
	{
		json_int_t w = json_integer_value(json_object_get(item, "weight"));

		if (w > 0 && json_is_object(json_object_get(item, "leak")))
			total += (uint64_t)w;
	}
	return total;
}

/* HMAC-SHA-256 under one key for many short inputs: OpenSSL's HMAC fetched
 * once per process, keyed once per answer; secret_hmac would fetch both the
 * MAC and the digest on every one of an answer's decoys (~10 us each). */
static EVP_MAC *hmac_algorithm;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void)
{
	hmac_algorithm = EVP_MAC_fetch(NULL, "HMAC", NULL); /* kept for the process */
}

static EVP_MAC_CTX *hmac_keyed(const uint8_t key[SECRET_LEN])
{
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
			       OSSL_PARAM_construct_end()};
	EVP_MAC_CTX *ctx;

	pthread_once(&hmac_once, hmac_fetch);
	if (hmac_algorithm == NULL || (ctx = EVP_MAC_CTX_new(hmac_algorithm)) == NULL)
		return NULL;
	if (EVP_MAC_init(ctx, key, SECRET_LEN, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The MAC of input under keyed's key; keyed stays ready for the next. */
static bool hmac_of(const EVP_MAC_CTX *keyed, const uint8_t *input, size_t len, uint8_t out[32])
{
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(keyed);
	size_t n = 0;
	bool ok = ctx != NULL && EVP_MAC_update(ctx, input, len) == 1 &&
		  EVP_MAC_final(ctx, out, &n, 32) == 1 && n == 32;

	EVP_MAC_CTX_free(ctx);
	return ok;
}

/* Decoys fill slots[filled..total). Each is a keyed function of the prefix
 * and a counter, so a range's decoys are the same on every call while its
 * real entries stay; its leaks are those of a real entry of the range or,
 * in an empty range, of a dump drawn by its size, so it has their shape. */
static hr_status add_decoys(uint32_t prefix, struct slot *slots, size_t count, size_t total,
			    const json_t *catalogue, const uint8_t *key, json_t *none,
			    json_t *drawn, struct hr_error *err)
{
	uint64_t weight = catalogue_weight(catalogue);
	uint8_t input[sizeof(DECOY_LABEL) + 3 + 4], mac[32], top[3];
	size_t filled = count;
	EVP_MAC_CTX *keyed = NULL;
	hr_status rc = HR_OK;

	prefix_bytes(prefix, top);
	memcpy(input, DECOY_LABEL, sizeof(DECOY_LABEL));
	memcpy(input + sizeof(DECOY_LABEL), top, 3);
	if (filled < total && (keyed = hmac_keyed(key)) == NULL)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "no HMAC-SHA-256");
	for (uint32_t counter = 0; filled < total; counter++) {
		uint8_t *c = input + sizeof(DECOY_LABEL) + 3;
		struct slot *s = &slots[filled];

		if (counter >= total + DECOY_TRIES) {
			rc = hr_error_set(err, HR_E_CRYPTO, STAGE, "no decoy suffix found");
			break;
		}
		c[0] = (uint8_t)(counter >> 24);
		c[1] = (uint8_t)(counter >> 16);
		c[2] = (uint8_t)(counter >> 8);
		c[3] = (uint8_t)counter;
		if (!hmac_of(keyed, input, sizeof(input), mac)) {
			rc = hr_error_set(err, HR_E_CRYPTO, STAGE, "HMAC failed");
			break;
		}
		memcpy(s->tag, mac, LEAK_TAG_LEN);
		s->tag[0] = top[0];
		s->tag[1] = top[1];
		s->tag[2] = (uint8_t)(top[2] | (s->tag[2] & 0x0f));
		if (taken(slots, filled, s->tag))
			continue;
		if (count > 0) {
			s->leaks = slots[be64(mac + 16) % count].leaks;
		} else {
			json_t *leak = catalogue_draw(catalogue, weight, be64(mac + 16));

			if (leak == NULL) {
				s->leaks = none;
			} else {
				/* one array per drawn dump, kept alive by drawn */
				json_t *one = json_pack("[O]", leak);

				if (one == NULL || json_array_append_new(drawn, one) != 0) {
					rc = HR_E_NOMEM;
					break;
				}
				s->leaks = one;
			}
		}
		filled++;
	}
	EVP_MAC_CTX_free(keyed);
	return rc;
}

static hr_status pad(struct buf *out, size_t start, size_t per, struct hr_error *err)
{
	static const char spaces[PADDING_STEP + 1] =
	    "                                                                "
	    "                                                                "
	    "                                                                "
	    "                                                                ";
	size_t len = out->len - start, want = leak_range_byte_class(len, per);

	if (want > LEAK_RANGE_ANSWER_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
				    "the range's answer would be %zu bytes, over %u", want,
				    LEAK_RANGE_ANSWER_MAX);
	while (len < want) {
		size_t n = want - len < PADDING_STEP ? want - len : PADDING_STEP;

		buf_append(out, spaces, n);
		len += n;
	}
	return out->error;
}

hr_status leak_range_answer(uint32_t prefix, const struct leak_range_entry *real, size_t count,
			    const json_t *catalogue, const struct leak_range_options *options,
			    struct buf *out, struct hr_error *err)
{
	size_t total, start = out->len;
	struct slot *slots = NULL;
	json_t *answer = NULL, *entries, *none = json_array(), *drawn = json_array();
	char text[LEAK_TAG_HEX_LEN + 1], range[LEAK_RANGE_PREFIX_HEX + 1];
	hr_status rc;

	if (options->entries == 0 || options->bytes < 256 || options->decoy_key == NULL) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "bad range answer options");
		goto done;
	}
	total = leak_range_entry_class(count, options->entries);
	if (none == NULL || drawn == NULL || (slots = calloc(total, sizeof(*slots))) == NULL) {
		rc = HR_E_NOMEM;
		goto done;
	}
	for (size_t i = 0; i < count; i++) {
		if (leak_range_prefix_of(real[i].tag) != prefix || !json_is_array(real[i].leaks)) {
			rc = hr_error_set(err, HR_E_INVALID, STAGE,
					  "a real entry is outside the range");
			goto done;
		}
		memcpy(slots[i].tag, real[i].tag, LEAK_TAG_LEN);
		slots[i].leaks = real[i].leaks;
	}
	qsort(slots, count, sizeof(*slots), compare_slots);
	for (size_t i = 1; i < count; i++)
		if (memcmp(slots[i - 1].tag, slots[i].tag, LEAK_TAG_LEN) == 0) {
			rc = hr_error_set(err, HR_E_INVALID, STAGE, "a real entry is there twice");
			goto done;
		}
	if ((rc = add_decoys(prefix, slots, count, total, catalogue, options->decoy_key, none,
			     drawn, err)) != HR_OK)
		goto done;
	qsort(slots, total, sizeof(*slots), compare_slots);
	leak_range_prefix_text(prefix, range);
	if ((answer = json_pack("{s:s,s:[]}", "prefix", range, "entries")) == NULL) {
		rc = HR_E_NOMEM;
		goto done;
	}
	entries = json_object_get(answer, "entries");
	for (size_t i = 0; i < total; i++) {
		hex_encode(slots[i].tag, LEAK_TAG_LEN, text);
		if (json_array_append_new(entries, json_pack("{s:s,s:O}", "suffix",
							     text + LEAK_RANGE_PREFIX_HEX, "leaks",
							     slots[i].leaks)) != 0) {
			rc = HR_E_NOMEM;
			goto done;
		}
	}
	if ((rc = hr_json_dump(answer, out)) != HR_OK) {
		rc = hr_error_set(err, rc, STAGE, "the range's answer does not fit");
		goto done;
	}
	rc = pad(out, start, options->bytes, err);
done:
	free(slots);
	json_decref(answer);
	json_decref(none);
	json_decref(drawn);
	return rc;
}

/* --- the wallet's side ------------------------------------------------------ */

static bool lower_hex(const char *s, size_t n)
{
	if (s == NULL || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (hex_digit(s[i]) < 0)
			return false;
	return true;
}

/* {"dump", "first_seen", "fields": [text]}: the leak as the wallet passes it on. */
static json_t *leak_checked(const json_t *leak)
{
	const json_t *fields = json_object_get(leak, "fields"), *f;
	size_t i;

	if (!json_is_object(leak) || !json_is_string(json_object_get(leak, "dump")) ||
	    !json_is_string(json_object_get(leak, "first_seen")) || !json_is_array(fields))
		return NULL;
	json_array_foreach(fields, i, f)
	{
		if (!json_is_string(f))
			return NULL;
	}
	return json_pack("{s:O,s:O,s:O}", "dump", json_object_get(leak, "dump"), "first_seen",
			 json_object_get(leak, "first_seen"), "fields", fields);
}

hr_status leak_range_answer_find(const json_t *answer, const char tag[LEAK_TAG_HEX_LEN + 1],
				 json_t **leaks, struct hr_error *err)
{
	const json_t *entries = json_object_get(answer, "entries"), *entry;
	const char *prefix = json_string_value(json_object_get(answer, "prefix"));
	const char *previous = NULL;
	json_t *found = json_array();
	size_t i = 0;

	*leaks = NULL;
	if (found == NULL)
		return HR_E_NOMEM;
	if (prefix == NULL || strlen(prefix) != LEAK_RANGE_PREFIX_HEX ||
	    strncmp(prefix, tag, LEAK_RANGE_PREFIX_HEX) != 0 || !json_is_array(entries))
		goto bad;
	json_array_foreach(entries, i, entry)
	{
		const char *suffix = json_string_value(json_object_get(entry, "suffix"));
		const json_t *list = json_object_get(entry, "leaks"), *leak;
		bool mine;
		size_t k;

		/* sorted and distinct, as the service must send them */
		if (!lower_hex(suffix, LEAK_RANGE_SUFFIX_HEX) || !json_is_array(list) ||
		    (previous != NULL && strcmp(previous, suffix) >= 0))
			goto bad;
		previous = suffix;
		mine = strcmp(suffix, tag + LEAK_RANGE_PREFIX_HEX) == 0;
		json_array_foreach(list, k, leak)
		{
			json_t *checked = leak_checked(leak);

			if (checked == NULL)
				goto bad;
			if (!mine)
				json_decref(checked);
			else if (json_array_append_new(found, checked) != 0)
				goto bad;
		}
	}
	*leaks = found;
	return HR_OK;
bad:
	json_decref(found);
	return hr_error_set(err, HR_E_INVALID, STAGE,
			    "the range service's answer is malformed (entry %zu)", i);
}
