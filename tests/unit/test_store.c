/*
 * test_store.c — the store (src/core/store*.c) against a real database.
 *
 *	test_store sqlite        every test on a fresh SQLite file
 *	test_store postgresql    every test on a fresh database of the server that
 *	                         tests/store.cmake starts (tk_pg_url())
 *
 * Both runs execute the same tests: the point of the store is that callers
 * cannot tell the drivers apart, except where a test says why they differ. A
 * missing PostgreSQL server is a failure, never a skip.
 */
#include "testkit/testkit.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/log.h"
#include "core/sqlite_checkpoint.h"
#include "core/store.h"
#include "core/store_driver.h"

static enum store_dialect driver;
static char tmpdir[256];
static const char *pg_admin_url;
static struct store *pg_admin; /* creates and drops the per-test databases */
static unsigned fixture_counter;

struct fixture {
	char url[1024];
	char dbname[64];
	struct store *store;
};

/* ---- helpers ---- */

#define OK(call)                                                                                   \
	do {                                                                                       \
		hr_status rc_ = (call);                                                            \
		if (rc_ != HR_OK)                                                                  \
			fail_msg("%s failed: %s: %s", #call, hr_status_name(rc_), err.message);    \
	} while (0)

static void exec_ok(struct store *store, const char *sql)
{
	struct hr_error err = {0};

	OK(store_exec(store, sql, &err));
}

/* more than the statement cache holds (STORE_STMT_CACHE, 16) */
#define STMT_TEXTS 40

static int64_t query_int(struct store *store, const char *sql)
{
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;
	int64_t value;

	OK(store_prepare(store, sql, &stmt, &err));
	OK(store_step(stmt, &has_row, &err));
	assert_true(has_row);
	value = store_column_int64(stmt, 0);
	store_stmt_free(stmt);
	return value;
}

static const char *blob_type(void)
{
	return driver == STORE_POSTGRES ? "BYTEA" : "BLOB";
}

/* t(id BIGINT PRIMARY KEY, i BIGINT, s TEXT, b BLOB/BYTEA) */
static void create_table_t(struct store *store)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "CREATE TABLE t (id BIGINT PRIMARY KEY, i BIGINT, s TEXT, b %s)",
		 blob_type());
	exec_ok(store, sql);
}

static void insert_id(struct store *store, int64_t id)
{
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;

	OK(store_prepare(store, "INSERT INTO t (id) VALUES (?)", &stmt, &err));
	OK(store_bind_int64(stmt, 1, id));
	OK(store_step(stmt, &has_row, &err));
	assert_false(has_row);
	store_stmt_free(stmt);
}

static void append_query(char *url, size_t cap, const char *base, const char *param)
{
	snprintf(url, cap, "%s%s%s", base, strchr(base, '?') ? "&" : "?", param);
}

static int setup(void **state)
{
	struct hr_error err = {0};
	struct fixture *f = calloc(1, sizeof(*f));
	char sql[256], param[96];

	if (f == NULL)
		return -1;
	if (driver == STORE_SQLITE) {
		snprintf(f->url, sizeof(f->url), "sqlite:%s/test-%u.db", tmpdir, ++fixture_counter);
	} else {
		snprintf(f->dbname, sizeof(f->dbname), "hromada_test_%ld_%u", (long)getpid(),
			 ++fixture_counter);
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->dbname);
		if (store_exec(pg_admin, sql, &err) != HR_OK)
			goto fail;
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", f->dbname);
		if (store_exec(pg_admin, sql, &err) != HR_OK)
			goto fail;
		snprintf(param, sizeof(param), "dbname=%s", f->dbname);
		append_query(f->url, sizeof(f->url), pg_admin_url, param);
	}
	if (store_open(f->url, &f->store, &err) != HR_OK)
		goto fail;
	*state = f;
	return 0;
fail:
	fprintf(stderr, "test setup failed: %s\n", err.message);
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	char sql[256];
	int rc = 0;

	store_close(f->store);
	if (driver == STORE_POSTGRES) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->dbname);
		if (store_exec(pg_admin, sql, &err) != HR_OK) {
			fprintf(stderr, "teardown: %s\n", err.message);
			rc = -1;
		}
	}
	free(f);
	return rc;
}

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- opening ---- */

static void test_opens_and_reports_dialect(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_dialect(f->store), driver);
	exec_ok(f->store, "SELECT 1");
	assert_int_equal(query_int(f->store, "SELECT 40 + 2"), 42);
}

static void test_rejects_unknown_or_empty_urls(void **state)
{
	struct hr_error err = {0};
	struct store *store = (struct store *)1;
	struct store_pool *pool = (struct store_pool *)1;

	(void)state;
	assert_int_equal(store_open("mysql://root:hunter2@db/x", &store, &err), HR_E_INVALID);
	assert_null(store);
	assert_string_equal(err.stage, "store");
	assert_non_null(strstr(err.message, "mysql://"));
	assert_non_null(strstr(err.message, "expected sqlite:PATH"));
	assert_null(strstr(err.message, "hunter2"));
	assert_int_equal(store_open("", &store, &err), HR_E_INVALID);
	assert_int_equal(store_open(NULL, &store, &err), HR_E_INVALID);
	assert_int_equal(store_open("sqlite:", &store, &err), HR_E_INVALID);
	assert_int_equal(store_open("SQLITE:/tmp/x.db", &store, NULL), HR_E_INVALID);
	assert_int_equal(store_pool_new("ftp://x", 2, &pool, &err), HR_E_INVALID);
	assert_null(pool);
	assert_int_equal(store_pool_new("sqlite::memory:", 0, &pool, &err), HR_E_INVALID);
	assert_null(pool);
}

static void test_rejects_missing_directory_naming_the_path(void **state)
{
	struct hr_error err = {0};
	struct store *store;
	char url[512];

	(void)state;
	snprintf(url, sizeof(url), "sqlite:%s/no-such-directory/x.db", tmpdir);
	assert_int_equal(store_open(url, &store, &err), HR_E_IO);
	assert_null(store);
	assert_non_null(strstr(err.message, "no-such-directory"));
	/* and nothing was created on the way */
	snprintf(url, sizeof(url), "%s/no-such-directory", tmpdir);
	assert_int_not_equal(access(url, F_OK), 0);
}

static void test_opens_a_private_memory_database(void **state)
{
	struct hr_error err = {0};
	struct store *a, *b;

	(void)state;
	OK(store_open("sqlite::memory:", &a, &err));
	OK(store_open("sqlite::memory:", &b, &err));
	exec_ok(a, "CREATE TABLE only_in_a (x INTEGER)");
	/* b is another database: the table is not there */
	assert_int_equal(store_exec(b, "SELECT * FROM only_in_a", &err), HR_E_DATABASE);
	assert_non_null(strstr(err.message, "only_in_a"));
	store_close(a);
	store_close(b);
}

static void test_reports_unreachable_postgres_without_password(void **state)
{
	struct hr_error err = {0};
	struct store *store;

	(void)state;
	/* Port 1 on loopback: refused at once, no waiting for a timeout. */
	assert_int_equal(
	    store_open("postgresql://hromada:s3cret-pw@127.0.0.1:1/nodb", &store, &err),
	    HR_E_UNAVAILABLE);
	assert_null(store);
	assert_non_null(strstr(err.message, "127.0.0.1"));
	assert_null(strstr(err.message, "s3cret-pw"));

	assert_int_equal(
	    store_open("postgres://u@127.0.0.1/db?port=1&password=s3cret-pw", &store, &err),
	    HR_E_UNAVAILABLE);
	assert_null(strstr(err.message, "s3cret-pw"));

	/* A URL libpq cannot parse is a configuration mistake, not an outage. */
	assert_int_equal(store_open("postgresql://host/db?no_such_option=1", &store, &err),
			 HR_E_INVALID);
	assert_non_null(strstr(err.message, "no_such_option"));
	/* ...and libpq's complaint, which may quote the password, is not passed on */
	assert_int_equal(store_open("postgresql://u:pw%zzs3cret-pw@h/db", &store, &err),
			 HR_E_INVALID);
	assert_null(strstr(err.message, "s3cret-pw"));
}

static void test_redacts_passwords_in_urls(void **state)
{
	char out[256];

	(void)state;
	store_url_redact("postgresql://user:pw@host:5432/db", out, sizeof(out));
	assert_string_equal(out, "postgresql://user:***@host:5432/db");
	store_url_redact("postgresql://user@host/db?sslmode=require&password=pw&x=1", out,
			 sizeof(out));
	assert_string_equal(out, "postgresql://user@host/db?sslmode=require&password=***&x=1");
	store_url_redact("postgresql://user:p@ss?word@host/db", out, sizeof(out));
	assert_string_equal(out, "postgresql://user:***@host/db");
	store_url_redact("postgresql://host:5432/db", out, sizeof(out));
	assert_string_equal(out, "postgresql://host:5432/db");
	store_url_redact("postgresql://u:p@h/d?password=q", out, 12);
	assert_string_equal(out, "postgresql:");
	store_url_redact("sqlite:/var/lib/x.db", out, sizeof(out));
	assert_string_equal(out, "sqlite:/var/lib/x.db");
}

/* ---- exec ---- */

static void test_exec_runs_several_statements(void **state)
{
	struct fixture *f = *state;

	exec_ok(f->store, "CREATE TABLE a (x BIGINT);\n"
			  "INSERT INTO a VALUES (1);\n"
			  "INSERT INTO a VALUES (2); -- trailing comment");
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM a"), 2);
}

