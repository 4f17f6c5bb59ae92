/*
 * test_replay_restart.c — replay records survive a restart (issue 13). Before,
 * the wallet's DPoP jti record and the gateway's record of member nonces lived
 * in memory only: a proof or a signed request used a second before a restart
 * was accepted again after it. Now both are kept in the role's store
 * (exchange/replay_store.h) for as long as the proof could be accepted.
 *
 * `hromada up` runs on fixed ports (a free range found first), so that after
 * the restart the wallet and the gateway have the same URLs and a proof made
 * for them is, but for its replay, still good: a citizen's DPoP proof and a
 * police member's RFC 9421 request are each used once, the platform is halted
 * and started again on the same state, and each is sent again within its
 * acceptance window: refused as replays.
 */
#include "testkit/testkit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/http_client.h"
#include "core/json.h"
#include "e2e/slice.h"
#include "platform/country.h"

#define PORTS_SPANNED 40 /* up uses B .. B+30 for two countries */

static struct slice_platform platform;
static struct http_client *http;
static char port_base[16];

static bool port_free(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	bool free_port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	free_port = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return free_port;
}

/* A base B with B .. B+PORTS_SPANNED all free, away from the ephemeral range. */
static unsigned free_port_base(void)
{
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	for (int attempt = 0; attempt < 200; attempt++) {
		unsigned base = 20000 + (unsigned)(rand() % 12000) / 10 * 10;
		bool ok = true;
		for (unsigned p = base; p < base + PORTS_SPANNED && ok; p++)
			ok = port_free(p);
		if (ok)
			return base;
	}
	fail_msg("no free range of %d ports", PORTS_SPANNED);
	return 0;
}

static void restart(void)
{
	char *extra[] = {"--port-base", port_base, NULL};

	assert_int_equal(slice_platform_halt(&platform), 0);
	slice_platform_restart(&platform, extra);
}

static int setup(void **unused)
{
	struct http_client_options o;

	(void)unused;
	signal(SIGPIPE, SIG_IGN);
	snprintf(port_base, sizeof(port_base), "%u", free_port_base());
	{
		char *extra[] = {"--port-base", port_base, NULL};
		slice_platform_start(&platform, extra);
	}
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

static void test_dpop_proof_used_before_a_restart_is_refused_after_it(void **unused)
{
	json_t *citizen = slice_citizen_with(platform.demo, "UA", "driver_licence");
	const char *wallet = slice_endpoint(&platform, "UA", "wallet");
	char proof[4096], wallet_before[256];
	struct device d;
	json_t *answer = NULL;
	long status;

	(void)unused;
	assert_non_null(citizen);
	snprintf(wallet_before, sizeof(wallet_before), "%s", wallet);
	device_init(&d, json_string_value(json_object_get(citizen, "person")), wallet);
	device_enrol(&d, http, platform.state);
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/driver_licence", NULL, true,
				     NULL, proof, sizeof(proof), &answer),
			 200);
	json_decref(answer);
	answer = NULL;
	/* control: the same proof again, no restart */
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/driver_licence", NULL, true,
				     proof, NULL, 0, &answer),
			 401);
	json_decref(answer);
	answer = NULL;

	restart();
	assert_string_equal(slice_endpoint(&platform, "UA", "wallet"), wallet_before);
	/* a fresh proof works after the restart: the device is still enrolled */
	assert_int_equal(device_call(&d, http, "GET", "/v1/documents/driver_licence", NULL, true,
				     NULL, NULL, 0, &answer),
			 200);
	json_decref(answer);
	answer = NULL;
	/* the proof used before the restart, still within its 60 s: a replay */
	status = device_call(&d, http, "GET", "/v1/documents/driver_licence", NULL, true, proof,
			     NULL, 0, &answer);
	if (status != 401)
		fail_msg("a DPoP proof used before the restart was answered %ld after it", status);
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_object_get(answer, "error"), "message")),
		   "already used"));
	json_decref(answer);
	device_clear(&d);
}

static void test_member_request_sent_before_a_restart_is_refused_after_it(void **unused)
{
	const struct country_members *ua = country_members("UA");
	json_t *citizen = slice_citizen_with(platform.demo, "UA", "driver_licence");
	struct http_header police[3] = {{"Hromada-Client", ua->police},
					{"Hromada-Purpose", "police-document-check"},
					{"Hromada-User", "UA:officer-1234"}};
	struct http_client_response r;
	struct member_request m;
	struct member_wire wire;
	char keys[400], url[600], body[128], provider[96];

	(void)unused;
	assert_non_null(citizen);
	snprintf(keys, sizeof(keys), "%s/keys/UA", platform.state);
	country_registry_member(ua, "driver_licence", provider, sizeof(provider));
	snprintf(url, sizeof(url), "%s/x/%s/lookup", slice_endpoint(&platform, "UA", "gateway"),
		 provider);
	snprintf(body, sizeof(body), "{\"person\":\"%s\"}",
		 json_string_value(json_object_get(citizen, "person")));
	m = (struct member_request){.keys_dir = keys,
				    .key_of = ua->police,
				    .url = url,
				    .headers = police,
				    .header_count = 3,
				    .body = body};
	member_sign(&m, &wire);
	assert_int_equal(member_wire_send(http, &m, &wire, &r), 200);
	http_client_response_clear(&r);

	restart();
	assert_non_null(strstr(url, slice_endpoint(&platform, "UA", "gateway")));
	/* the exact bytes again, within the signature's window: a replay */
	member_wire_send(http, &m, &wire, &r);
	if (r.status != 401)
		fail_msg("a signed request sent before the restart was answered %ld after it: %.*s",
			 r.status, (int)r.body.len, (const char *)r.body.data);
	http_client_response_clear(&r);
	/* and a fresh one is served */
	member_wire_clear(&wire);
	member_sign(&m, &wire);
	assert_int_equal(member_wire_send(http, &m, &wire, &r), 200);
	http_client_response_clear(&r);
	member_wire_clear(&wire);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dpop_proof_used_before_a_restart_is_refused_after_it),
	    cmocka_unit_test(test_member_request_sent_before_a_restart_is_refused_after_it),
	};

	return cmocka_run_group_tests_name("replay_restart", tests, setup, teardown);
}
