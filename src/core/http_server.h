/*
 * http_server.h — the HTTP server every role runs on (libmicrohttpd underneath).
 *
 * A server is created from options, given routes, started, and later stopped
 * gracefully: stop stops accepting, lets in-flight requests finish (up to the
 * shutdown timeout) and then closes every connection.
 *
 * Every server answers GET /healthz and GET /metrics itself, enforces the limits
 * in its options before a handler ever runs, and answers every failure with a
 * JSON error body {"error": {"code": "...", "message": "..."}}:
 *
 *	400 malformed request            404 no such route
 *	405 wrong method (with Allow)    413 body over max_body_bytes
 *	415 JSON route without a JSON content type
 *	429 over the per-client rate limit (with Retry-After)
 *	431 headers over max_header_bytes (JSON; far beyond, libmicrohttpd's own)
 *
 * Handlers run on the server's worker threads and must answer with exactly one
 * http_reply_*() call before returning. Every request gets an id (the client's
 * X-Request-Id when it is sane, else a fresh one) that is echoed in the
 * response and put on every log line written while handling it.
 */
#ifndef HROMADA_CORE_HTTP_SERVER_H
#define HROMADA_CORE_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "core/buf.h"

struct config;
struct http_server;
struct http_request;

struct http_server_options {
	char listen_host[64];       /* numeric address or name; default 127.0.0.1 */
	uint16_t listen_port;       /* 0 = any free port (see http_server_port) */
	unsigned threads;           /* worker threads; 0 = one per online core */
	size_t max_body_bytes;      /* 413 beyond this */
	size_t max_header_bytes;    /* 431 beyond this (request line + headers) */
	unsigned header_timeout_ms; /* a whole request header must arrive within this */
	unsigned idle_timeout_s;    /* a connection with no traffic at all is closed */
	unsigned max_connections;   /* further connections are refused */
	unsigned max_connections_per_ip;
	double rate_limit_per_s; /* per client address; 0 = no limit */
	unsigned rate_limit_burst;
	unsigned shutdown_timeout_ms; /* how long stop waits for in-flight requests */
	bool access_log;              /* one log line per request */
	/* The URL clients reach the server at ("https://wallet.example"), when it
	 * is not the one it listens on (a proxy, a DNS name, 0.0.0.0); "" = that
	 * one. Signed requests and DPoP proofs name it: see http_request_own_url. */
	char public_url[512];
	char name[64]; /* shown in logs as role=..., e.g. "UA/wallet" */
};

/* Defaults suitable for a role on loopback. */
void http_server_options_default(struct http_server_options *options);
/* Reads the [server] section over the defaults. Stage of errors: "config". */
hr_status http_server_options_from_config(struct config *cfg, struct http_server_options *options,
					  struct hr_error *err);
/*
 * For a role whose clients sign the URL they call (DPoP proofs, RFC 9421
 * @authority): refuses settings under which the server cannot know that URL,
 * a listen address of every interface (0.0.0.0, ::) without public_url.
 */
hr_status http_server_options_require_own_url(struct config *cfg, struct hr_error *err);

typedef void (*http_handler_fn)(struct http_request *request, void *context);
/* Extra readiness check for /healthz; HR_OK = healthy, else err says why (503). */
typedef hr_status (*http_health_fn)(void *context, struct hr_error *err);

enum http_route_flags {
	HTTP_ROUTE_JSON_BODY = 1 << 0, /* body must be application/json (else 415) */
	/* the access log writes the route's pattern, not the path: the path
	 * holds something a log must not keep (a leak range prefix) */
	HTTP_ROUTE_QUIET_PATH = 1 << 1,
	/* the handler waits on another server: it runs on the server's handler
	 * threads (server.threads of them, one queue) while its connection is
	 * set aside, so that the requests of other connections do not wait
	 * behind it (core/http_handler_pool.h) */
	HTTP_ROUTE_BLOCKING = 1 << 2,
};

struct http_server *http_server_new(const struct http_server_options *options,
				    struct hr_error *err);
void http_server_free(struct http_server *server);

hr_status http_server_route(struct http_server *server, const char *method, const char *pattern,
			    unsigned flags, http_handler_fn handler, void *context,
			    struct hr_error *err);
void http_server_set_health_check(struct http_server *server, http_health_fn check, void *context);
/* Adds `name value` lines to /healthz's JSON ({"status":"ok", name: value}). */
hr_status http_server_set_health_field(struct http_server *server, const char *name,
				       const char *value);
