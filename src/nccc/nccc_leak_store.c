/*
 * nccc_leak_store.c — leaked dumps and the tags found in them, in the hub's
 * database (SQLite or PostgreSQL), for the "was my data leaked" range
 * service (nccc_leaks.c, src/leak/leak_range.h).
 *
 *	leak_dumps (seq, id, name, first_seen, fields, publisher, tags, ...)
 *	           one row per dump id: its metadata kept once, fields only ever
 *	           widened, first_seen only ever moved earlier
 *	leak_tags  (tag, dump_seq)  primary key (tag, dump_seq): a tag is 16
 *	           bytes, compared as bytes on both databases (BLOB, bytea), so a
 *	           range of tags is one range of the primary key's index, and
 *	           publishing the same tag of the same dump again adds nothing
 *
 * What never happens here: a person id, or the key that would make one of a
 * tag. Rows are never deleted, and of a dump's row only its counters, its
 * fields (widened) and its first_seen (moved earlier) change.
 */
#include "nccc/nccc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"

#define STAGE          "nccc"
#define TAGS_PER_BATCH 100 /* rows per INSERT: 200 parameters, well under both limits */

/* "INSERT ... VALUES (?, ?), ... ON CONFLICT DO NOTHING" for TAGS_PER_BATCH
 * rows: always the same text, so each connection compiles it once. */
static char batch_sql[96 + TAGS_PER_BATCH * 8];
static pthread_once_t batch_once = PTHREAD_ONCE_INIT;

static void batch_sql_build(void)
{
	size_t n = (size_t)snprintf(batch_sql, sizeof(batch_sql),
				    "INSERT INTO leak_tags (tag, dump_seq) VALUES ");

	for (int i = 0; i < TAGS_PER_BATCH; i++)
		n += (size_t)snprintf(batch_sql + n, sizeof(batch_sql) - n, "%s(?, ?)",
				      i ? ", " : "");
	snprintf(batch_sql + n, sizeof(batch_sql) - n, " ON CONFLICT DO NOTHING");
}

static void bind_text(struct store_stmt *stmt, int index, const char *text)
{
	store_bind_text(stmt, index, text, strlen(text));
}

static json_t *time_json(int64_t seconds)
{
	char text[CLOCK_UTC_TEXT_MAX];

	clock_format_utc(seconds, text);
	return json_string(text);
}

/* A run of a statement that returns no row, freed. */
static hr_status run(struct store_stmt *stmt, struct hr_error *err)
{
	bool row;
	hr_status rc = store_step(stmt, &row, err);

	store_stmt_free(stmt);
	return rc;
}

/* The union of two sorted arrays of distinct names, sorted; *changed when it
 * holds a name stored lacked. */
static json_t *fields_union(const json_t *stored, const json_t *more, bool *changed)
{
	json_t *out = json_array();
	size_t i = 0, k = 0, a = json_array_size(stored), b = json_array_size(more);

	*changed = false;
	while (out != NULL && (i < a || k < b)) {
		const char *x = i < a ? json_string_value(json_array_get(stored, i)) : NULL;
		const char *y = k < b ? json_string_value(json_array_get(more, k)) : NULL;
		int c = x == NULL ? 1 : y == NULL ? -1 : strcmp(x, y);

		if (x == NULL && y == NULL) /* a stored value that is not text: dropped */
			break;
		if (c > 0)
			*changed = true;
		json_array_append_new(out, json_string(c <= 0 ? x : y));
		i += c <= 0;
		k += c >= 0;
	}
	return out;
}

/* The dump's row made or found, first_seen moved earlier, fields widened;
 * *seq and *dump ({"id", "name", "first_seen", "fields"}) as they now stand. */
