/*
 * store.c — the database-independent half of the store (store.h): choosing a
 * driver by URL, argument and phase checks, transaction bookkeeping, schema
 * migrations and the connection pool. The drivers (store_sqlite.c,
 * store_postgres.c) only translate calls to their library; everything that must
 * behave the same on both databases is decided here, once.
 *
 * What this file never does: paste a value into SQL text, print a password
 * (URLs are quoted only through store_url_redact), or block on a database while
 * holding the pool's mutex.
 */
#include "core/store.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/store_driver.h"

#define STORE_URL_SHOWN_MAX 256

/* ---- URLs ---- */

static bool starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

hr_status store_driver_for_url(const char *url, const struct store_driver **out,
			       struct hr_error *err)
{
	char shown[STORE_URL_SHOWN_MAX];

	*out = NULL;
	if (url == NULL || url[0] == 0)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE, "no store URL given");
	if (starts_with(url, "sqlite:")) {
		*out = &store_sqlite_driver;
		return HR_OK;
	}
	if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
		*out = &store_postgres_driver;
		return HR_OK;
	}
	store_url_redact(url, shown, sizeof(shown));
	return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
			    "unsupported store URL '%s': expected sqlite:PATH or postgresql://...",
			    shown);
}

/* Appends n bytes of src to out (size cap), truncating; *used counts bytes written. */
static void append_bounded(char *out, size_t cap, size_t *used, const char *src, size_t n)
{
	if (*used >= cap - 1)
		return;
	if (n > cap - 1 - *used)
		n = cap - 1 - *used;
	memcpy(out + *used, src, n);
	*used += n;
	out[*used] = 0;
}

void store_url_redact(const char *url, char *out, size_t cap)
{
	const char *p, *authority, *authority_end, *at;
	size_t used = 0;

	if (cap == 0)
		return;
	out[0] = 0;
	if (url == NULL)
		return;
	p = url;
	/* scheme://user:password@host... : the password sits between the first ':'
	 * after "//" and the '@' that ends the user-info. A password that breaks
	 * the URI rules (an unencoded '@' or '?') is hidden up to the last '@'
	 * before the path: showing too little beats showing a secret. */
	authority = strstr(url, "://");
	if (authority != NULL) {
		authority += 3;
		authority_end = authority + strcspn(authority, "/");
		at = memrchr(authority, '@', (size_t)(authority_end - authority));
		if (at != NULL) {
			const char *colon = memchr(authority, ':', (size_t)(at - authority));
			if (colon != NULL) {
				append_bounded(out, cap, &used, url, (size_t)(colon + 1 - url));
				append_bounded(out, cap, &used, "***", 3);
				p = at;
			}
		}
	}
	/* ...?password=secret&... in the query string, or in a key=value conninfo. */
	while (*p != 0) {
		const char *hit = strstr(p, "password=");
		const char *value_end;

		if (hit == NULL) {
			append_bounded(out, cap, &used, p, strlen(p));
			break;
		}
		append_bounded(out, cap, &used, p, (size_t)(hit - p) + strlen("password="));
		append_bounded(out, cap, &used, "***", 3);
		value_end = hit + strlen("password=");
		value_end += strcspn(value_end, "& ");
		p = value_end;
	}
}

/* ---- connections ---- */

/* Remembers a lost connection so the pool reopens it instead of reusing it. */
static hr_status note(struct store *store, hr_status rc)
{
	if (rc == HR_E_UNAVAILABLE || (rc != HR_OK && !store->driver->healthy(store)))
		store->broken = true;
	return rc;
}

hr_status store_open(const char *url, struct store **out, struct hr_error *err)
{
	const struct store_driver *driver;
	hr_status rc;

	*out = NULL;
	if ((rc = store_driver_for_url(url, &driver, err)) != HR_OK)
		return rc;
	if ((rc = driver->open(url, out, err)) != HR_OK)
		return rc;
	(*out)->driver = driver;
	(*out)->in_transaction = false;
	(*out)->broken = false;
	(*out)->copying = false;
	(*out)->idle_count = 0;
	return HR_OK;
}

