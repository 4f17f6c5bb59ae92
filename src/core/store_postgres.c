/*
 * store_postgres.c — the PostgreSQL driver of the store (store_driver.h), on libpq.
 *
 *	postgresql://user@host:port/dbname?param=value   (postgres:// too)
 *	postgresql://...?...&schema=NAME                  everything in schema NAME
 *
 * schema= is ours, not libpq's: it is taken out of the URL before libpq sees
 * it, the schema is created if it does not exist, and the connection's
 * search_path is set to it, so unqualified tables (migrations included) live
 * there. One database can so hold many registries, one schema each. NAME is
 * an identifier, [A-Za-z_][A-Za-z0-9_]*, case kept.
 *
 * SQL is written with '?' placeholders, as for SQLite; store_prepare rewrites
 * them to $1..$n (outside literals, identifiers and comments) and prepares the
 * statement once on the server under a name unique to the connection. The first
 * store_step executes it: text and integers travel as text parameters, blobs as
 * binary ones, and results come back in BINARY format, decoded here by column
 * type. The getters understand integers (int2/int4/int8/oid), booleans, the
 * text types (text, varchar, char(n), name, json, jsonb) and bytea; for other
 * types a getter returns 0 or NULL — cast in SQL (::bigint, ::text). The whole
 * result of a query is held in memory, so queries must bound their rows.
 *
 * Never: paste a value into SQL (only our own statement names are), put a
 * password into an error message, copy the DETAIL of a server error into one
 * (it quotes the offending row, which may be personal data), or trust a length
 * that came from the server without checking it against the column's type.
 */
#include <libpq-fe.h>
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "core/store_driver.h"

/* Type OIDs from PostgreSQL's catalog/pg_type.dat; fixed since the 1990s. */
#define PG_OID_BOOL    16
#define PG_OID_BYTEA   17
#define PG_OID_CHAR    18
#define PG_OID_NAME    19
#define PG_OID_INT8    20
#define PG_OID_INT2    21
#define PG_OID_INT4    23
#define PG_OID_TEXT    25
#define PG_OID_OID     26
#define PG_OID_JSON    114
#define PG_OID_UNKNOWN 705
#define PG_OID_BPCHAR  1042
#define PG_OID_VARCHAR 1043
#define PG_OID_JSONB   3802

#define PG_FORMAT_TEXT   0
#define PG_FORMAT_BINARY 1

#define PG_NAME_MAX          32
#define PG_PENDING_MAX       4096 /* statement names waiting to be deallocated */
#define PG_CONNECT_TIMEOUT_S "10"
#define PG_MESSAGE_MAX       200
#define PG_URL_SHOWN_MAX     160
#define PG_URL_MAX           4096

/* Arbitrary but fixed forever: every hromada process takes this advisory lock
 * to migrate, so two of them starting at once apply each migration once. */
#define PG_MIGRATION_LOCK_SQL "SELECT pg_advisory_xact_lock(7242675010531489024)"

struct pg_store {
	struct store base; /* first: store.c casts between the two */
	PGconn *conn;
	unsigned long long next_statement; /* for unique statement names */
	/* DEALLOCATE cannot run inside a failed transaction: the names of statements
	 * freed then wait here until the transaction has ended. */
	char (*pending)[PG_NAME_MAX];
	size_t pending_count, pending_cap;
};

struct pg_stmt {
	struct store_stmt base; /* first */
	char name[PG_NAME_MAX];
	int param_count;
	char **values; /* owned copies, NULL = SQL NULL */
	int *lengths;  /* for binary parameters */
	int *formats;
	PGresult *result; /* NULL until executed */
	int row;          /* current row, -1 before the first */
	int rows;
};

static struct pg_store *as_store(struct store *store)
{
	return (struct pg_store *)store;
}

static const struct pg_store *as_const_store(const struct store *store)
{
	return (const struct pg_store *)store;
}

static struct pg_stmt *as_stmt(struct store_stmt *stmt)
{
	return (struct pg_stmt *)stmt;
}

static const struct pg_stmt *as_const_stmt(const struct store_stmt *stmt)
{
	return (const struct pg_stmt *)stmt;
}

/* ---- placeholder rewriting ---- */

static bool is_ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Length of a dollar-quote tag ($$ or $name$) starting at p, 0 if p starts none. */
static size_t dollar_tag_length(const char *p)
{
	size_t n = 1;

	if (p[1] == '$')
		return 2;
	if (!(isalpha((unsigned char)p[1]) || p[1] == '_' || (unsigned char)p[1] >= 0x80))
		return 0;
	while (is_ident_char((unsigned char)p[n]) && p[n] != '$')
		n++;
	return p[n] == '$' ? n + 1 : 0;
}

/* End of a quoted run that starts at sql[i] with quote q (one past the closing
 * quote, or the end of text). A doubled quote is an escaped one; in E'...'
 * strings a backslash escapes too. */
