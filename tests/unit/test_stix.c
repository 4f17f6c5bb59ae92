/*
 * test_stix.c — the hub's incidents as STIX 2.1 and back (src/nccc/stix*.c):
 * the RFC 9562 UUIDv5 vector and STIX's deterministic observable ids first;
 * then incidents with every indicator type and every TLP exported, checked in
 * C and against the OASIS schemas by tests/tools/stix_validate.py; every OASIS
 * example imported, exported again, validated and imported once more with
 * the same (type, value, tlp); and hostile input refused with a sentence.
 *
 * The schema checks and the examples need ../shared (HROMADA_SHARED_DIR) and
 * python3-jsonschema: without them those parts say so and pass.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "core/error.h"
#include "core/uuid.h"
#include "nccc/stix.h"
#include "nccc/stix_internal.h"

#define INCIDENT_ID "7d1c6a3e-4f7b-4e0a-9c5d-2b8e1f3a6c90"
#define REPORTER    "UA/GOV/00015622/drivers"
#define SHA256_AB   "abababababababababababababababababababababababababababababababab"

static const char *const tlps[] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT",
				   "TLP:RED"};

/* Every indicator type of nccc_model.h, a value, and the pattern it must give. */
static const struct {
	const char *type, *value, *pattern;
} kinds[] = {
    {"ipv4-addr", "203.0.113.7", "[ipv4-addr:value = '203.0.113.7']"},
    {"ipv6-addr", "2001:db8::7", "[ipv6-addr:value = '2001:db8::7']"},
    {"domain-name", "evil.example", "[domain-name:value = 'evil.example']"},
    {"url", "https://evil.example/a'b\\c", "[url:value = 'https://evil.example/a\\'b\\\\c']"},
    {"email-addr", "phish@evil.example", "[email-addr:value = 'phish@evil.example']"},
    {"file:md5", "0123456789abcdef0123456789abcdef",
     "[file:hashes.MD5 = '0123456789abcdef0123456789abcdef']"},
    {"file:sha1", "0123456789abcdef0123456789abcdef01234567",
     "[file:hashes.'SHA-1' = '0123456789abcdef0123456789abcdef01234567']"},
    {"file:sha256", SHA256_AB, "[file:hashes.'SHA-256' = '" SHA256_AB "']"},
    {"file:sha512", SHA256_AB SHA256_AB, "[file:hashes.'SHA-512' = '" SHA256_AB SHA256_AB "']"},
    {"x509-certificate:sha256", "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
     "[x509-certificate:hashes.'SHA-256' = "
     "'cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd']"},
    {"hromada-member", "UA/GOV/00032684/police",
     "[x-hromada-member:value = 'UA/GOV/00032684/police']"},
    {"hromada-leak-fingerprint", "efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef",
     "[x-hromada-leak-fingerprint:value = "
     "'efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef']"},
    {"stix-pattern", "[ipv4-addr:value = '198.51.100.1' AND network-traffic:dst_port = 443]",
     "[ipv4-addr:value = '198.51.100.1' AND network-traffic:dst_port = 443]"},
};
#define KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* ---- helpers ---- */

static const char *shared_dir(void)
{
	static char path[512];
	const char *env = getenv("HROMADA_SHARED_DIR");
	struct stat st;

	snprintf(path, sizeof(path), "%s/schemas/stix2.1", env != NULL ? env : "../shared");
	return stat(path, &st) == 0 ? path : NULL;
}

/* Can python3 with jsonschema run stix_validate.py? Asked once. */
static bool validator_ready(void)
{
	static int ready = -1;
	char *argv[] = {"/usr/bin/env", "python3", "-c", "import jsonschema", NULL};
	char out[512];

	if (ready < 0) {
		ready = shared_dir() != NULL && getenv("HROMADA_SOURCE_DIR") != NULL &&
			tk_run(argv, out, sizeof(out), 30000) == 0;
		if (!ready)
			print_message("skipping the OASIS schema checks: ../shared, "
				      "HROMADA_SOURCE_DIR or python3-jsonschema is absent\n");
	}
	return ready == 1;
}

/* Validates objects against the OASIS schemas; fails the test on any error. */
static void assert_schema_valid(json_t *objects, const char *label)
{
	char file[512], script[512], schemas[600], out[16384];
	char *argv[] = {"/usr/bin/env", "python3", script, file, "--schemas", schemas, NULL};
	json_t *bundle;
	int rc;

	if (!validator_ready())
		return;
	tk_dir_path(file, sizeof(file), label);
	snprintf(script, sizeof(script), "%s/tests/tools/stix_validate.py",
		 getenv("HROMADA_SOURCE_DIR"));
	snprintf(schemas, sizeof(schemas), "%s/schemas", shared_dir());
	bundle = json_pack("{s:s, s:s, s:O}", "type", "bundle", "id",
			   "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects", objects);
	assert_int_equal(json_dump_file(bundle, file, JSON_INDENT(1)), 0);
	json_decref(bundle);
	rc = tk_run(argv, out, sizeof(out), 120000);
	if (rc != 0)
		print_error("%s: stix_validate.py exit %d:\n%s\n", label, rc, out);
	assert_int_equal(rc, 0);
}

