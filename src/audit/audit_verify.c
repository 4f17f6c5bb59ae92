/*
 * audit_verify.c — the offline check of an audit log directory (audit_verify.h).
 *
 * One pass in entry order: each record is framed and CRC-checked, decoded,
 * hashed into a Merkle frontier; every node the frontier completes is compared
 * with the stored tree (read sequentially, level by level) while a signed head
 * vouches for it; the root is compared with each signed head as the count of
 * entries reaches its size. The first disagreement ends the pass. Nothing is
 * written: the directory may be a read-only copy.
 *
 * Records are framed, CRC-checked and judged torn or damaged by
 * audit_segment.c, the code the gateway recovers with: verify and the gateway
 * cannot disagree about which bytes are an entry.
 *
 * Never: write to DIR; trust a stored node or a head before checking it.
 */
#include "audit/audit_verify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_entry.h"
#include "audit/audit_log.h"
#include "audit/audit_segment.h"
#include "audit/person_index.h"
#include "audit/tree_head.h"
#include "core/base64.h"
#include "core/error.h"
#include "core/file.h"
#include "credential/signer_cert.h"

#define STAGE "audit verify"
/* Segments are read through this window, so a segment of any size fits. */
#define VERIFY_WINDOW_BYTES (1024u * 1024u)
_Static_assert(VERIFY_WINDOW_BYTES >= AUDIT_RECORD_MAX, "a record must fit the window");

struct pass {
	const char *dir;
	struct audit_verify_result *r;
	struct merkle_frontier frontier;
	struct tree_head *heads;
	size_t head_count, next_head;
	uint64_t vouched; /* entries covered by the newest signed head */
	FILE *levels[MERKLE_LEVEL_MAX + 1];
	bool level_missing[MERKLE_LEVEL_MAX + 1];
	FILE *persons; /* person.idx, read in step with the entries */
	bool persons_missing;
	struct person_index counts; /* entries per person so far: each entry's seq */
};

static void problem(struct pass *p, bool has_entry, uint64_t entry, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct pass *p, bool has_entry, uint64_t entry, const char *fmt, ...)
{
	va_list ap;

	if (!p->r->consistent)
		return;
	p->r->consistent = false;
	p->r->bad_entry_known = has_entry;
	p->r->bad_entry = entry;
	va_start(ap, fmt);
	vsnprintf(p->r->problem, sizeof(p->r->problem), fmt, ap);
	va_end(ap);
}

static int compare_heads(const void *a, const void *b)
{
	const struct tree_head *x = a, *y = b;

	return x->tree_size < y->tree_size ? -1 : x->tree_size > y->tree_size;
}

static hr_status load_heads(struct pass *p, EVP_PKEY *key, const struct tree_head *known,
			    struct hr_error *err)
{
	char path[PATH_MAX];
	struct buf bytes;
	hr_status rc;

