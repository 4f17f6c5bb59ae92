/*
 * canary_serve.c — a canary served to a member through the ordinary exchanges
 * of a running `hromada up` (canary_internal.h), so that what the member holds
 * afterwards came the way every customer's or suspect's data comes:
 *
 *  - under a consent right (a bank's kyc), the canary is a customer with a
 *    phone: a fresh P-256 device key enrolled at its country's wallet with the
 *    out-of-band code (POST /v1/enrol/start, STATE/outbox/<person>.txt, POST
 *    /v1/enrol/finish with a DPoP proof, as `hromada device enrol` does), and
 *    a consent token signed by that device for the member's purpose;
 *  - the member then looks the canary up at the gateway, signed with its own
 *    key (RFC 9421) as its software would (`hromada member request`), once per
 *    document type its rights allow, carrying the consent or, under a legal
 *    basis, none; the gateway's signed answer is checked before it is used.
 *
 * The device key lives only in this process: no one will ever use the
 * canary's wallet again, and a key on disk would only mark it.
 *
 * Never: log or print the canary's identity; a failure names the step and the
 * answer's error code, not the person.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/error.h"
#include "core/file.h"
#include "core/http_client.h"
#include "core/json.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "exchange/consent.h"
#include "exchange/dpop.h"
#include "exchange/jose.h"
#include "exchange/member.h"
#include "exchange/replay.h"
#include "platform/canary_internal.h"
#include "platform/country.h"

#define STAGE              CANARY_STAGE
#define CONSENT_LIFETIME_S CONSENT_CALL_LIFETIME_S /* one lookup */
#define CALL_TIMEOUT_MS    10000
#define ANSWER_MAX         (8u * 1024 * 1024)
#define NONCES             256 /* the gateway's answers' nonces, checked for replay */

struct canary_exchange {
	char state_dir[PATH_MAX];
	char wallet[CANARY_URL_MAX];
	char gateway[CANARY_URL_MAX];
	char gateway_id[MEMBER_ID_MAX];
	char member[MEMBER_ID_MAX];
	struct member_identity self;
	EVP_PKEY *gateway_key;
	struct http_client *http;
	struct replay_cache *nonces;
};

/* The canary's phone, for one plant. */
struct canary_device {
	struct signer *key;
	json_t *jwk;
	char attestation[ATTESTATION_MAX_LEN + 1];
};

/* ---- opening ---- */

static hr_status read_endpoints(struct canary_exchange *x, const char *country,
				struct hr_error *err)
{
	char path[PATH_MAX + 32];
	json_t *endpoints, *mine;
	const char *wallet, *gateway;
	hr_status rc = HR_OK;

	snprintf(path, sizeof(path), "%s/endpoints.json", x->state_dir);
	if ((endpoints = json_load_file(path, 0, NULL)) == NULL)
		return hr_error_set(err, HR_E_NOT_FOUND, STAGE,
				    "%s is missing: is `hromada up --state %s` running?", path,
				    x->state_dir);
	mine = json_object_get(endpoints, country);
	wallet = json_string_value(json_object_get(mine, "wallet"));
	gateway = json_string_value(json_object_get(mine, "gateway"));
	if (wallet == NULL || gateway == NULL || strlen(wallet) >= sizeof(x->wallet) ||
	    strlen(gateway) >= sizeof(x->gateway))
		rc = hr_error_set(err, HR_E_NOT_FOUND, STAGE,
				  "%s names no wallet and gateway of %s", path, country);
	else {
		snprintf(x->wallet, sizeof(x->wallet), "%s", wallet);
		snprintf(x->gateway, sizeof(x->gateway), "%s", gateway);
	}
	json_decref(endpoints);
	return rc;
}

static hr_status healthy(struct canary_exchange *x, const char *base, const char *what,
			 struct hr_error *err)
{
	struct http_client_response response;
	char url[CANARY_URL_MAX + 16];
	hr_status rc;

