/*
 * certs.h — certificates the end-to-end tests make themselves, issued by a
 * country root of a running `hromada up` (STATE/keys/<C>/root): a new document
 * signer to upload and withdraw, an expired one the trust service must refuse.
 */
#ifndef HROMADA_TEST_CERTS_H
#define HROMADA_TEST_CERTS_H

#include <stdint.h>

/*
 * Makes DIR/key.pem and DIR/cert.pem: a P-256 end-entity certificate issued by
 * the root in ROOT_DIR (key.pem, cert.pem) for country, valid from now +
 * from_s to now + until_s, with extended key usage eku (an OID, or NULL for
 * none). Fails the test when it cannot.
 */
void certs_issue(const char *root_dir, const char *dir, const char *country, const char *cn,
		 const char *eku, int64_t from_s, int64_t until_s);

/* The base64 DER of the PEM certificate in path, and its kid (base64 of the
 * first 8 bytes of SHA-256 over the DER), into out buffers. */
void certs_read(const char *path, char *der_b64, size_t der_size, char *kid_b64,
		size_t kid_size);

#endif
