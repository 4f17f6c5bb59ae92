/*
 * dump_sql.c — rows of an SQL dump for the dump reader: each tuple of
 * `INSERT INTO name [(columns)] VALUES (...), (...);` is one row, and each
 * data line of a PostgreSQL `COPY name [(columns)] FROM stdin;` block.
 *
 * Columns: the INSERT's (or COPY's) column list; without one, the columns of
 * the latest CREATE TABLE of the same table (its column definitions, not its
 * constraints); else col1..colN. Every other statement is skipped up to its
 * ';' (strings, comments and PostgreSQL $tag$ bodies respected), as are
 * comments (--, #, / * * /, MySQL's / *!...* /).
 *
 * Strings: '...' or "..." with doubled quotes; MySQL backslash escapes (\0 \n
 * \r \t \b \Z, any other \x is x) unless the dump says it is PostgreSQL (a
 * "PostgreSQL database dump" comment, or SET standard_conforming_strings =
 * on), where a backslash is itself; E'...' always takes escapes; prefixes
 * N'', X'', B'', _charset'' give their content. A value followed by a cast
 * ('x'::text) is the string. NULL (and COPY's \N) is an empty field with null
 * set; any other value (numbers, functions) is its text, trimmed.
 *
 * Errors latch: there is no safe place to resume inside a broken statement.
 */
#include <ctype.h>
#include <strings.h>

#include "leak/dump_internal.h"

#define WORD_MAX       32
#define CAPTURE_MAX    128
#define DOLLAR_TAG_MAX 32

static bool ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || c >= 0x80;
}

static bool word_is(const char *word, const char *what)
{
	return strcasecmp(word, what) == 0;
}

/* Skips a comment that starts here; false when none does. */
static bool skip_comment(struct dump_reader *r)
{
	char capture[CAPTURE_MAX];
	size_t n = 0;
	int c = dump_peek(r), prev = 0;

	if (c == '#' || (c == '-' && dump_peek_at(r, 1) == '-')) {
		while ((c = dump_get(r)) >= 0 && c != '\n')
			if (n + 1 < sizeof(capture))
				capture[n++] = (char)c;
		capture[n] = '\0';
		if (strstr(capture, "PostgreSQL database dump") != NULL)
			r->sql_backslash = false;
		return true;
	}
	if (c == '/' && dump_peek_at(r, 1) == '*') {
		dump_get(r);
		dump_get(r);
		while ((c = dump_get(r)) >= 0 && !(prev == '*' && c == '/'))
			prev = c;
		return true;
	}
	return false;
}

/* Skips blanks and comments; the next byte (unread), -1 at the end. */
static int skip_space(struct dump_reader *r)
{
	int c;

	for (;;) {
		c = dump_peek(r);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
			dump_get(r);
			continue;
		}
		if ((c == '-' || c == '/' || c == '#') && skip_comment(r))
			continue;
		return c;
	}
}

/* A keyword (cut to WORD_MAX - 1 bytes, consumed whole). */
static void read_word(struct dump_reader *r, char word[WORD_MAX])
{
	size_t n = 0;
	int c;

	while ((c = dump_peek(r)) >= 0 && ident_char(c) && c < 0x80) {
		dump_get(r);
		if (n + 1 < WORD_MAX)
			word[n++] = (char)c;
	}
	word[n] = '\0';
}

/* A string's content into the row; the opening quote is read. */
static hr_status sql_string(struct dump_reader *r, struct hr_error *err, int quote, bool backslash)
{
	const bool *stop = quote == '\'' ? r->stop_sql_single : r->stop_sql_double;
	size_t line = r->line;
	int c;

	for (;;) {
		if (quote == '\'' || quote == '"')
			dump_copy_run(r, stop);
		if (r->row_overflow)
			return dump_fail(r, err, HR_E_INVALID,
					 "line %zu: row longer than %zu bytes", line, r->row_max);
		c = dump_get(r);
		if (c < 0)
			return r->io_failed
				   ? dump_end_of_input(r, err)
				   : dump_fail(
					 r, err, HR_E_INVALID,
					 "line %zu: string is not closed at the end of the input",
					 line);
		if (c == quote) {
			if (dump_peek(r) != quote)
				return HR_OK;
			dump_get(r);
		} else if (c == '\\' && backslash) {
			c = dump_get(r);
			switch (c) {
			case '0':
				c = 0;
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'b':
				c = '\b';
				break;
			case 'Z':
				c = 0x1a;
				break;
			case -1:
				continue; /* reported as unclosed above */
			default:
				break;
			}
		}
		dump_put(r, c);
	}
}

