/*
 * sqlite_checkpoint.h — WAL checkpoints off the request path, for the SQLite
 * store driver (store_sqlite.c).
 *
 * SQLite checkpoints a WAL database inside the COMMIT that takes its WAL past
 * 1 000 pages: that caller copies the WAL into the database and syncs it
 * before its statement returns, and on the wallet every fetch whose replay
 * check was committed in the same group waited with it (70 ms in the stall
 * perf caught, about once a second at 420 fetches/s). sqlite_checkpoint_install
 * makes such a commit only queue the database for a background thread, which
 * runs a PASSIVE checkpoint on a connection of its own; a passive checkpoint
 * takes no writer lock, so commits go on meanwhile.
 */
#ifndef HROMADA_CORE_SQLITE_CHECKPOINT_H
#define HROMADA_CORE_SQLITE_CHECKPOINT_H

#include <sqlite3.h>

#define SQLITE_CHECKPOINT_PAGES        1000  /* queue a checkpoint from this WAL size, */
#define SQLITE_CHECKPOINT_INLINE_PAGES 16000 /* and checkpoint inline from this one */

/* Replaces db's automatic checkpoint with the background one (its WAL hook). */
void sqlite_checkpoint_install(sqlite3 *db);

#endif
