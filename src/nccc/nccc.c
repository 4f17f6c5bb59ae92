/*
 * nccc.c — the national cyber coordination centre hub (DESIGN.md §2, §7): incidents
 * in, MISP and STIX feeds out. This foundation gives it its store and health.
 */
#include "nccc/nccc.h"

#include <stdlib.h>

#include "core/http_server.h"
#include "core/role.h"

struct nccc {
	struct store_pool *pool;
};

static hr_status nccc_open(const struct role_context *ctx, void **state, struct hr_error *err)
{
	struct nccc *r = calloc(1, sizeof(*r));
	hr_status rc;

	if (r == NULL)
		return HR_E_NOMEM;
	if ((rc = role_open_store(ctx, "nccc.db", NULL, 0, &r->pool, err)) != HR_OK)
		goto fail;
	*state = r;
	return HR_OK;
fail:
	free(r);
	return rc;
}

static void nccc_close(void *state)
{
	struct nccc *r = state;

	if (r == NULL)
		return;
	store_pool_free(r->pool);
	free(r);
}

const struct role_ops nccc_role = {
    .name = "nccc",
    .summary = "National cyber coordination centre hub: incidents, MISP and STIX feeds.",
    .config_help = "",
    .per_country = false,
    .open = nccc_open,
    .close = nccc_close,
};
