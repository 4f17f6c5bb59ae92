/*
 * log.h — structured logging: one line per event, key=value, to stderr.
 *
 *	ts=2026-11-25T14:30:37.123Z level=info event=http.request role=UA/wallet rid=9f3c...
 *status=200
 *
 * Every line starts with the time (UTC, milliseconds), level and event name, then
 * the calling thread's scope (role and request id, set by the HTTP layer for the
 * request it is serving), then the event's own fields. Values are quoted when they
 * hold spaces, quotes or '=', and control bytes are escaped, so a line can never be
 * split or forged by data that came from outside. A line is written with one
 * write() so concurrent threads never interleave.
 *
 * Never log personal data (names, document numbers, dates of birth, addresses):
 * this is a promise of the platform, not a convention.
 */
#ifndef HROMADA_CORE_LOG_H
#define HROMADA_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include <hromada/status.h>

enum log_level {
	LOG_LEVEL_DEBUG = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_WARN = 2,
	LOG_LEVEL_ERROR = 3,
	LOG_LEVEL_OFF = 4,
};

#define LOG_LINE_MAX 2048

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);
/* Where lines go (default: 2). The descriptor stays owned by the caller. */
void log_set_fd(int fd);
hr_status log_level_parse(const char *text, enum log_level *out);
const char *log_level_name(enum log_level level);

/* Per-thread scope added to every line this thread writes; NULL clears. The
 * role string must outlive its use (roles keep theirs for their whole life). */
void log_scope_set_role(const char *role);
const char *log_scope_role(void);
void log_scope_set_request_id(const char *request_id);
const char *log_scope_request_id(void);

struct log_line {
	char text[LOG_LINE_MAX];
	size_t len;
	bool enabled;
};

void log_begin(struct log_line *line, enum log_level level, const char *event);
void log_add_str(struct log_line *line, const char *key, const char *value);
void log_add_strn(struct log_line *line, const char *key, const char *value, size_t len);
void log_add_int(struct log_line *line, const char *key, long long value);
void log_add_uint(struct log_line *line, const char *key, unsigned long long value);
void log_add_bool(struct log_line *line, const char *key, bool value);
void log_add_fmt(struct log_line *line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_end(struct log_line *line);
/*
 * A record that must not be lost (the gateway's audit line): built whatever the
 * log level, and its write checked — HR_E_TOO_LARGE (and nothing written) when
 * it did not fit LOG_LINE_MAX, HR_E_IO when the log could not take it.
 */
void log_begin_record(struct log_line *line, const char *event);
hr_status log_end_record(struct log_line *line);

/* One event with a free-text message: event=... msg="...". */
void log_msg(enum log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(event, ...) log_msg(LOG_LEVEL_DEBUG, event, __VA_ARGS__)
#define log_info(event, ...)  log_msg(LOG_LEVEL_INFO, event, __VA_ARGS__)
#define log_warn(event, ...)  log_msg(LOG_LEVEL_WARN, event, __VA_ARGS__)
#define log_error(event, ...) log_msg(LOG_LEVEL_ERROR, event, __VA_ARGS__)

#endif
