/*
 * cwt.c — CWT claims: typed decoding of the claims we act on, JSON rendering
 * of all of them.
 */
#include "credential/cwt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/error.h"
#include "credential/cbor.h"
#include "credential/cbor_json.h"
#include "credential/status_list.h"

#define STAGE "cose"

static hr_status fail(struct cbor_decoder *d, struct hr_error *err, const char *what)
{
	char detail[96];

	if (d->error != HR_OK) {
		cbor_decoder_describe(d, detail, sizeof(detail));
		return hr_error_set(err, HR_E_INVALID, STAGE, "CWT %s: %s", what, detail);
	}
	return hr_error_set(err, HR_E_INVALID, STAGE, "CWT %s", what);
}

/* NumericDate (RFC 8392 §2): an integer or a floating-point number of seconds. */
static hr_status read_time(const struct cbor_item *v, struct hr_time *out, struct hr_error *err,
			   const char *name)
{
	int64_t s;
	double whole;

	if (cbor_item_int64(v, &s) == HR_OK) {
		out->seconds = s;
		out->nanos = 0;
		return HR_OK;
	}
	if (v->type == CBOR_FLOAT && isfinite(v->number) && fabs(v->number) < 1e15) {
		double frac = modf(v->number, &whole);
		out->seconds = (int64_t)whole;
		out->nanos = (int32_t)(frac * 1e9);
		if (out->nanos < 0) {
			out->seconds -= 1;
			out->nanos += 1000000000;
		}
		return HR_OK;
	}
	return hr_error_set(err, HR_E_INVALID, STAGE, "CWT claim %s is not a NumericDate", name);
}

/* Slice of the encoded item whose head was just read, after skipping its body. */
static hr_status item_slice(struct cbor_decoder *d, const struct cbor_item *v, struct slice *out)
{
	hr_status rc = cbor_skip(d, v);

	if (rc != HR_OK)
		return rc;
	*out = slice_make(d->start + v->offset, (size_t)(d->p - d->start) - v->offset);
	return HR_OK;
}

/* hcert (-260) is a map {1: eu_DCC_v1}; anything else in it is refused. */
static hr_status read_hcert(struct cbor_decoder *d, const struct cbor_item *v, struct cwt_claims *c,
			    struct hr_error *err)
{
	struct cbor_item key, dcc;
	int64_t k;

	if (v->type != CBOR_MAP)
		return fail(d, err, "hcert claim (-260) is not a map");
	for (uint64_t i = 0; v->indefinite ? !cbor_at_break(d) : i < v->value; i++) {
		if (cbor_next(d, &key) != HR_OK || cbor_item_int64(&key, &k) != HR_OK || k != 1)
			return fail(d, err, "hcert claim must hold exactly key 1 (eu_DCC_v1)");
		if (c->has_hcert)
			return fail(d, err, "hcert claim holds key 1 twice");
		if (cbor_next(d, &dcc) != HR_OK || dcc.type != CBOR_MAP)
			return fail(d, err, "hcert[1] is not a map");
		if (item_slice(d, &dcc, &c->hcert) != HR_OK)
			return fail(d, err, "hcert[1] is malformed");
		c->has_hcert = true;
	}
	if (!c->has_hcert)
		return fail(d, err, "hcert claim is empty");
	return HR_OK;
}

/* A map key we can step over by itself: an integer or a definite text. */
static bool simple_key(const struct cbor_item *key)
{
	return key->type == CBOR_UINT || key->type == CBOR_NEGINT ||
	       (key->type == CBOR_TEXT && !key->indefinite);
}

/* A definite text key equal to name. */
static bool key_is(const struct cbor_item *key, const char *name)
{
	size_t n = strlen(name);

	return key->type == CBOR_TEXT && !key->indefinite && key->bytes.len == n &&
	       memcmp(key->bytes.ptr, name, n) == 0;
}

/* status_list: {"idx": uint, "uri": text}, each exactly once (draft §6.3). */
static hr_status read_status_list(struct cbor_decoder *d, const struct cbor_item *v,
				  struct cwt_claims *c, struct hr_error *err)
{
	struct cbor_item key, value;
	bool has_idx = false, has_uri = false;

