/*
 * test_audit.c — the gateway's audit seam (src/audit/audit.h) over the real
 * Merkle log: real keys from the key ceremony (`hromada keys`), real files in a
 * temporary directory.
 *
 * Pinned down: person.key and content.key are made (32 bytes, mode 0600) and
 * the tree-head certificate is copied in at the first open, and another
 * certificate later is refused; every entry is durable and readable when
 * audit_record returns, names the person only as HMAC-SHA-256 under person.key
 * (checked against OpenSSL's HMAC) and never in clear anywhere in the
 * directory; a head is signed at open and after entries wait; inclusion and
 * consistency proofs verify against signed heads; a person's history lists
 * only their entries, newest first, each with a proof a device accepts
 * (access_history_check), counts entries newer than the head as pending, and
 * pages with `before`; over-long texts are refused, not cut; a reopened log
 * keeps its heads, and one with entries missing under a signed head, or with
 * entries and no signed head at all, is refused.
 */
#include "testkit/testkit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "audit/access_history.h"
#include "audit/merkle.h"
#include "core/base64.h"
#include "credential/keys.h"
#include "credential/signer_cert.h"
#include "audit/audit.h"
#include "platform/country.h"

#define PERSON   "UA:3012345670"
#define PERSON_B "PL:44051401359"
#define CLIENT   "UA/GOV/43395033/wallet"
#define PROVIDER "UA/GOV/00015622/driver_licence"
#define NOW      1764000000

static char root[256], keys_dir[300], dir[300], key_pem[400], cert_pem[400];

