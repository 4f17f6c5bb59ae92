/*
 * wallet_leaks.c — GET /v1/leaks: "was my data leaked", for the
 * authenticated citizen only (DESIGN.md §5, §7; docs/LEAKS.md):
 *
 *	{"leaks": [{"dump": "<name>", "first_seen": "RFC 3339", "fields": [...]}]}
 *
 * The wallet computes the caller's tag — the first 16 bytes of
 * HMAC-SHA-256(range.key, person id), src/leak/leak_tag.h — and asks the
 * range service (the nccc hub) for the range of its first 5 hex digits, a
 * signed member call that names no person. It keeps the entries whose suffix
 * is the caller's and passes on their leaks; the other entries of the range
 * (other people's tags and the service's decoys) are dropped unread. The
 * answer is padded with JSON whitespace to a multiple of WALLET_LEAKS_PAD
 * bytes, so its length does not tell a network observer whether the caller
 * is in a dump.
 *
 * Auth as every citizen call: DPoP (wallet_authenticate) and a consent made
 * by the enrolled device for the caller, purpose citizen-wallet, its docs
 * covering "leaks" (or "*"). The wallet checks that consent itself: no
 * gateway stands between it and the range service.
 *
 * Only the caller's own person id is asked about — a citizen abroad has one
 * id per country, and each country's wallet answers for its own.
 *
 * Settings ([leaks]): range_key = the country's range.key (32 bytes; made by
 * `hromada up` in STATE/<C>/leak/range.key); the service is the hub of
 * [report] nccc_url, nccc_id, nccc_certificate unless [leaks] names its own
 * with the same three keys. Without range_key or a service the endpoint
 * answers 503 not_configured.
 *
 * What is never kept or logged: the caller's tag or its prefix.
 */
#include "wallet/wallet_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/config.h"
#include "core/error.h"
#include "core/json.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "exchange/consent.h"
#include "leak/leak_range.h"
#include "leak/leak_tag.h"

#define STAGE             "wallet"
#define LEAKS_CONSENT_DOC "leaks" /* what the consent's docs must cover */
#define LEAKS_TIMEOUT_MS  5000
#define LEAKS_NONCES      (1u << 16) /* the service's answers in their 60 s of life */
#define WALLET_LEAKS_PAD  4096

struct wallet_leaks {
	uint8_t range_key[SECRET_LEN];
	char url[512];
	char id[MEMBER_ID_MAX];
	EVP_PKEY *key; /* the service's answers are signed with it */
	struct replay_cache *nonces;
	struct consent_checker *consents;
	const struct wallet *wallet; /* for the attester: the wallet itself */
};

/* The one attester of a consent here: this wallet, which enrolled the device. */
static EVP_PKEY *attester(void *context, const char *member_id)
{
	const struct wallet_leaks *l = context;
	const struct signer_cert *cert = signer_certificate(l->wallet->member_signer);

	return cert != NULL && strcmp(member_id, l->wallet->member_id) == 0 ? cert->key : NULL;
}

/* [leaks] key, else [report] key; NULL when neither is set. */
static hr_status setting(struct config *cfg, const char *key, const char **out,
			 struct hr_error *err)
{
	hr_status rc;

	if ((rc = config_get_str(cfg, "leaks", key, NULL, out, err)) != HR_OK || *out != NULL)
		return rc;
	return config_get_str(cfg, "report", key, NULL, out, err);
}

hr_status wallet_leaks_open(struct config *cfg, const struct wallet *w, struct wallet_leaks **out,
			    struct hr_error *err)
{
	const char *key_path, *url, *id, *cert;
	struct wallet_leaks *l;
	hr_status rc;

	*out = NULL;
	if ((rc = config_get_str(cfg, "leaks", "range_key", NULL, &key_path, err)) != HR_OK ||
	    (rc = setting(cfg, "nccc_url", &url, err)) != HR_OK ||
	    (rc = setting(cfg, "nccc_id", &id, err)) != HR_OK ||
	    (rc = setting(cfg, "nccc_certificate", &cert, err)) != HR_OK)
		return rc;
	if (key_path == NULL || url == NULL || url[0] == '\0')
		return HR_OK; /* not offered: GET /v1/leaks says so */
	if (id == NULL || cert == NULL || !member_id_valid(id) || strlen(url) >= sizeof(l->url))
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[leaks] needs the range service: nccc_url, nccc_id and "
				    "nccc_certificate (in [leaks] or [report])");
	/* never made here: a key only this wallet had would find nobody */
	if (access(key_path, R_OK) != 0)
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[leaks] range_key: cannot read %s (the country's range.key, "
				    "shared with leakscan)",
				    key_path);
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return HR_E_NOMEM;
	l->wallet = w;
	snprintf(l->url, sizeof(l->url), "%s", url);
	snprintf(l->id, sizeof(l->id), "%s", id);
	if ((rc = secret_load_or_create(key_path, l->range_key, err)) != HR_OK ||
	    (rc = signer_cert_public_key_file(cert, &l->key, err)) != HR_OK)
		goto fail;
	l->nonces = replay_cache_new(LEAKS_NONCES);
	l->consents = consent_checker_new(attester, l);
	if (l->nonces == NULL || l->consents == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto fail;
	}
	*out = l;
	return HR_OK;
fail:
	wallet_leaks_free(l);
	return rc;
}

