/*
 * misp.c — the MISP feed the hub serves: an incident as a MISP core-format
 * event (draft-dulaunoy-misp-core-format §2), its manifest.json entry and its
 * hashes.csv lines (the MISP feed layout). The mappings are in misp.h.
 *
 * What MISP itself writes is followed where it matters to a consumer:
 * timestamps, distribution, analysis and threat_level_id are strings of
 * decimal digits; "date" is YYYY-MM-DD; hashes.csv holds the MD5 of each
 * attribute value's UTF-8 bytes (each part of a composite "a|b" value).
 *
 * Never: decides who may read what (the caller filters by TLP first), or
 * exports an indicator it cannot map (it is left out, not guessed).
 */
#include "nccc/misp.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include <hromada/verify.h>

#include "core/error.h"
#include "core/hex.h"
#include "nccc/nccc_model.h"

struct export_type {
	const char *ours;
	const char *misp;
	const char *category;
	bool to_ids;
	const char *comment; /* the marker misp_import.c reads back, or NULL */
};

static const struct export_type export_types[] = {
    {"ipv4-addr", "ip-dst", "Network activity", true, NULL},
    {"ipv6-addr", "ip-dst", "Network activity", true, NULL},
    {"domain-name", "domain", "Network activity", true, NULL},
    {"url", "url", "Network activity", true, NULL},
    {"email-addr", "email-src", "Payload delivery", true, NULL},
    {"file:md5", "md5", "Payload delivery", true, NULL},
    {"file:sha1", "sha1", "Payload delivery", true, NULL},
    {"file:sha256", "sha256", "Payload delivery", true, NULL},
    {"file:sha512", "sha512", "Payload delivery", true, NULL},
    {"x509-certificate:sha256", "x509-fingerprint-sha256", "Network activity", true, NULL},
    {"stix-pattern", "stix2-pattern", "Network activity", true, NULL},
    /* a member id is context, not something an IDS can match */
    {"hromada-member", "text", "Other", false,
     "hromada-member: a member id of the Hromada platform (COUNTRY/CLASS/CODE/SUBSYSTEM)"},
    {"hromada-leak-fingerprint", "sha256", "Artifacts dropped", true,
     "hromada-leak-fingerprint: the SHA-256 of a leaked data dump"},
};

static const struct export_type *export_type_find(const char *ours)
{
	for (size_t i = 0; i < sizeof(export_types) / sizeof(export_types[0]); i++)
		if (strcmp(export_types[i].ours, ours) == 0)
			return &export_types[i];
	return NULL;
}

