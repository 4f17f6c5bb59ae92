/*
 * http_server.c — libmicrohttpd glue: request lifecycle, limits, built-in
 * routes, graceful stop.
 *
 * The lifecycle of one request through MHD's access handler:
 *
 *   1st call  headers are complete. We allocate the request, match the route and
 *             decide early rejections (429; 400 for body framing, Host or a raw
 *             space in the target; 414, 431, 404, 405, 413 by Content-Length, 415),
 *             all in the API's JSON shape. What libmicrohttpd refuses before
 *             this call (a bad version, a head past its pool, bad chunking) it
 *             answers itself in HTML: docs/ARCHITECTURE.md, "HTTP layer".
 *             We do NOT queue a response here unless the request carries a body we
 *             refuse to read: queuing on the first call makes MHD answer with
 *             "Connection: close", which would defeat keep-alive for every request
 *             (DESIGN.md §9, measured: 20 k instead of 75 k requests/s).
 *   body      upload chunks are appended to a bounded buffer; past it, 413.
 *
 * A refused request's body is read and dropped, up to max_body_bytes and
 * DRAIN_EXTRA more, and the refusal answered when the body ends: answering while the client is
 * still sending closes a connection with unread data, and the reset the kernel
 * then sends can destroy the answer before the client reads it (seen as curl's
 * "Failed sending data to the peer"). A body declared larger than that bound,
 * or one that runs past it, is answered at once and never read.
 *   last call (upload size 0) the handler runs, or the early rejection is sent.
 *   completed MHD's completion callback records metrics and the access log line
 *             and frees the request, whatever happened (client abort included).
 *
 * Header deadline: MHD's own timeout is an idle timeout, which a client that
 * trickles one header byte at a time never hits. A small reaper thread therefore
 * shuts down any connection that has not delivered a complete request header
 * within header_timeout_ms of opening or of its previous response. Only one
 * whose next request had started arriving (the kernel counted bytes on it since
 * that response, TCP_INFO) is a warning; an idle keep-alive connection that a
 * client's pool kept open, or a browser's preconnect that never sent a byte, is
 * normal and logged at debug (http.idle_closed).
 */
#include "core/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_received (Linux 4.1) */

#include "core/clock.h"
#include "core/config.h"
#include "core/error.h"
#include "core/http_handler_pool.h"
#include "core/http_server_internal.h"
#include "core/json.h"
#include "core/log.h"
#include "core/rate_limit.h"

#define STAGE          "http"
#define RESPONSE_LIMIT (64u * 1024 * 1024)

/* ------------------------------------------------------------------------ */
/* request ids                                                               */

static _Thread_local uint64_t id_state;

/* xorshift64*, seeded per thread from getrandom: ids need to be unique, not secret. */
static void request_id_generate(char *out)
{
	uint64_t x;

	if (id_state == 0) {
		if (getrandom(&id_state, sizeof(id_state), 0) != sizeof(id_state))
			id_state = clock_monotonic_us() ^ (uint64_t)pthread_self();
		id_state |= 1;
	}
	id_state ^= id_state >> 12;
	id_state ^= id_state << 25;
	id_state ^= id_state >> 27;
	x = id_state * 2685821657736338717ULL;
	snprintf(out, REQUEST_ID_MAX + 1, "%016llx", (unsigned long long)x);
}

