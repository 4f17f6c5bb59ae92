/*
 * stix_pattern.c — the indicator types of nccc_model.h as STIX 2.1 patterns
 * (STIX 2.1 §9), both ways.
 *
 * Writing is one comparison per indicator, its string literal escaped.
 * Reading takes only what the hub can index: one comparison of the form
 * [object-type:path = 'value'], or several joined by OR, each naming a kind we
 * know. Everything else (AND, MATCHES, LIKE, qualifiers, other properties) is
 * well-formed STIX we keep whole as a "stix-pattern" indicator; only a pattern
 * whose quotes or brackets do not balance is refused. Reading is a bounded
 * single pass over the text with no recursion, so no input can make it deep.
 */
#include "nccc/stix_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

static const struct stix_kind kinds[] = {
    {"ipv4-addr", "ipv4-addr", NULL, 0, true},
    {"ipv6-addr", "ipv6-addr", NULL, 0, true},
    {"domain-name", "domain-name", NULL, 0, true},
    {"url", "url", NULL, 0, true},
    {"email-addr", "email-addr", NULL, 0, true},
    {"file:md5", "file", "MD5", 32, true},
    {"file:sha1", "file", "SHA-1", 40, true},
    {"file:sha256", "file", "SHA-256", 64, true},
    {"file:sha512", "file", "SHA-512", 128, true},
    {"x509-certificate:sha256", "x509-certificate", "SHA-256", 64, true},
    {"hromada-member", "x-hromada-member", NULL, 0, false},
    {"hromada-leak-fingerprint", "x-hromada-leak-fingerprint", NULL, 64, false},
};
#define KIND_COUNT (sizeof(kinds) / sizeof(kinds[0]))

const struct stix_kind *stix_kind_find(const char *type)
{
	if (type == NULL)
		return NULL;
	for (size_t i = 0; i < KIND_COUNT; i++)
		if (strcmp(kinds[i].type, type) == 0)
			return &kinds[i];
	return NULL;
}

bool stix_kind_value_valid(const struct stix_kind *kind, const char *value)
{
	size_t len = strnlen(value, NCCC_VALUE_MAX + 1);

	if (len == 0 || len > NCCC_VALUE_MAX)
		return false;
	if (kind->hex_len == 0)
		return true;
	if (len != kind->hex_len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)value[i]))
			return false;
	return true;
}

hr_status stix_pattern_write(const struct stix_kind *kind, const char *value, char *out,
			     size_t size)
{
	size_t n = 0;
	int head;

	if (kind->hash == NULL)
		head = snprintf(out, size, "[%s:value = '", kind->object);
	else if (strchr(kind->hash, '-') != NULL)
		head = snprintf(out, size, "[%s:hashes.'%s' = '", kind->object, kind->hash);
	else
		head = snprintf(out, size, "[%s:hashes.%s = '", kind->object, kind->hash);
	if (head < 0 || (size_t)head >= size)
		return HR_E_TOO_LARGE;
	n = (size_t)head;
	for (const char *p = value; *p != '\0'; p++) {
		bool escape = *p == '\\' || *p == '\'';
		if (n + (escape ? 2 : 1) + 3 > size)
			return HR_E_TOO_LARGE;
		if (escape)
			out[n++] = '\\';
		/* hashes are written in lower case, as the model holds them */
		out[n++] = kind->hex_len > 0 ? (char)tolower((unsigned char)*p) : *p;
	}
	if (n + 3 > size)
		return HR_E_TOO_LARGE;
	memcpy(out + n, "']", 3);
	return HR_OK;
}

/*
 * Balance: every quote closed, every '[' and '(' closed by its partner in
 * order. Depth is bounded by the length, and counted, not recursed.
 */
static hr_status pattern_balanced(const char *p, size_t len, struct hr_error *err)
{
	char stack[64];
	size_t depth = 0;
	bool observation = false;

	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (c == '\'') {
			for (i++; i < len && p[i] != '\''; i++)
				if (p[i] == '\\')
					i++;
			if (i >= len)
				return hr_error_set(err, HR_E_INVALID, "stix",
						    "a string literal is not closed");
		} else if (c == '[' || c == '(') {
			if (depth == sizeof(stack))
				return hr_error_set(err, HR_E_INVALID, "stix",
						    "the pattern nests deeper than %zu",
						    sizeof(stack));
			stack[depth++] = c;
			observation = observation || c == '[';
		} else if (c == ']' || c == ')') {
			if (depth == 0 || stack[depth - 1] != (c == ']' ? '[' : '('))
				return hr_error_set(err, HR_E_INVALID, "stix",
						    "'%c' at byte %zu closes nothing open", c, i);
			depth--;
		} else if (c == '\0' || (iscntrl((unsigned char)c) && !isspace((unsigned char)c))) {
			return hr_error_set(err, HR_E_INVALID, "stix",
					    "a control character at byte %zu", i);
		}
	}
	if (depth != 0)
		return hr_error_set(err, HR_E_INVALID, "stix", "a '%c' is not closed",
				    stack[depth - 1]);
	if (!observation)
		return hr_error_set(err, HR_E_INVALID, "stix",
				    "no observation expression ('[ ... ]')");
	return HR_OK;
}

