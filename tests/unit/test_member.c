/*
 * test_member.c — signed member exchanges (src/exchange/member.c) over real
 * HTTP on loopback: a real http_server with a provider's route that checks
 * callers with member_request_verify and answers with member_reply_json /
 * member_reply_unverified, and callers using member_call_post through a real
 * http_client. Keys are fresh P-256 keys (EVP_PKEY_Q_keygen + signer_from_key);
 * the provider's directory of callers is an httpsig_key_lookup over them.
 *
 * Pinned down (docs/EXCHANGE.md "Signed messages"):
 *  - a request signed by a known member is accepted (keyid = the member id,
 *    the Hromada-* headers covered), its body arrives intact, and the signed
 *    answer, bound to the request, is accepted by the caller;
 *  - the same wire sent twice is a replay: 401 `unauthorized` the second time;
 *  - a nonce record with no room refuses with 503 `busy` and Retry-After: 1,
 *    an answer still signed by the provider and bound to the request (so
 *    member_call_post returns HR_OK and the 503 in response->status) — both when
 *    the caller's share is used up and when the whole table is full;
 *  - one member flooding its share of a fair record is refused while another
 *    member is still accepted;
 *  - 401 with a message, signed by the provider, for: an unsigned request, an
 *    unknown keyid, a keyid whose key did not sign, a body changed after
 *    signing, a required header not covered (absent, or sent uncovered), an
 *    expired signature;
 *  - the caller refuses an answer altered between signing and the wire (body,
 *    status), signed with another key or by another member, unsigned, not bound
 *    to the request, or bound to another request. The alteration is made by the
 *    route itself, just before the bytes leave, rather than by a TCP proxy: for
 *    the caller the bytes on the wire are the same either way.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/http_client.h"
#include "core/http_server.h"
#include "core/json.h"
#include "credential/signer.h"
#include "exchange/httpsig.h"
#include "exchange/member.h"
#include "exchange/replay.h"

#define PROVIDER "UA/GOV/00015622/drivers"
#define POLICE   "UA/GOV/00032684/police"
#define BANK     "UA/COM/14360570/bank"
#define STRANGER "UA/COM/99999999/stranger"
#define PURPOSE  "police-document-check"
#define QUESTION "{\"person\":\"UA:3012345670\",\"note\":\"\\u0456 \\\"quoted\\\"\"}"

/* What every request to the provider must have signed, besides the base. */
static const char *const required_headers[] = {"hromada-client", "hromada-purpose", NULL};
/* The request components member_call_post always covers. */
static const char *const request_components[] = {
    "@method",        "@authority",     "@path",           "content-type",
    "content-digest", "hromada-client", "hromada-purpose", NULL};
/* An answer to a signed request, and to an unsigned one (member.c). */
static const char *const bound_components[] = {"@status", "content-type", "content-digest",
					       "signature;req", NULL};
static const char *const unbound_components[] = {"@status", "content-type", "content-digest", NULL};

struct member_keys {
	const char *id;
	EVP_PKEY *key;         /* owned */
	struct signer *signer; /* owned; holds its own reference to key */
};

struct fixture {
	struct member_keys provider, police, bank, stranger;
	struct member_identity provider_self;
	struct replay_cache *provider_nonces; /* the provider's record of callers' nonces */
	struct replay_cache *caller_nonces;   /* the callers' record of the provider's nonces */
	struct http_server *server;
	struct http_client *client;
	char lookup_url[128];
	char base_url[96];
	/* the tampered "another-request" route: the signature of the previous request */
	pthread_mutex_t lock;
	char *previous_signature; /* owned */
};

/* --- keys and the provider's directory ---------------------------------- */

static void keys_make(struct member_keys *m, const char *id)
{
	m->id = id;
	m->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(m->key);
	assert_int_equal(signer_from_key(m->key, NULL, &m->signer, NULL), HR_OK);
}

static void keys_clear(struct member_keys *m)
{
	signer_free(m->signer);
	EVP_PKEY_free(m->key);
}

/* The provider knows the police and the bank, not the stranger. */
static EVP_PKEY *caller_lookup(void *context, const char *keyid)
{
	struct fixture *f = context;

	if (strcmp(keyid, POLICE) == 0)
		return f->police.key;
	if (strcmp(keyid, BANK) == 0)
		return f->bank.key;
	return NULL;
}

