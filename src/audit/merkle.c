/*
 * merkle.c — RFC 9162 §2.1 Merkle hashing, proofs from stored perfect subtrees,
 * and proof verification. See merkle.h for the storage model.
 *
 * Three parts, in this order:
 *  - hashing: SHA-256 through core/digest.h (fetched once);
 *  - building: merkle_root and the proofs follow the recursive definitions of
 *    RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 top-down, and take every MTH(D[a:b])
 *    they need from stored nodes (subtree_hash), never from the leaves;
 *  - checking: the two verification algorithms of §2.1.3.2 and §2.1.4.2, step by
 *    step. They run on citizens' devices against untrusted proofs: they keep to
 *    plain loops over fixed-size arrays, and no argument is trusted.
 * The frontier (the right edge of a growing tree) closes the file.
 *
 * The hash functions return void (merkle.h), so they cannot report a failure.
 * SHA-256 fails only when OpenSSL cannot allocate or offers no SHA-256 at all;
 * a wrong hash in a tamper-evident log is worse than stopping, so they abort().
 *
 * Never: allocate (beyond OpenSSL's own digest contexts), ask the source for a
 * node outside the tree size it was given, or read past MERKLE_PROOF_MAX hashes.
 */
#include "audit/merkle.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/digest.h"
#include "core/error.h"

#define STAGE "merkle"

/* Entries up to this size are hashed from one stack buffer: 0x00 || entry. */
#define LEAF_STACK_MAX 4096

/* -------------------------------------------------------------------------- */
/* Hashing */

static void hash_failed(void)
{
	fputs("merkle: SHA-256 failed (out of memory, or no SHA-256 in OpenSSL)\n", stderr);
	abort();
}

static void sha256_of(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
	if (digest_sha256_of(data, len, out) != HR_OK)
		hash_failed();
}

void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t block[1 + LEAF_STACK_MAX];
	const EVP_MD *md;
	EVP_MD_CTX *c;
	unsigned int n = 0;
	int ok;

	if (len <= LEAF_STACK_MAX) {
		block[0] = 0x00;
		if (len > 0)
			memcpy(block + 1, data, len);
		sha256_of(block, 1 + len, out);
		return;
	}
	md = digest_sha256();
	c = EVP_MD_CTX_new();
	ok = md != NULL && c != NULL && EVP_DigestInit_ex2(c, md, NULL) == 1 &&
	     EVP_DigestUpdate(c, "\x00", 1) == 1 && EVP_DigestUpdate(c, data, len) == 1 &&
	     EVP_DigestFinal_ex(c, out, &n) == 1 && n == MERKLE_HASH_LEN;
	EVP_MD_CTX_free(c);
	if (!ok)
		hash_failed();
}

/* out may be left or right: both are copied before out is written. */
void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
		      uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t block[1 + 2 * MERKLE_HASH_LEN];

	block[0] = 0x01;
	memcpy(block + 1, left, MERKLE_HASH_LEN);
	memcpy(block + 1 + MERKLE_HASH_LEN, right, MERKLE_HASH_LEN);
	sha256_of(block, sizeof(block), out);
}

void merkle_empty_root(uint8_t out[MERKLE_HASH_LEN])
{
	sha256_of("", 0, out);
}

/* -------------------------------------------------------------------------- */
/* Building roots and proofs from stored nodes */

/* RFC 9162 §2.1.1: k, the largest power of two smaller than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	assert(n >= 2);
	return UINT64_C(1) << (63 - __builtin_clzll(n - 1));
}

static hr_status node_get(const struct merkle_source *src, unsigned level, uint64_t index,
			  uint8_t out[MERKLE_HASH_LEN], struct hr_error *err)
{
	hr_status rc = src->node(src->ctx, level, index, out);

	if (rc != HR_OK)
		return hr_error_set(err, rc, STAGE,
				    "the stored node at level %u, index %" PRIu64
				    " could not be read (%s)",
				    level, index, hr_status_name(rc));
	return HR_OK;
}

/*
 * MTH(D[begin:end]) for a range the RFC's recursion produces: begin is a
 * multiple of the smallest power of two >= end - begin. Splitting at the
 * largest power of two below the length, again and again, cuts the range into
 * one perfect, aligned subtree per set bit of end - begin, largest first; the
 * hash combines them right to left: H(p1, H(p2, ... H(p(j-1), pj))). So it
 * costs popcount(end - begin) lookups, and a perfect range exactly one.
 */
