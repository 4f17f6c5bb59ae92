/*
 * trust_countries.c — onboarding: which countries may upload, with which key.
 *
 * A country is onboarded out of band, as in the EU DCC Gateway: its operator
 * hands the trust service two certificates, the upload key's and the country
 * signing CA's (the root every certificate the country publishes must chain
 * to). The service reads them from [trust] countries_dir at start:
 *
 *	countries_dir/UA/upload.pem   the key that signs UA's uploads
 *	countries_dir/UA/root.pem     UA's country signing CA
 *
 * Nothing the API receives can add a country or change these keys.
 */
#include "trust/trust_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>

#include "core/error.h"

#define STAGE "trust"

static X509 *read_pem(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (f == NULL)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return x;
}

static hr_status load_country(struct trust *t, const char *dir, const char *code,
			      struct hr_error *err)
{
	struct trust_country *c = &t->countries[t->country_count];
	char path[PATH_MAX];
	X509 *upload;

	snprintf(path, sizeof(path), "%s/%s/upload.pem", dir, code);
	if ((upload = read_pem(path)) == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s holds no PEM certificate", path);
	c->upload_key = X509_get_pubkey(upload);
	X509_free(upload);
	snprintf(path, sizeof(path), "%s/%s/root.pem", dir, code);
	c->root = read_pem(path);
	if (c->upload_key == NULL || c->root == NULL) {
		EVP_PKEY_free(c->upload_key);
		X509_free(c->root);
		memset(c, 0, sizeof(*c));
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s: no usable upload key or root",
				    path);
	}
	memcpy(c->code, code, 3);
	t->country_count++;
	return HR_OK;
}

hr_status trust_countries_load(struct trust *t, const char *dir, struct hr_error *err)
{
	struct dirent **names;
	int n;
	hr_status rc = HR_OK;

	if ((n = scandir(dir, &names, NULL, alphasort)) < 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot read countries_dir %s: %s", dir,
				    strerror(errno));
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		bool country = strlen(name) == 2 && isupper((unsigned char)name[0]) &&
			       isupper((unsigned char)name[1]);
		if (rc == HR_OK && country) {
			if (t->country_count == TRUST_COUNTRIES_MAX)
				rc = hr_error_set(err, HR_E_TOO_LARGE, STAGE,
						  "more than %d countries in %s",
						  TRUST_COUNTRIES_MAX, dir);
			else
				rc = load_country(t, dir, name, err);
		}
		free(names[i]);
	}
	free(names);
	if (rc == HR_OK && t->country_count == 0)
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "countries_dir %s onboards no country (expected CC/upload.pem "
				  "and CC/root.pem)",
				  dir);
	return rc;
}

void trust_countries_clear(struct trust *t)
{
	for (int i = 0; i < t->country_count; i++) {
		EVP_PKEY_free(t->countries[i].upload_key);
		X509_free(t->countries[i].root);
	}
	t->country_count = 0;
}

const struct trust_country *trust_country_find(const struct trust *t, const char *code)
{
	for (int i = 0; i < t->country_count; i++) {
		if (strcmp(t->countries[i].code, code) == 0)
			return &t->countries[i];
	}
	return NULL;
}
