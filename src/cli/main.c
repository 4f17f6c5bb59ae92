/*
 * main.c — `hromada COMMAND ...`: dispatch to a subcommand, global help and version.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "keyproc/keyproc.h"
#include "core/signals.h"

/* Commands in this executable. */
static const struct cli_command *const commands[] = {
    &cli_verify, &cli_issue, &cli_keys, &cli_trust_list, &cli_audit, NULL,
};

/* Commands in hromada-services.so, loaded only when one of them runs. */
static const struct {
	const char *name;
	const char *summary;
} service_commands[] = {
    {"up", "Run every role of one or two countries in one process"},
    {"serve", "Run one role (registry, gateway, wallet, trust, nccc)"},
    {"device", "Play a citizen's phone against a running wallet (enrol, documents, QR)"},
    {"population", "Generate the synthetic population and load it into the registries"},
    {"member", "Act as a member of 'hromada up' (police, bank, CERT): list, signed calls"},
    {"trust-upload", "Publish or withdraw a country's signers at the trust service"},
    {"incident", "The duty officer's tool for the nccc hub: report, stages, overdue, export"},
    {"leakscan", "Read leaked dumps against the registries: real, fabricated, vintage, canaries"},
    {"canary", "Plant canary citizens for a member, served through real exchanges"},
};

#define SERVICE_COMMAND_COUNT (sizeof(service_commands) / sizeof(service_commands[0]))

static void print_usage(FILE *out)
{
	fprintf(out,
		"Usage: hromada COMMAND [OPTIONS]\n"
		"\n"
		"Hromada is a \"state in a smartphone\" platform: citizens' documents are fetched\n"
		"live from the authoritative registries through a signed, audited exchange\n"
		"gateway and carried as short-lived signed QR credentials that anyone can\n"
		"verify offline.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < SERVICE_COMMAND_COUNT; i++)
		fprintf(out, "  %-12s %s\n", service_commands[i].name, service_commands[i].summary);
	for (int i = 0; commands[i] != NULL; i++)
		fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "  %-12s %s\n", "help", "Show help for a command: hromada help COMMAND");
	fprintf(out, "  %-12s %s\n", "version", "Print the version");
	fprintf(out, "\n"
		     "Run 'hromada COMMAND --help' for a command's options.\n"
		     "Exit codes: 0 success, 1 failure, 2 usage error.\n");
}

/* NULL and *failed = false: no such command; NULL and *failed: its module failed to load. */
static const struct cli_command *find_command(const char *name, bool *failed)
{
	struct hr_error err = {0};
	const struct cli_command *cmd;

	*failed = false;
	for (int i = 0; commands[i] != NULL; i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	}
	for (size_t i = 0; i < SERVICE_COMMAND_COUNT; i++) {
		if (strcmp(service_commands[i].name, name) != 0)
			continue;
		if ((cmd = cli_service_command(name, &err)) == NULL) {
			cli_print_error(&err);
			*failed = true;
		}
		return cmd;
	}
	return NULL;
}

void cli_print_error(const struct hr_error *err)
{
	if (err->stage[0])
		fprintf(stderr, "hromada: %s: %s\n", err->stage, err->message);
	else
		fprintf(stderr, "hromada: %s\n", err->message);
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	bool failed;

	/* Before any thread exists, so every thread inherits the mask. */
	signals_block_stop();
	/* the key process (keyproc.h): started by serve and up, not by people. It
	 * ends with _exit: its system-call filter is still on, and exit handlers
	 * (a leak checker's ptrace, say) are not for it */
	if (argc >= 2 && strcmp(argv[1], "keyproc") == 0) {
		int status = keyproc_main(argc - 1, argv + 1);
		fflush(NULL);
		_exit(status);
	}
	if (argc < 2) {
		print_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		print_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("hromada %s\n", HROMADA_VERSION);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			print_usage(stdout);
			return CLI_EXIT_OK;
		}
		if ((cmd = find_command(argv[2], &failed)) == NULL) {
			if (!failed)
				fprintf(stderr, "hromada: unknown command '%s'\n", argv[2]);
			return failed ? CLI_EXIT_FAILED : CLI_EXIT_USAGE;
		}
		cmd->help();
		return CLI_EXIT_OK;
	}
	if ((cmd = find_command(argv[1], &failed)) == NULL) {
		if (failed)
			return CLI_EXIT_FAILED;
		fprintf(stderr, "hromada: unknown command '%s'\n\n", argv[1]);
		print_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (cli_wants_help(argc - 1, argv + 1)) {
		cmd->help();
		return CLI_EXIT_OK;
	}
	return cmd->run(argc - 1, argv + 1);
}
