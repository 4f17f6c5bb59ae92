/*
 * dcc_schema.c — the EU DCC JSON schema (ehn-dcc-development/eu-dcc-schema),
 * checked by hand over a jansson value, and the value-set business rules,
 * reported separately as warnings.
 *
 * Why by hand: the schema is small and fixed, a general JSON Schema engine with a
 * regex library would be far more code touching untrusted input, and some rules
 * ("exactly one of v, t, r") are not JSON Schema keywords at all. Every pattern
 * of the schema has a tiny explicit checker below instead of a regex.
 *
 * Schema versus value sets. The published schema names the value set of each
 * coded field with "valueset-uri", an annotation: a code missing from the
 * current list does not make a payload invalid against the schema (value sets
 * grow: a RAT device listed next month is valid today). Membership is a
 * business rule that verifier apps check against value sets they download;
 * dcc_schema_check_value_sets does it against struct hr_value_sets (refreshable,
 * dcc_valueset_file.c) and each miss becomes a warning, never a schema failure.
 *
 * null and empty groups. A member whose value is null is treated as absent, and
 * a group (v, t, r) that is an empty array does not count as the certificate's
 * group: national test data signs payloads with "t": null (BG) and "t": [] next
 * to the one real group (DK), expecting them valid, while two non-empty groups
 * are refused (common DGC2).
 *
 * The rules, by schema version ("ver" of the payload picks them):
 *
 *   all    nam, dob required; exactly one of v, t, r present (the hcert spec
 *          and the interop vector DGC2; from 1.3.0 also a oneOf in the schema);
 *          the group is an array of at least one entry; entries are objects with
 *          the required fields below; nam.fnt/gnt match ^[A-Z<]*$; dn, sd are
 *          integers >= 1; co matches the schema's unanchored [A-Z]{1,10}; tg,
 *          vp, mp, ma, tt, tr are strings (their value sets are warnings, above;
 *          interop vectors PL 7, 8, 9 expect a code outside its value set to fail
 *          the schema stage, which the schema itself does not say — see
 *          docs/VERIFY.md).
 *          Required: v: tg vp mp ma dn sd dt co is ci; t: tg tt sc tr co is ci
 *          (+ tc before 1.3.0); r: tg fr co is df du ci.
 *   1.0.x  dob YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[...]. The 1.0.0
 *          schema had the unanchored pattern (19|20)\d{2}-\d{2}-\d{2} with format
 *          "date"; the EU reference verifiers were relaxed (dgca-app-core-android
 *          issue #21, dgca-app-core-ios PR #54) to accept year, year-month and the
 *          time suffix early issuers wrote, and 1.1.0 made partial dates official.
 *          We accept the union.
 *          t[].dr (test result time) is a date-time.
 *   <1.3   dn, sd <= 9; tc required; a group may hold several entries. The
 *          published schemas also say maxLength 50 for fn, fnt, gn, gnt, is, ci,
 *          tc, but the EU reference verifiers check 1.x payloads against a
 *          relaxed "schema version 1.x" without any maxLength
 *          (dgca-app-core-ios EuDgcSchema.swift) and Hungary's interop vector
 *          HU/2DCode/raw/3.json (1.0.0, a tc of 100 characters) expects schema
 *          validation true: no length limit before 1.3.0.
 *   1.1.x  dob ^(19|20)\d\d(-\d\d){0,2}$ (no time). 1.2.0 dropped t[].dr; from then
 *          it is an unknown property, which the schema allows with any value.
 *   >=1.3  dob may also be "" (schema 1.3.0 release); maxLength 80; nm <= 80;
 *          dn, sd unbounded above; tc optional; each group holds exactly one entry.
 *   >=1.3.2  fnt optional when gnt is present (one of the two is required; before,
 *          fnt was — the schema's own test missing_fnt.json is invalid in 1.3.1).
 *   newer  versions after 1.3.x get the 1.3.2 rules; older than 1.0 the 1.0 ones.
 *   none   every schema version requires "ver", yet Liechtenstein's interop vector
 *          LI/2DCode/raw/4.json signs a payload without it and expects it
 *          schema-valid; a payload without "ver" gets the newest (1.3.2) rules
 *          and the verifier adds a "schema_version" warning
 *          (dcc_schema_lacks_version). A "ver" that is there must be well formed.
 *
 * Formats. JSON Schema "format" is an annotation by default and the reference
 * test harness (dgc-testdata) never asserted it, so interop vectors carry values
 * strict RFC 3339 would refuse: v[].dt as a date-time (PL 11-13, expected valid in
 * 1.0.0, 1.2.1 and 1.3.0), sc offsets written +02 or +0200 (eu-dcc-schema
 * test/valid). We still refuse what is not a date at all:
 *   date       YYYY-MM-DD, a real calendar day, optionally followed by T and a time
 *              (dt, fr, df, du; 1.0.0 itself declared dt, df, du as date-time);
 *   date-time  YYYY-MM-DD T hh:mm:ss[.fraction][Z | ±hh | ±hhmm | ±hh:mm] (sc, dr);
 *              the offset may be missing (a local time, as ISO 8601 allows).
 * Lengths count characters (code points), as JSON Schema does, not bytes.
 * co "UNHCR", which eu-dcc-schema's test/readme.md lists among the variations
 * "documented in the specifications", is not in country-2-codes and raises no
 * value-set warning.
 *
 * What this file never does: allocate, or trust a string to be NUL-free (a code
 * with an embedded NUL must not match "AT" through strcmp).
 */
