/*
 * issue.c — building, signing and encoding credentials.
 *
 * CWT map keys are written in deterministic order (RFC 8949 §4.2.1, bytewise
 * order of the encoded keys): 1 iss, 4 exp, 6 iat, 8 cnf, 65535 status (19 ff ff
 * sorts before the negative keys' 39 and 3a heads), -260 hcert, -65537
 * document; inside status, "idx" before "uri". The document itself is converted from JSON by
 * cbor_json, which sorts its keys the same way, so equal documents encode identically.
 *
 * Compression. The zlib step is always there (DESIGN.md §4), but whether it
 * compresses is a choice. Measured on a driver's licence (530-byte COSE message,
 * `make bench`): level-9 deflate saves 19% of the QR text and costs ~20 us in
 * the issuing loop — as much as the ECDSA signature itself — because a signed
 * message is mostly incompressible and deflate's tree building does not get
 * cheaper for small inputs. So a Hromada credential up to ISSUE_STORE_MAX bytes
 * (every presentation QR) is written as stored zlib blocks; a larger one (an
 * offline copy with many entries, issued rarely) is compressed, as is every EU
 * DCC, whose verifiers and QR sizes are tuned to compressed payloads.
 */
#include "credential/issue.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/documents.h"
#include "core/error.h"
#include "credential/base45.h"
#include "credential/cbor.h"
#include "credential/cbor_json.h"
#include "credential/cose.h"
#include "credential/cwt.h"
#include "credential/dcc_schema.h"
#include "credential/document_schema.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/status_list.h"
#include "credential/zlib_codec.h"

#define STAGE           "issue"
#define ISSUE_LIMIT     (64 * 1024)
#define ISSUE_STORE_MAX 1024

struct issuer {
	struct signer *signer;
	struct zlib_codec *zlib;
	struct buf cwt;
	struct buf cose;
	struct buf compressed;
	struct buf scratch;
};

struct issuer *issuer_new(struct signer *signer)
{
	struct issuer *i = calloc(1, sizeof(*i));

	if (i == NULL)
		return NULL;
	if ((i->zlib = zlib_codec_new()) == NULL) {
		free(i);
		return NULL;
	}
	i->signer = signer;
	buf_init(&i->cwt, ISSUE_LIMIT);
	buf_init(&i->cose, ISSUE_LIMIT + 1024);
	buf_init(&i->compressed, ISSUE_LIMIT + 2048);
	buf_init(&i->scratch, ISSUE_LIMIT + 1024);
	return i;
}

void issuer_free(struct issuer *i)
{
	if (i == NULL)
		return;
	zlib_codec_free(i->zlib);
	buf_clear(&i->cwt);
	buf_clear(&i->cose);
	buf_clear(&i->compressed);
	buf_clear(&i->scratch);
	free(i);
}

/* A P-256 public JWK as the COSE_Key of a cnf claim: {1: {1: 2, -1: 1, -2: x, -3: y}}. */
static hr_status put_cnf(struct buf *out, const json_t *jwk, struct hr_error *err)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	const char *x = json_string_value(json_object_get(jwk, "x"));
	const char *y = json_string_value(json_object_get(jwk, "y"));
	struct buf xb, yb;
	hr_status rc = HR_OK;

	if (kty == NULL || crv == NULL || x == NULL || y == NULL || strcmp(kty, "EC") != 0 ||
	    strcmp(crv, "P-256") != 0 || json_object_get(jwk, "d") != NULL)
		return hr_error_set(
		    err, HR_E_INVALID, STAGE,
		    "the holder key must be a public P-256 JWK (kty EC, crv P-256, x, y)");
	buf_init(&xb, 64);
	buf_init(&yb, 64);
	if (base64_decode(x, strlen(x), BASE64_URL, &xb) != HR_OK ||
	    base64_decode(y, strlen(y), BASE64_URL, &yb) != HR_OK || xb.len != 32 || yb.len != 32) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "the holder key's x and y must be 32 bytes of base64url each");
	} else {
		cbor_put_map(out, 1);
		cbor_put_uint(out, 1); /* COSE_Key (RFC 8747 §3.2) */
		cbor_put_map(out, 4);
		cbor_put_uint(out, 1); /* kty: EC2 */
		cbor_put_uint(out, 2);
		cbor_put_int(out, -1); /* crv: P-256 */
		cbor_put_uint(out, 1);
		cbor_put_int(out, -2);
		cbor_put_bytes(out, xb.data, xb.len);
		cbor_put_int(out, -3);
		cbor_put_bytes(out, yb.data, yb.len);
	}
	buf_clear(&xb);
	buf_clear(&yb);
	return rc;
}

/* The document with its "t" and "v" set, checked against its schema. Caller decrefs. */
static hr_status prepare_document(const struct issue_request *req, int type, json_t **out,
				  struct hr_error *err)
{
	const char *t = json_string_value(json_object_get(req->content, "t"));
	json_t *doc;
	hr_status rc;

