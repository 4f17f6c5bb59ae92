/*
 * leak_overlap.h — who could have had exactly the people of a dump: the
 * overlap of a dump's people with each consumer's access history, read from
 * the gateways' audit logs (DESIGN.md §6, docs/AUDIT.md).
 *
 * An audit entry names its person only as HMAC-SHA-256 under the gateway's
 * person.key, and its client member in clear. leakscan hashes each person the
 * dump names the same way, then reads every entry once: for each client, the
 * dump's people it ever received. A consumer that received all of them is
 * where the dump could have come from; one that received few could not.
 * Memory: 36 bytes per person of the dump, and one bit per person and client.
 */
#ifndef HROMADA_LEAK_LEAK_OVERLAP_H
#define HROMADA_LEAK_LEAK_OVERLAP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#define LEAK_OVERLAP_HASH_LEN 32

struct leak_overlap;

hr_status leak_overlap_new(struct leak_overlap **out, struct hr_error *err);
void leak_overlap_free(struct leak_overlap *o);

/* A person of the dump, by their hash under a gateway's person.key (the same
 * person twice counts once). Stage "leak". */
hr_status leak_overlap_add(struct leak_overlap *o, const uint8_t hash[LEAK_OVERLAP_HASH_LEN],
			   struct hr_error *err);
size_t leak_overlap_people(const struct leak_overlap *o);

/* Reads the audit log in dir (its segments/): every entry about a person of
 * the dump counts for its client. A torn tail of the last segment (a log
 * being written) ends the reading quietly. Stage "leak". */
hr_status leak_overlap_read_log(struct leak_overlap *o, const char *dir, struct hr_error *err);

/* [{"member", "people", "share"}], the largest overlap first; caller decrefs. */
json_t *leak_overlap_report(const struct leak_overlap *o);

#endif
