/*
 * cmd_up.c — `hromada up`: run the whole platform in one process.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "platform/platform.h"
#include "platform/population.h"

#define MAX_OVERRIDES 64

static void up_help(void)
{
	printf(
	    "Usage: hromada up [--state DIR] [--population N] [--countries UA,PL]\n"
	    "                  [--port-base N] [--seed N] [--registry-store URL]\n"
	    "                  [--set SECTION.KEY=VALUE]... [--log-level LEVEL | --verbose]\n"
	    "                  [--quiet]\n"
	    "\n"
	    "Runs every role of one or two countries in one process, each on its own\n"
	    "loopback port and talking to the others over real HTTP: per country a wallet,\n"
	    "a gateway and one registry per document type; once, the trust list and the\n"
	    "NCCC hub. When every /healthz answers, writes DIR/endpoints.json, prints the\n"
	    "URLs and runs until SIGINT or SIGTERM, then stops cleanly (exit 0) and\n"
	    "removes endpoints.json again. Every port is checked before anything is\n"
	    "loaded: one taken is an error naming it (move them with --port-base).\n"
	    "\n"
	    "The console is quiet by default: one plain line per step on stderr, warnings\n"
	    "and errors, then the URLs and a guide on stdout. --verbose (or the environment\n"
	    "variable HROMADA_LOG=debug) gives the structured log of every role instead,\n"
	    "one line per HTTP request included; HROMADA_LOG takes any --log-level value.\n"
	    "\n"
	    "Before the roles start, each country's registries are loaded with a synthetic\n"
	    "population (see 'hromada population --help'); a later 'up' with the same\n"
	    "population and seed reuses it. DIR/demo.json names demo citizens, and\n"
	    "enrolment codes arrive in DIR/outbox/ (try 'hromada device --help').\n"
	    "\n"
	    "Options:\n"
	    "  --state DIR         state directory (default ./hromada-state); reused by a\n"
	    "                      later 'up'; each role keeps its files in DIR/<COUNTRY>/<role>/\n"
	    "                      with the settings it ran with in hromada.ini\n"
	    "  --population N      people per country in the registries (default 100000)\n"
	    "  --seed N            the population's seed (default 1)\n"
	    "  --registry-store URL\n"
	    "                      keep registry records there instead of SQLite files in the\n"
	    "                      registries' directories; {country} and {type} name each\n"
	    "                      registry, e.g. 'postgresql:///hromada?host=/run/postgresql&\n"
	    "                      schema=registry_{country}_{type}'\n"
	    "  --countries LIST    UA, PL or UA,PL (default UA,PL)\n"
	    "  --port-base N       trust on N, nccc on N+1, first country from N+10, second\n"
	    "                      from N+20 (default 8400); 0 picks free ports\n"
	    "  --set S.K=V         a setting for every role that has section S (server, node,\n"
	    "                      store, or a role name), e.g. --set server.access_log=false;\n"
	    "                      keys.* set the key process (docs/KEYS.md), e.g.\n"
	    "                      --set keys.sign_rate_per_s=0\n"
	    "  --log-level LEVEL   debug, info, warn, error, off: the structured log at that\n"
	    "                      level (default: warn, with plain progress lines)\n"
	    "  --verbose           the whole log: --log-level debug\n"
	    "  --quiet             do not print the URLs and guide on stdout\n"
	    "  -h, --help          this help\n");
}

static int up_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"state", required_argument, NULL, 's'},
	    {"countries", required_argument, NULL, 'c'},
	    {"port-base", required_argument, NULL, 'p'},
	    {"set", required_argument, NULL, 'o'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"population", required_argument, NULL, 'n'},
	    {"seed", required_argument, NULL, 'e'},
	    {"registry-store", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	const char *overrides[MAX_OVERRIDES];
	struct platform_up_options options = {
	    .state_dir = "./hromada-state",
	    .countries = "UA,PL",
	    .port_base = 8400,
	    .overrides = overrides,
	    .override_count = 0,
	    .print_guide = true,
	    .population = POPULATION_DEFAULT_PEOPLE,
	    .seed = POPULATION_DEFAULT_SEED,
	    .registry_store = NULL,
	};
	struct hr_error err = {0};
	enum log_level level;
	const char *env = getenv("HROMADA_LOG");
	bool level_chosen = false;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;
		long port;
		switch (opt) {
		case 's':
			options.state_dir = optarg;
			break;
		case 'c':
			options.countries = optarg;
			break;
		case 'p':
			port = strtol(optarg, &end, 10);
			if (*optarg == 0 || *end != 0 || port < 0 || port > 65000) {
				fprintf(stderr,
					"hromada up: --port-base takes a number 0..65000\n");
				return CLI_EXIT_USAGE;
			}
			options.port_base = (unsigned)port;
			break;
		case 'o':
			if (options.override_count == MAX_OVERRIDES) {
				fprintf(stderr, "hromada up: too many --set options\n");
				return CLI_EXIT_USAGE;
			}
			overrides[options.override_count++] = optarg;
			break;
		case 'l':
			if (log_level_parse(optarg, &level) != HR_OK) {
				fprintf(stderr, "hromada up: --log-level takes debug, info, warn, "
						"error or off\n");
				return CLI_EXIT_USAGE;
			}
			log_set_level(level);
			level_chosen = true;
			break;
		case 'v':
			if (!level_chosen)
				log_set_level(LOG_LEVEL_DEBUG);
			level_chosen = true;
			break;
		case 'q':
			options.print_guide = false;
			break;
		case 'n':
			if (cli_parse_u64(optarg, 1, POPULATION_LOAD_MAX, &options.population) !=
			    HR_OK) {
				fprintf(stderr, "hromada up: --population takes a number 1..%llu\n",
					(unsigned long long)POPULATION_LOAD_MAX);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'e':
			if (cli_parse_u64(optarg, 0, UINT64_MAX, &options.seed) != HR_OK) {
				fprintf(stderr, "hromada up: --seed takes a number\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'r':
			options.registry_store = *optarg ? optarg : NULL;
			break;
		default:
			fprintf(stderr, "Run 'hromada up --help' for usage.\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hromada up: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (!level_chosen && env != NULL && env[0] != 0) {
		if (log_level_parse(env, &level) != HR_OK) {
			fprintf(stderr, "hromada up: HROMADA_LOG takes debug, info, warn, error or "
					"off\n");
			return CLI_EXIT_USAGE;
		}
		log_set_level(level);
		level_chosen = true;
	}
	/* the quiet default: warnings and errors, and up's own plain progress */
	if (!level_chosen)
		log_set_level(LOG_LEVEL_WARN);
	options.progress = !level_chosen;
	if (platform_up(&options, &err) != HR_OK) {
		cli_print_error(&err);
		return err.status == HR_E_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

const struct cli_command cli_up = {
    .name = "up",
    .summary = "Run every role of one or two countries in one process",
    .run = up_run,
    .help = up_help,
};
