/*
 * role.h — the contract between a role (registry, gateway, wallet, trust, nccc)
 * and the process that hosts it (`hromada serve ROLE` runs one, `hromada up`
 * runs many in one process).
 *
 * The host loads the configuration, creates the role's HTTP server, and calls
 * open(): the role reads its own settings, opens its storage and registers its
 * routes. The host then refuses unknown settings, starts the server, and on
 * shutdown stops the server (in-flight requests finish) before calling close().
 *
 * A role never includes another role's headers: roles talk over HTTP only, as
 * they would on separate machines.
 */
#ifndef HROMADA_CORE_ROLE_H
#define HROMADA_CORE_ROLE_H

#include <stdbool.h>
#include <stddef.h>

#include <hromada/status.h>

#include "core/store.h"

struct config;
struct http_server;

struct role_context {
	struct config *config;      /* the role reads its own [section] from here */
	const char *country;        /* "UA", "PL"; empty for cross-border roles */
	const char *state_dir;      /* the role's own directory, created by the host */
	const char *name;           /* for logs: "UA/wallet", "trust" */
	struct http_server *server; /* add routes here during open() */
};

struct role_ops {
	const char *name;        /* as on the command line: "registry" */
	const char *summary;     /* one line for --help */
	const char *config_help; /* the role's own settings, for `hromada serve --help` */
	bool per_country;        /* runs once per country (needs [node] country) */
	hr_status (*open)(const struct role_context *context, void **state, struct hr_error *err);
	void (*close)(void *state);
};

/*
 * Opens the role's store from [store] url (default: sqlite:STATE_DIR/FILE) with
 * a pool of [store] pool_size connections (default 8), applies the role's migrations, and makes
 * /healthz check that the database answers. The pool belongs to the caller (store_pool_free).
 */
hr_status role_open_store(const struct role_context *context, const char *default_file,
			  const struct store_migration *migrations, size_t migration_count,
			  struct store_pool **pool, struct hr_error *err);

#endif
