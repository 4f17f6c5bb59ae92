/*
 * test_http_client.c — the HTTP client against real servers on loopback, no mocks.
 *
 * Well-behaved exchanges go to the project's own server (one for the whole
 * file). Peers that misbehave — never answer, send an endless body, announce a
 * huge one, close mid-response, send too many or oversized header fields — are
 * a raw socket server thread started per test, which also counts the TCP
 * connections it accepts so keep-alive can be proven rather than assumed.
 *
 * Time is only ever bounded from above, and generously (ASan, two cores).
 */
#include "testkit/testkit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/http_client.h"
#include "core/http_server.h"
#include "core/log.h"

#define GENEROUS_MS 5000 /* upper bound for anything meant to take well under a second */

static struct http_server *server;
static char server_url[128];

/* ------------------------------------------------------------------------ */
/* the project's server and its handlers                                     */

static void handle_hello(struct http_request *r, void *context)
{
	(void)context;
	http_reply_json(r, 200, json_pack("{s:s}", "hello", "world"));
}

/* Replies with the request body, and reports in headers what arrived. */
static void handle_echo(struct http_request *r, void *context)
{
	struct slice body = http_request_body(r);
	const char *type = http_request_header(r, "Content-Type");
	const char *expect = http_request_header(r, "Expect");
	const char *test = http_request_header(r, "X-Test");

	(void)context;
	http_reply_header(r, "X-Method", http_request_method(r));
	http_reply_header(r, "X-Content-Type-Seen", type ? type : "(none)");
	http_reply_header(r, "X-Expect-Seen", expect ? expect : "(none)");
	http_reply_header(r, "X-Test-Seen", test ? test : "(none)");
	http_reply_bytes(r, 200, type ? type : "application/octet-stream", body.ptr, body.len);
}

static void handle_redirect(struct http_request *r, void *context)
{
	(void)context;
	http_reply_header(r, "Location", "/hello");
	http_reply_bytes(r, 302, "text/plain", "moved", 5);
}

/* GET /big?n=N: N bytes of 'x', with a Content-Length. */
static void handle_big(struct http_request *r, void *context)
{
	const char *n_text = http_request_query(r, "n");
	size_t n = n_text ? strtoul(n_text, NULL, 10) : 0;
	char *data = malloc(n ? n : 1);

	(void)context;
	if (data == NULL) {
		http_reply_error(r, 500, "internal", "out of memory");
		return;
	}
	memset(data, 'x', n);
	http_reply_bytes(r, 200, "application/octet-stream", data, n);
	free(data);
}

static void handle_many_headers(struct http_request *r, void *context)
{
	(void)context;
	http_reply_header(r, "X-First-Only", "1");
	http_reply_bytes(r, 200, "text/plain", "first", 5);
}

static int server_setup(void **state)
{
	static const char *echo_methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	struct http_server_options options;
	struct hr_error err = {0};

	(void)state;
	log_set_level(LOG_LEVEL_ERROR);
	http_server_options_default(&options);
	options.listen_port = 0;
	options.threads = 2;
	options.access_log = false;
	options.max_body_bytes = 4 * 1024 * 1024;
	snprintf(options.name, sizeof(options.name), "test/client");
	server = http_server_new(&options, &err);
	if (server == NULL)
		goto fail;
	for (size_t i = 0; i < sizeof(echo_methods) / sizeof(echo_methods[0]); i++) {
		if (http_server_route(server, echo_methods[i], "/echo", 0, handle_echo, NULL,
				      &err) != HR_OK)
			goto fail;
	}
	if (http_server_route(server, "GET", "/hello", 0, handle_hello, NULL, &err) != HR_OK ||
	    http_server_route(server, "GET", "/redirect", 0, handle_redirect, NULL, &err) !=
		HR_OK ||
	    http_server_route(server, "GET", "/big", 0, handle_big, NULL, &err) != HR_OK ||
	    http_server_route(server, "GET", "/many", 0, handle_many_headers, NULL, &err) !=
		HR_OK ||
	    http_server_start(server, &err) != HR_OK)
		goto fail;
	snprintf(server_url, sizeof(server_url), "%s", http_server_url(server));
	return 0;
fail:
	fprintf(stderr, "server: %s: %s\n", err.stage, err.message);
	http_server_free(server);
	return -1;
}

static int server_teardown(void **state)
{
	(void)state;
	http_server_free(server);
	server = NULL;
	return 0;
}

/* The server's URL for path. Each path gets its own slot, so a returned pointer
 * stays valid (and unchanged) for the whole run. Not for use from threads. */
