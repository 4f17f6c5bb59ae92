/*
 * test_secret.c — a role's 32-byte secret file and HMAC-SHA-256 with it
 * (src/core/secret.h): created from the random generator with mode 0600 when
 * missing (whatever the umask), read back unchanged on every later start, short
 * or unreadable files refused with the path named, concurrent first starts
 * agreeing on one secret; HMAC outputs checked against values computed
 * independently with Python's hmac module.
 */
#include "testkit/testkit.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/secret.h"
#include "core/secret_key.h"

static void write_bytes(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void hex_of(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

/* ---- creation ---- */

static void test_creates_a_32_byte_file_with_mode_0600_whatever_the_umask(void **state)
{
	char path[512];
	uint8_t secret[SECRET_LEN], zero[SECRET_LEN] = {0};
	struct hr_error err = {0};
	struct stat st;
	size_t len = 0;
	char *text;
	mode_t old = umask(0); /* the mode must be asked for, not left to the umask */

	(void)state;
	tk_dir_path(path, sizeof(path), "person.key");
	memset(secret, 0, sizeof(secret));
	assert_int_equal(secret_load_or_create(path, secret, &err), HR_OK);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, SECRET_LEN);
	/* what was returned is what was written */
	text = tk_read_file(path, &len);
	assert_non_null(text);
	assert_int_equal(len, SECRET_LEN);
	assert_memory_equal(text, secret, SECRET_LEN);
	assert_memory_not_equal(secret, zero, SECRET_LEN);
	free(text);
}

static void test_two_new_secrets_differ(void **state)
{
	char a_path[512], b_path[512];
	uint8_t a[SECRET_LEN], b[SECRET_LEN];

	(void)state;
	tk_dir_path(a_path, sizeof(a_path), "a.key");
	tk_dir_path(b_path, sizeof(b_path), "b.key");
	assert_int_equal(secret_load_or_create(a_path, a, NULL), HR_OK);
	assert_int_equal(secret_load_or_create(b_path, b, NULL), HR_OK);
	assert_memory_not_equal(a, b, SECRET_LEN);
}

/* ---- reading back ---- */

static void test_an_existing_secret_is_read_back_unchanged(void **state)
{
	char path[512];
	uint8_t first[SECRET_LEN], again[SECRET_LEN];
	struct stat before, after;
	char *text;
	size_t len = 0;

	(void)state;
	tk_dir_path(path, sizeof(path), "wallet.key");
	assert_int_equal(secret_load_or_create(path, first, NULL), HR_OK);
	assert_int_equal(stat(path, &before), 0);
	for (int i = 0; i < 3; i++) {
		memset(again, 0xa5, sizeof(again));
		assert_int_equal(secret_load_or_create(path, again, NULL), HR_OK);
		assert_memory_equal(first, again, SECRET_LEN);
	}
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_int_equal(after.st_size, SECRET_LEN);
	text = tk_read_file(path, &len);
	assert_non_null(text);
	assert_memory_equal(text, first, SECRET_LEN);
	free(text);
}

static void test_a_secret_written_by_someone_else_is_used_as_is(void **state)
{
	char path[512];
	uint8_t known[SECRET_LEN], got[SECRET_LEN];

	(void)state;
	for (int i = 0; i < SECRET_LEN; i++)
		known[i] = (uint8_t)(0x40 + i);
	tk_dir_path(path, sizeof(path), "given.key");
	write_bytes(path, known, sizeof(known));
	memset(got, 0, sizeof(got));
	assert_int_equal(secret_load_or_create(path, got, NULL), HR_OK);
	assert_memory_equal(got, known, SECRET_LEN);
}

/* ---- refusals ---- */

static void test_short_files_are_refused_and_left_alone(void **state)
{
	static const size_t sizes[] = {0, 1, SECRET_LEN - 1};
	char path[512];
	uint8_t bytes[SECRET_LEN], out[SECRET_LEN];
	struct hr_error err;
	char *text;
	size_t len;

	(void)state;
	memset(bytes, 0x11, sizeof(bytes));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		tk_dir_path(path, sizeof(path), "short.key");
		write_bytes(path, bytes, sizes[i]);
		memset(&err, 0, sizeof(err));
		assert_int_equal(secret_load_or_create(path, out, &err), HR_E_INVALID);
		assert_int_equal(err.status, HR_E_INVALID);
		assert_string_equal(err.stage, "secret");
		assert_non_null(strstr(err.message, path));
		/* a damaged key is reported, never silently replaced by a new one */
		text = tk_read_file(path, &len);
		assert_non_null(text);
		assert_int_equal(len, sizes[i]);
		free(text);
	}
}