#include "credential/dcc_schema.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "credential/dcc_valuesets.h"

#define STAGE "schema"

/* Room for a JSON path such as "v[0].dt" and for a quoted, shortened value. */
#define PATH_MAX_LEN  64
#define QUOTE_MAX_LEN 64
/* Longest value shown in a message; longer ones end in "...". */
#define QUOTE_SHOWN 40

/* What the payload's schema version says (see the table above). */
struct dcc_rules {
	char version[16];  /* as written, for messages */
	size_t max_text;   /* maxLength of names, is, ci, tc */
	bool dob_time;     /* 1.0.x: dob may carry a time */
	bool dob_empty;    /* >= 1.3.0: dob may be "" */
	bool dose_max_9;   /* < 1.3.0: dn, sd <= 9 */
	bool single_entry; /* >= 1.3.0: maxItems 1 */
	bool tc_required;  /* < 1.3.0 */
	bool nm_limited;   /* >= 1.3.0: nm maxLength 80 */
	bool dr_defined;   /* < 1.2.0: t[].dr is a date-time */
	bool fnt_optional; /* >= 1.3.2: fnt or gnt */
};

enum field_kind {
	FIELD_TEXT,      /* string, maxLength */
	FIELD_TRANSLIT,  /* string, ^[A-Z<]*$, maxLength */
	FIELD_CODE,      /* string from a value set */
	FIELD_COUNTRY,   /* string from country-2-codes, or UNHCR */
	FIELD_DOSE,      /* integer >= 1 (<= 9 before 1.3.0) */
	FIELD_DATE,      /* full-date, optionally with a time */
	FIELD_DATE_TIME, /* full-date T time */
};

#define F_REQUIRED           0x1u  /* in every version */
#define F_REQUIRED_BEFORE_13 0x2u  /* required before 1.3.0, optional after */
#define F_LIMIT_TEXT         0x4u  /* maxLength rules.max_text */
#define F_LIMIT_NM           0x8u  /* maxLength 80 from 1.3.0 */
#define F_ONLY_BEFORE_12     0x10u /* defined before 1.2.0, unchecked after */

struct field_rule {
	const char *name;
	enum field_kind kind;
	unsigned flags;
	int set;          /* FIELD_CODE, FIELD_COUNTRY: enum dcc_valueset_kind; else -1 */
	const char *noun; /* FIELD_CODE: "a known <noun>" */
};

