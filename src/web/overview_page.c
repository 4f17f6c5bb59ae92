/*
 * overview_page.c — the page at / of `hromada up`'s overview server: one
 * table of every service of the platform with its health and figures, read
 * in-process from each server's counters, and the pages people use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/http_server.h"
#include "web/status_page.h"
#include "web/web_assets.h"

#define PAGE_LIMIT (512 * 1024)

static void service_row(struct buf *out, const struct web_overview_service *s,
			const struct http_server_status *st)
{
	buf_append_str(out, "<tr><th scope=\"row\"><a href=\"");
	web_html_escape(out, st->url);
	buf_append_str(out, "/\">");
	web_html_escape(out, s->name);
	buf_append_str(out, "</a></th><td><code>");
	web_html_escape(out, st->url);
	buf_append_str(out, "</code></td><td>");
	if (st->healthy) {
		buf_append_str(out, "<span class=\"state-text ok\">healthy</span>");
	} else {
		buf_append_str(out, "<span class=\"state-text bad\">unavailable: ");
		web_html_escape(out, st->reason);
		buf_append_str(out, "</span>");
	}
	buf_printf(out,
		   "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
		   "<td class=\"n\">%.2f</td></tr>\n",
		   (unsigned long long)st->requests, (unsigned long long)st->status_5xx,
		   st->mean_ms);
}

static void handle_overview(struct http_request *request, void *context)
{
	const struct web_overview *ov = context;
	struct http_server_status *status;
	struct buf out;
	size_t healthy = 0;

	/* once per service: a status runs the role's health check (a database ping) */
	if ((status = calloc(ov->service_count ? ov->service_count : 1, sizeof(*status))) == NULL) {
		http_reply_error(request, 503, "unavailable", "out of memory");
		return;
	}
	for (size_t i = 0; i < ov->service_count; i++) {
		http_server_status(ov->services[i].server, &status[i]);
		healthy += status[i].healthy;
	}
	buf_init(&out, PAGE_LIMIT);
	web_page_begin(&out, "Hromada is up");
	buf_printf(&out, "<p class=\"state %s\">%zu of %zu services healthy</p>\n",
		   healthy == ov->service_count ? "ok" : "bad", healthy, ov->service_count);
	buf_append_str(&out, "<p>State directory: <code>");
	web_html_escape(&out, ov->state_dir);
	buf_append_str(&out, "</code> (endpoints.json, demo.json with people to try, "
			     "outbox/ with enrolment codes).</p>\n<h2>Pages for people</h2>\n"
			     "<ul class=\"links\">\n");
	for (const struct web_link *l = ov->pages; l->href != NULL; l++) {
		buf_append_str(&out, "<li><a href=\"");
		web_html_escape(&out, l->href);
		buf_append_str(&out, "\">");
		web_html_escape(&out, l->label);
		buf_append_str(&out, "</a></li>\n");
	}
	buf_append_str(&out, "</ul>\n<h2>Services</h2>\n<table><thead><tr>"
			     "<th scope=\"col\">Service</th><th scope=\"col\">URL</th>"
			     "<th scope=\"col\">State</th><th scope=\"col\">Requests</th>"
			     "<th scope=\"col\">5xx</th><th scope=\"col\">Mean ms</th>"
			     "</tr></thead><tbody>\n");
	for (size_t i = 0; i < ov->service_count; i++)
		service_row(&out, &ov->services[i], &status[i]);
	buf_append_str(&out, "</tbody></table>\n<h2>Documentation</h2>\n");
	web_status_docs(&out);
	web_page_end(&out);
	free(status);
	if (out.error != HR_OK) {
		buf_clear(&out);
		http_reply_error(request, 500, "internal", "overview page too large");
		return;
	}
	web_page_headers(request);
	http_reply_bytes(request, 200, "text/html; charset=utf-8", out.data, out.len);
	buf_clear(&out);
}

hr_status web_overview_mount(struct http_server *server, const struct web_overview *overview,
			     struct hr_error *err)
{
	hr_status rc;

	if ((rc = http_server_route(server, "GET", "/", 0, handle_overview, (void *)overview,
				    err)) != HR_OK)
		return rc;
	return web_status_mount_assets(server, err);
}
