/*
 * canary_index.c — the canary index read from canaries.jsonl (canary_index.h).
 *
 * An open-addressing table keyed by the tag itself (tags are HMAC outputs,
 * uniformly distributed: their first bytes are the hash), members interned
 * once each. The file is followed like `tail -F`: its device, inode, size
 * and modification time say whether to read nothing, only the lines after
 * the last complete one already read, or everything again.
 *
 * What it must never do: hold the write lock while reading or parsing the
 * file, stat more than once per CANARY_INDEX_CHECK_MS, take a partial line
 * for a whole one, or grow without bound.
 */
#include "leak/canary_index.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"

#define STAGE       "canary_index"
#define MEMBERS_MAX 4096       /* distinct members canaries were served to */
#define READ_MAX    (1u << 28) /* bytes read at once: 256 MiB */

struct entry {
	uint8_t tag[LEAK_TAG_LEN];
	uint32_t member; /* index in members, + 1; 0: the slot is free */
	char canary[CANARY_ID_MAX];
	char planted_at[CANARY_PLANTED_MAX];
};

struct table {
	struct entry *slots;
	size_t capacity; /* a power of two, at least twice count */
	size_t count;
	char (*members)[MEMBER_ID_MAX];
	size_t member_count;
};

struct canary_index {
	char path[PATH_MAX];
	pthread_rwlock_t lock; /* table */
	struct table table;
	unsigned long bad_lines, duplicates, dropped, reads; /* under lock */

	pthread_mutex_t refresh_lock; /* one reader of the file at a time; the fields below */
	_Atomic int64_t last_check_ms;
	bool seen; /* the file existed at the last look */
	dev_t dev;
	ino_t ino;
	off_t size;                /* at the last look */
	struct timespec mtime;     /* at the last look */
	off_t offset;              /* end of the last complete line read */
	unsigned long line_number; /* lines before offset */
};

/* ---- the table ---------------------------------------------------------------- */

static size_t slot_of(const struct table *t, const uint8_t tag[LEAK_TAG_LEN])
{
	uint64_t h;

	memcpy(&h, tag, sizeof(h));
	return (size_t)h & (t->capacity - 1);
}

static struct entry *table_find(const struct table *t, const uint8_t tag[LEAK_TAG_LEN])
{
	if (t->capacity == 0)
		return NULL;
	for (size_t i = slot_of(t, tag);; i = (i + 1) & (t->capacity - 1)) {
		struct entry *e = &t->slots[i];

		if (e->member == 0)
			return NULL;
		if (memcmp(e->tag, tag, LEAK_TAG_LEN) == 0)
			return e;
	}
}

static void table_clear(struct table *t)
{
	free(t->slots);
	free(t->members);
	memset(t, 0, sizeof(*t));
}

static bool table_grow(struct table *t)
{
	size_t capacity = t->capacity ? t->capacity * 2 : 1024;
	struct entry *slots = calloc(capacity, sizeof(*slots));

	if (slots == NULL)
		return false;
	for (size_t i = 0; i < t->capacity; i++) {
		const struct entry *e = &t->slots[i];
		size_t j;

		if (e->member == 0)
			continue;
		for (j = slot_of(&(struct table){.capacity = capacity}, e->tag);
		     slots[j].member != 0; j = (j + 1) & (capacity - 1))
			;
		slots[j] = *e;
	}
	free(t->slots);
	t->slots = slots;
	t->capacity = capacity;
	return true;
}

static uint32_t member_intern(struct table *t, const char *member)
{
	for (size_t i = 0; i < t->member_count; i++)
		if (strcmp(t->members[i], member) == 0)
			return (uint32_t)i + 1;
	if (t->member_count == MEMBERS_MAX)
		return 0;
	if (t->member_count % 64 == 0) {
		void *more = realloc(t->members, (t->member_count + 64) * sizeof(*t->members));

		if (more == NULL)
			return 0;
		t->members = more;
	}
	snprintf(t->members[t->member_count], MEMBER_ID_MAX, "%s", member);
	return (uint32_t)++t->member_count;
}

