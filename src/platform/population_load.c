/*
 * population_load.c — putting the synthetic population into the registries
 * (population_load).
 *
 * Loading is built for millions of people:
 * - people are generated in the order their ids sort (after sorting the
 *   people's keys), so every registry's primary-key B-tree only grows at its
 *   right edge instead of being rewritten all over; the other country's people
 *   who live here (population_abroad) are found by running over its indexes
 *   and sorted in among the country's own;
 * - each registry gets its rows through registry_store_load, batch_rows at a
 *   time: prepared INSERTs in one transaction per batch on SQLite, COPY on
 *   PostgreSQL;
 * - two threads: this one generates and fills a batch per registry, a writer
 *   thread loads full batches meanwhile;
 * - the stores' durability is relaxed for the load only (SQLite leaves WAL for
 *   a rollback journal with synchronous=OFF, PostgreSQL has
 *   synchronous_commit=off): a crash loses the load, which is redone because
 *   it was not yet recorded.
 * The population table is written last, so a load that did not finish is
 * recognised as such and done again.
 *
 * The residence permit registry also gets, for each resident from the other
 * country, the link from their home id to their id here (person_links), in
 * the same batches as the permits. No other registry learns a home id.
 */
#include "platform/population.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/store.h"
#include "platform/platform.h"
#include "platform/population_internal.h"
#include "registry/registry_store.h"

#define STAGE "population"
/* A sort key: the id's value, then a bit for a resident from the other country,
 * then the person's index (2^25 > POPULATION_PEOPLE_MAX). */
#define INDEX_BITS    25
#define RESIDENT_FLAG (1ull << INDEX_BITS)
#define KEY_SHIFT     (INDEX_BITS + 1)
_Static_assert(POPULATION_PEOPLE_MAX < (1ull << INDEX_BITS), "indexes fit a sort key");
#define BATCH_ROWS_MAX 1000000
#define TEXT_PER_ROW   2048 /* the arena's ceiling per row: fields are under 1.5 KB */
#define URL_MAX        4096
/* Writer threads; each registry is loaded by one at a time. On 2 cores, 1M
 * Ukrainians into SQLite took 10.3 s with 1 writer, 9.6 s with 2, 8.0 s with 3,
 * 8.4 s with 4: a third overlaps the others' waits for the kernel. */
#define WRITERS           3
#define BATCHES_IN_FLIGHT (2 * WRITERS) /* full batches queued or being written */
/*
 * A WITHOUT ROWID table is a B-tree of whole rows, interior cells included; at
 * ~700 bytes a document, a 4 KiB page holds five, and every fifth append
 * rebalances. 16 KiB pages loaded a million Ukrainians 25% faster than 4 KiB
 * ones, and faster than 32 or 64 KiB ones, whose rebalancing moves more bytes.
 */
#define SQLITE_LOAD_PAGE_SIZE "16384"

struct batch {
	int type;
	struct registry_record *records;
	size_t (*offsets)[3]; /* person, number, fields: offsets into text */
	size_t count;
	struct registry_link *links; /* residence permits: home id -> id here */
	size_t (*link_offsets)[2];   /* alias, person: offsets into text */
	size_t link_count;
	struct registry_version *versions; /* earlier versions (population_history) */
	size_t (*version_offsets)[4];      /* number, from, to, fields: offsets into text */
	size_t version_count;
	struct buf text;
	struct batch *next; /* in the queue or the free list */
};

/*
 * Two threads: this one generates people and fills one batch per registry;
 * a full batch goes to the writer thread, which loads it while the next ones
 * fill. Every store is used by the writer alone while the load runs.
 */
struct loader {
	const struct population_load_options *options;
	struct population *pop;
	struct population *partner; /* the other country, when partner_people > 0 */
	struct store *stores[DOCUMENT_TYPE_COUNT];
	struct batch *filling[DOCUMENT_TYPE_COUNT];
	struct batch *batches;
	size_t batch_count, batch_rows;
	int64_t now;
	struct population_load_stats *stats;
	uint64_t residents;     /* generated so far (the generating thread's; report copies it) */
	uint64_t people_in_all; /* natives and residents, once known */
	struct timespec started;
	double last_progress;

	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct batch *free_list, *queue;   /* the queue in submission order */
	bool writing[DOCUMENT_TYPE_COUNT]; /* a writer is loading into this store */
	bool generated;                    /* no more batches will come */
	bool failed;                       /* the writer failed: stop generating */
	struct hr_error writer_error;
	hr_status writer_status;
};

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* ---- where each registry lives ---- */

