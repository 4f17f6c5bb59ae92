/*
 * test_audit.c — the gateway's audit seam (src/gateway/audit.h) as it is
 * today: one structured log line per exchange. The log is captured through
 * log_set_fd() into an unlinked temporary file and parsed key by key (quoted
 * values unescaped), so the tests read what an operator's log would hold.
 *
 * Pinned down: person.key is created (32 bytes, mode 0600) when missing and
 * reused when present; the person is recorded only as HMAC-SHA-256 under that
 * key (checked against OpenSSL's HMAC), stable for one key and different under
 * another; the person never appears in clear in the log or in the audit
 * directory; every field of the entry is recorded, and data from outside can
 * neither split the line nor forge a field; a record is either written or
 * audit_record() fails, whatever the log level and whether or not the write
 * succeeds (the gateway answers only when the record was kept).
 */
#include "testkit/testkit.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/log.h"
#include "gateway/audit.h"

#define PERSON    "UA:3012345670"
#define PERSON_PL "PL:44051401359"
#define CLIENT    "UA/GOV/43395033/wallet"
#define PROVIDER  "UA/GOV/00015622/driver_licence"
#define NOW       1764000000

static char dir[256];
static int capture_fd = -1;

static int setup(void **state)
{
	char path[] = "/tmp/hromada-test-audit-XXXXXX";

	(void)state;
	tk_tmpdir(dir);
	capture_fd = mkstemp(path);
	if (capture_fd < 0)
		return -1;
	unlink(path);
	fcntl(capture_fd, F_SETFL, O_APPEND);
	log_set_fd(capture_fd);
	log_set_level(LOG_LEVEL_INFO);
	log_scope_set_role(NULL);
	log_scope_set_request_id(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_set_fd(2);
	log_set_level(LOG_LEVEL_INFO);
	close(capture_fd);
	capture_fd = -1;
	tk_rmrf(dir);
	return 0;
}

/* Everything logged since the last call (NUL-terminated, caller frees). */
static char *take_output(void)
{
	off_t end = lseek(capture_fd, 0, SEEK_END);
	char *text;

	assert_true(end >= 0);
	text = malloc((size_t)end + 1);
	assert_non_null(text);
	assert_int_equal(pread(capture_fd, text, (size_t)end, 0), end);
	text[end] = 0;
	assert_int_equal(ftruncate(capture_fd, 0), 0);
	lseek(capture_fd, 0, SEEK_SET);
	return text;
}

static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (const char *p = text; *p; p++)
		n += *p == '\n';
	return n;
}

/*
 * The value of key in one log line (up to its '\n'), unquoted and unescaped as
 * log.h writes it, into out; returns how many times the key occurs as a key.
 */
static int field(const char *line, const char *key, char *out, size_t size)
{
	const char *p = line;
	int found = 0;

	if (out != NULL && size > 0)
		out[0] = 0;
	while (*p && *p != '\n') {
		const char *k = p;
		size_t klen, n = 0;
		char value[LOG_LINE_MAX];

		while (*p && *p != '=' && *p != ' ' && *p != '\n')
			p++;
		if (*p != '=')
			fail_msg("not key=value at '%.40s'", k);
		klen = (size_t)(p - k);
		p++;
		if (*p == '"') {
			for (p++; *p && *p != '"' && *p != '\n'; p++) {
				if (*p == '\\' && p[1] == 'x' && p[2] && p[3]) {
					char hex[3] = {p[2], p[3], 0};
					value[n++] = (char)strtol(hex, NULL, 16);
					p += 3;
				} else if (*p == '\\' && p[1]) {
					value[n++] = *++p;
				} else {
					value[n++] = *p;
				}
			}
			if (*p != '"')
				fail_msg("unterminated quoted value after '%.*s'", (int)klen, k);
			p++;
		} else {
			while (*p && *p != ' ' && *p != '\n')
				value[n++] = *p++;
		}
		value[n] = 0;
		if (klen == strlen(key) && strncmp(k, key, klen) == 0) {
			if (found == 0 && out != NULL)
				snprintf(out, size, "%s", value);
			found++;
		}
		if (*p == ' ')
			p++;
	}
	return found;
}

