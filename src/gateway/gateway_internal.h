/*
 * gateway_internal.h — the gateway's state, shared by its files:
 *   gateway.c        the role: settings, the exchange (check, forward, record)
 *   gateway_audit.c  the audit log's public face: signed tree heads, proofs,
 *                    and the citizen's access history (the gateway's own service)
 *   gateway_refused.c  refused requests (400/401/403) in the audit log
 *   gateway_sentinel.c  the leak-defence sentinel: every exchange judged, alerts
 *                    to the nccc, throttles, the operator's own service
 *   directory.c      members and access rights
 *   federation.c     the other countries' gateways and members (trust service)
 *   audit.c          the seam to the Merkle log (src/audit/)
 */
#ifndef HROMADA_GATEWAY_INTERNAL_H
#define HROMADA_GATEWAY_INTERNAL_H

#include <limits.h>
#include <stdbool.h>

#include <jansson.h>

#include "core/http_server.h"
#include "exchange/member.h"
#include "exchange/replay.h"
#include "audit/audit.h"
#include "exchange/directory.h"
#include "exchange/federation.h"
#include "gateway/gateway.h"

/* The consent "document type" of the gateway's own services: a consent must
 * name it ("docs": ["access_log"]) to allow them (exchange/consent.h). */
#define GATEWAY_OWN_DOCUMENT "access_log"
#define GATEWAY_ACCESS_LOG   "access-log" /* the service, in /x/{gateway}/access-log */
#define GATEWAY_SENTINEL     "sentinel"   /* the operator's, in /x/{gateway}/sentinel */

struct gateway_sentinel;
struct gateway_refusals;

struct gateway {
	struct store_pool *pool;
	char audit_dir[PATH_MAX];
	char keys_dir[PATH_MAX]; /* STATE_DIR/keys: the audit's HMAC keys */
	struct directory *directory;
	struct signer *signer;
	struct member_identity self;
	struct http_client *client;
	struct replay_cache *client_nonces;        /* nonces of members calling us */
	struct replay_store *client_nonce_records; /* ... kept in the store, behind it */
	struct replay_cache *provider_nonces;      /* nonces of providers answering us */
	struct audit *audit;
	struct consent_checker *consents;
	struct federation *federation;      /* NULL: no other country is reachable */
	struct incident_reporter *reporter; /* NULL: no nccc configured */
	struct gateway_sentinel *sentinel;  /* NULL: [sentinel] enabled = false */
	struct gateway_refusals *refusals;  /* refused requests into the audit log */
	char country[3];
};

/* The newest view of the federation the request in this thread holds (NULL
 * when it needed none yet, outside a request, or without federation). */
extern _Thread_local struct federation_view *gateway_request_view;

/* A member by id: the directory's, or another country's from the federation. */
const struct member *gateway_member(const struct gateway *gateway, const char *id);

/* The exchange being handled, as the handler learns it. */
struct exchange {
	char provider[MEMBER_ID_MAX];
	bool own;      /* the provider is this gateway: one of its own services */
	bool abroad;   /* the provider is another country's: forwarded to its gateway */
	bool incoming; /* the call came from another country's gateway for its member */
	const char *service;
	const char *client;
	const char *purpose;
	const char *user;
	const char *issue;
	const char *consent;
	const char *person;
	const char *legal_basis;
	char consent_id[80];
	json_t *body;
	/* what the sentinel is told */
	bool authenticated;        /* the client's signature verified */
	bool answered_by_provider; /* the status answered is the provider's */
	bool nothing_found;        /* a 2xx answer with no documents in it */
	char document_type[32];    /* the provider's; "" for the gateway's own services */
	const char *refused;       /* refused (400/401/403): the answer's reason code */
};

/* gateway.c: records the exchange x (with the answer it is about to give)
 * before it is answered; false when it could not, having answered 503 itself:
 * no record, no answer. *index (may be NULL) receives the entry's leaf index. */
bool gateway_record(struct gateway *gateway, struct http_request *request, const struct exchange *x,
		    const void *response, size_t response_len, unsigned status, uint64_t *index);

/* gateway.c: refuses x with a signed error answer, noting why for the audit log. */
void gateway_refuse(struct gateway *gateway, struct http_request *request, struct exchange *x,
		    unsigned status, const char *code, const char *message);

/* gateway_refused.c: refused requests in the audit log, bounded per source. */
struct gateway_refusals *gateway_refusals_new(void);
void gateway_refusals_free(struct gateway_refusals *refusals);
/* After x->refused was answered: its entry (or its count, over the bound). */
void gateway_record_refusal(struct gateway *gateway, struct http_request *request,
			    const struct exchange *x);

/* gateway_audit.c */
hr_status gateway_audit_routes(struct gateway *gateway, struct http_server *server,
			       struct hr_error *err);
/* An authorised call of one of the gateway's own services (x->own). */
void gateway_serve_own(struct gateway *gateway, struct http_request *request,
		       const struct exchange *x);

/* gateway_sentinel.c: the gateway store's migrations (the sentinel's throttles). */
extern const struct store_migration *const gateway_migrations;
extern const size_t gateway_migration_count;
/* Reads [sentinel] (after the store and the reporter are open); g->sentinel
 * stays NULL when it is off. Stage "config" for bad settings. */
hr_status gateway_sentinel_open(struct gateway *gateway, const struct role_context *context,
				struct hr_error *err);
void gateway_sentinel_free(struct gateway_sentinel *sentinel);
/* A throttled client's call (authenticated, x->client) answered 429; true
 * when it was refused. */
bool gateway_sentinel_refuse(struct gateway *gateway, struct http_request *request,
			     const struct exchange *x);
/* After the exchange was answered (or refused): what the sentinel learns. */
void gateway_sentinel_observe(struct gateway *gateway, struct http_request *request,
			      const struct exchange *x);
/* The operator's service, /x/{gateway}/sentinel. */
void gateway_sentinel_serve(struct gateway *gateway, struct http_request *request,
			    const struct exchange *x);

#endif
