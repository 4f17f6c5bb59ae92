/*
 * cmd_trust_list.c — `hromada trust-list`: sign a trust list of document signers.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/error.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "credential/trust_list.h"

#define MAX_SIGNERS 4096

static void trust_list_help(void)
{
	printf("Usage: hromada trust-list --signer DIR --out FILE [--sequence N] [--days N]\n"
	       "                          CC:PATH...\n"
	       "\n"
	       "Writes a trust list (docs/TRUST_LIST.md) of the document signers given as\n"
	       "CC:PATH, signed with the trust-list signer in DIR (made by 'hromada keys\n"
	       "--trust-signer'). PATH is a signer certificate (PEM), or a country directory\n"
	       "made by 'hromada keys --country', whose signers/*/cert.pem are all taken.\n"
	       "Verifiers check the list with 'hromada verify --trust-list FILE' against the\n"
	       "pinned DIR/cert.pem (copied next to the list as trust-anchor.pem).\n"
	       "\n"
	       "  --sequence N   increases with every list published (default: the time)\n"
	       "  --days N       validity until next_update (default 7)\n");
}

struct list {
	struct trust_list_signer entries[MAX_SIGNERS];
	struct signer_cert *owned[MAX_SIGNERS];
	char countries[MAX_SIGNERS][4];
	size_t count;
};

static hr_status keep(void *ctx, struct signer_cert *cert, struct hr_error *err)
{
	struct list *l = ctx;

	if (l->count == MAX_SIGNERS) {
		signer_cert_free(cert);
		return hr_error_set(err, HR_E_TOO_LARGE, "trust_list", "too many signers");
	}
	l->owned[l->count] = cert;
	l->entries[l->count].cert = cert;
	l->entries[l->count].country = l->countries[l->count];
	l->count++;
	return HR_OK;
}

static hr_status add_file(struct list *l, const char *country, const char *path,
			  struct hr_error *err)
{
	size_t before = l->count;
	char *data;
	size_t len;
	hr_status rc;

	if ((rc = cli_read_file(path, &data, &len, err)) != HR_OK)
		return rc;
	rc = signer_cert_parse_all(data, len, keep, l, err);
	free(data);
	for (size_t i = before; i < l->count; i++)
		snprintf(l->countries[i], sizeof(l->countries[i]), "%s", country);
	if (rc != HR_OK)
		hr_error_prefix(err, "%s", path);
	return rc;
}

static hr_status add_country_dir(struct list *l, const char *country, const char *dir,
				 struct hr_error *err)
{
	struct signer_cert **certs;
	size_t count;
	hr_status rc = keys_load_signers(dir, &certs, &count, err);

	for (size_t i = 0; rc == HR_OK && i < count; i++) {
		rc = keep(l, certs[i], err);
		if (rc == HR_OK)
			snprintf(l->countries[l->count - 1], sizeof(l->countries[0]), "%s",
				 country);
		certs[i] = NULL;
	}
	for (size_t i = 0; i < count; i++)
		signer_cert_free(certs[i]);
	free(certs);
	return rc;
}

static int trust_list_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"signer", required_argument, NULL, 's'},
	    {"out", required_argument, NULL, 'o'},
	    {"sequence", required_argument, NULL, 'n'},
	    {"days", required_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	const char *signer_dir = NULL, *out_path = NULL;
	long long sequence = (long long)time(NULL), days = 7;
	char key_path[PATH_MAX], cert_path[PATH_MAX];
	struct list *l = calloc(1, sizeof(struct list));
	struct signer *signer = NULL;
	struct hr_error err = {0};
	struct buf out;
	FILE *f;
	int opt, status = CLI_EXIT_USAGE;

	buf_init(&out, 64 * 1024 * 1024);
	if (l == NULL)
		return CLI_EXIT_FAILED;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;
		switch (opt) {
		case 's':
			signer_dir = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'n':
			sequence = strtoll(optarg, &end, 10);
			if (*end != 0 || sequence < 0)
				goto usage;
			break;
		case 'd':
			days = strtoll(optarg, &end, 10);
			if (*end != 0 || days < 1 || days > 366)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (signer_dir == NULL || out_path == NULL || optind == argc)
		goto usage;
	for (int i = optind; i < argc; i++) {
		const char *arg = argv[i];
		struct stat st;
		char country[4];
		if (strlen(arg) < 4 || arg[2] != ':')
			goto usage;
		snprintf(country, sizeof(country), "%.2s", arg);
		if (stat(arg + 3, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (add_country_dir(l, country, arg + 3, &err) != HR_OK)
				goto failed;
		} else if (add_file(l, country, arg + 3, &err) != HR_OK) {
			goto failed;
		}
	}
	snprintf(key_path, sizeof(key_path), "%s/key.pem", signer_dir);
	snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", signer_dir);
	if (signer_open_files(key_path, cert_path, &signer, &err) != HR_OK ||
	    trust_list_build(signer, l->entries, l->count, sequence, (int64_t)time(NULL),
			     days * 86400, &out, &err) != HR_OK)
		goto failed;
	if ((f = fopen(out_path, "w")) == NULL || fwrite(out.data, 1, out.len, f) != out.len ||
	    fclose(f) != 0) {
		hr_error_set(&err, HR_E_IO, "output", "cannot write %s", out_path);
		goto failed;
	}
	printf("%s: %zu signers\n", out_path, l->count);
	status = CLI_EXIT_OK;
	goto done;
usage:
	fprintf(stderr, "Run 'hromada trust-list --help' for usage.\n");
	goto done;
failed:
	cli_print_error(&err);
	status = CLI_EXIT_FAILED;
done:
	for (size_t i = 0; i < l->count; i++)
		signer_cert_free(l->owned[i]);
	free(l);
	signer_free(signer);
	buf_clear(&out);
	return status;
}

const struct cli_command cli_trust_list = {
    .name = "trust-list",
    .summary = "Sign a trust list of countries' document signers",
    .run = trust_list_run,
    .help = trust_list_help,
};
