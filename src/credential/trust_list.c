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

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hromada/verify.h>

#include "core/base64.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "credential/cose_crypto.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/trust_store.h"

#define STAGE      "trust_list"
#define LIST_LIMIT TRUST_LIST_MAX_BYTES

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
	char issued[CLOCK_UTC_TEXT_MAX], next[CLOCK_UTC_TEXT_MAX];
	json_t *list, *array;
	hr_status rc;

	clock_format_utc(issued_at, issued);
	clock_format_utc(issued_at + validity_seconds, next);
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

/*
 * The flattened JWS, {"protected": "...", "payload": "...", "signature": "..."}
 * (RFC 7515 §7.2.2), scanned by hand: its payload is one string of megabytes
 * (8 MB for 10 000 signers) and a general JSON parser spends ~60 ms on it
 * byte by byte. The three members are base64url strings, which need no
 * escapes, so the grammar here is small: an object of exactly these three
 * string members, each once, in any order, with JSON whitespace around; an
 * escape, another member or any other value is refused.
 */
struct jws_parts {
	struct slice protected_part, payload, signature;
};

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* A string without escapes at *p: its contents, *p moved past it. */
static bool scan_string(const char **p, const char *end, struct slice *out)
{
	const char *start, *close;

	if (*p >= end || **p != '"')
		return false;
	start = *p + 1;
	if ((close = memchr(start, '"', (size_t)(end - start))) == NULL ||
	    memchr(start, '\\', (size_t)(close - start)) != NULL)
		return false;
	*out = slice_make(start, (size_t)(close - start));
	*p = close + 1;
	return true;
}

static hr_status scan_jws(const void *data, size_t len, struct jws_parts *parts,
			  struct hr_error *err)
{
	const char *p = data, *end = p + len;
	bool seen[3] = {false, false, false};
	struct slice key, value;

	memset(parts, 0, sizeof(*parts));
	p = skip_ws(p, end);
	if (p >= end || *p++ != '{')
		goto bad;
	for (;;) {
		int which;
		p = skip_ws(p, end);
		if (!scan_string(&p, end, &key))
			goto bad;
		p = skip_ws(p, end);
		if (p >= end || *p++ != ':')
			goto bad;
		p = skip_ws(p, end);
		which = slice_equal_str(key, "protected")   ? 0
			: slice_equal_str(key, "payload")   ? 1
			: slice_equal_str(key, "signature") ? 2
							    : -1;
		if (which < 0 || seen[which])
			return hr_error_set(
			    err, HR_E_INVALID, STAGE,
			    "the trust list's JWS has a member other than protected, "
			    "payload and signature, or one twice");
		if (!scan_string(&p, end, &value))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "the trust list's \"%s\" is not a base64url string",
					    which == 0   ? "protected"
					    : which == 1 ? "payload"
							 : "signature");
		seen[which] = true;
		*(which == 0   ? &parts->protected_part
		  : which == 1 ? &parts->payload
			       : &parts->signature) = value;
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '}') {
			p++;
			break;
		}
		goto bad;
	}
	if (skip_ws(p, end) != end)
		goto bad;
	for (int i = 0; i < 3; i++)
		if (!seen[i])
			return hr_error_set(err, HR_E_INVALID, STAGE, "the list has no \"%s\"",
					    i == 0   ? "protected"
					    : i == 1 ? "payload"
						     : "signature");
	return HR_OK;
bad:
	return hr_error_set(err, HR_E_INVALID, STAGE,
			    "the trust list is not a JWS in flattened JSON form {\"protected\", "
			    "\"payload\", \"signature\"}");
}

static hr_status decode_part(struct slice part, const char *name, struct buf *out,
			     struct hr_error *err)
{
	if (base64_decode((const char *)part.ptr, part.len, BASE64_URL, out) != HR_OK)
		return hr_error_set(err, HR_E_INVALID, STAGE, "\"%s\" is not base64url", name);
	return HR_OK;
}

