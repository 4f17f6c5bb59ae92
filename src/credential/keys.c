/*
 * keys.c — P-256 keys and X.509 certificates for a country and for the trust
 * gateway, with the extensions verifiers rely on: basic constraints, key usage,
 * subject and authority key identifiers, and the EKU that says which documents a
 * signer may sign (signer_cert.h).
 */
#include "credential/keys.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "core/documents.h"
#include "core/error.h"
#include "credential/signer_cert.h"

#define STAGE "keys"

struct identity {
	EVP_PKEY *key;
	X509 *cert;
};

static void identity_clear(struct identity *id)
{
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	id->key = NULL;
	id->cert = NULL;
}

static hr_status make_dir(const char *path, struct hr_error *err)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return hr_error_set(err, HR_E_INVALID, STAGE, "path too long");
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", buf,
					    strerror(errno));
		buf[i] = path[i];
	}
	return HR_OK;
}

static bool file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static hr_status add_ext(X509 *cert, X509 *issuer, int nid, const char *value, struct hr_error *err)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL || !X509_add_ext(cert, ext, -1)) {
		X509_EXTENSION_free(ext);
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot add extension %s", value);
	}
	X509_EXTENSION_free(ext);
	return HR_OK;
}

/* Issues a certificate for subject's key; a NULL issuer makes it self-signed. */
static hr_status certify(struct identity *subject, const struct identity *issuer,
			 const char *country, const char *common_name, int days, bool ca,
			 const char *eku, struct hr_error *err)
{
	X509 *cert = X509_new();
	X509 *issuer_cert;
	X509_NAME *name = X509_NAME_new();
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	hr_status rc = HR_E_CRYPTO;

	if (cert == NULL || name == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f; /* positive, RFC 5280 §4.1.2.2 */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL)
		goto fail;
	if (!X509_set_version(cert, 2) || !X509_gmtime_adj(X509_getm_notBefore(cert), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400) ||
	    !X509_set_pubkey(cert, subject->key))
		goto fail;
	if (!X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)country, -1,
					-1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Hromada",
					-1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)common_name, -1, -1, 0) ||
	    !X509_set_subject_name(cert, name))
		goto fail;
	issuer_cert = issuer ? issuer->cert : cert;
	if (!X509_set_issuer_name(cert, X509_get_subject_name(issuer_cert)))
		goto fail;
	if ((rc = add_ext(cert, issuer_cert, NID_basic_constraints,
			  ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE", err)) != HR_OK ||
	    (rc = add_ext(cert, issuer_cert, NID_key_usage,
			  ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature",
			  err)) != HR_OK ||
	    (rc = add_ext(cert, issuer_cert, NID_subject_key_identifier, "hash", err)) != HR_OK ||
	    (rc = add_ext(cert, issuer_cert, NID_authority_key_identifier, "keyid:always", err)) !=
		HR_OK ||
	    (eku && (rc = add_ext(cert, issuer_cert, NID_ext_key_usage, eku, err)) != HR_OK))
		goto fail;
	rc = HR_E_CRYPTO;
	if (!X509_sign(cert, issuer ? issuer->key : subject->key, EVP_sha256()))
		goto fail;
	subject->cert = cert;
	BN_free(bn);
	X509_NAME_free(name);
	return HR_OK;
fail:
	BN_free(bn);
	X509_NAME_free(name);
	X509_free(cert);
	return rc == HR_E_CRYPTO ? hr_error_set(err, HR_E_CRYPTO, STAGE,
						"cannot create the certificate for %s", common_name)
				 : rc;
}

static hr_status write_identity(const char *dir, const struct identity *id, struct hr_error *err)
{
	char path[PATH_MAX];
	FILE *f;
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "%s/key.pem", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", path,
				    strerror(errno));
	}
	ok = PEM_write_PrivateKey(f, id->key, NULL, NULL, 0, NULL, NULL) == 1;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot write %s", path);
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	if ((f = fopen(path, "w")) == NULL)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", path,
				    strerror(errno));
	ok = PEM_write_X509(f, id->cert) == 1;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot write %s", path);
	return HR_OK;
}

