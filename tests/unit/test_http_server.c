/*
 * test_http_server.c — the HTTP server over real loopback sockets: routing,
 * limits, every refusal with its status and JSON body, keep-alive, request ids,
 * slow and vanishing clients, metrics, and graceful stop. Raw sockets are used on
 * purpose: most of these requests are ones no polite client library would send.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/http_server.h"
#include "core/log.h"

struct fixture {
	struct http_server *server;
	uint16_t port;
};

static void handle_hello(struct http_request *r, void *ctx)
{
	(void)ctx;
	http_reply_json(r, 200, json_pack("{s:s}", "hello", "world"));
}

static void handle_echo(struct http_request *r, void *ctx)
{
	struct hr_error err = {0};
	json_t *body;

	(void)ctx;
	if (http_request_json(r, &body, &err) != HR_OK) {
		http_reply_from_error(r, &err);
		return;
	}
	http_reply_json(r, 200, body);
}

static void handle_item(struct http_request *r, void *ctx)
{
	const char *q = http_request_query(r, "q");

	(void)ctx;
	http_reply_json(r, 200, json_pack("{s:s,s:s?}", "id", http_request_param(r, "id"), "q", q));
}

static void handle_item_literal(struct http_request *r, void *ctx)
{
	(void)ctx;
	http_reply_json(r, 200, json_pack("{s:s}", "literal", "yes"));
}

static void handle_slow(struct http_request *r, void *ctx)
{
	(void)ctx;
	usleep(400 * 1000);
	http_reply_json(r, 200, json_pack("{s:b}", "slow", 1));
}

static void handle_forgets(struct http_request *r, void *ctx)
{
	(void)r;
	(void)ctx;
}

static void handle_bytes(struct http_request *r, void *ctx)
{
	struct slice body = http_request_body(r);
	char text[32];

	(void)ctx;
	snprintf(text, sizeof(text), "%zu", body.len);
	http_reply_bytes(r, 200, "text/plain", text, strlen(text));
}

static void handle_own_url(struct http_request *r, void *ctx)
{
	const char *url = http_request_own_url(r);

	(void)ctx;
	http_reply_bytes(r, 200, "text/plain", url, strlen(url));
}

static struct fixture *start(void (*tune)(struct http_server_options *))
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct http_server_options o;
	struct hr_error err = {0};

	http_server_options_default(&o);
	o.listen_port = 0;
	o.threads = 2;
	o.max_body_bytes = 1024;
	o.max_header_bytes = 2048;
	o.access_log = false;
	snprintf(o.name, sizeof(o.name), "test");
	if (tune)
		tune(&o);
	f->server = http_server_new(&o, &err);
	assert_non_null(f->server);
	assert_int_equal(http_server_route(f->server, "GET", "/hello", 0, handle_hello, NULL, &err),
			 HR_OK);
	assert_int_equal(http_server_route(f->server, "POST", "/echo", HTTP_ROUTE_JSON_BODY,
					   handle_echo, NULL, &err),
			 HR_OK);
	assert_int_equal(
	    http_server_route(f->server, "GET", "/items/{id}", 0, handle_item, NULL, &err), HR_OK);
	assert_int_equal(http_server_route(f->server, "GET", "/items/special", 0,
					   handle_item_literal, NULL, &err),
			 HR_OK);
	assert_int_equal(
	    http_server_route(f->server, "DELETE", "/items/{id}", 0, handle_item, NULL, &err),
	    HR_OK);
	assert_int_equal(http_server_route(f->server, "GET", "/slow", 0, handle_slow, NULL, &err),
			 HR_OK);
	assert_int_equal(
	    http_server_route(f->server, "GET", "/forgets", 0, handle_forgets, NULL, &err), HR_OK);
	assert_int_equal(
	    http_server_route(f->server, "POST", "/bytes", 0, handle_bytes, NULL, &err), HR_OK);
	assert_int_equal(
	    http_server_route(f->server, "GET", "/own-url", 0, handle_own_url, NULL, &err), HR_OK);
	assert_int_equal(http_server_start(f->server, &err), HR_OK);
	f->port = http_server_port(f->server);
	assert_true(f->port > 0);
	return f;
}

static void stop(struct fixture *f)
{
	http_server_free(f->server);
	free(f);
}

/* The server still answers an ordinary request: used after every abuse. */
static void assert_still_serving(uint16_t port)
{
	char out[4096];

	assert_int_equal(
	    tk_raw_exchange(port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\"hello\":\"world\""));
}

static void assert_error_body(const char *response, const char *code)
{
	char needle[96];

	assert_non_null(strstr(response, "Content-Type: application/json"));
	snprintf(needle, sizeof(needle), "{\"error\":{\"code\":\"%s\",\"message\":\"", code);
	assert_non_null(strstr(response, needle));
}

