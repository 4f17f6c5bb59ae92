/*
 * test_trust_list.c — the signed cross-border trust list (src/credential/trust_list.c):
 * trust_list_build by the trust gateway, hr_trust_store_load_list by a verifier
 * that pins the trust-list signer.
 *
 * Keys are made once per run (keys_create_trust_signer, keys_create_country for
 * UA and PL) in a temporary directory. A list built and signed properly loads and
 * makes UA credentials verify; every way a list can be wrong — another signer, a
 * changed byte, alg or crit, a certificate that does not match its kid or its
 * country, another format — is refused with a clear error, and leaves nothing
 * trusted that the list did not vouch for as a whole.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <hromada/verify.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/documents.h"
#include "core/http_server.h"
#include "core/json.h"
#include "core/log.h"
#include "credential/issue.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/trust_list.h"
#include "credential/trust_store.h"

#define LIST_LIMIT (1 << 20)

static char dir[256];
static struct signer *list_signer;  /* the trust gateway */
static struct signer *other_signer; /* a second, unpinned trust-list key */
static char *anchor;                /* the pinned certificate (PEM) */
static size_t anchor_len;
static char *other_anchor;
static size_t other_anchor_len;
/* The trust service stand-in of the --trust-url tests (below). */
static struct trust_service {
	pthread_mutex_t lock;
	struct buf list;
	char etag[64];
	bool down;
	int served_200, served_304;
	struct http_server *server;
	char url[256];
} service = {.lock = PTHREAD_MUTEX_INITIALIZER};
/* document signers: UA id_card, UA driver_licence, UA hcert, PL id_card, PL vaccination */
enum { UA_ID, UA_DRIVER, UA_HCERT, PL_ID, PL_VACCINATION, SIGNER_COUNT };
static struct signer *signers[SIGNER_COUNT];
static const char *const signer_country[SIGNER_COUNT] = {"UA", "UA", "UA", "PL", "PL"};

static struct signer *open_signer(const char *sub)
{
	char key[512], cert[512];
	struct signer *s = NULL;
	struct hr_error err = {0};

	snprintf(key, sizeof(key), "%s/%s/key.pem", dir, sub);
	snprintf(cert, sizeof(cert), "%s/%s/cert.pem", dir, sub);
	if (signer_open_files(key, cert, &s, &err) != HR_OK) {
		fprintf(stderr, "%s: %s\n", sub, err.message);
		return NULL;
	}
	return s;
}

static int setup(void **state)
{
	char path[512];
	struct hr_error err = {0};
	struct keys_country_options ua = {"UA", NULL, NULL, 0}, pl = {"PL", NULL, NULL, 0};
	char ua_dir[300], pl_dir[300];

	(void)state;
	tk_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/trust", dir);
	if (keys_create_trust_signer(path, &err) != HR_OK)
		return -1;
	snprintf(path, sizeof(path), "%s/trust2", dir);
	if (keys_create_trust_signer(path, &err) != HR_OK)
		return -1;
	snprintf(ua_dir, sizeof(ua_dir), "%s/UA", dir);
	snprintf(pl_dir, sizeof(pl_dir), "%s/PL", dir);
	ua.dir = ua_dir;
	pl.dir = pl_dir;
	if (keys_create_country(&ua, &err) != HR_OK || keys_create_country(&pl, &err) != HR_OK)
		return -1;
	list_signer = open_signer("trust");
	other_signer = open_signer("trust2");
	signers[UA_ID] = open_signer("UA/signers/id_card");
	signers[UA_DRIVER] = open_signer("UA/signers/driver_licence");
	signers[UA_HCERT] = open_signer("UA/signers/hcert");
	signers[PL_ID] = open_signer("PL/signers/id_card");
	signers[PL_VACCINATION] = open_signer("PL/signers/vaccination");
	snprintf(path, sizeof(path), "%s/trust/cert.pem", dir);
	anchor = tk_read_file(path, &anchor_len);
	snprintf(path, sizeof(path), "%s/trust2/cert.pem", dir);
	other_anchor = tk_read_file(path, &other_anchor_len);
	for (int i = 0; i < SIGNER_COUNT; i++) {
		if (signers[i] == NULL)
			return -1;
	}
	return list_signer && other_signer && anchor && other_anchor ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	signer_free(list_signer);
	signer_free(other_signer);
	for (int i = 0; i < SIGNER_COUNT; i++)
		signer_free(signers[i]);
	free(anchor);
	free(other_anchor);
	if (service.server != NULL)
		http_server_free(service.server);
	buf_clear(&service.list);
	tk_rmrf(dir);
	return 0;
}

/* The list of all SIGNER_COUNT signers, as trust_list_build writes it. */
static void build_list(struct signer *by, struct buf *out)
{
	struct trust_list_signer entries[SIGNER_COUNT];
	struct hr_error err = {0};

	for (int i = 0; i < SIGNER_COUNT; i++) {
		entries[i].cert = signer_certificate(signers[i]);
		entries[i].country = signer_country[i];
	}
	buf_init(out, LIST_LIMIT);
	if (trust_list_build(by, entries, SIGNER_COUNT, 7, (int64_t)time(NULL), 86400, out, &err) !=
	    HR_OK) {
		print_error("not built: %s\n", err.message);
		fail();
	}
}

static json_t *b64_std_string(const void *data, size_t len)
{
	struct buf b;
	json_t *s;

	buf_init(&b, LIST_LIMIT);
	assert_int_equal(base64_encode(data, len, BASE64_STANDARD, &b), HR_OK);
	s = json_string(buf_str(&b));
	buf_clear(&b);
	return s;
}

static json_t *signer_entry(const struct signer_cert *cert, const char *country)
{
	return json_pack("{s:s,s:o,s:o}", "country", country, "kid",
			 b64_std_string(cert->kid, SIGNER_KID_LEN), "certificate",
			 b64_std_string(cert->der, cert->der_len));
}

/* A list payload of all signers; tests change it before signing it by hand. */
static json_t *list_payload(void)
{
	json_t *array = json_array();

	for (int i = 0; i < SIGNER_COUNT; i++)
		json_array_append_new(
		    array, signer_entry(signer_certificate(signers[i]), signer_country[i]));
	return json_pack("{s:s,s:i,s:i,s:s,s:s,s:o}", "format", TRUST_LIST_FORMAT, "version",
			 TRUST_LIST_VERSION, "sequence", 8, "issued_at", "2030-01-01T00:00:00Z",
			 "next_update", "2030-01-02T00:00:00Z", "signers", array);
}

static void append_b64url(struct buf *out, const void *data, size_t len)
{
	assert_int_equal(base64_encode(data, len, BASE64_URL, out), HR_OK);
}

/* A JWS (flattened JSON) of header and payload, signed properly by `by`. */
static void sign_jws(struct signer *by, const json_t *header, const json_t *payload,
		     struct buf *out)
{
	struct buf text, prot, body, input;
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	json_t *jws;
	struct buf sig64;

