/*
 * trust_store.h — what the verifier sees of struct hr_trust_store (declared
 * opaque in include/hromada/verify.h): signer certificates by kid, each bound to
 * the country that vouches for it.
 *
 * Entries are added in batches (a trust list of 10 000 signers is one batch):
 * appended, sorted by kid once, duplicates dropped. A certificate that arrived
 * in a trust list is parsed at its first use, not when the list is loaded:
 * OpenSSL 3 takes ~100-200 us to decode one X.509 certificate, so eager parsing
 * would make loading a large list cost seconds. Until it parses, an entry is
 * only a kid (checked against the SHA-256 of its DER at load), a country and
 * DER bytes, and nothing can verify under it; if it never parses, or names
 * another country in its subject, it is never trusted (trust_entry_cert says
 * why). Parsing is done once, under the store's lock, so the store stays safe
 * to share between threads.
 */
#ifndef HROMADA_CREDENTIAL_TRUST_STORE_H
#define HROMADA_CREDENTIAL_TRUST_STORE_H

#include <pthread.h>
#include <stdatomic.h>

#include <hromada/verify.h>

#include "credential/signer_cert.h"

enum trust_entry_state {
	TRUST_ENTRY_UNPARSED = 0,
	TRUST_ENTRY_PARSED = 1,
	TRUST_ENTRY_BAD = 2,
};

struct trust_entry {
	uint8_t kid[SIGNER_KID_LEN];
	char country[4]; /* the issuer (iss) its credentials must name; "" = any */
	uint8_t *der;    /* owned */
	size_t der_len;
	size_t order;             /* position of arrival: the first of duplicates is kept */
	struct signer_cert *cert; /* valid once state is TRUST_ENTRY_PARSED */
	_Atomic int state;        /* enum trust_entry_state */
	char why[120];            /* TRUST_ENTRY_BAD: the reason */
};

struct hr_trust_store {
	struct trust_entry *entries; /* sorted by kid */
	size_t count;
	size_t cap;
	size_t arrivals;
	pthread_mutex_t parse_lock; /* serialises first-use parsing */
};

/* The entries whose kid equals kid: *first and the count of consecutive ones. */
size_t trust_store_find(const struct hr_trust_store *store, const uint8_t *kid, size_t kid_len,
			const struct trust_entry **first);

/* The entry's parsed certificate, parsing it on first use; NULL (err set, stage
 * "signature") when it does not parse or its subject names another country. */
const struct signer_cert *trust_entry_cert(const struct hr_trust_store *store,
					   const struct trust_entry *entry, struct hr_error *err);

/* A new entry for a batch: takes ownership of der (malloc'ed); cert may be an
 * already parsed certificate of that DER (owned too) or NULL. */
struct trust_store_pending {
	uint8_t kid[SIGNER_KID_LEN];
	char country[4];
	uint8_t *der;
	size_t der_len;
	struct signer_cert *cert;
};

/* Adds a batch at once (one sort). All or nothing: HR_E_NOMEM leaves the store
 * as it was. The pending entries' storage passes to the store either way
 * (freed on failure). */
hr_status trust_store_add_batch(struct hr_trust_store *store, struct trust_store_pending *pending,
				size_t count, struct hr_error *err);

#endif
