/*
 * test_audit_log.c — the audit log's storage (src/audit/audit_log.h): entries
 * read back as appended; the head's root is RFC 9162's MTH over exactly the
 * durable entries (recomputed here from the entries with the recursive
 * definition, not with the code under test); everything survives a reopen;
 * concurrent appenders get distinct indices; recovery cuts a torn tail of the
 * last segment, refuses damage elsewhere naming the entry, rebuilds deleted or
 * truncated derived files, and copes with a checkpoint beyond the entries;
 * segments rotate; person lookups; limits; a write failure poisons the log.
 */
#include "testkit/testkit.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_log.h"
#include "audit/merkle.h"
#include "core/buf.h"

#define SEGMENT0        "segments/00000000000000000000.seg"
#define RECORD_OVERHEAD (4 + AUDIT_PERSON_LEN + 4)

static struct audit_log *open_log(void)
{
	struct audit_log *log = NULL;
	struct hr_error err = {0};

	if (audit_log_open(tk_dir, &log, &err) != HR_OK)
		fail_msg("audit_log_open: %s", err.message);
	return log;
}

static struct audit_log *open_log_small_segments(uint64_t bytes)
{
	struct audit_log_options options = {.segment_bytes = bytes};
	struct audit_log *log = NULL;
	struct hr_error err = {0};

	if (audit_log_open_options(tk_dir, &options, &log, &err) != HR_OK)
		fail_msg("audit_log_open_options: %s", err.message);
	return log;
}

/* Entry number i of the tests: its length varies, its bytes say who it is. */
static size_t make_entry(char *out, size_t cap, unsigned i)
{
	int n = snprintf(out, cap, "entry %u:", i);
	size_t len = (size_t)n + (i * 37u) % 200u;

	for (size_t j = (size_t)n; j < len && j < cap; j++)
		out[j] = (char)('a' + (i + j) % 26);
	return len < cap ? len : cap;
}

static void person_of(uint8_t person[AUDIT_PERSON_LEN], unsigned who)
{
	for (unsigned j = 0; j < AUDIT_PERSON_LEN; j++)
		person[j] = (uint8_t)(j * 7u + 1u);
	for (unsigned j = 0; j < 4; j++) /* distinct for every who */
		person[j] = (uint8_t)(who >> (8 * j));
}

static uint64_t append_one(struct audit_log *log, const void *entry, size_t len,
			   const uint8_t *person)
{
	struct hr_error err = {0};
	uint64_t index = UINT64_MAX;

	if (audit_log_append(log, entry, len, person, &index, &err) != HR_OK)
		fail_msg("audit_log_append: %s", err.message);
	return index;
}

/* Appends test entries first .. first + count - 1, with person (i % 3) for i % 3 != 0. */
static void append_range(struct audit_log *log, unsigned first, unsigned count)
{
	char entry[512];
	uint8_t person[AUDIT_PERSON_LEN];

	for (unsigned i = first; i < first + count; i++) {
		size_t len = make_entry(entry, sizeof(entry), i);

		person_of(person, i % 3);
		assert_int_equal(append_one(log, entry, len, i % 3 ? person : NULL), i);
	}
}

/* RFC 9162 §2.1.1, recursively, from the leaves. */
static void mth(const uint8_t (*leaves)[MERKLE_HASH_LEN], uint64_t n, uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t left[MERKLE_HASH_LEN], right[MERKLE_HASH_LEN];
	uint64_t k = 1;

	if (n == 0) {
		merkle_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], MERKLE_HASH_LEN);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	mth(leaves, k, left);
	mth(leaves + k, n - k, right);
	merkle_node_hash(left, right, out);
}

/* MTH over the first n entries, read back through audit_log_entry. */
static void mth_of_log(struct audit_log *log, uint64_t n, uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t(*leaves)[MERKLE_HASH_LEN] = calloc(n ? n : 1, MERKLE_HASH_LEN);
	struct hr_error err = {0};
	struct buf b;

	assert_non_null(leaves);
	buf_init(&b, AUDIT_ENTRY_MAX);
	for (uint64_t i = 0; i < n; i++) {
		if (audit_log_entry(log, i, &b, &err) != HR_OK)
			fail_msg("audit_log_entry %llu: %s", (unsigned long long)i, err.message);
		merkle_leaf_hash(b.data, b.len, leaves[i]);
	}
	mth((const uint8_t(*)[MERKLE_HASH_LEN])leaves, n, out);
	buf_clear(&b);
	free(leaves);
}

