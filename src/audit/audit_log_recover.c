/*
 * audit_log_recover.c — the audit log at open, and its checkpoints
 * (audit_log.h): creating the directories, checking every segment, cutting a
 * torn tail, loading the derived files (tree/, person.idx) as far as the
 * checkpoint vouches for them and recomputing the rest from the segments;
 * audit_log_checkpoint(), which makes the derived files durable.
 *
 * Why it is built this way:
 *  - The segments are the only authority; the derived files are written
 *    without a sync on the append path (audit_log.c). tree/checkpoint says up
 *    to which entry they were last made durable. At open, derived data beyond
 *    it — or beyond what a derived file really holds, if one was deleted or
 *    truncated — is cut and recomputed from the segments, in batches.
 *  - The torn tail of the last segment is cut at open, because only
 *    unacknowledged entries can be there. A bad record with a valid chain of
 *    records after it up to the end of the file is not a torn write but damage
 *    or tampering: open refuses it, naming the entry. The rule is
 *    audit_segment.h's, shared with `hromada audit verify`.
 *  - After recovery every entry on disk is synced and declared durable, and a
 *    checkpoint matching them is written, so the next open never trusts
 *    derived data of entries appended later but never synced.
 *
 * Never: trust a derived byte the checkpoint does not cover; cut anything but
 * the torn tail of the last segment; accept a gap between segments.
 */
#include "audit/audit_log_internal.h"

#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>

#include <zlib.h>

#include "audit/audit_segment.h"
#include "core/file.h"
#include "core/log.h"

#define STAGE AUDIT_LOG_STAGE

/* tree/checkpoint: u64 le entry count, u32 le CRC-32 (zlib) of those 8 bytes */
#define CHECKPOINT_NAME "checkpoint"
#define CHECKPOINT_TMP  "checkpoint.tmp"
#define CHECKPOINT_LEN  12

#define READ_WINDOW   (1024u * 1024u) /* the recovery scan reads this much at a time */
#define REBUILD_BATCH 8192u           /* derived items written per pwrite when rebuilding */

/* ---- directories ---- */

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
		if (parent < 0 || file_sync(parent) != HR_OK) {
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
	if ((rc = directory_make(log, log->dir_fd, AUDIT_SEGMENT_DIR, &made_sub, err)) != HR_OK ||
	    (rc = directory_make(log, log->dir_fd, "tree", &made_sub, err)) != HR_OK)
		return rc;
	if (made_sub && file_sync(log->dir_fd) != HR_OK)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot sync %s: %s", log->dir,
				    strerror(errno));
	if ((log->segments_fd =
		 io_openat(log->dir_fd, AUDIT_SEGMENT_DIR, O_RDONLY | O_DIRECTORY, 0)) < 0)
		return io_fail(log, "open", AUDIT_SEGMENT_DIR, errno, err);
	if ((log->tree_fd = io_openat(log->dir_fd, "tree", O_RDONLY | O_DIRECTORY, 0)) < 0)
		return io_fail(log, "open", "tree", errno, err);
	return HR_OK;
}

/* ---- the checkpoint ---- */

static uint32_t checkpoint_crc(const uint8_t count[8])
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), count, 8);
}

