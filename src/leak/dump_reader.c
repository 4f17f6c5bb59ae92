/*
 * dump_reader.c — the dump reader's API: opening (and detecting the format,
 * the encoding and, through dump_csv.c, the CSV dialect), handing out rows,
 * column names, progress.
 *
 * Detection reads the first block (the read buffer's worth, or the whole input
 * if smaller) and looks at its first DUMP_SAMPLE_SIZE bytes, after a UTF-8 BOM
 * (which is skipped and settles the encoding as UTF-8):
 *  - encoding: the sample is valid UTF-8 (a character cut by the sample's end
 *    allowed) -> UTF-8, otherwise CP1251;
 *  - format: the first non-blank byte is '{' or '[' -> JSON lines (or one JSON
 *    array of objects); the sample starts, after blanks, with an SQL comment
 *    ("--", "/ *") or an SQL statement keyword (INSERT, REPLACE, CREATE, DROP,
 *    SET, LOCK, UNLOCK, USE, BEGIN, START, ALTER, COPY, SELECT, COMMIT) -> SQL;
 *    anything else -> CSV.
 *
 * Memory: everything is allocated here, once; nothing per row (the CP1251
 * recode buffer of a UTF-8 input is allocated on first need, once).
 */
#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>

#include "core/error.h"
#include "leak/dump_internal.h"

bool dump_input_fill(struct dump_reader *r)
{
	size_t n;

	if (r->eof)
		return false;
	r->offset += r->len;
	r->pos = 0;
	r->len = 0;
	n = fread(r->buf, 1, r->buf_size, r->in);
	if (n == 0) {
		r->eof = true;
		if (ferror(r->in))
			r->io_failed = true;
		return false;
	}
	r->len = n;
	return true;
}

int dump_peek_at(struct dump_reader *r, size_t k)
{
	size_t n;

	assert(k < 64);
	if (r->pos + k < r->len)
		return r->buf[r->pos + k];
	if (r->eof)
		return -1;
	/* keep the unread bytes, read more behind them */
	r->offset += r->pos;
	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	while (r->len <= k) {
		n = fread(r->buf + r->len, 1, r->buf_size - r->len, r->in);
		if (n == 0) {
			r->eof = true;
			if (ferror(r->in))
				r->io_failed = true;
			return -1;
		}
		r->len += n;
	}
	return r->buf[k];
}

hr_status dump_fail(struct dump_reader *r, struct hr_error *err, hr_status status, const char *fmt,
		    ...)
{
	va_list ap;

	r->failed = status;
	r->failure.status = status;
	snprintf(r->failure.stage, sizeof(r->failure.stage), "dump");
	va_start(ap, fmt);
	vsnprintf(r->failure.message, sizeof(r->failure.message), fmt, ap);
	va_end(ap);
	if (err != NULL)
		*err = r->failure;
	return status;
}

hr_status dump_end_of_input(struct dump_reader *r, struct hr_error *err)
{
	if (r->io_failed)
		return dump_fail(r, err, HR_E_IO, "line %zu: reading the dump failed", r->line);
	return HR_E_NOT_FOUND;
}

void dump_names_reset(struct dump_names *n)
{
	n->used = 0;
	n->count = 0;
}

bool dump_names_add(struct dump_names *n, const char *name, size_t len)
{
	char *dst;
	size_t i;

	if (n->count >= DUMP_FIELDS_MAX || n->used + DUMP_COLUMN_NAME_MAX + 1 > DUMP_NAMES_ARENA)
		return false;
	if (len > DUMP_COLUMN_NAME_MAX) {
		len = DUMP_COLUMN_NAME_MAX;
		while (len > 0 && ((uint8_t)name[len] & 0xc0) == 0x80)
			len--; /* do not cut a character in two */
	}
	dst = n->arena + n->used;
	memcpy(dst, name, len);
	/* a name of a UTF-8 input that is not valid UTF-8: its non-ASCII bytes become '?' */
	if (!dump_utf8_valid((const uint8_t *)dst, len, false))
		for (i = 0; i < len; i++)
			if ((uint8_t)dst[i] >= 0x80)
				dst[i] = '?';
	dst[len] = '\0';
	n->name[n->count] = dst;
	n->len[n->count] = len;
	n->count++;
	n->used += len + 1;
	return true;
}

void dump_columns_ensure(struct dump_reader *r, size_t count)
{
	char name[32];
	int n;

	while (r->columns.count < count) {
		n = snprintf(name, sizeof(name), "col%zu", r->columns.count + 1);
		if (!dump_names_add(&r->columns, name, (size_t)n))
			return;
	}
}