static hr_status upsert_dump(struct store *store, const struct leak_publication *p,
			     const char *publisher, int64_t now, int64_t *seq, bool *created,
			     json_t **dump, struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	json_t *stored = NULL, *fields = NULL;
	struct buf text;
	int64_t first_seen;
	bool row, changed;
	hr_status rc;

	buf_init(&text, 64 * 1024);
	if ((rc = hr_json_dump(p->fields, &text)) != HR_OK ||
	    (rc = store_prepare(store,
				"INSERT INTO leak_dumps (id, name, first_seen, fields, publisher,"
				" added_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
				" ON CONFLICT (id) DO NOTHING",
				&stmt, err)) != HR_OK)
		goto done;
	bind_text(stmt, 1, p->dump_id);
	bind_text(stmt, 2, p->name);
	store_bind_int64(stmt, 3, p->first_seen);
	store_bind_text(stmt, 4, (const char *)text.data, text.len);
	bind_text(stmt, 5, publisher);
	store_bind_int64(stmt, 6, now);
	store_bind_int64(stmt, 7, now);
	if ((rc = store_step(stmt, &row, err)) != HR_OK)
		goto done;
	*created = store_changes(stmt) > 0;
	store_stmt_free(stmt);
	/* takes the row's lock (PostgreSQL) before its fields are read, so two
	 * publishers widening the same dump at once never lose a field */
	if ((rc = store_prepare(store,
				"UPDATE leak_dumps SET first_seen = CASE WHEN first_seen > ?"
				" THEN ? ELSE first_seen END WHERE id = ?"
				" RETURNING seq, name, first_seen, fields",
				&stmt, err)) != HR_OK)
		goto done;
	store_bind_int64(stmt, 1, p->first_seen);
	store_bind_int64(stmt, 2, p->first_seen);
	bind_text(stmt, 3, p->dump_id);
	if ((rc = store_step(stmt, &row, err)) == HR_OK && !row)
		rc = hr_error_set(err, HR_E_DATABASE, STAGE, "dump %s vanished", p->dump_id);
	if (rc != HR_OK)
		goto done;
	{
		size_t len;
		const char *f = store_column_text(stmt, 3, &len);

		*seq = store_column_int64(stmt, 0);
		first_seen = store_column_int64(stmt, 2);
		if ((rc = hr_json_parse(f, len, &stored, err)) != HR_OK)
			goto done;
		*dump = json_pack("{s:s,s:s,s:o}", "id", p->dump_id, "name",
				  store_column_text(stmt, 1, NULL), "first_seen",
				  time_json(first_seen));
	}
	store_stmt_free(stmt);
	stmt = NULL;
	if (*dump == NULL || (fields = fields_union(stored, p->fields, &changed)) == NULL) {
		rc = HR_E_NOMEM;
		goto done;
	}
	if (changed) {
		buf_reset(&text);
		if ((rc = hr_json_dump(fields, &text)) != HR_OK ||
		    (rc = store_prepare(store, "UPDATE leak_dumps SET fields = ? WHERE seq = ?",
					&stmt, err)) != HR_OK)
			goto done;
		store_bind_text(stmt, 1, (const char *)text.data, text.len);
		store_bind_int64(stmt, 2, *seq);
		rc = run(stmt, err);
		stmt = NULL;
		if (rc != HR_OK)
			goto done;
	}
	json_object_set(*dump, "fields", fields);
done:
	store_stmt_free(stmt);
	json_decref(stored);
	json_decref(fields);
	buf_clear(&text);
	return rc;
}

/* The tags in batches; *added counts the rows that were new. The last
 * batch repeats its last tag to fill the statement: a repeat adds nothing. */
static hr_status insert_tags(struct store *store, int64_t seq, const struct leak_publication *p,
			     size_t *added, struct hr_error *err)
{
	struct store_stmt *stmt;
	hr_status rc = HR_OK;

	*added = 0;
	if (p->tag_count == 0)
		return HR_OK;
	pthread_once(&batch_once, batch_sql_build);
	if ((rc = store_prepare(store, batch_sql, &stmt, err)) != HR_OK)
		return rc;
	for (size_t at = 0; at < p->tag_count && rc == HR_OK; at += TAGS_PER_BATCH) {
		bool row;

		store_reset(stmt);
		for (int i = 0; i < TAGS_PER_BATCH; i++) {
			size_t k =
			    at + (size_t)i < p->tag_count ? at + (size_t)i : p->tag_count - 1;

			store_bind_blob(stmt, 2 * i + 1, p->tags[k], LEAK_TAG_LEN);
			store_bind_int64(stmt, 2 * i + 2, seq);
		}
		if ((rc = store_step(stmt, &row, err)) == HR_OK)
			*added += (size_t)store_changes(stmt);
	}
	store_stmt_free(stmt);
	return rc;
}

hr_status nccc_leaks_publish(struct store *store, const struct leak_publication *p,
			     const char *publisher, int64_t now, struct nccc_leak_published *out,
			     struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	int64_t seq = 0;
	bool row;
	hr_status rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_begin(store, err)) != HR_OK)
		return rc;
	if ((rc = upsert_dump(store, p, publisher, now, &seq, &out->created, &out->dump, err)) !=
		HR_OK ||
	    (rc = insert_tags(store, seq, p, &out->added, err)) != HR_OK ||
	    (rc = store_prepare(store,
				"UPDATE leak_dumps SET tags = tags + ?, modified_at = ?"
				" WHERE seq = ? RETURNING tags",
				&stmt, err)) != HR_OK)
		goto rollback;
	store_bind_int64(stmt, 1, (int64_t)out->added);
	store_bind_int64(stmt, 2, now);
	store_bind_int64(stmt, 3, seq);
	if ((rc = store_step(stmt, &row, err)) != HR_OK)
		goto rollback;
	json_object_set_new(out->dump, "tags", json_integer(store_column_int64(stmt, 0)));
	store_stmt_free(stmt);
	stmt = NULL;
	if ((rc = store_commit(store, err)) != HR_OK)
		goto rollback;
	out->known = p->tag_count - out->added;
	return HR_OK;
