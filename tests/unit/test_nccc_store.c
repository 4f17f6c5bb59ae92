/*
 * test_nccc_store.c — the hub's store and correlation index (src/nccc/
 * nccc_store.c) on SQLite, and with the argument "postgresql" on the
 * throw-away PostgreSQL server tests/store.cmake starts: the same behaviour
 * on both, as DESIGN.md §8 asks.
 *
 *  - an incident and its stages are kept append-only, the final one closes it;
 *  - an import is kept once per (partner, source id);
 *  - a value reported and imported correlates, whatever its spelling, and a
 *    sighting reaches every indicator holding it;
 *  - a second copy of the hub on the same database sees what the first added;
 *  - listing pages by position, country, organisation and time added;
 *  - a leaked dump's tags are kept once per (dump, tag), its metadata widened
 *    (fields joined, first_seen the earliest), a range is exactly the tags of
 *    its prefix (the first and last ranges too), and the biggest dumps come
 *    first for decoys.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/store.h"
#include "nccc/incident.h"
#include "nccc/nccc_internal.h"

#define REGISTRY "UA/GOV/00015622/driver_licence"
#define PARTNER  "PL/GOV/00000006/cert"
#define OK(x)    assert_int_equal((x), HR_OK)

static const char *pg_url; /* NULL: SQLite */
static char url[1024], dir[256];
static int run; /* a fresh database per test */

struct hub {
	struct nccc nccc;
};

static void hub_open(struct hub *h)
{
	struct hr_error err = {0};
	struct store *store;

	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->nccc.index_lock, NULL);
	OK(store_pool_new(url, 2, &h->nccc.pool, &err));
	OK(value_index_new(1024, &h->nccc.index, &err));
	OK(store_pool_acquire(h->nccc.pool, 2000, &store, &err));
	if (store_migrate(store, nccc_migrations, nccc_migration_count, &err) != HR_OK)
		fail_msg("migrate: %s", err.message);
	OK(nccc_index_catch_up(&h->nccc, store, &err));
	store_pool_release(h->nccc.pool, store);
}

static void hub_close(struct hub *h)
{
	store_pool_free(h->nccc.pool);
	value_index_free(h->nccc.index);
	pthread_mutex_destroy(&h->nccc.index_lock);
}

static int setup(void **state)
{
	(void)state;
	run++;
	if (pg_url != NULL) {
		snprintf(url, sizeof(url), "%s%sschema=nccc_%d_%ld", pg_url,
			 strchr(pg_url, '?') ? "&" : "?", run, (long)time(NULL) % 100000);
	} else {
		tk_tmpdir(dir);
		snprintf(url, sizeof(url), "sqlite:%s/nccc.db", dir);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (pg_url == NULL)
		tk_rmrf(dir);
	return 0;
}

static struct store *take(struct hub *h)
{
	struct store *store;

	OK(store_pool_acquire(h->nccc.pool, 2000, &store, NULL));
	return store;
}

static struct nccc_signed_report report_of(const char *stage, const char *body)
{
	return (struct nccc_signed_report){stage,
					   body,
					   strlen(body),
					   "sig1=(\"@method\");keyid=\"" REGISTRY "\"",
					   "sig1=:AAAA:",
					   "sha-256=:AAAA:",
					   "http://127.0.0.1:8401",
					   "/v1/incidents"};
}

/* A reported incident with these indicators ([{type, value, tlp}]). */
static json_t *reported(json_t *indicators)
{
	char detected[CLOCK_UTC_TEXT_MAX];
	json_t *body, *incident = NULL;
	struct hr_error err = {0};

	clock_format_utc((int64_t)time(NULL) - 600, detected);
	body = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:o}", "detected_at", detected, "level", 3,
			 "class", "availability:ddos", "service", "register", "summary", "flood",
			 "tlp", "TLP:AMBER", "indicators", indicators);
	if (incident_from_report(body, REGISTRY, (int64_t)time(NULL), NULL, NULL, &incident,
				 &err) != HR_OK)
		fail_msg("%s", err.message);
	json_decref(body);
	return incident;
}

