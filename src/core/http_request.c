/*
 * http_request.c — what a handler sees of a request: method, path, parameters,
 * headers and body, and the one reply it sends. Every reply carries the request
 * id, no-store caching and nosniff; errors always have the JSON shape
 * {"error": {"code": ..., "message": ...}}.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/http_server_internal.h"
#include "core/json.h"
#include "core/log.h"

#define RESPONSE_LIMIT (64u * 1024 * 1024)

/* ------------------------------------------------------------------------ */
/* replies                                                                   */

unsigned http_status_for(hr_status status)
{
	switch (status) {
	case HR_OK:
		return 200;
	case HR_E_INVALID:
		return 400;
	case HR_E_SIGNATURE:
	case HR_E_EXPIRED:
		return 401;
	case HR_E_DENIED:
		return 403;
	case HR_E_NOT_FOUND:
		return 404;
	case HR_E_CONFLICT:
		return 409;
	case HR_E_TOO_LARGE:
		return 413;
	case HR_E_UNSUPPORTED:
		return 422;
	case HR_E_BUSY:
		return 429;
	case HR_E_UNAVAILABLE:
		return 503;
	case HR_E_TIMEOUT:
		return 504;
	default:
		return 500;
	}
}

hr_status http_reply_header(struct http_request *r, const char *name, const char *value)
{
	struct reply_header *h;

	if (r->header_count == MAX_REPLY_HEADERS)
		return HR_E_TOO_LARGE;
	h = &r->headers[r->header_count];
	h->name = strdup(name);
	h->value = strdup(value);
	if (h->name == NULL || h->value == NULL) {
		free(h->name);
		free(h->value);
		return HR_E_NOMEM;
	}
	r->header_count++;
	return HR_OK;
}

static bool reply_has_header(const struct http_request *r, const char *name)
{
	for (size_t i = 0; i < r->header_count; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return true;
	return false;
}

/* Queues a response of `data`: owned (malloc'ed, freed by MHD) or static. */
static void reply_queue(struct http_request *r, unsigned status, const char *content_type,
			void *data, size_t len, bool owned)
{
	struct MHD_Response *resp;

	if (r->status != 0) {
		/* A second reply is a bug in a handler; keep the first. */
		log_error("http.double_reply", "handler replied twice; second reply dropped");
		if (owned)
			free(data);
		return;
	}
	resp = MHD_create_response_from_buffer(
	    len, data, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		if (owned)
			free(data);
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* Nothing a role answers may be kept, unless its handler says otherwise
	 * (the built-in web files, which hold no personal data). */
	if (!reply_has_header(r, MHD_HTTP_HEADER_CACHE_CONTROL))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	for (size_t i = 0; i < r->header_count; i++)
		MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
	if (r->tracked != NULL)
		http_connection_mark_answered(r->tracked);
	if (MHD_queue_response(r->connection, status, resp) == MHD_YES) {
		r->status = status;
		r->response_bytes = len;
	}
	MHD_destroy_response(resp);
}

void http_request_reply_owned(struct http_request *r, unsigned status, const char *content_type,
			      void *data, size_t len)
{
	reply_queue(r, status, content_type, data, len, true);
}

void http_reply_static(struct http_request *r, unsigned status, const char *content_type,
		       const void *data, size_t len)
{
	reply_queue(r, status, content_type, (void *)data, len, false);
}

void http_reply_bytes(struct http_request *r, unsigned status, const char *content_type,
		      const void *data, size_t len)
{
	void *copy = malloc(len ? len : 1);

	if (copy == NULL)
		return;
	if (len)
		memcpy(copy, data, len);
	http_request_reply_owned(r, status, content_type, copy, len);
}

void http_reply_json(struct http_request *r, unsigned status, json_t *body)
{
	struct buf out;
	size_t len;
	uint8_t *data;

	buf_init(&out, RESPONSE_LIMIT);
	if (hr_json_dump(body, &out) != HR_OK || buf_append_byte(&out, '\n') != HR_OK) {
		json_decref(body);
		buf_clear(&out);
		log_error("http.reply", "response JSON could not be serialised");
		http_reply_bytes(r, 500, "application/json",
				 "{\"error\":{\"code\":\"internal\",\"message\":\"response too "
				 "large\"}}\n",
				 62);
		return;
	}
	json_decref(body);
	data = buf_take(&out, &len);
	http_request_reply_owned(r, status, "application/json", data, len);
}

void http_request_reply_error_text(struct http_request *r, unsigned status, const char *code,
				   const char *message)
{
	json_t *body = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);

	if (body == NULL) { /* message was not valid UTF-8 */
		body = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message",
				 "(message not representable)");
	}
	if (body != NULL)
		http_reply_json(r, status, body);
}

void http_reply_error(struct http_request *r, unsigned status, const char *code, const char *fmt,
		      ...)
{
	char message[HR_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	http_request_reply_error_text(r, status, code, message);
}

void http_reply_from_error(struct http_request *r, const struct hr_error *err)
{
	unsigned status = http_status_for(err->status);

	if (status >= 500)
		log_error("http.handler_error", "%s: %s", err->stage, err->message);
	http_request_reply_error_text(r, status, hr_status_name(err->status),
				      err->message[0] ? err->message : hr_status_name(err->status));
}

/* ------------------------------------------------------------------------ */
/* request accessors                                                         */

struct http_server *http_request_server(const struct http_request *r)
{
	return r->server;
}

const char *http_request_method(const struct http_request *r)
{
	return r->method;
}

const char *http_request_path(const struct http_request *r)
{
	return r->path;
}

const char *http_request_param(struct http_request *r, const char *name)
{
	for (size_t i = 0; i < r->match.param_count; i++) {
		if (strcmp(r->match.params[i].name, name) != 0)
			continue;
		if (r->params[i] == NULL)
			r->params[i] = strndup((const char *)r->match.params[i].value.ptr,
					       r->match.params[i].value.len);
		return r->params[i];
	}
	return NULL;
}

const char *http_request_query(const struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_request_header(const struct http_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, name);
}

struct header_count {
	const char *name;
	unsigned count;
};

static enum MHD_Result count_header(void *context, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct header_count *c = context;

	(void)kind;
	(void)value;
	if (key != NULL && strcasecmp(key, c->name) == 0)
		c->count++;
	return MHD_YES;
}

unsigned http_request_header_count(const struct http_request *r, const char *name)
{
	struct header_count c = {name, 0};

	MHD_get_connection_values(r->connection, MHD_HEADER_KIND, count_header, &c);
	return c.count;
}

struct slice http_request_body(const struct http_request *r)
{
	return buf_slice(&r->body);
}

const char *http_request_id(const struct http_request *r)
{
	return r->id;
}

const char *http_request_peer(const struct http_request *r)
{
	return r->peer;
}

unsigned http_request_reply_status(const struct http_request *r)
{
	return r->status;
}

const char *http_request_own_url(const struct http_request *r)
{
	return r->server->options.public_url[0] ? r->server->options.public_url
						: http_server_url(r->server);
}

hr_status http_request_json(const struct http_request *r, json_t **out, struct hr_error *err)
{
	return hr_json_parse_object(r->body.data, r->body.len, out, err);
}