/*
 * The statement cache. store_stmt_free keeps a statement (reset, unbound) among
 * the connection's STORE_STMT_CACHE idle ones, the oldest finalized when there
 * is no room, and store_prepare of the same text takes it back: a request's
 * few statements then cost a string compare instead of SQLite's parser and
 * planner (a twentieth of a registry's time) or, on PostgreSQL, a Parse and a
 * DEALLOCATE round trip each. A statement taken back is as fresh as a new one.
 */
static void stmt_destroy(struct store_stmt *stmt)
{
	free(stmt->sql);
	stmt->store->driver->stmt_free(stmt);
}

static struct store_stmt *idle_take(struct store *store, const char *sql)
{
	for (size_t i = store->idle_count; i-- > 0;) {
		struct store_stmt *stmt = store->idle[i];

		if (strcmp(stmt->sql, sql) == 0) {
			memmove(&store->idle[i], &store->idle[i + 1],
				(store->idle_count - i - 1) * sizeof(store->idle[0]));
			store->idle_count--;
			return stmt;
		}
	}
	return NULL;
}

static bool idle_holds(const struct store *store, const char *sql)
{
	for (size_t i = 0; i < store->idle_count; i++)
		if (strcmp(store->idle[i]->sql, sql) == 0)
			return true;
	return false;
}

/* Finalizes every idle statement: at close, and after migrations changed the
 * schema under them. */
static void idle_flush(struct store *store)
{
	for (size_t i = 0; i < store->idle_count; i++)
		stmt_destroy(store->idle[i]);
	store->idle_count = 0;
}

void store_close(struct store *store)
{
	if (store == NULL)
		return;
	idle_flush(store);
	store->driver->close(store);
}

enum store_dialect store_dialect(const struct store *store)
{
	return store->driver->dialect;
}

/* A connection with an open copy is streaming rows (PostgreSQL's COPY state):
 * it can run nothing else until the copy ends. */
static hr_status refuse_while_copying(const struct store *store, struct hr_error *err)
{
	if (!store->copying)
		return HR_OK;
	return hr_error_set(err, HR_E_STATE, STORE_STAGE,
			    "a bulk copy is open on this connection: end it first");
}

hr_status store_exec(struct store *store, const char *sql, struct hr_error *err)
{
	hr_status rc;

	if ((rc = refuse_while_copying(store, err)) != HR_OK)
		return rc;
	if (sql == NULL)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE, "no SQL given");
	return note(store, store->driver->exec(store, sql, err));
}

hr_status store_begin(struct store *store, struct hr_error *err)
{
	hr_status rc;

	if ((rc = refuse_while_copying(store, err)) != HR_OK)
		return rc;
	/* Neither database nests transactions, and they disagree on what a second
	 * BEGIN does (SQLite fails, PostgreSQL warns and carries on): refuse it. */
	if (store->in_transaction)
		return hr_error_set(err, HR_E_STATE, STORE_STAGE,
				    "begin inside a transaction: transactions do not nest");
	rc = note(store, store->driver->begin(store, err));
	store->in_transaction = rc == HR_OK;
	return rc;
}

hr_status store_commit(struct store *store, struct hr_error *err)
{
	hr_status rc;

	if ((rc = refuse_while_copying(store, err)) != HR_OK)
		return rc;
	if (!store->in_transaction)
		return hr_error_set(err, HR_E_STATE, STORE_STAGE, "commit without a transaction");
	rc = note(store, store->driver->commit(store, err));
	/* A failed COMMIT may or may not have ended the transaction: ask. */
	store->in_transaction = rc != HR_OK && store->driver->in_transaction(store);
	return rc;
}

hr_status store_rollback(struct store *store, struct hr_error *err)
{
	hr_status rc;

	if ((rc = refuse_while_copying(store, err)) != HR_OK)
		return rc;
	if (!store->in_transaction)
		return hr_error_set(err, HR_E_STATE, STORE_STAGE, "rollback without a transaction");
	rc = note(store, store->driver->rollback(store, err));
	store->in_transaction = rc != HR_OK && store->driver->in_transaction(store);
	return rc;
}

/* ---- statements ---- */

hr_status store_prepare(struct store *store, const char *sql, struct store_stmt **out,
			struct hr_error *err)
{
	hr_status rc;

