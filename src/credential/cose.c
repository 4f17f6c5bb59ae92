/*
 * cose.c — COSE_Sign1 decoding, Sig_structure and signing (RFC 9052 §4).
 *
 * The decoder walks the message with the bounded pull decoder and keeps slices;
 * it checks the shape completely (four elements, the right major types, a
 * protected header that is a well-formed map with nothing after it) before any
 * cryptography runs, and never interprets a header it does not know unless
 * that header is marked critical.
 */
#include "credential/cose.h"

#include <string.h>

#include "core/error.h"
#include "credential/cbor.h"
#include "credential/signer.h"

#define STAGE "cose"

/* The header parameters we read from one bucket. */
struct header_bucket {
	int64_t alg;
	bool has_alg;
	struct slice kid;
	bool has_kid;
	bool has_crit;
};

static hr_status fail(struct cbor_decoder *d, struct hr_error *err, const char *what)
{
	char detail[96];

	if (d != NULL && d->error != HR_OK) {
		cbor_decoder_describe(d, detail, sizeof(detail));
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s: %s", what, detail);
	}
	return hr_error_set(err, HR_E_INVALID, STAGE, "%s", what);
}

/* Reads a header map (RFC 9052 §3) whose head was just read. Labels are
 * integers or text; values of alg and kid must have their registered types. */
static hr_status read_header_map(struct cbor_decoder *d, const struct cbor_item *map,
				 bool is_protected, struct header_bucket *h, struct hr_error *err)
{
	struct cbor_item key, value;
	int64_t label;

	memset(h, 0, sizeof(*h));
	if (map->type != CBOR_MAP)
		return fail(d, err,
			    is_protected ? "protected header is not a map"
					 : "unprotected header is not a map");
	for (uint64_t i = 0; map->indefinite ? !cbor_at_break(d) : i < map->value; i++) {
		if (cbor_next(d, &key) != HR_OK)
			return fail(d, err, "malformed header");
		if (key.type == CBOR_TEXT) {
			/* text labels are private use; skip their values */
			if (cbor_skip_next(d) != HR_OK)
				return fail(d, err, "malformed header");
			continue;
		}
		if (cbor_item_int64(&key, &label) != HR_OK)
			return fail(d, err, "header label is neither an integer nor text");
		if (cbor_next(d, &value) != HR_OK)
			return fail(d, err, "malformed header");
		if (label == COSE_HEADER_ALG) {
			if (h->has_alg)
				return fail(d, err, "alg appears twice in one header");
			if (cbor_item_int64(&value, &h->alg) != HR_OK)
				return fail(d, err, "alg is not an integer algorithm identifier");
			h->has_alg = true;
		} else if (label == COSE_HEADER_KID) {
			if (h->has_kid)
				return fail(d, err, "kid appears twice in one header");
			/* a text kid (HR/2DCode/raw/test_*.json of dgc-testdata: the kid's
			 * 16 hex characters as text) is read as its bytes: kid only picks
			 * the certificate, the signature still has to verify under it */
			if ((value.type != CBOR_BYTES && value.type != CBOR_TEXT) ||
			    value.indefinite)
				return fail(d, err, "kid is neither a byte nor a text string");
			h->kid = value.bytes;
			h->has_kid = true;
		} else if (label == COSE_HEADER_CRIT) {
			/* RFC 9052 §3.1: crit lists labels the recipient must understand;
			 * it may only be protected. We understand alg and kid only. */
			struct cbor_item el;
			int64_t crit;
			if (!is_protected || value.type != CBOR_ARRAY || value.indefinite ||
			    value.value == 0)
				return fail(
				    d, err,
				    "crit must be a non-empty array in the protected header");
			for (uint64_t j = 0; j < value.value; j++) {
				if (cbor_next(d, &el) != HR_OK ||
				    cbor_item_int64(&el, &crit) != HR_OK ||
				    (crit != COSE_HEADER_ALG && crit != COSE_HEADER_KID))
					return fail(
					    d, err,
					    "a critical header parameter is not understood");
			}
			h->has_crit = true;
		} else if (cbor_skip(d, &value) != HR_OK) {
			return fail(d, err, "malformed header");
		}
	}
	if (d->error != HR_OK)
		return fail(d, err, "malformed header");
	return HR_OK;
}

