/*
 * misp_import.c — a partner's MISP event (draft-dulaunoy-misp-core-format)
 * read into the hub's canonical incident (nccc_model.h). The mappings are in
 * misp.h.
 *
 * Untrusted: the bytes come from another organisation's MISP. They are parsed
 * with hr_json_parse_object (no duplicate keys, no trailing data), every field
 * is type-checked before use, every count is bounded (MISP_EVENTS_MAX events,
 * NCCC_INDICATORS_MAX attributes per event, NCCC_VALUE_MAX bytes a value) and
 * every value passes indicator_normalise. A malformed event fails whole with
 * one sentence naming where; an attribute we simply do not hold (a mutex, a
 * CIDR range, a deleted one) is counted in "skipped_attributes", not fatal:
 * real feeds are full of them.
 *
 * Never: trusts a tag or a type to be well-formed, keeps a pointer into the
 * parsed input past its json_decref, or loosens a marking (no TLP tag reads
 * as TLP:AMBER).
 */
#include "nccc/misp.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <hromada/verify.h>

#include "core/clock.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/uuid.h"
#include "core/json.h"
#include "nccc/indicator.h"
#include "nccc/nccc_model.h"

#define COMMENT_MAX 1024 /* bytes of an attribute comment kept */
#define CLASS_MAX   64
#define MEMBER_MARK "hromada-member"
#define LEAK_MARK   "hromada-leak-fingerprint"

enum part {
	PART_WHOLE,
	PART_FIRST,  /* "ip|port": the address */
	PART_SECOND, /* "filename|hash": the hash */
};

struct import_type {
	const char *misp;
	const char *ours; /* NULL: an address, ipv4-addr or ipv6-addr by its form */
	enum part part;
};

static const struct import_type import_types[] = {
    {"ip-src", NULL, PART_WHOLE},
    {"ip-dst", NULL, PART_WHOLE},
    {"ip-src|port", NULL, PART_FIRST},
    {"ip-dst|port", NULL, PART_FIRST},
    {"domain", "domain-name", PART_WHOLE},
    {"hostname", "domain-name", PART_WHOLE},
    {"domain|ip", "domain-name", PART_FIRST},
    {"hostname|port", "domain-name", PART_FIRST},
    {"url", "url", PART_WHOLE},
    {"uri", "url", PART_WHOLE},
    {"email", "email-addr", PART_WHOLE},
    {"email-src", "email-addr", PART_WHOLE},
    {"email-dst", "email-addr", PART_WHOLE},
    {"md5", "file:md5", PART_WHOLE},
    {"sha1", "file:sha1", PART_WHOLE},
    {"sha256", "file:sha256", PART_WHOLE},
    {"sha512", "file:sha512", PART_WHOLE},
    {"filename|md5", "file:md5", PART_SECOND},
    {"filename|sha1", "file:sha1", PART_SECOND},
    {"filename|sha256", "file:sha256", PART_SECOND},
    {"filename|sha512", "file:sha512", PART_SECOND},
    {"x509-fingerprint-sha256", "x509-certificate:sha256", PART_WHOLE},
    {"stix2-pattern", "stix-pattern", PART_WHOLE},
    {"text", NULL, PART_WHOLE}, /* only with the hromada-member mark */
};

struct import {
	const char *event_uuid; /* for messages */
	enum tlp event_tlp;
	size_t attributes; /* seen in this event, skipped ones too */
	size_t skipped;
	json_t *indicators;
	struct hr_error *err;
};

