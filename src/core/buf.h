/*
 * buf.h — growable byte buffers that always carry a ceiling, and read-only slices.
 *
 * Every buffer is created with a limit (as curl's dynbuf): appending past it fails
 * with HR_E_TOO_LARGE and leaves the buffer as it was, so a length that came from
 * the network can never make us allocate without bound. The data is always kept
 * NUL-terminated (one spare byte beyond len) so text can be handed to C string
 * functions; binary users simply ignore that byte.
 *
 * Errors latch (as in QCBOR): after one failed append, every later append fails
 * with the same status and b->error keeps it, so a writer that emits many
 * pieces can append freely and check b->error once at the end.
 *
 * Ownership: buf_init() on an embedded struct, buf_clear() frees the storage.
 * buf_take() hands the storage to the caller, who frees it with free().
 */
#ifndef HROMADA_CORE_BUF_H
#define HROMADA_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

struct slice {
	const uint8_t *ptr;
	size_t len;
};

struct buf {
	uint8_t *data; /* NULL until the first append */
	size_t len;
	size_t cap;      /* allocated bytes, including the spare NUL byte */
	size_t limit;    /* len may never exceed this */
	hr_status error; /* first failure, latched until buf_reset/buf_clear */
};

void buf_init(struct buf *b, size_t limit);
void buf_clear(struct buf *b);
/* Forget the contents, keep the storage (for reuse across requests). */
void buf_reset(struct buf *b);

hr_status buf_reserve(struct buf *b, size_t extra);
hr_status buf_append(struct buf *b, const void *data, size_t len);
hr_status buf_append_str(struct buf *b, const char *s);
hr_status buf_append_byte(struct buf *b, uint8_t byte);
hr_status buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The contents as text; never NULL (an empty buffer gives ""). */
const char *buf_str(const struct buf *b);
struct slice buf_slice(const struct buf *b);

/* Detach the storage; the buffer is left empty. The caller frees the result. */
uint8_t *buf_take(struct buf *b, size_t *len);

static inline struct slice slice_make(const void *ptr, size_t len)
{
	struct slice s = {(const uint8_t *)ptr, len};
	return s;
}

struct slice slice_from_str(const char *s);
bool slice_equal(struct slice a, struct slice b);
bool slice_equal_str(struct slice a, const char *s);

#endif
