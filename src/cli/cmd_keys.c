/*
 * cmd_keys.c — `hromada keys`: a country's root, document signers and member
 * keys, or the trust gateway's trust-list signer.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"
#include "credential/keys.h"

#define MAX_MEMBERS 64

static void keys_help(void)
{
	printf("Usage: hromada keys --country CC --out DIR [--member ID]...\n"
	       "       hromada keys --trust-signer --out DIR\n"
	       "\n"
	       "Creates P-256 keys and X.509 certificates. Existing keys are kept: running it\n"
	       "again only adds what is missing.\n"
	       "\n"
	       "For a country (--country):\n"
	       "  DIR/root/            country signing CA (self-signed, 10 years)\n"
	       "  DIR/signers/TYPE/    a document signer per document type, issued by the root,\n"
	       "                       allowed (extended key usage) to sign that type only\n"
	       "  DIR/signers/hcert/   the EU DCC signer (test, vaccination, recovery OIDs)\n"
	       "  DIR/members/ID/      gateway member keys, e.g. --member UA/GOV/00032684/police\n"
	       "                       (written as UA_GOV_00032684_police)\n"
	       "For the trust gateway (--trust-signer):\n"
	       "  DIR/                 the trust-list signer (its cert.pem is what verifiers pin)\n"
	       "\n"
	       "Each directory holds key.pem (mode 0600) and cert.pem.\n");
}

static int keys_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"country", required_argument, NULL, 'c'},
	    {"out", required_argument, NULL, 'o'},
	    {"member", required_argument, NULL, 'm'},
	    {"trust-signer", no_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	const char *members[MAX_MEMBERS];
	struct keys_country_options o = {NULL, NULL, members, 0};
	struct hr_error err = {0};
	bool trust = false;
	int opt;
	hr_status rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.country = optarg;
			break;
		case 'o':
			o.dir = optarg;
			break;
		case 't':
			trust = true;
			break;
		case 'm':
			if (o.member_count == MAX_MEMBERS) {
				fprintf(stderr, "hromada keys: at most %d members\n", MAX_MEMBERS);
				return CLI_EXIT_USAGE;
			}
			members[o.member_count++] = optarg;
			break;
		default:
			fprintf(stderr, "Run 'hromada keys --help' for usage.\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (o.dir == NULL || optind != argc || trust == (o.country != NULL)) {
		fprintf(stderr, "hromada keys: give --out DIR and either --country CC or "
				"--trust-signer\n");
		return CLI_EXIT_USAGE;
	}
	rc = trust ? keys_create_trust_signer(o.dir, &err) : keys_create_country(&o, &err);
	if (rc != HR_OK) {
		cli_print_error(&err);
		return rc == HR_E_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
	}
	printf("keys in %s\n", o.dir);
	return CLI_EXIT_OK;
}

const struct cli_command cli_keys = {
    .name = "keys",
    .summary = "Create a country's root, signer and member keys, or the trust-list signer",
    .run = keys_run,
    .help = keys_help,
};
