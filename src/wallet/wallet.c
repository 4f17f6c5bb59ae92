/*
 * wallet.c — the citizen wallet (DESIGN.md §2). It will hold enrolments only, never
 * personal data. This foundation gives it its store and health.
 */
#include "wallet/wallet.h"

#include <stdlib.h>

#include "core/http_server.h"
#include "core/role.h"

struct wallet {
	struct store_pool *pool;
};

static hr_status wallet_open(const struct role_context *ctx, void **state, struct hr_error *err)
{
	struct wallet *r = calloc(1, sizeof(*r));
	hr_status rc;

	if (r == NULL)
		return HR_E_NOMEM;
	if ((rc = role_open_store(ctx, "wallet.db", NULL, 0, &r->pool, err)) != HR_OK)
		goto fail;
	http_server_set_health_field(ctx->server, "country", ctx->country);
	*state = r;
	return HR_OK;
fail:
	free(r);
	return rc;
}

static void wallet_close(void *state)
{
	struct wallet *r = state;

	if (r == NULL)
		return;
	store_pool_free(r->pool);
	free(r);
}

const struct role_ops wallet_role = {
    .name = "wallet",
    .summary = "The citizen wallet API: enrolment, documents fetched live, QR credentials.",
    .config_help = "",
    .per_country = true,
    .open = wallet_open,
    .close = wallet_close,
};
