/*
 * leak_scan.c — a dump's rows against the index (leak_scan.h).
 */
#include "leak/leak_scan.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "leak/identifiers.h"
#include "leak/leak_columns.h"
#include "leak/translit.h"

#define STAGE         "leak"
#define SAMPLE_ROWS   200        /* rows the kinds of unnamed columns are judged on */
#define SAMPLE_BYTES  (4u << 20) /* ... at most this much of them */
#define FOREIGN_MAX   32         /* foreign columns a report lists */
#define DUMPS_MAX     64
#define DAYS          65536
#define PROGRESS_ROWS 65536

struct foreign_column {
	char dump[256];
	char column[DUMP_COLUMN_NAME_MAX + 1];
	enum leak_column kind;
	uint64_t values;
};

struct dump_summary {
	char name[256];
	const char *format, *encoding;
	char delimiter;
	uint64_t rows;
	json_t *columns;
};

struct leak_scan {
	struct leak_scan_options o;
	/* the columns of the rows being read */
	enum leak_column kinds[DUMP_FIELDS_MAX];
	int first[LEAK_COL_KIND_COUNT]; /* the first column of each kind, or -1 */
	size_t foreign_at[DUMP_FIELDS_MAX];
	size_t column_count;
	const char *table;
	/* what was found */
	uint64_t rows, real, outdated, altered, fabricated, invalid_check, unknown_id, unidentified,
	    canary_rows;
	uint64_t compared[LEAK_COL_KIND_COUNT], agree[LEAK_COL_KIND_COUNT];
	bool seen[LEAK_COL_KIND_COUNT];
	uint32_t *newer_than, *older_than; /* histograms of days */
	uint64_t newer_count, older_count;
	uint64_t *canary_hits; /* per member ordinal */
	struct foreign_column foreign[FOREIGN_MAX];
	size_t foreign_count;
	struct dump_summary dumps[DUMPS_MAX];
	size_t dump_count;
};

hr_status leak_scan_new(const struct leak_scan_options *o, struct leak_scan **out,
			struct hr_error *err)
{
	struct leak_scan *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	s->o = *o;
	s->newer_than = calloc(DAYS, sizeof(*s->newer_than));
	s->older_than = calloc(DAYS, sizeof(*s->older_than));
	s->canary_hits = calloc(o->canary_member_count + 1, sizeof(*s->canary_hits));
	if (s->newer_than == NULL || s->older_than == NULL || s->canary_hits == NULL) {
		leak_scan_free(s);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	*out = s;
	return HR_OK;
}

void leak_scan_free(struct leak_scan *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->dump_count; i++)
		json_decref(s->dumps[i].columns);
	free(s->newer_than);
	free(s->older_than);
	free(s->canary_hits);
	free(s);
}

/* ---- columns ---- */

static void note_foreign(struct leak_scan *s, const char *dump, const char *column,
			 enum leak_column kind, size_t at)
{
	for (size_t i = 0; i < s->foreign_count; i++)
		if (strcmp(s->foreign[i].dump, dump) == 0 &&
		    strcmp(s->foreign[i].column, column) == 0) {
			s->foreign_at[at] = i;
			return;
		}
	if (s->foreign_count == FOREIGN_MAX) {
		s->foreign_at[at] = SIZE_MAX;
		return;
	}
	snprintf(s->foreign[s->foreign_count].dump, sizeof(s->foreign[0].dump), "%s", dump);
	snprintf(s->foreign[s->foreign_count].column, sizeof(s->foreign[0].column), "%s", column);
	s->foreign[s->foreign_count].kind = kind;
	s->foreign_at[at] = s->foreign_count++;
}

/* Kinds from the names; votes (when given) decide the columns names leave open. */
static void set_columns(struct leak_scan *s, struct dump_summary *d, const char *const *names,
			size_t count, const struct leak_column_votes *votes)
{
	for (int k = 0; k < LEAK_COL_KIND_COUNT; k++)
		s->first[k] = -1;
	json_array_clear(d->columns);
	for (size_t c = 0; c < count; c++) {
		enum leak_column kind = leak_column_from_name(names[c]);

		if (kind == LEAK_COL_UNKNOWN && votes != NULL)
			kind = leak_column_decide(&votes[c]);
		s->kinds[c] = kind;
		if (s->first[kind] < 0)
			s->first[kind] = (int)c;
		if (leak_column_is_foreign(kind))
			note_foreign(s, d->name, names[c], kind, c);
		json_array_append_new(d->columns, json_pack("{s:s, s:s}", "name", names[c], "kind",
							    leak_column_name(kind)));
	}
	s->column_count = count;
}

