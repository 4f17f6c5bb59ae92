/*
 * audit.h — the seam through which the gateway records every exchange before it
 * answers (DESIGN.md §6). The gateway calls audit_record() and refuses to
 * answer when it fails; what is behind the seam decides how the record is kept.
 *
 * Today's implementation (audit.c) writes one structured line per exchange to
 * the gateway's log, whatever its level: who, which service, why (legal basis
 * or consent id), the person and the bodies as keyed hashes, the user and case
 * — never personal data. The tamper-evident Merkle log of issue 5
 * replaces it behind the same function, with durable appends and proofs.
 */
#ifndef HROMADA_GATEWAY_AUDIT_H
#define HROMADA_GATEWAY_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#define AUDIT_TEXT_MAX 256 /* Hromada-User and Hromada-Issue, in bytes */

struct audit;

struct audit_entry {
	const char *client; /* member ids */
	const char *provider;
	const char *service;
	const char *purpose;
	const char *legal_basis; /* or NULL when consent was given */
	const char *consent_id;  /* the consent's jti, or NULL */
	const char *user;        /* Hromada-User: who triggered it */
	const char *issue;       /* Hromada-Issue: the case, or NULL */
	const char *person;      /* whose data; hashed before it is kept */
	int64_t time;
	uint8_t request_hash[32];  /* audit_content_hash of the bodies: keyed, because */
	uint8_t response_hash[32]; /* {"person":"UA:..."} is too small a space to hide in */
	unsigned status;
};

/* dir holds person.key and content.key, the keys of the person and body
 * hashes, created (32 random bytes, mode 0600) when missing. */
hr_status audit_open(const char *dir, struct audit **out, struct hr_error *err);
void audit_close(struct audit *audit);
/*
 * Writes the record; an error (it could not be written whole) means the
 * exchange must not be answered. Fixed-size fields come first, and a user or
 * issue over AUDIT_TEXT_MAX bytes is refused rather than cut.
 */
hr_status audit_record(struct audit *audit, const struct audit_entry *entry, struct hr_error *err);

/* HMAC-SHA-256 of a request or response body under the audit's content key:
 * comparable across records, never reversible by trying every person id. */
hr_status audit_content_hash(const struct audit *audit, const void *data, size_t len,
			     uint8_t out[32]);

#endif
