/*
 * gateway_sentinel.c — the leak-defence sentinel beside the exchange
 * (DESIGN.md §7, docs/LEAKS.md "The sentinel"): what the gateway already sees
 * of every exchange goes to the rules engine (src/leak/sentinel.h) and, for
 * exchanges naming a person or a document, to the canary index
 * (src/leak/canary_index.h). An alert is
 *
 *  - an incident at the nccc, through the role's reporting seam
 *    (exchange/incident_report.h): an ENISA RSIT class, a level, TLP:AMBER,
 *    the member as a hromada-member indicator, the numbers in the summary;
 *  - a line in the log and an entry in the operator's view;
 *  - with [sentinel] throttle = true and its rule in throttle_rules, the
 *    member's throttling: its calls are refused with a signed 429
 *    member_throttled until an operator releases it. Throttles are kept in
 *    the gateway's store (they survive a restart and are shared by every
 *    copy of the gateway on one PostgreSQL database, reread every 2 s).
 *
 * The operator — the country's CERT, or whoever the directory grants the
 * gateway's own "sentinel" service — calls it signed, like any exchange:
 *
 *	POST /x/{this gateway}/sentinel {"action": "status"}
 *	   -> {"throttle", "throttled": [...], "alerts": [...], "counts": {...}}
 *	POST /x/{this gateway}/sentinel {"action": "release", "member": ID}
 *	   -> {"released": ID}   (404 when it was not throttled)
 *
 * Both are recorded in the audit log like every exchange. A throttled member
 * may still call this service (an operator must be able to release itself).
 *
 * What it must never do: write an identifier to the log, the store or an
 * incident (identifiers stay in memory, in the operator's view of recent
 * alerts), hold up an exchange for the nccc, or refuse a member whose
 * signature it has not checked.
 */
#include "gateway/gateway_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/store.h"
#include "exchange/replay_store.h"
#include "exchange/incident_report.h"
#include "leak/canary_index.h"
#include "leak/leak_tag.h"
#include "leak/sentinel.h"

#define SECTION           "sentinel"
#define THROTTLED_MAX     1024 /* members refused at once */
#define RECENT_ALERTS     64   /* in the operator's view */
#define RELOAD_MS         2000 /* throttles reread from the store */
#define DEFAULT_THROTTLED "enumeration,misses,volume,canary"
#define STORE_WAIT_MS     2000
#define CANARY_WARNING_MS 60000

struct throttle {
	char member[MEMBER_ID_MAX];
	char rule[16];
	int64_t since; /* seconds since the epoch */
	char summary[SENTINEL_SUMMARY_MAX];
};

struct gateway_sentinel {
	struct sentinel *engine;
	struct canary_index *canaries; /* NULL: no canary index configured */
	uint8_t canary_key[SECRET_LEN];
	bool throttle;
	unsigned throttle_rules;
	char service[MEMBER_ID_MAX + 16]; /* the incidents' "service" */
	struct store_pool *pool;          /* the gateway's */

	pthread_mutex_t lock; /* the fields below */
	struct throttle throttled[THROTTLED_MAX];
	size_t throttled_count;
	unsigned long changes; /* throttles added or released here */
	struct sentinel_alert recent[RECENT_ALERTS];
	size_t recent_next, recent_count;

	pthread_mutex_t reload_lock; /* one thread rereads the store */
	_Atomic int64_t loaded_ms;
	_Atomic int64_t canary_warned_ms;
	_Atomic unsigned long refusals;
};

/* The gateway's store: the sentinel's throttles, and the members' request
 * nonces (exchange/replay_store.h), shared by every copy of the gateway. */
static const struct store_migration migrations[] = {
    {1, "sentinel throttles",
     "CREATE TABLE sentinel_throttles (member TEXT PRIMARY KEY, rule TEXT NOT NULL, "
     "since BIGINT NOT NULL, summary TEXT NOT NULL)",
     NULL},
    {2, "replay records (member request nonces) shared by every copy of the gateway",
     REPLAY_STORE_SQL, NULL},
};

const struct store_migration *const gateway_migrations = migrations;
const size_t gateway_migration_count = sizeof(migrations) / sizeof(migrations[0]);

