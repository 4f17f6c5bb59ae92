/*
 * slice.c — the device and member helpers of the slice's end-to-end tests.
 */
#include "testkit/testkit.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/documents.h"
#include "core/json.h"
#include "credential/signer.h"
#include "e2e/slice.h"
#include "exchange/consent.h"
#include "exchange/dpop.h"
#include "exchange/httpsig.h"
#include "exchange/jose.h"
#include "exchange/member.h"
#include "platform/country.h"

#define START_TIMEOUT_MS 240000

void slice_platform_dump_log(const struct slice_platform *p)
{
	char *text = tk_read_file(p->logfile, NULL);

	if (text != NULL) {
		size_t n = strlen(text);
		fprintf(stderr, "---- hromada up (last 4000 bytes) ----\n%s\n",
			n > 4000 ? text + n - 4000 : text);
		free(text);
	}
}

/* Spawns `hromada up` on p->state and waits for endpoints.json (which must not
 * exist yet), then loads it and demo.json. */
static void platform_spawn(struct slice_platform *p, char *const *extra)
{
	char path[400], *argv[32];
	int a = 0;

	argv[a++] = (char *)tk_hromada_binary();
	argv[a++] = "up";
	argv[a++] = "--state";
	argv[a++] = p->state;
	argv[a++] = "--port-base";
	argv[a++] = "0";
	argv[a++] = "--quiet";
	/* the whole log, one line per request too: tests read it (and check it
	 * holds no personal data) */
	argv[a++] = "--log-level";
	argv[a++] = "info";
	argv[a++] = "--population";
	argv[a++] = "3000";
	for (int i = 0; extra != NULL && extra[i] != NULL && a < 31; i++)
		argv[a++] = extra[i];
	argv[a] = NULL;
	p->exit_code = -1;
	p->pid = tk_spawn(argv, p->logfile);
	assert_true(p->pid > 0);
	snprintf(path, sizeof(path), "%s/endpoints.json", p->state);
	for (int waited = 0; waited < START_TIMEOUT_MS; waited += 200) {
		int code;
		if ((p->endpoints = json_load_file(path, 0, NULL)) != NULL)
			break;
		if (tk_wait_exit(p->pid, 0, &code)) {
			p->pid = 0;
			slice_platform_dump_log(p);
			fail_msg("hromada up exited with %d", code);
		}
		usleep(200 * 1000);
	}
	if (p->endpoints == NULL) {
		slice_platform_dump_log(p);
		fail_msg("hromada up did not come up");
	}
	snprintf(path, sizeof(path), "%s/demo.json", p->state);
	p->demo = json_load_file(path, 0, NULL);
	assert_non_null(p->demo);
}

void slice_platform_start(struct slice_platform *p, char *const *extra)
{
	memset(p, 0, sizeof(*p));
	tk_tmpdir(p->dir);
	snprintf(p->state, sizeof(p->state), "%s/state", p->dir);
	snprintf(p->logfile, sizeof(p->logfile), "%s/up.log", p->dir);
	platform_spawn(p, extra);
}

void slice_platform_restart(struct slice_platform *p, char *const *extra)
{
	char path[400];

	assert_int_equal(p->pid, 0); /* halted or killed first */
	json_decref(p->endpoints);
	json_decref(p->demo);
	p->endpoints = p->demo = NULL;
	/* a killed up leaves its endpoints.json behind: only a new one means "up again" */
	snprintf(path, sizeof(path), "%s/endpoints.json", p->state);
	if (unlink(path) != 0 && errno != ENOENT)
		fail_msg("cannot remove %s: %s", path, strerror(errno));
	platform_spawn(p, extra);
}

int slice_platform_halt(struct slice_platform *p)
{
	int code = -1;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	if (!tk_wait_exit(p->pid, 10000, &code)) {
		kill(p->pid, SIGKILL);
		tk_wait_exit(p->pid, 5000, &code);
		code = -1;
	}
	p->pid = 0;
	p->exit_code = code;
	return code;
}

void slice_platform_kill(struct slice_platform *p)
{
	int code = 0;

	assert_true(p->pid > 0);
	assert_int_equal(kill(p->pid, SIGKILL), 0);
	if (!tk_wait_exit(p->pid, 10000, &code))
		fail_msg("hromada up (pid %d) did not die of SIGKILL", (int)p->pid);
	p->pid = 0;
	p->exit_code = code;
}