	buf_init(&text, LIST_LIMIT);
	buf_init(&prot, LIST_LIMIT);
	buf_init(&body, LIST_LIMIT);
	buf_init(&input, 2 * LIST_LIMIT);
	buf_init(&sig64, LIST_LIMIT);
	assert_int_equal(hr_json_dump(header, &text), HR_OK);
	append_b64url(&prot, text.data, text.len);
	buf_reset(&text);
	assert_int_equal(hr_json_dump(payload, &text), HR_OK);
	append_b64url(&body, text.data, text.len);
	buf_printf(&input, "%s.%s", buf_str(&prot), buf_str(&body));
	assert_int_equal(signer_sign(by, input.data, input.len, sig, &sig_len, NULL), HR_OK);
	append_b64url(&sig64, sig, sig_len);
	jws = json_pack("{s:s,s:s,s:s}", "protected", buf_str(&prot), "payload", buf_str(&body),
			"signature", buf_str(&sig64));
	buf_init(out, LIST_LIMIT);
	assert_int_equal(hr_json_dump(jws, out), HR_OK);
	json_decref(jws);
	buf_clear(&text);
	buf_clear(&prot);
	buf_clear(&body);
	buf_clear(&input);
	buf_clear(&sig64);
}

static json_t *es256_header(void)
{
	return json_pack("{s:s,s:s}", "alg", "ES256", "typ", TRUST_LIST_TYPE);
}

/* Loads a list into a fresh store; the store is returned either way. */
static struct hr_trust_store *load(const struct buf *list, const char *pin, size_t pin_len,
				   hr_status *rc, struct hr_error *err)
{
	struct hr_trust_store *store = hr_trust_store_new();

	assert_non_null(store);
	*rc = hr_trust_store_load_list(store, list->data, list->len, pin, pin_len, err);
	return store;
}

static const char id_card_json[] =
    "{\"person_id\":\"UA:3012345670\",\"family_name\":\"Шевченко\",\"given_name\":\"Олена\","
    "\"birth_date\":\"1982-05-17\",\"document_number\":\"000123456\"}";

/* A credential of signers[which], naming issuer (NULL: its certificate's country). */
static void issue_id_card(int which, const char *issuer, struct buf *out)
{
	struct issuer *iss = issuer_new(signers[which]);
	json_error_t jerr;
	json_t *doc = json_loads(id_card_json, 0, &jerr);
	struct issue_request req = {"id_card", doc, issuer, 0, 3600, NULL, NULL, 0};
	struct hr_error err = {0};

	assert_non_null(iss);
	assert_non_null(doc);
	buf_init(out, 16384);
	if (issuer_issue(iss, &req, out, &err) != HR_OK) {
		print_error("not issued: %s\n", err.message);
		fail();
	}
	json_decref(doc);
	issuer_free(iss);
}

static void verify(const struct hr_trust_store *store, const struct buf *credential,
		   struct hr_verify_result *r)
{
	hr_verify_result_init(r);
	assert_int_equal(
	    hr_verify_once(store, (const char *)credential->data, credential->len, NULL, r), HR_OK);
}

/* After a refused list, nothing it named may be trusted. */
static void assert_nothing_trusted(struct hr_trust_store *store)
{
	struct buf credential;
	struct hr_verify_result r;

	assert_int_equal(hr_trust_store_count(store), 0);
	issue_id_card(UA_ID, NULL, &credential);
	verify(store, &credential, &r);
	assert_false(r.valid);
	assert_int_equal(r.stages[HR_STAGE_SIGNATURE], HR_STAGE_FAILED);
	hr_verify_result_clear(&r);
	buf_clear(&credential);
}

static void assert_refused(const struct buf *list, const char *why)
{
	struct hr_error err = {0};
	hr_status rc;
	struct hr_trust_store *store = load(list, anchor, anchor_len, &rc, &err);

	if (rc == HR_OK) {
		print_error("a list that should be refused (%s) was loaded\n", why);
		fail();
	}
	assert_int_equal(err.status, rc);
	assert_string_equal(err.stage, "trust_list");
	if (strstr(err.message, why) == NULL) {
		print_error("message \"%s\" lacks \"%s\"\n", err.message, why);
		fail();
	}
	assert_nothing_trusted(store);
	hr_trust_store_free(store);
}

/* --- a good list ------------------------------------------------------------------- */

static void test_built_list_loads_every_signer_bound_to_its_country(void **state)
{
	struct buf list;
	struct hr_error err = {0};
	struct hr_trust_store *store;
	const struct trust_entry *first;
	hr_status rc;

	(void)state;
	build_list(list_signer, &list);
	store = load(&list, anchor, anchor_len, &rc, &err);
	if (rc != HR_OK) {
		print_error("refused: %s\n", err.message);
		fail();
	}
	assert_int_equal(hr_trust_store_count(store), SIGNER_COUNT);
	for (int i = 0; i < SIGNER_COUNT; i++) {
		const struct signer_cert *cert = signer_certificate(signers[i]);
		assert_int_equal(trust_store_find(store, cert->kid, SIGNER_KID_LEN, &first), 1);
		assert_string_equal(first->country, signer_country[i]);
	}
	/* loading the same list again adds nothing twice */
	assert_int_equal(
	    hr_trust_store_load_list(store, list.data, list.len, anchor, anchor_len, &err), HR_OK);
	assert_int_equal(hr_trust_store_count(store), SIGNER_COUNT);
	hr_trust_store_free(store);
	buf_clear(&list);
}

static void test_built_list_is_a_flattened_jws_of_the_documented_shape(void **state)
{
	struct buf list, header_text, payload_text;
	json_t *jws, *header, *payload, *entry;
	json_error_t jerr;

	(void)state;
	build_list(list_signer, &list);
	jws = json_loadb((const char *)list.data, list.len, 0, &jerr);
	assert_non_null(jws);
	buf_init(&header_text, LIST_LIMIT);
	buf_init(&payload_text, LIST_LIMIT);
	assert_int_equal(base64_decode(json_string_value(json_object_get(jws, "protected")),
				       strlen(json_string_value(json_object_get(jws, "protected"))),
				       BASE64_URL, &header_text),
			 HR_OK);
	assert_int_equal(base64_decode(json_string_value(json_object_get(jws, "payload")),
				       strlen(json_string_value(json_object_get(jws, "payload"))),
				       BASE64_URL, &payload_text),
			 HR_OK);
	assert_non_null(json_string_value(json_object_get(jws, "signature")));
	header = json_loadb((const char *)header_text.data, header_text.len, 0, &jerr);
	payload = json_loadb((const char *)payload_text.data, payload_text.len, 0, &jerr);
	assert_string_equal(json_string_value(json_object_get(header, "alg")), "ES256");
	assert_string_equal(json_string_value(json_object_get(header, "typ")), TRUST_LIST_TYPE);
	assert_int_equal(json_array_size(json_object_get(header, "x5c")), 1);
	assert_string_equal(json_string_value(json_object_get(payload, "format")),
			    TRUST_LIST_FORMAT);
	assert_int_equal(json_integer_value(json_object_get(payload, "version")), 1);
	assert_int_equal(json_integer_value(json_object_get(payload, "sequence")), 7);
	assert_non_null(json_string_value(json_object_get(payload, "issued_at")));
	assert_non_null(json_string_value(json_object_get(payload, "next_update")));
	assert_int_equal(json_array_size(json_object_get(payload, "signers")), SIGNER_COUNT);
	entry = json_array_get(json_object_get(payload, "signers"), 0);
	assert_string_equal(json_string_value(json_object_get(entry, "country")), "UA");
	assert_non_null(json_string_value(json_object_get(entry, "kid")));
	assert_non_null(json_string_value(json_object_get(entry, "certificate")));
	json_decref(jws);
	json_decref(header);
	json_decref(payload);
	buf_clear(&header_text);
	buf_clear(&payload_text);
	buf_clear(&list);
}

