/*
 * http_router.c — a flat list of routes, each a pre-split pattern. With the
 * handful of routes a role has, a linear scan beats any tree and is obviously
 * correct; the specificity rule (literals beat parameters) is a score compared
 * across all candidates, so registration order never matters.
 */
#include "core/http_router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define STAGE "router"

struct segment {
	char *text; /* literal text, or the parameter name */
	bool is_param;
};

/* Strings are heap copies: their addresses must survive the routes array growing,
 * because metrics labels point at them. */
struct route {
	char *method;
	char *pattern;
	struct segment segments[HTTP_ROUTER_MAX_SEGMENTS];
	size_t segment_count;
	size_t param_count;
	bool trailing_slash; /* "/taxii2/": matches only with the slash */
	void *data;
};

struct http_router {
	struct route *routes;
	size_t count;
	size_t cap;
};

struct http_router *http_router_new(void)
{
	return calloc(1, sizeof(struct http_router));
}

static void route_clear(struct route *r)
{
	for (size_t i = 0; i < r->segment_count; i++)
		free(r->segments[i].text);
	free(r->pattern);
	free(r->method);
}

void http_router_free(struct http_router *router)
{
	if (router == NULL)
		return;
	for (size_t i = 0; i < router->count; i++)
		route_clear(&router->routes[i]);
	free(router->routes);
	free(router);
}

/* Splits "/a/{b}/c" into segments. The root "/" has no segments. */
static hr_status parse_pattern(struct route *r, const char *pattern, struct hr_error *err)
{
	const char *p = pattern;

	if (pattern[0] != '/')
		return hr_error_set(err, HR_E_INVALID, STAGE, "pattern '%s' must start with '/'",
				    pattern);
	p++;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct segment *s;

		if (len == 0)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "pattern '%s' has an empty segment", pattern);
		if (r->segment_count == HTTP_ROUTER_MAX_SEGMENTS)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "pattern '%s' has too many segments", pattern);
		s = &r->segments[r->segment_count];
		if (p[0] == '{') {
			if (len < 3 || p[len - 1] != '}' || memchr(p + 1, '{', len - 2) ||
			    memchr(p + 1, '}', len - 2))
				return hr_error_set(err, HR_E_INVALID, STAGE,
						    "pattern '%s': bad parameter", pattern);
			for (size_t i = 0; i < r->segment_count; i++) {
				if (r->segments[i].is_param &&
				    strlen(r->segments[i].text) == len - 2 &&
				    memcmp(r->segments[i].text, p + 1, len - 2) == 0)
					return hr_error_set(err, HR_E_INVALID, STAGE,
							    "pattern '%s': parameter named twice",
							    pattern);
			}
			if (r->param_count == HTTP_ROUTER_MAX_PARAMS)
				return hr_error_set(err, HR_E_INVALID, STAGE,
						    "pattern '%s' has too many parameters",
						    pattern);
			s->is_param = true;
			s->text = strndup(p + 1, len - 2);
			r->param_count++;
		} else {
			if (memchr(p, '{', len) || memchr(p, '}', len))
				return hr_error_set(err, HR_E_INVALID, STAGE,
						    "pattern '%s': braces inside a segment",
						    pattern);
			s->is_param = false;
			s->text = strndup(p, len);
		}
		if (s->text == NULL)
			return HR_E_NOMEM;
		r->segment_count++;
		if (end == NULL)
			break;
		p = end + 1;
		if (*p == 0) /* a trailing slash is part of the pattern (TAXII 2.1's URLs) */
			r->trailing_slash = true;
	}
	return HR_OK;
}

static bool same_shape(const struct route *a, const struct route *b)
{
	if (a->segment_count != b->segment_count || a->trailing_slash != b->trailing_slash)
		return false;
	for (size_t i = 0; i < a->segment_count; i++) {
		if (a->segments[i].is_param != b->segments[i].is_param)
			return false;
		if (!a->segments[i].is_param && strcmp(a->segments[i].text, b->segments[i].text))
			return false;
	}
	return true;
}

hr_status http_router_add(struct http_router *router, const char *method, const char *pattern,
			  void *route_data, struct hr_error *err)
{
	struct route r;
	hr_status rc;

	memset(&r, 0, sizeof(r));
	if (strlen(method) == 0 || strlen(method) > 16)
		return hr_error_set(err, HR_E_INVALID, STAGE, "bad method '%s'", method);
	if ((rc = parse_pattern(&r, pattern, err)) != HR_OK)
		goto fail;
	for (size_t i = 0; i < router->count; i++) {
		if (strcmp(router->routes[i].method, method) == 0 &&
		    same_shape(&router->routes[i], &r)) {
			rc = hr_error_set(err, HR_E_INVALID, STAGE, "%s %s duplicates %s", method,
					  pattern, router->routes[i].pattern);
			goto fail;
		}
	}
	if (router->count == router->cap) {
		size_t cap = router->cap ? router->cap * 2 : 8;
		struct route *n = realloc(router->routes, cap * sizeof(*n));
		if (n == NULL) {
			rc = HR_E_NOMEM;
			goto fail;
		}
		router->routes = n;
		router->cap = cap;
	}
	r.method = strdup(method);
	r.pattern = strdup(pattern);
	if (r.method == NULL || r.pattern == NULL) {
		rc = HR_E_NOMEM;
		goto fail;
	}
	r.data = route_data;
	router->routes[router->count++] = r;
	return HR_OK;
fail:
	route_clear(&r);
	return rc;
}

