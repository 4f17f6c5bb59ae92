/*
 * trust.c — the trust gateway (DESIGN.md §2): countries upload their signers,
 * verifiers download the signed list. This foundation gives it its store and
 * health.
 */
#include "trust/trust.h"

#include <stdlib.h>

#include "core/http_server.h"
#include "core/role.h"

struct trust {
	struct store_pool *pool;
};

static hr_status trust_open(const struct role_context *ctx, void **state, struct hr_error *err)
{
	struct trust *r = calloc(1, sizeof(*r));
	hr_status rc;

	if (r == NULL)
		return HR_E_NOMEM;
	if ((rc = role_open_store(ctx, "trust.db", NULL, 0, &r->pool, err)) != HR_OK)
		goto fail;
	*state = r;
	return HR_OK;
fail:
	free(r);
	return rc;
}

static void trust_close(void *state)
{
	struct trust *r = state;

	if (r == NULL)
		return;
	store_pool_free(r->pool);
	free(r);
}

const struct role_ops trust_role = {
    .name = "trust",
    .summary = "Cross-border trust list of every country's document signers.",
    .config_help = "",
    .per_country = false,
    .open = trust_open,
    .close = trust_close,
};