static void test_list_signed_by_hand_loads_too(void **state)
{
	json_t *header = es256_header(), *payload = list_payload();
	struct buf list;
	struct hr_error err = {0};
	struct hr_trust_store *store;
	hr_status rc;

	(void)state;
	/* the control for the refusals below: the same helper, nothing changed */
	sign_jws(list_signer, header, payload, &list);
	store = load(&list, anchor, anchor_len, &rc, &err);
	assert_int_equal(rc, HR_OK);
	assert_int_equal(hr_trust_store_count(store), SIGNER_COUNT);
	hr_trust_store_free(store);
	json_decref(header);
	json_decref(payload);
	buf_clear(&list);
}

static void test_credential_of_a_listed_signer_verifies(void **state)
{
	struct buf list, credential;
	struct hr_error err = {0};
	struct hr_verify_result r;
	struct hr_trust_store *store;
	hr_status rc;

	(void)state;
	build_list(list_signer, &list);
	store = load(&list, anchor, anchor_len, &rc, &err);
	assert_int_equal(rc, HR_OK);
	issue_id_card(UA_ID, NULL, &credential);
	verify(store, &credential, &r);
	if (!r.valid) {
		print_error("invalid at %s: %s\n", hr_verify_stage_name(r.error_stage), r.error);
		fail();
	}
	assert_string_equal(r.issuer, "UA");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	/* a PL signer's credential as well */
	issue_id_card(PL_ID, NULL, &credential);
	verify(store, &credential, &r);
	assert_true(r.valid);
	assert_string_equal(r.issuer, "PL");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	hr_trust_store_free(store);
	buf_clear(&list);
}

static void test_credential_naming_another_issuer_fails_signature(void **state)
{
	struct buf list, credential;
	struct hr_error err = {0};
	struct hr_verify_result r;
	struct hr_trust_store *store;
	hr_status rc;

	(void)state;
	build_list(list_signer, &list);
	store = load(&list, anchor, anchor_len, &rc, &err);
	assert_int_equal(rc, HR_OK);
	/* a UA signer, listed for UA, signing a credential that says iss = PL */
	issue_id_card(UA_ID, "PL", &credential);
	verify(store, &credential, &r);
	assert_false(r.valid);
	assert_int_equal(r.stages[HR_STAGE_COSE], HR_STAGE_PASSED);
	assert_int_equal(r.stages[HR_STAGE_SIGNATURE], HR_STAGE_FAILED);
	assert_int_equal(r.error_stage, HR_STAGE_SIGNATURE);
	assert_non_null(strstr(r.error, "trusted for UA"));
	assert_string_equal(r.issuer, "PL");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	hr_trust_store_free(store);
	buf_clear(&list);
}

/* --- refused lists ----------------------------------------------------------------- */

static void test_list_signed_by_another_key_is_refused(void **state)
{
	struct buf list;
	struct hr_error err = {0};
	struct hr_trust_store *store;
	hr_status rc;

	(void)state;
	/* built by the unpinned key: its own certificate in x5c changes nothing */
	build_list(other_signer, &list);
	store = load(&list, anchor, anchor_len, &rc, &err);
	assert_int_equal(rc, HR_E_SIGNATURE);
	assert_string_equal(err.stage, "trust_list");
	assert_non_null(strstr(err.message, "pinned"));
	assert_nothing_trusted(store);
	hr_trust_store_free(store);
	/* and the same list does load under its own pin: the refusal is about the pin */
	store = load(&list, other_anchor, other_anchor_len, &rc, &err);
	assert_int_equal(rc, HR_OK);
	hr_trust_store_free(store);
	buf_clear(&list);
}

/* Replaces one base64url part of a built list by the encoding of text. */
static void replace_part(struct buf *list, const char *part, const char *text)
{
	json_error_t jerr;
	json_t *jws = json_loadb((const char *)list->data, list->len, 0, &jerr);
	struct buf b;

	assert_non_null(jws);
	buf_init(&b, LIST_LIMIT);
	append_b64url(&b, text, strlen(text));
	json_object_set_new(jws, part, json_string(buf_str(&b)));
	buf_reset(list);
	assert_int_equal(hr_json_dump(jws, list), HR_OK);
	buf_clear(&b);
	json_decref(jws);
}

static char *decoded_part(const struct buf *list, const char *part)
{
	json_error_t jerr;
	json_t *jws = json_loadb((const char *)list->data, list->len, 0, &jerr);
	const char *text = json_string_value(json_object_get(jws, part));
	struct buf b;
	char *out;

	buf_init(&b, LIST_LIMIT);
	assert_int_equal(base64_decode(text, strlen(text), BASE64_URL, &b), HR_OK);
	out = strdup(buf_str(&b));
	buf_clear(&b);
	json_decref(jws);
	return out;
}

static void test_tampered_payload_is_refused(void **state)
{
	struct buf list;
	char *payload, *p;
	json_t *parsed, *signers_array;
	json_error_t jerr;

	(void)state;
	/* one character of the payload changed: sequence 7 -> 8 */
	build_list(list_signer, &list);
	payload = decoded_part(&list, "payload");
	p = strstr(payload, "\"sequence\":7");
	assert_non_null(p);
	p[11] = '8';
	replace_part(&list, "payload", payload);
	assert_refused(&list, "not signed by the pinned");
	free(payload);
	buf_clear(&list);

	/* an attacker's signer appended to an otherwise genuine list */
	build_list(list_signer, &list);
	payload = decoded_part(&list, "payload");
	parsed = json_loads(payload, 0, &jerr);
	signers_array = json_object_get(parsed, "signers");
	json_array_append_new(signers_array, signer_entry(signer_certificate(other_signer), "UA"));
	free(payload);
	payload = json_dumps(parsed, JSON_COMPACT);
	replace_part(&list, "payload", payload);
	assert_refused(&list, "not signed by the pinned");
	free(payload);
	json_decref(parsed);
	buf_clear(&list);
}

static void test_tampered_signature_is_refused(void **state)
{
	struct buf list;
	json_t *jws;
	json_error_t jerr;
	char *sig;
	size_t n;

	(void)state;
	build_list(list_signer, &list);
	jws = json_loadb((const char *)list.data, list.len, 0, &jerr);
	sig = strdup(json_string_value(json_object_get(jws, "signature")));
	n = strlen(sig);
	assert_int_equal(n, 86); /* 64 bytes of ES256 r||s in base64url */
	for (size_t at = 0; at < n - 1; at += 9) {
		char saved = sig[at];
		sig[at] = saved == 'A' ? 'B' : 'A';
		json_object_set_new(jws, "signature", json_string(sig));
		buf_reset(&list);
		assert_int_equal(hr_json_dump(jws, &list), HR_OK);
		assert_refused(&list, "not signed by the pinned");
		sig[at] = saved;
	}
	/* a DER signature where JWS wants r||s */
	json_object_set_new(jws, "signature", json_string("MEUCIQDx"));
	buf_reset(&list);
	assert_int_equal(hr_json_dump(jws, &list), HR_OK);
	assert_refused(&list, "not signed by the pinned");
	free(sig);
	json_decref(jws);
	buf_clear(&list);
}

