/*
 * up_trust.c — `hromada up` and the trust service, as countries and the
 * service would do it in production:
 *
 *  1. onboarding, out of band: each country's upload certificate and country
 *     root are put into the service's countries_dir before it starts;
 *  2. once every role answers, each country uploads its document signers and
 *     its members (their certificates, names, what they provide, its gateway's
 *     URL) in one signed batch through POST /v1/signers;
 *  3. STATE/trust-list.json is the list the service then serves (GET
 *     /v1/trust-list), and STATE/trust-anchor.pem the certificate it is
 *     pinned to; `up` fetches it again while it runs, so the file stays current.
 */
#include "platform/up_state.h"

#include <limits.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/file.h"
#include "core/hex.h"
#include "core/log.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "exchange/trust_upload.h"
#include "platform/country.h"
#include "platform/platform.h"

#define STAGE "up"

static hr_status copy_file(const char *from, const char *to, struct hr_error *err)
{
	struct buf data;
	hr_status rc;

	buf_init(&data, 1024 * 1024);
	if ((rc = file_read(from, &data, err)) == HR_OK)
		rc = file_write_atomic(to, data.data, data.len, 0644, err);
	buf_clear(&data);
	return rc;
}

hr_status up_onboard_countries(const char *countries_dir, const char *keys_dir,
			       const char *const *codes, int count, struct hr_error *err)
{
	char dir[PATH_MAX], from[PATH_MAX + 32], to[PATH_MAX + 32];
	hr_status rc;

	for (int c = 0; c < count; c++) {
		snprintf(dir, sizeof(dir), "%s/%s", countries_dir, codes[c]);
		if ((rc = platform_make_dirs(dir, err)) != HR_OK)
			return rc;
		snprintf(from, sizeof(from), "%s/%s/upload/cert.pem", keys_dir, codes[c]);
		snprintf(to, sizeof(to), "%s/upload.pem", dir);
		if ((rc = copy_file(from, to, err)) != HR_OK)
			return rc;
		snprintf(from, sizeof(from), "%s/%s/root/cert.pem", keys_dir, codes[c]);
		snprintf(to, sizeof(to), "%s/root.pem", dir);
		if ((rc = copy_file(from, to, err)) != HR_OK)
			return rc;
	}
	return HR_OK;
}

/* A certificate as the upload carries it: base64 of its DER. NULL when out of memory. */
static json_t *b64_der(const struct signer_cert *cert)
{
	struct buf text;
	json_t *s = NULL;

	buf_init(&text, 4 * cert->der_len + 8);
	if (signer_cert_base64(cert, &text) == HR_OK)
		s = json_stringn(buf_str(&text), text.len);
	buf_clear(&text);
	return s;
}