/* How each rule is reported (ENISA RSIT class as docs/NCCC.md accepts it;
 * Resolution 1533 levels, 0 white to 5 black). */
static const struct {
	int level;
	const char *class_name;
} incident_kinds[SENTINEL_RULE_COUNT] = {
    [SENTINEL_RULE_ENUMERATION] = {2, "information-gathering:scanner"},
    [SENTINEL_RULE_MISSES] = {2, "information-gathering:scanner"},
    [SENTINEL_RULE_VOLUME] = {3, "information-content-security:unauthorised-information-access"},
    [SENTINEL_RULE_TIME_OF_DAY] = {1,
				   "information-content-security:unauthorised-information-access"},
    [SENTINEL_RULE_PURPOSE] = {1, "information-content-security:unauthorised-information-access"},
    [SENTINEL_RULE_CANARY] = {3, "information-content-security:data-leak"},
};

/* ---- settings ---------------------------------------------------------------- */

/* A leak key written by `hromada up` or the operator: never made here, so
 * the gateway cannot silently hash under another key than leakscan's. */
static hr_status read_key(const char *path, uint8_t out[SECRET_LEN], struct hr_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return hr_error_set(err, HR_E_INVALID, "config", "[sentinel] canary_key %s: %s",
				    path, strerror(errno));
	if (fstat(fd, &st) != 0 || st.st_size != SECRET_LEN ||
	    (n = read(fd, out, SECRET_LEN)) != SECRET_LEN) {
		close(fd);
		OPENSSL_cleanse(out, SECRET_LEN);
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[sentinel] canary_key %s is not a %d-byte key", path,
				    SECRET_LEN);
	}
	close(fd);
	return HR_OK;
}

static hr_status read_settings(struct config *config, struct gateway_sentinel *s, bool *enabled,
			       struct sentinel_options *options, struct hr_error *err)
{
	const char *key, *canaries, *rules;
	hr_status rc;

	sentinel_options_default(options);
	if ((rc = config_get_bool(config, SECTION, "enabled", true, enabled, err)) != HR_OK ||
	    (rc = config_get_str(config, SECTION, "canary_key", NULL, &key, err)) != HR_OK ||
	    (rc = config_get_str(config, SECTION, "canaries", NULL, &canaries, err)) != HR_OK ||
	    (rc = config_get_bool(config, SECTION, "throttle", false, &s->throttle, err)) !=
		HR_OK ||
	    (rc = config_get_str(config, SECTION, "throttle_rules", DEFAULT_THROTTLED, &rules,
				 err)) != HR_OK ||
	    (rc = sentinel_options_from_config(config, SECTION, options, err)) != HR_OK)
		return rc;
	if ((rc = sentinel_rules_parse(rules, &s->throttle_rules, err)) != HR_OK) {
		hr_error_prefix(err, "[sentinel] throttle_rules");
		return rc;
	}
	/* a typo in the section is named before anything else can fail */
	if ((rc = config_check_unused_section(config, SECTION, err)) != HR_OK)
		return rc;
	if ((key == NULL) != (canaries == NULL))
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[sentinel] canary_key and canaries go together (the canary "
				    "index's key and its canaries.jsonl)");
	if (!*enabled || key == NULL)
		return HR_OK;
	if ((rc = read_key(key, s->canary_key, err)) != HR_OK ||
	    (rc = canary_index_open(canaries, &s->canaries, err)) != HR_OK)
		return rc;
	return HR_OK;
}

/* ---- throttles -------------------------------------------------------------------- */

/* Called with s->lock held. */
static struct throttle *throttle_find(struct gateway_sentinel *s, const char *member)
{
	for (size_t i = 0; i < s->throttled_count; i++)
		if (strcmp(s->throttled[i].member, member) == 0)
			return &s->throttled[i];
	return NULL;
}

/* The throttles as the store has them, unless one was added or released here
 * while it was read (then the next reload takes both). */