static const struct field_rule name_fields[] = {
    {"fn", FIELD_TEXT, F_LIMIT_TEXT, -1, NULL},
    {"fnt", FIELD_TRANSLIT, F_LIMIT_TEXT, -1, NULL},
    {"gn", FIELD_TEXT, F_LIMIT_TEXT, -1, NULL},
    {"gnt", FIELD_TRANSLIT, F_LIMIT_TEXT, -1, NULL},
};

static const struct field_rule vaccination_fields[] = {
    {"tg", FIELD_CODE, F_REQUIRED, DCC_VALUESET_DISEASE, "disease or agent"},
    {"vp", FIELD_CODE, F_REQUIRED, DCC_VALUESET_VACCINE_TYPE, "vaccine or prophylaxis"},
    {"mp", FIELD_CODE, F_REQUIRED, DCC_VALUESET_VACCINE_PRODUCT, "vaccine product"},
    {"ma", FIELD_CODE, F_REQUIRED, DCC_VALUESET_VACCINE_HOLDER,
     "vaccine marketing authorisation holder"},
    {"dn", FIELD_DOSE, F_REQUIRED, -1, NULL},
    {"sd", FIELD_DOSE, F_REQUIRED, -1, NULL},
    {"dt", FIELD_DATE, F_REQUIRED, -1, NULL},
    {"co", FIELD_COUNTRY, F_REQUIRED, DCC_VALUESET_COUNTRY, "country"},
    {"is", FIELD_TEXT, F_REQUIRED | F_LIMIT_TEXT, -1, NULL},
    {"ci", FIELD_TEXT, F_REQUIRED | F_LIMIT_TEXT, -1, NULL},
};

static const struct field_rule test_fields[] = {
    {"tg", FIELD_CODE, F_REQUIRED, DCC_VALUESET_DISEASE, "disease or agent"},
    {"tt", FIELD_CODE, F_REQUIRED, DCC_VALUESET_TEST_TYPE, "test type"},
    {"nm", FIELD_TEXT, F_LIMIT_NM, -1, NULL},
    {"ma", FIELD_CODE, 0, DCC_VALUESET_RAT_DEVICE, "RAT device"},
    {"sc", FIELD_DATE_TIME, F_REQUIRED, -1, NULL},
    {"dr", FIELD_DATE_TIME, F_ONLY_BEFORE_12, -1, NULL},
    {"tr", FIELD_CODE, F_REQUIRED, DCC_VALUESET_TEST_RESULT, "test result"},
    {"tc", FIELD_TEXT, F_REQUIRED_BEFORE_13 | F_LIMIT_TEXT, -1, NULL},
    {"co", FIELD_COUNTRY, F_REQUIRED, DCC_VALUESET_COUNTRY, "country"},
    {"is", FIELD_TEXT, F_REQUIRED | F_LIMIT_TEXT, -1, NULL},
    {"ci", FIELD_TEXT, F_REQUIRED | F_LIMIT_TEXT, -1, NULL},
};

static const struct field_rule recovery_fields[] = {
    {"tg", FIELD_CODE, F_REQUIRED, DCC_VALUESET_DISEASE, "disease or agent"},
    {"fr", FIELD_DATE, F_REQUIRED, -1, NULL},
    {"co", FIELD_COUNTRY, F_REQUIRED, DCC_VALUESET_COUNTRY, "country"},
    {"is", FIELD_TEXT, F_REQUIRED | F_LIMIT_TEXT, -1, NULL},
    {"df", FIELD_DATE, F_REQUIRED, -1, NULL},
    {"du", FIELD_DATE, F_REQUIRED, -1, NULL},
    {"ci", FIELD_TEXT, F_REQUIRED | F_LIMIT_TEXT, -1, NULL},
};

struct group_rule {
	const char *key;
	const struct field_rule *fields;
	size_t count;
};

static const struct group_rule groups[] = {
    {"v", vaccination_fields, sizeof(vaccination_fields) / sizeof(vaccination_fields[0])},
    {"t", test_fields, sizeof(test_fields) / sizeof(test_fields[0])},
    {"r", recovery_fields, sizeof(recovery_fields) / sizeof(recovery_fields[0])},
};

