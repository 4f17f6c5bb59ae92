/*
 * canary_registry.c — canaries into a country's registries (canary_internal.h).
 *
 * The registries are those `hromada up` runs on the state directory: each one's
 * store is the [store] url of its hromada.ini, else the SQLite file its
 * directory holds. They may be serving meanwhile: SQLite in WAL mode lets this
 * process write beside them (one short transaction per registry), PostgreSQL
 * anyway.
 *
 * What a canary looks like to an insider is what the loader makes: the same
 * documents, statuses and earlier versions, and updated_at the time the
 * population was loaded, not the time of the plant. The population table,
 * whose counts are the public ones, is only read: canaries are never counted.
 *
 * Never: create a registry (a state directory without one is refused, not
 * filled), or change any row but the canaries' own.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/error.h"
#include "core/store.h"
#include "platform/canary_internal.h"
#include "platform/population_internal.h"
#include "registry/registry_store.h"

#define STAGE   CANARY_STAGE
#define URL_MAX 4096

/* The store of country's registry of type, as its role opens it. */
static hr_status registry_url(const char *state_dir, const char *country, const char *type,
			      char *out, size_t size, struct hr_error *err)
{
	char dir[PATH_MAX], ini[PATH_MAX + 16], fallback[PATH_MAX + 32];
	struct config *cfg = NULL;
	const char *url = fallback;
	struct stat st;
	hr_status rc = HR_OK;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s/registry-%s", state_dir, country, type) >=
	    sizeof(dir))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the state directory's path is too long");
	snprintf(ini, sizeof(ini), "%s/hromada.ini", dir);
	snprintf(fallback, sizeof(fallback), "sqlite:%s/registry.db", dir);
	if (stat(ini, &st) == 0) {
		if ((cfg = config_new()) == NULL)
			return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		if ((rc = config_load_file(cfg, ini, err)) != HR_OK ||
		    (rc = config_get_str(cfg, "store", "url", fallback, &url, err)) != HR_OK)
			goto done;
	}
	/* store_open would make an empty database where none is: refuse instead */
	if (strncmp(url, "sqlite:", 7) == 0 && stat(url + 7, &st) != 0) {
		rc = hr_error_set(err, HR_E_NOT_FOUND, STAGE,
				  "%s has no registry (%s): is it the state of `hromada up`?",
				  state_dir, url + 7);
		goto done;
	}
	if ((size_t)snprintf(out, size, "%s", url) >= size)
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "the store URL of %s is too long", dir);
done:
	config_free(cfg);
	return rc;
}

/* The one row of the registry's population table. */
static hr_status read_population(struct store *store, const char *country,
				 struct canary_registries *r, bool first, struct hr_error *err)
{
	struct store_stmt *stmt;
	bool has_row;
	int rows = 0;
	hr_status rc;

	if ((rc = store_prepare(store,
				"SELECT country, seed, people, as_of, loaded_at FROM population",
				&stmt, err)) != HR_OK)
		return rc;
	while ((rc = store_step(stmt, &has_row, err)) == HR_OK && has_row) {
		const char *c = store_column_text(stmt, 0, NULL);
		const char *seed = store_column_text(stmt, 1, NULL);
		const char *as_of = store_column_text(stmt, 3, NULL);
		char *end = NULL;
		uint64_t s;

		if (rows++ > 0 || c == NULL || seed == NULL || as_of == NULL ||
		    strcmp(c, country) != 0 || strlen(as_of) != 10)
			break;
		errno = 0;
		s = strtoull(seed, &end, 10);
		if (errno != 0 || *end != 0 || seed[0] == 0)
			break;
		if (first) {
			r->seed = s;
			r->people = (uint64_t)store_column_int64(stmt, 2);
			memcpy(r->as_of, as_of, 11);
			r->loaded_at = store_column_int64(stmt, 4);
		} else if (s != r->seed || (uint64_t)store_column_int64(stmt, 2) != r->people ||
			   strcmp(as_of, r->as_of) != 0) {
			rows = -1;
			break;
		}
	}
	store_stmt_free(stmt);
	if (rc != HR_OK)
		return rc;
	if (rows < 0)
		return hr_error_set(err, HR_E_STATE, STAGE,
				    "holds another population than the id_card registry");
	if (rows != 1)
		return hr_error_set(err, HR_E_STATE, STAGE,
				    "holds no complete population of %s (is `hromada up` done "
				    "loading it?)",
				    country);
	return HR_OK;
}