static json_t *find_id(json_t *objects, const char *id)
{
	json_t *v;
	size_t i;

	json_array_foreach(objects, i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
			return v;
	}
	return NULL;
}

static size_t count_type(json_t *objects, const char *type)
{
	json_t *v;
	size_t i, n = 0;

	json_array_foreach(objects, i, v)
	{
		n += strcmp(json_string_value(json_object_get(v, "type")), type) == 0;
	}
	return n;
}

static const char *first_marking(json_t *obj)
{
	return json_string_value(json_array_get(json_object_get(obj, "object_marking_refs"), 0));
}

/* An incident with one indicator of every kind, indicator i at TLP tlps[(i + shift) % 5]. */
static json_t *incident_of_every_kind(const char *incident_tlp, size_t shift)
{
	json_t *indicators = json_array(), *incident;
	char id[STIX_UUID_LEN + 1];

	for (size_t i = 0; i < KINDS; i++) {
		snprintf(id, sizeof(id), "0000%04zx-1111-4222-8333-%012zx", shift, i);
		json_array_append_new(indicators,
				      json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "id", id, "type",
						kinds[i].type, "value", kinds[i].value, "tlp",
						tlps[(i + shift) % 5], "first_seen",
						"2026-12-06T09:30:00Z", "sightings", (int)(i % 3)));
	}
	incident =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:s, "
		      "s:o}",
		      "id", INCIDENT_ID, "origin", "reported", "reporter", REPORTER, "organisation",
		      "UA/GOV/00015622", "detected_at", "2026-12-06T10:00:00Z", "reported_at",
		      "2026-12-06T10:05:00Z", "modified_at", "2026-12-06T11:00:00Z", "level", 3,
		      "class", "availability:ddos", "service", "Driver licences", "summary",
		      "Flood of 'requests' \\ at night", "nis2_significant", 1, "tlp", incident_tlp,
		      "indicators", indicators);
	assert_non_null(incident);
	return incident;
}

/* ---- ids ---- */