static const char *url_of(const char *path)
{
	static struct {
		char path[64];
		char url[256];
	} slots[32];
	size_t i;

	for (i = 0; i < 32 && slots[i].path[0]; i++) {
		if (strcmp(slots[i].path, path) == 0)
			return slots[i].url;
	}
	assert_true(i < 32 && strlen(path) < sizeof(slots[i].path));
	snprintf(slots[i].path, sizeof(slots[i].path), "%s", path);
	snprintf(slots[i].url, sizeof(slots[i].url), "%s%s", server_url, path);
	return slots[i].url;
}

static struct http_client *client_with(unsigned timeout_ms, size_t max_response_bytes)
{
	struct http_client_options options;
	struct http_client *client;

	http_client_options_default(&options);
	if (timeout_ms)
		options.timeout_ms = timeout_ms;
	if (max_response_bytes)
		options.max_response_bytes = max_response_bytes;
	client = http_client_new(&options);
	assert_non_null(client);
	return client;
}

static uint64_t elapsed_ms(uint64_t start_us)
{
	return (clock_monotonic_us() - start_us) / 1000;
}

/* ------------------------------------------------------------------------ */
/* a raw server for peers that misbehave                                     */

enum raw_behaviour {
	RAW_KEEP_ALIVE,         /* answers every request on the connection: 200 "ok" */
	RAW_ANSWER_THEN_CLOSE,  /* answers as RAW_KEEP_ALIVE, then closes unannounced */
	RAW_SILENT,             /* reads requests, never answers */
	RAW_ENDLESS_BODY,       /* 200 without a length, then bytes until the client leaves */
	RAW_HUGE_LENGTH,        /* announces a terabyte */
	RAW_CLOSE_MID_BODY,     /* announces 1000 bytes, sends 10, closes */
	RAW_CLOSE_AT_ONCE,      /* closes when the request arrives, no answer */
	RAW_MANY_HEADERS,       /* more header fields than the client keeps */
	RAW_HUGE_HEADER,        /* one field larger than the client's header budget */
	RAW_INTERIM_THEN_FINAL, /* 100 Continue with a field of its own, then the 200 */
	RAW_ODD_HEADERS,        /* mixed case, padding, an obs-fold continuation */
};

#define RAW_MAX_CONNECTIONS 8

struct raw_connection {
	int fd;
	char in[8192];
	size_t len;
};

struct raw_server {
	enum raw_behaviour behaviour;
	int listen_fd;
	uint16_t port;
	int wake[2]; /* a byte on wake[1] stops the thread */
	pthread_t thread;
	atomic_int accepted;
	atomic_int requests;
	struct raw_connection connections[RAW_MAX_CONNECTIONS];
};

static bool raw_send(int fd, const char *text)
{
	return tk_send_all(fd, text, strlen(text));
}

static void raw_send_endless(int fd)
{
	static char chunk[16384];

	memset(chunk, 'z', sizeof(chunk));
	raw_send(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
		     "Connection: close\r\n\r\n");
	/* until the client hangs up; SO_SNDTIMEO ends it should it only stop reading */
	for (int i = 0; i < 64 * 1024; i++) {
		if (!tk_send_all(fd, chunk, sizeof(chunk)))
			break;
	}
}

static void raw_send_many_headers(int fd)
{
	char line[64];

	raw_send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
	for (int i = 0; i < HTTP_CLIENT_MAX_HEADERS + 10; i++) {
		snprintf(line, sizeof(line), "X-Field-%d: %d\r\n", i, i);
		raw_send(fd, line);
	}
	raw_send(fd, "\r\n");
}

static void raw_send_huge_header(int fd)
{
	size_t n = HTTP_CLIENT_MAX_HEADER_BYTES + 1024;
	char *value = malloc(n + 1);

	if (value == NULL)
		return;
	memset(value, 'v', n);
	value[n] = 0;
	raw_send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Huge: ");
	raw_send(fd, value);
	raw_send(fd, "\r\n\r\n");
	free(value);
}

/* Answers one complete request header; false when the connection is to close. */
static bool raw_answer(struct raw_server *s, int fd)
{
	atomic_fetch_add(&s->requests, 1);
	switch (s->behaviour) {
	case RAW_KEEP_ALIVE:
		return raw_send(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
				    "Content-Length: 2\r\n\r\nok");
	case RAW_ANSWER_THEN_CLOSE:
		raw_send(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			     "Content-Length: 2\r\n\r\nok");
		return false;
	case RAW_SILENT:
		return true;
	case RAW_ENDLESS_BODY:
		raw_send_endless(fd);
		return false;
	case RAW_HUGE_LENGTH:
		raw_send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\nstart");
		return true;
	case RAW_CLOSE_MID_BODY:
		raw_send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
		return false;
	case RAW_CLOSE_AT_ONCE:
		return false;
	case RAW_MANY_HEADERS:
		raw_send_many_headers(fd);
		return true;
	case RAW_HUGE_HEADER:
		raw_send_huge_header(fd);
		return true;
	case RAW_INTERIM_THEN_FINAL:
		return raw_send(fd,
				"HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
				"HTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 2\r\n\r\nok");
	case RAW_ODD_HEADERS:
		return raw_send(fd, "HTTP/1.1 200 OK\r\n"
				    "X-MiXeD-CaSe: Value\r\n"
				    "X-Padded: \t  padded value \t \r\n"
				    "X-Folded: first\r\n"
				    "   second\r\n"
				    "X-Empty:\r\n"
				    "Content-Length: 2\r\n\r\nok");
	}
	return false;
}

