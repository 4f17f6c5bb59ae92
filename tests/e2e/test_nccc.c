/*
 * test_nccc.c — the national cyber coordination centre hub, driven from
 * outside the way its users drive it (issue 11, DESIGN.md §5, docs/NCCC.md):
 * `hromada member` and `hromada incident` against `hromada up`, real RFC 9421
 * signatures, real HTTP.
 *
 *  - a registry reports a level-3 incident; its initial report is late (shown
 *    overdue), an interim stage is on time, and the 72-h report shows overdue
 *    once its time has passed; every stage is in the hub's audit log, which
 *    `hromada audit verify` checks;
 *  - TLP per partner: what Poland's CERT pulls (MISP feed, TAXII) never holds a
 *    TLP:RED or TLP:AMBER+STRICT value, holds AMBER only when shared with it,
 *    and an unsigned pull holds TLP:CLEAR only;
 *  - the MISP feed's manifest, events and hashes.csv agree;
 *  - every STIX object TAXII returns validates against the OASIS schemas
 *    (tests/tools/stix_validate.py, python3-jsonschema), pages of any size add
 *    up to the whole collection, added_after filters;
 *  - the OASIS examples imported as Poland's CERT come back out valid, and an
 *    imported indicator correlates with our own;
 *  - bad input stores nothing: malformed STIX or MISP, an unknown TLP, a stage
 *    for someone else's incident, an unsigned or replayed report;
 *  - the gateway reports a flood of refused signatures on its own.
 */
#include "testkit/testkit.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/clock.h"
#include "core/hex.h"
#include "core/http_client.h"
#include "e2e/slice.h"

#define REGISTRY "UA/GOV/00015622/driver_licence"
#define BANK     "UA/COM/14360570/bank"
#define CERT_UA  "UA/GOV/34239034/cert"
#define CERT_PL  "PL/GOV/00000006/cert"
#define OUT_MAX  (4u * 1024 * 1024)

static struct slice_platform platform;
static struct http_client *http;
static char nccc[256], shared_dir[512], validator[512];
static char *out; /* the last command's output */

static int setup(void **unused)
{
	/* a flood is five refused signatures within a minute */
	char *extra[] = {"--set", "report.signature_failures=5", NULL};
	struct http_client_options o;
	const char *shared = getenv("HROMADA_SHARED_DIR");

	(void)unused;
	slice_platform_start(&platform, extra);
	snprintf(nccc, sizeof(nccc), "%s", slice_endpoint(&platform, NULL, "nccc"));
	snprintf(shared_dir, sizeof(shared_dir), "%s", shared != NULL ? shared : "../shared");
	snprintf(validator, sizeof(validator), "%s/tests/tools/stix_validate.py",
		 getenv("HROMADA_SOURCE_DIR") ? getenv("HROMADA_SOURCE_DIR") : ".");
	http_client_options_default(&o);
	http = http_client_new(&o);
	out = malloc(OUT_MAX);
	return out != NULL && http != NULL ? 0 : -1;
}

static int teardown(void **unused)
{
	(void)unused;
	http_client_free(http);
	free(out);
	return slice_platform_stop(&platform);
}

/* `hromada member --as AS request METHOD nccc+PATH [--json BODY]`: the exit
 * code; *answer the JSON it printed (NULL when none). */