static size_t skip_quoted(const char *sql, size_t i, char q, bool backslash)
{
	size_t j = i + 1;

	while (sql[j] != 0) {
		if (backslash && sql[j] == '\\' && sql[j + 1] != 0) {
			j += 2;
		} else if (sql[j] == q) {
			if (sql[j + 1] != q)
				return j + 1;
			j += 2;
		} else {
			j++;
		}
	}
	return j;
}

/* End of the comment or quoted run at sql[i], or i when none starts there. */
static size_t skip_opaque(const char *sql, size_t i)
{
	char c = sql[i];
	size_t tag;

	if (c == '\'') {
		bool backslash = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
				 (i < 2 || !is_ident_char((unsigned char)sql[i - 2]));
		return skip_quoted(sql, i, '\'', backslash);
	}
	if (c == '"')
		return skip_quoted(sql, i, '"', false);
	if (c == '-' && sql[i + 1] == '-')
		return i + strcspn(sql + i, "\n");
	if (c == '/' && sql[i + 1] == '*') {
		size_t j = i + 2, depth = 1; /* PostgreSQL's block comments nest */

		while (sql[j] != 0 && depth > 0) {
			if (sql[j] == '/' && sql[j + 1] == '*') {
				depth++;
				j += 2;
			} else if (sql[j] == '*' && sql[j + 1] == '/') {
				depth--;
				j += 2;
			} else {
				j++;
			}
		}
		return j;
	}
	if (c == '$' && (i == 0 || !is_ident_char((unsigned char)sql[i - 1])) &&
	    (tag = dollar_tag_length(sql + i)) > 0) {
		const char *end = sql + i + tag;

		for (;;) {
			end = strchr(end, '$');
			if (end == NULL)
				return i + strlen(sql + i);
			if (strncmp(end, sql + i, tag) == 0)
				return (size_t)(end - sql) + tag;
			end++;
		}
	}
	return i;
}

/*
 * One pass over sql; writes into out when out is not NULL. Returns the length of
 * the rewritten text, or (size_t)-1 with err set.
 */
static size_t rewrite_pass(const char *sql, char *out, int *count, struct hr_error *err)
{
	size_t i = 0, o = 0;
	bool ended = false;   /* a top-level ';' was seen */
	bool content = false; /* anything but blanks, comments and ';' */

	*count = 0;
	while (sql[i] != 0) {
		size_t end = skip_opaque(sql, i);
		bool comment = (sql[i] == '-' || sql[i] == '/') && end > i;

		if (ended && !comment && !isspace((unsigned char)sql[i]) && sql[i] != ';') {
			hr_error_set(err, HR_E_INVALID, STORE_STAGE,
				     "store_prepare takes one SQL statement, got more");
			return (size_t)-1;
		}
		if (!comment && !isspace((unsigned char)sql[i]) && sql[i] != ';')
			content = true;
		if (end > i) {
			if (out != NULL)
				memcpy(out + o, sql + i, end - i);
			o += end - i;
			i = end;
		} else if (sql[i] == '?') {
			char number[16];
			int n;

			if (*count >= STORE_PARAMS_MAX) {
				hr_error_set(err, HR_E_INVALID, STORE_STAGE,
					     "more than %d parameters in one statement",
					     STORE_PARAMS_MAX);
				return (size_t)-1;
			}
			(*count)++;
			n = snprintf(number, sizeof(number), "$%d", *count);
			if (out != NULL)
				memcpy(out + o, number, (size_t)n);
			o += (size_t)n;
			i++;
		} else {
			if (sql[i] == ';')
				ended = true;
			if (out != NULL)
				out[o] = sql[i];
			o++;
			i++;
		}
	}
	if (!content) {
		hr_error_set(err, HR_E_INVALID, STORE_STAGE, "no SQL statement to prepare");
		return (size_t)-1;
	}
	if (out != NULL)
		out[o] = 0;
	return o;
}

hr_status store_pg_rewrite_placeholders(const char *sql, char **out, int *count,
					struct hr_error *err)
{
	size_t len;
	char *text;

