/*
 * audit_log.c — the audit log's storage (audit_log.h): appending with group
 * commit, the durable reads (head, entries, tree nodes, person lookups),
 * opening and closing. The record format is audit_segment.c's, the person
 * index person_index.c's; recovery at open, the rebuild of derived files and
 * checkpoints are in audit_log_recover.c.
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
 *
 * Memory: 4 bytes per entry (the record's offset inside its segment, so
 * audit_log_entry() is one binary search over the segments and two preads),
 * the person index (person_index.c). One descriptor per segment stays open for
 * readers (a 64 MiB segment holds about 250 000 entries of 250 bytes).
 *
 * Never: acknowledge an entry before an fdatasync that began after its write
 * has returned; rewrite or reorder a record; show a reader anything not yet
 * durable.
 */
#include "audit/audit_log_internal.h"

#include <inttypes.h>
#include <stdlib.h>

#include "audit/audit_segment.h"
#include "core/file.h"
#include "core/log.h"

#define STAGE AUDIT_LOG_STAGE

/* Segment offsets are kept as u32, so a segment may not reach 4 GiB. */
#define SEGMENT_BYTES_MAX (1024u * 1024u * 1024u)

/* ---- memory tables (callers hold lock, or are alone during open) ---- */

hr_status audit_log_offsets_reserve(struct audit_log *log, uint64_t need, struct hr_error *err)
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

