/*
 * audit.h — the seam through which the gateway records every exchange before it
 * answers, and serves the proofs (DESIGN.md §6, RFC 9162).
 *
 * Behind it (audit.c): each exchange becomes an entry (src/audit/audit_entry.h:
 * who, which service, why, the person and the bodies as keyed hashes — never
 * personal data) appended durably to the Merkle log (src/audit/audit_log.h)
 * before audit_record() returns; a thread signs a tree head (tree_head.h) every
 * interval_ms, or sooner once `entries` new entries wait, and keeps each in
 * DIR/tree-heads. Proofs are made from stored subtree hashes, never by
 * rehashing.
 *
 * DIR holds: person.key and content.key (the HMAC keys, 32 random bytes, mode
 * 0600, created when missing), tree-head.pem (the certificate whose key signs
 * the heads: copied in at the first start, and a later start with another key
 * is refused, so the directory always says how to check itself), the log's
 * segments/, tree/, person.idx, and tree-heads.
 */
#ifndef HROMADA_AUDIT_AUDIT_H
#define HROMADA_AUDIT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "audit/audit_entry.h"
#include "audit/merkle.h"
#include "audit/tree_head.h"

#define AUDIT_HISTORY_MAX 100 /* entries in one access-history answer */

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
	const char *refused; /* a refused request: the refusal's reason code; NULL otherwise */
	uint64_t suppressed; /* with refused: refusals not recorded since the last one */
};

struct audit_options {
	const char *dir;
	const char *tree_head_key;         /* PEM, P-256 */
	const char *tree_head_certificate; /* PEM */
	int64_t interval_ms;               /* sign a head at least this often when entries wait */
	int64_t entries;                   /* ... or as soon as this many wait */
	/* where person.key and content.key are (made on first use): never dir,
	 * which auditors copy; NULL means dir (unit tests, old layouts) */
	const char *keys_dir;
};

hr_status audit_open(const struct audit_options *options, struct audit **out, struct hr_error *err);
void audit_close(struct audit *audit);
/*
 * Appends the entry durably; an error means the exchange must not be
 * answered. A user, issue or purpose over AUDIT_TEXT_MAX bytes is refused
 * rather than cut. *index (may be NULL) receives the entry's leaf index.
 * An entry naming a person gets its "seq": how many entries before it name
 * the same person, in log order (entries of one person are numbered under a
 * lock of their own, so concurrent appends cannot leave a gap or a repeat).
 */
hr_status audit_record(struct audit *audit, const struct audit_entry *entry, uint64_t *index,
		       struct hr_error *err);

/* HMAC-SHA-256 of a request or response body under the audit's content key:
 * comparable across records, never reversible by trying every person id. */
hr_status audit_content_hash(const struct audit *audit, const void *data, size_t len,
			     uint8_t out[32]);

/* The newest signed tree head. */
void audit_latest_head(struct audit *audit, struct tree_head *out);
/* Asks for a head to be signed now (it is, within the signing thread's next turn). */
void audit_publish_soon(struct audit *audit);
/* Asks for a head and waits (at most timeout_ms) until the newest covers entry
 * index. HR_E_BUSY when none did in time. */
hr_status audit_wait_signed(struct audit *audit, uint64_t index, int64_t timeout_ms,
			    struct hr_error *err);

/* Proofs against any tree_size up to the newest signed head's. HR_E_INVALID
 * (with a sentence) for indices and sizes outside it. */
hr_status audit_inclusion(struct audit *audit, uint64_t index, uint64_t tree_size,
			  uint8_t leaf_hash[MERKLE_HASH_LEN], uint8_t proof[][MERKLE_HASH_LEN],
			  size_t *count, struct hr_error *err);
hr_status audit_consistency(struct audit *audit, uint64_t first, uint64_t second,
			    uint8_t proof[][MERKLE_HASH_LEN], size_t *count, struct hr_error *err);

/*
 * A person's access history, newest first, at most max (≤ AUDIT_HISTORY_MAX)
 * entries older than before (UINT64_MAX: the newest):
 *	{"tree_head": {...}, "entries": [{"leaf_index": i, "entry": b64 bytes,
 *	  "fields": {...decoded...}, "inclusion": [b64...]}, ...], "pending": n,
 *	 "more": bool}
 * Entries newer than the signed head are not listed but counted in pending
 * (their proof comes with the next head). With read_index (not UINT64_MAX:
 * the entry that recorded this very reading, under the signed head) the
 * answer also holds "this_read": that entry, in the form of the others —
 * the anchor of the device's completeness check (access_history.h). Caller
 * decrefs *out.
 */
hr_status audit_history(struct audit *audit, const char *person, uint64_t before, size_t max,
			uint64_t read_index, json_t **out, struct hr_error *err);

#endif
