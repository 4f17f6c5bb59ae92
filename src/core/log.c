/*
 * log.c — formatting and writing log lines. Formatting happens in a caller-owned
 * struct log_line on the stack; nothing here allocates or takes a lock (the kernel
 * keeps a single write() whole).
 */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int log_threshold = LOG_LEVEL_INFO;
static _Atomic int log_fd = 2;

static _Thread_local const char *scope_role;
static _Thread_local char scope_request_id[48];

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void log_set_level(enum log_level level)
{
	atomic_store(&log_threshold, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&log_threshold);
}

bool log_enabled(enum log_level level)
{
	/* OFF and anything outside the enum are never written (log_begin indexes
	 * level_names with the level). */
	return (unsigned)level < LOG_LEVEL_OFF &&
	       (int)level >= atomic_load_explicit(&log_threshold, memory_order_relaxed);
}

void log_set_fd(int fd)
{
	atomic_store(&log_fd, fd);
}

hr_status log_level_parse(const char *text, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(text, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return HR_OK;
		}
	}
	return HR_E_INVALID;
}

const char *log_level_name(enum log_level level)
{
	if ((unsigned)level > LOG_LEVEL_OFF)
		return "?";
	return level_names[level];
}

void log_scope_set_role(const char *role)
{
	scope_role = role;
}

const char *log_scope_role(void)
{
	return scope_role;
}

void log_scope_set_request_id(const char *request_id)
{
	if (request_id == NULL)
		scope_request_id[0] = 0;
	else
		snprintf(scope_request_id, sizeof(scope_request_id), "%s", request_id);
}

const char *log_scope_request_id(void)
{
	return scope_request_id[0] ? scope_request_id : NULL;
}

/* Room kept for the trailing "...\n" so a truncated line still ends cleanly. */
#define LOG_RESERVE 5

static void put_raw(struct log_line *line, const char *s, size_t n)
{
	size_t room = LOG_LINE_MAX - LOG_RESERVE - line->len;

	if (line->len >= LOG_LINE_MAX - LOG_RESERVE)
		return;
	if (n > room)
		n = room;
	memcpy(line->text + line->len, s, n);
	line->len += n;
}

static bool needs_quotes(const char *v, size_t n)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
			return true;
	}
	return false;
}

static void put_value(struct log_line *line, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	bool quote = needs_quotes(v, n);

	if (quote)
		put_raw(line, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};
			put_raw(line, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
			put_raw(line, esc, 4);
		} else {
			put_raw(line, (const char *)&c, 1);
		}
	}
	if (quote)
		put_raw(line, "\"", 1);
}

static void put_key(struct log_line *line, const char *key)
{
	put_raw(line, " ", 1);
	put_raw(line, key, strlen(key));
	put_raw(line, "=", 1);
}

static void log_begin_enabled(struct log_line *line, enum log_level level, const char *event);

void log_begin(struct log_line *line, enum log_level level, const char *event)
{
	line->len = 0;
	line->enabled = log_enabled(level);
	if (line->enabled)
		log_begin_enabled(line, level, event);
}

/* The line's opening fields: time, level, event, the thread's scope. */
static void log_begin_enabled(struct log_line *line, enum log_level level, const char *event)
{
	struct timespec ts;
	struct tm tm;
	char stamp[40];
	int n;

	line->len = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(stamp, sizeof(stamp), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     ts.tv_nsec / 1000000L);
	put_raw(line, stamp, (size_t)n);
	put_key(line, "level");
	put_raw(line, level_names[level], strlen(level_names[level]));
	put_key(line, "event");
	put_value(line, event, strlen(event));
	if (scope_role != NULL) {
		put_key(line, "role");
		put_value(line, scope_role, strlen(scope_role));
	}
	if (scope_request_id[0]) {
		put_key(line, "rid");
		put_value(line, scope_request_id, strlen(scope_request_id));
	}
}

void log_add_strn(struct log_line *line, const char *key, const char *value, size_t len)
{
	if (!line->enabled)
		return;
	put_key(line, key);
	if (value == NULL)
		put_raw(line, "-", 1);
	else
		put_value(line, value, len);
}

void log_add_str(struct log_line *line, const char *key, const char *value)
{
	log_add_strn(line, key, value, value ? strlen(value) : 0);
}

void log_add_int(struct log_line *line, const char *key, long long value)
{
	char num[24];
	int n;

	if (!line->enabled)
		return;
	n = snprintf(num, sizeof(num), "%lld", value);
	put_key(line, key);
	put_raw(line, num, (size_t)n);
}

void log_add_uint(struct log_line *line, const char *key, unsigned long long value)
{
	char num[24];
	int n;

	if (!line->enabled)
		return;
	n = snprintf(num, sizeof(num), "%llu", value);
	put_key(line, key);
	put_raw(line, num, (size_t)n);
}

void log_add_bool(struct log_line *line, const char *key, bool value)
{
	if (!line->enabled)
		return;
	put_key(line, key);
	put_raw(line, value ? "true" : "false", value ? 4 : 5);
}

void log_add_fmt(struct log_line *line, const char *key, const char *fmt, ...)
{
	char text[LOG_LINE_MAX];
	va_list ap;
	int n;

	if (!line->enabled)
		return;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_add_strn(line, key, text, strnlen(text, sizeof(text)));
}

/* Writes a finished line; false when the log cannot take it. */
static bool write_line(struct log_line *line)
{
	size_t off = 0;
	int fd;

	if (line->len >= LOG_LINE_MAX - LOG_RESERVE) {
		memcpy(line->text + line->len, "...", 3);
		line->len += 3;
	}
	line->text[line->len++] = '\n';
	fd = atomic_load(&log_fd);
	while (off < line->len) {
		ssize_t w = write(fd, line->text + off, line->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		off += (size_t)w;
	}
	return true;
}

void log_end(struct log_line *line)
{
	if (line->enabled)
		(void)write_line(line); /* nowhere left to report a failing log */
}

void log_begin_record(struct log_line *line, const char *event)
{
	/* an info line whatever the level: a record is data, not chatter */
	line->enabled = true;
	log_begin_enabled(line, LOG_LEVEL_INFO, event);
}

hr_status log_end_record(struct log_line *line)
{
	/* a record cut short is no record: nothing is written */
	if (line->len >= LOG_LINE_MAX - LOG_RESERVE)
		return HR_E_TOO_LARGE;
	return write_line(line) ? HR_OK : HR_E_IO;
}

void log_msg(enum log_level level, const char *event, const char *fmt, ...)
{
	struct log_line line;
	char text[LOG_LINE_MAX];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_begin(&line, level, event);
	log_add_str(&line, "msg", text);
	log_end(&line);
}