/* ---- rows ---- */

static const struct dump_field *field(const struct leak_scan *s, const struct dump_row *row,
				      enum leak_column kind)
{
	int c = s->first[kind];

	if (c < 0 || (size_t)c >= row->count || row->fields[c].null || row->fields[c].len == 0)
		return NULL;
	return &row->fields[c];
}

static uint32_t name_hash(const struct leak_scan *s, const char *text, size_t len)
{
	char key[256];

	if (translit_name_key(text, len, key, sizeof(key), NULL) != HR_OK || key[0] == '\0')
		return 0;
	return leak_index_value(s->o.index, 'n', key, strlen(key));
}

static void compare(struct leak_scan *s, enum leak_column kind, bool agrees, bool *all)
{
	s->compared[kind]++;
	s->agree[kind] += agrees;
	if (!agrees)
		*all = false;
}

/* "Шевченко Тарас Григорович" or "TARAS SHEVCHENKO": the family and given
 * names are among its words, in any order. */
static bool full_name_agrees(const struct leak_scan *s, const struct leak_person *p,
			     const struct dump_field *f)
{
	bool family = false, given = false;
	size_t i = 0;

	while (i < f->len) {
		size_t j = i;
		uint32_t h;

		while (j < f->len && f->ptr[j] != ' ' && f->ptr[j] != ',')
			j++;
		if (j > i) {
			h = name_hash(s, f->ptr + i, j - i);
			family |= h == p->family;
			given |= h == p->given;
		}
		i = j + 1;
	}
	return family && given;
}

static void evidence(uint32_t *histogram, uint64_t *count, uint16_t day)
{
	if (day != 0) {
		histogram[day]++;
		(*count)++;
	}
}

/* The person a row names, or NULL with the row counted as fabricated or
 * unidentified. *document: the document the row names, when it names one. */
static const struct leak_person *identify(struct leak_scan *s, const struct dump_row *row,
					  const struct leak_document **document, char *person_id)
{
	const struct dump_field *id = field(s, row, LEAK_COL_PERSON_ID);
	const struct dump_field *number = field(s, row, LEAK_COL_DOCUMENT);
	char canonical[LEAK_ID_CANONICAL_MAX];
	const struct leak_person *p = NULL;
	bool check_ok = false;

	*document = NULL;
	person_id[0] = '\0';
	if (number != NULL) {
		enum leak_id_kind kind = leak_id_parse(number->ptr, number->len, canonical,
						       sizeof(canonical), &check_ok);

		if (kind == LEAK_ID_DOCUMENT)
			*document = leak_index_find_document(
			    s->o.index, leak_index_tag(s->o.index, canonical, strlen(canonical)));
	}
	if (id != NULL) {
		enum leak_id_kind kind =
		    leak_id_parse(id->ptr, id->len, canonical, sizeof(canonical), &check_ok);

		if (kind != LEAK_ID_RNOKPP && kind != LEAK_ID_PESEL) {
			s->unidentified++;
			return NULL;
		}
		if (!check_ok) {
			s->fabricated++;
			s->invalid_check++;
			return NULL;
		}
		p = leak_index_find_person(
		    s->o.index, leak_index_tag(s->o.index, canonical, strlen(canonical)));
		if (p == NULL) {
			s->fabricated++;
			s->unknown_id++;
			return NULL;
		}
		memcpy(person_id, canonical, strlen(canonical) + 1);
		return p;
	}
	if (number == NULL) {
		s->unidentified++;
		return NULL;
	}
	if (*document == NULL) {
		s->fabricated++;
		if (!check_ok)
			s->invalid_check++;
		else
			s->unknown_id++;
		return NULL;
	}
	return leak_index_person(s->o.index, (*document)->person);
}

