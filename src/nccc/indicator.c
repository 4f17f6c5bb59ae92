/*
 * indicator.c — checks an indicator's value against its type and writes it in
 * one canonical form, so equal things compare equal in the store and in the
 * correlation index (value_index.c) whoever sent them.
 *
 * Untrusted: values come from members' reports and from partners' MISP events
 * and STIX bundles. Everything here reads at most NCCC_VALUE_MAX bytes of a
 * NUL-terminated string, writes only into the caller's out[size], allocates
 * nothing, and refuses rather than guesses: a value that is not exactly what
 * its type says (an IPv4 address with a port, a Unicode domain name, a hash of
 * the wrong length) is HR_E_INVALID, never "repaired".
 */
#include "nccc/indicator.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/documents.h"
#include "core/error.h"

enum indicator_kind {
	KIND_IPV4,
	KIND_IPV6,
	KIND_IP_ANY, /* MISP's ip-src / ip-dst: either family */
	KIND_DOMAIN,
	KIND_URL,
	KIND_EMAIL,
	KIND_HEX,
	KIND_MEMBER,
	KIND_TEXT,
};

struct indicator_type {
	const char *name;
	const char *class; /* NULL: not indexed */
	enum indicator_kind kind;
	size_t hex_len; /* KIND_HEX: digits */
};

/* Ours (as STIX names them, nccc_model.h) first, then MISP's aliases. */
static const struct indicator_type types[] = {
    {"ipv4-addr", "ip", KIND_IPV4, 0},
    {"ipv6-addr", "ip", KIND_IPV6, 0},
    {"domain-name", "domain", KIND_DOMAIN, 0},
    {"url", "url", KIND_URL, 0},
    {"email-addr", "email", KIND_EMAIL, 0},
    {"file:md5", "md5", KIND_HEX, 32},
    {"file:sha1", "sha1", KIND_HEX, 40},
    {"file:sha256", "sha256", KIND_HEX, 64},
    {"file:sha512", "sha512", KIND_HEX, 128},
    {"x509-certificate:sha256", "x509-sha256", KIND_HEX, 64},
    {"hromada-member", "member", KIND_MEMBER, 0},
    {"hromada-leak-fingerprint", "sha256", KIND_HEX, 64},
    {"stix-pattern", NULL, KIND_TEXT, 0},
    /* MISP attribute types (MISP describeTypes) with the same meaning */
    {"ip-src", "ip", KIND_IP_ANY, 0},
    {"ip-dst", "ip", KIND_IP_ANY, 0},
    {"domain", "domain", KIND_DOMAIN, 0},
    {"hostname", "domain", KIND_DOMAIN, 0},
    {"uri", "url", KIND_URL, 0},
    {"email", "email", KIND_EMAIL, 0},
    {"email-src", "email", KIND_EMAIL, 0},
    {"email-dst", "email", KIND_EMAIL, 0},
    {"md5", "md5", KIND_HEX, 32},
    {"sha1", "sha1", KIND_HEX, 40},
    {"sha256", "sha256", KIND_HEX, 64},
    {"sha512", "sha512", KIND_HEX, 128},
    {"x509-fingerprint-sha256", "x509-sha256", KIND_HEX, 64},
    {"stix2-pattern", NULL, KIND_TEXT, 0},
};

#define DOMAIN_MAX      253 /* RFC 1035 §2.3.4, without the trailing dot */
#define LABEL_MAX       63
#define EMAIL_LOCAL_MAX 64 /* RFC 5321 §4.5.3.1.1 */

static const struct indicator_type *type_find(const char *type)
{
	if (type == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, type) == 0)
			return &types[i];
	return NULL;
}

const char *indicator_type_class(const char *type)
{
	const struct indicator_type *t = type_find(type);

	return t != NULL ? t->class : NULL;
}

static hr_status refuse(struct hr_error *err, const char *type, const char *why)
{
	return hr_error_set(err, HR_E_INVALID, "indicator", "not a valid %s: %s", type, why);
}

