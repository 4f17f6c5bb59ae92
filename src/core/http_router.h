/*
 * http_router.h — maps (method, path) to a handler.
 *
 * Patterns are literal segments and {name} parameters: "/v1/documents/{type}".
 * A parameter matches one non-empty segment. Matching is exact (no prefix match,
 * no trailing-slash guessing: "/taxii2/" matches only "/taxii2/", "/a" only
 * "/a"), and literal segments win over parameters when two patterns could
 * match the same path, whatever order they were added in.
 *
 * The router is built at start-up by one thread and then only read, so lookups
 * from many server threads need no lock. It never allocates during a lookup:
 * parameter values are slices of the path being matched.
 */
#ifndef HROMADA_CORE_HTTP_ROUTER_H
#define HROMADA_CORE_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include <hromada/status.h>

#include "core/buf.h"

#define HTTP_ROUTER_MAX_PARAMS   8
#define HTTP_ROUTER_MAX_SEGMENTS 16
#define HTTP_ROUTER_MAX_PATH     2048

struct http_router;

struct http_route_param {
	const char *name;
	struct slice value; /* points into the matched path */
};

enum http_match_result {
	HTTP_MATCH_FOUND,
	HTTP_MATCH_NO_PATH,      /* 404 */
	HTTP_MATCH_WRONG_METHOD, /* 405, allow lists what would have matched */
};

struct http_match {
	enum http_match_result result;
	size_t route_index; /* FOUND: the route's index, in order of http_router_add */
	void *route_data;   /* FOUND: what http_router_add was given */
	struct http_route_param params[HTTP_ROUTER_MAX_PARAMS];
	size_t param_count;
	char allow[96]; /* WRONG_METHOD: "GET, HEAD, POST" */
};

struct http_router *http_router_new(void);
void http_router_free(struct http_router *router);

/* Adds a route. Fails (HR_E_INVALID) on a malformed pattern or a duplicate. */
hr_status http_router_add(struct http_router *router, const char *method, const char *pattern,
			  void *route_data, struct hr_error *err);
size_t http_router_count(const struct http_router *router);
const char *http_router_pattern(const struct http_router *router, size_t index);
const char *http_router_method(const struct http_router *router, size_t index);

/* A GET route also answers HEAD. */
void http_router_match(const struct http_router *router, const char *method, const char *path,
		       struct http_match *match);

/* The value of a named parameter in a match, or an empty slice. */
struct slice http_match_param(const struct http_match *match, const char *name);

#endif