static void test_changed_alg_is_refused(void **state)
{
	static const char *const headers[] = {
	    "{\"alg\":\"ES384\",\"typ\":\"hromada-trust-list+json\"}",
	    "{\"alg\":\"PS256\",\"typ\":\"hromada-trust-list+json\"}",
	    "{\"alg\":\"EdDSA\",\"typ\":\"hromada-trust-list+json\"}",
	};
	static const char *const unsupported[] = {
	    "{\"alg\":\"none\",\"typ\":\"hromada-trust-list+json\"}",
	    "{\"alg\":\"HS256\",\"typ\":\"hromada-trust-list+json\"}",
	    "{\"alg\":\"es256\"}",
	    "{\"alg\":-7}",
	    "{\"typ\":\"hromada-trust-list+json\"}",
	};
	struct buf list;

	(void)state;
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		build_list(list_signer, &list);
		replace_part(&list, "protected", headers[i]);
		assert_refused(&list, "not signed by the pinned");
		buf_clear(&list);
	}
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		build_list(list_signer, &list);
		replace_part(&list, "protected", unsupported[i]);
		assert_refused(&list, "unsupported alg");
		buf_clear(&list);
	}
}

static void test_crit_header_is_refused_even_when_signed(void **state)
{
	json_t *header = es256_header(), *payload = list_payload();
	struct buf list;

	(void)state;
	/* RFC 7515 §4.1.11: a critical extension we do not understand */
	json_object_set_new(header, "crit", json_pack("[s]", "exp"));
	json_object_set_new(header, "exp", json_integer(1));
	sign_jws(list_signer, header, payload, &list);
	assert_refused(&list, "crit");
	json_decref(header);
	json_decref(payload);
	buf_clear(&list);
}

static void test_listed_certificate_whose_kid_does_not_match_is_refused(void **state)
{
	json_t *header = es256_header(), *payload = list_payload(), *entry;
	struct buf list;

	(void)state;
	/* the last entry (after good ones) names the first signer's kid */
	entry = json_array_get(json_object_get(payload, "signers"), SIGNER_COUNT - 1);
	json_object_set_new(
	    entry, "kid", b64_std_string(signer_certificate(signers[UA_ID])->kid, SIGNER_KID_LEN));
	sign_jws(list_signer, header, payload, &list);
	assert_refused(&list, "signer 4: kid does not match its certificate");
	buf_clear(&list);
	/* a kid that is not 8 bytes, or not base64 */
	json_object_set_new(entry, "kid", json_string("AAAA"));
	sign_jws(list_signer, header, payload, &list);
	assert_refused(&list, "signer 4: kid is not base64 of 8 bytes");
	buf_clear(&list);
	json_object_set_new(entry, "kid", json_string("not base64!"));
	sign_jws(list_signer, header, payload, &list);
	assert_refused(&list, "signer 4: kid is not base64 of 8 bytes");
	buf_clear(&list);
	json_decref(header);
	json_decref(payload);
}

/*
 * Certificates are parsed at first use (trust_store.h): a listed certificate
 * whose subject names another country loads, but is never trusted — its
 * credentials fail the signature stage with the reason — while the rest of the
 * list works.
 */
static void test_certificate_listed_under_the_wrong_country_is_never_trusted(void **state)
{
	json_t *header = es256_header(), *payload = list_payload(), *entry;
	struct buf list, credential;
	struct hr_verify_result r;
	struct hr_error err = {0};
	struct hr_trust_store *store;
	hr_status rc;

	(void)state;
	/* the UA id_card signer (subject C=UA) listed as PL */
	entry = json_array_get(json_object_get(payload, "signers"), UA_ID);
	json_object_set_new(entry, "country", json_string("PL"));
	sign_jws(list_signer, header, payload, &list);
	store = load(&list, anchor, anchor_len, &rc, &err);
	assert_int_equal(rc, HR_OK);
	issue_id_card(UA_ID, "PL", &credential);
	verify(store, &credential, &r);
	assert_false(r.valid);
	assert_int_equal(r.stages[HR_STAGE_SIGNATURE], HR_STAGE_FAILED);
	assert_non_null(strstr(r.error, "names country UA but was listed under PL"));
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	/* the others still work */
	issue_id_card(PL_ID, NULL, &credential);
	verify(store, &credential, &r);
	assert_true(r.valid);
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	hr_trust_store_free(store);
	buf_clear(&list);
	/* a country that is not two letters is refused at once */
	json_object_set_new(entry, "country", json_string("UKR"));
	sign_jws(list_signer, header, payload, &list);
	assert_refused(&list, "needs country, kid and certificate");
	buf_clear(&list);
	json_object_del(entry, "country");
	sign_jws(list_signer, header, payload, &list);
	assert_refused(&list, "needs country, kid and certificate");
	buf_clear(&list);
	json_decref(header);
	json_decref(payload);
}

static void test_listed_certificate_that_does_not_parse_is_never_trusted(void **state)
{
	static const char junk[] = "not a certificate";
	json_t *header = es256_header(), *payload = list_payload(), *entry;
	uint8_t kid[SIGNER_KID_LEN];
	struct buf list, credential;
	struct hr_verify_result r;
	struct hr_error err = {0};
	struct hr_trust_store *store;
	const struct trust_entry *first;
	hr_status rc;

	(void)state;
	/* junk whose kid is right: it loads, and can never verify anything */
	signer_cert_kid((const uint8_t *)junk, strlen(junk), kid);
	entry = json_array_get(json_object_get(payload, "signers"), SIGNER_COUNT - 1);
	json_object_set_new(entry, "certificate", b64_std_string(junk, strlen(junk)));
	json_object_set_new(entry, "kid", b64_std_string(kid, SIGNER_KID_LEN));
	sign_jws(list_signer, header, payload, &list);
	store = load(&list, anchor, anchor_len, &rc, &err);
	assert_int_equal(rc, HR_OK);
	assert_int_equal(trust_store_find(store, kid, SIGNER_KID_LEN, &first), 1);
	assert_null(trust_entry_cert(store, first, &err));
	assert_non_null(strstr(err.message, "unusable"));
	issue_id_card(UA_ID, NULL, &credential);
	verify(store, &credential, &r);
	assert_true(r.valid);
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	hr_trust_store_free(store);
	buf_clear(&list);
	/* other junk, whose kid does not match: the whole list is refused */
	json_object_set_new(entry, "certificate", json_string("bm90IGEgY2VydA=="));
	sign_jws(list_signer, header, payload, &list);
	assert_refused(&list, "kid does not match its certificate");
	buf_clear(&list);
	json_object_set_new(entry, "certificate", json_string("not base64"));
	sign_jws(list_signer, header, payload, &list);
	assert_refused(&list, "certificate is not base64");
	buf_clear(&list);
	json_decref(header);
	json_decref(payload);
}

static void test_wrong_format_or_version_is_refused(void **state)
{
	json_t *header = es256_header();
	struct buf list;
	int variant;

	(void)state;
	for (variant = 0; variant < 7; variant++) {
		json_t *payload = list_payload();
		switch (variant) {
		case 0:
			json_object_set_new(payload, "format", json_string("eu-dcc-trust-list"));
			break;
		case 1:
			json_object_set_new(payload, "version", json_integer(2));
			break;
		case 2:
			json_object_set_new(payload, "version", json_string("1"));
			break;
		case 3:
			json_object_del(payload, "format");
			break;
		case 4:
			json_object_del(payload, "version");
			break;
		case 5:
			json_object_del(payload, "signers");
			break;
		default:
			json_object_set_new(payload, "signers", json_object());
			break;
		}
		sign_jws(list_signer, header, payload, &list);
		assert_refused(&list, "not a hromada-trust-list version 1 document");
		buf_clear(&list);
		json_decref(payload);
	}
	json_decref(header);
}