static void test_exec_reports_syntax_error_as_database_error(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};

	assert_int_equal(store_exec(f->store, "SELEC 1", &err), HR_E_DATABASE);
	assert_string_equal(err.stage, "store");
	assert_non_null(strstr(err.message, "SELEC"));
	assert_null(strchr(err.message, '\n'));
	/* the connection is still usable */
	exec_ok(f->store, "SELECT 1");
}

/* ---- statements ---- */

static const char utf8_text[] = "Привіт, світ — 'single' \"double\" ? \\ ✓";
static const unsigned char nul_blob[] = {0x00, 0x01, 0xff, 0x00, 'z', 0x80, 0x00};

struct typed_row {
	int64_t id;
	int64_t i;
	const char *s;
	const void *b;
	size_t b_len;
};

static void test_binds_and_reads_back_every_type(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	const struct typed_row rows[] = {
	    {1, INT64_MIN, utf8_text, nul_blob, sizeof(nul_blob)},
	    {2, INT64_MAX, "", "", 0},
	    {3, 0, "plain", "x", 1},
	    {4, -1, NULL, NULL, 0},
	};
	struct store_stmt *stmt;
	bool has_row;
	size_t len;

	create_table_t(f->store);
	OK(store_prepare(f->store, "INSERT INTO t (id, i, s, b) VALUES (?, ?, ?, ?)", &stmt, &err));
	for (size_t n = 0; n < sizeof(rows) / sizeof(rows[0]); n++) {
		const struct typed_row *r = &rows[n];

		OK(store_bind_int64(stmt, 1, r->id));
		OK(store_bind_int64(stmt, 2, r->i));
		if (r->s != NULL) {
			OK(store_bind_text(stmt, 3, r->s, strlen(r->s)));
			OK(store_bind_blob(stmt, 4, r->b, r->b_len));
		} else {
			OK(store_bind_null(stmt, 3));
			OK(store_bind_null(stmt, 4));
		}
		OK(store_step(stmt, &has_row, &err));
		assert_false(has_row);
		assert_int_equal(store_changes(stmt), 1);
		store_reset(stmt);
	}
	store_stmt_free(stmt);

	OK(store_prepare(f->store, "SELECT id, i, s, b FROM t ORDER BY id", &stmt, &err));
	assert_int_equal(store_column_count(stmt), 0); /* not known before the first step */
	for (size_t n = 0; n < sizeof(rows) / sizeof(rows[0]); n++) {
		const struct typed_row *r = &rows[n];
		const char *s;
		const void *b;

		OK(store_step(stmt, &has_row, &err));
		assert_true(has_row);
		assert_int_equal(store_column_count(stmt), 4);
		assert_int_equal(store_column_int64(stmt, 0), r->id);
		assert_true(store_column_int64(stmt, 1) == r->i);
		s = store_column_text(stmt, 2, &len);
		b = store_column_blob(stmt, 3, &len);
		if (r->s == NULL) {
			assert_true(store_column_is_null(stmt, 2));
			assert_true(store_column_is_null(stmt, 3));
			assert_null(store_column_text(stmt, 2, &len));
			assert_int_equal(len, 0);
			assert_null(b);
			continue;
		}
		assert_false(store_column_is_null(stmt, 2));
		s = store_column_text(stmt, 2, &len);
		assert_non_null(s);
		assert_int_equal(len, strlen(r->s));
		assert_string_equal(s, r->s);
		b = store_column_blob(stmt, 3, &len);
		assert_non_null(b); /* an empty blob is not NULL */
		assert_int_equal(len, r->b_len);
		assert_memory_equal(b, r->b, r->b_len);
		/* len is optional */
		assert_non_null(store_column_text(stmt, 2, NULL));
	}
	OK(store_step(stmt, &has_row, &err));
	assert_false(has_row);
	store_stmt_free(stmt);
}

static void test_rejects_text_with_embedded_nul(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;

	/* C callers read text as strings; a NUL inside would silently cut it. */
	create_table_t(f->store);
	OK(store_prepare(f->store, "INSERT INTO t (id, s) VALUES (1, ?)", &stmt, &err));
	assert_int_equal(store_bind_text(stmt, 1, "a\0b", 3), HR_E_INVALID);
	assert_int_equal(store_bind_text(stmt, 1, NULL, 1), HR_E_INVALID);
	assert_int_equal(store_bind_blob(stmt, 1, NULL, 1), HR_E_INVALID);
	OK(store_bind_text(stmt, 1, NULL, 0)); /* empty */
	store_stmt_free(stmt);
}

static void test_steps_through_many_rows(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;
	int64_t expect = 0;
	char text[32];

	create_table_t(f->store);
	OK(store_begin(f->store, &err));
	OK(store_prepare(f->store, "INSERT INTO t (id, s) VALUES (?, ?)", &stmt, &err));
	for (int64_t id = 0; id < 3000; id++) {
		snprintf(text, sizeof(text), "row %" PRId64, id);
		OK(store_bind_int64(stmt, 1, id));
		OK(store_bind_text(stmt, 2, text, strlen(text)));
		OK(store_step(stmt, &has_row, &err));
		store_reset(stmt);
	}
	store_stmt_free(stmt);
	OK(store_commit(f->store, &err));

	OK(store_prepare(f->store, "SELECT id, s FROM t WHERE id >= ? ORDER BY id", &stmt, &err));
	OK(store_bind_int64(stmt, 1, 1000));
	expect = 1000;
	for (;;) {
		OK(store_step(stmt, &has_row, &err));
		if (!has_row)
			break;
		snprintf(text, sizeof(text), "row %" PRId64, expect);
		assert_int_equal(store_column_int64(stmt, 0), expect);
		assert_string_equal(store_column_text(stmt, 1, NULL), text);
		expect++;
	}
	assert_int_equal(expect, 3000);
	/* stepping a finished statement stays finished */
	OK(store_step(stmt, &has_row, &err));
	assert_false(has_row);
	assert_null(store_column_text(stmt, 1, NULL));
	store_stmt_free(stmt);
}

static void test_reset_keeps_bindings_and_allows_rebinding(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;

	create_table_t(f->store);
	OK(store_prepare(f->store, "INSERT INTO t (id, s) VALUES (?, ?)", &stmt, &err));
	OK(store_bind_int64(stmt, 1, 1));
	OK(store_bind_text(stmt, 2, "kept", 4));
	OK(store_step(stmt, &has_row, &err));
	store_reset(stmt);
	OK(store_bind_int64(stmt, 1, 2)); /* parameter 2 keeps "kept" */
	OK(store_step(stmt, &has_row, &err));
	store_reset(stmt);
	OK(store_bind_int64(stmt, 1, 3));
	OK(store_bind_text(stmt, 2, "new", 3));
	OK(store_step(stmt, &has_row, &err));
	store_stmt_free(stmt);

	OK(store_prepare(f->store, "SELECT s FROM t WHERE id = ?", &stmt, &err));
	for (int64_t id = 1; id <= 3; id++) {
		OK(store_bind_int64(stmt, 1, id));
		OK(store_step(stmt, &has_row, &err));
		assert_true(has_row);
		assert_string_equal(store_column_text(stmt, 0, NULL), id == 3 ? "new" : "kept");
		store_reset(stmt);
	}
	/* reset in the middle of the rows, then run again */
	OK(store_bind_int64(stmt, 1, 1));
	OK(store_step(stmt, &has_row, &err));
	store_reset(stmt);
	OK(store_step(stmt, &has_row, &err));
	assert_true(has_row);
	assert_string_equal(store_column_text(stmt, 0, NULL), "kept");
	store_stmt_free(stmt);
}

static void test_step_after_done_does_not_run_again(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;

	create_table_t(f->store);
	OK(store_prepare(f->store, "INSERT INTO t (id) SELECT COALESCE(MAX(id), 0) + 1 FROM t",
			 &stmt, &err));
	OK(store_step(stmt, &has_row, &err));
	OK(store_step(stmt, &has_row, &err));
	assert_false(has_row);
	store_stmt_free(stmt);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 1);
}

static void test_changes_counts_rows_written(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;

	create_table_t(f->store);
	for (int64_t id = 1; id <= 10; id++)
		insert_id(f->store, id);

	OK(store_prepare(f->store, "UPDATE t SET i = 7 WHERE id <= ?", &stmt, &err));
	OK(store_bind_int64(stmt, 1, 4));
	OK(store_step(stmt, &has_row, &err));
	assert_int_equal(store_changes(stmt), 4);
	store_reset(stmt);
	assert_int_equal(store_changes(stmt), 4); /* kept until the next run */
	OK(store_bind_int64(stmt, 1, 0));
	OK(store_step(stmt, &has_row, &err));
	assert_int_equal(store_changes(stmt), 0);
	store_stmt_free(stmt);

	OK(store_prepare(f->store, "DELETE FROM t WHERE id > ?", &stmt, &err));
	OK(store_bind_int64(stmt, 1, 8));
	OK(store_step(stmt, &has_row, &err));
	assert_int_equal(store_changes(stmt), 2);
	store_stmt_free(stmt);

	/* reading and defining change nothing, whatever the last write was */
	OK(store_prepare(f->store, "SELECT id FROM t", &stmt, &err));
	while (store_step(stmt, &has_row, &err) == HR_OK && has_row)
		;
	assert_int_equal(store_changes(stmt), 0);
	store_stmt_free(stmt);
	OK(store_prepare(f->store, "CREATE TABLE other (x BIGINT)", &stmt, &err));
	OK(store_step(stmt, &has_row, &err));
	assert_int_equal(store_changes(stmt), 0);
	store_stmt_free(stmt);
}

