/*
 * test_identifiers.c — identifiers as dumps write them (src/leak/identifiers.c):
 * RNOKPP, PESEL and the platform's document numbers in their varied spellings,
 * valid and invalid check digits for each kind (valid ones computed here by the
 * published rules, invalid ones one digit away), and garbage that is none.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <string.h>

#include "leak/identifiers.h"

/* The State Tax Service's rule: weights -1,5,7,9,4,6,10,5,7, mod 11, mod 10. */
static void rnokpp_complete(char d[11])
{
	static const int w[9] = {-1, 5, 7, 9, 4, 6, 10, 5, 7};
	int sum = 0;

	for (int i = 0; i < 9; i++)
		sum += w[i] * (d[i] - '0');
	sum %= 11;
	if (sum < 0)
		sum += 11;
	d[9] = (char)('0' + sum % 10);
	d[10] = 0;
}

/* PESEL: weights 1,3,7,9 repeating, (10 - sum mod 10) mod 10. */
static void pesel_complete(char d[12])
{
	static const int w[10] = {1, 3, 7, 9, 1, 3, 7, 9, 1, 3};
	int sum = 0;

	for (int i = 0; i < 10; i++)
		sum += w[i] * (d[i] - '0');
	d[10] = (char)('0' + (10 - sum % 10) % 10);
	d[11] = 0;
}

static char flip(char digit)
{
	return digit == '9' ? '0' : (char)(digit + 1);
}

static enum leak_id_kind parse(const char *text, char *canonical, bool *check_ok)
{
	return leak_id_parse(text, strlen(text), canonical, LEAK_ID_CANONICAL_MAX, check_ok);
}

static void expect(const char *text, enum leak_id_kind kind, const char *canonical, bool ok)
{
	char out[LEAK_ID_CANONICAL_MAX];
	bool check_ok = !ok;

	if (parse(text, out, &check_ok) != kind)
		fail_msg("'%s': expected kind %d", text, kind);
	assert_string_equal(out, canonical);
	if (check_ok != ok)
		fail_msg("'%s': expected check_ok %d", text, ok);
}

static void test_rnokpp_in_every_spelling_with_its_check_digit(void **state)
{
	char d[11] = "301234567", bad[11], form[64], canonical[16];

	(void)state;
	rnokpp_complete(d);
	snprintf(canonical, sizeof(canonical), "UA:%s", d);
	expect(d, LEAK_ID_RNOKPP, canonical, true);
	expect(canonical, LEAK_ID_RNOKPP, canonical, true);
	snprintf(form, sizeof(form), "ua:%s", d);
	expect(form, LEAK_ID_RNOKPP, canonical, true);
	snprintf(form, sizeof(form), "%.3s %.3s %.4s", d, d + 3, d + 6);
	expect(form, LEAK_ID_RNOKPP, canonical, true);
	snprintf(form, sizeof(form), "%.3s-%.3s-%.4s", d, d + 3, d + 6);
	expect(form, LEAK_ID_RNOKPP, canonical, true);
	snprintf(form, sizeof(form), "  \"%s\"\r\n", d);
	expect(form, LEAK_ID_RNOKPP, canonical, true);
	snprintf(form, sizeof(form), "'UA: %s'", d);
	expect(form, LEAK_ID_RNOKPP, canonical, true);

	memcpy(bad, d, sizeof(bad));
	bad[9] = flip(bad[9]);
	snprintf(canonical, sizeof(canonical), "UA:%s", bad);
	expect(bad, LEAK_ID_RNOKPP, canonical, false);
}

static void test_many_generated_rnokpp_and_their_neighbours(void **state)
{
	char d[11], changed[11], canonical[LEAK_ID_CANONICAL_MAX];
	bool ok;
	int caught = 0;

	(void)state;
	for (unsigned i = 0; i < 2000; i++) {
		snprintf(d, sizeof(d), "%09u", 100000000u + i * 4391u);
		rnokpp_complete(d);
		assert_int_equal(parse(d, canonical, &ok), LEAK_ID_RNOKPP);
		assert_true(ok);
		/* a changed check digit is always caught */
		memcpy(changed, d, sizeof(changed));
		changed[9] = flip(changed[9]);
		assert_int_equal(parse(changed, canonical, &ok), LEAK_ID_RNOKPP);
		assert_false(ok);
		/* a changed data digit is caught unless the sum moves between 0 and 10
		 * mod 11, which the rule's final "mod 10" folds together */
		memcpy(changed, d, sizeof(changed));
		changed[i % 9] = flip(changed[i % 9]);
		assert_int_equal(parse(changed, canonical, &ok), LEAK_ID_RNOKPP);
		{
			char again[11];

			memcpy(again, changed, sizeof(again));
			rnokpp_complete(again);
			assert_int_equal(ok, again[9] == changed[9]);
			caught += !ok;
		}
	}
	assert_true(caught > 1800);
}

