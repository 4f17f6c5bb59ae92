/*
 * stix_import.c — a partner's STIX 2.1 into canonical incidents (see stix.h
 * for what becomes what, and how TLP is read).
 *
 * The input is untrusted: a partner's TAXII server, or anyone who can post to
 * the hub. Every object is checked (an object, a valid type, an id of that
 * type, timestamps the OASIS schema accepts) before anything is read from it,
 * and the first malformed one refuses the whole input with a sentence naming
 * it: half an import would be worse than none. Sizes are bounded before they
 * are used (STIX_BUNDLE_MAX bytes, STIX_OBJECTS_MAX objects,
 * NCCC_INDICATORS_MAX indicators, NCCC_VALUE_MAX per value), nothing recurses
 * over the input, and an object is reached by id only through a map built
 * from the input itself.
 *
 * When an id appears more than once (a TAXII envelope may carry several
 * versions), the version with the latest "modified" is the one read.
 *
 * Ownership: struct import's maps hold references into the parsed document;
 * import_clear() drops them all. The incidents array goes to the caller.
 */
#include "core/uuid.h"
#include "nccc/stix.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "nccc/stix_internal.h"

#define PARTNER_MAX 256
#define CLASS_MAX   128

struct import {
	const char *partner;
	const char *bundle_id; /* NULL when the input is not a bundle */
	json_t *objects;       /* the input's objects (own reference) */
	json_t *index;         /* id → the version of it we read */
	json_t *markings;      /* marking id → its TLP level (integer), TLP ones only */
	json_t *members;       /* incident/report/grouping id → {indicator id: true} */
	json_t *tied;          /* indicator id → true, when a container holds it */
	json_t *sightings;     /* indicator id → count */
	size_t indicators;     /* canonical indicators made so far */
	struct hr_error *err;
};

static void import_clear(struct import *im)
{
	json_decref(im->objects);
	json_decref(im->index);
	json_decref(im->markings);
	json_decref(im->members);
	json_decref(im->tied);
	json_decref(im->sightings);
}

static bool is_container(const char *id)
{
	return strncmp(id, "incident--", 10) == 0 || strncmp(id, "report--", 8) == 0 ||
	       strncmp(id, "grouping--", 10) == 0;
}

static bool is_indicator(const char *id)
{
	return strncmp(id, "indicator--", 11) == 0;
}

/* A string field or NULL; a field of another type is refused. */
static hr_status opt_string(struct import *im, const json_t *obj, const char *id, const char *key,
			    const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return HR_OK;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return hr_error_set(im->err, HR_E_INVALID, "stix", "%.80s: '%s' is not a string",
				    id, key);
	*out = json_string_value(v);
	return HR_OK;
}

/* A timestamp field in canonical form into out ("" when absent). */
static hr_status opt_time(struct import *im, const json_t *obj, const char *id, const char *key,
			  char out[STIX_TIMESTAMP_MAX])
{
	const char *text;
	hr_status rc = opt_string(im, obj, id, key, &text);

	out[0] = '\0';
	if (rc != HR_OK || text == NULL)
		return rc;
	if (!stix_timestamp_read(text, out))
		return hr_error_set(im->err, HR_E_INVALID, "stix",
				    "%.80s: '%s' is not a STIX timestamp", id, key);
	return HR_OK;
}

/* A copy of text cut to at most max bytes, on a UTF-8 character boundary. */
static json_t *string_cut(const char *text, size_t max)
{
	size_t len = strlen(text);

	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
	}
	return json_stringn(text, len);
}

