/*
 * cli_util.c — what several subcommands need: reading input files with a limit,
 * parsing numbers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/error.h"

#define CLI_FILE_LIMIT (16 * 1024 * 1024)

hr_status cli_read_file(const char *path, char **out, size_t *len, struct hr_error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	char chunk[65536];
	struct buf b;
	size_t n;
	bool failed;

	*out = NULL;
	if (f == NULL)
		return hr_error_set(err, HR_E_IO, "input", "cannot open %s: %s", path,
				    strerror(errno));
	buf_init(&b, CLI_FILE_LIMIT);
	buf_reserve(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(&b, chunk, n) != HR_OK)
			break;
	}
	failed = ferror(f);
	if (!is_stdin)
		fclose(f);
	if (failed || b.error != HR_OK) {
		buf_clear(&b);
		return hr_error_set(err, failed ? HR_E_IO : HR_E_TOO_LARGE, "input",
				    failed ? "cannot read %s" : "%s is larger than 16 MiB", path);
	}
	*out = (char *)buf_take(&b, len);
	return *out ? HR_OK : hr_error_set(err, HR_E_NOMEM, "input", "out of memory");
}

hr_status cli_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long value;
	char *end;

	/* strtoull accepts "-1" (and wraps it) and leading blanks: refuse both */
	if (text[0] < '0' || text[0] > '9')
		return HR_E_INVALID;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || value < min || value > max)
		return HR_E_INVALID;
	*out = value;
	return HR_OK;
}
