/*
 * test_canaries.c — canary citizens (src/platform/canary*.c) without a running
 * platform: who they are (the population's own generator, from the top of the
 * index space down), that they look like everyone else by every measure a
 * consumer could take, what a member may be served according to its gateway's
 * directory, the counter that never hands out a j twice, their rows in the
 * registries (and not in the population's counts), and the index lines that
 * name them by keyed hash. tests/e2e/test_canary.c plants them in `up`.
 */
#include "testkit/testkit.h"

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/documents.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/json.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/store.h"
#include "credential/document_schema.h"
#include "leak/leak_tag.h"
#include "platform/canary.h"
#include "platform/canary_internal.h"
#include "platform/country.h"
#include "platform/platform.h"
#include "platform/population.h"
#include "platform/population_internal.h"

#define COMPARED 5000 /* canaries and people whose distributions are compared */

#define OK(call)                                                                                   \
	do {                                                                                       \
		hr_status rc_ = (call);                                                            \
		if (rc_ != HR_OK)                                                                  \
			fail_msg("%s failed: %s: %s", #call, hr_status_name(rc_), err.message);    \
	} while (0)

static struct population *make(const char *country, uint64_t seed, const char *as_of)
{
	struct hr_error err = {0};
	struct population *pop;

	OK(population_new(country, seed, as_of, &pop, &err));
	return pop;
}

/* The population's person index, filled in as canary_make fills a canary. */
static void make_person(const struct population *pop, uint64_t index, struct canary *c)
{
	memset(c, 0, sizeof(*c));
	population_person(pop, index, &c->person);
	c->doc_count = population_documents(pop, &c->person, c->docs);
	c->version_count = population_history(pop, &c->person, c->docs, c->doc_count, c->versions);
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* ---- who they are ---- */

static void test_canaries_take_the_reserved_top_indexes(void **state)
{
	struct population *pop = make("UA", 1, NULL);
	struct population_person canary, person;

	(void)state;
	assert_int_equal(canary_person_index(0), POPULATION_PEOPLE_MAX - 1);
	assert_int_equal(canary_person_index(1), POPULATION_PEOPLE_MAX - 2);
	assert_int_equal(canary_person_index(POPULATION_CANARY_RESERVE - 1), POPULATION_LOAD_MAX);
	/* the largest population there may be never reaches the first canary */
	assert_true(canary_person_index(POPULATION_CANARY_RESERVE - 1) >= POPULATION_LOAD_MAX);
	/* a canary is the generator's person of that index, nothing else */
	canary_person(pop, 7, &canary);
	population_person(pop, POPULATION_PEOPLE_MAX - 8, &person);
	assert_memory_equal(&canary, &person, sizeof(canary));
	population_free(pop);
}

static void test_canary_ids_are_valid_unique_and_never_a_loaded_persons(void **state)
{
	const char *const list[] = {"UA", "PL"};
	char(*ids)[16] = malloc(2 * COMPARED * sizeof(*ids));

	(void)state;
	assert_non_null(ids);
	for (int c = 0; c < 2; c++) {
		struct population *pop = make(list[c], 1, NULL);
		struct population_person p;

		for (uint64_t j = 0; j < COMPARED; j++) {
			canary_person(pop, j, &p);
			if (!person_id_valid(p.id))
				fail_msg("canary %" PRIu64 " of %s: %s is not valid", j, list[c],
					 p.id);
			/* the id's sex digit says what the person is */
			assert_int_equal(p.sex == 'M', (p.id[strlen(p.id) - 2] - '0') % 2 == 1);
			memcpy(ids[j], p.id, 16);
		}
		for (uint64_t i = 0; i < COMPARED; i++) {
			population_person(pop, i, &p);
			memcpy(ids[COMPARED + i], p.id, 16);
		}
		/* canaries and people together: no id twice */
		qsort(ids, 2 * COMPARED, sizeof(*ids), compare_ids);
		for (uint64_t k = 1; k < 2 * COMPARED; k++) {
			if (strcmp(ids[k - 1], ids[k]) == 0)
				fail_msg("%s: %s is given twice", list[c], ids[k]);
		}
		population_free(pop);
	}
	free(ids);
}

static void test_canary_document_numbers_never_collide_with_the_populations(void **state)
{
	struct population *pop = make("UA", 5, NULL);
	char(*numbers)[48] = malloc(2 * COMPARED * DOCUMENT_TYPE_COUNT * sizeof(*numbers));
	struct canary *c = malloc(sizeof(*c));
	size_t n = 0;

	(void)state;
	assert_non_null(numbers);
	assert_non_null(c);
	for (uint64_t k = 0; k < 2 * COMPARED; k++) {
		/* the first COMPARED are canaries, the rest the population's first */
		if (k < COMPARED)
			canary_make(pop, k, c);
		else
			make_person(pop, k - COMPARED, c);
		for (size_t d = 0; d < c->doc_count; d++)
			snprintf(numbers[n++], 48, "%d/%s", c->docs[d].type, c->docs[d].number);
	}
	qsort(numbers, n, sizeof(*numbers), compare_ids);
	for (size_t k = 1; k < n; k++) {
		if (strcmp(numbers[k - 1], numbers[k]) == 0)
			fail_msg("document %s is given twice", numbers[k]);
	}
	free(c);
	free(numbers);
	population_free(pop);
}

static void test_canaries_are_deterministic(void **state)
{
	struct population *a = make("PL", 42, "2026-03-15"), *b = make("PL", 42, "2026-03-15");
	struct population *other = make("PL", 43, "2026-03-15");
	struct canary *x = malloc(sizeof(*x)), *y = malloc(sizeof(*y));

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	for (uint64_t j = 0; j < 50; j++) {
		canary_make(a, j, x);
		canary_make(b, j, y);
		assert_string_equal(x->person.id, y->person.id);
		assert_string_equal(x->person.family_name, y->person.family_name);
		assert_string_equal(x->person.address, y->person.address);
		assert_int_equal(x->doc_count, y->doc_count);
		assert_int_equal(x->version_count, y->version_count);
		for (size_t d = 0; d < x->doc_count; d++) {
			assert_string_equal(x->docs[d].number, y->docs[d].number);
			assert_string_equal(x->docs[d].fields, y->docs[d].fields);
		}
		for (size_t v = 0; v < x->version_count; v++)
			assert_string_equal(x->versions[v].fields, y->versions[v].fields);
	}
	/* another seed, other canaries */
	canary_make(a, 0, x);
	canary_make(other, 0, y);
	assert_string_not_equal(x->person.id, y->person.id);
	free(x);
	free(y);
	population_free(a);
	population_free(b);
	population_free(other);
}

/* ---- like everyone else ---- */

struct tally {
	uint64_t people, men, foreign, moved, documents;
	uint64_t age_sum, ages[4]; /* under 18, 18-39, 40-64, 65 and over */
	uint64_t by_type[DOCUMENT_TYPE_COUNT], valid_by_type[DOCUMENT_TYPE_COUNT];
};

/* Counts one person; every document checked against its schema on the way. */
static void count(struct tally *t, const struct population *pop, const struct canary *c)
{
	struct hr_error err = {0};
	int age = population_age(c->person.birth, population_today());

	t->people++;
	t->men += c->person.sex == 'M';
	t->foreign += c->person.foreign;
	t->moved += c->version_count > 0;
	t->age_sum += (uint64_t)age;
	t->ages[age < 18 ? 0 : age < 40 ? 1 : age < 65 ? 2 : 3]++;
	for (size_t d = 0; d < c->doc_count; d++) {
		json_t *doc;

		OK(population_document_json(&c->docs[d], &doc, &err));
		if (document_schema_check(doc, &err) != HR_OK)
			fail_msg("%s %s: %s", c->person.id, document_types[c->docs[d].type],
				 err.message);
		json_decref(doc);
		t->documents++;
		t->by_type[c->docs[d].type]++;
		t->valid_by_type[c->docs[d].type] += strcmp(c->docs[d].status, "valid") == 0;
	}
	(void)pop;
}

static void expect_close(const char *country, const char *what, double canaries, double people,
			 double tolerance)
{
	if (fabs(canaries - people) > tolerance)
		fail_msg("%s %s: canaries %.4f, people %.4f (tolerance %.4f)", country, what,
			 canaries, people, tolerance);
}

static double share(uint64_t part, uint64_t whole)
{
	return (double)part / (double)whole;
}

static void test_canaries_are_distributed_like_the_population(void **state)
{
	const char *const list[] = {"UA", "PL"};
	struct canary *c = malloc(sizeof(*c));

	(void)state;
	assert_non_null(c);
	for (int k = 0; k < 2; k++) {
		struct population *pop = make(list[k], 3, NULL);
		struct tally canaries = {0}, people = {0};

		for (uint64_t i = 0; i < COMPARED; i++) {
			canary_make(pop, i, c);
			count(&canaries, pop, c);
			make_person(pop, i, c);
			count(&people, pop, c);
		}
		/*
		 * With 5 000 of each, a share near one half differs by about 0.010
		 * (one standard deviation) between two samples of one distribution:
		 * 0.04 is four of them. Ages spread over 95 years: two means differ
		 * by about 0.55 years, 2.5 is four and a half.
		 */
		printf("    %s: men %.3f/%.3f, mean age %.1f/%.1f, documents each %.2f/%.2f "
		       "(canaries/people)\n",
		       list[k], share(canaries.men, canaries.people),
		       share(people.men, people.people), share(canaries.age_sum, canaries.people),
		       share(people.age_sum, people.people),
		       share(canaries.documents, canaries.people),
		       share(people.documents, people.people));
		expect_close(list[k], "men", share(canaries.men, COMPARED),
			     share(people.men, COMPARED), 0.04);
		expect_close(list[k], "mean age", share(canaries.age_sum, COMPARED),
			     share(people.age_sum, COMPARED), 2.5);
		for (int a = 0; a < 4; a++)
			expect_close(list[k], "age group", share(canaries.ages[a], COMPARED),
				     share(people.ages[a], COMPARED), 0.04);
		expect_close(list[k], "foreign residents", share(canaries.foreign, COMPARED),
			     share(people.foreign, COMPARED), 0.01);
		expect_close(list[k], "moved", share(canaries.moved, COMPARED),
			     share(people.moved, COMPARED), 0.04);
		expect_close(list[k], "documents each", share(canaries.documents, COMPARED),
			     share(people.documents, COMPARED), 0.1);
		for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
			expect_close(list[k], document_types[t],
				     share(canaries.by_type[t], COMPARED),
				     share(people.by_type[t], COMPARED), 0.04);
			expect_close(list[k], "valid", share(canaries.valid_by_type[t], COMPARED),
				     share(people.valid_by_type[t], COMPARED), 0.04);
		}
		population_free(pop);
	}
	free(c);
}

/* ---- what a member may be served ---- */

/* STATE/UA/gateway/directory.json as `up` writes it, in tk_dir. */
static void write_directory(char *path, size_t size)
{
	const char *urls[DOCUMENT_TYPE_COUNT];
	json_t *directory;

	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		urls[t] = "http://127.0.0.1:1";
	directory = country_directory(country_members("UA"), "/nonexistent/keys/UA", urls);
	assert_non_null(directory);
	tk_dir_path(path, size, "directory.json");
	assert_int_equal(json_dump_file(directory, path, 0), 0);
	json_decref(directory);
}

static const struct canary_lookup *lookup_of(const struct canary_plan *plan, const char *type)
{
	for (size_t l = 0; l < plan->lookup_count; l++) {
		if (strcmp(document_types[plan->lookups[l].type], type) == 0)
			return &plan->lookups[l];
	}
	return NULL;
}

static void test_plan_follows_the_members_lookup_rights(void **state)
{
	struct hr_error err = {0};
	struct canary_plan plan;
	const struct canary_lookup *l;
	char path[512];

	(void)state;
	write_directory(path, sizeof(path));
	/* the bank: id_card and foreign_passport for kyc, with the customer's consent */
	OK(canary_plan_from_directory(path, "UA/COM/14360570/bank", &plan, &err));
	assert_string_equal(plan.country, "UA");
	assert_int_equal(plan.lookup_count, 2);
	assert_true(plan.consent);
	assert_non_null(l = lookup_of(&plan, "id_card"));
	assert_string_equal(l->provider, "UA/GOV/00015622/id_card");
	assert_string_equal(l->purpose, COUNTRY_PURPOSE_KYC);
	assert_true(l->consent);
	assert_non_null(lookup_of(&plan, "foreign_passport"));
	/* the police: licences and vehicles under its legal basis, no consent */
	OK(canary_plan_from_directory(path, "UA/GOV/00032684/police", &plan, &err));
	assert_int_equal(plan.lookup_count, 2);
	assert_false(plan.consent);
	assert_non_null(l = lookup_of(&plan, "driver_licence"));
	assert_string_equal(l->purpose, COUNTRY_PURPOSE_POLICE);
	assert_false(l->consent);
	assert_non_null(lookup_of(&plan, "vehicle_registration"));
	/* the wallet's right names every registry with "*" */
	OK(canary_plan_from_directory(path, "UA/GOV/43395033/wallet", &plan, &err));
	assert_int_equal(plan.lookup_count, DOCUMENT_TYPE_COUNT);
	/* the CERT may look nothing up: refused, saying so */
	assert_int_equal(canary_plan_from_directory(path, "UA/GOV/34239034/cert", &plan, &err),
			 HR_E_DENIED);
	assert_non_null(strstr(err.message, "no right to look up"));
	assert_int_equal(canary_plan_from_directory(path, "UA/COM/99999999/bank", &plan, &err),
			 HR_E_NOT_FOUND);
	assert_int_equal(canary_plan_from_directory(path, "bank", &plan, &err), HR_E_INVALID);
	assert_int_equal(canary_plan_from_directory(path, "XX/COM/1/bank", &plan, &err),
			 HR_E_INVALID);
	tk_dir_path(path, sizeof(path), "missing.json");
	assert_int_equal(canary_plan_from_directory(path, "UA/COM/14360570/bank", &plan, &err),
			 HR_E_NOT_FOUND);
}

static void test_only_canaries_with_something_to_show_are_served(void **state)
{
	struct hr_error err = {0};
	struct population *pop = make("UA", 1, NULL);
	struct canary *c = malloc(sizeof(*c));
	struct canary_plan bank;
	char path[512];
	size_t servable = 0;

	(void)state;
	assert_non_null(c);
	write_directory(path, sizeof(path));
	OK(canary_plan_from_directory(path, "UA/COM/14360570/bank", &bank, &err));
	for (uint64_t j = 0; j < 500; j++) {
		bool valid_identity = false;

		canary_make(pop, j, c);
		for (size_t d = 0; d < c->doc_count; d++)
			valid_identity |=
			    c->docs[d].type <= 1 && strcmp(c->docs[d].status, "valid") == 0;
		assert_int_equal(canary_servable(c, &bank), valid_identity);
		servable += valid_identity;
	}
	/* most people hold a valid ID card or passport; small children often hold none */
	assert_true(servable > 350);
	assert_true(servable < 500);
	free(c);
	population_free(pop);
}

/* ---- the counter ---- */

static void test_counter_never_hands_out_a_j_twice(void **state)
{
	struct hr_error err = {0};
	struct canary_counter counter;
	char leak[512], path[600], *text;

	(void)state;
	tk_dir_path(leak, sizeof(leak), "UA/leak");
	OK(canary_counter_lock(leak, &counter, &err)); /* makes the directory */
	assert_int_equal(counter.next, 0);
	canary_counter_unlock(&counter);
	/* a lock that never committed used nothing */
	OK(canary_counter_lock(leak, &counter, &err));
	assert_int_equal(counter.next, 0);
	OK(canary_counter_commit(&counter, 5, &err));
	canary_counter_unlock(&counter);
	OK(canary_counter_lock(leak, &counter, &err));
	assert_int_equal(counter.next, 5);
	OK(canary_counter_commit(&counter, 12, &err));
	canary_counter_unlock(&counter);
	snprintf(path, sizeof(path), "%s/%s", leak, CANARY_STATE_FILE);
	assert_non_null(text = tk_read_file(path, NULL));
	assert_string_equal(text, "{\"next\": 12}\n");
	free(text);
	/* a damaged counter is refused, never guessed */
	assert_true(tk_write_file(path, "{\"next\": \"many\"}"));
	assert_int_equal(canary_counter_lock(leak, &counter, &err), HR_E_INVALID);
	assert_true(tk_write_file(path, "{\"next\": 100001}"));
	assert_int_equal(canary_counter_lock(leak, &counter, &err), HR_E_INVALID);
	assert_true(tk_write_file(path, "garbage"));
	assert_int_equal(canary_counter_lock(leak, &counter, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, CANARY_STATE_FILE));
}

/* ---- the index ---- */

static void test_index_lines_name_the_canary_by_keyed_hash_only(void **state)
{
	struct hr_error err = {0};
	struct population *pop = make("UA", 1, NULL);
	struct canary *c = calloc(1, sizeof(*c));
	struct canary_writer index;
	uint8_t key[SECRET_LEN];
	char leak[512], path[600], *text, *line, *save = NULL;
	struct stat st;
	size_t lines = 0;

	(void)state;
	assert_non_null(c);
	canary_make(pop, 3, c);
	snprintf(c->id, sizeof(c->id), "%s", "0b6d6d2c-5d2e-4a31-9a55-7b3a40c2d1e0");
	tk_dir_path(leak, sizeof(leak), "UA/leak");
	OK(canary_writer_open(leak, &index, &err)); /* an older state: no key yet */
	OK(canary_writer_append(&index, c, "UA/COM/14360570/bank", 1796000000, &err));
	canary_writer_close(&index);
	/* the key was made, kept private, and is the one later opens use */
	snprintf(path, sizeof(path), "%s/%s", leak, LEAK_CANARY_KEY);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	OK(secret_load_or_create(path, key, &err));
	OK(canary_writer_open(leak, &index, &err));
	assert_memory_equal(index.key, key, SECRET_LEN);
	canary_writer_close(&index);

	snprintf(path, sizeof(path), "%s/%s", leak, LEAK_CANARY_INDEX);
	assert_non_null(text = tk_read_file(path, NULL));
	assert_int_equal(text[strlen(text) - 1], '\n');
	/* no identifier in clear */
	assert_null(strstr(text, c->person.id + 3));
	for (size_t d = 0; d < c->doc_count; d++)
		assert_null(strstr(text, c->docs[d].number));
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char identifier[96], expected[LEAK_TAG_HEX_LEN + 1];
		json_t *entry;

		OK(hr_json_parse_object(line, strlen(line), &entry, &err));
		/* line 0 is the person, then each document as COUNTRY/TYPE/NUMBER */
		if (lines == 0)
			snprintf(identifier, sizeof(identifier), "%s", c->person.id);
		else
			snprintf(identifier, sizeof(identifier), "UA/%s/%s",
				 document_types[c->docs[lines - 1].type],
				 c->docs[lines - 1].number);
		OK(leak_tag_hex(key, identifier, expected));
		assert_string_equal(json_string_value(json_object_get(entry, "tag")), expected);
		assert_string_equal(json_string_value(json_object_get(entry, "member")),
				    "UA/COM/14360570/bank");
		assert_string_equal(json_string_value(json_object_get(entry, "canary")), c->id);
		assert_string_equal(json_string_value(json_object_get(entry, "planted_at")),
				    "2026-11-30T00:53:20Z");
		assert_int_equal(json_object_size(entry), 4);
		json_decref(entry);
		lines++;
	}
	assert_int_equal(lines, 1 + c->doc_count);
	free(text);
	free(c);
	population_free(pop);
}