	*out = NULL;
	if ((rc = refuse_while_copying(store, err)) != HR_OK)
		return rc;
	if (sql == NULL)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE, "no SQL given");
	if ((*out = idle_take(store, sql)) == NULL) {
		if ((rc = note(store, store->driver->prepare(store, sql, out, err))) != HR_OK)
			return rc;
		(*out)->store = store;
		if (((*out)->sql = strdup(sql)) == NULL) {
			store->driver->stmt_free(*out);
			*out = NULL;
			return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
		}
	}
	(*out)->phase = STORE_STMT_READY;
	(*out)->has_row = false;
	(*out)->changes = 0;
	return HR_OK;
}

void store_stmt_free(struct store_stmt *stmt)
{
	struct store *store;

	if (stmt == NULL)
		return;
	store = stmt->store;
	/* one idle statement per text is enough: a second is finalized */
	if (store->broken || idle_holds(store, stmt->sql)) {
		stmt_destroy(stmt);
		return;
	}
	store->driver->reset(stmt);
	store->driver->unbind(stmt);
	if (store->idle_count == STORE_STMT_CACHE) {
		stmt_destroy(store->idle[0]);
		memmove(&store->idle[0], &store->idle[1],
			(STORE_STMT_CACHE - 1) * sizeof(store->idle[0]));
		store->idle_count--;
	}
	store->idle[store->idle_count++] = stmt;
}

/* Binding is allowed only between prepare/reset and the first step. */
static hr_status bind_check(const struct store_stmt *stmt, int index)
{
	if (stmt == NULL)
		return HR_E_INVALID;
	if (stmt->phase != STORE_STMT_READY)
		return HR_E_STATE;
	if (index < 1 || index > stmt->store->driver->param_count(stmt))
		return HR_E_INVALID;
	return HR_OK;
}

hr_status store_bind_int64(struct store_stmt *stmt, int index, int64_t value)
{
	hr_status rc = bind_check(stmt, index);

	return rc != HR_OK ? rc : stmt->store->driver->bind_int64(stmt, index, value);
}

hr_status store_bind_text(struct store_stmt *stmt, int index, const char *value, size_t len)
{
	hr_status rc = bind_check(stmt, index);

	if (rc != HR_OK)
		return rc;
	if (value == NULL && len > 0)
		return HR_E_INVALID;
	/* Callers read text back as C strings, and PostgreSQL text cannot hold a
	 * NUL at all: refuse it on both rather than let one database cut it short. */
	if (value != NULL && memchr(value, 0, len) != NULL)
		return HR_E_INVALID;
	return stmt->store->driver->bind_text(stmt, index, value ? value : "", len);
}

hr_status store_bind_blob(struct store_stmt *stmt, int index, const void *value, size_t len)
{
	hr_status rc = bind_check(stmt, index);

	if (rc != HR_OK)
		return rc;
	if (value == NULL && len > 0)
		return HR_E_INVALID;
	return stmt->store->driver->bind_blob(stmt, index, value ? value : "", len);
}

hr_status store_bind_null(struct store_stmt *stmt, int index)
{
	hr_status rc = bind_check(stmt, index);

	return rc != HR_OK ? rc : stmt->store->driver->bind_null(stmt, index);
}

hr_status store_step(struct store_stmt *stmt, bool *has_row, struct hr_error *err)
{
	hr_status rc;

	*has_row = false;
	if ((rc = refuse_while_copying(stmt->store, err)) != HR_OK)
		return rc;
	/* Stepping a finished statement again must not run it again (SQLite would
	 * silently re-execute an INSERT): it stays done until store_reset. */
	if (stmt->phase == STORE_STMT_DONE) {
		stmt->has_row = false;
		return HR_OK;
	}
	rc = note(stmt->store, stmt->store->driver->step(stmt, has_row, err));
	if (rc != HR_OK)
		*has_row = false;
	stmt->has_row = *has_row;
	stmt->phase = *has_row ? STORE_STMT_RUNNING : STORE_STMT_DONE;
	return rc;
}

void store_reset(struct store_stmt *stmt)
{
	if (stmt == NULL)
		return;
	stmt->store->driver->reset(stmt);
	stmt->phase = STORE_STMT_READY;
	stmt->has_row = false;
}

int64_t store_changes(const struct store_stmt *stmt)
{
	return stmt->changes;
}