/* Pass 1: every object well-formed; index the latest version of each id. */
static hr_status check_objects(struct import *im)
{
	char stamp[STIX_TIMESTAMP_MAX];
	const char *type, *id, *mine, *theirs;
	json_t *obj, *known;
	size_t i;
	hr_status rc;

	json_array_foreach(im->objects, i, obj)
	{
		if (!json_is_object(obj))
			return hr_error_set(im->err, HR_E_INVALID, "stix",
					    "object %zu is not a JSON object", i);
		type = json_string_value(json_object_get(obj, "type"));
		if (type == NULL || !stix_type_valid(type, strlen(type)))
			return hr_error_set(im->err, HR_E_INVALID, "stix",
					    "object %zu has no valid 'type'", i);
		id = json_string_value(json_object_get(obj, "id"));
		if (id == NULL)
			return hr_error_set(im->err, HR_E_INVALID, "stix",
					    "object %zu (%.60s) has no 'id'", i, type);
		if (!stix_id_valid(id, type))
			return hr_error_set(
			    im->err, HR_E_INVALID, "stix",
			    "object %zu: '%.80s' is not an id of the form %.60s--<uuid>", i, id,
			    type);
		if ((rc = opt_time(im, obj, id, "created", stamp)) != HR_OK ||
		    (rc = opt_time(im, obj, id, "modified", stamp)) != HR_OK)
			return rc;
		known = json_object_get(im->index, id);
		if (known != NULL) {
			mine = json_string_value(json_object_get(obj, "modified"));
			theirs = json_string_value(json_object_get(known, "modified"));
			if (mine == NULL || (theirs != NULL && strcmp(mine, theirs) <= 0))
				continue;
		}
		if (json_object_set(im->index, id, obj) != 0)
			return HR_E_NOMEM;
	}
	return HR_OK;
}

/* The version of obj we read (not an older one of the same id)? */
static bool current(struct import *im, const json_t *obj)
{
	return json_object_get(im->index, json_string_value(json_object_get(obj, "id"))) == obj;
}

/* Pass 2: the bundle's own TLP marking definitions. */
static hr_status read_markings(struct import *im)
{
	const char *id, *kind, *level;
	json_t *obj, *ext;
	enum tlp tlp, fixed;
	size_t i;

	json_array_foreach(im->objects, i, obj)
	{
		id = json_string_value(json_object_get(obj, "id"));
		if (strncmp(id, "marking-definition--", 20) != 0 || !current(im, obj))
			continue;
		kind = json_string_value(json_object_get(obj, "definition_type"));
		ext = json_object_get(json_object_get(obj, "extensions"), STIX_TLP2_EXTENSION);
		level = NULL;
		if (ext != NULL) {
			level = json_string_value(json_object_get(ext, "tlp_2_0"));
			if (level == NULL)
				return hr_error_set(im->err, HR_E_INVALID, "stix",
						    "%.80s uses the TLP 2.0 extension without "
						    "'tlp_2_0'",
						    id);
		} else if (kind != NULL && strcmp(kind, "tlp") == 0) {
			level = json_string_value(
			    json_object_get(json_object_get(obj, "definition"), "tlp"));
			if (level == NULL)
				return hr_error_set(im->err, HR_E_INVALID, "stix",
						    "%.80s is a TLP marking without a level", id);
		} else {
			continue; /* a statement or another kind of marking: not TLP */
		}
		if (tlp_parse(level, &tlp, NULL) != HR_OK)
			return hr_error_set(im->err, HR_E_INVALID, "stix",
					    "%.80s marks an unknown TLP level '%.40s'", id, level);
		/* a bundle redefining a fixed id gets the more restricted reading */
		if (stix_tlp_of_marking_id(id, &fixed))
			tlp = stix_tlp_max(tlp, fixed);
		if (json_object_set_new(im->markings, id, json_integer(tlp)) != 0)
			return HR_E_NOMEM;
	}
	return HR_OK;
}

static hr_status tie(struct import *im, const char *container, const char *indicator)
{
	json_t *set = json_object_get(im->members, container);

	/* a container the input does not hold: the indicator stays loose, not lost */
	if (json_object_get(im->index, container) == NULL)
		return HR_OK;
	if (set == NULL) {
		if ((set = json_object()) == NULL ||
		    json_object_set_new(im->members, container, set) != 0)
			return HR_E_NOMEM;
	}
	if (json_object_set_new(set, indicator, json_true()) != 0 ||
	    json_object_set_new(im->tied, indicator, json_true()) != 0)
		return HR_E_NOMEM;
	return HR_OK;
}

