/*
 * test_slice_input.c — bad input everywhere in the slice, end to end: `hromada
 * up` with a synthetic population, then every door of the wallet, the gateway
 * and the registries is tried with what no well-behaved client sends. Each must
 * answer a clear 4xx with the JSON body {"error": {"code", "message"}} — never a
 * 5xx, never silence — and no request may return another person's data.
 *
 *  - wallet enrolment: malformed JSON, wrong types, unknown fields, person ids
 *    with bad check digits, wrong codes (attempts limited), too many codes per
 *    person per hour (429 + Retry-After), device keys that are not public P-256
 *    JWKs, oversized bodies (413); /v1/enrol/start answers the same whether or
 *    not the person exists;
 *  - wallet documents: unknown types, bad ?fields=, every way a DPoP proof can be
 *    wrong (401 + WWW-Authenticate), every way a consent can be wrong (403), and
 *    citizen A trying every combination of tokens, keys, consents and numbers to
 *    reach citizen B's documents;
 *  - the gateway called by members directly: unsigned, signed by another member
 *    than the one named, unknown provider, bodies that are not JSON, invalid
 *    person ids, replayed signatures, missing Hromada-* headers, and consents
 *    by devices the wallet never enrolled (no attestation, another device's,
 *    one made by a member that does not enrol devices, one for another person);
 *  - the registries called directly, bypassing the gateway: refused unless the
 *    gateway signed the request, whoever else signed it.
 *
 * Bad-input tables are checked softly (every deviation is printed as "FAILED:",
 * then the test fails once with their count), so one run names every bug. After
 * every test, passed or failed, every role of the platform must still answer
 * /healthz.
 */
#include "testkit/testkit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/documents.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/store.h"
#include "credential/signer.h"
#include "e2e/slice.h"
#include "exchange/consent.h"
#include "exchange/jose.h"
#include "platform/country.h"
#include "platform/platform.h"

/* the wallet's limits (src/wallet/wallet_internal.h, docs/EXCHANGE.md) */
#define WALLET_CODE_ATTEMPTS        5
#define WALLET_PENDING_CODES        5
#define WALLET_WRONG_CODES_PER_HOUR 10
#define WALLET_CODE_TTL_S           600
/* the servers' default body limit (src/core/http_server_options.c) */
#define MAX_BODY_BYTES (1024 * 1024)

static struct slice_platform platform;
static const char *state;        /* the platform's */
static json_t *endpoints, *demo; /* the platform's */
static struct http_client *http;
static int failures; /* soft checks failed in the current test */
/* citizen A, enrolled once: each enrolment spends one of the person's hourly codes */
static struct device citizen_a;
static bool citizen_a_enrolled;

/* --- the platform ------------------------------------------------------------- */

static int setup(void **unused)
{
	struct http_client_options o;

	(void)unused;
	signal(SIGPIPE, SIG_IGN);
	slice_platform_start(&platform, NULL);
	state = platform.state;
	endpoints = platform.endpoints;
	demo = platform.demo;
	http_client_options_default(&o);
	http = http_client_new(&o);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	if (citizen_a_enrolled)
		device_clear(&citizen_a);
	http_client_free(http);
	return slice_platform_stop(&platform);
}

static const char *endpoint(const char *country, const char *role)
{
	return json_string_value(json_object_get(json_object_get(endpoints, country), role));
}

static void keys_of(const char *country, char *out, size_t size)
{
	snprintf(out, size, "%s/keys/%s", state, country);
}

/* GET base/healthz answers 200. */
static void assert_serves(const char *base)
{
	struct http_client_response response;
	struct hr_error err = {0};
	char health[600];

	assert_non_null(base);
	snprintf(health, sizeof(health), "%s/healthz", base);
	http_client_response_init(&response);
	if (http_client_get(http, health, &response, &err) != HR_OK)
		fail_msg("%s: %s (the platform stopped serving)", health, err.message);
	if (response.status != 200)
		fail_msg("%s answered %ld", health, response.status);
	http_client_response_clear(&response);
}

/* Every role of every country (endpoints.json) still answers /healthz. */
static void assert_platform_serves(void)
{
	const char *key, *type;
	json_t *value, *url;

	json_object_foreach(endpoints, key, value)
	{
		if (json_is_string(value)) { /* trust, nccc */
			assert_serves(json_string_value(value));
			continue;
		}
		assert_serves(json_string_value(json_object_get(value, "wallet")));
		assert_serves(json_string_value(json_object_get(value, "gateway")));
		json_object_foreach(json_object_get(value, "registries"), type, url)
		    assert_serves(json_string_value(url));
	}
}

/* Starts a test with no soft check failed. */
static int begin(void **unused)
{
	(void)unused;
	failures = 0;
	return 0;
}

/* After each test, passed or failed: every role still serves. */
static int still_serving(void **unused)
{
	(void)unused;
	assert_platform_serves();
	return 0;
}

/* Ends a test: no soft check may have failed. */
static void finish(void)
{
	int failed = failures;

	failures = 0;
	if (failed > 0)
		fail_msg("%d check(s) failed: see the FAILED lines above", failed);
}

/* --- soft checks ---------------------------------------------------------------- */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			fprintf(stderr, "FAILED: ");                                               \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

static void body_excerpt(const void *data, size_t len, char *out, size_t size)
{
	snprintf(out, size, "%.*s", (int)(len < 300 ? len : 300), data ? (const char *)data : "");
}

/*
 * Checks a refusal: status (0 = any 4xx), a JSON body {"error": {"code", "message"}}
 * with a non-empty message, and code when not NULL.
 */
static void check_refusal_body(const char *what, long got, const void *data, size_t len,
			       long status, const char *code)
{
	json_t *body = json_loadb(data ? (const char *)data : "", len, 0, NULL);
	json_t *error = json_object_get(body, "error");
	const char *c = json_string_value(json_object_get(error, "code"));
	const char *m = json_string_value(json_object_get(error, "message"));
	char excerpt[400];

	body_excerpt(data, len, excerpt, sizeof(excerpt));
	if (status != 0)
		CHECK(got == status, "%s: expected %ld, got %ld %s", what, status, got, excerpt);
	else
		CHECK(got >= 400 && got < 500, "%s: expected a 4xx, got %ld %s", what, got,
		      excerpt);
	CHECK(c != NULL && c[0] && m != NULL && m[0],
	      "%s: the %ld answer has no {\"error\": {\"code\", \"message\"}} body: %s", what, got,
	      excerpt);
	if (code != NULL && c != NULL)
		CHECK(strcmp(c, code) == 0, "%s: expected error code %s, got %s", what, code, c);
	json_decref(body);
}

static void check_refusal(const char *what, const struct http_client_response *r, long status,
			  const char *code)
{
	check_refusal_body(what, r->status, r->body.data, r->body.len, status, code);
}

/* A DPoP refusal: 401, the JSON error, and a DPoP challenge (RFC 9449 §7.1). */
static void check_dpop_refusal(const char *what, const struct http_client_response *r)
{
	const char *challenge = http_client_response_header(r, "www-authenticate");

	check_refusal(what, r, 401, NULL);
	CHECK(challenge != NULL && strncmp(challenge, "DPoP", 4) == 0,
	      "%s: the 401 has no WWW-Authenticate: DPoP challenge", what);
}

static void check_status(const char *what, const struct http_client_response *r, long status)
{
	char excerpt[400];

	body_excerpt(r->body.data, r->body.len, excerpt, sizeof(excerpt));
	CHECK(r->status == status, "%s: expected %ld, got %ld %s", what, status, r->status,
	      excerpt);
}

/* Does the response body contain text? */
static bool body_has(const struct http_client_response *r, const char *text)
{
	return r->body.len > 0 && memmem(r->body.data, r->body.len, text, strlen(text)) != NULL;
}

/* --- people --------------------------------------------------------------------- */

static const char *person_of(const json_t *citizen)
{
	return json_string_value(json_object_get(citizen, "person"));
}

static bool holds(const json_t *citizen, const char *type)
{
	const json_t *d;
	size_t i;

	json_array_foreach(json_object_get(citizen, "documents"), i, d)
	{
		if (strcmp(json_string_value(d), type) == 0)
			return true;
	}
	return false;
}

/* The nth demo citizen of country holding type (skip: how many to pass over). */
static const char *demo_person(const char *country, const char *type, int skip)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(demo, country), i, c)
	{
		if ((type == NULL || holds(c, type)) && skip-- == 0)
			return person_of(c);
	}
	fail_msg("demo.json has too few %s citizens holding %s", country, type ? type : "-");
	return NULL;
}

/*
 * A valid id of a person who does not exist: UA RNOKPPs 00001SSSSC are born on
 * 1900-01-01 and PL PESELs 008101SSSSC on 1800-01-01, long before anyone of the
 * synthetic population (born in the last 95 years).
 */
static void nobody(const char *country, unsigned serial, char out[16])
{
	for (int c = 0; c < 10; c++) {
		if (strcmp(country, "UA") == 0)
			snprintf(out, 16, "UA:00001%04u%d", serial % 10000, c);
		else
			snprintf(out, 16, "PL:008101%04u%d", serial % 10000, c);
		if (person_id_valid(out))
			return;
	}
	fail_msg("no check digit makes a valid %s id", country);
}

/* id with its check digit changed: valid in form, invalid by checksum. */
static void bad_check_digit(const char *id, char out[16])
{
	size_t n = strlen(id);

	snprintf(out, 16, "%s", id);
	out[n - 1] = (char)('0' + (out[n - 1] - '0' + 1) % 10);
	assert_false(person_id_valid(out));
}

/* The demo citizens the tests use: A and B hold a driver's licence; the last UA
 * citizen is kept for the hourly limit; spare(k) is none of them. */
static const char *person_a(void)
{
	return demo_person("UA", "driver_licence", 0);
}

static const char *person_b(void)
{
	return demo_person("UA", "driver_licence", 1);
}

static const char *person_last(void)
{
	const json_t *ua = json_object_get(demo, "UA");

	return person_of(json_array_get(ua, json_array_size(ua) - 1));
}

static const char *spare(const char *country, int k)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(demo, country), i, c)
	{
		const char *p = person_of(c);
		if (strcmp(country, "UA") == 0 &&
		    (strcmp(p, person_a()) == 0 || strcmp(p, person_b()) == 0 ||
		     strcmp(p, person_last()) == 0))
			continue;
		if (strcmp(country, "PL") == 0 &&
		    strcmp(p, demo_person("PL", "driver_licence", 1)) == 0)
			continue;
		if (k-- == 0)
			return p;
	}
	fail_msg("demo.json has too few %s citizens", country);
	return NULL;
}

static struct device *device_a(void)
{
	if (!citizen_a_enrolled) {
		device_init(&citizen_a, person_a(), endpoint("UA", "wallet"));
		device_enrol(&citizen_a, http, state);
		citizen_a_enrolled = true;
	}
	return &citizen_a;
}

/* --- wallet requests ------------------------------------------------------------ */

static long wallet_post(const char *country, const char *path, const char *content_type,
			const void *body, size_t len, struct http_client_response *r)
{
	struct http_header h = {"Content-Type", content_type};
	char url[600];

	snprintf(url, sizeof(url), "%s%s", endpoint(country, "wallet"), path);
	return slice_send(http, "POST", url, content_type ? &h : NULL, content_type ? 1 : 0, body,
			  len, r);
}

static long enrol_start(const char *person, struct http_client_response *r)
{
	char body[128];

	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", person);
	return wallet_post(person[0] == 'U' ? "UA" : "PL", "/v1/enrol/start", "application/json",
			   body, strlen(body), r);
}

/* The code start sent out of band for person (STATE/outbox/<person>.txt). */
static void read_code(const char *person, char code[16])
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/outbox/%s.txt", state, person);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(code, 16, f));
	fclose(f);
	code[strcspn(code, "\n")] = 0;
	assert_int_equal(strlen(code), 8); /* WALLET_CODE_DIGITS */
}

static void start_and_read_code(const char *person, char code[16])
{
	struct http_client_response r;

	assert_int_equal(enrol_start(person, &r), 202);
	http_client_response_clear(&r);
	read_code(person, code);
}

/* POST /v1/enrol/finish {person, code, device_key: key} (key: JSON text). */
static long enrol_finish(const char *person, const char *code, const char *key, const char *proof,
			 struct http_client_response *r)
{
	struct http_header h[2] = {{"Content-Type", "application/json"}, {"DPoP", proof}};
	char url[600], body[4096];

	snprintf(url, sizeof(url), "%s/v1/enrol/finish",
		 endpoint(person[0] == 'U' ? "UA" : "PL", "wallet"));
	snprintf(body, sizeof(body), "{\"person\":\"%s\",\"code\":\"%s\",\"device_key\":%s}",
		 person, code, key);
	return slice_send(http, "POST", url, h, proof ? 2 : 1, body, strlen(body), r);
}

