/*
 * store_sqlite.c — the SQLite driver of the store (store_driver.h).
 *
 *	sqlite:PATH       a database file, created if missing (its directory is not)
 *	sqlite::memory:   a private in-memory database, gone when closed
 *
 * Every connection runs in WAL mode (readers never block the writer), with
 * synchronous=NORMAL (durable across a process crash; a power cut may lose the
 * last transactions, never corrupt the file), foreign keys enforced, and a
 * 5 s busy timeout after which a locked database is HR_E_BUSY (tried finely:
 * sqlite_busy_wait), and WAL checkpoints in a background thread
 * (sqlite_checkpoint.h). Connections are
 * opened with SQLITE_OPEN_NOMUTEX: the store contract is one thread per
 * connection, so SQLite's own per-connection mutex would only cost time.
 *
 * Never: open a URI filename (SQLITE_OPEN_URI stays off, so a path is only a
 * path), create directories (a missing one is a configuration mistake to
 * report, not to paper over), or re-run a finished statement.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/sqlite_checkpoint.h"
#include "core/store_driver.h"

#define SQLITE_BUSY_TIMEOUT_MS 5000
#define SQLITE_BUSY_POLL_US    100  /* how often a waiter tries the lock at first, */
#define SQLITE_BUSY_POLL_TRIES 50   /* for this many tries (5 ms), */
#define SQLITE_BUSY_SLEEP_US   1000 /* and then */

struct sqlite_store {
	struct store base; /* first: store.c casts between the two */
	sqlite3 *db;
	uint64_t busy_since_us; /* when the wait for the current lock began */
};

struct sqlite_stmt {
	struct store_stmt base; /* first */
	sqlite3_stmt *stmt;
	bool started;               /* stepped since prepare/reset */
	sqlite3_int64 total_before; /* sqlite3_total_changes64 before the first step */
};

static struct sqlite_store *as_store(struct store *store)
{
	return (struct sqlite_store *)store;
}

static const struct sqlite_store *as_const_store(const struct store *store)
{
	return (const struct sqlite_store *)store;
}

static struct sqlite_stmt *as_stmt(struct store_stmt *stmt)
{
	return (struct sqlite_stmt *)stmt;
}

static const struct sqlite_stmt *as_const_stmt(const struct store_stmt *stmt)
{
	return (const struct sqlite_stmt *)stmt;
}

static hr_status status_of(int rc)
{
	switch (rc & 0xff) { /* primary code of an extended one */
	case SQLITE_OK:
		return HR_OK;
	case SQLITE_CONSTRAINT:
		return HR_E_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return HR_E_BUSY;
	case SQLITE_NOMEM:
		return HR_E_NOMEM;
	case SQLITE_TOOBIG:
		return HR_E_TOO_LARGE;
	case SQLITE_RANGE:
		return HR_E_INVALID;
	case SQLITE_MISUSE:
		return HR_E_STATE;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_FULL:
		return HR_E_IO;
	default:
		return HR_E_DATABASE;
	}
}

