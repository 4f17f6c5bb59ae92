/*
 * test_signer_pkcs11.c — the PKCS#11 signer against a real SoftHSM2 token in a
 * temporary directory: token keys sign COSE that our verifier accepts under
 * the token's public key, in the same raw r||s form as in-process keys; the
 * private key cannot be read out, and a key the token would let out is
 * refused; a wrong PIN, a missing object, token or module, a PIN in the URI
 * and a certificate of another key fail with clear errors; several threads
 * sign at once. Skips (77) when SoftHSM2 is not installed.
 */
#include "testkit/softhsm.h"
#include "testkit/testkit.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <p11-kit/pkcs11.h>

#include "core/buf.h"
#include "core/error.h"
#include "credential/cose.h"
#include "credential/cose_crypto.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/signer_pkcs11.h"

#define LABEL "hromada"
#define PIN   "1234"

static char dir[256];

static void uri_of(char *out, size_t size, const char *object)
{
	tk_softhsm_uri(out, size, dir, LABEL, object);
}

static int group_setup(void **state)
{
	struct hr_error err = {0};
	char uri[1024];

	(void)state;
	tk_tmpdir(dir);
	tk_softhsm_init(dir, LABEL, PIN);
	uri_of(uri, sizeof(uri), "p256");
	assert_int_equal(signer_pkcs11_generate(uri, KEY_KIND_P256, &err), HR_OK);
	uri_of(uri, sizeof(uri), "p384");
	assert_int_equal(signer_pkcs11_generate(uri, KEY_KIND_P384, &err), HR_OK);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tk_rmrf(dir);
	return 0;
}

static struct signer *open_token_key(const char *object)
{
	struct hr_error err = {0};
	struct signer *s = NULL;
	char uri[1024];

	uri_of(uri, sizeof(uri), object);
	if (signer_pkcs11_open(uri, NULL, &s, &err) != HR_OK)
		fprintf(stderr, "%s: %s\n", err.stage, err.message);
	assert_non_null(s);
	return s;
}

/* COSE_Sign1 by the signer, decoded and verified with its public key. */
static void assert_cose_round_trip(struct signer *s, enum key_kind kind, int64_t alg,
				   size_t sig_len)
{
	const uint8_t payload[] = "a document to sign";
	struct buf scratch, out, scratch2;
	struct cose_sign1 msg;
	struct hr_error err = {0};

	buf_init(&scratch, 4096);
	buf_init(&scratch2, 4096);
	buf_init(&out, 4096);
	assert_int_equal(
	    cose_sign1_sign(s, slice_make(payload, sizeof(payload)), &scratch, &out, &err), HR_OK);
	assert_int_equal(cose_sign1_decode(out.data, out.len, &msg, &err), HR_OK);
	assert_int_equal(msg.alg, alg);
	assert_int_equal(msg.signature.len, sig_len);
	assert_int_equal(cose_sign1_verify(&msg, signer_public_key(s), kind, &scratch2, &err),
			 HR_OK);
	/* one flipped bit of the payload: refused */
	((uint8_t *)(uintptr_t)msg.payload.ptr)[0] ^= 1;
	assert_int_equal(cose_sign1_verify(&msg, signer_public_key(s), kind, &scratch2, &err),
			 HR_E_SIGNATURE);
	buf_clear(&scratch);
	buf_clear(&scratch2);
	buf_clear(&out);
}

static void test_token_p256_key_signs_es256_that_cose_verifies(void **state)
{
	struct signer *s = open_token_key("p256");

	(void)state;
	assert_int_equal(signer_alg(s)->id, COSE_ALG_ES256);
	assert_int_equal(key_kind_of(signer_public_key(s)), KEY_KIND_P256);
	assert_cose_round_trip(s, KEY_KIND_P256, COSE_ALG_ES256, 64);
	signer_free(s);
}

