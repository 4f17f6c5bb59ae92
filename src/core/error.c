/*
 * error.c — status names and the hr_error helpers. Nothing here allocates.
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *hr_status_name(hr_status status)
{
	switch (status) {
	case HR_OK:
		return "ok";
	case HR_E_NOMEM:
		return "out_of_memory";
	case HR_E_INVALID:
		return "invalid";
	case HR_E_IO:
		return "io";
	case HR_E_NOT_FOUND:
		return "not_found";
	case HR_E_TOO_LARGE:
		return "too_large";
	case HR_E_TIMEOUT:
		return "timeout";
	case HR_E_CONFLICT:
		return "conflict";
	case HR_E_DENIED:
		return "denied";
	case HR_E_UNAVAILABLE:
		return "unavailable";
	case HR_E_CRYPTO:
		return "crypto";
	case HR_E_SIGNATURE:
		return "signature";
	case HR_E_EXPIRED:
		return "expired";
	case HR_E_UNSUPPORTED:
		return "unsupported";
	case HR_E_STATE:
		return "state";
	case HR_E_BUSY:
		return "busy";
	case HR_E_DATABASE:
		return "database";
	}
	return "unknown";
}

hr_status hr_error_set(struct hr_error *err, hr_status status, const char *stage, const char *fmt,
		       ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	err->status = status;
	snprintf(err->stage, sizeof(err->stage), "%s", stage ? stage : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return status;
}

void hr_error_prefix(struct hr_error *err, const char *fmt, ...)
{
	char joined[2 * HR_ERROR_MESSAGE_MAX + 2];
	size_t n;
	int len;
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	len = vsnprintf(joined, HR_ERROR_MESSAGE_MAX, fmt, ap);
	va_end(ap);
	n = len < 0 ? 0 : strnlen(joined, HR_ERROR_MESSAGE_MAX);
	joined[n++] = ':';
	joined[n++] = ' ';
	memcpy(joined + n, err->message, strnlen(err->message, HR_ERROR_MESSAGE_MAX));
	n += strnlen(err->message, HR_ERROR_MESSAGE_MAX);
	if (n >= HR_ERROR_MESSAGE_MAX)
		n = HR_ERROR_MESSAGE_MAX - 1; /* truncate: messages are for people */
	memcpy(err->message, joined, n);
	err->message[n] = 0;
}

void hr_error_clear(struct hr_error *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
}