/* ---- the registries ---- */

static int64_t query_int(struct store *store, const char *sql, const char *text)
{
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool row;
	int64_t value;

	OK(store_prepare(store, sql, &stmt, &err));
	if (text != NULL)
		assert_int_equal(store_bind_text(stmt, 1, text, strlen(text)), HR_OK);
	OK(store_step(stmt, &row, &err));
	assert_true(row);
	value = store_column_int64(stmt, 0);
	store_stmt_free(stmt);
	return value;
}

/*
 * Loads 300 Ukrainians (into SQLite under tk_dir, or where url_template says,
 * each registry's hromada.ini then naming its store as `up` writes it),
 * plants six canaries and checks the registries hold them beside the
 * population, whose counts stay as they were.
 */
static void plant_and_check(const char *url_template)
{
	struct hr_error err = {0};
	struct population_load_stats stats;
	struct population_load_options o = {.country = "UA",
					    .seed = 4,
					    .people = 300,
					    .as_of = "2026-05-20",
					    .state_dir = tk_dir,
					    .url_template = url_template};
	struct canary_registries registries;
	struct population *pop;
	struct canary *canaries = calloc(6, sizeof(*canaries));
	int64_t before[DOCUMENT_TYPE_COUNT], history[DOCUMENT_TYPE_COUNT];

	assert_non_null(canaries);
	OK(population_load(&o, &stats, &err));
	for (int t = 0; url_template != NULL && t < DOCUMENT_TYPE_COUNT; t++) {
		char dir[512], ini[600], url[1200], text[1300];

		snprintf(dir, sizeof(dir), "%s/UA/registry-%s", tk_dir, document_types[t]);
		OK(platform_make_dirs(dir, &err));
		OK(population_registry_url(url_template, "UA", document_types[t], url, sizeof(url),
					   &err));
		snprintf(ini, sizeof(ini), "%s/hromada.ini", dir);
		snprintf(text, sizeof(text), "[store]\nurl = %s\n", url);
		assert_true(tk_write_file(ini, text));
	}
	OK(canary_registries_open(tk_dir, "UA", &registries, &err));
	assert_int_equal(registries.seed, 4);
	assert_int_equal(registries.people, 300);
	assert_string_equal(registries.as_of, "2026-05-20");
	assert_true(registries.loaded_at > 0);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		before[t] = query_int(registries.stores[t], "SELECT COUNT(*) FROM documents", NULL);
		history[t] =
		    query_int(registries.stores[t], "SELECT COUNT(*) FROM document_history", NULL);
	}

	pop = make("UA", registries.seed, registries.as_of);
	for (uint64_t j = 0; j < 6; j++)
		canary_make(pop, j, &canaries[j]);
	OK(canary_registries_insert(&registries, canaries, 6, &err));
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		struct store *s = registries.stores[t];
		int64_t held = 0, versions = 0;

		for (size_t j = 0; j < 6; j++) {
			for (size_t v = 0; v < canaries[j].version_count; v++)
				versions += canaries[j].versions[v].type == t;
			for (size_t d = 0; d < canaries[j].doc_count; d++) {
				if (canaries[j].docs[d].type != t)
					continue;
				held++;
				/* the registry answers for the canary as for anyone */
				assert_int_equal(
				    query_int(s, "SELECT COUNT(*) FROM documents WHERE person = ?",
					      canaries[j].person.id),
				    1);
				/* stamped like the load's rows, not with the plant's time */
				assert_int_equal(
				    query_int(s,
					      "SELECT updated_at FROM documents WHERE person = ?",
					      canaries[j].person.id),
				    registries.loaded_at);
			}
		}
		assert_int_equal(query_int(s, "SELECT COUNT(*) FROM documents", NULL),
				 before[t] + held);
		/* the public counts are the population's own */
		assert_int_equal(query_int(s, "SELECT people FROM population", NULL), 300);
		assert_int_equal(query_int(s, "SELECT documents FROM population", NULL),
				 (int64_t)stats.rows_by_type[t]);
		assert_int_equal(query_int(s, "SELECT COUNT(*) FROM population", NULL), 1);
		/* their earlier versions beside the population's */
		assert_int_equal(query_int(s, "SELECT COUNT(*) FROM document_history", NULL),
				 history[t] + versions);
		before[t] += held;
	}
	/* a j planted twice is refused whole: the registry stays as it was */
	assert_int_not_equal(canary_registries_insert(&registries, canaries, 1, &err), HR_OK);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		assert_int_equal(
		    query_int(registries.stores[t], "SELECT COUNT(*) FROM documents", NULL),
		    before[t]);
	canary_registries_close(&registries);
	population_free(pop);
	free(canaries);
}