/* GET /hello on a connection already open: answered 200, the answer in out. */
static void hello_on(int fd, char *out, size_t cap)
{
	assert_true(tk_send_all(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", 32));
	assert_true(tk_recv_response(fd, out, cap, 5000) > 0);
	assert_int_equal(tk_status_of(out), 200);
}

static void test_serves_routes_with_parameters_and_query(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	assert_int_equal(tk_raw_exchange(f->port,
					 "GET /items/abc-1?q=x%20y HTTP/1.1\r\nHost: t\r\n\r\n",
					 out, sizeof(out)),
			 200);
	assert_non_null(strstr(out, "{\"id\":\"abc-1\",\"q\":\"x y\"}"));
	/* a literal route beats a parameter route, whatever the order of adding */
	assert_int_equal(tk_raw_exchange(f->port, "GET /items/special HTTP/1.1\r\nHost: t\r\n\r\n",
					 out, sizeof(out)),
			 200);
	assert_non_null(strstr(out, "\"literal\":\"yes\""));
	stop(f);
}

static void test_healthz_answers_ok_json(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	assert_int_equal(
	    tk_raw_exchange(f->port, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out)),
	    200);
	assert_non_null(strstr(out, "\"status\":\"ok\""));
	assert_non_null(strstr(out, "\"name\":\"test\""));
	stop(f);
}

static hr_status always_down(void *ctx, struct hr_error *err)
{
	(void)ctx;
	err->status = HR_E_UNAVAILABLE;
	snprintf(err->message, sizeof(err->message), "database gone");
	return HR_E_UNAVAILABLE;
}

static void test_healthz_reports_failed_check_as_503(void **state)
{
	struct fixture *f = start(NULL);
	struct http_server_options o;
	struct hr_error err = {0};
	struct http_server *s;
	char out[4096];

	(void)state;
	stop(f);
	http_server_options_default(&o);
	o.listen_port = 0;
	o.access_log = false;
	s = http_server_new(&o, &err);
	assert_non_null(s);
	http_server_set_health_check(s, always_down, NULL);
	assert_int_equal(http_server_start(s, &err), HR_OK);
	assert_int_equal(tk_raw_exchange(http_server_port(s),
					 "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", out,
					 sizeof(out)),
			 503);
	assert_non_null(strstr(out, "database gone"));
	http_server_free(s);
}

static void test_unknown_route_is_404_json(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	assert_int_equal(
	    tk_raw_exchange(f->port, "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out)),
	    404);
	assert_error_body(out, "not_found");
	assert_int_equal(
	    tk_raw_exchange(f->port, "GET /hello/ HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out)),
	    404);
	assert_still_serving(f->port);
	stop(f);
}

static void test_wrong_method_is_405_with_allow(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	assert_int_equal(
	    tk_raw_exchange(f->port, "PUT /items/7 HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out)),
	    405);
	assert_non_null(strstr(out, "Allow: GET, HEAD, DELETE\r\n"));
	assert_error_body(out, "method_not_allowed");
	stop(f);
}

static void test_head_on_get_route_has_no_body(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	assert_int_equal(
	    tk_raw_exchange(f->port, "HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out)),
	    200);
	assert_null(strstr(out, "world"));
	stop(f);
}

static void test_malformed_json_is_400_and_server_keeps_serving(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];
	const char *req = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
			  "Content-Length: 8\r\n\r\n{\"a\": 1,";

	(void)state;
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 400);
	assert_error_body(out, "invalid");
	assert_non_null(strstr(out, "invalid JSON"));
	/* duplicate keys are refused too */
	req = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	      "Content-Length: 14\r\n\r\n{\"a\":1,\"a\":2} ";
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 400);
	/* an array where an object is expected */
	req = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
	      "Content-Length: 2\r\n\r\n[]";
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 400);
	/* and a good one round-trips, charset parameter allowed */
	req = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json; charset=utf-8\r\n"
	      "Content-Length: 9\r\n\r\n{\"a\": 1}\n";
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 200);
	assert_non_null(strstr(out, "{\"a\":1}"));
	assert_still_serving(f->port);
	stop(f);
}

static void test_wrong_content_type_is_415(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];
	const char *req = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
			  "Content-Length: 8\r\n\r\n{\"a\": 1}";

	(void)state;
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 415);
	assert_error_body(out, "unsupported_media_type");
	req = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 8\r\n\r\n{\"a\": 1}";
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 415);
	assert_still_serving(f->port);
	stop(f);
}

static void test_declared_oversized_body_is_413_without_reading_it(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];
	const char *req = "POST /bytes HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\n\r\n";

	(void)state;
	/* only the headers are sent: the answer must come without the body */
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 413);
	assert_error_body(out, "too_large");
	assert_still_serving(f->port);
	stop(f);
}

static void test_chunked_body_over_limit_is_413(void **state)
{
	struct fixture *f = start(NULL);
	char req[8192], out[4096];
	size_t n;
	int fd;

	(void)state;
	n = (size_t)snprintf(
	    req, sizeof(req),
	    "POST /bytes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (int i = 0; i < 3; i++) {
		n += (size_t)snprintf(req + n, sizeof(req) - n, "400\r\n");
		memset(req + n, 'x', 0x400);
		n += 0x400;
		n += (size_t)snprintf(req + n, sizeof(req) - n, "\r\n");
	}
	n += (size_t)snprintf(req + n, sizeof(req) - n, "0\r\n\r\n");
	fd = tk_connect(f->port);
	assert_true(fd >= 0);
	tk_send_all(fd, req, n);
	tk_recv_response(fd, out, sizeof(out), 5000);
	close(fd);
	assert_int_equal(tk_status_of(out), 413);
	assert_error_body(out, "too_large");
	assert_still_serving(f->port);
	stop(f);
}

/* Sends head, then body in two parts a moment apart (the client is still
 * sending when the server decides), and checks the refusal comes after it
 * and leaves the connection open for the next request. */
static void check_refused_after_body(uint16_t port, const char *head, const char *body,
				     unsigned status, const char *code)
{
	static const char again[] = "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n";
	size_t half = strlen(body) / 2;
	char out[4096];
	int fd = tk_connect(port);

	assert_true(fd >= 0);
	tk_send_all(fd, head, strlen(head));
	tk_send_all(fd, body, half);
	usleep(200 * 1000);
	tk_send_all(fd, body + half, strlen(body) - half);
	tk_recv_response(fd, out, sizeof(out), 5000);
	assert_int_equal(tk_status_of(out), status);
	assert_error_body(out, code);
	assert_null(strstr(out, "Connection: close"));
	tk_send_all(fd, again, strlen(again));
	tk_recv_response(fd, out, sizeof(out), 5000);
	assert_int_equal(tk_status_of(out), 200);
	close(fd);
}

/* A refused body a little over the limit is read to its end before the answer,
 * so a client still sending gets it (an answer mid-upload closes the
 * connection, and the kernel's reset can destroy the answer): a body declared
 * or sent a little over the limit, and one of the wrong type. */