static hr_status registry_url(const struct population_load_options *o, const char *type, char *out,
			      size_t cap, struct hr_error *err)
{
	char dir[URL_MAX];
	hr_status rc;

	if (o->url_template == NULL) {
		if (o->state_dir == NULL)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "neither a state directory nor a store URL given");
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s/registry-%s", o->state_dir,
				     o->country, type) >= sizeof(dir))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "state directory path is too long");
		if ((rc = platform_make_dirs(dir, err)) != HR_OK)
			return rc;
		if ((size_t)snprintf(out, cap, "sqlite:%s/registry.db", dir) >= cap)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "state directory path is too long");
		return HR_OK;
	}
	return population_registry_url(o->url_template, o->country, type, out, cap, err);
}

hr_status population_registry_url(const char *url_template, const char *country, const char *type,
				  char *out, size_t size, struct hr_error *err)
{
	size_t used = 0;

	/* Every registry must get its own place: the template must name it. */
	if (strstr(url_template, "{type}") == NULL)
		return hr_error_set(
		    err, HR_E_INVALID, STAGE,
		    "the store URL must contain {type}, which becomes each "
		    "registry's document type (each registry has its own database)");
	for (const char *p = url_template; *p;) {
		const char *piece = p;
		size_t len = 1;

		if (strncmp(p, "{country}", 9) == 0) {
			piece = country;
			len = strlen(country);
			p += 9;
		} else if (strncmp(p, "{type}", 6) == 0) {
			piece = type;
			len = strlen(type);
			p += 6;
		} else {
			p++;
		}
		if (used + len + 1 > size)
			return hr_error_set(err, HR_E_INVALID, STAGE, "the store URL is too long");
		memcpy(out + used, piece, len);
		used += len;
	}
	out[used] = '\0';
	return HR_OK;
}

/* ---- the population table ---- */

/*
 * Does the store hold this population? With no as_of asked for, any recorded
 * date matches, and *as_of (when still "") takes it: every registry must then
 * agree on one date.
 */
static hr_status query_matches(struct store *store, const struct population_load_options *o,
			       char as_of[11], bool *matches, struct hr_error *err)
{
	struct store_stmt *stmt;
	char seed[24];
	bool has_row;
	int rows = 0;
	hr_status rc;

	*matches = false;
	snprintf(seed, sizeof(seed), "%" PRIu64, o->seed);
	if ((rc = store_prepare(store,
				"SELECT country, seed, people, generator, as_of, partner_people "
				"FROM population",
				&stmt, err)) != HR_OK)
		return rc;
	while ((rc = store_step(stmt, &has_row, err)) == HR_OK && has_row) {
		const char *country = store_column_text(stmt, 0, NULL);
		const char *s = store_column_text(stmt, 1, NULL);
		const char *date = store_column_text(stmt, 4, NULL);

		rows++;
		*matches = country != NULL && s != NULL && date != NULL && strlen(date) == 10 &&
			   strcmp(country, o->country) == 0 && strcmp(s, seed) == 0 &&
			   store_column_int64(stmt, 2) == (int64_t)o->people &&
			   store_column_int64(stmt, 3) == POPULATION_GENERATOR_VERSION &&
			   store_column_int64(stmt, 5) == (int64_t)o->partner_people &&
			   (as_of[0] == 0 || strcmp(date, as_of) == 0);
		if (*matches && as_of[0] == 0)
			memcpy(as_of, date, 11);
	}
	store_stmt_free(stmt);
	if (rows != 1)
		*matches = false;
	return rc;
}

static hr_status record_population(struct store *store, const struct population_load_options *o,
				   const char *as_of, uint64_t documents, int64_t now,
				   struct hr_error *err)
{
	struct store_stmt *stmt = NULL;
	char seed[24];
	bool has_row;
	hr_status rc;

