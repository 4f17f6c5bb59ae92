/*
 * cmd_serve.c — `hromada serve ROLE --config FILE`: run one role (production).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "core/root_guard.h"
#include "core/signals.h"
#include "platform/key_isolation.h"
#include "platform/platform.h"

static void serve_help(void)
{
	printf("Usage: hromada serve ROLE --config FILE [--set SECTION.KEY=VALUE]...\n"
	       "\n"
	       "Runs one role until SIGINT or SIGTERM; on either it stops accepting, lets\n"
	       "in-flight requests finish (server.shutdown_timeout_ms) and exits 0.\n"
	       "Refuses to run as root (exit 1): run it as an unprivileged user, e.g. with\n"
	       "the systemd units in packaging/systemd/ (docs/DEPLOY.md). There is no flag\n"
	       "to override this; only the environment variable HROMADA_UNSAFE_ALLOW_ROOT=1\n"
	       "does, for test harnesses that can only run as root.\n"
	       "\n"
	       "Roles:\n");
	for (int i = 0; platform_roles[i] != NULL; i++)
		printf("  %-9s %s\n", platform_roles[i]->name, platform_roles[i]->summary);
	printf("\n"
	       "Options:\n"
	       "  --config FILE   settings (INI); unknown settings are an error\n"
	       "  --set S.K=V     override one setting, e.g. --set server.listen=0.0.0.0:8080\n"
	       "  -h, --help      this help\n"
	       "\n"
	       "Private keys: every key setting (key, tree_head_key, and the key.pem of each\n"
	       "signers_dir entry) takes a PEM file, a pkcs11: URI naming a key in an HSM\n"
	       "(pkcs11:token=T;object=O?module-path=LIB&pin-source=file:PIN), or a file\n"
	       "holding such a URI, as 'hromada keys pkcs11-generate' writes (docs/HSM.md).\n"
	       "\n"
	       "Settings (defaults in brackets):\n"
	       "  [node]\n"
	       "  role = ROLE                 must match the command line if given\n"
	       "  country = UA                two capital letters (required for registry,\n"
	       "                              gateway, wallet)\n"
	       "  state_dir = DIR             the role's files (required; created if missing)\n"
	       "  name = UA/wallet            shown in logs as role=... [COUNTRY/ROLE]\n"
	       "  log_level = info            debug, info, warn, error, off\n"
	       "  [server]\n"
	       "  listen = 127.0.0.1:8080     host:port or [v6]:port; port 0 = any free port\n"
	       "  threads = 0                 worker threads; 0 = one per core\n"
	       "  max_body_bytes = 1048576    larger bodies get 413\n"
	       "  max_header_bytes = 16384    larger request headers get 431, a longer\n"
	       "                              request target (path + query) 414\n"
	       "  header_timeout_ms = 15000   complete headers must arrive within this\n"
	       "  idle_timeout_s = 30         silent connections are closed\n"
	       "  max_connections = 4096\n"
	       "  max_connections_per_ip = 0  0 = no per-address limit\n"
	       "  rate_limit_per_s = 0        per client address; 0 = none; excess gets 429\n"
	       "  rate_limit_burst = 0        0 = same as rate_limit_per_s\n"
	       "  shutdown_timeout_ms = 4000  how long a stop waits for in-flight requests\n"
	       "  access_log = true           one log line per request\n"
	       "  public_url =                the URL clients reach it at, if not the one it\n"
	       "                              listens on (a proxy, a name, 0.0.0.0); signed\n"
	       "                              requests and DPoP proofs name it\n"
	       "  [store]\n"
	       "  url = sqlite:STATE_DIR/ROLE.db   or postgresql://user@host/db\n"
	       "  pool_size = 8               database connections\n"
	       "  " KEY_ISOLATION_HELP);
	for (int i = 0; platform_roles[i] != NULL; i++) {
		if (platform_roles[i]->config_help && platform_roles[i]->config_help[0])
			printf("  %s", platform_roles[i]->config_help);
	}
}

static int serve_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"set", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	struct hr_error err = {0};
	struct config *cfg = config_new();
	struct role_host *host = NULL;
	const char *config_path = NULL;
	const char *role;
	int opt, status = CLI_EXIT_USAGE;
	bool waived = false;

	if (cfg == NULL)
		return CLI_EXIT_FAILED;
	optind = 1;
	/* Overrides are applied after the file, whatever their order on the line. */
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'c') {
			config_path = optarg;
		} else if (opt != 'o') {
			fprintf(stderr, "Run 'hromada serve --help' for usage.\n");
			goto done;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "hromada serve: expected exactly one ROLE (registry, gateway, "
				"wallet, trust, nccc)\n");
		goto done;
	}
	role = argv[optind];
	if (platform_role_find(role) == NULL) {
		fprintf(stderr, "hromada serve: unknown role '%s'\n", role);
		goto done;
	}
	if (config_path == NULL) {
		fprintf(stderr, "hromada serve: --config FILE is required\n");
		goto done;
	}
	/* before any setting or key is read: a role never runs with root's rights */
	if (root_guard_check("hromada serve", geteuid(), getenv(ROOT_GUARD_WAIVER_ENV), &waived,
			     &err) != HR_OK)
		goto failed;
	if (waived)
		log_warn("serve.root",
			 "running as root because %s=1 is set: for test harnesses "
			 "only, never in production",
			 ROOT_GUARD_WAIVER_ENV);
	if (config_load_file(cfg, config_path, &err) != HR_OK)
		goto failed;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'o' && config_set_assignment(cfg, optarg, &err) != HR_OK)
			goto failed;
	}
	if (key_isolation_start(cfg, &err) != HR_OK)
		goto failed;
	if (role_host_start(cfg, role, &host, &err) != HR_OK) {
		key_isolation_stop();
		goto failed;
	}
	printf("%s listening on %s\n", role_host_name(host), role_host_url(host));
	fflush(stdout);
	log_info("serve.ready", "serving until SIGINT or SIGTERM");
	log_info("serve.stopping", "signal %d received", signals_wait_stop());
	role_host_stop(host);
	key_isolation_stop();
	log_info("serve.stopped", "stopped cleanly");
	status = CLI_EXIT_OK;
	goto done;
failed:
	cli_print_error(&err);
	status = err.status == HR_E_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
done:
	config_free(cfg);
	return status;
}

const struct cli_command cli_serve = {
    .name = "serve",
    .summary = "Run one role (registry, gateway, wallet, trust, nccc)",
    .run = serve_run,
    .help = serve_help,
};