	http_client_response_init(&response);
	snprintf(url, sizeof(url), "%s/healthz", base);
	rc = http_client_get(x->http, url, &response, err);
	if (rc == HR_OK && response.status != 200)
		rc = hr_error_set(err, HR_E_UNAVAILABLE, STAGE, "the %s answers %ld", what,
				  response.status);
	if (rc != HR_OK)
		hr_error_prefix(err,
				"the %s at %s is not answering (is `hromada up --state %s` "
				"running?)",
				what, base, x->state_dir);
	http_client_response_clear(&response);
	return rc;
}

hr_status canary_exchange_open(const char *state_dir, const struct canary_plan *plan,
			       struct canary_exchange **out, struct hr_error *err)
{
	const struct country_members *c = country_members(plan->country);
	struct http_client_options options;
	struct canary_exchange *x;
	char keys[PATH_MAX], dir[PATH_MAX], key[PATH_MAX + 16], cert[PATH_MAX + 16];
	hr_status rc;

	*out = NULL;
	if (c == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no country %s", plan->country);
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	snprintf(x->state_dir, sizeof(x->state_dir), "%s", state_dir);
	snprintf(x->gateway_id, sizeof(x->gateway_id), "%s", c->gateway);
	snprintf(x->member, sizeof(x->member), "%s", plan->member);
	x->self.id = x->member;
	if ((rc = read_endpoints(x, plan->country, err)) != HR_OK)
		goto fail;
	snprintf(keys, sizeof(keys), "%s/keys/%s", state_dir, plan->country);
	country_member_dir(keys, plan->member, dir, sizeof(dir));
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	if ((rc = signer_open_files(key, cert, &x->self.signer, err)) != HR_OK) {
		hr_error_prefix(err, "the key of %s", plan->member);
		goto fail;
	}
	country_member_dir(keys, c->gateway, dir, sizeof(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	if ((rc = signer_cert_public_key_file(cert, &x->gateway_key, err)) != HR_OK)
		goto fail;
	http_client_options_default(&options);
	options.max_response_bytes = ANSWER_MAX;
	if ((x->http = http_client_new(&options)) == NULL ||
	    (x->nonces = replay_cache_new(NONCES)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto fail;
	}
	/* before anything is planted: a canary nobody can serve is a canary lost */
	if ((rc = healthy(x, x->gateway, "gateway", err)) != HR_OK ||
	    (plan->consent && (rc = healthy(x, x->wallet, "wallet", err)) != HR_OK))
		goto fail;
	*out = x;
	return HR_OK;
fail:
	canary_exchange_close(x);
	return rc;
}

void canary_exchange_close(struct canary_exchange *x)
{
	if (x == NULL)
		return;
	signer_free(x->self.signer);
	EVP_PKEY_free(x->gateway_key);
	http_client_free(x->http);
	replay_cache_free(x->nonces);
	free(x);
}

/* ---- refusals in words ---- */

/* "403 consent_invalid: the consent has expired", from an error answer. */
static hr_status refused(const struct http_client_response *response, const char *step,
			 struct hr_error *err)
{
	json_t *answer = NULL, *error;
	const char *code = NULL, *message = NULL;
	hr_status rc;

	if (hr_json_parse(response->body.data, response->body.len, &answer, NULL) == HR_OK) {
		error = json_object_get(answer, "error");
		code = json_string_value(json_object_get(error, "code"));
		message = json_string_value(json_object_get(error, "message"));
	}
	rc = hr_error_set(
	    err, response->status == 429 || response->status == 503 ? HR_E_BUSY : HR_E_DENIED,
	    STAGE, "%s: %ld %s: %s", step, response->status, code ? code : "error",
	    message ? message : "(no message)");
	json_decref(answer);
	return rc;
}

/* ---- the canary's device ---- */

static void device_clear(struct canary_device *d)
{
	signer_free(d->key);
	json_decref(d->jwk);
	memset(d, 0, sizeof(*d));
}

/* POST a JSON body to the wallet as the device, with a DPoP proof when proof. */
static hr_status wallet_post(struct canary_exchange *x, struct canary_device *d, const char *path,
			     const json_t *body, bool proof, struct http_client_response *response,
			     struct hr_error *err)
{
	struct http_client_request request = {0};
	struct http_header headers[2];
	char url[CANARY_URL_MAX + 64];
	struct buf text, dpop;
	size_t h = 0;
	hr_status rc;

	buf_init(&text, 64 * 1024);
	buf_init(&dpop, 4096);
	snprintf(url, sizeof(url), "%s%s", x->wallet, path);
	rc = hr_json_dump(body, &text);
	if (rc == HR_OK && proof)
		rc = dpop_proof_make(d->key, "POST", url, NULL, (int64_t)time(NULL), &dpop, err);
	if (rc == HR_OK) {
		headers[h++] = (struct http_header){"Content-Type", "application/json"};
		if (proof)
			headers[h++] = (struct http_header){"DPoP", buf_str(&dpop)};
		request.method = "POST";
		request.url = url;
		request.headers = headers;
		request.header_count = h;
		request.body = text.data;
		request.body_len = text.len;
		rc = http_client_send(x->http, &request, response, err);
	}
	buf_clear(&text);
	buf_clear(&dpop);
	return rc;
}

/* The code the wallet sent out of band: STATE/outbox/<person>.txt, which the
 * canary's "phone" deletes once read, as a person would an SMS. */
static hr_status read_code(const struct canary_exchange *x, const char *person, char *code,
			   size_t size, struct hr_error *err)
{
	char path[PATH_MAX + 32];
	struct buf text;
	hr_status rc;

	snprintf(path, sizeof(path), "%s/outbox/%s.txt", x->state_dir, person);
	buf_init(&text, 256);
	if ((rc = file_read(path, &text, NULL)) != HR_OK || text.len == 0 || text.len >= size) {
		buf_clear(&text);
		return hr_error_set(err, HR_E_NOT_FOUND, STAGE,
				    "enrolment: no code arrived in the outbox");
	}
	snprintf(code, size, "%.*s", (int)strcspn(buf_str(&text), "\r\n"), buf_str(&text));
	buf_clear(&text);
	(void)unlink(path);
	return HR_OK;
}

static hr_status device_enrol(struct canary_exchange *x, const char *person,
			      struct canary_device *d, struct hr_error *err)
{
	struct http_client_response response;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	json_t *body = NULL, *answer = NULL;
	const char *attestation;
	char code[32];
	hr_status rc;

	memset(d, 0, sizeof(*d));
	http_client_response_init(&response);
	if (key == NULL)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot make a device key");
	rc = signer_from_key(key, NULL, &d->key, err);
	if (rc == HR_OK)
		rc = jose_key_to_jwk(key, &d->jwk, err);
	EVP_PKEY_free(key);
	if (rc != HR_OK)
		goto done;
	if ((body = json_pack("{s:s}", "person", person)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	if ((rc = wallet_post(x, d, "/v1/enrol/start", body, false, &response, err)) != HR_OK)
		goto done;
	if (response.status != 202) {
		rc = refused(&response, "enrolment at the wallet", err);
		goto done;
	}
	if ((rc = read_code(x, person, code, sizeof(code), err)) != HR_OK)
		goto done;
	json_decref(body);
	body = json_pack("{s:s,s:s,s:O}", "person", person, "code", code, "device_key", d->jwk);
	if (body == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	if ((rc = wallet_post(x, d, "/v1/enrol/finish", body, true, &response, err)) != HR_OK)
		goto done;
	if (response.status != 200) {
		rc = refused(&response, "enrolment at the wallet", err);
		goto done;
	}
	if (hr_json_parse(response.body.data, response.body.len, &answer, NULL) != HR_OK ||
	    (attestation = json_string_value(json_object_get(answer, "device_attestation"))) ==
		NULL ||
	    strlen(attestation) >= sizeof(d->attestation)) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "enrolment: the wallet's answer holds no device attestation");
		goto done;
	}
	snprintf(d->attestation, sizeof(d->attestation), "%s", attestation);
done:
	json_decref(body);
	json_decref(answer);
	http_client_response_clear(&response);
	return rc;
}

/* ---- the member's lookups ---- */

/* One lookup through the gateway, signed as the member; appends what came. */
static hr_status lookup(struct canary_exchange *x, const struct canary_lookup *l,
			const char *person, struct canary_device *d, struct buf *received,
			size_t received_by_type[POPULATION_TYPE_COUNT], struct hr_error *err)
{
	struct http_client_response response;
	struct http_header headers[4];
	struct member_call call = {0};
	char url[CANARY_URL_MAX + MEMBER_ID_MAX + 16], step[64];
	struct buf consent, body;
	json_t *answer = NULL, *documents, *document;
	int64_t now = (int64_t)time(NULL);
	size_t h = 0, i;
	hr_status rc = HR_OK;

	http_client_response_init(&response);
	buf_init(&consent, CONSENT_MAX_LEN);
	buf_init(&body, 256);
	snprintf(step, sizeof(step), "%s lookup", document_types[l->type]);
	snprintf(url, sizeof(url), "%s/x/%s/lookup", x->gateway, l->provider);
	headers[h++] = (struct http_header){"Hromada-Client", x->member};
	headers[h++] = (struct http_header){"Hromada-Purpose", l->purpose};
	/* a consented lookup is the customer's own doing; one under a law, the member's */
	headers[h++] = (struct http_header){"Hromada-User",
					    l->consent ? CANARY_LOOKUP_USER : CANARY_SYSTEM_USER};
	if (l->consent) {
		/* the customer agrees to this member seeing this one document type */
		struct consent_scope scope = {x->member, {document_types[l->type]}, 1};
		if ((rc = consent_make(d->key, d->jwk, d->attestation, person, l->purpose, &scope,
				       now, CONSENT_LIFETIME_S, &consent, err)) != HR_OK)
			goto done;
		headers[h++] = (struct http_header){"Hromada-Consent", buf_str(&consent)};
	}
	if (buf_printf(&body, "{\"person\": \"%s\"}", person) != HR_OK) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	call = (struct member_call){.url = url,
				    .headers = headers,
				    .header_count = h,
				    .body = body.data,
				    .body_len = body.len,
				    .timeout_ms = CALL_TIMEOUT_MS};
	if ((rc = member_call_post(x->http, &x->self, &call, x->gateway_id, x->gateway_key,
				   x->nonces, now, &response, err)) != HR_OK) {
		hr_error_prefix(err, "%s", step);
		goto done;
	}
	if (response.status != 200) {
		rc = refused(&response, step, err);
		goto done;
	}
	if (hr_json_parse_object(response.body.data, response.body.len, &answer, NULL) != HR_OK ||
	    !json_is_array(documents = json_object_get(answer, "documents"))) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "%s: the answer holds no documents",
				  step);
		goto done;
	}
	/* each document as it came back: the registry's own field names and values */
	json_array_foreach(documents, i, document)
	{
		if (!json_is_object(document) || hr_json_dump(document, received) != HR_OK ||
		    buf_append_byte(received, '\n') != HR_OK) {
			rc = hr_error_set(err, HR_E_INVALID, STAGE,
					  "%s: a document could not be kept", step);
			goto done;
		}
		received_by_type[l->type]++;
	}
done:
	json_decref(answer);
	buf_clear(&consent);
	buf_clear(&body);
	http_client_response_clear(&response);
	return rc;
}

hr_status canary_serve(struct canary_exchange *x, const struct canary_plan *plan,
		       const struct canary *c, struct buf *received,
		       size_t received_by_type[POPULATION_TYPE_COUNT], struct hr_error *err)
{
	struct canary_device device = {0};
	hr_status rc = HR_OK;

	if (plan->consent && (rc = device_enrol(x, c->person.id, &device, err)) != HR_OK) {
		device_clear(&device);
		return rc;
	}
	for (size_t l = 0; l < plan->lookup_count && rc == HR_OK; l++)
		rc = lookup(x, &plan->lookups[l], c->person.id, &device, received, received_by_type,
			    err);
	device_clear(&device);
	return rc;
}
