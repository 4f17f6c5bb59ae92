/*
 * error.h — filling a struct hr_error (see include/hromada/status.h).
 *
 * The idiom is one line at the point of failure:
 *
 *	return hr_error_set(err, HR_E_INVALID, "config", "line %d: '%s' is not a number", n, v);
 *
 * hr_error_set returns the status it was given, so the failure path stays short.
 * err may be NULL. Messages are truncated, never overflowed.
 */
#ifndef HROMADA_CORE_ERROR_H
#define HROMADA_CORE_ERROR_H

#include <hromada/status.h>

hr_status hr_error_set(struct hr_error *err, hr_status status, const char *stage, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));

/* Puts "context: " in front of an existing message, e.g. the file name a parser failed in. */
void hr_error_prefix(struct hr_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void hr_error_clear(struct hr_error *err);

#endif
