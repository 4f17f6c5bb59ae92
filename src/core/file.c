/*
 * file.c — whole-file reads and atomic replacement (file.h).
 */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

hr_status file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			    struct hr_error *err)
{
	char tmp[PATH_MAX + 8];
	const char *p = data;
	size_t done = 0;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot write %s: %s", tmp,
				    strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	return HR_OK;
fail:
	hr_error_set(err, HR_E_IO, STAGE, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return HR_E_IO;
}