static void throttles_reload(struct gateway_sentinel *s)
{
	struct throttle *fresh = calloc(THROTTLED_MAX, sizeof(*fresh));
	struct store *store = NULL;
	struct store_stmt *stmt = NULL;
	struct hr_error err = {0};
	unsigned long changes;
	size_t n = 0;
	bool row = false;

	if (fresh == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	changes = s->changes;
	pthread_mutex_unlock(&s->lock);
	if (store_pool_acquire(s->pool, STORE_WAIT_MS, &store, &err) != HR_OK ||
	    store_prepare(store,
			  "SELECT member, rule, since, summary FROM sentinel_throttles "
			  "ORDER BY since LIMIT 1024",
			  &stmt, &err) != HR_OK) {
		log_warn("sentinel.store", "throttles not reread: %s", err.message);
		goto done;
	}
	while (n < THROTTLED_MAX && store_step(stmt, &row, &err) == HR_OK && row) {
		snprintf(fresh[n].member, sizeof(fresh[n].member), "%s",
			 store_column_text(stmt, 0, NULL));
		snprintf(fresh[n].rule, sizeof(fresh[n].rule), "%s",
			 store_column_text(stmt, 1, NULL));
		fresh[n].since = store_column_int64(stmt, 2);
		snprintf(fresh[n].summary, sizeof(fresh[n].summary), "%s",
			 store_column_text(stmt, 3, NULL));
		n++;
	}
	if (err.status != HR_OK) {
		log_warn("sentinel.store", "throttles not reread: %s", err.message);
		goto done;
	}
	pthread_mutex_lock(&s->lock);
	if (s->changes == changes) {
		memcpy(s->throttled, fresh, n * sizeof(*fresh));
		s->throttled_count = n;
	}
	pthread_mutex_unlock(&s->lock);
done:
	store_stmt_free(stmt);
	if (store != NULL)
		store_pool_release(s->pool, store);
	free(fresh);
}

static void throttles_maybe_reload(struct gateway_sentinel *s, int64_t now_ms)
{
	if (now_ms - atomic_load(&s->loaded_ms) < RELOAD_MS ||
	    pthread_mutex_trylock(&s->reload_lock) != 0)
		return;
	atomic_store(&s->loaded_ms, now_ms);
	throttles_reload(s);
	pthread_mutex_unlock(&s->reload_lock);
}

/* Writes sql (member bound first, then the rest) through the gateway's store. */
static hr_status throttle_store(struct gateway_sentinel *s, const struct throttle *t, bool add,
				struct hr_error *err)
{
	struct store *store = NULL;
	struct store_stmt *stmt = NULL;
	bool row;
	hr_status rc;

	if ((rc = store_pool_acquire(s->pool, STORE_WAIT_MS, &store, err)) != HR_OK)
		return rc;
	if (add)
		rc = store_prepare(store,
				   "INSERT INTO sentinel_throttles (member, rule, since, summary) "
				   "VALUES (?, ?, ?, ?)",
				   &stmt, err);
	else
		rc = store_prepare(store, "DELETE FROM sentinel_throttles WHERE member = ?", &stmt,
				   err);
	if (rc == HR_OK)
		rc = store_bind_text(stmt, 1, t->member, strlen(t->member));
	if (rc == HR_OK && add &&
	    ((rc = store_bind_text(stmt, 2, t->rule, strlen(t->rule))) != HR_OK ||
	     (rc = store_bind_int64(stmt, 3, t->since)) != HR_OK ||
	     (rc = store_bind_text(stmt, 4, t->summary, strlen(t->summary))) != HR_OK))
		hr_error_set(err, rc, "store", "cannot bind a throttle");
	if (rc == HR_OK)
		rc = store_step(stmt, &row, err);
	if (rc == HR_E_CONFLICT)
		rc = HR_OK; /* throttled already (by another copy of the gateway) */
	store_stmt_free(stmt);
	store_pool_release(s->pool, store);
	return rc;
}

static void throttle_add(struct gateway *g, const struct sentinel_alert *a)
{
	struct gateway_sentinel *s = g->sentinel;
	struct throttle t = {0};
	struct hr_error err = {0};
	bool added = false;

	snprintf(t.member, sizeof(t.member), "%s", a->member);
	snprintf(t.rule, sizeof(t.rule), "%s", sentinel_rule_name(a->rule));
	t.since = a->at_ms / 1000;
	snprintf(t.summary, sizeof(t.summary), "%s", a->summary);
	pthread_mutex_lock(&s->lock);
	if (throttle_find(s, t.member) == NULL && s->throttled_count < THROTTLED_MAX) {
		s->throttled[s->throttled_count++] = t;
		s->changes++;
		added = true;
	}
	pthread_mutex_unlock(&s->lock);
	if (!added)
		return;
	log_warn("sentinel.throttled", "%s is refused until an operator releases it (rule %s)",
		 t.member, t.rule);
	if (throttle_store(s, &t, true, &err) != HR_OK)
		log_error("sentinel.store", "the throttle of %s is not kept over a restart: %s",
			  t.member, err.message);
}

bool gateway_sentinel_refuse(struct gateway *g, struct http_request *req, const struct exchange *x)
{
	struct gateway_sentinel *s = g->sentinel;
	char message[200];
	struct throttle *t;
	bool refused = false;

	if (s == NULL || !s->throttle || (x->own && strcmp(x->service, GATEWAY_SENTINEL) == 0))
		return false;
	throttles_maybe_reload(s, (int64_t)clock_realtime_ms());
	pthread_mutex_lock(&s->lock);
	if ((t = throttle_find(s, x->client)) != NULL) {
		char since[CLOCK_UTC_TEXT_MAX];

		clock_format_utc(t->since, since);
		snprintf(message, sizeof(message),
			 "this member is throttled by the gateway's sentinel (rule %s, since %s) "
			 "until an operator releases it",
			 t->rule, since);
		refused = true;
	}
	pthread_mutex_unlock(&s->lock);
	if (!refused)
		return false;
	atomic_fetch_add(&s->refusals, 1);
	member_reply_error(req, &g->self, 429, "member_throttled", message);
	return true;
}

/* ---- alerts ---------------------------------------------------------------------------- */

static json_t *incident_of(const struct gateway_sentinel *s, const struct sentinel_alert *a,
			   bool throttled, const char *gateway_id)
{
	char detected[CLOCK_UTC_TEXT_MAX], summary[SENTINEL_SUMMARY_MAX + 768];
	size_t n;
	json_t *indicators;

	clock_format_utc(a->at_ms / 1000, detected);
	n = (size_t)snprintf(summary, sizeof(summary), "Sentinel rule %s at %s: %s.",
			     sentinel_rule_name(a->rule), gateway_id, a->summary);
	for (size_t i = 0; i < a->number_count && n < sizeof(summary); i++)
		n += (size_t)snprintf(summary + n, sizeof(summary) - n, "%s%s=%g",
				      i ? ", " : " Numbers: ", a->numbers[i].name,
				      a->numbers[i].value);
	if (throttled && n < sizeof(summary))
		snprintf(summary + n, sizeof(summary) - n,
			 ". The member is refused until an operator releases it "
			 "(POST /x/%s/%s).",
			 gateway_id, GATEWAY_SENTINEL);
	indicators = json_pack("[{s:s,s:s,s:s}]", "type", "hromada-member", "value", a->member,
			       "tlp", "TLP:AMBER");
	if (indicators != NULL && a->other[0] != '\0' && strcmp(a->other, a->member) != 0)
		json_array_append_new(indicators,
				      json_pack("{s:s,s:s,s:s}", "type", "hromada-member", "value",
						a->other, "tlp", "TLP:AMBER"));
	return json_pack("{s:s,s:i,s:s,s:s,s:s,s:b,s:s,s:o}", "detected_at", detected, "level",
			 incident_kinds[a->rule].level, "class", incident_kinds[a->rule].class_name,
			 "service", s->service, "summary", summary, "nis2_significant", false,
			 "tlp", "TLP:AMBER", "indicators", indicators);
}

static void raise_alert(struct gateway *g, const struct sentinel_alert *a)
{
	struct gateway_sentinel *s = g->sentinel;
	bool throttled = s->throttle && (s->throttle_rules & (1u << a->rule)) != 0;
	struct log_line line;
	json_t *incident;

	/* the summary holds numbers and member ids, never a person's identifier */
	log_begin(&line, LOG_LEVEL_WARN, "sentinel.alert");
	log_add_str(&line, "rule", sentinel_rule_name(a->rule));
	log_add_str(&line, "member", a->member);
	if (a->other[0] != '\0')
		log_add_str(&line, "canary_member", a->other);
	log_add_str(&line, "summary", a->summary);
	log_end(&line);
	pthread_mutex_lock(&s->lock);
	s->recent[s->recent_next] = *a;
	s->recent_next = (s->recent_next + 1) % RECENT_ALERTS;
	if (s->recent_count < RECENT_ALERTS)
		s->recent_count++;
	pthread_mutex_unlock(&s->lock);
	if (throttled)
		throttle_add(g, a);
	if ((incident = incident_of(s, a, throttled, g->self.id)) == NULL)
		log_warn("report.lost", "an incident of the sentinel could not be made");
	else
		incident_report_submit(g->reporter, incident); /* logs when dropped */
}

/* ---- what an exchange was --------------------------------------------------------- */

/* Misses come only from exchanges without the citizen's consent: with it, the
 * citizen's own device vouched for the person, so an empty answer (the
 * wallet asking every registry for a citizen's documents) is no guess. */
static enum sentinel_outcome outcome_of(const struct exchange *x, unsigned status,
					const char *named)
{
	bool consented = x->consent_id[0] != '\0';

	if (status >= 200 && status < 300)
		return x->nothing_found && !consented ? SENTINEL_MISS : SENTINEL_HIT;
	if (status == 404 && x->answered_by_provider && !consented)
		return SENTINEL_MISS; /* the registry has no such person or document */
	if (status == 400 && named != NULL && !person_id_valid(named))
		return SENTINEL_MISS; /* an id that cannot exist: a guess */
	return status >= 500 ? SENTINEL_FAILED : SENTINEL_REFUSED;
}

/* The canaries an exchange names: the person (named, or the registry's
 * holder) and the document asked about by number. */
static void check_canaries(struct gateway *g, const struct exchange *x, const char *number,
			   int64_t now_ms)
{
	struct gateway_sentinel *s = g->sentinel;
	const char *identifiers[2] = {x->person, NULL};
	char document[256];
	struct hr_error err = {0};

	if (canary_index_refresh(s->canaries, now_ms, &err) != HR_OK &&
	    now_ms - atomic_load(&s->canary_warned_ms) >= CANARY_WARNING_MS) {
		atomic_store(&s->canary_warned_ms, now_ms);
		log_warn("sentinel.canaries", "%s", err.message);
	}
	if (canary_index_count(s->canaries) == 0)
		return;
	if (number != NULL && x->document_type[0] != '\0' &&
	    leak_document_identifier((char[3]){x->provider[0], x->provider[1], 0}, x->document_type,
				     number, document, sizeof(document)))
		identifiers[1] = document;
	for (int i = 0; i < 2; i++) {
		uint8_t tag[LEAK_TAG_LEN];
		struct canary_hit hit;
		struct sentinel_alert alert;

		if (identifiers[i] == NULL || strlen(identifiers[i]) > 64 ||
		    leak_tag(s->canary_key, identifiers[i], tag) != HR_OK ||
		    !canary_index_find(s->canaries, tag, &hit))
			continue;
		if (sentinel_canary(s->engine, now_ms, x->client, hit.member, hit.canary,
				    identifiers[i], &alert))
			raise_alert(g, &alert);
	}
}

void gateway_sentinel_observe(struct gateway *g, struct http_request *req, const struct exchange *x)
{
	struct gateway_sentinel *s = g->sentinel;
	struct sentinel_alert alerts[SENTINEL_RULE_COUNT];
	const char *named, *number;
	int64_t now_ms = (int64_t)clock_realtime_ms();
	struct sentinel_event e;
	size_t n;

	/* only what a member signed is judged: nobody can be framed by another */
	if (s == NULL || !x->authenticated)
		return;
	named = json_string_value(json_object_get(x->body, "person"));
	number = json_string_value(json_object_get(x->body, "document_number"));
	if (number != NULL && strlen(number) > 64)
		number = NULL; /* no document number of ours is that long */
	e = (struct sentinel_event){
	    .at_ms = now_ms,
	    .client = x->client,
	    .provider = x->provider,
	    .service = x->service,
	    /* a purpose only once a right allowed it: never free text of a refusal */
	    .purpose = x->legal_basis != NULL || x->consent_id[0] ? x->purpose : NULL,
	    /* what the client chose, else whose data it was (the registry's holder) */
	    .person = named != NULL ? named : x->person,
	    .person_named = named != NULL,
	    .document_type = x->document_type[0] ? x->document_type : NULL,
	    .document_number = number,
	    .outcome = outcome_of(x, http_request_reply_status(req), named),
	};
	n = sentinel_observe(s->engine, &e, alerts, SENTINEL_RULE_COUNT);
	for (size_t i = 0; i < n; i++)
		raise_alert(g, &alerts[i]);
	if (s->canaries != NULL && (e.person != NULL || number != NULL))
		check_canaries(g, x, number, now_ms);
}

/* ---- the operator's service ------------------------------------------------------------ */

static json_t *alert_json(const struct sentinel_alert *a)
{
	char at[CLOCK_UTC_TEXT_MAX];
	json_t *numbers = json_object(), *samples = json_array();

	clock_format_utc(a->at_ms / 1000, at);
	for (size_t i = 0; i < a->number_count; i++)
		json_object_set_new(numbers, a->numbers[i].name, json_real(a->numbers[i].value));
	for (size_t i = 0; i < a->sample_count; i++)
		json_array_append_new(samples, json_string(a->samples[i]));
	return json_pack("{s:s,s:s,s:s?,s:s,s:s,s:o,s:o}", "rule", sentinel_rule_name(a->rule),
			 "member", a->member, "canary_member", a->other[0] ? a->other : NULL, "at",
			 at, "summary", a->summary, "numbers", numbers, "samples", samples);
}

static json_t *status_json(struct gateway_sentinel *s)
{
	struct sentinel_stats st;
	json_t *throttled = json_array(), *alerts = json_array(), *rules = json_array();
	json_t *counts = json_object(), *canaries = json_null();

	sentinel_stats(s->engine, &st);
	for (int r = 0; r < SENTINEL_RULE_COUNT; r++) {
		if (s->throttle_rules & (1u << r))
			json_array_append_new(rules, json_string(sentinel_rule_name(r)));
		json_object_set_new(counts, sentinel_rule_name(r),
				    json_integer((json_int_t)st.alerts[r]));
	}
	if (s->canaries != NULL) {
		struct canary_index_stats cs;

		canary_index_stats(s->canaries, &cs);
		canaries =
		    json_pack("{s:I,s:I,s:I}", "entries", (json_int_t)cs.entries, "bad_lines",
			      (json_int_t)cs.bad_lines, "dropped", (json_int_t)cs.dropped);
	}
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->throttled_count; i++) {
		char since[CLOCK_UTC_TEXT_MAX];

		clock_format_utc(s->throttled[i].since, since);
		json_array_append_new(throttled, json_pack("{s:s,s:s,s:s,s:s}", "member",
							   s->throttled[i].member, "rule",
							   s->throttled[i].rule, "since", since,
							   "summary", s->throttled[i].summary));
	}
	/* the newest first */
	for (size_t i = 0; i < s->recent_count; i++)
		json_array_append_new(
		    alerts,
		    alert_json(
			&s->recent[(s->recent_next + RECENT_ALERTS - 1 - i) % RECENT_ALERTS]));
	pthread_mutex_unlock(&s->lock);
	return json_pack("{s:b,s:o,s:o,s:o,s:{s:I,s:I,s:I,s:o},s:o}", "throttle", s->throttle,
			 "throttle_rules", rules, "throttled", throttled, "alerts", alerts,
			 "engine", "events", (json_int_t)st.events, "members",
			 (json_int_t)st.members, "members_evicted", (json_int_t)st.evicted,
			 "alerts", counts, "canaries", canaries);
}