static hr_status fail(sqlite3 *db, int rc, const char *what, struct hr_error *err)
{
	return hr_error_set(err, status_of(rc), STORE_STAGE, "sqlite: %s: %s", what,
			    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* SQLite's "unable to open database file" does not say which: check the directory. */
static hr_status check_directory(const char *path, struct hr_error *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	struct stat st;

	if (slash == NULL)
		return HR_OK; /* the current directory */
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
				    "SQLite path is too long: %.64s...", path);
	memcpy(dir, path, n);
	dir[n] = 0;
	if (stat(dir, &st) != 0)
		return hr_error_set(err, HR_E_IO, STORE_STAGE,
				    "cannot open SQLite database %s: directory %s: %s", path, dir,
				    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return hr_error_set(err, HR_E_IO, STORE_STAGE,
				    "cannot open SQLite database %s: %s is not a directory", path,
				    dir);
	return HR_OK;
}

/*
 * Process-wide settings, before SQLite initialises itself. Memory statistics
 * off: they put every allocation of every connection behind one global mutex,
 * and threads writing to different databases (a server's pool, the
 * population loader's writers) then queue on it. If SQLite was initialised
 * already (by another library), the call fails and the defaults stay.
 */
static void sqlite_configure(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * Waits for a lock another connection holds (sqlite3_busy_handler). SQLite's
 * own busy timeout backs off 1, 2, 5, 10 ... 100 ms between tries, sized for
 * locks held long; ours are held for one short transaction, so the loser slept
 * on long after the lock was free (the document fetch's paced tail once sat at
 * the sums of that back-off: 178, 228, 328 ms). A waiter here tries every
 * 100 us for the first 5 ms, then every millisecond, until
 * SQLITE_BUSY_TIMEOUT_MS.
 */
static int sqlite_busy_wait(void *arg, int tries)
{
	struct sqlite_store *s = arg;
	uint64_t now = clock_monotonic_us();

	if (tries == 0)
		s->busy_since_us = now;
	else if (now - s->busy_since_us >= (uint64_t)SQLITE_BUSY_TIMEOUT_MS * 1000u)
		return 0; /* SQLITE_BUSY: the caller answers HR_E_BUSY */
	usleep(tries < SQLITE_BUSY_POLL_TRIES ? SQLITE_BUSY_POLL_US : SQLITE_BUSY_SLEEP_US);
	return 1;
}

static hr_status sqlite_open(const char *url, struct store **out, struct hr_error *err)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	const char *path = url + strlen("sqlite:");
	struct sqlite_store *s = NULL;
	sqlite3 *db = NULL;
	hr_status status;
	int rc;

	*out = NULL;
	(void)pthread_once(&configured, sqlite_configure);
	if (path[0] == 0)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
				    "store URL 'sqlite:' names no file (use sqlite:PATH)");
	if (strcmp(path, ":memory:") != 0 && (status = check_directory(path, err)) != HR_OK)
		return status;
	rc = sqlite3_open_v2(
	    path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		status = hr_error_set(err, status_of(rc) == HR_E_DATABASE ? HR_E_IO : status_of(rc),
				      STORE_STAGE, "cannot open SQLite database %s: %s", path,
				      db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	if ((rc = sqlite3_busy_timeout(db, SQLITE_BUSY_TIMEOUT_MS)) != SQLITE_OK) {
		status = fail(db, rc, "busy_timeout", err);
		goto fail;
	}
	/* journal_mode answers with a row that sqlite3_exec discards; :memory:
	 * databases stay in "memory" mode, which is what they need. */
	rc = sqlite3_exec(db,
			  "PRAGMA journal_mode = WAL;"
			  "PRAGMA synchronous = NORMAL;"
			  "PRAGMA foreign_keys = ON;",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		status = fail(db, rc, path, err);
		goto fail;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		status = hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
		goto fail;
	}
	s->db = db;
	if (strcmp(path, ":memory:") != 0)
		sqlite_checkpoint_install(db);
	/* replaces the busy timeout, which covered only the PRAGMAs above */
	if ((rc = sqlite3_busy_handler(db, sqlite_busy_wait, s)) != SQLITE_OK) {
		status = fail(db, rc, "busy_handler", err);
		free(s);
		goto fail;
	}
	*out = &s->base;
	return HR_OK;
fail:
	sqlite3_close(db); /* NULL is harmless */
	return status;
}

static void sqlite_close(struct store *store)
{
	struct sqlite_store *s = as_store(store);

	/* _v2: a statement the caller forgot to free keeps the handle alive
	 * instead of making the close fail and leak it. */
	sqlite3_close_v2(s->db);
	free(s);
}

static hr_status sqlite_exec(struct store *store, const char *sql, struct hr_error *err)
{
	sqlite3 *db = as_store(store)->db;
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? HR_OK : fail(db, rc, "exec", err);
}

static hr_status sqlite_begin(struct store *store, struct hr_error *err)
{
	/* IMMEDIATE takes the write lock now (waiting up to the busy timeout), so
	 * two writers never deadlock upgrading read locks later. */
	return sqlite_exec(store, "BEGIN IMMEDIATE", err);
}

static hr_status sqlite_commit(struct store *store, struct hr_error *err)
{
	return sqlite_exec(store, "COMMIT", err);
}

static hr_status sqlite_rollback(struct store *store, struct hr_error *err)
{
	return sqlite_exec(store, "ROLLBACK", err);
}

static bool sqlite_in_transaction(const struct store *store)
{
	return sqlite3_get_autocommit(as_const_store(store)->db) == 0;
}

static bool sqlite_healthy(const struct store *store)
{
	(void)store;
	return true; /* a file has no connection to lose */
}

static hr_status sqlite_prepare(struct store *store, const char *sql, struct store_stmt **out,
				struct hr_error *err)
{
	sqlite3 *db = as_store(store)->db;
	sqlite3_stmt *stmt = NULL, *extra = NULL;
	struct sqlite_stmt *s;
	const char *tail = NULL;
	int rc;

	*out = NULL;
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &stmt, &tail)) != SQLITE_OK)
		return fail(db, rc, "prepare", err);
	if (stmt == NULL)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE, "no SQL statement to prepare");
	/* One statement only: whatever follows it must compile to nothing (blanks,
	 * comments). PostgreSQL refuses several too; refuse them alike. */
	if (tail != NULL && *tail != 0) {
		rc = sqlite3_prepare_v2(db, tail, -1, &extra, NULL);
		sqlite3_finalize(extra);
		if (rc != SQLITE_OK || extra != NULL) {
			sqlite3_finalize(stmt);
			return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
					    "store_prepare takes one SQL statement, got more");
		}
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		sqlite3_finalize(stmt);
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
	}
	s->stmt = stmt;
	*out = &s->base;
	return HR_OK;
}