int slice_platform_stop(struct slice_platform *p)
{
	int code = p->pid > 0 ? slice_platform_halt(p) : p->exit_code;

	json_decref(p->endpoints);
	json_decref(p->demo);
	p->endpoints = p->demo = NULL;
	if (code == 0)
		tk_rmrf(p->dir);
	else
		slice_platform_dump_log(p);
	return code == 0 ? 0 : -1;
}

void device_init(struct device *d, const char *person, const char *wallet_url)
{
	struct hr_error err = {0};
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	memset(d, 0, sizeof(*d));
	assert_non_null(key);
	snprintf(d->person, sizeof(d->person), "%s", person);
	snprintf(d->wallet, sizeof(d->wallet), "%s", wallet_url);
	assert_int_equal(signer_from_key(key, NULL, &d->key, &err), HR_OK);
	assert_int_equal(jose_key_to_jwk(key, &d->jwk, &err), HR_OK);
	EVP_PKEY_free(key);
}

void device_clear(struct device *d)
{
	signer_free(d->key);
	json_decref(d->jwk);
	memset(d, 0, sizeof(*d));
}

void device_consent(struct device *d, const struct consent_claims *claims, struct buf *out)
{
	struct consent_claims c = claims ? *claims : (struct consent_claims){0};
	struct hr_error err = {0};
	unsigned char nonce[12];
	char wallet_id[128] = "";
	struct buf jti;
	json_t *header, *payload, *docs = json_array();

	if (c.sub == NULL)
		c.sub = d->person;
	if (c.purpose == NULL)
		c.purpose = "citizen-wallet";
	if (c.doc != NULL) {
		json_array_append_new(docs, json_string(c.doc));
	} else {
		for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
			json_array_append_new(docs, json_string(document_types[t]));
		json_array_append_new(docs, json_string("access_log"));
		json_array_append_new(docs, json_string("leaks"));
	}
	if (c.iat == 0)
		c.iat = (int64_t)time(NULL);
	if (c.lifetime == 0)
		c.lifetime = 300;
	buf_init(&jti, 64);
	assert_int_equal(RAND_bytes(nonce, sizeof(nonce)), 1);
	assert_int_equal(base64_encode(nonce, sizeof(nonce), BASE64_URL, &jti), HR_OK);
	header = json_pack("{s:s,s:O}", "typ", "hromada-consent+jwt", "jwk", d->jwk);
	if (c.attestation == NULL)
		c.attestation = d->attestation;
	if (c.aud == NULL &&
	    consent_attestation_issuer(c.attestation, wallet_id, sizeof(wallet_id), NULL) == HR_OK)
		c.aud = wallet_id;
	payload =
	    json_pack("{s:s,s:s,s:s,s:o,s:I,s:I,s:s,s:s}", "sub", c.sub, "purpose", c.purpose,
		      "aud", c.aud ? c.aud : "", "docs", docs, "iat", (json_int_t)c.iat, "exp",
		      (json_int_t)(c.iat + c.lifetime), "jti", buf_str(&jti), "att", c.attestation);
	assert_int_equal(jose_jws_sign(d->key, header, payload, out, &err), HR_OK);
	json_decref(header);
	json_decref(payload);
	buf_clear(&jti);
}

void device_proof(struct device *d, const char *method, const char *url, const char *token,
		  int64_t iat, struct buf *out)
{
	struct hr_error err = {0};

	if (dpop_proof_make(d->key, method, url, token, iat, out, &err) != HR_OK)
		fail_msg("DPoP proof for %s %s: %s", method, url, err.message);
}

long slice_send(struct http_client *http, const char *method, const char *url,
		const struct http_header *headers, size_t count, const void *body, size_t body_len,
		struct http_client_response *response)
{
	struct http_client_request r = {0};
	struct hr_error err = {0};

	r.method = method;
	r.url = url;
	r.headers = headers;
	r.header_count = count;
	r.body = body;
	r.body_len = body_len;
	http_client_response_init(response);
	if (http_client_send(http, &r, response, &err) != HR_OK)
		fail_msg("%s %s: %s", method, url, err.message);
	return response->status;
}

