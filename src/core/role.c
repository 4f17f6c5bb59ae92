/*
 * role.c — what every role does the same way: open its store from settings.
 */
#include "core/role.h"

#include <limits.h>
#include <stdio.h>

#include "core/config.h"
#include "core/error.h"
#include "core/http_server.h"

/* /healthz: the database must answer a trivial query. */
static hr_status store_health(void *context, struct hr_error *err)
{
	struct store_pool *pool = context;
	struct store *store;
	hr_status rc;

	if ((rc = store_pool_acquire(pool, 1000, &store, err)) != HR_OK)
		return rc;
	rc = store_exec(store, "SELECT 1", err);
	store_pool_release(pool, store);
	return rc;
}

hr_status role_open_store(const struct role_context *ctx, const char *default_file,
			  const struct store_migration *migrations, size_t migration_count,
			  struct store_pool **pool, struct hr_error *err)
{
	char default_url[PATH_MAX + 16];
	const char *url;
	int64_t size;
	struct store *store;
	hr_status rc;

	*pool = NULL;
	snprintf(default_url, sizeof(default_url), "sqlite:%s/%s", ctx->state_dir, default_file);
	if ((rc = config_get_str(ctx->config, "store", "url", default_url, &url, err)) != HR_OK ||
	    (rc = config_get_int(ctx->config, "store", "pool_size", 8, 1, 1024, &size, err)) !=
		HR_OK)
		return rc;
	if ((rc = store_pool_new(url, (unsigned)size, pool, err)) != HR_OK)
		return rc;
	if ((rc = store_pool_acquire(*pool, 10000, &store, err)) != HR_OK)
		goto fail;
	rc = store_migrate(store, migrations, migration_count, err);
	store_pool_release(*pool, store);
	if (rc != HR_OK)
		goto fail;
	http_server_set_health_check(ctx->server, store_health, *pool);
	return HR_OK;
fail:
	store_pool_free(*pool);
	*pool = NULL;
	return rc;
}
