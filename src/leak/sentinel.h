/*
 * sentinel.h — the leak-defence sentinel's rules engine (DESIGN.md §7,
 * docs/LEAKS.md "The sentinel"): it reads one event per exchange a gateway
 * handled and says when a member's traffic looks like bulk extraction or
 * like someone using leaked data.
 *
 * Pure: no HTTP, no store, no clock of its own (every event carries its
 * time, so a test can replay weeks of traffic in seconds). Thread-safe:
 * members are spread over SENTINEL_SHARDS shards, each behind its own mutex,
 * so the gateway's worker threads judge different members in parallel.
 *
 * The rules, each with its settings ([sentinel] section, defaults in
 * sentinel_options_default; each fires at most once per member per quiet_s):
 *
 *	enumeration   identifiers asked about in sequence or densely: within
 *	              enumeration_window_s, enumeration_block_ids distinct ids of
 *	              one block (one birth day of RNOKPPs or PESELs; one series and
 *	              ten thousand numbers of a document type), or
 *	              enumeration_span_ids within enumeration_span_blocks blocks
 *	              either side (dense ids across neighbouring birth days)
 *	misses        a high share of misses (the registry had no such person or
 *	              document): of the member's last SENTINEL_ANSWERS answers,
 *	              those within misses_window_s, at least misses_min, of which
 *	              misses_percent or more missed — or, once the member is warm,
 *	              its own learned share plus misses_margin_percent (at most 95)
 *	volume        distinct people per 10 minutes and per hour, and requests
 *	              per 10 minutes, over volume_factor times the member's
 *	              baseline (a slowly decaying peak learned from its own
 *	              traffic), never below the floors volume_floor_*; during the
 *	              first warmup_h hours of a member the floors judge it and its
 *	              level is learned as it goes
 *	time_of_day   at least time_of_day_min requests in an hour of the day
 *	              (UTC) that carried under time_of_day_permille of the member's
 *	              learned traffic (after time_of_day_warmup_h of history)
 *	purpose       at least purpose_min requests in an hour under a purpose
 *	              that carried under purpose_percent of the member's learned
 *	              traffic (after warmup_h)
 *	canary        a request naming a canary (sentinel_canary): at once, at
 *	              most once per requesting member and canary owner per quiet_s
 *
 * Refused signatures and DPoP proofs are not here: the gateway and wallet
 * count them through exchange/incident_report.h, which is the sentinel's rule
 * for them.
 *
 * Memory is bounded: at most max_members members (about 16 KB each, allocated
 * when first seen); past the cap the member of the shard seen least recently
 * is forgotten (its baseline with it) and counted in stats.evicted.
 * Per member the engine keeps 60 one-minute buckets (requests, misses, a
 * 64-register HyperLogLog of the people asked about), the last
 * SENTINEL_RECENT_IDS identifiers for the enumeration rule, and its learned
 * baselines. Learning never uses the last hour (buckets are learned when they
 * leave the hour), so a burst cannot raise the bar it is judged against.
 */
#ifndef HROMADA_LEAK_SENTINEL_H
#define HROMADA_LEAK_SENTINEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/documents.h"

#define SENTINEL_SHARDS      16
#define SENTINEL_RECENT_IDS  128 /* identifiers remembered per member */
#define SENTINEL_ANSWERS     64  /* answers remembered per member (misses) */
#define SENTINEL_SAMPLES     5   /* sample identifiers in an alert */
#define SENTINEL_NUMBERS     8   /* the numbers that triggered an alert */
#define SENTINEL_ID_TEXT_MAX 40  /* a sample identifier, NUL included */
#define SENTINEL_SUMMARY_MAX 480

struct config;
struct sentinel;

enum sentinel_outcome {
	SENTINEL_HIT,     /* answered with the data asked for */
	SENTINEL_MISS,    /* no such person or document (or an id that cannot exist) */
	SENTINEL_REFUSED, /* refused (4xx): no right, no consent, malformed */
	SENTINEL_FAILED,  /* the platform failed (5xx): says nothing of the member */
};

enum sentinel_rule {
	SENTINEL_RULE_ENUMERATION,
	SENTINEL_RULE_MISSES,
	SENTINEL_RULE_VOLUME,
	SENTINEL_RULE_TIME_OF_DAY,
	SENTINEL_RULE_PURPOSE,
	SENTINEL_RULE_CANARY,
	SENTINEL_RULE_COUNT,
};

#define SENTINEL_RULES_ALL ((1u << SENTINEL_RULE_COUNT) - 1u)

/* "enumeration", "misses", ... */
const char *sentinel_rule_name(enum sentinel_rule rule);
/* A comma-separated list of rule names into a bit mask (1u << rule); "" is 0.
 * HR_E_INVALID naming the first unknown name. Stage "config". */
