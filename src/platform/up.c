/*
 * up.c — `hromada up`: every role of one or two countries in one process.
 *
 * Each role runs exactly as `hromada serve` would run it — its own HTTP server on
 * its own loopback port, its own settings file and state directory — and roles
 * reach each other only over HTTP, so what works here works distributed.
 *
 * State layout (DESIGN.md §5):
 *	DIR/endpoints.json            where everything answers, written once all are healthy
 *	DIR/trust-list.json           the signed trust list of every country's signers,
 *	DIR/trust-anchor.pem          and the certificate verifiers pin to check it
 *	DIR/demo.json                 demo citizens per country
 *	DIR/outbox/                   out-of-band enrolment codes
 *	DIR/keys/UA/, DIR/keys/trust/ keys and certificates (hromada keys)
 *	DIR/trust/, DIR/nccc/         the cross-border roles
 *	DIR/UA/wallet/, DIR/UA/gateway/, DIR/UA/registry-driver_licence/, ...
 *	DIR/UA/leak/                  leak defence's keys and canary index (leak_keys.h)
 *
 * Start order follows the calls: a country's registries first (loaded with its
 * synthetic population), then its gateway (whose directory names the registries'
 * URLs), then its wallet (which names the gateway's).
 * Each role directory holds hromada.ini, the settings it was started with, so
 * `hromada serve ROLE --config DIR/UA/wallet/hromada.ini` runs the same role alone.
 *
 * Ports with --port-base B: trust B, nccc B+1, the first country's wallet B+10,
 * gateway B+11, registries B+12..B+19 (DESIGN.md's type order), the second
 * country from B+20. --port-base 0 takes any free ports (tests).
 */
#include "platform/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/signals.h"
#include "leak/leak_tag.h"
#include "platform/country.h"
#include "platform/leak_keys.h"
#include "platform/population.h"
#include "platform/key_isolation.h"
#include "platform/up_overview.h"
#include "platform/up_state.h"

#define STAGE              "up"
#define UP_MAX_ROLES       (2 + COUNTRY_COUNT * (2 + DOCUMENT_TYPE_COUNT))
#define HEALTH_DEADLINE_MS 15000
#define STATE_DIR_MAX      2048             /* leaves room for the role paths below it */
#define UP_TRUST_MAX_BODY  "25165824"       /* 24 MiB: TRUST_UPLOAD_MAX_LEN and its envelope */
#define TRUST_REFRESH_MS   (10 * 60 * 1000) /* trust-list.json fetched again */

struct up_role {
	const char *role;                      /* "registry" */
	const struct country_members *members; /* NULL for trust and nccc */
	char country[4];                       /* "" for trust and nccc */
	const char *document_type;             /* registries only */
	char name[64];                         /* in logs: "UA/registry-driver_licence" */
	char dir[PATH_MAX];
	unsigned port;
	struct role_host *host;
};

struct up {
	const struct platform_up_options *options;
	char state_dir[STATE_DIR_MAX]; /* absolute */
	char keys_dir[STATE_DIR_MAX + 16];
	const char *countries[COUNTRY_COUNT];
	int country_count;
	struct up_role roles[UP_MAX_ROLES];
	int role_count;
	int lock_fd;
	struct up_overview *overview;
};

static struct up_role *add_role(struct up *up, const char *role, const char *country,
				const char *document_type, unsigned port_offset)
{
	struct up_role *r = &up->roles[up->role_count++];

	r->role = role;
	r->members = country ? country_members(country) : NULL;
	snprintf(r->country, sizeof(r->country), "%s", country ? country : "");
	r->document_type = document_type;
	r->port = up->options->port_base ? up->options->port_base + port_offset : 0;
	if (country == NULL) {
		snprintf(r->dir, sizeof(r->dir), "%s/%s", up->state_dir, role);
	} else if (document_type != NULL) {
		snprintf(r->dir, sizeof(r->dir), "%s/%s/%s-%s", up->state_dir, country, role,
			 document_type);
		snprintf(r->name, sizeof(r->name), "%s/%s-%s", country, role, document_type);
	} else {
		snprintf(r->dir, sizeof(r->dir), "%s/%s/%s", up->state_dir, country, role);
	}
	return r;
}

static void plan_roles(struct up *up)
{
	add_role(up, "trust", NULL, NULL, 0);
	for (int c = 0; c < up->country_count; c++)
		for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
			add_role(up, "registry", up->countries[c], document_types[t],
				 10u * (unsigned)(c + 1) + 2 + (unsigned)t);
	/* after the registries (the directories name them), before the gateways
	 * and wallets (they report to it) */
	add_role(up, "nccc", NULL, NULL, 1);
	for (int c = 0; c < up->country_count; c++) {
		unsigned base = 10u * (unsigned)(c + 1);
		add_role(up, "gateway", up->countries[c], NULL, base + 1);
		add_role(up, "wallet", up->countries[c], NULL, base);
	}
}

