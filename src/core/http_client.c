/*
 * http_client.c — outgoing HTTP over libcurl's easy interface.
 *
 * One exchange runs on one libcurl easy handle borrowed from the client's stack
 * of idle handles. An easy handle owns a connection cache, and curl_easy_reset()
 * forgets every option but keeps the live connections; so a handle goes back on
 * the stack reset (holding no pointer into the caller's request) yet still
 * connected, and the next request to the same peer skips the TCP (and TLS)
 * handshake. The stack is LIFO so the warmest handle is reused first. A shared
 * multi handle would pool connections across threads too, but needs a driver
 * loop and lock callbacks; a mutex held for one push or pop is simpler.
 *
 * Every option is set afresh for each exchange, so nothing leaks from one
 * request into the next.
 *
 * What this file never does:
 *  - follow a redirect: a peer's Location is its answer, not an instruction;
 *  - speak anything but http and https (no file://, no gopher://, ...);
 *  - take a proxy from the environment: roles reach their peers directly, and
 *    an inherited http_proxy must not silently reroute signed traffic;
 *  - hand back a truncated body as a success: past max_response_bytes the
 *    transfer is aborted and the call fails with HR_E_TOO_LARGE;
 *  - put a URL's query string or user:password in a message: they may carry
 *    tokens. Errors show scheme://host:port/path only.
 */
#include "core/http_client.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/error.h"

#define STAGE "http_client"

#define DEFAULT_CONNECT_TIMEOUT_MS 2000u
#define DEFAULT_TIMEOUT_MS         10000u
#define DEFAULT_MAX_RESPONSE_BYTES (8u * 1024 * 1024)
#define DEFAULT_MAX_IDLE_HANDLES   16u

#define REQUEST_HEADER_LINE_MAX (64u * 1024) /* one "Name: value" we send */
#define SHOWN_URL_MAX           160          /* the redacted URL in messages */

struct http_client {
	struct http_client_options options; /* every field non-zero */
	pthread_mutex_t lock;               /* guards idle and idle_count */
	CURL **idle;                        /* options.max_idle_handles slots */
	size_t idle_count;
	_Atomic unsigned long connections_opened;
};

/* What the libcurl callbacks of one exchange share with http_client_send. */
struct exchange {
	struct http_client_response *response;
	size_t header_bytes;    /* names and values of the current response */
	hr_status abort_status; /* why a callback stopped the transfer, else HR_OK */
	const char *abort_what; /* ... in words; NULL: the body outgrew the limit */
};

/* ------------------------------------------------------------------------ */
/* libcurl, once per process                                                 */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

/*
 * curl_global_init is not thread-safe, hence the once. There is deliberately no
 * curl_global_cleanup: it is not thread-safe either, and other clients may still
 * live; the process exit reclaims what it holds.
 */
