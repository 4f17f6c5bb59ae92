/*
 * test_directory.c — the gateway's member directory and access rights
 * (src/exchange/directory.h), on real member keys and certificates made once by
 * the key ceremony `hromada keys` runs (keys_create_country): the directory
 * `hromada up` writes loads and says what country.h promises; members are
 * found by their exact id with the key of their certificate; a right is client
 * x provider x service x purpose, a provider "X/Y/Z/" "*" covers the
 * subsystems of that code and no other; a legal basis is returned and wins
 * over consent; nothing else is allowed; member_id_valid; and every malformed
 * directory is refused with a message naming the file and the entry.
 */
#include "testkit/testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/documents.h"
#include "credential/cose_crypto.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "exchange/directory.h"
#include "platform/country.h"

#define GATEWAY   "UA/GOV/00000000/gateway"
#define WALLET    "UA/GOV/43395033/wallet"
#define POLICE    "UA/GOV/00032684/police"
#define BANK      "UA/COM/14360570/bank"
#define DRIVERS   "UA/GOV/00015622/driver_licence"
#define ID_CARDS  "UA/GOV/00015622/id_card"
#define NEIGHBOUR "UA/GOV/00015623/driver_licence" /* another code's registry */
#define BASIS     "Law of Ukraine \"On the National Police\", Art. 32"
#define BASIS_JSON                                                                                 \
	"Law of Ukraine \\\"On the National Police\\\", Art. 32" /* as a JSON string body */

/* member certificates, relative to the directory files written in root */
#define CERT(dir)       "keys/members/" dir "/cert.pem"
#define MEMBER(id, dir) "{\"id\":\"" id "\",\"certificate\":\"" CERT(dir) "\"}"
#define PROVIDER(id, dir, port, type)                                                              \
	"{\"id\":\"" id "\",\"certificate\":\"" CERT(dir) "\",\"url\":\"http://127.0.0.1:" port    \
							  "\",\"document_type\":\"" type "\"}"

#define MEMBERS                                                                                                                           \
	"[" MEMBER(WALLET, "UA_GOV_43395033_wallet") "," MEMBER(POLICE, "UA_GOV_00032684_police") "," MEMBER(                             \
	    BANK,                                                                                                                         \
	    "UA_COM_14360570_bank") "," PROVIDER(DRIVERS, "UA_GOV_00015622_driver_licence",                                               \
						 "8414",                                                                                  \
						 "driver_licence") "," PROVIDER(ID_CARDS,                                                 \
										"UA_GOV_00015622_"                                        \
										"id_card",                                                \
										"8415",                                                   \
										"id_card") "," PROVIDER(NEIGHBOUR,                        \
													"UA_GOV_00015623_driver_licence", \
													"8416",                           \
													"driver_licence") "]"

#define WALLET_RIGHT                                                                               \
	"{\"client\":\"" WALLET "\",\"provider\":\"UA/GOV/00015622/*\","                           \
	"\"services\":[\"lookup\",\"report-lost\"],\"purposes\":[\"citizen-wallet\"]}"
#define POLICE_RIGHT                                                                               \
	"{\"client\":\"" POLICE "\",\"provider\":\"" DRIVERS "\","                                 \
	"\"services\":[\"lookup\",\"status\"],\"purposes\":[\"police-document-check\"],"           \
	"\"legal_basis\":\"" BASIS_JSON "\"}"

/* the police on every registry of the code, but needing the citizen's consent */
#define POLICE_CONSENT_RIGHT                                                                       \
	"{\"client\":\"" POLICE "\",\"provider\":\"UA/GOV/00015622/*\","                           \
	"\"services\":[\"lookup\"],\"purposes\":[\"police-document-check\"]}"

#define DIRECTORY_WITH(members, rights)                                                            \
	"{\"gateway\":\"" GATEWAY "\",\n\"members\":" members ",\n\"rights\":" rights "}\n"

static char root[256];
static char keys_dir[300];

