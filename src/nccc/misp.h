/*
 * misp.h — the hub's incidents as MISP events and back (misp.c exports,
 * misp_import.c imports), in the MISP core format (draft-dulaunoy-misp-core-
 * format) and the MISP feed layout partners' MISP instances pull:
 *
 *	manifest.json   {"<event uuid>": misp_manifest_entry(event), ...}
 *	<uuid>.json     misp_event_from_incident(...)  = {"Event": {...}}
 *	hashes.csv      misp_hashes_append() of every event: "<md5 of value>,<uuid>"
 *
 * Pure functions on jansson values: no store, no HTTP, no TLP filtering (the
 * caller passes only what the reader may see: tlp_visible() first).
 *
 * Mappings (both directions; documented once here):
 *
 *	level (Resolution 1533)     threat_level_id    back
 *	0 white (non-critical)      4 undefined        4 -> no level
 *	1 green, 2 yellow           3 low              3 -> 1
 *	3 orange                    2 medium           2 -> 3
 *	4 red, 5 black              1 high             1 -> 4
 *
 *	TLP 2.0          event Tag            distribution (how far the receiving
 *	TLP:CLEAR        tlp:clear            3 all communities       MISP may pass it)
 *	TLP:GREEN        tlp:green            1 this community only
 *	TLP:AMBER        tlp:amber            0 your organisation only
 *	TLP:AMBER+STRICT tlp:amber+strict     0
 *	TLP:RED          tlp:red              0 (never exported by the hub)
 *	Imported: tlp:white is TLP:CLEAR; an event without a TLP tag is read as
 *	TLP:AMBER (the safe reading: shared with the hub, not beyond); several
 *	TLP tags: the most restrictive. An attribute's own TLP tag wins over the
 *	event's for that indicator.
 *
 *	class "a:b" <-> Tag rsit:a="b" (ENISA RSIT taxonomy); class "a" <-> rsit:a.
 *	Imported also from eCSIRT's ecsirt:a="b", RSIT's predecessor.
 *
 *	analysis: 2 completed when the incident has a final report ("reports"
 *	holds a stage "final"), 1 ongoing with any report, 0 initial otherwise.
 *
 *	indicator type              MISP type, category
 *	ipv4-addr, ipv6-addr        ip-dst, Network activity
 *	domain-name                 domain, Network activity
 *	url                         url, Network activity
 *	email-addr                  email-src, Payload delivery
 *	file:md5 / sha1 / sha256 / sha512   md5 / sha1 / sha256 / sha512, Payload delivery
 *	x509-certificate:sha256     x509-fingerprint-sha256, Network activity
 *	stix-pattern                stix2-pattern, Network activity
 *	hromada-member              text, Other, to_ids false, comment
 *	                            "hromada-member: ..." (MISP has no member id type)
 *	hromada-leak-fingerprint    sha256, Artifacts dropped, comment
 *	                            "hromada-leak-fingerprint: ..." (it is the SHA-256
 *	                            of the leaked dump, so MISP correlates it with files)
 *	The import reads those comments back, so export then import keeps the
 *	(type, value, tlp) of every indicator. It also reads ip-src, ip-src|port,
 *	ip-dst|port (the address: ipv4-addr or ipv6-addr by its form), hostname,
 *	hostname|port, domain|ip (the domain), email, email-dst, uri,
 *	filename|md5 and the other filename|hash pairs (the hash).
 */
#ifndef HROMADA_NCCC_MISP_H
#define HROMADA_NCCC_MISP_H

#include <stddef.h>

#include <jansson.h>

#include <hromada/status.h>

#include "core/buf.h"

/* At most this many events in one {"response": [...]} import. */
#define MISP_EVENTS_MAX 1000

/*
 * {"Event": {...}} for incident (the canonical form of nccc_model.h), with one
 * Attribute per indicator of indicators_visible (an array holding a subset of
 * the incident's "indicators"; NULL: all of them), Orgc {org_name, org_uuid}
 * (the hub). A new reference the caller json_decref()s; NULL when the
 * incident lacks an "id" or a valid "detected_at", or memory ran out.
 */
json_t *misp_event_from_incident(const json_t *incident, const json_t *indicators_visible,
				 const char *org_name, const char *org_uuid);

/*
 * The value manifest.json holds for event ({"Event": {...}} or the bare
 * event): {"Orgc", "Tag", "info", "date", "analysis", "threat_level_id",
 * "timestamp"}; the key is the event's "uuid". A new reference; NULL when the
 * event lacks one of them.
 */
json_t *misp_manifest_entry(const json_t *event);

/*
 * Appends event's hashes.csv lines to csv: "<md5 hex of the value>,<event
 * uuid>\n" for every attribute, those in Objects too; for a composite type
 * ("filename|sha256") one line per part of the value, as MISP does.
 * HR_E_INVALID when the event has no uuid or an attribute no string value;
 * csv's own status (HR_E_TOO_LARGE) when it is full.
 */
hr_status misp_hashes_append(const json_t *event, struct buf *csv, struct hr_error *err);

/*
 * Reads an untrusted MISP event from a partner: {"Event": {...}}, the bare
 * event, or {"response": [{"Event": {...}}, ...]} as MISP's REST API answers.
 * *incidents is always a JSON array of canonical incidents, one per event (in
 * the order given), each with "origin": "misp", "reporter": partner (a member
 * id), "organisation", "country", "external_id" (the event uuid),
 * "detected_at" (the event date, else its timestamp), "modified_at" (its
 * timestamp) when given, "summary" (info), "tlp", "class" and "level" when
 * the event says, "indicators" [{"id": attribute uuid, "type", "value"
 * (normalised), "tlp", "comment", "first_seen"}] and "skipped_attributes": how
 * many attributes were left out (a type we do not hold, a value its type
 * refuses, deleted).
 *
 * HR_E_INVALID (stage "misp", a sentence naming the event and attribute) for
 * what is not a MISP event: not JSON or not an object, no uuid or a bad one,
 * no info, no date or timestamp, Attribute or Object not an array, an
 * attribute without a string type or value or with a bad uuid, more than
 * NCCC_INDICATORS_MAX attributes in an event, a value longer than
 * NCCC_VALUE_MAX, more than MISP_EVENTS_MAX events. Nothing is returned then.
 */
hr_status misp_event_parse(const void *data, size_t len, const char *partner, json_t **incidents,
			   struct hr_error *err);

#endif
