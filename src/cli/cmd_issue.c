/*
 * cmd_issue.c — `hromada issue`: sign a document (or EU DCC) as a QR credential.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hromada/verify.h>

#include "cli/cli.h"
#include "core/documents.h"
#include "core/error.h"
#include "core/json.h"
#include "credential/issue.h"
#include "credential/qr.h"
#include "credential/signer.h"

static void issue_help(void)
{
	printf(
	    "Usage: hromada issue --signer DIR --type TYPE --json FILE [--png FILE] [--svg FILE]\n"
	    "                     [--validity SECONDS] [--issuer CC] [--at RFC3339]\n"
	    "                     [--holder-jwk FILE] [--status-uri URI --status-idx N]\n"
	    "\n"
	    "Signs a document as a QR credential and prints its payload: HR1:... for the\n"
	    "Hromada document types, HC1:... for an EU Digital COVID Certificate (--type\n"
	    "hcert). The content is checked against its schema before signing, and the\n"
	    "signer's certificate must allow the type (its extended key usage).\n"
	    "\n"
	    "Options:\n"
	    "  --signer DIR        a signer made by 'hromada keys' (DIR/key.pem, DIR/cert.pem),\n"
	    "                      e.g. keys/UA/signers/driver_licence\n"
	    "  --type TYPE         id_card, foreign_passport, driver_licence,\n"
	    "                      vehicle_registration, residence_permit, vaccination,\n"
	    "                      student_card, military_record, or hcert\n"
	    "  --json FILE         the document's fields as a JSON object (- for stdin);\n"
	    "                      for hcert, the EU DCC payload (ver, nam, dob, v|t|r)\n"
	    "  --png FILE          also write the QR code as a PNG image\n"
	    "  --svg FILE          also write the QR code as SVG\n"
	    "  --validity SECONDS  exp - iat (default 180, a presentation code; at most 30 days);\n"
	    "                      over 180 s needs --status-uri and --status-idx, so the\n"
	    "                      credential can be revoked\n"
	    "  --issuer CC         iss claim (default: the signer certificate's country)\n"
	    "  --at RFC3339        issue as of this time (default now)\n"
	    "  --holder-jwk FILE   bind to the holder's device key (public P-256 JWK) as cnf\n"
	    "  --status-uri URI    the issuer's status list (draft-ietf-oauth-status-list):\n"
	    "                      written as CWT claim 65535 status.status_list.uri\n"
	    "  --status-idx N      the credential's index in that list\n");
}

static hr_status write_file(const char *path, const void *data, size_t len, struct hr_error *err)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (f == NULL)
		return hr_error_set(err, HR_E_IO, "output", "cannot create %s", path);
	ok = fwrite(data, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	return ok ? HR_OK : hr_error_set(err, HR_E_IO, "output", "cannot write %s", path);
}

static hr_status load_json(const char *path, json_t **out, struct hr_error *err)
{
	char *text;
	size_t len;
	hr_status rc;

	if ((rc = cli_read_file(path, &text, &len, err)) != HR_OK)
		return rc;
	rc = hr_json_parse_object(text, len, out, err);
	free(text);
	if (rc != HR_OK)
		hr_error_prefix(err, "%s", path);
	return rc;
}

static hr_status write_pictures(const char *text, const char *png, const char *svg,
				struct hr_error *err)
{
	struct buf image;
	hr_status rc = HR_OK;

	buf_init(&image, QR_MAX_IMAGE_BYTES);
	if (png != NULL && (rc = qr_render_png(text, 8, &image, err)) == HR_OK)
		rc = write_file(png, image.data, image.len, err);
	buf_reset(&image);
	if (rc == HR_OK && svg != NULL && (rc = qr_render_svg(text, &image, err)) == HR_OK)
		rc = write_file(svg, image.data, image.len, err);
	buf_clear(&image);
	return rc;
}

static int issue_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"signer", required_argument, NULL, 's'},
	    {"type", required_argument, NULL, 't'},
	    {"json", required_argument, NULL, 'j'},
	    {"png", required_argument, NULL, 'p'},
	    {"svg", required_argument, NULL, 'g'},
	    {"validity", required_argument, NULL, 'v'},
	    {"issuer", required_argument, NULL, 'i'},
	    {"at", required_argument, NULL, 'a'},
	    {"holder-jwk", required_argument, NULL, 'h'},
	    {"status-uri", required_argument, NULL, 'u'},
	    {"status-idx", required_argument, NULL, 'x'},
	    {NULL, 0, NULL, 0},
	};
	const char *signer_dir = NULL, *json_path = NULL, *png = NULL, *svg = NULL,
		   *jwk_path = NULL;
	struct issue_request req = {0};
	struct hr_error err = {0};
	struct signer *signer = NULL;
	struct issuer *issuer = NULL;
	json_t *content = NULL, *jwk = NULL;
	char key_path[PATH_MAX], cert_path[PATH_MAX];
	struct buf out;
	struct hr_time at;
	bool has_idx = false;
	int opt, status = CLI_EXIT_USAGE;

	buf_init(&out, 64 * 1024);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;
		switch (opt) {
		case 's':
			signer_dir = optarg;
			break;
		case 't':
			req.type = optarg;
			break;
		case 'j':
			json_path = optarg;
			break;
		case 'p':
			png = optarg;
			break;
		case 'g':
			svg = optarg;
			break;
		case 'i':
			req.issuer = optarg;
			break;
		case 'h':
			jwk_path = optarg;
			break;
		case 'v':
			req.validity_seconds = strtoll(optarg, &end, 10);
			if (*optarg == 0 || *end != 0 || req.validity_seconds < 1) {
				fprintf(stderr,
					"hromada issue: --validity takes a number of seconds\n");
				goto done;
			}
			break;
		case 'u':
			req.status_uri = optarg;
			break;
		case 'x':
			if (cli_parse_u64(optarg, 0, UINT64_MAX, &req.status_idx) != HR_OK) {
				fprintf(stderr,
					"hromada issue: --status-idx takes an index 0 and up\n");
				goto done;
			}
			has_idx = true;
			break;
		case 'a':
			if (hr_time_parse(optarg, &at, &err) != HR_OK)
				goto failed;
			req.issued_at = at.seconds;
			break;
		default:
			fprintf(stderr, "Run 'hromada issue --help' for usage.\n");
			goto done;
		}
	}
	if (signer_dir == NULL || req.type == NULL || json_path == NULL || optind != argc) {
		fprintf(stderr, "hromada issue: --signer, --type and --json are required\n");
		goto done;
	}
	if ((req.status_uri != NULL) != has_idx) {
		fprintf(stderr, "hromada issue: --status-uri and --status-idx go together\n");
		goto done;
	}
	if (req.validity_seconds > ISSUE_PRESENTATION_SECONDS && req.status_uri == NULL) {
		fprintf(stderr,
			"hromada issue: a credential valid over %d s must be revocable: give "
			"--status-uri URI --status-idx N (its entry in the issuer's status list)\n",
			ISSUE_PRESENTATION_SECONDS);
		goto done;
	}
	if (load_json(json_path, &content, &err) != HR_OK ||
	    (jwk_path != NULL && load_json(jwk_path, &jwk, &err) != HR_OK))
		goto failed;
	snprintf(key_path, sizeof(key_path), "%s/key.pem", signer_dir);
	snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", signer_dir);
	if (signer_open_files(key_path, cert_path, &signer, &err) != HR_OK)
		goto failed;
	if ((issuer = issuer_new(signer)) == NULL) {
		hr_error_set(&err, HR_E_NOMEM, "issue", "out of memory");
		goto failed;
	}
	req.content = content;
	req.holder_jwk = jwk;
	if (issuer_issue(issuer, &req, &out, &err) != HR_OK)
		goto failed;
	if (write_pictures(buf_str(&out), png, svg, &err) != HR_OK)
		goto failed;
	printf("%s\n", buf_str(&out));
	status = CLI_EXIT_OK;
	goto done;
failed:
	cli_print_error(&err);
	status = err.status == HR_E_INVALID || err.status == HR_E_DENIED ? CLI_EXIT_FAILED
									 : CLI_EXIT_USAGE;
done:
	issuer_free(issuer);
	signer_free(signer);
	json_decref(content);
	json_decref(jwk);
	buf_clear(&out);
	return status;
}

const struct cli_command cli_issue = {
    .name = "issue",
    .summary = "Sign a document as a QR credential (HR1:/HC1:)",
    .run = issue_run,
    .help = issue_help,
};
