/*
 * audit_segment.c — the segment record format (audit_segment.h): encoding,
 * the check of one record, the torn-tail rule, the files' names.
 *
 * This is the parser of bytes an attacker with access to the disk controls
 * (`hromada audit verify` reads copies of unknown origin), so it stays small:
 * every length is checked against the limit and the bytes there are before it
 * is used, and nothing here allocates but the directory listing.
 * fuzz/fuzz_audit_segment.c runs it on arbitrary bytes.
 *
 * Never: read outside [0, size) of a segment; call a record valid whose CRC
 * was not checked; cut, repair or otherwise write anything.
 */
#include "audit/audit_segment.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "core/file.h"

static uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t crc32_of(const uint8_t *p, size_t len)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)len);
}

const char *audit_record_state_text(enum audit_record_state state)
{
	switch (state) {
	case AUDIT_RECORD_SHORT:
		return "the record is cut short";
	case AUDIT_RECORD_BAD_LENGTH:
		return "its length is out of range";
	case AUDIT_RECORD_BAD_CRC:
		return "its CRC does not match";
	default:
		return "it is valid";
	}
}

size_t audit_record_encode(uint8_t out[AUDIT_RECORD_MAX], const void *entry, size_t len,
			   const uint8_t *person)
{
	assert(len >= 1 && len <= AUDIT_ENTRY_MAX);
	le32_put(out, (uint32_t)len);
	if (person != NULL)
		memcpy(out + 4, person, AUDIT_PERSON_LEN);
	else
		memset(out + 4, 0, AUDIT_PERSON_LEN);
	memcpy(out + AUDIT_RECORD_HEAD, entry, len);
	le32_put(out + AUDIT_RECORD_HEAD + len, crc32_of(out, AUDIT_RECORD_HEAD + len));
	return AUDIT_RECORD_OVERHEAD + len;
}

size_t audit_record_size(const uint8_t head[AUDIT_RECORD_HEAD])
{
	uint32_t len = le32_get(head);

	if (len == 0 || len > AUDIT_ENTRY_MAX)
		return 0;
	return AUDIT_RECORD_OVERHEAD + len;
}

enum audit_record_state audit_record_check(const uint8_t *data, size_t len,
					   struct audit_record *record)
{
	size_t size, entry_len;

	if (len < AUDIT_RECORD_HEAD)
		return AUDIT_RECORD_SHORT;
	if ((size = audit_record_size(data)) == 0)
		return AUDIT_RECORD_BAD_LENGTH;
	if (len < size)
		return AUDIT_RECORD_SHORT;
	entry_len = size - AUDIT_RECORD_OVERHEAD;
	if (crc32_of(data, AUDIT_RECORD_HEAD + entry_len) !=
	    le32_get(data + AUDIT_RECORD_HEAD + entry_len))
		return AUDIT_RECORD_BAD_CRC;
	record->size = size;
	record->person = data + 4;
	record->entry = data + AUDIT_RECORD_HEAD;
	record->entry_len = entry_len;
	return AUDIT_RECORD_OK;
}

void audit_segment_reader_memory(struct audit_segment_reader *r, const uint8_t *data, size_t size)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->size = size;
	r->data = data;
	r->len = size;
}

void audit_segment_reader_file(struct audit_segment_reader *r, int fd, uint64_t size,
			       uint8_t *window, size_t window_len)
{
	assert(fd >= 0 && window_len >= AUDIT_RECORD_MAX);
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->size = size;
	r->window = window;
	r->window_len = window_len;
}

/* *out = the n (<= AUDIT_RECORD_MAX) bytes at offset, or NULL when the segment ends before them. */
static hr_status reader_get(struct audit_segment_reader *r, uint64_t offset, size_t n,
			    const uint8_t **out)
{
	size_t want, got;

	*out = NULL;
	if (offset > r->size || n > r->size - offset)
		return HR_OK;
	if (offset >= r->start && offset - r->start <= r->len &&
	    n <= r->len - (offset - r->start)) {
		*out = r->data + (offset - r->start);
		return HR_OK;
	}
	/* a memory reader holds all of [0, size): only a file reader gets here */
	assert(r->fd >= 0 && n <= r->window_len);
	want = r->size - offset < r->window_len ? (size_t)(r->size - offset) : r->window_len;
	r->len = 0; /* the window's bytes are about to change */
	if (file_pread_full(r->fd, r->window, want, offset, &got) != HR_OK)
		return HR_E_IO;
	r->data = r->window;
	r->start = offset;
	r->len = got; /* fewer than want when the file shrank meanwhile */
	if (got >= n)
		*out = r->data;
	return HR_OK;
}

hr_status audit_segment_record_at(struct audit_segment_reader *r, uint64_t offset,
				  enum audit_record_state *state, struct audit_record *record)
{
	const uint8_t *p;
	size_t size;

