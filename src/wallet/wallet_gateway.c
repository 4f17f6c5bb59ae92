/*
 * wallet_gateway.c — the wallet's one way out: an exchange through the gateway,
 * signed as the wallet member, naming the citizen as the user ("self") and the
 * wallet request as the case, with the citizen's consent (Hromada-Consent, made
 * by their device) relayed untouched. The gateway's answer is checked against
 * its key before it is parsed.
 */
#include "wallet/wallet_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/json.h"

#define GATEWAY_TIMEOUT_MS 5000

struct gateway_call {
	const char *purpose;
	const char *user;
	const char *issue;   /* NULL: none */
	const char *consent; /* NULL: none */
};

static hr_status call(struct wallet *w, const char *provider, const char *service,
		      const json_t *body, const struct gateway_call *c, long *status,
		      json_t **answer, struct hr_error *err)
{
	struct http_client_response response;
	struct http_header headers[5];
	struct member_call call;
	char url[1024];
	struct buf text;
	size_t h = 0;
	hr_status rc;

	*answer = NULL;
	buf_init(&text, 4096);
	if ((rc = hr_json_dump(body, &text)) != HR_OK) {
		buf_clear(&text);
		return hr_error_set(err, rc, "wallet", "request too large");
	}
	headers[h++] = (struct http_header){"Hromada-Client", w->member_id};
	headers[h++] = (struct http_header){"Hromada-Purpose", c->purpose};
	headers[h++] = (struct http_header){"Hromada-User", c->user};
	if (c->issue != NULL)
		headers[h++] = (struct http_header){"Hromada-Issue", c->issue};
	if (c->consent != NULL)
		headers[h++] = (struct http_header){"Hromada-Consent", c->consent};
	snprintf(url, sizeof(url), "%s/x/%s/%s", w->gateway_url, provider, service);
	call = (struct member_call){.url = url,
				    .headers = headers,
				    .header_count = h,
				    .body = text.data,
				    .body_len = text.len,
				    .timeout_ms = GATEWAY_TIMEOUT_MS,
				    /* the wallet's gateway is a Hromada gateway */
				    .batch = true};
	http_client_response_init(&response);
	rc = member_call_post(w->client, &w->self, &call, w->gateway_id, w->gateway_key,
			      w->gateway_nonces, (int64_t)time(NULL), &response, err);
	if (rc == HR_OK) {
		*status = response.status;
		rc = hr_json_parse(response.body.data, response.body.len, answer, err);
	}
	http_client_response_clear(&response);
	buf_clear(&text);
	return rc;
}

hr_status wallet_call_gateway(struct wallet *w, struct http_request *req, const char *provider,
			      const char *service, const json_t *body, long *status,
			      json_t **answer, struct hr_error *err)
{
	char issue[80];
	struct gateway_call c = {WALLET_PURPOSE, "self", issue,
				 http_request_header(req, "Hromada-Consent")};

	snprintf(issue, sizeof(issue), "wallet request %s", http_request_id(req));
	return call(w, provider, service, body, &c, status, answer, err);
}

hr_status wallet_call_gateway_as(struct wallet *w, const char *provider, const char *service,
				 const json_t *body, const char *purpose, const char *user,
				 long *status, json_t **answer, struct hr_error *err)
{
	struct gateway_call c = {purpose, user, NULL, NULL};

	return call(w, provider, service, body, &c, status, answer, err);
}

/* Passes a refusal from the gateway or registry on to the device. */
void wallet_relay_failure(struct http_request *req, long status, const json_t *answer)
{
	const json_t *error = json_object_get(answer, "error");
	const char *code = json_string_value(json_object_get(error, "code"));
	const char *message = json_string_value(json_object_get(error, "message"));

	http_reply_error(req, status >= 400 && status < 600 ? (unsigned)status : 502,
			 code ? code : "upstream", "%s",
			 message ? message : "the registry refused");
}