static void test_refused_bodies_a_little_over_the_limit_are_answered_after_them(void **state)
{
	struct fixture *f = start(NULL);
	char body[2048], chunked[2400], head[256];
	size_t n = 0;

	(void)state;
	memset(body, 'x', 1536); /* the limit is 1 024 */
	body[1536] = 0;
	snprintf(head, sizeof(head),
		 "POST /bytes HTTP/1.1\r\nHost: t\r\nContent-Length: 1536\r\n\r\n");
	check_refused_after_body(f->port, head, body, 413, "too_large");
	for (int i = 0; i < 3; i++) {
		n += (size_t)snprintf(chunked + n, sizeof(chunked) - n, "200\r\n%.512s\r\n", body);
	}
	snprintf(chunked + n, sizeof(chunked) - n, "0\r\n\r\n");
	check_refused_after_body(
	    f->port, "POST /bytes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n",
	    chunked, 413, "too_large");
	body[500] = 0;
	check_refused_after_body(f->port,
				 "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
				 "Content-Length: 500\r\n\r\n",
				 body, 415, "unsupported_media_type");
	stop(f);
}

static void test_body_at_limit_is_accepted(void **state)
{
	struct fixture *f = start(NULL);
	char req[4096], out[4096];
	size_t n;

	(void)state;
	n = (size_t)snprintf(req, sizeof(req),
			     "POST /bytes HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n");
	memset(req + n, 'y', 1024);
	req[n + 1024] = 0;
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 200);
	assert_non_null(strstr(out, "\r\n\r\n1024"));
	stop(f);
}

static void test_oversized_headers_are_refused(void **state)
{
	struct fixture *f = start(NULL);
	char req[16384], out[4096];
	size_t n;
	int status;

	(void)state;
	n = (size_t)snprintf(req, sizeof(req), "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: ");
	memset(req + n, 'h', 8000);
	n += 8000;
	snprintf(req + n, sizeof(req) - n, "\r\n\r\n");
	status = tk_raw_exchange(f->port, req, out, sizeof(out));
	/* within the connection pool: our 431, in the API's shape */
	assert_int_equal(status, 431);
	assert_error_body(out, "header_too_large");
	assert_still_serving(f->port);
	stop(f);
}

static void test_malformed_requests_are_refused_before_any_handler(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	/* libmicrohttpd answers these itself (docs/ARCHITECTURE.md, "HTTP layer") */
	assert_int_equal(tk_raw_exchange(f->port, "GET /hello HTTP/1.1\r\nNoColonHere\r\n\r\n", out,
					 sizeof(out)),
			 400);
	assert_non_null(strstr(out, "Connection: close"));
	assert_int_equal(
	    tk_raw_exchange(f->port, "GET /hello HTTP/9.9\r\nHost: t\r\n\r\n", out, sizeof(out)),
	    505);
	/* a request line without a version is not HTTP/1.x: the connection is dropped */
	assert_int_equal(tk_raw_exchange(f->port, "GARBAGE\r\n\r\n", out, sizeof(out)), 0);
	assert_int_equal(
	    tk_raw_exchange(f->port, "\x01\x02\x03 / HTTP/1.1\r\n\r\n", out, sizeof(out)), 400);
	assert_still_serving(f->port);
	stop(f);
}

/* One exchange on a fresh connection; the response (whole, up to cap) in out. */
static void exchange_bytes(uint16_t port, const char *req, size_t len, char *out, size_t cap)
{
	int fd = tk_connect(port);

	assert_true(fd >= 0);
	tk_send_all(fd, req, len);
	tk_recv_response(fd, out, cap, 5000);
	close(fd);
}

/* Exactly one status line: libmicrohttpd 0.9.75's own 400 for a missing Host
 * sends its header block twice, which a client reads as a body of garbage. */
static void assert_one_response(const char *response)
{
	assert_int_equal(strncmp(response, "HTTP/1.1 ", 9), 0);
	assert_null(strstr(response, "\nHTTP/1."));
}

/* A request target longer than the whole header limit is 414 in the API's
 * shape, whether the length is in the path or in the query (the query used
 * not to count towards any limit). */