static void checkpoint_encode(uint8_t out[CHECKPOINT_LEN], uint64_t count)
{
	uint32_t crc;

	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(count >> (8 * i));
	crc = checkpoint_crc(out);
	for (int i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(crc >> (8 * i));
}

static bool checkpoint_decode(const uint8_t in[CHECKPOINT_LEN], uint64_t *count)
{
	uint64_t v = 0;
	uint32_t crc = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | in[i];
	for (int i = 3; i >= 0; i--)
		crc = crc << 8 | in[8 + i];
	if (crc != checkpoint_crc(in))
		return false;
	*count = v;
	return true;
}

static hr_status checkpoint_read(struct audit_log *log, uint64_t *count, struct hr_error *err)
{
	uint8_t data[CHECKPOINT_LEN + 1];
	size_t n;
	int fd;

	*count = 0;
	if ((fd = io_openat(log->tree_fd, CHECKPOINT_NAME, O_RDONLY, 0)) < 0) {
		if (errno == ENOENT)
			return HR_OK;
		return io_fail(log, "open", "tree/" CHECKPOINT_NAME, errno, err);
	}
	if (file_pread_full(fd, data, sizeof(data), 0, &n) != HR_OK) {
		int e = errno;

		io_close(&fd);
		return io_fail(log, "read", "tree/" CHECKPOINT_NAME, e, err);
	}
	io_close(&fd);
	/* written by rename, so never torn: a bad one is damage, and costs only a rebuild */
	if (n != CHECKPOINT_LEN || !checkpoint_decode(data, count))
		log_warn("audit_log.checkpoint_invalid",
			 "%s/tree/" CHECKPOINT_NAME " is malformed; rebuilding the derived files",
			 log->dir);
	return HR_OK;
}

static hr_status checkpoint_write(struct audit_log *log, uint64_t count, struct hr_error *err)
{
	uint8_t data[CHECKPOINT_LEN];
	int fd, e;

	checkpoint_encode(data, count);
	if ((fd = io_openat(log->tree_fd, CHECKPOINT_TMP, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return io_fail(log, "create", "tree/" CHECKPOINT_TMP, errno, err);
	if (file_write_all(fd, data, sizeof(data)) != HR_OK || file_datasync(fd) != HR_OK) {
		e = errno;
		io_close(&fd);
		return io_fail(log, "write", "tree/" CHECKPOINT_TMP, e, err);
	}
	if (close(fd) != 0)
		return io_fail(log, "write", "tree/" CHECKPOINT_TMP, errno, err);
	if (renameat(log->tree_fd, CHECKPOINT_TMP, log->tree_fd, CHECKPOINT_NAME) != 0)
		return io_fail(log, "rename", "tree/" CHECKPOINT_TMP, errno, err);
	/* the rename, and any level file created since the last checkpoint */
	if (file_sync(log->tree_fd) != HR_OK)
		return io_fail(log, "sync", "tree", errno, err);
	return HR_OK;
}

hr_status audit_log_checkpoint(struct audit_log *log, struct hr_error *err)
{
	int fds[MERKLE_LEVEL_MAX + 1];
	uint64_t count;
	char name[LEVEL_NAME_SIZE];
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
		if (fds[k] >= 0 && file_datasync(fds[k]) != HR_OK) {
			level_name(name, k);
			rc = io_fail(log, "sync", name, errno, err);
			goto done;
		}
	}
	if (file_datasync(log->person_fd) != HR_OK) {
		rc = io_fail(log, "sync", "person.idx", errno, err);
		goto done;
	}
	if ((rc = checkpoint_write(log, count, err)) == HR_OK)
		log->checkpointed = count;
done:
	pthread_mutex_unlock(&log->checkpoint_lock);
	return rc;
}

/* ---- derived files ---- */

/*
 * Opens person.idx and the level files there are, and bounds how many entries
 * they can describe: a file shorter than the checkpoint claims (deleted,
 * truncated) lowers the trusted count rather than being believed.
 */
static hr_status derived_open(struct audit_log *log, uint64_t *bound, struct hr_error *err)
{
	uint64_t size;
	char name[LEVEL_NAME_SIZE];

	if ((log->person_fd = io_openat(log->dir_fd, "person.idx", O_RDWR | O_CREAT, 0600)) < 0)
		return io_fail(log, "open", "person.idx", errno, err);
	if (io_size(log->person_fd, &size) != 0)
		return io_fail(log, "stat", "person.idx", errno, err);
	*bound = size / PERSON_INDEX_KEY_LEN;
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
	char name[LEVEL_NAME_SIZE];

	if (file_truncate(log->person_fd, trusted * PERSON_INDEX_KEY_LEN) != HR_OK)
		return io_fail(log, "truncate", "person.idx", errno, err);
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX; k++) {
		if (log->level_fd[k] >= 0 &&
		    file_truncate(log->level_fd[k], (trusted >> k) * MERKLE_HASH_LEN) != HR_OK) {
			level_name(name, k);
			return io_fail(log, "truncate", name, errno, err);
		}
	}
	return HR_OK;
}

/* The frontier after trusted leaves: the last stored node of every level. */
static hr_status frontier_load(struct audit_log *log, uint64_t trusted, struct hr_error *err)
{
	char name[LEVEL_NAME_SIZE];
	size_t got = 0;

	merkle_frontier_init(&log->frontier);
	log->frontier.size = trusted;
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX && (trusted >> k) > 0; k++) {
		if (log->level_fd[k] < 0 ||
		    file_pread_full(log->level_fd[k], log->frontier.node[k], MERKLE_HASH_LEN,
				    ((trusted >> k) - 1) * MERKLE_HASH_LEN, &got) != HR_OK ||
		    got != MERKLE_HASH_LEN) {
			level_name(name, k);
			return io_fail(log, "read", name, log->level_fd[k] < 0 ? ENOENT : EIO, err);
		}
	}
	return HR_OK;
}

/*
 * person.idx checked against the records while they are scanned: the index of
 * a citizen's history is made from the records' own person hashes, never read
 * back from person.idx, and person.idx is compared with them up to the
 * trusted count. Its first disagreement (an edited or zeroed key: someone
 * hiding an access from a history) lowers what is trusted, so the file is
 * rewritten from the segments, and is logged as an error.
 */
struct key_check {
	int fd;
	uint64_t bound;    /* keys [0, bound) are compared */
	uint64_t first;    /* keys[0] is key first */
	size_t count;      /* keys held */
	uint64_t mismatch; /* the first key that differs; UINT64_MAX: none */
	uint8_t (*keys)[PERSON_INDEX_KEY_LEN];
};

/* Compares entry index's person hash with its key in person.idx. HR_E_IO with errno. */
static hr_status key_check_entry(struct key_check *c, uint64_t index, const uint8_t *person)
{
	if (index >= c->bound || c->mismatch != UINT64_MAX)
		return HR_OK;
	if (index < c->first || index >= c->first + c->count) {
		size_t n =
		    c->bound - index < REBUILD_BATCH ? (size_t)(c->bound - index) : REBUILD_BATCH;
		size_t got = 0;

		if (file_pread_full(c->fd, c->keys, n * PERSON_INDEX_KEY_LEN,
				    index * PERSON_INDEX_KEY_LEN, &got) != HR_OK)
			return HR_E_IO;
		c->first = index;
		c->count = got / PERSON_INDEX_KEY_LEN;
		if (c->count == 0) { /* shorter than derived_open saw: changed under us */
			c->mismatch = index;
			return HR_OK;
		}
	}
	if (memcmp(c->keys[index - c->first], person, PERSON_INDEX_KEY_LEN) != 0)
		c->mismatch = index;
	return HR_OK;
}

/* The rebuild at open writes derived data in batches: millions of small pwrites are slow. */
struct rebuild_batch {
	struct audit_log *log;
	struct hr_error *err;
	uint8_t (*nodes[MERKLE_LEVEL_MAX + 1])[MERKLE_HASH_LEN];
	uint64_t first[MERKLE_LEVEL_MAX + 1];
	size_t count[MERKLE_LEVEL_MAX + 1];
	uint8_t (*keys)[PERSON_INDEX_KEY_LEN];
	uint64_t key_first;
	size_t key_count;
};

static hr_status batch_flush_level(struct rebuild_batch *b, unsigned level)
{
	struct audit_log *log = b->log;
	char name[LEVEL_NAME_SIZE];
	hr_status rc;

	if (b->count[level] == 0)
		return HR_OK;
	if (log->level_fd[level] < 0 && (rc = audit_log_level_open(log, level, b->err)) != HR_OK)
		return rc;
	if (file_pwrite_all(log->level_fd[level], b->nodes[level],
			    b->count[level] * MERKLE_HASH_LEN,
			    b->first[level] * MERKLE_HASH_LEN) != HR_OK) {
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
	if (file_pwrite_all(b->log->person_fd, b->keys, b->key_count * PERSON_INDEX_KEY_LEN,
			    b->key_first * PERSON_INDEX_KEY_LEN) != HR_OK)
		return io_fail(b->log, "write", "person.idx", errno, b->err);
	b->key_count = 0;
	return HR_OK;
}

/* merkle_frontier_append's emit during the rebuild. */
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
	memcpy(b->keys[b->key_count++], key, PERSON_INDEX_KEY_LEN);
	return b->key_count == REBUILD_BATCH ? batch_flush_keys(b) : HR_OK;
}

static void batch_clear(struct rebuild_batch *b)
{
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX; k++)
		free(b->nodes[k]);
	free(b->keys);
}

