/*
 * test_verify.c — the verification pipeline end to end, through the public API
 * of include/hromada/verify.h (what a border terminal or a bank's scanner links).
 *
 * Credentials are made the way the platform makes them (issuer_issue with the
 * signers of keys_create_country, ES256) for every document type and for an EU
 * DCC, and with PS256 (RSA 2048) and EdDSA (Ed25519) signers over certificates
 * made here. Then every refusal, each at its stage with a sentence and a clean
 * result: a forged byte, truncations, another key under the same kid, an
 * untrusted kid, time outside the credential or the signer certificate, a
 * signer signing what its key usage does not allow, an oversized payload, a
 * decompression bomb, wrong prefixes, a schema violation — and the independent
 * stages all evaluated at once. Last, one verifier reused 1000 times and eight
 * threads sharing one trust store must give identical results.
 *
 * All clocks are fixed through options.at, relative to the moment the keys were
 * made, so nothing depends on how fast a loaded machine runs.
 */
#include "testkit/testkit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include <hromada/verify.h>

#include "core/base64.h"
#include "core/buf.h"
#include "core/documents.h"
#include "credential/base45.h"
#include "credential/cbor.h"
#include "credential/cbor_json.h"
#include "credential/cose.h"
#include "credential/cwt.h"
#include "credential/issue.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/zlib_codec.h"

#define TEXT_LIMIT (64 * 1024)

/* --- documents ------------------------------------------------------------------- */

#define PERSON                                                                                     \
	"\"person_id\":\"UA:3012345670\",\"family_name\":\"Шевченко\","                    \
	"\"given_name\":\"Олена\",\"patronymic\":\"Петрівна\","                       \
	"\"family_name_latin\":\"SHEVCHENKO\",\"given_name_latin\":\"OLENA\","                     \
	"\"birth_date\":\"1982-05-17\""
#define DOCUMENT                                                                                   \
	"\"document_number\":\"004512378\",\"issue_date\":\"2019-03-12\","                         \
	"\"expiry_date\":\"2029-03-12\",\"issuing_authority\":\"8012\",\"status\":\"valid\""

/* One realistic document per type, in the order of document_types. */
static const char *const documents[DOCUMENT_TYPE_COUNT] = {
    /* id_card */
    "{" PERSON "," DOCUMENT ",\"sex\":\"F\",\"nationality\":\"UKR\","
    "\"birth_place\":\"м. Київ\",\"record_number\":\"19820517-01234\","
    "\"address\":\"м. Київ, вул. Хрещатик, 1, кв. 5\"}",
    /* foreign_passport */
    "{" PERSON ",\"document_number\":\"FT123456\",\"issue_date\":\"2021-01-20\","
    "\"expiry_date\":\"2031-01-20\",\"issuing_authority\":\"8011\",\"status\":\"valid\","
    "\"sex\":\"F\",\"nationality\":\"UKR\",\"birth_place\":\"UKRAINE\","
    "\"record_number\":\"19820517-01234\"}",
    /* driver_licence */
    "{" PERSON "," DOCUMENT ",\"categories\":[{\"code\":\"B\",\"issue_date\":\"2005-06-01\","
    "\"expiry_date\":\"2035-06-01\"},{\"code\":\"A1\",\"issue_date\":\"2010-04-15\","
    "\"expiry_date\":\"2035-06-01\"}],\"restrictions\":\"01.06\"}",
    /* vehicle_registration */
    "{" PERSON "," DOCUMENT ",\"plate\":\"AA1234BB\",\"vin\":\"WVWZZZ1JZXW000001\","
    "\"make\":\"Volkswagen\",\"model\":\"Golf\",\"year\":2015,\"color\":\"сірий\","
    "\"registration_date\":\"2020-08-14\"}",
    /* residence_permit: a Polish citizen living in Ukraine */
    "{\"person_id\":\"PL:44051401359\",\"family_name\":\"Kowalski\",\"given_name\":\"Jan\","
    "\"family_name_latin\":\"KOWALSKI\",\"given_name_latin\":\"JAN\","
    "\"birth_date\":\"1944-05-14\"," DOCUMENT ",\"sex\":\"M\",\"nationality\":\"POL\","
    "\"permit_type\":\"permanent\",\"address\":\"м. Львів, пл. Ринок, 10\"}",
    /* vaccination */
    "{" PERSON "," DOCUMENT ",\"vaccinations\":[{\"disease\":\"COVID-19\","
    "\"vaccine\":\"Comirnaty\",\"dose\":1,\"date\":\"2021-07-01\",\"country\":\"UKR\","
    "\"lot\":\"FF2587\"},{\"disease\":\"COVID-19\",\"vaccine\":\"Comirnaty\",\"dose\":2,"
    "\"date\":\"2021-08-01\",\"country\":\"POL\",\"lot\":\"FF4204\"}]}",
    /* student_card */
    "{" PERSON "," DOCUMENT ",\"institution\":\"КНУ імені Тараса Шевченка\","
    "\"faculty\":\"Факультет кібернетики\",\"study_form\":\"full_time\",\"course\":3}",
    /* military_record */
    "{" PERSON "," DOCUMENT ",\"military_status\":\"reservist\",\"rank\":\"солдат\","
    "\"specialty\":\"оператор зв'язку\",\"registration_office\":\"Шевченківський РТЦК та СП\"}",
};

/* EU DCC payloads (schema 1.3.0), one of each kind. */
#define DCC_NAM_DOB                                                                                \
	"\"ver\":\"1.3.0\",\"nam\":{\"fn\":\"Шевченко\",\"fnt\":\"SHEVCHENKO\","           \
	"\"gn\":\"Олена\",\"gnt\":\"OLENA\"},\"dob\":\"1982-05-17\""
static const char dcc_vaccination[] =
    "{" DCC_NAM_DOB ",\"v\":[{\"tg\":\"840539006\",\"vp\":\"1119349007\",\"mp\":\"EU/1/20/1528\","
    "\"ma\":\"ORG-100030215\",\"dn\":2,\"sd\":2,\"dt\":\"2021-08-01\",\"co\":\"UA\","
    "\"is\":\"Ministry of Health of Ukraine\",\"ci\":\"URN:UVCI:01:UA:8F3A21#K\"}]}";
static const char dcc_test[] =
    "{" DCC_NAM_DOB ",\"t\":[{\"tg\":\"840539006\",\"tt\":\"LP217198-3\",\"ma\":\"1232\","
    "\"sc\":\"2021-08-20T12:34:56Z\",\"tr\":\"260415000\",\"co\":\"UA\","
    "\"is\":\"Ministry of Health of Ukraine\",\"ci\":\"URN:UVCI:01:UA:77B1C0#Q\"}]}";
static const char dcc_recovery[] =
    "{" DCC_NAM_DOB ",\"r\":[{\"tg\":\"840539006\",\"fr\":\"2021-02-20\",\"co\":\"UA\","
    "\"is\":\"Ministry of Health of Ukraine\",\"df\":\"2021-04-04\",\"du\":\"2021-10-04\","
    "\"ci\":\"URN:UVCI:01:UA:5D2E90#B\"}]}";

/* --- fixture ---------------------------------------------------------------------- */

static char dir[256];
static int64_t t0; /* when the keys were made; credentials are issued at t0 */
static struct signer *type_signer[DOCUMENT_TYPE_COUNT]; /* ES256, from keys_create_country */
static struct signer *dcc_signer;                       /* ES256, EKU v/t/r */
static struct signer *ps256_signer, *eddsa_signer;      /* every document type */
static struct signer *test_only_signer;                 /* DCC EKU: tests only */
static struct signer *untrusted_signer;                 /* every type, not in the store */
static EVP_PKEY *stray_key;                             /* a P-256 key nobody trusts */
static struct hr_trust_store *store;
static struct hr_verifier *verifier;

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	if (v == NULL)
		fprintf(stderr, "bad JSON in the test: %s: %s\n", jerr.text, text);
	return v;
}

/* A self-signed certificate for key with the given EKU, valid for a day around now. */
static struct signer_cert *certificate_for(EVP_PKEY *key, const char *eku)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	struct signer_cert *cert = NULL;
	unsigned char *der = NULL;
	int n, base = EVP_PKEY_get_base_id(key);

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 99);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"UA", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"test_verify signer", -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_ext_key_usage, eku);
	if (ext != NULL)
		X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, key, base == EVP_PKEY_ED25519 ? NULL : EVP_sha256());
	n = i2d_X509(x, &der);
	if (n > 0)
		signer_cert_from_der(der, (size_t)n, &cert, NULL);
	OPENSSL_free(der);
	X509_NAME_free(name);
	X509_free(x);
	return cert;
}

static const char *all_document_ekus(void)
{
	static char eku[1024];
	size_t used = 0;

	for (int t = 1; t <= DOCUMENT_TYPE_COUNT; t++)
		used += (size_t)snprintf(eku + used, sizeof(eku) - used, "%s%s.%d",
					 t > 1 ? "," : "", HROMADA_EKU_ARC, t);
	return eku;
}

