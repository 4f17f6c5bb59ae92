/*
 * incident_report.h — the one seam through which a role reports its own
 * security events to the national cyber coordination centre (docs/NCCC.md
 * "Automatic reports"): the gateway and the wallet today, the leak-defence
 * sentinel next.
 *
 * A role notes events as they happen (incident_report_note): a signature that
 * did not verify, a replayed nonce, a member over its share of the replay
 * record, a DPoP proof refused. Events are counted per kind and subject (the
 * peer's address or an authenticated member) in fixed windows; when a count
 * reaches its threshold, one incident is reported — at most one per kind and
 * subject per INCIDENT_REPORT_QUIET_S, so a flood makes one report, not a
 * flood of reports. incident_report_submit sends an incident a rule built
 * itself (the sentinel's path).
 *
 * Reports are signed calls (RFC 9421) with the role's own member key, sent by
 * a background thread from a bounded queue: noting or submitting never blocks
 * the request that noticed, and when the hub cannot be reached the report is
 * retried a few times, then logged as lost (never silently). Without
 * [report] nccc_url nothing is counted or sent.
 *
 * Settings ([report] section of the role's configuration):
 *	nccc_url, nccc_id, nccc_certificate   the hub, its member id and the
 *	                                      certificate its answers are signed with
 *	signature_failures = 50   per subject per minute before a report
 *	replays = 20              per subject per minute
 *	share_exhausted = 5       per member per minute
 *	proof_failures = 50       per subject per minute (DPoP at the wallet)
 */
#ifndef HROMADA_EXCHANGE_INCIDENT_REPORT_H
#define HROMADA_EXCHANGE_INCIDENT_REPORT_H

#include <jansson.h>

#include <hromada/status.h>

#include "exchange/member.h"

#define INCIDENT_REPORT_WINDOW_S 60
#define INCIDENT_REPORT_QUIET_S  3600
#define INCIDENT_REPORT_QUEUE    64

struct config;
struct incident_reporter;

enum security_event {
	SECURITY_SIGNATURE_FAILURE, /* a member signature that did not verify */
	SECURITY_REPLAY,            /* a nonce or proof id seen before */
	SECURITY_SHARE_EXHAUSTED,   /* a member over its share of the replay record */
	SECURITY_PROOF_FAILURE,     /* a citizen's DPoP proof refused */
	SECURITY_EVENT_COUNT,
};

/*
 * From the role's [report] settings; *out is NULL (and HR_OK) when no hub is
 * configured. self signs the reports and must outlive the reporter (free the
 * reporter before the signer: its thread holds per-thread signing state); service
 * names what the role is ("UA gateway"). Stage "config".
 */
hr_status incident_reporter_from_config(struct config *config, const struct member_identity *self,
					const char *service, struct incident_reporter **out,
					struct hr_error *err);
/* Sends what is queued (waiting up to a few seconds), then frees. NULL allowed. */
void incident_reporter_free(struct incident_reporter *reporter);

/* One event about subject (an IP address or a member id; copied). reporter may
 * be NULL (no hub): then nothing happens. */
void incident_report_note(struct incident_reporter *reporter, enum security_event kind,
			  const char *subject);

/* Queues an incident (the body of POST /v1/incidents; stolen). HR_E_BUSY when
 * the queue is full (the incident is then dropped and logged). */
hr_status incident_report_submit(struct incident_reporter *reporter, json_t *incident);

/* Reports sent, refused by the hub, and lost since start (metrics, tests). */
void incident_reporter_counts(struct incident_reporter *reporter, unsigned long *sent,
			      unsigned long *refused, unsigned long *lost);

#endif