int store_column_count(const struct store_stmt *stmt)
{
	/* PostgreSQL knows the columns only once the statement ran. */
	if (stmt->phase == STORE_STMT_READY)
		return 0;
	return stmt->store->driver->column_count(stmt);
}

static bool column_readable(const struct store_stmt *stmt, int column)
{
	return stmt->has_row && column >= 0 && column < stmt->store->driver->column_count(stmt);
}

bool store_column_is_null(const struct store_stmt *stmt, int column)
{
	if (!column_readable(stmt, column))
		return true;
	return stmt->store->driver->column_is_null(stmt, column);
}

int64_t store_column_int64(const struct store_stmt *stmt, int column)
{
	if (!column_readable(stmt, column))
		return 0;
	return stmt->store->driver->column_int64(stmt, column);
}

const char *store_column_text(const struct store_stmt *stmt, int column, size_t *len)
{
	if (len != NULL)
		*len = 0;
	if (!column_readable(stmt, column))
		return NULL;
	return stmt->store->driver->column_text(stmt, column, len);
}

const void *store_column_blob(const struct store_stmt *stmt, int column, size_t *len)
{
	if (len != NULL)
		*len = 0;
	if (!column_readable(stmt, column))
		return NULL;
	return stmt->store->driver->column_blob(stmt, column, len);
}

/* ---- bulk loading ---- */

/* [A-Za-z_][A-Za-z0-9_]* of at most STORE_IDENTIFIER_MAX bytes; n is its length. */
static bool identifier_valid(const char *name, size_t n)
{
	if (n == 0 || n > STORE_IDENTIFIER_MAX ||
	    !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (!(isalnum((unsigned char)name[i]) || name[i] == '_'))
			return false;
	}
	return true;
}

/* table or schema.table */
static bool table_name_valid(const char *table)
{
	const char *dot = strchr(table, '.');

	if (dot == NULL)
		return identifier_valid(table, strlen(table));
	return identifier_valid(table, (size_t)(dot - table)) &&
	       identifier_valid(dot + 1, strlen(dot + 1));
}

hr_status store_copy_begin(struct store *store, const char *table, const char *const *columns,
			   size_t count, struct store_copy **out, struct hr_error *err)
{
	bool owns = false;
	hr_status rc;

	*out = NULL;
	if ((rc = refuse_while_copying(store, err)) != HR_OK)
		return rc;
	if (table == NULL || !table_name_valid(table))
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
				    "copy: '%.80s' is not a table name ([A-Za-z_][A-Za-z0-9_]*, "
				    "optionally schema-qualified)",
				    table ? table : "(null)");
	if (columns == NULL || count == 0 || count > STORE_COPY_COLUMNS_MAX)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
				    "copy: %zu columns given, expected 1 to %d", count,
				    STORE_COPY_COLUMNS_MAX);
	for (size_t i = 0; i < count; i++) {
		if (columns[i] == NULL || !identifier_valid(columns[i], strlen(columns[i])))
			return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
					    "copy: column %zu '%.80s' is not a column name", i + 1,
					    columns[i] ? columns[i] : "(null)");
	}
	/* Outside a transaction the copy is atomic on both databases. */
	if (!store->in_transaction) {
		if ((rc = store_begin(store, err)) != HR_OK)
			return rc;
		owns = true;
	}
	if ((rc = note(store, store->driver->copy_begin(store, table, columns, count, out, err))) !=
	    HR_OK) {
		*out = NULL;
		if (owns)
			store_rollback(store, NULL);
		return rc;
	}
	(*out)->store = store;
	(*out)->columns = count;
	(*out)->rows = 0;
	(*out)->owns_transaction = owns;
	memset(&(*out)->failure, 0, sizeof((*out)->failure));
	store->copying = true;
	return HR_OK;
}

/* Latches a failure: the copy refuses every later row with it. */
static hr_status copy_fail(struct store_copy *copy, hr_status rc, const struct hr_error *why,
			   struct hr_error *err)
{
	copy->failure = *why;
	copy->failure.status = rc;
	if (err != NULL && err != why)
		*err = *why;
	if (err != NULL)
		err->status = rc;
	return rc;
}