	snprintf(seed, sizeof(seed), "%" PRIu64, o->seed);
	if ((rc = store_prepare(store,
				"INSERT INTO population (country, seed, people, documents, "
				"generator, as_of, loaded_at, partner_people) "
				"VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				&stmt, err)) != HR_OK)
		return rc;
	if ((rc = store_bind_text(stmt, 1, o->country, strlen(o->country))) != HR_OK ||
	    (rc = store_bind_text(stmt, 2, seed, strlen(seed))) != HR_OK ||
	    (rc = store_bind_int64(stmt, 3, (int64_t)o->people)) != HR_OK ||
	    (rc = store_bind_int64(stmt, 4, (int64_t)documents)) != HR_OK ||
	    (rc = store_bind_int64(stmt, 5, POPULATION_GENERATOR_VERSION)) != HR_OK ||
	    (rc = store_bind_text(stmt, 6, as_of, strlen(as_of))) != HR_OK ||
	    (rc = store_bind_int64(stmt, 7, now)) != HR_OK ||
	    (rc = store_bind_int64(stmt, 8, (int64_t)o->partner_people)) != HR_OK) {
		store_stmt_free(stmt);
		return hr_error_set(err, rc, STAGE, "cannot bind the population row");
	}
	rc = store_step(stmt, &has_row, err);
	store_stmt_free(stmt);
	return rc;
}

/* ---- opening and closing the registries ---- */

/* Opens and migrates every registry. *as_of: the date asked for, or "" to take
 * the one the registries agree on; *all_match: they all hold this population. */
static hr_status open_registries(struct loader *l, char as_of[11], bool *all_match,
				 struct hr_error *err)
{
	const struct population_load_options *o = l->options;
	char url[URL_MAX];
	hr_status rc;

	*all_match = true;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		bool matches;

		if ((rc = registry_url(o, document_types[t], url, sizeof(url), err)) != HR_OK ||
		    (rc = store_open(url, &l->stores[t], err)) != HR_OK ||
		    (rc = store_migrate(l->stores[t], registry_migrations, registry_migration_count,
					err)) != HR_OK ||
		    (rc = query_matches(l->stores[t], o, as_of, &matches, err)) != HR_OK) {
			hr_error_prefix(err, "%s registry %s", o->country, document_types[t]);
			return rc;
		}
		*all_match = *all_match && matches;
	}
	return HR_OK;
}

/*
 * Empties every registry and sets it up for loading. SQLite leaves WAL mode
 * for the load: appending in key order, a rollback journal holds only the few
 * pages each transaction changes at the B-tree's right edge, where the WAL
 * would hold every page twice (once in the log, once when checkpointed). If
 * another connection holds the database, the mode stays WAL, which is slower
 * but as correct.
 */
static hr_status prepare_registries(struct loader *l, struct hr_error *err)
{
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		struct store *store = l->stores[t];
		bool sqlite = store_dialect(store) == STORE_SQLITE;
		hr_status rc;

		/* SQLite turns an unqualified DELETE into a truncation; PostgreSQL
		 * would mark every row dead and leave the table bloated. */
		if ((rc = store_begin(store, err)) != HR_OK ||
		    (rc = store_exec(store,
				     sqlite
					 ? "DELETE FROM population; DELETE FROM documents; "
					   "DELETE FROM person_links; DELETE FROM document_history"
					 : "TRUNCATE population, documents, person_links, "
					   "document_history",
				     err)) != HR_OK ||
		    (rc = store_exec(store, "DROP INDEX IF EXISTS " REGISTRY_NUMBER_INDEX, err)) !=
			HR_OK ||
		    (rc = store_commit(store, err)) != HR_OK ||
		    (rc = store_exec(store,
				     sqlite ? "PRAGMA synchronous = OFF"
					    : "SET synchronous_commit = off",
				     err)) != HR_OK) {
			hr_error_prefix(err, "%s registry %s", l->options->country,
					document_types[t]);
			return rc;
		}
		/* 16 KiB pages: see SQLITE_LOAD_PAGE_SIZE. VACUUM applies the size
		 * (the table is empty now, so it costs nothing); it cannot in WAL mode. */
		if (sqlite && store_exec(store, "PRAGMA journal_mode = DELETE", NULL) == HR_OK)
			(void)store_exec(
			    store, "PRAGMA page_size = " SQLITE_LOAD_PAGE_SIZE "; VACUUM", NULL);
	}
	return HR_OK;
}

static hr_status finish_registries(struct loader *l, struct hr_error *err)
{
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		struct store *store = l->stores[t];
		hr_status rc;

		if ((rc = store_exec(store, REGISTRY_NUMBER_INDEX_SQL, err)) != HR_OK ||
		    (rc = record_population(store, l->options, population_as_of(l->pop),
					    l->stats->rows_by_type[t], l->now, err)) != HR_OK) {
			hr_error_prefix(err, "%s registry %s", l->options->country,
					document_types[t]);
			return rc;
		}
		if (store_dialect(store) == STORE_SQLITE) {
			/* back to the registry's mode: WAL, durable commits */
			if ((rc = store_exec(
				 store, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
				 err)) != HR_OK)
				return rc;
			(void)store_exec(store, "PRAGMA optimize", NULL);
		} else {
			(void)store_exec(store, "ANALYZE documents", NULL);
		}
	}
	return HR_OK;
}

