/*
 * fuzz_trust_list.c — loading a signed trust list (src/credential/trust_list.c,
 * trust_store.c) on arbitrary input, in two modes chosen by the first byte:
 *   even: the rest is the list's text, loaded under a fixed anchor (the JWS
 *         scanner, base64url and the signature check see fuzzed input);
 *   odd:  the rest is the payload, which this target signs as a JWS with the
 *         anchor's key, so the payload scanner, the field checks and every
 *         signer's kid check see fuzzed input; trust_list_open (the JSON tree
 *         the trust service uses) reads the same list.
 *
 * Invariants: no crash, leak or sanitizer report; a refused list leaves the
 * store empty; both readers agree on accepting the list's shape (the scanner
 * may refuse more: escapes in known members); every entry of a loaded list
 * can be asked for its certificate (first-use parsing) without harm.
 */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <jansson.h>

#include <hromada/verify.h>

#include "core/buf.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/trust_list.h"
#include "credential/trust_store.h"

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

static void load(const void *text, size_t len)
{
	struct hr_trust_store *store = hr_trust_store_new();
	struct hr_trust_list_info info;
	hr_status rc;

	assert(store != NULL);
	rc = hr_trust_store_load_list_at(store, text, len, cert->der, cert->der_len, 0, 0, &info,
					 NULL);
	if (rc == HR_OK) {
		for (size_t i = 0; i < store->count; i++)
			(void)trust_entry_cert(store, &store->entries[i], NULL);
	} else {
		assert(hr_trust_store_count(store) == 0);
	}
	hr_trust_store_free(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (signer == NULL)
		setup();
	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0) {
		load(data + 1, size - 1);
	} else {
		json_t *payload = json_loadb((const char *)data + 1, size - 1, 0, NULL);
		struct buf list;
		json_t *opened = NULL;
		if (!json_is_object(payload)) {
			json_decref(payload);
			return 0;
		}
		buf_init(&list, TRUST_LIST_MAX_BYTES);
		if (trust_list_sign_payload(signer, payload, &list, NULL) == HR_OK) {
			load(list.data, list.len);
			if (trust_list_open(list.data, list.len, cert, 0, 0, NULL, &opened, NULL) ==
			    HR_OK)
				assert(json_is_object(opened));
			json_decref(opened);
		}
		buf_clear(&list);
		json_decref(payload);
	}
	return 0;
}
