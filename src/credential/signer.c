/*
 * signer.c — struct signer and its in-process implementation (see signer.h for
 * why this is a seam); signer_open_files hands PKCS#11 key references to
 * signer_pkcs11.c. The private key's PEM text is read into memory we wipe with
 * OPENSSL_cleanse before freeing, so no copy of it outlives parsing.
 */
#include "credential/signer.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include <openssl/pem.h>

#include "core/error.h"
#include "credential/signer_cert.h"
#include "credential/signer_pkcs11.h"

#define STAGE          "signer"
#define KEY_FILE_LIMIT (64 * 1024)

struct signer {
	const struct signer_ops *ops;
	void *impl;
	const struct cose_alg *alg;
	struct signer_cert *cert; /* may be NULL */
	EVP_PKEY *public_key;     /* a copy without the private part */
};

/* A copy of key's public half, through its SubjectPublicKeyInfo encoding. */
static EVP_PKEY *public_copy(EVP_PKEY *key)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	int n = i2d_PUBKEY(key, &der);
	EVP_PKEY *pub;

	if (n <= 0)
		return NULL;
	p = der;
	pub = d2i_PUBKEY(NULL, &p, n);
	OPENSSL_free(der);
	return pub;
}

/*
 * Each thread that signs keeps its own initialised OpenSSL context for this key
 * (thread-specific data), so concurrent signing needs no lock and no context is
 * built per signature. Contexts of threads still alive when the signer is freed
 * are released when those threads exit only if the key outlives them; signers
 * live as long as the role that uses them, so that is the normal case.
 */
struct local_key {
	EVP_PKEY *key;
	const struct cose_alg *alg;
	pthread_key_t contexts;
};

static void context_free(void *cache)
{
	cose_key_context_clear(cache);
	free(cache);
}

static hr_status local_sign(void *impl, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
			    size_t *sig_len, struct hr_error *err)
{
	struct local_key *k = impl;
	struct cose_key_context *cache = pthread_getspecific(k->contexts);

	if (cache == NULL && (cache = calloc(1, sizeof(*cache))) != NULL &&
	    pthread_setspecific(k->contexts, cache) != 0) {
		free(cache);
		cache = NULL;
	}
	return cose_crypto_sign_cached(cache, k->alg, k->key, tbs, tbs_len, sig, sig_len, err);
}

static void local_free(void *impl)
{
	struct local_key *k = impl;
	void *own = pthread_getspecific(k->contexts);

	if (own != NULL)
		context_free(own);
	pthread_key_delete(k->contexts);
	EVP_PKEY_free(k->key);
	free(k);
}

static const struct signer_ops local_ops = {local_sign, local_free};

/* Reads a whole small file; the caller wipes and frees. */
static hr_status read_small_file(const char *path, char **out, size_t *len, struct hr_error *err)
{
	FILE *f = fopen(path, "rb");
	char *data;
	size_t n;

	*out = NULL;
	if (f == NULL)
		return hr_error_set(err, errno == ENOENT ? HR_E_NOT_FOUND : HR_E_IO, STAGE,
				    "cannot open %s: %s", path, strerror(errno));
	data = malloc(KEY_FILE_LIMIT + 1);
	if (data == NULL) {
		fclose(f);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	n = fread(data, 1, KEY_FILE_LIMIT + 1, f);
	fclose(f);
	if (n > KEY_FILE_LIMIT) {
		OPENSSL_cleanse(data, KEY_FILE_LIMIT + 1);
		free(data);
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "%s is too large for a key", path);
	}
	data[n] = 0;
	*out = data;
	*len = n;
	return HR_OK;
}

/* What every signer has: the algorithm its key implies, the public half, and
 * the certificate, checked to be the key's. Keeps nothing on failure. */
static hr_status signer_build(const struct signer_ops *ops, void *impl, EVP_PKEY *key,
			      const struct signer_cert *cert, struct signer **out,
			      struct hr_error *err)
{
	const struct cose_alg *alg = cose_alg_for_key(key_kind_of(key));
	struct signer *s;

	*out = NULL;
	if (alg == NULL)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
				    "the key is not P-256/384/521, RSA >= 2048 or Ed25519");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (cert != NULL &&
	    signer_cert_from_der(cert->der, cert->der_len, &s->cert, err) != HR_OK) {
		free(s);
		return HR_E_INVALID;
	}
	if (s->cert != NULL && EVP_PKEY_eq(s->cert->key, key) != 1) {
		signer_cert_free(s->cert);
		free(s);
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the certificate is not for this private key");
	}
	if ((s->public_key = public_copy(key)) == NULL) {
		signer_cert_free(s->cert);
		free(s);
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot copy the public key");
	}
	s->ops = ops;
	s->impl = impl;
	s->alg = alg;
	*out = s;
	return HR_OK;
}

