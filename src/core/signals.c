/*
 * signals.c — process-wide signal policy. SIGINT and SIGTERM are blocked in
 * every thread and taken synchronously with sigwait() by the main thread, so no
 * signal handler ever runs in the middle of server or library code.
 */
#include "platform/platform.h"

#include <pthread.h>
#include <signal.h>

static sigset_t stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	return set;
}

void platform_block_signals(void)
{
	sigset_t set = stop_signals();

	signal(SIGPIPE, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int platform_wait_for_signal(void)
{
	sigset_t set = stop_signals();
	int sig = 0;

	while (sigwait(&set, &sig) != 0)
		;
	return sig;
}
