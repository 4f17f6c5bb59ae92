/*
 * test_registry.c — a registry role (src/registry/) over real HTTP with real
 * RFC 9421 signatures: the role runs in-process (role_host_start) on real keys
 * from keys_create_country, and the test plays its gateway, signing every
 * request with the gateway's member key and checking every answer is signed by
 * the registry and bound to the request (member_call_post).
 *
 *	test_registry              on SQLite
 *	test_registry postgresql   on the server tests/store.cmake starts
 *
 * Pinned down (docs/EXCHANGE.md, "Registries"):
 *  - suspend takes a valid document to suspended, reinstate a suspended one
 *    back to valid, each answering the document's number, new status and
 *    holder; anything else is 409 conflict (an expired, lost or suspended
 *    document cannot be suspended; a valid, expired or lost one cannot be
 *    reinstated, nor a suspended one past its expiry date), an unknown
 *    number 404, a bad reason 400;
 *  - every change (report-lost, suspend, reinstate) is in the feed of
 *    /v1/status-changes, in order, numbered without gaps even when changes are
 *    made concurrently, and paging with since/limit gives every change once;
 *  - a lookup by another country's id finds the documents of the person it is
 *    linked to in that registry, and nothing in a registry without the link;
 *  - the new services answer only the gateway.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/config.h"
#include "core/documents.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/log.h"
#include "core/store.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "exchange/member.h"
#include "exchange/replay.h"
#include "platform/platform.h"
#include "platform/population.h"
#include "registry/registry_store.h"

#define GATEWAY         "PL/GOV/00000000/gateway"
#define PERMITS         "PL/GOV/00015622/residence_permit"
#define STUDENTS        "PL/GOV/00015622/student_card"
#define STRANGER        "PL/COM/99999999/stranger"
#define FAR_AWAY        "2099-12-31"
#define LONG_AGO        "2001-01-01"
#define VALID_DOCUMENTS 60
/* the synthetic population loaded under the fixtures: Poles, and Ukrainians
 * of whom some live in Poland */
#define POPULATION_SEED 5
#define POPULATION_PL   300
#define POPULATION_UA   4000