static int setup(void **state)
{
	static const char *const extra[] = {GATEWAY, NEIGHBOUR};
	const struct country_members *ua = country_members("UA");
	struct keys_country_options o = {"UA", keys_dir, extra, 2};
	struct hr_error err = {0};

	(void)state;
	tk_tmpdir(root);
	snprintf(keys_dir, sizeof(keys_dir), "%s/keys", root);
	if (ua == NULL || country_create_keys(ua, keys_dir, &err) != HR_OK ||
	    keys_create_country(&o, &err) != HR_OK) {
		fprintf(stderr, "keys: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tk_rmrf(root);
	return 0;
}

/* Writes text to root/name; the path goes to path (512 bytes). */
static void write_in_root(const char *name, const char *text, char *path)
{
	snprintf(path, 512, "%s/%s", root, name);
	assert_true(tk_write_file(path, text));
}

static struct directory *load_text(const char *name, const char *text)
{
	char path[512];
	struct directory *d = NULL;
	struct hr_error err = {0};

	write_in_root(name, text, path);
	if (directory_load(path, &d, &err) != HR_OK)
		fail_msg("%s: %s", path, err.message);
	assert_non_null(d);
	return d;
}

static struct directory *load_standard(void)
{
	return load_text("directory.json",
			 DIRECTORY_WITH(MEMBERS, "[" WALLET_RIGHT "," POLICE_RIGHT "]"));
}

/*
 * The directory in text must be refused: no directory, stage "directory", a
 * message naming the file and (when entry is given) the entry, by one of two
 * names (its id or its position, say).
 */
static void expect_refused(const char *text, const char *entry, const char *entry_alias)
{
	char path[512];
	struct directory *d = (struct directory *)1;
	struct hr_error err = {0};
	hr_status rc;

	write_in_root("bad.json", text, path);
	rc = directory_load(path, &d, &err);
	if (rc == HR_OK) {
		directory_free(d);
		fail_msg("loaded a malformed directory: %s", text);
	}
	assert_null(d);
	assert_int_equal(err.status, rc);
	assert_string_equal(err.stage, "directory");
	if (strstr(err.message, path) == NULL)
		fail_msg("the message does not name the file %s: %s", path, err.message);
	if (entry != NULL && strstr(err.message, entry) == NULL &&
	    (entry_alias == NULL || strstr(err.message, entry_alias) == NULL))
		fail_msg("the message names neither '%s' nor '%s': %s", entry,
			 entry_alias ? entry_alias : "", err.message);
}

static void member_paths(const char *id, char *key, char *cert, size_t size)
{
	char dir[4096];

	country_member_dir(keys_dir, id, dir, sizeof(dir));
	snprintf(key, size, "%s/key.pem", dir);
	snprintf(cert, size, "%s/cert.pem", dir);
}

/* The member's own signer, from the files `hromada keys` wrote. */
static struct signer *member_signer(const char *id)
{
	char key[4200], cert[4200];
	struct signer *s = NULL;
	struct hr_error err = {0};

	member_paths(id, key, cert, sizeof(key));
	if (signer_open_files(key, cert, &s, &err) != HR_OK)
		fail_msg("%s: %s", id, err.message);
	return s;
}

static bool allowed(const struct directory *d, const char *client, const char *provider,
		    const char *service, const char *purpose)
{
	return directory_check(d, client, provider, service, purpose).allowed;
}

/* ---- what `hromada up` writes ---- */

static void test_loads_the_directory_hromada_up_writes(void **state)
{
	const struct country_members *ua = country_members("UA");
	const char *urls[DOCUMENT_TYPE_COUNT];
	char url_text[DOCUMENT_TYPE_COUNT][64], path[512], id[MEMBER_ID_MAX];
	const char *plain[] = {ua->wallet, ua->police, ua->bank};
	struct directory *d = NULL;
	struct hr_error err = {0};
	json_t *json;

	(void)state;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		snprintf(url_text[t], sizeof(url_text[t]), "http://127.0.0.1:%d", 8414 + t);
		urls[t] = url_text[t];
	}
	json = country_directory(ua, keys_dir, urls);
	assert_non_null(json);
	snprintf(path, sizeof(path), "%s/up-directory.json", root);
	assert_int_equal(json_dump_file(json, path, JSON_INDENT(2)), 0);
	json_decref(json);
	if (directory_load(path, &d, &err) != HR_OK)
		fail_msg("%s", err.message);
	assert_string_equal(directory_gateway_id(d), ua->gateway);
	for (size_t i = 0; i < 3; i++) {
		const struct member *m = directory_member(d, plain[i]);
		assert_non_null(m);
		assert_string_equal(m->id, plain[i]);
		assert_null(m->url);
		assert_string_equal(m->document_type, "");
		assert_non_null(m->key);
	}
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		const struct member *m;
		struct decision_case {
			const char *service;
			bool ok;
		} wallet_cases[] = {{"lookup", true}, {"report-lost", true}, {"status", false}};
		struct access_decision police;
		bool police_may = strcmp(document_types[t], "driver_licence") == 0 ||
				  strcmp(document_types[t], "vehicle_registration") == 0;

		country_registry_member(ua, document_types[t], id, sizeof(id));
		m = directory_member(d, id);
		assert_non_null(m);
		assert_string_equal(m->url, urls[t]);
		assert_string_equal(m->document_type, document_types[t]);
		/* wallet: lookup and report-lost for the citizen, with consent */
		for (size_t i = 0; i < 3; i++) {
			struct access_decision a = directory_check(
			    d, ua->wallet, id, wallet_cases[i].service, "citizen-wallet");
			assert_int_equal(a.allowed, wallet_cases[i].ok);
			assert_null(a.legal_basis);
		}
		/* police: driver's licences and vehicle papers, under the law */
		police = directory_check(d, ua->police, id, "lookup", "police-document-check");
		assert_int_equal(police.allowed, police_may);
		if (police_may)
			assert_string_equal(police.legal_basis, ua->police_basis);
		else
			assert_null(police.legal_basis);
		/* bank: nothing */
		assert_false(allowed(d, ua->bank, id, "lookup", "citizen-wallet"));
		assert_false(allowed(d, ua->bank, id, "lookup", "police-document-check"));
	}
	directory_free(d);
}

