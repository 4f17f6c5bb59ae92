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
 */
#ifndef HROMADA_AUDIT_ACCESS_HISTORY_H
#define HROMADA_AUDIT_ACCESS_HISTORY_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <hromada/status.h>

/* HR_OK and the number of entries checked; otherwise the first failure (stage
 * "access history", the message names the entry). */
hr_status access_history_check(const json_t *answer, EVP_PKEY *tree_head_key, size_t *checked,
			       struct hr_error *err);

#endif