static void raw_close(struct raw_connection *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* Reads what arrived; answers each complete request header (bodies are not expected). */
static void raw_read(struct raw_server *s, struct raw_connection *c)
{
	ssize_t n = recv(c->fd, c->in + c->len, sizeof(c->in) - 1 - c->len, 0);
	char *end;

	if (n <= 0) {
		raw_close(c);
		return;
	}
	c->len += (size_t)n;
	c->in[c->len] = 0;
	while ((end = strstr(c->in, "\r\n\r\n")) != NULL) {
		size_t used = (size_t)(end + 4 - c->in);

		memmove(c->in, c->in + used, c->len - used + 1);
		c->len -= used;
		if (!raw_answer(s, c->fd)) {
			raw_close(c);
			return;
		}
	}
	if (c->len == sizeof(c->in) - 1)
		raw_close(c); /* a request header this large is not ours */
}

static void raw_accept(struct raw_server *s)
{
	struct timeval send_timeout = {5, 0};
	int fd = accept(s->listen_fd, NULL, NULL);

	if (fd < 0)
		return;
	atomic_fetch_add(&s->accepted, 1);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
	for (int i = 0; i < RAW_MAX_CONNECTIONS; i++) {
		if (s->connections[i].fd < 0) {
			s->connections[i].fd = fd;
			s->connections[i].len = 0;
			return;
		}
	}
	close(fd);
}

static void *raw_main(void *arg)
{
	struct raw_server *s = arg;

	for (;;) {
		struct pollfd fds[2 + RAW_MAX_CONNECTIONS];
		int slot[2 + RAW_MAX_CONNECTIONS];
		nfds_t n = 0;

		fds[n++] = (struct pollfd){s->wake[0], POLLIN, 0};
		fds[n++] = (struct pollfd){s->listen_fd, POLLIN, 0};
		for (int i = 0; i < RAW_MAX_CONNECTIONS; i++) {
			if (s->connections[i].fd >= 0) {
				slot[n] = i;
				fds[n++] = (struct pollfd){s->connections[i].fd, POLLIN, 0};
			}
		}
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents)
			break;
		if (fds[1].revents & POLLIN)
			raw_accept(s);
		for (nfds_t i = 2; i < n; i++) {
			if (fds[i].revents)
				raw_read(s, &s->connections[slot[i]]);
		}
	}
	for (int i = 0; i < RAW_MAX_CONNECTIONS; i++) {
		if (s->connections[i].fd >= 0)
			raw_close(&s->connections[i]);
	}
	return NULL;
}

static void raw_start(struct raw_server *s, enum raw_behaviour behaviour)
{
	struct sockaddr_in sa;
	socklen_t sa_len = sizeof(sa);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->behaviour = behaviour;
	for (int i = 0; i < RAW_MAX_CONNECTIONS; i++)
		s->connections[i].fd = -1;
	atomic_init(&s->accepted, 0);
	atomic_init(&s->requests, 0);
	assert_int_equal(pipe2(s->wake, O_CLOEXEC), 0);
	s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->listen_fd >= 0);
	setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->listen_fd, 16), 0);
	assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&sa, &sa_len), 0);
	s->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, raw_main, s), 0);
}

static void raw_stop(struct raw_server *s)
{
	assert_int_equal(write(s->wake[1], "x", 1), 1);
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	close(s->wake[0]);
	close(s->wake[1]);
}

