/*
 * wallet_access_log.c — GET /v1/access-log[?before=LEAF_INDEX]: every access
 * to the caller's data, from the gateway's tamper-evident audit log
 * (DESIGN.md §5, §6).
 *
 * The wallet asks the gateway's own access-log service as it asks a registry:
 * signed as the wallet member, for the authenticated citizen only, with the
 * consent their device made. The answer is passed on as the gateway gave it —
 * each entry with its bytes, what they say, who that is in words, and its
 * inclusion proof against the signed tree head that comes with it — so that
 * the device checks the proofs itself and need not trust the wallet:
 *
 *	{"tree_head": {tree_size, root_hash, timestamp, signature},
 *	 "entries": [{"leaf_index", "entry", "fields", "client_name",
 *	              "document_type", "provider_name", "inclusion"}, ...],
 *	 "pending": n, "more": bool}
 *
 * Newest first, a page at a time: ?before= the smallest leaf_index seen.
 */
#include "wallet/wallet_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"

#define ACCESS_LOG_SERVICE "access-log"

void wallet_handle_access_log(struct http_request *req, void *context)
{
	struct wallet *w = context;
	struct wallet_caller c;
	const char *before = http_request_query(req, "before");
	struct hr_error err = {0};
	json_t *body, *answer = NULL;
	long status = 0;
	char *end = NULL;
	unsigned long long at = 0;

	if (!wallet_authenticate(w, req, &c))
		return;
	if (before != NULL) {
		errno = 0;
		at = strtoull(before, &end, 10);
		if (before[0] < '0' || before[0] > '9' || *end != 0 || errno != 0 ||
		    at > INT64_MAX) {
			http_reply_error(req, 400, "invalid",
					 "before must be a leaf index (a decimal integer)");
			goto done;
		}
	}
	body = json_pack("{s:s}", "person", c.person);
	if (body != NULL && before != NULL)
		json_object_set_new(body, "before", json_integer((json_int_t)at));
	if (body == NULL) {
		http_reply_error(req, 500, "internal", "out of memory");
		goto done;
	}
	if (wallet_call_gateway(w, req, w->gateway_id, ACCESS_LOG_SERVICE, body, &status, &answer,
				&err) != HR_OK) {
		http_reply_error(req, 502, "upstream", "the gateway did not answer: %s",
				 err.message);
	} else if (status != 200) {
		wallet_relay_failure(req, status, answer);
	} else {
		http_reply_json(req, 200, answer);
		answer = NULL;
	}
	json_decref(body);
done:
	json_decref(answer);
	wallet_caller_clear(&c);
}
