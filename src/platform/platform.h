/*
 * platform.h — running roles: one (`hromada serve`) or a whole platform of one
 * or two countries in one process (`hromada up`).
 *
 * This is the only layer that knows every role; roles themselves only know
 * core. The CLI parses arguments and calls in here.
 */
#ifndef HROMADA_PLATFORM_H
#define HROMADA_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/role.h"

struct config;

/* Every role, in the order --help lists them; NULL-terminated. */
extern const struct role_ops *const platform_roles[];
const struct role_ops *platform_role_find(const char *name);

/* --- one role ------------------------------------------------------------ */

/*
 * A running role: its HTTP server and its state. Settings come from cfg:
 *	[node]   role, country, state_dir, name
 *	[server] see http_server_options_from_config
 *	[ROLE]   the role's own, see its config_help
 * Unknown settings are an error. The host does not take ownership of cfg.
 */
struct role_host;

hr_status role_host_start(struct config *cfg, const char *role_name, struct role_host **out,
			  struct hr_error *err);
const char *role_host_url(const struct role_host *host);
const char *role_host_name(const struct role_host *host);
/* The role's server (for the overview page of `up`, which reads its figures). */
struct http_server *role_host_server(const struct role_host *host);
/* Stops accepting connections (first step of a coordinated shutdown). */
void role_host_quiesce(struct role_host *host);
/* Finishes in-flight requests, stops the server, closes the role, frees. */
void role_host_stop(struct role_host *host);

/* --- the whole platform ---------------------------------------------------- */

/* Enrolments a client address may start an hour at an `up` wallet: on one
 * machine every device is 127.0.0.1, so the wallet's default (30) is raised
 * to what a demo, the tests and the benchmark need, still a bound. */
#define PLATFORM_UP_ENROL_STARTS_PER_CLIENT_HOUR 500

struct platform_up_options {
	const char *state_dir;        /* default ./hromada-state */
	const char *countries;        /* "UA,PL" */
	unsigned port_base;           /* 0 = any free ports */
	const char *const *overrides; /* "section.key=value" applied to every role */
	int override_count;
	bool print_guide; /* print URLs and a "try it" guide on stdout */
	/* The quiet console (no log level chosen): one plain line per step on
	 * stderr, and the roles' hromada.ini name no log level (a role served
	 * alone from it logs at serve's default, info). */
	bool progress;
	/* The synthetic population each country's registries hold (population.h):
	 * people per country (0 = POPULATION_DEFAULT_PEOPLE) and the seed. */
	uint64_t population;
	uint64_t seed;
	/* Where the registries keep their records: NULL for SQLite files under
	 * each registry's directory, or a store URL in which "{country}" and
	 * "{type}" name the registry, e.g.
	 * "postgresql:///hromada?host=/run/pg&schema=registry_{country}_{type}". */
	const char *registry_store;
};

/*
 * Starts every role, waits until every /healthz answers 200, writes
 * STATE/endpoints.json, then blocks until SIGINT or SIGTERM (which the caller
 * must have blocked in every thread, see signals_block_stop) and stops
 * everything. HR_OK on a clean stop.
 */
hr_status platform_up(const struct platform_up_options *options, struct hr_error *err);

/* mkdir -p; HR_E_IO naming the path on failure. */
hr_status platform_make_dirs(const char *path, struct hr_error *err);

#endif