#define GROUP_COUNT (sizeof(groups) / sizeof(groups[0]))

/* --- small helpers ------------------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* The value of n decimal digits (callers check them first; n <= 4). */
static int digits_value(const char *s, size_t n)
{
	int value = 0;

	for (size_t i = 0; i < n; i++)
		value = value * 10 + (s[i] - '0');
	return value;
}

/* Characters (code points) of a valid UTF-8 string: bytes that do not continue one. */
static size_t utf8_length(const char *s, size_t len)
{
	size_t count = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0u) != 0x80u)
			count++;
	return count;
}

/* A JSON value shown in a message: strings quoted, shortened and with anything
 * but printable ASCII escaped, so a hostile payload cannot forge log lines. */
static void quote_value(const json_t *value, char *out, size_t cap)
{
	size_t o = 0;

	if (json_is_string(value)) {
		const char *s = json_string_value(value);
		size_t len = json_string_length(value);
		size_t i;

		out[o++] = '"';
		/* o + 9 < cap: room for one escape, "...", the quote and the NUL */
		for (i = 0; i < len && i < QUOTE_SHOWN && o + 9 < cap; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
				out[o++] = (char)c;
			else
				o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		}
		if (i < len) {
			memcpy(out + o, "...", 3);
			o += 3;
		}
		out[o++] = '"';
		out[o] = '\0';
	} else if (json_is_integer(value)) {
		snprintf(out, cap, "%lld", (long long)json_integer_value(value));
	} else if (json_is_real(value)) {
		snprintf(out, cap, "%g", json_real_value(value));
	} else if (json_is_object(value)) {
		snprintf(out, cap, "an object");
	} else if (json_is_array(value)) {
		snprintf(out, cap, "an array");
	} else if (json_is_boolean(value)) {
		snprintf(out, cap, "%s", json_is_true(value) ? "true" : "false");
	} else {
		snprintf(out, cap, "null");
	}
}

static hr_status fail_type(struct hr_error *err, const char *path, const json_t *value,
			   const char *expected)
{
	char shown[QUOTE_MAX_LEN];

	quote_value(value, shown, sizeof(shown));
	return hr_error_set(err, HR_E_INVALID, STAGE, "%s: %s is not %s", path, shown, expected);
}

static hr_status fail_missing(struct hr_error *err, const char *path)
{
	return hr_error_set(err, HR_E_INVALID, STAGE, "%s: required field is missing", path);
}

/* --- date and time formats ---------------------------------------------------- */

static bool leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* RFC 3339 full-date at s (10 bytes): YYYY-MM-DD naming a real calendar day. */
static bool full_date(const char *s, size_t len)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year, month, day, last;

	if (len < 10 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' ||
	    !all_digits(s + 8, 2))
		return false;
	year = digits_value(s, 4);
	month = digits_value(s + 5, 2);
	day = digits_value(s + 8, 2);
	if (month < 1 || month > 12)
		return false;
	last = days[month - 1] + (month == 2 && leap_year(year) ? 1 : 0);
	return day >= 1 && day <= last;
}

/* hh:mm:ss[.fraction][Z | ±hh | ±hhmm | ±hh:mm] filling all of s[0..len). */
static bool partial_time_and_offset(const char *s, size_t len)
{
	size_t i = 8;

	if (len < 8 || !all_digits(s, 2) || s[2] != ':' || !all_digits(s + 3, 2) || s[5] != ':' ||
	    !all_digits(s + 6, 2))
		return false;
	/* second 60: a leap second, as RFC 3339 §5.7 allows */
	if (digits_value(s, 2) > 23 || digits_value(s + 3, 2) > 59 || digits_value(s + 6, 2) > 60)
		return false;
	if (i < len && s[i] == '.') {
		size_t start = ++i;

		while (i < len && is_digit(s[i]))
			i++;
		if (i == start)
			return false;
	}
	if (i == len)
		return true; /* a local time: ISO 8601, not RFC 3339, but seen in practice */
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len)
		return true;
	if (s[i] != '+' && s[i] != '-')
		return false;
	i++;
	if (len - i < 2 || !all_digits(s + i, 2) || digits_value(s + i, 2) > 23)
		return false;
	i += 2;
	if (i == len)
		return true; /* ±hh */
	if (s[i] == ':')
		i++;
	return len - i == 2 && all_digits(s + i, 2) && digits_value(s + i, 2) <= 59;
}