/* The head covers expected entries and its root is their MTH. */
static void assert_head(struct audit_log *log, uint64_t expected)
{
	uint8_t root[MERKLE_HASH_LEN], want[MERKLE_HASH_LEN];
	struct hr_error err = {0};
	uint64_t size = UINT64_MAX;

	if (audit_log_head(log, &size, root, &err) != HR_OK)
		fail_msg("audit_log_head: %s", err.message);
	assert_int_equal(size, expected);
	mth_of_log(log, size, want);
	assert_memory_equal(root, want, MERKLE_HASH_LEN);
}

static void assert_entry(struct audit_log *log, unsigned i)
{
	char want[512];
	size_t len = make_entry(want, sizeof(want), i);
	struct hr_error err = {0};
	struct buf b;

	buf_init(&b, AUDIT_ENTRY_MAX);
	if (audit_log_entry(log, i, &b, &err) != HR_OK)
		fail_msg("audit_log_entry %u: %s", i, err.message);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, want, len);
	buf_clear(&b);
}

static uint64_t file_size(const char *name)
{
	char path[512];
	struct stat st;

	tk_dir_path(path, sizeof(path), name);
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static void append_bytes(const char *name, const void *data, size_t len)
{
	char path[512];
	int fd;

	tk_dir_path(path, sizeof(path), name);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void truncate_file(const char *name, uint64_t size)
{
	char path[512];

	tk_dir_path(path, sizeof(path), name);
	assert_int_equal(truncate(path, (off_t)size), 0);
}

static void remove_file(const char *name)
{
	char path[512];

	tk_dir_path(path, sizeof(path), name);
	assert_int_equal(unlink(path), 0);
}

/* The byte offset of test entry i's record in the first segment. */
static uint64_t record_offset(unsigned i)
{
	char entry[512];
	uint64_t offset = 0;

	for (unsigned j = 0; j < i; j++)
		offset += RECORD_OVERHEAD + make_entry(entry, sizeof(entry), j);
	return offset;
}

static uint64_t checkpoint_count(void)
{
	char path[512];
	size_t len = 0;
	char *data;
	uint64_t count = 0;

	tk_dir_path(path, sizeof(path), "tree/checkpoint");
	data = tk_read_file(path, &len);
	assert_non_null(data);
	assert_int_equal(len, 12);
	for (int i = 7; i >= 0; i--)
		count = count << 8 | (uint8_t)data[i];
	free(data);
	return count;
}

/* ---- appending and reading ---- */

static void test_entries_read_back_as_appended(void **state)
{
	struct audit_log *log = open_log();
	struct hr_error err = {0};
	struct buf b;

	(void)state;
	append_range(log, 0, 100);
	for (unsigned i = 0; i < 100; i++)
		assert_entry(log, i);
	buf_init(&b, AUDIT_ENTRY_MAX);
	assert_int_equal(audit_log_entry(log, 100, &b, &err), HR_E_NOT_FOUND);
	assert_int_equal(audit_log_entry(log, UINT64_MAX, &b, &err), HR_E_NOT_FOUND);
	buf_clear(&b);
	audit_log_close(log);
}

static void test_head_root_is_the_mth_of_the_entries(void **state)
{
	struct audit_log *log = open_log();

	(void)state;
	assert_head(log, 0); /* the empty tree: SHA-256 of nothing */
	for (unsigned n = 1; n <= 70; n++) {
		append_range(log, n - 1, 1);
		assert_head(log, n);
	}
	audit_log_close(log);
}

static void test_tree_nodes_are_served_up_to_the_head_only(void **state)
{
	struct audit_log *log = open_log();
	struct merkle_source src = audit_log_source(log);
	uint8_t node[MERKLE_HASH_LEN], leaf[MERKLE_HASH_LEN];
	char entry[512];
	size_t len;

	(void)state;
	append_range(log, 0, 6);
	len = make_entry(entry, sizeof(entry), 4);
	merkle_leaf_hash(entry, len, leaf);
	assert_int_equal(src.node(src.ctx, 0, 4, node), HR_OK);
	assert_memory_equal(node, leaf, MERKLE_HASH_LEN);
	assert_int_equal(src.node(src.ctx, 1, 2, node), HR_OK);          /* leaves 4, 5 */
	assert_int_equal(src.node(src.ctx, 2, 1, node), HR_E_NOT_FOUND); /* leaves 4..7 */
	assert_int_equal(src.node(src.ctx, 0, 6, node), HR_E_NOT_FOUND);
	assert_int_equal(src.node(src.ctx, 64, 0, node), HR_E_INVALID);
	audit_log_close(log);
}

static void test_reopen_keeps_entries_root_and_persons(void **state)
{
	struct audit_log *log = open_log();
	uint8_t root[MERKLE_HASH_LEN], again[MERKLE_HASH_LEN], person[AUDIT_PERSON_LEN];
	uint64_t size, indices[64];
	size_t count, count_again;
	struct hr_error err = {0};

	(void)state;
	append_range(log, 0, 41);
	assert_int_equal(audit_log_head(log, &size, root, &err), HR_OK);
	person_of(person, 1);
	assert_int_equal(audit_log_person(log, person, UINT64_MAX, indices, 64, &count, &err),
			 HR_OK);
	assert_int_equal(count, 14); /* 1, 4, ..., 40 */
	audit_log_close(log);

	log = open_log();
	assert_int_equal(audit_log_head(log, &size, again, &err), HR_OK);
	assert_int_equal(size, 41);
	assert_memory_equal(root, again, MERKLE_HASH_LEN);
	for (unsigned i = 0; i < 41; i++)
		assert_entry(log, i);
	assert_int_equal(audit_log_person(log, person, UINT64_MAX, indices, 64, &count_again, &err),
			 HR_OK);
	assert_int_equal(count_again, count);
	assert_int_equal(indices[0], 40);
	/* and it goes on growing from where it was */
	append_range(log, 41, 9);
	assert_head(log, 50);
	audit_log_close(log);
}

static void test_directories_are_created_with_mode_0700(void **state)
{
	char sub[512], path[600];
	struct audit_log *log = NULL;
	struct hr_error err = {0};
	struct stat st;

	(void)state;
	tk_dir_path(sub, sizeof(sub), "audit");
	assert_int_equal(audit_log_open(sub, &log, &err), HR_OK);
	audit_log_close(log);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/segments", sub);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/tree", sub);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/" SEGMENT0, sub);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
}

/* ---- concurrency ---- */

#define THREADS    16
#define PER_THREAD 500
#define TOTAL      (THREADS * PER_THREAD)

struct writer {
	struct audit_log *log;
	unsigned thread;
	uint64_t indices[PER_THREAD];
	hr_status rc;
};

static void thread_entry(char *out, size_t cap, unsigned thread, unsigned i, size_t *len)
{
	*len = (size_t)snprintf(out, cap, "thread %u, entry %u", thread, i);
}

static void *writer_run(void *arg)
{
	struct writer *w = arg;
	uint8_t person[AUDIT_PERSON_LEN];
	char entry[64];
	size_t len;

	person_of(person, w->thread);
	for (unsigned i = 0; i < PER_THREAD && w->rc == HR_OK; i++) {
		thread_entry(entry, sizeof(entry), w->thread, i, &len);
		w->rc = audit_log_append(w->log, entry, len, person, &w->indices[i], NULL);
	}
	return NULL;
}

struct reader {
	struct audit_log *log;
	atomic_int *stop;
	unsigned rounds;
	hr_status rc;
};

/* Reads while the writers write: whatever the head shows must be readable. */
static void *reader_run(void *arg)
{
	struct reader *r = arg;
	uint8_t root[MERKLE_HASH_LEN], person[AUDIT_PERSON_LEN];
	uint64_t size, indices[8];
	size_t count;
	struct buf b;

	buf_init(&b, AUDIT_ENTRY_MAX);
	person_of(person, 3);
	while (!atomic_load(r->stop) && r->rc == HR_OK) {
		if ((r->rc = audit_log_head(r->log, &size, root, NULL)) != HR_OK)
			break;
		if (size > 0 && (r->rc = audit_log_entry(r->log, size - 1, &b, NULL)) != HR_OK)
			break;
		if ((r->rc = audit_log_person(r->log, person, UINT64_MAX, indices, 8, &count,
					      NULL)) != HR_OK)
			break;
		for (size_t i = 0; i < count; i++)
			if (indices[i] >= size + (uint64_t)TOTAL)
				r->rc = HR_E_STATE;
		r->rounds++;
	}
	buf_clear(&b);
	return NULL;
}

static void test_concurrent_appends_get_distinct_indices(void **state)
{
	struct audit_log *log = open_log();
	struct writer *writers = calloc(THREADS, sizeof(*writers));
	pthread_t threads[THREADS], reading;
	atomic_int stop = 0;
	struct reader r = {log, &stop, 0, HR_OK};
	uint8_t *seen = calloc(TOTAL, 1);
	struct hr_error err = {0};
	struct buf b;

	(void)state;
	assert_non_null(writers);
	assert_non_null(seen);
	assert_int_equal(pthread_create(&reading, NULL, reader_run, &r), 0);
	for (unsigned t = 0; t < THREADS; t++) {
		writers[t].log = log;
		writers[t].thread = t;
		assert_int_equal(pthread_create(&threads[t], NULL, writer_run, &writers[t]), 0);
	}
	for (unsigned t = 0; t < THREADS; t++)
		assert_int_equal(pthread_join(threads[t], NULL), 0);
	atomic_store(&stop, 1);
	assert_int_equal(pthread_join(reading, NULL), 0);
	assert_int_equal(r.rc, HR_OK);
	for (unsigned t = 0; t < THREADS; t++) {
		assert_int_equal(writers[t].rc, HR_OK);
		for (unsigned i = 0; i < PER_THREAD; i++) {
			assert_true(writers[t].indices[i] < TOTAL);
			assert_int_equal(seen[writers[t].indices[i]], 0);
			seen[writers[t].indices[i]] = 1;
			/* one thread's entries are in its order */
			if (i > 0)
				assert_true(writers[t].indices[i] > writers[t].indices[i - 1]);
		}
	}
	assert_head(log, TOTAL);
	audit_log_close(log);

	log = open_log();
	buf_init(&b, AUDIT_ENTRY_MAX);
	for (unsigned t = 0; t < THREADS; t++) {
		for (unsigned i = 0; i < PER_THREAD; i++) {
			char want[64];
			size_t len;

			thread_entry(want, sizeof(want), t, i, &len);
			assert_int_equal(audit_log_entry(log, writers[t].indices[i], &b, &err),
					 HR_OK);
			assert_int_equal(b.len, len);
			assert_memory_equal(b.data, want, len);
		}
	}
	assert_head(log, TOTAL);
	buf_clear(&b);
	audit_log_close(log);
	free(seen);
	free(writers);
}

/* ---- recovery ---- */

static void test_torn_tail_of_the_last_segment_is_cut(void **state)
{
	struct audit_log *log = open_log();
	uint8_t partial[RECORD_OVERHEAD + 20], root[MERKLE_HASH_LEN], again[MERKLE_HASH_LEN];
	const char garbage[] = "not a record at all";
	struct hr_error err = {0};
	uint64_t size, bytes;

	(void)state;
	append_range(log, 0, 5);
	assert_int_equal(audit_log_head(log, &size, root, &err), HR_OK);
	audit_log_close(log);
	bytes = file_size(SEGMENT0);

	/* a record cut short: its length promises more bytes than there are */
	memset(partial, 0x5a, sizeof(partial));
	partial[0] = 100;
	partial[1] = partial[2] = partial[3] = 0;
	append_bytes(SEGMENT0, partial, sizeof(partial));
	log = open_log();
	assert_int_equal(file_size(SEGMENT0), bytes);
	assert_int_equal(audit_log_head(log, &size, again, &err), HR_OK);
	assert_int_equal(size, 5);
	assert_memory_equal(root, again, MERKLE_HASH_LEN);
	audit_log_close(log);

	/* garbage whose length field is out of range */
	append_bytes(SEGMENT0, garbage, sizeof(garbage));
	log = open_log();
	assert_int_equal(file_size(SEGMENT0), bytes);
	append_range(log, 5, 3);
	assert_head(log, 8);
	audit_log_close(log);

	/* a complete record with a wrong CRC at the very end */
	bytes = file_size(SEGMENT0);
	memset(partial, 0x33, sizeof(partial));
	partial[0] = 20;
	partial[1] = partial[2] = partial[3] = 0;
	append_bytes(SEGMENT0, partial, sizeof(partial));
	log = open_log();
	assert_int_equal(file_size(SEGMENT0), bytes);
	assert_head(log, 8);
	for (unsigned i = 0; i < 8; i++)
		assert_entry(log, i);
	audit_log_close(log);
}

static void test_damage_in_the_middle_is_refused_naming_the_entry(void **state)
{
	struct audit_log *log = open_log();
	struct hr_error err = {0};
	char path[512];
	uint8_t byte;
	int fd;

	(void)state;
	append_range(log, 0, 10);
	audit_log_close(log);
	tk_dir_path(path, sizeof(path), SEGMENT0);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	/* one bit of entry 3's bytes */
	assert_int_equal(pread(fd, &byte, 1, (off_t)(record_offset(3) + 40)), 1);
	byte ^= 0x04;
	assert_int_equal(pwrite(fd, &byte, 1, (off_t)(record_offset(3) + 40)), 1);
	close(fd);
	log = NULL;
	assert_int_equal(audit_log_open(tk_dir, &log, &err), HR_E_INVALID);
	assert_null(log);
	assert_non_null(strstr(err.message, "entry 3 "));
	/* nothing was cut: the evidence stays for hromada audit verify */
	assert_int_equal(file_size(SEGMENT0), record_offset(10));
}

static void test_damage_in_an_earlier_segment_is_refused(void **state)
{
	struct audit_log *log = open_log_small_segments(600);
	struct hr_error err = {0};
	struct dirent *d;
	char first_segments[2][256] = {"", ""}, path[512];
	DIR *listing;

	(void)state;
	append_range(log, 0, 30);
	audit_log_close(log);
	/* the two lowest segment names */
	tk_dir_path(path, sizeof(path), "segments");
	listing = opendir(path);
	assert_non_null(listing);
	while ((d = readdir(listing)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (first_segments[0][0] == 0 || strcmp(d->d_name, first_segments[0]) < 0) {
			memcpy(first_segments[1], first_segments[0], 256);
			snprintf(first_segments[0], 256, "%s", d->d_name);
		} else if (first_segments[1][0] == 0 || strcmp(d->d_name, first_segments[1]) < 0) {
			snprintf(first_segments[1], 256, "%s", d->d_name);
		}
	}
	closedir(listing);
	assert_string_equal(first_segments[0], "00000000000000000000.seg");
	assert_true(first_segments[1][0] != 0);
	/* cutting the first segment's last record is not a torn tail: more follows */
	truncate_file(SEGMENT0, file_size(SEGMENT0) - 3);
	assert_int_equal(audit_log_open(tk_dir, &log, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "entry "));
	assert_non_null(strstr(err.message, "00000000000000000000.seg"));
}

static void test_missing_segment_is_refused(void **state)
{
	struct audit_log *log = open_log_small_segments(600);
	struct hr_error err = {0};

	(void)state;
	append_range(log, 0, 30);
	audit_log_close(log);
	remove_file(SEGMENT0);
	assert_int_equal(audit_log_open(tk_dir, &log, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "should begin with entry 0"));
}

static void test_deleted_derived_files_are_rebuilt(void **state)
{
	struct audit_log *log = open_log();
	uint8_t root[MERKLE_HASH_LEN], again[MERKLE_HASH_LEN], person[AUDIT_PERSON_LEN];
	uint64_t size, indices[64], indices_again[64];
	size_t count, count_again;
	struct hr_error err = {0};
	char name[32];

	(void)state;
	append_range(log, 0, 77);
	assert_int_equal(audit_log_head(log, &size, root, &err), HR_OK);
	person_of(person, 2);
	assert_int_equal(audit_log_person(log, person, UINT64_MAX, indices, 64, &count, &err),
			 HR_OK);
	audit_log_close(log);
	for (unsigned k = 0; k < 7; k++) { /* 77 leaves: levels 0 .. 6 */
		snprintf(name, sizeof(name), "tree/level-%02u", k);
		remove_file(name);
	}
	remove_file("person.idx");
	remove_file("tree/checkpoint");

	log = open_log();
	assert_int_equal(audit_log_head(log, &size, again, &err), HR_OK);
	assert_int_equal(size, 77);
	assert_memory_equal(root, again, MERKLE_HASH_LEN);
	assert_int_equal(
	    audit_log_person(log, person, UINT64_MAX, indices_again, 64, &count_again, &err),
	    HR_OK);
	assert_int_equal(count_again, count);
	assert_memory_equal(indices_again, indices, count * sizeof(indices[0]));
	assert_int_equal(file_size("person.idx"), 77 * 16);
	assert_int_equal(file_size("tree/level-00"), 77 * 32);
	assert_int_equal(checkpoint_count(), 77);
	audit_log_close(log);
}

static void test_truncated_derived_files_are_rebuilt(void **state)
{
	struct audit_log *log = open_log();
	uint8_t root[MERKLE_HASH_LEN], again[MERKLE_HASH_LEN], person[AUDIT_PERSON_LEN];
	uint64_t size, indices[64];
	size_t count;
	struct hr_error err = {0};

	(void)state;
	append_range(log, 0, 100);
	assert_int_equal(audit_log_head(log, &size, root, &err), HR_OK);
	audit_log_close(log);
	/* the checkpoint still says 100, the files say less: believe the files */
	truncate_file("tree/level-00", 33 * 32 + 5);
	truncate_file("tree/level-03", 2 * 32);
	truncate_file("person.idx", 10);

	log = open_log();
	assert_int_equal(audit_log_head(log, &size, again, &err), HR_OK);
	assert_int_equal(size, 100);
	assert_memory_equal(root, again, MERKLE_HASH_LEN);
	person_of(person, 1);
	assert_int_equal(audit_log_person(log, person, UINT64_MAX, indices, 64, &count, &err),
			 HR_OK);
	assert_int_equal(count, 33); /* 1, 4, ..., 97 */
	assert_int_equal(indices[0], 97);
	assert_int_equal(indices[32], 1);
	audit_log_close(log);
}

static void test_checkpoint_beyond_the_entries_is_not_trusted(void **state)
{
	struct audit_log *log = open_log();
	char entry[64];

	(void)state;
	append_range(log, 0, 20);
	audit_log_close(log); /* checkpoint: 20 */
	assert_int_equal(checkpoint_count(), 20);
	/* entries 15..19 lost (as if never synced), a torn bit of 15 left behind */
	truncate_file(SEGMENT0, record_offset(15) + 7);

	log = open_log();
	assert_head(log, 15);
	/* the stale checkpoint is replaced at once: derived data written for the
	 * entries appended from now on must not be trusted before it is synced */
	assert_int_equal(checkpoint_count(), 15);
	/* other entries at the lost indices: the old nodes over 0..15 must go */
	for (unsigned i = 15; i < 25; i++) {
		int n = snprintf(entry, sizeof(entry), "replacement %u", i);

		assert_int_equal(append_one(log, entry, (size_t)n, NULL), i);
	}
	assert_head(log, 25);
	audit_log_close(log);
	log = open_log();
	assert_head(log, 25);
	for (unsigned i = 0; i < 15; i++)
		assert_entry(log, i);
	audit_log_close(log);
}

static void test_stale_derived_data_after_new_entries_is_recomputed(void **state)
{
	struct audit_log *log = open_log();
	char entry[] = "a replacement entry";
	uint8_t root[MERKLE_HASH_LEN], again[MERKLE_HASH_LEN];
	struct hr_error err = {0};
	uint64_t size;

	(void)state;
	append_range(log, 0, 12);
	audit_log_close(log);
	truncate_file(SEGMENT0, record_offset(8));
	log = open_log();
	/* entry 8 is now different from the one the old tree/ described */
	assert_int_equal(append_one(log, entry, strlen(entry), NULL), 8);
	assert_int_equal(audit_log_head(log, &size, root, &err), HR_OK);
	audit_log_close(log);
	log = open_log();
	assert_int_equal(audit_log_head(log, &size, again, &err), HR_OK);
	assert_int_equal(size, 9);
	assert_memory_equal(root, again, MERKLE_HASH_LEN);
	assert_head(log, 9);
	audit_log_close(log);
}

/* ---- segments ---- */

static unsigned count_segments(void)
{
	char path[512];
	struct dirent *d;
	unsigned n = 0;
	DIR *listing;

	tk_dir_path(path, sizeof(path), "segments");
	listing = opendir(path);
	assert_non_null(listing);
	while ((d = readdir(listing)) != NULL)
		if (strstr(d->d_name, ".seg") != NULL)
			n++;
	closedir(listing);
	return n;
}

static void test_segments_rotate_and_reopen(void **state)
{
	struct audit_log *log = open_log_small_segments(1024);
	struct hr_error err = {0};
	uint8_t root[MERKLE_HASH_LEN], again[MERKLE_HASH_LEN];
	uint64_t size;

	(void)state;
	append_range(log, 0, 150);
	assert_true(count_segments() > 10);
	for (unsigned i = 0; i < 150; i++)
		assert_entry(log, i);
	assert_head(log, 150);
	assert_int_equal(audit_log_head(log, &size, root, &err), HR_OK);
	audit_log_close(log);

	/* a segment is named after its first entry, and never exceeds the size by more
	 * than one record */
	log = open_log_small_segments(1024);
	assert_int_equal(audit_log_head(log, &size, again, &err), HR_OK);
	assert_int_equal(size, 150);
	assert_memory_equal(root, again, MERKLE_HASH_LEN);
	for (unsigned i = 0; i < 150; i++)
		assert_entry(log, i);
	append_range(log, 150, 30);
	assert_head(log, 180);
	audit_log_close(log);

	/* the default segment size reads the same files */
	log = open_log();
	assert_head(log, 180);
	audit_log_close(log);
}

static void test_segment_size_option_is_bounded(void **state)
{
	struct audit_log_options options = {.segment_bytes = (uint64_t)1 << 40};
	struct audit_log *log = NULL;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(audit_log_open_options(tk_dir, &options, &log, &err), HR_E_INVALID);
	assert_null(log);
}

/* ---- persons ---- */

static void test_person_lookups_newest_first(void **state)
{
	struct audit_log *log = open_log();
	uint8_t anna[AUDIT_PERSON_LEN], borys[AUDIT_PERSON_LEN], nobody[AUDIT_PERSON_LEN];
	const char *entry = "x";
	uint64_t indices[8];
	size_t count = 99;
	struct hr_error err = {0};
	const uint8_t *who[] = {anna, borys, anna, NULL, NULL, anna, NULL, anna, borys};

	(void)state;
	person_of(anna, 10);
	person_of(borys, 11);
	person_of(nobody, 12);
	for (unsigned i = 0; i < sizeof(who) / sizeof(who[0]); i++)
		assert_int_equal(append_one(log, entry, 1, who[i]), i);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(audit_log_person(log, anna, UINT64_MAX, indices, 8, &count, &err),
				 HR_OK);
		assert_int_equal(count, 4);
		assert_int_equal(indices[0], 7);
		assert_int_equal(indices[1], 5);
		assert_int_equal(indices[2], 2);
		assert_int_equal(indices[3], 0);
		/* before is exclusive */
		assert_int_equal(audit_log_person(log, anna, 5, indices, 8, &count, &err), HR_OK);
		assert_int_equal(count, 2);
		assert_int_equal(indices[0], 2);
		assert_int_equal(indices[1], 0);
		assert_int_equal(audit_log_person(log, anna, 0, indices, 8, &count, &err), HR_OK);
		assert_int_equal(count, 0);
		/* max */
		assert_int_equal(audit_log_person(log, anna, UINT64_MAX, indices, 2, &count, &err),
				 HR_OK);
		assert_int_equal(count, 2);
		assert_int_equal(indices[0], 7);
		assert_int_equal(indices[1], 5);
		assert_int_equal(audit_log_person(log, anna, UINT64_MAX, indices, 0, &count, &err),
				 HR_OK);
		assert_int_equal(count, 0);
		assert_int_equal(audit_log_person(log, borys, 100, indices, 8, &count, &err),
				 HR_OK);
		assert_int_equal(count, 2);
		assert_int_equal(indices[0], 8);
		assert_int_equal(indices[1], 1);
		assert_int_equal(
		    audit_log_person(log, nobody, UINT64_MAX, indices, 8, &count, &err), HR_OK);
		assert_int_equal(count, 0);
		/* the same after a reopen */
		audit_log_close(log);
		log = open_log();
	}
	audit_log_close(log);
}

static void test_many_persons_grow_the_index(void **state)
{
	struct audit_log *log = open_log();
	uint8_t person[AUDIT_PERSON_LEN];
	uint64_t indices[4];
	size_t count;
	struct hr_error err = {0};

	(void)state;
	/* more persons than the first table holds, each twice */
	for (unsigned i = 0; i < 3000; i++) {
		person_of(person, 100 + i % 1500);
		assert_int_equal(append_one(log, "e", 1, person), i);
	}
	for (int round = 0; round < 2; round++) {
		for (unsigned p = 0; p < 1500; p += 7) {
			person_of(person, 100 + p);
			assert_int_equal(
			    audit_log_person(log, person, UINT64_MAX, indices, 4, &count, &err),
			    HR_OK);
			assert_int_equal(count, 2);
			assert_int_equal(indices[0], p + 1500);
			assert_int_equal(indices[1], p);
		}
		audit_log_close(log);
		log = open_log();
	}
	audit_log_close(log);
}

/* ---- limits and failures ---- */

static void test_entries_over_the_limit_are_refused(void **state)
{
	struct audit_log *log = open_log();
	char *big = calloc(1, AUDIT_ENTRY_MAX + 1);
	struct hr_error err = {0};
	uint64_t index = 77;

	(void)state;
	assert_non_null(big);
	assert_int_equal(audit_log_append(log, big, AUDIT_ENTRY_MAX + 1, NULL, &index, &err),
			 HR_E_TOO_LARGE);
	assert_int_equal(audit_log_append(log, big, 0, NULL, &index, &err), HR_E_INVALID);
	assert_int_equal(index, 77);
	assert_head(log, 0);
	assert_int_equal(audit_log_append(log, big, AUDIT_ENTRY_MAX, NULL, &index, &err), HR_OK);
	assert_int_equal(index, 0);
	assert_head(log, 1);
	audit_log_close(log);
	free(big);
}

/*
 * A real write failure, without a test hook: a file size limit makes the
 * segment's write() stop part way (EFBIG). The log must refuse that entry and
 * every later one, leave no partial record, and recover at the next open.
 */
static void test_append_after_a_write_failure_fails(void **state)
{
	struct audit_log *log = open_log();
	struct rlimit old, limited;
	struct hr_error err = {0};
	char entry[512];
	uint64_t index = 99, bytes;
	size_t len;
	void (*previous)(int);

	(void)state;
	append_range(log, 0, 10);
	bytes = file_size(SEGMENT0);
	previous = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	limited = old;
	limited.rlim_cur = (rlim_t)(bytes + 10);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &limited), 0);
	len = make_entry(entry, sizeof(entry), 10);
	assert_int_equal(audit_log_append(log, entry, len, NULL, &index, &err), HR_E_IO);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, previous);
	assert_non_null(strstr(err.message, SEGMENT0));
	assert_int_equal(index, 99);
	/* the partial record was cut; the log stays poisoned though the cause is gone */
	assert_int_equal(file_size(SEGMENT0), bytes);
	assert_int_equal(audit_log_append(log, entry, len, NULL, &index, &err), HR_E_IO);
	assert_non_null(strstr(err.message, "refuses"));
	assert_head(log, 10);
	audit_log_close(log);

	log = open_log();
	assert_head(log, 10);
	append_range(log, 10, 2);
	assert_head(log, 12);
	audit_log_close(log);
}

static void test_close_accepts_null(void **state)
{
	(void)state;
	audit_log_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_entries_read_back_as_appended, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_head_root_is_the_mth_of_the_entries, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_tree_nodes_are_served_up_to_the_head_only,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_keeps_entries_root_and_persons,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_directories_are_created_with_mode_0700,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_appends_get_distinct_indices,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_torn_tail_of_the_last_segment_is_cut, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_damage_in_the_middle_is_refused_naming_the_entry,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_damage_in_an_earlier_segment_is_refused,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_missing_segment_is_refused, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_deleted_derived_files_are_rebuilt, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_derived_files_are_rebuilt, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_checkpoint_beyond_the_entries_is_not_trusted,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_stale_derived_data_after_new_entries_is_recomputed,
					    tk_dir_setup, tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_segments_rotate_and_reopen, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_segment_size_option_is_bounded, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_person_lookups_newest_first, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_many_persons_grow_the_index, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_entries_over_the_limit_are_refused, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_append_after_a_write_failure_fails, tk_dir_setup,
					    tk_dir_teardown),
	    cmocka_unit_test(test_close_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
