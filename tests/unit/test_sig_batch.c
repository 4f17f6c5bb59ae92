/*
 * test_sig_batch.c — batch signatures (exchange/sig_batch.h): messages signed
 * together share one signature over a Merkle root; each verifies alone with its
 * path, and nothing else does: a message cut from its batch, a path meant for
 * another message, a signature lifted onto another tree, a replayed message, a
 * malformed value. A receiver verifies a root once however many of its
 * messages arrive.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "audit/merkle.h"
#include "credential/signer.h"
#include "exchange/httpsig.h"
#include "exchange/sig_batch.h"

#define THREADS 8

/* a signer slow enough (50 ms, like a busy key process or an HSM) that the
 * threads calling it meanwhile queue into one batch */
struct slow {
	struct signer *inner;
	int calls;
	pthread_mutex_t lock;
};

static hr_status slow_sign(void *impl, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
			   size_t *sig_len, struct hr_error *err)
{
	struct slow *s = impl;

	pthread_mutex_lock(&s->lock);
	s->calls++;
	pthread_mutex_unlock(&s->lock);
	usleep(50000);
	return signer_sign(s->inner, tbs, tbs_len, sig, sig_len, err);
}

static void slow_free(void *impl)
{
	(void)impl;
}

static const struct signer_ops slow_ops = {slow_sign, slow_free};

struct fixture {
	EVP_PKEY *key, *other;
	struct slow slow;
	struct signer *signer;
	struct sig_batcher *batcher;
	uint8_t leaves[THREADS][32];
	uint8_t values[THREADS][SIG_BATCH_VALUE_MAX];
	size_t lens[THREADS];
	hr_status rcs[THREADS];
};

struct worker {
	struct fixture *f;
	int i;
};

static void *sign_one(void *arg)
{
	struct worker *w = arg;
	struct fixture *f = w->f;

	f->rcs[w->i] =
	    sig_batch_sign(f->batcher, f->leaves[w->i], f->values[w->i], &f->lens[w->i], NULL);
	return NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->key = EVP_EC_gen("P-256");
	f->other = EVP_EC_gen("P-256");
	assert_non_null(f->key);
	assert_non_null(f->other);
	assert_int_equal(signer_from_key(f->key, NULL, &f->slow.inner, NULL), HR_OK);
	pthread_mutex_init(&f->slow.lock, NULL);
	assert_int_equal(signer_from_ops(&slow_ops, &f->slow, f->key, NULL, &f->signer, NULL),
			 HR_OK);
	assert_int_equal(sig_batcher_new(f->signer, &f->batcher, NULL), HR_OK);
	for (int i = 0; i < THREADS; i++)
		for (int b = 0; b < 32; b++)
			f->leaves[i][b] = (uint8_t)(i * 37 + b);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sig_batcher_free(f->batcher);
	signer_free(f->signer);
	signer_free(f->slow.inner);
	pthread_mutex_destroy(&f->slow.lock);
	EVP_PKEY_free(f->key);
	EVP_PKEY_free(f->other);
	free(f);
	return 0;
}