static hr_status ref_of(struct import *im, const json_t *obj, const char *id, const char *key,
			const char **out)
{
	hr_status rc = opt_string(im, obj, id, key, out);

	if (rc != HR_OK)
		return rc;
	if (*out == NULL || !stix_id_valid(*out, NULL))
		return hr_error_set(im->err, HR_E_INVALID, "stix", "%.80s: '%s' is not a STIX id",
				    id, key);
	return HR_OK;
}

/* Pass 3: which indicator belongs to which container, and sightings. */
static hr_status read_links(struct import *im)
{
	const char *id, *source, *target, *ref;
	json_t *obj, *refs, *r, *n, *count;
	size_t i, j;
	hr_status rc;

	json_array_foreach(im->objects, i, obj)
	{
		if (!current(im, obj))
			continue;
		rc = HR_OK;
		id = json_string_value(json_object_get(obj, "id"));
		if (strncmp(id, "relationship--", 14) == 0) {
			if ((rc = ref_of(im, obj, id, "source_ref", &source)) != HR_OK ||
			    (rc = ref_of(im, obj, id, "target_ref", &target)) != HR_OK)
				return rc;
			if (is_indicator(source) && is_container(target))
				rc = tie(im, target, source);
			else if (is_container(source) && is_indicator(target))
				rc = tie(im, source, target);
		} else if (strncmp(id, "report--", 8) == 0 || strncmp(id, "grouping--", 10) == 0) {
			refs = json_object_get(obj, "object_refs");
			if (refs != NULL && !json_is_array(refs))
				return hr_error_set(im->err, HR_E_INVALID, "stix",
						    "%.80s: 'object_refs' is not an array", id);
			json_array_foreach(refs, j, r)
			{
				if (!json_is_string(r) ||
				    !stix_id_valid(json_string_value(r), NULL))
					return hr_error_set(im->err, HR_E_INVALID, "stix",
							    "%.80s: object_refs[%zu] is not a "
							    "STIX id",
							    id, j);
				if (is_indicator(json_string_value(r)) &&
				    (rc = tie(im, id, json_string_value(r))) != HR_OK)
					return rc;
			}
			/* an empty report is still one: make it known as a container */
			if (json_object_get(im->members, id) == NULL &&
			    json_object_set_new(im->members, id, json_object()) != 0)
				return HR_E_NOMEM;
		} else if (strncmp(id, "sighting--", 10) == 0) {
			if ((rc = ref_of(im, obj, id, "sighting_of_ref", &ref)) != HR_OK)
				return rc;
			count = json_object_get(obj, "count");
			if (!is_indicator(ref))
				continue;
			n = json_object_get(im->sightings, ref);
			if (json_object_set_new(
				im->sightings, ref,
				json_integer((n != NULL ? json_integer_value(n) : 0) +
					     (json_is_integer(count) &&
						      json_integer_value(count) >= 0 &&
						      json_integer_value(count) <= 999999999
						  ? json_integer_value(count)
						  : 1))) != 0)
				return HR_E_NOMEM;
		}
		if (rc != HR_OK)
			return rc;
	}
	return HR_OK;
}

static hr_status marking_level(struct import *im, const char *id, const char *ref, bool *found,
			       enum tlp *tlp)
{
	json_t *level;
	enum tlp t;

	if (ref == NULL)
		return hr_error_set(im->err, HR_E_INVALID, "stix",
				    "%.80s: a marking reference is not a string", id);
	level = json_object_get(im->markings, ref);
	if (level != NULL)
		t = (enum tlp)json_integer_value(level);
	else if (!stix_tlp_of_marking_id(ref, &t))
		return HR_OK; /* not a TLP marking we know of: it says nothing about TLP */
	*tlp = *found ? stix_tlp_max(*tlp, t) : t;
	*found = true;
	return HR_OK;
}

