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
 *	person_links(alias, person)
 *	  another country's id under which this registry knows one of its people:
 *	  a residence permit's holder's national id at home (UA:RNOKPP of a
 *	  Ukrainian holding a Polish permit under PL:PESEL). Primary key
 *	  (alias, person): an alias's people are one index range.
 *
 *	status_changes(seq, document_number, status, reason, at)
 *	  every change of a document's status made through the registry's services
 *	  (report-lost, suspend, reinstate), in the order they were committed: seq
 *	  is 1, 2, 3, ... without gaps, taken under a lock that is held to the
 *	  commit (status_change_counter), so a reader following seq never skips a
 *	  change that commits after it has read past its number.
 *
 *	document_history(document_number, valid_from, valid_to, fields)
 *	  the earlier versions of a document's fields: fields as they were from
 *	  valid_from until valid_to ("YYYY-MM-DD", valid_to the day they changed),
 *	  an address before its holder moved. The document's current fields have
 *	  held since the latest valid_to (or its issue date). Leak analysis dates
 *	  a dump by them (docs/LEAKS.md "Vintage"); the exchanges never read them.
 *	  Primary key (document_number, valid_from): a document's versions are one
 *	  index range.
 *
 * The population generator loads rows through registry_store_load and
 * registry_store_load_links (PostgreSQL COPY, or prepared inserts in large
 * transactions on SQLite); the registry role reads and updates them. The first
 * migration also creates
 *	population(country, seed, people, documents, generator, as_of, loaded_at,
 *	           partner_people)
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

#define REGISTRY_REASON_MAX_CHARS 200 /* a suspension's reason, in characters */

extern const struct store_migration registry_migrations[];
extern const size_t registry_migration_count;

struct registry_record {
	const char *person;
	const char *document_number;
	const char *status;
	const char *fields; /* JSON object text */
	int64_t updated_at;
};

struct registry_link {
	const char *alias;  /* another country's id: "UA:3012345670" */
	const char *person; /* the registry's own id of the same person: "PL:90010112345" */
};

struct registry_version {
	const char *document_number;
	const char *valid_from; /* "YYYY-MM-DD" */
	const char *valid_to;   /* "YYYY-MM-DD": the day the fields changed */
	const char *fields;     /* JSON object text, as documents.fields */
};

/* Appends records in one transaction (COPY on PostgreSQL). Stage "registry". */
hr_status registry_store_load(struct store *store, const struct registry_record *records,
			      size_t count, struct hr_error *err);
/* Appends links in one transaction, the same way. Stage "registry". */
hr_status registry_store_load_links(struct store *store, const struct registry_link *links,
				    size_t count, struct hr_error *err);

/* Appends earlier versions of documents, the same way. Stage "registry". */
hr_status registry_store_load_history(struct store *store, const struct registry_version *versions,
				      size_t count, struct hr_error *err);

/*
 * Appends a status change to the log and gives its sequence number. Call it
 * inside the transaction that makes the change: the log then holds a change
 * exactly when the change was committed. reason may be NULL. Stage "registry".
 */
hr_status registry_store_log_change(struct store *store, const char *document_number,
				    const char *status, const char *reason, int64_t at,
				    int64_t *seq, struct hr_error *err);

struct registry_change {
	int64_t seq;
	char document_number[33];
	char status[16];
	int64_t at; /* seconds since the epoch */
};

/* The changes after since (0: from the first), at most limit of them, in seq
 * order, into out (room for limit); *count how many. Stage "registry". */
hr_status registry_store_changes(struct store *store, int64_t since, size_t limit,
				 struct registry_change *out, size_t *count, struct hr_error *err);

#endif
