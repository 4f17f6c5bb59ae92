/*
 * test_translit.c — names across scripts (src/leak/translit.c): the 2010
 * national table's own examples (Cabinet of Ministers Resolution No. 55 of
 * 27 January 2010), one matching key for every common spelling of a name
 * (2010, ISO 9, German, French, Polish and Russian-style passports, bank
 * databases), different keys for different names, and the failure paths:
 * malformed UTF-8, a buffer too small, an input too long. Prints the key rate.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "leak/translit.h"

static void expect_latin(const char *cyrillic, const char *latin)
{
	char out[256];
	struct hr_error err = {0};

	assert_int_equal(translit_to_latin_2010(cyrillic, strlen(cyrillic), out, sizeof(out), &err),
			 HR_OK);
	if (strcmp(out, latin) != 0)
		fail_msg("%s: expected %s, got %s", cyrillic, latin, out);
}

static void key_of(const char *name, char *out, size_t size)
{
	struct hr_error err = {0};

	if (translit_name_key(name, strlen(name), out, size, &err) != HR_OK)
		fail_msg("%s: %s", name, err.message);
}

/* Every name in the NULL-terminated list has the key of the first. */
static void expect_same_key(const char *const *names)
{
	char first[128], other[128];

	key_of(names[0], first, sizeof(first));
	assert_true(first[0] != 0);
	for (size_t i = 1; names[i]; i++) {
		key_of(names[i], other, sizeof(other));
		if (strcmp(first, other) != 0)
			fail_msg("%s (%s) and %s (%s) should share a key", names[0], first,
				 names[i], other);
	}
}

static void expect_different_keys(const char *a, const char *b)
{
	char ka[128], kb[128];

	key_of(a, ka, sizeof(ka));
	key_of(b, kb, sizeof(kb));
	if (strcmp(ka, kb) == 0)
		fail_msg("%s and %s should not share a key (%s)", a, b, ka);
}