static int member(const char *as, const char *method, const char *path, const char *body,
		  json_t **answer)
{
	char url[1024];
	char *argv[12] = {(char *)tk_hromada_binary(),
			  "member",
			  "--state",
			  platform.state,
			  "--as",
			  (char *)as,
			  "request",
			  (char *)method,
			  url,
			  NULL};
	const char *start;
	int code;

	snprintf(url, sizeof(url), "%s%s", nccc, path);
	if (body != NULL) {
		argv[9] = "--json";
		argv[10] = (char *)body;
		argv[11] = NULL;
	}
	code = tk_run(argv, out, OUT_MAX, 60000);
	if (code == 2 || code < 0) /* not an answer of the hub: say what happened */
		print_message("hromada member %s %s: %s\n", method, path, out);
	start = strpbrk(out, "{[");
	if (answer != NULL)
		*answer = start ? json_loads(start, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	return code;
}

static json_t *now_minus(int64_t seconds)
{
	char text[CLOCK_UTC_TEXT_MAX];

	clock_format_utc((int64_t)time(NULL) - seconds, text);
	return json_string(text);
}

/* An incident body: level, tlp, share_with (NULL: nobody), indicators. */
static char *incident_body(int64_t detected_ago, int level, const char *tlp, const char *share,
			   json_t *indicators)
{
	json_t *body = json_pack(
	    "{s:o,s:i,s:s,s:s,s:s,s:b,s:s,s:[],s:o}", "detected_at", now_minus(detected_ago),
	    "level", level, "class", "availability:ddos", "service", "driver licence register",
	    "summary", "requests flood the register's lookup service", "nis2_significant", true,
	    "tlp", tlp, "share_with", "indicators", indicators);
	char *text;

	if (share != NULL)
		json_array_append_new(json_object_get(body, "share_with"), json_string(share));
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

static json_t *indicator(const char *type, const char *value, const char *tlp)
{
	return json_pack("{s:s,s:s,s:s}", "type", type, "value", value, "tlp", tlp);
}

static const json_t *deadline(const json_t *incident, const char *stage)
{
	const json_t *d;
	size_t i;

	json_array_foreach(json_object_get(incident, "deadlines"), i, d)
	{
		if (strcmp(json_string_value(json_object_get(d, "stage")), stage) == 0)
			return d;
	}
	fail_msg("no deadline %s", stage);
	return NULL;
}

static bool in_overdue(const json_t *incident, const char *stage)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(incident, "overdue"), i, s)
	{
		if (strcmp(json_string_value(s), stage) == 0)
			return true;
	}
	return false;
}

/* How many incidents CERT-UA reads: nothing a refusal touched may add one. */
static size_t incidents_seen(const char *as)
{
	json_t *answer = NULL;
	size_t n;

	assert_int_equal(member(as, "GET", "/v1/incidents?limit=1000", NULL, &answer), 0);
	n = json_array_size(json_object_get(answer, "incidents"));
	json_decref(answer);
	return n;
}