static hr_status subtree_hash(const struct merkle_source *src, uint64_t begin, uint64_t end,
			      uint8_t out[MERKLE_HASH_LEN], struct hr_error *err)
{
	uint8_t piece[MERKLE_HASH_LEN];
	uint64_t right = end; /* the pieces are taken from the right end */
	bool have = false;
	hr_status rc;

	assert(begin < end);
	for (unsigned level = 0; level <= MERKLE_LEVEL_MAX && right > begin; level++) {
		uint64_t width = UINT64_C(1) << level;

		if (((end - begin) & width) == 0)
			continue;
		right -= width;
		assert(right % width == 0); /* aligned, so stored as one node */
		rc = node_get(src, level, right >> level, have ? piece : out, err);
		if (rc != HR_OK)
			return rc;
		if (have)
			merkle_node_hash(piece, out, out);
		have = true;
	}
	assert(right == begin);
	return HR_OK;
}

static hr_status check_source(const struct merkle_source *src, struct hr_error *err)
{
	if (src == NULL || src->node == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "no source of stored nodes was given");
	return HR_OK;
}

static hr_status check_size(uint64_t size, struct hr_error *err)
{
	if (size > MERKLE_SIZE_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "tree size %" PRIu64 " is above the limit of 2^63 leaves",
				    size);
	return HR_OK;
}

/* The proofs are collected root first; RFC 9162 lists them leaf first. */
static void reverse(uint8_t proof[][MERKLE_HASH_LEN], size_t count)
{
	uint8_t tmp[MERKLE_HASH_LEN];

	for (size_t i = 0; i < count / 2; i++) {
		memcpy(tmp, proof[i], MERKLE_HASH_LEN);
		memcpy(proof[i], proof[count - 1 - i], MERKLE_HASH_LEN);
		memcpy(proof[count - 1 - i], tmp, MERKLE_HASH_LEN);
	}
}

hr_status merkle_root(const struct merkle_source *src, uint64_t size, uint8_t out[MERKLE_HASH_LEN],
		      struct hr_error *err)
{
	hr_status rc;

	if ((rc = check_size(size, err)) != HR_OK)
		return rc;
	if (size == 0) {
		merkle_empty_root(out);
		return HR_OK;
	}
	if ((rc = check_source(src, err)) != HR_OK)
		return rc;
	return subtree_hash(src, 0, size, out, err);
}

/*
 * RFC 9162 §2.1.3.1, unrolled: PATH(m, D_n) for n > 1 is PATH(m, D[0:k]) :
 * MTH(D[k:n]) when m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]). Walking from
 * the root down to the leaf yields the hashes last one first. Only the first
 * right sibling (once the walk turns left, every range is perfect) costs more
 * than one lookup.
 */
hr_status merkle_inclusion_proof(const struct merkle_source *src, uint64_t index, uint64_t size,
				 uint8_t proof[][MERKLE_HASH_LEN], size_t *count,
				 struct hr_error *err)
{
	uint64_t begin = 0, end = size, k;
	size_t n = 0;
	hr_status rc;

	if (count != NULL)
		*count = 0;
	if (proof == NULL || count == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no room for the proof was given");
	if ((rc = check_size(size, err)) != HR_OK)
		return rc;
	if (index >= size)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "leaf index %" PRIu64 " is not in a tree of %" PRIu64 " leaves",
				    index, size);
	if ((rc = check_source(src, err)) != HR_OK)
		return rc;

	while (end - begin > 1) {
		assert(n < MERKLE_PROOF_MAX);
		k = split_point(end - begin);
		if (index < begin + k) {
			rc = subtree_hash(src, begin + k, end, proof[n], err);
			end = begin + k;
		} else {
			rc = subtree_hash(src, begin, begin + k, proof[n], err);
			begin += k;
		}
		if (rc != HR_OK)
			return rc;
		n++;
	}
	reverse(proof, n);
	*count = n;
	return HR_OK;
}