/* ---- batches and the writer thread ---- */

static hr_status batches_new(struct loader *l, struct hr_error *err)
{
	l->batch_count = DOCUMENT_TYPE_COUNT + BATCHES_IN_FLIGHT;
	if ((l->batches = calloc(l->batch_count, sizeof(*l->batches))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	for (size_t i = 0; i < l->batch_count; i++) {
		struct batch *b = &l->batches[i];

		b->records = calloc(l->batch_rows, sizeof(*b->records));
		b->offsets = calloc(l->batch_rows, sizeof(*b->offsets));
		b->links = calloc(l->batch_rows, sizeof(*b->links));
		b->link_offsets = calloc(l->batch_rows, sizeof(*b->link_offsets));
		b->versions = calloc(l->batch_rows, sizeof(*b->versions));
		b->version_offsets = calloc(l->batch_rows, sizeof(*b->version_offsets));
		buf_init(&b->text, l->batch_rows * TEXT_PER_ROW);
		if (b->records == NULL || b->offsets == NULL || b->links == NULL ||
		    b->link_offsets == NULL || b->versions == NULL || b->version_offsets == NULL)
			return hr_error_set(err, HR_E_NOMEM, STAGE,
					    "out of memory for batches of %zu rows", l->batch_rows);
		if (i < DOCUMENT_TYPE_COUNT) {
			b->type = (int)i;
			l->filling[i] = b;
		} else {
			b->next = l->free_list;
			l->free_list = b;
		}
	}
	return HR_OK;
}

static void batches_free(struct loader *l)
{
	for (size_t i = 0; i < l->batch_count && l->batches != NULL; i++) {
		free(l->batches[i].records);
		free(l->batches[i].offsets);
		free(l->batches[i].links);
		free(l->batches[i].link_offsets);
		free(l->batches[i].versions);
		free(l->batches[i].version_offsets);
		buf_clear(&l->batches[i].text);
	}
	free(l->batches);
}

/* The first queued batch whose registry no writer is loading into: batches of
 * one registry are loaded one at a time, in the order they came. */
static struct batch *take_batch(struct loader *l)
{
	for (struct batch **at = &l->queue; *at != NULL; at = &(*at)->next) {
		struct batch *b = *at;

		if (l->writing[b->type])
			continue;
		*at = b->next;
		l->writing[b->type] = true;
		return b;
	}
	return NULL;
}

/* A writer: loads queued batches into their registries. */
static void *writer_main(void *arg)
{
	struct loader *l = arg;

	pthread_mutex_lock(&l->lock);
	for (;;) {
		struct batch *b;
		struct hr_error err = {0};
		hr_status rc = HR_OK;
		bool skip;
		const char *text;

		while ((b = take_batch(l)) == NULL && !(l->generated && l->queue == NULL))
			pthread_cond_wait(&l->changed, &l->lock);
		if (b == NULL)
			break;
		skip = l->failed;
		pthread_mutex_unlock(&l->lock);

		if (!skip) {
			/* the arena stopped growing: its addresses hold until reset */
			text = buf_str(&b->text);
			for (size_t i = 0; i < b->count; i++) {
				b->records[i].person = text + b->offsets[i][0];
				b->records[i].document_number = text + b->offsets[i][1];
				b->records[i].fields = text + b->offsets[i][2];
			}
			for (size_t i = 0; i < b->link_count; i++) {
				b->links[i].alias = text + b->link_offsets[i][0];
				b->links[i].person = text + b->link_offsets[i][1];
			}
			for (size_t i = 0; i < b->version_count; i++) {
				b->versions[i].document_number = text + b->version_offsets[i][0];
				b->versions[i].valid_from = text + b->version_offsets[i][1];
				b->versions[i].valid_to = text + b->version_offsets[i][2];
				b->versions[i].fields = text + b->version_offsets[i][3];
			}
			if ((rc = registry_store_load(l->stores[b->type], b->records, b->count,
						      &err)) != HR_OK ||
			    (b->link_count > 0 &&
			     (rc = registry_store_load_links(l->stores[b->type], b->links,
							     b->link_count, &err)) != HR_OK) ||
			    (b->version_count > 0 &&
			     (rc = registry_store_load_history(l->stores[b->type], b->versions,
							       b->version_count, &err)) != HR_OK))
				hr_error_prefix(&err, "%s registry %s", l->options->country,
						document_types[b->type]);
		}

		pthread_mutex_lock(&l->lock);
		if (rc != HR_OK && !l->failed) {
			l->failed = true;
			l->writer_status = rc;
			l->writer_error = err;
		} else if (rc == HR_OK && !skip) {
			l->stats->rows += b->count;
			l->stats->rows_by_type[b->type] += b->count;
		}
		l->writing[b->type] = false;
		b->count = 0;
		b->link_count = 0;
		b->version_count = 0;
		buf_reset(&b->text);
		b->next = l->free_list;
		l->free_list = b;
		pthread_cond_broadcast(&l->changed);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* Hands the type's batch to the writer and takes an empty one. */
static hr_status submit(struct loader *l, int type, struct hr_error *err)
{
	struct batch *b = l->filling[type], **at;

	if (b->count == 0 && b->version_count == 0)
		return HR_OK;
	pthread_mutex_lock(&l->lock);
	b->next = NULL;
	at = &l->queue;
	while (*at != NULL)
		at = &(*at)->next;
	*at = b;
	pthread_cond_broadcast(&l->changed);
	while (l->free_list == NULL && !l->failed)
		pthread_cond_wait(&l->changed, &l->lock);
	if (l->failed) {
		l->filling[type] = NULL;
		pthread_mutex_unlock(&l->lock);
		return hr_error_set(err, HR_E_STATE, STAGE, "the writer failed");
	}
	l->filling[type] = l->free_list;
	l->free_list = l->free_list->next;
	l->filling[type]->type = type;
	pthread_mutex_unlock(&l->lock);
	return HR_OK;
}

static hr_status batch_add(struct loader *l, const struct population_person *person,
			   const struct population_document *doc, struct hr_error *err)
{
	struct batch *b = l->filling[doc->type];
	size_t at = b->count;

	b->offsets[at][0] = b->text.len;
	buf_append(&b->text, person->id, strlen(person->id) + 1);
	b->offsets[at][1] = b->text.len;
	buf_append(&b->text, doc->number, strlen(doc->number) + 1);
	b->offsets[at][2] = b->text.len;
	buf_append(&b->text, doc->fields, doc->fields_len + 1);
	if (b->text.error != HR_OK)
		return hr_error_set(err, b->text.error, STAGE, "out of memory for a batch");
	b->records[at].status = doc->status;
	b->records[at].updated_at = l->now;
	b->count++;
	/* the permit registry knows a resident's id at home: it was on the application */
	if (person->home_id[0] != 0 && doc->type == POPULATION_RESIDENCE_PERMIT) {
		b->link_offsets[b->link_count][0] = b->text.len;
		buf_append(&b->text, person->home_id, strlen(person->home_id) + 1);
		b->link_offsets[b->link_count][1] = b->offsets[at][0];
		b->link_count++;
		if (b->text.error != HR_OK)
			return hr_error_set(err, b->text.error, STAGE, "out of memory for a batch");
	}
	return b->count == l->batch_rows ? submit(l, doc->type, err) : HR_OK;
}

/* An earlier version of a document goes with its registry's next batch. */
static hr_status version_add(struct loader *l, const struct population_version *v,
			     struct hr_error *err)
{
	struct batch *b = l->filling[v->type];
	size_t at = b->version_count;
	char from[11], to[11];

	population_format_date(v->valid_from, from);
	population_format_date(v->valid_to, to);
	b->version_offsets[at][0] = b->text.len;
	buf_append(&b->text, v->number, strlen(v->number) + 1);
	b->version_offsets[at][1] = b->text.len;
	buf_append(&b->text, from, sizeof(from));
	b->version_offsets[at][2] = b->text.len;
	buf_append(&b->text, to, sizeof(to));
	b->version_offsets[at][3] = b->text.len;
	buf_append(&b->text, v->fields, v->fields_len + 1);
	if (b->text.error != HR_OK)
		return hr_error_set(err, b->text.error, STAGE, "out of memory for a batch");
	b->version_count++;
	return b->version_count == l->batch_rows ? submit(l, v->type, err) : HR_OK;
}

/* ---- the load ---- */

static int compare_keys(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report(struct loader *l, uint64_t people, bool last)
{
	struct population_load_stats copy;
	double elapsed = seconds_since(&l->started);

	if (!last && elapsed - l->last_progress < 1.0)
		return;
	l->last_progress = elapsed;
	pthread_mutex_lock(&l->lock);
	l->stats->people = people;
	l->stats->residents = l->residents;
	l->stats->seconds = elapsed;
	copy = *l->stats;
	pthread_mutex_unlock(&l->lock);
	if (l->options->progress != NULL)
		l->options->progress(l->options->progress_arg, &copy);
}

/*
 * One key per person, sorted: the country's own people and the other
 * country's people who live here, in the order of their ids here. *count
 * keys in *out (the caller frees).
 */
static hr_status sorted_keys(struct loader *l, uint64_t **out, uint64_t *count,
			     struct hr_error *err)
{
	const uint64_t people = l->options->people;
	const uint64_t partner_people = l->partner ? l->options->partner_people : 0;
	/* residents are at most 6.5% of the other country (population_abroad.c) */
	uint64_t cap = people + partner_people / 15 + 1024, n = 0;
	uint64_t *keys = malloc(cap * sizeof(*keys));

	*out = NULL;
	if (keys == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory for %" PRIu64 " people",
				    people);
	for (uint64_t i = 0; i < people; i++)
		keys[n++] = population_sort_key(l->pop, i) << KEY_SHIFT | i;
	for (uint64_t i = 0; i < partner_people; i++) {
		uint64_t key;

		if (!population_abroad_key(l->partner, l->pop, i, &key))
			continue;
		if (n == cap) {
			uint64_t *more = realloc(keys, (cap *= 2) * sizeof(*keys));

			if (more == NULL) {
				free(keys);
				return hr_error_set(err, HR_E_NOMEM, STAGE,
						    "out of memory for the residents");
			}
			keys = more;
		}
		keys[n++] = key << KEY_SHIFT | RESIDENT_FLAG | i;
	}
	qsort(keys, n, sizeof(*keys), compare_keys);
	*out = keys;
	*count = n;
	return HR_OK;
}

/* Generates every person in id order and feeds the batches. */
static hr_status generate(struct loader *l, struct hr_error *err)
{
	struct population_document *docs;
	struct population_version *versions;
	struct population_person person;
	uint64_t *keys = NULL, count = 0;
	hr_status rc;

	docs = malloc(DOCUMENT_TYPE_COUNT * sizeof(*docs));
	versions = malloc(POPULATION_VERSIONS_MAX * sizeof(*versions));
	if (docs == NULL || versions == NULL) {
		free(docs);
		free(versions);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	if ((rc = sorted_keys(l, &keys, &count, err)) != HR_OK) {
		free(docs);
		free(versions);
		return rc;
	}
	for (uint64_t k = 0; k < count && rc == HR_OK; k++) {
		uint64_t index = keys[k] & (RESIDENT_FLAG - 1);
		size_t n;

		if (keys[k] & RESIDENT_FLAG) {
			/* found by population_abroad_key: it says yes again */
			(void)population_abroad(l->partner, l->pop, index, &person);
			l->residents++;
		} else {
			population_person(l->pop, index, &person);
		}
		n = population_documents(l->pop, &person, docs);
		for (size_t d = 0; d < n && rc == HR_OK; d++)
			rc = batch_add(l, &person, &docs[d], err);
		n = population_history(l->pop, &person, docs, n, versions);
		for (size_t v = 0; v < n && rc == HR_OK; v++)
			rc = version_add(l, &versions[v], err);
		if ((k & 1023) == 0)
			report(l, k + 1, false);
	}
	for (int t = 0; t < DOCUMENT_TYPE_COUNT && rc == HR_OK; t++)
		rc = submit(l, t, err);
	l->people_in_all = count;
	free(docs);
	free(versions);
	free(keys);
	return rc;
}

static hr_status load(struct loader *l, struct hr_error *err)
{
	pthread_t writers[WRITERS];
	int started = 0, e = 0;
	hr_status rc;

	while (started < WRITERS &&
	       (e = pthread_create(&writers[started], NULL, writer_main, l)) == 0)
		started++;
	rc = started == 0 ? hr_error_set(err, HR_E_NOMEM, STAGE, "cannot start a writer thread: %s",
					 strerror(e))
			  : generate(l, err);
	pthread_mutex_lock(&l->lock);
	l->generated = true;
	pthread_cond_broadcast(&l->changed);
	pthread_mutex_unlock(&l->lock);
	for (int i = 0; i < started; i++)
		pthread_join(writers[i], NULL);
	/* the writer's failure is the one to report: generating stopped for it */
	if (l->failed) {
		if (err != NULL)
			*err = l->writer_error;
		return l->writer_status;
	}
	return rc;
}

hr_status population_load(const struct population_load_options *options,
			  struct population_load_stats *stats, struct hr_error *err)
{
	struct loader l = {.options = options, .stats = stats};
	char as_of[11];
	int32_t day;
	bool all_match;
	hr_status rc;

	memset(stats, 0, sizeof(*stats));
	clock_gettime(CLOCK_MONOTONIC, &l.started);
	/* indexes from POPULATION_LOAD_MAX up are the canaries' (population.h) */
	if (options->people == 0 || options->people > POPULATION_LOAD_MAX)
		return hr_error_set(
		    err, HR_E_INVALID, STAGE,
		    "a population of %" PRIu64 " people: expected 1 to %llu (the last %llu "
		    "indexes are for canary citizens)",
		    options->people, POPULATION_LOAD_MAX, POPULATION_CANARY_RESERVE);
	if (options->partner_people > POPULATION_LOAD_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the other country's population of %" PRIu64
				    " people: expected 0 to %llu",
				    options->partner_people, POPULATION_LOAD_MAX);
	/* before any file is made: an unknown country would leave registries
	 * under STATE/<that country>/ behind */
	if (options->country == NULL || !country_is_known(options->country))
		return hr_error_set(err, HR_E_INVALID, STAGE, "no population is known for '%.8s'",
				    options->country ? options->country : "");
	l.batch_rows = options->batch_rows ? options->batch_rows : POPULATION_BATCH_ROWS;
	if (l.batch_rows > BATCH_ROWS_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE, "batches of %zu rows: at most %d",
				    l.batch_rows, BATCH_ROWS_MAX);
	if (options->as_of != NULL && !population_parse_date(options->as_of, &day))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "as-of date '%.16s': expected YYYY-MM-DD between %d and %d",
				    options->as_of, POPULATION_AS_OF_MIN_YEAR,
				    POPULATION_AS_OF_MAX_YEAR);
	if (pthread_mutex_init(&l.lock, NULL) != 0 || pthread_cond_init(&l.changed, NULL) != 0)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "cannot create a lock");
	l.now = (int64_t)time(NULL);
	snprintf(as_of, sizeof(as_of), "%s", options->as_of ? options->as_of : "");
	if ((rc = open_registries(&l, as_of, &all_match, err)) != HR_OK)
		goto done;
	if (!all_match || as_of[0] == 0) {
		/* a new load: of the date asked for, else of today */
		time_t now = (time_t)l.now;
		struct tm tm;

		gmtime_r(&now, &tm);
		if (options->as_of != NULL)
			snprintf(as_of, sizeof(as_of), "%s", options->as_of);
		else
			strftime(as_of, sizeof(as_of), "%Y-%m-%d", &tm);
	}
	if ((rc = population_new(options->country, options->seed, as_of, &l.pop, err)) != HR_OK)
		goto done;
	/* the other country, dated as this one: its residents here are its people */
	if (options->partner_people > 0 &&
	    (rc = population_new(strcmp(population_country(l.pop), "UA") == 0 ? "PL" : "UA",
				 options->seed, as_of, &l.partner, err)) != HR_OK)
		goto done;
	memcpy(stats->as_of, as_of, sizeof(stats->as_of));
	if (all_match && !options->force) {
		stats->reused = true;
		report(&l, options->people, true);
		goto done;
	}
	if ((rc = batches_new(&l, err)) != HR_OK || (rc = prepare_registries(&l, err)) != HR_OK ||
	    (rc = load(&l, err)) != HR_OK || (rc = finish_registries(&l, err)) != HR_OK)
		goto done;
	report(&l, l.people_in_all, true);
done:
	batches_free(&l);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		store_close(l.stores[t]);
	pthread_cond_destroy(&l.changed);
	pthread_mutex_destroy(&l.lock);
	population_free(l.pop);
	population_free(l.partner);
	return rc;
}