static EVP_PKEY *provider_lookup(void *context, const char *keyid)
{
	struct fixture *f = context;

	return strcmp(keyid, PROVIDER) == 0 ? f->provider.key : NULL;
}

/* --- the provider's routes (server threads: no cmocka asserts here) ------- */

/* POST /v1/lookup: a member request, answered with who signed it and what arrived. */
static void handle_lookup(struct http_request *req, void *context)
{
	struct fixture *f = context;
	struct httpsig_verified verified;
	struct hr_error err = {0};
	struct slice body = http_request_body(req);

	if (member_request_verify(req, required_headers, caller_lookup, f, f->provider_nonces,
				  (int64_t)time(NULL), &verified, &err) != HR_OK) {
		member_reply_unverified(req, &f->provider_self, &err);
		return;
	}
	member_reply_json(req, &f->provider_self, 200,
			  json_pack("{s:s,s:s%}", "keyid", verified.keyid, "body",
				    body.len > 0 ? (const char *)body.ptr : "", body.len));
}

/* An answer signed over one status and body, sent with another. */
struct forgery {
	struct signer *signer;
	const char *keyid;
	const char *bound_to; /* the request signature it claims to answer; NULL: unbound */
	unsigned signed_status, sent_status;
	const char *signed_body, *sent_body;
};

static void reply_forged(struct http_request *req, const struct forgery *fg)
{
	struct httpsig_header request_headers[1] = {{"signature", fg->bound_to}};
	struct httpsig_message request = {
	    "POST", "http://127.0.0.1/", 0, request_headers, 1, NULL, 0, NULL};
	struct httpsig_header headers[2];
	struct httpsig_message reply;
	char digest[64];
	char *input = NULL, *signature = NULL;

	httpsig_content_digest(fg->signed_body, strlen(fg->signed_body), digest);
	headers[0] = (struct httpsig_header){"content-type", "application/json"};
	headers[1] = (struct httpsig_header){"content-digest", digest};
	reply = (struct httpsig_message){NULL,
					 NULL,
					 (int)fg->signed_status,
					 headers,
					 2,
					 fg->signed_body,
					 strlen(fg->signed_body),
					 fg->bound_to ? &request : NULL};
	if (httpsig_sign(fg->signer, fg->keyid, &reply,
			 fg->bound_to ? bound_components : unbound_components, (int64_t)time(NULL),
			 MEMBER_SIGNATURE_LIFETIME_S, NULL, &input, &signature, NULL) != HR_OK) {
		http_reply_error(req, 500, "internal", "the test could not sign");
		return;
	}
	http_reply_header(req, "Content-Digest", digest);
	http_reply_header(req, "Signature-Input", input);
	http_reply_header(req, "Signature", signature);
	http_reply_bytes(req, fg->sent_status, "application/json", fg->sent_body,
			 strlen(fg->sent_body));
	free(input);
	free(signature);
}

#define GOOD_ANSWER "{\"valid\":true}\n"
#define BAD_ANSWER  "{\"valid\":false}\n"

/* POST /v1/tampered/{how}: an answer altered after the provider signed it. */
static void handle_tampered(struct http_request *req, void *context)
{
	struct fixture *f = context;
	const char *how = http_request_param(req, "how");
	const char *own = http_request_header(req, "Signature");
	struct forgery fg = {f->provider.signer, PROVIDER, own, 200, 200, GOOD_ANSWER, GOOD_ANSWER};

	if (how == NULL || own == NULL) {
		http_reply_error(req, 400, "invalid", "the test routes need a signed request");
	} else if (strcmp(how, "none") == 0) {
		reply_forged(req, &fg); /* the control: nothing altered */
	} else if (strcmp(how, "body") == 0) {
		fg.sent_body = BAD_ANSWER;
		reply_forged(req, &fg);
	} else if (strcmp(how, "status") == 0) {
		fg.signed_status = 403;
		reply_forged(req, &fg);
	} else if (strcmp(how, "other-key") == 0) {
		fg.signer = f->stranger.signer; /* keyid still the provider's */
		reply_forged(req, &fg);
	} else if (strcmp(how, "other-member") == 0) {
		const struct member_identity bank = {BANK, f->bank.signer, NULL};
		member_reply_json(req, &bank, 200, json_pack("{s:b}", "valid", 1));
	} else if (strcmp(how, "unsigned") == 0) {
		http_reply_json(req, 200, json_pack("{s:b}", "valid", 1));
	} else if (strcmp(how, "unbound") == 0) {
		fg.bound_to = NULL;
		reply_forged(req, &fg);
	} else if (strcmp(how, "another-request") == 0) {
		/* a fresh signature by the right key, bound to the previous question */
		char *mine = strdup(own);

		pthread_mutex_lock(&f->lock);
		fg.bound_to = f->previous_signature ? f->previous_signature : own;
		reply_forged(req, &fg);
		free(f->previous_signature);
		f->previous_signature = mine;
		pthread_mutex_unlock(&f->lock);
	} else {
		http_reply_error(req, 404, "not_found", "no such tampering");
	}
}