/* ---- members ---- */

static void test_members_are_found_by_their_exact_id(void **state)
{
	struct directory *d = load_standard();
	static const char *const not_members[] = {
	    "",
	    "UA/GOV/43395033",
	    "UA/GOV/43395033/walle",
	    "UA/GOV/43395033/wallet2",
	    "UA/GOV/43395033/wallet/",
	    "ua/gov/43395033/wallet",
	    "UA/GOV/43395033/Wallet",
	    "UA/GOV/00015622/*",
	    GATEWAY, /* the gateway names itself, but is not listed as a member here */
	};
	const struct member *m;

	(void)state;
	assert_string_equal(directory_gateway_id(d), GATEWAY);
	m = directory_member(d, DRIVERS);
	assert_non_null(m);
	assert_string_equal(m->id, DRIVERS);
	assert_string_equal(m->url, "http://127.0.0.1:8414");
	assert_string_equal(m->document_type, "driver_licence");
	m = directory_member(d, NEIGHBOUR);
	assert_non_null(m);
	assert_string_equal(m->url, "http://127.0.0.1:8416");
	m = directory_member(d, WALLET);
	assert_non_null(m);
	assert_null(m->url);
	assert_string_equal(m->document_type, "");
	for (size_t i = 0; i < sizeof(not_members) / sizeof(not_members[0]); i++)
		assert_null(directory_member(d, not_members[i]));
	directory_free(d);
}

static void test_each_member_has_the_key_of_its_certificate(void **state)
{
	static const char *const ids[] = {WALLET, POLICE, BANK, DRIVERS, ID_CARDS, NEIGHBOUR};
	const size_t n = sizeof(ids) / sizeof(ids[0]);
	const uint8_t message[] = "POST /x/UA/GOV/00015622/driver_licence/lookup";
	struct directory *d = load_standard();
	const struct cose_alg *es256 = cose_alg_find(COSE_ALG_ES256);

	(void)state;
	assert_non_null(es256);
	for (size_t i = 0; i < n; i++) {
		struct signer *s = member_signer(ids[i]);
		uint8_t sig[COSE_SIGNATURE_MAX];
		size_t sig_len = sizeof(sig);

		assert_int_equal(signer_sign(s, message, sizeof(message), sig, &sig_len, NULL),
				 HR_OK);
		for (size_t j = 0; j < n; j++) {
			const struct member *m = directory_member(d, ids[j]);
			hr_status rc = cose_crypto_verify(es256, m->key, KEY_KIND_P256, message,
							  sizeof(message), sig, sig_len, NULL);
			/* each member's signature checks under its own entry, and only there */
			assert_int_equal(rc == HR_OK, i == j);
			assert_int_equal(EVP_PKEY_eq(m->key, signer_public_key(s)) == 1, i == j);
		}
		signer_free(s);
	}
	directory_free(d);
}

static void test_relative_certificate_paths_are_read_beside_the_directory_file(void **state)
{
	char dir[512], path[600];
	struct directory *d = NULL;
	struct hr_error err = {0};

	(void)state;
	snprintf(dir, sizeof(dir), "%s/conf", root);
	mkdir(dir, 0700);
	/* from root/conf/, the keys are one level up */
	snprintf(path, sizeof(path), "%s/directory.json", dir);
	assert_true(tk_write_file(
	    path, DIRECTORY_WITH("[{\"id\":\"" WALLET
				 "\",\"certificate\":\"../" CERT("UA_GOV_43395033_wallet") "\"}]",
				 "[]")));
	assert_int_equal(directory_load(path, &d, &err), HR_OK);
	assert_non_null(directory_member(d, WALLET));
	directory_free(d);
	/* the same text one level higher points nowhere, and says where */
	d = NULL;
	snprintf(path, sizeof(path), "%s/directory-up.json", root);
	assert_true(tk_write_file(
	    path, DIRECTORY_WITH("[{\"id\":\"" WALLET
				 "\",\"certificate\":\"../" CERT("UA_GOV_43395033_wallet") "\"}]",
				 "[]")));
	assert_int_not_equal(directory_load(path, &d, &err), HR_OK);
	assert_null(d);
	assert_non_null(strstr(err.message, "UA_GOV_43395033_wallet/cert.pem"));
}

