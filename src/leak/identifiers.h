/*
 * identifiers.h — the identifiers of a leaked dump's rows, recognised in the
 * forms dumps write them and reduced to one canonical form for matching
 * against the registries (DESIGN.md §3, §7).
 *
 * Dumps write "UA:3012345678", "3012345678", "301 234 5678", "301-234-5678",
 * "PL:44051401359", quoted or padded with blanks, and document numbers in any
 * case, with spaces, and with Ukrainian series typed in Latin look-alikes
 * ("АВ123456" in Cyrillic or "AB123456" in Latin). leak_id_parse() reads each
 * field once, with no allocation.
 *
 * Never: accept a length it did not measure, write past size, or call a shape
 * it cannot place an identifier (LEAK_ID_NONE instead).
 */
#ifndef HROMADA_LEAK_IDENTIFIERS_H
#define HROMADA_LEAK_IDENTIFIERS_H

#include <stdbool.h>
#include <stddef.h>

/* Room for every canonical form, NUL included. */
#define LEAK_ID_CANONICAL_MAX 32

enum leak_id_kind {
	LEAK_ID_NONE,     /* not an identifier of ours */
	LEAK_ID_RNOKPP,   /* Ukraine's taxpayer number: canonical "UA:" + 10 digits */
	LEAK_ID_PESEL,    /* Poland's PESEL: canonical "PL:" + 11 digits */
	LEAK_ID_DOCUMENT, /* a document or record number of the platform's formats */
};

/*
 * What the len bytes of text are, with the canonical form in canonical (size
 * bytes, NUL-terminated; "" for LEAK_ID_NONE or when it does not fit, which is
 * LEAK_ID_NONE too) and, in *check_ok (may be NULL), whether the identifier's
 * check digit holds.
 *
 * Person ids: blanks and quotes around, an optional "UA:" or "PL:" prefix,
 * digits with spaces or dashes between them. Ten digits are an RNOKPP, eleven
 * a PESEL (its check digit and its birth date are checked); a prefix that
 * disagrees with the count is LEAK_ID_NONE.
 *
 * Documents (src/platform/population_documents.c), canonical: upper case,
 * without spaces or dashes, Cyrillic series letters as their Latin
 * look-alikes (leakscan canonicalises the registry's numbers the same way):
 *	9 digits             UA id card, UA residence permit      no check digit
 *	13 digits            UA record number (УНЗР), canonical
 *	                     "YYYYMMDD-NNNNC"                     check digit
 *	2 letters, 6 digits  UA foreign passport, military record no check digit
 *	2 letters, 8 digits  UA student card                      no check digit
 *	3 letters, 6 digits  PL id card (AAA C DDDDD)             check digit,
 *	                     UA driver licence, vehicle registration (Cyrillic
 *	                     series): Cyrillic letters, or Latin ones that all
 *	                     look Cyrillic, may be those, so *check_ok is true
 *	2 letters, 7 digits  PL passport (AA C DDDDDD), PL military record,
 *	                     PL residence permit: the last two have no check
 *	                     digit, so *check_ok is true (leak_pl_passport_valid
 *	                     checks a column known to hold passports)
 * Formats without a check digit set *check_ok to true.
 */
enum leak_id_kind leak_id_parse(const char *text, size_t len, char *canonical, size_t size,
				bool *check_ok);

/* The check digits of Polish document numbers, canonical form ("ABA300000",
 * "AA1234567"): 7,3,1 weights over letters (A=10 ... Z=35) and digits. */
bool leak_pl_id_card_valid(const char *canonical);
bool leak_pl_passport_valid(const char *canonical);

#endif
