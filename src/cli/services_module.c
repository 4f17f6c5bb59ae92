/*
 * services_module.c — the entry point of hromada-services.so: the commands that
 * need the network and storage layer. Loaded by services.c on demand.
 */
#include "cli/cli.h"

const struct cli_command *const hromada_services_commands[] = {
    &cli_up,           &cli_serve,    &cli_device,   &cli_population, &cli_member,
    &cli_trust_upload, &cli_incident, &cli_leakscan, &cli_canary,     NULL,
};
