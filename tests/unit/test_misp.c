/*
 * test_misp.c — the MISP side of the hub (src/nccc/misp.c, misp_import.c):
 * incidents exported as MISP core-format events (every indicator type, every
 * TLP, the level and analysis mappings), a feed's manifest.json, events and
 * hashes.csv agreeing with each other, realistic MISP events written by hand
 * from the format (a feed event, a REST search response, Objects, composite
 * types, tlp:white, no TLP at all) read back, export then import keeping
 * every (type, value, tlp), and hostile inputs refused without a crash.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/json.h"
#include "nccc/misp.h"
#include "nccc/nccc_model.h"

#define PARTNER  "PL/GOV/00000006/cert"
#define HUB_NAME "UA NCCC"
#define HUB_UUID "5f1c8a3e-6b2d-4c1e-9a7f-0123456789ab"

static const char *const all_types[][2] = {
    {"ipv4-addr", "203.0.113.7"},
    {"ipv6-addr", "2001:db8::7"},
    {"domain-name", "c2.evil.example"},
    {"url", "https://evil.example/login"},
    {"email-addr", "phish@evil.example"},
    {"file:md5", "d41d8cd98f00b204e9800998ecf8427e"},
    {"file:sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"file:sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"file:sha512", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d"
		    "85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
    {"x509-certificate:sha256", "0000000000000000000000000000000000000000000000000000000000000001"},
    {"hromada-member", "UA/GOV/00015622/driver_licence"},
    {"hromada-leak-fingerprint",
     "1111111111111111111111111111111111111111111111111111111111111111"},
    {"stix-pattern", "[ipv4-addr:value = '198.51.100.1']"},
};
#define TYPE_COUNT (sizeof(all_types) / sizeof(all_types[0]))

static const char *const tlps[] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT",
				   "TLP:RED"};

/* An incident with one indicator of every type, the TLPs in turn. */
static json_t *incident_new(int n, const char *tlp, int level, bool final)
{
	char id[64];
	json_t *inc, *inds = json_array();

	for (size_t i = 0; i < TYPE_COUNT; i++) {
		snprintf(id, sizeof(id), "0000%04x-0000-4000-8000-%012zx", n, i);
		json_array_append_new(inds, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "type",
						      all_types[i][0], "value", all_types[i][1],
						      "tlp", tlps[i % 5]));
	}
	snprintf(id, sizeof(id), "0000%04x-1111-4000-8000-000000000000", n);
	inc =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:o}", "id", id, "origin",
		      "reported", "reporter", "UA/GOV/00015622/driver_licence", "detected_at",
		      "2026-12-06T10:00:00Z", "reported_at", "2026-12-06T11:00:00Z", "modified_at",
		      "2026-12-06T12:30:00Z", "level", level, "class", "availability:ddos",
		      "summary", "DDoS on the registry", "tlp", tlp, "indicators", inds);
	json_object_set_new(inc, "reports",
			    final ? json_pack("[{s:s},{s:s}]", "stage", "initial", "stage", "final")
				  : json_pack("[{s:s}]", "stage", "initial"));
	return inc;
}

static const char *event_str(const json_t *event, const char *key)
{
	return json_string_value(json_object_get(json_object_get(event, "Event"), key));
}

static bool has_tag(const json_t *tags, const char *name)
{
	const json_t *t;
	size_t i;

	json_array_foreach(tags, i, t)
	{
		if (strcmp(json_string_value(json_object_get(t, "name")), name) == 0)
			return true;
	}
	return false;
}

