/*
 * key_isolation.h — how `serve` and `up` keep private keys out of the process
 * that answers the network (keyproc/keyproc.h): the [keys] settings, starting
 * the key process, and running key generation in a child of its own.
 */
#ifndef HROMADA_PLATFORM_KEY_ISOLATION_H
#define HROMADA_PLATFORM_KEY_ISOLATION_H

#include <hromada/status.h>

struct config;

#define KEY_ISOLATION_HELP                                                                         \
	"[keys]\n"                                                                                 \
	"  process = true              hold private keys in a separate key process;\n"             \
	"                              false keeps them in this one (tests, tools)\n"              \
	"  sign_rate_per_s = 5000      signatures per second per key; 0 = no limit\n"              \
	"  restart_delay_ms = 1000     first restart of a dead key process\n"

/* Reads [keys] from cfg (every key is checked, unknown ones are an error) and,
 * unless process = false, starts the key process. Call before any role opens a
 * key and before any thread starts. */
hr_status key_isolation_start(struct config *cfg, struct hr_error *err);
void key_isolation_stop(void);

/* Runs fn in a child process and waits for it: for work that makes or reads
 * private keys (generating a country's keys), so that the calling process's
 * memory never holds them. The child's error comes back in err. */
hr_status key_isolation_run_apart(hr_status (*fn)(void *arg, struct hr_error *err), void *arg,
				  struct hr_error *err);

#endif
