/*
 * test_audit_integrity.c — the audit log as a citizen and an auditor rely on it
 * (issue 13), against a running `hromada up`:
 *
 *  - a request the gateway refuses (a bank with no access right: 403; an
 *    unsigned request: 401) leaves an entry in the log files ("refused" with
 *    the reason code; the unauthenticated caller's words are not kept), and
 *    the log still verifies;
 *  - a citizen's history whose entries are numbered per person ("seq") up to
 *    the entry of the reading itself ("this_read") passes the device's
 *    completeness check, and the same history with one entry left out, or
 *    with the newest entries cut, does not — while the older checks
 *    (signatures, proofs) still pass it;
 *  - `hromada device access-log` keeps the last signed tree head, follows the
 *    log with a consistency proof when it grew, and reports a split view
 *    (another head of the same size with another root, signed with the
 *    country's tree-head key, served by a wallet that lies) with exit 1.
 */
#include "testkit/testkit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "audit/access_history.h"
#include "audit/audit_entry.h"
#include "audit/audit_segment.h"
#include "audit/tree_head.h"
#include "core/http_client.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "e2e/slice.h"

#define POLICE   "UA/GOV/00032684/police"
#define BANK     "UA/COM/14360570/bank"
#define LICENCES "UA/GOV/00015622/driver_licence"
#define OUT_MAX  (1024 * 1024)

static struct slice_platform platform;
static struct http_client *http;