/* Checks the JWS signature under the anchor; on success payload holds the
 * decoded payload (decoded only once the signature verified). */
static hr_status verify_jws(const struct jws_parts *jws, const struct signer_cert *anchor,
			    struct buf *payload, struct hr_error *err)
{
	const struct cose_alg *alg;
	struct buf header_text, sig, input;
	json_t *header = NULL;
	hr_status rc;

	buf_init(&header_text, 64 * 1024);
	buf_init(&sig, COSE_SIGNATURE_MAX);
	buf_init(&input, LIST_LIMIT + 1);
	if ((rc = decode_part(jws->protected_part, "protected", &header_text, err)) != HR_OK ||
	    (rc = decode_part(jws->signature, "signature", &sig, err)) != HR_OK)
		goto done;
	if ((rc = hr_json_parse_object(header_text.data, header_text.len, &header, err)) != HR_OK)
		goto done;
	alg = cose_alg_find_name(json_string_value(json_object_get(header, "alg")));
	if (alg == NULL || json_object_get(header, "crit") != NULL) {
		rc = hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
				  "the list's JWS header has an unsupported alg or crit");
		goto done;
	}
	buf_append(&input, jws->protected_part.ptr, jws->protected_part.len);
	buf_append_byte(&input, '.');
	buf_append(&input, jws->payload.ptr, jws->payload.len);
	if ((rc = input.error) != HR_OK)
		goto done;
	if (cose_crypto_verify(alg, anchor->key, anchor->kind, input.data, input.len, sig.data,
			       sig.len, err) != HR_OK) {
		rc = hr_error_set(err, HR_E_SIGNATURE, STAGE,
				  "the trust list is not signed by the pinned trust-list signer");
		goto done;
	}
	buf_clear(&input); /* 8 MB for a large list: give it back before the next */
	rc = decode_part(jws->payload, "payload", payload, err);
done:
	json_decref(header);
	buf_clear(&header_text);
	buf_clear(&sig);
	buf_clear(&input);
	return rc;
}

/* The members every list has, however it was read. */
struct list_fields {
	struct slice format, issued, next; /* .ptr NULL when absent or not a string */
	bool version_is_int, sequence_is_int, has_signers;
	int64_t version, sequence;
};

static void slice_text(struct slice s, char *out, size_t size)
{
	size_t n = s.len < size - 1 ? s.len : size - 1;

	memcpy(out, s.ptr ? (const char *)s.ptr : "", s.ptr ? n : 0);
	out[s.ptr ? n : 0] = 0;
}

/* format, version, sequence, times and the signers array: the shape every
 * list has, checked once its signature has verified. */
static hr_status check_fields(const struct list_fields *f, struct trust_list_info *info,
			      struct hr_error *err)
{
	char issued[48], next[48];
	struct hr_time issued_at, next_update;

	if (f->format.ptr == NULL || !slice_equal_str(f->format, TRUST_LIST_FORMAT) ||
	    !f->version_is_int || f->version != TRUST_LIST_VERSION || !f->has_signers)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE, "not a %s version %d document",
				    TRUST_LIST_FORMAT, TRUST_LIST_VERSION);
	if (!f->sequence_is_int || f->sequence < 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the list's sequence is not a non-negative integer");
	slice_text(f->issued, issued, sizeof(issued));
	slice_text(f->next, next, sizeof(next));
	if (f->issued.ptr == NULL || f->next.ptr == NULL || f->issued.len >= sizeof(issued) ||
	    f->next.len >= sizeof(next) || hr_time_parse(issued, &issued_at, NULL) != HR_OK ||
	    hr_time_parse(next, &next_update, NULL) != HR_OK)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the list's issued_at and next_update must be RFC 3339 times");
	if (next_update.seconds < issued_at.seconds)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the list's next_update %s is before its issued_at %s", next,
				    issued);
	info->sequence = f->sequence;
	info->issued_at = issued_at.seconds;
	info->next_update = next_update.seconds;
	return HR_OK;
}

