/*
 * test_merkle.c — the RFC 9162 Merkle tree. First the published Certificate
 * Transparency vectors (the classic eight leaves), then properties against a
 * reference written straight from the RFC's recursive definitions of MTH, PATH
 * and PROOF (every tree size up to 1000, every pair of index and size or of two
 * sizes up to 1000), then every way a proof can be
 * wrong, a source of nodes that fails, the frontier, and the limits.
 *
 * The nodes come from an in-memory store filled by merkle_frontier_append's
 * emit, as the audit log's files are; it refuses any node that does not exist
 * at the tree size asked about, so every test also checks that proofs use only
 * nodes stored by then.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit/merkle.h"
#include "core/hex.h"

#define HASH MERKLE_HASH_LEN

/* -------------------------------------------------------------------------- */
/* Helpers: hex, an in-memory node store, a reference from the RFC's definitions */

static void assert_hash(const uint8_t hash[HASH], const char *hex)
{
	char text[2 * HASH + 1];

	hex_encode(hash, HASH, text);
	assert_string_equal(text, hex);
}

static void from_hex(const char *hex, uint8_t out[HASH])
{
	unsigned v;

	assert_int_equal(strlen(hex), 2 * HASH);
	for (size_t i = 0; i < HASH; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* Stored nodes by level, in index order, as emit hands them out. */
struct mem_tree {
	uint8_t (*level[MERKLE_LEVEL_MAX + 1])[HASH];
	uint64_t count[MERKLE_LEVEL_MAX + 1];
	uint64_t room[MERKLE_LEVEL_MAX + 1];
	uint64_t limit;     /* tree size being asked about: nodes beyond it do not exist yet */
	unsigned lookups;   /* node() calls since the last reset */
	unsigned fail_from; /* node() call number (1-based) from which it fails; 0: never */
	hr_status fail_with;
};

static hr_status mem_tree_emit(void *ctx, unsigned level, uint64_t index, const uint8_t hash[HASH])
{
	struct mem_tree *t = ctx;

	assert_true(level <= MERKLE_LEVEL_MAX);
	assert_int_equal(index, t->count[level]); /* every node once, in order */
	if (t->count[level] == t->room[level]) {
		t->room[level] = t->room[level] ? 2 * t->room[level] : 16;
		t->level[level] = realloc(t->level[level], t->room[level] * HASH);
		assert_non_null(t->level[level]);
	}
	memcpy(t->level[level][t->count[level]++], hash, HASH);
	return HR_OK;
}

static hr_status mem_tree_node(void *ctx, unsigned level, uint64_t index, uint8_t out[HASH])
{
	struct mem_tree *t = ctx;

	t->lookups++;
	if (t->fail_from != 0 && t->lookups >= t->fail_from)
		return t->fail_with;
	if (level > MERKLE_LEVEL_MAX || index >= t->count[level] || index >= (t->limit >> level))
		return HR_E_NOT_FOUND;
	memcpy(out, t->level[level][index], HASH);
	return HR_OK;
}

static struct merkle_source mem_tree_source(struct mem_tree *t, uint64_t limit)
{
	t->limit = limit;
	t->lookups = 0;
	return (struct merkle_source){.node = mem_tree_node, .ctx = t};
}

static void mem_tree_clear(struct mem_tree *t)
{
	for (unsigned i = 0; i <= MERKLE_LEVEL_MAX; i++)
		free(t->level[i]);
	memset(t, 0, sizeof(*t));
}

/* The leaves of the property tests, and the tree over them. */
#define PROPERTY_MAX 1000

static uint8_t leaves[PROPERTY_MAX][HASH];
static struct mem_tree tree;
static struct merkle_frontier frontier;
static uint8_t frontier_roots[PROPERTY_MAX + 1][HASH]; /* after each append */

/*
 * RFC 9162 §2.1.1, word for word, over leaves[begin:end]: MTH({}) = SHA-256(),
 * MTH({d}) = leaf hash, MTH(D_n) = H(0x01 || MTH(D[0:k]) || MTH(D[k:n])) with k
 * the largest power of two < n. Memoised: the proof references below ask for
 * the same ranges again and again.
 */
static uint8_t (*mth_memo)[PROPERTY_MAX + 1][HASH];
static bool (*mth_known)[PROPERTY_MAX + 1];

static uint64_t largest_power_of_two_below(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

static void ref_mth(uint64_t begin, uint64_t end, uint8_t out[HASH])
{
	uint8_t left[HASH], right[HASH];
	uint64_t n = end - begin, k;

	if (n == 0) {
		merkle_empty_root(out);
		return;
	}
	if (mth_known[begin][n]) {
		memcpy(out, mth_memo[begin][n], HASH);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[begin], HASH);
	} else {
		k = largest_power_of_two_below(n);
		ref_mth(begin, begin + k, left);
		ref_mth(begin + k, end, right);
		merkle_node_hash(left, right, out);
	}
	memcpy(mth_memo[begin][n], out, HASH);
	mth_known[begin][n] = true;
}

/* RFC 9162 §2.1.3.1 PATH(m, D[begin:end]), m relative to begin. */
static void ref_path(uint64_t m, uint64_t begin, uint64_t end, uint8_t proof[][HASH], size_t *count)
{
	uint64_t n = end - begin, k;

	if (n <= 1)
		return;
	k = largest_power_of_two_below(n);
	if (m < k) {
		ref_path(m, begin, begin + k, proof, count);
		ref_mth(begin + k, end, proof[(*count)++]);
	} else {
		ref_path(m - k, begin + k, end, proof, count);
		ref_mth(begin, begin + k, proof[(*count)++]);
	}
}

/* RFC 9162 §2.1.4.1 SUBPROOF(m, D[begin:end], b), m relative to begin. */
static void ref_subproof(uint64_t m, uint64_t begin, uint64_t end, bool b, uint8_t proof[][HASH],
			 size_t *count)
{
	uint64_t n = end - begin, k;

	if (m == n) {
		if (!b)
			ref_mth(begin, end, proof[(*count)++]);
		return;
	}
	k = largest_power_of_two_below(n);
	if (m <= k) {
		ref_subproof(m, begin, begin + k, b, proof, count);
		ref_mth(begin + k, end, proof[(*count)++]);
	} else {
		ref_subproof(m - k, begin + k, end, false, proof, count);
		ref_mth(begin, begin + k, proof[(*count)++]);
	}
}

/* MTH straight from the definition, without the memo: for the root property. */
static void ref_mth_plain(uint64_t begin, uint64_t end, uint8_t out[HASH])
{
	uint8_t left[HASH], right[HASH];
	uint64_t n = end - begin, k;

	if (n == 1) {
		memcpy(out, leaves[begin], HASH);
		return;
	}
	k = largest_power_of_two_below(n);
	ref_mth_plain(begin, begin + k, left);
	ref_mth_plain(begin + k, end, right);
	merkle_node_hash(left, right, out);
}

static unsigned bit_length(uint64_t x)
{
	unsigned n = 0;

	while (x != 0) {
		n++;
		x >>= 1;
	}
	return n;
}

static int setup_property_tree(void **state)
{
	uint8_t entry[8];

	(void)state;
	mth_memo = calloc(PROPERTY_MAX + 1, sizeof(*mth_memo));
	mth_known = calloc(PROPERTY_MAX + 1, sizeof(*mth_known));
	assert_non_null(mth_memo);
	assert_non_null(mth_known);
	merkle_frontier_init(&frontier);
	merkle_frontier_root(&frontier, frontier_roots[0]);
	for (uint64_t i = 0; i < PROPERTY_MAX; i++) {
		for (unsigned b = 0; b < sizeof(entry); b++)
			entry[b] = (uint8_t)(i >> (8 * b));
		merkle_leaf_hash(entry, (size_t)(i % 8) + 1, leaves[i]);
		assert_int_equal(merkle_frontier_append(&frontier, leaves[i], mem_tree_emit, &tree),
				 HR_OK);
		merkle_frontier_root(&frontier, frontier_roots[i + 1]);
	}
	return 0;
}

static int teardown_property_tree(void **state)
{
	(void)state;
	mem_tree_clear(&tree);
	free(mth_memo);
	free(mth_known);
	return 0;
}

/* -------------------------------------------------------------------------- */
/* Certificate Transparency vectors (google/certificate-transparency, transparency-dev/merkle) */

static const struct {
	const char *data;
	size_t len;
} ct_leaves[8] = {
    {"", 0},
    {"\x00", 1},
    {"\x10", 1},
    {"\x20\x21", 2},
    {"\x30\x31", 2},
    {"\x40\x41\x42\x43", 4},
    {"\x50\x51\x52\x53\x54\x55\x56\x57", 8},
    {"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16},
};

static const char *const ct_roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static const struct {
	uint64_t index, size;
	size_t count;
	const char *proof[3];
} ct_inclusion[] = {
    {0, 1, 0, {NULL}},
    {0,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const struct {
	uint64_t first, second;
	size_t count;
	const char *proof[3];
} ct_consistency[] = {
    {1, 1, 0, {NULL}},
    {1,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     2,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

/* The eight CT leaves in a store, with the frontier's root after each. */
struct ct_tree {
	struct mem_tree store;
	uint8_t leaf[8][HASH];
	uint8_t root[9][HASH];
};

static void ct_tree_build(struct ct_tree *ct)
{
	struct merkle_frontier f;

	memset(ct, 0, sizeof(*ct));
	merkle_frontier_init(&f);
	merkle_frontier_root(&f, ct->root[0]);
	for (size_t i = 0; i < 8; i++) {
		merkle_leaf_hash(ct_leaves[i].data, ct_leaves[i].len, ct->leaf[i]);
		assert_int_equal(merkle_frontier_append(&f, ct->leaf[i], mem_tree_emit, &ct->store),
				 HR_OK);
		merkle_frontier_root(&f, ct->root[i + 1]);
	}
}

static void test_empty_tree_root_is_sha256_of_nothing(void **state)
{
	uint8_t root[HASH];
	struct merkle_frontier f;

	(void)state;
	merkle_empty_root(root);
	assert_hash(root, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	merkle_frontier_init(&f);
	merkle_frontier_root(&f, root);
	assert_hash(root, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(merkle_root(NULL, 0, root, NULL), HR_OK);
	assert_hash(root, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_leaf_hash_of_empty_entry_is_the_one_leaf_root(void **state)
{
	uint8_t hash[HASH];

	(void)state;
	merkle_leaf_hash("", 0, hash);
	assert_hash(hash, ct_roots[0]);
	merkle_leaf_hash(NULL, 0, hash);
	assert_hash(hash, ct_roots[0]);
}

/* Entries above the stack buffer take the streaming path: same SHA-256(0x00 || entry). */
static void test_leaf_hash_is_the_same_on_both_sides_of_the_stack_buffer(void **state)
{
	static const size_t sizes[] = {1, 4095, 4096, 4097, 16384};
	uint8_t *block = malloc(1 + 16384);
	uint8_t leaf[HASH], expected[HASH];

	(void)state;
	assert_non_null(block);
	block[0] = 0x00;
	for (size_t i = 1; i <= 16384; i++)
		block[i] = (uint8_t)(i * 31 + 7);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		assert_int_equal(
		    EVP_Digest(block, 1 + sizes[s], expected, NULL, EVP_sha256(), NULL), 1);
		merkle_leaf_hash(block + 1, sizes[s], leaf);
		assert_memory_equal(leaf, expected, HASH);
	}
	free(block);
}

static void test_ct_roots_for_sizes_1_to_8(void **state)
{
	struct ct_tree ct;
	struct merkle_source src;
	uint8_t root[HASH];

	(void)state;
	ct_tree_build(&ct);
	for (uint64_t size = 1; size <= 8; size++) {
		assert_hash(ct.root[size], ct_roots[size - 1]);
		src = mem_tree_source(&ct.store, size);
		assert_int_equal(merkle_root(&src, size, root, NULL), HR_OK);
		assert_hash(root, ct_roots[size - 1]);
	}
	mem_tree_clear(&ct.store);
}

static void test_ct_inclusion_proofs(void **state)
{
	struct ct_tree ct;
	struct merkle_source src;
	uint8_t proof[MERKLE_PROOF_MAX][HASH];
	size_t count;

	(void)state;
	ct_tree_build(&ct);
	for (size_t v = 0; v < sizeof(ct_inclusion) / sizeof(ct_inclusion[0]); v++) {
		uint64_t index = ct_inclusion[v].index, size = ct_inclusion[v].size;

		src = mem_tree_source(&ct.store, size);
		assert_int_equal(merkle_inclusion_proof(&src, index, size, proof, &count, NULL),
				 HR_OK);
		assert_int_equal(count, ct_inclusion[v].count);
		for (size_t i = 0; i < count; i++)
			assert_hash(proof[i], ct_inclusion[v].proof[i]);
		assert_int_equal(merkle_inclusion_verify(ct.leaf[index], index, size,
							 MERKLE_CONST_PROOF(proof), count,
							 ct.root[size], NULL),
				 HR_OK);
	}
	mem_tree_clear(&ct.store);
}

static void test_ct_consistency_proofs(void **state)
{
	struct ct_tree ct;
	struct merkle_source src;
	uint8_t proof[MERKLE_PROOF_MAX][HASH];
	size_t count;

	(void)state;
	ct_tree_build(&ct);
	for (size_t v = 0; v < sizeof(ct_consistency) / sizeof(ct_consistency[0]); v++) {
		uint64_t first = ct_consistency[v].first, second = ct_consistency[v].second;

		src = mem_tree_source(&ct.store, second);
		assert_int_equal(merkle_consistency_proof(&src, first, second, proof, &count, NULL),
				 HR_OK);
		assert_int_equal(count, ct_consistency[v].count);
		for (size_t i = 0; i < count; i++)
			assert_hash(proof[i], ct_consistency[v].proof[i]);
		assert_int_equal(merkle_consistency_verify(first, second, ct.root[first],
							   ct.root[second],
							   MERKLE_CONST_PROOF(proof), count, NULL),
				 HR_OK);
	}
	mem_tree_clear(&ct.store);
}

/* The published proofs, parsed, verify against the published roots alone. */
static void test_ct_proofs_verify_from_the_published_bytes(void **state)
{
	uint8_t proof[3][HASH], leaf[HASH], root[HASH], first_root[HASH];

	(void)state;
	for (size_t v = 0; v < sizeof(ct_inclusion) / sizeof(ct_inclusion[0]); v++) {
		for (size_t i = 0; i < ct_inclusion[v].count; i++)
			from_hex(ct_inclusion[v].proof[i], proof[i]);
		merkle_leaf_hash(ct_leaves[ct_inclusion[v].index].data,
				 ct_leaves[ct_inclusion[v].index].len, leaf);
		from_hex(ct_roots[ct_inclusion[v].size - 1], root);
		assert_int_equal(merkle_inclusion_verify(
				     leaf, ct_inclusion[v].index, ct_inclusion[v].size,
				     MERKLE_CONST_PROOF(proof), ct_inclusion[v].count, root, NULL),
				 HR_OK);
	}
	for (size_t v = 0; v < sizeof(ct_consistency) / sizeof(ct_consistency[0]); v++) {
		for (size_t i = 0; i < ct_consistency[v].count; i++)
			from_hex(ct_consistency[v].proof[i], proof[i]);
		from_hex(ct_roots[ct_consistency[v].first - 1], first_root);
		from_hex(ct_roots[ct_consistency[v].second - 1], root);
		assert_int_equal(merkle_consistency_verify(ct_consistency[v].first,
							   ct_consistency[v].second, first_root,
							   root, MERKLE_CONST_PROOF(proof),
							   ct_consistency[v].count, NULL),
				 HR_OK);
	}
}

/* -------------------------------------------------------------------------- */
/* Properties against the reference, over the PROPERTY_MAX leaves */

/*
 * Every pair (index, size) / (first, second) with size up to PROPERTY_MAX, as
 * issue 5 asks: about 500 000 of each, some 10 s under ASan, where every
 * SHA-256 pays for OpenSSL's two allocations.
 */

/*
 * A proof of count hashes on the heap with no room after it (NULL when empty),
 * so that ASan catches a verifier reading past the end. Counts too large to be
 * valid keep the caller's (larger) array: the verifier must not read it at all.
 */
static const uint8_t (*exact_copy(const uint8_t proof[][HASH], size_t count))[HASH]
{
	uint8_t(*copy)[HASH];

	if (count == 0)
		return NULL;
	if (count > MERKLE_PROOF_MAX)
		return proof;
	copy = malloc(count * HASH);
	assert_non_null(copy);
	memcpy(copy, proof, count * HASH);
	return MERKLE_CONST_PROOF(copy);
}

static void free_copy(const uint8_t (*copy)[HASH], const uint8_t proof[][HASH])
{
	if (copy != proof)
		free((void *)copy);
}

static void test_every_size_has_the_reference_root(void **state)
{
	struct merkle_source src;
	uint8_t expected[HASH], root[HASH];

	(void)state;
	for (uint64_t size = 1; size <= PROPERTY_MAX; size++) {
		ref_mth_plain(0, size, expected);
		assert_memory_equal(frontier_roots[size], expected, HASH);
		src = mem_tree_source(&tree, size);
		assert_int_equal(merkle_root(&src, size, root, NULL), HR_OK);
		assert_memory_equal(root, expected, HASH);
		/* one stored node per perfect subtree: a set bit of size */
		assert_true(tree.lookups <= bit_length(size));
	}
}

static void check_inclusion(uint64_t index, uint64_t size)
{
	uint8_t proof[MERKLE_PROOF_MAX][HASH], expected[MERKLE_PROOF_MAX][HASH];
	const uint8_t(*exact)[HASH];
	size_t count, expected_count = 0;
	struct merkle_source src = mem_tree_source(&tree, size);

	assert_int_equal(merkle_inclusion_proof(&src, index, size, proof, &count, NULL), HR_OK);
	assert_true(tree.lookups <= 2 * bit_length(size));
	ref_path(index, 0, size, expected, &expected_count);
	assert_int_equal(count, expected_count);
	if (count > 0)
		assert_memory_equal(proof, expected, count * HASH);
	exact = exact_copy(MERKLE_CONST_PROOF(proof), count);
	assert_int_equal(merkle_inclusion_verify(leaves[index], index, size, exact, count,
						 frontier_roots[size], NULL),
			 HR_OK);
	free_copy(exact, MERKLE_CONST_PROOF(proof));
}

static void check_consistency(uint64_t first, uint64_t second)
{
	uint8_t proof[MERKLE_PROOF_MAX][HASH], expected[MERKLE_PROOF_MAX][HASH];
	const uint8_t(*exact)[HASH];
	size_t count, expected_count = 0;
	struct merkle_source src = mem_tree_source(&tree, second);

	assert_int_equal(merkle_consistency_proof(&src, first, second, proof, &count, NULL), HR_OK);
	assert_true(tree.lookups <= 2 * bit_length(second) + 1);
	ref_subproof(first, 0, second, true, expected, &expected_count);
	assert_int_equal(count, expected_count);
	if (count > 0)
		assert_memory_equal(proof, expected, count * HASH);
	exact = exact_copy(MERKLE_CONST_PROOF(proof), count);
	assert_int_equal(merkle_consistency_verify(first, second, frontier_roots[first],
						   frontier_roots[second], exact, count, NULL),
			 HR_OK);
	free_copy(exact, MERKLE_CONST_PROOF(proof));
}

static void test_inclusion_proofs_are_the_reference_path_and_verify(void **state)
{
	(void)state;
	for (uint64_t size = 1; size <= PROPERTY_MAX; size++)
		for (uint64_t index = 0; index < size; index++)
			check_inclusion(index, size);
}

static void test_consistency_proofs_are_the_reference_proof_and_verify(void **state)
{
	(void)state;
	for (uint64_t second = 1; second <= PROPERTY_MAX; second++)
		for (uint64_t first = 1; first <= second; first++)
			check_consistency(first, second);
}

/* -------------------------------------------------------------------------- */
/* Wrong proofs: HR_E_SIGNATURE; malformed arguments: HR_E_INVALID */

#define CORRUPT_MAX 64 /* every pair up to this size gets every corruption */

static const uint8_t zero_hash[HASH];

static void expect_inclusion(const uint8_t leaf[HASH], uint64_t index, uint64_t size,
			     const uint8_t proof[][HASH], size_t count, const uint8_t root[HASH])
{
	struct hr_error err = {0};
	hr_status expected =
	    index >= size || count > MERKLE_PROOF_MAX ? HR_E_INVALID : HR_E_SIGNATURE;
	const uint8_t(*exact)[HASH] = exact_copy(proof, count);

	assert_int_equal(merkle_inclusion_verify(leaf, index, size, exact, count, root, &err),
			 expected);
	free_copy(exact, proof);
	assert_int_equal(err.status, expected);
	assert_string_equal(err.stage, "merkle");
	assert_true(err.message[0] != '\0');
}

static void expect_consistency(uint64_t first, uint64_t second, const uint8_t first_root[HASH],
			       const uint8_t second_root[HASH], const uint8_t proof[][HASH],
			       size_t count)
{
	struct hr_error err = {0};
	hr_status expected = first == 0 || first > second || count > MERKLE_PROOF_MAX
				 ? HR_E_INVALID
				 : HR_E_SIGNATURE;
	const uint8_t(*exact)[HASH] = exact_copy(proof, count);

	assert_int_equal(
	    merkle_consistency_verify(first, second, first_root, second_root, exact, count, &err),
	    expected);
	free_copy(exact, proof);
	assert_int_equal(err.status, expected);
	assert_string_equal(err.stage, "merkle");
	assert_true(err.message[0] != '\0');
}

static void test_inclusion_verify_rejects_every_corruption(void **state)
{
	uint8_t proof[MERKLE_PROOF_MAX + 1][HASH], bad[MERKLE_PROOF_MAX + 1][HASH];
	uint8_t forged_root[HASH];
	const uint8_t *root, *leaf;
	struct merkle_source src;
	size_t count;

	(void)state;
	for (uint64_t size = 1; size <= CORRUPT_MAX; size++) {
		for (uint64_t index = 0; index < size; index++) {
			src = mem_tree_source(&tree, size);
			assert_int_equal(
			    merkle_inclusion_proof(&src, index, size, proof, &count, NULL), HR_OK);
			root = frontier_roots[size];
			leaf = leaves[index];

			/* a flipped bit anywhere in any hash */
			for (size_t i = 0; i < count; i++) {
				for (unsigned bit = 0; bit < 8 * HASH; bit += 37) {
					memcpy(bad, proof, count * HASH);
					bad[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
					expect_inclusion(leaf, index, size, MERKLE_CONST_PROOF(bad),
							 count, root);
				}
			}
			/* wrong index */
			expect_inclusion(leaf, index + 1, size, MERKLE_CONST_PROOF(proof), count,
					 root);
			if (index > 0)
				expect_inclusion(leaf, index - 1, size, MERKLE_CONST_PROOF(proof),
						 count, root);
			expect_inclusion(leaf, index ^ 2, size, MERKLE_CONST_PROOF(proof), count,
					 root);
			/* wrong size */
			expect_inclusion(leaf, index, size * 2, MERKLE_CONST_PROOF(proof), count,
					 root);
			expect_inclusion(leaf, index, size / 2, MERKLE_CONST_PROOF(proof), count,
					 root);
			expect_inclusion(leaf, index, 0, MERKLE_CONST_PROOF(proof), count, root);
			/* wrong leaf or root */
			expect_inclusion(leaves[index + 1], index, size, MERKLE_CONST_PROOF(proof),
					 count, root);
			expect_inclusion(leaf, index, size, MERKLE_CONST_PROOF(proof), count,
					 frontier_roots[size - 1]);
			expect_inclusion(leaf, index, size, MERKLE_CONST_PROOF(proof), count,
					 frontier_roots[0]);
			if (size > 1) /* a one-leaf tree's root is its leaf */
				expect_inclusion(root, index, size, MERKLE_CONST_PROOF(proof),
						 count, leaf);
			/* truncated, extended, preceded */
			if (count > 0)
				expect_inclusion(leaf, index, size, MERKLE_CONST_PROOF(proof),
						 count - 1, root);
			memcpy(bad, proof, count * HASH);
			memcpy(bad[count], zero_hash, HASH);
			expect_inclusion(leaf, index, size, MERKLE_CONST_PROOF(bad), count + 1,
					 root);
			memcpy(bad[count], root, HASH);
			expect_inclusion(leaf, index, size, MERKLE_CONST_PROOF(bad), count + 1,
					 root);
			/* ... even against a root made for the longer path (RFC step 4a) */
			merkle_node_hash(zero_hash, root, forged_root);
			memcpy(bad[count], zero_hash, HASH);
			expect_inclusion(leaf, index, size, MERKLE_CONST_PROOF(bad), count + 1,
					 forged_root);
			memcpy(bad[0], zero_hash, HASH);
			memcpy(bad[1], proof, count * HASH);
			expect_inclusion(leaf, index, size, MERKLE_CONST_PROOF(bad), count + 1,
					 root);
			memcpy(bad[0], leaf, HASH);
			expect_inclusion(leaf, index, size, MERKLE_CONST_PROOF(bad), count + 1,
					 root);
		}
	}
}

static void test_inclusion_verify_refuses_malformed_arguments(void **state)
{
	uint8_t proof[MERKLE_PROOF_MAX + 1][HASH];

	(void)state;
	memset(proof, 0, sizeof(proof));
	/* longer than any proof can be */
	expect_inclusion(leaves[0], 0, 2, MERKLE_CONST_PROOF(proof), MERKLE_PROOF_MAX + 1,
			 frontier_roots[2]);
	expect_inclusion(leaves[0], 0, 2, MERKLE_CONST_PROOF(proof), SIZE_MAX, frontier_roots[2]);
	/* index outside the tree */
	expect_inclusion(leaves[0], 2, 2, MERKLE_CONST_PROOF(proof), 1, frontier_roots[2]);
	expect_inclusion(leaves[0], UINT64_MAX, 2, MERKLE_CONST_PROOF(proof), 1, frontier_roots[2]);
	expect_inclusion(leaves[0], 0, 0, MERKLE_CONST_PROOF(proof), 0, frontier_roots[0]);
	/* beyond the largest tree */
	assert_int_equal(merkle_inclusion_verify(leaves[0], 0, MERKLE_SIZE_MAX + 1,
						 MERKLE_CONST_PROOF(proof), 64, frontier_roots[2],
						 NULL),
			 HR_E_INVALID);
	assert_int_equal(merkle_inclusion_verify(leaves[0], UINT64_MAX - 1, UINT64_MAX,
						 MERKLE_CONST_PROOF(proof), 64, frontier_roots[2],
						 NULL),
			 HR_E_INVALID);
	/* the largest tree with a garbage proof of every length: no verdict but "no" */
	for (size_t count = 0; count <= MERKLE_PROOF_MAX; count++)
		expect_inclusion(leaves[0], MERKLE_SIZE_MAX - 1, MERKLE_SIZE_MAX,
				 MERKLE_CONST_PROOF(proof), count, frontier_roots[2]);
}

static void test_consistency_verify_rejects_every_corruption(void **state)
{
	uint8_t proof[MERKLE_PROOF_MAX + 1][HASH], bad[MERKLE_PROOF_MAX + 1][HASH];
	static const uint8_t some_hash[HASH] = {0xab, 0xac, 0xab, 0xa0, 0x60, 0x06, 0x1e};
	const uint8_t *r1, *r2;
	struct merkle_source src;
	size_t count;

	(void)state;
	for (uint64_t second = 1; second <= CORRUPT_MAX; second++) {
		for (uint64_t first = 1; first <= second; first++) {
			src = mem_tree_source(&tree, second);
			assert_int_equal(
			    merkle_consistency_proof(&src, first, second, proof, &count, NULL),
			    HR_OK);
			r1 = frontier_roots[first];
			r2 = frontier_roots[second];
			if (first == second) {
				/* nothing to prove: the roots must be equal and the proof empty */
				assert_int_equal(count, 0);
				memcpy(bad[0], r1, HASH);
				expect_consistency(first, second, r1, r2, MERKLE_CONST_PROOF(bad),
						   1);
				expect_consistency(first, second, r1, some_hash,
						   MERKLE_CONST_PROOF(proof), 0);
				expect_consistency(first, second, some_hash, r2,
						   MERKLE_CONST_PROOF(proof), 0);
				continue;
			}
			assert_true(count > 0);

			/* a flipped bit anywhere in any hash */
			for (size_t i = 0; i < count; i++) {
				for (unsigned bit = 0; bit < 8 * HASH; bit += 37) {
					memcpy(bad, proof, count * HASH);
					bad[i][bit / 8] ^= (uint8_t)(1u << (bit % 8));
					expect_consistency(first, second, r1, r2,
							   MERKLE_CONST_PROOF(bad), count);
				}
			}
			/* wrong first size */
			expect_consistency(first - 1, second, r1, r2, MERKLE_CONST_PROOF(proof),
					   count);
			expect_consistency(first + 1, second, r1, r2, MERKLE_CONST_PROOF(proof),
					   count);
			expect_consistency(first ^ 2, second, r1, r2, MERKLE_CONST_PROOF(proof),
					   count);
			/* wrong second size */
			expect_consistency(first, second * 2, r1, r2, MERKLE_CONST_PROOF(proof),
					   count);
			expect_consistency(first, second / 2, r1, r2, MERKLE_CONST_PROOF(proof),
					   count);
			/* wrong or swapped roots */
			expect_consistency(first, second, some_hash, r2, MERKLE_CONST_PROOF(proof),
					   count);
			expect_consistency(first, second, r1, some_hash, MERKLE_CONST_PROOF(proof),
					   count);
			expect_consistency(first, second, r2, r1, MERKLE_CONST_PROOF(proof), count);
			/* empty, truncated, extended, preceded */
			expect_consistency(first, second, r1, r2, MERKLE_CONST_PROOF(proof), 0);
			expect_consistency(first, second, r1, r2, MERKLE_CONST_PROOF(proof),
					   count - 1);
			memcpy(bad, proof, count * HASH);
			memcpy(bad[count], zero_hash, HASH);
			expect_consistency(first, second, r1, r2, MERKLE_CONST_PROOF(bad),
					   count + 1);
			memcpy(bad[count], r1, HASH);
			expect_consistency(first, second, r1, r2, MERKLE_CONST_PROOF(bad),
					   count + 1);
			memcpy(bad[count], r2, HASH);
			expect_consistency(first, second, r1, r2, MERKLE_CONST_PROOF(bad),
					   count + 1);
			memcpy(bad[1], proof, count * HASH);
			memcpy(bad[0], zero_hash, HASH);
			expect_consistency(first, second, r1, r2, MERKLE_CONST_PROOF(bad),
					   count + 1);
			memcpy(bad[0], r1, HASH);
			expect_consistency(first, second, r1, r2, MERKLE_CONST_PROOF(bad),
					   count + 1);
			memcpy(bad[0], r2, HASH);
			expect_consistency(first, second, r1, r2, MERKLE_CONST_PROOF(bad),
					   count + 1);
			memcpy(bad[0], proof[0], HASH);
			expect_consistency(first, second, r1, r2, MERKLE_CONST_PROOF(bad),
					   count + 1);
		}
	}
}

static void test_consistency_verify_refuses_malformed_arguments(void **state)
{
	uint8_t proof[MERKLE_PROOF_MAX + 1][HASH];
	const uint8_t *r1 = frontier_roots[3], *r2 = frontier_roots[5];

	(void)state;
	memset(proof, 0, sizeof(proof));
	expect_consistency(3, 5, r1, r2, MERKLE_CONST_PROOF(proof), MERKLE_PROOF_MAX + 1);
	expect_consistency(3, 5, r1, r2, MERKLE_CONST_PROOF(proof), SIZE_MAX);
	expect_consistency(0, 5, r1, r2, MERKLE_CONST_PROOF(proof), 2);
	expect_consistency(0, 0, frontier_roots[0], frontier_roots[0], MERKLE_CONST_PROOF(proof),
			   0);
	expect_consistency(5, 3, r2, r1, MERKLE_CONST_PROOF(proof), 2);
	expect_consistency(UINT64_MAX, 3, r2, r1, MERKLE_CONST_PROOF(proof), 2);
	assert_int_equal(merkle_consistency_verify(3, MERKLE_SIZE_MAX + 1, r1, r2,
						   MERKLE_CONST_PROOF(proof), 64, NULL),
			 HR_E_INVALID);
	/* the largest tree with a garbage proof of every length: no verdict but "no" */
	for (size_t count = 0; count <= MERKLE_PROOF_MAX; count++)
		expect_consistency(MERKLE_SIZE_MAX - 1, MERKLE_SIZE_MAX, r1, r2,
				   MERKLE_CONST_PROOF(proof), count);
}

/* -------------------------------------------------------------------------- */
/* Building: arguments, and a source that fails */

static void expect_invalid(hr_status rc, const struct hr_error *err)
{
	assert_int_equal(rc, HR_E_INVALID);
	assert_int_equal(err->status, HR_E_INVALID);
	assert_string_equal(err->stage, "merkle");
	assert_true(err->message[0] != '\0');
}

static void test_proof_builders_refuse_bad_arguments(void **state)
{
	uint8_t proof[MERKLE_PROOF_MAX][HASH], root[HASH];
	struct merkle_source src = mem_tree_source(&tree, 10);
	struct merkle_source no_node = {.node = NULL, .ctx = NULL};
	struct hr_error err;
	size_t count = 99;

	(void)state;
	err = (struct hr_error){0};
	expect_invalid(merkle_inclusion_proof(&src, 10, 10, proof, &count, &err), &err);
	assert_int_equal(count, 0);
	count = 99;
	expect_invalid(merkle_inclusion_proof(&src, 11, 10, proof, &count, &err), &err);
	assert_int_equal(count, 0);
	expect_invalid(merkle_inclusion_proof(&src, 0, 0, proof, &count, &err), &err);
	expect_invalid(merkle_inclusion_proof(&src, 0, MERKLE_SIZE_MAX + 1, proof, &count, &err),
		       &err);
	expect_invalid(merkle_inclusion_proof(NULL, 0, 10, proof, &count, &err), &err);
	expect_invalid(merkle_inclusion_proof(&no_node, 0, 10, proof, &count, &err), &err);
	expect_invalid(merkle_inclusion_proof(&src, 0, 10, NULL, &count, &err), &err);
	expect_invalid(merkle_inclusion_proof(&src, 0, 10, proof, NULL, &err), &err);

	count = 99;
	expect_invalid(merkle_consistency_proof(&src, 0, 10, proof, &count, &err), &err);
	assert_int_equal(count, 0);
	expect_invalid(merkle_consistency_proof(&src, 0, 0, proof, &count, &err), &err);
	expect_invalid(merkle_consistency_proof(&src, 11, 10, proof, &count, &err), &err);
	expect_invalid(merkle_consistency_proof(&src, 1, MERKLE_SIZE_MAX + 1, proof, &count, &err),
		       &err);
	expect_invalid(merkle_consistency_proof(NULL, 1, 10, proof, &count, &err), &err);
	expect_invalid(merkle_consistency_proof(&no_node, 1, 10, proof, &count, &err), &err);
	expect_invalid(merkle_consistency_proof(&src, 1, 10, NULL, &count, &err), &err);
	expect_invalid(merkle_consistency_proof(&src, 1, 10, proof, NULL, &err), &err);

	expect_invalid(merkle_root(&src, MERKLE_SIZE_MAX + 1, root, &err), &err);
	expect_invalid(merkle_root(NULL, 10, root, &err), &err);
	expect_invalid(merkle_root(&no_node, 10, root, &err), &err);
	/* nothing was asked of the source */
	assert_int_equal(tree.lookups, 0);
	/* the message names the offending values */
	merkle_inclusion_proof(&src, 12, 10, proof, &count, &err);
	assert_non_null(strstr(err.message, "12"));
	assert_non_null(strstr(err.message, "10"));
}

/* Fails on each lookup in turn: the error comes back as it was, with a message. */
static void test_a_failing_source_fails_the_call_with_its_status(void **state)
{
	static const hr_status failures[] = {HR_E_IO, HR_E_NOT_FOUND, HR_E_DATABASE};
	uint8_t proof[MERKLE_PROOF_MAX][HASH], root[HASH];
	struct merkle_source src;
	struct hr_error err;
	unsigned needed[3];
	size_t count;

	(void)state;
	src = mem_tree_source(&tree, 1000);
	assert_int_equal(merkle_root(&src, 999, root, NULL), HR_OK);
	needed[0] = tree.lookups;
	src = mem_tree_source(&tree, 1000);
	assert_int_equal(merkle_inclusion_proof(&src, 3, 999, proof, &count, NULL), HR_OK);
	needed[1] = tree.lookups;
	src = mem_tree_source(&tree, 1000);
	assert_int_equal(merkle_consistency_proof(&src, 7, 999, proof, &count, NULL), HR_OK);
	needed[2] = tree.lookups;
	assert_true(needed[0] > 1 && needed[1] > 1 && needed[2] > 1);

	for (size_t f = 0; f < sizeof(failures) / sizeof(failures[0]); f++) {
		tree.fail_with = failures[f];
		for (unsigned call = 1; call <= needed[0]; call++) {
			src = mem_tree_source(&tree, 1000);
			tree.fail_from = call;
			err = (struct hr_error){0};
			assert_int_equal(merkle_root(&src, 999, root, &err), failures[f]);
			assert_int_equal(err.status, failures[f]);
			assert_string_equal(err.stage, "merkle");
		}
		for (unsigned call = 1; call <= needed[1]; call++) {
			src = mem_tree_source(&tree, 1000);
			tree.fail_from = call;
			count = 99;
			err = (struct hr_error){0};
			assert_int_equal(merkle_inclusion_proof(&src, 3, 999, proof, &count, &err),
					 failures[f]);
			assert_int_equal(count, 0);
			assert_int_equal(err.status, failures[f]);
			assert_string_equal(err.stage, "merkle");
		}
		for (unsigned call = 1; call <= needed[2]; call++) {
			src = mem_tree_source(&tree, 1000);
			tree.fail_from = call;
			count = 99;
			err = (struct hr_error){0};
			assert_int_equal(
			    merkle_consistency_proof(&src, 7, 999, proof, &count, &err),
			    failures[f]);
			assert_int_equal(count, 0);
			assert_int_equal(err.status, failures[f]);
			assert_string_equal(err.stage, "merkle");
		}
	}
	tree.fail_from = 0;
}

/* A store holding only the first 4 leaves cannot prove anything about 5. */
static void test_proofs_need_the_nodes_of_their_tree_size(void **state)
{
	struct ct_tree ct;
	struct merkle_source src;
	uint8_t proof[MERKLE_PROOF_MAX][HASH], root[HASH];
	size_t count;

	(void)state;
	ct_tree_build(&ct);
	src = mem_tree_source(&ct.store, 4);
	assert_int_equal(merkle_root(&src, 5, root, NULL), HR_E_NOT_FOUND);
	assert_int_equal(merkle_inclusion_proof(&src, 0, 5, proof, &count, NULL), HR_E_NOT_FOUND);
	assert_int_equal(merkle_consistency_proof(&src, 2, 5, proof, &count, NULL), HR_E_NOT_FOUND);
	assert_int_equal(merkle_root(&src, 4, root, NULL), HR_OK);
	assert_hash(root, ct_roots[3]);
	mem_tree_clear(&ct.store);
}

/* -------------------------------------------------------------------------- */
/* The frontier */

struct emit_log {
	unsigned n;
	unsigned level[64];
	uint64_t index[64];
	unsigned fail_at_level; /* fail when asked to emit this level; 0: never */
};

static hr_status log_emit(void *ctx, unsigned level, uint64_t index, const uint8_t hash[HASH])
{
	struct emit_log *log = ctx;

	(void)hash;
	if (log->fail_at_level != 0 && level == log->fail_at_level)
		return HR_E_IO;
	assert_true(log->n < 64);
	log->level[log->n] = level;
	log->index[log->n++] = index;
	return HR_OK;
}

static void test_frontier_emits_the_leaf_then_each_completed_ancestor(void **state)
{
	/* (level, index) in the order emitted while appending 8 leaves */
	static const unsigned levels[] = {0, 0, 1, 0, 0, 1, 2, 0, 0, 1, 0, 0, 1, 2, 3};
	static const uint64_t indices[] = {0, 1, 0, 2, 3, 1, 0, 4, 5, 2, 6, 7, 3, 1, 0};
	struct merkle_frontier f;
	struct emit_log log = {0};

	(void)state;
	merkle_frontier_init(&f);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(merkle_frontier_append(&f, leaves[i], log_emit, &log), HR_OK);
	assert_int_equal(f.size, 8);
	assert_int_equal(log.n, sizeof(levels) / sizeof(levels[0]));
	for (unsigned i = 0; i < log.n; i++) {
		assert_int_equal(log.level[i], levels[i]);
		assert_int_equal(log.index[i], indices[i]);
	}
}

static void test_frontier_holds_the_last_complete_node_of_each_level(void **state)
{
	struct merkle_frontier f;

	(void)state;
	merkle_frontier_init(&f);
	for (uint64_t size = 1; size <= PROPERTY_MAX; size++) {
		assert_int_equal(merkle_frontier_append(&f, leaves[size - 1], NULL, NULL), HR_OK);
		assert_int_equal(f.size, size);
		for (unsigned level = 0; (size >> level) > 0; level++)
			assert_memory_equal(f.node[level], tree.level[level][(size >> level) - 1],
					    HASH);
	}
}

static void test_frontier_is_unchanged_when_emit_fails(void **state)
{
	struct ct_tree ct;
	struct merkle_frontier f, before;
	struct emit_log log = {0};
	uint8_t root[HASH];

	(void)state;
	ct_tree_build(&ct);
	merkle_frontier_init(&f);
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(merkle_frontier_append(&f, ct.leaf[i], NULL, NULL), HR_OK);
	before = f;
	/* the 8th leaf completes levels 1, 2 and 3: fail at each, and at the leaf */
	for (unsigned level = 1; level <= 3; level++) {
		log.fail_at_level = level;
		assert_int_equal(merkle_frontier_append(&f, ct.leaf[7], log_emit, &log), HR_E_IO);
		assert_memory_equal(&f, &before, sizeof(f));
	}
	log.fail_at_level = 0;
	assert_int_equal(merkle_frontier_append(&f, ct.leaf[7], log_emit, &log), HR_OK);
	merkle_frontier_root(&f, root);
	assert_hash(root, ct_roots[7]);
	mem_tree_clear(&ct.store);
}

static void test_frontier_refuses_to_grow_past_the_largest_tree(void **state)
{
	struct merkle_frontier f;

	(void)state;
	merkle_frontier_init(&f);
	f.size = MERKLE_SIZE_MAX;
	assert_int_equal(merkle_frontier_append(&f, leaves[0], NULL, NULL), HR_E_TOO_LARGE);
	assert_true(f.size == MERKLE_SIZE_MAX);
}

/* -------------------------------------------------------------------------- */
/* At the size limit: a tree of 2^63 equal leaves, whose nodes are known per level */

struct uniform_tree {
	uint8_t node[MERKLE_LEVEL_MAX + 1][HASH];
	uint64_t limit;
};

static hr_status uniform_node(void *ctx, unsigned level, uint64_t index, uint8_t out[HASH])
{
	struct uniform_tree *t = ctx;

	if (level > MERKLE_LEVEL_MAX || index >= (t->limit >> level))
		return HR_E_NOT_FOUND;
	memcpy(out, t->node[level], HASH);
	return HR_OK;
}

static void test_proofs_at_the_size_limit(void **state)
{
	static const struct {
		uint64_t a, b;
		size_t inclusion_count, consistency_count;
	} cases[] = {
	    {MERKLE_SIZE_MAX - 1, MERKLE_SIZE_MAX, 63, 64},
	    {1, MERKLE_SIZE_MAX, 63, 63},
	    {MERKLE_SIZE_MAX / 2 + 5, MERKLE_SIZE_MAX - 1, 63, 64},
	    {MERKLE_SIZE_MAX - 2, MERKLE_SIZE_MAX - 1, 63, 63},
	};
	struct uniform_tree t;
	struct merkle_source src = {.node = uniform_node, .ctx = &t};
	uint8_t proof[MERKLE_PROOF_MAX][HASH], root_a[HASH], root_b[HASH];
	size_t count;

	(void)state;
	merkle_leaf_hash("audit", 5, t.node[0]);
	for (unsigned level = 1; level <= MERKLE_LEVEL_MAX; level++)
		merkle_node_hash(t.node[level - 1], t.node[level - 1], t.node[level]);
	t.limit = MERKLE_SIZE_MAX;
	assert_int_equal(merkle_root(&src, MERKLE_SIZE_MAX, root_b, NULL), HR_OK);
	assert_memory_equal(root_b, t.node[MERKLE_LEVEL_MAX], HASH);

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint64_t a = cases[c].a, b = cases[c].b;

		t.limit = b;
		assert_int_equal(merkle_root(&src, a, root_a, NULL), HR_OK);
		assert_int_equal(merkle_root(&src, b, root_b, NULL), HR_OK);
		assert_int_equal(merkle_inclusion_proof(&src, a - 1, b, proof, &count, NULL),
				 HR_OK);
		assert_int_equal(count, cases[c].inclusion_count);
		assert_int_equal(merkle_inclusion_verify(t.node[0], a - 1, b,
							 MERKLE_CONST_PROOF(proof), count, root_b,
							 NULL),
				 HR_OK);
		assert_int_equal(merkle_consistency_proof(&src, a, b, proof, &count, NULL), HR_OK);
		assert_int_equal(count, cases[c].consistency_count);
		assert_int_equal(merkle_consistency_verify(a, b, root_a, root_b,
							   MERKLE_CONST_PROOF(proof), count, NULL),
				 HR_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_tree_root_is_sha256_of_nothing),
	    cmocka_unit_test(test_leaf_hash_of_empty_entry_is_the_one_leaf_root),
	    cmocka_unit_test(test_leaf_hash_is_the_same_on_both_sides_of_the_stack_buffer),
	    cmocka_unit_test(test_ct_roots_for_sizes_1_to_8),
	    cmocka_unit_test(test_ct_inclusion_proofs),
	    cmocka_unit_test(test_ct_consistency_proofs),
	    cmocka_unit_test(test_ct_proofs_verify_from_the_published_bytes),
	    cmocka_unit_test(test_every_size_has_the_reference_root),
	    cmocka_unit_test(test_inclusion_proofs_are_the_reference_path_and_verify),
	    cmocka_unit_test(test_consistency_proofs_are_the_reference_proof_and_verify),
	    cmocka_unit_test(test_inclusion_verify_rejects_every_corruption),
	    cmocka_unit_test(test_inclusion_verify_refuses_malformed_arguments),
	    cmocka_unit_test(test_consistency_verify_rejects_every_corruption),
	    cmocka_unit_test(test_consistency_verify_refuses_malformed_arguments),
	    cmocka_unit_test(test_proof_builders_refuse_bad_arguments),
	    cmocka_unit_test(test_a_failing_source_fails_the_call_with_its_status),
	    cmocka_unit_test(test_proofs_need_the_nodes_of_their_tree_size),
	    cmocka_unit_test(test_frontier_emits_the_leaf_then_each_completed_ancestor),
	    cmocka_unit_test(test_frontier_holds_the_last_complete_node_of_each_level),
	    cmocka_unit_test(test_frontier_is_unchanged_when_emit_fails),
	    cmocka_unit_test(test_frontier_refuses_to_grow_past_the_largest_tree),
	    cmocka_unit_test(test_proofs_at_the_size_limit),
	};
	return cmocka_run_group_tests(tests, setup_property_tree, teardown_property_tree);
}