static bool date_time(const char *s, size_t len)
{
	return len > 11 && full_date(s, len) && (s[10] == 'T' || s[10] == 't') &&
	       partial_time_and_offset(s + 11, len - 11);
}

/* A "date" field: a full-date, or a date-time (see the header comment). */
static bool date_or_date_time(const char *s, size_t len)
{
	return (len == 10 && full_date(s, len)) || date_time(s, len);
}

/*
 * dob: ^((19|20)\d\d(-\d\d){0,2}){0,1}$ — a year 1900-2099, then optionally a
 * month, then a day, digits only (the schema does not check calendar ranges);
 * "" when the version allows it, and a trailing time for 1.0.x.
 */
static bool date_of_birth(const char *s, size_t len, const struct dcc_rules *rules)
{
	size_t i = 4;

	if (len == 0)
		return rules->dob_empty;
	if (len < 4 || !all_digits(s, 4) ||
	    !((s[0] == '1' && s[1] == '9') || (s[0] == '2' && s[1] == '0')))
		return false;
	for (int part = 0; part < 2 && i < len && s[i] == '-'; part++) {
		if (len - i < 3 || !all_digits(s + i + 1, 2))
			return false;
		i += 3;
	}
	if (i == len)
		return true;
	return rules->dob_time && i == 10 && (s[i] == 'T' || s[i] == 't') &&
	       partial_time_and_offset(s + 11, len - 11);
}

/* Some character A-Z anywhere in the string. */
static bool has_capital(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	return false;
}

/* ^[A-Z<]*$ — ICAO 9303 transliteration. */
static bool transliterated(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '<'))
			return false;
	return true;
}

/* --- the version ------------------------------------------------------------- */

/* One decimal number of at most 6 digits at *s, advancing it. */
static bool version_number(const char **s, unsigned *out)
{
	const char *p = *s;
	unsigned value = 0;
	int n = 0;

	while (is_digit(*p) && n < 7) {
		value = value * 10u + (unsigned)(*p - '0');
		p++;
		n++;
	}
	if (n == 0 || n > 6)
		return false;
	*s = p;
	*out = value;
	return true;
}

/*
 * ver: the schema's pattern is ^\d+.\d+.\d+$ (meant as semantic versioning; its
 * unescaped dot would also admit other separators, which no issuer writes and
 * which could not pick a rule set, so we require dots).
 */
static hr_status rules_from_version(const json_t *ver, struct dcc_rules *rules,
				    struct hr_error *err)
{
	const char *s;
	unsigned major, minor, patch;
	unsigned long key;

	if (ver == NULL) {
		/* dgc-testdata LI/2DCode/raw/4.json: no "ver", expected schema-valid */
		memset(rules, 0, sizeof(*rules));
		snprintf(rules->version, sizeof(rules->version), "%s", DCC_SCHEMA_NEWEST);
		rules->dob_empty = rules->single_entry = rules->nm_limited = true;
		rules->max_text = 80;
		rules->fnt_optional = true;
		return HR_OK;
	}
	if (!json_is_string(ver))
		return fail_type(err, "ver", ver, "a string");
	s = json_string_value(ver);
	if (strlen(s) != json_string_length(ver) || strlen(s) >= sizeof(rules->version) ||
	    !version_number(&s, &major) || *s++ != '.' || !version_number(&s, &minor) ||
	    *s++ != '.' || !version_number(&s, &patch) || *s != '\0')
		return fail_type(err, "ver", ver, "a schema version MAJOR.MINOR.PATCH");

