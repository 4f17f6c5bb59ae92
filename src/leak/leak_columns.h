/*
 * leak_columns.h — what each column of a leaked dump holds, from its name
 * (in English, Ukrainian, Russian or Polish, any case and punctuation) or,
 * when the name says nothing ("col3"), from a sample of its values.
 *
 * Kinds split in two: fields the platform's registries hold (an id, names, a
 * birth day, an address, a document number, and the other fields of
 * docs/DOCUMENTS.md), which leakscan compares; and fields the platform never
 * held (passwords, bank cards, phone numbers, e-mail addresses, logins, IP
 * addresses), whose presence shows the dump was put together elsewhere.
 */
#ifndef HROMADA_LEAK_LEAK_COLUMNS_H
#define HROMADA_LEAK_LEAK_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

enum leak_column {
	LEAK_COL_UNKNOWN = 0,
	/* held and compared */
	LEAK_COL_PERSON_ID,
	LEAK_COL_DOCUMENT,
	LEAK_COL_FAMILY_NAME,
	LEAK_COL_GIVEN_NAME,
	LEAK_COL_PATRONYMIC,
	LEAK_COL_FULL_NAME,
	LEAK_COL_BIRTH_DATE,
	LEAK_COL_ADDRESS,
	/* held, not compared (sex, nationality, dates of documents, plates, ...) */
	LEAK_COL_HELD,
	/* never held */
	LEAK_COL_PASSWORD,
	LEAK_COL_CARD,
	LEAK_COL_CVV,
	LEAK_COL_PHONE,
	LEAK_COL_EMAIL,
	LEAK_COL_LOGIN,
	LEAK_COL_IP,
	LEAK_COL_KIND_COUNT,
};

/* The kind a column's name says; LEAK_COL_UNKNOWN when it says nothing. */
enum leak_column leak_column_from_name(const char *name);

/* Votes of a sample of values, for a column whose name said nothing. */
struct leak_column_votes {
	unsigned values; /* non-empty values seen */
	unsigned votes[LEAK_COL_KIND_COUNT];
};
void leak_column_vote(struct leak_column_votes *v, const char *value, size_t len);
/* The kind most values showed, when at least 60% of them did. */
enum leak_column leak_column_decide(const struct leak_column_votes *v);

/* "person_id", "family_name", ..., "password": the report's names of kinds. */
const char *leak_column_name(enum leak_column kind);
bool leak_column_is_foreign(enum leak_column kind);

#endif
