/*
 * signer_pkcs11.c — struct signer_ops over a PKCS#11 token (signer_pkcs11.h).
 *
 * The module is loaded with dlopen, once per path for the whole process, and
 * initialised with CKF_OS_LOCKING_OK (several signers of one role share it;
 * each signer is used by several threads). A signer keeps one session open for
 * its whole life: the token stays logged in while any session of ours is open
 * (PKCS#11 v2.40 §5.6, login state is per application), so the PIN is needed
 * once and wiped at once. Signing takes an idle session from a small pool (a
 * mutex held for a pop and a push, never across C_Sign) or opens one: PKCS#11
 * forbids two operations at once on one session, and a pool lets threads sign
 * in parallel where the token can.
 *
 * Never: read a private key's value, accept a key the token would let out,
 * keep a PIN after C_Login, trust a length the module returns without
 * checking it against the curve's. The module is not fork-safe: a process that
 * forks opens its token signers after the fork.
 */
#include "credential/signer_pkcs11.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <p11-kit/pkcs11.h>

#include "core/error.h"
#include "credential/signer.h"

#define STAGE            "pkcs11"
#define URI_LIMIT        4096
#define OBJECT_LIMIT     256 /* an object label */
#define ID_LIMIT         128 /* an object id, bytes */
#define PIN_LIMIT        256
#define SLOT_LIMIT       64
#define SESSION_POOL_MAX 32
#define EC_POINT_LIMIT   256
#define EC_PARAMS_LIMIT  64

/* RFC 7512 §2.3: path attributes select a token and an object; query
 * attributes say how to reach it. Empty strings: not given. */
struct pkcs11_uri {
	char token[33];
	char manufacturer[33];
	char model[17];
	char serial[17];
	char object[OBJECT_LIMIT];
	uint8_t id[ID_LIMIT];
	size_t id_len;
	char module[PATH_MAX];
	char pin_source[PATH_MAX];
};

bool signer_pkcs11_is_uri(const char *text)
{
	return text != NULL && strncasecmp(text, "pkcs11:", 7) == 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3986 §2.1 percent-decoding of [in, in + n) into out (cap bytes, NUL
 * terminated when text); -1 on a bad escape, a NUL in text, or no room. */
static long percent_decode(const char *in, size_t n, uint8_t *out, size_t cap, bool text)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)in[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= n)
				return -1;
			hi = hex_value(in[i + 1]);
			lo = hex_value(in[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if ((text && c == 0) || o + (text ? 1 : 0) >= cap)
			return -1;
		out[o++] = (uint8_t)c;
	}
	if (text)
		out[o] = 0;
	return (long)o;
}

static hr_status uri_attribute(struct pkcs11_uri *u, const char *name, size_t name_len,
			       const char *value, size_t value_len, bool query,
			       struct hr_error *err)
{
	static const struct {
		const char *name;
		bool query;
		size_t offset, size;
	} text_attrs[] = {
	    {"token", false, offsetof(struct pkcs11_uri, token), 33},
	    {"manufacturer", false, offsetof(struct pkcs11_uri, manufacturer), 33},
	    {"model", false, offsetof(struct pkcs11_uri, model), 17},
	    {"serial", false, offsetof(struct pkcs11_uri, serial), 17},
	    {"object", false, offsetof(struct pkcs11_uri, object), OBJECT_LIMIT},
	    {"module-path", true, offsetof(struct pkcs11_uri, module), PATH_MAX},
	    {"pin-source", true, offsetof(struct pkcs11_uri, pin_source), PATH_MAX},
	};
	long n;

	for (size_t i = 0; i < sizeof(text_attrs) / sizeof(text_attrs[0]); i++) {
		if (strlen(text_attrs[i].name) != name_len ||
		    memcmp(text_attrs[i].name, name, name_len) != 0 || text_attrs[i].query != query)
			continue;
		n = percent_decode(value, value_len, (uint8_t *)u + text_attrs[i].offset,
				   text_attrs[i].size, true);
		if (n < 0)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "the PKCS#11 URI's %s is malformed or too long",
					    text_attrs[i].name);
		return HR_OK;
	}
	if (!query && name_len == 2 && memcmp(name, "id", 2) == 0) {
		if ((n = percent_decode(value, value_len, u->id, sizeof(u->id), false)) < 0)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "the PKCS#11 URI's id is malformed or too long");
		u->id_len = (size_t)n;
		return HR_OK;
	}
	if (!query && name_len == 4 && memcmp(name, "type", 4) == 0) {
		if (value_len == 7 && memcmp(value, "private", 7) == 0)
			return HR_OK;
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a PKCS#11 signing key has type=private, not %.*s",
				    (int)value_len, value);
	}
	if (query && name_len == 9 && memcmp(name, "pin-value", 9) == 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "pin-value would put the PIN in the configuration: use "
				    "pin-source=file:PATH (mode 0600) or pin-source=env:NAME");
	/* RFC 7512 §2.3 lets a consumer ignore unknown attributes; a key we
	 * chose by fewer attributes than the operator wrote is worse than an error */
	return hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
			    "the PKCS#11 URI attribute '%.*s' is not supported", (int)name_len,
			    name);
}