/* Recomputes the tree nodes and person.idx keys of entries [trusted, written). */
static hr_status rebuild(struct audit_log *log, uint8_t *window, uint64_t trusted,
			 struct hr_error *err)
{
	struct audit_segment_reader r;
	struct rebuild_batch b;
	uint8_t leaf[MERKLE_HASH_LEN];
	char path[AUDIT_SEGMENT_PATH_SIZE];
	size_t from = audit_log_segment_of(log, trusted);
	hr_status rc = HR_OK;

	memset(&b, 0, sizeof(b));
	b.log = log;
	b.err = err;
	if ((b.keys = malloc(REBUILD_BATCH * PERSON_INDEX_KEY_LEN)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory rebuilding person.idx");
	for (size_t s = from; s < log->segment_count && rc == HR_OK; s++) {
		uint64_t end =
		    s + 1 < log->segment_count ? log->segments[s + 1].first : log->written;
		uint64_t i = s == from ? trusted : log->segments[s].first;
		uint64_t size;

		audit_segment_path(path, log->segments[s].first);
		if (io_size(log->segments[s].fd, &size) != 0) {
			rc = io_fail(log, "stat", path, errno, err);
			break;
		}
		audit_segment_reader_file(&r, log->segments[s].fd, size, window, READ_WINDOW);
		for (; i < end && rc == HR_OK; i++) {
			enum audit_record_state state;
			struct audit_record record;

			if (audit_segment_record_at(&r, log->offsets[i], &state, &record) !=
			    HR_OK) {
				rc = io_fail(log, "read", path, errno, err);
				break;
			}
			if (state != AUDIT_RECORD_OK) { /* checked moments ago: changed under us */
				rc = hr_error_set(err, HR_E_INVALID, STAGE,
						  "entry %" PRIu64 " changed while opening the log",
						  i);
				break;
			}
			merkle_leaf_hash(record.entry, record.entry_len, leaf);
			if ((rc = merkle_frontier_append(&log->frontier, leaf, batch_node, &b)) ==
			    HR_OK)
				rc = batch_key(&b, i, record.person);
		}
	}
	for (unsigned k = 0; k <= MERKLE_LEVEL_MAX && rc == HR_OK; k++)
		rc = batch_flush_level(&b, k);
	if (rc == HR_OK)
		rc = batch_flush_keys(&b);
	batch_clear(&b);
	return rc;
}

/* ---- segments ---- */

/*
 * Checks every record of one segment, adding the valid ones to the entry
 * table and the person index (and comparing them with person.idx); *cut is where a torn tail begins
 * (the segment's size when there is none). Damage anywhere but a torn tail of the last segment is
 * refused, naming the entry.
 */
static hr_status scan_segment(struct audit_log *log, struct audit_segment_reader *r,
			      const char *path, bool last, struct key_check *keys, uint64_t *cut,
			      struct hr_error *err)
{
	enum audit_record_state state = AUDIT_RECORD_OK;
	struct audit_record record;
	uint64_t offset = 0;
	bool torn = false;
	hr_status rc;

	*cut = r->size;
	while (offset < r->size) {
		if (audit_segment_record_at(r, offset, &state, &record) != HR_OK)
			return io_fail(log, "read", path, errno, err);
		if (state != AUDIT_RECORD_OK)
			break;
		if ((rc = audit_log_offsets_reserve(log, log->written + 1, err)) != HR_OK ||
		    (rc = person_index_add(&log->persons, record.person, log->written, err)) !=
			HR_OK)
			return rc;
		if (key_check_entry(keys, log->written, record.person) != HR_OK)
			return io_fail(log, "read", "person.idx", errno, err);
		log->offsets[log->written++] = (uint32_t)offset;
		offset += record.size;
	}
	if (offset == r->size)
		return HR_OK;
	if (audit_segment_is_torn_tail(r, offset, last, &torn) != HR_OK)
		return io_fail(log, "read", path, errno, err);
	if (!torn)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "entry %" PRIu64 " is damaged: %s (%s/%s, byte %" PRIu64
				    "); run hromada audit verify",
				    log->written, audit_record_state_text(state), log->dir, path,
				    offset);
	*cut = offset;
	return HR_OK;
}

/* Opens the segment beginning with first (after the others), checks it, cuts a torn tail. */
static hr_status segment_load(struct audit_log *log, uint64_t first, bool last, uint8_t *window,
			      struct key_check *keys, struct hr_error *err)
{
	struct audit_segment_reader r;
	char path[AUDIT_SEGMENT_PATH_SIZE];
	uint64_t size, cut;
	hr_status rc;
	int fd;