	memset(rules, 0, sizeof(*rules));
	snprintf(rules->version, sizeof(rules->version), "%s", json_string_value(ver));
	if (major >= 1000 || minor >= 1000 || patch >= 1000)
		key = major >= 1 ? 999999999ul : 0; /* far outside 1.0-1.3: nearest rules */
	else
		key = (unsigned long)major * 1000000ul + (unsigned long)minor * 1000ul + patch;
	rules->dob_time = key < 1001000ul;   /* 1.0.x */
	rules->dr_defined = key < 1002000ul; /* before 1.2.0 */
	rules->dob_empty = key >= 1003000ul; /* 1.3.0 and later */
	rules->single_entry = key >= 1003000ul;
	rules->nm_limited = key >= 1003000ul;
	rules->dose_max_9 = key < 1003000ul;
	rules->tc_required = key < 1003000ul;
	rules->max_text = key < 1003000ul ? SIZE_MAX : 80; /* see the header: <1.3 */
	rules->fnt_optional = key >= 1003002ul;            /* 1.3.2 and later */
	return HR_OK;
}

/* --- fields ------------------------------------------------------------------ */

static hr_status check_string_length(const json_t *value, const char *path, size_t max,
				     const struct dcc_rules *rules, struct hr_error *err)
{
	size_t chars = utf8_length(json_string_value(value), json_string_length(value));

	if (chars > max)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s: %zu characters, more than the %zu allowed (schema %s)",
				    path, chars, max, rules->version);
	return HR_OK;
}

static hr_status check_dose(const json_t *value, const char *path, const struct dcc_rules *rules,
			    struct hr_error *err)
{
	double number;

	/* JSON Schema "integer" also admits a number with a zero fraction (1.0). */
	if (json_is_integer(value)) {
		number = (double)json_integer_value(value);
	} else if (json_is_real(value)) {
		number = json_real_value(value);
		if (!(number >= 1.0 && number <= 1e9) || number != (double)(long)number)
			return fail_type(err, path, value, "a positive integer");
	} else {
		return fail_type(err, path, value, "a positive integer");
	}
	if (number < 1.0)
		return fail_type(err, path, value, "a positive integer");
	if (rules->dose_max_9 && number > 9.0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s: %.0f is more than 9 (schema %s)",
				    path, number, rules->version);
	return HR_OK;
}

static hr_status check_field(const struct field_rule *rule, const json_t *value, const char *path,
			     const struct dcc_rules *rules, struct hr_error *err)
{
	const char *s;
	size_t len;
	char shown[QUOTE_MAX_LEN];

	if (rule->kind == FIELD_DOSE)
		return check_dose(value, path, rules, err);
	if (!json_is_string(value))
		return fail_type(err, path, value, "a string");
	s = json_string_value(value);
	len = json_string_length(value);

	/* the value is quoted for a message only: a field that passes costs no copy */
	switch (rule->kind) {
	case FIELD_TEXT:
		break;
	case FIELD_TRANSLIT:
		if (!transliterated(s, len)) {
			quote_value(value, shown, sizeof(shown));
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s: %s does not match ^[A-Z<]*$ (ICAO 9303 "
					    "transliteration)",
					    path, shown);
		}
		break;
	case FIELD_COUNTRY:
		/* country_vt: "pattern": "[A-Z]{1,10}", unanchored (JSON Schema
		 * patterns match anywhere): some capital letter A-Z */
		if (!has_capital(s, len)) {
			quote_value(value, shown, sizeof(shown));
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "%s: %s does not match [A-Z]{1,10}", path, shown);
		}
		break;
	case FIELD_CODE:
		break; /* a string; its value set is a business rule (warnings) */
	case FIELD_DATE:
		if (!date_or_date_time(s, len))
			return fail_type(err, path, value, "a date YYYY-MM-DD");
		break;
	case FIELD_DATE_TIME:
		if (!date_time(s, len))
			return fail_type(
			    err, path, value,
			    "a date-time YYYY-MM-DDThh:mm:ss[.s][Z|+hh:mm] (RFC 3339)");
		break;
	case FIELD_DOSE:
		break;
	}
	if (rule->flags & F_LIMIT_TEXT)
		return check_string_length(value, path, rules->max_text, rules, err);
	if ((rule->flags & F_LIMIT_NM) && rules->nm_limited)
		return check_string_length(value, path, 80, rules, err);
	return HR_OK;
}