static const char *raw_url(const struct raw_server *s, const char *path)
{
	static char url[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", s->port, path);
	return url;
}

/* ------------------------------------------------------------------------ */
/* round trips                                                               */

static void test_gets_json_with_status_and_headers(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct hr_error err = {0};

	(void)state;
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, url_of("/hello"), &response, &err), HR_OK);
	assert_int_equal(response.status, 200);
	assert_string_equal(buf_str(&response.body), "{\"hello\":\"world\"}\n");
	assert_string_equal(http_client_response_header(&response, "content-type"),
			    "application/json");
	assert_non_null(http_client_response_header(&response, "x-request-id"));
	for (size_t i = 0; i < response.header_count; i++) {
		for (const char *p = response.headers[i].name; *p; p++)
			assert_false(*p >= 'A' && *p <= 'Z');
	}
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_header_lookup_is_case_insensitive(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;

	(void)state;
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, url_of("/hello"), &response, NULL), HR_OK);
	assert_string_equal(http_client_response_header(&response, "CONTENT-TYPE"),
			    "application/json");
	assert_string_equal(http_client_response_header(&response, "Content-Type"),
			    "application/json");
	assert_null(http_client_response_header(&response, "X-Not-There"));
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_posts_binary_body_with_nul_bytes_and_gets_it_back(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct http_header headers[] = {{"Content-Type", "application/octet-stream"}};
	struct http_client_request request = {
	    .method = "POST", .url = url_of("/echo"), .headers = headers, .header_count = 1};
	uint8_t body[512];
	struct hr_error err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(i % 256); /* starts with, and holds, NUL bytes */
	request.body = body;
	request.body_len = sizeof(body);
	http_client_response_init(&response);
	assert_int_equal(http_client_send(client, &request, &response, &err), HR_OK);
	assert_int_equal(response.status, 200);
	assert_int_equal(response.body.len, sizeof(body));
	assert_memory_equal(response.body.data, body, sizeof(body));
	assert_string_equal(http_client_response_header(&response, "x-method"), "POST");
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_sends_request_headers(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct http_header headers[] = {{"X-Test", "hello there"}, {"X-Request-Id", "abc-123"}};
	struct http_client_request request = {
	    .method = "GET", .url = url_of("/echo"), .headers = headers, .header_count = 2};

	(void)state;
	http_client_response_init(&response);
	assert_int_equal(http_client_send(client, &request, &response, NULL), HR_OK);
	assert_string_equal(http_client_response_header(&response, "x-test-seen"), "hello there");
	/* the server echoes a sane request id: proof the header reached it intact */
	assert_string_equal(http_client_response_header(&response, "x-request-id"), "abc-123");
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_post_without_content_type_claims_none_and_expects_nothing(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct http_client_request request = {
	    .method = "POST", .url = url_of("/echo"), .body = "{}", .body_len = 2};

	(void)state;
	http_client_response_init(&response);
	assert_int_equal(http_client_send(client, &request, &response, NULL), HR_OK);
	assert_string_equal(http_client_response_header(&response, "x-content-type-seen"),
			    "(none)");
	assert_string_equal(http_client_response_header(&response, "x-expect-seen"), "(none)");
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_large_post_does_not_wait_for_100_continue(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	size_t len = 1536 * 1024; /* libcurl 7.88 asks from 1 MiB on */
	char *body = malloc(len);
	struct http_header headers[] = {{"Content-Type", "application/octet-stream"}};
	struct http_client_request request = {.method = "PUT",
					      .url = url_of("/echo"),
					      .headers = headers,
					      .header_count = 1,
					      .body = body,
					      .body_len = len};

	(void)state;
	assert_non_null(body);
	memset(body, 'b', len);
	http_client_response_init(&response);
	assert_int_equal(http_client_send(client, &request, &response, NULL), HR_OK);
	assert_int_equal(response.status, 200);
	assert_int_equal(response.body.len, len);
	assert_string_equal(http_client_response_header(&response, "x-expect-seen"), "(none)");
	http_client_response_clear(&response);
	http_client_free(client);
	free(body);
}

static void test_put_patch_delete_arrive_with_their_method(void **state)
{
	static const char *methods[] = {"PUT", "PATCH", "DELETE"};
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct http_header headers[] = {{"Content-Type", "text/plain"}};

	(void)state;
	http_client_response_init(&response);
	for (size_t i = 0; i < 3; i++) {
		struct http_client_request request = {.method = methods[i],
						      .url = url_of("/echo"),
						      .headers = headers,
						      .header_count = 1,
						      .body = "data",
						      .body_len = 4};

		assert_int_equal(http_client_send(client, &request, &response, NULL), HR_OK);
		assert_int_equal(response.status, 200);
		assert_string_equal(http_client_response_header(&response, "x-method"), methods[i]);
		assert_string_equal(buf_str(&response.body), "data");

		/* and without a body */
		request.body = NULL;
		request.body_len = 0;
		assert_int_equal(http_client_send(client, &request, &response, NULL), HR_OK);
		assert_int_equal(response.status, 200);
		assert_string_equal(http_client_response_header(&response, "x-method"), methods[i]);
		assert_int_equal(response.body.len, 0);
	}
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_head_returns_headers_without_body(void **state)
{
	/* the limit is below the announced length: a HEAD has no body to refuse */
	struct http_client *client = client_with(0, 100);
	struct http_client_response response;
	struct http_client_request request = {.method = "HEAD", .url = url_of("/big?n=5000")};

	(void)state;
	http_client_response_init(&response);
	assert_int_equal(http_client_send(client, &request, &response, NULL), HR_OK);
	assert_int_equal(response.status, 200);
	assert_int_equal(response.body.len, 0);
	assert_string_equal(http_client_response_header(&response, "content-length"), "5000");
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_returns_http_error_status_in_response_not_as_error(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct http_client_request request = {.method = "PATCH"};
	struct hr_error err = {0};

	(void)state;
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, url_of("/no/such/thing"), &response, &err), HR_OK);
	assert_int_equal(response.status, 404);
	assert_non_null(strstr(buf_str(&response.body), "\"not_found\""));
	/* 405 likewise */
	request.url = url_of("/hello");
	assert_int_equal(http_client_send(client, &request, &response, &err), HR_OK);
	assert_int_equal(response.status, 405);
	assert_non_null(http_client_response_header(&response, "allow"));
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_does_not_follow_redirects(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;

	(void)state;
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, url_of("/redirect"), &response, NULL), HR_OK);
	assert_int_equal(response.status, 302);
	assert_string_equal(http_client_response_header(&response, "location"), "/hello");
	assert_string_equal(buf_str(&response.body), "moved");
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_accepts_body_of_exactly_the_limit(void **state)
{
	struct http_client *client = client_with(0, 4096);
	struct http_client_response response;

	(void)state;
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, url_of("/big?n=4096"), &response, NULL), HR_OK);
	assert_int_equal(response.status, 200);
	assert_int_equal(response.body.len, 4096);
	http_client_response_clear(&response);
	http_client_free(client);
}

/* ------------------------------------------------------------------------ */
/* keep-alive                                                                */

static void test_reuses_connection_for_consecutive_requests(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;

	(void)state;
	raw_start(&raw, RAW_KEEP_ALIVE);
	http_client_response_init(&response);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, NULL),
				 HR_OK);
		assert_int_equal(response.status, 200);
		assert_string_equal(buf_str(&response.body), "ok");
	}
	raw_stop(&raw);
	assert_int_equal(atomic_load(&raw.requests), 3);
	assert_int_equal(atomic_load(&raw.accepted), 1);
	assert_int_equal(http_client_connections_opened(client), 1);
	http_client_response_clear(&response);
	http_client_free(client);
}