/* Splits [p, end) at sep into name=value attributes. */
static hr_status uri_attributes(struct pkcs11_uri *u, const char *p, const char *end, char sep,
				bool query, struct hr_error *err)
{
	while (p < end) {
		const char *next = memchr(p, sep, (size_t)(end - p));
		const char *eq;
		hr_status rc;
		if (next == NULL)
			next = end;
		if (next > p) {
			if ((eq = memchr(p, '=', (size_t)(next - p))) == NULL)
				return hr_error_set(err, HR_E_INVALID, STAGE,
						    "the PKCS#11 URI attribute '%.*s' has no value",
						    (int)(next - p), p);
			if ((rc = uri_attribute(u, p, (size_t)(eq - p), eq + 1,
						(size_t)(next - eq - 1), query, err)) != HR_OK)
				return rc;
		}
		p = next + 1;
	}
	return HR_OK;
}

static hr_status uri_parse(const char *text, struct pkcs11_uri *u, struct hr_error *err)
{
	size_t len = strnlen(text, URI_LIMIT + 1);
	const char *path, *query, *end = text + len;
	const char *module;
	hr_status rc;

	memset(u, 0, sizeof(*u));
	if (!signer_pkcs11_is_uri(text))
		return hr_error_set(err, HR_E_INVALID, STAGE, "not a pkcs11: URI");
	if (len > URI_LIMIT)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "the PKCS#11 URI is too long");
	path = text + 7;
	query = memchr(path, '?', (size_t)(end - path));
	if ((rc = uri_attributes(u, path, query ? query : end, ';', false, err)) != HR_OK ||
	    (query && (rc = uri_attributes(u, query + 1, end, '&', true, err)) != HR_OK))
		return rc;
	if (u->object[0] == 0 && u->id_len == 0)
		return hr_error_set(
		    err, HR_E_INVALID, STAGE,
		    "the PKCS#11 URI names no key: give object= (its label) or id=");
	if (u->module[0] == 0) {
		module = getenv("HROMADA_PKCS11_MODULE");
		if (module == NULL || module[0] == 0)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "the PKCS#11 URI names no module: give "
					    "module-path=/path/to/module.so or set "
					    "HROMADA_PKCS11_MODULE");
		if (strlen(module) >= sizeof(u->module))
			return hr_error_set(err, HR_E_TOO_LARGE, STAGE,
					    "HROMADA_PKCS11_MODULE is too long");
		memcpy(u->module, module, strlen(module) + 1);
	}
	return HR_OK;
}

/* A loaded module, shared by every signer of the process that names its path. */
struct module {
	char path[PATH_MAX];
	void *library;
	CK_FUNCTION_LIST_PTR f;
	bool finalize; /* we initialised it, so we finalise it */
	unsigned refs;
	struct module *next;
};

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct module *modules;

static hr_status module_acquire(const char *path, struct module **out, struct hr_error *err)
{
	CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
	CK_C_GetFunctionList get;
	struct module *m;
	hr_status rc = HR_OK;
	CK_RV rv;

	*out = NULL;
	pthread_mutex_lock(&modules_lock);
	for (m = modules; m != NULL; m = m->next) {
		if (strcmp(m->path, path) == 0) {
			m->refs++;
			*out = m;
			goto done;
		}
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	snprintf(m->path, sizeof(m->path), "%s", path);
	if ((m->library = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		rc = hr_error_set(err, HR_E_NOT_FOUND, STAGE, "cannot load the PKCS#11 module: %s",
				  dlerror());
		goto fail;
	}
	*(void **)&get = dlsym(m->library, "C_GetFunctionList");
	if (get == NULL || get(&m->f) != CKR_OK || m->f == NULL) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "%s is not a PKCS#11 module (no C_GetFunctionList)", path);
		goto fail;
	}
	rv = m->f->C_Initialize(&args);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		rc = hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				  "the PKCS#11 module %s failed to initialise (CKR 0x%lx)", path,
				  (unsigned long)rv);
		goto fail;
	}
	m->finalize = rv == CKR_OK;
	m->refs = 1;
	m->next = modules;
	modules = m;
	*out = m;
	goto done;
