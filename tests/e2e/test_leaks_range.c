/*
 * test_leaks_range.c — "was my data leaked" end to end (issue 12 part 4,
 * DESIGN.md §5 and §7, docs/LEAKS.md): `hromada up`, the nccc's range
 * service, the wallet's GET /v1/leaks, real RFC 9421 signatures, DPoP and
 * consent, real HTTP.
 *
 *  - CERT-UA publishes a dump's tags (two demo citizens' tags, computed with
 *    STATE/UA/leak/range.key as leakscan computes them, and 500 random ones);
 *    publishing again adds nothing, a later call widens the fields and moves
 *    first_seen earlier;
 *  - a citizen in the dump sees {"leaks": [{"dump", "first_seen", "fields"}]}
 *    in the wallet, one not in it {"leaks": []}, both answers the same length;
 *  - every range answer is 32768 bytes with 32 entries whatever the range
 *    holds (none, one, 40: then 64 entries in the same bytes), the same bytes
 *    when asked twice, and the hub's log keeps no prefix;
 *  - only CERTs and the hub's own organisation publish (a bank: 403), only
 *    wallets ask (a bank, a CERT: 403; unsigned: 401);
 *  - malformed publications and ranges are refused by name, nothing kept;
 *  - the wallet needs DPoP and a consent covering leaks; a wallet without
 *    [leaks] answers 503 not_configured, one whose range service is down 503.
 */
#include "testkit/testkit.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "core/http_client.h"
#include "core/json.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "e2e/slice.h"
#include "exchange/member.h"
#include "exchange/replay.h"
#include "leak/leak_range.h"
#include "leak/leak_tag.h"
#include "platform/country.h"

#define CERT_UA   "UA/GOV/34239034/cert"
#define CERT_PL   "PL/GOV/00000006/cert"
#define BANK      "UA/COM/14360570/bank"
#define WALLET_UA "UA/GOV/43395033/wallet"
#define WALLET_PL "PL/GOV/00000001/wallet"
#define NCCC      "UA/GOV/00000100/nccc"
#define DUMP_NAME "Demo register dump"
#define CROWD     "abcde" /* a range published beyond its entry class */
#define OUT_MAX   (1u << 20)

static struct slice_platform platform;
static struct http_client *http;
static char nccc_url[256], *out;
static uint8_t range_key[SECRET_LEN];
static char in_dump[2][16], not_in_dump[16];
static char tag_in[LEAK_TAG_HEX_LEN + 1];