/* --- fixtures: one provider, its record sized per test ------------------- */

static int fixture_setup(void **state, size_t capacity, size_t share)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct http_server_options o;
	struct http_client_options co;
	struct hr_error err = {0};

	assert_non_null(f);
	keys_make(&f->provider, PROVIDER);
	keys_make(&f->police, POLICE);
	keys_make(&f->bank, BANK);
	keys_make(&f->stranger, STRANGER);
	f->provider_self = (struct member_identity){PROVIDER, f->provider.signer, NULL};
	f->provider_nonces = replay_cache_new_fair(capacity, share);
	f->caller_nonces = replay_cache_new_fair(1024, 1024);
	assert_non_null(f->provider_nonces);
	assert_non_null(f->caller_nonces);
	assert_int_equal(pthread_mutex_init(&f->lock, NULL), 0);

	http_server_options_default(&o);
	o.listen_port = 0;
	o.threads = 2;
	o.access_log = false;
	snprintf(o.name, sizeof(o.name), "provider");
	f->server = http_server_new(&o, &err);
	assert_non_null(f->server);
	assert_int_equal(
	    http_server_route(f->server, "POST", "/v1/lookup", 0, handle_lookup, f, &err), HR_OK);
	assert_int_equal(
	    http_server_route(f->server, "POST", "/v1/tampered/{how}", 0, handle_tampered, f, &err),
	    HR_OK);
	assert_int_equal(http_server_start(f->server, &err), HR_OK);
	snprintf(f->base_url, sizeof(f->base_url), "%s", http_server_url(f->server));
	snprintf(f->lookup_url, sizeof(f->lookup_url), "%s/v1/lookup", f->base_url);

	http_client_options_default(&co);
	f->client = http_client_new(&co);
	assert_non_null(f->client);
	*state = f;
	return 0;
}

/* Room for everything a test sends. */
static int setup_roomy(void **state)
{
	return fixture_setup(state, 1024, 1024);
}

/* A record of 2 where one member may hold 2: the 3rd nonce finds no room. */
static int setup_tiny(void **state)
{
	return fixture_setup(state, 2, 2);
}

/* A fair record: 8 nonces (16 slots), at most 4 per member. */
static int setup_fair(void **state)
{
	return fixture_setup(state, 8, 4);
}

/* 16 slots, one set, and a share as large as the table: only the table limits. */
static int setup_one_set(void **state)
{
	return fixture_setup(state, 2, 16);
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	http_server_free(f->server); /* stops it first: no handler runs after this */
	http_client_free(f->client);
	replay_cache_free(f->provider_nonces);
	replay_cache_free(f->caller_nonces);
	pthread_mutex_destroy(&f->lock);
	free(f->previous_signature);
	keys_clear(&f->provider);
	keys_clear(&f->police);
	keys_clear(&f->bank);
	keys_clear(&f->stranger);
	free(f);
	return 0;
}

/* --- callers ------------------------------------------------------------- */

/* member_call_post as m to url with Hromada-Client and (when purpose) -Purpose. */
static hr_status call_as(struct fixture *f, const struct member_keys *m, const char *url,
			 bool purpose, const char *body, struct http_client_response *response,
			 struct hr_error *err)
{
	const struct http_header headers[] = {{"Hromada-Client", m->id},
					      {"Hromada-Purpose", PURPOSE}};
	const struct member_identity self = {m->id, m->signer, NULL};
	const struct member_call call = {.url = url,
					 .headers = headers,
					 .header_count = purpose ? 2 : 1,
					 .body = body,
					 .body_len = body ? strlen(body) : 0,
					 .timeout_ms = 5000};

