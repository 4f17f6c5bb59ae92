/*
 * fuzz_http_router.c — the router sees every request path from the network.
 * Input: METHOD '\n' PATH. Invariants: no crash, parameters are slices that lie
 * inside the path, a FOUND match names a real route, a 405 has an Allow list.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http_router.h"

static struct http_router *router;

static void build_router(void)
{
	static const char *const routes[][2] = {
	    {"GET", "/healthz"},
	    {"GET", "/metrics"},
	    {"GET", "/v1/documents"},
	    {"GET", "/v1/documents/{type}"},
	    {"POST", "/v1/documents/{type}/report-lost"},
	    {"POST", "/x/{member}/{service}"},
	    {"GET", "/audit/sth"},
	    {"GET", "/a/{b}/c/{d}/e/{f}"},
	    {"DELETE", "/v1/documents/{type}"},
	    {"GET", "/"},
	};
	router = http_router_new();
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		http_router_add(router, routes[i][0], routes[i][1], (void *)(uintptr_t)(i + 1),
				NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *path;
	struct http_match m;

	if (router == NULL)
		build_router();
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	path = strchr(text, '\n');
	if (path == NULL) {
		free(text);
		return 0;
	}
	*path++ = 0;
	http_router_match(router, text, path, &m);
	if (m.result == HTTP_MATCH_FOUND) {
		assert(m.route_data != NULL);
		for (size_t i = 0; i < m.param_count; i++) {
			assert(m.params[i].value.ptr >= (const uint8_t *)path);
			assert(m.params[i].value.ptr + m.params[i].value.len <=
			       (const uint8_t *)path + strlen(path));
			assert(m.params[i].value.len > 0);
		}
	} else if (m.result == HTTP_MATCH_WRONG_METHOD) {
		assert(m.allow[0] != 0);
	}
	free(text);
	return 0;
}
