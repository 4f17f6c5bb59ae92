/*
 * httpsig.c — HTTP Message Signatures, RFC 9421, as the exchange profile uses
 * them (see httpsig.h): label "sig1", ecdsa-p256-sha256, created + expires +
 * keyid + alg + nonce, and Content-Digest (RFC 9530, sha-256) over the body.
 *
 * Signature-Input and Signature are RFC 8941 dictionaries. Rather than a
 * general structured-field parser this file holds a small strict one for
 * exactly what the profile uses:
 *
 *	Signature-Input: label=("name";req;key="k" ...);created=1;expires=2;keyid="..."
 *	Signature:       label=:base64:
 *
 * component names are quoted strings, lower case, a supported derived
 * component (@method, @target-uri, @authority, @path, @query, @status) or a
 * header field name; their parameters are only req (§2.4) and key (§2.1.2, on
 * the dictionary fields signature and signature-input, so a response can bind
 * the request's signature as in §2.4's example); signature parameters are only
 * created, expires (integers), keyid, alg, nonce, tag (strings). Anything else
 * — tokens, decimals, unknown parameters, a label twice, a component twice,
 * upper case names — is refused with a message naming what and where. Lengths
 * are bounded everywhere (HTTPSIG_FIELD_MAX, HTTPSIG_MAX_HEADERS components,
 * HTTPSIG_STRING_MAX strings, HTTPSIG_BASE_MAX signature base).
 *
 * The signature base (§2.5) re-serialises the parsed identifiers and
 * parameters strictly (RFC 8941 §4.1), in the order the signer gave them, so
 * what is verified is what was parsed.
 *
 * Verification order: parse; profile parameters; required components covered
 * (content-digest whenever there is a body); time window; key; base and
 * Content-Digest; signature; and last the nonce, so that only a signature that
 * verified uses its nonce up (recorded under the keyid, until expires).
 *
 * Never: verify with a key the message chose, or skip a check because a
 * parameter is absent.
 */
#include "exchange/httpsig.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "core/base64.h"
#include "core/digest.h"
#include "core/error.h"
#include "credential/cose_crypto.h"
#include "credential/signer.h"
#include "exchange/sig_batch.h"
#include "exchange/uri.h"

#define STAGE "httpsig"

#define HTTPSIG_FIELD_MAX      8192        /* a Signature-Input or Signature value */
#define HTTPSIG_STRING_MAX     128         /* keyid, alg, nonce, tag, key */
#define HTTPSIG_NAME_MAX       64          /* a component name, a label */
#define HTTPSIG_MEMBERS_MAX    8           /* labels in one field */
#define HTTPSIG_SIGNATURE_MAX  1024        /* decoded bytes of one signature */
#define HTTPSIG_BASE_MAX       (64 * 1024) /* the signature base */
#define HTTPSIG_COMPONENTS_MAX HTTPSIG_MAX_HEADERS
/* what struct httpsig_verified can hold */
#define KEYID_MAX (sizeof(((struct httpsig_verified *)NULL)->keyid) - 1)

struct component {
	char name[HTTPSIG_NAME_MAX + 1];
	bool req;
	bool has_key;
	bool key_first; /* ;key came before ;req (the order is kept, §2.1) */
	char key[HTTPSIG_NAME_MAX + 1];
};

enum param {
	PARAM_CREATED,
	PARAM_EXPIRES,
	PARAM_KEYID,
	PARAM_ALG,
	PARAM_NONCE,
	PARAM_TAG,
	PARAM_COUNT
};

static const char *const param_names[PARAM_COUNT] = {"created", "expires", "keyid",
						     "alg",     "nonce",   "tag"};

/* One parsed Signature-Input member: the covered components and parameters. */
struct sig_input {
	struct component components[HTTPSIG_COMPONENTS_MAX];
	size_t component_count;
	enum param order[PARAM_COUNT]; /* as written */
	size_t param_count;
	bool has[PARAM_COUNT];
	int64_t created, expires;
	char strings[PARAM_COUNT][HTTPSIG_STRING_MAX + 1]; /* keyid, alg, nonce, tag */
};

/*
 * Parsing: a cursor over one field value. Failures set err once (the first
 * message is the one a person needs) and return false.
 */
struct cursor {
	const char *start, *p, *end;
	const char *field; /* "Signature-Input", for messages */
	struct hr_error *err;
	bool failed;
};

static bool fail(struct cursor *c, const char *what)
{
	if (!c->failed)
		hr_error_set(c->err, HR_E_INVALID, STAGE, "%s: %s (at offset %zu)", c->field, what,
			     (size_t)(c->p - c->start));
	c->failed = true;
	return false;
}

static bool at_end(const struct cursor *c)
{
	return c->p >= c->end;
}

static bool peek(const struct cursor *c, char ch)
{
	return c->p < c->end && *c->p == ch;
}

static void skip_spaces(struct cursor *c)
{
	while (peek(c, ' '))
		c->p++;
}

static void skip_ows(struct cursor *c)
{
	while (peek(c, ' ') || peek(c, '\t'))
		c->p++;
}

/* RFC 8941 §4.2.3.3: key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ) */
static bool key_char(char ch, bool first)
{
	if (islower((unsigned char)ch) || ch == '*')
		return true;
	return !first && (isdigit((unsigned char)ch) || ch == '_' || ch == '-' || ch == '.');
}

