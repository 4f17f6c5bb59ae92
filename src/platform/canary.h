/*
 * canary.h — canary citizens and `hromada canary plant` (DESIGN.md §5 and §7,
 * docs/LEAKS.md "Canary citizens").
 *
 * A canary is a person of the synthetic population's own generator whom no
 * population ever loads: the j-th canary ever planted in a country is person
 * POPULATION_PEOPLE_MAX - 1 - j of that country's generator, with the seed and
 * as-of date its registries were loaded with, so its id, names, documents and
 * their earlier versions are made exactly like everyone's and pass every test
 * a consumer can run. Planting one for a member (a bank, the police):
 *
 *  1. reserves the next j in STATE/<C>/leak/canaries.state (never used twice);
 *  2. writes the canary's documents and their earlier versions into the
 *     country's eight registries, one transaction per registry, leaving the
 *     population table (the public count) as it was;
 *  3. serves the canary to the member through ordinary exchanges while
 *     `hromada up` runs: under a consent right, the canary enrols a device at
 *     its wallet and consents, like any customer of a bank; under a legal
 *     basis, the member simply looks it up. Every lookup goes through the
 *     gateway signed as the member, for each document type its rights allow;
 *  4. writes what the member received, one document per line, to the output;
 *  5. only then appends the canary's keyed hashes to STATE/<C>/leak/
 *     canaries.jsonl (leak/leak_tag.h), which the gateway's sentinel reads: the
 *     planting exchanges are not uses, every later one is.
 *
 * Never: print or log a canary's identity (only the output file names the
 * people, for the operator who planted them), write a canary's person id in
 * clear to the index, or count a canary in the population table.
 */
#ifndef HROMADA_PLATFORM_CANARY_H
#define HROMADA_PLATFORM_CANARY_H

#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "platform/population.h"

/* Canaries one plant makes: the wallet of `up` lets one address start a few
 * hundred enrolments an hour (PLATFORM_UP_ENROL_STARTS_PER_CLIENT_HOUR). */
#define CANARY_PLANT_MAX   500
#define CANARY_STATE_FILE  "canaries.state"
#define CANARY_LOOKUP_USER "self"   /* Hromada-User of a consented lookup: the customer */
#define CANARY_SYSTEM_USER "system" /* of a lookup under a legal basis */

/* The person index of country's j-th canary (j < POPULATION_CANARY_RESERVE). */
uint64_t canary_person_index(uint64_t j);
/* The j-th canary of pop's country: population_person of canary_person_index(j). */
void canary_person(const struct population *pop, uint64_t j, struct population_person *out);

struct canary_plant_options {
	const char *state_dir; /* of a running `hromada up` */
	const char *member;    /* "UA/COM/14360570/bank" */
	size_t count;          /* 1..CANARY_PLANT_MAX */
	const char *out_path;  /* the JSON Lines of what the member received */
};

struct canary_plant_result {
	char country[3];
	size_t planted;   /* canaries written into the registries */
	size_t served;    /* of them, received by the member and indexed */
	size_t documents; /* lines written to the output */
	size_t documents_by_type[POPULATION_TYPE_COUNT];
	size_t failed; /* canaries with an exchange that failed */
	/* the first failed exchange, in words ("canary 2 of 3: id_card lookup: 403
	 * consent_invalid: ..."); empty when none failed */
	struct hr_error failure;
};

/*
 * Plants options->count canaries for options->member (steps 1-5 above).
 * HR_OK when the plant ran to its end: result->failed then says how many
 * canaries an exchange failed for (result->failure the first), and the rest
 * were served. Any other status, with err, when it could not run: a member
 * with no lookup right on any registry of its country, a state that is not a
 * running `up`'s, an output or index that cannot be written. Stage "canary".
 */
hr_status canary_plant(const struct canary_plant_options *options,
		       struct canary_plant_result *result, struct hr_error *err);

#endif
