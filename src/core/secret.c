/*
 * secret.c — per-role secrets on disk and HMAC-SHA-256 with them.
 */
#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/error.h"

#define STAGE "secret"

static hr_status read_exactly(int fd, uint8_t *out, const char *path, struct hr_error *err)
{
	size_t got = 0;

	while (got < SECRET_LEN) {
		ssize_t n = read(fd, out + got, SECRET_LEN - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hr_error_set(err, HR_E_INVALID, STAGE, "%s is shorter than %d bytes",
					    path, SECRET_LEN);
		got += (size_t)n;
	}
	return HR_OK;
}

hr_status secret_load_or_create(const char *path, uint8_t out[SECRET_LEN], struct hr_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;
	char tmp[PATH_MAX + 8];
	bool linked;
	hr_status rc;

	if (fd >= 0) {
		rc = read_exactly(fd, out, path, err);
		close(fd);
		return rc;
	}
	if (errno != ENOENT)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot open %s: %s", path,
				    strerror(errno));
	if (RAND_priv_bytes(out, SECRET_LEN) != 1)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "no randomness for %s", path);
	/* Written whole under a temporary name, then linked into place: link()
	 * fails if another process got there first (use theirs), and nobody ever
	 * reads a file that is still being written. */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp); /* mode 0600, a name of its own per caller */
	if (fd < 0) {
		OPENSSL_cleanse(out, SECRET_LEN);
		return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", tmp,
				    strerror(errno));
	}
	if (write(fd, out, SECRET_LEN) != SECRET_LEN || fsync(fd) != 0) {
		close(fd);
		unlink(tmp);
		OPENSSL_cleanse(out, SECRET_LEN);
		return hr_error_set(err, HR_E_IO, STAGE, "cannot write %s", tmp);
	}
	close(fd);
	linked = link(tmp, path) == 0;
	saved = errno;
	unlink(tmp);
	if (!linked) {
		OPENSSL_cleanse(out, SECRET_LEN);
		if (saved == EEXIST)
			return secret_load_or_create(path, out, err);
		return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", path,
				    strerror(saved));
	}
	return HR_OK;
}

hr_status secret_hmac(const uint8_t key[SECRET_LEN], const void *data, size_t len, uint8_t out[32])
{
	size_t n = 0;

	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, SECRET_LEN, data, len, out, 32,
		      &n) == NULL ||
	    n != 32) {
		memset(out, 0, 32);
		return HR_E_CRYPTO;
	}
	return HR_OK;
}