static void hex_of(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static void expected_hmac(const uint8_t key[32], const char *person, char out[65])
{
	uint8_t mac[32];
	unsigned int n = 0;

	assert_non_null(
	    HMAC(EVP_sha256(), key, 32, (const uint8_t *)person, strlen(person), mac, &n));
	assert_int_equal(n, 32);
	hex_of(mac, 32, out);
}

static struct audit_entry entry_for(const char *person)
{
	struct audit_entry e = {CLIENT,   PROVIDER,
				"lookup", "citizen-wallet",
				NULL,     "consent-jti-7",
				"self",   "wallet request 9f3c",
				person,   NOW,
				{0},      {0},
				200};

	for (int i = 0; i < 32; i++) {
		e.request_hash[i] = (uint8_t)i;
		e.response_hash[i] = (uint8_t)(0xff - i);
	}
	return e;
}

static struct audit *open_in(const char *where)
{
	struct audit *a = NULL;
	struct hr_error err = {0};

	if (audit_open(where, &a, &err) != HR_OK)
		fail_msg("audit_open %s: %s", where, err.message);
	assert_non_null(a);
	return a;
}

/* Records one entry for person and returns its person_hmac value. */
static void record_person(struct audit *a, const char *person, char out[65])
{
	struct audit_entry e = entry_for(person);
	char *text;

	assert_int_equal(audit_record(a, &e, NULL), HR_OK);
	text = take_output();
	assert_int_equal(count_lines(text), 1);
	assert_int_equal(field(text, "person_hmac", out, 65), 1);
	free(text);
}

static void key_path(const char *where, char *out, size_t size)
{
	snprintf(out, size, "%s/person.key", where);
}

/* ---- person.key ---- */

static void test_open_creates_a_person_key_of_32_bytes_mode_0600(void **state)
{
	char path[512];
	struct stat st;
	struct audit *a;

	(void)state;
	key_path(dir, path, sizeof(path));
	assert_int_not_equal(stat(path, &st), 0);
	a = open_in(dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	audit_close(a);
}

static void test_open_reuses_the_person_key_it_finds(void **state)
{
	uint8_t key[32];
	char path[512], want[65], got[65];
	char *before, *after;
	size_t before_len = 0, after_len = 0;
	struct audit *a;
	int fd;

	(void)state;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(3 * i + 1);
	key_path(dir, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, key, 32), 32);
	close(fd);
	before = tk_read_file(path, &before_len);
	a = open_in(dir);
	/* the person is HMAC-SHA-256 of the id under exactly that key */
	record_person(a, PERSON, got);
	expected_hmac(key, PERSON, want);
	assert_string_equal(got, want);
	record_person(a, PERSON_PL, got);
	expected_hmac(key, PERSON_PL, want);
	assert_string_equal(got, want);
	audit_close(a);
	/* and the key was left as it was */
	after = tk_read_file(path, &after_len);
	assert_int_equal(before_len, 32);
	assert_int_equal(after_len, 32);
	assert_memory_equal(before, after, 32);
	free(before);
	free(after);
}

static void test_the_person_hash_is_the_hmac_under_the_created_key(void **state)
{
	char path[512], want[65], got[65];
	char *key;
	size_t len = 0;
	struct audit *a = open_in(dir);

	(void)state;
	key_path(dir, path, sizeof(path));
	key = tk_read_file(path, &len);
	assert_non_null(key);
	assert_int_equal(len, 32);
	record_person(a, PERSON, got);
	expected_hmac((const uint8_t *)key, PERSON, want);
	assert_string_equal(got, want);
	free(key);
	audit_close(a);
}

static void test_open_fails_without_a_usable_key(void **state)
{
	char missing[512], path[512];
	struct audit *a = (struct audit *)1;
	struct hr_error err = {0};

	(void)state;
	/* an audit directory that does not exist */
	snprintf(missing, sizeof(missing), "%s/no-such-dir", dir);
	assert_int_not_equal(audit_open(missing, &a, &err), HR_OK);
	assert_null(a);
	assert_non_null(strstr(err.message, missing));
	/* a damaged key is reported, not replaced (that would change every hash) */
	key_path(dir, path, sizeof(path));
	assert_true(tk_write_file(path, "short"));
	a = (struct audit *)1;
	memset(&err, 0, sizeof(err));
	assert_int_not_equal(audit_open(dir, &a, &err), HR_OK);
	assert_null(a);
	assert_non_null(strstr(err.message, path));
	{
		size_t len = 0;
		char *text = tk_read_file(path, &len);
		assert_non_null(text);
		assert_string_equal(text, "short");
		free(text);
	}
}

/* ---- the person hash ---- */

static void test_the_person_hash_is_stable_for_one_key(void **state)
{
	char first[65], again[65], other[65], reopened[65];
	struct audit *a = open_in(dir);

	(void)state;
	record_person(a, PERSON, first);
	assert_int_equal(strlen(first), 64);
	assert_int_equal(strspn(first, "0123456789abcdef"), 64);
	record_person(a, PERSON, again);
	assert_string_equal(first, again);
	record_person(a, PERSON_PL, other);
	assert_string_not_equal(first, other);
	record_person(a, "UA:3012345687", other);
	assert_string_not_equal(first, other);
	audit_close(a);
	/* a restart reads the same key: the same person, the same hash */
	a = open_in(dir);
	record_person(a, PERSON, reopened);
	assert_string_equal(first, reopened);
	audit_close(a);
}

static void test_the_person_hash_differs_across_keys(void **state)
{
	char other_dir[256], here[65], there[65], plain[65];
	uint8_t digest[32];
	unsigned int n = 0;
	struct audit *a, *b;

	(void)state;
	tk_tmpdir(other_dir);
	a = open_in(dir);
	b = open_in(other_dir);
	record_person(a, PERSON, here);
	record_person(b, PERSON, there);
	assert_string_not_equal(here, there);
	/* and it is keyed: not the plain SHA-256 anyone could recompute */
	assert_int_equal(EVP_Digest(PERSON, strlen(PERSON), digest, &n, EVP_sha256(), NULL), 1);
	hex_of(digest, 32, plain);
	assert_string_not_equal(here, plain);
	assert_string_not_equal(there, plain);
	audit_close(a);
	audit_close(b);
	tk_rmrf(other_dir);
}

/* ---- what a record holds ---- */

static void test_a_record_is_one_line_with_every_field(void **state)
{
	struct audit *a = open_in(dir);
	struct audit_entry e = entry_for(PERSON);
	char value[LOG_LINE_MAX], hex[65], *text;

	(void)state;
	e.legal_basis = "Law of Ukraine \"On the National Police\", Art. 32";
	e.consent_id = NULL;
	e.client = "UA/GOV/00032684/police";
	e.user = "UA:officer-1234";
	e.issue = "road check 2026/117";
	e.status = 404;
	e.time = NOW + 17;
	assert_int_equal(audit_record(a, &e, NULL), HR_OK);
	text = take_output();
	assert_int_equal(count_lines(text), 1);
	assert_int_equal(field(text, "event", value, sizeof(value)), 1);
	assert_string_equal(value, "audit.exchange");
	assert_int_equal(field(text, "client", value, sizeof(value)), 1);
	assert_string_equal(value, "UA/GOV/00032684/police");
	assert_int_equal(field(text, "provider", value, sizeof(value)), 1);
	assert_string_equal(value, PROVIDER);
	assert_int_equal(field(text, "service", value, sizeof(value)), 1);
	assert_string_equal(value, "lookup");
	assert_int_equal(field(text, "purpose", value, sizeof(value)), 1);
	assert_string_equal(value, "citizen-wallet");
	assert_int_equal(field(text, "legal_basis", value, sizeof(value)), 1);
	assert_string_equal(value, "Law of Ukraine \"On the National Police\", Art. 32");
	assert_int_equal(field(text, "user", value, sizeof(value)), 1);
	assert_string_equal(value, "UA:officer-1234");
	assert_int_equal(field(text, "issue", value, sizeof(value)), 1);
	assert_string_equal(value, "road check 2026/117");
	assert_int_equal(field(text, "time", value, sizeof(value)), 1);
	assert_string_equal(value, "1764000017");
	assert_int_equal(field(text, "status", value, sizeof(value)), 1);
	assert_string_equal(value, "404");
	assert_int_equal(field(text, "request_hmac", value, sizeof(value)), 1);
	hex_of(e.request_hash, 32, hex);
	assert_string_equal(value, hex);
	assert_int_equal(field(text, "response_hmac", value, sizeof(value)), 1);
	hex_of(e.response_hash, 32, hex);
	assert_string_equal(value, hex);
	assert_int_equal(field(text, "person_hmac", value, sizeof(value)), 1);
	assert_int_equal(strlen(value), 64);
	/* under a legal basis there is no consent id */
	field(text, "consent", value, sizeof(value));
	assert_true(value[0] == 0 || strcmp(value, "-") == 0);
	free(text);

	/* with consent: its id is recorded */
	e = entry_for(PERSON);
	assert_int_equal(audit_record(a, &e, NULL), HR_OK);
	text = take_output();
	assert_int_equal(field(text, "consent", value, sizeof(value)), 1);
	assert_string_equal(value, "consent-jti-7");
	field(text, "legal_basis", value, sizeof(value));
	assert_true(value[0] == 0 || strcmp(value, "-") == 0);
	free(text);
	audit_close(a);
}

static void test_each_exchange_is_its_own_record(void **state)
{
	struct audit *a = open_in(dir);
	struct audit_entry e = entry_for(PERSON);
	char *text, *line;
	int statuses = 0;

	(void)state;
	for (unsigned i = 0; i < 5; i++) {
		e.status = 200 + i;
		assert_int_equal(audit_record(a, &e, NULL), HR_OK);
	}
	text = take_output();
	assert_int_equal(count_lines(text), 5);
	line = text;
	for (unsigned i = 0; i < 5; i++) {
		char value[32], want[32];
		snprintf(want, sizeof(want), "%u", 200 + i);
		field(line, "status", value, sizeof(value));
		statuses += strcmp(value, want) == 0;
		line = strchr(line, '\n') + 1;
	}
	assert_int_equal(statuses, 5);
	free(text);
	audit_close(a);
}

static void test_a_record_without_a_person_has_no_person_hash(void **state)
{
	struct audit *a = open_in(dir);
	struct audit_entry e = entry_for(NULL);
	char value[80], *text;

	(void)state;
	e.service = "status";
	assert_int_equal(audit_record(a, &e, NULL), HR_OK);
	text = take_output();
	assert_int_equal(count_lines(text), 1);
	field(text, "person_hmac", value, sizeof(value));
	assert_true(value[0] == 0 || strcmp(value, "-") == 0);
	free(text);
	audit_close(a);
}

/* ---- never the person in clear ---- */

static bool contains(const char *haystack, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0 || len < n)
		return false;
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(haystack + i, needle, n) == 0)
			return true;
	return false;
}