static void test_token_p384_key_signs_es384_that_cose_verifies(void **state)
{
	struct signer *s = open_token_key("p384");

	(void)state;
	assert_int_equal(signer_alg(s)->id, COSE_ALG_ES384);
	assert_cose_round_trip(s, KEY_KIND_P384, COSE_ALG_ES384, 96);
	signer_free(s);
}

/* The token's signature has exactly the in-process signer's form: raw r||s of
 * the curve's width, so every verifier of ours takes both. */
static void test_token_signature_has_in_process_length_and_form(void **state)
{
	struct signer *token = open_token_key("p256"), *local = NULL;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	uint8_t sig_token[COSE_SIGNATURE_MAX], sig_local[COSE_SIGNATURE_MAX];
	size_t len_token = sizeof(sig_token), len_local = sizeof(sig_local);
	struct hr_error err = {0};
	const uint8_t tbs[] = "to be signed";

	(void)state;
	assert_int_equal(signer_from_key(key, NULL, &local, &err), HR_OK);
	assert_int_equal(signer_sign(token, tbs, sizeof(tbs), sig_token, &len_token, &err), HR_OK);
	assert_int_equal(signer_sign(local, tbs, sizeof(tbs), sig_local, &len_local, &err), HR_OK);
	assert_int_equal(len_token, len_local);
	assert_ptr_equal(signer_alg(token), signer_alg(local));
	assert_int_equal(cose_crypto_verify(signer_alg(token), signer_public_key(token),
					    KEY_KIND_P256, tbs, sizeof(tbs), sig_token, len_token,
					    &err),
			 HR_OK);
	/* too small a buffer: an error, no overflow */
	len_token = 63;
	assert_int_equal(signer_sign(token, tbs, sizeof(tbs), sig_token, &len_token, &err),
			 HR_E_TOO_LARGE);
	signer_free(local);
	signer_free(token);
	EVP_PKEY_free(key);
}

/* Raw PKCS#11, beside the signer: what the token itself says of the key. */
struct raw_token {
	void *library;
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE session;
	bool finalize;
};

static void raw_open(struct raw_token *t)
{
	CK_C_GetFunctionList get;
	CK_SLOT_ID slots[8];
	CK_ULONG count = 8;
	CK_TOKEN_INFO info;
	CK_RV rv;

	t->library = dlopen(TK_SOFTHSM_MODULE, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(t->library);
	*(void **)&get = dlsym(t->library, "C_GetFunctionList");
	assert_non_null(get);
	assert_int_equal(get(&t->f), CKR_OK);
	rv = t->f->C_Initialize(NULL);
	assert_true(rv == CKR_OK || rv == CKR_CRYPTOKI_ALREADY_INITIALIZED);
	t->finalize = rv == CKR_OK;
	assert_int_equal(t->f->C_GetSlotList(CK_TRUE, slots, &count), CKR_OK);
	for (CK_ULONG i = 0; i < count; i++) {
		assert_int_equal(t->f->C_GetTokenInfo(slots[i], &info), CKR_OK);
		if (memcmp(info.label, LABEL " ", sizeof(LABEL)) == 0) {
			assert_int_equal(t->f->C_OpenSession(slots[i],
							     CKF_SERIAL_SESSION | CKF_RW_SESSION,
							     NULL, NULL, &t->session),
					 CKR_OK);
			rv = t->f->C_Login(t->session, CKU_USER, (CK_UTF8CHAR_PTR)PIN, 4);
			assert_true(rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN);
			return;
		}
	}
	fail_msg("no token %s", LABEL);
}

static void raw_close(struct raw_token *t)
{
	t->f->C_CloseSession(t->session);
	if (t->finalize)
		t->f->C_Finalize(NULL);
	dlclose(t->library);
}

static CK_OBJECT_HANDLE raw_private_key(struct raw_token *t, const char *label)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE query[] = {{CKA_CLASS, &cls, sizeof(cls)},
				{CKA_LABEL, (void *)label, strlen(label)}};
	CK_OBJECT_HANDLE found = CK_INVALID_HANDLE;
	CK_ULONG count = 0;

	assert_int_equal(t->f->C_FindObjectsInit(t->session, query, 2), CKR_OK);
	assert_int_equal(t->f->C_FindObjects(t->session, &found, 1, &count), CKR_OK);
	t->f->C_FindObjectsFinal(t->session);
	assert_int_equal(count, 1);
	return found;
}