fail:
	if (m->library != NULL)
		dlclose(m->library);
	free(m);
done:
	pthread_mutex_unlock(&modules_lock);
	return rc;
}

static void module_release(struct module *m)
{
	struct module **p;

	if (m == NULL)
		return;
	pthread_mutex_lock(&modules_lock);
	if (--m->refs == 0) {
		for (p = &modules; *p != NULL; p = &(*p)->next) {
			if (*p == m) {
				*p = m->next;
				break;
			}
		}
		if (m->finalize)
			m->f->C_Finalize(NULL);
		dlclose(m->library);
		free(m);
	}
	pthread_mutex_unlock(&modules_lock);
}

/* A blank-padded token info field equals the URI's value (empty: any). */
static bool field_matches(const unsigned char *field, size_t width, const char *want)
{
	size_t n = strlen(want);

	if (n == 0)
		return true;
	if (n > width || memcmp(field, want, n) != 0)
		return false;
	for (size_t i = n; i < width; i++)
		if (field[i] != ' ')
			return false;
	return true;
}

static hr_status token_find(const struct module *m, const struct pkcs11_uri *u, CK_SLOT_ID *slot,
			    CK_FLAGS *flags, struct hr_error *err)
{
	CK_SLOT_ID slots[SLOT_LIMIT];
	CK_ULONG count = SLOT_LIMIT;
	CK_TOKEN_INFO info;
	CK_RV rv;

	if ((rv = m->f->C_GetSlotList(CK_TRUE, slots, &count)) != CKR_OK)
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "cannot list the module's tokens (CKR 0x%lx)",
				    (unsigned long)rv);
	for (CK_ULONG i = 0; i < count && i < SLOT_LIMIT; i++) {
		if (m->f->C_GetTokenInfo(slots[i], &info) != CKR_OK)
			continue;
		if (field_matches(info.label, sizeof(info.label), u->token) &&
		    field_matches(info.manufacturerID, sizeof(info.manufacturerID),
				  u->manufacturer) &&
		    field_matches(info.model, sizeof(info.model), u->model) &&
		    field_matches(info.serialNumber, sizeof(info.serialNumber), u->serial)) {
			*slot = slots[i];
			*flags = info.flags;
			return HR_OK;
		}
	}
	return hr_error_set(err, HR_E_NOT_FOUND, STAGE, "no token%s%s in %s",
			    u->token[0] ? " labelled " : "", u->token, u->module);
}

/* The PIN from pin-source into pin (wiped by the caller). */
static hr_status pin_read(const char *source, char *pin, size_t cap, size_t *len,
			  struct hr_error *err)
{
	const char *path, *value;
	struct stat st;
	ssize_t n;
	int fd;

	*len = 0;
	if (strncmp(source, "env:", 4) == 0) {
		if ((value = getenv(source + 4)) == NULL)
			return hr_error_set(err, HR_E_NOT_FOUND, STAGE,
					    "pin-source: the environment has no %s", source + 4);
		if ((*len = strlen(value)) >= cap)
			return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "the PIN is too long");
		memcpy(pin, value, *len);
		return HR_OK;
	}
	if (strncmp(source, "file:", 5) != 0)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "pin-source must be file:PATH or env:NAME");
	path = source + 5;
	if (strncmp(path, "//", 2) == 0)
		path += 2; /* file:///etc/pin */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return hr_error_set(err, errno == ENOENT ? HR_E_NOT_FOUND : HR_E_IO, STAGE,
				    "cannot open the PIN file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		close(fd);
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "the PIN file %s may be read by others: chmod 600 it", path);
	}
	n = read(fd, pin, cap);
	close(fd);
	if (n < 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot read %s", path);
	if ((size_t)n >= cap)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "%s is too long for a PIN", path);
	while (n > 0 && (pin[n - 1] == '\n' || pin[n - 1] == '\r'))
		n--;
	*len = (size_t)n;
	return HR_OK;
}