/* The most restricted TLP the object's markings name; *found false: none. */
static hr_status object_tlp(struct import *im, const json_t *obj, bool *found, enum tlp *tlp)
{
	const char *id = json_string_value(json_object_get(obj, "id"));
	json_t *refs = json_object_get(obj, "object_marking_refs");
	json_t *granular = json_object_get(obj, "granular_markings"), *v;
	size_t i;
	hr_status rc;

	*found = false;
	if ((refs != NULL && !json_is_array(refs)) ||
	    (granular != NULL && !json_is_array(granular)))
		return hr_error_set(im->err, HR_E_INVALID, "stix",
				    "%.80s: its markings are not arrays", id);
	json_array_foreach(refs, i, v)
	{
		if ((rc = marking_level(im, id, json_string_value(v), found, tlp)) != HR_OK)
			return rc;
	}
	json_array_foreach(granular, i, v)
	{
		json_t *ref = json_object_get(v, "marking_ref");
		if (ref == NULL)
			continue; /* a language marking */
		if ((rc = marking_level(im, id, json_string_value(ref), found, tlp)) != HR_OK)
			return rc;
	}
	return HR_OK;
}

static hr_status add_one(struct import *im, json_t *out, const json_t *base, const char *uuid,
			 const char *type, const char *value, const char *stix_id)
{
	json_t *ind;

	if (strlen(value) > NCCC_VALUE_MAX)
		return hr_error_set(im->err, HR_E_INVALID, "stix",
				    "%.80s: a value is longer than %d bytes", stix_id,
				    NCCC_VALUE_MAX);
	if (++im->indicators > NCCC_INDICATORS_MAX)
		return hr_error_set(im->err, HR_E_TOO_LARGE, "stix",
				    "more than %d indicators in one import", NCCC_INDICATORS_MAX);
	if ((ind = json_deep_copy(base)) == NULL)
		return HR_E_NOMEM;
	if (json_object_set_new(ind, "id", json_string(uuid)) != 0 ||
	    json_object_set_new(ind, "type", json_string(type)) != 0 ||
	    json_object_set_new(ind, "value", json_string(value)) != 0) {
		json_decref(ind);
		return HR_E_NOMEM;
	}
	return json_array_append_new(out, ind) == 0 ? HR_OK : HR_E_NOMEM;
}