static int setup(void **unused)
{
	struct http_client_options o;
	struct hr_error err = {0};
	const json_t *ua;
	char path[600];

	(void)unused;
	slice_platform_start(&platform, NULL);
	snprintf(nccc_url, sizeof(nccc_url), "%s", slice_endpoint(&platform, NULL, "nccc"));
	http_client_options_default(&o);
	http = http_client_new(&o);
	out = malloc(OUT_MAX);
	/* the key leakscan reads: up made it for the wallet */
	snprintf(path, sizeof(path), "%s/UA/" LEAK_DIR "/" LEAK_RANGE_KEY, platform.state);
	if (access(path, R_OK) != 0 || secret_load_or_create(path, range_key, &err) != HR_OK)
		return -1;
	ua = json_object_get(platform.demo, "UA");
	if (json_array_size(ua) < 3)
		return -1;
	for (int i = 0; i < 2; i++)
		snprintf(
		    in_dump[i], sizeof(in_dump[i]), "%s",
		    json_string_value(json_object_get(json_array_get(ua, (size_t)i), "person")));
	snprintf(not_in_dump, sizeof(not_in_dump), "%s",
		 json_string_value(json_object_get(json_array_get(ua, 2), "person")));
	if (leak_tag_hex(range_key, in_dump[0], tag_in) != HR_OK)
		return -1;
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
 * code (0 2xx, 1 refused); out holds what it printed, status line included. */
static int member(const char *as, const char *method, const char *path, const char *body,
		  json_t **answer)
{
	char url[1024], file[400];
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

	snprintf(url, sizeof(url), "%s%s", nccc_url, path);
	if (body != NULL) {
		argv[9] = "--json";
		argv[10] = (char *)body;
		if (strlen(body) > 64 * 1024) { /* beyond what one argument may hold */
			snprintf(file, sizeof(file), "@%s/body.json", platform.dir);
			assert_true(tk_write_file(file + 1, body));
			argv[10] = file;
		}
	}
	code = tk_run(argv, out, OUT_MAX, 60000);
	if (code == 2 || code < 0)
		print_message("hromada member %s %s: %s\n", method, path, out);
	start = strchr(out, '{');
	if (answer != NULL)
		*answer = start ? json_loads(start, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	return code;
}

/* A random tag in range prefix (NULL: anywhere). */
static void random_tag(const char *prefix, char hex[LEAK_TAG_HEX_LEN + 1])
{
	unsigned char bytes[LEAK_TAG_LEN];

	assert_int_equal(RAND_bytes(bytes, sizeof(bytes)), 1);
	for (size_t i = 0; i < LEAK_TAG_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	if (prefix != NULL)
		memcpy(hex, prefix, LEAK_RANGE_PREFIX_HEX);
}

/* A publication body: dump id, first_seen, fields (JSON), tags. The caller frees. */
static char *publication(const char *id, const char *first_seen, const char *fields, json_t *tags)
{
	json_t *body = json_pack("{s:{s:s,s:s,s:s,s:o},s:o}", "dump", "id", id, "name", DUMP_NAME,
				 "first_seen", first_seen, "fields", json_loads(fields, 0, NULL),
				 "tags", tags);
	char *text = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	return text;
}

/* GET /v1/leaks as d: the status; *answer the JSON, *len the body's bytes. */
static long leaks_of(struct device *d, bool consent, const char *doc, json_t **answer, size_t *len)
{
	struct http_client_response r;
	struct http_header headers[3];
	struct buf proof, token;
	char url[512], auth[2200];
	size_t h = 0;
	long status;

	buf_init(&proof, 4096);
	buf_init(&token, 4096);
	snprintf(url, sizeof(url), "%s/v1/leaks", d->wallet);
	device_proof(d, "GET", url, d->token, (int64_t)time(NULL), &proof);
	snprintf(auth, sizeof(auth), "DPoP %s", d->token);
	headers[h++] = (struct http_header){"Authorization", auth};
	headers[h++] = (struct http_header){"DPoP", buf_str(&proof)};
	if (consent) {
		device_consent(d, &(struct consent_claims){.doc = doc}, &token);
		headers[h++] = (struct http_header){"Hromada-Consent", buf_str(&token)};
	}
	status = slice_send(http, "GET", url, headers, h, NULL, 0, &r);
	*answer = slice_response_json(&r);
	if (len != NULL)
		*len = r.body.len;
	http_client_response_clear(&r);
	buf_clear(&proof);
	buf_clear(&token);
	return status;
}

static void test_a_citizen_in_a_dump_sees_it_and_one_not_in_it_does_not(void **unused)
{
	json_t *tags = json_array(), *answer = NULL, *leak;
	char hex[LEAK_TAG_HEX_LEN + 1], *body;
	struct device a, b, c;
	size_t len_in, len_out;

	(void)unused;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(leak_tag_hex(range_key, in_dump[i], hex), HR_OK);
		json_array_append_new(tags, json_string(hex));
	}
	for (int i = 0; i < 500; i++) {
		random_tag(NULL, hex);
		json_array_append_new(tags, json_string(hex));
	}
	body = publication("e2e-dump-1", "2026-11-01T00:00:00Z", "[\"family_name\",\"birth_date\"]",
			   tags);
	assert_int_equal(member(CERT_UA, "POST", "/v1/leaks", body, &answer), 0);
	assert_non_null(strstr(out, "hromada member: 201"));
	assert_int_equal(json_integer_value(json_object_get(answer, "added")), 502);
	json_decref(answer);
	/* the same call again adds nothing */
	assert_int_equal(member(CERT_UA, "POST", "/v1/leaks", body, &answer), 0);
	assert_non_null(strstr(out, "hromada member: 200"));
	assert_int_equal(json_integer_value(json_object_get(answer, "added")), 0);
	assert_int_equal(json_integer_value(json_object_get(answer, "known")), 502);
	json_decref(answer);
	free(body);
	/* a later call about the same dump: one more field, seen earlier */
	body = publication("e2e-dump-1", "2026-10-15T00:00:00Z", "[\"document_number\"]",
			   json_pack("[s]", tag_in));
	assert_int_equal(member(CERT_UA, "POST", "/v1/leaks", body, &answer), 0);
	assert_int_equal(json_integer_value(json_object_get(answer, "known")), 1);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(answer, "dump"), "tags")), 502);
	json_decref(answer);
	free(body);

	device_init(&a, in_dump[0], slice_endpoint(&platform, "UA", "wallet"));
	device_init(&b, in_dump[1], slice_endpoint(&platform, "UA", "wallet"));
	device_init(&c, not_in_dump, slice_endpoint(&platform, "UA", "wallet"));
	device_enrol(&a, http, platform.state);
	device_enrol(&b, http, platform.state);
	device_enrol(&c, http, platform.state);

	assert_int_equal(leaks_of(&a, true, NULL, &answer, &len_in), 200);
	assert_int_equal(json_array_size(json_object_get(answer, "leaks")), 1);
	leak = json_array_get(json_object_get(answer, "leaks"), 0);
	assert_int_equal(json_object_size(leak), 3);
	assert_string_equal(json_string_value(json_object_get(leak, "dump")), DUMP_NAME);
	assert_string_equal(json_string_value(json_object_get(leak, "first_seen")),
			    "2026-10-15T00:00:00Z");
	{
		json_t *want = json_pack("[s,s,s]", "birth_date", "document_number", "family_name");

		assert_true(json_equal(json_object_get(leak, "fields"), want));
		json_decref(want);
	}
	json_decref(answer);
	assert_int_equal(leaks_of(&b, true, NULL, &answer, NULL), 200);
	assert_int_equal(json_array_size(json_object_get(answer, "leaks")), 1);
	json_decref(answer);
	assert_int_equal(leaks_of(&c, true, NULL, &answer, &len_out), 200);
	{
		json_t *none = json_pack("{s:[]}", "leaks");

		assert_true(json_equal(answer, none));
		json_decref(none);
	}
	json_decref(answer);
	/* the wallet's answer says nothing by its length */
	assert_int_equal(len_in, len_out);
	assert_int_equal(len_in % 4096, 0);

	/* DPoP and consent, as every citizen call */
	assert_int_equal(leaks_of(&c, false, NULL, &answer, NULL), 403);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(answer, "error"), "code")),
	    "consent_required");
	json_decref(answer);
	assert_int_equal(leaks_of(&c, true, "driver_licence", &answer, NULL), 403);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(answer, "error"), "code")),
	    "consent_invalid");
	json_decref(answer);
	assert_int_equal(
	    device_call(&c, http, "GET", "/v1/leaks", NULL, true, "not-a-proof", NULL, 0, &answer),
	    401);
	json_decref(answer);
	device_clear(&a);
	device_clear(&b);
	device_clear(&c);
}

