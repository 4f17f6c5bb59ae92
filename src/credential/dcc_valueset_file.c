/*
 * dcc_valueset_file.c — the EU DCC value sets a verifier checks codes against
 * (struct hr_value_sets): the compiled-in ones (dcc_valuesets.c, generated) or
 * those of value set files the operator refreshes, as the EU DCC verifier apps
 * download them from their national backend.
 *
 * File format: the eHealth Network's value set JSON
 * (ehn-dcc-development/eu-dcc-valuesets):
 *	{"valueSetId": "covid-19-lab-test-manufacturer-and-name",
 *	 "valueSetDate": "2021-07-15",
 *	 "valueSetValues": {"1232": {"display": "...", "active": true, ...}, ...}}
 * one such object, an array of them, or an object of them keyed by anything
 * (a combined file). Each set whose valueSetId we know replaces the compiled-in
 * set of that id, every code kept, inactive ones too (a certificate issued while
 * a code was active stays valid). Unknown ids are ignored; a file with no known
 * set at all is refused.
 *
 * Never: apply half a file (everything is parsed and checked before any set is
 * replaced), or accept a code longer than DCC_VALUESET_CODE_MAX or more than
 * DCC_VALUESET_CODES_MAX codes per set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/error.h"
#include "core/json.h"
#include "credential/dcc_valuesets.h"

#define STAGE                  "value_sets"
#define DCC_VALUESET_CODE_MAX  256
#define DCC_VALUESET_CODES_MAX 100000
#define DCC_VALUESET_FILE_MAX  (16 * 1024 * 1024)

static const struct dcc_valueset *const builtin[DCC_VALUESET_KINDS] = {
    [DCC_VALUESET_COUNTRY] = &dcc_valueset_country,
    [DCC_VALUESET_DISEASE] = &dcc_valueset_disease,
    [DCC_VALUESET_VACCINE_TYPE] = &dcc_valueset_vaccine_type,
    [DCC_VALUESET_VACCINE_PRODUCT] = &dcc_valueset_vaccine_product,
    [DCC_VALUESET_VACCINE_HOLDER] = &dcc_valueset_vaccine_holder,
    [DCC_VALUESET_TEST_TYPE] = &dcc_valueset_test_type,
    [DCC_VALUESET_TEST_RESULT] = &dcc_valueset_test_result,
    [DCC_VALUESET_RAT_DEVICE] = &dcc_valueset_rat_device,
};

const struct dcc_valueset *dcc_valueset_builtin(enum dcc_valueset_kind kind)
{
	return (unsigned)kind < DCC_VALUESET_KINDS ? builtin[kind] : NULL;
}

const struct dcc_valueset *dcc_value_sets_get(const struct hr_value_sets *sets,
					      enum dcc_valueset_kind kind)
{
	if ((unsigned)kind >= DCC_VALUESET_KINDS)
		return NULL;
	if (sets != NULL && sets->is_loaded[kind])
		return &sets->loaded[kind];
	return builtin[kind];
}

struct hr_value_sets *hr_value_sets_new(void)
{
	return calloc(1, sizeof(struct hr_value_sets));
}

static void free_codes(char **codes, size_t count)
{
	for (size_t i = 0; codes != NULL && i < count; i++)
		free(codes[i]);
	free(codes);
}

void hr_value_sets_free(struct hr_value_sets *sets)
{
	if (sets == NULL)
		return;
	for (int k = 0; k < DCC_VALUESET_KINDS; k++) {
		free_codes(sets->owned[k], sets->loaded[k].count);
		free(sets->dates[k]);
	}
	free(sets);
}

/* One set read from a file, not yet applied. */
struct parsed_set {
	bool present;
	char **codes;
	size_t count;
	char *date;
};

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int kind_of(const char *id)
{
	for (int k = 0; k < DCC_VALUESET_KINDS; k++)
		if (strcmp(builtin[k]->id, id) == 0)
			return k;
	return -1;
}

