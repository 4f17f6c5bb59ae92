/*
 * up_population.c — the registries' synthetic population and the demo
 * citizens of `hromada up` (see up_state.h).
 *
 * Every country has `people` people, and each country's load is told the
 * other's size too, so that its residents from the other country (population_
 * abroad) are found among the other's people. The first country's as-of date
 * (kept from an earlier load, else today) dates the next one: two loads a day
 * apart, or an earlier state directory, would otherwise make the residents
 * people the other country does not have.
 */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "platform/population.h"
#include "platform/up_state.h"

#define STAGE            "up"
#define DEMO_PER_COUNTRY 10

hr_status up_registry_store_url(const char *template_url, const char *country,
				const char *document_type, char *out, size_t size,
				struct hr_error *err)
{
	if (strstr(template_url, "{country}") == NULL || strstr(template_url, "{type}") == NULL)
		return hr_error_set(err, HR_E_INVALID, STAGE,
				    "--registry-store must name each registry with {country} and "
				    "{type}, e.g. postgresql:///hromada?host=/run/postgresql&"
				    "schema=registry_{country}_{type}");
	return population_registry_url(template_url, country, document_type, out, size, err);
}

static void log_progress(void *arg, const struct population_load_stats *s)
{
	const char *country = arg;

	log_info("up.population", "country=%s people=%llu documents=%llu seconds=%.1f", country,
		 (unsigned long long)s->people, (unsigned long long)s->rows, s->seconds);
}

/* Loads one country's registries (or finds them loaded); as_of: the date to
 * date it against, or "" for the one it was loaded as of (else today), and
 * then gets that date. */
static hr_status load_country(const char *state_dir, const char *store_template,
			      const char *country, uint64_t people, uint64_t seed, char as_of[11],
			      struct hr_error *err)
{
	char name[8], url[1024];
	struct population_load_options o = {
	    .country = country,
	    .seed = seed,
	    .people = people,
	    .partner_people = people,
	    .as_of = as_of[0] ? as_of : NULL,
	    .state_dir = state_dir,
	    .progress = log_progress,
	    .progress_arg = name,
	};
	struct population_load_stats stats;
	hr_status rc;

	snprintf(name, sizeof(name), "%s", country);
	if (store_template != NULL) {
		/* checked here, where the message can name the option */
		if ((rc = up_registry_store_url(store_template, country, "x", url, sizeof(url),
						err)) != HR_OK)
			return rc;
		o.url_template = store_template;
	}
	if ((rc = population_load(&o, &stats, err)) != HR_OK)
		return rc;
	memcpy(as_of, stats.as_of, 11);
	if (stats.reused)
		up_say("  population %s: %llu people, already loaded", country,
		       (unsigned long long)people);
	else
		up_say("  population %s: %llu people, %llu documents, loaded in %.1f s", country,
		       (unsigned long long)stats.people, (unsigned long long)stats.rows,
		       stats.seconds);
	if (stats.reused)
		log_info("up.population",
			 "country=%s people=%llu seed=%llu as_of=%s already loaded", country,
			 (unsigned long long)people, (unsigned long long)seed, as_of);
	else
		log_info(
		    "up.population",
		    "country=%s people=%llu residents=%llu as_of=%s documents=%llu seconds=%.1f "
		    "people_per_s=%.0f",
		    country, (unsigned long long)stats.people, (unsigned long long)stats.residents,
		    as_of, (unsigned long long)stats.rows, stats.seconds,
		    stats.seconds > 0 ? (double)stats.people / stats.seconds : 0.0);
	return HR_OK;
}

hr_status up_prepare_population(const char *state_dir, const char *store_template,
				const char *const *countries, int count, uint64_t people,
				uint64_t seed, struct hr_error *err)
{
	json_t *demo = json_object();
	char path[4096], as_of[11] = "";
	hr_status rc = HR_OK;

	if (demo == NULL)
		return hr_error_set(err, HR_E_NOMEM, STAGE, "out of memory");
	for (int c = 0; c < count && rc == HR_OK; c++) {
		json_t *citizens = NULL;

		if ((rc = load_country(state_dir, store_template, countries[c], people, seed, as_of,
				       err)) == HR_OK &&
		    (rc = population_demo(countries[c], seed, as_of, people, DEMO_PER_COUNTRY,
					  &citizens, err)) == HR_OK)
			json_object_set_new(demo, countries[c], citizens);
	}
	if (rc == HR_OK) {
		snprintf(path, sizeof(path), "%s/demo.json", state_dir);
		rc = up_write_json(path, demo, err);
	}
	json_decref(demo);
	return rc;
}