/* A role's own series for /metrics (Prometheus text, HELP and TYPE lines
 * included), appended after the server's; called on a worker thread for
 * every scrape until the server is stopped. One writer per server. */
typedef void (*http_metrics_fn)(void *context, struct buf *out);
void http_server_set_metrics(struct http_server *server, http_metrics_fn write, void *context);

hr_status http_server_start(struct http_server *server, struct hr_error *err);
/* The bound port, after start (useful with listen_port 0). */
uint16_t http_server_port(const struct http_server *server);
/* "http://127.0.0.1:8080" after start. */
const char *http_server_url(const struct http_server *server);
/* Stops accepting new connections; requests already in flight carry on. Lets a
 * process that runs many servers quiesce them all before waiting on any. */
void http_server_quiesce(struct http_server *server);
/* Graceful stop: quiesce, wait for in-flight requests (up to the shutdown
 * timeout), close every connection. Safe to call more than once and before start. */
void http_server_stop(struct http_server *server);

/* --- the request, for handlers ------------------------------------------ */

const char *http_request_method(const struct http_request *request);
const char *http_request_path(const struct http_request *request);
/* Value of a {name} in the route pattern, NUL-terminated copy; NULL if none. */
const char *http_request_param(struct http_request *request, const char *name);
/* Query-string argument (percent-decoded); NULL if absent. */
const char *http_request_query(const struct http_request *request, const char *name);
/* Header value (case-insensitive name); NULL if absent. The first when the
 * request repeats it: where a repeat must be refused (RFC 9449 §4.3 for
 * DPoP), ask http_request_header_count. */
const char *http_request_header(const struct http_request *request, const char *name);
/* The server the request came to (for pages that show the server itself). */
struct http_server *http_request_server(const struct http_request *request);
/* How many times the request carries header name (case-insensitive). */
unsigned http_request_header_count(const struct http_request *request, const char *name);
struct slice http_request_body(const struct http_request *request);
const char *http_request_id(const struct http_request *request);
/* Peer address as text, e.g. "127.0.0.1". */
const char *http_request_peer(const struct http_request *request);
/* The status of the reply queued so far, 0 before a handler has replied. */
unsigned http_request_reply_status(const struct http_request *request);
/* The URL clients reach this server at, without a trailing slash: [server]
 * public_url, or else the URL it listens on. A request's own URL is this and
 * its path; never build it from the Host header, which the client chooses. */
const char *http_request_own_url(const struct http_request *request);

/* Parses the body as a JSON object (caller owns *out). On failure the caller
 * usually answers http_reply_from_error(request, err). */
hr_status http_request_json(const struct http_request *request, json_t **out, struct hr_error *err);

/* --- replies: exactly one per request ---------------------------------- */

/* Adds a response header to the reply that follows. */
hr_status http_reply_header(struct http_request *request, const char *name, const char *value);
/* Steals the reference to body. */
void http_reply_json(struct http_request *request, unsigned status, json_t *body);
void http_reply_bytes(struct http_request *request, unsigned status, const char *content_type,
		      const void *data, size_t len);
/* Like http_reply_bytes for data that lives as long as the process (no copy). */
void http_reply_static(struct http_request *request, unsigned status, const char *content_type,
		       const void *data, size_t len);
/* {"error": {"code": code, "message": ...}} */
void http_reply_error(struct http_request *request, unsigned status, const char *code,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Maps err->status to an HTTP status (invalid → 400, not_found → 404, ...). */
void http_reply_from_error(struct http_request *request, const struct hr_error *err);
unsigned http_status_for(hr_status status);

/* What a status page shows of a running server (http_server_status.c). */
struct http_server_status {
	bool healthy;
	char reason[256];  /* why not, when unhealthy */
	uint64_t requests; /* answered, every route and refusal */
	uint64_t status_2xx, status_3xx, status_4xx, status_5xx;
	double mean_ms; /* over every answered request */
	long in_flight;
	uint64_t header_timeouts;
	double uptime_s;
	const char *name;
	const char *url;
};
void http_server_status(struct http_server *server, struct http_server_status *out);
/* The role's own series, as its metrics callback writes them (Prometheus text). */
hr_status http_server_role_metrics(struct http_server *server, struct buf *out);

#endif