/* "TLP:AMBER+STRICT" -> "tlp:amber+strict" */
static void tlp_tag_name(enum tlp tlp, char out[32])
{
	const char *name = tlp_name(tlp);
	size_t i;

	for (i = 0; name[i] != '\0' && i < 31; i++)
		out[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
	out[i] = '\0';
}

static const char *distribution_of(enum tlp tlp)
{
	switch (tlp) {
	case TLP_CLEAR:
		return "3"; /* all communities */
	case TLP_GREEN:
		return "1"; /* this community only */
	case TLP_AMBER:
	case TLP_AMBER_STRICT:
	case TLP_RED:
	default:
		return "0"; /* your organisation only */
	}
}

static const char *threat_level_of(json_int_t level)
{
	if (level >= 4)
		return "1";
	if (level == 3)
		return "2";
	if (level >= 1)
		return "3";
	return "4";
}

static const char *analysis_of(const json_t *incident)
{
	const json_t *reports = json_object_get(incident, "reports"), *r;
	size_t i;

	if (!json_is_array(reports) || json_array_size(reports) == 0)
		return "0";
	json_array_foreach(reports, i, r)
	{
		const char *stage = json_string_value(json_object_get(r, "stage"));
		if (stage != NULL && strcmp(stage, "final") == 0)
			return "2";
	}
	return "1";
}

static bool time_of(const json_t *incident, const char *key, int64_t *seconds)
{
	const char *text = json_string_value(json_object_get(incident, key));
	struct hr_time t;

	if (text == NULL || hr_time_parse(text, &t, NULL) != HR_OK)
		return false;
	*seconds = t.seconds;
	return true;
}

static json_t *tag(const char *name)
{
	return json_pack("{s:s}", "name", name);
}

/* rsit:a="b" for "a:b", rsit:a for "a"; NULL when class has odd characters. */
static json_t *rsit_tag(const char *class)
{
	char text[160];
	const char *colon = strchr(class, ':');
	size_t len = strlen(class);

	if (len == 0 || len > 128 || strpbrk(class, "\"\\") != NULL)
		return NULL;
	if (colon == NULL)
		snprintf(text, sizeof(text), "rsit:%s", class);
	else
		snprintf(text, sizeof(text), "rsit:%.*s=\"%s\"", (int)(colon - class), class,
			 colon + 1);
	return tag(text);
}

static int attribute_append(json_t *attributes, const json_t *indicator, enum tlp incident_tlp,
			    const char *timestamp)
{
	const char *id = json_string_value(json_object_get(indicator, "id"));
	const char *type = json_string_value(json_object_get(indicator, "type"));
	const char *value = json_string_value(json_object_get(indicator, "value"));
	const char *tlp_text = json_string_value(json_object_get(indicator, "tlp"));
	const char *comment = json_string_value(json_object_get(indicator, "comment"));
	const char *first_seen = json_string_value(json_object_get(indicator, "first_seen"));
	const struct export_type *t;
	enum tlp tlp = incident_tlp;
	char tag_name[32], text[NCCC_SUMMARY_MAX + 256];
	json_t *a, *tags;

	if (id == NULL || type == NULL || value == NULL || (t = export_type_find(type)) == NULL)
		return 0; /* nothing we can say in MISP's words: left out */
	if (tlp_text != NULL && tlp_parse(tlp_text, &tlp, NULL) != HR_OK)
		tlp = TLP_RED; /* unreadable marking: never loosen it */
	if (t->comment != NULL)
		snprintf(text, sizeof(text), "%s%s%s", t->comment, comment != NULL ? ". " : "",
			 comment != NULL ? comment : "");
	else
		snprintf(text, sizeof(text), "%s", comment != NULL ? comment : "");
	tlp_tag_name(tlp, tag_name);
	tags = json_array();
	if (tags == NULL || json_array_append_new(tags, tag(tag_name)) != 0) {
		json_decref(tags);
		return -1;
	}
	a = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:b, s:b, s:o}", "uuid", id, "type",
		      t->misp, "category", t->category, "value", value, "to_ids", t->to_ids,
		      "distribution", "5", "timestamp", timestamp, "comment", text, "deleted", 0,
		      "disable_correlation", 0, "Tag", tags);
	if (a == NULL)
		return -1;
	if (first_seen != NULL && json_object_set_new(a, "first_seen", json_string(first_seen)))
		goto fail;
	if (json_array_append_new(attributes, a) != 0)
		return -1;
	return 0;
fail:
	json_decref(a);
	return -1;
}

json_t *misp_event_from_incident(const json_t *incident, const json_t *indicators_visible,
				 const char *org_name, const char *org_uuid)
{
	const char *id = json_string_value(json_object_get(incident, "id"));
	const char *summary = json_string_value(json_object_get(incident, "summary"));
	const char *class = json_string_value(json_object_get(incident, "class"));
	const char *tlp_text = json_string_value(json_object_get(incident, "tlp"));
	const json_t *indicators = indicators_visible, *level, *ind;
	json_t *event = NULL, *tags = NULL, *attributes = NULL, *rsit;
	int64_t detected, modified;
	char date[16], timestamp[24], tag_name[32], info[64];
	enum tlp tlp = TLP_AMBER;
	struct tm tm;
	time_t t;
	size_t i;

	if (id == NULL || org_name == NULL || org_uuid == NULL ||
	    !time_of(incident, "detected_at", &detected))
		return NULL;
	if (tlp_text != NULL && tlp_parse(tlp_text, &tlp, NULL) != HR_OK)
		tlp = TLP_RED;
	if (!time_of(incident, "modified_at", &modified) &&
	    !time_of(incident, "reported_at", &modified))
		modified = detected;
	t = (time_t)detected;
	if (gmtime_r(&t, &tm) == NULL || strftime(date, sizeof(date), "%Y-%m-%d", &tm) == 0)
		return NULL;
	snprintf(timestamp, sizeof(timestamp), "%" PRId64, modified);
	if (summary == NULL || summary[0] == '\0') {
		snprintf(info, sizeof(info), "Incident %.40s", id);
		summary = info;
	}
	level = json_object_get(incident, "level");

	if ((tags = json_array()) == NULL || (attributes = json_array()) == NULL)
		goto fail;
	tlp_tag_name(tlp, tag_name);
	if (json_array_append_new(tags, tag(tag_name)) != 0)
		goto fail;
	if (class != NULL && (rsit = rsit_tag(class)) != NULL &&
	    json_array_append_new(tags, rsit) != 0)
		goto fail;
	if (indicators == NULL)
		indicators = json_object_get(incident, "indicators");
	json_array_foreach(indicators, i, ind)
	{
		if (attribute_append(attributes, ind, tlp, timestamp) != 0)
			goto fail;
	}
	event = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:{s:s, s:s}, s:o, "
			  "s:o}}",
			  "Event", "uuid", id, "info", summary, "date", date, "timestamp",
			  timestamp, "publish_timestamp", timestamp, "published", 1, "analysis",
			  analysis_of(incident), "threat_level_id",
			  threat_level_of(json_is_integer(level) ? json_integer_value(level) : 0),
			  "distribution", distribution_of(tlp), "Orgc", "name", org_name, "uuid",
			  org_uuid, "Tag", tags, "Attribute", attributes);
	return event; /* json_pack's "o" took tags and attributes, even on failure */
