/*
 * document_schema.c — field tables of the eight Hromada document types and the
 * checker that walks a disclosed document against them.
 *
 * The tables are the single definition of what a document may hold: the
 * registries produce these fields, the wallet discloses a subset, verifiers
 * check them here. docs/DOCUMENTS.md describes the same fields for people.
 */
#include "credential/document_schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/documents.h"
#include "core/error.h"

#define STAGE "schema"

enum field_kind {
	FIELD_TEXT,      /* non-empty UTF-8 text up to max_len bytes */
	FIELD_LATIN,     /* A-Z, space, hyphen, apostrophe: official transliteration */
	FIELD_DATE,      /* YYYY-MM-DD */
	FIELD_INT,       /* integer in [min, max] */
	FIELD_CHOICE,    /* one of choices */
	FIELD_PERSON_ID, /* UA:RNOKPP or PL:PESEL with valid check digits */
	FIELD_COUNTRY3,  /* ISO 3166-1 alpha-3, upper case */
	FIELD_VIN,       /* ISO 3779: 17 characters, no I, O or Q */
	FIELD_ARRAY,     /* array (1..max items) of objects described by items */
};

struct field {
	const char *name;
	enum field_kind kind;
	long max;                   /* TEXT/LATIN: bytes; INT: max; ARRAY: items */
	long min;                   /* INT */
	const char *const *choices; /* CHOICE */
	const struct field *items;  /* ARRAY: fields of each element, NULL-terminated */
};

static const char *const sexes[] = {"F", "M", "X", NULL};
static const char *const statuses[] = {"valid", "suspended", "expired", "lost", NULL};
/* EU driving licence categories (Directive 2006/126/EC, Art. 4) */
static const char *const licence_categories[] = {"AM",  "A1", "A2",  "A", "B1", "B",
						 "BE",  "C1", "C1E", "C", "CE", "D1",
						 "D1E", "D",  "DE",  "T", NULL};
static const char *const permit_kinds[] = {"temporary", "permanent", NULL};
static const char *const study_forms[] = {"full_time", "part_time", "distance", NULL};
static const char *const military_statuses[] = {"conscript", "reservist", "serving",
						"exempt",    "retired",   NULL};

#define PERSON_FIELDS                                                                              \
	{"person_id", FIELD_PERSON_ID, 0, 0, NULL, NULL},                                          \
	    {"family_name", FIELD_TEXT, 80, 0, NULL, NULL},                                        \
	    {"given_name", FIELD_TEXT, 80, 0, NULL, NULL},                                         \
	    {"patronymic", FIELD_TEXT, 80, 0, NULL, NULL},                                         \
	    {"family_name_latin", FIELD_LATIN, 80, 0, NULL, NULL},                                 \
	    {"given_name_latin", FIELD_LATIN, 80, 0, NULL, NULL},                                  \
	{                                                                                          \
		"birth_date", FIELD_DATE, 0, 0, NULL, NULL                                         \
	}

#define DOCUMENT_FIELDS                                                                            \
	{"document_number", FIELD_TEXT, 32, 0, NULL, NULL},                                        \
	    {"issue_date", FIELD_DATE, 0, 0, NULL, NULL},                                          \
	    {"expiry_date", FIELD_DATE, 0, 0, NULL, NULL},                                         \
	    {"issuing_authority", FIELD_TEXT, 120, 0, NULL, NULL},                                 \
	{                                                                                          \
		"status", FIELD_CHOICE, 0, 0, statuses, NULL                                       \
	}

static const struct field licence_category_fields[] = {
    {"code", FIELD_CHOICE, 0, 0, licence_categories, NULL},
    {"issue_date", FIELD_DATE, 0, 0, NULL, NULL},
    {"expiry_date", FIELD_DATE, 0, 0, NULL, NULL},
    {NULL, FIELD_TEXT, 0, 0, NULL, NULL},
};

static const struct field vaccination_entry_fields[] = {
    {"disease", FIELD_TEXT, 80, 0, NULL, NULL},    {"vaccine", FIELD_TEXT, 80, 0, NULL, NULL},
    {"dose", FIELD_INT, 20, 1, NULL, NULL},        {"date", FIELD_DATE, 0, 0, NULL, NULL},
    {"country", FIELD_COUNTRY3, 0, 0, NULL, NULL}, {"lot", FIELD_TEXT, 40, 0, NULL, NULL},
    {NULL, FIELD_TEXT, 0, 0, NULL, NULL},
};

static const struct field id_card_fields[] = {
    PERSON_FIELDS,
    DOCUMENT_FIELDS,
    {"sex", FIELD_CHOICE, 0, 0, sexes, NULL},
    {"nationality", FIELD_COUNTRY3, 0, 0, NULL, NULL},
    {"birth_place", FIELD_TEXT, 120, 0, NULL, NULL},
    {"record_number", FIELD_TEXT, 32, 0, NULL, NULL},
    {"address", FIELD_TEXT, 200, 0, NULL, NULL},
    {NULL, FIELD_TEXT, 0, 0, NULL, NULL},
};

