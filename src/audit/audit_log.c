/*
 * audit_log.c — the audit log's storage (audit_log.h): append-only segment
 * files holding the entries, the Merkle tree's stored perfect-subtree hashes
 * and the person index derived from them, group commit, checkpoints and
 * recovery at open.
 *
 * Why it is built this way:
 *  - The segments are the only authority. tree/, person.idx and every table in
 *    memory can be recomputed from them, so no derived file is synced on the
 *    append path: one fdatasync of one segment per group of concurrent
 *    appenders is the whole price of durability. audit_log_checkpoint() makes
 *    the derived files durable when a tree head is signed; at open, what the
 *    checkpoint does not cover is recomputed.
 *  - Group commit: appenders are serialised by one mutex, held only for writes
 *    into the page cache (the record's write(), the node and person.idx
 *    pwrite()s) and for memory updates. The first appender that finds no sync
 *    running becomes the leader: it notes how many records are written, drops
 *    the mutex, fdatasyncs the segment, and on return declares that many
 *    durable and wakes everybody. Appenders covered by that sync return; those
 *    that wrote during it wait for the next one, led by the first of them. A
 *    sync therefore always began after the write it acknowledges.
 *  - Readers see durable entries only (head, entry, person lookups, tree
 *    nodes): nothing a reader was shown can vanish in a crash, and a record or
 *    node below the durable count never changes again, so readers pread() it
 *    without holding the mutex — they take it only to look up where it is.
 *  - After a failed write or fdatasync the log is poisoned: every later append
 *    fails with HR_E_IO and the unsynced tail is cut off (best effort), so an
 *    appender told "error" never finds its entry in the log later, and no
 *    acknowledged entry follows a lost one. Reopening (after fixing the cause)
 *    is the way back: recovery decides from what is really on disk.
 *  - The torn tail of the last segment is cut at open, because only
 *    unacknowledged entries can be there. A bad record with a valid chain of
 *    records after it up to the end of the file is not a torn write but damage
 *    or tampering: open refuses it, naming the entry.
 *
 * Memory: 4 bytes per entry (the record's offset inside its segment, so
 * audit_log_entry() is one binary search over the segments and two preads),
 * 32 bytes per person slot at most 70% full, plus each person's index array
 * beyond the first entry. One descriptor per segment stays open for readers
 * (a 64 MiB segment holds about 250 000 entries of 250 bytes).
 *
 * Never: acknowledge an entry before an fdatasync that began after its write
 * has returned; rewrite or reorder a record; trust a derived byte the
 * checkpoint does not cover; cut anything but the torn tail of the last
 * segment.
 */
#include "audit/audit_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "core/error.h"
#include "core/log.h"

#define STAGE "audit_log"

/* A record: u32 length, person hash, entry, u32 CRC (audit_log.h). */
#define RECORD_HEAD     (4u + AUDIT_PERSON_LEN)
#define RECORD_OVERHEAD (RECORD_HEAD + 4u)
#define RECORD_MAX      (RECORD_OVERHEAD + AUDIT_ENTRY_MAX)

/*
 * person.idx and the map keep the first 16 bytes of the 32-byte person hash.
 * The hash is keyed (HMAC), so prefixes are uniformly distributed: a collision
 * among 2^128 values is not a concern at any population size, and the map
 * compares prefixes only. An all-zero prefix means "no person".
 */
#define PERSON_KEY_LEN 16

/* Segment offsets are kept as u32, so a segment may not reach 4 GiB. */
#define SEGMENT_BYTES_MAX (1024u * 1024u * 1024u)
#define SEGMENT_DIGITS    20
#define SEGMENT_PATH_SIZE (sizeof("segments/") + SEGMENT_DIGITS + sizeof(".seg"))

#define CHECKPOINT_NAME "checkpoint"
#define CHECKPOINT_TMP  "checkpoint.tmp"
#define CHECKPOINT_LEN  12 /* u64 le entry count, u32 le CRC-32 of it */

#define READ_WINDOW   (1024u * 1024u) /* the recovery scan reads this much at a time */
#define REBUILD_BATCH 8192u           /* derived items written per pwrite when rebuilding */

struct audit_segment {
	uint64_t first; /* index of its first entry */
	int fd;         /* O_APPEND for the last segment, read-only for the others */
};

/* One person's entries, in index order. cap 0: the single index is inline. */
struct person_slot {
	uint8_t key[PERSON_KEY_LEN]; /* all zero: an empty slot */
	uint32_t count;
	uint32_t cap;
	union {
		uint64_t one;
		uint64_t *many;
	} at;
};

/* Open addressing, linear probing; cap is zero or a power of two. */
struct person_map {
	struct person_slot *slots;
	size_t cap;
	size_t used;
};

struct audit_log {
	char *dir;
	int dir_fd, segments_fd, tree_fd, person_fd;
	int level_fd[MERKLE_LEVEL_MAX + 1]; /* -1 until the level's first node */
	uint64_t segment_bytes;

	/* Everything below is guarded by lock. */
	pthread_mutex_t lock;
	pthread_cond_t synced; /* durable grew, or the log was poisoned */
	struct audit_segment *segments;
	size_t segment_count, segment_cap;
	uint64_t segment_size; /* bytes in the last segment */
	uint32_t *offsets;     /* offsets[i]: record i's offset inside its segment */
	size_t offsets_cap;
	uint64_t written;       /* records written (and their derived data) */
	uint64_t durable;       /* records covered by a completed sync */
	uint64_t durable_bytes; /* the last segment's size at durable */
	bool syncing;           /* a leader is in fdatasync */
	bool poisoned;
	char poison_reason[HR_ERROR_MESSAGE_MAX];
	struct merkle_frontier frontier;
	struct person_map persons;

	/* Serialises checkpoints; checkpointed is guarded by it. */
	pthread_mutex_t checkpoint_lock;
	uint64_t checkpointed;
};

/* ---- little endian, CRC ---- */

static uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le64_get(const uint8_t *p)
{
	return (uint64_t)le32_get(p) | (uint64_t)le32_get(p + 4) << 32;
}

static void le64_put(uint8_t *p, uint64_t v)
{
	le32_put(p, (uint32_t)v);
	le32_put(p + 4, (uint32_t)(v >> 32));
}

static uint32_t crc32_of(const uint8_t *p, size_t len)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)len);
}

static bool is_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* ---- system calls: EINTR retried, short transfers continued ---- */

static int io_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int io_pwrite_all(int fd, const void *data, size_t len, uint64_t offset)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