static struct slice json_slice(const json_t *v)
{
	return json_is_string(v) ? slice_make(json_string_value(v), json_string_length(v))
				 : slice_make(NULL, 0);
}

static hr_status check_list_object(const json_t *list, struct trust_list_info *info,
				   struct hr_error *err)
{
	const json_t *version = json_object_get(list, "version");
	const json_t *sequence = json_object_get(list, "sequence");
	struct list_fields f = {json_slice(json_object_get(list, "format")),
				json_slice(json_object_get(list, "issued_at")),
				json_slice(json_object_get(list, "next_update")),
				json_is_integer(version),
				json_is_integer(sequence),
				json_is_array(json_object_get(list, "signers")),
				(int64_t)json_integer_value(version),
				(int64_t)json_integer_value(sequence)};

	return check_fields(&f, info, err);
}

/* The list is stale when now is past next_update + grace (no overflow). */
static hr_status check_fresh(const struct trust_list_info *info, int64_t now, int64_t grace_s,
			     struct hr_error *err)
{
	char next[CLOCK_UTC_TEXT_MAX];

	if (grace_s < 0)
		grace_s = 0;
	if (now <= info->next_update || now - info->next_update <= grace_s)
		return HR_OK;
	clock_format_utc(info->next_update, next);
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
	struct jws_parts jws;
	struct buf payload_text;
	json_t *list = NULL;
	hr_status rc;

	*payload = NULL;
	if (anchor == NULL || (data == NULL && len > 0))
		return hr_error_set(err, HR_E_INVALID, STAGE, "no list or no trust anchor");
	if (len > LIST_LIMIT)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
				    "the trust list is larger than %d bytes", LIST_LIMIT);
	if ((rc = scan_jws(data, len, &jws, err)) != HR_OK)
		return rc;
	buf_init(&payload_text, LIST_LIMIT);
	if ((rc = verify_jws(&jws, anchor, &payload_text, err)) == HR_OK)
		rc = hr_json_parse_object(payload_text.data, payload_text.len, &list, err);
	buf_clear(&payload_text);
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
static hr_status check_signer(struct slice country, struct slice kid, struct slice cert, size_t i,
			      struct trust_store_pending *p, struct hr_error *err)
{
	uint8_t computed[SIGNER_KID_LEN];
	struct buf bytes;
	bool ok;

	memset(p, 0, sizeof(*p));
	if (country.ptr == NULL || country.len != 2 || cert.ptr == NULL || kid.ptr == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "signer %zu needs country, kid and certificate", i);
	buf_init(&bytes, 64);
	ok = base64_decode((const char *)kid.ptr, kid.len, BASE64_STANDARD, &bytes) == HR_OK &&
	     bytes.len == SIGNER_KID_LEN;
	if (ok)
		memcpy(p->kid, bytes.data, SIGNER_KID_LEN);
	buf_clear(&bytes);
	if (!ok)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "signer %zu: kid is not base64 of 8 bytes", i);
	buf_init(&bytes, SIGNER_DER_MAX);
	if (base64_decode((const char *)cert.ptr, cert.len, BASE64_STANDARD, &bytes) != HR_OK ||
	    bytes.len == 0) {
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
	memcpy(p->country, country.ptr, 2);
	return p->der != NULL ? HR_OK : hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
}

/*
 * The payload of a verified list, scanned into its fields and signers without
 * building a JSON tree: a general parser (jansson) spends ~50 ms on the 6 MB of
 * a 10 000-signer list. This is a strict JSON reader for that one shape: an
 * object whose members format, issued_at, next_update are strings, version
 * and sequence integers, signers an array of objects with string members
 * country, kid, certificate; other members (the gateways' "members",
 * "gateways") are skipped as any JSON value, nested at most SCAN_DEPTH deep.
 * A member named twice is refused, as is a known member whose key or value
 * holds an escape (nothing in a list needs one). Strings we skip are checked
 * for escapes and control characters, not for UTF-8: the list is signed, and
 * nothing in them is used.
 */