static void jwk_text(const json_t *jwk, char *out, size_t size)
{
	char *text = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);

	assert_non_null(text);
	snprintf(out, size, "%s", text);
	free(text);
}

/* A call by a device with every part replaceable; NULL takes the right one,
 * "" leaves the part out. */
struct call {
	const char *method; /* default GET */
	const char *path;
	const char *query;
	const char *body;           /* sent as application/json */
	const char *authorization;  /* the whole header value; default "DPoP <d's token>" */
	const char *proof;          /* default: a fresh proof of d for method and path */
	const char *consent;        /* default: a fresh consent of d */
	const char *wallet;         /* default: d's wallet */
	const char *host;           /* a Host header other than the URL's */
	const char *proof2;         /* a second DPoP header, after the first */
	const char *authorization2; /* a second Authorization header */
};

static long device_send(struct device *d, const struct call *c, struct http_client_response *r)
{
	const char *method = c->method ? c->method : "GET";
	const char *wallet = c->wallet ? c->wallet : d->wallet;
	struct http_header h[7];
	struct buf proof, consent;
	char url[1200], full[1400], auth[2200];
	size_t n = 0;
	long status;

	buf_init(&proof, 8192);
	buf_init(&consent, 8192);
	snprintf(url, sizeof(url), "%s%s", wallet, c->path);
	snprintf(full, sizeof(full), "%s%s%s", url, c->query ? "?" : "", c->query ? c->query : "");
	if (c->authorization == NULL)
		snprintf(auth, sizeof(auth), "DPoP %s", d->token);
	else
		snprintf(auth, sizeof(auth), "%s", c->authorization);
	if (auth[0])
		h[n++] = (struct http_header){"Authorization", auth};
	if (c->proof == NULL)
		device_proof(d, method, url, d->token, (int64_t)time(NULL), &proof);
	else
		buf_append_str(&proof, c->proof);
	if (proof.len > 0)
		h[n++] = (struct http_header){"DPoP", buf_str(&proof)};
	if (c->consent == NULL)
		device_consent(d, NULL, &consent);
	else
		buf_append_str(&consent, c->consent);
	if (consent.len > 0)
		h[n++] = (struct http_header){"Hromada-Consent", buf_str(&consent)};
	if (c->body != NULL)
		h[n++] = (struct http_header){"Content-Type", "application/json"};
	if (c->host != NULL)
		h[n++] = (struct http_header){"Host", c->host};
	if (c->proof2 != NULL)
		h[n++] = (struct http_header){"DPoP", c->proof2};
	if (c->authorization2 != NULL)
		h[n++] = (struct http_header){"Authorization", c->authorization2};
	status = slice_send(http, method, full, h, n, c->body, c->body ? strlen(c->body) : 0, r);
	buf_clear(&proof);
	buf_clear(&consent);
	return status;
}

/* A compact JWS over header and claims signed by key (its "alg" set to ES256). */
static void jws(struct signer *key, json_t *header, json_t *claims, struct buf *out)
{
	struct hr_error err = {0};

	buf_reset(out);
	assert_int_equal(jose_jws_sign(key, header, claims, out, &err), HR_OK);
	json_decref(header);
	json_decref(claims);
}

static void random_id(char out[32])
{
	unsigned char bytes[16];
	struct buf b;

	assert_int_equal(RAND_bytes(bytes, sizeof(bytes)), 1);
	buf_init(&b, 64);
	assert_int_equal(base64_encode(bytes, sizeof(bytes), BASE64_URL, &b), HR_OK);
	snprintf(out, 32, "%s", buf_str(&b));
	buf_clear(&b);
}

/* DPoP claims {jti, htm, htu, iat, ath of token}. */
static json_t *dpop_claims(const char *method, const char *url, const char *token, int64_t iat)
{
	char jti[32], ath[JOSE_THUMBPRINT_LEN];
	json_t *claims;

	random_id(jti);
	claims = json_pack("{s:s,s:s,s:s,s:I}", "jti", jti, "htm", method, "htu", url, "iat",
			   (json_int_t)iat);
	if (token != NULL) {
		jose_sha256_b64url(token, strlen(token), ath);
		json_object_set_new(claims, "ath", json_string(ath));
	}
	return claims;
}

static void b64url_json(const json_t *value, struct buf *out)
{
	char *text = json_dumps(value, JSON_COMPACT);

	assert_non_null(text);
	assert_int_equal(base64_encode(text, strlen(text), BASE64_URL, out), HR_OK);
	free(text);
}

/* The demo citizen's documents as the wallet lists them; numbers appended to
 * numbers (may be NULL). */
static void list_numbers(struct device *d, json_t *numbers)
{
	struct http_client_response r;
	json_t *answer, *doc;
	size_t i;

	assert_int_equal(device_send(d, &(struct call){.path = "/v1/documents"}, &r), 200);
	answer = slice_response_json(&r);
	json_array_foreach(json_object_get(answer, "documents"), i, doc)
	{
		const json_t *n = json_object_get(doc, "document_number");
		if (json_is_string(n))
			json_array_append(numbers, (json_t *)n);
	}
	json_decref(answer);
	http_client_response_clear(&r);
}

/* The number and status of d's first document of type in its listing. */
static void first_document(struct device *d, const char *type, char *number, size_t nsize,
			   char *status, size_t ssize)
{
	struct http_client_response r;
	json_t *answer, *doc;
	size_t i;

	number[0] = status[0] = 0;
	assert_int_equal(device_send(d, &(struct call){.path = "/v1/documents"}, &r), 200);
	answer = slice_response_json(&r);
	json_array_foreach(json_object_get(answer, "documents"), i, doc)
	{
		const char *t = json_string_value(json_object_get(doc, "type"));
		const char *n = json_string_value(json_object_get(doc, "document_number"));
		const char *s = json_string_value(json_object_get(doc, "status"));
		if (t != NULL && n != NULL && strcmp(t, type) == 0) {
			snprintf(number, nsize, "%s", n);
			snprintf(status, ssize, "%s", s ? s : "");
			break;
		}
	}
	json_decref(answer);
	http_client_response_clear(&r);
	assert_true(number[0] != 0);
}

/* --- wallet enrolment ------------------------------------------------------------ */

static void test_enrol_start_refuses_bad_input(void **unused)
{
	static const char *const bodies[] = {
	    "{\"person\":",
	    "{\"person\":\"UA:3012345670\"",
	    "{\"person\":\"UA:3012345670\"} trailing",
	    "{'person':'UA:3012345670'}",
	    "\xff\xfe{}",
	    "[]",
	    "\"UA:3012345670\"",
	    "42",
	    "null",
	    "{}",
	    "{\"person\":null}",
	    "{\"person\":3012345670}",
	    "{\"person\":[\"UA:3012345670\"]}",
	    "{\"person\":{\"id\":\"UA:3012345670\"}}",
	    "{\"person\":true}",
	    "{\"person\":\"UA:3012345670\",\"person\":\"UA:3012345670\"}",
	    "{\"person\":\"UA:30123\\u00004567\"}",
	    "{\"person\":\"UA:301234567000000000000000000000000000000000000\"}",
	    NULL};
	char ua[16], pl[16], extra[200], made[8][64];
	const char *persons[24];
	struct http_client_response r;
	char what[200];
	int n = 0;

	(void)unused;
	for (int i = 0; bodies[i] != NULL; i++) {
		wallet_post("UA", "/v1/enrol/start", "application/json", bodies[i],
			    strlen(bodies[i]), &r);
		snprintf(what, sizeof(what), "enrol/start with body %.60s", bodies[i]);
		check_refusal(what, &r, 400, NULL);
		http_client_response_clear(&r);
	}
	/* an unknown field next to a valid person */
	nobody("UA", 1, ua);
	snprintf(extra, sizeof(extra), "{\"person\":\"%s\",\"device\":\"phone\"}", ua);
	wallet_post("UA", "/v1/enrol/start", "application/json", extra, strlen(extra), &r);
	check_refusal("enrol/start with an unknown field", &r, 400, NULL);
	http_client_response_clear(&r);
	/* person ids that are not valid RNOKPP or PESEL */
	bad_check_digit(demo_person("UA", NULL, 0), made[0]);
	bad_check_digit(demo_person("PL", NULL, 0), made[1]);
	nobody("PL", 1, pl);
	bad_check_digit(pl, made[2]);
	snprintf(made[3], sizeof(made[3]), "ua:%s", ua + 3);
	snprintf(made[4], sizeof(made[4]), " %s", ua);
	snprintf(made[5], sizeof(made[5]), "%s ", ua);
	snprintf(made[6], sizeof(made[6]), "UA:+%s", ua + 4);
	snprintf(made[7], sizeof(made[7]), "%s\n", ua);
	for (int i = 0; i < 8; i++)
		persons[n++] = made[i];
	persons[n++] = "PL:99130100005"; /* month 13 */
	persons[n++] = "UA:301234567";
	persons[n++] = "UA:30123456700";
	persons[n++] = "UA:abcdefghij";
	persons[n++] = "UA:";
	persons[n++] = "";
	persons[n++] = "3012345670";
	persons[n++] = "RU:3012345670";
	persons[n++] = "PL:3012345670";
	persons[n++] = "UA:\xd9\xa3\xd9\xa0\xd9\xa1\xd9\xa2"; /* Arabic-Indic digits */
	for (int i = 0; i < n; i++) {
		json_t *body = json_pack("{s:s}", "person", persons[i]);
		char *text = json_dumps(body, JSON_COMPACT);
		wallet_post("UA", "/v1/enrol/start", "application/json", text, strlen(text), &r);
		snprintf(what, sizeof(what), "enrol/start for person '%s'", persons[i]);
		check_refusal(what, &r, 400, NULL);
		http_client_response_clear(&r);
		free(text);
		json_decref(body);
	}
	/* no JSON content type, empty body, wrong method */
	snprintf(extra, sizeof(extra), "{\"person\":\"%s\"}", ua);
	wallet_post("UA", "/v1/enrol/start", "text/plain", extra, strlen(extra), &r);
	check_refusal("enrol/start as text/plain", &r, 415, NULL);
	http_client_response_clear(&r);
	wallet_post("UA", "/v1/enrol/start", "application/json", "", 0, &r);
	check_refusal("enrol/start without a body", &r, 400, NULL);
	http_client_response_clear(&r);
	{
		char url[600];
		snprintf(url, sizeof(url), "%s/v1/enrol/start", endpoint("UA", "wallet"));
		slice_send(http, "GET", url, NULL, 0, NULL, 0, &r);
		check_refusal("GET /v1/enrol/start", &r, 405, NULL);
		http_client_response_clear(&r);
	}
	finish();
}

/* A request whose body is bigger than the servers take: declared, or streamed. */
static void test_oversized_bodies_are_413(void **unused)
{
	size_t big = MAX_BODY_BYTES + 4096;
	char *body = malloc(big + 1);
	struct http_header chunked[2] = {{"Content-Type", "application/json"},
					 {"Transfer-Encoding", "chunked"}};
	struct http_client_response r;
	char request[600], out[8192], url[600];
	const char *paths[] = {"/v1/enrol/start", "/v1/enrol/finish"};

	(void)unused;
	assert_non_null(body);
	memset(body, ' ', big);
	memcpy(body, "{\"person\":\"", 11);
	body[big - 2] = '"';
	body[big - 1] = '}';
	body[big] = 0;
	for (size_t p = 0; p < 2; p++) {
		char what[200];

		/* with Content-Length: refused before the body is read */
		snprintf(request, sizeof(request),
			 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 paths[p], (size_t)2 * MAX_BODY_BYTES);
		tk_raw_exchange(tk_url_port(endpoint("UA", "wallet")), request, out, sizeof(out));
		snprintf(what, sizeof(what), "%s declaring 2 MiB", paths[p]);
		{
			const char *b = strstr(out, "\r\n\r\n");
			check_refusal_body(what, tk_status_of(out), b ? b + 4 : "",
					   b ? strlen(b + 4) : 0, 413, NULL);
		}
		/* sent whole, and sent in chunks without a length */
		snprintf(url, sizeof(url), "%s%s", endpoint("UA", "wallet"), paths[p]);
		wallet_post("UA", paths[p], "application/json", body, big, &r);
		snprintf(what, sizeof(what), "%s with a %zu-byte body", paths[p], big);
		check_refusal(what, &r, 413, NULL);
		http_client_response_clear(&r);
		slice_send(http, "POST", url, chunked, 2, body, big, &r);
		snprintf(what, sizeof(what), "%s with a %zu-byte chunked body", paths[p], big);
		check_refusal(what, &r, 413, NULL);
		http_client_response_clear(&r);
	}
	/* the gateway and a registry too */
	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/driver_licence/lookup",
		 endpoint("UA", "gateway"));
	slice_send(http, "POST", url, chunked, 1, body, big, &r);
	check_refusal("gateway with an oversized body", &r, 413, NULL);
	http_client_response_clear(&r);
	snprintf(url, sizeof(url), "%s/v1/lookup",
		 json_string_value(json_object_get(
		     json_object_get(json_object_get(endpoints, "UA"), "registries"), "id_card")));
	slice_send(http, "POST", url, chunked, 1, body, big, &r);
	check_refusal("registry with an oversized body", &r, 413, NULL);
	http_client_response_clear(&r);
	free(body);
	finish();
}

