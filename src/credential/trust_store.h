/*
 * trust_store.h — what the verifier sees of struct hr_trust_store (declared
 * opaque in include/hromada/verify.h): signer certificates by kid, each bound to
 * the country that vouches for it.
 */
#ifndef HROMADA_CREDENTIAL_TRUST_STORE_H
#define HROMADA_CREDENTIAL_TRUST_STORE_H

#include <hromada/verify.h>

#include "credential/signer_cert.h"

struct trust_entry {
	struct signer_cert *cert;
	char country[4]; /* the issuer (iss) its credentials must name; "" = any */
};

struct hr_trust_store {
	struct trust_entry *entries; /* sorted by kid */
	size_t count;
	size_t cap;
};

/* The entries whose kid equals kid: *first and the count of consecutive ones. */
size_t trust_store_find(const struct hr_trust_store *store, const uint8_t *kid, size_t kid_len,
			const struct trust_entry **first);

#endif