static hr_status token_login(const struct module *m, CK_SESSION_HANDLE session, CK_FLAGS flags,
			     const struct pkcs11_uri *u, struct hr_error *err)
{
	char pin[PIN_LIMIT];
	size_t len = 0;
	hr_status rc;
	CK_RV rv;

	if ((flags & CKF_LOGIN_REQUIRED) == 0 && u->pin_source[0] == 0)
		return HR_OK;
	if (u->pin_source[0] == 0)
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "token %s needs a PIN: give pin-source=file:PATH in the URI",
				    u->token);
	if ((rc = pin_read(u->pin_source, pin, sizeof(pin), &len, err)) == HR_OK) {
		rv = m->f->C_Login(session, CKU_USER, (CK_UTF8CHAR_PTR)pin, len);
		if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LEN_RANGE || rv == CKR_PIN_INVALID)
			rc = hr_error_set(err, HR_E_DENIED, STAGE,
					  "token %s refused the PIN from %s", u->token,
					  u->pin_source);
		else if (rv == CKR_PIN_LOCKED)
			rc = hr_error_set(err, HR_E_DENIED, STAGE, "token %s: the PIN is locked",
					  u->token);
		else if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
			rc = hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
					  "token %s: login failed (CKR 0x%lx)", u->token,
					  (unsigned long)rv);
	}
	OPENSSL_cleanse(pin, sizeof(pin));
	return rc;
}

/* The one object of class cls the URI names: HR_E_NOT_FOUND for none,
 * HR_E_INVALID for several (never a guess). */
static hr_status object_find(const struct module *m, CK_SESSION_HANDLE session, CK_OBJECT_CLASS cls,
			     const struct pkcs11_uri *u, CK_OBJECT_HANDLE *out,
			     struct hr_error *err)
{
	CK_ATTRIBUTE query[3];
	CK_OBJECT_HANDLE found[2];
	CK_ULONG n = 0, count = 0;
	CK_RV rv;

	query[n++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof(cls)};
	if (u->object[0])
		query[n++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)u->object, strlen(u->object)};
	if (u->id_len)
		query[n++] = (CK_ATTRIBUTE){CKA_ID, (void *)u->id, u->id_len};
	if ((rv = m->f->C_FindObjectsInit(session, query, n)) != CKR_OK)
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "cannot search token %s (CKR 0x%lx)", u->token,
				    (unsigned long)rv);
	rv = m->f->C_FindObjects(session, found, 2, &count);
	m->f->C_FindObjectsFinal(session);
	if (rv != CKR_OK)
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "cannot search token %s (CKR 0x%lx)", u->token,
				    (unsigned long)rv);
	if (count == 0)
		return hr_error_set(err, HR_E_NOT_FOUND, STAGE, "token %s holds no %s key '%s'%s",
				    u->token, cls == CKO_PRIVATE_KEY ? "private" : "public",
				    u->object, u->id_len ? " of that id" : "");
	if (count > 1)
		return hr_error_set(
		    err, HR_E_INVALID, STAGE,
		    "token %s holds several %s keys matching '%s': add id=", u->token,
		    cls == CKO_PRIVATE_KEY ? "private" : "public", u->object);
	*out = found[0];
	return HR_OK;
}

/* DER of the named curves we sign with (RFC 5480 §2.1.1.1). */
static const uint8_t oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t oid_p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};

static enum key_kind curve_of(const uint8_t *params, size_t len)
{
	if (len == sizeof(oid_p256) && memcmp(params, oid_p256, len) == 0)
		return KEY_KIND_P256;
	if (len == sizeof(oid_p384) && memcmp(params, oid_p384, len) == 0)
		return KEY_KIND_P384;
	return KEY_KIND_UNSUPPORTED;
}

/* An EVP_PKEY from CKA_EC_POINT: the uncompressed point, as PKCS#11 v2.40
 * says in a DER OCTET STRING, or bare as some modules give it. */