/* The canonical indicators of one STIX indicator, appended to out. */
static hr_status read_indicator(struct import *im, const json_t *obj, enum tlp floor, json_t *out)
{
	const char *id = json_string_value(json_object_get(obj, "id"));
	const char *pattern, *pattern_type, *description, *name;
	char first_seen[STIX_TIMESTAMP_MAX], uuid[STIX_UUID_LEN + 1], sub[STIX_UUID_LEN + 1];
	json_t *base = NULL, *pairs = NULL, *pair, *count;
	enum tlp tlp;
	bool found;
	size_t i;
	hr_status rc;

	if ((rc = opt_string(im, obj, id, "pattern_type", &pattern_type)) != HR_OK ||
	    (rc = opt_string(im, obj, id, "pattern", &pattern)) != HR_OK ||
	    (rc = opt_string(im, obj, id, "description", &description)) != HR_OK ||
	    (rc = opt_string(im, obj, id, "name", &name)) != HR_OK ||
	    (rc = opt_time(im, obj, id, "valid_from", first_seen)) != HR_OK ||
	    (rc = object_tlp(im, obj, &found, &tlp)) != HR_OK)
		return rc;
	/* YARA, Sigma, Snort...: not STIX patterns, and nothing the model can hold */
	if (pattern_type != NULL && strcmp(pattern_type, "stix") != 0)
		return HR_OK;
	if (pattern == NULL)
		return hr_error_set(im->err, HR_E_INVALID, "stix", "%.80s has no pattern", id);
	if (strlen(pattern) > STIX_PATTERN_MAX)
		return hr_error_set(im->err, HR_E_INVALID, "stix",
				    "%.80s: the pattern is longer than %d bytes", id,
				    STIX_PATTERN_MAX);
	if ((rc = stix_pattern_read(pattern, strlen(pattern), &pairs, im->err)) != HR_OK) {
		hr_error_prefix(im->err, "%.80s", id);
		return rc;
	}
	if (!found)
		tlp = stix_tlp_max(TLP_AMBER, floor);
	snprintf(uuid, sizeof(uuid), "%s", id + strlen("indicator--"));
	for (char *p = uuid; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	rc = HR_E_NOMEM;
	if ((base = json_pack("{s:s}", "tlp", tlp_name(tlp))) == NULL)
		goto fail;
	if (first_seen[0] != '\0' &&
	    json_object_set_new(base, "first_seen", json_string(first_seen)) != 0)
		goto fail;
	if (description == NULL || description[0] == '\0')
		description = name;
	if (description != NULL && description[0] != '\0' &&
	    json_object_set_new(base, "comment", string_cut(description, NCCC_SUMMARY_MAX)) != 0)
		goto fail;
	count = json_object_get(im->sightings, id);
	if (count != NULL && json_integer_value(count) > 0 &&
	    json_object_set_new(base, "sightings", json_integer(json_integer_value(count))) != 0)
		goto fail;
	if (pairs == NULL) {
		if (strlen(pattern) > NCCC_VALUE_MAX) {
			rc = hr_error_set(im->err, HR_E_INVALID, "stix",
					  "%.80s: the pattern is longer than %d bytes", id,
					  NCCC_VALUE_MAX);
			goto fail;
		}
		rc = add_one(im, out, base, uuid, "stix-pattern", pattern, id);
		goto fail;
	}
	json_array_foreach(pairs, i, pair)
	{
		const char *type = json_string_value(json_object_get(pair, "type"));
		const char *value = json_string_value(json_object_get(pair, "value"));
		char name_of[64 + NCCC_VALUE_MAX];

		/* the first keeps the STIX id, the others derive one from it */
		if (i > 0) {
			snprintf(name_of, sizeof(name_of), "%s:%s", type, value);
			if ((rc = uuid_v5(uuid, name_of, strlen(name_of), sub)) != HR_OK)
				goto fail;
		}
		if ((rc = add_one(im, out, base, i == 0 ? uuid : sub, type, value, id)) != HR_OK)
			goto fail;
	}
	rc = HR_OK;
fail:
	json_decref(pairs);
	json_decref(base);
	return rc;
}

/* labels "rsit:<class>", "hromada-level:<n>", "nis2-significant" (stix_export.c). */
static void read_labels(const json_t *obj, json_t *incident)
{
	json_t *labels = json_object_get(obj, "labels"), *v;
	size_t i;

	json_array_foreach(labels, i, v)
	{
		const char *label = json_string_value(v);
		if (label == NULL)
			continue;
		if (strncmp(label, "rsit:", 5) == 0 && label[5] != '\0' &&
		    strlen(label + 5) <= CLASS_MAX)
			json_object_set_new(incident, "class", json_string(label + 5));
		else if (strncmp(label, "hromada-level:", 14) == 0 && label[14] >= '0' &&
			 label[14] <= '0' + NCCC_LEVEL_MAX && label[15] == '\0')
			json_object_set_new(incident, "level", json_integer(label[14] - '0'));
		else if (strcmp(label, "nis2-significant") == 0)
			json_object_set_new(incident, "nis2_significant", json_true());
	}
}

static json_t *incident_new(struct import *im, const char *external_id, const char *detected,
			    enum tlp tlp, json_t *indicators)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "origin", "stix", "reporter",
			 im->partner, "external_id", external_id, "detected_at", detected, "tlp",
			 tlp_name(tlp), "indicators", indicators);
}