static hr_status read_protected(struct slice bytes, struct header_bucket *h, struct hr_error *err)
{
	struct cbor_decoder d;
	struct cbor_item map;
	hr_status rc;

	memset(h, 0, sizeof(*h));
	if (bytes.len == 0)
		return HR_OK; /* RFC 9052 §3: an empty bstr stands for an empty map */
	cbor_decoder_init(&d, bytes.ptr, bytes.len, NULL);
	if (cbor_next(&d, &map) != HR_OK)
		return fail(&d, err, "protected header is not CBOR");
	if ((rc = read_header_map(&d, &map, true, h, err)) != HR_OK)
		return rc;
	if (cbor_decoder_finish(&d) != HR_OK)
		return fail(&d, err, "protected header has bytes after its map");
	return HR_OK;
}

static hr_status expect_bytes(struct cbor_decoder *d, struct slice *out, const char *what,
			      struct hr_error *err)
{
	struct cbor_item item;

	if (cbor_next(d, &item) != HR_OK)
		return fail(d, err, what);
	if (item.type != CBOR_BYTES || item.indefinite)
		return fail(d, err, what);
	*out = item.bytes;
	return HR_OK;
}

hr_status cose_sign1_decode(const uint8_t *data, size_t len, struct cose_sign1 *out,
			    struct hr_error *err)
{
	struct cbor_decoder d;
	struct cbor_item item;
	struct header_bucket prot, unprot;
	hr_status rc;

	memset(out, 0, sizeof(*out));
	cbor_decoder_init(&d, data, len, NULL);
	if (cbor_next(&d, &item) != HR_OK)
		return fail(&d, err, "not CBOR");
	/* optional CWT tag, then optional COSE_Sign1 tag (RFC 8392 §6) */
	if (item.type == CBOR_TAG && item.value == COSE_TAG_CWT) {
		if (cbor_next(&d, &item) != HR_OK)
			return fail(&d, err, "not CBOR");
		if (item.type != CBOR_TAG || item.value != COSE_TAG_SIGN1)
			return fail(&d, err, "a CWT tag must wrap a tagged COSE_Sign1");
	}
	if (item.type == CBOR_TAG) {
		if (item.value != COSE_TAG_SIGN1)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "tag %llu is not COSE_Sign1 (18)",
					    (unsigned long long)item.value);
		if (cbor_next(&d, &item) != HR_OK)
			return fail(&d, err, "not CBOR");
	}
	if (item.type != CBOR_ARRAY || item.indefinite || item.value != 4)
		return fail(&d, err, "COSE_Sign1 must be an array of 4 elements");
	if ((rc = expect_bytes(&d, &out->protected_header, "protected header is not a byte string",
			       err)) != HR_OK)
		return rc;
	if ((rc = read_protected(out->protected_header, &prot, err)) != HR_OK)
		return rc;
	if (cbor_next(&d, &item) != HR_OK)
		return fail(&d, err, "malformed unprotected header");
	if ((rc = read_header_map(&d, &item, false, &unprot, err)) != HR_OK)
		return rc;
	if (cbor_next(&d, &item) != HR_OK)
		return fail(&d, err, "malformed payload");
	if (item.type == CBOR_SIMPLE && item.value == CBOR_SIMPLE_NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "detached payloads are not accepted");
	if (item.type != CBOR_BYTES || item.indefinite)
		return fail(&d, err, "payload is not a byte string");
	out->payload = item.bytes;
	if ((rc = expect_bytes(&d, &out->signature, "signature is not a byte string", err)) !=
	    HR_OK)
		return rc;
	if (cbor_decoder_finish(&d) != HR_OK)
		return fail(&d, err, "bytes after the COSE_Sign1 message");
	/* the protected bucket wins; the unprotected one fills only what is missing */
	out->has_alg = prot.has_alg || unprot.has_alg;
	out->alg = prot.has_alg ? prot.alg : unprot.alg;
	out->has_kid = prot.has_kid || unprot.has_kid;
	out->kid = prot.has_kid ? prot.kid : unprot.kid;
	out->kid_in_protected = prot.has_kid;
	return HR_OK;
}