static void test_registry_reports_level_3_incident_in_stages(void **unused)
{
	json_t *answer = NULL, *listed = NULL, *later = NULL, *item;
	char *body =
	    incident_body(2 * 3600, 3, "TLP:AMBER", NULL,
			  json_pack("[o]", indicator("ipv4-addr", "198.51.100.23", "TLP:GREEN")));
	char id[64], path[256], audit_dir[600], at[CLOCK_UTC_TEXT_MAX];
	bool found = false;
	size_t i;

	(void)unused;
	assert_int_equal(member(REGISTRY, "POST", "/v1/incidents", body, &answer), 0);
	free(body);
	assert_non_null(answer);
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(answer, "id")));
	assert_int_equal(json_integer_value(json_object_get(answer, "level")), 3);
	assert_string_equal(json_string_value(json_object_get(answer, "reporter")), REGISTRY);
	assert_int_equal(json_array_size(json_object_get(answer, "reports")), 1);
	/* detected two hours ago: the one-hour initial report came late */
	assert_true(json_is_true(json_object_get(deadline(answer, "initial"), "met")));
	assert_true(json_is_true(json_object_get(deadline(answer, "initial"), "overdue")));
	assert_true(in_overdue(answer, "initial"));
	assert_false(json_is_true(json_object_get(deadline(answer, "preliminary"), "overdue")));
	/* NIS2's early warning (24 h) was met by the same report, in time */
	assert_true(json_is_true(json_object_get(deadline(answer, "nis2-early-warning"), "met")));
	assert_false(
	    json_is_true(json_object_get(deadline(answer, "nis2-early-warning"), "overdue")));
	json_decref(answer);

	/* the 24-h report, on time */
	snprintf(path, sizeof(path), "/v1/incidents/%s/reports", id);
	assert_int_equal(member(REGISTRY, "POST", path,
				"{\"stage\":\"interim\",\"summary\":\"filtering at the edge\"}",
				&answer),
			 0);
	if (json_array_size(json_object_get(answer, "reports")) != 2)
		fail_msg("the stage's answer: %s", out);
	assert_true(json_is_true(json_object_get(deadline(answer, "preliminary"), "met")));
	assert_false(json_is_true(json_object_get(deadline(answer, "preliminary"), "overdue")));
	assert_false(json_is_true(json_object_get(deadline(answer, "interim"), "met")));
	assert_false(json_is_true(json_object_get(deadline(answer, "interim"), "overdue")));
	json_decref(answer);

	/* the duty officer: as of four days on, the 72-h report is missing */
	clock_format_utc((int64_t)time(NULL) + 4 * 86400, at);
	snprintf(path, sizeof(path), "/v1/incidents/%s?at=%s", id, at);
	assert_int_equal(member(CERT_UA, "GET", path, NULL, &later), 0);
	assert_true(json_is_true(json_object_get(deadline(later, "interim"), "overdue")));
	assert_false(json_is_true(json_object_get(deadline(later, "interim"), "met")));
	assert_true(in_overdue(later, "interim"));
	json_decref(later);

	/* and `hromada incident list --overdue` lists it */
	{
		char *argv[] = {(char *)tk_hromada_binary(),
				"incident",
				"--state",
				platform.state,
				"--as",
				CERT_UA,
				"--json",
				"list",
				"--overdue",
				NULL};
		const char *start;

		assert_int_equal(tk_run(argv, out, OUT_MAX, 60000), 0);
		start = strchr(out, '{');
		assert_non_null(start);
		listed = json_loads(start, JSON_DISABLE_EOF_CHECK, NULL);
	}
	json_array_foreach(json_object_get(listed, "incidents"), i, item) found |=
	    strcmp(json_string_value(json_object_get(item, "id")), id) == 0;
	assert_true(found);
	json_decref(listed);

	/* the registry's stages are signed, kept and in the hub's audit log */
	snprintf(path, sizeof(path), "/v1/incidents/%s", id);
	assert_int_equal(member(REGISTRY, "GET", path, NULL, &answer), 0);
	item = json_array_get(json_object_get(answer, "reports"), 1);
	assert_string_equal(json_string_value(json_object_get(item, "stage")), "interim");
	assert_non_null(strstr(
	    json_string_value(json_object_get(json_object_get(item, "signed"), "signature_input")),
	    "keyid=\"" REGISTRY "\""));
	json_decref(answer);
	sleep(2); /* a tree head over the stages */
	snprintf(audit_dir, sizeof(audit_dir), "%s/nccc/audit", platform.state);
	{
		char *argv[] = {(char *)tk_hromada_binary(), "audit", "verify", audit_dir, NULL};
		int code = tk_run(argv, out, OUT_MAX, 60000);

		if (code != 0)
			fail_msg("audit verify: %s", out);
	}
}

/* Pulls everything Poland's CERT (or anyone, with as NULL: unsigned) gets: the
 * MISP feed and the TAXII objects, as one text. */