	snprintf(path, sizeof(path), "%s/%s", p->dir, TREE_HEAD_FILE);
	buf_init(&bytes, (size_t)1 << 34);
	rc = file_read(path, &bytes, err);
	if (rc == HR_E_NOT_FOUND)
		rc = HR_OK; /* no head at all: judged once the entries are counted */
	if (rc != HR_OK) {
		buf_clear(&bytes);
		return rc;
	}
	p->head_count = bytes.len / TREE_HEAD_RECORD_LEN;
	p->heads = calloc(p->head_count + 1, sizeof(*p->heads));
	if (p->heads == NULL) {
		buf_clear(&bytes);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	for (size_t i = 0; i < p->head_count; i++) {
		struct tree_head *h = &p->heads[i];

		tree_head_decode(bytes.data + i * TREE_HEAD_RECORD_LEN, h);
		if (tree_head_verify(h, key, NULL) != HR_OK)
			problem(p, false, 0,
				"signed tree head %zu (size %llu): the signature does not verify "
				"under the tree-head certificate",
				i, (unsigned long long)h->tree_size);
		else if (i > 0 &&
			 (h->tree_size < h[-1].tree_size || h->timestamp_ms < h[-1].timestamp_ms))
			problem(p, false, 0,
				"signed tree head %zu (size %llu) goes back in size or time from "
				"the one before",
				i, (unsigned long long)h->tree_size);
	}
	p->r->heads = p->head_count;
	/* a head the auditor holds from elsewhere: the log must contain it too */
	if (known != NULL) {
		if (tree_head_verify(known, key, NULL) != HR_OK)
			problem(p, false, 0,
				"the tree head given (size %llu) is not signed by the tree-head "
				"certificate",
				(unsigned long long)known->tree_size);
		p->heads[p->head_count++] = *known;
		qsort(p->heads, p->head_count, sizeof(*p->heads), compare_heads);
	}
	if (p->head_count > 0)
		p->vouched = p->heads[p->head_count - 1].tree_size;
	buf_clear(&bytes);
	return HR_OK;
}

/* Emitted by the frontier for each completed node: compare with the stored tree. */
static hr_status check_node(void *ctx, unsigned level, uint64_t index,
			    const uint8_t hash[MERKLE_HASH_LEN])
{
	struct pass *p = ctx;
	uint8_t stored[MERKLE_HASH_LEN];
	char path[PATH_MAX];

	/* beyond the newest head, the stored tree may lag after a crash: not vouched for */
	if (((index + 1) << level) > p->vouched || p->level_missing[level])
		return HR_OK;
	if (p->levels[level] == NULL) {
		snprintf(path, sizeof(path), "%s/tree/level-%02u", p->dir, level);
		if ((p->levels[level] = fopen(path, "rb")) == NULL) {
			p->level_missing[level] = true; /* derived data: rebuilt by the gateway */
			return HR_OK;
		}
	}
	if (fread(stored, 1, sizeof(stored), p->levels[level]) != sizeof(stored)) {
		p->level_missing[level] = true;
		return HR_OK;
	}
	if (memcmp(stored, hash, sizeof(stored)) != 0) {
		if (level == 0)
			problem(p, true, index,
				"entry %llu differs from the stored tree (its leaf hash changed: "
				"the entry was altered, removed or moved)",
				(unsigned long long)index);
		else
			problem(p, true, index << level,
				"the stored tree node (level %u, index %llu) differs from the "
				"entries %llu..%llu",
				level, (unsigned long long)index,
				(unsigned long long)(index << level),
				(unsigned long long)(((index + 1) << level) - 1));
		return HR_E_INVALID;
	}
	return HR_OK;
}

/* After each entry: a head whose size is reached must carry this root. */
static void check_heads(struct pass *p)
{
	uint8_t root[MERKLE_HASH_LEN];

	while (p->r->consistent && p->next_head < p->head_count &&
	       p->heads[p->next_head].tree_size == p->frontier.size) {
		const struct tree_head *h = &p->heads[p->next_head];
		uint64_t from = p->next_head > 0 ? p->heads[p->next_head - 1].tree_size : 0;

		merkle_frontier_root(&p->frontier, root);
		if (memcmp(root, h->root, sizeof(root)) != 0)
			problem(p, from < h->tree_size, from,
				"signed tree head %zu (size %llu) does not match the entries: "
				"one of entries %llu..%llu was altered",
				p->next_head, (unsigned long long)h->tree_size,
				(unsigned long long)from, (unsigned long long)h->tree_size - 1);
		p->next_head++;
	}
}

static bool person_matches(const json_t *fields, const uint8_t person[AUDIT_PERSON_LEN])
{
	static const uint8_t none[AUDIT_PERSON_LEN];
	const json_t *v = json_object_get(fields, "person");
	struct buf bytes;
	bool ok;

	if (v == NULL)
		return memcmp(person, none, AUDIT_PERSON_LEN) == 0;
	buf_init(&bytes, 64);
	ok = base64_decode(json_string_value(v), json_string_length(v), BASE64_URL, &bytes) ==
		 HR_OK &&
	     bytes.len == AUDIT_PERSON_LEN && memcmp(bytes.data, person, AUDIT_PERSON_LEN) == 0;
	buf_clear(&bytes);
	return ok;
}

/*
 * person.idx, the index a citizen's history is looked up in, against the
 * entry's own person hash: an edited key hides the entry from its person's
 * history. Compared while a signed head vouches for the entry (the gateway
 * makes person.idx durable before it signs); a missing or short file is
 * derived data the gateway rebuilds, as tree/ is.
 */
static void check_person_key(struct pass *p, uint64_t index, const uint8_t *person)
{
	uint8_t key[PERSON_INDEX_KEY_LEN];
	char path[PATH_MAX];

	if (index >= p->vouched || p->persons_missing)
		return;
	if (p->persons == NULL) {
		snprintf(path, sizeof(path), "%s/person.idx", p->dir);
		if ((p->persons = fopen(path, "rb")) == NULL) {
			p->persons_missing = true;
			return;
		}
	}
	if (fread(key, 1, sizeof(key), p->persons) != sizeof(key)) {
		p->persons_missing = true;
		return;
	}
	if (memcmp(key, person, sizeof(key)) != 0)
		problem(p, true, index,
			"person.idx differs from entry %llu (its person's key was changed: the "
			"entry is hidden from that person's access history)",
			(unsigned long long)index);
}

/*
 * The per-person chain: an entry's seq must be the number of earlier entries
 * naming its person. A number skipped or repeated is an entry removed from a
 * person's chain or a chain forked to show a citizen less than there is
 * (docs/AUDIT.md "Per-person sequence"). Entries without seq (written before
 * it existed) are counted but not judged. HR_E_NOMEM only.
 */
static hr_status check_person_seq(struct pass *p, uint64_t index, const uint8_t *person,
				  const json_t *fields)
{
	const json_t *seq = json_object_get(fields, "seq");
	uint64_t count = person_index_count(&p->counts, person);

	if (seq != NULL && (uint64_t)json_integer_value(seq) != count)
		problem(p, true, index,
			"entry %llu is number %lld of its person's chain, but %llu earlier "
			"entries name that person (an entry was removed from the chain or it "
			"was forked)",
			(unsigned long long)index, (long long)json_integer_value(seq),
			(unsigned long long)count);
	return person_index_add(&p->counts, person, index, NULL);
}

/* Every record of one segment, read through a window (a segment may be larger
 * than memory allows); a torn tail of the last one is noted in torn_bytes.
 * HR_E_IO only when the file could not be read. */
static hr_status check_segment(struct pass *p, struct audit_segment_reader *reader, bool last)
{
	uint64_t at = 0, len = reader->size;

	while (p->r->consistent && at < len) {
		uint64_t index = p->frontier.size;
		uint8_t leaf[MERKLE_HASH_LEN];
		struct audit_record record;
		enum audit_record_state state;
		bool torn = false;
		json_t *fields = NULL;

		if (audit_segment_record_at(reader, at, &state, &record) != HR_OK)
			return HR_E_IO;
		if (state != AUDIT_RECORD_OK) {
			/* written but never acknowledged: the gateway cuts it */
			if (audit_segment_is_torn_tail(reader, at, last, &torn) != HR_OK)
				return HR_E_IO;
			if (torn) {
				p->r->torn_bytes = len - at;
				return HR_OK;
			}
			problem(p, true, index, "entry %llu is damaged (%s)",
				(unsigned long long)index,
				state == AUDIT_RECORD_BAD_CRC
				    ? "its CRC does not match"
				    : "its length is out of range or runs past its segment");
			return HR_OK;
		}
		if (audit_entry_decode(record.entry, record.entry_len, &fields, NULL) != HR_OK) {
			problem(p, true, index, "entry %llu is not a valid audit entry",
				(unsigned long long)index);
			return HR_OK;
		}
		if (!person_matches(fields, record.person)) {
			json_decref(fields);
			problem(p, true, index,
				"entry %llu: the person hash of its record differs from the "
				"entry's",
				(unsigned long long)index);
			return HR_OK;
		}
		/* the tree first: an entry altered, removed or moved is named as such */
		merkle_leaf_hash(record.entry, record.entry_len, leaf);
		if (merkle_frontier_append(&p->frontier, leaf, check_node, p) != HR_OK) {
			json_decref(fields);
			return HR_OK; /* check_node named the problem */
		}
		p->r->entries = p->frontier.size;
		check_heads(p);
		/* then what a citizen's history rests on: the index, the person's chain */
		if (p->r->consistent)
			check_person_key(p, index, record.person);
		if (p->r->consistent &&
		    check_person_seq(p, index, record.person, fields) != HR_OK) {
			json_decref(fields);
			return HR_E_NOMEM;
		}
		json_decref(fields);
		at += record.size;
	}
	return HR_OK;
}

/* Opens one segment and checks it through a window of its own. */
static hr_status check_segment_file(struct pass *p, const char *path, uint8_t *window, bool last,
				    struct hr_error *err)
{
	struct audit_segment_reader reader;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	hr_status rc;

	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = hr_error_set(err, HR_E_IO, STAGE, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	audit_segment_reader_file(&reader, fd, (uint64_t)st.st_size, window, VERIFY_WINDOW_BYTES);
	rc = check_segment(p, &reader, last);
	if (rc == HR_E_NOMEM)
		hr_error_set(err, rc, STAGE, "out of memory counting the entries of each person");
	else if (rc != HR_OK)
		hr_error_set(err, rc, STAGE, "cannot read %s: %s", path, strerror(errno));
	close(fd);
	return rc;
}

/* The first entries of the segment files, ascending. */
static hr_status list_segments(const char *dir, uint64_t **firsts, size_t *count,
			       struct hr_error *err)
{
	char path[PATH_MAX];
	hr_status rc;
	int fd;