static void test_a_missing_directory_is_an_io_error_naming_the_path(void **state)
{
	char path[512];
	uint8_t out[SECRET_LEN];
	struct hr_error err = {0};
	struct stat st;

	(void)state;
	tk_dir_path(path, sizeof(path), "no-such-dir/person.key");
	assert_int_equal(secret_load_or_create(path, out, &err), HR_E_IO);
	assert_string_equal(err.stage, "secret");
	assert_non_null(strstr(err.message, path));
	assert_int_not_equal(stat(path, &st), 0);
}

static void test_a_path_through_a_regular_file_is_an_io_error(void **state)
{
	char file[512], path[600];
	uint8_t out[SECRET_LEN];
	struct hr_error err = {0};

	(void)state;
	/* works as root too, unlike a chmod 000 file */
	tk_dir_path(file, sizeof(file), "plain");
	assert_true(tk_write_file(file, "not a directory"));
	snprintf(path, sizeof(path), "%s/person.key", file);
	assert_int_equal(secret_load_or_create(path, out, &err), HR_E_IO);
	assert_non_null(strstr(err.message, path));
}

static void test_a_directory_in_place_of_the_file_is_refused(void **state)
{
	char path[512];
	uint8_t out[SECRET_LEN];
	struct hr_error err = {0};
	struct stat st;

	(void)state;
	tk_dir_path(path, sizeof(path), "keydir");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_not_equal(secret_load_or_create(path, out, &err), HR_OK);
	assert_non_null(strstr(err.message, path));
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

/* ---- concurrent first starts ---- */

#define RACERS 6
#define ROUNDS 150

struct racer {
	const char *path;
	pthread_barrier_t *start;
	uint8_t secret[SECRET_LEN];
	hr_status rc;
	char message[HR_ERROR_MESSAGE_MAX];
};

static void *race_run(void *arg)
{
	struct racer *r = arg;
	struct hr_error err = {0};

	pthread_barrier_wait(r->start);
	r->rc = secret_load_or_create(r->path, r->secret, &err);
	snprintf(r->message, sizeof(r->message), "%s", err.message);
	return NULL;
}

static void test_concurrent_first_starts_agree_on_one_secret(void **state)
{
	char path[512];
	pthread_barrier_t start;
	pthread_t threads[RACERS];
	struct racer racers[RACERS];
	char *text;
	size_t len;

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		snprintf(path, sizeof(path), "%s/race-%d.key", tk_dir, round);
		assert_int_equal(pthread_barrier_init(&start, NULL, RACERS), 0);
		for (int t = 0; t < RACERS; t++) {
			memset(&racers[t], 0, sizeof(racers[t]));
			racers[t].path = path;
			racers[t].start = &start;
			assert_int_equal(pthread_create(&threads[t], NULL, race_run, &racers[t]),
					 0);
		}
		for (int t = 0; t < RACERS; t++)
			pthread_join(threads[t], NULL);
		pthread_barrier_destroy(&start);
		text = tk_read_file(path, &len);
		assert_non_null(text);
		assert_int_equal(len, SECRET_LEN);
		for (int t = 0; t < RACERS; t++) {
			if (racers[t].rc != HR_OK) {
				free(text);
				fail_msg("round %d, thread %d: %s", round, t, racers[t].message);
			}
			/* everyone uses the secret that is on disk */
			assert_memory_equal(racers[t].secret, text, SECRET_LEN);
		}
		free(text);
	}
}

/* ---- HMAC ---- */

static void test_hmac_matches_independently_computed_values(void **state)
{
	/* Python: hmac.new(bytes(range(32)), data, hashlib.sha256).hexdigest() */
	static const struct {
		const char *data;
		const char *hex;
	} vectors[] = {
	    {"UA:3012345670", "fa32aa5ead80f7f10410b56d1a4d6fb8fd044cc7a7c881ae604cf9a452f012bb"},
	    {"", "d38b42096d80f45f826b44a9d5607de72496a415d3f4a1a8c88e3bb9da8dc1cb"},
	    {"The quick brown fox jumps over the lazy dog",
	     "f87ad256151fc7b4c5dffa4adb3ebe911a8eeb8a8ebdee3c2a4a8e5f5ec02c32"},
	};
	uint8_t key[SECRET_LEN], ff[SECRET_LEN], out[32];
	char hex[65];

	(void)state;
	for (int i = 0; i < SECRET_LEN; i++)
		key[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		memset(out, 0, sizeof(out));
		assert_int_equal(secret_hmac(key, vectors[i].data, strlen(vectors[i].data), out),
				 HR_OK);
		hex_of(out, 32, hex);
		assert_string_equal(hex, vectors[i].hex);
	}
	/* Python: hmac.new(b"\xff" * 32, b"UA:3012345670", hashlib.sha256) */
	memset(ff, 0xff, sizeof(ff));
	assert_int_equal(secret_hmac(ff, "UA:3012345670", 13, out), HR_OK);
	hex_of(out, 32, hex);
	assert_string_equal(hex,
			    "d4f339b0f15f974402a4f4a00156d65207166b441a96f92a59ee7dcc9e9fcb97");
}

