/*
 * trust_list.c — building and checking the signed trust list.
 *
 *	{"protected": b64url({"alg":"ES256","typ":"hromada-trust-list+json","x5c":[cert]}),
 *	 "payload":   b64url({"format":"hromada-trust-list","version":1,"sequence":N,
 *	                      "issued_at":"...Z","next_update":"...Z",
 *	                      "signers":[{"country":"UA","kid":"...","certificate":"..."}]}),
 *	 "signature": b64url(raw signature over protected || "." || payload)}
 *
 * Loading trusts nothing in the list before its signature verifies under the
 * pinned anchor key; the x5c in the header is informational only (it tells an
 * operator which signer made the list, it is never what the list is checked
 * against). Every listed certificate must match its kid, and a certificate that
 * names a country must name the country it is listed under.
 */
#include "credential/trust_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hromada/verify.h>

#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "credential/cose_crypto.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/trust_store.h"

#define STAGE      "trust_list"
#define LIST_LIMIT TRUST_LIST_MAX_BYTES

static void format_time(int64_t seconds, char *out, size_t size)
{
	struct tm tm;
	time_t s = (time_t)seconds;

	gmtime_r(&s, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static hr_status b64_json(const json_t *value, struct buf *out)
{
	struct buf text;
	hr_status rc;

	buf_init(&text, LIST_LIMIT);
	rc = hr_json_dump(value, &text);
	if (rc == HR_OK)
		rc = base64_encode(text.data, text.len, BASE64_URL, out);
	buf_clear(&text);
	return rc;
}

static json_t *b64_string(const void *data, size_t len, enum base64_variant variant)
{
	struct buf b;
	json_t *s = NULL;

	buf_init(&b, LIST_LIMIT);
	if (base64_encode(data, len, variant, &b) == HR_OK)
		s = json_stringn(buf_str(&b), b.len);
	buf_clear(&b);
	return s;
}

hr_status trust_list_sign_payload(struct signer *list_signer, const json_t *payload,
				  struct buf *out, struct hr_error *err)
{
	const struct signer_cert *own = signer_certificate(list_signer);
	json_t *header, *jws = NULL;
	struct buf prot, body, input;
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	hr_status rc = HR_E_NOMEM;

	if (list_signer == NULL || !json_is_object(payload))
		return hr_error_set(err, HR_E_INVALID, STAGE, "a trust list payload is an object");
	header =
	    json_pack("{s:s,s:s}", "alg", signer_alg(list_signer)->name, "typ", TRUST_LIST_TYPE);
	if (header != NULL && own != NULL)
		json_object_set_new(
		    header, "x5c",
		    json_pack("[o]", b64_string(own->der, own->der_len, BASE64_STANDARD)));
	buf_init(&prot, LIST_LIMIT);
	buf_init(&body, LIST_LIMIT);
	buf_init(&input, 2 * LIST_LIMIT + 1);
	if (header == NULL)
		goto done;
	if ((rc = b64_json(header, &prot)) != HR_OK || (rc = b64_json(payload, &body)) != HR_OK)
		goto done;
	buf_append(&input, prot.data, prot.len);
	buf_append_byte(&input, '.');
	buf_append(&input, body.data, body.len);
	if ((rc = input.error) != HR_OK)
		goto done;
	if ((rc = signer_sign(list_signer, input.data, input.len, sig, &sig_len, err)) != HR_OK)
		goto done;
	jws =
	    json_pack("{s:s%,s:s%,s:o}", "protected", buf_str(&prot), prot.len, "payload",
		      buf_str(&body), body.len, "signature", b64_string(sig, sig_len, BASE64_URL));
	rc = jws ? hr_json_dump_pretty(jws, out) : HR_E_NOMEM;
	if (rc == HR_OK)
		rc = buf_append_byte(out, '\n');
done:
	if (rc != HR_OK && err && err->message[0] == 0)
		hr_error_set(err, rc, STAGE, "cannot sign the trust list (%s)", hr_status_name(rc));
	json_decref(header);
	json_decref(jws);
	buf_clear(&prot);
	buf_clear(&body);
	buf_clear(&input);
	return rc;
}

hr_status trust_list_build(struct signer *list_signer, const struct trust_list_signer *signers,
			   size_t count, int64_t sequence, int64_t issued_at,
			   int64_t validity_seconds, struct buf *out, struct hr_error *err)
{
	char issued[32], next[32];
	json_t *list, *array;
	hr_status rc;

	format_time(issued_at, issued, sizeof(issued));
	format_time(issued_at + validity_seconds, next, sizeof(next));
	array = json_array();
	for (size_t i = 0; array && i < count; i++)
		json_array_append_new(
		    array,
		    json_pack("{s:s,s:o,s:o}", "country", signers[i].country, "kid",
			      b64_string(signers[i].cert->kid, SIGNER_KID_LEN, BASE64_STANDARD),
			      "certificate",
			      b64_string(signers[i].cert->der, signers[i].cert->der_len,
					 BASE64_STANDARD)));
	list = json_pack("{s:s,s:i,s:I,s:s,s:s,s:o}", "format", TRUST_LIST_FORMAT, "version",
			 TRUST_LIST_VERSION, "sequence", (json_int_t)sequence, "issued_at", issued,
			 "next_update", next, "signers", array);
	if (list == NULL || json_array_size(array) != count)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "cannot build the trust list");
	else
		rc = trust_list_sign_payload(list_signer, list, out, err);
	json_decref(list);
	return rc;
}

/* --- loading --------------------------------------------------------------- */

struct anchor {
	struct signer_cert *cert;
};

static hr_status keep_anchor(void *ctx, struct signer_cert *cert, struct hr_error *err)
{
	struct anchor *a = ctx;

	(void)err;
	if (a->cert == NULL)
		a->cert = cert;
	else
		signer_cert_free(cert);
	return HR_OK;
}

static hr_status decode_part(const json_t *jws, const char *name, struct buf *out,
			     struct hr_error *err)
{
	const char *text = json_string_value(json_object_get(jws, name));

	if (text == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "the list has no \"%s\"", name);
	if (base64_decode(text, strlen(text), BASE64_URL, out) != HR_OK)
		return hr_error_set(err, HR_E_INVALID, STAGE, "\"%s\" is not base64url", name);
	return HR_OK;
}

/* Checks the JWS signature under the anchor; on success *list is the payload. */
static hr_status check_signature(const json_t *jws, const struct signer_cert *anchor, json_t **list,
				 struct hr_error *err)
{
	const char *prot = json_string_value(json_object_get(jws, "protected"));
	const char *payload = json_string_value(json_object_get(jws, "payload"));
	const struct cose_alg *alg;
	struct buf header_text, payload_text, sig, input;
	json_t *header = NULL;
	hr_status rc;

	buf_init(&header_text, LIST_LIMIT);
	buf_init(&payload_text, LIST_LIMIT);
	buf_init(&sig, COSE_SIGNATURE_MAX);
	buf_init(&input, 2 * LIST_LIMIT + 1);
	if ((rc = decode_part(jws, "protected", &header_text, err)) != HR_OK ||
	    (rc = decode_part(jws, "payload", &payload_text, err)) != HR_OK ||
	    (rc = decode_part(jws, "signature", &sig, err)) != HR_OK)
		goto done;
	if ((rc = hr_json_parse_object(header_text.data, header_text.len, &header, err)) != HR_OK)
		goto done;
	alg = cose_alg_find_name(json_string_value(json_object_get(header, "alg")));
	if (alg == NULL || json_object_get(header, "crit") != NULL) {
		rc = hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
				  "the list's JWS header has an unsupported alg or crit");
		goto done;
	}
	buf_append(&input, prot, strlen(prot));
	buf_append_byte(&input, '.');
	buf_append(&input, payload, strlen(payload));
	if ((rc = input.error) != HR_OK)
		goto done;
	if (cose_crypto_verify(alg, anchor->key, anchor->kind, input.data, input.len, sig.data,
			       sig.len, err) != HR_OK) {
		rc = hr_error_set(err, HR_E_SIGNATURE, STAGE,
				  "the trust list is not signed by the pinned trust-list signer");
		goto done;
	}
	rc = hr_json_parse_object(payload_text.data, payload_text.len, list, err);
done:
	json_decref(header);
	buf_clear(&header_text);
	buf_clear(&payload_text);
	buf_clear(&sig);
	buf_clear(&input);
	return rc;
}