	*out = NULL;
	*count = 0;
	if ((len = rewrite_pass(sql, NULL, count, err)) == (size_t)-1)
		return HR_E_INVALID;
	if ((text = malloc(len + 1)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
	if (rewrite_pass(sql, text, count, err) != len) {
		free(text); /* cannot happen: the same text gives the same length */
		return hr_error_set(err, HR_E_STATE, STORE_STAGE, "placeholder rewrite disagreed");
	}
	*out = text;
	return HR_OK;
}

/* ---- errors ---- */

/* libpq messages span lines ("...failed\n\tIs the server running..."): make one. */
static void one_line(const char *text, char *out, size_t cap)
{
	size_t n = 0;
	bool space = false;

	for (const char *p = text ? text : ""; *p != 0 && n + 1 < cap; p++) {
		if (isspace((unsigned char)*p)) {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < cap)
			out[n++] = ' ';
		space = false;
		out[n++] = *p;
	}
	out[n] = 0;
}

static hr_status status_of_sqlstate(const char *state)
{
	if (state == NULL || strlen(state) != 5)
		return HR_E_DATABASE;
	if (strncmp(state, "23", 2) == 0) /* integrity constraint violation */
		return HR_E_CONFLICT;
	if (strcmp(state, "40001") == 0 || /* serialization_failure */
	    strcmp(state, "40P01") == 0 || /* deadlock_detected */
	    strcmp(state, "55P03") == 0)   /* lock_not_available */
		return HR_E_BUSY;
	if (strncmp(state, "08", 2) == 0 || /* connection exception */
	    strncmp(state, "57P0", 4) == 0) /* the server is shutting down */
		return HR_E_UNAVAILABLE;
	return HR_E_DATABASE;
}

/* Reports a failed call; res may be NULL (libpq could not even build a result). */
static hr_status pg_fail(PGconn *conn, const PGresult *res, const char *what, struct hr_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char message[PG_MESSAGE_MAX];
	hr_status status;

	if (PQstatus(conn) != CONNECTION_OK)
		status = HR_E_UNAVAILABLE;
	else if (res == NULL)
		status = HR_E_NOMEM;
	else
		status = status_of_sqlstate(state);
	one_line(primary ? primary : PQerrorMessage(conn), message, sizeof(message));
	if (state != NULL)
		return hr_error_set(err, status, STORE_STAGE, "postgresql: %s: %s (SQLSTATE %s)",
				    what, message, state);
	return hr_error_set(err, status, STORE_STAGE, "postgresql: %s: %s", what, message);
}

/* Runs SQL that needs no parameters; accepts any successful outcome. */
static hr_status pg_run(PGconn *conn, const char *sql, const char *what, PGresult **keep,
			struct hr_error *err)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	hr_status rc = HR_OK;

	if (keep != NULL)
		*keep = NULL;
	if (res == NULL ||
	    (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY))
		rc = pg_fail(conn, res, what, err);
	if (rc == HR_OK && keep != NULL)
		*keep = res;
	else
		PQclear(res);
	return rc;
}

/* ---- connections ---- */

/* Server NOTICEs ("table already exists, skipping") are expected and dropped;
 * a WARNING says something went wrong and is logged. */
static void pg_notice(void *arg, const PGresult *res)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	char message[PG_MESSAGE_MAX];

	(void)arg;
	if (severity == NULL || strcmp(severity, "WARNING") != 0)
		return;
	one_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), message, sizeof(message));
	log_warn("store.postgresql", "%s", message);
}

/*
 * Copies url into out without its schema= query parameter, whose value goes to
 * schema ("" when there is none). HR_E_INVALID for a schema that is not an
 * identifier, or given twice.
 */
static hr_status pg_take_schema(const char *url, char *out, size_t cap,
				char schema[STORE_IDENTIFIER_MAX + 1], struct hr_error *err)
{
	const char *query = strchr(url, '?'), *p;
	size_t used;

	schema[0] = 0;
	if (strlen(url) >= cap)
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
				    "the PostgreSQL URL is too long");
	if (query == NULL) {
		memcpy(out, url, strlen(url) + 1);
		return HR_OK;
	}
	used = (size_t)(query - url);
	memcpy(out, url, used);
	out[used] = 0;
	for (p = query + 1; *p;) {
		size_t n = strcspn(p, "&");

		if (n > 7 && strncmp(p, "schema=", 7) == 0) {
			size_t len = n - 7;
			bool ok = len <= STORE_IDENTIFIER_MAX && schema[0] == 0 &&
				  (isalpha((unsigned char)p[7]) || p[7] == '_');

			for (size_t i = 0; i < len && ok; i++)
				ok = isalnum((unsigned char)p[7 + i]) || p[7 + i] == '_';
			if (!ok)
				return hr_error_set(err, HR_E_INVALID, STORE_STAGE,
						    "schema= in a PostgreSQL URL takes one name of "
						    "letters, digits and _ (at most %d)",
						    STORE_IDENTIFIER_MAX);
			memcpy(schema, p + 7, len);
			schema[len] = 0;
		} else if (n > 0) {
			used += (size_t)snprintf(out + used, cap - used, "%c%.*s",
						 strchr(out, '?') ? '&' : '?', (int)n, p);
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return HR_OK;
}

/* Creates the schema when missing and makes it the connection's search_path.
 * The name was checked to be an identifier: quoted, it is safe in SQL. */
static hr_status pg_use_schema(PGconn *conn, const char *schema, struct hr_error *err)
{
	const char *params[1] = {schema};
	char sql[STORE_IDENTIFIER_MAX + 64];
	PGresult *res;
	bool exists;
	hr_status rc;

	/* Look before creating: CREATE SCHEMA IF NOT EXISTS needs the right to
	 * create even when the schema is there. */
	res = PQexecParams(conn, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, NULL, params,
			   NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_fail(conn, res, "schema", err);
		PQclear(res);
		return rc;
	}
	exists = PQntuples(res) > 0;
	PQclear(res);
	if (!exists) {
		snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS \"%s\"", schema);
		if ((rc = pg_run(conn, sql, "create schema", NULL, err)) != HR_OK)
			return rc;
	}
	snprintf(sql, sizeof(sql), "SET search_path TO \"%s\"", schema);
	return pg_run(conn, sql, "set search_path", NULL, err);
}

