/*
 * secret_key.c — HMAC keys behind a seam (see secret_key.h): the in-process
 * implementation, and the hook through which the key process takes over.
 */
#include "core/secret_key.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/error.h"
#include "core/secret.h"

#define STAGE "secret"

/*
 * A key's memory of MACs it made (secret_key_remember): direct-mapped by the
 * SHA-256 of the data, so a slot holds the digest, never the data. A MAC is
 * what anyone holding this process sees anyway (it stores and compares them);
 * remembering one saves a round trip to the key process for data that comes
 * back often (a person's pseudonym on every request, a token on every call).
 */
struct mac_memory_slot {
	uint8_t digest[32];
	uint8_t mac[32];
	bool used;
};

struct secret_key {
	const struct secret_key_ops *ops;
	void *impl;
	pthread_mutex_t lock;
	struct mac_memory_slot *memory; /* NULL: remembers nothing */
	size_t slots;                   /* a power of two */
};

static secret_key_loader loader;

void secret_key_set_loader(secret_key_loader l)
{
	loader = l;
}

struct secret_key *secret_key_new(const struct secret_key_ops *ops, void *impl)
{
	struct secret_key *k = malloc(sizeof(*k));

	if (k == NULL) {
		ops->free(impl);
		return NULL;
	}
	k->ops = ops;
	k->impl = impl;
	k->memory = NULL;
	k->slots = 0;
	pthread_mutex_init(&k->lock, NULL);
	return k;
}

static hr_status local_hmac(void *impl, const void *data, size_t len, uint8_t out[32],
			    struct hr_error *err)
{
	if (secret_hmac(impl, data, len, out) != HR_OK)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "HMAC failed");
	return HR_OK;
}

static void local_free(void *impl)
{
	OPENSSL_cleanse(impl, SECRET_LEN);
	free(impl);
}

static const struct secret_key_ops local_ops = {local_hmac, local_free};

hr_status secret_key_open(const char *path, struct secret_key **out, struct hr_error *err)
{
	uint8_t *bytes = malloc(SECRET_LEN);
	hr_status rc = HR_OK;

	*out = NULL;
	if (bytes == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (loader != NULL) {
		/* an existing key is never read here; a missing one is made here (its
		 * bytes wiped at once) and from then on only the key process has it */
		if (access(path, F_OK) != 0)
			rc = secret_load_or_create(path, bytes, err);
		local_free(bytes);
		return rc == HR_OK ? loader(path, out, err) : rc;
	}
	if ((rc = secret_load_or_create(path, bytes, err)) != HR_OK) {
		local_free(bytes);
		return rc;
	}
	if ((*out = secret_key_new(&local_ops, bytes)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	return HR_OK;
}

hr_status secret_key_remember(struct secret_key *k, size_t entries)
{
	size_t slots = 1;

	while (slots < entries && slots < ((size_t)1 << 20))
		slots <<= 1;
	free(k->memory);
	k->slots = 0;
	if ((k->memory = calloc(slots, sizeof(*k->memory))) == NULL)
		return HR_E_NOMEM;
	k->slots = slots;
	return HR_OK;
}

hr_status secret_key_hmac(struct secret_key *k, const void *data, size_t len, uint8_t out[32],
			  struct hr_error *err)
{
	uint8_t digest[32];
	unsigned int n = 0;
	struct mac_memory_slot *slot = NULL;
	hr_status rc;

	if (len > SECRET_KEY_DATA_MAX)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
				    "%zu bytes are too many for one MAC", len);
	if (k->memory != NULL && EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL) == 1) {
		size_t at = ((size_t)digest[0] | (size_t)digest[1] << 8 | (size_t)digest[2] << 16) &
			    (k->slots - 1);
		slot = &k->memory[at];
		pthread_mutex_lock(&k->lock);
		if (slot->used && CRYPTO_memcmp(slot->digest, digest, 32) == 0) {
			memcpy(out, slot->mac, 32);
			pthread_mutex_unlock(&k->lock);
			return HR_OK;
		}
		pthread_mutex_unlock(&k->lock);
	}
	if ((rc = k->ops->hmac(k->impl, data, len, out, err)) != HR_OK || slot == NULL)
		return rc;
	pthread_mutex_lock(&k->lock);
	memcpy(slot->digest, digest, 32);
	memcpy(slot->mac, out, 32);
	slot->used = true;
	pthread_mutex_unlock(&k->lock);
	return HR_OK;
}

void secret_key_free(struct secret_key *k)
{
	if (k == NULL)
		return;
	k->ops->free(k->impl);
	free(k->memory);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

hr_status secret_key_move(const char *old_path, const char *path, struct hr_error *err)
{
	if (access(path, F_OK) == 0 || access(old_path, F_OK) != 0)
		return HR_OK;
	if (rename(old_path, path) != 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot move %s to %s: %s", old_path, path,
				    strerror(errno));
	return HR_OK;
}