/* Fails if any file under path holds any of the needles. */
static void assert_no_file_holds(const char *path, const char *const *needles, size_t count)
{
	DIR *d = opendir(path);
	struct dirent *ent;

	assert_non_null(d);
	while ((ent = readdir(d)) != NULL) {
		char full[1024];
		struct stat st;
		char *text;
		size_t len = 0;

		if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, ent->d_name);
		assert_int_equal(stat(full, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			assert_no_file_holds(full, needles, count);
			continue;
		}
		text = tk_read_file(full, &len);
		assert_non_null(text);
		for (size_t i = 0; i < count; i++)
			if (contains(text, len, needles[i]))
				fail_msg("%s holds '%s'", full, needles[i]);
		free(text);
	}
	closedir(d);
}

static void test_the_person_never_appears_in_clear(void **state)
{
	static const char *const people[] = {PERSON, PERSON_PL, "UA:2987654320"};
	/* the ids, their bare numbers, and their bytes in hex */
	static const char *const needles[] = {
	    PERSON,
	    "3012345670",
	    PERSON_PL,
	    "44051401359",
	    "UA:2987654320",
	    "2987654320",
	    "55413a33303132333435363730",
	};
	struct audit *a = open_in(dir);
	char *text;

	(void)state;
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < 3; i++) {
			struct audit_entry e = entry_for(people[i]);
			e.legal_basis = round ? "a legal basis" : NULL;
			e.consent_id = round ? NULL : "jti";
			e.status = round ? 404 : 200;
			assert_int_equal(audit_record(a, &e, NULL), HR_OK);
		}
	}
	audit_close(a);
	text = take_output();
	assert_int_equal(count_lines(text), 6);
	for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		if (contains(text, strlen(text), needles[i]))
			fail_msg("the log holds '%s': %s", needles[i], text);
	free(text);
	assert_no_file_holds(dir, needles, sizeof(needles) / sizeof(needles[0]));
}

