/*
 * status_page.h — the page at / of every role: what runs, whether it is
 * healthy, its key figures (the same counters /metrics exposes), links to its
 * own pages (the citizen wallet, the verifier), to /healthz and /metrics and
 * to the built-in docs. For a person who opens a role's URL in a browser,
 * where they used to get a JSON 404.
 */
#ifndef HROMADA_WEB_STATUS_PAGE_H
#define HROMADA_WEB_STATUS_PAGE_H

#include <stddef.h>

#include <hromada/status.h>

#include "core/buf.h"

struct http_server;

struct web_link {
	const char *href;
	const char *label;
};

/* Mounts /, /status.css and /docs/ on a role's server. links (href, label),
 * ended by {NULL, NULL}, are the role's own pages; they must outlive the
 * server (static tables). */
hr_status web_status_mount(struct http_server *server, const struct web_link *links,
			   struct hr_error *err);

/* /status.css, /favicon.svg, /favicon.ico and /docs/ alone (for a page of
 * one's own at /). */
hr_status web_status_mount_assets(struct http_server *server, struct hr_error *err);

/* The role's own pages, by role name ("wallet" -> the citizen wallet). */
const struct web_link *web_status_role_links(const char *role);

/* Appends text with &, <, >, " and ' escaped. */
hr_status web_html_escape(struct buf *out, const char *text);

/*
 * The overview of a whole `hromada up` at / of a server of its own: every
 * service with its health and figures, and the pages people use. Everything
 * it points to must outlive the server.
 */
struct web_overview_service {
	const char *name; /* "UA/wallet" */
	struct http_server *server;
};
struct web_overview {
	const char *state_dir;
	const struct web_overview_service *services;
	size_t service_count;
	const struct web_link *pages; /* ended by {NULL, NULL} */
};
hr_status web_overview_mount(struct http_server *server, const struct web_overview *overview,
			     struct hr_error *err);

/* The page's parts, shared with the overview of `hromada up`. */
void web_page_begin(struct buf *out, const char *title);
void web_page_end(struct buf *out);
/* A list of links to the built-in docs. */
void web_status_docs(struct buf *out);
/* One row per role series of a Prometheus text (names, labels and values). */
void web_status_figures(struct buf *out, const char *metrics_text);

#endif