	return member_call_post(f->client, &self, &call, PROVIDER, f->provider.key,
				f->caller_nonces, (int64_t)time(NULL), response, err);
}

/* A signed request built by hand, so it can be sent twice or altered. */
struct wire {
	char digest[64];
	char *input;     /* owned (wire_clear) */
	char *signature; /* owned (wire_clear) */
};

/* Signs body for url as keyid with m's key, covering components. */
static void wire_sign_for(struct wire *w, const char *url, const struct member_keys *m,
			  const char *keyid, const char *body, const char *const *components,
			  int64_t created)
{
	const struct httpsig_header headers[] = {{"content-type", "application/json"},
						 {"content-digest", w->digest},
						 {"hromada-client", keyid},
						 {"hromada-purpose", PURPOSE}};
	const struct httpsig_message message = {"POST", url,          0,   headers, 4,
						body,   strlen(body), NULL};
	struct hr_error err = {0};

	httpsig_content_digest(body, strlen(body), w->digest);
	assert_int_equal(httpsig_sign(m->signer, keyid, &message, components, created,
				      MEMBER_SIGNATURE_LIFETIME_S, NULL, &w->input, &w->signature,
				      &err),
			 HR_OK);
}

/* The same for lookup_url. */
static void wire_sign(struct fixture *f, struct wire *w, const struct member_keys *m,
		      const char *keyid, const char *body, const char *const *components,
		      int64_t created)
{
	wire_sign_for(w, f->lookup_url, m, keyid, body, components, created);
}

static void wire_clear(struct wire *w)
{
	free(w->input);
	free(w->signature);
}

/* Sends the wire with body (the signed one, or another) as keyid; with a Host
 * header of host's choosing unless it is NULL. */
static void wire_send_host(struct fixture *f, const struct wire *w, const char *keyid,
			   const char *body, const char *host,
			   struct http_client_response *response)
{
	const struct http_header headers[] = {{"Content-Type", "application/json"},
					      {"Content-Digest", w->digest},
					      {"Signature-Input", w->input},
					      {"Signature", w->signature},
					      {"Hromada-Client", keyid},
					      {"Hromada-Purpose", PURPOSE},
					      {"Host", host}};
	const struct http_client_request request = {"POST", f->lookup_url, headers, host ? 7 : 6,
						    body,   strlen(body),  5000};
	struct hr_error err = {0};

	assert_int_equal(http_client_send(f->client, &request, response, &err), HR_OK);
}

static void wire_send(struct fixture *f, const struct wire *w, const char *keyid, const char *body,
		      struct http_client_response *response)
{
	wire_send_host(f, w, keyid, body, NULL, response);
}

/* Checks a raw answer as member_call_post would: signed by the provider and,
 * when the request was signed (request_signature), bound to it. */
static hr_status answer_check(struct fixture *f, const char *request_signature,
			      const struct http_client_response *response, struct hr_error *err)
{
	struct httpsig_header request_headers[1] = {{"signature", request_signature}};
	struct httpsig_message request = {"POST", f->lookup_url, 0, request_headers,
					  1,      NULL,          0, NULL};
	struct httpsig_header headers[HTTP_CLIENT_MAX_HEADERS];
	struct httpsig_message reply;
	struct httpsig_verified verified;

	for (size_t i = 0; i < response->header_count; i++)
		headers[i] =
		    (struct httpsig_header){response->headers[i].name, response->headers[i].value};
	reply = (struct httpsig_message){NULL,
					 NULL,
					 (int)response->status,
					 headers,
					 response->header_count,
					 response->body.data,
					 response->body.len,
					 request_signature ? &request : NULL};
	return httpsig_verify(&reply, http_client_response_header(response, "signature-input"),
			      http_client_response_header(response, "signature"),
			      request_signature ? bound_components : unbound_components,
			      provider_lookup, f, (int64_t)time(NULL), f->caller_nonces, &verified,
			      err);
}