static hr_status read_container(struct import *im, const json_t *obj, json_t *incidents)
{
	const char *id = json_string_value(json_object_get(obj, "id"));
	const char *description, *name;
	char detected[STIX_TIMESTAMP_MAX], published[STIX_TIMESTAMP_MAX], summary[200];
	json_t *indicators, *incident, *set = json_object_get(im->members, id), *ind;
	const char *ind_id;
	json_t *flag;
	enum tlp tlp;
	bool found;
	hr_status rc;

	if ((rc = opt_string(im, obj, id, "description", &description)) != HR_OK ||
	    (rc = opt_string(im, obj, id, "name", &name)) != HR_OK ||
	    (rc = opt_time(im, obj, id, "created", detected)) != HR_OK ||
	    (rc = opt_time(im, obj, id, "published", published)) != HR_OK ||
	    (rc = object_tlp(im, obj, &found, &tlp)) != HR_OK)
		return rc;
	if (published[0] != '\0')
		memcpy(detected, published, sizeof(detected));
	if (detected[0] == '\0')
		return hr_error_set(im->err, HR_E_INVALID, "stix", "%.80s has no 'created'", id);
	if (!found)
		tlp = TLP_AMBER; /* the partner did not say: restricted */
	if ((indicators = json_array()) == NULL)
		return HR_E_NOMEM;
	json_object_foreach(set, ind_id, flag)
	{
		ind = json_object_get(im->index, ind_id);
		if (ind == NULL)
			continue; /* named but not sent: nothing to read */
		if ((rc = read_indicator(im, ind, tlp, indicators)) != HR_OK) {
			json_decref(indicators);
			return rc;
		}
	}
	if ((incident = incident_new(im, id, detected, tlp, indicators)) == NULL)
		return HR_E_NOMEM;
	if (description == NULL || description[0] == '\0')
		description = name;
	if (description == NULL || description[0] == '\0') {
		snprintf(summary, sizeof(summary), "STIX %.80s shared by %.80s", id, im->partner);
		description = summary;
	}
	if (json_object_set_new(incident, "summary", string_cut(description, NCCC_SUMMARY_MAX)) !=
	    0) {
		json_decref(incident);
		return HR_E_NOMEM;
	}
	read_labels(obj, incident);
	if (json_array_append_new(incidents, incident) != 0)
		return HR_E_NOMEM;
	return HR_OK;
}

/* The indicators no container holds, as one incident. */
static hr_status read_loose(struct import *im, json_t *incidents)
{
	char detected[STIX_TIMESTAMP_MAX] = "", created[STIX_TIMESTAMP_MAX], summary[400];
	const char *external_id = im->bundle_id, *id;
	json_t *indicators, *obj, *incident, *v;
	enum tlp tlp = TLP_CLEAR, t;
	size_t i, before;
	hr_status rc;

	if ((indicators = json_array()) == NULL)
		return HR_E_NOMEM;
	json_array_foreach(im->objects, i, obj)
	{
		id = json_string_value(json_object_get(obj, "id"));
		if (!is_indicator(id) || !current(im, obj) || json_object_get(im->tied, id) != NULL)
			continue;
		before = json_array_size(indicators);
		if ((rc = read_indicator(im, obj, TLP_CLEAR, indicators)) != HR_OK)
			goto fail;
		if (json_array_size(indicators) == before)
			continue;
		if (external_id == NULL)
			external_id = id;
		if ((rc = opt_time(im, obj, id, "created", created)) != HR_OK)
			goto fail;
		if (created[0] != '\0' && (detected[0] == '\0' || strcmp(created, detected) < 0))
			memcpy(detected, created, sizeof(detected));
	}
	if (json_array_size(indicators) == 0) {
		json_decref(indicators);
		return HR_OK;
	}
	json_array_foreach(indicators, i, v)
	{
		if (tlp_parse(json_string_value(json_object_get(v, "tlp")), &t, NULL) == HR_OK)
			tlp = stix_tlp_max(tlp, t);
	}
	if (detected[0] == '\0') {
		json_decref(indicators);
		return hr_error_set(im->err, HR_E_INVALID, "stix", "%.80s has no 'created'",
				    external_id);
	}
	snprintf(summary, sizeof(summary), "Indicators shared by %.100s in STIX (%.80s)",
		 im->partner, external_id);
	incident = incident_new(im, external_id, detected, tlp, indicators);
	if (incident == NULL)
		return HR_E_NOMEM;
	if (json_object_set_new(incident, "summary", json_string(summary)) != 0) {
		json_decref(incident);
		return HR_E_NOMEM;
	}
	return json_array_append_new(incidents, incident) == 0 ? HR_OK : HR_E_NOMEM;
fail:
	json_decref(indicators);
	return rc;
}

