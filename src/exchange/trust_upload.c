/*
 * trust_upload.c — making and opening a country's signed upload (trust_upload.h).
 *
 * Opening reads untrusted bytes: the JWS is bounded (TRUST_UPLOAD_MAX_LEN), ES256
 * only (jose.c), and every claim is type-checked before anything reads it; the
 * arrays are bounded in count, their strings in length. Unknown claims are
 * refused, so a country cannot believe the service honoured a field it ignores.
 */
#include "exchange/trust_upload.h"

#include <ctype.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "exchange/jose.h"

#define STAGE           "trust_upload"
#define CERTIFICATE_MAX (16 * 1024) /* base64 of one DER certificate */
#define KID_TEXT_MAX    16
#define MEMBER_TEXT_MAX 256

hr_status trust_upload_make(struct signer *upload_key, const char *country, const char *batch,
			    int64_t iat, const json_t *signers, const json_t *withdraw,
			    const json_t *members, struct buf *out, struct hr_error *err)
{
	json_t *header, *claims;
	struct buf jws;
	hr_status rc;

	header = json_pack("{s:s,s:s}", "typ", TRUST_UPLOAD_TYPE, "kid", country);
	/* "o" takes the reference: one of ours, or a new empty array */
	claims = json_pack("{s:s,s:s,s:I,s:o,s:o}", "country", country, "batch", batch, "iat",
			   (json_int_t)iat, "signers",
			   signers ? json_incref((json_t *)signers) : json_array(), "withdraw",
			   withdraw ? json_incref((json_t *)withdraw) : json_array());
	if (claims != NULL && members != NULL)
		json_object_set(claims, "members", (json_t *)members);
	buf_init(&jws, TRUST_UPLOAD_MAX_LEN);
	if (header == NULL || claims == NULL)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	else if ((rc = jose_jws_sign_limit(upload_key, header, claims, TRUST_UPLOAD_MAX_LEN, &jws,
					   err)) == HR_OK) {
		buf_append_str(out, "{\"upload\":\"");
		buf_append(out, jws.data, jws.len);
		buf_append_str(out, "\"}");
		if ((rc = out->error) != HR_OK)
			hr_error_set(err, rc, STAGE, "the upload is too large");
	}
	buf_clear(&jws);
	json_decref(header);
	json_decref(claims);
	return rc;
}

static bool country_valid(const char *c)
{
	return c != NULL && strlen(c) == 2 && isupper((unsigned char)c[0]) &&
	       isupper((unsigned char)c[1]);
}

hr_status trust_upload_country(const char *jws, size_t len, char country[3], struct hr_error *err)
{
	json_t *header = NULL;
	const char *kid;
	hr_status rc;

	if ((rc = jose_jws_header(jws, len, &header, err)) != HR_OK)
		return hr_error_set(err, rc, STAGE, "the upload is not a compact JWS");
	kid = json_string_value(json_object_get(header, "kid"));
	if (!country_valid(kid)) {
		json_decref(header);
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the upload's header must name its country as kid (\"UA\")");
	}
	memcpy(country, kid, 3);
	json_decref(header);
	return HR_OK;
}

static bool batch_valid(const char *b)
{
	size_t n = b ? strlen(b) : 0;

	if (n < 16 || n > TRUST_UPLOAD_BATCH_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)b[i]) && b[i] != '-' && b[i] != '_')
			return false;
	return true;
}

/* An array of at most max strings, each 1..max_len bytes. */
static bool strings_valid(const json_t *array, size_t max, size_t max_len)
{
	size_t i;
	json_t *v;

	if (!json_is_array(array) || json_array_size(array) > max)
		return false;
	json_array_foreach(array, i, v)
	{
		size_t n = json_string_length(v);
		if (!json_is_string(v) || n == 0 || n > max_len)
			return false;
	}
	return true;
}

static hr_status check_member(const json_t *m, size_t i, struct hr_error *err)
{
	static const char *const keys[] = {
	    "id",  "name",    "certificate", "document_type", "attests_devices",
	    "url", "gateway", NULL};
	static const char *const text[] = {"id", "name", "document_type", "url", NULL};
	hr_status rc;

	if (!json_is_object(m))
		return hr_error_set(err, HR_E_INVALID, STAGE, "member %zu is not an object", i);
	if ((rc = hr_json_only_keys(m, keys, err)) != HR_OK) {
		hr_error_prefix(err, "member %zu", i);
		return rc;
	}
	for (size_t k = 0; text[k] != NULL; k++) {
		const json_t *v = json_object_get(m, text[k]);
		if (v != NULL && (!json_is_string(v) || json_string_length(v) == 0 ||
				  json_string_length(v) > MEMBER_TEXT_MAX))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "member %zu: %s must be a string of 1 to %d bytes", i,
					    text[k], MEMBER_TEXT_MAX);
	}
	if (json_object_get(m, "id") == NULL ||
	    !json_is_string(json_object_get(m, "certificate")) ||
	    json_string_length(json_object_get(m, "certificate")) > CERTIFICATE_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "member %zu needs an id and a certificate (base64 DER)", i);
	if ((json_object_get(m, "attests_devices") &&
	     !json_is_boolean(json_object_get(m, "attests_devices"))) ||
	    (json_object_get(m, "gateway") && !json_is_boolean(json_object_get(m, "gateway"))))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "member %zu: attests_devices and gateway are true or false", i);
	return HR_OK;
}