	if (v->type != CBOR_MAP)
		return fail(d, err, "status.status_list is not a map");
	for (uint64_t i = 0; v->indefinite ? !cbor_at_break(d) : i < v->value; i++) {
		if (cbor_next(d, &key) != HR_OK || !simple_key(&key) ||
		    cbor_next(d, &value) != HR_OK)
			return fail(d, err, "status.status_list is malformed");
		if (key_is(&key, "idx")) {
			if (has_idx || value.type != CBOR_UINT)
				return fail(d, err,
					    "status.status_list.idx is not one unsigned integer");
			c->status_idx = value.value;
			has_idx = true;
		} else if (key_is(&key, "uri")) {
			if (has_uri || value.type != CBOR_TEXT || value.indefinite ||
			    value.bytes.len == 0 || value.bytes.len > STATUS_LIST_MAX_URI ||
			    memchr(value.bytes.ptr, 0, value.bytes.len) != NULL)
				return fail(
				    d, err,
				    "status.status_list.uri is not one text of 1 to 2048 bytes");
			c->status_uri = value.bytes;
			has_uri = true;
		} else if (cbor_skip(d, &value) != HR_OK) {
			return fail(d, err, "status.status_list is malformed");
		}
	}
	if (!has_idx || !has_uri)
		return fail(d, err, "status.status_list needs idx and uri");
	c->has_status = true;
	return HR_OK;
}

/* status (65535): a map of mechanisms; we read status_list and skip others. */
static hr_status read_status(struct cbor_decoder *d, const struct cbor_item *v,
			     struct cwt_claims *c, struct hr_error *err)
{
	struct cbor_item key, value;
	hr_status rc;

	if (v->type != CBOR_MAP)
		return fail(d, err, "status claim (65535) is not a map");
	for (uint64_t i = 0; v->indefinite ? !cbor_at_break(d) : i < v->value; i++) {
		if (cbor_next(d, &key) != HR_OK || !simple_key(&key) ||
		    cbor_next(d, &value) != HR_OK)
			return fail(d, err, "status claim is malformed");
		if (key_is(&key, "status_list")) {
			if (c->has_status)
				return fail(d, err, "status claim holds status_list twice");
			if ((rc = read_status_list(d, &value, c, err)) != HR_OK)
				return rc;
		} else if (cbor_skip(d, &value) != HR_OK) {
			return fail(d, err, "status claim is malformed");
		}
	}
	return HR_OK;
}