static void test_exports_every_type_and_tlp(void **state)
{
	static const char *const misp_types[] = {
	    "ip-dst", "ip-dst", "domain",       "url",    "email-src",
	    "md5",    "sha1",   "sha256",       "sha512", "x509-fingerprint-sha256",
	    "text",   "sha256", "stix2-pattern"};
	static const char *const tags[] = {"tlp:clear", "tlp:green", "tlp:amber",
					   "tlp:amber+strict", "tlp:red"};
	static const char *const distributions[] = {"3", "1", "0", "0", "0"};
	json_t *inc, *event, *attrs, *a;
	size_t i;

	(void)state;
	for (int t = 0; t < 5; t++) {
		inc = incident_new(t, tlps[t], 3, true);
		event = misp_event_from_incident(inc, NULL, HUB_NAME, HUB_UUID);
		assert_non_null(event);
		assert_string_equal(event_str(event, "uuid"),
				    json_string_value(json_object_get(inc, "id")));
		assert_string_equal(event_str(event, "info"), "DDoS on the registry");
		assert_string_equal(event_str(event, "date"), "2026-12-06");
		assert_string_equal(event_str(event, "timestamp"), "1796560200"); /* modified_at */
		assert_string_equal(event_str(event, "publish_timestamp"), "1796560200");
		assert_string_equal(event_str(event, "analysis"), "2");
		assert_string_equal(event_str(event, "threat_level_id"), "2");
		assert_string_equal(event_str(event, "distribution"), distributions[t]);
		assert_true(
		    json_is_true(json_object_get(json_object_get(event, "Event"), "published")));
		assert_true(
		    has_tag(json_object_get(json_object_get(event, "Event"), "Tag"), tags[t]));
		assert_true(has_tag(json_object_get(json_object_get(event, "Event"), "Tag"),
				    "rsit:availability=\"ddos\""));
		attrs = json_object_get(json_object_get(event, "Event"), "Attribute");
		assert_int_equal(json_array_size(attrs), TYPE_COUNT);
		json_array_foreach(attrs, i, a)
		{
			assert_string_equal(json_string_value(json_object_get(a, "type")),
					    misp_types[i]);
			assert_string_equal(json_string_value(json_object_get(a, "value")),
					    all_types[i][1]);
			assert_non_null(json_string_value(json_object_get(a, "category")));
			assert_true(has_tag(json_object_get(a, "Tag"), tags[i % 5]));
			assert_true(json_is_boolean(json_object_get(a, "to_ids")));
		}
		/* the member id is context, not an IDS signature */
		assert_true(json_is_false(json_object_get(json_array_get(attrs, 10), "to_ids")));
		json_decref(event);
		json_decref(inc);
	}
}

static void test_level_and_analysis_mappings(void **state)
{
	static const char *const want[] = {"4", "3", "3", "2", "1", "1"};
	json_t *inc, *event;

	(void)state;
	for (int level = 0; level <= 5; level++) {
		inc = incident_new(level, "TLP:GREEN", level, false);
		event = misp_event_from_incident(inc, NULL, HUB_NAME, HUB_UUID);
		assert_string_equal(event_str(event, "threat_level_id"), want[level]);
		assert_string_equal(event_str(event, "analysis"), "1");
		json_decref(event);
		json_object_del(inc, "reports");
		event = misp_event_from_incident(inc, NULL, HUB_NAME, HUB_UUID);
		assert_string_equal(event_str(event, "analysis"), "0");
		json_decref(event);
		json_decref(inc);
	}
	/* no id or no detected_at: nothing to export */
	inc = incident_new(9, "TLP:GREEN", 1, false);
	json_object_del(inc, "detected_at");
	assert_null(misp_event_from_incident(inc, NULL, HUB_NAME, HUB_UUID));
	json_decref(inc);
}

static void test_exports_only_the_visible_indicators(void **state)
{
	json_t *inc = incident_new(1, "TLP:GREEN", 1, false), *visible = json_array(), *event;

	(void)state;
	json_array_append(visible, json_array_get(json_object_get(inc, "indicators"), 1));
	event = misp_event_from_incident(inc, visible, HUB_NAME, HUB_UUID);
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(event, "Event"), "Attribute")), 1);
	json_decref(event);
	json_decref(visible);
	json_decref(inc);
}

static void md5_hex(const char *text, size_t len, char out[33])
{
	unsigned char d[16];
	unsigned int n;
	EVP_MD *md5 = EVP_MD_fetch(NULL, "MD5", NULL);

	assert_int_equal(EVP_Digest(text, len, d, &n, md5, NULL), 1);
	EVP_MD_free(md5);
	hex_encode(d, 16, out);
}

