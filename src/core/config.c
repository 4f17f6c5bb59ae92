/*
 * config.c — INI loading (inih), overrides and validated typed getters.
 *
 * inih splits lines longer than its compiled-in INI_MAX_LINE into pieces and
 * parses each piece; we read lines ourselves and refuse an over-long one with
 * its line number instead, so no setting is ever silently cut in two.
 */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "core/error.h"

#define STAGE "config"

struct config_entry {
	char section[CONFIG_NAME_MAX];
	char key[CONFIG_NAME_MAX];
	char *value;
	char origin[160]; /* "file.ini:12" or "--set" */
	bool used;
};

struct config {
	struct config_entry *entries;
	size_t count;
	size_t cap;
};

struct config *config_new(void)
{
	return calloc(1, sizeof(struct config));
}

void config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->count; i++)
		free(cfg->entries[i].value);
	free(cfg->entries);
	free(cfg);
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CONFIG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	}
	return true;
}

static struct config_entry *find(const struct config *cfg, const char *section, const char *key)
{
	for (size_t i = 0; i < cfg->count; i++) {
		if (strcmp(cfg->entries[i].section, section) == 0 &&
		    strcmp(cfg->entries[i].key, key) == 0)
			return &cfg->entries[i];
	}
	return NULL;
}

hr_status config_set(struct config *cfg, const char *section, const char *key, const char *value,
		     const char *origin, struct hr_error *err)
{
	struct config_entry *e;
	char *copy;

	if (!valid_name(section) || !valid_name(key))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s: '%.64s.%.64s' is not a valid name (use a-z, 0-9, '_')",
				    origin, section, key);
	if (strlen(value) >= CONFIG_VALUE_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s: value of %s.%s is too long",
				    origin, section, key);
	for (const char *p = value; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s: value of %s.%s contains a control character",
					    origin, section, key);
	}
	if ((copy = strdup(value)) == NULL)
		return HR_E_NOMEM;
	e = find(cfg, section, key);
	if (e == NULL) {
		if (cfg->count == cfg->cap) {
			size_t cap = cfg->cap ? cfg->cap * 2 : 16;
			struct config_entry *n = realloc(cfg->entries, cap * sizeof(*n));
			if (n == NULL) {
				free(copy);
				return HR_E_NOMEM;
			}
			cfg->entries = n;
			cfg->cap = cap;
		}
		e = &cfg->entries[cfg->count++];
		memset(e, 0, sizeof(*e));
		snprintf(e->section, sizeof(e->section), "%s", section);
		snprintf(e->key, sizeof(e->key), "%s", key);
	}
	free(e->value);
	e->value = copy;
	snprintf(e->origin, sizeof(e->origin), "%s", origin);
	return HR_OK;
}

struct load_ctx {
	struct config *cfg;
	const char *path;
	FILE *file;
	int line;
	int longest;        /* the longest line the reader accepts, in characters */
	bool line_too_long; /* at line */
	bool line_has_nul;  /* at line */
	int read_errno;     /* reading failed (e.g. EISDIR) */
	struct hr_error *err;
	hr_status rc;
	int rc_line; /* the line whose value failed */
};

/*
 * inih reader: one line per call. Refuses a line that does not fit, and a line
 * holding a NUL byte (fgets would hand inih only the part before the NUL, and
 * the rest of the line would then be read as a line of its own). Leading blanks
 * are removed: inih reads an indented line after a key as a continuation of
 * that key's value, and config_set would silently replace the value with it.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct load_ctx *ctx = stream;
	size_t n, blanks;

	if (ctx->line_too_long || ctx->line_has_nul)
		return NULL;
	if (fgets(str, num, ctx->file) == NULL) {
		if (ferror(ctx->file))
			ctx->read_errno = errno ? errno : EIO;
		return NULL;
	}
	ctx->line++;
	ctx->longest = num - 2; /* room for '\n' and the terminator */
	n = strlen(str);
	/* fgets stops after '\n', at a full buffer or at end of file: anything else
	 * means strlen stopped early, at a NUL byte */
	if (n == 0 || (str[n - 1] != '\n' && !feof(ctx->file))) {
		if (n == (size_t)num - 1)
			ctx->line_too_long = true;
		else
			ctx->line_has_nul = true;
		return NULL;
	}
	blanks = strspn(str, " \t");
	memmove(str, str + blanks, n - blanks + 1);
	return str;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	char origin[160];
	struct hr_error local;

	if (ctx->rc != HR_OK)
		return 1;
	snprintf(origin, sizeof(origin), "%s:%d", ctx->path, ctx->line);
	ctx->rc_line = ctx->line;
	if (section[0] == 0) {
		ctx->rc = hr_error_set(ctx->err, HR_E_INVALID, STAGE,
				       "%s: '%s' is outside any [section]", origin, name);
		return 1;
	}
	ctx->rc = config_set(ctx->cfg, section, name, value, origin, &local);
	if (ctx->rc != HR_OK && ctx->err != NULL)
		*ctx->err = local;
	return 1;
}

