/*
 * canary.c — who the canaries are, what a member may be served, and the plant
 * that puts them together (canary.h; the counter and the index are in
 * canary_writer.c, the registries in canary_registry.c, the exchanges in
 * canary_serve.c).
 *
 * Order of a plant, and why:
 *  - everything that can refuse without touching anything comes first: the
 *    member's rights, the output file, the registries' population, the running
 *    wallet and gateway, the index and its key;
 *  - the j's are reserved (counter fsync'ed) before any canary is written, so
 *    a crash can waste a j, never hand one out twice;
 *  - the canaries go into the registries before they are served: the member
 *    looks them up there;
 *  - a canary enters the index only once the member holds it, after its lines
 *    reached the output: its planting exchanges are not uses of leaked data.
 *
 * Canaries are chosen from j upward among those the member can be served
 * (canary_servable); a j passed over is used up too, so every j goes to one
 * plant at most, whatever it was used for.
 */
#include "platform/canary.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/error.h"
#include "leak/leak_tag.h"
#include "platform/canary_internal.h"
#include "platform/country.h"

#define STAGE CANARY_STAGE

_Static_assert(POPULATION_CANARY_RESERVE <= POPULATION_PEOPLE_MAX, "the reserve is of indexes");

uint64_t canary_person_index(uint64_t j)
{
	return POPULATION_PEOPLE_MAX - 1 - j;
}

void canary_person(const struct population *pop, uint64_t j, struct population_person *out)
{
	population_person(pop, canary_person_index(j), out);
}

void canary_make(const struct population *pop, uint64_t j, struct canary *c)
{
	memset(c, 0, sizeof(*c));
	c->j = j;
	canary_person(pop, j, &c->person);
	c->doc_count = population_documents(pop, &c->person, c->docs);
	c->version_count = population_history(pop, &c->person, c->docs, c->doc_count, c->versions);
}

/* ---- the member's rights ---- */

/* directory.h: a provider "X/Y/Z/" and "*" matches every subsystem of X/Y/Z. */
static bool provider_matches(const char *pattern, const char *provider)
{
	size_t n = strlen(pattern);

	if (strcmp(pattern, provider) == 0)
		return true;
	return n >= 2 && strcmp(pattern + n - 2, "/*") == 0 &&
	       strncmp(pattern, provider, n - 1) == 0;
}

static bool array_has(const json_t *array, const char *value)
{
	const json_t *item;
	size_t i;

	json_array_foreach(array, i, item)
	{
		if (json_is_string(item) && strcmp(json_string_value(item), value) == 0)
			return true;
	}
	return false;
}

static bool member_listed(const json_t *directory, const char *member)
{
	const json_t *m;
	size_t i;

	json_array_foreach(json_object_get(directory, "members"), i, m)
	{
		const char *id = json_string_value(json_object_get(m, "id"));

		if (id != NULL && strcmp(id, member) == 0)
			return true;
	}
	return false;
}

/* The first right of member for provider's lookup with a purpose, or NULL. */
static const json_t *lookup_right(const json_t *directory, const char *member, const char *provider)
{
	const json_t *r;
	size_t i;

	json_array_foreach(json_object_get(directory, "rights"), i, r)
	{
		const char *client = json_string_value(json_object_get(r, "client"));
		const char *pattern = json_string_value(json_object_get(r, "provider"));
		const json_t *purposes = json_object_get(r, "purposes");

		if (client != NULL && pattern != NULL && strcmp(client, member) == 0 &&
		    provider_matches(pattern, provider) &&
		    array_has(json_object_get(r, "services"), "lookup") &&
		    json_is_string(json_array_get(purposes, 0)))
			return r;
	}
	return NULL;
}

hr_status canary_plan_from_directory(const char *directory_json_path, const char *member,
				     struct canary_plan *plan, struct hr_error *err)
{
	const struct country_members *c;
	json_error_t parse;
	json_t *directory;

