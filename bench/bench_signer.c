/*
 * bench_signer.c — ES256 signatures/s through signer_sign, every implementation
 * in one run: the in-process key, the same key through the key process
 * (docs/KEYS.md), and a PKCS#11 token key (SoftHSM2, in a scratch directory);
 * on one thread and on two at once; for the token also two threads behind one
 * mutex, what a single shared session would give (the signer keeps a session
 * per concurrent caller instead).
 *
 *	bench_signer SECONDS HROMADA_BINARY
 *
 * Prints one JSON object: {"in_process_1t", "in_process_2t", "key_process_1t",
 * "key_process_2t", "pkcs11_1t", "pkcs11_2t", "pkcs11_2t_one_session"} in
 * signatures per second; the pkcs11 ones are -1 when SoftHSM2 is not
 * installed. Every signature is checked to have succeeded; bench/signer.sh
 * prints them beside `openssl speed`.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "core/error.h"
#include "credential/cose_crypto.h"
#include "credential/signer.h"
#include "credential/signer_pkcs11.h"
#include "keyproc/keyproc_client.h"

#define MODULE "/usr/lib/softhsm/libsofthsm2.so"
#define UTIL   "/usr/bin/softhsm2-util"

static double seconds;
static pthread_mutex_t one_session = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct run {
	struct signer *signer;
	bool serialise;
	long count;
};

static void *sign_for_a_while(void *arg)
{
	struct run *r = arg;
	uint8_t tbs[200] = {1}, sig[COSE_SIGNATURE_MAX];
	struct hr_error err = {0};
	double end = now() + seconds;

	while (now() < end) {
		size_t len = sizeof(sig);
		hr_status rc;
		if (r->serialise)
			pthread_mutex_lock(&one_session);
		rc = signer_sign(r->signer, tbs, sizeof(tbs), sig, &len, &err);
		if (r->serialise)
			pthread_mutex_unlock(&one_session);
		if (rc != HR_OK) {
			fprintf(stderr, "bench_signer: %s\n", err.message);
			exit(1);
		}
		tbs[0]++;
		r->count++;
	}
	return NULL;
}

static long per_second(struct signer *s, int threads, bool serialise)
{
	struct run runs[2] = {{s, serialise, 0}, {s, serialise, 0}};
	pthread_t id[2];
	double start = now();

	for (int i = 0; i < threads; i++)
		pthread_create(&id[i], NULL, sign_for_a_while, &runs[i]);
	for (int i = 0; i < threads; i++)
		pthread_join(id[i], NULL);
	return (long)((double)(runs[0].count + runs[1].count) / (now() - start));
}

/* A token key in a fresh SoftHSM2 token under dir; NULL when SoftHSM2 is not
 * installed. */
static struct signer *token_signer(const char *dir)
{
	char path[256], text[512], uri[1024];
	struct hr_error err = {0};
	struct signer *token = NULL;
	FILE *f;

	if (access(MODULE, R_OK) != 0 || access(UTIL, X_OK) != 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/tokens", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/softhsm2.conf", dir);
	if ((f = fopen(path, "w")) == NULL)
		exit(1);
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\n", dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", path, 1);
	snprintf(text, sizeof(text),
		 UTIL " --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null");
	if (system(text) != 0)
		exit(1);
	setenv("HROMADA_BENCH_PIN", "1234", 1);
	snprintf(uri, sizeof(uri),
		 "pkcs11:token=bench;object=es256?module-path=" MODULE
		 "&pin-source=env:HROMADA_BENCH_PIN");
	if (signer_pkcs11_generate(uri, KEY_KIND_P256, &err) != HR_OK ||
	    signer_pkcs11_open(uri, NULL, &token, &err) != HR_OK) {
		fprintf(stderr, "bench_signer: %s\n", err.message);
		exit(1);
	}
	return token;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/hromada-bench-signer-XXXXXX", path[256], text[512];
	struct hr_error err = {0};
	struct signer *local = NULL, *token, *remote = NULL;
	struct keyproc_client_options o;
	EVP_PKEY *key;
	FILE *f;
	int rc;

	if (argc != 3 || (seconds = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: bench_signer SECONDS HROMADA_BINARY\n");
		return 2;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	token = token_signer(dir);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	if ((f = fopen(path, "w")) == NULL ||
	    PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1 || fclose(f) != 0)
		return 1;
	/* the same key both ways: in this process, then through a key process */
	keyproc_client_options_default(&o);
	o.executable = argv[2];
	if (signer_from_key(key, NULL, &local, &err) != HR_OK ||
	    keyproc_client_start(&o, &err) != HR_OK ||
	    signer_open_files(path, NULL, &remote, &err) != HR_OK) {
		fprintf(stderr, "bench_signer: %s\n", err.message);
		return 1;
	}
	printf("{\"in_process_1t\": %ld, \"in_process_2t\": %ld, \"key_process_1t\": %ld, "
	       "\"key_process_2t\": %ld, \"pkcs11_1t\": %ld, \"pkcs11_2t\": %ld, "
	       "\"pkcs11_2t_one_session\": %ld}\n",
	       per_second(local, 1, false), per_second(local, 2, false),
	       per_second(remote, 1, false), per_second(remote, 2, false),
	       token ? per_second(token, 1, false) : -1L, token ? per_second(token, 2, false) : -1L,
	       token ? per_second(token, 2, true) : -1L);
	signer_free(remote);
	keyproc_client_stop();
	signer_free(token);
	signer_free(local);
	EVP_PKEY_free(key);
	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	rc = system(text);
	return rc == 0 ? 0 : 1;
}