static bool request_id_acceptable(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++) {
		char c = id[n];
		if (n >= REQUEST_ID_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return n > 0;
}

/* ------------------------------------------------------------------------ */
/* built-in routes                                                           */

static void handle_healthz(struct http_request *r, void *context)
{
	struct http_server *s = context;
	struct hr_error err = {0};
	json_t *body;

	if (s->health_check != NULL && s->health_check(s->health_context, &err) != HR_OK) {
		body = json_pack("{s:s,s:s,s:s}", "status", "unavailable", "name", s->options.name,
				 "reason", err.message);
		if (body != NULL)
			http_reply_json(r, 503, body);
		return;
	}
	body = json_pack("{s:s,s:s}", "status", "ok", "name", s->options.name);
	if (body == NULL)
		return;
	if (s->health_fields != NULL)
		json_object_update(body, s->health_fields);
	http_reply_json(r, 200, body);
}

static void handle_metrics(struct http_request *r, void *context)
{
	struct http_server *s = context;
	struct http_route_metrics **all;
	struct buf out;
	size_t len;
	uint8_t *data;

	all = calloc(s->route_count + 1, sizeof(*all));
	if (all == NULL)
		return;
	for (size_t i = 0; i < s->route_count; i++)
		all[i] = &s->routes[i]->metrics;
	all[s->route_count] = &s->unmatched.metrics;
	buf_init(&out, RESPONSE_LIMIT);
	buf_printf(&out,
		   "# HELP hromada_info The role this server runs.\n"
		   "# TYPE hromada_info gauge\n"
		   "hromada_info{name=\"%s\"} 1\n"
		   "# HELP hromada_http_requests_in_flight Requests being served now.\n"
		   "# TYPE hromada_http_requests_in_flight gauge\n"
		   "hromada_http_requests_in_flight %ld\n"
		   "# HELP hromada_http_header_timeouts_total Connections closed for not "
		   "sending a complete request header in time.\n"
		   "# TYPE hromada_http_header_timeouts_total counter\n"
		   "hromada_http_header_timeouts_total %llu\n",
		   s->options.name, atomic_load(&s->in_flight),
		   (unsigned long long)atomic_load(&s->header_timeouts));
	http_metrics_write(&out, all, s->route_count + 1);
	http_metrics_write_process(&out);
	if (s->metrics_write != NULL)
		s->metrics_write(s->metrics_context, &out);
	free(all);
	if (out.error != HR_OK) {
		buf_clear(&out);
		http_request_reply_error_text(r, 500, "internal", "metrics too large");
		return;
	}
	data = buf_take(&out, &len);
	http_request_reply_owned(r, 200, "text/plain; version=0.0.4; charset=utf-8", data, len);
}

/* ------------------------------------------------------------------------ */
/* construction                                                              */

struct http_server *http_server_new(const struct http_server_options *options, struct hr_error *err)
{
	struct http_server *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		return NULL;
	}
	s->options = *options;
	s->router = http_router_new();
	if (s->router == NULL)
		goto nomem;
	http_route_metrics_init(&s->unmatched.metrics, "ANY", "unmatched");
	pthread_mutex_init(&s->connections_lock, NULL);
	pthread_cond_init(&s->reaper_wake, NULL);
	s->connections.next = s->connections.prev = &s->connections;
	s->listen_fd = MHD_INVALID_SOCKET;
	if (options->rate_limit_per_s > 0) {
		s->limiter =
		    rate_limiter_new(options->rate_limit_per_s,
				     options->rate_limit_burst ? options->rate_limit_burst : 1);
		if (s->limiter == NULL)
			goto nomem;
	}
	if (http_server_route(s, "GET", "/healthz", 0, handle_healthz, s, err) != HR_OK ||
	    http_server_route(s, "GET", "/metrics", 0, handle_metrics, s, err) != HR_OK) {
		http_server_free(s);
		return NULL;
	}
	return s;
nomem:
	hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	http_server_free(s);
	return NULL;
}

void http_server_free(struct http_server *s)
{
	if (s == NULL)
		return;
	http_server_stop(s);
	for (size_t i = 0; i < s->route_count; i++)
		free(s->routes[i]);
	free(s->routes);
	http_router_free(s->router);
	rate_limiter_free(s->limiter);
	json_decref(s->health_fields);
	pthread_mutex_destroy(&s->connections_lock);
	pthread_cond_destroy(&s->reaper_wake);
	free(s);
}

hr_status http_server_route(struct http_server *s, const char *method, const char *pattern,
			    unsigned flags, http_handler_fn handler, void *context,
			    struct hr_error *err)
{
	struct route_entry *e, **grown;
	hr_status rc;