hr_status config_load_file(struct config *cfg, const char *path, struct hr_error *err)
{
	struct load_ctx ctx;
	int bad_line;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.path = path;
	ctx.err = err;
	ctx.file = fopen(path, "r");
	if (ctx.file == NULL)
		return hr_error_set(err, errno == ENOENT ? HR_E_NOT_FOUND : HR_E_IO, STAGE,
				    "cannot open %s: %s", path, strerror(errno));
	bad_line = ini_parse_stream(read_line, &ctx, on_value, &ctx);
	fclose(ctx.file);
	/* inih goes on after a bad line: report the first problem in the file */
	if (bad_line != 0 && (ctx.rc == HR_OK || bad_line < ctx.rc_line))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s:%d: not a '[section]' or 'key = value' line", path,
				    bad_line);
	if (ctx.rc != HR_OK)
		return ctx.rc;
	if (ctx.read_errno != 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot read %s: %s", path,
				    strerror(ctx.read_errno));
	if (ctx.line_too_long)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s:%d: line is longer than %d characters", path, ctx.line,
				    ctx.longest);
	if (ctx.line_has_nul)
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s:%d: line contains a NUL byte",
				    path, ctx.line);
	return HR_OK;
}

hr_status config_set_assignment(struct config *cfg, const char *assignment, struct hr_error *err)
{
	char section[CONFIG_NAME_MAX], key[CONFIG_NAME_MAX];
	const char *dot = strchr(assignment, '.');
	const char *eq = strchr(assignment, '=');
	size_t slen, klen;

	if (dot == NULL || eq == NULL || dot > eq)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "--set '%.100s': expected section.key=value", assignment);
	slen = (size_t)(dot - assignment);
	klen = (size_t)(eq - dot - 1);
	if (slen == 0 || slen >= sizeof(section) || klen == 0 || klen >= sizeof(key))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "--set '%.100s': expected section.key=value", assignment);
	memcpy(section, assignment, slen);
	section[slen] = 0;
	memcpy(key, dot + 1, klen);
	key[klen] = 0;
	return config_set(cfg, section, key, eq + 1, "--set", err);
}

bool config_has(struct config *cfg, const char *section, const char *key)
{
	return find(cfg, section, key) != NULL;
}

/* Looks a key up and marks it read; NULL when absent. */
static struct config_entry *take(struct config *cfg, const char *section, const char *key)
{
	struct config_entry *e = find(cfg, section, key);

	if (e != NULL)
		e->used = true;
	return e;
}

hr_status config_get_str(struct config *cfg, const char *section, const char *key, const char *def,
			 const char **out, struct hr_error *err)
{
	struct config_entry *e = take(cfg, section, key);

	(void)err;
	*out = e ? e->value : def;
	return HR_OK;
}

hr_status config_get_int(struct config *cfg, const char *section, const char *key, int64_t def,
			 int64_t min, int64_t max, int64_t *out, struct hr_error *err)
{
	struct config_entry *e = take(cfg, section, key);
	char *end;
	long long v;

	if (e == NULL) {
		*out = def;
		return HR_OK;
	}
	errno = 0;
	v = strtoll(e->value, &end, 10);
	if (e->value[0] == 0 || *end != 0 || errno == ERANGE || isspace((unsigned char)e->value[0]))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s: %s.%s = '%.64s' is not an integer", e->origin, section,
				    key, e->value);
	if (v < min || v > max)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s: %s.%s = %lld is out of range (%" PRId64 "..%" PRId64 ")",
				    e->origin, section, key, v, min, max);
	*out = v;
	return HR_OK;
}

