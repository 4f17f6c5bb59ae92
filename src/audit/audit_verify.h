/*
 * audit_verify.h — `hromada audit verify DIR`: an auditor's check of a copy of
 * a gateway's audit log, offline, without changing a byte of it.
 *
 * Recomputes every leaf from the entries in the segments (framing, CRC, the one
 * deterministic encoding, the person hash in the record matching the entry's),
 * every stored subtree hash in tree/ that a signed head vouches for, and every
 * signed tree head in DIR/tree-heads (signature under the tree-head
 * certificate, sizes and times never going back, root equal to the root of
 * that many recomputed entries, no head beyond the entries there are).
 *
 * The first problem is reported with the entry it concerns: the first entry
 * whose leaf differs from the stored tree or from what the heads signed, an
 * entry whose key in person.idx (the index of a citizen's history) differs
 * from its person hash, an entry that cannot be read, or where entries end
 * although a head covers more.
 *
 * Entries after the newest signed head are counted (unsigned_entries), not
 * judged: a running gateway always has some (a head follows within
 * tree_head_interval_ms), and so has a log copied after a crash (the gateway
 * signs them when it starts again). Nothing vouches for them yet: whoever can
 * write to DIR could have added them. The caller decides (`hromada audit
 * verify` warns, and with --strict fails).
 */
#ifndef HROMADA_AUDIT_AUDIT_VERIFY_H
#define HROMADA_AUDIT_AUDIT_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <hromada/status.h>

#include "audit/merkle.h"

struct audit_verify_result {
	bool consistent;
	uint64_t entries;              /* entries read whole */
	uint64_t heads;                /* signed tree heads checked */
	uint64_t torn_bytes;           /* an unacknowledged torn tail after the last entry */
	uint64_t unsigned_entries;     /* entries after the newest signed head: none vouches */
	uint64_t first_unsigned;       /* ... the first of them (when unsigned_entries > 0) */
	bool bad_entry_known;          /* the problem concerns one entry ... */
	uint64_t bad_entry;            /* ... this one */
	char problem[512];             /* the first problem, in words; "" when consistent */
	uint8_t root[MERKLE_HASH_LEN]; /* of all entries read */
};

struct tree_head;

/*
 * HR_OK with the verdict in *result (consistent or not); an error only when
 * the check itself could not run (DIR unreadable, no certificate). key may be
 * NULL: DIR/tree-head.pem is used. known (may be NULL) is a signed head the
 * auditor holds from elsewhere (GET /audit/sth earlier, a newspaper): the log
 * must agree with it too, so heads removed from DIR cannot hide a rewrite
 * behind them. A log with entries but no signed head at all is inconsistent:
 * the gateway signs the empty log before its first entry.
 */
hr_status audit_verify_dir(const char *dir, EVP_PKEY *key, const struct tree_head *known,
			   struct audit_verify_result *result, struct hr_error *err);

#endif
