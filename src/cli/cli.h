/*
 * cli.h — the subcommands of the hromada binary. Each parses its own
 * arguments and calls into the platform; none holds logic of its own.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error.
 */
#ifndef HROMADA_CLI_H
#define HROMADA_CLI_H

#include <stddef.h>
#include <stdint.h>

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
extern const struct cli_command cli_verify;
extern const struct cli_command cli_issue;
extern const struct cli_command cli_keys;
extern const struct cli_command cli_trust_list;
extern const struct cli_command cli_device;
extern const struct cli_command cli_population;
extern const struct cli_command cli_member;
extern const struct cli_command cli_audit;

/* Prints "hromada: stage: message" on stderr. */
void cli_print_error(const struct hr_error *err);
/* A command provided by hromada-services.so, loading the module on first use
 * (services.c). NULL with err set when the module cannot be loaded. */
const struct cli_command *cli_service_command(const char *name, struct hr_error *err);

/* Reads a whole file, at most 16 MiB, NUL-terminated; "-" is standard input.
 * The caller frees *out. Stage "input". */
hr_status cli_read_file(const char *path, char **out, size_t *len, struct hr_error *err);

/* True when argv holds -h or --help (checked before anything else runs). */
int cli_wants_help(int argc, char **argv);

/* A decimal number in min..max, the whole text; HR_E_INVALID otherwise. */
hr_status cli_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out);

#endif
