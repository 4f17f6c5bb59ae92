/*
 * test_dump_reader.c — the streaming dump reader (src/leak/dump_reader.h):
 * CSV with every delimiter, RFC 4180 quoting, embedded line ends, CRLF, BOM,
 * header sniffing; CP1251 Cyrillic decoded to UTF-8; JSON lines with varying
 * keys; SQL dumps (multi-row INSERT, MySQL and PostgreSQL escapes, NULL,
 * comments, CREATE TABLE, COPY); every malformed input refused naming its
 * line; progress; and a million-row CSV read with flat memory.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include "leak/dump_reader.h"

struct opened {
	FILE *f;
	struct dump_reader *r;
	struct dump_row row;
};

static struct opened *open_bytes(const char *bytes, size_t len, const struct dump_options *o)
{
	struct opened *op = calloc(1, sizeof(*op));
	struct hr_error err = {0};

	assert_non_null(op);
	op->f = fmemopen((void *)bytes, len, "r");
	assert_non_null(op->f);
	if (dump_reader_open(op->f, o, &op->r, &err) != HR_OK)
		fail_msg("open: %s", err.message);
	return op;
}

static struct opened *open_text(const char *text, const struct dump_options *o)
{
	return open_bytes(text, strlen(text), o);
}

static void close_opened(struct opened *op)
{
	dump_reader_free(op->r);
	fclose(op->f);
	free(op);
}

static void next_ok(struct opened *op)
{
	struct hr_error err = {0};
	hr_status s = dump_reader_next(op->r, &op->row, &err);

	if (s != HR_OK)
		fail_msg("next: %d %s", s, err.message);
}

static void expect_end(struct opened *op)
{
	assert_int_equal(dump_reader_next(op->r, &op->row, NULL), HR_E_NOT_FOUND);
}

static void expect_field(struct opened *op, size_t i, const char *want)
{
	assert_true(i < op->row.count);
	if (op->row.fields[i].len != strlen(want) ||
	    memcmp(op->row.fields[i].ptr, want, strlen(want)) != 0)
		fail_msg("field %zu: '%.*s', want '%s'", i, (int)op->row.fields[i].len,
			 op->row.fields[i].ptr, want);
}

/* next row with exactly these fields */
static void expect_row(struct opened *op, size_t n, ...)
{
	va_list ap;
	size_t i;

	next_ok(op);
	assert_int_equal(op->row.count, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		expect_field(op, i, va_arg(ap, const char *));
	va_end(ap);
}

static void expect_columns(struct opened *op, size_t n, ...)
{
	const char *const *names;
	va_list ap;
	size_t i;

	assert_int_equal(dump_reader_columns(op->r, &names), n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(names[i], va_arg(ap, const char *));
	va_end(ap);
}

static void expect_invalid(const char *text, const struct dump_options *o, const char *line)
{
	struct opened *op = open_text(text, o);
	struct hr_error err = {0};
	hr_status s;

	while ((s = dump_reader_next(op->r, &op->row, &err)) == HR_OK)
		;
	assert_int_equal(s, HR_E_INVALID);
	if (strstr(err.message, line) == NULL)
		fail_msg("message '%s' does not name '%s'", err.message, line);
	/* latched (JSON lines excepted) or the next row: never a crash */
	close_opened(op);
}

static void test_csv_every_delimiter_is_sniffed(void **state)
{
	static const char delims[] = {',', ';', '\t', '|'};
	char text[256];
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(delims); k++) {
		struct opened *op;
		char d = delims[k];

		snprintf(text, sizeof(text),
			 "surname%cname%cphone\nPetrenko%cIvan%c380501234567\nShevchenko%cTaras%c"
			 "380671112233\n",
			 d, d, d, d, d, d);
		op = open_text(text, NULL);
		assert_int_equal(dump_reader_format(op->r), DUMP_FORMAT_CSV);
		assert_int_equal(dump_reader_delimiter(op->r), d);
		assert_true(dump_reader_has_header(op->r));
		expect_row(op, 3, "Petrenko", "Ivan", "380501234567");
		expect_columns(op, 3, "surname", "name", "phone");
		expect_row(op, 3, "Shevchenko", "Taras", "380671112233");
		expect_end(op);
		close_opened(op);
	}
}

static void test_csv_quoting_follows_rfc_4180(void **state)
{
	struct dump_options o = {.header = DUMP_HEADER_NO};
	struct opened *op;

	(void)state;
	op = open_text("\"a,b\",\"say \"\"hi\"\"\",plain,\"\"\n"
		       "\"multi\nline\r\nfield\",x\"y,\"ab\"c\n"
		       ",,\n",
		       &o);
	expect_row(op, 4, "a,b", "say \"hi\"", "plain", "");
	assert_int_equal(op->row.line, 1);
	expect_row(op, 3, "multi\nline\r\nfield", "x\"y", "abc");
	assert_int_equal(op->row.line, 2);
	expect_row(op, 3, "", "", "");
	assert_int_equal(op->row.line, 5);
	expect_end(op);
	expect_end(op);
	close_opened(op);
}

static void test_csv_crlf_bom_and_blank_lines(void **state)
{
	struct opened *op;

	(void)state;
	op = open_text("\xef\xbb\xbfid;email\r\n1;a@example.org\r\n\r\n2;b@example.org", NULL);
	assert_int_equal(dump_reader_encoding(op->r), DUMP_ENCODING_UTF8);
	assert_int_equal(dump_reader_delimiter(op->r), ';');
	assert_true(dump_reader_has_header(op->r));
	expect_columns(op, 2, "id", "email");
	expect_row(op, 2, "1", "a@example.org");
	expect_row(op, 2, "2", "b@example.org");
	assert_int_equal(op->row.line, 4);
	expect_end(op);
	close_opened(op);
}

static void test_csv_header_rule(void **state)
{
	struct opened *op;

	(void)state;
	/* names only, both rows the same kind: no header */
	op = open_text("Smith,John\nDoe,Jane\n", NULL);
	assert_false(dump_reader_has_header(op->r));
	expect_row(op, 2, "Smith", "John");
	expect_columns(op, 2, "col1", "col2");
	close_opened(op);
	/* ASCII names over Cyrillic data: a header */
	op = open_text("surname,name\n\xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xb5\xd0\xbd\xd0\xba\xd0"
		       "\xbe,\xd0\x86\xd0\xb2\xd0\xb0\xd0\xbd\n",
		       NULL);
	assert_true(dump_reader_has_header(op->r));
	close_opened(op);
	/* a numeric first row is data */
	op = open_text("1,2,3\n4,5,6\n", NULL);
	assert_false(dump_reader_has_header(op->r));
	expect_row(op, 3, "1", "2", "3");
	close_opened(op);
	/* forced either way */
	{
		struct dump_options o = {.header = DUMP_HEADER_YES, .delimiter = ','};

		op = open_text("Smith,John\nDoe,Jane\n", &o);
		expect_row(op, 2, "Doe", "Jane");
		expect_columns(op, 2, "Smith", "John");
		close_opened(op);
	}
	/* a row wider than the header names its extra columns */
	op = open_text("a,b\n1,2,3\n", NULL);
	expect_row(op, 3, "1", "2", "3");
	expect_columns(op, 3, "a", "b", "col3");
	close_opened(op);
}

/* "Петренко" and "Іван" in CP1251 */
#define PETRENKO_CP1251 "\xcf\xe5\xf2\xf0\xe5\xed\xea\xee"
#define IVAN_CP1251     "\xb2\xe2\xe0\xed"
#define PETRENKO_UTF8   "\xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xb5\xd0\xbd\xd0\xba\xd0\xbe"
#define IVAN_UTF8       "\xd0\x86\xd0\xb2\xd0\xb0\xd0\xbd"

static void test_cp1251_is_detected_and_decoded(void **state)
{
	struct opened *op;

	(void)state;
	op = open_text("\xcf\xf0\xB3\xe7\xe2\xe8\xf9\xe5;\xb3\xec'\xff\n" PETRENKO_CP1251
		       ";" IVAN_CP1251 "\n\"\xb9 5\";\x88\n",
		       NULL);
	assert_int_equal(dump_reader_encoding(op->r), DUMP_ENCODING_CP1251);
	assert_int_equal(dump_reader_delimiter(op->r), ';');
	assert_false(dump_reader_has_header(op->r));
	/* "Прізвище" and "ім'я" */
	expect_row(op, 2, "\xd0\x9f\xd1\x80\xd1\x96\xd0\xb7\xd0\xb2\xd0\xb8\xd1\x89\xd0\xb5",
		   "\xd1\x96\xd0\xbc'\xd1\x8f");
	expect_row(op, 2, PETRENKO_UTF8, IVAN_UTF8);
	expect_row(op, 2, "\xe2\x84\x96 5", "\xe2\x82\xac"); /* № 5, € */
	expect_end(op);
	close_opened(op);
}

static void test_utf8_file_with_a_cp1251_field_recodes_that_field(void **state)
{
	struct opened *op;
	char *text;
	size_t n = 70000, len;

	(void)state;
	/* a valid UTF-8 start longer than the sample, then one CP1251 row */
	text = malloc(n + 64);
	assert_non_null(text);
	memset(text, 'a', n);
	text[n - 1] = '\n';
	len = n;
	memcpy(text + len, PETRENKO_CP1251 "\n", 9);
	len += 9;
	op = open_bytes(text, len, NULL);
	assert_int_equal(dump_reader_encoding(op->r), DUMP_ENCODING_UTF8);
	next_ok(op);
	expect_row(op, 1, PETRENKO_UTF8);
	assert_int_equal(dump_reader_recoded_fields(op->r), 1);
	close_opened(op);
	free(text);
}

static void test_jsonl_columns_are_keys_in_order_of_appearance(void **state)
{
	struct opened *op;

	(void)state;
	op = open_text(
	    "{\"name\": \"Ivan\", \"age\": 42, \"ok\": true}\n"
	    "\n"
	    "{\"age\": null, \"email\": \"i@x.ua\", \"name\": \"\\u0406\\u0432\\u0430\\u043d\"}\r\n"
	    "{\"name\": \"\\ud83d\\ude00 \\\"q\\\"\\n\", \"addr\": {\"city\": [1, \"}\"]}}\n"
	    "{}\n",
	    NULL);
	assert_int_equal(dump_reader_format(op->r), DUMP_FORMAT_JSONL);
	expect_row(op, 3, "Ivan", "42", "true");
	expect_columns(op, 3, "name", "age", "ok");
	expect_row(op, 4, IVAN_UTF8, "", "", "i@x.ua");
	assert_true(op->row.fields[1].null); /* null */
	assert_true(op->row.fields[2].null); /* absent */
	assert_false(op->row.fields[3].null);
	assert_int_equal(op->row.line, 3);
	expect_columns(op, 4, "name", "age", "ok", "email");
	expect_row(op, 5, "\xf0\x9f\x98\x80 \"q\"\n", "", "", "", "{\"city\": [1, \"}\"]}");
	expect_columns(op, 5, "name", "age", "ok", "email", "addr");
	expect_row(op, 5, "", "", "", "", "");
	expect_end(op);
	close_opened(op);
}

static void test_jsonl_array_of_objects(void **state)
{
	struct opened *op;

	(void)state;
	op = open_text("[{\"a\": 1},\n {\"a\": 2, \"b\": \"x\"}\n]\n", NULL);
	expect_row(op, 1, "1");
	expect_row(op, 2, "2", "x");
	expect_end(op);
	close_opened(op);
}

static void test_jsonl_invalid_line_is_named_and_skipped(void **state)
{
	struct opened *op;
	struct hr_error err = {0};

	(void)state;
	op = open_text("{\"a\": 1}\n{\"a\": tru}\n{\"a\": 3}\n", NULL);
	expect_row(op, 1, "1");
	assert_int_equal(dump_reader_next(op->r, &op->row, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "line 2"));
	expect_row(op, 1, "3");
	expect_end(op);
	close_opened(op);
}

static void test_sql_multi_row_insert_with_escapes_and_null(void **state)
{
	struct opened *op;

	(void)state;
	op = open_text(
	    "-- MySQL dump 10.13\n"
	    "/*!40101 SET NAMES utf8 */;\n"
	    "DROP TABLE IF EXISTS `users`;\n"
	    "CREATE TABLE `users` (\n"
	    "  `id` int NOT NULL AUTO_INCREMENT,\n"
	    "  `name` varchar(255) DEFAULT 'a,b' COMMENT 'x)',\n"
	    "  `phone` decimal(12,0),\n"
	    "  PRIMARY KEY (`id`),\n"
	    "  KEY `k` (`name`)\n"
	    ") ENGINE=InnoDB;\n"
	    "LOCK TABLES `users` WRITE;\n"
	    "INSERT INTO `users` VALUES (1,'O\\'Brien \\\\ \\n',NULL),"
	    "(2,'it''s; fine',380501234567),\n"
	    "  (3, 'a' /* note */ , -5.5);\n"
	    "# a comment\n"
	    "INSERT INTO db.users (`name`, phone) VALUES ('x', now()), ('y', CONCAT('a', ')'));\n"
	    "UNLOCK TABLES;\n",
	    NULL);
	assert_int_equal(dump_reader_format(op->r), DUMP_FORMAT_SQL);
	expect_row(op, 3, "1", "O'Brien \\ \n", "");
	assert_true(op->row.fields[2].null);
	assert_string_equal(op->row.table, "users");
	expect_columns(op, 3, "id", "name", "phone");
	expect_row(op, 3, "2", "it's; fine", "380501234567");
	expect_row(op, 3, "3", "a", "-5.5");
	assert_int_equal(op->row.line, 13);
	expect_row(op, 2, "x", "now()");
	expect_columns(op, 2, "name", "phone");
	expect_row(op, 2, "y", "CONCAT(a, ))");
	expect_end(op);
	close_opened(op);
}

static void test_sql_postgresql_strings_and_copy(void **state)
{
	struct opened *op;

	(void)state;
	op = open_text("--\n-- PostgreSQL database dump\n--\n"
		       "SET standard_conforming_strings = on;\n"
		       "CREATE FUNCTION f() RETURNS int AS $_$ INSERT INTO x VALUES (1); $_$ "
		       "LANGUAGE sql;\n"
		       "INSERT INTO public.people (id, name) VALUES (1, 'C:\\dir'), (2, E'a\\tb'), "
		       "(3, 'x'::text);\n"
		       "COPY public.people (id, name, note) FROM stdin;\n"
		       "4\tPetrenko\t\\N\n"
		       "5\ta\\tb\t\n"
		       "\\.\n"
		       "INSERT INTO people VALUES (6, 'z');\n",
		       NULL);
	expect_row(op, 2, "1", "C:\\dir");
	expect_row(op, 2, "2", "a\tb");
	expect_row(op, 2, "3", "x");
	expect_row(op, 3, "4", "Petrenko", "");
	assert_true(op->row.fields[2].null);
	expect_columns(op, 3, "id", "name", "note");
	expect_row(op, 3, "5", "a\tb", "");
	assert_false(op->row.fields[2].null);
	expect_row(op, 2, "6", "z");
	expect_columns(op, 2, "col1", "col2");
	expect_end(op);
	close_opened(op);
}

static void test_sql_cp1251_dump(void **state)
{
	struct opened *op;

	(void)state;
	op = open_text("INSERT INTO t (surname, name) VALUES ('" PETRENKO_CP1251 "','" IVAN_CP1251
		       "');\n",
		       NULL);
	assert_int_equal(dump_reader_encoding(op->r), DUMP_ENCODING_CP1251);
	expect_row(op, 2, PETRENKO_UTF8, IVAN_UTF8);
	expect_end(op);
	close_opened(op);
}

static void test_malformed_inputs_name_their_line(void **state)
{
	struct dump_options csv = {.format = DUMP_FORMAT_CSV};
	struct dump_options jsonl = {.format = DUMP_FORMAT_JSONL};
	struct dump_options sql = {.format = DUMP_FORMAT_SQL};

	(void)state;
	expect_invalid("a,b\n1,2\n3,\"open\n4,5\n", &csv, "line 3:");
	expect_invalid("{\"a\": 1}\n{\"a\": 1,}\n", &jsonl, "line 2:");
	expect_invalid("{\"a\": 1}\n[1, 2]\n", &jsonl, "line 2:");
	expect_invalid("{\"a\": \"open\n", &jsonl, "line 1:");
	expect_invalid("INSERT INTO t VALUES (1, 'a'),\n(2, 'b\n", &sql, "line 2:");
	expect_invalid("INSERT INTO t VALUES (1, 2) (3, 4);\n", &sql, "line 1:");
	expect_invalid("\n\nINSERT INTO t VALUES 1, 2;\n", &sql, "line 3:");
	expect_invalid("INSERT t VALUES (1);\n", &sql, "line 1:");
	expect_invalid("INSERT INTO t VALUES (1, (2);\n", &sql, "line 1:");
}

static void test_row_over_the_limit_is_refused(void **state)
{
	size_t n = DUMP_ROW_MAX + 100;
	char *text = malloc(n + 16);
	struct opened *op;
	struct hr_error err = {0};

	(void)state;
	assert_non_null(text);
	memcpy(text, "a,b\n1,2\n", 8);
	memset(text + 8, 'x', n - 8);
	text[n] = '\0';
	op = open_text(text, NULL);
	expect_row(op, 2, "1", "2");
	assert_int_equal(dump_reader_next(op->r, &op->row, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "line 3:"));
	/* latched */
	assert_int_equal(dump_reader_next(op->r, &op->row, NULL), HR_E_INVALID);
	close_opened(op);
	/* an unclosed quote stops at the limit too, naming where it began */
	text[8] = '"';
	op = open_text(text, NULL);
	expect_row(op, 2, "1", "2");
	assert_int_equal(dump_reader_next(op->r, &op->row, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "line 3:"));
	close_opened(op);
	free(text);
}

/* buffer_bytes: the row limit follows the buffer; sizes outside the range
 * are refused */
static void test_small_buffers_limit_rows_to_their_size(void **state)
{
	struct dump_options small = {.buffer_bytes = DUMP_BUFFER_MIN};
	size_t n = DUMP_BUFFER_MIN + 100;
	char *text = malloc(n + 16);
	struct opened *op;
	struct hr_error err = {0};
	struct dump_reader *r = NULL;
	FILE *f = fmemopen((void *)"a,b\n", 4, "r");

	(void)state;
	assert_non_null(text);
	memcpy(text, "a,b\n1,2\n", 8);
	memset(text + 8, 'x', n - 8);
	text[n] = '\0';
	op = open_text(text, &small);
	expect_row(op, 2, "1", "2");
	assert_int_equal(dump_reader_next(op->r, &op->row, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "65536 bytes"));
	close_opened(op);
	small.buffer_bytes = DUMP_BUFFER_MIN - 1;
	assert_int_equal(dump_reader_open(f, &small, &r, &err), HR_E_INVALID);
	small.buffer_bytes = DUMP_READ_BUFFER + 1;
	assert_int_equal(dump_reader_open(f, &small, &r, &err), HR_E_INVALID);
	assert_null(r);
	fclose(f);
	free(text);
}

static void test_bytes_read_track_progress(void **state)
{
	struct dump_options o = {.header = DUMP_HEADER_NO};
	struct opened *op;
	char *text;
	size_t rows = 200000, i, len = 0, prev = 0;

	(void)state;
	text = malloc(rows * 16);
	assert_non_null(text);
	for (i = 0; i < rows; i++)
		len += (size_t)sprintf(text + len, "%zu,abcdef\n", i);
	op = open_bytes(text, len, &o);
	for (i = 0; i < rows; i++) {
		next_ok(op);
		assert_true(dump_reader_bytes_read(op->r) >= prev);
		prev = dump_reader_bytes_read(op->r);
	}
	expect_end(op);
	assert_int_equal(dump_reader_bytes_read(op->r), len);
	assert_int_equal(dump_reader_line(op->r), rows + 1);
	close_opened(op);
	free(text);
}

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void test_million_row_csv_reads_with_flat_memory(void **state)
{
	char path[512];
	FILE *f;
	struct dump_reader *r;
	struct dump_row *row = malloc(sizeof(*row));
	struct hr_error err = {0};
	struct timespec t0, t1;
	size_t rows = 1000000, i, n = 0;
	long rss_after_first, rss_end;
	uint64_t bytes;
	double seconds;
	hr_status s;

	(void)state;
	assert_non_null(row);
	tk_dir_path(path, sizeof(path), "million.csv");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "id;surname;name;birth;phone;email\n");
	for (i = 0; i < rows; i++)
		fprintf(
		    f,
		    "%zu;\"Petrenko%zu\";Ivan;19%02zu-0%zu-1%zu;+38050%07zu;user%zu@example.org\n",
		    i, i % 1000, i % 100, 1 + i % 9, i % 10, i, i);
	fclose(f);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(dump_reader_open(f, NULL, &r, &err), HR_OK);
	assert_int_equal(dump_reader_delimiter(r), ';');
	assert_true(dump_reader_has_header(r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(dump_reader_next(r, row, &err), HR_OK);
	n++;
	rss_after_first = max_rss_kib();
	while ((s = dump_reader_next(r, row, &err)) == HR_OK) {
		assert_int_equal(row->count, 6);
		n++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rss_end = max_rss_kib();
	assert_int_equal(s, HR_E_NOT_FOUND);
	assert_int_equal(n, rows);
	bytes = dump_reader_bytes_read(r);
	seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("dump_reader: %zu rows, %.1f MB in %.3f s: %.0f rows/s, %.0f MB/s; max RSS %ld KiB "
	       "after the first row, %ld KiB at the end\n",
	       n, (double)bytes / 1e6, seconds, (double)n / seconds, (double)bytes / 1e6 / seconds,
	       rss_after_first, rss_end);
	/* flat: reading a million rows grew the peak by less than 1 MiB */
	assert_true(rss_end - rss_after_first < 1024);
	dump_reader_free(r);
	fclose(f);
	free(row);
}

/* The detection sample ends where it ends: a two-byte letter cut by its last
 * byte (the rest just beyond it) does not make a UTF-8 dump CP1251. */
static void test_a_character_cut_by_the_sample_is_still_utf8(void **state)
{
	size_t len = DUMP_SAMPLE_SIZE * 2, at = 0;
	char *text = malloc(len + 1);
	struct opened *op;

	(void)state;
	assert_non_null(text);
	at += (size_t)sprintf(text, "name\n");
	/* "ж" (d0 b6) at every odd offset: the sample's last byte is a d0 */
	if (at % 2 == 0)
		text[at++] = 'x';
	while (at + 3 < len) {
		memcpy(text + at, "\xd0\xb6", 2);
		at += 2;
	}
	text[at++] = '\n';
	text[at] = '\0';
	assert_int_equal((unsigned char)text[DUMP_SAMPLE_SIZE - 1], 0xd0);
	op = open_bytes(text, at, &(struct dump_options){.format = DUMP_FORMAT_CSV});
	assert_int_equal(dump_reader_encoding(op->r), DUMP_ENCODING_UTF8);
	close_opened(op);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_every_delimiter_is_sniffed),
	    cmocka_unit_test(test_csv_quoting_follows_rfc_4180),
	    cmocka_unit_test(test_csv_crlf_bom_and_blank_lines),
	    cmocka_unit_test(test_csv_header_rule),
	    cmocka_unit_test(test_cp1251_is_detected_and_decoded),
	    cmocka_unit_test(test_utf8_file_with_a_cp1251_field_recodes_that_field),
	    cmocka_unit_test(test_jsonl_columns_are_keys_in_order_of_appearance),
	    cmocka_unit_test(test_jsonl_array_of_objects),
	    cmocka_unit_test(test_jsonl_invalid_line_is_named_and_skipped),
	    cmocka_unit_test(test_sql_multi_row_insert_with_escapes_and_null),
	    cmocka_unit_test(test_sql_postgresql_strings_and_copy),
	    cmocka_unit_test(test_sql_cp1251_dump),
	    cmocka_unit_test(test_malformed_inputs_name_their_line),
	    cmocka_unit_test(test_row_over_the_limit_is_refused),
	    cmocka_unit_test(test_small_buffers_limit_rows_to_their_size),
	    cmocka_unit_test(test_bytes_read_track_progress),
	    cmocka_unit_test(test_a_character_cut_by_the_sample_is_still_utf8),
	    cmocka_unit_test_setup_teardown(test_million_row_csv_reads_with_flat_memory,
					    tk_dir_setup, tk_dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
