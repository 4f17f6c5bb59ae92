/*
 * audit_entry.c — an audit entry's fields to and from its deterministic CBOR
 * bytes (audit_entry.h). Decoding re-encodes and compares: an entry is accepted
 * only in the one encoding the gateway writes, so two different byte strings
 * can never claim to be the same entry.
 */
#include "audit/audit_entry.h"

#include <stdbool.h>
#include <string.h>

#include "core/base64.h"
#include "core/error.h"
#include "credential/cbor.h"
#include "credential/cbor_json.h"

#define STAGE "audit"

static const char *const required_text[] = {"client", "provider", "service", "purpose", "user"};

static hr_status set_text(json_t *o, const char *key, const char *value, struct hr_error *err)
{
	if (value == NULL)
		return HR_OK;
	if (strlen(value) > AUDIT_TEXT_MAX)
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s is over %d bytes", key,
				    AUDIT_TEXT_MAX);
	if (json_object_set_new(o, key, json_string(value)) != 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s is not UTF-8 text", key);
	return HR_OK;
}

static hr_status set_hash(json_t *o, const char *key, const uint8_t *hash, struct hr_error *err)
{
	struct buf text;
	hr_status rc = HR_OK;

	if (hash == NULL)
		return HR_OK;
	buf_init(&text, 64);
	if (base64_encode(hash, AUDIT_HASH_LEN, BASE64_URL, &text) != HR_OK ||
	    json_object_set_new(o, key, json_stringn((const char *)text.data, text.len)) != 0)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	buf_clear(&text);
	return rc;
}

static json_t *to_json(const struct audit_entry_fields *f, struct hr_error *err)
{
	json_t *o = json_object();
	const char *texts[] = {f->client, f->provider, f->service, f->purpose, f->user};

	if (o == NULL) {
		hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i] == NULL) {
			hr_error_set(err, HR_E_INVALID, STAGE, "an entry needs %s",
				     required_text[i]);
			goto fail;
		}
	if (f->request_hash == NULL || f->response_hash == NULL || f->time < 0) {
		hr_error_set(err, HR_E_INVALID, STAGE, "an entry needs a time and both hashes");
		goto fail;
	}
	json_object_set_new(o, "v", json_integer(AUDIT_ENTRY_VERSION));
	json_object_set_new(o, "time", json_integer(f->time));
	json_object_set_new(o, "status", json_integer(f->status));
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (set_text(o, required_text[i], texts[i], err) != HR_OK)
			goto fail;
	if (set_text(o, "legal_basis", f->legal_basis, err) != HR_OK ||
	    set_text(o, "consent", f->consent_id, err) != HR_OK ||
	    set_text(o, "issue", f->issue, err) != HR_OK ||
	    set_hash(o, "person", f->person_hash, err) != HR_OK ||
	    set_hash(o, "request", f->request_hash, err) != HR_OK ||
	    set_hash(o, "response", f->response_hash, err) != HR_OK ||
	    set_text(o, "refused", f->refused, err) != HR_OK)
		goto fail;
	if (f->seq >= 0 && f->person_hash == NULL) {
		hr_error_set(err, HR_E_INVALID, STAGE,
			     "seq counts a person's entries: needs person");
		goto fail;
	}
	if (f->seq >= 0)
		json_object_set_new(o, "seq", json_integer(f->seq));
	if (f->suppressed > 0 && (f->refused == NULL || f->suppressed > INT64_MAX)) {
		hr_error_set(err, HR_E_INVALID, STAGE, "suppressed goes with refused");
		goto fail;
	}
	if (f->suppressed > 0)
		json_object_set_new(o, "suppressed", json_integer((json_int_t)f->suppressed));
	return o;
fail:
	json_decref(o);
	return NULL;
}

hr_status audit_entry_encode(const struct audit_entry_fields *f, struct buf *out,
			     struct hr_error *err)
{
	json_t *o = to_json(f, err);
	hr_status rc;

