/*
 * trust.c — the cross-border trust service (DESIGN.md §2, §5), modelled on the
 * EU DCC Gateway and WHO's GDHCN: countries onboarded out of band upload their
 * document signers and their members' certificates in signed batches; the
 * service checks every certificate against the uploading country's root and
 * publishes one aggregated list, signed with its own key, that verifiers pin
 * and gateways federate through (docs/TRUST_LIST.md).
 *
 *	POST /v1/signers      a country's signed upload (trust_uploads.c)
 *	GET  /v1/trust-list   the newest signed list (trust_publish.c)
 *	GET  /verify/anchor.json  the list signer's certificate, for the verifier
 *	                      page to pin (trust_anchor.c)
 *	GET  /verify/, /common/   the verifier page (web/verify/, docs/WEB.md)
 */
#include "trust/trust.h"

#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "core/http_server.h"
#include "core/log.h"
#include "core/role.h"
#include "credential/signer.h"
#include "trust/trust_internal.h"
#include "web/web_assets.h"

#define STAGE "trust"

static void trust_close(void *state);

static hr_status read_settings(const struct role_context *ctx, struct trust *t,
			       struct hr_error *err)
{
	const char *key, *cert, *countries;
	hr_status rc;

	if ((rc = config_get_str(ctx->config, "trust", "key", NULL, &key, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "trust", "certificate", NULL, &cert, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "trust", "countries_dir", NULL, &countries, err)) !=
		HR_OK ||
	    (rc = config_get_int(ctx->config, "trust", "list_validity_s", 86400, 2, 30 * 86400,
				 &t->list_validity_s, err)) != HR_OK)
		return rc;
	if (key == NULL || cert == NULL || countries == NULL)
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[trust] needs key, certificate (the trust-list signer) and "
				    "countries_dir (the onboarded countries)");
	if ((rc = signer_open_files(key, cert, &t->list_signer, err)) != HR_OK ||
	    (rc = trust_countries_load(t, countries, err)) != HR_OK)
		return rc;
	return HR_OK;
}

static hr_status trust_open(const struct role_context *ctx, void **state, struct hr_error *err)
{
	struct trust *t = calloc(1, sizeof(*t));
	hr_status rc;

	if (t == NULL)
		return HR_E_NOMEM;
	pthread_mutex_init(&t->lock, NULL);
	pthread_mutex_init(&t->publish_lock, NULL);
	buf_init(&t->cache.body, 1);
	if ((rc = read_settings(ctx, t, err)) != HR_OK ||
	    (rc = role_open_store(ctx, "trust.db", trust_migrations, trust_migration_count,
				  &t->pool, err)) != HR_OK ||
	    (rc = trust_publish_if_due(t, err)) != HR_OK)
		goto fail;
	if ((rc = http_server_route(ctx->server, "POST", "/v1/signers", HTTP_ROUTE_JSON_BODY,
				    trust_handle_upload, t, err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "GET", "/v1/trust-list", 0, trust_handle_list, t,
				    err)) != HR_OK ||
	    (rc = http_server_route(ctx->server, "GET", "/verify/anchor.json", 0,
				    trust_handle_anchor, t, err)) != HR_OK ||
	    (rc = web_assets_mount(ctx->server, "/verify/", "verify/", err)) != HR_OK ||
	    (rc = web_assets_mount(ctx->server, "/common/", "common/", err)) != HR_OK)
		goto fail;
	log_info("trust.open", "%d countries onboarded; list sequence %lld", t->country_count,
		 (long long)t->cache.sequence);
	*state = t;
	return HR_OK;
fail:
	trust_close(t);
	return rc;
}

static void trust_close(void *state)
{
	struct trust *t = state;

	if (t == NULL)
		return;
	store_pool_free(t->pool);
	signer_free(t->list_signer);
	trust_countries_clear(t);
	trust_list_cache_clear(&t->cache);
	pthread_mutex_destroy(&t->lock);
	pthread_mutex_destroy(&t->publish_lock);
	free(t);
}

const struct role_ops trust_role = {
    .name = "trust",
    .summary = "Cross-border trust list of every country's document signers and members.",
    .config_help =
	"[trust] key, certificate = PEM files of the trust-list signer (required;\n"
	"    `hromada keys --trust-signer` makes one; verifiers pin its certificate)\n"
	"  countries_dir = the onboarded countries, one folder each: CC/upload.pem (the\n"
	"    country's upload key) and CC/root.pem (its country signing CA) (required)\n"
	"  list_validity_s = next_update - issued_at of a list (default 86400); a list\n"
	"    is signed again when half of it has passed\n"
	"  A country's upload of many signers needs [server] max_body_bytes above\n"
	"  the default (up sets 24 MiB).\n",
    .per_country = false,
    .open = trust_open,
    .close = trust_close,
};