/* The answer is {"error": {"code": code, "message": ...message_part...}} with status. */
static void assert_refusal(const struct http_client_response *response, long status,
			   const char *code, const char *message_part)
{
	json_t *body = NULL;
	const char *message;

	assert_int_equal(response->status, status);
	assert_int_equal(hr_json_parse(response->body.data, response->body.len, &body, NULL),
			 HR_OK);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(body, "error"), "code")), code);
	message = json_string_value(json_object_get(json_object_get(body, "error"), "message"));
	assert_non_null(message);
	if (strstr(message, message_part) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", message, message_part);
	json_decref(body);
}

/* One member_call_post to lookup that the provider accepts. */
static void assert_accepted(struct fixture *f, const struct member_keys *m)
{
	struct http_client_response response;
	struct hr_error err = {0};

	http_client_response_init(&response);
	if (call_as(f, m, f->lookup_url, true, QUESTION, &response, &err) != HR_OK)
		fail_msg("%s: %s", m->id, err.message);
	assert_int_equal(response.status, 200);
	http_client_response_clear(&response);
}

/* One member_call_post to lookup refused for want of room in the record. */
static void assert_busy(struct fixture *f, const struct member_keys *m)
{
	struct http_client_response response;
	struct hr_error err = {0};

	http_client_response_init(&response);
	/* HR_OK: the 503 is signed by the provider and bound to this request */
	if (call_as(f, m, f->lookup_url, true, QUESTION, &response, &err) != HR_OK)
		fail_msg("%s: %s", m->id, err.message);
	assert_refusal(&response, 503, "busy", "cannot record the nonce; retry shortly");
	assert_non_null(http_client_response_header(&response, "retry-after"));
	assert_string_equal(http_client_response_header(&response, "retry-after"), "1");
	http_client_response_clear(&response);
}

/* --- 1. the signed exchange ---------------------------------------------- */

/* m's call with body is answered 200 by the provider, which saw keyid and the body
 * (NULL: empty); response is left for the caller to look at, then clear. */
static void assert_answered(struct fixture *f, const struct member_keys *m, const char *body,
			    struct http_client_response *response)
{
	struct hr_error err = {0};
	json_t *answer = NULL;

	http_client_response_init(response);
	if (call_as(f, m, f->lookup_url, true, body, response, &err) != HR_OK)
		fail_msg("%s", err.message);
	assert_int_equal(response->status, 200);
	assert_int_equal(hr_json_parse(response->body.data, response->body.len, &answer, NULL),
			 HR_OK);
	assert_string_equal(json_string_value(json_object_get(answer, "keyid")), m->id);
	assert_string_equal(json_string_value(json_object_get(answer, "body")), body ? body : "");
	json_decref(answer);
}

static void test_signed_request_is_accepted_and_signed_answer_checks(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;

	assert_answered(f, &f->police, QUESTION, &response);
	/* the answer is signed by the provider, covering what member.c says */
	assert_non_null(http_client_response_header(&response, "content-digest"));
	assert_non_null(
	    strstr(http_client_response_header(&response, "signature-input"),
		   "(\"@status\" \"content-type\" \"content-digest\" \"signature\";req)"));
	assert_non_null(
	    strstr(http_client_response_header(&response, "signature-input"), "keyid=\"" PROVIDER));
	http_client_response_clear(&response);
}

static void test_each_member_is_accepted_under_its_own_keyid(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;

	assert_answered(f, &f->bank, "{}", &response);
	http_client_response_clear(&response);
}

static void test_empty_body_is_signed_and_accepted(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;

	assert_answered(f, &f->police, NULL, &response);
	http_client_response_clear(&response);
}

/* --- 2. replay ----------------------------------------------------------- */

static void test_same_wire_twice_is_refused_as_replay(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;
	struct hr_error err = {0};
	struct wire w = {0};

	wire_sign(f, &w, &f->police, POLICE, QUESTION, request_components, (int64_t)time(NULL));
	http_client_response_init(&response);
	wire_send(f, &w, POLICE, QUESTION, &response);
	assert_int_equal(response.status, 200);
	assert_int_equal(answer_check(f, w.signature, &response, &err), HR_OK);

	wire_send(f, &w, POLICE, QUESTION, &response);
	assert_refusal(&response, 401, "unauthorized", "the nonce was already used (a replay)");
	/* the refusal too is the provider's, bound to the replayed request */
	if (answer_check(f, w.signature, &response, &err) != HR_OK)
		fail_msg("%s", err.message);
	http_client_response_clear(&response);
	wire_clear(&w);
}

