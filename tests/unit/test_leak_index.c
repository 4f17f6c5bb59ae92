/*
 * test_leak_index.c — leakscan's keyed-hash index (src/leak/leak_index.h),
 * the kinds of dump columns (leak_columns.h) and the overlap set
 * (leak_overlap.h): lookups through growth, the file round trip and its
 * refusals, days in every form dumps write them, addresses, column names in
 * four languages and by their values.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leak/leak_columns.h"
#include "leak/leak_index.h"
#include "leak/leak_overlap.h"

#define PEOPLE 50000

static const uint8_t key[SECRET_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static void fill(struct leak_index *x)
{
	char id[32];

	for (unsigned i = 0; i < PEOPLE; i++) {
		struct leak_person *p;
		struct leak_document d = {0};
		uint32_t slot;
		int n = snprintf(id, sizeof(id), "UA:%010u", i);

		p = leak_index_person_at(x, leak_index_tag(x, id, (size_t)n), &slot);
		assert_non_null(p);
		p->birth = (uint16_t)(i % 40000 + 1);
		p->family = leak_index_value(x, 'n', id, (size_t)n);
		n = snprintf(id, sizeof(id), "FA%06u", i);
		d.tag = leak_index_tag(x, id, (size_t)n);
		d.person = slot;
		d.type = 1;
		d.issued = (uint16_t)(i % 1000 + 40000);
		assert_int_equal(leak_index_add_document(x, &d, NULL), HR_OK);
	}
}

static void check(const struct leak_index *x)
{
	char id[32];

	assert_int_equal(leak_index_people(x), PEOPLE);
	assert_int_equal(leak_index_documents(x), PEOPLE);
	for (unsigned i = 0; i < PEOPLE; i++) {
		int n = snprintf(id, sizeof(id), "UA:%010u", i);
		const struct leak_person *p =
		    leak_index_find_person(x, leak_index_tag(x, id, (size_t)n));
		const struct leak_document *d;

		assert_non_null(p);
		assert_int_equal(p->birth, i % 40000 + 1);
		assert_int_equal(p->family, leak_index_value(x, 'n', id, (size_t)n));
		n = snprintf(id, sizeof(id), "FA%06u", i);
		d = leak_index_find_document(x, leak_index_tag(x, id, (size_t)n));
		assert_non_null(d);
		assert_ptr_equal(leak_index_person(x, d->person), p);
		assert_int_equal(d->issued, i % 1000 + 40000);
	}
	assert_null(leak_index_find_person(x, leak_index_tag(x, "UA:9999999999", 13)));
	assert_null(leak_index_find_document(x, leak_index_tag(x, "ZZ000000", 8)));
}

static void test_finds_what_it_holds_through_growth_and_a_file(void **state)
{
	struct leak_index *x, *y;
	struct hr_error err = {0};
	char path[300];
	uint8_t other[SECRET_LEN] = {9};

	(void)state;
	/* started small: the tables grow many times over */
	assert_int_equal(leak_index_new(key, 10, 10, &x, &err), HR_OK);
	fill(x);
	check(x);
	tk_dir_path(path, sizeof(path), "index.bin");
	assert_int_equal(leak_index_save(x, path, "stamp-1", &err), HR_OK);
	assert_int_equal(leak_index_load(key, path, "stamp-1", &y, &err), HR_OK);
	check(y);
	leak_index_free(y);
	/* other registries, another key, or a cut file: build again */
	assert_int_equal(leak_index_load(key, path, "stamp-2", &y, &err), HR_E_NOT_FOUND);
	assert_null(y);
	assert_int_equal(leak_index_load(other, path, "stamp-1", &y, &err), HR_E_NOT_FOUND);
	assert_null(y);
	{
		size_t len;
		char *data = tk_read_file(path, &len);
		FILE *f = fopen(path, "wb");

		assert_non_null(data);
		assert_non_null(f);
		assert_int_equal(fwrite(data, 1, len - 7, f), len - 7);
		fclose(f);
		free(data);
	}
	assert_int_equal(leak_index_load(key, path, "stamp-1", &y, &err), HR_E_NOT_FOUND);
	assert_null(y);
	/* another key gives other tags: the file names nobody without it */
	assert_int_equal(leak_index_new(other, 10, 10, &y, &err), HR_OK);
	assert_int_not_equal(leak_index_tag(x, "UA:0000000001", 13),
			     leak_index_tag(y, "UA:0000000001", 13));
	leak_index_free(y);
	leak_index_free(x);
}

static void test_days_in_every_form(void **state)
{
	char text[11];
	uint16_t day = leak_day_parse("1990-03-09", 10);

	(void)state;
	assert_int_not_equal(day, 0);
	assert_int_equal(leak_day_parse("09.03.1990", 10), day);
	assert_int_equal(leak_day_parse("09/03/1990", 10), day);
	assert_int_equal(leak_day_parse("19900309", 8), day);
	assert_int_equal(leak_day_parse("1990-03-09T00:00:00Z", 20), day);
	assert_int_equal(leak_day_parse(" \"1990-03-09 12:00", 18), day);
	leak_day_format(day, text);
	assert_string_equal(text, "1990-03-09");
	assert_int_equal(leak_day_parse("1900-01-01", 10), 0); /* day 0 is "none" */
	leak_day_format(leak_day_parse("2079-06-06", 10), text);
	assert_string_equal(text, "2079-06-06");
	assert_int_equal(leak_day_parse("2023-02-29", 10), 0);
	assert_int_equal(leak_day_parse("2024-02-29", 10) - leak_day_parse("2024-02-28", 10), 1);
	assert_int_equal(leak_day_parse("1990-13-01", 10), 0);
	assert_int_equal(leak_day_parse("abcd-ef-gh", 10), 0);
	assert_int_equal(leak_day_parse("", 0), 0);
}

