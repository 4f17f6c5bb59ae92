/*
 * federation.h — the other countries' gateways and members, as the trust
 * service publishes them (docs/EXCHANGE.md "Federation"), the way two X-Road
 * instances federate through each other's global configuration.
 *
 * The gateway fetches the signed trust list from [gateway] trust_url, checks it
 * under the pinned anchor ([gateway] trust_anchor: the trust service's
 * certificate), refuses one older than the one it holds, and keeps the members
 * of every country but its own (its own come from its directory). A view of
 * them is shared, reference-counted, for the length of a request; a refresh
 * replaces the view without disturbing requests that hold the old one.
 *
 * Refreshes: when the view is older than FEDERATION_REFRESH_S, and when a
 * request names a foreign member or gateway the view lacks (at most once per
 * FEDERATION_MISS_INTERVAL_S, so unknown ids cannot make the gateway flood the
 * trust service). A view past its list's next_update + FEDERATION_GRACE_S is
 * not used: no foreign member is trusted on a stale list.
 */
#ifndef HROMADA_EXCHANGE_FEDERATION_H
#define HROMADA_EXCHANGE_FEDERATION_H

#include <stdint.h>

#include <hromada/status.h>

#include "exchange/directory.h"

#define FEDERATION_REFRESH_S       300
#define FEDERATION_MISS_INTERVAL_S 5
#define FEDERATION_GRACE_S         3600

struct federation;
struct federation_view;

/* own_country: the members the directory already has (never taken from the list). */
hr_status federation_new(const char *trust_url, const char *anchor_path, const char *own_country,
			 struct federation **out, struct hr_error *err);
void federation_free(struct federation *federation);

/* The current view, fetching the list first when it is due; NULL when no
 * usable list could be had. Release every view acquired. */
struct federation_view *federation_acquire(struct federation *federation);
/* The same after a miss: fetches first unless one was tried within
 * FEDERATION_MISS_INTERVAL_S. */
struct federation_view *federation_acquire_fresh(struct federation *federation);
void federation_release(struct federation *federation, struct federation_view *view);

/* A foreign member by id, NULL when unknown (view may be NULL). */
const struct member *federation_member(const struct federation_view *view, const char *id);
/* The gateway a country published (its url is where to forward), or NULL. */
const struct member *federation_gateway(const struct federation_view *view, const char *country);

#endif