static hr_status pg_open(const char *url, struct store **out, struct hr_error *err)
{
	/* Defaults first, the URL after (expand_dbname): whatever the URL sets wins. */
	const char *keys[] = {"connect_timeout", "application_name", "options", "dbname", NULL};
	char libpq_url[PG_URL_MAX], schema[STORE_IDENTIFIER_MAX + 1];
	const char *values[] = {PG_CONNECT_TIMEOUT_S, "hromada", "-c client_min_messages=warning",
				libpq_url, NULL};
	char shown[PG_URL_SHOWN_MAX], message[PG_MESSAGE_MAX];
	PQconninfoOption *options;
	char *parse_error = NULL;
	struct pg_store *s;
	PGconn *conn;
	hr_status rc;

	*out = NULL;
	store_url_redact(url, shown, sizeof(shown));
	if ((rc = pg_take_schema(url, libpq_url, sizeof(libpq_url), schema, err)) != HR_OK)
		return rc;
	url = libpq_url;
	/* A malformed URL is the caller's mistake, not an unreachable server. */
	if ((options = PQconninfoParse(url, &parse_error)) == NULL) {
		/* libpq quotes the piece it could not parse, which may be the
		 * password itself ("invalid percent-encoded token"). */
		char bare[PG_URL_SHOWN_MAX];

		store_url_redact(url, bare, sizeof(bare));
		if (strcmp(bare, url) != 0)
			snprintf(message, sizeof(message),
				 "details withheld because the URL holds a password");
		else
			one_line(parse_error ? parse_error : "out of memory", message,
				 sizeof(message));
		PQfreemem(parse_error);
		return hr_error_set(err, HR_E_INVALID, STORE_STAGE, "invalid PostgreSQL URL %s: %s",
				    shown, message);
	}
	PQconninfoFree(options);

	if ((conn = PQconnectdbParams(keys, values, 1)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory for a connection");
	if (PQstatus(conn) != CONNECTION_OK) {
		one_line(PQerrorMessage(conn), message, sizeof(message));
		rc = hr_error_set(err, HR_E_UNAVAILABLE, STORE_STAGE,
				  "cannot connect to PostgreSQL at %s: %s", shown, message);
		PQfinish(conn);
		return rc;
	}
	PQsetNoticeReceiver(conn, pg_notice, NULL);
	if (schema[0] != 0 && (rc = pg_use_schema(conn, schema, err)) != HR_OK) {
		PQfinish(conn);
		return rc;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		PQfinish(conn);
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
	}
	s->conn = conn;
	*out = &s->base;
	return HR_OK;
}

static void pg_close(struct store *store)
{
	struct pg_store *s = as_store(store);

	PQfinish(s->conn); /* the server drops the session's prepared statements */
	free(s->pending);
	free(s);
}

/* DEALLOCATEs what had to wait, once the connection can run statements again. */
static void pg_drain_pending(struct pg_store *s)
{
	char sql[PG_NAME_MAX + 16];

	if (PQstatus(s->conn) != CONNECTION_OK || PQtransactionStatus(s->conn) == PQTRANS_INERROR)
		return;
	while (s->pending_count > 0) {
		s->pending_count--;
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->pending[s->pending_count]);
		if (pg_run(s->conn, sql, "deallocate", NULL, NULL) != HR_OK)
			log_warn("store.postgresql", "could not deallocate statement %s",
				 s->pending[s->pending_count]);
	}
}

static void pg_deallocate(struct pg_store *s, const char *name)
{
	char sql[PG_NAME_MAX + 16];

	if (PQstatus(s->conn) != CONNECTION_OK)
		return; /* the session, and its statements, are gone */
	if (PQtransactionStatus(s->conn) == PQTRANS_INERROR) {
		if (s->pending_count == s->pending_cap) {
			size_t cap = s->pending_cap ? s->pending_cap * 2 : 8;
			char(*grown)[PG_NAME_MAX];

			if (cap > PG_PENDING_MAX ||
			    (grown = realloc(s->pending, cap * sizeof(*grown))) == NULL) {
				/* Closing the connection frees them all; better than leaking. */
				s->base.broken = true;
				return;
			}
			s->pending = grown;
			s->pending_cap = cap;
		}
		snprintf(s->pending[s->pending_count++], PG_NAME_MAX, "%s", name);
		return;
	}
	/* name is ours ("hr_" and digits), never input: safe to put in SQL. */
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", name);
	if (pg_run(s->conn, sql, "deallocate", NULL, NULL) != HR_OK)
		log_warn("store.postgresql", "could not deallocate statement %s", name);
}

static hr_status pg_exec(struct store *store, const char *sql, struct hr_error *err)
{
	return pg_run(as_store(store)->conn, sql, "exec", NULL, err);
}

static hr_status pg_begin(struct store *store, struct hr_error *err)
{
	return pg_run(as_store(store)->conn, "BEGIN", "begin", NULL, err);
}

static hr_status pg_commit(struct store *store, struct hr_error *err)
{
	struct pg_store *s = as_store(store);
	PGresult *res;
	hr_status rc;

	if ((rc = pg_run(s->conn, "COMMIT", "commit", &res, err)) != HR_OK)
		return rc;
	/* COMMIT of a transaction that an error aborted "succeeds" by rolling back.
	 * SQLite would have committed the statements that did succeed; say so
	 * loudly rather than let the caller believe its writes are in. */
	if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		rc = hr_error_set(err, HR_E_DATABASE, STORE_STAGE,
				  "postgresql: commit: the transaction had failed and was rolled "
				  "back instead");
	PQclear(res);
	pg_drain_pending(s);
	return rc;
}

static hr_status pg_rollback(struct store *store, struct hr_error *err)
{
	struct pg_store *s = as_store(store);
	hr_status rc = pg_run(s->conn, "ROLLBACK", "rollback", NULL, err);

	pg_drain_pending(s);
	return rc;
}

static bool pg_in_transaction(const struct store *store)
{
	PGTransactionStatusType st = PQtransactionStatus(as_const_store(store)->conn);

	return st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

static bool pg_healthy(const struct store *store)
{
	return PQstatus(as_const_store(store)->conn) == CONNECTION_OK;
}

/* ---- statements ---- */

static void pg_stmt_clear(struct pg_stmt *s)
{
	if (s->values != NULL)
		for (int i = 0; i < s->param_count; i++)
			free(s->values[i]);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	PQclear(s->result);
	free(s);
}

static hr_status pg_prepare(struct store *store, const char *sql, struct store_stmt **out,
			    struct hr_error *err)
{
	struct pg_store *ps = as_store(store);
	struct pg_stmt *s;
	char *rewritten = NULL;
	size_t slots;
	PGresult *res;
	hr_status rc;

	*out = NULL;
	pg_drain_pending(ps);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
	s->row = -1;
	if ((rc = store_pg_rewrite_placeholders(sql, &rewritten, &s->param_count, err)) != HR_OK)
		goto fail;
	slots = s->param_count > 0 ? (size_t)s->param_count : 1;
	if ((s->values = calloc(slots, sizeof(*s->values))) == NULL ||
	    (s->lengths = calloc(slots, sizeof(*s->lengths))) == NULL ||
	    (s->formats = calloc(slots, sizeof(*s->formats))) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
		goto fail;
	}
	snprintf(s->name, sizeof(s->name), "hr_%llu", ps->next_statement++);
	/* No parameter types: the server infers them from where they are used. */
	res = PQprepare(ps->conn, s->name, rewritten, s->param_count, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = pg_fail(ps->conn, res, "prepare", err);
		PQclear(res);
		goto fail;
	}
	PQclear(res);
	free(rewritten);
	*out = &s->base;
	return HR_OK;
fail:
	free(rewritten);
	pg_stmt_clear(s);
	return rc;
}

static void pg_stmt_free(struct store_stmt *stmt)
{
	struct pg_stmt *s = as_stmt(stmt);

	pg_deallocate(as_store(stmt->store), s->name);
	pg_stmt_clear(s);
}

static int pg_param_count(const struct store_stmt *stmt)
{
	return as_const_stmt(stmt)->param_count;
}

/* Takes ownership of value (NULL = SQL NULL). */
static void pg_set_param(struct pg_stmt *s, int index, char *value, int length, int format)
{
	free(s->values[index - 1]);
	s->values[index - 1] = value;
	s->lengths[index - 1] = length;
	s->formats[index - 1] = format;
}

static hr_status pg_bind_int64(struct store_stmt *stmt, int index, int64_t value)
{
	char *text = malloc(24);

	if (text == NULL)
		return HR_E_NOMEM;
	snprintf(text, 24, "%" PRId64, value);
	pg_set_param(as_stmt(stmt), index, text, 0, PG_FORMAT_TEXT);
	return HR_OK;
}

static hr_status pg_bind_text(struct store_stmt *stmt, int index, const char *value, size_t len)
{
	char *copy;

	/* Text parameters travel NUL-terminated; store.c refused embedded NULs. */
	if (len > INT_MAX - 1)
		return HR_E_TOO_LARGE;
	if ((copy = malloc(len + 1)) == NULL)
		return HR_E_NOMEM;
	memcpy(copy, value, len);
	copy[len] = 0;
	pg_set_param(as_stmt(stmt), index, copy, 0, PG_FORMAT_TEXT);
	return HR_OK;
}

static hr_status pg_bind_blob(struct store_stmt *stmt, int index, const void *value, size_t len)
{
	char *copy;

	if (len > INT_MAX - 1)
		return HR_E_TOO_LARGE;
	if ((copy = malloc(len + 1)) == NULL)
		return HR_E_NOMEM;
	memcpy(copy, value, len);
	pg_set_param(as_stmt(stmt), index, copy, (int)len, PG_FORMAT_BINARY);
	return HR_OK;
}

static hr_status pg_bind_null(struct store_stmt *stmt, int index)
{
	pg_set_param(as_stmt(stmt), index, NULL, 0, PG_FORMAT_TEXT);
	return HR_OK;
}

/* PQcmdTuples as a number; "" (no count) is 0. */
static int64_t pg_changed_rows(PGresult *res)
{
	const char *status = PQcmdStatus(res);
	const char *tuples = PQcmdTuples(res);
	int64_t n = 0;

	/* A SELECT reports its row count too; only writes count as changes. */
	if (strncmp(status, "INSERT", 6) != 0 && strncmp(status, "UPDATE", 6) != 0 &&
	    strncmp(status, "DELETE", 6) != 0 && strncmp(status, "MERGE", 5) != 0)
		return 0;
	for (const char *p = tuples; *p != 0; p++) {
		if (!isdigit((unsigned char)*p) || n > (INT64_MAX - 9) / 10)
			return 0;
		n = n * 10 + (*p - '0');
	}
	return n;
}

static hr_status pg_execute(struct pg_stmt *s, struct hr_error *err)
{
	PGconn *conn = as_store(s->base.store)->conn;
	PGresult *res;
	ExecStatusType st;
	hr_status rc;

	res = PQexecPrepared(conn, s->name, s->param_count, (const char *const *)s->values,
			     s->lengths, s->formats, PG_FORMAT_BINARY);
	st = PQresultStatus(res);
	if (res == NULL || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) {
		rc = pg_fail(conn, res, "step", err);
		PQclear(res);
		return rc;
	}
	s->result = res;
	s->row = -1;
	s->rows = st == PGRES_TUPLES_OK ? PQntuples(res) : 0;
	if (s->rows < 0)
		s->rows = 0;
	s->base.changes = pg_changed_rows(res);
	return HR_OK;
}

static hr_status pg_step(struct store_stmt *stmt, bool *has_row, struct hr_error *err)
{
	struct pg_stmt *s = as_stmt(stmt);
	hr_status rc;

	*has_row = false;
	if (s->result == NULL && (rc = pg_execute(s, err)) != HR_OK)
		return rc;
	if (s->row < s->rows)
		s->row++;
	*has_row = s->row < s->rows;
	return HR_OK;
}

static void pg_reset(struct store_stmt *stmt)
{
	struct pg_stmt *s = as_stmt(stmt);

	PQclear(s->result);
	s->result = NULL;
	s->row = -1;
	s->rows = 0;
}

static void pg_unbind(struct store_stmt *stmt)
{
	struct pg_stmt *s = as_stmt(stmt);

	for (int i = 1; i <= s->param_count; i++)
		pg_set_param(s, i, NULL, 0, PG_FORMAT_TEXT);
}

static int pg_column_count(const struct store_stmt *stmt)
{
	const struct pg_stmt *s = as_const_stmt(stmt);

	return s->result ? PQnfields(s->result) : 0;
}

/* The current row's value of column, or NULL when there is none (SQL NULL,
 * no row, bad column). *len is the length the server sent, checked >= 0. */
static const char *pg_value(const struct pg_stmt *s, int column, Oid *type, size_t *len)
{
	int n;

	if (s->result == NULL || s->row < 0 || s->row >= s->rows || column < 0 ||
	    column >= PQnfields(s->result) || PQgetisnull(s->result, s->row, column))
		return NULL;
	if ((n = PQgetlength(s->result, s->row, column)) < 0)
		return NULL;
	*type = PQftype(s->result, column);
	*len = (size_t)n;
	return PQgetvalue(s->result, s->row, column);
}

static bool pg_column_is_null(const struct store_stmt *stmt, int column)
{
	const struct pg_stmt *s = as_const_stmt(stmt);

	if (s->result == NULL || s->row < 0 || s->row >= s->rows || column < 0 ||
	    column >= PQnfields(s->result))
		return true;
	return PQgetisnull(s->result, s->row, column) != 0;
}

/* A big-endian two's-complement integer of n bytes (1..8), sign-extended. */
static int64_t big_endian_int(const unsigned char *p, size_t n, bool is_signed)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (is_signed && n < 8 && (p[0] & 0x80))
		v |= UINT64_MAX << (8 * n);
	/* Converting back without implementation-defined behaviour. */
	if (v <= (uint64_t)INT64_MAX)
		return (int64_t)v;
	return -(int64_t)(~v) - 1;
}

static int64_t pg_column_int64(const struct store_stmt *stmt, int column)
{
	const unsigned char *p;
	size_t len = 0;
	Oid type = 0;

	p = (const unsigned char *)pg_value(as_const_stmt(stmt), column, &type, &len);
	if (p == NULL)
		return 0;
	switch (type) {
	case PG_OID_INT2:
		return len == 2 ? big_endian_int(p, 2, true) : 0;
	case PG_OID_INT4:
		return len == 4 ? big_endian_int(p, 4, true) : 0;
	case PG_OID_INT8:
		return len == 8 ? big_endian_int(p, 8, true) : 0;
	case PG_OID_OID:
		return len == 4 ? big_endian_int(p, 4, false) : 0;
	case PG_OID_BOOL:
		return len == 1 ? p[0] != 0 : 0;
	default:
		return 0; /* not an integer: see the file comment */
	}
}

static bool is_text_type(Oid type)
{
	switch (type) {
	case PG_OID_TEXT:
	case PG_OID_VARCHAR:
	case PG_OID_BPCHAR:
	case PG_OID_NAME:
	case PG_OID_CHAR:
	case PG_OID_JSON:
	case PG_OID_JSONB:
	case PG_OID_UNKNOWN:
		return true;
	default:
		return false;
	}
}

/* Binary text is the bytes themselves; binary jsonb is a version byte (1) first. */
static const char *pg_text_bytes(const struct store_stmt *stmt, int column, size_t *len)
{
	const char *p;
	size_t n = 0;
	Oid type = 0;

	if ((p = pg_value(as_const_stmt(stmt), column, &type, &n)) == NULL || !is_text_type(type))
		return NULL;
	if (type == PG_OID_JSONB) {
		if (n < 1 || p[0] != 1)
			return NULL;
		p++;
		n--;
	}
	if (len != NULL)
		*len = n;
	return p;
}

static const char *pg_column_text(const struct store_stmt *stmt, int column, size_t *len)
{
	/* libpq terminates every value with a NUL, binary ones included. */
	return pg_text_bytes(stmt, column, len);
}

static const void *pg_column_blob(const struct store_stmt *stmt, int column, size_t *len)
{
	const char *p;
	size_t n = 0;
	Oid type = 0;

	if ((p = pg_value(as_const_stmt(stmt), column, &type, &n)) == NULL)
		return NULL;
	if (type != PG_OID_BYTEA)
		return pg_text_bytes(stmt, column, len); /* text reads as bytes; nothing else */
	if (len != NULL)
		*len = n;
	return p;
}

/* ---- bulk loading: COPY ... FROM STDIN, text format ---- */

#define PG_COPY_FLUSH_BYTES (256 * 1024) /* rows are sent in chunks of about this */

struct pg_copy {
	struct store_copy base; /* first */
	char *data;             /* rows not yet handed to libpq */
	size_t len, cap;
	bool in_copy; /* the server is in COPY IN state */
};

/*
 * The result of a COPY that ended (or broke off): the first error, if any.
 * Reads results until libpq has none left, so the connection is usable again.
 */
static hr_status pg_copy_results(PGconn *conn, const char *what, struct hr_error *err)
{
	hr_status rc = HR_OK;
	PGresult *res;

	while ((res = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_COPY_IN) {
			/* Still copying (we got here after a send error): end it. */
			PQclear(res);
			if (PQputCopyEnd(conn, "copy abandoned by the client") != 1) {
				if (rc == HR_OK)
					rc = pg_fail(conn, NULL, what, err);
				break;
			}
			continue;
		}
		if (st != PGRES_COMMAND_OK && rc == HR_OK)
			rc = pg_fail(conn, res, what, err);
		PQclear(res);
	}
	if (rc == HR_OK && PQstatus(conn) != CONNECTION_OK)
		rc = pg_fail(conn, NULL, what, err);
	return rc;
}

static hr_status pg_copy_flush(struct pg_copy *c, struct hr_error *err)
{
	PGconn *conn = as_store(c->base.store)->conn;

	if (c->len == 0)
		return HR_OK;
	/* A blocking connection: 1 or -1, never 0. */
	if (PQputCopyData(conn, c->data, (int)c->len) != 1) {
		hr_status rc;

		/* The server may have refused the data already: its error says why. */
		c->in_copy = false;
		rc = pg_copy_results(conn, "copy", err);
		return rc != HR_OK ? rc : pg_fail(conn, NULL, "copy", err);
	}
	c->len = 0;
	return HR_OK;
}

static hr_status pg_copy_begin(struct store *store, const char *table, const char *const *columns,
			       size_t count, struct store_copy **out, struct hr_error *err)
{
	PGconn *conn = as_store(store)->conn;
	struct pg_copy *c;
	size_t cap, used;
	PGresult *res;
	char *sql;
	hr_status rc;

	*out = NULL;
	pg_drain_pending(as_store(store));
	cap = 64 + 2 * STORE_IDENTIFIER_MAX + count * (STORE_IDENTIFIER_MAX + 4);
	if ((sql = malloc(cap)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
	/* Names were checked to be identifiers by store.c: safe in SQL. */
	used = (size_t)snprintf(sql, cap, "COPY %s (", table);
	for (size_t i = 0; i < count; i++)
		used += (size_t)snprintf(sql + used, cap - used, "%s%s", i ? ", " : "", columns[i]);
	snprintf(sql + used, cap - used, ") FROM STDIN");
	res = PQexec(conn, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = pg_fail(conn, res, "copy", err);
		PQclear(res);
		(void)pg_copy_results(conn, "copy", NULL);
		return rc;
	}
	PQclear(res);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->data = malloc(PG_COPY_FLUSH_BYTES + 4096)) == NULL) {
		free(c);
		PQputCopyEnd(conn, "out of memory in the client");
		(void)pg_copy_results(conn, "copy", NULL);
		return hr_error_set(err, HR_E_NOMEM, STORE_STAGE, "out of memory");
	}
	c->cap = PG_COPY_FLUSH_BYTES + 4096;
	c->in_copy = true;
	*out = &c->base;
	return HR_OK;
}

/* Room for n more bytes in c->data, growing it for a row longer than the chunk. */
static hr_status pg_copy_reserve(struct pg_copy *c, size_t n)
{
	char *grown;
	size_t cap;

	if (c->cap - c->len >= n)
		return HR_OK;
	if (n > (size_t)INT_MAX - c->len)
		return HR_E_TOO_LARGE; /* PQputCopyData takes an int */
	cap = c->len + n;
	if ((grown = realloc(c->data, cap)) == NULL)
		return HR_E_NOMEM;
	c->data = grown;
	c->cap = cap;
	return HR_OK;
}

/*
 * COPY's text format: columns separated by a tab, rows ended by a newline, \N
 * for NULL, and in values a backslash, tab, newline or carriage return written
 * as \\, \t, \n, \r (PostgreSQL documentation, COPY, "Text Format"). Nothing
 * else needs escaping: every other byte, "\." included once its backslash is
 * doubled, is taken as it is.
 */
static char *pg_copy_escape(char *out, const char *value, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = value[i];

		switch (ch) {
		case '\\':
			*out++ = '\\';
			*out++ = '\\';
			break;
		case '\t':
			*out++ = '\\';
			*out++ = 't';
			break;
		case '\n':
			*out++ = '\\';
			*out++ = 'n';
			break;
		case '\r':
			*out++ = '\\';
			*out++ = 'r';
			break;
		default:
			*out++ = ch;
		}
	}
	return out;
}

