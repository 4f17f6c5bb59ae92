/*
 * cmd_audit.c — `hromada audit verify DIR`: check a gateway's audit log offline
 * (src/audit/audit_verify.h does the work).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "audit/audit_segment.h"
#include "audit/audit_verify.h"
#include "audit/tree_head.h"
#include "cli/cli.h"
#include "core/error.h"
#include "core/hex.h"
#include "credential/signer_cert.h"

static void audit_help(void)
{
	printf(
	    "Usage: hromada audit verify DIR [--certificate PEM] [--tree-head FILE] [--strict]\n"
	    "                            [--json]\n"
	    "\n"
	    "Recomputes every entry's hash, every stored subtree hash and every signed\n"
	    "tree head of the audit log in DIR (a gateway's audit_dir, e.g.\n"
	    "STATE/UA/gateway/audit; it is only read, and may be a copy), and the person\n"
	    "index (person.idx) that a citizen's access history is looked up in.\n"
	    "Exit 0 when the log is consistent; 1 naming the first bad entry; 2 when it\n"
	    "cannot be checked (no such directory, unreadable files, bad arguments).\n"
	    "Entries after the newest signed tree head are reported with a WARNING (and\n"
	    "\"unsigned_entries\" in --json): normal in a running gateway's log or after a\n"
	    "crash (the gateway signs them when it starts), but nothing vouches for them.\n"
	    "\n"
	    "  --certificate PEM  the tree-head certificate to trust (default: DIR/tree-head.pem;\n"
	    "                     an auditor passes the one published by the country)\n"
	    "  --tree-head FILE   a signed tree head you hold from elsewhere (the JSON of\n"
	    "                     GET /audit/sth, saved earlier): the log must agree with it,\n"
	    "                     so heads removed from DIR cannot hide a rewrite\n"
	    "  --strict           entries after the newest signed head are a finding (exit 1):\n"
	    "                     for a log whose gateway was stopped cleanly, which signs\n"
	    "                     every entry before it exits\n"
	    "  --json             the verdict as one JSON object (an error as {\"error\": ...})\n");
}

static void print_result(const char *dir, const struct audit_verify_result *r, bool strict,
			 bool json)
{
	char root[2 * MERKLE_HASH_LEN + 1];

	hex_encode(r->root, MERKLE_HASH_LEN, root);
	if (json) {
		json_t *o =
		    json_pack("{s:b,s:I,s:I,s:I,s:I,s:s}", "consistent", r->consistent, "entries",
			      (json_int_t)r->entries, "signed_tree_heads", (json_int_t)r->heads,
			      "torn_bytes", (json_int_t)r->torn_bytes, "unsigned_entries",
			      (json_int_t)r->unsigned_entries, "root_hash_hex", root);
		if (o != NULL && r->unsigned_entries > 0) {
			json_object_set_new(o, "first_unsigned_entry",
					    json_integer((json_int_t)r->first_unsigned));
			json_object_set_new(o, "strict", json_boolean(strict));
		}
		if (o != NULL && !r->consistent) {
			json_object_set_new(o, "problem", json_string(r->problem));
			if (r->bad_entry_known)
				json_object_set_new(o, "first_bad_entry",
						    json_integer((json_int_t)r->bad_entry));
		}
		if (o != NULL)
			json_dumpf(o, stdout, JSON_COMPACT);
		printf("\n");
		json_decref(o);
		return;
	}
	if (r->consistent) {
		printf("%s: consistent: %llu entries, %llu signed tree heads, root %s\n", dir,
		       (unsigned long long)r->entries, (unsigned long long)r->heads, root);
		if (r->torn_bytes)
			printf("%s: %llu bytes after the last entry were never acknowledged (a "
			       "torn write); the gateway cuts them when it starts\n",
			       dir, (unsigned long long)r->torn_bytes);
		if (r->unsigned_entries)
			printf("%s: %s: %llu entries (from %llu on) follow the newest signed tree "
			       "head: nothing vouches for them yet (a running gateway signs them "
			       "within its interval, a restarted one at start)\n",
			       dir, strict ? "NOT ACCEPTED (--strict)" : "WARNING",
			       (unsigned long long)r->unsigned_entries,
			       (unsigned long long)r->first_unsigned);
	} else if (r->bad_entry_known) {
		printf("%s: NOT consistent: first bad entry %llu: %s\n", dir,
		       (unsigned long long)r->bad_entry, r->problem);
	} else {
		printf("%s: NOT consistent: %s\n", dir, r->problem);
	}
}

/* The check could not run: say why on stderr (and as JSON with --json); exit 2. */
static int cannot_check(const struct hr_error *err, bool json)
{
	cli_print_error(err);
	if (json) {
		json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", hr_status_name(err->status),
				      "message", err->message);
		if (o != NULL)
			json_dumpf(o, stdout, JSON_COMPACT);
		printf("\n");
		json_decref(o);
	}
	return CLI_EXIT_USAGE;
}