static void sqlite_stmt_free(struct store_stmt *stmt)
{
	struct sqlite_stmt *s = as_stmt(stmt);

	sqlite3_finalize(s->stmt);
	free(s);
}

static int sqlite_param_count(const struct store_stmt *stmt)
{
	return sqlite3_bind_parameter_count(as_const_stmt(stmt)->stmt);
}

static hr_status sqlite_bind_int64(struct store_stmt *stmt, int index, int64_t value)
{
	return status_of(sqlite3_bind_int64(as_stmt(stmt)->stmt, index, value));
}

static hr_status sqlite_bind_text(struct store_stmt *stmt, int index, const char *value, size_t len)
{
	return status_of(sqlite3_bind_text64(as_stmt(stmt)->stmt, index, value, len,
					     SQLITE_TRANSIENT, SQLITE_UTF8));
}

static hr_status sqlite_bind_blob(struct store_stmt *stmt, int index, const void *value, size_t len)
{
	return status_of(
	    sqlite3_bind_blob64(as_stmt(stmt)->stmt, index, value, len, SQLITE_TRANSIENT));
}

static hr_status sqlite_bind_null(struct store_stmt *stmt, int index)
{
	return status_of(sqlite3_bind_null(as_stmt(stmt)->stmt, index));
}

static hr_status sqlite_step(struct store_stmt *stmt, bool *has_row, struct hr_error *err)
{
	struct sqlite_stmt *s = as_stmt(stmt);
	sqlite3 *db = sqlite3_db_handle(s->stmt);
	int rc;

	if (!s->started) {
		s->started = true;
		s->total_before = sqlite3_total_changes64(db);
		stmt->changes = 0;
	}
	rc = sqlite3_step(s->stmt);
	if (rc == SQLITE_ROW) {
		*has_row = true;
		return HR_OK;
	}
	*has_row = false;
	if (rc != SQLITE_DONE)
		return fail(db, rc, "step", err);
	/* sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE, even
	 * after a CREATE or SELECT: trust it only when this statement changed rows. */
	if (sqlite3_total_changes64(db) != s->total_before)
		stmt->changes = sqlite3_changes64(db);
	return HR_OK;
}

static void sqlite_reset(struct store_stmt *stmt)
{
	struct sqlite_stmt *s = as_stmt(stmt);

	/* sqlite3_reset repeats the error of a failed step, already reported. */
	(void)sqlite3_reset(s->stmt);
	s->started = false;
}

static void sqlite_unbind(struct store_stmt *stmt)
{
	(void)sqlite3_clear_bindings(as_stmt(stmt)->stmt);
}

static int sqlite_column_count(const struct store_stmt *stmt)
{
	return sqlite3_column_count(as_const_stmt(stmt)->stmt);
}

static bool sqlite_column_is_null(const struct store_stmt *stmt, int column)
{
	return sqlite3_column_type(as_const_stmt(stmt)->stmt, column) == SQLITE_NULL;
}

static int64_t sqlite_column_int64(const struct store_stmt *stmt, int column)
{
	return sqlite3_column_int64(as_const_stmt(stmt)->stmt, column);
}

static const char *sqlite_column_text(const struct store_stmt *stmt, int column, size_t *len)
{
	sqlite3_stmt *s = as_const_stmt(stmt)->stmt;
	const unsigned char *text = sqlite3_column_text(s, column);
	int n = sqlite3_column_bytes(s, column); /* after the conversion, as documented */

	if (text == NULL || n < 0)
		return NULL;
	if (len != NULL)
		*len = (size_t)n;
	return (const char *)text;
}

static const void *sqlite_column_blob(const struct store_stmt *stmt, int column, size_t *len)
{
	sqlite3_stmt *s = as_const_stmt(stmt)->stmt;
	const void *blob = sqlite3_column_blob(s, column);
	int n = sqlite3_column_bytes(s, column);

	if (blob == NULL || n <= 0) {
		/* SQLite gives NULL for an empty blob too; only SQL NULL is NULL here. */
		return sqlite3_column_type(s, column) == SQLITE_NULL ? NULL : "";
	}
	if (len != NULL)
		*len = (size_t)n;
	return blob;
}

