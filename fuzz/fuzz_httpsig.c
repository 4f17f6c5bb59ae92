/*
 * fuzz_httpsig.c — RFC 9421 Signature-Input / Signature parsing, signature base
 * building and verification on arbitrary text, for a fixed request and the
 * RFC 9421 B.1.3 P-256 key.
 *
 * Input: Signature-Input, a newline, Signature, optionally a newline and the
 * body (otherwise the fixed body). The seeds hold real signatures of the fixed
 * request by that key, so mutations start from states that verify.
 *
 * Invariants: no crash or leak; a failure names the stage "httpsig"; a success
 * names the B.1.3 keyid, its base builds, and the same message at once again is
 * a replay.
 */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "exchange/httpsig.h"

#define KEYID   "test-key-ecc-p256"
#define CREATED 1700000000

static const char public_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lf\n"
    "w0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==\n"
    "-----END PUBLIC KEY-----\n";
static EVP_PKEY *key;

static EVP_PKEY *lookup(void *context, const char *keyid)
{
	(void)context;
	return strcmp(keyid, KEYID) == 0 ? key : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char fixed_body[] = "{\"person\":\"UA:3012345678\"}";
	/* sha-256 of fixed_body */
	static const char digest[] = "sha-256=:NLzlbz7FRHUr0nD9S0yKHtA7jYEdNefcqip0Ao6P3dk=:";
	const struct httpsig_header headers[] = {
	    {"Content-Type", "application/json"},
	    {"Content-Digest", digest},
	    {"Hromada-Client", "UA/GOV/43395033/wallet"},
	    {"Hromada-Purpose", "citizen-wallet"},
	};
	const char *required[] = {"@method", "content-digest", NULL};
	struct httpsig_message msg = {"POST",
				      "http://127.0.0.1:8411/x/UA/GOV/00015622/drivers/lookup",
				      0,
				      headers,
				      4,
				      fixed_body,
				      sizeof(fixed_body) - 1,
				      NULL};
	struct httpsig_verified verified;
	struct hr_error err = {0};
	struct replay_cache *nonces;
	char *text, *input, *signature, *body;
	struct buf base;
	hr_status rc;

	if (key == NULL) {
		BIO *bio = BIO_new_mem_buf(public_pem, -1);

		key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		BIO_free(bio);
		assert(key != NULL);
	}
	if (size > 64 * 1024)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	input = text;
	signature = strchr(text, '\n');
	if (signature == NULL) {
		free(text);
		return 0;
	}
	*signature++ = 0;
	body = strchr(signature, '\n');
	if (body != NULL) {
		*body++ = 0;
		msg.body = body;
		msg.body_len = strlen(body);
	}

	buf_init(&base, 1 << 16);
	(void)httpsig_signature_base(&msg, input, "sig1", &base, NULL);
	buf_clear(&base);

	nonces = replay_cache_new(16);
	rc = httpsig_verify(&msg, input, signature, required, lookup, NULL, CREATED + 1, nonces,
			    &verified, &err);
	if (rc == HR_OK) {
		assert(strcmp(verified.keyid, KEYID) == 0);
		buf_init(&base, 1 << 16);
		assert(httpsig_signature_base(&msg, input, "sig1", &base, NULL) == HR_OK);
		buf_clear(&base);
		assert(httpsig_verify(&msg, input, signature, required, lookup, NULL, CREATED + 1,
				      nonces, &verified, NULL) == HR_E_CONFLICT);
	} else {
		assert(strcmp(err.stage, "httpsig") == 0 && err.message[0] != 0);
		assert(verified.keyid[0] == 0);
	}
	replay_cache_free(nonces);
	free(text);
	return 0;
}
