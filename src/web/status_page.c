/*
 * status_page.c — the page at / of every role (see status_page.h).
 *
 * Built on each request from the server's live counters; no script, so the
 * strict page policy holds and the page works in any browser or curl.
 */
#include "web/status_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/http_server.h"
#include "web/web_assets.h"

#define PAGE_LIMIT    (512 * 1024)
#define FIGURES_LIMIT 40

static const struct web_link wallet_links[] = {
    {"/wallet/", "Citizen wallet: enrol, documents, QR codes, who looked at my data"},
    {NULL, NULL}};
static const struct web_link trust_links[] = {
    {"/verify/", "Verifier: check a QR code, offline, against the trust list"},
    {"/v1/trust-list", "The signed trust list (JWS)"},
    {NULL, NULL}};
static const struct web_link no_links[] = {{NULL, NULL}};

const struct web_link *web_status_role_links(const char *role)
{
	if (strcmp(role, "wallet") == 0)
		return wallet_links;
	if (strcmp(role, "trust") == 0)
		return trust_links;
	return no_links;
}

hr_status web_html_escape(struct buf *out, const char *text)
{
	for (const char *p = text; *p; p++) {
		switch (*p) {
		case '&':
			buf_append_str(out, "&amp;");
			break;
		case '<':
			buf_append_str(out, "&lt;");
			break;
		case '>':
			buf_append_str(out, "&gt;");
			break;
		case '"':
			buf_append_str(out, "&quot;");
			break;
		case '\'':
			buf_append_str(out, "&#39;");
			break;
		default:
			buf_append_byte(out, (uint8_t)*p);
		}
	}
	return out->error;
}

void web_page_begin(struct buf *out, const char *title)
{
	buf_append_str(out,
		       "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		       "<title>");
	web_html_escape(out, title);
	buf_append_str(out, "</title><link rel=\"icon\" href=\"/favicon.svg\">"
			    "<link rel=\"stylesheet\" href=\"/status.css\"></head>\n"
			    "<body><main>\n<h1>");
	web_html_escape(out, title);
	buf_append_str(out, "</h1>\n");
}

void web_page_end(struct buf *out)
{
	buf_append_str(out, "</main></body></html>\n");
}

static void row_number(struct buf *out, const char *label, const char *fmt, double value)
{
	char text[64];

	snprintf(text, sizeof(text), fmt, value);
	buf_append_str(out, "<tr><th scope=\"row\">");
	web_html_escape(out, label);
	buf_printf(out, "</th><td class=\"n\">%s</td></tr>\n", text);
}

static void uptime_text(double s, char *out, size_t size)
{
	unsigned long t = (unsigned long)s;

	if (t >= 86400)
		snprintf(out, size, "%lu d %lu h", t / 86400, t % 86400 / 3600);
	else if (t >= 3600)
		snprintf(out, size, "%lu h %lu min", t / 3600, t % 3600 / 60);
	else
		snprintf(out, size, "%lu min %lu s", t / 60, t % 60);
}

void web_status_figures(struct buf *out, const char *text)
{
	unsigned shown = 0;
	const char *line = text;

	buf_append_str(out, "<table><thead><tr><th scope=\"col\">Series</th>"
			    "<th scope=\"col\">Value</th></tr></thead><tbody>\n");
	while (line != NULL && *line && shown < FIGURES_LIMIT) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *space = NULL;
		char name[256], value[64];

		/* the value follows the last space: label values may hold spaces */
		for (size_t i = len; i > 0 && space == NULL; i--)
			if (line[i - 1] == ' ')
				space = line + i - 1;

		if (line[0] != '#' && space != NULL && (size_t)(space - line) < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)(space - line), line);
			snprintf(value, sizeof(value), "%.*s",
				 (int)(len - (size_t)(space - line) - 1), space + 1);
			buf_append_str(out, "<tr><td><code>");
			web_html_escape(out, name);
			buf_append_str(out, "</code></td><td class=\"n\">");
			web_html_escape(out, value);
			buf_append_str(out, "</td></tr>\n");
			shown++;
		}
		line = end ? end + 1 : NULL;
	}
	if (shown == 0)
		buf_append_str(
		    out, "<tr><td colspan=\"2\" class=\"muted\">This role keeps no series "
			 "of its own; see /metrics for HTTP and process figures.</td></tr>\n");
	buf_append_str(out, "</tbody></table>\n");
}