static bool parse_key(struct cursor *c, char *out, size_t size)
{
	size_t n = 0;

	if (at_end(c) || !key_char(*c->p, true))
		return fail(c, "expected a key (lower case letters, digits, _ - . *)");
	while (!at_end(c) && key_char(*c->p, n == 0)) {
		if (n + 1 >= size)
			return fail(c, "key too long");
		out[n++] = *c->p++;
	}
	out[n] = 0;
	return true;
}

/* RFC 8941 §4.2.5: a String, only printable ASCII, escapes \" and \\. */
static bool parse_string(struct cursor *c, char *out, size_t size)
{
	size_t n = 0;

	if (!peek(c, '"'))
		return fail(c, "expected a quoted string");
	c->p++;
	for (;;) {
		char ch;

		if (at_end(c))
			return fail(c, "unterminated string");
		ch = *c->p++;
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (at_end(c) || (*c->p != '"' && *c->p != '\\'))
				return fail(c, "bad escape in a string");
			ch = *c->p++;
		} else if (ch < 0x20 || ch > 0x7e) {
			return fail(c, "string holds a character outside printable ASCII");
		}
		if (n + 1 >= size)
			return fail(c, "string too long");
		out[n++] = ch;
	}
	out[n] = 0;
	return true;
}

/* RFC 8941 §4.2.4: an Integer, at most 15 digits. */
static bool parse_integer(struct cursor *c, int64_t *out)
{
	bool negative = false;
	int64_t value = 0;
	int digits = 0;

	if (peek(c, '-')) {
		negative = true;
		c->p++;
	}
	while (!at_end(c) && isdigit((unsigned char)*c->p)) {
		if (++digits > 15)
			return fail(c, "integer has more than 15 digits");
		value = value * 10 + (*c->p++ - '0');
	}
	if (digits == 0)
		return fail(c, "expected an integer");
	if (peek(c, '.'))
		return fail(c, "decimals are not accepted here");
	*out = negative ? -value : value;
	return true;
}

/* RFC 8941 §4.2.7: a Byte Sequence, strict padded base64. */
static bool parse_bytes(struct cursor *c, uint8_t *out, size_t *len)
{
	const char *text;
	struct buf b;
	bool ok;

	if (!peek(c, ':'))
		return fail(c, "expected a byte sequence (:base64:)");
	text = ++c->p;
	while (!at_end(c) && *c->p != ':')
		c->p++;
	if (at_end(c))
		return fail(c, "unterminated byte sequence");
	if ((size_t)(c->p - text) > (HTTPSIG_SIGNATURE_MAX + 2) / 3 * 4)
		return fail(c, "byte sequence too long");
	buf_init(&b, HTTPSIG_SIGNATURE_MAX + 2); /* base64_decode reserves 2 bytes spare */
	ok = base64_decode(text, (size_t)(c->p - text), BASE64_STANDARD, &b) == HR_OK;
	if (ok && b.len > HTTPSIG_SIGNATURE_MAX)
		ok = false;
	if (ok) {
		memcpy(out, b.data, b.len);
		*len = b.len;
	}
	buf_clear(&b);
	if (!ok)
		return fail(c, "byte sequence is not padded base64");
	c->p++;
	return true;
}

/* Whether name is a component we can derive: lower case, and a field name
 * (RFC 9110 token) or one of the derived components we implement. */
static bool component_name_valid(const char *name, struct cursor *c)
{
	static const char *const derived[] = {"@method", "@target-uri", "@authority", "@path",
					      "@query",  "@status",     NULL};

	if (name[0] == '@') {
		for (size_t i = 0; derived[i] != NULL; i++) {
			if (strcmp(name, derived[i]) == 0)
				return true;
		}
		return fail(c, "derived component not supported (only @method @target-uri "
			       "@authority @path @query @status)");
	}
	if (name[0] == 0)
		return fail(c, "empty component name");
	for (const char *p = name; *p != 0; p++) {
		if (isupper((unsigned char)*p))
			return fail(c, "component names are lower case");
		if (!isalnum((unsigned char)*p) && strchr("!#$%&'*+-.^_`|~", *p) == NULL)
			return fail(c, "component name is not a field name");
	}
	return true;
}

/* One parameter ";name" or ";name=value" after a component identifier. */
static bool parse_component_parameter(struct cursor *c, struct component *comp)
{
	char name[16];

	c->p++; /* ';' */
	skip_spaces(c);
	if (!parse_key(c, name, sizeof(name)))
		return false;
	if (strcmp(name, "req") == 0) {
		if (comp->req)
			return fail(c, "parameter req given twice");
		if (peek(c, '=')) {
			c->p++;
			if (c->end - c->p < 2 || c->p[0] != '?' || c->p[1] != '1')
				return fail(c, "req is a flag (;req)");
			c->p += 2;
		}
		comp->req = true;
		return true;
	}
	if (strcmp(name, "key") == 0) {
		if (comp->has_key)
			return fail(c, "parameter key given twice");
		if (!peek(c, '='))
			return fail(c, "key needs a string value");
		c->p++;
		if (!parse_string(c, comp->key, sizeof(comp->key)))
			return false;
		comp->has_key = true;
		comp->key_first = !comp->req;
		return true;
	}
	for (size_t i = 0; i < PARAM_COUNT; i++) {
		if (strcmp(name, param_names[i]) == 0)
			return fail(c, "a signature parameter inside the parentheses (no ')')");
	}
	return fail(c, "component parameter not supported (only req and key)");
}

