/*
 * up_state.c — keys and state files for `hromada up` (see up_state.h).
 */
#include "platform/up_state.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include "credential/keys.h"
#include "platform/country.h"

#define STAGE "up"

static bool say_on;

void up_say_enable(bool on)
{
	say_on = on;
}

void up_say(const char *fmt, ...)
{
	va_list ap;

	if (!say_on)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

hr_status up_write_json(const char *path, const json_t *value, struct hr_error *err)
{
	struct buf out;
	hr_status rc;

	buf_init(&out, 64 * 1024 * 1024);
	if ((rc = hr_json_dump_pretty(value, &out)) == HR_OK &&
	    (rc = buf_append_byte(&out, '\n')) == HR_OK)
		rc = file_write_atomic(path, out.data, out.len, 0644, err);
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