/* ---- access rights ---- */

static void test_access_needs_client_provider_service_and_purpose(void **state)
{
	struct directory *d = load_standard();
	struct access_decision a;

	(void)state;
	a = directory_check(d, WALLET, DRIVERS, "lookup", "citizen-wallet");
	assert_true(a.allowed);
	assert_null(a.legal_basis); /* consent needed */
	assert_true(allowed(d, WALLET, DRIVERS, "report-lost", "citizen-wallet"));
	/* another client */
	assert_false(allowed(d, BANK, DRIVERS, "lookup", "citizen-wallet"));
	assert_false(allowed(d, POLICE, DRIVERS, "lookup", "citizen-wallet"));
	assert_false(allowed(d, "UA/GOV/43395033/wallet2", DRIVERS, "lookup", "citizen-wallet"));
	assert_false(allowed(d, GATEWAY, DRIVERS, "lookup", "citizen-wallet"));
	/* another provider */
	assert_false(allowed(d, WALLET, NEIGHBOUR, "lookup", "citizen-wallet"));
	assert_false(allowed(d, WALLET, POLICE, "lookup", "citizen-wallet"));
	/* another service */
	assert_false(allowed(d, WALLET, DRIVERS, "status", "citizen-wallet"));
	assert_false(allowed(d, WALLET, DRIVERS, "Lookup", "citizen-wallet"));
	assert_false(allowed(d, WALLET, DRIVERS, "lookup ", "citizen-wallet"));
	assert_false(allowed(d, WALLET, DRIVERS, "", "citizen-wallet"));
	/* another purpose */
	assert_false(allowed(d, WALLET, DRIVERS, "lookup", "police-document-check"));
	assert_false(allowed(d, WALLET, DRIVERS, "lookup", "citizen"));
	assert_false(allowed(d, WALLET, DRIVERS, "lookup", ""));
	directory_free(d);
}

static void test_wildcard_provider_covers_its_codes_subsystems_only(void **state)
{
	static const char *const covered[] = {DRIVERS, ID_CARDS, "UA/GOV/00015622/vaccination",
					      "UA/GOV/00015622/x"};
	static const char *const not_covered[] = {
	    NEIGHBOUR,
	    "UA/GOV/0001562/driver_licence",
	    "UA/GOV/000156221/driver_licence",
	    "UA/GOV/00015622x/driver_licence",
	    "UA/COM/00015622/driver_licence",
	    "PL/GOV/00015622/driver_licence",
	    "UA/GOV/00015622",
	    "UA/GOV/00015622/driver_licence/extra",
	    "XUA/GOV/00015622/driver_licence",
	};
	struct directory *d = load_standard();

	(void)state;
	for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]); i++)
		assert_true(allowed(d, WALLET, covered[i], "lookup", "citizen-wallet"));
	for (size_t i = 0; i < sizeof(not_covered) / sizeof(not_covered[0]); i++)
		if (allowed(d, WALLET, not_covered[i], "lookup", "citizen-wallet"))
			fail_msg("UA/GOV/00015622/* allowed %s", not_covered[i]);
	directory_free(d);
}

/* "Every subsystem of X/Y/Z": an empty subsystem is not one. */
static void test_wildcard_provider_needs_a_subsystem(void **state)
{
	struct directory *d = load_standard();
	bool empty_subsystem = allowed(d, WALLET, "UA/GOV/00015622/", "lookup", "citizen-wallet");

	(void)state;
	directory_free(d);
	assert_false(empty_subsystem);
}

static void test_a_right_with_a_legal_basis_returns_it(void **state)
{
	struct directory *d = load_standard();
	struct access_decision a;

	(void)state;
	a = directory_check(d, POLICE, DRIVERS, "lookup", "police-document-check");
	assert_true(a.allowed);
	assert_non_null(a.legal_basis);
	assert_string_equal(a.legal_basis, BASIS);
	a = directory_check(d, POLICE, DRIVERS, "status", "police-document-check");
	assert_true(a.allowed);
	assert_string_equal(a.legal_basis, BASIS);
	/* the basis covers only what its right names */
	a = directory_check(d, POLICE, ID_CARDS, "lookup", "police-document-check");
	assert_false(a.allowed);
	assert_null(a.legal_basis);
	a = directory_check(d, POLICE, NEIGHBOUR, "lookup", "police-document-check");
	assert_false(a.allowed);
	assert_false(allowed(d, POLICE, DRIVERS, "report-lost", "police-document-check"));
	assert_false(allowed(d, POLICE, DRIVERS, "lookup", "curiosity"));
	directory_free(d);
}