size_t http_router_count(const struct http_router *router)
{
	return router->count;
}

const char *http_router_pattern(const struct http_router *router, size_t index)
{
	return router->routes[index].pattern;
}

const char *http_router_method(const struct http_router *router, size_t index)
{
	return router->routes[index].method;
}

/*
 * Matches the path against one route's segments. The score has one bit per
 * segment position, set for literal segments, most significant first: the
 * highest score is the most specific route.
 */
static bool match_route(const struct route *r, const char *path, struct slice *params,
			unsigned *score)
{
	const char *p = path + 1;
	size_t seg = 0, np = 0;

	*score = 0;
	if (path[0] != '/')
		return false;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const struct segment *s;

		if (seg == r->segment_count || len == 0)
			return false;
		s = &r->segments[seg];
		if (s->is_param) {
			params[np++] = slice_make(p, len);
		} else {
			if (strlen(s->text) != len || memcmp(s->text, p, len) != 0)
				return false;
			*score |= 1u << (HTTP_ROUTER_MAX_SEGMENTS - 1 - seg);
		}
		seg++;
		if (end == NULL)
			break;
		p = end + 1;
		if (*p == 0) /* a trailing slash: only where the pattern has one */
			return r->trailing_slash && seg == r->segment_count;
	}
	return !r->trailing_slash && seg == r->segment_count;
}

static bool method_matches(const char *route_method, const char *method)
{
	if (strcmp(route_method, method) == 0)
		return true;
	return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

/* Methods allowed on a path, without duplicates, for the Allow header of a 405. */
struct allow_set {
	const char *methods[HTTP_ROUTER_MAX_PARAMS * 2];
	size_t count;
};

static void allow_add(struct allow_set *set, const char *method)
{
	for (size_t i = 0; i < set->count; i++) {
		if (strcmp(set->methods[i], method) == 0)
			return;
	}
	if (set->count < sizeof(set->methods) / sizeof(set->methods[0]))
		set->methods[set->count++] = method;
}

static void allow_join(const struct allow_set *set, char *out, size_t size)
{
	size_t used = 0;

	out[0] = 0;
	for (size_t i = 0; i < set->count; i++) {
		int n = snprintf(out + used, size - used, "%s%s", i ? ", " : "", set->methods[i]);
		if (n < 0 || (size_t)n >= size - used) {
			out[used] = 0; /* drop the method snprintf cut, never list half a name */
			break;
		}
		used += (size_t)n;
	}
}

void http_router_match(const struct http_router *router, const char *method, const char *path,
		       struct http_match *match)
{
	struct slice params[HTTP_ROUTER_MAX_PARAMS];
	unsigned best_score = 0;
	const struct route *best = NULL;
	bool best_exact = false;
	struct allow_set allow = {{NULL}, 0};
	bool path_seen = false;

	memset(match, 0, sizeof(*match));
	match->result = HTTP_MATCH_NO_PATH;
	if (strnlen(path, HTTP_ROUTER_MAX_PATH + 1) > HTTP_ROUTER_MAX_PATH)
		return;
	for (size_t i = 0; i < router->count; i++) {
		const struct route *r = &router->routes[i];
		unsigned score;
		bool exact;

		if (!match_route(r, path, params, &score))
			continue;
		path_seen = true;
		if (!method_matches(r->method, method)) {
			allow_add(&allow, r->method);
			if (strcmp(r->method, "GET") == 0)
				allow_add(&allow, "HEAD");
			continue;
		}
		/* on equal specificity, a route for this very method beats a GET
		 * answering HEAD, whatever the order of registration */
		exact = strcmp(r->method, method) == 0;
		if (best == NULL || score > best_score ||
		    (score == best_score && exact && !best_exact)) {
			best = r;
			best_score = score;
			best_exact = exact;
		}
	}
	if (best == NULL) {
		match->result = path_seen ? HTTP_MATCH_WRONG_METHOD : HTTP_MATCH_NO_PATH;
		allow_join(&allow, match->allow, sizeof(match->allow));
		return;
	}
	/* Re-run the winner to fill its parameters (the scan overwrote them). */
	match_route(best, path, params, &best_score);
	match->result = HTTP_MATCH_FOUND;
	match->route_index = (size_t)(best - router->routes);
	match->route_data = best->data;
	match->param_count = 0;
	for (size_t s = 0, np = 0; s < best->segment_count; s++) {
		if (!best->segments[s].is_param)
			continue;
		match->params[np].name = best->segments[s].text;
		match->params[np].value = params[np];
		np++;
		match->param_count = np;
	}
}

struct slice http_match_param(const struct http_match *match, const char *name)
{
	for (size_t i = 0; i < match->param_count; i++) {
		if (strcmp(match->params[i].name, name) == 0)
			return match->params[i].value;
	}
	return slice_make(NULL, 0);
}