/*
 * As a server does whose idle timeout ended a kept-alive connection. The close
 * may or may not have arrived when the next request goes out; either way the
 * request must succeed on a new connection.
 */
static void test_reconnects_when_peer_closed_idle_connection(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct hr_error err = {0};

	(void)state;
	raw_start(&raw, RAW_ANSWER_THEN_CLOSE);
	http_client_response_init(&response);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, &err),
				 HR_OK);
		assert_string_equal(buf_str(&response.body), "ok");
	}
	raw_stop(&raw);
	assert_int_equal(atomic_load(&raw.accepted), 3);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_reuses_connection_to_project_server_across_methods(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct http_header headers[] = {{"Content-Type", "application/json"}};
	struct http_client_request post = {.method = "POST",
					   .url = url_of("/echo"),
					   .headers = headers,
					   .header_count = 1,
					   .body = "{\"a\":1}",
					   .body_len = 7};

	(void)state;
	http_client_response_init(&response);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(http_client_get(client, url_of("/hello"), &response, NULL), HR_OK);
		assert_int_equal(response.status, 200);
		assert_int_equal(http_client_send(client, &post, &response, NULL), HR_OK);
		assert_int_equal(response.status, 200);
		/* even an error status keeps the connection */
		assert_int_equal(http_client_get(client, url_of("/nope"), &response, NULL), HR_OK);
		assert_int_equal(response.status, 404);
	}
	assert_int_equal(http_client_connections_opened(client), 1);
	http_client_response_clear(&response);
	http_client_free(client);
}

/* ------------------------------------------------------------------------ */
/* peers that cannot be reached or misbehave                                 */

