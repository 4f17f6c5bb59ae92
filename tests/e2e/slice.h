/*
 * slice.h — a citizen's device and a foreign member, for the end-to-end tests of
 * the vertical slice (test_slice.c): real P-256 keys, DPoP proofs, consent
 * tokens and RFC 9421-signed member calls, over real HTTP to `hromada up`.
 */
#ifndef HROMADA_TEST_SLICE_H
#define HROMADA_TEST_SLICE_H

#include <stdbool.h>

#include <jansson.h>

#include "core/http_client.h"

struct signer;

struct device {
	char person[16];
	char wallet[256];
	struct signer *key;
	json_t *jwk;
	char token[2048];
};

/* A fresh device key for person, against the wallet at url. */
void device_init(struct device *d, const char *person, const char *wallet_url);
void device_clear(struct device *d);
/* Enrols with the code from STATE/outbox; asserts success. */
void device_enrol(struct device *d, struct http_client *http, const char *state);
/*
 * One call to the wallet. proof_out (may be NULL) receives the DPoP proof used,
 * for replay tests; reuse_proof (may be NULL) sends that one instead of a fresh
 * one. consent false omits Hromada-Consent.
 */
long device_call(struct device *d, struct http_client *http, const char *method, const char *path,
		 const char *query, bool consent, const char *reuse_proof, char *proof_out,
		 size_t proof_size, json_t **answer);

/* A member (police, bank) calling the gateway itself, signed with its key. */
long member_lookup(struct http_client *http, const char *keys_dir, const char *member,
		   const char *gateway_url, const char *provider, const char *service,
		   const char *purpose, const char *body, json_t **answer);

#endif
