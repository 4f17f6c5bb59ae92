/*
 * cmd_canary.c — `hromada canary`: plant canary citizens for a member of a
 * running `hromada up` (DESIGN.md §5, docs/LEAKS.md "Canary citizens").
 *
 *	hromada canary --state DIR plant --member MEMBER --count N --out FILE
 *
 * Only parses arguments and reports: the planting is canary_plant
 * (src/platform/canary.c). Exit: 0 every canary served, 1 an exchange failed
 * or was refused (which one on stderr), 2 usage, a member with no lookup
 * right, or an I/O error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/documents.h"
#include "platform/canary.h"

static void canary_help(void)
{
	printf("Usage: hromada canary [--state DIR] plant --member MEMBER --count N --out FILE\n"
	       "\n"
	       "Plants canary citizens for MEMBER in a running 'hromada up' (DIR, default\n"
	       "./hromada-state): N people of the population's own generator, unique to MEMBER,\n"
	       "written into MEMBER's country's registries (the public population counts stay\n"
	       "as they were) and served to MEMBER through ordinary exchanges: under a consent\n"
	       "right (a bank's kyc) each canary enrols a device at the wallet and consents;\n"
	       "MEMBER then looks it up at the gateway, signed with its own key, for every\n"
	       "document type its rights allow. FILE gets exactly what MEMBER received, one\n"
	       "document per line (JSON Lines, the registries' field names: person_id,\n"
	       "family_name, document_number, ...). Once served, a canary's keyed hashes go to\n"
	       "DIR/<COUNTRY>/leak/canaries.jsonl, where the gateway's sentinel watches for\n"
	       "any later request naming it.\n"
	       "  --member MEMBER  the consumer, e.g. UA/COM/14360570/bank (see 'hromada member\n"
	       "                   list'); it must have a lookup right on a registry\n"
	       "  --count N        canaries to plant, 1 to %d\n"
	       "  --out FILE       what MEMBER received (replaced)\n"
	       "Exit status: 0 every canary served, 1 an exchange failed or was refused (named\n"
	       "on stderr), 2 usage, a member with no lookup right, or an I/O error.\n",
	       CANARY_PLANT_MAX);
}

static int report(const struct canary_plant_options *o, const struct canary_plant_result *r)
{
	printf("planted %zu canar%s of %s for %s: %zu served, %zu document%s received", r->planted,
	       r->planted == 1 ? "y" : "ies", r->country, o->member, r->served, r->documents,
	       r->documents == 1 ? "" : "s");
	for (int t = 0, first = 1; t < DOCUMENT_TYPE_COUNT; t++) {
		if (r->documents_by_type[t] == 0)
			continue;
		printf("%s%s %zu", first ? " (" : ", ", document_types[t], r->documents_by_type[t]);
		first = 0;
	}
	printf("%s, written to %s\n", r->documents > 0 ? ")" : "", o->out_path);
	if (r->failed == 0)
		return CLI_EXIT_OK;
	fprintf(stderr, "hromada canary: %zu canar%s not fully served; first: %s\n", r->failed,
		r->failed == 1 ? "y was" : "ies were", r->failure.message);
	return CLI_EXIT_FAILED;
}

static int canary_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"state", required_argument, NULL, 's'},
	    {"member", required_argument, NULL, 'm'},
	    {"count", required_argument, NULL, 'n'},
	    {"out", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	struct canary_plant_options o = {.state_dir = "./hromada-state"};
	struct canary_plant_result result;
	struct hr_error err = {0};
	uint64_t count = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.state_dir = optarg;
			break;
		case 'm':
			o.member = optarg;
			break;
		case 'n':
			if (cli_parse_u64(optarg, 1, CANARY_PLANT_MAX, &count) != HR_OK) {
				fprintf(stderr, "hromada canary: --count takes 1 to %d\n",
					CANARY_PLANT_MAX);
				return CLI_EXIT_USAGE;
			}
			o.count = (size_t)count;
			break;
		case 'o':
			o.out_path = optarg;
			break;
		default:
			fprintf(stderr, "Run 'hromada canary --help' for usage.\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || strcmp(argv[optind], "plant") != 0) {
		fprintf(stderr, "hromada canary: expected 'plant'\n"
				"Run 'hromada canary --help' for usage.\n");
		return CLI_EXIT_USAGE;
	}
	if (o.member == NULL || o.count == 0 || o.out_path == NULL) {
		fprintf(stderr, "hromada canary plant: give --member, --count and --out\n");
		return CLI_EXIT_USAGE;
	}
	if (canary_plant(&o, &result, &err) != HR_OK) {
		cli_print_error(&err);
		if (result.planted > 0)
			fprintf(stderr,
				"hromada canary: %zu canar%s planted, %zu served before "
				"it stopped; %s holds what was received\n",
				result.planted, result.planted == 1 ? "y" : "ies", result.served,
				o.out_path);
		return CLI_EXIT_USAGE;
	}
	return report(&o, &result);
}

const struct cli_command cli_canary = {
    .name = "canary",
    .summary = "Plant canary citizens for a member: served through real exchanges",
    .run = canary_run,
    .help = canary_help,
};