static void global_init(void)
{
	global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ------------------------------------------------------------------------ */
/* the client                                                                */

void http_client_options_default(struct http_client_options *options)
{
	memset(options, 0, sizeof(*options));
	options->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	options->timeout_ms = DEFAULT_TIMEOUT_MS;
	options->max_response_bytes = DEFAULT_MAX_RESPONSE_BYTES;
	options->max_idle_handles = DEFAULT_MAX_IDLE_HANDLES;
}

struct http_client *http_client_new(const struct http_client_options *options)
{
	struct http_client *client;
	struct http_client_options *o;

	if (pthread_once(&global_once, global_init) != 0 || global_result != CURLE_OK)
		return NULL;
	if ((client = calloc(1, sizeof(*client))) == NULL)
		return NULL;
	o = &client->options;
	http_client_options_default(o);
	if (options != NULL) {
		if (options->connect_timeout_ms)
			o->connect_timeout_ms = options->connect_timeout_ms;
		if (options->timeout_ms)
			o->timeout_ms = options->timeout_ms;
		if (options->max_response_bytes)
			o->max_response_bytes = options->max_response_bytes;
		if (options->max_idle_handles)
			o->max_idle_handles = options->max_idle_handles;
	}
	client->idle = calloc(o->max_idle_handles, sizeof(*client->idle));
	if (client->idle == NULL)
		goto fail;
	if (pthread_mutex_init(&client->lock, NULL) != 0)
		goto fail;
	atomic_init(&client->connections_opened, 0);
	return client;
fail:
	free(client->idle);
	free(client);
	return NULL;
}

void http_client_free(struct http_client *client)
{
	if (client == NULL)
		return;
	for (size_t i = 0; i < client->idle_count; i++)
		curl_easy_cleanup(client->idle[i]);
	pthread_mutex_destroy(&client->lock);
	free(client->idle);
	free(client);
}

unsigned long http_client_connections_opened(const struct http_client *client)
{
	return atomic_load(&client->connections_opened);
}

/* The most recently returned handle (the one most likely still connected), or a new one. */
static CURL *client_borrow(struct http_client *client)
{
	CURL *handle = NULL;

	pthread_mutex_lock(&client->lock);
	if (client->idle_count > 0)
		handle = client->idle[--client->idle_count];
	pthread_mutex_unlock(&client->lock);
	return handle != NULL ? handle : curl_easy_init();
}

static void client_return(struct http_client *client, CURL *handle)
{
	/* Drops the options (and with them every pointer into the finished
	 * request), keeps the connection cache. */
	curl_easy_reset(handle);
	pthread_mutex_lock(&client->lock);
	if (client->idle_count < client->options.max_idle_handles) {
		client->idle[client->idle_count++] = handle;
		handle = NULL;
	}
	pthread_mutex_unlock(&client->lock);
	if (handle != NULL)
		curl_easy_cleanup(handle); /* a burst is over: close its connection */
}

/* ------------------------------------------------------------------------ */
/* responses                                                                 */

static void response_headers_clear(struct http_client_response *response)
{
	for (size_t i = 0; i < response->header_count; i++) {
		free((void *)response->headers[i].name);
		free((void *)response->headers[i].value);
		response->headers[i].name = NULL;
		response->headers[i].value = NULL;
	}
	response->header_count = 0;
}

/* Empty again, keeping the body's storage for the next exchange. */
static void response_reset(struct http_client_response *response)
{
	response_headers_clear(response);
	buf_reset(&response->body);
	response->status = 0;
}

void http_client_response_init(struct http_client_response *response)
{
	memset(response, 0, sizeof(*response));
	buf_init(&response->body, 0); /* http_client_send sets the client's limit */
}

void http_client_response_clear(struct http_client_response *response)
{
	response_headers_clear(response);
	buf_clear(&response->body);
	response->status = 0;
}

const char *http_client_response_header(const struct http_client_response *response,
					const char *name)
{
	for (size_t i = 0; i < response->header_count; i++) {
		if (strcasecmp(response->headers[i].name, name) == 0)
			return response->headers[i].value;
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* the libcurl callbacks                                                     */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Returning a count other than len makes libcurl abort with CURLE_WRITE_ERROR. */
static size_t exchange_abort(struct exchange *x, hr_status status, const char *what)
{
	x->abort_status = status;
	x->abort_what = what;
	return 0;
}

/* RFC 9112 §5.2: a user agent replaces an obs-fold with SP, so a continuation
 * line extends the previous field's value. */
static size_t header_unfold(struct exchange *x, const char *text, size_t len, size_t line_len)
{
	struct http_client_response *r = x->response;
	struct http_header *last;
	size_t old;
	char *value;

	if (r->header_count == 0 || len == 0)
		return line_len; /* nothing to continue, or nothing to add */
	if (len + 1 > HTTP_CLIENT_MAX_HEADER_BYTES - x->header_bytes)
		return exchange_abort(x, HR_E_TOO_LARGE, "response header fields are too large");
	last = &r->headers[r->header_count - 1];
	old = strlen(last->value);
	if ((value = realloc((void *)last->value, old + 1 + len + 1)) == NULL)
		return exchange_abort(x, HR_E_NOMEM, "out of memory");
	value[old] = ' ';
	memcpy(value + old + 1, text, len);
	value[old + 1 + len] = 0;
	last->value = value;
	x->header_bytes += len + 1;
	return line_len;
}

/*
 * Called once per header line of every response, including the status line,
 * the blank line that ends the header, and the lines of 1xx interim responses
 * (RFC 9110 §15.2), whose fields must not be taken for the final response's.
 */
static size_t on_header(char *data, size_t size, size_t count, void *userdata)
{
	struct exchange *x = userdata;
	struct http_client_response *r = x->response;
	size_t line_len = size * count, len = line_len;
	size_t name_len, value_len;
	const char *colon, *value;
	char *name_copy = NULL, *value_copy = NULL;

	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		response_headers_clear(r); /* a new response begins */
		x->header_bytes = 0;
		return line_len;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len == 0)
		return line_len;
	if (is_blank(data[0])) {
		while (len > 0 && is_blank(*data)) {
			data++;
			len--;
		}
		while (len > 0 && is_blank(data[len - 1]))
			len--;
		return header_unfold(x, data, len, line_len);
	}
	if ((colon = memchr(data, ':', len)) == NULL)
		return line_len; /* not a field; curl has judged the framing already */
	name_len = (size_t)(colon - data);
	while (name_len > 0 && is_blank(data[name_len - 1]))
		name_len--;
	value = colon + 1;
	value_len = len - (size_t)(value - data);
	while (value_len > 0 && is_blank(*value)) {
		value++;
		value_len--;
	}
	while (value_len > 0 && is_blank(value[value_len - 1]))
		value_len--;
	if (name_len == 0)
		return line_len;

	if (r->header_count == HTTP_CLIENT_MAX_HEADERS)
		return exchange_abort(x, HR_E_TOO_LARGE, "response has too many header fields");
	if (name_len + value_len > HTTP_CLIENT_MAX_HEADER_BYTES - x->header_bytes)
		return exchange_abort(x, HR_E_TOO_LARGE, "response header fields are too large");
	name_copy = strndup(data, name_len);
	value_copy = strndup(value, value_len);
	if (name_copy == NULL || value_copy == NULL) {
		free(name_copy);
		free(value_copy);
		return exchange_abort(x, HR_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < name_len; i++) {
		if (name_copy[i] >= 'A' && name_copy[i] <= 'Z')
			name_copy[i] = (char)(name_copy[i] - 'A' + 'a');
	}
	r->headers[r->header_count].name = name_copy;
	r->headers[r->header_count].value = value_copy;
	r->header_count++;
	x->header_bytes += name_len + value_len;
	return line_len;
}

static size_t on_body(char *data, size_t size, size_t count, void *userdata)
{
	struct exchange *x = userdata;
	size_t len = size * count;
	hr_status rc;

	/* buf_append refuses to grow past the limit and leaves the buffer as it was */
	if ((rc = buf_append(&x->response->body, data, len)) != HR_OK)
		return exchange_abort(x, rc, rc == HR_E_TOO_LARGE ? NULL : "out of memory");
	return len;
}

/* ------------------------------------------------------------------------ */
/* building the request                                                      */

/*
 * Parses the URL into u and writes scheme://host:port/path into shown for
 * messages. A URL we could not parse is never shown: it may be a secret
 * mistyped into the wrong place.
 */
static hr_status url_parse(const char *text, CURLU **out, char *shown, size_t shown_size,
			   struct hr_error *err)
{
	CURLU *u;
	CURLUcode uc;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	hr_status rc = HR_OK;

	snprintf(shown, shown_size, "(URL not shown)");
	*out = NULL;
	if (text == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no URL given");
	if ((u = curl_url()) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	/* CURLU_NON_SUPPORT_SCHEME: let file:// parse, so the refusal below names it */
	if ((uc = curl_url_set(u, CURLUPART_URL, text, CURLU_NON_SUPPORT_SCHEME)) != CURLUE_OK) {
		rc = hr_error_set(err, uc == CURLUE_OUT_OF_MEMORY ? HR_E_NOMEM : HR_E_INVALID,
				  STAGE, "malformed URL: %s", curl_url_strerror(uc));
		goto fail;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "malformed URL: needs a scheme, a host and a port");
		goto fail;
	}
	if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "URL scheme '%.16s' is not allowed; only http and https", scheme);
		goto fail;
	}
	snprintf(shown, shown_size, "%s://%s:%s%s", scheme, host, port, path);
	*out = u;
	u = NULL;
fail:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

/* RFC 9110 §5.6.2: a field name is a token. */
static bool header_name_valid(const char *name)
{
	if (name == NULL || *name == 0)
		return false;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c) != NULL)
			return false;
	}
	return true;
}

