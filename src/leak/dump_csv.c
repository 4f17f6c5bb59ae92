/*
 * dump_csv.c — CSV rows for the dump reader (RFC 4180, with the leniency real
 * leaks need), and the sniffing of a CSV's delimiter and header.
 *
 * Parsing (RFC 4180 §2): a field that starts with '"' is quoted; inside it a
 * doubled quote is one quote and delimiters and line ends (LF or CRLF) are
 * content. Text after a closing quote, up to the next delimiter, is appended
 * to the field (as Python's csv module does: "ab"c -> abc); a quote inside an
 * unquoted field is content. Lines end in LF or CRLF; a blank line is no row.
 * An input that ends inside a quoted field is an error naming the line the
 * field began on.
 *
 * Delimiter sniffing: over the first complete records of the sample (at most
 * 20, quotes respected), each of , ; TAB | is counted per record; a candidate
 * must occur in the first record, and the one whose count is the same in the
 * most records wins (ties: the higher count, then the order above). With no
 * candidate the file has one column (',').
 *
 * Header rule: the first record names the columns when every field of it is
 * non-empty, at most 64 bytes, has a letter, has no '@', and no two are equal;
 * and the second record differs in kind in some column (one of the two fields
 * has a digit or '@' and the other has not), or the first record is all ASCII
 * identifiers ([A-Za-z_][A-Za-z0-9_ .-]*) and the second is not. A file of one
 * record has a header only if that record is all ASCII identifiers.
 */
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>

#include "core/error.h"

#include "leak/dump_internal.h"

#define SNIFF_RECORDS   20
#define SNIFF_FIELDS    64
#define HEADER_NAME_MAX 64

struct sniff_record {
	size_t count; /* fields in the record (may exceed SNIFF_FIELDS) */
	struct {
		const uint8_t *ptr;
		size_t len;
	} field[SNIFF_FIELDS];
};

/* One record of the sample from *pos; false when it is cut by the sample's end. */
static bool sniff_record(const uint8_t *p, size_t len, size_t *pos, uint8_t d, bool cut,
			 struct sniff_record *rec)
{
	size_t i = *pos, start;
	bool quoted;

	rec->count = 0;
	for (;;) {
		quoted = i < len && p[i] == '"';
		start = quoted ? i + 1 : i;
		if (quoted) {
			for (i++; i < len; i++) {
				if (p[i] == '"') {
					if (i + 1 < len && p[i + 1] == '"')
						i++;
					else
						break;
				}
			}
			if (i >= len)
				return false;
		}
		while (i < len && p[i] != d && p[i] != '\n' && p[i] != '\r' && p[i] != '"')
			i++;
		if (i < len && p[i] == '"') /* stray quote: keep going to the delimiter */
			while (i < len && p[i] != d && p[i] != '\n')
				i++;
		if (rec->count < SNIFF_FIELDS) {
			size_t end = i;

			/* the closing quote and what follows it do not matter here */
			if (quoted) {
				end = start;
				while (end < i && p[end] != '"')
					end++;
			}
			rec->field[rec->count].ptr = p + start;
			rec->field[rec->count].len = end - start;
		}
		rec->count++;
		if (i < len && p[i] == d) {
			i++;
			continue;
		}
		if (i < len && p[i] == '\r')
			i++;
		if (i < len && p[i] == '\n') {
			*pos = i + 1;
			return true;
		}
		*pos = i;
		return !cut && i >= len;
	}
}

static bool has_letter(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (isalpha(p[i]) || p[i] >= 0x80)
			return true;
	return false;
}

static bool has_digit_or_at(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (isdigit(p[i]) || p[i] == '@')
			return true;
	return false;
}

