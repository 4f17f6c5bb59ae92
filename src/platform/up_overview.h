/*
 * up_overview.h — `hromada up`'s overview: a small server of its own (port
 * base + 2) whose page at / shows every service of the platform, its health
 * and figures, and links to the citizen wallets and the verifier page.
 */
#ifndef HROMADA_PLATFORM_UP_OVERVIEW_H
#define HROMADA_PLATFORM_UP_OVERVIEW_H

#include <stddef.h>

#include <hromada/status.h>

struct role_host;
struct up_overview;

/* Where it listens, from `up --port-base N`: between nccc (N+1) and the
 * first country (N+10). */
#define UP_OVERVIEW_PORT_OFFSET 2

struct up_overview_country {
	const char *country;    /* "UA" */
	const char *wallet_url; /* the country's wallet role */
};

/* hosts and the strings given must outlive the overview. port 0: any free. */
hr_status up_overview_start(const char *state_dir, unsigned port, struct role_host *const *hosts,
			    size_t host_count, const char *trust_url,
			    const struct up_overview_country *countries, size_t country_count,
			    struct up_overview **out, struct hr_error *err);
const char *up_overview_url(const struct up_overview *overview);
/* Stops the server and frees; NULL is fine. */
void up_overview_stop(struct up_overview *overview);

#endif
