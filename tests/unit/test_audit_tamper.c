/*
 * test_audit_tamper.c — `hromada audit verify` against a real audit log that
 * someone has tampered with (issue 5, docs/AUDIT.md).
 *
 * The log is built once through the gateway's own seam (src/audit/audit.h):
 * real keys from the key ceremony, 40 entries of varied sizes (some naming no
 * person, some no issue), signed tree heads at 0, 20 and 40 entries (the last
 * one signed by audit_close). Every case then mutates a fresh copy of the
 * directory and runs the REAL binary, `hromada audit verify COPY --json`.
 *
 * Pinned down: an untouched copy, and one whose derived tree/ is gone, is
 * consistent (exit 0); a byte flipped inside an entry is named by its CRC; an
 * entry altered with a recomputed CRC, dropped, or swapped with the next one
 * is named as the first leaf that differs from the stored tree; a cut at a
 * record boundary or inside a record names the first entry a signed head
 * covers but the segment lacks; past the newest head, a torn tail is allowed
 * and reported (and the gateway cuts it), while a damaged length field with
 * intact records behind it is damage, as the gateway's recovery also says; a
 * flipped stored leaf hash names its entry; an entry altered together with
 * deleting tree/ is caught by the signed heads, naming the range between two
 * heads; a flipped signature bit and a foreign --certificate are refused
 * (exit 1); verify never changes a byte of the directory (not even the torn
 * tail the gateway would cut); and a missing directory, or a file given as
 * one, is a clear error (exit 1, no verdict), never "consistent".
 */
#include "testkit/testkit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "audit/audit_log.h"
#include "audit/person_index.h"
#include "audit/tree_head.h"
#include "credential/keys.h"
#include "audit/audit.h"
#include "platform/country.h"

#define ENTRIES     40
#define MIDDLE_HEAD 20 /* a signed head covers the first 20 entries, another all 40 */
#define K           13 /* the entry most cases tamper with: it carries an issue */
#define CUT         30 /* entries left by the truncation cases */
#define SEGMENT     "segments/00000000000000000000.seg"
#define RECORD_HEAD (4 + AUDIT_PERSON_LEN)
#define RECORD_TAIL 4
#define OUT_MAX     65536

/* The original log (built once) and the copy each case mutates. */
static char root[256], keys_dir[300], original[300], copy[300];
static char key_pem[400], cert_pem[400], root_cert_pem[400];

/* Where each record of the original segment is. */
static struct {
	size_t offset, size;
} records[ENTRIES];

/* ---- files ---------------------------------------------------------------- */

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Copies the tree at from to to (which must not exist): directories and regular files. */
static void copy_tree(const char *from, const char *to)
{
	struct stat st;
	struct dirent *e;
	DIR *d;

	assert_int_equal(stat(from, &st), 0);
	if (S_ISREG(st.st_mode)) {
		size_t len = 0;
		char *data = tk_read_file(from, &len);

		assert_non_null(data);
		write_bytes(to, data, len);
		free(data);
		assert_int_equal(chmod(to, st.st_mode & 07777), 0);
		return;
	}
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(mkdir(to, st.st_mode & 07777), 0);
	d = opendir(from);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char a[1024], b[1024];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		assert_true((size_t)snprintf(a, sizeof(a), "%s/%s", from, e->d_name) < sizeof(a));
		assert_true((size_t)snprintf(b, sizeof(b), "%s/%s", to, e->d_name) < sizeof(b));
		copy_tree(a, b);
	}
	closedir(d);
}

/* Feeds every name, mode, size and byte under path, in name order, into md. */
static void digest_tree(EVP_MD_CTX *md, const char *path, const char *name)
{
	struct stat st;
	struct dirent **list = NULL;
	int n;

	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(EVP_DigestUpdate(md, name, strlen(name) + 1), 1);
	assert_int_equal(EVP_DigestUpdate(md, &st.st_mode, sizeof(st.st_mode)), 1);
	if (S_ISREG(st.st_mode)) {
		size_t len = 0;
		char *data = tk_read_file(path, &len);

		assert_non_null(data);
		assert_int_equal(EVP_DigestUpdate(md, &len, sizeof(len)), 1);
		assert_int_equal(EVP_DigestUpdate(md, data, len), 1);
		free(data);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		return;
	n = scandir(path, &list, NULL, alphasort);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		char sub[1024];

		if (strcmp(list[i]->d_name, ".") != 0 && strcmp(list[i]->d_name, "..") != 0) {
			assert_true((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
						     list[i]->d_name) < sizeof(sub));
			digest_tree(md, sub, list[i]->d_name);
		}
		free(list[i]);
	}
	free(list);
}