rollback:
	store_stmt_free(stmt);
	store_rollback(store, NULL);
	json_decref(out->dump);
	memset(out, 0, sizeof(*out));
	return rc;
}

void nccc_leak_range_clear(struct nccc_leak_range *range)
{
	free(range->entries);
	json_decref(range->leaks);
	memset(range, 0, sizeof(*range));
}

/* {"dump", "first_seen", "fields"} of a row: name, first_seen, fields at column. */
static json_t *leak_of(const struct store_stmt *stmt, int column)
{
	size_t len;
	const char *text = store_column_text(stmt, column + 2, &len);
	json_t *fields = NULL;

	if (hr_json_parse(text, len, &fields, NULL) != HR_OK || !json_is_array(fields)) {
		json_decref(fields);
		fields = json_array();
	}
	return json_pack("{s:s,s:o,s:o}", "dump", store_column_text(stmt, column, NULL),
			 "first_seen", time_json(store_column_int64(stmt, column + 1)), "fields",
			 fields);
}

hr_status nccc_leaks_range(struct store *store, uint32_t prefix, size_t max_rows,
			   struct nccc_leak_range *out, struct hr_error *err)
{
	uint8_t low[3], high[LEAK_RANGE_BOUND_MAX];
	size_t high_len, rows = 0, cap = 0;
	struct store_stmt *stmt;
	json_t *current = NULL;
	bool row;
	hr_status rc;

	memset(out, 0, sizeof(*out));
	leak_range_bounds(prefix, low, high, &high_len);
	if ((out->leaks = json_array()) == NULL)
		return HR_E_NOMEM;
	/* one range of leak_tags' primary key; the dumps by their own key */
	if ((rc = store_prepare(store,
				"SELECT t.tag, d.name, d.first_seen, d.fields FROM leak_tags t"
				" JOIN leak_dumps d ON d.seq = t.dump_seq"
				" WHERE t.tag >= ? AND t.tag < ?"
				" ORDER BY t.tag, d.first_seen, d.name LIMIT ?",
				&stmt, err)) != HR_OK)
		goto fail;
	store_bind_blob(stmt, 1, low, sizeof(low));
	store_bind_blob(stmt, 2, high, high_len);
	store_bind_int64(stmt, 3, (int64_t)max_rows + 1);
	while ((rc = store_step(stmt, &row, err)) == HR_OK && row) {
		size_t len;
		const uint8_t *tag = store_column_blob(stmt, 0, &len);
		json_t *leak;

		if (++rows > max_rows) {
			rc = hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
					  "the range holds more than %zu leaks", max_rows);
			break;
		}
		if (len != LEAK_TAG_LEN) /* never written so: skipped, never served */
			continue;
		if (out->count == 0 ||
		    memcmp(out->entries[out->count - 1].tag, tag, LEAK_TAG_LEN) != 0) {
			if (out->count == cap) {
				size_t want = cap ? 2 * cap : 16;
				struct leak_range_entry *grown =
				    realloc(out->entries, want * sizeof(*grown));

				if (grown == NULL) {
					rc = HR_E_NOMEM;
					break;
				}
				out->entries = grown;
				cap = want;
			}
			if ((current = json_array()) == NULL ||
			    json_array_append_new(out->leaks, current) != 0) {
				rc = HR_E_NOMEM;
				break;
			}
			memcpy(out->entries[out->count].tag, tag, LEAK_TAG_LEN);
			out->entries[out->count++].leaks = current;
		}
		if ((leak = leak_of(stmt, 1)) == NULL ||
		    json_array_append_new(current, leak) != 0) {
			rc = HR_E_NOMEM;
			break;
		}
	}
	store_stmt_free(stmt);
	if (rc == HR_OK)
		return HR_OK;
fail:
	nccc_leak_range_clear(out);
	return rc;
}

hr_status nccc_leaks_catalogue(struct store *store, size_t max, json_t **out, struct hr_error *err)
{
	struct store_stmt *stmt;
	json_t *list = json_array();
	bool row;
	hr_status rc;

	if (list == NULL)
		return HR_E_NOMEM;
	if ((rc = store_prepare(store,
				"SELECT name, first_seen, fields, tags FROM leak_dumps"
				" WHERE tags > 0 ORDER BY tags DESC, seq LIMIT ?",
				&stmt, err)) != HR_OK) {
		json_decref(list);
		return rc;
	}
	store_bind_int64(stmt, 1, (int64_t)max);
	while ((rc = store_step(stmt, &row, err)) == HR_OK && row) {
		json_t *leak = leak_of(stmt, 0);

		if (leak == NULL ||
		    json_array_append_new(
			list, json_pack("{s:o,s:I}", "leak", leak, "weight",
					(json_int_t)store_column_int64(stmt, 3))) != 0) {
			rc = HR_E_NOMEM;
			break;
		}
	}
	store_stmt_free(stmt);
	if (rc != HR_OK) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return HR_OK;
}
