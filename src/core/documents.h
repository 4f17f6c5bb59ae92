/*
 * documents.h — the document types of DESIGN.md §3 and the identifiers that go
 * with them (country codes). Shared by every role that names a document.
 */
#ifndef HROMADA_CORE_DOCUMENTS_H
#define HROMADA_CORE_DOCUMENTS_H

#include <stdbool.h>

#include <hromada/status.h>
#include <stddef.h>

#define DOCUMENT_TYPE_COUNT 8

/* "id_card", "foreign_passport", ... in the order of DESIGN.md §3. */
extern const char *const document_types[DOCUMENT_TYPE_COUNT];

/* Index of a type name, or -1 when it is not one of ours. */
int document_type_index(const char *name);

/* Countries `hromada up` knows how to run: "UA", "PL". */
#define COUNTRY_COUNT 2
extern const char *const countries[COUNTRY_COUNT];
bool country_is_known(const char *code);
/* "UA,PL" into out (COUNTRY_COUNT entries at most), in the order given: unknown,
 * repeated or no countries are HR_E_INVALID naming what is wrong. Stage "country". */
hr_status countries_parse(const char *list, const char *out[COUNTRY_COUNT], int *count,
			  struct hr_error *err);

/*
 * Person identifiers (DESIGN.md §3): "UA:" + RNOKPP — 10 digits, the first five
 * the birth date as days since 1899-12-31, the last a check digit — or "PL:" +
 * PESEL — 11 digits, a valid birth date (century in the month), a check digit.
 */
bool person_id_valid(const char *id);
bool rnokpp_valid(const char *digits);
bool pesel_valid(const char *digits);

/*
 * The 7-3-1 check digit of Polish identity cards and passports and of
 * Ukraine's УНЗР record numbers: weights 7, 3, 1 repeating over the n
 * characters of s (digits as themselves, letters A=10 ... Z=35), skipping the
 * character at index skip (the check digit's own place), mod 10. s holds only
 * digits and upper-case ASCII letters.
 */
int document_check_731(const char *s, size_t n, size_t skip);

/* Member ids (DESIGN.md §3, X-Road style): four non-empty segments of
 * [A-Za-z0-9_.-] separated by '/', COUNTRY/CLASS/CODE/SUBSYSTEM, shorter than
 * MEMBER_ID_MAX. */
#define MEMBER_ID_MAX 96
bool member_id_valid(const char *id);

#endif
