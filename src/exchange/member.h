/*
 * member.h — signed exchanges between members (wallet, gateway, registries),
 * both ends, on top of httpsig.h (RFC 9421):
 *
 *  - a client call signs the request with the member's key, covering the method,
 *    authority, path, content type, Content-Digest of the body and every
 *    Hromada-* header it sends, then checks that the response is signed by the
 *    peer it called and bound to this very request ("signature";req);
 *  - a server checks an incoming request's signature under the key of the member
 *    it names, and signs its reply the same way.
 *
 * What is never accepted: an unsigned or expired message, a replayed nonce, a
 * body that does not match its digest, a response signed by anyone but the peer,
 * or one answering another request.
 */
#ifndef HROMADA_EXCHANGE_MEMBER_H
#define HROMADA_EXCHANGE_MEMBER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <hromada/status.h>

#include "core/http_client.h"
#include "core/http_server.h"
#include "exchange/httpsig.h"
#include "exchange/replay.h"

#define MEMBER_SIGNATURE_LIFETIME_S 60

struct signer;

/*
 * Batch signatures (sig_batch.h, alg "hromada-batch-es256"). A member with a
 * batcher sends "Hromada-Signature-Batch: accept" with every request it signs
 * (covered like any Hromada-* header) and signs its answers in batches to
 * requests that carry it; it batch-signs a request only where the caller says
 * the peer accepts it (member_call.batch). Every member verifies both forms.
 */
#define MEMBER_BATCH_HEADER    "Hromada-Signature-Batch"
#define MEMBER_BATCH_HEADER_LC "hromada-signature-batch"
#define MEMBER_BATCH_ACCEPT    "accept"

struct sig_batcher;

/* Who we are when we sign. */
struct member_identity {
	const char *id; /* "UA/GOV/43395033/wallet": the keyid of our signatures */
	struct signer *signer;
	struct sig_batcher *batch; /* NULL: every message signed alone */
};

struct member_call {
	const char *url;                   /* absolute: http://host:port/path */
	const char *method;                /* NULL: POST */
	const struct http_header *headers; /* Hromada-* headers, all covered */
	size_t header_count;
	const void *body; /* JSON */
	size_t body_len;
	unsigned timeout_ms;
	bool batch; /* sign in self's batches: the peer is a Hromada member (it accepts them) */
};

/*
 * POSTs call as self and checks the response is signed by peer_id with peer_key
 * and bound to the request. HTTP error statuses are returned in response->status
 * (signed too); only a failure to exchange or to check is an error status.
 * Stage "exchange".
 */
hr_status member_call_post(struct http_client *client, const struct member_identity *self,
			   const struct member_call *call, const char *peer_id, EVP_PKEY *peer_key,
			   struct replay_cache *nonces, int64_t now,
			   struct http_client_response *response, struct hr_error *err);

/*
 * The same for any method, with the answer's signer found by lookup (any
 * member it knows) instead of one expected peer; *keyid (may be NULL) receives
 * who signed the answer. For a client that may call any member's server
 * (`hromada member request`).
 */
hr_status member_call(struct http_client *client, const struct member_identity *self,
		      const struct member_call *call, httpsig_key_lookup lookup,
		      void *lookup_context, struct replay_cache *nonces, int64_t now,
		      struct http_client_response *response, char *keyid, size_t keyid_size,
		      struct hr_error *err);

/*
 * Checks the signature of an incoming request. required lists the header names
 * that must be covered (besides @method, @authority, @path, content-type and
 * content-digest, which always are). lookup finds the key of the signing member.
 */
hr_status member_request_verify(struct http_request *request, const char *const *required,
				httpsig_key_lookup lookup, void *lookup_context,
				struct replay_cache *nonces, int64_t now,
				struct httpsig_verified *verified, struct hr_error *err);

/* Replies with body (stolen) signed by self, bound to the request. */
void member_reply_json(struct http_request *request, const struct member_identity *self,
		       unsigned status, json_t *body);
/* Any other answer (a CSV file, a feed with its own media type), signed the same way. */
void member_reply_bytes(struct http_request *request, const struct member_identity *self,
			unsigned status, const char *content_type, const void *data, size_t len);
/* The same for an error: {"error": {"code", "message"}}. */
void member_reply_error(struct http_request *request, const struct member_identity *self,
			unsigned status, const char *code, const char *message);
/* The refusal of a request member_request_verify did not accept: 401, or 503 with
 * Retry-After when the nonce record had no room (HR_E_BUSY: retry shortly). */
void member_reply_unverified(struct http_request *request, const struct member_identity *self,
			     const struct hr_error *err);

#endif