hr_status signer_from_key(EVP_PKEY *key, const struct signer_cert *cert, struct signer **out,
			  struct hr_error *err)
{
	struct local_key *k;
	hr_status rc;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (pthread_key_create(&k->contexts, context_free) != 0) {
		free(k);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "no thread-specific key left");
	}
	if ((rc = signer_build(&local_ops, k, key, cert, out, err)) != HR_OK) {
		pthread_key_delete(k->contexts);
		free(k);
		return rc;
	}
	EVP_PKEY_up_ref(key);
	k->key = key;
	k->alg = (*out)->alg;
	return HR_OK;
}

hr_status signer_from_ops(const struct signer_ops *ops, void *impl, EVP_PKEY *public_key,
			  const struct signer_cert *cert, struct signer **out, struct hr_error *err)
{
	hr_status rc = signer_build(ops, impl, public_key, cert, out, err);

	if (rc != HR_OK)
		ops->free(impl);
	return rc;
}

/* Skips leading white space; the URI's end is trimmed by the caller. */
static const char *uri_in_text(char *text, size_t len)
{
	char *p = text;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!signer_pkcs11_is_uri(p))
		return NULL;
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' ||
			   text[len - 1] == '\r'))
		text[--len] = 0;
	return p;
}

static hr_status cert_load(const char *cert_path, struct signer_cert **cert, struct hr_error *err)
{
	char *text = NULL;
	size_t len = 0;
	hr_status rc;

	*cert = NULL;
	if (cert_path == NULL)
		return HR_OK;
	if ((rc = read_small_file(cert_path, &text, &len, err)) != HR_OK)
		return rc;
	rc = signer_cert_parse_first(text, len, cert, err);
	free(text);
	return rc;
}

static signer_key_loader key_loader;

void signer_set_key_loader(signer_key_loader loader)
{
	key_loader = loader;
}

/* Whether the file's text starts (after white space) like a pkcs11: URI: the
 * first bytes only, so a PEM private key is never read into this process. */
static bool file_names_token_key(const char *path)
{
	char head[64];
	ssize_t n;
	size_t i = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	/* read(2), not stdio: a FILE would buffer the whole key file here */
	if (fd < 0)
		return false;
	do
		n = read(fd, head, sizeof(head) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return false;
	head[n] = 0;
	while (i < (size_t)n &&
	       (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r'))
		i++;
	return strncmp(head + i, "pkcs11:", 7) == 0;
}

hr_status signer_open_files(const char *key_path, const char *cert_path, struct signer **out,
			    struct hr_error *err)
{
	struct signer_cert *cert = NULL;
	EVP_PKEY *key = NULL;
	const char *uri;
	char *text = NULL;
	size_t len = 0;
	BIO *bio;
	hr_status rc;

	*out = NULL;
	if (signer_pkcs11_is_uri(key_path)) {
		if ((rc = cert_load(cert_path, &cert, err)) == HR_OK)
			rc = signer_pkcs11_open(key_path, cert, out, err);
		signer_cert_free(cert);
		return rc;
	}
	if (key_loader != NULL && !file_names_token_key(key_path)) {
		if ((rc = cert_load(cert_path, &cert, err)) == HR_OK)
			rc = key_loader(key_path, cert, out, err);
		signer_cert_free(cert);
		return rc;
	}
	if ((rc = read_small_file(key_path, &text, &len, err)) != HR_OK)
		return rc;
	if ((uri = uri_in_text(text, len)) != NULL) {
		if ((rc = cert_load(cert_path, &cert, err)) == HR_OK)
			rc = signer_pkcs11_open(uri, cert, out, err);
		if (rc != HR_OK)
			hr_error_prefix(err, "%s", key_path);
		signer_cert_free(cert);
		OPENSSL_cleanse(text, len);
		free(text);
		return rc;
	}
	bio = BIO_new_mem_buf(text, (int)len);
	if (bio != NULL)
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	OPENSSL_cleanse(text, len);
	free(text);
	if (key == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s holds no PEM private key and no pkcs11: URI", key_path);
	if ((rc = cert_load(cert_path, &cert, err)) == HR_OK)
		rc = signer_from_key(key, cert, out, err);
	signer_cert_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

void signer_free(struct signer *s)
{
	if (s == NULL)
		return;
	s->ops->free(s->impl);
	signer_cert_free(s->cert);
	EVP_PKEY_free(s->public_key);
	free(s);
}

hr_status signer_sign(struct signer *s, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
		      size_t *sig_len, struct hr_error *err)
{
	return s->ops->sign(s->impl, tbs, tbs_len, sig, sig_len, err);
}

const struct cose_alg *signer_alg(const struct signer *s)
{
	return s->alg;
}

struct slice signer_kid(const struct signer *s)
{
	if (s->cert == NULL)
		return slice_make(NULL, 0);
	return slice_make(s->cert->kid, SIGNER_KID_LEN);
}

const struct signer_cert *signer_certificate(const struct signer *s)
{
	return s->cert;
}

EVP_PKEY *signer_public_key(const struct signer *s)
{
	return s->public_key;
}