static void test_stages_are_kept_and_the_final_closes(void **state)
{
	struct hub h;
	struct store *s;
	struct hr_error err = {0};
	json_t *incident = reported(
		   json_pack("[{s:s,s:s}]", "type", "ipv4-addr", "value", "198.51.100.23")),
	       *loaded = NULL;
	struct nccc_signed_report r = report_of("initial", "{\"a\":1}");
	char id[64];

	(void)state;
	hub_open(&h);
	s = take(&h);
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(incident, "id")));
	OK(nccc_store_incident(&h.nccc, s, incident, &r, 7, &err));
	r = report_of("interim", "{\"stage\":\"interim\",\"summary\":\"mitigating\"}");
	OK(nccc_store_stage(&h.nccc, s, id, &r, 4, NULL, 8, &err));
	r = report_of("final", "{\"stage\":\"final\",\"summary\":\"closed\"}");
	OK(nccc_store_stage(&h.nccc, s, id, &r, -1, NULL, 9, &err));
	r = report_of("interim", "{\"stage\":\"interim\",\"summary\":\"too late\"}");
	assert_int_equal(nccc_store_stage(&h.nccc, s, id, &r, -1, NULL, 10, &err), HR_E_CONFLICT);
	assert_int_equal(nccc_store_stage(&h.nccc, s, "00000000-0000-4000-8000-000000000000", &r,
					  -1, NULL, 10, &err),
			 HR_E_NOT_FOUND);
	OK(nccc_load_incident(s, id, (int64_t)time(NULL), &loaded, &err));
	assert_int_equal(json_array_size(json_object_get(loaded, "reports")), 3);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(loaded, "reports"), 1), "summary")),
			    "mitigating");
	assert_int_equal(json_integer_value(json_object_get(
			     json_array_get(json_object_get(loaded, "reports"), 2), "audit_leaf")),
			 9);
	assert_int_equal(json_integer_value(json_object_get(loaded, "level")), 4);
	assert_true(json_is_true(json_object_get(loaded, "closed")));
	assert_int_equal(json_array_size(json_object_get(loaded, "overdue")), 0);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(loaded, "indicators"), 0), "value")),
			    "198.51.100.23");
	json_decref(loaded);
	json_decref(incident);
	store_pool_release(h.nccc.pool, s);
	hub_close(&h);
}

static json_t *imported(const char *external, json_t *indicators)
{
	json_t *incident = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "origin", "misp", "reporter",
				     PARTNER, "external_id", external, "summary", "shared", "tlp",
				     "TLP:GREEN", "indicators", indicators);
	size_t dropped;

	OK(incident_check_import(incident, (int64_t)time(NULL), &dropped, NULL));
	return incident;
}

