/*
 * gateway.c — the data-exchange gateway (DESIGN.md §2, modelled on an X-Road
 * security server). A member calls
 *
 *	POST /x/{COUNTRY}/{CLASS}/{CODE}/{SUBSYSTEM}/{service}
 *	Hromada-Client: UA/GOV/43395033/wallet      (who calls; the signature's keyid)
 *	Hromada-Purpose: citizen-wallet              (why)
 *	Hromada-User: UA:officer-1234 | self         (the person who triggered it)
 *	Hromada-Issue: case 2026/17                  (the case behind it; optional)
 *	Hromada-Consent: <JWS by the citizen's device> (when no legal basis applies)
 *	Signature-Input / Signature / Content-Digest (RFC 9421, by the client member)
 *
 * and the gateway, in this order: checks the client's signature; checks the
 * access right (client × provider × service × purpose) in the directory; when
 * the right names no legal basis, checks the citizen's consent (signed by their
 * device, naming them, this purpose and this kind of document, fresh); forwards
 * the request to the provider signed with the gateway's own key; checks the
 * provider's signed answer; records the exchange through the audit seam; and
 * answers the client, signed. Any failure stops the exchange with a clear,
 * signed refusal; nothing is forwarded unchecked.
 */
#include "gateway/gateway_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/config.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/http_client.h"
#include "core/http_server.h"
#include "core/json.h"
#include "core/log.h"
#include "core/role.h"
#include "credential/signer.h"
#include "exchange/jose.h"
#include "exchange/member.h"
#include "exchange/sig_batch.h"
#include "exchange/consent.h"
#include "exchange/incident_report.h"
#include "exchange/replay_store.h"

#define STAGE              "gateway"
#define NONCE_CAPACITY     (1u << 18)
#define FORWARD_TIMEOUT_MS 5000

/*
 * The views of the federation a request holds. A view is acquired when the
 * request first needs a foreign member (never for calls between our own
 * members), and a fresher one after a miss; none is released before the
 * request ends, so a member found in one stays valid for the whole request.
 */
#define HELD_VIEWS_MAX 3
static _Thread_local struct federation_view *held_views[HELD_VIEWS_MAX];
static _Thread_local int held_count;
static _Thread_local bool view_tried;
_Thread_local struct federation_view *gateway_request_view;

static void views_acquire(struct gateway *g, bool fresh)
{
	struct federation_view *v;

	if (g->federation == NULL || held_count == HELD_VIEWS_MAX)
		return;
	v = fresh ? federation_acquire_fresh(g->federation) : federation_acquire(g->federation);
	view_tried = true;
	if (v != NULL) {
		held_views[held_count++] = v;
		gateway_request_view = v;
	}
}

static void views_release(struct gateway *g)
{
	while (held_count > 0)
		federation_release(g->federation, held_views[--held_count]);
	gateway_request_view = NULL;
	view_tried = false;
}

/* The request's view, acquired on first use (NULL without federation). */
static struct federation_view *request_view(const struct gateway *g)
{
	if (gateway_request_view == NULL && !view_tried)
		views_acquire((struct gateway *)g, false);
	return gateway_request_view;
}

/* The country of a member id ("UA/GOV/...") or a person id ("UA:..."). */
static bool country_of(const char *id, char out[3])
{
	if (id == NULL || strlen(id) < 3 || (id[2] != '/' && id[2] != ':'))
		return false;
	memcpy(out, id, 2);
	out[2] = 0;
	return true;
}

/* Another country's member by id, from the request's view; NULL for ours. */
static const struct member *abroad_member(const struct gateway *g, const char *id)
{
	char country[3];

	if (!country_of(id, country) || strcmp(country, g->country) == 0)
		return NULL;
	return federation_member(request_view(g), id);
}

const struct member *gateway_member(const struct gateway *g, const char *id)
{
	const struct member *m = directory_member(g->directory, id);

	return m != NULL ? m : abroad_member(g, id);
}

/* Who may sign a call to us: our own members, and other countries' gateways
 * (for their members); never another country's member directly. */
static EVP_PKEY *member_key(void *context, const char *keyid)
{
	struct gateway *g = context;
	const struct member *m = directory_member(g->directory, keyid);

	if (m == NULL && (m = abroad_member(g, keyid)) != NULL && m->url == NULL)
		m = NULL; /* a foreign member that is not its country's gateway */
	return m ? m->key : NULL;
}

