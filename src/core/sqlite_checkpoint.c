/*
 * sqlite_checkpoint.c — the background WAL checkpointer (sqlite_checkpoint.h).
 *
 * Invariants:
 *  - one thread per process, started by the first database queued, waiting
 *    when there is nothing to do, with every signal blocked;
 *  - a database file is in the queue at most once; the thread opens it, runs
 *    a PASSIVE checkpoint and closes it, so it holds no file between jobs;
 *  - the commit checkpoints inline, as SQLite would, when the queue is full,
 *    when the WAL has reached SQLITE_CHECKPOINT_INLINE_PAGES anyway (the
 *    thread fell behind or cannot open the file), or in a child forked after
 *    the thread started (the thread did not come with it, and its lock may
 *    have been copied held);
 *  - a checkpoint that fails is left to the next commit: a WAL that is not
 *    checkpointed grows, it loses nothing.
 */
#include "core/sqlite_checkpoint.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUEUE_MAX 16

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_wake = PTHREAD_COND_INITIALIZER;
static char *queue[QUEUE_MAX]; /* owned: paths waiting for the thread */
static size_t queued;
static atomic_int owner; /* the process whose thread serves the queue; 0: none yet */

static void checkpoint_file(const char *path)
{
	sqlite3 *db = NULL;

	/* a fresh connection learns the file is in WAL mode when it first reads
	 * it: before that its checkpoint does nothing, and says so with -1s */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) ==
		SQLITE_OK &&
	    sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL) == SQLITE_OK)
		(void)sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	sqlite3_close(db); /* NULL is harmless */
}

static void *checkpointer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&queue_lock);
	for (;;) {
		char *path;

		while (queued == 0)
			pthread_cond_wait(&queue_wake, &queue_lock);
		path = queue[--queued];
		pthread_mutex_unlock(&queue_lock);
		checkpoint_file(path);
		free(path);
		pthread_mutex_lock(&queue_lock);
	}
	return NULL;
}

/* The thread, if this process has none yet. Queue lock held. */
static bool thread_start(void)
{
	pthread_attr_t attr;
	pthread_t thread;
	sigset_t all, old;
	int rc;

	if (atomic_load(&owner) != 0)
		return true;
	if (pthread_attr_init(&attr) != 0)
		return false;
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&thread, &attr, checkpointer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		return false;
	atomic_store(&owner, (int)getpid());
	return true;
}

/* Queues path for the thread; false when the caller must checkpoint itself. */
static bool enqueue(const char *path)
{
	int served_by = atomic_load(&owner);
	bool waiting = false;

	if (path == NULL || path[0] == 0 || (served_by != 0 && served_by != (int)getpid()))
		return false;
	pthread_mutex_lock(&queue_lock);
	for (size_t i = 0; i < queued && !waiting; i++)
		waiting = strcmp(queue[i], path) == 0;
	if (!waiting && queued < QUEUE_MAX && thread_start() &&
	    (queue[queued] = strdup(path)) != NULL) {
		queued++;
		pthread_cond_signal(&queue_wake);
		waiting = true;
	}
	pthread_mutex_unlock(&queue_lock);
	return waiting;
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	(void)arg;
	if (pages < SQLITE_CHECKPOINT_PAGES)
		return SQLITE_OK;
	if (pages >= SQLITE_CHECKPOINT_INLINE_PAGES || !enqueue(sqlite3_db_filename(db, name)))
		(void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK; /* the commit is done whatever the checkpoint did */
}

void sqlite_checkpoint_install(sqlite3 *db)
{
	(void)sqlite3_wal_hook(db, wal_hook, NULL);
}
