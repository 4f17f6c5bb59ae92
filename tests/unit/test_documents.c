/*
 * test_documents.c — the document types of DESIGN.md §3, in its order, and the
 * country codes `hromada up` knows.
 */
#include "testkit/testkit.h"

#include <string.h>

#include "core/documents.h"

/* DESIGN.md §3 "Identifiers", in the order written there. */
static const char *const design_types[] = {
    "id_card",          "foreign_passport", "driver_licence", "vehicle_registration",
    "residence_permit", "vaccination",      "student_card",   "military_record",
};

static void test_types_are_those_of_the_design_in_order(void **state)
{
	(void)state;
	assert_int_equal(DOCUMENT_TYPE_COUNT, sizeof(design_types) / sizeof(design_types[0]));
	for (int i = 0; i < DOCUMENT_TYPE_COUNT; i++)
		assert_string_equal(document_types[i], design_types[i]);
}

static void test_index_of_each_type(void **state)
{
	(void)state;
	for (int i = 0; i < DOCUMENT_TYPE_COUNT; i++) {
		char copy[64];

		assert_int_equal(document_type_index(design_types[i]), i);
		/* by content, not by pointer */
		strcpy(copy, design_types[i]);
		assert_int_equal(document_type_index(copy), i);
	}
}

static void test_unknown_types_are_minus_one(void **state)
{
	static const char *const unknown[] = {
	    "",
	    "ID_CARD",
	    "Id_card",
	    "id_card ",
	    " id_card",
	    "id_car",
	    "id_cardx",
	    "id-card",
	    "passport",
	    "driver_license",
	    "idcard",
	    "military",
	    "vaccination\n",
	    "student_card\t",
	    "id_card\x01",
	    "*",
	    "id_card,foreign_passport",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		if (document_type_index(unknown[i]) != -1) {
			print_error("'%s' taken for a document type\n", unknown[i]);
			fail();
		}
	}
}

static void test_type_names_are_distinct_snake_case(void **state)
{
	(void)state;
	for (int i = 0; i < DOCUMENT_TYPE_COUNT; i++) {
		assert_true(strlen(document_types[i]) > 0);
		for (const char *p = document_types[i]; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
		for (int j = 0; j < i; j++)
			assert_string_not_equal(document_types[i], document_types[j]);
	}
}

static void test_known_countries(void **state)
{
	(void)state;
	assert_int_equal(COUNTRY_COUNT, 2);
	assert_string_equal(countries[0], "UA");
	assert_string_equal(countries[1], "PL");
	assert_true(country_is_known("UA"));
	assert_true(country_is_known("PL"));
}

static void test_unknown_countries(void **state)
{
	static const char *const unknown[] = {"",    "ua",  "pl",  "Ua",  "DE", "U",   "UAX",
					      "UA ", " PL", "UKR", "POL", "EU", "PL\n"};

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		if (country_is_known(unknown[i])) {
			print_error("'%s' taken for a known country\n", unknown[i]);
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_types_are_those_of_the_design_in_order),
	    cmocka_unit_test(test_index_of_each_type),
	    cmocka_unit_test(test_unknown_types_are_minus_one),
	    cmocka_unit_test(test_type_names_are_distinct_snake_case),
	    cmocka_unit_test(test_known_countries),
	    cmocka_unit_test(test_unknown_countries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