/* Whose device attestations a consent may carry: members that enrol devices,
 * ours or (for their own people, exchange/consent.h) another country's. */
static EVP_PKEY *attester_key(void *context, const char *member_id)
{
	struct gateway *g = context;
	const struct member *m = gateway_member(g, member_id);

	return m != NULL && m->attests_devices ? m->key : NULL;
}

/* Makes sure the request's view knows id (a foreign member, or with gateway
 * set the gateway of id's country), fetching the list once more on a miss. */
static const struct member *foreign(struct gateway *g, const char *id, bool gateway)
{
	char country[3];
	const struct member *m;

	if (g->federation == NULL || !country_of(id, country))
		return NULL;
	m = gateway ? federation_gateway(request_view(g), country)
		    : federation_member(request_view(g), id);
	if (m == NULL) {
		views_acquire(g, true);
		m = gateway ? federation_gateway(gateway_request_view, country)
			    : federation_member(gateway_request_view, id);
	}
	return m;
}

static bool read_target(struct http_request *req, struct exchange *x)
{
	int n = snprintf(x->provider, sizeof(x->provider), "%s/%s/%s/%s",
			 http_request_param(req, "country"), http_request_param(req, "class"),
			 http_request_param(req, "code"), http_request_param(req, "subsystem"));

	x->service = http_request_param(req, "service");
	return n > 0 && (size_t)n < sizeof(x->provider) && member_id_valid(x->provider) &&
	       x->service != NULL;
}

/* Steps 1-3: who calls, may they, and (without a legal basis) did the citizen agree. */
/* A refused signature is a security event for the nccc (exchange/incident_report.h):
 * counted by the caller's address, or — once the signature verified and only the
 * nonce record refused it — by the member that signed. */
static void note_refusal(struct gateway *g, struct http_request *req, const char *client,
			 const struct hr_error *err)
{
	if (err->status == HR_E_BUSY)
		incident_report_note(g->reporter, SECURITY_SHARE_EXHAUSTED, client);
	else
		incident_report_note(g->reporter,
				     err->status == HR_E_CONFLICT ? SECURITY_REPLAY
								  : SECURITY_SIGNATURE_FAILURE,
				     http_request_peer(req));
}

void gateway_refuse(struct gateway *g, struct http_request *req, struct exchange *x,
		    unsigned status, const char *code, const char *message)
{
	x->refused = code;
	member_reply_error(req, &g->self, status, code, message);
}

