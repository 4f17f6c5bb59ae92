/*
 * population_demo.c — demo citizens for STATE/demo.json (population_demo):
 * a few people who together hold a document of every type that is valid
 * today, so that a newcomer can try every part of the wallet at once.
 */
#include "platform/population.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "platform/population_internal.h"

#define STAGE           "population"
#define DEMO_CANDIDATES 2000   /* the demo chooses among the first people... */
#define DEMO_SCAN_LIMIT 200000 /* ...and looks this far for a rare type */

/*
 * Whether a document can be shown today: valid in the registry, and not past
 * its expiry date by the real clock. The population is dated against the fixed
 * POPULATION_TODAY; a demo citizen must work on the day someone tries them.
 */
static bool valid_today(const struct population_document *doc, const char *today)
{
	json_t *fields;
	const char *expiry;
	bool valid;

	if (strcmp(doc->status, "valid") != 0)
		return false;
	if ((fields = json_loadb(doc->fields, doc->fields_len, 0, NULL)) == NULL)
		return false;
	expiry = json_string_value(json_object_get(fields, "expiry_date"));
	valid = expiry == NULL || strcmp(expiry, today) >= 0; /* ISO dates compare as text */
	json_decref(fields);
	return valid;
}

static json_t *demo_entry(const struct population_person *p, const struct population_document *docs,
			  size_t n, const char *today)
{
	json_t *entry = json_object(), *types = json_array();

	if (entry == NULL || types == NULL) {
		json_decref(entry);
		json_decref(types);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (valid_today(&docs[i], today))
			json_array_append_new(types, json_string(document_types[docs[i].type]));
	}
	json_object_set_new(entry, "person", json_string(p->id));
	json_object_set_new(entry, "family_name", json_string(p->family_name));
	json_object_set_new(entry, "given_name", json_string(p->given_name));
	json_object_set_new(entry, "documents", types);
	return entry;
}

/* One person the demo may choose: which types they hold a valid document of. */
struct demo_candidate {
	uint64_t index;
	unsigned valid_types; /* bit t: a valid document of document_types[t] */
	unsigned valid;       /* how many valid documents */
	char sex;
	bool chosen;
};

static unsigned bits(unsigned x)
{
	return (unsigned)__builtin_popcount(x);
}

static void demo_candidate_make(const struct population *pop, uint64_t index, const char *today,
				struct population_document *docs, struct demo_candidate *c)
{
	struct population_person person;
	size_t n;

	population_person(pop, index, &person);
	n = population_documents(pop, &person, docs);
	memset(c, 0, sizeof(*c));
	c->index = index;
	c->sex = person.sex;
	for (size_t d = 0; d < n; d++) {
		if (valid_today(&docs[d], today)) {
			c->valid_types |= 1u << docs[d].type;
			c->valid++;
		}
	}
}

/* The better of two candidates for the demo: more types nobody chosen has yet,
 * then more valid documents, then the lower index. */
static bool demo_better(const struct demo_candidate *a, const struct demo_candidate *b,
			unsigned covered)
{
	unsigned new_a = bits(a->valid_types & ~covered), new_b = bits(b->valid_types & ~covered);

	if (new_a != new_b)
		return new_a > new_b;
	if (a->valid != b->valid)
		return a->valid > b->valid;
	return a->index < b->index;
}

hr_status population_demo(const char *country, uint64_t seed, const char *as_of, uint64_t people,
			  size_t count, json_t **out, struct hr_error *err)
{
	const unsigned all_types = (1u << DOCUMENT_TYPE_COUNT) - 1;
	struct population_document *docs = NULL;
	struct demo_candidate *candidates = NULL, extra;
	struct population_person person;
	struct population *pop;
	uint64_t pool = people < DEMO_CANDIDATES ? people : DEMO_CANDIDATES;
	uint64_t limit = people < DEMO_SCAN_LIMIT ? people : DEMO_SCAN_LIMIT;
	unsigned covered = 0, men = 0, women = 0;
	json_t *list = NULL;
	hr_status rc = HR_OK;
	char today[16];
	time_t now = time(NULL);
	struct tm tm;

	*out = NULL;
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if (count < 10)
		count = 10;
	if ((rc = population_new(country, seed, as_of, &pop, err)) != HR_OK)
		return rc;
	if ((list = json_array()) == NULL ||
	    (docs = malloc(DOCUMENT_TYPE_COUNT * sizeof(*docs))) == NULL ||
	    (pool > 0 && (candidates = calloc(pool, sizeof(*candidates))) == NULL)) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	for (uint64_t i = 0; i < pool; i++)
		demo_candidate_make(pop, i, today, docs, &candidates[i]);

	/* Greedy cover of the types by the first people, the richest first, then
	 * the richest of the rest, until there are enough. */
	for (size_t chosen = 0; chosen < count && chosen < pool; chosen++) {
		struct demo_candidate *best = NULL;
		size_t n;

		/* once every type is there, as many women as men: the richest
		 * would all be men, a military record being one document more */
		char sex = covered != all_types ? 0 : men > women ? 'F' : 'M';

		for (uint64_t i = 0; i < pool; i++) {
			if (!candidates[i].chosen && (sex == 0 || candidates[i].sex == sex) &&
			    (best == NULL || demo_better(&candidates[i], best, covered)))
				best = &candidates[i];
		}
		/* a rare type nobody among the first holds: look further for it */
		if (best != NULL && (best->valid_types & ~covered) == 0 && covered != all_types) {
			for (uint64_t i = pool; i < limit; i++) {
				demo_candidate_make(pop, i, today, docs, &extra);
				if (extra.valid_types & ~covered) {
					best = &extra;
					break;
				}
			}
		}
		if (best == NULL)
			break;
		best->chosen = true;
		covered |= best->valid_types;
		men += best->sex == 'M';
		women += best->sex == 'F';
		population_person(pop, best->index, &person);
		n = population_documents(pop, &person, docs);
		{
			json_t *entry = demo_entry(&person, docs, n, today);

			if (entry == NULL || json_array_append_new(list, entry) != 0) {
				rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
				goto done;
			}
		}
	}
	*out = list;
	list = NULL;
done:
	json_decref(list);
	free(candidates);
	free(docs);
	population_free(pop);
	return rc;
}
