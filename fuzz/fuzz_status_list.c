/*
 * fuzz_status_list.c — Status List Token checking (src/credential/status_list.c)
 * on arbitrary input, in two modes chosen by the first byte:
 *   even: the rest is a token's text, checked under a fixed certificate (the
 *         signature almost never verifies: this covers splitting, base64url,
 *         the header and the signature check);
 *   odd:  the rest is the claims JSON of a token that this target signs with
 *         the certificate's key, so the claims checks, base64url of lst and the
 *         bounded inflate all see fuzzed input.
 *
 * Invariants: no crash, leak or sanitizer report; a refused token leaves no
 * list; an accepted one has bits 1/2/4/8 and at most STATUS_LIST_MAX_BYTES,
 * and every entry read is below 2^bits or STATUS_LIST_NO_ENTRY beyond it.
 */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/base64.h"
#include "core/buf.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/status_list.h"

#define URI "https://wallet.ua.example/v1/status-lists/7"

static struct signer *signer;
static struct signer_cert *cert;

static void setup(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	unsigned char *der = NULL;
	int len;

	assert(key != NULL && x != NULL);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "C", MBSTRING_ASC,
				   (const unsigned char *)"UA", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	assert(X509_sign(x, key, EVP_sha256()) > 0);
	assert((len = i2d_X509(x, &der)) > 0);
	assert(signer_cert_from_der(der, (size_t)len, &cert, NULL) == HR_OK);
	assert(signer_from_key(key, cert, &signer, NULL) == HR_OK);
	OPENSSL_free(der);
	X509_free(x);
	EVP_PKEY_free(key);
}

static void check(const char *text, size_t len)
{
	struct status_list_token t;
	uint8_t kid[SIGNER_KID_LEN];
	int64_t ttl, exp;
	unsigned value;

	status_list_token_init(&t);
	(void)status_list_token_kid(text, len, kid, NULL);
	(void)status_list_token_cache_times(text, len, &ttl, &exp);
	if (status_list_token_check(text, len, cert, URI, 1800000000, &t, NULL) == HR_OK) {
		assert(status_list_bits_valid(t.bits));
		assert(t.list.len > 0 && t.list.len <= STATUS_LIST_MAX_BYTES);
		for (uint64_t idx = 0; idx < 64; idx += 7) {
			if (status_list_token_status(&t, idx, &value, NULL) == HR_OK)
				assert(value < (1u << t.bits));
		}
		assert(status_list_token_status(&t, UINT64_MAX, &value, NULL) == HR_E_NOT_FOUND);
	} else {
		assert(t.list.len == 0);
	}
	status_list_token_clear(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf token;
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	static const char header[] = "{\"alg\":\"ES256\",\"typ\":\"statuslist+jwt\"}";

	if (signer == NULL)
		setup();
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		char *text = malloc(size);
		assert(text != NULL);
		memcpy(text, data + 1, size - 1);
		check(text, size - 1);
		free(text);
		return 0;
	}
	buf_init(&token, 2 * size + 1024);
	base64_encode(header, strlen(header), BASE64_URL, &token);
	buf_append_byte(&token, '.');
	base64_encode(data + 1, size - 1, BASE64_URL, &token);
	assert(token.error == HR_OK);
	assert(signer_sign(signer, token.data, token.len, sig, &sig_len, NULL) == HR_OK);
	buf_append_byte(&token, '.');
	base64_encode(sig, sig_len, BASE64_URL, &token);
	assert(token.error == HR_OK);
	check(buf_str(&token), token.len);
	buf_clear(&token);
	return 0;
}