static void test_2010_table_gives_the_resolutions_own_examples(void **state)
{
	/* the examples column of the resolution's table, letter by letter */
	static const char *const examples[][2] = {
	    {"Алушта", "Alushta"},
	    {"Борщагівка", "Borshchahivka"},
	    {"Вишгород", "Vyshhorod"},
	    {"Гадяч", "Hadiach"},
	    {"Згорани", "Zghorany"},
	    {"Ґалаґан", "Galagan"},
	    {"Горгани", "Horhany"},
	    {"Дон", "Don"},
	    {"Рівне", "Rivne"},
	    {"Єнакієве", "Yenakiieve"},
	    {"Наєнко", "Naienko"},
	    {"Житомир", "Zhytomyr"},
	    {"Закарпаття", "Zakarpattia"},
	    {"Медвин", "Medvyn"},
	    {"Михайленко", "Mykhailenko"},
	    {"Іванків", "Ivankiv"},
	    {"Іващенко", "Ivashchenko"},
	    {"Їжакевич", "Yizhakevych"},
	    {"Кадиївка", "Kadyivka"},
	    {"Мар'їне", "Marine"},
	    {"Йосипівка", "Yosypivka"},
	    {"Стрий", "Stryi"},
	    {"Олексій", "Oleksii"},
	    {"Київ", "Kyiv"},
	    {"Лебедин", "Lebedyn"},
	    {"Миколаїв", "Mykolaiv"},
	    {"Ніжин", "Nizhyn"},
	    {"Одеса", "Odesa"},
	    {"Полтава", "Poltava"},
	    {"Ромни", "Romny"},
	    {"Суми", "Sumy"},
	    {"Тетерів", "Teteriv"},
	    {"Ужгород", "Uzhhorod"},
	    {"Фастів", "Fastiv"},
	    {"Харків", "Kharkiv"},
	    {"Біла Церква", "Bila Tserkva"},
	    {"Чернівці", "Chernivtsi"},
	    {"Шостка", "Shostka"},
	    {"Гоща", "Hoshcha"},
	    {"Юрій", "Yurii"},
	    {"Корюківка", "Koriukivka"},
	    {"Яготин", "Yahotyn"},
	    {"Ярошенко", "Yaroshenko"},
	    {"Костянтин", "Kostiantyn"},
	    {"Знам'янка", "Znamianka"},
	    {"Феодосія", "Feodosiia"},
	    {"Розгон", "Rozghon"},
	    {"Гаївка", "Haivka"},
	    {"Щербухи", "Shcherbukhy"},
	    {"Шевченко", "Shevchenko"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
		expect_latin(examples[i][0], examples[i][1]);
}

static void test_2010_spelling_follows_capitals_and_keeps_other_text(void **state)
{
	(void)state;
	expect_latin("ШЕВЧЕНКО", "SHEVCHENKO");
	expect_latin("ЮРІЙ ЗГОРАНИЙ", "YURII ZGHORANYI");
	expect_latin("Щ", "Shch");
	expect_latin("Тарас Шевченко-Яровий", "Taras Shevchenko-Yarovyi");
	expect_latin("Знам’янка", "Znamianka"); /* typographic apostrophe */
	expect_latin("Ковальчук Łukasz 12", "Kovalchuk Łukasz 12");
	expect_latin("Фёдор Хрущёв", "Fiodor Khrushchiov");
	expect_latin("", "");
	{
		/* control characters, an embedded NUL among them, are dropped */
		static const char with_nul[] = "Ше\0в\x1b[31mченко\x7f";
		char out[64];

		assert_int_equal(
		    translit_to_latin_2010(with_nul, sizeof(with_nul) - 1, out, sizeof(out), NULL),
		    HR_OK);
		assert_string_equal(out, "Shev[31mchenko");
	}
}

static void test_every_spelling_of_shevchenko_shares_a_key(void **state)
{
	static const char *const names[] = {"Шевченко",
					    "Shevchenko",
					    "SHEVCHENKO",
					    "Ševčenko",
					    "Schewtschenko",
					    "Chevtchenko",
					    "Shewchenko",
					    "Szewczenko",
					    "S\xcc\x8c"
					    "evc\xcc\x8c"
					    "enko",
					    "shevchenko ",
					    NULL};
	char key[64];

	(void)state;
	expect_same_key(names);
	key_of("Шевченко", key, sizeof(key));
	assert_string_equal(key, "xevxenko");
}

static void test_every_spelling_of_yurii_shares_a_key(void **state)
{
	static const char *const names[] = {"Юрій", "Yurii", "Yuriy", "Iurii", "Jurij",
					    "Yuri", "Юрий",  "Iouri", NULL};

	(void)state;
	expect_same_key(names);
}

static void test_other_ukrainian_names_meet_their_old_spellings(void **state)
{
	static const char *const ivashchenko[] = {"Іващенко",       "Ivashchenko", "Ivaščenko",
						  "Iwaschtschenko", "Ivashenko",   NULL};
	static const char *const hryhorii[] = {"Григорій", "Hryhorii", "Grigoriy",
					       "Hryhoriy", "Grygorij", NULL};
	static const char *const oleksandr[] = {"Олександр", "Oleksandr", "Olexandr", "OLEKSANDR",
						NULL};
	static const char *const tsvietaieva[] = {"Цвєтаєва", "Tsvietaieva", "Tsvyetayeva",
						  "Cvietajeva", NULL};
	static const char *const znamianka[] = {"Знам'янка",  "Znamianka", "Znamyanka",
						"Znam'yanka", "Znamjanka", NULL};
	static const char *const oleh[] = {"Олег", "Oleh", "Oleg", NULL};
	static const char *const zghorany[] = {"Згорани", "Zghorany", NULL};
	static const char *const kovalchuk[] = {"Ковальчук",   "Koval'chuk",  "Kovalchuk",
						"Kowaltschuk", "Kovaltchouk", NULL};

	(void)state;
	expect_same_key(ivashchenko);
	expect_same_key(hryhorii);
	expect_same_key(oleksandr);
	expect_same_key(tsvietaieva);
	expect_same_key(znamianka);
	expect_same_key(zghorany);
	expect_same_key(oleh);
	expect_same_key(kovalchuk);
}

static void test_polish_names_match_with_and_without_diacritics(void **state)
{
	static const char *const wojcik[] = {"Wójcik", "Wojcik", "WÓJCIK", "WOJCIK", NULL};
	static const char *const lukasz[] = {"Łukasz", "Lukasz", "ŁUKASZ", NULL};
	static const char *const grzegorz[] = {"Grzegorz Brzęczyszczykiewicz",
					       "Grzegorz Brzeczyszczykiewicz",
					       "GRZEGORZ BRZĘCZYSZCZYKIEWICZ", NULL};
	static const char *const zolc[] = {"Żółć", "Zolc", "żółć", NULL};
	static const char *const slawomir[] = {"Sławomir Ślęzak", "Slawomir Slezak", NULL};

	(void)state;
	expect_same_key(wojcik);
	expect_same_key(lukasz);
	expect_same_key(grzegorz);
	expect_same_key(zolc);
	expect_same_key(slawomir);
}

static void test_different_names_keep_different_keys(void **state)
{
	(void)state;
	expect_different_keys("Petrenko", "Pavlenko");
	expect_different_keys("Петренко", "Павленко");
	expect_different_keys("Koval", "Kovalenko");
	expect_different_keys("Коваль", "Коваленко");
	expect_different_keys("Shevchenko", "Shevchuk");
	expect_different_keys("Ivan", "Ivanna");
	expect_different_keys("Zhuk", "Zuk"); /* ж and з */
	expect_different_keys("Tsar", "Sar"); /* ц and с */
	expect_different_keys("Marko", "Marta");
	/* Ukrainian and Russian forms of a name are different names (translit.h) */
	expect_different_keys("Олександр", "Александр");
	expect_different_keys("Oleksandr", "Aleksandr");
	expect_different_keys("Oleksandr", "Alexander");
}

static void test_key_is_lower_case_ascii_and_skips_everything_else(void **state)
{
	char key[64];

	(void)state;
	key_of("  O'Brien-Ковальʼ 42 ", key, sizeof(key));
	for (const char *p = key; *p; p++)
		assert_true(*p >= 'a' && *p <= 'z');
	key_of("", key, sizeof(key));
	assert_string_equal(key, "");
	key_of("12 - 34", key, sizeof(key));
	assert_string_equal(key, "");
	key_of("Ь'ъ", key, sizeof(key));
	assert_string_equal(key, "");
}

static void test_malformed_utf8_is_invalid(void **state)
{
	static const char *const bad[] = {
	    "\xd0",             /* truncated */
	    "\xc0\xaf",         /* overlong */
	    "\xed\xa0\x80",     /* a surrogate */
	    "\xf4\x90\x80\x80", /* beyond U+10FFFF */
	    "Shev\x80",         /* a stray continuation */
	    "\xff",
	};
	char out[64];
	struct hr_error err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(out, "junk");
		assert_int_equal(translit_name_key(bad[i], strlen(bad[i]), out, sizeof(out), &err),
				 HR_E_INVALID);
		assert_string_equal(out, "");
		assert_string_equal(err.stage, "translit");
		strcpy(out, "junk");
		assert_int_equal(
		    translit_to_latin_2010(bad[i], strlen(bad[i]), out, sizeof(out), NULL),
		    HR_E_INVALID);
		assert_string_equal(out, "");
		assert_false(translit_is_cyrillic(bad[i], strlen(bad[i])));
	}
}

static void test_small_buffer_is_too_large_and_never_overflows(void **state)
{
	char out[16];
	char big[TRANSLIT_INPUT_MAX + 2];

	(void)state;
	/* "xevxenko" needs 9 bytes */
	memset(out, '#', sizeof(out));
	assert_int_equal(translit_name_key("Шевченко", strlen("Шевченко"), out, 8, NULL),
			 HR_E_TOO_LARGE);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[8], '#');
	assert_int_equal(translit_name_key("Шевченко", strlen("Шевченко"), out, 9, NULL), HR_OK);
	assert_string_equal(out, "xevxenko");
	assert_int_equal(translit_name_key("", 0, out, 0, NULL), HR_E_TOO_LARGE);
	/* "Shevchenko" needs 11 bytes */
	memset(out, '#', sizeof(out));
	assert_int_equal(translit_to_latin_2010("Шевченко", strlen("Шевченко"), out, 10, NULL),
			 HR_E_TOO_LARGE);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[10], '#');
	assert_int_equal(translit_to_latin_2010("Шевченко", strlen("Шевченко"), out, 11, NULL),
			 HR_OK);
	assert_string_equal(out, "Shevchenko");
	/* an input over the limit */
	memset(big, 'a', sizeof(big));
	assert_int_equal(translit_name_key(big, sizeof(big), out, sizeof(out), NULL),
			 HR_E_TOO_LARGE);
	assert_int_equal(translit_to_latin_2010(big, sizeof(big), out, sizeof(out), NULL),
			 HR_E_TOO_LARGE);
}