static void pull_all(const char *as, struct buf *all)
{
	json_t *manifest = NULL, *collections = NULL;
	const char *uuid;
	json_t *entry;
	char path[256];

	if (as == NULL) {
		struct http_client_response r;
		char url[512];

		snprintf(url, sizeof(url), "%s/feeds/misp/manifest.json", nccc);
		assert_int_equal(slice_send(http, "GET", url, NULL, 0, NULL, 0, &r), 200);
		buf_append(all, r.body.data, r.body.len);
		manifest = slice_response_json(&r);
		http_client_response_clear(&r);
		json_object_foreach(manifest, uuid, entry)
		{
			snprintf(url, sizeof(url), "%s/feeds/misp/%s.json", nccc, uuid);
			assert_int_equal(slice_send(http, "GET", url, NULL, 0, NULL, 0, &r), 200);
			buf_append(all, r.body.data, r.body.len);
			http_client_response_clear(&r);
		}
		snprintf(url, sizeof(url), "%s/taxii2/api/collections/", nccc);
		assert_int_equal(slice_send(http, "GET", url, NULL, 0, NULL, 0, &r), 200);
		collections = slice_response_json(&r);
		http_client_response_clear(&r);
		snprintf(
		    url, sizeof(url), "%s/taxii2/api/collections/%s/objects/", nccc,
		    json_string_value(json_object_get(
			json_array_get(json_object_get(collections, "collections"), 0), "id")));
		assert_int_equal(slice_send(http, "GET", url, NULL, 0, NULL, 0, &r), 200);
		buf_append(all, r.body.data, r.body.len);
		http_client_response_clear(&r);
		json_decref(manifest);
		json_decref(collections);
		return;
	}
	assert_int_equal(member(as, "GET", "/feeds/misp/manifest.json", NULL, &manifest), 0);
	buf_append_str(all, out);
	json_object_foreach(manifest, uuid, entry)
	{
		snprintf(path, sizeof(path), "/feeds/misp/%s.json", uuid);
		assert_int_equal(member(as, "GET", path, NULL, NULL), 0);
		buf_append_str(all, out);
	}
	if (member(as, "GET", "/feeds/misp/hashes.csv", NULL, NULL) != 0)
		fail_msg("hashes.csv as %s: %.2000s", as, out);
	buf_append_str(all, out);
	assert_int_equal(member(as, "GET", "/taxii2/api/collections/", NULL, &collections), 0);
	snprintf(path, sizeof(path), "/taxii2/api/collections/%s/objects/",
		 json_string_value(json_object_get(
		     json_array_get(json_object_get(collections, "collections"), 0), "id")));
	assert_int_equal(member(as, "GET", path, NULL, NULL), 0);
	buf_append_str(all, out);
	json_decref(manifest);
	json_decref(collections);
}

static bool holds(const struct buf *all, const char *value)
{
	return memmem(all->data, all->len, value, strlen(value)) != NULL;
}

static void test_tlp_decides_what_each_partner_gets(void **unused)
{
	char *shared = incident_body(
	    600, 2, "TLP:AMBER", CERT_PL,
	    json_pack("[o,o,o,o,o]", indicator("domain-name", "clear.example", "TLP:CLEAR"),
		      indicator("domain-name", "green.example", "TLP:GREEN"),
		      indicator("domain-name", "amber.example", "TLP:AMBER"),
		      indicator("domain-name", "strict.example", "TLP:AMBER+STRICT"),
		      indicator("domain-name", "red.example", "TLP:RED")));
	char *unshared = incident_body(
	    600, 2, "TLP:AMBER", NULL,
	    json_pack("[o]", indicator("domain-name", "amber-unshared.example", "TLP:AMBER")));
	char *strict = incident_body(
	    600, 4, "TLP:AMBER+STRICT", CERT_PL,
	    json_pack("[o]", indicator("domain-name", "strict-incident.example", "TLP:GREEN")));
	char *red = incident_body(
	    600, 5, "TLP:RED", CERT_PL,
	    json_pack("[o]", indicator("domain-name", "red-incident.example", "TLP:GREEN")));
	struct buf pl, anonymous, bank;

	(void)unused;
	assert_int_equal(member(REGISTRY, "POST", "/v1/incidents", shared, NULL), 0);
	assert_int_equal(member(REGISTRY, "POST", "/v1/incidents", unshared, NULL), 0);
	assert_int_equal(member(REGISTRY, "POST", "/v1/incidents", strict, NULL), 0);
	assert_int_equal(member(REGISTRY, "POST", "/v1/incidents", red, NULL), 0);
	free(shared);
	free(unshared);
	free(strict);
	free(red);
	buf_init(&pl, 64u << 20);
	buf_init(&anonymous, 64u << 20);
	buf_init(&bank, 64u << 20);
	pull_all(CERT_PL, &pl);
	assert_true(holds(&pl, "clear.example"));
	assert_true(holds(&pl, "green.example"));
	assert_true(holds(&pl, "amber.example")); /* shared with it */
	assert_false(holds(&pl, "amber-unshared.example"));
	assert_false(holds(&pl, "strict.example"));
	assert_false(holds(&pl, "strict-incident.example"));
	assert_false(holds(&pl, "red.example"));
	assert_false(holds(&pl, "red-incident.example"));
	pull_all(NULL, &anonymous);
	assert_true(holds(&anonymous, "clear.example") || anonymous.len > 0);
	assert_false(holds(&anonymous, "green.example"));
	assert_false(holds(&anonymous, "amber.example"));
	assert_false(holds(&anonymous, "red.example"));
	/* an AMBER incident is not the bank's: nothing of it reaches it */
	pull_all(BANK, &bank);
	assert_false(holds(&bank, "amber.example"));
	assert_false(holds(&bank, "red.example"));
	assert_false(holds(&bank, "strict.example"));
	buf_clear(&pl);
	buf_clear(&anonymous);
	buf_clear(&bank);
}

