/*
 * test_key_isolation.c — private keys live only in the key process (issue 13,
 * keyproc/keyproc.h), seen from outside a running `hromada up`:
 *
 *  - after real traffic (documents fetched and signed), the memory of the
 *    network-facing process, read through /proc/PID/mem, holds no private key
 *    of the state directory: not its scalar in either byte order, not a line
 *    of its PEM text, not the pseudonym HMAC keys (which never lie in an audit
 *    log's directory); and the same scan of the same platform started with
 *    keys.process=false finds them, so the scan is able to;
 *  - the key process killed mid-traffic: requests that need a signature fail
 *    cleanly with a JSON 503, everything else keeps answering, and a new key
 *    process with the same keys serves again after the restart delay.
 */
#include "testkit/testkit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/http_client.h"
#include "e2e/slice.h"

#define PATTERNS_MAX 1024
#define PATTERN_LEN  32 /* bytes of a pattern compared: a P-256 scalar, a PEM line */
#define CHUNK        (4u << 20)
#define SHADOW_SIZE  (64ul << 30)

struct pattern {
	uint8_t bytes[PATTERN_LEN];
	char what[1200];
};

static struct slice_platform platform;
static struct http_client *http;
static struct pattern patterns[PATTERNS_MAX];
static size_t pattern_count;
static size_t hmac_keys;         /* person.key, content.key, wallet.key files found */
static uint8_t first_pair[8192]; /* a bit per first two bytes of a pattern */

static void pattern_add(const uint8_t *bytes, const char *what, const char *path)
{
	struct pattern *p;

	assert_true(pattern_count < PATTERNS_MAX);
	p = &patterns[pattern_count++];
	memcpy(p->bytes, bytes, PATTERN_LEN);
	snprintf(p->what, sizeof(p->what), "%s of %s", what, path);
	first_pair[(bytes[0] << 5) | (bytes[1] >> 3)] |= (uint8_t)(1u << (bytes[1] & 7));
}

/* The private scalar in both byte orders, and the first body line of the PEM. */
static void patterns_of_key_file(const char *path)
{
	char text[16384], *line;
	uint8_t be[66], le[66];
	BIGNUM *d = NULL;
	EVP_PKEY *key;
	FILE *f = fopen(path, "r");
	size_t n;
	int width;

	if (f == NULL)
		return;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	if (strstr(text, "PRIVATE KEY-----") == NULL)
		return;
	f = fmemopen(text, n, "r");
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(key);
	assert_int_equal(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
	width = (EVP_PKEY_get_bits(key) + 7) / 8;
	assert_true(width >= PATTERN_LEN && width <= (int)sizeof(be));
	assert_int_equal(BN_bn2binpad(d, be, width), width);
	for (int i = 0; i < width; i++)
		le[i] = be[width - 1 - i];
	pattern_add(be, "the scalar (big-endian)", path);
	pattern_add(le, "the scalar (little-endian)", path);
	/* the second line of the base64 body: the first starts with the same
	 * ASN.1 header in every key of a curve, the second is all key */
	line = strchr(strstr(text, "PRIVATE KEY-----"), '\n');
	assert_non_null(line);
	line = strchr(line + 1, '\n');
	assert_non_null(line);
	assert_true(strlen(line + 1) > PATTERN_LEN);
	pattern_add((const uint8_t *)line + 1, "a line of the PEM text", path);
	BN_clear_free(d);
	EVP_PKEY_free(key);
}

/* The pseudonym keys: 32 raw bytes, kept out of the directories others copy. */
static void patterns_of_hmac_key(const char *path, const char *dir)
{
	uint8_t key[PATTERN_LEN];
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fread(key, 1, sizeof(key), f), sizeof(key));
	fclose(f);
	if (strstr(dir, "/audit") != NULL)
		fail_msg("%s lies in the audit log's directory, which auditors copy", path);
	pattern_add(key, "the HMAC key", path);
	hmac_keys++;
}