static void test_malformed_lists_are_refused(void **state)
{
	static const char *const texts[] = {
	    "",
	    "not json",
	    "[]",
	    "{}",
	    "{\"protected\":\"eyJhbGciOiJFUzI1NiJ9\",\"payload\":\"e30\"}",
	    "{\"protected\":\"eyJhbGciOiJFUzI1NiJ9\",\"signature\":\"AAAA\"}",
	    "{\"payload\":\"e30\",\"signature\":\"AAAA\"}",
	    "{\"protected\":\"eyJhbGciOiJFUzI1NiJ9=\",\"payload\":\"e30\",\"signature\":\"AA\"}",
	    "{\"protected\":7,\"payload\":\"e30\",\"signature\":\"AA\"}",
	    "{\"protected\":\"W10\",\"payload\":\"e30\",\"signature\":\"AA\"}",
	};
	struct buf list;

	(void)state;
	buf_init(&list, LIST_LIMIT);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct hr_error err = {0};
		hr_status rc;
		struct hr_trust_store *store;
		buf_reset(&list);
		buf_append_str(&list, texts[i]);
		store = load(&list, anchor, anchor_len, &rc, &err);
		if (rc == HR_OK) {
			print_error("loaded: %s\n", texts[i]);
			fail();
		}
		assert_true(err.message[0] != 0);
		assert_nothing_trusted(store);
		hr_trust_store_free(store);
	}
	buf_clear(&list);
}

static void test_payload_that_is_not_an_object_is_refused_after_its_signature(void **state)
{
	json_t *header = es256_header();
	struct buf text, prot, body, input, sig64, list;
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t sig_len = sizeof(sig);
	struct hr_error err = {0};
	struct hr_trust_store *store;
	hr_status rc;

	(void)state;
	buf_init(&text, LIST_LIMIT);
	buf_init(&prot, LIST_LIMIT);
	buf_init(&body, LIST_LIMIT);
	buf_init(&input, LIST_LIMIT);
	buf_init(&sig64, LIST_LIMIT);
	buf_init(&list, LIST_LIMIT);
	assert_int_equal(hr_json_dump(header, &text), HR_OK);
	append_b64url(&prot, text.data, text.len);
	append_b64url(&body, "[1,2]", 5);
	buf_printf(&input, "%s.%s", buf_str(&prot), buf_str(&body));
	assert_int_equal(signer_sign(list_signer, input.data, input.len, sig, &sig_len, NULL),
			 HR_OK);
	append_b64url(&sig64, sig, sig_len);
	buf_printf(&list, "{\"protected\":\"%s\",\"payload\":\"%s\",\"signature\":\"%s\"}",
		   buf_str(&prot), buf_str(&body), buf_str(&sig64));
	store = load(&list, anchor, anchor_len, &rc, &err);
	assert_int_not_equal(rc, HR_OK);
	assert_nothing_trusted(store);
	hr_trust_store_free(store);
	json_decref(header);
	buf_clear(&text);
	buf_clear(&prot);
	buf_clear(&body);
	buf_clear(&input);
	buf_clear(&sig64);
	buf_clear(&list);
}

static void test_anchor_that_is_not_a_certificate_is_refused(void **state)
{
	struct buf list;
	struct hr_error err = {0};
	struct hr_trust_store *store;
	hr_status rc;

	(void)state;
	build_list(list_signer, &list);
	store = load(&list, "not a certificate", 17, &rc, &err);
	assert_int_equal(rc, HR_E_INVALID);
	assert_non_null(strstr(err.message, "trust-list signer"));
	assert_nothing_trusted(store);
	hr_trust_store_free(store);
	buf_clear(&list);
}

/* A refused list leaves a store exactly as it was before. */
static void test_refused_list_leaves_earlier_trust_unchanged(void **state)
{
	json_t *header = es256_header(), *payload = list_payload(), *entry;
	struct buf list, credential;
	struct hr_trust_store *store = hr_trust_store_new();
	const struct signer_cert *pl = signer_certificate(signers[PL_ID]);
	struct hr_verify_result r;
	struct hr_error err = {0};

	(void)state;
	assert_int_equal(hr_trust_store_add_certificate(store, pl->der, pl->der_len, "PL", &err),
			 HR_OK);
	entry = json_array_get(json_object_get(payload, "signers"), SIGNER_COUNT - 1);
	json_object_set_new(entry, "kid", json_string("AAAAAAAAAAA=")); /* not its kid */
	sign_jws(list_signer, header, payload, &list);
	assert_int_equal(
	    hr_trust_store_load_list(store, list.data, list.len, anchor, anchor_len, &err),
	    HR_E_INVALID);
	assert_int_equal(hr_trust_store_count(store), 1);
	/* the UA id_card signer, listed before the bad entry, is not trusted */
	issue_id_card(UA_ID, NULL, &credential);
	verify(store, &credential, &r);
	assert_int_equal(r.stages[HR_STAGE_SIGNATURE], HR_STAGE_FAILED);
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	/* the PL signer added before still is */
	issue_id_card(PL_ID, NULL, &credential);
	verify(store, &credential, &r);
	assert_true(r.valid);
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	hr_trust_store_free(store);
	json_decref(header);
	json_decref(payload);
	buf_clear(&list);
}

/* --- trust_list_sign_payload and trust_list_open ------------------------------------ */

/* A payload of all signers with the given times, as the trust service makes one. */
static json_t *timed_payload(int64_t sequence, const char *issued, const char *next)
{
	json_t *payload = list_payload();

	json_object_set_new(payload, "sequence", json_integer(sequence));
	json_object_set_new(payload, "issued_at", json_string(issued));
	json_object_set_new(payload, "next_update", json_string(next));
	return payload;
}

static void sign_payload(const json_t *payload, struct buf *out)
{
	struct hr_error err = {0};

	buf_init(out, LIST_LIMIT);
	if (trust_list_sign_payload(list_signer, payload, out, &err) != HR_OK) {
		print_error("not signed: %s\n", err.message);
		fail();
	}
}

#define T_2030_01_01 1893456000 /* 2030-01-01T00:00:00Z */

static void test_signed_payload_opens_with_its_info_and_extra_members(void **state)
{
	json_t *payload = timed_payload(42, "2030-01-01T00:00:00Z", "2030-01-08T00:00:00Z");
	json_t *opened = NULL;
	struct trust_list_info info;
	struct hr_error err = {0};
	struct buf list;

	(void)state;
	json_object_set_new(payload, "members", json_pack("[{s:s}]", "id", "UA/GOV/1/x"));
	json_object_set_new(payload, "gateways", json_array());
	sign_payload(payload, &list);
	assert_int_equal(trust_list_open(list.data, list.len, signer_certificate(list_signer),
					 T_2030_01_01, 0, &info, &opened, &err),
			 HR_OK);
	assert_int_equal(info.sequence, 42);
	assert_int_equal(info.issued_at, T_2030_01_01);
	assert_int_equal(info.next_update, T_2030_01_01 + 7 * 86400);
	assert_true(json_equal(opened, payload));
	json_decref(opened);
	/* a verifier's store loads the same text and ignores the extra members */
	{
		hr_status rc;
		struct hr_trust_store *store = load(&list, anchor, anchor_len, &rc, &err);
		assert_int_equal(rc, HR_OK);
		assert_int_equal(hr_trust_store_count(store), SIGNER_COUNT);
		hr_trust_store_free(store);
	}
	buf_clear(&list);
	json_decref(payload);
}