/* Reads one value set object into parsed[kind]; unknown ids are skipped. */
static hr_status read_set(const json_t *set, struct parsed_set *parsed, size_t *known,
			  struct hr_error *err)
{
	const char *id = json_string_value(json_object_get(set, "valueSetId"));
	const char *date = json_string_value(json_object_get(set, "valueSetDate"));
	const json_t *values = json_object_get(set, "valueSetValues");
	struct parsed_set *p;
	const char *code;
	json_t *ignored;
	int kind;

	if (id == NULL || !json_is_object(values))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a value set needs valueSetId and valueSetValues (an object)");
	if ((kind = kind_of(id)) < 0)
		return HR_OK;
	p = &parsed[kind];
	if (p->present)
		return hr_error_set(err, HR_E_INVALID, STAGE, "value set %.60s appears twice", id);
	if (json_object_size(values) == 0 || json_object_size(values) > DCC_VALUESET_CODES_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "value set %.60s must hold 1 to %d codes", id,
				    DCC_VALUESET_CODES_MAX);
	p->present = true;
	if ((p->codes = calloc(json_object_size(values), sizeof(char *))) == NULL ||
	    (date != NULL && (p->date = strdup(date)) == NULL))
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	json_object_foreach((json_t *)values, code, ignored)
	{
		size_t len = strlen(code);
		(void)ignored;
		if (len == 0 || len > DCC_VALUESET_CODE_MAX)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "value set %.60s has a code of %zu bytes", id, len);
		if ((p->codes[p->count] = strdup(code)) == NULL)
			return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		p->count++;
	}
	qsort(p->codes, p->count, sizeof(char *), compare_strings);
	(*known)++;
	return HR_OK;
}

hr_status hr_value_sets_load(struct hr_value_sets *sets, const void *json, size_t len,
			     struct hr_error *err)
{
	struct parsed_set parsed[DCC_VALUESET_KINDS];
	json_t *doc = NULL, *item;
	const char *key;
	size_t known = 0, i;
	hr_status rc = HR_OK;

	if (sets == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no value sets to load into");
	if (len > DCC_VALUESET_FILE_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "a value set file is over 16 MiB");
	memset(parsed, 0, sizeof(parsed));
	if (hr_json_parse(json, len, &doc, err) != HR_OK)
		return hr_error_set(err, HR_E_INVALID, STAGE, "the value set file is not JSON");
	if (json_is_object(doc) && json_object_get(doc, "valueSetId") != NULL) {
		rc = read_set(doc, parsed, &known, err);
	} else if (json_is_array(doc)) {
		json_array_foreach(doc, i, item)
		{
			if (rc == HR_OK)
				rc = read_set(item, parsed, &known, err);
		}
	} else if (json_is_object(doc)) {
		json_object_foreach(doc, key, item)
		{
			if (rc == HR_OK)
				rc = json_is_object(item)
					 ? read_set(item, parsed, &known, err)
					 : hr_error_set(err, HR_E_INVALID, STAGE,
							"member %.60s is not a value set", key);
		}
	} else {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "a value set file is an object or an array of them");
	}
	if (rc == HR_OK && known == 0)
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "the file holds no EU DCC value set we check (e.g. "
				  "country-2-codes, covid-19-lab-test-manufacturer-and-name)");
	for (int k = 0; k < DCC_VALUESET_KINDS; k++) {
		if (!parsed[k].present)
			continue;
		if (rc != HR_OK) {
			free_codes(parsed[k].codes, parsed[k].count);
			free(parsed[k].date);
			continue;
		}
		if (sets->is_loaded[k]) {
			free_codes(sets->owned[k], sets->loaded[k].count);
			free(sets->dates[k]);
		}
		sets->owned[k] = parsed[k].codes;
		sets->dates[k] = parsed[k].date;
		sets->loaded[k].id = builtin[k]->id;
		sets->loaded[k].date = parsed[k].date ? parsed[k].date : "";
		sets->loaded[k].codes = (const char *const *)parsed[k].codes;
		sets->loaded[k].count = parsed[k].count;
		sets->is_loaded[k] = true;
	}
	json_decref(doc);
	return rc;
}
