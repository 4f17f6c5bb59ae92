/*
 * registry_store.c — the schema of a registry's records and their bulk loading
 * (registry_store.h).
 *
 * One row per document, keyed by (person, document_number) so that the
 * registry's everyday question, "which documents does this person hold?", is one
 * range of the primary key. On SQLite the table is WITHOUT ROWID: the rows live
 * in the primary key's B-tree itself, with no second index to keep in step. On
 * PostgreSQL fields is JSON: the server checks every document is JSON as it
 * arrives, and a query can still reach into it (fields::jsonb ->> 'plate').
 * JSONB would cost its conversion on every row loaded: a million Ukrainians
 * took 23 s to COPY into JSONB and 14 s into JSON. The key columns sort
 * bytewise (COLLATE "C") as SQLite's do: both databases list a person's
 * documents in the same order, and no locale's rules slow the index down.
 *
 * The population table records what the population generator loaded (country,
 * seed, size, generator version, as-of date, the other country's size), so that
 * a second `hromada up` on the same state directory can tell its population is
 * already there.
 *
 * person_links holds the few aliases a registry knows (a residence permit
 * holder's id in their own country): a table of its own rather than a column of
 * documents, so a lookup by the registry's own ids stays one range of the
 * documents' primary key, and only a lookup by another country's id pays for a
 * second range.
 *
 * The status change log is numbered by a counter row that every writer updates
 * before it inserts: the row lock (PostgreSQL) or the write lock (SQLite's BEGIN
 * IMMEDIATE) is held to the commit, so numbers are given in commit order, with
 * no gaps. A sequence or an identity column would not do: PostgreSQL hands out
 * their numbers at insert, so change 8 could commit before change 7, and a
 * reader that saw 8 would never see 7. Status changes are rare (people report a
 * document lost, an officer suspends one): serialising them costs nothing.
 *
 * Never: load a record that is not bound or copied as a value (rows travel
 * through store_copy_*, which never pastes them into SQL).
 */
#include "registry/registry_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

#define STAGE "registry"

#define DOCUMENTS_STATUS_CHECK "CHECK (status IN ('valid', 'suspended', 'expired', 'lost'))"

const struct store_migration registry_migrations[] = {
    {
	1,
	"documents and population",
	"CREATE TABLE documents ("
	" person TEXT NOT NULL,"
	" document_number TEXT NOT NULL,"
	" status TEXT NOT NULL " DOCUMENTS_STATUS_CHECK ","
	" fields TEXT NOT NULL,"
	" updated_at BIGINT NOT NULL,"
	" PRIMARY KEY (person, document_number)"
	") WITHOUT ROWID;"
	"CREATE TABLE population ("
	" country TEXT NOT NULL,"
	" seed TEXT NOT NULL,"
	" people BIGINT NOT NULL,"
	" documents BIGINT NOT NULL,"
	" generator INTEGER NOT NULL,"
	" as_of TEXT NOT NULL,"
	" loaded_at BIGINT NOT NULL"
	");",
	"CREATE TABLE documents ("
	" person TEXT COLLATE \"C\" NOT NULL,"
	" document_number TEXT COLLATE \"C\" NOT NULL,"
	" status TEXT NOT NULL " DOCUMENTS_STATUS_CHECK ","
	" fields JSON NOT NULL,"
	" updated_at BIGINT NOT NULL,"
	" PRIMARY KEY (person, document_number)"
	");"
	"CREATE TABLE population ("
	" country TEXT NOT NULL,"
	" seed TEXT NOT NULL,"
	" people BIGINT NOT NULL,"
	" documents BIGINT NOT NULL,"
	" generator INTEGER NOT NULL,"
	" as_of TEXT NOT NULL,"
	" loaded_at BIGINT NOT NULL"
	");",
    },
    /* status checks and report-lost find a document by its number alone. The
     * population loader drops it for a bulk load and builds it again after
     * (REGISTRY_NUMBER_INDEX): one sort instead of millions of random inserts. */
    {2, "documents by number", REGISTRY_NUMBER_INDEX_SQL, NULL},
    /* other countries' ids of the registry's people (cross-border residents),
     * and the size of the other country's population they were drawn from */
    {
	3,
	"person links",
	"CREATE TABLE person_links ("
	" alias TEXT NOT NULL,"
	" person TEXT NOT NULL,"
	" PRIMARY KEY (alias, person)"
	") WITHOUT ROWID;"
	"ALTER TABLE population ADD COLUMN partner_people BIGINT NOT NULL DEFAULT 0",
	"CREATE TABLE person_links ("
	" alias TEXT COLLATE \"C\" NOT NULL,"
	" person TEXT COLLATE \"C\" NOT NULL,"
	" PRIMARY KEY (alias, person)"
	");"
	"ALTER TABLE population ADD COLUMN partner_people BIGINT NOT NULL DEFAULT 0",
    },
    /* the log of status changes and its counter (see the top of this file) */
    {
	4,
	"status changes",
	"CREATE TABLE status_changes ("
	" seq INTEGER PRIMARY KEY,"
	" document_number TEXT NOT NULL,"
	" status TEXT NOT NULL " DOCUMENTS_STATUS_CHECK ","
	" reason TEXT,"
	" at BIGINT NOT NULL"
	");"
	"CREATE TABLE status_change_counter ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" last BIGINT NOT NULL"
	");"
	"INSERT INTO status_change_counter (id, last) VALUES (1, 0)",
	"CREATE TABLE status_changes ("
	" seq BIGINT PRIMARY KEY,"
	" document_number TEXT COLLATE \"C\" NOT NULL,"
	" status TEXT NOT NULL " DOCUMENTS_STATUS_CHECK ","
	" reason TEXT,"
	" at BIGINT NOT NULL"
	");"
	"CREATE TABLE status_change_counter ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" last BIGINT NOT NULL"
	");"
	"INSERT INTO status_change_counter (id, last) VALUES (1, 0)",
    },
    /* earlier versions of documents' fields (see registry_store.h) */
    {
	5,
	"document history",
	"CREATE TABLE document_history ("
	" document_number TEXT NOT NULL,"
	" valid_from TEXT NOT NULL,"
	" valid_to TEXT NOT NULL,"
	" fields TEXT NOT NULL,"
	" PRIMARY KEY (document_number, valid_from)"
	") WITHOUT ROWID",
	"CREATE TABLE document_history ("
	" document_number TEXT COLLATE \"C\" NOT NULL,"
	" valid_from TEXT COLLATE \"C\" NOT NULL,"
	" valid_to TEXT COLLATE \"C\" NOT NULL,"
	" fields JSON NOT NULL,"
	" PRIMARY KEY (document_number, valid_from)"
	")",
    },
};