/* every manifest uuid has an event; every hashes.csv line an attribute of it */
static void test_feed_manifest_events_hashes_agree(void **state)
{
	json_t *manifest = json_object(), *events = json_object(), *event, *entry, *v;
	struct buf csv;
	const char *key;
	char *lines, *line, *save;
	size_t count = 0, attributes = 0;

	(void)state;
	buf_init(&csv, 1 << 20);
	for (int n = 0; n < 4; n++) {
		json_t *inc = incident_new(n, tlps[n], n, n % 2 == 0);

		event = misp_event_from_incident(inc, NULL, HUB_NAME, HUB_UUID);
		/* a composite attribute as MISP writes them, hashed part by part */
		json_array_append_new(json_object_get(json_object_get(event, "Event"), "Attribute"),
				      json_pack("{s:s, s:s, s:s}", "uuid",
						"9f000000-0000-4000-8000-000000000001", "type",
						"filename|md5", "value",
						"a.exe|d41d8cd98f00b204e9800998ecf8427e"));
		attributes += TYPE_COUNT + 2;
		entry = misp_manifest_entry(event);
		assert_non_null(entry);
		assert_non_null(json_object_get(entry, "Orgc"));
		assert_string_equal(json_string_value(json_object_get(entry, "date")),
				    "2026-12-06");
		json_object_set_new(manifest, event_str(event, "uuid"), entry);
		assert_int_equal(misp_hashes_append(event, &csv, NULL), HR_OK);
		json_object_set_new(events, event_str(event, "uuid"), event);
		json_decref(inc);
	}
	json_object_foreach(manifest, key, v)
	{
		assert_non_null(json_object_get(events, key));
	}
	assert_int_equal(json_object_size(manifest), 4);

	lines = strdup(buf_str(&csv));
	for (line = strtok_r(lines, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		const json_t *attrs, *a;
		bool found = false;
		size_t i;

		assert_int_equal(strlen(line), 32 + 1 + 36);
		assert_int_equal(line[32], ',');
		event = json_object_get(events, line + 33);
		assert_non_null(event);
		attrs = json_object_get(json_object_get(event, "Event"), "Attribute");
		json_array_foreach(attrs, i, a)
		{
			const char *value = json_string_value(json_object_get(a, "value"));
			const char *bar = strchr(value, '|');
			char hex[33];

			md5_hex(value, strlen(value), hex);
			found |= memcmp(hex, line, 32) == 0;
			if (bar != NULL) {
				md5_hex(value, (size_t)(bar - value), hex);
				found |= memcmp(hex, line, 32) == 0;
				md5_hex(bar + 1, strlen(bar + 1), hex);
				found |= memcmp(hex, line, 32) == 0;
			}
		}
		assert_true(found);
		count++;
	}
	assert_int_equal(count, attributes); /* one line per value part */
	free(lines);
	buf_clear(&csv);
	json_decref(manifest);
	json_decref(events);
}

/* A feed event as a MISP instance writes it (MISP core format). */
static const char feed_event[] =
    "{\"Event\": {\"uuid\": \"5B2F7E1C-3D4A-4F5B-8C6D-7E8F9A0B1C2D\","
    " \"info\": \"Phishing wave against ministries\", \"date\": \"2026-11-30\","
    " \"timestamp\": \"1796000000\", \"publish_timestamp\": \"1796000100\","
    " \"published\": true, \"analysis\": \"1\", \"threat_level_id\": \"1\","
    " \"distribution\": \"3\", \"sharing_group_id\": \"0\", \"attribute_count\": \"9\","
    " \"Org\": {\"id\": \"2\", \"name\": \"CERT.PL\", \"uuid\":"
    " \"56ef3277-1ad4-42f6-b90b-04e5c0a83832\"},"
    " \"Orgc\": {\"id\": \"2\", \"name\": \"CERT.PL\", \"uuid\":"
    " \"56ef3277-1ad4-42f6-b90b-04e5c0a83832\"},"
    " \"Tag\": [{\"id\": \"1\", \"name\": \"tlp:white\", \"colour\": \"#ffffff\","
    " \"exportable\": true}, {\"name\": \"rsit:fraud=\\\"phishing\\\"\"},"
    " {\"name\": \"misp-galaxy:threat-actor=\\\"Ghostwriter\\\"\"}],"
    " \"Attribute\": ["
    "  {\"id\": \"11\", \"type\": \"ip-dst\", \"category\": \"Network activity\","
    "   \"to_ids\": true, \"uuid\": \"5b2f7e1c-0001-4f5b-8c6d-7e8f9a0b1c2d\","
    "   \"event_id\": \"3\", \"distribution\": \"5\", \"timestamp\": \"1796000000\","
    "   \"comment\": \"C2\", \"deleted\": false, \"disable_correlation\": false,"
    "   \"value\": \"198.51.100.23\", \"first_seen\": \"2026-11-29T08:00:00.000000+00:00\","
    "   \"Tag\": [{\"name\": \"tlp:amber\"}]},"
    "  {\"type\": \"ip-src|port\", \"category\": \"Network activity\","
    "   \"uuid\": \"5b2f7e1c-0002-4f5b-8c6d-7e8f9a0b1c2d\", \"value\": \"2001:DB8::23|443\"},"
    "  {\"type\": \"domain|ip\", \"category\": \"Network activity\","
    "   \"uuid\": \"5b2f7e1c-0003-4f5b-8c6d-7e8f9a0b1c2d\","
    "   \"value\": \"Login-Gov.Example.|198.51.100.23\"},"
    "  {\"type\": \"filename|sha256\", \"category\": \"Payload delivery\","
    "   \"uuid\": \"5b2f7e1c-0004-4f5b-8c6d-7e8f9a0b1c2d\", \"value\":"
    "   \"invoice.pdf.exe|E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"},"
    "  {\"type\": \"mutex\", \"category\": \"Artifacts dropped\","
    "   \"uuid\": \"5b2f7e1c-0005-4f5b-8c6d-7e8f9a0b1c2d\", \"value\": \"Global\\\\xyz\"},"
    "  {\"type\": \"ip-dst\", \"category\": \"Network activity\","
    "   \"uuid\": \"5b2f7e1c-0006-4f5b-8c6d-7e8f9a0b1c2d\", \"value\": \"198.51.100.0/24\"},"
    "  {\"type\": \"url\", \"category\": \"Network activity\", \"deleted\": true,"
    "   \"uuid\": \"5b2f7e1c-0007-4f5b-8c6d-7e8f9a0b1c2d\", \"value\": \"http://old.example/\"}"
    " ],"
    " \"Object\": [{\"name\": \"email\", \"meta-category\": \"network\","
    "  \"template_uuid\": \"a0c666e0-fc65-4be8-b48f-3423d788b552\","
    "  \"uuid\": \"5b2f7e1c-1000-4f5b-8c6d-7e8f9a0b1c2d\", \"Attribute\": ["
    "   {\"object_relation\": \"from\", \"type\": \"email-src\", \"category\":"
    "    \"Payload delivery\", \"uuid\": \"5b2f7e1c-0008-4f5b-8c6d-7e8f9a0b1c2d\","
    "    \"value\": \"noreply@Login-Gov.example\"},"
    "   {\"object_relation\": \"subject\", \"type\": \"email-subject\", \"category\":"
    "    \"Payload delivery\", \"uuid\": \"5b2f7e1c-0009-4f5b-8c6d-7e8f9a0b1c2d\","
    "    \"value\": \"Your account\"}]}]}}";