/* SHA-256 over the whole tree at path. */
static void tree_checksum(const char *path, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned len = 0;

	assert_non_null(md);
	assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
	digest_tree(md, path, "");
	assert_int_equal(EVP_DigestFinal_ex(md, out, &len), 1);
	assert_int_equal(len, 32);
	EVP_MD_CTX_free(md);
}

/* A file of the copy, read whole (caller frees), or written back. */
static uint8_t *copy_read(const char *name, size_t *len)
{
	char path[600];
	char *data;

	snprintf(path, sizeof(path), "%s/%s", copy, name);
	data = tk_read_file(path, len);
	if (data == NULL)
		fail_msg("cannot read %s", path);
	return (uint8_t *)data;
}

static void copy_write(const char *name, const uint8_t *data, size_t len)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", copy, name);
	write_bytes(path, data, len);
}

static void copy_truncate(const char *name, size_t len)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", copy, name);
	assert_int_equal(truncate(path, (off_t)len), 0);
}

/* ---- records -------------------------------------------------------------- */

static uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The record at offset gets the CRC its bytes call for (audit_log.h's layout). */
static void record_fix_crc(uint8_t *segment, size_t offset)
{
	uint32_t len = le32_get(segment + offset);

	le32_put(segment + offset + RECORD_HEAD + len,
		 (uint32_t)crc32(0, segment + offset, (uInt)(RECORD_HEAD + len)));
}

/* Changes one letter of the issue text of entry index: still a valid entry. */
static void record_alter_issue(uint8_t *segment, size_t segment_len, unsigned index)
{
	char marker[32];
	uint8_t *at;

	assert_true(segment_len >= records[index].offset + records[index].size);
	snprintf(marker, sizeof(marker), "tamper-case-%02u", index);
	at = memmem(segment + records[index].offset + RECORD_HEAD,
		    records[index].size - RECORD_HEAD - RECORD_TAIL, marker, strlen(marker));
	assert_non_null(at);
	at[0] = 'T'; /* "Tamper-case-13": same length, same encoding, another leaf */
}

/* ---- running the binary --------------------------------------------------- */

/*
 * `hromada audit verify dir --json [--certificate cert]`: the exit code, and
 * the verdict in *verdict (NULL when the output holds no JSON object; caller
 * decrefs). out receives everything printed.
 */
static int verify_with(const char *dir, const char *cert, const char *tree_head, json_t **verdict,
		       char *out)
{
	char *argv[10];
	const char *brace;
	int a = 0, code;

	argv[a++] = (char *)tk_hromada_binary();
	argv[a++] = "audit";
	argv[a++] = "verify";
	argv[a++] = (char *)dir;
	argv[a++] = "--json";
	if (cert != NULL) {
		argv[a++] = "--certificate";
		argv[a++] = (char *)cert;
	}
	if (tree_head != NULL) {
		argv[a++] = "--tree-head";
		argv[a++] = (char *)tree_head;
	}
	argv[a] = NULL;
	code = tk_run(argv, out, OUT_MAX, 60000);
	brace = strchr(out, '{');
	*verdict = brace ? json_loads(brace, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	return code;
}

static int verify(const char *dir, const char *cert, json_t **verdict, char *out)
{
	return verify_with(dir, cert, NULL, verdict, out);
}

/* Does the verdict's problem mention why? */
static bool problem_mentions(const json_t *verdict, const char *why)
{
	const char *problem = json_string_value(json_object_get(verdict, "problem"));

	return problem != NULL && strstr(problem, why) != NULL;
}

/* Asserts exit 1 naming entry as the first bad one, with why in the problem. */
static void assert_first_bad_entry(unsigned entry, const char *why)
{
	char *out = malloc(OUT_MAX);
	json_t *v = NULL;
	int code;

	assert_non_null(out);
	code = verify(copy, NULL, &v, out);
	if (code != 1 || v == NULL)
		fail_msg("verify exited %d: %s", code, out);
	assert_false(json_is_true(json_object_get(v, "consistent")));
	if (!json_is_integer(json_object_get(v, "first_bad_entry")) ||
	    json_integer_value(json_object_get(v, "first_bad_entry")) != (json_int_t)entry ||
	    !problem_mentions(v, why))
		fail_msg("expected first bad entry %u (%s), got: %s", entry, why, out);
	json_decref(v);
	free(out);
}

/* Asserts exit 1 with why in the problem (whatever entry it names, if any). */
static void assert_inconsistent(const char *cert, const char *why)
{
	char *out = malloc(OUT_MAX);
	json_t *v = NULL;
	int code;

	assert_non_null(out);
	code = verify(copy, cert, &v, out);
	if (code != 1 || v == NULL)
		fail_msg("verify exited %d: %s", code, out);
	assert_false(json_is_true(json_object_get(v, "consistent")));
	if (!problem_mentions(v, why))
		fail_msg("expected a problem with \"%s\", got: %s", why, out);
	json_decref(v);
	free(out);
}

static void assert_consistent(const char *dir, json_int_t entries, json_int_t torn_bytes,
			      json_int_t heads)
{
	char *out = malloc(OUT_MAX);
	json_t *v = NULL;
	int code;

	assert_non_null(out);
	code = verify(dir, NULL, &v, out);
	if (code != 0 || v == NULL)
		fail_msg("verify exited %d: %s", code, out);
	assert_true(json_is_true(json_object_get(v, "consistent")));
	assert_int_equal(json_integer_value(json_object_get(v, "entries")), entries);
	assert_int_equal(json_integer_value(json_object_get(v, "signed_tree_heads")), heads);
	assert_int_equal(json_integer_value(json_object_get(v, "torn_bytes")), torn_bytes);
	assert_null(json_object_get(v, "first_bad_entry"));
	json_decref(v);
	free(out);
}

/* ---- the log -------------------------------------------------------------- */

static void record_entry(struct audit *a, unsigned i)
{
	static const char *const persons[] = {"UA:3012345670", "PL:44051401359", "UA:2954717361",
					      NULL};
	static const char *const users[] = {"UA:officer-1234", "self", "UA:clerk-7"};
	char issue[96], pad[48];
	struct audit_entry e = {0};
	struct hr_error err = {0};
	uint64_t index = UINT64_MAX;

	/* sizes differ: padding of 0..41 bytes; every fifth entry has no issue */
	memset(pad, '.', sizeof(pad));
	pad[(i * 7) % 42] = 0;
	snprintf(issue, sizeof(issue), "tamper-case-%02u%s", i, pad);
	e.client = i % 2 ? "UA/GOV/00032684/police" : "UA/GOV/43395033/wallet";
	e.provider = "UA/GOV/00015622/driver_licence";
	e.service = "lookup";
	e.purpose = i % 2 ? "police-document-check" : "citizen-wallet";
	e.legal_basis = i % 2 ? "Law of Ukraine on the National Police, art. 32" : NULL;
	e.consent_id = i % 2 ? NULL : "jti-tamper";
	e.user = users[i % 3];
	e.issue = i % 5 == 4 ? NULL : issue;
	e.person = persons[i % 4];
	e.time = 1764000000 + i;
	e.status = i % 7 == 6 ? 404 : 200;
	memset(e.request_hash, (int)i, sizeof(e.request_hash));
	memset(e.response_hash, (int)(255 - i), sizeof(e.response_hash));
	if (audit_record(a, &e, &index, &err) != HR_OK)
		fail_msg("audit_record %u: %s", i, err.message);
	assert_int_equal(index, i);
}

/* Finds where each record of the original segment is, checking the framing. */
static void index_records(void)
{
	char path[400];
	size_t len = 0, at = 0;
	uint8_t *data;

	snprintf(path, sizeof(path), "%s/%s", original, SEGMENT);
	data = (uint8_t *)tk_read_file(path, &len);
	assert_non_null(data);
	for (unsigned i = 0; i < ENTRIES; i++) {
		assert_true(len - at >= RECORD_HEAD);
		records[i].offset = at;
		records[i].size = RECORD_HEAD + le32_get(data + at) + RECORD_TAIL;
		assert_true(len - at >= records[i].size);
		at += records[i].size;
	}
	assert_int_equal(at, len);
	/* the cases below rely on neighbours of different sizes */
	assert_int_not_equal(records[K].size, records[K + 1].size);
	free(data);
}

static int setup_log(void **unused)
{
	const struct country_members *ua = country_members("UA");
	struct audit_options o = {0};
	struct tree_head head = {0};
	struct hr_error err = {0};
	struct audit *a = NULL;

	(void)unused;
	tk_tmpdir(root);
	snprintf(keys_dir, sizeof(keys_dir), "%s/keys", root);
	snprintf(key_pem, sizeof(key_pem), "%s/tree-head/key.pem", keys_dir);
	snprintf(cert_pem, sizeof(cert_pem), "%s/tree-head/cert.pem", keys_dir);
	snprintf(root_cert_pem, sizeof(root_cert_pem), "%s/root/cert.pem", keys_dir);
	snprintf(original, sizeof(original), "%s/audit", root);
	if (ua == NULL || country_create_keys(ua, keys_dir, &err) != HR_OK) {
		fprintf(stderr, "keys: %s\n", err.message);
		return -1;
	}
	/* heads only when asked: at open (size 0), at 20, and at close (40) */
	o = (struct audit_options){original, key_pem, cert_pem, 3600 * 1000, 1 << 30, NULL};
	if (audit_open(&o, &a, &err) != HR_OK) {
		fprintf(stderr, "audit_open: %s\n", err.message);
		return -1;
	}
	for (unsigned i = 0; i < MIDDLE_HEAD; i++)
		record_entry(a, i);
	for (int tries = 0; tries < 500 && head.tree_size < MIDDLE_HEAD; tries++) {
		audit_publish_soon(a);
		usleep(10 * 1000);
		audit_latest_head(a, &head);
	}
	if (head.tree_size != MIDDLE_HEAD) {
		fprintf(stderr, "no tree head covering %d entries\n", MIDDLE_HEAD);
		audit_close(a);
		return -1;
	}
	for (unsigned i = MIDDLE_HEAD; i < ENTRIES; i++)
		record_entry(a, i);
	audit_close(a); /* signs the last head, over all 40 */
	index_records();
	return 0;
}

static int teardown_log(void **unused)
{
	(void)unused;
	tk_rmrf(root);
	return 0;
}

/* Each case gets a fresh copy of the original. */
static int setup_copy(void **unused)
{
	static int n;

	(void)unused;
	snprintf(copy, sizeof(copy), "%s/copy-%d", root, n++);
	copy_tree(original, copy);
	return 0;
}

static int teardown_copy(void **unused)
{
	(void)unused;
	tk_rmrf(copy);
	return 0;
}

/* ---- the cases ------------------------------------------------------------ */

static void test_untouched_copy_is_consistent(void **unused)
{
	size_t len = 0;
	uint8_t *heads;

	(void)unused;
	/* the log is what the cases assume: three heads, 0, 20 and 40 */
	heads = copy_read(TREE_HEAD_FILE, &len);
	assert_int_equal(len, 3 * TREE_HEAD_RECORD_LEN);
	for (int i = 0; i < 3; i++) {
		struct tree_head h;

		tree_head_decode(heads + (size_t)i * TREE_HEAD_RECORD_LEN, &h);
		assert_int_equal(h.tree_size, (uint64_t)(i * MIDDLE_HEAD));
	}
	free(heads);
	assert_consistent(copy, ENTRIES, 0, 3);
}

static void test_derived_tree_deleted_alone_is_consistent(void **unused)
{
	char path[600];

	(void)unused;
	snprintf(path, sizeof(path), "%s/tree", copy);
	tk_rmrf(path);
	assert_consistent(copy, ENTRIES, 0, 3);
}

static void test_flipped_byte_in_entry_is_caught_by_its_crc(void **unused)
{
	size_t len = 0;
	uint8_t *seg = copy_read(SEGMENT, &len);

	(void)unused;
	seg[records[K].offset + RECORD_HEAD + 10] ^= 0x01;
	copy_write(SEGMENT, seg, len);
	free(seg);
	assert_first_bad_entry(K, "CRC");
}

static void test_altered_entry_with_recomputed_crc_differs_from_stored_tree(void **unused)
{
	size_t len = 0;
	uint8_t *seg = copy_read(SEGMENT, &len);

	(void)unused;
	record_alter_issue(seg, len, K);
	record_fix_crc(seg, records[K].offset);
	copy_write(SEGMENT, seg, len);
	free(seg);
	assert_first_bad_entry(K, "differs from the stored tree");
}

static void test_dropped_entry_is_named(void **unused)
{
	size_t len = 0;
	uint8_t *seg = copy_read(SEGMENT, &len);
	size_t after = records[K].offset + records[K].size;

	(void)unused;
	memmove(seg + records[K].offset, seg + after, len - after);
	copy_write(SEGMENT, seg, len - records[K].size);
	free(seg);
	assert_first_bad_entry(K, "differs from the stored tree");
}

static void test_swapped_entries_name_the_first(void **unused)
{
	size_t len = 0, a = records[K].size, b = records[K + 1].size;
	uint8_t *seg = copy_read(SEGMENT, &len);
	uint8_t *swapped = malloc(len);

	(void)unused;
	assert_non_null(swapped);
	memcpy(swapped, seg, len);
	memcpy(swapped + records[K].offset, seg + records[K + 1].offset, b);
	memcpy(swapped + records[K].offset + b, seg + records[K].offset, a);
	copy_write(SEGMENT, swapped, len);
	free(swapped);
	free(seg);
	assert_first_bad_entry(K, "differs from the stored tree");
}

static void test_cut_at_a_record_boundary_names_the_first_missing_entry(void **unused)
{
	(void)unused;
	copy_truncate(SEGMENT, records[CUT].offset);
	assert_first_bad_entry(CUT, "missing");
}

static void test_cut_inside_a_record_leaves_entries_missing_under_a_signed_head(void **unused)
{
	(void)unused;
	copy_truncate(SEGMENT, records[CUT].offset + RECORD_HEAD + 3);
	/* the torn tail alone would be allowed; entries a head signed are not */
	assert_first_bad_entry(CUT, "missing");
}

/*
 * After a crash, acknowledged entries may follow the newest signed head. A
 * record among them whose length field was damaged, with intact records after
 * it, is damage the gateway refuses at start (audit_segment.c: a valid record
 * ends the file) — not a torn write, which leaves nothing valid behind it.
 */
static void test_damaged_length_before_intact_records_is_not_a_torn_tail(void **unused)
{
	struct audit_log *log = NULL;
	struct hr_error err = {0};
	char named[64];
	size_t len = 0;
	uint8_t *seg;

	(void)unused;
	/* the heads of 0 and 20 only: what a crash before the head of 40 leaves */
	copy_truncate(TREE_HEAD_FILE, 2 * TREE_HEAD_RECORD_LEN);
	assert_consistent(copy, ENTRIES, 0, 2);
	seg = copy_read(SEGMENT, &len);
	le32_put(seg + records[CUT].offset, UINT32_MAX);
	copy_write(SEGMENT, seg, len);
	free(seg);
	assert_first_bad_entry(CUT, "damaged");
	/* and the gateway agrees: it refuses to start on it */
	assert_int_equal(audit_log_open(copy, &log, &err), HR_E_INVALID);
	assert_null(log);
	snprintf(named, sizeof(named), "entry %d is damaged", CUT);
	assert_non_null(strstr(err.message, named));
}

/* A crash mid-write past the newest signed head: allowed, reported, and cut at start. */
static void test_torn_tail_past_the_newest_head_is_reported_not_an_error(void **unused)
{
	struct audit_log *log = NULL;
	struct hr_error err = {0};
	uint64_t size = 0;
	uint8_t root_hash[MERKLE_HASH_LEN];

	(void)unused;
	copy_truncate(TREE_HEAD_FILE, 2 * TREE_HEAD_RECORD_LEN);
	copy_truncate(SEGMENT, records[CUT].offset + RECORD_HEAD + 3);
	assert_consistent(copy, CUT, RECORD_HEAD + 3, 2);
	assert_int_equal(audit_log_open(copy, &log, &err), HR_OK);
	assert_int_equal(audit_log_head(log, &size, root_hash, &err), HR_OK);
	assert_int_equal(size, CUT);
	audit_log_close(log);
	assert_consistent(copy, CUT, 0, 2);
}

static void test_altered_stored_leaf_hash_is_named(void **unused)
{
	size_t len = 0;
	uint8_t *level = copy_read("tree/level-00", &len);

	(void)unused;
	assert_int_equal(len, (size_t)ENTRIES * MERKLE_HASH_LEN);
	level[(size_t)K * MERKLE_HASH_LEN + 7] ^= 0x80;
	copy_write("tree/level-00", level, len);
	free(level);
	assert_first_bad_entry(K, "stored tree");
}

static void test_altered_entry_without_stored_tree_is_caught_by_signed_heads(void **unused)
{
	const unsigned k = MIDDLE_HEAD + 5; /* between the heads of 20 and 40 */
	char path[600];
	size_t len = 0;
	uint8_t *seg = copy_read(SEGMENT, &len);

	(void)unused;
	record_alter_issue(seg, len, k);
	record_fix_crc(seg, records[k].offset);
	copy_write(SEGMENT, seg, len);
	free(seg);
	/* whoever rewrote the entry also removed the derived tree that would name it */
	snprintf(path, sizeof(path), "%s/tree", copy);
	tk_rmrf(path);
	/* only the signed heads can tell: the range between the heads of 20 and 40 */
	assert_first_bad_entry(MIDDLE_HEAD, "20..39");
	assert_first_bad_entry(MIDDLE_HEAD, "signed tree head 2");
}

static void test_flipped_signature_bit_is_refused(void **unused)
{
	size_t len = 0;
	uint8_t *heads = copy_read(TREE_HEAD_FILE, &len);

	(void)unused;
	/* head 1 (size 20): timestamp, size and root come before the signature */
	heads[TREE_HEAD_RECORD_LEN + 8 + 8 + MERKLE_HASH_LEN + 17] ^= 0x04;
	copy_write(TREE_HEAD_FILE, heads, len);
	free(heads);
	assert_inconsistent(NULL, "signature");
}

static void test_another_certificate_is_refused(void **unused)
{
	(void)unused;
	/* the country root's certificate: real, but not the one that signs heads */
	assert_inconsistent(root_cert_pem, "signature");
	/* the right one, given explicitly, is accepted */
	{
		char *out = malloc(OUT_MAX);
		json_t *v = NULL;

		assert_non_null(out);
		assert_int_equal(verify(copy, cert_pem, &v, out), 0);
		assert_true(json_is_true(json_object_get(v, "consistent")));
		json_decref(v);
		free(out);
	}
}

static void test_verify_never_modifies_the_directory(void **unused)
{
	uint8_t before[32], after[32];

	(void)unused;
	/* the original, consistent */
	tree_checksum(original, before);
	assert_consistent(original, ENTRIES, 0, 3);
	tree_checksum(original, after);
	assert_memory_equal(before, after, sizeof(before));
	/* a torn tail (the gateway would cut it at start; verify must not) */
	copy_truncate(SEGMENT, records[ENTRIES - 1].offset + 5);
	tree_checksum(copy, before);
	assert_first_bad_entry(ENTRIES - 1, "missing");
	tree_checksum(copy, after);
	assert_memory_equal(before, after, sizeof(before));
}

/* With --json, a check that could not run prints {"error": ...}, never a verdict. */
static void assert_error_not_verdict(json_t *v)
{
	assert_non_null(v);
	assert_non_null(json_object_get(v, "error"));
	assert_null(json_object_get(v, "consistent"));
	json_decref(v);
}

static void test_emptied_tree_heads_do_not_hide_a_rewrite(void **unused)
{
	size_t len = 0;
	uint8_t *seg = copy_read(SEGMENT, &len);

	(void)unused;
	record_alter_issue(seg, len, K);
	record_fix_crc(seg, records[K].offset);
	copy_write(SEGMENT, seg, len);
	free(seg);
	/* the rewriter empties tree-heads and removes the tree that would name the entry */
	copy_write("tree-heads", (const uint8_t *)"", 0);
	{
		char path[600];
		snprintf(path, sizeof(path), "%s/tree", copy);
		tk_rmrf(path);
	}
	assert_inconsistent(NULL, "no signed tree head");
}

static void test_a_head_the_auditor_holds_catches_removed_heads(void **unused)
{
	char *out = malloc(OUT_MAX), held[700];
	size_t len = 0;
	uint8_t *heads = copy_read("tree-heads", &len), *seg;
	struct tree_head last;
	json_t *v = NULL, *json;
	int code;

	(void)unused;
	assert_non_null(out);
	/* the auditor saved the newest head (as GET /audit/sth gives it) */
	assert_true(len >= 2 * TREE_HEAD_RECORD_LEN);
	tree_head_decode(heads + len - TREE_HEAD_RECORD_LEN, &last);
	snprintf(held, sizeof(held), "%s/held-sth.json", root);
	json = tree_head_to_json(&last);
	assert_int_equal(json_dump_file(json, held, 0), 0);
	json_decref(json);
	/* ... then entry K is rewritten, the tree removed, and every head after the
	 * first (the empty log's) dropped, so the log alone no longer tells */
	seg = copy_read(SEGMENT, &len);
	record_alter_issue(seg, len, K);
	record_fix_crc(seg, records[K].offset);
	copy_write(SEGMENT, seg, len);
	free(seg);
	copy_write("tree-heads", heads, TREE_HEAD_RECORD_LEN);
	free(heads);
	{
		char path[600];
		snprintf(path, sizeof(path), "%s/tree", copy);
		tk_rmrf(path);
	}
	code = verify(copy, NULL, &v, out);
	assert_int_equal(code, 0); /* the log alone cannot tell */
	json_decref(v);
	code = verify_with(copy, NULL, held, &v, out);
	if (code != 1 || v == NULL)
		fail_msg("verify --tree-head exited %d: %s", code, out);
	assert_false(json_is_true(json_object_get(v, "consistent")));
	json_decref(v);
	/* and an unaltered copy agrees with the held head */
	free(out);
}

/* Entry K's key in person.idx zeroed ("no person"): K vanishes from its person's history. */
static void person_index_hide_entry_k(void)
{
	size_t len = 0;
	uint8_t *idx = copy_read("person.idx", &len);

	assert_int_equal(len, (size_t)ENTRIES * PERSON_INDEX_KEY_LEN);
	memset(idx + (size_t)K * PERSON_INDEX_KEY_LEN, 0, PERSON_INDEX_KEY_LEN);
	copy_write("person.idx", idx, len);
	free(idx);
}

static void test_edited_person_index_is_detected_by_audit_verify(void **unused)
{
	(void)unused;
	person_index_hide_entry_k();
	assert_first_bad_entry(K, "person.idx");
}

/* Does the access history of person (as the gateway serves it) list leaf index? */
static bool history_lists(struct audit *a, const char *person, uint64_t index)
{
	struct hr_error err = {0};
	json_t *history = NULL, *item;
	bool found = false;
	size_t i;

	if (audit_history(a, person, UINT64_MAX, AUDIT_HISTORY_MAX, UINT64_MAX, &history, &err) !=
	    HR_OK)
		fail_msg("audit_history: %s", err.message);
	json_array_foreach(json_object_get(history, "entries"), i, item)
	{
		if (json_integer_value(json_object_get(item, "leaf_index")) == (json_int_t)index)
			found = true;
	}
	json_decref(history);
	return found;
}

static void test_edited_person_index_hides_nothing_after_a_restart(void **unused)
{
	struct audit_options o = {copy, key_pem, cert_pem, 3600 * 1000, 1 << 30, NULL};
	struct hr_error err = {0};
	struct audit *a = NULL;

	(void)unused;
	person_index_hide_entry_k();
	/* the gateway starts on the edited directory: the history is made from the
	 * entries themselves, and person.idx is rewritten from them */
	if (audit_open(&o, &a, &err) != HR_OK)
		fail_msg("audit_open: %s", err.message);
	assert_true(history_lists(a, "PL:44051401359", K)); /* entry K's person */
	assert_false(history_lists(a, "UA:3012345670", K));
	audit_close(a);
	assert_consistent(copy, ENTRIES, 0, 3);
}

static void test_entries_after_the_last_signed_head_are_reported(void **unused)
{
	char *out = malloc(OUT_MAX);
	char *argv[] = {(char *)tk_hromada_binary(), "audit", "verify", copy, "--strict", NULL};
	json_t *v = NULL;
	int code;

	(void)unused;
	assert_non_null(out);
	/* the head over all 40 is gone: 20 entries follow the newest head (20) */
	copy_truncate(TREE_HEAD_FILE, 2 * TREE_HEAD_RECORD_LEN);
	code = verify(copy, NULL, &v, out);
	if (code != 0 || v == NULL)
		fail_msg("verify exited %d: %s", code, out);
	assert_true(json_is_true(json_object_get(v, "consistent")));
	assert_int_equal(json_integer_value(json_object_get(v, "unsigned_entries")),
			 ENTRIES - MIDDLE_HEAD);
	assert_int_equal(json_integer_value(json_object_get(v, "first_unsigned_entry")),
			 MIDDLE_HEAD);
	json_decref(v);
	/* said in words, and a finding with --strict */
	code = tk_run(argv, out, OUT_MAX, 60000);
	assert_int_equal(code, 1);
	assert_non_null(strstr(out, "20 entries (from 20 on) follow the newest signed tree head"));
	/* a log every head covers has none */
	tk_rmrf(copy);
	copy_tree(original, copy);
	code = verify(copy, NULL, &v, out);
	assert_int_equal(code, 0);
	assert_int_equal(json_integer_value(json_object_get(v, "unsigned_entries")), 0);
	json_decref(v);
	assert_int_equal(tk_run(argv, out, OUT_MAX, 60000), 0);
	free(out);
}

static void test_missing_or_unreadable_directory_is_an_error(void **unused)
{
	char *out = malloc(OUT_MAX), missing[600], file[600];
	json_t *v = NULL;
	int code;

	(void)unused;
	assert_non_null(out);
	snprintf(missing, sizeof(missing), "%s/no-such-log", root);
	code = verify(missing, NULL, &v, out);
	if (code != 2)
		fail_msg("verify of a missing directory exited %d: %s", code, out);
	assert_error_not_verdict(v); /* no verdict, least of all "consistent" */
	assert_non_null(strstr(out, missing));
	/* with the certificate given, the directory itself is what is missing */
	code = verify(missing, cert_pem, &v, out);
	if (code != 2)
		fail_msg("verify of a missing directory exited %d: %s", code, out);
	assert_error_not_verdict(v);
	assert_non_null(strstr(out, missing));
	/* a file where the directory should be */
	snprintf(file, sizeof(file), "%s/%s", copy, SEGMENT);
	code = verify(file, NULL, &v, out);
	if (code != 2)
		fail_msg("verify of a file exited %d: %s", code, out);
	assert_error_not_verdict(v);
	assert_non_null(strstr(out, file));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_untouched_copy_is_consistent, setup_copy,
					    teardown_copy),
	    cmocka_unit_test_setup_teardown(test_emptied_tree_heads_do_not_hide_a_rewrite,
					    setup_copy, teardown_copy),
	    cmocka_unit_test_setup_teardown(test_a_head_the_auditor_holds_catches_removed_heads,
					    setup_copy, teardown_copy),
	    cmocka_unit_test_setup_teardown(test_derived_tree_deleted_alone_is_consistent,
					    setup_copy, teardown_copy),
	    cmocka_unit_test_setup_teardown(test_flipped_byte_in_entry_is_caught_by_its_crc,
					    setup_copy, teardown_copy),
	    cmocka_unit_test_setup_teardown(
		test_altered_entry_with_recomputed_crc_differs_from_stored_tree, setup_copy,
		teardown_copy),
	    cmocka_unit_test_setup_teardown(test_dropped_entry_is_named, setup_copy, teardown_copy),
	    cmocka_unit_test_setup_teardown(test_swapped_entries_name_the_first, setup_copy,
					    teardown_copy),
	    cmocka_unit_test_setup_teardown(
		test_cut_at_a_record_boundary_names_the_first_missing_entry, setup_copy,
		teardown_copy),
	    cmocka_unit_test_setup_teardown(
		test_cut_inside_a_record_leaves_entries_missing_under_a_signed_head, setup_copy,
		teardown_copy),
	    cmocka_unit_test_setup_teardown(
		test_damaged_length_before_intact_records_is_not_a_torn_tail, setup_copy,
		teardown_copy),
	    cmocka_unit_test_setup_teardown(
		test_torn_tail_past_the_newest_head_is_reported_not_an_error, setup_copy,
		teardown_copy),
	    cmocka_unit_test_setup_teardown(test_altered_stored_leaf_hash_is_named, setup_copy,
					    teardown_copy),
	    cmocka_unit_test_setup_teardown(
		test_altered_entry_without_stored_tree_is_caught_by_signed_heads, setup_copy,
		teardown_copy),
	    cmocka_unit_test_setup_teardown(test_flipped_signature_bit_is_refused, setup_copy,
					    teardown_copy),
	    cmocka_unit_test_setup_teardown(test_another_certificate_is_refused, setup_copy,
					    teardown_copy),
	    cmocka_unit_test_setup_teardown(test_verify_never_modifies_the_directory, setup_copy,
					    teardown_copy),
	    cmocka_unit_test_setup_teardown(test_missing_or_unreadable_directory_is_an_error,
					    setup_copy, teardown_copy),
	    cmocka_unit_test_setup_teardown(test_edited_person_index_is_detected_by_audit_verify,
					    setup_copy, teardown_copy),
	    cmocka_unit_test_setup_teardown(test_edited_person_index_hides_nothing_after_a_restart,
					    setup_copy, teardown_copy),
	    cmocka_unit_test_setup_teardown(test_entries_after_the_last_signed_head_are_reported,
					    setup_copy, teardown_copy),
	};
	return cmocka_run_group_tests(tests, setup_log, teardown_log);
}