/*
 * RFC 9162 §2.1.4.1, unrolled: PROOF(m, D_n) = SUBPROOF(m, D_n, true), where
 * SUBPROOF(m, D_m, b) is {} when b and {MTH(D_m)} otherwise, and for m < n
 * SUBPROOF(m, D_n, b) is SUBPROOF(m, D[0:k], b) : MTH(D[k:n]) when m <= k,
 * else SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]). first == second gives the
 * empty proof.
 */
hr_status merkle_consistency_proof(const struct merkle_source *src, uint64_t first, uint64_t second,
				   uint8_t proof[][MERKLE_HASH_LEN], size_t *count,
				   struct hr_error *err)
{
	uint64_t begin = 0, end = second, k;
	bool whole = true; /* b of SUBPROOF: [begin, first) is the whole old tree */
	size_t n = 0;
	hr_status rc;

	if (count != NULL)
		*count = 0;
	if (proof == NULL || count == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no room for the proof was given");
	if ((rc = check_size(second, err)) != HR_OK)
		return rc;
	if (first == 0 || first > second)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "no consistency proof from tree size %" PRIu64 " to %" PRIu64
				    ": it needs 0 < first <= second",
				    first, second);
	if ((rc = check_source(src, err)) != HR_OK)
		return rc;

	while (first < end) {
		assert(n < MERKLE_PROOF_MAX);
		k = split_point(end - begin);
		if (first - begin <= k) {
			rc = subtree_hash(src, begin + k, end, proof[n], err);
			end = begin + k;
		} else {
			rc = subtree_hash(src, begin, begin + k, proof[n], err);
			begin += k;
			whole = false;
		}
		if (rc != HR_OK)
			return rc;
		n++;
	}
	if (!whole) {
		assert(n < MERKLE_PROOF_MAX);
		if ((rc = subtree_hash(src, begin, end, proof[n], err)) != HR_OK)
			return rc;
		n++;
	}
	reverse(proof, n);
	*count = n;
	return HR_OK;
}

/* -------------------------------------------------------------------------- */
/* Checking proofs: RFC 9162 §2.1.3.2 and §2.1.4.2, step by step */