static const json_t *find_indicator(const json_t *incident, const char *id)
{
	const json_t *ind;
	size_t i;

	json_array_foreach(json_object_get(incident, "indicators"), i, ind)
	{
		if (strcmp(json_string_value(json_object_get(ind, "id")), id) == 0)
			return ind;
	}
	return NULL;
}

static void expect_indicator(const json_t *incident, const char *id, const char *type,
			     const char *value, const char *tlp)
{
	const json_t *ind = find_indicator(incident, id);

	if (ind == NULL)
		fail_msg("no indicator %s", id);
	assert_string_equal(json_string_value(json_object_get(ind, "type")), type);
	assert_string_equal(json_string_value(json_object_get(ind, "value")), value);
	assert_string_equal(json_string_value(json_object_get(ind, "tlp")), tlp);
}

static void test_reads_a_feed_event(void **state)
{
	json_t *incidents, *inc;
	struct hr_error err = {0};

	(void)state;
	if (misp_event_parse(feed_event, strlen(feed_event), PARTNER, &incidents, &err) != HR_OK)
		fail_msg("%s", err.message);
	assert_int_equal(json_array_size(incidents), 1);
	inc = json_array_get(incidents, 0);
	assert_string_equal(json_string_value(json_object_get(inc, "origin")), "misp");
	assert_string_equal(json_string_value(json_object_get(inc, "reporter")), PARTNER);
	assert_string_equal(json_string_value(json_object_get(inc, "organisation")),
			    "PL/GOV/00000006");
	assert_string_equal(json_string_value(json_object_get(inc, "country")), "PL");
	assert_string_equal(json_string_value(json_object_get(inc, "external_id")),
			    "5b2f7e1c-3d4a-4f5b-8c6d-7e8f9a0b1c2d");
	assert_string_equal(json_string_value(json_object_get(inc, "detected_at")),
			    "2026-11-30T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(inc, "summary")),
			    "Phishing wave against ministries");
	assert_string_equal(json_string_value(json_object_get(inc, "tlp")), "TLP:CLEAR");
	assert_string_equal(json_string_value(json_object_get(inc, "class")), "fraud:phishing");
	assert_int_equal(json_integer_value(json_object_get(inc, "level")), 4);
	assert_int_equal(json_array_size(json_object_get(inc, "indicators")), 5);
	/* mutex, a CIDR range, a deleted url, an email subject */
	assert_int_equal(json_integer_value(json_object_get(inc, "skipped_attributes")), 4);
	expect_indicator(inc, "5b2f7e1c-0001-4f5b-8c6d-7e8f9a0b1c2d", "ipv4-addr", "198.51.100.23",
			 "TLP:AMBER");
	assert_string_equal(
	    json_string_value(json_object_get(
		find_indicator(inc, "5b2f7e1c-0001-4f5b-8c6d-7e8f9a0b1c2d"), "first_seen")),
	    "2026-11-29T08:00:00Z");
	expect_indicator(inc, "5b2f7e1c-0002-4f5b-8c6d-7e8f9a0b1c2d", "ipv6-addr", "2001:db8::23",
			 "TLP:CLEAR");
	expect_indicator(inc, "5b2f7e1c-0003-4f5b-8c6d-7e8f9a0b1c2d", "domain-name",
			 "login-gov.example", "TLP:CLEAR");
	expect_indicator(inc, "5b2f7e1c-0004-4f5b-8c6d-7e8f9a0b1c2d", "file:sha256",
			 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
			 "TLP:CLEAR");
	expect_indicator(inc, "5b2f7e1c-0008-4f5b-8c6d-7e8f9a0b1c2d", "email-addr",
			 "noreply@login-gov.example", "TLP:CLEAR");
	json_decref(incidents);
}