#define SCAN_DEPTH 32

struct scanner {
	const char *p, *end;
};

static void scan_ws(struct scanner *s)
{
	s->p = skip_ws(s->p, s->end);
}

static bool scan_char(struct scanner *s, char c)
{
	scan_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

/* Any JSON string at s->p: its raw contents in *out, *escaped when it has
 * escapes. */
static bool scan_any_string(struct scanner *s, struct slice *out, bool *escaped)
{
	const char *start;

	scan_ws(s);
	if (s->p >= s->end || *s->p != '"')
		return false;
	start = ++s->p;
	*escaped = false;
	while (s->p < s->end && *s->p != '"') {
		unsigned char c = (unsigned char)*s->p;
		if (c < 0x20)
			return false;
		if (c == '\\') {
			*escaped = true;
			if (s->end - s->p < 2)
				return false;
			c = (unsigned char)s->p[1];
			if (c == 'u') {
				if (s->end - s->p < 6)
					return false;
				for (int i = 2; i < 6; i++)
					if (!isxdigit((unsigned char)s->p[i]))
						return false;
				s->p += 6;
				continue;
			}
			if (strchr("\"\\/bfnrt", c) == NULL || c == 0)
				return false;
			s->p += 2;
			continue;
		}
		s->p++;
	}
	if (s->p >= s->end)
		return false;
	*out = slice_make(start, (size_t)(s->p - start));
	s->p++;
	return true;
}

/* A JSON number; *integer and *value when it is an integer that fits. */
static bool scan_number(struct scanner *s, bool *integer, int64_t *value)
{
	const char *start;
	bool neg = false, frac = false;
	uint64_t v = 0;
	bool overflow = false;

	scan_ws(s);
	start = s->p;
	if (s->p < s->end && *s->p == '-') {
		neg = true;
		s->p++;
	}
	if (s->p >= s->end || !isdigit((unsigned char)*s->p))
		return false;
	if (*s->p == '0' && s->p + 1 < s->end && isdigit((unsigned char)s->p[1]))
		return false; /* no leading zeros */
	while (s->p < s->end && isdigit((unsigned char)*s->p)) {
		if (v > (UINT64_MAX - 9) / 10)
			overflow = true;
		else
			v = v * 10 + (uint64_t)(*s->p - '0');
		s->p++;
	}
	if (s->p < s->end && *s->p == '.') {
		frac = true;
		s->p++;
		if (s->p >= s->end || !isdigit((unsigned char)*s->p))
			return false;
		while (s->p < s->end && isdigit((unsigned char)*s->p))
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		frac = true;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (s->p >= s->end || !isdigit((unsigned char)*s->p))
			return false;
		while (s->p < s->end && isdigit((unsigned char)*s->p))
			s->p++;
	}
	*integer = !frac && !overflow && v <= (uint64_t)INT64_MAX;
	*value = *integer ? (neg ? -(int64_t)v : (int64_t)v) : 0;
	return s->p > start;
}

static bool scan_literal(struct scanner *s, const char *word)
{
	size_t n = strlen(word);

	scan_ws(s);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return false;
	s->p += n;
	return true;
}

/* Skips any JSON value. */
static bool scan_skip(struct scanner *s, int depth)
{
	struct slice ignored;
	bool escaped, integer;
	int64_t number;

	if (depth > SCAN_DEPTH)
		return false;
	scan_ws(s);
	if (s->p >= s->end)
		return false;
	switch (*s->p) {
	case '"':
		return scan_any_string(s, &ignored, &escaped);
	case '{':
		s->p++;
		if (scan_char(s, '}'))
			return true;
		do {
			if (!scan_any_string(s, &ignored, &escaped) || !scan_char(s, ':') ||
			    !scan_skip(s, depth + 1))
				return false;
		} while (scan_char(s, ','));
		return scan_char(s, '}');
	case '[':
		s->p++;
		if (scan_char(s, ']'))
			return true;
		do {
			if (!scan_skip(s, depth + 1))
				return false;
		} while (scan_char(s, ','));
		return scan_char(s, ']');
	case 't':
		return scan_literal(s, "true");
	case 'f':
		return scan_literal(s, "false");
	case 'n':
		return scan_literal(s, "null");
	default:
		return scan_number(s, &integer, &number);
	}
}

/* A string member's value that may not hold escapes; NULL slice otherwise. */
static bool scan_plain_value(struct scanner *s, struct slice *out)
{
	bool escaped;

	scan_ws(s);
	if (s->p < s->end && *s->p != '"') { /* another type: recorded as absent */
		*out = slice_make(NULL, 0);
		return scan_skip(s, 1);
	}
	if (!scan_any_string(s, out, &escaped))
		return false;
	if (escaped)
		*out = slice_make(NULL, 0);
	return true;
}

/* One signer object: country, kid, certificate. */
static hr_status scan_signer(struct scanner *s, size_t i, struct trust_store_pending *p,
			     struct hr_error *err)
{
	struct slice fields[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}}, key;
	static const char *const names[3] = {"country", "kid", "certificate"};
	bool seen[3] = {false, false, false}, escaped;

	if (!scan_char(s, '{'))
		return hr_error_set(err, HR_E_INVALID, STAGE, "signer %zu is not an object", i);
	if (!scan_char(s, '}')) {
		do {
			int which = -1;
			if (!scan_any_string(s, &key, &escaped) || !scan_char(s, ':'))
				goto bad;
			for (int k = 0; k < 3 && !escaped; k++)
				if (slice_equal_str(key, names[k]))
					which = k;
			if (which < 0) {
				if (!scan_skip(s, 2))
					goto bad;
				continue;
			}
			if (seen[which])
				return hr_error_set(err, HR_E_INVALID, STAGE,
						    "signer %zu names %s twice", i, names[which]);
			seen[which] = true;
			if (!scan_plain_value(s, &fields[which]))
				goto bad;
		} while (scan_char(s, ','));
		if (!scan_char(s, '}'))
			goto bad;
	}
	return check_signer(fields[0], fields[1], fields[2], i, p, err);
bad:
	return hr_error_set(err, HR_E_INVALID, STAGE, "signer %zu is not well-formed JSON", i);
}