/* An identifier (`x`, "x", [x] or bare) into the row; false when none is here. */
static hr_status read_identifier(struct dump_reader *r, struct hr_error *err, bool *quoted)
{
	int c = dump_peek(r);

	*quoted = c == '`' || c == '"' || c == '[';
	if (*quoted) {
		int close = c == '[' ? ']' : c;
		size_t line = r->line;

		dump_get(r);
		for (;;) {
			c = dump_get(r);
			if (c < 0)
				return dump_fail(r, err, HR_E_INVALID,
						 "line %zu: quoted name is not closed", line);
			if (c == close) {
				if (dump_peek(r) != close)
					break;
				dump_get(r);
			}
			dump_put(r, c);
		}
	} else {
		while ((c = dump_peek(r)) >= 0 && ident_char(c))
			dump_put(r, dump_get(r));
	}
	if (r->row_overflow)
		return dump_fail(r, err, HR_E_INVALID, "line %zu: name too long", r->line);
	return HR_OK;
}

/* A possibly qualified name (schema.table); the last part is kept in out. */
static hr_status read_table_name(struct dump_reader *r, struct hr_error *err, char *out)
{
	bool quoted;
	hr_status s;
	size_t n;

	for (;;) {
		r->row_len = 0;
		skip_space(r);
		s = read_identifier(r, err, &quoted);
		if (s != HR_OK)
			return s;
		if (skip_space(r) != '.')
			break;
		dump_get(r);
	}
	if (r->row_len == 0)
		return dump_fail(r, err, HR_E_INVALID, "line %zu: expected a table name", r->line);
	n = r->row_len > DUMP_SQL_NAME_MAX ? DUMP_SQL_NAME_MAX : r->row_len;
	memcpy(out, r->row, n);
	out[n] = '\0';
	r->row_len = 0;
	return HR_OK;
}

/*
 * Skips to the ';' that ends the statement (consumed), keeping its first bytes
 * in capture when given.
 */
static void skip_statement(struct dump_reader *r, char *capture, size_t cap)
{
	char tag[DOLLAR_TAG_MAX];
	size_t n = 0, t, i;
	int c, q;

	for (;;) {
		c = skip_space(r);
		if (c < 0)
			break;
		dump_get(r);
		if (capture != NULL && n + 1 < cap)
			capture[n++] = (char)c;
		if (c == ';')
			break;
		if (c == '\'' || c == '"' || c == '`') {
			bool bs = c == '\'' && r->sql_backslash;

			while ((q = dump_get(r)) >= 0 && q != c)
				if (q == '\\' && bs)
					dump_get(r);
			continue;
		}
		if (c == '$') {
			/* PostgreSQL dollar quoting: $tag$ ... $tag$ */
			t = 0;
			while ((q = dump_peek(r)) >= 0 && t + 1 < sizeof(tag) &&
			       (isalnum(q) || q == '_'))
				tag[t++] = (char)dump_get(r);
			if (dump_peek(r) != '$')
				continue;
			dump_get(r);
			for (;;) {
				q = dump_get(r);
				if (q < 0)
					break;
				if (q != '$')
					continue;
				for (i = 0; i < t && dump_peek(r) == (uint8_t)tag[i]; i++)
					dump_get(r);
				if (i == t && dump_peek(r) == '$') {
					dump_get(r);
					break;
				}
			}
		}
	}
	if (capture != NULL)
		capture[n] = '\0';
}

/* A parenthesised list of names into names; the '(' is read. */
static hr_status read_name_list(struct dump_reader *r, struct hr_error *err,
				struct dump_names *names)
{
	bool quoted;
	hr_status s;
	int c;

	dump_names_reset(names);
	for (;;) {
		r->row_len = 0;
		skip_space(r);
		s = read_identifier(r, err, &quoted);
		if (s != HR_OK)
			return s;
		if (r->row_len == 0 || !dump_names_add(names, (const char *)r->row, r->row_len))
			return dump_fail(r, err, HR_E_INVALID, "line %zu: bad column list",
					 r->line);
		c = skip_space(r);
		dump_get(r);
		if (c == ')')
			break;
		if (c != ',')
			return dump_fail(r, err, HR_E_INVALID,
					 "line %zu: expected ',' or ')' in a column list", r->line);
	}
	r->row_len = 0;
	return HR_OK;
}

