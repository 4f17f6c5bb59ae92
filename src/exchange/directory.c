/*
 * directory.c — loading the member directory and deciding access rights.
 */
#include "exchange/directory.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/error.h"
#include "credential/signer_cert.h"
#include "core/json.h"

#define STAGE "directory"

struct right {
	char client[MEMBER_ID_MAX];
	char provider[MEMBER_ID_MAX];
	json_t *services; /* array of strings */
	json_t *purposes; /* array of strings */
	char *legal_basis;
};

struct directory {
	char gateway[MEMBER_ID_MAX];
	struct member gateway_member; /* its key when gateway_certificate is given */
	struct member *members;
	size_t member_count;
	struct right *rights;
	size_t right_count;
};

static hr_status load_key(const char *member, const char *path, const char *base_dir,
			  EVP_PKEY **out, struct hr_error *err)
{
	char full[PATH_MAX + 256];
	struct hr_error why = {0};
	hr_status rc;

	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", base_dir, path);
	if ((rc = signer_cert_public_key_file(full, out, &why)) != HR_OK)
		return hr_error_set(err, rc, STAGE, "member %s: %s", member, why.message);
	return HR_OK;
}

static bool strings_only(const json_t *array)
{
	size_t i;
	json_t *v;

	if (!json_is_array(array) || json_array_size(array) == 0)
		return false;
	json_array_foreach(array, i, v)
	{
		if (!json_is_string(v))
			return false;
	}
	return true;
}

static hr_status load_members(struct directory *d, const json_t *members, const char *base,
			      struct hr_error *err)
{
	size_t i;
	json_t *m;

	d->members = calloc(json_array_size(members) + 1, sizeof(*d->members));
	if (d->members == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	json_array_foreach(members, i, m)
	{
		struct member *out = &d->members[i];
		const char *id = json_string_value(json_object_get(m, "id"));
		const char *cert = json_string_value(json_object_get(m, "certificate"));
		const json_t *url_value = json_object_get(m, "url");
		const json_t *type_value = json_object_get(m, "document_type");
		const char *url = json_string_value(url_value);
		const char *type = json_string_value(type_value);
		const json_t *name_value = json_object_get(m, "name");
		const char *name = json_string_value(name_value);
		const json_t *attests = json_object_get(m, "attests_devices");
		hr_status rc;

		if (id == NULL || !member_id_valid(id) || cert == NULL)
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "member %zu needs a valid id and a certificate", i);
		/* a provider misdescribed is refused here, not found missing later */
		if ((url_value != NULL && (url == NULL || url[0] == 0)) ||
		    (type_value != NULL &&
		     (type == NULL || type[0] == 0 || strlen(type) >= sizeof(out->document_type))))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "member %s: url and document_type must be non-empty "
					    "strings (document_type under %zu bytes)",
					    id, sizeof(out->document_type));
		if (name_value != NULL && (name == NULL || strlen(name) >= sizeof(out->name)))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "member %s: name must be a string under %zu bytes", id,
					    sizeof(out->name));
		if (attests != NULL && !json_is_boolean(attests))
			return hr_error_set(err, HR_E_INVALID, STAGE,
					    "member %s: attests_devices must be true or false", id);
		if (directory_member(d, id) != NULL)
			return hr_error_set(err, HR_E_INVALID, STAGE, "member %s is listed twice",
					    id);
		snprintf(out->id, sizeof(out->id), "%s", id);
		if ((rc = load_key(id, cert, base, &out->key, err)) != HR_OK)
			return rc;
		if (url != NULL && (out->url = strdup(url)) == NULL)
			return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		if (type != NULL)
			snprintf(out->document_type, sizeof(out->document_type), "%s", type);
		if (name != NULL)
			snprintf(out->name, sizeof(out->name), "%s", name);
		out->attests_devices = json_is_true(attests);
		d->member_count++;
	}
	return HR_OK;
}

/* A provider in a right: a member id, or one with "*" for its subsystem. */
static bool provider_pattern_valid(const char *provider)
{
	char id[MEMBER_ID_MAX + 1];
	size_t n = strlen(provider);

	if (member_id_valid(provider))
		return true;
	if (n < 2 || n >= MEMBER_ID_MAX || strcmp(provider + n - 2, "/*") != 0)
		return false;
	/* a pattern is valid when the same id with "x" for its "*" would be */
	memcpy(id, provider, n - 1);
	id[n - 1] = 'x';
	id[n] = 0;
	return member_id_valid(id);
}