static void test_reports_refused_connection_as_unavailable(void **state)
{
	struct sockaddr_in sa;
	socklen_t sa_len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct hr_error err = {0};
	char url[64];

	(void)state;
	/* bound but not listening: the port stays ours, and connecting is refused */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sa_len), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", ntohs(sa.sin_port));
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, url, &response, &err), HR_E_UNAVAILABLE);
	assert_int_equal(err.status, HR_E_UNAVAILABLE);
	assert_string_equal(err.stage, "http_client");
	assert_non_null(strstr(err.message, url));
	assert_int_equal(response.status, 0);
	close(fd);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_reports_unresolvable_host_as_unavailable(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	hr_status rc;

	(void)state;
	http_client_response_init(&response);
	/* RFC 6761 §6.4: .invalid never resolves. On a machine whose resolver does
	 * not answer at all, resolving runs into the connect timeout instead; a
	 * deadline passed, so HR_E_TIMEOUT is right there. */
	rc = http_client_get(client, "http://no-such-host.invalid/", &response, NULL);
	if (rc != HR_E_UNAVAILABLE && rc != HR_E_TIMEOUT)
		fail_msg("unresolvable host gave %s", hr_status_name(rc));
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_times_out_when_peer_never_answers(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(300, 0);
	struct http_client_response response;
	struct hr_error err = {0};
	uint64_t start;

	(void)state;
	raw_start(&raw, RAW_SILENT);
	http_client_response_init(&response);
	start = clock_monotonic_us();
	assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, &err),
			 HR_E_TIMEOUT);
	assert_true(elapsed_ms(start) < GENEROUS_MS);
	assert_non_null(strstr(err.message, "300 ms"));
	raw_stop(&raw);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_request_timeout_overrides_client_default(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(60000, 0);
	struct http_client_response response;
	struct http_client_request request = {.method = "GET", .timeout_ms = 300};
	uint64_t start;

	(void)state;
	raw_start(&raw, RAW_SILENT);
	request.url = raw_url(&raw, "/");
	http_client_response_init(&response);
	start = clock_monotonic_us();
	assert_int_equal(http_client_send(client, &request, &response, NULL), HR_E_TIMEOUT);
	assert_true(elapsed_ms(start) < GENEROUS_MS);
	raw_stop(&raw);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_stops_endless_body_at_limit(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 64 * 1024);
	struct http_client_response response;
	struct hr_error err = {0};
	uint64_t start;

	(void)state;
	raw_start(&raw, RAW_ENDLESS_BODY);
	http_client_response_init(&response);
	start = clock_monotonic_us();
	assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, &err),
			 HR_E_TOO_LARGE);
	assert_true(elapsed_ms(start) < GENEROUS_MS);
	assert_non_null(strstr(err.message, "65536-byte limit"));
	/* no truncated success: nothing of the body is handed back */
	assert_int_equal(response.status, 0);
	assert_int_equal(response.body.len, 0);
	assert_int_equal(response.header_count, 0);
	raw_stop(&raw);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_refuses_announced_length_over_limit_without_reading(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 1024);
	struct http_client_response response;

	(void)state;
	raw_start(&raw, RAW_HUGE_LENGTH);
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, NULL),
			 HR_E_TOO_LARGE);
	assert_int_equal(response.body.len, 0);
	raw_stop(&raw);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_refuses_project_server_body_one_byte_over_limit(void **state)
{
	struct http_client *client = client_with(0, 4096);
	struct http_client_response response;

	(void)state;
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, url_of("/big?n=4097"), &response, NULL),
			 HR_E_TOO_LARGE);
	/* and the client still works afterwards */
	assert_int_equal(http_client_get(client, url_of("/big?n=10"), &response, NULL), HR_OK);
	assert_int_equal(response.body.len, 10);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_fails_when_peer_closes_mid_body(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct hr_error err = {0};

	(void)state;
	raw_start(&raw, RAW_CLOSE_MID_BODY);
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, &err), HR_E_IO);
	assert_int_equal(response.body.len, 0);
	assert_int_equal(response.status, 0);
	raw_stop(&raw);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_fails_when_peer_closes_without_answer(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;

	(void)state;
	raw_start(&raw, RAW_CLOSE_AT_ONCE);
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, NULL), HR_E_IO);
	raw_stop(&raw);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_refuses_too_many_response_headers(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct hr_error err = {0};

	(void)state;
	raw_start(&raw, RAW_MANY_HEADERS);
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, &err),
			 HR_E_TOO_LARGE);
	assert_non_null(strstr(err.message, "too many header fields"));
	assert_int_equal(response.header_count, 0);
	raw_stop(&raw);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_refuses_oversized_response_header(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct hr_error err = {0};

	(void)state;
	raw_start(&raw, RAW_HUGE_HEADER);
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, &err),
			 HR_E_TOO_LARGE);
	raw_stop(&raw);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_keeps_only_final_response_headers_after_interim_response(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;

	(void)state;
	raw_start(&raw, RAW_INTERIM_THEN_FINAL);
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, NULL), HR_OK);
	assert_int_equal(response.status, 200);
	assert_string_equal(http_client_response_header(&response, "x-final"), "yes");
	assert_null(http_client_response_header(&response, "x-interim"));
	raw_stop(&raw);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_lowercases_names_trims_values_and_unfolds_lines(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;

	(void)state;
	raw_start(&raw, RAW_ODD_HEADERS);
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, NULL), HR_OK);
	assert_int_equal(response.header_count, 5);
	assert_string_equal(response.headers[0].name, "x-mixed-case");
	assert_string_equal(response.headers[0].value, "Value");
	assert_string_equal(http_client_response_header(&response, "x-padded"), "padded value");
	/* RFC 9112 §5.2: the obs-fold becomes one space */
	assert_string_equal(http_client_response_header(&response, "x-folded"), "first second");
	assert_string_equal(http_client_response_header(&response, "x-empty"), "");
	raw_stop(&raw);
	http_client_response_clear(&response);
	http_client_free(client);
}

