/*
 * verify.c — the verification pipeline behind include/hromada/verify.h.
 *
 *	PREFIX ─ Base45 ─ zlib ─ COSE_Sign1(CWT) ─┬─ signature (trusted kid)
 *	                                          ├─ expiry (iat, exp, nbf, signer validity)
 *	                                          ├─ key usage (signer's EKU vs the kind)
 *	                                          ├─ status (status list entry, when asked)
 *	                                          └─ schema (EU DCC or Hromada document)
 *	                                             + warnings (EU DCC value sets)
 *
 * The decoding stages run in order and stop at the first failure (nothing after
 * it can be read). The checks after them do not depend on each other and all
 * run, so a result lists every problem; the first failure in the order above
 * is the one reported as the error. Value-set misses are warnings: they never
 * make a credential invalid.
 *
 * This file allocates only the claims JSON of the result; everything else lives
 * in the verifier's reusable buffers or is a slice of them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hromada/verify.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "credential/base45.h"
#include "credential/cose.h"
#include "credential/cwt.h"
#include "credential/dcc_schema.h"
#include "credential/document_schema.h"
#include "credential/status_list.h"
#include "credential/trust_store.h"
#include "credential/zlib_codec.h"

/* The longest claims text a result carries: its CBOR, at most
 * HR_VERIFY_MAX_DECOMPRESSED bytes, rendered as JSON. */
#define CLAIMS_TEXT_MAX (HR_VERIFY_MAX_DECOMPRESSED * 4)

struct hr_verifier {
	struct zlib_codec *zlib;
	struct buf compressed;             /* Base45-decoded */
	struct buf inflated;               /* the COSE message */
	struct buf scratch;                /* Sig_structure */
	struct cose_key_context key_cache; /* the last signer key's OpenSSL context */
	struct buf claims;                 /* the claims' JSON text, before its copy */
};

static const char *const stage_names[HR_STAGE_COUNT] = {
    "picture",   "unprefix", "base45",    "zlib",   "cose",
    "signature", "expiry",   "key_usage", "status", "schema",
};

const char *hr_verify_stage_name(enum hr_verify_stage stage)
{
	return (unsigned)stage < HR_STAGE_COUNT ? stage_names[stage] : "?";
}

struct hr_verifier *hr_verifier_new(void)
{
	struct hr_verifier *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	if ((v->zlib = zlib_codec_new()) == NULL) {
		free(v);
		return NULL;
	}
	buf_init(&v->compressed, HR_VERIFY_MAX_PAYLOAD);
	buf_init(&v->inflated, HR_VERIFY_MAX_DECOMPRESSED);
	buf_init(&v->scratch, HR_VERIFY_MAX_DECOMPRESSED + 64);
	buf_init(&v->claims, CLAIMS_TEXT_MAX);
	if (buf_reserve(&v->claims, 4096) != HR_OK) {
		hr_verifier_free(v);
		return NULL;
	}
	return v;
}

void hr_verifier_free(struct hr_verifier *v)
{
	if (v == NULL)
		return;
	zlib_codec_free(v->zlib);
	cose_key_context_clear(&v->key_cache);
	buf_clear(&v->compressed);
	buf_clear(&v->inflated);
	buf_clear(&v->scratch);
	buf_clear(&v->claims);
	free(v);
}

void hr_verify_result_init(struct hr_verify_result *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < HR_STAGE_COUNT; i++)
		r->stages[i] = HR_STAGE_NOT_RUN;
	r->status_value = HR_STATUS_NONE;
}

void hr_verify_result_clear(struct hr_verify_result *r)
{
	free(r->claims_json);
	hr_verify_result_init(r);
}

/* Records a stage's outcome; the first failure becomes the result's error. */
static void stage_done(struct hr_verify_result *r, enum hr_verify_stage stage, hr_status rc,
		       const struct hr_error *err)
{
	r->stages[stage] = rc == HR_OK ? HR_STAGE_PASSED : HR_STAGE_FAILED;
	if (rc != HR_OK && r->error[0] == 0) {
		r->error_stage = stage;
		snprintf(r->error, sizeof(r->error), "%s",
			 err && err->message[0] ? err->message : hr_status_name(rc));
	}
}