const size_t registry_migration_count =
    sizeof(registry_migrations) / sizeof(registry_migrations[0]);

static const char *const document_columns[] = {"person", "document_number", "status", "fields",
					       "updated_at"};

hr_status registry_store_load(struct store *store, const struct registry_record *records,
			      size_t count, struct hr_error *err)
{
	struct store_copy *copy;
	hr_status rc;

	if (count > 0 && records == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no records given");
	if ((rc = store_copy_begin(store, "documents", document_columns, 5, &copy, err)) != HR_OK)
		goto fail;
	for (size_t i = 0; i < count; i++) {
		const struct registry_record *r = &records[i];
		char updated_at[24];
		const char *values[5] = {r->person, r->document_number, r->status, r->fields,
					 updated_at};

		if (r->person == NULL || r->document_number == NULL || r->status == NULL ||
		    r->fields == NULL) {
			store_copy_abort(copy);
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "record %zu lacks its person, number, status or fields",
					    i);
		}
		snprintf(updated_at, sizeof(updated_at), "%" PRId64, r->updated_at);
		/* Errors latch in the copy: store_copy_end reports the first. */
		if (store_copy_row(copy, values, NULL, err) != HR_OK)
			break;
	}
	if ((rc = store_copy_end(copy, NULL, err)) != HR_OK)
		goto fail;
	return HR_OK;
fail:
	if (err != NULL) {
		snprintf(err->stage, sizeof(err->stage), "%s", STAGE);
		hr_error_prefix(err, "loading %zu documents", count);
	}
	return rc;
}

static const char *const link_columns[] = {"alias", "person"};

hr_status registry_store_load_links(struct store *store, const struct registry_link *links,
				    size_t count, struct hr_error *err)
{
	struct store_copy *copy;
	hr_status rc;

	if (count > 0 && links == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no links given");
	if ((rc = store_copy_begin(store, "person_links", link_columns, 2, &copy, err)) != HR_OK)
		goto fail;
	for (size_t i = 0; i < count; i++) {
		const char *values[2] = {links[i].alias, links[i].person};

		if (links[i].alias == NULL || links[i].person == NULL) {
			store_copy_abort(copy);
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "link %zu lacks its alias or person", i);
		}
		/* Errors latch in the copy: store_copy_end reports the first. */
		if (store_copy_row(copy, values, NULL, err) != HR_OK)
			break;
	}
	if ((rc = store_copy_end(copy, NULL, err)) != HR_OK)
		goto fail;
	return HR_OK;
fail:
	if (err != NULL) {
		snprintf(err->stage, sizeof(err->stage), "%s", STAGE);
		hr_error_prefix(err, "loading %zu person links", count);
	}
	return rc;
}

static const char *const history_columns[] = {"document_number", "valid_from", "valid_to",
					      "fields"};

