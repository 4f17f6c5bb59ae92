/*
 * trust_internal.h — the trust service's state, shared by its files:
 *   trust.c            the role: settings, routes, start and stop
 *   trust_countries.c  onboarding: each country's upload key and root, given
 *                      out of band as files, never through the API
 *   trust_checks.c     what a country may publish: certificates that chain to
 *                      its root, name it, carry the right key usage, are valid
 *   trust_uploads.c    POST /v1/signers: a country's signed batch, applied whole
 *                      or not at all, every attempt recorded
 *   trust_publish.c    the aggregated list: built, signed, kept, served
 *
 * The database (trust.db or [store] url) holds what countries published, every
 * upload attempt and every list signed; several copies of the service may share
 * one PostgreSQL database (a list's sequence is taken in a transaction).
 */
#ifndef HROMADA_TRUST_INTERNAL_H
#define HROMADA_TRUST_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "core/buf.h"
#include "core/http_server.h"
#include "core/store.h"

#define TRUST_COUNTRIES_MAX 64

struct signer;

struct trust_country {
	char code[3];
	EVP_PKEY *upload_key; /* checks the country's uploads */
	X509 *root;           /* every certificate it publishes must chain to this */
};

/* The newest list, as served: its bytes are built once per sequence. */
struct trust_list_cache {
	int64_t sequence;
	int64_t issued_at;
	int64_t next_update;
	struct buf body;
};

struct trust {
	struct store_pool *pool;
	struct signer *list_signer;
	int64_t list_validity_s; /* next_update = issued_at + this */
	struct trust_country countries[TRUST_COUNTRIES_MAX];
	int country_count;
	pthread_mutex_t publish_lock; /* one re-signing at a time */
	pthread_mutex_t lock;         /* the cache below */
	struct trust_list_cache cache;
};

/* trust_countries.c: loads DIR/<CC>/upload.pem and DIR/<CC>/root.pem. */
hr_status trust_countries_load(struct trust *trust, const char *dir, struct hr_error *err);
void trust_countries_clear(struct trust *trust);
const struct trust_country *trust_country_find(const struct trust *trust, const char *code);

/* trust_checks.c: a certificate (base64 DER) the country may publish. On
 * success *out is the parsed certificate (X509_free). Stage "trust". */
enum trust_cert_kind {
	TRUST_CERT_SIGNER, /* a document signer: Hromada or EU DCC key usage */
	TRUST_CERT_MEMBER, /* a member of the country's data exchange */
};
hr_status trust_check_certificate(const struct trust_country *country, const char *base64_der,
				  enum trust_cert_kind kind, int64_t now, X509 **out,
				  struct hr_error *err);

/* trust_uploads.c */
void trust_handle_upload(struct http_request *request, void *context);
extern const struct store_migration trust_migrations[];
extern const size_t trust_migration_count;

/*
 * trust_publish.c. trust_publish signs the next list from what is published
 * now, inside the caller's transaction, and stores it; *out receives it
 * (trust_list_cache_clear), to be offered to the cache once the transaction
 * has committed — a list that never committed must never be served, or its
 * sequence could later name another list.
 */
hr_status trust_publish(struct trust *trust, struct store *store, struct trust_list_cache *out,
			struct hr_error *err);
/* Takes list (emptying it) when it is newer than the cached one. */
void trust_cache_offer(struct trust *trust, struct trust_list_cache *list);
void trust_list_cache_clear(struct trust_list_cache *list);
/* Makes sure a current list exists: publishes when there is none or the newest
 * is half way to its next_update, and loads a newer one another copy of the
 * service published. */
hr_status trust_publish_if_due(struct trust *trust, struct hr_error *err);
void trust_handle_list(struct http_request *request, void *context);

/* trust_anchor.c: GET /verify/anchor.json, the list signer's certificate. */
void trust_handle_anchor(struct http_request *request, void *context);

#endif
