/*
 * status_list.c — Token Status Lists (draft-ietf-oauth-status-list): the bit
 * array, building a signed Status List Token, and checking one.
 *
 * What: the issuing side (the wallet's GET /v1/status-lists/{id}) builds tokens
 * with status_list_token_build; the verifier (verify.c, stage "status") reads
 * the header's kid, picks that signer from its trust list and checks the token
 * with status_list_token_check, then reads one entry.
 * Why here and not in src/exchange/jose.c: the lean verifier executable holds
 * the credential layer only (docs/ARCHITECTURE.md, "Two link units"), and a
 * status list token is checked like a credential: pinned signer, bounded
 * input, every refusal a sentence.
 * Never: trust a header or claim before the signature verifies; inflate past
 * STATUS_LIST_MAX_BYTES; accept an index beyond the list as VALID.
 */
#include "credential/status_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "core/base64.h"
#include "core/error.h"
#include "core/json.h"
#include "credential/cose_crypto.h"
#include "credential/signer.h"
#include "credential/zlib_codec.h"

#define STAGE "status"

/* A JOSE header is a few short members: anything longer is not ours. */
#define HEADER_MAX 4096

bool status_list_bits_valid(unsigned bits)
{
	return bits == 1 || bits == 2 || bits == 4 || bits == 8;
}

/* Entries that fit in len bytes at bits each. */
static uint64_t entry_count(size_t len, unsigned bits)
{
	return (uint64_t)len * 8 / bits;
}

void status_list_set(uint8_t *bytes, size_t len, unsigned bits, uint64_t idx, unsigned value)
{
	unsigned mask, shift;
	uint64_t bit;

	if (bytes == NULL || !status_list_bits_valid(bits) || idx >= entry_count(len, bits))
		return;
	bit = idx * bits; /* cannot overflow: idx < len * 8 / bits */
	shift = (unsigned)(bit % 8);
	mask = ((1u << bits) - 1u) << shift;
	bytes[bit / 8] = (uint8_t)((bytes[bit / 8] & ~mask) | ((value << shift) & mask));
}

unsigned status_list_get(const uint8_t *bytes, size_t len, unsigned bits, uint64_t idx)
{
	uint64_t bit;

	if (bytes == NULL || !status_list_bits_valid(bits) || idx >= entry_count(len, bits))
		return STATUS_LIST_NO_ENTRY;
	bit = idx * bits;
	return (bytes[bit / 8] >> (bit % 8)) & ((1u << bits) - 1u);
}

const char *status_list_status_name(unsigned status, char *out, size_t size)
{
	switch (status) {
	case STATUS_VALID:
		return "VALID";
	case STATUS_INVALID:
		return "INVALID";
	case STATUS_SUSPENDED:
		return "SUSPENDED";
	default:
		snprintf(out, size, "application-specific 0x%02X", status & 0xFFu);
		return out;
	}
}

/* --- building ----------------------------------------------------------------- */

static hr_status append_b64url_json(const json_t *value, struct buf *out)
{
	struct buf text;
	hr_status rc;

	buf_init(&text, STATUS_LIST_MAX_TOKEN_BYTES);
	rc = hr_json_dump(value, &text);
	if (rc == HR_OK)
		rc = base64_encode(text.data, text.len, BASE64_URL, out);
	buf_clear(&text);
	return rc;
}

hr_status status_list_token_build(struct signer *signer, const char *uri, const uint8_t *bytes,
				  size_t len, unsigned bits, int64_t iat, int64_t exp, int64_t ttl,
				  struct buf *out, struct hr_error *err)
{
	struct zlib_codec *zlib = NULL;
	struct buf packed, lst, kid, token;
	json_t *header = NULL, *claims = NULL;
	struct slice signer_kid_bytes;
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	hr_status rc;