hr_status cwt_decode(struct slice payload, struct cwt_claims *c, struct hr_error *err)
{
	struct cbor_decoder d;
	struct cbor_item map, key, v;
	int64_t claim;
	uint64_t seen = 0; /* bit per known claim, against duplicates */
	hr_status rc;

	memset(c, 0, sizeof(*c));
	cbor_decoder_init(&d, payload.ptr, payload.len, NULL);
	if (cbor_next(&d, &map) != HR_OK)
		return fail(&d, err, "payload is not CBOR");
	if (map.type != CBOR_MAP)
		return fail(&d, err, "payload is not a map of claims");
	for (uint64_t i = 0; map.indefinite ? !cbor_at_break(&d) : i < map.value; i++) {
		uint64_t bit = 0;
		if (cbor_next(&d, &key) != HR_OK)
			return fail(&d, err, "claims are malformed");
		if (key.type == CBOR_TEXT) {
			if (cbor_skip_next(&d) != HR_OK)
				return fail(&d, err, "claims are malformed");
			continue;
		}
		if (cbor_item_int64(&key, &claim) != HR_OK)
			return fail(&d, err, "a claim key is neither an integer nor text");
		if (cbor_next(&d, &v) != HR_OK)
			return fail(&d, err, "claims are malformed");
		switch (claim) {
		case CWT_CLAIM_ISS:
			bit = 1 << 0;
			break;
		case CWT_CLAIM_EXP:
			bit = 1 << 1;
			break;
		case CWT_CLAIM_NBF:
			bit = 1 << 2;
			break;
		case CWT_CLAIM_IAT:
			bit = 1 << 3;
			break;
		case CWT_CLAIM_CNF:
			bit = 1 << 4;
			break;
		case CWT_CLAIM_HCERT:
			bit = 1 << 5;
			break;
		case CWT_CLAIM_DOCUMENT:
			bit = 1 << 6;
			break;
		case CWT_CLAIM_STATUS:
			bit = 1 << 7;
			break;
		default:
			break;
		}
		if (bit & seen)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "CWT claim %lld appears twice", (long long)claim);
		seen |= bit;
		switch (claim) {
		case CWT_CLAIM_ISS:
			if (v.type != CBOR_TEXT || v.indefinite)
				return fail(&d, err, "iss is not a text string");
			c->iss = v.bytes;
			c->has_iss = true;
			break;
		case CWT_CLAIM_EXP:
			if ((rc = read_time(&v, &c->exp, err, "exp")) != HR_OK)
				return rc;
			c->has_exp = true;
			break;
		case CWT_CLAIM_NBF:
			if ((rc = read_time(&v, &c->nbf, err, "nbf")) != HR_OK)
				return rc;
			c->has_nbf = true;
			break;
		case CWT_CLAIM_IAT:
			if ((rc = read_time(&v, &c->iat, err, "iat")) != HR_OK)
				return rc;
			c->has_iat = true;
			break;
		case CWT_CLAIM_HCERT:
			if ((rc = read_hcert(&d, &v, c, err)) != HR_OK)
				return rc;
			break;
		case CWT_CLAIM_DOCUMENT:
			if (v.type != CBOR_MAP || item_slice(&d, &v, &c->document) != HR_OK)
				return fail(&d, err, "document claim (-65537) is not a map");
			c->has_document = true;
			break;
		case CWT_CLAIM_CNF:
			if (v.type != CBOR_MAP || item_slice(&d, &v, &c->cnf) != HR_OK)
				return fail(&d, err, "cnf claim is not a map");
			c->has_cnf = true;
			break;
		case CWT_CLAIM_STATUS:
			if ((rc = read_status(&d, &v, c, err)) != HR_OK)
				return rc;
			break;
		default:
			if (cbor_skip(&d, &v) != HR_OK)
				return fail(&d, err, "claims are malformed");
		}
	}
	if (cbor_decoder_finish(&d) != HR_OK)
		return fail(&d, err, "has bytes after its claims");
	return HR_OK;
}

/* cnf {1: COSE_Key} (RFC 8747) of an EC2 P-256 key, shown as {"jwk": {...}}. */
static json_t *cnf_to_jwk(const json_t *cnf)
{
	const json_t *key = json_object_get(cnf, "1");
	const char *x = json_string_value(json_object_get(key, "-2"));
	const char *y = json_string_value(json_object_get(key, "-3"));

	/* kty 2 = EC2, crv 1 = P-256 (RFC 9053 §7.1); bytes arrive as base64url */
	if (json_integer_value(json_object_get(key, "1")) != 2 ||
	    json_integer_value(json_object_get(key, "-1")) != 1 || x == NULL || y == NULL)
		return NULL;
	return json_pack("{s:{s:s,s:s,s:s,s:s}}", "jwk", "kty", "EC", "crv", "P-256", "x", x, "y",
			 y);
}

static const char *claim_name(int64_t claim)
{
	switch (claim) {
	case CWT_CLAIM_ISS:
		return "iss";
	case CWT_CLAIM_SUB:
		return "sub";
	case CWT_CLAIM_AUD:
		return "aud";
	case CWT_CLAIM_EXP:
		return "exp";
	case CWT_CLAIM_NBF:
		return "nbf";
	case CWT_CLAIM_IAT:
		return "iat";
	case CWT_CLAIM_CTI:
		return "cti";
	case CWT_CLAIM_CNF:
		return "cnf";
	case CWT_CLAIM_HCERT:
		return "hcert";
	case CWT_CLAIM_DOCUMENT:
		return "document";
	case CWT_CLAIM_STATUS:
		return "status";
	default:
		return NULL;
	}
}