static const struct field foreign_passport_fields[] = {
    PERSON_FIELDS,
    DOCUMENT_FIELDS,
    {"sex", FIELD_CHOICE, 0, 0, sexes, NULL},
    {"nationality", FIELD_COUNTRY3, 0, 0, NULL, NULL},
    {"birth_place", FIELD_TEXT, 120, 0, NULL, NULL},
    {"record_number", FIELD_TEXT, 32, 0, NULL, NULL},
    {NULL, FIELD_TEXT, 0, 0, NULL, NULL},
};

static const struct field driver_licence_fields[] = {
    PERSON_FIELDS,
    DOCUMENT_FIELDS,
    {"categories", FIELD_ARRAY, 16, 0, NULL, licence_category_fields},
    {"restrictions", FIELD_TEXT, 120, 0, NULL, NULL},
    {NULL, FIELD_TEXT, 0, 0, NULL, NULL},
};

static const struct field vehicle_registration_fields[] = {
    PERSON_FIELDS,
    DOCUMENT_FIELDS,
    {"plate", FIELD_TEXT, 16, 0, NULL, NULL},
    {"vin", FIELD_VIN, 0, 0, NULL, NULL},
    {"make", FIELD_TEXT, 40, 0, NULL, NULL},
    {"model", FIELD_TEXT, 40, 0, NULL, NULL},
    {"year", FIELD_INT, 2100, 1900, NULL, NULL},
    {"color", FIELD_TEXT, 40, 0, NULL, NULL},
    {"registration_date", FIELD_DATE, 0, 0, NULL, NULL},
    {NULL, FIELD_TEXT, 0, 0, NULL, NULL},
};

static const struct field residence_permit_fields[] = {
    PERSON_FIELDS,
    DOCUMENT_FIELDS,
    {"sex", FIELD_CHOICE, 0, 0, sexes, NULL},
    {"nationality", FIELD_COUNTRY3, 0, 0, NULL, NULL},
    {"permit_type", FIELD_CHOICE, 0, 0, permit_kinds, NULL},
    {"address", FIELD_TEXT, 200, 0, NULL, NULL},
    {NULL, FIELD_TEXT, 0, 0, NULL, NULL},
};

static const struct field vaccination_fields[] = {
    PERSON_FIELDS,
    DOCUMENT_FIELDS,
    {"vaccinations", FIELD_ARRAY, 32, 0, NULL, vaccination_entry_fields},
    {NULL, FIELD_TEXT, 0, 0, NULL, NULL},
};

static const struct field student_card_fields[] = {
    PERSON_FIELDS,
    DOCUMENT_FIELDS,
    {"institution", FIELD_TEXT, 120, 0, NULL, NULL},
    {"faculty", FIELD_TEXT, 120, 0, NULL, NULL},
    {"study_form", FIELD_CHOICE, 0, 0, study_forms, NULL},
    {"course", FIELD_INT, 10, 1, NULL, NULL},
    {NULL, FIELD_TEXT, 0, 0, NULL, NULL},
};

static const struct field military_record_fields[] = {
    PERSON_FIELDS,
    DOCUMENT_FIELDS,
    {"military_status", FIELD_CHOICE, 0, 0, military_statuses, NULL},
    {"rank", FIELD_TEXT, 60, 0, NULL, NULL},
    {"specialty", FIELD_TEXT, 60, 0, NULL, NULL},
    {"registration_office", FIELD_TEXT, 120, 0, NULL, NULL},
    {NULL, FIELD_TEXT, 0, 0, NULL, NULL},
};

/* In the order of document_types (DESIGN.md §3). */
static const struct field *const schemas[DOCUMENT_TYPE_COUNT] = {
    id_card_fields,          foreign_passport_fields,
    driver_licence_fields,   vehicle_registration_fields,
    residence_permit_fields, vaccination_fields,
    student_card_fields,     military_record_fields,
};

static const struct field *find_field(const struct field *fields, const char *name)
{
	for (; fields->name != NULL; fields++) {
		if (strcmp(fields->name, name) == 0)
			return fields;
	}
	return NULL;
}

static bool date_valid(const char *s)
{
	static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	}
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1800 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static bool latin_valid(const char *s)
{
	if (*s == 0)
		return false;
	for (; *s; s++) {
		if (!(isupper((unsigned char)*s) || *s == ' ' || *s == '-' || *s == '\''))
			return false;
	}
	return true;
}

static bool vin_valid(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (; *s; s++) {
		if (!(isdigit((unsigned char)*s) || isupper((unsigned char)*s)) || *s == 'I' ||
		    *s == 'O' || *s == 'Q')
			return false;
	}
	return true;
}