static void test_pesel_in_every_spelling_with_its_check_digit_and_date(void **state)
{
	char d[12] = "4405140135", bad[12], form[64];
	char future[12] = "0522290000"; /* 2005-02-29 does not exist */
	char leap[12] = "0422290000";   /* 2004-02-29 does */

	(void)state;
	pesel_complete(d);
	assert_string_equal(d, "44051401359"); /* the commonly published example */
	expect(d, LEAK_ID_PESEL, "PL:44051401359", true);
	expect("PL:44051401359", LEAK_ID_PESEL, "PL:44051401359", true);
	expect(" pl:440514 01359 ", LEAK_ID_PESEL, "PL:44051401359", true);
	expect("\"440-514-013-59\"", LEAK_ID_PESEL, "PL:44051401359", true);

	memcpy(bad, d, sizeof(bad));
	bad[10] = flip(bad[10]);
	snprintf(form, sizeof(form), "PL:%s", bad);
	expect(bad, LEAK_ID_PESEL, form, false);
	pesel_complete(future);
	snprintf(form, sizeof(form), "PL:%s", future);
	expect(future, LEAK_ID_PESEL, form, false);
	pesel_complete(leap);
	snprintf(form, sizeof(form), "PL:%s", leap);
	expect(leap, LEAK_ID_PESEL, form, true);
}

static void test_a_prefix_that_disagrees_with_the_count_is_none(void **state)
{
	(void)state;
	expect("UA:44051401359", LEAK_ID_NONE, "", false);
	expect("PL:3012345678", LEAK_ID_NONE, "", false);
	expect("DE:3012345678", LEAK_ID_NONE, "", false);
	expect("UA:AB123456", LEAK_ID_NONE, "", false);
}

/* Polish id card: AAA C DDDDD, 7,3,1 over letters (A=10) and digits. */
static void pl_id_card(const char letters[4], const char digits[6], char out[16])
{
	static const int w[8] = {7, 3, 1, 7, 3, 1, 7, 3};
	int sum = 0;

	for (int i = 0; i < 3; i++)
		sum += w[i] * (letters[i] - 'A' + 10);
	for (int i = 0; i < 5; i++)
		sum += w[3 + i] * (digits[i] - '0');
	snprintf(out, 16, "%s%d%s", letters, sum % 10, digits);
}

/* Polish passport: AA C DDDDDD, the same weights. */
static void pl_passport(const char letters[3], const char digits[7], char out[16])
{
	static const int w[8] = {7, 3, 1, 7, 3, 1, 7, 3};
	int sum = 0;

	for (int i = 0; i < 2; i++)
		sum += w[i] * (letters[i] - 'A' + 10);
	for (int i = 0; i < 6; i++)
		sum += w[2 + i] * (digits[i] - '0');
	snprintf(out, 16, "%s%d%s", letters, sum % 10, digits);
}

static void test_polish_document_numbers_with_their_check_digits(void **state)
{
	char id[16], passport[16], form[32];

	(void)state;
	pl_id_card("ABA", "00000", id);
	assert_string_equal(id, "ABA300000"); /* the commonly published example */
	expect("ABA300000", LEAK_ID_DOCUMENT, "ABA300000", true);
	expect("aba 300000", LEAK_ID_DOCUMENT, "ABA300000", true);
	pl_id_card("DYZ", "41237", id);
	expect(id, LEAK_ID_DOCUMENT, id, true);
	assert_true(leak_pl_id_card_valid(id));
	id[3] = flip(id[3]);
	/* D, Y and Z look like no Cyrillic letter: a Polish id card, wrong */
	expect(id, LEAK_ID_DOCUMENT, id, false);
	assert_false(leak_pl_id_card_valid(id));

	pl_passport("EZ", "123456", passport);
	assert_true(leak_pl_passport_valid(passport));
	snprintf(form, sizeof(form), "%.2s %s", passport, passport + 2);
	expect(form, LEAK_ID_DOCUMENT, passport, true);
	passport[5] = flip(passport[5]);
	assert_false(leak_pl_passport_valid(passport));
	assert_false(leak_pl_passport_valid("EZ12345"));
	assert_false(leak_pl_id_card_valid("ABA30000"));
}