static void test_uuid5_matches_rfc_9562(void **state)
{
	char out[STIX_UUID_LEN + 1];

	(void)state;
	/* RFC 9562 Appendix A.4: "www.example.com" in the DNS namespace */
	assert_int_equal(
	    uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com", 15, out), HR_OK);
	assert_string_equal(out, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

static void test_observable_ids_follow_stix_2_9(void **state)
{
	json_t *objects = json_array(), *incident = incident_of_every_kind("TLP:GREEN", 0);

	(void)state;
	assert_int_equal(stix_objects_from_incident(incident, NULL, objects, NULL), HR_OK);
	/* UUIDv5(STIX namespace, '{"value":"203.0.113.7"}'), as Python's uuid computes it */
	assert_non_null(find_id(objects, "ipv4-addr--9ddd739e-87b1-587d-83f2-62ef1130af2f"));
	assert_non_null(find_id(objects, "file--20432b06-75d2-54b6-80ef-6d923b5d925d"));
	json_decref(incident);
	json_decref(objects);
}

/* ---- export ---- */

static void test_export_every_kind_and_tlp(void **state)
{
	json_t *objects = json_array(), *again = json_array(), *incident, *obj, *v;
	char id[STIX_ID_MAX], dumped_a[8], dumped_b[8];
	const char *marking;
	size_t i, n;

	(void)state;
	for (size_t t = 0; t < 5; t++) {
		incident = incident_of_every_kind(tlps[t], t);
		json_object_set_new(incident, "id",
				    json_sprintf("7d1c6a3e-4f7b-4e0a-9c5d-2b8e1f3a6c9%zu", t));
		assert_int_equal(stix_objects_from_incident(incident, NULL, objects, NULL), HR_OK);
		json_decref(incident);
	}
	/* the incident */
	obj = find_id(objects, "incident--7d1c6a3e-4f7b-4e0a-9c5d-2b8e1f3a6c90");
	assert_non_null(obj);
	assert_string_equal(json_string_value(json_object_get(obj, "name")),
			    "Driver licences (availability:ddos)");
	assert_string_equal(json_string_value(json_object_get(obj, "created")),
			    "2026-12-06T10:05:00.000Z");
	assert_string_equal(json_string_value(json_object_get(obj, "modified")),
			    "2026-12-06T11:00:00.000Z");
	assert_string_equal(first_marking(obj), stix_tlp_marking_id(TLP_CLEAR));
	v = json_object_get(obj, "labels");
	assert_int_equal(json_array_size(v), 3);
	assert_string_equal(json_string_value(json_array_get(v, 0)), "rsit:availability:ddos");
	assert_string_equal(json_string_value(json_array_get(v, 1)), "hromada-level:3");
	assert_string_equal(json_string_value(json_array_get(v, 2)), "nis2-significant");
	/* one identity for all five (same organisation), named after it */
	assert_int_equal(count_type(objects, "identity"), 1);
	obj = json_array_get(objects, 0);
	assert_string_equal(json_string_value(json_object_get(obj, "name")), "UA/GOV/00015622");
	/* all five TLP 2.0 markings, each once, in the OASIS extension form */
	assert_int_equal(count_type(objects, "marking-definition"), 5);
	obj = find_id(objects, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
	assert_non_null(obj);
	assert_string_equal(json_string_value(json_object_get(obj, "name")), "TLP:RED");
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(json_object_get(obj, "extensions"), STIX_TLP2_EXTENSION),
		"tlp_2_0")),
	    "red");
	/* indicators: the pattern of each kind, its own marking */
	for (size_t t = 0; t < 5; t++)
		for (i = 0; i < KINDS; i++) {
			snprintf(id, sizeof(id), "indicator--0000%04zx-1111-4222-8333-%012zx", t,
				 i);
			obj = find_id(objects, id);
			assert_non_null(obj);
			assert_string_equal(json_string_value(json_object_get(obj, "pattern")),
					    kinds[i].pattern);
			assert_string_equal(json_string_value(json_object_get(obj, "valid_from")),
					    "2026-12-06T09:30:00.000Z");
			assert_string_equal(first_marking(obj),
					    stix_tlp_marking_id((enum tlp)((i + t) % 5)));
		}
	/* relationships: related-to the incident for each, based-on for observables */
	n = 0;
	json_array_foreach(objects, i, obj)
	{
		const char *type = json_string_value(json_object_get(obj, "relationship_type"));
		if (type == NULL || strcmp(type, "related-to") != 0)
			continue;
		n++;
		assert_true(strncmp(json_string_value(json_object_get(obj, "source_ref")),
				    "indicator--", 11) == 0);
		assert_true(strncmp(json_string_value(json_object_get(obj, "target_ref")),
				    "incident--", 10) == 0);
	}
	assert_int_equal(n, 5 * KINDS);
	assert_int_equal(count_type(objects, "observed-data"), 5 * 10);
	/* sightings: i % 3 of them for indicator i, where there are any */
	n = 0;
	json_array_foreach(objects, i, obj)
	{
		if (strcmp(json_string_value(json_object_get(obj, "type")), "sighting") != 0)
			continue;
		n++;
		assert_true(json_integer_value(json_object_get(obj, "count")) >= 1);
		assert_non_null(
		    find_id(objects, json_string_value(json_object_get(obj, "sighting_of_ref"))));
	}
	assert_int_equal(n, 5 * (KINDS - (KINDS + 2) / 3));
	/* an observable five incidents share is there once, at the most restricted TLP */
	obj = find_id(objects, "ipv4-addr--9ddd739e-87b1-587d-83f2-62ef1130af2f");
	assert_non_null(obj);
	assert_int_equal(count_type(objects, "ipv4-addr"), 1);
	marking = first_marking(obj);
	assert_string_equal(marking, stix_tlp_marking_id(TLP_RED));
	/* the same incidents again give the same objects */
	for (size_t t = 0; t < 5; t++) {
		incident = incident_of_every_kind(tlps[t], t);
		json_object_set_new(incident, "id",
				    json_sprintf("7d1c6a3e-4f7b-4e0a-9c5d-2b8e1f3a6c9%zu", t));
		assert_int_equal(stix_objects_from_incident(incident, NULL, again, NULL), HR_OK);
		json_decref(incident);
	}
	assert_true(json_equal(objects, again));
	snprintf(dumped_a, sizeof(dumped_a), "%zu", json_array_size(objects));
	snprintf(dumped_b, sizeof(dumped_b), "%zu", json_array_size(again));
	assert_string_equal(dumped_a, dumped_b);
	assert_schema_valid(objects, "every-kind.json");
	json_decref(again);
	json_decref(objects);
}

static void test_export_producer_signs_relationships(void **state)
{
	json_t *objects = json_array(), *incident = incident_of_every_kind("TLP:AMBER", 1), *obj;
	json_t *producer =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity", "spec_version",
		      "2.1", "id", "identity--0f2a8c1e-6b3d-4e5f-8a9b-1c2d3e4f5a6b", "created",
		      "2026-01-01T00:00:00.000Z", "modified", "2026-01-01T00:00:00.000Z", "name",
		      "Hromada NCCC", "identity_class", "organization");
	size_t i;

	(void)state;
	assert_int_equal(stix_objects_from_incident(incident, producer, objects, NULL), HR_OK);
	assert_non_null(find_id(objects, "identity--0f2a8c1e-6b3d-4e5f-8a9b-1c2d3e4f5a6b"));
	json_array_foreach(objects, i, obj)
	{
		if (strcmp(json_string_value(json_object_get(obj, "type")), "relationship") == 0)
			assert_string_equal(
			    json_string_value(json_object_get(obj, "created_by_ref")),
			    "identity--0f2a8c1e-6b3d-4e5f-8a9b-1c2d3e4f5a6b");
	}
	assert_schema_valid(objects, "producer.json");
	json_decref(producer);
	json_decref(incident);
	json_decref(objects);
}

