/*
 * store.h — the storage interface every role uses, over SQLite or PostgreSQL.
 *
 * A store is opened by URL:
 *
 *	sqlite:PATH                 an SQLite file (created if missing), WAL mode
 *	sqlite::memory:             a private in-memory database (tests)
 *	postgresql://...            libpq connection URI (postgres:// also accepted);
 *	                            ...&schema=NAME puts everything in schema NAME
 *	                            (created if missing), so one database can hold
 *	                            many stores
 *
 * SQL uses '?' placeholders on both drivers (the PostgreSQL driver rewrites them
 * to $1, $2, ... outside string literals), and values are always bound, never
 * pasted into SQL text. Where the dialects differ (BLOB vs BYTEA, AUTOINCREMENT
 * vs IDENTITY), a migration carries both texts; store_dialect() tells a caller
 * which one it is talking to.
 *
 * A struct store is one connection: use it from one thread at a time. Servers
 * share a struct store_pool, which hands one connection to each worker thread
 * for the length of a request.
 *
 * Errors: HR_E_CONFLICT for a unique/primary-key/constraint violation,
 * HR_E_BUSY when the database stayed locked past the busy timeout,
 * HR_E_UNAVAILABLE when the server cannot be reached, HR_E_DATABASE for any
 * other error the database reports (with its message), HR_E_INVALID for misuse
 * (bad URL, bind index out of range). Stage: "store".
 *
 * The same rules on both databases, where they would otherwise differ:
 * - transactions do not nest; commit or rollback outside one is HR_E_STATE;
 *   after an error inside a PostgreSQL transaction, commit reports that it was
 *   rolled back instead (HR_E_DATABASE);
 * - one statement per store_prepare; text may not contain NUL bytes;
 * - a finished statement stays finished until store_reset (SQLite would
 *   otherwise run an INSERT again);
 * - an empty blob or text reads back as "", NULL only means SQL NULL;
 * - the PostgreSQL getters read integers, booleans, text types and bytea: cast
 *   anything else in SQL (SUM(bigint) is numeric: write SUM(x)::bigint);
 * - PostgreSQL results are held whole in memory: bound the rows a query returns.
 * Error messages never contain a URL's password or PostgreSQL's DETAIL line
 * (which quotes row values), but a primary message may quote a bad value: do
 * not log store messages of requests that carry personal data.
 */
#ifndef HROMADA_CORE_STORE_H
#define HROMADA_CORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

struct store;
struct store_stmt;
struct store_pool;

enum store_dialect {
	STORE_SQLITE,
	STORE_POSTGRES,
};

hr_status store_open(const char *url, struct store **out, struct hr_error *err);
void store_close(struct store *store);
enum store_dialect store_dialect(const struct store *store);

/* Runs SQL without parameters or results; may hold several statements. */
hr_status store_exec(struct store *store, const char *sql, struct hr_error *err);

/* Transactions. store_begin takes the write lock at once on SQLite (BEGIN
 * IMMEDIATE), so two writers never deadlock upgrading a read lock. */
hr_status store_begin(struct store *store, struct hr_error *err);
hr_status store_commit(struct store *store, struct hr_error *err);
hr_status store_rollback(struct store *store, struct hr_error *err);

/* Prepared statements. Parameter indexes start at 1, column indexes at 0.
 * A connection keeps the statements it freed (one per SQL text, at most 16,
 * reset and unbound) and hands them back to the next store_prepare of the same
 * text, so prepare a statement per use without paying for compiling it. */
hr_status store_prepare(struct store *store, const char *sql, struct store_stmt **out,
			struct hr_error *err);
void store_stmt_free(struct store_stmt *stmt);
hr_status store_bind_int64(struct store_stmt *stmt, int index, int64_t value);
hr_status store_bind_text(struct store_stmt *stmt, int index, const char *value, size_t len);
hr_status store_bind_blob(struct store_stmt *stmt, int index, const void *value, size_t len);
hr_status store_bind_null(struct store_stmt *stmt, int index);

/*
 * Executes (on the first call after binding) and advances to the next row.
 * *has_row is true while a row is available to the column getters, false when
 * the statement is done. A statement that returns no rows (INSERT) needs one call.
 */
hr_status store_step(struct store_stmt *stmt, bool *has_row, struct hr_error *err);
/* Clears the result so the statement can be bound and stepped again. Bindings
 * are kept until rebound. */