static EVP_PKEY *public_key_from_point(enum key_kind kind, const uint8_t *point, size_t len)
{
	size_t field = kind == KEY_KIND_P256 ? 32 : 48, want = 1 + 2 * field;
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;

	if (len == want + 2 && point[0] == 0x04 && point[1] == want) {
		point += 2;
		len -= 2;
	}
	if (len != want || point[0] != 0x04)
		return NULL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    kind == KEY_KIND_P256 ? "prime256v1" : "secp384r1",
					    0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, len) == 1)
		params = OSSL_PARAM_BLD_to_param(bld);
	if (params != NULL && (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

struct pkcs11_key {
	struct module *module;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE login; /* open for the signer's life: keeps the login */
	CK_OBJECT_HANDLE key;    /* one handle in all sessions of the process */
	const EVP_MD *digest;
	size_t field_bytes;
	char token[33];
	pthread_mutex_t lock;
	CK_SESSION_HANDLE idle[SESSION_POOL_MAX];
	size_t idle_count;
};

static hr_status session_take(struct pkcs11_key *k, CK_SESSION_HANDLE *out, struct hr_error *err)
{
	CK_RV rv;

	pthread_mutex_lock(&k->lock);
	if (k->idle_count > 0) {
		*out = k->idle[--k->idle_count];
		pthread_mutex_unlock(&k->lock);
		return HR_OK;
	}
	pthread_mutex_unlock(&k->lock);
	rv = k->module->f->C_OpenSession(k->slot, CKF_SERIAL_SESSION, NULL, NULL, out);
	if (rv != CKR_OK)
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "token %s: cannot open a session (CKR 0x%lx)", k->token,
				    (unsigned long)rv);
	return HR_OK;
}

static void session_give(struct pkcs11_key *k, CK_SESSION_HANDLE session, bool healthy)
{
	pthread_mutex_lock(&k->lock);
	if (healthy && k->idle_count < SESSION_POOL_MAX) {
		k->idle[k->idle_count++] = session;
		session = CK_INVALID_HANDLE;
	}
	pthread_mutex_unlock(&k->lock);
	if (session != CK_INVALID_HANDLE)
		k->module->f->C_CloseSession(session);
}

/* ECDSA over the digest we compute: CKM_ECDSA gives r||s, each the curve's
 * width (PKCS#11 v2.40 §2.3.1), which is what COSE wants. */
static hr_status pkcs11_sign(void *impl, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
			     size_t *sig_len, struct hr_error *err)
{
	struct pkcs11_key *k = impl;
	CK_MECHANISM mechanism = {CKM_ECDSA, NULL, 0};
	CK_SESSION_HANDLE session;
	uint8_t digest[EVP_MAX_MD_SIZE], out[2 * 66];
	unsigned int digest_len = 0;
	CK_ULONG out_len = sizeof(out);
	hr_status rc;
	CK_RV rv;

	if (*sig_len < 2 * k->field_bytes)
		return hr_error_set(err, HR_E_TOO_LARGE, STAGE, "no room for the signature");
	if (EVP_Digest(tbs, tbs_len, digest, &digest_len, k->digest, NULL) != 1)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot hash the data to sign");
	if ((rc = session_take(k, &session, err)) != HR_OK)
		return rc;
	rv = k->module->f->C_SignInit(session, &mechanism, k->key);
	if (rv == CKR_OK)
		rv = k->module->f->C_Sign(session, digest, digest_len, out, &out_len);
	/* a failed operation may leave the session busy: never reuse it */
	session_give(k, session, rv == CKR_OK);
	if (rv != CKR_OK)
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "token %s did not sign (CKR 0x%lx)", k->token,
				    (unsigned long)rv);
	if (out_len != 2 * k->field_bytes)
		return hr_error_set(err, HR_E_CRYPTO, STAGE,
				    "token %s gave a %lu-byte ECDSA signature, not %zu", k->token,
				    (unsigned long)out_len, 2 * k->field_bytes);
	memcpy(sig, out, out_len);
	*sig_len = out_len;
	return HR_OK;
}