static bool is_power_of_two(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static hr_status proof_mismatch(struct hr_error *err, const char *what)
{
	return hr_error_set(err, HR_E_SIGNATURE, STAGE, "the %s proof does not lead to the root",
			    what);
}

hr_status merkle_inclusion_verify(const uint8_t leaf_hash[MERKLE_HASH_LEN], uint64_t index,
				  uint64_t size, const uint8_t proof[][MERKLE_HASH_LEN],
				  size_t count, const uint8_t root[MERKLE_HASH_LEN],
				  struct hr_error *err)
{
	uint8_t r[MERKLE_HASH_LEN];
	uint64_t fn, sn;

	if (count > MERKLE_PROOF_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "an inclusion proof of %zu hashes is longer than any valid one",
				    count);
	if (size > MERKLE_SIZE_MAX)
		return check_size(size, err);
	/* 1. leaf_index must be below tree_size. */
	if (index >= size)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "leaf index %" PRIu64 " is not in a tree of %" PRIu64 " leaves",
				    index, size);
	/* 2., 3. */
	fn = index;
	sn = size - 1;
	memcpy(r, leaf_hash, MERKLE_HASH_LEN);
	/* 4. */
	for (size_t i = 0; i < count; i++) {
		/* a. */
		if (sn == 0)
			return proof_mismatch(err, "inclusion");
		/* b. */
		if ((fn & 1) == 1 || fn == sn) {
			merkle_node_hash(proof[i], r, r);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(r, proof[i], r);
		}
		/* c. */
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	if (sn != 0 || memcmp(r, root, MERKLE_HASH_LEN) != 0)
		return proof_mismatch(err, "inclusion");
	return HR_OK;
}

hr_status merkle_consistency_verify(uint64_t first, uint64_t second,
				    const uint8_t first_root[MERKLE_HASH_LEN],
				    const uint8_t second_root[MERKLE_HASH_LEN],
				    const uint8_t proof[][MERKLE_HASH_LEN], size_t count,
				    struct hr_error *err)
{
	uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	const uint8_t *c;
	uint64_t fn, sn;
	size_t start;

	if (count > MERKLE_PROOF_MAX)
		return hr_error_set(
		    err, HR_E_INVALID, STAGE,
		    "a consistency proof of %zu hashes is longer than any valid one", count);
	if (second > MERKLE_SIZE_MAX)
		return check_size(second, err);
	if (first == 0 || first > second)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "no consistency proof from tree size %" PRIu64 " to %" PRIu64
				    ": it needs 0 < first <= second",
				    first, second);
	/* Equal sizes (outside the RFC, which has first < second): equal roots, empty proof. */
	if (first == second) {
		if (count != 0 || memcmp(first_root, second_root, MERKLE_HASH_LEN) != 0)
			return proof_mismatch(err, "consistency");
		return HR_OK;
	}
	/* 1. */
	if (count == 0)
		return proof_mismatch(err, "consistency");
	/*
	 * 2. When first is a power of two, first_root is prepended to the path;
	 * rather than copy, start below: path[0] is first_root, then proof[i].
	 */
	if (is_power_of_two(first)) {
		memcpy(fr, first_root, MERKLE_HASH_LEN);
		start = 0;
	} else {
		memcpy(fr, proof[0], MERKLE_HASH_LEN);
		start = 1;
	}
	/* 3. */
	fn = first - 1;
	sn = second - 1;
	/* 4. */
	while ((fn & 1) == 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	memcpy(sr, fr, MERKLE_HASH_LEN);
	/* 6. */
	for (size_t i = start; i < count; i++) {
		c = proof[i];
		/* a. */
		if (sn == 0)
			return proof_mismatch(err, "consistency");
		/* b. */
		if ((fn & 1) == 1 || fn == sn) {
			merkle_node_hash(c, fr, fr);
			merkle_node_hash(c, sr, sr);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, c, sr);
		}
		/* c. */
		fn >>= 1;
		sn >>= 1;
	}
	/* 7. */
	if (memcmp(fr, first_root, MERKLE_HASH_LEN) != 0 ||
	    memcmp(sr, second_root, MERKLE_HASH_LEN) != 0 || sn != 0)
		return proof_mismatch(err, "consistency");
	return HR_OK;
}

/* -------------------------------------------------------------------------- */
/* The frontier */

void merkle_frontier_init(struct merkle_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

/*
 * Leaf number i completes one node per trailing one bit of i: at level k + 1,
 * the parent of node[k] (its left sibling, the last complete node of level k)
 * and the node just completed at level k. The new nodes go to the caller
 * first; f changes only when every emit succeeded, so a failed append can be
 * retried (and emits from the leaf up again).
 */
hr_status merkle_frontier_append(struct merkle_frontier *f,
				 const uint8_t leaf_hash[MERKLE_HASH_LEN], merkle_emit_fn emit,
				 void *ctx)
{
	uint8_t completed[MERKLE_LEVEL_MAX + 1][MERKLE_HASH_LEN];
	uint64_t index = f->size;
	unsigned level = 0;
	hr_status rc;

	if (index >= MERKLE_SIZE_MAX)
		return HR_E_TOO_LARGE;
	memcpy(completed[0], leaf_hash, MERKLE_HASH_LEN);
	for (;;) {
		if (emit != NULL &&
		    (rc = emit(ctx, level, index >> level, completed[level])) != HR_OK)
			return rc;
		if (((index >> level) & 1) == 0)
			break;
		merkle_node_hash(f->node[level], completed[level], completed[level + 1]);
		level++;
	}
	memcpy(f->node, completed, (size_t)(level + 1) * MERKLE_HASH_LEN);
	f->size++;
	return HR_OK;
}

/* The perfect subtrees of the tree are node[k] for each set bit k of size. */
void merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[MERKLE_HASH_LEN])
{
	bool have = false;

	if (f->size == 0) {
		merkle_empty_root(out);
		return;
	}
	for (unsigned level = 0; level <= MERKLE_LEVEL_MAX; level++) {
		if (((f->size >> level) & 1) == 0)
			continue;
		if (have)
			merkle_node_hash(f->node[level], out, out);
		else
			memcpy(out, f->node[level], MERKLE_HASH_LEN);
		have = true;
	}
}
