/*
 * audit_segment.h — the audit log's segment files, the one authority on disk
 * (DESIGN.md §6): how a record is laid out, encoded and checked, when a bad
 * record is a torn tail, and how the files are named. The gateway's log
 * (audit_log.c) writes and recovers with it; `hromada audit verify`
 * (audit_verify.c) reads untrusted copies with it — one parser, so both judge
 * every byte alike.
 *
 * DIR/segments/NNNNNNNNNNNNNNNNNNNN.seg holds the entries from index NNN… (20
 * decimal digits) on, as records back to back — no header, no padding:
 *
 *	u32 le  length of the entry (1 .. AUDIT_ENTRY_MAX)
 *	32      person hash (all zero: no person)
 *	length  the entry
 *	u32 le  CRC-32 (zlib) of the three fields above
 *
 * Only the last segment is ever appended to; a new one begins where the
 * previous one's last entry ends.
 *
 * The torn-tail rule: a crash during an append leaves a prefix of what was
 * being written at the end of the last segment — a bad record after which
 * nothing parses to the end of the file. Those entries were never
 * acknowledged, so the tail may be cut. A bad record followed by a chain of
 * valid records that reaches the very end is not a torn write but damage or
 * tampering: the entries behind it were acknowledged. Requiring the chain to
 * reach the end keeps an entry that merely embeds record-like bytes from
 * passing for one.
 *
 * Never: trust a length before checking it against AUDIT_ENTRY_MAX and the
 * bytes there are; allocate or write while checking (only audit_segment_list
 * allocates its answer); decide what to do with damage (the callers do).
 */
#ifndef HROMADA_AUDIT_AUDIT_SEGMENT_H
#define HROMADA_AUDIT_AUDIT_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#define AUDIT_ENTRY_MAX  (16u * 1024u) /* the largest entry a record holds */
#define AUDIT_PERSON_LEN 32            /* the person hash */

#define AUDIT_RECORD_HEAD     (4u + AUDIT_PERSON_LEN)  /* the bytes before the entry */
#define AUDIT_RECORD_OVERHEAD (AUDIT_RECORD_HEAD + 4u) /* all but the entry */
#define AUDIT_RECORD_MAX      (AUDIT_RECORD_OVERHEAD + AUDIT_ENTRY_MAX)

#define AUDIT_SEGMENT_DIR    "segments"
#define AUDIT_SEGMENT_DIGITS 20
/* "NNN….seg" and "segments/NNN….seg", with their NUL */
#define AUDIT_SEGMENT_NAME_SIZE (AUDIT_SEGMENT_DIGITS + sizeof(".seg"))
#define AUDIT_SEGMENT_PATH_SIZE (sizeof(AUDIT_SEGMENT_DIR "/") + AUDIT_SEGMENT_NAME_SIZE)

enum audit_record_state {
	AUDIT_RECORD_OK,
	AUDIT_RECORD_SHORT,      /* the segment ends inside it */
	AUDIT_RECORD_BAD_LENGTH, /* its length field is 0 or over AUDIT_ENTRY_MAX */
	AUDIT_RECORD_BAD_CRC,
};

/* A valid record's parts, pointing into the bytes it was checked in. */
struct audit_record {
	size_t size;           /* the whole record: AUDIT_RECORD_OVERHEAD + entry_len */
	const uint8_t *person; /* AUDIT_PERSON_LEN bytes */
	const uint8_t *entry;
	size_t entry_len; /* 1 .. AUDIT_ENTRY_MAX */
};

/* "the record is cut short", "its length is out of range", … */
const char *audit_record_state_text(enum audit_record_state state);

/*
 * Writes the record of entry (1 .. AUDIT_ENTRY_MAX bytes, which the caller has
 * checked) into out and returns its size. person is AUDIT_PERSON_LEN bytes, or
 * NULL for none.
 */
size_t audit_record_encode(uint8_t out[AUDIT_RECORD_MAX], const void *entry, size_t len,
			   const uint8_t *person);

/* The size of the record whose first AUDIT_RECORD_HEAD bytes are head, from its
 * length field; 0 when that is out of range. */
size_t audit_record_size(const uint8_t head[AUDIT_RECORD_HEAD]);

/*
 * The record at the start of data, of which len bytes exist (they may run on
 * past the record). *record is filled only when AUDIT_RECORD_OK.
 */
enum audit_record_state audit_record_check(const uint8_t *data, size_t len,
					   struct audit_record *record);

/*
 * Reads one segment for audit_segment_record_at and the torn-tail rule: either
 * all of its bytes, already in memory, or an open file through a window that
 * pread() refills. Pointers it hands out stay valid until its next use.
 */
struct audit_segment_reader {
	int fd;              /* -1: the whole segment is in data */
	uint64_t size;       /* of the segment */
	const uint8_t *data; /* the segment's bytes [start, start + len) */
	uint64_t start;
	size_t len;
	uint8_t *window; /* a file reader's buffer, window_len bytes */
	size_t window_len;
};

/* A reader of the size bytes at data (NULL when size is 0); it never fails. */
void audit_segment_reader_memory(struct audit_segment_reader *r, const uint8_t *data, size_t size);
/* A reader of the first size bytes of fd, through window (at least
 * AUDIT_RECORD_MAX bytes, owned by the caller). */
void audit_segment_reader_file(struct audit_segment_reader *r, int fd, uint64_t size,
			       uint8_t *window, size_t window_len);

/*
 * The record at offset: *state, and *record when AUDIT_RECORD_OK. HR_E_IO with
 * errno when the file could not be read (never for a memory reader).
 */
hr_status audit_segment_record_at(struct audit_segment_reader *r, uint64_t offset,
				  enum audit_record_state *state, struct audit_record *record);

/*
 * The torn-tail rule (above) for the first bad record of a segment, at offset
 * bad: *torn when it begins a tail that may be cut — never in a segment that is
 * not the last. HR_E_IO with errno as audit_segment_record_at.
 */
hr_status audit_segment_is_torn_tail(struct audit_segment_reader *r, uint64_t bad, bool last,
				     bool *torn);

/* "NNN….seg" for the segment whose first entry is first. */
void audit_segment_name(char out[AUDIT_SEGMENT_NAME_SIZE], uint64_t first);
/* "segments/NNN….seg": its path inside the log's directory. */
void audit_segment_path(char out[AUDIT_SEGMENT_PATH_SIZE], uint64_t first);
/* True, with *first, when name is exactly a segment's name (20 digits, a value
 * that fits 64 bits, ".seg"); anything else in segments/ is not a segment. */
bool audit_segment_name_parse(const char *name, uint64_t *first);

/*
 * The first entries of the segments in the directory open as dir_fd (which
 * stays open; its read position is rewound), ascending. *firsts is malloc'ed,
 * or NULL when *count is 0: the caller frees it. HR_E_NOMEM, or HR_E_IO with
 * errno (then there is nothing to free).
 */
hr_status audit_segment_list(int dir_fd, uint64_t **firsts, size_t *count);

#endif