hr_status dump_row_finish(struct dump_reader *r, struct dump_row *row, struct hr_error *err)
{
	size_t i, recode_used = 0;

	if (r->row_overflow)
		return dump_fail(r, err, HR_E_INVALID,
				 "line %zu: row longer than %zu bytes (an unclosed quote?)",
				 row->line, r->row_max);
	assert(row->count <= DUMP_FIELDS_MAX);
	if (r->encoding == DUMP_ENCODING_UTF8) {
		for (i = 0; i < row->count; i++) {
			struct dump_field *f = &row->fields[i];

			if (dump_utf8_valid((const uint8_t *)f->ptr, f->len, false))
				continue;
			if (r->recode == NULL) {
				r->recode = malloc(3 * r->row_max);
				if (r->recode == NULL)
					return dump_fail(r, err, HR_E_NOMEM,
							 "line %zu: out of memory", row->line);
			}
			dump_field_recode(r, f, &recode_used);
		}
	}
	dump_columns_ensure(r, row->count);
	return HR_OK;
}

static bool starts_with_word(const uint8_t *p, size_t len, const char *word)
{
	size_t n = strlen(word), i;

	if (len < n)
		return false;
	for (i = 0; i < n; i++)
		if (toupper(p[i]) != word[i])
			return false;
	return len == n || !isalnum(p[n]);
}

static enum dump_format detect_format(const uint8_t *p, size_t len)
{
	static const char *const keywords[] = {"INSERT", "REPLACE", "CREATE", "DROP",  "SET",
					       "LOCK",   "UNLOCK",  "USE",    "BEGIN", "START",
					       "ALTER",  "COPY",    "SELECT", "COMMIT"};
	size_t i = 0, k;

	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i == len)
		return DUMP_FORMAT_CSV;
	if (p[i] == '{' || p[i] == '[')
		return DUMP_FORMAT_JSONL;
	if (len - i >= 2 && ((p[i] == '-' && p[i + 1] == '-') || (p[i] == '/' && p[i + 1] == '*')))
		return DUMP_FORMAT_SQL;
	for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
		if (starts_with_word(p + i, len - i, keywords[k]))
			return DUMP_FORMAT_SQL;
	return DUMP_FORMAT_CSV;
}

static void build_stop_tables(struct dump_reader *r)
{
	unsigned b;
	bool high = r->encoding == DUMP_ENCODING_CP1251;

	for (b = 0; b < 256; b++) {
		bool h = high && b >= 0x80;

		r->stop_csv[b] = h || b == '\n' || b == '\r' || b == (uint8_t)r->delimiter;
		r->stop_csv_quoted[b] = h || b == '\n' || b == '"';
		r->stop_json[b] = h || b < 0x20 || b == '"' || b == '\\';
		r->stop_sql_single[b] = h || b == '\n' || b == '\'' || b == '\\';
		r->stop_sql_double[b] = h || b == '\n' || b == '"' || b == '\\';
		r->stop_copy[b] = h || b == '\n' || b == '\t' || b == '\\' || b == '\r';
	}
}

hr_status dump_reader_open(FILE *in, const struct dump_options *o, struct dump_reader **out,
			   struct hr_error *err)
{
	struct dump_reader *r = NULL;
	struct dump_options def = {0};
	const uint8_t *sample;
	size_t sample_len;
	bool cut;
	hr_status s;

	*out = NULL;
	if (o == NULL)
		o = &def;
	if (in == NULL || o->format > DUMP_FORMAT_SQL || o->encoding > DUMP_ENCODING_CP1251 ||
	    o->header > DUMP_HEADER_NO ||
	    (o->buffer_bytes != 0 &&
	     (o->buffer_bytes < DUMP_BUFFER_MIN || o->buffer_bytes > DUMP_READ_BUFFER)))
		return hr_error_set(err, HR_E_INVALID, "dump", "bad dump reader options");
	if (o->delimiter != 0 && (o->delimiter == '"' || o->delimiter == '\n' ||
				  o->delimiter == '\r' || (uint8_t)o->delimiter >= 0x80))
		return hr_error_set(err, HR_E_INVALID, "dump",
				    "a CSV delimiter cannot be a quote, a line end or a non-ASCII "
				    "byte");
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto nomem;
	r->in = in;
	r->line = 1;
	r->sql_backslash = true;
	r->buf_size = r->row_max = o->buffer_bytes != 0 ? o->buffer_bytes : DUMP_READ_BUFFER;
	if (o->buffer_bytes == 0)
		r->row_max = DUMP_ROW_MAX;
	r->buf = malloc(r->buf_size);
	r->row = malloc(r->row_max);
	r->columns.arena = malloc(DUMP_NAMES_ARENA);
	if (r->buf == NULL || r->row == NULL || r->columns.arena == NULL)
		goto nomem;

