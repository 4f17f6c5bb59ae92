/*
 * httpsig.h — HTTP Message Signatures (RFC 9421) as the data-exchange gateway
 * uses them: every request and every response between members is signed with
 * the sender's P-256 key (alg "ecdsa-p256-sha256", §3.3.4), under label "sig1",
 * with created, expires, keyid (the member id) and nonce parameters, and a
 * Content-Digest (RFC 9530, sha-256) over the body.
 *
 *	Content-Digest: sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:
 *	Signature-Input: sig1=("@method" "@target-uri" "content-digest" "hromada-client"
 *	                  "hromada-purpose");created=1618884473;expires=1618884533;
 *	                  keyid="UA/GOV/43395033/wallet";alg="ecdsa-p256-sha256";nonce="..."
 *	Signature: sig1=:<base64 raw r||s>:
 *
 * The signature base is built exactly as §2.5 says: each covered component on
 * its own line, "name": value, then "@signature-params". Header values are
 * trimmed and multiple values joined with ", " (§2.1). A response signature may
 * cover request components with the ;req parameter (§2.4), which binds the
 * response to the request that caused it ("@method";req "@target-uri";req
 * "signature";req).
 *
 * Verification checks: the label's Signature-Input and Signature both present;
 * alg, keyid, created, expires and nonce present; every required component
 * covered; created not in the future (clock skew allowed), expires not passed,
 * lifetime at most HTTPSIG_MAX_LIFETIME_S; the nonce not seen before (replay
 * cache); the Content-Digest header matches the body; the signature verifies
 * under the key the caller looks up for keyid.
 */
#ifndef HROMADA_EXCHANGE_HTTPSIG_H
#define HROMADA_EXCHANGE_HTTPSIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <hromada/status.h>

#include "core/buf.h"
#include "exchange/replay.h"

#define HTTPSIG_LABEL "sig1"
#define HTTPSIG_ALG   "ecdsa-p256-sha256"
/* ES256 over the root of a batch of messages (sig_batch.h): accepted from any
 * member; sent where the receiver is known to accept it (member.h) */
#define HTTPSIG_ALG_BATCH "hromada-batch-es256"
/* Every nonce is remembered as long as its signature could be accepted, so the
 * accepted lifetime sizes the replay record: 60 s, what members sign with
 * (MEMBER_SIGNATURE_LIFETIME_S), keeps a flood of signed requests five times
 * less able to fill it than 300 s did. */
#define HTTPSIG_MAX_LIFETIME_S 60
#define HTTPSIG_MAX_SKEW_S     5
#define HTTPSIG_MAX_HEADERS    32

struct signer;

struct httpsig_header {
	const char *name; /* any case */
	const char *value;
};

/* A message as the signature sees it. For a response, status > 0 and request
 * points at the request it answers (for ;req components). */
struct httpsig_message {
	const char *method;     /* requests */
	const char *target_uri; /* requests: absolute URI, "http://host:port/path?query" */
	int status;             /* responses */
	const struct httpsig_header *headers;
	size_t header_count;
	const void *body;
	size_t body_len;
	const struct httpsig_message *request; /* responses: the request, or NULL */
};

/* The Content-Digest header value of a body: "sha-256=:<base64>:". */
void httpsig_content_digest(const void *body, size_t len, char out[64]);

/*
 * Signs msg. components lists the covered components in order, e.g.
 * {"@method", "@target-uri", "content-digest", "hromada-client", NULL}; each must
 * be present in msg (a content-digest header must already be among its headers).
 * A response names request components with ;req ("@method;req"), and the
 * request's signature as "signature;req" (its whole Signature field) or
 * "signature;req;key=\"sig1\"" (that member, as in §2.4's example).
 * Writes the Signature-Input and Signature header values (malloc'ed; caller
 * frees). nonce may be NULL for a fresh random one. Stage "httpsig".
 */
hr_status httpsig_sign(struct signer *signer, const char *keyid, const struct httpsig_message *msg,
		       const char *const *components, int64_t created, int64_t lifetime_s,
		       const char *nonce, char **signature_input, char **signature,
		       struct hr_error *err);

/* The same, signed in batch's next batch (alg HTTPSIG_ALG_BATCH, sig_batch.h);
 * batch NULL signs alone, as httpsig_sign. */
struct sig_batcher;
hr_status httpsig_sign_batched(struct sig_batcher *batch, struct signer *signer, const char *keyid,
			       const struct httpsig_message *msg, const char *const *components,
			       int64_t created, int64_t lifetime_s, const char *nonce,
			       char **signature_input, char **signature, struct hr_error *err);

/* The caller's key directory: the public key for keyid, or NULL when unknown.
 * The key stays the caller's: httpsig_verify does not free it. */
typedef EVP_PKEY *(*httpsig_key_lookup)(void *context, const char *keyid);

struct httpsig_verified {
	char keyid[128];
	int64_t created;
	int64_t expires;
};

hr_status httpsig_verify(const struct httpsig_message *msg, const char *signature_input,
			 const char *signature, const char *const *required_components,
			 httpsig_key_lookup lookup, void *lookup_context, int64_t now,
			 struct replay_cache *nonces, struct httpsig_verified *out,
			 struct hr_error *err);

/*
 * Appends the signature base (§2.5) that the Signature-Input member label
 * describes for msg, checking nothing but what building it needs: for tests
 * against published vectors and for diagnostics. Stage "httpsig".
 */
hr_status httpsig_signature_base(const struct httpsig_message *msg, const char *signature_input,
				 const char *label, struct buf *out, struct hr_error *err);

#endif
