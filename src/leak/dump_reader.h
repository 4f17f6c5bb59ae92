/*
 * dump_reader.h — a pull reader over leaked database dumps, for `hromada
 * leakscan` (DESIGN.md §5, §7).
 *
 * What: one row at a time from a CSV file (any of , ; TAB | as delimiter,
 * RFC 4180 quoting), JSON Lines (or one JSON array of objects), or an SQL dump
 * (INSERT statements of MySQL or PostgreSQL, and PostgreSQL COPY blocks), in
 * UTF-8 or Windows-1251, every field handed out as UTF-8. Format, encoding,
 * delimiter and CSV header are detected from the first 64 KiB unless given.
 *
 * Why: leaks run to tens of millions of rows and gigabytes; the reader keeps
 * its memory flat — one 1 MiB read buffer and one row buffer, allocated when
 * the reader opens and reused for every row — so the size of the dump never
 * decides how much we allocate.
 *
 * Never: grow a buffer because the input asked for it (a row longer than
 * DUMP_ROW_MAX or wider than DUMP_FIELDS_MAX is an error naming its line),
 * hand out a field that is not valid UTF-8, or touch the network or storage.
 *
 * Usage:
 *
 *	struct dump_options o = {0};   (everything automatic)
 *	struct dump_reader *r;
 *	struct dump_row row;
 *	if (dump_reader_open(stdin, &o, &r, &err) != HR_OK) ...
 *	while ((s = dump_reader_next(r, &row, &err)) == HR_OK) { ... }
 *	if (s != HR_E_NOT_FOUND) report err;      HR_E_NOT_FOUND is the end
 *	dump_reader_free(r);
 */
#ifndef HROMADA_LEAK_DUMP_READER_H
#define HROMADA_LEAK_DUMP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hromada/status.h>

#define DUMP_READ_BUFFER     (1u << 20)  /* bytes read from the file at once */
#define DUMP_ROW_MAX         (1u << 20)  /* bytes of (UTF-8) field content in one row */
#define DUMP_BUFFER_MIN      (1u << 16)  /* the smallest buffer_bytes (the detection sample) */
#define DUMP_FIELDS_MAX      512         /* fields in one row, columns in one dump */
#define DUMP_SAMPLE_SIZE     (64u << 10) /* bytes the detection looks at */
#define DUMP_COLUMN_NAME_MAX 255         /* longer column names are cut (at a character) */

enum dump_format {
	DUMP_FORMAT_AUTO = 0,
	DUMP_FORMAT_CSV,
	DUMP_FORMAT_JSONL,
	DUMP_FORMAT_SQL,
};

enum dump_encoding {
	DUMP_ENCODING_AUTO = 0,
	DUMP_ENCODING_UTF8,
	DUMP_ENCODING_CP1251,
};

/* A bool cannot say "find out": the header option is three-valued. */
enum dump_header {
	DUMP_HEADER_AUTO = 0,
	DUMP_HEADER_YES,
	DUMP_HEADER_NO,
};

/* A zeroed struct means: detect everything. */
struct dump_options {
	enum dump_format format;
	enum dump_encoding encoding;
	char delimiter;          /* CSV: 0 = sniff among , ; TAB | */
	enum dump_header header; /* CSV: does the first row name the columns? */
	/* The read buffer and the longest row, in bytes: 0 is DUMP_READ_BUFFER and
	 * DUMP_ROW_MAX; otherwise DUMP_BUFFER_MIN .. DUMP_READ_BUFFER, for both.
	 * Small ones are for tests and fuzzing, where a megabyte per input is
	 * most of the cost. */
	size_t buffer_bytes;
};

struct dump_field {
	const char *ptr; /* UTF-8, not NUL-terminated; never NULL */
	size_t len;
	bool null; /* SQL NULL, JSON null, a JSON key this object lacks, COPY's \N */
};

/*
 * One row. fields[i] belongs to column i (dump_reader_columns). Valid until the
 * next dump_reader_next or dump_reader_free on the same reader.
 */
struct dump_row {
	size_t count;
	size_t line;       /* the line the row starts on (1-based) */
	const char *table; /* SQL: the table the row goes into; NULL otherwise */
	struct dump_field fields[DUMP_FIELDS_MAX];
};

struct dump_reader;

/*
 * Opens a reader over in (which stays the caller's: dump_reader_free does not
 * close it). Reads the first block to detect what o leaves AUTO. Fails with
 * HR_E_UNSUPPORTED when the input is CP1251 and the C library has no iconv
 * converter for it, HR_E_IO when the first read fails.
 */
hr_status dump_reader_open(FILE *in, const struct dump_options *o, struct dump_reader **out,
			   struct hr_error *err);

/*
 * The next row: HR_OK and *row filled; HR_E_NOT_FOUND at the end of the input;
 * HR_E_INVALID for malformed input, with "line N: ..." in err; HR_E_IO when a
 * read fails. Errors latch (every later call returns the same one), except an
 * invalid line of JSON Lines, after which the reader goes on with the next line.
 */
hr_status dump_reader_next(struct dump_reader *r, struct dump_row *row, struct hr_error *err);

void dump_reader_free(struct dump_reader *r);

enum dump_format dump_reader_format(const struct dump_reader *r);
enum dump_encoding dump_reader_encoding(const struct dump_reader *r);
/* CSV's delimiter (detected or given); 0 for the other formats. */
char dump_reader_delimiter(const struct dump_reader *r);
/* CSV: whether the first row was taken as the column names. */
bool dump_reader_has_header(const struct dump_reader *r);

/*
 * The column names (UTF-8, NUL-terminated), valid until the next call of
 * dump_reader_next. CSV: the header's fields, or col1..colN; JSON: every key in
 * the order it was first seen (a key that first appears on a later line is
 * appended, so the count can grow between rows); SQL: the column list of the
 * INSERT (or COPY) statement the last row came from, or the columns of its
 * table's CREATE TABLE, or col1..colN — they change between statements.
 * A row wider than the columns known adds colK names for the extra fields.
 */
size_t dump_reader_columns(const struct dump_reader *r, const char *const **names);

/* Bytes of the input consumed so far (a BOM included), for a progress bar. */
uint64_t dump_reader_bytes_read(const struct dump_reader *r);
/* The line the reader is on (1-based). */
size_t dump_reader_line(const struct dump_reader *r);
/* Fields of a UTF-8 input that were not valid UTF-8 and were read as CP1251. */
uint64_t dump_reader_recoded_fields(const struct dump_reader *r);

const char *dump_format_name(enum dump_format f);
const char *dump_encoding_name(enum dump_encoding e);

#endif