/* format, version, sequence, times and the signers array: the shape every
 * list has, checked once its signature has verified. */
static hr_status check_list_object(const json_t *list, struct trust_list_info *info,
				   struct hr_error *err)
{
	const char *format = json_string_value(json_object_get(list, "format"));
	const json_t *version = json_object_get(list, "version");
	const json_t *sequence = json_object_get(list, "sequence");
	const char *issued = json_string_value(json_object_get(list, "issued_at"));
	const char *next = json_string_value(json_object_get(list, "next_update"));
	struct hr_time issued_at, next_update;

	if (format == NULL || strcmp(format, TRUST_LIST_FORMAT) != 0 || !json_is_integer(version) ||
	    json_integer_value(version) != TRUST_LIST_VERSION ||
	    !json_is_array(json_object_get(list, "signers")))
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE, "not a %s version %d document",
				    TRUST_LIST_FORMAT, TRUST_LIST_VERSION);
	if (!json_is_integer(sequence) || json_integer_value(sequence) < 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the list's sequence is not a non-negative integer");
	if (issued == NULL || hr_time_parse(issued, &issued_at, NULL) != HR_OK || next == NULL ||
	    hr_time_parse(next, &next_update, NULL) != HR_OK)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the list's issued_at and next_update must be RFC 3339 times");
	if (next_update.seconds < issued_at.seconds)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the list's next_update %s is before its issued_at %s", next,
				    issued);
	info->sequence = (int64_t)json_integer_value(sequence);
	info->issued_at = issued_at.seconds;
	info->next_update = next_update.seconds;
	return HR_OK;
}