/* A component identifier: "name" then its parameters. */
static bool parse_component(struct cursor *c, struct component *comp)
{
	memset(comp, 0, sizeof(*comp));
	if (!parse_string(c, comp->name, sizeof(comp->name)) ||
	    !component_name_valid(comp->name, c))
		return false;
	while (peek(c, ';')) {
		if (!parse_component_parameter(c, comp))
			return false;
	}
	if (comp->has_key && strcmp(comp->name, "signature") != 0 &&
	    strcmp(comp->name, "signature-input") != 0)
		return fail(c, "key is only supported on signature and signature-input");
	return true;
}

static bool same_component(const struct component *a, const struct component *b)
{
	return strcmp(a->name, b->name) == 0 && a->req == b->req && a->has_key == b->has_key &&
	       (!a->has_key || strcmp(a->key, b->key) == 0);
}

static bool add_component(struct cursor *c, struct sig_input *in, const struct component *comp)
{
	if (strcmp(comp->name, "@signature-params") == 0)
		return fail(c, "@signature-params cannot be covered");
	for (size_t i = 0; i < in->component_count; i++) {
		if (same_component(&in->components[i], comp))
			return fail(c, "a component is covered twice");
	}
	if (in->component_count == HTTPSIG_COMPONENTS_MAX)
		return fail(c, "too many covered components");
	in->components[in->component_count++] = *comp;
	return true;
}

/* ";created=1;keyid=\"x\"..." after the inner list (RFC 9421 §2.3). */
static bool parse_signature_parameters(struct cursor *c, struct sig_input *in)
{
	while (peek(c, ';')) {
		char name[16];
		enum param which = PARAM_COUNT;

		c->p++;
		skip_spaces(c);
		if (!parse_key(c, name, sizeof(name)))
			return false;
		for (size_t i = 0; i < PARAM_COUNT; i++) {
			if (strcmp(name, param_names[i]) == 0)
				which = (enum param)i;
		}
		if (which == PARAM_COUNT)
			return fail(c,
				    "signature parameter not supported (created expires keyid alg "
				    "nonce tag)");
		if (in->has[which])
			return fail(c, "a signature parameter is given twice");
		if (!peek(c, '='))
			return fail(c, "a signature parameter needs a value");
		c->p++;
		if (which == PARAM_CREATED || which == PARAM_EXPIRES) {
			if (!peek(c, '-') && (at_end(c) || !isdigit((unsigned char)*c->p)))
				return fail(c, "created and expires are integers");
			if (!parse_integer(c, which == PARAM_CREATED ? &in->created : &in->expires))
				return false;
		} else {
			if (!peek(c, '"'))
				return fail(c, "keyid, alg, nonce and tag are strings");
			if (!parse_string(c, in->strings[which], sizeof(in->strings[which])))
				return false;
		}
		in->has[which] = true;
		in->order[in->param_count++] = which;
	}
	return true;
}

/* ("a" "b";req);created=... (RFC 8941 §4.2.1.2, RFC 9421 §4.1) */
static bool parse_inner_list(struct cursor *c, struct sig_input *in)
{
	memset(in, 0, sizeof(*in));
	if (!peek(c, '('))
		return fail(c, "expected '(' starting the covered components");
	c->p++;
	for (;;) {
		struct component comp;

		skip_spaces(c);
		if (at_end(c))
			return fail(c, "unbalanced parentheses: no ')'");
		if (peek(c, ')')) {
			c->p++;
			break;
		}
		if (!parse_component(c, &comp) || !add_component(c, in, &comp))
			return false;
		if (!peek(c, ' ') && !peek(c, ')'))
			return fail(c, "expected a space or ')' after a component");
	}
	return parse_signature_parameters(c, in);
}

enum field_kind { FIELD_INPUT, FIELD_SIGNATURE };

/* What parse_field found for the label asked for. */
struct field_member {
	bool found;
	struct sig_input input;               /* FIELD_INPUT */
	uint8_t bytes[HTTPSIG_SIGNATURE_MAX]; /* FIELD_SIGNATURE */
	size_t bytes_len;
};

/*
 * Parses a whole Signature-Input or Signature value (RFC 8941 §4.2.2, a
 * Dictionary) and keeps the member named label. Every member must parse; a
 * label twice is refused rather than the last one silently winning.
 */
static hr_status parse_field(const char *value, size_t len, enum field_kind kind, const char *label,
			     struct field_member *out, struct hr_error *err)
{
	struct cursor c = {value,       value,
			   value + len, kind == FIELD_INPUT ? "Signature-Input" : "Signature",
			   err,         false};
	char labels[HTTPSIG_MEMBERS_MAX][HTTPSIG_NAME_MAX + 1];
	size_t count = 0;
	struct field_member *scratch = calloc(1, sizeof(*scratch));

