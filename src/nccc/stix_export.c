/*
 * stix_export.c — one canonical incident as STIX 2.1 objects (see stix.h for
 * the objects, ids and markings).
 *
 * The incident comes from the hub's own store, but it is still checked here
 * field by field: what leaves must be valid against the OASIS schemas, and a
 * bad field is an HR_E_INVALID naming it, never a malformed object on the
 * wire. Never: emit an object without its TLP marking (the TAXII routes
 * filter on it), or an id that changes between two exports of the same
 * incident.
 *
 * Ownership: objects built here are handed to the caller's array (it owns
 * them); struct export's seen map holds extra references, dropped at the end.
 */
#include "core/uuid.h"
#include "nccc/stix.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/documents.h"
#include "core/error.h"
#include "nccc/stix_internal.h"

/* The identities we derive never change, so they have one version, of this date. */
#define IDENTITY_CREATED "2026-01-01T00:00:00.000Z"
#define REPORTER_MAX     256
#define CLASS_MAX        128
#define SERVICE_MAX      256
#define STIX_COUNT_MAX   999999999 /* sighting count, number_observed (schemas) */

struct export
{
	json_t *objects;                   /* the caller's array */
	json_t *seen;                      /* id → object in objects (own reference) */
	char identity[STIX_ID_MAX];        /* the reporting organisation */
	char relationship_by[STIX_ID_MAX]; /* the producer, else the identity */
	char incident[STIX_ID_MAX];        /* incident--<id> */
	enum tlp tlp;                      /* the incident's */
	char created[STIX_TIMESTAMP_MAX];  /* reported_at */
	char modified[STIX_TIMESTAMP_MAX]; /* modified_at, never before created */
	char detected[STIX_TIMESTAMP_MAX]; /* detected_at */
	struct hr_error *err;
};

static hr_status field_string(const json_t *obj, const char *key, bool required, size_t max,
			      const char **out, const char *what, struct hr_error *err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return hr_error_set(err, HR_E_INVALID, "stix", "%s has no '%s'", what, key);
		return HR_OK;
	}
	if (!json_is_string(v) || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return hr_error_set(err, HR_E_INVALID, "stix",
				    "%s: '%s' must be a string of at most %zu bytes", what, key,
				    max);
	*out = json_string_value(v);
	return HR_OK;
}

/* A canonical timestamp field as STIX writes it; "" when absent. */
static hr_status field_time(const json_t *obj, const char *key, char out[STIX_TIMESTAMP_MAX],
			    const char *what, struct hr_error *err)
{
	const char *text;
	hr_status rc = field_string(obj, key, false, STIX_TIMESTAMP_MAX, &text, what, err);

	out[0] = '\0';
	if (rc != HR_OK || text == NULL)
		return rc;
	if (!stix_timestamp_write(text, out))
		return hr_error_set(err, HR_E_INVALID, "stix",
				    "%s: '%s' is not an RFC 3339 UTC timestamp", what, key);
	return HR_OK;
}

static void lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Appends obj (stolen) unless an object of its id is there already. */
static hr_status add(struct export *ex, json_t *obj)
{
	const char *id;

	if (obj == NULL)
		return HR_E_NOMEM;
	id = json_string_value(json_object_get(obj, "id"));
	if (id == NULL) {
		json_decref(obj);
		return HR_E_NOMEM; /* every object we build has one */
	}
	if (json_object_get(ex->seen, id) != NULL) {
		json_decref(obj);
		return HR_OK;
	}
	if (json_object_set(ex->seen, id, obj) != 0) {
		json_decref(obj);
		return HR_E_NOMEM;
	}
	return json_array_append_new(ex->objects, obj) == 0 ? HR_OK : HR_E_NOMEM;
}

static json_t *marking_refs(enum tlp tlp)
{
	return json_pack("[s]", stix_tlp_marking_id(tlp));
}

/* Adds the marking definition of tlp when it is not there yet. */
static hr_status use_marking(struct export *ex, enum tlp tlp)
{
	if (json_object_get(ex->seen, stix_tlp_marking_id(tlp)) != NULL)
		return HR_OK;
	return add(ex, stix_tlp_marking_new(tlp));
}

/* The common properties of an SDO or SRO we make: a new object, or NULL. */
static json_t *sdo_new(struct export *ex, const char *type, const char *id, const char *by,
		       enum tlp tlp)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "type", type, "spec_version", "2.1",
			 "id", id, "created", ex->created, "modified", ex->modified,
			 "created_by_ref", by, "object_marking_refs", marking_refs(tlp));
}