/* Reads up to len bytes; fewer only at the end of the file. -1 on error. */
static ssize_t io_pread_full(int fd, void *data, size_t len, uint64_t offset)
{
	uint8_t *p = data;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done, (off_t)(offset + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int io_fdatasync(int fd)
{
	while (fdatasync(fd) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static int io_fsync(int fd)
{
	while (fsync(fd) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static int io_ftruncate(int fd, uint64_t size)
{
	while (ftruncate(fd, (off_t)size) != 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static int io_openat(int dir_fd, const char *name, int flags, mode_t mode)
{
	int fd;

	do
		fd = openat(dir_fd, name, flags | O_CLOEXEC, mode);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static int io_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* close() is not retried on EINTR: Linux has released the descriptor anyway. */
static void io_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static hr_status io_fail(const struct audit_log *log, const char *what, const char *name, int e,
			 struct hr_error *err)
{
	return hr_error_set(err, HR_E_IO, STAGE, "cannot %s %s/%s: %s", what, log->dir, name,
			    strerror(e));
}

/* "segments/NNN….seg", relative to the log's directory. */
static void segment_path(char out[SEGMENT_PATH_SIZE], uint64_t first)
{
	snprintf(out, SEGMENT_PATH_SIZE, "segments/%0*" PRIu64 ".seg", SEGMENT_DIGITS, first);
}

static void level_name(char out[16], unsigned level)
{
	snprintf(out, 16, "tree/level-%02u", level);
}

/* ---- memory tables (callers hold lock, or are alone during open) ---- */

static hr_status offsets_reserve(struct audit_log *log, uint64_t need, struct hr_error *err)
{
	size_t cap = log->offsets_cap ? log->offsets_cap : 4096;
	uint32_t *grown;

	if (need <= log->offsets_cap)
		return HR_OK;
	if (need > SIZE_MAX / 2 / sizeof(*grown))
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "the audit log is too large");
	while (cap < need)
		cap *= 2;
	if ((grown = realloc(log->offsets, cap * sizeof(*grown))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory for the entry table");
	log->offsets = grown;
	log->offsets_cap = cap;
	return HR_OK;
}

static hr_status segments_reserve(struct audit_log *log, size_t need, struct hr_error *err)
{
	size_t cap = log->segment_cap ? log->segment_cap : 16;
	struct audit_segment *grown;

	if (need <= log->segment_cap)
		return HR_OK;
	while (cap < need)
		cap *= 2;
	if ((grown = realloc(log->segments, cap * sizeof(*grown))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory for the segment table");
	log->segments = grown;
	log->segment_cap = cap;
	return HR_OK;
}

/* The segment holding entry index (< written): the last one beginning at or before it. */
static size_t segment_of(const struct audit_log *log, uint64_t index)
{
	size_t low = 0, high = log->segment_count;

	while (high - low > 1) {
		size_t mid = low + (high - low) / 2;

		if (log->segments[mid].first <= index)
			low = mid;
		else
			high = mid;
	}
	return low;
}

static uint64_t *slot_indices(struct person_slot *s)
{
	return s->cap ? s->at.many : &s->at.one;
}

static struct person_slot *person_find(const struct person_map *m, const uint8_t *key)
{
	size_t mask, i;

	if (m->cap == 0)
		return NULL;
	/* the key is a prefix of a keyed hash: its first bytes are already uniform */
	mask = m->cap - 1;
	for (i = (size_t)le64_get(key) & mask;; i = (i + 1) & mask) {
		struct person_slot *s = &m->slots[i];

		if (memcmp(s->key, key, PERSON_KEY_LEN) == 0)
			return s;
		if (is_zero(s->key, PERSON_KEY_LEN))
			return NULL;
	}
}

static hr_status person_grow(struct person_map *m, struct hr_error *err)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	struct person_slot *slots;

	if (cap > SIZE_MAX / sizeof(*slots) || (slots = calloc(cap, sizeof(*slots))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory for the person index");
	for (size_t j = 0; j < m->cap; j++) {
		const struct person_slot *s = &m->slots[j];
		size_t i;

		if (is_zero(s->key, PERSON_KEY_LEN))
			continue;
		for (i = (size_t)le64_get(s->key) & (cap - 1);
		     !is_zero(slots[i].key, PERSON_KEY_LEN); i = (i + 1) & (cap - 1))
			;
		slots[i] = *s;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return HR_OK;
}

/* Finds or adds key's slot and makes room for one more index in it. */
static hr_status person_reserve(struct person_map *m, const uint8_t *key, struct person_slot **out,
				struct hr_error *err)
{
	struct person_slot *s;
	hr_status rc;

	if ((m->used + 1) * 10 > m->cap * 7 && (rc = person_grow(m, err)) != HR_OK)
		return rc;
	if ((s = person_find(m, key)) == NULL) {
		size_t i, mask = m->cap - 1;

		for (i = (size_t)le64_get(key) & mask; !is_zero(m->slots[i].key, PERSON_KEY_LEN);
		     i = (i + 1) & mask)
			;
		s = &m->slots[i];
		memcpy(s->key, key, PERSON_KEY_LEN);
		m->used++;
	}
	if (s->count == UINT32_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "too many entries for one person");
	if (s->cap == 0 && s->count == 1) {
		uint64_t *many = malloc(4 * sizeof(*many));

		if (many == NULL)
			return hr_error_set(err, HR_E_NOMEM, STAGE,
					    "out of memory for the person index");
		many[0] = s->at.one;
		s->at.many = many;
		s->cap = 4;
	} else if (s->cap != 0 && s->count == s->cap) {
		uint32_t cap = s->cap > UINT32_MAX / 2 ? UINT32_MAX : s->cap * 2;
		uint64_t *many = realloc(s->at.many, (size_t)cap * sizeof(*many));

		if (many == NULL)
			return hr_error_set(err, HR_E_NOMEM, STAGE,
					    "out of memory for the person index");
		s->at.many = many;
		s->cap = cap;
	}
	*out = s;
	return HR_OK;
}

/* After person_reserve: cannot fail. */
static void person_push(struct person_slot *s, uint64_t index)
{
	slot_indices(s)[s->count++] = index;
}

static void person_map_clear(struct person_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].cap != 0)
			free(m->slots[i].at.many);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- derived files ---- */

static hr_status level_open(struct audit_log *log, unsigned level, struct hr_error *err)
{
	char name[16];

	level_name(name, level);
	if ((log->level_fd[level] = io_openat(log->dir_fd, name, O_RDWR | O_CREAT, 0600)) < 0)
		return io_fail(log, "create", name, errno, err);
	return HR_OK;
}

struct emit_context {
	struct audit_log *log;
	struct hr_error *err;
};

/* merkle_frontier_append's emit on the append path: one pwrite per completed node. */
static hr_status store_node(void *ctx, unsigned level, uint64_t index,
			    const uint8_t hash[MERKLE_HASH_LEN])
{
	struct emit_context *c = ctx;
	struct audit_log *log = c->log;
	char name[16];
	hr_status rc;

	if (level > MERKLE_LEVEL_MAX || index > UINT64_MAX / MERKLE_HASH_LEN)
		return hr_error_set(c->err, HR_E_STATE, STAGE,
				    "node (%u, %" PRIu64 ") is out of range", level, index);
	if (log->level_fd[level] < 0 && (rc = level_open(log, level, c->err)) != HR_OK)
		return rc;
	if (io_pwrite_all(log->level_fd[level], hash, MERKLE_HASH_LEN, index * MERKLE_HASH_LEN) !=
	    0) {
		level_name(name, level);
		return io_fail(log, "write", name, errno, c->err);
	}
	return HR_OK;
}

/* The rebuild at open writes derived data in batches: millions of small pwrites are slow. */
struct rebuild_batch {
	struct audit_log *log;
	struct hr_error *err;
	uint8_t (*nodes[MERKLE_LEVEL_MAX + 1])[MERKLE_HASH_LEN];
	uint64_t first[MERKLE_LEVEL_MAX + 1];
	size_t count[MERKLE_LEVEL_MAX + 1];
	uint8_t (*keys)[PERSON_KEY_LEN];
	uint64_t key_first;
	size_t key_count;
};

static hr_status batch_flush_level(struct rebuild_batch *b, unsigned level)
{
	struct audit_log *log = b->log;
	char name[16];
	hr_status rc;

	if (b->count[level] == 0)
		return HR_OK;
	if (log->level_fd[level] < 0 && (rc = level_open(log, level, b->err)) != HR_OK)
		return rc;
	if (io_pwrite_all(log->level_fd[level], b->nodes[level], b->count[level] * MERKLE_HASH_LEN,
			  b->first[level] * MERKLE_HASH_LEN) != 0) {
		level_name(name, level);
		return io_fail(log, "write", name, errno, b->err);
	}
	b->count[level] = 0;
	return HR_OK;
}

static hr_status batch_flush_keys(struct rebuild_batch *b)
{
	if (b->key_count == 0)
		return HR_OK;
	if (io_pwrite_all(b->log->person_fd, b->keys, b->key_count * PERSON_KEY_LEN,
			  b->key_first * PERSON_KEY_LEN) != 0)
		return io_fail(b->log, "write", "person.idx", errno, b->err);
	b->key_count = 0;
	return HR_OK;
}

static hr_status batch_node(void *ctx, unsigned level, uint64_t index,
			    const uint8_t hash[MERKLE_HASH_LEN])
{
	struct rebuild_batch *b = ctx;
	hr_status rc;

	if (level > MERKLE_LEVEL_MAX || index > UINT64_MAX / MERKLE_HASH_LEN)
		return hr_error_set(b->err, HR_E_STATE, STAGE,
				    "node (%u, %" PRIu64 ") is out of range", level, index);
	if (b->count[level] > 0 && index != b->first[level] + b->count[level] &&
	    (rc = batch_flush_level(b, level)) != HR_OK)
		return rc;
	if (b->nodes[level] == NULL &&
	    (b->nodes[level] = malloc(REBUILD_BATCH * MERKLE_HASH_LEN)) == NULL)
		return hr_error_set(b->err, HR_E_NOMEM, STAGE, "out of memory rebuilding the tree");
	if (b->count[level] == 0)
		b->first[level] = index;
	memcpy(b->nodes[level][b->count[level]++], hash, MERKLE_HASH_LEN);
	return b->count[level] == REBUILD_BATCH ? batch_flush_level(b, level) : HR_OK;
}

static hr_status batch_key(struct rebuild_batch *b, uint64_t index, const uint8_t *key)
{
	if (b->key_count == 0)
		b->key_first = index;
	memcpy(b->keys[b->key_count++], key, PERSON_KEY_LEN);
	return b->key_count == REBUILD_BATCH ? batch_flush_keys(b) : HR_OK;
}

static void batch_clear(struct rebuild_batch *b)
{
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX; k++)
		free(b->nodes[k]);
	free(b->keys);
}

static hr_status checkpoint_read(struct audit_log *log, uint64_t *count, struct hr_error *err)
{
	uint8_t data[CHECKPOINT_LEN + 1];
	ssize_t n;
	int fd;

	*count = 0;
	if ((fd = io_openat(log->tree_fd, CHECKPOINT_NAME, O_RDONLY, 0)) < 0) {
		if (errno == ENOENT)
			return HR_OK;
		return io_fail(log, "open", "tree/" CHECKPOINT_NAME, errno, err);
	}
	n = io_pread_full(fd, data, sizeof(data), 0);
	if (n < 0) {
		int e = errno;

		io_close(&fd);
		return io_fail(log, "read", "tree/" CHECKPOINT_NAME, e, err);
	}
	io_close(&fd);
	/* written by rename, so never torn: a bad one is damage, and costs only a rebuild */
	if (n != CHECKPOINT_LEN || crc32_of(data, 8) != le32_get(data + 8)) {
		log_warn("audit_log.checkpoint_invalid",
			 "%s/tree/" CHECKPOINT_NAME " is malformed; rebuilding the derived files",
			 log->dir);
		return HR_OK;
	}
	*count = le64_get(data);
	return HR_OK;
}

static hr_status checkpoint_write(struct audit_log *log, uint64_t count, struct hr_error *err)
{
	uint8_t data[CHECKPOINT_LEN];
	int fd, e;

	le64_put(data, count);
	le32_put(data + 8, crc32_of(data, 8));
	if ((fd = io_openat(log->tree_fd, CHECKPOINT_TMP, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return io_fail(log, "create", "tree/" CHECKPOINT_TMP, errno, err);
	if (io_write_all(fd, data, sizeof(data)) != 0 || io_fdatasync(fd) != 0) {
		e = errno;
		io_close(&fd);
		return io_fail(log, "write", "tree/" CHECKPOINT_TMP, e, err);
	}
	if (close(fd) != 0)
		return io_fail(log, "write", "tree/" CHECKPOINT_TMP, errno, err);
	if (renameat(log->tree_fd, CHECKPOINT_TMP, log->tree_fd, CHECKPOINT_NAME) != 0)
		return io_fail(log, "rename", "tree/" CHECKPOINT_TMP, errno, err);
	/* the rename, and any level file created since the last checkpoint */
	if (io_fsync(log->tree_fd) != 0)
		return io_fail(log, "sync", "tree", errno, err);
	return HR_OK;
}

hr_status audit_log_checkpoint(struct audit_log *log, struct hr_error *err)
{
	int fds[MERKLE_LEVEL_MAX + 1];
	uint64_t count;
	char name[16];
	hr_status rc = HR_OK;

	if (log == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no audit log");
	pthread_mutex_lock(&log->checkpoint_lock);
	pthread_mutex_lock(&log->lock);
	count = log->durable;
	/* every level holding a node below count has its descriptor by now */
	memcpy(fds, log->level_fd, sizeof(fds));
	pthread_mutex_unlock(&log->lock);
	if (count == log->checkpointed)
		goto done;
	/* nodes and keys below count are final: sync them, then say so */
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX && (count >> k) > 0; k++) {
		if (fds[k] >= 0 && io_fdatasync(fds[k]) != 0) {
			level_name(name, k);
			rc = io_fail(log, "sync", name, errno, err);
			goto done;
		}
	}
	if (io_fdatasync(log->person_fd) != 0) {
		rc = io_fail(log, "sync", "person.idx", errno, err);
		goto done;
	}
	if ((rc = checkpoint_write(log, count, err)) == HR_OK)
		log->checkpointed = count;
done:
	pthread_mutex_unlock(&log->checkpoint_lock);
	return rc;
}

/* ---- segments ---- */

static hr_status segment_create(struct audit_log *log, uint64_t first, int *fd_out,
				struct hr_error *err)
{
	char path[SEGMENT_PATH_SIZE];
	int fd;

	segment_path(path, first);
	if ((fd = io_openat(log->dir_fd, path, O_RDWR | O_APPEND | O_CREAT | O_EXCL, 0600)) < 0)
		return io_fail(log, "create", path, errno, err);
	/* the new name must survive a crash, or its entries would */
	if (io_fsync(log->segments_fd) != 0) {
		int e = errno;

		io_close(&fd);
		return io_fail(log, "sync", "segments", e, err);
	}
	*fd_out = fd;
	return HR_OK;
}

/*
 * Under lock: marks the log failed because of why, cuts what was never
 * acknowledged, wakes the waiters (who then fail too). Returns HR_E_IO with why
 * copied into err.
 */
static hr_status poison(struct audit_log *log, const struct hr_error *why, struct hr_error *err)
{
	if (!log->poisoned) {
		log->poisoned = true;
		snprintf(log->poison_reason, sizeof(log->poison_reason), "%s", why->message);
		/*
		 * Best effort: the appenders of everything after durable_bytes (a
		 * partial record included) are told "error", so none of it may come
		 * back at the next open. Should the truncate fail as well, it may —
		 * exactly as after a crash before their sync, which they never saw
		 * succeed.
		 */
		if (io_ftruncate(log->segments[log->segment_count - 1].fd, log->durable_bytes) == 0)
			log->segment_size = log->durable_bytes;
		log_error("audit_log.poisoned", "%s; refusing further entries until reopened",
			  log->poison_reason);
		pthread_cond_broadcast(&log->synced);
	}
	if (err != NULL)
		*err = *why;
	return HR_E_IO;
}

/* Under lock: syncs and leaves the full segment, begins the next one. */
static hr_status segment_rotate(struct audit_log *log, struct hr_error *err)
{
	struct hr_error why = {0};
	char path[SEGMENT_PATH_SIZE];
	hr_status rc;
	int fd;

	if ((rc = segments_reserve(log, log->segment_count + 1, err)) != HR_OK)
		return rc;
	if (io_fdatasync(log->segments[log->segment_count - 1].fd) != 0) {
		segment_path(path, log->segments[log->segment_count - 1].first);
		io_fail(log, "sync", path, errno, &why);
		return poison(log, &why, err);
	}
	/* everything written is in synced segments now */
	log->durable = log->written;
	log->durable_bytes = log->segment_size;
	pthread_cond_broadcast(&log->synced);
	if (segment_create(log, log->written, &fd, &why) != HR_OK)
		return poison(log, &why, err);
	log->segments[log->segment_count].first = log->written;
	log->segments[log->segment_count].fd = fd;
	log->segment_count++;
	log->segment_size = 0;
	log->durable_bytes = 0;
	return HR_OK;
}

/* ---- appending ---- */

/* Under lock: returns once durable covers seq, leading a sync when none runs. */
static hr_status wait_durable(struct audit_log *log, uint64_t seq, struct hr_error *err)
{
	while (log->durable < seq) {
		uint64_t target, target_bytes;
		size_t target_segment;
		int fd, failed, e;

		if (log->poisoned)
			return hr_error_set(
			    err, HR_E_IO, STAGE,
			    "the audit log failed before the entry was durable (%s)",
			    log->poison_reason);
		if (log->syncing) {
			pthread_cond_wait(&log->synced, &log->lock);
			continue;
		}
		/* the leader: one sync for everything written so far */
		target = log->written;
		target_bytes = log->segment_size;
		target_segment = log->segment_count - 1;
		fd = log->segments[target_segment].fd;
		log->syncing = true;
		pthread_mutex_unlock(&log->lock);
		failed = io_fdatasync(fd);
		e = errno;
		pthread_mutex_lock(&log->lock);
		log->syncing = false;
		if (failed) {
			struct hr_error why = {0};
			char path[SEGMENT_PATH_SIZE];

			segment_path(path, log->segments[target_segment].first);
			io_fail(log, "sync", path, e, &why);
			poison(log, &why, NULL);
		} else if (!log->poisoned && target > log->durable) {
			/* (once poisoned, the tail this sync covered has been cut) */
			log->durable = target;
			/* a rotation meanwhile already made all of it durable */
			if (target_segment == log->segment_count - 1)
				log->durable_bytes = target_bytes;
		}
		pthread_cond_broadcast(&log->synced);
	}
	return HR_OK;
}

hr_status audit_log_append(struct audit_log *log, const void *entry, size_t len,
			   const uint8_t *person, uint64_t *index, struct hr_error *err)
{
	uint8_t record[RECORD_MAX], leaf[MERKLE_HASH_LEN];
	const uint8_t *key = record + 4;
	struct person_slot *slot = NULL;
	struct hr_error why = {0};
	struct emit_context emit = {log, &why};
	char path[SEGMENT_PATH_SIZE];
	uint64_t mine;
	size_t total;
	hr_status rc;

	if (log == NULL || entry == NULL || index == NULL || len == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "an audit entry must not be empty");
	if (len > AUDIT_ENTRY_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
				    "an audit entry of %zu bytes exceeds the limit of %u", len,
				    AUDIT_ENTRY_MAX);
	/* everything that needs no lock: the record, its CRC, the leaf hash */
	total = RECORD_OVERHEAD + len;
	le32_put(record, (uint32_t)len);
	if (person != NULL)
		memcpy(record + 4, person, AUDIT_PERSON_LEN);
	else
		memset(record + 4, 0, AUDIT_PERSON_LEN);
	memcpy(record + RECORD_HEAD, entry, len);
	le32_put(record + RECORD_HEAD + len, crc32_of(record, RECORD_HEAD + len));
	merkle_leaf_hash(entry, len, leaf);

	pthread_mutex_lock(&log->lock);
	if (log->poisoned) {
		rc =
		    hr_error_set(err, HR_E_IO, STAGE,
				 "the audit log refuses entries after an I/O error (%s); reopen it "
				 "once the cause is fixed",
				 log->poison_reason);
		goto unlock;
	}
	/* memory first: once the record is written, only I/O may fail */
	if ((rc = offsets_reserve(log, log->written + 1, err)) != HR_OK ||
	    (!is_zero(key, PERSON_KEY_LEN) &&
	     (rc = person_reserve(&log->persons, key, &slot, err)) != HR_OK))
		goto unlock;
	if (log->segment_size >= log->segment_bytes && (rc = segment_rotate(log, err)) != HR_OK)
		goto unlock;
	/* one write() of an O_APPEND descriptor; the lock keeps records in index order */
	if (io_write_all(log->segments[log->segment_count - 1].fd, record, total) != 0) {
		segment_path(path, log->segments[log->segment_count - 1].first);
		io_fail(log, "write", path, errno, &why);
		rc = poison(log, &why, err);
		goto unlock;
	}
	log->offsets[log->written] = (uint32_t)log->segment_size;
	log->segment_size += total;
	/* derived data: a failure here would leave the tree behind the segment */
	if ((rc = merkle_frontier_append(&log->frontier, leaf, store_node, &emit)) != HR_OK) {
		if (why.status == HR_OK) /* refused before emitting: the tree is full */
			hr_error_set(&why, rc, STAGE, "the tree cannot take entry %" PRIu64,
				     log->written);
		rc = poison(log, &why, err);
		goto unlock;
	}
	if (io_pwrite_all(log->person_fd, key, PERSON_KEY_LEN, log->written * PERSON_KEY_LEN) !=
	    0) {
		io_fail(log, "write", "person.idx", errno, &why);
		rc = poison(log, &why, err);
		goto unlock;
	}
	if (slot != NULL)
		person_push(slot, log->written);
	mine = log->written++;
	if ((rc = wait_durable(log, mine + 1, err)) == HR_OK)
		*index = mine;
unlock:
	pthread_mutex_unlock(&log->lock);
	return rc;
}

/* ---- reading ---- */

hr_status audit_log_head(struct audit_log *log, uint64_t *size, uint8_t root[MERKLE_HASH_LEN],
			 struct hr_error *err)
{
	struct merkle_source src;

	if (log == NULL || size == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no audit log");
	pthread_mutex_lock(&log->lock);
	*size = log->durable;
	pthread_mutex_unlock(&log->lock);
	src = audit_log_source(log);
	return merkle_root(&src, *size, root, err);
}

hr_status audit_log_entry(struct audit_log *log, uint64_t index, struct buf *out,
			  struct hr_error *err)
{
	uint8_t record[RECORD_MAX];
	char path[SEGMENT_PATH_SIZE];
	uint64_t first, offset;
	uint32_t len;
	ssize_t n;
	int fd;

	if (log == NULL || out == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no audit log");
	buf_reset(out);
	pthread_mutex_lock(&log->lock);
	if (index >= log->durable) {
		uint64_t durable = log->durable;

		pthread_mutex_unlock(&log->lock);
		return hr_error_set(err, HR_E_NOT_FOUND, STAGE,
				    "entry %" PRIu64 " is past the log's %" PRIu64 " entries",
				    index, durable);
	}
	{
		const struct audit_segment *s = &log->segments[segment_of(log, index)];

		fd = s->fd;
		first = s->first;
		offset = log->offsets[index];
	}
	pthread_mutex_unlock(&log->lock);
	/* below durable, nothing moves: the record can be read without the lock */
	segment_path(path, first);
	if ((n = io_pread_full(fd, record, RECORD_HEAD, offset)) < 0)
		return io_fail(log, "read", path, errno, err);
	len = n == RECORD_HEAD ? le32_get(record) : 0;
	if (len == 0 || len > AUDIT_ENTRY_MAX ||
	    (n = io_pread_full(fd, record + RECORD_HEAD, len + 4u, offset + RECORD_HEAD)) !=
		(ssize_t)(len + 4u) ||
	    crc32_of(record, RECORD_HEAD + len) != le32_get(record + RECORD_HEAD + len)) {
		if (n < 0)
			return io_fail(log, "read", path, errno, err);
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "entry %" PRIu64 " in %s/%s is damaged on disk (run hromada "
				    "audit verify)",
				    index, log->dir, path);
	}
	if (buf_append(out, record + RECORD_HEAD, len) != HR_OK)
		return hr_error_set(err, out->error, STAGE,
				    "entry %" PRIu64 " (%u bytes) does not fit the buffer", index,
				    len);
	return HR_OK;
}

static hr_status log_node(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
	struct audit_log *log = ctx;
	uint64_t durable;
	int fd;

	if (level > MERKLE_LEVEL_MAX)
		return HR_E_INVALID;
	pthread_mutex_lock(&log->lock);
	durable = log->durable;
	fd = log->level_fd[level];
	pthread_mutex_unlock(&log->lock);
	/* nodes of non-durable entries exist but are not shown */
	if (index >= (durable >> level))
		return HR_E_NOT_FOUND;
	if (fd < 0 || io_pread_full(fd, out, MERKLE_HASH_LEN, index * MERKLE_HASH_LEN) !=
			  (ssize_t)MERKLE_HASH_LEN)
		return HR_E_IO;
	return HR_OK;
}

struct merkle_source audit_log_source(struct audit_log *log)
{
	struct merkle_source src = {log_node, log};

	return src;
}

hr_status audit_log_person(struct audit_log *log, const uint8_t person[AUDIT_PERSON_LEN],
			   uint64_t before, uint64_t *indices, size_t max, size_t *count,
			   struct hr_error *err)
{
	struct person_slot *s;

	if (log == NULL || person == NULL || count == NULL || (indices == NULL && max > 0))
		return hr_error_set(err, HR_E_INVALID, STAGE, "bad person lookup arguments");
	*count = 0;
	if (max == 0 || is_zero(person, PERSON_KEY_LEN))
		return HR_OK;
	pthread_mutex_lock(&log->lock);
	if ((s = person_find(&log->persons, person)) != NULL) {
		const uint64_t *all = slot_indices(s);
		uint64_t limit = before < log->durable ? before : log->durable;
		size_t low = 0, high = s->count;

		/* indices are ascending: find how many are below limit */
		while (low < high) {
			size_t mid = low + (high - low) / 2;

			if (all[mid] < limit)
				low = mid + 1;
			else
				high = mid;
		}
		while (low > 0 && *count < max)
			indices[(*count)++] = all[--low];
	}
	pthread_mutex_unlock(&log->lock);
	return HR_OK;
}

/* ---- opening and recovery ---- */

static hr_status directory_make(struct audit_log *log, int at, const char *name, bool *made,
				struct hr_error *err)
{
	if (mkdirat(at, name, 0700) == 0) {
		*made = true;
		return HR_OK;
	}
	if (errno == EEXIST)
		return HR_OK;
	return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s%s%s: %s",
			    at == AT_FDCWD ? "" : log->dir, at == AT_FDCWD ? "" : "/", name,
			    strerror(errno));
}

static hr_status directories_open(struct audit_log *log, struct hr_error *err)
{
	bool made_dir = false, made_sub = false;
	hr_status rc;

	if ((rc = directory_make(log, AT_FDCWD, log->dir, &made_dir, err)) != HR_OK)
		return rc;
	if ((log->dir_fd = io_openat(AT_FDCWD, log->dir, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot open %s: %s", log->dir,
				    strerror(errno));
	if (made_dir) {
		char *copy = strdup(log->dir);
		int parent;

		if (copy == NULL)
			return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		parent = io_openat(AT_FDCWD, dirname(copy), O_RDONLY | O_DIRECTORY, 0);
		if (parent < 0 || io_fsync(parent) != 0) {
			rc =
			    hr_error_set(err, HR_E_IO, STAGE, "cannot sync the directory of %s: %s",
					 log->dir, strerror(errno));
			io_close(&parent);
			free(copy);
			return rc;
		}
		io_close(&parent);
		free(copy);
	}
	if ((rc = directory_make(log, log->dir_fd, "segments", &made_sub, err)) != HR_OK ||
	    (rc = directory_make(log, log->dir_fd, "tree", &made_sub, err)) != HR_OK)
		return rc;
	if (made_sub && io_fsync(log->dir_fd) != 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot sync %s: %s", log->dir,
				    strerror(errno));
	if ((log->segments_fd = io_openat(log->dir_fd, "segments", O_RDONLY | O_DIRECTORY, 0)) < 0)
		return io_fail(log, "open", "segments", errno, err);
	if ((log->tree_fd = io_openat(log->dir_fd, "tree", O_RDONLY | O_DIRECTORY, 0)) < 0)
		return io_fail(log, "open", "tree", errno, err);
	return HR_OK;
}

/*
 * Opens person.idx and the level files there are, and bounds how many entries
 * they can describe: a file shorter than the checkpoint claims (deleted,
 * truncated) lowers the trusted count rather than being believed.
 */
static hr_status derived_open(struct audit_log *log, uint64_t *bound, struct hr_error *err)
{
	uint64_t size;
	char name[16];

	if ((log->person_fd = io_openat(log->dir_fd, "person.idx", O_RDWR | O_CREAT, 0600)) < 0)
		return io_fail(log, "open", "person.idx", errno, err);
	if (io_size(log->person_fd, &size) != 0)
		return io_fail(log, "stat", "person.idx", errno, err);
	*bound = size / PERSON_KEY_LEN;
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX; k++) {
		uint64_t nodes = 0;

		level_name(name, k);
		if ((log->level_fd[k] = io_openat(log->dir_fd, name, O_RDWR, 0)) < 0) {
			if (errno != ENOENT)
				return io_fail(log, "open", name, errno, err);
		} else if (io_size(log->level_fd[k], &size) != 0) {
			return io_fail(log, "stat", name, errno, err);
		} else {
			nodes = size / MERKLE_HASH_LEN;
		}
		/* (t >> k) <= nodes, i.e. t < (nodes + 1) << k */
		if (nodes < (UINT64_MAX >> k) && (((nodes + 1) << k) - 1) < *bound)
			*bound = ((nodes + 1) << k) - 1;
	}
	return HR_OK;
}

/* Cuts the derived files to what describes exactly entries [0, trusted). */
static hr_status derived_truncate(struct audit_log *log, uint64_t trusted, struct hr_error *err)
{
	char name[16];

	if (io_ftruncate(log->person_fd, trusted * PERSON_KEY_LEN) != 0)
		return io_fail(log, "truncate", "person.idx", errno, err);
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX; k++) {
		if (log->level_fd[k] >= 0 &&
		    io_ftruncate(log->level_fd[k], (trusted >> k) * MERKLE_HASH_LEN) != 0) {
			level_name(name, k);
			return io_fail(log, "truncate", name, errno, err);
		}
	}
	return HR_OK;
}

/* The frontier after trusted leaves: the last stored node of every level. */
static hr_status frontier_load(struct audit_log *log, uint64_t trusted, struct hr_error *err)
{
	char name[16];

	merkle_frontier_init(&log->frontier);
	log->frontier.size = trusted;
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX && (trusted >> k) > 0; k++) {
		if (log->level_fd[k] < 0 ||
		    io_pread_full(log->level_fd[k], log->frontier.node[k], MERKLE_HASH_LEN,
				  ((trusted >> k) - 1) * MERKLE_HASH_LEN) !=
			(ssize_t)MERKLE_HASH_LEN) {
			level_name(name, k);
			return io_fail(log, "read", name, log->level_fd[k] < 0 ? ENOENT : EIO, err);
		}
	}
	return HR_OK;
}

/* The person map from person.idx's first trusted keys. */
static hr_status persons_load(struct audit_log *log, uint64_t trusted, struct hr_error *err)
{
	uint8_t(*keys)[PERSON_KEY_LEN] = malloc(REBUILD_BATCH * PERSON_KEY_LEN);
	struct person_slot *slot;
	hr_status rc = HR_OK;

	if (keys == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory loading person.idx");
	for (uint64_t i = 0; i < trusted && rc == HR_OK;) {
		size_t n = trusted - i < REBUILD_BATCH ? (size_t)(trusted - i) : REBUILD_BATCH;

		ssize_t got =
		    io_pread_full(log->person_fd, keys, n * PERSON_KEY_LEN, i * PERSON_KEY_LEN);

		if (got != (ssize_t)(n * PERSON_KEY_LEN)) {
			rc = io_fail(log, "read", "person.idx", got < 0 ? errno : EIO, err);
			break;
		}
		for (size_t j = 0; j < n && rc == HR_OK; j++, i++) {
			if (is_zero(keys[j], PERSON_KEY_LEN))
				continue;
			if ((rc = person_reserve(&log->persons, keys[j], &slot, err)) == HR_OK)
				person_push(slot, i);
		}
	}
	free(keys);
	return rc;
}

/* Reads a segment through a window, for the scan and the rebuild. */
struct segment_reader {
	int fd;
	uint64_t size;
	uint64_t start; /* file offset of buf[0] */
	size_t len;
	uint8_t *buf; /* READ_WINDOW bytes */
};

static void reader_reset(struct segment_reader *r, int fd, uint64_t size)
{
	r->fd = fd;
	r->size = size;
	r->start = 0;
	r->len = 0;
}

/* *out = the n bytes at offset, or NULL when the file ends before them. */
static int reader_get(struct segment_reader *r, uint64_t offset, size_t n, const uint8_t **out)
{
	size_t want;
	ssize_t got;

	*out = NULL;
	if (offset > r->size || n > r->size - offset)
		return 0;
	if (offset >= r->start && offset - r->start <= r->len &&
	    n <= r->len - (offset - r->start)) {
		*out = r->buf + (offset - r->start);
		return 0;
	}
	want = r->size - offset < READ_WINDOW ? (size_t)(r->size - offset) : READ_WINDOW;
	if ((got = io_pread_full(r->fd, r->buf, want, offset)) < 0)
		return -1;
	r->start = offset;
	r->len = (size_t)got;
	if ((size_t)got >= n)
		*out = r->buf;
	return 0;
}

enum record_state { RECORD_OK, RECORD_SHORT, RECORD_BAD_LENGTH, RECORD_BAD_CRC };

static const char *record_state_text(enum record_state s)
{
	switch (s) {
	case RECORD_SHORT:
		return "the record is cut short";
	case RECORD_BAD_LENGTH:
		return "its length is out of range";
	case RECORD_BAD_CRC:
		return "its CRC does not match";
	default:
		return "it is valid";
	}
}

/* The record at offset: its state and, when RECORD_OK, its size and bytes. */
static int record_check(struct segment_reader *r, uint64_t offset, enum record_state *state,
			size_t *size, const uint8_t **bytes)
{
	const uint8_t *p;
	uint32_t len;

	if (reader_get(r, offset, RECORD_HEAD, &p) != 0)
		return -1;
	if (p == NULL) {
		*state = RECORD_SHORT;
		return 0;
	}
	len = le32_get(p);
	if (len == 0 || len > AUDIT_ENTRY_MAX) {
		*state = RECORD_BAD_LENGTH;
		return 0;
	}
	*size = RECORD_OVERHEAD + len;
	if (reader_get(r, offset, *size, &p) != 0)
		return -1;
	if (p == NULL)
		*state = RECORD_SHORT;
	else if (crc32_of(p, RECORD_HEAD + len) != le32_get(p + RECORD_HEAD + len))
		*state = RECORD_BAD_CRC;
	else
		*state = RECORD_OK;
	*bytes = p;
	return 0;
}

/*
 * True when, somewhere after from, valid records follow each other up to the
 * very end of the file. A torn write leaves a prefix of what was appended —
 * after the first bad byte nothing parses to the end — whereas a damaged
 * record in the middle has its intact successors behind it. Requiring the
 * chain to reach the end keeps an entry that merely embeds record-like bytes
 * from passing for one.
 */
static int valid_chain_follows(struct segment_reader *r, uint64_t from, bool *found)
{
	enum record_state state;
	const uint8_t *bytes;
	size_t size;

	*found = false;
	for (uint64_t q = from; q < r->size && r->size - q > RECORD_OVERHEAD; q++) {
		uint64_t at = q;

		for (;;) {
			if (record_check(r, at, &state, &size, &bytes) != 0)
				return -1;
			if (state != RECORD_OK)
				break;
			at += size;
			if (at == r->size) {
				*found = true;
				return 0;
			}
		}
	}
	return 0;
}

/* Appends a validated record of the segment being scanned to the entry table. */
static hr_status scan_push(struct audit_log *log, uint64_t offset, struct hr_error *err)
{
	hr_status rc;

	if ((rc = offsets_reserve(log, log->written + 1, err)) != HR_OK)
		return rc;
	log->offsets[log->written++] = (uint32_t)offset;
	return HR_OK;
}

/*
 * Checks every record of one segment; *cut is where a torn tail begins (the
 * segment's size when there is none). Damage anywhere but a torn tail of the
 * last segment is refused, naming the entry.
 */
static hr_status scan_segment(struct audit_log *log, struct segment_reader *r, const char *path,
			      bool last, uint64_t *cut, struct hr_error *err)
{
	enum record_state state;
	const uint8_t *bytes;
	uint64_t offset = 0;
	size_t size;
	bool follows = false;
	hr_status rc;

	*cut = r->size;
	while (offset < r->size) {
		if (record_check(r, offset, &state, &size, &bytes) != 0)
			return io_fail(log, "read", path, errno, err);
		if (state != RECORD_OK)
			break;
		if ((rc = scan_push(log, offset, err)) != HR_OK)
			return rc;
		offset += size;
	}
	if (offset == r->size)
		return HR_OK;
	if (last && valid_chain_follows(r, offset + 1, &follows) != 0)
		return io_fail(log, "read", path, errno, err);
	if (!last || follows)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "entry %" PRIu64 " is damaged: %s (%s/%s, byte %" PRIu64
				    "); run hromada audit verify",
				    log->written, record_state_text(state), log->dir, path, offset);
	*cut = offset;
	return HR_OK;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* NNNNNNNNNNNNNNNNNNNN.seg exactly; anything else in segments/ is not ours. */
static bool segment_name_parse(const char *name, uint64_t *first)
{
	uint64_t v = 0;

	if (strlen(name) != SEGMENT_DIGITS + 4 || strcmp(name + SEGMENT_DIGITS, ".seg") != 0)
		return false;
	for (int i = 0; i < SEGMENT_DIGITS; i++) {
		unsigned d = (unsigned)(name[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*first = v;
	return true;
}

/* The first indices of the segments there are, ascending. */
static hr_status segments_list(struct audit_log *log, uint64_t **firsts, size_t *count,
			       struct hr_error *err)
{
	size_t cap = 0;
	struct dirent *d;
	DIR *dir;
	int fd;

	*firsts = NULL;
	*count = 0;
	if ((fd = dup(log->segments_fd)) < 0 || (dir = fdopendir(fd)) == NULL) {
		int e = errno;

		io_close(&fd);
		return io_fail(log, "list", "segments", e, err);
	}
	/* fdopendir shares the position of segments_fd, which nothing else reads */
	rewinddir(dir);
	for (;;) {
		uint64_t first;

		errno = 0;
		if ((d = readdir(dir)) == NULL)
			break;
		if (!segment_name_parse(d->d_name, &first))
			continue;
		if (*count == cap) {
			uint64_t *grown;

			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(*firsts, cap * sizeof(*grown))) == NULL) {
				closedir(dir);
				return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
			}
			*firsts = grown;
		}
		(*firsts)[(*count)++] = first;
	}
	if (errno != 0) {
		int e = errno;

		closedir(dir);
		return io_fail(log, "list", "segments", e, err);
	}
	closedir(dir);
	if (*count > 0)
		qsort(*firsts, *count, sizeof(**firsts), compare_u64);
	return HR_OK;
}

/* Recomputes the tree nodes and person keys of entries [trusted, written). */
static hr_status rebuild(struct audit_log *log, struct segment_reader *r, uint64_t trusted,
			 struct hr_error *err)
{
	struct rebuild_batch b;
	uint8_t leaf[MERKLE_HASH_LEN];
	struct person_slot *slot;
	char path[SEGMENT_PATH_SIZE];
	hr_status rc = HR_OK;

	memset(&b, 0, sizeof(b));
	b.log = log;
	b.err = err;
	if ((b.keys = malloc(REBUILD_BATCH * PERSON_KEY_LEN)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory rebuilding person.idx");
	for (size_t s = segment_of(log, trusted); s < log->segment_count && rc == HR_OK; s++) {
		uint64_t end =
		    s + 1 < log->segment_count ? log->segments[s + 1].first : log->written;
		uint64_t i = s == segment_of(log, trusted) ? trusted : log->segments[s].first;
		uint64_t size;

		segment_path(path, log->segments[s].first);
		if (io_size(log->segments[s].fd, &size) != 0) {
			rc = io_fail(log, "stat", path, errno, err);
			break;
		}
		reader_reset(r, log->segments[s].fd, size);
		for (; i < end && rc == HR_OK; i++) {
			enum record_state state;
			const uint8_t *p = NULL;
			size_t total;

			if (record_check(r, log->offsets[i], &state, &total, &p) != 0) {
				rc = io_fail(log, "read", path, errno, err);
				break;
			}
			if (state != RECORD_OK) { /* checked moments ago: changed under us */
				rc = hr_error_set(err, HR_E_INVALID, STAGE,
						  "entry %" PRIu64 " changed while opening the log",
						  i);
				break;
			}
			merkle_leaf_hash(p + RECORD_HEAD, total - RECORD_OVERHEAD, leaf);
			if ((rc = merkle_frontier_append(&log->frontier, leaf, batch_node, &b)) !=
				HR_OK ||
			    (rc = batch_key(&b, i, p + 4)) != HR_OK)
				break;
			if (is_zero(p + 4, PERSON_KEY_LEN))
				continue;
			if ((rc = person_reserve(&log->persons, p + 4, &slot, err)) == HR_OK)
				person_push(slot, i);
		}
	}
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX && rc == HR_OK; k++)
		rc = batch_flush_level(&b, k);
	if (rc == HR_OK)
		rc = batch_flush_keys(&b);
	batch_clear(&b);
	return rc;
}

static hr_status recover(struct audit_log *log, struct hr_error *err)
{
	struct segment_reader reader = {.fd = -1};
	uint64_t checkpoint = 0, trusted = 0, *firsts = NULL;
	size_t count = 0;
	hr_status rc;

	if ((rc = checkpoint_read(log, &checkpoint, err)) != HR_OK ||
	    (rc = derived_open(log, &trusted, err)) != HR_OK ||
	    (rc = segments_list(log, &firsts, &count, err)) != HR_OK)
		goto done;
	if (checkpoint < trusted)
		trusted = checkpoint;
	if ((reader.buf = malloc(READ_WINDOW)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < count; i++) {
		bool last = i + 1 == count;
		char path[SEGMENT_PATH_SIZE];
		uint64_t size, cut;
		int fd;

		segment_path(path, firsts[i]);
		if (firsts[i] != log->written) {
			rc = hr_error_set(err, HR_E_INVALID, STAGE,
					  "%s/%s should begin with entry %" PRIu64
					  ": entries are missing; run hromada audit verify",
					  log->dir, path, log->written);
			goto done;
		}
		if ((rc = segments_reserve(log, log->segment_count + 1, err)) != HR_OK)
			goto done;
		if ((fd = io_openat(log->dir_fd, path, last ? O_RDWR | O_APPEND : O_RDONLY, 0)) <
		    0) {
			rc = io_fail(log, "open", path, errno, err);
			goto done;
		}
		log->segments[log->segment_count].first = firsts[i];
		log->segments[log->segment_count++].fd = fd;
		if (io_size(fd, &size) != 0) {
			rc = io_fail(log, "stat", path, errno, err);
			goto done;
		}
		if (size > UINT32_MAX) {
			rc = hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
					  "%s/%s is larger than 4 GiB", log->dir, path);
			goto done;
		}
		reader_reset(&reader, fd, size);
		if ((rc = scan_segment(log, &reader, path, last, &cut, err)) != HR_OK)
			goto done;
		if (cut < size) {
			if (io_ftruncate(fd, cut) != 0) {
				rc = io_fail(log, "truncate", path, errno, err);
				goto done;
			}
			log_warn("audit_log.torn_tail",
				 "cut %" PRIu64 " bytes of an unfinished record from %s/%s",
				 size - cut, log->dir, path);
			size = cut;
		}
		log->segment_size = size;
	}
	if (count == 0) {
		int fd;

		if ((rc = segments_reserve(log, 1, err)) != HR_OK ||
		    (rc = segment_create(log, 0, &fd, err)) != HR_OK)
			goto done;
		log->segments[0].first = 0;
		log->segments[0].fd = fd;
		log->segment_count = 1;
		log->segment_size = 0;
	} else if (io_fdatasync(log->segments[log->segment_count - 1].fd) != 0) {
		/* the cut, and entries a crashed process left only in the page cache:
		 * they are reported as durable from now on, so they must be */
		rc = io_fail(log, "sync", "the last segment", errno, err);
		goto done;
	}
	log->durable = log->written;
	log->durable_bytes = log->segment_size;
	if (trusted > log->written) /* a checkpoint beyond the entries: derived data is stale */
		trusted = log->written;
	/* the checkpoint file is left alone only when it told the whole truth */
	log->checkpointed = trusted == checkpoint ? checkpoint : UINT64_MAX;
	if ((rc = derived_truncate(log, trusted, err)) != HR_OK ||
	    (rc = frontier_load(log, trusted, err)) != HR_OK ||
	    (rc = persons_load(log, trusted, err)) != HR_OK)
		goto done;
	if (trusted < log->written && (rc = rebuild(log, &reader, trusted, err)) != HR_OK)
		goto done;
	/*
	 * Always leave a checkpoint that matches the entries: one that pointed
	 * beyond them would make the next open trust derived data written for
	 * entries appended from now on, before they were ever synced.
	 */
	rc = audit_log_checkpoint(log, err);
done:
	free(reader.buf);
	free(firsts);
	return rc;
}

static void log_free(struct audit_log *log)
{
	for (size_t i = 0; i < log->segment_count; i++)
		io_close(&log->segments[i].fd);
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX; k++)
		io_close(&log->level_fd[k]);
	io_close(&log->person_fd);
	io_close(&log->tree_fd);
	io_close(&log->segments_fd);
	io_close(&log->dir_fd);
	person_map_clear(&log->persons);
	free(log->segments);
	free(log->offsets);
	free(log->dir);
	pthread_cond_destroy(&log->synced);
	pthread_mutex_destroy(&log->checkpoint_lock);
	pthread_mutex_destroy(&log->lock);
	free(log);
}

hr_status audit_log_open_options(const char *dir, const struct audit_log_options *options,
				 struct audit_log **out, struct hr_error *err)
{
	struct audit_log *log;
	hr_status rc;

	if (out == NULL || dir == NULL || *dir == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no audit log directory");
	*out = NULL;
	if (options != NULL && options->segment_bytes > SEGMENT_BYTES_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "segment_bytes %" PRIu64 " exceeds the limit of %u",
				    options->segment_bytes, SEGMENT_BYTES_MAX);
	if ((log = calloc(1, sizeof(*log))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (pthread_mutex_init(&log->lock, NULL) != 0) {
		free(log);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "cannot create a mutex");
	}
	if (pthread_mutex_init(&log->checkpoint_lock, NULL) != 0) {
		pthread_mutex_destroy(&log->lock);
		free(log);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "cannot create a mutex");
	}
	if (pthread_cond_init(&log->synced, NULL) != 0) {
		pthread_mutex_destroy(&log->checkpoint_lock);
		pthread_mutex_destroy(&log->lock);
		free(log);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "cannot create a condition variable");
	}
	log->dir_fd = log->segments_fd = log->tree_fd = log->person_fd = -1;
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX; k++)
		log->level_fd[k] = -1;
	log->segment_bytes = options != NULL && options->segment_bytes != 0 ? options->segment_bytes
									    : AUDIT_SEGMENT_BYTES;
	merkle_frontier_init(&log->frontier);
	if ((log->dir = strdup(dir)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto fail;
	}
	if ((rc = directories_open(log, err)) != HR_OK || (rc = recover(log, err)) != HR_OK)
		goto fail;
	*out = log;
	return HR_OK;
fail:
	log_free(log);
	return rc;
}

hr_status audit_log_open(const char *dir, struct audit_log **out, struct hr_error *err)
{
	return audit_log_open_options(dir, NULL, out, err);
}

void audit_log_close(struct audit_log *log)
{
	struct hr_error err = {0};

	if (log == NULL)
		return;
	/* a failed checkpoint loses nothing: the next open recomputes from the segments */
	if (audit_log_checkpoint(log, &err) != HR_OK)
		log_warn("audit_log.checkpoint_failed", "%s", err.message);
	log_free(log);
}
