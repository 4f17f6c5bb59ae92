/*
 * test_web.c — the built-in web files and the status pages over real loopback
 * HTTP: the strict headers, ETags and 304, the docs as plain text, the status
 * page's health, figures and links, and HTML escaping of everything a page
 * shows that it did not write itself.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/http_server.h"
#include "web/status_page.h"
#include "web/web_assets.h"

#define OUT_CAP (256 * 1024)

static const struct web_link links[] = {{"/wallet/", "Citizen wallet"}, {NULL, NULL}};

static hr_status down_with_markup(void *ctx, struct hr_error *err)
{
	(void)ctx;
	return hr_error_set(err, HR_E_UNAVAILABLE, "store", "database <b>gone</b> & \"away\"");
}

static void role_series(void *ctx, struct buf *out)
{
	(void)ctx;
	buf_append_str(out, "# HELP hromada_test_total A test series.\n"
			    "# TYPE hromada_test_total counter\n"
			    "hromada_test_total{kind=\"<img src=x>\"} 42\n");
}

static struct http_server *start(bool healthy, bool series)
{
	struct http_server_options o;
	struct hr_error err = {0};
	struct http_server *s;

	http_server_options_default(&o);
	o.listen_port = 0;
	o.threads = 2;
	o.access_log = false;
	snprintf(o.name, sizeof(o.name), "UA/test<role>");
	s = http_server_new(&o, &err);
	assert_non_null(s);
	if (!healthy)
		http_server_set_health_check(s, down_with_markup, NULL);
	if (series)
		http_server_set_metrics(s, role_series, NULL);
	assert_int_equal(web_status_mount(s, links, &err), HR_OK);
	assert_int_equal(http_server_start(s, &err), HR_OK);
	return s;
}

static int get(struct http_server *s, const char *path, const char *extra, char *out)
{
	char request[1024];

	snprintf(request, sizeof(request),
		 "GET %s HTTP/1.1\r\nHost: t\r\n%sConnection: close\r\n\r\n", path,
		 extra ? extra : "");
	return tk_raw_exchange(http_server_port(s), request, out, OUT_CAP);
}

static void test_status_page_shows_health_figures_links_and_docs(void **state)
{
	struct http_server *s = start(true, true);
	char *out = malloc(OUT_CAP);

	(void)state;
	assert_int_equal(get(s, "/", NULL, out), 200);
	assert_non_null(strstr(out, "Content-Type: text/html; charset=utf-8"));
	assert_non_null(
	    strstr(out, "Content-Security-Policy: default-src 'none'; script-src 'self'"));
	assert_non_null(strstr(out, "frame-ancestors 'none'"));
	assert_non_null(strstr(out, "Cache-Control: no-store"));
	assert_non_null(strstr(out, "<h1>UA/test&lt;role&gt;</h1>"));
	assert_non_null(strstr(out, "class=\"state ok\">Healthy<"));
	assert_non_null(strstr(out, "<a href=\"/wallet/\">Citizen wallet</a>"));
	assert_non_null(strstr(out, "<a href=\"/docs/KEYS.md\">"));
	/* the role's own series, escaped: a label value is never markup */
	assert_non_null(strstr(out, "hromada_test_total{kind=&quot;&lt;img src=x&gt;&quot;}"));
	assert_null(strstr(out, "<img src=x>"));
	assert_non_null(strstr(out, "<td class=\"n\">42</td>"));
	free(out);
	http_server_free(s);
}

static void test_status_page_says_why_a_role_is_unavailable(void **state)
{
	struct http_server *s = start(false, false);
	char *out = malloc(OUT_CAP);

	(void)state;
	assert_int_equal(get(s, "/", NULL, out), 200);
	assert_non_null(strstr(out, "class=\"state bad\">Unavailable: "
				    "database &lt;b&gt;gone&lt;/b&gt; &amp; &quot;away&quot;"));
	assert_non_null(strstr(out, "keeps no series of its own"));
	free(out);
	http_server_free(s);
}

/* A request is counted when libmicrohttpd reports it complete, a moment after
 * its client has the answer: wait for the count, never sleep a fixed time. */
static uint64_t wait_answered(struct http_server *s, uint64_t want)
{
	struct http_server_status st;

	for (int i = 0; i < 500; i++) {
		http_server_status(s, &st);
		if (st.requests >= want)
			return st.requests;
		usleep(2000);
	}
	return st.requests;
}