/* Overrides given with --set reach every role whose settings have that section. */
static bool override_applies(const char *assignment, const char *role)
{
	size_t n = strcspn(assignment, ".");

	if (strncmp(assignment, "server", n) == 0 && n == 6)
		return true;
	if (strncmp(assignment, "node", n) == 0 && n == 4)
		return true;
	if (strncmp(assignment, "store", n) == 0 && n == 5)
		return true;
	if (strncmp(assignment, "report", n) == 0 && n == 6) /* whoever reports to the nccc */
		return strcmp(role, "gateway") == 0 || strcmp(role, "wallet") == 0;
	if (strncmp(assignment, "sentinel", n) == 0 && n == 8) /* the gateway's */
		return strcmp(role, "gateway") == 0;
	return strlen(role) == n && strncmp(assignment, role, n) == 0;
}

/* A role already planned (and, by start order, started): NULL when absent. */
static const struct up_role *find_role(const struct up *up, const char *role, const char *country,
				       const char *document_type)
{
	for (int i = 0; i < up->role_count; i++) {
		const struct up_role *r = &up->roles[i];
		if (strcmp(r->role, role) == 0 && strcmp(r->country, country) == 0 &&
		    (document_type == NULL ||
		     (r->document_type && strcmp(r->document_type, document_type) == 0)))
			return r;
	}
	return NULL;
}