/* The header names of a response, except those that differ on every answer. */
static void header_names(const struct http_client_response *r, char *out, size_t size)
{
	out[0] = 0;
	for (size_t i = 0; i < r->header_count; i++) {
		const char *name = r->headers[i].name;
		if (strcmp(name, "date") == 0 || strcmp(name, "x-request-id") == 0)
			continue;
		strncat(out, name, size - strlen(out) - 2);
		strncat(out, ",", size - strlen(out) - 1);
	}
}

static void check_same_answer(const char *what, const struct http_client_response *a,
			      const struct http_client_response *b)
{
	char ha[1024], hb[1024];

	header_names(a, ha, sizeof(ha));
	header_names(b, hb, sizeof(hb));
	CHECK(a->status == b->status, "%s: status %ld for one, %ld for the other", what, a->status,
	      b->status);
	CHECK(a->body.len == b->body.len && memcmp(a->body.data, b->body.data, a->body.len) == 0,
	      "%s: the bodies differ: '%.*s' and '%.*s'", what, (int)a->body.len,
	      (const char *)a->body.data, (int)b->body.len, (const char *)b->body.data);
	CHECK(strcmp(ha, hb) == 0, "%s: the headers differ: %s and %s", what, ha, hb);
	CHECK(http_client_response_header(a, "content-type") != NULL &&
		  http_client_response_header(b, "content-type") != NULL &&
		  strcmp(http_client_response_header(a, "content-type"),
			 http_client_response_header(b, "content-type")) == 0,
	      "%s: the content types differ", what);
}

static void test_enrol_start_answers_the_same_for_anyone(void **unused)
{
	const char *const nations[] = {"UA", "PL"};

	(void)unused;
	for (int c = 0; c < 2; c++) {
		struct http_client_response known, unknown;
		char ghost[16], what[200];

		nobody(nations[c], 2, ghost);
		enrol_start(spare(nations[c], 0), &known);
		enrol_start(ghost, &unknown);
		snprintf(what, sizeof(what), "%s enrol/start for a citizen and for nobody",
			 nations[c]);
		check_status(what, &known, 202);
		check_same_answer(what, &known, &unknown);
		http_client_response_clear(&known);
		http_client_response_clear(&unknown);
	}
	finish();
}

static void wrong_code(const char *code, int k, char out[16]);
static int64_t code_rows(struct store *db, const char *person_hash);

/* The UA wallet's database, opened beside the running wallet (WAL). */
static struct store *wallet_db(void)
{
	struct store *db = NULL;
	struct hr_error err = {0};
	char url[600];

	snprintf(url, sizeof(url), "sqlite:%s/UA/wallet/wallet.db", state);
	if (store_open(url, &db, &err) != HR_OK)
		fail_msg("%s: %s", url, err.message);
	return db;
}

/* Issue 13: an enrolment code is written in clear only to the delivery
 * channel (the outbox): the wallet's database, its WAL and the platform's log
 * hold no trace of it, before and after it is used. */
static void test_enrolment_codes_are_never_written_in_clear_outside_the_outbox(void **unused)
{
	struct http_client_response r;
	struct device d;
	char person[16], code[16], key[1024], wallet_dir[400], where[512];

	(void)unused;
	nobody("UA", 14, person);
	device_init(&d, person, endpoint("UA", "wallet"));
	jwk_text(d.jwk, key, sizeof(key));
	start_and_read_code(person, code);
	snprintf(wallet_dir, sizeof(wallet_dir), "%s/UA/wallet", state);
	CHECK(!tk_tree_contains(wallet_dir, code, where, sizeof(where)),
	      "a pending code is in clear in %s", where);
	CHECK(!tk_tree_contains(platform.logfile, code, where, sizeof(where)),
	      "a pending code is in clear in the log %s", where);
	enrol_finish(person, code, key, NULL, &r);
	check_status("the code", &r, 200);
	http_client_response_clear(&r);
	CHECK(!tk_tree_contains(wallet_dir, code, where, sizeof(where)),
	      "a used code is in clear in %s", where);
	CHECK(!tk_tree_contains(platform.logfile, code, where, sizeof(where)),
	      "a used code is in clear in the log %s", where);
	device_clear(&d);
	finish();
}

/* Issue 13: a stranger's enrol/start used to replace the pending code, so a
 * citizen who had read their code was refused with it. Now a start adds a code
 * beside the pending ones, and every pending code stays good. */
static void test_a_strangers_enrol_start_does_not_invalidate_the_citizens_code(void **unused)
{
	struct http_client_response r;
	struct device d;
	char person[16], code[16], later[16], key[1024];

	(void)unused;
	nobody("UA", 12, person);
	device_init(&d, person, endpoint("UA", "wallet"));
	jwk_text(d.jwk, key, sizeof(key));
	start_and_read_code(person, code);
	/* anyone may POST the citizen's id: no authentication at start */
	for (int i = 1; i < WALLET_PENDING_CODES; i++) {
		enrol_start(person, &r);
		check_status("a stranger's enrol/start for the citizen", &r, 202);
		http_client_response_clear(&r);
	}
	read_code(person, later);
	enrol_finish(person, code, key, NULL, &r);
	check_status("the citizen's first code after a stranger's starts", &r, 200);
	CHECK(body_has(&r, "access_token"), "the citizen's code gave no token");
	http_client_response_clear(&r);
	/* enrolled: the other pending codes are spent with it */
	if (strcmp(later, code) != 0) {
		enrol_finish(person, later, key, NULL, &r);
		check_refusal("a pending code after the enrolment", &r, 400, "invalid_grant");
		http_client_response_clear(&r);
	}
	device_clear(&d);
	finish();
}

/* Issue 13: five starts by anyone locked the person out for an hour. Now a full
 * set of pending codes only waits for the oldest to expire (the codes already
 * delivered still work), and once they have expired a start is answered. */
static void test_strangers_enrol_starts_cannot_lock_a_citizen_out(void **unused)
{
	struct http_client_response r, limited[2];
	struct store *db;
	struct device d;
	char ghost[16], person[16], code[16], key[1024], sql[256], what[200];
	const char *people[2];

	(void)unused;
	nobody("UA", 3, ghost);
	people[0] = ghost;
	people[1] = person_last(); /* a real citizen: no other test enrols them */
	for (int p = 0; p < 2; p++) {
		const char *retry;
		for (int i = 0; i < WALLET_PENDING_CODES; i++) {
			enrol_start(people[p], &r);
			snprintf(what, sizeof(what), "enrol/start %d of %d for %s", i + 1,
				 WALLET_PENDING_CODES, people[p]);
			check_status(what, &r, 202);
			http_client_response_clear(&r);
		}
		enrol_start(people[p], &limited[p]);
		snprintf(what, sizeof(what), "enrol/start with %d codes pending for %s",
			 WALLET_PENDING_CODES, people[p]);
		check_refusal(what, &limited[p], 429, "rate_limited");
		retry = http_client_response_header(&limited[p], "retry-after");
		CHECK(retry != NULL && atoi(retry) > 0 && atoi(retry) <= WALLET_CODE_TTL_S,
		      "%s: Retry-After is '%s', not until the oldest code expires (1..%d s)", what,
		      retry ? retry : "", WALLET_CODE_TTL_S);
	}
	/* the same refusal whether or not the person exists */
	CHECK(limited[0].status == limited[1].status &&
		  limited[0].body.len == limited[1].body.len &&
		  memcmp(limited[0].body.data, limited[1].body.data, limited[0].body.len) == 0,
	      "the 429 for nobody and for a citizen differ");
	http_client_response_clear(&limited[0]);
	http_client_response_clear(&limited[1]);
	/* the newest code delivered still enrols the citizen */
	snprintf(person, sizeof(person), "%s", people[1]);
	device_init(&d, person, endpoint("UA", "wallet"));
	jwk_text(d.jwk, key, sizeof(key));
	read_code(person, code);
	/* ten minutes later every code has expired (the clock moved in the store) */
	db = wallet_db();
	snprintf(sql, sizeof(sql), "UPDATE enrolment_codes SET expires_at = %lld",
		 (long long)time(NULL) - 1);
	assert_int_equal(store_exec(db, sql, NULL), HR_OK);
	store_close(db);
	enrol_start(ghost, &r);
	check_status("enrol/start once the strangers' codes expired", &r, 202);
	http_client_response_clear(&r);
	start_and_read_code(person, code);
	enrol_finish(person, code, key, NULL, &r);
	check_status("the citizen enrols after a stranger's five starts", &r, 200);
	http_client_response_clear(&r);
	device_clear(&d);
	finish();
}

/* Only wrong codes lock an enrolment: WALLET_WRONG_CODES_PER_HOUR of them (any
 * codes) and even the right code waits for the hour, so guesses stay bounded. */
static void test_wrong_codes_past_the_hourly_budget_lock_enrolment(void **unused)
{
	struct http_client_response r;
	struct device d;
	char person[16], code[16], wrong[16], key[1024], what[200];
	int spent = 0;

	(void)unused;
	nobody("UA", 13, person);
	device_init(&d, person, endpoint("UA", "wallet"));
	jwk_text(d.jwk, key, sizeof(key));
	while (spent < WALLET_WRONG_CODES_PER_HOUR) {
		start_and_read_code(person, code);
		for (int k = 0; k < WALLET_CODE_ATTEMPTS && spent < WALLET_WRONG_CODES_PER_HOUR;
		     k++, spent++) {
			wrong_code(code, k, wrong);
			enrol_finish(person, wrong, key, NULL, &r);
			snprintf(what, sizeof(what), "wrong code %d", spent + 1);
			check_refusal(what, &r, 400, "invalid_grant");
			http_client_response_clear(&r);
		}
	}
	start_and_read_code(person, code);
	enrol_finish(person, code, key, NULL, &r);
	check_refusal("the right code after the hour's wrong codes", &r, 429, "rate_limited");
	CHECK(!body_has(&r, "access_token"), "a locked enrolment gave a token");
	http_client_response_clear(&r);
	device_clear(&d);
	finish();
}

/* The number of enrolment_codes rows of person_hash in the wallet's database. */
static int64_t code_rows(struct store *db, const char *person_hash)
{
	struct store_stmt *st = NULL;
	struct hr_error err = {0};
	bool row = false;
	int64_t n;

	assert_int_equal(store_prepare(db,
				       "SELECT COUNT(*) FROM enrolment_codes WHERE person_hash = ?",
				       &st, &err),
			 HR_OK);
	assert_int_equal(store_bind_text(st, 1, person_hash, strlen(person_hash)), HR_OK);
	assert_int_equal(store_step(st, &row, &err), HR_OK);
	assert_true(row);
	n = store_column_int64(st, 0);
	store_stmt_free(st);
	return n;
}

/* Codes are forgotten once expired, and not before. */
static void test_enrol_start_forgets_stale_codes(void **unused)
{
	struct http_client_response r;
	struct store *db = wallet_db();
	struct hr_error err = {0};
	char sql[512], ghost[16];
	int64_t now = (int64_t)time(NULL);

	(void)unused;
	/* an abandoned code from yesterday, and one still pending */
	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO enrolment_codes (person_hash, code_hash, expires_at, "
	    "attempts_left) VALUES ('stale-test', 'x', %lld, 5), ('recent-test', 'x', %lld, 5)",
	    (long long)(now - 86400), (long long)(now + 60));
	assert_int_equal(store_exec(db, sql, &err), HR_OK);
	nobody("UA", 9, ghost);
	enrol_start(ghost, &r);
	check_status("enrol/start", &r, 202);
	http_client_response_clear(&r);
	CHECK(code_rows(db, "stale-test") == 0, "an abandoned code of yesterday was kept");
	CHECK(code_rows(db, "recent-test") == 1, "a pending code was dropped");
	store_exec(db, "DELETE FROM enrolment_codes WHERE person_hash = 'recent-test'", NULL);
	store_close(db);
	finish();
}

/* jwk with member set to value (stolen; NULL removes it), as JSON text (caller frees). */
static char *jwk_with(const json_t *jwk, const char *member, json_t *value)
{
	json_t *copy = json_deep_copy(jwk);
	char *text;

	if (value != NULL)
		json_object_set_new(copy, member, value);
	else
		json_object_del(copy, member);
	text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	assert_non_null(text);
	return text;
}