/* ------------------------------------------------------------------------ */
/* what the client refuses to do                                             */

static void test_rejects_bad_urls_and_other_schemes_as_invalid(void **state)
{
	static const char *urls[] = {
	    "",
	    "not a url",
	    "http://",
	    "file:///etc/passwd",
	    "gopher://127.0.0.1:70/",
	    "ftp://127.0.0.1/",
	    "dict://127.0.0.1:11211/stats",
	    "http://exa mple.com/",
	};
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct hr_error err;

	(void)state;
	http_client_response_init(&response);
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		hr_error_clear(&err);
		if (http_client_get(client, urls[i], &response, &err) != HR_E_INVALID)
			fail_msg("'%s' was not refused as invalid: %s", urls[i], err.message);
		assert_string_equal(err.stage, "http_client");
	}
	assert_int_equal(http_client_get(client, NULL, &response, NULL), HR_E_INVALID);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_rejects_invalid_requests(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct http_header injected[] = {{"X-Test", "a\r\nX-Evil: 1"}};
	struct http_header bad_name[] = {{"X Test", "a"}};
	const char *url = url_of("/echo");
	struct http_client_request requests[] = {
	    {.method = "BREW", .url = url},
	    {.method = "get", .url = url},
	    {.method = NULL, .url = url},
	    {.method = "GET", .url = url, .body = "x", .body_len = 1},
	    {.method = "HEAD", .url = url, .body = "x", .body_len = 1},
	    {.method = "POST", .url = url, .body = NULL, .body_len = 3},
	    {.method = "GET", .url = url, .headers = injected, .header_count = 1},
	    {.method = "GET", .url = url, .headers = bad_name, .header_count = 1},
	    {.method = "GET", .url = url, .headers = NULL, .header_count = 1},
	};

	(void)state;
	http_client_response_init(&response);
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		struct hr_error err = {0};
		if (http_client_send(client, &requests[i], &response, &err) != HR_E_INVALID)
			fail_msg("request %zu was not refused as invalid", i);
	}
	assert_int_equal(http_client_connections_opened(client), 0);
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_error_message_never_shows_query_or_password(void **state)
{
	struct sockaddr_in sa;
	socklen_t sa_len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;
	struct hr_error err = {0};
	char url[128], shown[64];

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sa_len), 0);
	snprintf(url, sizeof(url), "http://user:hunter2@127.0.0.1:%u/path?token=SECRET#frag",
		 ntohs(sa.sin_port));
	snprintf(shown, sizeof(shown), "http://127.0.0.1:%u/path", ntohs(sa.sin_port));
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, url, &response, &err), HR_E_UNAVAILABLE);
	assert_non_null(strstr(err.message, shown));
	assert_null(strstr(err.message, "SECRET"));
	assert_null(strstr(err.message, "hunter2"));
	assert_null(strstr(err.message, "user"));
	/* nor does a URL that fails to parse appear at all */
	assert_int_equal(http_client_get(client, "http://[SECRET/", &response, &err), HR_E_INVALID);
	assert_null(strstr(err.message, "SECRET"));
	close(fd);
	http_client_response_clear(&response);
	http_client_free(client);
}

/* ------------------------------------------------------------------------ */
/* the response struct                                                       */

static void test_reused_response_holds_no_stale_headers(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;

	(void)state;
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, url_of("/many"), &response, NULL), HR_OK);
	assert_string_equal(http_client_response_header(&response, "x-first-only"), "1");
	assert_int_equal(http_client_get(client, url_of("/hello"), &response, NULL), HR_OK);
	assert_null(http_client_response_header(&response, "x-first-only"));
	assert_string_equal(buf_str(&response.body), "{\"hello\":\"world\"}\n");
	http_client_response_clear(&response);
	http_client_free(client);
}

static void test_failed_request_leaves_response_empty(void **state)
{
	struct raw_server raw;
	struct http_client *client = client_with(0, 0);
	struct http_client_response response;

	(void)state;
	raw_start(&raw, RAW_CLOSE_MID_BODY);
	http_client_response_init(&response);
	assert_int_equal(http_client_get(client, url_of("/hello"), &response, NULL), HR_OK);
	assert_true(response.header_count > 0);
	assert_int_equal(http_client_get(client, raw_url(&raw, "/"), &response, NULL), HR_E_IO);
	assert_int_equal(response.status, 0);
	assert_int_equal(response.header_count, 0);
	assert_int_equal(response.body.len, 0);
	assert_string_equal(buf_str(&response.body), "");
	raw_stop(&raw);
	http_client_response_clear(&response);
	/* clearing twice, or a never-used response, is harmless */
	http_client_response_clear(&response);
	http_client_free(client);
}

