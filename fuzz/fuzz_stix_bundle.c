/*
 * fuzz_stix_bundle.c — a partner's STIX 2.1 (src/nccc/stix_import.c) on
 * arbitrary input, and every incident it accepts exported again
 * (src/nccc/stix_export.c).
 *
 * Invariants: no crash, leak or sanitizer report; a refused input leaves no
 * incidents; an accepted one is an array of incidents of origin "stix" from
 * the partner, each with a TLP 2.0 marking, at most NCCC_INDICATORS_MAX
 * indicators in all, each of a known type with a value of 1..NCCC_VALUE_MAX
 * bytes; and whatever the import accepts, the export can write (the hub
 * never stores an incident it could not serve).
 *
 * Seeds (fuzz/corpus/stix_bundle/): two OASIS examples (cti-stix2-json-
 * schemas, BSD-3-Clause, © OASIS Open) and one of our own.
 */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "nccc/stix.h"

#define PARTNER "PL/GOV/00000006/cert"

static const char *const types[] = {
    "ipv4-addr",      "ipv6-addr",
    "domain-name",    "url",
    "email-addr",     "file:md5",
    "file:sha1",      "file:sha256",
    "file:sha512",    "x509-certificate:sha256",
    "hromada-member", "hromada-leak-fingerprint",
    "stix-pattern",
};

static bool known_type(const char *type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *incidents = NULL, *incident, *ind, *objects;
	size_t i, j, total = 0;
	enum tlp tlp;
	char id[40];

	if (size > 1024 * 1024)
		return 0;
	if (stix_bundle_parse(data, size, PARTNER, &incidents, NULL) != HR_OK) {
		assert(incidents == NULL);
		return 0;
	}
	assert(json_is_array(incidents));
	objects = json_array();
	assert(objects != NULL);
	json_array_foreach(incidents, i, incident)
	{
		assert(strcmp(json_string_value(json_object_get(incident, "origin")), "stix") == 0);
		assert(strcmp(json_string_value(json_object_get(incident, "reporter")), PARTNER) ==
		       0);
		assert(tlp_parse(json_string_value(json_object_get(incident, "tlp")), &tlp, NULL) ==
		       HR_OK);
		json_array_foreach(json_object_get(incident, "indicators"), j, ind)
		{
			const char *value = json_string_value(json_object_get(ind, "value"));
			assert(known_type(json_string_value(json_object_get(ind, "type"))));
			assert(value != NULL && value[0] != '\0' &&
			       strlen(value) <= NCCC_VALUE_MAX);
			assert(tlp_parse(json_string_value(json_object_get(ind, "tlp")), &tlp,
					 NULL) == HR_OK);
			total++;
		}
		snprintf(id, sizeof(id), "5e1f0c2a-9b8d-4c7e-a6f5-%012x", (unsigned)(i & 0xffff));
		json_object_set_new(incident, "id", json_string(id));
		assert(stix_objects_from_incident(incident, NULL, objects, NULL) == HR_OK);
	}
	assert(total <= NCCC_INDICATORS_MAX);
	json_decref(objects);
	json_decref(incidents);
	return 0;
}