	out->found = false;
	if (scratch == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (len > HTTPSIG_FIELD_MAX)
		fail(&c, "field too long");
	while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t'))
		c.end--;
	skip_spaces(&c);
	if (!c.failed && at_end(&c))
		fail(&c, "empty field");
	while (!c.failed) {
		char key[HTTPSIG_NAME_MAX + 1];
		struct field_member *into;

		if (!parse_key(&c, key, sizeof(key)))
			break;
		for (size_t i = 0; i < count; i++) {
			if (strcmp(labels[i], key) == 0)
				fail(&c, "a label appears twice");
		}
		if (!c.failed && count == HTTPSIG_MEMBERS_MAX)
			fail(&c, "too many signatures");
		if (c.failed)
			break;
		memcpy(labels[count++], key, sizeof(key));
		if (!peek(&c, '=')) {
			fail(&c, "a member needs a value");
			break;
		}
		c.p++;
		into = strcmp(key, label) == 0 ? out : scratch;
		if (kind == FIELD_INPUT ? !parse_inner_list(&c, &into->input)
					: !parse_bytes(&c, into->bytes, &into->bytes_len))
			break;
		if (kind == FIELD_SIGNATURE && peek(&c, ';')) {
			fail(&c, "a signature takes no parameters");
			break;
		}
		into->found = true;
		skip_ows(&c);
		if (at_end(&c))
			break;
		if (!peek(&c, ',')) {
			fail(&c, "expected ',' between members");
			break;
		}
		c.p++;
		skip_ows(&c);
		if (at_end(&c))
			fail(&c, "trailing ','");
	}
	free(scratch);
	if (c.failed) {
		out->found = false;
		return HR_E_INVALID;
	}
	return HR_OK;
}

/*
 * Serialisation (RFC 8941 §4.1), the form the signature base uses.
 */
static void append_string(struct buf *out, const char *s)
{
	buf_append_byte(out, '"');
	for (; *s != 0; s++) {
		if (*s == '"' || *s == '\\')
			buf_append_byte(out, '\\');
		buf_append_byte(out, (uint8_t)*s);
	}
	buf_append_byte(out, '"');
}

static void append_component_id(struct buf *out, const struct component *comp)
{
	append_string(out, comp->name);
	if (comp->has_key && comp->key_first) {
		buf_append_str(out, ";key=");
		append_string(out, comp->key);
	}
	if (comp->req)
		buf_append_str(out, ";req");
	if (comp->has_key && !comp->key_first) {
		buf_append_str(out, ";key=");
		append_string(out, comp->key);
	}
}

/* The @signature-params value: the inner list and its parameters (§2.3). */
static void append_signature_params(struct buf *out, const struct sig_input *in)
{
	buf_append_byte(out, '(');
	for (size_t i = 0; i < in->component_count; i++) {
		if (i > 0)
			buf_append_byte(out, ' ');
		append_component_id(out, &in->components[i]);
	}
	buf_append_byte(out, ')');
	for (size_t i = 0; i < in->param_count; i++) {
		enum param p = in->order[i];

		buf_printf(out, ";%s=", param_names[p]);
		if (p == PARAM_CREATED || p == PARAM_EXPIRES)
			buf_printf(out, "%lld",
				   (long long)(p == PARAM_CREATED ? in->created : in->expires));
		else
			append_string(out, in->strings[p]);
	}
}

static void append_bytes(struct buf *out, const uint8_t *data, size_t len)
{
	buf_append_byte(out, ':');
	base64_encode(data, len, BASE64_STANDARD, out);
	buf_append_byte(out, ':');
}

/*
 * Component values (§2.1, §2.2).
 */

/* The field's values, trimmed and joined with ", " (§2.1); HR_E_NOT_FOUND when
 * the message has no such field. */
static hr_status field_value(const struct httpsig_message *m, const char *name, struct buf *out,
			     struct hr_error *err)
{
	bool found = false;

	for (size_t i = 0; i < m->header_count; i++) {
		const char *v = m->headers[i].value, *e;

		if (m->headers[i].name == NULL || strcasecmp(m->headers[i].name, name) != 0)
			continue;
		if (v == NULL)
			v = "";
		while (*v == ' ' || *v == '\t')
			v++;
		e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (memchr(v, '\r', (size_t)(e - v)) != NULL ||
		    memchr(v, '\n', (size_t)(e - v)) != NULL)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "the %s header holds a line break", name);
		if (found)
			buf_append_str(out, ", ");
		buf_append(out, v, (size_t)(e - v));
		found = true;
	}
	if (!found)
		return hr_error_set(err, HR_E_NOT_FOUND, STAGE, "the message has no %s header",
				    name);
	return out->error == HR_OK
		   ? HR_OK
		   : hr_error_set(err, out->error, STAGE, "the %s header is too long", name);
}

/* "signature";key="x" or "signature-input";key="x": the member, re-serialised. */
static hr_status dictionary_member_value(const struct httpsig_message *m,
					 const struct component *comp, struct buf *out,
					 struct hr_error *err)
{
	bool input = strcmp(comp->name, "signature-input") == 0;
	struct field_member *member = calloc(1, sizeof(*member));
	struct buf raw;
	hr_status rc;