static int setup(void **unused)
{
	struct http_client_options o;

	(void)unused;
	slice_platform_start(&platform, NULL);
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

static const char *person_of(const json_t *citizen)
{
	return json_string_value(json_object_get(citizen, "person"));
}

static const char *keys_ua(void)
{
	static char keys[400];

	snprintf(keys, sizeof(keys), "%s/keys/UA", platform.state);
	return keys;
}

/* Every entry in the UA log's segment files, decoded (an array; caller decrefs). */
static json_t *log_entries(void)
{
	char path[700];
	json_t *all = json_array();
	size_t len = 0, at = 0;
	uint8_t *data;

	snprintf(path, sizeof(path), "%s/" AUDIT_SEGMENT_DIR "/00000000000000000000.seg",
		 slice_endpoint(&platform, "UA", "audit_dir"));
	data = (uint8_t *)tk_read_file(path, &len);
	assert_non_null(data);
	while (at < len) {
		struct audit_record record;
		json_t *fields = NULL;

		assert_int_equal(audit_record_check(data + at, len - at, &record), AUDIT_RECORD_OK);
		assert_int_equal(audit_entry_decode(record.entry, record.entry_len, &fields, NULL),
				 HR_OK);
		json_array_append_new(all, fields);
		at += record.size;
	}
	free(data);
	return all;
}

/* The newest entry with refused == code and client == client, or NULL. */
static const json_t *refused_entry(const json_t *entries, const char *code, const char *client)
{
	const json_t *e, *found = NULL;
	size_t i;

	json_array_foreach(entries, i, e)
	{
		const char *r = json_string_value(json_object_get(e, "refused"));
		const char *c = json_string_value(json_object_get(e, "client"));
		if (r != NULL && c != NULL && strcmp(r, code) == 0 && strcmp(c, client) == 0)
			found = e;
	}
	return found;
}

static void test_refused_request_is_in_the_audit_log(void **unused)
{
	json_t *citizen = slice_citizen_with(platform.demo, "UA", "driver_licence"), *entries;
	const json_t *denied, *unsigned_one;
	char body[128], url[600], audit_dir[600], *out = malloc(OUT_MAX);
	char *verify_argv[] = {(char *)tk_hromada_binary(), "audit", "verify", audit_dir, NULL};
	struct http_header headers[] = {{"Hromada-Client", POLICE},
					{"Hromada-Purpose", "free text of an unknown caller"},
					{"Hromada-User", "UA:nobody"}};
	struct member_request unsigned_request = {.keys_dir = keys_ua(),
						  .key_of = NULL,
						  .url = url,
						  .headers = headers,
						  .header_count = 3,
						  .body = body};
	struct http_client_response response;

	(void)unused;
	assert_non_null(out);
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", person_of(citizen));
	/* a bank with no access right to driving licences */
	assert_int_equal(member_lookup(http, keys_ua(), BANK,
				       slice_endpoint(&platform, "UA", "gateway"), LICENCES,
				       "lookup", "police-document-check", body, NULL),
			 403);
	/* an unsigned request claiming to be the police */
	snprintf(url, sizeof(url), "%s/x/%s/lookup", slice_endpoint(&platform, "UA", "gateway"),
		 LICENCES);
	assert_int_equal(member_send(http, &unsigned_request, &response), 401);
	http_client_response_clear(&response);

	entries = log_entries();
	denied = refused_entry(entries, "denied", BANK);
	if (denied == NULL)
		fail_msg("no refused entry for the bank in the log: %s",
			 json_dumps(entries, JSON_COMPACT));
	assert_int_equal(json_integer_value(json_object_get(denied, "status")), 403);
	assert_string_equal(json_string_value(json_object_get(denied, "provider")), LICENCES);
	/* refused before its body was read: the member, not whose data it wanted */
	assert_string_equal(json_string_value(json_object_get(denied, "purpose")),
			    "police-document-check");
	/* of an unauthenticated caller nothing it wrote is kept */
	unsigned_one = refused_entry(entries, "unauthorized", "-");
	assert_non_null(unsigned_one);
	assert_int_equal(json_integer_value(json_object_get(unsigned_one, "status")), 401);
	assert_string_equal(json_string_value(json_object_get(unsigned_one, "purpose")), "-");
	assert_string_equal(json_string_value(json_object_get(unsigned_one, "user")), "-");
	assert_null(json_object_get(unsigned_one, "person"));
	json_decref(entries);
	/* and the log, refusals and all, verifies */
	snprintf(audit_dir, sizeof(audit_dir), "%s", slice_endpoint(&platform, "UA", "audit_dir"));
	assert_int_equal(tk_run(verify_argv, out, OUT_MAX, 60000), 0);
	free(out);
}

static void test_omitted_entry_breaks_the_person_chain(void **unused)
{
	json_t *citizen = slice_citizen_with(platform.demo, "UA", "driver_licence"), *history,
	       *forged;
	char body[128], cert[700];
	struct hr_error err = {0};
	EVP_PKEY *key = NULL;
	struct device d;
	size_t checked = 0, n;

	(void)unused;
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", person_of(citizen));
	/* three police lookups and the citizen's own: a chain of several entries */
	for (int i = 0; i < 3; i++)
		assert_int_equal(member_lookup(http, keys_ua(), POLICE,
					       slice_endpoint(&platform, "UA", "gateway"), LICENCES,
					       "lookup", "police-document-check", body, NULL),
				 200);
	device_init(&d, person_of(citizen), slice_endpoint(&platform, "UA", "wallet"));
	device_enrol(&d, http, platform.state);
	assert_int_equal(
	    device_call(&d, http, "GET", "/v1/access-log", NULL, true, NULL, NULL, 0, &history),
	    200);
	snprintf(cert, sizeof(cert), "%s/tree-head.pem",
		 slice_endpoint(&platform, "UA", "audit_dir"));
	assert_int_equal(signer_cert_public_key_file(cert, &key, &err), HR_OK);
	/* the whole history: proofs hold, numbered without a gap down to 0 */
	if (access_history_check(history, key, &checked, &err) != HR_OK ||
	    access_history_check_complete(history, NULL, true, &err) != HR_OK)
		fail_msg("the served history does not pass: %s", err.message);
	n = json_array_size(json_object_get(history, "entries"));
	assert_true(n >= 4);
	assert_non_null(json_object_get(history, "this_read"));
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_object_get(json_array_get(json_object_get(history, "entries"), 0), "fields"),
		"seq")),
	    (json_int_t)n - 1);

	/* one entry in the middle left out: every remaining proof still holds ... */
	forged = json_deep_copy(history);
	json_array_remove(json_object_get(forged, "entries"), 1);
	assert_int_equal(access_history_check(forged, key, &checked, &err), HR_OK);
	/* ... but the chain has a gap */
	assert_int_equal(access_history_check_complete(forged, NULL, true, &err), HR_E_INVALID);
	assert_non_null(strstr(err.message, "left out"));
	json_decref(forged);

	/* the newest entries cut (the reading itself among them) */
	forged = json_deep_copy(history);
	json_array_remove(json_object_get(forged, "entries"), 0);
	json_array_remove(json_object_get(forged, "entries"), 0);
	assert_int_equal(access_history_check(forged, key, &checked, &err), HR_OK);
	assert_int_equal(access_history_check_complete(forged, NULL, true, &err), HR_E_INVALID);
	json_decref(forged);

	/* the oldest left out, with no page said to follow */
	forged = json_deep_copy(history);
	json_array_remove(json_object_get(forged, "entries"), n - 1);
	assert_int_equal(access_history_check_complete(forged, NULL, true, &err), HR_E_INVALID);
	json_decref(forged);

	/* another person's entry put in the place of one left out */
	forged = json_deep_copy(history);
	json_object_set_new(
	    json_object_get(json_array_get(json_object_get(forged, "entries"), 1), "fields"),
	    "person", json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	assert_int_equal(access_history_check_complete(forged, NULL, true, &err), HR_E_INVALID);
	json_decref(forged);

	EVP_PKEY_free(key);
	json_decref(history);
	device_clear(&d);
}