static hr_status add_identity(struct export *ex, const char *reporter)
{
	char organisation[MEMBER_ID_MAX], name[REPORTER_MAX + 16];
	const char *who = member_organisation(reporter, organisation, sizeof(organisation))
			      ? organisation
			      : reporter;
	hr_status rc;

	snprintf(name, sizeof(name), "identity:%s", who);
	if ((rc = stix_id_derive("identity", name, ex->identity, sizeof(ex->identity))) != HR_OK)
		return rc;
	return add(ex, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity",
				 "spec_version", "2.1", "id", ex->identity, "created",
				 IDENTITY_CREATED, "modified", IDENTITY_CREATED, "name", who,
				 "identity_class", "organization"));
}

static hr_status add_producer(struct export *ex, const json_t *producer)
{
	const char *id = json_string_value(json_object_get(producer, "id"));

	if (!json_is_object(producer) || !stix_id_valid(id, "identity"))
		return hr_error_set(ex->err, HR_E_INVALID, "stix",
				    "the producer must be a STIX identity object with an id");
	snprintf(ex->relationship_by, sizeof(ex->relationship_by), "%s", id);
	return add(ex, json_deep_copy(producer));
}

static hr_status add_incident(struct export *ex, const json_t *incident)
{
	const char *summary, *class, *service;
	json_t *obj = NULL, *labels = NULL, *v;
	char name[SERVICE_MAX + CLASS_MAX + 16], label[CLASS_MAX + 16];
	hr_status rc;

	if ((rc = field_string(incident, "summary", false, NCCC_SUMMARY_MAX, &summary,
			       "the incident", ex->err)) != HR_OK ||
	    (rc = field_string(incident, "class", false, CLASS_MAX, &class, "the incident",
			       ex->err)) != HR_OK ||
	    (rc = field_string(incident, "service", false, SERVICE_MAX, &service, "the incident",
			       ex->err)) != HR_OK)
		return rc;
	if (service != NULL && class != NULL)
		snprintf(name, sizeof(name), "%s (%s)", service, class);
	else if (service != NULL || class != NULL)
		snprintf(name, sizeof(name), "%s", service != NULL ? service : class);
	else
		snprintf(name, sizeof(name), "Incident %s", ex->incident + strlen("incident--"));
	if ((labels = json_array()) == NULL)
		return HR_E_NOMEM;
	if (class != NULL) {
		snprintf(label, sizeof(label), "rsit:%s", class);
		json_array_append_new(labels, json_string(label));
	}
	v = json_object_get(incident, "level");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > NCCC_LEVEL_MAX) {
			rc = hr_error_set(ex->err, HR_E_INVALID, "stix",
					  "the incident's 'level' must be an integer 0..%d",
					  NCCC_LEVEL_MAX);
			goto fail;
		}
		snprintf(label, sizeof(label), "hromada-level:%lld",
			 (long long)json_integer_value(v));
		json_array_append_new(labels, json_string(label));
	}
	if (json_is_true(json_object_get(incident, "nis2_significant")))
		json_array_append_new(labels, json_string("nis2-significant"));
	obj = sdo_new(ex, "incident", ex->incident, ex->identity, ex->tlp);
	if (obj == NULL || json_object_set_new(obj, "name", json_string(name)) != 0 ||
	    (summary != NULL && summary[0] != '\0' &&
	     json_object_set_new(obj, "description", json_string(summary)) != 0) ||
	    (json_array_size(labels) > 0 && json_object_set(obj, "labels", labels) != 0)) {
		rc = HR_E_NOMEM;
		goto fail;
	}
	json_decref(labels);
	return add(ex, obj);
fail:
	json_decref(labels);
	json_decref(obj);
	return rc;
}

/*
 * The Cyber-observable of (kind, value): its id is UUIDv5 over the JCS form
 * (RFC 8785: sorted keys, no spaces) of its id-contributing properties,
 * {"value": …} or {"hashes": {…}} (STIX 2.1 §2.9, §6). When another indicator
 * already brought it, it keeps the more restricted marking.
 */
static hr_status add_observable(struct export *ex, const struct stix_kind *kind, const char *value,
				enum tlp tlp, char sco_id[STIX_ID_MAX])
{
	json_t *props, *existing, *obj = NULL;
	char *canonical = NULL, uuid[STIX_UUID_LEN + 1];
	enum tlp before;
	hr_status rc = HR_E_NOMEM;

