/*
 * federation.c — fetching, checking and holding the foreign members of the
 * trust list (see federation.h).
 */
#include "exchange/federation.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base64.h"
#include "core/error.h"
#include "core/http_client.h"
#include "core/log.h"
#include "credential/signer_cert.h"
#include "credential/trust_list.h"

#define STAGE "federation"

struct federation_view {
	int refs;
	int64_t sequence;
	int64_t next_update;
	struct member *members;
	size_t count;
};

struct federation {
	char url[1024];
	char own[3];
	struct signer_cert *anchor;
	struct http_client *http;
	pthread_mutex_t lock;
	struct federation_view *view; /* NULL until a list was loaded */
	int64_t loaded_at;            /* when the view was last fetched (or confirmed) */
	int64_t tried_at;             /* the last fetch attempt */
	bool fetching;
};

static void view_free(struct federation_view *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->count; i++) {
		EVP_PKEY_free(v->members[i].key);
		free(v->members[i].url);
	}
	free(v->members);
	free(v);
}

hr_status federation_new(const char *trust_url, const char *anchor_path, const char *own_country,
			 struct federation **out, struct hr_error *err)
{
	struct federation *f = calloc(1, sizeof(*f));
	struct http_client_options copt;
	hr_status rc;

	*out = NULL;
	if (f == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	snprintf(f->url, sizeof(f->url), "%s/v1/trust-list", trust_url);
	snprintf(f->own, sizeof(f->own), "%s", own_country ? own_country : "");
	pthread_mutex_init(&f->lock, NULL);
	if ((rc = signer_cert_read_file(anchor_path, &f->anchor, err)) != HR_OK)
		hr_error_prefix(err, "trust_anchor");
	http_client_options_default(&copt);
	copt.connect_timeout_ms = 1000;
	copt.timeout_ms = 10000;
	copt.max_response_bytes = TRUST_LIST_MAX_BYTES;
	if (rc == HR_OK && (f->http = http_client_new(&copt)) == NULL)
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	if (rc != HR_OK) {
		federation_free(f);
		return rc;
	}
	*out = f;
	return HR_OK;
}

void federation_free(struct federation *f)
{
	if (f == NULL)
		return;
	view_free(f->view);
	signer_cert_free(f->anchor);
	http_client_free(f->http);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

/* One published member of another country. */
static hr_status take_member(const json_t *m, struct member *out, struct hr_error *err)
{
	const char *id = json_string_value(json_object_get(m, "id"));
	const char *cert = json_string_value(json_object_get(m, "certificate"));
	const char *name = json_string_value(json_object_get(m, "name"));
	const char *type = json_string_value(json_object_get(m, "document_type"));
	const char *url = json_string_value(json_object_get(m, "url"));
	struct signer_cert *parsed = NULL;
	struct buf der;
	hr_status rc;

	if (id == NULL || !member_id_valid(id) || cert == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "a member has no valid id or certificate");
	buf_init(&der, strlen(cert));
	if (base64_decode(cert, strlen(cert), BASE64_STANDARD, &der) != HR_OK)
		rc =
		    hr_error_set(err, HR_E_INVALID, STAGE, "member %s: certificate not base64", id);
	else
		rc = signer_cert_from_der(der.data, der.len, &parsed, err);
	buf_clear(&der);
	if (rc != HR_OK)
		return rc;
	snprintf(out->id, sizeof(out->id), "%s", id);
	out->key = X509_get_pubkey(parsed->x509);
	signer_cert_free(parsed);
	if (name != NULL)
		snprintf(out->name, sizeof(out->name), "%s", name);
	if (type != NULL)
		snprintf(out->document_type, sizeof(out->document_type), "%s", type);
	out->attests_devices = json_is_true(json_object_get(m, "attests_devices"));
	/* only a gateway is ever called by another country: a url of anything else
	 * is not followed */
	if (url != NULL && json_is_true(json_object_get(m, "gateway")))
		out->url = strdup(url);
	if (out->key == NULL ||
	    (url != NULL && json_is_true(json_object_get(m, "gateway")) && out->url == NULL))
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	return HR_OK;
}

static hr_status build_view(struct federation *f, const json_t *payload,
			    const struct trust_list_info *info, struct federation_view **out,
			    struct hr_error *err)
{
	const json_t *members = json_object_get(payload, "members"), *m;
	struct federation_view *v = calloc(1, sizeof(*v));
	size_t i;
	hr_status rc = HR_OK;

	if (v == NULL ||
	    (v->members = calloc(json_array_size(members) + 1, sizeof(*v->members))) == NULL) {
		free(v);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	v->refs = 1;
	v->sequence = info->sequence;
	v->next_update = info->next_update;
	json_array_foreach(members, i, m)
	{
		const char *country = json_string_value(json_object_get(m, "country"));
		const char *id = json_string_value(json_object_get(m, "id"));
		/* our own members are the directory's; a member must belong to its country */
		if (country == NULL || strcmp(country, f->own) == 0)
			continue;
		if (id == NULL || strncmp(id, country, 2) != 0 || id[2] != '/') {
			rc = hr_error_set(err, HR_E_INVALID, STAGE,
					  "the list names a member outside its country");
			break;
		}
		if ((rc = take_member(m, &v->members[v->count], err)) != HR_OK) {
			EVP_PKEY_free(v->members[v->count].key);
			free(v->members[v->count].url);
			break;
		}
		v->count++;
	}
	if (rc != HR_OK) {
		view_free(v);
		return rc;
	}
	*out = v;
	return HR_OK;
}

/* Fetches and checks the list; on success the new view replaces the old. */
static void fetch(struct federation *f, int64_t now)
{
	struct http_client_response response;
	struct trust_list_info info;
	struct federation_view *v = NULL, *old = NULL;
	struct hr_error err = {0};
	json_t *payload = NULL;
	int64_t held;
	hr_status rc;

	http_client_response_init(&response);
	rc = http_client_get(f->http, f->url, &response, &err);
	if (rc == HR_OK && response.status != 200)
		rc = hr_error_set(&err, HR_E_UNAVAILABLE, STAGE, "the trust service answered %ld",
				  response.status);
	if (rc == HR_OK)
		rc = trust_list_open(response.body.data, response.body.len, f->anchor, now,
				     FEDERATION_GRACE_S, &info, &payload, &err);
	pthread_mutex_lock(&f->lock);
	held = f->view ? f->view->sequence : 0;
	pthread_mutex_unlock(&f->lock);
	if (rc == HR_OK && info.sequence < held)
		rc = hr_error_set(&err, HR_E_INVALID, STAGE,
				  "the trust service served list %lld, older than %lld (rollback)",
				  (long long)info.sequence, (long long)held);
	if (rc == HR_OK && info.sequence > held)
		rc = build_view(f, payload, &info, &v, &err);
	pthread_mutex_lock(&f->lock);
	f->fetching = false;
	if (rc == HR_OK) {
		f->loaded_at = now;
		if (v != NULL) {
			old = f->view;
			f->view = v;
			log_info("gateway.federation", "trust list %lld: %zu foreign members",
				 (long long)v->sequence, v->count);
		}
	}
	if (old != NULL && --old->refs > 0)
		old = NULL; /* a request still holds it: the last release frees it */
	pthread_mutex_unlock(&f->lock);
	view_free(old);
	if (rc != HR_OK)
		log_warn("gateway.federation", "trust list not refreshed: %s", err.message);
	json_decref(payload);
	http_client_response_clear(&response);
}

static struct federation_view *acquire(struct federation *f, bool after_miss)
{
	int64_t now = (int64_t)time(NULL);
	struct federation_view *v = NULL;
	bool due;

	pthread_mutex_lock(&f->lock);
	due =
	    !f->fetching &&
	    (f->view == NULL || now - f->loaded_at >= FEDERATION_REFRESH_S || after_miss) &&
	    now - f->tried_at >= (f->view == NULL && !after_miss ? 1 : FEDERATION_MISS_INTERVAL_S);
	if (due) {
		f->fetching = true;
		f->tried_at = now;
	}
	pthread_mutex_unlock(&f->lock);
	if (due)
		fetch(f, now);
	pthread_mutex_lock(&f->lock);
	if (f->view != NULL && now <= f->view->next_update + FEDERATION_GRACE_S) {
		v = f->view;
		v->refs++;
	}
	pthread_mutex_unlock(&f->lock);
	return v;
}

struct federation_view *federation_acquire(struct federation *f)
{
	return f ? acquire(f, false) : NULL;
}

struct federation_view *federation_acquire_fresh(struct federation *f)
{
	return f ? acquire(f, true) : NULL;
}

void federation_release(struct federation *f, struct federation_view *v)
{
	bool last;

	if (f == NULL || v == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	last = --v->refs == 0;
	pthread_mutex_unlock(&f->lock);
	if (last)
		view_free(v);
}

const struct member *federation_member(const struct federation_view *v, const char *id)
{
	for (size_t i = 0; v != NULL && i < v->count; i++) {
		if (strcmp(v->members[i].id, id) == 0)
			return &v->members[i];
	}
	return NULL;
}

const struct member *federation_gateway(const struct federation_view *v, const char *country)
{
	for (size_t i = 0; v != NULL && i < v->count; i++) {
		if (v->members[i].url != NULL && strncmp(v->members[i].id, country, 2) == 0 &&
		    v->members[i].id[2] == '/')
			return &v->members[i];
	}
	return NULL;
}