/* What the input holds: a bundle, an envelope, an array or one object. */
static hr_status find_objects(struct import *im, json_t *root)
{
	const char *type = json_string_value(json_object_get(root, "type"));
	json_t *objects;

	if (json_is_array(root)) {
		im->objects = json_incref(root);
	} else if (!json_is_object(root)) {
		return hr_error_set(im->err, HR_E_INVALID, "stix",
				    "the input is not a STIX bundle, object or TAXII envelope");
	} else if (type != NULL && strcmp(type, "bundle") == 0) {
		im->bundle_id = json_string_value(json_object_get(root, "id"));
		if (!stix_id_valid(im->bundle_id, "bundle"))
			return hr_error_set(im->err, HR_E_INVALID, "stix",
					    "the bundle's id is not bundle--<uuid>");
		objects = json_object_get(root, "objects");
		im->objects = objects == NULL ? json_array() : json_incref(objects);
	} else if (json_object_get(root, "type") != NULL) {
		im->objects = json_pack("[O]", root);
	} else {
		objects = json_object_get(root, "objects"); /* TAXII 2.1 §3.7 envelope */
		im->objects = objects == NULL ? json_array() : json_incref(objects);
	}
	if (im->objects == NULL)
		return HR_E_NOMEM;
	if (!json_is_array(im->objects))
		return hr_error_set(im->err, HR_E_INVALID, "stix", "'objects' is not an array");
	if (json_array_size(im->objects) > STIX_OBJECTS_MAX)
		return hr_error_set(im->err, HR_E_TOO_LARGE, "stix",
				    "more than %d objects in one import", STIX_OBJECTS_MAX);
	return HR_OK;
}

hr_status stix_bundle_parse(const void *data, size_t len, const char *partner, json_t **incidents,
			    struct hr_error *err)
{
	struct import im = {.partner = partner, .err = err};
	json_t *root = NULL, *out = NULL, *obj;
	size_t i;
	hr_status rc;

	*incidents = NULL;
	if (partner == NULL || partner[0] == '\0' || strlen(partner) > PARTNER_MAX)
		return hr_error_set(err, HR_E_INVALID, "stix",
				    "a partner of 1-%d bytes is required", PARTNER_MAX);
	if (len > STIX_BUNDLE_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, "stix",
				    "the STIX input is larger than %d bytes", STIX_BUNDLE_MAX);
	if ((rc = hr_json_parse(data, len, &root, err)) != HR_OK) {
		hr_error_prefix(err, "the STIX input");
		return rc;
	}
	if ((rc = find_objects(&im, root)) != HR_OK)
		goto fail;
	rc = HR_E_NOMEM;
	if ((im.index = json_object()) == NULL || (im.markings = json_object()) == NULL ||
	    (im.members = json_object()) == NULL || (im.tied = json_object()) == NULL ||
	    (im.sightings = json_object()) == NULL || (out = json_array()) == NULL)
		goto fail;
	if ((rc = check_objects(&im)) != HR_OK || (rc = read_markings(&im)) != HR_OK ||
	    (rc = read_links(&im)) != HR_OK)
		goto fail;
	json_array_foreach(im.objects, i, obj)
	{
		const char *id = json_string_value(json_object_get(obj, "id"));
		if (is_container(id) && current(&im, obj) &&
		    (rc = read_container(&im, obj, out)) != HR_OK)
			goto fail;
	}
	if ((rc = read_loose(&im, out)) != HR_OK)
		goto fail;
	*incidents = out;
	out = NULL;
fail:
	if (rc == HR_E_NOMEM)
		hr_error_set(err, rc, "stix", "out of memory reading STIX");
	json_decref(out);
	import_clear(&im);
	json_decref(root);
	return rc;
}
