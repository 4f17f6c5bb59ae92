/*
 * buf.c — bounded growable buffers. Growth doubles, capped at the limit; every
 * size computation is checked for overflow before it is trusted.
 */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t limit)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->limit = limit;
	b->error = HR_OK;
}

void buf_clear(struct buf *b)
{
	free(b->data);
	buf_init(b, b->limit);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->error = HR_OK;
	if (b->data != NULL)
		b->data[0] = 0;
}

hr_status buf_reserve(struct buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (b->error != HR_OK)
		return b->error;
	if (extra > b->limit || b->len > b->limit - extra)
		return b->error = HR_E_TOO_LARGE;
	need = b->len + extra + 1; /* + the NUL byte */
	if (need <= b->cap)
		return HR_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->limit + 1)
		cap = b->limit + 1;
	if (cap < need)
		cap = need;
	p = realloc(b->data, cap);
	if (p == NULL)
		return b->error = HR_E_NOMEM;
	b->data = p;
	b->cap = cap;
	b->data[b->len] = 0; /* buf_str of a buffer reserved but not yet written is "" */
	return HR_OK;
}

hr_status buf_append(struct buf *b, const void *data, size_t len)
{
	hr_status rc;

	if ((rc = buf_reserve(b, len)) != HR_OK)
		return rc;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = 0;
	return HR_OK;
}

hr_status buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

hr_status buf_append_byte(struct buf *b, uint8_t byte)
{
	return buf_append(b, &byte, 1);
}

hr_status buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	hr_status rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->error = HR_E_INVALID;
	if ((rc = buf_reserve(b, (size_t)n)) != HR_OK)
		return rc;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return HR_OK;
}

const char *buf_str(const struct buf *b)
{
	return b->data ? (const char *)b->data : "";
}

struct slice buf_slice(const struct buf *b)
{
	return slice_make(b->data, b->len);
}

uint8_t *buf_take(struct buf *b, size_t *len)
{
	uint8_t *p = b->data;

	if (len != NULL)
		*len = b->len;
	buf_init(b, b->limit);
	return p;
}

struct slice slice_from_str(const char *s)
{
	return slice_make(s, strlen(s));
}

bool slice_equal(struct slice a, struct slice b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool slice_equal_str(struct slice a, const char *s)
{
	return slice_equal(a, slice_from_str(s));
}