/* A signer over a new key of the given kind, with its certificate; trusted if asked. */
static struct signer *make_signer(EVP_PKEY *key, const char *eku, bool trusted)
{
	struct signer_cert *cert = certificate_for(key, eku);
	struct signer *s = NULL;

	if (cert == NULL || signer_from_key(key, cert, &s, NULL) != HR_OK)
		s = NULL;
	if (s != NULL && trusted &&
	    hr_trust_store_add_certificate(store, cert->der, cert->der_len, "UA", NULL) != HR_OK)
		s = NULL;
	signer_cert_free(cert);
	EVP_PKEY_free(key);
	return s;
}

static struct signer *open_signer(const char *country_dir, const char *type)
{
	char sub[512], key[600], cert[600];
	struct signer *s = NULL;
	size_t len;
	char *pem;

	keys_signer_dir(country_dir, type, sub, sizeof(sub));
	snprintf(key, sizeof(key), "%s/key.pem", sub);
	snprintf(cert, sizeof(cert), "%s/cert.pem", sub);
	if (signer_open_files(key, cert, &s, NULL) != HR_OK)
		return NULL;
	pem = tk_read_file(cert, &len);
	if (pem == NULL || hr_trust_store_add_certificate(store, pem, len, "UA", NULL) != HR_OK) {
		signer_free(s);
		s = NULL;
	}
	free(pem);
	return s;
}

static int setup(void **state)
{
	char ua[300];
	struct keys_country_options o = {"UA", ua, NULL, 0};
	struct hr_error err = {0};

	(void)state;
	tk_tmpdir(dir);
	snprintf(ua, sizeof(ua), "%s/UA", dir);
	t0 = (int64_t)time(NULL);
	if (keys_create_country(&o, &err) != HR_OK) {
		fprintf(stderr, "keys: %s\n", err.message);
		return -1;
	}
	store = hr_trust_store_new();
	verifier = hr_verifier_new();
	if (store == NULL || verifier == NULL)
		return -1;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		if ((type_signer[t] = open_signer(ua, document_types[t])) == NULL)
			return -1;
	}
	if ((dcc_signer = open_signer(ua, "hcert")) == NULL)
		return -1;
	ps256_signer = make_signer(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048),
				   all_document_ekus(), true);
	eddsa_signer =
	    make_signer(EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), all_document_ekus(), true);
	test_only_signer =
	    make_signer(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), DCC_OID_TEST, true);
	untrusted_signer =
	    make_signer(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), all_document_ekus(), false);
	stray_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (ps256_signer == NULL || eddsa_signer == NULL || test_only_signer == NULL ||
	    untrusted_signer == NULL || stray_key == NULL)
		return -1;
	return hr_trust_store_count(store) == DOCUMENT_TYPE_COUNT + 4 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		signer_free(type_signer[t]);
	signer_free(dcc_signer);
	signer_free(ps256_signer);
	signer_free(eddsa_signer);
	signer_free(test_only_signer);
	signer_free(untrusted_signer);
	EVP_PKEY_free(stray_key);
	hr_verifier_free(verifier);
	hr_trust_store_free(store);
	tk_rmrf(dir);
	return 0;
}

/* --- helpers ---------------------------------------------------------------------- */

/* Issues type (or "hcert") with content through issuer_issue, at t0 + offset. */
static void issue(struct signer *signer, const char *type, const char *content, int64_t offset,
		  int64_t validity, struct buf *out)
{
	struct issuer *iss = issuer_new(signer);
	json_t *doc = parse(content);
	struct issue_request req = {type, doc, NULL, t0 + offset, validity, NULL, NULL, 0};
	struct hr_error err = {0};

	assert_non_null(iss);
	assert_non_null(doc);
	buf_init(out, TEXT_LIMIT);
	if (issuer_issue(iss, &req, out, &err) != HR_OK) {
		print_error("%s not issued: %s\n", type, err.message);
		fail();
	}
	json_decref(doc);
	issuer_free(iss);
}

static struct hr_verify_options at(int64_t offset)
{
	struct hr_verify_options o;

	memset(&o, 0, sizeof(o));
	o.at.seconds = t0 + offset;
	o.at_set = true;
	return o;
}

static void run(const struct buf *credential, int64_t clock, struct hr_verify_result *r)
{
	struct hr_verify_options o = at(clock);

	assert_int_equal(
	    hr_verify(verifier, store, (const char *)credential->data, credential->len, &o, r),
	    HR_OK);
}

/*
 * Checks the outcome of every stage, written as one character each in the order
 * picture, unprefix, base45, zlib, cose, signature, expiry, key_usage, status, schema:
 * 'P' passed, 'F' failed, '-' not run. Also the invariants of every result.
 */
static void expect(const struct hr_verify_result *r, const char *stages)
{
	bool any_failed = false;
	int first_failed = -1;

	assert_int_equal(strlen(stages), HR_STAGE_COUNT);
	for (int s = 0; s < HR_STAGE_COUNT; s++) {
		int want = stages[s] == 'P'   ? HR_STAGE_PASSED
			   : stages[s] == 'F' ? HR_STAGE_FAILED
					      : HR_STAGE_NOT_RUN;
		if (r->stages[s] != want) {
			print_error("stage %s is %d, expected %c (error at %s: %s)\n",
				    hr_verify_stage_name((enum hr_verify_stage)s), r->stages[s],
				    stages[s], hr_verify_stage_name(r->error_stage), r->error);
			fail();
		}
		if (want == HR_STAGE_FAILED && first_failed < 0)
			first_failed = s;
		any_failed |= want == HR_STAGE_FAILED;
	}
	assert_int_equal(r->valid, !any_failed);
	if (any_failed) {
		assert_int_equal(r->error_stage, first_failed);
		assert_true(r->error[0] != 0);
	} else {
		assert_string_equal(r->error, "");
	}
	/* the claims exist exactly when the structure decoded */
	if (r->stages[HR_STAGE_COSE] == HR_STAGE_PASSED)
		assert_non_null(r->claims_json);
	else
		assert_null(r->claims_json);
}

/* A result that was initialised or cleared: nothing judged, nothing owned. */
static void assert_unjudged(const struct hr_verify_result *r)
{
	for (int s = 0; s < HR_STAGE_COUNT; s++)
		assert_int_equal(r->stages[s], HR_STAGE_NOT_RUN);
	assert_false(r->valid);
	assert_null(r->claims_json);
	assert_string_equal(r->error, "");
	assert_string_equal(r->prefix, "");
	assert_int_equal(r->kid_len, 0);
}

static void expect_error(const struct hr_verify_result *r, const char *part)
{
	if (strstr(r->error, part) == NULL) {
		print_error("error \"%s\" lacks \"%s\"\n", r->error, part);
		fail();
	}
}

/* "HR1:..." -> the COSE bytes inside. */
static void unwrap(const struct buf *credential, struct buf *cose)
{
	struct zlib_codec *z = zlib_codec_new();
	struct buf compressed;

	buf_init(&compressed, TEXT_LIMIT);
	buf_init(cose, TEXT_LIMIT);
	assert_int_equal(base45_decode((const char *)credential->data + 4, credential->len - 4,
				       &compressed, NULL),
			 HR_OK);
	assert_int_equal(
	    zlib_codec_inflate(z, compressed.data, compressed.len, TEXT_LIMIT, cose, NULL), HR_OK);
	buf_clear(&compressed);
	zlib_codec_free(z);
}

/* prefix + Base45(zlib(bytes)) */
static void wrap(const char *prefix, const uint8_t *bytes, size_t len, struct buf *out)
{
	struct zlib_codec *z = zlib_codec_new();
	struct buf compressed;

	buf_init(&compressed, 16 * 1024 * 1024);
	buf_init(out, 32 * 1024 * 1024);
	assert_int_equal(zlib_codec_deflate(z, bytes, len, &compressed, NULL), HR_OK);
	buf_append_str(out, prefix);
	assert_int_equal(base45_encode(compressed.data, compressed.len, out), HR_OK);
	buf_clear(&compressed);
	zlib_codec_free(z);
}

/* The CWT an issuer would write, around a document or a DCC payload (JSON). */
static void put_cwt(struct buf *cwt, const char *iss, int64_t iat, int64_t exp, bool dcc,
		    const char *content)
{
	json_t *value = parse(content);

	assert_non_null(value);
	cbor_put_map(cwt, 4);
	cbor_put_uint(cwt, CWT_CLAIM_ISS);
	cbor_put_cstr(cwt, iss);
	cwt_put_time(cwt, CWT_CLAIM_EXP, exp);
	cwt_put_time(cwt, CWT_CLAIM_IAT, iat);
	if (dcc) {
		cbor_put_int(cwt, CWT_CLAIM_HCERT);
		cbor_put_map(cwt, 1);
		cbor_put_uint(cwt, 1);
	} else {
		cbor_put_int(cwt, CWT_CLAIM_DOCUMENT);
	}
	assert_int_equal(cbor_from_json(value, cwt, NULL), HR_OK);
	assert_int_equal(cwt->error, HR_OK);
	json_decref(value);
}