static bool authorise(struct gateway *g, struct http_request *req, struct exchange *x,
		      const struct member **provider)
{
	const char *signed_headers[6] = {
	    "hromada-client", "hromada-purpose", "hromada-user", NULL, NULL, NULL};
	struct httpsig_verified verified;
	struct access_decision decision;
	struct hr_error err = {0};
	const struct member *client_gateway = NULL;
	char client_country[3] = "";
	size_t n = 3;

	x->client = http_request_header(req, "Hromada-Client");
	x->purpose = http_request_header(req, "Hromada-Purpose");
	x->user = http_request_header(req, "Hromada-User");
	x->issue = http_request_header(req, "Hromada-Issue");
	x->consent = http_request_header(req, "Hromada-Consent");
	if (x->client == NULL || x->purpose == NULL || x->user == NULL ||
	    !member_id_valid(x->client) || strlen(x->purpose) > AUDIT_TEXT_MAX ||
	    strlen(x->user) > AUDIT_TEXT_MAX ||
	    (x->issue != NULL && strlen(x->issue) > AUDIT_TEXT_MAX)) {
		/* what the audit record keeps must fit it whole */
		gateway_refuse(g, req, x, 400, "invalid",
			       "Hromada-Client (a member id), Hromada-Purpose and Hromada-User "
			       "are required; Purpose, User and Issue take at most 256 bytes");
		return false;
	}
	if (x->issue != NULL)
		signed_headers[n++] = "hromada-issue";
	if (x->consent != NULL)
		signed_headers[n++] = "hromada-consent";
	country_of(x->client, client_country);
	/* a member of another country calls through its own gateway, which we
	 * must know before its signature can be checked */
	if (strcmp(client_country, g->country) != 0)
		client_gateway = foreign(g, x->client, true);
	if (member_request_verify(req, signed_headers, member_key, g, g->client_nonces,
				  (int64_t)time(NULL), &verified, &err) != HR_OK) {
		note_refusal(g, req, x->client, &err);
		if (err.status != HR_E_BUSY)
			x->refused = "unauthorized";
		member_reply_unverified(req, &g->self, &err);
		return false;
	}
	if (strcmp(verified.keyid, x->client) != 0) {
		/* only the client's own country's gateway speaks for it, and only for
		 * a member that country published */
		x->incoming = client_gateway != NULL &&
			      strcmp(verified.keyid, client_gateway->id) == 0 &&
			      foreign(g, x->client, false) != NULL;
		if (!x->incoming) {
			gateway_refuse(
			    g, req, x, 401, "unauthorized",
			    "the request is signed by another member than Hromada-Client (a "
			    "foreign member's call comes through its own country's gateway)");
			return false;
		}
	} else if (directory_member(g->directory, x->client) == NULL) {
		gateway_refuse(g, req, x, 401, "unauthorized",
			       "a gateway calls here only for its country's members");
		return false;
	}
	x->authenticated = true; /* the sentinel may judge what follows */
	if (gateway_sentinel_refuse(g, req, x))
		return false; /* throttled: refused whatever it asks */
	*provider = NULL;
	if (!x->own) {
		char provider_country[3];
		country_of(x->provider, provider_country);
		x->abroad = strcmp(provider_country, g->country) != 0;
		*provider = x->abroad ? foreign(g, x->provider, false)
				      : directory_member(g->directory, x->provider);
		if (*provider == NULL || (!x->abroad && (*provider)->url == NULL) ||
		    (x->abroad && foreign(g, x->provider, true) == NULL)) {
			member_reply_error(req, &g->self, 404, "not_found",
					   "no such provider member");
			return false;
		}
		if (x->abroad && x->incoming) {
			gateway_refuse(g, req, x, 403, "denied",
				       "a call from another country is for this country's "
				       "providers only (no transit)");
			return false;
		}
	}
	decision = directory_check(g->directory, x->client, x->provider, x->service, x->purpose);
	if (!decision.allowed) {
		gateway_refuse(g, req, x, 403, "denied",
			       "no access right for this member, service and purpose");
		return false;
	}
	if (http_request_json(req, &x->body, &err) != HR_OK) {
		gateway_refuse(g, req, x, 400, "invalid", err.message);
		return false;
	}
	x->person = json_string_value(json_object_get(x->body, "person"));
	if (x->person != NULL && !person_id_valid(x->person)) {
		gateway_refuse(g, req, x, 400, "invalid",
			       "person must be UA:RNOKPP or PL:PESEL with a valid check digit");
		return false;
	}
	x->legal_basis = decision.legal_basis;
	if (x->legal_basis != NULL)
		return true;
	/* the citizen's consent, required for every call this right allows */
	if (x->consent == NULL || x->person == NULL) {
		gateway_refuse(g, req, x, 403, "consent_required",
			       "this access needs the citizen's consent (Hromada-Consent) for the "
			       "person named in the request");
		return false;
	}
	if (consent_check(g->consents, x->consent, x->person, x->purpose, x->client,
			  x->own ? GATEWAY_OWN_DOCUMENT : (*provider)->document_type,
			  (int64_t)time(NULL), x->consent_id, sizeof(x->consent_id),
			  &err) != HR_OK) {
		gateway_refuse(g, req, x, 403, "consent_invalid", err.message);
		return false;
	}
	return true;
}

bool gateway_record(struct gateway *g, struct http_request *req, const struct exchange *x,
		    const void *response, size_t response_len, unsigned status, uint64_t *index)
{
	struct slice body = http_request_body(req);
	struct audit_entry entry = {.client = x->client,
				    .provider = x->provider,
				    .service = x->service,
				    .purpose = x->purpose,
				    .legal_basis = x->legal_basis,
				    .consent_id = x->consent_id[0] ? x->consent_id : NULL,
				    .user = x->user,
				    .issue = x->issue,
				    .person = x->person,
				    .time = (int64_t)time(NULL),
				    .status = status};
	struct hr_error err = {0};

	if (audit_content_hash(g->audit, body.ptr, body.len, entry.request_hash) != HR_OK ||
	    audit_content_hash(g->audit, response, response_len, entry.response_hash) != HR_OK ||
	    audit_record(g->audit, &entry, index, &err) != HR_OK) {
		log_error("gateway.audit", "%s", err.message);
		member_reply_error(req, &g->self, 503, "unavailable",
				   "the exchange could not be recorded, so it is not answered");
		return false;
	}
	return true;
}

