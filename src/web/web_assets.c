/*
 * web_assets.c — serving the built-in web files (see web_assets.h).
 */
#include "web/web_assets.h"

#include <stdbool.h>
#include <string.h>

#include "core/error.h"
#include "core/http_server.h"

/* From the generated table (tool/web_embed.c). */
extern const struct web_asset *web_assets_table;
extern const size_t web_assets_table_count;

#define STAGE "web"

size_t web_assets_count(void)
{
	return web_assets_table_count;
}

const struct web_asset *web_assets_at(size_t index)
{
	return index < web_assets_table_count ? &web_assets_table[index] : NULL;
}

const struct web_asset *web_assets_find(const char *path)
{
	for (size_t i = 0; i < web_assets_table_count; i++)
		if (strcmp(web_assets_table[i].path, path) == 0)
			return &web_assets_table[i];
	return NULL;
}

void web_page_headers(struct http_request *request)
{
	http_reply_header(request, "Content-Security-Policy", WEB_CONTENT_SECURITY_POLICY);
	http_reply_header(request, "Referrer-Policy", "no-referrer");
	http_reply_header(request, "Cross-Origin-Opener-Policy", "same-origin");
	http_reply_header(request, "Cross-Origin-Resource-Policy", "same-origin");
	http_reply_header(request, "Permissions-Policy",
			  "camera=(self), microphone=(), geolocation=(), payment=()");
}

void web_asset_reply(struct http_request *request, const struct web_asset *asset)
{
	const char *match = http_request_header(request, "If-None-Match");

	web_page_headers(request);
	http_reply_header(request, "ETag", asset->etag);
	/* Revalidate every time: a new build's pages replace the old at once,
	 * and the service workers keep what offline use needs. */
	http_reply_header(request, "Cache-Control", "no-cache");
	if (match != NULL && strstr(match, asset->etag) != NULL) {
		http_reply_static(request, 304, asset->content_type, "", 0);
		return;
	}
	http_reply_static(request, 200, asset->content_type, asset->data, asset->size);
}

static void handle_asset(struct http_request *request, void *context)
{
	web_asset_reply(request, context);
}

/* "/wallet" -> "/wallet/": what a person types. context is the mount's prefix. */
static void handle_redirect(struct http_request *request, void *context)
{
	http_reply_header(request, "Location", context);
	http_reply_static(request, 308, "text/plain; charset=utf-8", "", 0);
}

hr_status web_assets_mount(struct http_server *server, const char *url_prefix, const char *dir,
			   struct hr_error *err)
{
	size_t dir_len = strlen(dir), mounted = 0;
	bool has_index = false;
	char pattern[512];

	for (size_t i = 0; i < web_assets_table_count; i++) {
		const struct web_asset *a = &web_assets_table[i];
		const char *rest = a->path + dir_len;
		hr_status rc;

		if (strncmp(a->path, dir, dir_len) != 0)
			continue;
		if ((size_t)snprintf(pattern, sizeof(pattern), "%s%s", url_prefix, rest) >=
		    sizeof(pattern))
			return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "asset path too long: %s",
					    a->path);
		if ((rc = http_server_route(server, "GET", pattern, 0, handle_asset, (void *)a,
					    err)) != HR_OK)
			return rc;
		has_index = has_index || strcmp(rest, "index.html") == 0;
		if (strcmp(rest, "index.html") == 0 &&
		    (rc = http_server_route(server, "GET", url_prefix, 0, handle_asset, (void *)a,
					    err)) != HR_OK)
			return rc;
		mounted++;
	}
	if (mounted == 0)
		return hr_error_set(err, HR_E_NOT_FOUND, STAGE, "no built-in web files under %s",
				    dir);
	/* url_prefix outlives the server: callers pass string literals. */
	snprintf(pattern, sizeof(pattern), "%.*s", (int)(strlen(url_prefix) - 1), url_prefix);
	if (has_index && pattern[0] != '\0')
		return http_server_route(server, "GET", pattern, 0, handle_redirect,
					 (void *)url_prefix, err);
	return HR_OK;
}
