/*
 * leak_index_build.c — the index from the registries (leak_index_build.h).
 *
 * The fields are read out of each document's JSON by the database itself
 * (SQLite's json_extract, PostgreSQL's ->>): a registry's fields are one flat
 * object, and letting the database pick six of them costs a fraction of
 * parsing the whole object here.
 */
#include "leak/leak_index_build.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/store.h"
#include "leak/identifiers.h"
#include "leak/translit.h"

#define STAGE "leak"

/*
 * Keyset paging by row values, "(a, b) > (?, ?)": both databases seek the
 * primary key to it. Written as "a > ? OR (a = ? AND b > ?)" SQLite plans a
 * full scan when the values are bound (it picks the seek only for literals),
 * so every page read the table from its start: ten million people took
 * hours instead of minutes.
 */
#define SQL_DOCUMENTS_SQLITE                                                                       \
	"SELECT person, document_number, json_extract(fields, '$.family_name'),"                   \
	" json_extract(fields, '$.given_name'), json_extract(fields, '$.patronymic'),"             \
	" json_extract(fields, '$.birth_date'), json_extract(fields, '$.issue_date'),"             \
	" json_extract(fields, '$.address'), json_extract(fields, '$.record_number')"              \
	" FROM documents WHERE (person, document_number) > (?, ?)"                                 \
	" ORDER BY person, document_number LIMIT ?"
#define SQL_DOCUMENTS_POSTGRES                                                                     \
	"SELECT person, document_number, fields->>'family_name', fields->>'given_name',"           \
	" fields->>'patronymic', fields->>'birth_date', fields->>'issue_date',"                    \
	" fields->>'address', fields->>'record_number'"                                            \
	" FROM documents WHERE (person, document_number) > (?, ?)"                                 \
	" ORDER BY person, document_number LIMIT ?"
#define SQL_HISTORY_SQLITE                                                                         \
	"SELECT document_number, valid_from, valid_to, json_extract(fields, '$.address')"          \
	" FROM document_history WHERE (document_number, valid_from) > (?, ?)"                      \
	" ORDER BY document_number, valid_from LIMIT ?"
#define SQL_HISTORY_POSTGRES                                                                       \
	"SELECT document_number, valid_from, valid_to, fields->>'address'"                         \
	" FROM document_history WHERE (document_number, valid_from) > (?, ?)"                      \
	" ORDER BY document_number, valid_from LIMIT ?"

bool leak_index_keeps_type(int type)
{
	/* ID card, foreign passport, driver licence, vehicle registration,
	 * residence permit: the numbers leaked databases carry. Vaccination
	 * certificates, student cards and military records name their holder
	 * (so they still give the person) but their numbers are not kept. */
	return type >= 0 && type <= 4;
}

static const char *text(struct store_stmt *stmt, int column, size_t *len)
{
	const char *t = store_column_text(stmt, column, len);

	if (t == NULL) {
		*len = 0;
		return "";
	}
	return t;
}

static uint32_t name_hash(const struct leak_index *x, const char *name, size_t len)
{
	char key[256];

	if (len == 0 || translit_name_key(name, len, key, sizeof(key), NULL) != HR_OK ||
	    key[0] == '\0')
		return 0;
	return leak_index_value(x, 'n', key, strlen(key));
}

static uint32_t address_hash(const struct leak_index *x, const char *address, size_t len)
{
	char key[512];
	size_t n = leak_address_key(address, len, key, sizeof(key));

	return n == 0 ? 0 : leak_index_value(x, 'a', key, n);
}

/* A document number as identifiers.h writes it; numbers of formats it does
 * not know are kept upper-cased without blanks, as a dump would be read. */
static uint64_t number_tag(const struct leak_index *x, const char *number, size_t len)
{
	char canonical[LEAK_ID_CANONICAL_MAX * 2];
	size_t n = 0;

	if (leak_id_parse(number, len, canonical, sizeof(canonical), NULL) == LEAK_ID_NONE) {
		for (size_t i = 0; i < len && n + 1 < sizeof(canonical); i++) {
			char c = number[i];

			if (c == ' ' || c == '-')
				continue;
			canonical[n++] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
		}
		canonical[n] = '\0';
	}
	return leak_index_tag(x, canonical, strlen(canonical));
}

static hr_status add_row(struct leak_index *x, const struct leak_build_source *s, int type,
			 struct store_stmt *stmt, struct hr_error *err)
{
	size_t len[9];
	const char *v[9];
	struct leak_person *p;
	struct leak_document d = {0};
	uint32_t slot;
	hr_status rc;

