/*
 * cmd_keys.c — `hromada keys`: a country's root, document signers and member
 * keys, or the trust gateway's trust-list signer; `hromada keys
 * pkcs11-generate`: a key made inside a PKCS#11 token (never exported) and its
 * certificate from the country root, for deployments with an HSM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "credential/keys.h"
#include "credential/signer.h"
#include "credential/signer_pkcs11.h"

#define MAX_MEMBERS 64

static void keys_help(void)
{
	printf("Usage: hromada keys --country CC --out DIR [--member ID]...\n"
	       "       hromada keys --trust-signer --out DIR\n"
	       "       hromada keys pkcs11-generate --uri URI --issuer DIR --out DIR\n"
	       "                    [--type TYPE | --name CN] [--curve P-256|P-384]\n"
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
	       "Each directory holds key.pem (mode 0600) and cert.pem.\n"
	       "\n"
	       "pkcs11-generate makes the key inside a PKCS#11 token (an HSM; docs/HSM.md):\n"
	       "  --uri URI       the key to make, e.g. 'pkcs11:token=hromada;object=ua-dl\n"
	       "                  ?module-path=/usr/lib/softhsm/libsofthsm2.so\n"
	       "                  &pin-source=file:/etc/hromada/pin' (the PIN file mode 0600)\n"
	       "  --issuer DIR    the country root that certifies it, e.g. keys/UA/root\n"
	       "  --out DIR       writes DIR/cert.pem and DIR/key.pem, which holds the URI,\n"
	       "                  not a key: every setting that takes a key file takes it\n"
	       "  --type TYPE     a document signer for TYPE (or hcert), as above\n"
	       "  --name CN       else the certificate's common name (a member id, ...)\n"
	       "  --curve C       P-256 (default) or P-384\n"
	       "The private key is sensitive and never extractable; a key of the same\n"
	       "label already in the token, or files already in DIR, are never replaced.\n");
}

/* DIR/key.pem holding the URI: a key reference, 0600 like a key, for it names
 * the PIN's source. */
static hr_status write_key_reference(const char *path, const char *uri, struct hr_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *f;
	bool ok;

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return hr_error_set(err, errno == EEXIST ? HR_E_CONFLICT : HR_E_IO, "keys",
				    "cannot create %s: %s", path, strerror(errno));
	}
	ok = fprintf(f, "%s\n", uri) > 0;
	ok = fclose(f) == 0 && ok;
	return ok ? HR_OK : hr_error_set(err, HR_E_IO, "keys", "cannot write %s", path);
}

static hr_status pkcs11_generate(const char *uri, const char *issuer, const char *out,
				 const char *type, const char *name, enum key_kind kind,
				 struct hr_error *err)
{
	char key_path[PATH_MAX], cert_path[PATH_MAX], cn[160];
	struct signer *signer = NULL;
	struct keys_certificate_request r = {0};
	hr_status rc;

	if (mkdir(out, 0700) != 0 && errno != EEXIST)
		return hr_error_set(err, HR_E_IO, "keys", "cannot create %s: %s", out,
				    strerror(errno));
	snprintf(key_path, sizeof(key_path), "%s/key.pem", out);
	snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", out);
	if (access(key_path, F_OK) == 0 || access(cert_path, F_OK) == 0)
		return hr_error_set(err, HR_E_CONFLICT, "keys",
				    "%s already holds a key or certificate: never replaced", out);
	if (name != NULL)
		snprintf(cn, sizeof(cn), "%s", name);
	else
		snprintf(cn, sizeof(cn), "Hromada %s Signer %s (HSM)",
			 strcmp(type, "hcert") == 0 ? "DCC" : "Document", type);
	if ((rc = signer_pkcs11_generate(uri, kind, err)) != HR_OK ||
	    (rc = signer_pkcs11_open(uri, NULL, &signer, err)) != HR_OK)
		return rc;
	r.public_key = signer_public_key(signer);
	r.issuer_dir = issuer;
	r.common_name = cn;
	r.usage = type;
	r.cert_path = cert_path;
	if ((rc = keys_certify_public_key(&r, err)) == HR_OK &&
	    (rc = write_key_reference(key_path, uri, err)) == HR_OK) {
		/* what every role will do with DIR: open it and check the pair */
		signer_free(signer);
		signer = NULL;
		rc = signer_open_files(key_path, cert_path, &signer, err);
	}
	signer_free(signer);
	return rc;
}

static int pkcs11_generate_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"uri", required_argument, NULL, 'u'},
	    {"issuer", required_argument, NULL, 'i'},
	    {"out", required_argument, NULL, 'o'},
	    {"type", required_argument, NULL, 't'},
	    {"name", required_argument, NULL, 'n'},
	    {"curve", required_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	const char *uri = NULL, *issuer = NULL, *out = NULL, *type = NULL, *name = NULL;
	enum key_kind kind = KEY_KIND_P256;
	struct hr_error err = {0};
	int opt;
	hr_status rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'u':
			uri = optarg;
			break;
		case 'i':
			issuer = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'c':
			if (strcmp(optarg, "P-256") == 0) {
				kind = KEY_KIND_P256;
			} else if (strcmp(optarg, "P-384") == 0) {
				kind = KEY_KIND_P384;
			} else {
				fprintf(stderr, "hromada keys: --curve is P-256 or P-384\n");
				return CLI_EXIT_USAGE;
			}
			break;
		default:
			fprintf(stderr, "Run 'hromada keys --help' for usage.\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (uri == NULL || issuer == NULL || out == NULL || (type == NULL) == (name == NULL) ||
	    optind != argc) {
		fprintf(stderr, "hromada keys pkcs11-generate: give --uri, --issuer, --out and "
				"either --type or --name\n");
		return CLI_EXIT_USAGE;
	}
	if ((rc = pkcs11_generate(uri, issuer, out, type, name, kind, &err)) != HR_OK) {
		cli_print_error(&err);
		return rc == HR_E_INVALID || rc == HR_E_UNSUPPORTED ? CLI_EXIT_USAGE
								    : CLI_EXIT_FAILED;
	}
	printf("key in the token, certificate in %s/cert.pem, key reference in %s/key.pem\n", out,
	       out);
	return CLI_EXIT_OK;
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

	if (argc > 1 && strcmp(argv[1], "pkcs11-generate") == 0)
		return pkcs11_generate_run(argc - 1, argv + 1);
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