static void test_open_refuses_a_list_past_next_update_and_grace(void **state)
{
	json_t *payload = timed_payload(1, "2030-01-01T00:00:00Z", "2030-01-02T00:00:00Z");
	const int64_t next = T_2030_01_01 + 86400;
	json_t *opened = NULL;
	struct hr_error err = {0};
	struct buf list;

	(void)state;
	sign_payload(payload, &list);
	/* at next_update, and within the grace after it: still current */
	assert_int_equal(trust_list_open(list.data, list.len, signer_certificate(list_signer), next,
					 0, NULL, &opened, &err),
			 HR_OK);
	json_decref(opened);
	assert_int_equal(trust_list_open(list.data, list.len, signer_certificate(list_signer),
					 next + 3600, 3600, NULL, &opened, &err),
			 HR_OK);
	json_decref(opened);
	/* one second past the grace: stale, and the message says what to do */
	assert_int_equal(trust_list_open(list.data, list.len, signer_certificate(list_signer),
					 next + 3601, 3600, NULL, &opened, &err),
			 HR_E_EXPIRED);
	assert_null(opened);
	assert_string_equal(err.stage, "trust_list");
	assert_non_null(strstr(err.message, "stale"));
	assert_non_null(strstr(err.message, "fetch a current list"));
	buf_clear(&list);
	json_decref(payload);
}

static void test_open_refuses_bad_sequence_and_times(void **state)
{
	static const struct {
		const char *issued, *next;
		int64_t sequence;
		const char *why;
	} cases[] = {
	    {"2030-01-01T00:00:00Z", "2030-01-02T00:00:00Z", -1, "sequence"},
	    {"yesterday", "2030-01-02T00:00:00Z", 1, "RFC 3339"},
	    {"2030-01-01T00:00:00Z", "2030-13-02T00:00:00Z", 1, "RFC 3339"},
	    {"2030-01-02T00:00:00Z", "2030-01-01T00:00:00Z", 1, "before its issued_at"},
	};
	struct hr_error err = {0};
	json_t *opened = NULL;
	struct buf list;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *payload = timed_payload(cases[i].sequence, cases[i].issued, cases[i].next);
		sign_payload(payload, &list);
		assert_int_equal(trust_list_open(list.data, list.len,
						 signer_certificate(list_signer), T_2030_01_01, 0,
						 NULL, &opened, &err),
				 HR_E_INVALID);
		assert_null(opened);
		assert_non_null(strstr(err.message, cases[i].why));
		assert_refused(&list, cases[i].why);
		buf_clear(&list);
		json_decref(payload);
	}
	/* a sequence that is not a number at all */
	{
		json_t *payload = list_payload();
		json_object_set_new(payload, "sequence", json_string("8"));
		sign_payload(payload, &list);
		assert_refused(&list, "sequence");
		buf_clear(&list);
		json_decref(payload);
	}
}

static void test_open_refuses_a_list_signed_by_another_key(void **state)
{
	json_t *payload = list_payload(), *opened = NULL;
	struct hr_error err = {0};
	struct buf list;

	(void)state;
	buf_init(&list, LIST_LIMIT);
	assert_int_equal(trust_list_sign_payload(other_signer, payload, &list, &err), HR_OK);
	assert_int_equal(trust_list_open(list.data, list.len, signer_certificate(list_signer),
					 T_2030_01_01, 0, NULL, &opened, &err),
			 HR_E_SIGNATURE);
	assert_null(opened);
	assert_string_equal(err.stage, "trust_list");
	buf_clear(&list);
	json_decref(payload);
}

/* The verifier reads a list's payload with its own strict scanner (not a JSON
 * tree): other members of any shape are skipped, the known ones must have their
 * types, nothing may appear twice, and broken JSON is refused. */
static void test_payload_scanner_skips_other_members_and_refuses_broken_ones(void **state)
{
	static const struct {
		const char *extra; /* inserted as the first members of the payload */
		const char *why;   /* NULL: loads */
	} cases[] = {
	    {"\"members\":[{\"id\":\"UA/GOV/1/x\",\"keys\":[1,2.5e3,-0,true,false,null]}],"
	     "\"gateways\":{\"a\":{\"b\":{\"c\":\"\\u00e9\\n\\\"\"}}},",
	     NULL},
	    {"\"x\":\"tab\\there\",", NULL},
	    {"\"format\":\"again\",", "names format twice"},
	    {"\"signers\":[],", "names signers twice"},
	    {"\"x\":01,", "not well-formed"},
	    {"\"x\":tru,", "not well-formed"},
	    {"\"x\":\"\\q\",", "not well-formed"},
	    {"\"x\":[1,],", "not well-formed"},
	    {"\"x\":{\"a\" 1},", "not well-formed"},
	    {"\"x\":\"\\u12\",", "not well-formed"},
	    {"\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],",
	     "not well-formed"},
	};
	json_t *header = es256_header();
	struct buf list;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *payload = list_payload();
		struct buf text, prot, body, input, sig64;
		uint8_t sig[COSE_SIGNATURE_MAX];
		size_t sig_len = sizeof(sig);
		char *compact = json_dumps(payload, JSON_COMPACT);

		/* splice the extra members in by hand: JSON a builder would not write */
		buf_init(&text, LIST_LIMIT);
		buf_printf(&text, "{%s%s", cases[i].extra, compact + 1);
		buf_init(&prot, LIST_LIMIT);
		buf_init(&body, LIST_LIMIT);
		buf_init(&input, 2 * LIST_LIMIT);
		buf_init(&sig64, LIST_LIMIT);
		{
			char *h = json_dumps(header, JSON_COMPACT);
			append_b64url(&prot, h, strlen(h));
			free(h);
		}
		append_b64url(&body, text.data, text.len);
		buf_printf(&input, "%s.%s", buf_str(&prot), buf_str(&body));
		assert_int_equal(
		    signer_sign(list_signer, input.data, input.len, sig, &sig_len, NULL), HR_OK);
		append_b64url(&sig64, sig, sig_len);
		buf_init(&list, LIST_LIMIT);
		buf_printf(&list, "{\"protected\":\"%s\",\"payload\":\"%s\",\"signature\":\"%s\"}",
			   buf_str(&prot), buf_str(&body), buf_str(&sig64));
		if (cases[i].why == NULL) {
			struct hr_error err = {0};
			hr_status rc;
			struct hr_trust_store *store = load(&list, anchor, anchor_len, &rc, &err);
			if (rc != HR_OK) {
				print_error("case %zu refused: %s\n", i, err.message);
				fail();
			}
			assert_int_equal(hr_trust_store_count(store), SIGNER_COUNT);
			hr_trust_store_free(store);
		} else {
			assert_refused(&list, cases[i].why);
		}
		free(compact);
		json_decref(payload);
		buf_clear(&text);
		buf_clear(&prot);
		buf_clear(&body);
		buf_clear(&input);
		buf_clear(&sig64);
		buf_clear(&list);
	}
	/* a version written 1.0 is not the integer 1 */
	{
		json_t *payload = list_payload();
		json_object_set_new(payload, "version", json_real(1.0));
		sign_jws(list_signer, header, payload, &list);
		assert_refused(&list, "not a hromada-trust-list version 1 document");
		buf_clear(&list);
		json_decref(payload);
	}
	/* the JWS itself: exactly protected, payload, signature */
	{
		static const char *const jws[] = {
		    "{\"protected\":\"e30\",\"payload\":\"e30\",\"signature\":\"AA\",\"header\":{}"
		    "}",
		    "{\"protected\":\"e30\",\"protected\":\"e30\",\"payload\":\"e30\","
		    "\"signature\":"
		    "\"AA\"}",
		    "{\"protected\":\"e\\u0033\",\"payload\":\"e30\",\"signature\":\"AA\"}",
		    "{\"protected\":\"e30\",\"payload\":\"e30\",\"signature\":\"AA\"} x",
		    "{\"protected\":\"e30\",\"payload\":\"e30\",\"signature\":\"AA\"",
		};
		for (size_t i = 0; i < sizeof(jws) / sizeof(jws[0]); i++) {
			struct hr_error err = {0};
			hr_status rc;
			struct hr_trust_store *store;
			buf_init(&list, LIST_LIMIT);
			buf_append_str(&list, jws[i]);
			store = load(&list, anchor, anchor_len, &rc, &err);
			assert_int_equal(rc, HR_E_INVALID);
			assert_string_equal(err.stage, "trust_list");
			assert_nothing_trusted(store);
			hr_trust_store_free(store);
			buf_clear(&list);
		}
	}
	json_decref(header);
}