static void release(struct gateway *g, const struct exchange *x, const char *member,
		    json_t **answer, unsigned *status)
{
	struct gateway_sentinel *s = g->sentinel;
	struct throttle t = {0};
	struct hr_error err = {0};
	bool found;

	snprintf(t.member, sizeof(t.member), "%s", member);
	pthread_mutex_lock(&s->lock);
	found = throttle_find(s, member) != NULL;
	pthread_mutex_unlock(&s->lock);
	if (!found) {
		/* another copy of the gateway may have it: the store says */
		throttles_reload(s);
		pthread_mutex_lock(&s->lock);
		found = throttle_find(s, member) != NULL;
		pthread_mutex_unlock(&s->lock);
	}
	if (!found) {
		*status = 404;
		*answer = json_pack("{s:{s:s,s:s}}", "error", "code", "not_found", "message",
				    "that member is not throttled");
		return;
	}
	if (throttle_store(s, &t, false, &err) != HR_OK) {
		log_error("sentinel.store", "release of %s: %s", member, err.message);
		*status = 503;
		*answer = json_pack("{s:{s:s,s:s}}", "error", "code", "unavailable", "message",
				    "the release could not be stored; try again");
		return;
	}
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->throttled_count; i++)
		if (strcmp(s->throttled[i].member, member) == 0)
			s->throttled[i] = s->throttled[--s->throttled_count];
	s->changes++;
	pthread_mutex_unlock(&s->lock);
	/* looked at: what it did so far no longer counts against it */
	sentinel_forget(s->engine, member);
	log_info("sentinel.released", "%s released by %s", member, x->client);
	*status = 200;
	*answer = json_pack("{s:s,s:s}", "released", member, "by", x->client);
}

