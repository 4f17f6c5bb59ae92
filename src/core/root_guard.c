/*
 * root_guard.c — refuse to serve as root (see root_guard.h for why).
 *
 * What it never does: look at anything but the numbers and the string it is
 * given (no getenv, no geteuid: the caller reads them, the tests inject them),
 * or accept a waiver value other than exactly "1".
 */
#include "core/root_guard.h"

#include <string.h>

#include "core/error.h"

hr_status root_guard_check(const char *command, uid_t euid, const char *waiver, bool *waived,
			   struct hr_error *err)
{
	if (waived != NULL)
		*waived = false;
	if (euid != 0)
		return HR_OK;
	if (waiver != NULL && strcmp(waiver, "1") == 0) {
		if (waived != NULL)
			*waived = true;
		return HR_OK;
	}
	/* under HR_ERROR_MESSAGE_MAX (256) bytes: the tests look for its last words */
	return hr_error_set(err, HR_E_DENIED, "privileges",
			    "%s refuses to run as root (effective uid 0): run it as an "
			    "unprivileged user (the units in packaging/systemd/ use DynamicUser; "
			    "a container, --user); see docs/DEPLOY.md",
			    command);
}