static void test_an_import_is_kept_once_and_correlates(void **state)
{
	struct hub h, other;
	struct store *s, *s2;
	struct hr_error err = {0};
	json_t *ours =
	    reported(json_pack("[{s:s,s:s}]", "type", "domain-name", "value", "Evil.Example."));
	json_t *theirs =
	    imported("5a7a1b9c-3c1e-4f0e-9b1e-0a1b2c3d4e5f",
		     json_pack("[{s:s,s:s}]", "type", "domain-name", "value", "evil.example"));
	json_t *again =
	    imported("5a7a1b9c-3c1e-4f0e-9b1e-0a1b2c3d4e5f",
		     json_pack("[{s:s,s:s}]", "type", "domain-name", "value", "other.example"));
	json_t *late =
	    imported("0f0e0d0c-0b0a-4909-8807-060504030201",
		     json_pack("[{s:s,s:s}]", "type", "domain-name", "value", "EVIL.example"));
	json_t *matches = NULL, *loaded = NULL;
	struct nccc_signed_report r = report_of("initial", "{}");
	size_t total = 0, matched = 0;

	(void)state;
	hub_open(&h);
	s = take(&h);
	OK(nccc_store_incident(&h.nccc, s, ours, &r, 1, &err));
	OK(nccc_store_incident(&h.nccc, s, theirs, NULL, 0, &err));
	assert_int_equal(nccc_store_incident(&h.nccc, s, again, NULL, 0, &err), HR_E_CONFLICT);
	OK(nccc_correlate(&h.nccc, s, "domain-name", "EVIL.EXAMPLE", 100, &matches, &total, &err));
	assert_int_equal(total, 2);
	json_decref(matches);
	/* a second copy of the hub on the same database */
	hub_open(&other);
	s2 = take(&other);
	OK(nccc_store_incident(&other.nccc, s2, late, NULL, 0, &err));
	OK(nccc_correlate(&h.nccc, s, "domain-name", "evil.example", 100, &matches, &total, &err));
	assert_int_equal(total, 3); /* the first copy read the row in before looking */
	json_decref(matches);
	OK(nccc_store_sighting(&h.nccc, s, "domain-name", "evil.example", PARTNER,
			       (int64_t)time(NULL), 5, &matched, &err));
	assert_int_equal(matched, 3);
	OK(nccc_load_incident(s, json_string_value(json_object_get(ours, "id")),
			      (int64_t)time(NULL), &loaded, &err));
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_array_get(json_object_get(loaded, "indicators"), 0), "sightings")),
	    5);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(loaded, "indicators"), 0), "value")),
			    "evil.example");
	json_decref(loaded);
	/* the value must be valid for its type to be looked up */
	assert_int_equal(
	    nccc_correlate(&h.nccc, s, "ipv4-addr", "999.1.1.1", 10, &matches, &total, &err),
	    HR_E_INVALID);
	store_pool_release(other.nccc.pool, s2);
	store_pool_release(h.nccc.pool, s);
	hub_close(&other);
	hub_close(&h);
	json_decref(ours);
	json_decref(theirs);
	json_decref(again);
	json_decref(late);
}

static void test_listing_pages_and_filters(void **state)
{
	struct hub h;
	struct store *s;
	struct hr_error err = {0};
	json_t *rows = NULL;
	int64_t last = 0, before_ms;
	struct nccc_signed_report r = report_of("initial", "{}");

	(void)state;
	hub_open(&h);
	s = take(&h);
	for (int i = 0; i < 5; i++) {
		json_t *incident = reported(json_array());

		OK(nccc_store_incident(&h.nccc, s, incident, &r, 1, &err));
		json_decref(incident);
	}
	usleep(3000); /* added_at is in milliseconds: one clearly before, one after */
	before_ms = (int64_t)clock_realtime_ms();
	usleep(3000);
	{
		json_t *incident = imported("11111111-2222-4333-8444-555555555555", json_array());

		OK(nccc_store_incident(&h.nccc, s, incident, NULL, 0, &err));
		json_decref(incident);
	}
	OK(nccc_list_incidents(s, &(struct nccc_list){0, 0, "", "", 4, TLP_RED}, &rows, &last,
			       &err));
	assert_int_equal(json_array_size(rows), 4);
	json_decref(rows);
	OK(nccc_list_incidents(s, &(struct nccc_list){last, 0, "", "", 4, TLP_RED}, &rows, &last,
			       &err));
	assert_int_equal(json_array_size(rows), 2);
	json_decref(rows);
	OK(nccc_list_incidents(s, &(struct nccc_list){0, 0, "PL", "", 100, TLP_RED}, &rows, &last,
			       &err));
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);
	OK(nccc_list_incidents(s, &(struct nccc_list){0, 0, "", "UA/GOV/00015622", 100, TLP_RED},
			       &rows, &last, &err));
	assert_int_equal(json_array_size(rows), 5);
	json_decref(rows);
	OK(nccc_list_incidents(s, &(struct nccc_list){0, before_ms, "", "", 100, TLP_RED}, &rows,
			       &last, &err));
	assert_int_equal(json_array_size(rows), 1); /* the import only */
	json_decref(rows);
	OK(nccc_list_incidents(s, &(struct nccc_list){0, 0, "", "", 100, TLP_GREEN}, &rows, &last,
			       &err));
	assert_int_equal(json_array_size(rows), 1); /* the GREEN import, not the AMBER reports */
	json_decref(rows);
	store_pool_release(h.nccc.pool, s);
	hub_close(&h);
}

