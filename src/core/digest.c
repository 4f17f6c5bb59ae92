/*
 * digest.c — SHA-2 through EVP_MDs fetched once (digest.h says why).
 */
#include "core/digest.h"

#include <pthread.h>
#include <string.h>

static EVP_MD *sha256, *sha384, *sha512;
static pthread_once_t fetched = PTHREAD_ONCE_INIT;

static void digests_fetch(void)
{
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
	sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
}

const EVP_MD *digest_sha256(void)
{
	(void)pthread_once(&fetched, digests_fetch);
	return sha256;
}

const EVP_MD *digest_sha384(void)
{
	(void)pthread_once(&fetched, digests_fetch);
	return sha384;
}

const EVP_MD *digest_sha512(void)
{
	(void)pthread_once(&fetched, digests_fetch);
	return sha512;
}

hr_status digest_sha256_of(const void *data, size_t len, uint8_t out[DIGEST_SHA256_LEN])
{
	const EVP_MD *md = digest_sha256();
	unsigned int n = 0;

	if (md != NULL && EVP_Digest(len > 0 ? data : "", len, out, &n, md, NULL) == 1 &&
	    n == DIGEST_SHA256_LEN)
		return HR_OK;
	memset(out, 0, DIGEST_SHA256_LEN);
	return HR_E_CRYPTO;
}
