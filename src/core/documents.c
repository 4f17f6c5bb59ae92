/*
 * documents.c — the fixed lists of document types and countries.
 */
#include "core/documents.h"

#include <ctype.h>
#include <string.h>

#include "core/error.h"

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

static bool all_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

bool rnokpp_valid(const char *d)
{
	/* weights of the State Tax Service's control-digit rule */
	static const int weights[9] = {-1, 5, 7, 9, 4, 6, 10, 5, 7};
	int sum = 0;

	if (!all_digits(d, 10))
		return false;
	for (int i = 0; i < 9; i++)
		sum += weights[i] * (d[i] - '0');
	sum %= 11;
	if (sum < 0)
		sum += 11;
	return sum % 10 == d[9] - '0';
}

bool pesel_valid(const char *d)
{
	static const int weights[10] = {1, 3, 7, 9, 1, 3, 7, 9, 1, 3};
	static const int month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int sum = 0, year, month, day, century;

	if (!all_digits(d, 11))
		return false;
	for (int i = 0; i < 10; i++)
		sum += weights[i] * (d[i] - '0');
	if ((10 - sum % 10) % 10 != d[10] - '0')
		return false;
	year = (d[0] - '0') * 10 + (d[1] - '0');
	month = (d[2] - '0') * 10 + (d[3] - '0');
	day = (d[4] - '0') * 10 + (d[5] - '0');
	/* the month carries the century: 1800s +80, 1900s +0, 2000s +20, 2100s +40, 2200s +60 */
	century = month > 80   ? 1800
		  : month > 60 ? 2200
		  : month > 40 ? 2100
		  : month > 20 ? 2000
			       : 1900;
	month %= 20;
	year += century;
	if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1])
		return false;
	if (month == 2 && day == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return false;
	return true;
}

bool person_id_valid(const char *id)
{
	if (strncmp(id, "UA:", 3) == 0)
		return rnokpp_valid(id + 3);
	if (strncmp(id, "PL:", 3) == 0)
		return pesel_valid(id + 3);
	return false;
}

hr_status countries_parse(const char *list, const char *out[COUNTRY_COUNT], int *count,
			  struct hr_error *err)
{
	const char *p = list;

	*count = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		int found = -1;

		for (int i = 0; i < COUNTRY_COUNT; i++) {
			if (strlen(countries[i]) == n && strncmp(countries[i], p, n) == 0)
				found = i;
		}
		if (found < 0)
			return hr_error_set(err, HR_E_INVALID, "country",
					    "unknown country '%.*s' (known: UA, PL)",
					    (int)(n < 16 ? n : 16), p);
		for (int i = 0; i < *count; i++) {
			if (out[i] == countries[found])
				return hr_error_set(err, HR_E_INVALID, "country",
						    "country %s is listed twice", countries[found]);
		}
		out[(*count)++] = countries[found];
		p += n;
		if (*p == ',')
			p++;
	}
	if (*count == 0)
		return hr_error_set(err, HR_E_INVALID, "country", "no country given");
	return HR_OK;
}

bool member_id_valid(const char *id)
{
	int segments = 1;
	size_t len = strlen(id), run = 0;

	if (len == 0 || len >= MEMBER_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = id[i];
		if (c == '/') {
			if (run == 0)
				return false;
			segments++;
			run = 0;
		} else if (isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.') {
			run++;
		} else {
			return false;
		}
	}
	return segments == 4 && run > 0;
}

int document_check_731(const char *s, size_t n, size_t skip)
{
	static const int weights[3] = {7, 3, 1};
	int sum = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (i == skip)
			continue;
		sum += weights[k++ % 3] * (s[i] >= 'A' ? s[i] - 'A' + 10 : s[i] - '0');
	}
	return sum % 10;
}
