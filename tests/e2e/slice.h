/*
 * slice.h — a citizen's device and a foreign member, for the end-to-end tests of
 * the vertical slice (test_slice.c, test_slice_input.c): real P-256 keys, DPoP
 * proofs, consent tokens and RFC 9421-signed member calls, over real HTTP to
 * `hromada up`.
 */
#ifndef HROMADA_TEST_SLICE_H
#define HROMADA_TEST_SLICE_H

#include <stdbool.h>
#include <sys/types.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/http_client.h"

struct signer;

/* A running `hromada up` for one test program, in a fresh temporary directory. */
struct slice_platform {
	char dir[256];
	char state[300];   /* DIR/state */
	char logfile[300]; /* DIR/up.log: the platform's whole log */
	pid_t pid;         /* 0 when not running */
	int exit_code;     /* after a halt its exit code (0: clean), after a kill 137, else -1 */
	json_t *endpoints; /* STATE/endpoints.json */
	json_t *demo;      /* STATE/demo.json */
};

/*
 * Starts `hromada up --state DIR/state --port-base 0 --quiet --log-level info
 * --population 3000`
 * and the NULL-terminated extra arguments (may be NULL), waits until
 * endpoints.json exists, and loads it and demo.json; fails the test with the
 * log's tail when the platform exits or does not come up.
 */
void slice_platform_start(struct slice_platform *p, char *const *extra);
/* SIGTERM and wait; removes the directory after a clean stop, else prints the
 * log's tail. 0 on a clean stop (for a cmocka teardown). */
int slice_platform_stop(struct slice_platform *p);
/* SIGTERM and wait, keeping the directory (its state may be inspected; a later
 * slice_platform_stop removes it). The exit code: 0 on a clean stop. */
int slice_platform_halt(struct slice_platform *p);
/* SIGKILL and reap, as a crash would: the directory is left as the process left it. */
void slice_platform_kill(struct slice_platform *p);
/*
 * Starts `hromada up` again on the same state directory (after a halt or a
 * kill), with the NULL-terminated extra arguments (may be NULL); removes a
 * stale endpoints.json first, waits until a new one exists and reloads it and
 * demo.json. Fails the test with the log's tail when up exits instead.
 */
void slice_platform_restart(struct slice_platform *p, char *const *extra);
void slice_platform_dump_log(const struct slice_platform *p);
/* A URL (or path) of endpoints.json: country's role ("wallet", "gateway",
 * "audit_dir"), or with country NULL a cross-border role ("trust", "nccc"). */
const char *slice_endpoint(const struct slice_platform *p, const char *country, const char *role);

/* A demo citizen (demo.json) of country holding type, or NULL. */
json_t *slice_citizen_with(const json_t *demo, const char *country, const char *type);

struct device {
	char person[16];
	char wallet[256];
	struct signer *key;
	json_t *jwk;
	char attestation[2048 + 1]; /* from the wallet at enrolment: carried in consents */
	char token[2048];
};

/* A fresh device key for person, against the wallet at url. */
void device_init(struct device *d, const char *person, const char *wallet_url);
void device_clear(struct device *d);
/* Enrols with the code from STATE/outbox; asserts success. */
void device_enrol(struct device *d, struct http_client *http, const char *state);
/*
 * One call to the wallet. proof_out (may be NULL) receives the DPoP proof used,
 * for replay tests; reuse_proof (may be NULL) sends that one instead of a fresh
 * one. consent false omits Hromada-Consent.
 */
long device_call(struct device *d, struct http_client *http, const char *method, const char *path,
		 const char *query, bool consent, const char *reuse_proof, char *proof_out,
		 size_t proof_size, json_t **answer);

/* GET /v1/access-log until every entry is under a signed tree head (at most
 * ~10 s); the answer, which the caller decrefs. */
json_t *slice_access_log_settled(struct device *d, struct http_client *http);
/* The entry of an access history whose client and service are these, or NULL. */
const json_t *slice_history_entry(const json_t *history, const char *client, const char *service);

/* A member (police, bank) calling the gateway itself, signed with its key. */
long member_lookup(struct http_client *http, const char *keys_dir, const char *member,
		   const char *gateway_url, const char *provider, const char *service,
		   const char *purpose, const char *body, json_t **answer);

/*
 * Lower-level pieces, for tests that send what no well-behaved client would
 * (test_slice_input.c): a request with any headers, a DPoP proof or a consent
 * with chosen claims, a member request signed with any key under any keyid.
 */

/* One HTTP exchange with any method, headers and body; fails the test only when
 * no answer arrives. response is initialised here; the caller clears it. */
long slice_send(struct http_client *http, const char *method, const char *url,
		const struct http_header *headers, size_t count, const void *body, size_t body_len,
		struct http_client_response *response);
/* The response body as JSON, or NULL when it is not JSON. Caller decrefs. */
json_t *slice_response_json(const struct http_client_response *response);

/* A DPoP proof by d's key for method and url (htu drops the query), with ath for
 * token (NULL: no ath), issued at iat (seconds). */
void device_proof(struct device *d, const char *method, const char *url, const char *token,
		  int64_t iat, struct buf *out);

/* A consent's claims; a field left 0 or NULL takes what device_call sends. */
struct consent_claims {
	const char *sub;         /* default: the device's person */
	const char *purpose;     /* default: "citizen-wallet" */
	const char *doc;         /* the one entry of docs; default every type by name,
				    "access_log" and "leaks" (all a wallet call needs) */
	const char *aud;         /* default: the wallet that attested the device */
	int64_t iat;             /* default: now */
	int64_t lifetime;        /* exp - iat; default 300 */
	const char *attestation; /* att; default the device's own */
};
/* A consent token (hromada-consent+jwt) signed by d's key; claims may be NULL. */
void device_consent(struct device *d, const struct consent_claims *claims, struct buf *out);

/* A member's request to the gateway or a registry, every part of which a test
 * may get wrong on purpose (docs/EXCHANGE.md, "Signed messages"). */
struct member_request {
	const char *keys_dir; /* STATE/keys/<COUNTRY>: where the members' keys are */
	const char *key_of;   /* the member whose key signs; NULL: the request is unsigned */
	const char *keyid;    /* the keyid the signature claims; NULL: key_of */
	const char *url;      /* absolute */
	const struct http_header *headers; /* Hromada-* headers, covered by the signature */
	size_t header_count;
	const struct http_header *unsigned_headers; /* sent but not covered */
	size_t unsigned_count;
	const char *body;         /* what is signed (digest); NULL: empty */
	const char *sent_body;    /* what is sent instead, when not NULL */
	const char *content_type; /* NULL: application/json */
	const char *nonce;        /* NULL: a fresh random one */
	int64_t created;          /* 0: now */
};

#define MEMBER_WIRE_MAX_HEADERS 48

/* The request as it goes on the wire: Content-Type, Content-Digest, Signature-
 * Input and Signature (when signed), then every given header. Sending the same
 * wire twice is an exact replay. */
struct member_wire {
	struct http_header headers[MEMBER_WIRE_MAX_HEADERS];
	size_t count;
	char digest[64];
	char *input, *signature;
};

void member_sign(const struct member_request *m, struct member_wire *out);
void member_wire_clear(struct member_wire *w);
/* Sends a wire made by member_sign for m (POST m->url, m's body); the caller
 * clears response. */
long member_wire_send(struct http_client *http, const struct member_request *m,
		      const struct member_wire *w, struct http_client_response *response);
/* member_sign, then member_wire_send. */
long member_send(struct http_client *http, const struct member_request *m,
		 struct http_client_response *response);

#endif