static void handle_exchange(struct http_request *req, void *context)
{
	struct gateway *g = context;
	struct exchange x;
	const struct member *provider = NULL, *peer;
	struct http_client_response response;
	struct http_header headers[6];
	struct member_call call;
	struct hr_error err = {0};
	char url[1024], holder_id[32];
	struct slice body = http_request_body(req);
	json_t *answer = NULL;
	const char *holder;
	size_t h = 0;
	hr_status rc;

	memset(&x, 0, sizeof(x));
	http_client_response_init(&response);
	if (!read_target(req, &x)) {
		member_reply_error(req, &g->self, 404, "not_found", "no such member or service");
		goto done;
	}
	x.own = strcmp(x.provider, g->self.id) == 0;
	if (!authorise(g, req, &x, &provider))
		goto done;
	if (provider != NULL)
		snprintf(x.document_type, sizeof(x.document_type), "%s", provider->document_type);
	if (x.own) {
		gateway_serve_own(g, req, &x);
		goto done;
	}
	headers[h++] = (struct http_header){"Hromada-Client", x.client};
	headers[h++] = (struct http_header){"Hromada-Purpose", x.purpose};
	headers[h++] = (struct http_header){"Hromada-User", x.user};
	if (x.issue != NULL)
		headers[h++] = (struct http_header){"Hromada-Issue", x.issue};
	if (x.abroad) {
		/* to the provider's own gateway, which checks the call again (its
		 * access rights, the consent) and records it in its own log */
		peer = foreign(g, x.provider, true);
		if (x.consent != NULL)
			headers[h++] = (struct http_header){"Hromada-Consent", x.consent};
		snprintf(url, sizeof(url), "%s/x/%s/%s", peer->url, x.provider, x.service);
	} else {
		/* signed: a request for one registry is refused by every other */
		peer = provider;
		headers[h++] = (struct http_header){"Hromada-Provider", provider->id};
		snprintf(url, sizeof(url), "%s/v1/%s", provider->url, x.service);
	}
	call = (struct member_call){.url = url,
				    .headers = headers,
				    .header_count = h,
				    .body = body.ptr,
				    .body_len = body.len,
				    .timeout_ms = FORWARD_TIMEOUT_MS};
	rc = member_call_post(g->client, &g->self, &call, peer->id, peer->key, g->provider_nonces,
			      (int64_t)time(NULL), &response, &err);
	if (rc != HR_OK && x.abroad && err.status != HR_E_SIGNATURE) {
		/* the other country's gateway may have moved: ask the trust service
		 * once, and try again where it says it is now */
		const struct member *moved;
		views_acquire(g, true);
		moved = foreign(g, x.provider, true);
		if (moved != NULL && strcmp(moved->url, peer->url) != 0) {
			peer = moved;
			snprintf(url, sizeof(url), "%s/x/%s/%s", peer->url, x.provider, x.service);
			rc = member_call_post(g->client, &g->self, &call, peer->id, peer->key,
					      g->provider_nonces, (int64_t)time(NULL), &response,
					      &err);
		}
	}
	if (rc != HR_OK) {
		log_warn("gateway.forward", "%s %s: %s", provider->id, x.service, err.message);
		member_reply_error(req, &g->self, err.status == HR_E_SIGNATURE ? 502 : 504,
				   "provider_failed",
				   "the provider did not give a valid signed answer");
		goto done;
	}
	if (hr_json_parse(response.body.data, response.body.len, &answer, &err) != HR_OK) {
		member_reply_error(req, &g->self, 502, "provider_failed",
				   "the provider's answer is not JSON");
		goto done;
	}
	x.answered_by_provider = true;
	/* a lookup of nobody the registry knows: a miss, as a 404 is */
	x.nothing_found = json_is_array(json_object_get(answer, "documents")) &&
			  json_array_size(json_object_get(answer, "documents")) == 0;
	/* a document asked about by number alone is its holder's data: the
	 * registry names them, the audit entry keeps them (so the access shows
	 * in their history), and the caller, who did not ask who, is not told */
	holder = json_string_value(json_object_get(answer, "holder"));
	if (holder != NULL && person_id_valid(holder)) {
		snprintf(holder_id, sizeof(holder_id), "%s", holder);
		x.person = holder_id;
	}
	json_object_del(answer, "holder");
	if (!gateway_record(g, req, &x, response.body.data, response.body.len,
			    (unsigned)response.status, NULL))
		goto done;
	member_reply_json(req, &g->self, (unsigned)response.status, answer);
	answer = NULL;
done:
	if (x.refused != NULL)
		gateway_record_refusal(g, req, &x);
	gateway_sentinel_observe(g, req, &x);
	views_release(g);
	json_decref(answer);
	json_decref(x.body);
	http_client_response_clear(&response);
}

