/*
 * identifiers.c — person ids and document numbers as dumps write them, reduced
 * to one canonical form with their check digits checked (see identifiers.h).
 *
 * Why here and not in core: the forms are a dump's (spaces, quotes, Latin
 * look-alikes of Cyrillic series); the registries only ever hold the exact
 * form. The check-digit rules are core's (rnokpp_valid, pesel_valid) or those
 * population_documents.c generates numbers with (Polish documents, УНЗР).
 *
 * Never: read past len, write past size, allocate.
 */
#include "leak/identifiers.h"

#include <stdint.h>
#include <string.h>

#include "core/documents.h"

/* Longest run of letters and digits an identifier of ours has. */
#define BODY_MAX 24

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '\'';
}

/* The Latin look-alike of a Cyrillic letter that Ukrainian series use
 * (А В Е І К М Н О Р С Т Х, either case), 0 for any other code point. */
static char cyrillic_lookalike(uint32_t cp)
{
	static const struct {
		uint16_t upper;
		char latin;
	} map[] = {{0x410, 'A'}, {0x412, 'B'}, {0x415, 'E'}, {0x406, 'I'},
		   {0x41A, 'K'}, {0x41C, 'M'}, {0x41D, 'H'}, {0x41E, 'O'},
		   {0x420, 'P'}, {0x421, 'C'}, {0x422, 'T'}, {0x425, 'X'}};

	if (cp >= 0x430 && cp <= 0x44F)
		cp -= 0x20;
	else if (cp == 0x456)
		cp = 0x406;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].upper == cp)
			return map[i].latin;
	}
	return 0;
}

/* Whether a Latin capital has a Cyrillic look-alike in Ukrainian series. */
static bool looks_cyrillic(char c)
{
	return strchr("ABEIKMHOPCTX", c) != NULL;
}

static bool shape_is(const char *s, size_t letters, size_t digits)
{
	if (strlen(s) != letters + digits)
		return false;
	for (size_t i = 0; i < letters; i++) {
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	}
	for (size_t i = letters; i < letters + digits; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

/* AAA C DDDDD: the check digit is the fourth character. */
bool leak_pl_id_card_valid(const char *s)
{
	return shape_is(s, 3, 6) && document_check_731(s, 9, 3) == s[3] - '0';
}

/* AA C DDDDDD: the check digit is the third character. */
bool leak_pl_passport_valid(const char *s)
{
	return shape_is(s, 2, 7) && document_check_731(s, 9, 2) == s[2] - '0';
}

/* УНЗР: YYYYMMDD NNNN C, 7,3,1 over the first twelve digits. */
static bool unzr_valid(const char *d)
{
	return document_check_731(d, 12, 12) == d[12] - '0';
}

/* The body of an identifier: letters (upper case, Cyrillic look-alikes in
 * Latin) then digits, separators dropped, into body (BODY_MAX + 1 bytes).
 * False when a character or the order of letters and digits is not ours. */
static bool read_body(const unsigned char *p, size_t n, char *body, size_t *letters, size_t *digits,
		      bool *cyrillic)
{
	size_t i = 0, b = 0;

	*letters = *digits = 0;
	*cyrillic = false;
	while (i < n) {
		unsigned char c = p[i];
		char ch;

		if (c == ' ' || c == '-' || c == '\t') {
			i++;
			continue;
		}
		if (c >= '0' && c <= '9') {
			ch = (char)c;
			(*digits)++;
		} else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
			if (*digits > 0)
				return false;
			ch = (char)(c & ~0x20);
			(*letters)++;
		} else if ((c == 0xD0 || c == 0xD1) && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
			uint32_t cp = ((uint32_t)(c & 0x1F) << 6) | (p[i + 1] & 0x3F);

			ch = cyrillic_lookalike(cp);
			if (!ch || *digits > 0)
				return false;
			*cyrillic = true;
			(*letters)++;
			i++;
		} else {
			return false;
		}
		if (b >= BODY_MAX)
			return false;
		body[b++] = ch;
		i++;
	}
	body[b] = 0;
	return b > 0;
}

static enum leak_id_kind put(const char *prefix, const char *body, char *canonical, size_t size,
			     bool valid, bool *check_ok)
{
	size_t a = strlen(prefix), b = strlen(body);

	if (a + b >= size) {
		if (size > 0)
			canonical[0] = 0;
		return LEAK_ID_NONE;
	}
	memcpy(canonical, prefix, a);
	memcpy(canonical + a, body, b + 1);
	if (check_ok)
		*check_ok = valid;
	return LEAK_ID_DOCUMENT; /* the caller names the kind */
}

enum leak_id_kind leak_id_parse(const char *text, size_t len, char *canonical, size_t size,
				bool *check_ok)
{
	char body[BODY_MAX + 1], country[3] = {0, 0, 0};
	size_t letters, digits;
	bool cyrillic, valid;

	if (size > 0)
		canonical[0] = 0;
	if (check_ok)
		*check_ok = false;
	while (len > 0 && is_blank(text[0])) {
		text++;
		len--;
	}
	while (len > 0 && is_blank(text[len - 1]))
		len--;
	if (len >= 3 && text[2] == ':') {
		country[0] = (char)(text[0] & ~0x20);
		country[1] = (char)(text[1] & ~0x20);
		if (strcmp(country, "UA") != 0 && strcmp(country, "PL") != 0)
			return LEAK_ID_NONE;
		text += 3;
		len -= 3;
	}
	if (!read_body((const unsigned char *)text, len, body, &letters, &digits, &cyrillic))
		return LEAK_ID_NONE;

	/* person ids: the count of digits names the country */
	if (letters == 0 && digits == 10 && strcmp(country, "PL") != 0) {
		if (put("UA:", body, canonical, size, rnokpp_valid(body), check_ok) == LEAK_ID_NONE)
			return LEAK_ID_NONE;
		return LEAK_ID_RNOKPP;
	}
	if (letters == 0 && digits == 11 && strcmp(country, "UA") != 0) {
		if (put("PL:", body, canonical, size, pesel_valid(body), check_ok) == LEAK_ID_NONE)
			return LEAK_ID_NONE;
		return LEAK_ID_PESEL;
	}
	if (country[0])
		return LEAK_ID_NONE;

	/* documents: the shapes of population_documents.c */
	if (letters == 0 && digits == 13) {
		char record[15];

		memcpy(record, body, 8);
		record[8] = '-';
		memcpy(record + 9, body + 8, 6);
		return put("", record, canonical, size, unzr_valid(body), check_ok);
	}
	if (letters == 0 && digits == 9)
		valid = true;
	else if (letters == 2 && (digits == 6 || digits == 8))
		valid = true;
	else if (letters == 3 && digits == 6)
		valid =
		    cyrillic || leak_pl_id_card_valid(body) ||
		    (looks_cyrillic(body[0]) && looks_cyrillic(body[1]) && looks_cyrillic(body[2]));
	else if (letters == 2 && digits == 7)
		valid = true;
	else
		return LEAK_ID_NONE;
	return put("", body, canonical, size, valid, check_ok);
}
