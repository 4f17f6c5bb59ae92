/*
 * nccc.c — the national cyber coordination centre hub (DESIGN.md §2, §5, §7;
 * docs/NCCC.md): members report incidents in signed stages on legal
 * deadlines; indicators are correlated by value; partners pull what TLP lets
 * them have as a MISP feed and over TAXII 2.1, and share back.
 */
#include "nccc/nccc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "core/role.h"
#include "core/uuid.h"
#include "credential/signer.h"
#include "exchange/directory.h"
#include "exchange/replay.h"
#include "nccc/nccc_internal.h"

#define STAGE              "nccc"
#define NONCE_CAPACITY     (1u << 16)
#define INDEX_EXPECTED     (1u << 16)
#define ORG_UUID_NAMESPACE "6ba7b811-9dad-11d1-80b4-00c04fd430c8" /* RFC 9562 URL namespace */

static void nccc_close(void *state);

/* "a, b ,c" → the list, each a member id. */
static hr_status member_list(const char *text, const char *what, char list[][MEMBER_ID_MAX],
			     int *count, struct hr_error *err)
{
	const char *p = text;

	*count = 0;
	while (p != NULL && *p != '\0') {
		size_t len;
		const char *end = strchr(p, ',');

		while (*p == ' ')
			p++;
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len > 0) {
			if (*count == NCCC_MEMBERS_MAX || len >= MEMBER_ID_MAX)
				return hr_error_set(err, HR_E_INVALID, "config",
						    "[nccc] %s: too many or too long", what);
			memcpy(list[*count], p, len);
			list[*count][len] = '\0';
			if (!member_id_valid(list[*count]))
				return hr_error_set(err, HR_E_INVALID, "config",
						    "[nccc] %s: '%s' is not a member id", what,
						    list[*count]);
			(*count)++;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return HR_OK;
}

static hr_status load_directories(struct nccc *n, const char *text, struct hr_error *err)
{
	char path[4096];
	const char *p = text;
	hr_status rc;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && *p == ' ')
			p++, len--;
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len > 0) {
			if (n->directory_count == NCCC_DIRECTORIES_MAX || len >= sizeof(path))
				return hr_error_set(err, HR_E_INVALID, "config",
						    "[nccc] directories: at most %d files",
						    NCCC_DIRECTORIES_MAX);
			memcpy(path, p, len);
			path[len] = '\0';
			if ((rc = directory_load(path, &n->directories[n->directory_count], err)) !=
			    HR_OK)
				return rc;
			n->directory_count++;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return HR_OK;
}

/* The leak range service's answer sizes (src/leak/leak_range.h) and the key
 * its decoys derive from, the hub's own (never a country's range.key). */