static void test_request_target_over_the_limit_is_414_json(void **state)
{
	struct fixture *f = start(NULL);
	static char req[8192];
	char out[4096];
	size_t n;

	(void)state;
	n = (size_t)snprintf(req, sizeof(req), "GET /");
	memset(req + n, 'a', 3000);
	n += 3000;
	snprintf(req + n, sizeof(req) - n, " HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 414);
	assert_error_body(out, "uri_too_long");
	n = (size_t)snprintf(req, sizeof(req), "GET /hello?q=");
	memset(req + n, 'b', 3000);
	n += 3000;
	snprintf(req + n, sizeof(req) - n, " HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 414);
	assert_error_body(out, "uri_too_long");
	/* query arguments count towards the header limit too */
	n = (size_t)snprintf(req, sizeof(req), "GET /hello?q=");
	memset(req + n, 'c', 1500);
	n += 1500;
	n += (size_t)snprintf(req + n, sizeof(req) - n, " HTTP/1.1\r\nHost: t\r\nX-Pad: ");
	memset(req + n, 'd', 1000);
	n += 1000;
	snprintf(req + n, sizeof(req) - n, "\r\n\r\n");
	assert_int_equal(tk_raw_exchange(f->port, req, out, sizeof(out)), 431);
	assert_error_body(out, "header_too_large");
	assert_still_serving(f->port);
	stop(f);
}

/* HTTP/1.1 requires Host (RFC 9112 §3.2): 400 in the API's shape, one response
 * (not libmicrohttpd's HTML with its header block twice); HTTP/1.0 may omit it. */
static void test_http11_request_without_host_is_400_json(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	assert_int_equal(tk_raw_exchange(f->port, "GET /hello HTTP/1.1\r\n\r\n", out, sizeof(out)),
			 400);
	assert_error_body(out, "invalid");
	assert_non_null(strstr(out, "Host"));
	assert_one_response(out);
	assert_int_equal(tk_raw_exchange(f->port, "GET /hello HTTP/1.0\r\n\r\n", out, sizeof(out)),
			 200);
	assert_still_serving(f->port);
	stop(f);
}

/* A raw space or control character in the request target is 400 in the API's
 * shape (libmicrohttpd's strict mode dropped the connection unanswered). */
static void test_request_target_with_raw_space_or_control_is_400_json(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	assert_int_equal(tk_raw_exchange(f->port, "GET /hello world HTTP/1.1\r\nHost: t\r\n\r\n",
					 out, sizeof(out)),
			 400);
	assert_error_body(out, "invalid");
	assert_int_equal(tk_raw_exchange(f->port, "GET /hel\x01lo HTTP/1.1\r\nHost: t\r\n\r\n", out,
					 sizeof(out)),
			 400);
	assert_error_body(out, "invalid");
	/* an encoded space is data, not a fault */
	assert_int_equal(tk_raw_exchange(f->port, "GET /items/a%20b HTTP/1.1\r\nHost: t\r\n\r\n",
					 out, sizeof(out)),
			 200);
	assert_non_null(strstr(out, "\"id\":\"a b\""));
	assert_still_serving(f->port);
	stop(f);
}

/* A body whose end cannot be known (a Transfer-Encoding other than chunked:
 * libmicrohttpd would read until the client closes, so the client waited for
 * ever), or framed two ways at once (Content-Length beside chunked, the
 * request-smuggling ambiguity, which was served): 400 in the API's shape at
 * once, and the connection closed (RFC 9112 §6.1, §6.3). */
static void test_undelimitable_body_is_400_json_and_closes(void **state)
{
	static const char *const requests[] = {
	    "POST /bytes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nabc",
	    "POST /bytes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, "
	    "chunked\r\n\r\n3\r\nabc\r\n",
	    "POST /bytes HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	};
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		int fd = tk_connect(f->port);

		assert_true(fd >= 0);
		tk_send_all(fd, requests[i], strlen(requests[i]));
		tk_recv_response(fd, out, sizeof(out), 2000);
		assert_int_equal(tk_status_of(out), 400);
		assert_error_body(out, "invalid");
		assert_non_null(strstr(out, "Connection: close"));
		assert_true(tk_wait_closed(fd, 2000));
		close(fd);
	}
	assert_still_serving(f->port);
	stop(f);
}

/* What libmicrohttpd 0.9.75 answers itself, before or beside our handler, with
 * no hook to change the body (docs/ARCHITECTURE.md, "HTTP layer"): the status
 * stays right, the connection closes, the server keeps serving. Should a newer
 * libmicrohttpd hand any of these to us, this test says so. */
static void assert_mhd_refusal(uint16_t port, const char *req, size_t len, int status)
{
	char out[4096];

	exchange_bytes(port, req, len, out, sizeof(out));
	assert_int_equal(tk_status_of(out), status);
	assert_non_null(strstr(out, "Connection: close"));
}

static void test_refusals_libmicrohttpd_answers_itself_keep_their_status(void **state)
{
	static const char *const small[] = {
	    "POST /bytes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\nabc\r\n0\r\n\r\n",
	    "POST /bytes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
	    "POST /bytes HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
	    "POST /bytes HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n",
	    "GET /hello HTTP/2.0\r\nHost: t\r\n\r\n",
	    "GET /hello HTTP/0.9\r\nHost: t\r\n\r\n",
	};
	static const int status[] = {400, 413, 400, 413, 505, 505};
	struct fixture *f = start(NULL);
	static char req[65536];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		assert_mhd_refusal(f->port, small[i], strlen(small[i]), status[i]);
	/* a request line, then a header, beyond the connection pool
	 * (max_header_bytes + 16 KiB) */
	n = (size_t)snprintf(req, sizeof(req), "GET /");
	memset(req + n, 'a', 40000);
	n += 40000;
	n += (size_t)snprintf(req + n, sizeof(req) - n, " HTTP/1.1\r\nHost: t\r\n\r\n");
	assert_mhd_refusal(f->port, req, n, 414);
	n = (size_t)snprintf(req, sizeof(req), "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: ");
	memset(req + n, 'h', 40000);
	n += 40000;
	n += (size_t)snprintf(req + n, sizeof(req) - n, "\r\n\r\n");
	assert_mhd_refusal(f->port, req, n, 431);
	assert_still_serving(f->port);
	stop(f);
}

static void tune_rate_limit(struct http_server_options *o)
{
	o->rate_limit_per_s = 1;
	o->rate_limit_burst = 3;
}

static void test_rate_limit_answers_429_with_retry_after(void **state)
{
	struct fixture *f = start(tune_rate_limit);
	char out[4096];
	int ok = 0, limited = 0;

	(void)state;
	for (int i = 0; i < 6; i++) {
		int status = tk_raw_exchange(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", out,
					     sizeof(out));
		if (status == 200)
			ok++;
		if (status == 429) {
			limited++;
			assert_non_null(strstr(out, "Retry-After: 1\r\n"));
			assert_error_body(out, "rate_limited");
		}
	}
	assert_int_equal(ok + limited, 6);
	assert_true(ok >= 3 && ok <= 4); /* the burst, plus at most one refilled token */
	assert_true(limited >= 2);
	stop(f);
}

static void test_keep_alive_serves_several_requests_on_one_connection(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];
	int fd = tk_connect(f->port);

	(void)state;
	assert_true(fd >= 0);
	for (int i = 0; i < 3; i++) {
		hello_on(fd, out, sizeof(out));
		assert_null(strstr(out, "Connection: close"));
	}
	/* an error without a body keeps the connection too */
	assert_true(tk_send_all(fd, "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n", 34));
	assert_true(tk_recv_response(fd, out, sizeof(out), 5000) > 0);
	assert_int_equal(tk_status_of(out), 404);
	hello_on(fd, out, sizeof(out));
	close(fd);
	stop(f);
}

/* A handler that waits on another server (HTTP_ROUTE_BLOCKING) until the
 * test opens its gate (or 10 s pass: the answer says which). */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_entered, gate_open;

static void handle_gated(struct http_request *r, void *ctx)
{
	struct timespec deadline;
	bool opened;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	pthread_mutex_lock(&gate_lock);
	gate_entered = true;
	pthread_cond_broadcast(&gate_cond);
	while (!gate_open && pthread_cond_timedwait(&gate_cond, &gate_lock, &deadline) == 0)
		;
	opened = gate_open;
	pthread_mutex_unlock(&gate_lock);
	http_reply_json(r, 200, json_pack("{s:b}", "opened", opened));
}

static void gate_wait_entered(void)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	pthread_mutex_lock(&gate_lock);
	while (!gate_entered && pthread_cond_timedwait(&gate_cond, &gate_lock, &deadline) == 0)
		;
	assert_true(gate_entered);
	pthread_mutex_unlock(&gate_lock);
}