hr_status sentinel_rules_parse(const char *list, unsigned *mask, struct hr_error *err);

struct sentinel_options {
	unsigned rules;     /* enabled rules, a mask of 1u << rule */
	int64_t quiet_s;    /* a rule fires at most once per member per this */
	size_t max_members; /* members tracked at once */
	uint64_t hash_seed; /* 0: random (tests fix it) */

	int64_t enumeration_window_s;
	unsigned enumeration_block_ids;
	uint64_t enumeration_span_blocks;
	unsigned enumeration_span_ids;

	int64_t misses_window_s; /* at most 3600 */
	unsigned misses_min;
	unsigned misses_percent;
	unsigned misses_margin_percent;

	unsigned volume_factor;
	unsigned volume_floor_people_10min;
	unsigned volume_floor_people_hour;
	unsigned volume_floor_requests_10min;
	int64_t warmup_h;
	int64_t memory_h; /* a learned peak halves in this many hours */

	unsigned time_of_day_permille;
	unsigned time_of_day_min;
	int64_t time_of_day_warmup_h;

	unsigned purpose_percent;
	unsigned purpose_min;
};

/* The defaults documented in docs/LEAKS.md. */
void sentinel_options_default(struct sentinel_options *options);
/*
 * Reads section's keys (rules, quiet_s, max_members, enumeration_*, misses_*,
 * volume_*, warmup_h, memory_h, time_of_day_*, purpose_*) over the defaults.
 * HR_E_INVALID naming the setting when one is malformed or out of range.
 */
hr_status sentinel_options_from_config(struct config *config, const char *section,
				       struct sentinel_options *options, struct hr_error *err);

/* One exchange the gateway handled. Strings are read, never kept. */
struct sentinel_event {
	int64_t at_ms;        /* wall clock, ms since the epoch */
	const char *client;   /* the calling member (authenticated) */
	const char *provider; /* the member called */
	const char *service;
	const char *purpose;
	/* whose data: the person the request named or the registry's holder; NULL */
	const char *person;
	bool person_named;           /* the client chose person (enumeration looks at it) */
	const char *document_type;   /* the provider's type, with document_number; NULL */
	const char *document_number; /* as the client named it; NULL */
	enum sentinel_outcome outcome;
};

struct sentinel_number {
	const char *name; /* a static string: "ids_in_block" */
	double value;
};

struct sentinel_alert {
	enum sentinel_rule rule;
	int64_t at_ms;
	char member[MEMBER_ID_MAX]; /* the member whose traffic it is about */
	char other[MEMBER_ID_MAX];  /* canary: the member the canary was served to; else "" */
	char summary[SENTINEL_SUMMARY_MAX]; /* one sentence with the numbers, no identifiers */
	struct sentinel_number numbers[SENTINEL_NUMBERS];
	size_t number_count;
	char samples[SENTINEL_SAMPLES][SENTINEL_ID_TEXT_MAX]; /* identifiers behind it */
	size_t sample_count;
};

struct sentinel_stats {
	unsigned long events;
	unsigned long alerts[SENTINEL_RULE_COUNT];
	unsigned long evicted; /* members forgotten to make room */
	size_t members;        /* tracked now */
};

/* Checks options (HR_E_INVALID, stage "config") and makes an engine. */
hr_status sentinel_new(const struct sentinel_options *options, struct sentinel **out,
		       struct hr_error *err);
void sentinel_free(struct sentinel *sentinel);

/*
 * Judges one event; writes the alerts it raised (at most max, at most one
 * per rule) to alerts and returns how many. Events should come in time
 * order; one a little older than the member's newest counts as the newest.
 */
size_t sentinel_observe(struct sentinel *sentinel, const struct sentinel_event *event,
			struct sentinel_alert *alerts, size_t max);

/*
 * A request by requester named a canary (owner: the member it was served
 * to; canary: its opaque id; identifier: what the request named). true with
 * *alert filled when this is news (the rule is on and neither requester nor
 * owner was alerted about the pair within quiet_s).
 */
bool sentinel_canary(struct sentinel *sentinel, int64_t at_ms, const char *requester,
		     const char *owner, const char *canary, const char *identifier,
		     struct sentinel_alert *alert);

/* An operator looked at member: its short-term evidence (minute buckets,
 * recent identifiers, when each rule last fired) is dropped, its learned
 * baselines kept; true when the member was tracked. */
bool sentinel_forget(struct sentinel *sentinel, const char *member);

void sentinel_stats(struct sentinel *sentinel, struct sentinel_stats *out);

#endif