static bool is_identifier(const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0 || !(isalpha(p[0]) || p[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!(isalnum(p[i]) || p[i] == '_' || p[i] == ' ' || p[i] == '.' || p[i] == '-'))
			return false;
	return true;
}

static bool looks_like_header(const struct sniff_record *r1, const struct sniff_record *r2)
{
	size_t i, j, n = r1->count < SNIFF_FIELDS ? r1->count : SNIFF_FIELDS;
	bool r1_identifiers = true, r2_identifiers = true;

	for (i = 0; i < n; i++) {
		const uint8_t *f = r1->field[i].ptr;
		size_t len = r1->field[i].len;

		if (len == 0 || len > HEADER_NAME_MAX || !has_letter(f, len) ||
		    memchr(f, '@', len) != NULL)
			return false;
		for (j = 0; j < i; j++)
			if (r1->field[j].len == len && memcmp(r1->field[j].ptr, f, len) == 0)
				return false;
		r1_identifiers = r1_identifiers && is_identifier(f, len);
	}
	if (r2 == NULL)
		return r1_identifiers;
	for (i = 0; i < n && i < r2->count && i < SNIFF_FIELDS; i++) {
		if (has_digit_or_at(r1->field[i].ptr, r1->field[i].len) !=
		    has_digit_or_at(r2->field[i].ptr, r2->field[i].len))
			return true;
		r2_identifiers =
		    r2_identifiers && is_identifier(r2->field[i].ptr, r2->field[i].len);
	}
	return r1_identifiers && !r2_identifiers;
}

hr_status dump_csv_sniff(struct dump_reader *r, const uint8_t *sample, size_t len, char delimiter,
			 enum dump_header header)
{
	static const uint8_t candidates[] = {',', ';', '\t', '|'};
	struct sniff_record rec[2];
	size_t counts[SNIFF_RECORDS], best_consistent = 0, best_count = 0, nrec, pos, i, k;
	bool cut = r->len == r->buf_size || len == DUMP_SAMPLE_SIZE;
	uint8_t best = ',';

	if (delimiter != 0) {
		best = (uint8_t)delimiter;
	} else {
		for (k = 0; k < sizeof(candidates); k++) {
			struct sniff_record tmp;
			size_t consistent = 0;

			pos = 0;
			for (nrec = 0; nrec < SNIFF_RECORDS && pos < len; nrec++) {
				/* skip blank lines */
				while (pos < len && (sample[pos] == '\n' || sample[pos] == '\r'))
					pos++;
				if (pos >= len ||
				    !sniff_record(sample, len, &pos, candidates[k], cut, &tmp))
					break;
				counts[nrec] = tmp.count - 1;
			}
			if (nrec == 0 || counts[0] == 0)
				continue;
			for (i = 0; i < nrec; i++)
				if (counts[i] == counts[0])
					consistent++;
			if (consistent > best_consistent ||
			    (consistent == best_consistent && counts[0] > best_count)) {
				best_consistent = consistent;
				best_count = counts[0];
				best = candidates[k];
			}
		}
	}
	r->delimiter = (char)best;

	if (header == DUMP_HEADER_AUTO) {
		bool have2;

		pos = 0;
		while (pos < len && (sample[pos] == '\n' || sample[pos] == '\r'))
			pos++;
		if (pos < len && sniff_record(sample, len, &pos, best, cut, &rec[0])) {
			while (pos < len && (sample[pos] == '\n' || sample[pos] == '\r'))
				pos++;
			have2 = pos < len && sniff_record(sample, len, &pos, best, cut, &rec[1]);
			r->header = looks_like_header(&rec[0], have2 ? &rec[1] : NULL);
		}
	} else {
		r->header = header == DUMP_HEADER_YES;
	}
	r->csv_header_pending = r->header;
	return HR_OK;
}

/* One row into r->row and row->fields; HR_E_NOT_FOUND at the end of the input. */
static hr_status csv_read_row(struct dump_reader *r, struct dump_row *row, struct hr_error *err)
{
	const int d = (uint8_t)r->delimiter;
	size_t start, quote_line;
	int c;

	/* blank lines are no rows */
	for (;;) {
		c = dump_peek(r);
		if (c == '\n' || c == '\r') {
			dump_get(r);
			continue;
		}
		break;
	}
	if (c < 0)
		return dump_end_of_input(r, err);
	row->line = r->line;
	for (;;) {
		if (row->count == DUMP_FIELDS_MAX)
			return dump_fail(r, err, HR_E_INVALID, "line %zu: more than %d fields",
					 row->line, DUMP_FIELDS_MAX);
		start = r->row_len;
		c = dump_get(r);
		if (c == '"') {
			quote_line = r->line;
			for (;;) {
				dump_copy_run(r, r->stop_csv_quoted);
				if (r->row_overflow)
					return dump_row_finish(r, row, err);
				c = dump_get(r);
				if (c < 0) {
					if (r->io_failed)
						return dump_end_of_input(r, err);
					return dump_fail(r, err, HR_E_INVALID,
							 "line %zu: quoted field is not closed at "
							 "the end of the input",
							 quote_line);
				}
				if (c == '"') {
					if (dump_peek(r) != '"')
						break;
					dump_get(r);
				}
				dump_put(r, c);
			}
			c = dump_get(r);
		}
		/* unquoted content (or what follows a closing quote) */
		for (;;) {
			if (c < 0 || c == d || c == '\n')
				break;
			if (c == '\r') {
				int next = dump_peek(r);

				if (next == '\n' || next < 0) {
					dump_get(r);
					c = '\n';
					break;
				}
			}
			dump_put(r, c);
			dump_copy_run(r, r->stop_csv);
			if (r->row_overflow)
				return dump_row_finish(r, row, err);
			c = dump_get(r);
		}
		row->fields[row->count].ptr = (const char *)r->row + start;
		row->fields[row->count].len = r->row_len - start;
		row->fields[row->count].null = false;
		row->count++;
		if (c != d)
			break;
	}
	return dump_row_finish(r, row, err);
}

/* The header row into the column names; called by dump_reader_open. */
hr_status dump_csv_read_header(struct dump_reader *r, struct hr_error *err)
{
	struct dump_row *row;
	hr_status s;
	size_t i;

	r->csv_header_pending = false;
	row = malloc(sizeof(*row));
	if (row == NULL)
		return hr_error_set(err, HR_E_NOMEM, "dump", "out of memory");
	row->count = 0;
	s = csv_read_row(r, row, err);
	if (s == HR_OK) {
		dump_names_reset(&r->columns);
		for (i = 0; i < row->count; i++) {
			if (row->fields[i].len == 0)
				dump_columns_ensure(r, i + 1);
			else
				dump_names_add(&r->columns, row->fields[i].ptr, row->fields[i].len);
		}
	} else if (s == HR_E_NOT_FOUND) {
		s = HR_OK; /* an empty file */
	}
	r->row_len = 0;
	free(row);
	return s;
}

hr_status dump_csv_next(struct dump_reader *r, struct dump_row *row, struct hr_error *err)
{
	return csv_read_row(r, row, err);
}