static void test_reads_a_rest_response_and_bare_events(void **state)
{
	const char *response =
	    "{\"response\": [{\"Event\": {\"uuid\": \"11111111-1111-4111-8111-111111111111\","
	    " \"info\": \"one\", \"date\": \"2026-01-02\", \"Attribute\": [{\"type\": \"domain\","
	    " \"value\": \"a.example\", \"uuid\": \"11111111-1111-4111-8111-000000000001\"}]}},"
	    " {\"Event\": {\"uuid\": \"22222222-2222-4222-8222-222222222222\", \"info\": \"two\","
	    " \"timestamp\": \"1767312000\", \"Tag\": [{\"name\": \"tlp:red\"},"
	    " {\"name\": \"tlp:green\"}]}}]}";
	const char *bare = "{\"uuid\": \"33333333-3333-4333-8333-333333333333\", \"info\": \"x\","
			   " \"date\": \"2026-03-04\", \"threat_level_id\": 4}";
	json_t *incidents;
	struct hr_error err = {0};

	(void)state;
	if (misp_event_parse(response, strlen(response), PARTNER, &incidents, &err) != HR_OK)
		fail_msg("%s", err.message);
	assert_int_equal(json_array_size(incidents), 2);
	/* no TLP tag: the safe reading */
	assert_string_equal(json_string_value(json_object_get(json_array_get(incidents, 0), "tlp")),
			    "TLP:AMBER");
	/* two TLP tags: the most restrictive */
	assert_string_equal(json_string_value(json_object_get(json_array_get(incidents, 1), "tlp")),
			    "TLP:RED");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(incidents, 1), "detected_at")),
	    "2026-01-02T00:00:00Z");
	json_decref(incidents);

	assert_int_equal(misp_event_parse(bare, strlen(bare), PARTNER, &incidents, &err), HR_OK);
	assert_int_equal(json_array_size(incidents), 1);
	assert_null(json_object_get(json_array_get(incidents, 0), "level")); /* 4 undefined */
	json_decref(incidents);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* sorted "type value tlp" lines of an incident's indicators */