hr_status store_copy_row(struct store_copy *copy, const char *const *values, const size_t *lens,
			 struct hr_error *err)
{
	size_t stack_lens[16] = {0}, *given = NULL;
	const size_t *use = lens;
	struct hr_error why = {0};
	hr_status rc;

	if (copy == NULL)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE, "copy: no copy given");
	if (copy->failure.status != HR_OK)
		return copy_fail(copy, copy->failure.status, &copy->failure, err);
	if (values == NULL) {
		rc = hr_error_set(&why, HR_E_INVALID, STORE_STAGE, "copy: no values given");
		return copy_fail(copy, rc, &why, err);
	}
	if (lens == NULL) {
		if (copy->columns <= sizeof(stack_lens) / sizeof(stack_lens[0])) {
			given = stack_lens;
		} else if ((given = calloc(copy->columns, sizeof(*given))) == NULL) {
			rc = hr_error_set(&why, HR_E_NOMEM, STORE_STAGE, "out of memory");
			return copy_fail(copy, rc, &why, err);
		}
		for (size_t i = 0; i < copy->columns; i++)
			given[i] = values[i] ? strlen(values[i]) : 0;
		use = given;
	}
	for (size_t i = 0; i < copy->columns; i++) {
		/* PostgreSQL text cannot hold a NUL, and callers read text back as C
		 * strings: refused on both, as store_bind_text does. */
		if (values[i] != NULL && memchr(values[i], 0, use[i]) != NULL) {
			rc = hr_error_set(&why, HR_E_INVALID, STORE_STAGE,
					  "copy: row %lld, column %zu holds a NUL byte",
					  (long long)copy->rows + 1, i + 1);
			goto done;
		}
	}
	rc = note(copy->store, copy->store->driver->copy_row(copy, values, use, &why));
	if (rc == HR_OK)
		copy->rows++;
done:
	if (given != NULL && given != stack_lens)
		free(given);
	return rc == HR_OK ? HR_OK : copy_fail(copy, rc, &why, err);
}

hr_status store_copy_end(struct store_copy *copy, int64_t *rows, struct hr_error *err)
{
	struct store *store;
	struct hr_error why = {0};
	bool owns;
	int64_t loaded;
	hr_status rc;

	if (rows != NULL)
		*rows = 0;
	if (copy == NULL)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE, "copy: no copy given");
	store = copy->store;
	owns = copy->owns_transaction;
	loaded = copy->rows;
	if (copy->failure.status != HR_OK) {
		store->driver->copy_cancel(copy);
		why = copy->failure;
		rc = why.status;
	} else {
		rc = note(store, store->driver->copy_finish(copy, &why));
	}
	store->driver->copy_free(copy);
	store->copying = false;
	if (owns) {
		if (rc == HR_OK)
			rc = store_commit(store, &why);
		else if (store->in_transaction)
			store_rollback(store, NULL);
	}
	if (rc != HR_OK) {
		if (err != NULL) {
			*err = why;
			err->status = rc;
		}
		return rc;
	}
	if (rows != NULL)
		*rows = loaded;
	return HR_OK;
}

void store_copy_abort(struct store_copy *copy)
{
	struct store *store;
	bool owns;

	if (copy == NULL)
		return;
	store = copy->store;
	owns = copy->owns_transaction;
	store->driver->copy_cancel(copy);
	store->driver->copy_free(copy);
	store->copying = false;
	if (owns && store->in_transaction)
		store_rollback(store, NULL);
}

/* ---- migrations ---- */

static const char *migration_sql(const struct store *store, const struct store_migration *m)
{
	if (store_dialect(store) == STORE_POSTGRES && m->sql_postgres != NULL)
		return m->sql_postgres;
	return m->sql;
}

/* Runs a one-row, one-integer query. */
static hr_status query_int(struct store *store, const char *sql, int64_t *value,
			   struct hr_error *err)
{
	struct store_stmt *stmt;
	bool has_row;
	hr_status rc;

	*value = 0;
	if ((rc = store_prepare(store, sql, &stmt, err)) != HR_OK)
		return rc;
	if ((rc = store_step(stmt, &has_row, err)) == HR_OK) {
		if (has_row)
			*value = store_column_int64(stmt, 0);
		else
			rc = hr_error_set(err, HR_E_DATABASE, STORE_STAGE, "'%s' returned no row",
					  sql);
	}
	store_stmt_free(stmt);
	return rc;
}