	*state = AUDIT_RECORD_SHORT;
	if (reader_get(r, offset, AUDIT_RECORD_HEAD, &p) != HR_OK)
		return HR_E_IO;
	if (p == NULL)
		return HR_OK;
	if ((size = audit_record_size(p)) == 0) {
		*state = AUDIT_RECORD_BAD_LENGTH;
		return HR_OK;
	}
	if (reader_get(r, offset, size, &p) != HR_OK)
		return HR_E_IO;
	if (p != NULL)
		*state = audit_record_check(p, size, record);
	return HR_OK;
}

/*
 * A torn write leaves nothing valid behind its first bad byte. "Some chain of
 * valid records runs from an offset after the bad record to the end of the
 * file" holds exactly when some valid record after it ends at the end of the
 * file (that record alone is such a chain; and every chain ends in one), so
 * only the last AUDIT_RECORD_MAX offsets need trying: linear, whatever the
 * bytes — a search of every chain from every offset was quadratic, and a
 * damaged segment could stall a start or an audit.
 */
hr_status audit_segment_is_torn_tail(struct audit_segment_reader *r, uint64_t bad, bool last,
				     bool *torn)
{
	enum audit_record_state state;
	struct audit_record record;
	uint64_t from = bad + 1;

	*torn = false;
	if (!last)
		return HR_OK;
	if (r->size > AUDIT_RECORD_MAX && r->size - AUDIT_RECORD_MAX > from)
		from = r->size - AUDIT_RECORD_MAX;
	for (uint64_t q = from; q < r->size && r->size - q >= AUDIT_RECORD_OVERHEAD; q++) {
		const uint8_t *head;

		/* the length first: only a record that would end the file is checked whole */
		if (reader_get(r, q, AUDIT_RECORD_HEAD, &head) != HR_OK)
			return HR_E_IO;
		if (head == NULL || q + audit_record_size(head) != r->size)
			continue;
		if (audit_segment_record_at(r, q, &state, &record) != HR_OK)
			return HR_E_IO;
		if (state == AUDIT_RECORD_OK && q + record.size == r->size)
			return HR_OK; /* a valid record ends the file: not torn */
	}
	*torn = true;
	return HR_OK;
}

void audit_segment_name(char out[AUDIT_SEGMENT_NAME_SIZE], uint64_t first)
{
	snprintf(out, AUDIT_SEGMENT_NAME_SIZE, "%0*" PRIu64 ".seg", AUDIT_SEGMENT_DIGITS, first);
}

void audit_segment_path(char out[AUDIT_SEGMENT_PATH_SIZE], uint64_t first)
{
	snprintf(out, AUDIT_SEGMENT_PATH_SIZE, AUDIT_SEGMENT_DIR "/%0*" PRIu64 ".seg",
		 AUDIT_SEGMENT_DIGITS, first);
}

bool audit_segment_name_parse(const char *name, uint64_t *first)
{
	uint64_t v = 0;

	if (strlen(name) != AUDIT_SEGMENT_DIGITS + 4 ||
	    strcmp(name + AUDIT_SEGMENT_DIGITS, ".seg") != 0)
		return false;
	for (int i = 0; i < AUDIT_SEGMENT_DIGITS; i++) {
		unsigned d = (unsigned)(name[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*first = v;
	return true;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

hr_status audit_segment_list(int dir_fd, uint64_t **firsts, size_t *count)
{
	size_t cap = 0;
	struct dirent *d;
	DIR *dir;
	int fd, e;

	*firsts = NULL;
	*count = 0;
	if ((fd = dup(dir_fd)) < 0)
		return HR_E_IO;
	if ((dir = fdopendir(fd)) == NULL) {
		e = errno;
		close(fd);
		errno = e;
		return HR_E_IO;
	}
	/* fdopendir shares the position of dir_fd, which may have been read before */
	rewinddir(dir);
	for (;;) {
		uint64_t first;

		errno = 0;
		if ((d = readdir(dir)) == NULL)
			break;
		if (!audit_segment_name_parse(d->d_name, &first))
			continue;
		if (*count == cap) {
			uint64_t *grown;

			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(*firsts, cap * sizeof(*grown))) == NULL) {
				closedir(dir);
				goto fail_nomem;
			}
			*firsts = grown;
		}
		(*firsts)[(*count)++] = first;
	}
	e = errno;
	closedir(dir);
	if (e != 0) {
		free(*firsts);
		*firsts = NULL;
		*count = 0;
		errno = e;
		return HR_E_IO;
	}
	if (*count > 0)
		qsort(*firsts, *count, sizeof(**firsts), compare_u64);
	return HR_OK;
fail_nomem:
	free(*firsts);
	*firsts = NULL;
	*count = 0;
	return HR_E_NOMEM;
}