hr_status cose_sign1_to_be_signed(struct slice protected_header, struct slice payload,
				  struct buf *out)
{
	/* RFC 9052 §4.4 Sig_structure for COSE_Sign1. With no protected parameters
	 * the zero-length bstr is signed, also when the message carries them as an
	 * encoded empty map h'a0', which §3 obliges recipients to accept (cose-wg
	 * Examples sign1-tests/sign-pass-01). */
	if (protected_header.len == 1 && protected_header.ptr[0] == 0xa0)
		protected_header.len = 0;
	cbor_put_array(out, 4);
	cbor_put_cstr(out, "Signature1");
	cbor_put_bytes(out, protected_header.ptr, protected_header.len);
	cbor_put_bytes(out, NULL, 0);
	cbor_put_bytes(out, payload.ptr, payload.len);
	return out->error;
}

hr_status cose_sign1_verify(const struct cose_sign1 *msg, EVP_PKEY *key, enum key_kind kind,
			    struct buf *scratch, struct hr_error *err)
{
	return cose_sign1_verify_cached(msg, key, kind, NULL, scratch, err);
}

hr_status cose_sign1_verify_cached(const struct cose_sign1 *msg, EVP_PKEY *key, enum key_kind kind,
				   struct cose_key_context *cache, struct buf *scratch,
				   struct hr_error *err)
{
	const struct cose_alg *alg;
	hr_status rc;

	if (!msg->has_alg)
		return hr_error_set(err, HR_E_INVALID, "signature",
				    "no algorithm (alg) in the headers");
	if ((alg = cose_alg_find(msg->alg)) == NULL)
		return hr_error_set(err, HR_E_UNSUPPORTED, "signature",
				    "algorithm %lld is not supported (ES256, ES384, ES512, PS256, "
				    "PS384, PS512, EdDSA)",
				    (long long)msg->alg);
	buf_reset(scratch);
	if ((rc = cose_sign1_to_be_signed(msg->protected_header, msg->payload, scratch)) != HR_OK)
		return hr_error_set(err, rc, "signature", "message too large to verify");
	return cose_crypto_verify_cached(cache, alg, key, kind, scratch->data, scratch->len,
					 msg->signature.ptr, msg->signature.len, err);
}

hr_status cose_sign1_sign(struct signer *signer, struct slice payload, struct buf *scratch,
			  struct buf *out, struct hr_error *err)
{
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	struct slice kid = signer_kid(signer);
	struct buf prot;
	hr_status rc;

	/* protected header {1: alg, 4: kid}: labels in deterministic order */
	buf_init(&prot, 128);
	cbor_put_map(&prot, kid.len ? 2 : 1);
	cbor_put_uint(&prot, COSE_HEADER_ALG);
	cbor_put_int(&prot, signer_alg(signer)->id);
	if (kid.len) {
		cbor_put_uint(&prot, COSE_HEADER_KID);
		cbor_put_bytes(&prot, kid.ptr, kid.len);
	}
	buf_reset(scratch);
	if (prot.error != HR_OK) {
		rc = hr_error_set(err, prot.error, "sign", "kid too long");
		goto done;
	}
	if ((rc = cose_sign1_to_be_signed(buf_slice(&prot), payload, scratch)) != HR_OK) {
		rc = hr_error_set(err, rc, "sign", "payload too large to sign");
		goto done;
	}
	if ((rc = signer_sign(signer, scratch->data, scratch->len, sig, &sig_len, err)) != HR_OK)
		goto done;
	cbor_put_tag(out, COSE_TAG_SIGN1);
	cbor_put_array(out, 4);
	cbor_put_bytes(out, prot.data, prot.len);
	cbor_put_map(out, 0);
	cbor_put_bytes(out, payload.ptr, payload.len);
	cbor_put_bytes(out, sig, sig_len);
	if (out->error != HR_OK)
		rc = hr_error_set(err, out->error, "sign", "credential too large");
done:
	buf_clear(&prot);
	return rc;
}