static hr_status read_version(struct store *store, int *version, struct hr_error *err)
{
	int64_t value;
	hr_status rc;

	*version = 0;
	if ((rc = query_int(store, "SELECT COALESCE(MAX(version), 0) FROM hromada_schema", &value,
			    err)) != HR_OK)
		return rc;
	if (value < 0 || value > INT_MAX)
		return hr_error_set(err, HR_E_DATABASE, STORE_STAGE,
				    "hromada_schema holds an impossible version %lld",
				    (long long)value);
	*version = (int)value;
	return HR_OK;
}

/* BEGIN, then whatever the driver needs so that one migrator runs at a time. */
static hr_status begin_migration(struct store *store, struct hr_error *err)
{
	hr_status rc;

	if ((rc = store_begin(store, err)) != HR_OK)
		return rc;
	if (store->driver->migration_lock_sql != NULL &&
	    (rc = store_exec(store, store->driver->migration_lock_sql, err)) != HR_OK) {
		store_rollback(store, NULL);
		return rc;
	}
	return HR_OK;
}

static hr_status refuse_newer(int found, int newest, struct hr_error *err)
{
	return hr_error_set(err, HR_E_UNSUPPORTED, STORE_STAGE,
			    "the database schema is at version %d but this program knows "
			    "versions up to %d: refusing to use a newer database with an older "
			    "program",
			    found, newest);
}

static hr_status record_version(struct store *store, const struct store_migration *m,
				struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	char applied_at[CLOCK_UTC_TEXT_MAX];
	bool has_row;
	const char *description = m->description ? m->description : "";
	hr_status rc;

	clock_format_utc((int64_t)time(NULL), applied_at);
	if ((rc = store_prepare(store,
				"INSERT INTO hromada_schema (version, description, applied_at) "
				"VALUES (?, ?, ?)",
				&stmt, err)) != HR_OK)
		return rc;
	if ((rc = store_bind_int64(stmt, 1, m->version)) != HR_OK ||
	    (rc = store_bind_text(stmt, 2, description, strlen(description))) != HR_OK ||
	    (rc = store_bind_text(stmt, 3, applied_at, strlen(applied_at))) != HR_OK) {
		hr_error_set(err, rc, STORE_STAGE, "cannot bind the schema version row");
		goto fail;
	}
	rc = store_step(stmt, &has_row, err);
fail:
	store_stmt_free(stmt);
	return rc;
}

/* Applies one migration unless a concurrent migrator already did. */
static hr_status apply_migration(struct store *store, const struct store_migration *m, int newest,
				 struct hr_error *err)
{
	int version;
	hr_status rc;

	if ((rc = begin_migration(store, err)) != HR_OK)
		return rc;
	/* Re-read under the lock: another process may have moved on meanwhile. */
	if ((rc = read_version(store, &version, err)) != HR_OK)
		goto fail;
	if (version > newest) {
		rc = refuse_newer(version, newest, err);
		goto fail;
	}
	if (version >= m->version) {
		store_rollback(store, NULL);
		return HR_OK;
	}
	if ((rc = store_exec(store, migration_sql(store, m), err)) != HR_OK ||
	    (rc = record_version(store, m, err)) != HR_OK ||
	    (rc = store_commit(store, err)) != HR_OK)
		goto fail;
	log_info("store.migrated", "applied schema version %d (%s)", m->version,
		 m->description ? m->description : "");
	return HR_OK;
fail:
	if (store->in_transaction)
		store_rollback(store, NULL);
	return rc;
}

hr_status store_migrate(struct store *store, const struct store_migration *migrations, size_t count,
			struct hr_error *err)
{
	int version, newest = 0;
	hr_status rc;