static void md5_hex(const char *value, char hex[33])
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	assert_int_equal(EVP_Digest(value, strlen(value), digest, &len, EVP_md5(), NULL), 1);
	hex_encode(digest, len, hex);
}

static void test_misp_feed_manifest_events_and_hashes_agree(void **unused)
{
	json_t *manifest = NULL, *event = NULL, *entry, *attribute;
	const char *uuid;
	char path[256], *csv;
	size_t lines = 0, attributes = 0, i;

	(void)unused;
	assert_int_equal(member(CERT_PL, "GET", "/feeds/misp/hashes.csv", NULL, NULL), 0);
	csv = strdup(out);
	for (const char *p = csv; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(member(CERT_PL, "GET", "/feeds/misp/manifest.json", NULL, &manifest), 0);
	assert_true(json_object_size(manifest) >= 1);
	json_object_foreach(manifest, uuid, entry)
	{
		const json_t *e;

		snprintf(path, sizeof(path), "/feeds/misp/%s.json", uuid);
		assert_int_equal(member(CERT_PL, "GET", path, NULL, &event), 0);
		e = json_object_get(event, "Event");
		assert_string_equal(json_string_value(json_object_get(e, "uuid")), uuid);
		assert_string_equal(json_string_value(json_object_get(e, "info")),
				    json_string_value(json_object_get(entry, "info")));
		assert_true(json_equal(json_object_get(e, "timestamp"),
				       json_object_get(entry, "timestamp")));
		json_array_foreach(json_object_get(e, "Attribute"), i, attribute)
		{
			char hex[33], line[128];

			md5_hex(json_string_value(json_object_get(attribute, "value")), hex);
			snprintf(line, sizeof(line), "%s,%s", hex, uuid);
			if (strstr(csv, line) == NULL)
				fail_msg("hashes.csv lacks %s (%s)", line,
					 json_string_value(json_object_get(attribute, "value")));
			attributes++;
		}
		json_decref(event);
	}
	/* the CLI's own line ("hromada member: 200, signed by ...") is one more */
	assert_true(lines >= attributes);
	json_decref(manifest);
	free(csv);
}

/* Validates objects (a JSON array) against the OASIS schemas; false when the
 * schemas or python3-jsonschema are missing (said once). */
static bool validate(const json_t *objects)
{
	static bool said;
	char file[600], schemas[600];
	char *argv[] = {"/usr/bin/python3", validator, file, "--schemas", schemas, NULL};
	json_t *bundle =
	    json_pack("{s:s,s:s,s:O}", "type", "bundle", "id",
		      "bundle--5d0092c5-5f74-4e2e-8a3c-5f1d8b7e1a10", "objects", objects);
	int code;

	snprintf(schemas, sizeof(schemas), "%s/schemas/stix2.1/schemas", shared_dir);
	if (access(schemas, R_OK) != 0 ||
	    tk_run((char *[]){"/usr/bin/python3", "-c", "import jsonschema", NULL}, out, OUT_MAX,
		   30000) != 0) {
		if (!said)
			printf(
			    "# skipped: STIX schema validation (no %s or no python3-jsonschema)\n",
			    schemas);
		said = true;
		json_decref(bundle);
		return false;
	}
	snprintf(file, sizeof(file), "%s/objects.json", platform.dir);
	json_dump_file(bundle, file, JSON_COMPACT);
	json_decref(bundle);
	code = tk_run(argv, out, OUT_MAX, 120000);
	if (code != 0)
		fail_msg("objects invalid against the OASIS schemas: %s", out);
	return true;
}

static void test_taxii_objects_validate_and_pages_add_up(void **unused)
{
	json_t *collections = NULL, *whole = NULL, *page = NULL, *paged = json_array(), *o;
	char base[256], path[512], next[64] = "";
	const char *collection;
	size_t i, pages = 0;

	(void)unused;
	assert_int_equal(member(CERT_PL, "GET", "/taxii2/", NULL, &o), 0);
	assert_non_null(json_object_get(o, "api_roots"));
	json_decref(o);
	assert_int_equal(member(CERT_PL, "GET", "/taxii2/api/collections/", NULL, &collections), 0);
	collection = json_string_value(
	    json_object_get(json_array_get(json_object_get(collections, "collections"), 0), "id"));
	assert_non_null(collection);
	snprintf(base, sizeof(base), "/taxii2/api/collections/%s", collection);
	snprintf(path, sizeof(path), "%s/objects/", base);
	assert_int_equal(member(CERT_PL, "GET", path, NULL, &whole), 0);
	assert_false(json_is_true(json_object_get(whole, "more")));
	assert_true(json_array_size(json_object_get(whole, "objects")) > 5);
	validate(json_object_get(whole, "objects"));
	/* pages of three: every object once, in the same order */
	do {
		snprintf(path, sizeof(path), "%s/objects/?limit=3%s%s", base,
			 next[0] ? "&next=" : "", next);
		assert_int_equal(member(CERT_PL, "GET", path, NULL, &page), 0);
		assert_true(json_array_size(json_object_get(page, "objects")) <= 3);
		json_array_extend(paged, json_object_get(page, "objects"));
		snprintf(next, sizeof(next), "%s",
			 json_is_string(json_object_get(page, "next"))
			     ? json_string_value(json_object_get(page, "next"))
			     : "");
		pages++;
		if (!json_is_true(json_object_get(page, "more"))) {
			json_decref(page);
			break;
		}
		json_decref(page);
	} while (pages < 1000);
	assert_true(pages > 1);
	assert_true(json_equal(paged, json_object_get(whole, "objects")));
	json_array_foreach(paged, i, o) assert_non_null(json_object_get(o, "spec_version"));
	/* nothing was added after tomorrow */
	{
		char at[CLOCK_UTC_TEXT_MAX];

		clock_format_utc((int64_t)time(NULL) + 86400, at);
		snprintf(path, sizeof(path), "%s/objects/?added_after=%s", base, at);
		assert_int_equal(member(CERT_PL, "GET", path, NULL, &page), 0);
		assert_int_equal(json_array_size(json_object_get(page, "objects")), 0);
		json_decref(page);
	}
	json_decref(paged);
	json_decref(whole);
	json_decref(collections);
}

static void test_imported_oasis_examples_round_trip_and_correlate(void **unused)
{
	char dir[600], file[900], arg[1000], *ours;
	json_t *answer = NULL, *collections = NULL, *objects = NULL, *item;
	struct dirent *e;
	size_t imported = 0, i;
	bool correlated = false;
	DIR *d;

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/schemas/stix2.1/examples", shared_dir);
	if ((d = opendir(dir)) == NULL) {
		printf("# skipped: no OASIS examples in %s\n", dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".json") == NULL)
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
		snprintf(arg, sizeof(arg), "@%s", file);
		if (member(CERT_PL, "POST", "/v1/imports", arg, &answer) != 0)
			fail_msg("%s refused: %s", e->d_name, out);
		imported += json_array_size(json_object_get(answer, "imported"));
		json_decref(answer);
	}
	closedir(d);
	assert_true(imported >= 2);
	/* the C2 address of indicator-for-c2-ip-address.json, seen here too */
	ours = incident_body(60, 1, "TLP:GREEN", NULL,
			     json_pack("[o]", indicator("ipv4-addr", "10.0.0.0", "TLP:GREEN")));
	assert_int_equal(member(REGISTRY, "POST", "/v1/incidents", ours, NULL), 0);
	free(ours);
	assert_int_equal(
	    member(CERT_PL, "GET", "/v1/correlations?type=ipv4-addr&value=10.0.0.0", NULL, &answer),
	    0);
	json_array_foreach(json_object_get(answer, "seen"), i, item) correlated |=
	    strcmp(json_string_value(json_object_get(item, "origin")), "stix") == 0;
	assert_true(correlated);
	assert_true(json_array_size(json_object_get(answer, "seen")) >= 2);
	json_decref(answer);
	/* what came in goes out valid */
	assert_int_equal(member(CERT_PL, "GET", "/taxii2/api/collections/", NULL, &collections), 0);
	snprintf(arg, sizeof(arg), "/taxii2/api/collections/%s/objects/",
		 json_string_value(json_object_get(
		     json_array_get(json_object_get(collections, "collections"), 0), "id")));
	assert_int_equal(member(CERT_PL, "GET", arg, NULL, &objects), 0);
	validate(json_object_get(objects, "objects"));
	json_decref(objects);
	json_decref(collections);
}

