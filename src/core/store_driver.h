/*
 * store_driver.h — the private seam between store.c and the database drivers
 * (store_sqlite.c, store_postgres.c). Nothing outside src/core/store*.c and the
 * store tests includes this header.
 *
 * A driver allocates its own connection and statement structs with struct store
 * and struct store_stmt as their FIRST member, so store.c can hold the generic
 * state (transaction flag, statement phase, last status) and the driver can cast
 * back to its own type. store.c checks arguments and phases before it calls a
 * driver, so a driver may assume: a valid index for bind, a row present for the
 * column getters (column in range), and step never called after the statement
 * finished.
 *
 * A driver never decides policy (pooling, migrations, transaction nesting):
 * that is store.c's, so both databases behave the same.
 */
#ifndef HROMADA_CORE_STORE_DRIVER_H
#define HROMADA_CORE_STORE_DRIVER_H

#include "core/store.h"

#define STORE_STAGE "store"

struct store_driver;

/* Idle statements a connection keeps for the next store_prepare of their text. */
#define STORE_STMT_CACHE 16

struct store {
	const struct store_driver *driver;
	bool in_transaction; /* between a successful store_begin and commit/rollback */
	bool broken;         /* a call reported HR_E_UNAVAILABLE: do not reuse */
	bool copying;        /* a store_copy is open: nothing else may run */
	struct store_stmt *idle[STORE_STMT_CACHE]; /* store.c's statement cache, oldest first */
	size_t idle_count;
};

enum store_stmt_phase {
	STORE_STMT_READY,   /* bindable; the next step executes */
	STORE_STMT_RUNNING, /* executed, rows may remain */
	STORE_STMT_DONE,    /* finished (or failed) until store_reset */
};

struct store_stmt {
	struct store *store;
	char *sql; /* the text it was prepared from (store.c's, the cache's key) */
	enum store_stmt_phase phase;
	bool has_row;    /* the getters may read the current row */
	int64_t changes; /* set by the driver when a writing statement finishes */
};

/* Drivers embed this as the FIRST member of their copy struct, as for statements. */
struct store_copy {
	struct store *store;
	size_t columns;
	int64_t rows;            /* rows accepted so far */
	bool owns_transaction;   /* store_copy_begin began it; store_copy_end ends it */
	struct hr_error failure; /* the first failure, latched (failure.status != HR_OK) */
};

struct store_driver {
	const char *name; /* "sqlite", "postgresql": for messages */
	enum store_dialect dialect;
	/* SQL run after BEGIN by store_migrate to serialise migrators; NULL when
	 * the driver's BEGIN already takes the write lock. */
	const char *migration_lock_sql;

	/* url is the whole URL, scheme included. */
	hr_status (*open)(const char *url, struct store **out, struct hr_error *err);
	void (*close)(struct store *store);
	hr_status (*exec)(struct store *store, const char *sql, struct hr_error *err);
	hr_status (*begin)(struct store *store, struct hr_error *err);
	hr_status (*commit)(struct store *store, struct hr_error *err);
	hr_status (*rollback)(struct store *store, struct hr_error *err);
	/* What the database itself says, independent of store.c's bookkeeping. */
	bool (*in_transaction)(const struct store *store);
	/* False when the connection is lost and must be reopened. */
	bool (*healthy)(const struct store *store);

	hr_status (*prepare)(struct store *store, const char *sql, struct store_stmt **out,
			     struct hr_error *err);
	void (*stmt_free)(struct store_stmt *stmt);
	int (*param_count)(const struct store_stmt *stmt);
	hr_status (*bind_int64)(struct store_stmt *stmt, int index, int64_t value);
	hr_status (*bind_text)(struct store_stmt *stmt, int index, const char *value, size_t len);
	hr_status (*bind_blob)(struct store_stmt *stmt, int index, const void *value, size_t len);
	hr_status (*bind_null)(struct store_stmt *stmt, int index);
	hr_status (*step)(struct store_stmt *stmt, bool *has_row, struct hr_error *err);
	void (*reset)(struct store_stmt *stmt);
	/* Every parameter back to SQL NULL, as after prepare. */
	void (*unbind)(struct store_stmt *stmt);
	int (*column_count)(const struct store_stmt *stmt);
	bool (*column_is_null)(const struct store_stmt *stmt, int column);
	int64_t (*column_int64)(const struct store_stmt *stmt, int column);
	const char *(*column_text)(const struct store_stmt *stmt, int column, size_t *len);
	const void *(*column_blob)(const struct store_stmt *stmt, int column, size_t *len);

	/* Bulk loading (store.h). store.c has checked the names (identifiers), the
	 * column count, and that the store is idle; copy_row gets exactly
	 * copy->columns values whose lens are filled in and free of NUL bytes.
	 * copy_finish completes a copy that saw no error; copy_cancel abandons
	 * one; copy_free releases it afterwards (and only then). */
	hr_status (*copy_begin)(struct store *store, const char *table, const char *const *columns,
				size_t count, struct store_copy **out, struct hr_error *err);
	hr_status (*copy_row)(struct store_copy *copy, const char *const *values,
			      const size_t *lens, struct hr_error *err);
	hr_status (*copy_finish)(struct store_copy *copy, struct hr_error *err);
	void (*copy_cancel)(struct store_copy *copy);
	void (*copy_free)(struct store_copy *copy);
};

extern const struct store_driver store_sqlite_driver;
extern const struct store_driver store_postgres_driver;

/* The driver that serves url's scheme; HR_E_INVALID for an unknown scheme. */
hr_status store_driver_for_url(const char *url, const struct store_driver **out,
			       struct hr_error *err);

/*
 * Copies url into out (size cap) with any password replaced by "***": the
 * user-info password of a URI and a password= parameter. Messages quote URLs
 * only through this.
 */
void store_url_redact(const char *url, char *out, size_t cap);

/* Most parameters one statement may carry (the PostgreSQL wire protocol's limit). */
#define STORE_PARAMS_MAX 65535

/*
 * Rewrites '?' placeholders to $1, $2, ... for PostgreSQL. A '?' inside a
 * single-quoted literal (also E'...' with backslash escapes), a double-quoted
 * identifier, a dollar-quoted string or a comment is left alone. On success *out
 * is a malloc'ed string the caller frees and *count the number of placeholders.
 * HR_E_INVALID when the text holds no statement, or more than one (a ';'
 * followed by anything but blanks and comments), or more than STORE_PARAMS_MAX placeholders.
 * PostgreSQL's jsonb operators ?, ?| and ?& cannot be written this way: use
 * jsonb_exists() and friends.
 */
hr_status store_pg_rewrite_placeholders(const char *sql, char **out, int *count,
					struct hr_error *err);

#endif