/* A parsed line, before it goes in. */
struct parsed {
	uint8_t tag[LEAK_TAG_LEN];
	char member[MEMBER_ID_MAX];
	char canary[CANARY_ID_MAX];
	char planted_at[CANARY_PLANTED_MAX];
};

enum insert_result { INSERTED, DUPLICATE, FULL };

static enum insert_result table_insert(struct table *t, const struct parsed *p)
{
	struct entry *e;
	uint32_t member;
	size_t i;

	if (table_find(t, p->tag) != NULL)
		return DUPLICATE;
	if (t->count >= CANARY_INDEX_MAX || ((t->count + 1) * 2 > t->capacity && !table_grow(t)) ||
	    (member = member_intern(t, p->member)) == 0)
		return FULL;
	for (i = slot_of(t, p->tag); t->slots[i].member != 0; i = (i + 1) & (t->capacity - 1))
		;
	e = &t->slots[i];
	memcpy(e->tag, p->tag, LEAK_TAG_LEN);
	e->member = member;
	snprintf(e->canary, sizeof(e->canary), "%s", p->canary);
	snprintf(e->planted_at, sizeof(e->planted_at), "%s", p->planted_at);
	t->count++;
	return INSERTED;
}

/* ---- lines ----------------------------------------------------------------------- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool tag_from_hex(const char *hex, uint8_t tag[LEAK_TAG_LEN])
{
	if (hex == NULL || strlen(hex) != LEAK_TAG_HEX_LEN)
		return false;
	for (size_t i = 0; i < LEAK_TAG_LEN; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		tag[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* One line of the file; false (and why) when it is not a canary entry. */
static bool parse_line(const char *text, size_t len, struct parsed *p, const char **why)
{
	json_t *line = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	const char *member, *canary, *planted;
	int64_t when;
	bool ok = false;

	if (!json_is_object(line)) {
		*why = "not a JSON object";
		goto done;
	}
	member = json_string_value(json_object_get(line, "member"));
	canary = json_string_value(json_object_get(line, "canary"));
	planted = json_string_value(json_object_get(line, "planted_at"));
	if (!tag_from_hex(json_string_value(json_object_get(line, "tag")), p->tag))
		*why = "tag is not 32 hex digits";
	else if (member == NULL || !member_id_valid(member))
		*why = "member is not a member id";
	else if (canary == NULL || canary[0] == '\0' || strlen(canary) >= CANARY_ID_MAX)
		*why = "canary is not an id of 1 to 63 bytes";
	else if (planted == NULL || strlen(planted) >= CANARY_PLANTED_MAX ||
		 !clock_parse_utc(planted, &when))
		*why = "planted_at is not an RFC 3339 time";
	else
		ok = true;
	if (ok) {
		snprintf(p->member, sizeof(p->member), "%s", member);
		snprintf(p->canary, sizeof(p->canary), "%s", canary);
		snprintf(p->planted_at, sizeof(p->planted_at), "%s", planted);
	}
done:
	json_decref(line);
	return ok;
}

/* ---- the file ----------------------------------------------------------------------- */

/*
 * Reads from offset to the last newline of the file into a malloc'ed buffer
 * (*data, *len; NULL and 0 when there is nothing whole). HR_E_IO when the file
 * cannot be read, HR_E_NOT_FOUND when it does not exist.
 */