	snprintf(path, sizeof(path), "%s/" AUDIT_SEGMENT_DIR, dir);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return hr_error_set(err, errno == ENOENT ? HR_E_NOT_FOUND : HR_E_IO, STAGE,
				    "%s: %s (is %s an audit log directory?)", path, strerror(errno),
				    dir);
	rc = audit_segment_list(fd, firsts, count);
	if (rc == HR_E_NOMEM)
		hr_error_set(err, rc, STAGE, "out of memory");
	else if (rc != HR_OK)
		hr_error_set(err, rc, STAGE, "cannot list %s: %s", path, strerror(errno));
	close(fd);
	return rc;
}

static hr_status load_key(const char *dir, EVP_PKEY *given, EVP_PKEY **key, struct hr_error *err)
{
	char path[PATH_MAX];

	if (given != NULL) {
		EVP_PKEY_up_ref(given);
		*key = given;
		return HR_OK;
	}
	snprintf(path, sizeof(path), "%s/tree-head.pem", dir);
	return signer_cert_public_key_file(path, key, err);
}

hr_status audit_verify_dir(const char *dir, EVP_PKEY *given, const struct tree_head *known,
			   struct audit_verify_result *r, struct hr_error *err)
{
	struct pass p;
	char path[PATH_MAX];
	uint64_t *firsts = NULL;
	size_t count = 0;
	EVP_PKEY *key = NULL;
	uint8_t *window = malloc(VERIFY_WINDOW_BYTES);
	hr_status rc;