json_t *slice_response_json(const struct http_client_response *response)
{
	return json_loadb((const char *)response->body.data, response->body.len, 0, NULL);
}

static long send_json(struct http_client *http, const char *method, const char *url,
		      const struct http_header *headers, size_t count, const char *body,
		      json_t **answer)
{
	struct http_client_response response;
	long status;

	status =
	    slice_send(http, method, url, headers, count, body, body ? strlen(body) : 0, &response);
	if (answer != NULL)
		*answer = slice_response_json(&response);
	http_client_response_clear(&response);
	return status;
}

long device_call(struct device *d, struct http_client *http, const char *method, const char *path,
		 const char *query, bool consent, const char *reuse_proof, char *proof_out,
		 size_t proof_size, json_t **answer)
{
	struct hr_error err = {0};
	struct http_header headers[4];
	struct buf proof, consent_token;
	char url[1024], full[1200], auth[2200];
	size_t h = 0;
	long status;

	buf_init(&proof, 4096);
	buf_init(&consent_token, 4096);
	snprintf(url, sizeof(url), "%s%s", d->wallet, path);
	if (reuse_proof == NULL) {
		assert_int_equal(dpop_proof_make(d->key, method, url, d->token[0] ? d->token : NULL,
						 (int64_t)time(NULL), &proof, &err),
				 HR_OK);
	} else {
		buf_append_str(&proof, reuse_proof);
	}
	if (proof_out != NULL)
		snprintf(proof_out, proof_size, "%s", buf_str(&proof));
	headers[h++] = (struct http_header){"DPoP", buf_str(&proof)};
	if (d->token[0]) {
		snprintf(auth, sizeof(auth), "DPoP %s", d->token);
		headers[h++] = (struct http_header){"Authorization", auth};
	}
	if (consent) {
		device_consent(d, NULL, &consent_token);
		headers[h++] = (struct http_header){"Hromada-Consent", buf_str(&consent_token)};
	}
	snprintf(full, sizeof(full), "%s%s%s", url, query ? "?" : "", query ? query : "");
	status = send_json(http, method, full, headers, h, NULL, answer);
	buf_clear(&proof);
	buf_clear(&consent_token);
	return status;
}

void device_enrol(struct device *d, struct http_client *http, const char *state)
{
	struct http_header json = {"Content-Type", "application/json"};
	struct http_header headers[2];
	struct hr_error err = {0};
	char url[512], path[600], body[2048], code[16] = "";
	struct buf proof, jwk_text;
	json_t *answer = NULL;
	FILE *f;

	snprintf(url, sizeof(url), "%s/v1/enrol/start", d->wallet);
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", d->person);
	assert_int_equal(send_json(http, "POST", url, &json, 1, body, NULL), 202);
	snprintf(path, sizeof(path), "%s/outbox/%s.txt", state, d->person);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(code, sizeof(code), f));
	fclose(f);
	code[strcspn(code, "\n")] = 0;
	assert_int_equal(strlen(code), 8); /* WALLET_CODE_DIGITS */

	buf_init(&proof, 4096);
	buf_init(&jwk_text, 4096);
	snprintf(url, sizeof(url), "%s/v1/enrol/finish", d->wallet);
	assert_int_equal(
	    dpop_proof_make(d->key, "POST", url, NULL, (int64_t)time(NULL), &proof, &err), HR_OK);
	assert_int_equal(hr_json_dump(d->jwk, &jwk_text), HR_OK);
	snprintf(body, sizeof(body), "{\"person\":\"%s\",\"code\":\"%s\",\"device_key\":%s}",
		 d->person, code, buf_str(&jwk_text));
	headers[0] = json;
	headers[1] = (struct http_header){"DPoP", buf_str(&proof)};
	assert_int_equal(send_json(http, "POST", url, headers, 2, body, &answer), 200);
	assert_string_equal(json_string_value(json_object_get(answer, "token_type")), "DPoP");
	snprintf(d->token, sizeof(d->token), "%s",
		 json_string_value(json_object_get(answer, "access_token")));
	assert_non_null(json_string_value(json_object_get(answer, "device_attestation")));
	snprintf(d->attestation, sizeof(d->attestation), "%s",
		 json_string_value(json_object_get(answer, "device_attestation")));
	json_decref(answer);
	buf_clear(&proof);
	buf_clear(&jwk_text);
}