	if (signer == NULL || uri == NULL || (bytes == NULL && len > 0))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a status list needs a signer and a URI");
	if (!status_list_bits_valid(bits))
		return hr_error_set(err, HR_E_INVALID, STAGE, "bits must be 1, 2, 4 or 8, not %u",
				    bits);
	if (len == 0 || len > STATUS_LIST_MAX_BYTES)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
				    "a status list holds 1 to %u bytes, not %zu",
				    STATUS_LIST_MAX_BYTES, len);
	if (*uri == 0 || strlen(uri) > STATUS_LIST_MAX_URI || exp < 0 || ttl < 0 ||
	    (exp != 0 && exp < iat))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a status list needs a URI, exp after iat and ttl >= 0");
	buf_init(&packed, STATUS_LIST_MAX_BYTES + 1024);
	buf_init(&lst, STATUS_LIST_MAX_TOKEN_BYTES);
	buf_init(&kid, 64);
	buf_init(&token, STATUS_LIST_MAX_TOKEN_BYTES);
	if ((zlib = zlib_codec_new()) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	/* draft §4.1: ZLIB (RFC 1950), DEFLATE at the highest compression level */
	if ((rc = zlib_codec_deflate(zlib, bytes, len, &packed, err)) != HR_OK ||
	    (rc = base64_encode(packed.data, packed.len, BASE64_URL, &lst)) != HR_OK)
		goto done;
	header = json_pack("{s:s,s:s}", "alg", signer_alg(signer)->name, "typ", STATUS_LIST_TYPE);
	signer_kid_bytes = signer_kid(signer);
	if (header != NULL && signer_kid_bytes.len > 0) {
		if ((rc = base64_encode(signer_kid_bytes.ptr, signer_kid_bytes.len, BASE64_STANDARD,
					&kid)) != HR_OK)
			goto done;
		json_object_set_new(header, "kid", json_string(buf_str(&kid)));
	}
	claims = json_pack("{s:s,s:I}", "sub", uri, "iat", (json_int_t)iat);
	if (claims != NULL && exp != 0)
		json_object_set_new(claims, "exp", json_integer((json_int_t)exp));
	if (claims != NULL && ttl != 0)
		json_object_set_new(claims, "ttl", json_integer((json_int_t)ttl));
	if (claims != NULL)
		json_object_set_new(
		    claims, "status_list",
		    json_pack("{s:i,s:s%}", "bits", (int)bits, "lst", buf_str(&lst), lst.len));
	if (header == NULL || claims == NULL || json_object_get(claims, "status_list") == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	if ((rc = append_b64url_json(header, &token)) != HR_OK ||
	    (rc = buf_append_byte(&token, '.')) != HR_OK ||
	    (rc = append_b64url_json(claims, &token)) != HR_OK)
		goto done;
	if ((rc = signer_sign(signer, token.data, token.len, sig, &sig_len, err)) != HR_OK)
		goto done;
	buf_append_byte(&token, '.');
	base64_encode(sig, sig_len, BASE64_URL, &token);
	if ((rc = token.error) == HR_OK)
		rc = buf_append(out, token.data, token.len);
done:
	if (rc != HR_OK && err != NULL && err->message[0] == 0)
		hr_error_set(err, rc, STAGE, "cannot build the status list token (%s)",
			     hr_status_name(rc));
	json_decref(header);
	json_decref(claims);
	zlib_codec_free(zlib);
	buf_clear(&packed);
	buf_clear(&lst);
	buf_clear(&kid);
	buf_clear(&token);
	return rc;
}

/* --- checking ----------------------------------------------------------------- */

void status_list_token_init(struct status_list_token *t)
{
	memset(t, 0, sizeof(*t));
	buf_init(&t->list, STATUS_LIST_MAX_BYTES);
}

void status_list_token_clear(struct status_list_token *t)
{
	buf_clear(&t->list);
	memset(t, 0, sizeof(*t));
	buf_init(&t->list, STATUS_LIST_MAX_BYTES);
}

/* The three parts of a compact JWS: header.payload.signature (RFC 7515 §7.1). */
struct jws_parts {
	struct slice header, payload, signature;
	size_t signing_input_len; /* header "." payload */
};

static hr_status split(const char *text, size_t len, struct jws_parts *p, struct hr_error *err)
{
	const char *first, *second;

	if (text == NULL || len == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "the status list token is empty");
	if (len > STATUS_LIST_MAX_TOKEN_BYTES)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
				    "the status list token is larger than %u bytes",
				    STATUS_LIST_MAX_TOKEN_BYTES);
	first = memchr(text, '.', len);
	second = first ? memchr(first + 1, '.', len - (size_t)(first + 1 - text)) : NULL;
	if (first == NULL || second == NULL ||
	    memchr(second + 1, '.', len - (size_t)(second + 1 - text)) != NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the status list token is not a compact JWS (three parts)");
	p->header = slice_make(text, (size_t)(first - text));
	p->payload = slice_make(first + 1, (size_t)(second - first - 1));
	p->signature = slice_make(second + 1, len - (size_t)(second + 1 - text));
	p->signing_input_len = (size_t)(second - text);
	return HR_OK;
}

static hr_status decode_json_part(struct slice part, size_t limit, const char *what, json_t **out,
				  struct hr_error *err)
{
	struct buf raw;
	hr_status rc;

	*out = NULL;
	buf_init(&raw, limit);
	if (base64_decode((const char *)part.ptr, part.len, BASE64_URL, &raw) != HR_OK) {
		rc = raw.error == HR_E_TOO_LARGE ? HR_E_TOO_LARGE : HR_E_INVALID;
		buf_clear(&raw);
		return hr_error_set(err, rc, STAGE, "the status list token's %s is not base64url",
				    what);
	}
	rc = hr_json_parse_object(raw.data, raw.len, out, NULL);
	buf_clear(&raw);
	if (rc != HR_OK)
		return hr_error_set(err, rc == HR_E_NOMEM ? rc : HR_E_INVALID, STAGE,
				    "the status list token's %s is not a JSON object", what);
	return HR_OK;
}

static bool kid_from_text(const char *text, uint8_t kid[SIGNER_KID_LEN])
{
	struct buf b;
	bool ok;

	buf_init(&b, 64);
	ok = (base64_decode(text, strlen(text), BASE64_STANDARD, &b) == HR_OK ||
	      (buf_reset(&b), base64_decode(text, strlen(text), BASE64_URL, &b) == HR_OK)) &&
	     b.len == SIGNER_KID_LEN;
	if (ok)
		memcpy(kid, b.data, SIGNER_KID_LEN);
	buf_clear(&b);
	return ok;
}

hr_status status_list_token_kid(const char *text, size_t len, uint8_t kid[SIGNER_KID_LEN],
				struct hr_error *err)
{
	struct jws_parts parts = {0};
	json_t *header;
	const char *kid_text;
	hr_status rc;

	if ((rc = split(text, len, &parts, err)) != HR_OK ||
	    (rc = decode_json_part(parts.header, HEADER_MAX, "header", &header, err)) != HR_OK)
		return rc;
	kid_text = json_string_value(json_object_get(header, "kid"));
	if (kid_text == NULL)
		rc = hr_error_set(err, HR_E_NOT_FOUND, STAGE,
				  "the status list token's header names no kid");
	else if (!kid_from_text(kid_text, kid))
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "the status list token's kid is not base64 of 8 bytes");
	json_decref(header);
	return rc;
}