hr_status config_get_bool(struct config *cfg, const char *section, const char *key, bool def,
			  bool *out, struct hr_error *err)
{
	static const char *const yes[] = {"true", "yes", "on", "1", NULL};
	static const char *const no[] = {"false", "no", "off", "0", NULL};
	struct config_entry *e = take(cfg, section, key);

	if (e == NULL) {
		*out = def;
		return HR_OK;
	}
	for (int i = 0; yes[i]; i++) {
		if (strcmp(e->value, yes[i]) == 0) {
			*out = true;
			return HR_OK;
		}
		if (strcmp(e->value, no[i]) == 0) {
			*out = false;
			return HR_OK;
		}
	}
	return hr_error_set(err, HR_E_INVALID, STAGE,
			    "%s: %s.%s = '%.64s' is not a boolean (true or false)", e->origin,
			    section, key, e->value);
}

hr_status config_get_choice(struct config *cfg, const char *section, const char *key,
			    const char *def, const char *const *choices, int *index,
			    struct hr_error *err)
{
	struct config_entry *e = take(cfg, section, key);
	const char *value = e ? e->value : def;
	char list[256] = "";
	size_t used = 0;

	for (int i = 0; choices[i] != NULL; i++) {
		if (value != NULL && strcmp(value, choices[i]) == 0) {
			*index = i;
			return HR_OK;
		}
		if (used < sizeof(list)) {
			int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 choices[i]);
			used += n > 0 ? (size_t)n : 0;
		}
	}
	if (e != NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s: %s.%s = '%.64s' must be one of: %s", e->origin, section,
				    key, e->value, list);
	return hr_error_set(err, HR_E_INVALID, STAGE, "%s.%s = '%.64s' must be one of: %s", section,
			    key, value ? value : "", list);
}

hr_status config_check_unused_section(const struct config *cfg, const char *section,
				      struct hr_error *err)
{
	for (size_t i = 0; i < cfg->count; i++) {
		const struct config_entry *e = &cfg->entries[i];
		if (!e->used && (section == NULL || strcmp(e->section, section) == 0))
			return hr_error_set(err, HR_E_INVALID, STAGE, "%s: unknown setting %s.%s",
					    e->origin, e->section, e->key);
	}
	return HR_OK;
}

hr_status config_check_unused(const struct config *cfg, struct hr_error *err)
{
	return config_check_unused_section(cfg, NULL, err);
}

/*
 * True when the line "key = value" reads back as exactly value: inih strips the
 * blanks around a value, starts an inline comment at a ';' that follows a blank
 * (the one after '=' included), and refuses over-long lines (see read_line).
 */
static bool reads_back(const char *key, const char *value)
{
	size_t n = strlen(value);

	if (n > 0 && (value[0] == ' ' || value[n - 1] == ' ' || value[0] == ';'))
		return false;
	if (strstr(value, " ;") != NULL)
		return false;
	return strlen(key) + 3 + n <= INI_MAX_LINE - 2;
}

hr_status config_write_file(const struct config *cfg, const char *path, struct hr_error *err)
{
	FILE *f;
	bool *done;

	/* Refuse before touching the file: never write a value that would read back changed. */
	for (size_t i = 0; i < cfg->count; i++) {
		const struct config_entry *e = &cfg->entries[i];
		if (!reads_back(e->key, e->value))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s.%s: this value cannot be written to %s and read "
					    "back unchanged",
					    e->section, e->key, path);
	}
	f = fopen(path, "w");
	if (f == NULL)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot write %s: %s", path,
				    strerror(errno));
	done = calloc(cfg->count + 1, sizeof(bool));
	if (done == NULL) {
		fclose(f);
		return HR_E_NOMEM;
	}
	fprintf(f, "; written by hromada; run it with: hromada serve ROLE --config %s\n", path);
	/* Group keys by section, sections in order of first appearance. */
	for (size_t i = 0; i < cfg->count; i++) {
		if (done[i])
			continue;
		fprintf(f, "\n[%s]\n", cfg->entries[i].section);
		for (size_t j = i; j < cfg->count; j++) {
			if (!done[j] &&
			    strcmp(cfg->entries[j].section, cfg->entries[i].section) == 0) {
				fprintf(f, "%s = %s\n", cfg->entries[j].key, cfg->entries[j].value);
				done[j] = true;
			}
		}
	}
	free(done);
	if (fclose(f) != 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot write %s: %s", path,
				    strerror(errno));
	return HR_OK;
}
