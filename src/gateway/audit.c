/*
 * audit.c — today's implementation behind the audit seam (audit.h): one
 * structured log line per exchange, with the person and the bodies as
 * HMAC-SHA-256 under the gateway's keys so that the log can be correlated per
 * person without holding anyone's identifier. Issue 5's Merkle log replaces this file's body.
 */
#include "gateway/audit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/error.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/secret.h"

struct audit {
	uint8_t person_key[SECRET_LEN];
	uint8_t content_key[SECRET_LEN];
};

hr_status audit_open(const char *dir, struct audit **out, struct hr_error *err)
{
	char path[PATH_MAX];
	struct audit *a = calloc(1, sizeof(*a));
	hr_status rc;

	*out = NULL;
	if (a == NULL)
		return hr_error_set(err, HR_E_NOMEM, "audit", "out of memory");
	snprintf(path, sizeof(path), "%s/person.key", dir);
	if ((rc = secret_load_or_create(path, a->person_key, err)) == HR_OK) {
		snprintf(path, sizeof(path), "%s/content.key", dir);
		rc = secret_load_or_create(path, a->content_key, err);
	}
	if (rc != HR_OK) {
		audit_close(a);
		return rc;
	}
	*out = a;
	return HR_OK;
}

void audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	OPENSSL_cleanse(a->person_key, sizeof(a->person_key));
	OPENSSL_cleanse(a->content_key, sizeof(a->content_key));
	free(a);
}

hr_status audit_record(struct audit *a, const struct audit_entry *e, struct hr_error *err)
{
	uint8_t person_hash[32];
	char person_hex[65], request_hex[65], response_hex[65];
	struct log_line line;

	if ((e->user != NULL && strlen(e->user) > AUDIT_TEXT_MAX) ||
	    (e->issue != NULL && strlen(e->issue) > AUDIT_TEXT_MAX))
		return hr_error_set(err, HR_E_INVALID, "audit",
				    "user and issue are at most %d bytes", AUDIT_TEXT_MAX);
	if (e->person != NULL &&
	    secret_hmac(a->person_key, e->person, strlen(e->person), person_hash) != HR_OK)
		return hr_error_set(err, HR_E_CRYPTO, "audit", "cannot hash the person");
	if (e->person != NULL)
		hex_encode(person_hash, 32, person_hex);
	hex_encode(e->request_hash, 32, request_hex);
	hex_encode(e->response_hash, 32, response_hex);
	log_begin_record(&line, "audit.exchange");
	/* fixed-size fields first: whatever follows, they are never what is cut */
	log_add_int(&line, "time", e->time);
	log_add_uint(&line, "status", e->status);
	log_add_str(&line, "person_hmac", e->person ? person_hex : NULL);
	log_add_str(&line, "request_hmac", request_hex);
	log_add_str(&line, "response_hmac", response_hex);
	log_add_str(&line, "client", e->client);
	log_add_str(&line, "provider", e->provider);
	log_add_str(&line, "service", e->service);
	log_add_str(&line, "purpose", e->purpose);
	log_add_str(&line, "legal_basis", e->legal_basis);
	log_add_str(&line, "consent", e->consent_id);
	log_add_str(&line, "user", e->user);
	log_add_str(&line, "issue", e->issue);
	if (log_end_record(&line) != HR_OK)
		return hr_error_set(err, HR_E_IO, "audit",
				    "the audit record could not be written whole");
	return HR_OK;
}

hr_status audit_content_hash(const struct audit *a, const void *data, size_t len, uint8_t out[32])
{
	return secret_hmac(a->content_key, data, len, out);
}