static void lower_copy(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* The most restrictive TLP tag of tags, or false when there is none. */
static bool tags_tlp(const json_t *tags, enum tlp *out)
{
	const json_t *t;
	bool found = false;
	size_t i;

	json_array_foreach(tags, i, t)
	{
		const char *name = json_string_value(json_object_get(t, "name"));
		enum tlp tlp;

		if (name == NULL || strncasecmp(name, "tlp:", 4) != 0 ||
		    tlp_parse(name, &tlp, NULL) != HR_OK)
			continue; /* other taxonomies, and tlp:ex:chr and the like */
		if (!found || tlp > *out)
			*out = tlp;
		found = true;
	}
	return found;
}

/* rsit:a="b" (or ecsirt:) -> "a:b"; rsit:a -> "a". */
static bool tags_class(const json_t *tags, char out[CLASS_MAX + 1])
{
	const json_t *t;
	size_t i;

	json_array_foreach(tags, i, t)
	{
		const char *name = json_string_value(json_object_get(t, "name")), *p;
		size_t n = 0;

		if (name == NULL)
			continue;
		if (strncmp(name, "rsit:", 5) == 0)
			p = name + 5;
		else if (strncmp(name, "ecsirt:", 7) == 0)
			p = name + 7;
		else
			continue;
		for (; *p != '\0' && n < CLASS_MAX; p++) {
			if (*p == '=' && p[1] == '"') {
				out[n++] = ':';
				p++;
			} else if (*p == '"' && p[1] == '\0') {
				break;
			} else if (islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
				   *p == '-') {
				out[n++] = *p;
			} else {
				n = 0;
				break;
			}
		}
		if (n > 0 && n < CLASS_MAX && (*p == '\0' || (*p == '"' && p[1] == '\0'))) {
			out[n] = '\0';
			return true;
		}
	}
	return false;
}

static const struct import_type *import_type_find(const char *misp)
{
	for (size_t i = 0; i < sizeof(import_types) / sizeof(import_types[0]); i++)
		if (strcmp(import_types[i].misp, misp) == 0)
			return &import_types[i];
	return NULL;
}

static hr_status bad(struct import *im, size_t n, const char *what)
{
	return hr_error_set(im->err, HR_E_INVALID, "misp", "event %.40s, attribute %zu: %s",
			    im->event_uuid, n, what);
}

static hr_status attribute_read(struct import *im, const json_t *a)
{
	size_t n = im->attributes;
	const char *type, *value, *uuid, *comment, *first_seen, *ours;
	const struct import_type *t;
	char part[INDICATOR_VALUE_SIZE], norm[INDICATOR_VALUE_SIZE], id[40];
	const char *bar;
	enum tlp tlp = im->event_tlp;
	json_t *ind;
	struct hr_time seen;

	if (++im->attributes > NCCC_INDICATORS_MAX)
		return hr_error_set(im->err, HR_E_INVALID, "misp",
				    "event %.40s has more than %d attributes", im->event_uuid,
				    NCCC_INDICATORS_MAX);
	if (!json_is_object(a))
		return bad(im, n, "not an object");
	type = json_string_value(json_object_get(a, "type"));
	value = json_string_value(json_object_get(a, "value"));
	uuid = json_string_value(json_object_get(a, "uuid"));
	comment = json_string_value(json_object_get(a, "comment"));
	first_seen = json_string_value(json_object_get(a, "first_seen"));
	if (type == NULL)
		return bad(im, n, "no type");
	if (value == NULL)
		return bad(im, n, "no value (a string)");
	if (json_string_length(json_object_get(a, "value")) > NCCC_VALUE_MAX)
		return bad(im, n, "a value longer than 2048 bytes");
	if (strlen(value) != json_string_length(json_object_get(a, "value")))
		return bad(im, n, "a value with a NUL byte");
	if (!uuid_valid(uuid))
		return bad(im, n, "no uuid, or not 8-4-4-4-12 hex digits");
	if (json_is_true(json_object_get(a, "deleted")) || (t = import_type_find(type)) == NULL)
		goto skip;
	ours = t->ours;
	/* the value part the type names */
	bar = strchr(value, '|');
	if (t->part == PART_WHOLE) {
		snprintf(part, sizeof(part), "%s", value);
	} else if (bar == NULL) {
		goto skip;
	} else if (t->part == PART_FIRST) {
		snprintf(part, sizeof(part), "%.*s", (int)(bar - value), value);
	} else {
		snprintf(part, sizeof(part), "%s", bar + 1);
	}
	if (strcmp(type, "text") == 0) {
		if (comment == NULL || strncmp(comment, MEMBER_MARK ":", sizeof(MEMBER_MARK)) != 0)
			goto skip;
		ours = "hromada-member";
	} else if (strcmp(type, "sha256") == 0 && comment != NULL &&
		   strncmp(comment, LEAK_MARK ":", sizeof(LEAK_MARK)) == 0) {
		ours = "hromada-leak-fingerprint";
	} else if (ours == NULL) {
		ours = strchr(part, ':') != NULL ? "ipv6-addr" : "ipv4-addr";
	}
	if (indicator_normalise(ours, part, norm, sizeof(norm), NULL) != HR_OK)
		goto skip; /* a CIDR range, a mangled hash: not an indicator we hold */
	tags_tlp(json_object_get(a, "Tag"), &tlp);
	lower_copy(uuid, id, sizeof(id));
	ind = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "type", ours, "value", norm, "tlp",
			tlp_name(tlp));
	if (ind == NULL)
		return HR_E_NOMEM;
	if (comment != NULL && comment[0] != '\0' &&
	    json_object_set_new(ind, "comment",
				json_stringn(comment, strnlen(comment, COMMENT_MAX))) != 0)
		goto nomem;
	if (first_seen != NULL && hr_time_parse(first_seen, &seen, NULL) == HR_OK) {
		char text[CLOCK_UTC_TEXT_MAX];
		clock_format_utc(seen.seconds, text);
		if (json_object_set_new(ind, "first_seen", json_string(text)) != 0)
			goto nomem;
	}
	if (json_array_append_new(im->indicators, ind) != 0)
		return HR_E_NOMEM;
	return HR_OK;
skip:
	im->skipped++;
	return HR_OK;
nomem:
	json_decref(ind);
	return HR_E_NOMEM;
}