static char *indicator_set(const json_t *incident)
{
	const json_t *inds = json_object_get(incident, "indicators"), *ind;
	size_t n = json_array_size(inds), i;
	char **lines = calloc(n, sizeof(*lines)), *out = calloc(1, 64 * 1024);

	json_array_foreach(inds, i, ind)
	{
		const char *tlp = json_string_value(json_object_get(ind, "tlp"));
		size_t len = 4096;

		lines[i] = malloc(len);
		snprintf(lines[i], len, "%s %s %s\n",
			 json_string_value(json_object_get(ind, "type")),
			 json_string_value(json_object_get(ind, "value")),
			 tlp != NULL ? tlp : json_string_value(json_object_get(incident, "tlp")));
	}
	qsort(lines, n, sizeof(*lines), compare_strings);
	for (i = 0; i < n; i++) {
		strcat(out, lines[i]);
		free(lines[i]);
	}
	free(lines);
	return out;
}

static void test_export_then_import_keeps_type_value_tlp(void **state)
{
	struct hr_error err = {0};

	(void)state;
	for (int t = 0; t < 5; t++) {
		json_t *inc = incident_new(t, tlps[t], t, t == 2), *event, *back;
		struct buf text;
		char *want, *got;

		event = misp_event_from_incident(inc, NULL, HUB_NAME, HUB_UUID);
		buf_init(&text, 1 << 20);
		assert_int_equal(hr_json_dump(event, &text), HR_OK);
		if (misp_event_parse(text.data, text.len, PARTNER, &back, &err) != HR_OK)
			fail_msg("%s", err.message);
		want = indicator_set(inc);
		got = indicator_set(json_array_get(back, 0));
		assert_string_equal(got, want);
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(back, 0), "tlp")), tlps[t]);
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(back, 0), "class")),
		    "availability:ddos");
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(back, 0), "external_id")),
		    json_string_value(json_object_get(inc, "id")));
		assert_int_equal(json_integer_value(json_object_get(json_array_get(back, 0),
								    "skipped_attributes")),
				 0);
		free(want);
		free(got);
		buf_clear(&text);
		json_decref(back);
		json_decref(event);
		json_decref(inc);
	}
}

static void expect_refused(const char *text, const char *words)
{
	json_t *incidents = (json_t *)1;
	struct hr_error err = {0};

	if (misp_event_parse(text, strlen(text), PARTNER, &incidents, &err) != HR_E_INVALID)
		fail_msg("accepted: %.200s", text);
	assert_null(incidents);
	if (words != NULL && strstr(err.message, words) == NULL)
		fail_msg("'%s' lacks '%s'", err.message, words);
}

#define EV                                                                                         \
	"\"uuid\": \"11111111-1111-4111-8111-111111111111\", \"info\": \"x\", \"date\": "          \
	"\"2026-01-02\""

