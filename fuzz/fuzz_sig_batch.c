/*
 * fuzz_sig_batch.c — the batch-signature verifier (exchange/sig_batch.h) reads
 * a value every member sends: signature, root, index, size and path. Input: any
 * bytes, read as
 *	32-byte leaf | u16 le bit to flip | value bytes
 *
 * Invariants:
 *  - sig_batch_verify(key, leaf, value) never crashes, reads only the value's
 *    bytes, and answers HR_OK, HR_E_INVALID or HR_E_SIGNATURE: HR_E_INVALID
 *    exactly when the value's length, index or size is malformed; never HR_OK
 *    for bytes the key did not sign;
 *  - the value sig_batch_sign makes for the leaf verifies, and with the chosen
 *    bit flipped (anywhere in the value) it does not.
 */
/* make fuzz builds RelWithDebInfo (-DNDEBUG): the invariants must stay checked. */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "credential/signer.h"
#include "exchange/sig_batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *key;
static struct signer *signer;
static struct sig_batcher *batcher;

static bool malformed(const uint8_t *v, size_t len)
{
	return len < SIG_BATCH_VALUE_MIN || len > SIG_BATCH_VALUE_MAX ||
	       (len - SIG_BATCH_VALUE_MIN) % 32 != 0 || v[97] == 0 || v[97] > SIG_BATCH_MAX ||
	       v[96] >= v[97];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t leaf[32], value[SIG_BATCH_VALUE_MAX];
	size_t value_len = 0, flip;
	hr_status rc;

	if (key == NULL) {
		key = EVP_EC_gen("P-256");
		assert(key != NULL && signer_from_key(key, NULL, &signer, NULL) == HR_OK);
		assert(sig_batcher_new(signer, &batcher, NULL) == HR_OK);
	}
	if (size < 34)
		return 0;
	memcpy(leaf, data, 32);
	flip = (size_t)data[32] | (size_t)data[33] << 8;
	data += 34;
	size -= 34;

	rc = sig_batch_verify(key, leaf, data, size, NULL);
	assert(rc == HR_E_INVALID || rc == HR_E_SIGNATURE);
	assert((rc == HR_E_INVALID) == malformed(data, size));

	assert(sig_batch_sign(batcher, leaf, value, &value_len, NULL) == HR_OK);
	assert(value_len == SIG_BATCH_VALUE_MIN && value[96] == 0 && value[97] == 1);
	assert(sig_batch_verify(key, leaf, value, value_len, NULL) == HR_OK);
	flip %= value_len * 8;
	value[flip / 8] ^= (uint8_t)(1u << (flip % 8));
	assert(sig_batch_verify(key, leaf, value, value_len, NULL) != HR_OK);
	return 0;
}
