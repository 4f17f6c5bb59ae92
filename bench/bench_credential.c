/*
 * bench_credential.c — issue/s and verify/s of a typical driver's-licence
 * credential on one core, and the peak RSS of `hromada verify`.
 *
 *	bench_credential HROMADA_BINARY SECONDS
 *
 * Prints one JSON object: {"issue_per_s", "verify_per_s", "payload_chars",
 * "verify_peak_rss_kb"}. bench/credential.sh puts the figures beside
 * `openssl speed ecdsap256` and the npm peers measured in the same run.
 *
 * Issuing uses one issuer and verifying one verifier, reused across iterations,
 * as a wallet worker thread or a verifier terminal would; the trust store is
 * built once. Every result is checked, so a fast wrong answer cannot pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <hromada/verify.h>

#include "core/buf.h"
#include "credential/issue.h"
#include "credential/keys.h"
#include "credential/signer.h"

static const char *const licence =
    "{\"person_id\":\"UA:3012345670\",\"family_name\":\"Шевченко\",\"given_name\":\"Тарас\","
    "\"patronymic\":\"Григорович\",\"family_name_latin\":\"SHEVCHENKO\","
    "\"given_name_latin\":\"TARAS\",\"birth_date\":\"1990-03-09\","
    "\"document_number\":\"AAB123456\",\"issue_date\":\"2020-01-15\","
    "\"expiry_date\":\"2050-01-15\",\"issuing_authority\":\"ТСЦ 8041\","
    "\"categories\":[{\"code\":\"B\",\"issue_date\":\"2020-01-15\"},"
    "{\"code\":\"C1\",\"issue_date\":\"2021-06-01\",\"expiry_date\":\"2031-06-01\"}],"
    "\"status\":\"valid\"}";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct hr_error *err)
{
	fprintf(stderr, "bench_credential: %s: %s\n", what, err ? err->message : "");
	exit(1);
}

/* Peak RSS of `hromada verify --cert CERT PAYLOAD`, from the kernel's rusage. */
static long verify_peak_rss_kb(const char *binary, const char *cert, const char *payload)
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execl(binary, binary, "verify", "--cert", cert, payload, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	struct keys_country_options ko = {"UA", NULL, NULL, 0};
	struct hr_error err = {0};
	struct signer *signer;
	struct issuer *issuer;
	struct hr_trust_store *store = hr_trust_store_new();
	struct hr_verifier *verifier = hr_verifier_new();
	struct hr_verify_result r;
	struct issue_request req = {0};
	struct buf out;
	char dir[] = "/tmp/hromada-bench-XXXXXX", key[256], cert[256], *pem;
	double seconds, t0, issue_rate, verify_rate;
	long n, rss;
	FILE *f;
	size_t len;
	json_t *doc;

	if (argc != 3 || (seconds = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench_credential HROMADA_BINARY SECONDS\n");
		return 2;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	ko.dir = dir;
	if (keys_create_country(&ko, &err) != HR_OK)
		die("keys", &err);
	snprintf(key, sizeof(key), "%s/signers/driver_licence/key.pem", dir);
	snprintf(cert, sizeof(cert), "%s/signers/driver_licence/cert.pem", dir);
	if (signer_open_files(key, cert, &signer, &err) != HR_OK)
		die("signer", &err);
	issuer = issuer_new(signer);
	doc = json_loads(licence, 0, NULL);
	req.type = "driver_licence";
	req.content = doc;
	req.validity_seconds = 3600;
	buf_init(&out, 65536);

	/* issue: one core, one issuer (BENCH_ONLY=verify skips it, for profiling) */
	if (issuer_issue(issuer, &req, &out, &err) != HR_OK)
		die("issue", &err);
	t0 = now();
	n = 0;
	do {
		if (getenv("BENCH_ONLY") && strcmp(getenv("BENCH_ONLY"), "verify") == 0) {
			n = 1;
			break;
		}
		for (int i = 0; i < 64; i++, n++) {
			buf_reset(&out);
			if (issuer_issue(issuer, &req, &out, &err) != HR_OK)
				die("issue", &err);
		}
	} while (now() - t0 < seconds);
	issue_rate = (double)n / (now() - t0);

	/* verify: one core, one verifier, a store with the signer */
	f = fopen(cert, "r");
	pem = malloc(8192);
	len = fread(pem, 1, 8191, f);
	fclose(f);
	if (hr_trust_store_add_certificate(store, pem, len, "UA", &err) != HR_OK)
		die("trust", &err);
	hr_verify_result_init(&r);
	t0 = now();
	n = 0;
	do {
		if (getenv("BENCH_ONLY") && strcmp(getenv("BENCH_ONLY"), "issue") == 0) {
			n = 1;
			break;
		}
		for (int i = 0; i < 64; i++, n++) {
			if (hr_verify(verifier, store, buf_str(&out), out.len, NULL, &r) != HR_OK ||
			    !r.valid)
				die("verify", NULL);
		}
	} while (now() - t0 < seconds);
	verify_rate = (double)n / (now() - t0);
	rss = verify_peak_rss_kb(argv[1], cert, buf_str(&out));

	printf("{\"issue_per_s\": %.0f, \"verify_per_s\": %.0f, \"payload_chars\": %zu, "
	       "\"verify_peak_rss_kb\": %ld}\n",
	       issue_rate, verify_rate, out.len, rss);
	hr_verify_result_clear(&r);
	hr_verifier_free(verifier);
	hr_trust_store_free(store);
	issuer_free(issuer);
	signer_free(signer);
	json_decref(doc);
	buf_clear(&out);
	free(pem);
	snprintf(key, sizeof(key), "rm -rf '%s'", dir);
	if (system(key) != 0)
		return 1;
	return 0;
}
