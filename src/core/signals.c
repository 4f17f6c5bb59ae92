/*
 * signals.c — process-wide signal policy. SIGINT and SIGTERM are blocked in
 * every thread and taken synchronously with sigwait() by the main thread, so no
 * signal handler ever runs in the middle of server or library code.
 */
#include "core/signals.h"

#include <pthread.h>
#include <errno.h>
#include <signal.h>
#include <time.h>

static sigset_t stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	return set;
}

void signals_block_stop(void)
{
	sigset_t set = stop_signals();

	signal(SIGPIPE, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void signals_unblock_stop(void)
{
	sigset_t set = stop_signals();

	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int signals_wait_stop(void)
{
	sigset_t set = stop_signals();
	int sig = 0;

	while (sigwait(&set, &sig) != 0)
		;
	return sig;
}

int signals_wait_stop_for(unsigned timeout_ms)
{
	sigset_t set = stop_signals();
	struct timespec wait = {(time_t)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000000L};
	int sig;

	while ((sig = sigtimedwait(&set, NULL, &wait)) < 0) {
		if (errno == EAGAIN)
			return 0;
		/* EINTR: another signal's handler ran; wait again (a little longer) */
	}
	return sig;
}