/* typ is a media type: compared without case, "application/" optional (RFC 7515 §4.1.9). */
static bool typ_is_status_list(const char *typ)
{
	if (typ == NULL)
		return false;
	if (strncasecmp(typ, "application/", 12) == 0)
		typ += 12;
	return strcasecmp(typ, STATUS_LIST_TYPE) == 0;
}

static hr_status check_header(const json_t *header, const struct signer_cert *cert,
			      struct status_list_token *t, const struct cose_alg **alg,
			      struct hr_error *err)
{
	const char *kid = json_string_value(json_object_get(header, "kid"));

	if (!typ_is_status_list(json_string_value(json_object_get(header, "typ"))))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the token's typ is not " STATUS_LIST_TYPE);
	if (json_object_get(header, "crit") != NULL)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
				    "the status list token has a crit header we do not implement");
	*alg = cose_alg_find_name(json_string_value(json_object_get(header, "alg")));
	if (*alg == NULL)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
				    "the status list token's alg is not one we verify");
	if (json_object_get(header, "kid") != NULL) {
		if (kid == NULL || !kid_from_text(kid, t->kid))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "the status list token's kid is not base64 of 8 bytes");
		t->has_kid = true;
		if (memcmp(t->kid, cert->kid, SIGNER_KID_LEN) != 0)
			return hr_error_set(err, HR_E_SIGNATURE, STAGE,
					    "the status list token names another signer (kid)");
	}
	return HR_OK;
}