/* --- hromada verify --trust-url over real HTTP ------------------------------------ */

/*
 * A trust service stand-in: GET /v1/trust-list serves the current text with an
 * ETag and answers 304 to a matching If-None-Match, or 503 while "down". The
 * hromada binary is run as a verifier would be, with its own cache directory.
 */

static void handle_trust_list(struct http_request *req, void *context)
{
	const char *inm = http_request_header(req, "If-None-Match");

	(void)context;
	pthread_mutex_lock(&service.lock);
	if (service.down) {
		pthread_mutex_unlock(&service.lock);
		http_reply_error(req, 503, "unavailable", "down for the test");
		return;
	}
	http_reply_header(req, "ETag", service.etag);
	if (inm != NULL && strcmp(inm, service.etag) == 0) {
		service.served_304++;
		pthread_mutex_unlock(&service.lock);
		http_reply_bytes(req, 304, "application/json", "", 0);
		return;
	}
	service.served_200++;
	http_reply_bytes(req, 200, "application/json", service.list.data, service.list.len);
	pthread_mutex_unlock(&service.lock);
}

static void serve_list(const json_t *payload, int64_t sequence)
{
	pthread_mutex_lock(&service.lock);
	buf_clear(&service.list);
	sign_payload(payload, &service.list);
	snprintf(service.etag, sizeof(service.etag), "\"list-%lld\"", (long long)sequence);
	service.down = false;
	pthread_mutex_unlock(&service.lock);
}

static void set_down(bool down)
{
	pthread_mutex_lock(&service.lock);
	service.down = down;
	pthread_mutex_unlock(&service.lock);
}

static bool start_service(void)
{
	struct http_server_options options;
	struct hr_error err = {0};

	if (service.server != NULL)
		return true;
	log_set_level(LOG_LEVEL_ERROR);
	http_server_options_default(&options);
	options.listen_port = 0;
	options.threads = 2;
	options.access_log = false;
	snprintf(options.name, sizeof(options.name), "test/trust");
	buf_init(&service.list, LIST_LIMIT);
	if ((service.server = http_server_new(&options, &err)) == NULL ||
	    http_server_route(service.server, "GET", "/v1/trust-list", 0, handle_trust_list, NULL,
			      &err) != HR_OK ||
	    http_server_start(service.server, &err) != HR_OK) {
		print_error("trust service: %s\n", err.message);
		return false;
	}
	snprintf(service.url, sizeof(service.url), "%s/v1/trust-list",
		 http_server_url(service.server));
	return true;
}

/* A list payload of all signers issued now, next_update `ahead` seconds away. */
static json_t *current_payload(int64_t sequence, int64_t ahead)
{
	char issued[32], next[32];
	time_t now = time(NULL), then = now + ahead;
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(issued, sizeof(issued), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gmtime_r(&then, &tm);
	strftime(next, sizeof(next), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (ahead < 0) /* a list issued before it expired */
		snprintf(issued, sizeof(issued), "2020-01-01T00:00:00Z");
	return timed_payload(sequence, issued, next);
}

/* Runs hromada verify with the given arguments and the UA id_card credential;
 * returns the exit code, the JSON object in *out (caller decrefs). */
static int run_verify(const char *const *args, size_t n_args, json_t **out, char *text, size_t cap)
{
	struct buf credential;
	char *argv[24];
	size_t n = 0;
	int code;
	const char *brace;

	issue_id_card(UA_ID, NULL, &credential);
	argv[n++] = (char *)tk_hromada_binary();
	argv[n++] = "verify";
	for (size_t i = 0; i < n_args && n < 21; i++)
		argv[n++] = (char *)args[i];
	argv[n++] = (char *)buf_str(&credential);
	argv[n] = NULL;
	code = tk_run(argv, text, cap, 60000);
	brace = strchr(text, '{');
	*out = brace ? json_loads(brace, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	if (*out == NULL)
		print_error("no JSON from hromada verify (exit %d): %s\n", code, text);
	buf_clear(&credential);
	return code;
}

/* The contract for a refused or missing list: every stage null, stage trust_list. */
static void assert_trust_list_failure(const json_t *r, const char *why)
{
	const char *key;
	json_t *v;

	assert_non_null(r);
	assert_true(json_is_false(json_object_get(r, "valid")));
	json_object_foreach(json_object_get(r, "stages"), key, v) assert_true(json_is_null(v));
	assert_int_equal(json_object_size(json_object_get(r, "stages")), HR_STAGE_COUNT);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(r, "error"), "stage")), "trust_list");
	if (strstr(json_string_value(json_object_get(json_object_get(r, "error"), "message")),
		   why) == NULL) {
		print_error(
		    "message \"%s\" lacks \"%s\"\n",
		    json_string_value(json_object_get(json_object_get(r, "error"), "message")),
		    why);
		fail();
	}
}

static void test_trust_url_fetches_caches_and_revalidates_with_etag(void **state)
{
	char cache[300], pin[300], text[16384];
	json_t *payload = current_payload(20, 86400), *r;
	const char *args[] = {"--trust-url", service.url,      "--trust-cache",
			      cache,         "--trust-anchor", pin};

	(void)state;
	assert_true(start_service());
	snprintf(cache, sizeof(cache), "%s/cache-etag", dir);
	snprintf(pin, sizeof(pin), "%s/trust/cert.pem", dir);
	json_object_set_new(payload, "members", json_array()); /* ignored by verifiers */
	json_object_set_new(payload, "gateways", json_array());
	serve_list(payload, 20);
	assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 0);
	assert_true(json_is_true(json_object_get(r, "valid")));
	json_decref(r);
	assert_int_equal(service.served_200, 1);
	/* the same list again: If-None-Match, 304, the cached copy is used */
	assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 0);
	assert_true(json_is_true(json_object_get(r, "valid")));
	json_decref(r);
	assert_int_equal(service.served_200, 1);
	assert_int_equal(service.served_304, 1);
	/* the service is away: offline from the cache, which is current */
	set_down(true);
	assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 0);
	assert_true(json_is_true(json_object_get(r, "valid")));
	assert_non_null(strstr(text, "offline"));
	json_decref(r);
	json_decref(payload);
}