	memset(r, 0, sizeof(*r));
	memset(&p, 0, sizeof(p));
	r->consistent = true;
	p.dir = dir;
	p.r = r;
	merkle_frontier_init(&p.frontier);
	if (window == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	if ((rc = load_key(dir, given, &key, err)) != HR_OK ||
	    (rc = load_heads(&p, key, known, err)) != HR_OK ||
	    (rc = list_segments(dir, &firsts, &count, err)) != HR_OK)
		goto done;
	/* a head of size 0 is reached before any entry */
	check_heads(&p);
	for (size_t i = 0; i < count && r->consistent; i++) {
		char name[AUDIT_SEGMENT_NAME_SIZE];

		audit_segment_name(name, firsts[i]);
		if (r->torn_bytes != 0 || firsts[i] != p.frontier.size) {
			problem(&p, true, p.frontier.size,
				"segment %s should begin at entry %llu: entries are missing or "
				"out of place",
				name, (unsigned long long)p.frontier.size);
			break;
		}
		snprintf(path, sizeof(path), "%s/" AUDIT_SEGMENT_DIR "/%s", dir, name);
		if ((rc = check_segment_file(&p, path, window, i + 1 == count, err)) != HR_OK)
			goto done;
	}
	/* the first open signs the empty log: entries and no head mean heads were removed */
	if (r->consistent && p.head_count == 0 && p.frontier.size > 0)
		problem(&p, true, 0,
			"the log holds %llu entries but no signed tree head: %s is missing or "
			"emptied, so nothing vouches for any entry",
			(unsigned long long)p.frontier.size, TREE_HEAD_FILE);
	if (r->consistent && p.next_head < p.head_count)
		problem(&p, true, p.frontier.size,
			"the entries end at %llu but signed tree head %zu covers %llu: entries "
			"from %llu on are missing",
			(unsigned long long)p.frontier.size, p.next_head,
			(unsigned long long)p.heads[p.next_head].tree_size,
			(unsigned long long)p.frontier.size);
	if (r->consistent && p.frontier.size > p.vouched) {
		r->unsigned_entries = p.frontier.size - p.vouched;
		r->first_unsigned = p.vouched;
	}
	merkle_frontier_root(&p.frontier, r->root);
	rc = HR_OK;
done:
	free(firsts);
	for (int l = 0; l <= MERKLE_LEVEL_MAX; l++)
		if (p.levels[l] != NULL)
			fclose(p.levels[l]);
	if (p.persons != NULL)
		fclose(p.persons);
	person_index_clear(&p.counts);
	free(p.heads);
	EVP_PKEY_free(key);
	free(window);
	return rc;
}