static void test_status_page_counts_follow_requests(void **state)
{
	struct http_server *s = start(true, false);
	char *out = malloc(OUT_CAP);
	char expect[96];

	(void)state;
	assert_int_equal(get(s, "/healthz", NULL, out), 200);
	assert_int_equal(get(s, "/no-such-page", NULL, out), 404);
	assert_int_equal(get(s, "/status.css", NULL, out), 200);
	assert_int_equal(wait_answered(s, 3), 3);
	/* the page counts what was answered before it, not itself */
	assert_int_equal(get(s, "/", NULL, out), 200);
	snprintf(expect, sizeof(expect), "Answered</th><td class=\"n\">3</td>");
	assert_non_null(strstr(out, expect));
	assert_non_null(strstr(out, "Successful (2xx)</th><td class=\"n\">2</td>"));
	assert_non_null(strstr(out, "Refused (4xx)</th><td class=\"n\">1</td>"));
	free(out);
	http_server_free(s);
}

static void test_assets_have_an_etag_and_answer_304_when_unchanged(void **state)
{
	struct http_server *s = start(true, false);
	const struct web_asset *css = web_assets_find("status/status.css");
	char *out = malloc(OUT_CAP), header[128];

	(void)state;
	assert_non_null(css);
	assert_int_equal(get(s, "/status.css", NULL, out), 200);
	assert_non_null(strstr(out, "Content-Type: text/css; charset=utf-8"));
	assert_non_null(strstr(out, "Cache-Control: no-cache"));
	assert_null(strstr(out, "no-store"));
	assert_non_null(strstr(out, css->etag));
	assert_non_null(strstr(out, "X-Content-Type-Options: nosniff"));
	snprintf(header, sizeof(header), "If-None-Match: %s\r\n", css->etag);
	assert_int_equal(get(s, "/status.css", header, out), 304);
	assert_null(strstr(out, ":root"));
	assert_int_equal(get(s, "/status.css", "If-None-Match: \"0000000000000000\"\r\n", out),
			 200);
	assert_non_null(strstr(out, ":root"));
	free(out);
	http_server_free(s);
}

static void test_docs_are_served_as_plain_text_never_rendered(void **state)
{
	struct http_server *s = start(true, false);
	char *out = malloc(OUT_CAP);

	(void)state;
	assert_int_equal(get(s, "/docs/THREAT_MODEL.md", NULL, out), 200);
	assert_non_null(strstr(out, "Content-Type: text/plain; charset=utf-8"));
	assert_non_null(strstr(out, "# "));
	assert_int_equal(get(s, "/docs/../README.md", NULL, out), 404);
	assert_int_equal(get(s, "/favicon.ico", NULL, out), 200);
	assert_non_null(strstr(out, "image/svg+xml"));
	free(out);
	http_server_free(s);
}

static void test_mount_of_a_directory_without_files_fails(void **state)
{
	struct http_server_options o;
	struct hr_error err = {0};
	struct http_server *s;

	(void)state;
	http_server_options_default(&o);
	o.listen_port = 0;
	s = http_server_new(&o, &err);
	assert_non_null(s);
	assert_int_equal(web_assets_mount(s, "/x/", "no-such-dir/", &err), HR_E_NOT_FOUND);
	assert_non_null(strstr(err.message, "no-such-dir/"));
	http_server_free(s);
}

static void test_every_asset_has_a_type_and_an_etag(void **state)
{
	(void)state;
	assert_true(web_assets_count() > 10);
	for (size_t i = 0; i < web_assets_count(); i++) {
		const struct web_asset *a = web_assets_at(i);
		assert_non_null(a->content_type);
		assert_int_equal(strlen(a->etag), 18); /* "16 hex" */
		assert_ptr_equal(web_assets_find(a->path), a);
	}
	assert_null(web_assets_at(web_assets_count()));
	assert_non_null(web_assets_find("common/vendor/jsQR.js"));
	assert_non_null(web_assets_find("common/vendor/qrcode.js"));
}

static void test_html_escape_escapes_the_five_characters(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(web_html_escape(&b, "<a href=\"x\">'&'</a>"), HR_OK);
	assert_string_equal(buf_str(&b), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	buf_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_page_shows_health_figures_links_and_docs),
	    cmocka_unit_test(test_status_page_says_why_a_role_is_unavailable),
	    cmocka_unit_test(test_status_page_counts_follow_requests),
	    cmocka_unit_test(test_assets_have_an_etag_and_answer_304_when_unchanged),
	    cmocka_unit_test(test_docs_are_served_as_plain_text_never_rendered),
	    cmocka_unit_test(test_mount_of_a_directory_without_files_fails),
	    cmocka_unit_test(test_every_asset_has_a_type_and_an_etag),
	    cmocka_unit_test(test_html_escape_escapes_the_five_characters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
