/*
 * test_audit_crash.c — the audit log survives a crash of the gateway under
 * load (issue 5, docs/AUDIT.md: "an append is acknowledged only after
 * fdatasync").
 *
 * `hromada up` runs every role in one process. Sixteen threads send police
 * document checks to the UA gateway, each with its own Hromada-Issue ("crash
 * t3 n17"), and note which were answered 200 with the gateway's signature;
 * after ~1.5 s of load the process is SIGKILLed while they are still sending.
 *
 * Pinned down: `hromada audit verify` finds the log left by the kill consistent
 * (a torn tail is allowed and reported); `hromada up` starts again on the same
 * state directory (the state lock does not outlive the process); the log takes
 * new entries after recovery (one more lookup succeeds); after a clean stop
 * EVERY acknowledged exchange is in the log, found by its issue in the entries
 * decoded straight from the segments, and the log verifies again with more
 * entries than before. Hundreds of exchanges are acknowledged before the kill
 * (at least 50, or the test proves nothing).
 */
#include "testkit/testkit.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "audit/audit_entry.h"
#include "audit/audit_log.h"
#include "core/http_client.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "e2e/slice.h"
#include "exchange/member.h"
#include "exchange/replay.h"
#include "platform/country.h"

#define SENDERS     16
#define LOAD_MS     1500
#define ISSUE_MAX   32
#define PERSONS     8
#define POLICE      "UA/GOV/00032684/police"
#define LICENCES    "UA/GOV/00015622/driver_licence"
#define RECORD_HEAD (4 + AUDIT_PERSON_LEN)
#define RECORD_TAIL 4
#define VERIFY_OUT  65536

/* What one sending thread is given, and what it reports back. */
struct sender {
	pthread_t thread;
	int id;
	const char *gateway_url; /* with the keys below: owned by the test */
	const char *keys_dir;
	const char *const *persons;
	atomic_bool *stop;
	/* written by the thread, read after the join */
	char (*acked)[ISSUE_MAX]; /* issues answered 200 (malloc'ed; the test frees) */
	size_t acked_count, acked_cap;
	size_t sent, unanswered;
	size_t refused;    /* answered, but not 200: never expected */
	char refusal[256]; /* the first refusal, for the failure message */
	char setup_error[HR_ERROR_MESSAGE_MAX + 32]; /* the thread could not start sending */
};

static void acked_push(struct sender *s, const char *issue)
{
	if (s->acked_count == s->acked_cap) {
		size_t cap = s->acked_cap ? s->acked_cap * 2 : 256;
		char(*grown)[ISSUE_MAX] = realloc(s->acked, cap * sizeof(*grown));

		if (grown == NULL)
			abort(); /* no cmocka in threads: out of memory ends the test loudly */
		s->acked = grown;
		s->acked_cap = cap;
	}
	snprintf(s->acked[s->acked_count++], ISSUE_MAX, "%s", issue);
}

/*
 * Police lookups until told to stop. Everything a thread needs is its own (an
 * HTTP client, the police key, the gateway's certificate, a nonce cache): no
 * cmocka assertion runs here, failures are reported through s.
 */
