/*
 * trust_store.c — the verifier's set of trusted signer certificates. Built once
 * (in batches: the certificates given on the command line, a trust list), then
 * read-only, so any number of threads may verify against it at once; the one
 * thing that changes later is an entry's certificate being parsed at first use,
 * which happens under the store's lock and is published with release/acquire
 * (see trust_store.h for why parsing is deferred).
 *
 * Never: trust an entry whose certificate has not parsed, or whose subject
 * names a country other than the one it was listed under.
 */
#include "credential/trust_store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/error.h"

struct hr_trust_store *hr_trust_store_new(void)
{
	struct hr_trust_store *store = calloc(1, sizeof(struct hr_trust_store));

	if (store != NULL && pthread_mutex_init(&store->parse_lock, NULL) != 0) {
		free(store);
		return NULL;
	}
	return store;
}

static void entry_clear(struct trust_entry *e)
{
	signer_cert_free(e->cert);
	free(e->der);
}

void hr_trust_store_free(struct hr_trust_store *store)
{
	if (store == NULL)
		return;
	for (size_t i = 0; i < store->count; i++)
		entry_clear(&store->entries[i]);
	free(store->entries);
	pthread_mutex_destroy(&store->parse_lock);
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

/* kid, then the certificate bytes, then arrival: equal certificates end up
 * next to each other with the first to arrive in front. */
static int compare_entries(const void *pa, const void *pb)
{
	const struct trust_entry *a = pa, *b = pb;
	int c = compare_kid(a->kid, b->kid);

	if (c != 0)
		return c;
	if (a->der_len != b->der_len)
		return a->der_len < b->der_len ? -1 : 1;
	if ((c = memcmp(a->der, b->der, a->der_len)) != 0)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

hr_status trust_store_add_batch(struct hr_trust_store *s, struct trust_store_pending *pending,
				size_t count, struct hr_error *err)
{
	size_t need = s->count + count, out;

	if (need > s->cap) {
		size_t cap = s->cap ? s->cap : 16;
		struct trust_entry *grown;
		while (cap < need)
			cap *= 2;
		grown = realloc(s->entries, cap * sizeof(*grown));
		if (grown == NULL) {
			for (size_t i = 0; i < count; i++) {
				signer_cert_free(pending[i].cert);
				free(pending[i].der);
			}
			return hr_error_set(err, HR_E_NOMEM, "trust", "out of memory");
		}
		s->entries = grown;
		s->cap = cap;
	}
	for (size_t i = 0; i < count; i++) {
		struct trust_entry *e = &s->entries[s->count + i];
		memset(e, 0, sizeof(*e));
		memcpy(e->kid, pending[i].kid, SIGNER_KID_LEN);
		memcpy(e->country, pending[i].country, sizeof(e->country));
		e->der = pending[i].der;
		e->der_len = pending[i].der_len;
		e->order = s->arrivals++;
		e->cert = pending[i].cert;
		atomic_init(&e->state, e->cert ? TRUST_ENTRY_PARSED : TRUST_ENTRY_UNPARSED);
	}
	/* the store is not shared while it is built: plain sorting is safe */
	qsort(s->entries, need, sizeof(s->entries[0]), compare_entries);
	out = 0;
	for (size_t i = 0; i < need; i++) {
		struct trust_entry *e = &s->entries[i];
		if (out > 0 && s->entries[out - 1].der_len == e->der_len &&
		    memcmp(s->entries[out - 1].der, e->der, e->der_len) == 0) {
			entry_clear(e); /* the same certificate again: the first one stays */
			continue;
		}
		if (out != i)
			memcpy(&s->entries[out], e, sizeof(*e));
		out++;
	}
	s->count = out;
	return HR_OK;
}

struct add_ctx {
	struct trust_store_pending pending[1024];
	size_t count;
	const char *country;
	hr_status rc;
};

static hr_status collect(void *opaque, struct signer_cert *cert, struct hr_error *err)
{
	struct add_ctx *ctx = opaque;
	struct trust_store_pending *p;

	if (ctx->count == sizeof(ctx->pending) / sizeof(ctx->pending[0]))
		return hr_error_set(err, HR_E_TOO_LARGE, "trust",
				    "more than %zu certificates in one file",
				    sizeof(ctx->pending) / sizeof(ctx->pending[0]));
	p = &ctx->pending[ctx->count];
	memset(p, 0, sizeof(*p));
	if ((p->der = malloc(cert->der_len)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, "trust", "out of memory");
	memcpy(p->der, cert->der, cert->der_len);
	p->der_len = cert->der_len;
	memcpy(p->kid, cert->kid, SIGNER_KID_LEN);
	if (ctx->country != NULL)
		snprintf(p->country, sizeof(p->country), "%s", ctx->country);
	p->cert = cert;
	ctx->count++;
	return HR_OK;
}

/*
 * The certificates of a PKCS#7 SignedData bundle (.p7b, .p7c; DER, BER, base64
 * or PEM), the form Singapore's DCC test data gives its signer in
 * (SG/2DCode/raw/4.json). Only the certificates are used: the bundle's own
 * signature, if any, proves nothing to us. HR_E_INVALID when data is no such
 * bundle or holds no certificate.
 */
static hr_status collect_pkcs7(const void *data, size_t len, struct add_ctx *ctx,
			       struct hr_error *err)
{
	PKCS7 *p7 = NULL;
	STACK_OF(X509) *certs = NULL;
	struct buf der;
	hr_status rc = HR_OK;

	if (len == 0 || len > INT_MAX)
		return HR_E_INVALID;
	buf_init(&der, len);
	if (len > 10 && memcmp(data, "-----BEGIN", 10) == 0) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);
		p7 = bio != NULL ? PEM_read_bio_PKCS7(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	} else {
		const unsigned char *p;
		if (base64_decode(data, len, BASE64_STANDARD, &der) != HR_OK) {
			buf_reset(&der);
			buf_append(&der, data, len);
		}
		p = der.data;
		if (der.error == HR_OK)
			p7 = d2i_PKCS7(NULL, &p, (long)der.len);
	}
	buf_clear(&der);
	if (p7 != NULL && PKCS7_type_is_signed(p7) && p7->d.sign != NULL)
		certs = p7->d.sign->cert;
	for (int i = 0; rc == HR_OK && i < sk_X509_num(certs); i++) {
		unsigned char *bytes = NULL;
		int n = i2d_X509(sk_X509_value(certs, i), &bytes);
		struct signer_cert *cert = NULL;
		if (n <= 0) {
			rc = hr_error_set(err, HR_E_INVALID, "certificate",
					  "a certificate in the PKCS#7 bundle does not encode");
		} else if ((rc = signer_cert_from_der(bytes, (size_t)n, &cert, err)) == HR_OK &&
			   (rc = collect(ctx, cert, err)) != HR_OK) {
			signer_cert_free(cert);
		}
		OPENSSL_free(bytes);
	}
	if (rc == HR_OK && ctx->count == 0)
		rc = HR_E_INVALID;
	PKCS7_free(p7);
	return rc;
}

hr_status hr_trust_store_add_certificate(struct hr_trust_store *store, const void *data, size_t len,
					 const char *country, struct hr_error *err)
{
	struct add_ctx *ctx;
	hr_status rc;

	if (country != NULL && strlen(country) != 2)
		return hr_error_set(err, HR_E_INVALID, "trust", "country must be two letters");
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, "trust", "out of memory");
	ctx->country = country;
	rc = signer_cert_parse_all(data, len, collect, ctx, err);
	if (rc != HR_OK && ctx->count == 0) {
		struct hr_error why = {0};
		hr_status p7 = collect_pkcs7(data, len, ctx, &why);
		if (p7 == HR_OK) {
			rc = HR_OK;
		} else if (p7 != HR_E_INVALID) { /* a bundle, but a broken one */
			rc = p7;
			if (err != NULL)
				*err = why;
		}
	}
	if (rc == HR_OK)
		rc = trust_store_add_batch(store, ctx->pending, ctx->count, err);
	else {
		for (size_t i = 0; i < ctx->count; i++) {
			signer_cert_free(ctx->pending[i].cert);
			free(ctx->pending[i].der);
		}
	}
	free(ctx);
	return rc;
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
		if (compare_kid(store->entries[mid].kid, kid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < store->count && compare_kid(store->entries[lo + n].kid, kid) == 0)
		n++;
	if (n > 0)
		*first = &store->entries[lo];
	return n;
}

/* Parses e's certificate; called with the store's lock held. */
static void parse_entry(struct trust_entry *e)
{
	struct hr_error why = {0};
	struct signer_cert *cert = NULL;

	if (signer_cert_from_der(e->der, e->der_len, &cert, &why) != HR_OK) {
		snprintf(e->why, sizeof(e->why),
			 "the trusted certificate with this kid is unusable: %.60s", why.message);
		atomic_store_explicit(&e->state, TRUST_ENTRY_BAD, memory_order_release);
		return;
	}
	if (e->country[0] && cert->country[0] && strcmp(cert->country, e->country) != 0) {
		snprintf(e->why, sizeof(e->why),
			 "the trusted certificate with this kid names country %s but was listed "
			 "under %s",
			 cert->country, e->country);
		signer_cert_free(cert);
		atomic_store_explicit(&e->state, TRUST_ENTRY_BAD, memory_order_release);
		return;
	}
	e->cert = cert;
	atomic_store_explicit(&e->state, TRUST_ENTRY_PARSED, memory_order_release);
}

const struct signer_cert *trust_entry_cert(const struct hr_trust_store *store,
					   const struct trust_entry *entry, struct hr_error *err)
{
	/* first use mutates the entry under the lock: the store is logically const */
	struct hr_trust_store *s = (struct hr_trust_store *)store;
	struct trust_entry *e = (struct trust_entry *)entry;
	int state = atomic_load_explicit(&e->state, memory_order_acquire);

	if (state == TRUST_ENTRY_UNPARSED) {
		pthread_mutex_lock(&s->parse_lock);
		if (atomic_load_explicit(&e->state, memory_order_relaxed) == TRUST_ENTRY_UNPARSED)
			parse_entry(e);
		pthread_mutex_unlock(&s->parse_lock);
		state = atomic_load_explicit(&e->state, memory_order_acquire);
	}
	if (state != TRUST_ENTRY_PARSED) {
		hr_error_set(err, HR_E_SIGNATURE, "signature", "%s", e->why);
		return NULL;
	}
	return e->cert;
}
