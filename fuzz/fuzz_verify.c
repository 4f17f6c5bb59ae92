/*
 * fuzz_verify.c — the whole verification pipeline (unprefix, Base45, zlib,
 * COSE, CWT, claims to JSON, signature, expiry, key usage, schema) on
 * arbitrary text. Invariants: no crash, no leak, and a result that is valid
 * only if every stage that ran passed.
 *
 * The trust store holds one fixed driver-licence signer certificate (its key is
 * not needed here); the seed corpus holds credentials it signed.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hromada/verify.h>

static const char signer_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICGzCCAcKgAwIBAgIQBUSCDmfqh+xglbiUAtAu3TAKBggqhkjOPQQDAjBHMQsw\n"
    "CQYDVQQGEwJVQTEQMA4GA1UECgwHSHJvbWFkYTEmMCQGA1UEAwwdSHJvbWFkYSBV\n"
    "QSBDb3VudHJ5IFNpZ25pbmcgQ0EwHhcNMjYxMTI1MTQzODM0WhcNMjgxMTI0MTUz\n"
    "ODM0WjBTMQswCQYDVQQGEwJVQTEQMA4GA1UECgwHSHJvbWFkYTEyMDAGA1UEAwwp\n"
    "SHJvbWFkYSBVQSBEb2N1bWVudCBTaWduZXIgZHJpdmVyX2xpY2VuY2UwWTATBgcq\n"
    "hkjOPQIBBggqhkjOPQMBBwNCAARaJJ4ehL4HiQbgDJeRGKd+XsTpStur8tcz7wel\n"
    "U9LdjShYeZK6TOk7c+5KQMv9/QMXaUroESJ96A4bh8WcL/M9o4GDMIGAMAwGA1Ud\n"
    "EwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMB0GA1UdDgQWBBR8uYIhnp7DLNxTPAxp\n"
    "O7uACjtHcTAfBgNVHSMEGDAWgBRl43+jLTVf9G71duuT7Tl8cg3yJzAgBgNVHSUE\n"
    "GTAXBhVptLuo5b6Y+pvvq/ajtZvg2qVRAQMwCgYIKoZIzj0EAwIDRwAwRAIgDKu2\n"
    "BXScVGBOAqrUc7Ra+q0Fgt0D01UyWSX4p7PUs1gCIAT77AOM6H+XzWnq37QZ0Dy4\n"
    "OXv4/Pqf2yHsdQ4DEuyI\n"
    "-----END CERTIFICATE-----\n";

static struct hr_trust_store *store;
static struct hr_verifier *verifier;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hr_verify_options opt = {{1767225600, 0}, true, NULL, NULL}; /* 2026-01-01 */
	struct hr_verify_result r;

	if (store == NULL) {
		store = hr_trust_store_new();
		verifier = hr_verifier_new();
		if (hr_trust_store_add_certificate(store, signer_pem, strlen(signer_pem), "UA",
						   NULL) != HR_OK)
			abort();
	}
	hr_verify_result_init(&r);
	if (hr_verify(verifier, store, (const char *)data, size, &opt, &r) == HR_OK && r.valid) {
		for (int s = 0; s < HR_STAGE_COUNT; s++)
			assert(r.stages[s] != HR_STAGE_FAILED);
		assert(r.stages[HR_STAGE_SIGNATURE] == HR_STAGE_PASSED);
	}
	hr_verify_result_clear(&r);
	return 0;
}