/* A CR or LF in a value would let it forge further header lines. */
static bool header_value_valid(const char *value)
{
	return value != NULL && strpbrk(value, "\r\n") == NULL;
}

static bool request_has_header(const struct http_client_request *request, const char *name)
{
	for (size_t i = 0; i < request->header_count; i++) {
		if (strcasecmp(request->headers[i].name, name) == 0)
			return true;
	}
	return false;
}

static hr_status header_list_add(struct curl_slist **list, struct buf *line)
{
	struct curl_slist *grown;

	if (line->error != HR_OK)
		return line->error;
	if ((grown = curl_slist_append(*list, buf_str(line))) == NULL)
		return HR_E_NOMEM;
	*list = grown;
	return HR_OK;
}

/*
 * The caller's headers as a curl list, plus two of ours when a body is sent and
 * the caller did not set them: "Expect:" stops libcurl from waiting (up to a
 * second) for a 100 Continue the server may never send, and "Content-Type:"
 * stops it from claiming the body is a form when the caller did not say what
 * it is.
 */
static hr_status header_list_build(const struct http_client_request *request, bool sends_body,
				   struct curl_slist **out, struct hr_error *err)
{
	struct curl_slist *list = NULL;
	struct buf line;
	hr_status rc = HR_OK;

	buf_init(&line, REQUEST_HEADER_LINE_MAX);
	if (request->header_count > 0 && request->headers == NULL) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "header_count without headers");
		goto fail;
	}
	for (size_t i = 0; i < request->header_count; i++) {
		const struct http_header *h = &request->headers[i];

		if (!header_name_valid(h->name) || !header_value_valid(h->value)) {
			rc = hr_error_set(err, HR_E_INVALID, STAGE,
					  "request header %zu has an invalid name or value", i);
			goto fail;
		}
		buf_reset(&line);
		/* "Name;" is libcurl's spelling of a field with an empty value;
		 * "Name:" would remove the field instead. */
		if (h->value[0] == 0)
			buf_printf(&line, "%s;", h->name);
		else
			buf_printf(&line, "%s: %s", h->name, h->value);
		if ((rc = header_list_add(&list, &line)) != HR_OK) {
			rc = hr_error_set(err, rc, STAGE, "request header '%.64s' is too large",
					  h->name);
			goto fail;
		}
	}
	if (sends_body) {
		if (!request_has_header(request, "Expect")) {
			buf_reset(&line);
			buf_append_str(&line, "Expect:");
			if ((rc = header_list_add(&list, &line)) != HR_OK)
				goto nomem;
		}
		if (!request_has_header(request, "Content-Type")) {
			buf_reset(&line);
			buf_append_str(&line, "Content-Type:");
			if ((rc = header_list_add(&list, &line)) != HR_OK)
				goto nomem;
		}
	}
	buf_clear(&line);
	*out = list;
	return HR_OK;
