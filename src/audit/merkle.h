/*
 * merkle.h — the Merkle tree of the audit log, exactly as RFC 9162 §2.1
 * (Certificate Transparency 2.0) defines it: leaf hash SHA-256(0x00 || entry),
 * node hash SHA-256(0x01 || left || right), the tree of n leaves split at the
 * largest power of two below n.
 *
 * Proofs are built from stored hashes of *perfect* subtrees, never by rehashing
 * the log: node (level k, index i) is the root of the 2^k leaves
 * [i * 2^k, (i + 1) * 2^k). Level 0 holds the leaf hashes. A tree of n leaves
 * has every node whose range ends at or before n; any other subtree hash a
 * proof needs is combined from at most log2(n) of them, so a proof costs
 * O(log n) lookups and O(log n) hash operations.
 *
 * Verification (merkle_*_verify) needs no storage: it is what a citizen's
 * device or an auditor runs against a signed tree head.
 *
 * Never: allocate, trust a size or index without checking it against the tree.
 */
#ifndef HROMADA_AUDIT_MERKLE_H
#define HROMADA_AUDIT_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#define MERKLE_HASH_LEN 32
/* A proof in a tree of fewer than 2^63 leaves has at most 63 + 1 hashes. */
#define MERKLE_PROOF_MAX 64
/* Levels of stored nodes: level 63 would cover 2^63 leaves. */
#define MERKLE_LEVEL_MAX 63
/* The largest tree size the functions below accept (HR_E_INVALID above it). */
#define MERKLE_SIZE_MAX (UINT64_C(1) << 63)

/* RFC 9162 §2.1.1: SHA-256(0x00 || data). */
void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN]);
/* RFC 9162 §2.1.1: SHA-256(0x01 || left || right). */
void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
		      uint8_t out[MERKLE_HASH_LEN]);
/* MTH({}) = SHA-256() — the root of the empty tree. */
void merkle_empty_root(uint8_t out[MERKLE_HASH_LEN]);

/*
 * Where stored perfect-subtree hashes come from. node() fills out with the hash
 * of node (level, index) and returns HR_OK, or an error (I/O, not yet stored),
 * which the proof functions pass on.
 */
struct merkle_source {
	hr_status (*node)(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN]);
	void *ctx;
};

/* MTH(D[0:size]). size 0 gives the empty root. */
hr_status merkle_root(const struct merkle_source *src, uint64_t size, uint8_t out[MERKLE_HASH_LEN],
		      struct hr_error *err);
/* RFC 9162 §2.1.3.1 PATH(index, D[0:size]); proof has room for MERKLE_PROOF_MAX. */
hr_status merkle_inclusion_proof(const struct merkle_source *src, uint64_t index, uint64_t size,
				 uint8_t proof[][MERKLE_HASH_LEN], size_t *count,
				 struct hr_error *err);
/* RFC 9162 §2.1.4.1 PROOF(first, D[0:second]); 0 < first <= second. */
hr_status merkle_consistency_proof(const struct merkle_source *src, uint64_t first, uint64_t second,
				   uint8_t proof[][MERKLE_HASH_LEN], size_t *count,
				   struct hr_error *err);

/*
 * C17 does not convert uint8_t (*)[N] to const uint8_t (*)[N] by itself (GCC's
 * -Wpedantic refuses it; C23 allows it): pass a writable proof array to the
 * verify functions as MERKLE_CONST_PROOF(proof).
 */
#define MERKLE_CONST_PROOF(proof) ((const uint8_t(*)[MERKLE_HASH_LEN])(proof))

/*
 * RFC 9162 §2.1.3.2. HR_OK, or HR_E_SIGNATURE when the proof does not lead to
 * root; HR_E_INVALID when index >= size, size > MERKLE_SIZE_MAX or count >
 * MERKLE_PROOF_MAX.
 */
hr_status merkle_inclusion_verify(const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t index,
				  uint64_t size, const uint8_t proof[][MERKLE_HASH_LEN],
				  size_t count, const uint8_t root[MERKLE_HASH_LEN],
				  struct hr_error *err);
/*
 * RFC 9162 §2.1.4.2. HR_OK, or HR_E_SIGNATURE when the roots are not consistent;
 * HR_E_INVALID unless 0 < first <= second <= MERKLE_SIZE_MAX and count <=
 * MERKLE_PROOF_MAX. first == second (outside the RFC) needs an empty proof and
 * equal roots.
 */
hr_status merkle_consistency_verify(uint64_t first, uint64_t second,
				    const uint8_t first_root[MERKLE_HASH_LEN],
				    const uint8_t second_root[MERKLE_HASH_LEN],
				    const uint8_t proof[][MERKLE_HASH_LEN], size_t count,
				    struct hr_error *err);

/*
 * The right edge of a growing tree, for appending: after merkle_frontier_append
 * of leaf number size, every node that leaf completes is handed to emit (level
 * 0 first: the leaf itself, then its completed ancestors), so the caller can
 * store it. Holds one hash per level; the root of the whole tree is always
 * available from it without storage.
 */
struct merkle_frontier {
	uint64_t size;
	/* node[k]: the last complete node at level k */
	uint8_t node[MERKLE_LEVEL_MAX + 1][MERKLE_HASH_LEN];
};

typedef hr_status (*merkle_emit_fn)(void *ctx, unsigned level, uint64_t index,
				    const uint8_t hash[MERKLE_HASH_LEN]);

void merkle_frontier_init(struct merkle_frontier *f);
/*
 * An error from emit is returned as it is, HR_E_TOO_LARGE once f holds
 * MERKLE_SIZE_MAX leaves; either way f is left as it was, and appending the
 * same leaf again emits the same nodes again (from the leaf up).
 */
hr_status merkle_frontier_append(struct merkle_frontier *f,
				 const uint8_t leaf_hash[MERKLE_HASH_LEN], merkle_emit_fn emit,
				 void *ctx);
/* MTH of the f->size leaves appended so far. */
void merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[MERKLE_HASH_LEN]);

#endif