static void test_question_mark_inside_literal_is_not_a_placeholder(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;

	create_table_t(f->store);
	OK(store_prepare(f->store,
			 "INSERT INTO t (id, s) VALUES (?, 'what? ''really?''') -- one more?",
			 &stmt, &err));
	assert_int_equal(store_bind_int64(stmt, 2, 5), HR_E_INVALID); /* one placeholder only */
	OK(store_bind_int64(stmt, 1, 5));
	OK(store_step(stmt, &has_row, &err));
	store_stmt_free(stmt);

	exec_ok(f->store, "CREATE TABLE q (\"odd?name\" BIGINT)");
	OK(store_prepare(f->store, "INSERT INTO q (\"odd?name\") VALUES (? /* why? */)", &stmt,
			 &err));
	OK(store_bind_int64(stmt, 1, 9));
	OK(store_step(stmt, &has_row, &err));
	store_stmt_free(stmt);

	OK(store_prepare(f->store, "SELECT s FROM t WHERE id = ? AND s LIKE '%?%'", &stmt, &err));
	OK(store_bind_int64(stmt, 1, 5));
	OK(store_step(stmt, &has_row, &err));
	assert_true(has_row);
	assert_string_equal(store_column_text(stmt, 0, NULL), "what? 'really?'");
	store_stmt_free(stmt);
	assert_int_equal(query_int(f->store, "SELECT \"odd?name\" FROM q"), 9);
}

struct rewrite_case {
	const char *sql;
	const char *expect; /* NULL: must be refused */
	int count;
};

static void test_rewrites_placeholders_outside_quotes_and_comments(void **state)
{
	static const struct rewrite_case cases[] = {
	    {"SELECT ?", "SELECT $1", 1},
	    {"SELECT 1", "SELECT 1", 0},
	    {"INSERT INTO t VALUES (?, '?', \"?\", ?)", "INSERT INTO t VALUES ($1, '?', \"?\", $2)",
	     2},
	    {"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1},
	    {"SELECT \"a\"\"?\", ?", "SELECT \"a\"\"?\", $1", 1},
	    {"SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1},
	    {"SELECT '\\', ?", "SELECT '\\', $1", 1}, /* standard strings: \ is a character */
	    {"SELECT $$ ? ' $$, $tag$ ?$x$ $tag$, ?", "SELECT $$ ? ' $$, $tag$ ?$x$ $tag$, $1", 1},
	    {"SELECT ? -- ?\n, ? /* ? /* ? */ ? */ + ?",
	     "SELECT $1 -- ?\n, $2 /* ? /* ? */ ? */ + $3", 3},
	    {"SELECT a$b, ?", "SELECT a$b, $1", 1},
	    {"SELECT 1;", "SELECT 1;", 0},
	    {"SELECT ?; -- done\n  ", "SELECT $1; -- done\n  ", 1},
	    {"SELECT '?", "SELECT '?", 0}, /* unterminated: the server will complain */
	    {"SELECT 1; SELECT 2", NULL, 0},
	    {"SELECT ?; ?", NULL, 0},
	    {"SELECT 1; 'x'", NULL, 0},
	};
	struct hr_error err = {0};
	char *out, *many;
	int count;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hr_status rc = store_pg_rewrite_placeholders(cases[i].sql, &out, &count, &err);

		if (cases[i].expect == NULL) {
			assert_int_equal(rc, HR_E_INVALID);
			assert_null(out);
			continue;
		}
		if (rc != HR_OK)
			fail_msg("case %zu: %s", i, err.message);
		assert_string_equal(out, cases[i].expect);
		assert_int_equal(count, cases[i].count);
		free(out);
	}

	/* $10 and beyond, and the protocol's parameter limit */
	many = malloc(STORE_PARAMS_MAX + 2);
	assert_non_null(many);
	memset(many, '?', STORE_PARAMS_MAX);
	many[STORE_PARAMS_MAX] = 0;
	OK(store_pg_rewrite_placeholders(many, &out, &count, &err));
	assert_int_equal(count, STORE_PARAMS_MAX);
	assert_non_null(strstr(out, "$9$10$11"));
	assert_non_null(strstr(out, "$65535"));
	free(out);
	many[STORE_PARAMS_MAX] = '?';
	many[STORE_PARAMS_MAX + 1] = 0;
	assert_int_equal(store_pg_rewrite_placeholders(many, &out, &count, &err), HR_E_INVALID);
	free(many);
}

static void test_rejects_several_statements_in_prepare(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;

	assert_int_equal(store_prepare(f->store, "SELECT 1; SELECT 2", &stmt, &err), HR_E_INVALID);
	assert_null(stmt);
	assert_int_equal(store_prepare(f->store, "  -- nothing\n", &stmt, &err), HR_E_INVALID);
	assert_int_equal(store_prepare(f->store, ";", &stmt, &err), HR_E_INVALID);
	OK(store_prepare(f->store, "SELECT 1; -- fine", &stmt, &err));
	store_stmt_free(stmt);
}

static void test_rejects_bind_index_out_of_range(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;

	create_table_t(f->store);
	OK(store_prepare(f->store, "INSERT INTO t (id, s) VALUES (?, ?)", &stmt, &err));
	assert_int_equal(store_bind_int64(stmt, 0, 1), HR_E_INVALID);
	assert_int_equal(store_bind_int64(stmt, 3, 1), HR_E_INVALID);
	assert_int_equal(store_bind_int64(stmt, -1, 1), HR_E_INVALID);
	assert_int_equal(store_bind_text(stmt, 3, "x", 1), HR_E_INVALID);
	assert_int_equal(store_bind_blob(stmt, 0, "x", 1), HR_E_INVALID);
	assert_int_equal(store_bind_null(stmt, 3), HR_E_INVALID);
	assert_int_equal(store_bind_int64(NULL, 1, 1), HR_E_INVALID);
	OK(store_bind_int64(stmt, 2, 1));
	store_stmt_free(stmt);

	OK(store_prepare(f->store, "SELECT COUNT(*) FROM t", &stmt, &err));
	assert_int_equal(store_bind_int64(stmt, 1, 1), HR_E_INVALID);
	store_stmt_free(stmt);
}

static void test_rejects_bind_while_statement_runs(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;

	create_table_t(f->store);
	insert_id(f->store, 1);
	insert_id(f->store, 2);
	OK(store_prepare(f->store, "SELECT id FROM t WHERE id >= ? ORDER BY id", &stmt, &err));
	OK(store_bind_int64(stmt, 1, 1));
	OK(store_step(stmt, &has_row, &err));
	assert_true(has_row);
	assert_int_equal(store_bind_int64(stmt, 1, 2), HR_E_STATE);
	store_reset(stmt);
	OK(store_bind_int64(stmt, 1, 2));
	OK(store_step(stmt, &has_row, &err));
	assert_int_equal(store_column_int64(stmt, 0), 2);
	store_stmt_free(stmt);
}

static void test_getters_are_safe_on_wrong_column_or_type(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;
	size_t len = 99;

	create_table_t(f->store);
	exec_ok(f->store, "INSERT INTO t (id, i, s) VALUES (1, 42, 'text')");
	OK(store_prepare(f->store, "SELECT id, s, b, i FROM t", &stmt, &err));
	/* before the first step there is no row */
	assert_null(store_column_text(stmt, 1, &len));
	assert_int_equal(len, 0);
	assert_int_equal(store_column_int64(stmt, 0), 0);
	assert_true(store_column_is_null(stmt, 0));
	OK(store_step(stmt, &has_row, &err));
	assert_true(has_row);
	/* columns out of range */
	assert_int_equal(store_column_int64(stmt, 4), 0);
	assert_int_equal(store_column_int64(stmt, -1), 0);
	assert_null(store_column_text(stmt, 99, &len));
	assert_null(store_column_blob(stmt, -5, &len));
	assert_true(store_column_is_null(stmt, 4));
	/* a NULL value */
	assert_true(store_column_is_null(stmt, 2));
	assert_null(store_column_blob(stmt, 2, &len));
	assert_null(store_column_text(stmt, 2, &len));
	assert_int_equal(store_column_int64(stmt, 2), 0);
	/* the wrong getter: SQLite converts, PostgreSQL answers 0 / NULL */
	if (driver == STORE_POSTGRES) {
		assert_int_equal(store_column_int64(stmt, 1), 0);
		assert_null(store_column_text(stmt, 3, &len));
		assert_null(store_column_blob(stmt, 0, &len));
	} else {
		(void)store_column_int64(stmt, 1);
		assert_string_equal(store_column_text(stmt, 3, &len), "42");
	}
	/* text reads as bytes on both */
	assert_memory_equal(store_column_blob(stmt, 1, &len), "text", 4);
	assert_int_equal(len, 4);
	OK(store_step(stmt, &has_row, &err));
	assert_false(has_row);
	assert_int_equal(store_column_int64(stmt, 0), 0);
	store_stmt_free(stmt);

	/* types a caller may meet: booleans, small integers, counts */
	assert_int_equal(query_int(f->store, "SELECT CAST(-7 AS SMALLINT)"), -7);
	assert_int_equal(query_int(f->store, "SELECT CAST(-70000 AS INTEGER)"), -70000);
	assert_int_equal(query_int(f->store, "SELECT 1 = 1"), 1);
	assert_int_equal(query_int(f->store, "SELECT 1 = 0"), 0);
}

/* ---- transactions ---- */

static void test_commit_makes_writes_visible_to_other_connections(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store *other;

	create_table_t(f->store);
	OK(store_open(f->url, &other, &err));
	OK(store_begin(f->store, &err));
	insert_id(f->store, 1);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 1);
	assert_int_equal(query_int(other, "SELECT COUNT(*) FROM t"), 0);
	OK(store_commit(f->store, &err));
	assert_int_equal(query_int(other, "SELECT COUNT(*) FROM t"), 1);
	store_close(other);
}