static bool choice_valid(const char *const *choices, const char *s)
{
	for (; *choices; choices++) {
		if (strcmp(*choices, s) == 0)
			return true;
	}
	return false;
}

static hr_status check_object(const json_t *obj, const struct field *fields, const char *path,
			      struct hr_error *err);

/*
 * Checks one value. Its path ("categories[1].code") is only written out when
 * there is an error to report: formatting it for every field would cost more
 * than the check itself on the issuing hot path.
 */
static hr_status check_value(const json_t *v, const struct field *f, const char *parent,
			     const char *key, struct hr_error *err)
{
	const char *s = json_string_value(v);
	char path[128], sub[160];
	size_t i;
	json_t *el;

#define PATH()                                                                                     \
	(snprintf(path, sizeof(path), "%.64s%s%.40s", parent, parent[0] ? "." : "", key), path)

	switch (f->kind) {
	case FIELD_INT:
		if (!json_is_integer(v) || json_integer_value(v) < f->min ||
		    json_integer_value(v) > f->max)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s must be an integer from %ld to %ld", PATH(), f->min,
					    f->max);
		return HR_OK;
	case FIELD_ARRAY:
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > (size_t)f->max)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s must be an array of 1 to %ld entries", PATH(),
					    f->max);
		json_array_foreach(v, i, el)
		{
			hr_status rc;
			snprintf(sub, sizeof(sub), "%.100s[%zu]", PATH(), i);
			if ((rc = check_object(el, f->items, sub, err)) != HR_OK)
				return rc;
		}
		return HR_OK;
	default:
		break;
	}
	if (s == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s must be a string", PATH());
	switch (f->kind) {
	case FIELD_TEXT:
		if (*s == 0 || strlen(s) > (size_t)f->max)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s must be 1 to %ld bytes of text", PATH(), f->max);
		break;
	case FIELD_LATIN:
		if (strlen(s) > (size_t)f->max || !latin_valid(s))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s must be transliterated Latin capitals", PATH());
		break;
	case FIELD_DATE:
		if (!date_valid(s))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s must be a YYYY-MM-DD date", PATH());
		break;
	case FIELD_CHOICE:
		if (!choice_valid(f->choices, s))
			return hr_error_set(err, HR_E_INVALID, STAGE, "%s: '%.40s' is not allowed",
					    PATH(), s);
		break;
	case FIELD_PERSON_ID:
		if (!person_id_valid(s))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s is not a valid UA:RNOKPP or PL:PESEL", PATH());
		break;
	case FIELD_COUNTRY3:
		if (strlen(s) != 3 || !isupper((unsigned char)s[0]) ||
		    !isupper((unsigned char)s[1]) || !isupper((unsigned char)s[2]))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s must be an ISO 3166 alpha-3 country code", PATH());
		break;
	case FIELD_VIN:
		if (!vin_valid(s))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s is not a 17-character VIN", PATH());
		break;
	default:
		break;
	}
	return HR_OK;
#undef PATH
}

static hr_status check_object(const json_t *obj, const struct field *fields, const char *path,
			      struct hr_error *err)
{
	const char *key;
	json_t *value;

	if (!json_is_object(obj))
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s must be an object", path);
	json_object_foreach((json_t *)obj, key, value)
	{
		const struct field *f;
		hr_status rc;

		if (path[0] == 0 && (strcmp(key, "t") == 0 || strcmp(key, "v") == 0))
			continue;
		if ((f = find_field(fields, key)) == NULL)
			return hr_error_set(err, HR_E_INVALID, STAGE, "unknown field %.64s%s%.40s",
					    path, path[0] ? "." : "", key);
		if ((rc = check_value(value, f, path, key, err)) != HR_OK)
			return rc;
	}
	return HR_OK;
}

int document_schema_type(const json_t *document)
{
	const char *t = json_string_value(json_object_get(document, "t"));

	return t ? document_type_index(t) : -1;
}

hr_status document_schema_check(const json_t *document, struct hr_error *err)
{
	int type = document_schema_type(document);
	json_t *v = json_object_get(document, "v");

	if (!json_is_object(document))
		return hr_error_set(err, HR_E_INVALID, STAGE, "the document is not an object");
	if (type < 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "t must name a document type (id_card, driver_licence, ...)");
	if (!json_is_integer(v) || json_integer_value(v) != DOCUMENT_SCHEMA_VERSION)
		return hr_error_set(err, HR_E_INVALID, STAGE, "v must be %d",
				    DOCUMENT_SCHEMA_VERSION);
	return check_object(document, schemas[type], "", err);
}

bool document_schema_has_field(int type_index, const char *name)
{
	if (type_index < 0 || type_index >= DOCUMENT_TYPE_COUNT)
		return false;
	return find_field(schemas[type_index], name) != NULL;
}