static hr_status pg_copy_row(struct store_copy *copy, const char *const *values, const size_t *lens,
			     struct hr_error *err)
{
	struct pg_copy *c = (struct pg_copy *)copy;
	size_t need = 0;
	hr_status rc;
	char *out;

	/* At worst every byte doubles; plus separators and \N. */
	for (size_t i = 0; i < copy->columns; i++) {
		if (lens[i] > (size_t)INT_MAX / 2)
			return hr_error_set(err, HR_E_TOO_LARGE, STORE_STAGE,
					    "copy: a value of %zu bytes is too large", lens[i]);
		need += values[i] ? 2 * lens[i] + 1 : 3;
		if (need > (size_t)INT_MAX)
			return hr_error_set(err, HR_E_TOO_LARGE, STORE_STAGE,
					    "copy: a row is too large");
	}
	if ((rc = pg_copy_reserve(c, need)) != HR_OK)
		return hr_error_set(err, rc, STORE_STAGE, "copy: no memory for a row of %zu bytes",
				    need);
	out = c->data + c->len;
	for (size_t i = 0; i < copy->columns; i++) {
		if (values[i] == NULL) {
			memcpy(out, "\\N", 2);
			out += 2;
		} else {
			out = pg_copy_escape(out, values[i], lens[i]);
		}
		*out++ = i + 1 < copy->columns ? '\t' : '\n';
	}
	c->len = (size_t)(out - c->data);
	if (c->len >= PG_COPY_FLUSH_BYTES)
		return pg_copy_flush(c, err);
	return HR_OK;
}