fail:
	json_decref(tags);
	json_decref(attributes);
	return NULL;
}

static const json_t *bare_event(const json_t *event)
{
	const json_t *inner = json_object_get(event, "Event");

	return json_is_object(inner) ? inner : event;
}

json_t *misp_manifest_entry(const json_t *event)
{
	static const char *const keys[] = {
	    "Orgc", "Tag", "info", "date", "analysis", "threat_level_id", "timestamp"};
	const json_t *e = bare_event(event);
	json_t *entry = json_object();

	if (entry == NULL || !json_is_object(e))
		goto fail;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(e, keys[i]);
		if (v == NULL || json_object_set_new(entry, keys[i], json_deep_copy(v)) != 0)
			goto fail;
	}
	return entry;
fail:
	json_decref(entry);
	return NULL;
}

static const EVP_MD *md5;
static pthread_once_t md5_once = PTHREAD_ONCE_INIT;

static void md5_fetch(void)
{
	md5 = EVP_MD_fetch(NULL, "MD5", NULL); /* lives until the process ends */
}

static hr_status hash_line(struct buf *csv, const char *part, size_t len, const char *uuid,
			   struct hr_error *err)
{
	unsigned char digest[16];
	unsigned int n = 0;
	char hex[33];

	if (md5 == NULL || EVP_Digest(part, len, digest, &n, md5, NULL) != 1 || n != 16)
		return hr_error_set(err, HR_E_CRYPTO, "misp", "MD5 is not available");
	hex_encode(digest, 16, hex);
	buf_append(csv, hex, 32);
	buf_append_byte(csv, ',');
	buf_append_str(csv, uuid);
	return buf_append_byte(csv, '\n');
}

static hr_status hashes_of(const json_t *attributes, const char *uuid, struct buf *csv,
			   struct hr_error *err)
{
	const json_t *a;
	size_t i;
	hr_status rc;

	json_array_foreach(attributes, i, a)
	{
		const char *type = json_string_value(json_object_get(a, "type"));
		const char *value = json_string_value(json_object_get(a, "value"));

		if (type == NULL || value == NULL)
			return hr_error_set(err, HR_E_INVALID, "misp",
					    "attribute %zu of event %.40s has no type or value", i,
					    uuid);
		if (strchr(type, '|') != NULL || strcmp(type, "malware-sample") == 0) {
			const char *p = value, *bar;
			while ((bar = strchr(p, '|')) != NULL) {
				if ((rc = hash_line(csv, p, (size_t)(bar - p), uuid, err)) != HR_OK)
					return rc;
				p = bar + 1;
			}
			rc = hash_line(csv, p, strlen(p), uuid, err);
		} else {
			rc = hash_line(csv, value, strlen(value), uuid, err);
		}
		if (rc != HR_OK)
			return hr_error_set(err, rc, "misp", "hashes.csv is full");
	}
	return HR_OK;
}

hr_status misp_hashes_append(const json_t *event, struct buf *csv, struct hr_error *err)
{
	const json_t *e = bare_event(event), *objects, *o;
	const char *uuid = json_string_value(json_object_get(e, "uuid"));
	size_t i, mark = csv->len;
	hr_status rc;

	pthread_once(&md5_once, md5_fetch);
	if (uuid == NULL)
		return hr_error_set(err, HR_E_INVALID, "misp", "the event has no uuid");
	if ((rc = hashes_of(json_object_get(e, "Attribute"), uuid, csv, err)) != HR_OK)
		goto fail;
	objects = json_object_get(e, "Object");
	json_array_foreach(objects, i, o)
	{
		if ((rc = hashes_of(json_object_get(o, "Attribute"), uuid, csv, err)) != HR_OK)
			goto fail;
	}
	return HR_OK;
fail:
	if (csv->error == HR_OK && csv->data != NULL) {
		csv->len = mark; /* no half event */
		csv->data[mark] = '\0';
	}
	return rc;
}