/* --- the leak range service's dumps and tags --- */

#define CERT_UA "UA/GOV/34239034/cert"

/* A publication of dump id (name, first_seen, fields as JSON) with tags. */
static void publish(struct store *s, const char *id, const char *first_seen, const char *fields,
		    const char *const *tags, size_t count, struct nccc_leak_published *out)
{
	json_t *body =
	    json_pack("{s:{s:s,s:s,s:s,s:o},s:[]}", "dump", "id", id, "name", "Breach of the year",
		      "first_seen", first_seen, "fields", json_loads(fields, 0, NULL), "tags");
	struct leak_publication p;
	struct hr_error err = {0};

	for (size_t i = 0; i < count; i++)
		json_array_append_new(json_object_get(body, "tags"), json_string(tags[i]));
	if (leak_publication_parse(body, (int64_t)time(NULL), &p, &err) != HR_OK)
		fail_msg("%s", err.message);
	if (nccc_leaks_publish(s, &p, CERT_UA, (int64_t)time(NULL), out, &err) != HR_OK)
		fail_msg("publish: %s", err.message);
	leak_publication_clear(&p);
	json_decref(body);
}

static void test_leaks_are_kept_once_per_dump_and_tag(void **state)
{
	static const char *const first[] = {"12345aaaaaaaaaaaaaaaaaaaaaaaaaaa",
					    "12345bbbbbbbbbbbbbbbbbbbbbbbbbbb"};
	static const char *const second[] = {"12345bbbbbbbbbbbbbbbbbbbbbbbbbbb",
					     "12345ccccccccccccccccccccccccccc",
					     "12345ccccccccccccccccccccccccccc"};
	struct hub h;
	struct store *s;
	struct nccc_leak_published out;
	struct nccc_leak_range range;
	struct hr_error err = {0};
	const json_t *leaks;

	(void)state;
	hub_open(&h);
	s = take(&h);
	publish(s, "dump-1", "2026-11-01T00:00:00Z", "[\"family_name\", \"birth_date\"]", first, 2,
		&out);
	assert_true(out.created);
	assert_int_equal(out.added, 2);
	assert_int_equal(out.known, 0);
	json_decref(out.dump);
	/* again, with one tag known, one new (sent twice), an earlier first_seen
	 * and one more field: nothing twice, the metadata widened */
	publish(s, "dump-1", "2026-10-01T00:00:00Z", "[\"password\", \"family_name\"]", second, 3,
		&out);
	assert_false(out.created);
	assert_int_equal(out.added, 1);
	assert_int_equal(out.known, 1);
	assert_int_equal(json_integer_value(json_object_get(out.dump, "tags")), 3);
	assert_string_equal(json_string_value(json_object_get(out.dump, "first_seen")),
			    "2026-10-01T00:00:00Z");
	assert_int_equal(json_array_size(json_object_get(out.dump, "fields")), 3);
	json_decref(out.dump);
	/* a later first_seen does not move it */
	publish(s, "dump-1", "2026-12-01T00:00:00Z", "[\"family_name\"]", first, 1, &out);
	assert_string_equal(json_string_value(json_object_get(out.dump, "first_seen")),
			    "2026-10-01T00:00:00Z");
	assert_int_equal(out.added, 0);
	json_decref(out.dump);
	/* the same tag in a second dump: two leaks, the earliest first */
	publish(s, "dump-2", "2025-01-01T00:00:00Z", "[\"document_number\"]", first, 1, &out);
	assert_true(out.created);
	json_decref(out.dump);

	OK(nccc_leaks_range(s, 0x12345, NCCC_LEAK_RANGE_ROWS_MAX, &range, &err));
	assert_int_equal(range.count, 3);
	assert_int_equal(range.entries[0].tag[15], 0xaa);
	leaks = range.entries[0].leaks;
	assert_int_equal(json_array_size(leaks), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(leaks, 0), "first_seen")),
	    "2025-01-01T00:00:00Z");
	assert_string_equal(json_string_value(json_array_get(
				json_object_get(json_array_get(leaks, 1), "fields"), 2)),
			    "password");
	assert_int_equal(json_array_size(range.entries[2].leaks), 1);
	nccc_leak_range_clear(&range);
	store_pool_release(h.nccc.pool, s);
	hub_close(&h);
}