/* Made by pkcs11-generate: the private value cannot be read out, and the token
 * says it is sensitive and never extractable. */
static void test_generated_token_key_is_not_extractable(void **state)
{
	struct raw_token t = {0};
	CK_OBJECT_HANDLE key;
	uint8_t value[256];
	CK_BBOOL extractable = CK_TRUE, sensitive = CK_FALSE, never = CK_FALSE;
	CK_ATTRIBUTE v = {CKA_VALUE, value, sizeof(value)};
	CK_ATTRIBUTE flags[] = {{CKA_EXTRACTABLE, &extractable, sizeof(extractable)},
				{CKA_SENSITIVE, &sensitive, sizeof(sensitive)},
				{CKA_NEVER_EXTRACTABLE, &never, sizeof(never)}};

	(void)state;
	raw_open(&t);
	key = raw_private_key(&t, "p256");
	assert_int_equal(t.f->C_GetAttributeValue(t.session, key, &v, 1), CKR_ATTRIBUTE_SENSITIVE);
	assert_int_equal(v.ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(t.f->C_GetAttributeValue(t.session, key, flags, 3), CKR_OK);
	assert_int_equal(extractable, CK_FALSE);
	assert_int_equal(sensitive, CK_TRUE);
	assert_int_equal(never, CK_TRUE);
	raw_close(&t);
}

/* A key the token would hand out (imported, or made extractable) is not a key
 * kept in an HSM: the signer refuses it. */
static void test_extractable_token_key_is_refused(void **state)
{
	struct raw_token t = {0};
	static const uint8_t p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
	CK_MECHANISM mech = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pub[] = {{CKA_TOKEN, &yes, sizeof(yes)},
			      {CKA_EC_PARAMS, (void *)p256, sizeof(p256)},
			      {CKA_LABEL, "leaky", 5}};
	CK_ATTRIBUTE priv[] = {{CKA_TOKEN, &yes, sizeof(yes)},
			       {CKA_SIGN, &yes, sizeof(yes)},
			       {CKA_EXTRACTABLE, &yes, sizeof(yes)},
			       {CKA_LABEL, "leaky", 5}};
	CK_OBJECT_HANDLE a, b;
	struct hr_error err = {0};
	struct signer *s = NULL;
	char uri[1024];

	(void)state;
	raw_open(&t);
	assert_int_equal(t.f->C_GenerateKeyPair(t.session, &mech, pub, 3, priv, 4, &a, &b), CKR_OK);
	raw_close(&t);
	uri_of(uri, sizeof(uri), "leaky");
	assert_int_equal(signer_pkcs11_open(uri, NULL, &s, &err), HR_E_DENIED);
	assert_null(s);
	assert_non_null(strstr(err.message, "could be exported"));
}

static void test_wrong_pin_is_refused_with_a_clear_error(void **state)
{
	struct hr_error err = {0};
	struct signer *s = NULL;
	char uri[1024], pin[300];

	(void)state;
	snprintf(pin, sizeof(pin), "%s/wrong-pin", dir);
	assert_true(tk_write_file(pin, "9999\n"));
	assert_int_equal(chmod(pin, 0600), 0);
	snprintf(uri, sizeof(uri),
		 "pkcs11:token=" LABEL ";object=p256?module-path=" TK_SOFTHSM_MODULE
		 "&pin-source=file:%s",
		 pin);
	assert_int_equal(signer_pkcs11_open(uri, NULL, &s, &err), HR_E_DENIED);
	assert_null(s);
	assert_string_equal(err.stage, "pkcs11");
	assert_non_null(strstr(err.message, "refused the PIN"));
	/* and no PIN at all for a token that needs one */
	snprintf(uri, sizeof(uri),
		 "pkcs11:token=" LABEL ";object=p256?module-path=" TK_SOFTHSM_MODULE);
	assert_int_equal(signer_pkcs11_open(uri, NULL, &s, &err), HR_E_DENIED);
	assert_non_null(strstr(err.message, "needs a PIN"));
}

static void test_pin_file_readable_by_others_is_refused(void **state)
{
	struct hr_error err = {0};
	struct signer *s = NULL;
	char uri[1024], pin[300];

	(void)state;
	snprintf(pin, sizeof(pin), "%s/open-pin", dir);
	assert_true(tk_write_file(pin, PIN));
	assert_int_equal(chmod(pin, 0644), 0);
	snprintf(uri, sizeof(uri),
		 "pkcs11:token=" LABEL ";object=p256?module-path=" TK_SOFTHSM_MODULE
		 "&pin-source=file:%s",
		 pin);
	assert_int_equal(signer_pkcs11_open(uri, NULL, &s, &err), HR_E_DENIED);
	assert_non_null(strstr(err.message, "read by others"));
}

static void test_pin_value_in_the_uri_is_refused(void **state)
{
	struct hr_error err = {0};
	struct signer *s = NULL;

	(void)state;
	assert_int_equal(signer_pkcs11_open("pkcs11:token=" LABEL
					    ";object=p256?module-path=" TK_SOFTHSM_MODULE
					    "&pin-value=1234",
					    NULL, &s, &err),
			 HR_E_INVALID);
	assert_null(s);
	assert_non_null(strstr(err.message, "pin-source"));
}

static void test_pin_from_environment_opens_the_key(void **state)
{
	struct hr_error err = {0};
	struct signer *s = NULL;

	(void)state;
	assert_int_equal(setenv("HROMADA_TEST_TOKEN_PIN", PIN, 1), 0);
	assert_int_equal(signer_pkcs11_open("pkcs11:token=" LABEL
					    ";object=p256?module-path=" TK_SOFTHSM_MODULE
					    "&pin-source=env:HROMADA_TEST_TOKEN_PIN",
					    NULL, &s, &err),
			 HR_OK);
	signer_free(s);
	unsetenv("HROMADA_TEST_TOKEN_PIN");
}

static void test_missing_object_token_and_module_are_clear_errors(void **state)
{
	struct hr_error err = {0};
	struct signer *s = NULL;
	char uri[1024];

	(void)state;
	uri_of(uri, sizeof(uri), "no-such-key");
	assert_int_equal(signer_pkcs11_open(uri, NULL, &s, &err), HR_E_NOT_FOUND);
	assert_non_null(strstr(err.message, "no private key 'no-such-key'"));
	tk_softhsm_uri(uri, sizeof(uri), dir, "no-such-token", "p256");
	assert_int_equal(signer_pkcs11_open(uri, NULL, &s, &err), HR_E_NOT_FOUND);
	assert_non_null(strstr(err.message, "no token labelled no-such-token"));
	assert_int_equal(signer_pkcs11_open("pkcs11:token=" LABEL
					    ";object=p256?module-path=/nonexistent/module.so",
					    NULL, &s, &err),
			 HR_E_NOT_FOUND);
	assert_non_null(strstr(err.message, "cannot load the PKCS#11 module"));
	/* a library that is not a PKCS#11 module */
	assert_int_equal(signer_pkcs11_open("pkcs11:token=" LABEL
					    ";object=p256?module-path=libz.so.1",
					    NULL, &s, &err),
			 HR_E_INVALID);
	assert_non_null(strstr(err.message, "not a PKCS#11 module"));
	assert_null(s);
}

static void test_malformed_uris_are_refused(void **state)
{
	static const char *const bad[] = {
	    "pkcs11:token=" LABEL "?module-path=" TK_SOFTHSM_MODULE, /* no object or id */
	    "pkcs11:token=" LABEL ";object=p%2?module-path=" TK_SOFTHSM_MODULE,
	    "pkcs11:token=" LABEL ";object=p%zz6?module-path=" TK_SOFTHSM_MODULE,
	    "pkcs11:token=" LABEL ";object=p256;colour=red?module-path=" TK_SOFTHSM_MODULE,
	    "pkcs11:token=" LABEL ";object=p256;type=cert?module-path=" TK_SOFTHSM_MODULE,
	    "pkcs11:token;object=p256?module-path=" TK_SOFTHSM_MODULE,
	    "pkcs11:token=" LABEL ";object=p256%00x?module-path=" TK_SOFTHSM_MODULE,
	    "pkcs11:token=" LABEL ";object=p256",
	};
	struct hr_error err = {0};
	struct signer *s = NULL;

	(void)state;
	unsetenv("HROMADA_PKCS11_MODULE");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hr_status rc = signer_pkcs11_open(bad[i], NULL, &s, &err);
		if (rc != HR_E_INVALID && rc != HR_E_UNSUPPORTED)
			fail_msg("%s: %d", bad[i], rc);
		assert_null(s);
		assert_string_equal(err.stage, "pkcs11");
	}
	/* percent-encoding and the module from the environment are honoured */
	assert_int_equal(setenv("HROMADA_PKCS11_MODULE", TK_SOFTHSM_MODULE, 1), 0);
	{
		char uri[1024];
		snprintf(
		    uri, sizeof(uri),
		    "pkcs11:token=%%68romada;object=p%%32%%356;type=private?pin-source=file:%s/"
		    "pin",
		    dir);
		assert_int_equal(signer_pkcs11_open(uri, NULL, &s, &err), HR_OK);
		signer_free(s);
	}
	unsetenv("HROMADA_PKCS11_MODULE");
}

