/*
 * fuzz_merkle.c — the Merkle proof verifiers run on citizens' devices against
 * proofs that came over the network. Input: any bytes, read as
 *	u64 le a | u64 le b | u8 flags | 32-byte root | 32-byte hash | proof hashes
 * (32 bytes each; a short tail is ignored). Flag bit 0 makes a and b small, so
 * that the verifiers' loops run with plausible tree sizes.
 *
 * Invariants:
 *  - merkle_inclusion_verify(hash, a, b, ...) and merkle_consistency_verify(a,
 *    b, hash, root, ...) never crash, read no more than count hashes (the proof
 *    is passed in place, at the end of the fuzzer's buffer), and answer HR_OK,
 *    HR_E_SIGNATURE or HR_E_INVALID — HR_E_INVALID exactly when the arguments
 *    are malformed;
 *  - in a tree of up to 257 leaves made from the input, the inclusion and
 *    consistency proofs the module builds always verify, merkle_root agrees
 *    with the frontier, and the same proofs with one bit flipped never verify.
 */
/* make fuzz builds RelWithDebInfo (-DNDEBUG): the invariants must stay checked. */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "audit/merkle.h"

#define HEADER      (8 + 8 + 1 + 2 * MERKLE_HASH_LEN)
#define TREE_MAX    257
#define TREE_LEVELS 9 /* levels 0..8 cover 257 leaves */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t stored[TREE_LEVELS][TREE_MAX][MERKLE_HASH_LEN];
static uint64_t stored_count[TREE_LEVELS];
static uint64_t stored_limit;

static hr_status store_emit(void *ctx, unsigned level, uint64_t index,
			    const uint8_t hash[MERKLE_HASH_LEN])
{
	(void)ctx;
	assert(level < TREE_LEVELS && index == stored_count[level] && index < TREE_MAX);
	memcpy(stored[level][index], hash, MERKLE_HASH_LEN);
	stored_count[level]++;
	return HR_OK;
}

static hr_status store_node(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
	(void)ctx;
	/* a proof for tree size stored_limit uses only nodes stored by then */
	assert(level < TREE_LEVELS && index < (stored_limit >> level));
	memcpy(out, stored[level][index], MERKLE_HASH_LEN);
	return HR_OK;
}

static uint64_t read_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void check_arbitrary(uint64_t a, uint64_t b, const uint8_t *root, const uint8_t *hash,
			    const uint8_t (*proof)[MERKLE_HASH_LEN], size_t count)
{
	hr_status rc;
	int malformed;

	rc = merkle_inclusion_verify(hash, a, b, proof, count, root, NULL);
	assert(rc == HR_OK || rc == HR_E_SIGNATURE || rc == HR_E_INVALID);
	malformed = count > MERKLE_PROOF_MAX || a >= b || b > MERKLE_SIZE_MAX;
	assert((rc == HR_E_INVALID) == malformed);

	rc = merkle_consistency_verify(a, b, hash, root, proof, count, NULL);
	assert(rc == HR_OK || rc == HR_E_SIGNATURE || rc == HR_E_INVALID);
	malformed = count > MERKLE_PROOF_MAX || a == 0 || a > b || b > MERKLE_SIZE_MAX;
	assert((rc == HR_E_INVALID) == malformed);
}

static void flip_one_bit(uint8_t proof[][MERKLE_HASH_LEN], size_t count, unsigned pick)
{
	size_t bit = pick % (count * MERKLE_HASH_LEN * 8);

	proof[bit / (MERKLE_HASH_LEN * 8)][bit / 8 % MERKLE_HASH_LEN] ^= (uint8_t)(1u << (bit % 8));
}

static void check_built_tree(uint64_t a, uint64_t b, const uint8_t *seed, unsigned pick)
{
	static uint8_t leaf[TREE_MAX][MERKLE_HASH_LEN];
	static uint8_t root_at[TREE_MAX + 1][MERKLE_HASH_LEN];
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], root[MERKLE_HASH_LEN];
	uint8_t entry[2 + MERKLE_HASH_LEN];
	struct merkle_source src = {.node = store_node, .ctx = NULL};
	struct merkle_frontier f;
	uint64_t n = 1 + b % TREE_MAX, index, tree_size, first;
	size_t count;

	memset(stored_count, 0, sizeof(stored_count));
	merkle_frontier_init(&f);
	merkle_frontier_root(&f, root_at[0]);
	for (uint64_t i = 0; i < n; i++) {
		entry[0] = (uint8_t)i;
		entry[1] = (uint8_t)(i >> 8);
		memcpy(entry + 2, seed, MERKLE_HASH_LEN);
		merkle_leaf_hash(entry, 2 + i % (MERKLE_HASH_LEN + 1), leaf[i]);
		assert(merkle_frontier_append(&f, leaf[i], store_emit, NULL) == HR_OK);
		merkle_frontier_root(&f, root_at[i + 1]);
	}

	index = a % n;
	tree_size = index + 1 + (a >> 16) % (n - index); /* index < tree_size <= n */
	first = index + 1;
	stored_limit = tree_size;

	assert(merkle_root(&src, tree_size, root, NULL) == HR_OK);
	assert(memcmp(root, root_at[tree_size], MERKLE_HASH_LEN) == 0);

	assert(merkle_inclusion_proof(&src, index, tree_size, proof, &count, NULL) == HR_OK);
	assert(merkle_inclusion_verify(leaf[index], index, tree_size, MERKLE_CONST_PROOF(proof),
				       count, root_at[tree_size], NULL) == HR_OK);
	if (count > 0) {
		flip_one_bit(proof, count, pick);
		assert(merkle_inclusion_verify(leaf[index], index, tree_size,
					       MERKLE_CONST_PROOF(proof), count, root_at[tree_size],
					       NULL) == HR_E_SIGNATURE);
	}

	assert(merkle_consistency_proof(&src, first, tree_size, proof, &count, NULL) == HR_OK);
	assert(merkle_consistency_verify(first, tree_size, root_at[first], root_at[tree_size],
					 MERKLE_CONST_PROOF(proof), count, NULL) == HR_OK);
	if (count > 0) {
		flip_one_bit(proof, count, pick);
		assert(merkle_consistency_verify(first, tree_size, root_at[first],
						 root_at[tree_size], MERKLE_CONST_PROOF(proof),
						 count, NULL) == HR_E_SIGNATURE);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *root, *hash;
	uint64_t a, b;
	uint8_t flags;
	size_t count;

	if (size < HEADER)
		return 0;
	a = read_u64(data);
	b = read_u64(data + 8);
	flags = data[16];
	root = data + 17;
	hash = data + 17 + MERKLE_HASH_LEN;
	if (flags & 1) {
		a %= 300;
		b %= 300;
	}
	count = (size - HEADER) / MERKLE_HASH_LEN;
	/* the proof stays in the fuzzer's buffer: ASan sees any read past it */
	check_arbitrary(a, b, root, hash, (const uint8_t(*)[MERKLE_HASH_LEN])(data + HEADER),
			count);
	check_built_tree(a, b, root, (unsigned)(a >> 8 ^ b >> 3 ^ (uint64_t)flags << 9));
	return 0;
}
