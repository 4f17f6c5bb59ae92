/*
 * http_client.h — outgoing HTTP over libcurl, for roles calling each other
 * (wallet → gateway → registry) and for tests and health checks.
 *
 * A client keeps a small set of libcurl handles, each with its own connection
 * cache, so consecutive requests to the same peer reuse a kept-alive connection.
 * It is thread-safe: a request borrows a handle for its duration, and a new one
 * is created when all are busy (handles beyond max_idle_handles are closed on
 * return).
 *
 * Every request has a connect timeout and a total timeout, and a response body
 * larger than max_response_bytes is cut off with HR_E_TOO_LARGE rather than
 * buffered. Errors (stage "http_client"): HR_E_UNAVAILABLE (cannot connect),
 * HR_E_TIMEOUT, HR_E_TOO_LARGE, HR_E_INVALID (bad URL or arguments), HR_E_IO.
 * An HTTP error status is not an error of the call: it is in response->status.
 */
#ifndef HROMADA_CORE_HTTP_CLIENT_H
#define HROMADA_CORE_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"

struct http_client;

/* A field left 0 takes its default. */
struct http_client_options {
	unsigned connect_timeout_ms; /* default 2000 */
	unsigned timeout_ms;         /* whole exchange; default 10000 */
	size_t max_response_bytes;   /* default 8 MiB */
	unsigned max_idle_handles;   /* kept for reuse; default 16 */
};

void http_client_options_default(struct http_client_options *options);
struct http_client *http_client_new(const struct http_client_options *options);
/* No request may be in flight. */
void http_client_free(struct http_client *client);
/* Connections opened so far; fewer than requests sent means keep-alive worked. */
unsigned long http_client_connections_opened(const struct http_client *client);

struct http_header {
	const char *name;
	const char *value;
};

struct http_client_request {
	const char *method; /* "GET", "POST", ... */
	const char *url;
	const struct http_header *headers; /* may be NULL */
	size_t header_count;
	const void *body; /* may be NULL */
	size_t body_len;
	unsigned timeout_ms; /* 0: the client's default */
};

/* A response with more header fields, or more bytes of names and values, fails
 * with HR_E_TOO_LARGE: dropping some silently could hide the one that matters. */
#define HTTP_CLIENT_MAX_HEADERS      64
#define HTTP_CLIENT_MAX_HEADER_BYTES (64 * 1024)

struct http_client_response {
	long status;
	struct buf body;
	/* Response headers, names lower-cased; values trimmed. Owned by the response. */
	struct http_header headers[HTTP_CLIENT_MAX_HEADERS];
	size_t header_count;
};

void http_client_response_init(struct http_client_response *response);
void http_client_response_clear(struct http_client_response *response);
/* Case-insensitive lookup; NULL if absent. */
const char *http_client_response_header(const struct http_client_response *response,
					const char *name);

/* Performs one exchange. response must be initialised; it is reset first, and
 * after a failure it is left empty (status 0), never holding a partial body. */
hr_status http_client_send(struct http_client *client, const struct http_client_request *request,
			   struct http_client_response *response, struct hr_error *err);

/* Convenience: GET url into response. */
hr_status http_client_get(struct http_client *client, const char *url,
			  struct http_client_response *response, struct hr_error *err);

#endif
