/*
 * canary_index.h — the canary index (DESIGN.md §7, docs/LEAKS.md): which
 * identifiers belong to a planted canary and whom that canary was served to,
 * read from STATE/<COUNTRY>/leak/canaries.jsonl (format in leak_tag.h: one
 * JSON line per identifier, {"tag", "member", "canary", "planted_at"}).
 *
 * The index holds tags only (keyed hashes under canary.key), never the
 * identifiers: whoever holds it without the key cannot tell who the canaries
 * are. Looking up an identifier means computing its tag (leak_tag) first.
 *
 * Two ways to use it:
 *  - a CLI (leakscan) opens it once and looks tags up;
 *  - the gateway's sentinel also calls canary_index_refresh on its request
 *    path: at most once per CANARY_INDEX_CHECK_MS it stats the file (one
 *    syscall) and reads only what was appended since — a line appended is
 *    found within a tenth of a second. A file replaced (another inode) or cut
 *    short is read again whole. The file is append-only by contract: rewrite
 *    it by writing a new file and renaming it over the old one.
 * A last line without its newline is being written: it is left for the next
 * read. A bad line (not JSON, a tag that is not 32 hex digits, no valid
 * member id, an empty or over-long canary id, a planted_at that is not RFC
 * 3339) is logged with its line number and skipped; the rest is used. A tag
 * seen twice keeps its first entry (counted in duplicates).
 *
 * Thread-safe: lookups share a read lock; a refresh parses outside it and
 * takes the write lock only to insert. At most CANARY_INDEX_MAX entries
 * (124 bytes each in a table at most half full: 64 MiB at the cap); lines
 * past it are skipped and counted in dropped.
 */
#ifndef HROMADA_LEAK_CANARY_INDEX_H
#define HROMADA_LEAK_CANARY_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/documents.h"
#include "leak/leak_tag.h"

#define CANARY_INDEX_MAX      (1u << 18) /* entries: ~29 000 canaries of 9 ids */
#define CANARY_INDEX_LINE_MAX 4096       /* bytes of one line */
/* The file is looked at no more often: a stat (~1 µs) ten times a second
 * costs nothing, and a canary asked about 100 ms after it was planted is
 * caught (at a second, a plant followed at once by a use was missed). */
#define CANARY_INDEX_CHECK_MS 100
#define CANARY_ID_MAX         64 /* a canary's own id, NUL included */
#define CANARY_PLANTED_MAX    40 /* planted_at as written, NUL included */

struct canary_index;

struct canary_hit {
	char member[MEMBER_ID_MAX]; /* the member the canary was served to */
	char canary[CANARY_ID_MAX];
	char planted_at[CANARY_PLANTED_MAX];
};

struct canary_index_stats {
	size_t entries;
	unsigned long bad_lines;  /* skipped as malformed */
	unsigned long duplicates; /* a tag already indexed */
	unsigned long dropped;    /* past CANARY_INDEX_MAX */
	unsigned long reads;      /* times the file was read (whole or its new lines) */
};

/*
 * Reads the index at path. A file that does not exist (yet) is an empty
 * index; refresh picks it up once it appears. HR_E_IO when it exists but
 * cannot be read. Stage "canary_index".
 */
hr_status canary_index_open(const char *path, struct canary_index **out, struct hr_error *err);
void canary_index_free(struct canary_index *index);

/*
 * Reads what changed in the file since the last read, if now_ms is at least
 * CANARY_INDEX_CHECK_MS after the last look (and no other thread is looking).
 * HR_OK when nothing changed or the change was read; HR_E_IO (the index as it
 * was stays in use) when the file could not be read.
 */
hr_status canary_index_refresh(struct canary_index *index, int64_t now_ms, struct hr_error *err);

/* The canary a tag belongs to: true with *hit filled (may be NULL). */
bool canary_index_find(struct canary_index *index, const uint8_t tag[LEAK_TAG_LEN],
		       struct canary_hit *hit);
/* The same for the tag as 32 hex digits (either case); false for malformed hex. */
bool canary_index_find_hex(struct canary_index *index, const char *hex, struct canary_hit *hit);

/* Entries now: 0 means no identifier can be a canary (callers skip hashing). */
size_t canary_index_count(struct canary_index *index);
void canary_index_stats(struct canary_index *index, struct canary_index_stats *out);

#endif