static void gate_set(bool open)
{
	pthread_mutex_lock(&gate_lock);
	gate_open = open;
	gate_entered = false;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

static struct fixture *start_gated(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct http_server_options o;
	struct hr_error err = {0};

	http_server_options_default(&o);
	o.listen_port = 0;
	o.access_log = false;
	o.threads = 1;
	snprintf(o.name, sizeof(o.name), "test");
	f->server = http_server_new(&o, &err);
	assert_non_null(f->server);
	assert_int_equal(http_server_route(f->server, "GET", "/gated", HTTP_ROUTE_BLOCKING,
					   handle_gated, NULL, &err),
			 HR_OK);
	assert_int_equal(http_server_route(f->server, "GET", "/hello", 0, handle_hello, NULL, &err),
			 HR_OK);
	assert_int_equal(http_server_start(f->server, &err), HR_OK);
	f->port = http_server_port(f->server);
	gate_set(false);
	return f;
}

/* A connection whose GET /gated has reached its handler. */
static int connect_gated(uint16_t port)
{
	const char gated[] = "GET /gated HTTP/1.1\r\nHost: t\r\n\r\n";
	int fd = tk_connect(port);

	assert_true(fd >= 0);
	assert_true(tk_send_all(fd, gated, strlen(gated)));
	gate_wait_entered();
	return fd;
}

/* One libmicrohttpd thread holds both connections: while the first waits in
 * its handler, the second is answered (inline, its handler would hold it
 * until the gate's 10 s), and the first is answered and kept alive after. */
static void test_blocking_handler_holds_up_no_other_connection(void **state)
{
	struct fixture *f = start_gated();
	char out[4096];
	int fd = connect_gated(f->port);

	(void)state;
	assert_int_equal(
	    tk_raw_exchange(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out)),
	    200);
	assert_non_null(strstr(out, "\"hello\":\"world\""));
	gate_set(true);
	assert_true(tk_recv_response(fd, out, sizeof(out), 5000) > 0);
	assert_int_equal(tk_status_of(out), 200);
	assert_non_null(strstr(out, "\"opened\":true"));
	/* the connection was resumed and serves its next request */
	hello_on(fd, out, sizeof(out));
	close(fd);
	stop(f);
}

static void *open_gate_later(void *arg)
{
	(void)arg;
	usleep(200 * 1000);
	gate_set(true);
	return NULL;
}

/* Stopping waits for a handler in progress on a handler thread, answers its
 * request, and leaves no connection suspended (ASan and libmicrohttpd would
 * both object). */
static void test_stop_answers_a_blocking_handler_in_progress(void **state)
{
	struct fixture *f = start_gated();
	char out[4096];
	pthread_t opener;
	int fd = connect_gated(f->port);

	(void)state;
	assert_int_equal(pthread_create(&opener, NULL, open_gate_later, NULL), 0);
	http_server_stop(f->server);
	pthread_join(opener, NULL);
	assert_true(tk_recv_response(fd, out, sizeof(out), 5000) > 0);
	assert_int_equal(tk_status_of(out), 200);
	assert_non_null(strstr(out, "\"opened\":true"));
	close(fd);
	stop(f);
}

static void test_request_id_is_echoed_or_generated(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	tk_raw_exchange(f->port,
			"GET /hello HTTP/1.1\r\nHost: t\r\nX-Request-Id: trace-42.a_b\r\n\r\n", out,
			sizeof(out));
	assert_non_null(strstr(out, "X-Request-Id: trace-42.a_b\r\n"));
	/* an id with characters that could forge log lines is replaced */
	tk_raw_exchange(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\nX-Request-Id: a b=c\"\r\n\r\n",
			out, sizeof(out));
	assert_null(strstr(out, "X-Request-Id: a b"));
	assert_non_null(strstr(out, "X-Request-Id: "));
	stop(f);
}

static void test_handler_that_forgets_to_reply_gets_500(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096];

	(void)state;
	log_set_level(LOG_LEVEL_OFF); /* the error line is expected */
	assert_int_equal(
	    tk_raw_exchange(f->port, "GET /forgets HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out)),
	    500);
	log_set_level(LOG_LEVEL_INFO);
	assert_error_body(out, "internal");
	assert_still_serving(f->port);
	stop(f);
}

static void tune_header_timeout(struct http_server_options *o)
{
	o->header_timeout_ms = 600;
}