hr_status trust_upload_open(const char *jws, size_t len, EVP_PKEY *key,
			    const char *expected_country, int64_t now, struct trust_upload *out,
			    struct hr_error *err)
{
	static const char *const keys[] = {"country",  "batch",   "iat", "signers",
					   "withdraw", "members", NULL};
	json_t *header = NULL, *claims = NULL, *v;
	const char *country, *batch, *typ;
	json_int_t iat;
	size_t i;
	hr_status rc;

	memset(out, 0, sizeof(*out));
	if ((rc = jose_jws_verify_limit(jws, len, TRUST_UPLOAD_MAX_LEN, key, &header, &claims,
					err)) != HR_OK) {
		if (rc == HR_E_SIGNATURE)
			hr_error_set(err, rc, STAGE, "the upload is not signed by %s's upload key",
				     expected_country);
		return rc;
	}
	typ = json_string_value(json_object_get(header, "typ"));
	country = json_string_value(json_object_get(claims, "country"));
	batch = json_string_value(json_object_get(claims, "batch"));
	v = json_object_get(claims, "iat");
	iat = json_is_integer(v) ? json_integer_value(v) : 0;
	if (typ == NULL || strcmp(typ, TRUST_UPLOAD_TYPE) != 0) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "the upload's typ must be %s",
				  TRUST_UPLOAD_TYPE);
	} else if ((rc = hr_json_only_keys(claims, keys, err)) != HR_OK) {
		hr_error_prefix(err, "upload");
	} else if (!country_valid(country) || strcmp(country, expected_country) != 0) {
		rc =
		    hr_error_set(err, HR_E_DENIED, STAGE,
				 "the upload signed by %s names another country", expected_country);
	} else if (!batch_valid(batch)) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "batch must be 16 to %d characters of A-Z, a-z, 0-9, - and _",
				  TRUST_UPLOAD_BATCH_MAX);
	} else if (!json_is_integer(v) || iat < now - TRUST_UPLOAD_SKEW_S ||
		   iat > now + TRUST_UPLOAD_SKEW_S) {
		rc = hr_error_set(err, HR_E_EXPIRED, STAGE,
				  "iat must be within %d s of the service's clock (a replayed or "
				  "delayed upload)",
				  TRUST_UPLOAD_SKEW_S);
	} else if (!strings_valid(json_object_get(claims, "signers"), TRUST_UPLOAD_MAX_SIGNERS,
				  CERTIFICATE_MAX) ||
		   !strings_valid(json_object_get(claims, "withdraw"), TRUST_UPLOAD_MAX_SIGNERS,
				  KID_TEXT_MAX)) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "signers (base64 DER) and withdraw (base64 kids) must be arrays "
				  "of at most %d strings",
				  TRUST_UPLOAD_MAX_SIGNERS);
	} else if ((v = json_object_get(claims, "members")) != NULL &&
		   (!json_is_array(v) || json_array_size(v) > TRUST_UPLOAD_MAX_MEMBERS)) {
		rc =
		    hr_error_set(err, HR_E_INVALID, STAGE, "members must be an array of at most %d",
				 TRUST_UPLOAD_MAX_MEMBERS);
	} else {
		json_t *m;
		json_array_foreach(v, i, m)
		{
			if ((rc = check_member(m, i, err)) != HR_OK)
				break;
		}
	}
	json_decref(header);
	if (rc != HR_OK) {
		json_decref(claims);
		return rc;
	}
	memcpy(out->country, country, 3);
	memcpy(out->batch, batch, strlen(batch) + 1);
	out->iat = iat;
	out->signers = json_object_get(claims, "signers");
	out->withdraw = json_object_get(claims, "withdraw");
	out->members = json_object_get(claims, "members");
	out->claims = claims;
	return HR_OK;
}

void trust_upload_clear(struct trust_upload *upload)
{
	json_decref(upload->claims);
	memset(upload, 0, sizeof(*upload));
}
