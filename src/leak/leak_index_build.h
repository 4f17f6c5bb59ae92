/*
 * leak_index_build.h — filling leakscan's index (leak_index.h) from a
 * country's registries, SQLite or PostgreSQL (registry_store.h).
 *
 * Every registry gives its people (names, birth day, address) and its
 * documents; the ID card and residence permit registries give addresses and
 * their earlier versions (document_history), which date a dump. Rows are read
 * in pages of LEAK_BUILD_PAGE by primary key, so PostgreSQL never holds more
 * than a page in memory. Nothing read is kept in clear: each value is reduced
 * to its matching form and hashed at once.
 */
#ifndef HROMADA_LEAK_LEAK_INDEX_BUILD_H
#define HROMADA_LEAK_LEAK_INDEX_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/documents.h"
#include "leak/leak_index.h"

#define LEAK_BUILD_PAGE 20000

struct store;

struct leak_build_source {
	const char *country;                           /* "UA", "PL" */
	struct store *registries[DOCUMENT_TYPE_COUNT]; /* by document_types; NULL: absent */
	/* The canary member ordinal of a person id (1-based, leak_scan_options),
	 * 0 when not a canary; NULL: none are. */
	int (*canary_of)(void *context, const char *person);
	void *context;
	/* Called every page with the rows read so far; may be NULL. */
	void (*progress)(void *context, uint64_t rows);
};

/* Adds the country's people and documents to index. Stage "leak". */
hr_status leak_index_build(struct leak_index *index, const struct leak_build_source *source,
			   struct hr_error *err);

/* The text that says what a registry holds (its population row and schema),
 * appended to stamp for leak_index_save/load. Stage "leak". */
hr_status leak_index_stamp_registry(struct store *registry, char *stamp, size_t size,
				    struct hr_error *err);

/* Which document types the index keeps numbers of: those dumps carry. */
bool leak_index_keeps_type(int type);

#endif