static void test_slow_headers_are_cut_off(void **state)
{
	struct fixture *f = start(tune_header_timeout);
	int fd = tk_connect(f->port);

	(void)state;
	assert_true(fd >= 0);
	log_set_level(LOG_LEVEL_ERROR);
	assert_true(tk_send_all(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n", 30));
	/* never finished: the server must hang up within the deadline (+ slack) */
	assert_true(tk_wait_closed(fd, 5000));
	close(fd);
	assert_still_serving(f->port);
	log_set_level(LOG_LEVEL_INFO);
	stop(f);
}

static void test_trickled_headers_are_cut_off(void **state)
{
	struct fixture *f = start(tune_header_timeout);
	const char *req =
	    "GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
	int fd = tk_connect(f->port);
	bool closed = false;

	(void)state;
	assert_true(fd >= 0);
	log_set_level(LOG_LEVEL_ERROR);
	/* one byte every 100 ms keeps an idle timer happy forever; a deadline is not fooled */
	for (size_t i = 0; i < strlen(req) && !closed; i++) {
		if (!tk_send_all(fd, req + i, 1))
			closed = true;
		else
			closed = tk_wait_closed(fd, 100);
	}
	assert_true(closed || tk_wait_closed(fd, 3000));
	close(fd);
	assert_still_serving(f->port);
	log_set_level(LOG_LEVEL_INFO);
	stop(f);
}

/* The server's log lines while fn runs, at debug (NUL-terminated, caller frees). */
static char *log_of(void (*fn)(uint16_t port), uint16_t port)
{
	char path[] = "/tmp/hromada-test-http-log-XXXXXX";
	int fd = mkstemp(path);
	char *text;

	assert_true(fd >= 0);
	log_set_fd(fd);
	log_set_level(LOG_LEVEL_DEBUG);
	fn(port);
	usleep(200 * 1000); /* the reaper logs just after it shuts the socket */
	log_set_level(LOG_LEVEL_INFO);
	log_set_fd(2);
	close(fd);
	text = tk_read_file(path, NULL);
	unlink(path);
	assert_non_null(text);
	return text;
}

/* A keep-alive connection after one whole exchange, then silent. */
static void idle_after_a_request(uint16_t port)
{
	char out[4096];
	int fd = tk_connect(port);

	assert_true(fd >= 0);
	hello_on(fd, out, sizeof(out));
	assert_true(tk_wait_closed(fd, 5000));
	close(fd);
}

/* A connection opened and never written to (a browser's preconnect). */
static void silent_from_the_start(uint16_t port)
{
	int fd = tk_connect(port);

	assert_true(fd >= 0);
	assert_true(tk_wait_closed(fd, 5000));
	close(fd);
}

/* One exchange, then the next request's header begun and never finished. */
static void header_begun_after_a_request(uint16_t port)
{
	char out[4096];
	int fd = tk_connect(port);

	assert_true(fd >= 0);
	assert_true(tk_send_all(fd, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", 32));
	assert_true(tk_recv_response(fd, out, sizeof(out), 5000) > 0);
	assert_true(tk_send_all(fd, "GET /hello HTTP/1.1\r\nHo", 23));
	assert_true(tk_wait_closed(fd, 5000));
	close(fd);
}

static unsigned long long header_timeouts_metric(uint16_t port)
{
	char out[16384];
	const char *line;

	assert_int_equal(
	    tk_raw_exchange(port, "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", out, sizeof(out)),
	    200);
	line = strstr(out, "\nhromada_http_header_timeouts_total ");
	assert_non_null(line);
	return strtoull(line + strlen("\nhromada_http_header_timeouts_total "), NULL, 10);
}

/*
 * A pooled keep-alive connection that stays idle past the header deadline is
 * closed quietly (debug), not reported as a slow client: only a connection
 * whose request header had started arriving is a warning and counted.
 */
static void test_idle_keep_alive_is_closed_without_a_warning(void **state)
{
	struct fixture *f = start(tune_header_timeout);
	char *log;

	(void)state;
	log = log_of(idle_after_a_request, f->port);
	assert_null(strstr(log, "http.header_timeout"));
	assert_null(strstr(log, "level=warn"));
	assert_non_null(strstr(log, "level=debug event=http.idle_closed"));
	free(log);
	log = log_of(silent_from_the_start, f->port);
	assert_null(strstr(log, "http.header_timeout"));
	assert_non_null(strstr(log, "event=http.idle_closed"));
	free(log);
	assert_int_equal(header_timeouts_metric(f->port), 0);

	log = log_of(header_begun_after_a_request, f->port);
	assert_non_null(strstr(log, "level=warn event=http.header_timeout"));
	assert_null(strstr(log, "http.idle_closed"));
	free(log);
	assert_int_equal(header_timeouts_metric(f->port), 1);
	stop(f);
}

static void test_client_vanishing_mid_body_does_not_disturb_server(void **state)
{
	struct fixture *f = start(NULL);
	const char *req =
	    "POST /bytes HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\nonly a part";
	char out[65536];

	(void)state;
	for (int i = 0; i < 20; i++) {
		int fd = tk_connect(f->port);
		assert_true(fd >= 0);
		assert_true(tk_send_all(fd, req, strlen(req)));
		usleep(30 * 1000); /* let the server read the headers before we vanish */
		close(fd);
	}
	assert_still_serving(f->port);
	/* the aborted exchanges are counted as 499 (client closed) in the metrics */
	for (int i = 0; i < 50; i++) {
		tk_raw_exchange(f->port, "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", out,
				sizeof(out));
		if (strstr(out, "route=\"/bytes\",code=\"499\"} 20"))
			break;
		usleep(20000);
	}
	assert_non_null(strstr(out, "route=\"/bytes\",code=\"499\"} 20"));
	stop(f);
}

static void test_metrics_count_requests_per_route(void **state)
{
	struct fixture *f = start(NULL);
	char out[65536];

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_still_serving(f->port);
	tk_raw_exchange(f->port, "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", NULL, 0);
	/* a request is counted when its connection completes, which may come just
	 * after the client has its answer, and in any order across connections:
	 * scrape until every one is in (2 s at most) */
	for (int tries = 0; tries < 100; tries++) {
		assert_int_equal(tk_raw_exchange(f->port,
						 "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", out,
						 sizeof(out)),
				 200);
		if (strstr(out, "route=\"unmatched\",code=\"404\"}") != NULL &&
		    strstr(out, "route=\"/hello\",code=\"200\"} 3\n") != NULL)
			break;
		usleep(20 * 1000);
	}
	assert_non_null(strstr(out, "Content-Type: text/plain; version=0.0.4"));
	assert_non_null(strstr(
	    out, "hromada_http_requests_total{method=\"GET\",route=\"/hello\",code=\"200\"} 3\n"));
	assert_non_null(strstr(out,
			       "hromada_http_requests_total{method=\"ANY\",route=\"unmatched\","
			       "code=\"404\"} 1\n"));
	assert_non_null(strstr(out, "hromada_http_request_duration_seconds_count{method=\"GET\","
				    "route=\"/hello\"} 3\n"));
	assert_non_null(strstr(out, "le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(out, "hromada_http_requests_in_flight 1\n")); /* this scrape */
	assert_non_null(strstr(out, "process_resident_memory_bytes "));
	stop(f);
}

static _Atomic unsigned status_before, status_after;

static void handle_created(struct http_request *r, void *ctx)
{
	(void)ctx;
	status_before = http_request_reply_status(r);
	http_reply_json(r, 201, json_pack("{s:b}", "made", 1));
	status_after = http_request_reply_status(r);
}

static void write_role_metrics(void *context, struct buf *out)
{
	buf_printf(out, "# TYPE role_things_total counter\nrole_things_total %d\n",
		   *(const int *)context);
}

static void test_a_role_adds_metrics_and_reads_its_reply_status(void **state)
{
	struct http_server_options o;
	struct http_server *server;
	struct hr_error err = {0};
	static const int things = 7;
	char out[65536];

	(void)state;
	http_server_options_default(&o);
	o.listen_port = 0;
	o.access_log = false;
	server = http_server_new(&o, &err);
	assert_non_null(server);
	assert_int_equal(http_server_route(server, "GET", "/make", 0, handle_created, NULL, &err),
			 HR_OK);
	http_server_set_metrics(server, write_role_metrics, (void *)&things);
	assert_int_equal(http_server_start(server, &err), HR_OK);
	assert_int_equal(tk_raw_exchange(http_server_port(server),
					 "GET /make HTTP/1.1\r\nHost: t\r\n\r\n", NULL, 0),
			 201);
	assert_int_equal(status_before, 0);
	assert_int_equal(status_after, 201);
	assert_int_equal(tk_raw_exchange(http_server_port(server),
					 "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", out,
					 sizeof(out)),
			 200);
	assert_non_null(strstr(out, "process_resident_memory_bytes "));
	assert_non_null(strstr(out, "\nrole_things_total 7\n"));
	http_server_free(server);
}

struct slow_call {
	uint16_t port;
	char out[4096];
	int status;
};

static void *call_slow(void *arg)
{
	struct slow_call *c = arg;

	c->status = tk_raw_exchange(c->port, "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n", c->out,
				    sizeof(c->out));
	return NULL;
}

static void test_stop_finishes_in_flight_requests(void **state)
{
	struct fixture *f = start(NULL);
	struct slow_call call = {.port = f->port};
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, call_slow, &call), 0);
	usleep(150 * 1000); /* the slow handler is now running */
	http_server_stop(f->server);
	pthread_join(t, NULL);
	assert_int_equal(call.status, 200);
	assert_non_null(strstr(call.out, "\"slow\":true"));
	/* and nothing is accepted any more */
	assert_int_equal(
	    tk_raw_exchange(f->port, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", NULL, 0), 0);
	stop(f);
}

static void test_refuses_routes_after_start_and_duplicates(void **state)
{
	struct fixture *f = start(NULL);
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(http_server_route(f->server, "GET", "/late", 0, handle_hello, NULL, &err),
			 HR_E_STATE);
	stop(f);
}

static void test_port_in_use_is_a_clear_error(void **state)
{
	struct fixture *f = start(NULL);
	struct http_server_options o;
	struct hr_error err = {0};
	struct http_server *s;

	(void)state;
	http_server_options_default(&o);
	o.listen_port = f->port;
	s = http_server_new(&o, &err);
	assert_non_null(s);
	log_set_level(LOG_LEVEL_OFF);
	assert_int_equal(http_server_start(s, &err), HR_E_IO);
	log_set_level(LOG_LEVEL_INFO);
	assert_non_null(strstr(err.message, "cannot listen on 127.0.0.1:"));
	http_server_free(s);
	stop(f);
}

static void public_url_example(struct http_server_options *o)
{
	snprintf(o->public_url, sizeof(o->public_url), "https://wallet.example");
}

/* A request's own URL is the server's, whatever Host the client sends. */
static void test_own_url_is_the_servers_never_the_clients_host(void **state)
{
	struct fixture *f = start(NULL);
	char out[4096], expected[64];

	(void)state;
	snprintf(expected, sizeof(expected), "\r\n\r\nhttp://127.0.0.1:%u", f->port);
	assert_int_equal(tk_raw_exchange(f->port,
					 "GET /own-url HTTP/1.1\r\nHost: evil.example\r\n\r\n", out,
					 sizeof(out)),
			 200);
	assert_non_null(strstr(out, expected));
	assert_null(strstr(out, "evil"));
	stop(f);

	f = start(public_url_example);
	assert_int_equal(tk_raw_exchange(f->port,
					 "GET /own-url HTTP/1.1\r\nHost: evil.example\r\n\r\n", out,
					 sizeof(out)),
			 200);
	assert_non_null(strstr(out, "\r\n\r\nhttps://wallet.example"));
	stop(f);
}

static void test_public_url_must_be_a_url_paths_follow(void **state)
{
	static const char *const refused[] = {
	    "server.public_url=wallet.example",
	    "server.public_url=ftp://wallet.example",
	    "server.public_url=https://",
	    "server.public_url=https://wallet.example/",
	    "server.public_url=https://wallet.example/x?y",
	    "server.public_url=https://a b",
	};
	struct http_server_options o;
	struct hr_error err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct config *cfg = config_new();

		http_server_options_default(&o);
		assert_int_equal(config_set_assignment(cfg, refused[i], &err), HR_OK);
		if (http_server_options_from_config(cfg, &o, &err) != HR_E_INVALID)
			fail_msg("%s was accepted", refused[i]);
		assert_non_null(strstr(err.message, "server.public_url"));
		config_free(cfg);
	}
	{
		struct config *cfg = config_new();

		http_server_options_default(&o);
		assert_int_equal(config_set_assignment(
				     cfg, "server.public_url=https://gw.example:8443/ua", &err),
				 HR_OK);
		assert_int_equal(http_server_options_from_config(cfg, &o, &err), HR_OK);
		assert_string_equal(o.public_url, "https://gw.example:8443/ua");
		config_free(cfg);
	}
}

/* Roles whose clients sign the URL they call cannot listen everywhere without
 * being told that URL. */
static void test_every_address_needs_a_public_url(void **state)
{
	struct config *cfg = config_new();
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(http_server_options_require_own_url(cfg, &err), HR_OK); /* 127.0.0.1 */
	assert_int_equal(config_set_assignment(cfg, "server.listen=0.0.0.0:8080", &err), HR_OK);
	assert_int_equal(http_server_options_require_own_url(cfg, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "server.public_url is required"));
	assert_int_equal(config_set_assignment(cfg, "server.listen=[::]:8080", &err), HR_OK);
	assert_int_equal(http_server_options_require_own_url(cfg, &err), HR_E_INVALID);
	assert_int_equal(
	    config_set_assignment(cfg, "server.public_url=https://wallet.example", &err), HR_OK);
	assert_int_equal(http_server_options_require_own_url(cfg, &err), HR_OK);
	config_free(cfg);
}

static void test_options_from_config(void **state)
{
	struct config *cfg = config_new();
	struct http_server_options o;
	struct hr_error err = {0};

	(void)state;
	http_server_options_default(&o);
	assert_int_equal(config_set_assignment(cfg, "server.listen=[::1]:9000", &err), HR_OK);
	assert_int_equal(config_set_assignment(cfg, "server.threads=3", &err), HR_OK);
	assert_int_equal(config_set_assignment(cfg, "server.rate_limit_per_s=50", &err), HR_OK);
	assert_int_equal(http_server_options_from_config(cfg, &o, &err), HR_OK);
	assert_string_equal(o.listen_host, "::1");
	assert_int_equal(o.listen_port, 9000);
	assert_int_equal(o.threads, 3);
	assert_int_equal(o.rate_limit_burst, 50);
	assert_int_equal(config_check_unused(cfg, &err), HR_OK);

	assert_int_equal(config_set_assignment(cfg, "server.listen=localhost", &err), HR_OK);
	assert_int_equal(http_server_options_from_config(cfg, &o, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "is not host:port"));
	assert_int_equal(config_set_assignment(cfg, "server.listen=1.2.3.4:99999", &err), HR_OK);
	assert_int_equal(http_server_options_from_config(cfg, &o, &err), HR_E_INVALID);
	assert_int_equal(config_set_assignment(cfg, "server.listen=127.0.0.1:80", &err), HR_OK);
	assert_int_equal(config_set_assignment(cfg, "server.max_body_bytes=0", &err), HR_OK);
	assert_int_equal(http_server_options_from_config(cfg, &o, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "server.max_body_bytes"));
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_serves_routes_with_parameters_and_query),
	    cmocka_unit_test(test_healthz_answers_ok_json),
	    cmocka_unit_test(test_healthz_reports_failed_check_as_503),
	    cmocka_unit_test(test_unknown_route_is_404_json),
	    cmocka_unit_test(test_wrong_method_is_405_with_allow),
	    cmocka_unit_test(test_head_on_get_route_has_no_body),
	    cmocka_unit_test(test_malformed_json_is_400_and_server_keeps_serving),
	    cmocka_unit_test(test_wrong_content_type_is_415),
	    cmocka_unit_test(test_declared_oversized_body_is_413_without_reading_it),
	    cmocka_unit_test(test_chunked_body_over_limit_is_413),
	    cmocka_unit_test(test_refused_bodies_a_little_over_the_limit_are_answered_after_them),
	    cmocka_unit_test(test_body_at_limit_is_accepted),
	    cmocka_unit_test(test_oversized_headers_are_refused),
	    cmocka_unit_test(test_malformed_requests_are_refused_before_any_handler),
	    cmocka_unit_test(test_request_target_over_the_limit_is_414_json),
	    cmocka_unit_test(test_http11_request_without_host_is_400_json),
	    cmocka_unit_test(test_request_target_with_raw_space_or_control_is_400_json),
	    cmocka_unit_test(test_undelimitable_body_is_400_json_and_closes),
	    cmocka_unit_test(test_refusals_libmicrohttpd_answers_itself_keep_their_status),
	    cmocka_unit_test(test_rate_limit_answers_429_with_retry_after),
	    cmocka_unit_test(test_keep_alive_serves_several_requests_on_one_connection),
	    cmocka_unit_test(test_request_id_is_echoed_or_generated),
	    cmocka_unit_test(test_blocking_handler_holds_up_no_other_connection),
	    cmocka_unit_test(test_stop_answers_a_blocking_handler_in_progress),
	    cmocka_unit_test(test_handler_that_forgets_to_reply_gets_500),
	    cmocka_unit_test(test_slow_headers_are_cut_off),
	    cmocka_unit_test(test_trickled_headers_are_cut_off),
	    cmocka_unit_test(test_idle_keep_alive_is_closed_without_a_warning),
	    cmocka_unit_test(test_client_vanishing_mid_body_does_not_disturb_server),
	    cmocka_unit_test(test_metrics_count_requests_per_route),
	    cmocka_unit_test(test_a_role_adds_metrics_and_reads_its_reply_status),
	    cmocka_unit_test(test_stop_finishes_in_flight_requests),
	    cmocka_unit_test(test_refuses_routes_after_start_and_duplicates),
	    cmocka_unit_test(test_port_in_use_is_a_clear_error),
	    cmocka_unit_test(test_options_from_config),
	    cmocka_unit_test(test_own_url_is_the_servers_never_the_clients_host),
	    cmocka_unit_test(test_public_url_must_be_a_url_paths_follow),
	    cmocka_unit_test(test_every_address_needs_a_public_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