/*
 * A credential "HR1:..." made by hand around doc's CWT: a COSE_Sign1 with the
 * protected header prot, the unprotected map unprot (empty when NULL), signed
 * ES256 by key, for the cases issue.c never produces (a wrong or odd kid).
 */
static void hand_made(EVP_PKEY *key, const uint8_t *prot, size_t prot_len, const uint8_t *unprot,
		      size_t unprot_len, const char *doc, struct buf *credential)
{
	const struct cose_alg *es256 = cose_alg_find(COSE_ALG_ES256);
	uint8_t sig[64];
	size_t sig_len = sizeof(sig);
	struct buf cwt, tbs, cose;

	buf_init(&cwt, TEXT_LIMIT);
	buf_init(&tbs, TEXT_LIMIT);
	buf_init(&cose, TEXT_LIMIT);
	put_cwt(&cwt, "UA", t0, t0 + 180, false, doc);
	assert_int_equal(cose_sign1_to_be_signed(slice_make(prot, prot_len), buf_slice(&cwt), &tbs),
			 HR_OK);
	assert_int_equal(cose_crypto_sign(es256, key, tbs.data, tbs.len, sig, &sig_len, NULL),
			 HR_OK);
	cbor_put_tag(&cose, COSE_TAG_SIGN1);
	cbor_put_array(&cose, 4);
	cbor_put_bytes(&cose, prot, prot_len);
	if (unprot != NULL)
		buf_append(&cose, unprot, unprot_len);
	else
		cbor_put_map(&cose, 0);
	cbor_put_bytes(&cose, cwt.data, cwt.len);
	cbor_put_bytes(&cose, sig, sig_len);
	wrap("HR1:", cose.data, cose.len, credential);
	buf_clear(&cwt);
	buf_clear(&tbs);
	buf_clear(&cose);
}

/* The id_card signer's private key, as keys_create_country wrote it. */
static EVP_PKEY *id_card_key(void)
{
	char path[600];
	EVP_PKEY *key;
	FILE *f;

	snprintf(path, sizeof(path), "%s/UA/signers/id_card/key.pem", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(key);
	return key;
}

/* A credential signed by hand (cose_sign1_sign), bypassing issuer_issue's checks. */
static void sign_by_hand(struct signer *signer, const char *prefix, const char *iss, int64_t iat,
			 int64_t exp, bool dcc, const char *content, struct buf *out)
{
	struct buf cwt, cose, scratch;

	buf_init(&cwt, TEXT_LIMIT);
	buf_init(&cose, TEXT_LIMIT);
	buf_init(&scratch, TEXT_LIMIT);
	put_cwt(&cwt, iss, iat, exp, dcc, content);
	assert_int_equal(cose_sign1_sign(signer, buf_slice(&cwt), &scratch, &cose, NULL), HR_OK);
	wrap(prefix, cose.data, cose.len, out);
	buf_clear(&cwt);
	buf_clear(&cose);
	buf_clear(&scratch);
}

/* A document of type t with "t" and "v" as an issuer adds them. */
static char *document_with_type(int t, const char *extra_field)
{
	json_t *doc = parse(documents[t]);
	char *text;

	json_object_set_new(doc, "t", json_string(document_types[t]));
	json_object_set_new(doc, "v", json_integer(1));
	if (extra_field != NULL)
		json_object_set_new(doc, extra_field, json_string("blue"));
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

/* --- valid credentials ------------------------------------------------------------- */

static void check_document_claims(const struct hr_verify_result *r, int t)
{
	json_t *claims = parse(r->claims_json), *expected = parse(documents[t]), *doc;
	const char *key;
	json_t *value;

	assert_non_null(claims);
	assert_string_equal(json_string_value(json_object_get(claims, "iss")), "UA");
	assert_true(json_is_integer(json_object_get(claims, "iat")));
	assert_true(json_is_integer(json_object_get(claims, "exp")));
	assert_null(json_object_get(claims, "hcert"));
	doc = json_object_get(claims, "document");
	assert_string_equal(json_string_value(json_object_get(doc, "t")), document_types[t]);
	assert_int_equal(json_integer_value(json_object_get(doc, "v")), 1);
	/* every field arrives as it was issued, and nothing else */
	assert_int_equal(json_object_size(doc), json_object_size(expected) + 2);
	json_object_foreach(expected, key, value)
	{
		if (!json_equal(json_object_get(doc, key), value)) {
			print_error("%s.%s differs\n", document_types[t], key);
			fail();
		}
	}
	json_decref(claims);
	json_decref(expected);
}

static void verify_every_type_with(struct signer *(*pick)(int t), const char *what)
{
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		struct signer *signer = pick(t);
		struct hr_verify_result r;
		struct slice kid = signer_kid(signer);
		struct buf credential;

		issue(signer, document_types[t], documents[t], 0, 180, &credential);
		assert_memory_equal(credential.data, "HR1:", 4);
		hr_verify_result_init(&r);
		run(&credential, 10, &r);
		if (!r.valid) {
			print_error("%s %s: invalid at %s: %s\n", what, document_types[t],
				    hr_verify_stage_name(r.error_stage), r.error);
			fail();
		}
		expect(&r, "-PPPPPPP-P");
		assert_string_equal(r.prefix, "HR1");
		assert_string_equal(r.issuer, "UA");
		assert_int_equal(r.kid_len, SIGNER_KID_LEN);
		assert_memory_equal(r.kid, kid.ptr, SIGNER_KID_LEN);
		check_document_claims(&r, t);
		hr_verify_result_clear(&r);
		buf_clear(&credential);
	}
}

static struct signer *own_type_signer(int t)
{
	return type_signer[t];
}

static struct signer *pick_ps256(int t)
{
	(void)t;
	return ps256_signer;
}

static struct signer *pick_eddsa(int t)
{
	(void)t;
	return eddsa_signer;
}

static void test_every_document_type_verifies_es256(void **state)
{
	(void)state;
	assert_int_equal(signer_alg(type_signer[0])->id, COSE_ALG_ES256);
	verify_every_type_with(own_type_signer, "ES256");
}

static void test_every_document_type_verifies_ps256(void **state)
{
	(void)state;
	assert_int_equal(signer_alg(ps256_signer)->id, COSE_ALG_PS256);
	verify_every_type_with(pick_ps256, "PS256");
}

static void test_every_document_type_verifies_eddsa(void **state)
{
	(void)state;
	assert_int_equal(signer_alg(eddsa_signer)->id, COSE_ALG_EDDSA);
	verify_every_type_with(pick_eddsa, "EdDSA");
}

static void test_eu_dcc_of_every_kind_verifies(void **state)
{
	const char *const payloads[] = {dcc_vaccination, dcc_test, dcc_recovery};

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct hr_verify_result r;
		struct buf credential;
		json_t *claims, *expected = parse(payloads[i]);

		issue(dcc_signer, "hcert", payloads[i], 0, 86400, &credential);
		assert_memory_equal(credential.data, "HC1:", 4);
		hr_verify_result_init(&r);
		run(&credential, 10, &r);
		expect(&r, "-PPPPPPP-P");
		assert_string_equal(r.prefix, "HC1");
		assert_string_equal(r.issuer, "UA");
		claims = parse(r.claims_json);
		/* shown without hcert's {1: ...} wrapper, as issued */
		assert_true(json_equal(json_object_get(claims, "hcert"), expected));
		assert_null(json_object_get(claims, "document"));
		json_decref(claims);
		json_decref(expected);
		hr_verify_result_clear(&r);
		buf_clear(&credential);
	}
}

static void test_surrounding_whitespace_is_ignored(void **state)
{
	struct buf credential, padded;
	struct hr_verify_result r;

	(void)state;
	issue(type_signer[0], "id_card", documents[0], 0, 180, &credential);
	buf_init(&padded, TEXT_LIMIT);
	buf_printf(&padded, "  %s\r\n", buf_str(&credential));
	hr_verify_result_init(&r);
	run(&padded, 10, &r);
	expect(&r, "-PPPPPPP-P");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	buf_clear(&padded);
}

/* --- forged and damaged ----------------------------------------------------------- */

static void test_forged_byte_fails_the_signature_only(void **state)
{
	struct buf credential, cose, forged;
	struct hr_verify_result r;
	uint8_t *name;

	(void)state;
	issue(type_signer[0], "id_card", documents[0], 0, 180, &credential);
	unwrap(&credential, &cose);
	/* SHEVCHENKO -> SHEVCHENKA inside the signed document: still a valid document */
	name = memmem(cose.data, cose.len, "SHEVCHENKO", 10);
	assert_non_null(name);
	name[9] = 'A';
	wrap("HR1:", cose.data, cose.len, &forged);
	hr_verify_result_init(&r);
	run(&forged, 10, &r);
	expect(&r, "-PPPPFPP-P");
	assert_int_equal(r.error_stage, HR_STAGE_SIGNATURE);
	expect_error(&r, "does not verify");
	/* the claims are shown (they decoded), with the forged value */
	assert_non_null(strstr(r.claims_json, "SHEVCHENKA"));
	hr_verify_result_clear(&r);
	/* and the untouched credential still verifies */
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPP-P");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	buf_clear(&cose);
	buf_clear(&forged);
}

