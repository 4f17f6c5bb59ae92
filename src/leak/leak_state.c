/*
 * leak_state.c — a state directory as leakscan reads it (leak_state.h).
 */
#include "leak/leak_state.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "core/documents.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/file.h"
#include "core/store.h"
#include "leak/canary_index.h"
#include "leak/leak_index_build.h"

#define STAGE       "leak"
#define STAMP_MAX   8192
#define MEMBERS_MAX 32767 /* ordinals fit the index's 15 bits */

struct country {
	char code[3];
	uint8_t canary_key[SECRET_LEN];
	uint8_t range_key[SECRET_LEN];
	struct store *registries[DOCUMENT_TYPE_COUNT];
	struct canary_index *canaries; /* its canaries.jsonl */
	char audit_dir[PATH_MAX];      /* "" when the state has no gateway log */
	uint8_t audit_key[SECRET_LEN];
};

struct leak_state {
	struct country countries[LEAK_STATE_COUNTRIES];
	size_t country_count;
	char **members;
	size_t member_count;
	struct leak_index *index;
	bool built;
	const struct leak_state_options *o;
	struct country *building; /* the country the builder reads */
};

static uint16_t member_ordinal(struct leak_state *s, const char *member)
{
	char **grown;

	for (size_t i = 0; i < s->member_count; i++)
		if (strcmp(s->members[i], member) == 0)
			return (uint16_t)(i + 1);
	if (s->member_count == MEMBERS_MAX ||
	    (grown = realloc(s->members, (s->member_count + 1) * sizeof(*grown))) == NULL)
		return 0;
	s->members = grown;
	if ((s->members[s->member_count] = strdup(member)) == NULL)
		return 0;
	return (uint16_t)++s->member_count;
}

/* The members the index's canary ordinals stand for (ordinal k is entry
 * k - 1), kept beside it: the ordinals are given while it is built. */
static hr_status write_members(const struct leak_state *s, const char *path, struct hr_error *err)
{
	json_t *list = json_array();
	hr_status rc = HR_OK;

	for (size_t i = 0; i < s->member_count; i++)
		json_array_append_new(list, json_string(s->members[i]));
	if (list == NULL || json_dump_file(list, path, JSON_COMPACT) != 0)
		rc = hr_error_set(err, HR_E_IO, STAGE, "cannot write %s", path);
	json_decref(list);
	return rc;
}

static void clear_members(struct leak_state *s)
{
	for (size_t i = 0; i < s->member_count; i++)
		free(s->members[i]);
	free(s->members);
	s->members = NULL;
	s->member_count = 0;
}

static hr_status read_members(struct leak_state *s, const char *path)
{
	json_t *list = json_load_file(path, 0, NULL), *item;
	size_t i;

	if (!json_is_array(list)) {
		json_decref(list);
		return HR_E_NOT_FOUND;
	}
	json_array_foreach(list, i, item) if (!json_is_string(item) ||
					      member_ordinal(s, json_string_value(item)) !=
						  (uint16_t)(i + 1))
	{
		json_decref(list);
		clear_members(s);
		return HR_E_NOT_FOUND;
	}
	json_decref(list);
	return HR_OK;
}

/* The canary index (canary_index.h); its size goes into the stamp, so a
 * planting builds the index of the registries again. */
static hr_status read_canaries(struct country *c, const char *path, char *stamp, size_t size,
			       struct hr_error *err)
{
	struct stat st;

	if (stat(path, &st) == 0)
		snprintf(stamp + strlen(stamp), size - strlen(stamp), "canaries:%lld;",
			 (long long)st.st_size);
	return canary_index_open(path, &c->canaries, err);
}

/* The gateway's audit log as `hromada up` lays it out (endpoints.json's
 * audit_dir), with its person key; never created here: no log, no overlap. */
