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
 * seed, size, generator version, as-of date), so that a second `hromada up` on the same
 * state directory can tell its population is already there.
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