static EVP_PKEY *certificate_key(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *cert;
	EVP_PKEY *key;

	assert_non_null(f);
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(cert);
	key = X509_get_pubkey(cert);
	X509_free(cert);
	return key;
}

long member_lookup(struct http_client *http, const char *keys_dir, const char *member,
		   const char *gateway_url, const char *provider, const char *service,
		   const char *purpose, const char *body, json_t **answer)
{
	const struct country_members *m = country_members("UA");
	char dir[1024], key[1100], cert[1100], gateway_dir[1024], gateway_cert[1100], url[1024];
	struct http_header headers[4] = {{"Hromada-Client", member},
					 {"Hromada-Purpose", purpose},
					 {"Hromada-User", "UA:officer-1234"},
					 {"Hromada-Issue", "roadside check 2026/17"}};
	struct http_client_response response;
	struct member_identity self;
	struct member_call call;
	struct replay_cache *nonces = replay_cache_new(1024);
	struct hr_error err = {0};
	struct signer *signer = NULL;
	EVP_PKEY *gateway_key;
	long status;

	country_member_dir(keys_dir, member, dir, sizeof(dir));
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	assert_int_equal(signer_open_files(key, cert, &signer, &err), HR_OK);
	country_member_dir(keys_dir, m->gateway, gateway_dir, sizeof(gateway_dir));
	snprintf(gateway_cert, sizeof(gateway_cert), "%s/cert.pem", gateway_dir);
	gateway_key = certificate_key(gateway_cert);
	snprintf(url, sizeof(url), "%s/x/%s/%s", gateway_url, provider, service);
	self = (struct member_identity){member, signer, NULL};
	call = (struct member_call){.url = url,
				    .headers = headers,
				    .header_count = 4,
				    .body = body,
				    .body_len = strlen(body),
				    .timeout_ms = 5000};
	http_client_response_init(&response);
	if (member_call_post(http, &self, &call, m->gateway, gateway_key, nonces,
			     (int64_t)time(NULL), &response, &err) != HR_OK)
		fail_msg("member call: %s", err.message);
	status = response.status;
	if (answer != NULL)
		*answer = json_loadb((const char *)response.body.data, response.body.len, 0, NULL);
	http_client_response_clear(&response);
	EVP_PKEY_free(gateway_key);
	signer_free(signer);
	replay_cache_free(nonces);
	return status;
}

/* --- member requests with every part chosen ---------------------------------- */

static struct signer *member_signer(const char *keys_dir, const char *member)
{
	char dir[1024], key[1100], cert[1100];
	struct hr_error err = {0};
	struct signer *signer = NULL;

	country_member_dir(keys_dir, member, dir, sizeof(dir));
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	if (signer_open_files(key, cert, &signer, &err) != HR_OK)
		fail_msg("the key of %s: %s", member, err.message);
	return signer;
}

/* Header names are covered in lower case (RFC 9421 §2.1). */
static void lower_name(char *out, size_t size, const char *name)
{
	size_t i = 0;

	for (; name[i] && i + 1 < size; i++)
		out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	out[i] = 0;
}