/* THREADS messages at once: fewer signatures than messages, every value good */
static void sign_together(struct fixture *f)
{
	pthread_t threads[THREADS];
	struct worker workers[THREADS];

	for (int i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){f, i};
		assert_int_equal(pthread_create(&threads[i], NULL, sign_one, &workers[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(f->rcs[i], HR_OK);
}

static void test_messages_signed_together_share_a_signature(void **state)
{
	struct fixture *f = *state;
	uint64_t before;
	int largest = 0, batches = 0;

	sign_together(f);
	for (int i = 0; i < THREADS; i++) {
		int size = f->values[i][97];

		assert_true(f->values[i][96] < size);
		assert_int_equal(f->lens[i] % 32, (SIG_BATCH_VALUE_MIN % 32));
		largest = size > largest ? size : largest;
	}
	/* the first signs alone; the others queued behind its 50 ms */
	assert_true(largest > 1);
	assert_true(f->slow.calls < THREADS);
	/* one ECDSA verification per batch, not per message, and none again
	 * while it is remembered (a batch at a time: roots of other batches
	 * may share a cache entry) */
	for (int i = 0; i < THREADS; i++) {
		const uint8_t *root = f->values[i] + 64;
		bool first = true;

		for (int j = 0; j < i && first; j++)
			first = memcmp(f->values[j] + 64, root, 32) != 0;
		if (!first)
			continue;
		before = sig_batch_verifications();
		for (int pass = 0; pass < 2; pass++)
			for (int j = i; j < THREADS; j++)
				if (memcmp(f->values[j] + 64, root, 32) == 0)
					assert_int_equal(sig_batch_verify(f->key, f->leaves[j],
									  f->values[j], f->lens[j],
									  NULL),
							 HR_OK);
		assert_int_equal(sig_batch_verifications() - before, 1);
		batches++;
	}
	assert_int_equal(batches, f->slow.calls);
}

/* the index of a message in the largest batch */
static int in_largest(const struct fixture *f, int skip)
{
	int best = -1;

	for (int i = 0; i < THREADS; i++)
		if (i != skip && (best < 0 || f->values[i][97] > f->values[best][97]))
			best = i;
	return best;
}

static void test_message_cut_from_its_batch_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t changed[32];
	struct hr_error err = {0};
	int i;

	sign_together(f);
	i = in_largest(f, -1);
	memcpy(changed, f->leaves[i], 32);
	changed[5] ^= 1;
	assert_int_equal(sig_batch_verify(f->key, changed, f->values[i], f->lens[i], &err),
			 HR_E_SIGNATURE);
	assert_non_null(strstr(err.message, "not in the batch"));
}

static void test_path_of_another_message_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t moved[SIG_BATCH_VALUE_MAX];
	int i, j = -1;

	sign_together(f);
	i = in_largest(f, -1);
	for (int k = 0; k < THREADS; k++)
		if (k != i && memcmp(f->values[k] + 64, f->values[i] + 64, 32) == 0)
			j = k;
	assert_true(j >= 0); /* i and j in one batch */
	/* j's value, root and signature good, with i's message */
	assert_int_equal(sig_batch_verify(f->key, f->leaves[i], f->values[j], f->lens[j], NULL),
			 HR_E_SIGNATURE);
	/* i's path claimed at j's place */
	memcpy(moved, f->values[i], f->lens[i]);
	moved[96] = f->values[j][96];
	assert_int_equal(sig_batch_verify(f->key, f->leaves[i], moved, f->lens[i], NULL),
			 HR_E_SIGNATURE);
	/* i's path in a tree claimed to be of another size */
	memcpy(moved, f->values[i], f->lens[i]);
	moved[97] = (uint8_t)(moved[97] == SIG_BATCH_MAX ? 1 : moved[97] + 1);
	assert_int_not_equal(sig_batch_verify(f->key, f->leaves[i], moved, f->lens[i], NULL),
			     HR_OK);
}

static void test_signature_lifted_onto_another_tree_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t value[SIG_BATCH_VALUE_MIN], mine[32] = {42};
	int i;

	sign_together(f);
	i = in_largest(f, -1);
	/* a tree of one made of the forger's own message, the batch's signature */
	memcpy(value, f->values[i], 64);
	merkle_leaf_hash(mine, 32, value + 64);
	value[96] = 0;
	value[97] = 1;
	assert_int_equal(sig_batch_verify(f->key, mine, value, sizeof(value), NULL),
			 HR_E_SIGNATURE);
	/* the remembered root does not help a wrong signature or another key */
	assert_int_equal(sig_batch_verify(f->key, f->leaves[i], f->values[i], f->lens[i], NULL),
			 HR_OK);
	memcpy(value, f->values[i], SIG_BATCH_VALUE_MIN);
	{
		uint8_t bad[SIG_BATCH_VALUE_MAX];

		memcpy(bad, f->values[i], f->lens[i]);
		bad[10] ^= 0x40;
		assert_int_equal(sig_batch_verify(f->key, f->leaves[i], bad, f->lens[i], NULL),
				 HR_E_SIGNATURE);
	}
	assert_int_equal(sig_batch_verify(f->other, f->leaves[i], f->values[i], f->lens[i], NULL),
			 HR_E_SIGNATURE);
}