static void test_export_refuses_bad_incidents(void **state)
{
	static const struct {
		const char *key, *json;
	} bad[] = {
	    {"id", "\"not-a-uuid\""},
	    {"tlp", "\"TLP:PURPLE\""},
	    {"reported_at", "\"yesterday\""},
	    {"level", "9"},
	    {"indicators", "[{\"type\": \"file:sha256\", \"value\": \"abc\"}]"},
	    {"indicators", "[{\"type\": \"carrier-pigeon\", \"value\": \"x\"}]"},
	    {"indicators", "[{\"type\": \"stix-pattern\", \"value\": \"[ipv4-addr:value = 'x]\"}]"},
	    {"indicators", "[42]"},
	};
	struct hr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *incident = incident_of_every_kind("TLP:GREEN", 0), *objects = json_array();
		json_object_set_new(incident, bad[i].key,
				    json_loads(bad[i].json, JSON_DECODE_ANY, NULL));
		memset(&err, 0, sizeof(err));
		if (stix_objects_from_incident(incident, NULL, objects, &err) != HR_E_INVALID)
			fail_msg("case %zu (%s) was not refused", i, bad[i].key);
		assert_string_equal(err.stage, "stix");
		assert_true(strlen(err.message) > 10);
		json_decref(incident);
		json_decref(objects);
	}
}

/* ---- import ---- */

