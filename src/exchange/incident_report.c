/*
 * incident_report.c — counts a role's security events and reports the floods
 * to the nccc hub from a background thread (incident_report.h).
 *
 * What it must never do: block or fail the request that noted an event, send
 * one report per event, or drop a report without a log line saying so.
 */
#include "exchange/incident_report.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/log.h"
#include "credential/signer_cert.h"
#include "exchange/replay.h"

#define COUNTERS     256 /* subjects watched at once, per reporter */
#define SUBJECT_MAX  96
#define ATTEMPTS     3
#define SEND_TIMEOUT 5000

struct counter {
	enum security_event kind;
	char subject[SUBJECT_MAX];
	int64_t window; /* start of the window counted */
	unsigned count;
	int64_t reported_at; /* 0: never */
	bool used;
};

struct incident_reporter {
	const struct member_identity *self;
	char service[96];
	char url[1024]; /* the hub's POST /v1/incidents */
	char nccc_id[MEMBER_ID_MAX];
	EVP_PKEY *nccc_key;
	struct http_client *client;
	struct replay_cache *nonces; /* of the hub's answers */
	unsigned thresholds[SECURITY_EVENT_COUNT];

	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct counter counters[COUNTERS];
	json_t *queue[INCIDENT_REPORT_QUEUE];
	size_t head, count;
	bool stopping;
	pthread_t thread;
	bool thread_started;
	unsigned long sent, refused, lost;
};

static const struct {
	const char *setting;
	unsigned fallback;
	int level;
	const char *class_name;
	const char *what;
} kinds[SECURITY_EVENT_COUNT] = {
    [SECURITY_SIGNATURE_FAILURE] = {"signature_failures", 50, 2, "intrusion-attempts",
				    "signatures that did not verify"},
    [SECURITY_REPLAY] = {"replays", 20, 2, "intrusion-attempts:exploit",
			 "replayed signed requests"},
    [SECURITY_SHARE_EXHAUSTED] = {"share_exhausted", 5, 1, "availability:dos",
				  "requests over the member's share of the replay record"},
    [SECURITY_PROOF_FAILURE] = {"proof_failures", 50, 2, "intrusion-attempts:brute-force",
				"citizen device proofs (DPoP) refused"},
};

static void *sender(void *arg);

hr_status incident_reporter_from_config(struct config *config, const struct member_identity *self,
					const char *service, struct incident_reporter **out,
					struct hr_error *err)
{
	const char *url, *id, *cert;
	struct incident_reporter *r;
	struct http_client_options options;
	hr_status rc;

	*out = NULL;
	if ((rc = config_get_str(config, "report", "nccc_url", NULL, &url, err)) != HR_OK ||
	    (rc = config_get_str(config, "report", "nccc_id", NULL, &id, err)) != HR_OK ||
	    (rc = config_get_str(config, "report", "nccc_certificate", NULL, &cert, err)) != HR_OK)
		return rc;
	if (url == NULL || url[0] == '\0')
		return HR_OK;
	if (id == NULL || cert == NULL || strlen(id) >= MEMBER_ID_MAX || strlen(url) > 900)
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[report] nccc_url needs nccc_id and nccc_certificate (the "
				    "hub's member id and certificate)");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return HR_E_NOMEM;
	r->self = self;
	snprintf(r->service, sizeof(r->service), "%s", service);
	snprintf(r->url, sizeof(r->url), "%s/v1/incidents", url);
	snprintf(r->nccc_id, sizeof(r->nccc_id), "%s", id);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	for (int k = 0; k < SECURITY_EVENT_COUNT; k++) {
		int64_t v;

		if ((rc = config_get_int(config, "report", kinds[k].setting, kinds[k].fallback, 1,
					 1000000, &v, err)) != HR_OK)
			goto fail;
		r->thresholds[k] = (unsigned)v;
	}
	if ((rc = signer_cert_public_key_file(cert, &r->nccc_key, err)) != HR_OK)
		goto fail;
	http_client_options_default(&options);
	options.timeout_ms = SEND_TIMEOUT;
	r->client = http_client_new(&options);
	r->nonces = replay_cache_new(1024);
	if (r->client == NULL || r->nonces == NULL ||
	    pthread_create(&r->thread, NULL, sender, r) != 0) {
		rc = hr_error_set(err, HR_E_NOMEM, "config", "cannot start the incident reporter");
		goto fail;
	}
	r->thread_started = true;
	*out = r;
	return HR_OK;
fail:
	incident_reporter_free(r);
	return rc;
}