void wallet_leaks_free(struct wallet_leaks *l)
{
	if (l == NULL)
		return;
	EVP_PKEY_free(l->key);
	replay_cache_free(l->nonces);
	consent_checker_free(l->consents);
	OPENSSL_cleanse(l->range_key, sizeof(l->range_key));
	free(l);
}

/* The consent is required here, and checked whole (exchange/consent.h). */
static bool consented(struct wallet_leaks *l, struct http_request *req, const char *person)
{
	const char *consent = http_request_header(req, "Hromada-Consent");
	struct hr_error err = {0};
	char id[128];

	if (consent == NULL) {
		http_reply_error(req, 403, "consent_required",
				 "this call needs the citizen's consent (Hromada-Consent) for "
				 "citizen-wallet");
		return false;
	}
	if (consent_check(l->consents, consent, person, WALLET_PURPOSE, l->wallet->member_id,
			  LEAKS_CONSENT_DOC, (int64_t)time(NULL), id, sizeof(id), &err) != HR_OK) {
		http_reply_error(req, 403, "consent_invalid", "%s", err.message);
		return false;
	}
	return true;
}

/* The range of tag from the service: its checked answer. On failure it has
 * answered the device (502 for a refusal or a bad answer, 503 when the
 * service cannot be reached). */
static json_t *ask_range(struct wallet_leaks *l, struct http_request *req,
			 const char tag[LEAK_TAG_HEX_LEN + 1])
{
	struct http_client_response response;
	struct hr_error err = {0};
	json_t *answer = NULL;
	char url[640];
	hr_status rc;

	snprintf(url, sizeof(url), "%s/v1/leaks/range/%.*s", l->url, LEAK_RANGE_PREFIX_HEX, tag);
	http_client_response_init(&response);
	rc = member_call_post(
	    l->wallet->client, &l->wallet->self,
	    &(struct member_call){.url = url, .method = "GET", .timeout_ms = LEAKS_TIMEOUT_MS},
	    l->id, l->key, l->nonces, (int64_t)time(NULL), &response, &err);
	if (rc == HR_E_UNAVAILABLE || rc == HR_E_TIMEOUT) {
		http_reply_header(req, "Retry-After", "5");
		http_reply_error(req, 503, "unavailable",
				 "the leak range service did not answer: %s", err.message);
	} else if (rc != HR_OK) {
		http_reply_error(req, 502, "upstream",
				 "the leak range service's answer was refused: %s", err.message);
	} else if (response.status != 200) {
		json_t *refusal = NULL;
		const char *message = NULL;

		if (hr_json_parse(response.body.data, response.body.len, &refusal, NULL) == HR_OK)
			message = json_string_value(
			    json_object_get(json_object_get(refusal, "error"), "message"));
		http_reply_error(req, response.status >= 500 ? 503 : 502, "upstream",
				 "the leak range service answered %ld: %s", response.status,
				 message != NULL ? message : "(no reason given)");
		json_decref(refusal);
	} else if (hr_json_parse(response.body.data, response.body.len, &answer, &err) != HR_OK) {
		http_reply_error(req, 502, "upstream",
				 "the leak range service's answer is not JSON: %s", err.message);
	}
	http_client_response_clear(&response);
	return answer;
}

/* {"leaks": [...]} and JSON whitespace up to a multiple of WALLET_LEAKS_PAD. */
static void reply_padded(struct http_request *req, json_t *leaks)
{
	json_t *body = json_pack("{s:O}", "leaks", leaks);
	struct buf text;
	size_t want;

	buf_init(&text, LEAK_RANGE_ANSWER_MAX);
	if (body == NULL || hr_json_dump(body, &text) != HR_OK) {
		http_reply_error(req, 500, "internal", "the answer could not be written");
		goto done;
	}
	want = leak_range_byte_class(text.len, WALLET_LEAKS_PAD);
	while (text.len < want && text.error == HR_OK)
		buf_append_byte(&text, ' ');
	if (text.error != HR_OK) {
		http_reply_error(req, 500, "internal", "the answer could not be written");
		goto done;
	}
	http_reply_bytes(req, 200, "application/json", text.data, text.len);
done:
	json_decref(body);
	buf_clear(&text);
}

void wallet_handle_leaks(struct http_request *req, void *context)
{
	struct wallet *w = context;
	struct wallet_leaks *l = w->leaks;
	struct wallet_caller c;
	struct hr_error err = {0};
	char tag[LEAK_TAG_HEX_LEN + 1];
	json_t *answer = NULL, *leaks = NULL;

	if (!wallet_authenticate(w, req, &c))
		return;
	if (l == NULL) {
		http_reply_error(req, 503, "not_configured",
				 "this wallet does not offer leak checks: it has no [leaks] "
				 "range_key or no range service");
		goto done;
	}
	if (!consented(l, req, c.person))
		goto done;
	if (leak_tag_hex(l->range_key, c.person, tag) != HR_OK) {
		http_reply_error(req, 500, "internal", "the tag could not be computed");
		goto done;
	}
	if ((answer = ask_range(l, req, tag)) == NULL)
		goto done;
	if (leak_range_answer_find(answer, tag, &leaks, &err) != HR_OK) {
		http_reply_error(req, 502, "upstream", "%s", err.message);
		goto done;
	}
	reply_padded(req, leaks);
done:
	OPENSSL_cleanse(tag, sizeof(tag));
	json_decref(answer);
	json_decref(leaks);
	wallet_caller_clear(&c);
}