nomem:
	rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
fail:
	buf_clear(&line);
	curl_slist_free_all(list);
	return rc;
}

enum method_body {
	BODY_NEVER,    /* GET, HEAD */
	BODY_OPTIONAL, /* DELETE: sent only when given */
	BODY_ALWAYS,   /* POST, PUT, PATCH: Content-Length 0 when none is given */
};

static const struct {
	const char *name;
	enum method_body body;
} methods[] = {
    {"GET", BODY_NEVER},  {"HEAD", BODY_NEVER},   {"POST", BODY_ALWAYS},
    {"PUT", BODY_ALWAYS}, {"PATCH", BODY_ALWAYS}, {"DELETE", BODY_OPTIONAL},
};

#define SET(handle, option, value)                                                                 \
	do {                                                                                       \
		if (cc == CURLE_OK)                                                                \
			cc = curl_easy_setopt(handle, option, value);                              \
	} while (0)

/* Every option of one exchange; the handle has just been reset or created. */
static hr_status exchange_configure(CURL *h, const struct http_client *client,
				    const struct http_client_request *request, size_t method,
				    bool sends_body, CURLU *url, struct curl_slist *headers,
				    struct exchange *x, struct hr_error *err)
{
	const struct http_client_options *o = &client->options;
	unsigned timeout_ms = request->timeout_ms ? request->timeout_ms : o->timeout_ms;
	CURLcode cc = CURLE_OK;

