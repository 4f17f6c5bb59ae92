/*
 * audit_log_internal.h — what the two halves of the audit log's storage share:
 * audit_log.c (appending with group commit, reading, opening and closing) and
 * audit_log_recover.c (recovery at open, the rebuild of derived files,
 * checkpoints). struct audit_log, its locking rules, the names of the derived
 * files, and the helpers both halves call.
 *
 * Never: include it outside those two files; everyone else has audit_log.h.
 */
#ifndef HROMADA_AUDIT_AUDIT_LOG_INTERNAL_H
#define HROMADA_AUDIT_AUDIT_LOG_INTERNAL_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_log.h"
#include "audit/person_index.h"
#include "core/error.h"

#define AUDIT_LOG_STAGE "audit_log"

/* tree/level-NN: the stored nodes of one level (merkle.h) */
#define LEVEL_NAME_SIZE 16

struct audit_log_segment {
	uint64_t first; /* index of its first entry */
	int fd;         /* O_APPEND for the last segment, read-only for the others */
};

struct audit_log {
	char *dir;
	int dir_fd, segments_fd, tree_fd, person_fd;
	int level_fd[MERKLE_LEVEL_MAX + 1]; /* -1 until the level's first node */
	uint64_t segment_bytes;

	/* Everything below is guarded by lock. */
	pthread_mutex_t lock;
	pthread_cond_t synced; /* durable grew, or the log was poisoned */
	struct audit_log_segment *segments;
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
	struct person_index persons;

	/* Serialises checkpoints; checkpointed is guarded by it. */
	pthread_mutex_t checkpoint_lock;
	uint64_t checkpointed;
};

/* ---- small system-call helpers (the retrying transfers are in core/file.h) ---- */

static inline int io_openat(int dir_fd, const char *name, int flags, mode_t mode)
{
	int fd;

	do
		fd = openat(dir_fd, name, flags | O_CLOEXEC, mode);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static inline int io_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* close() is not retried on EINTR: Linux has released the descriptor anyway. */
static inline void io_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* "cannot WHAT DIR/NAME: strerror(e)", HR_E_IO. */
static inline hr_status io_fail(const struct audit_log *log, const char *what, const char *name,
				int e, struct hr_error *err)
{
	return hr_error_set(err, HR_E_IO, AUDIT_LOG_STAGE, "cannot %s %s/%s: %s", what, log->dir,
			    name, strerror(e));
}

static inline void level_name(char out[LEVEL_NAME_SIZE], unsigned level)
{
	snprintf(out, LEVEL_NAME_SIZE, "tree/level-%02u", level);
}

/* ---- audit_log.c (callers hold lock, or are alone during open) ---- */

/* Room for need entries in the entry table. */
hr_status audit_log_offsets_reserve(struct audit_log *log, uint64_t need, struct hr_error *err);
/* Room for need segments in the segment table. */
hr_status audit_log_segments_reserve(struct audit_log *log, size_t need, struct hr_error *err);
/* The segment holding entry index (< written): the last one beginning at or before it. */
size_t audit_log_segment_of(const struct audit_log *log, uint64_t index);
/* Creates the segment beginning with entry first, its name made durable. */
hr_status audit_log_segment_create(struct audit_log *log, uint64_t first, int *fd_out,
				   struct hr_error *err);
/* Creates tree/level-NN and keeps its descriptor in level_fd. */
hr_status audit_log_level_open(struct audit_log *log, unsigned level, struct hr_error *err);

/* ---- audit_log_recover.c ---- */

/*
 * Makes DIR and its subdirectories exist, opens them, and brings the log to
 * what is on disk: segments checked (a torn tail cut), derived data loaded or
 * rebuilt, every entry durable, a checkpoint that matches. Alone with log.
 */
hr_status audit_log_recover(struct audit_log *log, struct hr_error *err);

#endif