static void test_a_legal_basis_wins_over_a_right_needing_consent(void **state)
{
	struct directory *d;
	struct access_decision a;

	(void)state;
	/* the same client, provider, service and purpose granted twice, in both orders */
	d = load_text("first.json",
		      DIRECTORY_WITH(MEMBERS, "[" WALLET_RIGHT "," POLICE_CONSENT_RIGHT
					      "," POLICE_RIGHT "]"));
	a = directory_check(d, POLICE, DRIVERS, "lookup", "police-document-check");
	assert_true(a.allowed);
	assert_non_null(a.legal_basis);
	assert_string_equal(a.legal_basis, BASIS);
	/* where only the consent right applies, consent it is */
	a = directory_check(d, POLICE, ID_CARDS, "lookup", "police-document-check");
	assert_true(a.allowed);
	assert_null(a.legal_basis);
	directory_free(d);

	d = load_text("second.json",
		      DIRECTORY_WITH(MEMBERS, "[" POLICE_RIGHT "," POLICE_CONSENT_RIGHT "]"));
	a = directory_check(d, POLICE, DRIVERS, "lookup", "police-document-check");
	assert_true(a.allowed);
	assert_non_null(a.legal_basis);
	assert_string_equal(a.legal_basis, BASIS);
	a = directory_check(d, POLICE, ID_CARDS, "lookup", "police-document-check");
	assert_true(a.allowed);
	assert_null(a.legal_basis);
	directory_free(d);
}

static void test_without_a_right_nothing_is_allowed(void **state)
{
	static const char *const services[] = {"lookup", "status", "report-lost", "anything"};
	static const char *const purposes[] = {"citizen-wallet", "police-document-check", "*"};
	static const char *const providers[] = {DRIVERS, ID_CARDS, NEIGHBOUR};
	struct directory *d = load_standard(), *empty;

	(void)state;
	/* the bank is a member with no right at all */
	assert_non_null(directory_member(d, BANK));
	for (size_t p = 0; p < 3; p++)
		for (size_t s = 0; s < 4; s++)
			for (size_t u = 0; u < 3; u++) {
				struct access_decision a = directory_check(
				    d, BANK, providers[p], services[s], purposes[u]);
				assert_false(a.allowed);
				assert_null(a.legal_basis);
			}
	directory_free(d);
	/* with no rights listed, even the wallet may do nothing */
	empty = load_text("no-rights.json", DIRECTORY_WITH(MEMBERS, "[]"));
	assert_false(allowed(empty, WALLET, DRIVERS, "lookup", "citizen-wallet"));
	assert_false(allowed(empty, POLICE, DRIVERS, "lookup", "police-document-check"));
	directory_free(empty);
}

/* ---- member ids ---- */