	audit_segment_path(path, first);
	if (first != log->written)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s/%s should begin with entry %" PRIu64
				    ": entries are missing; run hromada audit verify",
				    log->dir, path, log->written);
	if ((rc = audit_log_segments_reserve(log, log->segment_count + 1, err)) != HR_OK)
		return rc;
	if ((fd = io_openat(log->dir_fd, path, last ? O_RDWR | O_APPEND : O_RDONLY, 0)) < 0)
		return io_fail(log, "open", path, errno, err);
	log->segments[log->segment_count].first = first;
	log->segments[log->segment_count++].fd = fd;
	if (io_size(fd, &size) != 0)
		return io_fail(log, "stat", path, errno, err);
	if (size > UINT32_MAX)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE, "%s/%s is larger than 4 GiB",
				    log->dir, path);
	audit_segment_reader_file(&r, fd, size, window, READ_WINDOW);
	if ((rc = scan_segment(log, &r, path, last, keys, &cut, err)) != HR_OK)
		return rc;
	if (cut < size) {
		if (file_truncate(fd, cut) != HR_OK)
			return io_fail(log, "truncate", path, errno, err);
		log_warn("audit_log.torn_tail",
			 "cut %" PRIu64 " bytes of an unfinished record from %s/%s", size - cut,
			 log->dir, path);
		size = cut;
	}
	log->segment_size = size;
	return HR_OK;
}