static void columns_of_table(struct dump_reader *r)
{
	size_t i;

	dump_names_reset(&r->columns);
	if (strcmp(r->create_table, r->sql_table) != 0)
		return;
	for (i = 0; i < r->create_columns.count; i++)
		dump_names_add(&r->columns, r->create_columns.name[i], r->create_columns.len[i]);
}

/* "name (a, b)" or "name" of INSERT INTO and COPY: the table, and its columns
 * from the list, or else from its CREATE TABLE, or else col1..colN. */
static hr_status read_target(struct dump_reader *r, struct hr_error *err)
{
	hr_status s = read_table_name(r, err, r->sql_table);

	if (s != HR_OK)
		return s;
	if (skip_space(r) != '(') {
		columns_of_table(r);
		return HR_OK;
	}
	dump_get(r);
	return read_name_list(r, err, &r->columns);
}

static hr_status sql_insert(struct dump_reader *r, struct hr_error *err)
{
	char word[WORD_MAX];
	hr_status s;

	for (;;) {
		skip_space(r);
		read_word(r, word);
		if (word_is(word, "INTO"))
			break;
		if (!word_is(word, "IGNORE") && !word_is(word, "LOW_PRIORITY") &&
		    !word_is(word, "DELAYED") && !word_is(word, "HIGH_PRIORITY"))
			return dump_fail(r, err, HR_E_INVALID,
					 "line %zu: expected INTO after INSERT", r->line);
	}
	if ((s = read_target(r, err)) != HR_OK)
		return s;
	skip_space(r);
	read_word(r, word);
	if (word_is(word, "VALUES") || word_is(word, "VALUE")) {
		r->sql_in_values = true;
		return HR_OK;
	}
	if (word_is(word, "SELECT") || word_is(word, "DEFAULT") || word_is(word, "SET")) {
		skip_statement(r, NULL, 0);
		return HR_OK;
	}
	return dump_fail(r, err, HR_E_INVALID, "line %zu: expected VALUES in an INSERT", r->line);
}

/* Reads up to the ',' or ')' that ends a value or definition at depth 0 (unread). */
static hr_status skip_to_separator(struct dump_reader *r, struct hr_error *err, bool keep,
				   size_t line)
{
	size_t depth = 0, mark;
	hr_status s;
	int c;

	for (;;) {
		c = dump_peek(r);
		if (c < 0)
			return r->io_failed ? dump_end_of_input(r, err)
					    : dump_fail(r, err, HR_E_INVALID,
							"line %zu: '(' is not closed", line);
		if (depth == 0 && (c == ',' || c == ')'))
			return HR_OK;
		if ((c == '-' || c == '/') && skip_comment(r))
			continue;
		dump_get(r);
		if (c == '\'' || c == '"' || c == '`') {
			mark = r->row_len;
			s = sql_string(r, err, c, c == '\'' && r->sql_backslash);
			if (s != HR_OK)
				return s;
			if (!keep)
				r->row_len = mark;
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')')
			depth--;
		if (keep)
			dump_put(r, c);
		if (r->row_overflow)
			return dump_fail(r, err, HR_E_INVALID,
					 "line %zu: row longer than %zu bytes", line, r->row_max);
	}
}

/* One VALUES tuple into row; the '(' is read. */
static hr_status sql_tuple(struct dump_reader *r, struct dump_row *row, struct hr_error *err)
{
	size_t start, n;
	bool null, keep;
	hr_status s;
	int c;

	if (skip_space(r) == ')') {
		dump_get(r);
		return HR_OK;
	}
	for (;;) {
		if (row->count == DUMP_FIELDS_MAX)
			return dump_fail(r, err, HR_E_INVALID, "line %zu: more than %d values",
					 row->line, DUMP_FIELDS_MAX);
		c = skip_space(r);
		start = r->row_len;
		null = false;
		keep = true;
		if (c == '\'' || c == '"') {
			dump_get(r);
			s = sql_string(r, err, c, r->sql_backslash);
			if (s != HR_OK)
				return s;
			keep = false;
		} else if (c >= 0 && isalpha(c)) {
			char word[WORD_MAX];
			int next;

			read_word(r, word);
			next = dump_peek(r);
			if (next == '\'' &&
			    (word_is(word, "E") || word_is(word, "N") || word_is(word, "X") ||
			     word_is(word, "B") || word[0] == '_')) {
				dump_get(r);
				s = sql_string(r, err, '\'',
					       word_is(word, "E") || r->sql_backslash);
				if (s != HR_OK)
					return s;
				keep = false;
			} else if (word_is(word, "NULL")) {
				null = true;
				keep = false;
			} else {
				dump_put_raw(r, (const uint8_t *)word, strlen(word));
			}
		}
		s = skip_to_separator(r, err, keep, row->line);
		if (s != HR_OK)
			return s;
		n = r->row_len - start;
		while (keep && n > 0 && isspace(r->row[start + n - 1]))
			n--;
		r->row_len = start + n;
		row->fields[row->count++] =
		    (struct dump_field){(const char *)r->row + start, n, null};
		if (dump_get(r) == ')')
			return HR_OK;
	}
}