static hr_status read_from(const char *path, off_t offset, struct stat *st, char **data,
			   size_t *len, struct hr_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t want, got = 0;
	char *buffer;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? HR_E_NOT_FOUND
				       : hr_error_set(err, HR_E_IO, STAGE, "cannot open %s: %s",
						      path, strerror(errno));
	if (fstat(fd, st) != 0) {
		close(fd);
		return hr_error_set(err, HR_E_IO, STAGE, "cannot stat %s: %s", path,
				    strerror(errno));
	}
	if (st->st_size <= offset) {
		close(fd);
		return HR_OK;
	}
	want = (size_t)(st->st_size - offset);
	if (want > READ_MAX)
		want = READ_MAX; /* the rest on the next look */
	if ((buffer = malloc(want)) == NULL) {
		close(fd);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory reading %s", path);
	}
	while (got < want) {
		ssize_t n = pread(fd, buffer + got, want - got, offset + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buffer);
			close(fd);
			return hr_error_set(err, HR_E_IO, STAGE, "cannot read %s: %s", path,
					    strerror(errno));
		}
		if (n == 0)
			break; /* cut short while we read: what we have */
		got += (size_t)n;
	}
	close(fd);
	/* a last line without its newline is still being written */
	while (got > 0 && buffer[got - 1] != '\n')
		got--;
	if (got == 0) {
		free(buffer);
		return HR_OK;
	}
	*data = buffer;
	*len = got;
	return HR_OK;
}