	if (s->started)
		return hr_error_set(err, HR_E_STATE, STAGE, "routes must be added before start");
	e = calloc(1, sizeof(*e));
	grown = realloc(s->routes, (s->route_count + 1) * sizeof(*grown));
	if (e == NULL || grown == NULL) {
		free(e);
		if (grown != NULL)
			s->routes = grown;
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	s->routes = grown;
	e->handler = handler;
	e->context = context;
	e->flags = flags;
	if ((rc = http_router_add(s->router, method, pattern, e, err)) != HR_OK) {
		free(e);
		return rc;
	}
	/* the router keeps its own copies of method and pattern for the labels */
	http_route_metrics_init(&e->metrics, http_router_method(s->router, s->route_count),
				http_router_pattern(s->router, s->route_count));
	s->routes[s->route_count++] = e;
	return HR_OK;
}

void http_server_set_health_check(struct http_server *s, http_health_fn check, void *context)
{
	s->health_check = check;
	s->health_context = context;
}

void http_server_set_metrics(struct http_server *s, http_metrics_fn write, void *context)
{
	s->metrics_write = write;
	s->metrics_context = context;
}

hr_status http_server_set_health_field(struct http_server *s, const char *name, const char *value)
{
	if (s->health_fields == NULL && (s->health_fields = json_object()) == NULL)
		return HR_E_NOMEM;
	if (json_object_set_new(s->health_fields, name, json_string(value)) != 0)
		return HR_E_INVALID;
	return HR_OK;
}

/* ------------------------------------------------------------------------ */
/* connection tracking and the header-deadline reaper                        */

/* Bytes the kernel has received on a TCP connection so far; false when it
 * cannot tell (not TCP, or a kernel without the counter). */
static bool bytes_received(int fd, uint64_t *out)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(info.tcpi_bytes_received))
		return false;
	*out = info.tcpi_bytes_received;
	return true;
}

void http_connection_mark_answered(struct tracked_connection *t)
{
	uint64_t received;

	if (bytes_received(t->fd, &received))
		atomic_store(&t->idle_bytes, received);
}

/* Whether a request had started arriving on t since its last response: what
 * makes a missed header deadline worth a warning. Unknown counts as started. */
static bool request_started(const struct tracked_connection *t)
{
	uint64_t now;

	return !bytes_received(t->fd, &now) || now > atomic_load(&t->idle_bytes);
}

static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	struct tracked_connection *t;

	if (s->options.header_timeout_ms == 0)
		return;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *info =
		    MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
		t = calloc(1, sizeof(*t));
		if (t == NULL || info == NULL) {
			free(t);
			return; /* untracked: only MHD's idle timeout applies */
		}
		t->fd = info->connect_fd;
		atomic_store(&t->deadline_us,
			     clock_monotonic_us() + (uint64_t)s->options.header_timeout_ms * 1000);
		pthread_mutex_lock(&s->connections_lock);
		t->next = s->connections.next;
		t->prev = &s->connections;
		s->connections.next->prev = t;
		s->connections.next = t;
		pthread_mutex_unlock(&s->connections_lock);
		*socket_context = t;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != NULL) {
		/* MHD closes the socket after this returns: holding the lock here is
		 * what makes the reaper's shutdown() safe from descriptor reuse. */
		t = *socket_context;
		pthread_mutex_lock(&s->connections_lock);
		t->prev->next = t->next;
		t->next->prev = t->prev;
		pthread_mutex_unlock(&s->connections_lock);
		free(t);
		*socket_context = NULL;
	}
}

