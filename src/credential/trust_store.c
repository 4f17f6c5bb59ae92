/*
 * trust_store.c — the verifier's set of trusted signer certificates. Built once
 * (certificates parsed and keys classified as they are added), then read-only,
 * so any number of threads may verify against it at once.
 */
#include "credential/trust_store.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

struct hr_trust_store *hr_trust_store_new(void)
{
	return calloc(1, sizeof(struct hr_trust_store));
}

void hr_trust_store_free(struct hr_trust_store *store)
{
	if (store == NULL)
		return;
	for (size_t i = 0; i < store->count; i++)
		signer_cert_free(store->entries[i].cert);
	free(store->entries);
	free(store);
}

size_t hr_trust_store_count(const struct hr_trust_store *store)
{
	return store->count;
}

static int compare_kid(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, SIGNER_KID_LEN);
}

struct add_ctx {
	struct hr_trust_store *store;
	const char *country;
};

/* Takes ownership of cert on success. A certificate already present is dropped. */
static hr_status add_cert(void *opaque, struct signer_cert *cert, struct hr_error *err)
{
	struct add_ctx *ctx = opaque;
	struct hr_trust_store *s = ctx->store;
	size_t at = 0;

	for (size_t i = 0; i < s->count; i++) {
		if (s->entries[i].cert->der_len == cert->der_len &&
		    memcmp(s->entries[i].cert->der, cert->der, cert->der_len) == 0) {
			signer_cert_free(cert);
			return HR_OK;
		}
	}
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct trust_entry *grown = realloc(s->entries, cap * sizeof(*grown));
		if (grown == NULL)
			return hr_error_set(err, HR_E_NOMEM, "trust", "out of memory");
		s->entries = grown;
		s->cap = cap;
	}
	while (at < s->count && compare_kid(s->entries[at].cert->kid, cert->kid) <= 0)
		at++;
	memmove(&s->entries[at + 1], &s->entries[at], (s->count - at) * sizeof(s->entries[0]));
	s->entries[at].cert = cert;
	memset(s->entries[at].country, 0, sizeof(s->entries[at].country));
	if (ctx->country != NULL)
		strncpy(s->entries[at].country, ctx->country, sizeof(s->entries[at].country) - 1);
	s->count++;
	return HR_OK;
}

hr_status hr_trust_store_add_certificate(struct hr_trust_store *store, const void *data, size_t len,
					 const char *country, struct hr_error *err)
{
	struct add_ctx ctx = {store, country};

	if (country != NULL && strlen(country) != 2)
		return hr_error_set(err, HR_E_INVALID, "trust", "country must be two letters");
	return signer_cert_parse_all(data, len, add_cert, &ctx, err);
}

size_t trust_store_find(const struct hr_trust_store *store, const uint8_t *kid, size_t kid_len,
			const struct trust_entry **first)
{
	size_t lo = 0, hi = store->count, n = 0;

	*first = NULL;
	if (kid_len != SIGNER_KID_LEN)
		return 0;
	while (lo < hi) { /* lower bound */
		size_t mid = lo + (hi - lo) / 2;
		if (compare_kid(store->entries[mid].cert->kid, kid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < store->count && compare_kid(store->entries[lo + n].cert->kid, kid) == 0)
		n++;
	if (n > 0)
		*first = &store->entries[lo];
	return n;
}
