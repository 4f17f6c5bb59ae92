/*
 * canary_internal.h — what the canary files share and nothing else includes
 * (tests do): one canary, the member's lookup plan, the counter of planted
 * canaries, the registries, the exchanges and the index.
 */
#ifndef HROMADA_PLATFORM_CANARY_INTERNAL_H
#define HROMADA_PLATFORM_CANARY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hromada/status.h>

#include "core/buf.h"
#include "core/documents.h"
#include "core/secret.h"
#include "core/uuid.h"
#include "platform/canary.h"
#include "platform/population.h"

#define CANARY_STAGE   "canary"
#define CANARY_URL_MAX 512

struct store;

/* One canary: who it is, what the registries hold of it. */
struct canary {
	uint64_t j; /* the j-th canary of its country */
	struct population_person person;
	struct population_document docs[POPULATION_TYPE_COUNT];
	size_t doc_count;
	struct population_version versions[POPULATION_VERSIONS_MAX];
	size_t version_count;
	char id[UUID_TEXT_LEN + 1]; /* opaque: the index names the canary by it */
};

/* Fills c with the j-th canary of pop's country. */
void canary_make(const struct population *pop, uint64_t j, struct canary *c);

/* ---- what the member may look up (canary.c) ---- */

/* One document type the member may look up at its own country's registry. */
struct canary_lookup {
	int type; /* index into document_types */
	char provider[MEMBER_ID_MAX];
	char purpose[64];
	bool consent; /* no legal basis: every lookup needs the citizen's consent */
};

struct canary_plan {
	char country[3];
	char member[MEMBER_ID_MAX];
	struct canary_lookup lookups[DOCUMENT_TYPE_COUNT];
	size_t lookup_count;
	bool consent; /* some lookup needs a consent: the canary enrols a device */
};

/*
 * The lookups member's own gateway allows it, from that gateway's directory
 * (the JSON of exchange/directory.h): for each registry of the member's
 * country, the first right naming the member, that registry (or its prefix
 * with "*") and the service "lookup". HR_E_NOT_FOUND when the member is not
 * in the directory, HR_E_DENIED when it may look up nothing. Stage "canary".
 */
hr_status canary_plan_from_directory(const char *directory_json_path, const char *member,
				     struct canary_plan *plan, struct hr_error *err);

/* Can the member be served c: does c hold a valid document of a type the plan
 * looks up? A bank's customer shows an identity document, a police check finds
 * a licence; a canary with nothing to show would teach the member nothing. */
bool canary_servable(const struct canary *c, const struct canary_plan *plan);

/* ---- the counter of canaries planted (canary_writer.c) ---- */

/* STATE/<C>/leak/canaries.state, held under an exclusive lock. */
struct canary_counter {
	int fd;
	uint64_t next; /* the next j never used */
};

/* Locks the counter in leak_dir (made when missing) and reads it; a missing
 * file is 0. Stage "canary". */
hr_status canary_counter_lock(const char *leak_dir, struct canary_counter *counter,
			      struct hr_error *err);
/* Records next (> counter->next) durably: fsync before the caller plants. */
hr_status canary_counter_commit(struct canary_counter *counter, uint64_t next,
				struct hr_error *err);
void canary_counter_unlock(struct canary_counter *counter);

/* ---- the canary index (canary_writer.c) ---- */

struct canary_writer {
	int fd; /* canaries.jsonl, O_APPEND */
	uint8_t key[SECRET_LEN];
};

/* Opens (or creates) leak_dir/canaries.jsonl and loads (or creates)
 * leak_dir/canary.key. Stage "canary". */
hr_status canary_writer_open(const char *leak_dir, struct canary_writer *index,
			     struct hr_error *err);
/* The lines of c (its person id, then every document it holds as
 * COUNTRY/TYPE/NUMBER), tagged, appended in one write and fsync'ed. */
hr_status canary_writer_append(struct canary_writer *index, const struct canary *c,
			       const char *member, int64_t planted_at, struct hr_error *err);
void canary_writer_close(struct canary_writer *index);

/* ---- the registries (canary_registry.c) ---- */

struct canary_registries {
	char country[3];
	struct store *stores[DOCUMENT_TYPE_COUNT];
	/* the population they hold, as every registry's population table says */
	uint64_t seed;
	uint64_t people;
	char as_of[11];
	int64_t loaded_at;
};

/*
 * Opens country's eight registries in state_dir (each one's [store] url in its
 * hromada.ini, else its registry.db as `up` lays it out) and reads their
 * population, which must be one and the same in all eight. Stage "canary".
 */
hr_status canary_registries_open(const char *state_dir, const char *country,
				 struct canary_registries *registries, struct hr_error *err);
/* Writes the canaries' documents and earlier versions: one transaction per
 * registry; the population table stays as it is. */
hr_status canary_registries_insert(struct canary_registries *registries,
				   const struct canary *canaries, size_t count,
				   struct hr_error *err);
void canary_registries_close(struct canary_registries *registries);

/* ---- the exchanges (canary_serve.c) ---- */

struct canary_exchange;

/* Ready to serve as plan->member in state_dir's running `up`: the member's
 * key, the gateway's certificate, the wallet's and gateway's URLs from
 * endpoints.json, both answering /healthz. Stage "canary". */
hr_status canary_exchange_open(const char *state_dir, const struct canary_plan *plan,
			       struct canary_exchange **out, struct hr_error *err);
void canary_exchange_close(struct canary_exchange *exchange);

/*
 * Serves c to the member: enrols a device for c at the wallet when the plan
 * needs a consent, then makes each lookup of the plan through the gateway.
 * Appends each document received, as one compact JSON line, to received, and
 * counts them by type. HR_OK when every exchange succeeded; otherwise the
 * first failure in err (stage "canary"), with what was received before it
 * still in received.
 */
hr_status canary_serve(struct canary_exchange *exchange, const struct canary_plan *plan,
		       const struct canary *c, struct buf *received,
		       size_t received_by_type[POPULATION_TYPE_COUNT], struct hr_error *err);

#endif