static hr_status sql_create(struct dump_reader *r, struct hr_error *err)
{
	static const char *const constraints[] = {"PRIMARY", "KEY",     "UNIQUE", "CONSTRAINT",
						  "INDEX",   "FOREIGN", "CHECK",  "FULLTEXT",
						  "SPATIAL", "EXCLUDE", "LIKE",   "PERIOD"};
	char word[WORD_MAX], name[DUMP_SQL_NAME_MAX + 1];
	bool quoted, constraint;
	size_t k, line = r->line;
	hr_status s;
	int c;

	for (;;) {
		skip_space(r);
		read_word(r, word);
		if (word_is(word, "TABLE"))
			break;
		if (!word_is(word, "TEMPORARY") && !word_is(word, "TEMP") &&
		    !word_is(word, "UNLOGGED") && !word_is(word, "GLOBAL") &&
		    !word_is(word, "LOCAL")) {
			skip_statement(r, NULL, 0); /* CREATE INDEX, VIEW, FUNCTION, ... */
			return HR_OK;
		}
	}
	skip_space(r);
	if (dump_peek(r) == 'I' || dump_peek(r) == 'i') {
		if ((dump_peek_at(r, 1) == 'F' || dump_peek_at(r, 1) == 'f') &&
		    !ident_char(dump_peek_at(r, 2))) {
			read_word(r, word); /* IF NOT EXISTS */
			skip_space(r);
			read_word(r, word);
			skip_space(r);
			read_word(r, word);
		}
	}
	s = read_table_name(r, err, name);
	if (s != HR_OK)
		return s;
	if (skip_space(r) != '(') {
		skip_statement(r, NULL, 0);
		return HR_OK;
	}
	dump_get(r);
	memcpy(r->create_table, name, sizeof(name));
	dump_names_reset(&r->create_columns);
	for (;;) {
		r->row_len = 0;
		skip_space(r);
		s = read_identifier(r, err, &quoted);
		if (s != HR_OK)
			return s;
		constraint = false;
		for (k = 0; !quoted && k < sizeof(constraints) / sizeof(constraints[0]); k++)
			if (r->row_len == strlen(constraints[k]) &&
			    strncasecmp((const char *)r->row, constraints[k], r->row_len) == 0)
				constraint = true;
		if (!constraint && r->row_len > 0)
			dump_names_add(&r->create_columns, (const char *)r->row, r->row_len);
		r->row_len = 0;
		s = skip_to_separator(r, err, false, line);
		if (s != HR_OK)
			return s;
		c = dump_get(r);
		if (c == ')')
			break;
	}
	r->row_len = 0;
	skip_statement(r, NULL, 0);
	return HR_OK;
}

static hr_status sql_copy(struct dump_reader *r, struct hr_error *err)
{
	char word[WORD_MAX], capture[CAPTURE_MAX];
	hr_status s;
	int c;

	if ((s = read_target(r, err)) != HR_OK)
		return s;
	skip_space(r);
	read_word(r, word);
	if (!word_is(word, "FROM")) {
		skip_statement(r, NULL, 0);
		return HR_OK;
	}
	skip_space(r);
	read_word(r, word);
	skip_statement(r, capture, sizeof(capture));
	if (!word_is(word, "STDIN"))
		return HR_OK;
	/* the data starts on the next line */
	while ((c = dump_peek(r)) >= 0 && c != '\n')
		dump_get(r);
	dump_get(r);
	r->sql_in_copy = true;
	return HR_OK;
}

