/*
 * dump_jsonl.c — JSON Lines rows for the dump reader: one JSON object (RFC
 * 8259 §4) per line, or one JSON array of objects (mongoexport --jsonArray).
 *
 * Columns are keys: the first object's keys in order, then every key that
 * first appears in a later object appended as a new column (so the column
 * count grows while reading; a row has a field for every column known when
 * it was read). A key an object lacks, and a JSON null, is an empty field
 * with null set. Strings are decoded (escapes, \u surrogate pairs; a lone
 * surrogate becomes U+FFFD); numbers, true and false are their text; a nested
 * object or array is its JSON text as written (checked for balanced brackets
 * and closed strings only). A duplicate key: the last value wins.
 *
 * An invalid line is an error naming it, after which the reader goes on with
 * the next line (the line is consumed); inside one JSON array the error
 * latches, as there is no line to resync on.
 */
#include <stdarg.h>

#include "core/error.h"
#include "leak/dump_internal.h"

#define JSON_DEPTH_MAX 64

static hr_status json_error(struct dump_reader *r, struct hr_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static hr_status json_error(struct dump_reader *r, struct hr_error *err, const char *fmt, ...)
{
	char message[HR_ERROR_MESSAGE_MAX];
	size_t line = r->line;
	va_list ap;
	int c;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (r->json_array || r->io_failed)
		return dump_fail(r, err, r->io_failed ? HR_E_IO : HR_E_INVALID, "line %zu: %s",
				 line, message);
	do
		c = dump_get(r);
	while (c >= 0 && c != '\n');
	return hr_error_set(err, HR_E_INVALID, "dump", "line %zu: %s", line, message);
}

static int skip_ws(struct dump_reader *r)
{
	int c;

	for (;;) {
		c = dump_peek(r);
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return c;
		dump_get(r);
	}
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_code_point(struct dump_reader *r, uint32_t cp)
{
	uint8_t out[4];

	dump_put_raw(r, out, dump_utf8_encode(cp, out));
}

/* A string's content into the row; the opening quote is read. RFC 8259 §7. */
static hr_status json_string(struct dump_reader *r, struct hr_error *err)
{
	uint32_t high = 0; /* a high surrogate waiting for its low half */
	int c, i, h;

	for (;;) {
		dump_copy_run(r, r->stop_json);
		c = dump_peek(r);
		if (c >= 0 && c < 0x20) /* left unread: the error names its line */
			return json_error(r, err, "control character in a string");
		dump_get(r);
		if (high != 0 && c != '\\') {
			put_code_point(r, 0xfffd);
			high = 0;
		}
		if (r->row_overflow)
			return json_error(r, err, "row longer than %zu bytes", r->row_max);
		if (c < 0)
			return json_error(r, err, "string is not closed");
		if (c == '"') {
			return HR_OK;
		} else if (c != '\\') {
			dump_put(r, c);
			continue;
		}
		c = dump_get(r);
		if (high != 0 && c != 'u') {
			put_code_point(r, 0xfffd);
			high = 0;
		}
		switch (c) {
		case '"':
		case '\\':
		case '/':
			dump_put(r, c);
			break;
		case 'b':
			dump_put(r, '\b');
			break;
		case 'f':
			dump_put(r, '\f');
			break;
		case 'n':
			dump_put(r, '\n');
			break;
		case 'r':
			dump_put(r, '\r');
			break;
		case 't':
			dump_put(r, '\t');
			break;
		case 'u': {
			uint32_t cp = 0;

			for (i = 0; i < 4; i++) {
				h = hex_value(dump_get(r));
				if (h < 0)
					return json_error(r, err, "bad \\u escape");
				cp = cp << 4 | (uint32_t)h;
			}
			if (high != 0 && cp >= 0xdc00 && cp <= 0xdfff) {
				put_code_point(r,
					       0x10000 + ((high - 0xd800) << 10) + (cp - 0xdc00));
				high = 0;
			} else {
				if (high != 0)
					put_code_point(r, 0xfffd);
				high = 0;
				if (cp >= 0xd800 && cp <= 0xdbff)
					high = cp;
				else
					put_code_point(r, cp); /* a lone low half becomes U+FFFD */
				if (high != 0 && dump_peek(r) != '\\') {
					put_code_point(r, 0xfffd);
					high = 0;
				}
			}
			break;
		}
		default:
			return json_error(r, err, "bad escape in a string");
		}
	}
}

/* A nested object or array, copied as written; the opening bracket is unread. */
static hr_status json_raw(struct dump_reader *r, struct hr_error *err)
{
	char stack[JSON_DEPTH_MAX];
	size_t depth = 0;
	bool in_string = false;
	int c;

	for (;;) {
		c = dump_get(r);
		if (c < 0)
			return json_error(r, err, "nested value is not closed");
		dump_put(r, c);
		if (r->row_overflow)
			return json_error(r, err, "row longer than %zu bytes", r->row_max);
		if (in_string) {
			if (c == '\\') {
				c = dump_get(r);
				if (c < 0)
					return json_error(r, err, "string is not closed");
				dump_put(r, c);
			} else if (c == '"') {
				in_string = false;
			}
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (depth == JSON_DEPTH_MAX)
				return json_error(r, err, "nested deeper than %d", JSON_DEPTH_MAX);
			stack[depth++] = c == '{' ? '}' : ']';
		} else if (c == '}' || c == ']') {
			if (depth == 0 || stack[depth - 1] != c)
				return json_error(r, err, "unbalanced '%c'", c);
			if (--depth == 0)
				return HR_OK;
		}
	}
}

static bool scalar_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '+' || c == '-' || c == '.';
}

/* RFC 8259 §6: -? int frac? exp? */
static bool is_number(const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (i < n && p[i] == '-')
		i++;
	if (i == n || p[i] < '0' || p[i] > '9')
		return false;
	if (p[i] == '0')
		i++;
	else
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	if (i < n && p[i] == '.') {
		if (++i == n || p[i] < '0' || p[i] > '9')
			return false;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i == n || p[i] < '0' || p[i] > '9')
			return false;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
	}
	return i == n;
}