/* The list is stale when now is past next_update + grace (no overflow). */
static hr_status check_fresh(const struct trust_list_info *info, int64_t now, int64_t grace_s,
			     struct hr_error *err)
{
	char next[32];

	if (grace_s < 0)
		grace_s = 0;
	if (now <= info->next_update || now - info->next_update <= grace_s)
		return HR_OK;
	format_time(info->next_update, next, sizeof(next));
	return hr_error_set(err, HR_E_EXPIRED, STAGE,
			    "the trust list is stale: its next_update %s plus the grace of %lld s "
			    "has passed; fetch a current list from the trust service",
			    next, (long long)grace_s);
}

static hr_status open_list(const void *data, size_t len, const struct signer_cert *anchor,
			   bool check_time, int64_t now, int64_t grace_s,
			   struct trust_list_info *info, json_t **payload, struct hr_error *err)
{
	struct trust_list_info got = {0, 0, 0};
	json_t *jws = NULL, *list = NULL;
	hr_status rc;

	*payload = NULL;
	if (anchor == NULL || (data == NULL && len > 0))
		return hr_error_set(err, HR_E_INVALID, STAGE, "no list or no trust anchor");
	if (len > LIST_LIMIT)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
				    "the trust list is larger than %d bytes", LIST_LIMIT);
	if ((rc = hr_json_parse_object(data, len, &jws, err)) != HR_OK) {
		if (err != NULL) {
			char why[HR_ERROR_MESSAGE_MAX];
			snprintf(why, sizeof(why), "%s", err->message);
			hr_error_set(err, rc, STAGE, "the trust list is not a JWS in JSON form: %s",
				     why);
		}
		return rc;
	}
	rc = check_signature(jws, anchor, &list, err);
	json_decref(jws);
	if (rc == HR_OK)
		rc = check_list_object(list, &got, err);
	if (rc == HR_OK && check_time)
		rc = check_fresh(&got, now, grace_s, err);
	if (rc != HR_OK) {
		json_decref(list);
		return rc;
	}
	if (info != NULL)
		*info = got;
	*payload = list;
	return HR_OK;
}

hr_status trust_list_open(const void *data, size_t len, const struct signer_cert *anchor,
			  int64_t now, int64_t grace_s, struct trust_list_info *info,
			  json_t **payload, struct hr_error *err)
{
	return open_list(data, len, anchor, true, now, grace_s, info, payload, err);
}

/* The largest DER certificate a list may carry. */
#define SIGNER_DER_MAX 16384

/* Checks the i-th signer of the list without parsing its certificate (see
 * trust_store.h): two-letter country, a base64 kid of 8 bytes that is the
 * SHA-256 prefix of the certificate's DER. */