static void pkcs11_free(void *impl)
{
	struct pkcs11_key *k = impl;

	if (k == NULL)
		return;
	if (k->module != NULL) {
		for (size_t i = 0; i < k->idle_count; i++)
			k->module->f->C_CloseSession(k->idle[i]);
		/* the last session closed logs the token out */
		if (k->login != CK_INVALID_HANDLE)
			k->module->f->C_CloseSession(k->login);
	}
	module_release(k->module);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

static const struct signer_ops pkcs11_ops = {pkcs11_sign, pkcs11_free};

static bool attribute_bool(const struct module *m, CK_SESSION_HANDLE session,
			   CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, bool otherwise)
{
	CK_BBOOL value = CK_FALSE;
	CK_ATTRIBUTE a = {type, &value, sizeof(value)};

	if (m->f->C_GetAttributeValue(session, object, &a, 1) != CKR_OK)
		return otherwise;
	return value == CK_TRUE;
}

/* Checks the private key and reads the public one beside it. */
static hr_status key_inspect(struct pkcs11_key *k, const struct pkcs11_uri *u,
			     EVP_PKEY **public_key, struct hr_error *err)
{
	const struct module *m = k->module;
	CK_KEY_TYPE type = 0;
	uint8_t params[EC_PARAMS_LIMIT], point[EC_POINT_LIMIT];
	CK_ATTRIBUTE a[2] = {{CKA_KEY_TYPE, &type, sizeof(type)},
			     {CKA_EC_PARAMS, params, sizeof(params)}};
	CK_ATTRIBUTE p = {CKA_EC_POINT, point, sizeof(point)};
	CK_OBJECT_HANDLE public_object;
	const struct cose_alg *alg;
	enum key_kind kind;
	hr_status rc;

	*public_key = NULL;
	if (m->f->C_GetAttributeValue(k->login, k->key, a, 2) != CKR_OK || type != CKK_EC ||
	    (kind = curve_of(params, a[1].ulValueLen)) == KEY_KIND_UNSUPPORTED)
		return hr_error_set(err, HR_E_UNSUPPORTED, STAGE,
				    "token key '%s' is not an EC P-256 or P-384 key", u->object);
	if (!attribute_bool(m, k->login, k->key, CKA_SIGN, false))
		return hr_error_set(err, HR_E_DENIED, STAGE, "token key '%s' may not sign",
				    u->object);
	if (attribute_bool(m, k->login, k->key, CKA_EXTRACTABLE, true) ||
	    !attribute_bool(m, k->login, k->key, CKA_SENSITIVE, false))
		return hr_error_set(err, HR_E_DENIED, STAGE,
				    "token key '%s' could be exported (CKA_EXTRACTABLE or not "
				    "CKA_SENSITIVE): make it in the token with `hromada keys "
				    "pkcs11-generate`",
				    u->object);
	if ((rc = object_find(m, k->login, CKO_PUBLIC_KEY, u, &public_object, err)) != HR_OK)
		return rc;
	if (m->f->C_GetAttributeValue(k->login, public_object, &p, 1) != CKR_OK ||
	    (*public_key = public_key_from_point(kind, point, p.ulValueLen)) == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "token %s: the public key '%s' has no usable CKA_EC_POINT",
				    u->token, u->object);
	alg = cose_alg_for_key(kind);
	k->digest = EVP_get_digestbyname(alg->digest);
	k->field_bytes = alg->field_bytes;
	if (k->digest == NULL) {
		EVP_PKEY_free(*public_key);
		*public_key = NULL;
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "no %s digest", alg->digest);
	}
	return HR_OK;
}

/* Loads the module, finds the token, opens a session (read-write when asked)
 * and logs in. */
static hr_status token_open(const struct pkcs11_uri *u, bool write, struct module **m,
			    CK_SLOT_ID *slot, CK_SESSION_HANDLE *session, struct hr_error *err)
{
	CK_FLAGS flags = 0;
	hr_status rc;
	CK_RV rv;

	*session = CK_INVALID_HANDLE;
	if ((rc = module_acquire(u->module, m, err)) != HR_OK)
		return rc;
	if ((rc = token_find(*m, u, slot, &flags, err)) != HR_OK)
		return rc;
	rv = (*m)->f->C_OpenSession(*slot, CKF_SERIAL_SESSION | (write ? CKF_RW_SESSION : 0), NULL,
				    NULL, session);
	if (rv != CKR_OK) {
		*session = CK_INVALID_HANDLE;
		return hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				    "token %s: cannot open a session (CKR 0x%lx)", u->token,
				    (unsigned long)rv);
	}
	return token_login(*m, *session, flags, u, err);
}

hr_status signer_pkcs11_open(const char *uri, const struct signer_cert *cert, struct signer **out,
			     struct hr_error *err)
{
	struct pkcs11_uri *u = calloc(1, sizeof(*u));
	struct pkcs11_key *k = calloc(1, sizeof(*k));
	EVP_PKEY *public_key = NULL;
	hr_status rc;

