/*
 * test_population.c — the synthetic population (src/platform/population*.c).
 *
 *	test_population              everything on SQLite
 *	test_population postgresql   loading into the server tests/store.cmake starts
 *
 * Published examples of the 2010 transliteration table first, then the
 * identifiers' check digits, determinism, every generated document against its
 * schema, the shares of who holds what, the people who live in both countries,
 * the demo citizens, and loading.
 */
#include "testkit/testkit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/documents.h"
#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/store.h"
#include "credential/document_schema.h"
#include "platform/population.h"
#include "platform/population_internal.h"
#include "registry/registry_store.h"

#define SCHEMA_PEOPLE 20000
#define SHARE_PEOPLE  20000

static const char *pg_url;

#define OK(call)                                                                                   \
	do {                                                                                       \
		hr_status rc_ = (call);                                                            \
		if (rc_ != HR_OK)                                                                  \
			fail_msg("%s failed: %s: %s", #call, hr_status_name(rc_), err.message);    \
	} while (0)

static struct population *make(const char *country, uint64_t seed)
{
	struct hr_error err = {0};
	struct population *pop;

	OK(population_new(country, seed, NULL, &pop, &err));
	return pop;
}

/* ---- transliteration: the examples of Resolution No. 55 (2010) ---- */

static void expect_latin(const char *cyrillic, const char *latin)
{
	char out[128];
	size_t n = population_latin_uk(cyrillic, out, sizeof(out));

	if (n == (size_t)-1 || strcmp(out, latin) != 0)
		fail_msg("%s: expected %s, got %s", cyrillic, latin,
			 n == (size_t)-1 ? "(none)" : out);
	assert_int_equal(n, strlen(latin));
}

static void test_transliterates_the_examples_of_the_2010_table(void **state)
{
	(void)state;
	/* the table's own examples, letter by letter */
	expect_latin("Алушта", "Alushta");
	expect_latin("Борщагівка", "Borshchahivka");
	expect_latin("Вишгород", "Vyshhorod");
	expect_latin("Гадяч", "Hadiach");
	expect_latin("Згорани", "Zghorany");
	expect_latin("Ґалаґан", "Galagan");
	expect_latin("Дон", "Don");
	expect_latin("Рівне", "Rivne");
	expect_latin("Єнакієве", "Yenakiieve");
	expect_latin("Наєнко", "Naienko");
	expect_latin("Житомир", "Zhytomyr");
	expect_latin("Закарпаття", "Zakarpattia");
	expect_latin("Медвин", "Medvyn");
	expect_latin("Іршава", "Irshava");
	expect_latin("Їжакевич", "Yizhakevych");
	expect_latin("Кадиївка", "Kadyivka");
	expect_latin("Йосипівка", "Yosypivka");
	expect_latin("Стрий", "Stryi");
	expect_latin("Київ", "Kyiv");
	expect_latin("Лебедин", "Lebedyn");
	expect_latin("Миколаїв", "Mykolaiv");
	expect_latin("Ніжин", "Nizhyn");
	expect_latin("Одеса", "Odesa");
	expect_latin("Полтава", "Poltava");
	expect_latin("Ромни", "Romny");
	expect_latin("Суми", "Sumy");
	expect_latin("Тетерів", "Teteriv");
	expect_latin("Ужгород", "Uzhhorod");
	expect_latin("Фастів", "Fastiv");
	expect_latin("Харків", "Kharkiv");
	expect_latin("Біла Церква", "Bila Tserkva");
	expect_latin("Чернівці", "Chernivtsi");
	expect_latin("Шостка", "Shostka");
	expect_latin("Гоща", "Hoshcha");
	expect_latin("Юрій", "Yurii");
	expect_latin("Корюківка", "Koriukivka");
	expect_latin("Яготин", "Yahotyn");
	expect_latin("Ічня", "Ichnia");
	/* the brief's list */
	expect_latin("Розгон", "Rozghon");
	expect_latin("Щербухи", "Shcherbukhy");
	expect_latin("Олексій", "Oleksii");
	expect_latin("Знам'янка", "Znamianka");
	expect_latin("Ярошенко", "Yaroshenko");
	expect_latin("Короп'є", "Koropie");
	expect_latin("Гаврилюк", "Havryliuk");
	expect_latin("Маріуполь", "Mariupol");
	expect_latin("Феодосія", "Feodosiia");
	expect_latin("Ізмаїл", "Izmail");
	/* the soft sign and every apostrophe are dropped; typographic ones too */
	expect_latin("Львів", "Lviv");
	expect_latin("В’ячеслав", "Viacheslav");
	expect_latin("Мʼята", "Miata");
}

static void test_transliterates_word_starts_after_spaces_and_hyphens(void **state)
{
	(void)state;
	expect_latin("Ярослав Юрій", "Yaroslav Yurii");
	expect_latin("Івано-Франківськ", "Ivano-Frankivsk");
	expect_latin("Кам'янець-Подільський", "Kamianets-Podilskyi");
	expect_latin("Нова Їжа", "Nova Yizha");
	/* a word in capitals stays in capitals, digraphs included */
	expect_latin("ЩЕРБУХИ", "SHCHERBUKHY");
	expect_latin("ЮРІЙ", "YURII");
	expect_latin("ЗГОРАНИ", "ZGHORANY");
	/* other text is copied */
	expect_latin("вул. Шевченка, 12", "vul. Shevchenka, 12");
}

static void test_transliteration_refuses_a_short_buffer(void **state)
{
	char out[6];

	(void)state;
	assert_int_equal(population_latin_uk("Щука", out, sizeof(out)), (size_t)-1);
	assert_int_equal(population_latin_uk("Щук", out, 5), (size_t)-1);
	assert_int_equal(population_latin_uk("Щу", out, sizeof(out)), 5);
	assert_string_equal(out, "Shchu");
}

static void test_polish_latin_drops_diacritics(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(population_latin_pl("Żółć Łukasz Ślęzak", out, sizeof(out)), 18);
	assert_string_equal(out, "Zolc Lukasz Slezak");
	population_latin_pl("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", out, sizeof(out));
	assert_string_equal(out, "acelnoszzACELNOSZZ");
}

/* ---- identity ---- */

static void test_ids_have_valid_check_digits_and_encode_birth_and_sex(void **state)
{
	struct population *ua = make("UA", 1), *pl = make("PL", 1);
	struct population_person p;
	char birth[11];

	(void)state;
	for (uint64_t i = 0; i < 5000; i++) {
		int y, m, d, month;

		population_person(ua, i, &p);
		assert_true(person_id_valid(p.id));
		assert_int_equal(strlen(p.id), 13);
		/* first five digits: days since 1899-12-31; the ninth: odd for men */
		assert_int_equal(atoi((char[]){p.id[3], p.id[4], p.id[5], p.id[6], p.id[7], 0}),
				 p.birth + 25568);
		assert_int_equal((p.id[11] - '0') % 2, p.sex == 'M');

		population_person(pl, i, &p);
		assert_true(person_id_valid(p.id));
		assert_int_equal(strlen(p.id), 14);
		population_civil_from_days(p.birth, &y, &m, &d);
		month = (p.id[5] - '0') * 10 + (p.id[6] - '0');
		assert_int_equal(month, y >= 2000 ? m + 20 : m);
		assert_int_equal((p.id[12] - '0') % 2, p.sex == 'M');
		population_format_date(p.birth, birth);
		assert_int_equal((birth[2] - '0') * 10 + birth[3] - '0',
				 (p.id[3] - '0') * 10 + p.id[4] - '0');
	}
	population_free(ua);
	population_free(pl);
}

static int compare_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_ids_are_unique(void **state)
{
	const size_t n = 200000;
	char(*ids)[16] = malloc(n * sizeof(*ids));
	struct population *pop = make("UA", 7);
	struct population_person p;

	(void)state;
	assert_non_null(ids);
	for (size_t i = 0; i < n; i++) {
		population_person(pop, i, &p);
		memcpy(ids[i], p.id, sizeof(ids[i]));
	}
	qsort(ids, n, sizeof(*ids), compare_text);
	for (size_t i = 1; i < n; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
	population_free(pop);
}

static void test_sort_key_orders_people_as_their_ids(void **state)
{
	const char *countries_[] = {"UA", "PL"};

	(void)state;
	for (int c = 0; c < 2; c++) {
		struct population *pop = make(countries_[c], 3);
		struct population_person a, b;

		for (uint64_t i = 0; i < 3000; i++) {
			uint64_t ka = population_sort_key(pop, i),
				 kb = population_sort_key(pop, i + 1);

			population_person(pop, i, &a);
			population_person(pop, i + 1, &b);
			assert_true((ka < kb) == (strcmp(a.id, b.id) < 0));
		}
		population_free(pop);
	}
}

static void test_person_depends_on_seed_country_and_index_only(void **state)
{
	struct population *a = make("UA", 42), *b = make("UA", 42), *c = make("UA", 43);
	struct population_person p, q;
	struct population_document da[DOCUMENT_TYPE_COUNT], db[DOCUMENT_TYPE_COUNT];
	int same_as_other_seed = 0;

	(void)state;
	/* the same person whatever was generated before */
	population_person(b, 999, &q);
	for (uint64_t i = 0; i < 300; i++) {
		size_t na, nb;

		population_person(a, i, &p);
		population_person(b, i, &q);
		assert_memory_equal(&p, &q, sizeof(p));
		na = population_documents(a, &p, da);
		nb = population_documents(b, &q, db);
		assert_int_equal(na, nb);
		for (size_t d = 0; d < na; d++) {
			assert_int_equal(da[d].type, db[d].type);
			assert_string_equal(da[d].number, db[d].number);
			assert_string_equal(da[d].status, db[d].status);
			assert_string_equal(da[d].fields, db[d].fields);
		}
		population_person(c, i, &q);
		same_as_other_seed += strcmp(p.id, q.id) == 0;
	}
	assert_true(same_as_other_seed < 3);
	population_free(a);
	population_free(b);
	population_free(c);
}

static void test_a_known_person_stays_the_same(void **state)
{
	struct population *pop = make("UA", 1);
	struct population_person p;

	(void)state;
	/* Changing who person 0 is changes every stored population: bump
	 * POPULATION_GENERATOR_VERSION and this test together. */
	population_person(pop, 0, &p);
	assert_int_equal(POPULATION_GENERATOR_VERSION, 3);
	assert_true(person_id_valid(p.id));
	printf("    UA person 0 of seed 1: %s %s %s %s\n", p.id, p.family_name, p.given_name,
	       p.family_name_latin);
	population_free(pop);
}

/* An earlier version differs from the document only in its address, and
 * ended on a day between its issue and the as-of date. */
static void test_people_move(void **state)
{
	struct population *pop = make("UA", 7);
	struct population_document *docs = calloc(DOCUMENT_TYPE_COUNT, sizeof(*docs));
	struct population_version *v = calloc(POPULATION_VERSIONS_MAX, sizeof(*v));
	unsigned adults = 0, moved = 0;

	(void)state;
	assert_non_null(docs);
	assert_non_null(v);
	for (uint64_t i = 0; i < 5000; i++) {
		struct population_person p;
		size_t n, h;

		population_person(pop, i, &p);
		n = population_documents(pop, &p, docs);
		h = population_history(pop, &p, docs, n, v);
		assert_int_equal(h, population_history(pop, &p, docs, n, v)); /* deterministic */
		for (size_t k = 0; k < n; k++)
			adults += docs[k].type == 0;
		moved += h > 0;
		for (size_t k = 0; k < h; k++) {
			const struct population_document *d = NULL;

			for (size_t j = 0; j < n; j++)
				if (docs[j].type == v[k].type)
					d = &docs[j];
			assert_non_null(d);
			assert_string_equal(v[k].number, d->number);
			assert_int_equal(v[k].valid_from, d->issued);
			assert_true(v[k].valid_from < v[k].valid_to);
			assert_true(v[k].valid_to < population_today());
			assert_true(strstr(d->fields, "\"address\"") != NULL);
			assert_string_not_equal(v[k].fields, d->fields);
		}
	}
	/* a quarter of adults moved in twelve years; those whose card is newer
	 * than the move have no earlier version */
	printf("    %u of %u ID card holders have an earlier address\n", moved, adults);
	assert_true(moved > adults / 20 && moved < adults / 3);
	free(docs);
	free(v);
	population_free(pop);
}

static void test_rejects_unknown_countries(void **state)
{
	struct hr_error err = {0};
	struct population *pop = (struct population *)1;

	(void)state;
	assert_int_equal(population_new("DE", 1, NULL, &pop, &err), HR_E_INVALID);
	assert_null(pop);
	assert_int_equal(population_new(NULL, 1, NULL, &pop, &err), HR_E_INVALID);
	assert_string_equal(err.stage, "population");
}

/* ---- documents ---- */

struct tally {
	uint64_t people, adults, citizens, men_18_60, aged_17_25, foreign;
	uint64_t by_type[DOCUMENT_TYPE_COUNT];
	uint64_t status[4];
	uint64_t vaccination_entries;
	uint64_t students_17_25, soldiers_18_60, permits_foreign;
};

static int status_index(const char *status)
{
	static const char *const names[] = {"valid", "suspended", "expired", "lost"};

	for (int i = 0; i < 4; i++) {
		if (strcmp(status, names[i]) == 0)
			return i;
	}
	fail_msg("unknown status %s", status);
	return 0;
}

/* Every document of `people` people passes its schema; counts who holds what. */
static void check_documents(const char *country, uint64_t seed, uint64_t people, struct tally *t)
{
	struct population *pop = make(country, seed);
	struct population_document *docs = malloc(DOCUMENT_TYPE_COUNT * sizeof(*docs));
	struct population_person p;
	int32_t today = population_today();
	struct hr_error err = {0};

	assert_non_null(docs);
	memset(t, 0, sizeof(*t));
	for (uint64_t i = 0; i < people; i++) {
		int age;
		size_t n;

		population_person(pop, i, &p);
		age = population_age(p.birth, today);
		t->people++;
		t->adults += age >= 18;
		t->citizens += !p.foreign;
		t->foreign += p.foreign;
		t->men_18_60 += !p.foreign && p.sex == 'M' && age >= 18 && age <= 60;
		t->aged_17_25 += age >= 17 && age <= 25;
		n = population_documents(pop, &p, docs);
		for (size_t d = 0; d < n; d++) {
			json_t *doc;
			const char *expiry, *issue;
			char birth[11];

			OK(population_document_json(&docs[d], &doc, &err));
			if (document_schema_check(doc, &err) != HR_OK)
				fail_msg("%s person %" PRIu64 " %s: %s\n%s", country, i,
					 document_types[docs[d].type], err.message, docs[d].fields);
			/* dates agree with each other and with the holder */
			population_format_date(p.birth, birth);
			assert_string_equal(json_string_value(json_object_get(doc, "birth_date")),
					    birth);
			issue = json_string_value(json_object_get(doc, "issue_date"));
			expiry = json_string_value(json_object_get(doc, "expiry_date"));
			assert_non_null(issue);
			assert_true(strcmp(issue, birth) >= 0);
			assert_true(strcmp(issue, POPULATION_TODAY) < 0);
			if (expiry != NULL) {
				assert_true(strcmp(expiry, issue) > 0);
				/* expired exactly when the expiry date has passed */
				assert_int_equal(strcmp(docs[d].status, "expired") == 0,
						 strcmp(expiry, POPULATION_TODAY) <= 0);
			}
			assert_string_equal(
			    json_string_value(json_object_get(doc, "document_number")),
			    docs[d].number);
			assert_string_equal(json_string_value(json_object_get(doc, "person_id")),
					    p.id);
			t->by_type[docs[d].type]++;
			t->status[status_index(docs[d].status)]++;
			if (docs[d].type == 5)
				t->vaccination_entries +=
				    json_array_size(json_object_get(doc, "vaccinations"));
			if (docs[d].type == 6)
				t->students_17_25 += age >= 17 && age <= 25;
			if (docs[d].type == 7)
				t->soldiers_18_60 += p.sex == 'M' && age >= 18 && age <= 60;
			if (docs[d].type == 4)
				t->permits_foreign += p.foreign;
			json_decref(doc);
		}
	}
	free(docs);
	population_free(pop);
}

static void test_every_document_passes_its_schema_ua(void **state)
{
	struct tally t;

	(void)state;
	check_documents("UA", 1, SCHEMA_PEOPLE, &t);
	check_documents("UA", 987654321, 2000, &t);
}

static void test_every_document_passes_its_schema_pl(void **state)
{
	struct tally t;

	(void)state;
	check_documents("PL", 1, SCHEMA_PEOPLE, &t);
	check_documents("PL", 987654321, 2000, &t);
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0;
}

static void expect_share(const char *what, double got, double lo, double hi)
{
	if (got < lo || got > hi)
		fail_msg("%s: share %.3f outside %.3f..%.3f", what, got, lo, hi);
}

static void test_shares_are_roughly_as_intended(void **state)
{
	const char *const list[] = {"UA", "PL"};
	struct tally t;

	(void)state;
	for (int c = 0; c < 2; c++) {
		uint64_t documents = 0;

		check_documents(list[c], 11, SHARE_PEOPLE, &t);
		for (int d = 0; d < DOCUMENT_TYPE_COUNT; d++)
			documents += t.by_type[d];
		printf("    %s: %" PRIu64 " people, %.2f documents each; valid %.3f suspended %.3f "
		       "expired %.3f lost %.3f\n",
		       list[c], t.people, share(documents, t.people), share(t.status[0], documents),
		       share(t.status[1], documents), share(t.status[2], documents),
		       share(t.status[3], documents));
		expect_share("adults", share(t.adults, t.people), 0.75, 0.86);
		expect_share("id_card per adult", share(t.by_type[0], t.adults), 0.85, 1.0);
		expect_share("foreign_passport", share(t.by_type[1], t.citizens), 0.45, 0.55);
		expect_share("driver_licence per adult", share(t.by_type[2], t.adults), 0.35, 0.50);
		expect_share("vehicle_registration per adult", share(t.by_type[3], t.adults), 0.25,
			     0.35);
		/* other nationalities only: the neighbour's people are population_abroad's */
		expect_share("residence_permit", share(t.by_type[4], t.people),
			     c == 0 ? 0.003 : 0.006, c == 0 ? 0.009 : 0.014);
		assert_int_equal(t.permits_foreign, t.by_type[4]);
		expect_share("vaccination", share(t.by_type[5], t.people), 0.65, 0.75);
		expect_share("vaccination entries per record",
			     share(t.vaccination_entries, t.by_type[5]), 1.2, 2.5);
		assert_int_equal(t.students_17_25, t.by_type[6]);
		expect_share("student_card, aged 17-25", share(t.by_type[6], t.aged_17_25), 0.35,
			     0.55);
		assert_int_equal(t.soldiers_18_60, t.by_type[7]);
		expect_share("military_record, men 18-60", share(t.by_type[7], t.men_18_60),
			     c == 0 ? 0.9 : 0.65, c == 0 ? 1.0 : 0.75);
		expect_share("suspended", share(t.status[1], documents), 0.005, 0.05);
		expect_share("expired", share(t.status[2], documents), 0.01, 0.10);
		expect_share("valid", share(t.status[0], documents), 0.85, 0.98);
	}
}

static void test_document_numbers_are_unique_per_type(void **state)
{
	const uint64_t n = 30000;
	char(*numbers)[33] = malloc(n * sizeof(*numbers));
	struct population_document docs[DOCUMENT_TYPE_COUNT];
	struct population *pop;
	struct population_person p;

	(void)state;
	assert_non_null(numbers);
	for (int c = 0; c < 2; c++) {
		pop = make(c == 0 ? "UA" : "PL", 5);
		for (int type = 0; type < DOCUMENT_TYPE_COUNT; type++) {
			size_t count = 0;

			for (uint64_t i = 0; i < n; i++) {
				size_t k;

				population_person(pop, i, &p);
				k = population_documents(pop, &p, docs);
				for (size_t d = 0; d < k; d++) {
					if (docs[d].type == type)
						memcpy(numbers[count++], docs[d].number, 33);
				}
			}
			qsort(numbers, count, sizeof(*numbers), compare_text);
			for (size_t i = 1; i < count; i++) {
				if (strcmp(numbers[i - 1], numbers[i]) == 0)
					fail_msg("%s %s: number %s twice", c == 0 ? "UA" : "PL",
						 document_types[type], numbers[i]);
			}
			if (type == 2 && count > 0)
				printf("    %s driver_licence number: %s\n", c == 0 ? "UA" : "PL",
				       numbers[count / 2]);
		}
		population_free(pop);
	}
	free(numbers);
}

static void test_formats_look_like_the_real_ones(void **state)
{
	struct population_document docs[DOCUMENT_TYPE_COUNT];
	struct population *ua = make("UA", 1), *pl = make("PL", 1);
	struct population_person p;
	struct hr_error err = {0};
	int seen_plate_ua = 0, seen_plate_pl = 0;

	(void)state;
	for (uint64_t i = 0; i < 3000; i++) {
		for (int c = 0; c < 2; c++) {
			struct population *pop = c == 0 ? ua : pl;
			size_t n;

			population_person(pop, i, &p);
			n = population_documents(pop, &p, docs);
			for (size_t d = 0; d < n; d++) {
				json_t *doc;
				const char *plate;

				if (docs[d].type != 3)
					continue;
				OK(population_document_json(&docs[d], &doc, &err));
				plate = json_string_value(json_object_get(doc, "plate"));
				if (c == 0) {
					/* "AA1234BB" */
					assert_int_equal(strlen(plate), 8);
					for (int k = 2; k < 6; k++)
						assert_true(plate[k] >= '0' && plate[k] <= '9');
					seen_plate_ua++;
				} else {
					/* "WA 12345", "KR 1234A", "GD 123AB" */
					assert_int_equal(strlen(plate), 8);
					assert_int_equal(plate[2], ' ');
					seen_plate_pl++;
				}
				json_decref(doc);
			}
		}
	}
	assert_true(seen_plate_ua > 100);
	assert_true(seen_plate_pl > 100);
	population_free(ua);
	population_free(pl);
}

/* ---- Ukrainians in Poland, Poles in Ukraine ---- */

/* The four serial digits of an id: RNOKPP digits 6-9, PESEL digits 7-10. */
static unsigned id_serial(const char *id)
{
	const char *digits = id + 3;
	size_t at = id[0] == 'U' ? 5 : 6;
	unsigned serial = 0;

	for (size_t i = at; i < at + 4; i++)
		serial = serial * 10 + (unsigned)(digits[i] - '0');
	return serial;
}

struct abroad_tally {
	uint64_t people, residents, children, women, men;
};

/* Everything a resident's record in host must be, against their home record. */
static void check_resident(struct population *home, struct population *host, uint64_t index,
			   const struct population_person *r)
{
	struct population_document docs[DOCUMENT_TYPE_COUNT];
	struct population_person me;
	struct hr_error err = {0};
	bool permit = false;
	char latin[POPULATION_NAME_MAX];
	size_t n;

	population_person(home, index, &me);
	assert_string_equal(r->home_id, me.id);
	assert_true(person_id_valid(r->id));
	assert_int_equal(strncmp(r->id, population_country(host), 2), 0);
	/* the same person: birth date and sex, in the id too */
	assert_int_equal(r->birth, me.birth);
	assert_int_equal(r->sex, me.sex);
	assert_int_equal(id_serial(r->id) % 2, r->sex == 'M');
	/* a serial no native of the host can have */
	assert_true(id_serial(r->id) >= 9000);
	assert_true(r->foreign);
	assert_string_equal(r->nationality,
			    strcmp(population_country(home), "UA") == 0 ? "UKR" : "POL");
	assert_string_equal(r->family_name_latin, me.family_name_latin);
	assert_string_equal(r->given_name_latin, me.given_name_latin);
	assert_string_equal(r->patronymic, "");
	if (strcmp(population_country(home), "UA") == 0) {
		/* written as in the passport, in the 2010 table's Latin */
		assert_int_not_equal(population_latin_uk(me.family_name, latin, sizeof(latin)),
				     (size_t)-1);
		assert_string_equal(r->family_name, latin);
		assert_int_not_equal(population_latin_uk(me.given_name, latin, sizeof(latin)),
				     (size_t)-1);
		assert_string_equal(r->given_name, latin);
		/* a Polish address: "ul. ..., 00-950 Warszawa" */
		assert_int_equal(strncmp(r->address, "ul. ", 4), 0);
	} else {
		assert_string_equal(r->family_name, me.family_name);
		assert_string_equal(r->given_name, me.given_name);
		assert_non_null(strstr(r->address, "вул. "));
	}
	/* a residence permit always, a student card perhaps, nothing else */
	n = population_documents(host, r, docs);
	for (size_t d = 0; d < n; d++) {
		json_t *doc;

		assert_true(docs[d].type == 4 || docs[d].type == 6);
		permit = permit || docs[d].type == 4;
		OK(population_document_json(&docs[d], &doc, &err));
		if (document_schema_check(doc, &err) != HR_OK)
			fail_msg("%s resident %s: %s\n%s", population_country(host), r->id,
				 err.message, docs[d].fields);
		assert_string_equal(json_string_value(json_object_get(doc, "person_id")), r->id);
		if (docs[d].type == 4) {
			assert_string_equal(json_string_value(json_object_get(doc, "nationality")),
					    r->nationality);
			assert_string_equal(json_string_value(json_object_get(doc, "address")),
					    r->address);
		}
		json_decref(doc);
	}
	assert_true(permit);
}

static void tally_abroad(const char *home_country, uint64_t people, struct abroad_tally *t)
{
	struct population *home = make(home_country, 11),
			  *host = make(strcmp(home_country, "UA") == 0 ? "PL" : "UA", 11);
	struct population_person r;
	int32_t today = population_today();

	memset(t, 0, sizeof(*t));
	for (uint64_t i = 0; i < people; i++) {
		uint64_t key;
		bool abroad = population_abroad(home, host, i, &r);

		t->people++;
		/* the loader's quick test agrees, and sorts them as their ids */
		assert_int_equal(population_abroad_key(home, host, i, &key), abroad);
		if (!abroad)
			continue;
		t->residents++;
		if (population_age(r.birth, today) < 18)
			t->children++;
		else if (r.sex == 'F')
			t->women++;
		else
			t->men++;
		if (t->residents <= 3000)
			check_resident(home, host, i, &r);
	}
	population_free(home);
	population_free(host);
}

static void test_residents_abroad_are_the_same_people(void **state)
{
	struct abroad_tally t;

	(void)state;
	/* Ukrainians in Poland: 2.5-3% (a PESEL for about a million of ~38 million),
	 * mostly women and children */
	tally_abroad("UA", 200000, &t);
	printf("    UA in PL: %.2f%%: children %.2f, women %.2f, men %.2f\n",
	       100 * share(t.residents, t.people), share(t.children, t.residents),
	       share(t.women, t.residents), share(t.men, t.residents));
	expect_share("Ukrainians living in Poland", share(t.residents, t.people), 0.025, 0.031);
	expect_share("children among them", share(t.children, t.residents), 0.35, 0.47);
	expect_share("men among them", share(t.men, t.residents), 0.15, 0.25);
	/* Poles in Ukraine: far fewer */
	tally_abroad("PL", 200000, &t);
	printf("    PL in UA: %.2f%%\n", 100 * share(t.residents, t.people));
	expect_share("Poles living in Ukraine", share(t.residents, t.people), 0.0012, 0.0024);
}

static void test_natives_never_take_a_residents_serial(void **state)
{
	const char *const list[] = {"UA", "PL"};
	struct population_person p;

	(void)state;
	for (int c = 0; c < 2; c++) {
		struct population *pop = make(list[c], 5);

		for (uint64_t i = 0; i < 100000; i++) {
			population_person(pop, i, &p);
			assert_true(id_serial(p.id) < 9000);
		}
		population_free(pop);
	}
}

static void test_residents_ids_are_unique(void **state)
{
	const size_t n = 600000;
	struct population *ua = make("UA", 8), *pl = make("PL", 8);
	char(*ids)[16] = malloc(40000 * sizeof(*ids));
	struct population_person r;
	size_t count = 0;

	(void)state;
	assert_non_null(ids);
	for (size_t i = 0; i < n && count < 40000; i++) {
		if (population_abroad(ua, pl, i, &r))
			memcpy(ids[count++], r.id, sizeof(ids[0]));
	}
	assert_true(count > 10000);
	qsort(ids, count, sizeof(*ids), compare_text);
	for (size_t i = 1; i < count; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
	population_free(ua);
	population_free(pl);
}

/* ---- demo ---- */

/* The demo's citizens who live abroad, each checked against the generator:
 * their id there is population_abroad's, with a valid permit among what is
 * listed. Returns how many there are. */
static size_t check_demo_abroad(const char *country, const char *today, const json_t *demo)
{
	const char *other_country = strcmp(country, "UA") == 0 ? "PL" : "UA";
	struct hr_error err = {0};
	struct population *pop, *other;
	const json_t *entry;
	size_t i, found = 0;

	OK(population_new(country, 1, today, &pop, &err));
	OK(population_new(other_country, 1, today, &other, &err));
	json_array_foreach(demo, i, entry)
	{
		const json_t *abroad = json_object_get(entry, "abroad"), *there, *type;
		const char *person = json_string_value(json_object_get(entry, "person"));
		struct population_person r;
		bool permit = false, matched = false;
		size_t k;

		if (abroad == NULL)
			continue;
		found++;
		assert_int_equal(json_array_size(abroad), 1);
		there = json_array_get(abroad, 0);
		assert_string_equal(json_string_value(json_object_get(there, "country")),
				    other_country);
		assert_true(person_id_valid(json_string_value(json_object_get(there, "person"))));
		json_array_foreach(json_object_get(there, "documents"), k, type)
		{
			assert_true(document_type_index(json_string_value(type)) >= 0);
			permit = permit || strcmp(json_string_value(type), "residence_permit") == 0;
		}
		assert_true(permit);
		/* they have something to show at home too */
		assert_true(json_array_size(json_object_get(entry, "documents")) > 0);
		for (uint64_t index = 0; index < POPULATION_DEFAULT_PEOPLE && !matched; index++) {
			if (!population_abroad(pop, other, index, &r) ||
			    strcmp(r.home_id, person) != 0)
				continue;
			assert_string_equal(r.id,
					    json_string_value(json_object_get(there, "person")));
			matched = true;
		}
		assert_true(matched);
	}
	population_free(pop);
	population_free(other);
	return found;
}

/* The demo names documents valid on the real day: a population dated today. */
static void today_utc(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void test_demo_covers_every_type_with_ten_people(void **state)
{
	const char *const list[] = {"UA", "PL"};
	struct hr_error err = {0};
	char today[11];

	(void)state;
	today_utc(today);
	for (int c = 0; c < 2; c++) {
		bool covered[DOCUMENT_TYPE_COUNT] = {false};
		json_t *demo, *entry, *again;
		size_t i, k;

		OK(population_demo(list[c], 1, today, POPULATION_DEFAULT_PEOPLE, 10, &demo, &err));
		assert_true(json_is_array(demo));
		assert_true(json_array_size(demo) >= 10);
		json_array_foreach(demo, i, entry)
		{
			json_t *type;
			const char *person = json_string_value(json_object_get(entry, "person"));

			assert_non_null(person);
			assert_true(person_id_valid(person));
			assert_int_equal(strncmp(person, list[c], 2), 0);
			assert_non_null(json_string_value(json_object_get(entry, "family_name")));
			assert_non_null(json_string_value(json_object_get(entry, "given_name")));
			json_array_foreach(json_object_get(entry, "documents"), k, type)
			{
				int index = document_type_index(json_string_value(type));
				assert_true(index >= 0);
				covered[index] = true;
			}
		}
		for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
			if (!covered[t])
				fail_msg("%s demo lacks %s", list[c], document_types[t]);
		}
		/* at least two who also live in the other country */
		assert_true(check_demo_abroad(list[c], today, demo) >= 2);
		/* deterministic */
		OK(population_demo(list[c], 1, today, POPULATION_DEFAULT_PEOPLE, 10, &again, &err));
		assert_true(json_equal(demo, again));
		json_decref(again);
		json_decref(demo);
	}
}

static void test_demo_chooses_only_loaded_people(void **state)
{
	struct hr_error err = {0};
	struct population *pop = make("UA", 1);
	struct population_person p;
	json_t *demo, *entry;
	size_t i;

	(void)state;
	OK(population_demo("UA", 1, NULL, 50, 10, &demo, &err));
	json_array_foreach(demo, i, entry)
	{
		bool found = false;

		for (uint64_t k = 0; k < 50 && !found; k++) {
			population_person(pop, k, &p);
			found =
			    strcmp(p.id, json_string_value(json_object_get(entry, "person"))) == 0;
		}
		assert_true(found);
	}
	json_decref(demo);
	population_free(pop);
}

/* ---- loading ---- */

static int64_t query_int(struct store *store, const char *sql)
{
	struct hr_error err = {0};
	struct store_stmt *stmt;
	bool has_row;
	int64_t value;

	OK(store_prepare(store, sql, &stmt, &err));
	OK(store_step(stmt, &has_row, &err));
	assert_true(has_row);
	value = store_column_int64(stmt, 0);
	store_stmt_free(stmt);
	return value;
}

static int progress_calls;

static void count_progress(void *arg, const struct population_load_stats *s)
{
	(void)arg;
	(void)s;
	progress_calls++;
}

/* The people a load with options o makes: its own, then the other country's who live here. */
struct loaded {
	struct population *pop, *partner;
	uint64_t people, partner_people;
};

static void loaded_open(struct loaded *l, const struct population_load_options *o)
{
	l->pop = make(o->country, o->seed);
	l->partner = make(strcmp(o->country, "UA") == 0 ? "PL" : "UA", o->seed);
	l->people = o->people;
	l->partner_people = o->partner_people;
}

static void loaded_close(struct loaded *l)
{
	population_free(l->pop);
	population_free(l->partner);
}

/* The k-th person the load makes (natives first), false past the last. */
static bool loaded_person(const struct loaded *l, uint64_t *k, struct population_person *p)
{
	while (*k < l->people + l->partner_people) {
		uint64_t i = (*k)++;

		if (i < l->people) {
			population_person(l->pop, i, p);
			return true;
		}
		if (population_abroad(l->partner, l->pop, i - l->people, p))
			return true;
	}
	return false;
}

/* Loads people with options o and checks every registry against the generator. */
static void load_and_check(struct population_load_options *o, const char *url_template_filled)
{
	struct hr_error err = {0};
	struct population_load_stats stats;
	struct loaded l;
	struct population_person p;
	struct population_document docs[DOCUMENT_TYPE_COUNT];
	uint64_t expected[DOCUMENT_TYPE_COUNT] = {0}, total = 0, people = 0, residents = 0;
	uint64_t k = 0;

	o->as_of = POPULATION_TODAY; /* the date make() dates against */
	loaded_open(&l, o);
	while (loaded_person(&l, &k, &p)) {
		size_t n = population_documents(l.pop, &p, docs);

		for (size_t d = 0; d < n; d++)
			expected[docs[d].type]++;
		total += n;
		people++;
		residents += p.home_id[0] != 0;
	}
	/* a residence permit for every resident: one link each */
	assert_true(residents <= expected[4]);
	progress_calls = 0;
	o->progress = count_progress;
	OK(population_load(o, &stats, &err));
	assert_false(stats.reused);
	assert_int_equal(stats.people, people);
	assert_int_equal(stats.residents, residents);
	assert_int_equal(stats.rows, total);
	assert_true(progress_calls >= 1);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		char url[1024], *mark;
		struct store *store;
		struct store_stmt *stmt;
		bool has_row;

		assert_int_equal(stats.rows_by_type[t], expected[t]);
		snprintf(url, sizeof(url), "%s", url_template_filled);
		mark = strstr(url, "{type}");
		if (mark != NULL) {
			char rest[1024];
			snprintf(rest, sizeof(rest), "%s", mark + 6);
			snprintf(mark, sizeof(url) - (size_t)(mark - url), "%s%s",
				 document_types[t], rest);
		} else {
			snprintf(url, sizeof(url), "sqlite:%s/%s/registry-%s/registry.db",
				 o->state_dir, o->country, document_types[t]);
		}
		OK(store_open(url, &store, &err));
		assert_int_equal(query_int(store, "SELECT COUNT(*) FROM documents"),
				 (int64_t)expected[t]);
		assert_int_equal(query_int(store, "SELECT people FROM population"),
				 (int64_t)o->people);
		assert_int_equal(query_int(store, "SELECT partner_people FROM population"),
				 (int64_t)o->partner_people);
		/* only the residence permit registry knows residents' home ids */
		assert_int_equal(query_int(store, "SELECT COUNT(*) FROM person_links"),
				 t == 4 ? (int64_t)residents : 0);
		/* a stored row is exactly what the generator makes for its person: the
		 * first ones, and residents' */
		OK(store_prepare(store,
				 t == 4 ? "SELECT d.person, d.document_number, d.status, d.fields, "
					  "l.alias FROM documents d LEFT JOIN person_links l "
					  "ON l.person = d.person ORDER BY d.person"
					: "SELECT person, document_number, status, fields, NULL "
					  "FROM documents ORDER BY person LIMIT 3",
				 &stmt, &err));
		while (store_step(stmt, &has_row, &err) == HR_OK && has_row) {
			const char *person = store_column_text(stmt, 0, NULL);
			json_t *stored, *made;
			size_t len;
			const char *fields = store_column_text(stmt, 3, &len);
			bool found = false;

			OK(hr_json_parse_object(fields, len, &stored, &err));
			k = 0;
			while (!found && loaded_person(&l, &k, &p)) {
				size_t n;

				if (strcmp(p.id, person) != 0)
					continue;
				/* a link is to the resident, from their id at home */
				if (store_column_is_null(stmt, 4))
					assert_string_equal(p.home_id, "");
				else
					assert_string_equal(store_column_text(stmt, 4, NULL),
							    p.home_id);
				n = population_documents(l.pop, &p, docs);
				for (size_t d = 0; d < n; d++) {
					if (docs[d].type != t)
						continue;
					OK(hr_json_parse_object(docs[d].fields, docs[d].fields_len,
								&made, &err));
					assert_true(json_equal(stored, made));
					assert_string_equal(store_column_text(stmt, 1, NULL),
							    docs[d].number);
					assert_string_equal(store_column_text(stmt, 2, NULL),
							    docs[d].status);
					json_decref(made);
					found = true;
				}
			}
			assert_true(found);
			json_decref(stored);
		}
		store_stmt_free(stmt);
		/* every link leads from a resident's home id to their permit here */
		if (t == 4 && residents > 0) {
			OK(store_prepare(store,
					 "SELECT COUNT(*) FROM person_links l JOIN documents d "
					 "ON d.person = l.person",
					 &stmt, &err));
			assert_int_equal(store_step(stmt, &has_row, &err), HR_OK);
			assert_int_equal(store_column_int64(stmt, 0), (int64_t)residents);
			store_stmt_free(stmt);
		}
		store_close(store);
	}

	/* a second load of the same population reuses it */
	OK(population_load(o, &stats, &err));
	assert_true(stats.reused);
	loaded_close(&l);
}

static void test_loads_into_sqlite_and_reuses_it(void **state)
{
	struct hr_error err = {0};
	struct population_load_stats stats;
	char dir[256], path[512];
	struct population_load_options o = {
	    .country = "PL", .seed = 9, .people = 3000, .partner_people = 2500, .batch_rows = 700};
	struct store *store;

	(void)state;
	tk_tmpdir(dir);
	o.state_dir = dir;
	load_and_check(&o, "");
	/* another size of the other country's population is another population */
	o.partner_people = 2000;
	OK(population_load(&o, &stats, &err));
	assert_false(stats.reused);
	assert_true(stats.residents > 20);

	/* another size replaces the population instead of adding to it */
	o.people = 1000;
	OK(population_load(&o, &stats, &err));
	assert_false(stats.reused);
	snprintf(path, sizeof(path), "sqlite:%s/PL/registry-id_card/registry.db", dir);
	OK(store_open(path, &store, &err));
	assert_int_equal(query_int(store, "SELECT COUNT(*) FROM population"), 1);
	assert_int_equal(query_int(store, "SELECT COUNT(*) FROM documents"),
			 (int64_t)stats.rows_by_type[0]);
	store_close(store);
	/* --force loads the same population again */
	o.force = true;
	OK(population_load(&o, &stats, &err));
	assert_false(stats.reused);
	tk_rmrf(dir);
}

static void test_loads_through_a_url_template(void **state)
{
	char dir[256], url[512];
	struct population_load_options o = {
	    .country = "UA", .seed = 2, .people = 2000, .partner_people = 5000};

	(void)state;
	tk_tmpdir(dir);
	snprintf(url, sizeof(url), "sqlite:%s/ua-{type}.db", dir);
	o.url_template = url;
	load_and_check(&o, url);
	tk_rmrf(dir);
}

static void test_load_refuses_bad_options(void **state)
{
	struct hr_error err = {0};
	struct population_load_stats stats;
	struct population_load_options o = {.country = "UA", .seed = 1, .people = 10};

	(void)state;
	o.url_template = "sqlite:/tmp/all-in-one.db";
	assert_int_equal(population_load(&o, &stats, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "{type}"));
	o.url_template = NULL;
	assert_int_equal(population_load(&o, &stats, &err), HR_E_INVALID);
	o.state_dir = "/tmp";
	o.people = 0;
	assert_int_equal(population_load(&o, &stats, &err), HR_E_INVALID);
	o.people = POPULATION_PEOPLE_MAX + 1;
	assert_int_equal(population_load(&o, &stats, &err), HR_E_INVALID);
	/* the top indexes are the canary citizens': no population reaches them */
	o.people = POPULATION_LOAD_MAX + 1;
	assert_int_equal(population_load(&o, &stats, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "canary"));
	o.people = 10;
	o.partner_people = POPULATION_LOAD_MAX + 1;
	assert_int_equal(population_load(&o, &stats, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "other country"));
	o.partner_people = 0;
	o.country = "XX";
	assert_int_equal(population_load(&o, &stats, &err), HR_E_INVALID);
	o.country = "UA";
	o.as_of = "2026-02-30";
	assert_int_equal(population_load(&o, &stats, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "as-of"));
	o.as_of = "26-02-01";
	assert_int_equal(population_load(&o, &stats, &err), HR_E_INVALID);
}

/* Without a date a load is dated today, and a later load without one keeps
 * what is there; a load asking for another date replaces it. */
static void test_as_of_is_kept_by_later_loads(void **state)
{
	struct hr_error err = {0};
	struct population_load_stats stats;
	struct population_load_options o = {.country = "UA", .seed = 3, .people = 200};
	char dir[256], today[11];

	(void)state;
	tk_tmpdir(dir);
	today_utc(today);
	o.state_dir = dir;
	OK(population_load(&o, &stats, &err));
	assert_false(stats.reused);
	assert_string_equal(stats.as_of, today);
	OK(population_load(&o, &stats, &err));
	assert_true(stats.reused);
	assert_string_equal(stats.as_of, today);
	o.as_of = "2024-01-31";
	OK(population_load(&o, &stats, &err));
	assert_false(stats.reused);
	assert_string_equal(stats.as_of, "2024-01-31");
	o.as_of = NULL;
	OK(population_load(&o, &stats, &err));
	assert_true(stats.reused);
	assert_string_equal(stats.as_of, "2024-01-31");
	tk_rmrf(dir);
}

static void test_registry_store_load_rejects_duplicates_atomically(void **state)
{
	struct hr_error err = {0};
	struct store *store;
	const struct registry_record records[] = {
	    {"UA:3012345670", "AB123", "valid", "{\"a\":1}", 5},
	    {"UA:3012345670", "AB124", "lost", "{\"a\":\"tab\\there\"}", 6},
	    {"UA:3012345670", "AB123", "valid", "{}", 7},
	};

	(void)state;
	OK(store_open("sqlite::memory:", &store, &err));
	OK(store_migrate(store, registry_migrations, registry_migration_count, &err));
	assert_int_equal(registry_store_load(store, records, 3, &err), HR_E_CONFLICT);
	assert_string_equal(err.stage, "registry");
	assert_int_equal(query_int(store, "SELECT COUNT(*) FROM documents"), 0);
	OK(registry_store_load(store, records, 2, &err));
	assert_int_equal(query_int(store, "SELECT COUNT(*) FROM documents"), 2);
	assert_int_equal(query_int(store, "SELECT CAST(SUM(updated_at) AS BIGINT) FROM documents"),
			 11);
	/* a status outside the four is refused by the table itself */
	{
		const struct registry_record bad = {"UA:3012345670", "X1", "stolen", "{}", 1};
		assert_int_equal(registry_store_load(store, &bad, 1, &err), HR_E_CONFLICT);
	}
	store_close(store);
}

/* ---- PostgreSQL ---- */

static void test_loads_into_postgresql(void **state)
{
	struct hr_error err = {0};
	struct store *admin;
	char sql[256], url[1200], base[1024];
	struct population_load_options o = {
	    .country = "UA", .seed = 4, .people = 3000, .partner_people = 3000};
	const char *q;

	(void)state;
	OK(store_open(pg_url, &admin, &err));
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS pop_%ld_%s WITH (FORCE)",
			 (long)getpid(), document_types[t]);
		OK(store_exec(admin, sql, &err));
		snprintf(sql, sizeof(sql), "CREATE DATABASE pop_%ld_%s", (long)getpid(),
			 document_types[t]);
		OK(store_exec(admin, sql, &err));
	}
	/* the harness URL with dbname=pop_PID_{type} */
	snprintf(base, sizeof(base), "%s", pg_url);
	q = strchr(base, '?');
	snprintf(url, sizeof(url), "%s%sdbname=pop_%ld_{type}", base, q ? "&" : "?",
		 (long)getpid());
	o.url_template = url;
	o.batch_rows = 500;
	load_and_check(&o, url);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS pop_%ld_%s WITH (FORCE)",
			 (long)getpid(), document_types[t]);
		OK(store_exec(admin, sql, &err));
	}

	/* one database, a schema per registry (created by the store) */
	snprintf(url, sizeof(url), "%s%sschema=pop_%ld_{type}", base, q ? "&" : "?",
		 (long)getpid());
	o.country = "PL";
	o.url_template = url;
	o.partner_people = 4000;
	load_and_check(&o, url);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		snprintf(sql, sizeof(sql), "DROP SCHEMA pop_%ld_%s CASCADE", (long)getpid(),
			 document_types[t]);
		OK(store_exec(admin, sql, &err));
	}
	store_close(admin);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_transliterates_the_examples_of_the_2010_table),
	    cmocka_unit_test(test_transliterates_word_starts_after_spaces_and_hyphens),
	    cmocka_unit_test(test_transliteration_refuses_a_short_buffer),
	    cmocka_unit_test(test_polish_latin_drops_diacritics),
	    cmocka_unit_test(test_ids_have_valid_check_digits_and_encode_birth_and_sex),
	    cmocka_unit_test(test_ids_are_unique),
	    cmocka_unit_test(test_sort_key_orders_people_as_their_ids),
	    cmocka_unit_test(test_person_depends_on_seed_country_and_index_only),
	    cmocka_unit_test(test_a_known_person_stays_the_same),
	    cmocka_unit_test(test_people_move),
	    cmocka_unit_test(test_rejects_unknown_countries),
	    cmocka_unit_test(test_every_document_passes_its_schema_ua),
	    cmocka_unit_test(test_every_document_passes_its_schema_pl),
	    cmocka_unit_test(test_shares_are_roughly_as_intended),
	    cmocka_unit_test(test_document_numbers_are_unique_per_type),
	    cmocka_unit_test(test_formats_look_like_the_real_ones),
	    cmocka_unit_test(test_residents_abroad_are_the_same_people),
	    cmocka_unit_test(test_natives_never_take_a_residents_serial),
	    cmocka_unit_test(test_residents_ids_are_unique),
	    cmocka_unit_test(test_demo_covers_every_type_with_ten_people),
	    cmocka_unit_test(test_demo_chooses_only_loaded_people),
	    cmocka_unit_test(test_loads_into_sqlite_and_reuses_it),
	    cmocka_unit_test(test_loads_through_a_url_template),
	    cmocka_unit_test(test_load_refuses_bad_options),
	    cmocka_unit_test(test_as_of_is_kept_by_later_loads),
	    cmocka_unit_test(test_registry_store_load_rejects_duplicates_atomically),
	};
	const struct CMUnitTest pg_tests[] = {
	    cmocka_unit_test(test_loads_into_postgresql),
	};

	log_set_level(LOG_LEVEL_WARN);
	if (argc == 2 && strcmp(argv[1], "postgresql") == 0) {
		if ((pg_url = tk_pg_url()) == NULL) {
			fprintf(stderr, "test_population postgresql: no PostgreSQL server "
					"(run through ctest, whose pg.start fixture starts one); "
					"this is a failure, not a skip\n");
			return 1;
		}
		return cmocka_run_group_tests_name("population.postgresql", pg_tests, NULL, NULL);
	}
	return cmocka_run_group_tests_name("population", tests, NULL, NULL);
}