/* path = "%.30s.%.30s" of prefix and name, without printf: it is built for
 * every field checked, and used only when the field fails. */
static void join_path(char path[PATH_MAX_LEN], const char *prefix, const char *name)
{
	size_t a = strnlen(prefix, 30), b = strnlen(name, 30);

	memcpy(path, prefix, a);
	path[a] = '.';
	memcpy(path + a + 1, name, b);
	path[a + 1 + b] = 0;
}

/* Checks every field of obj named in the table; prefix is "nam" or "v[0]". */
static hr_status check_fields(const json_t *obj, const char *prefix,
			      const struct field_rule *fields, size_t count,
			      const struct dcc_rules *rules, struct hr_error *err)
{
	char path[PATH_MAX_LEN];
	hr_status status;

	for (size_t i = 0; i < count; i++) {
		const struct field_rule *rule = &fields[i];
		const json_t *value = json_object_get(obj, rule->name);
		bool required = (rule->flags & F_REQUIRED) ||
				((rule->flags & F_REQUIRED_BEFORE_13) && rules->tc_required);

		join_path(path, prefix, rule->name);
		if ((rule->flags & F_ONLY_BEFORE_12) && !rules->dr_defined)
			continue;
		if (json_is_null(value))
			value = NULL; /* null is absent (see the header comment) */
		if (value == NULL) {
			if (required)
				return fail_missing(err, path);
			continue;
		}
		status = check_field(rule, value, path, rules, err);
		if (status != HR_OK)
			return status;
	}
	return HR_OK;
}

/* Absent or null. */
static bool absent(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return v == NULL || json_is_null(v);
}

static hr_status check_name(const json_t *nam, const struct dcc_rules *rules, struct hr_error *err)
{
	if (json_is_null(nam))
		nam = NULL;
	if (nam == NULL)
		return fail_missing(err, "nam");
	if (!json_is_object(nam))
		return fail_type(err, "nam", nam, "an object");
	if (rules->fnt_optional) {
		if (absent(nam, "fnt") && absent(nam, "gnt"))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "nam: one of fnt and gnt is required");
	} else if (absent(nam, "fnt")) {
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "nam.fnt: required field is missing (schema %s)",
				    rules->version);
	}
	return check_fields(nam, "nam", name_fields, sizeof(name_fields) / sizeof(name_fields[0]),
			    rules, err);
}

static hr_status check_dob(const json_t *dob, const struct dcc_rules *rules, struct hr_error *err)
{
	if (json_is_null(dob))
		dob = NULL;
	if (dob == NULL)
		return fail_missing(err, "dob");
	if (!json_is_string(dob))
		return fail_type(err, "dob", dob, "a string");
	if (!date_of_birth(json_string_value(dob), json_string_length(dob), rules))
		return fail_type(err, "dob", dob,
				 rules->dob_empty
				     ? "a date of birth YYYY[-MM[-DD]] in 1900-2099 or \"\""
				     : "a date of birth YYYY[-MM[-DD]] in 1900-2099");
	return HR_OK;
}

static hr_status check_group(const struct group_rule *group, const json_t *entries,
			     const struct dcc_rules *rules, struct hr_error *err)
{
	char prefix[PATH_MAX_LEN];
	size_t count;
	hr_status status;

	if (!json_is_array(entries))
		return fail_type(err, group->key, entries, "an array");
	count = json_array_size(entries);
	if (count == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s: must hold one entry, holds none",
				    group->key);
	if (count > 1 && rules->single_entry)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s: must hold exactly one entry, holds %zu (schema %s)",
				    group->key, count, rules->version);
	for (size_t i = 0; i < count; i++) {
		const json_t *entry = json_array_get(entries, i);

		snprintf(prefix, sizeof(prefix), "%s[%zu]", group->key, i);
		if (!json_is_object(entry))
			return fail_type(err, prefix, entry, "an object");
		status = check_fields(entry, prefix, group->fields, group->count, rules, err);
		if (status != HR_OK)
			return status;
	}
	return HR_OK;
}