static hr_status read_tree_head(const char *path, struct tree_head *head, struct hr_error *err)
{
	json_error_t jerr;
	json_t *o = json_load_file(path, 0, &jerr);
	hr_status rc;

	if (o == NULL)
		return hr_error_set(err, HR_E_INVALID, "audit verify", "%s: %s", path, jerr.text);
	rc = tree_head_from_json(o, head, err);
	json_decref(o);
	return rc;
}

/* A gateway's audit log directory holds segments/ (and tree-head.pem): say so
 * plainly when DIR is something else, naming the one inside it if there is. */
static bool is_audit_dir(const char *dir, struct hr_error *err)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/" AUDIT_SEGMENT_DIR, dir);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	snprintf(path, sizeof(path), "%s/audit/" AUDIT_SEGMENT_DIR, dir);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		hr_error_set(err, HR_E_INVALID, "audit verify",
			     "%s is not an audit log directory, but it holds one: "
			     "hromada audit verify %s/audit",
			     dir, dir);
		return false;
	}
	hr_error_set(err, HR_E_INVALID, "audit verify",
		     "%s is not an audit log directory (it has no " AUDIT_SEGMENT_DIR
		     "/); a gateway keeps its log in STATE/<COUNTRY>/gateway/audit, e.g. "
		     "hromada-state/UA/gateway/audit (audit_dir in STATE/endpoints.json)",
		     dir);
	return false;
}

static int audit_run(int argc, char **argv)
{
	static const struct option options[] = {{"certificate", required_argument, NULL, 'c'},
						{"tree-head", required_argument, NULL, 't'},
						{"json", no_argument, NULL, 'j'},
						{"strict", no_argument, NULL, 'S'},
						{NULL, 0, NULL, 0}};
	struct audit_verify_result result;
	struct hr_error err = {0};
	const char *certificate = NULL, *tree_head_path = NULL;
	struct tree_head known;
	EVP_PKEY *key = NULL;
	bool json = false, strict = false;
	hr_status rc;
	int c;

	if (argc < 2 || strcmp(argv[1], "verify") != 0) {
		fprintf(stderr, "hromada audit: the subcommand is 'verify DIR'\n");
		return CLI_EXIT_USAGE;
	}
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			certificate = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			tree_head_path = optarg;
			break;
		case 'S':
			strict = true;
			break;
		default:
			fprintf(stderr, "Run 'hromada audit --help' for usage.\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "hromada audit verify: give one audit log directory\n");
		return CLI_EXIT_USAGE;
	}
	if (access(argv[optind], R_OK | X_OK) != 0) {
		hr_error_set(&err, HR_E_NOT_FOUND, "audit verify", "%s: %s", argv[optind],
			     strerror(errno));
		return cannot_check(&err, json);
	}
	if (!is_audit_dir(argv[optind], &err))
		return cannot_check(&err, json);
	if (certificate != NULL && signer_cert_public_key_file(certificate, &key, &err) != HR_OK)
		return cannot_check(&err, json);
	if (tree_head_path != NULL && read_tree_head(tree_head_path, &known, &err) != HR_OK) {
		EVP_PKEY_free(key);
		return cannot_check(&err, json);
	}
	rc = audit_verify_dir(argv[optind], key, tree_head_path ? &known : NULL, &result, &err);
	EVP_PKEY_free(key);
	if (rc != HR_OK)
		return cannot_check(&err, json);
	print_result(argv[optind], &result, strict, json);
	if (!result.consistent || (strict && result.unsigned_entries > 0))
		return CLI_EXIT_FAILED;
	return CLI_EXIT_OK;
}

const struct cli_command cli_audit = {
    .name = "audit",
    .summary = "Check a gateway's audit log offline: hromada audit verify DIR",
    .run = audit_run,
    .help = audit_help,
};