static void *reaper_main(void *arg)
{
	struct http_server *s = arg;
	uint64_t tick_us = (uint64_t)s->options.header_timeout_ms * 1000 / 4;

	if (tick_us > 250000)
		tick_us = 250000;
	if (tick_us < 10000)
		tick_us = 10000;
	log_scope_set_role(s->options.name);
	pthread_mutex_lock(&s->connections_lock);
	while (!s->reaper_stop) {
		struct timespec until;
		uint64_t now = clock_monotonic_us();

		for (struct tracked_connection *t = s->connections.next; t != &s->connections;
		     t = t->next) {
			bool started;

			if (t->shut || atomic_load(&t->in_request) ||
			    now < atomic_load(&t->deadline_us))
				continue;
			started = request_started(t);
			shutdown(t->fd, SHUT_RDWR);
			t->shut = true;
			if (started) {
				atomic_fetch_add(&s->header_timeouts, 1);
				log_warn("http.header_timeout",
					 "closed a connection that sent no complete "
					 "request header within %u ms",
					 s->options.header_timeout_ms);
			} else {
				log_debug("http.idle_closed",
					  "closed a connection idle for %u ms between "
					  "requests",
					  s->options.header_timeout_ms);
			}
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(tick_us * 1000);
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&s->reaper_wake, &s->connections_lock, &until);
	}
	pthread_mutex_unlock(&s->connections_lock);
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* the MHD callbacks                                                         */

static void refuse(struct http_request *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void refuse(struct http_request *r, unsigned status, const char *code, const char *fmt, ...)
{
	va_list ap;

	r->refuse_status = status;
	r->refuse_code = code;
	va_start(ap, fmt);
	vsnprintf(r->refuse_message, sizeof(r->refuse_message), fmt, ap);
	va_end(ap);
}

/* libmicrohttpd's URI log callback sees the request target as sent, before
 * percent-decoding: the one place a raw space or control character in it can
 * be seen. Its return value becomes the request's con_cls; a target with one
 * gets this marker (no allocation), which request_begin turns into a JSON 400.
 * libmicrohttpd's strict mode would instead drop the connection unanswered. */
static char uri_mark_bad;
#define URI_MARK_BAD ((void *)&uri_mark_bad)

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	for (const unsigned char *p = (const unsigned char *)uri; p != NULL && *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return URI_MARK_BAD;
	return NULL;
}

/* The request's Content-Length; false when it is absent or malformed. */
static bool content_length(struct MHD_Connection *conn, unsigned long long *n)
{
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	char *end;

	if (length == NULL)
		return false;
	errno = 0;
	*n = strtoull(length, &end, 10);
	return *length != '-' && *end == 0 && errno == 0;
}

/* How much of a refused body is read and dropped (see the top of the file):
 * enough for a client a little over the limit, not a second upload. */
#define DRAIN_EXTRA (64 * 1024)

static size_t drain_limit(const struct http_server *s)
{
	return s->options.max_body_bytes + DRAIN_EXTRA;
}

/* A body that is absent, chunked (bounded as it arrives) or declared within
 * drain_limit; not one of malformed length. */
static bool body_drainable(struct MHD_Connection *conn, const struct http_server *s)
{
	unsigned long long n;

	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length") == NULL)
		return true;
	return content_length(conn, &n) && n <= drain_limit(s);
}

static void send_refusal(struct http_request *r)
{
	http_request_reply_error_text(r, r->refuse_status, r->refuse_code, r->refuse_message);
}

static void peer_address(struct http_request *r, const void **key, size_t *key_len)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(r->connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	*key = NULL;
	*key_len = 0;
	snprintf(r->peer, sizeof(r->peer), "-");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, r->peer, sizeof(r->peer));
		*key = &in->sin_addr;
		*key_len = sizeof(in->sin_addr);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, r->peer, sizeof(r->peer));
		*key = &in6->sin6_addr;
		*key_len = sizeof(in6->sin6_addr);
	}
}

static bool media_type_is_json(const char *content_type)
{
	size_t n;

	if (content_type == NULL)
		return false;
	while (*content_type == ' ')
		content_type++;
	n = strcspn(content_type, "; ");
	return n == strlen("application/json") &&
	       strncasecmp(content_type, "application/json", n) == 0;
}

/* Sums what a request's header fields and query arguments take (decoded, so
 * at most what they took on the wire); flags a NUL in any query argument (its
 * decoded length is not its C-string length). */