static hr_status check_signer(const json_t *entry, size_t i, struct trust_store_pending *p,
			      struct hr_error *err)
{
	const char *country = json_string_value(json_object_get(entry, "country"));
	const char *cert = json_string_value(json_object_get(entry, "certificate"));
	const char *kid = json_string_value(json_object_get(entry, "kid"));
	uint8_t computed[SIGNER_KID_LEN];
	struct buf bytes;
	bool ok;

	memset(p, 0, sizeof(*p));
	if (country == NULL || strlen(country) != 2 || cert == NULL || kid == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "signer %zu needs country, kid and certificate", i);
	buf_init(&bytes, 64);
	ok = base64_decode(kid, strlen(kid), BASE64_STANDARD, &bytes) == HR_OK &&
	     bytes.len == SIGNER_KID_LEN;
	if (ok)
		memcpy(p->kid, bytes.data, SIGNER_KID_LEN);
	buf_clear(&bytes);
	if (!ok)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "signer %zu: kid is not base64 of 8 bytes", i);
	buf_init(&bytes, SIGNER_DER_MAX);
	if (base64_decode(cert, strlen(cert), BASE64_STANDARD, &bytes) != HR_OK || bytes.len == 0) {
		buf_clear(&bytes);
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "signer %zu: certificate is not base64 of at most %d bytes", i,
				    SIGNER_DER_MAX);
	}
	signer_cert_kid(bytes.data, bytes.len, computed);
	if (memcmp(computed, p->kid, SIGNER_KID_LEN) != 0) {
		buf_clear(&bytes);
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "signer %zu: kid does not match its certificate", i);
	}
	p->der = buf_take(&bytes, &p->der_len);
	memcpy(p->country, country, 2);
	return p->der != NULL ? HR_OK : hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
}

/* Every signer is checked before the first is trusted, so a bad entry anywhere
 * leaves the store as it was. Certificates are parsed at first use. */
static hr_status add_signers(struct hr_trust_store *store, const json_t *list, struct hr_error *err)
{
	const json_t *signers = json_object_get(list, "signers");
	size_t count = json_array_size(signers), done = 0;
	struct trust_store_pending *pending;
	hr_status rc = HR_OK;

	if (count == 0)
		return HR_OK;
	if ((pending = calloc(count, sizeof(*pending))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	for (; done < count && rc == HR_OK; done++)
		rc = check_signer(json_array_get(signers, done), done, &pending[done], err);
	if (rc == HR_OK) {
		rc = trust_store_add_batch(store, pending, count, err);
	} else {
		for (size_t i = 0; i < done; i++)
			free(pending[i].der);
	}
	free(pending);
	return rc;
}

static hr_status load(struct hr_trust_store *store, const void *data, size_t len,
		      const void *anchor_data, size_t anchor_len, bool check_time, int64_t now,
		      int64_t grace_s, struct hr_trust_list_info *info, struct hr_error *err)
{
	struct anchor anchor = {NULL};
	struct trust_list_info got;
	json_t *list = NULL;
	hr_status rc;

	if (store == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no trust store");
	if (len > LIST_LIMIT)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "the trust list is too large");
	if ((rc = signer_cert_parse_all(anchor_data, anchor_len, keep_anchor, &anchor, err)) !=
	    HR_OK) {
		hr_error_prefix(err, "trust-list signer");
		return rc;
	}
	if ((rc = open_list(data, len, anchor.cert, check_time, now, grace_s, &got, &list, err)) ==
	    HR_OK)
		rc = add_signers(store, list, err);
	if (rc == HR_OK && info != NULL) {
		info->sequence = got.sequence;
		info->issued_at = got.issued_at;
		info->next_update = got.next_update;
	}
	json_decref(list);
	signer_cert_free(anchor.cert);
	return rc;
}

hr_status hr_trust_store_load_list(struct hr_trust_store *store, const void *data, size_t len,
				   const void *anchor_data, size_t anchor_len, struct hr_error *err)
{
	return load(store, data, len, anchor_data, anchor_len, false, 0, 0, NULL, err);
}

hr_status hr_trust_store_load_list_at(struct hr_trust_store *store, const void *data, size_t len,
				      const void *anchor_data, size_t anchor_len, int64_t now,
				      int64_t grace_s, struct hr_trust_list_info *info,
				      struct hr_error *err)
{
	return load(store, data, len, anchor_data, anchor_len, true, now, grace_s, info, err);
}
