/*
 * cli_out.c — output for people: whether stdout is a terminal, padding by
 * what a terminal shows (UTF-8 characters, not bytes), document type names,
 * times, and JSON values in words.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/documents.h"

static const char *const titles[DOCUMENT_TYPE_COUNT] = {
    "ID card",          "Foreign passport", "Driver's licence", "Vehicle registration",
    "Residence permit", "Vaccination",      "Student card",     "Military record",
};

bool cli_human_output(bool json)
{
	return !json && isatty(STDOUT_FILENO);
}

/* Characters a terminal shows for text: UTF-8 lead bytes. */
static int columns(const char *text)
{
	int n = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

void cli_print_padded(FILE *out, const char *text, int width)
{
	fputs(text, out);
	for (int n = columns(text); n < width; n++)
		fputc(' ', out);
}

const char *cli_document_title(const char *type)
{
	int i = type ? document_type_index(type) : -1;

	return i >= 0 ? titles[i] : (type ? type : "?");
}

void cli_print_document_types(FILE *out)
{
	for (int i = 0; i < DOCUMENT_TYPE_COUNT; i++)
		fprintf(out, "%s%s", i ? ", " : "", document_types[i]);
}

void cli_format_time(long long seconds, char *out, size_t size)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, size, "%lld", seconds);
}

/* One value on one line: strings as they are, arrays joined, objects as
 * "key value" pairs; a code/issue_date/expiry_date item (a licence's
 * category) as "B (2026-03-11 to 2028-03-11)". */
void cli_print_value(FILE *out, const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;
	bool first = true;

	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), out);
		break;
	case JSON_INTEGER:
		fprintf(out, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(out, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("yes", out);
		break;
	case JSON_FALSE:
		fputs("no", out);
		break;
	case JSON_NULL:
		fputs("-", out);
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, item)
		{
			if (i)
				fputs("; ", out);
			cli_print_value(out, item);
		}
		break;
	case JSON_OBJECT: {
		const char *code = json_string_value(json_object_get(v, "code"));
		const char *from = json_string_value(json_object_get(v, "issue_date"));
		const char *to = json_string_value(json_object_get(v, "expiry_date"));
		if (code != NULL && json_object_size(v) <= 3) {
			fprintf(out, "%s", code);
			if (from || to)
				fprintf(out, " (%s to %s)", from ? from : "?", to ? to : "?");
			break;
		}
		json_object_foreach((json_t *)v, key, item)
		{
			fprintf(out, "%s%s ", first ? "" : ", ", key);
			cli_print_value(out, item);
			first = false;
		}
		break;
	}
	}
}

void cli_print_fields(FILE *out, const json_t *object, const char *const *skip, int indent)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)object, key, value)
	{
		bool skipped = false;
		for (int i = 0; skip != NULL && skip[i] != NULL; i++)
			skipped = skipped || strcmp(skip[i], key) == 0;
		if (skipped)
			continue;
		fprintf(out, "%*s", indent, "");
		cli_print_padded(out, key, 20);
		fputc(' ', out);
		cli_print_value(out, value);
		fputc('\n', out);
	}
}
