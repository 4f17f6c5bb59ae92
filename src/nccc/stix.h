/*
 * stix.h — the hub's incidents (nccc_model.h) as STIX 2.1 objects and back,
 * for the TAXII 2.1 routes (DESIGN.md §5). Pure functions on jansson values:
 * no HTTP, no database, no clock (every timestamp comes from the incident or
 * the bundle, so the same incident always gives the same objects).
 *
 * Export (stix_export.c), for one incident:
 *	identity            the reporting organisation (identity_class
 *	                    "organization", name = its COUNTRY/CLASS/CODE, or the
 *	                    reporter id when that is not a member id)
 *	marking-definition  the TLP 2.0 markings it uses, in the form of OASIS's
 *	                    TLP 2.0 extension (extension-definition--60a3c5c5-...)
 *	incident            incident--<incident id>; name from class and service,
 *	                    description = summary, labels "rsit:<class>",
 *	                    "hromada-level:<level>", "nis2-significant"
 *	per indicator:
 *	  indicator         indicator--<indicator id>, a STIX pattern (below)
 *	  observed-data     with the Cyber-observable it saw (ipv4-addr, ipv6-addr,
 *	                    domain-name, url, email-addr, file, x509-certificate)
 *	  relationship      indicator related-to incident (STIX 2.1 §4 defines
 *	                    "indicates" only towards attack patterns, campaigns,
 *	                    malware and the like, never towards an incident), and
 *	                    indicator based-on observed-data
 *	  sighting          when the indicator says "sightings": N > 0
 *
 * Every object but the identity carries object_marking_refs: the incident's
 * TLP for the incident, the indicator's own TLP (the incident's when it has
 * none) for what belongs to the indicator, the more restricted of the two for
 * the relationship between them. A Cyber-observable is shared by every
 * indicator with its value (its id is derived from the value, STIX 2.1
 * §2.9), so it carries the most restricted marking of them all.
 *
 * Patterns:
 *	ipv4-addr ... email-addr    [ipv4-addr:value = '203.0.113.7']
 *	file:sha256 (md5, sha1, sha512)
 *	                            [file:hashes.'SHA-256' = '<hex>']
 *	x509-certificate:sha256     [x509-certificate:hashes.'SHA-256' = '<hex>']
 *	hromada-member              [x-hromada-member:value = 'UA/GOV/00015622/x']
 *	hromada-leak-fingerprint    [x-hromada-leak-fingerprint:value = '<hex>']
 *	stix-pattern                the pattern itself
 * STIX has no Cyber-observable for a member id or a leaked dump: the two
 * custom object types are legal in patterns (STIX 2.1 §9: any object type
 * name), need no extension definition there, and read back to the same
 * indicator type; no observed-data goes with them.
 *
 * Ids: SDOs take the canonical uuid (incident--<id>, indicator--<id>);
 * Cyber-observables are UUIDv5 in the STIX namespace over their
 * id-contributing properties (STIX 2.1 §2.9); everything else we derive
 * (identity, observed-data, relationship, sighting) is UUIDv5 in the same
 * namespace over a name that says what it is ("observed-data:indicator--…").
 *
 * Import (stix_import.c) reads an untrusted bundle, a TAXII envelope, an
 * array of objects or a single object into canonical incidents (origin
 * "stix", reporter = the partner, external_id = the STIX id it came from):
 * each incident, report and grouping becomes one incident holding the
 * indicators tied to it (relationships either way; object_refs), and the
 * indicators tied to none become one more incident (external_id the bundle's
 * id, or the first such indicator's id when there is no bundle).
 *
 * TLP on import: object_marking_refs and granular_markings naming the fixed
 * TLP 2.0 or TLP 1.0 marking definitions, or a marking definition of the
 * bundle that is a TLP one (definition_type "tlp", or the TLP 2.0
 * extension); the most restricted wins. No TLP marking at all reads as
 * TLP:AMBER: restricted, since the partner did not say otherwise (an
 * indicator: TLP:AMBER or its incident's marking, the more restricted). A
 * TLP marking definition of an unknown level is refused.
 *
 * Never: follow a reference outside the input, or trust a size from it; an
 * import stops at STIX_OBJECTS_MAX objects and NCCC_INDICATORS_MAX
 * indicators, and nesting is bounded by jansson's parser (2048 levels).
 */
#ifndef HROMADA_NCCC_STIX_H
#define HROMADA_NCCC_STIX_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include <hromada/status.h>

#include "nccc/nccc_model.h"

#define STIX_OBJECTS_MAX   100000             /* objects in one import */
#define STIX_BUNDLE_MAX    (64 * 1024 * 1024) /* bytes of one import */
#define STIX_PATTERN_MAX   65536              /* bytes of a pattern we read */
#define STIX_ID_MAX        300                /* "type--uuid" and its NUL */
#define STIX_TIMESTAMP_MAX 40

/* The STIX 2.1 namespace for deterministic Cyber-observable ids (§2.9). */
#define STIX_NAMESPACE "00abedb4-aa42-466c-9c01-fed23315a9b7"
/* OASIS's TLP 2.0 marking extension (cti-stix-common-objects). */
#define STIX_TLP2_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/*
 * Appends to the array objects the STIX objects of one canonical incident
 * (see above). producer: NULL, or the hub's own identity object, which is
 * then appended too and made created_by_ref of the relationships. Objects
 * already in the array (an identity, a marking, a Cyber-observable another
 * incident shares) are not appended twice. The new objects belong to the
 * array. On failure objects may hold part of this incident's objects:
 * callers discard the array. HR_E_INVALID (stage "stix") names what is wrong.
 */
hr_status stix_objects_from_incident(const json_t *incident, const json_t *producer,
				     json_t *objects, struct hr_error *err);

/*
 * Parses len bytes of untrusted STIX 2.1 JSON shared by partner (a member id
 * or a partner's name) into *incidents, a new JSON array of canonical
 * incidents the caller owns (json_decref). HR_E_INVALID names the object that
 * is malformed, HR_E_TOO_LARGE a limit passed; *incidents is then NULL.
 */
hr_status stix_bundle_parse(const void *data, size_t len, const char *partner, json_t **incidents,
			    struct hr_error *err);

/* The fixed marking definition of a TLP 2.0 level: "marking-definition--…". */
const char *stix_tlp_marking_id(enum tlp tlp);
/* That marking definition as an object (new reference, the caller's). */
json_t *stix_tlp_marking_new(enum tlp tlp);

#endif