	SET(h, CURLOPT_CURLU, url);
	SET(h, CURLOPT_PROTOCOLS_STR, "http,https");
	SET(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(h, CURLOPT_FOLLOWLOCATION, 0L);
	SET(h, CURLOPT_PROXY, "");    /* not even from the environment */
	SET(h, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM for DNS timeouts: we are threaded */
	SET(h, CURLOPT_TCP_NODELAY, 1L);
	SET(h, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_timeout_ms);
	SET(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	SET(h, CURLOPT_USERAGENT, "hromada/" HROMADA_VERSION);
	SET(h, CURLOPT_HTTPHEADER, headers);
	SET(h, CURLOPT_HEADERFUNCTION, on_header);
	SET(h, CURLOPT_HEADERDATA, x);
	SET(h, CURLOPT_WRITEFUNCTION, on_body);
	SET(h, CURLOPT_WRITEDATA, x);

	if (strcmp(methods[method].name, "HEAD") == 0) {
		/* no MAXFILESIZE: a HEAD's Content-Length describes a body never sent */
		SET(h, CURLOPT_NOBODY, 1L);
	} else if (o->max_response_bytes <= INT64_MAX) {
		/* refuses a too-large Content-Length before reading any of the body;
		 * on_body catches bodies of unannounced length */
		SET(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_response_bytes);
	}
	if (sends_body) {
		/* size first: setting it after the data would make libcurl forget the data */
		SET(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)request->body_len);
		SET(h, CURLOPT_POSTFIELDS, request->body_len > 0 ? request->body : "");
		if (strcmp(methods[method].name, "POST") != 0)
			SET(h, CURLOPT_CUSTOMREQUEST, methods[method].name);
	} else if (strcmp(methods[method].name, "DELETE") == 0) {
		SET(h, CURLOPT_CUSTOMREQUEST, "DELETE");
	} else if (strcmp(methods[method].name, "GET") == 0) {
		SET(h, CURLOPT_HTTPGET, 1L);
	}
	if (cc != CURLE_OK)
		return hr_error_set(err, cc == CURLE_OUT_OF_MEMORY ? HR_E_NOMEM : HR_E_IO, STAGE,
				    "libcurl refused an option: %s", curl_easy_strerror(cc));
	return HR_OK;
}

#undef SET

/* ------------------------------------------------------------------------ */
/* one exchange                                                              */

static hr_status exchange_error(CURLcode cc, const struct exchange *x, const char *method,
				const char *shown, unsigned timeout_ms, size_t limit,
				struct hr_error *err)
{
	switch (cc) {
	case CURLE_WRITE_ERROR:
		if (x->abort_status == HR_OK)
			break; /* not one of ours */
		if (x->abort_what != NULL)
			return hr_error_set(err, x->abort_status, STAGE, "%s %s: %s", method, shown,
					    x->abort_what);
		/* else on_body found the body larger than the limit */
		/* FALLTHROUGH */
	case CURLE_FILESIZE_EXCEEDED:
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
				    "%s %s: response body exceeds the %zu-byte limit", method,
				    shown, limit);
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE, "%s %s: %s", method, shown,
				    curl_easy_strerror(cc));
	case CURLE_OPERATION_TIMEDOUT:
		return hr_error_set(err, HR_E_TIMEOUT, STAGE,
				    "%s %s: no complete response within %u ms", method, shown,
				    timeout_ms);
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s %s: %s", method, shown,
				    curl_easy_strerror(cc));
	default:
		break;
	}
	/* libcurl's error buffer is not used: its wording is not ours to audit for
	 * what of the URL it repeats. */
	return hr_error_set(err, HR_E_IO, STAGE, "%s %s: %s", method, shown,
			    curl_easy_strerror(cc));
}