void store_reset(struct store_stmt *stmt);
/* Rows changed by the last INSERT/UPDATE/DELETE step. */
int64_t store_changes(const struct store_stmt *stmt);

int store_column_count(const struct store_stmt *stmt);
bool store_column_is_null(const struct store_stmt *stmt, int column);
int64_t store_column_int64(const struct store_stmt *stmt, int column);
/* Text is NUL-terminated and valid until the next step/reset/free; len may be NULL. */
const char *store_column_text(const struct store_stmt *stmt, int column, size_t *len);
const void *store_column_blob(const struct store_stmt *stmt, int column, size_t *len);

/*
 * Schema migrations. Each migration runs once, in its own transaction, and is
 * recorded in the table hromada_schema(version, description, applied_at).
 * Versions must be listed in increasing order. A database whose recorded version
 * is newer than the newest migration given is refused (HR_E_UNSUPPORTED): an
 * older binary must not write to a newer schema.
 */
struct store_migration {
	int version;
	const char *description;
	const char *sql;          /* both dialects, unless sql_postgres is set */
	const char *sql_postgres; /* NULL: use sql */
};

hr_status store_migrate(struct store *store, const struct store_migration *migrations, size_t count,
			struct hr_error *err);
/* Highest applied version, 0 for a fresh database. */
hr_status store_schema_version(struct store *store, int *version, struct hr_error *err);

/*
 * Bulk loading: many rows into one table, as fast as each database allows.
 *
 *	store_copy_begin(store, "documents", columns, 5, &copy, err);
 *	for each row: store_copy_row(copy, values, lens, err);
 *	store_copy_end(copy, &rows, err);
 *
 * PostgreSQL streams the rows with COPY table (columns) FROM STDIN in text
 * format (escaping backslash, tab, newline and carriage return); SQLite runs one
 * prepared INSERT per row. Values are text: an integer travels as its decimal
 * text and the column's type converts it. A NULL value pointer is SQL NULL;
 * lens may be NULL, each value then being a C string. Text may not hold a NUL
 * byte (HR_E_INVALID), as for store_bind_text.
 *
 * The table (optionally schema.table) and column names are identifiers,
 * [A-Za-z_][A-Za-z0-9_]*, at most STORE_IDENTIFIER_MAX bytes: they are put into
 * SQL text, so they come from the program, never from input.
 *
 * Transactions: outside one, the copy is atomic — store_copy_begin begins a
 * transaction and store_copy_end commits it, or rolls it back when the copy
 * failed. Inside the caller's transaction the rows belong to it, and after a
 * failed copy the caller must roll back (PostgreSQL has aborted the
 * transaction; SQLite would keep the rows before the bad one). For speed on
 * SQLite, load in transactions of thousands of rows.
 *
 * Errors latch: after a failed row every later row is refused with the same
 * status, and store_copy_end reports the first failure. PostgreSQL checks the
 * rows as they arrive, so a bad row (a duplicate key, a malformed value) may be
 * reported only by store_copy_end. While a copy is open its connection runs
 * nothing else: every other call on the store is HR_E_STATE.
 *
 * store_copy_end and store_copy_abort always free the copy; abort discards
 * the rows (all of them outside a transaction; inside one, roll back).
 */
#define STORE_IDENTIFIER_MAX   63 /* PostgreSQL's NAMEDATALEN - 1 */
#define STORE_COPY_COLUMNS_MAX 1000

struct store_copy;

hr_status store_copy_begin(struct store *store, const char *table, const char *const *columns,
			   size_t count, struct store_copy **out, struct hr_error *err);
hr_status store_copy_row(struct store_copy *copy, const char *const *values, const size_t *lens,
			 struct hr_error *err);
/* rows (may be NULL) receives the number of rows loaded, 0 on failure. */
hr_status store_copy_end(struct store_copy *copy, int64_t *rows, struct hr_error *err);
void store_copy_abort(struct store_copy *copy);

/* A fixed-size pool of connections to one URL, opened lazily. */
hr_status store_pool_new(const char *url, unsigned size, struct store_pool **out,
			 struct hr_error *err);
void store_pool_free(struct store_pool *pool);
/* Waits up to timeout_ms for a free connection (HR_E_BUSY after that). */
hr_status store_pool_acquire(struct store_pool *pool, unsigned timeout_ms, struct store **out,
			     struct hr_error *err);
/* Returns a connection. A connection left inside a transaction is rolled back. */
void store_pool_release(struct store_pool *pool, struct store *store);

#endif