static void find_audit_log(struct country *c, const char *dir, const char *code)
{
	char path[PATH_MAX + 32];
	json_t *endpoints;
	const char *audit;
	struct buf key;

	snprintf(path, sizeof(path), "%s/endpoints.json", dir);
	endpoints = json_load_file(path, 0, NULL);
	audit = json_string_value(json_object_get(json_object_get(endpoints, code), "audit_dir"));
	if (audit != NULL && strlen(audit) < sizeof(c->audit_dir))
		snprintf(c->audit_dir, sizeof(c->audit_dir), "%s", audit);
	else
		snprintf(c->audit_dir, sizeof(c->audit_dir), "%s/%.2s/gateway/audit", dir, code);
	json_decref(endpoints);
	/* the gateway keeps it in its keys/ directory, beside (never inside) the
	 * log; logs of before that kept it inside */
	snprintf(path, sizeof(path), "%s/../keys/person.key", c->audit_dir);
	buf_init(&key, SECRET_LEN);
	if (access(path, F_OK) != 0)
		snprintf(path, sizeof(path), "%s/person.key", c->audit_dir);
	if (file_read(path, &key, NULL) == HR_OK && key.len == SECRET_LEN)
		memcpy(c->audit_key, key.data, SECRET_LEN);
	else
		c->audit_dir[0] = '\0';
	OPENSSL_cleanse(key.data, key.len);
	buf_clear(&key);
}

/* the builder's question, "is this person a canary, and whose?" */
static int canary_of(void *context, const char *person)
{
	struct leak_state *s = context;
	uint8_t tag[LEAK_TAG_LEN];
	struct canary_hit hit;

	if (canary_index_count(s->building->canaries) == 0 ||
	    leak_tag(s->building->canary_key, person, tag) != HR_OK ||
	    !canary_index_find(s->building->canaries, tag, &hit))
		return 0;
	return member_ordinal(s, hit.member);
}

static void build_progress(void *context, uint64_t rows)
{
	struct leak_state *s = context;

	if (s->o->progress != NULL)
		s->o->progress(s->o->context, rows);
}

static hr_status open_country(struct leak_state *s, const char *dir, const char *code, char *stamp,
			      struct hr_error *err)
{
	struct country *c = &s->countries[s->country_count];
	char path[PATH_MAX], url[PATH_MAX + 16];
	struct stat st;
	hr_status rc;
	bool any = false;

	memset(c, 0, sizeof(*c));
	snprintf(c->code, sizeof(c->code), "%s", code);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		snprintf(path, sizeof(path), "%s/%s/registry-%s/registry.db", dir, code,
			 document_types[t]);
		if (stat(path, &st) != 0)
			continue;
		snprintf(url, sizeof(url), "sqlite:%s", path);
		if ((rc = store_open(url, &c->registries[t], err)) != HR_OK ||
		    (rc = leak_index_stamp_registry(c->registries[t], stamp, STAMP_MAX, err)) !=
			HR_OK) {
			hr_error_prefix(err, "%s", path);
			return rc;
		}
		any = true;
	}
	if (!any)
		return HR_OK;
	s->country_count++;
	snprintf(path, sizeof(path), "%s/%s/%s", dir, code, LEAK_DIR);
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", path,
				    strerror(errno));
	snprintf(path, sizeof(path), "%s/%s/%s/%s", dir, code, LEAK_DIR, LEAK_CANARY_KEY);
	if ((rc = secret_load_or_create(path, c->canary_key, err)) != HR_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/%s/%s/%s", dir, code, LEAK_DIR, LEAK_RANGE_KEY);
	if ((rc = secret_load_or_create(path, c->range_key, err)) != HR_OK)
		return rc;
	find_audit_log(c, dir, code);
	snprintf(path, sizeof(path), "%s/%s/%s/%s", dir, code, LEAK_DIR, LEAK_CANARY_INDEX);
	return read_canaries(c, path, stamp, STAMP_MAX, err);
}

hr_status leak_state_open(const struct leak_state_options *o, struct leak_state **out,
			  struct hr_error *err)
{
	static const char *const codes[LEAK_STATE_COUNTRIES] = {"UA", "PL"};
	struct leak_state *s = calloc(1, sizeof(*s));
	char path[PATH_MAX], file[PATH_MAX + 32], members[PATH_MAX + 32],
	    *stamp = calloc(1, STAMP_MAX);
	uint8_t key[SECRET_LEN];
	hr_status rc = HR_OK;