hr_status registry_store_load_history(struct store *store, const struct registry_version *versions,
				      size_t count, struct hr_error *err)
{
	struct store_copy *copy;
	hr_status rc;

	if (count > 0 && versions == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no versions given");
	if ((rc = store_copy_begin(store, "document_history", history_columns, 4, &copy, err)) !=
	    HR_OK)
		goto fail;
	for (size_t i = 0; i < count; i++) {
		const struct registry_version *v = &versions[i];
		const char *values[4] = {v->document_number, v->valid_from, v->valid_to, v->fields};

		if (v->document_number == NULL || v->valid_from == NULL || v->valid_to == NULL ||
		    v->fields == NULL) {
			store_copy_abort(copy);
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "version %zu lacks its number, dates or fields", i);
		}
		/* Errors latch in the copy: store_copy_end reports the first. */
		if (store_copy_row(copy, values, NULL, err) != HR_OK)
			break;
	}
	if ((rc = store_copy_end(copy, NULL, err)) != HR_OK)
		goto fail;
	return HR_OK;
fail:
	if (err != NULL) {
		snprintf(err->stage, sizeof(err->stage), "%s", STAGE);
		hr_error_prefix(err, "loading %zu document versions", count);
	}
	return rc;
}

/* ---- the status change log ---- */

hr_status registry_store_log_change(struct store *store, const char *document_number,
				    const char *status, const char *reason, int64_t at,
				    int64_t *seq, struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	bool row = false;
	hr_status rc;

	/* the counter first: its lock orders every writer until its commit */
	if ((rc = store_prepare(store,
				"UPDATE status_change_counter SET last = last + 1 WHERE id = 1",
				&stmt, err)) != HR_OK ||
	    (rc = store_step(stmt, &row, err)) != HR_OK)
		goto done;
	if (store_changes(stmt) != 1) {
		rc =
		    hr_error_set(err, HR_E_DATABASE, STAGE, "the status change counter is missing");
		goto done;
	}
	store_stmt_free(stmt);
	if ((rc = store_prepare(store, "SELECT last FROM status_change_counter WHERE id = 1", &stmt,
				err)) != HR_OK ||
	    (rc = store_step(stmt, &row, err)) != HR_OK)
		goto done;
	if (!row) {
		rc =
		    hr_error_set(err, HR_E_DATABASE, STAGE, "the status change counter is missing");
		goto done;
	}
	*seq = store_column_int64(stmt, 0);
	store_stmt_free(stmt);
	if ((rc = store_prepare(
		 store,
		 "INSERT INTO status_changes (seq, document_number, status, reason, at) "
		 "VALUES (?, ?, ?, ?, ?)",
		 &stmt, err)) != HR_OK)
		goto done;
	if ((rc = store_bind_int64(stmt, 1, *seq)) != HR_OK ||
	    (rc = store_bind_text(stmt, 2, document_number, strlen(document_number))) != HR_OK ||
	    (rc = store_bind_text(stmt, 3, status, strlen(status))) != HR_OK ||
	    (rc = reason != NULL ? store_bind_text(stmt, 4, reason, strlen(reason))
				 : store_bind_null(stmt, 4)) != HR_OK ||
	    (rc = store_bind_int64(stmt, 5, at)) != HR_OK) {
		rc = hr_error_set(err, rc, STAGE, "cannot bind a status change");
		goto done;
	}
	rc = store_step(stmt, &row, err);
done:
	store_stmt_free(stmt);
	return rc;
}

/* A NOT NULL text column (never NULL; "" if the database says otherwise). */
static const char *text_of(struct store_stmt *stmt, int column)
{
	const char *text = store_column_text(stmt, column, NULL);

	return text != NULL ? text : "";
}

hr_status registry_store_changes(struct store *store, int64_t since, size_t limit,
				 struct registry_change *out, size_t *count, struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	bool row = false;
	hr_status rc;

	*count = 0;
	if ((rc = store_prepare(store,
				"SELECT seq, document_number, status, at FROM status_changes "
				"WHERE seq > ? ORDER BY seq LIMIT ?",
				&stmt, err)) != HR_OK)
		return rc;
	if ((rc = store_bind_int64(stmt, 1, since)) != HR_OK ||
	    (rc = store_bind_int64(stmt, 2, (int64_t)limit)) != HR_OK) {
		store_stmt_free(stmt);
		return hr_error_set(err, rc, STAGE, "cannot bind the change feed's range");
	}
	while (*count < limit && (rc = store_step(stmt, &row, err)) == HR_OK && row) {
		struct registry_change *c = &out[*count];

		c->seq = store_column_int64(stmt, 0);
		snprintf(c->document_number, sizeof(c->document_number), "%s", text_of(stmt, 1));
		snprintf(c->status, sizeof(c->status), "%s", text_of(stmt, 2));
		c->at = store_column_int64(stmt, 3);
		(*count)++;
	}
	store_stmt_free(stmt);
	return rc;
}