/* ---- the line cannot be split or forged ---- */

static void test_outside_data_cannot_split_the_record_or_forge_a_field(void **state)
{
	struct audit *a = open_in(dir);
	struct audit_entry e = entry_for(PERSON);
	char want[65], value[LOG_LINE_MAX], *text;
	uint8_t key[32];
	char path[512], *key_text;
	size_t len = 0;

	(void)state;
	e.user = "officer person_hmac=0000 status=200";
	e.issue = "case 1\nts=2026-01-01T00:00:00.000Z level=info event=audit.exchange "
		  "person_hmac=forged";
	e.purpose = "\"quoted\" \\ purpose";
	assert_int_equal(audit_record(a, &e, NULL), HR_OK);
	text = take_output();
	assert_int_equal(count_lines(text), 1);
	assert_int_equal(field(text, "event", value, sizeof(value)), 1);
	assert_int_equal(field(text, "status", value, sizeof(value)), 1);
	assert_string_equal(value, "200");
	/* the only person_hmac is the real one */
	key_path(dir, path, sizeof(path));
	key_text = tk_read_file(path, &len);
	assert_non_null(key_text);
	memcpy(key, key_text, 32);
	free(key_text);
	expected_hmac(key, PERSON, want);
	assert_int_equal(field(text, "person_hmac", value, sizeof(value)), 1);
	assert_string_equal(value, want);
	/* and the values come back intact */
	field(text, "user", value, sizeof(value));
	assert_string_equal(value, e.user);
	field(text, "issue", value, sizeof(value));
	assert_string_equal(value, e.issue);
	field(text, "purpose", value, sizeof(value));
	assert_string_equal(value, e.purpose);
	free(text);
	audit_close(a);
}