static json_t *import_text(const char *text, struct hr_error *err)
{
	json_t *incidents = NULL;
	hr_status rc =
	    stix_bundle_parse(text, strlen(text), "PL/GOV/00000006/cert", &incidents, err);

	if (rc != HR_OK) {
		assert_null(incidents);
		return NULL;
	}
	return incidents;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "type|value|tlp" of every indicator of every incident, sorted, one per line. */
static char *sorted_triples(json_t *incidents)
{
	json_t *inc, *ind;
	size_t i, j, n = 0, total = 1;
	char **lines, *out;

	json_array_foreach(incidents, i, inc)
	{
		n += json_array_size(json_object_get(inc, "indicators"));
	}
	lines = calloc(n + 1, sizeof(*lines));
	n = 0;
	json_array_foreach(incidents, i, inc)
	{
		json_array_foreach(json_object_get(inc, "indicators"), j, ind)
		{
			size_t len = 64 + strlen(json_string_value(json_object_get(ind, "value")));
			lines[n] = malloc(len);
			snprintf(lines[n], len, "%s|%s|%s",
				 json_string_value(json_object_get(ind, "type")),
				 json_string_value(json_object_get(ind, "value")),
				 json_string_value(json_object_get(ind, "tlp")));
			total += strlen(lines[n]) + 1;
			n++;
		}
	}
	qsort(lines, n, sizeof(*lines), compare_strings);
	out = calloc(1, total);
	for (i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
		free(lines[i]);
	}
	free(lines);
	return out;
}

/* Export incidents (given ids), validate, import again: same triples. */
static void round_trip(json_t *incidents, const char *label)
{
	json_t *objects = json_array(), *bundle, *again, *inc;
	char *text, *before, *after, id[STIX_UUID_LEN + 1];
	struct hr_error err;
	size_t i;

	json_array_foreach(incidents, i, inc)
	{
		snprintf(id, sizeof(id), "5e1f0c2a-9b8d-4c7e-a6f5-%012x", (unsigned)i & 0xffffu);
		json_object_set_new(inc, "id", json_string(id));
		memset(&err, 0, sizeof(err));
		if (stix_objects_from_incident(inc, NULL, objects, &err) != HR_OK)
			fail_msg("%s: export: %s", label, err.message);
	}
	assert_schema_valid(objects, label);
	bundle = json_pack("{s:s, s:s, s:O}", "type", "bundle", "id",
			   "bundle--0a4c6e8f-1b3d-4f5a-9c7e-2d4f6a8b0c1e", "objects", objects);
	text = json_dumps(bundle, JSON_COMPACT);
	again = import_text(text, &err);
	if (again == NULL)
		fail_msg("%s: reimport: %s", label, err.message);
	before = sorted_triples(incidents);
	after = sorted_triples(again);
	assert_string_equal(before, after);
	assert_int_equal(json_array_size(again), json_array_size(incidents));
	free(before);
	free(after);
	free(text);
	json_decref(again);
	json_decref(bundle);
	json_decref(objects);
}

static void test_round_trip_every_kind(void **state)
{
	json_t *objects = json_array(), *incidents,
	       *incident = incident_of_every_kind("TLP:AMBER", 2);
	struct hr_error err;
	char *text, *before, *after;
	json_t *inc, *ind;
	size_t i;

	(void)state;
	assert_int_equal(stix_objects_from_incident(incident, NULL, objects, NULL), HR_OK);
	text = json_dumps(objects, JSON_COMPACT);
	incidents = import_text(text, &err);
	assert_non_null(incidents);
	assert_int_equal(json_array_size(incidents), 1);
	inc = json_array_get(incidents, 0);
	assert_string_equal(json_string_value(json_object_get(inc, "external_id")),
			    "incident--" INCIDENT_ID);
	assert_string_equal(json_string_value(json_object_get(inc, "origin")), "stix");
	assert_string_equal(json_string_value(json_object_get(inc, "reporter")),
			    "PL/GOV/00000006/cert");
	assert_string_equal(json_string_value(json_object_get(inc, "tlp")), "TLP:AMBER");
	assert_string_equal(json_string_value(json_object_get(inc, "class")), "availability:ddos");
	assert_int_equal(json_integer_value(json_object_get(inc, "level")), 3);
	assert_true(json_is_true(json_object_get(inc, "nis2_significant")));
	assert_string_equal(json_string_value(json_object_get(inc, "summary")),
			    "Flood of 'requests' \\ at night");
	assert_string_equal(json_string_value(json_object_get(inc, "detected_at")),
			    "2026-12-06T10:05:00Z");
	assert_int_equal(json_array_size(json_object_get(inc, "indicators")), KINDS);
	json_array_foreach(json_object_get(inc, "indicators"), i, ind)
	{
		assert_string_equal(json_string_value(json_object_get(ind, "first_seen")),
				    "2026-12-06T09:30:00Z");
		if (strcmp(json_string_value(json_object_get(ind, "type")), "ipv4-addr") == 0)
			assert_string_equal(json_string_value(json_object_get(ind, "id")),
					    "00000002-1111-4222-8333-000000000000");
	}
	inc = json_pack("[O]", incident);
	before = sorted_triples(inc);
	json_decref(inc);
	after = sorted_triples(incidents);
	assert_string_equal(before, after);
	free(before);
	free(after);
	free(text);
	round_trip(incidents, "round-trip-every-kind.json");
	json_decref(incidents);
	json_decref(incident);
	json_decref(objects);
}

static json_t *import_file(const char *path)
{
	struct hr_error err;
	size_t len;
	char *text = tk_read_file(path, &len);
	json_t *incidents = NULL;

	assert_non_null(text);
	memset(&err, 0, sizeof(err));
	if (stix_bundle_parse(text, len, "PL/GOV/00000006/cert", &incidents, &err) != HR_OK)
		fail_msg("%s: %s", path, err.message);
	free(text);
	return incidents;
}

static bool has_indicator(json_t *incident, const char *type, const char *value, const char *tlp)
{
	json_t *ind;
	size_t i;

	json_array_foreach(json_object_get(incident, "indicators"), i, ind)
	{
		if (strcmp(json_string_value(json_object_get(ind, "type")), type) == 0 &&
		    strcmp(json_string_value(json_object_get(ind, "value")), value) == 0 &&
		    strcmp(json_string_value(json_object_get(ind, "tlp")), tlp) == 0)
			return true;
	}
	return false;
}

static void test_import_oasis_examples(void **state)
{
	static const struct {
		const char *file;
		size_t incidents, indicators;
	} examples[] = {
	    {"indicator-for-c2-ip-address.json", 1, 1},
	    {"indicator-to-campaign-relationship.json", 1, 1},
	    {"indicators-for-C2-with-COA.json", 1, 2},
	    {"infrastructure.json", 0, 0},
	    {"interop-objectmarking-test.json", 0, 0},
	    {"malicious-email-indicator-with-attachment.json", 1, 2},
	    {"threat-reports/apt1.json", 1, 12},
	};
	char path[600];
	json_t *incidents, *inc;
	size_t n;

	(void)state;
	if (shared_dir() == NULL) {
		print_message("skipping the OASIS examples: ../shared is absent\n");
		return;
	}
	for (size_t e = 0; e < sizeof(examples) / sizeof(examples[0]); e++) {
		snprintf(path, sizeof(path), "%s/examples/%s", shared_dir(), examples[e].file);
		incidents = import_file(path);
		assert_int_equal(json_array_size(incidents), examples[e].incidents);
		inc = json_array_get(incidents, 0);
		n = json_array_size(json_object_get(inc, "indicators"));
		if (n != examples[e].indicators)
			fail_msg("%s: %zu indicators, expected %zu", examples[e].file, n,
				 examples[e].indicators);
		if (strcmp(examples[e].file, "indicator-for-c2-ip-address.json") == 0) {
			/* unmarked: read as TLP:AMBER; loose: the bundle is the incident */
			assert_true(has_indicator(inc, "ipv4-addr", "10.0.0.0", "TLP:AMBER"));
			assert_string_equal(json_string_value(json_object_get(inc, "external_id")),
					    "bundle--44af6c39-c09b-49c5-9de2-394224b04982");
			assert_string_equal(json_string_value(json_object_get(inc, "tlp")),
					    "TLP:AMBER");
			assert_string_equal(json_string_value(json_object_get(inc, "detected_at")),
					    "2014-05-08T09:00:00Z");
		} else if (strcmp(examples[e].file, "indicators-for-C2-with-COA.json") == 0) {
			assert_true(has_indicator(
			    inc, "file:sha256",
			    "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c",
			    "TLP:AMBER"));
		} else if (strcmp(examples[e].file, "threat-reports/apt1.json") == 0) {
			assert_string_equal(json_string_value(json_object_get(inc, "external_id")),
					    "report--e33ffe07-2f4c-48d8-b0af-ee2619d765cf");
			assert_true(has_indicator(inc, "ipv4-addr", "223.166.0.0/15", "TLP:AMBER"));
			assert_true(has_indicator(inc, "domain-name", "hugesoft.org", "TLP:AMBER"));
			assert_true(has_indicator(inc, "file:md5",
						  "001dd76872d80801692ff942308c64e6", "TLP:AMBER"));
			assert_true(
			    has_indicator(inc, "stix-pattern",
					  "[x509-certificate:issuer = 'CN=WEBMAIL' AND "
					  "x509-certificate:serial_number = "
					  "'4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
					  "TLP:AMBER"));
		} else if (strcmp(examples[e].file,
				  "malicious-email-indicator-with-attachment.json") == 0) {
			assert_true(has_indicator(
			    inc, "stix-pattern",
			    "[email-message:subject MATCHES '^[IMPORTANT] Please Review Before']",
			    "TLP:AMBER"));
		}
		if (examples[e].incidents > 0)
			round_trip(incidents,
				   examples[e].file + (examples[e].file[0] == 't' ? 15 : 0));
		json_decref(incidents);
	}
}

static void test_import_reads_tlp_markings(void **state)
{
	struct hr_error err;
	json_t *incidents;
	char text[4096];
	static const struct {
		const char *marking, *tlp;
	} cases[] = {
	    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:CLEAR"},
	    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN"},
	    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER"},
	    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED"},
	    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR"},
	    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN"},
	    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER"},
	    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT"},
	    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED"},
	    /* a statement marking says nothing about TLP: the default */
	    {"marking-definition--1a2b3c4d-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "TLP:AMBER"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(
		    text, sizeof(text),
		    "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": "
		    "\"indicator--33fe3b22-0201-47cf-85d0-97c02164528d\", \"created\": "
		    "\"2014-05-08T09:00:00.000Z\", \"modified\": \"2014-05-08T09:00:00.000Z\", "
		    "\"pattern\": \"[ipv4-addr:value = '10.0.0.1'] OR [domain-name:value = "
		    "'c2.example']\", \"pattern_type\": \"stix\", \"valid_from\": "
		    "\"2014-05-08T09:00:00Z\", \"object_marking_refs\": [\"%s\"]}",
		    cases[i].marking);
		incidents = import_text(text, &err);
		assert_non_null(incidents);
		assert_true(has_indicator(json_array_get(incidents, 0), "ipv4-addr", "10.0.0.1",
					  cases[i].tlp));
		assert_true(has_indicator(json_array_get(incidents, 0), "domain-name", "c2.example",
					  cases[i].tlp));
		json_decref(incidents);
	}
	/* a TLP marking definition of the bundle, under an id of its own */
	incidents = import_text(
	    "{\"type\": \"bundle\", \"id\": \"bundle--44af6c39-c09b-49c5-9de2-394224b04982\", "
	    "\"objects\": [{\"type\": \"marking-definition\", \"spec_version\": \"2.1\", \"id\": "
	    "\"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ec\", \"created\": "
	    "\"2017-01-20T00:00:00.000Z\", \"definition_type\": \"tlp\", \"definition\": "
	    "{\"tlp\": \"red\"}}, {\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": "
	    "\"indicator--33fe3b22-0201-47cf-85d0-97c02164528d\", \"created\": "
	    "\"2014-05-08T09:00:00.000Z\", \"modified\": \"2014-05-08T09:00:00.000Z\", "
	    "\"pattern\": \"[url:value = 'http://a/\\\\'x']\", \"pattern_type\": \"stix\", "
	    "\"valid_from\": \"2014-05-08T09:00:00Z\", \"object_marking_refs\": "
	    "[\"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ec\"]}]}",
	    &err);
	assert_non_null(incidents);
	assert_true(has_indicator(json_array_get(incidents, 0), "url", "http://a/'x", "TLP:RED"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(incidents, 0), "tlp")),
			    "TLP:RED");
	json_decref(incidents);
}