static hr_status copy_out(const char *text, size_t len, char *out, size_t size,
			  struct hr_error *err)
{
	if (len + 1 > size)
		return hr_error_set(err, HR_E_TOO_LARGE, "indicator",
				    "the normalised value needs %zu bytes, %zu given", len + 1,
				    size);
	memmove(out, text, len);
	out[len] = '\0';
	return HR_OK;
}

static hr_status normalise_ip(const char *type, int family, const char *value, char *out,
			      size_t size, struct hr_error *err)
{
	unsigned char addr[16];
	char text[INET6_ADDRSTRLEN];

	if (family == 0)
		family = strchr(value, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(family, value, addr) != 1)
		return refuse(err, type,
			      family == AF_INET ? "not a dotted-quad IPv4 address"
						: "not an IPv6 address");
	if (inet_ntop(family, addr, text, sizeof(text)) == NULL)
		return refuse(err, type, "cannot be written back");
	return copy_out(text, strlen(text), out, size, err);
}

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Lower-cases len bytes of value into out and checks it is a host name. */
static hr_status normalise_domain(const char *type, const char *value, size_t len, char *out,
				  size_t size, struct hr_error *err)
{
	size_t label = 0;

	if (len > 0 && value[len - 1] == '.')
		len--; /* the root's dot: "example.com." is "example.com" */
	if (len == 0)
		return refuse(err, type, "empty");
	if (len > DOMAIN_MAX)
		return refuse(err, type, "longer than 253 characters");
	if (len + 1 > size)
		return copy_out(value, len, out, size, err);
	for (size_t i = 0; i < len; i++) {
		char c = value[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '.') {
			if (label == 0)
				return refuse(err, type, "an empty label");
			if (out[i - 1] == '-')
				return refuse(err, type, "a label ends with '-'");
			label = 0;
		} else {
			if ((unsigned char)c >= 0x80)
				return refuse(err, type,
					      "not ASCII (write an IDN as punycode, xn--...)");
			if (!label_char(c))
				return refuse(err, type, "a character not allowed in a host name");
			if (label == 0 && c == '-')
				return refuse(err, type, "a label starts with '-'");
			if (++label > LABEL_MAX)
				return refuse(err, type, "a label longer than 63 characters");
		}
		out[i] = c;
	}
	if (label == 0)
		return refuse(err, type, "an empty label");
	if (out[len - 1] == '-')
		return refuse(err, type, "a label ends with '-'");
	out[len] = '\0';
	return HR_OK;
}

static bool visible_ascii(char c)
{
	return c > 0x20 && c < 0x7f;
}

