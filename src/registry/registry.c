/*
 * registry.c — the records of one document type (DESIGN.md §2). This foundation gives it its
 * store and health; records, lookups and gateway-only access come with the
 * vertical slice.
 */
#include "registry/registry.h"

#include <stdlib.h>

#include "core/config.h"
#include "core/documents.h"
#include "core/http_server.h"
#include "core/role.h"

struct registry {
	struct store_pool *pool;
	int document_type; /* index into document_types */
};

static hr_status registry_open(const struct role_context *ctx, void **state, struct hr_error *err)
{
	struct registry *r = calloc(1, sizeof(*r));
	hr_status rc;

	if (r == NULL)
		return HR_E_NOMEM;
	if ((rc = config_get_choice(ctx->config, "registry", "document_type", NULL, document_types,
				    &r->document_type, err)) != HR_OK)
		goto fail;
	if ((rc = role_open_store(ctx, "registry.db", NULL, 0, &r->pool, err)) != HR_OK)
		goto fail;
	http_server_set_health_field(ctx->server, "country", ctx->country);
	http_server_set_health_field(ctx->server, "document_type",
				     document_types[r->document_type]);
	*state = r;
	return HR_OK;
fail:
	free(r);
	return rc;
}

static void registry_close(void *state)
{
	struct registry *r = state;

	if (r == NULL)
		return;
	store_pool_free(r->pool);
	free(r);
}

const struct role_ops registry_role = {
    .name = "registry",
    .summary = "Authoritative records of one document type; answers the gateway only.",
    .config_help =
	"[registry] document_type = one of id_card, foreign_passport, driver_licence,\n            "
	"               vehicle_registration, residence_permit, vaccination,\n                     "
	"      student_card, military_record (required)\n",
    .per_country = true,
    .open = registry_open,
    .close = registry_close,
};
