/*
 * audit.h — the seam through which the gateway records every exchange before it
 * answers (DESIGN.md §6). The gateway calls audit_record() and refuses to
 * answer when it fails; what is behind the seam decides how the record is kept.
 *
 * Today's implementation (audit.c) writes one structured line per exchange to
 * the gateway's log: who, which service, why (legal basis or consent id), the
 * person as a keyed hash, the user and case, and SHA-256 hashes of request and
 * response — never personal data. The tamper-evident Merkle log of issue 5
 * replaces it behind the same function, with durable appends and proofs.
 */
#ifndef HROMADA_GATEWAY_AUDIT_H
#define HROMADA_GATEWAY_AUDIT_H

#include <stdint.h>

#include <hromada/status.h>

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
	uint8_t request_hash[32];
	uint8_t response_hash[32];
	unsigned status;
};

/* dir holds person.key, the key of the person hash, created (32 random bytes,
 * mode 0600) when missing. */
hr_status audit_open(const char *dir, struct audit **out, struct hr_error *err);
void audit_close(struct audit *audit);
hr_status audit_record(struct audit *audit, const struct audit_entry *entry, struct hr_error *err);

#endif