static void test_import_reads_latest_version_and_loose_indicators(void **state)
{
	struct hr_error err;
	json_t *incidents, *inc;

	(void)state;
	/* a TAXII envelope with two versions of one indicator, tied to an
	 * incident the envelope does not hold: the later version, loose */
	incidents = import_text(
	    "{\"more\": false, \"objects\": ["
	    "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": "
	    "\"indicator--33fe3b22-0201-47cf-85d0-97c02164528d\", \"created\": "
	    "\"2014-05-08T09:00:00.000Z\", \"modified\": \"2014-05-09T09:00:00.000Z\", "
	    "\"pattern\": \"[domain-name:value = 'new.example']\", \"pattern_type\": \"stix\", "
	    "\"valid_from\": \"2014-05-08T09:00:00Z\"},"
	    "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": "
	    "\"indicator--33fe3b22-0201-47cf-85d0-97c02164528d\", \"created\": "
	    "\"2014-05-08T09:00:00.000Z\", \"modified\": \"2014-05-08T09:00:00.000Z\", "
	    "\"pattern\": \"[domain-name:value = 'old.example']\", \"pattern_type\": \"stix\", "
	    "\"valid_from\": \"2014-05-08T09:00:00Z\"},"
	    "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": "
	    "\"indicator--44fe3b22-0201-47cf-85d0-97c02164528d\", \"created\": "
	    "\"2014-05-08T09:00:00.000Z\", \"modified\": \"2014-05-08T09:00:00.000Z\", "
	    "\"pattern\": \"rule x { condition: true }\", \"pattern_type\": \"yara\", "
	    "\"valid_from\": \"2014-05-08T09:00:00Z\"},"
	    "{\"type\": \"relationship\", \"spec_version\": \"2.1\", \"id\": "
	    "\"relationship--1a2b3c4d-1a2b-4c3d-8e9f-0a1b2c3d4e5f\", \"created\": "
	    "\"2014-05-08T09:00:00.000Z\", \"modified\": \"2014-05-08T09:00:00.000Z\", "
	    "\"relationship_type\": \"indicates\", \"source_ref\": "
	    "\"indicator--33fe3b22-0201-47cf-85d0-97c02164528d\", \"target_ref\": "
	    "\"incident--7d1c6a3e-4f7b-4e0a-9c5d-2b8e1f3a6c90\"}]}",
	    &err);
	assert_non_null(incidents);
	assert_int_equal(json_array_size(incidents), 1);
	inc = json_array_get(incidents, 0);
	/* no bundle: the first loose indicator names the incident; YARA is skipped */
	assert_string_equal(json_string_value(json_object_get(inc, "external_id")),
			    "indicator--33fe3b22-0201-47cf-85d0-97c02164528d");
	assert_int_equal(json_array_size(json_object_get(inc, "indicators")), 1);
	assert_true(has_indicator(inc, "domain-name", "new.example", "TLP:AMBER"));
	json_decref(incidents);
}

