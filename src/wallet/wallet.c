/*
 * wallet.c — the citizen wallet (DESIGN.md §2, §5): enrolment of a device, DPoP-
 * bound access, documents fetched live through the gateway and issued as
 * device-bound QR credentials. It keeps enrolments only (wallet_internal.h).
 */
#include "wallet/wallet.h"

#include <limits.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "core/config.h"
#include "core/rate_limit.h"
#include "core/error.h"
#include "core/role.h"
#include "credential/issue.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "exchange/replay_store.h"
#include "exchange/sig_batch.h"
#include "wallet/wallet_internal.h"
#include "web/web_assets.h"

#define WALLET_MACS_REMEMBERED 8192
#define STAGE                  "wallet"
/* proofs remembered for their 65 s of life: 4 000 calls/s (twice what two
 * cores serve) in ~13 MB; beyond, calls get 503 and Retry-After, never a
 * forgotten proof */
#define JTI_CAPACITY   (1u << 18)
#define NONCE_CAPACITY (1u << 18)

static hr_status copy_setting(struct config *cfg, const char *key, char *out, size_t size,
			      bool required, struct hr_error *err)
{
	const char *value;
	hr_status rc = config_get_str(cfg, "wallet", key, NULL, &value, err);

	if (rc != HR_OK)
		return rc;
	if (value == NULL) {
		if (required)
			return hr_error_set(err, HR_E_INVALID, "config", "[wallet] %s is required",
					    key);
		out[0] = 0;
		return HR_OK;
	}
	if (strlen(value) >= size)
		return hr_error_set(err, HR_E_INVALID, "config", "[wallet] %s is too long", key);
	memcpy(out, value, strlen(value) + 1);
	return HR_OK;
}

/* [wallet] abroad = PL/GOV/00000002/residence_permit,...: other countries'
 * registries that may hold documents of this country's people. */
static hr_status read_abroad(struct config *cfg, struct wallet *w, struct hr_error *err)
{
	const char *list, *p;
	hr_status rc;

	if ((rc = config_get_str(cfg, "wallet", "abroad", "", &list, err)) != HR_OK)
		return rc;
	for (p = list; *p;) {
		size_t n = strcspn(p, ",");
		char *id = w->abroad[w->abroad_count];
		const char *type;
		if (w->abroad_count == WALLET_ABROAD_MAX || n == 0 || n >= sizeof(w->abroad[0]))
			return hr_error_set(
			    err, HR_E_INVALID, "config",
			    "[wallet] abroad: at most %d provider ids, comma-separated",
			    WALLET_ABROAD_MAX);
		memcpy(id, p, n);
		id[n] = 0;
		type = strrchr(id, '/');
		if (!member_id_valid(id) || type == NULL || document_type_index(type + 1) < 0 ||
		    strncmp(id, w->member_id, 3) == 0)
			return hr_error_set(
			    err, HR_E_INVALID, "config",
			    "[wallet] abroad: '%s' is not another country's registry "
			    "(COUNTRY/CLASS/CODE/<document type>)",
			    id);
		w->abroad_count++;
		p += n;
		if (*p == ',')
			p++;
	}
	return HR_OK;
}

static hr_status read_settings(const struct role_context *ctx, struct wallet *w,
			       struct hr_error *err)
{
	char key[PATH_MAX], cert[PATH_MAX], gateway_cert[PATH_MAX], signers[PATH_MAX];
	char path[PATH_MAX + 64], key_path[PATH_MAX + 64];
	struct config *cfg = ctx->config;
	int64_t starts;
	hr_status rc;