static hr_status normalise_email(const char *type, const char *value, size_t len, char *out,
				 size_t size, struct hr_error *err)
{
	const char *at = strrchr(value, '@');
	size_t local;
	hr_status rc;

	if (at == NULL)
		return refuse(err, type, "no '@'");
	local = (size_t)(at - value);
	if (local == 0 || local > EMAIL_LOCAL_MAX)
		return refuse(err, type, "the part before '@' is empty or longer than 64");
	for (size_t i = 0; i < local; i++)
		if (!visible_ascii(value[i]) && (unsigned char)value[i] < 0x80)
			return refuse(err, type, "a space or control character");
	if (local + 1 >= size)
		return copy_out(value, len, out, size, err);
	memmove(out, value, local + 1);
	rc =
	    normalise_domain(type, at + 1, len - local - 1, out + local + 1, size - local - 1, err);
	return rc;
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static hr_status normalise_url(const char *type, const char *value, size_t len, char *out,
			       size_t size, struct hr_error *err)
{
	size_t i = 0, host, host_end;

	if (len + 1 > size)
		return copy_out(value, len, out, size, err);
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)value[k] <= 0x20 || value[k] == 0x7f)
			return refuse(err, type, "a space or control character");
	while (i < len &&
	       ((value[i] >= 'a' && value[i] <= 'z') || (value[i] >= 'A' && value[i] <= 'Z') ||
		(i > 0 && ((value[i] >= '0' && value[i] <= '9') || value[i] == '+' ||
			   value[i] == '-' || value[i] == '.'))))
		i++;
	if (i == 0 || len - i < 3 || memcmp(value + i, "://", 3) != 0)
		return refuse(err, type, "no scheme (such as https://)");
	host = i + 3;
	/* RFC 3986 §3.2: the authority ends at '/', '?' or '#'; userinfo before '@' */
	host_end = host;
	while (host_end < len && value[host_end] != '/' && value[host_end] != '?' &&
	       value[host_end] != '#')
		host_end++;
	for (size_t k = host; k < host_end; k++)
		if (value[k] == '@')
			host = k + 1;
	if (host < host_end && value[host] == '[') {
		const char *close = memchr(value + host, ']', host_end - host);
		if (close == NULL || close == value + host + 1)
			return refuse(err, type, "an unclosed IPv6 host");
	} else {
		size_t k = host;
		while (k < host_end && value[k] != ':')
			k++;
		if (k == host)
			return refuse(err, type, "no host");
	}
	if (host == host_end)
		return refuse(err, type, "no host");
	for (size_t k = 0; k < len; k++) {
		char c = value[k];
		if ((k < i || (k >= host && k < host_end)) && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[k] = c;
	}
	out[len] = '\0';
	return HR_OK;
}

static hr_status normalise_hex(const char *type, const char *value, size_t len, size_t digits,
			       char *out, size_t size, struct hr_error *err)
{
	if (len != digits)
		return hr_error_set(err, HR_E_INVALID, "indicator",
				    "not a valid %s: %zu hex digits expected, %zu given", type,
				    digits, len);
	if (len + 1 > size)
		return copy_out(value, len, out, size, err);
	for (size_t i = 0; i < len; i++) {
		char c = value[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return refuse(err, type, "not hexadecimal");
		out[i] = c;
	}
	out[len] = '\0';
	return HR_OK;
}

hr_status indicator_normalise(const char *type, const char *value, char *out, size_t size,
			      struct hr_error *err)
{
	const struct indicator_type *t = type_find(type);
	size_t len;

	if (t == NULL)
		return hr_error_set(err, HR_E_INVALID, "indicator",
				    "unknown indicator type '%.64s'",
				    type != NULL ? type : "(none)");
	if (value == NULL)
		return hr_error_set(err, HR_E_INVALID, "indicator", "a %s needs a value", t->name);
	len = strnlen(value, NCCC_VALUE_MAX + 1);
	if (len > NCCC_VALUE_MAX)
		return hr_error_set(err, HR_E_INVALID, "indicator",
				    "a %s value is longer than %d bytes", t->name, NCCC_VALUE_MAX);
	if (len == 0)
		return refuse(err, t->name, "empty");
	switch (t->kind) {
	case KIND_IPV4:
		return normalise_ip(t->name, AF_INET, value, out, size, err);
	case KIND_IPV6:
		return normalise_ip(t->name, AF_INET6, value, out, size, err);
	case KIND_IP_ANY:
		return normalise_ip(t->name, 0, value, out, size, err);
	case KIND_DOMAIN:
		return normalise_domain(t->name, value, len, out, size, err);
	case KIND_URL:
		return normalise_url(t->name, value, len, out, size, err);
	case KIND_EMAIL:
		return normalise_email(t->name, value, len, out, size, err);
	case KIND_HEX:
		return normalise_hex(t->name, value, len, t->hex_len, out, size, err);
	case KIND_MEMBER:
		if (!member_id_valid(value))
			return refuse(err, t->name, "not COUNTRY/CLASS/CODE/SUBSYSTEM");
		return copy_out(value, len, out, size, err);
	case KIND_TEXT:
	default:
		return copy_out(value, len, out, size, err);
	}
}
