/*
 * fuzz_jws.c — compact JWS verification and DPoP proof checking on arbitrary
 * text: jose_jws_verify with the key from the header and with a fixed key (RFC
 * 7515 A.3's), and dpop_verify as RFC 9449's token-request example is checked.
 *
 * Invariants: no crash or leak; on failure the outputs are NULL and, for DPoP,
 * the result is cleared; on success both parts are JSON objects, a DPoP proof
 * yields a 43-character thumbprint, and the same proof at once again is a
 * replay.
 */
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/dpop.h"
#include "exchange/jose.h"

static EVP_PKEY *a3_key;

static void check_jws(const char *text, size_t len, EVP_PKEY *key)
{
	json_t *header = NULL, *payload = NULL;

	if (jose_jws_verify(text, len, key, &header, &payload, NULL) == HR_OK) {
		assert(json_is_object(header) && json_is_object(payload));
	} else {
		assert(header == NULL && payload == NULL);
	}
	json_decref(header);
	json_decref(payload);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_cache *seen;
	struct dpop_check check = {
	    "POST", "https://server.example.com/token", NULL, NULL, 1562262616, NULL};
	struct dpop_result result;
	char *text;

	if (a3_key == NULL) {
		json_t *jwk = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x",
					"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y",
					"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");

		assert(jose_jwk_to_key(jwk, &a3_key, NULL) == HR_OK);
		json_decref(jwk);
	}
	if (size > 128 * 1024)
		return 0;
	/* the raw bytes, not NUL-terminated: the length is what counts */
	check_jws((const char *)data, size, NULL);
	check_jws((const char *)data, size, a3_key);

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	seen = replay_cache_new(16);
	check.jti_seen = seen;
	if (dpop_verify(text, &check, &result, NULL) == HR_OK) {
		assert(strlen(result.jkt) == JOSE_THUMBPRINT_LEN - 1);
		assert(dpop_verify(text, &check, &result, NULL) == HR_E_DENIED);
	} else {
		assert(result.jkt[0] == 0);
	}
	/* and as a resource request with an access token and a bound key */
	check.method = "GET";
	check.uri = "https://resource.example.org/protectedresource";
	check.access_token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
	check.bound_jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
	check.now = 1562262618;
	if (dpop_verify(text, &check, &result, NULL) == HR_OK)
		assert(strcmp(result.jkt, check.bound_jkt) == 0);
	replay_cache_free(seen);
	free(text);
	return 0;
}