	if (count > 0 && migrations == NULL)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE, "no migrations given");
	for (size_t i = 0; i < count; i++) {
		const struct store_migration *m = &migrations[i];

		if (m->version <= newest)
			return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
					    "migration versions must be positive and strictly "
					    "increasing: %d follows %d",
					    m->version, newest);
		if (migration_sql(store, m) == NULL)
			return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
					    "migration %d has no SQL for %s", m->version,
					    store->driver->name);
		newest = m->version;
	}
	if (store->in_transaction)
		return hr_error_set(err, HR_E_STATE, STORE_STAGE,
				    "migrations run in their own transactions, not inside one");

	if ((rc = begin_migration(store, err)) != HR_OK)
		return rc;
	if ((rc = store_exec(store,
			     "CREATE TABLE IF NOT EXISTS hromada_schema ("
			     "version INTEGER PRIMARY KEY, "
			     "description TEXT NOT NULL, "
			     "applied_at TEXT NOT NULL)",
			     err)) != HR_OK ||
	    (rc = read_version(store, &version, err)) != HR_OK ||
	    (rc = store_commit(store, err)) != HR_OK) {
		if (store->in_transaction)
			store_rollback(store, NULL);
		return rc;
	}
	if (version > newest)
		return refuse_newer(version, newest, err);

	for (size_t i = 0; i < count; i++) {
		const struct store_migration *m = &migrations[i];

		if (m->version <= version)
			continue;
		if ((rc = apply_migration(store, m, newest, err)) != HR_OK) {
			if (rc != HR_E_UNSUPPORTED)
				hr_error_prefix(err, "migration %d (%s)", m->version,
						m->description ? m->description : "");
			return rc;
		}
	}
	/* statements compiled before the schema changed are not kept past it */
	idle_flush(store);
	return HR_OK;
}

hr_status store_schema_version(struct store *store, int *version, struct hr_error *err)
{
	const char *exists_sql;
	int64_t exists;
	hr_status rc;

	*version = 0;
	if (store_dialect(store) == STORE_POSTGRES)
		exists_sql = "SELECT CASE WHEN to_regclass('hromada_schema') IS NULL "
			     "THEN 0 ELSE 1 END";
	else
		exists_sql = "SELECT COUNT(*) FROM sqlite_master "
			     "WHERE type = 'table' AND name = 'hromada_schema'";
	if ((rc = query_int(store, exists_sql, &exists, err)) != HR_OK)
		return rc;
	if (exists == 0)
		return HR_OK;
	return read_version(store, version, err);
}

/* ---- pool ---- */

struct store_pool_slot {
	struct store *store; /* NULL until first needed, or after a broken one was closed */
	bool in_use;
};

struct store_pool {
	char *url;
	unsigned size;
	pthread_mutex_t lock;
	pthread_cond_t released; /* signalled whenever a slot becomes free */
	struct store_pool_slot *slots;
};

hr_status store_pool_new(const char *url, unsigned size, struct store_pool **out,
			 struct hr_error *err)
{
	const struct store_driver *driver;
	struct store_pool *pool;
	pthread_condattr_t attr;
	hr_status rc;

	*out = NULL;
	if ((rc = store_driver_for_url(url, &driver, err)) != HR_OK)
		return rc;
	if (size == 0 || size > 4096)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
				    "pool size %u is outside 1..4096", size);
	if ((pool = calloc(1, sizeof(*pool))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory for a pool");
	pool->size = size;
	if ((pool->url = strdup(url)) == NULL ||
	    (pool->slots = calloc(size, sizeof(*pool->slots))) == NULL) {
		free(pool->url);
		free(pool);
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory for a pool");
	}
	/* Deadlines are measured on the monotonic clock: a wall-clock step must not
	 * make a waiter give up early or wait forever. */
	if (pthread_mutex_init(&pool->lock, NULL) != 0 || pthread_condattr_init(&attr) != 0) {
		free(pool->slots);
		free(pool->url);
		free(pool);
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "cannot create the pool's lock");
	}
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&pool->released, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		pthread_mutex_destroy(&pool->lock);
		free(pool->slots);
		free(pool->url);
		free(pool);
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE,
				    "cannot create the pool's condition variable");
	}
	pthread_condattr_destroy(&attr);
	*out = pool;
	return HR_OK;
}

void store_pool_free(struct store_pool *pool)
{
	if (pool == NULL)
		return;
	for (unsigned i = 0; i < pool->size; i++) {
		/* Every connection must have been released before the pool goes. */
		assert(!pool->slots[i].in_use);
		store_close(pool->slots[i].store);
	}
	pthread_cond_destroy(&pool->released);
	pthread_mutex_destroy(&pool->lock);
	free(pool->slots);
	free(pool->url);
	free(pool);
}