/* The generator never replaces a key: a second key of one label would make
 * every later open ambiguous, and the first one's certificate a lie. */
static void test_generate_never_replaces_a_token_key(void **state)
{
	struct hr_error err = {0};
	char uri[1024];

	(void)state;
	uri_of(uri, sizeof(uri), "p256");
	assert_int_equal(signer_pkcs11_generate(uri, KEY_KIND_P256, &err), HR_E_CONFLICT);
}

/* signer_open_files: a pkcs11: URI as the key setting, or a file holding one;
 * the certificate must be the token key's. */
static void test_key_setting_names_a_token_key_and_certificate_must_match(void **state)
{
	struct keys_country_options o = {.country = "UA"};
	struct keys_certificate_request r = {0};
	struct hr_error err = {0};
	struct signer *token = open_token_key("p256"), *s = NULL;
	char keys[300], cert[400], other[1100], ref[400], uri[1024];

	(void)state;
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	o.dir = keys;
	assert_int_equal(keys_create_country(&o, &err), HR_OK);
	snprintf(cert, sizeof(cert), "%s/token-cert.pem", dir);
	snprintf(ref, sizeof(ref), "%s/keys/root", dir);
	r.public_key = signer_public_key(token);
	r.issuer_dir = ref;
	r.common_name = "Hromada UA Document Signer driver_licence (HSM)";
	r.usage = "driver_licence";
	r.cert_path = cert;
	assert_int_equal(keys_certify_public_key(&r, &err), HR_OK);
	signer_free(token);

	uri_of(uri, sizeof(uri), "p256");
	assert_int_equal(signer_open_files(uri, cert, &s, &err), HR_OK);
	assert_int_equal(signer_kid(s).len, SIGNER_KID_LEN);
	assert_true(signer_certificate(s)->document_usage != 0);
	signer_free(s);

	snprintf(ref, sizeof(ref), "%s/key-reference.pem", dir);
	snprintf(other, sizeof(other), "  %s\n\n", uri);
	assert_true(tk_write_file(ref, other));
	assert_int_equal(signer_open_files(ref, cert, &s, &err), HR_OK);
	signer_free(s);

	/* another key's certificate (the in-process signer's) is refused */
	snprintf(other, sizeof(other), "%s/keys/signers/driver_licence/cert.pem", dir);
	s = NULL;
	assert_int_equal(signer_open_files(uri, other, &s, &err), HR_E_INVALID);
	assert_null(s);
	assert_non_null(strstr(err.message, "not for this private key"));
	/* and the P-384 key with the P-256 key's certificate */
	uri_of(uri, sizeof(uri), "p384");
	assert_int_equal(signer_open_files(uri, cert, &s, &err), HR_E_INVALID);
	assert_null(s);
}

