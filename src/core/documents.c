/*
 * documents.c — the fixed lists of document types and countries.
 */
#include "core/documents.h"

#include <string.h>

const char *const document_types[DOCUMENT_TYPE_COUNT] = {
    "id_card",          "foreign_passport", "driver_licence", "vehicle_registration",
    "residence_permit", "vaccination",      "student_card",   "military_record",
};

const char *const countries[COUNTRY_COUNT] = {"UA", "PL"};

int document_type_index(const char *name)
{
	for (int i = 0; i < DOCUMENT_TYPE_COUNT; i++) {
		if (strcmp(document_types[i], name) == 0)
			return i;
	}
	return -1;
}

bool country_is_known(const char *code)
{
	for (int i = 0; i < COUNTRY_COUNT; i++) {
		if (strcmp(countries[i], code) == 0)
			return true;
	}
	return false;
}