struct pending_list {
	struct trust_store_pending *items;
	size_t count, cap;
};

static void pending_free(struct pending_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].der);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static hr_status scan_signers(struct scanner *s, struct pending_list *l, struct hr_error *err)
{
	if (!scan_char(s, '['))
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE, "not a %s version %d document",
				    TRUST_LIST_FORMAT, TRUST_LIST_VERSION);
	if (scan_char(s, ']'))
		return HR_OK;
	do {
		hr_status rc;
		if (l->count == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 1024;
			struct trust_store_pending *grown = realloc(l->items, cap * sizeof(*grown));
			if (grown == NULL)
				return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
			l->items = grown;
			l->cap = cap;
		}
		if ((rc = scan_signer(s, l->count, &l->items[l->count], err)) != HR_OK)
			return rc;
		l->count++;
	} while (scan_char(s, ','));
	if (!scan_char(s, ']'))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the signers array is not well-formed");
	return HR_OK;
}

/* The verified payload: its fields into *f, its signers into *l. */
static hr_status scan_payload(const struct buf *payload, struct list_fields *f,
			      struct pending_list *l, struct hr_error *err)
{
	static const char *const names[] = {"format",    "version",     "sequence",
					    "issued_at", "next_update", "signers"};
	struct scanner s = {(const char *)payload->data,
			    (const char *)payload->data + payload->len};
	bool seen[6] = {false, false, false, false, false, false}, escaped;
	struct slice key;
	hr_status rc;