static void test_is_cyrillic_tells_the_script(void **state)
{
	(void)state;
	assert_true(translit_is_cyrillic("Шевченко", strlen("Шевченко")));
	assert_true(translit_is_cyrillic("Ivan Їжак", strlen("Ivan Їжак")));
	assert_false(translit_is_cyrillic("Shevchenko", strlen("Shevchenko")));
	assert_false(translit_is_cyrillic("Łukasz", strlen("Łukasz")));
	assert_false(translit_is_cyrillic("", 0));
}

static void test_key_rate_over_a_million_names(void **state)
{
	static const char *const names[] = {"Шевченко",      "Shevchenko", "Grzegorz", "Юрій",
					    "Schewtschenko", "Коваленко",  "Wójcik",   "Oleksandr"};
	struct timespec t0, t1;
	char key[64];
	size_t total = 0;
	const int n = 1000000;
	double seconds;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		const char *name = names[i & 7];

		assert_int_equal(translit_name_key(name, strlen(name), key, sizeof(key), NULL),
				 HR_OK);
		total += (size_t)key[0];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("translit_name_key: %d names in %.3f s, %.1f million names/s (%zu)\n", n, seconds,
	       n / seconds / 1e6, total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_2010_table_gives_the_resolutions_own_examples),
	    cmocka_unit_test(test_2010_spelling_follows_capitals_and_keeps_other_text),
	    cmocka_unit_test(test_every_spelling_of_shevchenko_shares_a_key),
	    cmocka_unit_test(test_every_spelling_of_yurii_shares_a_key),
	    cmocka_unit_test(test_other_ukrainian_names_meet_their_old_spellings),
	    cmocka_unit_test(test_polish_names_match_with_and_without_diacritics),
	    cmocka_unit_test(test_different_names_keep_different_keys),
	    cmocka_unit_test(test_key_is_lower_case_ascii_and_skips_everything_else),
	    cmocka_unit_test(test_malformed_utf8_is_invalid),
	    cmocka_unit_test(test_small_buffer_is_too_large_and_never_overflows),
	    cmocka_unit_test(test_is_cyrillic_tells_the_script),
	    cmocka_unit_test(test_key_rate_over_a_million_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