/* --- 3. a record with no room -------------------------------------------- */

static void test_full_share_answers_503_busy_signed_with_retry_after(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;
	struct hr_error err = {0};
	struct wire w = {0};

	assert_accepted(f, &f->police);
	assert_accepted(f, &f->police);
	assert_busy(f, &f->police);
	/* the same with a raw request: the 503 is bound to it */
	wire_sign(f, &w, &f->police, POLICE, QUESTION, request_components, (int64_t)time(NULL));
	http_client_response_init(&response);
	wire_send(f, &w, POLICE, QUESTION, &response);
	assert_refusal(&response, 503, "busy", "retry shortly");
	assert_string_equal(http_client_response_header(&response, "retry-after"), "1");
	if (answer_check(f, w.signature, &response, &err) != HR_OK)
		fail_msg("%s", err.message);
	http_client_response_clear(&response);
	wire_clear(&w);
}

static void test_full_table_answers_503_busy_to_every_member(void **state)
{
	struct fixture *f = *state;

	/* one set of 16 slots: 8 + 8 fill it, neither member near its share */
	for (int i = 0; i < 8; i++) {
		assert_accepted(f, &f->police);
		assert_accepted(f, &f->bank);
	}
	assert_busy(f, &f->police);
	assert_busy(f, &f->bank);
}

static void test_refused_nonce_is_not_used_up(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;
	struct wire w = {0};

	assert_accepted(f, &f->police);
	assert_accepted(f, &f->police);
	/* refused for room, the nonce was not recorded: a retry is not a replay */
	wire_sign(f, &w, &f->police, POLICE, QUESTION, request_components, (int64_t)time(NULL));
	http_client_response_init(&response);
	wire_send(f, &w, POLICE, QUESTION, &response);
	assert_int_equal(response.status, 503);
	wire_send(f, &w, POLICE, QUESTION, &response);
	assert_refusal(&response, 503, "busy", "retry shortly");
	http_client_response_clear(&response);
	wire_clear(&w);
}

/* --- 5. fairness --------------------------------------------------------- */

static void test_member_flooding_its_share_is_refused_alone(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 4; i++)
		assert_accepted(f, &f->police);
	assert_busy(f, &f->police);
	assert_accepted(f, &f->bank);
	assert_busy(f, &f->police);
	for (int i = 0; i < 3; i++)
		assert_accepted(f, &f->bank);
	assert_busy(f, &f->bank);
}

/* --- 4. refusals of the request ------------------------------------------ */

static void test_unsigned_request_is_401_with_signed_refusal(void **state)
{
	struct fixture *f = *state;
	const struct http_header headers[] = {{"Content-Type", "application/json"},
					      {"Hromada-Client", POLICE},
					      {"Hromada-Purpose", PURPOSE}};
	const struct http_client_request request = {"POST",   f->lookup_url,    headers, 3,
						    QUESTION, strlen(QUESTION), 5000};
	struct http_client_response response;
	struct hr_error err = {0};

	http_client_response_init(&response);
	assert_int_equal(http_client_send(f->client, &request, &response, &err), HR_OK);
	assert_refusal(&response, 401, "unauthorized", "the request is not signed");
	/* signed by the provider, with nothing to bind to */
	if (answer_check(f, NULL, &response, &err) != HR_OK)
		fail_msg("%s", err.message);
	assert_null(strstr(http_client_response_header(&response, "signature-input"), ";req"));
	http_client_response_clear(&response);
}

static void test_unknown_member_is_401(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;
	struct hr_error err = {0};

	http_client_response_init(&response);
	/* the refusal is signed and bound: member_call_post accepts it as an answer */
	assert_int_equal(call_as(f, &f->stranger, f->lookup_url, true, QUESTION, &response, &err),
			 HR_OK);
	assert_refusal(&response, 401, "unauthorized", "unknown keyid " STRANGER);
	http_client_response_clear(&response);
}