/* A string field that may be absent (then *out is left as it is). */
static bool optional_string(const json_t *body, const char *key, size_t max, const char **out)
{
	hr_status rc = hr_json_get_string(body, key, false, max, out, NULL);

	return rc == HR_OK || rc == HR_E_NOT_FOUND;
}

void gateway_sentinel_serve(struct gateway *g, struct http_request *req, const struct exchange *x)
{
	static const char *const allowed[] = {"action", "member", NULL};
	struct gateway_sentinel *s = g->sentinel;
	const char *action = "status", *member = NULL;
	struct hr_error err = {0};
	struct buf text;
	json_t *answer = NULL;
	unsigned status = 200;

	if (s == NULL) {
		member_reply_error(req, &g->self, 404, "not_found",
				   "the sentinel is off at this gateway ([sentinel] enabled)");
		return;
	}
	if (hr_json_only_keys(x->body, allowed, &err) != HR_OK ||
	    !optional_string(x->body, "action", 16, &action) ||
	    !optional_string(x->body, "member", MEMBER_ID_MAX - 1, &member) ||
	    (strcmp(action, "status") != 0 && strcmp(action, "release") != 0) ||
	    (strcmp(action, "release") == 0 && (member == NULL || !member_id_valid(member)))) {
		member_reply_error(req, &g->self, 400, "invalid",
				   "{\"action\": \"status\"} or {\"action\": \"release\", "
				   "\"member\": id}");
		return;
	}
	if (strcmp(action, "release") == 0)
		release(g, x, member, &answer, &status);
	else
		answer = status_json(s);
	buf_init(&text, 16 * 1024 * 1024);
	if (answer == NULL || hr_json_dump(answer, &text) != HR_OK) {
		member_reply_error(req, &g->self, 503, "unavailable",
				   "the answer could not be made");
		goto done;
	}
	/* an operator's look and release are accesses too: recorded first */
	if (!gateway_record(g, req, x, text.data, text.len, status, NULL))
		goto done;
	member_reply_json(req, &g->self, status, answer);
	answer = NULL;
done:
	json_decref(answer);
	buf_clear(&text);
}