static int setup_keys(void **state)
{
	const struct country_members *ua = country_members("UA");
	struct hr_error err = {0};

	(void)state;
	tk_tmpdir(root);
	snprintf(keys_dir, sizeof(keys_dir), "%s/keys", root);
	snprintf(key_pem, sizeof(key_pem), "%s/tree-head/key.pem", keys_dir);
	snprintf(cert_pem, sizeof(cert_pem), "%s/tree-head/cert.pem", keys_dir);
	if (ua == NULL || country_create_keys(ua, keys_dir, &err) != HR_OK) {
		fprintf(stderr, "keys: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown_keys(void **state)
{
	(void)state;
	tk_rmrf(root);
	return 0;
}

static int setup(void **state)
{
	static int n;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/audit-%d", root, n++);
	return 0;
}

static struct audit *open_with(const char *cert, int64_t interval_ms, int64_t entries)
{
	struct audit_options o = {dir, key_pem, cert, interval_ms, entries, NULL};
	struct audit *a = NULL;
	struct hr_error err = {0};

	if (audit_open(&o, &a, &err) != HR_OK)
		fail_msg("audit_open %s: %s", dir, err.message);
	return a;
}

/* Heads only when asked (a long interval, many entries). */
static struct audit *open_quiet(void)
{
	return open_with(cert_pem, 3600 * 1000, 1 << 30);
}

static struct audit_entry entry_for(const char *person, const char *issue)
{
	struct audit_entry e = {.client = CLIENT,
				.provider = PROVIDER,
				.service = "lookup",
				.purpose = "citizen-wallet",
				.consent_id = "jti-1",
				.user = "self",
				.issue = issue,
				.person = person,
				.time = NOW,
				.status = 200};

	memset(e.request_hash, 0xAA, sizeof(e.request_hash));
	memset(e.response_hash, 0xBB, sizeof(e.response_hash));
	return e;
}

static uint64_t record(struct audit *a, const char *person, const char *issue)
{
	struct audit_entry e = entry_for(person, issue);
	struct hr_error err = {0};
	uint64_t index = UINT64_MAX;

	if (audit_record(a, &e, &index, &err) != HR_OK)
		fail_msg("audit_record: %s", err.message);
	return index;
}

/* Asks for a head and waits until it covers size entries. */
static void wait_head(struct audit *a, uint64_t size, struct tree_head *head)
{
	for (int i = 0; i < 500; i++) {
		audit_publish_soon(a);
		audit_latest_head(a, head);
		if (head->tree_size >= size)
			return;
		usleep(10 * 1000);
	}
	fail_msg("no tree head covering %llu entries", (unsigned long long)size);
}

static EVP_PKEY *tree_head_key(void)
{
	EVP_PKEY *key = NULL;
	struct hr_error err = {0};

	if (signer_cert_public_key_file(cert_pem, &key, &err) != HR_OK)
		fail_msg("%s", err.message);
	return key;
}

static void test_open_makes_keys_copies_certificate_and_signs_a_head(void **unused)
{
	char path[512];
	struct stat st;
	struct tree_head head;
	struct audit *a;
	EVP_PKEY *key = tree_head_key();

	(void)unused;
	a = open_quiet();
	snprintf(path, sizeof(path), "%s/person.key", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 32);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/content.key", dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/tree-head.pem", dir);
	assert_int_equal(stat(path, &st), 0);
	/* the empty log is signed at once: /audit/sth always has an answer */
	audit_latest_head(a, &head);
	assert_int_equal(head.tree_size, 0);
	assert_true(head.timestamp_ms > 0);
	assert_int_equal(tree_head_verify(&head, key, NULL), HR_OK);
	audit_close(a);
	EVP_PKEY_free(key);
}

/* A log of the old layout (keys in its directory) reopened with a keys
 * directory: the keys move out, so a copy of the log carries none, and the
 * same person keeps the same pseudonym. */
static void test_keys_move_out_of_the_audit_directory_and_keep_pseudonyms(void **unused)
{
	char keys[512], path[600];
	struct audit_options o = {dir, key_pem, cert_pem, 3600 * 1000, 1 << 30, keys};
	struct tree_head head;
	struct hr_error err = {0};
	struct audit *a;
	json_t *history = NULL;

	(void)unused;
	snprintf(keys, sizeof(keys), "%s-keys", dir);
	a = open_quiet(); /* keys_dir NULL: the old layout */
	record(a, PERSON, "before the move");
	audit_close(a);
	assert_int_equal(audit_open(&o, &a, &err), HR_OK);
	snprintf(path, sizeof(path), "%s/person.key", dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/content.key", dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/person.key", keys);
	assert_int_equal(access(path, F_OK), 0);
	record(a, PERSON, "after the move");
	wait_head(a, 2, &head);
	assert_int_equal(audit_history(a, PERSON, UINT64_MAX, 10, UINT64_MAX, &history, &err),
			 HR_OK);
	assert_int_equal(json_array_size(json_object_get(history, "entries")), 2);
	json_decref(history);
	audit_close(a);
}

static void test_another_tree_head_certificate_is_refused(void **unused)
{
	char other[512];
	struct audit_options o = {dir, key_pem, other, 1000, 1000, NULL};
	struct audit *a = NULL;
	struct hr_error err = {0};

	(void)unused;
	audit_close(open_quiet());
	/* the root's certificate: a real one, but not this log's */
	snprintf(other, sizeof(other), "%s/root/cert.pem", keys_dir);
	assert_int_equal(audit_open(&o, &a, &err), HR_E_CONFLICT);
	assert_null(a);
	assert_non_null(strstr(err.message, "tree-head"));
}

/* The person field of entry index, decoded from the log through a history. */
static void test_person_is_kept_only_as_hmac(void **unused)
{
	uint8_t key[32], expected[32];
	unsigned int len = 0;
	char path[512], where[600];
	struct buf b64;
	struct tree_head head;
	json_t *history = NULL;
	struct hr_error err = {0};
	struct audit *a;
	int fd;

	(void)unused;
	a = open_quiet();
	record(a, PERSON, "case 1");
	wait_head(a, 1, &head);
	assert_int_equal(audit_history(a, PERSON, UINT64_MAX, 10, UINT64_MAX, &history, &err),
			 HR_OK);
	snprintf(path, sizeof(path), "%s/person.key", dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, key, 32), 32);
	close(fd);
	HMAC(EVP_sha256(), key, 32, (const uint8_t *)PERSON, strlen(PERSON), expected, &len);
	buf_init(&b64, 128);
	assert_int_equal(base64_encode(expected, 32, BASE64_URL, &b64), HR_OK);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(json_array_get(json_object_get(history, "entries"), 0), "fields"),
		"person")),
	    buf_str(&b64));
	buf_clear(&b64);
	json_decref(history);
	audit_close(a);
	/* nowhere in the directory in clear, nor its digits alone */
	assert_false(tk_tree_contains(dir, PERSON + 3, where, sizeof(where)));
}