/* A NumericDate (RFC 7519 §2): a JSON number, fractions allowed (dropped). */
static hr_status get_time(const json_t *claims, const char *name, bool required, int64_t *out,
			  struct hr_error *err)
{
	const json_t *v = json_object_get(claims, name);
	double d;

	*out = 0;
	if (v == NULL) {
		if (required)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "the status list token has no %s", name);
		return HR_OK;
	}
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return HR_OK;
	}
	d = json_is_real(v) ? json_real_value(v) : -1.0;
	if (!json_is_real(v) || d < -9.2e18 || d > 9.2e18)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the status list token's %s is not a number", name);
	*out = (int64_t)d;
	return HR_OK;
}

static hr_status check_claims(const json_t *claims, const char *uri, int64_t now,
			      struct status_list_token *t, const char **lst, struct hr_error *err)
{
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	const json_t *list = json_object_get(claims, "status_list");
	const json_t *bits = json_object_get(list, "bits");
	hr_status rc;

	if (sub == NULL || uri == NULL || strcmp(sub, uri) != 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the status list token is for '%.80s', not the credential's "
				    "'%.80s' (sub)",
				    sub ? sub : "", uri ? uri : "");
	if ((rc = get_time(claims, "iat", true, &t->iat, err)) != HR_OK ||
	    (rc = get_time(claims, "exp", false, &t->exp, err)) != HR_OK ||
	    (rc = get_time(claims, "ttl", false, &t->ttl, err)) != HR_OK)
		return rc;
	if (json_object_get(claims, "ttl") != NULL && t->ttl <= 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the status list token's ttl must be positive");
	if (json_object_get(claims, "exp") != NULL && now > t->exp)
		return hr_error_set(err, HR_E_EXPIRED, STAGE,
				    "the status list token expired %lld s ago; fetch a current one",
				    (long long)(now - t->exp));
	if (!json_is_object(list) || !json_is_integer(bits) ||
	    !status_list_bits_valid((unsigned)json_integer_value(bits)) ||
	    json_integer_value(bits) > 8 ||
	    (*lst = json_string_value(json_object_get(list, "lst"))) == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the token's status_list needs bits (1, 2, 4 or 8) and lst");
	t->bits = (unsigned)json_integer_value(bits);
	return HR_OK;
}

static hr_status inflate_list(const char *lst, struct status_list_token *t, struct hr_error *err)
{
	struct zlib_codec *zlib;
	struct buf packed;
	hr_status rc;

	buf_init(&packed, STATUS_LIST_MAX_TOKEN_BYTES);
	if (base64_decode(lst, strlen(lst), BASE64_URL, &packed) != HR_OK) {
		buf_clear(&packed);
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the status list's lst is not base64url");
	}
	if ((zlib = zlib_codec_new()) == NULL) {
		buf_clear(&packed);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	buf_reset(&t->list);
	rc =
	    zlib_codec_inflate(zlib, packed.data, packed.len, STATUS_LIST_MAX_BYTES, &t->list, err);
	zlib_codec_free(zlib);
	buf_clear(&packed);
	if (rc == HR_E_TOO_LARGE)
		return hr_error_set(err, rc, STAGE,
				    "the status list inflates to more than %u bytes",
				    STATUS_LIST_MAX_BYTES);
	if (rc != HR_OK)
		return hr_error_set(err, rc, STAGE, "the status list's lst is not a zlib stream");
	if (t->list.len == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "the status list is empty");
	return HR_OK;
}

hr_status status_list_token_check(const char *text, size_t len, const struct signer_cert *cert,
				  const char *uri, int64_t now, struct status_list_token *t,
				  struct hr_error *err)
{
	const struct cose_alg *alg = NULL;
	json_t *header = NULL, *claims = NULL;
	struct jws_parts parts = {0};
	struct buf sig;
	const char *lst = NULL;
	hr_status rc;

	if (cert == NULL || t == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no certificate to check the token");
	status_list_token_clear(t);
	buf_init(&sig, COSE_SIGNATURE_MAX);
	if ((rc = split(text, len, &parts, err)) != HR_OK ||
	    (rc = decode_json_part(parts.header, HEADER_MAX, "header", &header, err)) != HR_OK ||
	    (rc = check_header(header, cert, t, &alg, err)) != HR_OK)
		goto done;
	if (base64_decode((const char *)parts.signature.ptr, parts.signature.len, BASE64_URL,
			  &sig) != HR_OK) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "the status list token's signature is not base64url");
		goto done;
	}
	if (cose_crypto_verify(alg, cert->key, cert->kind, (const uint8_t *)text,
			       parts.signing_input_len, sig.data, sig.len, NULL) != HR_OK) {
		rc = hr_error_set(err, HR_E_SIGNATURE, STAGE,
				  "the status list token's %s signature does not verify under the "
				  "issuer's signer",
				  alg->name);
		goto done;
	}
	if ((rc = decode_json_part(parts.payload, STATUS_LIST_MAX_TOKEN_BYTES, "claims", &claims,
				   err)) != HR_OK ||
	    (rc = check_claims(claims, uri, now, t, &lst, err)) != HR_OK)
		goto done;
	rc = inflate_list(lst, t, err);
done:
	json_decref(header);
	json_decref(claims);
	buf_clear(&sig);
	if (rc != HR_OK)
		buf_reset(&t->list);
	return rc;
}

hr_status status_list_token_cache_times(const char *text, size_t len, int64_t *ttl, int64_t *exp)
{
	struct jws_parts parts = {0};
	json_t *claims;
	hr_status rc;

	*ttl = *exp = 0;
	if ((rc = split(text, len, &parts, NULL)) != HR_OK ||
	    (rc = decode_json_part(parts.payload, STATUS_LIST_MAX_TOKEN_BYTES, "claims", &claims,
				   NULL)) != HR_OK)
		return rc;
	if (get_time(claims, "ttl", false, ttl, NULL) != HR_OK ||
	    get_time(claims, "exp", false, exp, NULL) != HR_OK)
		rc = HR_E_INVALID;
	json_decref(claims);
	return rc;
}

hr_status status_list_token_status(const struct status_list_token *t, uint64_t idx,
				   unsigned *status, struct hr_error *err)
{
	unsigned v = status_list_get(t->list.data, t->list.len, t->bits, idx);

	if (v == STATUS_LIST_NO_ENTRY)
		return hr_error_set(
		    err, HR_E_NOT_FOUND, STAGE,
		    "the status list has %llu entries, none at index %llu",
		    (unsigned long long)entry_count(t->list.len, t->bits ? t->bits : 1),
		    (unsigned long long)idx);
	*status = v;
	return HR_OK;
}