static void test_ukrainian_document_numbers_in_either_script(void **state)
{
	(void)state;
	expect("012345678", LEAK_ID_DOCUMENT, "012345678", true); /* id card */
	expect("FA123456", LEAK_ID_DOCUMENT, "FA123456", true);   /* foreign passport */
	expect("fa 123456", LEAK_ID_DOCUMENT, "FA123456", true);
	/* series in Cyrillic and in Latin look-alikes meet */
	expect("АВХ123456", LEAK_ID_DOCUMENT, "ABX123456", true); /* driver licence */
	expect("авх 123456", LEAK_ID_DOCUMENT, "ABX123456", true);
	expect("ABX123456", LEAK_ID_DOCUMENT, "ABX123456", true);
	expect("ІК12345678", LEAK_ID_DOCUMENT, "IK12345678", true); /* student card */
	expect("МН-123456", LEAK_ID_DOCUMENT, "MH123456", true);    /* military record */
	/* a Cyrillic letter no series uses */
	expect("ЖЖ123456", LEAK_ID_NONE, "", false);
}

static void test_ukrainian_record_number_with_its_check_digit(void **state)
{
	/* 1990-05-17, serial 0123: 7,3,1 over the twelve digits */
	static const char digits[] = "199005170123";
	static const int w[3] = {7, 3, 1};
	char record[16], bad[16];
	int sum = 0;

	(void)state;
	for (int i = 0; i < 12; i++)
		sum += w[i % 3] * (digits[i] - '0');
	snprintf(record, sizeof(record), "%.8s-%.4s%d", digits, digits + 8, sum % 10);
	expect(record, LEAK_ID_DOCUMENT, record, true);
	memcpy(bad, record, sizeof(bad));
	bad[13] = flip(bad[13]);
	expect(bad, LEAK_ID_DOCUMENT, bad, false);
}

static void test_garbage_is_none(void **state)
{
	static const char *const garbage[] = {
	    "",          "   ",           "\"\"",           "hello",
	    "12345",     "3012345678a",   "30123456789012", "A1B2C3",
	    "AB12/3456", "Шевченко",      "ABCD123456",     "123456789012",
	    "UA:",       "+380501234567", "\xd0",           "A\xd0",
	    "12\xff"};
	char out[LEAK_ID_CANONICAL_MAX];
	bool ok = true;

	(void)state;
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		if (parse(garbage[i], out, &ok) != LEAK_ID_NONE)
			fail_msg("'%s' should be none", garbage[i]);
		assert_string_equal(out, "");
		assert_false(ok);
	}
	assert_int_equal(leak_id_parse("3012345678", 10, out, sizeof(out), NULL), LEAK_ID_RNOKPP);
}

static void test_canonical_that_does_not_fit_is_none(void **state)
{
	char out[8] = "#######";

	(void)state;
	assert_int_equal(leak_id_parse("3012345678", 10, out, sizeof(out), NULL), LEAK_ID_NONE);
	assert_string_equal(out, "");
	assert_int_equal(leak_id_parse("3012345678", 10, out, 0, NULL), LEAK_ID_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rnokpp_in_every_spelling_with_its_check_digit),
	    cmocka_unit_test(test_many_generated_rnokpp_and_their_neighbours),
	    cmocka_unit_test(test_pesel_in_every_spelling_with_its_check_digit_and_date),
	    cmocka_unit_test(test_a_prefix_that_disagrees_with_the_count_is_none),
	    cmocka_unit_test(test_polish_document_numbers_with_their_check_digits),
	    cmocka_unit_test(test_ukrainian_document_numbers_in_either_script),
	    cmocka_unit_test(test_ukrainian_record_number_with_its_check_digit),
	    cmocka_unit_test(test_garbage_is_none),
	    cmocka_unit_test(test_canonical_that_does_not_fit_is_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