/* ---- metrics ------------------------------------------------------------------------------ */

static void write_metrics(void *context, struct buf *out)
{
	struct gateway_sentinel *s = context;
	struct sentinel_stats st;
	size_t throttled;

	sentinel_stats(s->engine, &st);
	pthread_mutex_lock(&s->lock);
	throttled = s->throttled_count;
	pthread_mutex_unlock(&s->lock);
	buf_printf(out, "# HELP hromada_sentinel_alerts_total Alerts the leak-defence sentinel "
			"raised, per rule.\n# TYPE hromada_sentinel_alerts_total counter\n");
	for (int r = 0; r < SENTINEL_RULE_COUNT; r++)
		buf_printf(out, "hromada_sentinel_alerts_total{rule=\"%s\"} %lu\n",
			   sentinel_rule_name(r), st.alerts[r]);
	buf_printf(out,
		   "# HELP hromada_sentinel_throttled_members Members refused until an operator "
		   "releases them.\n# TYPE hromada_sentinel_throttled_members gauge\n"
		   "hromada_sentinel_throttled_members %zu\n"
		   "# HELP hromada_sentinel_throttle_refusals_total Calls refused because their "
		   "member is throttled.\n# TYPE hromada_sentinel_throttle_refusals_total counter\n"
		   "hromada_sentinel_throttle_refusals_total %lu\n"
		   "# HELP hromada_sentinel_events_total Exchanges the sentinel judged.\n"
		   "# TYPE hromada_sentinel_events_total counter\n"
		   "hromada_sentinel_events_total %lu\n"
		   "# HELP hromada_sentinel_members Members the sentinel tracks now.\n"
		   "# TYPE hromada_sentinel_members gauge\nhromada_sentinel_members %zu\n"
		   "# HELP hromada_sentinel_members_evicted_total Members forgotten to stay within "
		   "max_members.\n# TYPE hromada_sentinel_members_evicted_total counter\n"
		   "hromada_sentinel_members_evicted_total %lu\n",
		   throttled, atomic_load(&s->refusals), st.events, st.members, st.evicted);
	if (s->canaries != NULL) {
		struct canary_index_stats cs;

		canary_index_stats(s->canaries, &cs);
		buf_printf(out,
			   "# HELP hromada_sentinel_canaries Identifiers in the canary index.\n"
			   "# TYPE hromada_sentinel_canaries gauge\nhromada_sentinel_canaries %zu\n"
			   "# HELP hromada_sentinel_canary_bad_lines_total Lines of the canary "
			   "index skipped as malformed.\n"
			   "# TYPE hromada_sentinel_canary_bad_lines_total counter\n"
			   "hromada_sentinel_canary_bad_lines_total %lu\n",
			   cs.entries, cs.bad_lines);
	}
}