static void test_inclusion_and_consistency_proofs_verify(void **unused)
{
	uint8_t leaf[MERKLE_HASH_LEN], proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	struct tree_head first, second;
	struct hr_error err = {0};
	size_t count = 0;
	struct audit *a;
	EVP_PKEY *key = tree_head_key();

	(void)unused;
	a = open_quiet();
	for (int i = 0; i < 5; i++)
		assert_int_equal(record(a, i % 2 ? PERSON : PERSON_B, NULL), (uint64_t)i);
	wait_head(a, 5, &first);
	for (int i = 5; i < 13; i++)
		assert_int_equal(record(a, PERSON, "later"), (uint64_t)i);
	wait_head(a, 13, &second);
	assert_int_equal(tree_head_verify(&second, key, NULL), HR_OK);
	for (uint64_t i = 0; i < 13; i++) {
		assert_int_equal(audit_inclusion(a, i, 13, leaf, proof, &count, &err), HR_OK);
		assert_int_equal(merkle_inclusion_verify(leaf, i, 13, MERKLE_CONST_PROOF(proof),
							 count, second.root, NULL),
				 HR_OK);
	}
	assert_int_equal(audit_consistency(a, 5, 13, proof, &count, &err), HR_OK);
	assert_int_equal(merkle_consistency_verify(5, 13, first.root, second.root,
						   MERKLE_CONST_PROOF(proof), count, NULL),
			 HR_OK);
	/* nothing beyond the newest signed head, and no nonsense */
	assert_int_equal(audit_inclusion(a, 0, 14, leaf, proof, &count, &err), HR_E_INVALID);
	assert_int_equal(audit_inclusion(a, 13, 13, leaf, proof, &count, &err), HR_E_INVALID);
	assert_int_equal(audit_consistency(a, 0, 13, proof, &count, &err), HR_E_INVALID);
	assert_int_equal(audit_consistency(a, 6, 5, proof, &count, &err), HR_E_INVALID);
	audit_close(a);
	EVP_PKEY_free(key);
}

static void test_history_lists_only_the_persons_entries_with_proofs(void **unused)
{
	struct tree_head head;
	struct hr_error err = {0};
	json_t *history = NULL, *item;
	size_t checked = 0, i;
	struct audit *a;
	EVP_PKEY *key = tree_head_key();
	int64_t last = INT64_MAX;

	(void)unused;
	a = open_quiet();
	for (int n = 0; n < 30; n++)
		record(a, n % 3 == 0 ? PERSON : PERSON_B, NULL);
	wait_head(a, 30, &head);
	record(a, PERSON, "after the head"); /* index 30: pending */
	assert_int_equal(audit_history(a, PERSON, UINT64_MAX, 100, UINT64_MAX, &history, &err),
			 HR_OK);
	assert_int_equal(json_array_size(json_object_get(history, "entries")), 10);
	assert_int_equal(json_integer_value(json_object_get(history, "pending")), 1);
	assert_false(json_is_true(json_object_get(history, "more")));
	json_array_foreach(json_object_get(history, "entries"), i, item)
	{
		int64_t index = json_integer_value(json_object_get(item, "leaf_index"));
		assert_true(index < last); /* newest first */
		assert_int_equal(index % 3, 0);
		last = index;
	}
	assert_int_equal(access_history_check(history, key, &checked, &err), HR_OK);
	assert_int_equal(checked, 10);
	json_decref(history);
	/* a page: 4 entries older than leaf 15 */
	assert_int_equal(audit_history(a, PERSON, 15, 4, UINT64_MAX, &history, &err), HR_OK);
	assert_int_equal(json_array_size(json_object_get(history, "entries")), 4);
	assert_int_equal(json_integer_value(json_object_get(
			     json_array_get(json_object_get(history, "entries"), 0), "leaf_index")),
			 12);
	assert_true(json_is_true(json_object_get(history, "more")));
	json_decref(history);
	/* someone never recorded has an empty, still signed, history */
	assert_int_equal(
	    audit_history(a, "UA:1111111118", UINT64_MAX, 100, UINT64_MAX, &history, &err), HR_OK);
	assert_int_equal(json_array_size(json_object_get(history, "entries")), 0);
	assert_int_equal(access_history_check(history, key, &checked, &err), HR_OK);
	json_decref(history);
	audit_close(a);
	EVP_PKEY_free(key);
}

