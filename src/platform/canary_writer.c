/*
 * canary_writer.c — the state's two files about canaries, in STATE/<C>/leak/
 * (canary_internal.h):
 *
 *	canaries.state   {"next": J}: the next j no plant has used. Read and
 *	                 rewritten under flock(LOCK_EX), so two plants at once
 *	                 take different j's; fsync'ed before the caller plants,
 *	                 so a crash can skip a j but never give one twice.
 *	canaries.jsonl   the canary index (leak/leak_tag.h): one line per
 *	                 identifier of a canary served, {"tag", "member",
 *	                 "canary", "planted_at"}. Appended with O_APPEND, each
 *	                 canary's lines in one write(2) and then fsync'ed: the
 *	                 gateway's sentinel polls the file and must never act on
 *	                 half a line (a reader still sees a line only once its
 *	                 '\n' has arrived, and takes nothing without one).
 *
 * Never: write an identifier in clear. A tag is HMAC-SHA-256 under
 * canary.key, which only the sentinel and leakscan read; the canary's own id
 * is random, so a line links the tags of one canary without naming it.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/file.h"
#include "core/json.h"
#include "leak/leak_tag.h"
#include "platform/canary_internal.h"
#include "platform/platform.h"

#define STAGE           CANARY_STAGE
#define STATE_TEXT_MAX  64
#define INDEX_LINE_MAX  512 /* a tag, a member id, a UUID and a time, with their names */
#define DOCUMENT_ID_MAX 96  /* "UA/vehicle_registration/" and a number of 32 */

/* ---- the counter ---- */

static hr_status parse_counter(const char *text, const char *path, uint64_t *next,
			       struct hr_error *err)
{
	json_t *value;
	json_int_t n;

	if (text[0] == 0) { /* made by a lock that never committed: nothing used yet */
		*next = 0;
		return HR_OK;
	}
	if (hr_json_parse_object(text, strlen(text), &value, NULL) != HR_OK ||
	    !json_is_integer(json_object_get(value, "next")) ||
	    (n = json_integer_value(json_object_get(value, "next"))) < 0 ||
	    (uint64_t)n > POPULATION_CANARY_RESERVE) {
		json_decref(value);
		/* never guess: a wrong guess would hand out a j twice */
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s is not {\"next\": N}: mend it by hand from canaries.jsonl "
				    "and the registries",
				    path);
	}
	json_decref(value);
	*next = (uint64_t)n;
	return HR_OK;
}

hr_status canary_counter_lock(const char *leak_dir, struct canary_counter *counter,
			      struct hr_error *err)
{
	char path[PATH_MAX], text[STATE_TEXT_MAX + 1];
	size_t got = 0;
	hr_status rc;