static hr_status read_identity(const char *dir, struct identity *id, struct hr_error *err)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/key.pem", dir);
	if ((f = fopen(path, "r")) == NULL)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot open %s: %s", path,
				    strerror(errno));
	id->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	if ((f = fopen(path, "r")) == NULL) {
		identity_clear(id);
		return hr_error_set(err, HR_E_IO, STAGE, "cannot open %s: %s", path,
				    strerror(errno));
	}
	id->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (id->key == NULL || id->cert == NULL) {
		identity_clear(id);
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "%s holds an unreadable key or certificate", dir);
	}
	return HR_OK;
}

/* Creates the identity in dir unless it already exists; loads it either way
 * when keep is given. */
static hr_status ensure_identity(const char *dir, const struct identity *issuer,
				 const char *country, const char *common_name, int days, bool ca,
				 const char *eku, struct identity *keep, struct hr_error *err)
{
	char path[PATH_MAX];
	struct identity id = {NULL, NULL};
	hr_status rc;

	snprintf(path, sizeof(path), "%s/key.pem", dir);
	if (file_exists(path))
		return keep ? read_identity(dir, keep, err) : HR_OK;
	if ((rc = make_dir(dir, err)) != HR_OK)
		return rc;
	id.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (id.key == NULL)
		return hr_error_set(err, HR_E_CRYPTO, STAGE, "cannot generate a P-256 key");
	if ((rc = certify(&id, issuer, country, common_name, days, ca, eku, err)) != HR_OK ||
	    (rc = write_identity(dir, &id, err)) != HR_OK) {
		identity_clear(&id);
		return rc;
	}
	if (keep)
		*keep = id;
	else
		identity_clear(&id);
	return HR_OK;
}

void keys_signer_dir(const char *country_dir, const char *type, char *out, size_t size)
{
	snprintf(out, size, "%s/signers/%s", country_dir, type);
}

hr_status keys_create_country(const struct keys_country_options *o, struct hr_error *err)
{
	struct identity root = {NULL, NULL};
	char dir[PATH_MAX], cn[160], eku[160], member[128];
	hr_status rc;

	if (o->country == NULL || strlen(o->country) != 2)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "country must be two letters, e.g. UA");
	snprintf(dir, sizeof(dir), "%s/root", o->dir);
	snprintf(cn, sizeof(cn), "Hromada %s Country Signing CA", o->country);
	if ((rc = ensure_identity(dir, NULL, o->country, cn, KEYS_ROOT_DAYS, true, NULL, &root,
				  err)) != HR_OK)
		return rc;
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		keys_signer_dir(o->dir, document_types[t], dir, sizeof(dir));
		snprintf(cn, sizeof(cn), "Hromada %s Document Signer %s", o->country,
			 document_types[t]);
		snprintf(eku, sizeof(eku), "%s.%d", HROMADA_EKU_ARC, t + 1);
		if ((rc = ensure_identity(dir, &root, o->country, cn, KEYS_SIGNER_DAYS, false, eku,
					  NULL, err)) != HR_OK)
			goto done;
	}
	/* the key of the audit log's signed tree heads (DESIGN.md §6) */
	snprintf(dir, sizeof(dir), "%s/tree-head", o->dir);
	snprintf(cn, sizeof(cn), "Hromada %s Audit Tree Head", o->country);
	if ((rc = ensure_identity(dir, &root, o->country, cn, KEYS_SIGNER_DAYS, false, NULL, NULL,
				  err)) != HR_OK)
		goto done;
	/* the key that signs the country's uploads to the trust service; the
	 * service is given its certificate out of band (docs/TRUST_LIST.md) */
	snprintf(dir, sizeof(dir), "%s/upload", o->dir);
	snprintf(cn, sizeof(cn), "Hromada %s Trust Upload", o->country);
	if ((rc = ensure_identity(dir, &root, o->country, cn, KEYS_SIGNER_DAYS, false, NULL, NULL,
				  err)) != HR_OK)
		goto done;
	keys_signer_dir(o->dir, "hcert", dir, sizeof(dir));
	snprintf(cn, sizeof(cn), "Hromada %s DCC Signer", o->country);
	if ((rc = ensure_identity(dir, &root, o->country, cn, KEYS_SIGNER_DAYS, false,
				  DCC_OID_TEST "," DCC_OID_VACCINATION "," DCC_OID_RECOVERY, NULL,
				  err)) != HR_OK)
		goto done;
	for (int i = 0; i < o->member_count; i++) {
		size_t j;
		snprintf(member, sizeof(member), "%s", o->members[i]);
		for (j = 0; member[j]; j++) {
			if (member[j] == '/')
				member[j] = '_';
			else if (member[j] == '.' && (j == 0 || member[j - 1] == '_'))
				member[j] = '-'; /* never a "." or ".." path segment */
		}
		snprintf(dir, sizeof(dir), "%s/members/%s", o->dir, member);
		snprintf(cn, sizeof(cn), "%s", o->members[i]);
		if ((rc = ensure_identity(dir, &root, o->country, cn, KEYS_SIGNER_DAYS, false, NULL,
					  NULL, err)) != HR_OK)
			goto done;
	}