static void test_texts_over_the_limit_are_refused_not_cut(void **unused)
{
	char long_text[AUDIT_TEXT_MAX + 2];
	struct audit_entry e = entry_for(PERSON, NULL);
	struct hr_error err = {0};
	struct tree_head head;
	struct audit *a;

	(void)unused;
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = 0;
	a = open_quiet();
	e.user = long_text;
	assert_int_equal(audit_record(a, &e, NULL, &err), HR_E_INVALID);
	e.user = "self";
	e.issue = long_text;
	assert_int_equal(audit_record(a, &e, NULL, &err), HR_E_INVALID);
	long_text[AUDIT_TEXT_MAX] = 0; /* exactly the limit is fine */
	assert_int_equal(audit_record(a, &e, NULL, &err), HR_OK);
	wait_head(a, 1, &head);
	assert_int_equal(head.tree_size, 1);
	audit_close(a);
}

static void test_heads_are_signed_by_count_and_kept_across_reopen(void **unused)
{
	struct tree_head head, again;
	struct audit *a;

	(void)unused;
	/* a head as soon as 4 entries wait, without asking */
	a = open_with(cert_pem, 3600 * 1000, 4);
	for (int i = 0; i < 4; i++)
		record(a, PERSON, NULL);
	for (int i = 0; i < 500; i++) {
		audit_latest_head(a, &head);
		if (head.tree_size == 4)
			break;
		usleep(10 * 1000);
	}
	assert_int_equal(head.tree_size, 4);
	record(a, PERSON, NULL);
	audit_close(a); /* a clean close signs a last head */
	a = open_quiet();
	audit_latest_head(a, &again);
	assert_int_equal(again.tree_size, 5);
	assert_int_equal(record(a, PERSON, NULL), 5);
	audit_close(a);
}

static void test_entries_missing_under_a_signed_head_are_refused(void **unused)
{
	char path[600];
	struct audit_options o = {dir, key_pem, cert_pem, 3600 * 1000, 1 << 30, NULL};
	struct audit *a;
	struct hr_error err = {0};
	struct stat st;

	(void)unused;
	a = open_quiet();
	for (int i = 0; i < 3; i++)
		record(a, PERSON, NULL);
	audit_close(a);
	/* someone cuts the last whole record off the segment */
	snprintf(path, sizeof(path), "%s/segments/00000000000000000000.seg", dir);
	assert_int_equal(stat(path, &st), 0);
	/* records are equal-sized here: drop the last of three */
	assert_int_equal(truncate(path, st.st_size - st.st_size / 3), 0);
	a = NULL;
	assert_int_equal(audit_open(&o, &a, &err), HR_E_INVALID);
	assert_null(a);
	assert_non_null(strstr(err.message, "audit verify"));
}

static void test_entries_without_any_signed_head_are_refused(void **unused)
{
	char path[600];
	struct audit_options o = {dir, key_pem, cert_pem, 3600 * 1000, 1 << 30, NULL};
	struct audit *a;
	struct hr_error err = {0};

	(void)unused;
	a = open_quiet();
	record(a, PERSON, NULL);
	audit_close(a);
	/* the heads are emptied: signing the entries anew would launder a rewrite */
	snprintf(path, sizeof(path), "%s/%s", dir, TREE_HEAD_FILE);
	assert_int_equal(truncate(path, 0), 0);
	a = NULL;
	assert_int_equal(audit_open(&o, &a, &err), HR_E_INVALID);
	assert_null(a);
	assert_non_null(strstr(err.message, "no signed tree head"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_open_makes_keys_copies_certificate_and_signs_a_head, setup),
	    cmocka_unit_test_setup(test_keys_move_out_of_the_audit_directory_and_keep_pseudonyms,
				   setup),
	    cmocka_unit_test_setup(test_another_tree_head_certificate_is_refused, setup),
	    cmocka_unit_test_setup(test_person_is_kept_only_as_hmac, setup),
	    cmocka_unit_test_setup(test_inclusion_and_consistency_proofs_verify, setup),
	    cmocka_unit_test_setup(test_history_lists_only_the_persons_entries_with_proofs, setup),
	    cmocka_unit_test_setup(test_texts_over_the_limit_are_refused_not_cut, setup),
	    cmocka_unit_test_setup(test_heads_are_signed_by_count_and_kept_across_reopen, setup),
	    cmocka_unit_test_setup(test_entries_missing_under_a_signed_head_are_refused, setup),
	    cmocka_unit_test_setup(test_entries_without_any_signed_head_are_refused, setup),
	};
	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