static void test_member_id_valid(void **state)
{
	static const char *const valid[] = {
	    WALLET,
	    DRIVERS,
	    BANK,
	    "PL/GOV/00000001/wallet",
	    "a/b/c/d",
	    "UA/GOV/1.2-3/x_y",
	    "A1/b-2/c.3/D_4",
	};
	static const char *const invalid[] = {
	    "",
	    "UA/GOV/00015622",
	    "UA/GOV/00015622/driver_licence/x",
	    "/GOV/00015622/x",
	    "UA//00015622/x",
	    "UA/GOV//x",
	    "UA/GOV/00015622/",
	    "UA/GOV/00015622/*",
	    "UA/GOV/00015622/driver licence",
	    "UA/GOV/00015622/driver\tlicence",
	    "UA/GOV/00015622/x\n",
	    "UA/GOV/00015622/водії",
	    "UA/GOV/00015622/a+b",
	    "UA\\GOV\\00015622\\x",
	    "UA/GOV/00015622/x;y",
	    "////",
	};
	char longest[MEMBER_ID_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		if (!member_id_valid(valid[i]))
			fail_msg("'%s' should be valid", valid[i]);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		if (member_id_valid(invalid[i]))
			fail_msg("'%s' should be invalid", invalid[i]);
	/* the longest id that fits struct member's id, and one more */
	memset(longest, 'x', sizeof(longest));
	memcpy(longest, "UA/GOV/1/", 9);
	longest[MEMBER_ID_MAX - 1] = 0;
	assert_true(member_id_valid(longest));
	longest[MEMBER_ID_MAX - 1] = 'x';
	longest[MEMBER_ID_MAX] = 0;
	assert_false(member_id_valid(longest));
}

/* ---- malformed directories ---- */

static void test_refuses_a_file_that_is_not_json(void **state)
{
	char path[512];
	struct directory *d = (struct directory *)1;
	struct hr_error err = {0};

	(void)state;
	expect_refused("", NULL, NULL);
	expect_refused("{\"gateway\": \"" GATEWAY "\",\n\"members\": [\n,]}", ":3", NULL);
	expect_refused("[]", NULL, NULL);
	expect_refused("\"" GATEWAY "\"", NULL, NULL);
	/* a member named twice in one object is ambiguous, not last-one-wins */
	expect_refused("{\"gateway\":\"" GATEWAY "\",\"gateway\":\"" GATEWAY
		       "\",\"members\":[],\"rights\":[]}",
		       NULL, NULL);
	/* a directory file that is not there */
	snprintf(path, sizeof(path), "%s/missing/directory.json", root);
	assert_int_not_equal(directory_load(path, &d, &err), HR_OK);
	assert_null(d);
	assert_string_equal(err.stage, "directory");
	assert_non_null(strstr(err.message, path));
}

static void test_refuses_a_missing_or_unusable_certificate(void **state)
{
	char garbage[512], private_key[4200], cert[4200];
	char text[8192];

	(void)state;
	expect_refused(DIRECTORY_WITH("[" MEMBER(WALLET, "UA_GOV_43395033_wallet") "," MEMBER(
					  POLICE, "no-such-member") "]",
				      "[]"),
		       "no-such-member/cert.pem", NULL);
	/* a file that holds no certificate */
	write_in_root("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n", garbage);
	expect_refused(
	    DIRECTORY_WITH("[{\"id\":\"" WALLET "\",\"certificate\":\"garbage.pem\"}]", "[]"),
	    "garbage.pem", NULL);
	/* the member's private key in place of its certificate */
	member_paths(WALLET, private_key, cert, sizeof(cert));
	snprintf(text, sizeof(text),
		 DIRECTORY_WITH("[{\"id\":\"" WALLET "\",\"certificate\":\"%s\"}]", "[]"),
		 private_key);
	expect_refused(text, private_key, NULL);
}

static void test_refuses_invalid_member_ids(void **state)
{
	(void)state;
	/* by the bad id or by the entry's position (the second member, index 1) */
	expect_refused(DIRECTORY_WITH("[" MEMBER(WALLET, "UA_GOV_43395033_wallet") "," MEMBER(
					  "UA/GOV/00032684", "UA_GOV_00032684_police") "]",
				      "[]"),
		       "UA/GOV/00032684", "member 1");
	expect_refused(DIRECTORY_WITH("[" MEMBER(WALLET, "UA_GOV_43395033_wallet") "," MEMBER(
					  "UA/GOV/0003 2684/police", "UA_GOV_00032684_police") "]",
				      "[]"),
		       "UA/GOV/0003 2684/police", "member 1");
	expect_refused(DIRECTORY_WITH("[" MEMBER(WALLET, "UA_GOV_43395033_wallet") "," MEMBER(
					  "UA/GOV/00015622/*", "UA_GOV_00015622_id_card") "]",
				      "[]"),
		       "UA/GOV/00015622/*", "member 1");
	expect_refused(DIRECTORY_WITH("[" MEMBER(WALLET, "UA_GOV_43395033_wallet") "," MEMBER(
					  "", "UA_GOV_00032684_police") "]",
				      "[]"),
		       "member 1", NULL);
	/* the gateway's own id */
	expect_refused("{\"gateway\":\"UA/GOV/gateway\",\"members\":[],\"rights\":[]}", "gateway",
		       NULL);
}

static void test_refuses_a_member_listed_twice(void **state)
{
	(void)state;
	expect_refused(
	    DIRECTORY_WITH(
		"[" MEMBER(WALLET, "UA_GOV_43395033_wallet") "," MEMBER(
		    POLICE, "UA_GOV_00032684_police") "," MEMBER(WALLET,
								 "UA_GOV_43395033_wallet") "]",
		"[]"),
	    WALLET, NULL);
	/* twice with different certificates is no better */
	expect_refused(DIRECTORY_WITH("[" MEMBER(POLICE, "UA_GOV_00032684_police") "," MEMBER(
					  POLICE, "UA_COM_14360570_bank") "]",
				      "[]"),
		       POLICE, NULL);
}

static void test_refuses_top_level_members_of_the_wrong_type(void **state)
{
	(void)state;
	expect_refused("{\"gateway\":5,\"members\":[],\"rights\":[]}", "gateway", NULL);
	expect_refused("{\"members\":[],\"rights\":[]}", "gateway", NULL);
	expect_refused("{\"gateway\":\"" GATEWAY "\",\"members\":{},\"rights\":[]}", "members",
		       NULL);
	expect_refused("{\"gateway\":\"" GATEWAY "\",\"rights\":[]}", "members", NULL);
	expect_refused("{\"gateway\":\"" GATEWAY "\",\"members\":[],\"rights\":{}}", "rights",
		       NULL);
	expect_refused("{\"gateway\":\"" GATEWAY "\",\"members\":[]}", "rights", NULL);
}

static void test_refuses_member_entries_of_the_wrong_type(void **state)
{
	(void)state;
	expect_refused(
	    DIRECTORY_WITH("[" MEMBER(WALLET, "UA_GOV_43395033_wallet") ",\"" POLICE "\"]", "[]"),
	    "member 1", NULL);
	expect_refused(
	    DIRECTORY_WITH("[{\"id\":5,\"certificate\":\"" CERT("UA_GOV_43395033_wallet") "\"}]",
			   "[]"),
	    "member 0", NULL);
	expect_refused(DIRECTORY_WITH("[{\"id\":\"" WALLET "\",\"certificate\":5}]", "[]"), WALLET,
		       "member 0");
	expect_refused(DIRECTORY_WITH("[{\"id\":\"" WALLET "\"}]", "[]"), WALLET, "member 0");
}

/* A url or document_type of the wrong type is a broken entry, not an absent one. */
static void test_refuses_member_url_and_document_type_of_the_wrong_type(void **state)
{
	(void)state;
	expect_refused(DIRECTORY_WITH("[{\"id\":\"" DRIVERS "\",\"certificate\":\"" CERT(
					  "UA_GOV_00015622_driver_licence") "\",\"url\":8414,"
									    "\"document_type\":"
									    "\"driver_licence\"}]",
				      "[]"),
		       DRIVERS, "member 0");
	expect_refused(DIRECTORY_WITH("[{\"id\":\"" DRIVERS "\",\"certificate\":\"" CERT(
					  "UA_GOV_00015622_driver_licence") "\",\"url\":\"http://"
									    "127.0.0.1:8414\","
									    "\"document_type\":5}]",
				      "[]"),
		       DRIVERS, "member 0");
	expect_refused(DIRECTORY_WITH("[{\"id\":\"" DRIVERS "\",\"certificate\":\"" CERT(
					  "UA_GOV_00015622_driver_licence") "\",\"url\":\"http://"
									    "127.0.0.1:8414\","
									    "\"document_type\":["
									    "\"driver_licence\"]}]",
				      "[]"),
		       DRIVERS, "member 0");
}

/* A document type longer than struct member can hold must not be cut short. */
static void test_refuses_a_document_type_too_long_to_keep(void **state)
{
	(void)state;
	expect_refused(DIRECTORY_WITH("[{\"id\":\"" DRIVERS "\",\"certificate\":\"" CERT(
					  "UA_GOV_00015622_driver_licence") "\",\"url\":\"http://"
									    "127.0.0.1:8414\","
									    "\"document_type\":"
									    "\"driver_licence_of_"
									    "the_second_category_"
									    "x\"}]",
				      "[]"),
		       DRIVERS, "member 0");
}

static void test_refuses_rights_of_the_wrong_shape(void **state)
{
	(void)state;
	/* the entry is named: "right 1", the second right */
	expect_refused(DIRECTORY_WITH(MEMBERS, "[" WALLET_RIGHT ",\"police may\"]"), "right 1",
		       NULL);
	expect_refused(DIRECTORY_WITH(MEMBERS, "[" WALLET_RIGHT ",{\"provider\":\"" DRIVERS
					       "\",\"services\":[\"lookup\"],"
					       "\"purposes\":[\"p\"]}]"),
		       "right 1", NULL);
	expect_refused(DIRECTORY_WITH(MEMBERS, "[" WALLET_RIGHT ",{\"client\":\"" POLICE
					       "\",\"services\":[\"lookup\"],"
					       "\"purposes\":[\"p\"]}]"),
		       "right 1", NULL);
	expect_refused(DIRECTORY_WITH(MEMBERS, "[" WALLET_RIGHT ",{\"client\":\"" POLICE
					       "\",\"provider\":5,\"services\":[\"lookup\"],"
					       "\"purposes\":[\"p\"]}]"),
		       "right 1", NULL);
	/* services and purposes: non-empty lists of strings */
	expect_refused(DIRECTORY_WITH(MEMBERS, "[{\"client\":\"" POLICE "\",\"provider\":\"" DRIVERS
					       "\",\"services\":\"lookup\","
					       "\"purposes\":[\"p\"]}]"),
		       "right 0", NULL);
	expect_refused(DIRECTORY_WITH(MEMBERS, "[{\"client\":\"" POLICE "\",\"provider\":\"" DRIVERS
					       "\",\"services\":[],"
					       "\"purposes\":[\"p\"]}]"),
		       "right 0", NULL);
	expect_refused(DIRECTORY_WITH(MEMBERS, "[{\"client\":\"" POLICE "\",\"provider\":\"" DRIVERS
					       "\",\"services\":[\"lookup\",7],"
					       "\"purposes\":[\"p\"]}]"),
		       "right 0", NULL);
	expect_refused(DIRECTORY_WITH(MEMBERS, "[{\"client\":\"" POLICE "\",\"provider\":\"" DRIVERS
					       "\",\"services\":[\"lookup\"]}]"),
		       "right 0", NULL);
	expect_refused(DIRECTORY_WITH(MEMBERS, "[{\"client\":\"" POLICE "\",\"provider\":\"" DRIVERS
					       "\",\"services\":[\"lookup\"],"
					       "\"purposes\":[null]}]"),
		       "right 0", NULL);
	/* a legal basis, if given, is a non-empty string */
	expect_refused(DIRECTORY_WITH(MEMBERS, "[{\"client\":\"" POLICE "\",\"provider\":\"" DRIVERS
					       "\",\"services\":[\"lookup\"],"
					       "\"purposes\":[\"p\"],\"legal_basis\":\"\"}]"),
		       "right 0", NULL);
	expect_refused(DIRECTORY_WITH(MEMBERS, "[{\"client\":\"" POLICE "\",\"provider\":\"" DRIVERS
					       "\",\"services\":[\"lookup\"],"
					       "\"purposes\":[\"p\"],\"legal_basis\":32}]"),
		       "right 0", NULL);
	expect_refused(DIRECTORY_WITH(MEMBERS, "[{\"client\":\"" POLICE "\",\"provider\":\"" DRIVERS
					       "\",\"services\":[\"lookup\"],"
					       "\"purposes\":[\"p\"],\"legal_basis\":null}]"),
		       "right 0", NULL);
}

static void test_refuses_a_right_whose_client_is_not_a_member_id(void **state)
{
	(void)state;
	/* wildcards are for providers only */
	expect_refused(DIRECTORY_WITH(MEMBERS,
				      "[{\"client\":\"UA/GOV/43395033/*\",\"provider\":\"" DRIVERS
				      "\",\"services\":[\"lookup\"],"
				      "\"purposes\":[\"p\"]}]"),
		       "right 0", "UA/GOV/43395033/*");
	expect_refused(DIRECTORY_WITH(MEMBERS,
				      "[{\"client\":\"UA/GOV/43395033\",\"provider\":\"" DRIVERS
				      "\",\"services\":[\"lookup\"],"
				      "\"purposes\":[\"p\"]}]"),
		       "right 0", "UA/GOV/43395033");
}

/* A provider is a member id or "X/Y/Z/" "*"; anything else can never match and is a typo. */
static void test_refuses_a_right_whose_provider_is_neither_an_id_nor_a_wildcard(void **state)
{
	static const char *const providers[] = {"", "UA/GOV/00015622",
						"UA/GOV/00015622/driver licence", "*",
						"UA/GOV/*/driver_licence"};
	char text[8192];

	(void)state;
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		snprintf(text, sizeof(text),
			 DIRECTORY_WITH(MEMBERS, "[{\"client\":\"" POLICE "\",\"provider\":\"%s\","
						 "\"services\":[\"lookup\"],"
						 "\"purposes\":[\"p\"]}]"),
			 providers[i]);
		expect_refused(text, "right 0", NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loads_the_directory_hromada_up_writes),
	    cmocka_unit_test(test_members_are_found_by_their_exact_id),
	    cmocka_unit_test(test_each_member_has_the_key_of_its_certificate),
	    cmocka_unit_test(test_relative_certificate_paths_are_read_beside_the_directory_file),
	    cmocka_unit_test(test_access_needs_client_provider_service_and_purpose),
	    cmocka_unit_test(test_wildcard_provider_covers_its_codes_subsystems_only),
	    cmocka_unit_test(test_wildcard_provider_needs_a_subsystem),
	    cmocka_unit_test(test_a_right_with_a_legal_basis_returns_it),
	    cmocka_unit_test(test_a_legal_basis_wins_over_a_right_needing_consent),
	    cmocka_unit_test(test_without_a_right_nothing_is_allowed),
	    cmocka_unit_test(test_member_id_valid),
	    cmocka_unit_test(test_refuses_a_file_that_is_not_json),
	    cmocka_unit_test(test_refuses_a_missing_or_unusable_certificate),
	    cmocka_unit_test(test_refuses_invalid_member_ids),
	    cmocka_unit_test(test_refuses_a_member_listed_twice),
	    cmocka_unit_test(test_refuses_top_level_members_of_the_wrong_type),
	    cmocka_unit_test(test_refuses_member_entries_of_the_wrong_type),
	    cmocka_unit_test(test_refuses_member_url_and_document_type_of_the_wrong_type),
	    cmocka_unit_test(test_refuses_a_document_type_too_long_to_keep),
	    cmocka_unit_test(test_refuses_rights_of_the_wrong_shape),
	    cmocka_unit_test(test_refuses_a_right_whose_client_is_not_a_member_id),
	    cmocka_unit_test(test_refuses_a_right_whose_provider_is_neither_an_id_nor_a_wildcard),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
