/*
 * wallet_internal.h — the wallet's state, shared by its files:
 *   wallet.c           the role: settings, routes, start and stop
 *   wallet_auth.c      enrolment, access tokens, DPoP on every call
 *   wallet_documents.c documents fetched live through the gateway, credentials
 *   wallet_access_log.c the citizen's access history, from the gateway's audit log
 *   wallet_gateway.c   the one way to the gateway
 *   wallet_status.c    status lists of offline credentials (revocation)
 *   wallet_leaks.c     "was my data leaked", from the nccc's k-anonymity range
 *
 * What the wallet keeps (wallet.db): pending enrolment codes and enrolments,
 * each keyed by an HMAC of the person id under the wallet's secret, with the
 * device key's thumbprint; the status-list entries of offline credentials,
 * each keyed by an HMAC of the document's type and number. No name, number,
 * date or address, ever — not in the database, not in a log line. Documents
 * pass through memory only.
 */
#ifndef HROMADA_WALLET_INTERNAL_H
#define HROMADA_WALLET_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/documents.h"
#include "core/http_client.h"
#include "core/http_server.h"
#include "core/secret_key.h"
#include "core/store.h"
#include "exchange/incident_report.h"
#include "exchange/jose.h"
#include "exchange/member.h"
#include "exchange/replay.h"

#define WALLET_PURPOSE       "citizen-wallet"
#define WALLET_CODE_DIGITS   8 /* 10^8 codes: 25 guesses a person-hour get nowhere */
#define WALLET_CODE_TTL_S    600
#define WALLET_CODE_ATTEMPTS 5 /* wrong codes one pending code survives */
/* codes pending at once for one person: a start never replaces one */
#define WALLET_PENDING_CODES 5
/* wrong codes a person's enrolment survives in an hour (then finish waits) */
#define WALLET_WRONG_CODES_PER_HOUR 10
/* enrolments one client address may start an hour, unless configured
 * (enrol_starts_per_client_hour): codes go to citizens, so one client must not
 * be able to send them to thousands; not fewer, because a mobile carrier puts
 * many subscribers behind one address */
#define WALLET_STARTS_PER_CLIENT_HOUR 100
#define WALLET_TOKEN_TTL_S            (30 * 86400)
#define WALLET_MAX_ISSUERS            64

struct signer;
struct issuer;
struct rate_limiter;
struct wallet_status;
struct wallet_leaks;
struct config;

/* Foreign registries the wallet also asks (a resident abroad), at most. */
#define WALLET_ABROAD_MAX 8

struct wallet {
	struct store_pool *pool;
	struct incident_reporter *reporter; /* NULL: no nccc configured */
	struct secret_key *secret; /* tokens, person and code hashes: STATE_DIR/keys/wallet.key */
	char member_id[96];
	char gateway_id[96];
	char gateway_url[512];
	char provider_prefix[96]; /* providers are PREFIX/<document type> */
	char outbox[4096];
	struct member_identity self;
	struct signer *member_signer;
	EVP_PKEY *gateway_key;
	struct signer *document_signers[DOCUMENT_TYPE_COUNT];
	struct http_client *client;
	struct replay_cache *dpop_jti;
	struct replay_store *dpop_jti_records; /* behind dpop_jti: in the store */
	struct replay_cache *gateway_nonces;
	struct rate_limiter *enrol_limiter; /* per client address; NULL = no limit */

	char abroad[WALLET_ABROAD_MAX]
		   [96]; /* foreign providers: "PL/GOV/00000002/residence_permit" */
	int abroad_count;
	struct wallet_status *status; /* status lists of offline credentials */
	struct wallet_leaks *leaks;   /* NULL: no [leaks] range_key or range service */

	pthread_mutex_t issuers_lock; /* a small pool: one issuer per busy thread */
	struct issuer *issuers[DOCUMENT_TYPE_COUNT][WALLET_MAX_ISSUERS];
	int issuer_count[DOCUMENT_TYPE_COUNT];
};

/* The caller of a wallet call, once authenticated. */
struct wallet_caller {
	char person[16];
	char jkt[JOSE_THUMBPRINT_LEN];
	json_t *jwk; /* the device key, from the DPoP proof; caller decrefs */
};

/* wallet_auth.c */
/* HMAC under the wallet secret of "label:text", as 64 hex characters. */
hr_status wallet_keyed_hash(const struct wallet *w, const char *label, const char *text,
			    char out[65]);
hr_status wallet_person_hash(const struct wallet *w, const char *person, char out[65]);
void wallet_handle_enrol_start(struct http_request *req, void *context);
void wallet_handle_enrol_finish(struct http_request *req, void *context);
/* Authenticates a call (Authorization: DPoP + DPoP proof); replies 401 itself on failure. */
bool wallet_authenticate(struct wallet *w, struct http_request *req, struct wallet_caller *caller);
void wallet_caller_clear(struct wallet_caller *caller);
extern const struct store_migration wallet_migrations[];
extern const size_t wallet_migration_count;

/* wallet_gateway.c: an exchange with provider's service through the gateway,
 * relaying the caller's consent; *answer is the checked answer's JSON body. */
hr_status wallet_call_gateway(struct wallet *w, struct http_request *req, const char *provider,
			      const char *service, const json_t *body, long *status,
			      json_t **answer, struct hr_error *err);
/* The same for the wallet's own business (no citizen behind it): purpose and
 * user as given, no consent (the access right must name a legal basis). */
hr_status wallet_call_gateway_as(struct wallet *w, const char *provider, const char *service,
				 const json_t *body, const char *purpose, const char *user,
				 long *status, json_t **answer, struct hr_error *err);
/* Passes a refusal from the gateway or a registry on to the device. */
void wallet_relay_failure(struct http_request *req, long status, const json_t *answer);

/* wallet_status.c: the status lists; polls the registries' status changes */
/* poll_ms 0: no polling (status changes only through this wallet); ttl_s:
 * how long verifiers may cache a list. */
hr_status wallet_status_start(struct wallet *w, int64_t poll_ms, int64_t ttl_s,
			      struct hr_error *err);
void wallet_status_stop(struct wallet *w);
void wallet_handle_status_list(struct http_request *req, void *context);
/* An entry for an offline credential of document_number (type), valid until
 * expires_at: *uri and *idx go into its status claim. */
hr_status wallet_status_allocate(struct wallet *w, struct http_request *req, int type,
				 const char *document_number, int64_t expires_at, char *uri,
				 size_t uri_size, uint64_t *idx, struct hr_error *err);
/* Every offline credential of that document is now of status (STATUS_*). */
hr_status wallet_status_set(struct wallet *w, int type, const char *document_number,
			    unsigned status, struct hr_error *err);

/* wallet_access_log.c */
void wallet_handle_access_log(struct http_request *req, void *context);

/* wallet_leaks.c: *out NULL (and HR_OK) when [leaks] is not configured; w
 * must outlive it. */
hr_status wallet_leaks_open(struct config *cfg, const struct wallet *w, struct wallet_leaks **out,
			    struct hr_error *err);
void wallet_leaks_free(struct wallet_leaks *leaks);
void wallet_handle_leaks(struct http_request *req, void *context);

/* wallet_documents.c */
void wallet_handle_documents(struct http_request *req, void *context);
void wallet_handle_document(struct http_request *req, void *context);
void wallet_handle_report_lost(struct http_request *req, void *context);

#endif