hr_status http_client_send(struct http_client *client, const struct http_client_request *request,
			   struct http_client_response *response, struct hr_error *err)
{
	struct exchange x = {0};
	struct curl_slist *headers = NULL;
	CURLU *url = NULL;
	CURL *handle = NULL;
	char shown[SHOWN_URL_MAX];
	size_t method = sizeof(methods) / sizeof(methods[0]);
	bool sends_body;
	long connects = 0;
	CURLcode cc;
	hr_status rc;

	if (response == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no response to fill");
	response_reset(response);
	if (client == NULL || request == NULL || request->method == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no client, request or method");
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (strcmp(request->method, methods[i].name) == 0)
			method = i;
	}
	if (method == sizeof(methods) / sizeof(methods[0]))
		return hr_error_set(err, HR_E_INVALID, STAGE, "method '%.16s' is not supported",
				    request->method);
	if (request->body_len > 0 && request->body == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "body_len without a body");
	if (request->body_len > 0 && methods[method].body == BODY_NEVER)
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s takes no body",
				    methods[method].name);
	sends_body = methods[method].body == BODY_ALWAYS ||
		     (methods[method].body == BODY_OPTIONAL && request->body != NULL);

	if ((rc = url_parse(request->url, &url, shown, sizeof(shown), err)) != HR_OK)
		return rc;
	if ((rc = header_list_build(request, sends_body, &headers, err)) != HR_OK)
		goto fail;
	if ((handle = client_borrow(client)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto fail;
	}
	response->body.limit = client->options.max_response_bytes;
	x.response = response;
	if ((rc = exchange_configure(handle, client, request, method, sends_body, url, headers, &x,
				     err)) != HR_OK)
		goto fail;

	cc = curl_easy_perform(handle);
	if (curl_easy_getinfo(handle, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0)
		atomic_fetch_add(&client->connections_opened, (unsigned long)connects);
	if (cc != CURLE_OK) {
		rc = exchange_error(cc, &x, methods[method].name, shown,
				    request->timeout_ms ? request->timeout_ms
							: client->options.timeout_ms,
				    client->options.max_response_bytes, err);
		goto fail;
	}
	if (curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response->status) != CURLE_OK ||
	    response->status < 100) {
		rc = hr_error_set(err, HR_E_IO, STAGE, "%s %s: no HTTP status in the response",
				  methods[method].name, shown);
		goto fail;
	}
	rc = HR_OK;
fail:
	if (rc != HR_OK)
		response_reset(response); /* never a partial response */
	if (handle != NULL)
		client_return(client, handle);
	curl_slist_free_all(headers);
	curl_url_cleanup(url);
	return rc;
}

hr_status http_client_get(struct http_client *client, const char *url,
			  struct http_client_response *response, struct hr_error *err)
{
	struct http_client_request request = {.method = "GET", .url = url};

	return http_client_send(client, &request, response, err);
}