static void test_truncated_credential_fails_at_the_stage_it_breaks(void **state)
{
	struct buf credential, cut, cose, rewrapped;
	struct hr_verify_result r;
	size_t body;

	(void)state;
	issue(type_signer[2], "driver_licence", documents[2], 0, 180, &credential);
	body = credential.len - 4;
	hr_verify_result_init(&r);
	buf_init(&cut, TEXT_LIMIT);

	/* a dangling single Base45 character: base45 (cuts that end in Base45's space
	 * are skipped: the verifier trims a payload, and no valid one ends in a space) */
	for (size_t keep = 1; keep < body; keep += 3 * 17) {
		if (credential.data[4 + keep - 1] == ' ')
			continue;
		buf_reset(&cut);
		buf_append(&cut, credential.data, 4 + keep);
		run(&cut, 10, &r);
		expect(&r, "-PF-------");
		assert_int_equal(r.error_stage, HR_STAGE_BASE45);
		assert_string_equal(r.prefix, "HR1");
	}
	/* whole Base45 groups, but a truncated zlib stream: zlib */
	for (size_t keep = 3; keep < body - 3; keep += 3 * 13) {
		if (credential.data[4 + keep - 1] == ' ')
			continue;
		buf_reset(&cut);
		buf_append(&cut, credential.data, 4 + keep);
		run(&cut, 10, &r);
		expect(&r, "-PPF------");
		expect_error(&r, "zlib");
	}
	/* nothing after the prefix */
	buf_reset(&cut);
	buf_append_str(&cut, "HR1:");
	run(&cut, 10, &r);
	expect(&r, "-PPF------");
	/* a complete zlib stream of a truncated COSE message: cose */
	unwrap(&credential, &cose);
	for (size_t keep = 0; keep < cose.len; keep += 23) {
		wrap("HR1:", cose.data, keep, &rewrapped);
		run(&rewrapped, 10, &r);
		expect(&r, "-PPPF-----");
		assert_int_equal(r.kid_len, 0);
		assert_string_equal(r.issuer, "");
		buf_clear(&rewrapped);
	}
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	buf_clear(&cut);
	buf_clear(&cose);
}

static void test_resigned_with_another_key_under_the_same_kid_fails_signature(void **state)
{
	struct slice kid = signer_kid(type_signer[0]);
	struct buf credential;
	uint8_t prot[16] = {0xa2, 0x01, 0x26, 0x04, 0x48};
	struct hr_verify_result r;
	char *doc = document_with_type(0, NULL);

	(void)state;
	memcpy(prot + 5, kid.ptr, 8);
	hand_made(stray_key, prot, 13, NULL, 0, doc, &credential);
	hr_verify_result_init(&r);
	run(&credential, 10, &r);
	/* the certificate of that kid is found, so validity and key usage are judged */
	expect(&r, "-PPPPFPP-P");
	assert_memory_equal(r.kid, kid.ptr, 8);
	expect_error(&r, "does not verify");
	hr_verify_result_clear(&r);
	free(doc);
	buf_clear(&credential);
}

static void test_kid_of_an_untrusted_signer_fails_signature(void **state)
{
	struct buf credential;
	struct hr_verify_result r;

	(void)state;
	issue(untrusted_signer, "id_card", documents[0], 0, 180, &credential);
	hr_verify_result_init(&r);
	run(&credential, 10, &r);
	/* no certificate to judge key usage against */
	expect(&r, "-PPPPFP--P");
	expect_error(&r, "no trusted signer certificate has this kid");
	assert_int_equal(r.kid_len, SIGNER_KID_LEN);
	assert_memory_equal(r.kid, signer_kid(untrusted_signer).ptr, SIGNER_KID_LEN);
	hr_verify_result_clear(&r);
	buf_clear(&credential);
}

/* A signer certificate given as a PKCS#7 bundle (.p7b; DER, base64 or PEM), as
 * SG's national test data gives one, is trusted like the certificate itself. */
static void test_certificate_in_a_pkcs7_bundle_is_trusted(void **state)
{
	const struct signer_cert *cert = signer_certificate(type_signer[0]);
	const unsigned char *p = cert->der;
	X509 *x = d2i_X509(NULL, &p, (long)cert->der_len);
	PKCS7 *p7 = PKCS7_new();
	unsigned char *der = NULL;
	int n;
	char *b64;
	BIO *mem = BIO_new(BIO_s_mem());
	char *pem;
	long pem_len;
	const void *forms[3];
	size_t lens[3];
	struct buf credential, b64buf;
	struct hr_verify_result r;

	(void)state;
	assert_non_null(x);
	assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
	assert_int_equal(PKCS7_content_new(p7, NID_pkcs7_data), 1);
	assert_int_equal(PKCS7_add_certificate(p7, x), 1);
	n = i2d_PKCS7(p7, &der);
	assert_true(n > 0);
	buf_init(&b64buf, 65536);
	assert_int_equal(base64_encode(der, (size_t)n, BASE64_STANDARD, &b64buf), HR_OK);
	b64 = (char *)buf_str(&b64buf);
	assert_int_equal(PEM_write_bio_PKCS7(mem, p7), 1);
	pem_len = BIO_get_mem_data(mem, &pem);
	forms[0] = der, lens[0] = (size_t)n;
	forms[1] = b64, lens[1] = strlen(b64);
	forms[2] = pem, lens[2] = (size_t)pem_len;
	issue(type_signer[0], "id_card", documents[0], 0, 180, &credential);
	for (int i = 0; i < 3; i++) {
		struct hr_trust_store *s = hr_trust_store_new();
		struct hr_error err = {0};
		struct hr_verify_options o = at(10);
		assert_int_equal(hr_trust_store_add_certificate(s, forms[i], lens[i], "UA", &err),
				 HR_OK);
		assert_int_equal(hr_trust_store_count(s), 1);
		hr_verify_result_init(&r);
		assert_int_equal(
		    hr_verify_once(s, (const char *)credential.data, credential.len, &o, &r),
		    HR_OK);
		assert_int_equal(r.stages[HR_STAGE_SIGNATURE], HR_STAGE_PASSED);
		hr_verify_result_clear(&r);
		hr_trust_store_free(s);
	}
	/* a bundle without certificates is no certificate */
	{
		PKCS7 *empty = PKCS7_new();
		unsigned char *edder = NULL;
		struct hr_trust_store *s = hr_trust_store_new();
		int en;
		PKCS7_set_type(empty, NID_pkcs7_signed);
		PKCS7_content_new(empty, NID_pkcs7_data);
		en = i2d_PKCS7(empty, &edder);
		assert_int_not_equal(
		    hr_trust_store_add_certificate(s, edder, (size_t)en, "UA", NULL), HR_OK);
		assert_int_equal(hr_trust_store_count(s), 0);
		OPENSSL_free(edder);
		PKCS7_free(empty);
		hr_trust_store_free(s);
	}
	buf_clear(&credential);
	buf_clear(&b64buf);
	BIO_free(mem);
	OPENSSL_free(der);
	PKCS7_free(p7);
	X509_free(x);
}

/* A protected kid written as the 16 hex characters of the kid (GR's national
 * test data) finds the certificate; hex of another kid, or junk, does not. */
static void test_kid_written_as_hex_text_finds_its_certificate(void **state)
{
	struct slice good = signer_kid(type_signer[0]);
	static const char hex[] = "0123456789ABCDEF";
	char *doc = document_with_type(0, NULL);
	EVP_PKEY *key = id_card_key();

	(void)state;
	/* 0: bstr of the right hex, 1: a wrong kid, 2: not hex, 3: the right hex as a
	 * text string (HR/2DCode/raw/test_r.json of dgc-testdata) */
	for (int variant = 0; variant < 4; variant++) {
		uint8_t prot[32] = {0xa2, 0x01, 0x26, 0x04, variant == 3 ? 0x70 : 0x50};
		struct buf credential;
		struct hr_verify_result r;
		for (size_t i = 0; i < 8; i++) {
			uint8_t b = good.ptr[i] ^ (variant == 1 && i == 0 ? 0x01 : 0);
			prot[5 + 2 * i] = (uint8_t)hex[b >> 4];
			prot[6 + 2 * i] = (uint8_t)hex[b & 15];
		}
		if (variant == 2)
			prot[5] = 'G'; /* not hex */
		hand_made(key, prot, 21, NULL, 0, doc, &credential);
		hr_verify_result_init(&r);
		run(&credential, 10, &r);
		assert_int_equal(r.stages[HR_STAGE_SIGNATURE],
				 variant == 0 || variant == 3 ? HR_STAGE_PASSED : HR_STAGE_FAILED);
		assert_int_equal(r.kid_len, 16);
		hr_verify_result_clear(&r);
		buf_clear(&credential);
	}
	EVP_PKEY_free(key);
	free(doc);
}