	*out = NULL;
	if (u == NULL || k == NULL) {
		free(u);
		free(k);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	k->login = CK_INVALID_HANDLE;
	pthread_mutex_init(&k->lock, NULL);
	if ((rc = uri_parse(uri, u, err)) != HR_OK)
		goto fail;
	snprintf(k->token, sizeof(k->token), "%s", u->token);
	if ((rc = token_open(u, false, &k->module, &k->slot, &k->login, err)) != HR_OK ||
	    (rc = object_find(k->module, k->login, CKO_PRIVATE_KEY, u, &k->key, err)) != HR_OK ||
	    (rc = key_inspect(k, u, &public_key, err)) != HR_OK)
		goto fail;
	free(u);
	rc = signer_from_ops(&pkcs11_ops, k, public_key, cert, out, err);
	EVP_PKEY_free(public_key);
	return rc;
fail:
	free(u);
	pkcs11_free(k);
	return rc;
}

hr_status signer_pkcs11_generate(const char *uri, enum key_kind kind, struct hr_error *err)
{
	struct pkcs11_uri *u = calloc(1, sizeof(*u));
	struct module *m = NULL;
	CK_SLOT_ID slot = 0;
	CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
	CK_OBJECT_HANDLE existing, public_object, private_object;
	CK_MECHANISM mechanism = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	uint8_t id[16];
	hr_status rc;
	CK_RV rv;

	if (u == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (kind != KEY_KIND_P256 && kind != KEY_KIND_P384) {
		rc = hr_error_set(err, HR_E_UNSUPPORTED, STAGE, "a token key is P-256 or P-384");
		goto done;
	}
	if ((rc = uri_parse(uri, u, err)) != HR_OK)
		goto done;
	if (u->object[0] == 0) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "give the new key a label: object= in the URI");
		goto done;
	}
	if ((rc = token_open(u, true, &m, &slot, &session, err)) != HR_OK)
		goto done;
	if (object_find(m, session, CKO_PRIVATE_KEY, u, &existing, NULL) != HR_E_NOT_FOUND ||
	    object_find(m, session, CKO_PUBLIC_KEY, u, &existing, NULL) != HR_E_NOT_FOUND) {
		rc = hr_error_set(err, HR_E_CONFLICT, STAGE,
				  "token %s already holds a key '%s': never replaced", u->token,
				  u->object);
		goto done;
	}
	if (u->id_len == 0) {
		if (RAND_bytes(id, sizeof(id)) != 1) {
			rc = hr_error_set(err, HR_E_CRYPTO, STAGE, "no random id");
			goto done;
		}
		memcpy(u->id, id, sizeof(id));
		u->id_len = sizeof(id);
	}
	{
		const uint8_t *oid = kind == KEY_KIND_P256 ? oid_p256 : oid_p384;
		CK_ULONG oid_len = kind == KEY_KIND_P256 ? sizeof(oid_p256) : sizeof(oid_p384);
		CK_ULONG label_len = strlen(u->object);
		CK_ATTRIBUTE public_template[] = {
		    {CKA_TOKEN, &yes, sizeof(yes)},
		    {CKA_VERIFY, &yes, sizeof(yes)},
		    {CKA_EC_PARAMS, (void *)oid, oid_len},
		    {CKA_LABEL, u->object, label_len},
		    {CKA_ID, u->id, u->id_len},
		};
		CK_ATTRIBUTE private_template[] = {
		    {CKA_TOKEN, &yes, sizeof(yes)},     {CKA_PRIVATE, &yes, sizeof(yes)},
		    {CKA_SENSITIVE, &yes, sizeof(yes)}, {CKA_EXTRACTABLE, &no, sizeof(no)},
		    {CKA_SIGN, &yes, sizeof(yes)},      {CKA_DERIVE, &no, sizeof(no)},
		    {CKA_LABEL, u->object, label_len},  {CKA_ID, u->id, u->id_len},
		};
		rv = m->f->C_GenerateKeyPair(session, &mechanism, public_template,
					     sizeof(public_template) / sizeof(public_template[0]),
					     private_template,
					     sizeof(private_template) / sizeof(private_template[0]),
					     &public_object, &private_object);
	}
	if (rv != CKR_OK)
		rc = hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
				  "token %s did not generate the key (CKR 0x%lx)", u->token,
				  (unsigned long)rv);
done:
	if (session != CK_INVALID_HANDLE)
		m->f->C_CloseSession(session);
	module_release(m);
	free(u);
	return rc;
}