	memset(f, 0, sizeof(*f));
	if (!scan_char(&s, '{'))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the list's payload is not a JSON object");
	if (!scan_char(&s, '}')) {
		do {
			int which = -1;
			if (!scan_any_string(&s, &key, &escaped) || !scan_char(&s, ':'))
				goto bad;
			for (int k = 0; k < 6 && !escaped; k++)
				if (slice_equal_str(key, names[k]))
					which = k;
			if (which >= 0 && seen[which])
				return hr_error_set(err, HR_E_INVALID, STAGE,
						    "the list names %s twice", names[which]);
			if (which >= 0)
				seen[which] = true;
			switch (which) {
			case 0:
				if (!scan_plain_value(&s, &f->format))
					goto bad;
				break;
			case 1:
			case 2:
				scan_ws(&s);
				if (s.p < s.end && (*s.p == '-' || isdigit((unsigned char)*s.p))) {
					if (!scan_number(&s,
							 which == 1 ? &f->version_is_int
								    : &f->sequence_is_int,
							 which == 1 ? &f->version : &f->sequence))
						goto bad;
				} else if (!scan_skip(&s, 1)) {
					goto bad;
				}
				break;
			case 3:
				if (!scan_plain_value(&s, &f->issued))
					goto bad;
				break;
			case 4:
				if (!scan_plain_value(&s, &f->next))
					goto bad;
				break;
			case 5:
				scan_ws(&s);
				if (s.p < s.end && *s.p == '[') {
					f->has_signers = true;
					if ((rc = scan_signers(&s, l, err)) != HR_OK)
						return rc;
				} else if (!scan_skip(&s, 1)) {
					goto bad;
				}
				break;
			default:
				if (!scan_skip(&s, 1))
					goto bad;
			}
		} while (scan_char(&s, ','));
		if (!scan_char(&s, '}'))
			goto bad;
	}
	scan_ws(&s);
	if (s.p != s.end)
		goto bad;
	return HR_OK;
bad:
	return hr_error_set(err, HR_E_INVALID, STAGE, "the list's payload is not well-formed JSON");
}

static hr_status load(struct hr_trust_store *store, const void *data, size_t len,
		      const void *anchor_data, size_t anchor_len, bool check_time, int64_t now,
		      int64_t grace_s, struct hr_trust_list_info *info, struct hr_error *err)
{
	struct signer_cert *anchor = NULL;
	struct trust_list_info got = {0, 0, 0};
	struct pending_list pending = {NULL, 0, 0};
	struct list_fields fields;
	struct jws_parts jws;
	struct buf payload;
	hr_status rc;

	if (store == NULL || (data == NULL && len > 0))
		return hr_error_set(err, HR_E_INVALID, STAGE, "no trust store or no list");
	if (len > LIST_LIMIT)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "the trust list is too large");
	if ((rc = signer_cert_parse_first(anchor_data, anchor_len, &anchor, err)) != HR_OK) {
		hr_error_prefix(err, "trust-list signer");
		return rc;
	}
	buf_init(&payload, LIST_LIMIT);
	if ((rc = scan_jws(data, len, &jws, err)) == HR_OK &&
	    (rc = verify_jws(&jws, anchor, &payload, err)) == HR_OK &&
	    (rc = scan_payload(&payload, &fields, &pending, err)) == HR_OK &&
	    (rc = check_fields(&fields, &got, err)) == HR_OK && check_time)
		rc = check_fresh(&got, now, grace_s, err);
	if (rc == HR_OK) {
		/* all or nothing: every signer checked; the batch takes the DER */
		rc = trust_store_add_batch(store, pending.items, pending.count, err);
		free(pending.items);
		memset(&pending, 0, sizeof(pending));
	}
	pending_free(&pending);
	if (rc == HR_OK && info != NULL) {
		info->sequence = got.sequence;
		info->issued_at = got.issued_at;
		info->next_update = got.next_update;
	}
	buf_clear(&payload);
	signer_cert_free(anchor);
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