/* Sets SECTION.key_name=value for a member's key and certificate files. */
static hr_status set_member_files(struct config *cfg, const char *section, const char *key_name,
				  const char *cert_name, const char *keys_dir, const char *member,
				  struct hr_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	hr_status rc;

	country_member_dir(keys_dir, member, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	if ((rc = config_set(cfg, section, key_name, path, "up", err)) != HR_OK)
		return rc;
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	return config_set(cfg, section, cert_name, path, "up", err);
}

/* The gateway's directory names each registry's URL: written once they are up. */
static hr_status write_directory(const struct up *up, const struct up_role *gateway,
				 const char *keys_dir, char *path, size_t size,
				 struct hr_error *err)
{
	const char *urls[DOCUMENT_TYPE_COUNT];
	json_t *directory;
	hr_status rc;

	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++) {
		const struct up_role *r =
		    find_role(up, "registry", gateway->country, document_types[t]);
		urls[t] = r && r->host ? role_host_url(r->host) : "";
	}
	if ((rc = platform_make_dirs(gateway->dir, err)) != HR_OK)
		return rc;
	snprintf(path, size, "%s/directory.json", gateway->dir);
	if ((directory = country_directory(gateway->members, keys_dir, urls)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	rc = up_write_json(path, directory, err);
	json_decref(directory);
	return rc;
}

/* The registries abroad a wallet reads for its citizens resident there: every
 * other country's residence permits (the rights of country.c). */
static const char *wallet_abroad(const struct country_members *m, char *out, size_t size)
{
	size_t n = 0;

	out[0] = 0;
	for (int i = 0; country_members_at(i) != NULL; i++) {
		const struct country_members *f = country_members_at(i);
		if (f != m)
			n += (size_t)snprintf(out + n, n < size ? size - n : 0,
					      "%s%s/residence_permit", n ? "," : "",
					      f->registry_prefix);
	}
	return out;
}

/* The country whose member the hub is (Ukraine's NCCC), NULL when up runs none. */
static const struct country_members *nccc_country(const struct up *up)
{
	for (int c = 0; c < up->country_count; c++) {
		const struct country_members *m = country_members(up->countries[c]);
		if (m != NULL && m->nccc != NULL)
			return m;
	}
	return NULL;
}

/* The hub: its member key, every country's directory (members report with the
 * keys they use at their gateway), the CERTs, and the other countries' CERTs
 * as partners with a sharing agreement. */
static hr_status nccc_settings(const struct up *up, struct config *cfg, struct hr_error *err)
{
	const struct country_members *hub = nccc_country(up);
	char keys[STATE_DIR_MAX + 32], dirs[4 * PATH_MAX], certs[1024], partners[1024];
	size_t nd = 0, nc = 0, np = 0;
	hr_status rc;

	dirs[0] = certs[0] = partners[0] = '\0';
	if (hub == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "the nccc hub is Ukraine's: run up with UA among --countries");
	for (int c = 0; c < up->country_count; c++) {
		const struct up_role *g = find_role(up, "gateway", up->countries[c], NULL);
		const struct country_members *m = country_members(up->countries[c]);

		if (g != NULL) {
			char path[PATH_MAX + 32], ckeys[STATE_DIR_MAX + 32];

			/* the gateway writes the same file again when it starts */
			snprintf(ckeys, sizeof(ckeys), "%s/%s", up->keys_dir, up->countries[c]);
			if ((rc = write_directory(up, g, ckeys, path, sizeof(path), err)) != HR_OK)
				return rc;
			nd += (size_t)snprintf(dirs + nd, nd < sizeof(dirs) ? sizeof(dirs) - nd : 0,
					       "%s%s", nd ? "," : "", path);
		}
		if (m == NULL)
			continue;
		nc += (size_t)snprintf(certs + nc, nc < sizeof(certs) ? sizeof(certs) - nc : 0,
				       "%s%s", nc ? "," : "", m->cert);
		if (m != hub)
			np += (size_t)snprintf(partners + np,
					       np < sizeof(partners) ? sizeof(partners) - np : 0,
					       "%s%s", np ? "," : "", m->cert);
	}
	snprintf(keys, sizeof(keys), "%s/%s", up->keys_dir, hub->code);
	if ((rc = config_set(cfg, "nccc", "id", hub->nccc, "up", err)) != HR_OK ||
	    (rc = set_member_files(cfg, "nccc", "key", "certificate", keys, hub->nccc, err)) !=
		HR_OK ||
	    (rc = config_set(cfg, "nccc", "name", hub->nccc_name, "up", err)) != HR_OK ||
	    (rc = config_set(cfg, "nccc", "directories", dirs, "up", err)) != HR_OK ||
	    (rc = config_set(cfg, "nccc", "certs", certs, "up", err)) != HR_OK ||
	    (rc = config_set(cfg, "nccc", "partners", partners, "up", err)) != HR_OK)
		return rc;
	/* a partner's STIX bundle or MISP event may be large */
	return config_set(cfg, "server", "max_body_bytes", UP_TRUST_MAX_BODY, "up", err);
}

/* Where the gateway and the wallet report their security events: the hub,
 * started before them. */
static hr_status report_settings(const struct up *up, struct config *cfg, struct hr_error *err)
{
	const struct country_members *hub = nccc_country(up);
	const struct up_role *nccc = find_role(up, "nccc", "", NULL);
	char keys[STATE_DIR_MAX + 32], dir[PATH_MAX], cert[PATH_MAX + 16];
	const char *url;
	hr_status rc;

	if (hub == NULL || nccc == NULL || nccc->host == NULL)
		return HR_OK;
	url = role_host_url(nccc->host);
	snprintf(keys, sizeof(keys), "%s/%s", up->keys_dir, hub->code);
	country_member_dir(keys, hub->nccc, dir, sizeof(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	if ((rc = config_set(cfg, "report", "nccc_url", url, "up", err)) != HR_OK ||
	    (rc = config_set(cfg, "report", "nccc_id", hub->nccc, "up", err)) != HR_OK)
		return rc;
	return config_set(cfg, "report", "nccc_certificate", cert, "up", err);
}

/* The wallet's "was my data leaked" key: STATE/<C>/leak/range.key, made with
 * the country's other leak keys and shared with leakscan (src/leak/leak_tag.h).
 * The range service is the [report] hub; it needs no key. */
static hr_status leak_settings(const struct up *up, const struct up_role *r, struct config *cfg,
			       struct hr_error *err)
{
	char path[PATH_MAX];
	hr_status rc;

	if ((rc = platform_leak_prepare(up->state_dir, r->country, err)) != HR_OK)
		return rc;
	platform_leak_path(up->state_dir, r->country, LEAK_RANGE_KEY, path, sizeof(path));
	return config_set(cfg, "leaks", "range_key", path, "up", err);
}

/* The gateway's sentinel watches the country's canary index, under its key
 * (made here once, with the country's other leak keys). */
static hr_status sentinel_settings(const struct up *up, const struct up_role *r, struct config *cfg,
				   struct hr_error *err)
{
	char path[PATH_MAX];
	hr_status rc;

	if ((rc = platform_leak_prepare(up->state_dir, r->country, err)) != HR_OK)
		return rc;
	platform_leak_path(up->state_dir, r->country, LEAK_CANARY_KEY, path, sizeof(path));
	if ((rc = config_set(cfg, "sentinel", "canary_key", path, "up", err)) != HR_OK)
		return rc;
	platform_leak_path(up->state_dir, r->country, LEAK_CANARY_INDEX, path, sizeof(path));
	return config_set(cfg, "sentinel", "canaries", path, "up", err);
}

/* The settings that tie a country's roles together: identities, keys, peers. */
static hr_status role_settings(const struct up *up, const struct up_role *r, struct config *cfg,
			       struct hr_error *err)
{
	const struct country_members *m = r->members;
	char keys[STATE_DIR_MAX + 32], id[96], dir[PATH_MAX], path[PATH_MAX + 32];
	const struct up_role *gateway, *trust;
	hr_status rc = HR_OK;

	if (strcmp(r->role, "trust") == 0) {
		snprintf(path, sizeof(path), "%s/trust/key.pem", up->keys_dir);
		if ((rc = config_set(cfg, "trust", "key", path, "up", err)) != HR_OK)
			return rc;
		snprintf(path, sizeof(path), "%s/trust/cert.pem", up->keys_dir);
		if ((rc = config_set(cfg, "trust", "certificate", path, "up", err)) != HR_OK)
			return rc;
		snprintf(path, sizeof(path), "%s/countries", r->dir);
		if ((rc = config_set(cfg, "trust", "countries_dir", path, "up", err)) != HR_OK)
			return rc;
		/* a country's upload of its signers and members */
		return config_set(cfg, "server", "max_body_bytes", UP_TRUST_MAX_BODY, "up", err);
	}
	if (strcmp(r->role, "nccc") == 0)
		return nccc_settings(up, cfg, err);
	if (m == NULL)
		return HR_OK;
	snprintf(keys, sizeof(keys), "%s/%s", up->keys_dir, r->country);
	country_member_dir(keys, m->gateway, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	if (strcmp(r->role, "registry") == 0) {
		if (up->options->registry_store != NULL) {
			char url[1024];
			if ((rc = up_registry_store_url(up->options->registry_store, r->country,
							r->document_type, url, sizeof(url), err)) !=
				HR_OK ||
			    (rc = config_set(cfg, "store", "url", url, "up", err)) != HR_OK)
				return rc;
		}
		country_registry_member(m, r->document_type, id, sizeof(id));
		if ((rc = config_set(cfg, "registry", "member_id", id, "up", err)) != HR_OK ||
		    (rc = set_member_files(cfg, "registry", "key", "certificate", keys, id, err)) !=
			HR_OK ||
		    (rc = config_set(cfg, "registry", "gateway_id", m->gateway, "up", err)) !=
			HR_OK ||
		    (rc = config_set(cfg, "registry", "gateway_certificate", path, "up", err)) !=
			HR_OK)
			return rc;
	} else if (strcmp(r->role, "gateway") == 0) {
		char directory[PATH_MAX + 32];
		if ((rc = write_directory(up, r, keys, directory, sizeof(directory), err)) !=
			HR_OK ||
		    (rc = config_set(cfg, "gateway", "directory", directory, "up", err)) != HR_OK ||
		    (rc = set_member_files(cfg, "gateway", "key", "certificate", keys, m->gateway,
					   err)) != HR_OK ||
		    (rc = config_set(cfg, "server", "threads", "16", "up", err)) != HR_OK)
			return rc;
		snprintf(dir, sizeof(dir), "%s/tree-head/key.pem", keys);
		if ((rc = config_set(cfg, "gateway", "tree_head_key", dir, "up", err)) != HR_OK)
			return rc;
		snprintf(dir, sizeof(dir), "%s/tree-head/cert.pem", keys);
		if ((rc = config_set(cfg, "gateway", "tree_head_certificate", dir, "up", err)) !=
		    HR_OK)
			return rc;
		if ((rc = report_settings(up, cfg, err)) != HR_OK ||
		    (rc = sentinel_settings(up, r, cfg, err)) != HR_OK)
			return rc;
		/* the other countries' gateways and members, from the trust service */
		trust = find_role(up, "trust", "", NULL);
		snprintf(dir, sizeof(dir), "%s/trust/cert.pem", up->keys_dir);
		if (trust != NULL && trust->host != NULL &&
		    ((rc = config_set(cfg, "gateway", "trust_url", role_host_url(trust->host), "up",
				      err)) != HR_OK ||
		     (rc = config_set(cfg, "gateway", "trust_anchor", dir, "up", err)) != HR_OK))
			return rc;
	} else if (strcmp(r->role, "wallet") == 0) {
		char signers[STATE_DIR_MAX + 64], outbox[STATE_DIR_MAX + 16], starts[16];
		char abroad[512];
		gateway = find_role(up, "gateway", r->country, NULL);
		snprintf(starts, sizeof(starts), "%d", PLATFORM_UP_ENROL_STARTS_PER_CLIENT_HOUR);
		snprintf(signers, sizeof(signers), "%s/signers", keys);
		snprintf(outbox, sizeof(outbox), "%s/outbox", up->state_dir);
		if ((rc = config_set(cfg, "wallet", "member_id", m->wallet, "up", err)) != HR_OK ||
		    (rc = set_member_files(cfg, "wallet", "key", "certificate", keys, m->wallet,
					   err)) != HR_OK ||
		    (rc = config_set(cfg, "wallet", "gateway_url",
				     gateway && gateway->host ? role_host_url(gateway->host) : "",
				     "up", err)) != HR_OK ||
		    (rc = config_set(cfg, "wallet", "gateway_id", m->gateway, "up", err)) !=
			HR_OK ||
		    (rc = config_set(cfg, "wallet", "gateway_certificate", path, "up", err)) !=
			HR_OK ||
		    (rc = config_set(cfg, "wallet", "provider_prefix", m->registry_prefix, "up",
				     err)) != HR_OK ||
		    (rc = config_set(cfg, "wallet", "signers_dir", signers, "up", err)) != HR_OK ||
		    (rc = config_set(cfg, "wallet", "outbox", outbox, "up", err)) != HR_OK ||
		    (rc = config_set(cfg, "wallet", "enrol_starts_per_client_hour", starts, "up",
				     err)) != HR_OK ||
		    (rc = config_set(cfg, "wallet", "abroad",
				     wallet_abroad(m, abroad, sizeof(abroad)), "up", err)) !=
			HR_OK ||
		    (rc = report_settings(up, cfg, err)) != HR_OK ||
		    (rc = leak_settings(up, r, cfg, err)) != HR_OK ||
		    (rc = config_set(cfg, "server", "threads", "16", "up", err)) != HR_OK)
			return rc;
	}
	return rc;
}

static hr_status build_config(struct up *up, const struct up_role *r, struct config **out,
			      struct hr_error *err)
{
	struct config *cfg = config_new();
	char listen[32], path[PATH_MAX + 16];
	hr_status rc;

	*out = NULL;
	if (cfg == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", r->port);
	if ((rc = config_set(cfg, "node", "role", r->role, "up", err)) != HR_OK ||
	    (r->country[0] &&
	     (rc = config_set(cfg, "node", "country", r->country, "up", err)) != HR_OK) ||
	    (rc = config_set(cfg, "node", "state_dir", r->dir, "up", err)) != HR_OK ||
	    (!up->options->progress &&
	     (rc = config_set(cfg, "node", "log_level", log_level_name(log_get_level()), "up",
			      err)) != HR_OK) ||
	    (rc = config_set(cfg, "server", "listen", listen, "up", err)) != HR_OK ||
	    (r->document_type && (rc = config_set(cfg, "registry", "document_type",
						  r->document_type, "up", err)) != HR_OK) ||
	    (r->document_type &&
	     (rc = config_set(cfg, "node", "name", r->name, "up", err)) != HR_OK))
		goto fail;
	if ((rc = role_settings(up, r, cfg, err)) != HR_OK)
		goto fail;
	for (int i = 0; i < up->options->override_count; i++) {
		if (!override_applies(up->options->overrides[i], r->role))
			continue;
		if ((rc = config_set_assignment(cfg, up->options->overrides[i], err)) != HR_OK)
			goto fail;
	}
	if ((rc = platform_make_dirs(r->dir, err)) != HR_OK)
		goto fail;
	snprintf(path, sizeof(path), "%s/hromada.ini", r->dir);
	if ((rc = config_write_file(cfg, path, err)) != HR_OK)
		goto fail;
	*out = cfg;
	return HR_OK;
fail:
	config_free(cfg);
	return rc;
}

static hr_status start_roles(struct up *up, struct hr_error *err)
{
	for (int i = 0; i < up->role_count; i++) {
		struct up_role *r = &up->roles[i];
		struct config *cfg;
		hr_status rc;

		if ((rc = build_config(up, r, &cfg, err)) != HR_OK)
			return rc;
		rc = role_host_start(cfg, r->role, &r->host, err);
		config_free(cfg);
		if (rc != HR_OK)
			return rc;
	}
	return HR_OK;
}

static void stop_roles(struct up *up)
{
	/* Quiesce all first, so every role drains its in-flight requests at once. */
	for (int i = 0; i < up->role_count; i++)
		role_host_quiesce(up->roles[i].host);
	for (int i = up->role_count - 1; i >= 0; i--) {
		role_host_stop(up->roles[i].host);
		up->roles[i].host = NULL;
	}
}

/* Polls every /healthz over HTTP until each answers 200. */
static hr_status wait_healthy(struct up *up, struct hr_error *err)
{
	struct http_client_options copt;
	struct http_client *client;
	struct http_client_response resp;
	uint64_t deadline = clock_monotonic_us() + HEALTH_DEADLINE_MS * 1000ull;
	hr_status rc = HR_OK;

	http_client_options_default(&copt);
	copt.timeout_ms = 2000;
	if ((client = http_client_new(&copt)) == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	http_client_response_init(&resp);
	for (int i = 0; i < up->role_count; i++) {
		char url[256];
		snprintf(url, sizeof(url), "%s/healthz", role_host_url(up->roles[i].host));
		for (;;) {
			rc = http_client_get(client, url, &resp, err);
			if (rc == HR_OK && resp.status == 200)
				break;
			if (clock_monotonic_us() > deadline) {
				rc = hr_error_set(err, HR_E_UNAVAILABLE, STAGE,
						  "%s did not become healthy (%s answered %ld)",
						  role_host_name(up->roles[i].host), url,
						  rc == HR_OK ? resp.status : 0L);
				goto done;
			}
			usleep(50000);
		}
	}
	rc = HR_OK;
done:
	http_client_response_clear(&resp);
	http_client_free(client);
	return rc;
}

/* The overview page (port base + 2): every service, the pages people use. */
static hr_status start_overview(struct up *up, struct hr_error *err)
{
	struct role_host *hosts[UP_MAX_ROLES];
	struct up_overview_country wallets[COUNTRY_COUNT];
	const struct up_role *trust = find_role(up, "trust", "", NULL);

	for (int i = 0; i < up->role_count; i++)
		hosts[i] = up->roles[i].host;
	for (int c = 0; c < up->country_count; c++) {
		const struct up_role *w = find_role(up, "wallet", up->countries[c], NULL);
		wallets[c] = (struct up_overview_country){up->countries[c], role_host_url(w->host)};
	}
	return up_overview_start(
	    up->state_dir,
	    up->options->port_base ? up->options->port_base + UP_OVERVIEW_PORT_OFFSET : 0, hosts,
	    (size_t)up->role_count, trust ? role_host_url(trust->host) : NULL, wallets,
	    (size_t)up->country_count, &up->overview, err);
}

static json_t *endpoints_json(const struct up *up)
{
	json_t *root = json_object();

	if (root == NULL)
		return NULL;
	json_object_set_new(root, "overview", json_string(up_overview_url(up->overview)));
	for (int c = 0; c < up->country_count; c++) {
		json_t *country = json_object(), *registries = json_object();
		char audit[PATH_MAX + 16];

		snprintf(audit, sizeof(audit), "%s/%s/gateway/audit", up->state_dir,
			 up->countries[c]);
		json_object_set_new(country, "registries", registries);
		json_object_set_new(country, "audit_dir", json_string(audit));
		json_object_set_new(root, up->countries[c], country);
	}
	for (int i = 0; i < up->role_count; i++) {
		const struct up_role *r = &up->roles[i];
		json_t *url = json_string(role_host_url(r->host));
		json_t *country = r->country[0] ? json_object_get(root, r->country) : NULL;

		if (country == NULL)
			json_object_set_new(root, r->role, url);
		else if (r->document_type != NULL)
			json_object_set_new(json_object_get(country, "registries"),
					    r->document_type, url);
		else
			json_object_set_new(country, r->role, url);
	}
	return root;
}

/* "UA registry id_card", "UA wallet", "trust": how the console names a role. */
static const char *role_label(const struct up_role *r, char *out, size_t size)
{
	if (r->document_type)
		snprintf(out, size, "%s registry %s", r->country, r->document_type);
	else if (r->country[0])
		snprintf(out, size, "%s %s", r->country, r->role);
	else
		snprintf(out, size, "%s", r->role);
	return out;
}

/* Whether something already listens on 127.0.0.1:port (bound as libmicrohttpd
 * binds, SO_REUSEADDR, so a closed connection's TIME_WAIT does not count). */
static bool port_taken(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
	bool taken;

	if (fd < 0)
		return false; /* cannot tell: the role's own start will say */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	taken = bind(fd, (const struct sockaddr *)&a, sizeof(a)) != 0 && errno == EADDRINUSE;
	close(fd);
	return taken;
}

static unsigned last_port(const struct up *up)
{
	unsigned last = 0;

	for (int i = 0; i < up->role_count; i++)
		if (up->roles[i].port > last)
			last = up->roles[i].port;
	return last;
}

/* Every port the roles will listen on is free, checked before anything is
 * loaded: a taken one is named, with the option that moves them all. */
static hr_status check_ports(const struct up *up, struct hr_error *err)
{
	unsigned base = up->options->port_base, last = last_port(up);
	const struct up_role *taken = NULL;
	char label[64];

	if (base == 0)
		return HR_OK; /* free ports are picked at start */
	for (int i = 0; i < up->role_count; i++) {
		const struct up_role *r = &up->roles[i];
		if (taken == NULL && port_taken(r->port))
			taken = r;
	}
	if (taken == NULL && !port_taken(base + UP_OVERVIEW_PORT_OFFSET))
		return HR_OK;
	return hr_error_set(err, HR_E_BUSY, STAGE,
			    "port %u (%s) on 127.0.0.1 is already in use (another 'hromada "
			    "up'?); nothing was started. The services use ports %u to %u: move "
			    "them with --port-base N (e.g. --port-base %u), or --port-base 0 for "
			    "any free ones",
			    taken ? taken->port : base + UP_OVERVIEW_PORT_OFFSET,
			    taken ? role_label(taken, label, sizeof(label)) : "overview", base,
			    last,
			    base + 1000 <= 65535 - 10 * (COUNTRY_COUNT + 1) ? base + 1000 : 9400);
}

static hr_status lock_state_dir(struct up *up, struct hr_error *err)
{
	char path[PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s/.lock", up->state_dir);
	up->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (up->lock_fd < 0)
		return hr_error_set(err, HR_E_IO, STAGE, "cannot open %s: %s", path,
				    strerror(errno));
	if (flock(up->lock_fd, LOCK_EX | LOCK_NB) != 0)
		return hr_error_set(err, HR_E_BUSY, STAGE,
				    "another 'hromada up' is running on %s; stop it or use --state",
				    up->state_dir);
	return HR_OK;
}

/* A demo citizen of the first country who holds a driver's licence, for the guide. */
static bool guide_person(const struct up *up, char *out, size_t size)
{
	char path[PATH_MAX + 16];
	json_t *demo, *citizen;
	size_t i;
	bool found = false;

	snprintf(path, sizeof(path), "%s/demo.json", up->state_dir);
	if ((demo = json_load_file(path, 0, NULL)) == NULL)
		return false;
	json_array_foreach(json_object_get(demo, up->countries[0]), i, citizen)
	{
		json_t *type;
		size_t j;
		json_array_foreach(json_object_get(citizen, "documents"), j, type)
		{
			const char *person = json_string_value(json_object_get(citizen, "person"));
			const char *name = json_string_value(type);
			if (!found && person && name && strcmp(name, "driver_licence") == 0) {
				snprintf(out, size, "%s", person);
				found = true;
			}
		}
	}
	json_decref(demo);
	return found;
}

/* The cross-border part of the guide: the other country's police checking
 * the guide person's licence through both gateways. */
static void print_guide_abroad(const struct up *up)
{
	const struct country_members *home = country_members(up->countries[0]);
	const struct up_role *foreign_gateway;
	const struct country_members *foreign;

	if (up->country_count < 2)
		return;
	foreign = country_members(up->countries[1]);
	foreign_gateway = find_role(up, "gateway", up->countries[1], NULL);
	printf("\nAcross the border, %s's police check that licence by its number (from\n"
	       "'documents'); the citizen's access-log then shows them:\n"
	       "  build/hromada member --state %s --as %s request POST \\\n"
	       "      %s/x/%s/driver_licence/status --json '{\"document_number\": \"...\"}'\n",
	       foreign->code, up->state_dir, foreign->police, role_host_url(foreign_gateway->host),
	       home->registry_prefix);
}

/*
 * What `up` prints on stdout once everything answers (at most a screen with
 * the progress lines before it): the pages a person opens — the overview of
 * every service, each country's citizen wallet at <wallet>/wallet/,
 * the verifier at <trust>/verify/ — then where every URL is, and the commands
 * to try as a citizen.
 */
static void up_print_summary(const struct up *up)
{
	const char *dir = up->state_dir;
	const struct up_role *trust = find_role(up, "trust", "", NULL);
	const struct up_role *wallet = find_role(up, "wallet", up->countries[0], NULL);
	const struct up_role *gateway = find_role(up, "gateway", up->countries[0], NULL);
	char person[32];

	printf("\nHromada is up: %d services on 127.0.0.1. State: %s\n\n", up->role_count, dir);
	if (up->overview != NULL)
		printf("  %-10s %s/\n", "overview", up_overview_url(up->overview));
	for (int c = 0; c < up->country_count; c++) {
		const struct up_role *w = find_role(up, "wallet", up->countries[c], NULL);
		char label[16];
		snprintf(label, sizeof(label), "%s wallet", up->countries[c]);
		if (w != NULL && w->host != NULL)
			printf("  %-10s %s/wallet/\n", label, role_host_url(w->host));
	}
	if (trust != NULL && trust->host != NULL)
		printf("  %-10s %s/verify/\n", "verifier", role_host_url(trust->host));
	printf("\nEvery service's URL is in %s/endpoints.json, demo citizens in\n"
	       "%s/demo.json.\n",
	       dir, dir);
	if (wallet != NULL && guide_person(up, person, sizeof(person))) {
		printf("\nTry it as a citizen's phone, from another terminal:\n"
		       "  P=%s\n"
		       "  build/hromada device --state %s enrol $P\n"
		       "  build/hromada device --state %s documents $P\n"
		       "  build/hromada device --state %s show $P driver_licence --png dl.png\n"
		       "  build/hromada verify --trust-list %s/trust-list.json --image dl.png\n"
		       "  build/hromada device --state %s access-log $P\n"
		       "  build/hromada audit verify %s/%.2s/gateway/audit\n",
		       person, dir, dir, dir, dir, dir, dir, person);
		print_guide_abroad(up);
	}
	if (wallet != NULL && gateway != NULL)
		printf("\nOr with curl:\n"
		       "  curl -s %s/metrics | head\n"
		       "  curl %s/audit/sth\n",
		       role_host_url(wallet->host), role_host_url(gateway->host));
	printf("\nREADME.md tells more. Stop with Ctrl-C (SIGINT) or SIGTERM.\n");
	fflush(stdout);
}

static struct http_client *trust_client(void)
{
	struct http_client_options copt;

	http_client_options_default(&copt);
	copt.timeout_ms = 30000;
	copt.max_response_bytes = 64 * 1024 * 1024;
	return http_client_new(&copt);
}

/* Every country uploads what it publishes to the trust service, as its
 * operator would, then STATE/trust-list.json is the list the service serves. */
static hr_status publish_countries(struct up *up, struct hr_error *err)
{
	const struct up_role *trust = find_role(up, "trust", "", NULL);
	struct http_client *http = trust_client();
	hr_status rc = HR_OK;

	if (http == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	for (int c = 0; c < up->country_count && rc == HR_OK; c++) {
		const struct up_role *gateway = find_role(up, "gateway", up->countries[c], NULL);
		rc = up_upload_country(http, role_host_url(trust->host), up->keys_dir,
				       up->countries[c], role_host_url(gateway->host), err);
	}
	if (rc == HR_OK)
		rc = up_fetch_trust_list(http, role_host_url(trust->host), up->state_dir,
					 up->keys_dir, err);
	http_client_free(http);
	return rc;
}

/* trust-list.json must not go stale while `up` runs: the service signs a new
 * list every half of its validity. A failure is logged and tried again later. */
static void refresh_trust_list(struct up *up)
{
	const struct up_role *trust = find_role(up, "trust", "", NULL);
	struct http_client *http = trust_client();
	struct hr_error err = {0};

	if (http == NULL || up_fetch_trust_list(http, role_host_url(trust->host), up->state_dir,
						up->keys_dir, &err) != HR_OK)
		log_warn("up.trust_list", "trust-list.json not refreshed: %s", err.message);
	http_client_free(http);
}

/* Makes the keys a new state directory lacks: in a child process, so this one,
 * which will answer the network, never holds a private key (key_isolation.h). */
static hr_status prepare_keys(void *arg, struct hr_error *err)
{
	struct up *up = arg;

	return up_prepare_keys(up->keys_dir, up->countries, up->country_count, err);
}

/* One key process for every role of this host, set with --set keys.KEY=VALUE. */
static hr_status start_key_process(struct up *up, struct hr_error *err)
{
	struct config *cfg = config_new();
	hr_status rc = cfg == NULL ? hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory") : HR_OK;

	for (int i = 0; rc == HR_OK && i < up->options->override_count; i++)
		if (strncmp(up->options->overrides[i], "keys.", 5) == 0)
			rc = config_set_assignment(cfg, up->options->overrides[i], err);
	if (rc == HR_OK)
		rc = key_isolation_start(cfg, err);
	config_free(cfg);
	return rc;
}

hr_status platform_up(const struct platform_up_options *options, struct hr_error *err)
{
	struct up *up = calloc(1, sizeof(*up));
	uint64_t people = options->population ? options->population : POPULATION_DEFAULT_PEOPLE;
	uint64_t seed = options->seed;
	char path[PATH_MAX];
	json_t *endpoints;
	bool keys_started = false;
	hr_status rc;
	int sig;

	if (up == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	up_say_enable(options->progress);
	up->options = options;
	up->lock_fd = -1;
	if ((rc = countries_parse(options->countries ? options->countries : "UA,PL", up->countries,
				  &up->country_count, err)) != HR_OK) {
		hr_error_prefix(err, "--countries");
		goto done;
	}
	if (options->port_base > 65535 - 10 * (COUNTRY_COUNT + 1)) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "--port-base %u is too high",
				  options->port_base);
		goto done;
	}
	if ((rc = platform_make_dirs(options->state_dir, err)) != HR_OK)
		goto done;
	if (realpath(options->state_dir, path) == NULL) {
		rc = hr_error_set(err, HR_E_IO, STAGE, "cannot resolve %s: %s", options->state_dir,
				  strerror(errno));
		goto done;
	}
	if (strlen(path) >= sizeof(up->state_dir)) {
		rc = hr_error_set(err, HR_E_INVALID, STAGE, "state directory path is too long");
		goto done;
	}
	memcpy(up->state_dir, path, strlen(path) + 1);
	if ((rc = lock_state_dir(up, err)) != HR_OK)
		goto done;
	/* the plan names every port: all checked before anything is made or loaded */
	plan_roles(up);
	if ((rc = check_ports(up, err)) != HR_OK)
		goto done;
	if (options->port_base)
		up_say("hromada up: %d services on ports %u to %u; state %s", up->role_count,
		       options->port_base, last_port(up), up->state_dir);
	else
		up_say("hromada up: %d services on free ports; state %s", up->role_count,
		       up->state_dir);
	/* endpoints.json means "all of this answers now": never leave a stale one */
	snprintf(path, sizeof(path), "%s/endpoints.json", up->state_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/outbox", up->state_dir);
	if ((rc = platform_make_dirs(path, err)) != HR_OK)
		goto done;
	snprintf(up->keys_dir, sizeof(up->keys_dir), "%s/keys", up->state_dir);
	snprintf(path, sizeof(path), "%s/trust/countries", up->state_dir);
	if ((rc = key_isolation_run_apart(prepare_keys, up, err)) != HR_OK ||
	    (rc = up_onboard_countries(path, up->keys_dir, up->countries, up->country_count,
				       err)) != HR_OK ||
	    (rc = up_prepare_population(up->state_dir, options->registry_store, up->countries,
					up->country_count, people, seed, err)) != HR_OK)
		goto done;
	if ((rc = start_key_process(up, err)) != HR_OK)
		goto done;
	keys_started = true;
	if ((rc = start_roles(up, err)) != HR_OK || (rc = wait_healthy(up, err)) != HR_OK ||
	    (rc = publish_countries(up, err)) != HR_OK || (rc = start_overview(up, err)) != HR_OK)
		goto done;
	if ((endpoints = endpoints_json(up)) == NULL) {
		rc = hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
		goto done;
	}
	snprintf(path, sizeof(path), "%s/endpoints.json", up->state_dir);
	rc = up_write_json(path, endpoints, err);
	json_decref(endpoints);
	if (rc != HR_OK)
		goto done;
	log_info("up.ready", "%d roles healthy; endpoints in %s", up->role_count, path);
	up_say("  %d services healthy; the countries' signers published at the trust service",
	       up->role_count);
	if (options->print_guide)
		up_print_summary(up);
	while ((sig = signals_wait_stop_for(TRUST_REFRESH_MS)) == 0)
		refresh_trust_list(up);
	log_info("up.stopping", "signal %d received; stopping every role", sig);
done:
	up_overview_stop(up->overview); /* it reads the roles' servers */
	stop_roles(up);
	if (keys_started)
		key_isolation_stop();
	if (up->lock_fd >= 0) {
		snprintf(path, sizeof(path), "%s/endpoints.json", up->state_dir);
		unlink(path);
		close(up->lock_fd);
	}
	free(up);
	if (rc == HR_OK)
		log_info("up.stopped", "all roles stopped cleanly");
	return rc;
}