/* A signed GET of a range as member as: the status; the body's bytes in *body. */
static long range_as(const char *as, const char *prefix, struct buf *body)
{
	char keys[600], dir[700], key[800], cert[800], url[512];
	struct http_client_response r;
	struct member_identity self;
	struct signer *signer = NULL;
	struct replay_cache *nonces = replay_cache_new(1024);
	EVP_PKEY *hub = NULL;
	struct hr_error err = {0};
	long status;

	snprintf(keys, sizeof(keys), "%s/keys/%.2s", platform.state, as);
	country_member_dir(keys, as, dir, sizeof(dir));
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	assert_int_equal(signer_open_files(key, cert, &signer, &err), HR_OK);
	snprintf(cert, sizeof(cert), "%s/keys/UA/members/UA_GOV_00000100_nccc/cert.pem",
		 platform.state);
	assert_int_equal(signer_cert_public_key_file(cert, &hub, &err), HR_OK);
	self = (struct member_identity){as, signer, NULL};
	snprintf(url, sizeof(url), "%s/v1/leaks/range/%s", nccc_url, prefix);
	http_client_response_init(&r);
	if (member_call_post(
		http, &self,
		&(struct member_call){.url = url, .method = "GET", .timeout_ms = 10000}, NCCC, hub,
		nonces, (int64_t)time(NULL), &r, &err) != HR_OK)
		fail_msg("GET %s as %s: %s", url, as, err.message);
	status = r.status;
	buf_reset(body);
	buf_append(body, r.body.data, r.body.len);
	http_client_response_clear(&r);
	replay_cache_free(nonces);
	EVP_PKEY_free(hub);
	signer_free(signer);
	return status;
}

