/*
 * http_server_internal.h — the server's private structures, shared by
 * http_server.c (lifecycle, libmicrohttpd callbacks) and http_request.c (what
 * handlers see: accessors and replies). Nothing else includes this.
 */
#ifndef HROMADA_CORE_HTTP_SERVER_INTERNAL_H
#define HROMADA_CORE_HTTP_SERVER_INTERNAL_H

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <microhttpd.h>

#include "core/http_metrics.h"
#include "core/http_router.h"
#include "core/http_server.h"
#include "core/rate_limit.h"

#define MAX_REPLY_HEADERS 16
#define REQUEST_ID_MAX    40
/* MHD's per-connection pool holds the request header, its read buffer and the
 * reply's header: room for a reply beside a header at the limit (the limit
 * itself is checked in request_begin) */
#define HEADER_MEMORY_SLACK 16384

struct route_entry {
	http_handler_fn handler;
	void *context;
	unsigned flags;
	struct http_route_metrics metrics;
};

/* A connection known to the header-deadline reaper. */
struct tracked_connection {
	struct tracked_connection *prev, *next;
	int fd;
	_Atomic uint64_t deadline_us; /* header must be complete by then */
	atomic_bool in_request;       /* headers done, response not yet complete */
	/* bytes the kernel had received on it when it opened (0) or when its last
	 * response completed: more than that at the deadline means a request
	 * header had started arriving; none, an idle keep-alive connection */
	_Atomic uint64_t idle_bytes;
	bool shut; /* reaper already shut it down */
};

struct handler_pool;

struct http_server {
	struct http_server_options options;
	struct http_router *router;
	struct route_entry **routes; /* in router order */
	size_t route_count;
	struct route_entry unmatched; /* metrics for 404/405/429 and other refusals */
	struct MHD_Daemon *daemon;
	struct rate_limiter *limiter;
	http_health_fn health_check;
	void *health_context;
	http_metrics_fn metrics_write;
	void *metrics_context;
	json_t *health_fields;
	uint16_t port;
	char url[128];
	_Atomic long in_flight;
	_Atomic uint64_t header_timeouts;
	bool started;
	uint64_t started_us; /* clock_monotonic_us() at start, for the status page */
	bool quiesced;
	bool stopped;
	MHD_socket listen_fd; /* returned by quiesce; closed after MHD_stop_daemon */

	pthread_mutex_t connections_lock;
	pthread_cond_t reaper_wake;
	struct tracked_connection connections; /* list head */
	pthread_t reaper;
	bool reaper_running;
	bool reaper_stop;
	struct handler_pool *pool; /* HTTP_ROUTE_BLOCKING handlers; NULL without any */
};

/*
 * Called when a reply is queued: every byte received so far belongs to the
 * request being answered (a client sends its next request only after this
 * response, which is not sent yet), so what arrives later starts the next.
 * Marking at completion instead raced a quick client's next header.
 */
void http_connection_mark_answered(struct tracked_connection *t);

struct reply_header {
	char *name;
	char *value;
};

struct http_request {
	struct http_server *server;
	struct MHD_Connection *connection;
	const char *method; /* owned by MHD for the request's life */
	const char *path;
	struct http_match match;
	struct route_entry *route; /* NULL when no route matched */
	struct tracked_connection *tracked;
	char id[REQUEST_ID_MAX + 1];
	char peer[INET6_ADDRSTRLEN];
	uint64_t start_us;
	struct buf body;
	size_t discarded; /* bytes of a refused body read and dropped */

	/* an early refusal, answered on the last handler call (or at once when
	 * refuse_now: the body's end cannot be known, so it is never read) */
	unsigned refuse_status;
	bool refuse_now;
	const char *refuse_code;
	char refuse_message[160];

	char *params[HTTP_ROUTER_MAX_PARAMS]; /* NUL-terminated copies, on demand */
	struct reply_header headers[MAX_REPLY_HEADERS];
	size_t header_count;
	unsigned status; /* 0 until a reply is queued */
	size_t response_bytes;
	struct http_request *pool_next; /* queued for a handler thread */
};

/* Runs the route's handler; answers 500 if it did not reply. */
void http_request_run(struct http_request *request);

/* Queues a response that owns `data` (malloc'ed, freed by MHD). */
void http_request_reply_owned(struct http_request *request, unsigned status,
			      const char *content_type, void *data, size_t len);
/* {"error": {"code": code, "message": message}} */
void http_request_reply_error_text(struct http_request *request, unsigned status, const char *code,
				   const char *message);

#endif