/* ---- a wallet that lies: one fixed answer to every request ---- */

struct liar {
	int listener;
	uint16_t port;
	char *answer;
	atomic_bool stop;
	pthread_t thread;
};

static void *liar_serve(void *arg)
{
	struct liar *l = arg;
	char request[16384], head[256];

	while (!atomic_load(&l->stop)) {
		int fd = accept(l->listener, NULL, NULL);
		size_t got = 0;

		if (fd < 0)
			continue;
		while (got < sizeof(request) - 1) {
			ssize_t n = read(fd, request + got, sizeof(request) - 1 - got);
			if (n <= 0)
				break;
			got += (size_t)n;
			request[got] = 0;
			if (strstr(request, "\r\n\r\n") != NULL)
				break;
		}
		snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 strlen(l->answer));
		if (write(fd, head, strlen(head)) < 0 ||
		    write(fd, l->answer, strlen(l->answer)) < 0)
			fprintf(stderr, "liar: write failed\n");
		close(fd);
	}
	return NULL;
}

static void liar_start(struct liar *l, const char *answer)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->answer = strdup(answer);
	atomic_init(&l->stop, false);
	l->listener = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l->listener >= 0);
	assert_int_equal(bind(l->listener, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l->listener, 8), 0);
	assert_int_equal(getsockname(l->listener, (struct sockaddr *)&a, &len), 0);
	l->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&l->thread, NULL, liar_serve, l), 0);
}

static void liar_stop(struct liar *l)
{
	atomic_store(&l->stop, true);
	shutdown(l->listener, SHUT_RDWR);
	close(l->listener);
	pthread_join(l->thread, NULL);
	free(l->answer);
}

/* `hromada device --state STATE [--wallet W] access-log PERSON`: exit code, out. */
static int device_access_log(const char *person, const char *wallet, char *out)
{
	char *argv[10];
	int a = 0;

	argv[a++] = (char *)tk_hromada_binary();
	argv[a++] = "device";
	argv[a++] = "--state";
	argv[a++] = platform.state;
	if (wallet != NULL) {
		argv[a++] = "--wallet";
		argv[a++] = (char *)wallet;
	}
	argv[a++] = "access-log";
	argv[a++] = (char *)person;
	argv[a] = NULL;
	return tk_run(argv, out, OUT_MAX, 60000);
}