struct cursor {
	const char *p, *end;
};

static void skip_space(struct cursor *c)
{
	while (c->p < c->end && isspace((unsigned char)*c->p))
		c->p++;
}

static bool take(struct cursor *c, char ch)
{
	skip_space(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static bool take_or(struct cursor *c)
{
	skip_space(c);
	if (c->end - c->p > 2 && strncasecmp(c->p, "OR", 2) == 0 &&
	    (isspace((unsigned char)c->p[2]) || c->p[2] == '[')) {
		c->p += 2;
		return true;
	}
	return false;
}

/* A run of [a-z0-9_-] (names in paths), into out. */
static bool take_name(struct cursor *c, char *out, size_t size, bool upper)
{
	size_t n = 0;

	while (c->p < c->end &&
	       (islower((unsigned char)*c->p) || isdigit((unsigned char)*c->p) || *c->p == '-' ||
		*c->p == '_' || (upper && isupper((unsigned char)*c->p)))) {
		if (n + 1 >= size)
			return false;
		out[n++] = *c->p++;
	}
	out[n] = '\0';
	return n > 0;
}

/* 'text' with \\ and \' unescaped, into a new string (the caller frees). */
static char *take_string(struct cursor *c)
{
	const char *start;
	char *out, *o;

	skip_space(c);
	if (c->p >= c->end || *c->p != '\'')
		return NULL;
	start = ++c->p;
	while (c->p < c->end && *c->p != '\'')
		c->p += *c->p == '\\' ? 2 : 1;
	if (c->p >= c->end)
		return NULL;
	out = o = malloc((size_t)(c->p - start) + 1);
	if (out == NULL)
		return NULL;
	for (const char *s = start; s < c->p; s++) {
		if (*s == '\\') {
			s++;
			if (*s != '\\' && *s != '\'') {
				free(out); /* no other escape exists (§9.3) */
				return NULL;
			}
		}
		*o++ = *s;
	}
	*o = '\0';
	c->p++;
	return out;
}

/* path "value" or "hashes.KEY" / "hashes.'KEY'" of object → its kind. */
static const struct stix_kind *kind_of_path(const char *object, const char *property,
					    const char *key)
{
	for (size_t i = 0; i < KIND_COUNT; i++) {
		const struct stix_kind *k = &kinds[i];
		char dashless[16];
		size_t n = 0;

		if (strcmp(k->object, object) != 0)
			continue;
		if (k->hash == NULL) {
			if (strcmp(property, "value") == 0 && key[0] == '\0')
				return k;
			continue;
		}
		if (strcmp(property, "hashes") != 0)
			continue;
		for (const char *h = k->hash; *h != '\0' && n + 1 < sizeof(dashless); h++)
			if (*h != '-')
				dashless[n++] = *h;
		dashless[n] = '\0';
		if (strcasecmp(key, k->hash) == 0 || strcasecmp(key, dashless) == 0)
			return k;
	}
	return NULL;
}

/* One comparison; false when it is not one we index. */
static bool take_comparison(struct cursor *c, json_t *pairs)
{
	char object[STIX_TYPE_MAX + 1], property[64], key[64] = "";
	const struct stix_kind *kind;
	char *value;
	bool ok;

	skip_space(c);
	if (!take_name(c, object, sizeof(object), false) || !take(c, ':') ||
	    !take_name(c, property, sizeof(property), false))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (c->p < c->end && *c->p == '\'') {
			c->p++;
			if (!take_name(c, key, sizeof(key), true) || c->p >= c->end ||
			    *c->p != '\'')
				return false;
			c->p++;
		} else if (!take_name(c, key, sizeof(key), true)) {
			return false;
		}
	}
	if (!take(c, '=') || (kind = kind_of_path(object, property, key)) == NULL)
		return false;
	if ((value = take_string(c)) == NULL)
		return false;
	if (kind->hex_len > 0)
		for (char *v = value; *v != '\0'; v++)
			*v = (char)tolower((unsigned char)*v);
	ok = value[0] != '\0' && (kind->hex_len == 0 || stix_kind_value_valid(kind, value)) &&
	     json_array_append_new(
		 pairs, json_pack("{s:s, s:s}", "type", kind->type, "value", value)) == 0;
	free(value);
	return ok;
}

hr_status stix_pattern_read(const char *pattern, size_t len, json_t **pairs, struct hr_error *err)
{
	struct cursor c = {pattern, pattern + len};
	hr_status rc;
	json_t *list;

	*pairs = NULL;
	if ((rc = pattern_balanced(pattern, len, err)) != HR_OK)
		return rc;
	if ((list = json_array()) == NULL)
		return HR_E_NOMEM;
	do {
		if (!take(&c, '['))
			goto whole;
		do {
			if (!take_comparison(&c, list))
				goto whole;
		} while (take_or(&c));
		if (!take(&c, ']'))
			goto whole;
	} while (take_or(&c));
	skip_space(&c);
	if (c.p != c.end)
		goto whole;
	*pairs = list;
	return HR_OK;
whole:
	json_decref(list);
	return HR_OK;
}