static void test_rollback_discards_writes(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};

	create_table_t(f->store);
	insert_id(f->store, 1);
	OK(store_begin(f->store, &err));
	insert_id(f->store, 2);
	exec_ok(f->store, "DELETE FROM t WHERE id = 1");
	OK(store_rollback(f->store, &err));
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 1);
	assert_int_equal(query_int(f->store, "SELECT MAX(id) FROM t"), 1);
}

static void test_rejects_nested_begin_and_stray_commit(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};

	assert_int_equal(store_commit(f->store, &err), HR_E_STATE);
	assert_int_equal(store_rollback(f->store, &err), HR_E_STATE);
	OK(store_begin(f->store, &err));
	assert_int_equal(store_begin(f->store, &err), HR_E_STATE);
	assert_non_null(strstr(err.message, "nest"));
	/* migrations bring their own transactions */
	assert_int_equal(store_migrate(f->store, NULL, 0, &err), HR_E_STATE);
	OK(store_commit(f->store, &err));
	assert_int_equal(store_commit(f->store, &err), HR_E_STATE);
	OK(store_begin(f->store, &err));
	OK(store_rollback(f->store, &err));
}

static void test_unique_violation_is_conflict(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;

	create_table_t(f->store);
	insert_id(f->store, 1);
	OK(store_prepare(f->store, "INSERT INTO t (id) VALUES (?)", &stmt, &err));
	OK(store_bind_int64(stmt, 1, 1));
	assert_int_equal(store_step(stmt, &has_row, &err), HR_E_CONFLICT);
	assert_false(has_row);
	assert_non_null(strcasestr(err.message, "unique"));
	/* the statement can be reset and reused after the failure */
	store_reset(stmt);
	OK(store_bind_int64(stmt, 1, 2));
	OK(store_step(stmt, &has_row, &err));
	store_stmt_free(stmt);

	assert_int_equal(store_exec(f->store, "INSERT INTO t (id) VALUES (2)", &err),
			 HR_E_CONFLICT);
	exec_ok(f->store, "CREATE TABLE nn (x BIGINT NOT NULL)");
	assert_int_equal(store_exec(f->store, "INSERT INTO nn VALUES (NULL)", &err), HR_E_CONFLICT);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 2);
}

static void test_rolls_back_after_a_failed_statement(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	hr_status rc;

	create_table_t(f->store);
	OK(store_begin(f->store, &err));
	insert_id(f->store, 1);
	assert_int_equal(store_exec(f->store, "INSERT INTO t (id) VALUES (1)", &err),
			 HR_E_CONFLICT);
	OK(store_rollback(f->store, &err));
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 0);

	/* Committing after an error differs by database, and the store says so:
	 * SQLite undoes only the failed statement; PostgreSQL has aborted the whole
	 * transaction, and COMMIT must not pretend the earlier insert is in. */
	OK(store_begin(f->store, &err));
	insert_id(f->store, 1);
	assert_int_equal(store_exec(f->store, "INSERT INTO t (id) VALUES (1)", &err),
			 HR_E_CONFLICT);
	rc = store_commit(f->store, &err);
	if (driver == STORE_POSTGRES) {
		assert_int_equal(rc, HR_E_DATABASE);
		assert_non_null(strstr(err.message, "rolled back"));
		assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 0);
	} else {
		assert_int_equal(rc, HR_OK);
		assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 1);
	}
	/* either way the transaction is over */
	OK(store_begin(f->store, &err));
	OK(store_rollback(f->store, &err));
}

static void test_frees_statements_inside_a_failed_transaction(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmts[20];
	bool has_row;

	/* PostgreSQL cannot DEALLOCATE in an aborted transaction; the statements
	 * must still be freed now and deallocated once the transaction ends. */
	create_table_t(f->store);
	OK(store_begin(f->store, &err));
	for (int i = 0; i < 20; i++) {
		OK(store_prepare(f->store, "INSERT INTO t (id) VALUES (?)", &stmts[i], &err));
		OK(store_bind_int64(stmts[i], 1, 1));
	}
	OK(store_step(stmts[0], &has_row, &err));
	assert_int_equal(store_step(stmts[1], &has_row, &err), HR_E_CONFLICT);
	for (int i = 0; i < 20; i++)
		store_stmt_free(stmts[i]);
	OK(store_rollback(f->store, &err));
	/* the statement running this query, and one INSERT kept for reuse (the
	 * statement cache keeps one per text; a PREPARE outlives a rollback) */
	if (driver == STORE_POSTGRES)
		assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM pg_prepared_statements"),
				 2);
	insert_id(f->store, 5);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 1);
}

/* ---- the statement cache (store.c): a statement freed and prepared again is
 * the same compiled statement, but as fresh as a new one ---- */

static void test_prepared_again_a_statement_starts_unbound_and_from_the_top(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;
	int rows = 0;

	create_table_t(f->store);
	for (int i = 1; i <= 3; i++)
		insert_id(f->store, i);
	/* left in the middle of its rows, with a binding */
	OK(store_prepare(f->store, "SELECT id FROM t WHERE id >= ? ORDER BY id", &stmt, &err));
	OK(store_bind_int64(stmt, 1, 2));
	OK(store_step(stmt, &has_row, &err));
	assert_true(has_row);
	assert_int_equal(store_column_int64(stmt, 0), 2);
	store_stmt_free(stmt);

	/* the same text: no rows are left over, and the parameter is NULL again */
	OK(store_prepare(f->store, "SELECT id FROM t WHERE id >= ? ORDER BY id", &stmt, &err));
	OK(store_step(stmt, &has_row, &err));
	assert_false(has_row); /* id >= NULL matches nothing */
	store_stmt_free(stmt);
	OK(store_prepare(f->store, "SELECT id FROM t WHERE id >= ? ORDER BY id", &stmt, &err));
	OK(store_bind_int64(stmt, 1, 1));
	for (;;) {
		OK(store_step(stmt, &has_row, &err));
		if (!has_row)
			break;
		assert_int_equal(store_column_int64(stmt, 0), ++rows);
	}
	assert_int_equal(rows, 3);
	store_stmt_free(stmt);
}

static void test_statements_beyond_the_cache_and_in_use_together_all_work(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmts[STMT_TEXTS];
	char sql[STMT_TEXTS][64];
	bool has_row;

	/* more distinct texts than the cache holds, each used twice; and the same
	 * text held twice at once gets two statements */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < STMT_TEXTS; i++) {
			snprintf(sql[i], sizeof(sql[i]), "SELECT %d + ?", i);
			OK(store_prepare(f->store, sql[i], &stmts[i], &err));
			OK(store_bind_int64(stmts[i], 1, round));
		}
		for (int i = 0; i < STMT_TEXTS; i++) {
			OK(store_step(stmts[i], &has_row, &err));
			assert_true(has_row);
			assert_int_equal(store_column_int64(stmts[i], 0), i + round);
			store_stmt_free(stmts[i]);
		}
	}
	OK(store_prepare(f->store, "SELECT 1 + ?", &stmts[0], &err));
	OK(store_prepare(f->store, "SELECT 1 + ?", &stmts[1], &err));
	assert_ptr_not_equal(stmts[0], stmts[1]);
	OK(store_bind_int64(stmts[0], 1, 10));
	OK(store_bind_int64(stmts[1], 1, 20));
	OK(store_step(stmts[1], &has_row, &err));
	OK(store_step(stmts[0], &has_row, &err));
	assert_int_equal(store_column_int64(stmts[0], 0), 11);
	assert_int_equal(store_column_int64(stmts[1], 0), 21);
	store_stmt_free(stmts[0]);
	store_stmt_free(stmts[1]);
}

static void test_a_migration_retires_statements_compiled_before_it(void **state)
{
	static const struct store_migration add_column[] = {
	    {1, "a column more", "ALTER TABLE t ADD COLUMN extra BIGINT", NULL},
	};
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;

	create_table_t(f->store);
	insert_id(f->store, 1);
	OK(store_prepare(f->store, "SELECT * FROM t", &stmt, &err));
	OK(store_step(stmt, &has_row, &err));
	assert_int_equal(store_column_count(stmt), 4);
	store_stmt_free(stmt);
	OK(store_migrate(f->store, add_column, 1, &err));
	/* PostgreSQL would refuse a kept plan whose result changed shape */
	OK(store_prepare(f->store, "SELECT * FROM t", &stmt, &err));
	OK(store_step(stmt, &has_row, &err));
	assert_true(has_row);
	assert_int_equal(store_column_count(stmt), 5);
	store_stmt_free(stmt);
}

static void test_reports_a_locked_database_as_busy(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store *other;
	long long start;

	create_table_t(f->store);
	insert_id(f->store, 1);
	OK(store_open(f->url, &other, &err));
	OK(store_begin(f->store, &err));
	exec_ok(f->store, "UPDATE t SET i = 1 WHERE id = 1");
	start = monotonic_ms();
	if (driver == STORE_SQLITE) {
		/* BEGIN IMMEDIATE waits out the 5 s busy timeout for the write lock */
		assert_int_equal(store_begin(other, &err), HR_E_BUSY);
		assert_true(monotonic_ms() - start >= 4000);
	} else {
		/* PostgreSQL waits for a row lock as long as lock_timeout says */
		exec_ok(other, "SET lock_timeout = 200");
		assert_int_equal(store_exec(other, "UPDATE t SET i = 2 WHERE id = 1", &err),
				 HR_E_BUSY);
		assert_true(monotonic_ms() - start >= 150);
	}
	assert_string_equal(err.stage, "store");
	OK(store_rollback(f->store, &err));
	OK(store_begin(other, &err));
	OK(store_rollback(other, &err));
	store_close(other);
}

