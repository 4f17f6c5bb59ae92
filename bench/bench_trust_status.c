/*
 * bench_trust_status.c — how fast a verifier takes in a trust list of 10 000
 * signers over HTTP, and how fast it checks a credential against a status list
 * of a million entries, each beside the OpenSSL and zlib operations that bound
 * it, measured in the same run.
 *
 *	bench_trust_status [SIGNERS] [ENTRIES]
 *
 * Trust list: SIGNERS distinct P-256 signer certificates (alternating UA/PL)
 * in a list signed ES256, served by our HTTP server on loopback; one round is
 * GET (our http_client, libcurl) + hr_trust_store_load_list_at into a fresh
 * store: JWS signature, JSON, every kid checked against SHA-256 of its DER,
 * one sort. Certificates are parsed at first use (trust_store.h), so the
 * OpenSSL line to compare with is what eager parsing would have cost:
 * d2i_X509 of every certificate.
 *
 * Status list: ENTRIES 2-bit entries (1% revoked), the token kept as text the
 * way the verifier's cache keeps it; one check is what verify.c does per
 * credential: status_list_token_check (base64url, JSON, ES256 verify, zlib
 * inflate, bounded) + status_list_token_status. Beside it: zlib's inflate of
 * the same compressed bytes and one ES256 verify of the same signing input.
 *
 * Prints one JSON object; bench/trust_status.sh turns it into the table.
 * BENCH_TRUST_LIST_OUT=FILE also writes the list (and FILE.anchor.pem) for
 * profiling the load by itself.
 * Every result is checked, so a fast wrong answer cannot pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <jansson.h>

#include <hromada/verify.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/digest.h"
#include "core/http_client.h"
#include "core/http_server.h"
#include "core/json.h"
#include "core/log.h"
#include "credential/cose_crypto.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/status_list.h"
#include "credential/trust_list.h"
#include "credential/trust_store.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct hr_error *err)
{
	fprintf(stderr, "bench_trust_status: %s: %s\n", what, err ? err->message : "");
	exit(1);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), compare_double);
	return v[n / 2];
}

/* --- the list ----------------------------------------------------------------- */

struct certs {
	unsigned char **der;
	int *len;
	size_t count;
};

/* count certificates under one CA key (the same subject key: distinct serials
 * and subjects make distinct DER, so distinct kids). */
static void make_certs(size_t count, struct certs *out)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");

	out->der = calloc(count, sizeof(*out->der));
	out->len = calloc(count, sizeof(*out->len));
	out->count = count;
	if (key == NULL || out->der == NULL || out->len == NULL)
		die("keygen", NULL);
	for (size_t i = 0; i < count; i++) {
		X509 *x = X509_new();
		X509_NAME *name = X509_NAME_new();
		char cn[64];
		snprintf(cn, sizeof(cn), "DSC %zu", i);
		X509_set_version(x, 2);
		ASN1_INTEGER_set_int64(X509_get_serialNumber(x), (int64_t)i + 1);
		X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
					   (const unsigned char *)(i % 2 ? "PL" : "UA"), -1, -1, 0);
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
					   -1, 0);
		X509_set_subject_name(x, name);
		X509_set_issuer_name(x, name);
		X509_gmtime_adj(X509_getm_notBefore(x), 0);
		X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
		X509_set_pubkey(x, key);
		if (X509_sign(x, key, EVP_sha256()) <= 0 ||
		    (out->len[i] = i2d_X509(x, &out->der[i])) <= 0)
			die("certificate", NULL);
		X509_NAME_free(name);
		X509_free(x);
	}
	EVP_PKEY_free(key);
}

static json_t *b64(const void *data, size_t len)
{
	struct buf b;
	json_t *s;

	buf_init(&b, 1 << 16);
	base64_encode(data, len, BASE64_STANDARD, &b);
	s = json_stringn(buf_str(&b), b.len);
	buf_clear(&b);
	return s;
}