hr_status canary_registries_open(const char *state_dir, const char *country,
				 struct canary_registries *r, struct hr_error *err)
{
	char url[URL_MAX];
	hr_status rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->country, sizeof(r->country), "%s", country);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		if ((rc = registry_url(state_dir, country, document_types[t], url, sizeof(url),
				       err)) != HR_OK)
			return rc;
		if ((rc = store_open(url, &r->stores[t], err)) != HR_OK ||
		    (rc = read_population(r->stores[t], country, r, t == 0, err)) != HR_OK) {
			hr_error_prefix(err, "%s registry %s", country, document_types[t]);
			return rc;
		}
	}
	return HR_OK;
}

/* The canaries' rows of one registry, in one transaction. */
static hr_status insert_type(struct canary_registries *r, int type, const struct canary *canaries,
			     size_t count, struct registry_record *records,
			     struct registry_version *versions, char (*dates)[2][11],
			     struct hr_error *err)
{
	struct store *store = r->stores[type];
	size_t n = 0, v = 0;
	hr_status rc;

	for (size_t i = 0; i < count; i++) {
		const struct canary *c = &canaries[i];

		for (size_t d = 0; d < c->doc_count; d++) {
			if (c->docs[d].type != type)
				continue;
			records[n++] = (struct registry_record){
			    .person = c->person.id,
			    .document_number = c->docs[d].number,
			    .status = c->docs[d].status,
			    .fields = c->docs[d].fields,
			    /* as the loader wrote everyone's: the plant's own time would
			     * set the canaries apart */
			    .updated_at = r->loaded_at,
			};
		}
		for (size_t h = 0; h < c->version_count; h++) {
			if (c->versions[h].type != type)
				continue;
			population_format_date(c->versions[h].valid_from, dates[v][0]);
			population_format_date(c->versions[h].valid_to, dates[v][1]);
			versions[v] = (struct registry_version){
			    .document_number = c->versions[h].number,
			    .valid_from = dates[v][0],
			    .valid_to = dates[v][1],
			    .fields = c->versions[h].fields,
			};
			v++;
		}
	}
	if (n == 0 && v == 0)
		return HR_OK;
	if ((rc = store_begin(store, err)) != HR_OK)
		return rc;
	if ((n > 0 && (rc = registry_store_load(store, records, n, err)) != HR_OK) ||
	    (v > 0 && (rc = registry_store_load_history(store, versions, v, err)) != HR_OK) ||
	    (rc = store_commit(store, err)) != HR_OK) {
		store_rollback(store, NULL);
		return rc;
	}
	return HR_OK;
}

hr_status canary_registries_insert(struct canary_registries *r, const struct canary *canaries,
				   size_t count, struct hr_error *err)
{
	/* at most one document of a type per person, and POPULATION_VERSIONS_MAX versions */
	struct registry_record *records = calloc(count, sizeof(*records));
	struct registry_version *versions =
	    calloc(count * POPULATION_VERSIONS_MAX, sizeof(*versions));
	char(*dates)[2][11] = calloc(count * POPULATION_VERSIONS_MAX, sizeof(*dates));
	hr_status rc = HR_OK;

	if (records == NULL || versions == NULL || dates == NULL)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	for (int t = 0; t < DOCUMENT_TYPE_COUNT && rc == HR_OK; t++) {
		if ((rc = insert_type(r, t, canaries, count, records, versions, dates, err)) !=
		    HR_OK)
			hr_error_prefix(err, "planting in %s registry %s", r->country,
					document_types[t]);
	}
	free(records);
	free(versions);
	free(dates);
	return rc;
}

void canary_registries_close(struct canary_registries *r)
{
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		store_close(r->stores[t]);
		r->stores[t] = NULL;
	}
}
