/*
 * member.c — both ends of a signed member exchange (see member.h).
 *
 * Covered components. Requests: "@method" "@authority" "@path" "content-type"
 * "content-digest" and every Hromada-* header sent. Responses: "@status"
 * "content-type" "content-digest" and "signature";req — the request's own
 * signature, which ties the answer to the question (RFC 9421 §2.4).
 */
#include "exchange/member.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/error.h"
#include "core/json.h"
#include "credential/signer.h"

#define STAGE          "exchange"
#define MAX_COMPONENTS (HTTPSIG_MAX_HEADERS + 8)
#define RESPONSE_LIMIT (8 * 1024 * 1024)

static const char *const request_base[] = {"@method", "@authority", "@path", "content-type",
					   "content-digest"};
static const char *const response_components[] = {"@status", "content-type", "content-digest",
						  "signature;req", NULL};
/* The answer to a request that was not signed (a refusal): nothing to bind to. */
static const char *const unbound_components[] = {"@status", "content-type", "content-digest", NULL};

/* Header names are covered in lower case (RFC 9421 §2.1). */
static void lower_copy(char *out, size_t size, const char *name)
{
	size_t i = 0;

	for (; name[i] && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[i] = 0;
}

struct names {
	char text[HTTPSIG_MAX_HEADERS][64];
};

/* The one key a response may be signed with: the peer we called. */
struct peer {
	const char *id;
	EVP_PKEY *key;
};

static EVP_PKEY *peer_lookup(void *context, const char *keyid)
{
	struct peer *p = context;

	return strcmp(keyid, p->id) == 0 ? p->key : NULL;
}

hr_status member_call_post(struct http_client *client, const struct member_identity *self,
			   const struct member_call *call, const char *peer_id, EVP_PKEY *peer_key,
			   struct replay_cache *nonces, int64_t now,
			   struct http_client_response *response, struct hr_error *err)
{
	struct peer peer = {peer_id, peer_key};
	char keyid[sizeof(((struct httpsig_verified *)0)->keyid)];
	hr_status rc;

	rc = member_call(client, self, call, peer_lookup, &peer, nonces, now, response, keyid,
			 sizeof(keyid), err);
	if (rc == HR_OK && strcmp(keyid, peer_id) != 0)
		rc = hr_error_set(err, HR_E_SIGNATURE, STAGE, "the answer is signed by %s, not %s",
				  keyid, peer_id);
	return rc;
}

hr_status member_call(struct http_client *client, const struct member_identity *self,
		      const struct member_call *call, httpsig_key_lookup lookup,
		      void *lookup_context, struct replay_cache *nonces, int64_t now,
		      struct http_client_response *response, char *keyid, size_t keyid_size,
		      struct hr_error *err)
{
	const char *method = call->method ? call->method : "POST";
	struct httpsig_header signed_headers[HTTPSIG_MAX_HEADERS + 4];
	struct http_header sent[HTTPSIG_MAX_HEADERS + 4];
	struct httpsig_header reply_headers[HTTP_CLIENT_MAX_HEADERS];
	const char *components[MAX_COMPONENTS];
	struct names names;
	struct httpsig_message request, reply;
	struct httpsig_verified verified;
	struct http_client_request http = {0};
	char digest[64];
	char *input = NULL, *signature = NULL;
	size_t n = 0, c = 0, h = 0;
	hr_status rc;

	/* httpsig signs at most HTTPSIG_MAX_HEADERS components, the base ones and
	 * the batch preference included */
	if (call->header_count >
	    HTTPSIG_MAX_HEADERS - 1 - sizeof(request_base) / sizeof(request_base[0]))
		return hr_error_set(err, HR_E_INVALID, STAGE, "too many headers to sign");
	httpsig_content_digest(call->body, call->body_len, digest);
	for (size_t i = 0; i < sizeof(request_base) / sizeof(request_base[0]); i++)
		components[c++] = request_base[i];
	signed_headers[n++] = (struct httpsig_header){"content-type", "application/json"};
	signed_headers[n++] = (struct httpsig_header){"content-digest", digest};
	for (size_t i = 0; i < call->header_count; i++) {
		lower_copy(names.text[i], sizeof(names.text[i]), call->headers[i].name);
		signed_headers[n++] =
		    (struct httpsig_header){names.text[i], call->headers[i].value};
		components[c++] = names.text[i];
	}
	/* a member that batch-signs verifies batch-signed answers as well */
	if (self->batch != NULL) {
		signed_headers[n++] =
		    (struct httpsig_header){MEMBER_BATCH_HEADER_LC, MEMBER_BATCH_ACCEPT};
		components[c++] = MEMBER_BATCH_HEADER_LC;
	}
	components[c] = NULL;
	request = (struct httpsig_message){method,     call->url,      0,   signed_headers, n,
					   call->body, call->body_len, NULL};
	if ((rc = httpsig_sign_batched(call->batch ? self->batch : NULL, self->signer, self->id,
				       &request, components, now, MEMBER_SIGNATURE_LIFETIME_S, NULL,
				       &input, &signature, err)) != HR_OK)
		return rc;
	/* the request as the response's ;req components will see it */
	signed_headers[n++] = (struct httpsig_header){"signature-input", input};
	signed_headers[n++] = (struct httpsig_header){"signature", signature};
	request.header_count = n;

	sent[h++] = (struct http_header){"Content-Type", "application/json"};
	sent[h++] = (struct http_header){"Content-Digest", digest};
	sent[h++] = (struct http_header){"Signature-Input", input};
	sent[h++] = (struct http_header){"Signature", signature};
	for (size_t i = 0; i < call->header_count; i++)
		sent[h++] = call->headers[i];
	if (self->batch != NULL)
		sent[h++] = (struct http_header){MEMBER_BATCH_HEADER, MEMBER_BATCH_ACCEPT};
	http.method = method;
	http.url = call->url;
	http.headers = sent;
	http.header_count = h;
	http.body = call->body;
	http.body_len = call->body_len;
	http.timeout_ms = call->timeout_ms;
	if ((rc = http_client_send(client, &http, response, err)) != HR_OK)
		goto done;

	for (size_t i = 0; i < response->header_count && i < HTTP_CLIENT_MAX_HEADERS; i++)
		reply_headers[i] =
		    (struct httpsig_header){response->headers[i].name, response->headers[i].value};
	reply = (struct httpsig_message){NULL,
					 NULL,
					 (int)response->status,
					 reply_headers,
					 response->header_count,
					 response->body.data,
					 response->body.len,
					 &request};
	if (http_client_response_header(response, "signature") == NULL) {
		rc = hr_error_set(err, HR_E_SIGNATURE, STAGE, "%s answered %ld without a signature",
				  call->url, response->status);
		goto done;
	}
	rc = httpsig_verify(&reply, http_client_response_header(response, "signature-input"),
			    http_client_response_header(response, "signature"), response_components,
			    lookup, lookup_context, now, nonces, &verified, err);
	if (rc == HR_OK && keyid != NULL)
		snprintf(keyid, keyid_size, "%s", verified.keyid);
done:
	free(input);
	free(signature);
	return rc;
}

/* --- server side ------------------------------------------------------------ */

/* The incoming request as httpsig sees it: every header it may cover. */
struct incoming {
	struct httpsig_header headers[HTTPSIG_MAX_HEADERS + 16];
	struct names names;
	char target_uri[1024];
	struct httpsig_message message;
};

/* Every header a member request may carry and sign: the signature may cover
 * any of them, so the receiver must see all that are present. */
static const char *const message_headers[] = {
    "content-type",    "content-digest",   "signature-input",      "signature",
    "hromada-client",  "hromada-purpose",  "hromada-user",         "hromada-issue",
    "hromada-consent", "hromada-provider", MEMBER_BATCH_HEADER_LC, NULL};

static bool known_header(const char *name)
{
	for (const char *const *m = message_headers; *m; m++) {
		if (strcasecmp(*m, name) == 0)
			return true;
	}
	return false;
}

static void collect(struct http_request *req, const char *const *extra, struct incoming *in)
{
	struct slice body = http_request_body(req);
	size_t n = 0;

	for (const char *const *m = message_headers; *m; m++) {
		const char *v = http_request_header(req, *m);
		if (v != NULL)
			in->headers[n++] = (struct httpsig_header){*m, v};
	}
	for (size_t i = 0; extra != NULL && extra[i] != NULL && i < HTTPSIG_MAX_HEADERS; i++) {
		const char *v = http_request_header(req, extra[i]);
		lower_copy(in->names.text[i], sizeof(in->names.text[i]), extra[i]);
		if (v != NULL && !known_header(extra[i]))
			in->headers[n++] = (struct httpsig_header){in->names.text[i], v};
	}
	/* the URL the request was signed for is ours, never the Host the sender
	 * chose: a request signed for another server must not verify here */
	snprintf(in->target_uri, sizeof(in->target_uri), "%s%s", http_request_own_url(req),
		 http_request_path(req));
	in->message = (struct httpsig_message){
	    http_request_method(req), in->target_uri, 0, in->headers, n, body.ptr, body.len, NULL};
}

hr_status member_request_verify(struct http_request *req, const char *const *required,
				httpsig_key_lookup lookup, void *lookup_context,
				struct replay_cache *nonces, int64_t now,
				struct httpsig_verified *verified, struct hr_error *err)
{
	const char *components[MAX_COMPONENTS];
	struct incoming in;
	size_t c = 0;

	/* collect() keeps at most HTTPSIG_MAX_HEADERS names: more is a caller's bug */
	for (size_t i = 0; required != NULL && required[i] != NULL; i++)
		if (i == HTTPSIG_MAX_HEADERS)
			return hr_error_set(err, HR_E_STATE, STAGE,
					    "at most %d required components", HTTPSIG_MAX_HEADERS);
	if (http_request_header(req, "Signature") == NULL ||
	    http_request_header(req, "Signature-Input") == NULL)
		return hr_error_set(err, HR_E_SIGNATURE, STAGE,
				    "the request is not signed (RFC 9421 Signature and "
				    "Signature-Input are required)");
	collect(req, required, &in);
	for (size_t i = 0; i < sizeof(request_base) / sizeof(request_base[0]); i++)
		components[c++] = request_base[i];
	for (size_t i = 0; required != NULL && required[i] != NULL; i++)
		components[c++] = in.names.text[i];
	components[c] = NULL;
	return httpsig_verify(&in.message, http_request_header(req, "Signature-Input"),
			      http_request_header(req, "Signature"), components, lookup,
			      lookup_context, now, nonces, verified, err);
}

/* The caller verifies batch signatures (it said so, as member_call does): a
 * preference, not a claim anyone could abuse, since both forms are as strong. */
static bool batch_accepted(struct http_request *req)
{
	const char *v = http_request_header(req, MEMBER_BATCH_HEADER);

	return v != NULL && strcmp(v, MEMBER_BATCH_ACCEPT) == 0;
}

void member_reply_bytes(struct http_request *req, const struct member_identity *self,
			unsigned status, const char *content_type, const void *data, size_t len)
{
	struct httpsig_header headers[2];
	struct httpsig_message reply;
	struct incoming in;
	struct hr_error err = {0};
	char digest[64];
	char *input = NULL, *signature = NULL;

	httpsig_content_digest(data, len, digest);
	headers[0] = (struct httpsig_header){"content-type", content_type};
	headers[1] = (struct httpsig_header){"content-digest", digest};
	collect(req, NULL, &in);
	reply =
	    (struct httpsig_message){NULL, NULL, (int)status, headers, 2, data, len, &in.message};
	if (httpsig_sign_batched(
		batch_accepted(req) ? self->batch : NULL, self->signer, self->id, &reply,
		http_request_header(req, "Signature") ? response_components : unbound_components,
		(int64_t)time(NULL), MEMBER_SIGNATURE_LIFETIME_S, NULL, &input, &signature,
		&err) != HR_OK) {
		http_reply_error(req, 500, "internal", "the answer could not be signed");
		return;
	}
	http_reply_header(req, "Content-Digest", digest);
	http_reply_header(req, "Signature-Input", input);
	http_reply_header(req, "Signature", signature);
	http_reply_bytes(req, status, content_type, data, len);
	free(input);
	free(signature);
}

void member_reply_json(struct http_request *req, const struct member_identity *self,
		       unsigned status, json_t *body)
{
	struct buf text;

	buf_init(&text, RESPONSE_LIMIT);
	if (hr_json_dump(body, &text) != HR_OK || buf_append_byte(&text, '\n') != HR_OK) {
		json_decref(body);
		buf_clear(&text);
		http_reply_error(req, 500, "internal", "the answer could not be serialised");
		return;
	}
	json_decref(body);
	member_reply_bytes(req, self, status, "application/json", text.data, text.len);
	buf_clear(&text);
}

void member_reply_error(struct http_request *req, const struct member_identity *self,
			unsigned status, const char *code, const char *message)
{
	json_t *body = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);

	if (body == NULL)
		body =
		    json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", "(unprintable)");
	member_reply_json(req, self, status, body);
}

void member_reply_unverified(struct http_request *req, const struct member_identity *self,
			     const struct hr_error *err)
{
	/* a full nonce record is our state, not the caller's fault: it may retry */
	if (err->status == HR_E_BUSY) {
		http_reply_header(req, "Retry-After", "1");
		member_reply_error(req, self, 503, "busy", err->message);
		return;
	}
	member_reply_error(req, self, 401, "unauthorized", err->message);
}