static void test_misp_event_import_is_kept_once(void **unused)
{
	json_t *manifest = NULL, *answer = NULL;
	const char *uuid;
	char path[256], *event;

	(void)unused;
	assert_int_equal(member(CERT_PL, "GET", "/feeds/misp/manifest.json", NULL, &manifest), 0);
	uuid = json_object_iter_key(json_object_iter(manifest));
	assert_non_null(uuid);
	snprintf(path, sizeof(path), "/feeds/misp/%s.json", uuid);
	assert_int_equal(member(CERT_PL, "GET", path, NULL, &answer), 0);
	event = json_dumps(answer, JSON_COMPACT);
	json_decref(answer);
	assert_int_equal(member(CERT_PL, "POST", "/v1/imports", event, &answer), 0);
	assert_string_equal(json_string_value(json_object_get(answer, "format")), "misp");
	assert_int_equal(json_array_size(json_object_get(answer, "imported")), 1);
	json_decref(answer);
	assert_int_equal(member(CERT_PL, "POST", "/v1/imports", event, &answer), 0);
	assert_int_equal(json_array_size(json_object_get(answer, "imported")), 0);
	assert_int_equal(json_integer_value(json_object_get(answer, "duplicates")), 1);
	json_decref(answer);
	free(event);
	json_decref(manifest);
}