struct request_shape {
	size_t header_bytes;
	size_t query_bytes;
	bool nul_in_query;
};

static enum MHD_Result measure_header(void *cls, enum MHD_ValueKind kind, const char *key,
				      size_t key_size, const char *value, size_t value_size)
{
	struct request_shape *shape = cls;

	if (kind == MHD_HEADER_KIND)
		shape->header_bytes += key_size + value_size + 4; /* ": " and CRLF */
	else if (kind == MHD_GET_ARGUMENT_KIND) {
		shape->query_bytes += key_size + value_size + 2; /* "?" or "&", "=" */
		if (strlen(key) != key_size || (value != NULL && strlen(value) != value_size))
			shape->nul_in_query = true;
	}
	return MHD_YES;
}

/* The first handler call: headers are complete, nothing of the body is read yet. */
/* Framing libmicrohttpd accepts but RFC 9112 §6.1 and §6.3 do not: a
 * Transfer-Encoding other than plain "chunked" (the body's end is unknowable,
 * and libmicrohttpd would read until the client closes), or one beside a
 * Content-Length (the classic request-smuggling ambiguity). Both are refused
 * at once and the connection closed. NULL when the framing is sound. */
static const char *framing_fault(const char *encoding, const char *length)
{
	if (encoding == NULL)
		return NULL;
	if (strcasecmp(encoding, "chunked") != 0)
		return "unsupported Transfer-Encoding; only chunked is accepted";
	if (length != NULL)
		return "both Content-Length and Transfer-Encoding are present";
	return NULL;
}

static struct http_request *request_begin(struct http_server *s, struct MHD_Connection *conn,
					  const char *url, const char *method, const char *version,
					  bool bad_target)
{
	struct http_request *r = calloc(1, sizeof(*r));
	const union MHD_ConnectionInfo *info;
	const char *given_id, *length, *encoding;
	const void *key;
	size_t key_len;
	unsigned retry_after;
	struct request_shape shape = {0, 0, false};
	size_t target_bytes;

	if (r == NULL)
		return NULL;
	r->server = s;
	r->connection = conn;
	r->method = method;
	r->path = url;
	r->start_us = clock_monotonic_us();
	buf_init(&r->body, s->options.max_body_bytes);
	atomic_fetch_add(&s->in_flight, 1);

	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (info != NULL && info->socket_context != NULL) {
		r->tracked = info->socket_context;
		atomic_store(&r->tracked->in_request, true);
	}
	given_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	if (given_id != NULL && request_id_acceptable(given_id))
		snprintf(r->id, sizeof(r->id), "%s", given_id);
	else
		request_id_generate(r->id);
	peer_address(r, &key, &key_len);

	if (s->limiter != NULL &&
	    !rate_limiter_take(s->limiter, key, key_len, r->start_us, &retry_after)) {
		char seconds[16];
		snprintf(seconds, sizeof(seconds), "%u", retry_after);
		http_reply_header(r, "Retry-After", seconds);
		refuse(r, 429, "rate_limited", "too many requests; retry after %u s", retry_after);
		goto decided;
	}
	/* Framing first: a request whose body cannot be delimited is answered
	 * before anything of it is read, whatever else is wrong with it. */
	length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	encoding =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (framing_fault(encoding, length) != NULL) {
		refuse(r, 400, "invalid", "%s", framing_fault(encoding, length));
		r->refuse_now = true;
		goto decided;
	}
	if (bad_target) {
		refuse(r, 400, "invalid",
		       "the request target holds a space or a control character");
		goto decided;
	}
	/* libmicrohttpd answers 414/431 itself only when its per-connection pool
	 * runs out; the pool is larger than the limit so that the request reaches
	 * this check and a reply fits beside it */
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND, measure_header,
				    &shape);
	target_bytes = strlen(url) + shape.query_bytes;
	if (target_bytes > s->options.max_header_bytes) {
		refuse(r, 414, "uri_too_long",
		       "request target of %zu bytes exceeds the %zu-byte header limit",
		       target_bytes, s->options.max_header_bytes);
		goto decided;
	}
	if (shape.header_bytes + target_bytes > s->options.max_header_bytes) {
		refuse(r, 431, "header_too_large",
		       "request header of %zu bytes exceeds the %zu-byte limit",
		       shape.header_bytes + target_bytes, s->options.max_header_bytes);
		goto decided;
	}
	/* RFC 9112 §3.2, which libmicrohttpd's strict mode would answer in HTML */
	if (strcmp(version, MHD_HTTP_VERSION_1_0) != 0 &&
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST) == NULL) {
		refuse(r, 400, "invalid", "an HTTP/1.1 request needs a Host header");
		goto decided;
	}
	if (shape.nul_in_query) {
		refuse(r, 400, "invalid", "a query argument holds a NUL byte");
		goto decided;
	}
	http_router_match(s->router, method, url, &r->match);
	if (r->match.result == HTTP_MATCH_NO_PATH) {
		refuse(r, 404, "not_found", "no such endpoint: %.100s", url);
		goto decided;
	}
	if (r->match.result == HTTP_MATCH_WRONG_METHOD) {
		http_reply_header(r, "Allow", r->match.allow);
		refuse(r, 405, "method_not_allowed", "%.16s is not allowed here; allowed: %s",
		       method, r->match.allow);
		goto decided;
	}
	r->route = r->match.route_data;
	if (length != NULL) {
		unsigned long long n;
		if (!content_length(conn, &n))
			refuse(r, 400, "invalid", "malformed Content-Length");
		else if (n > s->options.max_body_bytes)
			refuse(r, 413, "too_large",
			       "request body of %llu bytes exceeds the %zu-byte limit", n,
			       s->options.max_body_bytes);
		if (r->refuse_status)
			goto decided;
	}
	if ((r->route->flags & HTTP_ROUTE_JSON_BODY) &&
	    !media_type_is_json(
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE))) {
		if ((length != NULL && strcmp(length, "0") != 0) || encoding != NULL)
			refuse(r, 415, "unsupported_media_type",
			       "this endpoint takes a body of Content-Type application/json");
	}