done:
	identity_clear(&root);
	return rc;
}

hr_status keys_create_trust_signer(const char *dir, struct hr_error *err)
{
	return ensure_identity(dir, NULL, "EU", "Hromada Trust List Signer", KEYS_ROOT_DAYS, false,
			       NULL, NULL, err);
}

hr_status keys_certify_public_key(const struct keys_certificate_request *r, struct hr_error *err)
{
	struct identity issuer = {NULL, NULL};
	struct identity subject = {r->public_key, NULL};
	char country[4] = "", eku[160];
	const char *usage = NULL;
	FILE *f = NULL;
	int fd, t;
	bool ok;
	hr_status rc;

	if (r->usage != NULL && strcmp(r->usage, "hcert") == 0) {
		usage = DCC_OID_TEST "," DCC_OID_VACCINATION "," DCC_OID_RECOVERY;
	} else if (r->usage != NULL) {
		if ((t = document_type_index(r->usage)) < 0)
			return hr_error_set(err, HR_E_INVALID, STAGE, "unknown document type %s",
					    r->usage);
		snprintf(eku, sizeof(eku), "%s.%d", HROMADA_EKU_ARC, t + 1);
		usage = eku;
	}
	if ((rc = read_identity(r->issuer_dir, &issuer, err)) != HR_OK)
		return rc;
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(issuer.cert), NID_countryName, country,
				      sizeof(country)) != 2) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "%s/cert.pem names no country",
				  r->issuer_dir);
		goto done;
	}
	if ((rc = certify(&subject, &issuer, country, r->common_name, KEYS_SIGNER_DAYS, false,
			  usage, err)) != HR_OK)
		goto done;
	fd = open(r->cert_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		rc = hr_error_set(err, errno == EEXIST ? HR_E_CONFLICT : HR_E_IO, STAGE,
				  "cannot create %s: %s", r->cert_path, strerror(errno));
		goto done;
	}
	ok = PEM_write_X509(f, subject.cert) == 1;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		rc = hr_error_set(err, HR_E_IO, STAGE, "cannot write %s", r->cert_path);
done:
	X509_free(subject.cert);
	identity_clear(&issuer);
	return rc;
}

hr_status keys_load_signers(const char *country_dir, struct signer_cert ***certs, size_t *count,
			    struct hr_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent **names;
	struct signer_cert **out;
	int n;
	hr_status rc = HR_OK;

	*certs = NULL;
	*count = 0;
	snprintf(dir, sizeof(dir), "%s/signers", country_dir);
	if ((n = scandir(dir, &names, NULL, alphasort)) < 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot read %s: %s", dir,
				    strerror(errno));
	out = calloc((size_t)n + 1, sizeof(*out));
	for (int i = 0; i < n; i++) {
		if (rc == HR_OK && out != NULL && names[i]->d_name[0] != '.') {
			FILE *f;
			char pem[16384];
			size_t len;
			snprintf(path, sizeof(path), "%s/%s/cert.pem", dir, names[i]->d_name);
			if ((f = fopen(path, "r")) == NULL) {
				rc = hr_error_set(err, HR_E_IO, STAGE, "cannot open %s", path);
			} else {
				len = fread(pem, 1, sizeof(pem), f);
				fclose(f);
				rc = signer_cert_parse_first(pem, len, &out[*count], err);
				if (rc == HR_OK && out[*count] != NULL)
					(*count)++;
			}
		}
		free(names[i]);
	}
	free(names);
	if (out == NULL)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (rc != HR_OK) {
		for (size_t i = 0; out != NULL && i < *count; i++)
			signer_cert_free(out[i]);
		free(out);
		*count = 0;
		return rc;
	}
	*certs = out;
	return HR_OK;
}
