/*
 * bench_keyproc.c — what the key process costs a signature (issue 13): ES256
 * signatures per second in this process and through the key process, one
 * thread and one per core, in the same run.
 *
 * Usage: bench_keyproc HROMADA_BINARY SECONDS
 * Prints one JSON object; keyproc.sh puts it beside the target (< 10 us added
 * per signature on top of ECDSA).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/clock.h"
#include "credential/signer.h"
#include "keyproc/keyproc_client.h"

struct run {
	struct signer *signer;
	double seconds;
	unsigned long count;
};

static void *sign_for(void *arg)
{
	struct run *r = arg;
	uint8_t tbs[200], sig[132];
	uint64_t end = clock_monotonic_us() + (uint64_t)(r->seconds * 1e6);

	memset(tbs, 7, sizeof(tbs));
	while (clock_monotonic_us() < end) {
		for (int i = 0; i < 64; i++) {
			size_t len = sizeof(sig);
			tbs[0] = (uint8_t)r->count;
			if (signer_sign(r->signer, tbs, sizeof(tbs), sig, &len, NULL) != HR_OK) {
				fprintf(stderr, "bench_keyproc: a signature failed\n");
				exit(1);
			}
			r->count++;
		}
	}
	return NULL;
}

/* Signatures per second with threads threads sharing signer. */
static double rate(struct signer *signer, int threads, double seconds)
{
	struct run runs[16];
	pthread_t ids[16];
	unsigned long total = 0;

	for (int i = 0; i < threads; i++) {
		runs[i] = (struct run){signer, seconds, 0};
		pthread_create(&ids[i], NULL, sign_for, &runs[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(ids[i], NULL);
		total += runs[i].count;
	}
	return (double)total / seconds;
}

int main(int argc, char **argv)
{
	struct keyproc_client_options o;
	struct signer *local = NULL, *remote = NULL;
	char dir[] = "/tmp/hromada-bench-keyproc-XXXXXX", path[64];
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	double seconds, local1, remote1, localn, remoten;
	int threads;
	FILE *f;

	if (argc != 3 || (seconds = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench_keyproc HROMADA_BINARY SECONDS\n");
		return 2;
	}
	threads = cores < 1 ? 1 : cores > 16 ? 16 : (int)cores;
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	f = fopen(path, "w");
	if (f == NULL || PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1)
		return 1;
	fclose(f);
	keyproc_client_options_default(&o);
	o.executable = argv[1];
	if (signer_open_files(path, NULL, &local, NULL) != HR_OK ||
	    keyproc_client_start(&o, NULL) != HR_OK ||
	    signer_open_files(path, NULL, &remote, NULL) != HR_OK) {
		fprintf(stderr, "bench_keyproc: cannot open the key both ways\n");
		return 1;
	}
	unlink(path);
	rmdir(dir);
	local1 = rate(local, 1, seconds);
	remote1 = rate(remote, 1, seconds);
	localn = rate(local, threads, seconds);
	remoten = rate(remote, threads, seconds);
	printf("{\"threads\": %d, \"in_process_per_s\": %.0f, \"key_process_per_s\": %.0f, "
	       "\"in_process_all_cores_per_s\": %.0f, \"key_process_all_cores_per_s\": %.0f, "
	       "\"added_us\": %.2f}\n",
	       threads, local1, remote1, localn, remoten, 1e6 / remote1 - 1e6 / local1);
	signer_free(remote);
	signer_free(local);
	keyproc_client_stop();
	EVP_PKEY_free(key);
	return 0;
}