static void collect_key_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			collect_key_files(path);
		else if (S_ISREG(st.st_mode) && st.st_size < 16384 && strstr(e->d_name, ".pem"))
			patterns_of_key_file(path);
		else if (S_ISREG(st.st_mode) && st.st_size == PATTERN_LEN &&
			 (strcmp(e->d_name, "person.key") == 0 ||
			  strcmp(e->d_name, "content.key") == 0 ||
			  strcmp(e->d_name, "wallet.key") == 0))
			patterns_of_hmac_key(path, dir);
	}
	closedir(d);
}

static const struct pattern *match_at(const uint8_t *at)
{
	if (!(first_pair[(at[0] << 5) | (at[1] >> 3)] & (1u << (at[1] & 7))))
		return NULL;
	for (size_t i = 0; i < pattern_count; i++)
		if (memcmp(at, patterns[i].bytes, PATTERN_LEN) == 0)
			return &patterns[i];
	return NULL;
}

/* Every readable mapping of pid, through /proc/PID/mem; the first key found, or
 * NULL. *scanned gets the bytes read, so a scan that read nothing fails. */
static const struct pattern *scan_process(pid_t pid, size_t *scanned)
{
	char path[64], line[512];
	uint8_t *buf = malloc(CHUNK + PATTERN_LEN);
	const struct pattern *found = NULL;
	FILE *maps;
	int mem;

	assert_non_null(buf);
	*scanned = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	mem = open(path, O_RDONLY);
	assert_non_null(maps);
	assert_true(mem >= 0);
	while (found == NULL && fgets(line, sizeof(line), maps) != NULL) {
		unsigned long start, end;
		char perms[8];

		/* a sanitizer's shadow memory is terabytes of readable zero pages; no
		 * heap, stack or file mapping of ours comes near SHADOW_SIZE */
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3 || perms[0] != 'r' ||
		    strstr(line, "[vvar]") || strstr(line, "[vsyscall]") ||
		    end - start > SHADOW_SIZE)
			continue;
		for (unsigned long at = start; at < end && found == NULL; at += CHUNK) {
			size_t want =
			    end - at > CHUNK + PATTERN_LEN ? CHUNK + PATTERN_LEN : end - at;
			ssize_t n = pread(mem, buf, want, (off_t)at);
			if (n < PATTERN_LEN)
				break;
			*scanned += (size_t)n;
			for (ssize_t i = 0; i + PATTERN_LEN <= n && found == NULL; i++)
				found = match_at(buf + i);
		}
	}
	fclose(maps);
	close(mem);
	free(buf);
	return found;
}

/* The children of pid whose command line says `keyproc`. */
static pid_t key_process_of(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL && found == 0) {
		char path[300], stat_line[512], cmdline[256];
		int pid = atoi(e->d_name), ppid = 0;
		FILE *f;
		size_t n;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(stat_line, sizeof(stat_line), f) == NULL ||
		    sscanf(strrchr(stat_line, ')') + 1, " %*c %d", &ppid) != 1)
			ppid = 0;
		fclose(f);
		if (ppid != (int)parent)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		n = fread(cmdline, 1, sizeof(cmdline) - 1, f);
		fclose(f);
		cmdline[n] = 0;
		if (n > strlen(cmdline) + 1 &&
		    strcmp(cmdline + strlen(cmdline) + 1, "keyproc") == 0)
			found = pid;
	}
	closedir(d);
	return found;
}

static const char *wallet_url(void)
{
	return slice_endpoint(&platform, "UA", "wallet");
}

/* A citizen fetching a document: the registry, the gateway and the wallet
 * each sign on the way. Returns the status. */
static long fetch_document(struct device *d, json_t **answer)
{
	return device_call(d, http, "GET", "/v1/documents/id_card", NULL, true, NULL, NULL, 0,
			   answer);
}

static void enrolled_citizen(struct device *d)
{
	json_t *citizen = slice_citizen_with(platform.demo, "UA", "id_card");

	assert_non_null(citizen);
	device_init(d, json_string_value(json_object_get(citizen, "person")), wallet_url());
	device_enrol(d, http, platform.state);
}

static int setup(void **unused)
{
	char *extra[] = {"--set", "keys.restart_delay_ms=3000", NULL};
	struct http_client_options o;

	(void)unused;
	slice_platform_start(&platform, extra);
	http_client_options_default(&o);
	http = http_client_new(&o);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	http_client_free(http);
	return slice_platform_stop(&platform);
}

