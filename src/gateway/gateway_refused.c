/*
 * gateway_refused.c — requests the gateway refuses before any exchange (400,
 * 401 and 403 at /x/...: a bad or unsigned request, a signature that does not
 * verify, no access right, no or a bad consent) leave an entry in the audit
 * log, so abuse leaves a trace in the same tamper-evident record as use
 * (issue 13; docs/AUDIT.md "Refused requests").
 *
 * What an entry keeps is what the refusal's signed answer says: its status
 * and reason code ("refused": "denied", "unauthorized", ...), the provider
 * and service asked for, and — only once the caller's signature verified —
 * the member, its purpose, user, and the person the request named (so a
 * citizen sees refused attempts on their data). Of an unauthenticated caller
 * nothing it wrote is kept ("-"): nobody can write text into the log, or pass
 * for another member, by sending garbage. Never the body (only its keyed
 * hash, as for every entry), never the caller's address.
 *
 * Flooding: entries are written at most 1 a second per source (a burst of
 * 20; the source is the verified member, else the caller's address) and 100
 * a second in all. Refusals over the bound are counted, and the next refused
 * entry carries the count ("suppressed"), so the log says how many it did
 * not hold. The nccc hears of refused signatures from incident_report.h, the
 * sentinel judges every authenticated caller's refusals with its calls
 * (gateway_sentinel_observe); this file only writes.
 *
 * Never: hold up or change the refusal (a failed append is logged, the
 * answer stands); keep an unauthenticated caller's words.
 */
#include "gateway/gateway_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "core/documents.h"
#include "core/log.h"
#include "core/rate_limit.h"
#include "core/siphash.h"

#define PER_SOURCE_PER_SECOND 1.0
#define PER_SOURCE_BURST      20
#define OVERALL_PER_SECOND    100.0
#define OVERALL_BURST         200
#define UNKNOWN               "-"

struct gateway_refusals {
	struct rate_limiter *per_source;
	struct rate_limiter *overall;
	uint8_t key[SIPHASH_KEY_LEN]; /* sources are keyed: their slots are not predictable */
	_Atomic uint64_t suppressed;
};

struct gateway_refusals *gateway_refusals_new(void)
{
	struct gateway_refusals *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->per_source = rate_limiter_new(PER_SOURCE_PER_SECOND, PER_SOURCE_BURST);
	r->overall = rate_limiter_new(OVERALL_PER_SECOND, OVERALL_BURST);
	if (r->per_source == NULL || r->overall == NULL ||
	    RAND_bytes(r->key, sizeof(r->key)) != 1) {
		gateway_refusals_free(r);
		return NULL;
	}
	atomic_init(&r->suppressed, 0);
	return r;
}

void gateway_refusals_free(struct gateway_refusals *r)
{
	if (r == NULL)
		return;
	rate_limiter_free(r->per_source);
	rate_limiter_free(r->overall);
	free(r);
}

static uint64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* May another refused entry be written for this source now? */
static bool within_bound(struct gateway_refusals *r, struct http_request *req,
			 const struct exchange *x)
{
	char source[MEMBER_ID_MAX + 64];
	uint64_t digest[2];
	uint8_t key[RATE_LIMIT_KEY_MAX];
	uint64_t now = monotonic_us();
	unsigned wait = 0;
	const char *peer = http_request_peer(req);

	snprintf(source, sizeof(source), "%s:%s", x->authenticated ? "member" : "address",
		 x->authenticated ? x->client : (peer ? peer : "?"));
	siphash_128(r->key, source, strlen(source), digest);
	memcpy(key, digest, sizeof(key));
	return rate_limiter_take(r->per_source, key, sizeof(key), now, &wait) &&
	       rate_limiter_take(r->overall, "*", 1, now, &wait);
}

void gateway_record_refusal(struct gateway *g, struct http_request *req, const struct exchange *x)
{
	struct gateway_refusals *r = g->refusals;
	struct slice body = http_request_body(req);
	bool known = x->authenticated;
	struct audit_entry entry = {
	    .client = known ? x->client : UNKNOWN,
	    .provider = x->provider[0] ? x->provider : UNKNOWN,
	    .service = x->service ? x->service : UNKNOWN,
	    .purpose = known ? x->purpose : UNKNOWN,
	    .user = known ? x->user : UNKNOWN,
	    .issue = known ? x->issue : NULL,
	    .person = known && x->person != NULL && person_id_valid(x->person) ? x->person : NULL,
	    .time = (int64_t)time(NULL),
	    .status = http_request_reply_status(req),
	    .refused = x->refused,
	};
	struct hr_error err = {0};

	if (r == NULL || x->refused == NULL)
		return;
	if (!within_bound(r, req, x)) {
		atomic_fetch_add(&r->suppressed, 1);
		return;
	}
	entry.suppressed = atomic_exchange(&r->suppressed, 0);
	if (audit_content_hash(g->audit, body.ptr, body.len, entry.request_hash) != HR_OK ||
	    audit_content_hash(g->audit, x->refused, strlen(x->refused), entry.response_hash) !=
		HR_OK ||
	    audit_record(g->audit, &entry, NULL, &err) != HR_OK) {
		/* the count is not lost with the entry */
		atomic_fetch_add(&r->suppressed, entry.suppressed + 1);
		log_warn("gateway.audit_refused", "a refused request was not recorded: %s",
			 err.message[0] ? err.message : "cannot hash it");
	}
}