	for (int c = 0; c < 9; c++)
		v[c] = text(stmt, c, &len[c]);
	if ((p = leak_index_person_at(x, leak_index_tag(x, v[0], len[0]), &slot)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory for people");
	if (p->birth == 0) {
		/* the first document of a person names them */
		p->family = name_hash(x, v[2], len[2]);
		p->given = name_hash(x, v[3], len[3]);
		p->patronymic = (uint16_t)name_hash(x, v[4], len[4]);
		p->birth = leak_day_parse(v[5], len[5]);
		if (s->canary_of != NULL) {
			int member = s->canary_of(s->context, v[0]);

			if (member > 0)
				p->flags = (uint16_t)(LEAK_PERSON_CANARY | (unsigned)member << 1);
		}
	}
	if (len[7] > 0 && p->address == 0)
		p->address = address_hash(x, v[7], len[7]);
	if (!leak_index_keeps_type(type))
		return HR_OK;
	d.person = slot;
	d.issued = leak_day_parse(v[6], len[6]);
	d.type = (uint8_t)type;
	d.country = strcmp(s->country, "PL") == 0;
	d.tag = number_tag(x, v[1], len[1]);
	if ((rc = leak_index_add_document(x, &d, err)) != HR_OK)
		return rc;
	if (len[8] > 0) {
		/* the ID card's record number (УНЗР) names its holder too */
		d.tag = number_tag(x, v[8], len[8]);
		rc = leak_index_add_document(x, &d, err);
	}
	return rc;
}

typedef hr_status (*row_fn)(struct leak_index *x, const struct leak_build_source *s, int type,
			    struct store_stmt *stmt, struct hr_error *err);

/*
 * Every row of one registry's query, in pages of LEAK_BUILD_PAGE: each page
 * starts after the key (the first two columns) of the last row before it.
 */
static hr_status read_pages(struct leak_index *x, const struct leak_build_source *s, int type,
			    const char *sqlite, const char *postgres, row_fn each, uint64_t *rows,
			    struct hr_error *err)
{
	struct store *store = s->registries[type];
	const char *sql = store_dialect(store) == STORE_POSTGRES ? postgres : sqlite;
	char last[2][64] = {"", ""};
	hr_status rc = HR_OK;

	for (;;) {
		struct store_stmt *stmt;
		size_t got = 0, n;
		bool row;

		if ((rc = store_prepare(store, sql, &stmt, err)) != HR_OK)
			return rc;
		store_bind_text(stmt, 1, last[0], strlen(last[0]));
		store_bind_text(stmt, 2, last[1], strlen(last[1]));
		store_bind_int64(stmt, 3, LEAK_BUILD_PAGE);
		while ((rc = store_step(stmt, &row, err)) == HR_OK && row) {
			if ((rc = each(x, s, type, stmt, err)) != HR_OK)
				break;
			snprintf(last[0], sizeof(last[0]), "%s", text(stmt, 0, &n));
			snprintf(last[1], sizeof(last[1]), "%s", text(stmt, 1, &n));
			got++;
		}
		store_stmt_free(stmt);
		*rows += got;
		if (s->progress != NULL)
			s->progress(s->context, *rows);
		if (rc != HR_OK || got < LEAK_BUILD_PAGE)
			return rc;
	}
}

/* An earlier version: the address a person had until the day they moved. */
static hr_status add_version(struct leak_index *x, const struct leak_build_source *s, int type,
			     struct store_stmt *stmt, struct hr_error *err)
{
	size_t ln, lt, la;
	const char *number = text(stmt, 0, &ln);
	const char *to = text(stmt, 2, &lt), *address = text(stmt, 3, &la);
	const struct leak_document *d = leak_index_find_document(x, number_tag(x, number, ln));
	uint16_t moved = leak_day_parse(to, lt);
	struct leak_person *p;

	(void)s;
	(void)type;
	(void)err;
	if (d == NULL || moved == 0 ||
	    (p = (struct leak_person *)leak_index_person(x, d->person)) == NULL)
		return HR_OK;
	/* the latest move is the one a dump's address is judged by */
	if (moved >= p->moved) {
		p->moved = moved;
		p->address_before = address_hash(x, address, la);
	}
	return HR_OK;
}

hr_status leak_index_build(struct leak_index *x, const struct leak_build_source *s,
			   struct hr_error *err)
{
	uint64_t rows = 0;
	hr_status rc;

	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		if (s->registries[t] == NULL)
			continue;
		if ((rc = read_pages(x, s, t, SQL_DOCUMENTS_SQLITE, SQL_DOCUMENTS_POSTGRES, add_row,
				     &rows, err)) != HR_OK) {
			hr_error_prefix(err, "%s registry %s", s->country, document_types[t]);
			return rc;
		}
	}
	/* earlier versions after every document: they are found by number */
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		if (s->registries[t] == NULL || !leak_index_keeps_type(t))
			continue;
		if ((rc = read_pages(x, s, t, SQL_HISTORY_SQLITE, SQL_HISTORY_POSTGRES, add_version,
				     &rows, err)) != HR_OK) {
			hr_error_prefix(err, "%s registry %s history", s->country,
					document_types[t]);
			return rc;
		}
	}
	return HR_OK;
}

hr_status leak_index_stamp_registry(struct store *registry, char *stamp, size_t size,
				    struct hr_error *err)
{
	struct store_stmt *stmt;
	size_t used = strlen(stamp);
	bool row;
	hr_status rc;

	if ((rc = store_prepare(registry,
				"SELECT country, seed, people, generator, as_of, loaded_at "
				"FROM population",
				&stmt, err)) != HR_OK)
		return rc;
	while ((rc = store_step(stmt, &row, err)) == HR_OK && row && used < size) {
		size_t n;
		int w = snprintf(
		    stamp + used, size - used, "%s/%s/%" PRId64 "/%" PRId64 "/%s/%" PRId64 ";",
		    text(stmt, 0, &n), text(stmt, 1, &n), store_column_int64(stmt, 2),
		    store_column_int64(stmt, 3), text(stmt, 4, &n), store_column_int64(stmt, 5));

		used += w > 0 ? (size_t)w : 0;
	}
	store_stmt_free(stmt);
	if (used >= size)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "the index's stamp is too long");
	return rc;
}