	if (o == NULL)
		return err ? err->status : HR_E_INVALID;
	rc = cbor_from_json(o, out, err);
	json_decref(o);
	return rc;
}

static const char *text_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const uint8_t *hash_of(const json_t *o, const char *key, uint8_t out[AUDIT_HASH_LEN],
			      bool *bad)
{
	const json_t *v = json_object_get(o, key);
	struct buf bytes;
	const uint8_t *result = NULL;

	if (v == NULL)
		return NULL;
	buf_init(&bytes, 64);
	if (json_is_string(v) &&
	    base64_decode(json_string_value(v), json_string_length(v), BASE64_URL, &bytes) ==
		HR_OK &&
	    bytes.len == AUDIT_HASH_LEN) {
		memcpy(out, bytes.data, AUDIT_HASH_LEN);
		result = out;
	} else {
		*bad = true;
	}
	buf_clear(&bytes);
	return result;
}

hr_status audit_entry_decode(const void *data, size_t len, json_t **out, struct hr_error *err)
{
	struct cbor_decoder d;
	uint8_t person[AUDIT_HASH_LEN], request[AUDIT_HASH_LEN], response[AUDIT_HASH_LEN];
	struct audit_entry_fields f;
	json_t *o = NULL;
	struct buf bytes;
	bool bad = false;
	hr_status rc;

	*out = NULL;
	cbor_decoder_init(&d, data, len, NULL);
	if ((rc = cbor_to_json(&d, &o, err)) != HR_OK)
		return rc;
	if (cbor_decoder_finish(&d) != HR_OK || !json_is_object(o) ||
	    json_integer_value(json_object_get(o, "v")) != AUDIT_ENTRY_VERSION ||
	    !json_is_integer(json_object_get(o, "time")) ||
	    !json_is_integer(json_object_get(o, "status")) ||
	    json_integer_value(json_object_get(o, "status")) < 0 ||
	    json_integer_value(json_object_get(o, "status")) > 999) {
		json_decref(o);
		return hr_error_set(err, HR_E_INVALID, STAGE, "not an audit entry");
	}
	f = (struct audit_entry_fields){text_of(o, "client"),
					text_of(o, "provider"),
					text_of(o, "service"),
					text_of(o, "purpose"),
					text_of(o, "legal_basis"),
					text_of(o, "consent"),
					text_of(o, "user"),
					text_of(o, "issue"),
					hash_of(o, "person", person, &bad),
					hash_of(o, "request", request, &bad),
					hash_of(o, "response", response, &bad),
					json_integer_value(json_object_get(o, "time")),
					(unsigned)json_integer_value(json_object_get(o, "status")),
					-1,
					text_of(o, "refused"),
					0};
	if (json_object_get(o, "seq") != NULL)
		f.seq = json_is_integer(json_object_get(o, "seq")) &&
				json_integer_value(json_object_get(o, "seq")) >= 0
			    ? json_integer_value(json_object_get(o, "seq"))
			    : (bad = true, -1);
	if (json_object_get(o, "suppressed") != NULL) {
		if (json_is_integer(json_object_get(o, "suppressed")) &&
		    json_integer_value(json_object_get(o, "suppressed")) > 0)
			f.suppressed =
			    (uint64_t)json_integer_value(json_object_get(o, "suppressed"));
		else
			bad = true;
	}
	/* the one encoding: same fields in, same bytes out (no unknown keys survive) */
	buf_init(&bytes, len + 1);
	rc = bad ? HR_E_INVALID : audit_entry_encode(&f, &bytes, err);
	if (rc == HR_OK && (bytes.len != len || memcmp(bytes.data, data, len) != 0))
		rc = HR_E_INVALID;
	buf_clear(&bytes);
	if (rc != HR_OK) {
		json_decref(o);
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "not an audit entry in its deterministic encoding");
	}
	*out = o;
	return HR_OK;
}
