/*
 * audit_log.h — durable, append-only storage of the audit entries and of the
 * Merkle tree over them (DESIGN.md §6, RFC 9162). The gateway appends one entry
 * per exchange and answers only after audit_log_append() returned: the entry is
 * then on disk (fdatasync) and will survive a crash of the process or machine.
 *
 * Entries are opaque bytes here (audit_entry.c gives them their meaning); the
 * leaf of entry i is merkle_leaf_hash(entry i). Each entry may name a person as
 * a 32-byte keyed hash, for the lookups of a citizen's access history.
 *
 * On disk, under DIR:
 *   segments/NNNNNNNNNNNNNNNNNNNN.seg  the entries (authoritative; NNN… = index of
 *       the first entry, 20 digits), one record each, laid out as
 *       audit_segment.h describes. A new segment is begun when the current
 *       one reaches AUDIT_SEGMENT_BYTES.
 *   tree/level-NN  (derived) the stored perfect-subtree hashes of level NN, 32
 *       bytes each, in index order (see merkle.h)
 *   tree/checkpoint  (derived) the entry count up to which tree/ and the person
 *       index were last made durable (u64 le count, u32 le CRC-32 of those 8
 *       bytes; replaced by rename)
 *   person.idx  (derived) per entry, its person hash's first 16 bytes
 *
 * Durability: concurrent appenders share one fdatasync of the segment (group
 * commit): each waits until a sync that began after its write has finished.
 * Derived files are written without waiting and made durable by
 * audit_log_checkpoint(); at open, whatever the checkpoint does not cover is
 * recomputed from the segments.
 *
 * Recovery (audit_log_open): a torn tail of the LAST segment (short record, bad
 * length or CRC, with no valid chain of records after it: audit_segment.h's
 * rule) is cut off — it can only hold entries that were never acknowledged.
 * Damage anywhere else is refused with HR_E_INVALID naming the entry: it is
 * tampering or media failure, and `hromada audit verify` says more.
 *
 * Thread safety: every function may be called from any thread concurrently.
 */
#ifndef HROMADA_AUDIT_AUDIT_LOG_H
#define HROMADA_AUDIT_AUDIT_LOG_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "audit/audit_segment.h" /* AUDIT_ENTRY_MAX, AUDIT_PERSON_LEN: a record's limits */
#include "audit/merkle.h"
#include "core/buf.h"

#define AUDIT_SEGMENT_BYTES (64u * 1024u * 1024u)

struct audit_log;

/* Opens (creating DIR's subdirectories when missing) and recovers. */
hr_status audit_log_open(const char *dir, struct audit_log **out, struct hr_error *err);

/* Settings of audit_log_open_options; zero means the default. */
struct audit_log_options {
	/* a new segment is begun when the current one reaches this size; 1 .. 1 GiB,
	 * default AUDIT_SEGMENT_BYTES (tests use small ones to exercise rotation) */
	uint64_t segment_bytes;
};

/* audit_log_open with settings; options may be NULL (all defaults). */
hr_status audit_log_open_options(const char *dir, const struct audit_log_options *options,
				 struct audit_log **out, struct hr_error *err);
/* Writes a checkpoint, then frees. NULL is allowed. */
void audit_log_close(struct audit_log *log);

/*
 * Appends one entry and returns once it is durable; *index is its leaf index.
 * person is AUDIT_PERSON_LEN bytes or NULL. An error means the entry is not in
 * the log (and never will be: the log refuses further appends after an I/O
 * error, HR_E_IO, rather than leave a hole).
 */
hr_status audit_log_append(struct audit_log *log, const void *entry, size_t len,
			   const uint8_t *person, uint64_t *index, struct hr_error *err);

/*
 * audit_log_append in two steps, for a caller that must order something
 * against the log without waiting for the disk under its own lock: write
 * places the entry (its index is final, *index) but returns before it is
 * durable; wait returns once entry index is. An entry is acknowledged only
 * after wait returned HR_OK.
 */
hr_status audit_log_write(struct audit_log *log, const void *entry, size_t len,
			  const uint8_t *person, uint64_t *index, struct hr_error *err);
hr_status audit_log_wait(struct audit_log *log, uint64_t index, struct hr_error *err);

/* How many entries written so far (durable or not) name person. */
uint64_t audit_log_person_count(struct audit_log *log, const uint8_t person[AUDIT_PERSON_LEN]);

/* The number of durable entries (every one acknowledged) and MTH over them. */
hr_status audit_log_head(struct audit_log *log, uint64_t *size, uint8_t root[MERKLE_HASH_LEN],
			 struct hr_error *err);

/* Entry index's bytes into out (reset first). HR_E_NOT_FOUND past the head. */
hr_status audit_log_entry(struct audit_log *log, uint64_t index, struct buf *out,
			  struct hr_error *err);

/* Stored nodes for merkle_root / merkle_*_proof, valid while log is open. */
struct merkle_source audit_log_source(struct audit_log *log);

/*
 * Durable entries naming person, newest first: up to max indices into
 * indices, *count of them. Entries older than before (exclusive) only; pass
 * UINT64_MAX for the newest.
 */
hr_status audit_log_person(struct audit_log *log, const uint8_t person[AUDIT_PERSON_LEN],
			   uint64_t before, uint64_t *indices, size_t max, size_t *count,
			   struct hr_error *err);

/* Makes the derived files durable up to the current head (called by the tree-head signer). */
hr_status audit_log_checkpoint(struct audit_log *log, struct hr_error *err);

#endif