void member_sign(const struct member_request *m, struct member_wire *out)
{
	const char *content_type = m->content_type ? m->content_type : "application/json";
	const char *body = m->body ? m->body : "";
	const char *components[HTTPSIG_MAX_HEADERS + 1] = {"@method", "@authority", "@path",
							   "content-type", "content-digest"};
	struct httpsig_header covered[HTTPSIG_MAX_HEADERS];
	char names[HTTPSIG_MAX_HEADERS][64];
	struct httpsig_message message;
	struct hr_error err = {0};
	struct signer *signer;
	size_t c = 5, n = 0;

	memset(out, 0, sizeof(*out));
	assert_true(m->header_count + m->unsigned_count + 4 <= MEMBER_WIRE_MAX_HEADERS);
	assert_true(m->header_count + 5 <= HTTPSIG_MAX_HEADERS);
	httpsig_content_digest(body, strlen(body), out->digest);
	out->headers[out->count++] = (struct http_header){"Content-Type", content_type};
	out->headers[out->count++] = (struct http_header){"Content-Digest", out->digest};
	if (m->key_of != NULL) {
		covered[n++] = (struct httpsig_header){"content-type", content_type};
		covered[n++] = (struct httpsig_header){"content-digest", out->digest};
		for (size_t i = 0; i < m->header_count; i++) {
			lower_name(names[i], sizeof(names[i]), m->headers[i].name);
			covered[n++] = (struct httpsig_header){names[i], m->headers[i].value};
			components[c++] = names[i];
		}
		components[c] = NULL;
		message = (struct httpsig_message){"POST", m->url,       0,   covered, n,
						   body,   strlen(body), NULL};
		signer = member_signer(m->keys_dir, m->key_of);
		if (httpsig_sign(signer, m->keyid ? m->keyid : m->key_of, &message, components,
				 m->created ? m->created : (int64_t)time(NULL),
				 MEMBER_SIGNATURE_LIFETIME_S, m->nonce, &out->input,
				 &out->signature, &err) != HR_OK)
			fail_msg("signing as %s: %s", m->key_of, err.message);
		signer_free(signer);
		out->headers[out->count++] = (struct http_header){"Signature-Input", out->input};
		out->headers[out->count++] = (struct http_header){"Signature", out->signature};
	}
	for (size_t i = 0; i < m->header_count; i++)
		out->headers[out->count++] = m->headers[i];
	for (size_t i = 0; i < m->unsigned_count; i++)
		out->headers[out->count++] = m->unsigned_headers[i];
}

void member_wire_clear(struct member_wire *w)
{
	free(w->input);
	free(w->signature);
	memset(w, 0, sizeof(*w));
}

long member_wire_send(struct http_client *http, const struct member_request *m,
		      const struct member_wire *w, struct http_client_response *response)
{
	const char *body = m->sent_body ? m->sent_body : m->body ? m->body : "";

	return slice_send(http, "POST", m->url, w->headers, w->count, body, strlen(body), response);
}

long member_send(struct http_client *http, const struct member_request *m,
		 struct http_client_response *response)
{
	struct member_wire w;
	long status;

	member_sign(m, &w);
	status = member_wire_send(http, m, &w, response);
	member_wire_clear(&w);
	return status;
}

json_t *slice_citizen_with(const json_t *demo, const char *country, const char *type)
{
	size_t i, j;
	json_t *c, *d;

	json_array_foreach(json_object_get(demo, country), i, c)
	{
		json_array_foreach(json_object_get(c, "documents"), j, d)
		{
			if (strcmp(json_string_value(d), type) == 0)
				return c;
		}
	}
	return NULL;
}

const json_t *slice_history_entry(const json_t *history, const char *client, const char *service)
{
	const json_t *item;
	size_t i;

	json_array_foreach(json_object_get(history, "entries"), i, item)
	{
		const json_t *f = json_object_get(item, "fields");
		if (strcmp(json_string_value(json_object_get(f, "client")), client) == 0 &&
		    strcmp(json_string_value(json_object_get(f, "service")), service) == 0)
			return item;
	}
	return NULL;
}

json_t *slice_access_log_settled(struct device *d, struct http_client *http)
{
	json_t *answer = NULL;

	for (int i = 0; i < 100; i++) {
		json_decref(answer);
		answer = NULL;
		assert_int_equal(device_call(d, http, "GET", "/v1/access-log", NULL, true, NULL,
					     NULL, 0, &answer),
				 200);
		/* entries of others after the reading's head may be pending */
		if (json_integer_value(json_object_get(answer, "pending")) <= 1 && i > 0)
			return answer;
		usleep(100 * 1000);
	}
	return answer;
}

const char *slice_endpoint(const struct slice_platform *p, const char *country, const char *role)
{
	const json_t *scope = country ? json_object_get(p->endpoints, country) : p->endpoints;
	const char *value = json_string_value(json_object_get(scope, role));

	if (value == NULL)
		fail_msg("endpoints.json has no %s %s", country ? country : "", role);
	return value;
}