	*out = NULL;
	if (s == NULL || stamp == NULL) {
		free(s);
		free(stamp);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	s->o = o;
	for (size_t i = 0; i < LEAK_STATE_COUNTRIES && rc == HR_OK; i++)
		rc = open_country(s, o->dir, codes[i], stamp, err);
	if (rc == HR_OK && s->country_count == 0)
		rc = hr_error_set(err, HR_E_NOT_FOUND, STAGE,
				  "%s holds no registries (DIR/UA/registry-*/registry.db): run "
				  "'hromada up' or 'hromada population' on it first",
				  o->dir);
	if (rc != HR_OK)
		goto fail;
	snprintf(path, sizeof(path), "%s/%s", o->dir, LEAK_DIR);
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		rc = hr_error_set(err, HR_E_IO, STAGE, "cannot create %s: %s", path,
				  strerror(errno));
		goto fail;
	}
	snprintf(file, sizeof(file), "%s/%s", path, LEAK_INDEX_KEY);
	if ((rc = secret_load_or_create(file, key, err)) != HR_OK)
		goto fail;
	snprintf(file, sizeof(file), "%s/%s", path, LEAK_INDEX_FILE);
	snprintf(members, sizeof(members), "%s/%s", path, LEAK_INDEX_MEMBERS);
	if (o->rebuild || read_members(s, members) != HR_OK ||
	    leak_index_load(key, file, stamp, &s->index, NULL) != HR_OK) {
		clear_members(s);
		if ((rc = leak_index_new(key, 1u << 20, 1u << 20, &s->index, err)) != HR_OK)
			goto fail;
		for (size_t i = 0; i < s->country_count && rc == HR_OK; i++) {
			struct leak_build_source src = {.country = s->countries[i].code,
							.canary_of = canary_of,
							.context = s,
							.progress = build_progress};

			s->building = &s->countries[i];
			memcpy(src.registries, s->countries[i].registries, sizeof(src.registries));
			rc = leak_index_build(s->index, &src, err);
		}
		/* the members first: an index without them is built again */
		if (rc != HR_OK || (rc = write_members(s, members, err)) != HR_OK ||
		    (rc = leak_index_save(s->index, file, stamp, err)) != HR_OK)
			goto fail;
		s->built = true;
	}
	OPENSSL_cleanse(key, sizeof(key));
	free(stamp);
	*out = s;
	return HR_OK;
fail:
	OPENSSL_cleanse(key, sizeof(key));
	free(stamp);
	leak_state_free(s);
	return rc;
}

void leak_state_free(struct leak_state *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->country_count + 1 && i < LEAK_STATE_COUNTRIES; i++) {
		for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
			store_close(s->countries[i].registries[t]);
		OPENSSL_cleanse(s->countries[i].canary_key, SECRET_LEN);
		OPENSSL_cleanse(s->countries[i].range_key, SECRET_LEN);
		OPENSSL_cleanse(s->countries[i].audit_key, SECRET_LEN);
		canary_index_free(s->countries[i].canaries);
	}
	clear_members(s);
	leak_index_free(s->index);
	free(s);
}

const struct leak_index *leak_state_index(const struct leak_state *s)
{
	return s->index;
}

bool leak_state_built(const struct leak_state *s)
{
	return s->built;
}

const char *const *leak_state_canary_members(const struct leak_state *s, size_t *count)
{
	*count = s->member_count;
	return (const char *const *)s->members;
}

size_t leak_state_countries(const struct leak_state *s, const char *out[LEAK_STATE_COUNTRIES])
{
	for (size_t i = 0; i < s->country_count; i++)
		out[i] = s->countries[i].code;
	return s->country_count;
}

hr_status leak_state_range_tag(const struct leak_state *s, const char *person,
			       char hex[LEAK_TAG_HEX_LEN + 1])
{
	for (size_t i = 0; i < s->country_count; i++)
		if (strncmp(person, s->countries[i].code, 2) == 0 && person[2] == ':')
			return leak_tag_hex(s->countries[i].range_key, person, hex);
	return HR_E_NOT_FOUND;
}

const char *leak_state_audit_dir(const struct leak_state *s, size_t country)
{
	if (country >= s->country_count || s->countries[country].audit_dir[0] == '\0')
		return NULL;
	return s->countries[country].audit_dir;
}

hr_status leak_state_audit_hash(const struct leak_state *s, size_t country, const char *person,
				uint8_t hash[32])
{
	if (leak_state_audit_dir(s, country) == NULL)
		return HR_E_NOT_FOUND;
	return secret_hmac(s->countries[country].audit_key, person, strlen(person), hash);
}
