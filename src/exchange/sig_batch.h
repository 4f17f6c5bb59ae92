/*
 * sig_batch.h — batch signatures for member messages: the messages one member
 * signs at the same moment become the leaves of an RFC 9162 Merkle tree, the
 * member signs the tree's root once, and each message carries that signature,
 * the root, its place in the tree and its path to the root (X-Road's batch
 * signatures; draft-davidben-tls-batch-signing). A receiver checks the path,
 * then the root's signature — once per root, however many of the batch's
 * messages reach it.
 *
 * Nothing waits to fill a batch: a signer that finds no signature in progress
 * signs at once (a batch of one); those that arrive while it signs queue, and
 * the next of them signs everything queued. Batches grow only where signing is
 * the queue (under load, or with a slow key process or HSM).
 *
 * The value, the Signature field's bytes under alg "hromada-batch-es256":
 *
 *	r || s (64) | root (32) | index (1) | size (1) | path (32 each, 0 to 6)
 *
 * The leaf is SHA-256 of the message's whole signature base (RFC 9421 §2.5,
 * which names the alg, keyid, created, expires and nonce), its leaf hash
 * RFC 9162's SHA-256(0x00 || leaf). The root is signed ES256 as the statement
 *
 *	"hromada batch signature v1\n" | size (1) | root (32)
 *
 * which no signature base can equal (a base begins with '"').
 */
#ifndef HROMADA_EXCHANGE_SIG_BATCH_H
#define HROMADA_EXCHANGE_SIG_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <hromada/status.h>

#define SIG_BATCH_MAX       64 /* leaves in one tree: a path of at most 6 */
#define SIG_BATCH_PATH_MAX  6
#define SIG_BATCH_VALUE_MIN (64 + 32 + 2)
#define SIG_BATCH_VALUE_MAX (SIG_BATCH_VALUE_MIN + 32 * SIG_BATCH_PATH_MAX)

struct signer;
struct sig_batcher;

/* A batcher for signer (borrowed: it must outlive the batcher). Stage "batch". */
hr_status sig_batcher_new(struct signer *signer, struct sig_batcher **out, struct hr_error *err);
void sig_batcher_free(struct sig_batcher *batcher);

/* Signs leaf (SHA-256 of a signature base) in the next batch and writes its
 * value; blocks while the batch before it is signed. Every message of a batch
 * whose signature failed gets the error. Stage "batch". */
hr_status sig_batch_sign(struct sig_batcher *batcher, const uint8_t leaf[32],
			 uint8_t value[SIG_BATCH_VALUE_MAX], size_t *value_len,
			 struct hr_error *err);

/*
 * HR_OK when value proves leaf is in a tree whose root key signed:
 * HR_E_INVALID for a malformed value, HR_E_SIGNATURE when the path does not
 * lead to the root or the root's signature does not verify under key. A root
 * signature that verified is remembered (keyed by the public key, the signed
 * statement and the signature, 70 s, 256 entries); a receiver that gets several
 * messages of one batch at once verifies it once while the others wait for the
 * result. Stage "batch".
 */
hr_status sig_batch_verify(EVP_PKEY *key, const uint8_t leaf[32], const uint8_t *value,
			   size_t value_len, struct hr_error *err);

/* How many root signatures sig_batch_verify has checked with ECDSA in this
 * process (cache misses): for tests and the bench. */
uint64_t sig_batch_verifications(void);

#endif