static void test_split_view_is_detected_by_the_device(void **unused)
{
	json_t *citizen = slice_citizen_with(platform.demo, "UA", "vehicle_registration");
	char *out = malloc(OUT_MAX), kept_path[700], key_pem[600], cert_pem[600], wallet[64];
	char *enrol_argv[] = {
	    (char *)tk_hromada_binary(), "device", "--state", platform.state, "enrol",
	    (char *)person_of(citizen),  NULL};
	char body[128];
	struct tree_head kept, forged;
	struct hr_error err = {0};
	struct signer *signer = NULL;
	json_t *kept_json, *answer;
	struct liar liar;
	char *text;
	int code;

	(void)unused;
	assert_non_null(out);
	if (tk_run(enrol_argv, out, OUT_MAX, 60000) != 0)
		fail_msg("device enrol: %s", out);
	/* the first look: the head is kept */
	code = device_access_log(person_of(citizen), NULL, out);
	if (code != 0)
		fail_msg("access-log exited %d: %s", code, out);
	snprintf(kept_path, sizeof(kept_path), "%s/devices/%s/tree-head.json", platform.state,
		 person_of(citizen));
	kept_json = json_load_file(kept_path, 0, NULL);
	assert_non_null(kept_json);
	assert_int_equal(tree_head_from_json(kept_json, &kept, &err), HR_OK);
	json_decref(kept_json);
	/* the log grows; the next look follows it with a consistency proof */
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", person_of(citizen));
	assert_int_equal(member_lookup(http, keys_ua(), POLICE,
				       slice_endpoint(&platform, "UA", "gateway"), LICENCES,
				       "lookup", "police-document-check", body,
				       NULL) /* any answer: an entry */
			     > 0,
			 1);
	code = device_access_log(person_of(citizen), NULL, out);
	if (code != 0)
		fail_msg("the second access-log exited %d: %s", code, out);
	kept_json = json_load_file(kept_path, 0, NULL);
	assert_int_equal(tree_head_from_json(kept_json, &kept, &err), HR_OK);
	json_decref(kept_json);

	/* a wallet (or the gateway behind it) shows this citizen another log: a head
	 * of the same size with another root, signed with the real tree-head key */
	forged = kept;
	assert_int_equal(RAND_bytes(forged.root, MERKLE_HASH_LEN), 1);
	forged.timestamp_ms += 1;
	snprintf(key_pem, sizeof(key_pem), "%s/tree-head/key.pem", keys_ua());
	snprintf(cert_pem, sizeof(cert_pem), "%s/tree-head/cert.pem", keys_ua());
	if (signer_open_files(key_pem, cert_pem, &signer, &err) != HR_OK)
		fail_msg("tree-head key: %s", err.message);
	assert_int_equal(tree_head_sign(&forged, signer, &err), HR_OK);
	signer_free(signer);
	answer = json_pack("{s:o,s:[],s:i,s:b}", "tree_head", tree_head_to_json(&forged), "entries",
			   "pending", 0, "more", 0);
	text = json_dumps(answer, JSON_COMPACT);
	json_decref(answer);
	liar_start(&liar, text);
	free(text);
	snprintf(wallet, sizeof(wallet), "http://127.0.0.1:%u", liar.port);
	code = device_access_log(person_of(citizen), wallet, out);
	liar_stop(&liar);
	if (code != 1 || strstr(out, "split view") == NULL)
		fail_msg("the device did not report the split view (exit %d): %s", code, out);
	/* and the head it kept is still the real one */
	kept_json = json_load_file(kept_path, 0, NULL);
	assert_int_equal(tree_head_from_json(kept_json, &forged, &err), HR_OK);
	json_decref(kept_json);
	assert_memory_equal(forged.root, kept.root, MERKLE_HASH_LEN);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refused_request_is_in_the_audit_log),
	    cmocka_unit_test(test_omitted_entry_breaks_the_person_chain),
	    cmocka_unit_test(test_split_view_is_detected_by_the_device),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
