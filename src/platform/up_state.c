/*
 * up_state.c — keys, trust list and anchor for `hromada up` (see up_state.h).
 */
#include "platform/up_state.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "core/file.h"
#include "credential/trust_list.h"
#include "platform/country.h"

#define STAGE               "up"
#define TRUST_LIST_VALIDITY (7 * 86400)
#define TRUST_SIGNERS_MAX   256

static hr_status write_text(const char *path, const void *data, size_t len, struct hr_error *err)
{
	return file_write_atomic(path, data, len, 0644, err);
}

hr_status up_write_json(const char *path, const json_t *value, struct hr_error *err)
{
	struct buf out;
	hr_status rc;

	buf_init(&out, 64 * 1024 * 1024);
	if ((rc = hr_json_dump_pretty(value, &out)) == HR_OK &&
	    (rc = buf_append_byte(&out, '\n')) == HR_OK)
		rc = write_text(path, out.data, out.len, err);
	else
		rc = hr_error_set(err, rc, STAGE, "cannot serialise %s", path);
	buf_clear(&out);
	return rc;
}

hr_status up_prepare_keys(const char *keys_dir, const char *const *countries, int count,
			  struct hr_error *err)
{
	char dir[PATH_MAX];
	hr_status rc;

	snprintf(dir, sizeof(dir), "%s/trust", keys_dir);
	if ((rc = keys_create_trust_signer(dir, err)) != HR_OK)
		return rc;
	for (int c = 0; c < count; c++) {
		const struct country_members *m = country_members(countries[c]);
		if (m == NULL)
			return hr_error_set(err, HR_E_INVALID, STAGE, "no members known for %s",
					    countries[c]);
		snprintf(dir, sizeof(dir), "%s/%s", keys_dir, countries[c]);
		if ((rc = country_create_keys(m, dir, err)) != HR_OK)
			return rc;
	}
	return HR_OK;
}

static hr_status copy_file(const char *from, const char *to, struct hr_error *err)
{
	char data[16384];
	FILE *f = fopen(from, "r");
	size_t n;

	if (f == NULL)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot open %s", from);
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	return write_text(to, data, n, err);
}

hr_status up_write_trust_list(const char *state_dir, const char *keys_dir,
			      const char *const *countries, int count, struct hr_error *err)
{
	struct trust_list_signer entries[TRUST_SIGNERS_MAX];
	struct signer_cert **loaded[8] = {NULL};
	size_t loaded_count[8] = {0}, n = 0;
	char dir[PATH_MAX], key[PATH_MAX + 16], cert[PATH_MAX + 16], path[PATH_MAX + 32];
	struct signer *signer = NULL;
	struct buf out;
	hr_status rc = HR_OK;

	buf_init(&out, 64 * 1024 * 1024);
	for (int c = 0; c < count && c < 8 && rc == HR_OK; c++) {
		snprintf(dir, sizeof(dir), "%s/%s", keys_dir, countries[c]);
		rc = keys_load_signers(dir, &loaded[c], &loaded_count[c], err);
		for (size_t i = 0; rc == HR_OK && i < loaded_count[c] && n < TRUST_SIGNERS_MAX; i++)
			entries[n++] = (struct trust_list_signer){loaded[c][i], countries[c]};
	}
	snprintf(key, sizeof(key), "%s/trust/key.pem", keys_dir);
	snprintf(cert, sizeof(cert), "%s/trust/cert.pem", keys_dir);
	if (rc == HR_OK && (rc = signer_open_files(key, cert, &signer, err)) == HR_OK &&
	    (rc = trust_list_build(signer, entries, n, (int64_t)time(NULL), (int64_t)time(NULL),
				   TRUST_LIST_VALIDITY, &out, err)) == HR_OK) {
		snprintf(path, sizeof(path), "%s/trust-list.json", state_dir);
		if ((rc = write_text(path, out.data, out.len, err)) == HR_OK) {
			snprintf(path, sizeof(path), "%s/trust-anchor.pem", state_dir);
			rc = copy_file(cert, path, err);
		}
	}
	for (int c = 0; c < count && c < 8; c++) {
		for (size_t i = 0; i < loaded_count[c]; i++)
			signer_cert_free(loaded[c][i]);
		free(loaded[c]);
	}
	signer_free(signer);
	buf_clear(&out);
	return rc;
}