static hr_status json_value(struct dump_reader *r, struct hr_error *err, bool *null)
{
	size_t start = r->row_len, n;
	const uint8_t *p;
	int c = dump_peek(r);

	*null = false;
	if (c == '"') {
		dump_get(r);
		return json_string(r, err);
	}
	if (c == '{' || c == '[')
		return json_raw(r, err);
	while (scalar_char(dump_peek(r)))
		dump_put(r, dump_get(r));
	if (r->row_overflow)
		return json_error(r, err, "row longer than %zu bytes", r->row_max);
	p = r->row + start;
	n = r->row_len - start;
	if (n == 4 && memcmp(p, "null", 4) == 0) {
		*null = true;
		r->row_len = start;
		return HR_OK;
	}
	if ((n == 4 && memcmp(p, "true", 4) == 0) || (n == 5 && memcmp(p, "false", 5) == 0) ||
	    is_number(p, n))
		return HR_OK;
	return json_error(r, err, "not a JSON value");
}

/* The column of the key at r->row[start..]; adds it when new. SIZE_MAX when full. */
static size_t key_column(struct dump_reader *r, size_t start, size_t hint)
{
	uint8_t *key = r->row + start;
	size_t len = r->row_len - start, i, n = r->columns.count;

	/* the same substitution dump_names_add makes, so such a key matches itself */
	if (!dump_utf8_valid(key, len, false))
		for (i = 0; i < len; i++)
			if (key[i] >= 0x80)
				key[i] = '?';
	if (len > DUMP_COLUMN_NAME_MAX) { /* cut as dump_names_add cuts names */
		len = DUMP_COLUMN_NAME_MAX;
		while (len > 0 && (key[len] & 0xc0) == 0x80)
			len--;
	}
	for (i = 0; i < n; i++) {
		size_t col = (hint + i) % n;

		if (r->columns.len[col] == len && memcmp(r->columns.name[col], key, len) == 0)
			return col;
	}
	if (!dump_names_add(&r->columns, (const char *)key, len))
		return SIZE_MAX;
	return r->columns.count - 1;
}

static hr_status json_object(struct dump_reader *r, struct dump_row *row, struct hr_error *err)
{
	size_t i, col = 0, start;
	hr_status s;
	bool null;
	int c;

	for (i = 0; i < r->columns.count; i++)
		row->fields[i] = (struct dump_field){(const char *)r->row, 0, true};
	c = skip_ws(r);
	if (c == '}') {
		dump_get(r);
		row->count = r->columns.count;
		return HR_OK;
	}
	for (;;) {
		if (c != '"')
			return json_error(r, err, "expected a key");
		dump_get(r);
		start = r->row_len;
		s = json_string(r, err);
		if (s != HR_OK)
			return s;
		i = r->columns.count;
		col = key_column(r, start, col + 1);
		if (col == SIZE_MAX)
			return json_error(r, err, "more than %d keys", DUMP_FIELDS_MAX);
		if (col == i)
			row->fields[col] = (struct dump_field){(const char *)r->row, 0, true};
		r->row_len = start;
		if (skip_ws(r) != ':')
			return json_error(r, err, "expected ':' after a key");
		dump_get(r);
		skip_ws(r);
		s = json_value(r, err, &null);
		if (s != HR_OK)
			return s;
		row->fields[col] =
		    (struct dump_field){(const char *)r->row + start, r->row_len - start, null};
		c = skip_ws(r);
		dump_get(r);
		if (c == '}')
			break;
		if (c != ',')
			return json_error(r, err, "expected ',' or '}'");
		c = skip_ws(r);
	}
	row->count = r->columns.count;
	return HR_OK;
}

hr_status dump_jsonl_next(struct dump_reader *r, struct dump_row *row, struct hr_error *err)
{
	hr_status s;
	int c;

	c = skip_ws(r);
	if (!r->json_array_started) {
		r->json_array_started = true;
		if (c == '[') {
			r->json_array = true;
			dump_get(r);
			c = skip_ws(r);
			if (c == ']') {
				dump_get(r);
				r->json_array_done = true;
				c = skip_ws(r);
			}
		}
	}
	if (c < 0) {
		if (r->json_array && !r->json_array_done && !r->io_failed)
			return dump_fail(r, err, HR_E_INVALID, "line %zu: JSON array is not closed",
					 r->line);
		return dump_end_of_input(r, err);
	}
	row->line = r->line;
	if (r->json_array_done)
		return dump_fail(r, err, HR_E_INVALID, "line %zu: text after the JSON array",
				 r->line);
	if (c != '{')
		return json_error(r, err, "not a JSON object");
	dump_get(r);
	s = json_object(r, row, err);
	if (s != HR_OK)
		return s;
	if (r->json_array) {
		c = skip_ws(r);
		dump_get(r);
		if (c == ']')
			r->json_array_done = true;
		else if (c != ',')
			return json_error(r, err, "expected ',' or ']' after an object");
	} else {
		for (c = dump_peek(r); c == ' ' || c == '\t' || c == '\r'; c = dump_peek(r))
			dump_get(r);
		if (c >= 0 && c != '\n')
			return json_error(r, err, "text after the object");
	}
	return dump_row_finish(r, row, err);
}