static void test_enrol_finish_refuses_bad_input_and_bad_keys(void **unused)
{
	static const char *const not_p256[] = {
	    "\"a key\"",
	    "[1,2,3]",
	    "42",
	    "null",
	    "true",
	    "{}",
	    "{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri2"
	    "3bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQ\"}",
	    "{\"kty\":\"oct\",\"k\":\"GawgguFyGrWKav7AX4VKUg\"}",
	    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPc"
	    "HURo\"}",
	    NULL};
	struct device d, other;
	char person[16], key[1024], bad[16], what[300], url[600];
	struct http_client_response r;
	struct buf proof;
	char plain_body[2048];
	char *variants[9];

	(void)unused;
	nobody("UA", 5, person); /* no code pending: nothing here may redeem one */
	device_init(&d, person, endpoint("UA", "wallet"));
	device_init(&other, person, endpoint("UA", "wallet"));
	jwk_text(d.jwk, key, sizeof(key));
	for (int i = 0; not_p256[i] != NULL; i++) {
		enrol_finish(person, "123456", not_p256[i], NULL, &r);
		snprintf(what, sizeof(what), "enrol/finish with device_key %.100s", not_p256[i]);
		check_refusal(what, &r, 0, NULL);
		http_client_response_clear(&r);
	}
	/* the device's own key, spoiled */
	variants[0] = jwk_with(d.jwk, "crv", json_string("P-384"));
	variants[1] = jwk_with(d.jwk, "x", NULL);
	variants[2] = jwk_with(d.jwk, "y", NULL);
	variants[3] = jwk_with(d.jwk, "kty", NULL);
	variants[4] = jwk_with(d.jwk, "x", json_string("AAAA"));
	variants[5] = jwk_with(d.jwk, "x", json_integer(12345));
	variants[6] =
	    jwk_with(d.jwk, "x", json_string("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"));
	/* a point that is not on P-256 */
	variants[7] = jwk_with(d.jwk, "y", json_incref(json_object_get(d.jwk, "x")));
	/* a private key: never accepted where a public one goes */
	variants[8] =
	    jwk_with(d.jwk, "d", json_string("870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"));
	for (int i = 0; i < 9; i++) {
		enrol_finish(person, "123456", variants[i], NULL, &r);
		snprintf(what, sizeof(what), "enrol/finish with device_key %.150s", variants[i]);
		check_refusal(what, &r, 0, NULL);
		http_client_response_clear(&r);
		free(variants[i]);
	}

	/* the body itself */
	{
		const char *bodies[16];
		int nb = 0;
		char b[8][1400];

		bodies[nb++] = "{\"person\":";
		bodies[nb++] = "[]";
		bodies[nb++] = "{}";
		snprintf(b[0], sizeof(b[0]),
			 "{\"person\":\"%s\",\"code\":123456,\"device_key\":%s}", person, key);
		bodies[nb++] = b[0];
		snprintf(b[1], sizeof(b[1]), "{\"person\":\"%s\",\"device_key\":%s}", person, key);
		bodies[nb++] = b[1];
		snprintf(b[2], sizeof(b[2]), "{\"person\":\"%s\",\"code\":\"123456\"}", person);
		bodies[nb++] = b[2];
		snprintf(b[3], sizeof(b[3]),
			 "{\"person\":\"%s\",\"code\":\"123456\",\"device_key\":%s,\"admin\":true}",
			 person, key);
		bodies[nb++] = b[3];
		snprintf(b[4], sizeof(b[4]),
			 "{\"person\":\"%s\",\"code\":\"12345678901234567890\",\"device_key\":%s}",
			 person, key);
		bodies[nb++] = b[4];
		snprintf(b[5], sizeof(b[5]),
			 "{\"person\":42,\"code\":\"123456\",\"device_key\":%s}", key);
		bodies[nb++] = b[5];
		bad_check_digit(person, bad);
		snprintf(b[6], sizeof(b[6]),
			 "{\"person\":\"%s\",\"code\":\"123456\",\"device_key\":%s}", bad, key);
		bodies[nb++] = b[6];
		snprintf(b[7], sizeof(b[7]),
			 "{\"person\":\"%s\",\"code\":[\"123456\"],\"device_key\":%s}", person,
			 key);
		bodies[nb++] = b[7];
		for (int i = 0; i < nb; i++) {
			wallet_post("UA", "/v1/enrol/finish", "application/json", bodies[i],
				    strlen(bodies[i]), &r);
			snprintf(what, sizeof(what), "enrol/finish with body %.120s", bodies[i]);
			check_refusal(what, &r, 400, NULL);
			http_client_response_clear(&r);
		}
		snprintf(plain_body, sizeof(plain_body),
			 "{\"person\":\"%s\",\"code\":\"123456\",\"device_key\":%s}", person, key);
		wallet_post("UA", "/v1/enrol/finish", "text/plain", plain_body, strlen(plain_body),
			    &r);
		check_refusal("enrol/finish as text/plain", &r, 415, NULL);
		http_client_response_clear(&r);
	}
	/* no code pending, or an empty one */
	enrol_finish(person, "123456", key, NULL, &r);
	check_refusal("enrol/finish with no code pending", &r, 400, "invalid_grant");
	http_client_response_clear(&r);
	enrol_finish(person, "", key, NULL, &r);
	check_refusal("enrol/finish with an empty code", &r, 400, "invalid_grant");
	http_client_response_clear(&r);

	/* a DPoP proof, when sent, must prove the device key being enrolled */
	snprintf(url, sizeof(url), "%s/v1/enrol/finish", endpoint("UA", "wallet"));
	buf_init(&proof, 8192);
	device_proof(&other, "POST", url, NULL, (int64_t)time(NULL), &proof);
	enrol_finish(person, "123456", key, buf_str(&proof), &r);
	check_dpop_refusal("enrol/finish with a proof by another key", &r);
	http_client_response_clear(&r);
	buf_reset(&proof);
	device_proof(&d, "POST", endpoint("UA", "wallet"), NULL, (int64_t)time(NULL), &proof);
	enrol_finish(person, "123456", key, buf_str(&proof), &r);
	check_dpop_refusal("enrol/finish with a proof for another URL", &r);
	http_client_response_clear(&r);
	enrol_finish(person, "123456", key, "not.a.proof", &r);
	check_dpop_refusal("enrol/finish with a garbage proof", &r);
	http_client_response_clear(&r);
	buf_clear(&proof);
	device_clear(&d);
	device_clear(&other);
	finish();
}

static void wrong_code(const char *code, int k, char out[16])
{
	snprintf(out, 16, "%08d", (atoi(code) + 1 + k) % 100000000);
}

static void test_enrol_finish_attempts_are_limited_and_codes_bound_to_the_person(void **unused)
{
	struct http_client_response r;
	struct device d, d1, d2;
	char person[16], p1[16], p2[16], code[16], code2[16], c1[16], c2[16], wrong[16], key[1024],
	    what[200];

	(void)unused;
	nobody("UA", 6, person);
	device_init(&d, person, endpoint("UA", "wallet"));
	jwk_text(d.jwk, key, sizeof(key));
	start_and_read_code(person, code);
	for (int k = 0; k < WALLET_CODE_ATTEMPTS; k++) {
		wrong_code(code, k, wrong);
		enrol_finish(person, wrong, key, NULL, &r);
		snprintf(what, sizeof(what), "wrong code %d of %d", k + 1, WALLET_CODE_ATTEMPTS);
		check_refusal(what, &r, 400, "invalid_grant");
		http_client_response_clear(&r);
	}
	enrol_finish(person, code, key, NULL, &r);
	check_refusal("the right code after all attempts are spent", &r, 400, "invalid_grant");
	CHECK(!body_has(&r, "access_token"), "a spent code gave a token");
	http_client_response_clear(&r);
	/* a new code works again, once */
	start_and_read_code(person, code2);
	enrol_finish(person, code2, key, NULL, &r);
	check_status("a fresh code after the spent one", &r, 200);
	http_client_response_clear(&r);
	enrol_finish(person, code2, key, NULL, &r);
	check_refusal("a code used twice", &r, 400, "invalid_grant");
	http_client_response_clear(&r);

	/* a code is the person's: another's right code does not enrol anyone */
	nobody("UA", 7, p1);
	nobody("UA", 8, p2);
	device_init(&d1, p1, endpoint("UA", "wallet"));
	device_init(&d2, p2, endpoint("UA", "wallet"));
	start_and_read_code(p1, c1);
	start_and_read_code(p2, c2);
	if (strcmp(c1, c2) != 0) {
		jwk_text(d1.jwk, key, sizeof(key));
		enrol_finish(p2, c1, key, NULL, &r);
		check_refusal("person 2 with person 1's code", &r, 400, "invalid_grant");
		http_client_response_clear(&r);
	}
	enrol_finish(p1, c1, key, NULL, &r);
	check_status("person 1 with their own code", &r, 200);
	http_client_response_clear(&r);
	jwk_text(d2.jwk, key, sizeof(key));
	enrol_finish(p2, c2, key, NULL, &r);
	check_status("person 2 with their own code", &r, 200);
	http_client_response_clear(&r);
	device_clear(&d);
	device_clear(&d1);
	device_clear(&d2);
	finish();
}

/* --- wallet documents ---------------------------------------------------------- */

