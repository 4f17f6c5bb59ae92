/*
 * audit_entry.h — what one audit log entry says, and its bytes (the Merkle leaf
 * is SHA-256(0x00 || these bytes), RFC 9162).
 *
 * An entry is a deterministic CBOR map (RFC 8949 §4.2.1) with text keys:
 *
 *	v            1
 *	time         seconds since the epoch
 *	status       the provider's HTTP status
 *	client       member id of who asked       provider  member id of who answered
 *	service      e.g. "lookup"                 purpose   e.g. "police-document-check"
 *	legal_basis  when the access right names one   consent  the consent's jti otherwise
 *	user         Hromada-User                  issue     Hromada-Issue (optional)
 *	person       base64url HMAC-SHA-256 of the person id under the gateway's key (optional)
 *	request, response  base64url HMAC-SHA-256 of the bodies under the gateway's key
 *	seq          with person: how many earlier entries of the log name the same
 *	             person (0, 1, 2, ...: the per-person chain a citizen's device
 *	             checks for gaps; docs/AUDIT.md "Per-person sequence")
 *	refused      a request refused before any exchange: the reason code of the
 *	             signed refusal ("denied", "unauthorized", ...), status its status
 *	suppressed   with refused: refusals not recorded since the previous refused
 *	             entry (the log's flood bound; optional, > 0)
 *
 * No personal data in clear: the person and the bodies are keyed hashes, so an
 * entry can be published with its proof, and a citizen's device can decode it.
 * Text fields are at most AUDIT_TEXT_MAX bytes (refused, never cut).
 */
#ifndef HROMADA_AUDIT_AUDIT_ENTRY_H
#define HROMADA_AUDIT_AUDIT_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "core/buf.h"

#define AUDIT_ENTRY_VERSION 1
#define AUDIT_TEXT_MAX      256 /* Hromada-User, -Issue, -Purpose, ids: bytes */
#define AUDIT_HASH_LEN      32

struct audit_entry_fields {
	const char *client;
	const char *provider;
	const char *service;
	const char *purpose;
	const char *legal_basis; /* or NULL */
	const char *consent_id;  /* or NULL */
	const char *user;
	const char *issue;          /* or NULL */
	const uint8_t *person_hash; /* AUDIT_HASH_LEN bytes, or NULL */
	const uint8_t *request_hash;
	const uint8_t *response_hash;
	int64_t time;
	unsigned status;
	int64_t seq;         /* with person_hash: earlier entries of that person; -1: none */
	const char *refused; /* or NULL: an exchange */
	uint64_t suppressed; /* with refused; 0: not written */
};

/* Appends the entry's bytes to out. HR_E_INVALID for a missing required field
 * or a text over AUDIT_TEXT_MAX. Stage "audit". */
hr_status audit_entry_encode(const struct audit_entry_fields *fields, struct buf *out,
			     struct hr_error *err);

/* An entry's bytes as a JSON object (caller decrefs), checked to be exactly
 * what audit_entry_encode writes: deterministic, version 1, known keys only. */
hr_status audit_entry_decode(const void *data, size_t len, json_t **out, struct hr_error *err);

#endif