void incident_reporter_free(struct incident_reporter *r)
{
	if (r == NULL)
		return;
	if (r->thread_started) {
		pthread_mutex_lock(&r->lock);
		r->stopping = true;
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
	}
	for (size_t i = 0; i < r->count; i++)
		json_decref(r->queue[(r->head + i) % INCIDENT_REPORT_QUEUE]);
	if (r->count > 0)
		log_warn("report.lost", "%zu incident reports not sent at stop", r->count);
	http_client_free(r->client);
	replay_cache_free(r->nonces);
	EVP_PKEY_free(r->nccc_key);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Called with the lock held. */
static bool enqueue(struct incident_reporter *r, json_t *incident)
{
	if (r->count == INCIDENT_REPORT_QUEUE) {
		r->lost++;
		json_decref(incident);
		return false;
	}
	r->queue[(r->head + r->count++) % INCIDENT_REPORT_QUEUE] = incident;
	pthread_cond_signal(&r->wake);
	return true;
}

hr_status incident_report_submit(struct incident_reporter *r, json_t *incident)
{
	bool queued;

	if (r == NULL) {
		json_decref(incident);
		return HR_OK;
	}
	pthread_mutex_lock(&r->lock);
	queued = enqueue(r, incident);
	pthread_mutex_unlock(&r->lock);
	if (!queued) {
		log_warn("report.lost", "the report queue is full: an incident was dropped");
		return HR_E_BUSY;
	}
	return HR_OK;
}

static struct counter *counter_for(struct incident_reporter *r, enum security_event kind,
				   const char *subject, int64_t now)
{
	struct counter *free_slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < COUNTERS; i++) {
		struct counter *c = &r->counters[i];

		if (c->used && c->kind == kind && strcmp(c->subject, subject) == 0)
			return c;
		if (!c->used && free_slot == NULL)
			free_slot = c;
		/* a subject whose window is over and that was not reported lately
		 * can be forgotten: it has nothing left to count toward */
		if (c->used && now - c->window >= INCIDENT_REPORT_WINDOW_S &&
		    now - c->reported_at >= INCIDENT_REPORT_QUIET_S &&
		    (oldest == NULL || c->window < oldest->window))
			oldest = c;
	}
	if (free_slot == NULL)
		free_slot = oldest;
	if (free_slot == NULL)
		return NULL; /* every slot is an active flood: those are reported already */
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->kind = kind;
	snprintf(free_slot->subject, sizeof(free_slot->subject), "%s", subject);
	free_slot->window = now;
	return free_slot;
}

static json_t *incident_of(const struct incident_reporter *r, enum security_event kind,
			   const char *subject, unsigned count, int64_t now)
{
	char detected[CLOCK_UTC_TEXT_MAX], summary[512];
	json_t *indicator;

	clock_format_utc(now, detected);
	snprintf(summary, sizeof(summary), "%s: %u %s from %s within %d s (reported automatically)",
		 r->service, count, kinds[kind].what, subject, INCIDENT_REPORT_WINDOW_S);
	indicator = member_id_valid(subject)
			? json_pack("{s:s,s:s,s:s}", "type", "hromada-member", "value", subject,
				    "tlp", "TLP:AMBER")
			: json_pack("{s:s,s:s,s:s}", "type",
				    strchr(subject, ':') != NULL ? "ipv6-addr" : "ipv4-addr",
				    "value", subject, "tlp", "TLP:AMBER");
	return json_pack("{s:s,s:i,s:s,s:s,s:s,s:b,s:s,s:[o]}", "detected_at", detected, "level",
			 kinds[kind].level, "class", kinds[kind].class_name, "service", r->service,
			 "summary", summary, "nis2_significant", false, "tlp", "TLP:AMBER",
			 "indicators", indicator);
}

