/*
 * http_server_options.c — the [server] settings and their defaults. Values that
 * would make a server unsafe (no body limit, a zero-byte header budget) are out
 * of range and refused with the setting's name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "core/http_server.h"

void http_server_options_default(struct http_server_options *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->listen_host, sizeof(o->listen_host), "127.0.0.1");
	o->listen_port = 8080;
	o->threads = 0;
	o->max_body_bytes = 1024 * 1024;
	o->max_header_bytes = 16 * 1024;
	o->header_timeout_ms = 15000;
	o->idle_timeout_s = 30;
	o->max_connections = 4096;
	o->max_connections_per_ip = 0;
	o->rate_limit_per_s = 0;
	o->rate_limit_burst = 0;
	o->shutdown_timeout_ms = 4000;
	o->access_log = true;
	snprintf(o->name, sizeof(o->name), "http");
}

/* Splits "host:port" or "[v6]:port". */
static hr_status parse_listen(const char *text, struct http_server_options *o, struct hr_error *err)
{
	const char *colon;
	const char *host = text;
	size_t host_len;
	char *end;
	long port;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (close == NULL || close[1] != ':')
			goto bad;
		host = text + 1;
		host_len = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			goto bad;
		host_len = (size_t)(colon - text);
	}
	if (host_len == 0 || host_len >= sizeof(o->listen_host))
		goto bad;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == 0 || *end != 0 || errno != 0 || port < 0 || port > 65535)
		goto bad;
	memcpy(o->listen_host, host, host_len);
	o->listen_host[host_len] = 0;
	o->listen_port = (uint16_t)port;
	return HR_OK;
bad:
	return hr_error_set(err, HR_E_INVALID, "config",
			    "server.listen = '%.100s' is not host:port (e.g. 127.0.0.1:8080)",
			    text);
}

/* server.public_url: an absolute http(s) URL to which request paths are appended. */
static hr_status read_public_url(struct config *cfg, struct http_server_options *o,
				 struct hr_error *err)
{
	const char *url = NULL;
	size_t len;
	hr_status rc;

	if ((rc = config_get_str(cfg, "server", "public_url", NULL, &url, err)) != HR_OK ||
	    url == NULL)
		return rc;
	len = strlen(url);
	if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
	    len == strlen("https://") || strcspn(url, " \t?#") != len)
		return hr_error_set(
		    err, HR_E_INVALID, "config",
		    "server.public_url = '%.100s' is not an http:// or https:// URL", url);
	if (url[len - 1] == '/')
		return hr_error_set(err, HR_E_INVALID, "config",
				    "server.public_url must not end with '/': request paths are "
				    "appended to it");
	if (len >= sizeof(o->public_url))
		return hr_error_set(err, HR_E_INVALID, "config", "server.public_url is too long");
	memcpy(o->public_url, url, len + 1);
	return HR_OK;
}

hr_status http_server_options_from_config(struct config *cfg, struct http_server_options *o,
					  struct hr_error *err)
{
	const char *listen = NULL;
	int64_t v;
	hr_status rc;

	if ((rc = config_get_str(cfg, "server", "listen", NULL, &listen, err)) != HR_OK)
		return rc;
	if (listen != NULL && (rc = parse_listen(listen, o, err)) != HR_OK)
		return rc;
#define GET_INT(key, field, min, max)                                                              \
	do {                                                                                       \
		if ((rc = config_get_int(cfg, "server", key, (int64_t)o->field, min, max, &v,      \
					 err)) != HR_OK)                                           \
			return rc;                                                                 \
		o->field = (__typeof__(o->field))v;                                                \
	} while (0)
	GET_INT("threads", threads, 0, 1024);
	GET_INT("max_body_bytes", max_body_bytes, 1, 1024LL * 1024 * 1024);
	GET_INT("max_header_bytes", max_header_bytes, 1024, 1024 * 1024);
	GET_INT("header_timeout_ms", header_timeout_ms, 0, 3600 * 1000);
	GET_INT("idle_timeout_s", idle_timeout_s, 0, 3600);
	GET_INT("max_connections", max_connections, 1, 1000000);
	GET_INT("max_connections_per_ip", max_connections_per_ip, 0, 1000000);
	GET_INT("rate_limit_burst", rate_limit_burst, 0, 1000000);
	GET_INT("shutdown_timeout_ms", shutdown_timeout_ms, 0, 600 * 1000);
#undef GET_INT
	if ((rc = config_get_int(cfg, "server", "rate_limit_per_s", (int64_t)o->rate_limit_per_s, 0,
				 1000000, &v, err)) != HR_OK)
		return rc;
	o->rate_limit_per_s = (double)v;
	if (o->rate_limit_per_s > 0 && o->rate_limit_burst == 0)
		o->rate_limit_burst = (unsigned)(o->rate_limit_per_s < 1 ? 1 : o->rate_limit_per_s);
	if ((rc = read_public_url(cfg, o, err)) != HR_OK)
		return rc;
	return config_get_bool(cfg, "server", "access_log", o->access_log, &o->access_log, err);
}

hr_status http_server_options_require_own_url(struct config *cfg, struct hr_error *err)
{
	struct http_server_options o;
	hr_status rc;

	http_server_options_default(&o);
	if ((rc = http_server_options_from_config(cfg, &o, err)) != HR_OK)
		return rc;
	if (o.public_url[0] == 0 &&
	    (strcmp(o.listen_host, "0.0.0.0") == 0 || strcmp(o.listen_host, "::") == 0))
		return hr_error_set(
		    err, HR_E_INVALID, "config",
		    "server.public_url is required when listening on every address "
		    "(%s): clients sign the URL they call, and it cannot be that one",
		    o.listen_host);
	return HR_OK;
}
