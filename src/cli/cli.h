/*
 * cli.h — the subcommands of the hromada binary. Each parses its own
 * arguments and calls into the platform; none holds logic of its own.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error.
 */
#ifndef HROMADA_CLI_H
#define HROMADA_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include <hromada/status.h>

struct hr_trust_store;

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
extern const struct cli_command cli_trust_upload;
extern const struct cli_command cli_audit;
extern const struct cli_command cli_incident;
extern const struct cli_command cli_leakscan;
extern const struct cli_command cli_canary;

/* Prints "hromada: stage: message" on stderr. */
void cli_print_error(const struct hr_error *err);
/* A command provided by hromada-services.so, loading the module on first use
 * (services.c). NULL with err set when the module cannot be loaded. */
const struct cli_command *cli_service_command(const char *name, struct hr_error *err);

/* One GET through hromada-services.so (services_http.c), for the commands of
 * the lean executable that sometimes need the network (verify --trust-url,
 * --status online). The module is loaded on the first call. */
struct cli_http_request {
	const char *url;
	const char *if_none_match; /* a cached ETag, or NULL */
	const char *accept;        /* or NULL */
	unsigned timeout_ms;       /* 0: 10 s */
	size_t limit;              /* largest body accepted; 0: 8 MiB */
};
struct cli_http_response {
	long status; /* HTTP status */
	char *body;  /* malloc'ed, NUL-terminated; the caller frees it */
	size_t len;
	char etag[256]; /* "" when the answer has none */
};
typedef hr_status (*cli_http_get_fn)(const struct cli_http_request *request,
				     struct cli_http_response *response, struct hr_error *err);
hr_status cli_http_get(const struct cli_http_request *request, struct cli_http_response *response,
		       struct hr_error *err);

/* Where `hromada verify` gets its trust list (verify_trust.c). */
struct verify_trust_options {
	const char *list_file;   /* --trust-list, or NULL */
	const char *url;         /* --trust-url, or NULL */
	const char *cache_dir;   /* --trust-cache, or NULL: the per-user cache */
	const char *anchor_file; /* --trust-anchor, or NULL: the default place */
	int64_t grace;           /* --trust-grace seconds */
};
/* Loads the list into store. On failure err has stage "trust_list" and
 * *unobtainable tells no list could be had at all (exit 2) rather than a list
 * being refused (exit 1). */
hr_status verify_trust_load(struct hr_trust_store *store,
			    const struct verify_trust_options *options, bool *unobtainable,
			    struct hr_error *err);
/* given, else $XDG_CACHE_HOME/hromada, else ~/.cache/hromada; created 0700. */
hr_status verify_cache_dir(const char *given, char *out, size_t size, struct hr_error *err);
/* struct hr_status_source's fetch for --status online; context is the cache dir. */
hr_status verify_status_fetch(void *context, const char *uri, char **token, size_t *len,
			      struct hr_error *err);

/* Reads a whole file, at most 16 MiB, NUL-terminated; "-" is standard input.
 * The caller frees *out. Stage "input". */
hr_status cli_read_file(const char *path, char **out, size_t *len, struct hr_error *err);

/* True when argv holds -h or --help (checked before anything else runs). */
int cli_wants_help(int argc, char **argv);

/* --- output for people (cli_out.c) ---------------------------------------- */

/* Words for a person: stdout is a terminal and --json was not given. Piped
 * or with --json, commands print the JSON they always did. */
bool cli_human_output(bool json);
/* text, then blanks up to width terminal columns (UTF-8 aware). */
void cli_print_padded(FILE *out, const char *text, int width);
/* "Driver's licence" for "driver_licence"; an unknown type as it is. */
const char *cli_document_title(const char *type);
/* "id_card, foreign_passport, ..." (every type `device show` takes). */
void cli_print_document_types(FILE *out);
/* "2026-12-07 04:30:10 UTC" */
void cli_format_time(long long seconds, char *out, size_t size);
/* A JSON value on one line, in words (arrays joined, no quotes). */
void cli_print_value(FILE *out, const json_t *value);
/* Each member of object but those in skip (NULL-terminated, may be NULL) as
 * "key   value" lines, indented. */
void cli_print_fields(FILE *out, const json_t *object, const char *const *skip, int indent);

/* A decimal number in min..max, the whole text; HR_E_INVALID otherwise. */
hr_status cli_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out);

#endif
