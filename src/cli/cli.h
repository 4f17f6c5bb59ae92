/*
 * cli.h — the subcommands of the hromada binary. Each parses its own
 * arguments and calls into the platform; none holds logic of its own.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error.
 */
#ifndef HROMADA_CLI_H
#define HROMADA_CLI_H

#include <hromada/status.h>

#define CLI_EXIT_OK     0
#define CLI_EXIT_FAILED 1
#define CLI_EXIT_USAGE  2

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	void (*help)(void);
};

extern const struct cli_command cli_up;
extern const struct cli_command cli_serve;

/* Prints "hromada: stage: message" on stderr. */
void cli_print_error(const struct hr_error *err);
/* True when argv holds -h or --help (checked before anything else runs). */
int cli_wants_help(int argc, char **argv);

#endif
