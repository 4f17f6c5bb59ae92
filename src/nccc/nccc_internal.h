/*
 * nccc_internal.h — the hub's state, shared by its files:
 *   nccc.c             the role: settings, routes, start and stop
 *   nccc_auth.c        who is calling: RFC 9421 signatures under the members'
 *                      keys (the gateways' directories), and what they may read
 *   nccc_store.c       incidents, report stages, indicators and sightings in
 *                      the role's database; the correlation index beside it
 *   nccc_incidents.c   POST/GET /v1/incidents, stages, sightings, correlations
 *   nccc_feeds.c       the MISP feed and TAXII 2.1, filtered by TLP per reader
 *   nccc_imports.c     a partner's MISP event or STIX bundle, into the store
 *   nccc_leaks.c       the "was my data leaked" range service: CERTs publish
 *                      leaked dumps' tags, wallets ask for a range of them
 *   nccc_leak_store.c  those dumps and tags in the role's database
 *   incident.c         what a report may say, and its deadlines (pure)
 *   tlp.c              TLP 2.0 and the sharing rules (pure)
 *
 * Every report stage is kept with its reporter's signature (Signature-Input,
 * Signature, Content-Digest, body) and appended to the hub's RFC 9162 audit
 * log before it is acknowledged.
 */
#ifndef HROMADA_NCCC_INTERNAL_H
#define HROMADA_NCCC_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "audit/audit.h"
#include "core/documents.h"
#include "core/http_server.h"
#include "core/store.h"
#include "core/secret.h"
#include "exchange/member.h"
#include "leak/leak_range.h"
#include "nccc/nccc_model.h"
#include "nccc/value_index.h"

#define NCCC_DIRECTORIES_MAX 8
#define NCCC_MEMBERS_MAX     64 /* certs, partners */
#define NCCC_PAGE_MAX        1000

struct directory;

struct nccc {
	struct store_pool *pool;
	struct member_identity self;
	struct signer *signer;
	char self_id[MEMBER_ID_MAX];
	char org_name[128];
	char org_uuid[40];
	struct directory *directories[NCCC_DIRECTORIES_MAX];
	int directory_count;
	char certs[NCCC_MEMBERS_MAX][MEMBER_ID_MAX]; /* each country's CERT */
	int cert_count;
	char partners[NCCC_MEMBERS_MAX][MEMBER_ID_MAX]; /* sharing agreements */
	int partner_count;
	struct replay_cache *nonces;
	struct audit *audit;
	/* the correlation index over the indicators table, and the highest row
	 * it holds (rows another copy of the hub added are read in on demand) */
	pthread_mutex_t index_lock;
	struct value_index *index;
	int64_t indexed_row;
	int64_t clock_offset_s; /* [nccc] clock_offset_s: the clock seam (tests, drills) */
	char collection_id[40]; /* the TAXII collection of shared incidents */
	json_t *producer;       /* the hub as a STIX identity */
	/* the leak range service: answers' sizes, the decoys' key, and the
	 * biggest dumps (decoys of empty ranges draw from them), cached */
	struct leak_range_options leak_range;
	uint8_t leak_decoy_key[SECRET_LEN];
	pthread_mutex_t leak_lock;
	json_t *leak_catalogue; /* NULL: to be read */
	int64_t leak_catalogue_at;
};

/* The hub's clock: real time plus the configured offset. */
int64_t nccc_now(const struct nccc *nccc);

/* nccc_auth.c */
struct nccc_caller {
	char member[MEMBER_ID_MAX]; /* "" when anonymous */
	bool signed_call;
	bool cert;    /* a country's CERT */
	bool partner; /* has a sharing agreement */
};
/* Checks the request's signature when it has one; without one, anonymous is
 * allowed only when anonymous_ok. On failure it has answered the request and
 * returns false. */
bool nccc_caller_identify(struct nccc *nccc, struct http_request *request, bool anonymous_ok,
			  struct nccc_caller *caller);
bool nccc_member_known(void *nccc, const char *member);
/* The reader for tlp_visible(). */
struct tlp_reader nccc_reader(const struct nccc_caller *caller);
/* May the caller read the whole incident (its reporter's organisation, or its
 * country's CERT)? */
bool nccc_reads_all(const struct nccc_caller *caller, const char *reporter);
/* Answers: signed when the call was, plain otherwise. */
void nccc_reply_json(struct nccc *nccc, struct http_request *request,
		     const struct nccc_caller *caller, unsigned status, json_t *body);
void nccc_reply_bytes(struct nccc *nccc, struct http_request *request,
		      const struct nccc_caller *caller, unsigned status, const char *content_type,
		      const void *data, size_t len);
void nccc_reply_error(struct nccc *nccc, struct http_request *request,
		      const struct nccc_caller *caller, const struct hr_error *err);

/* nccc_store.c */
extern const struct store_migration nccc_migrations[];
extern const size_t nccc_migration_count;

/* A stage as received: the signed request, kept so anyone can check it later. */
struct nccc_signed_report {
	const char *stage;
	const char *body; /* the request body, as signed */
	size_t body_len;
	const char *signature_input, *signature, *content_digest;
	const char *authority; /* host the reporter signed (with the path, the URL) */
	const char *path;
};

