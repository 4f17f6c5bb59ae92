/*
 * leak_overlap.c — a dump's people against the consumers' access histories
 * (leak_overlap.h).
 */
#include "leak/leak_overlap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_entry.h"
#include "audit/audit_segment.h"
#include "core/error.h"

#define STAGE       "leak"
#define EMPTY       UINT32_MAX
#define CLIENTS_MAX 4096
#define WINDOW      (1u << 20)

struct client {
	char *member;
	uint64_t *seen; /* one bit per person of the dump */
	size_t people;
};

struct leak_overlap {
	uint8_t (*hashes)[LEAK_OVERLAP_HASH_LEN]; /* in the order added */
	size_t count, cap;
	uint32_t *table; /* open addressing over hashes */
	size_t table_size;
	struct client *clients;
	size_t client_count;
};

hr_status leak_overlap_new(struct leak_overlap **out, struct hr_error *err)
{
	struct leak_overlap *o = calloc(1, sizeof(*o));

	*out = NULL;
	if (o == NULL || (o->table = malloc(1024 * sizeof(*o->table))) == NULL) {
		free(o);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	o->table_size = 1024;
	memset(o->table, 0xff, o->table_size * sizeof(*o->table));
	*out = o;
	return HR_OK;
}

void leak_overlap_free(struct leak_overlap *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->client_count; i++) {
		free(o->clients[i].member);
		free(o->clients[i].seen);
	}
	free(o->clients);
	free(o->hashes);
	free(o->table);
	free(o);
}

static size_t slot_of(const struct leak_overlap *o, const uint8_t *hash)
{
	uint64_t h;
	size_t at;

	memcpy(&h, hash, sizeof(h)); /* a keyed hash: any 64 bits of it will do */
	at = (size_t)h & (o->table_size - 1);
	while (o->table[at] != EMPTY &&
	       memcmp(o->hashes[o->table[at]], hash, LEAK_OVERLAP_HASH_LEN) != 0)
		at = (at + 1) & (o->table_size - 1);
	return at;
}

static bool grow_table(struct leak_overlap *o)
{
	size_t size = o->table_size * 2;
	uint32_t *table = malloc(size * sizeof(*table));

	if (table == NULL)
		return false;
	memset(table, 0xff, size * sizeof(*table));
	free(o->table);
	o->table = table;
	o->table_size = size;
	for (size_t i = 0; i < o->count; i++)
		o->table[slot_of(o, o->hashes[i])] = (uint32_t)i;
	return true;
}

hr_status leak_overlap_add(struct leak_overlap *o, const uint8_t hash[LEAK_OVERLAP_HASH_LEN],
			   struct hr_error *err)
{
	size_t at = slot_of(o, hash);

	if (o->table[at] != EMPTY)
		return HR_OK;
	if (o->client_count > 0)
		return hr_error_set(err, HR_E_STATE, STAGE, "people added after a log was read");
	if (o->count == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 1024;
		void *grown = realloc(o->hashes, cap * sizeof(*o->hashes));

		if (grown == NULL || o->count >= EMPTY - 1)
			return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		o->hashes = grown;
		o->cap = cap;
	}
	memcpy(o->hashes[o->count], hash, LEAK_OVERLAP_HASH_LEN);
	o->table[at] = (uint32_t)o->count++;
	if (o->count * 10 > o->table_size * 7 && !grow_table(o))
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	return HR_OK;
}

size_t leak_overlap_people(const struct leak_overlap *o)
{
	return o->count;
}

static struct client *client_of(struct leak_overlap *o, const char *member)
{
	struct client *grown, *c;

	for (size_t i = 0; i < o->client_count; i++)
		if (strcmp(o->clients[i].member, member) == 0)
			return &o->clients[i];
	if (o->client_count == CLIENTS_MAX ||
	    (grown = realloc(o->clients, (o->client_count + 1) * sizeof(*grown))) == NULL)
		return NULL;
	o->clients = grown;
	c = &o->clients[o->client_count];
	c->member = strdup(member);
	c->seen = calloc((o->count + 63) / 64 + 1, sizeof(*c->seen));
	c->people = 0;
	if (c->member == NULL || c->seen == NULL) {
		free(c->member);
		free(c->seen);
		return NULL;
	}
	o->client_count++;
	return c;
}