static void scan_row(struct leak_scan *s, const struct dump_row *row)
{
	const struct leak_document *doc;
	const struct leak_person *p;
	const struct dump_field *f;
	char person_id[LEAK_ID_CANONICAL_MAX];
	bool all = true, former = false;

	s->rows++;
	for (size_t c = 0; c < row->count && c < s->column_count; c++)
		if (leak_column_is_foreign(s->kinds[c]) && s->foreign_at[c] != SIZE_MAX &&
		    !row->fields[c].null && row->fields[c].len > 0)
			s->foreign[s->foreign_at[c]].values++;
	if ((p = identify(s, row, &doc, person_id)) == NULL)
		return;
	if (person_id[0] != '\0' && s->o.on_person != NULL)
		s->o.on_person(s->o.context, person_id);
	if (p->flags & LEAK_PERSON_CANARY) {
		size_t k = p->flags >> 1;

		s->canary_rows++;
		s->canary_hits[k <= s->o.canary_member_count ? k : 0]++;
	}
	if (field(s, row, LEAK_COL_PERSON_ID) != NULL && field(s, row, LEAK_COL_DOCUMENT) != NULL)
		compare(s, LEAK_COL_DOCUMENT,
			doc != NULL && leak_index_person(s->o.index, doc->person) == p, &all);
	if (doc != NULL && leak_index_person(s->o.index, doc->person) == p)
		evidence(s->newer_than, &s->newer_count, doc->issued);
	if ((f = field(s, row, LEAK_COL_FAMILY_NAME)) != NULL)
		compare(s, LEAK_COL_FAMILY_NAME, name_hash(s, f->ptr, f->len) == p->family, &all);
	if ((f = field(s, row, LEAK_COL_GIVEN_NAME)) != NULL)
		compare(s, LEAK_COL_GIVEN_NAME, name_hash(s, f->ptr, f->len) == p->given, &all);
	if ((f = field(s, row, LEAK_COL_PATRONYMIC)) != NULL)
		compare(s, LEAK_COL_PATRONYMIC,
			(uint16_t)name_hash(s, f->ptr, f->len) == p->patronymic, &all);
	if ((f = field(s, row, LEAK_COL_FULL_NAME)) != NULL)
		compare(s, LEAK_COL_FULL_NAME, full_name_agrees(s, p, f), &all);
	if ((f = field(s, row, LEAK_COL_BIRTH_DATE)) != NULL)
		compare(s, LEAK_COL_BIRTH_DATE, leak_day_parse(f->ptr, f->len) == p->birth, &all);
	if ((f = field(s, row, LEAK_COL_ADDRESS)) != NULL && p->address != 0) {
		char key[512];
		size_t n = leak_address_key(f->ptr, f->len, key, sizeof(key));
		uint32_t h = n > 0 ? leak_index_value(s->o.index, 'a', key, n) : 0;

		former = p->address_before != 0 && h == p->address_before;
		/* a former address agrees with the registry of its day */
		compare(s, LEAK_COL_ADDRESS, h == p->address || former, &all);
		if (former)
			evidence(s->older_than, &s->older_count, p->moved);
		else if (h == p->address)
			evidence(s->newer_than, &s->newer_count, p->moved);
	}
	if (!all)
		s->altered++;
	else if (former)
		s->outdated++;
	else
		s->real++;
}

/* ---- a dump ---- */

struct sample {
	char *arena;
	size_t used;
	struct dump_row *rows;
	size_t count;
};

static bool sample_add(struct sample *sm, const struct dump_row *row)
{
	struct dump_row *r = &sm->rows[sm->count];
	size_t need = 0;

	for (size_t i = 0; i < row->count; i++)
		need += row->fields[i].len;
	if (sm->used + need > SAMPLE_BYTES)
		return false;
	r->count = row->count;
	r->line = row->line;
	r->table = NULL;
	for (size_t i = 0; i < row->count; i++) {
		memcpy(sm->arena + sm->used, row->fields[i].ptr, row->fields[i].len);
		r->fields[i] = (struct dump_field){sm->arena + sm->used, row->fields[i].len,
						   row->fields[i].null};
		sm->used += row->fields[i].len;
	}
	sm->count++;
	return true;
}

static hr_status open_summary(struct leak_scan *s, const char *name, struct dump_summary **out,
			      struct hr_error *err)
{
	struct dump_summary *d = NULL;

