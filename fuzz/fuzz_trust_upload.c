/*
 * fuzz_trust_upload.c — a country's upload to the trust service on arbitrary
 * input (exchange/trust_upload.h), two ways:
 *  - the bytes as the JWS itself: trust_upload_country and trust_upload_open
 *    under a fixed key (nearly always refused at the signature, which is the
 *    point: nothing is read before it);
 *  - the bytes as the claims, when they are a JSON object, signed with that
 *    key, so every claim check after the signature is reached.
 *
 * Invariants: no crash or leak; a refused upload leaves the output cleared; an
 * accepted one names the expected country, a batch of 16-64 characters and
 * arrays of the types the header promises.
 */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "credential/signer.h"
#include "exchange/jose.h"
#include "exchange/trust_upload.h"

#define NOW 1796500000

static EVP_PKEY *key;
static struct signer *signer;

static void check(const char *text, size_t len)
{
	struct trust_upload up;
	char country[3];

	(void)trust_upload_country(text, len, country, NULL);
	if (trust_upload_open(text, len, key, "UA", NOW, &up, NULL) == HR_OK) {
		assert(strcmp(up.country, "UA") == 0);
		assert(strlen(up.batch) >= 16 && strlen(up.batch) <= TRUST_UPLOAD_BATCH_MAX);
		assert(json_is_array(up.signers) && json_is_array(up.withdraw));
		assert(up.members == NULL || json_is_array(up.members));
		trust_upload_clear(&up);
	} else {
		assert(up.claims == NULL && up.signers == NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *claims, *header;
	struct buf jws;

	if (key == NULL) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		assert(key != NULL && signer_from_key(key, NULL, &signer, NULL) == HR_OK);
	}
	if (size > 256 * 1024)
		return 0;
	check((const char *)data, size);
	claims = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(claims)) {
		header = json_pack("{s:s,s:s}", "typ", TRUST_UPLOAD_TYPE, "kid", "UA");
		buf_init(&jws, TRUST_UPLOAD_MAX_LEN);
		if (jose_jws_sign_limit(signer, header, claims, TRUST_UPLOAD_MAX_LEN, &jws, NULL) ==
		    HR_OK)
			check(buf_str(&jws), jws.len);
		buf_clear(&jws);
		json_decref(header);
	}
	json_decref(claims);
	return 0;
}