void incident_report_note(struct incident_reporter *r, enum security_event kind,
			  const char *subject)
{
	int64_t now = (int64_t)time(NULL);
	struct counter *c;

	if (r == NULL || subject == NULL || subject[0] == '\0' || kind >= SECURITY_EVENT_COUNT)
		return;
	pthread_mutex_lock(&r->lock);
	if ((c = counter_for(r, kind, subject, now)) == NULL)
		goto done;
	if (now - c->window >= INCIDENT_REPORT_WINDOW_S) {
		c->window = now;
		c->count = 0;
	}
	if (++c->count == r->thresholds[kind] &&
	    (c->reported_at == 0 || now - c->reported_at >= INCIDENT_REPORT_QUIET_S)) {
		json_t *incident = incident_of(r, kind, subject, c->count, now);

		c->reported_at = now;
		if (incident == NULL || !enqueue(r, incident))
			log_warn("report.lost", "an automatic incident report about %s was dropped",
				 subject);
	}
done:
	pthread_mutex_unlock(&r->lock);
}

/* One attempt; true when the hub answered (accepted or refused for good). */
static bool send_one(struct incident_reporter *r, const json_t *incident)
{
	struct http_client_response response;
	struct hr_error err = {0};
	struct buf body;
	bool answered = false;

	buf_init(&body, 1u << 20);
	http_client_response_init(&response);
	if (hr_json_dump(incident, &body) == HR_OK &&
	    member_call_post(r->client, r->self,
			     &(struct member_call){.url = r->url,
						   .body = body.data,
						   .body_len = body.len,
						   .timeout_ms = SEND_TIMEOUT},
			     r->nccc_id, r->nccc_key, r->nonces, (int64_t)time(NULL), &response,
			     &err) == HR_OK) {
		answered = response.status < 500;
		pthread_mutex_lock(&r->lock);
		if (response.status == 201)
			r->sent++;
		else if (answered)
			r->refused++;
		pthread_mutex_unlock(&r->lock);
		if (response.status == 201)
			log_info("report.sent", "incident reported to %s", r->nccc_id);
		else
			log_warn("report.refused", "the nccc answered %ld: %.*s", response.status,
				 (int)(response.body.len > 300 ? 300 : response.body.len),
				 (const char *)response.body.data);
	} else {
		log_warn("report.unreachable", "%s", err.message);
	}
	http_client_response_clear(&response);
	buf_clear(&body);
	return answered;
}

static void *sender(void *arg)
{
	struct incident_reporter *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		json_t *incident;
		bool answered = false;

		while (r->count == 0 && !r->stopping)
			pthread_cond_wait(&r->wake, &r->lock);
		if (r->count == 0)
			break;
		incident = r->queue[r->head];
		r->head = (r->head + 1) % INCIDENT_REPORT_QUEUE;
		r->count--;
		pthread_mutex_unlock(&r->lock);
		for (int attempt = 0; attempt < ATTEMPTS && !answered; attempt++) {
			if (attempt > 0)
				nanosleep(&(struct timespec){0, 200000000L * attempt}, NULL);
			answered = send_one(r, incident);
		}
		json_decref(incident);
		pthread_mutex_lock(&r->lock);
		if (!answered) {
			r->lost++;
			log_warn("report.lost", "an incident report could not reach the nccc");
		}
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

void incident_reporter_counts(struct incident_reporter *r, unsigned long *sent,
			      unsigned long *refused, unsigned long *lost)
{
	pthread_mutex_lock(&r->lock);
	*sent = r->sent;
	*refused = r->refused;
	*lost = r->lost;
	pthread_mutex_unlock(&r->lock);
}