static hr_status read_settings(const struct role_context *ctx, struct gateway *g,
			       struct audit_options *audit, struct hr_error *err)
{
	char fallback[PATH_MAX];
	const char *dir, *directory, *key, *cert, *trust_url, *trust_anchor;
	hr_status rc;

	snprintf(fallback, sizeof(fallback), "%s/audit", ctx->state_dir);
	if ((rc = config_get_str(ctx->config, "gateway", "audit_dir", fallback, &dir, err)) !=
		HR_OK ||
	    (rc = config_get_str(ctx->config, "gateway", "directory", NULL, &directory, err)) !=
		HR_OK ||
	    (rc = config_get_str(ctx->config, "gateway", "key", NULL, &key, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "gateway", "certificate", NULL, &cert, err)) !=
		HR_OK ||
	    (rc = config_get_str(ctx->config, "gateway", "tree_head_key", NULL,
				 &audit->tree_head_key, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "gateway", "tree_head_certificate", NULL,
				 &audit->tree_head_certificate, err)) != HR_OK ||
	    (rc = config_get_int(ctx->config, "gateway", "tree_head_interval_ms", 1000, 10,
				 3600 * 1000, &audit->interval_ms, err)) != HR_OK ||
	    (rc = config_get_int(ctx->config, "gateway", "tree_head_entries", 1000, 1, 1 << 30,
				 &audit->entries, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "gateway", "trust_url", NULL, &trust_url, err)) !=
		HR_OK ||
	    (rc = config_get_str(ctx->config, "gateway", "trust_anchor", NULL, &trust_anchor,
				 err)) != HR_OK)
		return rc;
	if ((trust_url == NULL) != (trust_anchor == NULL))
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[gateway] trust_url and trust_anchor go together (the trust "
				    "service and the certificate its list must be signed with)");
	if (ctx->country == NULL || strlen(ctx->country) != 2)
		return hr_error_set(err, HR_E_INVALID, "config", "a gateway needs [node] country");
	snprintf(g->country, sizeof(g->country), "%s", ctx->country);
	if (trust_url != NULL && (rc = federation_new(trust_url, trust_anchor, g->country,
						      &g->federation, err)) != HR_OK)
		return rc;
	if (directory == NULL || key == NULL || cert == NULL || audit->tree_head_key == NULL ||
	    audit->tree_head_certificate == NULL)
		return hr_error_set(
		    err, HR_E_INVALID, "config",
		    "[gateway] needs directory, key, certificate, tree_head_key and "
		    "tree_head_certificate");
	snprintf(g->audit_dir, sizeof(g->audit_dir), "%s", dir);
	audit->dir = g->audit_dir;
	snprintf(g->keys_dir, sizeof(g->keys_dir), "%s/keys", ctx->state_dir);
	audit->keys_dir = g->keys_dir;
	if (mkdir(g->audit_dir, 0700) != 0 && errno != EEXIST)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", g->audit_dir,
				    strerror(errno));
	if ((rc = directory_load(directory, &g->directory, err)) != HR_OK ||
	    (rc = signer_open_files(key, cert, &g->signer, err)) != HR_OK)
		return rc;
	return HR_OK;
}

static void gateway_close(void *state);