static void build_list(struct signer *by, const struct certs *c, struct buf *out)
{
	json_t *signers = json_array(), *payload;
	char issued[32], next[32];
	time_t t = time(NULL), t2 = t + 7 * 86400;
	struct tm tm;
	struct hr_error err = {0};

	for (size_t i = 0; i < c->count; i++) {
		uint8_t kid[SIGNER_KID_LEN];
		signer_cert_kid(c->der[i], (size_t)c->len[i], kid);
		json_array_append_new(signers,
				      json_pack("{s:s,s:o,s:o}", "country", i % 2 ? "PL" : "UA",
						"kid", b64(kid, SIGNER_KID_LEN), "certificate",
						b64(c->der[i], (size_t)c->len[i])));
	}
	gmtime_r(&t, &tm);
	strftime(issued, sizeof(issued), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gmtime_r(&t2, &tm);
	strftime(next, sizeof(next), "%Y-%m-%dT%H:%M:%SZ", &tm);
	payload = json_pack("{s:s,s:i,s:I,s:s,s:s,s:o}", "format", TRUST_LIST_FORMAT, "version",
			    TRUST_LIST_VERSION, "sequence", (json_int_t)t, "issued_at", issued,
			    "next_update", next, "signers", signers);
	buf_init(out, TRUST_LIST_MAX_BYTES);
	if (trust_list_sign_payload(by, payload, out, &err) != HR_OK)
		die("sign list", &err);
	json_decref(payload);
}

static struct buf served;

static void handle_list(struct http_request *req, void *context)
{
	(void)context;
	http_reply_bytes(req, 200, "application/json", served.data, served.len);
}

/* Each OpenSSL operation over the same certificates, in seconds. */
static double openssl_d2i_all(const struct certs *c)
{
	double t0 = now();

	for (size_t i = 0; i < c->count; i++) {
		const unsigned char *p = c->der[i];
		X509 *x = d2i_X509(NULL, &p, c->len[i]);
		if (x == NULL || X509_get0_pubkey(x) == NULL)
			die("d2i", NULL);
		X509_free(x);
	}
	return now() - t0;
}

static double openssl_sha256_all(const struct certs *c)
{
	uint8_t d[32];
	double t0 = now();

	for (size_t i = 0; i < c->count; i++)
		SHA256(c->der[i], (size_t)c->len[i], d);
	return now() - t0;
}

/* --- main --------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	size_t signers = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	size_t entries = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
	char tmp[] = "/tmp/bench-trust-XXXXXX", path[256], key[300], cert[300];
	struct hr_error err = {0};
	struct signer *list_signer = NULL;
	struct certs certs;
	struct http_server_options so;
	struct http_server *server;
	struct http_client *client;
	struct http_client_options co;
	struct http_client_response resp;
	char url[300];
	char *anchor;
	size_t anchor_len;
	double fetch_s[15], load_s[15], round_s[15];
	const int rounds = 15;

	log_set_level(LOG_LEVEL_ERROR);
	if (mkdtemp(tmp) == NULL)
		die("mkdtemp", NULL);
	snprintf(path, sizeof(path), "%s/trust", tmp);
	if (keys_create_trust_signer(path, &err) != HR_OK)
		die("trust signer", &err);
	snprintf(key, sizeof(key), "%s/key.pem", path);
	snprintf(cert, sizeof(cert), "%s/cert.pem", path);
	if (signer_open_files(key, cert, &list_signer, &err) != HR_OK)
		die("open signer", &err);
	{
		FILE *f = fopen(cert, "rb");
		anchor = malloc(8192);
		anchor_len = f ? fread(anchor, 1, 8192, f) : 0;
		if (f)
			fclose(f);
	}
	make_certs(signers, &certs);
	build_list(list_signer, &certs, &served);
	if (getenv("BENCH_TRUST_LIST_OUT") != NULL) { /* for profiling the load alone */
		FILE *f = fopen(getenv("BENCH_TRUST_LIST_OUT"), "wb");
		char copy[512];
		if (f == NULL || fwrite(served.data, 1, served.len, f) != served.len)
			die("BENCH_TRUST_LIST_OUT", NULL);
		fclose(f);
		snprintf(copy, sizeof(copy), "cp '%s' '%s.anchor.pem'", cert,
			 getenv("BENCH_TRUST_LIST_OUT"));
		if (system(copy) != 0)
			die("anchor copy", NULL);
	}

	http_server_options_default(&so);
	so.listen_port = 0;
	so.threads = 2;
	so.access_log = false;
	snprintf(so.name, sizeof(so.name), "bench/trust");
	if ((server = http_server_new(&so, &err)) == NULL ||
	    http_server_route(server, "GET", "/v1/trust-list", 0, handle_list, NULL, &err) !=
		HR_OK ||
	    http_server_start(server, &err) != HR_OK)
		die("server", &err);
	snprintf(url, sizeof(url), "%s/v1/trust-list", http_server_url(server));
	http_client_options_default(&co);
	co.max_response_bytes = TRUST_LIST_MAX_BYTES;
	client = http_client_new(&co);
	http_client_response_init(&resp);
	for (int r = 0; r < rounds + 1; r++) {
		struct hr_trust_store *store = hr_trust_store_new();
		struct hr_trust_list_info info;
		double t0 = now(), t1, t2;
		if (http_client_get(client, url, &resp, &err) != HR_OK || resp.status != 200)
			die("fetch", &err);
		t1 = now();
		if (hr_trust_store_load_list_at(store, resp.body.data, resp.body.len, anchor,
						anchor_len, (int64_t)time(NULL), 0, &info,
						&err) != HR_OK)
			die("load", &err);
		t2 = now();
		if (hr_trust_store_count(store) != signers)
			die("not every signer was loaded", NULL);
		if (r > 0) { /* the first round warms the connection and allocator */
			fetch_s[r - 1] = t1 - t0;
			load_s[r - 1] = t2 - t1;
			round_s[r - 1] = t2 - t0;
		}
		/* a first use parses one certificate and it verifies nothing false */
		if (r == rounds) {
			const struct trust_entry *first;
			uint8_t kid[SIGNER_KID_LEN];
			signer_cert_kid(certs.der[signers / 2], (size_t)certs.len[signers / 2],
					kid);
			if (trust_store_find(store, kid, SIGNER_KID_LEN, &first) != 1 ||
			    trust_entry_cert(store, first, &err) == NULL)
				die("lazy parse", &err);
		}
		hr_trust_store_free(store);
	}
	{
		double d2i = openssl_d2i_all(&certs), sha = openssl_sha256_all(&certs);
		double verify_list;
		/* one ES256 verify of the list's JWS: SHA-256 of the whole input + ECDSA */
		json_t *jws = json_loadb((const char *)served.data, served.len, 0, NULL);
		const char *prot = json_string_value(json_object_get(jws, "protected"));
		const char *pay = json_string_value(json_object_get(jws, "payload"));
		const char *sig64 = json_string_value(json_object_get(jws, "signature"));
		struct buf input, sig;
		const struct signer_cert *own = signer_certificate(list_signer);
		double t0;
		buf_init(&input, 2 * TRUST_LIST_MAX_BYTES);
		buf_init(&sig, 256);
		buf_printf(&input, "%s.%s", prot, pay);
		base64_decode(sig64, strlen(sig64), BASE64_URL, &sig);
		t0 = now();
		if (cose_crypto_verify(cose_alg_find(COSE_ALG_ES256), own->key, own->kind,
				       input.data, input.len, sig.data, sig.len, &err) != HR_OK)
			die("list signature", &err);
		verify_list = now() - t0;
		printf("{\"signers\": %zu, \"list_bytes\": %zu, \"fetch_ms\": %.2f, \"load_ms\": "
		       "%.2f, \"fetch_verify_load_ms\": %.2f, \"openssl_d2i_all_ms\": %.2f, "
		       "\"openssl_sha256_all_ms\": %.2f, \"openssl_es256_verify_list_ms\": %.2f, ",
		       signers, served.len, median(fetch_s, rounds) * 1e3,
		       median(load_s, rounds) * 1e3, median(round_s, rounds) * 1e3, d2i * 1e3,
		       sha * 1e3, verify_list * 1e3);
		buf_clear(&input);
		buf_clear(&sig);
		json_decref(jws);
	}
	http_client_response_clear(&resp);
	http_client_free(client);
	http_server_free(server);

	/* --- status list ------------------------------------------------------------ */
	{
		const char *uri = "https://wallet.ua.example/v1/status-lists/1";
		size_t len = (entries * 2 + 7) / 8;
		uint8_t *bytes = calloc(1, len);
		struct buf token, packed, lst, raw, sig;
		struct status_list_token t;
		const struct signer_cert *own = signer_certificate(list_signer);
		const int checks = 300;
		double check_s[300], inflate_s[300], verify_s[300];
		unsigned revoked = 0, status;
		uLongf out_len;
		uint8_t *out = malloc(len);

		srand(7);
		for (size_t i = 0; i < entries / 100; i++) {
			size_t idx = (size_t)rand() % entries;
			if (status_list_get(bytes, len, 2, idx) == STATUS_VALID)
				revoked++;
			status_list_set(bytes, len, 2, idx, STATUS_INVALID);
		}
		buf_init(&token, STATUS_LIST_MAX_TOKEN_BYTES);
		if (status_list_token_build(list_signer, uri, bytes, len, 2, (int64_t)time(NULL),
					    (int64_t)time(NULL) + 3600, 300, &token, &err) != HR_OK)
			die("status token", &err);
		status_list_token_init(&t);
		for (int i = 0; i < checks; i++) {
			uint64_t idx = (uint64_t)rand() % entries;
			double t0 = now();
			if (status_list_token_check(buf_str(&token), token.len, own, uri,
						    (int64_t)time(NULL), &t, &err) != HR_OK ||
			    status_list_token_status(&t, idx, &status, &err) != HR_OK)
				die("status check", &err);
			check_s[i] = now() - t0;
			if (status != status_list_get(bytes, len, 2, idx))
				die("status check read a wrong entry", NULL);
		}
		status_list_token_clear(&t);
		/* zlib's inflate of the same compressed bytes (lst), and one ES256 verify of
		 * the same JWS signing input */
		{
			const char *dot1 = strchr(buf_str(&token), '.');
			const char *dot2 = strchr(dot1 + 1, '.');
			json_t *claims;
			const char *l;
			buf_init(&raw, STATUS_LIST_MAX_TOKEN_BYTES);
			buf_init(&packed, STATUS_LIST_MAX_TOKEN_BYTES);
			buf_init(&lst, STATUS_LIST_MAX_TOKEN_BYTES);
			buf_init(&sig, 256);
			base64_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), BASE64_URL, &raw);
			claims = json_loadb((const char *)raw.data, raw.len, 0, NULL);
			l = json_string_value(
			    json_object_get(json_object_get(claims, "status_list"), "lst"));
			base64_decode(l, strlen(l), BASE64_URL, &packed);
			base64_decode(dot2 + 1, strlen(dot2 + 1), BASE64_URL, &sig);
			for (int i = 0; i < checks; i++) {
				double t0 = now();
				out_len = len;
				if (uncompress(out, &out_len, packed.data, packed.len) != Z_OK ||
				    out_len != len)
					die("zlib uncompress", NULL);
				inflate_s[i] = now() - t0;
				t0 = now();
				if (cose_crypto_verify(cose_alg_find(COSE_ALG_ES256), own->key,
						       own->kind, token.data,
						       (size_t)(dot2 - buf_str(&token)), sig.data,
						       sig.len, &err) != HR_OK)
					die("token signature", &err);
				verify_s[i] = now() - t0;
			}
			printf(
			    "\"status_entries\": %zu, \"status_bits\": 2, \"status_revoked\": %u, "
			    "\"status_token_bytes\": %zu, \"status_compressed_bytes\": %zu, "
			    "\"status_check_ms\": %.3f, \"zlib_inflate_ms\": %.3f, "
			    "\"openssl_es256_verify_ms\": %.3f}\n",
			    entries, revoked, token.len, packed.len, median(check_s, checks) * 1e3,
			    median(inflate_s, checks) * 1e3, median(verify_s, checks) * 1e3);
			json_decref(claims);
			buf_clear(&raw);
			buf_clear(&packed);
			buf_clear(&lst);
			buf_clear(&sig);
		}
		buf_clear(&token);
		free(bytes);
		free(out);
	}
	for (size_t i = 0; i < certs.count; i++)
		OPENSSL_free(certs.der[i]);
	free(certs.der);
	free(certs.len);
	free(anchor);
	buf_clear(&served);
	signer_free(list_signer);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
	if (system(path) != 0)
		fprintf(stderr, "bench_trust_status: could not remove %s\n", tmp);
	return 0;
}