	if ((rc = copy_setting(cfg, "member_id", w->member_id, sizeof(w->member_id), true, err)) ||
	    (rc = copy_setting(cfg, "key", key, sizeof(key), true, err)) ||
	    (rc = copy_setting(cfg, "certificate", cert, sizeof(cert), true, err)) ||
	    (rc = copy_setting(cfg, "gateway_url", w->gateway_url, sizeof(w->gateway_url), true,
			       err)) ||
	    (rc = copy_setting(cfg, "gateway_id", w->gateway_id, sizeof(w->gateway_id), true,
			       err)) ||
	    (rc = copy_setting(cfg, "gateway_certificate", gateway_cert, sizeof(gateway_cert), true,
			       err)) ||
	    (rc = copy_setting(cfg, "provider_prefix", w->provider_prefix,
			       sizeof(w->provider_prefix), true, err)) ||
	    (rc = copy_setting(cfg, "signers_dir", signers, sizeof(signers), true, err)) ||
	    (rc = copy_setting(cfg, "outbox", w->outbox, sizeof(w->outbox), true, err)))
		return rc;
	if ((rc = signer_open_files(key, cert, &w->member_signer, err)) != HR_OK ||
	    (rc = signer_cert_public_key_file(gateway_cert, &w->gateway_key, err)) != HR_OK)
		return rc;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		snprintf(key_path, sizeof(key_path), "%s/%s/key.pem", signers, document_types[t]);
		snprintf(path, sizeof(path), "%s/%s/cert.pem", signers, document_types[t]);
		if ((rc = signer_open_files(key_path, path, &w->document_signers[t], err)) != HR_OK)
			return rc;
	}
	/* devices name the wallet's URL in every DPoP proof */
	if ((rc = http_server_options_require_own_url(cfg, err)) != HR_OK)
		return rc;
	if ((rc = config_get_int(cfg, "wallet", "enrol_starts_per_client_hour",
				 WALLET_STARTS_PER_CLIENT_HOUR, 0, 1000000, &starts, err)) != HR_OK)
		return rc;
	if (starts > 0 && (w->enrol_limiter =
			       rate_limiter_new((double)starts / 3600.0, (unsigned)starts)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if ((rc = read_abroad(cfg, w, err)) != HR_OK)
		return rc;
	/* the key moved out of the directory that holds the wallet's database */
	snprintf(key_path, sizeof(key_path), "%s/wallet.key", ctx->state_dir);
	snprintf(path, sizeof(path), "%s/keys", ctx->state_dir);
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", path,
				    strerror(errno));
	snprintf(path, sizeof(path), "%s/keys/wallet.key", ctx->state_dir);
	if ((rc = secret_key_move(key_path, path, err)) != HR_OK)
		return rc;
	if ((rc = secret_key_open(path, &w->secret, err)) != HR_OK)
		return rc;
	/* tokens and pseudonyms come back on every call: a MAC remembered is a
	 * round trip to the key process saved */
	if (secret_key_remember(w->secret, WALLET_MACS_REMEMBERED) != HR_OK)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	return HR_OK;
}

static void wallet_close(void *state);
static void wallet_handle_origin(struct http_request *req, void *context);

static hr_status wallet_open(const struct role_context *ctx, void **state, struct hr_error *err)
{
	struct wallet *w = calloc(1, sizeof(*w));
	struct http_client_options copt;
	int64_t poll_ms, ttl_s;
	hr_status rc;

	if (w == NULL)
		return HR_E_NOMEM;
	pthread_mutex_init(&w->issuers_lock, NULL);
	if ((rc = read_settings(ctx, w, err)) != HR_OK ||
	    (rc = config_get_int(ctx->config, "wallet", "status_poll_ms", 30000, 0, 3600 * 1000,
				 &poll_ms, err)) != HR_OK ||
	    (rc = config_get_int(ctx->config, "wallet", "status_list_ttl_s", 300, 1, 86400, &ttl_s,
				 err)) != HR_OK ||
	    (rc = role_open_store(ctx, "wallet.db", wallet_migrations, wallet_migration_count,
				  &w->pool, err)) != HR_OK)
		goto fail;
	http_client_options_default(&copt);
	copt.connect_timeout_ms = 1000;
	copt.timeout_ms = 10000;
	copt.max_idle_handles = 64;
	w->client = http_client_new(&copt);
	w->dpop_jti = replay_cache_new(JTI_CAPACITY);
	/* a DPoP proof is accepted once, across restarts and copies of the wallet */
	w->dpop_jti_records = replay_store_new(w->pool, "dpop");
	replay_cache_set_store(w->dpop_jti, w->dpop_jti_records);
	w->gateway_nonces = /* only the gateway answers: the whole record is its */
	    replay_cache_new_fair(NONCE_CAPACITY, NONCE_CAPACITY);
	if (w->client == NULL || w->dpop_jti == NULL || w->gateway_nonces == NULL ||
	    w->dpop_jti_records == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto fail;
	}
	w->self.id = w->member_id;
	w->self.signer = w->member_signer;
	if ((rc = sig_batcher_new(w->member_signer, &w->self.batch, err)) != HR_OK ||
	    (rc = incident_reporter_from_config(ctx->config, &w->self, w->member_id, &w->reporter,
						err)) != HR_OK ||
	    (rc = wallet_leaks_open(ctx->config, w, &w->leaks, err)) != HR_OK)
		goto fail;
	if ((rc = http_server_route(ctx->server, "POST", "/v1/enrol/start", HTTP_ROUTE_JSON_BODY,
				    wallet_handle_enrol_start, w, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "POST", "/v1/enrol/finish", HTTP_ROUTE_JSON_BODY,
				    wallet_handle_enrol_finish, w, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "GET", "/v1/documents", HTTP_ROUTE_BLOCKING,
				    wallet_handle_documents, w, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "GET", "/v1/documents/{type}", HTTP_ROUTE_BLOCKING,
				    wallet_handle_document, w, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "POST", "/v1/documents/{type}/report-lost",
				    HTTP_ROUTE_BLOCKING, wallet_handle_report_lost, w, err)) !=
		HR_OK ||
	    (rc = http_server_route(ctx->server, "GET", "/v1/access-log", HTTP_ROUTE_BLOCKING,
				    wallet_handle_access_log, w, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "GET", "/v1/leaks", HTTP_ROUTE_BLOCKING,
				    wallet_handle_leaks, w, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "GET", "/v1/status-lists/{id}", 0,
				    wallet_handle_status_list, w, err)) != HR_OK ||
	    (rc = wallet_status_start(w, poll_ms, ttl_s, err)) != HR_OK)
		goto fail;
	/* the citizen's page (docs/WEB.md), built into the binary */
	if ((rc = web_assets_mount(ctx->server, "/wallet/", "wallet/", err)) != HR_OK ||
	    (rc = web_assets_mount(ctx->server, "/common/", "common/", err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "GET", "/wallet/origin.json", 0,
				    wallet_handle_origin, w, err)) != HR_OK)
		goto fail;
	http_server_set_health_field(ctx->server, "country", ctx->country);
	http_server_set_health_field(ctx->server, "member", w->member_id);
	*state = w;
	return HR_OK;
fail:
	wallet_close(w);
	return rc;
}

