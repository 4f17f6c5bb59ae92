/*
 * role_host.c — runs one role: settings, state directory, HTTP server, role state.
 */
#include "platform/platform.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/error.h"
#include "core/http_server.h"
#include "core/log.h"
#include "web/status_page.h"

struct role_host {
	const struct role_ops *ops;
	void *state;
	struct http_server *server;
	char name[64];
	char country[8];
	char state_dir[PATH_MAX];
};

hr_status platform_make_dirs(const char *path, struct hr_error *err)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return hr_error_set(err, HR_E_INVALID, "state", "bad directory path '%.100s'",
				    path);
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		if (mkdir(buf, 0750) != 0 && errno != EEXIST)
			return hr_error_set(err, HR_E_IO, "state", "cannot create %s: %s", buf,
					    strerror(errno));
		buf[i] = path[i];
	}
	return HR_OK;
}

static bool country_code_valid(const char *c)
{
	return strlen(c) == 2 && isupper((unsigned char)c[0]) && isupper((unsigned char)c[1]);
}

static hr_status read_node_settings(struct config *cfg, const char *role_name, struct role_host *h,
				    struct hr_error *err)
{
	const char *role, *country, *state_dir, *name, *level_text;
	enum log_level level;
	hr_status rc;

	if ((rc = config_get_str(cfg, "node", "role", role_name, &role, err)) != HR_OK)
		return rc;
	if (role == NULL)
		return hr_error_set(err, HR_E_INVALID, "config", "no role given ([node] role)");
	if (role_name != NULL && strcmp(role, role_name) != 0)
		return hr_error_set(err, HR_E_INVALID, "config",
				    "the config file is for role '%.32s', not '%.32s'", role,
				    role_name);
	h->ops = platform_role_find(role);
	if (h->ops == NULL)
		return hr_error_set(err, HR_E_INVALID, "config",
				    "unknown role '%.32s' (registry, gateway, wallet, trust, nccc)",
				    role);
	if ((rc = config_get_str(cfg, "node", "country", "", &country, err)) != HR_OK)
		return rc;
	if (h->ops->per_country && !country_code_valid(country))
		return hr_error_set(err, HR_E_INVALID, "config",
				    "role %s needs [node] country, two capital letters (e.g. UA)",
				    role);
	if (!h->ops->per_country && country[0] != 0 && !country_code_valid(country))
		return hr_error_set(err, HR_E_INVALID, "config",
				    "[node] country must be two capital letters (e.g. UA)");
	snprintf(h->country, sizeof(h->country), "%s", country);
	if ((rc = config_get_str(cfg, "node", "state_dir", NULL, &state_dir, err)) != HR_OK)
		return rc;
	if (state_dir == NULL || state_dir[0] == 0)
		return hr_error_set(err, HR_E_INVALID, "config",
				    "no state directory given ([node] state_dir)");
	snprintf(h->state_dir, sizeof(h->state_dir), "%s", state_dir);
	if (h->ops->per_country)
		snprintf(h->name, sizeof(h->name), "%s/%s", h->country, role);
	else
		snprintf(h->name, sizeof(h->name), "%s", role);
	if ((rc = config_get_str(cfg, "node", "name", NULL, &name, err)) != HR_OK)
		return rc;
	if (name != NULL)
		snprintf(h->name, sizeof(h->name), "%s", name);
	if ((rc = config_get_str(cfg, "node", "log_level", log_level_name(log_get_level()),
				 &level_text, err)) != HR_OK)
		return rc;
	if (log_level_parse(level_text, &level) != HR_OK)
		return hr_error_set(
		    err, HR_E_INVALID, "config",
		    "[node] log_level '%.16s' is not debug, info, warn, error or off", level_text);
	log_set_level(level);
	return HR_OK;
}

static void log_started(const struct role_host *h)
{
	struct log_line line;

	log_scope_set_role(NULL);
	log_begin(&line, LOG_LEVEL_INFO, "role.started");
	log_add_str(&line, "name", h->name);
	log_add_str(&line, "url", http_server_url(h->server));
	log_add_str(&line, "state_dir", h->state_dir);
	log_end(&line);
}

hr_status role_host_start(struct config *cfg, const char *role_name, struct role_host **out,
			  struct hr_error *err)
{
	struct http_server_options options;
	struct role_context ctx;
	struct role_host *h = calloc(1, sizeof(*h));
	hr_status rc;

	*out = NULL;
	if (h == NULL)
		return hr_error_set(err, HR_E_NOMEM, "state", "out of memory");
	if ((rc = read_node_settings(cfg, role_name, h, err)) != HR_OK)
		goto fail;
	if ((rc = platform_make_dirs(h->state_dir, err)) != HR_OK)
		goto fail;
	http_server_options_default(&options);
	if ((rc = http_server_options_from_config(cfg, &options, err)) != HR_OK ||
	    (rc = config_check_unused_section(cfg, "server", err)) != HR_OK ||
	    (rc = config_check_unused_section(cfg, "node", err)) != HR_OK)
		goto fail;
	snprintf(options.name, sizeof(options.name), "%s", h->name);
	if ((h->server = http_server_new(&options, err)) == NULL) {
		rc = err ? err->status : HR_E_NOMEM;
		goto fail;
	}
	ctx.config = cfg;
	ctx.country = h->country;
	ctx.state_dir = h->state_dir;
	ctx.name = h->name;
	ctx.server = h->server;
	if ((rc = h->ops->open(&ctx, &h->state, err)) != HR_OK ||
	    (rc = web_status_mount(h->server, web_status_role_links(h->ops->name), err)) != HR_OK)
		goto fail;
	if ((rc = config_check_unused(cfg, err)) != HR_OK)
		goto fail;
	if ((rc = http_server_start(h->server, err)) != HR_OK)
		goto fail;
	log_started(h);
	*out = h;
	return HR_OK;
fail:
	hr_error_prefix(err, "%s", h->name[0] ? h->name : "role");
	role_host_stop(h);
	return rc;
}

const char *role_host_url(const struct role_host *h)
{
	return http_server_url(h->server);
}

struct http_server *role_host_server(const struct role_host *h)
{
	return h->server;
}

const char *role_host_name(const struct role_host *h)
{
	return h->name;
}

void role_host_quiesce(struct role_host *h)
{
	if (h != NULL && h->server != NULL)
		http_server_quiesce(h->server);
}

void role_host_stop(struct role_host *h)
{
	if (h == NULL)
		return;
	if (h->server != NULL)
		http_server_stop(h->server); /* no handler runs after this */
	if (h->state != NULL)
		h->ops->close(h->state);
	http_server_free(h->server);
	free(h);
}
