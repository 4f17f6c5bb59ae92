/*
 * services_http.c — one HTTP GET for the lean executable, exported from
 * hromada-services.so: `hromada verify --trust-url` and `--status online` fetch
 * through it, so the executable itself never links libcurl (docs/ARCHITECTURE.md,
 * "Two link units"). services.c resolves it with dlsym when a fetch is needed.
 *
 * It is core/http_client.h with the policy of a verifier: http and https only,
 * no redirects, no proxies from the environment (all http_client's rules), a
 * timeout and a ceiling on the body chosen by the caller, If-None-Match for
 * conditional requests, and the answer's ETag handed back.
 *
 * Never: return a partial body as a success, or keep anything between calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/http_client.h"

/* The symbol services.c looks up; its type is cli_http_get_fn (cli.h). */
hr_status hromada_services_http_get(const struct cli_http_request *request,
				    struct cli_http_response *response, struct hr_error *err);

hr_status hromada_services_http_get(const struct cli_http_request *request,
				    struct cli_http_response *response, struct hr_error *err)
{
	struct http_client_options options;
	struct http_client *client;
	struct http_client_response answer;
	struct http_header headers[2];
	struct http_client_request req = {0};
	const char *etag;
	size_t n = 0;
	hr_status rc;

	memset(response, 0, sizeof(*response));
	if (request == NULL || request->url == NULL)
		return hr_error_set(err, HR_E_INVALID, "http_client", "no URL to fetch");
	http_client_options_default(&options);
	options.timeout_ms = request->timeout_ms ? request->timeout_ms : 10000;
	options.connect_timeout_ms = options.timeout_ms < options.connect_timeout_ms
					 ? options.timeout_ms
					 : options.connect_timeout_ms;
	options.max_response_bytes = request->limit ? request->limit : options.max_response_bytes;
	options.max_idle_handles = 1;
	if ((client = http_client_new(&options)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, "http_client", "out of memory");
	if (request->if_none_match != NULL && request->if_none_match[0])
		headers[n++] = (struct http_header){"If-None-Match", request->if_none_match};
	if (request->accept != NULL)
		headers[n++] = (struct http_header){"Accept", request->accept};
	req.method = "GET";
	req.url = request->url;
	req.headers = headers;
	req.header_count = n;
	http_client_response_init(&answer);
	rc = http_client_send(client, &req, &answer, err);
	if (rc == HR_OK) {
		response->status = answer.status;
		if ((etag = http_client_response_header(&answer, "etag")) != NULL)
			snprintf(response->etag, sizeof(response->etag), "%s", etag);
		response->body = (char *)buf_take(&answer.body, &response->len);
		if (response->body == NULL && (response->body = calloc(1, 1)) == NULL)
			rc = hr_error_set(err, HR_E_NOMEM, "http_client", "out of memory");
	}
	http_client_response_clear(&answer);
	http_client_free(client);
	return rc;
}
