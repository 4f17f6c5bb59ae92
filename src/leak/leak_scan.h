/*
 * leak_scan.h — reading leaked dumps against the registries' index and
 * saying what they are (DESIGN.md §5 `leakscan`, docs/LEAKS.md "Reading a
 * report").
 *
 * Each row is placed by its identifier — a person id (RNOKPP, PESEL) or,
 * without one, a document number — in one class:
 *	real          the person exists and every field compared agrees
 *	outdated      the person exists and the address is one they have left
 *	              (the registries' history knows it), the rest agrees
 *	altered       the person exists, but a field agrees with no version
 *	fabricated    the identifier does not exist, or its check digit is wrong
 *	unidentified  no identifier the platform knows
 * Vintage: a current address of someone who moved shows the row is newer
 * than the move; a former address, older than it; a document's issue day,
 * newer than that. The window is where 99.5% of the evidence agrees.
 *
 * Memory stays flat: per row only counters and two day histograms grow; the
 * dump streams through dump_reader.
 */
#ifndef HROMADA_LEAK_LEAK_SCAN_H
#define HROMADA_LEAK_LEAK_SCAN_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include <hromada/status.h>

#include "leak/dump_reader.h"
#include "leak/leak_index.h"

struct leak_scan;

struct leak_scan_options {
	const struct leak_index *index;
	/* The members canaries were planted for: ordinal k (1-based, as the
	 * index's person flags carry it) is members[k - 1]. */
	const char *const *canary_members;
	size_t canary_member_count;
	/* Called for every row whose person id names a person of the index,
	 * with the canonical id ("UA:3012345678"); may be NULL. */
	void (*on_person)(void *context, const char *person);
	/* Called about every 64 Ki rows with the bytes read of the dump; may be NULL. */
	void (*progress)(void *context, uint64_t rows, uint64_t bytes);
	void *context;
};

hr_status leak_scan_new(const struct leak_scan_options *o, struct leak_scan **out,
			struct hr_error *err);
void leak_scan_free(struct leak_scan *s);

/* Reads one dump (in stays the caller's); name is what the report calls it.
 * A malformed row ends the dump with its line in err; what was read counts.
 * Stage "leak". */
hr_status leak_scan_dump(struct leak_scan *s, FILE *in, const char *name,
			 const struct dump_options *o, struct hr_error *err);

/* The report so far (DESIGN.md §5); caller decrefs. NULL when out of memory. */
json_t *leak_scan_report(const struct leak_scan *s);
/* The report as text for a terminal: what it found and what it means. */
void leak_scan_print(const json_t *report, FILE *out);

/* The dump's fields the platform holds and those it never held, by report
 * name ("family_name", "password"), for the range service's entries. */
json_t *leak_scan_fields(const struct leak_scan *s);

#endif