/* Parses whole lines of data into t, counting into the index's counters. */
static void load_lines(struct canary_index *ix, struct table *t, const char *data, size_t len,
		       unsigned long first_line, bool locked_table)
{
	unsigned long line = first_line, bad = 0, duplicates = 0, dropped = 0;
	size_t start = 0;

	while (start < len) {
		const char *nl = memchr(data + start, '\n', len - start);
		size_t end = nl != NULL ? (size_t)(nl - data) : len, n = end - start;
		const char *why = NULL;
		struct parsed p;

		line++;
		while (n > 0 && (data[start + n - 1] == '\r' || data[start + n - 1] == ' '))
			n--;
		if (n == 0) {
			start = end + 1;
			continue;
		}
		if (n > CANARY_INDEX_LINE_MAX)
			why = "longer than 4096 bytes";
		if (why == NULL && parse_line(data + start, n, &p, &why)) {
			enum insert_result r;

			if (locked_table)
				pthread_rwlock_wrlock(&ix->lock);
			r = table_insert(t, &p);
			if (locked_table)
				pthread_rwlock_unlock(&ix->lock);
			duplicates += r == DUPLICATE;
			if (r == FULL && dropped++ == 0)
				log_warn("canary_index.full",
					 "%s:%lu: the canary index is full (%u entries): later "
					 "lines are skipped",
					 ix->path, line, CANARY_INDEX_MAX);
		} else {
			if (bad++ < 10)
				log_warn("canary_index.bad_line", "%s:%lu: skipped: %s", ix->path,
					 line, why);
		}
		start = end + 1;
	}
	pthread_rwlock_wrlock(&ix->lock);
	ix->bad_lines += bad;
	ix->duplicates += duplicates;
	ix->dropped += dropped;
	ix->reads++;
	pthread_rwlock_unlock(&ix->lock);
	ix->line_number = line;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Called with refresh_lock held. */
static hr_status look(struct canary_index *ix, struct hr_error *err)
{
	struct stat st;
	bool whole;
	char *data = NULL;
	size_t len = 0;
	hr_status rc;

	if (stat(ix->path, &st) != 0) {
		if (errno != ENOENT)
			return hr_error_set(err, HR_E_IO, STAGE, "cannot stat %s: %s", ix->path,
					    strerror(errno));
		if (ix->seen) {
			/* removed: its canaries stay known until a new file replaces it */
			log_warn("canary_index.removed", "%s is gone; keeping %s", ix->path,
				 "the canaries read from it");
			ix->seen = false;
			ix->offset = 0;
			ix->line_number = 0;
		}
		return HR_OK;
	}
	whole = !ix->seen || st.st_dev != ix->dev || st.st_ino != ix->ino ||
		st.st_size < ix->offset ||
		(st.st_size == ix->size && !same_time(&st.st_mtim, &ix->mtime));
	if (!whole && st.st_size == ix->size)
		return HR_OK; /* nothing new */
	rc = read_from(ix->path, whole ? 0 : ix->offset, &st, &data, &len, err);
	if (rc == HR_E_NOT_FOUND)
		return HR_OK; /* gone between stat and open: the next look sees */
	if (rc != HR_OK)
		return rc;
	if (whole) {
		struct table fresh = {0};

		ix->line_number = 0;
		load_lines(ix, &fresh, data, len, 0, false);
		pthread_rwlock_wrlock(&ix->lock);
		table_clear(&ix->table);
		ix->table = fresh;
		pthread_rwlock_unlock(&ix->lock);
		ix->offset = (off_t)len;
	} else {
		load_lines(ix, &ix->table, data, len, ix->line_number, true);
		ix->offset += (off_t)len;
	}
	free(data);
	ix->seen = true;
	ix->dev = st.st_dev;
	ix->ino = st.st_ino;
	/* what fstat said when the bytes were read: a line appended since is news */
	ix->size = st.st_size;
	ix->mtime = st.st_mtim;
	return HR_OK;
}

hr_status canary_index_open(const char *path, struct canary_index **out, struct hr_error *err)
{
	struct canary_index *ix;
	hr_status rc;

	*out = NULL;
	if (strlen(path) >= PATH_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE, "the path is too long");
	if ((ix = calloc(1, sizeof(*ix))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	snprintf(ix->path, sizeof(ix->path), "%s", path);
	pthread_rwlock_init(&ix->lock, NULL);
	pthread_mutex_init(&ix->refresh_lock, NULL);
	pthread_mutex_lock(&ix->refresh_lock);
	rc = look(ix, err);
	pthread_mutex_unlock(&ix->refresh_lock);
	if (rc != HR_OK) {
		canary_index_free(ix);
		return rc;
	}
	*out = ix;
	return HR_OK;
}

void canary_index_free(struct canary_index *ix)
{
	if (ix == NULL)
		return;
	table_clear(&ix->table);
	pthread_rwlock_destroy(&ix->lock);
	pthread_mutex_destroy(&ix->refresh_lock);
	free(ix);
}

hr_status canary_index_refresh(struct canary_index *ix, int64_t now_ms, struct hr_error *err)
{
	int64_t last = atomic_load(&ix->last_check_ms);
	hr_status rc;

	if (now_ms - last < CANARY_INDEX_CHECK_MS && now_ms >= last)
		return HR_OK;
	/* one thread looks; the others go on with the index as it is */
	if (pthread_mutex_trylock(&ix->refresh_lock) != 0)
		return HR_OK;
	atomic_store(&ix->last_check_ms, now_ms);
	rc = look(ix, err);
	pthread_mutex_unlock(&ix->refresh_lock);
	return rc;
}

bool canary_index_find(struct canary_index *ix, const uint8_t tag[LEAK_TAG_LEN],
		       struct canary_hit *hit)
{
	const struct entry *e;

	pthread_rwlock_rdlock(&ix->lock);
	e = table_find(&ix->table, tag);
	if (e != NULL && hit != NULL) {
		snprintf(hit->member, sizeof(hit->member), "%s", ix->table.members[e->member - 1]);
		snprintf(hit->canary, sizeof(hit->canary), "%s", e->canary);
		snprintf(hit->planted_at, sizeof(hit->planted_at), "%s", e->planted_at);
	}
	pthread_rwlock_unlock(&ix->lock);
	return e != NULL;
}

bool canary_index_find_hex(struct canary_index *ix, const char *hex, struct canary_hit *hit)
{
	uint8_t tag[LEAK_TAG_LEN];

	return tag_from_hex(hex, tag) && canary_index_find(ix, tag, hit);
}

size_t canary_index_count(struct canary_index *ix)
{
	size_t n;

	pthread_rwlock_rdlock(&ix->lock);
	n = ix->table.count;
	pthread_rwlock_unlock(&ix->lock);
	return n;
}

void canary_index_stats(struct canary_index *ix, struct canary_index_stats *out)
{
	pthread_rwlock_rdlock(&ix->lock);
	*out = (struct canary_index_stats){ix->table.count, ix->bad_lines, ix->duplicates,
					   ix->dropped, ix->reads};
	pthread_rwlock_unlock(&ix->lock);
}