void web_status_docs(struct buf *out)
{
	buf_append_str(out, "<ul class=\"links\">\n");
	for (size_t i = 0; i < web_assets_count(); i++) {
		const struct web_asset *a = web_assets_at(i);
		if (strncmp(a->path, "docs/", 5) != 0)
			continue;
		buf_append_str(out, "<li><a href=\"/");
		web_html_escape(out, a->path);
		buf_append_str(out, "\">");
		web_html_escape(out, a->path + 5);
		buf_append_str(out, "</a></li>\n");
	}
	buf_append_str(out, "</ul>\n");
}

static void handle_status(struct http_request *request, void *context)
{
	const struct web_link *links = context;
	struct http_server *server = http_request_server(request);
	struct http_server_status st;
	struct buf out, figures;
	char uptime[48];

	http_server_status(server, &st);
	uptime_text(st.uptime_s, uptime, sizeof(uptime));
	buf_init(&out, PAGE_LIMIT);
	buf_init(&figures, PAGE_LIMIT / 2);
	web_page_begin(&out, st.name[0] ? st.name : "Hromada");
	buf_append_str(&out, "<p>A Hromada service. ");
	buf_printf(&out, "Up %s at <code>", uptime);
	web_html_escape(&out, st.url);
	buf_append_str(&out, "</code>.</p>\n");
	if (st.healthy) {
		buf_append_str(&out, "<p class=\"state ok\">Healthy</p>\n");
	} else {
		buf_append_str(&out, "<p class=\"state bad\">Unavailable: ");
		web_html_escape(&out, st.reason);
		buf_append_str(&out, "</p>\n");
	}
	if (links[0].href != NULL) {
		buf_append_str(&out, "<h2>Pages</h2>\n<ul class=\"links\">\n");
		for (const struct web_link *l = links; l->href != NULL; l++) {
			buf_append_str(&out, "<li><a href=\"");
			web_html_escape(&out, l->href);
			buf_append_str(&out, "\">");
			web_html_escape(&out, l->label);
			buf_append_str(&out, "</a></li>\n");
		}
		buf_append_str(&out, "</ul>\n");
	}
	buf_append_str(&out, "<h2>Requests</h2>\n<table><tbody>\n");
	row_number(&out, "Answered", "%.0f", (double)st.requests);
	row_number(&out, "Successful (2xx)", "%.0f", (double)st.status_2xx);
	row_number(&out, "Refused (4xx)", "%.0f", (double)st.status_4xx);
	row_number(&out, "Failed (5xx)", "%.0f", (double)st.status_5xx);
	row_number(&out, "Mean time, ms", "%.2f", st.mean_ms);
	row_number(&out, "In flight now", "%.0f", (double)st.in_flight);
	row_number(&out, "Header timeouts", "%.0f", (double)st.header_timeouts);
	buf_append_str(&out, "</tbody></table>\n<h2>This role's figures</h2>\n");
	http_server_role_metrics(server, &figures);
	web_status_figures(&out, figures.error == HR_OK ? buf_str(&figures) : "");
	buf_clear(&figures);
	buf_append_str(&out, "<h2>For machines</h2>\n<ul class=\"links\">"
			     "<li><a href=\"/healthz\">/healthz</a>: health as JSON</li>"
			     "<li><a href=\"/metrics\">/metrics</a>: Prometheus text</li></ul>\n"
			     "<h2>Documentation</h2>\n");
	web_status_docs(&out);
	web_page_end(&out);
	if (out.error != HR_OK) {
		buf_clear(&out);
		http_reply_error(request, 500, "internal", "status page too large");
		return;
	}
	web_page_headers(request);
	http_reply_bytes(request, 200, "text/html; charset=utf-8", out.data, out.len);
	buf_clear(&out);
}

static void handle_icon(struct http_request *request, void *context)
{
	web_asset_reply(request, context);
}

hr_status web_status_mount_assets(struct http_server *server, struct hr_error *err)
{
	hr_status rc;

	if ((rc = web_assets_mount(server, "/", "status/", err)) != HR_OK ||
	    /* what a browser asks for on a page without a <link rel=icon> (JSON, docs) */
	    (rc = http_server_route(server, "GET", "/favicon.ico", 0, handle_icon,
				    (void *)web_assets_find("status/favicon.svg"), err)) != HR_OK)
		return rc;
	return web_assets_mount(server, "/docs/", "docs/", err);
}

hr_status web_status_mount(struct http_server *server, const struct web_link *links,
			   struct hr_error *err)
{
	hr_status rc;

	if ((rc = http_server_route(server, "GET", "/", 0, handle_status, (void *)links, err)) !=
	    HR_OK)
		return rc;
	return web_status_mount_assets(server, err);
}