static hr_status leak_settings(const struct role_context *ctx, struct nccc *n, struct hr_error *err)
{
	char path[4200];
	int64_t entries, bytes;
	hr_status rc;

	if ((rc = config_get_int(ctx->config, "nccc", "leak_range_entries",
				 LEAK_RANGE_ENTRIES_DEFAULT, 1, 4096, &entries, err)) != HR_OK ||
	    (rc = config_get_int(ctx->config, "nccc", "leak_range_bytes", LEAK_RANGE_BYTES_DEFAULT,
				 1024, LEAK_RANGE_ANSWER_MAX / 4, &bytes, err)) != HR_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/leak-decoys.key", ctx->state_dir);
	if ((rc = secret_load_or_create(path, n->leak_decoy_key, err)) != HR_OK)
		return rc;
	n->leak_range = (struct leak_range_options){
	    .entries = (unsigned)entries, .bytes = (size_t)bytes, .decoy_key = n->leak_decoy_key};
	return HR_OK;
}

static hr_status read_settings(const struct role_context *ctx, struct nccc *n,
			       struct audit_options *audit, struct hr_error *err)
{
	const char *id, *key, *cert, *dirs, *certs, *partners, *name, *audit_dir;
	static char fallback[4200], keys_dir[4200];
	hr_status rc;

	snprintf(fallback, sizeof(fallback), "%s/audit", ctx->state_dir);
	if ((rc = config_get_str(ctx->config, "nccc", "id", NULL, &id, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "nccc", "key", NULL, &key, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "nccc", "certificate", NULL, &cert, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "nccc", "directories", NULL, &dirs, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "nccc", "certs", "", &certs, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "nccc", "partners", "", &partners, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "nccc", "name",
				 "National Cybersecurity Coordination "
				 "Center",
				 &name, err)) != HR_OK ||
	    (rc = config_get_str(ctx->config, "nccc", "audit_dir", fallback, &audit_dir, err)) !=
		HR_OK ||
	    (rc = config_get_int(ctx->config, "nccc", "clock_offset_s", 0, -366 * 86400LL,
				 366 * 86400LL, &n->clock_offset_s, err)) != HR_OK ||
	    (rc = config_get_int(ctx->config, "nccc", "tree_head_interval_ms", 1000, 10,
				 3600 * 1000, &audit->interval_ms, err)) != HR_OK ||
	    (rc = leak_settings(ctx, n, err)) != HR_OK)
		return rc;
	if (id == NULL || key == NULL || cert == NULL || dirs == NULL)
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[nccc] needs id, key, certificate (the hub's member key) and "
				    "directories (whose members may report)");
	if (!member_id_valid(id))
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[nccc] id '%s' is not a member id", id);
	snprintf(n->self_id, sizeof(n->self_id), "%s", id);
	snprintf(n->org_name, sizeof(n->org_name), "%s", name);
	if ((rc = uuid_v5(ORG_UUID_NAMESPACE, id, strlen(id), n->org_uuid)) != HR_OK)
		return hr_error_set(err, rc, STAGE, "no organisation uuid");
	audit->dir = audit_dir;
	snprintf(keys_dir, sizeof(keys_dir), "%s/keys", ctx->state_dir);
	audit->keys_dir = keys_dir;
	audit->tree_head_key = key;
	audit->tree_head_certificate = cert;
	audit->entries = 1000;
	if ((rc = signer_open_files(key, cert, &n->signer, err)) != HR_OK ||
	    (rc = load_directories(n, dirs, err)) != HR_OK ||
	    (rc = member_list(certs, "certs", n->certs, &n->cert_count, err)) != HR_OK ||
	    (rc = member_list(partners, "partners", n->partners, &n->partner_count, err)) != HR_OK)
		return rc;
	n->self.id = n->self_id;
	n->self.signer = n->signer;
	return HR_OK;
}

static hr_status nccc_open(const struct role_context *ctx, void **state, struct hr_error *err)
{
	struct nccc *n = calloc(1, sizeof(*n));
	struct audit_options audit = {0};
	struct store *store = NULL;
	hr_status rc;

	if (n == NULL)
		return HR_E_NOMEM;
	pthread_mutex_init(&n->index_lock, NULL);
	pthread_mutex_init(&n->leak_lock, NULL);
	if ((rc = http_server_options_require_own_url(ctx->config, err)) != HR_OK ||
	    (rc = read_settings(ctx, n, &audit, err)) != HR_OK ||
	    (rc = role_open_store(ctx, "nccc.db", nccc_migrations, nccc_migration_count, &n->pool,
				  err)) != HR_OK ||
	    (rc = audit_open(&audit, &n->audit, err)) != HR_OK ||
	    (rc = value_index_new(INDEX_EXPECTED, &n->index, err)) != HR_OK)
		goto fail;
	if ((n->nonces = replay_cache_new(NONCE_CAPACITY)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto fail;
	}
	if ((rc = store_pool_acquire(n->pool, 5000, &store, err)) != HR_OK)
		goto fail;
	rc = nccc_index_catch_up(n, store, err);
	store_pool_release(n->pool, store);
	if (rc != HR_OK || (rc = nccc_incident_routes(n, ctx->server, err)) != HR_OK ||
	    (rc = nccc_feed_routes(n, ctx->server, err)) != HR_OK ||
	    (rc = nccc_import_routes(n, ctx->server, err)) != HR_OK ||
	    (rc = nccc_leak_routes(n, ctx->server, err)) != HR_OK)
		goto fail;
	http_server_set_health_field(ctx->server, "member", n->self_id);
	log_info("nccc.open", "%s: %d directories, %d CERTs, %d partners, %zu indicators indexed",
		 n->self_id, n->directory_count, n->cert_count, n->partner_count,
		 value_index_size(n->index));
	*state = n;
	return HR_OK;
fail:
	nccc_close(n);
	return rc;
}

static void nccc_close(void *state)
{
	struct nccc *n = state;

	if (n == NULL)
		return;
	store_pool_free(n->pool);
	audit_close(n->audit);
	signer_free(n->signer);
	for (int i = 0; i < n->directory_count; i++)
		directory_free(n->directories[i]);
	replay_cache_free(n->nonces);
	value_index_free(n->index);
	json_decref(n->producer);
	json_decref(n->leak_catalogue);
	OPENSSL_cleanse(n->leak_decoy_key, sizeof(n->leak_decoy_key));
	pthread_mutex_destroy(&n->leak_lock);
	pthread_mutex_destroy(&n->index_lock);
	free(n);
}

const struct role_ops nccc_role = {
    .name = "nccc",
    .summary = "National cyber coordination centre hub: incidents, MISP and STIX feeds, "
	       "leaked-data ranges.",
    .config_help =
	"[nccc] id = the hub's member id, e.g. UA/GOV/00000100/nccc (required)\n"
	"  key, certificate = PEM files of its member key: it signs its answers and\n"
	"    the tree heads of its audit log (required)\n"
	"  directories = gateway directory files, comma-separated: their members may\n"
	"    report, with the keys they use at the gateway (required)\n"
	"  certs = each country's CERT member, comma-separated: reads all of its\n"
	"    country's incidents\n"
	"  partners = members with a sharing agreement, comma-separated: pull the\n"
	"    feeds by TLP and may share back (docs/NCCC.md)\n"
	"  name = the organisation named in the feeds\n"
	"  audit_dir = the stages' audit log (default: STATE_DIR/audit)\n"
	"  tree_head_interval_ms = sign a tree head at least this often (default 1000)\n"
	"  clock_offset_s = seconds added to the hub's clock (drills, tests; default 0)\n"
	"  leak_range_entries = 32: a leak range answer holds a multiple of this many\n"
	"    entries, real ones topped up with decoys (docs/LEAKS.md)\n"
	"  leak_range_bytes = 32768: and is a multiple of this many bytes long\n"
	"  (the decoys' key is STATE_DIR/leak-decoys.key, made at first start)\n",
    .per_country = false,
    .open = nccc_open,
    .close = nccc_close,
};
