/*
 * file.c — whole-file reads, atomic replacement, and descriptor transfers that
 * retry EINTR and continue short counts (file.h).
 *
 * Never: close a descriptor it was given, or report a short transfer as done.
 */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"

#define STAGE "file"

hr_status file_read(const char *path, struct buf *out, struct hr_error *err)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return hr_error_set(err, errno == ENOENT ? HR_E_NOT_FOUND : HR_E_IO, STAGE,
				    "cannot open %s: %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hr_error_set(err, HR_E_IO, STAGE, "cannot read %s: %s", path,
				     strerror(errno));
			close(fd);
			return HR_E_IO;
		}
		if (buf_append(out, chunk, (size_t)n) != HR_OK) {
			close(fd);
			return hr_error_set(err, out->error, STAGE, "%s is too large", path);
		}
	}
	close(fd);
	return HR_OK;
}

static hr_status sync_parent(const char *path, struct hr_error *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;
	hr_status rc;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot open %s: %s", dir,
				    strerror(errno));
	rc = file_sync(fd);
	close(fd);
	return rc == HR_OK
		   ? HR_OK
		   : hr_error_set(err, HR_E_IO, STAGE, "cannot sync %s: %s", dir, strerror(errno));
}

hr_status file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			    struct hr_error *err)
{
	char tmp[PATH_MAX + 8];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot write %s: %s", tmp,
				    strerror(errno));
	if (file_write_all(fd, data, len) != HR_OK || file_sync(fd) != HR_OK)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	/* the rename lives in the directory: sync it too, or a crash may undo it */
	return sync_parent(path, err);
fail:
	hr_error_set(err, HR_E_IO, STAGE, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return HR_E_IO;
}

/* write() at the position, or pwrite() at offset: the one loop of both. */
static hr_status write_loop(int fd, const uint8_t *p, size_t len, bool at_offset, uint64_t offset)
{
	while (len > 0) {
		ssize_t n = at_offset ? pwrite(fd, p, len, (off_t)offset) : write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return HR_E_IO;
		if (n == 0) { /* no progress and no reason: do not spin */
			errno = EIO;
			return HR_E_IO;
		}
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return HR_OK;
}

hr_status file_write_all(int fd, const void *data, size_t len)
{
	return write_loop(fd, data, len, false, 0);
}

hr_status file_pwrite_all(int fd, const void *data, size_t len, uint64_t offset)
{
	return write_loop(fd, data, len, true, offset);
}

hr_status file_pread_full(int fd, void *data, size_t len, uint64_t offset, size_t *got)
{
	uint8_t *p = data;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done, (off_t)(offset + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return HR_E_IO;
		if (n == 0) /* the end of the file */
			break;
		done += (size_t)n;
	}
	*got = done;
	return HR_OK;
}

hr_status file_sync(int fd)
{
	while (fsync(fd) != 0)
		if (errno != EINTR)
			return HR_E_IO;
	return HR_OK;
}

hr_status file_datasync(int fd)
{
	while (fdatasync(fd) != 0)
		if (errno != EINTR)
			return HR_E_IO;
	return HR_OK;
}

hr_status file_truncate(int fd, uint64_t size)
{
	while (ftruncate(fd, (off_t)size) != 0)
		if (errno != EINTR)
			return HR_E_IO;
	return HR_OK;
}