static void test_registries_hold_canaries_outside_the_public_counts(void **state)
{
	(void)state;
	plant_and_check(NULL);
}

static void test_registries_must_be_those_of_up(void **state)
{
	struct hr_error err = {0};
	struct canary_registries registries;
	char path[512];
	struct stat st;

	(void)state;
	assert_int_equal(canary_registries_open(tk_dir, "UA", &registries, &err), HR_E_NOT_FOUND);
	canary_registries_close(&registries);
	/* and no empty database was made on the way */
	tk_dir_path(path, sizeof(path), "UA/registry-id_card/registry.db");
	assert_int_not_equal(stat(path, &st), 0);
}

/* ---- PostgreSQL ---- */

static const char *pg_url;

static void test_postgresql_registries_hold_canaries_too(void **state)
{
	struct hr_error err = {0};
	struct store *admin;
	char sql[256], url[1200];

	(void)state;
	/* one database, a schema per registry, as `up --registry-store` has them */
	snprintf(url, sizeof(url), "%s%sschema=can_%ld_{type}", pg_url,
		 strchr(pg_url, '?') ? "&" : "?", (long)getpid());
	plant_and_check(url);
	OK(store_open(pg_url, &admin, &err));
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		snprintf(sql, sizeof(sql), "DROP SCHEMA can_%ld_%s CASCADE", (long)getpid(),
			 document_types[t]);
		OK(store_exec(admin, sql, &err));
	}
	store_close(admin);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_canaries_take_the_reserved_top_indexes),
	    cmocka_unit_test(test_canary_ids_are_valid_unique_and_never_a_loaded_persons),
	    cmocka_unit_test(test_canary_document_numbers_never_collide_with_the_populations),
	    cmocka_unit_test(test_canaries_are_deterministic),
	    cmocka_unit_test(test_canaries_are_distributed_like_the_population),
	    cmocka_unit_test_setup_teardown(test_plan_follows_the_members_lookup_rights,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_only_canaries_with_something_to_show_are_served,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_counter_never_hands_out_a_j_twice, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_index_lines_name_the_canary_by_keyed_hash_only,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_registries_hold_canaries_outside_the_public_counts,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_registries_must_be_those_of_up, tk_dir_setup,
					    tk_dir_teardown),
	};

	const struct CMUnitTest pg_tests[] = {
	    cmocka_unit_test_setup_teardown(test_postgresql_registries_hold_canaries_too,
					    tk_dir_setup, tk_dir_teardown),
	};

	log_set_level(LOG_LEVEL_WARN);
	if (argc == 2 && strcmp(argv[1], "postgresql") == 0) {
		if ((pg_url = tk_pg_url()) == NULL) {
			fprintf(stderr,
				"test_canaries postgresql: no PostgreSQL server (run "
				"through ctest, whose pg.start fixture starts one); this is a "
				"failure, not a skip\n");
			return 1;
		}
		return cmocka_run_group_tests_name("canaries.postgresql", pg_tests, NULL, NULL);
	}
	return cmocka_run_group_tests_name("canaries", tests, NULL, NULL);
}