static hr_status unprefix(struct hr_verify_result *r, const char **p, size_t *len,
			  struct hr_error *err)
{
	if (*len >= 4 && (*p)[3] == ':' &&
	    (memcmp(*p, "HC1", 3) == 0 || memcmp(*p, "HR1", 3) == 0)) {
		memcpy(r->prefix, *p, 3);
		r->prefix[3] = 0;
		*p += 4;
		*len -= 4;
		return HR_OK;
	}
	if (*len >= 4 && (*p)[3] == ':' && isalnum((unsigned char)(*p)[0]) &&
	    isalnum((unsigned char)(*p)[1]) && isalnum((unsigned char)(*p)[2]))
		return hr_error_set(err, HR_E_INVALID, "unprefix",
				    "context identifier '%.4s' is not HC1: or HR1:", *p);
	return hr_error_set(err, HR_E_INVALID, "unprefix", "no HC1: or HR1: prefix");
}

/* The checks on a decoded credential; claims is its JSON rendering. */
struct decoded {
	struct cose_sign1 msg;
	struct cwt_claims cwt;
	json_t *claims;
	/* the certificate it is attributed to, if any, and that certificate parsed */
	const struct trust_entry *candidate;
	const struct signer_cert *candidate_cert;
};

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Does the entry vouch for the credential's issuer? Entries without a country
 * (certificates given directly) vouch for any. */
static bool vouches_for_issuer(const struct trust_entry *e, const struct cwt_claims *cwt)
{
	return e->country[0] == 0 ||
	       (cwt->has_iss && cwt->iss.len == 2 && memcmp(cwt->iss.ptr, e->country, 2) == 0);
}

/* A kid written as the 16 hexadecimal characters of the 8 bytes (GR's test
 * data does this; the DCC specification says the bytes). It only finds a
 * certificate, whose key must still verify the signature. */