decided:
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct http_request *r = *con_cls;

	log_scope_set_role(s->options.name);
	if (r == NULL || *con_cls == URI_MARK_BAD) {
		r = request_begin(s, conn, url, method, version, *con_cls == URI_MARK_BAD);
		*con_cls = r;
		if (r == NULL)
			return MHD_NO; /* out of memory: drop the connection */
		/* A refused request is answered on the last call, after its body,
		 * so keep-alive survives; one whose body is too large to read and
		 * drop, or cannot be delimited, is answered now (the connection
		 * then closes). */
		if (r->refuse_status != 0 && (r->refuse_now || !body_drainable(conn, s))) {
			log_scope_set_request_id(r->id);
			send_refusal(r);
			log_scope_set_request_id(NULL);
		}
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		if (r->status == 0 && r->refuse_status == 0 &&
		    buf_append(&r->body, upload_data, *upload_data_size) != HR_OK) {
			refuse(r, 413, "too_large", "request body exceeds the %zu-byte limit",
			       s->options.max_body_bytes);
		} else if (r->status == 0 && r->refuse_status != 0 &&
			   (r->discarded += *upload_data_size) > drain_limit(s)) {
			log_scope_set_request_id(r->id);
			send_refusal(r);
			log_scope_set_request_id(NULL);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->status != 0)
		return MHD_YES; /* already answered (refusal with a body) */
	log_scope_set_request_id(r->id);
	if (r->refuse_status != 0)
		send_refusal(r);
	else if (!((r->route->flags & HTTP_ROUTE_BLOCKING) && s->pool != NULL &&
		   handler_pool_submit(s->pool, r)))
		http_request_run(r);
	/* else r is the pool's until it resumes the connection: not touched here */
	log_scope_set_request_id(NULL);
	return MHD_YES;
}

