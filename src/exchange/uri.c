/*
 * uri.c — absolute http(s) URIs, split without allocation (see uri.h).
 *
 *	https://Host.Example:8443/a/b?x=1#frag
 *	scheme   host         port path query fragment
 */
#include "exchange/uri.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool printable(char c)
{
	return c > 0x20 && c < 0x7f;
}

static bool host_char(char c)
{
	return isalnum((unsigned char)c) || strchr("-._~%!$&'()*+,;=", c) != NULL;
}

static bool literal_char(char c)
{
	return isxdigit((unsigned char)c) || c == ':' || c == '.' || c == 'v' || c == 'V';
}

/* Every '%' starts a two-hex-digit escape (RFC 3986 §2.1). */
static bool escapes_valid(struct slice s)
{
	for (size_t i = 0; i < s.len; i++) {
		if (s.ptr[i] != '%')
			continue;
		if (i + 2 >= s.len)
			return false;
		if (!isxdigit(s.ptr[i + 1]) || !isxdigit(s.ptr[i + 2]))
			return false;
		i += 2;
	}
	return true;
}

/* The authority "host[:port]" (RFC 3986 §3.2), user information refused. */
static hr_status split_authority(const char *a, size_t len, struct uri_parts *out)
{
	size_t host_len = len;

	if (len == 0 || memchr(a, '@', len) != NULL)
		return HR_E_INVALID;
	if (a[0] == '[') {
		const char *close = memchr(a, ']', len);

		if (close == NULL || close == a + 1)
			return HR_E_INVALID;
		host_len = (size_t)(close - a) + 1;
		for (size_t i = 1; i + 1 < host_len; i++) {
			if (!literal_char(a[i]))
				return HR_E_INVALID;
		}
		if (host_len < len && a[host_len] != ':')
			return HR_E_INVALID;
	} else {
		const char *colon = memchr(a, ':', len);

		if (colon != NULL)
			host_len = (size_t)(colon - a);
		if (host_len == 0)
			return HR_E_INVALID;
		for (size_t i = 0; i < host_len; i++) {
			if (!host_char(a[i]))
				return HR_E_INVALID;
		}
	}
	out->host = slice_make(a, host_len);
	out->port = slice_make(a + len, 0);
	if (host_len < len) {
		const char *digits = a + host_len + 1;
		size_t n = len - host_len - 1;

		unsigned long port = 0;

		if (n > 5)
			return HR_E_INVALID;
		for (size_t i = 0; i < n; i++) {
			if (!isdigit((unsigned char)digits[i]))
				return HR_E_INVALID;
			port = port * 10 + (unsigned long)(digits[i] - '0');
		}
		if (port > 65535)
			return HR_E_INVALID;
		out->port = slice_make(digits, n);
	}
	return escapes_valid(out->host) ? HR_OK : HR_E_INVALID;
}

hr_status uri_split(const char *uri, size_t len, struct uri_parts *out)
{
	const char *p, *end = uri + len, *authority;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (uri == NULL || len == 0 || len > URI_MAX_LEN)
		return HR_E_INVALID;
	for (size_t i = 0; i < len; i++) {
		if (!printable(uri[i]))
			return HR_E_INVALID;
	}
	if (len > 7 && strncasecmp(uri, "http://", 7) == 0) {
		out->scheme = slice_make(uri, 4);
		authority = uri + 7;
	} else if (len > 8 && strncasecmp(uri, "https://", 8) == 0) {
		out->scheme = slice_make(uri, 5);
		out->https = true;
		authority = uri + 8;
	} else {
		return HR_E_INVALID;
	}
	for (p = authority; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
		;
	if (split_authority(authority, (size_t)(p - authority), out) != HR_OK)
		return HR_E_INVALID;
	for (n = 0; p + n < end && p[n] != '?' && p[n] != '#'; n++)
		;
	out->path = slice_make(p, n);
	p += n;
	if (p < end && *p == '?') {
		p++;
		for (n = 0; p + n < end && p[n] != '#'; n++)
			;
		out->query = slice_make(p, n);
		out->has_query = true;
		p += n;
	}
	if (p < end && *p == '#') {
		p++;
		out->fragment = slice_make(p, (size_t)(end - p));
		out->has_fragment = true;
	}
	return escapes_valid(out->path) && escapes_valid(out->query) && escapes_valid(out->fragment)
		   ? HR_OK
		   : HR_E_INVALID;
}

hr_status uri_append_authority(const struct uri_parts *parts, struct buf *out)
{
	unsigned long port = 0;

	for (size_t i = 0; i < parts->host.len; i++)
		buf_append_byte(out, (uint8_t)tolower(parts->host.ptr[i]));
	/* uri_split checked the digits and the range */
	for (size_t i = 0; i < parts->port.len; i++)
		port = port * 10 + (unsigned long)(parts->port.ptr[i] - '0');
	if (parts->port.len > 0 && port != (parts->https ? 443u : 80u))
		buf_printf(out, ":%lu", port);
	return out->error;
}