/* --- the payload -------------------------------------------------------------- */

/* The one group present, or NULL (found gets how many were present). A group
 * that is null or an empty array is not present; any other value is (and is
 * then checked as an array). */
static const struct group_rule *present_group(const json_t *payload, size_t *found)
{
	const struct group_rule *group = NULL;

	*found = 0;
	for (size_t i = 0; i < GROUP_COUNT; i++) {
		const json_t *v = json_object_get(payload, groups[i].key);
		if (v == NULL || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0))
			continue;
		group = &groups[i];
		(*found)++;
	}
	return *found == 1 ? group : NULL;
}

hr_status dcc_schema_check(const json_t *payload, struct hr_error *err)
{
	struct dcc_rules rules;
	const struct group_rule *group;
	size_t found;
	hr_status status;

	if (payload == NULL || !json_is_object(payload))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the DCC payload is not a JSON object");
	status = rules_from_version(json_object_get(payload, "ver"), &rules, err);
	if (status != HR_OK)
		return status;
	status = check_name(json_object_get(payload, "nam"), &rules, err);
	if (status != HR_OK)
		return status;
	status = check_dob(json_object_get(payload, "dob"), &rules, err);
	if (status != HR_OK)
		return status;
	group = present_group(payload, &found);
	if (group == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "exactly one of v, t, r must hold entries (found %zu)", found);
	return check_group(group, json_object_get(payload, group->key), &rules, err);
}

unsigned dcc_schema_check_value_sets(const json_t *payload, const struct hr_value_sets *sets,
				     void (*warn)(void *ctx, const char *message), void *ctx)
{
	const struct group_rule *group;
	const json_t *entries;
	unsigned problems = 0;
	size_t found, i;
	char path[PATH_MAX_LEN], shown[QUOTE_MAX_LEN], message[HR_ERROR_MESSAGE_MAX];

	if (!json_is_object(payload) || (group = present_group(payload, &found)) == NULL)
		return 0;
	entries = json_object_get(payload, group->key);
	if (!json_is_array(entries))
		return 0;
	for (i = 0; i < json_array_size(entries); i++) {
		const json_t *entry = json_array_get(entries, i);
		for (size_t f = 0; f < group->count; f++) {
			const struct field_rule *rule = &group->fields[f];
			const json_t *value = json_object_get(entry, rule->name);
			const struct dcc_valueset *set;
			const char *code;
			if (rule->set < 0 || !json_is_string(value))
				continue;
			code = json_string_value(value);
			if (rule->kind == FIELD_COUNTRY && strcmp(code, "UNHCR") == 0)
				continue;
			set = dcc_value_sets_get(sets, (enum dcc_valueset_kind)rule->set);
			if (strlen(code) == json_string_length(value) &&
			    dcc_valueset_contains(set, code))
				continue;
			problems++;
			if (warn == NULL)
				continue;
			snprintf(path, sizeof(path), "%s[%zu].%s", group->key, i, rule->name);
			quote_value(value, shown, sizeof(shown));
			snprintf(message, sizeof(message),
				 "%s: %s is not a known %s (value set %s%s%s)", path, shown,
				 rule->noun, set->id, set->date[0] ? ", " : "", set->date);
			warn(ctx, message);
		}
	}
	return problems;
}

bool dcc_schema_lacks_version(const json_t *payload)
{
	return json_is_object(payload) && json_object_get(payload, "ver") == NULL;
}

const char *dcc_certificate_type(const json_t *payload)
{
	const struct group_rule *group;
	size_t found;

	if (payload == NULL || !json_is_object(payload))
		return NULL;
	group = present_group(payload, &found);
	return group != NULL ? group->key : NULL;
}
