/*
 * file.h — reading a whole small file, replacing one atomically, and the
 * descriptor-level transfers that do not give up halfway.
 *
 * Atomic: the data goes to PATH.tmp (mode as given), is fsync'ed, then renamed
 * over PATH, so a reader sees the old file or the new one, never half of one,
 * and a crash leaves no torn file behind.
 *
 * Descriptors: file_write_all and its kin retry a system call interrupted by a
 * signal (EINTR) and continue a short transfer, so a caller sees all or an
 * error. They fail with HR_E_IO and leave the reason in errno, because only the
 * caller can name the file in a message. They never close the descriptor.
 */
#ifndef HROMADA_CORE_FILE_H
#define HROMADA_CORE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hromada/status.h>

#include "core/buf.h"

/* Appends the file's bytes to out (whose ceiling applies: HR_E_TOO_LARGE).
 * HR_E_NOT_FOUND when it does not exist, HR_E_IO otherwise. Stage "file". */
hr_status file_read(const char *path, struct buf *out, struct hr_error *err);

hr_status file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			    struct hr_error *err);

/* All len bytes at the descriptor's position (the end, with O_APPEND). HR_E_IO with errno. */
hr_status file_write_all(int fd, const void *data, size_t len);

/* All len bytes at offset; the descriptor's position does not move. HR_E_IO with errno. */
hr_status file_pwrite_all(int fd, const void *data, size_t len, uint64_t offset);

/* Up to len bytes from offset into data, *got of them: fewer only where the file
 * ends. HR_E_IO with errno (*got is then meaningless). */
hr_status file_pread_full(int fd, void *data, size_t len, uint64_t offset, size_t *got);

/* fsync / fdatasync / ftruncate, retried on EINTR. HR_E_IO with errno. */
hr_status file_sync(int fd);
hr_status file_datasync(int fd);
hr_status file_truncate(int fd, uint64_t size);

#endif