	memset(plan, 0, sizeof(*plan));
	if (!member_id_valid(member) ||
	    (c = country_members((char[3]){member[0], member[1], 0})) == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "'%.96s' is not a member id of a country `up` runs "
				    "(COUNTRY/CLASS/CODE/SUBSYSTEM, e.g. UA/COM/14360570/bank)",
				    member);
	if ((directory = json_load_file(directory_json_path, 0, &parse)) == NULL)
		return hr_error_set(err, HR_E_NOT_FOUND, STAGE,
				    "cannot read the gateway directory %s: %s (is this the state "
				    "of `hromada up`?)",
				    directory_json_path, parse.text);
	snprintf(plan->country, sizeof(plan->country), "%s", c->code);
	snprintf(plan->member, sizeof(plan->member), "%s", member);
	if (!member_listed(directory, member)) {
		json_decref(directory);
		return hr_error_set(err, HR_E_NOT_FOUND, STAGE,
				    "%s is not a member of %s's gateway directory", member,
				    c->code);
	}
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		struct canary_lookup *l = &plan->lookups[plan->lookup_count];
		const json_t *right;
		const char *basis;

		country_registry_member(c, document_types[t], l->provider, sizeof(l->provider));
		if ((right = lookup_right(directory, member, l->provider)) == NULL)
			continue;
		l->type = t;
		snprintf(l->purpose, sizeof(l->purpose), "%s",
			 json_string_value(json_array_get(json_object_get(right, "purposes"), 0)));
		basis = json_string_value(json_object_get(right, "legal_basis"));
		l->consent = basis == NULL || basis[0] == 0;
		plan->consent |= l->consent;
		plan->lookup_count++;
	}
	json_decref(directory);
	if (plan->lookup_count == 0)
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "%s has no right to look up any registry of %s: a canary "
				    "could not be served to it (`hromada member list` shows its "
				    "rights)",
				    member, plan->country);
	return HR_OK;
}

bool canary_servable(const struct canary *c, const struct canary_plan *plan)
{
	for (size_t d = 0; d < c->doc_count; d++) {
		if (strcmp(c->docs[d].status, "valid") != 0)
			continue;
		for (size_t l = 0; l < plan->lookup_count; l++) {
			if (plan->lookups[l].type == c->docs[d].type)
				return true;
		}
	}
	return false;
}

/* ---- the plant ---- */

/*
 * Reserves the canaries: from the counter's next j upward, the servable ones,
 * made by pop; the counter then records the j after the last one looked at.
 */
static hr_status choose(const char *leak_dir, const struct population *pop,
			const struct canary_registries *registries, const struct canary_plan *plan,
			struct canary *canaries, size_t count, struct hr_error *err)
{
	struct canary_counter counter;
	size_t n = 0;
	uint64_t j;
	hr_status rc;

	if ((rc = canary_counter_lock(leak_dir, &counter, err)) != HR_OK)
		return rc;
	for (j = counter.next; n < count; j++) {
		if (j >= POPULATION_CANARY_RESERVE) {
			rc = hr_error_set(err, HR_E_TOO_LARGE, STAGE,
					  "%s's %llu canary indexes are used up", plan->country,
					  POPULATION_CANARY_RESERVE);
			break;
		}
		/* a population of an older binary may reach into the reserve */
		if (canary_person_index(j) < registries->people) {
			rc = hr_error_set(err, HR_E_CONFLICT, STAGE,
					  "%s's population of %llu people reaches the canaries' "
					  "indexes (at most %llu may be loaded)",
					  plan->country, (unsigned long long)registries->people,
					  POPULATION_LOAD_MAX);
			break;
		}
		canary_make(pop, j, &canaries[n]);
		if (canary_servable(&canaries[n], plan))
			n++;
	}
	if (rc == HR_OK)
		rc = canary_counter_commit(&counter, j, err);
	canary_counter_unlock(&counter);
	for (size_t i = 0; i < n && rc == HR_OK; i++) {
		if (uuid_v4(canaries[i].id) != HR_OK)
			rc = hr_error_set(err, HR_E_CRYPTO, STAGE,
					  "no randomness for a canary's id");
	}
	return rc;
}

/* Serves canaries one by one: output lines, then index lines, per canary. */
static hr_status serve_all(struct canary_exchange *exchange, const struct canary_plan *plan,
			   struct canary_writer *index, const struct canary *canaries, size_t count,
			   FILE *out, const char *out_path, struct canary_plant_result *result,
			   struct hr_error *err)
{
	struct buf received;
	hr_status rc = HR_OK;