	if (t != NULL && strcmp(t, req->type) != 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "the document says t = %.40s, not %s",
				    t, req->type);
	/* a shallow copy: only t and v are set on it, the fields are shared */
	if ((doc = json_copy((json_t *)req->content)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	json_object_set_new(doc, "t", json_string(document_types[type]));
	json_object_set_new(doc, "v", json_integer(DOCUMENT_SCHEMA_VERSION));
	if ((rc = document_schema_check(doc, err)) != HR_OK) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return HR_OK;
}

/* Checks what is being signed and that the signer may sign it. */
static void first_problem(void *ctx, const char *message)
{
	struct hr_error *first = ctx;

	if (first->message[0] == 0)
		hr_error_set(first, HR_E_INVALID, STAGE, "%s", message);
}

static hr_status check_content(struct issuer *i, const struct issue_request *req, bool dcc,
			       int type, json_t **doc, struct hr_error *err)
{
	const struct signer_cert *cert = signer_certificate(i->signer);
	struct hr_error first = {0};
	const char *kind;
	hr_status rc;

	*doc = NULL;
	if (cert == NULL)
		return hr_error_set(
		    err, HR_E_STATE, STAGE,
		    "the signer has no certificate, so verifiers could not find it");
	if (!dcc) {
		if ((rc = prepare_document(req, type, doc, err)) != HR_OK)
			return rc;
		if (!signer_cert_allows_document(cert, type))
			return hr_error_set(err, HR_E_DENIED, STAGE,
					    "the signer's certificate does not allow %s documents",
					    req->type);
		return HR_OK;
	}
	if ((rc = dcc_schema_check(req->content, err)) != HR_OK)
		return rc;
	/* an issuer signs only codes of the value sets (verifiers merely warn) */
	if (dcc_schema_check_value_sets(req->content, NULL, first_problem, &first) > 0)
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s", first.message);
	kind = dcc_certificate_type(req->content);
	if (kind == NULL || !signer_cert_allows_dcc(cert, kind))
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the signer's certificate does not allow this kind of DCC");
	return HR_OK;
}

static hr_status build_cwt(struct issuer *i, const struct issue_request *req, bool dcc,
			   const json_t *doc, struct hr_error *err)
{
	const struct signer_cert *cert = signer_certificate(i->signer);
	const char *iss = req->issuer ? req->issuer : cert->country;
	int64_t iat = req->issued_at ? req->issued_at : (int64_t)time(NULL);
	int64_t validity =
	    req->validity_seconds ? req->validity_seconds : ISSUE_PRESENTATION_SECONDS;
	struct buf *out = &i->cwt;
	hr_status rc;

	if (iss == NULL || iss[0] == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "no issuer: the signer certificate names no country");
	if (validity < 1 || validity > ISSUE_MAX_VALIDITY_SECONDS)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "validity must be 1 s to 30 days (DESIGN.md §4)");
	if (req->status_uri != NULL &&
	    (req->status_uri[0] == 0 || strlen(req->status_uri) > STATUS_LIST_MAX_URI))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the status list URI must be 1 to %d bytes",
				    STATUS_LIST_MAX_URI);
	buf_reset(out);
	cbor_put_map(out, 4 + (req->holder_jwk != NULL) + (req->status_uri != NULL));
	cbor_put_uint(out, CWT_CLAIM_ISS);
	cbor_put_cstr(out, iss);
	cwt_put_time(out, CWT_CLAIM_EXP, iat + validity);
	cwt_put_time(out, CWT_CLAIM_IAT, iat);
	if (req->holder_jwk != NULL) {
		cbor_put_uint(out, CWT_CLAIM_CNF);
		if ((rc = put_cnf(out, req->holder_jwk, err)) != HR_OK)
			return rc;
	}
	if (req->status_uri != NULL) { /* draft-ietf-oauth-status-list §6.3, text keys */
		cbor_put_uint(out, CWT_CLAIM_STATUS);
		cbor_put_map(out, 1);
		cbor_put_cstr(out, "status_list");
		cbor_put_map(out, 2);
		cbor_put_cstr(out, "idx");
		cbor_put_uint(out, req->status_idx);
		cbor_put_cstr(out, "uri");
		cbor_put_cstr(out, req->status_uri);
	}
	if (dcc) {
		cbor_put_int(out, CWT_CLAIM_HCERT);
		cbor_put_map(out, 1);
		cbor_put_uint(out, 1);
		if ((rc = cbor_from_json(req->content, out, err)) != HR_OK)
			return rc;
	} else {
		cbor_put_int(out, CWT_CLAIM_DOCUMENT);
		if ((rc = cbor_from_json(doc, out, err)) != HR_OK)
			return rc;
	}
	if (out->error != HR_OK)
		return hr_error_set(err, out->error, STAGE, "the credential is too large");
	return HR_OK;
}

hr_status issuer_issue(struct issuer *i, const struct issue_request *req, struct buf *out,
		       struct hr_error *err)
{
	bool dcc = strcmp(req->type, "hcert") == 0;
	int type = dcc ? -1 : document_type_index(req->type);
	json_t *doc = NULL;
	hr_status rc;

	if (!dcc && type < 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "unknown type '%.40s' (a document type or hcert)", req->type);
	if (!json_is_object(req->content))
		return hr_error_set(err, HR_E_INVALID, STAGE, "the content must be a JSON object");
	if ((rc = check_content(i, req, dcc, type, &doc, err)) != HR_OK ||
	    (rc = build_cwt(i, req, dcc, doc, err)) != HR_OK)
		goto done;
	buf_reset(&i->cose);
	if ((rc = cose_sign1_sign(i->signer, buf_slice(&i->cwt), &i->scratch, &i->cose, err)) !=
	    HR_OK)
		goto done;
	buf_reset(&i->compressed);
	rc = !dcc && i->cose.len <= ISSUE_STORE_MAX
		 ? zlib_codec_store(i->zlib, i->cose.data, i->cose.len, &i->compressed, err)
		 : zlib_codec_deflate(i->zlib, i->cose.data, i->cose.len, &i->compressed, err);
	if (rc != HR_OK)
		goto done;
	buf_append_str(out, dcc ? "HC1:" : "HR1:");
	if ((rc = base45_encode(i->compressed.data, i->compressed.len, out)) != HR_OK)
		rc = hr_error_set(err, rc, STAGE, "the credential is too large");
done:
	json_decref(doc);
	return rc;
}