static size_t entries_of(const struct buf *body, const char *prefix)
{
	json_t *answer = NULL;
	size_t n;

	assert_int_equal(hr_json_parse(body->data, body->len, &answer, NULL), HR_OK);
	assert_string_equal(json_string_value(json_object_get(answer, "prefix")), prefix);
	n = json_array_size(json_object_get(answer, "entries"));
	json_decref(answer);
	return n;
}

static void test_every_range_answer_has_one_length(void **unused)
{
	json_t *tags = json_array(), *answer = NULL;
	char hex[LEAK_TAG_HEX_LEN + 1], mine[LEAK_RANGE_PREFIX_HEX + 1], *body, *log;
	char empty[LEAK_RANGE_PREFIX_HEX + 1] = "00000", pattern[64];
	struct buf one, two;
	const char *const ranges[] = {mine, CROWD, empty, "fffff"};

	(void)unused;
	/* 40 people of one range: more than an answer's 32 entries */
	for (int i = 0; i < 40; i++) {
		random_tag(CROWD, hex);
		json_array_append_new(tags, json_string(hex));
	}
	body = publication("e2e-crowd", "2026-09-01T00:00:00Z", "[\"email\",\"password\"]", tags);
	assert_int_equal(member(CERT_UA, "POST", "/v1/leaks", body, &answer), 0);
	assert_int_equal(json_integer_value(json_object_get(answer, "added")), 40);
	json_decref(answer);
	free(body);

	snprintf(mine, sizeof(mine), "%.5s", tag_in);
	buf_init(&one, LEAK_RANGE_ANSWER_MAX);
	buf_init(&two, LEAK_RANGE_ANSWER_MAX);
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		assert_int_equal(range_as(WALLET_UA, ranges[i], &one), 200);
		if (one.len != LEAK_RANGE_BYTES_DEFAULT)
			fail_msg("range %s: %zu bytes", ranges[i], one.len);
		assert_int_equal(entries_of(&one, ranges[i]),
				 strcmp(ranges[i], CROWD) == 0 ? 64 : 32);
		/* asked again: the same bytes, so decoys cannot be told by comparing */
		assert_int_equal(range_as(WALLET_UA, ranges[i], &two), 200);
		assert_int_equal(two.len, one.len);
		assert_memory_equal(two.data, one.data, one.len);
	}
	/* the citizen's suffix is in its range */
	assert_int_equal(range_as(WALLET_UA, mine, &one), 200);
	assert_non_null(strstr(buf_str(&one), tag_in + LEAK_RANGE_PREFIX_HEX));
	/* another country's wallet asks the same hub */
	assert_int_equal(range_as(WALLET_PL, CROWD, &one), 200);
	assert_int_equal(one.len, LEAK_RANGE_BYTES_DEFAULT);
	buf_clear(&one);
	buf_clear(&two);
	/* the hub's log keeps the route, never a prefix */
	log = tk_read_file(platform.logfile, NULL);
	assert_non_null(log);
	assert_non_null(strstr(log, "path=/v1/leaks/range/{prefix}"));
	snprintf(pattern, sizeof(pattern), "/v1/leaks/range/%s", mine);
	assert_null(strstr(log, pattern));
	assert_null(strstr(log, "/v1/leaks/range/" CROWD));
	free(log);
}