/* ---- hostile input ---- */

static void expect_refused(const char *text, size_t len, hr_status status, const char *needle)
{
	struct hr_error err;
	json_t *incidents = (json_t *)1;

	memset(&err, 0, sizeof(err));
	assert_int_equal(stix_bundle_parse(text, len, "PL/GOV/00000006/cert", &incidents, &err),
			 status);
	assert_null(incidents);
	if (needle != NULL && strstr(err.message, needle) == NULL)
		fail_msg("expected '%s' in: %s", needle, err.message);
	assert_true(strlen(err.message) > 10);
}

#define REFUSED(text, needle) expect_refused(text, strlen(text), HR_E_INVALID, needle)

#define IND_HEAD                                                                                   \
	"{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": "                            \
	"\"indicator--33fe3b22-0201-47cf-85d0-97c02164528d\", \"created\": "                       \
	"\"2014-05-08T09:00:00.000Z\", \"modified\": \"2014-05-08T09:00:00.000Z\", "               \
	"\"pattern_type\": \"stix\", \"valid_from\": \"2014-05-08T09:00:00Z\", "

static void test_hostile_input_is_refused(void **state)
{
	char *deep, *big;
	size_t n = 1000000;

	(void)state;
	REFUSED("this is not JSON", "STIX input");
	REFUSED("42", "not a STIX bundle");
	REFUSED("[1, 2]", "object 0 is not a JSON object");
	REFUSED("{\"objects\": {\"a\": 1}}", "not an array");
	REFUSED("{\"type\": \"bundle\", \"id\": \"bundle--x\", \"objects\": []}", "bundle's id");
	REFUSED("[{\"id\": \"indicator--33fe3b22-0201-47cf-85d0-97c02164528d\"}]", "'type'");
	REFUSED("[{\"type\": \"indicator\"}]", "has no 'id'");
	REFUSED("[{\"type\": \"indicator\", \"id\": \"indicator--1234\"}]", "indicator--1234");
	REFUSED("[{\"type\": \"indicator\", \"id\": "
		"\"malware--33fe3b22-0201-47cf-85d0-97c02164528d\"}]",
		"not an id");
	REFUSED("[{\"type\": \"Indicator\", \"id\": "
		"\"Indicator--33fe3b22-0201-47cf-85d0-97c02164528d\"}]",
		"'type'");
	REFUSED(IND_HEAD "\"pattern\": \"[ipv4-addr:value = '10.0.0.1]\"}", "not closed");
	REFUSED(IND_HEAD "\"pattern\": \"[ipv4-addr:value = '10.0.0.1'\"}", "not closed");
	REFUSED(IND_HEAD "\"pattern\": \"ipv4-addr:value = '10.0.0.1']\"}", "closes nothing");
	REFUSED(IND_HEAD "\"pattern\": 7}", "'pattern' is not a string");
	REFUSED(IND_HEAD "\"pattern\": \"\"}", "no observation");
	REFUSED(IND_HEAD
		"\"pattern\": \"[x:y = '\\u0001']\", \"valid_from\": \"2014-13-08T09:00:00Z\"}",
		NULL);
	REFUSED("[{\"type\": \"indicator\", \"id\": "
		"\"indicator--33fe3b22-0201-47cf-85d0-97c02164528d\", "
		"\"created\": \"2014-05-08 09:00\"}]",
		"'created' is not a STIX timestamp");
	REFUSED(IND_HEAD
		"\"pattern\": \"[ipv4-addr:value = '10.0.0.1']\", \"object_marking_refs\": "
		"\"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed\"}",
		"markings are not arrays");
	/* an unknown TLP level, in both forms of marking definition */
	REFUSED(
	    "[{\"type\": \"marking-definition\", \"id\": "
	    "\"marking-definition--1a2b3c4d-1a2b-4c3d-8e9f-0a1b2c3d4e5f\", \"definition_type\": "
	    "\"tlp\", \"definition\": {\"tlp\": \"purple\"}}]",
	    "unknown TLP level 'purple'");
	REFUSED("[{\"type\": \"marking-definition\", \"id\": "
		"\"marking-definition--1a2b3c4d-1a2b-4c3d-8e9f-0a1b2c3d4e5f\", \"extensions\": "
		"{\"" STIX_TLP2_EXTENSION
		"\": {\"extension_type\": \"property-extension\", \"tlp_2_0\": \"ultraviolet\"}}}]",
		"unknown TLP level");
	REFUSED("[{\"type\": \"relationship\", \"id\": "
		"\"relationship--1a2b3c4d-1a2b-4c3d-8e9f-0a1b2c3d4e5f\", \"source_ref\": 5}]",
		"source_ref");
	REFUSED("[{\"type\": \"report\", \"id\": \"report--1a2b3c4d-1a2b-4c3d-8e9f-0a1b2c3d4e5f\", "
		"\"created\": \"2014-05-08T09:00:00.000Z\", \"object_refs\": [\"nope\"]}]",
		"object_refs[0]");

	/* a million nested arrays: jansson's depth limit, not our stack */
	deep = malloc(2 * n + 1);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	expect_refused(deep, 2 * n, HR_E_INVALID, "depth");
	free(deep);

	/* a pattern longer than the model holds */
	big = malloc(NCCC_VALUE_MAX + 1024);
	snprintf(big, NCCC_VALUE_MAX + 1024,
		 IND_HEAD "\"pattern\": \"[ipv4-addr:value = '%0*d']\"}", NCCC_VALUE_MAX + 10, 0);
	REFUSED(big, "longer than");
	free(big);

	/* more objects than an import takes */
	n = STIX_OBJECTS_MAX + 1;
	big = malloc(n * 3 + 16);
	big[0] = '[';
	for (size_t i = 0; i < n; i++)
		memcpy(big + 1 + 3 * i, i == 0 ? " {}" : ",{}", 3);
	memcpy(big + 1 + 3 * n, "]", 2);
	expect_refused(big, strlen(big), HR_E_TOO_LARGE, "objects");
	free(big);
}