/* ---- concurrency ---- */

struct race {
	struct audit *audit;
	int thread;
	hr_status rc;
};

static void *race_run(void *arg)
{
	struct race *r = arg;
	char user[32];

	for (int i = 0; i < 200; i++) {
		struct audit_entry e = entry_for(i % 2 ? PERSON : PERSON_PL);
		snprintf(user, sizeof(user), "t%d-%d", r->thread, i);
		e.user = user;
		if (audit_record(r->audit, &e, NULL) != HR_OK)
			r->rc = HR_E_STATE;
	}
	return NULL;
}

static void test_concurrent_records_stay_whole(void **state)
{
	struct audit *a = open_in(dir);
	struct race races[4];
	pthread_t threads[4];
	char *text, *line, hmac_ua[65] = "", hmac_pl[65] = "";
	size_t lines = 0;

	(void)state;
	for (int t = 0; t < 4; t++) {
		races[t] = (struct race){a, t, HR_OK};
		assert_int_equal(pthread_create(&threads[t], NULL, race_run, &races[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(threads[t], NULL);
		assert_int_equal(races[t].rc, HR_OK);
	}
	text = take_output();
	assert_int_equal(count_lines(text), 800);
	/* every line parses and carries one of the two hashes, consistently */
	for (line = text; *line; line = strchr(line, '\n') + 1) {
		char user[32], hmac[65];
		int thread, i;
		assert_int_equal(field(line, "user", user, sizeof(user)), 1);
		assert_int_equal(sscanf(user, "t%d-%d", &thread, &i), 2);
		assert_int_equal(field(line, "person_hmac", hmac, sizeof(hmac)), 1);
		if (i % 2) {
			if (hmac_ua[0] == 0)
				snprintf(hmac_ua, sizeof(hmac_ua), "%s", hmac);
			assert_string_equal(hmac, hmac_ua);
		} else {
			if (hmac_pl[0] == 0)
				snprintf(hmac_pl, sizeof(hmac_pl), "%s", hmac);
			assert_string_equal(hmac, hmac_pl);
		}
		lines++;
	}
	assert_int_equal(lines, 800);
	assert_string_not_equal(hmac_ua, hmac_pl);
	free(text);
	audit_close(a);
}

/* ---- no record, no answer ---- */

/*
 * The gateway answers only when audit_record() succeeds, so a success must mean
 * the record was kept: an operator quieting the log (hromada up --log-level
 * warn, [node] log_level) must not silently switch off the audit.
 */
static void test_a_record_is_kept_whatever_the_log_level(void **state)
{
	static const enum log_level levels[] = {LOG_LEVEL_WARN, LOG_LEVEL_ERROR, LOG_LEVEL_OFF};
	struct audit *a = open_in(dir);
	struct audit_entry e = entry_for(PERSON);
	const char *lost_at = NULL;
	char value[64], *text;

	(void)state;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		hr_status rc;

		log_set_level(levels[i]);
		rc = audit_record(a, &e, NULL);
		log_set_level(LOG_LEVEL_INFO);
		text = take_output();
		if (rc == HR_OK) {
			field(count_lines(text) == 1 ? text : "", "event", value, sizeof(value));
			if (strcmp(value, "audit.exchange") != 0 && lost_at == NULL)
				lost_at = log_level_name(levels[i]);
		}
		free(text);
	}
	audit_close(a);
	if (lost_at != NULL)
		fail_msg("audit_record succeeded at log level %s but recorded nothing", lost_at);
}

/* A record that could not be written is a failure the gateway must see. */
static void test_a_record_that_cannot_be_written_is_a_failure(void **state)
{
	struct audit *a = open_in(dir);
	struct audit_entry e = entry_for(PERSON);
	char path[512];
	int read_only, full;
	hr_status on_bad_fd, on_full_disk = HR_E_IO;

	(void)state;
	/* a descriptor the line cannot be written to (EBADF) */
	snprintf(path, sizeof(path), "%s/read-only.log", dir);
	assert_true(tk_write_file(path, ""));
	read_only = open(path, O_RDONLY);
	assert_true(read_only >= 0);
	log_set_fd(read_only);
	on_bad_fd = audit_record(a, &e, NULL);
	log_set_fd(capture_fd);
	close(read_only);
	/* a full disk (ENOSPC) */
	full = open("/dev/full", O_WRONLY);
	if (full >= 0) {
		log_set_fd(full);
		on_full_disk = audit_record(a, &e, NULL);
		log_set_fd(capture_fd);
		close(full);
	}
	audit_close(a);
	assert_int_not_equal(on_bad_fd, HR_OK);
	assert_int_not_equal(on_full_disk, HR_OK);
}

/* A body that names only a person must not be recoverable from its hash:
 * the content hash is keyed, stable under one key, and not plain SHA-256. */
static void test_body_hashes_are_keyed(void **state)
{
	static const char body[] = "{\"person\":\"UA:3012345670\"}";
	uint8_t keyed[32], again[32], plain[32], other[32];
	struct audit *a, *b;
	char where[300];
	unsigned n = 0;

	(void)state;
	a = open_in(dir);
	snprintf(where, sizeof(where), "%s/second", dir);
	assert_int_equal(mkdir(where, 0700), 0);
	b = open_in(where);
	assert_int_equal(audit_content_hash(a, body, strlen(body), keyed), HR_OK);
	assert_int_equal(audit_content_hash(a, body, strlen(body), again), HR_OK);
	assert_int_equal(audit_content_hash(b, body, strlen(body), other), HR_OK);
	assert_int_equal(EVP_Digest(body, strlen(body), plain, &n, EVP_sha256(), NULL), 1);
	assert_memory_equal(keyed, again, 32);
	assert_memory_not_equal(keyed, plain, 32);
	assert_memory_not_equal(keyed, other, 32);
	audit_close(a);
	audit_close(b);
}

/* A user or issue too long to keep whole is refused, never written cut short. */
static void test_an_overlong_user_or_issue_is_refused_not_cut(void **state)
{
	struct audit *a = open_in(dir);
	struct audit_entry e = entry_for("UA:3012345670");
	char issue[AUDIT_TEXT_MAX + 2];
	char *text;

	(void)state;
	memset(issue, 'x', sizeof(issue) - 1);
	issue[sizeof(issue) - 1] = 0;
	e.issue = issue;
	assert_int_not_equal(audit_record(a, &e, NULL), HR_OK);
	e.issue = NULL;
	e.user = issue;
	assert_int_not_equal(audit_record(a, &e, NULL), HR_OK);
	text = take_output();
	assert_int_equal(count_lines(text), 0);
	free(text);
	audit_close(a);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_open_creates_a_person_key_of_32_bytes_mode_0600),
	    T(test_open_reuses_the_person_key_it_finds),
	    T(test_the_person_hash_is_the_hmac_under_the_created_key),
	    T(test_open_fails_without_a_usable_key),
	    T(test_the_person_hash_is_stable_for_one_key),
	    T(test_the_person_hash_differs_across_keys),
	    T(test_a_record_is_one_line_with_every_field),
	    T(test_each_exchange_is_its_own_record),
	    T(test_a_record_without_a_person_has_no_person_hash),
	    T(test_the_person_never_appears_in_clear),
	    T(test_outside_data_cannot_split_the_record_or_forge_a_field),
	    T(test_concurrent_records_stay_whole),
	    T(test_a_record_is_kept_whatever_the_log_level),
	    T(test_a_record_that_cannot_be_written_is_a_failure),
	    T(test_body_hashes_are_keyed),
	    T(test_an_overlong_user_or_issue_is_refused_not_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
