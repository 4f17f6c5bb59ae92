/*
 * uri.h — splitting an absolute http(s) URI (RFC 3986 §3) into the parts that
 * DPoP's htu (RFC 9449 §4.3) and HTTP message signatures' derived components
 * (RFC 9421 §2.2) look at, and the normal form of its authority (RFC 9110
 * §4.2.3: host in lower case, default port omitted).
 *
 * Only what those two need: scheme http or https, no user information, ASCII
 * without spaces or control characters. Parts are slices of the input; nothing
 * is allocated.
 */
#ifndef HROMADA_EXCHANGE_URI_H
#define HROMADA_EXCHANGE_URI_H

#include <stdbool.h>
#include <stddef.h>

#include <hromada/status.h>

#include "core/buf.h"

/* Longest URI accepted. */
#define URI_MAX_LEN 2048

struct uri_parts {
	struct slice scheme;   /* "https", as written */
	struct slice host;     /* "example.com" or "[::1]", as written */
	struct slice port;     /* digits, empty when absent */
	struct slice path;     /* "/a/b", possibly empty */
	struct slice query;    /* without the '?' */
	struct slice fragment; /* without the '#' */
	bool has_query;
	bool has_fragment;
	bool https;
};

/* HR_E_INVALID when uri is not an absolute http(s) URI of that shape. */
hr_status uri_split(const char *uri, size_t len, struct uri_parts *out);

/* Appends "host[:port]", host lower-cased, port omitted when it is the
 * scheme's default (80, 443). */
hr_status uri_append_authority(const struct uri_parts *parts, struct buf *out);

#endif