static void test_trust_url_refuses_rollback_and_stale_lists(void **state)
{
	char cache[300], pin[300], text[16384];
	json_t *payload, *r;
	const char *args[] = {"--trust-url", service.url,      "--trust-cache",
			      cache,         "--trust-anchor", pin};

	(void)state;
	assert_true(start_service());
	snprintf(cache, sizeof(cache), "%s/cache-rollback", dir);
	snprintf(pin, sizeof(pin), "%s/trust/cert.pem", dir);
	payload = current_payload(30, 86400);
	serve_list(payload, 30);
	json_decref(payload);
	assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 0);
	json_decref(r);
	/* an older list (a replay, a stale mirror) is refused: exit 1 */
	payload = current_payload(29, 86400);
	serve_list(payload, 29);
	json_decref(payload);
	assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 1);
	assert_trust_list_failure(r, "rollback");
	json_decref(r);
	/* a list past next_update + grace is refused, with what to do */
	payload = current_payload(31, -2 * 86400);
	serve_list(payload, 31);
	json_decref(payload);
	assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 1);
	assert_trust_list_failure(r, "stale");
	json_decref(r);
	/* an hour past next_update: within the default grace, outside --trust-grace 60 */
	payload = current_payload(32, -3600);
	serve_list(payload, 32);
	json_decref(payload);
	assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 0);
	json_decref(r);
	{
		const char *strict[] = {"--trust-url",    service.url, "--trust-cache", cache,
					"--trust-anchor", pin,         "--trust-grace", "60"};
		set_down(true);
		assert_int_equal(run_verify(strict, 8, &r, text, sizeof(text)), 1);
		assert_trust_list_failure(r, "stale");
		assert_non_null(strstr(
		    json_string_value(json_object_get(json_object_get(r, "error"), "message")),
		    "connect to the network"));
		json_decref(r);
	}
	/* a list signed by another key is refused, the cached one is not replaced */
	{
		json_t *p = current_payload(40, 86400);
		pthread_mutex_lock(&service.lock);
		buf_reset(&service.list);
		assert_int_equal(trust_list_sign_payload(other_signer, p, &service.list, NULL),
				 HR_OK);
		snprintf(service.etag, sizeof(service.etag), "\"other\"");
		service.down = false;
		pthread_mutex_unlock(&service.lock);
		json_decref(p);
		assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 1);
		assert_trust_list_failure(r, "not signed by the pinned trust-list signer");
		json_decref(r);
	}
}

static void test_trust_url_without_network_or_cache_exits_2(void **state)
{
	char cache[300], pin[300], text[16384];
	json_t *r;
	const char *args[] = {"--trust-url", service.url,      "--trust-cache",
			      cache,         "--trust-anchor", pin};
	const char *unreachable[] = {"--trust-url",    "http://127.0.0.1:1/v1/trust-list",
				     "--trust-cache",  cache,
				     "--trust-anchor", pin};
	const char *no_anchor[] = {"--trust-url", service.url, "--trust-cache", cache};

	(void)state;
	assert_true(start_service());
	snprintf(cache, sizeof(cache), "%s/cache-empty", dir);
	snprintf(pin, sizeof(pin), "%s/trust/cert.pem", dir);
	set_down(true);
	assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 2);
	assert_trust_list_failure(r, "none is cached");
	json_decref(r);
	assert_int_equal(run_verify(unreachable, 6, &r, text, sizeof(text)), 2);
	assert_trust_list_failure(r, "connect to the network");
	json_decref(r);
	/* no anchor provisioned in the cache directory */
	assert_int_equal(run_verify(no_anchor, 4, &r, text, sizeof(text)), 2);
	assert_trust_list_failure(r, "trust-anchor.pem");
	json_decref(r);
	set_down(false);
}

static void test_trust_list_file_must_be_current_and_not_rolled_back(void **state)
{
	char cache[300], pin[300], file[300], text[16384];
	const char *args[] = {"--trust-list", file, "--trust-cache", cache, "--trust-anchor", pin};
	const char *no_cache[] = {"--trust-list", file, "--trust-anchor", pin};
	struct buf list;
	json_t *payload, *r;

	(void)state;
	snprintf(cache, sizeof(cache), "%s/cache-file", dir);
	snprintf(pin, sizeof(pin), "%s/trust/cert.pem", dir);
	snprintf(file, sizeof(file), "%s/list-file.json", dir);
	payload = current_payload(50, -2 * 86400);
	sign_payload(payload, &list);
	json_decref(payload);
	assert_true(tk_write_file(file, buf_str(&list)));
	buf_clear(&list);
	assert_int_equal(run_verify(no_cache, 4, &r, text, sizeof(text)), 1);
	assert_trust_list_failure(r, "stale");
	json_decref(r);
	payload = current_payload(50, 86400);
	sign_payload(payload, &list);
	json_decref(payload);
	assert_true(tk_write_file(file, buf_str(&list)));
	buf_clear(&list);
	assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 0);
	json_decref(r);
	payload = current_payload(49, 86400);
	sign_payload(payload, &list);
	json_decref(payload);
	assert_true(tk_write_file(file, buf_str(&list)));
	buf_clear(&list);
	assert_int_equal(run_verify(args, 6, &r, text, sizeof(text)), 1);
	assert_trust_list_failure(r, "rollback");
	json_decref(r);
	/* without the cache there is nothing to compare with */
	assert_int_equal(run_verify(no_cache, 4, &r, text, sizeof(text)), 0);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_built_list_loads_every_signer_bound_to_its_country),
	    cmocka_unit_test(test_built_list_is_a_flattened_jws_of_the_documented_shape),
	    cmocka_unit_test(test_list_signed_by_hand_loads_too),
	    cmocka_unit_test(test_credential_of_a_listed_signer_verifies),
	    cmocka_unit_test(test_credential_naming_another_issuer_fails_signature),
	    cmocka_unit_test(test_list_signed_by_another_key_is_refused),
	    cmocka_unit_test(test_tampered_payload_is_refused),
	    cmocka_unit_test(test_tampered_signature_is_refused),
	    cmocka_unit_test(test_changed_alg_is_refused),
	    cmocka_unit_test(test_crit_header_is_refused_even_when_signed),
	    cmocka_unit_test(test_listed_certificate_whose_kid_does_not_match_is_refused),
	    cmocka_unit_test(test_certificate_listed_under_the_wrong_country_is_never_trusted),
	    cmocka_unit_test(test_listed_certificate_that_does_not_parse_is_never_trusted),
	    cmocka_unit_test(test_wrong_format_or_version_is_refused),
	    cmocka_unit_test(test_malformed_lists_are_refused),
	    cmocka_unit_test(test_payload_that_is_not_an_object_is_refused_after_its_signature),
	    cmocka_unit_test(test_anchor_that_is_not_a_certificate_is_refused),
	    cmocka_unit_test(test_refused_list_leaves_earlier_trust_unchanged),
	    cmocka_unit_test(test_signed_payload_opens_with_its_info_and_extra_members),
	    cmocka_unit_test(test_open_refuses_a_list_past_next_update_and_grace),
	    cmocka_unit_test(test_open_refuses_bad_sequence_and_times),
	    cmocka_unit_test(test_open_refuses_a_list_signed_by_another_key),
	    cmocka_unit_test(test_payload_scanner_skips_other_members_and_refuses_broken_ones),
	    cmocka_unit_test(test_trust_url_fetches_caches_and_revalidates_with_etag),
	    cmocka_unit_test(test_trust_url_refuses_rollback_and_stale_lists),
	    cmocka_unit_test(test_trust_url_without_network_or_cache_exits_2),
	    cmocka_unit_test(test_trust_list_file_must_be_current_and_not_rolled_back),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
