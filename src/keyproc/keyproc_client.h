/*
 * keyproc_client.h — a network-facing process's side of the key process
 * (keyproc.h): starts it, routes signer_open_files to it, and restarts it.
 *
 * After keyproc_client_start, every signer_open_files in this process asks the
 * key process to load the key (this process never opens the private key file)
 * and gets a signer whose signatures are made there: the digest goes out, the
 * signature comes back. No caller changes.
 *
 * If the key process dies, signatures fail with HR_E_UNAVAILABLE (503 to a
 * client) until a new one is running with the same keys loaded again: after
 * restart_delay_ms, doubling up to 30 s while it keeps dying young. If it
 * exits because this process sent it a malformed message, it is not restarted:
 * that cannot happen unless this process is broken or taken over.
 */
#ifndef HROMADA_KEYPROC_CLIENT_H
#define HROMADA_KEYPROC_CLIENT_H

#include <stdbool.h>

#include <hromada/status.h>

struct keyproc_client_options {
	const char *executable;    /* the hromada binary; NULL: /proc/self/exe */
	unsigned channels;         /* concurrent signatures; 0: one per core (2..16) */
	unsigned sign_rate_per_s;  /* per key; 0: unlimited */
	unsigned restart_delay_ms; /* 0: 1000 */
	unsigned timeout_ms;       /* for one reply; 0: 5000 */
	bool filter;               /* install the system-call filter (default on) */
};

void keyproc_client_options_default(struct keyproc_client_options *o);

/* Starts the key process and installs its key loader in signer.h. Call before
 * any role opens a key, and before any thread is started (one per process). */
hr_status keyproc_client_start(const struct keyproc_client_options *o, struct hr_error *err);
/* Stops it (after every signer that uses it was freed, or those fail). */
void keyproc_client_stop(void);
/* The key process's pid, 0 when none runs: for logs and tests. */
int keyproc_client_pid(void);

#endif