	props = kind->hash == NULL ? json_pack("{s:s}", "value", value)
				   : json_pack("{s:{s:s}}", "hashes", kind->hash, value);
	if (props == NULL)
		return HR_E_NOMEM;
	if ((canonical = json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		goto fail;
	if ((rc = uuid_v5(STIX_NAMESPACE, canonical, strlen(canonical), uuid)) != HR_OK)
		goto fail;
	snprintf(sco_id, STIX_ID_MAX, "%s--%s", kind->object, uuid);
	existing = json_object_get(ex->seen, sco_id);
	if (existing != NULL) {
		const char *ref = json_string_value(
		    json_array_get(json_object_get(existing, "object_marking_refs"), 0));
		if (!stix_tlp_of_marking_id(ref, &before) || before < tlp)
			json_object_set_new(existing, "object_marking_refs", marking_refs(tlp));
		rc = HR_OK;
		goto fail; /* done: nothing new to add */
	}
	obj = json_pack("{s:s, s:s, s:s, s:o}", "type", kind->object, "spec_version", "2.1", "id",
			sco_id, "object_marking_refs", marking_refs(tlp));
	rc = HR_E_NOMEM;
	if (obj == NULL || json_object_update(obj, props) != 0)
		goto fail;
	rc = add(ex, obj);
	obj = NULL;
fail:
	json_decref(obj);
	json_decref(props);
	free(canonical);
	return rc;
}

static hr_status add_relationship(struct export *ex, const char *type, const char *source,
				  const char *target, enum tlp tlp)
{
	char name[3 * STIX_ID_MAX], id[STIX_ID_MAX];
	json_t *obj;
	hr_status rc;

	snprintf(name, sizeof(name), "%s:%s:%s", type, source, target);
	if ((rc = stix_id_derive("relationship", name, id, sizeof(id))) != HR_OK)
		return rc;
	obj = sdo_new(ex, "relationship", id, ex->relationship_by, tlp);
	if (obj == NULL || json_object_set_new(obj, "relationship_type", json_string(type)) != 0 ||
	    json_object_set_new(obj, "source_ref", json_string(source)) != 0 ||
	    json_object_set_new(obj, "target_ref", json_string(target)) != 0) {
		json_decref(obj);
		return HR_E_NOMEM;
	}
	return add(ex, obj);
}

static hr_status add_indicator(struct export *ex, const json_t *ind, size_t index)
{
	char what[64], id[STIX_ID_MAX], name[STIX_ID_MAX + 2 * NCCC_VALUE_MAX];
	char valid_from[STIX_TIMESTAMP_MAX], sco[STIX_ID_MAX] = "", observed[STIX_ID_MAX];
	char pattern[2 * NCCC_VALUE_MAX + 128], sighting[STIX_ID_MAX];
	const char *type, *value, *uuid, *tlp_text, *comment;
	const struct stix_kind *kind;
	json_int_t sightings = 0;
	enum tlp tlp = ex->tlp;
	json_t *obj, *pairs, *v;
	hr_status rc;

	snprintf(what, sizeof(what), "indicator %zu", index);
	if (!json_is_object(ind))
		return hr_error_set(ex->err, HR_E_INVALID, "stix", "%s is not an object", what);
	if ((rc = field_string(ind, "type", true, 64, &type, what, ex->err)) != HR_OK ||
	    (rc = field_string(ind, "value", true, NCCC_VALUE_MAX, &value, what, ex->err)) !=
		HR_OK ||
	    (rc = field_string(ind, "id", false, STIX_UUID_LEN, &uuid, what, ex->err)) != HR_OK ||
	    (rc = field_string(ind, "tlp", false, 32, &tlp_text, what, ex->err)) != HR_OK ||
	    (rc = field_string(ind, "comment", false, NCCC_SUMMARY_MAX, &comment, what, ex->err)) !=
		HR_OK ||
	    (rc = field_time(ind, "first_seen", valid_from, what, ex->err)) != HR_OK)
		return rc;
	if (tlp_text != NULL && tlp_parse(tlp_text, &tlp, NULL) != HR_OK)
		return hr_error_set(ex->err, HR_E_INVALID, "stix", "%s: '%.40s' is not a TLP", what,
				    tlp_text);
	if (valid_from[0] == '\0')
		snprintf(valid_from, sizeof(valid_from), "%s", ex->detected);
	v = json_object_get(ind, "sightings");
	if (json_is_integer(v) && json_integer_value(v) > 0)
		sightings =
		    json_integer_value(v) < STIX_COUNT_MAX ? json_integer_value(v) : STIX_COUNT_MAX;
	kind = stix_kind_find(type);
	if (kind != NULL) {
		if (!stix_kind_value_valid(kind, value))
			return hr_error_set(ex->err, HR_E_INVALID, "stix",
					    "%s: '%.64s' is not a valid %s value", what, value,
					    type);
		if (stix_pattern_write(kind, value, pattern, sizeof(pattern)) != HR_OK)
			return hr_error_set(ex->err, HR_E_INVALID, "stix",
					    "%s: the value is too long", what);
	} else if (strcmp(type, "stix-pattern") == 0) {
		if ((rc = stix_pattern_read(value, strlen(value), &pairs, ex->err)) != HR_OK) {
			hr_error_prefix(ex->err, "%s", what);
			return rc;
		}
		json_decref(pairs);
		snprintf(pattern, sizeof(pattern), "%s", value);
	} else {
		return hr_error_set(ex->err, HR_E_INVALID, "stix",
				    "%s: '%.40s' is not an indicator type", what, type);
	}
	if (uuid != NULL) {
		if (!uuid_valid(uuid))
			return hr_error_set(ex->err, HR_E_INVALID, "stix", "%s: 'id' is not a UUID",
					    what);
		snprintf(id, sizeof(id), "indicator--%s", uuid);
		lower(id);
	} else {
		/* none yet (not stored): derive one that stays the same */
		snprintf(name, sizeof(name), "indicator:%s:%s:%s", ex->incident, type, value);
		if ((rc = stix_id_derive("indicator", name, id, sizeof(id))) != HR_OK)
			return rc;
	}
	if ((rc = use_marking(ex, tlp)) != HR_OK)
		return rc;
	if (kind != NULL && kind->observable) {
		if ((rc = add_observable(ex, kind, value, tlp, sco)) != HR_OK)
			return rc;
		snprintf(name, sizeof(name), "observed-data:%s", id);
		if ((rc = stix_id_derive("observed-data", name, observed, sizeof(observed))) !=
		    HR_OK)
			return rc;
		obj = sdo_new(ex, "observed-data", observed, ex->identity, tlp);
		if (obj == NULL ||
		    json_object_set_new(obj, "first_observed", json_string(valid_from)) != 0 ||
		    json_object_set_new(obj, "last_observed", json_string(valid_from)) != 0 ||
		    json_object_set_new(obj, "number_observed",
					json_integer(sightings > 0 ? sightings : 1)) != 0 ||
		    json_object_set_new(obj, "object_refs", json_pack("[s]", sco)) != 0) {
			json_decref(obj);
			return HR_E_NOMEM;
		}
		if ((rc = add(ex, obj)) != HR_OK)
			return rc;
	}
	obj = sdo_new(ex, "indicator", id, ex->identity, tlp);
	if (obj == NULL ||
	    json_object_set_new(obj, "name", json_string(kind != NULL ? value : "STIX pattern")) !=
		0 ||
	    (comment != NULL && comment[0] != '\0' &&
	     json_object_set_new(obj, "description", json_string(comment)) != 0) ||
	    json_object_set_new(obj, "pattern", json_string(pattern)) != 0 ||
	    json_object_set_new(obj, "pattern_type", json_string("stix")) != 0 ||
	    json_object_set_new(obj, "pattern_version", json_string("2.1")) != 0 ||
	    json_object_set_new(obj, "valid_from", json_string(valid_from)) != 0) {
		json_decref(obj);
		return HR_E_NOMEM;
	}
	if ((rc = add(ex, obj)) != HR_OK)
		return rc;
	if (sco[0] != '\0' && (rc = add_relationship(ex, "based-on", id, observed, tlp)) != HR_OK)
		return rc;
	if ((rc = use_marking(ex, stix_tlp_max(tlp, ex->tlp))) != HR_OK ||
	    (rc = add_relationship(ex, "related-to", id, ex->incident,
				   stix_tlp_max(tlp, ex->tlp))) != HR_OK)
		return rc;
	if (sightings == 0)
		return HR_OK;
	snprintf(name, sizeof(name), "sighting:%s", id);
	if ((rc = stix_id_derive("sighting", name, sighting, sizeof(sighting))) != HR_OK)
		return rc;
	obj = sdo_new(ex, "sighting", sighting, ex->identity, tlp);
	if (obj == NULL || json_object_set_new(obj, "sighting_of_ref", json_string(id)) != 0 ||
	    json_object_set_new(obj, "count", json_integer(sightings)) != 0 ||
	    json_object_set_new(obj, "first_seen", json_string(valid_from)) != 0 ||
	    json_object_set_new(obj, "where_sighted_refs", json_pack("[s]", ex->identity)) != 0 ||
	    (sco[0] != '\0' &&
	     json_object_set_new(obj, "observed_data_refs", json_pack("[s]", observed)) != 0)) {
		json_decref(obj);
		return HR_E_NOMEM;
	}
	return add(ex, obj);
}

hr_status stix_objects_from_incident(const json_t *incident, const json_t *producer,
				     json_t *objects, struct hr_error *err)
{
	struct export ex = {.objects = objects, .err = err};
	const char *uuid, *reporter, *tlp_text;
	json_t *indicators, *v;
	size_t i;
	hr_status rc;

	if (!json_is_object(incident) || !json_is_array(objects))
		return hr_error_set(err, HR_E_INVALID, "stix",
				    "an incident must be an object, objects an array");
	if ((rc = field_string(incident, "id", true, STIX_UUID_LEN, &uuid, "the incident", err)) !=
		HR_OK ||
	    (rc = field_string(incident, "reporter", true, REPORTER_MAX, &reporter, "the incident",
			       err)) != HR_OK ||
	    (rc = field_string(incident, "tlp", true, 32, &tlp_text, "the incident", err)) !=
		HR_OK ||
	    (rc = field_time(incident, "reported_at", ex.created, "the incident", err)) != HR_OK ||
	    (rc = field_time(incident, "modified_at", ex.modified, "the incident", err)) != HR_OK ||
	    (rc = field_time(incident, "detected_at", ex.detected, "the incident", err)) != HR_OK)
		return rc;
	if (!uuid_valid(uuid))
		return hr_error_set(err, HR_E_INVALID, "stix", "the incident's id is not a UUID");
	if (reporter[0] == '\0')
		return hr_error_set(err, HR_E_INVALID, "stix", "the incident's reporter is empty");
	if (tlp_parse(tlp_text, &ex.tlp, NULL) != HR_OK)
		return hr_error_set(err, HR_E_INVALID, "stix",
				    "the incident's tlp '%.40s' is not a TLP 2.0 marking",
				    tlp_text);
	/* an import has no reported_at until stored: its detection is the best we know */
	if (ex.created[0] == '\0')
		memcpy(ex.created, ex.detected, sizeof(ex.created));
	if (ex.created[0] == '\0')
		return hr_error_set(err, HR_E_INVALID, "stix",
				    "the incident has neither reported_at nor detected_at");
	if (ex.detected[0] == '\0')
		memcpy(ex.detected, ex.created, sizeof(ex.detected));
	if (ex.modified[0] == '\0' || strcmp(ex.modified, ex.created) < 0)
		memcpy(ex.modified, ex.created, sizeof(ex.modified));
	indicators = json_object_get(incident, "indicators");
	if (indicators != NULL && !json_is_null(indicators) &&
	    (!json_is_array(indicators) || json_array_size(indicators) > NCCC_INDICATORS_MAX))
		return hr_error_set(err, HR_E_INVALID, "stix",
				    "the incident's indicators must be an array of at most %d",
				    NCCC_INDICATORS_MAX);
	snprintf(ex.incident, sizeof(ex.incident), "incident--%s", uuid);
	lower(ex.incident);

	if ((ex.seen = json_object()) == NULL)
		return HR_E_NOMEM;
	json_array_foreach(objects, i, v)
	{
		const char *id = json_string_value(json_object_get(v, "id"));
		if (id != NULL && json_object_set(ex.seen, id, v) != 0) {
			rc = HR_E_NOMEM;
			goto done;
		}
	}
	if ((rc = add_identity(&ex, reporter)) != HR_OK)
		goto done;
	memcpy(ex.relationship_by, ex.identity, sizeof(ex.identity));
	if (producer != NULL && (rc = add_producer(&ex, producer)) != HR_OK)
		goto done;
	if ((rc = use_marking(&ex, ex.tlp)) != HR_OK || (rc = add_incident(&ex, incident)) != HR_OK)
		goto done;
	json_array_foreach(indicators, i, v)
	{
		if ((rc = add_indicator(&ex, v, i)) != HR_OK)
			goto done;
	}
done:
	json_decref(ex.seen);
	if (rc == HR_E_NOMEM)
		hr_error_set(err, rc, "stix", "out of memory building STIX objects");
	return rc;
}
