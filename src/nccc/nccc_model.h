/*
 * nccc_model.h — what the national cyber coordination centre holds, in the one
 * form its parts exchange: an incident (reported by a member, or imported from a
 * partner's MISP event or STIX bundle) as a JSON object. The HTTP API serves it
 * (GET /v1/incidents/{id}); the MISP feed (misp.c) and the STIX/TAXII server
 * (stix.c) are built from it; imports (misp.c, stix.c) produce it. Keeping one
 * form means one set of checks (incident.c) stands between input and store.
 *
 * An incident:
 *
 *	{"id": "<uuid v4, lower case>",
 *	 "origin": "reported" | "misp" | "stix",
 *	 "reporter": "UA/GOV/00015622/driver_licence",   member id: who reported or
 *	                                                  which partner shared it
 *	 "organisation": "UA/GOV/00015622",               the reporter's COUNTRY/CLASS/CODE
 *	 "country": "UA",
 *	 "detected_at": "2026-12-06T10:00:00Z",          RFC 3339 UTC, seconds
 *	 "reported_at": "...",  "modified_at": "...",
 *	 "level": 0..5,              Resolution 1533 (2025): 0 white (non-critical) .. 5 black
 *	 "class": "availability:ddos",   ENISA RSIT "class" or "class:type"
 *	 "service": "...", "summary": "...",
 *	 "nis2_significant": bool,
 *	 "tlp": "TLP:AMBER",          TLP 2.0 of the incident as a whole
 *	 "share_with": ["PL/GOV/00000006/cert"],   who may see it at TLP:AMBER
 *	 "indicators": [{"id": "<uuid>", "type": "ipv4-addr", "value": "203.0.113.7",
 *	                 "tlp": "TLP:GREEN", "first_seen": "...", "comment": "..."}],
 *	 "reports": [...], "deadlines": [...], "overdue": [...]}   (reported ones only)
 *
 * An import carries "origin", "reporter" (the partner), "detected_at",
 * "summary", "tlp", "indicators" and, when the source says, "class" and
 * "level"; "external_id" keeps the source's own id (MISP event uuid, STIX
 * object id) so a second import of the same thing is recognised.
 *
 * Indicator types (DESIGN.md §5), as STIX names them where STIX has a name:
 *	ipv4-addr ipv6-addr domain-name url email-addr
 *	file:md5 file:sha1 file:sha256 file:sha512
 *	x509-certificate:sha256     a certificate's SHA-256 fingerprint
 *	hromada-member              a member id (COUNTRY/CLASS/CODE/SUBSYSTEM)
 *	hromada-leak-fingerprint    a leaked dump's fingerprint (sha256 hex)
 *	stix-pattern                a STIX pattern we keep whole but do not index
 */
#ifndef HROMADA_NCCC_MODEL_H
#define HROMADA_NCCC_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <hromada/status.h>

/* TLP 2.0 (FIRST, 2022), from least to most restricted. */
enum tlp {
	TLP_CLEAR,
	TLP_GREEN,
	TLP_AMBER,
	TLP_AMBER_STRICT,
	TLP_RED,
};

#define NCCC_INDICATORS_MAX 10000 /* in one incident or import */
#define NCCC_VALUE_MAX      2048  /* bytes of an indicator's value */
#define NCCC_SUMMARY_MAX    16384 /* bytes of a summary or a stage's text */
#define NCCC_SHARE_WITH_MAX 64
#define NCCC_LEVEL_MAX      5

/* "TLP:AMBER+STRICT" (also "amber+strict", "TLP:WHITE" = CLEAR as TLP 1.0
 * said) → *out; HR_E_INVALID with a sentence for anything else. Stage "nccc". */
hr_status tlp_parse(const char *text, enum tlp *out, struct hr_error *err);
/* "TLP:CLEAR", ... */
const char *tlp_name(enum tlp tlp);

/*
 * Who is reading, for the sharing rules (DESIGN.md §5): a member (its
 * organisation is its id's COUNTRY/CLASS/CODE) and whether it is its country's
 * CERT. Only members with a sharing agreement (partners) or of the hub's own
 * community ever get this far: the caller checks that first.
 */
struct tlp_reader {
	const char *member; /* NULL: anonymous, sees TLP:CLEAR only */
	bool country_cert;  /* its country's CERT: AMBER of its country's reporters */
};

/* The incident facts the rules need. */
struct tlp_subject {
	const char *reporter;          /* member id */
	const char *const *share_with; /* member ids */
	size_t share_with_count;
};

/*
 * May reader see something marked tlp that belongs to subject?
 *	RED           never leaves the hub (the reporter itself still reads it)
 *	AMBER+STRICT  the reporter's own organisation only
 *	AMBER         that organisation, the reporter's country CERT, and the
 *	              partners the incident shares with
 *	GREEN         every partner and member of the community
 *	CLEAR         anyone
 */
bool tlp_visible(enum tlp tlp, const struct tlp_subject *subject, const struct tlp_reader *reader);

/* "UA/GOV/00015622/drivers" → "UA/GOV/00015622" in out; false when id is not a member id. */
bool member_organisation(const char *member, char *out, size_t size);

#endif
