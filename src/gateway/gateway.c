/*
 * gateway.c — the data-exchange gateway (DESIGN.md §2): member directory, access
 * rights and the audit log. This foundation gives it its store, its audit
 * directory and health; the exchange itself comes with the vertical slice.
 */
#include "gateway/gateway.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/error.h"
#include "core/http_server.h"
#include "core/role.h"

struct gateway {
	struct store_pool *pool;
	char audit_dir[PATH_MAX];
};

static hr_status gateway_open(const struct role_context *ctx, void **state, struct hr_error *err)
{
	struct gateway *r = calloc(1, sizeof(*r));
	char fallback[PATH_MAX];
	const char *dir;
	hr_status rc;

	if (r == NULL)
		return HR_E_NOMEM;
	snprintf(fallback, sizeof(fallback), "%s/audit", ctx->state_dir);
	if ((rc = config_get_str(ctx->config, "gateway", "audit_dir", fallback, &dir, err)) !=
	    HR_OK)
		goto fail;
	snprintf(r->audit_dir, sizeof(r->audit_dir), "%s", dir);
	if (mkdir(r->audit_dir, 0700) != 0 && errno != EEXIST) {
		rc = hr_error_set(err, HR_E_IO, "gateway", "cannot create %s: %s", r->audit_dir,
				  strerror(errno));
		goto fail;
	}
	if ((rc = role_open_store(ctx, "gateway.db", NULL, 0, &r->pool, err)) != HR_OK)
		goto fail;
	http_server_set_health_field(ctx->server, "country", ctx->country);
	*state = r;
	return HR_OK;
fail:
	free(r);
	return rc;
}

static void gateway_close(void *state)
{
	struct gateway *r = state;

	if (r == NULL)
		return;
	store_pool_free(r->pool);
	free(r);
}

const struct role_ops gateway_role = {
    .name = "gateway",
    .summary = "X-Road-style security server: member directory, access rights, audit log.",
    .config_help = "[gateway] audit_dir = directory of the audit log (default: STATE_DIR/audit)\n",
    .per_country = true,
    .open = gateway_open,
    .close = gateway_close,
};