/* One line of COPY data (PostgreSQL text format); false at its "\." end. */
static hr_status sql_copy_row(struct dump_reader *r, struct dump_row *row, struct hr_error *err,
			      bool *ended)
{
	size_t start = 0;
	int c;

	*ended = false;
	if (dump_peek(r) == '\\' && dump_peek_at(r, 1) == '.') {
		while ((c = dump_get(r)) >= 0 && c != '\n')
			;
		*ended = true;
		r->sql_in_copy = false;
		return HR_OK;
	}
	if (dump_peek(r) < 0) {
		r->sql_in_copy = false;
		*ended = true;
		return HR_OK;
	}
	row->line = r->line;
	row->table = r->sql_table;
	for (;;) {
		if (row->count == DUMP_FIELDS_MAX)
			return dump_fail(r, err, HR_E_INVALID, "line %zu: more than %d fields",
					 row->line, DUMP_FIELDS_MAX);
		start = r->row_len;
		row->fields[row->count].null = false;
		for (;;) {
			dump_copy_run(r, r->stop_copy);
			if (r->row_overflow)
				return dump_row_finish(r, row, err);
			c = dump_get(r);
			if (c < 0 || c == '\t' || c == '\n')
				break;
			if (c == '\r' && (dump_peek(r) == '\n' || dump_peek(r) < 0))
				continue;
			if (c == '\\') {
				c = dump_get(r);
				switch (c) {
				case 'N':
					row->fields[row->count].null = true;
					continue;
				case 'b':
					c = '\b';
					break;
				case 'f':
					c = '\f';
					break;
				case 'n':
					c = '\n';
					break;
				case 'r':
					c = '\r';
					break;
				case 't':
					c = '\t';
					break;
				case 'v':
					c = '\v';
					break;
				case -1:
					continue;
				default:
					break;
				}
			}
			dump_put(r, c);
		}
		row->fields[row->count].ptr = (const char *)r->row + start;
		row->fields[row->count].len = r->row_len - start;
		row->count++;
		if (c != '\t')
			break;
	}
	return dump_row_finish(r, row, err);
}

hr_status dump_sql_next(struct dump_reader *r, struct dump_row *row, struct hr_error *err)
{
	char word[WORD_MAX], capture[CAPTURE_MAX];
	hr_status s;
	bool ended;
	int c;

	for (;;) {
		if (r->sql_in_copy) {
			s = sql_copy_row(r, row, err, &ended);
			if (s != HR_OK || !ended)
				return s;
			continue;
		}
		if (r->sql_in_values) {
			c = skip_space(r);
			row->line = r->line;
			row->table = r->sql_table;
			if (c != '(') {
				if (c < 0)
					return dump_fail(r, err, HR_E_INVALID,
							 "line %zu: INSERT ends without a tuple",
							 r->line);
				return dump_fail(r, err, HR_E_INVALID,
						 "line %zu: expected '(' starting a VALUES tuple",
						 r->line);
			}
			dump_get(r);
			s = sql_tuple(r, row, err);
			if (s != HR_OK)
				return s;
			c = skip_space(r);
			if (c == ',') {
				dump_get(r);
			} else {
				r->sql_in_values = false;
				if (c == ';') {
					dump_get(r);
				} else if (c >= 0 && isalpha(c)) {
					read_word(r, word); /* ON DUPLICATE KEY, ON CONFLICT */
					if (!word_is(word, "ON") && !word_is(word, "RETURNING"))
						return dump_fail(r, err, HR_E_INVALID,
								 "line %zu: expected ',' or ';' "
								 "after a tuple",
								 r->line);
					skip_statement(r, NULL, 0);
				} else if (c >= 0) {
					return dump_fail(
					    r, err, HR_E_INVALID,
					    "line %zu: expected ',' or ';' after a tuple", r->line);
				}
			}
			return dump_row_finish(r, row, err);
		}
		c = skip_space(r);
		if (c < 0)
			return dump_end_of_input(r, err);
		if (!isalpha(c)) {
			skip_statement(r, NULL, 0);
			continue;
		}
		read_word(r, word);
		if (word_is(word, "INSERT") || word_is(word, "REPLACE"))
			s = sql_insert(r, err);
		else if (word_is(word, "CREATE"))
			s = sql_create(r, err);
		else if (word_is(word, "COPY"))
			s = sql_copy(r, err);
		else {
			s = HR_OK;
			skip_statement(r, capture, sizeof(capture));
			if (word_is(word, "SET") &&
			    strstr(capture, "standard_conforming_strings") != NULL)
				r->sql_backslash = strstr(capture, "off") != NULL ||
						   strstr(capture, "OFF") != NULL;
		}
		if (s != HR_OK)
			return s;
		if (r->failed != HR_OK)
			return r->failed;
	}
}