hr_status audit_log_segments_reserve(struct audit_log *log, size_t need, struct hr_error *err)
{
	size_t cap = log->segment_cap ? log->segment_cap : 16;
	struct audit_log_segment *grown;

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

size_t audit_log_segment_of(const struct audit_log *log, uint64_t index)
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

/* ---- files ---- */

hr_status audit_log_level_open(struct audit_log *log, unsigned level, struct hr_error *err)
{
	char name[LEVEL_NAME_SIZE];

	level_name(name, level);
	if ((log->level_fd[level] = io_openat(log->dir_fd, name, O_RDWR | O_CREAT, 0600)) < 0)
		return io_fail(log, "create", name, errno, err);
	return HR_OK;
}

hr_status audit_log_segment_create(struct audit_log *log, uint64_t first, int *fd_out,
				   struct hr_error *err)
{
	char path[AUDIT_SEGMENT_PATH_SIZE];
	int fd;

	audit_segment_path(path, first);
	if ((fd = io_openat(log->dir_fd, path, O_RDWR | O_APPEND | O_CREAT | O_EXCL, 0600)) < 0)
		return io_fail(log, "create", path, errno, err);
	/* the new name must survive a crash, or its entries would */
	if (file_sync(log->segments_fd) != HR_OK) {
		int e = errno;

		io_close(&fd);
		return io_fail(log, "sync", AUDIT_SEGMENT_DIR, e, err);
	}
	*fd_out = fd;
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
	char name[LEVEL_NAME_SIZE];
	hr_status rc;

	if (level > MERKLE_LEVEL_MAX || index > UINT64_MAX / MERKLE_HASH_LEN)
		return hr_error_set(c->err, HR_E_STATE, STAGE,
				    "node (%u, %" PRIu64 ") is out of range", level, index);
	if (log->level_fd[level] < 0 && (rc = audit_log_level_open(log, level, c->err)) != HR_OK)
		return rc;
	if (file_pwrite_all(log->level_fd[level], hash, MERKLE_HASH_LEN, index * MERKLE_HASH_LEN) !=
	    HR_OK) {
		level_name(name, level);
		return io_fail(log, "write", name, errno, c->err);
	}
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
		if (file_truncate(log->segments[log->segment_count - 1].fd, log->durable_bytes) ==
		    HR_OK)
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
	char path[AUDIT_SEGMENT_PATH_SIZE];
	hr_status rc;
	int fd;

	if ((rc = audit_log_segments_reserve(log, log->segment_count + 1, err)) != HR_OK)
		return rc;
	if (file_datasync(log->segments[log->segment_count - 1].fd) != HR_OK) {
		audit_segment_path(path, log->segments[log->segment_count - 1].first);
		io_fail(log, "sync", path, errno, &why);
		return poison(log, &why, err);
	}
	/* everything written is in synced segments now */
	log->durable = log->written;
	log->durable_bytes = log->segment_size;
	pthread_cond_broadcast(&log->synced);
	if (audit_log_segment_create(log, log->written, &fd, &why) != HR_OK)
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
		int fd, e;
		hr_status synced;

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
		synced = file_datasync(fd);
		e = errno;
		pthread_mutex_lock(&log->lock);
		log->syncing = false;
		if (synced != HR_OK) {
			struct hr_error why = {0};
			char path[AUDIT_SEGMENT_PATH_SIZE];

			audit_segment_path(path, log->segments[target_segment].first);
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

hr_status audit_log_write(struct audit_log *log, const void *entry, size_t len,
			  const uint8_t *person, uint64_t *index, struct hr_error *err)
{
	static const uint8_t nobody[PERSON_INDEX_KEY_LEN];
	uint8_t record[AUDIT_RECORD_MAX], leaf[MERKLE_HASH_LEN];
	const uint8_t *key = person != NULL ? person : nobody; /* person.idx and the index */
	struct person_slot *slot = NULL;
	struct hr_error why = {0};
	struct emit_context emit = {log, &why};
	char path[AUDIT_SEGMENT_PATH_SIZE];
	size_t total;
	hr_status rc;

	if (log == NULL || entry == NULL || index == NULL || len == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "an audit entry must not be empty");
	if (len > AUDIT_ENTRY_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
				    "an audit entry of %zu bytes exceeds the limit of %u", len,
				    AUDIT_ENTRY_MAX);
	/* everything that needs no lock: the record, its CRC, the leaf hash */
	total = audit_record_encode(record, entry, len, person);
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
	if ((rc = audit_log_offsets_reserve(log, log->written + 1, err)) != HR_OK ||
	    (rc = person_index_reserve(&log->persons, key, &slot, err)) != HR_OK)
		goto unlock;
	if (log->segment_size >= log->segment_bytes && (rc = segment_rotate(log, err)) != HR_OK)
		goto unlock;
	/* one write() of an O_APPEND descriptor; the lock keeps records in index order */
	if (file_write_all(log->segments[log->segment_count - 1].fd, record, total) != HR_OK) {
		audit_segment_path(path, log->segments[log->segment_count - 1].first);
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
	if (file_pwrite_all(log->person_fd, key, PERSON_INDEX_KEY_LEN,
			    log->written * PERSON_INDEX_KEY_LEN) != HR_OK) {
		io_fail(log, "write", "person.idx", errno, &why);
		rc = poison(log, &why, err);
		goto unlock;
	}
	person_index_push(slot, log->written);
	*index = log->written++;
unlock:
	pthread_mutex_unlock(&log->lock);
	return rc;
}

hr_status audit_log_wait(struct audit_log *log, uint64_t index, struct hr_error *err)
{
	hr_status rc;

	pthread_mutex_lock(&log->lock);
	rc = wait_durable(log, index + 1, err);
	pthread_mutex_unlock(&log->lock);
	return rc;
}

hr_status audit_log_append(struct audit_log *log, const void *entry, size_t len,
			   const uint8_t *person, uint64_t *index, struct hr_error *err)
{
	uint64_t mine = 0;
	hr_status rc;

	if ((rc = audit_log_write(log, entry, len, person, &mine, err)) == HR_OK &&
	    (rc = audit_log_wait(log, mine, err)) == HR_OK)
		*index = mine;
	return rc;
}

uint64_t audit_log_person_count(struct audit_log *log, const uint8_t person[AUDIT_PERSON_LEN])
{
	uint64_t count;

	pthread_mutex_lock(&log->lock);
	count = person_index_count(&log->persons, person);
	pthread_mutex_unlock(&log->lock);
	return count;
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
	uint8_t bytes[AUDIT_RECORD_MAX];
	char path[AUDIT_SEGMENT_PATH_SIZE];
	struct audit_record record;
	uint64_t first, offset;
	size_t got, size;
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
		const struct audit_log_segment *s =
		    &log->segments[audit_log_segment_of(log, index)];

		fd = s->fd;
		first = s->first;
		offset = log->offsets[index];
	}
	pthread_mutex_unlock(&log->lock);
	/* below durable, nothing moves: the record can be read without the lock */
	audit_segment_path(path, first);
	if (file_pread_full(fd, bytes, AUDIT_RECORD_HEAD, offset, &got) != HR_OK)
		return io_fail(log, "read", path, errno, err);
	size = got == AUDIT_RECORD_HEAD ? audit_record_size(bytes) : 0;
	if (size != 0 && file_pread_full(fd, bytes + AUDIT_RECORD_HEAD, size - AUDIT_RECORD_HEAD,
					 offset + AUDIT_RECORD_HEAD, &got) != HR_OK)
		return io_fail(log, "read", path, errno, err);
	if (size == 0 ||
	    audit_record_check(bytes, AUDIT_RECORD_HEAD + got, &record) != AUDIT_RECORD_OK)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "entry %" PRIu64 " in %s/%s is damaged on disk (run hromada "
				    "audit verify)",
				    index, log->dir, path);
	if (buf_append(out, record.entry, record.entry_len) != HR_OK)
		return hr_error_set(err, out->error, STAGE,
				    "entry %" PRIu64 " (%zu bytes) does not fit the buffer", index,
				    record.entry_len);
	return HR_OK;
}

static hr_status log_node(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_LEN])
{
	struct audit_log *log = ctx;
	uint64_t durable;
	size_t got;
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
	if (fd < 0 ||
	    file_pread_full(fd, out, MERKLE_HASH_LEN, index * MERKLE_HASH_LEN, &got) != HR_OK ||
	    got != MERKLE_HASH_LEN)
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
	if (log == NULL || person == NULL || count == NULL || (indices == NULL && max > 0))
		return hr_error_set(err, HR_E_INVALID, STAGE, "bad person lookup arguments");
	*count = 0;
	if (max == 0)
		return HR_OK;
	pthread_mutex_lock(&log->lock);
	/* the index keeps a prefix of the person hash (person_index.h) */
	*count = person_index_find(&log->persons, person,
				   before < log->durable ? before : log->durable, indices, max);
	pthread_mutex_unlock(&log->lock);
	return HR_OK;
}

/* ---- opening and closing ---- */

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
	person_index_clear(&log->persons);
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
	person_index_init(&log->persons);
	if ((log->dir = strdup(dir)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto fail;
	}
	if ((rc = audit_log_recover(log, err)) != HR_OK)
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