static hr_status pg_copy_finish(struct store_copy *copy, struct hr_error *err)
{
	struct pg_copy *c = (struct pg_copy *)copy;
	PGconn *conn = as_store(copy->store)->conn;
	hr_status rc;

	if ((rc = pg_copy_flush(c, err)) != HR_OK)
		return rc;
	c->in_copy = false;
	if (PQputCopyEnd(conn, NULL) != 1) {
		rc = pg_fail(conn, NULL, "copy", err);
		(void)pg_copy_results(conn, "copy", NULL);
		return rc;
	}
	return pg_copy_results(conn, "copy", err);
}

static void pg_copy_cancel(struct store_copy *copy)
{
	struct pg_copy *c = (struct pg_copy *)copy;
	PGconn *conn = as_store(copy->store)->conn;

	if (!c->in_copy || PQstatus(conn) != CONNECTION_OK)
		return;
	c->in_copy = false;
	/* The server answers with an error, which is the point: drop it. */
	if (PQputCopyEnd(conn, "copy cancelled by the client") == 1)
		(void)pg_copy_results(conn, "copy", NULL);
}

static void pg_copy_free(struct store_copy *copy)
{
	struct pg_copy *c = (struct pg_copy *)copy;

	free(c->data);
	free(c);
}

const struct store_driver store_postgres_driver = {
    .name = "postgresql",
    .dialect = STORE_POSTGRES,
    .migration_lock_sql = PG_MIGRATION_LOCK_SQL,
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .healthy = pg_healthy,
    .prepare = pg_prepare,
    .stmt_free = pg_stmt_free,
    .param_count = pg_param_count,
    .bind_int64 = pg_bind_int64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .reset = pg_reset,
    .unbind = pg_unbind,
    .column_count = pg_column_count,
    .column_is_null = pg_column_is_null,
    .column_int64 = pg_column_int64,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
    .copy_begin = pg_copy_begin,
    .copy_row = pg_copy_row,
    .copy_finish = pg_copy_finish,
    .copy_cancel = pg_copy_cancel,
    .copy_free = pg_copy_free,
};