/* The commit that takes the WAL past SQLITE_CHECKPOINT_PAGES does not copy it
 * into the database itself: a background thread does, and the file grows. */
static void test_checkpoints_the_wal_in_the_background(void **state)
{
	struct fixture *f = *state;
	const char *path = f->url + strlen("sqlite:");
	const off_t grown = (off_t)SQLITE_CHECKPOINT_PAGES * 4000;
	struct stat st = {0};

	if (driver != STORE_SQLITE)
		skip();
	exec_ok(f->store, "CREATE TABLE pages (b BLOB)");
	for (int i = 0; i < SQLITE_CHECKPOINT_PAGES + SQLITE_CHECKPOINT_PAGES / 5; i++)
		exec_ok(f->store, "INSERT INTO pages VALUES (zeroblob(4000))"); /* a page each */
	for (int waited = 0; waited < 10000; waited += 10) {
		assert_int_equal(stat(path, &st), 0);
		if (st.st_size >= grown)
			break;
		usleep(10 * 1000);
	}
	assert_true(st.st_size >= grown);
}

/* ---- migrations ---- */

static const struct store_migration three_migrations[] = {
    {1, "create a", "CREATE TABLE a (x BIGINT)", NULL},
    {2, "create b", "CREATE TABLE b (y TEXT NOT NULL); INSERT INTO b VALUES ('seed')", NULL},
    {3, "index b", "CREATE INDEX b_y ON b (y)", NULL},
};

static int schema_version(struct store *store)
{
	struct hr_error err = {0};
	int version = -1;

	OK(store_schema_version(store, &version, &err));
	return version;
}

static void test_applies_migrations_in_order_and_records_them(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;
	int n = 0;

	assert_int_equal(schema_version(f->store), 0);
	OK(store_migrate(f->store, three_migrations, 3, &err));
	assert_int_equal(schema_version(f->store), 3);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM b"), 1);
	OK(store_prepare(f->store,
			 "SELECT version, description, applied_at FROM hromada_schema ORDER BY "
			 "version",
			 &stmt, &err));
	while (store_step(stmt, &has_row, &err) == HR_OK && has_row) {
		const char *applied_at = store_column_text(stmt, 2, NULL);

		assert_int_equal(store_column_int64(stmt, 0), three_migrations[n].version);
		assert_string_equal(store_column_text(stmt, 1, NULL),
				    three_migrations[n].description);
		assert_non_null(applied_at);
		assert_int_equal(strlen(applied_at), 20); /* 2026-11-25T14:30:37Z */
		assert_int_equal(applied_at[19], 'Z');
		n++;
	}
	assert_int_equal(n, 3);
	store_stmt_free(stmt);
}

static void test_rerunning_migrations_is_idempotent(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_migration four[4];

	OK(store_migrate(f->store, three_migrations, 3, &err));
	OK(store_migrate(f->store, three_migrations, 3, &err));
	assert_int_equal(schema_version(f->store), 3);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM b"), 1);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM hromada_schema"), 3);

	memcpy(four, three_migrations, sizeof(three_migrations));
	four[3] = (struct store_migration){4, "more b", "INSERT INTO b VALUES ('four')", NULL};
	OK(store_migrate(f->store, four, 4, &err));
	assert_int_equal(schema_version(f->store), 4);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM b"), 2);
	OK(store_migrate(f->store, four, 4, &err));
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM b"), 2);
}

static void test_refuses_database_newer_than_the_program(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};

	OK(store_migrate(f->store, three_migrations, 3, &err));
	assert_int_equal(store_migrate(f->store, three_migrations, 2, &err), HR_E_UNSUPPORTED);
	assert_non_null(strstr(err.message, "version 3"));
	assert_non_null(strstr(err.message, "up to 2"));
	assert_int_equal(store_migrate(f->store, NULL, 0, &err), HR_E_UNSUPPORTED);
	assert_int_equal(schema_version(f->store), 3);
}

static void test_rejects_non_increasing_migrations(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	const struct store_migration out_of_order[] = {
	    {1, "one", "CREATE TABLE one (x BIGINT)", NULL},
	    {3, "three", "CREATE TABLE three (x BIGINT)", NULL},
	    {2, "two", "CREATE TABLE two (x BIGINT)", NULL},
	};
	const struct store_migration repeated[] = {
	    {1, "one", "CREATE TABLE one (x BIGINT)", NULL},
	    {1, "one again", "CREATE TABLE two (x BIGINT)", NULL},
	};
	const struct store_migration zero[] = {{0, "zero", "CREATE TABLE z (x BIGINT)", NULL}};
	const struct store_migration no_sql[] = {{1, "nothing", NULL, NULL}};

	assert_int_equal(store_migrate(f->store, out_of_order, 3, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "increasing"));
	assert_int_equal(store_migrate(f->store, repeated, 2, &err), HR_E_INVALID);
	assert_int_equal(store_migrate(f->store, zero, 1, &err), HR_E_INVALID);
	assert_int_equal(store_migrate(f->store, no_sql, 1, &err), HR_E_INVALID);
	assert_int_equal(store_migrate(f->store, NULL, 2, &err), HR_E_INVALID);
	/* refused before anything ran */
	assert_int_equal(schema_version(f->store), 0);
	assert_int_equal(store_exec(f->store, "SELECT * FROM one", &err), HR_E_DATABASE);
}

static void test_failed_migration_rolls_back_and_keeps_version(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	const struct store_migration broken[] = {
	    {1, "create a", "CREATE TABLE a (x BIGINT)", NULL},
	    {2, "half done", "CREATE TABLE half (x BIGINT); INSERT INTO no_such_table VALUES (1)",
	     NULL},
	    {3, "never", "CREATE TABLE never (x BIGINT)", NULL},
	};

	assert_int_equal(store_migrate(f->store, broken, 3, &err), HR_E_DATABASE);
	assert_non_null(strstr(err.message, "migration 2 (half done)"));
	assert_non_null(strstr(err.message, "no_such_table"));
	assert_int_equal(schema_version(f->store), 1);
	assert_int_equal(store_exec(f->store, "SELECT * FROM half", &err), HR_E_DATABASE);
	assert_int_equal(store_exec(f->store, "SELECT * FROM never", &err), HR_E_DATABASE);
	exec_ok(f->store, "SELECT * FROM a");
	/* the connection is not left inside a transaction */
	OK(store_begin(f->store, &err));
	OK(store_rollback(f->store, &err));
}

static void test_migrate_without_migrations_creates_the_table(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};

	OK(store_migrate(f->store, NULL, 0, &err));
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM hromada_schema"), 0);
	assert_int_equal(schema_version(f->store), 0);
	OK(store_migrate(f->store, NULL, 0, &err));
}

static void test_migration_uses_the_postgres_text_when_given(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	const struct store_migration m[] = {
	    {1, "blobs", "CREATE TABLE d (b BLOB)", "CREATE TABLE d (b BYTEA)"},
	};
	struct store_stmt *stmt;
	bool has_row;
	size_t len;

	OK(store_migrate(f->store, m, 1, &err));
	OK(store_prepare(f->store, "INSERT INTO d VALUES (?)", &stmt, &err));
	OK(store_bind_blob(stmt, 1, nul_blob, sizeof(nul_blob)));
	OK(store_step(stmt, &has_row, &err));
	store_stmt_free(stmt);
	OK(store_prepare(f->store, "SELECT b FROM d", &stmt, &err));
	OK(store_step(stmt, &has_row, &err));
	assert_true(has_row);
	assert_memory_equal(store_column_blob(stmt, 0, &len), nul_blob, sizeof(nul_blob));
	assert_int_equal(len, sizeof(nul_blob));
	store_stmt_free(stmt);
}

struct migrator {
	const char *url;
	hr_status rc;
	char message[HR_ERROR_MESSAGE_MAX];
};

static const struct store_migration counted_migrations[] = {
    {1, "log", "CREATE TABLE applied (n BIGINT NOT NULL)", NULL},
    {2, "two", "INSERT INTO applied VALUES (2)", NULL},
    {3, "three", "INSERT INTO applied VALUES (3)", NULL},
    {4, "four", "INSERT INTO applied VALUES (4)", NULL},
    {5, "five", "INSERT INTO applied VALUES (5)", NULL},
};

static void *run_migrator(void *arg)
{
	struct migrator *m = arg;
	struct hr_error err = {0};
	struct store *store;

	if ((m->rc = store_open(m->url, &store, &err)) == HR_OK) {
		m->rc = store_migrate(store, counted_migrations, 5, &err);
		store_close(store);
	}
	snprintf(m->message, sizeof(m->message), "%s", err.message);
	return NULL;
}