static bool is_claim_name(const char *text)
{
	static const int64_t registered[] = {CWT_CLAIM_ISS,      CWT_CLAIM_SUB,   CWT_CLAIM_AUD,
					     CWT_CLAIM_EXP,      CWT_CLAIM_NBF,   CWT_CLAIM_IAT,
					     CWT_CLAIM_CTI,      CWT_CLAIM_CNF,   CWT_CLAIM_HCERT,
					     CWT_CLAIM_DOCUMENT, CWT_CLAIM_STATUS};

	for (size_t i = 0; i < sizeof(registered) / sizeof(registered[0]); i++) {
		if (strcmp(claim_name(registered[i]), text) == 0)
			return true;
	}
	return false;
}

/*
 * The claims walked here rather than through the JSON of the whole map, because
 * that JSON no longer says which keys were integers: the text claim "1" or "+1"
 * would be shown as iss, and a text claim "iss" would replace the registered one.
 * Integer keys take their registered name or their decimal form; a text key named
 * like a registered claim, or any name appearing twice, is refused.
 */
hr_status cwt_claims_to_json(struct slice payload, json_t **out, struct hr_error *err)
{
	struct cbor_decoder d;
	struct cbor_item map, key;
	struct buf name;
	json_t *claims, *value, *shown;
	hr_status rc = HR_OK;

	*out = NULL;
	cbor_decoder_init(&d, payload.ptr, payload.len, NULL);
	if (cbor_next(&d, &map) != HR_OK)
		return fail(&d, err, "payload is not CBOR");
	if (map.type != CBOR_MAP)
		return fail(&d, err, "payload is not a map of claims");
	if ((claims = json_object()) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	buf_init(&name, 4096);
	for (uint64_t i = 0; map.indefinite ? !cbor_at_break(&d) : i < map.value; i++) {
		const char *registered = NULL;
		int64_t claim;

		buf_reset(&name);
		if (cbor_next(&d, &key) != HR_OK) {
			rc = fail(&d, err, "claims are malformed");
			break;
		}
		if (key.type == CBOR_TEXT) {
			if (cbor_read_string(&d, &key, &name) != HR_OK ||
			    memchr(buf_str(&name), 0, name.len) != NULL) {
				rc = fail(&d, err, "a text claim key is malformed");
				break;
			}
			if (is_claim_name(buf_str(&name))) {
				rc = hr_error_set(err, HR_E_INVALID, STAGE,
						  "CWT has a text claim named like the registered "
						  "claim '%.40s'",
						  buf_str(&name));
				break;
			}
		} else if (cbor_item_int64(&key, &claim) == HR_OK) {
			if ((registered = claim_name(claim)) != NULL)
				buf_append_str(&name, registered);
			else
				buf_printf(&name, "%lld", (long long)claim);
		} else {
			rc = fail(&d, err, "a claim key is neither an integer nor text");
			break;
		}
		if (json_object_get(claims, buf_str(&name)) != NULL) {
			rc = hr_error_set(err, HR_E_INVALID, STAGE,
					  "CWT claim '%.40s' appears twice", buf_str(&name));
			break;
		}
		if ((rc = cbor_to_json(&d, &value, err)) != HR_OK)
			break;
		shown = value;
		if (registered != NULL && strcmp(registered, "hcert") == 0 &&
		    json_object_get(value, "1")) {
			shown = json_incref(json_object_get(value, "1"));
			json_decref(value);
		} else if (registered != NULL && strcmp(registered, "cnf") == 0) {
			json_t *jwk = cnf_to_jwk(value);
			if (jwk != NULL) {
				json_decref(value);
				shown = jwk;
			}
		}
		if (json_object_set_new(claims, buf_str(&name), shown) != 0) {
			rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
			break;
		}
	}
	if (rc == HR_OK && cbor_decoder_finish(&d) != HR_OK)
		rc = fail(&d, err, "has bytes after its claims");
	buf_clear(&name);
	if (rc != HR_OK) {
		json_decref(claims);
		return rc;
	}
	*out = claims;
	return HR_OK;
}

void cwt_put_time(struct buf *out, int64_t claim, int64_t seconds)
{
	cbor_put_int(out, claim);
	cbor_put_int(out, seconds);
}