static size_t key_of(const char *text, char out[128])
{
	return leak_address_key(text, strlen(text), out, 128);
}

static void test_addresses_meet_whatever_their_punctuation(void **state)
{
	char a[128], b[128];

	(void)state;
	key_of("Київська обл., м. Бровари, вул. Лісова, буд. 3", a);
	key_of("КИЇВСЬКА ОБЛ  М БРОВАРИ ВУЛ ЛІСОВА БУД 3", b);
	assert_string_equal(a, b);
	key_of("ul. Łódzka 5 m. 2, 00-950 Warszawa", a);
	key_of("UL ŁÓDZKA 5 M 2 00950 WARSZAWA", b);
	assert_string_equal(a, b);
	assert_int_equal(key_of("...", a), 0);
	/* never past the end of out */
	assert_int_equal(leak_address_key("abcdefgh", 8, a, 4), 3);
	assert_string_equal(a, "abc");
}

static void test_column_names_in_four_languages(void **state)
{
	(void)state;
	assert_int_equal(leak_column_from_name("РНОКПП"), LEAK_COL_PERSON_ID);
	assert_int_equal(leak_column_from_name("pesel"), LEAK_COL_PERSON_ID);
	assert_int_equal(leak_column_from_name("Прізвище"), LEAK_COL_FAMILY_NAME);
	assert_int_equal(leak_column_from_name("last_name"), LEAK_COL_FAMILY_NAME);
	assert_int_equal(leak_column_from_name("Nazwisko"), LEAK_COL_FAMILY_NAME);
	assert_int_equal(leak_column_from_name("Ім'я"), LEAK_COL_GIVEN_NAME);
	assert_int_equal(leak_column_from_name("ПІБ"), LEAK_COL_FULL_NAME);
	assert_int_equal(leak_column_from_name("Дата народження"), LEAK_COL_BIRTH_DATE);
	assert_int_equal(leak_column_from_name("client_passport_no"), LEAK_COL_DOCUMENT);
	assert_int_equal(leak_column_from_name("Пароль"), LEAK_COL_PASSWORD);
	assert_int_equal(leak_column_from_name("password_hash"), LEAK_COL_PASSWORD);
	assert_int_equal(leak_column_from_name("card_number"), LEAK_COL_CARD);
	assert_int_equal(leak_column_from_name("E-mail"), LEAK_COL_EMAIL);
	assert_int_equal(leak_column_from_name("col7"), LEAK_COL_UNKNOWN);
	assert_true(leak_column_is_foreign(LEAK_COL_PASSWORD));
	assert_false(leak_column_is_foreign(LEAK_COL_ADDRESS));
	assert_string_equal(leak_column_name(LEAK_COL_BIRTH_DATE), "birth_date");
}

static void vote_all(struct leak_column_votes *v, const char *const *values)
{
	memset(v, 0, sizeof(*v));
	for (size_t i = 0; values[i] != NULL; i++)
		leak_column_vote(v, values[i], strlen(values[i]));
}

static void test_unnamed_columns_by_their_values(void **state)
{
	static const char *const cards[] = {"4111 1111 1111 1111", "5500005555555559",
					    "4012888888881881", "", NULL};
	static const char *const dates[] = {"12.03.1981", "1990-01-31", "01/02/2003", NULL};
	static const char *const mails[] = {"a@example.com", "b.c@mail.ua", "nope", NULL};
	static const char *const hashes[] = {"$2y$10$abcdefghijklmnopqrstuv",
					     "5f4dcc3b5aa765d61d8327deb882cf99", NULL};
	static const char *const words[] = {"хліб", "молоко", "сир", NULL};
	struct leak_column_votes v;

	(void)state;
	vote_all(&v, cards);
	assert_int_equal(v.values, 3);
	assert_int_equal(leak_column_decide(&v), LEAK_COL_CARD);
	vote_all(&v, dates);
	assert_int_equal(leak_column_decide(&v), LEAK_COL_BIRTH_DATE);
	vote_all(&v, mails);
	assert_int_equal(leak_column_decide(&v), LEAK_COL_EMAIL);
	vote_all(&v, hashes);
	assert_int_equal(leak_column_decide(&v), LEAK_COL_PASSWORD);
	vote_all(&v, words);
	assert_int_equal(leak_column_decide(&v), LEAK_COL_UNKNOWN);
}

static void test_overlap_counts_each_person_once(void **state)
{
	struct leak_overlap *o;
	uint8_t h[LEAK_OVERLAP_HASH_LEN];
	json_t *report;

	(void)state;
	assert_int_equal(leak_overlap_new(&o, NULL), HR_OK);
	for (int i = 0; i < 5000; i++) {
		memset(h, 0, sizeof(h));
		memcpy(h, &i, sizeof(i));
		h[20] = (uint8_t)i;
		assert_int_equal(leak_overlap_add(o, h, NULL), HR_OK);
		assert_int_equal(leak_overlap_add(o, h, NULL), HR_OK);
	}
	assert_int_equal(leak_overlap_people(o), 5000);
	/* a log that does not exist is an error, and names nobody */
	assert_int_equal(leak_overlap_read_log(o, "/nonexistent", NULL), HR_E_NOT_FOUND);
	report = leak_overlap_report(o);
	assert_int_equal(json_array_size(report), 0);
	json_decref(report);
	leak_overlap_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_finds_what_it_holds_through_growth_and_a_file,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test(test_days_in_every_form),
	    cmocka_unit_test(test_addresses_meet_whatever_their_punctuation),
	    cmocka_unit_test(test_column_names_in_four_languages),
	    cmocka_unit_test(test_unnamed_columns_by_their_values),
	    cmocka_unit_test(test_overlap_counts_each_person_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