	counter->fd = -1;
	counter->next = 0;
	if ((rc = platform_make_dirs(leak_dir, err)) != HR_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", leak_dir, CANARY_STATE_FILE);
	if ((counter->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot open %s: %s", path,
				    strerror(errno));
	while (flock(counter->fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			rc = hr_error_set(err, HR_E_IO, STAGE, "cannot lock %s: %s", path,
					  strerror(errno));
			goto fail;
		}
	}
	if (file_pread_full(counter->fd, text, STATE_TEXT_MAX, 0, &got) != HR_OK) {
		rc = hr_error_set(err, HR_E_IO, STAGE, "cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	text[got] = 0;
	if ((rc = parse_counter(text, path, &counter->next, err)) != HR_OK)
		goto fail;
	return HR_OK;
fail:
	close(counter->fd);
	counter->fd = -1;
	return rc;
}

hr_status canary_counter_commit(struct canary_counter *counter, uint64_t next, struct hr_error *err)
{
	char text[STATE_TEXT_MAX];
	int n = snprintf(text, sizeof(text), "{\"next\": %" PRIu64 "}\n", next);

	assert(counter->fd >= 0 && next >= counter->next);
	/* A few dozen bytes at offset 0, within one sector: rewritten in place
	 * (the lock is on this very file, which a rename would replace). */
	if (file_pwrite_all(counter->fd, text, (size_t)n, 0) != HR_OK ||
	    file_truncate(counter->fd, (uint64_t)n) != HR_OK || file_sync(counter->fd) != HR_OK)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot record the canaries planted: %s",
				    strerror(errno));
	counter->next = next;
	return HR_OK;
}

void canary_counter_unlock(struct canary_counter *counter)
{
	if (counter->fd >= 0)
		close(counter->fd); /* releases the lock */
	counter->fd = -1;
}

/* ---- the index ---- */

hr_status canary_writer_open(const char *leak_dir, struct canary_writer *index,
			     struct hr_error *err)
{
	char path[PATH_MAX];
	hr_status rc;

	index->fd = -1;
	if ((rc = platform_make_dirs(leak_dir, err)) != HR_OK)
		return rc;
	/* an older state has no key yet; the sentinel reads the one made here */
	snprintf(path, sizeof(path), "%s/%s", leak_dir, LEAK_CANARY_KEY);
	if ((rc = secret_load_or_create(path, index->key, err)) != HR_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/%s", leak_dir, LEAK_CANARY_INDEX);
	if ((index->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		OPENSSL_cleanse(index->key, sizeof(index->key));
		return hr_error_set(err, HR_E_IO, STAGE, "cannot open %s: %s", path,
				    strerror(errno));
	}
	return HR_OK;
}

static hr_status append_line(const struct canary_writer *index, struct buf *lines,
			     const char *identifier, const char *member, const char *canary,
			     const char *planted_at)
{
	char tag[LEAK_TAG_HEX_LEN + 1];
	json_t *line;
	hr_status rc;

	if ((rc = leak_tag_hex(index->key, identifier, tag)) != HR_OK)
		return rc;
	/* the order of leak_tag.h's example, which people reading the file expect */
	line = json_pack("{s:s,s:s,s:s,s:s}", "tag", tag, "member", member, "canary", canary,
			 "planted_at", planted_at);
	if (line == NULL)
		return HR_E_NOMEM;
	rc = hr_json_dump(line, lines);
	json_decref(line);
	if (rc == HR_OK)
		rc = buf_append_byte(lines, '\n');
	return rc;
}

hr_status canary_writer_append(struct canary_writer *index, const struct canary *c,
			       const char *member, int64_t planted_at, struct hr_error *err)
{
	char at[CLOCK_UTC_TEXT_MAX], document[DOCUMENT_ID_MAX];
	const char country[3] = {c->person.id[0], c->person.id[1], 0}; /* "UA" of "UA:301..." */
	struct buf lines;
	hr_status rc;

	assert(index->fd >= 0 && c->id[0] != 0);
	clock_format_utc(planted_at, at);
	buf_init(&lines, (1 + POPULATION_TYPE_COUNT) * INDEX_LINE_MAX);
	rc = append_line(index, &lines, c->person.id, member, c->id, at);
	for (size_t d = 0; d < c->doc_count && rc == HR_OK; d++) {
		if (!leak_document_identifier(country, document_types[c->docs[d].type],
					      c->docs[d].number, document, sizeof(document))) {
			rc = HR_E_TOO_LARGE;
			break;
		}
		rc = append_line(index, &lines, document, member, c->id, at);
	}
	if (rc != HR_OK) {
		buf_clear(&lines);
		return hr_error_set(err, rc, STAGE, "cannot make a canary's index lines");
	}
	/* one write: another plant's lines never land inside this canary's */
	if (file_write_all(index->fd, lines.data, lines.len) != HR_OK ||
	    file_sync(index->fd) != HR_OK) {
		rc = hr_error_set(err, HR_E_IO, STAGE, "cannot append to the canary index: %s",
				  strerror(errno));
	}
	buf_clear(&lines);
	return rc;
}

void canary_writer_close(struct canary_writer *index)
{
	if (index->fd >= 0)
		close(index->fd);
	index->fd = -1;
	OPENSSL_cleanse(index->key, sizeof(index->key));
}