static hr_status attributes_read(struct import *im, const json_t *attributes, const char *where)
{
	const json_t *a;
	size_t i;
	hr_status rc;

	if (attributes == NULL)
		return HR_OK;
	if (!json_is_array(attributes))
		return hr_error_set(im->err, HR_E_INVALID, "misp",
				    "event %.40s: %s is not an array", im->event_uuid, where);
	json_array_foreach(attributes, i, a)
	{
		if ((rc = attribute_read(im, a)) != HR_OK)
			return rc;
	}
	return HR_OK;
}

/* "1650000000" or 1650000000 */
static bool epoch_of(const json_t *v, int64_t *out)
{
	const char *s = json_string_value(v);
	char *end;
	long long n;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return *out >= 0;
	}
	if (s == NULL || s[0] < '0' || s[0] > '9' || strlen(s) > 12)
		return false;
	n = strtoll(s, &end, 10);
	if (*end != '\0' || n < 0)
		return false;
	*out = n;
	return true;
}

/* threat_level_id back to a level (misp.h); false for 4 undefined or junk */
static bool level_of(const json_t *v, json_int_t *out)
{
	int64_t id;

	if (!epoch_of(v, &id))
		return false;
	switch (id) {
	case 1:
		*out = 4;
		return true;
	case 2:
		*out = 3;
		return true;
	case 3:
		*out = 1;
		return true;
	default:
		return false;
	}
}

static hr_status event_read(const json_t *e, const char *partner, json_t *out, size_t index,
			    struct hr_error *err)
{
	struct import im = {.event_tlp = TLP_AMBER, .err = err};
	const char *uuid = json_string_value(json_object_get(e, "uuid"));
	const char *info = json_string_value(json_object_get(e, "info"));
	const char *date = json_string_value(json_object_get(e, "date"));
	const json_t *tags, *objects, *o;
	char external_id[40], detected[CLOCK_UTC_TEXT_MAX], modified[CLOCK_UTC_TEXT_MAX];
	char class[CLASS_MAX + 1], organisation[MEMBER_ID_MAX], country[3];
	int64_t stamp = -1;
	json_int_t level;
	json_t *incident = NULL;
	struct hr_time day;
	size_t i;
	hr_status rc;

	if (!json_is_object(e))
		return hr_error_set(err, HR_E_INVALID, "misp", "event %zu is not an object", index);
	if (!uuid_valid(uuid))
		return hr_error_set(err, HR_E_INVALID, "misp",
				    "event %zu has no uuid, or not 8-4-4-4-12 hex digits", index);
	lower_copy(uuid, external_id, sizeof(external_id));
	im.event_uuid = external_id;
	if (info == NULL)
		return hr_error_set(err, HR_E_INVALID, "misp", "event %s has no info", external_id);
	if (json_string_length(json_object_get(e, "info")) > NCCC_SUMMARY_MAX)
		return hr_error_set(err, HR_E_INVALID, "misp",
				    "event %s: info is longer than %d bytes", external_id,
				    NCCC_SUMMARY_MAX);
	if (json_object_get(e, "timestamp") != NULL &&
	    !epoch_of(json_object_get(e, "timestamp"), &stamp))
		return hr_error_set(err, HR_E_INVALID, "misp",
				    "event %s: timestamp is not seconds since the epoch",
				    external_id);
	if (date != NULL) {
		/* "YYYY-MM-DD": its midnight, UTC */
		if (strlen(date) != 10 || hr_time_parse(date, &day, NULL) != HR_OK)
			return hr_error_set(err, HR_E_INVALID, "misp",
					    "event %s: date '%.16s' is not YYYY-MM-DD", external_id,
					    date);
		/* MISP's times are seconds since 1970: an earlier date has none */
		if (day.seconds < 0)
			return hr_error_set(err, HR_E_INVALID, "misp",
					    "event %s: date '%.16s' is before 1970", external_id,
					    date);
		clock_format_utc(day.seconds, detected);
	} else if (stamp >= 0) {
		clock_format_utc(stamp, detected);
	} else {
		return hr_error_set(err, HR_E_INVALID, "misp", "event %s has no date or timestamp",
				    external_id);
	}
	tags = json_object_get(e, "Tag");
	if (tags != NULL && !json_is_array(tags))
		return hr_error_set(err, HR_E_INVALID, "misp", "event %s: Tag is not an array",
				    external_id);
	tags_tlp(tags, &im.event_tlp);
	if ((im.indicators = json_array()) == NULL)
		return HR_E_NOMEM;
	if ((rc = attributes_read(&im, json_object_get(e, "Attribute"), "Attribute")) != HR_OK)
		goto fail;
	objects = json_object_get(e, "Object");
	if (objects != NULL && !json_is_array(objects)) {
		rc = hr_error_set(err, HR_E_INVALID, "misp", "event %s: Object is not an array",
				  external_id);
		goto fail;
	}
	json_array_foreach(objects, i, o)
	{
		if (!json_is_object(o)) {
			rc = hr_error_set(err, HR_E_INVALID, "misp",
					  "event %s: Object %zu is not an object", external_id, i);
			goto fail;
		}
		rc = attributes_read(&im, json_object_get(o, "Attribute"), "an Object's Attribute");
		if (rc != HR_OK)
			goto fail;
	}