#define OK(call)                                                                                   \
	do {                                                                                       \
		hr_status rc_ = (call);                                                            \
		if (rc_ != HR_OK)                                                                  \
			fail_msg("%s failed: %s: %s", #call, hr_status_name(rc_), err.message);    \
	} while (0)

struct member_keys {
	struct signer *signer;
	EVP_PKEY *public_key;
};

struct registry_under_test {
	const char *id;
	struct role_host *host;
	struct member_keys keys;
	char url[256];
};

static struct {
	const char *pg_url; /* NULL: SQLite */
	char dir[256];
	char schema_prefix[64];
	struct member_keys gateway, stranger;
	struct registry_under_test permits, students;
	struct http_client *client;
	struct replay_cache *answers; /* nonces of the registries' answers */
	/* fixture people: valid ids of each country */
	char holder[16], other[16], linked[16], alias[16], unlinked_alias[16];
} fx;

/* ---- keys and roles ---- */

static void member_dir(const char *id, char *out, size_t size)
{
	char name[96];

	snprintf(name, sizeof(name), "%s", id);
	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '_';
	snprintf(out, size, "%s/keys/members/%s", fx.dir, name);
}

static void keys_open(const char *id, struct member_keys *m)
{
	struct hr_error err = {0};
	char dir[512], key[600], cert[600];

	member_dir(id, dir, sizeof(dir));
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	OK(signer_open_files(key, cert, &m->signer, &err));
	OK(signer_cert_public_key_file(cert, &m->public_key, &err));
}

static void keys_close(struct member_keys *m)
{
	signer_free(m->signer);
	EVP_PKEY_free(m->public_key);
}

/* The store URL of a registry: an SQLite file, or a schema of its own. */
static void store_url(const char *type, char *out, size_t size)
{
	if (fx.pg_url == NULL) {
		snprintf(out, size, "sqlite:%s/PL-%s.db", fx.dir, type);
		return;
	}
	snprintf(out, size, "%s%sschema=%s_%s", fx.pg_url, strchr(fx.pg_url, '?') ? "&" : "?",
		 fx.schema_prefix, type);
}

static void registry_start(struct registry_under_test *r, const char *id, const char *type)
{
	struct hr_error err = {0};
	struct config *cfg = config_new();
	char dir[512], path[600], url[1200];

	assert_non_null(cfg);
	r->id = id;
	keys_open(id, &r->keys);
	snprintf(path, sizeof(path), "%s/state-%s", fx.dir, type);
	store_url(type, url, sizeof(url));
	OK(config_set(cfg, "node", "role", "registry", "test", &err));
	OK(config_set(cfg, "node", "country", "PL", "test", &err));
	OK(config_set(cfg, "node", "state_dir", path, "test", &err));
	OK(config_set(cfg, "server", "listen", "127.0.0.1:0", "test", &err));
	OK(config_set(cfg, "store", "url", url, "test", &err));
	OK(config_set(cfg, "registry", "document_type", type, "test", &err));
	OK(config_set(cfg, "registry", "member_id", id, "test", &err));
	member_dir(id, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	OK(config_set(cfg, "registry", "key", path, "test", &err));
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	OK(config_set(cfg, "registry", "certificate", path, "test", &err));
	OK(config_set(cfg, "registry", "gateway_id", GATEWAY, "test", &err));
	member_dir(GATEWAY, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	OK(config_set(cfg, "registry", "gateway_certificate", path, "test", &err));
	OK(role_host_start(cfg, "registry", &r->host, &err));
	snprintf(r->url, sizeof(r->url), "%s", role_host_url(r->host));
	config_free(cfg);
}

/* ---- fixture records ---- */

static void fields_of(char *out, size_t size, const char *person, const char *number,
		      const char *expiry)
{
	snprintf(out, size,
		 "{\"person_id\":\"%s\",\"document_number\":\"%s\",\"issue_date\":\"2000-01-01\","
		 "\"expiry_date\":\"%s\"}",
		 person, number, expiry);
}

struct fixture_row {
	const char *person, *number, *status, *expiry;
};

/* Writes records straight into a registry's store, as the population loader does. */
static void store_records(const char *type, const struct fixture_row *rows, size_t count)
{
	struct hr_error err = {0};
	struct registry_record *records = calloc(count, sizeof(*records));
	char(*fields)[256] = calloc(count, sizeof(*fields));
	struct store *store;
	char url[1200];

	assert_non_null(records);
	assert_non_null(fields);
	store_url(type, url, sizeof(url));
	OK(store_open(url, &store, &err));
	OK(store_migrate(store, registry_migrations, registry_migration_count, &err));
	for (size_t i = 0; i < count; i++) {
		fields_of(fields[i], sizeof(fields[i]), rows[i].person, rows[i].number,
			  rows[i].expiry);
		records[i] = (struct registry_record){rows[i].person, rows[i].number,
						      rows[i].status, fields[i], 1};
	}
	OK(registry_store_load(store, records, count, &err));
	store_close(store);
	free(records);
	free(fields);
}

static void valid_number(int i, char out[16])
{
	snprintf(out, 16, "T-VALID-%03d", i);
}

static void store_fixtures(void)
{
	static char numbers[VALID_DOCUMENTS][16];
	struct fixture_row rows[VALID_DOCUMENTS + 8];
	const struct registry_link link = {fx.alias, fx.linked};
	struct hr_error err = {0};
	struct store *store;
	char url[1200];
	size_t n = 0;

	for (int i = 0; i < VALID_DOCUMENTS; i++) {
		valid_number(i, numbers[i]);
		rows[n++] = (struct fixture_row){fx.holder, numbers[i], "valid", FAR_AWAY};
	}
	/* stored valid, but past its expiry date: it reads expired */
	rows[n++] = (struct fixture_row){fx.holder, "T-PAST", "valid", LONG_AGO};
	rows[n++] = (struct fixture_row){fx.holder, "T-EXPIRED", "expired", LONG_AGO};
	rows[n++] = (struct fixture_row){fx.holder, "T-LOST", "lost", FAR_AWAY};
	rows[n++] = (struct fixture_row){fx.holder, "T-SUSPENDED-PAST", "suspended", LONG_AGO};
	rows[n++] = (struct fixture_row){fx.other, "T-OTHER", "valid", FAR_AWAY};
	/* the linked person's permit, under their Polish id */
	rows[n++] = (struct fixture_row){fx.linked, "T-LINKED", "valid", FAR_AWAY};
	store_records("residence_permit", rows, n);

	/* the same person's student card: a registry that does not know the alias */
	rows[0] = (struct fixture_row){fx.linked, "S-LINKED", "valid", FAR_AWAY};
	store_records("student_card", rows, 1);

	store_url("residence_permit", url, sizeof(url));
	OK(store_open(url, &store, &err));
	OK(registry_store_load_links(store, &link, 1, &err));
	store_close(store);
}

/* Valid ids of either country, from the population generator. */
static void fixture_people(void)
{
	struct hr_error err = {0};
	struct population *pl, *ua;
	struct population_person p;

	OK(population_new("PL", 77, NULL, &pl, &err));
	OK(population_new("UA", 77, NULL, &ua, &err));
	population_person(pl, 0, &p);
	snprintf(fx.holder, sizeof(fx.holder), "%s", p.id);
	population_person(pl, 1, &p);
	snprintf(fx.other, sizeof(fx.other), "%s", p.id);
	population_person(pl, 2, &p);
	snprintf(fx.linked, sizeof(fx.linked), "%s", p.id);
	population_person(ua, 0, &p);
	snprintf(fx.alias, sizeof(fx.alias), "%s", p.id);
	population_person(ua, 1, &p);
	snprintf(fx.unlinked_alias, sizeof(fx.unlinked_alias), "%s", p.id);
	population_free(pl);
	population_free(ua);
}

static void drop_schemas(void)
{
	struct hr_error err = {0};
	struct store *admin;
	const char *types[] = {"residence_permit", "student_card"};
	char sql[256];

	OK(store_open(fx.pg_url, &admin, &err));
	for (int t = 0; t < 2; t++) {
		snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s_%s CASCADE", fx.schema_prefix,
			 types[t]);
		OK(store_exec(admin, sql, &err));
	}
	store_close(admin);
}

/* The population loader's registries, under the same URLs as the roles'. */
static void load_population(void)
{
	struct hr_error err = {0};
	struct population_load_stats stats;
	char template[1200];
	struct population_load_options o = {.country = "PL",
					    .seed = POPULATION_SEED,
					    .people = POPULATION_PL,
					    .partner_people = POPULATION_UA,
					    .as_of = POPULATION_TODAY,
					    .url_template = template};

	store_url("{type}", template, sizeof(template));
	OK(population_load(&o, &stats, &err));
	assert_true(stats.residents > 50);
}

static int group_setup(void **state)
{
	struct hr_error err = {0};
	const char *members[] = {GATEWAY, PERMITS, STUDENTS, STRANGER};
	struct keys_country_options keys = {"PL", NULL, members, 4};
	char dir[400];

	(void)state;
	tk_tmpdir(fx.dir);
	snprintf(dir, sizeof(dir), "%s/keys", fx.dir);
	keys.dir = dir;
	OK(keys_create_country(&keys, &err));
	keys_open(GATEWAY, &fx.gateway);
	keys_open(STRANGER, &fx.stranger);
	snprintf(fx.schema_prefix, sizeof(fx.schema_prefix), "registry_test_%ld", (long)getpid());
	if (fx.pg_url != NULL)
		drop_schemas();
	load_population();
	fixture_people();
	store_fixtures();
	registry_start(&fx.permits, PERMITS, "residence_permit");
	registry_start(&fx.students, STUDENTS, "student_card");
	fx.client = http_client_new(NULL);
	fx.answers = replay_cache_new(1u << 16);
	assert_non_null(fx.client);
	assert_non_null(fx.answers);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	role_host_stop(fx.permits.host);
	role_host_stop(fx.students.host);
	keys_close(&fx.permits.keys);
	keys_close(&fx.students.keys);
	keys_close(&fx.gateway);
	keys_close(&fx.stranger);
	http_client_free(fx.client);
	replay_cache_free(fx.answers);
	if (fx.pg_url != NULL)
		drop_schemas();
	tk_rmrf(fx.dir);
	return 0;
}

/* ---- calls, as the gateway makes them ---- */

/* POSTs body to the registry's service signed as `as`; the signed answer's
 * JSON in *answer, its status returned. */
static long call_as(const struct registry_under_test *r, const char *as, struct signer *signer,
		    const char *service, const char *body, json_t **answer)
{
	const struct http_header headers[] = {
	    {"Hromada-Client", "PL/GOV/00032684/police"},
	    {"Hromada-Purpose", "police-document-check"},
	    {"Hromada-User", "PL:officer-17"},
	    {"Hromada-Provider", r->id},
	};
	const struct member_identity self = {as, signer, NULL};
	struct http_client_response response;
	struct member_call call;
	struct hr_error err = {0};
	char url[400];
	long status;

	snprintf(url, sizeof(url), "%s/v1/%s", r->url, service);
	call = (struct member_call){.url = url,
				    .headers = headers,
				    .header_count = 4,
				    .body = body,
				    .body_len = strlen(body),
				    .timeout_ms = 5000};
	http_client_response_init(&response);
	OK(member_call_post(fx.client, &self, &call, r->id, r->keys.public_key, fx.answers,
			    (int64_t)time(NULL), &response, &err));
	status = response.status;
	OK(hr_json_parse(response.body.data, response.body.len, answer, &err));
	http_client_response_clear(&response);
	return status;
}

static long call(const struct registry_under_test *r, const char *service, const char *body,
		 json_t **answer)
{
	return call_as(r, GATEWAY, fx.gateway.signer, service, body, answer);
}

static const char *text(const json_t *object, const char *key)
{
	return json_string_value(json_object_get(object, key));
}

static const char *error_code(const json_t *answer)
{
	return text(json_object_get(answer, "error"), "code");
}

/* The answer to a call must be this status (and this error code when not 200). */
static void expect(const char *service, const char *body, long status, const char *code)
{
	json_t *answer;
	long got = call(&fx.permits, service, body, &answer);

	if (got != status || (code != NULL && (error_code(answer) == NULL ||
					       strcmp(error_code(answer), code) != 0))) {
		char *dump = json_dumps(answer, 0);
		fail_msg("%s %s: expected %ld %s, got %ld %s", service, body, status,
			 code ? code : "", got, dump);
	}
	json_decref(answer);
}

static void suspend(const char *number, const char *reason, long status, const char *code)
{
	char body[1200];

	snprintf(body, sizeof(body), "{\"document_number\":\"%s\",\"reason\":\"%s\"}", number,
		 reason);
	expect("suspend", body, status, code);
}

static void reinstate(const char *number, long status, const char *code)
{
	char body[200];

	snprintf(body, sizeof(body), "{\"document_number\":\"%s\"}", number);
	expect("reinstate", body, status, code);
}

static const char *status_of(const char *number, char out[16])
{
	char body[200];
	json_t *answer;

	snprintf(body, sizeof(body), "{\"document_number\":\"%s\"}", number);
	assert_int_equal(call(&fx.permits, "status", body, &answer), 200);
	snprintf(out, 16, "%s", text(answer, "status"));
	json_decref(answer);
	return out;
}

/* ---- the change feed ---- */

struct feed {
	json_t *changes; /* every change after `from`, in the order served */
	int64_t from, next;
	int pages;
};

/* Pages through the feed after `from`, limit at a time, to the end. */
static void feed_read(int64_t from, int limit, struct feed *f)
{
	f->changes = json_array();
	f->from = from;
	f->next = from;
	f->pages = 0;
	for (;;) {
		char body[100];
		json_t *answer, *page;
		int64_t next;

		snprintf(body, sizeof(body), "{\"since\":%lld,\"limit\":%d}", (long long)f->next,
			 limit);
		assert_int_equal(call(&fx.permits, "status-changes", body, &answer), 200);
		page = json_object_get(answer, "changes");
		next = json_integer_value(json_object_get(answer, "next"));
		assert_true(json_is_array(page));
		assert_true(json_array_size(page) <= (size_t)limit);
		f->pages++;
		if (json_array_size(page) == 0) {
			/* at the end, next stays where the caller is */
			assert_int_equal(next, f->next);
			json_decref(answer);
			return;
		}
		json_array_extend(f->changes, page);
		assert_int_equal(next,
				 json_integer_value(json_object_get(
				     json_array_get(page, json_array_size(page) - 1), "seq")));
		f->next = next;
		json_decref(answer);
	}
}

static int64_t feed_head(void)
{
	struct feed f;

	feed_read(0, 1000, &f);
	json_decref(f.changes);
	return f.next;
}

/* Changes are numbered from+1, from+2, ... in order, each well formed. */
static void expect_gap_free(const struct feed *f)
{
	const json_t *change;
	size_t i;

	json_array_foreach(f->changes, i, change)
	{
		const char *at = text(change, "at");

		assert_int_equal(json_integer_value(json_object_get(change, "seq")),
				 f->from + (int64_t)i + 1);
		assert_non_null(text(change, "document_number"));
		assert_non_null(text(change, "status"));
		/* "2026-06-01T12:00:00Z" */
		assert_non_null(at);
		assert_int_equal(strlen(at), 20);
		assert_int_equal(at[10], 'T');
		assert_int_equal(at[19], 'Z');
		/* it names no person */
		assert_null(json_object_get(change, "holder"));
		assert_null(json_object_get(change, "person"));
		assert_null(json_object_get(change, "reason"));
	}
}

static void expect_change(const json_t *change, const char *number, const char *status)
{
	assert_string_equal(text(change, "document_number"), number);
	assert_string_equal(text(change, "status"), status);
}

/* ---- tests ---- */

static void test_suspends_a_valid_document_and_reinstates_it(void **state)
{
	char number[16], status[16];
	json_t *answer;
	int64_t head = feed_head();
	struct feed f;

	(void)state;
	valid_number(0, number);
	assert_int_equal(call(&fx.permits, "suspend",
			      "{\"document_number\":\"T-VALID-000\",\"reason\":\"court order "
			      "2026/17: the holder is under investigation\"}",
			      &answer),
			 200);
	assert_string_equal(text(answer, "document_number"), number);
	assert_string_equal(text(answer, "status"), "suspended");
	/* the holder, for the gateway's audit entry, exactly as /v1/status names it */
	assert_string_equal(text(answer, "holder"), fx.holder);
	json_decref(answer);
	assert_string_equal(status_of(number, status), "suspended");
	suspend(number, "again", 409, "conflict");

	assert_int_equal(
	    call(&fx.permits, "reinstate", "{\"document_number\":\"T-VALID-000\"}", &answer), 200);
	assert_string_equal(text(answer, "document_number"), number);
	assert_string_equal(text(answer, "status"), "valid");
	assert_string_equal(text(answer, "holder"), fx.holder);
	json_decref(answer);
	assert_string_equal(status_of(number, status), "valid");
	reinstate(number, 409, "conflict");

	/* both changes are in the feed, in order, and nothing else */
	feed_read(head, 1000, &f);
	expect_gap_free(&f);
	assert_int_equal(json_array_size(f.changes), 2);
	expect_change(json_array_get(f.changes, 0), number, "suspended");
	expect_change(json_array_get(f.changes, 1), number, "valid");
	json_decref(f.changes);
}

static void test_refuses_changes_the_status_does_not_allow(void **state)
{
	char status[16];
	int64_t head = feed_head();

	(void)state;
	/* only a valid document can be suspended */
	suspend("T-PAST", "expired by date", 409, "conflict");
	suspend("T-EXPIRED", "stored expired", 409, "conflict");
	suspend("T-LOST", "lost", 409, "conflict");
	suspend("T-SUSPENDED-PAST", "already suspended", 409, "conflict");
	suspend("NO-SUCH-NUMBER", "unknown", 404, "not_found");
	/* only a suspended one reinstated, and not past its expiry date */
	reinstate("T-VALID-001", 409, "conflict");
	reinstate("T-PAST", 409, "conflict");
	reinstate("T-EXPIRED", 409, "conflict");
	reinstate("T-LOST", 409, "conflict");
	reinstate("T-SUSPENDED-PAST", 409, "conflict");
	reinstate("NO-SUCH-NUMBER", 404, "not_found");
	/* nothing changed, nothing logged */
	assert_string_equal(status_of("T-SUSPENDED-PAST", status), "suspended");
	assert_string_equal(status_of("T-PAST", status), "expired");
	assert_string_equal(status_of("T-LOST", status), "lost");
	assert_string_equal(status_of("T-VALID-001", status), "valid");
	assert_int_equal(feed_head(), head);
}

static void test_suspend_requires_a_short_clean_reason(void **state)
{
	char reason[1000], body[1200], status[16];
	json_t *answer;
	int64_t head = feed_head();
	struct feed f;

	(void)state;
	expect("suspend", "{\"document_number\":\"T-VALID-002\"}", 400, "invalid");
	expect("suspend", "{\"document_number\":\"T-VALID-002\",\"reason\":7}", 400, "invalid");
	suspend("T-VALID-002", "", 400, "invalid");
	suspend("T-VALID-002", "   ", 400, "invalid");
	suspend("T-VALID-002", "line one\\nline two", 400, "invalid");
	suspend("T-VALID-002", "tab\\there", 400, "invalid");
	/* 201 characters */
	memset(reason, 'x', 201);
	reason[201] = 0;
	suspend("T-VALID-002", reason, 400, "invalid");
	/* and the number: required, a string, at most 32 bytes */
	expect("suspend", "{\"reason\":\"no number\"}", 400, "invalid");
	expect("suspend", "{\"document_number\":12,\"reason\":\"a number\"}", 400, "invalid");
	suspend("T-VALID-002-AND-THEN-SOME-MORE-TEXT", "too long a number", 400, "invalid");
	expect("suspend", "[\"not an object\"]", 400, "invalid");
	assert_string_equal(status_of("T-VALID-002", status), "valid");
	assert_int_equal(feed_head(), head);

	/* 200 characters are fine, though 400 bytes: "ї" is two bytes of UTF-8 */
	reason[0] = 0;
	for (int i = 0; i < 200; i++)
		strcat(reason, "ї");
	snprintf(body, sizeof(body), "{\"document_number\":\"T-VALID-002\",\"reason\":\"%s\"}",
		 reason);
	assert_int_equal(call(&fx.permits, "suspend", body, &answer), 200);
	json_decref(answer);
	feed_read(head, 1000, &f);
	assert_int_equal(json_array_size(f.changes), 1);
	expect_change(json_array_get(f.changes, 0), "T-VALID-002", "suspended");
	json_decref(f.changes);
	/* 201 of them are not */
	strcat(reason, "ї");
	snprintf(body, sizeof(body), "{\"document_number\":\"T-VALID-003\",\"reason\":\"%s\"}",
		 reason);
	expect("suspend", body, 400, "invalid");
}

static void test_report_lost_is_in_the_feed(void **state)
{
	char body[200], status[16];
	json_t *answer;
	int64_t head = feed_head();
	struct feed f;

	(void)state;
	snprintf(body, sizeof(body), "{\"person\":\"%s\",\"document_number\":\"T-VALID-004\"}",
		 fx.holder);
	assert_int_equal(call(&fx.permits, "report-lost", body, &answer), 200);
	assert_string_equal(text(answer, "status"), "lost");
	assert_string_equal(text(answer, "document_number"), "T-VALID-004");
	json_decref(answer);
	assert_string_equal(status_of("T-VALID-004", status), "lost");
	/* not twice, and not someone else's */
	expect("report-lost", body, 404, "not_found");
	snprintf(body, sizeof(body), "{\"person\":\"%s\",\"document_number\":\"T-OTHER\"}",
		 fx.holder);
	expect("report-lost", body, 404, "not_found");
	assert_string_equal(status_of("T-OTHER", status), "valid");
	/* a suspended document can be reported lost, and cannot be reinstated then */
	suspend("T-VALID-005", "stolen car papers", 200, NULL);
	snprintf(body, sizeof(body), "{\"person\":\"%s\",\"document_number\":\"T-VALID-005\"}",
		 fx.holder);
	expect("report-lost", body, 200, NULL);
	reinstate("T-VALID-005", 409, "conflict");

	feed_read(head, 1000, &f);
	expect_gap_free(&f);
	assert_int_equal(json_array_size(f.changes), 3);
	expect_change(json_array_get(f.changes, 0), "T-VALID-004", "lost");
	expect_change(json_array_get(f.changes, 1), "T-VALID-005", "suspended");
	expect_change(json_array_get(f.changes, 2), "T-VALID-005", "lost");
	json_decref(f.changes);
}

static void test_feed_pages_give_every_change_once(void **state)
{
	int64_t head = feed_head();
	struct feed all, paged, tail;
	json_t *answer;

	(void)state;
	/* 23 changes: suspend and reinstate documents 10..21, less one */
	for (int i = 10; i < 22; i++) {
		char number[16];

		valid_number(i, number);
		suspend(number, "paging", 200, NULL);
		if (i != 21)
			reinstate(number, 200, NULL);
	}
	feed_read(head, 1000, &all);
	expect_gap_free(&all);
	assert_int_equal(json_array_size(all.changes), 23);
	assert_int_equal(all.pages, 2); /* one full page, then the empty one */
	/* in pages of 7: 4 pages of changes and the empty one, the same changes */
	feed_read(head, 7, &paged);
	assert_int_equal(paged.pages, 5);
	assert_true(json_equal(all.changes, paged.changes));
	assert_int_equal(all.next, paged.next);
	/* from the middle: what follows */
	feed_read(head + 20, 1000, &tail);
	assert_int_equal(json_array_size(tail.changes), 3);
	assert_true(json_equal(json_array_get(tail.changes, 0), json_array_get(all.changes, 20)));
	json_decref(all.changes);
	json_decref(paged.changes);
	json_decref(tail.changes);

	/* since 0 is the first change; the default limit is 500 */
	assert_int_equal(call(&fx.permits, "status-changes", "{}", &answer), 200);
	assert_int_equal(json_integer_value(json_object_get(
			     json_array_get(json_object_get(answer, "changes"), 0), "seq")),
			 1);
	json_decref(answer);
	/* a bad range is refused */
	expect("status-changes", "{\"since\":-1}", 400, "invalid");
	expect("status-changes", "{\"since\":\"0\"}", 400, "invalid");
	expect("status-changes", "{\"since\":1.5}", 400, "invalid");
	expect("status-changes", "{\"limit\":0}", 400, "invalid");
	expect("status-changes", "{\"limit\":1001}", 400, "invalid");
	expect("status-changes", "{\"limit\":null}", 400, "invalid");
	expect("status-changes", "{\"since\":0,\"limit\":1000}", 200, NULL);
}

struct worker {
	int first, count;
	int failures;
};

static void *suspend_many(void *arg)
{
	struct worker *w = arg;

	for (int i = w->first; i < w->first + w->count; i++) {
		char body[200];
		json_t *answer;

		snprintf(body, sizeof(body),
			 "{\"document_number\":\"T-VALID-%03d\",\"reason\":\"batch\"}", i);
		/* no cmocka asserts off the main thread: count instead */
		if (call(&fx.permits, "suspend", body, &answer) != 200)
			w->failures++;
		json_decref(answer);
	}
	return NULL;
}

static void test_concurrent_changes_are_numbered_without_gaps(void **state)
{
	enum { THREADS = 4, EACH = 8, FIRST = 24 };
	struct worker workers[THREADS];
	pthread_t threads[THREADS];
	int64_t head = feed_head();
	bool seen[THREADS * EACH] = {false};
	const json_t *change;
	struct feed f;
	size_t i;

	(void)state;
	for (int t = 0; t < THREADS; t++) {
		workers[t] = (struct worker){FIRST + t * EACH, EACH, 0};
		assert_int_equal(pthread_create(&threads[t], NULL, suspend_many, &workers[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(threads[t], NULL);
		assert_int_equal(workers[t].failures, 0);
	}
	feed_read(head, 1000, &f);
	expect_gap_free(&f);
	assert_int_equal(json_array_size(f.changes), THREADS * EACH);
	json_array_foreach(f.changes, i, change)
	{
		int n = atoi(text(change, "document_number") + strlen("T-VALID-")) - FIRST;

		assert_true(n >= 0 && n < THREADS * EACH);
		assert_false(seen[n]);
		seen[n] = true;
		assert_string_equal(text(change, "status"), "suspended");
	}
	json_decref(f.changes);
}

static const json_t *only_document(const json_t *answer)
{
	const json_t *documents = json_object_get(answer, "documents");

	assert_int_equal(json_array_size(documents), 1);
	return json_array_get(documents, 0);
}

static void test_lookup_by_a_home_id_finds_the_linked_person(void **state)
{
	char body[100];
	json_t *answer;

	(void)state;
	/* the permit registry knows the alias: the permit held under the Polish id */
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", fx.alias);
	assert_int_equal(call(&fx.permits, "lookup", body, &answer), 200);
	assert_string_equal(text(only_document(answer), "document_number"), "T-LINKED");
	assert_string_equal(text(only_document(answer), "person_id"), fx.linked);
	assert_string_equal(text(only_document(answer), "status"), "valid");
	json_decref(answer);
	/* and by the Polish id itself */
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", fx.linked);
	assert_int_equal(call(&fx.permits, "lookup", body, &answer), 200);
	assert_string_equal(text(only_document(answer), "document_number"), "T-LINKED");
	json_decref(answer);
	/* an id of the other country that is nobody's alias: nothing */
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", fx.unlinked_alias);
	assert_int_equal(call(&fx.permits, "lookup", body, &answer), 200);
	assert_int_equal(json_array_size(json_object_get(answer, "documents")), 0);
	json_decref(answer);

	/* the student card registry does not know the alias: the same person's card
	 * is found by their Polish id only */
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", fx.alias);
	assert_int_equal(call(&fx.students, "lookup", body, &answer), 200);
	assert_int_equal(json_array_size(json_object_get(answer, "documents")), 0);
	json_decref(answer);
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", fx.linked);
	assert_int_equal(call(&fx.students, "lookup", body, &answer), 200);
	assert_string_equal(text(only_document(answer), "document_number"), "S-LINKED");
	json_decref(answer);
}

/* Every Ukrainian of the population who lives in Poland is found by their
 * RNOKPP at the permit registry, and nowhere else. */
static void test_lookup_finds_every_loaded_resident_by_home_id(void **state)
{
	struct hr_error err = {0};
	struct population *ua, *pl;
	struct population_person r;
	size_t residents = 0, students = 0;

	(void)state;
	OK(population_new("UA", POPULATION_SEED, POPULATION_TODAY, &ua, &err));
	OK(population_new("PL", POPULATION_SEED, POPULATION_TODAY, &pl, &err));
	for (uint64_t i = 0; i < POPULATION_UA; i++) {
		struct population_document docs[DOCUMENT_TYPE_COUNT];
		const json_t *doc;
		json_t *answer;
		char body[100];
		size_t n, k;
		bool student = false;

		if (!population_abroad(ua, pl, i, &r))
			continue;
		residents++;
		snprintf(body, sizeof(body), "{\"person\":\"%s\"}", r.home_id);
		assert_int_equal(call(&fx.permits, "lookup", body, &answer), 200);
		doc = only_document(answer);
		assert_string_equal(text(doc, "person_id"), r.id);
		assert_string_equal(text(doc, "nationality"), "UKR");
		json_decref(answer);
		n = population_documents(pl, &r, docs);
		for (k = 0; k < n; k++)
			student =
			    student || strcmp(document_types[docs[k].type], "student_card") == 0;
		if (!student)
			continue;
		students++;
		/* their student card: under the PESEL, not the RNOKPP */
		assert_int_equal(call(&fx.students, "lookup", body, &answer), 200);
		assert_int_equal(json_array_size(json_object_get(answer, "documents")), 0);
		json_decref(answer);
		snprintf(body, sizeof(body), "{\"person\":\"%s\"}", r.id);
		assert_int_equal(call(&fx.students, "lookup", body, &answer), 200);
		assert_string_equal(text(only_document(answer), "person_id"), r.id);
		json_decref(answer);
	}
	printf("    %zu residents found by their home id, %zu of them students\n", residents,
	       students);
	assert_true(residents > 50);
	assert_true(students > 0);
	population_free(ua);
	population_free(pl);
}

static void test_new_services_answer_only_the_gateway(void **state)
{
	const char *const calls[][2] = {
	    {"suspend", "{\"document_number\":\"T-VALID-006\",\"reason\":\"stranger\"}"},
	    {"reinstate", "{\"document_number\":\"T-SUSPENDED-PAST\"}"},
	    {"status-changes", "{\"since\":0}"},
	};
	char status[16];
	int64_t head = feed_head();

	(void)state;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		json_t *answer;

		assert_int_equal(call_as(&fx.permits, STRANGER, fx.stranger.signer, calls[i][0],
					 calls[i][1], &answer),
				 401);
		assert_non_null(error_code(answer));
		assert_string_equal(error_code(answer), "unauthorized");
		json_decref(answer);
	}
	assert_string_equal(status_of("T-VALID-006", status), "valid");
	assert_int_equal(feed_head(), head);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_suspends_a_valid_document_and_reinstates_it),
	    cmocka_unit_test(test_refuses_changes_the_status_does_not_allow),
	    cmocka_unit_test(test_suspend_requires_a_short_clean_reason),
	    cmocka_unit_test(test_report_lost_is_in_the_feed),
	    cmocka_unit_test(test_feed_pages_give_every_change_once),
	    cmocka_unit_test(test_concurrent_changes_are_numbered_without_gaps),
	    cmocka_unit_test(test_lookup_by_a_home_id_finds_the_linked_person),
	    cmocka_unit_test(test_lookup_finds_every_loaded_resident_by_home_id),
	    cmocka_unit_test(test_new_services_answer_only_the_gateway),
	};

	log_set_level(LOG_LEVEL_WARN);
	if (argc == 2 && strcmp(argv[1], "postgresql") == 0) {
		if ((fx.pg_url = tk_pg_url()) == NULL) {
			fprintf(stderr, "test_registry postgresql: no PostgreSQL server (run "
					"through ctest, whose pg.start fixture starts one); this "
					"is a failure, not a skip\n");
			return 1;
		}
		return cmocka_run_group_tests_name("registry.postgresql", tests, group_setup,
						   group_teardown);
	}
	return cmocka_run_group_tests_name("registry", tests, group_setup, group_teardown);
}