static void test_concurrent_migrators_apply_each_migration_once(void **state)
{
	struct fixture *f = *state;
	struct migrator migrators[4];
	pthread_t threads[4];

	for (int i = 0; i < 4; i++) {
		migrators[i] = (struct migrator){.url = f->url};
		assert_int_equal(pthread_create(&threads[i], NULL, run_migrator, &migrators[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		if (migrators[i].rc != HR_OK)
			fail_msg("migrator %d: %s", i, migrators[i].message);
	}
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM applied"), 4);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM hromada_schema"), 5);
	assert_int_equal(schema_version(f->store), 5);
}

/* ---- pool ---- */

static void test_pool_hands_out_and_takes_back_connections(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_pool *pool;
	struct store *a, *b, *c;

	OK(store_pool_new(f->url, 2, &pool, &err));
	OK(store_pool_acquire(pool, 1000, &a, &err));
	OK(store_pool_acquire(pool, 1000, &b, &err));
	assert_ptr_not_equal(a, b);
	exec_ok(a, "SELECT 1");
	store_pool_release(pool, a);
	OK(store_pool_acquire(pool, 1000, &c, &err));
	assert_ptr_equal(c, a); /* an open connection is reused, not reopened */
	store_pool_release(pool, c);
	store_pool_release(pool, b);
	store_pool_release(pool, NULL); /* harmless */
	store_pool_free(pool);
	store_pool_free(NULL);
}

static void test_pool_times_out_when_exhausted(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_pool *pool;
	struct store *a, *b;
	long long start;

	OK(store_pool_new(f->url, 1, &pool, &err));
	OK(store_pool_acquire(pool, 1000, &a, &err));
	start = monotonic_ms();
	assert_int_equal(store_pool_acquire(pool, 150, &b, &err), HR_E_BUSY);
	assert_true(monotonic_ms() - start >= 140);
	assert_null(b);
	assert_non_null(strstr(err.message, "in use"));
	assert_int_equal(store_pool_acquire(pool, 0, &b, &err), HR_E_BUSY);
	store_pool_release(pool, a);
	OK(store_pool_acquire(pool, 0, &b, &err));
	store_pool_release(pool, b);
	store_pool_free(pool);
}

static void test_pool_rolls_back_on_release(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_pool *pool;
	struct store *store;

	create_table_t(f->store);
	OK(store_pool_new(f->url, 1, &pool, &err));
	OK(store_pool_acquire(pool, 1000, &store, &err));
	OK(store_begin(store, &err));
	insert_id(store, 1);
	store_pool_release(pool, store); /* forgot to commit */
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 0);

	OK(store_pool_acquire(pool, 1000, &store, &err));
	OK(store_begin(store, &err)); /* not "nested": the old one is gone */
	OK(store_rollback(store, &err));
	/* a transaction begun by hand is rolled back too */
	exec_ok(store, "BEGIN");
	insert_id(store, 2);
	store_pool_release(pool, store);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 0);
	OK(store_pool_acquire(pool, 1000, &store, &err));
	insert_id(store, 3);
	store_pool_release(pool, store);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 1);
	store_pool_free(pool);
}

struct pool_worker {
	struct store_pool *pool;
	int id;
	int done;
	char message[HR_ERROR_MESSAGE_MAX];
};

#define POOL_WORKERS    6
#define POOL_ITERATIONS 100

static hr_status pool_worker_once(struct pool_worker *w, int i, struct hr_error *err)
{
	struct store *store;
	struct store_stmt *stmt = NULL;
	bool has_row;
	hr_status rc;

	if ((rc = store_pool_acquire(w->pool, 20000, &store, err)) != HR_OK)
		return rc;
	if ((rc = store_begin(store, err)) != HR_OK)
		goto done;
	if ((rc = store_prepare(store, "INSERT INTO t (id, i) VALUES (?, ?)", &stmt, err)) !=
		HR_OK ||
	    (rc = store_bind_int64(stmt, 1, w->id * 100000 + i)) != HR_OK ||
	    (rc = store_bind_int64(stmt, 2, w->id)) != HR_OK ||
	    (rc = store_step(stmt, &has_row, err)) != HR_OK)
		goto done;
	store_stmt_free(stmt);
	stmt = NULL;
	rc = store_commit(store, err);
done:
	store_stmt_free(stmt);
	store_pool_release(w->pool, store); /* rolls back after a failure */
	return rc;
}

static void *pool_worker_run(void *arg)
{
	struct pool_worker *w = arg;
	struct hr_error err = {0};

	for (int i = 0; i < POOL_ITERATIONS; i++) {
		if (pool_worker_once(w, i, &err) != HR_OK) {
			snprintf(w->message, sizeof(w->message), "%s", err.message);
			break;
		}
		w->done++;
	}
	return NULL;
}

static void test_pool_serves_concurrent_threads(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct pool_worker workers[POOL_WORKERS];
	pthread_t threads[POOL_WORKERS];
	struct store_pool *pool;

	create_table_t(f->store);
	OK(store_pool_new(f->url, 3, &pool, &err));
	for (int i = 0; i < POOL_WORKERS; i++) {
		workers[i] = (struct pool_worker){.pool = pool, .id = i};
		assert_int_equal(pthread_create(&threads[i], NULL, pool_worker_run, &workers[i]),
				 0);
	}
	for (int i = 0; i < POOL_WORKERS; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		if (workers[i].done != POOL_ITERATIONS)
			fail_msg("worker %d stopped after %d: %s", i, workers[i].done,
				 workers[i].message);
	}
	store_pool_free(pool);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"),
			 POOL_WORKERS * POOL_ITERATIONS);
	assert_int_equal(query_int(f->store, "SELECT COUNT(DISTINCT i) FROM t"), POOL_WORKERS);
}

static void test_pool_reopens_a_broken_connection(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_pool *pool;
	struct store *store;
	int64_t pid, new_pid;
	char sql[128];

	OK(store_pool_new(f->url, 1, &pool, &err));
	OK(store_pool_acquire(pool, 1000, &store, &err));
	if (driver == STORE_SQLITE) {
		/* A file has no connection to lose: an error keeps the connection. */
		struct store *again;

		assert_int_equal(store_exec(store, "SELEC 1", &err), HR_E_DATABASE);
		store_pool_release(pool, store);
		OK(store_pool_acquire(pool, 1000, &again, &err));
		assert_ptr_equal(again, store);
		store_pool_release(pool, again);
		store_pool_free(pool);
		return;
	}
	/* Kill the server side of the pooled connection, as a restart would. */
	pid = query_int(store, "SELECT pg_backend_pid()");
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)", (long long)pid);
	exec_ok(f->store, sql);
	assert_int_equal(store_exec(store, "SELECT 1", &err), HR_E_UNAVAILABLE);
	store_pool_release(pool, store); /* closed, not kept */

	OK(store_pool_acquire(pool, 1000, &store, &err));
	new_pid = query_int(store, "SELECT pg_backend_pid()");
	assert_int_not_equal(new_pid, pid);
	store_pool_release(pool, store);
	store_pool_free(pool);
}

/* ---- volume ---- */

static void test_bulk_inserts_twenty_thousand_rows_in_one_transaction(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	unsigned char blob[32];
	bool has_row;

	create_table_t(f->store);
	OK(store_begin(f->store, &err));
	OK(store_prepare(f->store, "INSERT INTO t (id, i, s, b) VALUES (?, ?, ?, ?)", &stmt, &err));
	for (int64_t id = 1; id <= 20000; id++) {
		memset(blob, (int)(id & 0xff), sizeof(blob));
		OK(store_bind_int64(stmt, 1, id));
		OK(store_bind_int64(stmt, 2, id * 3));
		OK(store_bind_text(stmt, 3, "bulk", 4));
		OK(store_bind_blob(stmt, 4, blob, sizeof(blob)));
		OK(store_step(stmt, &has_row, &err));
		store_reset(stmt);
	}
	store_stmt_free(stmt);
	OK(store_commit(f->store, &err));
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 20000);
	assert_int_equal(query_int(f->store, "SELECT MAX(i) FROM t"), 60000);
}

/* ---- PostgreSQL: schema= ---- */

static void test_postgres_schema_parameter_keeps_tables_apart(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store *a, *b, *again;
	char url_a[1200], url_b[1200];

	if (driver != STORE_POSTGRES)
		skip();
	append_query(url_a, sizeof(url_a), f->url, "schema=Registry_A");
	append_query(url_b, sizeof(url_b), f->url, "schema=registry_b");
	/* created on first use, then the connection's search_path */
	OK(store_open(url_a, &a, &err));
	OK(store_open(url_b, &b, &err));
	create_table_t(a);
	create_table_t(b);
	insert_id(a, 1);
	insert_id(b, 2);
	insert_id(b, 3);
	assert_int_equal(query_int(a, "SELECT COUNT(*) FROM t"), 1);
	assert_int_equal(query_int(b, "SELECT COUNT(*) FROM t"), 2);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM \"Registry_A\".t"), 1);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM registry_b.t"), 2);
	/* an existing schema is used as it is */
	OK(store_open(url_a, &again, &err));
	assert_int_equal(query_int(again, "SELECT COUNT(*) FROM t"), 1);
	store_close(again);
	store_close(a);
	store_close(b);
}

static void test_postgres_schema_parameter_must_be_an_identifier(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store *store = (struct store *)1;
	char url[1200];
	const char *bad[] = {"schema=", "schema=a;DROP", "schema=1abc", "schema=a%20b",
			     "schema=a&schema=b"};

	if (driver != STORE_POSTGRES)
		skip();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		append_query(url, sizeof(url), f->url, bad[i]);
		assert_int_equal(store_open(url, &store, &err), HR_E_INVALID);
		assert_null(store);
		assert_non_null(strstr(err.message, "schema"));
	}
}

/* ---- bulk loading (store_copy_*) ---- */

static const char *const copy_columns[] = {"id", "i", "s"};