/* A free slot, preferring one with an open connection; NULL when all are taken. */
static struct store_pool_slot *pool_find_free(struct store_pool *pool)
{
	struct store_pool_slot *empty = NULL;

	for (unsigned i = 0; i < pool->size; i++) {
		struct store_pool_slot *slot = &pool->slots[i];

		if (slot->in_use)
			continue;
		if (slot->store != NULL)
			return slot;
		if (empty == NULL)
			empty = slot;
	}
	return empty;
}

hr_status store_pool_acquire(struct store_pool *pool, unsigned timeout_ms, struct store **out,
			     struct hr_error *err)
{
	struct store_pool_slot *slot;
	struct timespec deadline;
	struct store *store;
	hr_status rc;

	*out = NULL;
	if (clock_gettime(CLOCK_MONOTONIC, &deadline) != 0)
		return hr_error_set(err, HR_E_IO, STORE_STAGE, "clock_gettime: %s",
				    strerror(errno));
	deadline.tv_sec += (time_t)(timeout_ms / 1000);
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&pool->lock);
	while ((slot = pool_find_free(pool)) == NULL) {
		int wait = pthread_cond_timedwait(&pool->released, &pool->lock, &deadline);

		if (wait == ETIMEDOUT && (slot = pool_find_free(pool)) == NULL) {
			pthread_mutex_unlock(&pool->lock);
			return hr_error_set(err, HR_E_BUSY, STORE_STAGE,
					    "all %u database connections stayed in use for %u ms",
					    pool->size, timeout_ms);
		}
		if (slot != NULL)
			break;
	}
	slot->in_use = true;
	store = slot->store;
	pthread_mutex_unlock(&pool->lock);

	if (store == NULL) {
		/* Connect outside the lock: it can take as long as the network does. */
		if ((rc = store_open(pool->url, &store, err)) != HR_OK) {
			pthread_mutex_lock(&pool->lock);
			slot->in_use = false;
			pthread_cond_signal(&pool->released);
			pthread_mutex_unlock(&pool->lock);
			return rc;
		}
		pthread_mutex_lock(&pool->lock);
		slot->store = store;
		pthread_mutex_unlock(&pool->lock);
	}
	*out = store;
	return HR_OK;
}

void store_pool_release(struct store_pool *pool, struct store *store)
{
	struct store_pool_slot *slot = NULL;
	struct hr_error error = {0};

	if (pool == NULL || store == NULL)
		return;
	pthread_mutex_lock(&pool->lock);
	for (unsigned i = 0; i < pool->size; i++)
		if (pool->slots[i].store == store && pool->slots[i].in_use)
			slot = &pool->slots[i];
	pthread_mutex_unlock(&pool->lock);
	if (slot == NULL) {
		log_error("store.pool", "a connection that is not on loan from this pool was "
					"released; ignored");
		return;
	}

	/* Only this thread touches the slot's connection until in_use is cleared. */
	if (store->copying) {
		/* The copy still points at this connection: a bug in the caller.
		 * Keep the connection out of circulation rather than reuse it. */
		log_error("store.pool", "a connection was released with a bulk copy still open; "
					"it is taken out of the pool, not reused");
		pthread_mutex_lock(&pool->lock);
		slot->store = NULL;
		slot->in_use = false;
		pthread_cond_signal(&pool->released);
		pthread_mutex_unlock(&pool->lock);
		return;
	}
	if (!store->broken && (store->in_transaction || store->driver->in_transaction(store))) {
		if (!store->in_transaction)
			store->in_transaction = true; /* begun by hand with store_exec */
		if (store_rollback(store, &error) != HR_OK) {
			log_warn("store.pool", "closing a connection whose rollback failed: %s",
				 error.message);
			store->broken = true;
		}
	}
	if (store->broken || !store->driver->healthy(store)) {
		store_close(store);
		store = NULL;
	}

	pthread_mutex_lock(&pool->lock);
	slot->store = store;
	slot->in_use = false;
	pthread_cond_signal(&pool->released);
	pthread_mutex_unlock(&pool->lock);
}
