/*
 * web_assets.h — the web pages' static files, built into the binary.
 *
 * Every file under web/common, web/wallet and web/verify (and the two npm
 * packages the pages embed, under web/common/vendor/) is turned into a C array
 * at build time by web/tool/web_embed.c, so a role serves its pages without
 * reading the disk and an operator cannot forget to deploy them. A path is
 * relative to web/: "wallet/index.html", "common/vendor/jsQR.js".
 *
 * Served with one strict set of headers (web_asset_reply): a Content-Security-
 * Policy that allows only this origin's scripts, styles, images and fetches
 * (no inline script or style, no third party, no framing), nosniff, no
 * referrer, and an ETag with "no-cache" so a browser revalidates and a
 * service worker can keep the page for offline use.
 */
#ifndef HROMADA_WEB_WEB_ASSETS_H
#define HROMADA_WEB_WEB_ASSETS_H

#include <stddef.h>

#include <hromada/status.h>

struct http_server;
struct http_request;

struct web_asset {
	const char *path;         /* relative to web/, e.g. "wallet/index.html" */
	const char *content_type; /* from the file's extension */
	const unsigned char *data;
	size_t size;
	const char *etag; /* quoted, from the content */
};

/* The Content-Security-Policy every page is served with. */
#define WEB_CONTENT_SECURITY_POLICY                                                                \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "    \
	"connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; "     \
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

size_t web_assets_count(void);
const struct web_asset *web_assets_at(size_t index);
/* The asset at a path relative to web/, or NULL. */
const struct web_asset *web_assets_find(const char *path);

/*
 * Registers a GET route under url_prefix for every asset in dir (both end in
 * '/': "/wallet/", "wallet/"); the directory's index.html also answers at
 * url_prefix itself, and url_prefix without its '/' redirects there (308).
 * url_prefix must outlive the server (a string literal). Fails (HR_E_NOT_FOUND) when dir holds no
 * asset.
 */
hr_status web_assets_mount(struct http_server *server, const char *url_prefix, const char *dir,
			   struct hr_error *err);

/* Answers with the asset (200, or 304 when If-None-Match names its ETag). */
void web_asset_reply(struct http_request *request, const struct web_asset *asset);
/* The page headers (CSP and the rest) for a page a handler makes itself. */
void web_page_headers(struct http_request *request);

#endif