/*
 * The URL the wallet knows itself by, which DPoP proofs must name (htu): the
 * page may have been opened under another host name (localhost for
 * 127.0.0.1, a proxy's name), and only the server can say which one it checks.
 */
static void wallet_handle_origin(struct http_request *req, void *context)
{
	(void)context;
	http_reply_json(req, 200, json_pack("{s:s}", "url", http_request_own_url(req)));
}

static void wallet_close(void *state)
{
	struct wallet *w = state;

	if (w == NULL)
		return;
	wallet_status_stop(w); /* its thread calls the gateway and the store */
	incident_reporter_free(w->reporter);
	wallet_leaks_free(w->leaks);
	store_pool_free(w->pool);
	sig_batcher_free(w->self.batch);
	signer_free(w->member_signer);
	EVP_PKEY_free(w->gateway_key);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		for (int i = 0; i < w->issuer_count[t]; i++)
			issuer_free(w->issuers[t][i]);
		signer_free(w->document_signers[t]);
	}
	http_client_free(w->client);
	replay_cache_free(w->dpop_jti);
	replay_store_free(w->dpop_jti_records);
	replay_cache_free(w->gateway_nonces);
	rate_limiter_free(w->enrol_limiter);
	pthread_mutex_destroy(&w->issuers_lock);
	secret_key_free(w->secret);
	free(w);
}

const struct role_ops wallet_role = {
    .name = "wallet",
    .summary = "The citizen wallet API: enrolment, documents fetched live, QR credentials.",
    .config_help = "[wallet] member_id, key, certificate = its member identity (required)\n"
		   "  gateway_url, gateway_id, gateway_certificate = its gateway (required)\n"
		   "  provider_prefix = UA/GOV/00015622: registries are PREFIX/<type> (required)\n"
		   "  signers_dir = keys/UA/signers: a document signer per type (required)\n"
		   "  outbox = where enrolment codes go out of band (required)\n"
		   "  enrol_starts_per_client_hour = 100: enrolments one client address may\n"
		   "    start an hour (each sends a code to a citizen); 0 = no limit\n"
		   "  abroad = PL/GOV/00000002/residence_permit,...: other countries'\n"
		   "    registries asked too (a citizen resident abroad; default none)\n"
		   "  status_poll_ms = 30000: how often the registries' status changes are\n"
		   "    read into the status lists of offline credentials (0 = never)\n"
		   "  status_list_ttl_s = 300: how long a verifier may cache a status list\n"
		   "[report] nccc_url, nccc_id, nccc_certificate = the nccc hub that floods of\n"
		   "    refused device proofs are reported to (docs/NCCC.md)\n"
		   "[leaks] range_key = the country's range.key (32 bytes, shared with\n"
		   "    leakscan): GET /v1/leaks answers from the nccc's range service\n"
		   "    (docs/LEAKS.md); without it that call answers 503 not_configured\n"
		   "  nccc_url, nccc_id, nccc_certificate = the range service, when it is not\n"
		   "    the [report] hub\n",
    .per_country = true,
    .open = wallet_open,
    .close = wallet_close,
};