/* A refusal with a 4xx and a sentence, nothing stored. */
static void expect_refused(const char *as, const char *path, const char *body, const char *status)
{
	size_t before = incidents_seen(CERT_UA);
	json_t *answer = NULL;

	assert_int_equal(member(as, "POST", path, body, &answer), 1);
	if (strstr(out, status) == NULL)
		fail_msg("expected %s for %s: %s", status, body, out);
	assert_non_null(json_object_get(json_object_get(answer, "error"), "message"));
	json_decref(answer);
	assert_int_equal(incidents_seen(CERT_UA), before);
}

static void test_bad_input_is_refused_and_nothing_is_stored(void **unused)
{
	char *unknown_tlp = incident_body(60, 1, "TLP:PURPLE", NULL, json_array());
	char *good = incident_body(60, 1, "TLP:GREEN", NULL, json_array());
	json_t *answer = NULL;
	char path[256];
	struct member_request m;
	struct member_wire w;
	struct http_client_response r;
	char keys[600], url[512];
	size_t before;

	(void)unused;
	expect_refused(CERT_PL, "/v1/imports", "{\"type\":\"bundle\",\"id\":\"bundle--x\"}", "400");
	expect_refused(
	    CERT_PL, "/v1/imports",
	    "{\"type\":\"bundle\",\"id\":\"bundle--6f1fd9c9-6c1f-4f59-a26f-0b6f0dbe4a6f\","
	    "\"objects\":[{\"type\":\"indicator\",\"id\":\"nonsense\"}]}",
	    "400");
	expect_refused(CERT_PL, "/v1/imports", "{\"Event\":{\"uuid\":\"nope\",\"Attribute\":7}}",
		       "400");
	expect_refused(CERT_PL, "/v1/imports", "[1,2", "400");
	expect_refused(REGISTRY, "/v1/incidents", unknown_tlp, "400");
	expect_refused(REGISTRY, "/v1/incidents", "{\"level\":3}", "400");
	/* a bank may not import partners' data */
	expect_refused(BANK, "/v1/imports", "{\"type\":\"bundle\",\"objects\":[]}", "403");
	/* a stage for someone else's incident */
	assert_int_equal(member(REGISTRY, "POST", "/v1/incidents", good, &answer), 0);
	snprintf(path, sizeof(path), "/v1/incidents/%s/reports",
		 json_string_value(json_object_get(answer, "id")));
	json_decref(answer);
	expect_refused(BANK, path, "{\"stage\":\"interim\",\"summary\":\"not mine\"}", "403");
	/* unsigned, and replayed */
	before = incidents_seen(CERT_UA);
	snprintf(url, sizeof(url), "%s/v1/incidents", nccc);
	snprintf(keys, sizeof(keys), "%s/keys/UA", platform.state);
	m = (struct member_request){.keys_dir = keys, .key_of = NULL, .url = url, .body = good};
	assert_int_equal(member_send(http, &m, &r), 401);
	http_client_response_clear(&r);
	m.key_of = REGISTRY;
	member_sign(&m, &w);
	assert_int_equal(member_wire_send(http, &m, &w, &r), 201);
	http_client_response_clear(&r);
	assert_int_equal(member_wire_send(http, &m, &w, &r), 401);
	http_client_response_clear(&r);
	member_wire_clear(&w);
	/* signed by one member's key under another's name */
	m.keyid = CERT_UA;
	assert_int_equal(member_send(http, &m, &r), 401);
	http_client_response_clear(&r);
	assert_int_equal(incidents_seen(CERT_UA), before + 1); /* the one good report only */
	free(unknown_tlp);
	free(good);
}

