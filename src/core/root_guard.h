/*
 * root_guard.h — the check that keeps `hromada serve` from running as root.
 *
 * A role parses network input (HTTP, JSON, CBOR, signatures) all day; if a bug
 * there is ever exploited, the attacker gets what the process has. Run as root
 * that is the whole machine. So `serve` refuses an effective uid of 0, before it
 * reads a setting or a key. The uid is passed in (not read here) so tests can
 * show the refusal without being root.
 *
 * There is no command-line flag to get round it. Only the environment variable
 * HROMADA_UNSAFE_ALLOW_ROOT=1 waives it, for test harnesses and throw-away CI
 * containers that can only run as root; a waived start is logged as a warning.
 * Never set it in production (docs/DEPLOY.md).
 */
#ifndef HROMADA_CORE_ROOT_GUARD_H
#define HROMADA_CORE_ROOT_GUARD_H

#include <stdbool.h>
#include <sys/types.h>

#include <hromada/status.h>

#define ROOT_GUARD_WAIVER_ENV "HROMADA_UNSAFE_ALLOW_ROOT"

/*
 * HR_OK when euid is not 0, or when it is and waiver (the value of
 * ROOT_GUARD_WAIVER_ENV, NULL when unset) is exactly "1" — then *waived is set
 * (if not NULL) so the caller can warn. HR_E_DENIED otherwise, with a message
 * that says what to do instead. command names the refusing command in it.
 */
hr_status root_guard_check(const char *command, uid_t euid, const char *waiver, bool *waived,
			   struct hr_error *err);

#endif