/* ---- bulk loading: one prepared INSERT, stepped once per row ---- */

struct sqlite_copy {
	struct store_copy base; /* first */
	sqlite3_stmt *insert;
};

static hr_status sqlite_copy_begin(struct store *store, const char *table,
				   const char *const *columns, size_t count,
				   struct store_copy **out, struct hr_error *err)
{
	sqlite3 *db = as_store(store)->db;
	struct sqlite_copy *c;
	size_t cap, used;
	char *sql;
	int rc;

	*out = NULL;
	/* store.c checked: identifiers of at most STORE_IDENTIFIER_MAX bytes. */
	cap = 64 + 2 * STORE_IDENTIFIER_MAX + count * (STORE_IDENTIFIER_MAX + 6);
	if ((sql = malloc(cap)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
	used = (size_t)snprintf(sql, cap, "INSERT INTO %s (", table);
	for (size_t i = 0; i < count; i++)
		used += (size_t)snprintf(sql + used, cap - used, "%s%s", i ? ", " : "", columns[i]);
	used += (size_t)snprintf(sql + used, cap - used, ") VALUES (");
	for (size_t i = 0; i < count; i++)
		used += (size_t)snprintf(sql + used, cap - used, "%s?", i ? ", " : "");
	snprintf(sql + used, cap - used, ")");
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		free(sql);
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
	}
	rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->insert, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		free(c);
		return fail(db, rc, "copy", err);
	}
	*out = &c->base;
	return HR_OK;
}

static hr_status sqlite_copy_row(struct store_copy *copy, const char *const *values,
				 const size_t *lens, struct hr_error *err)
{
	sqlite3_stmt *insert = ((struct sqlite_copy *)copy)->insert;
	int rc = SQLITE_OK;

	for (size_t i = 0; i < copy->columns && rc == SQLITE_OK; i++) {
		/* STATIC: the values outlive the step below, so SQLite need not copy. */
		if (values[i] == NULL)
			rc = sqlite3_bind_null(insert, (int)i + 1);
		else
			rc = sqlite3_bind_text64(insert, (int)i + 1, values[i], lens[i],
						 SQLITE_STATIC, SQLITE_UTF8);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_step(insert);
	if (rc != SQLITE_DONE) {
		hr_status status = fail(sqlite3_db_handle(insert),
					rc == SQLITE_OK ? SQLITE_MISUSE : rc, "copy", err);
		(void)sqlite3_reset(insert); /* repeats the error just reported */
		return status;
	}
	(void)sqlite3_reset(insert);
	return HR_OK;
}

static hr_status sqlite_copy_finish(struct store_copy *copy, struct hr_error *err)
{
	(void)copy;
	(void)err;
	return HR_OK; /* every row is in already; the transaction is the caller's */
}

static void sqlite_copy_cancel(struct store_copy *copy)
{
	(void)copy; /* nothing buffered: rolling back is what discards the rows */
}

static void sqlite_copy_free(struct store_copy *copy)
{
	struct sqlite_copy *c = (struct sqlite_copy *)copy;

	sqlite3_finalize(c->insert);
	free(c);
}

const struct store_driver store_sqlite_driver = {
    .name = "sqlite",
    .dialect = STORE_SQLITE,
    .migration_lock_sql = NULL, /* BEGIN IMMEDIATE is the lock */
    .open = sqlite_open,
    .close = sqlite_close,
    .exec = sqlite_exec,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .in_transaction = sqlite_in_transaction,
    .healthy = sqlite_healthy,
    .prepare = sqlite_prepare,
    .stmt_free = sqlite_stmt_free,
    .param_count = sqlite_param_count,
    .bind_int64 = sqlite_bind_int64,
    .bind_text = sqlite_bind_text,
    .bind_blob = sqlite_bind_blob,
    .bind_null = sqlite_bind_null,
    .step = sqlite_step,
    .reset = sqlite_reset,
    .unbind = sqlite_unbind,
    .column_count = sqlite_column_count,
    .column_is_null = sqlite_column_is_null,
    .column_int64 = sqlite_column_int64,
    .column_text = sqlite_column_text,
    .column_blob = sqlite_column_blob,
    .copy_begin = sqlite_copy_begin,
    .copy_row = sqlite_copy_row,
    .copy_finish = sqlite_copy_finish,
    .copy_cancel = sqlite_copy_cancel,
    .copy_free = sqlite_copy_free,
};