	if (s->dump_count == DUMPS_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "more than %d dumps in one report",
				    DUMPS_MAX);
	d = &s->dumps[s->dump_count];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	if ((d->columns = json_array()) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	s->dump_count++;
	*out = d;
	return HR_OK;
}

hr_status leak_scan_dump(struct leak_scan *s, FILE *in, const char *name,
			 const struct dump_options *o, struct hr_error *err)
{
	struct dump_reader *r = NULL;
	struct dump_summary *d = NULL;
	struct dump_row *row = NULL;
	struct leak_column_votes *votes = NULL;
	struct sample sm = {0};
	const char *const *names;
	size_t columns = 0;
	uint64_t start = s->rows;
	bool sampling = true;
	hr_status rc;

	if ((rc = open_summary(s, name, &d, err)) != HR_OK)
		return rc;
	row = malloc(sizeof(*row));
	votes = calloc(DUMP_FIELDS_MAX, sizeof(*votes));
	sm.arena = malloc(SAMPLE_BYTES);
	sm.rows = malloc(SAMPLE_ROWS * sizeof(*sm.rows));
	if (row == NULL || votes == NULL || sm.arena == NULL || sm.rows == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	if ((rc = dump_reader_open(in, o, &r, err)) != HR_OK)
		goto done;
	d->format = dump_format_name(dump_reader_format(r));
	d->encoding = dump_encoding_name(dump_reader_encoding(r));
	d->delimiter = dump_reader_delimiter(r);
	s->table = NULL;
	while ((rc = dump_reader_next(r, row, err)) == HR_OK) {
		size_t n = dump_reader_columns(r, &names);

		if (sampling) {
			/* the first rows are kept until the unnamed columns' kinds
			 * are known from their values */
			for (size_t c = 0; c < row->count && c < DUMP_FIELDS_MAX; c++)
				leak_column_vote(&votes[c], row->fields[c].ptr, row->fields[c].len);
			columns = n;
			if (sm.count < SAMPLE_ROWS && row->table == NULL && sample_add(&sm, row))
				continue;
			sampling = false;
			set_columns(s, d, names, n, votes);
			for (size_t i = 0; i < sm.count; i++)
				scan_row(s, &sm.rows[i]);
			sm.count = 0;
		} else if (n != columns || row->table != s->table) {
			/* another table of an SQL dump, or JSON keys first seen now */
			set_columns(s, d, names, n, NULL);
			columns = n;
			s->table = row->table;
		}
		scan_row(s, row);
		if (s->o.progress != NULL && (s->rows & (PROGRESS_ROWS - 1)) == 0)
			s->o.progress(s->o.context, s->rows, dump_reader_bytes_read(r));
	}
	if (rc == HR_E_NOT_FOUND)
		rc = HR_OK;
	if (sampling) {
		dump_reader_columns(r, &names);
		set_columns(s, d, names, columns, votes);
		for (size_t i = 0; i < sm.count; i++)
			scan_row(s, &sm.rows[i]);
	}
	if (s->o.progress != NULL)
		s->o.progress(s->o.context, s->rows, dump_reader_bytes_read(r));
	if (rc != HR_OK)
		hr_error_prefix(err, "%s", name);
done:
	d->rows = s->rows - start;
	dump_reader_free(r);
	free(row);
	free(votes);
	free(sm.arena);
	free(sm.rows);
	return rc;
}

/* ---- the report ---- */

/* The day below which share of the histogram's weight lies. */
static uint16_t quantile(const uint32_t *h, uint64_t total, double share)
{
	uint64_t want = (uint64_t)((double)total * share), seen = 0;

	for (size_t d = 1; d < DAYS; d++) {
		seen += h[d];
		if (seen > want)
			return (uint16_t)d;
	}
	return 0;
}

static json_t *day_or_null(uint16_t day)
{
	char text[11];

	if (day == 0)
		return json_null();
	leak_day_format(day, text);
	return json_string(text);
}

static double share(uint64_t part, uint64_t whole)
{
	return whole == 0 ? 0.0 : (double)part / (double)whole;
}

static json_t *vintage(const struct leak_scan *s)
{
	uint16_t from = s->newer_count ? quantile(s->newer_than, s->newer_count, 0.995) : 0;
	uint16_t to = s->older_count ? quantile(s->older_than, s->older_count, 0.005) : 0;

	return json_pack("{s:o, s:o, s:b, s:{s:I, s:I}}", "from", day_or_null(from), "to",
			 day_or_null(to), "consistent", from == 0 || to == 0 || from <= to,
			 "evidence", "newer_than", (json_int_t)s->newer_count, "older_than",
			 (json_int_t)s->older_count);
}

json_t *leak_scan_fields(const struct leak_scan *s)
{
	json_t *fields = json_array();
	bool seen[LEAK_COL_KIND_COUNT] = {false};

	for (size_t i = 0; i < s->dump_count; i++) {
		size_t n = json_array_size(s->dumps[i].columns);

		for (size_t c = 0; c < n; c++) {
			const char *kind = json_string_value(
			    json_object_get(json_array_get(s->dumps[i].columns, c), "kind"));

			for (int k = 1; k < LEAK_COL_KIND_COUNT; k++)
				if (k != LEAK_COL_HELD && kind != NULL &&
				    strcmp(kind, leak_column_name((enum leak_column)k)) == 0 &&
				    !seen[k]) {
					seen[k] = true;
					json_array_append_new(fields, json_string(kind));
				}
		}
	}
	return fields;
}

static const char *verdict(const struct leak_scan *s, json_t *reasons)
{
	uint64_t identified = s->real + s->outdated + s->altered;
	const char *v;

	if (s->canary_rows > 0) {
		v = "leaked_by_consumer";
		for (size_t k = 1; k <= s->o.canary_member_count; k++)
			if (s->canary_hits[k] > 0)
				json_array_append_new(
				    reasons,
				    json_sprintf("%llu rows are canaries served only to %s",
						 (unsigned long long)s->canary_hits[k],
						 s->o.canary_members[k - 1]));
	} else if (identified == 0) {
		v = s->fabricated > 0 ? "fabricated" : "unrelated";
		json_array_append_new(reasons,
				      json_string("no row names a person the registries know"));
	} else if (s->fabricated > identified) {
		v = "mostly_fabricated";
		json_array_append_new(
		    reasons,
		    json_sprintf("%.1f%% of identifiers do not exist or fail their check "
				 "digit: most of the dump was made up",
				 100.0 * share(s->fabricated, s->fabricated + identified)));
	} else if (s->foreign_count > 0) {
		v = "not_from_platform";
	} else {
		v = "matches_registries";
		json_array_append_new(
		    reasons, json_string("the rows agree with the registries and hold nothing "
					 "else: their source held the registries' fields; see "
					 "the vintage and which consumers held these people"));
	}
	for (size_t i = 0; i < s->foreign_count; i++)
		json_array_append_new(
		    reasons,
		    json_sprintf("column \"%s\" holds %s, which the platform never held: that "
				 "part was put together elsewhere",
				 s->foreign[i].column, leak_column_name(s->foreign[i].kind)));
	if (s->outdated > 0)
		json_array_append_new(
		    reasons, json_sprintf("%llu rows hold addresses their people have since left",
					  (unsigned long long)s->outdated));
	return v;
}

json_t *leak_scan_report(const struct leak_scan *s)
{
	json_t *report, *fields = json_object(), *foreign = json_array(), *canaries = json_array(),
			*dumps = json_array(), *reasons = json_array();
	const char *v;

	for (int k = LEAK_COL_PERSON_ID; k < LEAK_COL_HELD; k++)
		if (s->compared[k] > 0)
			json_object_set_new(fields, leak_column_name((enum leak_column)k),
					    json_pack("{s:I, s:I, s:f}", "compared",
						      (json_int_t)s->compared[k], "agree",
						      (json_int_t)s->agree[k], "share",
						      share(s->agree[k], s->compared[k])));
	for (size_t i = 0; i < s->foreign_count; i++)
		json_array_append_new(foreign,
				      json_pack("{s:s, s:s, s:s, s:I}", "dump", s->foreign[i].dump,
						"column", s->foreign[i].column, "kind",
						leak_column_name(s->foreign[i].kind), "values",
						(json_int_t)s->foreign[i].values));
	for (size_t k = 1; k <= s->o.canary_member_count; k++)
		if (s->canary_hits[k] > 0)
			json_array_append_new(
			    canaries, json_pack("{s:s, s:I}", "member", s->o.canary_members[k - 1],
						"rows", (json_int_t)s->canary_hits[k]));
	for (size_t i = 0; i < s->dump_count; i++) {
		const struct dump_summary *d = &s->dumps[i];
		char delimiter[2] = {d->delimiter, 0};

		json_array_append_new(dumps, json_pack("{s:s, s:s?, s:s?, s:s?, s:I, s:O}", "name",
						       d->name, "format", d->format, "encoding",
						       d->encoding, "delimiter",
						       d->delimiter ? delimiter : NULL, "rows",
						       (json_int_t)d->rows, "columns", d->columns));
	}
	v = verdict(s, reasons);
	report = json_pack(
	    "{s:o, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I}, s:I, s:o, s:o, s:o, s:o, s:s, s:o}",
	    "dumps", dumps, "rows", (json_int_t)s->rows, "real", (json_int_t)s->real, "outdated",
	    (json_int_t)s->outdated, "altered", (json_int_t)s->altered, "fabricated",
	    (json_int_t)s->fabricated, "fabricated_by", "invalid_check",
	    (json_int_t)s->invalid_check, "unknown", (json_int_t)s->unknown_id, "unidentified",
	    (json_int_t)s->unidentified, "fields", fields, "vintage", vintage(s), "foreign_fields",
	    foreign, "canaries", canaries, "verdict", v, "reasons", reasons);
	return report;
}

static double report_share(const json_t *report, const char *key)
{
	json_int_t rows = json_integer_value(json_object_get(report, "rows"));

	return rows == 0 ? 0.0
			 : 100.0 * (double)json_integer_value(json_object_get(report, key)) /
			       (double)rows;
}

void leak_scan_print(const json_t *report, FILE *out)
{
	static const char *const classes[] = {"real", "outdated", "altered", "fabricated",
					      "unidentified"};
	const json_t *vintage = json_object_get(report, "vintage"), *item, *value;
	const char *key;
	size_t i;

	fprintf(out, "rows           %lld\n",
		(long long)json_integer_value(json_object_get(report, "rows")));
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		fprintf(out, "%-14s %lld (%.1f%%)\n", classes[i],
			(long long)json_integer_value(json_object_get(report, classes[i])),
			report_share(report, classes[i]));
	fprintf(out, "fields agreeing:\n");
	json_object_foreach((json_t *)json_object_get(report, "fields"), key, value)
	    fprintf(out, "  %-16s %.1f%% of %lld\n", key,
		    100.0 * json_real_value(json_object_get(value, "share")),
		    (long long)json_integer_value(json_object_get(value, "compared")));
	fprintf(out, "vintage        %s .. %s%s\n",
		json_is_string(json_object_get(vintage, "from"))
		    ? json_string_value(json_object_get(vintage, "from"))
		    : "?",
		json_is_string(json_object_get(vintage, "to"))
		    ? json_string_value(json_object_get(vintage, "to"))
		    : "still current",
		json_is_true(json_object_get(vintage, "consistent"))
		    ? ""
		    : " (inconsistent: mixed ages)");
	json_array_foreach(json_object_get(report, "foreign_fields"), i, item)
	    fprintf(out, "foreign field  %s (%s) in %s: %lld values\n",
		    json_string_value(json_object_get(item, "column")),
		    json_string_value(json_object_get(item, "kind")),
		    json_string_value(json_object_get(item, "dump")),
		    (long long)json_integer_value(json_object_get(item, "values")));
	json_array_foreach(json_object_get(report, "overlap"), i, item) if (i < 5)
	    fprintf(out, "held by        %s: %lld of the dump's people (%.1f%%)\n",
		    json_string_value(json_object_get(item, "member")),
		    (long long)json_integer_value(json_object_get(item, "people")),
		    100.0 * json_real_value(json_object_get(item, "share")));
	json_array_foreach(json_object_get(report, "canaries"), i, item)
	    fprintf(out, "CANARY         %lld rows served only to %s\n",
		    (long long)json_integer_value(json_object_get(item, "rows")),
		    json_string_value(json_object_get(item, "member")));
	fprintf(out, "verdict        %s\n", json_string_value(json_object_get(report, "verdict")));
	json_array_foreach(json_object_get(report, "reasons"), i, item)
	    fprintf(out, "  - %s\n", json_string_value(item));
}