static void test_a_leak_range_is_one_prefix_of_the_tags(void **state)
{
	static const char *const edges[] = {
	    "00000000000000000000000000000000", "00000fffffffffffffffffffffffffff",
	    "00010000000000000000000000000000", "12344fffffffffffffffffffffffffff",
	    "12345000000000000000000000000000", "12345fffffffffffffffffffffffffff",
	    "12346000000000000000000000000000", "fffff000000000000000000000000000",
	    "ffffffffffffffffffffffffffffffff", "ffffeffffffffffffffffffffffffff0"};
	struct hub h;
	struct store *s;
	struct nccc_leak_published out;
	struct nccc_leak_range range;
	struct hr_error err = {0};
	json_t *catalogue = NULL;

	(void)state;
	hub_open(&h);
	s = take(&h);
	publish(s, "edges", "2026-11-01T00:00:00Z", "[\"family_name\"]", edges, 10, &out);
	json_decref(out.dump);
	OK(nccc_leaks_range(s, 0x12345, NCCC_LEAK_RANGE_ROWS_MAX, &range, &err));
	assert_int_equal(range.count, 2);
	assert_int_equal(range.entries[0].tag[2], 0x50);
	assert_int_equal(range.entries[1].tag[15], 0xff);
	nccc_leak_range_clear(&range);
	OK(nccc_leaks_range(s, 0x00000, NCCC_LEAK_RANGE_ROWS_MAX, &range, &err));
	assert_int_equal(range.count, 2);
	nccc_leak_range_clear(&range);
	OK(nccc_leaks_range(s, 0xfffff, NCCC_LEAK_RANGE_ROWS_MAX, &range, &err));
	assert_int_equal(range.count, 2);
	nccc_leak_range_clear(&range);
	OK(nccc_leaks_range(s, 0x54321, NCCC_LEAK_RANGE_ROWS_MAX, &range, &err));
	assert_int_equal(range.count, 0);
	nccc_leak_range_clear(&range);
	/* a range past its bound is refused, never cut short */
	assert_int_equal(nccc_leaks_range(s, 0x12345, 1, &range, &err), HR_E_UNAVAILABLE);
	assert_null(range.entries);
	/* the biggest dumps first, by their tags */
	publish(s, "small", "2026-11-01T00:00:00Z", "[\"family_name\"]", edges, 1, &out);
	json_decref(out.dump);
	OK(nccc_leaks_catalogue(s, 10, &catalogue, &err));
	assert_int_equal(json_array_size(catalogue), 2);
	assert_int_equal(
	    json_integer_value(json_object_get(json_array_get(catalogue, 0), "weight")), 10);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(json_array_get(catalogue, 1), "leak"), "dump")),
			    "Breach of the year");
	json_decref(catalogue);
	store_pool_release(h.nccc.pool, s);
	hub_close(&h);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stages_are_kept_and_the_final_closes, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_an_import_is_kept_once_and_correlates, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_listing_pages_and_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_leaks_are_kept_once_per_dump_and_tag, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_a_leak_range_is_one_prefix_of_the_tags, setup,
					    teardown),
	};

	log_set_level(LOG_LEVEL_WARN);
	if (argc == 2 && strcmp(argv[1], "postgresql") == 0) {
		if ((pg_url = tk_pg_url()) == NULL) {
			fprintf(stderr, "test_nccc_store postgresql: no PostgreSQL server (run "
					"through ctest, whose pg.start fixture starts one); this "
					"is a failure, not a skip\n");
			return 1;
		}
		return cmocka_run_group_tests_name("nccc_store.postgresql", tests, NULL, NULL);
	}
	return cmocka_run_group_tests_name("nccc_store", tests, NULL, NULL);
}