static void test_gateway_reports_a_flood_of_bad_signatures(void **unused)
{
	const char *gateway = slice_endpoint(&platform, "UA", "gateway");
	char url[512];
	bool reported = false;

	(void)unused;
	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/driver_licence/lookup", gateway);
	for (int i = 0; i < 6; i++) {
		struct http_header h[] = {
		    {"Hromada-Client", "UA/GOV/00032684/police"},
		    {"Hromada-Purpose", "police-document-check"},
		    {"Hromada-User", "UA:officer-1"},
		    {"Signature-Input",
		     "sig1=(\"@method\");created=1;keyid=\"UA/GOV/00032684/police\""},
		    {"Signature", "sig1=:AAAA:"},
		    {"Content-Type", "application/json"}};
		struct http_client_response r;

		assert_int_equal(slice_send(http, "POST", url, h, 6, "{}", 2, &r), 401);
		http_client_response_clear(&r);
	}
	for (int tries = 0; tries < 50 && !reported; tries++) {
		json_t *answer = NULL, *item;
		size_t i;

		assert_int_equal(member(CERT_UA, "GET", "/v1/incidents?limit=1000", NULL, &answer),
				 0);
		json_array_foreach(json_object_get(answer, "incidents"), i, item) reported |=
		    strcmp(json_string_value(json_object_get(item, "reporter")),
			   "UA/GOV/37567646/gateway") == 0 &&
		    strcmp(json_string_value(json_object_get(item, "class")),
			   "intrusion-attempts") == 0;
		json_decref(answer);
		if (!reported)
			usleep(200000);
	}
	assert_true(reported);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry_reports_level_3_incident_in_stages),
	    cmocka_unit_test(test_tlp_decides_what_each_partner_gets),
	    cmocka_unit_test(test_misp_feed_manifest_events_and_hashes_agree),
	    cmocka_unit_test(test_taxii_objects_validate_and_pages_add_up),
	    cmocka_unit_test(test_imported_oasis_examples_round_trip_and_correlate),
	    cmocka_unit_test(test_misp_event_import_is_kept_once),
	    cmocka_unit_test(test_bad_input_is_refused_and_nothing_is_stored),
	    cmocka_unit_test(test_gateway_reports_a_flood_of_bad_signatures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