/* Stores a new incident (canonical JSON, indicators included) with its first
 * report (NULL for imports) in one transaction, then indexes its indicators.
 * HR_E_CONFLICT when an import with the same (reporter, external_id) exists. */
hr_status nccc_store_incident(struct nccc *nccc, struct store *store, json_t *incident,
			      const struct nccc_signed_report *report, uint64_t audit_leaf,
			      struct hr_error *err);
/* May member add a stage to incident id? Its organisation must have reported
 * it (HR_E_DENIED), and it must be a reported, open incident (HR_E_CONFLICT);
 * HR_E_NOT_FOUND. Asked before anything of the stage is kept. */
hr_status nccc_stage_allowed(struct store *store, const char *id, const char *member,
			     struct hr_error *err);
/* Adds a stage to incident id: more indicators (may be NULL), a new level
 * (-1: unchanged). HR_E_NOT_FOUND, HR_E_CONFLICT (closed by its final report). */
hr_status nccc_store_stage(struct nccc *nccc, struct store *store, const char *id,
			   const struct nccc_signed_report *report, int64_t level,
			   json_t *indicators, uint64_t audit_leaf, struct hr_error *err);
/* The incident as kept, with its reports and its deadlines as they stand at
 * now. HR_E_NOT_FOUND. Caller decrefs. */
hr_status nccc_load_incident(struct store *store, const char *id, int64_t now, json_t **out,
			     struct hr_error *err);
/* Which incidents to list, in the order they were added. */
struct nccc_list {
	int64_t after_seq;      /* after this position (0: from the first) */
	int64_t added_after_ms; /* added after this time (0: any) */
	const char *country;    /* "" = any */
	const char *organisation;
	size_t max;
	enum tlp tlp_max; /* incidents marked at most this (TLP_RED: any) */
};
/* Rows [{"id", "seq", "added_ms"}]; *last_seq the last position listed. */
hr_status nccc_list_incidents(struct store *store, const struct nccc_list *which, json_t **rows,
			      int64_t *last_seq, struct hr_error *err);
/* Every incident row id whose indicators hold value (type class aware), the
 * indicator ids with them: [{"incident", "indicator"}]. */
hr_status nccc_correlate(struct nccc *nccc, struct store *store, const char *type,
			 const char *value, size_t max, json_t **out, size_t *total,
			 struct hr_error *err);
/* A sighting by member of every indicator with this value; *matched counts them. */
hr_status nccc_store_sighting(struct nccc *nccc, struct store *store, const char *type,
			      const char *value, const char *member, int64_t seen_at, int64_t count,
			      size_t *matched, struct hr_error *err);
/* Reads indicator rows the index lacks into it. */
hr_status nccc_index_catch_up(struct nccc *nccc, struct store *store, struct hr_error *err);

/* Filters an incident for a reader: NULL when it may not see it at all;
 * otherwise a copy without the indicators it may not see (and, unless it reads
 * all, without reports' signatures). Caller decrefs. */
json_t *nccc_incident_for(const json_t *incident, const struct nccc_caller *caller);
/* The same for what is shared (the MISP feed, TAXII): TLP alone decides, for
 * the reporter's own CERT too, TLP:RED never leaves, and the deadlines (the
 * reporter's duties, not threat information) stay. */
json_t *nccc_incident_shared(const json_t *incident, const struct nccc_caller *caller);

/* nccc_leak_store.c */
#define NCCC_LEAK_RANGE_ROWS_MAX 20000 /* (tag, dump) rows of one range */
struct nccc_leak_published {
	bool created;        /* the dump was new */
	size_t added, known; /* distinct tags of the call: new, and already there */
	json_t *dump;        /* {"id", "name", "first_seen", "fields", "tags"}: decref */
};
/* Adds a publication in one transaction: the dump's row made or widened
 * (fields joined, first_seen the earliest), its tags added once each. */
hr_status nccc_leaks_publish(struct store *store, const struct leak_publication *p,
			     const char *publisher, int64_t now, struct nccc_leak_published *out,
			     struct hr_error *err);
/* Every stored tag of a range with its leaks, sorted by tag; entries[].leaks
 * are owned by leaks. HR_E_UNAVAILABLE past max_rows. */
struct nccc_leak_range {
	struct leak_range_entry *entries;
	size_t count;
	json_t *leaks;
};
hr_status nccc_leaks_range(struct store *store, uint32_t prefix, size_t max_rows,
			   struct nccc_leak_range *out, struct hr_error *err);
void nccc_leak_range_clear(struct nccc_leak_range *range);
/* The max biggest dumps, [{"leak": {"dump", "first_seen", "fields"}, "weight": tags}]. */
hr_status nccc_leaks_catalogue(struct store *store, size_t max, json_t **out, struct hr_error *err);

/* nccc_incidents.c, nccc_feeds.c, nccc_imports.c, nccc_leaks.c */
hr_status nccc_incident_routes(struct nccc *nccc, struct http_server *server, struct hr_error *err);
hr_status nccc_feed_routes(struct nccc *nccc, struct http_server *server, struct hr_error *err);
hr_status nccc_import_routes(struct nccc *nccc, struct http_server *server, struct hr_error *err);
hr_status nccc_leak_routes(struct nccc *nccc, struct http_server *server, struct hr_error *err);

#endif