/* Loads rows (id, i, s) as text through a copy; s may be NULL. */
static hr_status copy_rows(struct store *store, const char *const (*rows)[3], size_t count,
			   int64_t *loaded, struct hr_error *err)
{
	struct store_copy *copy;
	hr_status rc;

	if ((rc = store_copy_begin(store, "t", copy_columns, 3, &copy, err)) != HR_OK)
		return rc;
	for (size_t r = 0; r < count; r++)
		(void)store_copy_row(copy, rows[r], NULL, err); /* latched: checked at the end */
	return store_copy_end(copy, loaded, err);
}

static void test_copy_loads_text_integers_and_nulls(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_stmt *stmt;
	const char *const rows[][3] = {
	    {"1", "10", "one"},
	    {"2", "-20", NULL},
	    {"3", NULL, ""},
	};
	int64_t loaded = -1;
	bool has_row;
	size_t len;

	create_table_t(f->store);
	OK(copy_rows(f->store, rows, 3, &loaded, &err));
	assert_int_equal(loaded, 3);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 3);
	assert_int_equal(query_int(f->store, "SELECT CAST(SUM(i) AS BIGINT) FROM t"), -10);
	OK(store_prepare(f->store, "SELECT i, s FROM t ORDER BY id", &stmt, &err));
	OK(store_step(stmt, &has_row, &err));
	assert_string_equal(store_column_text(stmt, 1, &len), "one");
	OK(store_step(stmt, &has_row, &err));
	assert_true(store_column_is_null(stmt, 1)); /* NULL stays NULL... */
	OK(store_step(stmt, &has_row, &err));
	assert_true(store_column_is_null(stmt, 0));
	assert_false(store_column_is_null(stmt, 1)); /* ...and "" stays "" */
	assert_string_equal(store_column_text(stmt, 1, &len), "");
	assert_int_equal(len, 0);
	store_stmt_free(stmt);
}

static void test_copy_escapes_every_special_character(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_copy *copy;
	struct store_stmt *stmt;
	/* Everything COPY's text format gives a meaning to, alone and together,
	 * plus what looks like its escapes and end marker. */
	const char *const texts[] = {
	    "back\\slash",
	    "tab\there",
	    "new\nline",
	    "carriage\rreturn",
	    "\\",
	    "\t",
	    "\n",
	    "\r",
	    "\\N",
	    "\\.",
	    "\\.\n",
	    "\n\\.\n",
	    "a\\tb",
	    "\\\\\t\n\r",
	    "\x01\x1f\x7f",
	    "\\x41\\101",
	    "Шевченко\tЗгорани",
	    "end\\",
	    " ",
	    "NULL",
	};
	const size_t count = sizeof(texts) / sizeof(texts[0]);
	char id[16];
	bool has_row;
	size_t len;

	create_table_t(f->store);
	OK(store_copy_begin(f->store, "t", copy_columns, 3, &copy, &err));
	for (size_t i = 0; i < count; i++) {
		const char *values[3] = {id, "0", texts[i]};
		/* a length that stops short of the C string: only len bytes count */
		size_t lens[3] = {0, 1, strlen(texts[i])};

		snprintf(id, sizeof(id), "%zu", i);
		lens[0] = strlen(id);
		OK(store_copy_row(copy, values, lens, &err));
	}
	OK(store_copy_end(copy, NULL, &err));

	OK(store_prepare(f->store, "SELECT id, s FROM t ORDER BY id", &stmt, &err));
	for (size_t i = 0; i < count; i++) {
		const char *text;

		OK(store_step(stmt, &has_row, &err));
		assert_true(has_row);
		assert_int_equal(store_column_int64(stmt, 0), (int64_t)i);
		text = store_column_text(stmt, 1, &len);
		assert_non_null(text);
		if (len != strlen(texts[i]) || memcmp(text, texts[i], len) != 0)
			fail_msg("value %zu came back changed", i);
	}
	OK(store_step(stmt, &has_row, &err));
	assert_false(has_row);
	store_stmt_free(stmt);
}

static void test_copy_honours_lengths_shorter_than_the_string(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_copy *copy;
	struct store_stmt *stmt;
	const char *values[3] = {"7000", "42", "keep\tDROP"};
	const size_t lens[3] = {1, 1, 4};
	bool has_row;

	create_table_t(f->store);
	OK(store_copy_begin(f->store, "t", copy_columns, 3, &copy, &err));
	OK(store_copy_row(copy, values, lens, &err));
	OK(store_copy_end(copy, NULL, &err));
	OK(store_prepare(f->store, "SELECT id, i, s FROM t", &stmt, &err));
	OK(store_step(stmt, &has_row, &err));
	assert_int_equal(store_column_int64(stmt, 0), 7);
	assert_int_equal(store_column_int64(stmt, 1), 4);
	assert_string_equal(store_column_text(stmt, 2, NULL), "keep");
	store_stmt_free(stmt);
}

static void test_copy_loads_a_hundred_thousand_rows(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_copy *copy;
	char id[24], i[24], s[64];
	const char *values[3] = {id, i, s};
	long long started = monotonic_ms();
	int64_t loaded;

	create_table_t(f->store);
	OK(store_copy_begin(f->store, "t", copy_columns, 3, &copy, &err));
	for (int64_t n = 1; n <= 100000; n++) {
		snprintf(id, sizeof(id), "%" PRId64, n);
		snprintf(i, sizeof(i), "%" PRId64, n * 7);
		snprintf(s, sizeof(s), "row %" PRId64 "\twith\\escapes\n", n);
		OK(store_copy_row(copy, values, NULL, &err));
	}
	OK(store_copy_end(copy, &loaded, &err));
	assert_int_equal(loaded, 100000);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 100000);
	assert_int_equal(query_int(f->store, "SELECT CAST(SUM(i) AS BIGINT) FROM t"),
			 7 * 100000LL * 100001LL / 2);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t WHERE s LIKE '%\t%'"), 100000);
	fprintf(stderr, "    %s: 100000 rows copied in %lld ms\n",
		driver == STORE_POSTGRES ? "postgresql" : "sqlite", monotonic_ms() - started);
}

static void test_copy_outside_a_transaction_is_atomic(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	const char *const rows[][3] = {
	    {"1", "1", "a"},
	    {"2", "2", "b"},
	    {"1", "3", "duplicate key"},
	    {"4", "4", "d"},
	};
	int64_t loaded = -1;

	create_table_t(f->store);
	assert_int_equal(copy_rows(f->store, rows, 4, &loaded, &err), HR_E_CONFLICT);
	assert_string_equal(err.stage, "store");
	assert_int_equal(loaded, 0);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 0);
	/* the connection is usable again, outside any transaction */
	OK(store_begin(f->store, &err));
	OK(store_commit(f->store, &err));
	OK(copy_rows(f->store, rows, 2, &loaded, &err));
	assert_int_equal(loaded, 2);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 2);
}

static void test_copy_inside_a_transaction_belongs_to_it(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	const char *const first[][3] = {{"1", "1", "a"}, {"2", "2", "b"}};
	const char *const second[][3] = {{"3", "3", "c"}};

	create_table_t(f->store);
	OK(store_begin(f->store, &err));
	OK(copy_rows(f->store, first, 2, NULL, &err));
	OK(copy_rows(f->store, second, 1, NULL, &err));
	insert_id(f->store, 4); /* the connection works between copies */
	OK(store_rollback(f->store, &err));
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 0);

	OK(store_begin(f->store, &err));
	OK(copy_rows(f->store, first, 2, NULL, &err));
	OK(copy_rows(f->store, second, 1, NULL, &err));
	OK(store_commit(f->store, &err));
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 3);
}

static void test_copy_failure_inside_a_transaction_needs_a_rollback(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	const char *const rows[][3] = {{"1", "1", "a"}, {"1", "2", "again"}};

	create_table_t(f->store);
	OK(store_begin(f->store, &err));
	assert_int_equal(copy_rows(f->store, rows, 2, NULL, &err), HR_E_CONFLICT);
	OK(store_rollback(f->store, &err));
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 0);
}

static void test_copy_refuses_names_that_are_not_identifiers(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_copy *copy = (struct store_copy *)1;
	const char *const bad_column[] = {"id", "i; DROP TABLE t"};
	const char *const null_column[] = {"id", NULL};
	const char *const quoted[] = {"\"id\""};
	char long_name[STORE_IDENTIFIER_MAX + 2];

	create_table_t(f->store);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	assert_int_equal(
	    store_copy_begin(f->store, "t (id) FROM x; --", copy_columns, 3, &copy, &err),
	    HR_E_INVALID);
	assert_null(copy);
	assert_non_null(strstr(err.message, "table name"));
	assert_int_equal(store_copy_begin(f->store, NULL, copy_columns, 3, &copy, &err),
			 HR_E_INVALID);
	assert_int_equal(store_copy_begin(f->store, "1t", copy_columns, 3, &copy, &err),
			 HR_E_INVALID);
	assert_int_equal(store_copy_begin(f->store, "a.b.c", copy_columns, 3, &copy, &err),
			 HR_E_INVALID);
	assert_int_equal(store_copy_begin(f->store, long_name, copy_columns, 3, &copy, &err),
			 HR_E_INVALID);
	assert_int_equal(store_copy_begin(f->store, "t", bad_column, 2, &copy, &err), HR_E_INVALID);
	assert_int_equal(store_copy_begin(f->store, "t", null_column, 2, &copy, &err),
			 HR_E_INVALID);
	assert_int_equal(store_copy_begin(f->store, "t", quoted, 1, &copy, &err), HR_E_INVALID);
	assert_int_equal(store_copy_begin(f->store, "t", copy_columns, 0, &copy, &err),
			 HR_E_INVALID);
	assert_int_equal(store_copy_begin(f->store, "t", NULL, 3, &copy, &err), HR_E_INVALID);
	assert_null(copy);
	/* nothing was left open */
	OK(store_begin(f->store, &err));
	OK(store_rollback(f->store, &err));
}