	incident = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:I}", "origin", "misp",
			     "reporter", partner, "external_id", external_id, "detected_at",
			     detected, "summary", info, "tlp", tlp_name(im.event_tlp), "indicators",
			     im.indicators, "skipped_attributes", (json_int_t)im.skipped);
	if (incident == NULL)
		goto nomem;
	if (member_organisation(partner, organisation, sizeof(organisation))) {
		memcpy(country, partner, 2);
		country[2] = '\0';
		if (json_object_set_new(incident, "organisation", json_string(organisation)) ||
		    json_object_set_new(incident, "country", json_string(country)))
			goto nomem;
	}
	if (stamp >= 0) {
		clock_format_utc(stamp, modified);
		if (json_object_set_new(incident, "modified_at", json_string(modified)))
			goto nomem;
	}
	if (tags_class(tags, class) && json_object_set_new(incident, "class", json_string(class)))
		goto nomem;
	if (level_of(json_object_get(e, "threat_level_id"), &level) &&
	    json_object_set_new(incident, "level", json_integer(level)))
		goto nomem;
	if (json_array_append_new(out, incident) != 0) {
		incident = NULL;
		goto nomem;
	}
	json_decref(im.indicators);
	return HR_OK;
nomem:
	rc = hr_error_set(err, HR_E_NOMEM, "misp", "out of memory reading event %s", external_id);
fail:
	json_decref(incident);
	json_decref(im.indicators);
	return rc;
}

static const json_t *unwrap(const json_t *v)
{
	const json_t *inner = json_object_get(v, "Event");

	return inner != NULL ? inner : v;
}

hr_status misp_event_parse(const void *data, size_t len, const char *partner, json_t **incidents,
			   struct hr_error *err)
{
	json_t *root = NULL, *out = NULL, *response;
	const json_t *e;
	size_t i;
	hr_status rc;

	*incidents = NULL;
	if (partner == NULL || !member_id_valid(partner))
		return hr_error_set(err, HR_E_INVALID, "misp", "the partner is not a member id");
	if ((rc = hr_json_parse_object(data, len, &root, err)) != HR_OK) {
		hr_error_prefix(err, "a MISP event");
		return HR_E_INVALID;
	}
	if ((out = json_array()) == NULL) {
		rc = HR_E_NOMEM;
		goto fail;
	}
	response = json_object_get(root, "response");
	if (response != NULL && json_object_get(root, "Event") == NULL) {
		if (!json_is_array(response)) {
			rc = hr_error_set(err, HR_E_INVALID, "misp", "response is not an array");
			goto fail;
		}
		if (json_array_size(response) > MISP_EVENTS_MAX) {
			rc = hr_error_set(err, HR_E_INVALID, "misp",
					  "more than %d events in one response", MISP_EVENTS_MAX);
			goto fail;
		}
		json_array_foreach(response, i, e)
		{
			if ((rc = event_read(unwrap(e), partner, out, i, err)) != HR_OK)
				goto fail;
		}
	} else if ((rc = event_read(unwrap(root), partner, out, 0, err)) != HR_OK) {
		goto fail;
	}
	json_decref(root);
	*incidents = out;
	return HR_OK;
fail:
	json_decref(out);
	json_decref(root);
	return rc;
}