static void test_document_requests_refuse_bad_input(void **unused)
{
	/* the last two are decoded into other paths: any clear refusal will do */
	static const char *const types[] = {"passport_of_atlantis",
					    "ID_CARD",
					    "id_card%20",
					    "id_card;driver_licence",
					    "%C3%A9",
					    "%2e%2e",
					    "id_card%00",
					    NULL};
	static const char *const fields[] = {
	    "fields=vin", "fields=family_name,vin", "fields=,", "fields=a,,b", "fields=%ff%fe",
	    "fields=*", "fields=family_name;birth_date",
	    /* a NUL must not cut the list short: the rest is not a field name */
	    "fields=family_name%00birth_date",
	    "fields=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL};
	static const char *const lost_bodies[] = {
	    "{\"document_number\":",
	    "[]",
	    "{\"document_number\":42}",
	    "{\"document_number\":null}",
	    "{\"number\":\"AB123\"}",
	    "{\"document_number\":\"AB123\",\"person\":\"UA:1\"}",
	    NULL};
	struct http_client_response r;
	struct device *a = device_a();
	char path[400], what[600], many[2048] = "fields=";

	(void)unused;
	for (int i = 0; types[i] != NULL; i++) {
		snprintf(path, sizeof(path), "/v1/documents/%s", types[i]);
		device_send(a, &(struct call){.path = path}, &r);
		snprintf(what, sizeof(what), "GET %s", path);
		check_refusal(what, &r, i < 5 ? 404 : 0, NULL);
		http_client_response_clear(&r);
		snprintf(path, sizeof(path), "/v1/documents/%s/report-lost", types[i]);
		device_send(a, &(struct call){.method = "POST", .path = path}, &r);
		snprintf(what, sizeof(what), "POST %s", path);
		check_refusal(what, &r, i < 5 ? 404 : 0, NULL);
		http_client_response_clear(&r);
	}
	for (int i = 0; fields[i] != NULL; i++) {
		device_send(
		    a, &(struct call){.path = "/v1/documents/driver_licence", .query = fields[i]},
		    &r);
		snprintf(what, sizeof(what), "driver_licence?%s", fields[i]);
		check_refusal(what, &r, 400, NULL);
		http_client_response_clear(&r);
	}
	for (int i = 0; i < 40; i++)
		strcat(many, i ? ",family_name" : "family_name");
	device_send(a, &(struct call){.path = "/v1/documents/driver_licence", .query = many}, &r);
	check_refusal("driver_licence with 40 fields", &r, 400, NULL);
	http_client_response_clear(&r);
	device_send(a,
		    &(struct call){.path = "/v1/documents/driver_licence",
				   .query = "number=NO-SUCH-NUMBER"},
		    &r);
	check_refusal("driver_licence?number= that is nobody's", &r, 404, NULL);
	http_client_response_clear(&r);
	for (int i = 0; lost_bodies[i] != NULL; i++) {
		device_send(a,
			    &(struct call){.method = "POST",
					   .path = "/v1/documents/driver_licence/report-lost",
					   .body = lost_bodies[i]},
			    &r);
		snprintf(what, sizeof(what), "report-lost with body %s", lost_bodies[i]);
		check_refusal(what, &r, 400, NULL);
		http_client_response_clear(&r);
	}
	device_send(a, &(struct call){.method = "DELETE", .path = "/v1/documents"}, &r);
	check_refusal("DELETE /v1/documents", &r, 405, NULL);
	http_client_response_clear(&r);
	device_send(a, &(struct call){.method = "PUT", .path = "/v1/documents/driver_licence"}, &r);
	check_refusal("PUT /v1/documents/driver_licence", &r, 405, NULL);
	http_client_response_clear(&r);
	/* and the control: the same device, asking properly */
	device_send(
	    a,
	    &(struct call){.path = "/v1/documents/driver_licence", .query = "fields=family_name"},
	    &r);
	check_status("driver_licence?fields=family_name", &r, 200);
	http_client_response_clear(&r);
	finish();
}

static void test_every_bad_dpop_proof_is_401_with_a_challenge(void **unused)
{
	struct http_client_response r;
	struct device *a = device_a(), e;
	struct buf proof, part;
	char url[4800], other_url[4800], auth[2200], tampered[2200], what[200];
	int64_t now = (int64_t)time(NULL);
	const char *path = "/v1/documents/driver_licence";
	json_t *header;

	(void)unused;
	device_init(&e, person_a(), endpoint("UA", "wallet"));
	buf_init(&proof, 8192);
	buf_init(&part, 8192);
	snprintf(url, sizeof(url), "%s%s", a->wallet, path);

	/* control */
	device_send(a, &(struct call){.path = path}, &r);
	check_status("a proper call", &r, 200);
	http_client_response_clear(&r);

	device_send(a, &(struct call){.path = path, .authorization = ""}, &r);
	check_dpop_refusal("no Authorization", &r);
	http_client_response_clear(&r);
	device_send(a, &(struct call){.path = path, .proof = ""}, &r);
	check_dpop_refusal("no DPoP proof", &r);
	http_client_response_clear(&r);
	snprintf(auth, sizeof(auth), "Bearer %s", a->token);
	device_send(a, &(struct call){.path = path, .authorization = auth}, &r);
	check_dpop_refusal("a Bearer token", &r);
	http_client_response_clear(&r);
	device_send(a, &(struct call){.path = path, .authorization = "DPoP "}, &r);
	check_dpop_refusal("an empty token", &r);
	http_client_response_clear(&r);
	device_send(a, &(struct call){.path = path, .authorization = "DPoP v1.e30.AAAA"}, &r);
	check_dpop_refusal("a made-up token", &r);
	http_client_response_clear(&r);
	snprintf(tampered, sizeof(tampered), "DPoP %s", a->token);
	tampered[strlen(tampered) - 3] ^= 1;
	device_send(a, &(struct call){.path = path, .authorization = tampered}, &r);
	check_dpop_refusal("a tampered token", &r);
	http_client_response_clear(&r);

	/* wrong htm, htu, ath, iat */
	device_proof(a, "POST", url, a->token, now, &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof for POST", &r);
	http_client_response_clear(&r);
	buf_reset(&proof);
	snprintf(other_url, sizeof(other_url), "%s/v1/documents", a->wallet);
	device_proof(a, "GET", other_url, a->token, now, &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof for another path", &r);
	http_client_response_clear(&r);
	buf_reset(&proof);
	snprintf(other_url, sizeof(other_url), "%s%s", endpoint("PL", "wallet"), path);
	device_proof(a, "GET", other_url, a->token, now, &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof for another wallet", &r);
	http_client_response_clear(&r);
	buf_reset(&proof);
	/* a proof for another origin, sent with that origin's Host: the wallet
	 * compares htu with its own URL, never with what the client says it is */
	device_proof(a, "GET", "http://other-wallet.example/v1/documents/driver_licence", a->token,
		     now, &proof);
	device_send(
	    a,
	    &(struct call){.path = path, .proof = buf_str(&proof), .host = "other-wallet.example"},
	    &r);
	check_dpop_refusal("a proof for another origin, with its Host", &r);
	http_client_response_clear(&r);
	buf_reset(&proof);
	snprintf(other_url, sizeof(other_url), "https://%s", a->wallet + strlen("http://"));
	strcat(other_url, path);
	device_proof(a, "GET", other_url, a->token, now, &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof for https", &r);
	http_client_response_clear(&r);
	buf_reset(&proof);
	device_proof(a, "GET", url, "another token", now, &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof with the ath of another token", &r);
	http_client_response_clear(&r);
	buf_reset(&proof);
	device_proof(a, "GET", url, NULL, now, &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof without ath", &r);
	http_client_response_clear(&r);
	buf_reset(&proof);
	device_proof(a, "GET", url, a->token, now - 120, &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof two minutes old", &r);
	http_client_response_clear(&r);
	buf_reset(&proof);
	device_proof(a, "GET", url, a->token, now + 120, &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof from two minutes ahead", &r);
	http_client_response_clear(&r);

	/* another key: its own jwk, or A's jwk in the header */
	buf_reset(&proof);
	device_proof(&e, "GET", url, a->token, now, &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof by another key", &r);
	http_client_response_clear(&r);
	jws(e.key, json_pack("{s:s,s:O}", "typ", "dpop+jwt", "jwk", a->jwk),
	    dpop_claims("GET", url, a->token, now), &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof naming A's key, signed by another", &r);
	http_client_response_clear(&r);
	jws(a->key, json_pack("{s:s,s:O}", "typ", "JWT", "jwk", a->jwk),
	    dpop_claims("GET", url, a->token, now), &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof with typ JWT", &r);
	http_client_response_clear(&r);
	jws(a->key, json_pack("{s:s}", "typ", "dpop+jwt"), dpop_claims("GET", url, a->token, now),
	    &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("a proof without jwk", &r);
	http_client_response_clear(&r);
	/* alg none, unsigned */
	header = json_pack("{s:s,s:s,s:O}", "typ", "dpop+jwt", "alg", "none", "jwk", a->jwk);
	buf_reset(&proof);
	b64url_json(header, &proof);
	json_decref(header);
	buf_append_byte(&proof, '.');
	header = dpop_claims("GET", url, a->token, now);
	b64url_json(header, &proof);
	json_decref(header);
	buf_append_byte(&proof, '.');
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("an unsigned proof (alg none)", &r);
	http_client_response_clear(&r);
	/* two DPoP headers, or two Authorization headers, the first of each
	 * good: refused whole (RFC 9449 section 4.3), never the first one read */
	device_send(a, &(struct call){.path = path, .proof2 = "not a proof"}, &r);
	check_dpop_refusal("a second DPoP header", &r);
	http_client_response_clear(&r);
	snprintf(auth, sizeof(auth), "DPoP %s", a->token);
	device_send(a, &(struct call){.path = path, .authorization2 = auth}, &r);
	check_dpop_refusal("a second Authorization header", &r);
	http_client_response_clear(&r);
	/* a proof used twice */
	buf_reset(&proof);
	device_proof(a, "GET", url, a->token, now, &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_status("a fresh proof", &r, 200);
	http_client_response_clear(&r);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("the same proof again", &r);
	http_client_response_clear(&r);
	/* not a proof at all */
	{
		const char *garbage[] = {"a->b.c", "....", "eyJ9.eyJ9.", "not a jwt", NULL};
		for (int i = 0; garbage[i] != NULL; i++) {
			device_send(a, &(struct call){.path = path, .proof = garbage[i]}, &r);
			snprintf(what, sizeof(what), "DPoP: %s", garbage[i]);
			check_dpop_refusal(what, &r);
			http_client_response_clear(&r);
		}
		buf_reset(&part);
		for (int i = 0; i < 5000; i++)
			buf_append_byte(&part, 'A');
		device_send(a, &(struct call){.path = path, .proof = buf_str(&part)}, &r);
		check_dpop_refusal("a 5000-byte proof", &r);
		http_client_response_clear(&r);
	}
	buf_clear(&proof);
	buf_clear(&part);
	device_clear(&e);
	finish();
}

static void test_every_bad_consent_is_403(void **unused)
{
	struct http_client_response r;
	struct device *a = device_a(), e;
	struct buf consent, proof;
	char url[4800];
	int64_t now = (int64_t)time(NULL);
	const char *path = "/v1/documents/driver_licence";
	const char *b = person_b();
	json_t *header;

	(void)unused;
	device_init(&e, a->person, endpoint("UA", "wallet"));
	buf_init(&consent, 8192);
	buf_init(&proof, 8192);
	snprintf(url, sizeof(url), "%s%s", a->wallet, path);

	device_send(a, &(struct call){.path = path, .consent = ""}, &r);
	check_refusal("no consent", &r, 403, "consent_required");
	http_client_response_clear(&r);
	device_consent(&e, NULL, &consent);
	device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
	check_refusal("a consent by a key that is not enrolled", &r, 403, NULL);
	http_client_response_clear(&r);
	buf_reset(&consent);
	device_consent(a, &(struct consent_claims){.sub = b}, &consent);
	device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
	check_refusal("a consent naming another person", &r, 403, NULL);
	CHECK(!body_has(&r, b + 3), "the refusal names the other person");
	http_client_response_clear(&r);
	buf_reset(&consent);
	device_consent(a, &(struct consent_claims){.purpose = "police-document-check"}, &consent);
	device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
	check_refusal("a consent for another purpose", &r, 403, NULL);
	http_client_response_clear(&r);
	buf_reset(&consent);
	device_consent(a, &(struct consent_claims){.doc = "id_card"}, &consent);
	device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
	check_refusal("a consent for another document type", &r, 403, NULL);
	http_client_response_clear(&r);
	buf_reset(&consent);
	device_consent(a, &(struct consent_claims){.iat = now - 400}, &consent);
	device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
	check_refusal("an expired consent", &r, 403, NULL);
	http_client_response_clear(&r);
	buf_reset(&consent);
	device_consent(a, &(struct consent_claims){.iat = now + 120}, &consent);
	device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
	check_refusal("a consent from the future", &r, 403, NULL);
	http_client_response_clear(&r);
	buf_reset(&consent);
	device_consent(a, &(struct consent_claims){.lifetime = 86400}, &consent);
	device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
	check_refusal("a consent valid for a day", &r, 403, NULL);
	http_client_response_clear(&r);
	device_send(a, &(struct call){.path = path, .consent = "not a consent"}, &r);
	check_refusal("a garbage consent", &r, 403, NULL);
	http_client_response_clear(&r);
	/* A's DPoP proof is signed by the enrolled key, but it is not a consent */
	device_proof(a, "GET", url, a->token, now, &proof);
	device_send(a, &(struct call){.path = path, .consent = buf_str(&proof)}, &r);
	check_refusal("a DPoP proof as consent", &r, 403, NULL);
	http_client_response_clear(&r);
	/* A's key in the header, another key's signature */
	{
		char jti[32];
		random_id(jti);
		jws(e.key, json_pack("{s:s,s:O}", "typ", "hromada-consent+jwt", "jwk", a->jwk),
		    json_pack("{s:s,s:s,s:[s],s:I,s:I,s:s}", "sub", a->person, "purpose",
			      "citizen-wallet", "docs", "*", "iat", (json_int_t)now, "exp",
			      (json_int_t)(now + 300), "jti", jti),
		    &consent);
		device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
		check_refusal("a consent naming A's key, signed by another", &r, 403, NULL);
		http_client_response_clear(&r);
		/* alg none */
		header = json_pack("{s:s,s:s,s:O}", "typ", "hromada-consent+jwt", "alg", "none",
				   "jwk", a->jwk);
		buf_reset(&consent);
		b64url_json(header, &consent);
		json_decref(header);
		buf_append_byte(&consent, '.');
		header = json_pack("{s:s,s:s,s:[s],s:I,s:I,s:s}", "sub", a->person, "purpose",
				   "citizen-wallet", "docs", "*", "iat", (json_int_t)now, "exp",
				   (json_int_t)(now + 300), "jti", jti);
		b64url_json(header, &consent);
		json_decref(header);
		buf_append_byte(&consent, '.');
		device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
		check_refusal("an unsigned consent (alg none)", &r, 403, NULL);
		http_client_response_clear(&r);
	}
	/* the listing with another's consent lists nothing */
	buf_reset(&consent);
	device_consent(a, &(struct consent_claims){.sub = b}, &consent);
	device_send(a, &(struct call){.path = "/v1/documents", .consent = buf_str(&consent)}, &r);
	CHECK(r.status == 403 || (r.status == 200 && !body_has(&r, "document_number")),
	      "the listing with a consent naming another person listed documents (%ld)", r.status);
	CHECK(r.status < 500, "the listing with another's consent answered %ld", r.status);
	http_client_response_clear(&r);
	/* report-lost with another's consent changes nothing */
	device_send(a,
		    &(struct call){.method = "POST",
				   .path = "/v1/documents/driver_licence/report-lost",
				   .consent = buf_str(&consent)},
		    &r);
	check_refusal("report-lost with a consent naming another person", &r, 403, NULL);
	http_client_response_clear(&r);
	buf_clear(&consent);
	buf_clear(&proof);
	device_clear(&e);
	finish();
}

/* A's token with its payload's "sub" replaced by other, A's MAC kept. */
static void forge_token(const char *token, const char *other, char *out, size_t size)
{
	const char *dot = strrchr(token, '.');
	struct buf text, encoded;
	json_t *payload;

	buf_init(&text, 4096);
	buf_init(&encoded, 4096);
	assert_int_equal(base64_decode(token + 3, (size_t)(dot - token - 3), BASE64_URL, &text),
			 HR_OK);
	payload = json_loadb((const char *)text.data, text.len, 0, NULL);
	assert_non_null(payload);
	json_object_set_new(payload, "sub", json_string(other));
	b64url_json(payload, &encoded);
	snprintf(out, size, "DPoP v1.%s%s", buf_str(&encoded), dot);
	json_decref(payload);
	buf_clear(&text);
	buf_clear(&encoded);
}

/* No B secret (person id digits, document numbers) in r. */
static void check_nothing_of(const char *what, const struct http_client_response *r,
			     const char *b_person, const json_t *b_numbers)
{
	const json_t *n;
	size_t i;

	CHECK(!body_has(r, b_person + 3), "%s: the answer holds B's person id", what);
	json_array_foreach(b_numbers, i, n)
	    CHECK(!body_has(r, json_string_value(n)), "%s: the answer holds B's document %s", what,
		  json_string_value(n));
}

/* Issue 13: a consent names its document types and the member it is given to.
 * Citizen A's consent for the driving licence fetches the licence and nothing
 * else; a consent naming every type with "*" and one given to the bank are
 * refused with the gateway's JSON error. */
static void test_consent_for_one_type_refused_for_another(void **unused)
{
	struct device *a = device_a();
	struct http_client_response r;
	struct buf consent;
	const char *error_message;
	json_t *body;

	(void)unused;
	buf_init(&consent, 8192);
	device_consent(a, &(struct consent_claims){.doc = "driver_licence"}, &consent);
	device_send(
	    a, &(struct call){.path = "/v1/documents/driver_licence", .consent = buf_str(&consent)},
	    &r);
	check_status("the licence with a consent for the licence", &r, 200);
	http_client_response_clear(&r);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		char path[128], what[200];

		if (strcmp(document_types[t], "driver_licence") == 0)
			continue;
		snprintf(path, sizeof(path), "/v1/documents/%s", document_types[t]);
		device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
		snprintf(what, sizeof(what), "%s with a consent for the licence only",
			 document_types[t]);
		if (r.status == 404 && !body_has(&r, "consent")) {
			/* no registry of that type in this country: nothing to ask */
			http_client_response_clear(&r);
			continue;
		}
		check_refusal(what, &r, 403, "consent_invalid");
		body = slice_response_json(&r);
		error_message =
		    json_string_value(json_object_get(json_object_get(body, "error"), "message"));
		CHECK(error_message != NULL && strstr(error_message, document_types[t]) != NULL,
		      "%s: the refusal does not name the type (%s)", what,
		      error_message ? error_message : "no message");
		json_decref(body);
		http_client_response_clear(&r);
	}
	/* the list asks every registry: a one-type consent lists nothing else */
	device_send(a, &(struct call){.path = "/v1/documents", .consent = buf_str(&consent)}, &r);
	body = slice_response_json(&r);
	{
		json_t *entry;
		size_t i;
		json_array_foreach(json_object_get(body, "documents"), i, entry)
		{
			const char *type = json_string_value(json_object_get(entry, "type"));
			CHECK(type == NULL || strcmp(type, "driver_licence") == 0 ||
				  json_object_get(entry, "document_number") == NULL,
			      "the listing with a licence-only consent listed a %s", type);
		}
	}
	json_decref(body);
	http_client_response_clear(&r);
	/* "*" is no longer a document type */
	buf_reset(&consent);
	device_consent(a, &(struct consent_claims){.doc = "*"}, &consent);
	device_send(
	    a, &(struct call){.path = "/v1/documents/driver_licence", .consent = buf_str(&consent)},
	    &r);
	check_refusal("a consent naming every type with *", &r, 403, "consent_invalid");
	http_client_response_clear(&r);
	/* given to the bank, not to the wallet relaying it */
	buf_reset(&consent);
	device_consent(
	    a, &(struct consent_claims){.doc = "driver_licence", .aud = "UA/COM/14360570/bank"},
	    &consent);
	device_send(
	    a, &(struct call){.path = "/v1/documents/driver_licence", .consent = buf_str(&consent)},
	    &r);
	check_refusal("a consent given to another member", &r, 403, "consent_invalid");
	http_client_response_clear(&r);
	buf_clear(&consent);
	finish();
}

static void test_citizen_a_never_gets_citizen_bs_documents(void **unused)
{
	const char *path = "/v1/documents/driver_licence";
	struct http_client_response r;
	struct device *a = device_a(), b, a_pl;
	struct buf proof, consent;
	json_t *b_numbers = json_array(), *a_numbers = json_array(), *answer;
	char url[4800], auth[2200], query[200], body[200], b_dl[64], b_dl_status[32], status[32],
	    number[64], a_code[16], b_code[16], key[1024];
	const json_t *n;
	size_t i;

	(void)unused;
	device_init(&b, person_b(), endpoint("UA", "wallet"));
	assert_string_not_equal(a->person, b.person);
	device_enrol(&b, http, state);
	buf_init(&proof, 8192);
	buf_init(&consent, 8192);
	snprintf(url, sizeof(url), "%s%s", a->wallet, path);
	list_numbers(&b, b_numbers);
	list_numbers(a, a_numbers);
	assert_true(json_array_size(b_numbers) > 0);
	first_document(&b, "driver_licence", b_dl, sizeof(b_dl), b_dl_status, sizeof(b_dl_status));
	json_array_foreach(a_numbers, i, n)
	{
		const json_t *m;
		size_t j;
		json_array_foreach(b_numbers, j, m) CHECK(
		    !json_equal(n, m), "A's listing holds B's number %s", json_string_value(m));
	}

	/* A's token with B's key, B's token with A's key */
	device_proof(&b, "GET", url, a->token, (int64_t)time(NULL), &proof);
	device_consent(&b, NULL, &consent);
	device_send(
	    a, &(struct call){.path = path, .proof = buf_str(&proof), .consent = buf_str(&consent)},
	    &r);
	check_dpop_refusal("A's token, B's proof and consent", &r);
	check_nothing_of("A's token, B's proof and consent", &r, b.person, b_numbers);
	http_client_response_clear(&r);
	buf_reset(&proof);
	device_proof(&b, "GET", url, a->token, (int64_t)time(NULL), &proof);
	device_send(a, &(struct call){.path = path, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("A's token and consent, B's proof", &r);
	http_client_response_clear(&r);
	buf_reset(&proof);
	snprintf(auth, sizeof(auth), "DPoP %s", b.token);
	device_proof(a, "GET", url, b.token, (int64_t)time(NULL), &proof);
	device_send(
	    a, &(struct call){.path = path, .authorization = auth, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("B's token with A's proof and consent", &r);
	check_nothing_of("B's token with A's proof and consent", &r, b.person, b_numbers);
	http_client_response_clear(&r);

	/* A, authenticated, relaying B's consent, or a consent of A's key naming B */
	buf_reset(&consent);
	device_consent(&b, NULL, &consent);
	device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
	check_refusal("A with B's consent", &r, 403, NULL);
	check_nothing_of("A with B's consent", &r, b.person, b_numbers);
	http_client_response_clear(&r);
	buf_reset(&consent);
	device_consent(a, &(struct consent_claims){.sub = b.person}, &consent);
	device_send(a, &(struct call){.path = path, .consent = buf_str(&consent)}, &r);
	check_refusal("A with a consent naming B", &r, 403, NULL);
	check_nothing_of("A with a consent naming B", &r, b.person, b_numbers);
	http_client_response_clear(&r);

	/* the listing, with B's consent or B's proof */
	buf_reset(&consent);
	device_consent(&b, NULL, &consent);
	device_send(a, &(struct call){.path = "/v1/documents", .consent = buf_str(&consent)}, &r);
	check_refusal("A's listing with B's consent", &r, 403, NULL);
	check_nothing_of("A's listing with B's consent", &r, b.person, b_numbers);
	http_client_response_clear(&r);
	snprintf(url, sizeof(url), "%s/v1/documents", a->wallet);
	buf_reset(&proof);
	device_proof(&b, "GET", url, a->token, (int64_t)time(NULL), &proof);
	device_send(a, &(struct call){.path = "/v1/documents", .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("A's listing with B's proof", &r);
	check_nothing_of("A's listing with B's proof", &r, b.person, b_numbers);
	http_client_response_clear(&r);
	snprintf(url, sizeof(url), "%s%s", a->wallet, path);

	/* B's document number, asked for or reported lost by A */
	snprintf(query, sizeof(query), "number=%s", b_dl);
	device_send(a, &(struct call){.path = path, .query = query}, &r);
	check_refusal("A asking for B's document number", &r, 404, NULL);
	check_nothing_of("A asking for B's document number", &r, b.person, b_numbers);
	http_client_response_clear(&r);
	snprintf(body, sizeof(body), "{\"document_number\":\"%s\"}", b_dl);
	device_send(a,
		    &(struct call){.method = "POST",
				   .path = "/v1/documents/driver_licence/report-lost",
				   .body = body},
		    &r);
	check_refusal("A reporting B's document lost", &r, 404, NULL);
	http_client_response_clear(&r);
	first_document(&b, "driver_licence", number, sizeof(number), status, sizeof(status));
	CHECK(strcmp(status, b_dl_status) == 0,
	      "B's driver licence went from %s to %s after A reported it lost", b_dl_status,
	      status);
	/* a person in the query is not who asks */
	snprintf(query, sizeof(query), "person=%s", b.person);
	device_send(a, &(struct call){.path = path, .query = query}, &r);
	check_status("A with ?person=B", &r, 200);
	check_nothing_of("A with ?person=B", &r, b.person, b_numbers);
	http_client_response_clear(&r);

	/* tokens that are not what the wallet made */
	forge_token(a->token, b.person, auth, sizeof(auth));
	buf_reset(&proof);
	device_proof(a, "GET", url, auth + 5, (int64_t)time(NULL), &proof);
	device_send(
	    a, &(struct call){.path = path, .authorization = auth, .proof = buf_str(&proof)}, &r);
	check_dpop_refusal("A's token rewritten to name B", &r);
	check_nothing_of("A's token rewritten to name B", &r, b.person, b_numbers);
	http_client_response_clear(&r);
	/* A's UA token at the Polish wallet */
	snprintf(url, sizeof(url), "%s%s", endpoint("PL", "wallet"), path);
	buf_reset(&proof);
	device_proof(a, "GET", url, a->token, (int64_t)time(NULL), &proof);
	device_send(a,
		    &(struct call){
			.path = path, .proof = buf_str(&proof), .wallet = endpoint("PL", "wallet")},
		    &r);
	check_dpop_refusal("A's UA token at the PL wallet", &r);
	http_client_response_clear(&r);
	/* a PL citizen's token at the UA wallet */
	device_init(&a_pl, demo_person("PL", "driver_licence", 1), endpoint("PL", "wallet"));
	device_enrol(&a_pl, http, state);
	snprintf(url, sizeof(url), "%s%s", endpoint("UA", "wallet"), path);
	buf_reset(&proof);
	device_proof(&a_pl, "GET", url, a_pl.token, (int64_t)time(NULL), &proof);
	device_send(&a_pl,
		    &(struct call){
			.path = path, .proof = buf_str(&proof), .wallet = endpoint("UA", "wallet")},
		    &r);
	check_dpop_refusal("a PL token at the UA wallet", &r);
	http_client_response_clear(&r);

	/* enrolling A's key as B with A's code */
	start_and_read_code(a->person, a_code);
	start_and_read_code(b.person, b_code);
	if (strcmp(a_code, b_code) != 0) {
		jwk_text(a->jwk, key, sizeof(key));
		enrol_finish(b.person, a_code, key, NULL, &r);
		check_refusal("B enrolled with A's code and key", &r, 400, "invalid_grant");
		CHECK(!body_has(&r, "access_token"), "A's code enrolled a device for B");
		http_client_response_clear(&r);
	}

	/* and what A may see is A's own */
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		char p[128], what[200];
		snprintf(p, sizeof(p), "/v1/documents/%s", document_types[t]);
		device_send(a, &(struct call){.path = p}, &r);
		snprintf(what, sizeof(what), "A's own %s", document_types[t]);
		CHECK(r.status == 200 || r.status == 404 || r.status == 409, "%s: answered %ld",
		      what, r.status);
		if (r.status == 200) {
			const char *id;
			answer = slice_response_json(&r);
			id = json_string_value(
			    json_object_get(json_object_get(answer, "document"), "person_id"));
			CHECK(id != NULL && strcmp(id, a->person) == 0, "%s: the document is of %s",
			      what, id ? id : "nobody");
			json_decref(answer);
		}
		check_nothing_of(what, &r, b.person, b_numbers);
		http_client_response_clear(&r);
	}
	json_decref(a_numbers);
	json_decref(b_numbers);
	buf_clear(&proof);
	buf_clear(&consent);
	device_clear(&b);
	device_clear(&a_pl);
	finish();
}

/* --- the gateway, called by members directly ---------------------------------------- */

static void test_gateway_refuses_bad_member_requests(void **unused)
{
	const struct country_members *ua = country_members("UA");
	struct http_client_response r;
	struct member_wire wire;
	struct device *a;
	struct buf consent;
	char keys[400], url[600], body[128], bad[16], bad_body[128], ghost_url[600], what[200],
	    wallet_body[128];
	const char *police_basis[4][2] = {{"Hromada-Client", ua->police},
					  {"Hromada-Purpose", "police-document-check"},
					  {"Hromada-User", "UA:officer-1234"},
					  {"Hromada-Issue", "roadside check 2026/17"}};
	struct http_header police[4], headers[6];
	struct member_request m;
	const char *person = person_a();
	const char *b = person_b();

	(void)unused;
	for (int i = 0; i < 4; i++)
		police[i] = (struct http_header){police_basis[i][0], police_basis[i][1]};
	keys_of("UA", keys, sizeof(keys));
	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/driver_licence/lookup",
		 endpoint("UA", "gateway"));
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", person);
	m = (struct member_request){.keys_dir = keys,
				    .key_of = ua->police,
				    .url = url,
				    .headers = police,
				    .header_count = 4,
				    .body = body};

	/* control: the police, properly */
	member_send(http, &m, &r);
	check_status("the police, properly", &r, 200);
	http_client_response_clear(&r);

	/* unsigned */
	{
		struct member_request u = m;
		u.key_of = NULL;
		member_send(http, &u, &r);
		check_refusal("an unsigned request", &r, 401, NULL);
		http_client_response_clear(&r);
		u.header_count = 2; /* no Hromada-User */
		member_send(http, &u, &r);
		check_refusal("an unsigned request without Hromada-User", &r, 400, NULL);
		http_client_response_clear(&r);
	}
	/* signed by another member than Hromada-Client names */
	{
		struct member_request s = m;
		s.key_of = ua->bank;
		member_send(http, &s, &r);
		check_refusal("signed by the bank as the bank, naming the police", &r, 401, NULL);
		http_client_response_clear(&r);
		s.keyid = ua->police;
		member_send(http, &s, &r);
		check_refusal("signed with the bank's key under the police's keyid", &r, 401, NULL);
		http_client_response_clear(&r);
		s.keyid = "UA/GOV/99999999/ghost";
		member_send(http, &s, &r);
		check_refusal("signed under the keyid of no member", &r, 401, NULL);
		http_client_response_clear(&r);
	}
	/* unknown providers and malformed paths */
	{
		const char *targets[] = {"/x/UA/GOV/00015622/passport_of_atlantis/lookup",
					 "/x/UA/GOV/99999999/driver_licence/lookup",
					 "/x/XX/GOV/00015622/driver_licence/lookup",
					 "/x/UA/GOV/00015622/driver_licence",
					 "/x/UA/GOV/lookup",
					 "/x/ua/gov/00015622/driver_licence/lookup",
					 "/x/UA/GOV/00015622/driver_licence/lookup/more",
					 NULL};
		for (int i = 0; targets[i] != NULL; i++) {
			struct member_request t = m;
			snprintf(ghost_url, sizeof(ghost_url), "%s%s", endpoint("UA", "gateway"),
				 targets[i]);
			t.url = ghost_url;
			member_send(http, &t, &r);
			snprintf(what, sizeof(what), "POST %s", targets[i]);
			check_refusal(what, &r, 404, NULL);
			http_client_response_clear(&r);
		}
		/* a service the provider does not offer */
		snprintf(ghost_url, sizeof(ghost_url),
			 "%s/x/UA/GOV/00015622/driver_licence/delete-everything",
			 endpoint("UA", "gateway"));
		m.url = ghost_url;
		member_send(http, &m, &r);
		check_refusal("a service nobody offers", &r, 0, NULL);
		http_client_response_clear(&r);
		m.url = url;
	}
	/* bodies that are not JSON objects, persons that are not valid */
	{
		const char *bodies[] = {"not json", "{\"person\":",
					"[]",       "\"UA:3012345670\"",
					"",         "{\"person\":\"x\",\"person\":\"y\"}",
					NULL};
		for (int i = 0; bodies[i] != NULL; i++) {
			struct member_request j = m;
			j.body = bodies[i];
			member_send(http, &j, &r);
			snprintf(what, sizeof(what), "the police with body '%s'", bodies[i]);
			check_refusal(what, &r, 400, NULL);
			http_client_response_clear(&r);
		}
		bad_check_digit(person, bad);
		snprintf(bad_body, sizeof(bad_body), "{\"person\":\"%s\"}", bad);
		{
			const char *persons[] = {bad_body, "{\"person\":\"UA:301234567\"}",
						 "{\"person\":\"PL:99130100005\"}",
						 "{\"person\":\"UA:\"}", NULL};
			for (int i = 0; persons[i] != NULL; i++) {
				struct member_request j = m;
				j.body = persons[i];
				member_send(http, &j, &r);
				snprintf(what, sizeof(what), "the police with %s", persons[i]);
				check_refusal(what, &r, 400, NULL);
				http_client_response_clear(&r);
			}
		}
		/* a person that is not a string reaches the registry, which refuses it */
		{
			const char *persons[] = {"{\"person\":42}", "{\"person\":null}", "{}",
						 "{\"person\":[\"UA:3012345670\"]}", NULL};
			for (int i = 0; persons[i] != NULL; i++) {
				struct member_request j = m;
				j.body = persons[i];
				member_send(http, &j, &r);
				snprintf(what, sizeof(what), "the police with %s", persons[i]);
				check_refusal(what, &r, 400, NULL);
				http_client_response_clear(&r);
			}
		}
		{
			struct member_request j = m;
			j.content_type = "text/plain";
			member_send(http, &j, &r);
			check_refusal("the police as text/plain", &r, 415, NULL);
			http_client_response_clear(&r);
		}
	}
	/* replays: the same request twice, or a new one with a nonce already used */
	member_sign(&m, &wire);
	member_wire_send(http, &m, &wire, &r);
	check_status("a signed request, first time", &r, 200);
	http_client_response_clear(&r);
	member_wire_send(http, &m, &wire, &r);
	check_refusal("the same signed request again", &r, 401, NULL);
	http_client_response_clear(&r);
	member_wire_clear(&wire);
	{
		struct member_request again = m;
		again.nonce = "a-nonce-used-once-only-0001";
		member_send(http, &again, &r);
		check_status("a request with a new nonce", &r, 200);
		http_client_response_clear(&r);
		member_send(http, &again, &r);
		check_refusal("another request with the same nonce", &r, 401, NULL);
		http_client_response_clear(&r);
	}
	/* missing Hromada-* headers, signed */
	{
		struct member_request h = m;
		for (int skip = 0; skip < 3; skip++) {
			size_t k = 0;
			for (int i = 0; i < 4; i++)
				if (i != skip)
					headers[k++] = police[i];
			h.headers = headers;
			h.header_count = k;
			member_send(http, &h, &r);
			snprintf(what, sizeof(what), "a signed request without %s",
				 police[skip].name);
			check_refusal(what, &r, 400, NULL);
			http_client_response_clear(&r);
		}
		headers[0] = (struct http_header){"Hromada-Client", "the police"};
		headers[1] = police[1];
		headers[2] = police[2];
		h.headers = headers;
		h.header_count = 3;
		member_send(http, &h, &r);
		check_refusal("Hromada-Client that is not a member id", &r, 400, NULL);
		http_client_response_clear(&r);
	}
	/* what the signature does not cover, or no longer matches */
	{
		struct member_request s = m;
		struct http_header extra = {"Hromada-Consent", "eyJ9.eyJ9.AAAA"};
		s.header_count = 3; /* Hromada-Issue sent unsigned */
		s.unsigned_headers = &police[3];
		s.unsigned_count = 1;
		member_send(http, &s, &r);
		check_refusal("Hromada-Issue not covered by the signature", &r, 401, NULL);
		http_client_response_clear(&r);
		s = m;
		s.unsigned_headers = &extra;
		s.unsigned_count = 1;
		member_send(http, &s, &r);
		check_refusal("Hromada-Consent not covered by the signature", &r, 401, NULL);
		http_client_response_clear(&r);
		s = m;
		snprintf(bad_body, sizeof(bad_body), "{\"person\":\"%s\"}", b);
		s.sent_body = bad_body;
		member_send(http, &s, &r);
		check_refusal("a body changed after signing", &r, 401, NULL);
		check_nothing_of("a body changed after signing", &r, b, NULL);
		http_client_response_clear(&r);
		s = m;
		s.created = (int64_t)time(NULL) - 400;
		member_send(http, &s, &r);
		check_refusal("a signature made 400 s ago", &r, 401, NULL);
		http_client_response_clear(&r);
		s.created = (int64_t)time(NULL) + 120;
		member_send(http, &s, &r);
		check_refusal("a signature made 120 s ahead", &r, 401, NULL);
		http_client_response_clear(&r);
	}
	/* no right: the bank; the police beyond their right */
	{
		struct member_request s = m;
		headers[0] = (struct http_header){"Hromada-Client", ua->bank};
		for (int i = 1; i < 4; i++)
			headers[i] = police[i];
		s.key_of = ua->bank;
		s.headers = headers;
		member_send(http, &s, &r);
		check_refusal("the bank", &r, 403, NULL);
		http_client_response_clear(&r);
		snprintf(ghost_url, sizeof(ghost_url),
			 "%s/x/UA/GOV/00015622/driver_licence/report-lost",
			 endpoint("UA", "gateway"));
		s = m;
		s.url = ghost_url;
		member_send(http, &s, &r);
		check_refusal("the police reporting a licence lost", &r, 403, NULL);
		http_client_response_clear(&r);
	}
	/* the wallet's right needs the consent of the person asked about */
	a = device_a();
	buf_init(&consent, 8192);
	device_consent(a, NULL, &consent);
	{
		struct member_request w = m;
		headers[0] = (struct http_header){"Hromada-Client", ua->wallet};
		headers[1] = (struct http_header){"Hromada-Purpose", "citizen-wallet"};
		headers[2] = (struct http_header){"Hromada-User", "self"};
		headers[3] = (struct http_header){"Hromada-Consent", buf_str(&consent)};
		w.key_of = ua->wallet;
		w.headers = headers;
		w.header_count = 4;
		snprintf(wallet_body, sizeof(wallet_body), "{\"person\":\"%s\"}", b);
		w.body = wallet_body;
		member_send(http, &w, &r);
		check_refusal("the wallet asking about B with A's consent", &r, 403, NULL);
		check_nothing_of("the wallet asking about B with A's consent", &r, b, NULL);
		http_client_response_clear(&r);
		w.header_count = 3;
		member_send(http, &w, &r);
		check_refusal("the wallet asking about B without consent", &r, 403,
			      "consent_required");
		http_client_response_clear(&r);
		w.header_count = 4;
		w.body = "{}";
		member_send(http, &w, &r);
		check_refusal("the wallet naming no person", &r, 403, NULL);
		http_client_response_clear(&r);
		/* control: A's consent for A */
		w.body = body;
		member_send(http, &w, &r);
		check_status("the wallet with A's consent for A", &r, 200);
		http_client_response_clear(&r);
	}
	buf_clear(&consent);
	finish();
}

/*
 * The consent's device must be one the wallet enrolled (its attestation): a
 * member holding a consent-based right — here the wallet's member key, sent to
 * the gateway directly — cannot make consents with keys of its own.
 */
static void test_consents_need_a_device_the_wallet_enrolled(void **unused)
{
	const struct country_members *ua = country_members("UA");
	struct device *a = device_a(), e;
	struct http_client_response r;
	struct http_header headers[4];
	struct member_request w;
	struct signer *police = NULL;
	struct hr_error err = {0};
	struct buf consent, att;
	char keys[400], url[600], body[128], body_b[128], e_jkt[JOSE_THUMBPRINT_LEN];
	char key_path[800], cert_path[800], member_dir[700];
	int64_t now = (int64_t)time(NULL);

	(void)unused;
	keys_of("UA", keys, sizeof(keys));
	snprintf(url, sizeof(url), "%s/x/UA/GOV/00015622/driver_licence/lookup",
		 endpoint("UA", "gateway"));
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", person_a());
	snprintf(body_b, sizeof(body_b), "{\"person\":\"%s\"}", person_b());
	headers[0] = (struct http_header){"Hromada-Client", ua->wallet};
	headers[1] = (struct http_header){"Hromada-Purpose", "citizen-wallet"};
	headers[2] = (struct http_header){"Hromada-User", "self"};
	w = (struct member_request){.keys_dir = keys,
				    .key_of = ua->wallet,
				    .url = url,
				    .headers = headers,
				    .header_count = 4,
				    .body = body};
	device_init(&e, a->person, endpoint("UA", "wallet")); /* a key nobody enrolled */
	assert_int_equal(jose_jwk_thumbprint(e.jwk, e_jkt, NULL), HR_OK);
	buf_init(&consent, 8192);
	buf_init(&att, 4096);

	/* control: A's enrolled device */
	device_consent(a, NULL, &consent);
	headers[3] = (struct http_header){"Hromada-Consent", buf_str(&consent)};
	member_send(http, &w, &r);
	check_status("a consent by A's enrolled device", &r, 200);
	http_client_response_clear(&r);

	buf_reset(&consent);
	device_consent(&e, NULL, &consent);
	headers[3] = (struct http_header){"Hromada-Consent", buf_str(&consent)};
	member_send(http, &w, &r);
	check_refusal("a consent without a device attestation", &r, 403, "consent_invalid");
	http_client_response_clear(&r);

	buf_reset(&consent);
	device_consent(&e, &(struct consent_claims){.attestation = a->attestation}, &consent);
	headers[3] = (struct http_header){"Hromada-Consent", buf_str(&consent)};
	member_send(http, &w, &r);
	check_refusal("A's attestation in a consent signed by another key", &r, 403,
		      "consent_invalid");
	http_client_response_clear(&r);

	/* the police's key is a member's, but not one that enrols devices */
	country_member_dir(keys, ua->police, member_dir, sizeof(member_dir));
	snprintf(key_path, sizeof(key_path), "%s/key.pem", member_dir);
	snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", member_dir);
	assert_int_equal(signer_open_files(key_path, cert_path, &police, &err), HR_OK);
	assert_int_equal(
	    consent_attest_device(police, ua->police, a->person, e_jkt, now, 3600, &att, &err),
	    HR_OK);
	buf_reset(&consent);
	device_consent(&e, &(struct consent_claims){.attestation = buf_str(&att)}, &consent);
	headers[3] = (struct http_header){"Hromada-Consent", buf_str(&consent)};
	member_send(http, &w, &r);
	check_refusal("a device attested by a member that does not enrol devices", &r, 403,
		      "consent_invalid");
	http_client_response_clear(&r);

	/* ... nor may it pass off its attestation as the wallet's */
	buf_reset(&att);
	{
		char jti[32];
		random_id(jti);
		jws(police, json_pack("{s:s,s:s}", "typ", "hromada-device+jwt", "kid", ua->wallet),
		    json_pack("{s:s,s:s,s:{s:s},s:I,s:I}", "iss", ua->wallet, "sub", a->person,
			      "cnf", "jkt", e_jkt, "iat", (json_int_t)now, "exp",
			      (json_int_t)(now + 3600)),
		    &att);
	}
	buf_reset(&consent);
	device_consent(&e, &(struct consent_claims){.attestation = buf_str(&att)}, &consent);
	headers[3] = (struct http_header){"Hromada-Consent", buf_str(&consent)};
	member_send(http, &w, &r);
	check_refusal("an attestation claiming the wallet, signed by the police", &r, 403,
		      "consent_invalid");
	http_client_response_clear(&r);

	/* A's device, attested for A, consenting about B */
	buf_reset(&consent);
	device_consent(a, &(struct consent_claims){.sub = person_b()}, &consent);
	headers[3] = (struct http_header){"Hromada-Consent", buf_str(&consent)};
	w.body = body_b;
	member_send(http, &w, &r);
	check_refusal("A's device consenting about B", &r, 403, "consent_invalid");
	http_client_response_clear(&r);

	signer_free(police);
	buf_clear(&att);
	buf_clear(&consent);
	device_clear(&e);
	finish();
}

/* --- the registries, bypassing the gateway -------------------------------------------- */

static void test_registries_answer_only_the_gateway(void **unused)
{
	const char *const nations[] = {"UA", "PL"};
	struct http_client_response r;
	char what[300];

	(void)unused;
	for (int c = 0; c < 2; c++) {
		const struct country_members *cm = country_members(nations[c]);
		const char *person = demo_person(nations[c], NULL, 0);
		const char *type;
		json_t *url;
		char keys[400], body[128], target[600], self[128];
		struct http_header h[3] = {{"Hromada-Client", cm->wallet},
					   {"Hromada-Purpose", "citizen-wallet"},
					   {"Hromada-User", "self"}};

		keys_of(nations[c], keys, sizeof(keys));
		snprintf(body, sizeof(body), "{\"person\":\"%s\",\"document_number\":\"X1\"}",
			 person);
		json_object_foreach(
		    json_object_get(json_object_get(endpoints, nations[c]), "registries"), type,
		    url)
		{
			const char *services[] = {"lookup", "status", "report-lost"};
			country_registry_member(cm, type, self, sizeof(self));
			for (int s = 0; s < 3; s++) {
				const char *signers[] = {NULL,     cm->wallet, cm->police,
							 cm->bank, self,       cm->wallet};
				const char *keyids[] = {NULL, NULL, NULL, NULL, NULL, cm->gateway};
				snprintf(target, sizeof(target), "%s/v1/%s", json_string_value(url),
					 services[s]);
				for (int k = 0; k < 6; k++) {
					struct member_request m = {.keys_dir = keys,
								   .key_of = signers[k],
								   .keyid = keyids[k],
								   .url = target,
								   .headers = h,
								   .header_count = 3,
								   .body = body};
					member_send(http, &m, &r);
					snprintf(what, sizeof(what), "%s %s/%s signed by %s as %s",
						 nations[c], type, services[s],
						 signers[k] ? signers[k] : "nobody",
						 keyids[k] ? keyids[k] : "its own id");
					check_refusal(what, &r, 401, NULL);
					check_nothing_of(what, &r, person, NULL);
					http_client_response_clear(&r);
				}
			}
		}
		/* control: what the gateway signs for a registry is answered, once;
		 * the same signed for another registry is refused there */
		{
			struct member_wire wire;
			char provider[128];
			struct http_header hp[4] = {
			    h[0], h[1], h[2], {"Hromada-Provider", provider}};
			struct member_request m = {.keys_dir = keys,
						   .key_of = cm->gateway,
						   .url = target,
						   .headers = hp,
						   .header_count = 4,
						   .body = body};
			snprintf(target, sizeof(target), "%s/v1/lookup",
				 json_string_value(json_object_get(
				     json_object_get(json_object_get(endpoints, nations[c]),
						     "registries"),
				     "id_card")));
			country_registry_member(cm, "driver_licence", provider, sizeof(provider));
			member_sign(&m, &wire);
			member_wire_send(http, &m, &wire, &r);
			snprintf(what, sizeof(what), "%s id_card lookup signed for driver_licence",
				 nations[c]);
			check_refusal(what, &r, 401, NULL);
			check_nothing_of(what, &r, person, NULL);
			http_client_response_clear(&r);
			member_wire_clear(&wire);
			country_registry_member(cm, "id_card", provider, sizeof(provider));
			member_sign(&m, &wire);
			member_wire_send(http, &m, &wire, &r);
			snprintf(what, sizeof(what), "%s id_card lookup signed by the gateway",
				 nations[c]);
			check_status(what, &r, 200);
			http_client_response_clear(&r);
			member_wire_send(http, &m, &wire, &r);
			snprintf(what, sizeof(what), "%s id_card lookup replayed", nations[c]);
			check_refusal(what, &r, 401, NULL);
			check_nothing_of(what, &r, person, NULL);
			http_client_response_clear(&r);
			member_wire_clear(&wire);
		}
	}
	finish();
}

/* --- headers too big ----------------------------------------------------------------- */

/*
 * Requests whose headers grow past the servers' header budget get 431 from
 * libmicrohttpd (docs/ARCHITECTURE.md, "HTTP layer"); below it, the handler's
 * answer. Either way an answer: never a connection closed in silence.
 */
static void test_oversized_headers_always_get_an_answer(void **unused)
{
	uint16_t port = tk_url_port(endpoint("UA", "wallet"));
	size_t size = 64 * 1024;
	char *request = malloc(size), out[4096];
	int silent = 0, first = 0, last = 0;

	(void)unused;
	assert_non_null(request);
	for (int n = 14000; n <= 26000; n += 25) {
		int head = snprintf(request, size,
				    "GET /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				    "Authorization: DPoP ");
		int status;
		memset(request + head, 'a', (size_t)n);
		snprintf(request + head + n, size - (size_t)(head + n), "\r\n\r\n");
		status = tk_raw_exchange(port, request, out, sizeof(out));
		if (status == 0) {
			if (silent++ == 0)
				first = n;
			last = n;
		} else {
			CHECK(status >= 400 && status < 500,
			      "a %d-byte Authorization header answered %d", n, status);
		}
	}
	CHECK(silent == 0,
	      "%d requests with an Authorization header of %d to %d bytes got no answer at all "
	      "(the connection closed in silence)",
	      silent, first, last);
	free(request);
	finish();
}

/*
 * Codes go to citizens: one client may start only so many enrolments an hour,
 * whoever it names (here every start names another person, so the limit per
 * person never plays). Runs last: it spends this address's budget at the UA
 * wallet, whatever the tests before it left of it.
 */
static void test_enrol_start_limits_starts_per_client_address(void **unused)
{
	struct http_client_response r;
	const char *retry;
	char ghost[16], what[200];
	int accepted = 0;
	long status = 0;

	(void)unused;
	for (int i = 0; i <= PLATFORM_UP_ENROL_STARTS_PER_CLIENT_HOUR; i++) {
		nobody("UA", 2000u + (unsigned)i, ghost);
		status = enrol_start(ghost, &r);
		if (status != 202)
			break;
		accepted++;
		http_client_response_clear(&r);
	}
	snprintf(what, sizeof(what), "enrol/start after %d accepted from one address", accepted);
	check_refusal(what, &r, 429, "rate_limited");
	CHECK(r.body.data != NULL && strstr((const char *)r.body.data, "address") != NULL,
	      "%s: the 429 does not say the address is the limit", what);
	retry = http_client_response_header(&r, "retry-after");
	CHECK(retry != NULL && atoi(retry) > 0 && atoi(retry) <= 3600,
	      "%s: Retry-After is '%s', not 1..3600 seconds", what, retry ? retry : "");
	http_client_response_clear(&r);
	/* a citizen who never asked is refused the same: the budget is the address's */
	enrol_start(person_last(), &r);
	check_refusal("enrol/start for a citizen once the address spent its budget", &r, 429,
		      "rate_limited");
	http_client_response_clear(&r);
	/* bad input is still told what is wrong: the budget is checked after it */
	{
		char bad[16];
		bad_check_digit(person_a(), bad);
		enrol_start(bad, &r);
		check_refusal("enrol/start with a bad check digit", &r, 400, NULL);
		http_client_response_clear(&r);
	}
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_enrol_start_refuses_bad_input, begin,
					    still_serving),
	    cmocka_unit_test_setup_teardown(test_oversized_bodies_are_413, begin, still_serving),
	    cmocka_unit_test_setup_teardown(test_enrol_start_answers_the_same_for_anyone, begin,
					    still_serving),
	    cmocka_unit_test_setup_teardown(test_enrol_start_forgets_stale_codes, begin,
					    still_serving),
	    cmocka_unit_test_setup_teardown(
		test_a_strangers_enrol_start_does_not_invalidate_the_citizens_code, begin,
		still_serving),
	    cmocka_unit_test_setup_teardown(
		test_enrolment_codes_are_never_written_in_clear_outside_the_outbox, begin,
		still_serving),
	    cmocka_unit_test_setup_teardown(test_wrong_codes_past_the_hourly_budget_lock_enrolment,
					    begin, still_serving),
	    cmocka_unit_test_setup_teardown(test_strangers_enrol_starts_cannot_lock_a_citizen_out,
					    begin, still_serving),
	    cmocka_unit_test_setup_teardown(test_enrol_finish_refuses_bad_input_and_bad_keys, begin,
					    still_serving),
	    cmocka_unit_test_setup(
		test_enrol_finish_attempts_are_limited_and_codes_bound_to_the_person, begin),
	    cmocka_unit_test_setup_teardown(test_document_requests_refuse_bad_input, begin,
					    still_serving),
	    cmocka_unit_test_setup_teardown(test_every_bad_dpop_proof_is_401_with_a_challenge,
					    begin, still_serving),
	    cmocka_unit_test_setup_teardown(test_every_bad_consent_is_403, begin, still_serving),
	    cmocka_unit_test_setup_teardown(test_consent_for_one_type_refused_for_another, begin,
					    still_serving),
	    cmocka_unit_test_setup_teardown(test_citizen_a_never_gets_citizen_bs_documents, begin,
					    still_serving),
	    cmocka_unit_test_setup_teardown(test_gateway_refuses_bad_member_requests, begin,
					    still_serving),
	    cmocka_unit_test_setup_teardown(test_consents_need_a_device_the_wallet_enrolled, begin,
					    still_serving),
	    cmocka_unit_test_setup_teardown(test_registries_answer_only_the_gateway, begin,
					    still_serving),
	    cmocka_unit_test_setup_teardown(test_oversized_headers_always_get_an_answer, begin,
					    still_serving),
	    cmocka_unit_test_setup_teardown(test_enrol_start_limits_starts_per_client_address,
					    begin, still_serving),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