static void test_only_certs_publish_and_only_wallets_ask(void **unused)
{
	struct buf body;
	struct http_client_response r;
	char url[512], *pub, hex[LEAK_TAG_HEX_LEN + 1];

	(void)unused;
	random_tag(NULL, hex);
	pub = publication("e2e-rights", "2026-11-01T00:00:00Z", "[\"family_name\"]",
			  json_pack("[s]", hex));
	assert_int_equal(member(BANK, "POST", "/v1/leaks", pub, NULL), 1);
	assert_non_null(strstr(out, "hromada member: 403"));
	/* Poland's CERT publishes for its people, the hub's own organisation too */
	assert_int_equal(member(CERT_PL, "POST", "/v1/leaks", pub, NULL), 0);
	assert_int_equal(member(NCCC, "POST", "/v1/leaks", pub, NULL), 0);
	free(pub);

	buf_init(&body, LEAK_RANGE_ANSWER_MAX);
	assert_int_equal(range_as(BANK, CROWD, &body), 403);
	assert_int_equal(range_as(CERT_UA, CROWD, &body), 403);
	assert_null(strstr(buf_str(&body), "entries"));
	buf_clear(&body);
	snprintf(url, sizeof(url), "%s/v1/leaks/range/" CROWD, nccc_url);
	assert_int_equal(slice_send(http, "GET", url, NULL, 0, NULL, 0, &r), 401);
	http_client_response_clear(&r);
}

static void test_malformed_input_is_refused_and_nothing_kept(void **unused)
{
	json_t *many = json_array();
	char hex[LEAK_TAG_HEX_LEN + 1], *body;
	struct buf answer;
	const char *bad[] = {
	    "{\"dump\":{\"id\":\"e2e-bad\",\"name\":\"x\",\"first_seen\":\"2026-11-01T00:00:00Z\","
	    "\"fields\":[\"family_name\"]},\"tags\":[\"XYZ\"]}",
	    "{\"dump\":{\"id\":\"e2e-bad\",\"name\":\"x\",\"first_seen\":\"2026-11-01T00:00:00Z\","
	    "\"fields\":[\"family_name\"]},\"tags\":[],\"rows\":3}",
	    "{\"dump\":{\"id\":\"e2e bad\",\"name\":\"x\",\"first_seen\":\"2026-11-01T00:00:00Z\","
	    "\"fields\":[\"family_name\"]},\"tags\":[]}",
	    "{\"dump\":{\"id\":\"e2e-bad\",\"name\":\"x\",\"first_seen\":\"soon\","
	    "\"fields\":[\"family_name\"]},\"tags\":[]}",
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *refusal = NULL;

		assert_int_equal(member(CERT_UA, "POST", "/v1/leaks", bad[i], &refusal), 1);
		if (strstr(out, "hromada member: 400") == NULL)
			fail_msg("expected 400 for %s: %s", bad[i], out);
		assert_non_null(json_string_value(
		    json_object_get(json_object_get(refusal, "error"), "message")));
		json_decref(refusal);
	}
	for (int i = 0; i <= LEAK_RANGE_TAGS_MAX; i++) {
		random_tag(NULL, hex);
		json_array_append_new(many, json_string(hex));
	}
	body = publication("e2e-bad", "2026-11-01T00:00:00Z", "[\"family_name\"]", many);
	assert_int_equal(member(CERT_UA, "POST", "/v1/leaks", body, NULL), 1);
	assert_non_null(strstr(out, "at most 10000"));
	free(body);
	/* none of it was kept: the dump is new now */
	body = publication("e2e-bad", "2026-11-01T00:00:00Z", "[\"family_name\"]", json_array());
	assert_int_equal(member(CERT_UA, "POST", "/v1/leaks", body, NULL), 0);
	assert_non_null(strstr(out, "hromada member: 201"));
	free(body);
	buf_init(&answer, LEAK_RANGE_ANSWER_MAX);
	assert_int_equal(range_as(WALLET_UA, "abcd", &answer), 400);
	assert_int_equal(range_as(WALLET_UA, "abcdz", &answer), 400);
	assert_int_equal(range_as(WALLET_UA, "abcdef", &answer), 400);
	buf_clear(&answer);
}