	buf_init(&received, 16 * 1024 * 1024);
	for (size_t i = 0; i < count && rc == HR_OK; i++) {
		size_t before = result->documents, lines = 0;
		struct hr_error failure = {0};
		hr_status served;

		buf_reset(&received);
		served = canary_serve(exchange, plan, &canaries[i], &received,
				      result->documents_by_type, &failure);
		for (size_t b = 0; b < received.len; b++)
			lines += received.data[b] == '\n';
		/* it holds a valid document the member may look up (canary_servable) */
		if (served == HR_OK && lines == 0)
			served =
			    hr_error_set(&failure, HR_E_STATE, STAGE,
					 "the gateway answered, but with none of its documents");
		result->documents = before + lines;
		if (received.len > 0 &&
		    (fwrite(received.data, 1, received.len, out) != received.len ||
		     fflush(out) != 0)) {
			rc = hr_error_set(err, HR_E_IO, STAGE, "cannot write %s", out_path);
			break;
		}
		/* the member holds it now: from here on, any request naming it is a use */
		if (lines > 0) {
			if ((rc = canary_writer_append(index, &canaries[i], plan->member,
						       (int64_t)time(NULL), err)) != HR_OK) {
				hr_error_prefix(err, "canary %zu of %zu was served but not indexed",
						i + 1, count);
				break;
			}
			result->served++;
		}
		if (served != HR_OK) {
			if (result->failed++ == 0) {
				result->failure = failure;
				hr_error_prefix(&result->failure, "canary %zu of %zu", i + 1,
						count);
			}
		}
	}
	buf_clear(&received);
	return rc;
}

hr_status canary_plant(const struct canary_plant_options *o, struct canary_plant_result *result,
		       struct hr_error *err)
{
	struct canary_registries registries = {0};
	struct canary_writer index = {.fd = -1};
	struct canary_exchange *exchange = NULL;
	struct population *pop = NULL;
	struct canary_plan plan;
	struct canary *canaries = NULL;
	char path[PATH_MAX], leak_dir[PATH_MAX];
	FILE *out = NULL;
	hr_status rc;

	memset(result, 0, sizeof(*result));
	if (o->state_dir == NULL || o->member == NULL || o->out_path == NULL || o->count == 0 ||
	    o->count > CANARY_PLANT_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a plant needs a state directory, a member, an output file "
				    "and 1 to %d canaries",
				    CANARY_PLANT_MAX);
	/* the member's own gateway says what it may look up: STATE/<C>/gateway/ */
	path[0] = 0;
	if (member_id_valid(o->member) &&
	    (size_t)snprintf(path, sizeof(path), "%s/%.2s/gateway/directory.json", o->state_dir,
			     o->member) >= sizeof(path))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the state directory's path is too long");
	if ((rc = canary_plan_from_directory(path, o->member, &plan, err)) != HR_OK)
		return rc;
	snprintf(result->country, sizeof(result->country), "%s", plan.country);
	snprintf(leak_dir, sizeof(leak_dir), "%s/%s/%s", o->state_dir, plan.country, LEAK_DIR);
	if ((out = fopen(o->out_path, "w")) == NULL)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s", o->out_path);
	if ((canaries = calloc(o->count, sizeof(*canaries))) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory for %zu canaries",
				  o->count);
		goto done;
	}
	if ((rc = canary_registries_open(o->state_dir, plan.country, &registries, err)) != HR_OK ||
	    (rc = canary_exchange_open(o->state_dir, &plan, &exchange, err)) != HR_OK ||
	    (rc = canary_writer_open(leak_dir, &index, err)) != HR_OK ||
	    (rc = population_new(plan.country, registries.seed, registries.as_of, &pop, err)) !=
		HR_OK ||
	    (rc = choose(leak_dir, pop, &registries, &plan, canaries, o->count, err)) != HR_OK ||
	    (rc = canary_registries_insert(&registries, canaries, o->count, err)) != HR_OK)
		goto done;
	result->planted = o->count;
	rc = serve_all(exchange, &plan, &index, canaries, o->count, out, o->out_path, result, err);
done:
	if (out != NULL && fclose(out) != 0 && rc == HR_OK)
		rc = hr_error_set(err, HR_E_IO, STAGE, "cannot write %s", o->out_path);
	population_free(pop);
	canary_writer_close(&index);
	canary_exchange_close(exchange);
	canary_registries_close(&registries);
	free(canaries);
	return rc;
}
