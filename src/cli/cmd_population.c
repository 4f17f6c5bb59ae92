/*
 * cmd_population.c — `hromada population`: generate the synthetic population
 * and load it into the registries (platform/population.h does the work).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/documents.h"
#include "core/log.h"
#include "platform/population.h"

static void population_help(void)
{
	printf("Usage: hromada population [--country UA,PL] [--people N|UA=N,PL=M] [--seed S]\n"
	       "                          [--as-of YYYY-MM-DD] [--state DIR | --store-url URL]\n"
	       "                          [--batch ROWS]\n"
	       "                          [--force] [--demo] [--quiet]\n"
	       "\n"
	       "Generates a synthetic population and loads it into the eight registries of\n"
	       "each country (id_card, foreign_passport, driver_licence, vehicle_registration,\n"
	       "residence_permit, vaccination, student_card, military_record). Ukrainians get\n"
	       "an RNOKPP, Poles a PESEL, both with valid check digits; names in Cyrillic or\n"
	       "Polish with their official Latin transliteration; addresses; and documents in\n"
	       "each country's formats, a few percent of them expired, suspended or lost.\n"
	       "About 2.8%% of the Ukrainians also live in Poland and 0.2%% of the Poles in\n"
	       "Ukraine: the same people, with an id, an address and a residence permit in the\n"
	       "other country too, whose residence permit registry knows their id at home.\n"
	       "Each country's load finds them among the other's people, so it must know the\n"
	       "other's size (--people) and be dated as the other (--as-of, or both loaded in\n"
	       "one run, which dates both as the first).\n"
	       "\n"
	       "The population is deterministic: person i of a country is the same for the same\n"
	       "seed and as-of date on every machine. The as-of date is the day the documents\n"
	       "are dated against (which are expired, who is of age): by default the day of\n"
	       "the first load, kept by later ones. Loading is skipped when the registries\n"
	       "already hold this country, seed, size, as-of date and generator version (as\n"
	       "`hromada up` finds them on its second start).\n"
	       "\n"
	       "Options:\n"
	       "  --country LIST    UA, PL or UA,PL (default UA,PL)\n"
	       "  --people N        people per country, 1 to %llu (default %llu); or each\n"
	       "                    country's: UA=38000000,PL=1000000 (a country not named\n"
	       "                    has the default), also for the one not loaded\n"
	       "  --seed S          seed of the generator, 0 to 2^64-1 (default %llu)\n"
	       "  --as-of DATE      date the population is dated against (default: what the\n"
	       "                    first country's registries were loaded as of, else\n"
	       "                    today, UTC; the next country is dated alike)\n"
	       "  --state DIR       state directory of `hromada up` (default ./hromada-state):\n"
	       "                    each registry is the SQLite file\n"
	       "                    DIR/<COUNTRY>/registry-<type>/registry.db\n"
	       "  --store-url URL   instead of --state: where each registry lives, with {type}\n"
	       "                    replaced by its document type and {country} by the\n"
	       "                    country, e.g. sqlite:/data/{country}-{type}.db, or in one\n"
	       "                    PostgreSQL database, a schema per registry (created):\n"
	       "                    'postgresql:///hromada?host=/run/postgresql&schema=\n"
	       "                    reg_{country}_{type}' (one line); or a database per\n"
	       "                    registry, which must exist: 'postgresql:///reg_{type}'\n"
	       "  --batch ROWS      rows per transaction and registry (default %d)\n"
	       "  --force           load even when the same population is there already\n"
	       "  --demo            load nothing: print the demo citizens (as DIR/demo.json of\n"
	       "                    `hromada up` holds them) as JSON on stdout, for --as-of\n"
	       "                    (default today)\n"
	       "  --quiet           no progress line on stderr\n"
	       "  -h, --help        this help\n"
	       "\n"
	       "Progress goes to stderr; the summary (people/s and rows/s) to stdout.\n"
	       "Exit codes: 0 loaded (or already there), 1 failed, 2 usage error.\n",
	       POPULATION_LOAD_MAX, POPULATION_DEFAULT_PEOPLE, POPULATION_DEFAULT_SEED,
	       POPULATION_BATCH_ROWS);
}

struct progress {
	const char *country;
	uint64_t total;
	bool terminal;
	double last_line;
};

static void print_progress(void *arg, const struct population_load_stats *s)
{
	struct progress *p = arg;
	double rate = s->seconds > 0 ? (double)s->people / s->seconds : 0;

	if (s->reused)
		return;
	/* A terminal gets one line rewritten in place; a log one line in 5 s. */
	if (!p->terminal && s->people < p->total && s->seconds - p->last_line < 5)
		return;
	p->last_line = s->seconds;
	/* total counts the country's own people; the residents from the other
	 * country come on top, so the share is capped */
	fprintf(stderr, "%s%s: %" PRIu64 " people (%.0f%%), %" PRIu64 " documents, %.0f people/s%s",
		p->terminal ? "\r" : "", p->country, s->people,
		p->total && s->people < p->total ? 100.0 * (double)s->people / (double)p->total
						 : 100.0,
		s->rows, rate, p->terminal ? "   " : "\n");
	if (p->terminal && s->people >= p->total)
		fputc('\n', stderr);
	fflush(stderr);
}

