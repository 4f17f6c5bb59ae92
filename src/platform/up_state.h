/*
 * up_state.h — what `hromada up` prepares around the roles: keys, the
 * countries' onboarding and uploads at the trust service and the list it
 * serves, the registries' population and demo.json.
 * Every step keeps what a previous `up` on the same directory made.
 */
#ifndef HROMADA_PLATFORM_UP_STATE_H
#define HROMADA_PLATFORM_UP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <hromada/status.h>

#include "core/http_client.h"

/* up's quiet console (platform_up_options.progress): when on, up_say prints
 * one plain line on stderr ("  population UA: ..."); off, it prints nothing
 * (the structured log tells the same). */
void up_say_enable(bool on);
void up_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes value as pretty JSON through a temporary file and rename(). */
hr_status up_write_json(const char *path, const json_t *value, struct hr_error *err);

/* KEYS_DIR/trust and KEYS_DIR/<C> for each country. */
hr_status up_prepare_keys(const char *keys_dir, const char *const *countries, int count,
			  struct hr_error *err);

/* up_trust.c: onboards each country at the trust service, out of band: copies
 * KEYS_DIR/<C>/upload/cert.pem and root/cert.pem into COUNTRIES_DIR/<C>/. */
hr_status up_onboard_countries(const char *countries_dir, const char *keys_dir,
			       const char *const *countries, int count, struct hr_error *err);
/* Country code uploads its signers and members (its gateway at gateway_url) to
 * the trust service in one batch signed with its upload key. */
hr_status up_upload_country(struct http_client *http, const char *trust_url, const char *keys_dir,
			    const char *code, const char *gateway_url, struct hr_error *err);
/* STATE/trust-list.json from the service, and STATE/trust-anchor.pem beside it. */
hr_status up_fetch_trust_list(struct http_client *http, const char *trust_url,
			      const char *state_dir, const char *keys_dir, struct hr_error *err);

/*
 * A registry's store URL from a template of --registry-store: "{country}" and
 * "{type}" replaced. HR_E_INVALID when the result does not fit or the template
 * does not name both (two registries would share one table).
 */
hr_status up_registry_store_url(const char *template_url, const char *country,
				const char *document_type, char *out, size_t size,
				struct hr_error *err);

/*
 * Loads (or finds already loaded) the population of each country into its
 * eight registries: SQLite files in the registries' directories, or
 * store_template (see up_registry_store_url) when not NULL; then writes
 * STATE/demo.json: {"UA": [{person, family_name, given_name, documents}], ...}.
 * Progress and the load rate go to the log.
 */
hr_status up_prepare_population(const char *state_dir, const char *store_template,
				const char *const *countries, int count, uint64_t people,
				uint64_t seed, struct hr_error *err);

#endif