static hr_status load_rights(struct directory *d, const json_t *rights, struct hr_error *err)
{
	size_t i;
	json_t *r;

	d->rights = calloc(json_array_size(rights) + 1, sizeof(*d->rights));
	if (d->rights == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	json_array_foreach(rights, i, r)
	{
		struct right *out = &d->rights[i];
		const char *client = json_string_value(json_object_get(r, "client"));
		const char *provider = json_string_value(json_object_get(r, "provider"));
		const char *basis = json_string_value(json_object_get(r, "legal_basis"));
		json_t *services = json_object_get(r, "services");
		json_t *purposes = json_object_get(r, "purposes");

		if (client == NULL || provider == NULL || !member_id_valid(client) ||
		    strlen(provider) >= MEMBER_ID_MAX || !provider_pattern_valid(provider) ||
		    !strings_only(services) || !strings_only(purposes) ||
		    (json_object_get(r, "legal_basis") && (basis == NULL || basis[0] == 0)))
			return hr_error_set(
			    err, HR_E_INVALID, STAGE,
			    "right %zu needs client, provider, services and purposes "
			    "(and a non-empty legal_basis if any)",
			    i);
		snprintf(out->client, sizeof(out->client), "%s", client);
		snprintf(out->provider, sizeof(out->provider), "%s", provider);
		out->services = json_incref(services);
		out->purposes = json_incref(purposes);
		if (basis != NULL && (out->legal_basis = strdup(basis)) == NULL)
			return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		d->right_count++;
	}
	return HR_OK;
}

hr_status directory_load(const char *path, struct directory **out, struct hr_error *err)
{
	struct directory *d = calloc(1, sizeof(*d));
	char base[PATH_MAX];
	const char *gateway, *slash;
	json_error_t jerr;
	json_t *root;
	hr_status rc = HR_OK;

	*out = NULL;
	if (d == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		free(d);
		return hr_error_set(err, HR_E_INVALID, STAGE, "%s:%d: %s", path, jerr.line,
				    jerr.text);
	}
	slash = strrchr(path, '/');
	snprintf(base, sizeof(base), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	gateway = json_string_value(json_object_get(root, "gateway"));
	if (gateway == NULL || !member_id_valid(gateway) ||
	    !json_is_array(json_object_get(root, "members")) ||
	    !json_is_array(json_object_get(root, "rights")))
		rc = hr_error_set(err, HR_E_INVALID, STAGE,
				  "%s needs \"gateway\" (a member id), \"members\" and \"rights\"",
				  path);
	if (rc == HR_OK) {
		const json_t *own = json_object_get(root, "gateway_certificate");

		snprintf(d->gateway, sizeof(d->gateway), "%s", gateway);
		snprintf(d->gateway_member.id, sizeof(d->gateway_member.id), "%s", gateway);
		if (own != NULL && !json_is_string(own))
			rc = hr_error_set(err, HR_E_INVALID, STAGE,
					  "gateway_certificate must be a file name");
		else if (own != NULL)
			rc = load_key(gateway, json_string_value(own), base, &d->gateway_member.key,
				      err);
		if (rc == HR_OK &&
		    (rc = load_members(d, json_object_get(root, "members"), base, err)) == HR_OK)
			rc = load_rights(d, json_object_get(root, "rights"), err);
		if (rc != HR_OK)
			hr_error_prefix(err, "%s", path);
	}
	json_decref(root);
	if (rc != HR_OK) {
		directory_free(d);
		return rc;
	}
	*out = d;
	return HR_OK;
}

void directory_free(struct directory *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->member_count; i++) {
		EVP_PKEY_free(d->members[i].key);
		free(d->members[i].url);
	}
	for (size_t i = 0; i < d->right_count; i++) {
		json_decref(d->rights[i].services);
		json_decref(d->rights[i].purposes);
		free(d->rights[i].legal_basis);
	}
	EVP_PKEY_free(d->gateway_member.key);
	free(d->members);
	free(d->rights);
	free(d);
}

const struct member *directory_gateway(const struct directory *d)
{
	return d->gateway_member.key != NULL ? &d->gateway_member : NULL;
}

const char *directory_gateway_id(const struct directory *d)
{
	return d->gateway;
}

const struct member *directory_member(const struct directory *d, const char *id)
{
	for (size_t i = 0; i < d->member_count; i++) {
		if (strcmp(d->members[i].id, id) == 0)
			return &d->members[i];
	}
	return NULL;
}

static bool listed(const json_t *array, const char *value)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v)
	{
		if (strcmp(json_string_value(v), value) == 0)
			return true;
	}
	return false;
}

/* A pattern ending in "/" and "*" matches every subsystem of what precedes it. */
static bool provider_matches(const char *pattern, const char *provider)
{
	size_t n = strlen(pattern);

	if (n >= 2 && strcmp(pattern + n - 2, "/*") == 0)
		return strncmp(pattern, provider, n - 1) == 0 && provider[n - 1] != 0 &&
		       strchr(provider + n - 1, '/') == NULL;
	return strcmp(pattern, provider) == 0;
}

struct access_decision directory_check(const struct directory *d, const char *client,
				       const char *provider, const char *service,
				       const char *purpose)
{
	struct access_decision decision = {false, NULL};

	for (size_t i = 0; i < d->right_count; i++) {
		const struct right *r = &d->rights[i];
		if (strcmp(r->client, client) != 0 || !provider_matches(r->provider, provider) ||
		    !listed(r->services, service) || !listed(r->purposes, purpose))
			continue;
		/* a right with a legal basis wins over one that needs consent */
		if (!decision.allowed || (decision.legal_basis == NULL && r->legal_basis != NULL)) {
			decision.allowed = true;
			decision.legal_basis = r->legal_basis;
		}
	}
	return decision;
}
