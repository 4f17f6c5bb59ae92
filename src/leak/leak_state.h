/*
 * leak_state.h — what leakscan needs of a state directory (`hromada up`'s
 * layout, DESIGN.md §5): each country's registries, its leak keys and canary
 * index (leak_tag.h), and the index of the registries, built on first use and
 * kept in STATE/leak/index.bin until the registries or the canaries change.
 *
 * The index's key, STATE/leak/index.key, is the analyst's: one index spans
 * every country of the state, so a dump mixing Ukrainians and Poles is read
 * once.
 */
#ifndef HROMADA_LEAK_LEAK_STATE_H
#define HROMADA_LEAK_LEAK_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "leak/leak_index.h"
#include "leak/leak_tag.h"

#define LEAK_STATE_COUNTRIES 2
#define LEAK_INDEX_FILE      "index.bin"
#define LEAK_INDEX_MEMBERS   "index-members.json" /* canary ordinals' members */

struct leak_state;

struct leak_state_options {
	const char *dir;
	bool rebuild; /* build the index even when the saved one is current */
	/* rows of the registries read while building; may be NULL */
	void (*progress)(void *context, uint64_t rows);
	void *context;
};

/* Opens the state: finds its countries, reads their keys and canary indexes,
 * loads the index or builds and saves it. Stage "leak". */
hr_status leak_state_open(const struct leak_state_options *o, struct leak_state **out,
			  struct hr_error *err);
void leak_state_free(struct leak_state *state);

const struct leak_index *leak_state_index(const struct leak_state *state);
/* Whether the index was built now (false: read from disk). */
bool leak_state_built(const struct leak_state *state);
/* The members canaries were planted for, by ordinal - 1 (leak_scan_options). */
const char *const *leak_state_canary_members(const struct leak_state *state, size_t *count);
/* The countries found ("UA", "PL"). */
size_t leak_state_countries(const struct leak_state *state, const char *out[LEAK_STATE_COUNTRIES]);

/* The audit log of the country's gateway (its directory), when the state has
 * one with a person key: the consumers' access histories. NULL otherwise. */
const char *leak_state_audit_dir(const struct leak_state *state, size_t country);
/* The person's hash as that gateway's audit log writes it (HMAC-SHA-256 under
 * its person.key); HR_E_NOT_FOUND without such a log. */
hr_status leak_state_audit_hash(const struct leak_state *state, size_t country, const char *person,
				uint8_t hash[32]);

/* The range tag of a person id under its country's range.key (leak_tag.h);
 * HR_E_NOT_FOUND when the state has no such country. */
hr_status leak_state_range_tag(const struct leak_state *state, const char *person,
			       char hex[LEAK_TAG_HEX_LEN + 1]);

#endif
