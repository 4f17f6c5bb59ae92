/*
 * dump_internal.h — what the dump reader's files share: the reader itself, the
 * buffered input (one byte at a time through inline peek/get, or a run at a
 * time through dump_copy_run), and the row buffer that every parser appends
 * decoded field bytes to.
 *
 * Invariants (asserted where they matter):
 *  - r->pos <= r->len <= r->buf_size (DUMP_READ_BUFFER unless an option says);
 *  - r->row_len <= r->row_max (DUMP_ROW_MAX unless an option says); an append that would pass it
 * sets r->row_overflow instead and appends nothing, and the parser fails the row;
 *  - r->row never moves, so field pointers into it stay valid for the row.
 * Not for use outside src/leak/dump_*.c.
 */
#ifndef HROMADA_LEAK_DUMP_INTERNAL_H
#define HROMADA_LEAK_DUMP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "leak/dump_reader.h"

#define DUMP_NAMES_ARENA  (DUMP_FIELDS_MAX * (DUMP_COLUMN_NAME_MAX + 1))
#define DUMP_SQL_NAME_MAX 255

/* A set of column names with their storage. */
struct dump_names {
	char *arena; /* DUMP_NAMES_ARENA bytes */
	size_t used;
	size_t count;
	const char *name[DUMP_FIELDS_MAX];
	size_t len[DUMP_FIELDS_MAX];
};

struct dump_reader {
	FILE *in;
	enum dump_format format;
	enum dump_encoding encoding;
	char delimiter;
	bool header;
	bool csv_header_pending; /* the header row is still to be read */

	/* input */
	size_t buf_size, row_max; /* the buffers' sizes (dump_options.buffer_bytes) */
	uint8_t *buf;
	size_t pos, len;
	bool eof, io_failed;
	uint64_t offset; /* file offset of buf[0] */
	size_t line;

	/* the row being built */
	uint8_t *row;
	size_t row_len;
	bool row_overflow;
	uint8_t *recode; /* 3 * row_max, for fields of a UTF-8 input that are not */
	uint64_t recoded_fields;

	/* CP1251 bytes 0x80-0xFF as UTF-8 (from iconv; U+FFFD where undefined) */
	bool have_cp1251;
	uint8_t cp1251[128][4];
	uint8_t cp1251_len[128];

	/* bytes that end a fast run, per context */
	bool stop_csv[256], stop_csv_quoted[256], stop_json[256];
	bool stop_sql_single[256], stop_sql_double[256], stop_copy[256];

	struct dump_names columns;

	/* latched failure */
	hr_status failed;
	struct hr_error failure;

	/* JSON: the input is one array of objects rather than lines */
	bool json_array, json_array_started, json_array_done;

	/* SQL */
	bool sql_backslash; /* MySQL string escapes (off once a dump says it is PostgreSQL) */
	bool sql_in_values; /* between the tuples of an INSERT */
	bool sql_in_copy;   /* inside the data of a COPY ... FROM stdin */
	bool sql_generated; /* the columns are col1..colN, to grow as tuples widen */
	char sql_table[DUMP_SQL_NAME_MAX + 1];
	char create_table[DUMP_SQL_NAME_MAX + 1];
	struct dump_names create_columns;
};

/* dump_reader.c */
bool dump_input_fill(struct dump_reader *r);
/* The byte k places ahead (k < 64), -1 past the end; may move the unread bytes. */
int dump_peek_at(struct dump_reader *r, size_t k);
hr_status dump_fail(struct dump_reader *r, struct hr_error *err, hr_status status, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));
hr_status dump_row_finish(struct dump_reader *r, struct dump_row *row, struct hr_error *err);
void dump_names_reset(struct dump_names *n);
/* Adds a name (bytes already UTF-8, cut at DUMP_COLUMN_NAME_MAX); false when full. */
bool dump_names_add(struct dump_names *n, const char *name, size_t len);
/* Makes sure there are at least count columns, naming new ones colK. */
void dump_columns_ensure(struct dump_reader *r, size_t count);
hr_status dump_end_of_input(struct dump_reader *r, struct hr_error *err);

/* dump_encoding.c */
bool dump_utf8_valid(const uint8_t *p, size_t len, bool allow_truncated_end);
size_t dump_utf8_encode(uint32_t cp, uint8_t out[4]);
bool dump_cp1251_table(struct dump_reader *r);
/* A field of a UTF-8 input that is not valid UTF-8, rewritten into r->recode. */
void dump_field_recode(struct dump_reader *r, struct dump_field *f, size_t *recode_used);

/* the parsers */
hr_status dump_csv_next(struct dump_reader *r, struct dump_row *row, struct hr_error *err);
hr_status dump_csv_sniff(struct dump_reader *r, const uint8_t *sample, size_t len, char delimiter,
			 enum dump_header header);
hr_status dump_csv_read_header(struct dump_reader *r, struct hr_error *err);
hr_status dump_jsonl_next(struct dump_reader *r, struct dump_row *row, struct hr_error *err);
hr_status dump_sql_next(struct dump_reader *r, struct dump_row *row, struct hr_error *err);

static inline int dump_peek(struct dump_reader *r)
{
	if (r->pos < r->len)
		return r->buf[r->pos];
	return dump_input_fill(r) ? r->buf[r->pos] : -1;
}

static inline int dump_get(struct dump_reader *r)
{
	int c = dump_peek(r);

	if (c >= 0) {
		r->pos++;
		if (c == '\n')
			r->line++;
	}
	return c;
}

/* Appends bytes that are already UTF-8 (or ASCII). */
static inline void dump_put_raw(struct dump_reader *r, const uint8_t *p, size_t n)
{
	if (n > r->row_max - r->row_len) {
		r->row_overflow = true;
		return;
	}
	memcpy(r->row + r->row_len, p, n);
	r->row_len += n;
}

/* Appends one input byte, decoding it from CP1251 when the input is. */
static inline void dump_put(struct dump_reader *r, int c)
{
	uint8_t b = (uint8_t)c;

	if (b >= 0x80 && r->encoding == DUMP_ENCODING_CP1251)
		dump_put_raw(r, r->cp1251[b - 0x80], r->cp1251_len[b - 0x80]);
	else if (r->row_len < r->row_max)
		r->row[r->row_len++] = b;
	else
		r->row_overflow = true;
}

/*
 * Copies input bytes into the row until one that stop marks (left unread) or
 * the end of the input. The stop tables mark '\n' (so dump_get counts lines)
 * and, for CP1251, every byte >= 0x80 (so dump_put decodes it).
 */
static inline void dump_copy_run(struct dump_reader *r, const bool stop[256])
{
	for (;;) {
		const uint8_t *p = r->buf + r->pos, *end = r->buf + r->len, *q = p;

		while (q < end && !stop[*q])
			q++;
		dump_put_raw(r, p, (size_t)(q - p));
		r->pos += (size_t)(q - p);
		if (q < end || r->row_overflow || !dump_input_fill(r))
			return;
	}
}

#endif