static void test_hostile_patterns_never_crash(void **state)
{
	static const char *const patterns[] = {
	    "[",
	    "]",
	    "'",
	    "[']",
	    "[a:b = '\\']",
	    "[a:b = '\\\\']",
	    "[[[[[[[[]]]]]]]]",
	    "[ipv4-addr:value = '1' OR]",
	    "[ipv4-addr:value = '1'] OR",
	    "OR [x:y = 'z']",
	    "[file:hashes.'SHA-256 = 'ab']",
	    "[file:hashes.MD5 = 'zz']",
	    "[ipv4-addr:value = '1'] WITHIN 5 SECONDS",
	    "([ipv4-addr:value = '1'])",
	    "[ipv4-addr:value = '\\x']",
	    "[ipv4-addr:value = '']",
	    "(((((((((((",
	};
	json_t *pairs;

	(void)state;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		hr_status rc = stix_pattern_read(patterns[i], strlen(patterns[i]), &pairs, NULL);
		assert_true(rc == HR_OK || rc == HR_E_INVALID);
		json_decref(pairs);
	}
	/* and the simple forms read as they should */
	assert_int_equal(
	    stix_pattern_read(
		"[ file:hashes.'sha256' = "
		"'ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB' ]",
		strlen("[ file:hashes.'sha256' = "
		       "'ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB' ]"),
		&pairs, NULL),
	    HR_OK);
	assert_non_null(pairs);
	assert_string_equal(json_string_value(json_object_get(json_array_get(pairs, 0), "type")),
			    "file:sha256");
	assert_string_equal(json_string_value(json_object_get(json_array_get(pairs, 0), "value")),
			    SHA256_AB);
	json_decref(pairs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_uuid5_matches_rfc_9562),
	    cmocka_unit_test(test_observable_ids_follow_stix_2_9),
	    cmocka_unit_test_setup_teardown(test_export_every_kind_and_tlp, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_export_producer_signs_relationships, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test(test_export_refuses_bad_incidents),
	    cmocka_unit_test_setup_teardown(test_round_trip_every_kind, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_import_oasis_examples, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test(test_import_reads_tlp_markings),
	    cmocka_unit_test(test_import_reads_latest_version_and_loose_indicators),
	    cmocka_unit_test(test_hostile_input_is_refused),
	    cmocka_unit_test(test_hostile_patterns_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
