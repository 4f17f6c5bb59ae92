/*
 * up_overview.c — the overview server of `hromada up` (see up_overview.h).
 */
#include "platform/up_overview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/http_server.h"
#include "platform/platform.h"
#include "web/status_page.h"

#define STAGE     "up"
#define MAX_PAGES 8

struct up_overview {
	struct http_server *server;
	struct web_overview page;
	struct web_overview_service *services;
	struct web_link pages[MAX_PAGES + 1];
	char hrefs[MAX_PAGES][600];
	char labels[MAX_PAGES][128];
};

static void add_page(struct up_overview *o, size_t *n, const char *label, const char *base,
		     const char *path)
{
	if (*n >= MAX_PAGES)
		return;
	snprintf(o->hrefs[*n], sizeof(o->hrefs[*n]), "%s%s", base, path);
	snprintf(o->labels[*n], sizeof(o->labels[*n]), "%s", label);
	o->pages[*n] = (struct web_link){o->hrefs[*n], o->labels[*n]};
	(*n)++;
}

hr_status up_overview_start(const char *state_dir, unsigned port, struct role_host *const *hosts,
			    size_t host_count, const char *trust_url,
			    const struct up_overview_country *countries, size_t country_count,
			    struct up_overview **out, struct hr_error *err)
{
	struct http_server_options options;
	struct up_overview *o = calloc(1, sizeof(*o));
	char label[128];
	size_t pages = 0;
	hr_status rc;

	*out = NULL;
	if (o == NULL ||
	    (o->services = calloc(host_count ? host_count : 1, sizeof(*o->services))) == NULL) {
		free(o);
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	}
	for (size_t i = 0; i < host_count; i++)
		o->services[i] = (struct web_overview_service){role_host_name(hosts[i]),
							       role_host_server(hosts[i])};
	for (size_t c = 0; c < country_count; c++) {
		snprintf(label, sizeof(label), "Citizen wallet, %s", countries[c].country);
		add_page(o, &pages, label, countries[c].wallet_url, "/wallet/");
	}
	if (trust_url != NULL)
		add_page(o, &pages, "Verifier: check a QR code, offline", trust_url, "/verify/");
	o->pages[pages] = (struct web_link){NULL, NULL};
	o->page = (struct web_overview){state_dir, o->services, host_count, o->pages};
	http_server_options_default(&options);
	options.listen_port = (uint16_t)port;
	options.access_log = false;
	snprintf(options.name, sizeof(options.name), "overview");
	if ((o->server = http_server_new(&options, err)) == NULL) {
		rc = err ? err->status : HR_E_NOMEM;
		goto fail;
	}
	if ((rc = web_overview_mount(o->server, &o->page, err)) != HR_OK ||
	    (rc = http_server_start(o->server, err)) != HR_OK)
		goto fail;
	*out = o;
	return HR_OK;
fail:
	hr_error_prefix(err, "overview");
	up_overview_stop(o);
	return rc;
}

const char *up_overview_url(const struct up_overview *o)
{
	return http_server_url(o->server);
}

void up_overview_stop(struct up_overview *o)
{
	if (o == NULL)
		return;
	if (o->server != NULL)
		http_server_stop(o->server);
	http_server_free(o->server);
	free(o->services);
	free(o);
}