/* One entry about a person of the dump: its client had them. */
static hr_status count_entry(struct leak_overlap *o, uint32_t person, const struct audit_record *r,
			     struct hr_error *err)
{
	json_t *entry = NULL;
	const char *member;
	struct client *c;

	if (audit_entry_decode(r->entry, r->entry_len, &entry, NULL) != HR_OK)
		return HR_OK; /* `hromada audit verify` is the judge of bad entries */
	member = json_string_value(json_object_get(entry, "client"));
	if (member != NULL) {
		if ((c = client_of(o, member)) == NULL) {
			json_decref(entry);
			return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		}
		if (!(c->seen[person / 64] & (1ull << (person % 64)))) {
			c->seen[person / 64] |= 1ull << (person % 64);
			c->people++;
		}
	}
	json_decref(entry);
	return HR_OK;
}

static hr_status read_segment(struct leak_overlap *o, const char *path, uint8_t *window,
			      struct hr_error *err)
{
	struct audit_segment_reader reader;
	struct stat st;
	uint64_t at = 0;
	hr_status rc = HR_OK;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return hr_error_set(err, HR_E_IO, STAGE, "cannot read %s: %s", path,
				    strerror(errno));
	}
	audit_segment_reader_file(&reader, fd, (uint64_t)st.st_size, window, WINDOW);
	while (at < (uint64_t)st.st_size && rc == HR_OK) {
		enum audit_record_state state;
		struct audit_record record;
		size_t slot;

		if (audit_segment_record_at(&reader, at, &state, &record) != HR_OK) {
			rc = hr_error_set(err, HR_E_IO, STAGE, "cannot read %s: %s", path,
					  strerror(errno));
			break;
		}
		if (state != AUDIT_RECORD_OK)
			break; /* a torn tail, or damage `hromada audit verify` reports */
		slot = slot_of(o, record.person);
		if (o->table[slot] != EMPTY)
			rc = count_entry(o, o->table[slot], &record, err);
		at += record.size;
	}
	close(fd);
	return rc;
}

hr_status leak_overlap_read_log(struct leak_overlap *o, const char *dir, struct hr_error *err)
{
	char path[PATH_MAX], segment[AUDIT_SEGMENT_PATH_SIZE];
	uint64_t *firsts = NULL;
	size_t count = 0;
	uint8_t *window;
	hr_status rc;
	int fd;

	snprintf(path, sizeof(path), "%s/" AUDIT_SEGMENT_DIR, dir);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return hr_error_set(err, errno == ENOENT ? HR_E_NOT_FOUND : HR_E_IO, STAGE,
				    "%s: %s", path, strerror(errno));
	rc = audit_segment_list(fd, &firsts, &count);
	close(fd);
	if (rc != HR_OK)
		return hr_error_set(err, rc, STAGE, "cannot list %s", path);
	if ((window = malloc(WINDOW)) == NULL) {
		free(firsts);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	/* an empty dump needs no client; one with people gets every client */
	for (size_t i = 0; i < count && rc == HR_OK && o->count > 0; i++) {
		audit_segment_path(segment, firsts[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, segment);
		rc = read_segment(o, path, window, err);
	}
	free(window);
	free(firsts);
	return rc;
}

static int by_people(const void *a, const void *b)
{
	const struct client *x = a, *y = b;

	return x->people < y->people   ? 1
	       : x->people > y->people ? -1
				       : strcmp(x->member, y->member);
}

json_t *leak_overlap_report(const struct leak_overlap *o)
{
	json_t *out = json_array();
	struct client *sorted = malloc((o->client_count + 1) * sizeof(*sorted));

	if (out == NULL || sorted == NULL) {
		free(sorted);
		json_decref(out);
		return NULL;
	}
	if (o->client_count > 0) {
		memcpy(sorted, o->clients, o->client_count * sizeof(*sorted));
		qsort(sorted, o->client_count, sizeof(*sorted), by_people);
	}
	for (size_t i = 0; i < o->client_count; i++)
		json_array_append_new(
		    out, json_pack("{s:s, s:I, s:f}", "member", sorted[i].member, "people",
				   (json_int_t)sorted[i].people, "share",
				   o->count ? (double)sorted[i].people / (double)o->count : 0.0));
	free(sorted);
	return out;
}