static void *send_lookups(void *arg)
{
	struct sender *s = arg;
	const struct country_members *ua = country_members("UA");
	char dir[1024], key[1100], cert[1100], url[1024];
	struct http_client_options options;
	struct http_client *http = NULL;
	struct replay_cache *nonces = replay_cache_new(1 << 16);
	struct signer *signer = NULL;
	EVP_PKEY *gateway_key = NULL;
	struct hr_error err = {0};

	http_client_options_default(&options);
	http = http_client_new(&options);
	country_member_dir(s->keys_dir, POLICE, dir, sizeof(dir));
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	if (http == NULL || nonces == NULL ||
	    signer_open_files(key, cert, &signer, &err) != HR_OK) {
		snprintf(s->setup_error, sizeof(s->setup_error), "police key: %s", err.message);
		goto done;
	}
	country_member_dir(s->keys_dir, ua->gateway, dir, sizeof(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	if (signer_cert_public_key_file(cert, &gateway_key, &err) != HR_OK) {
		snprintf(s->setup_error, sizeof(s->setup_error), "gateway key: %s", err.message);
		goto done;
	}
	snprintf(url, sizeof(url), "%s/x/%s/lookup", s->gateway_url, LICENCES);
	for (unsigned n = 0; !atomic_load(s->stop); n++) {
		char issue[ISSUE_MAX], body[128];
		struct http_header headers[4] = {{"Hromada-Client", POLICE},
						 {"Hromada-Purpose", "police-document-check"},
						 {"Hromada-User", "UA:officer-1234"},
						 {"Hromada-Issue", issue}};
		struct member_identity self = {POLICE, signer, NULL};
		struct member_call call;
		struct http_client_response response;
		hr_status rc;

		snprintf(issue, sizeof(issue), "crash t%d n%u", s->id, n);
		snprintf(body, sizeof(body), "{\"person\":\"%s\"}",
			 s->persons[(n + (unsigned)s->id) % PERSONS]);
		call = (struct member_call){.url = url,
					    .headers = headers,
					    .header_count = 4,
					    .body = body,
					    .body_len = strlen(body),
					    .timeout_ms = 5000};
		http_client_response_init(&response);
		rc = member_call_post(http, &self, &call, ua->gateway, gateway_key, nonces,
				      (int64_t)time(NULL), &response, &err);
		s->sent++;
		if (rc == HR_OK && response.status == 200) {
			acked_push(s, issue);
		} else if (rc == HR_OK) {
			if (s->refused++ == 0)
				snprintf(s->refusal, sizeof(s->refusal), "%s: %ld %.*s", issue,
					 response.status,
					 (int)(response.body.len < 160 ? response.body.len : 160),
					 (const char *)response.body.data);
		} else {
			s->unanswered++; /* the process is gone: no connection, no answer */
			usleep(1000);
		}
		http_client_response_clear(&response);
	}
done:
	EVP_PKEY_free(gateway_key);
	signer_free(signer);
	replay_cache_free(nonces);
	http_client_free(http);
	return NULL;
}

/* `hromada audit verify dir --json` must say consistent (exit 0); *entries and
 * *torn are taken from its verdict. */
static void verify_consistent(const char *dir, long long *entries, long long *torn)
{
	char *argv[] = {
	    (char *)tk_hromada_binary(), "audit", "verify", (char *)dir, "--json", NULL};
	char *out = malloc(VERIFY_OUT);
	json_t *verdict;
	int code;

	assert_non_null(out);
	code = tk_run(argv, out, VERIFY_OUT, 120000);
	verdict =
	    strchr(out, '{') ? json_loads(strchr(out, '{'), JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	if (code != 0 || verdict == NULL)
		fail_msg("hromada audit verify %s exited %d: %s", dir, code, out);
	assert_true(json_is_true(json_object_get(verdict, "consistent")));
	*entries = json_integer_value(json_object_get(verdict, "entries"));
	*torn = json_integer_value(json_object_get(verdict, "torn_bytes"));
	json_decref(verdict);
	free(out);
}

static uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int segment_name_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 4 && strcmp(e->d_name + n - 4, ".seg") == 0;
}

/*
 * Every entry of the log at dir, read straight from its segments (nothing is
 * written): the count of entries whose "issue" is each issue, as a JSON object
 * {issue: count}. Every record must be whole, with its CRC, and decode.
 */
static json_t *issues_in_log(const char *dir, size_t *entries)
{
	char path[1024];
	struct dirent **names = NULL;
	json_t *issues = json_object();
	int count;

	*entries = 0;
	snprintf(path, sizeof(path), "%s/segments", dir);
	count = scandir(path, &names, segment_name_filter, alphasort);
	assert_true(count >= 1);
	for (int i = 0; i < count; i++) {
		size_t len = 0, at = 0;
		uint8_t *data;

		snprintf(path, sizeof(path), "%s/segments/%s", dir, names[i]->d_name);
		data = (uint8_t *)tk_read_file(path, &len);
		assert_non_null(data);
		while (at < len) {
			uint32_t n;
			json_t *fields = NULL, *issue;
			struct hr_error err = {0};

			assert_true(len - at >= RECORD_HEAD + RECORD_TAIL);
			n = le32_get(data + at);
			assert_true(n > 0 && n <= AUDIT_ENTRY_MAX);
			assert_true(len - at - RECORD_HEAD - RECORD_TAIL >= n);
			assert_int_equal((uint32_t)crc32(0, data + at, RECORD_HEAD + n),
					 le32_get(data + at + RECORD_HEAD + n));
			if (audit_entry_decode(data + at + RECORD_HEAD, n, &fields, &err) != HR_OK)
				fail_msg("entry %zu of %s: %s", *entries, path, err.message);
			issue = json_object_get(fields, "issue");
			if (json_is_string(issue)) {
				const char *text = json_string_value(issue);
				json_int_t seen = json_integer_value(json_object_get(issues, text));

				json_object_set_new(issues, text, json_integer(seen + 1));
			}
			json_decref(fields);
			(*entries)++;
			at += RECORD_HEAD + n + RECORD_TAIL;
		}
		free(data);
		free(names[i]);
	}
	free(names);
	return issues;
}

static const char *gateway_of(const struct slice_platform *p)
{
	return json_string_value(json_object_get(json_object_get(p->endpoints, "UA"), "gateway"));
}

static void test_every_acknowledged_entry_survives_a_kill_under_load(void **unused)
{
	static struct slice_platform platform;
	char holders[PERSONS][32]; /* copied: demo.json is reloaded at the restart */
	const char *persons[PERSONS];
	struct sender senders[SENDERS];
	atomic_bool stop = false;
	char audit_dir[600], keys_dir[400], gateway_url[256], body[128];
	long long entries_after_kill = 0, torn = 0, entries_final = 0, torn_final = 0;
	size_t acked = 0, sent = 0, unanswered = 0, found = 0, entries_read = 0, p = 0;
	struct http_client_options options;
	struct http_client *http;
	json_t *issues, *c, *answer = NULL;
	size_t i;

	(void)unused;
	slice_platform_start(&platform, NULL);
	snprintf(audit_dir, sizeof(audit_dir), "%s",
		 json_string_value(
		     json_object_get(json_object_get(platform.endpoints, "UA"), "audit_dir")));
	snprintf(keys_dir, sizeof(keys_dir), "%s/keys/UA", platform.state);
	snprintf(gateway_url, sizeof(gateway_url), "%s", gateway_of(&platform));
	/* citizens who hold a driving licence: every lookup is answered 200 */
	json_array_foreach(json_object_get(platform.demo, "UA"), i, c)
	{
		const json_t *d;
		size_t j;

		json_array_foreach(json_object_get(c, "documents"), j, d)
		{
			if (p < PERSONS && strcmp(json_string_value(d), "driver_licence") == 0) {
				snprintf(holders[p], sizeof(holders[p]), "%s",
					 json_string_value(json_object_get(c, "person")));
				persons[p] = holders[p];
				p++;
			}
		}
	}
	assert_true(p >= 1);
	for (size_t found_holders = p; p < PERSONS; p++)
		persons[p] = persons[p % found_holders];

	/* load, then a kill in the middle of it */
	memset(senders, 0, sizeof(senders));
	for (int t = 0; t < SENDERS; t++) {
		senders[t] = (struct sender){.id = t,
					     .gateway_url = gateway_url,
					     .keys_dir = keys_dir,
					     .persons = persons,
					     .stop = &stop};
		assert_int_equal(
		    pthread_create(&senders[t].thread, NULL, send_lookups, &senders[t]), 0);
	}
	usleep(LOAD_MS * 1000);
	slice_platform_kill(&platform);
	atomic_store(&stop, true);
	for (int t = 0; t < SENDERS; t++) {
		assert_int_equal(pthread_join(senders[t].thread, NULL), 0);
		if (senders[t].setup_error[0])
			fail_msg("sender %d: %s", t, senders[t].setup_error);
		if (senders[t].refused > 0)
			fail_msg("sender %d: %zu lookups refused before the kill, the first %s", t,
				 senders[t].refused, senders[t].refusal);
		acked += senders[t].acked_count;
		sent += senders[t].sent;
		unanswered += senders[t].unanswered;
	}
	fprintf(stderr,
		"audit_crash: %zu lookups sent by %d threads in ~%d ms: %zu acknowledged before "
		"the kill, %zu unanswered\n",
		sent, SENDERS, LOAD_MS, acked, unanswered);
	assert_true(acked > 50);

	/* the log as the kill left it: consistent, a torn tail at most */
	verify_consistent(audit_dir, &entries_after_kill, &torn);
	fprintf(stderr, "audit_crash: after the kill %lld entries, %lld torn bytes\n",
		entries_after_kill, torn);
	assert_true(entries_after_kill >= (long long)acked);

	/* up again on the same state; the log takes entries after recovery */
	slice_platform_restart(&platform, NULL);
	http_client_options_default(&options);
	http = http_client_new(&options);
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}", persons[0]);
	assert_int_equal(member_lookup(http, keys_dir, POLICE, gateway_of(&platform), LICENCES,
				       "lookup", "police-document-check", body, &answer),
			 200);
	assert_true(json_array_size(json_object_get(answer, "documents")) >= 1);
	json_decref(answer);
	http_client_free(http);
	assert_int_equal(slice_platform_halt(&platform), 0);

	/* every acknowledged exchange is in the log */
	verify_consistent(audit_dir, &entries_final, &torn_final);
	assert_true(entries_final > entries_after_kill);
	assert_int_equal(torn_final, 0);
	issues = issues_in_log(audit_dir, &entries_read);
	assert_int_equal(entries_read, (size_t)entries_final);
	for (int t = 0; t < SENDERS; t++) {
		for (size_t k = 0; k < senders[t].acked_count; k++) {
			if (json_object_get(issues, senders[t].acked[k]) == NULL)
				fail_msg("\"%s\" was acknowledged but is not in the log",
					 senders[t].acked[k]);
			found++;
		}
		free(senders[t].acked);
	}
	assert_int_equal(found, acked);
	/* the lookup after the restart, too */
	assert_non_null(json_object_get(issues, "roadside check 2026/17"));
	json_decref(issues);
	assert_int_equal(slice_platform_stop(&platform), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_acknowledged_entry_survives_a_kill_under_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