static bool kid_from_hex_text(struct slice kid, uint8_t out[SIGNER_KID_LEN])
{
	if (kid.len != 2 * SIGNER_KID_LEN)
		return false;
	for (size_t i = 0; i < SIGNER_KID_LEN; i++) {
		int hi = hex_value(kid.ptr[2 * i]), lo = hex_value(kid.ptr[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/*
 * Finds the certificate the credential names by kid and checks the signature
 * with it. The candidate — the certificate with that kid, or else the store's
 * only certificate — is kept even when the signature fails, so key usage and
 * validity can still be reported for it; a kid that matches no trusted
 * certificate always fails the signature, even if the only certificate would
 * verify it (a wrong kid in the protected header must never be rescued). An
 * entry whose certificate does not parse is never a candidate.
 */
static hr_status check_signature(struct hr_verifier *v, const struct hr_trust_store *store,
				 struct decoded *d, struct hr_error *err)
{
	const struct trust_entry *first = NULL;
	size_t n = 0;
	hr_status rc = HR_E_SIGNATURE;

	if (d->msg.has_kid) {
		uint8_t decoded[SIGNER_KID_LEN];
		n = trust_store_find(store, d->msg.kid.ptr, d->msg.kid.len, &first);
		if (n == 0 && kid_from_hex_text(d->msg.kid, decoded))
			n = trust_store_find(store, decoded, SIGNER_KID_LEN, &first);
	} else if (store->count == 1) {
		n = 1;
		first = &store->entries[0];
	}
	if (n == 0) {
		if (store->count == 1 &&
		    (d->candidate_cert = trust_entry_cert(store, &store->entries[0], NULL)) != NULL)
			d->candidate = &store->entries[0];
		if (d->msg.has_kid)
			return hr_error_set(err, HR_E_SIGNATURE, "signature",
					    "no trusted signer certificate has this kid");
		return hr_error_set(err, HR_E_SIGNATURE, "signature",
				    "the credential names no kid, so no signer can be chosen");
	}
	hr_error_set(err, HR_E_SIGNATURE, "signature", "signature does not verify");
	for (size_t i = 0; i < n && rc != HR_OK; i++) {
		const struct trust_entry *e = &first[i];
		const struct signer_cert *cert = trust_entry_cert(store, e, err);
		if (cert == NULL) {
			rc = HR_E_SIGNATURE;
			continue;
		}
		if (d->candidate == NULL) {
			d->candidate = e;
			d->candidate_cert = cert;
		}
		rc = cose_sign1_verify_cached(&d->msg, cert->key, cert->kind, &v->key_cache,
					      &v->scratch, err);
		if (rc != HR_OK)
			continue;
		d->candidate = e;
		d->candidate_cert = cert;
		if (!vouches_for_issuer(e, &d->cwt))
			return hr_error_set(
			    err, HR_E_SIGNATURE, "signature",
			    "the signer is trusted for %s, but the credential names "
			    "issuer '%.*s'",
			    e->country, (int)(d->cwt.iss.len < 8 ? d->cwt.iss.len : 8),
			    (const char *)d->cwt.iss.ptr);
	}
	return rc;
}

static void time_text(struct hr_time t, char out[CLOCK_UTC_TEXT_MAX])
{
	clock_format_utc(t.seconds, out);
}

static hr_status check_expiry(const struct decoded *d, struct hr_time at, struct hr_error *err)
{
	char a[CLOCK_UTC_TEXT_MAX], b[CLOCK_UTC_TEXT_MAX];

	time_text(at, a);
	if (!d->cwt.has_exp)
		return hr_error_set(err, HR_E_EXPIRED, "expiry", "the credential has no exp claim");
	if (hr_time_compare(at, d->cwt.exp) > 0) {
		time_text(d->cwt.exp, b);
		return hr_error_set(err, HR_E_EXPIRED, "expiry", "expired at %s (clock %s)", b, a);
	}
	if (d->cwt.has_iat && hr_time_compare(at, d->cwt.iat) < 0) {
		time_text(d->cwt.iat, b);
		return hr_error_set(err, HR_E_EXPIRED, "expiry", "issued at %s, after the clock %s",
				    b, a);
	}
	if (d->cwt.has_nbf && hr_time_compare(at, d->cwt.nbf) < 0) {
		time_text(d->cwt.nbf, b);
		return hr_error_set(err, HR_E_EXPIRED, "expiry", "not valid before %s (clock %s)",
				    b, a);
	}
	if (d->candidate_cert != NULL && (hr_time_compare(at, d->candidate_cert->not_before) < 0 ||
					  hr_time_compare(at, d->candidate_cert->not_after) > 0)) {
		time_text(d->candidate_cert->not_before, b);
		time_text(d->candidate_cert->not_after, a);
		return hr_error_set(err, HR_E_EXPIRED, "expiry",
				    "the signer certificate is valid from %s to %s only", b, a);
	}
	return HR_OK;
}

/*
 * A critical extended key usage that names no DCC purpose (IS/2DCode/raw/3.json:
 * an ICAO signer's 2.23.136.1.1.14.2, critical) is honoured as RFC 5280 §4.2.1.12
 * has it: the key signs nothing else, no DCC. A non-critical one without DCC OIDs
 * (PT/2DCode/raw/1.json: clientAuth, emailProtection) leaves the signer free to sign
 * any kind, as the HCERT specification §5.1.1 says.
 */
static bool eku_critical(const struct signer_cert *cert)
{
	int at = X509_get_ext_by_NID(cert->x509, NID_ext_key_usage, -1);

	return at >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert->x509, at)) == 1;
}

static hr_status check_key_usage(const struct decoded *d, bool dcc, struct hr_error *err)
{
	const struct signer_cert *cert = d->candidate_cert;

	if (dcc) {
		const char *kind = dcc_certificate_type(json_object_get(d->claims, "hcert"));
		if (kind == NULL)
			return hr_error_set(err, HR_E_DENIED, "key_usage",
					    "the certificate is not exactly one of v, t, r");
		if (cert->dcc_usage == 0 && cert->document_usage == 0 && eku_critical(cert))
			return hr_error_set(
			    err, HR_E_DENIED, "key_usage",
			    "the signer's extended key usage is critical and names no "
			    "DCC purpose, so its key signs no DCC (RFC 5280 4.2.1.12)");
		if (!signer_cert_allows_dcc(cert, kind))
			return hr_error_set(err, HR_E_DENIED, "key_usage",
					    "the signer's key usage does not cover %s certificates",
					    strcmp(kind, "v") == 0   ? "vaccination"
					    : strcmp(kind, "t") == 0 ? "test"
								     : "recovery");
		return HR_OK;
	}
	{
		const json_t *doc = json_object_get(d->claims, "document");
		int type = document_schema_type(doc);
		if (type < 0)
			return hr_error_set(err, HR_E_DENIED, "key_usage",
					    "the document names no known type");
		if (!signer_cert_allows_document(cert, type))
			return hr_error_set(err, HR_E_DENIED, "key_usage",
					    "the signer may not sign %s documents",
					    json_string_value(json_object_get(doc, "t")));
	}
	return HR_OK;
}

static hr_status check_schema(const struct decoded *d, bool dcc, struct hr_error *err)
{
	if (dcc)
		return dcc_schema_check(json_object_get(d->claims, "hcert"), err);
	return document_schema_check(json_object_get(d->claims, "document"), err);
}

/*
 * The status stage (draft-ietf-oauth-status-list §8.3): the token for the
 * credential's list, from the caller's source, signed by a trusted signer of
 * the credential's issuer (found by the token's kid), for this URI, not
 * expired by the real clock, and the entry VALID.
 */
static hr_status check_status(const struct hr_trust_store *store, const struct decoded *d,
			      const struct hr_status_source *source, struct hr_verify_result *r,
			      struct hr_error *err)
{
	char uri[STATUS_LIST_MAX_URI + 1], name[40];
	const struct trust_entry *first = NULL;
	const struct signer_cert *cert = NULL;
	struct status_list_token token;
	uint8_t kid[SIGNER_KID_LEN];
	struct hr_error why = {0};
	char *text = NULL;
	size_t len = 0, n;
	unsigned value;
	hr_status rc;

	memcpy(uri, d->cwt.status_uri.ptr, d->cwt.status_uri.len);
	uri[d->cwt.status_uri.len] = 0;
	rc = source->fetch(source->context, uri, &text, &len, &why);
	if (rc != HR_OK || text == NULL) {
		free(text);
		return hr_error_set(err, rc != HR_OK ? rc : HR_E_UNAVAILABLE, "status",
				    "cannot obtain the status list %.80s: %.120s", uri,
				    why.message[0] ? why.message : hr_status_name(rc));
	}
	if ((rc = status_list_token_kid(text, len, kid, err)) != HR_OK) {
		free(text);
		return rc;
	}
	n = trust_store_find(store, kid, SIGNER_KID_LEN, &first);
	for (size_t i = 0; i < n && cert == NULL; i++) {
		if (vouches_for_issuer(&first[i], &d->cwt))
			cert = trust_entry_cert(store, &first[i], NULL);
	}
	if (cert == NULL) {
		free(text);
		return hr_error_set(err, HR_E_SIGNATURE, "status",
				    "the status list is not signed by a trusted signer of issuer "
				    "%.*s",
				    (int)(d->cwt.iss.len < 8 ? d->cwt.iss.len : 8),
				    d->cwt.has_iss ? (const char *)d->cwt.iss.ptr : "");
	}
	status_list_token_init(&token);
	rc = status_list_token_check(text, len, cert, uri, hr_time_now().seconds, &token, err);
	free(text);
	if (rc == HR_OK)
		rc = status_list_token_status(&token, d->cwt.status_idx, &value, err);
	status_list_token_clear(&token);
	if (rc != HR_OK)
		return rc;
	r->status_value = value;
	if (value != STATUS_VALID)
		return hr_error_set(err, HR_E_DENIED, "status",
				    "the credential is %s (%s, index %llu)",
				    value == STATUS_INVALID     ? "revoked"
				    : value == STATUS_SUSPENDED ? "suspended"
								: "not valid",
				    status_list_status_name(value, name, sizeof(name)),
				    (unsigned long long)d->cwt.status_idx);
	return HR_OK;
}

static void add_check_warning(struct hr_verify_result *r, const char *check, const char *message)
{
	struct hr_verify_warning *w;

	if (r->warning_count >= HR_VERIFY_MAX_WARNINGS)
		return;
	w = &r->warnings[r->warning_count++];
	snprintf(w->check, sizeof(w->check), "%s", check);
	snprintf(w->message, sizeof(w->message), "%s", message);
}

static void add_warning(void *ctx, const char *message)
{
	add_check_warning(ctx, "value_set", message);
}

/* Decodes COSE and CWT and renders the claims; the "cose" stage. */
static hr_status decode(struct hr_verifier *v, struct hr_verify_result *r, struct decoded *d,
			struct hr_error *err)
{
	bool dcc = strcmp(r->prefix, "HC1") == 0;
	hr_status rc;

	if ((rc = cose_sign1_decode(v->inflated.data, v->inflated.len, &d->msg, err)) != HR_OK ||
	    (rc = cwt_decode(d->msg.payload, &d->cwt, err)) != HR_OK)
		return rc;
	if (dcc && !d->cwt.has_hcert)
		return hr_error_set(err, HR_E_INVALID, "cose",
				    "an HC1 credential has no hcert claim");
	if (!dcc && !d->cwt.has_document)
		return hr_error_set(err, HR_E_INVALID, "cose",
				    "an HR1 credential has no document claim (-65537)");
	if ((rc = cwt_claims_to_json(d->msg.payload, &d->claims, err)) != HR_OK)
		return rc;
	if (d->msg.has_kid) {
		r->kid_len = d->msg.kid.len < sizeof(r->kid) ? d->msg.kid.len : sizeof(r->kid);
		memcpy(r->kid, d->msg.kid.ptr, r->kid_len);
	}
	if (d->cwt.has_iss)
		snprintf(r->issuer, sizeof(r->issuer), "%.*s",
			 (int)(d->cwt.iss.len < 15 ? d->cwt.iss.len : 15),
			 (const char *)d->cwt.iss.ptr);
	return HR_OK;
}

/*
 * The claims as compact JSON, in memory of their own (NULL past
 * CLAIMS_TEXT_MAX bytes, or out of memory, as before). Dumped into the verifier's
 * reusable buffer with json_dumpb, the bytes hr_json_dump writes without a
 * callback and a reallocation for every few tokens (a twentieth of a verify);
 * a larger rendering grows the buffer once and is dumped again.
 */
static char *claims_text(struct hr_verifier *v, const json_t *claims)
{
	size_t need;
	char *text;

	for (;;) {
		need = json_dumpb(claims, (char *)v->claims.data, v->claims.cap,
				  JSON_COMPACT | JSON_ENCODE_ANY);
		if (need == 0 || need > CLAIMS_TEXT_MAX)
			return NULL;
		if (need <= v->claims.cap)
			break;
		if (buf_reserve(&v->claims, need) != HR_OK)
			return NULL;
	}
	if ((text = malloc(need + 1)) == NULL)
		return NULL;
	memcpy(text, v->claims.data, need);
	text[need] = 0;
	return text;
}

static void trim(const char **p, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && isspace((unsigned char)(*p)[*len - 1]))
		(*len)--;
}

hr_status hr_verify(struct hr_verifier *v, const struct hr_trust_store *store, const char *payload,
		    size_t len, const struct hr_verify_options *options, struct hr_verify_result *r)
{
	struct hr_time at = options && options->at_set ? options->at : hr_time_now();
	struct hr_error err = {0};
	struct decoded d;
	bool dcc;
	hr_status rc;

	if (v == NULL || store == NULL || r == NULL || (payload == NULL && len > 0))
		return HR_E_INVALID;
	hr_verify_result_clear(r);
	memset(&d, 0, sizeof(d));
	trim(&payload, &len);
	if (len > HR_VERIFY_MAX_PAYLOAD) {
		hr_error_set(&err, HR_E_TOO_LARGE, "unprefix", "payload longer than %d characters",
			     HR_VERIFY_MAX_PAYLOAD);
		stage_done(r, HR_STAGE_UNPREFIX, HR_E_TOO_LARGE, &err);
		return HR_OK;
	}
	rc = unprefix(r, &payload, &len, &err);
	stage_done(r, HR_STAGE_UNPREFIX, rc, &err);
	if (rc != HR_OK)
		return HR_OK;
	buf_reset(&v->compressed);
	rc = base45_decode(payload, len, &v->compressed, &err);
	stage_done(r, HR_STAGE_BASE45, rc, &err);
	if (rc != HR_OK)
		return HR_OK;
	buf_reset(&v->inflated);
	rc = zlib_codec_inflate(v->zlib, v->compressed.data, v->compressed.len,
				HR_VERIFY_MAX_DECOMPRESSED, &v->inflated, &err);
	stage_done(r, HR_STAGE_ZLIB, rc, &err);
	if (rc != HR_OK)
		return HR_OK;
	rc = decode(v, r, &d, &err);
	stage_done(r, HR_STAGE_COSE, rc, &err);
	if (rc != HR_OK) {
		json_decref(d.claims);
		return rc == HR_E_NOMEM ? rc : HR_OK;
	}
	dcc = strcmp(r->prefix, "HC1") == 0;

	rc = check_signature(v, store, &d, &err);
	stage_done(r, HR_STAGE_SIGNATURE, rc, &err);
	rc = check_expiry(&d, at, &err);
	stage_done(r, HR_STAGE_EXPIRY, rc, &err);
	if (d.candidate_cert != NULL) {
		rc = check_key_usage(&d, dcc, &err);
		stage_done(r, HR_STAGE_KEY_USAGE, rc, &err);
	}
	if (d.cwt.has_status) {
		r->has_status_reference = true;
		r->status_index = d.cwt.status_idx;
		if (options != NULL && options->status != NULL && options->status->fetch != NULL) {
			rc = check_status(store, &d, options->status, r, &err);
			stage_done(r, HR_STAGE_STATUS, rc, &err);
		}
	}
	rc = check_schema(&d, dcc, &err);
	stage_done(r, HR_STAGE_SCHEMA, rc, &err);
	if (dcc && dcc_schema_lacks_version(json_object_get(d.claims, "hcert")))
		add_check_warning(r, "schema_version",
				  "the DCC payload has no \"ver\", which every schema version "
				  "requires; it was checked against the newest rules "
				  "(" DCC_SCHEMA_NEWEST ")");
	if (dcc)
		dcc_schema_check_value_sets(json_object_get(d.claims, "hcert"),
					    options ? options->value_sets : NULL, add_warning, r);

	r->valid = r->error[0] == 0;
	r->claims_json = claims_text(v, d.claims);
	json_decref(d.claims);
	return HR_OK;
}

hr_status hr_verify_once(const struct hr_trust_store *store, const char *payload, size_t len,
			 const struct hr_verify_options *options, struct hr_verify_result *r)
{
	struct hr_verifier *v = hr_verifier_new();
	hr_status rc;

	if (v == NULL)
		return HR_E_NOMEM;
	rc = hr_verify(v, store, payload, len, options, r);
	hr_verifier_free(v);
	return rc;
}