/* ---- life ---------------------------------------------------------------------------------- */

hr_status gateway_sentinel_open(struct gateway *g, const struct role_context *ctx,
				struct hr_error *err)
{
	struct gateway_sentinel *s = calloc(1, sizeof(*s));
	struct sentinel_options options;
	bool enabled = true;
	hr_status rc;

	g->sentinel = NULL;
	if (s == NULL)
		return hr_error_set(err, HR_E_NOMEM, "gateway", "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->reload_lock, NULL);
	s->pool = g->pool;
	snprintf(s->service, sizeof(s->service), "%s sentinel", g->self.id);
	if ((rc = read_settings(ctx->config, s, &enabled, &options, err)) != HR_OK ||
	    (enabled && (rc = sentinel_new(&options, &s->engine, err)) != HR_OK)) {
		gateway_sentinel_free(s);
		return rc;
	}
	if (!enabled) {
		log_info("sentinel.off", "the sentinel is off ([sentinel] enabled = false)");
		gateway_sentinel_free(s);
		return HR_OK;
	}
	throttles_reload(s);
	atomic_store(&s->loaded_ms, (int64_t)clock_realtime_ms());
	http_server_set_metrics(ctx->server, write_metrics, s);
	log_info("sentinel.on", "rules on; throttle %s; canaries %s", s->throttle ? "on" : "off",
		 s->canaries ? "watched" : "none (no [sentinel] canary_key)");
	g->sentinel = s;
	return HR_OK;
}

void gateway_sentinel_free(struct gateway_sentinel *s)
{
	if (s == NULL)
		return;
	sentinel_free(s->engine);
	canary_index_free(s->canaries);
	OPENSSL_cleanse(s->canary_key, sizeof(s->canary_key));
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->reload_lock);
	free(s);
}
