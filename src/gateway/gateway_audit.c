/*
 * gateway_audit.c — what anyone may ask of the audit log, and what a citizen's
 * wallet may ask about its citizen (DESIGN.md §5, §6; RFC 9162 §2.1):
 *
 *	GET /audit/sth                            the newest signed tree head
 *	GET /audit/inclusion?index=I&tree_size=N  {leaf_index, leaf_hash, inclusion}
 *	GET /audit/consistency?first=M&second=N   {consistency}
 *	POST /x/{this gateway}/access-log         a person's access history
 *
 * The first three are public: entries hold no personal data, and the point of
 * a transparency log is that anyone can check it. Hashes are base64 (standard,
 * padded). Sizes are bounded by the newest signed head: proofs are about
 * history somebody signed.
 *
 * The access history is an exchange like any other — signed by the calling
 * member (the wallet), allowed by an access right, with the citizen's consent —
 * and is itself recorded, before it is read, and returned as "this_read" under
 * a signed head that covers it: a citizen sees every look at their data, their
 * own included, and the device checks the person's chain of entries (their
 * "seq" numbers) has no gap up to this reading (src/audit/access_history.h).
 */
#include "gateway/gateway_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/json.h"
#include "core/log.h"

/* how long a history waits for the head that covers its own reading */
#define HISTORY_SIGN_WAIT_MS 5000

/* A query argument that must be a decimal uint64 without sign or spaces. */
static bool query_u64(struct http_request *req, const char *name, uint64_t *out)
{
	const char *text = http_request_query(req, name);
	uint64_t v = 0;

	if (text == NULL || text[0] == 0 || strlen(text) > 19)
		goto bad;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return true;
bad:
	http_reply_error(req, 400, "invalid", "%s must be a decimal integer", name);
	return false;
}

static void handle_sth(struct http_request *req, void *context)
{
	struct gateway *g = context;
	struct tree_head head;
	json_t *body;

	audit_latest_head(g->audit, &head);
	if ((body = tree_head_to_json(&head)) == NULL) {
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	http_reply_json(req, 200, body);
}

static void handle_inclusion(struct http_request *req, void *context)
{
	struct gateway *g = context;
	uint8_t leaf[MERKLE_HASH_LEN], proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	uint64_t index, size;
	size_t count = 0;
	struct hr_error err = {0};
	json_t *body;

	if (!query_u64(req, "index", &index) || !query_u64(req, "tree_size", &size))
		return;
	if (audit_inclusion(g->audit, index, size, leaf, proof, &count, &err) != HR_OK) {
		http_reply_from_error(req, &err);
		return;
	}
	body = json_pack("{s:I,s:o,s:o}", "leaf_index", (json_int_t)index, "leaf_hash",
			 tree_head_hash_to_json(leaf), "inclusion",
			 tree_head_proof_to_json(proof, count));
	if (body == NULL)
		http_reply_error(req, 500, "internal", "out of memory");
	else
		http_reply_json(req, 200, body);
}

static void handle_consistency(struct http_request *req, void *context)
{
	struct gateway *g = context;
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	uint64_t first, second;
	size_t count = 0;
	struct hr_error err = {0};
	json_t *body;

	if (!query_u64(req, "first", &first) || !query_u64(req, "second", &second))
		return;
	if (audit_consistency(g->audit, first, second, proof, &count, &err) != HR_OK) {
		http_reply_from_error(req, &err);
		return;
	}
	body = json_pack("{s:o}", "consistency", tree_head_proof_to_json(proof, count));
	if (body == NULL)
		http_reply_error(req, 500, "internal", "out of memory");
	else
		http_reply_json(req, 200, body);
}

hr_status gateway_audit_routes(struct gateway *g, struct http_server *server, struct hr_error *err)
{
	hr_status rc;

	if ((rc = http_server_route(server, "GET", "/audit/sth", 0, handle_sth, g, err)) != HR_OK ||
	    (rc = http_server_route(server, "GET", "/audit/inclusion", 0, handle_inclusion, g,
				    err)) != HR_OK)
		return rc;
	return http_server_route(server, "GET", "/audit/consistency", 0, handle_consistency, g,
				 err);
}

/* Who, in words, from which country, and which document: what the citizen
 * reads beside each entry. Members of other countries are named as their
 * country published them (the federation's view of this request). */
static void describe(const struct gateway *g, json_t *item)
{
	const json_t *fields = json_object_get(item, "fields");
	const char *client_id = json_string_value(json_object_get(fields, "client"));
	const char *provider_id = json_string_value(json_object_get(fields, "provider"));
	const struct member *client = client_id ? gateway_member(g, client_id) : NULL;
	const struct member *provider = provider_id ? gateway_member(g, provider_id) : NULL;

	if (client != NULL && client->name[0])
		json_object_set_new(item, "client_name", json_string(client->name));
	if (client_id != NULL && strlen(client_id) > 2 && client_id[2] == '/')
		json_object_set_new(item, "client_country", json_stringn(client_id, 2));
	if (provider != NULL && provider->document_type[0])
		json_object_set_new(item, "document_type", json_string(provider->document_type));
	if (provider != NULL && provider->name[0])
		json_object_set_new(item, "provider_name", json_string(provider->name));
	if (provider_id != NULL && strlen(provider_id) > 2 && provider_id[2] == '/')
		json_object_set_new(item, "provider_country", json_stringn(provider_id, 2));
}

static void serve_access_log(struct gateway *g, struct http_request *req, const struct exchange *x)
{
	const json_t *before_json = json_object_get(x->body, "before");
	uint64_t before = UINT64_MAX, read_index = 0;
	struct hr_error err = {0};
	json_t *answer = NULL, *item;
	size_t i;

	if (x->person == NULL || (before_json != NULL && (!json_is_integer(before_json) ||
							  json_integer_value(before_json) < 0))) {
		member_reply_error(req, &g->self, 400, "invalid",
				   "{\"person\": id, \"before\": optional leaf index}");
		return;
	}
	if (before_json != NULL)
		before = (uint64_t)json_integer_value(before_json);
	/*
	 * This reading is an access too, recorded before anything is read: its
	 * entry's seq counts every entry of the person before it, and it comes
	 * back as "this_read" under a head that covers it, so the device can
	 * tell that the history it gets is complete up to it (docs/AUDIT.md).
	 * Its response hash is of the empty body: the answer does not exist yet.
	 */
	if (!gateway_record(g, req, x, "", 0, 200, &read_index))
		return;
	if (audit_wait_signed(g->audit, read_index, HISTORY_SIGN_WAIT_MS, &err) != HR_OK ||
	    audit_history(g->audit, x->person, before, AUDIT_HISTORY_MAX, read_index, &answer,
			  &err) != HR_OK) {
		log_error("gateway.audit", "%s", err.message);
		member_reply_error(req, &g->self, 503, "unavailable",
				   "the access history cannot be read now");
		goto done;
	}
	json_array_foreach(json_object_get(answer, "entries"), i, item) describe(g, item);
	describe(g, json_object_get(answer, "this_read"));
	member_reply_json(req, &g->self, 200, answer);
	answer = NULL;
done:
	json_decref(answer);
}

void gateway_serve_own(struct gateway *g, struct http_request *req, const struct exchange *x)
{
	if (strcmp(x->service, GATEWAY_ACCESS_LOG) == 0)
		serve_access_log(g, req, x);
	else if (strcmp(x->service, GATEWAY_SENTINEL) == 0)
		gateway_sentinel_serve(g, req, x);
	else
		member_reply_error(req, &g->self, 404, "not_found", "no such service");
}