static hr_status gateway_open(const struct role_context *ctx, void **state, struct hr_error *err)
{
	struct gateway *g = calloc(1, sizeof(*g));
	struct http_client_options copt;
	struct audit_options audit = {0};
	hr_status rc;

	if (g == NULL)
		return HR_E_NOMEM;
	/* members sign the URL they call (@authority) */
	if ((rc = http_server_options_require_own_url(ctx->config, err)) != HR_OK ||
	    (rc = read_settings(ctx, g, &audit, err)) != HR_OK ||
	    (rc = role_open_store(ctx, "gateway.db", gateway_migrations, gateway_migration_count,
				  &g->pool, err)) != HR_OK ||
	    (rc = audit_open(&audit, &g->audit, err)) != HR_OK)
		goto fail;
	http_client_options_default(&copt);
	copt.connect_timeout_ms = 1000;
	copt.timeout_ms = FORWARD_TIMEOUT_MS;
	copt.max_idle_handles = 64;
	g->client = http_client_new(&copt);
	g->client_nonces = replay_cache_new(NONCE_CAPACITY);
	g->provider_nonces = replay_cache_new(NONCE_CAPACITY);
	g->consents = consent_checker_new(attester_key, g);
	g->refusals = gateway_refusals_new();
	/* a member's signed request is accepted once, across restarts and copies */
	g->client_nonce_records = replay_store_new(g->pool, "member");
	replay_cache_set_store(g->client_nonces, g->client_nonce_records);
	if (g->client == NULL || g->client_nonces == NULL || g->provider_nonces == NULL ||
	    g->consents == NULL || g->refusals == NULL || g->client_nonce_records == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto fail;
	}
	g->self.id = directory_gateway_id(g->directory);
	g->self.signer = g->signer;
	if ((rc = sig_batcher_new(g->signer, &g->self.batch, err)) != HR_OK ||
	    (rc = incident_reporter_from_config(ctx->config, &g->self, g->self.id, &g->reporter,
						err)) != HR_OK ||
	    (rc = gateway_sentinel_open(g, ctx, err)) != HR_OK)
		goto fail;
	if ((rc = http_server_route(
		 ctx->server, "POST", "/x/{country}/{class}/{code}/{subsystem}/{service}",
		 HTTP_ROUTE_JSON_BODY | HTTP_ROUTE_BLOCKING, handle_exchange, g, err)) != HR_OK ||
	    (rc = gateway_audit_routes(g, ctx->server, err)) != HR_OK)
		goto fail;
	http_server_set_health_field(ctx->server, "country", ctx->country);
	http_server_set_health_field(ctx->server, "member", g->self.id);
	*state = g;
	return HR_OK;
fail:
	gateway_close(g);
	return rc;
}

static void gateway_close(void *state)
{
	struct gateway *g = state;

	if (g == NULL)
		return;
	/* first: its thread signs with our key, whose per-thread state goes when
	 * the thread ends, which must be before the key is freed */
	incident_reporter_free(g->reporter);
	gateway_sentinel_free(g->sentinel);
	store_pool_free(g->pool);
	directory_free(g->directory);
	sig_batcher_free(g->self.batch);
	signer_free(g->signer);
	http_client_free(g->client);
	replay_cache_free(g->client_nonces);
	replay_store_free(g->client_nonce_records);
	replay_cache_free(g->provider_nonces);
	gateway_refusals_free(g->refusals);
	audit_close(g->audit);
	consent_checker_free(g->consents);
	federation_free(g->federation);
	free(g);
}

const struct role_ops gateway_role = {
    .name = "gateway",
    .summary = "X-Road-style security server: member directory, access rights, audit log.",
    .config_help = "[gateway] directory = members and access rights, JSON (docs/EXCHANGE.md)\n"
		   "  key, certificate = PEM files of the gateway's member key (required)\n"
		   "  audit_dir = directory of the audit log (default: STATE_DIR/audit)\n"
		   "  tree_head_key, tree_head_certificate = PEM files of the key that signs the\n"
		   "    audit log's tree heads (required; `hromada keys` makes one per country)\n"
		   "  tree_head_interval_ms = sign a tree head at least this often (default 1000)\n"
		   "  tree_head_entries = or as soon as this many entries wait (default 1000)\n"
		   "  trust_url, trust_anchor = the trust service and its pinned certificate:\n"
		   "    other countries' gateways and members come from its list (federation;\n"
		   "    without them only this country's members are reachable)\n"
		   "[report] nccc_url, nccc_id, nccc_certificate = the nccc hub that floods of\n"
		   "    refused signatures and replays are reported to (docs/NCCC.md)\n"
		   "[sentinel] leak defence (docs/LEAKS.md); on unless enabled = false\n"
		   "  canary_key, canaries = the canary index's key and canaries.jsonl\n"
		   "    (together; without them no canaries are watched)\n"
		   "  throttle = refuse a member an alert names until an operator releases\n"
		   "    it (default false), for the rules in throttle_rules (default\n"
		   "    enumeration,misses,volume,canary)\n"
		   "  rules = the rules on (default all: enumeration,misses,volume,\n"
		   "    time_of_day,purpose,canary); quiet_s, max_members, enumeration_*,\n"
		   "    misses_*, volume_*, warmup_h, memory_h, time_of_day_*, purpose_*\n",
    .per_country = true,
    .open = gateway_open,
    .close = gateway_close,
};