/* ------------------------------------------------------------------------ */
/* threads                                                                   */

#define THREADS             8
#define REQUESTS_PER_THREAD 25

struct worker {
	struct http_client *client;
	const char *url;
	int index;
	int failures;
	char first_failure[HR_ERROR_MESSAGE_MAX + 32];
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct http_client_response response;
	struct http_header headers[] = {{"Content-Type", "text/plain"}};
	char body[64];

	http_client_response_init(&response);
	for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
		struct http_client_request request = {
		    .method = "POST", .url = w->url, .headers = headers, .header_count = 1};
		struct hr_error err = {0};
		int n = snprintf(body, sizeof(body), "thread %d request %d", w->index, i);

		request.body = body;
		request.body_len = (size_t)n;
		if (http_client_send(w->client, &request, &response, &err) != HR_OK ||
		    response.status != 200 || response.body.len != (size_t)n ||
		    memcmp(response.body.data, body, (size_t)n) != 0) {
			if (w->failures++ == 0)
				snprintf(w->first_failure, sizeof(w->first_failure),
					 "status %ld: %s", response.status, err.message);
		}
	}
	http_client_response_clear(&response);
	return NULL;
}

static void test_serves_eight_threads_sharing_one_client(void **state)
{
	struct http_client *client = client_with(0, 0);
	struct worker workers[THREADS];
	pthread_t threads[THREADS];
	const char *url = url_of("/echo"); /* url_of is not for threads */

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){.client = client, .url = url, .index = i};
		assert_int_equal(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		if (workers[i].failures)
			fail_msg("thread %d: %d failures, first: %s", i, workers[i].failures,
				 workers[i].first_failure);
	}
	/* at most one handle, and so one connection, per thread at a time */
	assert_true(http_client_connections_opened(client) <= THREADS);
	http_client_free(client);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gets_json_with_status_and_headers),
	    cmocka_unit_test(test_header_lookup_is_case_insensitive),
	    cmocka_unit_test(test_posts_binary_body_with_nul_bytes_and_gets_it_back),
	    cmocka_unit_test(test_sends_request_headers),
	    cmocka_unit_test(test_post_without_content_type_claims_none_and_expects_nothing),
	    cmocka_unit_test(test_large_post_does_not_wait_for_100_continue),
	    cmocka_unit_test(test_put_patch_delete_arrive_with_their_method),
	    cmocka_unit_test(test_head_returns_headers_without_body),
	    cmocka_unit_test(test_returns_http_error_status_in_response_not_as_error),
	    cmocka_unit_test(test_does_not_follow_redirects),
	    cmocka_unit_test(test_accepts_body_of_exactly_the_limit),
	    cmocka_unit_test(test_reuses_connection_for_consecutive_requests),
	    cmocka_unit_test(test_reconnects_when_peer_closed_idle_connection),
	    cmocka_unit_test(test_reuses_connection_to_project_server_across_methods),
	    cmocka_unit_test(test_reports_refused_connection_as_unavailable),
	    cmocka_unit_test(test_reports_unresolvable_host_as_unavailable),
	    cmocka_unit_test(test_times_out_when_peer_never_answers),
	    cmocka_unit_test(test_request_timeout_overrides_client_default),
	    cmocka_unit_test(test_stops_endless_body_at_limit),
	    cmocka_unit_test(test_refuses_announced_length_over_limit_without_reading),
	    cmocka_unit_test(test_refuses_project_server_body_one_byte_over_limit),
	    cmocka_unit_test(test_fails_when_peer_closes_mid_body),
	    cmocka_unit_test(test_fails_when_peer_closes_without_answer),
	    cmocka_unit_test(test_refuses_too_many_response_headers),
	    cmocka_unit_test(test_refuses_oversized_response_header),
	    cmocka_unit_test(test_keeps_only_final_response_headers_after_interim_response),
	    cmocka_unit_test(test_lowercases_names_trims_values_and_unfolds_lines),
	    cmocka_unit_test(test_rejects_bad_urls_and_other_schemes_as_invalid),
	    cmocka_unit_test(test_rejects_invalid_requests),
	    cmocka_unit_test(test_error_message_never_shows_query_or_password),
	    cmocka_unit_test(test_reused_response_holds_no_stale_headers),
	    cmocka_unit_test(test_failed_request_leaves_response_empty),
	    cmocka_unit_test(test_serves_eight_threads_sharing_one_client),
	};
	return cmocka_run_group_tests(tests, server_setup, server_teardown);
}
