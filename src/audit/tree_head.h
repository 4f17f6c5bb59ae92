/*
 * tree_head.h — signed tree heads (STH) of the audit log, and the file that
 * keeps every one the gateway published.
 *
 * What is signed is RFC 9162 §4.10's TreeHeadDataV2 in its TLS encoding:
 *
 *	uint64 timestamp (ms since the epoch) || uint64 tree_size ||
 *	uint8 32 || root_hash[32] || uint16 0 (no extensions)
 *
 * with ECDSA P-256 / SHA-256 by the gateway's tree-head key (a certificate
 * issued by the country root, `hromada keys`); the signature is kept and
 * published as raw r||s (64 bytes, as JWS and COSE do). As JSON (GET
 * /audit/sth): {"tree_size": n, "root_hash": b64, "timestamp": ms,
 * "signature": b64}, base64 standard with padding.
 *
 * DIR/tree-heads: the published heads in order, TREE_HEAD_RECORD_LEN bytes each
 * (timestamp, tree_size big-endian; root; signature), fsync'ed before a head is
 * published. Sizes and timestamps never decrease. A torn last record (crash
 * while writing) is cut at open; `hromada audit verify` checks every one.
 */
#ifndef HROMADA_AUDIT_TREE_HEAD_H
#define HROMADA_AUDIT_TREE_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <hromada/status.h>

#include "audit/merkle.h"

#define TREE_HEAD_SIGNATURE_LEN 64
#define TREE_HEAD_TBS_LEN       (8 + 8 + 1 + MERKLE_HASH_LEN + 2)
#define TREE_HEAD_RECORD_LEN    (8 + 8 + MERKLE_HASH_LEN + TREE_HEAD_SIGNATURE_LEN)
#define TREE_HEAD_FILE          "tree-heads"

struct signer;

struct tree_head {
	uint64_t timestamp_ms;
	uint64_t tree_size;
	uint8_t root[MERKLE_HASH_LEN];
	uint8_t signature[TREE_HEAD_SIGNATURE_LEN];
};

void tree_head_tbs(const struct tree_head *head, uint8_t out[TREE_HEAD_TBS_LEN]);
/* Fills head->signature. The signer must hold a P-256 key. */
hr_status tree_head_sign(struct tree_head *head, struct signer *signer, struct hr_error *err);
/* HR_E_SIGNATURE when the signature does not verify under key. */
hr_status tree_head_verify(const struct tree_head *head, EVP_PKEY *key, struct hr_error *err);

/* The JSON form; NULL when out of memory. */
json_t *tree_head_to_json(const struct tree_head *head);
/* Strict: exactly the four members, sizes within uint64/int64, hashes of the right length. */
hr_status tree_head_from_json(const json_t *json, struct tree_head *head, struct hr_error *err);

/* Hashes as JSON (base64, standard, padded): one, or a proof's array. NULL
 * when out of memory. (Not const: C17 cannot pass a T[][N] as const T[][N].) */
json_t *tree_head_hash_to_json(const uint8_t hash[MERKLE_HASH_LEN]);
json_t *tree_head_proof_to_json(uint8_t proof[][MERKLE_HASH_LEN], size_t count);
/* Strict: an array of at most MERKLE_PROOF_MAX base64 hashes of 32 bytes. */
hr_status tree_head_proof_from_json(const json_t *json, uint8_t proof[][MERKLE_HASH_LEN],
				    size_t *count, struct hr_error *err);
hr_status tree_head_hash_from_json(const json_t *json, uint8_t hash[MERKLE_HASH_LEN],
				   struct hr_error *err);

void tree_head_encode(const struct tree_head *head, uint8_t out[TREE_HEAD_RECORD_LEN]);
void tree_head_decode(const uint8_t in[TREE_HEAD_RECORD_LEN], struct tree_head *head);

/* The append-only file of published heads. */
struct tree_head_file;
/* Opens DIR/tree-heads (created when missing), cuts a torn last record, and
 * reads the newest head into *latest (tree_size 0 and no signature when none). */
hr_status tree_head_file_open(const char *dir, struct tree_head_file **out,
			      struct tree_head *latest, struct hr_error *err);
void tree_head_file_close(struct tree_head_file *file);
/* Appends and fsyncs. HR_E_INVALID if head would go back in size or time. */
hr_status tree_head_file_append(struct tree_head_file *file, const struct tree_head *head,
				struct hr_error *err);

#endif