	if (member == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	buf_init(&raw, HTTPSIG_FIELD_MAX);
	rc = field_value(m, comp->name, &raw, err);
	if (rc == HR_OK)
		rc = parse_field(buf_str(&raw), raw.len, input ? FIELD_INPUT : FIELD_SIGNATURE,
				 comp->key, member, err);
	if (rc == HR_OK && !member->found)
		rc = hr_error_set(err, HR_E_NOT_FOUND, STAGE, "the %s header has no member %s",
				  comp->name, comp->key);
	if (rc == HR_OK && input)
		append_signature_params(out, &member->input);
	else if (rc == HR_OK)
		append_bytes(out, member->bytes, member->bytes_len);
	buf_clear(&raw);
	free(member);
	return rc;
}

static hr_status derived_value(const struct httpsig_message *m, const char *name, struct buf *out,
			       struct hr_error *err)
{
	struct uri_parts u;

	if (strcmp(name, "@status") == 0) {
		if (m->status <= 0)
			return hr_error_set(err, HR_E_INVALID, STAGE, "@status is for responses");
		if (m->status < 100 || m->status > 999)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "status %d is not three digits", m->status);
		return buf_printf(out, "%d", m->status);
	}
	if (m->status > 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s is a request component (in a response, use ;req)", name);
	if (strcmp(name, "@method") == 0) {
		if (m->method == NULL || m->method[0] == 0 || strpbrk(m->method, " \t\r\n") != NULL)
			return hr_error_set(err, HR_E_INVALID, STAGE, "the request has no method");
		return buf_append_str(out, m->method);
	}
	if (m->target_uri == NULL ||
	    uri_split(m->target_uri, strnlen(m->target_uri, URI_MAX_LEN + 1), &u) != HR_OK ||
	    u.has_fragment)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the request's target URI is not an absolute http(s) URI");
	if (strcmp(name, "@target-uri") == 0)
		return buf_append_str(out, m->target_uri);
	if (strcmp(name, "@authority") == 0)
		return uri_append_authority(&u, out);
	if (strcmp(name, "@path") == 0)
		return u.path.len > 0 ? buf_append(out, u.path.ptr, u.path.len)
				      : buf_append_byte(out, '/');
	/* @query: the leading '?' always, §2.2.7 */
	buf_append_byte(out, '?');
	return buf_append(out, u.query.ptr, u.query.len);
}

static hr_status component_value(const struct httpsig_message *msg, const struct component *comp,
				 struct buf *out, struct hr_error *err)
{
	const struct httpsig_message *m = msg;
	hr_status rc;

	if (comp->req) {
		/* §2.4: req only in a response, and the value comes from its request */
		if (msg->status <= 0)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "\"%s\";req in a request: req is for responses",
					    comp->name);
		if (msg->request == NULL)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "\"%s\";req needs the request this response answers",
					    comp->name);
		m = msg->request;
		if (m->status > 0)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "the related request is a response");
	}
	if (comp->name[0] == '@')
		rc = derived_value(m, comp->name, out, err);
	else if (comp->has_key)
		rc = dictionary_member_value(m, comp, out, err);
	else
		rc = field_value(m, comp->name, out, err);
	if (rc == HR_OK && out->error != HR_OK)
		rc = hr_error_set(err, out->error, STAGE, "the signature base exceeds %d bytes",
				  HTTPSIG_BASE_MAX);
	return rc;
}

/* §2.5: one line per component, then "@signature-params". */
static hr_status build_base(const struct httpsig_message *msg, const struct sig_input *in,
			    struct buf *out, struct hr_error *err)
{
	hr_status rc;

	for (size_t i = 0; i < in->component_count; i++) {
		append_component_id(out, &in->components[i]);
		buf_append_str(out, ": ");
		if ((rc = component_value(msg, &in->components[i], out, err)) != HR_OK)
			return rc;
		buf_append_byte(out, '\n');
	}
	buf_append_str(out, "\"@signature-params\": ");
	append_signature_params(out, in);
	if (out->error != HR_OK)
		return hr_error_set(err, out->error, STAGE, "the signature base exceeds %d bytes",
				    HTTPSIG_BASE_MAX);
	return HR_OK;
}

void httpsig_content_digest(const void *body, size_t len, char out[64])
{
	uint8_t digest[DIGEST_SHA256_LEN];

	memcpy(out, "sha-256=:", 9);
	if (digest_sha256_of(body, len, digest) != HR_OK) {
		out[0] = 0; /* matches no header */
		return;
	}
	EVP_EncodeBlock((unsigned char *)out + 9, digest, sizeof(digest)); /* 44 characters */
	memcpy(out + 9 + 44, ":", 2);
}

static const struct component *find_component(const struct sig_input *in, const char *name)
{
	for (size_t i = 0; i < in->component_count; i++) {
		const struct component *c = &in->components[i];

		if (strcmp(c->name, name) == 0 && !c->req && !c->has_key)
			return c;
	}
	return NULL;
}

/* RFC 9530: the covered Content-Digest must be the digest of this body. */
static hr_status check_content_digest(const struct httpsig_message *msg, struct hr_error *err)
{
	char expected[64];
	struct buf value;
	hr_status rc;

	buf_init(&value, HTTPSIG_FIELD_MAX);
	rc = field_value(msg, "content-digest", &value, err);
	httpsig_content_digest(msg->body, msg->body_len, expected);
	if (rc == HR_OK && strcmp(buf_str(&value), expected) != 0)
		rc = hr_error_set(err, HR_E_SIGNATURE, STAGE,
				  "Content-Digest is not the sha-256 of the body");
	buf_clear(&value);
	return rc;
}