	dump_input_fill(r);
	if (r->io_failed) {
		s = hr_error_set(err, HR_E_IO, "dump", "reading the dump failed");
		goto fail;
	}
	r->encoding = o->encoding;
	if (r->len >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0) {
		r->pos = 3;
		if (r->encoding == DUMP_ENCODING_AUTO)
			r->encoding = DUMP_ENCODING_UTF8;
	}
	sample = r->buf + r->pos;
	sample_len = r->len - r->pos;
	cut = r->len == r->buf_size;
	if (sample_len > DUMP_SAMPLE_SIZE) {
		sample_len = DUMP_SAMPLE_SIZE;
		cut = true;
	}
	if (r->encoding == DUMP_ENCODING_AUTO)
		r->encoding = dump_utf8_valid(sample, sample_len, cut) ? DUMP_ENCODING_UTF8
								       : DUMP_ENCODING_CP1251;
	if (!dump_cp1251_table(r) && r->encoding == DUMP_ENCODING_CP1251) {
		s = hr_error_set(err, HR_E_UNSUPPORTED, "dump",
				 "the dump is CP1251 and iconv has no CP1251 converter");
		goto fail;
	}
	r->format = o->format != DUMP_FORMAT_AUTO ? o->format : detect_format(sample, sample_len);
	if (r->format == DUMP_FORMAT_CSV) {
		s = dump_csv_sniff(r, sample, sample_len, o->delimiter, o->header);
		if (s != HR_OK) {
			hr_error_set(err, s, "dump", "%s", r->failure.message);
			goto fail;
		}
	} else if (r->format == DUMP_FORMAT_SQL) {
		r->create_columns.arena = malloc(DUMP_NAMES_ARENA);
		if (r->create_columns.arena == NULL)
			goto nomem;
	}
	build_stop_tables(r);
	if (r->csv_header_pending) {
		s = dump_csv_read_header(r, err);
		if (s != HR_OK)
			goto fail;
	}
	*out = r;
	return HR_OK;
nomem:
	s = hr_error_set(err, HR_E_NOMEM, "dump", "out of memory opening the dump reader");
fail:
	dump_reader_free(r);
	return s;
}

hr_status dump_reader_next(struct dump_reader *r, struct dump_row *row, struct hr_error *err)
{
	hr_status s;

	if (r->failed != HR_OK) {
		if (err != NULL)
			*err = r->failure;
		return r->failed;
	}
	r->row_len = 0;
	r->row_overflow = false;
	row->count = 0;
	row->table = NULL;
	row->line = r->line;
	switch (r->format) {
	case DUMP_FORMAT_CSV:
		s = dump_csv_next(r, row, err);
		break;
	case DUMP_FORMAT_JSONL:
		s = dump_jsonl_next(r, row, err);
		break;
	case DUMP_FORMAT_SQL:
		s = dump_sql_next(r, row, err);
		break;
	default:
		return dump_fail(r, err, HR_E_STATE, "unknown dump format");
	}
	assert(r->pos <= r->len && r->row_len <= r->row_max);
	if (s == HR_OK)
		assert(row->count <= DUMP_FIELDS_MAX);
	return s;
}

void dump_reader_free(struct dump_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->row);
	free(r->recode);
	free(r->columns.arena);
	free(r->create_columns.arena);
	free(r);
}

enum dump_format dump_reader_format(const struct dump_reader *r)
{
	return r->format;
}

enum dump_encoding dump_reader_encoding(const struct dump_reader *r)
{
	return r->encoding;
}

char dump_reader_delimiter(const struct dump_reader *r)
{
	return r->format == DUMP_FORMAT_CSV ? r->delimiter : 0;
}

bool dump_reader_has_header(const struct dump_reader *r)
{
	return r->header;
}

size_t dump_reader_columns(const struct dump_reader *r, const char *const **names)
{
	if (names != NULL)
		*names = r->columns.name;
	return r->columns.count;
}

uint64_t dump_reader_bytes_read(const struct dump_reader *r)
{
	return r->offset + r->pos;
}

size_t dump_reader_line(const struct dump_reader *r)
{
	return r->line;
}

uint64_t dump_reader_recoded_fields(const struct dump_reader *r)
{
	return r->recoded_fields;
}

const char *dump_format_name(enum dump_format f)
{
	switch (f) {
	case DUMP_FORMAT_CSV:
		return "csv";
	case DUMP_FORMAT_JSONL:
		return "jsonl";
	case DUMP_FORMAT_SQL:
		return "sql";
	default:
		return "auto";
	}
}

const char *dump_encoding_name(enum dump_encoding e)
{
	switch (e) {
	case DUMP_ENCODING_UTF8:
		return "utf-8";
	case DUMP_ENCODING_CP1251:
		return "cp1251";
	default:
		return "auto";
	}
}
