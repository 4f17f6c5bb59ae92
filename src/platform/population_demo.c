/*
 * population_demo.c — demo citizens for STATE/demo.json (population_demo):
 * a few people who together hold a document of every type that is valid
 * today, so that a newcomer can try every part of the wallet at once, and
 * some who also live in the other country (population_abroad), with their id
 * and documents there under "abroad", to try the other country's registries.
 *
 * Never: name a document that is not valid on the day demo.json is written.
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
#define DEMO_ABROAD     2      /* citizens who also live in the other country */

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

/* The types of docs[0..n) valid today, as a JSON array. */
static json_t *valid_types(const struct population_document *docs, size_t n, const char *today)
{
	json_t *types = json_array();

	for (size_t i = 0; types != NULL && i < n; i++) {
		if (valid_today(&docs[i], today))
			json_array_append_new(types, json_string(document_types[docs[i].type]));
	}
	return types;
}

/*
 * {"country", "person", "documents"} of person index of pop in the other
 * country, when they live there and hold a valid residence permit there today;
 * else NULL.
 */
static json_t *abroad_entry(const struct population *pop, const struct population *other,
			    uint64_t index, const char *today, struct population_document *docs)
{
	struct population_person resident;
	json_t *types, *entry;
	size_t n;
	bool permit = false;

	if (!population_abroad(pop, other, index, &resident))
		return NULL;
	n = population_documents(other, &resident, docs);
	for (size_t i = 0; i < n; i++)
		permit = permit || (docs[i].type == POPULATION_RESIDENCE_PERMIT &&
				    valid_today(&docs[i], today));
	if (!permit || (types = valid_types(docs, n, today)) == NULL)
		return NULL;
	entry = json_pack("{s:s,s:s,s:o}", "country", population_country(other), "person",
			  resident.id, "documents", types);
	return entry;
}

static json_t *demo_entry(const struct population_person *p, const struct population_document *docs,
			  size_t n, const char *today)
{
	json_t *entry = json_object(), *types = valid_types(docs, n, today);

	if (entry == NULL || types == NULL) {
		json_decref(entry);
		json_decref(types);
		return NULL;
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

/*
 * Appends person index's entry to list, with "abroad" when they live in the
 * other country and hold a valid permit there; *abroad counts such entries.
 * With home_documents > 0, only such a person is added, and only if they hold
 * that many valid documents at home (*added says whether they were).
 */
static hr_status demo_add(const struct population *pop, const struct population *other,
			  uint64_t index, const char *today, struct population_document *docs,
			  size_t home_documents, json_t *list, size_t *abroad, bool *added,
			  struct hr_error *err)
{
	struct population_person person;
	json_t *entry, *there = abroad_entry(pop, other, index, today, docs);
	size_t n;

	*added = false;
	if (home_documents > 0 && there == NULL)
		return HR_OK;
	population_person(pop, index, &person);
	n = population_documents(pop, &person, docs);
	if ((entry = demo_entry(&person, docs, n, today)) == NULL) {
		json_decref(there);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	if (json_array_size(json_object_get(entry, "documents")) < home_documents) {
		json_decref(there);
		json_decref(entry);
		return HR_OK;
	}
	if (there != NULL) {
		json_object_set_new(entry, "abroad", json_pack("[o]", there));
		(*abroad)++;
	}
	if (json_array_append_new(list, entry) != 0)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	*added = true;
	return HR_OK;
}

hr_status population_demo(const char *country, uint64_t seed, const char *as_of, uint64_t people,
			  size_t count, json_t **out, struct hr_error *err)
{
	const unsigned all_types = (1u << DOCUMENT_TYPE_COUNT) - 1;
	struct population_document *docs = NULL;
	struct demo_candidate *candidates = NULL, extra;
	struct population *pop = NULL, *other = NULL;
	uint64_t pool = people < DEMO_CANDIDATES ? people : DEMO_CANDIDATES;
	uint64_t limit = people < DEMO_SCAN_LIMIT ? people : DEMO_SCAN_LIMIT;
	uint64_t *picked = NULL;
	size_t picked_count = 0, abroad = 0;
	unsigned covered = 0, men = 0, women = 0;
	json_t *list = NULL;
	hr_status rc = HR_OK;
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	bool added;

	*out = NULL;
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if (count < 10)
		count = 10;
	if ((rc = population_new(country, seed, as_of, &pop, err)) != HR_OK ||
	    (rc = population_new(strcmp(population_country(pop), "UA") == 0 ? "PL" : "UA", seed,
				 as_of, &other, err)) != HR_OK)
		goto done;
	if ((list = json_array()) == NULL ||
	    (docs = malloc(DOCUMENT_TYPE_COUNT * sizeof(*docs))) == NULL ||
	    (picked = calloc(count + DEMO_ABROAD, sizeof(*picked))) == NULL ||
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
		picked[picked_count++] = best->index;
		if ((rc = demo_add(pop, other, best->index, today, docs, 0, list, &abroad, &added,
				   err)) != HR_OK)
			goto done;
	}
	/* Citizens who also live in the other country, if not among them yet:
	 * the first with two valid documents at home, else with one (a child's
	 * vaccination). */
	for (size_t wanted = 2; wanted > 0 && abroad < DEMO_ABROAD; wanted--) {
		for (uint64_t i = 0; i < limit && abroad < DEMO_ABROAD; i++) {
			bool taken = false;
			uint64_t key;

			for (size_t k = 0; k < picked_count && !taken; k++)
				taken = picked[k] == i;
			if (taken || !population_abroad_key(pop, other, i, &key))
				continue;
			if ((rc = demo_add(pop, other, i, today, docs, wanted, list, &abroad,
					   &added, err)) != HR_OK)
				goto done;
			if (added && picked_count < count + DEMO_ABROAD)
				picked[picked_count++] = i;
		}
	}
	*out = list;
	list = NULL;
done:
	json_decref(list);
	free(candidates);
	free(picked);
	free(docs);
	population_free(pop);
	population_free(other);
	return rc;
}