void http_request_run(struct http_request *r)
{
	log_scope_set_request_id(r->id);
	r->route->handler(r, r->route->context);
	if (r->status == 0) {
		log_error("http.no_reply", "handler for %s %s returned without replying", r->method,
			  http_router_pattern(r->server->router, r->match.route_index));
		http_request_reply_error_text(r, 500, "internal", "the server failed to answer");
	}
	log_scope_set_request_id(NULL);
}

static const char *termination_name(enum MHD_RequestTerminationCode code)
{
	switch (code) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK:
		return "completed";
	case MHD_REQUEST_TERMINATED_WITH_ERROR:
		return "error";
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return "timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return "shutdown";
	case MHD_REQUEST_TERMINATED_READ_ERROR:
		return "read_error";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return "client_abort";
	}
	return "unknown";
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode code)
{
	struct http_server *s = cls;
	struct http_request *r = *con_cls;
	uint64_t now, duration;
	unsigned status;

	(void)conn;
	if (r == NULL || *con_cls == URI_MARK_BAD) {
		*con_cls = NULL; /* refused by libmicrohttpd after the request line */
		return;
	}
	now = clock_monotonic_us();
	duration = now - r->start_us;
	/* 499 (as nginx logs it): the exchange ended before a response went out. */
	status = code == MHD_REQUEST_TERMINATED_COMPLETED_OK && r->status ? r->status : 499;
	http_route_metrics_observe(r->route ? &r->route->metrics : &s->unmatched.metrics, status,
				   duration);
	if (s->options.access_log || code != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
		struct log_line line;
		log_scope_set_role(s->options.name);
		log_scope_set_request_id(r->id);
		log_begin(&line,
			  code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? LOG_LEVEL_INFO
								      : LOG_LEVEL_WARN,
			  "http.request");
		log_add_str(&line, "peer", r->peer);
		log_add_str(&line, "method", r->method);
		if (r->route != NULL && (r->route->flags & HTTP_ROUTE_QUIET_PATH))
			log_add_str(&line, "path", r->route->metrics.pattern);
		else
			log_add_strn(&line, "path", r->path, strnlen(r->path, 256));
		log_add_uint(&line, "status", status);
		log_add_uint(&line, "bytes_in", r->body.len);
		log_add_uint(&line, "bytes_out", r->response_bytes);
		log_add_uint(&line, "duration_us", duration);
		if (code != MHD_REQUEST_TERMINATED_COMPLETED_OK)
			log_add_str(&line, "ended", termination_name(code));
		log_end(&line);
		log_scope_set_request_id(NULL);
	}
	if (r->tracked != NULL) {
		atomic_store(&r->tracked->deadline_us,
			     now + (uint64_t)s->options.header_timeout_ms * 1000);
		atomic_store(&r->tracked->in_request, false);
	}
	for (size_t i = 0; i < HTTP_ROUTER_MAX_PARAMS; i++)
		free(r->params[i]);
	for (size_t i = 0; i < r->header_count; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	buf_clear(&r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *s = cls;
	char text[512];
	const char *previous;
	size_t n;

	vsnprintf(text, sizeof(text), fmt, ap);
	n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = 0;
	/* MHD may log on the thread that starts or stops the daemon: the role is
	 * this line's only, or that thread would name a server after it is freed */
	previous = log_scope_role();
	log_scope_set_role(s->options.name);
	log_msg(LOG_LEVEL_DEBUG, "http.mhd", "%s", text);
	log_scope_set_role(previous);
}

/* ------------------------------------------------------------------------ */
/* start and stop                                                            */

static unsigned worker_threads(const struct http_server_options *o)
{
	long cores;

	if (o->threads > 0)
		return o->threads;
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores > 0 ? (unsigned)cores : 1;
}

hr_status http_server_start(struct http_server *s, struct hr_error *err)
{
	struct addrinfo hints, *addr = NULL;
	char port[8];
	unsigned threads = worker_threads(&s->options);
	unsigned flags;
	const union MHD_DaemonInfo *info;
	int gai;

	if (s->started)
		return hr_error_set(err, HR_E_STATE, STAGE, "server already started");
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(port, sizeof(port), "%u", s->options.listen_port);
	gai = getaddrinfo(s->options.listen_host, port, &hints, &addr);
	if (gai != 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "cannot resolve listen address %s: %s", s->options.listen_host,
				    gai_strerror(gai));
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
		MHD_ALLOW_SUSPEND_RESUME;
	for (size_t i = 0; i < s->route_count && s->pool == NULL; i++) {
		hr_status rc;

		if ((s->routes[i]->flags & HTTP_ROUTE_BLOCKING) &&
		    (rc = handler_pool_start(s, threads, &s->pool, err)) != HR_OK) {
			freeaddrinfo(addr);
			return rc;
		}
	}
	if (addr->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, addr->ai_addr,
	    MHD_OPTION_THREAD_POOL_SIZE, threads > 1 ? threads : 0u, MHD_OPTION_CONNECTION_LIMIT,
	    s->options.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    s->options.max_connections_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
	    s->options.idle_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)(s->options.max_header_bytes + HEADER_MEMORY_SLACK),
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_STRICT_FOR_CLIENT, 0,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
	    s, MHD_OPTION_END);
	freeaddrinfo(addr);
	if (s->daemon == NULL) {
		handler_pool_stop(s->pool);
		s->pool = NULL;
		return hr_error_set(err, HR_E_IO, STAGE,
				    "cannot listen on %s:%u (in use, or not "
				    "permitted)",
				    s->options.listen_host, s->options.listen_port);
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : s->options.listen_port;
	if (strchr(s->options.listen_host, ':'))
		snprintf(s->url, sizeof(s->url), "http://[%s]:%u", s->options.listen_host, s->port);
	else
		snprintf(s->url, sizeof(s->url), "http://%s:%u", s->options.listen_host, s->port);
	s->started = true;
	s->started_us = clock_monotonic_us();
	if (s->options.header_timeout_ms > 0) {
		if (pthread_create(&s->reaper, NULL, reaper_main, s) == 0)
			s->reaper_running = true;
		else
			log_warn("http.reaper", "no header-deadline thread; idle timeout only");
	}
	return HR_OK;
}

uint16_t http_server_port(const struct http_server *s)
{
	return s->port;
}

const char *http_server_url(const struct http_server *s)
{
	return s->url;
}

void http_server_quiesce(struct http_server *s)
{
	if (!s->started || s->quiesced)
		return;
	s->quiesced = true;
	s->listen_fd = MHD_quiesce_daemon(s->daemon);
}

void http_server_stop(struct http_server *s)
{
	uint64_t deadline;

	if (!s->started || s->stopped)
		return;
	s->stopped = true;
	/* 1. accept no new connections; 2. let in-flight requests finish; 3. close. */
	http_server_quiesce(s);
	deadline = clock_monotonic_us() + (uint64_t)s->options.shutdown_timeout_ms * 1000;
	while (atomic_load(&s->in_flight) > 0 && clock_monotonic_us() < deadline)
		usleep(5000);
	if (atomic_load(&s->in_flight) > 0)
		log_warn("http.stop", "%ld requests still in flight after %u ms; closing them",
			 atomic_load(&s->in_flight), s->options.shutdown_timeout_ms);
	if (s->reaper_running) {
		pthread_mutex_lock(&s->connections_lock);
		s->reaper_stop = true;
		pthread_cond_signal(&s->reaper_wake);
		pthread_mutex_unlock(&s->connections_lock);
		pthread_join(s->reaper, NULL);
		s->reaper_running = false;
	}
	/* runs what is still queued and resumes every connection it suspended */
	handler_pool_stop(s->pool);
	s->pool = NULL;
	MHD_stop_daemon(s->daemon);
	s->daemon = NULL;
	if (s->listen_fd != MHD_INVALID_SOCKET)
		close(s->listen_fd);
}