static void test_malformed_values_are_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t v[SIG_BATCH_VALUE_MAX + 32];
	struct hr_error err = {0};

	sign_together(f);
	memcpy(v, f->values[0], f->lens[0]);
	assert_int_equal(sig_batch_verify(f->key, f->leaves[0], v, SIG_BATCH_VALUE_MIN - 1, &err),
			 HR_E_INVALID);
	assert_int_equal(sig_batch_verify(f->key, f->leaves[0], v, f->lens[0] + 1, NULL),
			 HR_E_INVALID);
	assert_int_equal(sig_batch_verify(f->key, f->leaves[0], v, SIG_BATCH_VALUE_MAX + 32, NULL),
			 HR_E_INVALID);
	v[97] = 0;
	assert_int_equal(sig_batch_verify(f->key, f->leaves[0], v, f->lens[0], NULL), HR_E_INVALID);
	v[97] = SIG_BATCH_MAX + 1;
	assert_int_equal(sig_batch_verify(f->key, f->leaves[0], v, f->lens[0], NULL), HR_E_INVALID);
	v[97] = 4;
	v[96] = 4;
	assert_int_equal(sig_batch_verify(f->key, f->leaves[0], v, f->lens[0], NULL), HR_E_INVALID);
	assert_int_equal(sig_batch_verify(NULL, f->leaves[0], f->values[0], f->lens[0], NULL),
			 HR_E_INVALID);
}

/* through RFC 9421: a batch-signed message verifies once, not twice */
static EVP_PKEY *only_key;

static EVP_PKEY *lookup(void *context, const char *keyid)
{
	(void)context;
	return strcmp(keyid, "UA/GOV/43395033/wallet") == 0 ? only_key : NULL;
}

static void test_batch_signed_request_verifies_once(void **state)
{
	struct fixture *f = *state;
	char digest[64];
	struct httpsig_header headers[2] = {{"content-type", "application/json"},
					    {"content-digest", digest}};
	const char body[] = "{\"person\":\"UA:3012345670\"}";
	struct httpsig_message msg = {
	    "POST", "http://gw.example:8080/x/UA/GOV/1/s/lookup", 0, headers, 2, body, strlen(body),
	    NULL};
	const char *components[] = {"@method", "@authority", "@path", "content-digest", NULL};
	struct replay_cache *nonces = replay_cache_new(16);
	struct httpsig_verified v;
	struct hr_error err = {0};
	char *input = NULL, *signature = NULL;
	int64_t now = (int64_t)time(NULL);

	only_key = f->key;
	httpsig_content_digest(body, strlen(body), digest);
	assert_int_equal(httpsig_sign_batched(f->batcher, f->signer, "UA/GOV/43395033/wallet", &msg,
					      components, now, 60, NULL, &input, &signature, &err),
			 HR_OK);
	assert_non_null(strstr(input, "alg=\"" HTTPSIG_ALG_BATCH "\""));
	assert_int_equal(
	    httpsig_verify(&msg, input, signature, components, lookup, NULL, now, nonces, &v, &err),
	    HR_OK);
	/* the same message again: its nonce is spent */
	assert_int_equal(
	    httpsig_verify(&msg, input, signature, components, lookup, NULL, now, nonces, &v, &err),
	    HR_E_CONFLICT);
	/* another body under the same signature */
	msg.body = "{\"person\":\"UA:3012345671\"}";
	assert_int_not_equal(
	    httpsig_verify(&msg, input, signature, components, lookup, NULL, now, nonces, &v, &err),
	    HR_OK);
	free(input);
	free(signature);
	replay_cache_free(nonces);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_messages_signed_together_share_a_signature, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_message_cut_from_its_batch_is_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_path_of_another_message_is_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_signature_lifted_onto_another_tree_is_refused,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_values_are_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch_signed_request_verifies_once, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