static void test_copy_reports_an_unknown_table(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_copy *copy;

	assert_int_equal(store_copy_begin(f->store, "no_such_table", copy_columns, 3, &copy, &err),
			 HR_E_DATABASE);
	assert_null(copy);
	assert_non_null(strstr(err.message, "no_such_table"));
	exec_ok(f->store, "SELECT 1"); /* the connection recovered */
	OK(store_begin(f->store, &err));
	OK(store_rollback(f->store, &err));
}

static void test_copy_latches_a_nul_byte_and_loads_nothing(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_copy *copy;
	const char *good[3] = {"1", "1", "fine"};
	const char *bad[3] = {"2", "2", "nul\0inside"};
	const size_t bad_lens[3] = {1, 1, 11};
	int64_t loaded = -1;

	create_table_t(f->store);
	OK(store_copy_begin(f->store, "t", copy_columns, 3, &copy, &err));
	OK(store_copy_row(copy, good, NULL, &err));
	assert_int_equal(store_copy_row(copy, bad, bad_lens, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "NUL"));
	memset(&err, 0, sizeof(err));
	/* latched: a good row is refused too, with the first reason */
	assert_int_equal(store_copy_row(copy, good, NULL, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "NUL"));
	memset(&err, 0, sizeof(err));
	assert_int_equal(store_copy_end(copy, &loaded, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "NUL"));
	assert_int_equal(loaded, 0);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 0);
}

static void test_copy_blocks_the_connection_until_it_ends(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_copy *copy, *second;
	struct store_stmt *stmt;
	const char *row[3] = {"1", "1", "x"};
	bool has_row;

	create_table_t(f->store);
	OK(store_prepare(f->store, "SELECT COUNT(*) FROM t", &stmt, &err));
	OK(store_copy_begin(f->store, "t", copy_columns, 3, &copy, &err));
	OK(store_copy_row(copy, row, NULL, &err));
	assert_int_equal(store_exec(f->store, "SELECT 1", &err), HR_E_STATE);
	assert_non_null(strstr(err.message, "copy"));
	assert_int_equal(store_step(stmt, &has_row, &err), HR_E_STATE);
	assert_int_equal(store_begin(f->store, &err), HR_E_STATE);
	assert_int_equal(store_commit(f->store, &err), HR_E_STATE);
	assert_int_equal(store_copy_begin(f->store, "t", copy_columns, 3, &second, &err),
			 HR_E_STATE);
	OK(store_copy_end(copy, NULL, &err));
	store_reset(stmt);
	OK(store_step(stmt, &has_row, &err));
	assert_true(has_row);
	assert_int_equal(store_column_int64(stmt, 0), 1);
	store_stmt_free(stmt);
}

static void test_copy_abort_discards_the_rows(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	struct store_copy *copy;
	const char *row[3] = {"1", "1", "x"};

	create_table_t(f->store);
	OK(store_copy_begin(f->store, "t", copy_columns, 3, &copy, &err));
	OK(store_copy_row(copy, row, NULL, &err));
	store_copy_abort(copy);
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 0);
	OK(copy_rows(f->store, (const char *const(*)[3]) & row, 1, NULL, &err));
	assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 1);
	store_copy_abort(NULL); /* harmless */
}

static void test_copy_reports_a_type_error(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};
	const char *const rows[][3] = {{"1", "1", "a"}, {"2", "not a number", "b"}};
	hr_status rc;

	/* PostgreSQL refuses text in a BIGINT column; SQLite's type affinity
	 * stores it as text (its documented behaviour), which is why callers load
	 * only what the column's type accepts. */
	exec_ok(f->store, "CREATE TABLE t (id BIGINT PRIMARY KEY, i BIGINT, s TEXT)");
	rc = copy_rows(f->store, rows, 2, NULL, &err);
	if (driver == STORE_POSTGRES) {
		assert_int_equal(rc, HR_E_DATABASE);
		assert_int_equal(query_int(f->store, "SELECT COUNT(*) FROM t"), 0);
	} else {
		assert_int_equal(rc, HR_OK);
	}
}

/* ---- main ---- */

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    T(test_opens_and_reports_dialect),
	    T(test_rejects_unknown_or_empty_urls),
	    T(test_rejects_missing_directory_naming_the_path),
	    T(test_opens_a_private_memory_database),
	    T(test_reports_unreachable_postgres_without_password),
	    T(test_redacts_passwords_in_urls),
	    T(test_exec_runs_several_statements),
	    T(test_exec_reports_syntax_error_as_database_error),
	    T(test_binds_and_reads_back_every_type),
	    T(test_rejects_text_with_embedded_nul),
	    T(test_steps_through_many_rows),
	    T(test_reset_keeps_bindings_and_allows_rebinding),
	    T(test_step_after_done_does_not_run_again),
	    T(test_changes_counts_rows_written),
	    T(test_question_mark_inside_literal_is_not_a_placeholder),
	    T(test_rewrites_placeholders_outside_quotes_and_comments),
	    T(test_rejects_several_statements_in_prepare),
	    T(test_rejects_bind_index_out_of_range),
	    T(test_rejects_bind_while_statement_runs),
	    T(test_getters_are_safe_on_wrong_column_or_type),
	    T(test_commit_makes_writes_visible_to_other_connections),
	    T(test_rollback_discards_writes),
	    T(test_rejects_nested_begin_and_stray_commit),
	    T(test_unique_violation_is_conflict),
	    T(test_rolls_back_after_a_failed_statement),
	    T(test_frees_statements_inside_a_failed_transaction),
	    T(test_prepared_again_a_statement_starts_unbound_and_from_the_top),
	    T(test_statements_beyond_the_cache_and_in_use_together_all_work),
	    T(test_a_migration_retires_statements_compiled_before_it),
	    T(test_reports_a_locked_database_as_busy),
	    T(test_checkpoints_the_wal_in_the_background),
	    T(test_applies_migrations_in_order_and_records_them),
	    T(test_rerunning_migrations_is_idempotent),
	    T(test_refuses_database_newer_than_the_program),
	    T(test_rejects_non_increasing_migrations),
	    T(test_failed_migration_rolls_back_and_keeps_version),
	    T(test_migrate_without_migrations_creates_the_table),
	    T(test_migration_uses_the_postgres_text_when_given),
	    T(test_concurrent_migrators_apply_each_migration_once),
	    T(test_pool_hands_out_and_takes_back_connections),
	    T(test_pool_times_out_when_exhausted),
	    T(test_pool_rolls_back_on_release),
	    T(test_pool_serves_concurrent_threads),
	    T(test_pool_reopens_a_broken_connection),
	    T(test_bulk_inserts_twenty_thousand_rows_in_one_transaction),
	    T(test_postgres_schema_parameter_keeps_tables_apart),
	    T(test_postgres_schema_parameter_must_be_an_identifier),
	    T(test_copy_loads_text_integers_and_nulls),
	    T(test_copy_escapes_every_special_character),
	    T(test_copy_honours_lengths_shorter_than_the_string),
	    T(test_copy_loads_a_hundred_thousand_rows),
	    T(test_copy_outside_a_transaction_is_atomic),
	    T(test_copy_inside_a_transaction_belongs_to_it),
	    T(test_copy_failure_inside_a_transaction_needs_a_rollback),
	    T(test_copy_refuses_names_that_are_not_identifiers),
	    T(test_copy_reports_an_unknown_table),
	    T(test_copy_latches_a_nul_byte_and_loads_nothing),
	    T(test_copy_blocks_the_connection_until_it_ends),
	    T(test_copy_abort_discards_the_rows),
	    T(test_copy_reports_a_type_error),
	};
	struct hr_error err = {0};
	int failed;

	if (argc != 2 || (strcmp(argv[1], "sqlite") != 0 && strcmp(argv[1], "postgresql") != 0)) {
		fprintf(stderr, "usage: %s sqlite|postgresql\n", argv[0]);
		return 2;
	}
	log_set_level(LOG_LEVEL_WARN); /* "migration applied" lines are noise here */
	tk_tmpdir(tmpdir);
	if (strcmp(argv[1], "sqlite") == 0) {
		driver = STORE_SQLITE;
	} else {
		driver = STORE_POSTGRES;
		pg_admin_url = tk_pg_url();
		if (pg_admin_url == NULL) {
			fprintf(stderr,
				"\n*** test_store postgresql: NO POSTGRESQL SERVER.\n"
				"*** Neither HROMADA_TEST_PG_URL nor the file named by "
				"HROMADA_TEST_PG_URL_FILE (%s) gives a URL.\n"
				"*** Run through ctest, whose pg.start fixture starts one "
				"(scripts/pg_harness.sh). This is a failure, not a skip.\n\n",
				getenv("HROMADA_TEST_PG_URL_FILE")
				    ? getenv("HROMADA_TEST_PG_URL_FILE")
				    : "unset");
			tk_rmrf(tmpdir);
			return 1;
		}
		if (store_open(pg_admin_url, &pg_admin, &err) != HR_OK) {
			fprintf(stderr, "\n*** test_store postgresql: cannot connect: %s\n\n",
				err.message);
			tk_rmrf(tmpdir);
			return 1;
		}
	}
	failed = cmocka_run_group_tests_name(argv[1], tests, NULL, NULL);
	store_close(pg_admin);
	tk_rmrf(tmpdir);
	return failed;
}
