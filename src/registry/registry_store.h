/*
 * registry_store.h — the records a registry owns, in its store (SQLite or
 * PostgreSQL): one row per document, found by the person it belongs to.
 *
 *	documents(person, document_number, status, fields, updated_at)
 *	  person           "UA:3012345670" / "PL:90010112345" (DESIGN.md §3)
 *	  document_number  unique within the registry
 *	  status           valid | suspended | expired | lost
 *	  fields           the document's fields as a JSON object (docs/DOCUMENTS.md),
 *	                   without t, v and status
 *	  updated_at       seconds since the epoch
 *	primary key (person, document_number): a lookup by person is one index range.
 *
 * The population generator loads rows through registry_store_load (PostgreSQL
 * COPY, or prepared inserts in large transactions on SQLite); the registry role
 * reads and updates them. The same migration creates
 *	population(country, seed, people, documents, generator, loaded_at)
 * where the generator records what it loaded (src/platform/population_load.c).
 */
#ifndef HROMADA_REGISTRY_STORE_H
#define HROMADA_REGISTRY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/store.h"

/* The unique index on document_number (migration 2). */
#define REGISTRY_NUMBER_INDEX "documents_by_number"
#define REGISTRY_NUMBER_INDEX_SQL                                                                  \
	"CREATE UNIQUE INDEX IF NOT EXISTS " REGISTRY_NUMBER_INDEX " ON documents "                \
								   "(document_number)"

extern const struct store_migration registry_migrations[];
extern const size_t registry_migration_count;

struct registry_record {
	const char *person;
	const char *document_number;
	const char *status;
	const char *fields; /* JSON object text */
	int64_t updated_at;
};

/* Appends records in one transaction (COPY on PostgreSQL). Stage "registry". */
hr_status registry_store_load(struct store *store, const struct registry_record *records,
			      size_t count, struct hr_error *err);

#endif