/* The certificate (base64 DER) of a member from its PEM file. */
static hr_status member_certificate(const char *keys_dir, const char *id, json_t **out,
				    struct hr_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct signer_cert *cert = NULL;
	hr_status rc;

	country_member_dir(keys_dir, id, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	if ((rc = signer_cert_read_file(path, &cert, err)) == HR_OK &&
	    (*out = b64_der(cert)) == NULL)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	signer_cert_free(cert);
	return rc;
}

/* What country c publishes: its signers and members, its gateway at gateway_url. */
static hr_status country_batch(const struct country_members *c, const char *country_keys,
			       const char *gateway_url, json_t *signers, json_t *members,
			       struct hr_error *err)
{
	char ids[DOCUMENT_TYPE_COUNT + 8][96], name[160];
	struct signer_cert **certs = NULL;
	size_t count = 0, n = country_member_ids(c, ids, DOCUMENT_TYPE_COUNT + 8);
	size_t prefix = strlen(c->registry_prefix);
	hr_status rc;

	if ((rc = keys_load_signers(country_keys, &certs, &count, err)) != HR_OK)
		return rc;
	for (size_t i = 0; i < count; i++) {
		json_array_append_new(signers, b64_der(certs[i]));
		signer_cert_free(certs[i]);
	}
	free(certs);
	for (size_t i = 0; i < n && rc == HR_OK; i++) {
		json_t *cert = NULL, *m;
		if ((rc = member_certificate(country_keys, ids[i], &cert, err)) != HR_OK)
			break;
		m = json_pack("{s:s,s:s,s:o}", "id", ids[i], "name",
			      country_member_name(c, ids[i], name, sizeof(name)), "certificate",
			      cert);
		if (strcmp(ids[i], c->gateway) == 0) {
			json_object_set_new(m, "gateway", json_true());
			json_object_set_new(m, "url", json_string(gateway_url));
		} else if (strcmp(ids[i], c->wallet) == 0) {
			json_object_set_new(m, "attests_devices", json_true());
		} else if (strncmp(ids[i], c->registry_prefix, prefix) == 0) {
			json_object_set_new(m, "document_type", json_string(ids[i] + prefix + 1));
		}
		json_array_append_new(members, m);
	}
	return rc;
}

hr_status up_upload_country(struct http_client *http, const char *trust_url, const char *keys_dir,
			    const char *code, const char *gateway_url, struct hr_error *err)
{
	const struct country_members *c = country_members(code);
	json_t *signers = json_array(), *members = json_array();
	char country_keys[PATH_MAX], key[PATH_MAX + 32], cert[PATH_MAX + 32], url[1024];
	char batch[33];
	uint8_t random[16];
	struct signer *upload = NULL;
	struct http_header headers[] = {{"Content-Type", "application/json"}};
	struct http_client_request request = {"POST", url, headers, 1, NULL, 0, 30000};
	struct http_client_response response;
	struct buf body;
	hr_status rc;

	http_client_response_init(&response);
	buf_init(&body, TRUST_UPLOAD_MAX_LEN + 64);
	snprintf(country_keys, sizeof(country_keys), "%s/%s", keys_dir, code);
	snprintf(key, sizeof(key), "%s/upload/key.pem", country_keys);
	snprintf(cert, sizeof(cert), "%s/upload/cert.pem", country_keys);
	snprintf(url, sizeof(url), "%s/v1/signers", trust_url);
	if (c == NULL || RAND_bytes(random, sizeof(random)) != 1) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "cannot upload for %s", code);
		goto done;
	}
	hex_encode(random, sizeof(random), batch);
	if ((rc = country_batch(c, country_keys, gateway_url, signers, members, err)) != HR_OK ||
	    (rc = signer_open_files(key, cert, &upload, err)) != HR_OK ||
	    (rc = trust_upload_make(upload, code, batch, (int64_t)time(NULL), signers, NULL,
				    members, &body, err)) != HR_OK)
		goto done;
	request.body = body.data;
	request.body_len = body.len;
	if ((rc = http_client_send(http, &request, &response, err)) != HR_OK)
		goto done;
	if (response.status != 200) {
		rc = hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				  "the trust service refused %s's upload (%ld): %.160s", code,
				  response.status, buf_str(&response.body));
		goto done;
	}
	log_info("up.trust_upload", "%s uploaded %zu signers and %zu members", code,
		 json_array_size(signers), json_array_size(members));
done:
	signer_free(upload);
	json_decref(signers);
	json_decref(members);
	buf_clear(&body);
	http_client_response_clear(&response);
	return rc;
}

hr_status up_fetch_trust_list(struct http_client *http, const char *trust_url,
			      const char *state_dir, const char *keys_dir, struct hr_error *err)
{
	struct http_client_response response;
	char url[1024], path[PATH_MAX + 32], anchor[PATH_MAX + 32];
	hr_status rc;

	http_client_response_init(&response);
	snprintf(url, sizeof(url), "%s/v1/trust-list", trust_url);
	if ((rc = http_client_get(http, url, &response, err)) == HR_OK && response.status != 200)
		rc = hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				  "the trust service answered %ld for its list", response.status);
	if (rc == HR_OK) {
		snprintf(path, sizeof(path), "%s/trust-list.json", state_dir);
		rc = file_write_atomic(path, response.body.data, response.body.len, 0644, err);
	}
	if (rc == HR_OK) {
		snprintf(anchor, sizeof(anchor), "%s/trust/cert.pem", keys_dir);
		snprintf(path, sizeof(path), "%s/trust-anchor.pem", state_dir);
		rc = copy_file(anchor, path, err);
	}
	http_client_response_clear(&response);
	return rc;
}