/* The segments there are, in order; the first one of an empty log is created. */
static hr_status segments_load(struct audit_log *log, uint8_t *window, struct key_check *keys,
			       struct hr_error *err)
{
	uint64_t *firsts = NULL;
	size_t count = 0;
	hr_status rc;
	int fd;

	if ((rc = audit_segment_list(log->segments_fd, &firsts, &count)) != HR_OK) {
		if (rc == HR_E_NOMEM)
			return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		return io_fail(log, "list", AUDIT_SEGMENT_DIR, errno, err);
	}
	for (size_t i = 0; i < count && rc == HR_OK; i++)
		rc = segment_load(log, firsts[i], i + 1 == count, window, keys, err);
	free(firsts);
	if (rc != HR_OK)
		return rc;
	if (count == 0) {
		if ((rc = audit_log_segments_reserve(log, 1, err)) != HR_OK ||
		    (rc = audit_log_segment_create(log, 0, &fd, err)) != HR_OK)
			return rc;
		log->segments[0].first = 0;
		log->segments[0].fd = fd;
		log->segment_count = 1;
		log->segment_size = 0;
	} else if (file_datasync(log->segments[log->segment_count - 1].fd) != HR_OK) {
		/* the cut, and entries a crashed process left only in the page cache:
		 * they are reported as durable from now on, so they must be */
		return io_fail(log, "sync", "the last segment", errno, err);
	}
	return HR_OK;
}

/* ---- recovery ---- */

hr_status audit_log_recover(struct audit_log *log, struct hr_error *err)
{
	uint64_t checkpoint = 0, trusted = 0;
	struct key_check keys = {.mismatch = UINT64_MAX};
	uint8_t *window = NULL;
	hr_status rc;

	if ((rc = directories_open(log, err)) != HR_OK ||
	    (rc = checkpoint_read(log, &checkpoint, err)) != HR_OK ||
	    (rc = derived_open(log, &trusted, err)) != HR_OK)
		return rc;
	if (checkpoint < trusted)
		trusted = checkpoint;
	keys.fd = log->person_fd;
	keys.bound = trusted;
	if ((window = malloc(READ_WINDOW)) == NULL ||
	    (keys.keys = malloc(REBUILD_BATCH * PERSON_INDEX_KEY_LEN)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	if ((rc = segments_load(log, window, &keys, err)) != HR_OK)
		goto done;
	log->durable = log->written;
	log->durable_bytes = log->segment_size;
	if (trusted > log->written) /* a checkpoint beyond the entries: derived data is stale */
		trusted = log->written;
	if (keys.mismatch < trusted) {
		/* derived data is recomputed, but an edit of the history's index is news */
		log_error("audit_log.person_index_mismatch",
			  "%s/person.idx differs from the entries at entry %" PRIu64
			  " (edited or damaged: it would hide accesses from a citizen's "
			  "history); rewritten from the segments, which are the authority",
			  log->dir, keys.mismatch);
		trusted = keys.mismatch;
	}
	/* the checkpoint file is left alone only when it told the whole truth */
	log->checkpointed = trusted == checkpoint ? checkpoint : UINT64_MAX;
	if ((rc = derived_truncate(log, trusted, err)) != HR_OK ||
	    (rc = frontier_load(log, trusted, err)) != HR_OK)
		goto done;
	if (trusted < log->written && (rc = rebuild(log, window, trusted, err)) != HR_OK)
		goto done;
	/*
	 * Always leave a checkpoint that matches the entries: one that pointed
	 * beyond them would make the next open trust derived data written for
	 * entries appended from now on, before they were ever synced.
	 */
	rc = audit_log_checkpoint(log, err);
done:
	free(keys.keys);
	free(window);
	return rc;
}