/* `hromada serve wallet` with UA's wallet settings, its own state and port,
 * and [leaks] as given (NULL: none). Its URL in url; the pid. */
static pid_t serve_wallet(const char *leaks, const char *name, char *url, size_t size)
{
	char ini[720], log_path[720], dir[700], line[1024], *argv[6];
	char original[700];
	FILE *in, *f;
	pid_t pid;

	snprintf(original, sizeof(original), "%s/UA/wallet/hromada.ini", platform.state);
	snprintf(dir, sizeof(dir), "%s/%s", platform.dir, name);
	snprintf(ini, sizeof(ini), "%s.ini", dir);
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	in = fopen(original, "r");
	f = fopen(ini, "w");
	assert_non_null(in);
	assert_non_null(f);
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "[leaks]", 7) == 0)
			break;
		if (strncmp(line, "state_dir", 9) == 0)
			fprintf(f, "state_dir = %s\n", dir);
		else if (strncmp(line, "listen", 6) == 0)
			fprintf(f, "listen = 127.0.0.1:0\n");
		else
			fputs(line, f);
	}
	if (leaks != NULL)
		fprintf(f, "[leaks]\n%s", leaks);
	fclose(in);
	fclose(f);
	argv[0] = (char *)tk_hromada_binary();
	argv[1] = "serve";
	argv[2] = "wallet";
	argv[3] = "--config";
	argv[4] = ini;
	argv[5] = NULL;
	pid = tk_spawn(argv, log_path);
	assert_true(pid > 0);
	for (int waited = 0; waited < 20000; waited += 100) {
		char *text = tk_read_file(log_path, NULL);
		const char *at = text ? strstr(text, "listening on ") : NULL;

		if (at != NULL) {
			snprintf(url, size, "%.*s", (int)strcspn(at + 13, "\n"), at + 13);
			free(text);
			return pid;
		}
		free(text);
		usleep(100000);
	}
	fail_msg("the second wallet did not start: %s", log_path);
	return pid;
}

static void stop(pid_t pid)
{
	int code = -1;

	kill(pid, SIGTERM);
	assert_true(tk_wait_exit(pid, 10000, &code));
	assert_int_equal(code, 0);
}

static void test_a_wallet_without_the_service_says_so(void **unused)
{
	char url[256], leaks[2048];
	struct device d;
	json_t *answer = NULL;
	pid_t pid;

	(void)unused;
	pid = serve_wallet(NULL, "wallet-without-leaks", url, sizeof(url));
	device_init(&d, not_in_dump, url);
	device_enrol(&d, http, platform.state);
	assert_int_equal(leaks_of(&d, true, NULL, &answer, NULL), 503);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(answer, "error"), "code")),
	    "not_configured");
	json_decref(answer);
	device_clear(&d);
	stop(pid);

	/* the range service down: 503, and the wallet carries on */
	snprintf(leaks, sizeof(leaks),
		 "range_key = %s/UA/leak/range.key\nnccc_url = http://127.0.0.1:9\n"
		 "nccc_id = " NCCC "\n"
		 "nccc_certificate = %s/keys/UA/members/UA_GOV_00000100_nccc/cert.pem\n",
		 platform.state, platform.state);
	pid = serve_wallet(leaks, "wallet-service-down", url, sizeof(url));
	device_init(&d, not_in_dump, url);
	device_enrol(&d, http, platform.state);
	assert_int_equal(leaks_of(&d, true, NULL, &answer, NULL), 503);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(answer, "error"), "code")),
	    "unavailable");
	json_decref(answer);
	assert_int_equal(leaks_of(&d, true, NULL, &answer, NULL), 503);
	json_decref(answer);
	device_clear(&d);
	stop(pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_citizen_in_a_dump_sees_it_and_one_not_in_it_does_not),
	    cmocka_unit_test(test_every_range_answer_has_one_length),
	    cmocka_unit_test(test_only_certs_publish_and_only_wallets_ask),
	    cmocka_unit_test(test_malformed_input_is_refused_and_nothing_kept),
	    cmocka_unit_test(test_a_wallet_without_the_service_says_so),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