static void test_wrong_protected_kid_is_not_rescued_by_the_unprotected_one(void **state)
{
	struct slice good = signer_kid(type_signer[0]);
	uint8_t prot[16] = {0xa2, 0x01, 0x26, 0x04, 0x48}, unprot[16] = {0xa1, 0x04, 0x48};
	uint8_t wrong_kid[8];
	struct buf credential;
	struct hr_verify_result r;
	char *doc = document_with_type(0, NULL);
	/* the id_card signer's own key signs; the protected kid is another one */
	EVP_PKEY *key = id_card_key();

	(void)state;
	memcpy(wrong_kid, good.ptr, 8);
	wrong_kid[0] ^= 0xff;
	memcpy(prot + 5, wrong_kid, 8);
	memcpy(unprot + 3, good.ptr, 8);
	hand_made(key, prot, 13, unprot, 11, doc, &credential);
	hr_verify_result_init(&r);
	run(&credential, 10, &r);
	assert_int_equal(r.stages[HR_STAGE_COSE], HR_STAGE_PASSED);
	assert_int_equal(r.stages[HR_STAGE_SIGNATURE], HR_STAGE_FAILED);
	assert_false(r.valid);
	assert_memory_equal(r.kid, wrong_kid, 8);
	hr_verify_result_clear(&r);
	/* control: the same with the right kid protected verifies */
	memcpy(prot + 5, good.ptr, 8);
	buf_clear(&credential);
	hand_made(key, prot, 13, unprot, 11, doc, &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPP-P");
	hr_verify_result_clear(&r);
	EVP_PKEY_free(key);
	free(doc);
	buf_clear(&credential);
}

/* --- time ----------------------------------------------------------------------- */

static void test_expired_and_not_yet_valid_fail_expiry(void **state)
{
	struct buf credential;
	struct hr_verify_result r;

	(void)state;
	issue(type_signer[0], "id_card", documents[0], 0, 180, &credential);
	hr_verify_result_init(&r);
	run(&credential, 0, &r); /* at iat */
	expect(&r, "-PPPPPPP-P");
	run(&credential, 180, &r); /* at exp: still valid */
	expect(&r, "-PPPPPPP-P");
	run(&credential, 181, &r); /* a second later */
	expect(&r, "-PPPPPFP-P");
	expect_error(&r, "expired");
	run(&credential, 86400, &r);
	expect(&r, "-PPPPPFP-P");
	run(&credential, -1, &r); /* before it was issued */
	expect(&r, "-PPPPPFP-P");
	expect_error(&r, "issued at");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
}

static void test_nanoseconds_of_the_clock_count(void **state)
{
	struct buf credential;
	struct hr_verify_result r;
	struct hr_verify_options o = at(180);

	(void)state;
	issue(type_signer[0], "id_card", documents[0], 0, 180, &credential);
	hr_verify_result_init(&r);
	o.at.nanos = 1; /* one nanosecond after exp */
	assert_int_equal(
	    hr_verify(verifier, store, (const char *)credential.data, credential.len, &o, &r),
	    HR_OK);
	expect(&r, "-PPPPPFP-P");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
}

static void test_signer_certificate_outside_its_validity_fails_expiry(void **state)
{
	struct buf credential;
	struct hr_verify_result r;
	const int64_t day = 86400;

	(void)state;
	/* keys_create_country's signers are valid from an hour before t0 for 730 days */
	issue(type_signer[0], "id_card", documents[0], 800 * day, 180, &credential);
	hr_verify_result_init(&r);
	run(&credential, 800 * day + 10, &r);
	expect(&r, "-PPPPPFP-P");
	expect_error(&r, "signer certificate is valid from");
	hr_verify_result_clear(&r);
	buf_clear(&credential);

	issue(type_signer[0], "id_card", documents[0], -2 * day, 180, &credential);
	run(&credential, -2 * day + 10, &r);
	expect(&r, "-PPPPPFP-P");
	expect_error(&r, "signer certificate is valid from");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
}

/* Signs a CWT built by the caller and wraps it as prefix + Base45(zlib(COSE)). */
static void sign_cwt(struct signer *signer, const char *prefix, const struct buf *cwt,
		     struct buf *out)
{
	struct buf cose, scratch;

	buf_init(&cose, TEXT_LIMIT);
	buf_init(&scratch, TEXT_LIMIT);
	assert_int_equal(cwt->error, HR_OK);
	assert_int_equal(cose_sign1_sign(signer, buf_slice(cwt), &scratch, &cose, NULL), HR_OK);
	wrap(prefix, cose.data, cose.len, out);
	buf_clear(&cose);
	buf_clear(&scratch);
}

static void test_not_before_and_missing_exp_fail_expiry(void **state)
{
	char *doc = document_with_type(0, NULL);
	json_t *value = parse(doc);
	struct buf cwt, credential;
	struct hr_verify_result r;

	(void)state;
	hr_verify_result_init(&r);
	/* nbf (5) an hour after iat */
	buf_init(&cwt, TEXT_LIMIT);
	cbor_put_map(&cwt, 5);
	cbor_put_uint(&cwt, CWT_CLAIM_ISS);
	cbor_put_cstr(&cwt, "UA");
	cwt_put_time(&cwt, CWT_CLAIM_EXP, t0 + 7200);
	cwt_put_time(&cwt, CWT_CLAIM_NBF, t0 + 3600);
	cwt_put_time(&cwt, CWT_CLAIM_IAT, t0);
	cbor_put_int(&cwt, CWT_CLAIM_DOCUMENT);
	assert_int_equal(cbor_from_json(value, &cwt, NULL), HR_OK);
	sign_cwt(type_signer[0], "HR1:", &cwt, &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPFP-P");
	expect_error(&r, "not valid before");
	run(&credential, 3600, &r);
	expect(&r, "-PPPPPPP-P");
	buf_clear(&credential);
	/* no exp at all: a credential must end */
	buf_reset(&cwt);
	cbor_put_map(&cwt, 3);
	cbor_put_uint(&cwt, CWT_CLAIM_ISS);
	cbor_put_cstr(&cwt, "UA");
	cwt_put_time(&cwt, CWT_CLAIM_IAT, t0);
	cbor_put_int(&cwt, CWT_CLAIM_DOCUMENT);
	assert_int_equal(cbor_from_json(value, &cwt, NULL), HR_OK);
	sign_cwt(type_signer[0], "HR1:", &cwt, &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPFP-P");
	expect_error(&r, "no exp");
	buf_clear(&credential);
	/* no iss while the signer is bound to UA: the signature stage refuses it */
	buf_reset(&cwt);
	cbor_put_map(&cwt, 3);
	cwt_put_time(&cwt, CWT_CLAIM_EXP, t0 + 180);
	cwt_put_time(&cwt, CWT_CLAIM_IAT, t0);
	cbor_put_int(&cwt, CWT_CLAIM_DOCUMENT);
	assert_int_equal(cbor_from_json(value, &cwt, NULL), HR_OK);
	sign_cwt(type_signer[0], "HR1:", &cwt, &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPPFPP-P");
	expect_error(&r, "trusted for UA");
	assert_string_equal(r.issuer, "");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	buf_clear(&cwt);
	json_decref(value);
	free(doc);
}

/* Without a kid, a store holding exactly one certificate tries that one; a store
 * of several cannot choose and refuses. */
static void test_credential_without_kid_needs_a_single_certificate_store(void **state)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	struct signer_cert *cert = certificate_for(key, all_document_ekus());
	struct signer *bare = NULL;
	struct hr_trust_store *one = hr_trust_store_new();
	char *doc = document_with_type(0, NULL);
	struct buf cwt, credential;
	struct hr_verify_result r;
	struct hr_verify_options o = at(10);

	(void)state;
	assert_int_equal(signer_from_key(key, NULL, &bare, NULL), HR_OK);
	assert_int_equal(signer_kid(bare).len, 0);
	assert_int_equal(hr_trust_store_add_certificate(one, cert->der, cert->der_len, "UA", NULL),
			 HR_OK);
	buf_init(&cwt, TEXT_LIMIT);
	put_cwt(&cwt, "UA", t0, t0 + 180, false, doc);
	sign_cwt(bare, "HR1:", &cwt, &credential);
	hr_verify_result_init(&r);
	assert_int_equal(
	    hr_verify(verifier, one, (const char *)credential.data, credential.len, &o, &r), HR_OK);
	expect(&r, "-PPPPPPP-P");
	assert_int_equal(r.kid_len, 0);
	run(&credential, 10, &r); /* the fixture's store of many */
	expect(&r, "-PPPPFP--P");
	expect_error(&r, "names no kid");
	hr_verify_result_clear(&r);
	buf_clear(&cwt);
	buf_clear(&credential);
	free(doc);
	hr_trust_store_free(one);
	signer_free(bare);
	signer_cert_free(cert);
	EVP_PKEY_free(key);
}

/* --- key usage --------------------------------------------------------------------- */

static void test_signer_outside_its_key_usage_fails_key_usage(void **state)
{
	struct buf credential;
	struct hr_verify_result r;
	char *vaccination = document_with_type(5, NULL);

	(void)state;
	/* the driver_licence signer's key signs a vaccination document */
	sign_by_hand(type_signer[2], "HR1:", "UA", t0, t0 + 180, false, vaccination, &credential);
	hr_verify_result_init(&r);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPF-P");
	expect_error(&r, "may not sign vaccination documents");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	/* issuer_issue itself refuses to make it */
	{
		struct issuer *iss = issuer_new(type_signer[2]);
		json_t *doc = parse(documents[5]);
		struct issue_request req = {"vaccination", doc, NULL, t0, 180, NULL, NULL, 0};
		struct hr_error err = {0};
		buf_init(&credential, TEXT_LIMIT);
		assert_int_equal(issuer_issue(iss, &req, &credential, &err), HR_E_DENIED);
		assert_int_equal(credential.len, 0);
		json_decref(doc);
		issuer_free(iss);
		buf_clear(&credential);
	}
	free(vaccination);
}

static void test_document_and_dcc_signers_keep_to_their_own_kind(void **state)
{
	struct buf credential;
	struct hr_verify_result r;
	char *id_card = document_with_type(0, NULL);

	(void)state;
	hr_verify_result_init(&r);
	/* a Hromada document signer signing an EU DCC */
	sign_by_hand(type_signer[2], "HC1:", "UA", t0, t0 + 180, true, dcc_vaccination,
		     &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPF-P");
	expect_error(&r, "vaccination");
	buf_clear(&credential);
	/* the DCC signer signing a Hromada document */
	sign_by_hand(dcc_signer, "HR1:", "UA", t0, t0 + 180, false, id_card, &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPF-P");
	buf_clear(&credential);
	/* a DCC signer whose EKU allows tests only, signing a vaccination, then a test */
	sign_by_hand(test_only_signer, "HC1:", "UA", t0, t0 + 180, true, dcc_vaccination,
		     &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPF-P");
	expect_error(&r, "does not cover vaccination");
	buf_clear(&credential);
	sign_by_hand(test_only_signer, "HC1:", "UA", t0, t0 + 180, true, dcc_test, &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPP-P");
	buf_clear(&credential);
	hr_verify_result_clear(&r);
	free(id_card);
}

/* IS/2DCode/raw/3.json and PT/2DCode/raw/1.json of dgc-testdata, decided alike */
static void test_critical_eku_without_dcc_purpose_signs_no_dcc(void **state)
{
	struct signer *critical =
	    make_signer(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), "critical,clientAuth", true);
	struct signer *advisory = make_signer(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"),
					      "clientAuth,emailProtection", true);
	struct buf credential;
	struct hr_verify_result r;

	(void)state;
	assert_non_null(critical);
	assert_non_null(advisory);
	hr_verify_result_init(&r);
	sign_by_hand(critical, "HC1:", "UA", t0, t0 + 180, true, dcc_test, &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPF-P");
	expect_error(&r, "critical and names no DCC purpose");
	buf_clear(&credential);
	/* not critical: the HCERT rule, no DCC OID means any kind */
	sign_by_hand(advisory, "HC1:", "UA", t0, t0 + 180, true, dcc_test, &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPP-P");
	buf_clear(&credential);
	hr_verify_result_clear(&r);
	signer_free(critical);
	signer_free(advisory);
}

static void test_independent_stages_are_all_evaluated(void **state)
{
	struct buf credential;
	struct hr_verify_result r;
	char *vaccination = document_with_type(5, "favourite_colour");

	(void)state;
	/* wrong key usage, an unknown field, and judged after it expired: all reported;
	 * the first failure in stage order is the error */
	sign_by_hand(type_signer[2], "HR1:", "UA", t0, t0 + 180, false, vaccination, &credential);
	hr_verify_result_init(&r);
	run(&credential, 1000, &r);
	expect(&r, "-PPPPPFF-F");
	assert_int_equal(r.error_stage, HR_STAGE_EXPIRY);
	expect_error(&r, "expired");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	/* and with a bad signature on top */
	{
		struct buf cose, forged;
		uint8_t *p;
		sign_by_hand(type_signer[2], "HR1:", "UA", t0, t0 + 180, false, vaccination,
			     &credential);
		unwrap(&credential, &cose);
		p = memmem(cose.data, cose.len, "Comirnaty", 9);
		assert_non_null(p);
		p[0] = 'K';
		wrap("HR1:", cose.data, cose.len, &forged);
		run(&forged, 1000, &r);
		expect(&r, "-PPPPFFF-F");
		assert_int_equal(r.error_stage, HR_STAGE_SIGNATURE);
		hr_verify_result_clear(&r);
		buf_clear(&cose);
		buf_clear(&forged);
		buf_clear(&credential);
	}
	free(vaccination);
}

/* --- schema ------------------------------------------------------------------------- */

static void test_schema_violation_fails_schema(void **state)
{
	struct buf credential;
	struct hr_verify_result r;
	char *doc = document_with_type(0, "favourite_colour");

	(void)state;
	sign_by_hand(type_signer[0], "HR1:", "UA", t0, t0 + 180, false, doc, &credential);
	hr_verify_result_init(&r);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPP-F");
	expect_error(&r, "unknown field favourite_colour");
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	free(doc);
	/* a DCC breaking its schema (a vaccination date that is no date) */
	{
		json_t *dcc = parse(dcc_vaccination);
		char *text;
		json_object_set_new(json_array_get(json_object_get(dcc, "v"), 0), "dt",
				    json_string("2021-02-30"));
		text = json_dumps(dcc, JSON_COMPACT);
		sign_by_hand(dcc_signer, "HC1:", "UA", t0, t0 + 180, true, text, &credential);
		run(&credential, 10, &r);
		expect(&r, "-PPPPPPP-F");
		expect_error(&r, "v[0].dt");
		assert_int_equal(r.warning_count, 0);
		hr_verify_result_clear(&r);
		buf_clear(&credential);
		free(text);
		json_decref(dcc);
	}
}

/* A code outside its value set is a business rule, not the schema: the DCC is
 * valid, with a warning naming the field, the code and the value set; once
 * the operator loads a value set file that lists the code, the warning goes. */
static void test_value_set_miss_is_a_warning_until_the_set_is_refreshed(void **state)
{
	static const char refreshed[] =
	    "[{\"valueSetId\":\"vaccines-covid-19-names\",\"valueSetDate\":\"2030-01-01\","
	    "\"valueSetValues\":{\"EU/1/20/1528\":{\"active\":true},\"EU/9/99/9999\":"
	    "{\"active\":true}}},{\"valueSetId\":\"something-else\",\"valueSetValues\":{}}]";
	json_t *dcc = parse(dcc_vaccination);
	struct hr_value_sets *sets = hr_value_sets_new();
	struct hr_verify_options o = at(10);
	struct hr_verify_result r;
	struct hr_error err = {0};
	struct buf credential;
	char *text;

	(void)state;
	json_object_set_new(json_array_get(json_object_get(dcc, "v"), 0), "mp",
			    json_string("EU/9/99/9999"));
	text = json_dumps(dcc, JSON_COMPACT);
	sign_by_hand(dcc_signer, "HC1:", "UA", t0, t0 + 180, true, text, &credential);
	hr_verify_result_init(&r);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPP-P");
	assert_int_equal(r.warning_count, 1);
	assert_string_equal(r.warnings[0].check, "value_set");
	assert_non_null(strstr(r.warnings[0].message, "v[0].mp"));
	assert_non_null(strstr(r.warnings[0].message, "EU/9/99/9999"));
	assert_non_null(strstr(r.warnings[0].message, "vaccines-covid-19-names"));
	/* refreshed value sets: the code is known, no warning */
	assert_int_equal(hr_value_sets_load(sets, refreshed, strlen(refreshed), &err), HR_OK);
	o.value_sets = sets;
	assert_int_equal(
	    hr_verify(verifier, store, (const char *)credential.data, credential.len, &o, &r),
	    HR_OK);
	expect(&r, "-PPPPPPP-P");
	assert_int_equal(r.warning_count, 0);
	hr_verify_result_clear(&r);
	hr_value_sets_free(sets);
	buf_clear(&credential);
	free(text);
	json_decref(dcc);
}

/* LI/2DCode/raw/4.json of dgc-testdata: no "ver", schema-valid, with a warning */
static void test_dcc_without_version_passes_schema_with_a_warning(void **state)
{
	json_t *dcc = parse(dcc_test);
	struct hr_verify_result r;
	struct buf credential;
	char *text;

	(void)state;
	json_object_del(dcc, "ver");
	text = json_dumps(dcc, JSON_COMPACT);
	sign_by_hand(dcc_signer, "HC1:", "UA", t0, t0 + 180, true, text, &credential);
	hr_verify_result_init(&r);
	run(&credential, 10, &r);
	expect(&r, "-PPPPPPP-P");
	assert_int_equal(r.warning_count, 1);
	assert_string_equal(r.warnings[0].check, "schema_version");
	assert_non_null(strstr(r.warnings[0].message, "no \"ver\""));
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	free(text);
	json_decref(dcc);
}

static void test_value_set_files_that_are_wrong_change_nothing(void **state)
{
	static const char *const bad[] = {
	    "",
	    "not json",
	    "[1]",
	    "{\"valueSetId\":\"country-2-codes\"}",
	    "{\"valueSetId\":\"country-2-codes\",\"valueSetValues\":{}}",
	    "[{\"valueSetId\":\"unknown\",\"valueSetValues\":{\"a\":{}}}]",
	    "[{\"valueSetId\":\"country-2-codes\",\"valueSetValues\":{\"ZZ\":{}}},"
	    "{\"valueSetId\":\"country-2-codes\",\"valueSetValues\":{\"ZZ\":{}}}]",
	};
	struct hr_value_sets *sets = hr_value_sets_new();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hr_error err = {0};
		assert_int_not_equal(hr_value_sets_load(sets, bad[i], strlen(bad[i]), &err), HR_OK);
		assert_string_equal(err.stage, "value_sets");
	}
	/* nothing was replaced: the compiled-in countries are still there */
	{
		json_t *dcc = parse(dcc_vaccination);
		struct hr_verify_options o = at(10);
		struct hr_verify_result r;
		struct buf credential;
		char *text = json_dumps(dcc, JSON_COMPACT);
		sign_by_hand(dcc_signer, "HC1:", "UA", t0, t0 + 180, true, text, &credential);
		o.value_sets = sets;
		hr_verify_result_init(&r);
		assert_int_equal(hr_verify(verifier, store, (const char *)credential.data,
					   credential.len, &o, &r),
				 HR_OK);
		expect(&r, "-PPPPPPP-P");
		assert_int_equal(r.warning_count, 0);
		hr_verify_result_clear(&r);
		buf_clear(&credential);
		free(text);
		json_decref(dcc);
	}
	hr_value_sets_free(sets);
}

/* --- size ---------------------------------------------------------------------------- */

static void test_oversized_payload_is_refused_before_decoding(void **state)
{
	struct buf text;
	struct hr_verify_result r;

	(void)state;
	buf_init(&text, TEXT_LIMIT);
	buf_append_str(&text, "HR1:");
	while (text.len < HR_VERIFY_MAX_PAYLOAD + 1)
		buf_append_str(&text, "6BF");
	hr_verify_result_init(&r);
	run(&text, 10, &r);
	expect(&r, "-F--------");
	expect_error(&r, "longer than");
	/* exactly at the ceiling it is read (and fails later, as garbage) */
	text.len = HR_VERIFY_MAX_PAYLOAD;
	run(&text, 10, &r);
	assert_int_equal(r.stages[HR_STAGE_UNPREFIX], HR_STAGE_PASSED);
	hr_verify_result_clear(&r);
	buf_clear(&text);
}

static void test_decompression_bomb_is_refused(void **state)
{
	size_t big = 10 * 1024 * 1024, fits = 5 * 1024 * 1024;
	uint8_t *zeros = calloc(1, big);
	struct buf credential;
	struct hr_verify_result r;

	(void)state;
	assert_non_null(zeros);
	hr_verify_result_init(&r);
	/* 10 MB of zeros: about 10 KB compressed, 15 K characters — over the payload
	 * ceiling, so it never reaches zlib */
	wrap("HR1:", zeros, big, &credential);
	assert_true(credential.len > HR_VERIFY_MAX_PAYLOAD);
	run(&credential, 10, &r);
	expect(&r, "-F--------");
	buf_clear(&credential);
	/* 5 MB of zeros fits the payload ceiling; inflating stops at 64 KiB */
	wrap("HC1:", zeros, fits, &credential);
	assert_true(credential.len <= HR_VERIFY_MAX_PAYLOAD);
	run(&credential, 10, &r);
	expect(&r, "-PPF------");
	expect_error(&r, "ceiling");
	hr_verify_result_clear(&r);
	/* just over the decompression ceiling is refused, just under it is decoded */
	buf_clear(&credential);
	wrap("HC1:", zeros, HR_VERIFY_MAX_DECOMPRESSED + 1, &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPF------");
	buf_clear(&credential);
	wrap("HC1:", zeros, HR_VERIFY_MAX_DECOMPRESSED, &credential);
	run(&credential, 10, &r);
	expect(&r, "-PPPF-----"); /* zeros are no COSE message */
	hr_verify_result_clear(&r);
	buf_clear(&credential);
	free(zeros);
}

/* --- prefixes ------------------------------------------------------------------------ */

static void test_wrong_prefix_is_refused_at_unprefix(void **state)
{
	static const char *const bad[] = {"HC2:", "hr1:", "HR2:", "XYZ:", "HR1", "HR1 ",
					  "HR:",  "",     "   ",  ":",    "HR1;"};
	struct buf credential, text;
	struct hr_verify_result r;

	(void)state;
	issue(type_signer[0], "id_card", documents[0], 0, 180, &credential);
	buf_init(&text, TEXT_LIMIT);
	hr_verify_result_init(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&text);
		buf_append_str(&text, bad[i]);
		buf_append(&text, credential.data + 4, credential.len - 4);
		run(&text, 10, &r);
		expect(&r, "-F--------");
		assert_string_equal(r.prefix, "");
	}
	/* a lone prefix-like word says what it saw */
	buf_reset(&text);
	buf_append_str(&text, "XYZ:ABC");
	run(&text, 10, &r);
	expect_error(&r, "XYZ:");
	hr_verify_result_clear(&r);
	buf_clear(&text);
	buf_clear(&credential);
}

static void test_swapped_prefixes_fail_the_cose_stage(void **state)
{
	struct buf document, dcc;
	struct hr_verify_result r;

	(void)state;
	issue(type_signer[0], "id_card", documents[0], 0, 180, &document);
	issue(dcc_signer, "hcert", dcc_vaccination, 0, 180, &dcc);
	hr_verify_result_init(&r);
	/* HC1 in front of a Hromada document */
	memcpy(document.data, "HC1:", 4);
	run(&document, 10, &r);
	expect(&r, "-PPPF-----");
	assert_string_equal(r.prefix, "HC1");
	expect_error(&r, "hcert");
	/* HR1 in front of an EU DCC */
	memcpy(dcc.data, "HR1:", 4);
	run(&dcc, 10, &r);
	expect(&r, "-PPPF-----");
	assert_string_equal(r.prefix, "HR1");
	expect_error(&r, "document claim");
	hr_verify_result_clear(&r);
	buf_clear(&document);
	buf_clear(&dcc);
}

/* --- the API ---------------------------------------------------------------------- */

static void test_result_is_cleared_between_uses(void **state)
{
	struct buf good, bad;
	struct hr_verify_result r;

	(void)state;
	issue(type_signer[0], "id_card", documents[0], 0, 180, &good);
	buf_init(&bad, 64);
	buf_append_str(&bad, "HR1:%%%");
	hr_verify_result_init(&r);
	assert_unjudged(&r);
	run(&good, 10, &r);
	expect(&r, "-PPPPPPP-P");
	/* the same result for a bad payload: nothing of the good one is left */
	run(&bad, 10, &r);
	expect(&r, "-PF-------");
	assert_int_equal(r.kid_len, 0);
	assert_string_equal(r.issuer, "");
	assert_null(r.claims_json);
	run(&good, 10, &r);
	expect(&r, "-PPPPPPP-P");
	hr_verify_result_clear(&r);
	assert_unjudged(&r);
	hr_verify_result_clear(&r); /* twice is harmless */
	/* hr_verify_once gives the same answer */
	assert_int_equal(hr_verify_once(store, (const char *)good.data, good.len, NULL, &r), HR_OK);
	assert_true(r.valid || r.error_stage == HR_STAGE_EXPIRY); /* real clock: t0 + now */
	hr_verify_result_clear(&r);
	buf_clear(&good);
	buf_clear(&bad);
}

static void test_bad_arguments_are_refused(void **state)
{
	struct hr_verify_result r;
	struct buf good;

	(void)state;
	issue(type_signer[0], "id_card", documents[0], 0, 180, &good);
	hr_verify_result_init(&r);
	assert_int_equal(hr_verify(NULL, store, (const char *)good.data, good.len, NULL, &r),
			 HR_E_INVALID);
	assert_int_equal(hr_verify(verifier, NULL, (const char *)good.data, good.len, NULL, &r),
			 HR_E_INVALID);
	assert_int_equal(hr_verify(verifier, store, NULL, 5, NULL, &r), HR_E_INVALID);
	assert_int_equal(hr_verify(verifier, store, (const char *)good.data, good.len, NULL, NULL),
			 HR_E_INVALID);
	/* an empty payload is judged, not an error of the call */
	assert_int_equal(hr_verify(verifier, store, NULL, 0, NULL, &r), HR_OK);
	expect(&r, "-F--------");
	hr_verify_result_clear(&r);
	buf_clear(&good);
}

static void test_stage_names_match_the_json_contract(void **state)
{
	static const char *const names[] = {"picture", "unprefix",  "base45", "zlib",
					    "cose",    "signature", "expiry", "key_usage",
					    "status",  "schema"};

	(void)state;
	for (int s = 0; s < HR_STAGE_COUNT; s++)
		assert_string_equal(hr_verify_stage_name((enum hr_verify_stage)s), names[s]);
	assert_string_equal(hr_verify_stage_name(HR_STAGE_COUNT), "?");
}

/* --- reuse and threads ------------------------------------------------------------- */

#define CASES 6

struct outcome {
	bool valid;
	int8_t stages[HR_STAGE_COUNT];
	enum hr_verify_stage error_stage;
	char error[256];
	char claims[4096];
};

static struct buf cases[CASES];

static void record(const struct hr_verify_result *r, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->valid = r->valid;
	memcpy(o->stages, r->stages, sizeof(o->stages));
	o->error_stage = r->valid ? HR_STAGE_PICTURE : r->error_stage;
	snprintf(o->error, sizeof(o->error), "%s", r->error);
	snprintf(o->claims, sizeof(o->claims), "%s", r->claims_json ? r->claims_json : "(none)");
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	return a->valid == b->valid && memcmp(a->stages, b->stages, sizeof(a->stages)) == 0 &&
	       a->error_stage == b->error_stage && strcmp(a->error, b->error) == 0 &&
	       strcmp(a->claims, b->claims) == 0;
}

/* valid (ES256, PS256, EdDSA, DCC), forged, wrong key usage — all at t0 + 10 */
static void make_cases(void)
{
	struct buf cose;
	uint8_t *p;
	char *vaccination = document_with_type(5, NULL);

	issue(type_signer[3], "vehicle_registration", documents[3], 0, 180, &cases[0]);
	issue(ps256_signer, "student_card", documents[6], 0, 180, &cases[1]);
	issue(eddsa_signer, "military_record", documents[7], 0, 180, &cases[2]);
	issue(dcc_signer, "hcert", dcc_recovery, 0, 180, &cases[3]);
	issue(type_signer[0], "id_card", documents[0], 0, 180, &cases[4]);
	unwrap(&cases[4], &cose);
	p = memmem(cose.data, cose.len, "OLENA", 5);
	p[0] = 'A';
	buf_clear(&cases[4]);
	wrap("HR1:", cose.data, cose.len, &cases[4]);
	buf_clear(&cose);
	sign_by_hand(type_signer[2], "HR1:", "UA", t0, t0 + 180, false, vaccination, &cases[5]);
	free(vaccination);
}

static void free_cases(void)
{
	for (int i = 0; i < CASES; i++)
		buf_clear(&cases[i]);
}

static void test_one_verifier_reused_1000_times_gives_identical_results(void **state)
{
	struct outcome first[CASES], now;
	struct hr_verify_result r;

	(void)state;
	make_cases();
	hr_verify_result_init(&r);
	for (int i = 0; i < 1000; i++) {
		int c = i % CASES;
		run(&cases[c], 10, &r);
		if (i < CASES) {
			record(&r, &first[c]);
			continue;
		}
		record(&r, &now);
		if (!same(&now, &first[c])) {
			print_error("round %d, case %d: %s / %s differs from %s / %s\n", i, c,
				    now.error, now.claims, first[c].error, first[c].claims);
			fail();
		}
	}
	hr_verify_result_clear(&r);
	assert_true(first[0].valid && first[1].valid && first[2].valid && first[3].valid);
	assert_false(first[4].valid);
	assert_int_equal(first[4].error_stage, HR_STAGE_SIGNATURE);
	assert_false(first[5].valid);
	assert_int_equal(first[5].error_stage, HR_STAGE_KEY_USAGE);
	free_cases();
}

#define THREADS 8
#define ROUNDS  60

struct worker {
	pthread_t thread;
	int index;
	const struct outcome *reference;
	int mismatches;
	int failures;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct hr_verifier *v = hr_verifier_new();
	struct hr_verify_options o = at(10);
	struct hr_verify_result r;
	struct outcome got;

	if (v == NULL) {
		w->failures++;
		return NULL;
	}
	hr_verify_result_init(&r);
	for (int i = 0; i < ROUNDS * CASES; i++) {
		int c = (i * 5 + w->index) % CASES; /* each thread in its own order */
		if (hr_verify(v, store, (const char *)cases[c].data, cases[c].len, &o, &r) !=
		    HR_OK) {
			w->failures++;
			continue;
		}
		record(&r, &got);
		if (!same(&got, &w->reference[c]))
			w->mismatches++;
	}
	hr_verify_result_clear(&r);
	hr_verifier_free(v);
	return NULL;
}

static void test_eight_threads_sharing_one_store_agree(void **state)
{
	struct outcome reference[CASES];
	struct worker workers[THREADS];
	struct hr_verify_result r;

	(void)state;
	make_cases();
	hr_verify_result_init(&r);
	for (int c = 0; c < CASES; c++) {
		run(&cases[c], 10, &r);
		record(&r, &reference[c]);
	}
	hr_verify_result_clear(&r);
	memset(workers, 0, sizeof(workers));
	for (int t = 0; t < THREADS; t++) {
		workers[t].reference = reference;
		workers[t].index = t;
		assert_int_equal(pthread_create(&workers[t].thread, NULL, work, &workers[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		assert_int_equal(pthread_join(workers[t].thread, NULL), 0);
		assert_int_equal(workers[t].failures, 0);
		if (workers[t].mismatches != 0) {
			print_error("thread %d: %d results differ from the single-threaded ones\n",
				    t, workers[t].mismatches);
			fail();
		}
	}
	free_cases();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_document_type_verifies_es256),
	    cmocka_unit_test(test_every_document_type_verifies_ps256),
	    cmocka_unit_test(test_every_document_type_verifies_eddsa),
	    cmocka_unit_test(test_eu_dcc_of_every_kind_verifies),
	    cmocka_unit_test(test_surrounding_whitespace_is_ignored),
	    cmocka_unit_test(test_forged_byte_fails_the_signature_only),
	    cmocka_unit_test(test_truncated_credential_fails_at_the_stage_it_breaks),
	    cmocka_unit_test(test_resigned_with_another_key_under_the_same_kid_fails_signature),
	    cmocka_unit_test(test_kid_of_an_untrusted_signer_fails_signature),
	    cmocka_unit_test(test_certificate_in_a_pkcs7_bundle_is_trusted),
	    cmocka_unit_test(test_wrong_protected_kid_is_not_rescued_by_the_unprotected_one),
	    cmocka_unit_test(test_kid_written_as_hex_text_finds_its_certificate),
	    cmocka_unit_test(test_expired_and_not_yet_valid_fail_expiry),
	    cmocka_unit_test(test_nanoseconds_of_the_clock_count),
	    cmocka_unit_test(test_signer_certificate_outside_its_validity_fails_expiry),
	    cmocka_unit_test(test_not_before_and_missing_exp_fail_expiry),
	    cmocka_unit_test(test_credential_without_kid_needs_a_single_certificate_store),
	    cmocka_unit_test(test_signer_outside_its_key_usage_fails_key_usage),
	    cmocka_unit_test(test_critical_eku_without_dcc_purpose_signs_no_dcc),
	    cmocka_unit_test(test_document_and_dcc_signers_keep_to_their_own_kind),
	    cmocka_unit_test(test_independent_stages_are_all_evaluated),
	    cmocka_unit_test(test_schema_violation_fails_schema),
	    cmocka_unit_test(test_value_set_miss_is_a_warning_until_the_set_is_refreshed),
	    cmocka_unit_test(test_value_set_files_that_are_wrong_change_nothing),
	    cmocka_unit_test(test_dcc_without_version_passes_schema_with_a_warning),
	    cmocka_unit_test(test_oversized_payload_is_refused_before_decoding),
	    cmocka_unit_test(test_decompression_bomb_is_refused),
	    cmocka_unit_test(test_wrong_prefix_is_refused_at_unprefix),
	    cmocka_unit_test(test_swapped_prefixes_fail_the_cose_stage),
	    cmocka_unit_test(test_result_is_cleared_between_uses),
	    cmocka_unit_test(test_bad_arguments_are_refused),
	    cmocka_unit_test(test_stage_names_match_the_json_contract),
	    cmocka_unit_test(test_one_verifier_reused_1000_times_gives_identical_results),
	    cmocka_unit_test(test_eight_threads_sharing_one_store_agree),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