static int country_index(const char *code)
{
	for (int c = 0; c < COUNTRY_COUNT; c++) {
		if (strcmp(countries[c], code) == 0)
			return c;
	}
	return 0;
}

static int print_demo(const char *const *list, int n, const uint64_t people[COUNTRY_COUNT],
		      uint64_t seed, const char *as_of)
{
	json_t *demo = json_object();
	struct hr_error err = {0};
	char *text;

	if (demo == NULL)
		return CLI_EXIT_FAILED;
	for (int c = 0; c < n; c++) {
		json_t *citizens;

		if (population_demo(list[c], seed, as_of, people[country_index(list[c])], 10,
				    &citizens, &err) != HR_OK) {
			cli_print_error(&err);
			json_decref(demo);
			return CLI_EXIT_FAILED;
		}
		json_object_set_new(demo, list[c], citizens);
	}
	text = json_dumps(demo, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(demo);
	if (text == NULL)
		return CLI_EXIT_FAILED;
	printf("%s\n", text);
	free(text);
	return CLI_EXIT_OK;
}

static void print_summary(const char *country, uint64_t seed, const struct population_load_stats *s)
{
	double seconds = s->seconds > 0 ? s->seconds : 1e-9;

	if (s->reused) {
		printf("%s: the registries already hold %" PRIu64 " people of seed %" PRIu64
		       " as of %s; nothing loaded (--force loads again)\n",
		       country, s->people, seed, s->as_of);
		return;
	}
	printf("%s: %" PRIu64 " people as of %s, %" PRIu64 " documents in %.2f s: %.0f people/s, "
	       "%.0f rows/s\n",
	       country, s->people, s->as_of, s->rows, s->seconds, (double)s->people / seconds,
	       (double)s->rows / seconds);
	if (s->residents > 0)
		printf("  of whom from %s, living here: %" PRIu64 "\n",
		       strcmp(country, "UA") == 0 ? "PL" : "UA", s->residents);
	for (int t = 0; t < DOCUMENT_TYPE_COUNT; t++)
		printf("  %-22s %" PRIu64 "\n", document_types[t], s->rows_by_type[t]);
	fflush(stdout);
}

/* --people: "N" for every country, or "UA=N,PL=M" (others keep their default). */
static bool parse_people(const char *text, uint64_t people[COUNTRY_COUNT])
{
	char copy[128], *save = NULL;

	if (strchr(text, '=') == NULL) {
		uint64_t n;

		if (cli_parse_u64(text, 1, POPULATION_LOAD_MAX, &n) != HR_OK)
			return false;
		for (int c = 0; c < COUNTRY_COUNT; c++)
			people[c] = n;
		return true;
	}
	if (strlen(text) >= sizeof(copy))
		return false;
	memcpy(copy, text, strlen(text) + 1);
	for (char *item = strtok_r(copy, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		int c = 0;

		if (eq == NULL)
			return false;
		*eq = 0;
		while (c < COUNTRY_COUNT && strcmp(countries[c], item) != 0)
			c++;
		if (c == COUNTRY_COUNT ||
		    cli_parse_u64(eq + 1, 1, POPULATION_LOAD_MAX, &people[c]) != HR_OK)
			return false;
	}
	return true;
}

static int population_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"country", required_argument, NULL, 'c'}, {"countries", required_argument, NULL, 'c'},
	    {"people", required_argument, NULL, 'n'},  {"seed", required_argument, NULL, 's'},
	    {"state", required_argument, NULL, 'd'},   {"store-url", required_argument, NULL, 'u'},
	    {"batch", required_argument, NULL, 'b'},   {"force", no_argument, NULL, 'f'},
	    {"demo", no_argument, NULL, 'D'},          {"quiet", no_argument, NULL, 'q'},
	    {"as-of", required_argument, NULL, 'a'},   {NULL, 0, NULL, 0},
	};
	const char *list[COUNTRY_COUNT];
	const char *country_arg = "UA,PL", *state = NULL, *store_url = NULL, *as_of = NULL;
	uint64_t people[COUNTRY_COUNT], seed = POPULATION_DEFAULT_SEED, batch = 0;
	char first_as_of[11] = "";
	bool force = false, demo = false, quiet = false;
	int32_t day;
	int opt, n;

	for (int c = 0; c < COUNTRY_COUNT; c++)
		people[c] = POPULATION_DEFAULT_PEOPLE;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			country_arg = optarg;
			break;
		case 'n':
			if (!parse_people(optarg, people)) {
				fprintf(stderr,
					"hromada population: --people takes 1 to %llu, or each "
					"country's as UA=N,PL=M\n",
					POPULATION_LOAD_MAX);
				return CLI_EXIT_USAGE;
			}
			break;
		case 's':
			if (cli_parse_u64(optarg, 0, UINT64_MAX, &seed) != HR_OK) {
				fprintf(stderr, "hromada population: --seed takes a number from 0 "
						"to 18446744073709551615\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'd':
			state = optarg;
			break;
		case 'u':
			store_url = optarg;
			break;
		case 'b':
			if (cli_parse_u64(optarg, 1, 1000000, &batch) != HR_OK) {
				fprintf(stderr, "hromada population: --batch takes 1 to 1000000\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'f':
			force = true;
			break;
		case 'D':
			demo = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'a':
			if (!population_parse_date(optarg, &day)) {
				fprintf(
				    stderr,
				    "hromada population: --as-of takes a day YYYY-MM-DD between "
				    "%d and %d\n",
				    POPULATION_AS_OF_MIN_YEAR, POPULATION_AS_OF_MAX_YEAR);
				return CLI_EXIT_USAGE;
			}
			as_of = optarg;
			break;
		default:
			fprintf(stderr, "Run 'hromada population --help' for usage.\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hromada population: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (countries_parse(country_arg, list, &n, NULL) != HR_OK) {
		fprintf(stderr, "hromada population: --country takes UA, PL or UA,PL\n");
		return CLI_EXIT_USAGE;
	}
	if (state != NULL && store_url != NULL) {
		fprintf(stderr, "hromada population: give --state or --store-url, not both\n");
		return CLI_EXIT_USAGE;
	}
	if (store_url != NULL && strstr(store_url, "{type}") == NULL) {
		fprintf(stderr, "hromada population: --store-url must contain {type}: each "
				"registry has its own database\n");
		return CLI_EXIT_USAGE;
	}
	if (store_url != NULL && n > 1 && strstr(store_url, "{country}") == NULL) {
		fprintf(stderr, "hromada population: with several countries, --store-url must "
				"contain {country} too\n");
		return CLI_EXIT_USAGE;
	}
	if (demo) {
		char today[11];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(today, sizeof(today), "%Y-%m-%d", &tm);
		return print_demo(list, n, people, seed, as_of ? as_of : today);
	}
	log_set_level(LOG_LEVEL_WARN); /* the stores' "migration applied" lines are noise here */

	for (int c = 0; c < n; c++) {
		int self = country_index(list[c]), other = (self + 1) % COUNTRY_COUNT;
		struct progress progress = {.country = list[c],
					    .total = people[self],
					    .terminal = isatty(STDERR_FILENO) == 1};
		struct population_load_options o = {
		    .country = list[c],
		    .seed = seed,
		    .people = people[self],
		    .partner_people = people[other],
		    /* the next country dated as the first: their residents agree */
		    .as_of = as_of            ? as_of
			     : first_as_of[0] ? first_as_of
					      : NULL,
		    .state_dir = state ? state : "./hromada-state",
		    .batch_rows = (size_t)batch,
		    .force = force,
		    .progress = quiet ? NULL : print_progress,
		    .progress_arg = &progress,
		};
		struct population_load_stats stats;
		struct hr_error err = {0};

		if (store_url != NULL) {
			o.url_template = store_url;
			o.state_dir = NULL;
		}
		if (population_load(&o, &stats, &err) != HR_OK) {
			cli_print_error(&err);
			return err.status == HR_E_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
		}
		print_summary(list[c], seed, &stats);
		memcpy(first_as_of, stats.as_of, sizeof(first_as_of));
	}
	return CLI_EXIT_OK;
}

const struct cli_command cli_population = {
    .name = "population",
    .summary = "Generate the synthetic population and load it into the registries",
    .run = population_run,
    .help = population_help,
};
