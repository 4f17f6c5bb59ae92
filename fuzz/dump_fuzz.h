/*
 * dump_fuzz.h — the body the fuzz_dump_*.c targets share: any bytes, through
 * fmemopen, into the dump reader (src/leak/dump_reader.h) with the format
 * fixed (the encoding left to detection), every row read until the end or an
 * error.
 *
 * Invariants:
 *  - no crash, no leak, no read outside a buffer (the sanitizers check);
 *  - every row has count <= DUMP_FIELDS_MAX, and at most as many fields as
 *    the reader has columns;
 *  - every field pointer is non-NULL and its bytes are valid UTF-8;
 *  - a failure other than the end carries a message naming a line;
 *  - bytes read never go backwards and never pass the input's size.
 */
#ifndef HROMADA_FUZZ_DUMP_FUZZ_H
#define HROMADA_FUZZ_DUMP_FUZZ_H

#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leak/dump_reader.h"

/* RFC 3629 §4, independent of the reader's own check */
static int fuzz_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, k, len;
	uint32_t cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0)
			len = 2, cp = p[i] & 0x1fu;
		else if ((p[i] & 0xf0) == 0xe0)
			len = 3, cp = p[i] & 0x0fu;
		else if ((p[i] & 0xf8) == 0xf0)
			len = 4, cp = p[i] & 0x07u;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3fu);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

static void fuzz_dump(const uint8_t *data, size_t size, enum dump_format format)
{
	/* the smallest buffers: a megabyte per input would be most of the cost */
	struct dump_options o = {.format = format, .buffer_bytes = DUMP_BUFFER_MIN};
	struct dump_reader *r = NULL;
	struct dump_row *row = malloc(sizeof(*row));
	struct hr_error err = {0};
	uint64_t last = 0;
	size_t i, rows = 0;
	hr_status s;
	FILE *f;

	assert(row != NULL);
	if (size == 0) {
		free(row);
		return;
	}
	f = fmemopen((void *)data, size, "r");
	assert(f != NULL);
	if (dump_reader_open(f, &o, &r, &err) != HR_OK) {
		assert(r == NULL && err.message[0] != '\0');
		goto done;
	}
	assert(dump_reader_format(r) == format);
	for (;;) {
		uint64_t before = dump_reader_bytes_read(r);

		s = dump_reader_next(r, row, &err);
		assert(dump_reader_bytes_read(r) >= last && dump_reader_bytes_read(r) <= size);
		last = dump_reader_bytes_read(r);
		if (s == HR_E_NOT_FOUND)
			break;
		if (s != HR_OK) {
			assert(s == HR_E_INVALID && strstr(err.message, "line ") != NULL);
			/* JSON lines go on after an invalid line (which is consumed);
			 * every other error latches */
			if (format != DUMP_FORMAT_JSONL || last == before) {
				assert(dump_reader_next(r, row, NULL) == s);
				break;
			}
			continue;
		}
		assert(row->count <= DUMP_FIELDS_MAX);
		assert(row->count <= dump_reader_columns(r, NULL));
		for (i = 0; i < row->count; i++) {
			assert(row->fields[i].ptr != NULL);
			assert(row->fields[i].len <= 3 * (size_t)DUMP_BUFFER_MIN);
			assert(fuzz_utf8_valid((const uint8_t *)row->fields[i].ptr,
					       row->fields[i].len));
		}
		{
			const char *const *names;
			size_t n = dump_reader_columns(r, &names);

			for (i = 0; i < n; i++)
				assert(
				    fuzz_utf8_valid((const uint8_t *)names[i], strlen(names[i])));
		}
		if (++rows > size + 1)
			break; /* more rows than bytes would be a loop */
	}
	assert(rows <= size + 1);
done:
	dump_reader_free(r);
	fclose(f);
	free(row);
}

#endif
