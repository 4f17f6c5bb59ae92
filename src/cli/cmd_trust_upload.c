/*
 * cmd_trust_upload.c — `hromada trust-upload`: a country's operator publishing
 * or withdrawing document signers at the trust service (docs/TRUST_LIST.md,
 * "Uploads"), signed with the country's upload key as the service requires.
 *
 *	hromada trust-upload --url URL --country CC --key DIR
 *	                     [--signer CERT]... [--withdraw KID]... [--members FILE]
 *
 * Prints the service's answer (JSON) and exits 0 when it accepted the upload,
 * 1 when it refused it, 2 on usage or I/O errors.
 */
#include <getopt.h>
#include <limits.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/http_client.h"
#include "core/json.h"
#include "credential/signer.h"
#include "credential/signer_cert.h"
#include "exchange/trust_upload.h"

#define MAX_ITEMS 20000

static void trust_upload_help(void)
{
	printf(
	    "Usage: hromada trust-upload --url URL --country CC --key DIR\n"
	    "                            [--signer CERT]... [--withdraw KID]... [--members FILE]\n"
	    "\n"
	    "Uploads a country's changes to the cross-border trust service, signed with its\n"
	    "upload key (DIR/key.pem, DIR/cert.pem: 'hromada keys' makes keys/CC/upload;\n"
	    "the service was given the certificate at onboarding):\n"
	    "  --signer CERT    publish a document signer (PEM file; may be repeated)\n"
	    "  --withdraw KID   drop a published signer from the next list (its kid, base64,\n"
	    "                   as the list shows it; may be repeated). Withdrawn stays\n"
	    "                   withdrawn: publish a new certificate to replace it\n"
	    "  --members FILE   the country's whole member set, a JSON array of {id, name,\n"
	    "                   certificate (base64 DER), document_type?, attests_devices?,\n"
	    "                   url?, gateway?}; replaces the last one\n"
	    "The service checks every certificate against the country's root and applies the\n"
	    "upload whole or not at all. Exit status: 0 accepted, 1 refused (the reason is\n"
	    "printed), 2 usage or I/O error.\n");
}

/* A PEM (or DER) certificate file as the base64 DER the upload carries. */
static hr_status certificate_b64(const char *path, json_t **out, struct hr_error *err)
{
	struct signer_cert *cert = NULL;
	struct buf text;
	hr_status rc;

	buf_init(&text, 2 * 1024 * 1024);
	if ((rc = signer_cert_read_file(path, &cert, err)) == HR_OK &&
	    (rc = signer_cert_base64(cert, &text)) == HR_OK)
		*out = json_stringn(buf_str(&text), text.len);
	signer_cert_free(cert);
	buf_clear(&text);
	return rc;
}

static int trust_upload_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"url", required_argument, NULL, 'u'},
	    {"country", required_argument, NULL, 'c'},
	    {"key", required_argument, NULL, 'k'},
	    {"signer", required_argument, NULL, 's'},
	    {"withdraw", required_argument, NULL, 'w'},
	    {"members", required_argument, NULL, 'm'},
	    {NULL, 0, NULL, 0},
	};
	const char *url = NULL, *country = NULL, *key_dir = NULL, *members_file = NULL;
	json_t *signers = json_array(), *withdraw = json_array(), *members = NULL, *cert;
	char key[PATH_MAX + 16], cert_path[PATH_MAX + 16], target[2048], batch[33];
	uint8_t random[16];
	struct signer *signer = NULL;
	struct http_client *http = NULL;
	struct http_client_options copt;
	struct http_header headers[] = {{"Content-Type", "application/json"}};
	struct http_client_request req = {"POST", target, headers, 1, NULL, 0, 60000};
	struct http_client_response response;
	struct hr_error err = {0};
	struct buf body;
	int c, status = CLI_EXIT_USAGE;

	http_client_response_init(&response);
	buf_init(&body, TRUST_UPLOAD_MAX_LEN + 64);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			url = optarg;
			break;
		case 'c':
			country = optarg;
			break;
		case 'k':
			key_dir = optarg;
			break;
		case 'm':
			members_file = optarg;
			break;
		case 's':
			if (json_array_size(signers) == MAX_ITEMS ||
			    certificate_b64(optarg, &cert, &err) != HR_OK)
				goto failed;
			json_array_append_new(signers, cert);
			break;
		case 'w':
			if (json_array_size(withdraw) == MAX_ITEMS)
				goto done;
			json_array_append_new(withdraw, json_string(optarg));
			break;
		default:
			fprintf(stderr, "Run 'hromada trust-upload --help' for usage.\n");
			goto done;
		}
	}
	if (url == NULL || country == NULL || key_dir == NULL || optind != argc) {
		fprintf(stderr, "hromada trust-upload: --url, --country and --key are required\n");
		goto done;
	}
	if (members_file != NULL) {
		json_error_t jerr;
		if ((members = json_load_file(members_file, JSON_REJECT_DUPLICATES, &jerr)) ==
			NULL ||
		    !json_is_array(members)) {
			fprintf(stderr,
				"hromada trust-upload: %s:%d: a JSON array of members "
				"expected: %s\n",
				members_file, jerr.line, jerr.text);
			goto done;
		}
	}
	snprintf(key, sizeof(key), "%s/key.pem", key_dir);
	snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", key_dir);
	snprintf(target, sizeof(target), "%s/v1/signers", url);
	if (signer_open_files(key, cert_path, &signer, &err) != HR_OK ||
	    RAND_bytes(random, sizeof(random)) != 1)
		goto failed;
	hex_encode(random, sizeof(random), batch);
	if (trust_upload_make(signer, country, batch, (int64_t)time(NULL), signers, withdraw,
			      members, &body, &err) != HR_OK)
		goto failed;
	http_client_options_default(&copt);
	if ((http = http_client_new(&copt)) == NULL)
		goto done;
	req.body = body.data;
	req.body_len = body.len;
	if (http_client_send(http, &req, &response, &err) != HR_OK)
		goto failed;
	fwrite(response.body.data, 1, response.body.len, stdout);
	if (response.body.len == 0 || response.body.data[response.body.len - 1] != '\n')
		fputc('\n', stdout);
	status = response.status == 200 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
	goto done;
failed:
	cli_print_error(&err);
done:
	json_decref(signers);
	json_decref(withdraw);
	json_decref(members);
	signer_free(signer);
	http_client_free(http);
	http_client_response_clear(&response);
	buf_clear(&body);
	return status;
}

const struct cli_command cli_trust_upload = {
    .name = "trust-upload",
    .summary = "Publish or withdraw a country's signers at the trust service",
    .run = trust_upload_run,
    .help = trust_upload_help,
};
