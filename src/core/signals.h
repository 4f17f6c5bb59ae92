/*
 * signals.h — the process-wide signal policy: SIGINT and SIGTERM ask a process
 * to stop, and are taken synchronously by the main thread (signals.c).
 */
#ifndef HROMADA_CORE_SIGNALS_H
#define HROMADA_CORE_SIGNALS_H

/* Blocks SIGINT and SIGTERM in the calling thread and every thread it starts
 * later, and ignores SIGPIPE; call first thing in main, before any thread. */
void signals_block_stop(void);
/* Waits for SIGINT or SIGTERM; returns the signal number. */
/* Lets SIGINT and SIGTERM end the process again the default way: for batch
 * commands (leakscan) that have nothing to shut down but a file they write
 * aside and rename, so Ctrl-C stops them at once. */
void signals_unblock_stop(void);
int signals_wait_stop(void);
/* The same for at most timeout_ms: 0 when no signal came in that time. */
int signals_wait_stop_for(unsigned timeout_ms);

#endif