static void test_hmac_agrees_with_openssl_hmac_and_depends_on_key_and_data(void **state)
{
	uint8_t key[SECRET_LEN], other_key[SECRET_LEN], data[300];
	uint8_t ours[32], theirs[32], changed[32];
	unsigned int n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	for (int i = 0; i < SECRET_LEN; i++) {
		key[i] = (uint8_t)(255 - i);
		other_key[i] = key[i];
	}
	other_key[SECRET_LEN - 1] ^= 1; /* the last key byte counts too */
	for (size_t len = 0; len <= sizeof(data); len += 37) {
		assert_int_equal(secret_hmac(key, data, len, ours), HR_OK);
		assert_non_null(HMAC(EVP_sha256(), key, SECRET_LEN, data, len, theirs, &n));
		assert_int_equal(n, 32);
		assert_memory_equal(ours, theirs, 32);
		assert_int_equal(secret_hmac(other_key, data, len, changed), HR_OK);
		assert_memory_not_equal(ours, changed, 32);
	}
	/* one more byte of data changes the result */
	assert_int_equal(secret_hmac(key, data, 36, ours), HR_OK);
	assert_int_equal(secret_hmac(key, data, 37, changed), HR_OK);
	assert_memory_not_equal(ours, changed, 32);
}

static void test_a_secret_from_disk_gives_the_same_hmac_after_a_restart(void **state)
{
	char path[512];
	uint8_t first[SECRET_LEN], second[SECRET_LEN], a[32], b[32];

	(void)state;
	tk_dir_path(path, sizeof(path), "restart.key");
	assert_int_equal(secret_load_or_create(path, first, NULL), HR_OK);
	assert_int_equal(secret_hmac(first, "UA:3012345670", 13, a), HR_OK);
	assert_int_equal(secret_load_or_create(path, second, NULL), HR_OK);
	assert_int_equal(secret_hmac(second, "UA:3012345670", 13, b), HR_OK);
	assert_memory_equal(a, b, 32);
}

/* ---- secret_key: the seam, and the MACs it remembers ---- */

/* A key that remembers two slots, asked for many more data than that: every
 * answer, remembered, displaced or fresh, is the HMAC of its own data. */
static void test_remembered_macs_are_always_the_datas_own(void **state)
{
	char path[512], data[32];
	uint8_t raw[SECRET_LEN], mac[32], expected[32];
	struct secret_key *key = NULL;

	(void)state;
	tk_dir_path(path, sizeof(path), "person.key");
	assert_int_equal(secret_key_open(path, &key, NULL), HR_OK);
	assert_int_equal(secret_load_or_create(path, raw, NULL), HR_OK);
	assert_int_equal(secret_key_remember(key, 2), HR_OK);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 50; i++) {
			int n = snprintf(data, sizeof(data), "UA:%010d", i * 7919);
			assert_int_equal(secret_key_hmac(key, data, (size_t)n, mac, NULL), HR_OK);
			assert_int_equal(secret_hmac(raw, data, (size_t)n, expected), HR_OK);
			assert_memory_equal(mac, expected, 32);
		}
	}
	secret_key_free(key);
}

static void test_secret_key_refuses_more_than_it_may_mac(void **state)
{
	char path[512];
	static uint8_t big[SECRET_KEY_DATA_MAX + 1];
	uint8_t mac[32];
	struct secret_key *key = NULL;
	struct hr_error err = {0};

	(void)state;
	tk_dir_path(path, sizeof(path), "content.key");
	assert_int_equal(secret_key_open(path, &key, NULL), HR_OK);
	assert_int_equal(secret_key_hmac(key, big, sizeof(big), mac, &err), HR_E_TOO_LARGE);
	assert_int_equal(secret_key_hmac(key, big, sizeof(big) - 1, mac, NULL), HR_OK);
	secret_key_free(key);
}

#define T(name) cmocka_unit_test_setup_teardown(name, tk_dir_setup, tk_dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_creates_a_32_byte_file_with_mode_0600_whatever_the_umask),
	    T(test_two_new_secrets_differ),
	    T(test_an_existing_secret_is_read_back_unchanged),
	    T(test_a_secret_written_by_someone_else_is_used_as_is),
	    T(test_short_files_are_refused_and_left_alone),
	    T(test_a_missing_directory_is_an_io_error_naming_the_path),
	    T(test_a_path_through_a_regular_file_is_an_io_error),
	    T(test_a_directory_in_place_of_the_file_is_refused),
	    T(test_concurrent_first_starts_agree_on_one_secret),
	    T(test_hmac_matches_independently_computed_values),
	    T(test_hmac_agrees_with_openssl_hmac_and_depends_on_key_and_data),
	    T(test_a_secret_from_disk_gives_the_same_hmac_after_a_restart),
	    T(test_remembered_macs_are_always_the_datas_own),
	    T(test_secret_key_refuses_more_than_it_may_mac),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
