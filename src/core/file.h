/*
 * file.h — reading a whole small file, and replacing one atomically.
 *
 * Atomic: the data goes to PATH.tmp (mode as given), is fsync'ed, then renamed
 * over PATH, so a reader sees the old file or the new one, never half of one,
 * and a crash leaves no torn file behind.
 */
#ifndef HROMADA_CORE_FILE_H
#define HROMADA_CORE_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include <hromada/status.h>

#include "core/buf.h"

/* Appends the file's bytes to out (whose ceiling applies: HR_E_TOO_LARGE).
 * HR_E_NOT_FOUND when it does not exist, HR_E_IO otherwise. Stage "file". */
hr_status file_read(const char *path, struct buf *out, struct hr_error *err);

hr_status file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			    struct hr_error *err);

#endif