/* A component as a caller writes it: @method, @method;req, "signature";req;key="sig1". */
static hr_status parse_component_spec(const char *spec, struct component *comp,
				      struct hr_error *err)
{
	char quoted[HTTPSIG_NAME_MAX * 2 + 8];
	size_t name_len;
	struct cursor c = {NULL, NULL, NULL, "component", err, false};

	if (spec == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "a NULL component");
	if (spec[0] == '"') {
		name_len = strnlen(spec, sizeof(quoted));
		if (name_len >= sizeof(quoted))
			return hr_error_set(err, HR_E_INVALID, STAGE, "component too long");
		memcpy(quoted, spec, name_len + 1);
	} else {
		name_len = strcspn(spec, ";");
		if (name_len > HTTPSIG_NAME_MAX ||
		    strlen(spec + name_len) + name_len + 3 > sizeof(quoted))
			return hr_error_set(err, HR_E_INVALID, STAGE, "component too long");
		snprintf(quoted, sizeof(quoted), "\"%.*s\"%s", (int)name_len, spec,
			 spec + name_len);
	}
	c.start = c.p = quoted;
	c.end = quoted + strlen(quoted);
	if (!parse_component(&c, comp))
		return HR_E_INVALID;
	if (!at_end(&c)) {
		fail(&c, "unexpected text after the component");
		return HR_E_INVALID;
	}
	return HR_OK;
}

/* A value that serialises as an sf-string: printable ASCII, 1..max characters. */
static bool string_valid(const char *s, size_t max)
{
	size_t n = 0;

	for (; s != NULL && *s != 0; s++, n++) {
		if (*s < 0x20 || *s > 0x7e || n >= max)
			return false;
	}
	return s != NULL && n > 0;
}

