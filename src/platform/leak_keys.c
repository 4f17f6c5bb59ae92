/*
 * leak_keys.c — a country's leak directory and keys (leak_keys.h).
 */
#include "platform/leak_keys.h"

#include <limits.h>
#include <stdio.h>

#include <openssl/crypto.h>

#include "core/error.h"
#include "core/secret.h"
#include "leak/leak_tag.h"
#include "platform/platform.h"

bool platform_leak_path(const char *state_dir, const char *country, const char *file, char *out,
			size_t size)
{
	int n = file != NULL
		    ? snprintf(out, size, "%s/%s/%s/%s", state_dir, country, LEAK_DIR, file)
		    : snprintf(out, size, "%s/%s/%s", state_dir, country, LEAK_DIR);

	return n > 0 && (size_t)n < size;
}

hr_status platform_leak_prepare(const char *state_dir, const char *country, struct hr_error *err)
{
	static const char *const keys[] = {LEAK_CANARY_KEY, LEAK_RANGE_KEY, LEAK_INDEX_KEY};
	char path[PATH_MAX];
	uint8_t key[SECRET_LEN];
	hr_status rc;

	if (!platform_leak_path(state_dir, country, NULL, path, sizeof(path)))
		return hr_error_set(err, HR_E_INVALID, "state", "the state path is too long");
	if ((rc = platform_make_dirs(path, err)) != HR_OK)
		return rc;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!platform_leak_path(state_dir, country, keys[i], path, sizeof(path)))
			return hr_error_set(err, HR_E_INVALID, "state",
					    "the state path is too long");
		/* the key is only made here; its holders read it from the file */
		rc = secret_load_or_create(path, key, err);
		OPENSSL_cleanse(key, sizeof(key));
		if (rc != HR_OK)
			return rc;
	}
	return HR_OK;
}