static void test_keyid_of_another_member_is_401(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;
	struct hr_error err = {0};
	struct wire w = {0};

	/* the stranger claims to be the police */
	wire_sign(f, &w, &f->stranger, POLICE, QUESTION, request_components, (int64_t)time(NULL));
	http_client_response_init(&response);
	wire_send(f, &w, POLICE, QUESTION, &response);
	assert_refusal(&response, 401, "unauthorized", "the signature does not verify");
	if (answer_check(f, w.signature, &response, &err) != HR_OK)
		fail_msg("%s", err.message);
	http_client_response_clear(&response);
	wire_clear(&w);
}

static void test_body_changed_after_signing_is_401(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;
	struct hr_error err = {0};
	struct wire w = {0};

	wire_sign(f, &w, &f->police, POLICE, QUESTION, request_components, (int64_t)time(NULL));
	http_client_response_init(&response);
	wire_send(f, &w, POLICE, "{\"person\":\"UA:1111111111\"}", &response);
	assert_refusal(&response, 401, "unauthorized",
		       "Content-Digest is not the sha-256 of the body");
	if (answer_check(f, w.signature, &response, &err) != HR_OK)
		fail_msg("%s", err.message);
	/* the failed attempt did not use the nonce up: the true body still passes */
	wire_send(f, &w, POLICE, QUESTION, &response);
	assert_int_equal(response.status, 200);
	http_client_response_clear(&response);
	wire_clear(&w);
}

/* A request signed for another server's URL does not verify here, even sent
 * with that server's Host: the receiver checks @authority against its own URL. */
static void test_request_signed_for_another_server_is_401(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;
	struct wire w = {0};

	wire_sign_for(&w, "http://registry.example/v1/lookup", &f->police, POLICE, QUESTION,
		      request_components, (int64_t)time(NULL));
	http_client_response_init(&response);
	wire_send_host(f, &w, POLICE, QUESTION, "registry.example", &response);
	assert_refusal(&response, 401, "unauthorized", "the signature does not verify");
	http_client_response_clear(&response);
	wire_send(f, &w, POLICE, QUESTION, &response);
	assert_refusal(&response, 401, "unauthorized", "the signature does not verify");
	http_client_response_clear(&response);
	wire_clear(&w);
}

static void test_required_header_absent_is_401(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;
	struct hr_error err = {0};

	http_client_response_init(&response);
	/* only Hromada-Client sent (and signed) */
	assert_int_equal(call_as(f, &f->police, f->lookup_url, false, QUESTION, &response, &err),
			 HR_OK);
	assert_refusal(&response, 401, "unauthorized",
		       "the signature does not cover hromada-purpose (required)");
	http_client_response_clear(&response);
}

static void test_required_header_sent_but_not_covered_is_401(void **state)
{
	static const char *const without_purpose[] = {
	    "@method",        "@authority",     "@path", "content-type",
	    "content-digest", "hromada-client", NULL};
	struct fixture *f = *state;
	struct http_client_response response;
	struct hr_error err = {0};
	struct wire w = {0};

	wire_sign(f, &w, &f->police, POLICE, QUESTION, without_purpose, (int64_t)time(NULL));
	http_client_response_init(&response);
	wire_send(f, &w, POLICE, QUESTION, &response);
	assert_refusal(&response, 401, "unauthorized",
		       "the signature does not cover hromada-purpose (required)");
	if (answer_check(f, w.signature, &response, &err) != HR_OK)
		fail_msg("%s", err.message);
	http_client_response_clear(&response);
	wire_clear(&w);
}

static void test_expired_signature_is_401(void **state)
{
	struct fixture *f = *state;
	struct http_client_response response;
	struct wire w = {0};

	wire_sign(f, &w, &f->police, POLICE, QUESTION, request_components,
		  (int64_t)time(NULL) - 2 * MEMBER_SIGNATURE_LIFETIME_S);
	http_client_response_init(&response);
	wire_send(f, &w, POLICE, QUESTION, &response);
	assert_refusal(&response, 401, "unauthorized", "the signature has expired");
	http_client_response_clear(&response);
	wire_clear(&w);
}

/* --- 6. answers altered after signing ------------------------------------ */