hr_status httpsig_signature_base(const struct httpsig_message *msg, const char *signature_input,
				 const char *label, struct buf *out, struct hr_error *err)
{
	struct field_member *member;
	hr_status rc;

	if (msg == NULL || signature_input == NULL || label == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "no Signature-Input");
	if ((member = calloc(1, sizeof(*member))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	rc = parse_field(signature_input, strnlen(signature_input, HTTPSIG_FIELD_MAX + 1),
			 FIELD_INPUT, label, member, err);
	if (rc == HR_OK && !member->found)
		rc = hr_error_set(err, HR_E_NOT_FOUND, STAGE, "Signature-Input has no %s", label);
	if (rc == HR_OK)
		rc = build_base(msg, &member->input, out, err);
	free(member);
	return rc;
}

hr_status httpsig_sign(struct signer *signer, const char *keyid, const struct httpsig_message *msg,
		       const char *const *components, int64_t created, int64_t lifetime_s,
		       const char *nonce, char **signature_input, char **signature,
		       struct hr_error *err)
{
	return httpsig_sign_batched(NULL, signer, keyid, msg, components, created, lifetime_s,
				    nonce, signature_input, signature, err);
}

/* The signature of a base: ES256 alone, or its leaf's place in a batch. */
static hr_status sign_base(struct sig_batcher *batch, struct signer *signer, const struct buf *base,
			   uint8_t *sig, size_t *sig_len, struct hr_error *err)
{
	uint8_t leaf[32];
	size_t room = *sig_len;
	hr_status rc;

	if (batch == NULL) {
		rc = signer_sign(signer, base->data, base->len, sig, sig_len, err);
		if (rc == HR_OK && *sig_len != 64)
			rc = hr_error_set(err, HR_E_CRYPTO, STAGE,
					  "an ES256 signature of %zu bytes", *sig_len);
		return rc;
	}
	if (room < SIG_BATCH_VALUE_MAX || digest_sha256_of(base->data, base->len, leaf) != HR_OK)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot hash the signature base");
	return sig_batch_sign(batch, leaf, sig, sig_len, err);
}

hr_status httpsig_sign_batched(struct sig_batcher *batch, struct signer *signer, const char *keyid,
			       const struct httpsig_message *msg, const char *const *components,
			       int64_t created, int64_t lifetime_s, const char *nonce,
			       char **signature_input, char **signature, struct hr_error *err)
{
	const struct cose_alg *alg = signer_alg(signer);
	struct sig_input *in = NULL;
	struct buf base, text;
	uint8_t sig[SIG_BATCH_VALUE_MAX];
	size_t sig_len = sizeof(sig);
	char fresh[32];
	hr_status rc = HR_OK;

	*signature_input = NULL;
	*signature = NULL;
	if (alg == NULL || alg->id != COSE_ALG_ES256)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE, "%s needs a P-256 signer",
				    HTTPSIG_ALG);
	if (msg == NULL || components == NULL || !string_valid(keyid, KEYID_MAX))
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "signing needs a message, components and a printable keyid");
	if (lifetime_s <= 0 || lifetime_s > HTTPSIG_MAX_LIFETIME_S)
		return hr_error_set(err, HR_E_INVALID, STAGE, "a lifetime of 1 to %d s",
				    HTTPSIG_MAX_LIFETIME_S);
	if (nonce == NULL) {
		uint8_t random[16];
		struct buf b;

		buf_init(&b, sizeof(fresh) - 1);
		if (RAND_bytes(random, sizeof(random)) != 1 ||
		    base64_encode(random, sizeof(random), BASE64_URL, &b) != HR_OK) {
			buf_clear(&b);
			return hr_error_set(err, HR_E_CRYPTO, STAGE, "no randomness for a nonce");
		}
		memcpy(fresh, buf_str(&b), b.len + 1);
		buf_clear(&b);
		nonce = fresh;
	}
	if (!string_valid(nonce, HTTPSIG_STRING_MAX))
		return hr_error_set(err, HR_E_INVALID, STAGE, "the nonce must be printable ASCII");
	if ((in = calloc(1, sizeof(*in))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	for (size_t i = 0; components[i] != NULL && rc == HR_OK; i++) {
		struct component comp;
		struct cursor c = {"", "", "", "components", err, false};

		rc = parse_component_spec(components[i], &comp, err);
		if (rc == HR_OK && !add_component(&c, in, &comp))
			rc = HR_E_INVALID;
	}
	if (rc == HR_OK && msg->body_len > 0 && find_component(in, "content-digest") == NULL)
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "a message with a body must cover content-digest");
	if (rc == HR_OK && find_component(in, "content-digest") != NULL)
		rc = check_content_digest(msg, err);
	if (rc != HR_OK) {
		free(in);
		return rc;
	}
	in->created = created;
	in->expires = created + lifetime_s;
	snprintf(in->strings[PARAM_KEYID], sizeof(in->strings[PARAM_KEYID]), "%s", keyid);
	snprintf(in->strings[PARAM_ALG], sizeof(in->strings[PARAM_ALG]), "%s",
		 batch != NULL ? HTTPSIG_ALG_BATCH : HTTPSIG_ALG);
	snprintf(in->strings[PARAM_NONCE], sizeof(in->strings[PARAM_NONCE]), "%s", nonce);
	for (enum param p = PARAM_CREATED; p <= PARAM_NONCE; p++) {
		in->has[p] = true;
		in->order[in->param_count++] = p;
	}
	buf_init(&base, HTTPSIG_BASE_MAX);
	buf_init(&text, HTTPSIG_FIELD_MAX);
	rc = build_base(msg, in, &base, err);
	if (rc == HR_OK)
		rc = sign_base(batch, signer, &base, sig, &sig_len, err);
	if (rc == HR_OK) {
		buf_append_str(&text, HTTPSIG_LABEL "=");
		append_signature_params(&text, in);
		if (text.error == HR_OK)
			*signature_input = (char *)buf_take(&text, NULL);
		buf_append_str(&text, HTTPSIG_LABEL "=");
		append_bytes(&text, sig, sig_len);
		if (text.error == HR_OK)
			*signature = (char *)buf_take(&text, NULL);
		if (*signature_input == NULL || *signature == NULL) {
			free(*signature_input);
			free(*signature);
			*signature_input = *signature = NULL;
			rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		}
	}
	buf_clear(&base);
	buf_clear(&text);
	free(in);
	return rc;
}

/* What httpsig_verify holds while it works; on the heap (a few kilobytes). */
struct verify_state {
	struct field_member input;
	struct field_member signature;
};

hr_status httpsig_verify(const struct httpsig_message *msg, const char *signature_input,
			 const char *signature, const char *const *required_components,
			 httpsig_key_lookup lookup, void *lookup_context, int64_t now,
			 struct replay_cache *nonces, struct httpsig_verified *out,
			 struct hr_error *err)
{
	struct verify_state *s;
	struct sig_input *in;
	struct buf base, id;
	EVP_PKEY *key;
	bool batched;
	hr_status rc;

	memset(out, 0, sizeof(*out));
	if (msg == NULL || lookup == NULL || nonces == NULL)
		return hr_error_set(
		    err, HR_E_STATE, STAGE,
		    "httpsig_verify needs a message, a key lookup and a nonce cache");
	if (signature_input == NULL || signature == NULL)
		return hr_error_set(
		    err, HR_E_DENIED, STAGE,
		    "the message is not signed (Signature-Input and Signature needed)");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	in = &s->input.input;
	buf_init(&base, HTTPSIG_BASE_MAX);
	buf_init(&id, 2 * HTTPSIG_STRING_MAX + 2);
	rc = parse_field(signature_input, strnlen(signature_input, HTTPSIG_FIELD_MAX + 1),
			 FIELD_INPUT, HTTPSIG_LABEL, &s->input, err);
	if (rc == HR_OK)
		rc = parse_field(signature, strnlen(signature, HTTPSIG_FIELD_MAX + 1),
				 FIELD_SIGNATURE, HTTPSIG_LABEL, &s->signature, err);
	if (rc != HR_OK)
		goto done;
	if (!s->input.found || !s->signature.found) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE, "no %s in %s", HTTPSIG_LABEL,
				  s->input.found ? "Signature" : "Signature-Input");
		goto done;
	}
	/* the profile's parameters */
	for (enum param p = PARAM_CREATED; p <= PARAM_NONCE; p++) {
		if (!in->has[p]) {
			rc = hr_error_set(err, HR_E_DENIED, STAGE,
					  "the signature has no %s parameter", param_names[p]);
			goto done;
		}
	}
	batched = strcmp(in->strings[PARAM_ALG], HTTPSIG_ALG_BATCH) == 0;
	if (!batched && strcmp(in->strings[PARAM_ALG], HTTPSIG_ALG) != 0) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE, "alg %s is not accepted, only %s or %s",
				  in->strings[PARAM_ALG], HTTPSIG_ALG, HTTPSIG_ALG_BATCH);
		goto done;
	}
	if (in->strings[PARAM_KEYID][0] == 0 || in->strings[PARAM_NONCE][0] == 0 ||
	    strlen(in->strings[PARAM_KEYID]) > KEYID_MAX) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE,
				  "keyid (at most %zu characters) and nonce must not be empty",
				  KEYID_MAX);
		goto done;
	}
	/* coverage: what the caller requires, and the body's digest */
	for (size_t i = 0; required_components != NULL && required_components[i] != NULL; i++) {
		struct component want;
		bool covered = false;

		if ((rc = parse_component_spec(required_components[i], &want, err)) != HR_OK)
			goto done;
		for (size_t j = 0; j < in->component_count && !covered; j++)
			covered = same_component(&in->components[j], &want);
		if (!covered) {
			rc = hr_error_set(err, HR_E_DENIED, STAGE,
					  "the signature does not cover %s (required)",
					  required_components[i]);
			goto done;
		}
	}
	if (msg->body_len > 0 && find_component(in, "content-digest") == NULL) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE,
				  "the message has a body but the signature does not cover "
				  "content-digest");
		goto done;
	}
	/* time */
	if (in->created > now + HTTPSIG_MAX_SKEW_S) {
		rc = hr_error_set(err, HR_E_EXPIRED, STAGE,
				  "the signature is created in the future");
		goto done;
	}
	if (in->expires <= in->created) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "the signature expires before created");
		goto done;
	}
	if (now > in->expires) {
		rc = hr_error_set(err, HR_E_EXPIRED, STAGE, "the signature has expired");
		goto done;
	}
	if (in->expires - in->created > HTTPSIG_MAX_LIFETIME_S) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE, "a signature may live at most %d s",
				  HTTPSIG_MAX_LIFETIME_S);
		goto done;
	}
	/* the key: the caller's, for the keyid; borrowed, never freed here */
	key = lookup(lookup_context, in->strings[PARAM_KEYID]);
	if (key == NULL) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE, "unknown keyid %s",
				  in->strings[PARAM_KEYID]);
		goto done;
	}
	if (key_kind_of(key) != KEY_KIND_P256) {
		rc = hr_error_set(err, HR_E_DENIED, STAGE, "the key of %s is not P-256",
				  in->strings[PARAM_KEYID]);
		goto done;
	}
	if (!batched && s->signature.bytes_len != 64) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "an %s signature is 64 bytes",
				  HTTPSIG_ALG);
		goto done;
	}
	if ((rc = build_base(msg, in, &base, err)) != HR_OK) {
		if (rc == HR_E_NOT_FOUND)
			rc = HR_E_INVALID;
		goto done;
	}
	if (find_component(in, "content-digest") != NULL &&
	    (rc = check_content_digest(msg, err)) != HR_OK)
		goto done;
	if (batched) {
		uint8_t leaf[32];

		if (digest_sha256_of(base.data, base.len, leaf) != HR_OK) {
			rc =
			    hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot hash the signature base");
			goto done;
		}
		if ((rc = sig_batch_verify(key, leaf, s->signature.bytes, s->signature.bytes_len,
					   err)) != HR_OK) {
			if (rc == HR_E_INVALID)
				rc = HR_E_SIGNATURE;
			goto done;
		}
	} else if (cose_crypto_verify(cose_alg_find(COSE_ALG_ES256), key, KEY_KIND_P256, base.data,
				      base.len, s->signature.bytes, 64, NULL) != HR_OK) {
		rc = hr_error_set(err, HR_E_SIGNATURE, STAGE, "the signature does not verify");
		goto done;
	}
	/* replay: each nonce once per key while the signature could be accepted,
	 * charged to the signing member, so that one member flooding the record
	 * is refused alone (its share is full) and the others keep their room */
	buf_printf(&id, "%s\n%s", in->strings[PARAM_KEYID], in->strings[PARAM_NONCE]);
	rc = replay_cache_check_owned(nonces, in->strings[PARAM_KEYID],
				      strlen(in->strings[PARAM_KEYID]), id.data, id.len, now,
				      in->expires + 1);
	if (rc == HR_E_CONFLICT) {
		hr_error_set(err, rc, STAGE, "the nonce was already used (a replay)");
		goto done;
	}
	if (rc != HR_OK) {
		hr_error_set(err, rc, STAGE, "cannot record the nonce; retry shortly");
		goto done;
	}
	memcpy(out->keyid, in->strings[PARAM_KEYID], strlen(in->strings[PARAM_KEYID]) + 1);
	out->created = in->created;
	out->expires = in->expires;
done:
	buf_clear(&base);
	buf_clear(&id);
	free(s);
	return rc;
}