static void test_refuses_hostile_input(void **state)
{
	json_t *incidents;

	(void)state;
	expect_refused("", NULL);
	expect_refused("[]", NULL);
	expect_refused("\"Event\"", NULL);
	expect_refused("{\"Event\": {}}", "uuid");
	expect_refused("{\"Event\": []}", NULL);
	expect_refused("{\"Event\": {\"uuid\": \"not-a-uuid\", \"info\": \"x\"}}", "uuid");
	expect_refused("{\"Event\": {\"uuid\": \"11111111-1111-4111-8111-111111111111\"}}", "info");
	expect_refused("{\"Event\": {\"uuid\": \"11111111-1111-4111-8111-111111111111\","
		       " \"info\": \"x\"}}",
		       "date");
	expect_refused("{\"Event\": {" EV ", \"date\": \"2026-01-03\"}}", NULL); /* duplicate */
	expect_refused("{\"Event\": {\"uuid\": \"11111111-1111-4111-8111-111111111111\","
		       " \"info\": \"x\", \"date\": \"yesterday\"}}",
		       "date");
	expect_refused("{\"Event\": {" EV ", \"timestamp\": \"-5\"}}", "timestamp");
	/* found by fuzz_misp_event: a date MISP's epoch times cannot say */
	expect_refused("{\"Event\": {\"uuid\": \"11111111-1111-4111-8111-111111111111\","
		       " \"info\": \"x\", \"date\": \"1013-03-04\"}}",
		       "before 1970");
	expect_refused("{\"Event\": {" EV ", \"Attribute\": {}}}", "not an array");
	expect_refused("{\"Event\": {" EV ", \"Attribute\": [7]}}", "not an object");
	expect_refused("{\"Event\": {" EV ", \"Attribute\": [{\"type\": \"ip-dst\","
		       " \"uuid\": \"11111111-1111-4111-8111-111111111112\"}]}}",
		       "no value");
	expect_refused("{\"Event\": {" EV ", \"Attribute\": [{\"type\": \"ip-dst\","
		       " \"value\": 7, \"uuid\": \"11111111-1111-4111-8111-111111111112\"}]}}",
		       "no value");
	expect_refused("{\"Event\": {" EV ", \"Attribute\": [{\"value\": \"1.2.3.4\","
		       " \"uuid\": \"11111111-1111-4111-8111-111111111112\"}]}}",
		       "no type");
	expect_refused("{\"Event\": {" EV ", \"Attribute\": [{\"type\": \"ip-dst\","
		       " \"value\": \"1.2.3.4\", \"uuid\": \"1111\"}]}}",
		       "uuid");
	expect_refused("{\"Event\": {" EV ", \"Attribute\": [{\"type\": \"ip-dst\","
		       " \"value\": \"1.2.3.4\\u0000\", \"uuid\":"
		       " \"11111111-1111-4111-8111-111111111112\"}]}}",
		       NULL);
	expect_refused("{\"Event\": {" EV ", \"Object\": {}}}", "Object");
	expect_refused("{\"Event\": {" EV ", \"Object\": [{\"Attribute\": 3}]}}", "not an array");
	expect_refused("{\"Event\": {" EV ", \"Tag\": \"tlp:clear\"}}", "Tag");
	expect_refused("{\"response\": {}}", "response");
	expect_refused("{\"response\": [1]}", "not an object");
	expect_refused("{\"Event\": {" EV "}} trailing", NULL);
	/* odd but harmless: unknown tags, a non-string tag name, a bad rsit tag */
	{
		const char *odd = "{\"Event\": {" EV ", \"Tag\": [{\"name\": 5}, {}, 3,"
				  " {\"name\": \"tlp:ex:chr\"}, {\"name\": \"rsit:\\\"\"},"
				  " {\"name\": \"tlp:green\"}], \"Attribute\": []}}";
		assert_int_equal(misp_event_parse(odd, strlen(odd), PARTNER, &incidents, NULL),
				 HR_OK);
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(incidents, 0), "tlp")),
		    "TLP:GREEN");
		assert_null(json_object_get(json_array_get(incidents, 0), "class"));
		json_decref(incidents);
	}
	/* a partner that is not a member id */
	assert_int_equal(misp_event_parse("{}", 2, "nobody", &incidents, NULL), HR_E_INVALID);
}

static void test_refuses_events_past_the_limits(void **state)
{
	struct buf text;
	char *big;

	(void)state;
	buf_init(&text, 64 << 20);
	buf_append_str(&text, "{\"Event\": {" EV ", \"Attribute\": [");
	for (int i = 0; i <= NCCC_INDICATORS_MAX; i++)
		buf_printf(&text,
			   "%s{\"type\": \"ip-dst\", \"value\": \"10.0.%d.%d\", \"uuid\":"
			   " \"11111111-1111-4111-8111-%012d\"}",
			   i ? "," : "", i / 256, i % 256, i);
	buf_append_str(&text, "]}}");
	expect_refused(buf_str(&text), "more than 10000 attributes");
	buf_clear(&text);

	big = malloc(NCCC_VALUE_MAX + 2);
	memset(big, 'a', NCCC_VALUE_MAX + 1);
	big[NCCC_VALUE_MAX + 1] = '\0';
	buf_init(&text, 64 << 10);
	buf_printf(&text,
		   "{\"Event\": {" EV ", \"Attribute\": [{\"type\": \"url\", \"value\":"
		   " \"http://%s\", \"uuid\": \"11111111-1111-4111-8111-111111111112\"}]}}",
		   big);
	expect_refused(buf_str(&text), "longer than");
	buf_clear(&text);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exports_every_type_and_tlp),
	    cmocka_unit_test(test_level_and_analysis_mappings),
	    cmocka_unit_test(test_exports_only_the_visible_indicators),
	    cmocka_unit_test(test_feed_manifest_events_hashes_agree),
	    cmocka_unit_test(test_reads_a_feed_event),
	    cmocka_unit_test(test_reads_a_rest_response_and_bare_events),
	    cmocka_unit_test(test_export_then_import_keeps_type_value_tlp),
	    cmocka_unit_test(test_refuses_hostile_input),
	    cmocka_unit_test(test_refuses_events_past_the_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