static void test_no_private_key_in_network_process_memory(void **unused)
{
	const struct pattern *found;
	struct device d;
	json_t *answer = NULL;
	size_t scanned = 0;
	char *in_process[] = {"--set", "keys.process=false", NULL};

	(void)unused;
	/* traffic first: every kind of key is used (documents, members, tree heads) */
	enrolled_citizen(&d);
	assert_int_equal(fetch_document(&d, &answer), 200);
	json_decref(answer);
	device_clear(&d);
	collect_key_files(platform.state);
	assert_true(pattern_count >= 3 * 20); /* a platform has dozens of keys */
	assert_true(hmac_keys >= 3 * 2);      /* per country: person, content, wallet */
	assert_true(key_process_of(platform.pid) > 0);
	found = scan_process(platform.pid, &scanned);
	if (found != NULL)
		fail_msg("the network-facing process %d holds %s", (int)platform.pid, found->what);
	assert_true(scanned > 16u << 20);
	printf("scanned %zu MiB of pid %d for %zu patterns of %zu private keys and %zu HMAC keys: "
	       "none\n",
	       scanned >> 20, (int)platform.pid, pattern_count, (pattern_count - hmac_keys) / 3,
	       hmac_keys);

	/* the same platform with its keys in-process: the scan finds them */
	assert_int_equal(slice_platform_halt(&platform), 0);
	slice_platform_restart(&platform, in_process);
	assert_int_equal(key_process_of(platform.pid), 0);
	enrolled_citizen(&d);
	assert_int_equal(fetch_document(&d, &answer), 200);
	json_decref(answer);
	device_clear(&d);
	found = scan_process(platform.pid, &scanned);
	assert_non_null(found);
	printf("with keys.process=false the scan finds %s\n", found->what);
	assert_int_equal(slice_platform_halt(&platform), 0);
	slice_platform_restart(&platform, (char *[]){"--set", "keys.restart_delay_ms=3000", NULL});
}

static bool log_has(const char *needle)
{
	char where[512];

	return tk_tree_contains(platform.logfile, needle, where, sizeof(where));
}

static void test_killed_key_process_gives_503_and_comes_back(void **unused)
{
	struct http_client_response response;
	struct device d;
	json_t *answer = NULL, *error;
	pid_t before, after = 0;
	char url[512];
	long status = 0;

	(void)unused;
	enrolled_citizen(&d);
	assert_int_equal(fetch_document(&d, &answer), 200);
	json_decref(answer);
	before = key_process_of(platform.pid);
	assert_true(before > 0);

	assert_int_equal(kill(before, SIGKILL), 0);
	usleep(100 * 1000);
	/* within the 3 s restart delay: a signature is needed, none can be made */
	status = fetch_document(&d, &answer);
	assert_int_equal(status, 503);
	error = json_object_get(answer, "error");
	assert_non_null(error);
	{
		char *text = json_dumps(answer, 0);
		printf("while the key process is down: %ld %s\n", status, text);
		free(text);
	}
	json_decref(answer);
	/* nothing else broke: the process answers what needs no signature */
	http_client_response_init(&response);
	snprintf(url, sizeof(url), "%s/healthz", wallet_url());
	assert_int_equal(http_client_get(http, url, &response, NULL), HR_OK);
	assert_int_equal(response.status, 200);
	http_client_response_clear(&response);
	assert_int_equal(kill(platform.pid, 0), 0);

	/* and it comes back with the same keys */
	for (int i = 0; i < 100 && status != 200; i++) {
		usleep(100 * 1000);
		answer = NULL;
		status = fetch_document(&d, &answer);
		json_decref(answer);
	}
	assert_int_equal(status, 200);
	after = key_process_of(platform.pid);
	assert_true(after > 0 && after != before);
	assert_true(log_has("event=keyproc.died"));
	assert_true(log_has("event=keyproc.restarted"));
	device_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_private_key_in_network_process_memory),
	    cmocka_unit_test(test_killed_key_process_gives_503_and_comes_back),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
