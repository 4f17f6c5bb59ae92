/*
 * access_history.h — what a citizen's device checks in its access history
 * (GET /v1/access-log, src/wallet/wallet_access_log.c) before it believes it:
 *
 *  - the tree head's signature, under the tree-head key it trusts;
 *  - for each entry: its bytes (base64) are one valid audit entry
 *    (audit_entry_decode), its "fields" are exactly what those bytes say, and
 *    its inclusion proof leads from SHA-256(0x00 || bytes) at leaf_index to the
 *    head's root (RFC 9162 §2.1.3.2).
 *
 * Neither the wallet nor the gateway is trusted for any of it: a history that
 * passes is a part of the log the tree-head key signed.
 *
 * access_history_check_complete then asks whether it is ALL of the person's
 * part up to this reading (docs/AUDIT.md "Per-person sequence"): every entry
 * naming a person carries "seq", the number of earlier entries naming that
 * person, inside its signed leaf; the gateway records the reading itself
 * before it reads and returns that entry as "this_read" (with its proof). The
 * device finds its own consent's jti in it, and requires the listed entries
 * to be one person's, numbered without a gap: from at least this_read's seq
 * (on the first page) down to 0 (when no page follows). An entry left out is
 * a missing number; an entry numbered twice in the log is what `hromada audit
 * verify` refuses.
 */
#ifndef HROMADA_AUDIT_ACCESS_HISTORY_H
#define HROMADA_AUDIT_ACCESS_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <hromada/status.h>

/* HR_OK and the number of entries checked; otherwise the first failure (stage
 * "access history", the message names the entry). */
hr_status access_history_check(const json_t *answer, EVP_PKEY *tree_head_key, size_t *checked,
			       struct hr_error *err);

/*
 * After access_history_check passed: the person's chain is complete.
 * consent_jti (may be NULL: not checked) is the jti of the consent this
 * request carried; first_page is false for an answer to ?before=.
 * HR_E_INVALID naming the gap, stage "access history".
 */
hr_status access_history_check_complete(const json_t *answer, const char *consent_jti,
					bool first_page, struct hr_error *err);

#endif