/* member_call_post to /v1/tampered/how: status of the call and its message. */
static hr_status call_tampered(struct fixture *f, const char *how, struct hr_error *err)
{
	struct http_client_response response;
	char url[192];
	hr_status rc;

	snprintf(url, sizeof(url), "%s/v1/tampered/%s", f->base_url, how);
	http_client_response_init(&response);
	rc = call_as(f, &f->police, url, true, QUESTION, &response, err);
	http_client_response_clear(&response);
	return rc;
}

static void assert_answer_refused(struct fixture *f, const char *how, hr_status expected,
				  const char *message_part)
{
	struct hr_error err = {0};
	hr_status rc = call_tampered(f, how, &err);

	if (rc != expected || strstr(err.message, message_part) == NULL)
		fail_msg("%s: %d \"%s\", expected %d \"%s\"", how, rc, err.message, expected,
			 message_part);
}

static void test_untampered_forgery_route_is_accepted(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};

	/* the control for the tests below: the route's own signing is sound */
	if (call_tampered(f, "none", &err) != HR_OK)
		fail_msg("%s", err.message);
}

static void test_answer_body_altered_is_refused(void **state)
{
	assert_answer_refused(*state, "body", HR_E_SIGNATURE,
			      "Content-Digest is not the sha-256 of the body");
}

static void test_answer_status_altered_is_refused(void **state)
{
	assert_answer_refused(*state, "status", HR_E_SIGNATURE, "the signature does not verify");
}

static void test_answer_signed_with_another_key_is_refused(void **state)
{
	assert_answer_refused(*state, "other-key", HR_E_SIGNATURE, "the signature does not verify");
}

static void test_answer_signed_by_another_member_is_refused(void **state)
{
	assert_answer_refused(*state, "other-member", HR_E_DENIED, "unknown keyid " BANK);
}

static void test_unsigned_answer_is_refused(void **state)
{
	assert_answer_refused(*state, "unsigned", HR_E_SIGNATURE, "without a signature");
}

static void test_answer_not_bound_to_the_request_is_refused(void **state)
{
	assert_answer_refused(*state, "unbound", HR_E_DENIED,
			      "the signature does not cover signature;req (required)");
}

static void test_answer_bound_to_another_request_is_refused(void **state)
{
	struct fixture *f = *state;
	struct hr_error err = {0};

	/* the first is bound to itself; the second to the first */
	if (call_tampered(f, "another-request", &err) != HR_OK)
		fail_msg("%s", err.message);
	assert_answer_refused(f, "another-request", HR_E_SIGNATURE,
			      "the signature does not verify");
}

#define ROOMY(test) cmocka_unit_test_setup_teardown(test, setup_roomy, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    ROOMY(test_signed_request_is_accepted_and_signed_answer_checks),
	    ROOMY(test_each_member_is_accepted_under_its_own_keyid),
	    ROOMY(test_empty_body_is_signed_and_accepted),
	    ROOMY(test_same_wire_twice_is_refused_as_replay),
	    cmocka_unit_test_setup_teardown(
		test_full_share_answers_503_busy_signed_with_retry_after, setup_tiny,
		fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_full_table_answers_503_busy_to_every_member,
					    setup_one_set, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_refused_nonce_is_not_used_up, setup_tiny,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_member_flooding_its_share_is_refused_alone,
					    setup_fair, fixture_teardown),
	    ROOMY(test_unsigned_request_is_401_with_signed_refusal),
	    ROOMY(test_unknown_member_is_401),
	    ROOMY(test_keyid_of_another_member_is_401),
	    ROOMY(test_body_changed_after_signing_is_401),
	    ROOMY(test_request_signed_for_another_server_is_401),
	    ROOMY(test_required_header_absent_is_401),
	    ROOMY(test_required_header_sent_but_not_covered_is_401),
	    ROOMY(test_expired_signature_is_401),
	    ROOMY(test_untampered_forgery_route_is_accepted),
	    ROOMY(test_answer_body_altered_is_refused),
	    ROOMY(test_answer_status_altered_is_refused),
	    ROOMY(test_answer_signed_with_another_key_is_refused),
	    ROOMY(test_answer_signed_by_another_member_is_refused),
	    ROOMY(test_unsigned_answer_is_refused),
	    ROOMY(test_answer_not_bound_to_the_request_is_refused),
	    ROOMY(test_answer_bound_to_another_request_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