#define THREADS          4
#define SIGNS_PER_THREAD 100

struct signing_thread {
	struct signer *signer;
	int good;
};

static void *sign_many(void *arg)
{
	struct signing_thread *t = arg;
	struct hr_error err = {0};

	for (int i = 0; i < SIGNS_PER_THREAD; i++) {
		uint8_t tbs[32], sig[COSE_SIGNATURE_MAX];
		size_t len = sizeof(sig);
		memset(tbs, i, sizeof(tbs));
		if (signer_sign(t->signer, tbs, sizeof(tbs), sig, &len, &err) == HR_OK &&
		    cose_crypto_verify(signer_alg(t->signer), signer_public_key(t->signer),
				       KEY_KIND_P256, tbs, sizeof(tbs), sig, len, &err) == HR_OK)
			t->good++;
	}
	return NULL;
}

/* One signer, several threads signing at once (as a role's workers do): every
 * signature verifies, none fails for a busy session. */
static void test_concurrent_signing_from_threads_all_verify(void **state)
{
	struct signer *s = open_token_key("p256");
	struct signing_thread t[THREADS];
	pthread_t id[THREADS];

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		t[i] = (struct signing_thread){s, 0};
		assert_int_equal(pthread_create(&id[i], NULL, sign_many, &t[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(id[i], NULL), 0);
		assert_int_equal(t[i].good, SIGNS_PER_THREAD);
	}
	signer_free(s);
}

/* Several signers on one module at once (a wallet's document signers) and
 * freed in any order: the module stays initialised while any is open. */
static void test_several_signers_share_one_module(void **state)
{
	struct signer *a = open_token_key("p256"), *b = open_token_key("p384");
	uint8_t sig[COSE_SIGNATURE_MAX];
	size_t len = sizeof(sig);
	struct hr_error err = {0};

	(void)state;
	signer_free(a);
	assert_int_equal(signer_sign(b, (const uint8_t *)"x", 1, sig, &len, &err), HR_OK);
	assert_int_equal(len, 96);
	signer_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_p256_key_signs_es256_that_cose_verifies),
	    cmocka_unit_test(test_token_p384_key_signs_es384_that_cose_verifies),
	    cmocka_unit_test(test_token_signature_has_in_process_length_and_form),
	    cmocka_unit_test(test_generated_token_key_is_not_extractable),
	    cmocka_unit_test(test_extractable_token_key_is_refused),
	    cmocka_unit_test(test_wrong_pin_is_refused_with_a_clear_error),
	    cmocka_unit_test(test_pin_file_readable_by_others_is_refused),
	    cmocka_unit_test(test_pin_value_in_the_uri_is_refused),
	    cmocka_unit_test(test_pin_from_environment_opens_the_key),
	    cmocka_unit_test(test_missing_object_token_and_module_are_clear_errors),
	    cmocka_unit_test(test_malformed_uris_are_refused),
	    cmocka_unit_test(test_generate_never_replaces_a_token_key),
	    cmocka_unit_test(test_key_setting_names_a_token_key_and_certificate_must_match),
	    cmocka_unit_test(test_concurrent_signing_from_threads_all_verify),
	    cmocka_unit_test(test_several_signers_share_one_module),
	};

	if (!tk_softhsm_available()) {
		printf("SKIP: SoftHSM2 is not installed (%s, %s): apt-get install softhsm2\n",
		       TK_SOFTHSM_MODULE, TK_SOFTHSM_UTIL);
		return 77;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
